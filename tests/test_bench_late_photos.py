"""bench/bench_late_photos.py: section 23's rule as written (docs/validation.md), on hand-made rates."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

import bench_late_photos as b  # noqa: E402


def _rates(rows):
    cols = ["half", "family", "cell", "truth", "rows", "target", *b.CANDIDATES]
    return pd.DataFrame([dict(zip(cols, r)) for r in rows])


def test_choose_takes_the_best_target_rate_within_the_5_percent_limit():
    r = _rates([
        ("tuning", "monotone", "demo x1", "model_3h", "-", False, 0, 5, 10, 5, 5, 5, 10),
        ("tuning", "rebound", "clinic6", "all_dip", "first", True, 0, 10, 30, 60, 60, 70, 80),
        ("held_out", "monotone", "demo x1", "model_3h", "-", False, 50, 50, 50, 50, 50, 50, 50),
    ])
    best, s = b.choose(r, "tuning")
    assert best == "A0.05|B"
    assert s.set_index("candidate").loc["A0.10|B", "monotone_max"] == 10


def test_choose_gives_none_when_every_candidate_fires_too_often_on_a_monotone_cell():
    r = _rates([("tuning", "monotone", "demo x1", "model_3h", "-", False, 10, 10, 10, 10, 10, 10, 10),
                ("tuning", "rebound", "clinic6", "all_dip", "first", True, 50, 50, 50, 50, 50, 50, 50)])
    assert b.choose(r, "tuning")[0] is None


def test_fired_reads_a_record_s_late_photo_times():
    late = [dict(t=[48.0, 48.0], n=3, m=-0.4, c=-0.33, g=-0.07, p=0.5, ci=[-0.6, -0.2])]
    rec = dict(status="ok", delta=0.3, peak=1.0, late=json.dumps(late))
    assert b.fired(rec, None, True) and not b.fired(rec, 0.05, False)
    assert not b.fired({**rec, "status": "fit_failed"}, None, True)


def test_targets_as_section_23_lists_them():
    assert b.target("rebound", "clinic6", "all_dip", "first")
    assert b.target("rebound", "clinic6", "all_late_return", "first+next")
    assert not b.target("rebound", "home48", "all_return", "first+next")
    assert not b.target("monotone", "clinic6", "all_dip", "first")


def test_section_23b_candidates_on_one_and_three_subjects():
    """Section 23b: on three subjects every candidate is keep; on one subject B2/M2 drop the opposite side, S1 keeps
    it only where p < 0.10, M2s where the series has 2 late photos."""
    opposite = dict(t=[48.0, 48.0], n=1, m=-0.4, c=-0.33, g=-0.07, p=0.5, ci=[-0.6, -0.2])
    rec = dict(status="ok", delta=0.3, peak=1.0, subjects=3, late=json.dumps([{**opposite, "n": 3}]))
    assert all(b.fired_58(rec, c) for c in b.CANDIDATES_58)
    three_one_photo = {**rec, "late": json.dumps([opposite])}  # M2, M2s count photos whatever the subjects
    assert b.fired_58(three_one_photo, "B2") and not b.fired_58(three_one_photo, "M2")
    one = {**rec, "subjects": 1, "late": json.dumps([opposite])}
    assert b.fired_58(one, "keep") and not any(b.fired_58(one, c) for c in ("B2", "S1", "M2", "M2s"))
    two = {**one, "late": json.dumps([opposite, {**opposite, "t": [96.0, 96.0], "m": 0.0, "ci": [-0.2, 0.2]}])}
    assert b.fired_58(two, "M2s") and not b.fired_58(two, "S1")
    missed = {**one, "late": json.dumps([{**opposite, "p": 0.05}])}
    assert b.fired_58(missed, "S1")  # the opposite side with p < 0.10
    missed_a = {**one, "late": json.dumps([{**opposite, "m": 0.4, "ci": [0.2, 0.6], "p": 0.03}])}
    assert b.fired_58(missed_a, "keep") and not b.fired_58(missed_a, "S1")  # A at 0.05, not 0.01


def test_section_23b_rule_keeps_keep_when_eligible_and_targets_skip_home48_first():
    cols = ["half", "family", "cell", "truth", "rows", "target", *b.CANDIDATES_58]
    r = pd.DataFrame([dict(zip(cols, x)) for x in [
        ("tuning", "monotone", "demo x1", "model_3h", "-", False, 5, 0, 0, 0, 0),
        ("tuning", "rebound", "clinic6 x1", "all_dip", "first", True, 40, 0, 5, 0, 10)]])
    assert b.choose_58(r)[0] == "keep"
    r.loc[0, "keep"] = 10
    assert b.choose_58(r)[0] == "M2s"  # eligible, the highest target mean
    assert not b.target_58("rebound", "home48 x1", "all_dip", "first")
    assert b.target_58("rebound", "home48 x1", "all_dip", "first+next")
    assert not b.target_58("rebound", "home48", "all_return", "first+next")
