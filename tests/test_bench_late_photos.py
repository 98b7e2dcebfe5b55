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
