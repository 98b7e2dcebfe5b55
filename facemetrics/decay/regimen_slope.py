"""The regimen slope: cumulative change over days, from the pre-session photos (:func:`analyze_regimen`).

The regimen study it is fitted to (every later session's pre-session photos compared with the first
session's baseline) is built and run by :mod:`facemetrics.regimen`; this module only fits its table.

A common slope over days with one intercept per subject, its bootstrap (whole subjects, or
moving blocks of days: :func:`_regimen_boot_weights`) and its verdict against the margin of
:mod:`facemetrics.decay.margin`.  The table is read as the decay series' is
(:mod:`facemetrics.decay.inputs`), the bootstrap's shared parts are
:mod:`facemetrics.decay.bootstrap`.  No image code, no plotting, no file I/O.
"""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np
import pandas as pd

from .._version import __version__
from ..schema import REGIMEN_COLUMNS
from .bootstrap import MIN_CLUSTERS, MIN_VERDICT_REPLICATES, check_settings, _ci, _group_rng, _scale_factors
from .inputs import UNREAD_VERDICTS, _at_two_times, _calibration_sources, _hours, _labels, _repeated, _sources
from .margin import INCONCLUSIVE, check_min_effect, _floor_and_margin
from .model import SeriesError
from ..listing import join_words
from .wording import ci_range, metric_rank, percent, quantity, raised_margin_note

__all__ = [
    "CUMULATIVE",
    "MIN_REGIMEN_DAYS",
    "NO_CUMULATIVE",
    "REGIMEN_COLUMNS",
    "REGIMEN_FEW_DAYS",
    "analyze_regimen",
    "regimen_levels",
]

_NAN = float("nan")


#: verdicts of a regimen row
CUMULATIVE = "cumulative_change"
NO_CUMULATIVE = "no_cumulative_change"


#: a regimen fit needs pre-session photos on at least this many distinct days after day 0 (a slope + one check)
MIN_REGIMEN_DAYS = 3

#: a one-subject (moving-block) regimen row with pre-session photos on fewer than this many days after day 0 has
#: its CIs widened to hold the photos' noise-floor interval (:func:`_floor_slope_se`): with 3 days the bootstrap
#: resamples 3 points and its 95 % CI held the true slope in 68 % / 75 % of 28 studies (docs/validation.md §12,
#: Round 23); with 4 days in 91 % / 91 % of 33
REGIMEN_FEW_DAYS = 4


