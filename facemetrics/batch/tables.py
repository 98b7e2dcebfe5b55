"""From measured rows to the study's tables: metadata and roles per photo, the comparisons
(:mod:`facemetrics.pairing`'s rule on these rows), the wide change columns and the long (tidy) rows.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from datetime import timedelta
from pathlib import Path

from .._version import __version__
from ..flags import FLAG_STARTS, flag_code, flag_remedies
from ..listing import join_words
from ..messages import split_messages
from ..pairing import PairingPhoto, pair_photos, too_early, too_late
from ..schema import LONG_COLUMNS, side_column
from .discover import (COMPARISON_FAILED, COMPARISON_REFUSED, NO_TIME, NOT_MEASURED, OTHER, PhotoEntry, Reason,
                       hours_between, parse_time)
# one treatment session of one subject and a treatment time as the instant it names: the one rule, in
# facemetrics.timekeys (the store, the regimen study and the decay claim key their sessions by it too, by its
# public names), under the names the batch uses
from ..timekeys import match_sessions as _sessions
from ..timekeys import session_key as _session_key  # noqa: F401 (runner.py's)
from ..timekeys import date_alone, no_time_of_day  # a date alone (also with an offset): its message
from ..timekeys import name_time_refusal  # a name with a time's form and year 1000: why
from ..timekeys import name_date_alone  # a WhatsApp copy's name: a date, no time of day
from ..timekeys import time_meant  # 08.20, 9am, ...: why, with the time meant
from ..timekeys import capture_time_of  # manifest, else EXIF, else the file name's time: the one chain
from ..sidecar import sidecar_time  # a Google Photos / Takeout sidecar's capture time (UTC), when EXIF has none
from ..timekeys import clock_text, since_text  # "2026-11-04 07:30" and "5 min" / "2.0 h" in the messages


def long_rows(comparison_rows, *, subject: str, treatment: str, hours_since_treatment: float | None,
              photo: str = "", taken_at: str | None = None, treated_at: str | None = None, sha256: str = "",
              pixel_sha256: str = "", facemetrics_version: str | None = None, messages=(),
              calibration_source: str = "", scale_pct: float = math.nan) -> list[dict]:
    """One comparison's rows -> rows of the tidy changes table (``long.csv``).

    Parameters
    ----------
    comparison_rows : list of dict or Comparison
        ``Comparison.to_frame().to_dict("records")`` (or ``to_csv_frame``'s):
        one row per metric and side, with ``metric``, ``side``, ``change``,
        ``unit``, ``noise_floor`` and ``verdict``; or the
        :class:`facemetrics.compare.Comparison` itself (its rows and messages).
    subject, treatment : str
    hours_since_treatment : float or None
        Of the after photo [h].
    photo, taken_at, treated_at, sha256, pixel_sha256 : str, optional
        Provenance of the after photo (``sha256``: of its file's bytes; ``pixel_sha256``: of its
        decoded pixels, :attr:`facemetrics.loader.Photo.pixel_sha256`).
    facemetrics_version : str, optional
        The version that wrote the rows (default: this one).
    messages : iterable of str, optional
        The comparison's messages (``Comparison.messages``), when
        ``comparison_rows`` are dicts without a ``messages`` column.
    calibration_source : str, optional
        The scale the changes were read in: the before photo's ``calibration_source``
        (``iris``, ``user_mm_per_px``, ``user_ipd``); empty when unknown (read as ``iris``).
    scale_pct : float, optional
        The comparison's mm scale uncertainty (%, 1 SD: its ``scale_uncertainty_pct``, the before photo's
        ``mm_per_px_uncertainty_pct``) for rows that carry no ``change_scale_sd``
        (:func:`facemetrics.compare.table.row_scale_sd`);
        default unknown (NaN: their ``change_scale_sd`` is empty).  A ``Comparison`` gives its own.

    Returns
    -------
    list of dict
        Keys :data:`facemetrics.schema.LONG_COLUMNS`, in that order (``value``
        is the comparison's ``change``, ``change_scale_sd`` its mm scale's share of
        the uncertainty, :func:`~facemetrics.compare.table.row_scale_sd`: the row's own, else at ``scale_pct``);
        the input of
        :func:`facemetrics.decay.analyze_series`.  The batch's ``long.csv`` and
        the app's timeline are built by this one function.  A comparison of
        two photos with the same pixels (compare's ``MSG_SAME_PICTURE`` among
        the comparison's messages, the ``messages`` given or a row's
        ``messages``) reads 0 by construction, no measurement; one whose after
        photo is a re-saved copy of the before photo (compare's
        ``MSG_NEAR_COPY``: other pixels, one picture, a JPEG re-save, resize,
        crop or tone edit) reads only the re-compression.  Either way its rows
        read ``uncertain`` (:func:`same_picture_rows`; :func:`_says_same_picture`),
        so the fits leave them out, though the two files' sha256 differ, and a
        copy's pixels too.
    """
    # compare's (imported here: a batch worker loads this module, not compare: tests/test_batch.py)
    from ..compare.table import row_scale_sd as _row_scale_sd

    rows, said = _rows_and_messages(comparison_rows, messages)
    if _says_same_picture(said):
        rows = same_picture_rows(rows)
    out = []
    for m in rows:
        row = {
            "subject": subject, "treatment": treatment, "hours_since_treatment": hours_since_treatment,
            "metric": m.get("metric"), "side": m.get("side"), "value": m.get("change"),
            "unit": m.get("unit") or "", "noise_floor": m.get("noise_floor"), "verdict": m.get("verdict"),
            "change_scale_sd": _row_scale_sd(m, scale_pct),
            "photo": photo, "taken_at": taken_at, "treated_at": treated_at, "sha256": sha256 or "",
            "pixel_sha256": pixel_sha256 or "",
            "calibration_source": calibration_source if isinstance(calibration_source, str) else "",
            "facemetrics_version": facemetrics_version or __version__,
        }
        out.append({c: row[c] for c in LONG_COLUMNS})
    return out


def _rows_and_messages(comparison_rows, messages) -> tuple[list[dict], list[str]]:
    """:func:`long_rows`' comparison rows as dicts and every message said of the comparison: those
    given, a ``Comparison``'s own, and each row's ``messages`` text (``to_csv_frame``'s, the
    messages joined with ``"; "``, kept whole: a message may hold ``"; "`` itself)."""
    said = [str(m) for m in (messages or ())]
    if hasattr(comparison_rows, "to_frame") and hasattr(comparison_rows, "messages"):  # a Comparison
        said += [str(m) for m in comparison_rows.messages]
        sds = comparison_rows.change_scale_sds()
        comparison_rows = [dict(m, change_scale_sd=sd)
                           for m, sd in zip(comparison_rows.to_frame().to_dict("records"), sds)]
    rows = list(comparison_rows)
    for m in rows:
        text = m.get("messages")
        if isinstance(text, str) and text:
            said.append(text)
    return rows, said


def _says_same_picture(messages: list[str]) -> bool:
    """Does one of ``messages`` say the comparison's two photos are the same picture (compare's
    ``MSG_SAME_PICTURE``, or ``MSG_NEAR_COPY``: a re-saved copy)?  compare is imported only when there
    are messages to read (it loads OpenCV; the batch builds its tables from cached rows)."""
    if not messages:
        return False
    from ..compare import says_same_picture

    return says_same_picture(messages)


def change_column(metric: str, side: str) -> str:
    """Wide ``changes.csv`` column of a metric/side change: :func:`facemetrics.schema.side_column`.

    ``("jawline_lift_mm", "mean") -> "jawline_lift_mm"``,
    ``("jawline_lift_mm", "right") -> "jawline_lift_right_mm"``,
    ``("nlf_depth", "left") -> "nlf_depth_left"``.
    """
    return side_column(metric, side)


def _sort_key(r: dict):
    return (str(r.get("subject") or ""), str(r.get("treatment") or ""), str(r.get("taken_at") or "~"),
            str(r.get("photo") or ""))


def _table_row(e: PhotoEntry, measured: dict) -> dict:
    """A photo's ``photos.csv`` row: its measured row, the study metadata, its role
    (``baseline``/``post``, or empty with the reasons in ``excluded``).  ``_path`` is
    kept for the comparing stage, ``_reasons`` (each reason of ``excluded`` as a
    :class:`~facemetrics.batch.discover.Reason`, in its order: the entry's with their fields, no capture time,
    the others by their text) for the batch's ``excluded`` (neither is written)."""
    r = dict(measured)
    r["photo"] = e.photo
    if e.subject:
        r["subject"] = e.subject
    r["subject"] = r.get("subject") or ""
    if not r.get("sha256"):
        r["sha256"] = e.sha256
    r["taken_at"], r["taken_at_source"] = capture_time(e, r)
    r["treatment"] = e.treatment
    r["treated_at"] = e.treated_at
    # a date alone gives no hours (read as midnight, photos.csv showed 14.0 h for a photo excluded for it)
    timed = not (_date_only(r["taken_at"]) or _date_only(e.treated_at))
    r["hours_since_treatment"] = hours_between(r["taken_at"], e.treated_at) if timed else float("nan")
    r["role"] = ""
    r["excluded"] = ""
    reasons, said = [], []  # photos.csv's `excluded`, and each of its reasons as a Reason (r["_reasons"])

    def add(text, code=OTHER):
        reasons.append(text)
        said.append(Reason(code, text))

    if r.get("status") != "ok":  # analyze's words ("cannot be read (...)" / "not measured (...)"), the name once
        add(_failure(r), NOT_MEASURED)
    if e.note:  # its reasons with their fields (a manifest that does not fit the folder), or one note
        reasons.append(e.note)
        said += e.reasons or (Reason(OTHER, e.note),)
    if not r["taken_at"]:
        if r.get("status") == "ok":
            # a photo not measured (no face, ... or not decoded) is told why alone: a time would not get it
            # measured (photos.csv told a picture without a face to "give its taken_at", stop 45; the console's
            # rule, console.no_capture_time_lines)
            add(no_capture_time(e.path.name, e.path), NO_TIME)
    elif _date_only(r["taken_at"]):  # also with an offset (2026-05-01+01:00), which parse_time refuses
        add(no_time_of_day(r["taken_at"], treatment=False))
    elif parse_time(r["taken_at"]) is None:
        if not _named(e, "taken_at"):  # a manifest's is named in the note with its row and the forms read
            add(time_meant(r["taken_at"], "capture time"))
    if e.treated_at and _date_only(e.treated_at):
        add(no_time_of_day(e.treated_at, treatment=True))
    elif e.treated_at and parse_time(e.treated_at) is None:
        if not _named(e, "treated_at"):
            add(time_meant(e.treated_at, "treatment time"))
    elif not e.treated_at and not e.note:
        add("no treatment time")
    if not reasons and too_early(r["hours_since_treatment"]):  # a reset camera clock: never the before photo
        add(too_early(r["hours_since_treatment"]))
    if not reasons and too_late(r["hours_since_treatment"]):  # a camera clock set ahead (2031): never compared
        add(too_late(r["hours_since_treatment"]))
    if not reasons:
        r["role"] = "baseline" if r["hours_since_treatment"] < 0 else "post"
    r["excluded"] = "; ".join(reasons)
    r["_reasons"] = tuple(said)  # a row with reasons gets no role, so no later step rewrites its `excluded`
    r["_path"] = str(e.path)
    return r


