"""The arithmetic of two bench scripts' README figures (docs/validation.md §11): the invariance table's
largest changes (bench/accuracy.py ``largest_changes``, whose ratio row without the fold lengths gives
the README's 3.7 %) and the eye-cover report's largest missed scale change, which printed only the
magnitude behind a ``+`` (bench/bench_eyes.py ``largest_change``)."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

from accuracy import GROUPS, largest_changes  # noqa: E402
from bench_eyes import largest_change  # noqa: E402


def test_the_largest_change_keeps_its_sign():
    assert largest_change(pd.Series([0.02, -0.38, 0.10])) == -0.38
    assert largest_change(pd.Series([0.02, float("nan"), 0.31, -0.05])) == 0.31
    assert math.isnan(largest_change(pd.Series([float("nan")])))


def test_largest_changes_absolute_and_relative_apart():
    ref = {"a_ipd": 10.0, "b_ipd": 0.5, "z_ipd": 0.0}
    rows = {"shift": {"a_ipd": 10.4, "b_ipd": 0.52, "z_ipd": 0.3},
            "roll": {"a_ipd": 9.9, "b_ipd": 0.45, "z_ipd": 0.0}}
    (d, c, k), (rel, rc, rk) = largest_changes(ref, rows, list(ref))
    assert (c, k) == ("a_ipd", "shift") and math.isclose(d, 0.4)
    # the zero-valued column is left out of the relative change; b's -10 % beats a's +4 %
    assert (rc, rk) == ("b_ipd", "roll") and math.isclose(rel, 0.1)


def test_the_other_ratios_row_sets_the_fold_lengths_apart():
    other = GROUPS["ratios other than the fold lengths'"]
    assert other("cheek_height_right_ipd") and other("lower_face_area_ipd2")
    assert not other("nlf_length_left_ipd") and not other("jaw_width_mm")
    assert GROUPS["ratios (_ipd, _ipd2)"]("nlf_length_left_ipd")
