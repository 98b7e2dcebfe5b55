"""bench/bench_decay_schedule.py (h2, 2026-12-05): the 24 h claim with a photo at 30 or 36 h, or 5 subjects.

The bench's figures rest on its cells being paired (each schedule of a study is the same simulated subjects, noise
and photo times, rows taken away, nothing else) and on its decision rule being the one written before the run
(docs/validation.md section 13).  These tests hold it to both, without fitting anything.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
import bench_decay_jitter as jb  # noqa: E402
import bench_decay_misspecified as mis  # noqa: E402
import bench_decay_schedule as bs  # noqa: E402


def test_a_study_is_one_table_whose_first_three_subjects_are_the_three_subject_study():
    """The 5-subject superset's first 3 subjects are, value for value, what the simulator gives for 3 subjects
    with the same seeds (so the 3 vs 5 comparison is paired); the photo times are jittered around the nominal ones
    (a photo meant for 30 h is taken 29-31 h), and the own truth differs between 3 and 5 subjects."""
    table, own = bs.study_table("plateau_drop", 4)
    assert len(table) == 5 * len(bs.SUPERSET) and set(own) == {3, 5}
    seq = [mis.SEED, bs.SCHEDULE_SEED, list(mis.TRUTHS).index("plateau_drop"), 4]
    three = jb.simulate_table(np.random.default_rng(np.random.SeedSequence(seq)),
                              np.random.default_rng(np.random.SeedSequence(seq + [7])), "plateau_drop", bs.SUPERSET, 3,
                              True)
    first = table[table["subject"].isin(["S01", "S02", "S03"])]
    assert np.allclose(first["value"].to_numpy(), three["value"].to_numpy())
    assert own[3] == pytest.approx(float(three["own_24h"].iloc[0])) and own[3] != own[5]
    off = (table["hours_since_treatment"] - table["nominal_h"]).abs()
    at30 = off[table["nominal_h"] == 30.0]
    assert (at30 >= 20 / 60 - 1e-9).all() and (at30 <= 1.0 + 1e-9).all()
    assert set(bs.SUPERSET) == set(mis.DEMO_TIMES) | {30.0, 36.0}


def _diffs(plateau_rise=(12.0, 2.0), other_right=0.0, other_cover=0.0, other_wrong=(0.0, 0.0)) -> pd.DataFrame:
    """An ``against_now`` frame of one schedule change on the tuning half."""
    rows = [dict(half="tuning", truth="plateau_drop", schedule="+30 x3", n=40, covered=plateau_rise[0],
                 covered_lo=plateau_rise[1], covered_hi=plateau_rise[0] + 10, right=0.0, wrong=0.0,
                 wrong_now=0.0, wrong_rate=0.0)]
    for truth in ("two_phase", "model_3h", "linear"):
        rows.append(dict(half="tuning", truth=truth, schedule="+30 x3", n=40, covered=other_cover, covered_lo=-9,
                         covered_hi=9, right=other_right, wrong=0.0, wrong_now=other_wrong[0],
                         wrong_rate=other_wrong[1]))
    return pd.DataFrame(rows)


@pytest.mark.parametrize("kwargs, helps", [
    ({}, True),                                             # +12 points, interval above 0, nothing lost
    ({"plateau_rise": (9.0, 2.0)}, False),                  # under 10 points
    ({"plateau_rise": (12.0, -1.0)}, False),                # interval reaches 0
    ({"other_right": -6.0}, False),                         # another truth loses > 5 points of right verdicts
    ({"other_cover": -5.0}, True),                          # 5 points is allowed
    ({"other_wrong": (0.0, 7.5)}, False),                   # a new wrong rate above 5 %
    ({"other_wrong": (10.0, 12.5)}, True),                  # above 5 % already with the demo's times
])
def test_the_decision_is_the_rule_written_before_the_run(kwargs, helps):
    got = bs.decide(_diffs(**kwargs))
    assert list(got["clearly_helps"]) == [helps]


def test_intervals():
    """Wilson's interval of 0 of 40 starts at 0 and of 40 of 40 ends at 1; the paired difference of identical
    outcomes is exactly 0 with a zero-width interval, and of one study in 40 gained, +2.5 points."""
    assert bs.wilson(0, 40)[0] == 0.0 and bs.wilson(40, 40)[1] == 1.0
    lo, hi = bs.wilson(20, 40)
    assert lo == pytest.approx(0.352, abs=1e-3) and hi == pytest.approx(0.648, abs=1e-3)
    a = np.zeros(40, bool)
    assert bs.paired_diff(a, a) == (0.0, 0.0, 0.0)
    b = a.copy()
    b[0] = True
    m, lo, hi = bs.paired_diff(a, b)
    assert m == pytest.approx(0.025) and lo == 0.0 and hi > 0
