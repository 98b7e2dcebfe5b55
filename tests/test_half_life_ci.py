"""The half-life's profile-likelihood interval (facemetrics.decay.half_life_ci) and its use in analyze_series.

Coverage is measured in bench/half_life_ci.py (docs/validation.md section 7, "Stop 63"); these tests check the
interval's properties on fixed series."""

import math

import numpy as np
import pandas as pd
import pytest

from facemetrics.compare.floors import _T_975
from facemetrics.decay import analyze_series
from facemetrics.decay.half_life_ci import profile_interval, t_quantile
from facemetrics.decay.model import default_amplitude_bound, default_half_life_bounds, fit_decay

HOURS = np.array([0.5, 1, 2, 4, 8, 12, 24, 48])
#: fixed noise (mm) standing in for one draw: the tests do not depend on a random stream
NOISE = np.array([0.08, -0.11, 0.05, 0.12, -0.07, -0.02, 0.09, -0.1])


def _interval(y, level=0.95):
    bound, bounds = default_amplitude_bound(y), default_half_life_bounds(HOURS)
    est = fit_decay(HOURS, y, amplitude_bound=bound, half_life_bounds=bounds)
    return est.half_life, profile_interval(HOURS, y, est.half_life, bound, bounds, level)


def _series(y, subjects=("me",)):
    return pd.concat([pd.DataFrame(dict(subject=s, treatment="microcurrent", hours_since_treatment=HOURS,
                                        metric="jawline_lift_mm", side="mean", value=y + 0.03 * i, unit="mm"))
                      for i, s in enumerate(subjects)], ignore_index=True)


@pytest.mark.parametrize("df", range(1, 31))
def test_t_quantile_matches_the_table_of_compare_floors(df):
    assert t_quantile(0.975, df) == pytest.approx(_T_975[df - 1], abs=1e-9)


def test_t_quantile_other_levels():
    assert t_quantile(0.95, 5) == pytest.approx(2.015048373, abs=1e-8)  # scipy.stats.t.ppf(0.95, 5)
    assert t_quantile(0.995, 2) == pytest.approx(9.924843201, abs=1e-8)
    with pytest.raises(ValueError):
        t_quantile(0.4, 5)


def test_interval_contains_the_estimate_and_lies_within_the_bounds():
    y = 2.0 * 0.5 ** (HOURS / 3) + NOISE
    h, (lo, hi) = _interval(y)
    lo_b, hi_b = default_half_life_bounds(HOURS)
    assert lo_b <= lo < h < hi <= hi_b
    assert 2.0 < lo and hi < 5.0  # 3 h with 0.1 mm of noise: resolved (2.1-4.7 h), not the whole range


def test_interval_widens_with_noise_and_with_the_level():
    base = 2.0 * 0.5 ** (HOURS / 3)
    _, (lo1, hi1) = _interval(base + NOISE)
    _, (lo2, hi2) = _interval(base + 2 * NOISE)
    assert hi2 / lo2 > hi1 / lo1 * 1.5
    _, (lo9, hi9) = _interval(base + NOISE, level=0.9)
    assert lo1 < lo9 and hi9 < hi1


def test_noiseless_series_gives_its_half_life_exactly():
    h, (lo, hi) = _interval(2.0 * 0.5 ** (HOURS / 3))
    assert h == pytest.approx(3.0, rel=1e-3)
    assert lo == pytest.approx(3.0, rel=2e-3) and hi == pytest.approx(3.0, rel=2e-3)


def test_too_few_photos_or_no_half_life_give_nan():
    assert all(math.isnan(v) for v in profile_interval(HOURS[:3], NOISE[:3], 1.0, 1.0, (0.25, 5000), 0.95))
    assert all(math.isnan(v) for v in profile_interval(HOURS, NOISE, math.nan, 1.0, (0.25, 5000), 0.95))


def test_one_subject_reports_the_profile_interval():
    y = 2.0 * 0.5 ** (HOURS / 3) + NOISE
    fit = analyze_series(_series(y), n_boot=200).fits[0]
    assert fit.bootstrap == "residual"
    _, (p_lo, p_hi) = _interval(y)
    assert (fit.half_life_h_ci_low, fit.half_life_h_ci_high) == pytest.approx((p_lo, p_hi))
    assert fit.half_life_h_ci_low < fit.half_life_h < fit.half_life_h_ci_high
    # wider than the bootstrap's percentile interval here, which the 24 h change's interval still is
    b_lo, b_hi = np.quantile(fit.boot_params[:, 2], [0.025, 0.975])
    assert p_hi / p_lo > b_hi / b_lo
    c24 = fit.boot_params[:, 0] + fit.boot_params[:, 1] * 0.5 ** (24 / fit.boot_params[:, 2])
    assert fit.change_24h_ci_low == pytest.approx(np.quantile(c24, 0.025))


def test_three_subjects_keep_the_percentile_interval():
    y = 2.0 * 0.5 ** (HOURS / 3) + NOISE
    fit = analyze_series(_series(y, ("a", "b", "c")), per_subject=False, n_boot=200).fits[0]
    assert fit.bootstrap == "cluster"
    b_lo, b_hi = np.quantile(fit.boot_params[:, 2], [0.025, 0.975])
    assert (fit.half_life_h_ci_low, fit.half_life_h_ci_high) == pytest.approx((b_lo, b_hi))
