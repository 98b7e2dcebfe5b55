"""The store's time and session rules: the batch's rules applied to the rows of a study store.

A time typed into the store (``study add``, ``study log``, the app's "Treated at" and "Taken at"
fields) is read by :func:`iso_time`; the stored session a treatment and time name by
:func:`same_session`; the treatment time a session's photos are timed from by
:func:`treatment_time`; the notes on a capture time given with a photo that differs from its
EXIF time, or from the time already stored, by :func:`time_note` and :func:`kept_time_note`.
Each is the batch's own rule (:mod:`facemetrics.batch`, :mod:`facemetrics.timekeys`), so that
:class:`facemetrics.store.Store` and its report (which runs the batch) agree.  A time that
cannot be read, or a session that cannot be told, is a
:class:`~facemetrics.errors.StoreError`.  Text and rows in, text or a row out; no database.
"""

from __future__ import annotations

from pathlib import Path

from .errors import StoreError
from .timekeys import date_alone, hours_between, name_key, no_time_of_day, parse_time, time_key, time_meant
from .timekeys import read_lone_time  # a typed time alone: 24/11/2026 9:00 read, 1/12/2026 9:00 refused

__all__ = ["iso_time", "wall_clock", "treatment_time", "utc_left_out", "left_out", "same_session", "time_note",
           "kept_time_note"]


def time_note(name: str, given: str, exif: str, given_by: str = "manifest") -> str:
    """The note on a photo whose given capture time (a manifest's, used) differs from its EXIF time
    ``exif`` by more than :data:`~facemetrics.batch.discover.MANIFEST_EXIF_MINUTES`, in the batch's
    words (:func:`~facemetrics.batch.discover.manifest_time_notes`: a ``photos.csv`` warning); ""
    when they agree, or either is missing.  ``given_by="typed"``: the time the user typed for the photos
    (the app's "Taken at"), named so ("the typed time ... is used"), not a manifest's."""
    from .batch.discover import PhotoEntry, manifest_time_notes

    warned, _ = manifest_time_notes([PhotoEntry(Path(name), name, taken_at=given)], {0: exif})
    said = warned.get(0, "")
    if given_by == "typed":
        said = said.replace("manifest taken_at", "the typed time", 1).replace("the manifest's time", "the typed time")
    return said


def kept_time_note(stored: str, given: str) -> str:
    """``"; it keeps its stored capture time ..."``: what a photo already stored says when the time
    given with it again (a manifest's) differs from its stored one by more than
    :data:`~facemetrics.batch.discover.MANIFEST_EXIF_MINUTES`; "" when they agree or either is missing."""
    from .batch.discover import MANIFEST_EXIF_MINUTES

    if not abs(hours_between(given, stored)) * 60.0 > MANIFEST_EXIF_MINUTES:  # also NaN: a time missing
        return ""
    return (f"; it keeps its stored capture time {stored}, not the {given} given now (delete the subject and "
            "add it again to change it)")


def iso_time(value, treatment: bool = True) -> str:
    """A time (datetime or text) as ISO 8601 text; StoreError when it does not parse, or when it
    is a date alone (``2026-05-01``, also with an offset: ``2026-05-01+01:00``; as the batch
    refuses it, :func:`facemetrics.timekeys.no_time_of_day`, ``treatment`` saying which time it
    is: it was stored as midnight, so a photo of 07:00 was a post photo of an 08:00 session)."""
    if value is None or value == "":
        return ""
    if date_alone(value):
        raise StoreError(no_time_of_day(str(value).strip(), treatment))
    t = read_lone_time(value)  # ISO 8601, or a year-last date that tells its order itself (24/11/2026 9:00)
    if t is None:  # 08.20, 9am, 1/12/2026 9:00: why, and the time each reading would be (round 3, 2026-12-05)
        raise StoreError(time_meant(value, "treatment time" if treatment else "capture time")
                         or f"{value!r} is not a time (use ISO 8601, e.g. 2026-11-02T08:00)")
    return t.isoformat()


def wall_clock(text) -> tuple[str, bool] | None:
    """``(wall-clock time in ISO 8601, has a UTC offset)`` of a time, None when it does not parse."""
    t = parse_time(text)
    return None if t is None else (t.replace(tzinfo=None).isoformat(), t.tzinfo is not None)


def treatment_time(treated_at: str, taken) -> str:
    """A session's treatment time as the batch reads it among its photos' capture times: the one rule.

    A ``treated_at`` without a UTC offset in a session whose photos carry two or more offsets is read
    in the one offset of its before photos (:func:`facemetrics.batch.discover.offset_free_treatment`,
    which the batch, hence :meth:`~facemetrics.store.Store.report`, applies); otherwise (an offset given, the photos in
    one offset or none, or before photos in several, whose photos the batch leaves out) ``treated_at``
    as stored, compared with a capture time of the other kind on the wall clock
    (:func:`facemetrics.batch.hours_between`).

    Parameters
    ----------
    treated_at : str
        The session's stored treatment time (ISO 8601).
    taken : iterable of str
        The capture times (ISO 8601) of the session's photos, with any about to join it.

    Returns
    -------
    str
        The time to count every photo's hours from (ISO 8601).
    """
    from .batch.discover import PhotoEntry, offset_free_treatment

    treated_at = str(treated_at or "")
    entries = [PhotoEntry(path=Path(), photo=str(i), taken_at=str(t or ""), treated_at=treated_at)
               for i, t in enumerate(taken)]
    read, _, _ = offset_free_treatment(entries, {})
    return next((e.treated_at for e in read if not e.note and e.treated_at != treated_at), treated_at)