def capture_time(e: PhotoEntry, measured: dict) -> tuple[str, str]:
    """``(taken_at, taken_at_source)`` of a batch photo: the manifest's ``taken_at`` (``"manifest"``), else
    the photo's EXIF capture time (its measured row's ``taken_at``: ``"exif"``), else the time its file name
    states (:func:`facemetrics.timekeys.time_from_name`: ``"file_name"``, ISO 8601 without a UTC offset),
    else ``("", "")``.  A row whose ``taken_at_source`` is set already (the runner's, before a time without
    an offset is read in its session's offset, :func:`facemetrics.batch.discover.offset_free_times`, which
    writes it into the entry's ``taken_at``) keeps its source, with the entry's time when it has one.

    Parameters
    ----------
    e : PhotoEntry
        The photo (``taken_at``: the manifest's, or a time read in its session's offset; ``path``: its name).
    measured : dict
        Its measured row (``taken_at``: EXIF, ISO 8601 or empty; ``taken_at_source`` when set).

    Returns
    -------
    (str, str)
    """
    given = measured.get("taken_at_source") or ""
    if given:
        return e.taken_at or measured.get("taken_at") or "", given
    exif = measured.get("taken_at")
    side = "" if (e.taken_at or exif) else sidecar_time(e.path)  # a Google Photos / Takeout sidecar beside it
    return capture_time_of(e.taken_at, exif, e.path.name, sidecar=side)  # the one chain (analyze, compare)


def _left_out(r: dict, *why: str, added: bool = False) -> None:
    """Leave a photo row out for the reasons ``why`` (in place): its ``excluded`` their texts joined with
    "; " (after those it had when ``added``), its ``_reasons`` one :class:`~facemetrics.batch.discover.Reason`
    of code :data:`~facemetrics.batch.discover.OTHER` each, so that the console counts each whole though
    its text holds "; " (a copy dated differently: "...; dated ...")."""
    kept = (r["excluded"], *why) if added and r.get("excluded") else why
    r["excluded"] = "; ".join(kept)
    r["_reasons"] = (*(r.get("_reasons") or ()), *(Reason(OTHER, w) for w in why)) if added else \
        tuple(Reason(OTHER, w) for w in why)


def comparison_left_out(r: dict, status: str, messages: str) -> None:
    """Leave a photo row out of the changes because its comparison was refused or failed (``status``
    ``refused`` or ``error``; in place): its ``excluded`` ``"comparison refused: "`` and the comparison's
    ``messages`` (joined with "; "), its ``_reasons`` that text as one
    :class:`~facemetrics.batch.discover.Reason` of code
    :data:`~facemetrics.batch.discover.COMPARISON_REFUSED` or
    :data:`~facemetrics.batch.discover.COMPARISON_FAILED`, so that the console counts it by its code, as a
    photo not measured is, never by the messages split at "; " (each message was counted as a reason of its
    own, and no two photos' messages, which hold their measured angles and distances, were alike)."""
    r["excluded"] = f"comparison {status}: {messages}"
    r["_reasons"] = (Reason(COMPARISON_REFUSED if status == "refused" else COMPARISON_FAILED, r["excluded"]),)


def _named(e: PhotoEntry, column: str) -> bool:
    """Does one of the entry's reasons name its manifest's ``column`` (a time not read, with its row)?"""
    return any(x.column == column for x in e.reasons)


#: how a capture time is written, as the manifest hints give it
TIME_EXAMPLE = "e.g. 2026-11-02T14:30, with the UTC offset if known: +01:00"
#: what a manifest holds, said where a hint sends the user to a copy of photos.csv
MANIFEST_LISTS = ("it reads as a manifest, which lists every photo with its subject, treatment, taken_at and "
                  "treated_at: a photo it does not list is left out")


def fill_in_taken_at(n: int, manifest=None, *, table: str = "photos.csv", again: str, command: str = "") -> str:
    """The manifest hint of `batch` (:func:`~facemetrics.batch.console.no_capture_time_lines`), `study import`
    (:func:`~facemetrics.batch.console.import_untimed_lines`) and photos.csv's ``excluded`` (:data:`NO_CAPTURE_TIME`)
    for ``n`` photos without a capture time, one wording for all (they said the same thing three ways, stop 64 h2
    and g4; here, below the console, so that photos.csv's reason is built from it too): "fill in their taken_at (e.g. ...) in M.csv and AGAIN with it" with a
    ``manifest`` given; else "... in a copy of TABLE under another name (it reads as a manifest, which lists every
    photo with its subject, ...) and AGAIN with --manifest COPY (COMMAND)"."""
    head = f"fill in {'their' if n != 1 else 'its'} taken_at ({TIME_EXAMPLE})"
    if manifest:
        return f"{head} in {manifest} and {again} with it"
    return (f"{head} in a copy of {table} under another name ({MANIFEST_LISTS}) and {again} with --manifest COPY"
            + (f" ({command})" if command else ""))


#: photos.csv's ``excluded`` reason for a measured photo with no capture time, with what to do (it gave no
#: remedy: round 2 of a first-time user's session, 2026-12-05); the console names such photos too.  Its remedy is
#: the console's, in its words (:func:`fill_in_taken_at`; "give its taken_at in a manifest (--manifest; a copy of
#: photos.csv with taken_at filled in reads as one)" was a third wording until stop 64, g4)
NO_CAPTURE_TIME = ("no capture time (no EXIF DateTimeOriginal, none in its file name and none in the manifest): "
                   + fill_in_taken_at(1, again="run again"))


def no_capture_time(name, path=None) -> str:
    """photos.csv's ``excluded`` reason for a measured photo named ``name`` with no capture time:
    :data:`NO_CAPTURE_TIME`, or, when its name has a time's form with a year no capture time has
    (``IMG_10001124_080000.jpg``: :func:`facemetrics.timekeys.name_time_refusal`) or a date alone (a WhatsApp copy,
    ``IMG-20261027-WA0003.jpg``: :func:`facemetrics.timekeys.name_date_alone`), that said in its place; when the
    file at ``path`` has an EXIF capture time that is blank or no date (a camera whose clock was never set writes
    0000:00:00 00:00:00: :func:`facemetrics.loader.read_time_not_read`), that in place of "no EXIF
    DateTimeOriginal" (stop 63's audit)."""
    from ..loader import read_time_not_read  # here: the batch's own process does not load the loader otherwise

    text = NO_CAPTURE_TIME
    if path is not None and (exif_why := read_time_not_read(path)):
        text = text.replace("no EXIF DateTimeOriginal", exif_why, 1)
    why = name_time_refusal(name) or name_date_alone(name)  # IMG-20261027-WA0003: a date, no time of day
    if not why:
        return text
    return text.replace("none in its file name", f"its file name {why}", 1)


def _date_only(text) -> bool:
    """A time written as a date alone (``2026-03-29``, ``20260329``, also with a UTC offset:
    ``2026-03-29+01:00``): read as midnight, it would silently make a photo of 07:00 a
    post-treatment one of an 08:00 session (an audit, 2026-12-02).  :func:`facemetrics.timekeys.date_alone`."""
    return date_alone(text)


