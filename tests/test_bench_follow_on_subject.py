"""bench/bench_follow_on_subject.py's options for the fresh-seed run (docs/validation.md section 22b, task c3b):
``--seed-base`` draws other studies and its default reproduces section 22's; ``--rules`` runs only the rules named
(``pooled`` always, the reference), and the decision reads whichever variants were run."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

import bench_follow_on_subject as b  # noqa: E402


def _one(**kw) -> pd.DataFrame:
    return b.run_follow_on(range(1), designs=("clinic6",), truths=("fade_none",), **kw)


def test_the_seed_base_draws_other_studies_and_its_default_is_section_22s(monkeypatch):
    seen = []
    simulate = b.simulate_study

    def spy(rng, design, kinds, **kw):
        table, subjects = simulate(rng, design, kinds, **kw)
        seen.append(table["value"].to_numpy())
        return table, subjects

    monkeypatch.setattr(b, "simulate_study", spy)
    assert b.SEED == 20261206
    old = _one(rules=("pooled",))
    assert old.equals(_one(rules=("pooled",), seed_base=20261206))
    fresh = _one(rules=("pooled",), seed_base=2026120656)
    assert list(fresh["row"]) == list(old["row"]) == ["pooled", "fade", "none"]
    assert (seen[0] == seen[1]).all()
    assert seen[0].shape == seen[2].shape and not (seen[0] == seen[2]).any()


def test_only_the_rules_named_are_run_and_the_decision_reads_them():
    df = _one(rules=("pooled", "subject_all"))
    assert set(df["rule"]) == {"pooled", "subject_all"}
    s = b.summarise_follow_on(pd.concat([df, df.assign(study=1, half="held_out")]))
    ship, notes = b.decide_follow_on(s)  # no "subject" rows: before c3b this raised KeyError
    assert ship in ("pooled", "subject_all")
    assert notes and all(n.startswith("subject_all: ") for n in notes)


def test_an_unknown_rule_is_a_clear_usage_error(capsys):
    with pytest.raises(SystemExit) as e:
        b.main(["--rules", "pooled,subjct_all", "--studies", "0"])
    assert e.value.code == 2
    assert "unknown rule(s) subjct_all" in capsys.readouterr().err