def utc_left_out(treated_at: str, taken) -> list[bool]:
    """Which of a session's capture times the batch, hence ``study report``, leaves out as UTC instants it cannot
    place: a time written with ``Z`` (:func:`facemetrics.timekeys.utc_instant`: a Pixel name's, a Google Photos
    sidecar's) against a ``treated_at`` without a UTC offset, while no other photo of the session carries one
    (:func:`facemetrics.batch.discover.offset_free_treatment`, the one rule, called here as
    :func:`treatment_time` calls it).  The store says so when such a photo is added (it was stored without a word
    and left out only by the report, days later: Round 21's follow-on, stop 60).

    Parameters
    ----------
    treated_at : str
        The session's stored treatment time (ISO 8601).
    taken : iterable of str
        The capture times (ISO 8601) of the session's photos.

    Returns
    -------
    list of bool
        One per time of ``taken``, in order: True for a UTC time left out so.
    """
    from .timekeys import utc_instant

    taken = [str(t or "") for t in taken]
    return [bool(e.note) and utc_instant(t) for e, t in zip(_offset_rules_read(treated_at, taken), taken)]


def left_out(treated_at: str, taken) -> list[str]:
    """Why the batch, hence ``study report``, leaves out each of a session's capture times for its UTC offset, or
    ``""``: both offset rules, in the batch's order (:func:`facemetrics.batch.discover.offset_free_treatment`, then
    :func:`facemetrics.batch.discover.offset_free_times`), in their words without their closing remedy in brackets
    (it names a manifest, which does not change a photo already stored).  :func:`utc_left_out` is its UTC case; the
    store says each of them when the photo is added (stop 61: only the UTC case was said, the others were stored
    without a word).

    Parameters
    ----------
    treated_at : str
        The session's stored treatment time (ISO 8601).
    taken : iterable of str
        The capture times (ISO 8601) of the session's photos.

    Returns
    -------
    list of str
        One per time of ``taken``, in order.
    """
    import re

    read = _offset_rules_read(treated_at, taken, both=True)
    return [re.sub(r" \((?:give|e\.g\.)[^()]*(?:\([^()]*\)[^()]*)*\)$", "", e.note) if e.note else "" for e in read]


def _offset_rules_read(treated_at: str, taken, both: bool = False) -> list:
    """A session's capture times ``taken`` against ``treated_at`` through the batch's offset rules, as
    :class:`facemetrics.batch.discover.PhotoEntry` rows (a rule that leaves a photo out gives it a ``note``):
    :func:`facemetrics.batch.discover.offset_free_treatment`, then with ``both``
    :func:`facemetrics.batch.discover.offset_free_times` (:func:`utc_left_out` reads the first, :func:`left_out`
    both)."""
    from .batch.discover import PhotoEntry, offset_free_times, offset_free_treatment

    entries = [PhotoEntry(path=Path(), photo=str(i), taken_at=str(t or ""), treated_at=str(treated_at or ""))
               for i, t in enumerate(taken)]
    read, _, _ = offset_free_treatment(entries, {})
    if both:
        read, _, _ = offset_free_times(read, {})
    return read


def same_session(rows, treatment: str, when: str):
    """The session among ``rows`` (one subject's sessions, oldest first: mappings with
    ``treatment`` and ``treated_at``) that ``treatment`` at ``when`` names, or None (a new one).

    The batch's rule (:func:`facemetrics.timekeys.match_sessions`), so that the store and its
    report agree: treatment names match by :func:`facemetrics.timekeys.name_key` (``RF`` = ``rf``);
    times match as the instant they name (:func:`facemetrics.timekeys.time_key`:
    ``07:00Z`` = ``08:00+01:00``; ``08:00`` = ``08:00:00``); a time without a UTC offset and one
    with an offset match by wall-clock time (``08:00`` = ``08:00+01:00``) when that names one
    session.  When it names two (``08:00`` against ``08:00Z`` and ``08:00+01:00``) it cannot be
    told: :class:`~facemetrics.errors.StoreError` saying so, never a guess.
    """
    key, instant = name_key(treatment), time_key(when)
    same = [r for r in rows if name_key(r["treatment"]) == key]
    exact = [r for r in same if time_key(r["treated_at"]) == instant]
    wall = wall_clock(when)
    if exact or wall is None:
        return exact[0] if exact else None
    walls = [(r, wall_clock(r["treated_at"])) for r in same]
    at_wall = [(r, w) for r, w in walls if w is not None and w[0] == wall[0]]
    aware = [r for r, w in at_wall if w[1]]
    naive = [r for r, w in at_wall if not w[1]]
    instants = {time_key(r["treated_at"]) for r in aware}
    if wall[1]:  # with an offset: the session without one at this wall-clock time, if it is the only one there
        if naive and instants:
            shown = ", ".join(repr(str(r["treated_at"])) for r in naive + aware)
            raise StoreError(f"the treatment time {when!r} of {treatment!r} matches the sessions treated at {shown} "
                             "(a time without a UTC offset matches every time with its wall-clock time): which "
                             "one it is cannot be told; give every treatment time of this subject with its "
                             "offset, or none")
        return naive[0] if naive else None
    if len(instants) > 1:
        shown = ", ".join(repr(str(r["treated_at"])) for r in aware)
        raise StoreError(f"the treatment time {when!r} of {treatment!r} has no UTC offset and matches the sessions "
                         f"treated at {shown}: which one it belongs to cannot be told; give it with its offset")
    return aware[0] if aware else None
