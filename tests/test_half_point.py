"""The half point: when the measured change fell to half, read from the photos without assuming a shape (stop 63)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from facemetrics.decay import analyze_series
from facemetrics.decay.half_point import half_point, half_point_ci, isotonic_decreasing, photo_bracket
from facemetrics.report import half_point_lines, half_point_text
from facemetrics.schema import TIMELINE_COLUMNS


def test_interpolation_between_photos_is_exact():
    # half of 2.0 is 1.0, reached exactly at the 4 h photo
    assert half_point([0, 2, 4, 8], [2.0, 1.5, 1.0, 0.0]) == pytest.approx(4.0)
    # 1.0 lies 60 % of the way from 1.6 (2 h) to 0.6 (4 h)
    assert half_point([1, 2, 4], [2.0, 1.6, 0.6]) == pytest.approx(3.2)
    # photos before treatment are ignored; the reference is the first photo after it
    assert half_point([-0.5, 1, 2, 4], [9.0, 2.0, 1.6, 0.6]) == pytest.approx(3.2)


def test_a_rise_between_photos_is_pooled_not_followed():
    # 1.0 at 2 h then 1.4 at 3 h: the falling curve pools them to 1.2 at both; half of 2.0 is crossed from
    # 1.2 (3 h) to 0.2 (5 h) at 3.4 h, not at the 2 h photo that dipped
    assert isotonic_decreasing(np.array([2.0, 1.0, 1.4, 0.2]), np.ones(4)).tolist() == pytest.approx([2.0, 1.2, 1.2, 0.2])
    assert half_point([0, 2, 3, 5], [2.0, 1.0, 1.4, 0.2]) == pytest.approx(3.4)


def test_photos_at_one_time_are_averaged_and_weights_count():
    # two photos at 2 h (1.8 and 1.4: mean 1.6), then 0.6 at 4 h
    assert half_point([1, 2, 2, 4], [2.0, 1.8, 1.4, 0.6]) == pytest.approx(3.2)
    # weight 0 leaves the 1.4 out: 1.8 at 2 h, crossing 1.0 at 2 + 0.8 / 1.2 * 2 h
    assert half_point([1, 2, 2, 4], [2.0, 1.8, 1.4, 0.6], w=[1, 1, 0, 1]) == pytest.approx(2 + 0.8 / 1.2 * 2)


def test_a_decrease_is_read_with_its_sign():
    assert half_point([0, 2, 4, 8], [-2.0, -1.5, -1.0, 0.0], sign=-1.0) == pytest.approx(4.0)
    # read as an increase, a change that starts negative has nothing to halve
    assert math.isnan(half_point([0, 2, 4, 8], [-2.0, -1.5, -1.0, 0.0]))


def test_not_reached_when_the_change_never_halves():
    assert math.isnan(half_point([0, 4, 24], [0.4, 0.4, 0.35]))
    t = np.array([0.25, 1, 4, 24, 48.0])
    y = np.array([0.40, 0.41, 0.39, 0.40, 0.40])
    hp, lo, hi = half_point_ci(t, y, np.full(5, 0.01) * [1, -1, 1, -1, 0], 1.0, np.random.default_rng(0), 200, 0.95)
    assert math.isnan(hp) and math.isnan(hi)
    assert lo == 48.0  # no replicate fell to half: "later than the last photo"


def test_no_interval_when_there_is_no_change_to_halve():
    """A series whose change at the first photos lies on the other side of zero from the fitted peak (a series of
    noise: 3 of 40 simulated null series) has no half point; its interval was still filled ("from 0.2 h to beyond
    the last photo"), and report.md said the change "had not fallen to half by the last photo", a lasting change
    that the photos do not show.  With nothing to halve the interval is empty too, and report.md says nothing."""
    t = np.array([-0.1, 0.25, 1, 3, 6, 24])
    y = np.array([0.0, -0.01, -0.08, -0.11, -0.10, -0.02])  # read as an increase (the fitted peak's sign): none
    resid = np.array([0.0, 0.05, -0.05, 0.02, -0.02, 0.0])
    hp, lo, hi = half_point_ci(t, y, resid, 1.0, np.random.default_rng(0), 200, 0.95)
    assert math.isnan(hp) and math.isnan(lo) and math.isnan(hi)
    assert half_point_text(dict(half_point_h=hp, half_point_h_ci_low=lo, half_point_h_ci_high=hi,
                                last_time_h=24.0)) == ""
    # read as a decrease the same photos have a change to halve: its interval is kept
    hp, lo, hi = half_point_ci(t, y, resid, -1.0, np.random.default_rng(0), 200, 0.95)
    assert math.isfinite(lo)


def test_photo_bracket_moves_the_interval_out_to_the_photo_times():
    assert photo_bracket([-0.2, 0.25, 1, 3, 6, 24], 2.4, 4.5) == (1.0, 6.0)
    assert photo_bracket([0.25, 1, 3, 6, 24], 3.0, 6.0) == (3.0, 6.0)  # on a photo time: stays
    lo, hi = photo_bracket([0, 1, 3], 1.0, math.inf)
    assert lo == 1.0 and math.isnan(hi)
    assert photo_bracket([0.5, 1, 3], 0.1, 0.9) == (0.5, 1.0)  # below the first photo: the first photo


def _linear_fade(seed: int, n_subjects: int = 3) -> pd.DataFrame:
    """1.2 mm falling in a straight line to 0 at 8 h (half of it at 4 h), the demo's times, a little noise."""
    rng = np.random.default_rng(seed)
    t = np.array([0.25, 0.5, 1, 2, 3, 4, 6, 8, 12, 24, 48])
    rows = []
    for s in range(n_subjects):
        value = 1.2 * np.clip(1 - t / 8, 0, None) + 0.05 * rng.standard_normal() + 0.05 * rng.standard_normal(t.size)
        rows.append(pd.DataFrame(dict(subject=f"S{s}", hours_since_treatment=t, value=value)))
    return pd.concat(rows).assign(treatment="mc", metric="jawline_lift_mm", side="mean", unit="mm")


def test_a_linear_fade_halves_at_about_4_h_and_its_interval_holds_it():
    fit = analyze_series(_linear_fade(1), per_subject=False, n_boot=200, seed=0).fits[0]
    assert fit.status == "ok"
    true = 4.0 - 0.25 / 2  # half of its value at the first photo (0.25 h): 1.1625 mm -> 0.58 mm at 4.125 h
    assert fit.half_point_h == pytest.approx(true, abs=0.6)
    assert fit.half_point_h_ci_low <= true <= fit.half_point_h_ci_high
    # the interval's ends are photo times (between two photos the change may halve anywhere)
    assert {fit.half_point_h_ci_low, fit.half_point_h_ci_high} <= {0.25, 0.5, 1, 2, 3, 4, 6, 8, 12, 24, 48}
    row = analyze_series(_linear_fade(1), per_subject=False, n_boot=200, seed=0).to_frame().iloc[0]
    assert row["half_point_h"] == fit.half_point_h


def test_the_half_point_leaves_the_fit_and_its_verdict_alone():
    """Its draws come from a stream of their own: every other figure is what the same fit gives with n_boot=0
    (point figures) and is reproducible with the same seed."""
    a = analyze_series(_linear_fade(2), per_subject=False, n_boot=200, seed=3).fits[0]
    b = analyze_series(_linear_fade(2), per_subject=False, n_boot=0, seed=3).fits[0]
    assert a.half_life_h == b.half_life_h and a.peak_change == b.peak_change
    assert a.half_point_h == b.half_point_h  # the point needs no bootstrap
    assert math.isnan(b.half_point_h_ci_low) and math.isnan(b.half_point_h_ci_high)


def test_columns_follow_the_half_life():
    i = TIMELINE_COLUMNS.index("half_life_h_ci_high")
    assert TIMELINE_COLUMNS[i + 1:i + 4] == ("half_point_h", "half_point_h_ci_low", "half_point_h_ci_high")


@pytest.mark.parametrize("row, text", [
    (dict(half_point_h=4.02, half_point_h_ci_low=3.0, half_point_h_ci_high=6.0, last_time_h=24.0, confidence=0.95),
     "fell to half by about 4.0 h (95% CI 3.0-6.0 h), read from the photos without assuming a shape"),
    (dict(half_point_h=4.02, half_point_h_ci_low=3.0, half_point_h_ci_high=math.nan, last_time_h=24.0),
     "may have fallen to half by about 4.0 h (95% CI from 3.0 h to beyond the last photo at 24.0 h: the photos do not "
     "show that it did)"),
    (dict(half_point_h=math.nan, half_point_h_ci_low=48.0, half_point_h_ci_high=math.nan, last_time_h=48.0),
     "had not fallen to half by the last photo at 48.0 h"),
    (dict(half_point_h=math.nan, half_point_h_ci_low=12.0, half_point_h_ci_high=math.nan, last_time_h=24.0),
     "had not fallen to half by the last photo at 24.0 h (the 95% CI reaches from 12.0 h to beyond that photo)"),
    (dict(half_point_h=math.nan, half_point_h_ci_low=math.nan, half_point_h_ci_high=math.nan, last_time_h=24.0), ""),
])
def test_report_words(row, text):
    assert half_point_text(row) == text


def test_report_lines_name_the_series():
    rows = pd.DataFrame([dict(treatment="mc", metric="jawline_lift_mm", side="mean", status="ok", half_point_h=4.0,
                              half_point_h_ci_low=3.0, half_point_h_ci_high=6.0, last_time_h=24.0, confidence=0.95),
                         dict(treatment="rf", metric="jawline_lift_mm", side="mean", status="insufficient_data",
                              half_point_h=math.nan, half_point_h_ci_low=math.nan, half_point_h_ci_high=math.nan,
                              last_time_h=math.nan, confidence=0.95)])
    lines = half_point_lines(rows)
    assert lines[-1] == ("- mc, jawline_lift_mm (mean): fell to half by about 4.0 h (95% CI 3.0-6.0 h), read from "
                         "the photos without assuming a shape.")
    assert not any(line.startswith("- rf") for line in lines)
    assert half_point_lines(rows.iloc[1:]) == []


def test_a_fitted_row_without_a_half_point_is_named():
    """Since section 26e a row whose photos show no effect has no half point; its line vanished without a word
    (review r2, stop 65).  A row with no fit, or a table without the half point columns, is not named."""
    from facemetrics.report import NO_HALF_POINT

    ok = dict(treatment="mc", metric="jawline_lift_mm", side="mean", status="ok", half_point_h=4.0,
              half_point_h_ci_low=3.0, half_point_h_ci_high=6.0, last_time_h=24.0, confidence=0.95)
    none = dict(ok, metric="nlf_depth", side="left", half_point_h=math.nan, half_point_h_ci_low=math.nan,
                half_point_h_ci_high=math.nan)
    nofit = dict(none, treatment="rf", status="insufficient_data")
    lines = half_point_lines(pd.DataFrame([ok, none, nofit]))
    assert lines[-3:] == ["- mc: no half point for nlf_depth (left).", "", NO_HALF_POINT]
    assert lines[-4].startswith("- mc, jawline_lift_mm (mean): fell to half")
    alone = half_point_lines(pd.DataFrame([none, dict(none, side="right"), dict(none, treatment="rf")]))
    assert alone[1].startswith("How long the change lasted")
    assert alone[-4:-2] == ["- mc: no half point for nlf_depth (left) and nlf_depth (right).",
                            "- rf: no half point for nlf_depth (left)."]
    old = pd.DataFrame([{k: v for k, v in none.items() if not k.startswith("half_point")}])
    assert half_point_lines(old) == []