def _comparison_jobs(photo_rows: list[dict]) -> list[tuple[dict, list[dict]]]:
    """The study's comparisons: ``[(row, baselines)]``, by :func:`facemetrics.pairing.pair_photos`.

    The photos with a role are paired within their session
    (:func:`_sessions`): every post photo with the session's baseline
    photos (as the before photo the earliest of those with the lowest
    :func:`baseline_rank` against the session's :func:`shared_faults`, the
    others as its repeats);
    with two or more baselines each baseline photo also with the others (the
    no-change check).  The rows are ``photo_rows``' own dicts; the post
    photos of a session without a baseline, and photos with the same content
    as another of their session, are marked excluded (in place); a photo
    whose session cannot be told loses its role, with the reason.  The row of
    each compared photo gets the names of the earlier baseline photos its
    before photo was chosen over in ``_passed_over``, and its session's
    :func:`shared_faults` in ``_shared_faults`` (in place; :func:`baseline_messages`
    reads both).
    """
    with_role = [r for r in photo_rows if r["role"]]
    sessions, no_session = _sessions(with_role)
    for r in with_role:
        if r["photo"] in no_session:
            r["role"] = ""
            _left_out(r, no_session[r["photo"]])
    with_role = [r for r in with_role if r["role"]]
    posts: dict[tuple, dict] = {}  # session -> its measured post photos, one per file content
    for r in with_role:
        if r["role"] == "post":
            posts.setdefault(sessions[r["photo"]], {}).setdefault(r.get("sha256") or r["photo"], r)
    shared = {k: shared_faults(list(posts.get(k, {}).values())) for k in set(sessions.values())}
    pairing = pair_photos(
        PairingPhoto(photo=r["photo"], session=sessions[r["photo"]], role=r["role"],
                     hours_since_treatment=r["hours_since_treatment"], content=r.get("sha256") or "",
                     pixels=r.get("pixel_sha256") or "",
                     baseline_rank=baseline_rank(r, shared[sessions[r["photo"]]]))
        for r in with_role)
    rows = {r["photo"]: r for r in with_role}
    for name in pairing.no_baseline:
        _left_out(rows[name], "no baseline photo (taken before treated_at) in this session")
    _name_lost_baselines(photo_rows, with_role, [rows[n] for n in pairing.no_baseline])
    for name, reason in (*pairing.too_early, *pairing.too_late):  # _table_row gives these no role; kept for rows given one
        _left_out(rows[name], reason)
    for name, same_as in pairing.duplicates:
        _left_out(rows[name], _duplicate_reason(rows[name], rows[same_as]))
    for group in pairing.conflicts:
        for name in group:
            _left_out(rows[name], _conflict_reason(rows[name], [rows[o] for o in group if o != name]))
    for p in pairing.pairs:
        rows[p.photo]["_passed_over"], rows[p.photo]["_shared_faults"] = p.passed_over, shared[sessions[p.photo]]
    _name_before_photos_alone(with_role, sessions, pairing)
    _mark_later_treatments(with_role, sessions)
    return [(rows[p.photo], [rows[b] for b in p.baselines]) for p in pairing.pairs] + \
        _next_before_jobs(with_role, sessions, pairing, shared, _session_starts(photo_rows, with_role))


#: how the message begins on a comparison of a session's before photo read as the earlier session's photo at that
#: time (:func:`next_before_message`, :func:`_next_before_jobs`)
MSG_NEXT_BEFORE = "the before photo of this subject's next session of this treatment"


def next_before_message(r: dict) -> str:
    """The message (``changes.csv``'s ``messages``) on a comparison whose after photo ``r`` is the before photo of
    the next session of its subject and treatment (``r["_next_session"]``: that session's ``treated_at``,
    :func:`_next_before_jobs`), read as this session's photo at its hours since treatment; "" for any other."""
    nxt = r.get("_next_session")
    if not nxt:
        return ""
    since, at = since_text(r.get("hours_since_treatment")), clock_text(r.get("treated_at"))
    return (f"{MSG_NEXT_BEFORE} (treated at {clock_text(nxt)}), taken {since} after this session's treatment at "
            f"{at} and before that one's: read as this session's photo at that time, as a --follow-up photo taken "
            "then would be")


def next_before_rows(change_rows, photo_rows) -> list[dict]:
    """The rows of ``change_rows`` (``changes.csv``'s, dicts) that are a session's before photo read as the previous
    session's photo at that time (:func:`_next_before_jobs`): role ``post`` in ``changes.csv`` while ``photo_rows``
    (``photos.csv``'s) give the photo role ``baseline``; in ``change_rows``' order."""
    before = {r.get("photo") for r in photo_rows or () if r.get("role") == "baseline"}
    return [r for r in change_rows or () if r.get("role") == "post" and r.get("photo") in before]


def _hours(v) -> float:
    try:
        return float(v)
    except (TypeError, ValueError):
        return math.nan


#: how the note on the next-session before photos read as the earlier session's photos begins (the console, report.md,
#: *My study*: :func:`next_before_note`)
MSG_NEXT_BEFORE_NOTE = "a next session's before photo read a second time"


def next_before_count(change_rows, photo_rows) -> str:
    """``", N of them {MSG_NEXT_BEFORE_NOTE}"`` for the summary lines' count of changes (``batch``, ``study
    report``), "" when none is: a daily user with 10 after photos read "14 changes" (docs/validation.md §12,
    Round 16)."""
    n = len(next_before_rows(change_rows, photo_rows))
    return f", {n} of them {MSG_NEXT_BEFORE_NOTE}" if n else ""


def next_before_note(change_rows, photo_rows, most: int = 6) -> str:
    """One sentence for the console (``timeline``, ``study report``), report.md and *My study*, on the changes that
    are a session's before photo read as the previous session's photo at that time (:func:`next_before_rows`):
    how many of the after-photo changes, at which hours, which photos (``most`` named); "" when none.  One photo
    is then in two sessions, a before photo of its own and an after photo of the one before; only changes.csv's
    messages said so (docs/validation.md section 12, Round 16)."""
    rows = next_before_rows(change_rows, photo_rows)
    if not rows:
        return ""
    n_post = sum(r.get("role") == "post" for r in change_rows)
    hours = sorted(h for h in (_hours(r.get("hours_since_treatment")) for r in rows) if h == h)
    span = (since_text(hours[0]) if not hours or hours[0] == hours[-1] or since_text(hours[0]) == since_text(hours[-1])
            else f"{since_text(hours[0])} to {since_text(hours[-1])}") if hours else "some time"
    names = [f"{r.get('photo')}" for r in rows[:most]] + ([f"and {len(rows) - most} more"] if len(rows) > most else [])
    one = len(rows) == 1
    return (f"{len(rows)} of the {n_post} after-photo changes {'is' if one else 'are'} {MSG_NEXT_BEFORE_NOTE} "
            f"(the other {n_post - len(rows)} are the after photos as given): "
            f"{'the before photo' if one else 'each the before photo'} of the next session of its subject and "
            f"treatment, taken {span} after the previous session's treatment and before the next one's, read also "
            "as the previous session's photo at that time, as a --follow-up photo taken then would be (changes.csv's "
            f"messages say so on each row): {', '.join(names)}.")


def _chosen_before(pairing) -> dict[tuple, tuple]:
    """``{session key: (before, repeats, passed_over)}`` of the sessions of ``pairing`` with a post photo compared
    (:func:`facemetrics.pairing.pair_photos`'s choice)."""
    out: dict[tuple, tuple] = {}
    for p in pairing.pairs:
        if not p.no_change:
            out.setdefault(tuple(p.session), (p.before, p.repeats, p.passed_over))
    return out


def _session_starts(photo_rows: list[dict], with_role: list[dict]) -> dict[tuple, str]:
    """``{session key: treated_at}`` of every session of ``photo_rows`` with a treatment time that can be read, also
    those none of whose photos has a role (all refused: not measured, no capture time, ...): such a session still
    treated the face (docs/validation.md section 12, Round 17).  Keys as :func:`_sessions` gives them with the
    photos with a role."""
    others = [r for r in photo_rows if not r.get("role") and r.get("subject") is not None and r.get("treated_at")
              and not _date_only(r["treated_at"]) and parse_time(str(r["treated_at"])) is not None]
    keys, _ = _sessions(with_role + others)
    starts: dict[tuple, str] = {}
    for r in with_role + others:
        if r["photo"] in keys:
            starts.setdefault(keys[r["photo"]], str(r["treated_at"]))
    return starts


def _next_before_jobs(with_role: list[dict], sessions: dict, pairing, shared: dict,
                      every: dict | None = None) -> list[tuple[dict, list[dict]]]:
    """The comparisons of each session's chosen before photo with the chosen before photo of the previous session
    of its subject and treatment, as a post photo of that earlier session (``[(row, baselines)]``; ``row`` a copy
    of the before photo's row with the earlier session's ``treated_at``, its hours since that treatment, role
    ``post`` and ``_next_session`` the later session's ``treated_at``; :func:`next_before_message`).

    A daily user's next before photo is the face about 24 h after the earlier treatment, taken before the next
    one: what a ``--follow-up`` photo then would be (docs/validation.md section 12, Round 14).  Made only when
    both sessions have a post photo compared (their before photos are chosen: :func:`_chosen_before`), the later
    before photo was taken after the earlier treatment and at most
    :data:`~facemetrics.pairing.MAX_DAYS_AFTER_TREATMENT` after it (as any post photo), no session of another
    treatment of the subject began in between, and it is not the same file or picture as one of the earlier
    session's photos (its before photo, repeats or post photos).  No other largest gap: a weekly clinic's 168 h
    row is a true photo of the earlier effect a week on.  The next session is the next one of ``every``
    (:func:`_session_starts`: also a session none of whose photos has a role), so no row is made across a
    session of the same treatment whose photos were all refused or whose before photo was missing: the later
    before photo is then not a photo of the earlier session's effect alone (Round 17)."""
    chosen = _chosen_before(pairing)
    rows = {r["photo"]: r for r in with_role}
    starts: dict[tuple, str] = dict(every or {})
    for r in with_role:
        starts.setdefault(sessions[r["photo"]], str(r["treated_at"]))
    jobs = []
    for a, (before_a, repeats_a, passed_a) in sorted(chosen.items()):
        later = [(hours_between(at, starts[a]), k) for k, at in starts.items() if k[:2] == a[:2] and k != a]
        later = sorted((h, k) for h, k in later if h == h and h > 0)
        if not later or later[0][1] not in chosen:
            continue
        b = later[0][1]
        nb = dict(rows[chosen[b][0]])
        h = hours_between(str(nb.get("taken_at") or ""), starts[a])
        if not h > 0 or too_late(h) or _another_between(starts, a, str(nb.get("taken_at"))) \
                or _same_as_session(nb, [rows[n] for n in rows if sessions[n] == a]):
            continue
        nb.update(role="post", treated_at=rows[before_a]["treated_at"], hours_since_treatment=h,
                  _next_session=nb["treated_at"], _passed_over=passed_a, _shared_faults=shared[a])
        jobs.append((nb, [rows[n] for n in (before_a, *repeats_a)]))
    return jobs


