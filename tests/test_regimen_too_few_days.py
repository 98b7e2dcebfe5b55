"""A regimen with pre-session photos on too few days says what they read (Round 19, stop 58; docs/validation.md
section 12): a clinic RF patient's second treatment's before photo read 0.57 mm above the first one's at day 14, and
the Regimen line said only "Pre-session photos on only 1 day(s) after day 0 (need at least 3)" -- nowhere else was
that change from the first before photo given.  The verdict and the rule are unchanged (``inconclusive``, no fit)."""

from __future__ import annotations

import math

import pandas as pd

from facemetrics.decay import analyze_regimen
from facemetrics.decay.margin import INCONCLUSIVE


def _two_clinic_visits(subjects=("patient",)) -> pd.DataFrame:
    """The first treatment's before photo (day 0, read 0 against itself) and the second's at day 14."""
    return pd.DataFrame([dict(subject=s, treatment="rf", metric="jawline_lift_mm", side="mean", unit="mm",
                              hours_since_treatment=h, value=v, noise_floor=0.09, verdict=verdict)
                         for s in subjects for h, v, verdict in ((-0.25, 0.0, "within_noise"),
                                                                  (14 * 24 - 0.25, 0.566, "lift"))])


def test_one_later_day_says_its_change_with_the_floor_and_the_margin():
    r = analyze_regimen(_two_clinic_visits(), n_boot=0).iloc[0]
    assert r["verdict"] == INCONCLUSIVE and r["status"] == "insufficient_data" and math.isnan(r["slope_per_week"])
    assert r["reason"] == (
        "Pre-session photos on only 1 day after day 0 (need them on at least 3): no cumulative change can be fitted. "
        "The pre-session photo reads 0.57 mm on day 14 against day 0's baseline (noise floor 0.09 mm, margin "
        "\u00b10.30 mm): a single photo's change, not a fitted trend."), r["reason"]
    assert "day(s)" not in r["reason"]


def test_several_subjects_keep_the_count_alone():
    r = analyze_regimen(_two_clinic_visits(("a", "b")), n_boot=0).iloc[0]
    assert r["reason"] == ("Pre-session photos on only 1 day after day 0 (need them on at least 3): no cumulative "
                           "change can be fitted."), r["reason"]
