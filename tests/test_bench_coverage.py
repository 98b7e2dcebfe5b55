"""bench/bench_coverage.py's own table check (``defects``): a row reading ``uncertain`` makes no claim,
whatever its kind (the camera-distance row of a pair whose lips changed shape reads it by design and
was counted as 19 "defects" on the GRID set); a verdict contradicting its change and floor still is one,
and so is an ``uncertain`` row in a comparison whose status is ``ok`` (nothing says why)."""

from __future__ import annotations

import sys
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

from bench_coverage import defects  # noqa: E402
from facemetrics.compare.table import Change  # noqa: E402


def _pair(status: str, *rows: Change):
    return SimpleNamespace(status=status, changes=rows)


def test_an_uncertain_row_is_no_verdict_of_any_kind():
    camera = Change("camera_distance_change_pct", "mean", "pct", float("nan"), float("nan"), 4.0, 0.8, "uncertain")
    lift = Change("jawline_lift_mm", "mean", "mm", float("nan"), float("nan"), 1.2, 0.1, "uncertain")
    assert defects(_pair("warning", camera, lift)) == []


def test_the_check_still_finds_what_breaks_the_table():
    wrong = Change("jawline_lift_mm", "mean", "mm", float("nan"), float("nan"), 1.2, 0.1, "within_noise")
    assert defects(_pair("warning", wrong)) == ["jawline_lift_mm/mean: change +1.2, floor 0.1, verdict "
                                                "'within_noise' (expected 'lift')"]
    silent = Change("camera_distance_change_pct", "mean", "pct", float("nan"), float("nan"), 4.0, 0.8, "uncertain")
    assert len(defects(_pair("ok", silent))) == 1 and "status 'ok'" in defects(_pair("ok", silent))[0]
    no_unit = Change("camera_distance_change_pct", "mean", "", float("nan"), float("nan"), 4.0, 0.8, "uncertain")
    assert defects(_pair("warning", no_unit)) == ["camera_distance_change_pct/mean: no unit"]