def _another_between(starts: dict, a: tuple, taken_at: str) -> bool:
    """Did a session of another treatment of session ``a``'s subject begin after ``a``'s treatment and at or before
    ``taken_at`` (``starts``: ``{session key: treated_at}``)?"""
    return any(k[0] == a[0] and k[1] != a[1] and _began_between(at, starts[a], taken_at) for k, at in starts.items())


def _same_as_session(r: dict, photos: list[dict]) -> bool:
    """Is ``r`` one of ``photos`` or the same file (sha256) or pixels (pixel_sha256) as one of them?"""
    same = {r["photo"]} | {x for x in (r.get("sha256"), r.get("pixel_sha256")) if x}
    return any(same & {p["photo"], p.get("sha256") or "", p.get("pixel_sha256") or ""} - {""} for p in photos)


#: how the message begins on a comparison whose after photo was taken after another treatment of its subject began
#: (:func:`later_treatment_message`)
MSG_AFTER_ANOTHER_TREATMENT = "taken after another treatment of this subject began"


def _mark_later_treatments(with_role: list[dict], sessions: dict) -> None:
    """Give each post row of ``with_role`` taken at or after the treatment time of a session of another treatment
    of its subject that began after its own session's treatment the ``(treatment, treated_at)`` of those sessions
    in ``_later_treatments`` (in place; ``sessions``: ``{photo: session key}``, subject and treatment first).  Its
    change carries that treatment's effect too (:func:`later_treatment_message`).  A later session of the same
    treatment is the decay fit's follow-on rule's (:mod:`facemetrics.decay.carryover`).  A clinic's audit
    (2026-12-05): an RF photo of 24 h filed under the client's microcurrent session of the day before read +1.57 mm
    at 49 h and turned the microcurrent verdict from ``fades_within_a_day`` into ``inconclusive``, unnamed."""
    starts: dict[str, dict[tuple, tuple[str, str]]] = {}
    for r in with_role:
        key = sessions[r["photo"]]
        starts.setdefault(key[0], {}).setdefault(key, (str(r["treatment"]), str(r["treated_at"])))
    for r in with_role:
        if r["role"] != "post" or r.get("excluded"):
            continue
        own = sessions[r["photo"]]
        later = [(tr, at) for k, (tr, at) in starts[own[0]].items()
                 if k[1] != own[1] and _began_between(at, str(r["treated_at"]), str(r.get("taken_at") or ""))]
        if later:
            r["_later_treatments"] = tuple(sorted(later, key=lambda x: x[1]))


def _began_between(at: str, treated_at: str, taken_at: str) -> bool:
    """Was a treatment at ``at`` given after ``treated_at`` and at or before ``taken_at`` (times as the batch
    compares them, :func:`facemetrics.batch.hours_between`)?  False when one cannot be read."""
    try:
        return hours_between(at, treated_at) > 0 and hours_between(taken_at, at) >= 0
    except (TypeError, ValueError):
        return False


def later_treatment_message(r: dict) -> str:
    """The message on a comparison whose after photo ``r`` (a ``photos.csv`` row with ``_later_treatments``,
    :func:`_mark_later_treatments`) was taken after another treatment of its subject began; "" for none."""
    later = r.get("_later_treatments") or ()
    if not later:
        return ""
    named = ", ".join(f"{tr} treated at {clock_text(at)} "
                      f"({since_text(hours_between(str(r.get('taken_at')), at))} before this photo)" for tr, at in later)
    return (f"{MSG_AFTER_ANOTHER_TREATMENT}: {named}, after this session's treatment at "
            f"{clock_text(r.get('treated_at'))}. Its "
            "change carries that treatment's effect too, so its rows are shown without a verdict ('uncertain') and "
            "the fits leave it out; if the photo belongs to that session, give it that treatment and treated_at "
            "(manifest or folder)")


#: photos.csv's ``excluded`` reason for a before photo compared with nothing: its session has no photo taken after
#: the treatment (nor another before photo for a no-change check), and its subject and treatment no other session
#: for the regimen study to compare it with (a client who did not come back, or after photos filed under another
#: subject, treatment or treated_at).  It was left without a word in photos.csv, the console and report.md (a
#: clinic's audit, 2026-12-05)
NO_AFTER_PHOTO = ("compared with nothing: no photo of this session taken after the treatment was measured, and "
                  "this subject and treatment have no other session; add the photos taken after treated_at, or "
                  "check their subject, treatment and treated_at (or their own rows, if they were left out)")


def _name_before_photos_alone(with_role: list[dict], sessions: dict, pairing) -> None:
    """Leave out, with :data:`NO_AFTER_PHOTO` (in place), each baseline row of ``with_role`` not yet excluded
    that is in no comparison of ``pairing`` (:func:`facemetrics.pairing.pair_photos`) and whose subject and
    treatment have no other session in ``sessions`` (``{photo: session key}``, subject and treatment first):
    no comparison and no regimen study uses it (:func:`facemetrics.regimen.regimen_rows` needs two sessions)."""
    used = {name for p in pairing.pairs for name in (p.photo, *p.baselines)}
    per_person: dict[tuple, set] = {}
    for key in sessions.values():
        per_person.setdefault(tuple(key[:2]), set()).add(key)
    for r in with_role:
        if r["role"] == "baseline" and not r.get("excluded") and r["photo"] not in used \
                and len(per_person[tuple(sessions[r["photo"]][:2])]) == 1:
            _left_out(r, NO_AFTER_PHOTO)


#: how the quality flags (``photos.csv`` ``quality_flags``, :func:`facemetrics.quality.quality_flags`) begin
#: that make every comparison against a before photo unreadable on that photo's own account: the gate
#: reads no lower-face change across a change of the lips' shape, a head pose beyond its checked range
#: or a face cut by the image edge (``facemetrics.compare.gate.lower_face_unread_reasons``), or refuses
#: the pair; nor any but the head pose's across a photo saved at a low JPEG quality (``gate.low_jpeg_quality``,
#: since stop 64: a compressed copy as the first before photo took every verdict of its session).  A low resolution, blur or light only warn.  What the gate reads is the change between the
#: two photos, so a fault most of the session's after photos have too (an off-axis camera: every photo
#: turned alike) is no fault of a before photo's: :func:`shared_faults`, :func:`baseline_rank`.
#: By their codes (:data:`facemetrics.flags.FLAG_STARTS`).
BASELINE_FAULT_CODES = ("smiling", "mouth_open", "yaw", "pitch", "cut", "jpeg")
BASELINE_FAULTS = tuple(FLAG_STARTS[code] for code in BASELINE_FAULT_CODES)


def baseline_faults(r: dict) -> list[str]:
    """The quality flags of a photo row (its ``quality_flags`` text) that make it unfit as its
    session's before photo (:data:`BASELINE_FAULT_CODES`, read by :func:`facemetrics.flags.flag_code`, as every
    reader of a flag reads it), whole, in their order; [] for none."""
    text = r.get("quality_flags")
    parts = split_messages(text)  # a flag's "(...; ...)" kept whole
    return [f for f in parts if flag_code(f) in BASELINE_FAULT_CODES]


#: the :data:`BASELINE_FAULTS` whose flag gives the angle's sign (``facemetrics.quality.quality_flags``: "head turned
#: (yaw +12 deg, limit 10)"), with the angle's name and the kind of each direction (the signs of ``yaw_deg``, > 0:
#: the face turned towards the subject's left, and ``pitch_deg``, > 0: chin up; docs/metrics.md)
_DIRECTED_FAULTS = {FLAG_STARTS["yaw"]: ("yaw", "head turned to the subject's left", "head turned to the subject's right"),
                    FLAG_STARTS["pitch"]: ("pitch", "head tilted up (chin up)", "head tilted down (chin down)")}


def _fault_kind(flag: str, directed: bool = True) -> str:
    """The kind of one of :func:`baseline_faults`: its :data:`BASELINE_FAULTS` start, for a turned or tilted
    head with its direction (:data:`_DIRECTED_FAULTS`; a before photo turned +12 deg and after photos turned
    -12 deg differ by 24 deg: no fault shared) unless ``directed`` is False or the flag gives no sign."""
    kind = FLAG_STARTS[flag_code(flag)]
    if directed and kind in _DIRECTED_FAULTS:
        angle, positive, negative = _DIRECTED_FAULTS[kind]
        m = re.match(rf"{re.escape(kind)} \({angle} ([+-])\d", flag)
        if m:
            return positive if m.group(1) == "+" else negative
    return kind


