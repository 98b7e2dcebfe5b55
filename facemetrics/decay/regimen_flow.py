"""Flow-only pre-session photos that stand out from the regimen line of the others (docs/validation.md §18).

A regimen level (a pre-session photo compared with day 0) whose comparison carries only the gate's flow warning
("expression may differ ..., while the lips kept their shape",
:data:`facemetrics.compare.gate.MSG_EXPRESSION_MAYBE`) keeps its verdicts and enters the regimen fit
(:func:`facemetrics.decay.analyze_regimen`).  One gently smiling pre-session photo does so too, and it flipped the
regimen verdict (§18: 21 series of 3 London faces; a smiling day-42 photo moved the change from day 0 to
day 42 by up to 4.2 mm on the jaw and 3.6 mm on the mouth corners).  The rule here is §16's
on the regimen's straight line (:mod:`facemetrics.decay.flow_outliers` does it on the decay curve):

1. candidates: the series' rows of a flow-only photo that enter the fit (verdict not ``uncertain``, a finite value
   and day);
2. for each candidate photo ``i``: the regimen model's least-squares line (one intercept per subject, the common
   slope over days) fitted without photo ``i`` alone; its residual
   ``r_i = value_i - (intercept[subject_i] + slope * day_i)`` (metric unit) over the row's own ``noise_floor``;
   photo ``i`` *stands out* when ``|r_i| > k * noise_floor_i`` (:data:`REGIMEN_FLOW_K`).  Fewer than 2 other days
   of its subject (no line), or no floor: photo ``i`` does not stand out (today's behaviour);
3. F = the photos that stand out.  When F is not empty the series is fitted without F, read at the row's own
   ``day_n`` (§19b: the change the row's verdict is about, not the shorter regimen's); when that verdict differs
   from the verdict with every photo, the series reads ``inconclusive``, naming F and the verdict without them
   (:func:`regimen_flow_reason`; also a series that read ``inconclusive`` already: a smiling photo more often takes
   a verdict away than makes one, §18, and the user can retake that photo); otherwise its verdict stands;
4. (§19) when F is not empty and the verdict without F is the same, the row's figures (:data:`FIGURE_COLUMNS`) are
   those of the fit without F read at the row's own ``day_n`` (when that fit reads the same verdict too), its
   ``reason`` that fit's followed by :func:`regimen_figures_note` (F, and the change with F): the verdict did not
   depend on F but the figure did (a smiling day-42 photo made a true 1.5 mm read 2.8-5.6 mm);
5. (§19b) when F decided the verdict (step 3: ``inconclusive``) the row's figures are those of the same fit too, its
   ``reason`` :func:`regimen_flow_reason` followed by :func:`regimen_named_figures_note` (the change with F): an
   ``inconclusive`` row no longer shows the smile's figure (140's smiling day-42 photo: a true 0 mm read 2.92 mm).

Measured (§18, 2026-12-05): with k 1, 21 of 21 smiling-photo flips caught (3 London faces), 0 of 59 clean
regimen studies changed on the tuning faces (10 with a flow-only level) and 0 of 16 on the held-out faces.
Measured (§19, 2026-12-05): step 4 gave the clean study's figure (within half its CI width) in 6 of 6 inflated jaw and
mouth series whose verdict §18 left; it moved 1 of 59 clean tuning studies' figure (by 0.14 x half its CI) and 0 of
16 held-out ones.
Measured (§19b, 2026-12-05): with both checks at the row's ``day_n``, 20 of §18's 21 flips caught (the 21st keeps
``inconclusive``, its photo named by step 4); step 5 gave the clean study's figure in 7 of 7 inflated jaw and mouth
series §18 names, and changed 0 of 59 clean tuning studies.

Pure functions: tables in, frozen dataclasses (:class:`~facemetrics.decay.flow_outliers.FlowPhoto`,
:class:`~facemetrics.decay.flow_outliers.FlowCheck`, ``hours`` the hours since the first treatment) and tables out;
the callers (which know each comparison's messages) say which photos are flow-only.
"""

from __future__ import annotations

import math
from typing import Iterable

import numpy as np
import pandas as pd

