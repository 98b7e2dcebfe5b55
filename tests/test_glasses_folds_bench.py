"""bench/bench_glasses_folds.py's reading of a fold below the dark glasses (docs/robustness.md 'The fold read below
the glasses', stop 42, not shipped): where the line is cut, and the candidates' verdicts and rule on top of the
shipped ``GLASSES_FOLD_COVER`` rule."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

from bench_glasses_folds import apply_below, check_below, cross_sections, first_uncovered  # noqa: E402
from facemetrics.geometry import Frame  # noqa: E402


def test_the_line_is_cut_after_its_last_covered_point():
    assert first_uncovered(np.array([False, True, True, False, True, False, False])) == 5
    assert first_uncovered(np.zeros(4, bool)) == 0
    assert first_uncovered(np.array([False, False, True])) == 3


def test_cross_sections_run_across_the_line_medial_to_lateral():
    """A vertical line at x = 100 px, 0.2 mm per px: the right side's lateral is -x (the subject's right is at
    negative u), so the cross section runs every 0.4 mm from 6 mm medial (+30 px) to 7.2 mm lateral (-36 px), the
    last step within 7.5 mm."""
    frame = Frame(np.zeros(2), np.array([1.0, 0.0]), np.array([0.0, 1.0]), 0.2)
    line = np.column_stack([np.full(20, 100.0), np.arange(20.0) * 2])
    cs = cross_sections(line, frame, "right", (-6.0, 7.5))
    assert cs.shape == (20, 34, 2)
    assert np.allclose(cs[:, :, 1], line[:, 1:2])
    assert np.isclose(cs[0, 0, 0], 130.0) and np.isclose(cs[0, -1, 0], 64.0)
    left = cross_sections(line, frame, "left", (-6.0, 7.5))
    assert np.isclose(left[0, 0, 0], 70.0) and np.isclose(left[0, -1, 0], 136.0)


def _rows(kind, metric, verdict, change, span=14.0, chg=2.0, ref=2.0, cover=0.3, line_check=False, cond="frames both"):
    return dict(face="f", style="aviator", kind=kind, cond=cond, covered="11", cover_before_right=cover,
                cover_before_left=0.0, cover_after_right=0.0, cover_after_left=0.0, status="ok", metric=metric,
                side="right", change=change, floor=0.84 if metric == "nlf_depth" else 3.0, verdict=verdict,
                line_check=line_check, span_strips=span, chg_strips=chg, ref_strips=ref,
                span_full=span, chg_full=chg, ref_full=ref)


def test_a_covered_side_reads_its_part_below_the_glasses_when_long_enough():
    df = pd.DataFrame([
        _rows("deepen", "nlf_depth", "within_noise", -0.4, span=14.0, chg=4.5, ref=7.0),       # read: deeper
        _rows("deepen", "nlf_length_mm", "within_noise", 0.1),                                   # stays uncertain
        _rows("deepen", "nlf_depth", "deeper", 3.0, span=10.0, chg=4.5, ref=7.0),                # too short
        _rows("deepen", "nlf_depth", "deeper", 3.0, chg=4.5, ref=-1.0),                          # the lines disagree
        _rows("deepen", "nlf_depth", "uncertain", 3.0, chg=4.5, ref=7.0),                        # uncertain already
        _rows("deepen", "nlf_depth", "uncertain", 3.0, chg=4.5, ref=7.0, line_check=True),       # the line check's
        _rows("deepen", "nlf_depth", "shallower", -9.0, cover=0.05, chg=4.5),                    # not taken: as is
    ])
    v = apply_below(df, "strips", 12.0)
    assert list(v) == ["deeper", "uncertain", "uncertain", "uncertain", "uncertain", "deeper", "shallower"]
    assert list(apply_below(df, "strips", 8.0))[2] == "deeper"
    assert list(apply_below(df, "strips", 12.0, read=("nlf_contrast_pct",)))[0] == "uncertain"


def test_the_rule_fails_on_a_wrong_direction_contrast_row():
    good = [_rows("deepen", "nlf_depth", "within_noise", 0.0, chg=4.5, ref=7.0) for _ in range(6)]
    good += [_rows("nuisance", "nlf_depth", "within_noise", 0.0, chg=0.1, ref=0.1)]
    ok = check_below(pd.DataFrame(good), 5, show=False)
    assert ok[("strips", 12.0)] == (True, 6) and ok[("strips", 16.0)][0] is False  # 14 mm parts: none read at 16
    bad = good + [_rows("deepen", "nlf_contrast_pct", "within_noise", 0.0, chg=-4.0)]
    assert check_below(pd.DataFrame(bad), 5, show=False)[("strips", 12.0)][0] is False
    assert check_below(pd.DataFrame(bad), 5, show=False, read=("nlf_depth",))[("strips", 12.0)][0] is True
    false_row = good + [_rows("nuisance", "nlf_depth", "within_noise", 0.0, chg=1.2, ref=1.2)]
    assert check_below(pd.DataFrame(false_row), 5, show=False)[("strips", 12.0)][0] is False