def _fault_kinds(r: dict, directed: bool = True) -> set[str]:
    """The kinds (:func:`_fault_kind`) of a row's :func:`baseline_faults`."""
    return {_fault_kind(f, directed) for f in baseline_faults(r)}


def shared_faults(posts) -> frozenset[str]:
    """The kinds (:func:`_fault_kind`: a turned or tilted head with its direction) more than half of a
    session's measured post photos have (``posts``: their rows, with ``quality_flags``): a before photo
    with one of these differs from most after photos less than one without it (an off-axis camera: every
    photo turned alike), so it is no fault of the before photo's (:func:`baseline_rank`); one turned the
    other way differs more, and still counts.  A low JPEG quality is never shared: either photo's takes a
    comparison's verdicts (``gate.low_jpeg_quality``), so a compressed before photo kept for after photos mostly
    compressed too took the verdicts of the session's original ones as well (review g3, stop 64).  Empty for no
    post photos."""
    posts = list(posts)
    kinds = [k for p in posts for k in _fault_kinds(p)]
    return frozenset(k for k in set(kinds) if 2 * kinds.count(k) > len(posts) and k != MSG_LOW_JPEG_FLAG)


def _counted_faults(r: dict, shared) -> list[str]:
    """``r``'s :func:`baseline_faults` of a kind not in ``shared`` (:func:`shared_faults`), in their order (a kind
    without direction in ``shared``, "head turned", stands for both directions)."""
    return [f for f in baseline_faults(r) if _fault_kind(f) not in shared and _fault_kind(f, False) not in shared]


def baseline_rank(r: dict, shared=frozenset()) -> int:
    """A baseline photo row's :attr:`facemetrics.pairing.PairingPhoto.baseline_rank`: how many kinds
    of :func:`baseline_faults` it has that at least half of its session's measured post photos lack
    (those not in ``shared``, their :func:`shared_faults`; all of them with no post photos; a head turned
    or tilted the other way than most after photos' counts).  The
    session's before photo is the earliest of the lowest rank: a smiling or head-turned first photo
    is passed over for a later one without those flags, unless the after photos mostly have them
    too (docs/guide.md, 'Which photo is compared with which')."""
    return len(_counted_faults(r, shared))


#: the start of the message a comparison gets when its session's earliest before photo(s) were passed
#: over as the before photo (changes.csv, the batch's console)
MSG_BASELINE_PASSED_OVER = "an earlier before photo was passed over"
#: the start of the message a comparison gets when its before photo has flags that make it unreadable
#: and the after photo has not (changes.csv, the batch's console)
MSG_BEFORE_PHOTO_AT_FAULT = "the before photo is the likely cause"
#: the start of the message a comparison gets when its after photo is flagged smiling and its before photo is not
#: (changes.csv, report.md's 'uncertain' list): the gate reads the change between the photos, and a smile its
#: lip-shape check misses (London 003 neutral -> smiling: smile index within ±0.10, smile score 1.57 SD) was said
#: nowhere but photos.csv's quality_flags (u4's audit of a real study, stop 54)
MSG_AFTER_PHOTO_SMILING = "the after photo is flagged smiling"
#: the end of :data:`MSG_BEFORE_PHOTO_AT_FAULT`'s message: what follows for the other messages, then the remedy of the
#: before photo's own flags (:func:`at_fault_remedy`); a comparison of a past day's photo (a regimen's, a next
#: session's before photo) says :data:`PAST_AT_FAULT_REMEDY` instead
AT_FAULT_REMEDY = ("so where the other messages ask to retake the after photo or leave a repeat photo out, it is this "
                   "before photo that differs: retake the session's before photos")
#: what :data:`MSG_BEFORE_PHOTO_AT_FAULT`'s message says of a past day's photo in place of :data:`AT_FAULT_REMEDY`
#: ("retake the session's before photos", of a session days ago: stop 62, h12), by what the photo is
#: (:func:`past_photo_kind`): its before photo is then a past day's too; the remedy of its flags follows as
#: :data:`AT_FAULT_REMEDY`'s does ("... and, in them, ..."); its "take" begins the remedy (``messages.remedy_start``:
#: "...: in the next sessions' before photos, ..." began none, and with no flag's remedy it ended there; review r2)
PAST_AT_FAULT_REMEDY = {
    "regimen": ("so it is this before photo that differs, and it cannot be retaken (the first session's before photo, "
                "taken on a past day), and the regimen's later comparisons with it may be unreadable too: take the "
                "next sessions' before photos"),
    "next_before": ("so it is this before photo that differs, and it cannot be retaken (this session's before photo, "
                    "taken on a past day): take the next sessions' before photos"),
}


def past_photo_kind(r: dict) -> str:
    """What a compared photo row ``r`` is when it is a past day's photo that the user cannot retake: ``"regimen"``, a
    regimen batch's pre-session photo (``r["_pre_session"]``), ``"next_before"``, a next session's before photo read
    as the earlier session's photo (``r["_next_session"]``), else ``""``."""
    return "regimen" if r.get("_pre_session") else "next_before" if r.get("_next_session") else ""


def at_fault_remedy(flags, past: str = "") -> str:
    """The remedy :data:`MSG_BEFORE_PHOTO_AT_FAULT`'s message ends with: :data:`AT_FAULT_REMEDY` (or
    :data:`PAST_AT_FAULT_REMEDY` of the kind ``past``, :func:`past_photo_kind`) and what to do about the before
    photo's ``flags`` (quality flags' texts), chosen by their codes (:func:`facemetrics.flags.flag_remedies`): "...
    retake the session's before photos and, in them, keep the whole face, chin included, in the picture".  It asked
    every before photo for "a relaxed, closed mouth", one cut by the image edge too (stop 66)."""
    todo = join_words(flag_remedies(flags))
    remedy = PAST_AT_FAULT_REMEDY[past] if past else AT_FAULT_REMEDY
    return f"{remedy} and, in them, {todo}" if todo else remedy


#: the start of the quality flag of a photo saved at a low JPEG quality (:func:`facemetrics.quality.quality_flags`)
MSG_LOW_JPEG_FLAG = FLAG_STARTS["jpeg"]
#: :data:`AT_FAULT_REMEDY` where the before photo's only such flag is a low JPEG quality: no retake, its original
JPEG_AT_FAULT_REMEDY = ("so it is this before photo that takes the comparisons' verdicts: use its original (the camera's "
                        "own file), not a compressed copy (messaging apps and web uploads re-compress photos)")
#: what :data:`AT_FAULT_REMEDY` goes on to ask where the before photo is also saved at a low JPEG quality (a smiling,
#: compressed before photo got the retake alone, and a retake sent the same way is compressed again: review of stop 64)
JPEG_ALSO_REMEDY = (", and use the new photos' originals (the camera's own files), not compressed copies (messaging "
                    "apps and web uploads re-compress photos)")
#: what :data:`BASELINE_FAULTS` are, in words
_FAULT_WORDS = ("a smile, an open mouth, a head turned or tilted, a face cut by the image edge, a low JPEG quality (a "
                "compressed copy)")


def baseline_messages(r: dict, base: list[dict], result: dict) -> list[str]:
    """The messages a comparison gets on its before photo (no ``;`` in them: the messages column joins
    with it): which earlier before photos were passed over as its before photo and why
    (:data:`MSG_BASELINE_PASSED_OVER`, from ``r["_passed_over"]``, :func:`_comparison_jobs`), and, for a
    post photo whose comparison was refused or reads ``uncertain`` on a row other than the head pose's,
    that the before photo has flags the after photo has not, or has the other way (a head turned or tilted
    in the opposite direction, :func:`_at_fault_message`; :data:`MSG_BEFORE_PHOTO_AT_FAULT`): the
    gate's messages then ask to retake the after photo and leave the good repeat photos out, measured as
    they are against the before photo.  Flags of a kind most of the session's after photos have
    (``r["_shared_faults"]``, :func:`shared_faults`) are no fault of a before photo's: neither why a photo
    was passed over nor a likely cause.

    Parameters
    ----------
    r : dict
        The compared photo's row (``photos.csv``, with ``quality_flags``, ``role``, ``_passed_over``,
        ``_shared_faults``; the last two default to none).
    base : list of dict
        The rows of its before photo and its repeats (the before photo first).
    result : dict
        The comparison's result as compare returned it, before the batch's own flags (``status``;
        ``rows`` with ``metric`` and ``verdict``).

    Returns
    -------
    list of str
    """
    from ..compare.gate import MSG_MIRROR_IMAGE
    from ..compare.table import POSE_METRICS

    out, before = [], base[0]
    shared = frozenset(r.get("_shared_faults") or ())
    passed = [b for b in base if b["photo"] in (r.get("_passed_over") or ())]
    if passed:
        mine = _counted_faults(before, shared)
        kinds = {_fault_kind(f, False) for f in mine}
        # each photo passed over by the counted flags of kinds the chosen one has none of (it has more of them)
        why = {b["photo"]: [f for f in _counted_faults(b, shared) if _fault_kind(f, False) not in kinds]
               for b in passed}
        named = " and ".join(f"{b['photo']} ({', '.join(why[b['photo']])})" for b in passed)
        also = (f", not counting what most of the session's after photos have too ({', '.join(sorted(shared))})"
                if shared else "")
        out.append(f"{MSG_BASELINE_PASSED_OVER}: {named} {'is' if len(passed) == 1 else 'are'} not the before "
                   f"photo of this comparison, only {'a repeat' if len(passed) == 1 else 'repeats'}, and "
                   f"{before['photo']} ({'flagged ' + ', '.join(mine) if mine else 'without such flags'}) is: the "
                   f"earliest before photo with the fewest flags that make a comparison unreadable ({_FAULT_WORDS})"
                   + also)
    unread = result.get("status") == "refused" or any(
        m.get("verdict") == "uncertain" and m.get("metric") not in POSE_METRICS for m in result.get("rows") or ())
    # a pair refused because the after photo is a mirror image of the before photo has its cause, and its remedy
    # (flip it), in the after photo: a before photo's open mouth is then no likely cause (first-user audit, stop 54:
    # "the before photo is the likely cause ... retake the session's before photos" was said beside the mirror refusal)
    mirrored = result.get("status") == "refused" and any(
        MSG_MIRROR_IMAGE in str(m) for m in result.get("messages") or ())
    if r.get("role") == "post" and unread and not mirrored:
        out += _at_fault_message(r, before, shared)
    if r.get("role") == "post" and result.get("status") != "refused":
        out += _after_smiling_message(r, before, result)
    return out