from ..rounding import fixed
from .flow_outliers import FlowCheck, FlowPhoto, stands_out_clause, stands_out_reason
from .margin import INCONCLUSIVE
from .regimen_slope import _regimen_slope, analyze_regimen, regimen_levels
from .wording import ci_range, percent, quantity

__all__ = ["FIGURE_COLUMNS", "FIGURES_WITHOUT", "REGIMEN_FLOW_K", "regimen_figures_note", "regimen_flow_checks",
           "regimen_flow_read", "regimen_flow_reason", "regimen_named_figures_note", "regimen_photo_residuals"]

#: a flow-only pre-session photo stands out when its leave-one-out residual from the regimen line exceeds this many
#: times its row's noise floor; source: docs/validation.md §18 (the largest of 1, 1.5, 2, 3 catching every
#: flip on the tuning faces)
REGIMEN_FLOW_K = 1.0

_KEY = ("treatment", "metric", "side")

#: the columns of a regimen row taken from the fit without the flagged photos when its verdict is the same
#: (docs/validation.md §19): what the row's figures rest on and the figures themselves; ``verdict`` and ``day_n``
#: stay the row's
FIGURE_COLUMNS = ("n_photos", "n_subjects", "n_days", "slope_per_week", "slope_per_week_ci_low",
                  "slope_per_week_ci_high", "change_day_n", "change_day_n_ci_low", "change_day_n_ci_high",
                  "smallest_meaningful_change", "bootstrap", "n_boot")

#: the key of the table's ``attrs`` holding the photos left out of a series' figures, sorted: §19's (the verdict the
#: same) and, since stop 50, §19b's (the photos that decided the verdict, named in the reason)
FIGURES_WITHOUT = "regimen_figures_without"


def _candidates(rows: pd.DataFrame, flow: set[str]) -> pd.DataFrame:
    """The rows of flow-only photos that enter the fit (verdict not ``uncertain``)."""
    keep = rows["photo"].astype(str).isin(flow)
    if "verdict" in rows:
        keep &= rows["verdict"].fillna("").astype(str) != "uncertain"
    return rows[keep]


def _loo_prediction(rows: pd.DataFrame, index) -> float:
    """The regimen line of ``rows`` (one series, :func:`regimen_levels`' columns) fitted without row ``index``, at
    that row's day (metric unit); NaN when its subject has fewer than 2 other days."""
    d = rows["days_since_start"].to_numpy(float)
    y = rows["value"].to_numpy(float)
    g = np.asarray(pd.factorize(rows["subject"], sort=True)[0])
    i = rows.index.get_loc(index)
    w = np.ones((1, d.size))
    w[0, i] = 0.0
    same = (g == g[i]) & (w[0] > 0)
    if np.unique(np.round(d[same])).size < 2:
        return math.nan
    slope = float(_regimen_slope(d, y, g, w)[0])
    if not np.isfinite(slope):
        return math.nan
    return float(y[same].mean() - slope * d[same].mean() + slope * d[i])


def regimen_photo_residuals(rows: pd.DataFrame, flow_photos: Iterable[str], *,
                            k: float = REGIMEN_FLOW_K) -> tuple[FlowPhoto, ...]:
    """The leave-one-out residual of each flow-only photo of one regimen series (rule steps 1-2 above).

    Parameters
    ----------
    rows : pandas.DataFrame
        One series' levels (one treatment, metric and side) as :func:`facemetrics.decay.regimen_levels` returns
        them (``subject``, ``days_since_start`` [days], ``value`` [metric unit], ``photo``, optionally
        ``noise_floor`` [metric unit] and ``verdict``).
    flow_photos : iterable of str
        The names (``photo`` column) of the photos whose comparison carries only the flow warning.
    k : float, optional
        Multiple of the row's noise floor beyond which a photo stands out (default :data:`REGIMEN_FLOW_K`).

    Returns
    -------
    tuple of FlowPhoto
        One per candidate row, in the table's order; ``hours`` = 24 x ``days_since_start`` (hours since the first
        treatment), ``predicted`` the line without the photo at its day (NaN: no line without it).
    """
    out = []
    for idx, r in _candidates(rows, set(flow_photos)).iterrows():
        pred = _loo_prediction(rows, idx)
        floor = float(r["noise_floor"]) if "noise_floor" in rows and pd.notna(r["noise_floor"]) else math.nan
        ratio = abs(float(r["value"]) - pred) / floor if floor > 0 and np.isfinite(pred) else math.nan
        out.append(FlowPhoto(*(str(r[c]) for c in _KEY), photo=str(r["photo"]),
                             hours=24.0 * float(r["days_since_start"]), value=float(r["value"]), predicted=pred,
                             noise_floor=floor, ratio=ratio, stands_out=bool(np.isfinite(ratio) and ratio > k)))
    return tuple(out)


