"""The 24 h claim when the truth is not the decay model's curve (facemetrics.decay.near_claim, rule 6).

Synthetic change tables only (fixed generators, no images).  Truths and noise as
bench/bench_decay_misspecified.py: 0.156 mm per subject + 0.117 mm per photo, margin 0.3 mm.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from facemetrics.decay import FADES, PERSISTS, analyze_series
from facemetrics.decay.near_claim import (MISFIT_ALPHA, NEAR_CLAIM_ALPHA, NEAR_CLAIM_FRACTION, NearClaim, misfit_run,
                                          near_claim)

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


def model_fade(t):  # the model's own 2 mm fade with a 3 h half-life
    return 2.0 * np.exp2(-t / 3.0)


@pytest.fixture(scope="module")
def sparse_delayed():
    """The sparse delayed onset's pooled fits, ``n_boot`` 400, seeds 0-7 (each the table's seed too), as
    ``[(seed, SeriesResult)]``: one fit each, read by the two tests that fitted the same eight series."""
    return [(seed, analyze_series(table(delayed, SPARSE_TIMES, seed), per_subject=False, n_boot=400, seed=seed))
            for seed in range(8)]


@pytest.fixture(scope="module")
def model_fade_fit():
    """``(data, result)``: the model's own fade on the demo's times (seed 1), pooled, ``n_boot`` 200: one fit,
    read by the three tests that fitted this series."""
    data = table(model_fade, DEMO_TIMES, 1)
    return data, analyze_series(data, per_subject=False, n_boot=200, seed=1)


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


def test_a_delayed_onset_whose_curve_misses_24_h_is_not_read_as_persisting(sparse_delayed):
    """Photos at 0, 1, 4 and 24 h of an onset peaking at 2 h: the model's curve (a rise to a plateau)
    passes about 1 mm above the 24 h photos and its interval says `persists` (the fit before rule 6);
    the photos at 24 h read about 0 mm, so the verdict may not be `persists`."""
    seen = 0
    for _, res in sparse_delayed:
        fit = res.fits[0]
        near = fit.near_claim
        assert near is not None and near.n_photos == 3
        assert fit.verdict != PERSISTS, fit.reason
        if near.curve_verdict == PERSISTS:  # the case the rule is for: it must have turned it
            seen += 1
            assert near.misses() and fit.reason.startswith("The fitted curve misses the 3 photos at 18.0 h to 30.0 h")
    assert seen >= 1  # the seeds hold at least one series the curve alone reads wrongly


def test_a_series_the_model_describes_keeps_the_curves_verdict(model_fade_fit):
    fit = model_fade_fit[1].fits[0]
    assert not fit.near_claim.misses()
    assert fit.verdict == fit.near_claim.curve_verdict
    assert "The fitted curve misses" not in fit.reason


# ------------------------------------------------------------------ the figure beside the verdict (stop 38)


def _at24(reason: str, start: str = "At 24 h the change is ") -> str:
    """The figure the verdict's sentence gives for 24 h ("0.03 mm")."""
    return reason.split(start, 1)[1].split(" (", 1)[0]


def test_when_the_photos_near_24_h_decide_the_24_h_columns_are_theirs(sparse_delayed):
    """The sparse delayed onset: where the curve misses the 24 h photos, the `change_24h*` columns carry
    those photos' mean and intervals (the verdict's figures), not the curve's, and say so."""
    fired = 0
    for _, res in sparse_delayed:
        fit = res.fits[0]
        near = fit.near_claim
        assert fit.n_photos_18_30h == 3
        curve_24 = float(fit.curve([24.0])[0][0])
        if not near.misses():
            assert fit.change_24h_source == "curve"
            assert fit.change_24h == pytest.approx(curve_24)
            continue
        fired += 1
        assert fit.change_24h_source == "photos_18_30h"
        assert fit.change_24h == pytest.approx(near.data_change)
        assert (fit.change_24h_test_ci_low, fit.change_24h_test_ci_high) == near.data_ci
        assert fit.change_24h_ci_low <= fit.change_24h_test_ci_low <= fit.change_24h
        assert fit.change_24h <= fit.change_24h_test_ci_high <= fit.change_24h_ci_high
        if near.gap_misses():  # rule 6's gap check (the lack-of-fit check may fire where the curve agrees at 24 h)
            assert abs(fit.change_24h - curve_24) > 0.3  # the curve's figure was another one
        # the sentence beside it gives the same figure, and the curve's elsewhere
        figure = _at24(fit.reason)
        assert figure == f"{fit.change_24h:.2f} mm"
        row = res.to_frame().iloc[0]  # the table's row of this fit
        assert row["change_24h_source"] == "photos_18_30h" and row["change_24h"] == pytest.approx(near.data_change)
    assert fired >= 1


