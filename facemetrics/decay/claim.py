"""Does a treatment effect fade within a day?  Bootstrap, verdict and the timeline table.

This module takes a tidy table of *changes* measured on photos, relative to
each subject's own pre-treatment baseline, fits the decay model of
:mod:`facemetrics.decay.model` to every treatment × metric × side, and
answers questions such as "does the microcurrent lift fade within a day,
while the RF lift lasts?".  It contains no image code, no plotting and no
file I/O (figures: :mod:`facemetrics.plots`).

The pieces it uses live beside it: the table's checks and cleaning
(:mod:`facemetrics.decay.inputs`), the parts of the bootstrap the regimen shares
(:mod:`facemetrics.decay.bootstrap`: random streams, percentile intervals, the mm scale's
error), the margin (:mod:`facemetrics.decay.margin`), the regimen slope
(:mod:`facemetrics.decay.regimen_slope`) and the sentences saying which rows a series left out
(:mod:`facemetrics.decay.left_out`).  Their public names, and the ones imported from here
before the split, are importable from this module too (:data:`__all__`).

Input table
-----------
One row per photo × metric × side, with columns

``subject`` (str)
    Subject identifier; the grouping factor (cluster) of the bootstrap.
``treatment`` (str)
    E.g. ``"microcurrent"``, ``"rf"``.
``hours_since_treatment`` (float, hours)
    Negative for pre-treatment (baseline) photos.
``metric`` (str)
    E.g. ``"jawline_lift_mm"``, ``"mouth_corner_lift_mm"``.
``side`` (str)
    ``"left"``, ``"right"`` or ``"mean"``.
``value`` (float, metric unit)
    Change versus the subject's baseline.
``unit`` (str)
    Unit of ``value`` (``"mm"``, ``""`` for unitless, ...).
``noise_floor`` (float, metric unit, optional)
    Measurement noise floor, e.g. the test-retest spread of the metric.
``calibration_source`` (str, optional)
    The mm scale the change was read in (:data:`CALIBRATION_SOURCES`: ``iris``,
    ``user_ipd``, ``user_mm_per_px``); blank or absent: ``iris``.

Uncertainty
-----------
Uncertainty comes from a bootstrap with a fixed seed:

* **cluster bootstrap** (resampling whole *subjects* with replacement,
  e.g. Field & Welsh 2007; Cameron, Gelbach & Miller 2008) for a pooled fit
  with at least 3 subjects, because photos of one subject are not
  independent;
* **residual bootstrap** (fitted values plus resampled, centred and
  degrees-of-freedom-inflated residuals) for per-subject fits and pooled fits
  with fewer than 3 subjects; each replicate also adds one resampled residual
  per session (subject × ``treated_at`` when the table has that column, one
  time written two ways being one session as in the batch's tables, else
  per subject) to all of that session's rows: the session's baseline photo
  has an error of its own that every change of the session shares and that
  the residuals cannot show.

In a unit the mm scale enters (``mm``, ``mm2``: :data:`SCALE_POWER`) every
replicate's values are also multiplied by one draw of the mm scale's own error
(:data:`SCALE_SD`, the iris calibration's 4.5 % at 1 SD: 2.5 % common to
everyone, 3.6 % per subject, 1 % per session; :func:`_scale_factors`): a scale
error multiplies every change of a session, so no residual shows it, and the
peak's 95 % interval of one subject read with photo jitter alone covered the
truth in 31 of 36 series on real faces without it, 36 of 36 with it
(``bench/bench_decay_coverage.py``, docs/validation.md section 8).  The cluster
design draws the common part only: its resampled subjects carry their own.
These are the iris scale's parts, for rows whose ``calibration_source`` is ``iris``
(or not given); a row read in the scale of a user-given IPD (``user_ipd``,
``--ipd-mm``) carries that IPD's 1.5 % per subject instead (``geometry.USER_IPD_SD``,
as the photo's ``mm_per_px_uncertainty_pct``; in the residual design only, the
cluster design's subjects carrying their own), and a row read in a scale the user
gave (``user_mm_per_px``, ``--mm-per-px``) none: that scale is taken as exact.
One factor shared by a whole series moves no half-life (a series multiplied by one
factor has the same one): the common and subject parts do not; the per-session part
can, where a series holds several sessions (the residual design draws a different
factor for each, 1 % at 1 SD, so the sessions' changes are rescaled against each other).

Each replicate minimises the same bounded least-squares criterion, solved by
variable projection (:func:`facemetrics.decay.model.profile_fit`).
Confidence intervals are percentile intervals, but for the half-life in the
residual design: one subject's 6-9 photos leave 3-6 residual degrees of freedom,
which no resampling of them shows, and the percentile interval held the true
half-life in 90 % of simulated one-subject studies (80 % in the worst cell) and
README's example in 81 of 100; there ``half_life_h_ci_*`` is the profile-likelihood
(F) interval (:func:`facemetrics.decay.half_life_ci.profile_interval`; 95 % on
held-out simulated studies, 92 of 100 for README's example; docs/validation.md
section 7, "Stop 63").  With few subjects the
percentile cluster bootstrap is somewhat too narrow (it ignores the (G-1)/G
small-sample factor and sees little of the photo-to-photo noise), so below :data:`TWO_STAGE_BELOW_CLUSTERS` subjects the
replicates are **two-stage** (subjects resampled, then each replicate's
residuals resampled too; Davison & Hinkley 1997, sec. 3.8), which errs on the
wide side for the half-life (coverage 95-100 %, docs/validation.md section 7)
but not for the 24 h change: with 3 subjects and the pipeline's measured noise
(baseline error 0.156 mm, photo error 0.117 mm, no between-subject spread) its
95 % CI covered the truth in 82-85 % of 60 simulated studies (stop 27; adding
the residual design's per-session offset here too double-counts what the
subject resampling already sees: 98-100 %, and `fades` for a 3 h fade fell
from 58 to 36 of 60, so it is not added); treat intervals from 3-5 subjects
as indicative.

The 24 h claim test
-------------------
The claim "the effect fades within a day" is an *equivalence* claim about
the change 24 h after treatment, tested in the spirit of the two one-sided
tests (TOST) procedure of Schuirmann (1987): a level-α TOST rejects "the
change is at least ``delta`` in size" exactly when the (1 - 2α) confidence
interval lies inside (-delta, +delta).  With the default ``confidence=0.95``
(α = 0.025 per side for the reported two-sided 95 % CIs) the verdict uses
the **90 % bootstrap CI** of ``change_24h`` (``test_confidence = 2 ×
confidence - 1``), i.e. two one-sided tests at α = 0.05.  The margin is::

    delta = max(min_effect, noise_floor)      (metric unit; NaN noise_floor ignored)

where ``noise_floor`` is the median of the series' per-photo floors (a
typical comparison's; the largest grew with the number of photos), reported as ``smallest_meaningful_change``; ``min_effect`` defaults to the
value for the series' unit in :data:`MIN_EFFECT` (0.3 mm for lifts, 0.84
for the fold-depth index).  Verdicts, checked in order:

1. ``inconclusive`` (status ``insufficient_data``, every estimate and CI NaN,
   no fit attempted) if the series has fewer than 6 photos, fewer than
   4 distinct times at or after treatment (t >= 0; photos of one session
   taken less than :data:`SAME_PHOTO_TIME_H`, 5 min, apart are one time: a
   retake is no time of its own), or no photo at or after 12 h (one cannot
   speak about 24 h without data near it).
2. ``inconclusive`` (status ``fit_failed`` / ``bootstrap_failed`` /
   ``no_bootstrap`` / ``too_few_replicates``) if the fit failed, fewer than half
   of the bootstrap replicates could be fitted (a cluster replicate needs >= 3
   distinct times after treatment, counted so too), ``n_boot=0`` (point estimates only, CIs
   NaN), or fewer than :data:`MIN_VERDICT_REPLICATES` (50) replicates were
   fitted (CIs reported, no verdict; ``n_boot`` from 1 to 49 is refused, so
   only failed refits leave so few).
3. ``persists_beyond_a_day`` if the 90 % CI of ``change_24h`` lies entirely
   above ``+delta``, or entirely below ``-delta`` for a negative effect
   (e.g. sag).  This is the one-sided test at α = 0.05 of
   "|change at 24 h| > delta", the same level as each half of the TOST.
4. ``fades_within_a_day`` if the 90 % CI of ``change_24h`` lies entirely
   inside (-delta, +delta) **and** there was a real initial effect, seen in
   at least two photo times: the 95 % CI of the fitted change at the
   *second* photo time after treatment lies entirely beyond the margin
   (above +delta or below -delta).  Photo times closer than
   :data:`SAME_PHOTO_TIME_H` (5 min) to the first one are that photo time
   (a retake a minute later is not the second).  Not judged at ``peak_change`` (the
   model's t = 0, an extrapolation) nor at the first photo alone: a
   half-life at its lower bound fits one photo's noise exactly, and one
   subject with no effect read ``fades`` in 12 % of simulated studies
   (``bench/bench_claim.py``).
   Without such an effect there is "nothing to fade" and the verdict is
   ``inconclusive``.
5. ``inconclusive`` otherwise: the CI straddles a margin.
6. Then the curve is checked against the photos near 24 h (at 18-30 h:
   :mod:`facemetrics.decay.near_claim`): when their mean change differs from the curve's more than the
   bootstrap replicates' own gaps allow (two-sided p below :data:`~facemetrics.decay.near_claim.NEAR_CLAIM_ALPHA`,
   0.05), the decay model does not describe the series near 24 h, and rules 3-5 are applied to the
   mean change of those photos and its interval at the test level instead of the curve's (the
   ``reason`` begins "The fitted curve misses ..."; the ``change_24h*`` columns then carry that mean
   and its intervals, ``change_24h_source`` ``photos_18_30h``, so the figure beside the verdict is
   the one it was read from; the curve's value is in the ``reason``).
   Truths of another shape than the model's (an onset rising for 2 h, photos at 0, 1, 4, 24 h) read
   ``persists_beyond_a_day`` in 25 % of simulated studies without this rule
   (``bench/bench_decay_misspecified.py``, docs/validation.md section 10).
   The photos near 24 h are read so too when the curve's shape misses the photos' means at their
   times by more than the photos taken at one time scatter (a lack-of-fit test against the repeat
   photos, :func:`~facemetrics.decay.near_claim.misfit_run`, one-sided bootstrap p below
   :data:`~facemetrics.decay.near_claim.MISFIT_ALPHA`; the ``reason`` begins "The fitted curve misses the
   photos' means at their times ..."): a plateau then a drop, fitted by a slow decline passing under
   the 24 h photos, had its 95 % CI cover the truth in 48 % of simulated 3-subject studies.  It needs
   photos at one time from several subjects (or retakes; photos of different sessions within a factor
   :data:`~facemetrics.decay.near_claim.MISFIT_BIN_RATIO` of each other count as one time,
   :func:`~facemetrics.decay.near_claim.photo_time_bins`, since real photo times are seldom shared) and
   replicates drawn from the curve (fewer than 10 subjects, or the residual design).  And when a curve
   that stays flat, then falls (log-logistic, each subject's own intercept) fits the series far better than
   the decay model (:func:`~facemetrics.decay.near_claim.shape_test`, one-sided bootstrap p below
   :data:`~facemetrics.decay.near_claim.SHAPE_ALPHA`; the ``reason`` begins "The fitted curve fits the photos
   far worse than a curve that stays flat, then falls ..."), which needs no repeat photos: a plateau then
   a drop (3 subjects, the demo's times) had its 95 % CI cover the truth in 57-60 % of held-out simulated
   studies without it, 68-70 % with it; one subject's was read from its 24 h photo in 88-90 %
   (``bench/bench_decay_jitter.py``, docs/validation.md section 10).
7. A series with no photo at 18-30 h cannot be checked so: its 24 h figure is the curve's
   extrapolation (``change_24h_source`` ``curve_unchecked``).  When its photo time nearest 24 h lies
   more than :data:`~facemetrics.decay.near_claim.FAR_FROM_CLAIM_H` from 24 h the verdict is
   ``inconclusive``; otherwise the curve's verdict stands.  Either way the ``reason`` says that no
   photo lies at 18-30 h, that the 24 h figure is the curve's and not measured, and to take a photo
   about 24 h after a treatment (docs/validation.md section 10).
8. The photos after a day (at or after :data:`~facemetrics.decay.late_photos.LATE_AFTER_H`, 36 h) are
   checked against the curve too (:mod:`facemetrics.decay.late_photos`): a photo time beyond the margin
   that the curve misses (two-sided bootstrap p below :data:`~facemetrics.decay.late_photos.LATE_ALPHA`),
   or beyond the margin on the side opposite the fitted peak (its 95 % interval excluding 0: the face went
   past its before photos after the lift), does not follow the model's shape; the ``lasting`` figure and
   its interval are then withheld (NaN; the curve is still drawn with the fitted value) and the ``reason``
   ends "... after a day the change does not follow the fitted shape ..., so the lasting level is not
   shown".  The verdict and the ``change_24h*`` figures are not changed: they are read at 24 h (rules 3-7).
   On simulated first sessions (3 subjects) a dip below baseline at 48 h was caught in 45-75 % of studies,
   a delayed return seen by the next session's before photo in 5-70 %, the model's own and monotone shapes
   in at most 5 % of any cell (tuning half; up to 10 % held out; docs/validation.md section 23).  A series of
   one subject needs p below :data:`~facemetrics.decay.late_photos.LATE_ALPHA_ONE` (0.01), and the opposite
   side counts there only with p below 0.10 (stop 58, section 23b: the shipped check fired on up to 15-25 %
   of one subject's monotone studies; now at most 5 %, one subject's dips caught in about 5 %).

The ``reason`` column always says which rule applied, in a full sentence; a time axis that looks
like days (or weeks, minutes) rather than hours adds a "Check the time unit" sentence
(:mod:`facemetrics.decay.time_unit`: the capture times ``taken_at`` disagree with
``hours_since_treatment`` by that unit's factor, or, without them, a ``fades_within_a_day`` fit
whose times are all whole numbers from 1 to 31); when a
``min_effect`` given by the user is smaller than the noise floor, so that the
floor is the margin, a last sentence says so ("Margin ±0.40 mm: the series'
noise floor, larger than the min_effect (--min-effect) of 0.1 mm given.").

References
----------
Schuirmann, D. J. (1987). A comparison of the two one-sided tests procedure
and the power approach for assessing the equivalence of average
bioavailability. *Journal of Pharmacokinetics and Biopharmaceutics*, 15(6),
657-680.

Field, C. A., & Welsh, A. H. (2007). Bootstrapping clustered data. *Journal
of the Royal Statistical Society B*, 69(3), 369-390.

Cameron, A. C., Gelbach, J. B., & Miller, D. L. (2008). Bootstrap-based
improvements for inference with clustered errors. *Review of Economics and
Statistics*, 90(3), 414-427.

Davison, A. C., & Hinkley, D. V. (1997). *Bootstrap Methods and their
Application*. Cambridge University Press, sec. 3.8 (hierarchical data).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Callable, Iterable

import numpy as np
import pandas as pd

from .._version import __version__
from ..errors import check_flag
from ..reprs import short_repr
from ..schema import REGIMEN_COLUMNS
from ..schema import TIMELINE_COLUMNS as COLUMNS
from .bootstrap import (
    MIN_CLUSTERS,
    MIN_VERDICT_REPLICATES,
    SCALE_POWER,
    SCALE_SD,
    check_settings,
    _ci,
    _group_rng,
    _scale_factors,
)
from . import carryover as _carryover
from .carryover import FollowOn, first_session_rows, follow_on_sentence, follow_on_sessions, session_order
from .inputs import (
    BLANK_SUBJECT,
    BLANK_TREATMENT,
    CALIBRATION_SOURCES,
    UNREAD_VERDICTS,
    _at_two_times,
    _labels,
    _repeated,
    _session_keys,
    _session_texts,
    _sources,
    _unread_rows,
    _usable,
    labels_or,
    validate_changes,
)
from .left_out import _nothing_to_fit, _with_repeated, _with_retimed, _with_unread
from .margin import INCONCLUSIVE, MIN_EFFECT, check_min_effect, _floor_and_margin, min_effect_for
from .model import (
    HALF_LIFE_BOUNDS,
    DecayParams,
    SeriesError,
    decay_model,
    default_amplitude_bound,
    default_half_life_bounds,
    fit_decay,
    profile_fit,
)
from . import near_claim as nc
from .near_claim import NEAR_CLAIM_FRACTION, NearClaim, near_claim
from .late_photos import LateTime, late_photos, off_curve
from .half_point import (HALF_POINT_FIELDS, half_point, half_point_ci, largest_beyond_noise, largest_mean, peak_time,
                         photo_sign, times_reaching, unimodal_sd_df)
from .half_life_ci import profile_interval
from .time_unit import time_unit_note
from ..timekeys import date_alone
from .regimen_slope import CUMULATIVE, MIN_REGIMEN_DAYS, NO_CUMULATIVE, analyze_regimen, regimen_levels
from ..listing import join_words
from .wording import change_unit, ci_range, effect_noun, hours_text, num, percent, quantity, raised_margin_note
from .wording import METRIC_ORDER, metric_rank  # the series' order (decay.regimen_slope reads it too)

__all__ = [
    "COLUMNS",
    "CUMULATIVE",
    "FADES",
    "INCONCLUSIVE",
    "METRIC_ORDER",
    "MIN_EFFECT",
    "MIN_VERDICT_REPLICATES",
    "NO_CUMULATIVE",
    "PERSISTS",
    "REGIMEN_COLUMNS",
    "DecayFit",
    "FollowOn",
    "SeriesError",
    "SeriesResult",
    "analyze_regimen",
    "analyze_series",
    "decay_resolved",
    "peak_resolved",
    "HALF_LIFE_SPAN",
    "unresolved_span",
    "LASTING_WITHHELD",
    "LASTING_WITHHELD_CELL",
    "lasting_withheld",
    "FIT_FIGURES",
    "FIGURES_LEFT_OUT",
    "FITTED_WITHOUT",
    "labels_or",
    "min_effect_for",
    "validate_changes",
    # moved to .inputs, .bootstrap, .margin and .regimen, still importable from here (the rest of the
    # package, the app, bench/ and tests/ import them so); set SCALE_SD on .bootstrap, which reads it
    "BLANK_SUBJECT",
    "BLANK_TREATMENT",
    "CALIBRATION_SOURCES",
    "MIN_CLUSTERS",
    "MIN_REGIMEN_DAYS",
    "SCALE_POWER",
    "SCALE_SD",
    "UNREAD_VERDICTS",
    "regimen_levels",
    "_at_two_times",  # tests/test_series.py imports it from here
]


# --------------------------------------------------------------------------
# constants
# --------------------------------------------------------------------------


#: verdict: the 24 h change is inside the equivalence margin after a real peak
FADES = "fades_within_a_day"
#: verdict: the 24 h change is beyond the margin
PERSISTS = "persists_beyond_a_day"


#: hours after treatment at which the claim is tested (the claim under test says "within a day")
CLAIM_HOURS = 24.0
#: minimum number of photos (rows, baseline included) for a fit: twice the model's 3 parameters,
#: so the residual bootstrap keeps >= 3 degrees of freedom (its inflation sqrt(n / (n - 3)) <= 1.42)
MIN_PHOTOS = 6
#: minimum number of distinct times at or after treatment for a fit: the 3 parameters plus one
#: time to check them against (with 3 times any 3-parameter curve fits exactly); retakes count once
#: (times of one session closer than SAME_PHOTO_TIME_H are one photo time, :func:`_photo_moments`)
MIN_TIMES = 4
#: a photo at or after this many hours is required to speak about 24 h: half of CLAIM_HOURS, so
#: the change at 24 h is never extrapolated beyond twice the last photo's time
MIN_LAST_HOURS = 12.0
#: photo times after treatment closer than this (h, 5 min) to the first one are that photo time
#: for the initial-effect rule (rule 4, :func:`_second_photo_time`): a retake a minute later
#: (+0.02 h) is no second look at the effect, it shares the first photo's moment, pose and light
#: (a retake is taken within a minute or two; the simulated studies' photo times are >= 15 min apart).
#: Within one session, the same rule counts the distinct times of MIN_TIMES and MIN_SUBJECT_TIMES
#: (:func:`_photo_moments`): two photo times each retaken 3 times were 8 "distinct times"
SAME_PHOTO_TIME_H = 5 / 60
#: a subject gets its own fit with at least this many distinct times after treatment, retakes counted
#: once as for MIN_TIMES (MIN_TIMES + 1: one more than the least a pooled fit needs, since one person's
#: photos are noisier)
MIN_SUBJECT_TIMES = 5
#: below this many subjects the cluster bootstrap also resamples residuals (two-stage;
#: Davison & Hinkley 1997, sec. 3.8; Cameron, Gelbach & Miller 2008 find the plain cluster
#: percentile bootstrap too narrow below about 10 clusters)
TWO_STAGE_BELOW_CLUSTERS = 10


#: a half-life whose 95 % CI's upper end is more than this multiple of its lower end is not resolved
#: (:func:`decay_resolved`): every decay docs/validation.md calls resolved spans <= 2.6x, every unresolved one
#: 1e3-1e4x; at 10x the transient's share at the second photo time is anywhere from nearly all to nearly none
#: (docs/validation.md, section 5, 2026-12-05)
HALF_LIFE_SPAN = 10.0

#: a half-life at most this multiple of its lower limit (``half_life_h_min``) counts as pinned there
#: (the profile search's relative precision is ~1e-4; 1 % leaves room for the grid)
PINNED = 1.01


_NAN = float("nan")

#: the hours after treatment whose photos check the curve (rules 6 and 7): 18-30 h
_NEAR_WINDOW_H = (CLAIM_HOURS * (1.0 - NEAR_CLAIM_FRACTION), CLAIM_HOURS * (1.0 + NEAR_CLAIM_FRACTION))

#: ``change_24h_source`` values (:class:`DecayFit`)
FROM_CURVE, FROM_PHOTOS, FROM_CURVE_UNCHECKED = "curve", "photos_18_30h", "curve_unchecked"
#: ``half_point_basis`` values (:class:`DecayFit`, :func:`_half_point_basis`): the half point read with the sign the
#: fitted curve and the photos share; with the photos' sign against the curve's (the fitted peak is then not quoted,
#: :func:`peak_resolved`; docs/validation.md section 26f); none, the photos showing no change as large as the
#: margin; none, the two signs differing and the photos' change not beyond their noise
BASIS_FIT, BASIS_PHOTOS, BASIS_NO_EFFECT, BASIS_SIGNS_DIFFER = "fit", "photos", "no_effect", "signs_differ"
#: ``half_point_basis`` of a change that reversed: the half point reads the photos' sign against the fitted peak's,
#: as :data:`BASIS_PHOTOS`, but the photos also show the fitted peak's sign, at two photo times or more and beyond
#: the margin and their noise (an early lift turned into a sag), so the peak is a figure of the photos and is shown
#: (docs/validation.md section 26h)
BASIS_REVERSED = "reversed"
#: ``half_point_basis`` of a :data:`BASIS_SIGNS_DIFFER` row whose photos show the fitted peak's sign as
#: :data:`BASIS_REVERSED` asks (two photo times or more, beyond the margin and their noise): its peak is shown; on the
#: other :data:`BASIS_SIGNS_DIFFER` rows it is not (every one shown on a change that grew from nothing or faded had
#: the wrong sign; docs/validation.md section 26i)
BASIS_SIGNS_DIFFER_SHOWN = "signs_differ_shown"


def _row_float(r, key: str) -> float:
    try:
        return float(r[key])
    except (TypeError, ValueError, KeyError):
        return _NAN


def peak_resolved(r) -> bool:
    """False when the fit's half-life sits at the shortest it allows (``half_life_h_min``, half the
    first photo's time): the transient is then fitted to the first photo alone, and ``peak_change``,
    its extrapolation to t = 0, is not measured (a lasting 1.5 mm RF change read a "peak" of 3.53 mm,
    95 % CI 2.02-4.08, at a half-life of 0.5 h = its limit; series audit, 2026-12-03).  False also when the
    half point reads the photos' sign against the fitted curve's (``half_point_basis`` :data:`BASIS_PHOTOS`): a
    change that grew from nothing fits a peak of the opposite sign, "(peak -0.10 mm ...)" of a change that grew to
    +1.2 mm (docs/validation.md section 26f); and on a row whose curve and photos differ in sign with no half point
    (:data:`BASIS_SIGNS_DIFFER`, :func:`peak_unshown`), where every peak shown on a change that grew from nothing or
    faded had the wrong sign (section 26i).  ``r``: a timeline row (mapping); True when it lacks the columns
    (tables written before 0.2.3)."""
    if peak_against_photos(r) or peak_unshown(r):
        return False
    hl, hl_min = _row_float(r, "half_life_h"), _row_float(r, "half_life_h_min")
    return not (math.isfinite(hl) and math.isfinite(hl_min) and hl <= PINNED * hl_min)


def peak_against_photos(r) -> bool:
    """Whether a timeline row (mapping) has its fitted peak against the photos' sign (``half_point_basis``
    :data:`BASIS_PHOTOS`); False when it lacks the column (tables written before 0.2.44)."""
    try:
        return r.get("half_point_basis") == BASIS_PHOTOS
    except AttributeError:
        return False


def peak_unshown(r) -> bool:
    """Whether a timeline row (mapping) has its fitted curve and photos differing in sign, the photos' change not
    beyond their noise and the fitted peak's sign not shown by the photos at two photo times or more
    (``half_point_basis`` :data:`BASIS_SIGNS_DIFFER`; docs/validation.md section 26i); False when it lacks the
    column."""
    try:
        return r.get("half_point_basis") == BASIS_SIGNS_DIFFER
    except AttributeError:
        return False


def decay_resolved(r) -> bool:
    """False when a fit did not resolve a decay, so its half-life is only where the fit stopped and
    the split of the change into a lasting and a transient part is not identified (the change at
    24 h still is).  Any of:

    - the half-life's 95 % interval runs to the fit's upper bound (:data:`HALF_LIFE_BOUNDS`);
    - it has no width (every replicate stopped at one half-life: the app showed "0.5 h (95 % CI
      0.5-0.5 h)");
    - the half-life itself sits at its lower limit (:func:`peak_resolved`);
    - the interval reaches both the lower limit and the last photo's time: the photos exclude
      neither a transient gone before the first photo nor one not yet faded by the last ("801.6 h,
      95 % CI 0.1-1318.9 h" with photos to 48 h; series audit, 2026-12-03);
    - the half-life or its interval's upper end lies beyond the last photo's time (``last_time_h``): the
      photos do not exclude a transient not yet halved by the last photo, which a lasting change fits as
      well ("1986.1 h [14.6, 4433.1]", transient -2.63, lasting +2.10, photos to 336 h; demo audit,
      2026-12-05);
    - the interval's upper end is more than :data:`HALF_LIFE_SPAN` (10) times its lower end.

    ``r``: a timeline row (mapping) with ``half_life_h_ci_low`` and ``half_life_h_ci_high`` (and,
    since 0.2.3, ``half_life_h``, ``half_life_h_min`` and ``last_time_h``; rules needing a missing
    one are skipped)."""
    try:
        float(r["half_life_h_ci_high"])
    except (TypeError, ValueError, KeyError):
        return True
    return not (_unresolved_within_span(r) or unresolved_span(r))


def _unresolved_within_span(r) -> bool:
    """Rules 1-4 of :func:`decay_resolved` (the fit's bound, no width, pinned, both ends)."""
    hi, lo = _row_float(r, "half_life_h_ci_high"), _row_float(r, "half_life_h_ci_low")
    if math.isfinite(hi) and hi >= 0.99 * HALF_LIFE_BOUNDS[1]:
        return True
    if math.isfinite(lo) and math.isfinite(hi) and hi - lo <= 1e-3 * max(abs(hi), 1e-3):
        return True
    if not peak_resolved(r):
        return True
    hl_min, last = _row_float(r, "half_life_h_min"), _row_float(r, "last_time_h")
    return (math.isfinite(lo) and math.isfinite(hi) and math.isfinite(hl_min) and math.isfinite(last)
            and lo <= PINNED * hl_min and hi >= last)


#: :func:`unresolved_span`'s words for a half-life beyond the photos' span, and for one whose CI is too wide: the
#: half-life's own CI (``half_life_h_ci_*``, at the row's ``confidence``, 95 % by default; not the verdict's 90 %
#: CI of the 24 h change), written as every verdict writes a level (:func:`~facemetrics.decay.wording.percent`)
BEYOND_SPAN = "beyond the photos' span"
TOO_WIDE = f"{percent(0.95)} CI over {HALF_LIFE_SPAN:g}x wide"


def unresolved_span(r) -> str:
    """Why the last two rules of :func:`decay_resolved` hold a fit's half-life not resolved: :data:`BEYOND_SPAN`
    when the half-life or its CI's upper end (``half_life_h_ci_high``, at the row's ``confidence``, 95 % by
    default) lies beyond ``last_time_h``, :data:`TOO_WIDE` (its level the row's ``confidence``: "95% CI over 10x
    wide") when the CI's upper end is more than :data:`HALF_LIFE_SPAN` times its lower end, "" otherwise (also when the row lacks
    the columns, and when one of the first four rules holds it not resolved already).  ``r``: a timeline row (mapping).  report.md, timeline.png and the app word these as
    "not resolved (beyond the photos' span)"."""
    if _unresolved_within_span(r):  # an earlier rule says why
        return ""
    hl, lo, hi = (_row_float(r, k) for k in ("half_life_h", "half_life_h_ci_low", "half_life_h_ci_high"))
    last = _row_float(r, "last_time_h")
    if math.isfinite(last) and any(math.isfinite(v) and v > last for v in (hl, hi)):
        return BEYOND_SPAN
    if math.isfinite(lo) and math.isfinite(hi) and lo > 0 and hi > HALF_LIFE_SPAN * lo:
        level = _row_float(r, "confidence")  # the level of half_life_h_ci_* (a row without it: the default's)
        return TOO_WIDE if not 0 < level < 1 else f"{percent(level)} CI over {HALF_LIFE_SPAN:g}x wide"
    return ""


#: how rule 8's sentence in a fit's ``reason`` ends (:func:`_late_withheld`): the lasting level withheld because the
#: photos after a day do not follow the fitted curve
LASTING_WITHHELD = "so the lasting level is not shown"
#: report.md's ``lasting`` cell of such a fit, in place of "n/a [n/a, n/a]" (Round 18: the cell gave no reason; the
#: verdict's reason beside it gives the photos' figures)
LASTING_WITHHELD_CELL = "not shown: the photos after a day do not follow the curve"


def lasting_withheld(r) -> bool:
    """Whether a timeline row (mapping) has its lasting level withheld by rule 8 (:func:`_late_withheld`): no
    ``lasting`` figure and :data:`LASTING_WITHHELD` in its ``reason``."""
    reason = r.get("reason")
    return (isinstance(reason, str) and LASTING_WITHHELD in reason
            and not math.isfinite(_row_float(r, "lasting")))


# --------------------------------------------------------------------------
# results
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class DecayFit:
    """One fitted decay series and its 24 h verdict (one row of the timeline table).

    All changes are in the metric unit (``unit``), times in hours.  CIs are
    percentile bootstrap intervals at ``confidence`` (default 95 %);
    ``change_24h_test_ci_*`` is the interval at ``test_confidence`` (default
    90 %) used for the verdict.  Every estimate and CI is NaN when no fit
    was made (``fit_ok`` False); with ``n_boot=0`` only the CIs are NaN.

    Attributes
    ----------
    treatment, metric, side : str
        Group keys.
    subject : str or None
        Subject of a per-subject fit; None for the pooled fit.
    unit : str
        Unit of ``value`` (and of every change column).
    n_photos : int
        Photos (rows) used, baseline photos included.
    n_subjects : int
        Distinct subjects in the series.
    n_times : int
        Distinct times at or after treatment (t >= 0); photos of one session less than
        :data:`SAME_PHOTO_TIME_H` apart (retakes) are one time.
    last_time_h : float
        Latest photo, hours since treatment.
    half_life_h_min : float
        The shortest half-life the fit allows, hours (half the first photo's time after
        treatment: :func:`facemetrics.decay.model.default_half_life_bounds`).
    peak_change, peak_change_ci_low, peak_change_ci_high : float
        ``lasting + transient``: the model change at t = 0+.
    half_life_h, half_life_h_ci_low, half_life_h_ci_high : float
        Half-life of the transient part, hours.  Poorly determined (CI up to
        the bounds 0.05-5000 h) when the transient part is near 0.
    change_24h, change_24h_ci_low, change_24h_ci_high : float
        Model change 24 h after treatment.
    change_24h_test_ci_low, change_24h_test_ci_high : float
        ``test_confidence`` interval of ``change_24h`` used for the verdict.
    change_24h_source : str
        Where the ``change_24h*`` figures come from: ``curve`` (the fitted curve at 24 h, which agrees
        with the photos at 18-30 h), ``photos_18_30h`` (the mean change of the photos at 18-30 h, whose
        interval the verdict read: the curve misses them, rule 6), ``curve_unchecked`` (the curve at
        24 h with no photo at 18-30 h to check it against, rule 7), "" without a fit.
    n_photos_18_30h : int
        Photos (rows) taken 18-30 h after treatment: those rules 6 and 7 look at.
    lasting, lasting_ci_low, lasting_ci_high : float
        Part of the change that does not wear off.
    transient, transient_ci_low, transient_ci_high : float
        Part of the change that decays (halves every ``half_life_h``).  Like ``lasting``, not
        identified when no decay is resolved (:func:`decay_resolved`).
    smallest_meaningful_change : float
        Equivalence margin ``delta = max(min_effect, noise_floor)``.
    noise_floor : float
        Median ``noise_floor`` of the series' photos (NaN when not given).
    verdict : str
        ``fades_within_a_day``, ``persists_beyond_a_day`` or ``inconclusive``.
    reason : str
        A full sentence explaining the verdict.
    status : str
        ``ok``, ``insufficient_data`` (no fit made), ``fit_failed``,
        ``bootstrap_failed`` (too few replicates could be fitted),
        ``no_bootstrap`` (``n_boot=0``: point estimates only, CIs NaN) or
        ``too_few_replicates`` (fewer than :data:`MIN_VERDICT_REPLICATES`
        replicates: CIs reported, verdict ``inconclusive``) or ``no_margin``
        (a unit without a default smallest change, no noise floor and no
        ``min_effect``: CIs reported, verdict ``inconclusive``).
    fit_ok : bool
        Whether the model was fitted (point estimates are finite).
    rmse : float
        Root mean squared residual of the fit, metric unit.
    bootstrap : str
        ``cluster`` (subjects resampled), ``residual`` or ``none``.  Either design carries the mm
        scale's error as the rows' ``calibration_source`` says (:func:`_scale_factors`): the iris
        scale's parts, a user IPD's, or none for a scale given as mm per px (taken as exact).
    n_boot : int
        Bootstrap replicates that could be fitted.
    confidence, test_confidence : float
        Levels of the reported CIs and of the verdict CI.
    boot_params : numpy.ndarray or None
        Bootstrap estimates, shape (n_boot, 3): lasting, transient, half-life
        (hours).  Not part of the table; used by
        :func:`facemetrics.plots.plot_timeline`.
    half_point_h, half_point_h_ci_low, half_point_h_ci_high : float
        Hours at which the measured change fell to half its value at the first photo after treatment, read
        from the photos without assuming a shape, and its interval moved out to the photo times around it
        (:mod:`facemetrics.decay.half_point`); NaN: not reached by the last photo (``ci_high``: beyond it).
        When the change rose after the session, the half is of its value at the measured peak.
    half_point_peak_h : float
        Hours after treatment of the measured peak the half point is read from when the photos show that the
        change rose after the session (:func:`facemetrics.decay.half_point.peak_time`); NaN when it is read from
        the first photo after treatment, or with no half point interval.
    half_point_basis : str
        Which sign the half point reads (:func:`_half_point_basis`): :data:`BASIS_FIT`, :data:`BASIS_PHOTOS` (the
        fitted peak is then not quoted, :func:`peak_resolved`), :data:`BASIS_REVERSED` (the photos show both signs:
        the peak is quoted), or why there is none, :data:`BASIS_NO_EFFECT`, :data:`BASIS_SIGNS_DIFFER` (the peak is
        then not quoted) or :data:`BASIS_SIGNS_DIFFER_SHOWN` (the photos show the peak's sign: it is quoted); ""
        without a fit.
    near_claim : NearClaim or None
        The curve against the photos near 24 h (:mod:`facemetrics.decay.near_claim`, rule 6 of the
        module docstring), with the verdicts read from the curve and from those photos; None when
        no verdict was judged.  Not part of the table.
    """

    treatment: str
    metric: str
    side: str
    subject: str | None
    unit: str
    n_photos: int
    n_subjects: int
    n_times: int
    last_time_h: float
    half_life_h_min: float
    peak_change: float
    peak_change_ci_low: float
    peak_change_ci_high: float
    half_life_h: float
    half_life_h_ci_low: float
    half_life_h_ci_high: float
    change_24h: float
    change_24h_ci_low: float
    change_24h_ci_high: float
    change_24h_test_ci_low: float
    change_24h_test_ci_high: float
    lasting: float
    lasting_ci_low: float
    lasting_ci_high: float
    transient: float
    transient_ci_low: float
    transient_ci_high: float
    smallest_meaningful_change: float
    noise_floor: float
    verdict: str
    reason: str
    status: str
    fit_ok: bool
    rmse: float
    bootstrap: str
    n_boot: int
    confidence: float
    test_confidence: float
    boot_params: np.ndarray | None = field(default=None, repr=False, compare=False)
    near_claim: NearClaim | None = field(default=None, repr=False, compare=False)
    late_photos: tuple[LateTime, ...] = field(default=(), repr=False, compare=False)
    #: the fitted lasting level the curve is drawn with when ``lasting`` is withheld (section 23), metric unit
    curve_lasting: float = field(default=_NAN, repr=False, compare=False)
    change_24h_source: str = ""
    n_photos_18_30h: int = 0
    half_point_h: float = _NAN
    half_point_h_ci_low: float = _NAN
    half_point_h_ci_high: float = _NAN
    half_point_peak_h: float = _NAN
    half_point_basis: str = ""

    @property
    def facemetrics_version(self) -> str:
        """The version that fitted it (the table's provenance column)."""
        return __version__

    def __repr__(self) -> str:
        """The series' keys, status, verdict, half-life (h) and 24 h change with its interval (``unit``), the
        photos and times counted and the reason (cut short); every field is in :meth:`to_dict`
        (:mod:`facemetrics.reprs`)."""
        u = f"_{self.unit}" if self.unit else ""
        return short_repr(self, {
            "treatment": self.treatment, "metric": self.metric, "side": self.side, "subject": self.subject,
            "status": self.status, "verdict": self.verdict, "half_life_h": self.half_life_h,
            f"change_24h{u}": self.change_24h, f"change_24h_ci{u}": (self.change_24h_ci_low, self.change_24h_ci_high),
            "n_photos": self.n_photos, "n_times": self.n_times, "reason": self.reason})

    def to_dict(self) -> dict:
        """The table row: a dict with the keys of :data:`COLUMNS`, in that order."""
        return {name: getattr(self, name) for name in COLUMNS}

    def curve(self, hours, confidence: float | None = None):
        """Fitted curve and its pointwise bootstrap CI band.

        Parameters
        ----------
        hours : array_like
            Hours since treatment.
        confidence : float, optional
            Band level; default ``self.confidence``.

        Returns
        -------
        (fit, low, high) : tuple of numpy.ndarray
            Metric unit; NaN when there is no fit.
        """
        hours = np.asarray(hours, dtype=float)
        nan = np.full(hours.shape, np.nan)
        if not self.fit_ok:
            return nan, nan.copy(), nan.copy()
        lasting = self.lasting if math.isfinite(self.lasting) else self.curve_lasting
        fit = decay_model(hours, lasting, self.transient, self.half_life_h)
        bp = self.boot_params
        if bp is None or len(bp) == 0:
            return fit, nan.copy(), nan.copy()
        conf = self.confidence if confidence is None else confidence
        curves = decay_model(hours[None, :], bp[:, :1], bp[:, 1:2], bp[:, 2:3])
        q = (1.0 - conf) / 2.0
        low, high = np.quantile(curves, [q, 1.0 - q], axis=0)
        return fit, low, high


@dataclass(frozen=True)
class SeriesResult:
    """All fits of :func:`analyze_series`.

    Attributes
    ----------
    fits : tuple of DecayFit
        Pooled fit of every treatment × metric × side, each followed by its
        per-subject rows (a fit, or a row saying why the subject has none),
        sorted by treatment, metric, side.
    min_effect, confidence, n_boot, seed
        The settings used (``min_effect`` None: per unit, :data:`MIN_EFFECT`).
    status : str
        ``ok`` when at least one row of the table could be used (each fit then has its own
        ``status`` and ``reason``; a series all of whose rows read ``uncertain`` gets a no-fit row
        saying so); ``insufficient_data`` when no row could be used (``fits`` then holds only such
        no-fit rows, or none).
    reason : str
        "" when ``status`` is ``ok``; otherwise a full sentence saying why nothing was fitted
        (the table has no rows, none has a number for its time and value, every row read
        ``uncertain``, or a mix of these, with the counts).
    follow_on : tuple of FollowOn
        The sessions left out of a series' fits as follow-on sessions (begun while an earlier
        session of the same subject and treatment may still act: :mod:`facemetrics.decay.carryover`),
        one per session and series, in series order; each fit's ``reason`` names its own.
    """

    fits: tuple[DecayFit, ...]
    min_effect: float | None = None
    confidence: float = 0.95
    n_boot: int = 400
    seed: int = 0
    status: str = "ok"
    reason: str = ""
    follow_on: tuple[FollowOn, ...] = ()

    def __repr__(self) -> str:
        """The status, reason, settings, how many fits and their verdicts (counted); each fit is in ``fits``
        and :meth:`to_frame` (:mod:`facemetrics.reprs`)."""
        verdicts: dict[str, int] = {}
        for f in self.fits:
            verdicts[f.verdict] = verdicts.get(f.verdict, 0) + 1
        return short_repr(self, {"status": self.status, "reason": self.reason, "fits": len(self.fits),
                                 "pooled_fits": len(self.pooled()), "verdicts": verdicts,
                                 "follow_on": len(self.follow_on), "min_effect": self.min_effect,
                                 "confidence": self.confidence, "n_boot": self.n_boot, "seed": self.seed})

    def to_frame(self) -> pd.DataFrame:
        """The timeline table: one row per fit, columns :data:`COLUMNS` in order."""
        rows = [f.to_dict() for f in self.fits]
        frame = pd.DataFrame(rows, columns=list(COLUMNS))
        return frame

    def pooled(self) -> tuple[DecayFit, ...]:
        """The pooled fits (``subject is None``)."""
        return tuple(f for f in self.fits if f.subject is None)

    def get(self, treatment: str, metric: str, side: str = "mean", subject: str | None = None) -> DecayFit:
        """The fit for one treatment × metric × side (× subject).

        Raises
        ------
        KeyError
            If there is no such fit (the message lists the fits' treatment, metric and side).
        """
        for f in self.fits:
            if (f.treatment, f.metric, f.side, f.subject) == (treatment, metric, side, subject):
                return f
        fitted = sorted({(f.treatment, f.metric, f.side) for f in self.fits})
        shown = ", ".join(map(repr, fitted[:6])) + (", ..." if len(fitted) > 6 else "")
        raise KeyError(f"no fit for {(treatment, metric, side, subject)!r}; the fits are (treatment, metric, side) "
                       f"{shown or 'none'}")


# --------------------------------------------------------------------------
# the analysis of one series, step by step
# --------------------------------------------------------------------------


#: estimate and CI fields of a DecayFit (NaN when there is no fit)
_ESTIMATES = tuple(
    name for name in COLUMNS
    if (name.startswith(("peak_change", "half_life_h", "half_point_h", "change_24h", "lasting", "transient"))
        or name in ("rmse", "half_point_peak_h"))
    and name != "half_life_h_min"
)
#: the columns a fit fills (its estimates and CIs, :data:`COLUMNS`' order): NaN when no fit was made, and the
#: figures ``batch.before_read`` leaves empty in a row whose fit holds an odd before photo's session (§21b)
FIT_FIGURES = _ESTIMATES
#: the key of a timeline table's ``attrs`` under which ``batch.before_read`` lists the rows whose figures it left
#: empty (§21b): ``{(treatment, metric, side, subject): (before photo, ...)}``, ``subject`` "" for a pooled row, the
#: odd before photos of the sessions the row's fit holds; :func:`facemetrics.plots.plot_timeline` draws no curve for
#: such a pooled row and names them (a table without the key: the row's empty figures alone decide)
FIGURES_LEFT_OUT = "figures_left_out"
#: the key of a timeline table's ``attrs`` under which ``batch.before_read`` lists the pooled rows refitted without
#: odd before photos' sessions (§21, ``batch.before_read.pooled_without``): ``{(treatment, metric, side, ""): (before
#: photo, ...)}``; the row shows the refit's figures, not the fit's, so :func:`facemetrics.plots.plot_timeline`
#: draws no curve for it and its legend names the photos whose sessions the refit leaves out
FITTED_WITHOUT = "fitted_without"


def _series_facts(data: pd.DataFrame, *, treatment, metric, side, subject, min_effect, confidence) -> dict:
    """The DecayFit fields known before any fit: keys, unit, counts, noise floor and margin."""
    t = data["hours_since_treatment"].to_numpy(dtype=float)
    units = [u for u in pd.unique(data["unit"].astype(str)) if u and u.lower() != "nan"]
    if len(units) > 1:
        raise SeriesError(f"{treatment}/{metric}/{side}: mixed units {units}")
    unit = units[0] if units else ""
    noise_floor, delta = _floor_and_margin(data, unit, min_effect)
    return dict(
        treatment=treatment,
        metric=metric,
        side=side,
        subject=subject,
        unit=unit,
        n_photos=int(t.size),
        n_subjects=int(pd.unique(data["subject"].to_numpy()).size),
        n_times=_n_times(t, _photo_moments(data)),
        n_photos_18_30h=int(np.count_nonzero((t >= _NEAR_WINDOW_H[0]) & (t <= _NEAR_WINDOW_H[1]))),
        last_time_h=float(np.max(t)) if t.size else _NAN,
        half_life_h_min=float(default_half_life_bounds(t)[0]),
        smallest_meaningful_change=delta,
        noise_floor=noise_floor,
        confidence=float(confidence),
        test_confidence=float(2.0 * confidence - 1.0),
    )


def _photo_moments(data: pd.DataFrame) -> np.ndarray:
    """Each row's photo time (h, shape (n,)): its ``hours_since_treatment``, or for a retake the time of
    the photo it repeats.  Within one session (the subject and, where the table has it, ``treated_at``
    as the batch keys sessions, :func:`_session_keys`: :mod:`facemetrics.timekeys`' one rule), the times
    at or after treatment are taken in order, and each one closer than :data:`SAME_PHOTO_TIME_H`
    (5 min) to the first time of the current photo time gets that first time; the next one starts a new
    photo time (as :func:`_second_photo_time`).  Times before treatment, and times of other sessions,
    are kept as they are."""
    t = data["hours_since_treatment"].to_numpy(dtype=float)
    out = t.copy()
    sessions = pd.Series(data["subject"].astype(str).to_numpy() + "\x1f" + _session_keys(data))
    for rows in sessions.groupby(sessions.to_numpy(), sort=False).indices.values():
        post = rows[t[rows] >= 0]
        start = _NAN
        for i in post[np.argsort(t[post], kind="stable")]:
            if not t[i] < start + SAME_PHOTO_TIME_H:  # the first, or at least 5 min after the current one
                start = t[i]
            out[i] = start
    return out


def _n_times(t: np.ndarray, moments: np.ndarray) -> int:
    """Distinct photo times at or after treatment: distinct ``moments`` (:func:`_photo_moments`, h) of
    the rows whose time ``t`` (h) is at or after treatment (shapes (n,)); retakes count once."""
    return int(np.unique(moments[t >= 0]).size)


def _retake_note(n: int, t: np.ndarray) -> str:
    """The clause saying retakes were counted once (:func:`_photo_moments`) when ``t`` (h, shape (n,))
    holds more different times at or after treatment than the ``n`` counted, else ``""``."""
    if np.unique(t[t >= 0]).size <= n:
        return ""
    return f"photos of one session taken less than {SAME_PHOTO_TIME_H * 60:.0f} min apart count as one time"


#: the start of :func:`_analyze_one`'s reason for a series too small to fit (its ``missing`` list follows)
_TOO_FEW = "Too few data to test the 24 h claim, so no fit was made: "


def _missing_data(t: np.ndarray, moments: np.ndarray | None = None) -> list[str]:
    """Why the series ``t`` (hours) is too small to test the claim (empty when it is not); ``moments``:
    each row's photo time (:func:`_photo_moments`; default ``t``), whose distinct values are counted."""
    post_times = np.unique(t[t >= 0])
    n_times, n_photos = _n_times(t, t if moments is None else moments), int(t.size)
    missing = []
    if n_times < MIN_TIMES:
        note = _retake_note(n_times, t)
        missing.append(f"only {n_times} distinct time{'s' if n_times != 1 else ''} after treatment "
                       f"(need at least {MIN_TIMES}{'; ' + note if note else ''})")
    if n_photos < MIN_PHOTOS:
        missing.append(f"only {n_photos} photo{'s' if n_photos != 1 else ''} (need at least {MIN_PHOTOS})")
    if not (post_times.size and post_times[-1] >= MIN_LAST_HOURS):
        if post_times.size:
            missing.append(
                f"the last photo is at {hours_text(float(post_times[-1]))} "
                f"(need one at or after {MIN_LAST_HOURS:.0f} h to judge 24 h)"
            )
        else:
            missing.append("no photo after treatment")
    return missing


def _residual_draws(t, y, est: DecayParams, rng, n_boot: int, sessions: np.ndarray | None = None) -> np.ndarray:
    """Fitted values plus resampled, centred, degrees-of-freedom-inflated residuals, shape (n_boot, n).

    With ``sessions`` (integer codes, shape (n,)), each replicate also adds one offset per session,
    drawn from the same residual pool: every change of a session is read against its one baseline
    photo, whose own error is shared by all of them and is as large as one photo's error, yet leaves
    no trace in the residuals of a fit (one subject's 95 % CI of the 24 h change covered the truth in
    about half to three quarters of simulated studies without it; series audit, 2026-12-03)."""
    n = t.size
    fitted = est.change_at(t)
    resid = y - fitted
    resid = (resid - resid.mean()) * math.sqrt(n / max(n - 3, 1))
    draws = fitted[None, :] + resid[rng.integers(0, n, size=(n_boot, n))]
    if sessions is not None:
        n_sessions = int(sessions.max()) + 1
        draws = draws + resid[rng.integers(0, n, size=(n_boot, n_sessions))][:, sessions]
    return draws


def _replicates(t, y, subjects, est: DecayParams, *, pooled: bool, n_boot: int, rng, sessions=None, unit: str = "",
                moments=None, sources=None):
    """Bootstrap design: ``(method, values (B, n), weights (B, n), valid (B,))``.

    ``cluster`` for a pooled fit of >= MIN_CLUSTERS subjects (two-stage below
    TWO_STAGE_BELOW_CLUSTERS), ``residual`` otherwise, ``none`` for n_boot = 0.
    ``sessions``: one label per row (a subject's treatment session; the subject when not given);
    the residual design adds a baseline offset per session (:func:`_residual_draws`).  In a unit the
    mm scale enters (``unit``, :data:`SCALE_POWER`), every replicate's values are multiplied by its
    scale error (:func:`_scale_factors`): per replicate, subject and session in the residual design,
    the common part only in the cluster design, as each row's ``sources`` (its calibration source,
    :data:`CALIBRATION_SOURCES`; None: ``iris``) says.  ``moments``: each row's photo time (h; default ``t``),
    retakes at the time of the photo they repeat (:func:`_photo_moments`), whose distinct values a
    cluster replicate counts.
    """
    n = t.size
    n_subjects = int(pd.unique(subjects).size)
    if n_boot > 0 and pooled and n_subjects >= MIN_CLUSTERS:
        codes = pd.factorize(subjects)[0]
        draws = rng.integers(0, n_subjects, size=(n_boot, n_subjects))
        counts = np.zeros((n_boot, n_subjects))
        np.add.at(counts, (np.repeat(np.arange(n_boot), n_subjects), draws.ravel()), 1.0)
        w = counts[:, codes]
        if n_subjects < TWO_STAGE_BELOW_CLUSTERS:
            # two-stage bootstrap (subjects, then residuals within them; Davison & Hinkley 1997,
            # sec. 3.8): with few subjects, resampling subjects alone sees too little of the
            # photo-to-photo noise and gives too narrow intervals; this errs on the wide side
            yb = _residual_draws(t, y, est, rng, n_boot)
        else:
            yb = np.broadcast_to(y, (n_boot, n))
        # a replicate needs >= 3 distinct post-treatment times to identify 3 parameters (retakes count once)
        order = np.unique(t if moments is None else moments, return_inverse=True)[1]
        post_mask = t >= 0
        present = np.zeros((n_boot, order.max() + 1), dtype=bool)
        rows_b, cols_n = np.nonzero(w[:, post_mask] > 0)
        present[rows_b, order[post_mask][cols_n]] = True
        scale = _scale_factors(n_boot, rng, unit, sources=sources)
        return "cluster", (yb if scale is None else yb * scale), w, present.sum(axis=1) >= 3
    if n_boot > 0:
        codes = pd.factorize(pd.Series(subjects if sessions is None else sessions).astype(str))[0]
        yb = _residual_draws(t, y, est, rng, n_boot, sessions=codes)
        scale = _scale_factors(n_boot, rng, unit, pd.factorize(pd.Series(subjects).astype(str))[0], codes, sources)
        return "residual", (yb if scale is None else yb * scale), np.ones((n_boot, n)), np.ones(n_boot, dtype=bool)
    return "none", None, None, np.zeros(0, dtype=bool)


def _refit_replicates(t, yb, w, valid, bound, hl_bounds) -> tuple[np.ndarray, np.ndarray]:
    """Fit every valid replicate; returns the finite (lasting, transient, half_life) rows, read-only,
    and the indices of their replicates (rows of ``yb`` and ``w``)."""
    if valid.sum():
        idx = np.flatnonzero(valid)
        bl, bs, bh, _ = profile_fit(t, np.ascontiguousarray(yb[valid]), w[valid], bound, hl_bounds)
        boot = np.column_stack([bl, bs, bh])
        finite = np.all(np.isfinite(boot), axis=1)
        boot, idx = boot[finite], idx[finite]
    else:
        boot, idx = np.empty((0, 3)), np.zeros(0, dtype=int)
    boot.setflags(write=False)
    return boot, idx


def _estimates(est: DecayParams, boot: np.ndarray, confidence: float, test_conf: float) -> dict:
    """Point estimates and percentile CIs of the DecayFit fields."""
    b_peak = boot[:, 0] + boot[:, 1]
    b_24 = decay_model(CLAIM_HOURS, boot[:, 0], boot[:, 1], boot[:, 2])
    peak_ci = _ci(b_peak, confidence)
    c24_ci = _ci(b_24, confidence)
    c24_test = _ci(b_24, test_conf)
    transient_ci = _ci(boot[:, 1], confidence)
    return dict(
        peak_change=est.peak,
        peak_change_ci_low=peak_ci[0],
        peak_change_ci_high=peak_ci[1],
        half_life_h=est.half_life,
        half_life_h_ci_low=_ci(boot[:, 2], confidence)[0],
        half_life_h_ci_high=_ci(boot[:, 2], confidence)[1],
        change_24h=float(est.change_at(CLAIM_HOURS)),
        change_24h_ci_low=c24_ci[0],
        change_24h_ci_high=c24_ci[1],
        change_24h_test_ci_low=c24_test[0],
        change_24h_test_ci_high=c24_test[1],
        lasting=est.lasting,
        lasting_ci_low=_ci(boot[:, 0], confidence)[0],
        lasting_ci_high=_ci(boot[:, 0], confidence)[1],
        transient=est.transient,
        transient_ci_low=transient_ci[0],
        transient_ci_high=transient_ci[1],
        rmse=est.rmse,
    )


def _half_life_profile(t, y, est: DecayParams, bound: float, hl_bounds, confidence: float) -> dict:
    """The residual design's half-life interval: the profile-likelihood interval
    (:func:`facemetrics.decay.half_life_ci.profile_interval`) instead of the bootstrap's percentile interval, which
    is too narrow for one subject's few residual degrees of freedom (docs/validation.md section 7, "Stop 63")."""
    lo, hi = profile_interval(t, y, est.half_life, bound, hl_bounds, confidence)
    return dict(half_life_h_ci_low=lo, half_life_h_ci_high=hi)


def _half_point(t, y, est: DecayParams, method: str, w, data: pd.DataFrame, sessions, seed: int, key: tuple,
                confidence: float, margin: float = _NAN) -> dict:
    """``half_point_h`` and its interval (:mod:`facemetrics.decay.half_point`), drawn from a stream of their own
    (the fit's replicates are unchanged): the cluster design's subject weights ``w`` (B, n) and, below
    :data:`TWO_STAGE_BELOW_CLUSTERS` subjects, the fit's residuals; the residual design adds one per session.
    ``margin``: the row's ``smallest_meaningful_change`` (:func:`_effect_sign`, :func:`_peak_start`)."""
    rng = _group_rng(seed, (*key, "half_point"))
    resid = y - est.change_at(t)
    sign = _effect_sign(t, y, est, margin)
    basis = _half_point_basis(t, y, est, sign, margin)
    if not math.isfinite(sign):
        return {**dict.fromkeys(HALF_POINT_FIELDS, _NAN), "half_point_peak_h": _NAN, "half_point_basis": basis}
    start = _peak_start(t, y, est, sign)
    n_boot = w.shape[0]
    if method == "cluster":
        if int(pd.unique(data["subject"]).size) >= TWO_STAGE_BELOW_CLUSTERS:
            resid = np.zeros_like(resid)
        hp = half_point_ci(t, y, resid, sign, rng, n_boot, confidence, weights=w, start=start)
    else:
        keys = pd.Series(data["subject"].to_numpy() if sessions is None else sessions).astype(str)
        hp = half_point_ci(t, y, resid, sign, rng, n_boot, confidence, sessions=pd.factorize(keys)[0], start=start)
    rose = math.isfinite(hp[1]) and start > float(np.min(t[t >= 0]))
    return {**dict(zip(HALF_POINT_FIELDS, hp)), "half_point_peak_h": start if rose else _NAN, "half_point_basis": basis}


def _point_half(t, y, est: DecayParams, margin: float = _NAN) -> dict:
    """``half_point_h`` and ``half_point_peak_h`` without a bootstrap (``n_boot=0``): the same point and peak as
    :func:`_half_point`'s."""
    sign = _effect_sign(t, y, est, margin)
    basis = _half_point_basis(t, y, est, sign, margin)
    if not math.isfinite(sign):
        return {"half_point_h": _NAN, "half_point_peak_h": _NAN, "half_point_basis": basis}
    start = _peak_start(t, y, est, sign)
    return {"half_point_h": half_point(t, y, sign, start=start),
            "half_point_peak_h": start if start > float(np.min(t[t >= 0])) else _NAN, "half_point_basis": basis}


def _half_point_basis(t, y, est: DecayParams, sign: float, margin: float = _NAN) -> str:
    """``half_point_basis`` of a row whose half point :func:`_effect_sign` reads with ``sign`` (NaN: none):
    :data:`BASIS_FIT` when it is the fitted peak's, :data:`BASIS_PHOTOS` when it is the photos' against the fitted
    peak's, :data:`BASIS_REVERSED` when so but the photos also show the fitted peak's sign: their time means in that
    sign reach ``margin`` at two photo times or more (:func:`facemetrics.decay.half_point.times_reaching`) and the
    largest lies beyond the noise (:func:`_noise_sd_df` in that sign); an early lift of 0.8 mm turned into a sag of
    -1.2 mm was read ``photos`` and its peak of +0.99 mm hidden (docs/validation.md section 26h); with no half point,
    :data:`BASIS_NO_EFFECT` when the photos show no sign or their largest time mean
    (:func:`facemetrics.decay.half_point.largest_mean`) is below ``margin``, else :data:`BASIS_SIGNS_DIFFER` (the
    signs differ and the photos' change is not shown beyond their noise, or no margin was given to check it), or
    :data:`BASIS_SIGNS_DIFFER_SHOWN` when so but the photos show the fitted peak's sign as for
    :data:`BASIS_REVERSED` (its peak is then shown; section 26i)."""
    if math.isfinite(sign):
        fit = math.copysign(1.0, est.peak)
        if sign == fit:
            return BASIS_FIT
        return BASIS_REVERSED if _sign_shown(t, y, est, fit, margin) else BASIS_PHOTOS
    photos = photo_sign(t, y)
    if not math.isfinite(photos) or largest_mean(t, y, photos) < margin:
        return BASIS_NO_EFFECT
    return BASIS_SIGNS_DIFFER_SHOWN if _sign_shown(t, y, est, math.copysign(1.0, est.peak), margin) else BASIS_SIGNS_DIFFER


def _sign_shown(t, y, est: DecayParams, sign: float, margin: float) -> bool:
    """Whether the photos show ``sign``: their time means in it reach ``margin`` at two photo times or more and the
    largest lies beyond the noise (:func:`_noise_sd_df` in that sign; docs/validation.md sections 26h, 26i)."""
    return (times_reaching(t, y, sign, margin) >= 2
            and largest_beyond_noise(t, y, sign, *_noise_sd_df(t, y, est, sign)))


def _noise_sd_df(t, y, est: DecayParams, sign: float) -> tuple[float, float]:
    """One photo's noise SD (metric unit) and its degrees of freedom: the unimodal fit's residual SD
    (:func:`facemetrics.decay.half_point.unimodal_sd_df`), the decay fit's on ``n - 3`` when that leaves fewer than 2."""
    sd, df = unimodal_sd_df(t, y, sign)
    if not math.isfinite(sd):
        df = max(t.size - 3, 1)
        sd = math.sqrt(float(np.sum((y - est.change_at(t)) ** 2)) / df)
    return sd, df


def _effect_sign(t, y, est: DecayParams, margin: float = _NAN) -> float:
    """The sign the half point reads the change with (+1 an increase, -1 a decrease); NaN: no half point, no report
    line, no rise.  NaN when the row shows no effect: the photos' largest time mean in size
    (:func:`facemetrics.decay.half_point.largest_mean`, signed by :func:`facemetrics.decay.half_point.photo_sign`)
    below ``margin`` (the row's ``smallest_meaningful_change``; NaN: not checked).  Else the fitted peak's sign when
    the photos' agrees; when they differ, the photos' sign if that mean is beyond the noise
    (:func:`facemetrics.decay.half_point.largest_beyond_noise` on :func:`_noise_sd_df`), else NaN (always NaN
    with a NaN margin, as before stop 65, and with a margin of 0, ``min_effect=0`` on rows without a noise floor:
    it checks nothing, and the photos' sign without the check said more half points and rises of noise than stop
    64's rule, section 26e's candidate c; review r2).  A change that
    rises from 0 mm at the session fits a peak of the opposite sign: read with it, report.md said "fell to half by
    about 0.3 h" of a change that grew to 1.2 mm (docs/validation.md section 26d); saying nothing then left about two
    thirds of such studies without a half point, and a half point of a row with no effect was a half point of noise
    (the demo's nlf_depth lines; section 26e)."""
    sign = math.copysign(1.0, est.peak)
    photos = photo_sign(t, y)
    big = largest_mean(t, y, photos) if math.isfinite(photos) else _NAN
    if big < margin:
        return _NAN
    if photos == sign:
        return sign
    if not (big >= margin and margin > 0):  # a NaN or 0 margin checks nothing: stop 64's rule, no half point
        return _NAN
    return photos if largest_beyond_noise(t, y, photos, *_noise_sd_df(t, y, est, photos)) else _NAN


def _peak_start(t, y, est: DecayParams, sign: float) -> float:
    """The photo time the half point is read from (:func:`facemetrics.decay.half_point.peak_time`), its noise SD
    :func:`_noise_sd_df`'s: the decay fit's own includes its misfit of a rise,
    and said the rise in 3 of 180 simulated rise studies (1 and 3 subjects), the unimodal fit's in 86
    (docs/validation.md section 26); compared with Student's t on the SD's degrees of freedom (stop 64's review:
    the normal quantile said a rise on 5-9 % of one person's no-change series, docs/validation.md section 26b).
    The peak is the photo time with the largest mean, which :func:`_effect_sign` has checked against the margin, so
    a rise is said only where the row shows an effect (section 26e)."""
    return peak_time(t, y, sign, *_noise_sd_df(t, y, est, sign))


def _verdict(v: dict, *, metric: str, unit: str, delta: float, confidence: float, test_conf: float,
             early: tuple[float, float, tuple[float, float]], peak_ok: bool = True, first_h: float = math.nan):
    """The 24 h verdict and its sentence from the estimates ``v`` (rules 3-5 of the module docstring);
    ``early``: the second photo time after treatment (h), the fitted change there and its CI; ``first_h``: the
    first photo time after treatment (h; nan: not said), named beside the second so that "at 34.0 h" is not read
    as the first look (docs/validation.md section 12, Round 19's (iv));
    ``peak_ok`` False: the peak is an extrapolation of the first photo alone (:func:`peak_resolved`),
    so the sentence cites the fitted change at the second photo time instead."""
    peak, c24 = v["peak_change"], v["change_24h"]
    lo, hi = v["change_24h_test_ci_low"], v["change_24h_test_ci_high"]
    peak_ci = (v["peak_change_ci_low"], v["peak_change_ci_high"])
    at24 = (
        f"At 24 h the change is {quantity(c24, unit)} "
        f"({percent(test_conf)} CI {ci_range(lo, hi, unit)})"
    )
    margin = f"\u00b1{quantity(delta, unit)}"
    peak_ci_txt = f"{percent(confidence)} CI {ci_range(peak_ci[0], peak_ci[1], unit)}"
    # a real initial effect: seen in at least two photo times, i.e. the fitted change at the second
    # photo time after treatment lies, with its CI, entirely beyond the margin.  The peak at t = 0
    # is an extrapolation, and the first photo alone can be fitted exactly by a half-life at its
    # lower bound (t1 / 2): one subject with no effect and one noisy first photo read `fades` in
    # 12 % of studies (bench/bench_claim.py)
    t_seen, e1, (e_lo, e_hi) = early
    peak_real = e_lo > delta or e_hi < -delta
    if not peak_ok:
        peak_ci_txt = f"{percent(confidence)} CI {ci_range(e_lo, e_hi, unit)}"
    # the words follow the sign of the change (a negative change of a lift metric is a sag); a change whose
    # interval holds 0, or that prints as 0 at the sentence's two decimals, has no direction, so a metric
    # whose word has one says "change" (a lift series read "no clear initial sag ... 0.00 mm")
    noun = effect_noun(metric, e1 if math.isfinite(e1) and e1 != 0 else peak)
    if (e_lo <= 0.0 <= e_hi or num(e1) == num(0.0)) and effect_noun(metric, 1.0) != effect_noun(metric, -1.0):
        noun = "change"
    if lo > delta or hi < -delta:
        where = f"above the +{quantity(delta, unit)}" if lo > delta else f"below the {quantity(-delta, unit)}"
        late = effect_noun(metric, c24)
        what = (f"the {noun} has reversed into {'an' if late[0] in 'aeiou' else 'a'} {late} that persists beyond a day"
                if peak_real and (e1 > 0) != (c24 > 0) else f"the {late} persists beyond a day")
        first = (f"peak {quantity(peak, unit)}" if peak_ok
                 else f"{quantity(e1, unit)} at {hours_text(t_seen)}")
        return PERSISTS, (
            f"{at24}, entirely {where} margin "
            f"({first}, {peak_ci_txt}): {what}."
        )
    if -delta < lo and hi < delta:
        if peak_real:
            first = (f"a peak of {quantity(peak, unit)}" if peak_ok
                     else f"{quantity(e1, unit)} at {hours_text(t_seen)}")
            return FADES, (
                f"{at24}, inside the {margin} margin, after {first} ({peak_ci_txt}): "
                f"the {noun} fades within a day."
            )
        # a peak clear of 0 yet inside the margin (a low-current device's 0.12 mm lift: the figures show it, 10 of
        # 14 comparisons read `lift`) is not "no clear initial change": it is one too small for the margin
        # (docs/validation.md section 12, Round 20)
        small = (peak_ok and all(map(math.isfinite, (peak, *peak_ci)))
                 and (0.0 < peak_ci[0] and peak_ci[1] < delta or -delta < peak_ci[0] and peak_ci[1] < 0.0))
        seen = (f"the initial {noun}, a peak of {quantity(peak, unit)} ({peak_ci_txt}), is smaller than the margin, "
                f"too small to show fading" if small else f"there was no clear initial {noun} to fade")
        return INCONCLUSIVE, (
            f"{at24}, inside the {margin} margin, but {seen}: an initial "
            f"{noun} must show beyond the margin at two photo times, and at the next photo time after the first"
            f"{f' ({hours_text(first_h)})' if math.isfinite(first_h) else ''}, {hours_text(t_seen)} after treatment, "
            f"the fitted change is {quantity(e1, unit)}, whose {percent(confidence)} CI "
            f"{ci_range(e_lo, e_hi, unit)} does not lie entirely beyond the {margin} margin: inconclusive, nothing to fade."
        )
    return INCONCLUSIVE, (
        f"{at24}, which straddles the {margin} margin: the data cannot tell whether "
        f"the {noun} fades within a day or persists (more subjects or photos near 24 h would help)."
    )


def _judged(values: dict, near: NearClaim, judge: dict) -> tuple[str, str, NearClaim]:
    """The verdict and its sentence (rules 3-6): from the curve's interval (``values``), or, when the curve
    misses the photos near 24 h (``near``, :meth:`NearClaim.misses`), from those photos' mean change and
    its interval; and ``near`` with both verdicts.  ``judge``: the other arguments of :func:`_verdict`."""
    verdict, reason = _verdict(values, **judge)
    near = replace(near, curve_verdict=verdict)
    if not near.n_photos:
        return _unchecked(verdict, reason, values, near, judge)
    data_verdict, data_reason = _verdict({**values, "change_24h": near.data_change,
                                          "change_24h_test_ci_low": near.data_ci[0],
                                          "change_24h_test_ci_high": near.data_ci[1]}, **judge)
    near = replace(near, data_verdict=data_verdict)
    if near.misses():
        return data_verdict, _near_sentence(near, judge["unit"], values, judge["confidence"]) + data_reason, near
    return verdict, reason, near


def _unchecked(verdict: str, reason: str, values: dict, near: NearClaim, judge: dict) -> tuple[str, str, NearClaim]:
    """Rule 7: the verdict and sentence of a series with no photo near 24 h (``near.n_photos`` 0), read from
    the curve (``verdict``, ``reason``): ``inconclusive`` when its photo nearest 24 h is further than
    :data:`FAR_FROM_CLAIM_H` from it (:meth:`NearClaim.far`), else the curve's; the sentence says the 24 h figure
    is the curve's, not measured, and when to take a photo, unless there is nothing to fade (rule 5: no clear initial
    change, which no photo at 24 h can give)."""
    lo, hi = near.window_h
    unit = judge["unit"]
    nearest = (f"the nearest at {hours_text(near.nearest_h)}, {hours_text(abs(near.nearest_h - CLAIM_HOURS))} "
               f"from 24 h" if math.isfinite(near.nearest_h) else "none after treatment")
    none = f"No photo at {hours_text(lo)} to {hours_text(hi)} after treatment ({nearest})"
    take = "a photo about 24 h after a treatment would check it"
    if verdict != INCONCLUSIVE and near.far(CLAIM_HOURS):
        c24 = quantity(values["change_24h"], unit)
        ci = (f"{percent(judge['test_conf'])} CI "
              f"{ci_range(values['change_24h_test_ci_low'], values['change_24h_test_ci_high'], unit)}")
        return INCONCLUSIVE, (
            f"{none}: the change at 24 h, {c24} ({ci}), is the fitted curve's extrapolation, not measured, and "
            f"no photo within {hours_text(nc.FAR_FROM_CLAIM_H)} of 24 h can check it, so the claim is not judged "
            f"(the curve alone would read {verdict}); {take}."), near
    lo24, hi24 = values["change_24h_test_ci_low"], values["change_24h_test_ci_high"]
    if verdict == INCONCLUSIVE and -judge["delta"] < lo24 and hi24 < judge["delta"]:
        # "nothing to fade" (rule 5): no clear initial change, which a photo at 24 h cannot give, so none is asked for
        return verdict, f"{reason} {none}: the 24 h figure is the fitted curve's, not measured.", near
    return verdict, f"{reason} {none}: the 24 h figure is the fitted curve's, not measured; {take}.", near


def _near_sentence(near: NearClaim, unit: str, values: dict | None = None, confidence: float = 0.95) -> str:
    """The sentence saying the fitted curve misses the photos near 24 h (or the photos' means at their times:
    the lack-of-fit check), so the verdict reads them; ``values``: the curve's estimates, whose 24 h figure
    and its ``confidence`` interval the lack-of-fit sentence gives."""
    lo, hi = near.window_h
    n = near.n_photos
    if not near.gap_misses():  # rule 6's second and third checks: the curve's shape (lack of fit; shape test)
        # the check's photo times are bins (photo_time_bins): merged from different times, "about one time"
        at = (f"at about one time (different sessions' photo times up to {nc.MISFIT_BIN_RATIO:g} x apart counted as "
              "one)" if near.misfit_times_merged else "at one time")
        test = (f"misses the photos' means at their times by more than the photos {at} scatter (lack-of-fit "
                f"test, one-sided bootstrap p = {near.misfit_p:.3f})" if near.misfit() else
                f"fits the photos far worse than a curve that stays flat, then falls (shape test against a "
                f"log-logistic curve, one-sided bootstrap p = {near.shape_p:.3f})")
        return (f"The fitted curve {test}, so "
                f"the decay model's shape does not describe this series and the claim is judged on the {n} "
                f"photo{'s' if n != 1 else ''} at {hours_text(lo)} to {hours_text(hi)} instead of the curve"
                + (f" (the curve's change at 24 h, {quantity(values['change_24h'], unit)}, {percent(confidence)} CI "
                   f"{ci_range(values['change_24h_ci_low'], values['change_24h_ci_high'], unit)}, is not read)"
                   if values is not None else "") + ". ")
    return (f"The fitted curve misses the {n} photo{'s' if n != 1 else ''} at {hours_text(lo)} to {hours_text(hi)}: "
            f"their mean change is {quantity(near.data_change, unit)}, the curve's {quantity(near.curve_change, unit)} "
            f"(two-sided bootstrap p = {near.p_value:.3f}), so the decay model does not describe this series near 24 h "
            f"and the claim is judged on those photos instead of the curve. ")


def _untested(base: dict, values: dict, *, n_ok: int, n_boot: int, min_effect) -> tuple[str, str] | None:
    """``(status, reason)`` of a fitted series whose 24 h claim cannot be tested, None when it can:
    too few bootstrap replicates (:data:`MIN_VERDICT_REPLICATES`), or no margin (a unit without a
    default smallest change, no noise floor and no ``min_effect``: with a margin of 0 every interval
    that misses 0 read `persists`, "-0.00 %" for a 2 % effect that fades; series audit, 2026-12-03)."""
    c24 = quantity(values["change_24h"], base["unit"])
    if n_ok < MIN_VERDICT_REPLICATES:
        return "too_few_replicates", (
            f"Only {n_ok} bootstrap replicate{'s' if n_ok != 1 else ''} (n_boot={n_boot}); the 24 h claim is "
            f"tested with at least {MIN_VERDICT_REPLICATES}, so its interval's tails rest on more than two "
            f"replicates each (the default is 400); the fitted change at 24 h is {c24}.")
    if not base["smallest_meaningful_change"] > 0 and min_effect is None:
        # the unit as the sentence's other figures write a change of it (change_unit: "pp", not the code "pct";
        # stop 60's note saw "No smallest meaningful change is known for pct")
        word = change_unit(base["unit"], base["metric"]) if base["unit"] else ""
        what = (f"a change in {word}" + (" (percentage points)" if word == "pp" else "") if word
                else "a metric without a unit")
        return "no_margin", (
            f"No smallest meaningful change is known for {what} and the changes carry no "
            f"noise floor, so the 24 h claim cannot be tested (give min_effect, e.g. --min-effect); the fitted "
            f"change at 24 h is {c24}.")
    return None


def _second_photo_time(t: np.ndarray) -> float:
    """The second photo time after treatment (h) of a series' times ``t`` (h, shape (n,), with at
    least one time at or after treatment): the first time at least :data:`SAME_PHOTO_TIME_H` after the
    first one at or after treatment, so that a retake minutes after the first photo (+0.02 h) is not
    the second photo time of the initial-effect rule (rule 4 of the module docstring).  When every
    time after treatment lies within that of the first (only retakes: one photo time), the last one.
    """
    post = np.unique(t[t >= 0])
    later = post[post >= post[0] + SAME_PHOTO_TIME_H]
    return float(later[0] if later.size else post[-1])


def _late_withheld(values: dict, reason: str, base: dict, series: tuple, groups,
                   drawn: bool) -> tuple[dict, str, tuple]:
    """Rule 8: the photo times after :data:`~facemetrics.decay.late_photos.LATE_AFTER_H` against the fitted curve
    (:func:`~facemetrics.decay.late_photos.late_photos`; ``series``: ``(t, y, est, yb, w, boot)``, ``groups`` and
    ``drawn`` as :func:`near_claim`'s), and ``values`` without the lasting level and ``reason`` with one sentence
    when one does not follow it (:func:`~facemetrics.decay.late_photos.off_curve`, docs/validation.md section 23);
    else both unchanged.  The verdict is not touched: it is read at 24 h (rules 3-7)."""
    t, y, est, yb, w, boot = series
    late = late_photos(t, y, (est.lasting, est.transient, est.half_life), yb, w, boot, level=base["confidence"],
                       groups=groups, drawn=drawn)
    x = off_curve(late, base["smallest_meaningful_change"], values["peak_change"], one_subject=base["n_subjects"] < 2)
    if x is None:
        return values, reason, late
    u = base["unit"]
    lo, hi = x.times_h
    when = hours_text(lo) if hi - lo < 1.0 else f"{hours_text(lo)} to {hours_text(hi)}"
    sentence = (f" The photos at {when} read {quantity(x.data_change, u)} ({percent(base['confidence'])} CI "
                f"{ci_range(x.data_ci[0], x.data_ci[1], u)}), the fitted curve {quantity(x.curve_change, u)}: "
                f"after a day the change does not follow the fitted shape (it goes past the before photos or comes "
                f"back), {LASTING_WITHHELD}.")
    return ({**values, "lasting": _NAN, "lasting_ci_low": _NAN, "lasting_ci_high": _NAN,
             "curve_lasting": values["lasting"]}, reason + sentence, late)


def _analyze_one(data: pd.DataFrame, **kw) -> DecayFit:
    """One series (:func:`_fit_one`), with ``change_24h_source`` saying where its 24 h figures come from."""
    fit = _fit_one(data, **kw)
    if not fit.fit_ok:
        return fit
    if fit.near_claim is not None and fit.near_claim.misses():
        source = FROM_PHOTOS
    else:
        source = FROM_CURVE if fit.n_photos_18_30h else FROM_CURVE_UNCHECKED
    return replace(fit, change_24h_source=source)


def _fit_one(
    data: pd.DataFrame,
    *,
    treatment: str,
    metric: str,
    side: str,
    subject: str | None,
    min_effect: float | None,
    n_boot: int,
    seed: int,
    confidence: float,
) -> DecayFit:
    """One series: facts, enough data?, point fit, bootstrap, estimates, verdict."""
    base = _series_facts(data, treatment=treatment, metric=metric, side=side, subject=subject,
                         min_effect=min_effect, confidence=confidence)
    nan_est = dict.fromkeys(_ESTIMATES, _NAN)

    def no_fit(status: str, reason: str, bootstrap: str = "none", n_ok: int = 0) -> DecayFit:
        return DecayFit(**base, **nan_est, verdict=INCONCLUSIVE, reason=reason, status=status, fit_ok=False,
                        bootstrap=bootstrap, n_boot=n_ok)

    t = data["hours_since_treatment"].to_numpy(dtype=float)
    y = data["value"].to_numpy(dtype=float)
    moments = _photo_moments(data)  # a retake minutes after a photo is no time of its own
    missing = _missing_data(t, moments)
    if missing:
        return no_fit("insufficient_data", f"{_TOO_FEW}{join_words(missing)}.")

    bound = default_amplitude_bound(y)
    hl_bounds = default_half_life_bounds(t)
    est = fit_decay(t, y, amplitude_bound=bound, half_life_bounds=hl_bounds)
    if not est.success:
        return no_fit("fit_failed", f"The decay model could not be fitted ({est.message}), so nothing can be said about 24 h.")

    rng = _group_rng(seed, (treatment, metric, side, subject))
    sessions = None
    if "treated_at" in data.columns:  # long.csv: one baseline photo per subject and treatment time
        sessions = (data["subject"].astype(str) + "\x1f" + _session_keys(data)).to_numpy()
    method, yb, w, valid = _replicates(t, y, data["subject"].to_numpy(), est, pooled=subject is None,
                                       n_boot=n_boot, rng=rng, sessions=sessions, unit=base["unit"],
                                       moments=moments, sources=_sources(data))
    if method == "none":
        c24 = float(est.change_at(CLAIM_HOURS))
        point = {**nan_est, "peak_change": est.peak, "half_life_h": est.half_life, "change_24h": c24, "lasting": est.lasting,
                 "transient": est.transient, "rmse": est.rmse,
                 **_point_half(t, y, est, base["smallest_meaningful_change"])}
        return DecayFit(
            **base, **point, verdict=INCONCLUSIVE,
            reason=(
                f"No bootstrap was run (n_boot=0), so there are no confidence intervals and the "
                f"24 h claim cannot be tested; the fitted change at 24 h is {quantity(c24, base['unit'])}."
            ),
            status="no_bootstrap", fit_ok=True, bootstrap=method, n_boot=0,
        )
    boot, kept = _refit_replicates(t, yb, w, valid, bound, hl_bounds)
    n_ok = int(boot.shape[0])
    if n_ok < max(1, n_boot // 2):
        return no_fit("bootstrap_failed", f"Only {n_ok} of {n_boot} bootstrap replicates could be fitted, too few "
                      "for confidence intervals.", method, n_ok)
    values = _estimates(est, boot, confidence, base["test_confidence"])
    if method == "residual":
        values.update(_half_life_profile(t, y, est, bound, hl_bounds, confidence))
    values.update(_half_point(t, y, est, method, w, data, sessions, seed, (treatment, metric, side, subject), confidence,
                              base["smallest_meaningful_change"]))
    untested = _untested(base, values, n_ok=n_ok, n_boot=n_boot, min_effect=min_effect)
    if untested is not None:
        status, reason = untested
        return DecayFit(**base, **values, verdict=INCONCLUSIVE, reason=reason, status=status, fit_ok=True,
                        bootstrap=method, n_boot=n_ok, boot_params=boot)
    t2 = _second_photo_time(t)  # the second photo time after treatment (>= 4 times: _missing_data)
    early = (t2, float(est.change_at(t2)), _ci(decay_model(t2, boot[:, 0], boot[:, 1], boot[:, 2]), confidence))
    judge = dict(metric=metric, unit=base["unit"], delta=base["smallest_meaningful_change"], confidence=confidence,
                 test_conf=base["test_confidence"], early=early, peak_ok=peak_resolved({**base, **values}),
                 first_h=float(np.min(t[t >= 0])))
    # the curve against the photos near 24 h (rule 6: a curve that misses them is not read at 24 h)
    drawn = not (method == "cluster" and base["n_subjects"] >= TWO_STAGE_BELOW_CLUSTERS)
    groups = sessions if sessions is not None else data["subject"].astype(str).to_numpy()
    near = near_claim(t, y, (est.lasting, est.transient, est.half_life), yb[kept], w[kept], boot,
                      hours=CLAIM_HOURS, level=base["test_confidence"], drawn=drawn, confidence=confidence,
                      groups=groups)
    verdict, reason, near = _judged(values, near, judge)
    if near.misses():  # the verdict read the photos near 24 h: the figures beside it are theirs (rule 6)
        values = {**values, "change_24h": near.data_change,
                  "change_24h_ci_low": near.data_ci_reported[0], "change_24h_ci_high": near.data_ci_reported[1],
                  "change_24h_test_ci_low": near.data_ci[0], "change_24h_test_ci_high": near.data_ci[1]}
    # photos after a day the curve does not describe: the lasting level is not shown (rule 8)
    values, reason, late = _late_withheld(values, reason, base, (t, y, est, yb[kept], w[kept], boot), groups, drawn)
    # a --min-effect smaller than the noise floor was raised to it: said, or the verdict reads as without it
    reason += raised_margin_note(base["smallest_meaningful_change"], base["noise_floor"], min_effect, base["unit"])
    return DecayFit(
        **base, **values, verdict=verdict, reason=reason, status="ok", fit_ok=True,
        bootstrap=method, n_boot=n_ok, boot_params=boot, near_claim=near, late_photos=late,
    )


# --------------------------------------------------------------------------
# public entry point
# --------------------------------------------------------------------------


def analyze_series(
    changes: pd.DataFrame,
    *,
    metrics: str | Iterable[str] | None = None,
    min_effect: float | None = None,
    per_subject: bool = True,
    n_boot: int = 400,
    seed: int = 0,
    confidence: float = 0.95,
    sessions: pd.DataFrame | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> SeriesResult:
    """Fit the decay model per treatment × metric × side and test the 24 h claim.

    See :mod:`facemetrics.decay.model` for the model and this module's
    docstring for the bootstrap and the exact verdict rules.

    Parameters
    ----------
    changes : pandas.DataFrame
        Tidy table of changes versus baseline (columns ``subject``,
        ``treatment``, ``hours_since_treatment`` [h: numbers, or timedeltas
        photo time - treatment time; dates are refused], ``metric``, ``side``,
        ``value`` [metric unit], ``unit``, optional ``noise_floor`` [metric
        unit, >= 0], optional ``verdict``, optional ``calibration_source``
        [:data:`CALIBRATION_SOURCES`, blank: ``iris``; it sets the mm scale's
        error the intervals carry]), as ``long.csv``.  A blank subject
        or treatment is one unnamed subject / treatment (:data:`BLANK_SUBJECT`,
        :data:`BLANK_TREATMENT`); a blank metric or side is refused.  Rows with a non-finite time or value
        are ignored, and so are rows whose verdict is ``uncertain`` (the
        comparison's own checks say no change can be read: a rough match of the upper
        faces, a cut face, a change of the lips' shape, a camera change beyond the checked
        range, the photo being the same picture as its before photo, ...;
        :data:`UNREAD_VERDICTS`); each series' ``reason`` then says how many
        of its photos were left out so.  A photo listed twice at one time
        counts once; one photo (the same ``sha256``, where the table has that
        column) listed at two or more times of one session (subject,
        treatment and ``treated_at``), a copied file or a wrong capture time,
        is left out at every time, whatever the verdict of its other rows,
        and the ``reason`` counts those rows too.  Without ``treated_at``
        (no such column, or a blank cell: a hand-made table, the app's
        timeline) the times looked at are every time of one subject and
        treatment (no ``treated_at`` to tell sessions apart), so one file
        used in two sessions is left out at both, and the ``reason`` says so.
        Photos of one session taken less than :data:`SAME_PHOTO_TIME_H`
        (5 min) apart at or after treatment are one photo time (retakes:
        rules 1 and 4 of the module docstring, ``per_subject``); the retake
        rule needs sessions too, so without ``treated_at`` it is applied per
        subject and treatment: photos of different sessions (days) whose
        ``hours_since_treatment`` lie within 5 min of each other (24.00 h
        after one treatment, 24.05 h after another) count as one time.
        With ``treated_at``, a later session of a subject and treatment begun
        while the earlier one's effect is not shown gone (the fit of every
        subject's first session alone does not put its change inside the
        margin at the hours between the two treatments, at
        ``test_confidence``) is a *follow-on* session: its before photo may
        carry that effect, so its rows are left out of the series' fits
        (pooled and per subject), the ``reason`` names it and
        :attr:`SeriesResult.follow_on` lists it
        (:mod:`facemetrics.decay.carryover`).  An optional ``taken_at`` column
        (capture times, ISO 8601) is compared with ``hours_since_treatment`` within each session:
        a table whose times are days (or weeks, minutes) is fitted as given, and each fit's
        ``reason`` says to check the unit (:mod:`facemetrics.decay.time_unit`).
    metrics : str or iterable of str, optional
        Only analyse these metrics (default: all).
    min_effect : float, optional
        Smallest change that matters, metric unit, for every series.  Default:
        per unit, :data:`MIN_EFFECT` (0.3 mm for lifts, 0.84 for the fold-depth
        index, 0 for other units).  The equivalence margin is
        ``max(min_effect, noise_floor)``; a ``reason`` whose verdict used a
        noise floor larger than the ``min_effect`` given says so.  A number
        written as text (``"0.3"``, a CSV cell) is read as that number; other
        text (``"0,3"``, ``"0.3 mm"``) is refused, saying what to write.
    per_subject : bool, optional
        Also fit each subject with at least :data:`MIN_SUBJECT_TIMES` (5)
        distinct times after treatment (retakes less than 5 min apart in one
        session counted once; only in series with 2 or more
        subjects; with one subject the pooled fit is that subject's fit).  A
        subject with fewer gets a row with no fit (status
        ``insufficient_data``) whose ``reason`` says how many times it has,
        how many are needed, and that it is in the pooled fit only.
    n_boot : int, optional
        Bootstrap replicates (default 400): 0 (no bootstrap: point estimates,
        no intervals, no verdict) or at least :data:`MIN_VERDICT_REPLICATES`
        (50; fewer are refused).  Subjects are resampled (cluster
        bootstrap) for pooled fits with >= 3 subjects, residuals otherwise.
    seed : int, optional
        Seed; a series' result depends only on the seed and its own keys and
        data, so results are reproducible and independent of other series.
    confidence : float, optional
        Level of the reported CIs (default 0.95).  The verdict uses the
        ``2 * confidence - 1`` (default 90 %) CI of the 24 h change (TOST).
    sessions : pandas.DataFrame, optional
        Every treatment session known to the caller (columns ``subject``, ``treatment``, ``treated_at``,
        optional ``why``: the reason its photos gave for not being compared), also those with no row in
        ``changes``: a session whose before photo was forgotten or unusable, or all of whose photos were
        refused, still treated the face, and a later session begun while its effect may still act is a
        follow-on session of it (:mod:`facemetrics.decay.carryover`; its words name the session "none of whose
        photos was compared", with ``why``).  The batch's ``photos.csv`` rows are such a table
        (:func:`facemetrics.batch.timeline.run_timeline` passes them).  None (default): the sessions are those
        of ``changes`` alone, so a session with no row there is not seen (a daily user's day 3 was judged
        against day 1 at 48 h when day 2 had no before photo; docs/validation.md section 12, Round 17).
    progress : callable, optional
        Called as ``progress(done, total)`` (two ints) after each series is fitted: ``total`` the series to fit
        (each pooled treatment × metric × side and each subject's), ``done`` those fitted so far (1 to ``total``).
        None (default): nothing is called and nothing is printed; ``facemetrics timeline`` prints a few progress
        lines from it on a long table (10 000 rows took minutes with nothing said: stop 64).

    Returns
    -------
    SeriesResult
        ``fits`` sorted by treatment, metric, side, pooled fit first, then
        subjects in sorted order; a series all of whose rows read ``uncertain``
        gets an ``insufficient_data`` row whose ``reason`` counts them.  When
        no row can be used (an empty table, no finite time and value, every
        row ``uncertain``) ``status`` is ``insufficient_data`` and ``reason``
        says why.  :meth:`SeriesResult.to_frame`: times in hours since treatment
        (``half_life_h``), changes in the series' ``unit`` (``peak_change``,
        ``change_24h``, ``lasting``), each with its ``*_ci_low`` / ``*_ci_high``
        interval at ``confidence``.

    Raises
    ------
    SeriesError
        Missing columns, non-numeric values, unknown metrics, mixed units in
        one series, an unknown ``calibration_source``, or invalid settings (``n_boot`` from 1 to
        ``MIN_VERDICT_REPLICATES - 1`` included, ``per_subject`` not True or False).  A column that is
        not numbers is named, with its first bad cell and row.

    Examples
    --------
    A hand-made table as ``long.csv``: one subject's jawline lift, 2 mm fading with a 3 h
    half-life, with 0.1 mm of noise:

    >>> import numpy as np, pandas as pd
    >>> import facemetrics as fm
    >>> hours = np.array([0.5, 1, 2, 4, 8, 12, 24, 48])
    >>> lift = 2.0 * 0.5 ** (hours / 3) + np.random.default_rng(0).normal(0, 0.1, hours.size)
    >>> changes = pd.DataFrame({"subject": "me", "treatment": "microcurrent",
    ...                         "hours_since_treatment": hours, "metric": "jawline_lift_mm",
    ...                         "side": "mean", "value": lift, "unit": "mm", "noise_floor": 0.1})
    >>> fit = fm.analyze_series(changes).to_frame().iloc[0]
    >>> f"half-life {fit.half_life_h:.1f} h (95 % CI {fit.half_life_h_ci_low:.1f} to {fit.half_life_h_ci_high:.1f} h)"
    'half-life 2.7 h (95 % CI 2.2 to 3.2 h)'
    >>> low, high = fit.change_24h_ci_low, fit.change_24h_ci_high
    >>> f"at 24 h {fit.change_24h:+.2f} {fit.unit} (95 % CI {low:+.2f} to {high:+.2f})"
    'at 24 h +0.09 mm (95 % CI -0.03 to +0.21)'
    >>> fit.verdict
    'fades_within_a_day'
    """
    confidence, n_boot, seed = check_settings(confidence, n_boot, seed)
    check_min_effect(min_effect)
    per_subject = check_flag(per_subject, "per_subject", SeriesError)
    if metrics is not None and not isinstance(metrics, str):
        try:
            metrics = list(metrics)  # read three times below: a generator would be spent by the first
        except TypeError:
            raise SeriesError(f"metrics must be a metric name or a list of them, not {type(metrics).__name__}") \
                from None
    df, source, twice = _usable(changes, metrics)  # validate_changes, keeping what it leaves out
    again = _repeated(df, source)
    twice &= ~again  # a repeated row is counted as such, once
    labels = ["subject", "treatment", "metric", "side"]
    repeated = df[again][labels]
    retimed = df[twice][labels].assign(blind=_session_texts(df[twice]) == "")
    df = df[~again & ~twice]
    opts = dict(min_effect=None if min_effect is None else float(min_effect), n_boot=n_boot, seed=seed,
                confidence=confidence)
    unread = _unread_rows(changes, metrics)
    fits: list[DecayFit] = []
    groups = {k: g for k, g in df.groupby(["treatment", "metric", "side"], sort=True)}
    # a series every row of which read 'uncertain' (or was one file dated twice) gets its own no-fit row
    # saying so (it vanished before)
    left_out = pd.concat([unread[["treatment", "metric", "side"]], retimed[["treatment", "metric", "side"]]])
    groups.update({k: df.iloc[:0] for k in left_out.itertuples(index=False, name=None) if k not in groups})
    order, notes = _sessions_in(changes, sessions)  # every session of the table and those given, whatever its verdicts
    follow_on: list[FollowOn] = []
    tick = _progress_ticker(groups, per_subject, progress)
    for key in sorted(groups, key=lambda k: (str(k[0]), metric_rank(k[1]), str(k[2]))):
        treatment, metric, side = key
        grp = groups[key].sort_values(["subject", "hours_since_treatment"], kind="stable")
        grp, later, fit = _without_follow_on(grp, order, treatment=treatment, metric=metric, side=side, **opts)
        later = tuple(replace(f, earlier_note=notes.get((f.subject, f.treatment, f.earlier_treated_at), ""),
                              counted_notes=tuple(notes.get((f.subject, f.treatment, at), "") for at, _ in
                                                  f.counted_gone)) for f in later)
        follow_on += later
        if fit is None:
            fit = _analyze_one(grp, treatment=treatment, metric=metric, side=side, subject=None, **opts)
        fit = _with_follow_on(fit, later) if later else fit
        fit = _with_time_unit(fit, grp)
        fits.append(_with_retimed(_with_repeated(_with_unread(fit, unread, key, later=later), repeated, key), retimed,
                                  key))
        tick()
        if not per_subject or grp["subject"].nunique() < 2:
            tick(key)
            continue
        pooled_ok = fits[-1].fit_ok
        for subj, sg in grp.groupby("subject", sort=True):
            t = sg["hours_since_treatment"].to_numpy(dtype=float)
            if _n_times(t, _photo_moments(sg)) < MIN_SUBJECT_TIMES:  # retakes count once
                fit = _too_few_subject_times(sg, treatment=treatment, metric=metric, side=side, subject=subj,
                                             pooled_ok=pooled_ok, min_effect=opts["min_effect"],
                                             confidence=opts["confidence"])
            else:
                fit = _analyze_one(sg, treatment=treatment, metric=metric, side=side, subject=subj, **opts)
            if any(f.subject == subj for f in later):
                fit = _with_follow_on(fit, later, subj)
            fit = _with_time_unit(fit, sg)
            fits.append(_with_retimed(_with_repeated(_with_unread(fit, unread, key, subj, later), repeated, key,
                                                     subj), retimed, key, subj))
            tick()
        tick(key)
    if df.empty:  # no usable row: the result says why (an empty tuple said nothing; review, stop 27)
        return SeriesResult(fits=tuple(fits), **opts, status="insufficient_data",
                            reason=_nothing_to_fit(changes, metrics, retimed), follow_on=tuple(follow_on))
    return SeriesResult(fits=tuple(fits), **opts, follow_on=tuple(follow_on))


def _progress_ticker(groups: dict, per_subject: bool, progress) -> Callable[..., None]:
    """A function that :func:`analyze_series` calls after each series it fits (``tick()``) and once the series of
    a key of ``groups`` are all fitted (``tick(key)``), calling ``progress(done, total)`` each time ``done`` grows
    (``total``: each of ``groups``' pooled series and, with ``per_subject``, each subject's of a series with two or
    more subjects); one that does nothing when ``progress`` is None.  ``tick(key)`` counts the series that key was
    counted for and were not fitted (a subject whose rows were all left out as follow-on sessions, a series left
    with one subject), so the last call is ``progress(total, total)``: `timeline` could end on "fitted 400 of 404
    series" (stop 64's look; stop 65, k3)."""
    if progress is None:
        return lambda key=None: None
    sizes = {k: 1 + (g["subject"].nunique() if per_subject and g["subject"].nunique() >= 2 else 0)
             for k, g in groups.items()}
    total = sum(sizes.values())
    done = counted = 0

    def tick(key=None) -> None:
        nonlocal done, counted
        counted += 0 if key is None else sizes[key]
        now = min(total, done + 1) if key is None else max(done, counted)
        if now > done:
            done = now
            progress(done, total)

    return tick


def _with_time_unit(fit: DecayFit, rows: pd.DataFrame) -> DecayFit:
    """``fit`` with :func:`~facemetrics.decay.time_unit.time_unit_note` added to its ``reason`` when
    its rows' time axis looks like days (or weeks, minutes) rather than hours (unchanged otherwise,
    and for a series with no fit)."""
    if not fit.fit_ok or rows.empty:
        return fit
    verdict = fit.verdict
    if fit.near_claim is not None and fit.near_claim.far(CLAIM_HOURS):  # rule 7 withheld the curve's verdict
        verdict = fit.near_claim.curve_verdict or verdict
    note = time_unit_note(rows, verdict, fades=FADES)
    return replace(fit, reason=fit.reason + note) if note else fit


def _sessions_in(changes: pd.DataFrame, sessions: pd.DataFrame | None = None) -> tuple[dict, dict]:
    """:func:`~facemetrics.decay.carryover.session_order` of every row of ``changes`` and of ``sessions``
    (:func:`analyze_series`'s; labels as the fits read them), {} when neither has a ``treated_at``; and
    ``{(subject, treatment, treated_at text): note}`` of the sessions of ``sessions`` with no row in ``changes``
    ("none of whose photos was compared", with its ``why``)."""
    cols = ["subject", "treatment", "metric", "side", "treated_at"]
    own = changes.loc[:, cols].copy() if "treated_at" in changes.columns else changes.iloc[:0].reindex(columns=cols)
    given = _given_sessions(sessions)
    if own.empty and given.empty:
        return {}, {}
    seen = session_order(_labels(own.copy())) if not own.empty else {}
    order = session_order(_labels(pd.concat([own, given.loc[:, cols]], ignore_index=True)))
    why = {(s, tr, str(at).strip()): str(w) for s, tr, at, w in
           zip(*(_labels(given.copy())[c] for c in ("subject", "treatment", "treated_at", "why")))}
    notes = {}
    for st, items in order.items():
        have = {k for _, k, _ in seen.get(st, [])}
        for _, k, text in items:
            if k not in have:
                w = why.get((*st, text), "")
                notes[(*st, text)] = "none of whose photos was compared" + (f": {w}" if w else "")
    return order, notes


def _given_sessions(sessions) -> pd.DataFrame:
    """:func:`analyze_series`'s ``sessions`` as a table of ``subject``, ``treatment``, ``metric``, ``side`` (fill
    values), ``treated_at`` and ``why`` ("" where not given): the rows with a ``treated_at``; empty for None."""
    cols = ["subject", "treatment", "metric", "side", "treated_at", "why"]
    if sessions is None:
        return pd.DataFrame(columns=cols)
    given = pd.DataFrame(sessions)
    missing = [c for c in ("subject", "treatment", "treated_at") if c not in given.columns]
    if missing:
        raise SeriesError(f"sessions needs the columns subject, treatment and treated_at; it has no "
                          f"{', '.join(missing)}")
    given = given.assign(metric="session", side="session", why=given["why"] if "why" in given.columns else "")
    given["why"] = given["why"].fillna("").astype(str)
    at = given["treated_at"].fillna("").astype(str).str.strip()
    given = given[(at != "") & ~at.map(date_alone)]  # a date alone cannot be ordered with times (the batch refuses it)
    return given.loc[:, cols].reset_index(drop=True)


def _with_follow_on(fit: DecayFit, later, subject: str | None = None) -> DecayFit:
    """``fit`` with :func:`~facemetrics.decay.carryover.follow_on_sentence` of its follow-on sessions ``later``
    (``subject``'s alone when given) added to its reason; when the rows kept are too few to fit, the reason
    first says how many photos the series has and how many of them were left out as follow-on sessions, so
    "only 1 photo (need at least 6)" is not read as too few photos taken (a home user's month, stop 56)."""
    items = [f for f in later if subject is None or f.subject == subject]
    if not items:
        return fit
    reason = fit.reason
    if fit.status == "insufficient_data" and reason.startswith(_TOO_FEW):
        left, kept = sum(f.n_rows for f in items), fit.n_photos
        reason = (f"{_TOO_FEW}this series has {kept + left} photo{'s' if kept + left != 1 else ''} whose change was "
                  f"read, {left} of them left out as follow-on sessions (see below), and in the {kept} left: "
                  + reason[len(_TOO_FEW):])
    return replace(fit, reason=reason + follow_on_sentence(items, subject))


def _without_follow_on(grp: pd.DataFrame, order: dict, *, treatment, metric, side, **opts
                       ) -> tuple[pd.DataFrame, tuple[FollowOn, ...], DecayFit | None]:
    """One series' rows without its follow-on sessions (:mod:`facemetrics.decay.carryover`), those
    sessions, and the pooled fit when it is already made (the first sessions' fit, when every later
    session was left out; the fit of all sessions, when it was made to judge and none was; else
    None).  A series with no later session is returned whole."""
    first = first_session_rows(grp, order)
    if first.all():
        return grp, (), None
    judge = _analyze_one(grp[first], treatment=treatment, metric=metric, side=side, subject=None, **opts)
    every: list[DecayFit] = []

    def everything() -> DecayFit:  # the fit of all sessions, asked only what the first sessions cannot tell
        every.append(_analyze_one(grp, treatment=treatment, metric=metric, side=side, subject=None, **opts))
        return every[-1]

    leave, later = follow_on_sessions(grp, order, judge, everything, _subject_judges(grp, first, order, **opts))
    if not leave.any():
        return grp, (), (every[0] if every else None)  # the fit of all sessions is this series' fit
    kept = grp[~leave]
    return kept, later, (judge if np.array_equal(leave, ~first) else None)  # kept: the first sessions' rows


def _subject_judges(grp: pd.DataFrame, first: np.ndarray, order: dict, **opts) -> dict:
    """``{subject: (DecayFit, callable or None)}``: the fit of each subject's own first session (rows ``first``),
    and (``SUBJECT_JUDGES`` ``"first+all"``) a callable making the fit of all its sessions, for the subjects of
    ``grp`` with a later session and at least :data:`MIN_SUBJECT_TIMES` distinct times in that first session
    (retakes once; a fit with too few photos, e.g. 5 rows below :data:`MIN_PHOTOS`, has no ``fit_ok`` and
    tells nothing); {} with one subject (its own fit is the first sessions' fit) or when
    :data:`~facemetrics.decay.carryover.SUBJECT_JUDGES` is off, as it ships (docs/validation.md section 22)."""
    if not _carryover.SUBJECT_JUDGES or grp["subject"].nunique() < 2:
        return {}
    out = {}
    treatment, metric, side = (str(grp[c].iloc[0]) for c in ("treatment", "metric", "side"))
    for subj, sg in grp[first].groupby("subject", sort=True):
        if len(sg) == int((grp["subject"] == subj).sum()):
            continue  # no later session to judge
        if _n_times(sg["hours_since_treatment"].to_numpy(dtype=float), _photo_moments(sg)) < MIN_SUBJECT_TIMES:
            continue
        every = (lambda rows=grp[grp["subject"] == subj], subj=subj: _analyze_one(
            rows, treatment=treatment, metric=metric, side=side, subject=subj, **opts))
        out[str(subj)] = (_analyze_one(sg, treatment=treatment, metric=metric, side=side, subject=subj, **opts),
                          every if _carryover.SUBJECT_JUDGES == "first+all" else None)
    return out


def _too_few_subject_times(data: pd.DataFrame, *, treatment, metric, side, subject, pooled_ok: bool,
                           min_effect, confidence) -> DecayFit:
    """The row of a subject with fewer than :data:`MIN_SUBJECT_TIMES` distinct times after treatment:
    no fit of its own (status ``insufficient_data``, estimates NaN), and a reason that says so and
    that its photos count in the pooled fit only (without the row, a user who logged 3 photos
    found no line for the subject and no word why)."""
    base = _series_facts(data, treatment=treatment, metric=metric, side=side, subject=subject,
                         min_effect=min_effect, confidence=confidence)
    n = base["n_times"]
    where = ("included in the pooled fit only" if pooled_ok else
             "its photos are in the pooled series only (which has no fit either: see its reason)")
    note = _retake_note(n, data["hours_since_treatment"].to_numpy(dtype=float))
    reason = (f"Subject {subject}: {n} time{'s' if n != 1 else ''} after treatment{f' ({note})' if note else ''}, "
              f"{MIN_SUBJECT_TIMES} needed for a per-subject fit; {where}.")
    return DecayFit(**base, **dict.fromkeys(_ESTIMATES, _NAN), verdict=INCONCLUSIVE, reason=reason,
                    status="insufficient_data", fit_ok=False, bootstrap="none", n_boot=0)
