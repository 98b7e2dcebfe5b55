"""What a decay series left out, in words: the sentences its ``reason`` gets for rows not fitted.

:func:`facemetrics.decay.inputs.validate_changes` and its helpers set rows aside (a comparison that
read ``uncertain``, a row repeating another, one photo listed at two times of its session);
:func:`facemetrics.decay.claim.analyze_series` fits the rest.  This module words what was set aside:
a sentence added to each fitted series' ``reason`` (:func:`_with_unread`, :func:`_with_repeated`,
:func:`_with_retimed`), and the ``reason`` of a result with no series at all
(:func:`_nothing_to_fit`).  Strings and counts only: no fitting, no I/O.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TypeVar

import numpy as np
import pandas as pd

from .carryover import follow_on_sentence
from .inputs import UNREAD_VERDICTS, _has_time_and_value
from ..listing import join_words
from ..quality import MIN_JPEG_QUALITY

#: a :class:`facemetrics.decay.claim.DecayFit` (its ``n_photos`` and ``reason`` are read; a copy with
#: a longer ``reason`` is returned)
_Fit = TypeVar("_Fit")


def _count_of(rows: pd.DataFrame, key: tuple, subject: str | None) -> int:
    """How many of ``rows`` (columns ``subject``, ``treatment``, ``metric``, ``side``) belong to the
    series ``key`` = (treatment, metric, side), and to ``subject`` unless it is None."""
    treatment, metric, side = key
    sel = (rows["treatment"] == treatment) & (rows["metric"] == metric) & (rows["side"] == side)
    if subject is not None:
        sel &= rows["subject"] == subject
    return int(sel.sum())


def _with_unread(fit: _Fit, unread: pd.DataFrame, key: tuple, subject: str | None = None, later=()) -> _Fit:
    """``fit`` with a sentence added to its ``reason`` saying how many photos of its series were
    left out because their comparison read ``uncertain`` (unchanged when none were): without it a
    series reads "only 2 photos" while the batch compared 80.  ``later``: the series' follow-on sessions
    (:class:`~facemetrics.decay.carryover.FollowOn`, ``subject``'s alone when given), whose rows were left
    out of the fit too: a series with no row left says both counts and keeps their sentence."""
    n = _count_of(unread, key, subject)
    if n == 0:
        return fit
    if fit.n_photos == 0:  # nothing else in the series: say that first, not "only 0 photos"
        return replace(fit, reason=_all_unread(n, [f for f in later if subject is None or f.subject == subject],
                                               subject))
    note = (f" {n} more photo{'s were' if n != 1 else ' was'} left out because {'their' if n != 1 else 'its'} "
            f"comparison read 'uncertain' ({_UNREAD_CAUSES.format(it='it')}).")
    return replace(fit, reason=fit.reason + note)


def _all_unread(n: int, later: list, subject: str | None) -> str:
    """The reason of a series with no row fitted: its ``n`` photos read 'uncertain' and its follow-on sessions
    ``later`` (their rows left out) and their sentence.  It counts what it claims to count: the photos with a
    measured change (a refused comparison has none; "All 1 photo of this series" read as the session's only
    photo, CLI audit 2026-12-03), the follow-on sessions' too ("All 33 photos" omitted 14 of 11 follow-on
    sessions, a home user's month, stop 56)."""
    causes = _UNREAD_CAUSES.format(it="them" if n != 1 else "it")
    left = sum(f.n_rows for f in later)
    if not left:
        head = (f"All {n} photos of this series with a measured change read" if n != 1 else
                "The only photo of this series with a measured change read")
        return f"{head} 'uncertain' ({causes}), so no fit was made."
    return (f"Of the {n + left} photos of this series with a measured change, {n} read 'uncertain' ({causes}) and "
            f"the other {left} {'were' if left != 1 else 'was'} left out as follow-on sessions (see below), so no fit "
            "was made." + follow_on_sentence(later, subject))


def _with_repeated(fit: _Fit, repeated: pd.DataFrame, key: tuple, subject: str | None = None) -> _Fit:
    """``fit`` with a sentence added to its ``reason`` saying how many rows of its series repeated
    another and were counted once (:func:`~facemetrics.decay.inputs._repeated`; unchanged when none
    did)."""
    n = _count_of(repeated, key, subject)
    if n == 0:
        return fit
    return replace(fit, reason=fit.reason + f" {n} row{'s' if n != 1 else ''} repeated another (the same photo, by "
                                            "its sha256 or name, or where the table names no photo the same "
                                            "subject, time and value; or a before photo's copy, by its sha256 "
                                            "or pixel_sha256, at another before time) and counted once.")


def _with_retimed(fit: _Fit, retimed: pd.DataFrame, key: tuple, subject: str | None = None) -> _Fit:
    """``fit`` with a sentence added to its ``reason`` saying how many rows of its series were left out
    as one photo listed at two or more times of its session, or, for the rows without a
    ``treated_at`` (column ``blind``), of its subject and treatment
    (:func:`~facemetrics.decay.inputs._at_two_times`, :func:`_without_session`; unchanged when none
    were)."""
    n = _count_of(retimed, key, subject)
    if n == 0:
        return fit
    n_blind = _count_of(retimed[retimed["blind"]], key, subject)
    what, why = _without_session(n - n_blind, n_blind)
    return replace(fit, reason=fit.reason + f" {n} row{'s were' if n != 1 else ' was'} left out as {what}: {why}.")


#: why a comparison reads ``uncertain`` (its messages say which applied); ``{it}``: "it" or "them"
#: (the folds' tone-mapping and light-direction causes added in Round 18: a clinic whose only 'uncertain' rows came
#: from a side-lit session read a note that named neither; low JPEG quality added in stop 64, when it began to make
#: a comparison's rows 'uncertain'; its limit read from quality.MIN_JPEG_QUALITY since stop 65)
_UNREAD_CAUSES = (
    "no change can be read from {it}, e.g. the upper faces matched only roughly after alignment, the face was "
    "cut by the image edge, the head pose or the camera distance changed beyond what the correction was checked "
    "on, the lips' "
    "shape changed (a smile, an open mouth), the session's before photos disagreed by twice the noise floor or "
    "more, the photo was the same picture as its before photo (a copied file or a wrong capture time: 0 by "
    "construction), a photo was saved at a low JPEG quality "
    f"(below {MIN_JPEG_QUALITY} of 100: a compressed copy), or, for the "
    "folds, one photo was black-and-white, dark glasses reached the fold's band, "
    "one photo looked locally tone-mapped (HDR/night mode), the light came from another side in the two photos, "
    "the fold depth read along the found and the reference fold line disagreed or, for the contrast, the skin "
    "beside the fold line changed; each comparison's messages say why")


#: what a reason's causes of 'uncertain' read as in report.md, the console and the app, which print
#: :data:`UNREAD_NOTE` once instead (a demo audit, 2026-12-05: the ~600 characters stood in 5 of 8 lines), on a
#: line above the note (the verdicts: the note follows them on every surface)
UNREAD_REF = "(why: see the note on 'uncertain' below)"
#: the same on a line below the note: report.md's "Subjects without a fit of their own" and "Regimen" lines, which
#: follow the note under the verdicts (they said "below" of a note above them: Round 18's (b), stop 58 fixed)
UNREAD_REF_ABOVE = "(why: see the note on 'uncertain' above, under the verdicts)"
#: the note, said once under the lines that carry :data:`UNREAD_REF` (then named after it)
UNREAD_NOTE = "Note on 'uncertain': " + _UNREAD_CAUSES.format(it="a comparison").replace(
    "no change can be read from a comparison, e.g.", "a comparison reads 'uncertain', and no change can be read "
    "from it, when e.g.", 1) + "."


def shorten_unread(reason: str, note_above: bool = False) -> tuple[str, bool]:
    """``(reason, True)`` with its causes of 'uncertain' (:data:`_UNREAD_CAUSES`, in parentheses) replaced by
    :data:`UNREAD_REF` (:data:`UNREAD_REF_ABOVE` for a line printed below the note, ``note_above``), or
    ``(reason, False)`` unchanged when it has none.  timeline.csv keeps the whole sentence; the lines a person
    reads say it once (:data:`UNREAD_NOTE`)."""
    text = str(reason)
    for it in ("it", "them"):
        text = text.replace(f"({_UNREAD_CAUSES.format(it=it)})", UNREAD_REF_ABOVE if note_above else UNREAD_REF)
    return text, text != str(reason)


def _without_session(n_session: int, n_blind: int) -> tuple[str, str]:
    """``(what, why)``: the words for rows left out by :func:`~facemetrics.decay.inputs._at_two_times`,
    ``n_session`` of them with a ``treated_at`` (a copy within its session) and ``n_blind`` without one
    (looked for among every session of their subject and treatment), and why such rows are left out."""
    what = "one photo (the same sha256 or pixel_sha256) listed at two or more times of "
    blind = "one subject and treatment (no treated_at to tell sessions apart)"
    why = "a copied file or a wrong capture time, whose right time cannot be told"
    if not n_blind:
        return what + "its session", why
    why = ("a copied file, a wrong capture time or, without treated_at, one file used in two sessions (one "
           "session's last photo and the next one's before photo), which cannot be told apart (give every row "
           "its treated_at)")
    if not n_session:
        return what + blind, why
    return f"{what}its session or, for {n_blind} of them, of {blind}", why


def _nothing_to_fit(changes: pd.DataFrame, metrics, retimed: pd.DataFrame | None = None) -> str:
    """The ``reason`` of a :class:`SeriesResult` with no fit: why no row of ``changes`` (of the
    ``metrics`` asked for) could be used, with the counts: no rows, no finite time and value
    (nothing measured), a verdict in :data:`UNREAD_VERDICTS`, or (the rows of ``retimed``, with
    its bool column ``blind``: no ``treated_at``) one photo listed at two or more times of its
    session (:func:`~facemetrics.decay.inputs._at_two_times`)."""
    n_retimed = 0 if retimed is None else len(retimed)
    n_blind = 0 if retimed is None else int(retimed["blind"].sum())
    rows = changes
    if metrics is not None:
        wanted = [metrics] if isinstance(metrics, str) else list(metrics)
        rows = rows[rows["metric"].astype(str).isin(wanted)]
    n = len(rows)
    if n == 0:
        return "The table of changes has no rows, so no series could be fitted."
    finite = _has_time_and_value(rows)
    unread = finite & (rows["verdict"].isin(UNREAD_VERDICTS).to_numpy() if "verdict" in rows.columns
                       else np.zeros(n, dtype=bool))
    n_empty, n_unread = int((~finite).sum()), int(unread.sum())
    nothing = "no change was measured"
    n_cmp = ""
    if n_unread and "photo" in rows.columns:  # long.csv: one row per comparison, metric and side
        k = int(rows.loc[unread, "photo"].nunique())
        n_cmp = f" ({k} comparison{'s' if k != 1 else ''})"
    why_unread = _UNREAD_CAUSES.format(it="them" if n_unread != 1 else "it")
    dated_twice = "{} ({})".format(*_without_session(n_retimed - n_blind, n_blind))
    if n_empty == n:
        return (f"None of the {n} row{'s' if n != 1 else ''} of changes has a number for both its time and its "
                f"value ({nothing}), so no series could be fitted.")
    if n_unread == n:
        head = f"All {n} rows" if n != 1 else "The one row"
        return f"{head} of changes{n_cmp} read 'uncertain' ({why_unread}), so no series could be fitted."
    if n_retimed and not n_empty and not n_unread:
        return f"Every row of changes is {dated_twice}, so no series could be fitted."
    have = "has" if n_empty == 1 else "have"
    parts = [f"{n_empty} {have} no number for the time or the value ({nothing})",
             f"{n_unread}{n_cmp} read 'uncertain' ({why_unread})",
             f"{n_retimed} {'are' if n_retimed != 1 else 'is'} {dated_twice}"]
    parts = [p for p, k in zip(parts, (n_empty, n_unread, n_retimed)) if k] or parts[:2]  # the counts that apply
    return f"Of the {n} rows of changes, {join_words(parts)}, so no series could be fitted."
