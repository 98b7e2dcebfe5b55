"""A one-subject regimen with pre-session photos on 3 days: its CIs hold each photo's own error.

With 3 days the moving-block bootstrap (blocks of 1 day) resamples 3 points, so its slopes are those of the pairs
of days and see nothing of a photo's error: in 28 simulated one-subject studies from the sample photo the 95 % CI
of the slope held the truth in 68 % (jawline) and 75 % (mouth corners), docs/validation.md §12, Round 23.  Since
stop 62 such a row's CIs are widened to hold slope ± z x SE from the rows' noise floors
(``regimen_slope._floor_slope_se``); rows on 4 days or more are as before.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from facemetrics.decay import analyze_regimen


def _levels(days, floor=0.6, subject="me"):
    """Levels near a 0.3 mm/week line (a few hundredths off it), each with a 0.6 mm noise floor."""
    off = np.array([0.02, -0.03, 0.01, 0.0, -0.01, 0.02])[: len(days)]
    return pd.DataFrame(dict(subject=subject, treatment="rf", metric="jawline_lift_mm", side="mean", unit="mm",
                             value=0.3 / 7 * np.asarray(days, float) + off, noise_floor=floor,
                             days_since_start=np.asarray(days, float)))


def test_three_days_hold_the_photos_own_error():
    row = analyze_regimen(_levels([7, 14, 21]), n_boot=400, seed=0).iloc[0]
    # each level's own error 0.6 / (1.96 sqrt 2) = 0.216 mm, Sxx = 98 day^2: SE 0.153 mm/week, 95 %: +-0.300
    sigma = 0.6 / (1.96 * math.sqrt(2))
    half = 1.959964 * 7 * sigma / math.sqrt(98.0)
    assert abs(half - 0.300) < 0.001
    lo, hi = row["slope_per_week_ci_low"], row["slope_per_week_ci_high"]
    assert lo <= row["slope_per_week"] - half + 1e-6 and hi >= row["slope_per_week"] + half - 1e-6, (lo, hi)
    c = row["change_day_n"]
    assert row["change_day_n_ci_low"] <= c - 3 * half + 1e-6 and row["change_day_n_ci_high"] >= c + 3 * half - 1e-6
    # the verdict reads the widened CI: 0.9 mm +- 0.9 straddles the 0.6 mm margin
    assert row["verdict"] == "inconclusive" and "straddles" in row["reason"]
    assert f"{hi:.2f} mm per week)" in row["reason"]  # the sentence gives the widened CI


def test_the_bootstrap_alone_was_the_pairs_of_days():
    """Without noise floors (a hand-made table) nothing widens it: the bootstrap's own, far narrower CI."""
    row = analyze_regimen(_levels([7, 14, 21]).drop(columns="noise_floor"), n_boot=400, seed=0).iloc[0]
    assert row["slope_per_week_ci_high"] - row["slope_per_week_ci_low"] < 0.2


def test_four_days_and_more_are_as_before():
    from facemetrics.decay.regimen_slope import REGIMEN_FEW_DAYS

    assert REGIMEN_FEW_DAYS == 4
    lv = _levels([7, 14, 21, 28])
    with_floor = analyze_regimen(lv, n_boot=400, seed=0).iloc[0]
    no_floor = analyze_regimen(lv.assign(noise_floor=np.nan), n_boot=400, seed=0).iloc[0]
    for col in ("slope_per_week_ci_low", "slope_per_week_ci_high", "change_day_n_ci_low", "change_day_n_ci_high"):
        assert with_floor[col] == no_floor[col], col


def test_the_user_storys_rf_month_holds_its_truth():
    """bench/user_story.py's RF user (0.4 mm a weekly session, lasting): her pre-session photos against day 0's read
    0.76, 1.12 and 1.35 mm (noise floors 1.19, 0.95 and 0.51 mm); before stop 62 the CIs, 0.22 to 0.39 mm per week
    and 0.65 to 1.16 mm at day 21, held neither the true 0.4 mm per week nor the true 1.2 mm."""
    lv = pd.DataFrame(dict(subject="rf_user", treatment="rf", metric="jawline_lift_mm", side="mean", unit="mm",
                           value=[0.760947, 1.12276, 1.35066], noise_floor=[1.1944, 0.947247, 0.511062],
                           hours_since_treatment=[167.75, 335.75, 503.75]))
    row = analyze_regimen(lv, n_boot=400, seed=0).iloc[0]
    assert row["day_n"] == 21
    assert row["slope_per_week_ci_low"] < 0.4 < row["slope_per_week_ci_high"]
    assert row["change_day_n_ci_low"] < 1.2 < row["change_day_n_ci_high"]
    assert row["verdict"] == "inconclusive"


def test_report_md_says_how_the_few_days_intervals_were_made():
    """report.md's Regimen section said "Block-bootstrap 95% CIs" only, though a row with photos on 3 days has its
    intervals widened from the photos' noise floors (stop 62): the section says both, with the day count."""
    from facemetrics.decay.regimen_slope import REGIMEN_FEW_DAYS
    from facemetrics.report import _regimen_report

    table = analyze_regimen(_levels([0, 7, 14, 21]), n_boot=200, seed=0).assign(kind="regimen")
    text = " ".join(_regimen_report(table))
    assert f"fewer than {REGIMEN_FEW_DAYS} days after day 0" in text and "noise floors" in text, text
    assert "transient lift" not in text  # the width and the folds are regimen rows too


def test_report_md_says_the_widening_is_for_rows_whose_days_are_resampled():
    """The widening applies to a moving-block row only (fewer than MIN_CLUSTERS subjects, its days resampled); with 3
    subjects and photos on 3 days the CIs are the subjects' bootstrap's, yet the section said every row on fewer than
    REGIMEN_FEW_DAYS days was widened (review r1, stop 62)."""
    from facemetrics.decay.bootstrap import MIN_CLUSTERS
    from facemetrics.report import _regimen_report

    table = analyze_regimen(_levels([0, 7, 14, 21]), n_boot=200, seed=0).assign(kind="regimen")
    text = " ".join(_regimen_report(table))
    assert f"a row of fewer than {MIN_CLUSTERS} subjects (its days resampled) with pre-session photos on" in text, text


def test_a_row_without_a_floor_does_not_undo_the_widening():
    """One level with no noise floor (a blank cell of long.csv) made the SE NaN and left the bootstrap's narrow CI, so
    the same three days read ``cumulative_change`` instead of ``inconclusive`` (review r1, stop 62): such a row takes
    the others' median floor, as the verdict's margin does."""
    full = analyze_regimen(_levels([7, 14, 21]), n_boot=400, seed=0).iloc[0]
    gap = _levels([7, 14, 21]).assign(noise_floor=[0.6, np.nan, 0.6])
    row = analyze_regimen(gap, n_boot=400, seed=0).iloc[0]
    for col in ("slope_per_week_ci_low", "slope_per_week_ci_high", "change_day_n_ci_low", "change_day_n_ci_high"):
        assert abs(row[col] - full[col]) < 1e-9, (col, row[col], full[col])
    assert row["verdict"] == "inconclusive"