def _verdict(levels: pd.DataFrame, key, fit_options: dict, day_n: float | None = None) -> tuple[str, float | None]:
    """The regimen verdict of series ``key`` of ``levels`` read at ``day_n`` (default: its last day), and that day
    (``not_fitted`` and ``day_n`` when it has no row)."""
    if levels.empty:
        return "not_fitted", day_n
    f = analyze_regimen(levels, day_n=day_n, **fit_options)
    f = f[(f["treatment"].astype(str) == key[0]) & (f["metric"].astype(str) == key[1])
          & (f["side"].astype(str) == key[2])]
    return (str(f["verdict"].iloc[0]), float(f["day_n"].iloc[0])) if len(f) else ("not_fitted", day_n)


def regimen_flow_checks(levels: pd.DataFrame, flow_photos: Iterable[str], *, k: float = REGIMEN_FLOW_K,
                        min_effect: float | None = None, n_boot: int = 400, seed: int = 0) -> tuple[FlowCheck, ...]:
    """The rule above on every series of ``levels`` that has a flow-only photo entering its fit.

    Parameters
    ----------
    levels : pandas.DataFrame
        :func:`facemetrics.decay.analyze_regimen`'s input (the regimen batch's ``long.csv`` rows) with a ``photo``
        column.
    flow_photos : iterable of str
        The names of the photos whose comparison carries only the gate's flow warning.
    k : float, optional
        Multiple of each row's noise floor (default :data:`REGIMEN_FLOW_K`).
    min_effect, n_boot, seed
        The regimen fits' (as :func:`~facemetrics.decay.analyze_regimen`; give the table's, so the verdict with
        every photo is the table's).

    Returns
    -------
    tuple of FlowCheck
        One per series (treatment, metric, side) with at least one candidate photo, sorted by series.
    """
    flow = {str(p) for p in flow_photos}
    if not flow or "photo" not in levels.columns or levels.empty:
        return ()
    read = regimen_levels(levels)
    options = dict(min_effect=min_effect, n_boot=n_boot, seed=seed)
    out = []
    for key, rows in read.groupby(list(_KEY), sort=True):
        key = tuple(str(x) for x in key)
        if _candidates(rows, flow).empty:
            continue
        photos = regimen_photo_residuals(rows, flow, k=k)
        series = levels[(levels["treatment"].astype(str) == key[0]) & (levels["metric"].astype(str) == key[1])
                        & (levels["side"].astype(str) == key[2])]
        v_all, day_n = _verdict(series, key, options)
        flagged = tuple(sorted({p.photo for p in photos if p.stands_out}))
        # without them, read at the row's day_n (§19b: the same change as the row's verdict, and §19's figures' fit)
        rest = series[~series["photo"].astype(str).isin(flagged)]
        v_wo = _verdict(rest, key, options, day_n)[0] if flagged else v_all
        out.append(FlowCheck(*key, verdict=v_all, flagged=flagged, verdict_without=v_wo,
                             verdict_read=v_all if v_wo == v_all else INCONCLUSIVE, photos=photos))
    return tuple(out)


def regimen_flow_reason(check: FlowCheck) -> str:
    """The ``reason`` of a regimen series the rule made ``inconclusive``.

    Parameters
    ----------
    check : FlowCheck
        A series whose ``verdict_read`` differs from its ``verdict``.

    Returns
    -------
    str
        E.g. "`S01/rf/d42.jpg` (day 42) stands out from the line of the other pre-session photos by 2.6 × its
        noise floor, with the warning that the expression may differ; without it the regimen reads
        no_cumulative_change (with it: cumulative_change)".
    """
    return stands_out_reason(check, others="the line of the other pre-session photos", series="the regimen",
                             when=_day)


