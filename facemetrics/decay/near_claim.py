"""Does the fitted curve agree with the photos taken near 24 h?  (A lack-of-fit check at the claim time.)

The 24 h verdict of :mod:`facemetrics.decay.claim` reads the change at 24 h from the fitted decay curve
(:mod:`facemetrics.decay.model`).  When the true change over time has another shape (an onset that rises
for a few hours, a fade that is linear, a plateau), the curve can miss the photos near 24 h by far more
than their scatter, and the interval around the curve is then an interval around the wrong number: on
simulated studies whose change rose from 0 at t = 0 to 2 mm at 2 h and was gone by 24 h, photos at 0, 1,
4 and 24 h (3 subjects) read ``persists_beyond_a_day`` in 25 % of studies, the curve passing 1 mm above
the 24 h photos (``bench/bench_decay_misspecified.py``, docs/validation.md section 10).

The check, for the photos at :data:`NEAR_CLAIM_FRACTION` of 24 h (18-30 h after treatment):

- ``gap``: their mean residual ``y - curve(t)`` (metric unit), the curve missing them;
- the same mean residual of every bootstrap replicate against its own refitted curve (weighted by the
  replicate's resampling weights): what the photos' scatter alone gives when the model is right (the
  replicates are drawn from the fitted curve);
- ``p_value``: the two-sided bootstrap p-value of ``gap`` among them (``2 min(P(r* <= gap), P(r* >= gap))``);
- when ``p_value < NEAR_CLAIM_ALPHA`` the curve does not describe the series near 24 h and the claim
  is judged on the photos near 24 h themselves: their mean change and its interval at the test level
  (the mean minus the replicates' error of that mean: their weighted mean near 24 h minus what they were
  drawn around, which carries the residual and per-session draws, the subjects' resampling and the mm
  scale's error as the curve's interval does).  The timeline row's ``change_24h*`` columns then carry
  that mean and its intervals (``change_24h_source`` ``photos_18_30h``), so the figure beside the verdict
  is the one it was read from.  The mean is not moved to 24 h along the curve: the curve is what was
  found not to describe the series there, and the window (18-30 h) is centred on 24 h.

The curve's shape is checked too (:func:`misfit_run`, a lack-of-fit test against the photos' own scatter):
the residuals, centred per subject, averaged per photo time, against the scatter of the photos taken at one
time; when that ratio's one-sided bootstrap p is below :data:`MISFIT_ALPHA` and photos lie in the window, the
claim is judged on them as above.  A plateau then a drop (3 subjects, the demo's times), fitted by a slow
decline that passes under the 24 h photos without the gap reaching ``NEAR_CLAIM_ALPHA`` (their scatter is
large where the subjects' drops begin), had its 95 % CI of the 24 h change cover the truth in 48-50 % of
simulated studies; 57-60 % with this check (docs/validation.md section 10).  Real photo times are seldom
shared between subjects (08:03, 08:41, 13:17 ...): photos of different sessions within a factor
:data:`MISFIT_BIN_RATIO` of each other count as one photo time (:func:`photo_time_bins`, from the times and
sessions alone); with each photo 20-60 min off its nominal time the check fired on the plateau in 25-48 % of
studies (shared times: 30-40 %; equal times only: never), on the model's own fade in none
(``bench/bench_decay_jitter.py``, docs/validation.md section 10).

A third check needs no repeat photos (:func:`shape_test`): a curve that stays flat, then falls (log-logistic,
each subject's own intercept) fitted beside the decay model; when it fits so much better that the replicates
drawn from the decay curve rarely do as well (one-sided bootstrap p below :data:`SHAPE_ALPHA`) and photos lie
in the window, the claim is judged on them as above.  On held-out simulated studies the plateau's 95 % CI
covered the truth in 68-70 % (3 subjects, shared or jittered times; 57-60 % without it) and one subject's plateau
was read from its 24 h photo in 88-90 %, with no cell's wrong rate changed and the model's own fade untouched.

A series with no photo in the window cannot be checked: its 24 h figure is the curve's extrapolation
(``change_24h_source`` ``curve_unchecked``).  When its photo time nearest 24 h (:attr:`NearClaim.nearest_h`)
lies more than :data:`FAR_FROM_CLAIM_H` from 24 h the verdict is ``inconclusive``; otherwise the curve's
verdict stands and the ``reason`` says the figure is the curve's, not measured (rule 7 of
:mod:`facemetrics.decay.claim`, chosen on ``bench/bench_decay_misspecified.py``'s schedules without a
photo at 18-30 h).

Pure functions of arrays; no file I/O.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .model import decay_model

__all__ = ["FAR_FROM_CLAIM_H", "MISFIT_ALPHA", "MISFIT_BIN_OFFSET_H", "MISFIT_BIN_RATIO", "NEAR_CLAIM_ALPHA",
           "NEAR_CLAIM_FRACTION", "SHAPE_ALPHA", "SHAPE_STEEPNESS", "SHAPE_T50_RANGE_H", "SHAPE_T50_STEPS", "NearClaim",
           "misfit_run", "near_claim", "photo_time_bins", "shape_test", "times_merged"]

_NAN = float("nan")

#: photos within this fraction of the claim's 24 h (18-30 h) are "near 24 h" for the check
NEAR_CLAIM_FRACTION = 0.25
#: the check's level: a gap whose two-sided bootstrap p-value is below this means the curve misses
#: the photos near 24 h (chosen on the tuning half of bench/bench_decay_misspecified.py)
NEAR_CLAIM_ALPHA = 0.05
#: a series with no photo in the window whose photo time nearest 24 h is further than this (h) from it
#: reads ``inconclusive`` (rule 7 of :mod:`facemetrics.decay.claim`): the largest of 6, 9, 12, 18 h and
#: none leaving no tuning cell of bench/bench_decay_misspecified.py's schedules without a photo at 18-30 h
#: above 5 % wrong (a delayed onset read wrongly in 10 % with the last photo at 12 h, 55 % with photos
#: at 4 and 48 h; docs/validation.md section 10)
FAR_FROM_CLAIM_H = 9.0
#: the misfit check's level: residual means per photo time beyond the photos' own scatter there
#: (:func:`misfit_run`, one-sided bootstrap p below this) mean the model's shape does not describe the
#: series, and the 24 h figure is read from the photos at 18-30 h (chosen on the tuning half of bench/bench_decay_misspecified.py)
MISFIT_ALPHA = 0.01
#: photos of different sessions whose times after treatment lie within this ratio of each other
#: (``(t_max + c) / (t_min + c)``, ``c`` = :data:`MISFIT_BIN_OFFSET_H`) may count as one photo time for the
#: lack-of-fit check's scatter at one time (:func:`photo_time_bins`); 1: exactly equal times only (stop 39).
#: Of 1, 1.25, 1.5, 2, 3 the rule fixed beforehand on the tuning half of bench/bench_decay_jitter.py chose 2
#: (the plateau's firing rate with jittered times nearest its rate with shared times; 2 and 3 tied)
MISFIT_BIN_RATIO = 2.0
#: the shape test's level (:func:`shape_test`, one-sided bootstrap p below this): a flat-then-falling curve
#: (log-logistic) fits the series so much better than the decay model that the model's shape does not describe
#: it, and the 24 h figure is read from the photos at 18-30 h (chosen on the tuning half of bench/bench_decay_jitter.py)
SHAPE_ALPHA = 0.01
#: the log-logistic curve's ``t50`` grid of :func:`shape_test`: this many log-spaced values over SHAPE_T50_RANGE_H
SHAPE_T50_STEPS = 60
#: the range (h) of that grid
SHAPE_T50_RANGE_H = (0.1, 200.0)
#: the log-logistic curve's steepness grid ``k`` of :func:`shape_test` (1: a hyperbolic fade; 10: nearly a step)
SHAPE_STEEPNESS = (1.0, 1.5, 2.0, 3.0, 4.0, 6.0, 10.0)
#: the offset (h) of :data:`MISFIT_BIN_RATIO`'s ratio: the demo's first photo time, so that a photo at
#: treatment (0 h) and one 15 min later are a ratio 2 apart, as the demo's consecutive times
MISFIT_BIN_OFFSET_H = 0.25


@dataclass(frozen=True)
class NearClaim:
    """The photos near the claim time against the fitted curve.

    Attributes
    ----------
    n_photos : int
        Photos in the window (0: no check; every other field NaN).
    window_h : tuple of float
        The window, hours after treatment ``(low, high)``.
    data_change : float
        Mean change of those photos, metric unit.
    curve_change : float
        Mean of the fitted curve at their times, metric unit.
    gap : float
        ``data_change - curve_change``, metric unit.
    p_value : float
        Two-sided bootstrap p-value of ``gap`` (NaN without replicates that hold such photos).
    data_ci : tuple of float
        Interval of ``data_change`` at the requested level (the test level), metric unit.
    nearest_h : float
        The photo time at or after treatment nearest ``hours``, h (NaN without one).
    data_ci_reported : tuple of float
        Interval of ``data_change`` at the reported level (``confidence``, default 95 %), metric unit.
    curve_verdict, data_verdict : str
        The 24 h verdict read from the curve's interval and the one read from ``data_ci``
        (set by :func:`facemetrics.decay.claim.analyze_series`; "" until then).  The fit's
        verdict is ``data_verdict`` when :meth:`misses`, else ``curve_verdict``.
    misfit_f : float
        Lack-of-fit ratio: the spread of the residuals' means per photo time over the scatter of the photos
        at one time, each subject's (session's) residuals centred on their own mean (:func:`misfit_run`);
        dimensionless, NaN when not computed.
    misfit_p : float
        One-sided bootstrap p-value of ``misfit_f`` among the replicates' own (NaN: not computed, e.g.
        the plain cluster design of 10 or more subjects, whose replicates are not drawn from the curve).
    shape_d : float
        How much better a flat-then-falling (log-logistic) curve fits than the decay model, each session's
        own intercept in both (:func:`shape_test`; ``RSS_model / RSS_best - 1``, dimensionless, >= 0).
    shape_p : float
        One-sided bootstrap p-value of ``shape_d`` among the replicates' own (NaN: not computed).
    misfit_times_merged : bool
        Whether a photo time of the lack-of-fit check holds photos taken at different times
        (:func:`times_merged`: a bin of :func:`photo_time_bins`), so that its scatter is that of photos
        at *about* one time; False when every bin is one exact time or the check was not run.
    """

    n_photos: int
    window_h: tuple[float, float]
    data_change: float
    curve_change: float
    gap: float
    p_value: float
    data_ci: tuple[float, float]
    nearest_h: float = _NAN
    data_ci_reported: tuple[float, float] = (_NAN, _NAN)
    curve_verdict: str = ""
    data_verdict: str = ""
    misfit_f: float = _NAN
    misfit_p: float = _NAN
    shape_d: float = _NAN
    shape_p: float = _NAN
    misfit_times_merged: bool = False

    def misses(self, alpha: float = NEAR_CLAIM_ALPHA, beta: float | None = None, gamma: float | None = None) -> bool:
        """Whether the 24 h figure is read from the photos near 24 h: the curve misses them at level
        ``alpha`` (:meth:`gap_misses`), or the curve's shape misses the photos' means at their times at
        level ``beta`` (default :data:`MISFIT_ALPHA`; :meth:`misfit`), or a flat-then-falling curve fits
        far better at level ``gamma`` (default :data:`SHAPE_ALPHA`; :meth:`shape_misses`)."""
        return self.gap_misses(alpha) or self.misfit(beta) or self.shape_misses(gamma)

    def shape_misses(self, gamma: float | None = None) -> bool:
        """Whether photos lie near 24 h and the shape test (:func:`shape_test`) fires at level ``gamma``
        (default :data:`SHAPE_ALPHA`)."""
        gamma = SHAPE_ALPHA if gamma is None else gamma
        return self.n_photos > 0 and math.isfinite(self.shape_p) and self.shape_p < gamma

    def gap_misses(self, alpha: float = NEAR_CLAIM_ALPHA) -> bool:
        """Whether the curve misses the photos near 24 h at level ``alpha`` (two-sided p of ``gap``)."""
        return self.n_photos > 0 and math.isfinite(self.p_value) and self.p_value < alpha

    def misfit(self, beta: float | None = None) -> bool:
        """Whether photos lie near 24 h and the lack-of-fit check (:func:`misfit_run`) fires at level ``beta``
        (default :data:`MISFIT_ALPHA`): the curve's shape does not describe the series."""
        beta = MISFIT_ALPHA if beta is None else beta
        return self.n_photos > 0 and math.isfinite(self.misfit_p) and self.misfit_p < beta

    def far(self, hours: float, limit: float | None = None) -> bool:
        """Whether no photo lies in the window and the nearest lies more than ``limit`` h (default
        :data:`FAR_FROM_CLAIM_H`) from ``hours``."""
        limit = FAR_FROM_CLAIM_H if limit is None else limit
        return self.n_photos == 0 and math.isfinite(self.nearest_h) and abs(self.nearest_h - hours) > limit


