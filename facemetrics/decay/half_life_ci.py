"""The half-life's profile-likelihood interval: one subject's ``half_life_h`` CI that accounts for its few photos.

One subject's decay fit has few photos (6-9 typically) for 3 parameters, so 3-6 residual degrees of freedom.
Its residual bootstrap draws every replicate with the residuals' own spread, so the percentile interval of the
replicates' half-lives behaves as a normal interval with the noise SD taken as known: with 9 photos, one subject
and no between-subject spread it held the true half-life in 90 % of 1,080 simulated studies (80 % in the worst of
36 cells; docs/validation.md section 7, "Stop 63").  With 6 degrees of freedom Student's t quantile is 25 %
larger than the normal's (2.45 against 1.96); no resampling of 6-9 residuals shows how uncertain their own
spread is.

:func:`profile_interval` is the F (profile likelihood) interval of nonlinear least squares in the half-life
(Bates & Watts 1988, sec. 6.1): every half-life whose profiled sum of squares (lasting and transient refitted at
that half-life, :func:`facemetrics.decay.model._profile_grid`) is at most
``SSE_min (1 + t(df; (1 + level) / 2)² / df)``, ``df = n - 3``, read on a log grid of the half-life's bounds
and interpolated at its ends (the hull: a profile with two dips gives one interval over both).
:func:`facemetrics.decay.claim.analyze_series` reports it as ``half_life_h_ci_*`` in the residual design (one
subject, or a pooled fit of fewer than 3 subjects); the cluster design keeps the bootstrap's percentile interval,
and every other interval and verdict still comes from the bootstrap.  No file I/O.
"""

from __future__ import annotations

import math

import numpy as np

from .model import _profile_grid

__all__ = ["profile_interval", "t_quantile"]

_NAN = float("nan")
#: points of the log grid of the half-life's bounds on which the profile is read (the interval's ends are
#: interpolated between them; the default bounds 0.125-5000 h give steps of 1.8 %)
_PROFILE_POINTS = 600
#: bisection steps of :func:`t_quantile` (the bracket [0, 1e4] halved 60 times: below 1e-14)
_BISECTION_STEPS = 60


def _t_two_sided(x: float, df: int) -> float:
    """P(|T| <= x) for Student's t with a whole number ``df`` >= 1 of degrees of freedom (closed form;
    Abramowitz & Stegun 26.7.3-4)."""
    theta = math.atan(x / math.sqrt(df))
    c, s = math.cos(theta), math.sin(theta)
    if df % 2:  # odd
        term, total = c, 0.0 if df == 1 else c
        for k in range(3, df - 1, 2):
            term *= c * c * (k - 1) / k
            total += term
        return (2.0 / math.pi) * (theta + s * total) if df > 1 else 2.0 * theta / math.pi
    term, total = 1.0, 1.0
    for k in range(2, df - 1, 2):
        term *= c * c * (k - 1) / k
        total += term
    return s * total


def t_quantile(p: float, df: int) -> float:
    """Student's t quantile ``p`` (in (0.5, 1)) for a whole number ``df`` >= 1 of degrees of freedom.

    Bisection of the closed-form distribution function; not ``scipy.stats`` (its import costs about 0.9 s of
    CPU, :func:`facemetrics.compare.floors.t_975`).

    Examples
    --------
    >>> round(t_quantile(0.975, 6), 4)
    2.4469
    """
    if not (0.5 < p < 1.0 and int(df) == df and df >= 1):
        raise ValueError(f"t_quantile needs 0.5 < p < 1 and a whole df >= 1, got p={p}, df={df}")
    target = 2.0 * p - 1.0
    lo, hi = 0.0, 1e4
    for _ in range(_BISECTION_STEPS):
        mid = 0.5 * (lo + hi)
        if _t_two_sided(mid, int(df)) < target:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


def profile_interval(t, y, half_life: float, bound: float, half_life_bounds, level: float,
                     w=None) -> tuple[float, float]:
    """The profile-likelihood (F) interval of the half-life, hours.

    Parameters
    ----------
    t, y : array_like, shape (n,)
        Hours since treatment (before it: baseline rows) and values (metric unit), one row per photo.
    half_life : float
        The fit's half-life (hours, the profile's minimum); the interval always contains it.
    bound : float
        The amplitude bound of the fit (metric unit, :func:`facemetrics.decay.model.default_amplitude_bound`).
    half_life_bounds : (float, float)
        The half-life's bounds (hours); the interval stays within them.
    level : float
        Confidence level in (0.5, 1).
    w : array_like, shape (n,), optional
        Photo weights of the sum of squares (e.g. 1 / noise floor²); default 1.  ``analyze_series`` gives none:
        weighting by the photos' floors did not pass its rule (docs/validation.md section 26).

    Returns
    -------
    (low, high) : tuple of float
        Hours; ``(half_life, half_life)`` for a series the curve fits exactly (no residual spread), NaN for fewer
        than 4 photos (no degree of freedom) or a half-life that is not finite.
    """
    t, y = np.asarray(t, float), np.asarray(y, float)
    df = t.size - 3
    if df < 1 or not math.isfinite(half_life):
        return _NAN, _NAN
    w = np.ones((1, t.size)) if w is None else np.asarray(w, float).reshape(1, t.size)
    log_grid = np.linspace(math.log(half_life_bounds[0]), math.log(half_life_bounds[1]), _PROFILE_POINTS)
    sse = _profile_grid(t, y[None, :], w, np.exp(log_grid), bound)[2][0]
    sse_min = min(float(sse.min()), float(_profile_grid(t, y[None, :], w, np.array([half_life]), bound)[2][0, 0]))
    limit = sse_min * (1.0 + t_quantile(0.5 + level / 2.0, df) ** 2 / df)
    inside = np.flatnonzero(sse <= limit)
    if inside.size == 0:
        return half_life, half_life
    lo_i, hi_i = int(inside.min()), int(inside.max())
    low = _edge(log_grid, sse, limit, lo_i, lo_i - 1)
    high = _edge(log_grid, sse, limit, hi_i, hi_i + 1)
    return min(low, half_life), max(high, half_life)


def _edge(log_grid: np.ndarray, sse: np.ndarray, limit: float, inside: int, outside: int) -> float:
    """The half-life (hours) where the profile crosses ``limit`` between grid points ``inside`` and ``outside``
    (linear in log half-life); the grid's end when ``outside`` is beyond it."""
    if outside < 0 or outside >= log_grid.size:
        return float(math.exp(log_grid[inside]))
    a, b = float(sse[inside]), float(sse[outside])
    frac = (limit - a) / (b - a) if b > a else 0.0
    return float(math.exp(log_grid[inside] + frac * (log_grid[outside] - log_grid[inside])))
