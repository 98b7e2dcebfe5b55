"""Which sign the half point reads a change with (stop 64, g1; docs/validation.md section 26d)."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd

from facemetrics.decay import analyze_series
from facemetrics.decay.half_point import photo_sign
from facemetrics.report import half_point_text

TIMES = np.array([0.25, 0.5, 1, 2, 4, 8, 12, 24, 48])


def test_photo_sign_is_the_sign_of_the_time_mean_largest_in_size():
    assert photo_sign([-1, 0.25, 12, 24], [5.0, -0.1, 1.2, 0.6]) == 1.0  # the photo before treatment is ignored
    assert photo_sign([0.25, 1, 4], [-0.8, -0.5, 0.2]) == -1.0
    # photos at one time are pooled first: the mean at 1 h is -0.1, so 0.6 at 4 h is the largest in size
    assert photo_sign([1, 1, 4], [-0.9, 0.7, 0.6]) == 1.0
    assert math.isnan(photo_sign([-2.0, -1.0], [0.3, 0.4]))


def _zero_start(seed: int) -> pd.DataFrame:
    """Section 26b's shape: 0 mm at the session, rising in a straight line to 1.2 mm at 12 h, to 0 over 24 h."""
    g = np.where(TIMES < 12, 1.2 * TIMES / 12, 1.2 * np.clip(1 - (TIMES - 12) / 24, 0, None))
    rng = np.random.default_rng(seed)
    return pd.concat([pd.DataFrame(dict(subject=f"S{s}", hours_since_treatment=TIMES,
                                        value=g + 0.05 * rng.standard_normal(TIMES.size))) for s in range(3)],
                     ignore_index=True).assign(treatment="rf", metric="jawline_lift_mm", side="mean", unit="mm")


def _fit(table, n_boot=0):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return analyze_series(table, per_subject=False, n_boot=n_boot, seed=0).fits[0]


def test_a_change_rising_from_zero_is_read_with_the_photos_sign_from_its_peak():
    """Section 26b: the fitted peak is negative, the photos' change positive; the half point read with the fitted
    sign said "fell to half by about 0.3 h" (seeds 7, 9 and 10: 0.29, 0.27 and 0.26 h), and from stop 64 (26d)
    nothing was said.  Since stop 65 (26e) the photos' sign is taken when their largest time mean (1.2 mm at 12 h)
    is beyond the noise and at least the margin (0.3 mm): the change grew to 12 h and fell to half of it (the
    truth: 0.6 mm at 24 h) by about 23.6-23.8 h."""
    for seed in (7, 9, 10):
        f = _fit(_zero_start(seed))
        assert f.peak_change < 0  # the exponential's figure is unchanged
        assert f.half_point_peak_h == 12.0
        assert 23.0 < f.half_point_h < 24.0


def test_a_change_rising_from_zero_with_a_bootstrap_says_it_grew():
    f = _fit(_zero_start(7), n_boot=50)
    assert (f.half_point_h_ci_low, f.half_point_h_ci_high, f.half_point_peak_h) == (12.0, 48.0, 12.0)
    text = half_point_text({"half_point_h": f.half_point_h, "half_point_h_ci_low": f.half_point_h_ci_low,
                            "half_point_h_ci_high": f.half_point_h_ci_high, "last_time_h": 48.0,
                            "half_point_peak_h": f.half_point_peak_h})
    assert text == ("grew after the session to its largest at about 12.0 h, then fell to half of that by about "
                    "23.8 h (95% CI 12.0-48.0 h), read from the photos without assuming a shape")


def test_no_half_point_when_the_signs_disagree_and_the_photos_show_no_effect():
    """The photos' sign is taken only when the row shows an effect: with a margin (``min_effect``) of 2 mm the
    1.2 mm peak does not reach it, and nothing is said, as in stop 64 (section 26e)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        f = analyze_series(_zero_start(7), per_subject=False, n_boot=50, seed=0, min_effect=2.0).fits[0]
    assert f.peak_change < 0
    assert all(math.isnan(getattr(f, k)) for k in ("half_point_h", "half_point_h_ci_low", "half_point_h_ci_high",
                                                   "half_point_peak_h"))
    assert half_point_text({"half_point_h": f.half_point_h, "half_point_h_ci_low": f.half_point_h_ci_low,
                            "half_point_h_ci_high": f.half_point_h_ci_high, "last_time_h": 48.0}) == ""


def test_a_fade_whose_signs_agree_keeps_its_half_point():
    rng = np.random.default_rng(3)
    table = pd.DataFrame(dict(subject="S1", hours_since_treatment=TIMES,
                              value=-2.0 * np.exp2(-TIMES / 3) + 0.02 * rng.standard_normal(TIMES.size)))
    f = _fit(table.assign(treatment="mc", metric="jawline_lift_mm", side="mean", unit="mm"))
    assert f.peak_change < 0  # a decrease, read with its own sign
    assert 2.0 < f.half_point_h < 5.0  # the true half point from the 0.25 h photo: 3.25 h