def near_claim(t, y, est_params, yb, w, boot, *, hours: float, level: float, drawn: bool = True,
               fraction: float = NEAR_CLAIM_FRACTION, confidence: float | None = None,
               groups=None) -> NearClaim:
    """Check the fitted curve against the photos near ``hours``.

    Parameters
    ----------
    t, y : array_like, shape (n,)
        Hours since treatment and changes (metric unit) of the series.
    est_params : tuple of float
        The fit's ``(lasting, transient, half_life)`` (metric unit, metric unit, h).
    yb, w : numpy.ndarray, shape (B, n)
        The bootstrap replicates' values and weights, rows aligned with ``boot``.
    boot : numpy.ndarray, shape (B, 3)
        Each replicate's refitted ``(lasting, transient, half_life)``.
    drawn : bool
        True when the replicates' values are drawn around the fitted curve (the residual and the
        two-stage designs: their gaps are the null distribution); False when they are the data
        reweighted (the cluster design from 10 subjects: their gaps scatter around the observed
        one, so ``r* - gap`` is the null distribution).
    hours : float
        The claim time, h (24).
    level : float
        Level of ``data_ci`` (the verdict's test level).
    fraction : float
        Half-width of the window as a fraction of ``hours``.
    confidence : float, optional
        Level of ``data_ci_reported`` (the reported intervals'); default ``level``.
    groups : array_like, shape (n,), optional
        Each photo's subject (or session), whose residuals :func:`misfit_run` centres on their own mean;
        default: one group.  The lack-of-fit check needs ``drawn`` replicates (NaN otherwise).

    Returns
    -------
    NearClaim
        ``n_photos`` 0 when no photo lies in the window.

    Examples
    --------
    >>> import numpy as np
    >>> t = np.array([0.5, 1, 2, 4, 8, 24.0])
    >>> c = near_claim(t, np.zeros(6), (0.0, 0.0, 1.0), np.zeros((1, 6)), np.ones((1, 6)),
    ...                np.array([[0.0, 0.0, 1.0]]), hours=24.0, level=0.9)
    >>> c.n_photos, c.window_h, c.gap, c.nearest_h
    (1, (18.0, 30.0), 0.0, 24.0)
    """
    t = np.asarray(t, dtype=float)
    y = np.asarray(y, dtype=float)
    window = (hours * (1.0 - fraction), hours * (1.0 + fraction))
    near = (t >= window[0]) & (t <= window[1])
    post = t[t >= 0]
    nearest = float(post[np.argmin(np.abs(post - hours))]) if post.size else _NAN
    if not near.any():
        return NearClaim(0, window, _NAN, _NAN, _NAN, _NAN, (_NAN, _NAN), nearest)
    rho, misfit_p = (misfit_run(t, y, est_params, yb, w, boot, groups=groups) if drawn and boot is not None
                     else (_NAN, _NAN))
    shape_d, shape_p = (shape_test(t, y, est_params, yb, w, boot, groups=groups) if drawn and boot is not None
                        else (_NAN, _NAN))
    tn = t[near]
    curve = decay_model(tn, *est_params)
    data_change = float(y[near].mean())
    curve_change = float(np.mean(curve))
    gap = data_change - curve_change
    p_value, ci, ci_reported = _NAN, (_NAN, _NAN), (_NAN, _NAN)
    if boot is not None and len(boot):
        wn = np.asarray(w, dtype=float)[:, near]
        total = wn.sum(axis=1)
        has = total > 0
        if has.any():
            ybn = np.asarray(yb, dtype=float)[:, near][has]
            wn, total, bp = wn[has], total[has], np.asarray(boot)[has]
            refit = decay_model(tn[None, :], bp[:, :1], bp[:, 1:2], bp[:, 2:3])
            r_star = ((ybn - refit) * wn).sum(axis=1) / total
            if not drawn:
                r_star = r_star - gap
            p_value = float(min(1.0, 2.0 * min(np.mean(r_star <= gap), np.mean(r_star >= gap))))
            # the replicates' error of the mean near 24 h: their weighted mean minus what they were drawn
            # around (the curve, or the data themselves for the plain cluster design)
            centre = float(np.mean(curve)) if drawn else data_change
            noise = (ybn * wn).sum(axis=1) / total - centre
            ci = _minus(data_change, noise, level)
            ci_reported = _minus(data_change, noise, level if confidence is None else confidence)
    merged = math.isfinite(rho) and times_merged(t[t >= 0], None if groups is None else np.asarray(groups)[t >= 0])
    return NearClaim(int(near.sum()), window, data_change, curve_change, gap, p_value, ci, nearest, ci_reported,
                     misfit_f=rho, misfit_p=misfit_p, shape_d=shape_d, shape_p=shape_p, misfit_times_merged=merged)