def _regimen_slope(d: np.ndarray, y: np.ndarray, g: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Least-squares common slope with one intercept per subject, for every weight row.

    ``d`` days, ``y`` values (shape (n,), or (B, n): one row of values per weight row, e.g. scaled by
    :func:`_scale_factors`), ``g`` subject codes (shape (n,)); ``w`` (B, n) observation weights
    (bootstrap counts).  Returns (B,) slopes (value unit per day).
    """
    y = np.broadcast_to(y, w.shape)
    n_g = int(g.max()) + 1 if g.size else 0
    onehot = np.zeros((g.size, n_g))
    onehot[np.arange(g.size), g] = 1.0
    sw = w @ onehot  # (B, G)
    with np.errstate(invalid="ignore", divide="ignore"):
        md = (w * d) @ onehot / sw
        my = (w * y) @ onehot / sw
    md = np.nan_to_num(md)[:, g]  # (B, n): each observation's subject mean
    my = np.nan_to_num(my)[:, g]
    dc, yc = d[None, :] - md, y - my
    sxx = (w * dc * dc).sum(axis=1)
    sxy = (w * dc * yc).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(sxx > 0, sxy / sxx, np.nan)


def _floor_slope_se(d: np.ndarray, g: np.ndarray, floors: np.ndarray) -> float:
    """Standard error [value unit per day] of the common slope (one intercept per subject) when each level's own
    error is its photo's: ``|noise_floor| / (1.96 sqrt 2)`` (a change's floor bounds two photos' errors at about
    95 %; the day-0 photo's is common to a subject's levels and goes into its intercept).  ``d`` days, ``g``
    subject codes, ``floors`` the rows' noise floors (shape (n,) each); a row whose floor is not finite and
    positive takes the others' median (as the verdict's margin reads the median floor); NaN when no row has one or
    the days do not vary within a subject."""
    f = np.abs(np.asarray(floors, dtype=float))
    ok = np.isfinite(f) & (f > 0)
    if not ok.any():
        return _NAN
    f = np.where(ok, f, np.median(f[ok]))
    w = 1.0 / (f / (1.96 * math.sqrt(2.0))) ** 2
    dc = d.astype(float).copy()
    for k in np.unique(g):
        m = g == k
        dc[m] -= np.sum(w[m] * d[m]) / np.sum(w[m])
    sxx = float(np.sum(w * dc * dc))
    return 1.0 / math.sqrt(sxx) if sxx > 0 else _NAN


def _few_days_widened(ci: tuple[float, float], centre: float, half: float) -> tuple[float, float]:
    """``ci`` widened to hold ``centre ± half`` (unchanged when ``half`` is not finite or ``ci`` has no ends)."""
    if not (math.isfinite(half) and np.isfinite(ci[0]) and np.isfinite(ci[1])):
        return ci
    return min(ci[0], centre - half), max(ci[1], centre + half)


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
    min_effect: float | None = None,
    n_boot: int = 400,
    seed: int = 0,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Cumulative change over days of a treatment regimen, from the pre-session photos.

    A daily microcurrent (or weekly RF) user photographs the face before
    every session.  Each pre-session photo compared with the first session's
    baseline (day 0) gives the *level* reached so far, free of that day's
    transient lift (which :func:`~facemetrics.decay.claim.analyze_series` fits separately from the
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
    person's photos are correlated (pose, light, season).  In a unit the mm
    scale enters (:data:`~facemetrics.decay.bootstrap.SCALE_POWER`) every replicate's values are also
    multiplied by one draw of the scale's error, as in the decay fits
    (:func:`_scale_factors`): the common part only when whole subjects are
    resampled, else also each subject's own part and its one session's (every
    level of a subject is read against its day-0 baseline); for levels read in a
    user-given scale (``calibration_source``) that scale's error instead, as in
    the decay fits.  A moving-block row with photos on fewer than
    :data:`REGIMEN_FEW_DAYS` days after day 0 (3) has its CIs widened to hold
    ``slope ± z × SE``, SE from the rows' ``noise_floor`` (:func:`_floor_slope_se`):
    a bootstrap of 3 days resamples 3 points and sees no photo's own error
    (docs/validation.md §12, Round 23).

    Verdict on ``change_day_n`` with ``delta = max(min_effect, noise_floor)``
(``min_effect`` default per unit, :data:`~facemetrics.decay.margin.MIN_EFFECT`; ``noise_floor`` the median
of the series'):
    ``cumulative_change`` when its CI lies beyond ±delta, ``no_cumulative_change``
    when inside, else ``inconclusive``.

    Parameters
    ----------
    levels : pandas.DataFrame
        Tidy table with ``subject``, ``treatment``, ``metric``, ``side``,
        ``value`` [metric unit], ``unit``, optional ``noise_floor``, optional
        ``calibration_source`` (as in :func:`~facemetrics.decay.claim.analyze_series`), and the
        time since the first session as ``days_since_start`` [days] or
        ``hours_since_treatment`` [h] (as written by the regimen batch).
    day_n : float, optional
        Day at which the change is reported (default: the last day with data).
    min_effect, n_boot, seed, confidence
        As in :func:`~facemetrics.decay.claim.analyze_series`.

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
    level, n_boot, seed = check_settings(confidence, n_boot, seed)
    check_min_effect(min_effect)
    df = _regimen_levels(levels)
    groups = sorted(df.groupby(["treatment", "metric", "side"], sort=True),
                    key=lambda kg: (str(kg[0][0]), metric_rank(kg[0][1]), str(kg[0][2])))
    rows = [_regimen_row(grp, treatment=treatment, metric=metric, side=side, day_n=day_n, min_effect=min_effect,
                         n_boot=n_boot, seed=seed, level=level)
            for (treatment, metric, side), grp in groups]
    frame = pd.DataFrame(rows, columns=list(REGIMEN_COLUMNS))
    frame["facemetrics_version"] = __version__
    return frame


def _regimen_levels(levels: pd.DataFrame) -> pd.DataFrame:
    """The checked, typed copy of a levels table with ``days_since_start`` (rows with finite day and
    value and, when the table has a ``verdict`` column, not one of :data:`UNREAD_VERDICTS`), each
    photo once (:func:`_repeated`) and none listed at two or more days (:func:`_at_two_times`, as in
    the series: among every row with a finite day, whatever its verdict)."""
    if not isinstance(levels, pd.DataFrame):
        raise SeriesError(f"levels must be a pandas DataFrame, not {type(levels).__name__}")
    df = levels.copy()
    if "days_since_start" not in df.columns:
        if "hours_since_treatment" not in df.columns:
            raise SeriesError("levels need days_since_start or hours_since_treatment")
        df["days_since_start"] = pd.to_numeric(_hours(df["hours_since_treatment"]), errors="coerce") / 24.0
    for c in ("subject", "treatment", "metric", "side", "value"):
        if c not in df.columns:
            raise SeriesError(f"levels lack column {c}")
    df = _labels(df)
    df["unit"] = df["unit"].fillna("").astype(str) if "unit" in df.columns else ""
    if "calibration_source" in df.columns:
        df["calibration_source"] = _calibration_sources(df["calibration_source"])
    df["value"] = pd.to_numeric(df["value"], errors="coerce")
    df["days_since_start"] = pd.to_numeric(df["days_since_start"], errors="coerce")
    timed = np.isfinite(df["days_since_start"]).to_numpy()
    twice = np.zeros(len(df), dtype=bool)  # one file at two days: a copy, left out at both (as in the series)
    twice[timed] = _at_two_times(df[timed], levels.iloc[np.flatnonzero(timed)], "days_since_start")
    keep = (np.isfinite(df["value"]) & np.isfinite(df["days_since_start"])).to_numpy()
    if "verdict" in df.columns:
        keep = keep & ~df["verdict"].isin(UNREAD_VERDICTS).to_numpy()
    df, source, twice = df[keep], levels.iloc[np.flatnonzero(keep)], twice[keep]
    return df[~(_repeated(df, source, "days_since_start") | twice)]  # a photo listed twice counts once


def regimen_levels(levels: pd.DataFrame) -> pd.DataFrame:
    """The levels table as :func:`analyze_regimen` reads it: ``days_since_start`` (from timedelta or
    numeric hours), labels as :func:`_labels`, rows with finite day and value, not ``uncertain``, each
    photo once.  For plotting the same points the fit used (``plots.plot_regimen``).

    Raises
    ------
    SeriesError
        As :func:`analyze_regimen`.
    """
    return _regimen_levels(levels)


def _regimen_boot_weights(d, g, n_subjects: int, n_boot: int, rng) -> tuple[str, np.ndarray]:
    """Bootstrap weights (B, n): whole subjects with >= MIN_CLUSTERS of them, else moving blocks of days."""
    if n_subjects >= MIN_CLUSTERS:
        draw = rng.integers(0, n_subjects, size=(n_boot, n_subjects))
        counts = np.zeros((n_boot, n_subjects))
        for b in range(n_boot):
            np.add.at(counts[b], draw[b], 1.0)
        return "cluster", counts[:, g]
    day = np.round(d).astype(int)
    groups = []
    for k in range(n_subjects):
        idx = np.flatnonzero(g == k)
        groups.append([idx[day[idx] == u] for u in np.unique(day[idx])])
    return "moving_block", _block_weights(groups, d.size, n_boot, rng)


def _too_few_days_reason(d: np.ndarray, y: np.ndarray, n_days: int, n_subjects: int, unit: str, floor: float,
                         delta: float) -> str:
    """The reason of a regimen row with pre-session photos on fewer than :data:`MIN_REGIMEN_DAYS` days after day 0
    (``d`` days, ``y`` changes from day 0's baseline [``unit``]).  It said "on only 1 day(s) after day 0 (need at
    least 3)" and nothing of what that photo read: a clinic RF patient's before photo of treatment 2, 0.57 mm above
    treatment 1's at day 14 (noise floor 0.12 mm), was said nowhere else as a change from the first before photo
    (docs/validation.md §12, Round 19).  With one subject, each such day's change is now given, with the floor and
    the margin, as single photos' changes (no trend is fitted from them)."""
    head = (f"Pre-session photos on only {n_days} day{'s' if n_days != 1 else ''} after day 0 (need them on at least "
            f"{MIN_REGIMEN_DAYS}): no cumulative change can be fitted.")
    later = d > 0.5
    if n_subjects != 1 or not later.any():
        return head
    by_day = pd.Series(y[later]).groupby(np.round(d[later]).astype(int)).mean()
    read = join_words([f"{quantity(v, unit)} on day {k}" for k, v in by_day.items()])
    noise = f"noise floor {quantity(floor, unit)}, margin \u00b1{quantity(delta, unit)}" if math.isfinite(floor) else \
        f"margin \u00b1{quantity(delta, unit)}"
    one = len(by_day) == 1
    what = "a single photo's change" if one else "single photos' changes"
    return (head + f" The pre-session photo{'' if one else 's'} read{'s' if one else ''} {read} against day 0's baseline "
            f"({noise}): {what}, not a fitted trend.")


