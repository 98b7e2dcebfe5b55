"""The 24 h claim when the truth is not the decay model's curve (facemetrics.decay.near_claim, rule 6).

Synthetic change tables only (fixed generators, no images).  Truths and noise as
bench/bench_decay_misspecified.py: 0.156 mm per subject + 0.117 mm per photo, margin 0.3 mm.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from facemetrics.decay import FADES, PERSISTS, analyze_series
from facemetrics.decay.near_claim import NEAR_CLAIM_ALPHA, NEAR_CLAIM_FRACTION, NearClaim, near_claim

DEMO_TIMES = (0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 12.0, 24.0, 48.0)
SPARSE_TIMES = (0.0, 1.0, 4.0, 24.0)


def table(g, times, seed, subjects=3, sd_between=0.156, sd_within=0.117):
    """A pooled change table (mm) of ``subjects`` subjects whose true change is ``g(t)``."""
    rng = np.random.default_rng(seed)
    t = np.asarray(times, float)
    rows = [pd.DataFrame(dict(subject=f"S{s}", hours_since_treatment=t,
                              value=g(t) + sd_between * rng.standard_normal() + sd_within * rng.standard_normal(t.size)))
            for s in range(subjects)]
    return pd.concat(rows, ignore_index=True).assign(treatment="sim", metric="jawline_lift_mm", side="mean", unit="mm")


def power_fade(t):  # 0.08 mm at 24 h: fades
    return 2.0 * (1.0 + t) ** -1.0


def two_phase(t):  # 1.2 mm halving every hour + 0.8 mm halving every 30 h: 0.46 mm at 24 h, persists
    return 1.2 * np.exp2(-t) + 0.8 * np.exp2(-t / 30.0)


def delayed(t):  # 0 at t = 0, 2 mm at 2 h, 0.0004 mm at 24 h: fades
    return 2.0 * (t / 2.0) * np.exp(1.0 - t / 2.0)


# ------------------------------------------------------------------ exact checks of the pure function


def test_the_window_is_a_quarter_of_the_claim_time_either_side():
    assert NEAR_CLAIM_FRACTION == 0.25
    t = np.array([1.0, 17.9, 18.0, 24.0, 30.0, 30.1])
    c = near_claim(t, np.array([0, 0, 1.0, 2.0, 3.0, 0]), (0.0, 0.0, 1.0), None, None, None, hours=24.0, level=0.9)
    assert c.window_h == (18.0, 30.0)
    assert c.n_photos == 3
    assert c.data_change == pytest.approx(2.0)
    assert c.curve_change == pytest.approx(0.0)
    assert c.gap == pytest.approx(2.0)
    assert math.isnan(c.p_value) and not c.misses()  # no replicates: no test, no miss


def test_no_photo_near_24_h_means_no_check():
    t = np.array([0.5, 1, 2, 4, 12, 48.0])
    c = near_claim(t, np.ones(6), (0.0, 1.0, 2.0), np.ones((5, 6)), np.ones((5, 6)), np.tile([0.0, 1, 2], (5, 1)),
                   hours=24.0, level=0.9)
    assert c.n_photos == 0 and math.isnan(c.gap) and not c.misses()


def test_p_value_and_interval_from_replicates_drawn_around_the_curve():
    # curve: lasting 1 (no transient): 1 mm everywhere; the photo at 24 h reads 1.5 mm
    t = np.array([1.0, 24.0])
    y = np.array([1.0, 1.5])
    boot = np.tile([1.0, 0.0, 1.0], (4, 1))  # every replicate refits the same flat curve
    noise = np.array([-0.2, -0.1, 0.1, 0.6])  # the replicates' values at 24 h: curve + noise
    yb = np.column_stack([np.ones(4), 1.0 + noise])
    c = near_claim(t, y, (1.0, 0.0, 1.0), yb, np.ones((4, 2)), boot, hours=24.0, level=0.5)
    assert c.gap == pytest.approx(0.5)
    # gaps r* = noise; P(r* >= 0.5) = 1/4, P(r* <= 0.5) = 3/4: p = 2 * 1/4
    assert c.p_value == pytest.approx(0.5)
    # interval: mean minus the 75th and 25th percentiles of the noise (linear quantiles)
    q25, q75 = np.quantile(noise, [0.25, 0.75])
    assert c.data_ci == pytest.approx((1.5 - q75, 1.5 - q25))
    assert c.misses(0.6) and not c.misses(0.5)


def test_reweighted_data_replicates_test_the_gap_against_its_own_scatter():
    # the plain cluster design: replicates are the data reweighted, so r* scatters around the gap
    t = np.array([24.0, 24.0])
    y = np.array([0.9, 1.1])  # gap 0 against a flat 1 mm curve
    boot = np.tile([1.0, 0.0, 1.0], (4, 1))
    w = np.array([[2.0, 0.0], [0.0, 2.0], [3.0, 1.0], [1.0, 3.0]])
    c = near_claim(t, y, (1.0, 0.0, 1.0), np.tile(y, (4, 1)), w, boot, hours=24.0, level=0.5, drawn=False)
    assert c.gap == pytest.approx(0.0)
    assert c.p_value == pytest.approx(1.0)  # r* - gap = -0.1, +0.1, -0.05, +0.05: gap 0 is central
    assert not c.misses(NEAR_CLAIM_ALPHA)
    # the same replicates around a curve 0.5 mm lower: r* - gap is the same scatter, gap 0.5 beyond it all
    c = near_claim(t, y, (0.5, 0.0, 1.0), np.tile(y, (4, 1)), w, np.tile([0.5, 0.0, 1.0], (4, 1)),
                   hours=24.0, level=0.5, drawn=False)
    assert c.gap == pytest.approx(0.5) and c.p_value == 0.0 and c.misses()


def test_near_claim_is_frozen():
    c = NearClaim(0, (18.0, 30.0), math.nan, math.nan, math.nan, math.nan, (math.nan, math.nan))
    with pytest.raises(Exception):
        c.gap = 1.0  # type: ignore[misc]


# ------------------------------------------------------------------ truths outside the model


@pytest.mark.parametrize("seed", range(4))
def test_a_power_law_fade_is_never_read_as_persisting(seed):
    fit = analyze_series(table(power_fade, DEMO_TIMES, seed), per_subject=False, n_boot=200, seed=seed).fits[0]
    assert fit.status == "ok"
    assert fit.verdict != PERSISTS, fit.reason


@pytest.mark.parametrize("seed", range(4))
def test_a_two_phase_fade_keeping_half_a_mm_is_never_read_as_fading(seed):
    fit = analyze_series(table(two_phase, DEMO_TIMES, seed), per_subject=False, n_boot=200, seed=seed).fits[0]
    assert fit.status == "ok"
    assert fit.verdict != FADES, fit.reason


def test_a_power_law_fade_with_little_noise_reads_fades():
    """The check must not make every misspecified series inconclusive: with small noise the answer is seen."""
    fit = analyze_series(table(power_fade, DEMO_TIMES, 0, sd_between=0.03, sd_within=0.03),
                         per_subject=False, n_boot=200, seed=0).fits[0]
    assert fit.verdict == FADES, fit.reason


def test_a_delayed_onset_whose_curve_misses_24_h_is_not_read_as_persisting():
    """Photos at 0, 1, 4 and 24 h of an onset peaking at 2 h: the model's curve (a rise to a plateau)
    passes about 1 mm above the 24 h photos and its interval says `persists` (the fit before rule 6);
    the photos at 24 h read about 0 mm, so the verdict may not be `persists`."""
    seen = 0
    for seed in range(8):
        fit = analyze_series(table(delayed, SPARSE_TIMES, seed), per_subject=False, n_boot=400, seed=seed).fits[0]
        near = fit.near_claim
        assert near is not None and near.n_photos == 3
        assert fit.verdict != PERSISTS, fit.reason
        if near.curve_verdict == PERSISTS:  # the case the rule is for: it must have turned it
            seen += 1
            assert near.misses() and fit.reason.startswith("The fitted curve misses the 3 photos at 18.0 h to 30.0 h")
    assert seen >= 1  # the seeds hold at least one series the curve alone reads wrongly


def test_a_series_the_model_describes_keeps_the_curves_verdict():
    fit = analyze_series(table(lambda t: 2.0 * np.exp2(-t / 3.0), DEMO_TIMES, 1), per_subject=False,
                         n_boot=200, seed=1).fits[0]
    assert not fit.near_claim.misses()
    assert fit.verdict == fit.near_claim.curve_verdict
    assert "The fitted curve misses" not in fit.reason