def _lof_stat(r: np.ndarray, w: np.ndarray, group: np.ndarray, n_groups: int, time_bin: np.ndarray,
              n_bins: int) -> float:
    """Lack-of-fit ratio of residuals ``r`` (shape (n,)) with weights ``w``: each group's residuals centred on
    their weighted mean, then the weighted mean square of the per-time means (``sum_g W_g m_g**2 / G``, ``W_g``
    the time's weight) over the weighted scatter within times (``sum w (r - m_g)**2 / (W - G)``).  NaN
    without at least 3 times or without repeat photos at a time."""
    gw = np.bincount(group, weights=w, minlength=n_groups)
    gm = np.bincount(group, weights=w * r, minlength=n_groups) / np.where(gw > 0, gw, 1.0)
    rc = r - gm[group]
    bw = np.bincount(time_bin, weights=w, minlength=n_bins)
    has = bw > 0
    n_times = int(has.sum())
    dof = float(bw.sum()) - n_times
    if n_times < 3 or dof <= 0:
        return _NAN
    m = np.bincount(time_bin, weights=w * rc, minlength=n_bins) / np.where(has, bw, 1.0)
    within = float(np.sum(w * (rc - m[time_bin]) ** 2)) / dof
    between = float(np.sum(bw[has] * m[has] ** 2)) / n_times
    return between / within if within > 0 else _NAN