def _regimen_row(grp: pd.DataFrame, *, treatment, metric, side, day_n, min_effect, n_boot, seed, level) -> dict:
    """One row of :func:`analyze_regimen`: slope, change at ``day_n``, CIs and verdict."""
    grp = grp.sort_values(["subject", "days_since_start"], kind="stable")
    d = grp["days_since_start"].to_numpy(float)
    y = grp["value"].to_numpy(float)
    subj_codes, subj_names = pd.factorize(grp["subject"], sort=True)
    g = np.asarray(subj_codes)
    unit = next((u for u in grp["unit"] if u), "")
    floor, delta = _floor_and_margin(grp, unit, min_effect)
    n_days = int(np.unique(np.round(d[d > 0.5])).size)
    dn = float(round(d.max())) if day_n is None else float(day_n)
    row = dict(kind="regimen", treatment=treatment, metric=metric, side=side, subject=None, unit=unit,
               n_photos=int(d.size), n_subjects=len(subj_names), n_days=n_days, day_n=dn,
               smallest_meaningful_change=delta, bootstrap="none", n_boot=0, confidence=level)
    if n_days < MIN_REGIMEN_DAYS:
        return {**row, "slope_per_week": _NAN, "slope_per_week_ci_low": _NAN, "slope_per_week_ci_high": _NAN,
                "change_day_n": _NAN, "change_day_n_ci_low": _NAN, "change_day_n_ci_high": _NAN,
                "verdict": INCONCLUSIVE, "status": "insufficient_data",
                "reason": _too_few_days_reason(d, y, n_days, len(subj_names), unit, floor, delta)}
    slope = float(_regimen_slope(d, y, g, np.ones((1, d.size)))[0])
    rng = _group_rng(seed, ("regimen", treatment, metric, side))
    if n_boot > 0:
        method, w = _regimen_boot_weights(d, g, len(subj_names), n_boot, rng)
        # the mm scale's error (as in the decay fits): resampled subjects carry their own; within the
        # subjects, each one's too (one regimen session per subject: every level is read against day 0)
        scale = _scale_factors(n_boot, rng, unit, *((g, g) if method == "moving_block" else (None, None)),
                               sources=_sources(grp))
        boot = _regimen_slope(d, y if scale is None else y * scale, g, w)
        boot = boot[np.isfinite(boot)]
    else:
        boot, method = np.empty(0), "none"
    s_ci = _ci(boot * 7.0, level)
    c_ci = _ci(boot * dn, level)
    change = slope * dn
    if method == "moving_block" and n_days < REGIMEN_FEW_DAYS and "noise_floor" in grp.columns:
        # 3 days: the bootstrap resamples 3 points and sees no photo's own error (docs/validation.md §12, Round 23)
        se = _floor_slope_se(d, g, pd.to_numeric(grp["noise_floor"], errors="coerce").to_numpy(float))
        z = NormalDist().inv_cdf(0.5 + level / 2.0)
        s_ci = _few_days_widened(s_ci, 7.0 * slope, z * 7.0 * se)
        c_ci = _few_days_widened(c_ci, change, z * dn * se)
    row.update(slope_per_week=7.0 * slope, slope_per_week_ci_low=s_ci[0], slope_per_week_ci_high=s_ci[1],
               change_day_n=change, change_day_n_ci_low=c_ci[0], change_day_n_ci_high=c_ci[1],
               bootstrap=method, n_boot=int(boot.size))
    # each figure with its interval, or "no CI" (an audit, 2026-12-04: the slope had none, and without a
    # bootstrap the change read "95% CI nan to nan mm")
    def ci_text(lo, hi, per=""):
        if not (np.isfinite(lo) and np.isfinite(hi)):
            return "no CI"
        return f"{percent(level)} CI {ci_range(lo, hi, unit)}{per}"

    head = (f"From the pre-session photos, the {metric} ({side}) changed by {quantity(change, unit)} from day 0 to "
            f"day {dn:.0f} ({ci_text(*c_ci)}), {quantity(7.0 * slope, unit)} per week "
            f"({ci_text(*s_ci, ' per week')})")
    margin = f"\u00b1{quantity(delta, unit)}"
    if not np.isfinite(c_ci[0]):
        verdict, status = INCONCLUSIVE, ("no_bootstrap" if n_boot == 0 else "bootstrap_failed")
        reason = head + ": no confidence interval, so no verdict."
    elif not delta > 0 and min_effect is None:  # no margin known (as in the decay fit): nothing to test against
        verdict, status = INCONCLUSIVE, "no_margin"
        reason = head + (f": no smallest meaningful change is known for {unit or '(no unit)'} and the changes carry "
                         "no noise floor, so no verdict (give min_effect).")
    elif boot.size < MIN_VERDICT_REPLICATES:
        verdict, status = INCONCLUSIVE, "too_few_replicates"
        reason = head + (f": only {boot.size} bootstrap replicates (at least {MIN_VERDICT_REPLICATES} are needed "
                         f"for a verdict; the default is 400), so no verdict.")
    elif c_ci[0] > delta or c_ci[1] < -delta:
        verdict, status = CUMULATIVE, "ok"
        reason = head + f": beyond the {margin} margin, a cumulative change."
    elif -delta < c_ci[0] and c_ci[1] < delta:
        verdict, status = NO_CUMULATIVE, "ok"
        reason = head + f": inside the {margin} margin, no cumulative change."
    else:
        verdict, status = INCONCLUSIVE, "ok"
        reason = head + f": the interval straddles the {margin} margin, inconclusive."
    if status == "ok":  # a verdict against the margin: say when the noise floor raised the min_effect given
        reason += raised_margin_note(delta, floor, min_effect, unit)
    row.update(verdict=verdict, status=status, reason=reason)
    return row