def test_report_marks_a_24_h_figure_that_is_not_the_checked_curves():
    from facemetrics.report import SOURCE_NOTES, timeline_markdown

    frame = analyze_series(table(delayed, SPARSE_TIMES, 0), per_subject=False, n_boot=200, seed=0).to_frame()
    frame = pd.concat([frame, frame.assign(treatment="other", change_24h_source="curve_unchecked"),
                       frame.assign(treatment="third", change_24h_source="curve")], ignore_index=True)
    frame["change_24h_source"] = ["photos_18_30h", "curve_unchecked", "curve"]
    md = timeline_markdown(frame, None)
    rows = [line for line in md.splitlines() if line.startswith(("| sim ", "| other ", "| third "))]
    assert " \u2020 [" in rows[0] and " \u2021 [" in rows[1] and "\u2020" not in rows[2] and "\u2021" not in rows[2]
    assert SOURCE_NOTES["photos_18_30h"] in md and SOURCE_NOTES["curve_unchecked"] in md
    plain = timeline_markdown(frame.iloc[2:], None)
    assert "\u2020" not in plain and "\u2021" not in plain


# ------------------------------------------------------------------ no photo at 18-30 h (stop 38, rule 7)

NO_24_TIMES = tuple(t for t in DEMO_TIMES if t != 24.0)


def test_a_series_with_no_photo_near_24_h_says_its_figure_is_the_curves():
    fit = analyze_series(table(lambda t: 2.0 * np.exp2(-t / 3.0), NO_24_TIMES, 2), per_subject=False,
                         n_boot=200, seed=2).fits[0]
    assert fit.status == "ok" and fit.n_photos_18_30h == 0
    assert fit.change_24h_source == "curve_unchecked"
    assert fit.near_claim.n_photos == 0 and fit.near_claim.nearest_h == 12.0
    assert fit.change_24h == pytest.approx(float(fit.curve([24.0])[0][0]))
    assert ("No photo at 18.0 h to 30.0 h after treatment (the nearest at 12.0 h, 12.0 h from 24 h)" in fit.reason
            and "not measured" in fit.reason and "about 24 h after a treatment" in fit.reason)
    with_24 = analyze_series(table(lambda t: 2.0 * np.exp2(-t / 3.0), DEMO_TIMES, 2), per_subject=False,
                             n_boot=200, seed=2).fits[0]
    assert with_24.change_24h_source == "curve" and "No photo at" not in with_24.reason


def test_far_is_the_distance_of_the_nearest_photo_when_none_is_in_the_window():
    blank = (math.nan, math.nan)
    none = NearClaim(0, (18.0, 30.0), math.nan, math.nan, math.nan, math.nan, blank, 4.0)
    assert none.far(24.0, 19.9) and not none.far(24.0, 20.0)
    assert not NearClaim(1, (18.0, 30.0), 0.0, 0.0, 0.0, 0.5, blank, 24.0).far(24.0, 0.0)  # a photo in it
    assert not NearClaim(0, (18.0, 30.0), math.nan, math.nan, math.nan, math.nan, blank).far(24.0, 0.0)  # no time


def test_a_verdict_whose_nearest_photo_is_too_far_from_24_h_is_inconclusive(monkeypatch):
    """With the limit lowered below the series' 12 h, a verdict the curve alone gives becomes inconclusive,
    and the sentence says why and gives the curve's verdict; the figures stay the curve's."""
    import facemetrics.decay.near_claim as nc

    data = table(lambda t: 2.0 * np.exp2(-t / 3.0), NO_24_TIMES, 0, sd_between=0.03, sd_within=0.03)
    monkeypatch.setattr(nc, "FAR_FROM_CLAIM_H", math.inf)
    kept = analyze_series(data, per_subject=False, n_boot=200, seed=0).fits[0]
    monkeypatch.setattr(nc, "FAR_FROM_CLAIM_H", 11.0)
    far = analyze_series(data, per_subject=False, n_boot=200, seed=0).fits[0]
    monkeypatch.setattr(nc, "FAR_FROM_CLAIM_H", 12.0)
    near = analyze_series(data, per_subject=False, n_boot=200, seed=0).fits[0]
    assert kept.verdict == FADES == near.verdict
    assert far.verdict == "inconclusive" and far.change_24h_source == "curve_unchecked"
    assert far.reason.startswith("No photo at 18.0 h to 30.0 h after treatment (the nearest at 12.0 h, 12.0 h from")
    assert f"the curve alone would read {FADES}" in far.reason and "about 24 h after a treatment" in far.reason
    assert "no photo within 11.0 h of 24 h" in far.reason
    assert far.change_24h == kept.change_24h