def regimen_figures_note(check: FlowCheck, row: pd.Series) -> str:
    """The sentence added to the ``reason`` of a regimen series whose figures are the fit without its flagged photos
    (the verdict with them is the same; docs/validation.md §19).

    Parameters
    ----------
    check : FlowCheck
        The series' check (``flagged`` not empty).
    row : pandas.Series
        The series' row of the fit with every photo (``change_day_n`` and its CI [its ``unit``], ``day_n`` [day],
        ``confidence``).

    Returns
    -------
    str
        E.g. "Left out of these figures: `S01/rf/d42.jpg` (day 42) stands out from the line of the other
        pre-session photos by 3.8 × its noise floor, with the warning that the expression may differ; with it the
        change from day 0 to day 42 reads 3.29 mm (95% CI 0.80 to 5.67 mm), the same verdict."
    """
    return (f"Left out of these figures: "
            f"{stands_out_clause(check, others='the line of the other pre-session photos', when=_day)}; "
            f"{_with_them(check, row)}, the same verdict.")


def regimen_named_figures_note(check: FlowCheck, row: pd.Series) -> str:
    """The sentence added to the ``reason`` of a regimen series the rule made ``inconclusive`` (after
    :func:`regimen_flow_reason`) whose figures are the fit without its flagged photos (docs/validation.md §19b).

    Parameters
    ----------
    check : FlowCheck
        The series' check (``flagged`` not empty, ``verdict_without`` not ``verdict``).
    row : pandas.Series
        The series' row of the fit with every photo (``change_day_n`` and its CI [its ``unit``], ``day_n`` [day],
        ``confidence``).

    Returns
    -------
    str
        E.g. ". These figures are without it; with it the change from day 0 to day 42 reads 2.92 mm (95% CI 0.41
        to 5.02 mm)."
    """
    it = "it" if len(check.flagged) == 1 else "them"
    return f". These figures are without {it}; {_with_them(check, row)}."


def _with_them(check: FlowCheck, row: pd.Series) -> str:
    """"with it the change from day 0 to day N reads X (95% CI a to b unit)" of the fit with every photo."""
    unit, lo, hi = row.get("unit") or "", row["change_day_n_ci_low"], row["change_day_n_ci_high"]
    ci = (f"{percent(row['confidence'])} CI {ci_range(lo, hi, unit)}"
          if np.isfinite(lo) and np.isfinite(hi) else "no CI")
    it = "it" if len(check.flagged) == 1 else "them"
    return (f"with {it} the change from day 0 to day {fixed(row['day_n'], 0)} reads "
            f"{quantity(row['change_day_n'], unit)} ({ci})")


def _day(p: FlowPhoto) -> str:
    return f"day {fixed(p.hours / 24.0, 0)}"


