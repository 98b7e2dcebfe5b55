"""docs/validation.md §16's rule applied to the timeline's fits: a flow-only photo that stands out from the curve of
the series' other photos, when the series' verdict without it differs, makes the series read ``inconclusive``
(:func:`flow_read`), with a ``reason`` naming the photo(s) and the verdict without them (:func:`flow_reason`).

The rule and its measurement live in :mod:`facemetrics.decay.flow_outliers`; which photos are flow-only is
:func:`facemetrics.batch.fit_notes.flow_photos` (changes.csv's messages).  ``run_timeline`` and the app's
Timeline tab both call :func:`flow_read` on the table of their fits.  Tables in, tables out; no file I/O.
"""

from __future__ import annotations

import pandas as pd

from ..decay.flow_outliers import FlowCheck, flow_checks, stands_out_reason
from ..decay.margin import INCONCLUSIVE
from ..report import is_pooled
from ..timekeys import since_text

__all__ = ["flow_read", "flow_reason", "unchecked_reason", "stands_out_notes"]


def _hours(p) -> str:
    """"24 h", "0.25 h", "7.0 days": a photo's time since treatment (:func:`facemetrics.timekeys.since_text`,
    the hours to 0.01 h; "... before" for a photo before it)."""
    return since_text(p.hours, 2) + (" before" if p.hours < 0 else "")


def _names(photos) -> str:
    """"`a.jpg` (24 h) and `b.jpg` (1 h)": each photo's name and hours since treatment."""
    return " and ".join(f"`{p.photo}` ({_hours(p)})" for p in photos)


def flow_reason(check: FlowCheck) -> str:
    """The ``reason`` of a series the rule made ``inconclusive``: one sentence naming the flagged photos (hours since
    treatment, leave-one-out residual in multiples of each row's noise floor) and the verdict without them.

    Parameters
    ----------
    check : FlowCheck
        A series whose ``verdict_read`` differs from its ``verdict``.

    Returns
    -------
    str
        E.g. "`S01/mc/p24.jpg` (24 h) stands out from the curve of the other photos by 2.6 × its noise floor, with
        the warning that the expression may differ; without it the series reads fades_within_a_day (with it:
        persists_beyond_a_day)".
    """
    return stands_out_reason(check, others="the curve of the other photos", series="the series", when=_hours)


def unchecked_reason(check: FlowCheck) -> str:
    """The sentence a series' ``reason`` gains when some of its flow-only photos could not be checked against the
    other photos (docs/validation.md §17's fallback: they are said, never passed silently); "" when every one was.

    Parameters
    ----------
    check : FlowCheck
        One series' check.

    Returns
    -------
    str
        E.g. "`S01/mc/p24.jpg` (24 h), fitted with the warning that the expression may differ, could not be checked
        against the other photos (only 5 other photos, too few for a fit without it: a fit needs 6); a smile there
        would not be seen."
    """
    photos = [p for p in check.photos if not p.checked]
    if not photos:
        return ""
    why = "; ".join(dict.fromkeys(p.why for p in photos))
    return (f"{_names(photos)}, fitted with the warning that the expression may differ, could not be checked "
            f"against the other photos ({why}); a smile there would not be seen.")


def flow_read(table: pd.DataFrame, data: pd.DataFrame, flow_photos, *, n_boot: int = 400, seed: int = 0,
              sessions: pd.DataFrame | None = None, min_effect: float | None = None
              ) -> tuple[pd.DataFrame, tuple[FlowCheck, ...]]:
    """The timeline table with §16's rule applied to its pooled rows.

    Parameters
    ----------
    table : pandas.DataFrame
        :meth:`SeriesResult.to_frame <facemetrics.decay.SeriesResult>` of the fits of ``data`` (``treatment``,
        ``metric``, ``side``, ``subject``, ``verdict``, ``reason``).
    data : pandas.DataFrame
        The rows fitted (long.csv's columns, with ``photo`` and ``noise_floor``, metric unit).
    flow_photos : iterable of str
        The photos fitted with the gate's flow warning (:func:`facemetrics.batch.fit_notes.flow_photos`).
    n_boot, seed : int
        The fits' bootstrap (as the table's).
    sessions : pandas.DataFrame, optional
        Every treatment session known (:func:`facemetrics.decay.analyze_series`'s ``sessions``, as the table's fits
        were given them), for the rule's refits.
    min_effect : float, optional
        The margin the table's verdicts were read with (``analyze_series``'s ``min_effect``), for the refits' verdicts.

    Returns
    -------
    (pandas.DataFrame, tuple of FlowCheck)
        A copy of ``table`` whose pooled row of each series the rule changed reads ``inconclusive`` with
        :func:`flow_reason` as its ``reason``, the pooled row of each series with a flow-only photo that could not be
        checked gaining :func:`unchecked_reason` at the end of its ``reason`` (other rows, per-subject rows
        included, unchanged), and every
        check made (:func:`facemetrics.decay.flow_outliers.flow_checks`); ``table`` itself and () when no photo
        is flow-only or ``data`` has no ``photo`` column.
    """
    flow = [p for p in flow_photos if p]
    if not flow or "photo" not in data.columns or data.empty:
        return table, ()
    checks = flow_checks(data, flow, n_boot=n_boot, seed=seed, sessions=sessions, min_effect=min_effect)
    out = table.copy()
    pooled = out["subject"].map(is_pooled).astype(bool) if "subject" in out.columns else True
    for c in checks:
        unchecked = unchecked_reason(c)
        if not (c.changed or unchecked):
            continue
        row = pooled & (out["treatment"].astype(str) == c.treatment) & (out["metric"].astype(str) == c.metric) \
            & (out["side"].astype(str) == c.side)
        if c.changed:
            out.loc[row, "verdict"] = INCONCLUSIVE
            out.loc[row, "reason"] = flow_reason(c)
        if unchecked:
            out.loc[row, "reason"] = [" ".join(x for x in (str(r or "").strip(), unchecked) if x)
                                      for r in out.loc[row, "reason"]]
    return out, checks


def stands_out_notes(kept, checks) -> list:
    """The comparisons kept in the fits with a warning (:func:`facemetrics.batch.fit_notes.expression_kept`), those of
    a photo the rule flagged in a series it made ``inconclusive`` followed by ``"; stands out from the curve of the
    other photos: its series reads inconclusive"``, and those of a photo that could not be checked in some series
    (§17) by ``"; could not be checked against the other photos"``.

    Parameters
    ----------
    kept : iterable of KeptNote
        The records (:class:`facemetrics.batch.fit_notes.KeptNote`); a regimen batch's are left as they are (its
        rule is §18's, :func:`facemetrics.batch.timeline._regimen_stands_out`).  Matched by their photo, not by the
        text of their lines.
    checks : iterable of FlowCheck
        :func:`flow_read`'s checks.

    Returns
    -------
    list of KeptNote
        ``kept`` in its order.
    """
    flagged = {p for c in checks if c.changed for p in c.flagged}
    unchecked = {p.photo for c in checks for p in c.photos if not p.checked}

    def note(n):
        if not n.regimen and n.photo in flagged:
            return n.with_remark("; stands out from the curve of the other photos: its series reads inconclusive")
        if not n.regimen and n.photo in unchecked:
            return n.with_remark("; could not be checked against the other photos")
        return n
    return [note(n) for n in kept]