def test_by_default_a_last_photo_at_12_h_leaves_the_claim_unjudged_and_one_at_16_h_does_not():
    """FAR_FROM_CLAIM_H (9 h, chosen on the bench's tuning half): photos to 12 h and at 48 h are 12 h from
    24 h at best, so the claim is not judged; a photo at 16 h (8 h away) keeps the curve's verdict."""
    from facemetrics.decay.near_claim import FAR_FROM_CLAIM_H

    assert FAR_FROM_CLAIM_H == 9.0
    g = lambda t: 2.0 * np.exp2(-t / 3.0)  # noqa: E731
    far = analyze_series(table(g, NO_24_TIMES, 0, sd_between=0.03, sd_within=0.03), per_subject=False,
                         n_boot=200, seed=0).fits[0]
    assert far.verdict == "inconclusive" and far.near_claim.curve_verdict == FADES, far.reason
    assert far.change_24h_source == "curve_unchecked" and "no photo within 9.0 h of 24 h" in far.reason
    times16 = (0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 48.0)
    kept = analyze_series(table(g, times16, 0, sd_between=0.03, sd_within=0.03), per_subject=False,
                          n_boot=200, seed=0).fits[0]
    assert kept.verdict == FADES and kept.change_24h_source == "curve_unchecked", kept.reason
    assert "(the nearest at 16.0 h, 8.0 h from 24 h): the 24 h figure is the fitted curve's, not measured" in kept.reason


@pytest.fixture(scope="module")
def decided_by_the_photos_near_24_h():
    """``(data, result)``: the first of seeds 0-7 of the delayed onset at :data:`SPARSE_TIMES` whose 24 h figure
    is the photos' at 18-30 h (``change_24h_source``), pooled, ``n_boot`` 200; read by the two figure tests."""
    for seed in range(8):
        data = table(delayed, SPARSE_TIMES, seed)
        res = analyze_series(data, per_subject=False, n_boot=200, seed=seed)
        if res.fits[0].change_24h_source == "photos_18_30h":
            break
    return data, res


def test_the_plot_draws_the_photos_figure_at_24_h_when_it_is_the_verdicts(decided_by_the_photos_near_24_h,
                                                                          model_fade_fit):
    from facemetrics.plots import plot_timeline

    data, res = decided_by_the_photos_near_24_h
    fit = res.fits[0]
    assert fit.change_24h_source == "photos_18_30h"
    ax = plot_timeline(data, res).axes[0]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any(lab.startswith("24 h: photos at 18-30 h, mean and 90% CI") for lab in labels), labels
    diamonds = [ln for ln in ax.get_lines() if ln.get_marker() == "D"]
    assert len(diamonds) == 1 and tuple(diamonds[0].get_xdata()) == (24.0,)
    assert diamonds[0].get_ydata()[0] == pytest.approx(fit.change_24h)
    # the model's own fade with photos at 24 h: no diamond, no such legend entry
    plain_data, plain = model_fade_fit
    ax = plot_timeline(plain_data, plain).axes[0]
    assert not [ln for ln in ax.get_lines() if ln.get_marker() == "D"]


def test_the_24_h_marker_carries_the_verdicts_interval_not_the_bands(decided_by_the_photos_near_24_h, model_fade_fit):
    """The Timeline figure's 24 h diamond and the verdict text beside it gave two intervals (95 % bootstrap CI
    -1.02 to 1.00 mm against the test's 90 % CI -0.72 to 0.80 mm, browser audit 2026-12-05): the marker's bar is
    now the interval the verdict was decided on (``change_24h_test_ci_*`` at ``test_confidence``), read from the
    plot's data (:func:`claim_marker` and the drawn error bar), not its pixels."""
    from facemetrics.plots import claim_marker, plot_timeline

    data, res = decided_by_the_photos_near_24_h
    fit = res.fits[0]
    assert fit.change_24h_source == "photos_18_30h"
    assert (fit.change_24h_test_ci_low, fit.change_24h_test_ci_high) != (fit.change_24h_ci_low, fit.change_24h_ci_high)
    m = claim_marker(fit)
    assert (m.hours, m.shape, m.level) == (24.0, "D", pytest.approx(0.9))
    assert (m.ci_low, m.ci_high) == (fit.change_24h_test_ci_low, fit.change_24h_test_ci_high)
    ax = plot_timeline(data, res).axes[0]
    bars = [seg for c in ax.collections if hasattr(c, "get_segments") for seg in c.get_segments()
            if len(seg) == 2 and seg[0][0] == seg[1][0] == 24.0]
    assert len(bars) == 1
    assert sorted([bars[0][0][1], bars[0][1][1]]) == pytest.approx([fit.change_24h_test_ci_low,
                                                                    fit.change_24h_test_ci_high])
    # a per-subject fit or a resolved curve read at 24 h draws no marker
    assert claim_marker(model_fade_fit[1].fits[0]) is None