def photo_time_bins(t, groups=None, *, ratio: float | None = None, offset: float | None = None) -> np.ndarray:
    """Which photos count as taken at one time for the lack-of-fit check's scatter at one time.

    Real photo times are seldom shared (08:03, 08:41, 13:17 ...): with photo times as they are, no two
    subjects' photos would share one, and :func:`misfit_run` would have no scatter at one time to compare
    with.  The bins are chosen from the times and the sessions alone, never from the values: each distinct
    time starts a bin; then, repeatedly, the two neighbouring bins (in time order) whose union spans the
    smallest ratio ``(t_max + offset) / (t_min + offset)`` are merged, as long as that ratio is at most
    ``ratio`` and no session has photos in both (a subject's own photos at two times are two times, so a
    schedule every subject kept, exactly or not, is never merged across its nominal times; photos at one
    exact time stay one bin, as before).

    Parameters
    ----------
    t : array_like, shape (n,)
        Hours since treatment (photos at or after treatment; others are binned too, by the same rule).
    groups : array_like, shape (n,), optional
        Each photo's subject or session (any labels); default one group (nothing is merged).
    ratio : float, optional
        Largest ``(t_max + offset) / (t_min + offset)`` of a bin (default :data:`MISFIT_BIN_RATIO`; 1: only
        equal times share a bin).
    offset : float, optional
        Hours added to every time in that ratio (default :data:`MISFIT_BIN_OFFSET_H`).

    Returns
    -------
    numpy.ndarray of int, shape (n,)
        Each photo's bin, numbered 0, 1, ... in time order.

    Examples
    --------
    >>> import numpy as np
    >>> t = np.array([3.7, 4.4, 4.1, 7.5, 8.9, 8.2])
    >>> photo_time_bins(t, ["A", "B", "C"] * 2, ratio=1.5).tolist()
    [0, 0, 0, 1, 1, 1]
    >>> photo_time_bins(t, ["A", "A", "A", "B", "B", "B"], ratio=1.5).tolist()   # one subject's own times
    [0, 2, 1, 3, 5, 4]
    """
    t = np.asarray(t, dtype=float)
    ratio = MISFIT_BIN_RATIO if ratio is None else float(ratio)
    offset = MISFIT_BIN_OFFSET_H if offset is None else float(offset)
    g = _group_codes(groups, t.size)
    times, first = np.unique(t, return_inverse=True)
    first = first.reshape(-1)
    # bins as runs of consecutive distinct times: [start, stop) indices into ``times``, with their sessions
    bins = [[i, i + 1, set(g[first == i].tolist())] for i in range(times.size)]
    while len(bins) > 1:
        best, best_span = -1, math.inf
        for k in range(len(bins) - 1):
            left, right = bins[k], bins[k + 1]
            if left[2] & right[2]:
                continue
            span = (times[right[1] - 1] + offset) / (times[left[0]] + offset)
            if span <= ratio * (1.0 + 1e-12) and span < best_span:
                best, best_span = k, span
        if best < 0:
            break
        left, right = bins[best], bins.pop(best + 1)
        left[1], left[2] = right[1], left[2] | right[2]
    of_time = np.empty(times.size, dtype=int)
    for k, (start, stop, _) in enumerate(bins):
        of_time[start:stop] = k
    return of_time[first]


