"""The lack-of-fit check on photo times that are not shared (facemetrics.decay.near_claim.photo_time_bins, stop 40),
and the shape test that needs no repeat photos (facemetrics.decay.near_claim.shape_test).

Real users photograph at 08:03, 08:41, 13:17 ...: no two subjects' times are equal.  Synthetic change tables
only (bench/bench_decay_jitter.py's simulator: bench/bench_decay_misspecified.py's truths and noise, each photo
20-60 min off its nominal time).
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np
import pytest

from facemetrics.decay import PERSISTS, analyze_series
from facemetrics.decay.near_claim import (MISFIT_ALPHA, MISFIT_BIN_RATIO, NEAR_CLAIM_ALPHA, SHAPE_ALPHA, misfit_run,
                                          photo_time_bins, shape_test, times_merged)

DEMO_TIMES = (0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 12.0, 24.0, 48.0)


def test_a_shared_schedule_keeps_its_times_as_bins():
    """Every subject at the same hours: no bin can take two photos of one subject, so the bins are the times
    themselves (the check of stop 39, unchanged), whatever the ratio."""
    t = np.tile(DEMO_TIMES, 3)
    groups = np.repeat(["A", "B", "C"], len(DEMO_TIMES))
    expected = np.unique(t, return_inverse=True)[1]
    for ratio in (1.0, MISFIT_BIN_RATIO, 10.0):
        assert photo_time_bins(t, groups, ratio=ratio).tolist() == expected.tolist()


def test_jittered_times_fall_into_their_nominal_bins():
    """Three subjects 20-60 min off 8, 12 and 24 h (A early at 8 h, B late at 12 h: 9.0 and 11.0 h lie closer to
    each other than to their own times' other photos): the bins are the nominal times, since A's (and B's)
    own photos are never one time."""
    t = np.array([9.0, 7.5, 7.0, 11.5, 11.0, 13.0, 23.4, 24.9, 24.3])
    groups = ["A", "B", "C"] * 3
    assert photo_time_bins(t, groups, ratio=2.0).tolist() == [0, 0, 0, 1, 1, 1, 2, 2, 2]
    # equal times only (ratio 1): every photo its own time, as before stop 40
    assert np.unique(photo_time_bins(t, groups, ratio=1.0)).size == 9


def test_bins_do_not_span_more_than_the_ratio():
    """Two subjects with no common time: 1 h and 1.4 h may share a bin at ratio 2 ((1.4 + 0.25) / (1 + 0.25) =
    1.32), 1 h and 4 h may not (3.4)."""
    t = np.array([1.0, 1.4, 4.0])
    assert photo_time_bins(t, ["A", "B", "A"], ratio=2.0).tolist() == [0, 0, 1]
    assert photo_time_bins(np.array([1.0, 4.0]), ["A", "B"], ratio=2.0).tolist() == [0, 1]


def test_one_subjects_jittered_photos_give_no_check():
    t = np.array([0.3, 0.55, 1.1, 2.2, 4.5, 7.4, 12.6, 23.5, 48.9])
    y = np.where(t < 30, 2.0, 0.0)
    boot = np.tile([0.0, 2.0, 10.0], (5, 1))
    assert np.unique(photo_time_bins(t, ["A"] * t.size)).size == t.size
    assert all(map(math.isnan, misfit_run(t, y, (0.0, 2.0, 10.0), np.ones((5, 9)), np.ones((5, 9)), boot,
                                          groups=["A"] * t.size)))


def _jitter_study(truth: str, study: int, schedule: str = "demo x3 jit"):
    """One study of bench/bench_decay_jitter.py: its fit and the population truth at 24 h."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
    import bench_decay_jitter as bench

    mis = bench.mis
    base, jitter = bench.SCHEDULES[schedule]
    si, ti = list(mis.SCHEDULES).index(base), list(mis.TRUTHS).index(truth)
    rng = np.random.default_rng(np.random.SeedSequence([mis.SEED, si, ti, study]))
    jrng = np.random.default_rng(np.random.SeedSequence([mis.SEED, si, ti, study, 7]))
    times, n = mis.SCHEDULES[base]
    tab = bench.simulate_table(rng, jrng, truth, times, n, jitter).drop(columns="own_24h")
    return tab, analyze_series(tab, per_subject=False, seed=study).fits[0], mis.population_change(truth, 24.0)


@pytest.mark.parametrize("study", [0, 4, 72])
def test_the_check_fires_on_a_plateau_with_jittered_times(study):
    """Plateau to 30 h then a drop, 3 subjects, no two photo times equal (tuning studies of the bench whose
    photos at 24 h lie within the gap check's reach): the binned check fires and the 24 h figure is the
    photos', covering the population's 1.72 mm."""
    tab, fit, truth = _jitter_study("plateau_drop", study)
    assert tab["hours_since_treatment"].nunique() == len(tab)  # no time shared
    near = fit.near_claim
    assert near.p_value >= NEAR_CLAIM_ALPHA and near.misfit_p < MISFIT_ALPHA
    assert fit.change_24h_source == "photos_18_30h" and fit.verdict == PERSISTS
    assert fit.change_24h_ci_low <= truth <= fit.change_24h_ci_high
    # its photo times are bins of different times: the reason says "at about one time" (it said "at one time")
    assert near.misfit_times_merged
    assert "by more than the photos at about one time (different sessions' photo times up to 2 x apart counted as " \
           "one) scatter" in fit.reason, fit.reason


def test_times_merged_says_whether_a_bin_holds_different_times():
    """The lack-of-fit reason says "at about one time" only when a bin of photo_time_bins merged different
    times: not for a shared schedule, one subject's photos, or times too far apart to share a bin."""
    t = np.array([9.0, 7.5, 7.0, 11.5, 11.0, 13.0, 23.4, 24.9, 24.3])
    assert times_merged(t, ["A", "B", "C"] * 3)
    assert not times_merged(t, ["A", "B", "C"] * 3, ratio=1.0)  # equal times only
    assert not times_merged(t)  # one group: nothing merged
    assert not times_merged(np.tile(DEMO_TIMES, 3), np.repeat(["A", "B", "C"], len(DEMO_TIMES)))
    assert not times_merged(np.array([1.0, 4.0]), ["A", "B"]) and not times_merged(np.array([]))


def test_the_check_stays_quiet_on_the_models_own_fade_with_jittered_times():
    """The model's own 3 h fade, 3 subjects, jittered times (the bench's first eight tuning studies): the check
    is computed (the bins give it repeat photos) and never fires."""
    for study in range(0, 16, 2):
        _, fit, _ = _jitter_study("model_3h", study)
        assert math.isfinite(fit.near_claim.misfit_p), study
        assert not fit.near_claim.misfit(), (study, fit.near_claim.misfit_p)
        assert fit.change_24h_source == "curve"


# ------------------------------------------------------------------ the shape test (stage 3: no repeat photos needed)


def test_the_shape_test_sees_a_plateau_that_each_subject_reaches_at_its_own_level():
    """Three subjects on a plateau then a drop, each at its own baseline offset (0, +1, -1 mm): with each
    subject's own intercept the flat-then-falling curve fits almost exactly; the slow decline does not."""
    t = np.tile([0.5, 1, 2, 4, 8, 12, 24, 48.0], 3)
    groups = np.repeat(["A", "B", "C"], 8)
    offset = np.repeat([0.0, 1.0, -1.0], 8)
    rng = np.random.default_rng(3)
    y = np.where(t < 30, 2.0, 0.0) + offset + rng.normal(0, 0.05, t.size)
    params = (-8.0, 10.0, 200.0)
    curve = params[0] + params[1] * 2 ** (-t / params[2])
    yb = curve + rng.normal(0, 0.6, (200, t.size))
    d, p = shape_test(t, y, params, yb, np.ones_like(yb), np.tile(params, (200, 1)), groups=groups)
    d_pooled, _ = shape_test(t, y, params, yb, np.ones_like(yb), np.tile(params, (200, 1)))
    assert d > d_pooled and d > 5 and p < SHAPE_ALPHA


def test_the_shape_test_needs_four_photo_times():
    t = np.array([1.0, 1.0, 4.0, 4.0, 24.0, 24.0])
    boot = np.tile([0.0, 2.0, 10.0], (5, 1))
    assert all(map(math.isnan, shape_test(t, np.ones(6), (0.0, 2.0, 10.0), np.ones((5, 6)), np.ones((5, 6)), boot)))


@pytest.mark.parametrize("study", [2, 6, 8])
def test_one_subjects_plateau_is_read_from_its_24_h_photos(study):
    """One subject, a plateau then a drop (tuning studies of the bench whose 24 h photo is within the gap
    check's reach, and no repeat photos for the lack-of-fit check): the shape test fires, the 24 h figure is
    the photo's, and the sentence says why, each figure with its interval."""
    from figures import figures_without_uncertainty

    _, fit, _ = _jitter_study("plateau_drop", study, "demo x1")
    near = fit.near_claim
    assert near.p_value >= NEAR_CLAIM_ALPHA and math.isnan(near.misfit_p) and near.shape_p < SHAPE_ALPHA
    assert fit.change_24h_source == "photos_18_30h" and fit.verdict == PERSISTS
    assert fit.reason.startswith("The fitted curve fits the photos far worse than a curve that stays flat"), fit.reason
    assert not figures_without_uncertainty(fit.reason), fit.reason


@pytest.mark.parametrize("schedule", ["demo x1", "demo x3 jit"])
def test_the_shape_test_stays_quiet_on_the_models_own_fade(schedule):
    for study in range(0, 16, 2):
        _, fit, _ = _jitter_study("model_3h", study, schedule)
        assert math.isfinite(fit.near_claim.shape_p), study
        assert not fit.near_claim.shape_misses(), (study, fit.near_claim.shape_p)
        assert fit.change_24h_source == "curve"