# ------------------------------------------------------------------ the lack-of-fit check (stop 39)


def _tiny():
    """Two subjects (A, B) photographed at 1, 2 and 3 h against a curve of 0 everywhere."""
    t = np.array([1.0, 1.0, 2.0, 2.0, 3.0, 3.0])
    groups = np.array(["A", "B"] * 3)
    y = np.array([1.1, 0.9, 0.0, 0.0, -1.0, -1.0])  # A: 1.1, 0, -1; B: 0.9, 0, -1
    return t, groups, y


def test_the_lack_of_fit_ratio_by_hand():
    """Centred on their own means (A +1/30, B -1/30), the residuals' means per time are 1, 0, -1 (mean
    square with 2 photos a time: (2 + 0 + 2) / 3) and their scatter within a time 0.04/3 over 6 - 3 degrees
    of freedom: F = 300.  One replicate just as far off counts against it, one without a pattern does not."""
    t, groups, y = _tiny()
    flat = (0.0, 0.0, 1.0)
    calm = np.array([0.1, -0.1, 0.2, 0.0, -0.1, 0.1])
    f_calm, _ = misfit_run(t, calm, flat, calm[None, :], np.ones((1, 6)), np.array([flat]), groups=groups)
    f, p = misfit_run(t, y, flat, np.vstack([y, calm]), np.ones((2, 6)), np.tile(flat, (2, 1)), groups=groups)
    assert f == pytest.approx(300.0)
    assert f_calm < f
    assert p == pytest.approx((1 + 1) / (1 + 2))


def test_no_repeat_photo_at_any_time_means_no_lack_of_fit_check():
    t = np.array([0.5, 1, 2, 4, 8, 24.0])
    y = np.array([2.0, 2.0, 2.0, 2.0, 2.0, 0.0])
    boot = np.tile([0.0, 2.0, 10.0], (5, 1))
    assert all(map(math.isnan, misfit_run(t, y, (0.0, 2.0, 10.0), np.ones((5, 6)), np.ones((5, 6)), boot)))
    c = near_claim(t, y, (0.0, 2.0, 10.0), np.ones((5, 6)), np.ones((5, 6)), boot, hours=24.0, level=0.9)
    assert math.isnan(c.misfit_p) and not c.misfit(1.0)


def test_a_subject_resampled_twice_is_no_repeat_photo():
    """A cluster replicate holding subject A twice (weight 2) and B not at all has one photo a time:
    its statistic is undefined and it leaves the p-value's count."""
    t, groups, y = _tiny()
    flat = (0.0, 0.0, 1.0)
    w = np.array([[1.0, 1, 1, 1, 1, 1], [2.0, 0, 2, 0, 2, 0]])
    _, p = misfit_run(t, y, flat, np.vstack([y, y + 5.0]), w, np.tile(flat, (2, 1)), groups=groups)
    assert p == pytest.approx((1 + 1) / (1 + 1))


def test_the_check_is_not_run_for_replicates_that_are_the_data():
    t, groups, y = _tiny()
    t = np.append(t, [24.0, 24.0])
    y = np.append(y, [0.0, 0.0])
    groups = np.append(groups, ["A", "B"])
    flat = (0.0, 0.0, 1.0)
    c = near_claim(t, y, flat, np.tile(y, (3, 1)), np.ones((3, 8)), np.tile(flat, (3, 1)), hours=24.0,
                   level=0.9, drawn=False, groups=groups)
    assert c.n_photos == 2 and math.isnan(c.misfit_p)
    drawn = near_claim(t, y, flat, np.tile(y, (3, 1)), np.ones((3, 8)), np.tile(flat, (3, 1)), hours=24.0,
                       level=0.9, groups=groups)
    assert math.isfinite(drawn.misfit_p) and math.isfinite(drawn.misfit_f)