def times_merged(t, groups=None, *, ratio: float | None = None) -> bool:
    """Whether a bin of :func:`photo_time_bins` (the lack-of-fit check's photo times) holds photos taken at
    different times, so that its scatter is that of photos at about one time, not at one time.

    Parameters
    ----------
    t : array_like, shape (n,)
        Hours since treatment (the check's photos: at or after treatment).
    groups : array_like, shape (n,), optional
        Each photo's subject or session; default one group (nothing is merged).
    ratio : float, optional
        As :func:`photo_time_bins`' (default :data:`MISFIT_BIN_RATIO`).

    Returns
    -------
    bool

    Examples
    --------
    >>> import numpy as np
    >>> times_merged(np.array([3.7, 4.4, 7.5, 8.9]), ["A", "B"] * 2), times_merged(np.array([4.0, 4, 8, 8]), ["A", "B"] * 2)
    (True, False)
    """
    t = np.asarray(t, dtype=float)
    if not t.size:
        return False
    bins = photo_time_bins(t, groups, ratio=ratio)
    return any(np.unique(t[bins == b]).size > 1 for b in np.unique(bins))


def _group_codes(groups, n: int) -> np.ndarray:
    """Each photo's subject or session as an integer code.

    Parameters
    ----------
    groups : array_like, shape (n,), or None
        Any labels (compared as text); None: one group.
    n : int
        The number of photos (used when ``groups`` is None).

    Returns
    -------
    numpy.ndarray of int, shape (n,)
        0, 1, ... in the labels' sorted text order (all 0 without labels).
    """
    if groups is None:
        return np.zeros(n, dtype=int)
    return np.unique(np.asarray(groups).astype(str), return_inverse=True)[1].reshape(-1)


