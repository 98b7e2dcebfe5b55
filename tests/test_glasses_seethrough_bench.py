"""bench/bench_glasses_seethrough.py's own arithmetic: the candidate cues from the raw luminances (the shipped
``eyes.iris_step`` is candidate 2, ``Db``) and the pair rule (a 70 % fall of the false rows, no fewer lift rows,
no more 'shallower' folds)."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

from bench_glasses_seethrough import cues, pairs_table  # noqa: E402
from facemetrics import eyes as E  # noqa: E402


def test_cues_match_the_package_step():
    raw = pd.DataFrame(dict(iris=[60.0, 30.0], side_out=[200.0, 35.0], side_in=[180.0, 34.0], skin=[150.0, 120.0]))
    c = cues(raw)
    for k in range(2):
        r = raw.iloc[k]
        assert c.Db[k] == E.iris_step(r.iris, (r.side_out, r.side_in), r.skin)
    assert np.allclose(c.ratio, [200 / 150, 35 / 120]) and np.allclose(c.D, [(180 - 60) / 150, (34 - 30) / 120])


def _run(path: Path, false_rows: int, lifts: int, shallower: int = 0) -> Path:
    rows = []
    for cond in ("frames both", "frames after"):
        for i in range(10):
            rows.append(dict(face="f", style="round", kind="nuisance", cond=cond, covered="00", status="ok",
                             metric=f"m{i}", side="mean", change=1.0, floor=0.5,
                             verdict="lift" if i < false_rows else "within_noise"))
        for i in range(9):
            rows.append(dict(face="f", style="round", kind="lift", cond=cond, covered="00", status="ok",
                             metric="jawline_lift_mm", side=str(i), change=1.0, floor=0.5,
                             verdict="lift" if i < lifts else "uncertain"))
        for i in range(2):
            rows.append(dict(face="f", style="round", kind="deepen", cond=cond, covered="00", status="ok",
                             metric="nlf_depth", side=str(i), change=1.0, floor=0.5,
                             verdict="shallower" if i < shallower else "deeper"))
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def test_pair_rule(tmp_path):
    base = _run(tmp_path / "b.csv", 5, 3)
    assert pairs_table(base, _run(tmp_path / "ok.csv", 1, 3))          # 10 -> 2: 80 %
    assert not pairs_table(base, _run(tmp_path / "few.csv", 2, 3))     # 10 -> 4: 60 %
    assert not pairs_table(base, _run(tmp_path / "lift.csv", 0, 2))    # a lift row lost
    assert not pairs_table(base, _run(tmp_path / "sh.csv", 0, 3, 1))   # a 'shallower' fold