def test_misses_reads_either_check():
    base = NearClaim(3, (18.0, 30.0), 1.0, 0.5, 0.5, 0.5, (0.8, 1.2))
    assert not base.misses()
    assert replace(base, misfit_p=MISFIT_ALPHA / 2).misses()
    assert not replace(base, misfit_p=MISFIT_ALPHA / 2).gap_misses()
    assert not replace(base, misfit_p=MISFIT_ALPHA * 2).misses()
    assert replace(base, p_value=NEAR_CLAIM_ALPHA / 2).misses()
    # no photo near 24 h: nothing to read instead of the curve, whatever the residuals say
    assert not replace(base, n_photos=0, misfit_p=0.0).misses()


def _bench_study(truth: str, schedule: str, study: int):
    """One study of bench/bench_decay_misspecified.py (its table, its fit, the population truth at 24 h)."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
    import bench_decay_misspecified as bench

    rng = np.random.default_rng(np.random.SeedSequence(
        [bench.SEED, list(bench.SCHEDULES).index(schedule), list(bench.TRUTHS).index(truth), study]))
    times, n_subjects = bench.SCHEDULES[schedule]
    tab = bench.simulate_table(rng, truth, times, n_subjects).drop(columns="own_24h")
    return analyze_series(tab, per_subject=False, seed=study).fits[0], bench.population_change(truth, 24.0)


@pytest.mark.parametrize("study", [0, 52, 60, 72])
def test_a_plateau_whose_curve_passes_under_the_24_h_photos_reads_them(study):
    """Plateau to 30 h then a linear drop (a shape no fitted model has), 3 subjects on the demo's times: in
    these tuning studies of the bench the photos at 24 h lie within the gap check's reach (p >= 0.05), but
    the curve's per-time misses exceed the photos' scatter; the 24 h figure is then the photos', whose
    95 % CI covers the population's 1.72 mm where the curve's did not."""
    from facemetrics.decay.model import decay_model

    fit, truth = _bench_study("plateau_drop", "demo x3", study)
    near = fit.near_claim
    assert near.p_value >= NEAR_CLAIM_ALPHA and near.misfit_p < MISFIT_ALPHA and near.misfit_f > 3
    assert fit.change_24h_source == "photos_18_30h" and fit.verdict == PERSISTS
    assert fit.reason.startswith("The fitted curve misses the photos' means at their times"), fit.reason
    # a shared schedule: its photo times are exact, not bins of different times (tests/test_decay_jitter.py)
    assert not near.misfit_times_merged and "than the photos at one time scatter" in fit.reason, fit.reason
    from figures import figures_without_uncertainty

    assert not figures_without_uncertainty(fit.reason), fit.reason  # the curve's unread figure with its CI too
    assert "the curve's change at 24 h" in fit.reason
    assert fit.change_24h == pytest.approx(near.data_change)
    assert fit.change_24h_ci_low <= truth <= fit.change_24h_ci_high
    bp = fit.boot_params
    lo, hi = np.quantile(decay_model(24.0, bp[:, 0], bp[:, 1], bp[:, 2]), [0.025, 0.975])
    assert not lo <= truth <= hi  # the curve's interval missed it


def test_the_models_own_fade_is_not_called_misfit():
    """The model's own 3 h fade, 3 subjects on the demo's times (the bench's first eight tuning studies):
    the lack-of-fit check never fires, so the curve's verdict and figures stand."""
    for study in range(0, 16, 2):
        fit, _ = _bench_study("model_3h", "demo x3", study)
        assert not fit.near_claim.misfit(), (study, fit.near_claim.misfit_p)
        assert fit.change_24h_source == "curve"


def test_nothing_to_fade_with_no_photo_near_24_h_asks_for_no_photo_at_24_h():
    """A flat series with no photo at 18-30 h reads "nothing to fade": a photo at 24 h cannot give it an initial
    change, so the sentence does not ask for one (it did to the placebo and rf users of docs/validation.md §12,
    Round 13); a fading series with the same times still does."""
    flat = analyze_series(table(lambda t: 0.0 * t, NO_24_TIMES, 1, sd_between=0.03, sd_within=0.03),
                          per_subject=False, n_boot=200, seed=1).fits[0]
    assert flat.verdict == "inconclusive" and flat.change_24h_source == "curve_unchecked", flat.reason
    assert "nothing to fade" in flat.reason and "the 24 h figure is the fitted curve's, not measured." in flat.reason
    assert "24 h after a treatment" not in flat.reason
    fading = analyze_series(table(lambda t: 2.0 * np.exp2(-t / 3.0), NO_24_TIMES, 0, sd_between=0.03,
                                  sd_within=0.03), per_subject=False, n_boot=200, seed=0).fits[0]
    assert "a photo about 24 h after a treatment would check it" in fading.reason