def _replicate_curves(t: np.ndarray, boot: np.ndarray) -> np.ndarray:
    """Each bootstrap replicate's refitted decay curve at the photo times.

    Parameters
    ----------
    t : numpy.ndarray, shape (n,)
        Hours since treatment.
    boot : numpy.ndarray, shape (B, 3)
        Each replicate's ``(lasting, transient, half_life)`` (metric unit, metric unit, h).

    Returns
    -------
    numpy.ndarray, shape (B, n)
        The curves' values (metric unit).
    """
    return decay_model(t[None, :], boot[:, :1], boot[:, 1:2], boot[:, 2:3])


def _bootstrap_p(stat: float, stars: np.ndarray) -> float:
    """One-sided bootstrap p-value ``(1 + #{stars >= stat}) / (1 + B')`` of a statistic.

    Parameters
    ----------
    stat : float
        The series' statistic (dimensionless).
    stars : numpy.ndarray, shape (B',)
        The replicates' statistics that are defined (the caller drops the others).

    Returns
    -------
    float
        In (0, 1]; NaN when ``stars`` is empty.
    """
    if not stars.size:
        return _NAN
    return float((1 + np.sum(stars >= stat)) / (1 + stars.size))


def misfit_run(t, y, est_params, yb, w, boot, *, groups=None, bin_ratio: float | None = None) -> tuple[float, float]:
    """Does the fitted curve miss the photos' means at their times by more than the photos' own scatter
    there?  A lack-of-fit check of the model's shape against the repeat photos at each time.

    The statistic ``F``: the residuals ``y - curve(t)`` of the photos at or after treatment, each subject's
    (``groups``) centred on their own mean (a session's baseline error shifts all of them alike); their mean
    per photo time ``m_g`` (``n_g`` photos); ``F = (sum_g n_g m_g**2 / G) / (sum (r - m_g)**2 / (n - G))``,
    the means' spread over the scatter of the photos taken at one time (other subjects'), the classical
    lack-of-fit ratio against pure error.  A curve of the wrong shape (a plateau then a drop fitted by a slow
    exponential) leaves per-time means of several tenths of a mm against a scatter of about one, so ``F`` is
    large; the right curve gives ``F`` about 1 or less.  The same statistic of every bootstrap replicate
    against its own refit (each row it holds counted once: a subject resampled twice is not a repeat photo)
    is its distribution when the model is right:
    the replicates are drawn from the fitted curve, their residuals resampled without their times.  Photos
    taken at one time by several subjects (or retakes) are needed; without any, NaN.  "One time" is a bin of
    :func:`photo_time_bins` (photos of different sessions within ``bin_ratio`` of each other; the same bins
    for the replicates), so real schedules, whose subjects are never photographed at exactly the same
    minute, are checked too.

    Parameters
    ----------
    t, y : array_like, shape (n,)
        Hours since treatment and changes (metric unit).
    est_params : tuple of float
        The fit's ``(lasting, transient, half_life)`` (metric unit, metric unit, h).
    yb, w : numpy.ndarray, shape (B, n)
        Replicate values (drawn around the fitted curve) and weights.
    boot : numpy.ndarray, shape (B, 3)
        Each replicate's refitted ``(lasting, transient, half_life)``.
    groups : array_like, shape (n,), optional
        Each photo's subject or session (any labels); default one group.
    bin_ratio : float, optional
        Photos of different sessions within this time ratio count as one photo time
        (:func:`photo_time_bins`; default :data:`MISFIT_BIN_RATIO`).

    Returns
    -------
    F : float
        The series' lack-of-fit ratio (dimensionless; NaN with fewer than 3 photo times after treatment or
        no time photographed twice).
    p : float
        One-sided bootstrap p-value ``(1 + #{F* >= F}) / (1 + B')`` over the ``B'`` replicates whose
        statistic is defined (NaN without any).

    Examples
    --------
    >>> import numpy as np
    >>> t = np.repeat([1.0, 2, 4, 8, 12, 24, 48], 3)
    >>> rng = np.random.default_rng(0)
    >>> y = np.where(t < 30, 2.0, 0.0) + rng.normal(0, 0.1, t.size)   # a plateau then a drop
    >>> params = (-8.0, 10.0, 200.0)                                  # a slow, almost straight decline
    >>> curve = params[0] + params[1] * 2 ** (-t / params[2])
    >>> yb = curve + rng.normal(0, 0.3, (200, t.size))
    >>> f, p = misfit_run(t, y, params, yb, np.ones_like(yb), np.tile(params, (200, 1)))
    >>> bool(f > 5), bool(p < 0.05)
    (True, True)
    """
    t = np.asarray(t, dtype=float)
    y = np.asarray(y, dtype=float)
    post = t >= 0
    if boot is None or not len(boot) or np.unique(t[post]).size < 3:
        return _NAN, _NAN
    g = _group_codes(groups, t.size)
    tp = t[post]
    gp = np.unique(g[post], return_inverse=True)[1]
    n_groups = int(gp.max()) + 1
    time_bin = photo_time_bins(tp, gp, ratio=bin_ratio)
    n_bins = int(time_bin.max()) + 1
    r = y[post] - decay_model(tp, *est_params)
    stat = _lof_stat(r, np.ones(tp.size), gp, n_groups, time_bin, n_bins)
    if not math.isfinite(stat):
        return _NAN, _NAN
    bp = np.asarray(boot, dtype=float)
    refit = _replicate_curves(tp, bp)
    rb = np.asarray(yb, dtype=float)[:, post] - refit
    # a subject drawn twice is one subject's photos twice, not repeat photos: each distinct row counts once
    wb = (np.asarray(w, dtype=float)[:, post] > 0).astype(float)
    stars = np.array([_lof_stat(rb[i], wb[i], gp, n_groups, time_bin, n_bins) for i in range(rb.shape[0])])
    return stat, _bootstrap_p(stat, stars[np.isfinite(stars)])


