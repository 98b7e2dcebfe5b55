"""A before photo that every after photo of its session differs from in expression (docs/validation.md §20).

A gently smiling *before* photo is compared with every post photo of its session, so all of the session's rows
shift together (on 3 London faces a smiling -0.5 h photo made every after photo read a 1.6-3.7 mm drop, and a
fading treatment read ``persists_beyond_a_day``) and no leave-one-out rule (§16, :mod:`facemetrics.batch.flow_read`)
can see it.  The rule here (``before_odd``, §20, chosen on the tuning faces before the held-out rows were read):

1. per session (subject x treatment x before photo), the post comparisons that were made (not ``refused`` or
   ``error``; the no-change checks between before photos are no post comparison);
2. a comparison *points at the before photo* when its messages say the expression differs or may differ
   (:data:`~facemetrics.compare.gate.MSG_EXPRESSION`, :data:`~facemetrics.compare.gate.MSG_EXPRESSION_MAYBE`) and the
   gate's mouth-width cue reads "narrower" (the after photo's mouth narrower than the before photo's);
3. when **every** post comparison of the session points at it (:data:`BEFORE_ODD_SHARE`) and at least one of their
   fitted cells holds a verdict (a row entered the fits), the before photo is the odd one out: every decay series of
   that treatment (the pooled row, and the subject's own row) that does not already read ``inconclusive`` reads
   ``inconclusive`` naming the before photo (:func:`before_reason`).

Measured (§20, 2026-12-05): 8 of 8 moves of a smiling before photo caught on 3 London faces, 0 of 24 clean London
studies flagged; 0 of 50 tuning and 0 of 32 held-out clean studies lifted by §15's oblique bump changed (none of
their comparisons read the mouth narrower).  Pure: ``changes.csv`` records and the timeline table in,
frozen dataclasses and a copy of the table out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from ..compare.gate import MSG_EXPRESSION, MSG_EXPRESSION_MAYBE
from ..decay.margin import INCONCLUSIVE
from ..report import is_pooled

__all__ = ["BEFORE_ODD_SHARE", "BeforeCheck", "before_checks", "before_read", "before_reason", "points_at_before"]

#: the share of a session's post comparisons that must point at its before photo (§20's candidates 1, 0.75, 0.5,
#: with and without the cue's direction; the choice rule took the strictest that caught every move: 1, direction
#: required)
BEFORE_ODD_SHARE = 1.0

_NARROWER = re.compile(r"mouth corners moved [0-9.]+ mm narrower")


@dataclass(frozen=True)
class BeforeCheck:
    """One session's reading of its before photo (docs/validation.md §20).

    Attributes
    ----------
    subject, treatment : str
        The session.
    before : str
        Its before photo (``changes.csv``'s first ``baseline_photos`` name).
    n_post : int
        Post comparisons made with it.
    n_pointing : int
        Those whose expression cue says the after photo's mouth is narrower (:func:`points_at_before`).
    entered : bool
        Whether a fitted cell of one of them holds a verdict (not ``uncertain``, not blank).
    """

    subject: str
    treatment: str
    before: str
    n_post: int
    n_pointing: int
    entered: bool

    @property
    def odd(self) -> bool:
        """Whether the before photo is the odd one out: every post comparison points at it and a row entered."""
        return self.entered and self.n_post > 0 and self.n_pointing >= BEFORE_ODD_SHARE * self.n_post


def points_at_before(messages: str) -> bool:
    """Whether a comparison's ``messages`` say the expression differs or may differ with the mouth narrower in the
    after photo than in the before photo (the gate's mouth-width cue, "mouth corners moved X mm narrower")."""
    text = str(messages or "")
    return (MSG_EXPRESSION in text or MSG_EXPRESSION_MAYBE in text) and _NARROWER.search(text) is not None


def _is_post(r: dict) -> bool:
    if str(r.get("status") or "") in ("refused", "error") or str(r.get("role") or "post") != "post":
        return False
    try:
        return float(r.get("hours_since_treatment")) > 0
    except (TypeError, ValueError):
        return False


def before_checks(change_rows, columns) -> tuple[BeforeCheck, ...]:
    """The :class:`BeforeCheck` of every session of ``change_rows``.

    Parameters
    ----------
    change_rows : iterable of dict
        ``changes.csv`` rows (``subject``, ``treatment``, ``baseline_photos``, ``role``, ``hours_since_treatment``,
        ``status``, ``messages`` and the ``<column>_verdict`` cells).
    columns : iterable of str
        The ``changes.csv`` columns the decay fits use (a row *entered* when one of their verdict cells is a verdict).

    Returns
    -------
    tuple of BeforeCheck
        One per (subject, treatment, before photo), sorted; () for no post comparison.
    """
    verdicts = [f"{c}_verdict" for c in columns]
    sessions: dict[tuple[str, str, str], list[int]] = {}
    for r in change_rows:
        if not _is_post(r):
            continue
        before = str(r.get("baseline_photos") or "").split(";")[0].strip()
        key = (str(r.get("subject") or ""), str(r.get("treatment") or ""), before)
        n = sessions.setdefault(key, [0, 0, 0])
        n[0] += 1
        n[1] += points_at_before(r.get("messages"))
        n[2] += any(str(r.get(v) or "") not in ("", "uncertain") for v in verdicts)
    return tuple(BeforeCheck(s, t, b, n[0], n[1], n[2] > 0) for (s, t, b), n in sorted(sessions.items()))


def before_reason(check: BeforeCheck, verdict: str) -> str:
    """The ``reason`` of a series :func:`before_read` made ``inconclusive`` (``verdict``: what it read)."""
    return (f"every after photo of {check.subject}'s {check.treatment} session ({check.n_pointing} of {check.n_post}) "
            f"reads a different expression from its before photo `{check.before}`, its mouth narrower: the before "
            f"photo is the likely odd one out (a smile shifts every change of the session together), so the series "
            f"is not judged (with it: {verdict}); retake the before photo with the same relaxed, closed-mouth "
            f"expression as the after photos, or leave it out for another before photo of the session")


def before_read(table: pd.DataFrame, change_rows, columns) -> tuple[pd.DataFrame, tuple[BeforeCheck, ...]]:
    """The timeline table with §20's rule applied.

    Parameters
    ----------
    table : pandas.DataFrame
        :meth:`SeriesResult.to_frame <facemetrics.decay.SeriesResult>` of the decay fits (``treatment``, ``subject``,
        ``verdict``, ``reason``).
    change_rows : iterable of dict or None
        ``changes.csv`` rows (:func:`before_checks`).
    columns : iterable of str
        The ``changes.csv`` columns fitted.

    Returns
    -------
    (pandas.DataFrame, tuple of BeforeCheck)
        A copy of ``table`` in which each row of a treatment with an odd before photo (the pooled row, and the
        row of that photo's subject) that does not read ``inconclusive`` reads ``inconclusive`` with
        :func:`before_reason`; ``table`` itself when no before photo is odd.  Every check made.
    """
    checks = before_checks(change_rows or [], columns)
    odd = [c for c in checks if c.odd]
    if not odd or table.empty:
        return table, checks
    out = table.copy()
    pooled = out["subject"].map(is_pooled).astype(bool) if "subject" in out.columns else pd.Series(True, out.index)
    for c in odd:
        mine = pooled | (out["subject"].astype(str) == c.subject) if "subject" in out.columns else pooled
        rows = mine & (out["treatment"].astype(str) == c.treatment) & (out["verdict"].astype(str) != INCONCLUSIVE)
        for i in out.index[rows]:
            out.loc[i, "reason"] = before_reason(c, str(out.loc[i, "verdict"]))
            out.loc[i, "verdict"] = INCONCLUSIVE
    return out, checks
