"""The decay model and its least-squares fit (no bootstrap, no verdict, no text).

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
the residual bootstrap (:mod:`facemetrics.decay.claim`) and are drawn in the
plots.  A photo at exactly ``t = 0`` counts as *after* treatment.  The same
function gives the simulated truth of :mod:`facemetrics.study`.

Fitting
-------
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
in ±5 × max|value| of the series.

Because the model is linear in ``lasting`` and ``transient`` once
``half_life`` is fixed, many series at once (the bootstrap replicates) are
solved by *variable projection* (:func:`profile_fit`): a closed-form bounded
least-squares solve for the two amplitudes on a fine log grid of
half-lives, refined by golden-section search (relative precision ~1e-4 in
half-life).  This is vectorised over replicates and ~100× faster than a
``curve_fit`` call per replicate.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from ..errors import SeriesError  # noqa: F401 - defined in errors (importable from the package root); re-exported here

__all__ = [
    "AMPLITUDE_MULTIPLE",
    "HALF_LIFE_BOUNDS",
    "HALF_LIFE_STARTS",
    "DecayParams",
    "SeriesError",
    "decay_model",
    "default_amplitude_bound",
    "default_half_life_bounds",
    "fit_decay",
    "profile_fit",
]

#: default half-life bounds, hours
HALF_LIFE_BOUNDS = (0.05, 5000.0)
#: lasting/transient are bounded by this multiple of max|value|
AMPLITUDE_MULTIPLE = 5.0
#: half-life starting values (hours) tried by :func:`fit_decay`
HALF_LIFE_STARTS = (0.25, 1.0, 3.0, 8.0, 24.0, 72.0, 240.0, 1000.0)
#: size of the fine log grid of the profile (variable projection) search
_PROFILE_GRID = 121
#: golden-section steps refining the profile's minimum (0.618^22 = 2.5e-5 of its two-grid-step bracket)
_GOLDEN_STEPS = 22

_NAN = float("nan")


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


def profile_fit(t, y, w, bound, half_life_bounds=HALF_LIFE_BOUNDS):
    """Vectorised global least-squares fit of many replicates (variable projection).

    ``t`` (n,) hours; ``y`` and ``w`` (B, n): values (metric unit) and
    observation weights of each replicate; ``bound`` the amplitude bound.

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


def default_half_life_bounds(t) -> tuple[float, float]:
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


def default_amplitude_bound(y) -> float:
    """``5 × max|y|`` (metric unit): the default bound of ``lasting`` and ``transient``; 1 when every ``y`` is 0."""
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
        half_life_bounds = default_half_life_bounds(t)
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
    bound = float(amplitude_bound) if amplitude_bound is not None else default_amplitude_bound(y)
    if not (bound > 0 and math.isfinite(bound)):
        raise SeriesError(f"invalid amplitude_bound {amplitude_bound!r}")

    starts = HALF_LIFE_STARTS if half_life_starts is None else tuple(half_life_starts)
    starts = np.clip(np.asarray(starts, dtype=float), lo_h, hi_h)
    best, messages = _best_of_starts(t, y, starts, bound, (lo_h, hi_h))
    sse, lasting, transient, half_life = best
    if not all(map(math.isfinite, best)):  # pragma: no cover - defensive
        return failed("; ".join(messages) or "no start converged")
    return DecayParams(lasting, transient, half_life, sse, math.sqrt(sse / n), n, True, "ok")




def _best_of_starts(t, y, starts, bound, hl_bounds):
    """Polish every start with ``curve_fit``; keep the smallest SSE.

    The global profile optimum (:func:`profile_fit`) is both one more start
    and the solution to beat.  Returns ``((sse, lasting, transient,
    half_life), messages of failed starts)``.
    """
    lo_h, hi_h = hl_bounds
    n = t.size
    # global profile search (exact bounded LS amplitudes on a fine log grid)
    vl, vs, vh, vsse = profile_fit(t, y[None, :], np.ones((1, n)), bound, (lo_h, hi_h))
    starts = np.unique(np.concatenate([starts, vh]))
    l0, s0, _ = _profile_grid(t, y[None, :], np.ones((1, n)), starts, bound)
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
            popt = _curve_fit(t, y, p0, lb, ub)
        except (RuntimeError, ValueError) as exc:  # pragma: no cover - defensive
            messages.append(str(exc))
            continue
        resid = y - _model_logh(t, *popt)
        sse = float(resid @ resid)
        if sse < best[0] - 1e-12 * max(best[0], 1e-300):
            best = (sse, float(popt[0]), float(popt[1]), float(math.exp(popt[2])))
    return best, messages


def _curve_fit(t, y, p0, lb, ub):
    """One bounded trust-region fit of ``(lasting, transient, ln half_life)`` from ``p0``."""
    # imported here, not with the module: the tables and plots that import this package (the
    # `compare` command, the app) do not fit, and importing scipy.optimize costs 0.35 s of CPU
    from scipy.optimize import OptimizeWarning, curve_fit

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
    return popt
