"""decay.flow_outliers: a flow-only photo is flagged only when it stands out from the curve of the other photos
(docs/validation.md §16).  The truth is a linear fade to 0 at 10 h, not the decay model's exponential."""

import math

import numpy as np
import pandas as pd
import pytest

from facemetrics.batch.flow_read import flow_reason
from facemetrics.decay.flow_outliers import (FLOW_OUTLIER_K, INSUFFICIENT, UNCHECKED, flow_checks,
                                             flow_photo_residuals)

TIMES = [0.25, 0.5, 1, 2, 4, 8, 12, 24, 48]
EARLY = ["p0.25h.jpg", "p0.5h.jpg", "p1h.jpg"]  # a lift's own flow-only photos: the peak


def _series(times=TIMES, bump_at=None, bump=0.0, seed=0):
    rng = np.random.default_rng(seed)
    truth = [2.0 * max(0.0, 1 - t / 10.0) for t in times]
    rows = pd.DataFrame(dict(subject="s1", treatment="tx", hours_since_treatment=times, metric="mouth_corner_lift_mm",
                             side="mean", value=np.array(truth) + rng.normal(0, 0.05, len(times)), unit="mm",
                             noise_floor=0.3, verdict="lift", photo=[f"p{t:g}h.jpg" for t in times]))
    if bump_at is not None:
        rows.loc[rows.hours_since_treatment == bump_at, "value"] += bump
    return rows


def test_k_is_the_measured_choice():
    assert FLOW_OUTLIER_K == 1.5


def test_a_lifts_own_flow_photos_on_the_curve_are_not_flagged():
    (c,) = flow_checks(_series(), EARLY, n_boot=50)
    assert c.verdict == "fades_within_a_day"
    assert c.flagged == () and c.verdict_read == c.verdict and not c.changed
    assert all(p.ratio < FLOW_OUTLIER_K for p in c.photos) and len(c.photos) == 3


def test_a_smiling_photo_at_1h_is_flagged_and_the_verdict_without_it_named():
    # +1 mm on the 1 h photo (a smile): the fit with it reads inconclusive, without it the true 'fades'
    (c,) = flow_checks(_series(bump_at=1, bump=1.0), EARLY, n_boot=50)
    assert c.verdict == "inconclusive"
    assert "p1h.jpg" in c.flagged
    assert c.verdict_without == "fades_within_a_day"
    assert c.verdict_read == "inconclusive"
    one = [p for p in c.photos if p.photo == "p1h.jpg"][0]
    assert one.ratio > 3 and one.stands_out and one.noise_floor == 0.3


def test_a_smiling_24h_photo_stands_out():
    rows = _series(bump_at=24, bump=0.9)
    (p,) = [p for p in flow_photo_residuals(rows, ["p24h.jpg"])]
    assert p.stands_out and p.ratio > 2
    assert abs(p.predicted) < 0.3  # the other photos say the lift is gone by 24 h


def test_no_fit_without_the_photo_means_it_does_not_stand_out_and_could_not_be_checked():
    # §17: in a series of exactly 6 fitted photos no rule met the ship bound; the photo is said, not passed
    rows = _series(times=[0.5, 1, 2, 8, 24, 48], bump_at=24, bump=2.0)  # 6 photos: 5 left, below MIN_PHOTOS
    (p,) = flow_photo_residuals(rows, ["p24h.jpg"])
    assert math.isnan(p.predicted) and math.isnan(p.ratio) and not p.stands_out
    assert not p.checked and p.check == UNCHECKED
    assert p.why == "only 5 other photos, too few for a fit without it: a fit needs 6"
    (c,) = flow_checks(rows, ["p24h.jpg"], n_boot=50)
    assert c.flagged == () and not c.changed and [q.checked for q in c.photos] == [False]


def test_a_row_without_a_noise_floor_could_not_be_checked():
    rows = _series(bump_at=24, bump=0.9)
    rows.loc[rows.photo == "p24h.jpg", "noise_floor"] = float("nan")
    (p,) = flow_photo_residuals(rows, ["p24h.jpg"])
    assert not p.stands_out and not p.checked and p.why == "no noise floor"
    (q,) = flow_photo_residuals(_series(bump_at=24, bump=0.9), ["p24h.jpg"])
    assert q.checked and q.why == "" and q.stands_out


def test_too_few_photos_left_without_the_flagged_ones_is_said_so():
    # 7 photos, two smiles (+1 mm at 1 h and 24 h) standing out: 5 left, no fit; the reason says why, not a verdict
    rows = _series(times=[0.5, 1, 2, 4, 8, 24, 48], bump_at=1, bump=1.0)
    rows.loc[rows.hours_since_treatment == 24, "value"] += 1.0
    (c,) = flow_checks(rows, ["p1h.jpg", "p24h.jpg"], n_boot=50)
    assert c.flagged == ("p1h.jpg", "p24h.jpg") and c.verdict_without == INSUFFICIENT
    assert c.verdict_read == "inconclusive"
    assert "without them the series has too few photos left for a fit (need at least 6)" in flow_reason(c)


def test_uncertain_rows_and_other_photos_are_not_candidates():
    rows = _series(bump_at=24, bump=0.9)
    rows.loc[rows.photo == "p24h.jpg", "verdict"] = "uncertain"
    assert flow_photo_residuals(rows, ["p24h.jpg"]) == ()
    assert flow_checks(rows, ["nope.jpg"], n_boot=50) == ()


@pytest.mark.parametrize("k", [0.5, 10.0])
def test_k_sets_what_stands_out(k):
    (p,) = flow_photo_residuals(_series(bump_at=24, bump=0.9), ["p24h.jpg"], k=k)
    assert p.stands_out is (p.ratio > k)
    assert p.stands_out is (k == 0.5)


def test_the_verdicts_compared_are_read_with_the_users_margin():
    """The lead (stop 57, e6's note): §16's refits read their verdicts with the default margin whatever
    ``min_effect`` the fits were given, so the rule compared verdicts the table does not show.  A 2 mm lift
    read with a 3 mm margin has nothing to fade; the rule's verdict is the table's."""
    from facemetrics.decay import analyze_series

    rows = _series()
    table = analyze_series(rows, min_effect=3.0, n_boot=50, seed=0, per_subject=False).pooled()[0]
    (c,) = flow_checks(rows, EARLY, n_boot=50, seed=0, min_effect=3.0)
    (d,) = flow_checks(rows, EARLY, n_boot=50, seed=0)
    assert d.verdict == "fades_within_a_day" and table.verdict != d.verdict  # the margin matters here
    assert c.verdict == table.verdict and c.verdict_read == table.verdict