def _loglogistic_basis(t: np.ndarray) -> np.ndarray:
    """``1 / (1 + (t / t50) ** k)`` over the grid of :data:`SHAPE_T50_RANGE_H` x :data:`SHAPE_STEEPNESS`,
    shape (G, n) for ``t`` (h >= 0, shape (n,))."""
    t50 = np.geomspace(*SHAPE_T50_RANGE_H, SHAPE_T50_STEPS)
    t50, k = np.meshgrid(t50, np.asarray(SHAPE_STEEPNESS, dtype=float), indexing="ij")
    return 1.0 / (1.0 + (t[None, :] / t50.reshape(-1, 1)) ** k.reshape(-1, 1))


def _session_centred_rss(y: np.ndarray, w: np.ndarray, onehot: np.ndarray, h: np.ndarray | None = None) -> np.ndarray:
    """Weighted residual sum of squares of ``y`` (shape (B, n), weights ``w`` the same) around each session's
    own mean (``onehot`` shape (n, S)), or with ``h`` (shape (G, n)) the least such sum over the curves of
    ``h`` each fitted with one slope and a session's own intercept; shape (B,)."""
    ws = w @ onehot
    safe = np.where(ws > 0, ws, 1.0)
    yc = y - (((w * y) @ onehot) / safe) @ onehot.T
    syy = np.sum(w * yc * yc, axis=1)
    if h is None:
        return syy
    shh = w @ (h * h).T
    for s in range(onehot.shape[1]):  # minus each session's (weighted sum of h)**2 / its weight
        num = (w * onehot[:, s]) @ h.T
        shh = shh - num ** 2 / safe[:, s:s + 1]
    shy = (w * yc) @ h.T
    ok = shh > 1e-12
    rss = syy[:, None] - np.where(ok, shy ** 2 / np.where(ok, shh, 1.0), 0.0)
    return np.maximum(rss.min(axis=1), 0.0)


