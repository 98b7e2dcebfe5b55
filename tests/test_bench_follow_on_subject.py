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


def test_the_next_before_rows_are_the_later_before_photos_read_as_the_earlier_sessions_photos():
    """Section 22c: each later session's before photo is also a row of the session before it (the batch since stop
    56, c4), drawn from the same random numbers: without the rows the table is the old one, row for row."""
    import numpy as np

    def draw(next_before):
        rng = np.random.default_rng(np.random.SeedSequence([5, 1, 0, 0, 0]))
        return b.simulate_study(rng, "clinic6", ("fade", "build"), next_before=next_before)

    (with_rows, subjects), (without, _) = draw(True), draw(False)
    extra = with_rows[with_rows["hours_since_treatment"] > 100]
    assert len(with_rows) == len(without) + 4 and len(extra) == 4  # 2 subjects x 2 later sessions
    assert np.allclose(extra["hours_since_treatment"], 167.75)
    assert with_rows.drop(extra.index).reset_index(drop=True).equals(without)
    # a row of the earlier session: its treated_at, and the fading lift gone a week on (only the two photos' errors)
    s1 = extra[extra["subject"] == "S1"]
    assert list(s1["treated_at"]) == sorted(set(with_rows.loc[with_rows["subject"] == "S1", "treated_at"]))[:2]
    assert (s1["value"].abs() < 4 * b.SD_BASE * 2 ** 0.5).all()
    # build-up: each session adds its lasting change to the earlier ones'; every later session should be pooled
    assert b._state("build", 1.0, 1.0, [10.0, 200.0, 400.0], [0.0, 168.0, 336.0]) == pytest.approx(
        [b.BUILD_MM, 2 * b.BUILD_MM, 3 * b.BUILD_MM])
    assert b._own_answer("build", b.BUILD_MM) == b.INCONCLUSIVE
    assert all(c < b.MARGIN for c in subjects["S2"]["carries"].values())


def test_the_monotone_rule_is_run_and_decided_by_section_22cs_rule():
    df = b.run_follow_on(range(1), designs=("home48",), truths=("all_fade",), rules=("pooled", "monotone"))
    assert set(df["rule"]) == {"pooled", "monotone"}
    s = b.summarise_follow_on(pd.concat([df, df.assign(study=1, half="held_out")]))
    ship, notes = b.decide_follow_on(s)
    assert ship in ("pooled", "monotone")
    assert [n[:14] for n in notes] == ["monotone: (a) ", "monotone: (b) ", "monotone: (c) ", "monotone: (d) "]
    mono, pooled = (df[df["rule"] == r].reset_index(drop=True) for r in ("monotone", "pooled"))
    assert (mono["drop_wrong"] <= pooled["drop_wrong"]).all()  # it only pools sessions pooled drops


def test_the_rebound_truths_turn_back_and_a_carry_below_baseline_counts_as_one_to_drop(monkeypatch):
    """Section 22d: the rebound kinds are not the model's one-way curve (a dip below baseline at 48 h, a delayed rise
    after a fade); their sessions' courses add up; a later session whose before photo lies 0.3 mm or more *below*
    baseline should be dropped too (before e2 only a carry above +0.3 mm counted)."""
    import numpy as np

    dip, ret, late = (b.KINDS[k](np.array([24.0, 48.0, 96.0, 168.0])) for k in ("dip", "return", "late_return"))
    assert abs(dip[0]) < b.MARGIN < -dip[1] and abs(dip[3]) < 0.01  # inside at 24 h, 0.5 mm below at 48 h, gone
    assert abs(ret[0]) < b.MARGIN and ret[1] < b.MARGIN < ret[2]  # inside at 24 and 48 h, beyond at 96 h
    assert abs(late[1]) < 0.01 and late[2] > b.MARGIN
    assert b._state("dip", 1.0, 1.0, [95.75], [0.0, 48.0])[0] == pytest.approx(
        float(b.KINDS["dip"](np.array([95.75]))[0] + b.KINDS["dip"](np.array([47.75]))[0]))
    rng = np.random.default_rng(np.random.SeedSequence([7, 1, 2, 5, 0]))  # run_follow_on's home48 all_dip study 0
    _, subjects = b.simulate_study(rng, "home48", ("dip",) * 3)
    assert all(c < -b.MARGIN for v in subjects.values() for c in v["carries"].values())  # all 6 should be dropped
    seen = []
    analyze = b.analyze_series

    def spy(*a, **kw):
        seen.append(analyze(*a, **kw))
        return seen[-1]

    monkeypatch.setattr(b, "analyze_series", spy)
    df = b.run_follow_on(range(1), designs=("home48",), truths=("all_dip",), rules=("pooled",), seed_base=7)
    rows = df[df["row"] == "dip"]
    dropped = len({(x.subject, x.treated_at) for x in seen[0].follow_on})
    assert int(rows["later"].sum()) == 6
    # before e2 (only carries >= +0.3 mm counted) every dropped session was counted "dropped, should pool"
    assert int(rows["drop_wrong"].sum()) == 0 and int(rows["pool_wrong"].sum()) == 6 - dropped


def test_the_harm_rule_of_section_22d_flags_each_of_its_three_conditions():
    base = dict(half="tuning", design="home48", truth="all_return", row="return", n=120, inconclusive=0.0,
                coverage=1.0, drop_wrong=0, later=240)
    old = dict(base, rule="pooled", right=0.5, wrong=0.0, pool_wrong=10)

    def judge(**new):
        return b._monotone_harms(pd.DataFrame([old, dict(old, rule="monotone", **new)]))[0]

    assert not judge()
    assert judge(right=0.44)  # (a) 6 points lower
    assert not judge(right=0.46)
    assert judge(wrong=0.06)  # (b) above 5 % where pooled's was not
    assert judge(pool_wrong=13) and not judge(pool_wrong=12)  # (c) more than 1 % of 240 later sessions added