def _figures_without(out: pd.DataFrame, levels: pd.DataFrame, checks, options: dict) -> tuple[str, ...]:
    """§19 and §19b in place on ``out``: each series with flagged photos takes the figures (:data:`FIGURE_COLUMNS`)
    of its fit without them at its own ``day_n``.  One whose verdict they did not decide (the check's), when that
    fit reads the same verdict: its ``reason`` that fit's followed by :func:`regimen_figures_note`; one they decided
    (§18: it reads ``inconclusive``): its verdict ``inconclusive``, its ``reason`` :func:`regimen_flow_reason`
    followed by :func:`regimen_named_figures_note`.  Returns the photos left out of a series' figures (§19's and
    §19b's; whether they decided the verdict is their check's)."""
    left_out = set()
    for c in checks:
        if not c.flagged:
            continue
        same = c.verdict_without == c.verdict
        row = ((out["treatment"].astype(str) == c.treatment) & (out["metric"].astype(str) == c.metric)
               & (out["side"].astype(str) == c.side))
        if not row.any():
            continue
        before = out.loc[row].iloc[0]
        series = levels[(levels["treatment"].astype(str) == c.treatment) & (levels["metric"].astype(str) == c.metric)
                        & (levels["side"].astype(str) == c.side) & ~levels["photo"].astype(str).isin(c.flagged)]
        f = analyze_regimen(series, day_n=float(before["day_n"]), **options) if len(series) else series
        f = f[(f["metric"].astype(str) == c.metric) & (f["side"].astype(str) == c.side)] if len(f) else f
        if f.empty or (same and str(f["verdict"].iloc[0]) != str(before["verdict"])):
            # no fit without them, or another verdict: as fitted.  The latter only with a table fitted with other
            # settings than those given here (run_timeline gives the table's; each series' bootstrap has its own
            # seed, so the check and the table agree): tests/test_regimen_flow.py's table with a 2 mm margin
            continue
        for col in FIGURE_COLUMNS:
            out.loc[row, col] = f[col].iloc[0]
        left_out.update(c.flagged)
        if same:
            out.loc[row, "reason"] = f"{f['reason'].iloc[0]} {regimen_figures_note(c, before)}"
        else:
            out.loc[row, "verdict"] = INCONCLUSIVE
            out.loc[row, "reason"] = regimen_flow_reason(c) + regimen_named_figures_note(c, before)
    return tuple(sorted(left_out))


def regimen_flow_read(table: pd.DataFrame, levels: pd.DataFrame, flow_photos, *, min_effect: float | None = None,
                      n_boot: int = 400, seed: int = 0) -> tuple[pd.DataFrame, tuple[FlowCheck, ...]]:
    """The regimen table with the rule applied.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`~facemetrics.decay.analyze_regimen`'s table of ``levels`` (``treatment``, ``metric``, ``side``,
        ``verdict``, ``reason``).
    levels : pandas.DataFrame
        The levels fitted (the regimen batch's ``long.csv`` rows, with ``photo`` and ``noise_floor``).
    flow_photos : iterable of str
        The regimen comparisons fitted with the gate's flow warning
        (:func:`facemetrics.batch.fit_notes.flow_photos` of the regimen batch's ``changes.csv``).
    min_effect, n_boot, seed
        The table's fit settings.

    Returns
    -------
    (pandas.DataFrame, tuple of FlowCheck)
        A copy of ``table`` in which each series whose verdict without its flagged photos differs reads
        ``inconclusive`` with :func:`regimen_flow_reason` as its ``reason`` (also when it read ``inconclusive``
        already: the reason then says that the flagged photos decided it), and each series with flagged photos whose
        verdict without them is the same carries the figures of its fit without them (:data:`FIGURE_COLUMNS`, read
        at the same ``day_n``; docs/validation.md §19: a smiling day-42 photo made a true 1.5 mm read 2.8-4.9 mm),
        its ``reason`` that fit's and :func:`regimen_figures_note`; the photos left out of a row's figures (both
        kinds: a named row takes the fit without them too, §19b) in its ``attrs[FIGURES_WITHOUT]``; and every
        check made.  ``table`` itself (and the checks) when no photo is
        flagged, ``table`` and () when no photo is flow-only.
    """
    checks = regimen_flow_checks(levels, [p for p in flow_photos if p], min_effect=min_effect, n_boot=n_boot,
                                 seed=seed)
    if not any(c.flagged for c in checks):
        return table, checks
    out = table.copy()
    # the flagged photos decided the verdict (a definite one, or an inconclusive one): say which, and what the
    # others read (the figures without them and the one with them follow, when the others can be fitted)
    for c in (c for c in checks if c.verdict_without != c.verdict):
        row = ((out["treatment"].astype(str) == c.treatment) & (out["metric"].astype(str) == c.metric)
               & (out["side"].astype(str) == c.side))
        out.loc[row, "verdict"] = INCONCLUSIVE
        out.loc[row, "reason"] = regimen_flow_reason(c)
    out.attrs[FIGURES_WITHOUT] = _figures_without(out, levels, checks,
                                                  dict(min_effect=min_effect, n_boot=n_boot, seed=seed))
    return out, checks