def _after_smiling_message(r: dict, before: dict, result: dict) -> list[str]:
    """:data:`MSG_AFTER_PHOTO_SMILING` for the post photo ``r`` flagged smiling (its quality flags) compared with
    ``before``, which is not (``[]`` or one message), unless compare's own messages already say the expression
    differs (:data:`facemetrics.compare.expression.MSG_EXPRESSION`, its rows then ``uncertain``).  The flag is
    quoted with its figures (:func:`_flag_figures`), without its definition; one without figures is named alone."""
    from ..compare.expression import MSG_EXPRESSION

    smiles = [f for f in baseline_faults(r) if flag_code(f) == "smiling"]
    if not smiles or any(flag_code(f) == "smiling" for f in baseline_faults(before)) or any(
            str(m).startswith(MSG_EXPRESSION + ":") for m in result.get("messages") or ()):
        return []
    figures = _flag_figures(smiles[0]).removeprefix(FLAG_STARTS["smiling"]).strip(" ()")  # none: "smiling" alone
    return [f"{MSG_AFTER_PHOTO_SMILING}{f' ({figures})' if figures else ''} and its before photo "
            f"{before['photo']} is not, as photos.csv's quality_flags say: a smile raises the mouth corners and "
            "cheeks and deepens and lengthens the nasolabial folds, so the lift and fold changes of this "
            "comparison may be the smile's, not the skin's, whatever their verdicts; take both photos with the "
            "same relaxed, closed-mouth expression"]


def _at_fault_message(r: dict, before: dict, shared: frozenset) -> list[str]:
    """:func:`baseline_messages`' :data:`MSG_BEFORE_PHOTO_AT_FAULT` of an unreadable comparison of the post photo
    ``r`` with ``before`` (``[]`` or one message): the before photo's counted flags (:func:`_counted_faults`,
    not of the ``shared`` kinds) of a kind the after photo has not, by the rule of :func:`shared_faults`
    (:func:`_fault_kind`: a head turned or tilted the other way than the after photo's is such a flag, the two
    about twice the angle apart; an after photo's flag that gives no sign stands for both directions).  A low JPEG
    quality's flag is quoted by its figures (:func:`_flag_figures`): the remedy asks for the original, the flag's own
    words said it again; :data:`JPEG_AT_FAULT_REMEDY` where it is the only flag, else :func:`at_fault_remedy` (a
    retake, of what the flags ask; a past day's photo, :func:`past_photo_kind`, asks it of the next sessions' before
    photos) and :data:`JPEG_ALSO_REMEDY` (from the camera's own file)."""
    flags = _counted_faults(before, shared | _fault_kinds(r))
    if not flags:
        return []
    # the after photo's flags of the kinds the before photo has the other way (a head turned +15 deg against -15)
    other_way = {_fault_kind(f, False) for f in flags} & _fault_kinds(r, False)
    theirs = [f for f in baseline_faults(r) if _fault_kind(f, False) in other_way]
    if not theirs:
        after = "the after photo is not"
    elif all(_fault_kind(f, False) in other_way for f in flags):
        after = f"the after photo is flagged the other way ({', '.join(theirs)})"
    else:
        after = f"the after photo is not, or is flagged the other way ({', '.join(theirs)})"
    low = any(flag_code(f) == "jpeg" for f in flags)
    remedy = JPEG_AT_FAULT_REMEDY
    if any(flag_code(f) != "jpeg" for f in flags):  # a retake, of what the flags ask (stop 66), from the camera's
        remedy = at_fault_remedy(flags, past_photo_kind(r)) + (JPEG_ALSO_REMEDY if low else "")  # own file (stop 64)
    # the low quality's flag by its figures alone: the flag's "so use the original photo" is the remedy's
    flags = [_flag_figures(f) if flag_code(f) == "jpeg" else f for f in flags]
    return [f"{MSG_BEFORE_PHOTO_AT_FAULT}: {before['photo']} is flagged {', '.join(flags)} and {after}, and no "
            "before photo of this session has fewer such flags (not counting those most of the session's after "
            f"photos have too), {remedy}"]


def _flag_figures(flag: str) -> str:
    """A quality flag quoted by its figures, without its definition: "low JPEG quality (saved at quality 50 of 100,
    read from the file, limit 70: ..., so use ...)" -> "low JPEG quality (saved at quality 50 of 100, read from the
    file, limit 70)"."""
    head = flag.split(": ", 1)[0]
    return head + (")" if ": " in flag and "(" in head else "")


def baseline_notes(change_rows) -> list[str]:
    """One line per session whose earliest before photo was passed over as the before photo, or whose
    before photo is the likely cause of its unreadable comparisons (:func:`baseline_messages`), from the
    ``messages`` of ``changes.csv`` rows (dicts): ``"S01, rf, treated 2026-11-02T08:00: an earlier
    before photo was passed over: S01/rf/a.jpg (smiling (...)) ..."``, in the rows' order; [] when none.
    Read from the post photos' rows only (``role`` not ``baseline``): a no-change check's before photo
    is chosen among the other before photos, so with three or more its passed-over message names
    another before photo, and one session printed two lines that seemed to disagree."""
    posts = [r for r in change_rows if r.get("role") != "baseline"]
    return _session_notes(posts, MSG_BASELINE_PASSED_OVER) + _session_notes(posts, MSG_BEFORE_PHOTO_AT_FAULT)


#: how a photo's role is named in messages
_ROLE_WORDS = {"baseline": "a before photo", "post": "an after photo"}


#: what a row's hours count from when no treatment time was given (``hours_from``): the app's default
#: hours count from its first 'before' photo's capture time, so a second 'before' photo 5 min later was
#: "0.1 h after the treatment" (a fresh user's audit, 2026-12-04); the batch always has a treatment time
HOURS_FROM_FIRST_BEFORE = "the first 'before' photo"


def when_text(hours, hours_from: str = "") -> str:
    """``"5 min after the treatment"``, ``"2.0 h before the treatment"``, ``"at the time of the treatment"`` of a
    photo ``hours`` [h] from the treatment (``hours_from``: what the hours count from when not the treatment,
    :data:`HOURS_FROM_FIRST_BEFORE`): the messages' words (:func:`_when`) and the app's list of comparisons."""
    return _when({"hours_since_treatment": hours, "hours_from": hours_from})


def _when(r: dict) -> str:
    """``"2.0 h before the treatment"`` / ``"5 min after the treatment"`` of a photo row (minutes below 1 h,
    :func:`facemetrics.timekeys.since_text`; the row keeps its hours); a row whose ``hours_from`` names what
    its hours count from (:data:`HOURS_FROM_FIRST_BEFORE`: no treatment time) reads ``"5 min after the first
    'before' photo"``; less than half a minute from it, ``"at the time of the treatment"`` (``"... of the first
    'before' photo"``: the photo itself read "0 min after the first 'before' photo")."""
    h, frm = float(r["hours_since_treatment"]), r.get("hours_from") or "the treatment"
    if since_text(h) == "0 min":  # the first 'before' photo itself read "0 min after the first 'before' photo"
        return f"at the time of {frm}"
    return f"{since_text(h)} {'before' if h < 0 else 'after'} {frm}"


#: the start of the message on a photo labelled 'before' whose hours say it was taken at or after the treatment
#: (:func:`before_taken_after`)
MSG_BEFORE_TAKEN_AFTER = "labelled 'before' but taken after the treatment"


