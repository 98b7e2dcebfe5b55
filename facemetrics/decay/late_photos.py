"""Do the photos taken after a day follow the fitted curve?  (A check past the claim time.)

The decay model's curve (:mod:`facemetrics.decay.model`) moves one way in time and ends at a lasting level.  A
face that goes past its before photos after the lift (a dip below baseline at 1-2 days, gone by day 4) or whose
change comes back after fading (a delayed return) has no such curve: on simulated first sessions under those
truths the curve turned a dip into a lasting level of -0.19 to -0.41 mm below baseline, or read about 0.1 mm where
the face was 0.4 mm above it (docs/validation.md sections 22d and 23).  Rule 6's checks
(:mod:`facemetrics.decay.near_claim`) look at the photos near 24 h only.

The check, for the photos at or after :data:`LATE_AFTER_H` (h after treatment), grouped into photo times as
:func:`~facemetrics.decay.near_claim.photo_time_bins` groups them: at each photo time the photos' mean change, the
fitted curve's mean there, the gap between them, the gap's two-sided bootstrap p among the replicates' own gaps
(each replicate's weighted mean there against its own refitted curve: what scatter alone gives when the model is
right) and the mean's interval (the replicates' error of that mean, as rule 6's).  A photo time *does not follow
the curve* (:meth:`LateTime.off_curve`) when

- the curve misses it (p below :data:`LATE_ALPHA`) and its photos lie beyond the margin, or
- its photos lie beyond the margin on the side opposite the fitted peak, their interval excluding 0 (the face
  went past its before photos after the lift: the model can only call that a lasting level of the other sign).

A series of **one subject** needs more (:data:`LATE_ALPHA_ONE`, :data:`LATE_OPPOSITE_P_ONE`; stop 58, docs/validation.md
section 23b): the curve missing the photo time at p below 0.01, or the opposite side with the curve also missing it
at p below 0.10.  One subject's late photo has no average over subjects, and rule 8 fired on one-subject series of the
shapes that move one way in time (the model's own and section 10's monotone truths) in up to 15 % of a cell's studies
(tuning half; 25 % held out), as in section 23's held-out ``demo x1`` ``model_3h`` (10 %); now in at most 5 %.  The
cost: one subject's dip or return is caught in about 5 % of studies (23 % before); 3 subjects' are not changed.

Then the lasting level is not shown (:mod:`facemetrics.decay.claim` withholds ``lasting`` and says why); the 24 h
verdict is read at 24 h by rules 3-7 and is not changed.  The level was chosen by the rule of docs/validation.md
section 23, on ``bench/bench_late_photos.py``'s tuning half.

Pure functions of arrays; no file I/O.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .model import decay_model
from .near_claim import photo_time_bins

__all__ = ["LATE_AFTER_H", "LATE_ALPHA", "LATE_ALPHA_ONE", "LATE_OPPOSITE", "LATE_OPPOSITE_P_ONE", "LateTime",
           "late_photos", "off_curve"]

_NAN = float("nan")

#: photos at or after this many hours after treatment are "after a day" for the check (1.5 x the claim's 24 h,
#: past rule 6's 18-30 h window)
LATE_AFTER_H = 36.0
#: the check's level: a late photo time whose gap's two-sided bootstrap p is below this, its photos beyond the
#: margin, does not follow the curve (docs/validation.md section 23, tuning half of bench/bench_late_photos.py)
LATE_ALPHA = 0.05
#: whether photos beyond the margin on the side opposite the fitted peak (interval excluding 0) count as not
#: following the curve whatever the gap (docs/validation.md section 23)
LATE_OPPOSITE = True
#: a series of one subject: the level of the first condition (the curve misses the photo time) instead of
#: :data:`LATE_ALPHA` (docs/validation.md section 23b, candidate S1, chosen on the tuning half of
#: ``bench/bench_late_photos.py --rule s58``, seed base 2026120858)
LATE_ALPHA_ONE = 0.01
#: a series of one subject: the opposite-side condition counts only where the curve also misses the photo time at a
#: two-sided bootstrap p below this (section 23b)
LATE_OPPOSITE_P_ONE = 0.10


@dataclass(frozen=True)
class LateTime:
    """One photo time after :data:`LATE_AFTER_H` against the fitted curve.

    Attributes
    ----------
    times_h : tuple of float
        Its photos' earliest and latest hours after treatment, h.
    n_photos : int
        Photos at that time.
    data_change, curve_change, gap : float
        The photos' mean change, the fitted curve's mean at their times, and their difference (metric unit).
    p_value : float
        Two-sided bootstrap p-value of ``gap`` (NaN without replicates holding those photos).
    data_ci : tuple of float
        Interval of ``data_change`` (metric unit) at the requested level.
    """

    times_h: tuple[float, float]
    n_photos: int
    data_change: float
    curve_change: float
    gap: float
    p_value: float
    data_ci: tuple[float, float]

    def off_curve(self, delta: float, peak: float, *, alpha: float | None = None,
                  opposite: bool | None = None, one_subject: bool = False) -> bool:
        """Whether this photo time does not follow the curve: beyond the margin ``delta`` and missed by the curve
        (``p_value`` below ``alpha``, default :data:`LATE_ALPHA`, or :data:`LATE_ALPHA_ONE` for ``one_subject``), or
        (``opposite``, default :data:`LATE_OPPOSITE`) beyond it on the side opposite ``peak`` (the fitted peak change)
        with its interval excluding 0 (for ``one_subject``, only where ``p_value`` is also below
        :data:`LATE_OPPOSITE_P_ONE`: section 23b)."""
        if alpha is None:
            alpha = LATE_ALPHA_ONE if one_subject else LATE_ALPHA
        opposite = LATE_OPPOSITE if opposite is None else opposite
        if not (math.isfinite(self.data_change) and delta > 0 and abs(self.data_change) >= delta):
            return False
        missed = math.isfinite(self.p_value) and self.p_value < alpha
        lo, hi = self.data_ci
        beyond_zero = (lo > 0) or (hi < 0)
        other_side = bool(math.isfinite(peak) and peak * self.data_change < 0 and beyond_zero)
        if one_subject:
            other_side = other_side and math.isfinite(self.p_value) and self.p_value < LATE_OPPOSITE_P_ONE
        return missed or (opposite and other_side)


def late_photos(t, y, est_params, yb, w, boot, *, level: float, groups=None, drawn: bool = True,
                after_h: float | None = None) -> tuple[LateTime, ...]:
    """The photo times at or after ``after_h`` (default :data:`LATE_AFTER_H`) against the fitted curve.

    Parameters
    ----------
    t, y : array_like, shape (n,)
        Hours since treatment and changes (metric unit).
    est_params : tuple of float
        The fit's ``(lasting, transient, half_life)`` (metric unit, metric unit, h).
    yb, w : numpy.ndarray, shape (B, n)
        The bootstrap replicates' values and weights.
    boot : numpy.ndarray, shape (B, 3)
        Each replicate's refitted ``(lasting, transient, half_life)``.
    level : float
        Level of each ``data_ci``.
    groups : array_like, shape (n,), optional
        Each photo's subject or session (for the photo times' bins); default one group.
    drawn : bool
        As :func:`facemetrics.decay.near_claim.near_claim`'s: whether the replicates are drawn around the curve.
    after_h : float, optional
        The first late hour (h).

    Returns
    -------
    tuple of LateTime
        In time order; empty without a photo at or after ``after_h``.

    Examples
    --------
    >>> import numpy as np
    >>> t = np.array([1.0, 2, 4, 24, 48, 48])
    >>> late = late_photos(t, np.array([1, .8, .5, 0, -.5, -.4]), (0.0, 1.2, 3.0), np.zeros((1, 6)),
    ...                    np.ones((1, 6)), np.array([[0.0, 1.2, 3.0]]), level=0.95, groups=["A"] * 3 + ["B"] * 3)
    >>> [(x.times_h, x.n_photos, round(x.data_change, 2)) for x in late]
    [((48.0, 48.0), 2, -0.45)]
    """
    t = np.asarray(t, dtype=float)
    y = np.asarray(y, dtype=float)
    after = LATE_AFTER_H if after_h is None else float(after_h)
    post = t >= 0
    if not np.any(t >= after):
        return ()
    g = np.zeros(t.size, dtype=int) if groups is None else np.unique(np.asarray(groups).astype(str),
                                                                       return_inverse=True)[1].reshape(-1)
    bins = np.full(t.size, -1)
    bins[post] = photo_time_bins(t[post], g[post])
    out = []
    for b in np.unique(bins[t >= after]):
        sel = (bins == b) & (t >= after)
        out.append(_one_time(t[sel], y[sel], est_params, np.asarray(yb, dtype=float)[:, sel],
                             np.asarray(w, dtype=float)[:, sel], boot, level=level, drawn=drawn))
    return tuple(out)


def _one_time(t: np.ndarray, y: np.ndarray, est_params, yb: np.ndarray, w: np.ndarray, boot, *, level: float,
              drawn: bool) -> LateTime:
    """One late photo time's :class:`LateTime` (the photos ``t``, ``y``, shape (m,); replicates ``yb``, ``w``,
    shape (B, m))."""
    curve = decay_model(t, *est_params)
    data_change, curve_change = float(y.mean()), float(np.mean(curve))
    gap = data_change - curve_change
    p_value, ci = _NAN, (_NAN, _NAN)
    total = w.sum(axis=1)
    has = total > 0
    if boot is not None and len(boot) and has.any():
        bp = np.asarray(boot, dtype=float)[has]
        ybn, wn, total = yb[has], w[has], total[has]
        refit = decay_model(t[None, :], bp[:, :1], bp[:, 1:2], bp[:, 2:3])
        r_star = ((ybn - refit) * wn).sum(axis=1) / total
        if not drawn:
            r_star = r_star - gap
        p_value = float(min(1.0, 2.0 * min(np.mean(r_star <= gap), np.mean(r_star >= gap))))
        noise = (ybn * wn).sum(axis=1) / total - (curve_change if drawn else data_change)
        q = (1.0 - level) / 2.0
        lo, hi = np.quantile(noise, [q, 1.0 - q])
        ci = (data_change - float(hi), data_change - float(lo))
    return LateTime((float(t.min()), float(t.max())), int(t.size), data_change, curve_change, gap, p_value, ci)


def off_curve(late, delta: float, peak: float, *, alpha: float | None = None,
              opposite: bool | None = None, one_subject: bool = False) -> LateTime | None:
    """The first photo time of ``late`` (:func:`late_photos`) that does not follow the curve
    (:meth:`LateTime.off_curve`; ``one_subject``: the series is of one subject), or None."""
    for x in late:
        if x.off_curve(delta, peak, alpha=alpha, opposite=opposite, one_subject=one_subject):
            return x
    return None
