"""How does a treatment effect decay? Pure statistics of before/after series.

This module takes a tidy table of *changes* measured on photos, relative to
each subject's own pre-treatment baseline, and answers questions such as
"does the microcurrent lift fade within a day, while the RF lift lasts?".
It contains no image code.

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

Model
-----
For hours since treatment ``t``::

    change(t) = lasting + transient * 2 ** (-t / half_life)    for t >= 0
    change(t) = 0                                              for t <  0

``lasting`` is the part that does not wear off, ``transient`` the part that
halves every ``half_life`` hours, and ``lasting + transient`` the change
immediately after treatment (``peak_change``, the model value at t = 0+).
Photos taken before treatment are kept as observations of the baseline with
model value 0: changes are measured relative to that baseline, so there is
no free parameter before treatment.  Consequently they do not move the
parameter estimates, but they count as photos, enter the residual pool of
the residual bootstrap and are drawn in the plots.  A photo at exactly
``t = 0`` counts as *after* treatment.

Fitting and uncertainty
-----------------------
:func:`fit_decay` minimises the sum of squared errors with
:func:`scipy.optimize.curve_fit` (bounded trust-region reflective method,
half-life fitted on a log scale), started from a small grid of half-lives
(each with the least-squares ``lasting``/``transient`` for that half-life as
starting values) plus the best half-life of a fine profile grid; the start
with the smallest SSE wins.  Bounds: half-life in [max(0.05, t1 / 2), 5000] h
where ``t1`` is the earliest photo after treatment (a transient that is gone
before the first photo cannot be estimated, and allowing it lets least
squares turn noise at ``t1`` into an absurd extrapolated peak; no such limit
when a photo was taken at exactly t = 0), and ``lasting`` and ``transient``
in ±5 × max|value| of the series.  The same bounds apply to every bootstrap
replicate.

Uncertainty comes from a bootstrap with a fixed seed:

* **cluster bootstrap** (resampling whole *subjects* with replacement,
  e.g. Field & Welsh 2007; Cameron, Gelbach & Miller 2008) for a pooled fit
  with at least 3 subjects, because photos of one subject are not
  independent;
* **residual bootstrap** (fitted values plus resampled, centred and
  degrees-of-freedom-inflated residuals) for per-subject fits and pooled fits
  with fewer than 3 subjects.

Each replicate minimises the same bounded least-squares criterion.  Because
the model is linear in ``lasting`` and ``transient`` once ``half_life`` is
fixed, the replicates are solved by *variable projection*: a closed-form
bounded least-squares solve for the two amplitudes on a fine log grid of
half-lives, refined by golden-section search (relative precision ~1e-4 in
half-life).  This is vectorised over replicates and ~100× faster than a
``curve_fit`` call per replicate.  Confidence intervals are percentile
intervals.  With few subjects the percentile cluster bootstrap is somewhat
too narrow (it ignores the (G-1)/G small-sample factor and sees little of the
photo-to-photo noise), so below :data:`TWO_STAGE_BELOW_CLUSTERS` subjects the
replicates are **two-stage** (subjects resampled, then each replicate's
residuals resampled too; Davison & Hinkley 1997, sec. 3.8), which errs on the
wide side; treat intervals from 3-5 subjects as indicative.

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

reported as ``smallest_meaningful_change``.  Verdicts, checked in order:

1. ``inconclusive`` (status ``insufficient_data``, every estimate and CI NaN,
   no fit attempted) if the series has fewer than 6 photos, fewer than
   4 distinct times at or after treatment (t >= 0), or no photo at or after
   12 h (one cannot speak about 24 h without data near it).
2. ``inconclusive`` (status ``fit_failed`` / ``bootstrap_failed`` /
   ``no_bootstrap``) if the fit failed, fewer than half of the bootstrap
   replicates could be fitted (a cluster replicate needs >= 3 distinct times
   after treatment), or ``n_boot=0`` (point estimates only, CIs NaN).
3. ``persists_beyond_a_day`` if the 90 % CI of ``change_24h`` lies entirely
   above ``+delta``, or entirely below ``-delta`` for a negative effect
   (e.g. sag).  This is the one-sided test at α = 0.05 of
   "|change at 24 h| > delta", the same level as each half of the TOST.
4. ``fades_within_a_day`` if the 90 % CI of ``change_24h`` lies entirely
   inside (-delta, +delta) **and** there was a real initial effect: the
   95 % CI of ``peak_change`` excludes 0 and ``|peak_change| > delta``.
   Without such an effect there is "nothing to fade" and the verdict is
   ``inconclusive``.
5. ``inconclusive`` otherwise: the CI straddles a margin.

The ``reason`` column always says which rule applied, in a full sentence.

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
import warnings
import zlib
from dataclasses import dataclass, field
from typing import Iterable, Sequence

import numpy as np
import pandas as pd
from scipy.optimize import OptimizeWarning, curve_fit

from .errors import FacemetricsError

__all__ = [
    "COLUMNS",
    "FADES",
    "INCONCLUSIVE",
    "PERSISTS",
    "DecayFit",
    "DecayParams",
    "SeriesError",
    "SeriesResult",
    "analyze_regimen",
    "analyze_series",
    "decay_model",
    "fit_decay",
    "plot_regimen",
    "plot_timeline",
]

# --------------------------------------------------------------------------
# constants
# --------------------------------------------------------------------------

#: verdict: the 24 h change is inside the equivalence margin after a real peak
FADES = "fades_within_a_day"
#: verdict: the 24 h change is beyond the margin
PERSISTS = "persists_beyond_a_day"
#: verdict: neither could be shown
INCONCLUSIVE = "inconclusive"

#: hours after treatment at which the claim is tested
CLAIM_HOURS = 24.0
#: minimum number of photos (rows, baseline included) for a fit
MIN_PHOTOS = 6
#: minimum number of distinct times at or after treatment for a fit
MIN_TIMES = 4
#: a photo at or after this many hours is required to speak about 24 h
MIN_LAST_HOURS = 12.0
#: a subject gets its own fit with at least this many distinct times after treatment
MIN_SUBJECT_TIMES = 5
#: at least this many subjects for the cluster (subject) bootstrap
MIN_CLUSTERS = 3
#: below this many subjects the cluster bootstrap also resamples residuals (two-stage)
TWO_STAGE_BELOW_CLUSTERS = 10
#: default half-life bounds, hours
HALF_LIFE_BOUNDS = (0.05, 5000.0)
#: lasting/transient are bounded by this multiple of max|value|
AMPLITUDE_MULTIPLE = 5.0
#: half-life starting values (hours) tried by :func:`fit_decay`
HALF_LIFE_STARTS = (0.25, 1.0, 3.0, 8.0, 24.0, 72.0, 240.0, 1000.0)
#: size of the fine log grid of the profile (variable projection) search
_PROFILE_GRID = 121
_GOLDEN_STEPS = 22

REQUIRED_COLUMNS = (
    "subject",
    "treatment",
    "hours_since_treatment",
    "metric",
    "side",
    "value",
    "unit",
)

#: column order of :meth:`SeriesResult.to_frame` (and :meth:`DecayFit.to_dict`)
COLUMNS = (
    "treatment",
    "metric",
    "side",
    "subject",
    "unit",
    "n_photos",
    "n_subjects",
    "n_times",
    "last_time_h",
    "peak_change",
    "peak_change_ci_low",
    "peak_change_ci_high",
    "half_life_h",
    "half_life_h_ci_low",
    "half_life_h_ci_high",
    "change_24h",
    "change_24h_ci_low",
    "change_24h_ci_high",
    "change_24h_test_ci_low",
    "change_24h_test_ci_high",
    "lasting",
    "lasting_ci_low",
    "lasting_ci_high",
    "transient",
    "smallest_meaningful_change",
    "noise_floor",
    "verdict",
    "reason",
    "status",
    "fit_ok",
    "rmse",
    "bootstrap",
    "n_boot",
    "confidence",
    "test_confidence",
)

_NAN = float("nan")


class SeriesError(FacemetricsError, ValueError):
    """The change table handed to :func:`analyze_series` is malformed."""

    status = "bad_series"


# --------------------------------------------------------------------------
# the model
# --------------------------------------------------------------------------


def decay_model(t, lasting, transient, half_life):
    """Change versus baseline ``t`` hours after treatment.

    ``change(t) = lasting + transient * 2**(-t / half_life)`` for ``t >= 0``
    and ``0`` for ``t < 0`` (pre-treatment photos are the baseline).

    Parameters
    ----------
    t : float or array_like
        Hours since treatment (negative = before treatment).
    lasting : float or array_like
        Part of the change that does not wear off (metric unit).
    transient : float or array_like
        Part of the change that halves every ``half_life`` hours (metric unit).
    half_life : float or array_like
        Half-life of the transient part, hours (> 0).

    Returns
    -------
    numpy.ndarray or float
        Model change in the metric unit, broadcast over the inputs; a Python
        float when every input is a scalar.

    Examples
    --------
    >>> decay_model(0.0, 0.5, 2.0, 3.0)
    2.5
    >>> decay_model(3.0, 0.0, 2.0, 3.0)
    1.0
    >>> decay_model(-1.0, 0.5, 2.0, 3.0)
    0.0
    """
    scalar = all(np.ndim(v) == 0 for v in (t, lasting, transient, half_life))
    t = np.asarray(t, dtype=float)
    lasting = np.asarray(lasting, dtype=float)
    transient = np.asarray(transient, dtype=float)
    half_life = np.asarray(half_life, dtype=float)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        decay = np.exp2(-np.clip(t, 0.0, None) / half_life)
        out = np.where(t >= 0.0, lasting + transient * decay, 0.0)
    out = np.where(np.isnan(t), np.nan, out)
    return float(out) if scalar else out


def _model_logh(t, lasting, transient, log_h):
    """Model with the half-life as ``log_h = ln(half_life)`` (for curve_fit)."""
    post = t >= 0.0
    decay = np.exp2(-np.where(post, t, 0.0) / math.exp(log_h))
    return np.where(post, lasting + transient * decay, 0.0)


def _jac_logh(t, lasting, transient, log_h):
    """Analytic Jacobian of :func:`_model_logh` (n × 3)."""
    post = t >= 0.0
    h = math.exp(log_h)
    tp = np.where(post, t, 0.0)
    decay = np.exp2(-tp / h)
    jac = np.empty((t.size, 3))
    jac[:, 0] = post
    jac[:, 1] = np.where(post, decay, 0.0)
    # d/d ln h of transient * 2^(-t/h) = transient * 2^(-t/h) * ln2 * t / h
    jac[:, 2] = np.where(post, transient * decay * math.log(2.0) * tp / h, 0.0)
    return jac


# --------------------------------------------------------------------------
# bounded least squares for fixed half-life (variable projection)
# --------------------------------------------------------------------------


def _box_quadratic(a, b, c, d1, d2, yy, bound):
    """Minimise ``yy - 2(l d1 + s d2) + a l² + 2 b l s + c s²`` on ``[-bound, bound]²``.

    All arguments broadcast (vectorised).  ``a = Σw x1²``, ``b = Σw x1 x2``,
    ``c = Σw x2²``, ``d1 = Σw x1 y``, ``d2 = Σw x2 y``, ``yy = Σw y²``.

    Returns ``(lasting, transient, sse)``.
    """
    a, b, c, d1, d2, yy = np.broadcast_arrays(a, b, c, d1, d2, yy)

    def sse(l, s):
        return yy - 2.0 * (l * d1 + s * d2) + a * l * l + 2.0 * b * l * s + c * s * s

    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        det = a * c - b * b
        ok = det > 1e-12 * np.maximum(a * c, 1e-300)
        l0 = np.where(ok, (c * d1 - b * d2) / np.where(ok, det, 1.0), np.nan)
        s0 = np.where(ok, (a * d2 - b * d1) / np.where(ok, det, 1.0), np.nan)
        inside = ok & (np.abs(l0) <= bound) & (np.abs(s0) <= bound)
        best_l = np.where(inside, l0, np.nan)
        best_s = np.where(inside, s0, np.nan)
        best = np.where(inside, sse(best_l, best_s), np.inf)
        safe_a = np.where(a > 0, a, 1.0)
        safe_c = np.where(c > 0, c, 1.0)
        # edges of the box: the constrained optimum of a convex quadratic whose
        # free optimum is outside lies on one of them
        for fixed in (-bound, bound):
            s = np.clip(np.where(c > 0, (d2 - fixed * b) / safe_c, 0.0), -bound, bound)
            l = np.full_like(s, fixed)
            e = sse(l, s)
            take = (~inside) & (e < best)
            best, best_l, best_s = np.where(take, e, best), np.where(take, l, best_l), np.where(take, s, best_s)
            l = np.clip(np.where(a > 0, (d1 - fixed * b) / safe_a, 0.0), -bound, bound)
            s = np.full_like(l, fixed)
            e = sse(l, s)
            take = (~inside) & (e < best)
            best, best_l, best_s = np.where(take, e, best), np.where(take, l, best_l), np.where(take, s, best_s)
    return best_l, best_s, np.maximum(best, 0.0)


def _profile_grid(t, y, w, grid, bound):
    """SSE of every replicate (rows of ``y``/``w``) at every grid half-life.

    Returns arrays of shape (B, G): lasting, transient, sse.
    """
    post = (t >= 0.0).astype(float)
    x2 = post[None, :] * np.exp2(-np.clip(t, 0.0, None)[None, :] / grid[:, None])  # (G, n)
    wy = w * y
    a = (w * post).sum(axis=1)[:, None]  # x1 = post, x1² = post
    b = w @ x2.T  # Σ w x1 x2 (x2 is already 0 where x1 is 0)
    c = w @ (x2 * x2).T
    d1 = (wy * post).sum(axis=1)[:, None]
    d2 = wy @ x2.T
    yy = (wy * y).sum(axis=1)[:, None]
    return _box_quadratic(a, b, c, d1, d2, yy, bound)


def _profile_each(t, y, w, half_life, bound):
    """SSE of replicate ``i`` at its own ``half_life[i]`` (shape (B,))."""
    post = (t >= 0.0).astype(float)
    x2 = post[None, :] * np.exp2(-np.clip(t, 0.0, None)[None, :] / half_life[:, None])  # (B, n)
    wy = w * y
    a = (w * post).sum(axis=1)
    b = (w * x2).sum(axis=1)
    c = (w * x2 * x2).sum(axis=1)
    d1 = (wy * post).sum(axis=1)
    d2 = (wy * x2).sum(axis=1)
    yy = (wy * y).sum(axis=1)
    return _box_quadratic(a, b, c, d1, d2, yy, bound)


def _vp_fit(t, y, w, bound, half_life_bounds=HALF_LIFE_BOUNDS):
    """Vectorised global least-squares fit of many replicates.

    Grid search over log half-life followed by golden-section refinement in
    the bracketing grid cell.  Returns ``(lasting, transient, half_life, sse)``
    arrays of shape (B,).
    """
    lo_h, hi_h = half_life_bounds
    log_grid = np.linspace(math.log(lo_h), math.log(hi_h), _PROFILE_GRID)
    _, _, sse = _profile_grid(t, y, w, np.exp(log_grid), bound)
    k = np.argmin(sse, axis=1)
    lo = log_grid[np.clip(k - 1, 0, None)]
    hi = log_grid[np.clip(k + 1, None, log_grid.size - 1)]
    best_log = log_grid[k]
    best_sse = sse[np.arange(sse.shape[0]), k]
    gr = (math.sqrt(5.0) - 1.0) / 2.0
    x1 = hi - gr * (hi - lo)
    x2 = lo + gr * (hi - lo)
    f1 = _profile_each(t, y, w, np.exp(x1), bound)[2]
    f2 = _profile_each(t, y, w, np.exp(x2), bound)[2]
    for _ in range(_GOLDEN_STEPS):
        left = f1 < f2  # minimum in [lo, x2]
        hi = np.where(left, x2, hi)
        lo = np.where(left, lo, x1)
        new_x1 = hi - gr * (hi - lo)
        new_x2 = lo + gr * (hi - lo)
        x2n = np.where(left, x1, new_x2)
        x1n = np.where(left, new_x1, x2)
        f2n = np.where(left, f1, np.nan)
        f1n = np.where(left, np.nan, f2)
        need1 = np.isnan(f1n)
        need2 = np.isnan(f2n)
        f1n[need1] = _profile_each(t, y[need1], w[need1], np.exp(x1n[need1]), bound)[2]
        f2n[need2] = _profile_each(t, y[need2], w[need2], np.exp(x2n[need2]), bound)[2]
        x1, x2, f1, f2 = x1n, x2n, f1n, f2n
    cand = np.where(f1 < f2, x1, x2)
    cand_sse = np.minimum(f1, f2)
    better = cand_sse < best_sse
    best_log = np.where(better, cand, best_log)
    h = np.exp(best_log)
    lasting, transient, sse = _profile_each(t, y, w, h, bound)
    return lasting, transient, h, sse


# --------------------------------------------------------------------------
# single fit
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class DecayParams:
    """Least-squares estimate of the decay model for one series.

    Attributes
    ----------
    lasting, transient : float
        Model amplitudes, metric unit.
    half_life : float
        Half-life of the transient part, hours.
    sse : float
        Sum of squared errors (metric unit²), baseline photos included.
    rmse : float
        ``sqrt(sse / n)``, metric unit.
    n : int
        Number of observations used (baseline photos included).
    success : bool
        Whether a fit was obtained.
    message : str
        Why not, when ``success`` is False; otherwise a short note.
    """

    lasting: float
    transient: float
    half_life: float
    sse: float
    rmse: float
    n: int
    success: bool
    message: str = ""

    @property
    def peak(self) -> float:
        """Change immediately after treatment, ``lasting + transient`` (metric unit)."""
        return self.lasting + self.transient

    def change_at(self, hours):
        """Model change ``hours`` after treatment (see :func:`decay_model`)."""
        return decay_model(hours, self.lasting, self.transient, self.half_life)


def _half_life_bounds(t) -> tuple[float, float]:
    """Default half-life bounds (hours) for photos taken at ``t`` hours.

    ``(max(0.05, t1 / 2), 5000)`` where ``t1`` is the earliest photo after
    treatment; no data-driven limit when a photo was taken at exactly t = 0.
    """
    t = np.asarray(t, dtype=float)
    lo, hi = HALF_LIFE_BOUNDS
    post = t[np.isfinite(t) & (t >= 0)]
    if post.size and post.min() > 0:
        lo = min(max(lo, float(post.min()) / 2.0), hi / 10.0)
    return lo, hi


def _amplitude_bound(y) -> float:
    scale = float(np.max(np.abs(y))) if np.size(y) else 0.0
    return AMPLITUDE_MULTIPLE * scale if scale > 0 else 1.0


def fit_decay(
    t,
    y,
    *,
    half_life_bounds: tuple[float, float] | None = None,
    amplitude_bound: float | None = None,
    half_life_starts: Sequence[float] | None = None,
) -> DecayParams:
    """Fit ``change(t) = lasting + transient * 2**(-t / half_life)`` by least squares.

    Uses :func:`scipy.optimize.curve_fit` (trust-region reflective, bounded,
    analytic Jacobian, half-life on a log scale).  Every half-life in
    ``half_life_starts`` is tried as a start (with the least-squares
    ``lasting``/``transient`` for that half-life as ``p0``), together with the
    best half-life of a fine profile grid, and the solution with the smallest
    SSE is kept, so a bad starting point cannot trap the fit in a local
    minimum.

    Parameters
    ----------
    t : array_like
        Hours since treatment; negative values are pre-treatment photos whose
        model value is 0 (they do not influence the estimates).
    y : array_like
        Change versus baseline, metric unit.
    half_life_bounds : (float, float), optional
        Bounds of the half-life in hours.  Default ``(max(0.05, t1 / 2),
        5000)`` where ``t1`` is the earliest photo after treatment (no such
        limit when a photo was taken at exactly t = 0): a transient that has
        mostly vanished before the first photo is not identifiable, and
        without this limit least squares can "explain" noise at ``t1`` with a
        huge, very short-lived transient, i.e. an absurd extrapolated peak.
    amplitude_bound : float, optional
        ``lasting`` and ``transient`` are bounded to ``[-amplitude_bound,
        amplitude_bound]``; default ``5 * max|y|`` (1 if all ``y`` are 0).
    half_life_starts : sequence of float, optional
        Half-life starting values in hours; default
        ``(0.25, 1, 3, 8, 24, 72, 240, 1000)`` clipped to the bounds.

    Returns
    -------
    DecayParams
        With ``success=False`` and NaN parameters when fewer than 3 distinct
        times at or after treatment are available (3 parameters) or every
        start failed.

    Raises
    ------
    SeriesError
        If ``t`` and ``y`` differ in length or the bounds are invalid.
    """
    t = np.asarray(t, dtype=float).ravel()
    y = np.asarray(y, dtype=float).ravel()
    if t.shape != y.shape:
        raise SeriesError(f"t and y differ in length ({t.size} vs {y.size})")
    if half_life_bounds is None:
        half_life_bounds = _half_life_bounds(t)
    lo_h, hi_h = (float(v) for v in half_life_bounds)
    if not (0 < lo_h < hi_h and math.isfinite(hi_h)):
        raise SeriesError(f"invalid half_life_bounds {half_life_bounds!r}")
    keep = np.isfinite(t) & np.isfinite(y)
    t, y = t[keep], y[keep]
    n = int(t.size)

    def failed(msg):
        return DecayParams(_NAN, _NAN, _NAN, _NAN, _NAN, n, False, msg)

    n_post_times = np.unique(t[t >= 0]).size
    if n_post_times < 3:
        return failed(f"only {n_post_times} distinct times after treatment; the model has 3 parameters")
    bound = float(amplitude_bound) if amplitude_bound is not None else _amplitude_bound(y)
    if not (bound > 0 and math.isfinite(bound)):
        raise SeriesError(f"invalid amplitude_bound {amplitude_bound!r}")

    starts = HALF_LIFE_STARTS if half_life_starts is None else tuple(half_life_starts)
    starts = np.clip(np.asarray(starts, dtype=float), lo_h, hi_h)
    # global profile search (exact bounded LS amplitudes on a fine log grid)
    vl, vs, vh, vsse = _vp_fit(t, y[None, :], np.ones((1, n)), bound, (lo_h, hi_h))
    starts = np.unique(np.concatenate([starts, vh]))
    l0, s0, sse0 = _profile_grid(t, y[None, :], np.ones((1, n)), starts, bound)
    lb = [-bound, -bound, math.log(lo_h)]
    ub = [bound, bound, math.log(hi_h)]
    inset = 1e-9 * bound

    # (sse, lasting, transient, half_life); the profile optimum is itself a
    # valid bounded least-squares solution and the baseline to beat
    best = (float(vsse[0]), float(vl[0]), float(vs[0]), float(vh[0]))
    messages = []
    for h0, la, tr in zip(starts, l0[0], s0[0]):
        p0 = [
            float(np.clip(la, -bound + inset, bound - inset)),
            float(np.clip(tr, -bound + inset, bound - inset)),
            float(np.clip(math.log(h0), lb[2] + 1e-9, ub[2] - 1e-9)),
        ]
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", OptimizeWarning)
                warnings.simplefilter("ignore", RuntimeWarning)
                popt, _ = curve_fit(
                    _model_logh,
                    t,
                    y,
                    p0=p0,
                    bounds=(lb, ub),
                    jac=_jac_logh,
                    method="trf",
                    x_scale="jac",
                    max_nfev=500,
                )
        except (RuntimeError, ValueError) as exc:  # pragma: no cover - defensive
            messages.append(str(exc))
            continue
        resid = y - _model_logh(t, *popt)
        sse = float(resid @ resid)
        if sse < best[0] - 1e-12 * max(best[0], 1e-300):
            best = (sse, float(popt[0]), float(popt[1]), float(math.exp(popt[2])))
    sse, lasting, transient, half_life = best
    if not all(map(math.isfinite, best)):  # pragma: no cover - defensive
        return failed("; ".join(messages) or "no start converged")
    return DecayParams(lasting, transient, half_life, sse, math.sqrt(sse / n), n, True, "ok")


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
        Distinct times at or after treatment (t >= 0).
    last_time_h : float
        Latest photo, hours since treatment.
    peak_change, peak_change_ci_low, peak_change_ci_high : float
        ``lasting + transient``: the model change at t = 0+.
    half_life_h, half_life_h_ci_low, half_life_h_ci_high : float
        Half-life of the transient part, hours.  Poorly determined (CI up to
        the bounds 0.05-5000 h) when the transient part is near 0.
    change_24h, change_24h_ci_low, change_24h_ci_high : float
        Model change 24 h after treatment.
    change_24h_test_ci_low, change_24h_test_ci_high : float
        ``test_confidence`` interval of ``change_24h`` used for the verdict.
    lasting, lasting_ci_low, lasting_ci_high : float
        Part of the change that does not wear off.
    transient : float
        Part of the change that decays.
    smallest_meaningful_change : float
        Equivalence margin ``delta = max(min_effect, noise_floor)``.
    noise_floor : float
        Largest ``noise_floor`` of the series (NaN when not given).
    verdict : str
        ``fades_within_a_day``, ``persists_beyond_a_day`` or ``inconclusive``.
    reason : str
        A full sentence explaining the verdict.
    status : str
        ``ok``, ``insufficient_data`` (no fit made), ``fit_failed``,
        ``bootstrap_failed`` (too few replicates could be fitted) or
        ``no_bootstrap`` (``n_boot=0``: point estimates only, CIs NaN).
    fit_ok : bool
        Whether the model was fitted (point estimates are finite).
    rmse : float
        Root mean squared residual of the fit, metric unit.
    bootstrap : str
        ``cluster`` (subjects resampled), ``residual`` or ``none``.
    n_boot : int
        Bootstrap replicates that could be fitted.
    confidence, test_confidence : float
        Levels of the reported CIs and of the verdict CI.
    boot_params : numpy.ndarray or None
        Bootstrap estimates, shape (n_boot, 3): lasting, transient, half-life
        (hours).  Not part of the table; used by :func:`plot_timeline`.
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
        fit = decay_model(hours, self.lasting, self.transient, self.half_life_h)
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
        per-subject fits, sorted by treatment, metric, side.
    min_effect, confidence, n_boot, seed
        The settings used.
    """

    fits: tuple[DecayFit, ...]
    min_effect: float = 0.3
    confidence: float = 0.95
    n_boot: int = 400
    seed: int = 0

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
            If there is no such fit.
        """
        for f in self.fits:
            if (f.treatment, f.metric, f.side, f.subject) == (treatment, metric, side, subject):
                return f
        raise KeyError((treatment, metric, side, subject))


# --------------------------------------------------------------------------
# text helpers
# --------------------------------------------------------------------------


def _num(v: float, digits: int = 2) -> str:
    s = f"{v:.{digits}f}"
    if s.startswith("-"):
        s = "\u2212" + s[1:]
        if float(s[1:]) == 0:
            s = s[1:]
    return s


def _q(v: float, unit: str, digits: int = 2) -> str:
    return f"{_num(v, digits)} {unit}" if unit else _num(v, digits)


def _hours(v: float) -> str:
    if v >= 100:
        return f"{v:.0f} h"
    if v >= 10:
        return f"{v:.1f} h"
    return f"{v:.2g} h" if v < 1 else f"{v:.1f} h"


def _noun(metric: str) -> str:
    m = metric.lower()
    for word in ("lift", "sag", "tightening", "smoothing"):
        if word in m:
            return word
    return "effect"


def _pct(level: float) -> str:
    return f"{100 * level:.0f}%"


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


# --------------------------------------------------------------------------
# the analysis of one series
# --------------------------------------------------------------------------


def _group_rng(seed: int, key: tuple) -> np.random.Generator:
    """RNG for one series: depends on the seed and the group key only."""
    tag = zlib.crc32("\x1f".join("" if k is None else str(k) for k in key).encode("utf-8"))
    return np.random.default_rng(np.random.SeedSequence([int(seed) & 0xFFFFFFFF, tag]))


def _ci(values: np.ndarray, level: float) -> tuple[float, float]:
    if values.size == 0:
        return _NAN, _NAN
    q = (1.0 - level) / 2.0
    lo, hi = np.quantile(values, [q, 1.0 - q])
    return float(lo), float(hi)


def _analyze_one(
    data: pd.DataFrame,
    *,
    treatment: str,
    metric: str,
    side: str,
    subject: str | None,
    min_effect: float,
    n_boot: int,
    seed: int,
    confidence: float,
) -> DecayFit:
    t = data["hours_since_treatment"].to_numpy(dtype=float)
    y = data["value"].to_numpy(dtype=float)
    subjects = data["subject"].to_numpy()
    units = [u for u in pd.unique(data["unit"].astype(str)) if u and u.lower() != "nan"]
    if len(units) > 1:
        raise SeriesError(f"{treatment}/{metric}/{side}: mixed units {units}")
    unit = units[0] if units else ""
    if "noise_floor" in data.columns:
        nf = data["noise_floor"].to_numpy(dtype=float)
        nf = nf[np.isfinite(nf)]
        noise_floor = float(np.max(np.abs(nf))) if nf.size else _NAN
    else:
        noise_floor = _NAN
    delta = float(min_effect) if not math.isfinite(noise_floor) else max(float(min_effect), noise_floor)
    test_conf = 2.0 * confidence - 1.0

    n_photos = int(t.size)
    uniq_subjects = pd.unique(subjects)
    n_subjects = int(uniq_subjects.size)
    post_times = np.unique(t[t >= 0])
    n_times = int(post_times.size)
    last = float(np.max(t)) if t.size else _NAN
    noun = _noun(metric)

    base = dict(
        treatment=treatment,
        metric=metric,
        side=side,
        subject=subject,
        unit=unit,
        n_photos=n_photos,
        n_subjects=n_subjects,
        n_times=n_times,
        last_time_h=last,
        smallest_meaningful_change=delta,
        noise_floor=noise_floor,
        confidence=float(confidence),
        test_confidence=float(test_conf),
    )
    nan_est = {
        name: _NAN
        for name in COLUMNS
        if name.startswith(("peak_change", "half_life_h", "change_24h", "lasting")) or name in ("transient", "rmse")
    }

    def no_fit(status: str, reason: str, bootstrap: str = "none", n_ok: int = 0) -> DecayFit:
        return DecayFit(
            **base, **nan_est, verdict=INCONCLUSIVE, reason=reason, status=status, fit_ok=False,
            bootstrap=bootstrap, n_boot=n_ok,
        )

    # ---- enough data? -----------------------------------------------------
    missing = []
    if n_times < MIN_TIMES:
        missing.append(
            f"only {n_times} distinct time{'s' if n_times != 1 else ''} after treatment (need at least {MIN_TIMES})"
        )
    if n_photos < MIN_PHOTOS:
        missing.append(f"only {n_photos} photo{'s' if n_photos != 1 else ''} (need at least {MIN_PHOTOS})")
    if not (post_times.size and post_times[-1] >= MIN_LAST_HOURS):
        if post_times.size:
            missing.append(
                f"the last photo is at {_hours(float(post_times[-1]))} "
                f"(need one at or after {MIN_LAST_HOURS:.0f} h to judge 24 h)"
            )
        else:
            missing.append("no photo after treatment")
    if missing:
        return no_fit(
            "insufficient_data",
            f"Too few data to test the 24 h claim, so no fit was made: {_join(missing)}.",
        )

    # ---- point estimate -----------------------------------------------------
    bound = _amplitude_bound(y)
    hl_bounds = _half_life_bounds(t)
    est = fit_decay(t, y, amplitude_bound=bound, half_life_bounds=hl_bounds)
    if not est.success:
        return no_fit("fit_failed", f"The decay model could not be fitted ({est.message}), so nothing can be said about 24 h.")

    # ---- bootstrap ----------------------------------------------------------
    rng = _group_rng(seed, (treatment, metric, side, subject))
    n = t.size
    if n_boot > 0 and subject is None and n_subjects >= MIN_CLUSTERS:
        method = "cluster"
        codes = pd.factorize(subjects)[0]
        draws = rng.integers(0, n_subjects, size=(n_boot, n_subjects))
        counts = np.zeros((n_boot, n_subjects))
        np.add.at(counts, (np.repeat(np.arange(n_boot), n_subjects), draws.ravel()), 1.0)
        w = counts[:, codes]
        if n_subjects < TWO_STAGE_BELOW_CLUSTERS:
            # two-stage bootstrap (subjects, then residuals within them; Davison & Hinkley 1997,
            # sec. 3.8): with few subjects, resampling subjects alone sees too little of the
            # photo-to-photo noise and gives too narrow intervals; this errs on the wide side
            fitted = est.change_at(t)
            resid = y - fitted
            resid = (resid - resid.mean()) * math.sqrt(n / max(n - 3, 1))
            yb = fitted[None, :] + resid[rng.integers(0, n, size=(n_boot, n))]
        else:
            yb = np.broadcast_to(y, (n_boot, n))
        # a replicate needs >= 3 distinct post-treatment times to identify 3 parameters
        order = np.unique(t, return_inverse=True)[1]
        post_mask = t >= 0
        present = np.zeros((n_boot, order.max() + 1), dtype=bool)
        rows_b, cols_n = np.nonzero(w[:, post_mask] > 0)
        present[rows_b, order[post_mask][cols_n]] = True
        valid = present.sum(axis=1) >= 3
    elif n_boot > 0:
        method = "residual"
        fitted = est.change_at(t)
        resid = y - fitted
        resid = (resid - resid.mean()) * math.sqrt(n / max(n - 3, 1))
        yb = fitted[None, :] + resid[rng.integers(0, n, size=(n_boot, n))]
        w = np.ones((n_boot, n))
        valid = np.ones(n_boot, dtype=bool)
    else:
        method = "none"
        valid = np.zeros(0, dtype=bool)

    if method == "none":
        c24 = float(est.change_at(CLAIM_HOURS))
        point = {k: _NAN for k in nan_est}
        point.update(peak_change=est.peak, half_life_h=est.half_life, change_24h=c24,
                     lasting=est.lasting, transient=est.transient, rmse=est.rmse)
        return DecayFit(
            **base, **point, verdict=INCONCLUSIVE,
            reason=(
                f"No bootstrap was run (n_boot=0), so there are no confidence intervals and the "
                f"24 h claim cannot be tested; the fitted change at 24 h is {_q(c24, unit)}."
            ),
            status="no_bootstrap", fit_ok=True, bootstrap=method, n_boot=0,
        )
    if valid.sum():
        bl, bs, bh, _ = _vp_fit(t, np.ascontiguousarray(yb[valid]), w[valid], bound, hl_bounds)
        boot = np.column_stack([bl, bs, bh])
        boot = boot[np.all(np.isfinite(boot), axis=1)]
    else:
        boot = np.empty((0, 3))
    boot.setflags(write=False)
    n_ok = int(boot.shape[0])
    if n_ok < max(1, n_boot // 2):
        return no_fit(
            "bootstrap_failed",
            f"Only {n_ok} of {n_boot} bootstrap replicates could be fitted, too few for confidence intervals.",
            method,
            n_ok,
        )

    b_peak = boot[:, 0] + boot[:, 1]
    b_24 = decay_model(CLAIM_HOURS, boot[:, 0], boot[:, 1], boot[:, 2])
    peak = est.peak
    c24 = float(est.change_at(CLAIM_HOURS))
    peak_ci = _ci(b_peak, confidence)
    c24_ci = _ci(b_24, confidence)
    c24_test = _ci(b_24, test_conf)
    values = dict(
        peak_change=peak,
        peak_change_ci_low=peak_ci[0],
        peak_change_ci_high=peak_ci[1],
        half_life_h=est.half_life,
        half_life_h_ci_low=_ci(boot[:, 2], confidence)[0],
        half_life_h_ci_high=_ci(boot[:, 2], confidence)[1],
        change_24h=c24,
        change_24h_ci_low=c24_ci[0],
        change_24h_ci_high=c24_ci[1],
        change_24h_test_ci_low=c24_test[0],
        change_24h_test_ci_high=c24_test[1],
        lasting=est.lasting,
        lasting_ci_low=_ci(boot[:, 0], confidence)[0],
        lasting_ci_high=_ci(boot[:, 0], confidence)[1],
        transient=est.transient,
        rmse=est.rmse,
    )

    # ---- verdict ------------------------------------------------------------
    lo, hi = c24_test
    at24 = (
        f"At 24 h the change is {_q(c24, unit)} "
        f"({_pct(test_conf)} CI {_num(lo)} to {_q(hi, unit)})"
    )
    margin = f"\u00b1{_q(delta, unit)}"
    peak_txt = f"{_q(peak, unit)} peak"
    peak_real = (abs(peak) > delta) and (peak_ci[0] > 0 or peak_ci[1] < 0)
    if lo > delta:
        verdict = PERSISTS
        reason = (
            f"{at24}, entirely above the +{_q(delta, unit)} margin "
            f"(peak {_q(peak, unit)}, lasting part {_q(est.lasting, unit)}): "
            f"the {noun} persists beyond a day."
        )
    elif hi < -delta:
        verdict = PERSISTS
        reason = (
            f"{at24}, entirely below the \u2212{_q(delta, unit)} margin "
            f"(peak {_q(peak, unit)}, lasting part {_q(est.lasting, unit)}): "
            f"the {noun} persists beyond a day."
        )
    elif -delta < lo and hi < delta:
        if peak_real:
            verdict = FADES
            reason = (
                f"{at24}, inside the {margin} margin, after a {peak_txt}: "
                f"the {noun} fades within a day."
            )
        else:
            verdict = INCONCLUSIVE
            why = (
                f"does not exceed the {margin} margin"
                if abs(peak) <= delta
                else f"its {_pct(confidence)} CI {_num(peak_ci[0])} to {_q(peak_ci[1], unit)} includes 0"
            )
            reason = (
                f"{at24}, inside the {margin} margin, but there was no clear initial "
                f"{noun} to fade (peak {_q(peak, unit)}, which {why}): "
                f"inconclusive, nothing to fade."
            )
    else:
        verdict = INCONCLUSIVE
        reason = (
            f"{at24}, which straddles the {margin} margin: the data cannot tell whether "
            f"the {noun} fades within a day or persists (more subjects or photos near 24 h would help)."
        )
    return DecayFit(
        **base, **values, verdict=verdict, reason=reason, status="ok", fit_ok=True,
        bootstrap=method, n_boot=n_ok, boot_params=boot,
    )


# --------------------------------------------------------------------------
# public entry point
# --------------------------------------------------------------------------


def _validate(changes: pd.DataFrame, metrics) -> pd.DataFrame:
    if not isinstance(changes, pd.DataFrame):
        raise SeriesError(f"changes must be a pandas DataFrame, not {type(changes).__name__}")
    missing = [c for c in REQUIRED_COLUMNS if c not in changes.columns]
    if missing:
        raise SeriesError(f"changes lacks column(s) {', '.join(missing)}")
    cols = list(REQUIRED_COLUMNS) + (["noise_floor"] if "noise_floor" in changes.columns else [])
    df = changes.loc[:, cols].copy()
    for c in ("subject", "treatment", "metric", "side"):
        df[c] = df[c].astype(str)
    df["unit"] = df["unit"].fillna("").astype(str)
    try:
        df["hours_since_treatment"] = pd.to_numeric(df["hours_since_treatment"], errors="raise").astype(float)
        df["value"] = pd.to_numeric(df["value"], errors="raise").astype(float)
        if "noise_floor" in df.columns:
            df["noise_floor"] = pd.to_numeric(df["noise_floor"], errors="raise").astype(float)
    except (TypeError, ValueError) as exc:
        raise SeriesError(f"non-numeric time, value or noise floor: {exc}") from exc
    if metrics is not None:
        wanted = [metrics] if isinstance(metrics, str) else list(metrics)
        unknown = sorted(set(wanted) - set(df["metric"]))
        if unknown:
            raise SeriesError(
                f"unknown metric(s) {', '.join(unknown)}; available: {', '.join(sorted(set(df['metric'])))}"
            )
        df = df[df["metric"].isin(wanted)]
    finite = np.isfinite(df["hours_since_treatment"].to_numpy()) & np.isfinite(df["value"].to_numpy())
    return df[finite]


def analyze_series(
    changes: pd.DataFrame,
    *,
    metrics: str | Iterable[str] | None = None,
    min_effect: float = 0.3,
    per_subject: bool = True,
    n_boot: int = 400,
    seed: int = 0,
    confidence: float = 0.95,
) -> SeriesResult:
    """Fit the decay model per treatment × metric × side and test the 24 h claim.

    See the module docstring for the model, the bootstrap and the exact
    verdict rules.

    Parameters
    ----------
    changes : pandas.DataFrame
        Tidy table of changes versus baseline (columns ``subject``,
        ``treatment``, ``hours_since_treatment`` [h], ``metric``, ``side``,
        ``value`` [metric unit], ``unit``, optional ``noise_floor`` [metric
        unit]).  Rows with a non-finite time or value are ignored.
    metrics : str or iterable of str, optional
        Only analyse these metrics (default: all).
    min_effect : float, optional
        Smallest change that matters, metric unit (default 0.3).  The
        equivalence margin is ``max(min_effect, noise_floor)``.
    per_subject : bool, optional
        Also fit each subject with at least 5 distinct times after treatment
        (only in series with 2 or more subjects; with one subject the pooled
        fit is that subject's fit).
    n_boot : int, optional
        Bootstrap replicates (default 400).  Subjects are resampled (cluster
        bootstrap) for pooled fits with >= 3 subjects, residuals otherwise.
    seed : int, optional
        Seed; a series' result depends only on the seed and its own keys and
        data, so results are reproducible and independent of other series.
    confidence : float, optional
        Level of the reported CIs (default 0.95).  The verdict uses the
        ``2 * confidence - 1`` (default 90 %) CI of the 24 h change (TOST).

    Returns
    -------
    SeriesResult
        ``fits`` sorted by treatment, metric, side, pooled fit first, then
        subjects in sorted order.

    Raises
    ------
    SeriesError
        Missing columns, non-numeric values, unknown metrics, mixed units in
        one series, or invalid settings.
    """
    if not (0.5 < float(confidence) < 1.0):
        raise SeriesError(f"confidence must be in (0.5, 1), got {confidence!r}")
    if not (math.isfinite(float(min_effect)) and float(min_effect) >= 0):
        raise SeriesError(f"min_effect must be a non-negative number, got {min_effect!r}")
    n_boot = int(n_boot)
    if n_boot < 0:
        raise SeriesError(f"n_boot must be >= 0, got {n_boot}")
    df = _validate(changes, metrics)
    opts = dict(min_effect=float(min_effect), n_boot=n_boot, seed=int(seed), confidence=float(confidence))
    fits: list[DecayFit] = []
    for (treatment, metric, side), grp in df.groupby(["treatment", "metric", "side"], sort=True):
        grp = grp.sort_values(["subject", "hours_since_treatment"], kind="stable")
        fits.append(_analyze_one(grp, treatment=treatment, metric=metric, side=side, subject=None, **opts))
        if not per_subject or grp["subject"].nunique() < 2:
            continue
        for subj, sg in grp.groupby("subject", sort=True):
            t = sg["hours_since_treatment"].to_numpy()
            if np.unique(t[t >= 0]).size < MIN_SUBJECT_TIMES:
                continue
            fits.append(_analyze_one(sg, treatment=treatment, metric=metric, side=side, subject=subj, **opts))
    return SeriesResult(fits=tuple(fits), **opts)


# --------------------------------------------------------------------------
# plot
# --------------------------------------------------------------------------

_COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf")
_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "<", ">", "h")


def plot_timeline(changes: pd.DataFrame, result: SeriesResult, path=None, *, side: str | None = None):
    """Plot change versus hours since treatment, one panel per metric (per side when a metric has no mean).

    Drawn per panel: the photos (colour = treatment, marker = subject), the
    pooled fitted curve of each treatment with its pointwise 95 % bootstrap
    band, a grey band ±noise_floor, dashed lines at ±delta (the equivalence
    margin) and a dotted line at 24 h.  The time axis is ``symlog`` with a
    linear part for |t| < 1 h, so baseline photos (t <= 0) stay visible while
    hours to weeks are spread logarithmically.

    Built on :class:`matplotlib.figure.Figure` without pyplot, so it is safe
    to call from threads and never opens a window.

    Parameters
    ----------
    changes : pandas.DataFrame
        The table given to :func:`analyze_series`.
    result : SeriesResult
        Its result.
    path : str or os.PathLike, optional
        When given, the figure is saved there as PNG.
    side : str, optional
        Side to draw; default ``"mean"`` when a metric has it, else one
        panel per side (right, then left).

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    df = _validate(changes, None)
    metrics = sorted(set(df["metric"]) | {f.metric for f in result.pooled()})
    if not metrics:
        raise SeriesError("nothing to plot: no metrics")
    treatments = sorted(set(df["treatment"]) | {f.treatment for f in result.pooled()})
    colour = {tr: _COLOURS[i % len(_COLOURS)] for i, tr in enumerate(treatments)}
    subjects = sorted(set(df["subject"]))
    marker = {s: _MARKERS[i % len(_MARKERS)] for i, s in enumerate(subjects)}

    # one panel per metric (its "mean" side), or per side for metrics measured per side only
    # (e.g. nlf_depth: the subject's right and left fold each get a panel)
    panels = []
    for metric in metrics:
        sides = sorted(set(df.loc[df["metric"] == metric, "side"])
                       | {f.side for f in result.pooled() if f.metric == metric})
        if side is not None:
            panels.append((metric, side))
        elif "mean" in sides or not sides:
            panels.append((metric, "mean"))
        else:
            order = {"right": 0, "left": 1}
            panels += [(metric, s) for s in sorted(sides, key=lambda s: (order.get(s, 2), s))]

    ncols = min(len(panels), 2)
    nrows = math.ceil(len(panels) / ncols)
    fig = Figure(figsize=(6.4 * ncols, 4.4 * nrows), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    for ax in axes[len(panels):]:
        ax.set_visible(False)

    for ax, (metric, use_side) in zip(axes, panels):
        mdf = df[df["metric"] == metric]
        mdf = mdf[mdf["side"] == use_side]
        fits = [f for f in result.pooled() if f.metric == metric and f.side == use_side]
        units = [u for u in pd.unique(mdf["unit"]) if u] or [f.unit for f in fits if f.unit]
        unit = units[0] if units else ""
        t_all = np.concatenate([mdf["hours_since_treatment"].to_numpy(), [CLAIM_HOURS, 1.0]])
        t_max = float(np.max(t_all)) * 1.3
        t_min = min(float(np.min(t_all)), 0.0)
        # -1e-9 then 0: the curve steps from the baseline to the peak at t = 0
        grid = np.concatenate([[t_min, -1e-9, 0.0], np.geomspace(1e-3, t_max, 300)])

        nfs = [f.noise_floor for f in fits if math.isfinite(f.noise_floor)]
        if not nfs and "noise_floor" in mdf.columns:
            nfs = [float(v) for v in mdf["noise_floor"] if math.isfinite(v)]
        if nfs:
            nf = max(abs(v) for v in nfs)
            ax.axhspan(-nf, nf, color="0.85", alpha=0.7, lw=0, zorder=0)
        deltas = [f.smallest_meaningful_change for f in fits if math.isfinite(f.smallest_meaningful_change)]
        delta = max(deltas) if deltas else result.min_effect
        for d in (-delta, delta):
            ax.axhline(d, color="0.35", ls="--", lw=1.0, zorder=1)
        ax.axhline(0.0, color="0.6", lw=0.8, zorder=1)
        ax.axvline(CLAIM_HOURS, color="0.35", ls=":", lw=1.0, zorder=1)

        for tr in treatments:
            tdf = mdf[mdf["treatment"] == tr]
            for subj, sdf in tdf.groupby("subject", sort=True):
                ax.plot(
                    sdf["hours_since_treatment"], sdf["value"], ls="none", marker=marker[subj],
                    ms=4.5, color=colour[tr], alpha=0.55, mec="none", zorder=3,
                )
            for f in fits:
                if f.treatment != tr or not f.fit_ok:
                    continue
                fit, low, high = f.curve(grid)
                ax.fill_between(grid, low, high, color=colour[tr], alpha=0.2, lw=0, zorder=2)
                ax.plot(grid, fit, color=colour[tr], lw=2.0, zorder=4)

        ax.set_xscale("symlog", linthresh=1.0, linscale=0.5)
        ax.set_xlim(t_min - 0.1 * abs(t_min) - 0.2, t_max)
        ax.set_xlabel("hours since treatment (symlog: linear below 1 h)")
        ax.set_ylabel(f"change [{unit}]" if unit else "change (unitless)")
        ax.set_title(f"{metric} ({use_side})")

        handles = [
            Line2D([], [], color=colour[tr], lw=2.0, marker="o", ms=4,
                   label=f"{tr}: " + next(
                       (f"{f.verdict}" for f in fits if f.treatment == tr), "no data"))
            for tr in treatments
            if (mdf["treatment"] == tr).any() or any(f.treatment == tr for f in fits)
        ]
        handles.append(Patch(color="0.5", alpha=0.3, label=f"fit {_pct(result.confidence)} bootstrap CI"))
        if nfs:
            handles.append(Patch(color="0.85", label=f"noise floor \u00b1{_q(nf, unit)}"))
        handles.append(Line2D([], [], color="0.35", ls="--", label=f"margin \u00b1{_q(delta, unit)}"))
        handles.append(Line2D([], [], color="0.35", ls=":", label="24 h"))
        shown = sorted(set(mdf["subject"]))
        if 1 < len(shown) <= 8:
            handles += [
                Line2D([], [], color="0.3", ls="none", marker=marker[s], ms=5, label=f"subject {s}") for s in shown
            ]
        ax.legend(handles=handles, fontsize=7, loc="best", framealpha=0.85)

    if path is not None:
        fig.savefig(path, format="png", dpi=110)
    return fig


# --------------------------------------------------------------------------
# the regimen: cumulative change over days, from the pre-session photos
# --------------------------------------------------------------------------

#: verdicts of a regimen row
CUMULATIVE = "cumulative_change"
NO_CUMULATIVE = "no_cumulative_change"

#: column order of :func:`analyze_regimen` (the ``regimen`` rows of ``timeline.csv``)
REGIMEN_COLUMNS = (
    "kind",
    "treatment",
    "metric",
    "side",
    "subject",
    "unit",
    "n_photos",
    "n_subjects",
    "n_days",
    "day_n",
    "slope_per_week",
    "slope_per_week_ci_low",
    "slope_per_week_ci_high",
    "change_day_n",
    "change_day_n_ci_low",
    "change_day_n_ci_high",
    "smallest_meaningful_change",
    "verdict",
    "reason",
    "status",
    "bootstrap",
    "n_boot",
    "confidence",
)

#: a regimen fit needs pre-session photos on at least this many distinct days after day 0
MIN_REGIMEN_DAYS = 3


def _regimen_slope(d: np.ndarray, y: np.ndarray, g: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Least-squares common slope with one intercept per subject, for every weight row.

    ``d`` days, ``y`` values, ``g`` subject codes (shape (n,)); ``w`` (B, n)
    observation weights (bootstrap counts).  Returns (B,) slopes (value unit per day).
    """
    n_g = int(g.max()) + 1 if g.size else 0
    onehot = np.zeros((g.size, n_g))
    onehot[np.arange(g.size), g] = 1.0
    sw = w @ onehot  # (B, G)
    with np.errstate(invalid="ignore", divide="ignore"):
        md = (w * d) @ onehot / sw
        my = (w * y) @ onehot / sw
    md = np.nan_to_num(md)[:, g]  # (B, n): each observation's subject mean
    my = np.nan_to_num(my)[:, g]
    dc, yc = d[None, :] - md, y[None, :] - my
    sxx = (w * dc * dc).sum(axis=1)
    sxy = (w * dc * yc).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(sxx > 0, sxy / sxx, np.nan)


def _block_weights(day_groups: list[list[np.ndarray]], n: int, n_boot: int, rng: np.random.Generator) -> np.ndarray:
    """Moving-block bootstrap counts (B, n) over days.

    ``day_groups[s]`` lists, in time order, the observation indices of each
    day of subject ``s``; a day's photos share that day's error (light, pose),
    so days are the units, drawn in blocks of ``round(n_days ** (1/3))``
    consecutive days within each subject.
    """
    w = np.zeros((n_boot, n))
    for days in day_groups:
        m = len(days)
        block = max(1, int(round(m ** (1.0 / 3.0))))
        n_blocks = int(math.ceil(m / block))
        starts = rng.integers(0, max(1, m - block + 1), size=(n_boot, n_blocks))
        picks = (starts[:, :, None] + np.arange(block)[None, None, :]).reshape(n_boot, -1)[:, :m]
        for b in range(n_boot):
            for k in picks[b]:
                w[b, days[k]] += 1.0
    return w


def analyze_regimen(
    levels: pd.DataFrame,
    *,
    day_n: float | None = None,
    min_effect: float = 0.3,
    n_boot: int = 400,
    seed: int = 0,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Cumulative change over days of a treatment regimen, from the pre-session photos.

    A daily microcurrent (or weekly RF) user photographs the face before
    every session.  Each pre-session photo compared with the first session's
    baseline (day 0) gives the *level* reached so far, free of that day's
    transient lift (which :func:`analyze_series` fits separately from the
    photos after each session).  Model, per treatment × metric × side::

        level(subject, day) = intercept[subject] + slope * day + noise

    fitted by least squares with one intercept per subject (the day-0
    reference photo's own error shifts a subject's whole series, so the
    intercept is free rather than forced to 0).  Reported: ``slope_per_week
    = 7 * slope`` and ``change_day_n = slope * day_n``, the fitted change
    from day 0 to day ``day_n`` (default: the last day with a photo, rounded).
    A straight line is the simplest summary of a slow change; when the true
    course saturates, ``change_day_n`` is the line's value, close to but not
    exactly the level reached.

    Uncertainty: percentile bootstrap with a fixed seed, resampling whole
    subjects with 3 or more subjects, otherwise a moving-block bootstrap of
    days (blocks of ``round(n_days ** (1/3))`` consecutive days within each
    subject's series, all photos of a day together; Künsch 1989) because the
    photos of one day share that day's error and day-to-day errors of one
    person's photos are correlated (pose, light, season).

    Verdict on ``change_day_n`` with ``delta = max(min_effect, noise_floor)``:
    ``cumulative_change`` when its CI lies beyond ±delta, ``no_cumulative_change``
    when inside, else ``inconclusive``.

    Parameters
    ----------
    levels : pandas.DataFrame
        Tidy table with ``subject``, ``treatment``, ``metric``, ``side``,
        ``value`` [metric unit], ``unit``, optional ``noise_floor``, and the
        time since the first session as ``days_since_start`` [days] or
        ``hours_since_treatment`` [h] (as written by the regimen batch).
    day_n : float, optional
        Day at which the change is reported (default: the last day with data).
    min_effect, n_boot, seed, confidence
        As in :func:`analyze_series`.

    Returns
    -------
    pandas.DataFrame
        One row per treatment × metric × side, columns :data:`REGIMEN_COLUMNS`
        (``kind = "regimen"``).

    References
    ----------
    Künsch, H. R. (1989). The jackknife and the bootstrap for general
    stationary observations. *Annals of Statistics*, 17(3), 1217-1241.
    """
    df = levels.copy()
    if "days_since_start" not in df.columns:
        if "hours_since_treatment" not in df.columns:
            raise SeriesError("levels need days_since_start or hours_since_treatment")
        df["days_since_start"] = pd.to_numeric(df["hours_since_treatment"], errors="coerce") / 24.0
    for c in ("subject", "treatment", "metric", "side"):
        if c not in df.columns:
            raise SeriesError(f"levels lack column {c}")
        df[c] = df[c].astype(str)
    df["unit"] = df["unit"].fillna("").astype(str) if "unit" in df.columns else ""
    df["value"] = pd.to_numeric(df["value"], errors="coerce")
    df["days_since_start"] = pd.to_numeric(df["days_since_start"], errors="coerce")
    df = df[np.isfinite(df["value"]) & np.isfinite(df["days_since_start"])]
    rows = []
    level = float(confidence)
    for (treatment, metric, side), grp in df.groupby(["treatment", "metric", "side"], sort=True):
        grp = grp.sort_values(["subject", "days_since_start"], kind="stable")
        d = grp["days_since_start"].to_numpy(float)
        y = grp["value"].to_numpy(float)
        subj_codes, subj_names = pd.factorize(grp["subject"], sort=True)
        g = np.asarray(subj_codes)
        unit = next((u for u in grp["unit"] if u), "")
        nf = (pd.to_numeric(grp["noise_floor"], errors="coerce").abs().median()
              if "noise_floor" in grp.columns else _NAN)
        delta = max(float(min_effect), float(nf) if math.isfinite(nf) else 0.0)
        n_days = int(np.unique(np.round(d[d > 0.5])).size)
        dn = float(round(d.max())) if day_n is None else float(day_n)
        row = dict(kind="regimen", treatment=treatment, metric=metric, side=side, subject=None, unit=unit,
                   n_photos=int(d.size), n_subjects=len(subj_names), n_days=n_days, day_n=dn,
                   smallest_meaningful_change=delta, bootstrap="none", n_boot=0, confidence=level)
        nan_fields = dict(slope_per_week=_NAN, slope_per_week_ci_low=_NAN, slope_per_week_ci_high=_NAN,
                          change_day_n=_NAN, change_day_n_ci_low=_NAN, change_day_n_ci_high=_NAN)
        if n_days < MIN_REGIMEN_DAYS:
            rows.append({**row, **nan_fields, "verdict": INCONCLUSIVE, "status": "insufficient_data",
                         "reason": (f"Pre-session photos on only {n_days} day(s) after day 0 (need at least "
                                    f"{MIN_REGIMEN_DAYS}): no cumulative change can be fitted.")})
            continue
        slope = float(_regimen_slope(d, y, g, np.ones((1, d.size)))[0])
        rng = _group_rng(seed, ("regimen", treatment, metric, side))
        if n_boot > 0:
            if len(subj_names) >= MIN_CLUSTERS:
                draw = rng.integers(0, len(subj_names), size=(n_boot, len(subj_names)))
                counts = np.zeros((n_boot, len(subj_names)))
                for b in range(n_boot):
                    np.add.at(counts[b], draw[b], 1.0)
                w = counts[:, g]
                method = "cluster"
            else:
                day = np.round(d).astype(int)
                groups = []
                for k in range(len(subj_names)):
                    idx = np.flatnonzero(g == k)
                    groups.append([idx[day[idx] == u] for u in np.unique(day[idx])])
                w = _block_weights(groups, d.size, n_boot, rng)
                method = "moving_block"
            boot = _regimen_slope(d, y, g, w)
            boot = boot[np.isfinite(boot)]
        else:
            boot, method = np.empty(0), "none"
        s_ci = _ci(boot * 7.0, level)
        c_ci = _ci(boot * dn, level)
        change = slope * dn
        row.update(slope_per_week=7.0 * slope, slope_per_week_ci_low=s_ci[0], slope_per_week_ci_high=s_ci[1],
                   change_day_n=change, change_day_n_ci_low=c_ci[0], change_day_n_ci_high=c_ci[1],
                   bootstrap=method, n_boot=int(boot.size))
        head = (f"From the pre-session photos, the {metric} ({side}) changed by {_q(change, unit)} from day 0 to "
                f"day {dn:.0f} ({_pct(level)} CI {_num(c_ci[0])} to {_q(c_ci[1], unit)}), "
                f"{_q(7.0 * slope, unit)} per week")
        if not np.isfinite(c_ci[0]):
            verdict, status = INCONCLUSIVE, ("no_bootstrap" if n_boot == 0 else "bootstrap_failed")
            reason = head + ": no confidence interval, so no verdict."
        elif c_ci[0] > delta or c_ci[1] < -delta:
            verdict, status = CUMULATIVE, "ok"
            reason = head + f": beyond the \u00b1{_q(delta, unit)} margin, a cumulative change."
        elif -delta < c_ci[0] and c_ci[1] < delta:
            verdict, status = NO_CUMULATIVE, "ok"
            reason = head + f": inside the \u00b1{_q(delta, unit)} margin, no cumulative change."
        else:
            verdict, status = INCONCLUSIVE, "ok"
            reason = head + f": the interval straddles the \u00b1{_q(delta, unit)} margin, inconclusive."
        row.update(verdict=verdict, status=status, reason=reason)
        rows.append(row)
    return pd.DataFrame(rows, columns=list(REGIMEN_COLUMNS))


def plot_regimen(levels: pd.DataFrame, regimen: pd.DataFrame, path=None):
    """Pre-session level versus days since the first session, with the fitted slope (one panel per metric/side).

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.figure import Figure

    df = levels.copy()
    if "days_since_start" not in df.columns:
        df["days_since_start"] = pd.to_numeric(df["hours_since_treatment"], errors="coerce") / 24.0
    keys = [(r.treatment, r.metric, r.side) for r in regimen.itertuples()]
    n = max(1, len(keys))
    ncols = min(n, 2)
    nrows = math.ceil(n / ncols)
    fig = Figure(figsize=(6.4 * ncols, 4.0 * nrows), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    for ax in axes[len(keys):]:
        ax.set_visible(False)
    for k, (ax, (tr, metric, side)) in enumerate(zip(axes, keys)):
        sub = df[(df["treatment"] == tr) & (df["metric"] == metric) & (df["side"] == side)]
        r = regimen.iloc[k]
        colour = _COLOURS[k % len(_COLOURS)]
        ax.plot(sub["days_since_start"], pd.to_numeric(sub["value"], errors="coerce"), "o", ms=4, alpha=0.6,
                color=colour, mec="none", label="pre-session photos vs day 0")
        if math.isfinite(float(r["slope_per_week"])) and len(sub):
            dd = np.linspace(0, float(sub["days_since_start"].max()), 50)
            y0 = float(pd.to_numeric(sub["value"], errors="coerce").mean()
                       - r["slope_per_week"] / 7.0 * sub["days_since_start"].mean())
            ax.plot(dd, y0 + r["slope_per_week"] / 7.0 * dd, color=colour, lw=2,
                    label=f"{_num(r['slope_per_week'])} {r['unit']} / week".strip())
        ax.axhline(0.0, color="0.6", lw=0.8)
        unit = r["unit"] or ""
        ax.set_xlabel("days since the first session")
        ax.set_ylabel(f"level vs day 0 [{unit}]" if unit else "level vs day 0")
        ax.set_title(f"regimen: {tr}, {metric} ({side})")
        ax.legend(fontsize=7, loc="best")
    if path is not None:
        fig.savefig(path, format="png", dpi=110)
    return fig