def before_taken_after(rows: list[dict]) -> str:
    """The message on the photos of ``rows`` labelled 'before' (a baseline) whose hours since treatment say they
    were taken at or after the treatment time; "" when there is none.

    Contradictory input: the app's roles and hours are edited apart, so a 'before' photo can carry +0.5 h while
    the other photos' negative hours say a treatment time was set; it was then "0.5 h after the treatment" in
    the messages and a repeat of the before photo (its post-treatment change entering every noise floor) with
    nothing said (stop 39's leftover).  In a batch (``facemetrics batch``, ``study report``) a photo's role
    follows its time, so a baseline row is always before the treatment; the rule is the same one
    (:func:`facemetrics.batch.results.comparison_result` calls it for both).

    Parameters
    ----------
    rows : list of dict
        The baseline photos' rows: ``photo``, ``hours_since_treatment`` [h] (None / NaN: unknown, skipped) and
        optional ``hours_from``: what the hours count from when no treatment time was given
        (:data:`HOURS_FROM_FIRST_BEFORE`: then a positive hour is no contradiction, and the row is skipped).

    Returns
    -------
    str
        One sentence without ``;`` starting with the photo names and :data:`MSG_BEFORE_TAKEN_AFTER`.
    """
    late = []
    for r in rows:
        try:
            h = float(r.get("hours_since_treatment"))
        except (TypeError, ValueError):
            continue
        if math.isfinite(h) and h >= 0 and not r.get("hours_from"):
            late.append(f"{r['photo']} ({_when(r)})")
    if not late:
        return ""
    one = len(late) == 1
    return (f"{' and '.join(late)} {'is' if one else 'are'} {MSG_BEFORE_TAKEN_AFTER}: a before photo must be taken "
            f"before the treatment time, so {'it is' if one else 'they are'} no baseline and the comparisons "
            f"{'it is' if one else 'they are'} in read 'uncertain' (but for the head-pose rows): set {'its' if one else 'their'} role to 'after', or correct "
            f"{'its' if one else 'their'} hours since treatment (negative before it)")


def _same_as(r: dict, others: list[dict], shown: list[str] | None = None) -> str:
    """``"same file content as A"`` for the ``others`` with ``r``'s file bytes (its ``sha256``),
    ``"same pixels as B"`` for the rest (one picture under other bytes: a copy whose EXIF was
    rewritten, linked by ``pixel_sha256``); one phrase when all are alike, else one per photo.
    ``shown``: how each of ``others`` is named (default its ``photo``)."""
    sha = r.get("sha256") or ""
    shown = [o["photo"] for o in others] if shown is None else shown
    kinds = ["same file content as" if sha and (o.get("sha256") or "") == sha else "same pixels as" for o in others]
    if len(set(kinds)) == 1:
        return f"{kinds[0]} {' and '.join(shown)}"
    return " and ".join(f"{k} {s}" for k, s in zip(kinds, shown))


def _duplicate_reason(r: dict, first: dict) -> str:
    """Why a photo with the same file content or pixels as ``first``, earlier in the pairing rule's order,
    is left out (compared once); when both are before photos at different times, that this is no conflict."""
    why = f"{_same_as(r, [first])} (compared once)"
    h, h0 = _hours_of(r), _hours_of(first)
    if h is not None and h0 is not None and h != h0:
        why += (f"; dated {_when(r)}, {first['photo']} {_when(first)}: both are before photos, whose exact time "
                "does not matter, and a copy is no repeat")
    return why


def _hours_of(r: dict) -> float | None:
    """A photo row's finite hours since treatment [h], or None."""
    try:
        h = float(r.get("hours_since_treatment"))
    except (TypeError, ValueError):
        return None
    return h if math.isfinite(h) else None


def _conflict_reason(r: dict, others: list[dict]) -> str:
    """Why a photo whose file (or, in its own role, picture: the same pixels) is also another photo
    of its session in another role, or at another time, is left out."""
    same = _same_as(r, others, [f"{o['photo']} ({_ROLE_WORDS.get(o['role'], o['role'])}, {_when(o)})" for o in others])
    if all(o["role"] == r["role"] for o in others):  # one file dated twice (a copy, a wrong capture time)
        return (f"{same}, but this one is dated {_when(r)}: one photo cannot have been taken "
                "at two times, and which time is right cannot be told, so every copy is left out of the "
                "comparisons and the timeline fits (check the capture times; a copied file is a mistake)")
    return (f"{same}, but this is {_ROLE_WORDS.get(r['role'], r['role'])} ({_when(r)}): "
            "one photo cannot be both a before and an after photo, so every copy is left out (check which "
            "photos were taken before the treatment and their capture times)")


def _name_lost_baselines(photo_rows: list[dict], with_role: list[dict], orphans: list[dict]) -> None:
    """Say why a session has no baseline when its baseline photo is there but failed (in place).

    ``orphans`` are the post photos of sessions without a baseline (their ``excluded`` says so).
    When their session holds a photo that was not measured but was taken before the treatment
    (a truncated JPEG keeps its EXIF time), their reason names it and the loader's reason
    ("the session's baseline photo pre.jpg could not be read: truncated JPEG data ..."); when
    such a photo has no capture time, they say that whether it is the baseline cannot be told.
    """
    failed = sorted((r for r in photo_rows if not r["role"] and r.get("status") not in (None, "", "ok")
                     and r.get("treated_at")), key=lambda r: str(r["photo"]))
    if not orphans or not failed:
        return
    keys, _ = _sessions(with_role + failed)  # the sessions the failed photos would belong to
    for r in orphans:
        lost = [f for f in failed if f["photo"] in keys and keys[f["photo"]] == keys.get(r["photo"])]
        before = [f for f in lost if float(f["hours_since_treatment"]) < 0]
        unknown = [f for f in lost if not float(f["hours_since_treatment"]) == float(f["hours_since_treatment"])]
        if before:
            _left_out(r, *(f"the session's baseline photo {f['photo']} could not be "
                           f"{'read' if _unread(f) else 'measured'}: {_why(f)}" for f in before))
        elif unknown:  # "could not be read" was said of a photo read but not measured too (no face)
            _left_out(r, *(f"{f['photo']} could not be {'read' if _unread(f) else 'measured'} and has no capture "
                           f"time, so whether it is the session's baseline cannot be told: {_why(f)}"
                           for f in unknown), added=True)


def _unread(r: dict) -> bool:
    """Could the photo of the ``photos.csv`` row ``r`` not be read at all (:func:`facemetrics.analyze.row_unread`:
    the one rule of ``analyze``, the app and the batch; a list of statuses here left out a picture too small
    to read, which ``analyze`` calls "cannot be read")?"""
    from ..analyze import row_unread

    return row_unread(r)


def _failure(r: dict) -> str:
    """A photo row's reason of code :data:`~facemetrics.batch.discover.NOT_MEASURED`:
    :func:`facemetrics.analyze.failure_text` of its status and error (without the photo's name, which the row
    holds: it read "not measured (unreadable: truncated.jpg: ...)")."""
    from ..analyze import failure_text

    return failure_text(str(r.get("status")), r.get("error"), str(r.get("photo") or ""), unread=_unread(r))


def _why(r: dict) -> str:
    """A failed photo's reason without its leading name (``truncated JPEG data (...)``)."""
    text = str(r.get("error") or r.get("status") or "")
    name = str(r["photo"]).rsplit("/", 1)[-1]
    for prefix in (f"{r['photo']}: ", f"{name}: "):
        if text.startswith(prefix):
            return text[len(prefix):]
    return text


#: a comparison message's "the after photo", "a before photo", "before photo not measured" (singular)
_PHOTO_ROLE = re.compile(r"\b(?:(the|an?|The|An?) )?(before|after) photo\b")


def no_change_wording(messages) -> list[str]:
    """A no-change check's messages (a before photo compared with the session's other before
    photos) naming each photo by its real role.  compare words its messages for a before and an
    after photo ("... in the after photo", "retake the after photo facing the camera as in the
    before photo"); in a no-change check its "after photo" is the before photo checked (the
    ``photo`` of the ``changes.csv`` row) and its "before photo" the one it is checked against
    (the first of ``baseline_photos``): written "checked before photo" and "reference before
    photo".  "before and after photos" (compare's same-picture message, which code reads) and
    plurals are left as they are.  New list; ``messages`` is not changed."""
    def named(m: re.Match) -> str:
        article = m.group(1) or ""
        if article.lower() in ("a", "an"):
            article = article[0]  # "an after photo" -> "a checked before photo"
        role = "checked before photo" if m.group(2) == "after" else "reference before photo"
        return f"{article} {role}" if article else role

    return [_PHOTO_ROLE.sub(named, str(m)) for m in messages]


#: the start of the message a comparison gets in a series when its two photos are the same picture
#: (identical pixels: compare's ``MSG_SAME_PICTURE``; changes.csv, report.md, the app's timeline)
MSG_SAME_PICTURE_LEFT_OUT = "left out of the timeline fits: the same picture as its before photo"


def same_picture_left_out(photo: str, hours, before: str, before_hours, copy: bool = False,
                          hours_from: str = "") -> str:
    """The message of a comparison of a series whose photo ``photo`` (at ``hours`` since treatment)
    has the same pixels as its before photo ``before`` (at ``before_hours``): it starts with
    :data:`MSG_SAME_PICTURE_LEFT_OUT` and names both photos and times; no ``;`` (the messages column
    joins with it).  One picture under two times is a copied file or a wrong capture time, not a
    measurement of no change at ``hours``: its zeros are no evidence that the effect was gone.
    ``copy``: the photo is a re-saved copy of ``before`` (compare's ``MSG_NEAR_COPY``), not the same pixels.
    ``hours_from``: what the hours count from when not the treatment (:data:`HOURS_FROM_FIRST_BEFORE`)."""
    def when(h) -> str:
        try:
            h = float(h)
        except (TypeError, ValueError):
            h = math.nan
        return _when({"hours_since_treatment": h, "hours_from": hours_from}) if math.isfinite(h) else \
            "at an unknown time"
    if copy:
        same, zero = "is a re-saved copy of", "about 0: the re-compression's"
    else:
        same, zero = "has the same pixels as", "0 by construction"
    return (f"{MSG_SAME_PICTURE_LEFT_OUT} ({photo}, {when(hours)}, {same} {before}, "
            f"{when(before_hours)}): a copied file or a wrong capture time, not a measurement, so its changes "
            f"({zero}) read 'uncertain' (check the photo and its capture time)")


