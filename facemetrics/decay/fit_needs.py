"""What a series lacks for a decay curve, said with the fit's own minimums (the app's Timeline picker reads it).

The fit itself decides (:func:`facemetrics.decay.analyze_series` without its bootstrap), so the picker's rule and
the fit's cannot drift apart: the picker once counted 4 distinct times alone, chose a series of 5 photos up to 2 h,
and its fit said "Too few data" (stop 64, h2).  No file I/O.
"""

from __future__ import annotations

import math

import pandas as pd

from .claim import MIN_LAST_HOURS, MIN_PHOTOS, MIN_TIMES, analyze_series
from .model import SeriesError

__all__ = ["fit_needs"]


def fit_needs(changes: pd.DataFrame, metrics) -> dict[str, str]:
    """What each of ``metrics`` present in ``changes`` lacks for a decay curve.

    Parameters
    ----------
    changes : pandas.DataFrame
        The tidy change table (``long.csv``'s columns: ``metric``, ``side``, ``hours_since_treatment``, ``value``,
        ...).
    metrics : iterable of str
        The metrics asked about.

    Returns
    -------
    dict of str to str
        ``{metric: ""}`` when, for one treatment, the fit (pooled rows, ``n_boot=0``) made a curve; else the
        shortfall with the fit's minimums (:data:`~facemetrics.decay.claim.MIN_PHOTOS`,
        :data:`~facemetrics.decay.claim.MIN_TIMES`, :data:`~facemetrics.decay.claim.MIN_LAST_HOURS`), e.g. "needs 6
        photos (those before the treatment count) and 4 distinct times after the treatment, one at 12 h or later;
        5 photos read at 4 times, the last at 2.0 h" ("...; 3 photos read, none after the treatment" when none is;
        "...; none read" without a read row).  Metrics absent from ``changes`` are not keys.
    """
    present = [m for m in metrics if "metric" in changes and m in set(changes["metric"])]
    if not present:
        return {}
    need = (f"needs {MIN_PHOTOS} photos (those before the treatment count) and {MIN_TIMES} distinct times after the "
            f"treatment, one at {MIN_LAST_HOURS:g} h or later")
    try:
        fits = analyze_series(changes[changes["metric"].isin(present)], metrics=present, n_boot=0,
                              per_subject=False).to_frame()
    except SeriesError:  # a table the fit refuses: no metric can be fitted
        return {m: need for m in present}
    return {m: _shortfall(fits, m, need) for m in present}


def _shortfall(fits: pd.DataFrame, metric: str, need: str) -> str:
    """:func:`fit_needs`' text for one metric from the fits' table (its ``mean`` rows when it has any)."""
    rows = fits[fits["metric"] == metric] if "metric" in fits else fits.iloc[0:0]
    if "side" in rows and (rows["side"] == "mean").any():
        rows = rows[rows["side"] == "mean"]
    if "fit_ok" in rows and rows["fit_ok"].astype(bool).any():
        return ""
    n_photos = pd.to_numeric(rows["n_photos"], errors="coerce") if "n_photos" in rows else pd.Series(dtype=float)
    if rows.empty or not (n_photos > 0).any():
        return f"{need}; none read"
    r = rows.loc[n_photos.idxmax()]
    n, k, last = int(r["n_photos"]), int(r["n_times"]), float(r["last_time_h"])
    photos = f"{n} photo{'s' if n != 1 else ''}"
    if not k:  # every photo before the treatment: "read at 0 times, the last at -0.5 h"
        return f"{need}; {photos} read, none after the treatment"
    return (f"{need}; {photos} read at {k} time{'s' if k != 1 else ''}"
            + (f", the last at {last:.1f} h" if math.isfinite(last) else ""))