def shape_test(t, y, est_params, yb, w, boot, *, groups=None) -> tuple[float, float]:
    """Does a flat-then-falling curve fit the series far better than the decay model?  A shape test that
    needs no repeat photos.

    The second curve family ``lasting + transient / (1 + (t / t50) ** k)`` (log-logistic: flat, then a drop
    around ``t50`` as steep as ``k``; a plateau then a drop is one) is fitted by least squares over a fixed grid
    (:data:`SHAPE_T50_STEPS` values of ``t50`` log-spaced over :data:`SHAPE_T50_RANGE_H`, ``k`` in
    :data:`SHAPE_STEEPNESS`), each subject's (``groups``) own intercept, one ``transient``.  The decay model's
    residuals ``y - curve(t)`` are centred per subject the same way.  ``D = RSS_model / min(RSS_model,
    RSS_loglogistic) - 1`` (>= 0), photos at or after treatment.  The same statistic of every bootstrap
    replicate (drawn from the fitted curve: the model is right there) against its own refit, with its
    resampling weights, is its null distribution.  Unlike :func:`misfit_run` it needs no photos at one time,
    so one subject's series is tested too.  On simulated studies (``bench/bench_decay_jitter.py``, stage 3)
    a plateau then a drop gave ``D`` of about 3 (3 subjects) to 11 (one), the model's own fade about 0.

    Parameters
    ----------
    t, y, est_params, yb, w, boot, groups
        As :func:`misfit_run`'s: shapes (n,), (n,), (3,), (B, n), (B, n), (B, 3), (n,); h since treatment,
        metric unit, ``(lasting, transient, half_life)`` in metric unit, metric unit, h.

    Returns
    -------
    D : float
        Dimensionless, >= 0 (NaN with fewer than 4 photo times after treatment or a perfect fit).
    p : float
        One-sided bootstrap p-value ``(1 + #{D* >= D}) / (1 + B')`` over the ``B'`` replicates with a
        defined statistic (NaN without any).

    Examples
    --------
    >>> import numpy as np
    >>> t = np.array([0.25, 0.5, 1, 2, 4, 8, 12, 24, 48.0])
    >>> rng = np.random.default_rng(0)
    >>> y = np.where(t < 30, 2.0, 0.0) + rng.normal(0, 0.1, t.size)    # a plateau then a drop, one subject
    >>> params = (-8.0, 10.0, 200.0)                                   # a slow, almost straight decline
    >>> curve = params[0] + params[1] * 2 ** (-t / params[2])
    >>> yb = curve + rng.normal(0, 0.3, (200, t.size))
    >>> d, p = shape_test(t, y, params, yb, np.ones_like(yb), np.tile(params, (200, 1)))
    >>> bool(d > 5), bool(p < 0.01)
    (True, True)
    """
    t = np.asarray(t, dtype=float)
    y = np.asarray(y, dtype=float)
    post = t >= 0
    if boot is None or not len(boot) or np.unique(t[post]).size < 4:
        return _NAN, _NAN
    tp = t[post]
    g = _group_codes(groups, t.size)
    onehot = np.eye(int(np.unique(g[post]).size))[np.unique(g[post], return_inverse=True)[1].reshape(-1)]
    h = _loglogistic_basis(tp)
    one = np.ones((1, tp.size))
    res = (y[post] - decay_model(tp, *est_params))[None, :]
    r0 = float(_session_centred_rss(res, one, onehot)[0])
    r1 = min(r0, float(_session_centred_rss(y[post][None, :], one, onehot, h)[0]))
    if not r1 > 0:
        return _NAN, _NAN
    stat = r0 / r1 - 1.0
    bp = np.asarray(boot, dtype=float)
    yp, wp = np.asarray(yb, dtype=float)[:, post], np.asarray(w, dtype=float)[:, post]
    refit = _replicate_curves(tp, bp)
    r0b = _session_centred_rss(yp - refit, wp, onehot)
    r1b = np.minimum(r0b, _session_centred_rss(yp, wp, onehot, h))
    ok = r1b > 0
    return stat, _bootstrap_p(stat, r0b[ok] / r1b[ok] - 1.0)


def _minus(value: float, noise: np.ndarray, level: float) -> tuple[float, float]:
    """The ``level`` interval of ``value`` from the replicates' errors ``noise`` (basic bootstrap: value minus
    the errors' upper and lower quantiles)."""
    q = (1.0 - level) / 2.0
    lo, hi = np.quantile(noise, [q, 1.0 - q])
    return value - float(hi), value - float(lo)