def same_picture_rows(rows: list[dict]) -> list[dict]:
    """A same-picture comparison's rows (dicts with ``verdict``) for a series: every row with a verdict
    (the pose rows too: a copy's pose change is no reading either) reads ``uncertain``, so the decay
    and regimen fits leave it out (``facemetrics.decay.inputs.UNREAD_VERDICTS``); values kept.  New
    dicts; ``rows`` is not changed."""
    return [dict(m, verdict="uncertain") if m.get("verdict") not in (None, "", "refused") else dict(m)
            for m in rows]


def same_picture_notes(change_rows) -> list[str]:
    """One line per comparison left out of the fits as the same picture as its before photo
    (:func:`same_picture_left_out`), from the ``messages`` of ``changes.csv`` rows (dicts):
    ``"S01, microcurrent, treated 2026-11-02T08:00: left out of the timeline fits: ..."``, in the
    rows' order; [] when none is."""
    return _session_notes(change_rows, MSG_SAME_PICTURE_LEFT_OUT)


def _session_notes(change_rows, prefix: str) -> list[str]:
    """The message parts of ``changes.csv`` rows (dicts with ``messages``, split by :func:`~facemetrics.messages.split_messages`) that start
    with ``prefix``, each after its row's ``"subject, treatment, treated treated_at: "``; in the rows'
    order, each line once."""
    notes: dict[str, None] = {}
    for r in change_rows:
        for part in split_messages(str(r.get("messages") or "")):
            if part.startswith(prefix):
                notes[f"{r.get('subject')}, {r.get('treatment')}, treated {r.get('treated_at')}: {part}"] = None
    return list(notes)


def repeats_left_out(change_rows) -> tuple[int, int]:
    """``(n, n_default)`` of ``changes.csv`` rows (dicts with ``messages`` and ``n_baseline``): how
    many comparisons had at least one repeat photo (a baseline photo beside the before photo) left
    out of their noise floors, and how many of those had none left, so that their floors are the
    defaults (``Comparison.noise_source`` "default (n repeat photos not used)")."""
    from ..compare.disagreement import REPEAT_NOT_USED

    n = n_default = 0
    for r in change_rows:
        k = sum(1 for part in split_messages(str(r.get("messages") or "")) if REPEAT_NOT_USED.match(part))
        if k:
            n += 1
            try:
                n_default += k >= int(r.get("n_baseline") or 1) - 1
            except (TypeError, ValueError):
                pass
    return n, n_default


def repeats_left_out_note(change_rows, where: str = "changes.csv") -> str:
    """The batch's console line on the comparisons whose repeat photos were left out of their noise
    floors (:func:`repeats_left_out`), naming the column that says why; "" when none was."""
    from ..compare.disagreement import REPEAT_NOT_USED

    n, n_default = repeats_left_out(change_rows)
    if not n:
        return ""
    total = len(change_rows)
    default = (f"; {'all' if n_default == n else n_default} of them kept none, so the default floors apply"
               if n_default else "")
    # a repeat left out against a flagged before photo is no fault of the repeat's (baseline_messages)
    n_fault = sum(1 for r in change_rows if MSG_BEFORE_PHOTO_AT_FAULT in str(r.get("messages") or "")
                  and REPEAT_NOT_USED.search(str(r.get("messages") or "")))
    fault = (f" ({'all' if n_fault == n else n_fault} of them against a before photo that is itself flagged, the "
             "likely cause: see its line)" if n_fault else "")
    return (f"{n} of {total} comparison{'s' if total != 1 else ''} had repeat photos left out of the noise "
            f"floor{default}: the messages column of {where} says why for each{fault}")


def _compare_cache_file(cache: Path, r: dict, base: list[dict], skey: str) -> Path:
    ckey = hashlib.sha256(json.dumps([r["sha256"], [b["sha256"] for b in base], skey]).encode()).hexdigest()[:32]
    return cache / "compare" / f"{ckey}.json"


def disagreement_notes(change_rows) -> list[str]:
    """One line per session whose before photos disagree (:func:`baseline_disagreement`), from the
    ``messages`` of ``changes.csv`` rows (dicts): ``"S02, microcurrent, treated 2026-11-02T08:00:
    the session's before photos disagree ..."``, in the rows' order; [] when none does."""
    from ..compare.disagreement import MSG_BASELINES_DISAGREE

    return _session_notes(change_rows, MSG_BASELINES_DISAGREE)


def disagreement_lines(change_rows) -> list[str]:
    """The console's lines on before photos that disagree, as ``batch``, ``study report`` and ``timeline``
    print them (one function, so that the three say the same): one per session whose before photos disagree
    (:func:`disagreement_notes`), then one per session whose noise floors were built from them
    (:func:`disagreement_floors_notes`); ``change_rows``: ``changes.csv`` rows (dicts); [] when none does."""
    return [*disagreement_notes(change_rows), *disagreement_floors_notes(change_rows)]


def session_notes(change_rows) -> list[str]:
    """The notes on a batch's sessions, in the order ``batch``, ``study report``, the regimen's lines and the app's
    *My study* give them (one function, so that they say the same): a before photo passed over as the baseline or at
    fault (:func:`baseline_notes`), before photos that disagree and the floors built from them
    (:func:`disagreement_lines`), one picture at two times (:func:`same_picture_notes`); ``change_rows``:
    ``changes.csv`` rows (dicts); [] when there is nothing to say."""
    return [*baseline_notes(change_rows), *disagreement_lines(change_rows), *same_picture_notes(change_rows)]


def disagreement_floors_notes(change_rows) -> list[str]:
    """One line per session whose comparisons' noise floors were built from its disagreeing before photos
    (:func:`disagreement_floors_note`'s message, :data:`MSG_FLOORS_FROM_DISAGREEMENT`), from the ``messages`` of
    ``changes.csv`` rows (dicts), after the session's ``"subject, treatment, treated treated_at: "``: its first
    comparison's (each comparison names its own floors; those of one session's comparisons differ only by
    their photos' resolution), in the rows' order; [] when none was."""
    from ..compare.disagreement import MSG_FLOORS_FROM_DISAGREEMENT

    notes: dict[tuple, str] = {}
    for r in change_rows:
        key = (r.get("subject"), r.get("treatment"), r.get("treated_at"))
        for part in split_messages(str(r.get("messages") or "")):
            if part.startswith(MSG_FLOORS_FROM_DISAGREEMENT) and key not in notes:
                notes[key] = f"{key[0]}, {key[1]}, treated {key[2]}: {part}"
    return list(notes.values())


#: the stand-in after photo's time after its session's treatment (:func:`stored_second_reads`)
_TEN_MIN = timedelta(minutes=10)


def stored_second_reads(photos, ok=None) -> dict:
    """``{photo id: (previous session's treated_at, hours after it, own session has an after photo)}`` of the
    before photos of a study store's ``photos`` (:meth:`facemetrics.store.Store.photos`' table: ``id``, ``subject``,
    ``treatment``, ``treated_at``, ``taken_at``, ``role``, ``sha256``) that the report's batch reads a second time, as
    the previous session's photo at that time (:func:`_next_before_jobs`, by the same pairing; measurements aside:
    ``ok``, ``{id: bool}``, the photos measured, all when None).  A session with no after photo yet is given one for
    the rule (the row is made once it has one: the third value says whether it has).  *My study*'s photo table and
    ``study add`` say this second role (docs/validation.md section 12, Round 17)."""
    rows, has_post = [], set()
    for r in photos.to_dict("records"):
        at, taken = str(r.get("treated_at") or ""), str(r.get("taken_at") or "")
        role = str(r.get("role") or "") if ok is None or ok.get(r["id"], True) else ""
        try:
            h = hours_between(taken, at)
        except (TypeError, ValueError):
            h, role = math.nan, ""
        key = (str(r.get("subject")), str(r.get("treatment")), at)
        has_post |= {key} if role == "post" else set()
        rows.append(dict(photo=f"id:{r['id']}", subject=key[0], treatment=key[1], treated_at=at, taken_at=taken,
                         hours_since_treatment=h, role=role if h == h else "", excluded="",
                         sha256=str(r.get("sha256") or ""), pixel_sha256=""))
    for key in {(r["subject"], r["treatment"], r["treated_at"]) for r in rows if r["role"]} - has_post:
        t = parse_time(key[2])  # the rule's stand-in after photo, 10 min after the treatment
        if t is not None:
            rows.append(dict(photo=f"none:{key}", subject=key[0], treatment=key[1], treated_at=key[2],
                             taken_at=(t + _TEN_MIN).isoformat(), hours_since_treatment=10 / 60, role="post",
                             excluded="", sha256=f"none:{key}", pixel_sha256=""))
    out = {}
    for r, _ in _comparison_jobs(rows):
        if r.get("_next_session") and r["photo"].startswith("id:"):
            out[int(r["photo"][3:])] = (str(r["treated_at"]), float(r["hours_since_treatment"]),
                                        (r["subject"], r["treatment"], str(r["_next_session"])) in has_post)
    return out
