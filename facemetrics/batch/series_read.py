"""Every series-reading rule applied to a fitted decay table, in one call (:func:`read_series`).

The decay fits (:func:`facemetrics.decay.analyze_series`) read each series from its changes alone; the rules here
read them again with what ``changes.csv`` says of the comparisons, in this order:

1. docs/validation.md §16 (:func:`facemetrics.batch.flow_read.flow_read`): a flow-only photo that stands out from
   the curve of the series' other photos, when the verdict without it differs, makes the pooled row
   ``inconclusive`` (the flow-only photos: :func:`facemetrics.batch.fit_notes.flow_photos`);
2. docs/validation.md §20 (:func:`facemetrics.batch.before_read.before_read`): a before photo that every after photo
   of its session differs from in expression, its mouth narrower, makes its subject's rows of that treatment
   ``inconclusive``; the pooled rows of that treatment are fitted without the session's photos (§21,
   :func:`facemetrics.batch.before_read.pooled_without`: the other subjects' verdict, the session named), or read
   ``inconclusive`` when nothing else is left to fit.  §21's refit is made first, so that §16's rule reads the
   pooled rows without the session's photos too.

``run_timeline`` (so ``timeline``, ``batch``, ``demo``, ``study report`` and the app's *My study*) and the app's
Timeline tab (``app.timeline``) both call :func:`read_series`, so that a rule added here reaches both.  Pure:
tables and ``changes.csv`` records in, a frozen dataclass out; no file I/O.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..decay.flow_outliers import FlowCheck
from .before_read import (BeforeCheck, before_checks, before_notes, before_read, odd_photos, pooled_without,
                          without_photos)
from .fit_notes import flow_photos
from .flow_read import flow_read
from .tables import change_column

__all__ = ["SeriesReading", "fitted_columns", "read_series"]


@dataclass(frozen=True)
class SeriesReading:
    """A fitted decay table read by every series-reading rule.

    Attributes
    ----------
    table : pandas.DataFrame
        The table with the rules applied (a copy when a rule changed a row; the table given otherwise).
    flow_checks : tuple of FlowCheck
        §16's checks (:func:`facemetrics.batch.flow_read.flow_read`); () when no photo is flow-only.
    before_checks : tuple of BeforeCheck
        §20's checks, one per session (:func:`facemetrics.batch.before_read.before_checks`).
    before_notes : tuple of str
        One line per odd before photo (:func:`facemetrics.batch.before_read.before_notes`), as the console,
        ``report.md`` and the app's Timeline tab print it; () for none.
    """

    table: pd.DataFrame
    flow_checks: tuple[FlowCheck, ...]
    before_checks: tuple[BeforeCheck, ...]
    before_notes: tuple[str, ...] = ()


def fitted_columns(table: pd.DataFrame) -> list[str]:
    """The ``changes.csv`` columns of ``table``'s decay rows (``metric``, ``side``; rows of ``kind`` "regimen" left
    out: the regimen is fitted on the same selection), each once in the table's order."""
    decay = table[table["kind"] != "regimen"] if "kind" in table.columns else table
    return list(dict.fromkeys(change_column(str(m), str(s)) for m, s in zip(decay["metric"], decay["side"])))


def read_series(fitted: pd.DataFrame, data: pd.DataFrame, change_rows, *, n_boot: int = 400,
                seed: int = 0, min_effect: float | None = None, sessions: pd.DataFrame | None = None) -> SeriesReading:
    """``fitted`` read by §16's rule, then §20's (the module's list), from ``change_rows``.

    Parameters
    ----------
    fitted : pandas.DataFrame
        :meth:`SeriesResult.to_frame <facemetrics.decay.SeriesResult>` of the decay fits of ``data``
        (``treatment``, ``metric``, ``side``, ``subject``, ``verdict``, ``reason``).
    data : pandas.DataFrame
        The rows fitted (``long.csv``'s columns, with ``photo`` and ``noise_floor``; metric unit, mm for lifts).
    change_rows : iterable of dict or None
        The comparisons as ``changes.csv`` has them (``subject``, ``treatment``, ``photo``, ``baseline_photos``,
        ``role``, ``hours_since_treatment`` [h], ``status``, ``messages`` and the ``<column>_verdict`` cells);
        None or empty: no rule has anything to read, ``fitted`` is returned as it is.
    n_boot, seed : int
        The fits' bootstrap (as ``fitted``'s), for §16's fits without a photo and §21's without a session.
    min_effect : float, optional
        The fits' smallest change that matters (as ``fitted``'s; metric unit), for §21's refit.
    sessions : pandas.DataFrame, optional
        Every treatment session known, as ``fitted``'s fits were given them
        (:func:`facemetrics.decay.analyze_series`'s ``sessions``: photos.csv's, :func:`run_timeline
        <facemetrics.batch.run_timeline>`), for every rule's refits (§16, §21): a refit without a photo or a session
        sees a session none of whose photos was compared, as the main fit did (docs/validation.md §12, Round 17b).

    Returns
    -------
    SeriesReading
        The table read and every check made.
    """
    rows = list(change_rows or [])
    columns = fitted_columns(fitted)
    checks = before_checks(rows, columns)
    odd = odd_photos(rows, checks)  # §21: the pooled fits leave the odd sessions' photos out
    data = without_photos(data, odd)
    table, refitted = pooled_without(fitted, data, checks, n_boot=n_boot, seed=seed, min_effect=min_effect,
                                     sessions=sessions)
    kept = [r for r in rows
            if (str(r.get("subject") or ""), str(r.get("treatment") or ""), str(r.get("photo"))) not in odd]
    table, flow = flow_read(table, data, flow_photos(kept, columns), n_boot=n_boot, seed=seed, sessions=sessions,
                            min_effect=min_effect)
    table, before = before_read(table, rows, columns, fitted=fitted, refitted=refitted, checks=checks)
    notes = tuple(before_notes(before, table, refitted))
    if notes and table is not fitted:  # a copy (before_read changed a row): the app's Timeline tab reads the lines from the table
        table.attrs["before_notes"] = notes
    return SeriesReading(table, flow, before, notes)
