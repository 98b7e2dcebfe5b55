"""The study store: one SQLite database and a photo folder on the user's machine.

A person tracking a treatment over days and weeks keeps everything here:
subjects, treatment sessions, photos (a metadata-stripped copy of each) and
the cached measurements.  The CLI (``facemetrics study ...``) and the app
("My study") share it.

Location
--------
``--store PATH`` (CLI), else the ``FACEMETRICS_STORE`` environment variable,
else ``platformdirs.user_data_dir("facemetrics")/study`` (on Linux
``~/.local/share/facemetrics/study``).  The folder holds::

    study.sqlite                the database (+ -wal / -shm while open)
    photos/<subject_id>/<sha256[:20]>.<ext>   the photo copies

Deleting that folder deletes everything.

Database
--------
SQLite (stdlib :mod:`sqlite3`), WAL journal, ``foreign_keys=ON``,
``secure_delete=ON`` (deleted rows are overwritten with zeros), a 30 s busy
timeout, and every write in one ``BEGIN IMMEDIATE`` transaction, so the app
and the CLI can write at once without losing anything and a process killed
mid-write leaves the last committed state.  Tables (schema version
:data:`SCHEMA_VERSION`, see :data:`MIGRATIONS`):

``subjects(id, name UNIQUE, created_at)``
    Names match ignoring case, surrounding spaces and Unicode normalisation
    (``anna`` is the stored ``Anna``; ``Zoë`` typed composed or decomposed is one
    subject; :func:`facemetrics.batch.name_key`, the batch's rule); the first
    spelling stays, stored in the composed form (NFC,
    :func:`facemetrics.batch.discover.name_text`), as are treatment names.
``sessions(id, subject_id, treatment, device, settings_json, treated_at, note, created_at)``
    One treatment session; ``settings_json`` holds e.g. ``{"current_uA": 300}``.
    One row per (subject, treatment, the instant ``treated_at`` names), matched
    as :mod:`facemetrics.batch` matches sessions (:meth:`Store.log_session`):
    ``RF`` = ``rf``, ``07:00Z`` = ``08:00+01:00``, and ``08:00`` without an
    offset = ``08:00+01:00`` when that is the only session at that wall-clock
    time (two such sessions: refused, which one cannot be told).  Every photo
    of a session is timed from the session's one ``treated_at``.  A store
    written before this rule may hold one session (or subject) as two rows:
    it opens unchanged and is read as one (:meth:`Store.photos`, the report).
``photos(id, subject_id, session_id, sha256, file_sha256, file, original_name, taken_at, role, capture_note, added_at, taken_at_source, note)``
    ``sha256`` is the hash of the file as given (unique per subject: adding
    the same photo twice does not duplicate it), ``file_sha256`` that of the
    stored copy, ``file`` its path relative to the store folder (named by the hash),
    ``original_name`` the file name the user gave, by which every report, table and message
    names the photo (:meth:`Store.manifest`), ``role``
    ``baseline`` (taken before its session's treatment) or ``post``.  Only a file that
    :func:`facemetrics.load_photo` reads is stored: a truncated, corrupt, empty or unknown
    file is an ``error`` result of :meth:`Store.add_photos` with the loader's reason.
    ``capture_note`` is non-empty when the photo failed the guided-capture
    check and the user kept it anyway.  ``taken_at_source`` says where ``taken_at`` came from
    (:class:`AddResult`'s: ``typed``, ``exif`` or ``file_name``; schema 3, 2026-12-05); a photo stored
    before has ``''``, which :meth:`Store.photos` shows as ``unknown`` (:data:`UNKNOWN_SOURCE`).
    ``note`` holds the loader's notes on the file given that stay true of the stored copy, ``"; "``-joined
    (:attr:`facemetrics.metadata.CleanCopy.notes`: an animated GIF/WebP/PNG or a TIFF of several pages is stored
    as the one frame or page that was measured, "GIF file holds 3 frames; only the first was measured"; the copy,
    one picture, no longer says so; schema 4, 2026-12-05); ``''`` for a file of one picture and for a photo
    stored before.
``analyses(photo_sha256, facemetrics_version, settings_key, status, row_json, created_at)``
    The per-photo measurement row of :func:`facemetrics.analyze_photo` for a
    stored copy (key: its ``file_sha256`` + version + settings).  A new
    facemetrics version re-measures; the old rows stay readable.
``comparisons(cache_key, facemetrics_version, settings_key, subject_id, result_json, created_at)``
    The cached comparisons of :func:`facemetrics.batch.run_batch`
    (``subject_id`` NULL when a report pooled several subjects).

Times are ISO 8601 text as first given (wall-clock local time unless an offset
is given, like :mod:`facemetrics.batch`); a session logged without an offset
takes the offset when the same wall-clock time is later logged with one.

Privacy
-------
The copy of a JPEG keeps its compressed pixels byte for byte and only these
EXIF tags: Orientation, DateTimeOriginal/Digitized with their offsets and
sub-seconds.  GPS, camera make/model/serial, owner and artist names, maker
notes, thumbnails, XMP, IPTC and comments are dropped.  A PNG copy keeps only
its image and colour chunks (no text, no EXIF).  Other formats (HEIC, WebP,
TIFF) are decoded, turned upright and stored as lossless PNG
(:func:`facemetrics.metadata.clean_copy`).

The store's time and session rules are :mod:`facemetrics.sessions`'s, the names its
photos are reported by :mod:`facemetrics.naming`'s.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sqlite3
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

from ._version import __version__
from .batch.discover import name_text  # a name as stored: NFC, stripped (the batch writes it so too)
from .errors import InputError, StoreError, legible
from .metadata import clean_copy, taken_at_of, time_not_read_of
from .naming import disk_name, photo_labels
from .sessions import iso_time, kept_time_note, same_session, time_note, treatment_time, utc_left_out, wall_clock
from .sessions import left_out  # any photo the report's offset rules leave out: said when it is added
from .sidecar import sidecar_time  # a Google Photos / Takeout sidecar's capture time (UTC), beside a file added
from .timekeys import clock_text, name_date_alone  # clock_text: a time as said; a WhatsApp copy's name: a date, no time of day
# given, else EXIF, else a sidecar's, else the file name's: the one chain (batch, store, cli)
from .timekeys import capture_time_of
from .timekeys import in_zone, read_time_zone  # --time-zone: a time without an offset read in the zone stated
from .timekeys import clock_change_text  # a time in an hour the zone's clock change repeats or skips: said

__all__ = [
    "SCHEMA_VERSION",
    "MIGRATIONS",
    "UNKNOWN_SOURCE",
    "AddResult",
    "Store",
    "StoreError",
    "default_store_dir",
]

#: schema version written by this facemetrics
SCHEMA_VERSION = 4
DB_NAME = "study.sqlite"
PHOTO_DIR = "photos"
ENV_VAR = "FACEMETRICS_STORE"

#: SQL that brings a database from version ``v - 1`` to ``v`` (version 0 = empty file)
MIGRATIONS: dict[int, str] = {
    1: """
    CREATE TABLE schema_version (version INTEGER NOT NULL);
    INSERT INTO schema_version (version) VALUES (0);
    CREATE TABLE subjects (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        created_at TEXT NOT NULL
    );
    CREATE TABLE sessions (
        id INTEGER PRIMARY KEY,
        subject_id INTEGER NOT NULL REFERENCES subjects(id) ON DELETE CASCADE,
        treatment TEXT NOT NULL,
        device TEXT NOT NULL DEFAULT '',
        settings_json TEXT NOT NULL DEFAULT '{}',
        treated_at TEXT NOT NULL,
        created_at TEXT NOT NULL,
        UNIQUE (subject_id, treatment, treated_at)
    );
    CREATE TABLE photos (
        id INTEGER PRIMARY KEY,
        subject_id INTEGER NOT NULL REFERENCES subjects(id) ON DELETE CASCADE,
        session_id INTEGER REFERENCES sessions(id) ON DELETE SET NULL,
        sha256 TEXT NOT NULL,
        file_sha256 TEXT NOT NULL,
        file TEXT NOT NULL,
        original_name TEXT NOT NULL DEFAULT '',
        taken_at TEXT NOT NULL DEFAULT '',
        role TEXT NOT NULL,
        added_at TEXT NOT NULL,
        UNIQUE (subject_id, sha256)
    );
    CREATE INDEX photos_session ON photos(session_id);
    CREATE TABLE analyses (
        photo_sha256 TEXT NOT NULL,
        facemetrics_version TEXT NOT NULL,
        settings_key TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT '',
        row_json TEXT NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (photo_sha256, facemetrics_version, settings_key)
    );
    CREATE TABLE comparisons (
        cache_key TEXT PRIMARY KEY,
        facemetrics_version TEXT NOT NULL,
        settings_key TEXT NOT NULL,
        subject_id INTEGER REFERENCES subjects(id) ON DELETE CASCADE,
        result_json TEXT NOT NULL,
        created_at TEXT NOT NULL
    );
    """,
    2: """
    ALTER TABLE sessions ADD COLUMN note TEXT NOT NULL DEFAULT '';
    ALTER TABLE photos ADD COLUMN capture_note TEXT NOT NULL DEFAULT '';
    """,
    # where each photo's taken_at came from (stop 46, 2026-12-05); a photo stored before reads '' (unknown)
    3: """
    ALTER TABLE photos ADD COLUMN taken_at_source TEXT NOT NULL DEFAULT '';
    """,
    # the loader's notes that stay true of the stored copy (a file of several frames: which one was stored and
    # measured; h11, stop 46, 2026-12-05); a photo stored before reads ''
    4: """
    ALTER TABLE photos ADD COLUMN note TEXT NOT NULL DEFAULT '';
    """,
}

#: :meth:`Store.photos`' ``taken_at_source`` of a photo stored before the store saved it (schema 2 and older)
UNKNOWN_SOURCE = "unknown"


#: the ``message`` of a photo already in the store (:class:`AddResult` ``duplicate``); more follows it
#: only when something was not applied (:meth:`Store.add_photos`' ``taken_at_wins``)
DUPLICATE_MESSAGE = "already in the store: not added again"

#: what ``study add`` / ``study import`` (:meth:`Store.add_photos`, :meth:`Store.utc_left_out_notes`) say of a photo
#: whose only capture time is in UTC (a Pixel's ``PXL_`` name, a Google Photos sidecar: ``Z``) in a session whose
#: treatment time has no UTC offset and whose other photos carry none: ``study report`` leaves it out
#: (:func:`facemetrics.sessions.utc_left_out`, the batch's rule); it was stored without a word (Round 21's follow-on).
#: Kept, not refused: a later photo of the session with an offset, or the treatment time given with one, places it
MSG_UTC_LEFT_OUT = ("its capture time, {taken} UTC ({whose}), is an instant whose local time is not known, while treatment "
                    "time {treated} has no UTC offset and no other photo of the session carries one, so `study report` "
                    "leaves it out until one does. Give the treatment time with the UTC offset your clock had then: "
                    "{how}, or run `study report` with the time zone your clocks were in, e.g. --time-zone "
                    "Europe/London")
#: what ``study add`` / ``study import`` say of a photo the report's offset rules leave out for another reason
#: (:func:`facemetrics.sessions.left_out`: a time without a UTC offset among photos of two offsets, or a treatment
#: time without one among them): ``{why}`` is the batch's reason; the remedy is the one that changes a stored photo
#: (stop 61: these were stored without a word, and the batch's remedy, a manifest, does not change a stored photo)
MSG_LEFT_OUT = ("{why}, so `study report` leaves it out: run it with the time zone your clocks were in, e.g. "
                "--time-zone Europe/London")
#: what :meth:`Store.add_photos` says when its photos were all stored already but the treatment time it was given
#: carries the UTC offset the stored session lacked: the session's time is now it (:meth:`Store.log_session`)
MSG_OFFSET_GIVEN = ("the {treatment} session stored as treated at {was} is now treated at {now}, the treatment time "
                    "given with its UTC offset")
#: how to give the treatment time's offset in ``study add`` (:data:`MSG_UTC_LEFT_OUT`'s ``{how}``)
UTC_REMEDY_ADD = "add the photo again with --treated-at {example}"
#: the names of where a UTC capture time came from (``taken_at_source``), in :data:`MSG_UTC_LEFT_OUT`
_UTC_WHOSE = {"file_name": "its file name's, a Pixel's", "sidecar": "its Google Photos sidecar's", "typed": "the time given"}


def default_store_dir() -> Path:
    """``$FACEMETRICS_STORE`` or ``platformdirs.user_data_dir("facemetrics")/study``."""
    env = os.environ.get(ENV_VAR, "").strip()
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("facemetrics", appauthor=False)) / "study"


def _now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


#: how a measurement row names a stored copy (``<sha256[:20]>.<ext>: ...``, the loader's label):
#: a user is shown the name of the file they gave instead (:func:`_relabel`)
_STORED_LABEL = re.compile(r"^[0-9a-f]{20}\.(?:jpg|png): ")


def _relabel(text: str, label: str) -> str:
    """``text`` (a measurement row's ``error``) with a leading stored copy's name replaced by
    ``label`` (the user's file name), or dropped when ``label`` is ""."""
    return _STORED_LABEL.sub(lambda _: f"{label}: " if label else "", str(text or ""), count=1)


def _measure_note(row: dict, name: str) -> str:
    """What :meth:`Store.add_photos` says about a just-measured photo: why it is not ``ok`` in the words of
    ``analyze`` and ``batch`` (:func:`facemetrics.analyze.failure_text`: ``not measured (no_face: no face
    found ...)``; it said ``no face found ...`` alone, stop 45), else its warnings (``2 faces found; measured
    the largest``), named by the user's file name; "" when there is nothing to say."""
    if row.get("status") != "ok":
        from .analyze import failure_text, row_unread  # lazily, as the batch's tables do: no face finder on import

        return f"{name}: {failure_text(str(row.get('status')), _relabel(row.get('error'), ''), unread=row_unread(row))}"
    warnings = str(row.get("warnings") or "")
    return f"{name}: {warnings}" if warnings else ""


# --------------------------------------------------------------------------
# the store
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class AddResult:
    """What happened to one photo given to :meth:`Store.add_photos`.

    ``status`` is ``added``, ``duplicate`` (already in the store for this
    subject: nothing written) or ``error`` (``message`` says why: a file the
    loader refuses, truncated or corrupt included, is never stored).  An
    ``added`` photo that was measured has its analysis status in ``measured``
    and, when it is not ``ok`` or has warnings (``2 faces found; measured the
    largest``), the reason in ``message``.  ``note``
    says when the subject, treatment or treatment time given was matched to
    one stored with another spelling (``anna`` to ``Anna``, ``08:00+01:00``
    to ``07:00Z``), "" when not.  ``exif_taken_at`` is the photo's own EXIF capture time
    (ISO 8601; "" when it has none, or when it was not read: a duplicate, an unreadable file).
    ``taken_at_source`` says where an added photo's ``taken_at`` came from (``sidecar``: a Google Photos sidecar's
    UTC time, :mod:`facemetrics.sidecar`): ``typed`` (``taken_at``,
    ``--taken-at``, a manifest's), ``exif``, or ``file_name`` (no EXIF time: the time its file name
    states, :func:`facemetrics.timekeys.time_from_name`); "" for a photo not added.
    """

    name: str
    status: str
    photo_id: int | None = None
    role: str = ""
    taken_at: str = ""
    session_id: int | None = None
    message: str = ""
    measured: str = ""  # analysis status when measured ("ok", "no_face", ...)
    note: str = ""
    exif_taken_at: str = ""
    taken_at_source: str = ""



def _capture_time(name: str, data: bytes, default_time: str, time_wins=False,
                  sidecar: str = "") -> tuple[str, str, str]:
    """A photo's capture time as :meth:`Store.add_photos` stores it: ``(time, its source, the EXIF time)``
    (``""`` for a time not known).  ``default_time``: the given time (ISO 8601), for every photo when ``time_wins``;
    ``sidecar``: the time of its Google Photos / Takeout sidecar (:func:`facemetrics.sidecar.sidecar_time`)."""
    exif = taken_at_of(data)
    # the one chain (the batch's, analyze's, compare's): a typed time for every photo (study import's manifest)
    # wins, then EXIF, then a sidecar's, then the file name's; a typed time for the photos without one (study add
    # --taken-at) comes last: docs/guide.md, 'A capture time from the file name'
    when, source = capture_time_of(default_time if time_wins else "", exif, name, given_as="typed", sidecar=sidecar)
    if not when and default_time:
        when, source = default_time, "typed"
    return when, source, exif


def _zone_of(time_zone):
    """The zone of ``time_zone`` (:func:`facemetrics.timekeys.read_time_zone`), or :class:`StoreError` saying why
    it is not read."""
    try:
        return read_time_zone(time_zone)
    except ValueError as exc:
        raise StoreError(str(exc)) from None


def own_capture_time(name: str, data: bytes, sidecar: str = "") -> str:
    """The capture time a photo carries itself, as :meth:`Store.add_photos` reads it (its EXIF time, else its
    sidecar's, ``sidecar``: :func:`facemetrics.sidecar.sidecar_text_time` of one uploaded with it, else its file
    name's; ISO 8601), ``""`` when it has none (a screenshot, a photo sent through a messaging app): *My study* then
    asks for a typed time rather than store the time shown (now; Round 20, docs/validation.md section 12)."""
    return own_capture(name, data, sidecar)[0]


def own_capture(name: str, data: bytes, sidecar: str = "") -> tuple[str, str]:
    """:func:`own_capture_time` and where it came from (``taken_at_source``: ``exif``, ``sidecar``, ``file_name``;
    ``""`` without a time): *My study* names the photos timed by a sidecar uploaded with them."""
    when, source, _ = _capture_time(name, data, "", sidecar=sidecar)
    return when, source if when else ""


def session_roles(treated_at, taken) -> list[str]:
    """The role of each of a session's photos, by its capture time (ISO 8601) among all of them: ``baseline`` when
    taken before the treatment time as the batch reads it among them (:func:`~facemetrics.sessions.treatment_time`:
    an offset-free treatment time is read in the offset of the before photos when the photos carry two), ``post``
    at or after it, ``""`` when a time does not parse.  The one rule of :meth:`Store._set_roles` (what is stored)
    and :func:`role_when_added` (*My study*'s preview): the preview read the session's time against the new photo
    alone, so with photos in two time zones it could name a role the store then did not give (stop 55, u6)."""
    from .batch import hours_between

    taken = [str(t or "") for t in taken]
    when = treatment_time(str(treated_at or ""), taken)
    roles = []
    for t in taken:
        h = hours_between(t, when) if t and when else float("nan")
        roles.append("" if h != h else "baseline" if h < 0 else "post")
    return roles


def role_when_added(name: str, data: bytes, treated_at, taken_at=None, taken_at_wins: bool | str = False,
                    among=(), time_zone=None) -> str:
    """The role a photo would get if added to the session treated at ``treated_at`` (nothing written): ``baseline``
    when taken before the treatment, ``post`` at or after it, ``""`` when its time or the session's is not known
    (or does not parse).  Its time as :meth:`Store.add_photos` reads it with the same ``taken_at`` and
    ``taken_at_wins`` (EXIF, file name, given time); ``among``: the capture times (ISO 8601) of the session's other
    photos, those stored (:meth:`Store.session_taken`) and those added with it, among which the store reads the
    session's time when the photo is added (:func:`session_roles`, the one rule).  *My study* says by it what
    a photo not yet stored will be: the first baseline, or an after photo with no before photo yet (stop 54's audit:
    "No baseline yet: the first photo taken before a session becomes it" was said of after photos too);
    ``time_zone``: as :meth:`Store.add_photos`' (the times read in it, as the store reads them)."""
    return roles_when_added([(name, data)], treated_at, taken_at, taken_at_wins, among, time_zone=time_zone)[0]


def _given_times(treated_at, taken_at, zone) -> tuple[str, str, str]:
    """The times an add is given, read as :meth:`Store.add_photos` reads them (and :func:`roles_when_added`, its
    preview): ``(the treatment time as given, as read in zone, the capture time given read in zone)``, each ISO
    8601 or ``""`` when not given; ``zone``: :func:`_zone_of`'s (None: each time as written).  :class:`StoreError`
    for a time that does not parse (:func:`~facemetrics.sessions.iso_time`)."""
    as_given = iso_time(treated_at) if treated_at else ""
    return as_given, in_zone(as_given, zone), in_zone(iso_time(taken_at, treatment=False), zone)


def roles_when_added(photos, treated_at, taken_at=None, taken_at_wins: bool | str = False, among=(),
                     sidecars: dict | None = None, time_zone=None) -> list[str]:
    """:func:`role_when_added` of photos added together: ``photos``, ``[(name, data), ...]``; each one's role read
    among the others' capture times and ``among`` (the session's stored photos' times), as
    :meth:`Store.add_photos` adds them together (one list of roles, in the order of ``photos``); ``sidecars`` and
    ``time_zone``: as :meth:`Store.add_photos`' (``{name: sidecar time}``; the zone the clocks were in: a Pixel
    name's UTC time and an offset-free treatment time read in it, as stored: stop 61, g9)."""
    try:
        zone = _zone_of(time_zone)
        _, treated, default_time = _given_times(treated_at, taken_at, zone)
    except (StoreError, ValueError, TypeError):
        return [""] * len(photos)
    side = sidecars or {}
    when = [in_zone(_capture_time(name, data, default_time, taken_at_wins, side.get(name, ""))[0], zone)
            if data else "" for name, data in photos]
    if not treated:
        return [""] * len(photos)
    known = [t for t in when if t]
    roles = iter(session_roles(treated, [*known, *[t for t in among if t]]))
    return [next(roles) if t else "" for t in when]


def _check_add_arguments(subject, photos, treatment, treated_at, follow_up: bool) -> None:
    """:meth:`Store.add_photos`' arguments checked before anything is read or written (its ``Raises``)."""
    if treatment and follow_up:
        raise StoreError("give either a treatment session (--treatment/--treated-at) or --follow-up, not both")
    if bool(treatment) != bool(treated_at):
        raise StoreError("a treatment session needs both --treatment and --treated-at")
    if not isinstance(subject, str):  # None was stored as a subject named 'None' (audit)
        raise TypeError(f"subject must be a name (str), not {type(subject).__name__}")
    if isinstance(photos, (str, os.PathLike, bytes, bytearray)) or \
            (isinstance(photos, tuple) and len(photos) == 2 and isinstance(photos[1], (bytes, bytearray))):
        # one path was read character by character; one (name, bytes) pair item by item
        raise TypeError("photos must be a list of paths or (name, bytes) pairs; wrap a single photo "
                        "in a list: add_photos(subject, [photo])")
    if not str(subject).strip():
        raise StoreError("a subject needs a name")
    if treatment and not str(treatment).strip():
        raise StoreError("a treatment session needs a treatment name (e.g. microcurrent)")


#: :meth:`Store.add_photos`' note on a treatment time given with a UTC offset that ``--time-zone`` does not give at its
#: date: kept as given, while the photos' offset-free times are read in the zone, hours off it (it was said nowhere:
#: a before photo of 07:00 with ``--treated-at 08:00+01:00 --time-zone America/New_York`` was stored as after; stop 62)
MSG_TREATED_OTHER_OFFSET = ("treatment time {treated} carries a UTC offset {zone} does not give at its date (it gives "
                            "{gives}): kept as given, so the photos' times without an offset, read in {zone}, may be "
                            "hours off it: give the zone the treatment time was in, or the treatment time without its "
                            "offset")


def _treatment_zone_notes(treated_at: str, zone) -> list[str]:
    """:meth:`Store.add_photos`' notes on the treatment time given (``treated_at``, ISO 8601) and ``--time-zone``:
    in an hour the zone's clock change repeats or skips (:func:`facemetrics.timekeys.clock_change_text`; stop 61, g8),
    or given with a UTC offset the zone does not give at its date (:data:`MSG_TREATED_OTHER_OFFSET`; stop 62)."""
    from .timekeys import offset_not_zone, offset_text, parse_time, zone_text

    hour = clock_change_text(treated_at, zone)
    if hour:
        return [f"treatment time {hour}"]
    if not offset_not_zone(treated_at, zone):
        return []
    return [MSG_TREATED_OTHER_OFFSET.format(treated=treated_at, zone=zone_text(zone),
                                            gives=offset_text(parse_time(treated_at).astimezone(zone).utcoffset()))]


class SessionZoneError(StoreError):
    """:func:`_check_zone_moves_no_session`'s refusal (a treatment time read in another zone than its stored
    session's): the same for every photo of the session, so ``study import`` says it once per session, with the
    count of photos it covers, not once per photo (stop 61, g9).  Also :meth:`Store.add_photos`' refusal of follow-up
    photos read in another zone than their session's (stop 62).  ``unused``: what :meth:`Store.add_photos` says
    instead when every photo given is stored already (the zone then changes nothing: :data:`MSG_ZONE_NOT_USED`)."""

    def __init__(self, message: str, unused: str = ""):
        super().__init__(message)
        self.unused = unused


#: the note of :meth:`Store.add_photos` when a treatment time read in ``--time-zone`` names a session stored in
#: another zone and every photo given is stored already: the same import run again by mistake with another zone was
#: refused (exit 2) as read in another zone, before the duplicate check (stop 61's review; stop 62)
MSG_ZONE_NOT_USED = ("--time-zone {zone}: not used for the photos in the store already of the {treatment!r} session "
                     "stored as treated at {stored} (read in another zone): they keep their stored times")
#: :meth:`Store.add_photos`' refusal of follow-up photos whose offset-free capture time ``--time-zone`` read, when the
#: session they follow was stored in another zone: ``study add --follow-up`` stored them without a word, where
#: ``study import`` refuses a treatment time read so (stop 61's review; stop 62); one sentence per session
MSG_FOLLOW_UP_ZONE = ("{who} read in {zone} follow{s} the session of {treatment!r} stored as treated at {stored}, whose "
                      "wall-clock time {zone} reads as {read} (the session was stored in another zone, or given with "
                      "its offset): give the time zone it was stored in (--time-zone), or none")


def _check_zone_moves_no_session(stored, treatment: str, given: str, read: str, zone) -> None:
    """:class:`SessionZoneError` (a :class:`StoreError`) when ``given``, a treatment time without a UTC offset that ``zone`` read as ``read``
    (naming no stored session), names by its wall-clock time a session of ``treatment`` stored with an offset: the
    same folder added again with another zone (America/New_York after Europe/London) went into a second session at
    the same wall-clock time, without a word (stop 61, g8).

    Parameters
    ----------
    stored : list of mapping
        The subject's sessions (``treatment``, ``treated_at``).
    treatment : str
        The treatment named (:func:`facemetrics.batch.discover.name_text`).
    given, read : str
        The treatment time as given (ISO 8601) and as read in ``zone`` (:func:`facemetrics.timekeys.in_zone`).
    zone : tzinfo
    """
    from .timekeys import name_key, zone_text

    wall = wall_clock(given)
    if wall is None or wall[1] or read == given:
        return
    other = [r for r in stored if name_key(r["treatment"]) == name_key(treatment)
             and (wall_clock(r["treated_at"]) or ("", False)) == (wall[0], True)]
    if other:
        shown = ", ".join(str(r["treated_at"]) for r in other)
        raise SessionZoneError(f"the treatment time {given!r} of {treatment!r} read in {zone_text(zone)} is {read}, "
                               f"while the session of {treatment!r} at that wall-clock time is stored as {shown} (read "
                               f"in another zone, or given with its offset): give the time zone it was stored in "
                               f"(--time-zone), or the treatment time with its UTC offset",
                               MSG_ZONE_NOT_USED.format(zone=zone_text(zone), treatment=other[0]["treatment"],
                                                        stored=shown))


class Store:
    """A study store folder (see the module docstring).

    Parameters
    ----------
    path : str or path-like, optional
        The store folder (created when missing); default
        :func:`default_store_dir`.
    timeout : float
        Seconds to wait for another writer (SQLite busy timeout).
    lazy : bool
        When the store does not exist yet, create its folder and database only at the
        first write (a subject, session, photo or measurement), not now; until then it
        reads as an empty store.  A command that writes nothing (every photo refused,
        a time that does not parse) then leaves no store behind, not an empty database
        that later reads as a valid empty study.  Default False: created now.

    Raises
    ------
    StoreError
        When the database was written by a newer facemetrics (unknown schema version).
    """

    def __init__(self, path=None, *, timeout: float = 30.0, lazy: bool = False):
        self.dir = Path(path).expanduser() if path is not None else default_store_dir()
        self.db_path = self.dir / DB_NAME
        self._timeout = timeout
        self._pending = False  # True while a lazy store exists in memory only (see _materialize)
        if lazy and not self.db_path.exists():
            self._connect(":memory:")  # the empty store, for reads until the first write
            self._pending = True
        else:
            self._open_folder_and_database()

    # ---- plumbing ------------------------------------------------------------

    def _connect(self, target) -> None:
        """Open ``target`` (the database file or ``":memory:"``) as ``self.con`` and bring its schema
        up to date."""
        self.con = sqlite3.connect(target, timeout=self._timeout, isolation_level=None)
        self.con.row_factory = sqlite3.Row
        self.con.execute(f"PRAGMA busy_timeout = {int(self._timeout * 1000)}")
        self.con.execute("PRAGMA journal_mode = WAL")
        self.con.execute("PRAGMA foreign_keys = ON")
        self.con.execute("PRAGMA secure_delete = ON")
        self.con.execute("PRAGMA synchronous = NORMAL")
        self._migrate()

    def _open_folder_and_database(self) -> None:
        """Create the store's folder when needed and open its database (:meth:`_connect`).

        Raises
        ------
        StoreError
            The folder is a file, cannot be created, or its ``study.sqlite`` is no SQLite database (damaged, or
            another file of that name): each ended every `study` command and the app's *My study* with a
            traceback (FileExistsError, sqlite3.DatabaseError 'file is not a database'; stop 64's audit)."""
        try:
            self.dir.mkdir(parents=True, exist_ok=True)
        except (FileExistsError, NotADirectoryError):
            raise StoreError(f"the study store {self.dir} is a file, not a folder: give a folder (--store or "
                             "FACEMETRICS_STORE)") from None
        except OSError as exc:
            raise StoreError(f"cannot create the study store {self.dir}: {exc.strerror or exc}") from None
        try:
            self._connect(self.db_path)
        except sqlite3.DatabaseError as exc:
            if isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc):
                raise
            con = getattr(self, "con", None)
            if con is not None:
                con.close()
            raise StoreError(f"the study store's database {self.db_path} cannot be read ({exc}): it is damaged or "
                             "is not a facemetrics store: move it away (a new store is then made in its place) or "
                             "restore it from a backup") from None

    def _materialize(self) -> None:
        """A lazy store's first write: create the folder and the database (or open the one another
        process created meanwhile) in place of the in-memory empty store, which held no data."""
        memory = self.con
        self._pending = False  # before _connect: its migration writes through transaction()
        try:
            self._open_folder_and_database()
        except BaseException:
            if self.con is not memory:
                self.con.close()
            self.con, self._pending = memory, True
            raise
        memory.close()

    def close(self) -> None:
        self.con.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    @contextmanager
    def transaction(self):
        """``BEGIN IMMEDIATE`` ... ``COMMIT`` (``ROLLBACK`` on any exception); a lazy store's
        first one creates the store (:meth:`_materialize`)."""
        if self._pending:
            self._materialize()
        self.con.execute("BEGIN IMMEDIATE")
        try:
            yield self.con
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        self.con.execute("COMMIT")

    def schema_version(self) -> int:
        try:
            row = self.con.execute("SELECT version FROM schema_version").fetchone()
        except sqlite3.OperationalError:
            return 0
        return int(row[0]) if row else 0

    def _migrate(self) -> None:
        if self.schema_version() == SCHEMA_VERSION:  # the common case: no write lock needed
            return
        with self.transaction() as con:
            v = self.schema_version()
            if v > SCHEMA_VERSION:
                raise StoreError(f"the store {self.db_path} has schema version {v}, newer than this "
                                 f"facemetrics ({__version__}, schema {SCHEMA_VERSION}); upgrade facemetrics")
            for target in range(v + 1, SCHEMA_VERSION + 1):
                for stmt in MIGRATIONS[target].split(";"):
                    if stmt.strip():
                        con.execute(stmt)
                con.execute("UPDATE schema_version SET version = ?", (target,))

    # ---- subjects and sessions ------------------------------------------------

    def subject_id(self, name: str, *, create: bool = False) -> int:
        """Id of the subject ``name`` (created when ``create``); StoreError when unknown.

        Names match ignoring case, surrounding spaces and Unicode normalisation
        (:func:`facemetrics.batch.name_key`: ``anna`` is the stored ``Anna``, whose spelling stays;
        a new name is stored composed, NFC, :func:`~facemetrics.batch.discover.name_text`).  A store
        written before this
        rule may hold two spellings of one name as two rows: the exact spelling, else the
        oldest, is returned (and :meth:`photos`, :meth:`manifest` and :meth:`delete_subject`
        take them as one subject)."""
        name = name_text(name)  # "Zoë" composed or decomposed: stored composed, one subject (audit, 2026-12-04)
        if not name:
            raise StoreError("a subject needs a name")
        row = self.con.execute("SELECT id FROM subjects WHERE name = ?", (name,)).fetchone()
        if row:
            return int(row[0])
        ids = self._subject_ids(name)
        if ids:
            return ids[0]
        if not create:
            raise StoreError(f"no subject {name!r} in the store {self.dir}")
        with self.transaction() as con:  # looked up again under the write lock: another writer may have added it
            ids = self._subject_ids(name)
            if ids:
                return ids[0]
            con.execute("INSERT OR IGNORE INTO subjects (name, created_at) VALUES (?, ?)", (name, _now()))
            return int(con.execute("SELECT id FROM subjects WHERE name = ?", (name,)).fetchone()[0])

    def _subject_ids(self, name: str) -> list[int]:
        """Ids of every subject row whose name matches ``name`` (:func:`facemetrics.batch.name_key`), oldest first."""
        from .batch import name_key

        key = name_key(name)
        return [int(r[0]) for r in self.con.execute("SELECT id, name FROM subjects ORDER BY id")
                if name_key(r[1]) == key]

    def _subject_filter(self, subject: str | None, alias: str) -> tuple[str, tuple]:
        """SQL ``WHERE`` clause (and its arguments) selecting ``subject``'s rows (every spelling)."""
        if subject is None:
            return "", ()
        ids = self._subject_ids(subject)
        return f" WHERE {alias} IN ({', '.join('?' * len(ids)) or 'NULL'})", tuple(ids)

    def subjects(self) -> pd.DataFrame:
        """One row per subject: ``name, n_sessions, n_photos, first_photo, last_photo``.

        A store written before names were matched as now (:func:`facemetrics.batch.name_key`) may
        hold one subject as two rows (``Anna`` and ``anna``; ``Zoë`` composed and decomposed, which
        look the same and were listed twice; an audit, 2026-12-04): they are one row here, named
        by the oldest spelling (as :meth:`photos` names them), their counts summed."""
        df = pd.read_sql_query(
            "SELECT s.id, s.name, (SELECT COUNT(*) FROM sessions WHERE subject_id = s.id) AS n_sessions, "
            "(SELECT COUNT(*) FROM photos WHERE subject_id = s.id) AS n_photos, "
            "(SELECT MIN(taken_at) FROM photos WHERE subject_id = s.id) AS first_photo, "
            "(SELECT MAX(taken_at) FROM photos WHERE subject_id = s.id) AS last_photo "
            "FROM subjects s ORDER BY s.id", self.con)
        shown = self._shown_names()
        df["name"] = [shown.get(int(i), n) for i, n in zip(df["id"], df["name"])]
        return (df.groupby("name", sort=True, as_index=False, dropna=False)
                .agg(n_sessions=("n_sessions", "sum"), n_photos=("n_photos", "sum"),
                     first_photo=("first_photo", "min"), last_photo=("last_photo", "max")))

    def _shown_names(self) -> dict[int, str]:
        """``{subject id: the name it is shown by}``: the oldest spelling of its name
        (:func:`facemetrics.batch.name_key`; one name in a store that holds two spellings)."""
        from .batch import name_key

        names: dict[str, str] = {}
        return {int(r[0]): names.setdefault(name_key(r[1]), r[1])
                for r in self.con.execute("SELECT id, name FROM subjects ORDER BY id")}

    def log_session(self, subject: str, treatment: str, treated_at, *, device: str = "",
                    settings: dict | None = None, note: str = "") -> int:
        """Record a treatment session; returns its id.

        Idempotent on (subject, treatment, the instant ``treated_at`` names), matched as the
        batch matches them (:func:`~facemetrics.sessions.same_session`): ``Anna``/``anna``, ``RF``/``rf``,
        ``07:00Z``/``08:00+01:00`` and ``08:00``/``08:00+01:00`` name one session, whose
        first spelling stays.  A time with a UTC offset given for a session stored without one
        becomes its time (the same wall-clock time, now an instant) and its photos' roles are
        set again from it: every photo of a session is timed from its one ``treated_at``.
        ``device``, ``settings`` and ``note`` are those of the session's first record; ``device`` is stored as a
        name is (:func:`~facemetrics.batch.discover.name_text`: a line break or tab is a space; stop 64).

        Raises
        ------
        StoreError
            No treatment name or time, a time that does not parse or is a date alone
            (``2026-05-01``: no time of day), or one that matches two sessions (a time without an
            offset against ``08:00Z`` and ``08:00+01:00``).
        """
        treatment = name_text(treatment)
        if not treatment:
            raise StoreError("a treatment session needs a treatment name (e.g. microcurrent)")
        when = iso_time(treated_at)
        if not when:
            raise StoreError("a treatment session needs its time (treated_at)")
        sid = self.subject_id(subject, create=True)
        ids = self._subject_ids(subject)
        with self.transaction() as con:
            rows = con.execute(f"SELECT id, treatment, treated_at FROM sessions WHERE subject_id IN "
                               f"({', '.join('?' * len(ids))}) ORDER BY id", tuple(ids)).fetchall()
            found = same_session(rows, treatment, when)
            if found is not None:
                if not wall_clock(found["treated_at"])[1] and wall_clock(when)[1]:
                    con.execute("UPDATE sessions SET treated_at = ? WHERE id = ?", (when, found["id"]))
                    self._set_roles(con, int(found["id"]))
                return int(found["id"])
            con.execute(
                "INSERT OR IGNORE INTO sessions (subject_id, treatment, device, settings_json, treated_at, note, "
                "created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (sid, treatment, name_text(device), json.dumps(settings or {}, sort_keys=True), when, note, _now()))
            return int(con.execute("SELECT id FROM sessions WHERE subject_id = ? AND treatment = ? AND "
                                   "treated_at = ?", (sid, treatment, when)).fetchone()[0])

    def _canonical_sessions(self) -> tuple[dict[int, dict], dict[int, str]]:
        """``({session id: the session it is}, {subject id: the subject's shown name})``.

        A store written before sessions were matched by instant and names by
        :func:`facemetrics.batch.name_key` may hold one session as two rows (``07:00Z`` and
        ``08:00+01:00``, or ``RF`` and ``rf``) and one subject as two (``Anna``, ``anna``).  Each
        row is mapped to the oldest row of its session (:func:`~facemetrics.sessions.same_session`, rows that cannot
        be told apart kept as they are) and each subject to its oldest spelling, so that every
        photo of a session is reported with one treatment time: nothing in the database changes.
        """
        from .batch import name_key

        shown = self._shown_names()
        kept: dict[str, list[dict]] = {}
        canon: dict[int, dict] = {}
        for r in self.con.execute("SELECT id, subject_id, treatment, treated_at FROM sessions ORDER BY id"):
            group = kept.setdefault(name_key(shown.get(r["subject_id"], "")), [])
            try:
                found = same_session(group, r["treatment"], r["treated_at"])
            except StoreError:
                found = None
            if found is None:
                found = dict(r)
                group.append(found)
            elif not (wall_clock(found["treated_at"]) or ("", True))[1] and (wall_clock(r["treated_at"])
                                                                             or ("", False))[1]:
                found["treated_at"] = r["treated_at"]  # as log_session does now: the instant
            canon[int(r["id"])] = found
        return canon, shown

    def sessions(self, subject: str | None = None) -> pd.DataFrame:
        """Sessions (``subject, id, treatment, device, settings_json, treated_at, note, n_photos``)."""
        q = ("SELECT sub.name AS subject, se.id, se.treatment, se.device, se.settings_json, se.treated_at, se.note, "
             "(SELECT COUNT(*) FROM photos WHERE session_id = se.id) AS n_photos, sub.id AS subject_id "
             "FROM sessions se JOIN subjects sub ON sub.id = se.subject_id")
        where, args = self._subject_filter(subject, "sub.id")
        df = pd.read_sql_query(q + where + " ORDER BY sub.name, se.treated_at", self.con, params=args)
        shown = self._shown_names()  # two rows of one name (a store written before name_key): one name
        df["subject"] = [shown.get(int(i), n) for i, n in zip(df["subject_id"], df["subject"])]
        return df.drop(columns="subject_id")

    def _set_roles(self, con: sqlite3.Connection, session_id: int) -> dict[int, str]:
        """Set the ``role`` of every photo of a session, as the batch tells them: ``baseline`` when
        taken before the session's treatment time as the batch reads it among them
        (:func:`~facemetrics.sessions.treatment_time`), else ``post``; ``{photo id: role}``.  ``con`` is in a transaction.

        The store compared a time with a UTC offset and one without on the wall clock, while the
        batch reads an offset-free treatment time in the offset of the session's before photos
        when its photos carry two: a photo listed ``post`` was the report's before photo (an audit,
        2026-12-04)."""
        treated = con.execute("SELECT treated_at FROM sessions WHERE id = ?", (session_id,)).fetchone()[0]
        photos = con.execute("SELECT id, taken_at, role FROM photos WHERE session_id = ?", (session_id,)).fetchall()
        roles = {}
        for p, role in zip(photos, session_roles(treated, [p["taken_at"] for p in photos])):
            role = role or "post"  # a time that does not parse: after, as before
            if role != p["role"]:
                con.execute("UPDATE photos SET role = ? WHERE id = ?", (role, p["id"]))
            roles[int(p["id"])] = role
        return roles

    def session_taken(self, session_id: int) -> list[str]:
        """The capture times (ISO 8601) of the photos stored in a session: :func:`role_when_added`'s ``among``,
        so that *My study*'s preview of a photo's role reads the session's time among them as the store will."""
        return [t for (t,) in self.con.execute("SELECT taken_at FROM photos WHERE session_id = ? ORDER BY id",
                                               (int(session_id),)) if t]

    def _session_for(self, subject_id: int, taken_at: str) -> sqlite3.Row | None:
        """The subject's latest session treated at or before ``taken_at`` (follow-up photos; the
        sessions of every row of the subject's name, in a store that holds two spellings).  Each
        session's time is read as the batch reads it with the photo among its photos
        (:func:`~facemetrics.sessions.treatment_time`), so the photo joins the session the report times it after."""
        from .batch import hours_between

        name = self.con.execute("SELECT name FROM subjects WHERE id = ?", (subject_id,)).fetchone()[0]
        ids = self._subject_ids(name)
        rows = self.con.execute(f"SELECT * FROM sessions WHERE subject_id IN ({', '.join('?' * len(ids))}) "
                                "ORDER BY id", tuple(ids)).fetchall()
        best, best_h = None, None
        for r in rows:
            taken = [t for (t,) in self.con.execute("SELECT taken_at FROM photos WHERE session_id = ?", (r["id"],))]
            h = hours_between(taken_at, treatment_time(r["treated_at"], taken + [taken_at]))
            if h == h and h >= 0 and (best_h is None or h < best_h):
                best, best_h = r, h
        return best

    # ---- photos ------------------------------------------------------------------

    def photos(self, subject: str | None = None) -> pd.DataFrame:
        """Photos with their session: ``subject, id, file, original_name, taken_at, role, treatment,
        treated_at, sha256, file_sha256, capture_note, session_id, taken_at_source, note``.

        ``taken_at_source`` is where ``taken_at`` came from as stored (``typed``, ``exif``, ``file_name``),
        :data:`UNKNOWN_SOURCE` for a photo stored before the store saved it (schema 2 and older).
        ``note``: the loader's notes on the file given that stay true of the stored copy (a file of several
        frames: which one was stored and measured), ``"; "``-joined; ``""`` without one and for a photo stored
        before the store kept them (schema 3 and older).

        ``subject`` matches every spelling of the name (:func:`facemetrics.batch.name_key`).
        ``subject``, ``treatment`` and ``treated_at`` are those of the photo's session as
        :meth:`_canonical_sessions` maps it (in a store written before sessions were matched by
        instant, two rows of one session are shown as its oldest).  ``role`` is the one the report's
        batch gives (:func:`~facemetrics.sessions.treatment_time` over the session's photos; as :meth:`_set_roles` stores
        it), also for a store written before that rule."""
        q = ("SELECT sub.name AS subject, p.id, p.file, p.original_name, p.taken_at, p.role, "
             "COALESCE(se.treatment, '') AS treatment, COALESCE(se.treated_at, '') AS treated_at, "
             "p.sha256, p.file_sha256, p.capture_note, p.session_id, p.subject_id, p.taken_at_source, p.note "
             "FROM photos p JOIN subjects sub ON sub.id = p.subject_id "
             "LEFT JOIN sessions se ON se.id = p.session_id")
        where, args = self._subject_filter(subject, "sub.id")
        df = pd.read_sql_query(q + where + " ORDER BY sub.name, p.taken_at, p.id", self.con, params=args)
        canon, shown = self._canonical_sessions()
        df["subject"] = [shown.get(int(i), n) for i, n in zip(df["subject_id"], df["subject"])]
        for col in ("treatment", "treated_at"):
            df[col] = [canon[int(s)][col] if s == s and s is not None and int(s) in canon else v
                       for s, v in zip(df["session_id"], df[col])]
        # each session's roles from its one time as the batch reads it among its photos (a store written
        # before the rule, or one session stored as two rows, shows the roles its report gives)
        sessions: dict[int, list[int]] = {}
        for i, s in enumerate(df["session_id"]):
            if s == s and s is not None and int(s) in canon:
                sessions.setdefault(int(canon[int(s)]["id"]), []).append(i)
        roles, taken = df["role"].tolist(), df["taken_at"].tolist()
        for rows in sessions.values():
            for i, role in zip(rows, session_roles(df["treated_at"].iat[rows[0]], [taken[i] for i in rows])):
                roles[i] = role or "post"
        df["role"] = roles
        df["taken_at_source"] = [s or UNKNOWN_SOURCE for s in df["taken_at_source"]]
        return df.drop(columns="subject_id")

    def add_photos(self, subject: str, photos, *, treatment: str | None = None, treated_at=None,
                   follow_up: bool = False, taken_at=None, device: str = "", settings: dict | None = None,
                   capture_note: str = "", measure: bool = True, taken_at_wins: bool | str = False,
                   time_zone=None, sidecars: dict | None = None) -> list[AddResult]:
        """Copy photos (metadata stripped) into the store and record them.

        Parameters
        ----------
        subject : str
            Subject name (created when new, once a photo is to be added).
        photos : iterable of path-like or (name, bytes)
            The photo files.
        treatment, treated_at : str, optional
            The treatment session the photos belong to (logged when new).
            Photos taken before ``treated_at`` are its ``baseline``, the others ``post``.
        follow_up : bool
            Attach each photo to the subject's latest session treated at or
            before the photo was taken (role ``post``).
        taken_at : str or datetime, optional
            Capture time for photos without EXIF ``DateTimeOriginal`` (an EXIF time wins),
            or, with ``taken_at_wins``, of every photo.
        taken_at_wins : bool or str
            ``taken_at`` is the user's statement of when the photos were taken (True: a manifest's,
            ``study import``; ``"typed"``: a time the user typed for them, the app's "Taken at", so named in
            the note) and wins over their EXIF times and file names, as the batch takes a manifest's
            (``taken_at_source`` ``typed``).
            A photo whose EXIF time differs from it by more than
            :data:`~facemetrics.batch.discover.MANIFEST_EXIF_MINUTES` says so in its ``message``,
            in the batch's words (:func:`~facemetrics.batch.discover.manifest_time_notes`; the
            report's ``photos.csv`` says it again, from the stored copy's EXIF time); a photo
            already stored at another time keeps it, and its ``message`` says so.
        device, settings
            Stored with a new session (e.g. ``"NuFace Trinity"``, ``{"intensity": 3}``).
        capture_note : str
            Why the photo was kept despite a failed guided-capture check ("" = passed).
        measure : bool
            Measure each new photo now (cached in ``analyses``).
        time_zone : str or tzinfo, optional
            The zone the user's clocks were in (``--time-zone``, :func:`facemetrics.timekeys.read_time_zone`): the
            treatment time and each capture time without a UTC offset are stored read in it at their own date, a
            UTC one (``Z``: a Pixel's name, a sidecar's) converted into it (:func:`facemetrics.timekeys.in_zone`),
            so that the report places them without it; None (default): stored as given.
        sidecars : dict, optional
            ``{name: time}``: the Google Photos sidecar time (:func:`facemetrics.sidecar.sidecar_text_time`) of
            a ``(name, bytes)`` photo, whose sidecar is no file beside it (the app's *My study* uploads; a path's
            sidecar is read beside it, :func:`facemetrics.sidecar.sidecar_time`).

        Returns
        -------
        list of AddResult
            One per photo, in order.  A photo without a capture time, or an
            unreadable one, is an ``error`` result, never an exception.

        Every argument and photo is checked before anything is written: when no
        photo is to be added (each one refused or already stored) the store is left
        as it was (no new subject, no session without photos, no file), but for one thing: a
        treatment time given with its UTC offset for a session stored without one, with photos
        already stored, is the session's time now (:meth:`log_session`'s rule; ``note`` says so,
        :data:`MSG_OFFSET_GIVEN`): the remedy :data:`MSG_UTC_LEFT_OUT` gives for a photo whose only
        time is in UTC, which ``message`` names when it is added (:meth:`utc_left_out_notes`).

        Raises
        ------
        StoreError
            Both a session and ``follow_up``, a session without its treatment or
            time, a time that does not parse or is a date alone (``2026-05-01``: no time of
            day), a treatment time that matches two stored sessions; raised before anything is
            written.
        """
        # 1. everything is checked before anything is written: a failed add (a time that does not
        #    parse, no session to follow up, every photo refused) leaves no subject, session or file behind
        _check_add_arguments(subject, photos, treatment, treated_at, follow_up)
        zone = _zone_of(time_zone)
        as_given, zoned, default_time = _given_times(treated_at, taken_at, zone)  # the preview's reading too
        treated_at = zoned if zone is not None and treatment else treated_at
        given_time = iso_time(treated_at) if treatment else ""
        ids = self._subject_ids(subject)
        sid = self.subject_id(subject) if ids else None  # the stored subject (exact spelling first); not created
        named = None  # the stored session the treatment and time name (None: a new one)
        moved = None  # the refusal of a treatment time read in another zone than its stored session's
        if treatment and ids:  # a treatment time that names two stored sessions: refused now, not after writing
            stored = self.con.execute(f"SELECT id, treatment, treated_at FROM sessions WHERE subject_id IN "
                                      f"({', '.join('?' * len(ids))}) ORDER BY id", tuple(ids)).fetchall()
            named = same_session(stored, name_text(treatment), given_time)
            if named is None and zone is not None:  # read in another zone than its stored session's: refused,
                try:  # unless every photo given is stored already (an import run again): "already there" (stop 62)
                    _check_zone_moves_no_session(stored, name_text(treatment), as_given, given_time, zone)
                except SessionZoneError as exc:
                    moved = exc
        results: list[AddResult | None] = []
        todo = []  # (index in results, checked photo)
        for item in photos:
            if isinstance(item, tuple):
                name, data = item
            else:
                name = legible(Path(item).name)  # a name that is not UTF-8 is kept as caf\\xe9.jpg (SQLite: UTF-8)
                try:
                    from .loader import check_regular_file

                    check_regular_file(item, name)  # a FIFO would block read_bytes() forever
                    data = Path(item).read_bytes()
                except InputError as exc:
                    results.append(AddResult(name, "error", message=f"cannot read {legible(str(item))}: {exc.reason}"))
                    continue
                except OSError as exc:
                    results.append(AddResult(name, "error",
                                             message=f"cannot read {legible(str(item))}: {exc.strerror or exc}"))
                    continue
            # a Takeout sidecar beside the file, or one uploaded with it (the app's: sidecars)
            side = (sidecars or {}).get(name, "") if isinstance(item, tuple) else sidecar_time(item)
            checked = self._check_one(sid, str(name), bytes(data), follow_up, default_time, taken_at_wins, side, zone)
            results.append(checked if isinstance(checked, AddResult) else None)
            if not isinstance(checked, AddResult):
                todo.append((len(results) - 1, checked))
        if moved is not None and any(r is None or r.status != "duplicate" for r in results):
            raise moved  # a photo to store (or one refused): the zone refusal, nothing written
        self._check_follow_ups_zone(todo, zone)
        if not todo:  # nothing to add: nothing written; the spelling notes of the session named all the same
            return self._none_added(results, sid, subject, named, treatment, treated_at, given_time, moved)
        # 2. the writes: the subject, the session, then each photo
        sid = self.subject_id(subject, create=True)
        session_id = None
        session_time = ""
        if treatment:
            session_id = self.log_session(subject, treatment, treated_at, device=device, settings=settings)
            # every photo of a session is timed from the session's one stored time (the same instant or
            # wall-clock time as the one given, perhaps written otherwise)
            session_time = self.con.execute("SELECT treated_at FROM sessions WHERE id = ?",
                                            (session_id,)).fetchone()[0]
        for k, checked in todo:
            results[k] = self._store_one(sid, checked, session_id, session_time, capture_note, measure)
        # a later photo of this call may have changed how the session's time is read (sessions.treatment_time):
        # every result gives its photo's stored role
        added = [k for k, _ in todo if results[k].status == "added"]
        if added:
            ids = [results[k].photo_id for k in added]
            stored = dict(self.con.execute(f"SELECT id, role FROM photos WHERE id IN ({', '.join('?' * len(ids))})",
                                           tuple(ids)).fetchall())
            for k in added:
                results[k] = replace(results[k], role=stored.get(results[k].photo_id, results[k].role))
            # a UTC time the report cannot place among the session's photos (read after all were added): said now
            left = self.utc_left_out_notes(ids)
            for k in added:
                if results[k].photo_id in left:
                    said = f"{results[k].name}: {left[results[k].photo_id]}"
                    results[k] = replace(results[k], message="; ".join(filter(None, [results[k].message, said])))
        return self._with_notes(results, self._spelling_notes(sid, subject, session_id, treatment, treated_at)
                                + (_treatment_zone_notes(as_given, zone) if treatment else []))

    def utc_left_out_notes(self, photo_ids, how: str = UTC_REMEDY_ADD) -> dict[int, str]:
        """``{photo id: why study report leaves it out}`` for each of ``photo_ids`` whose capture time is in UTC only
        (``Z``: a Pixel name's, a Google Photos sidecar's) in a session whose stored treatment time has no UTC offset
        and whose other photos carry none (:func:`facemetrics.sessions.utc_left_out`, the batch's rule, read among
        the session's stored photos now): :data:`MSG_UTC_LEFT_OUT`, its remedy's ``how`` filled
        (:data:`UTC_REMEDY_ADD`; ``study import`` names its own); and for each that the batch's offset rules leave
        out otherwise (:func:`facemetrics.sessions.left_out`: an offset-free time among photos of two offsets, ...):
        :data:`MSG_LEFT_OUT` (stop 61).  The others are not in it."""
        ids = [int(i) for i in photo_ids if i is not None]
        if not ids:
            return {}
        rows = self.con.execute(f"SELECT id, session_id, taken_at, taken_at_source FROM photos WHERE id IN "
                                f"({', '.join('?' * len(ids))}) AND session_id IS NOT NULL", tuple(ids)).fetchall()
        out = {}
        for session_id in dict.fromkeys(int(r["session_id"]) for r in rows):
            treated = self.con.execute("SELECT treated_at FROM sessions WHERE id = ?", (session_id,)).fetchone()[0]
            photos = self.con.execute("SELECT id, taken_at FROM photos WHERE session_id = ? ORDER BY id",
                                      (session_id,)).fetchall()
            taken = [p["taken_at"] for p in photos]
            utc = {int(p["id"]) for p, out_ in zip(photos, utc_left_out(treated, taken)) if out_}
            why = {int(p["id"]): said for p, said in zip(photos, left_out(treated, taken)) if said}
            example = f"{wall_clock(treated)[0][:16]}+HH:MM"
            for r in rows:
                if int(r["session_id"]) != session_id:
                    continue
                if int(r["id"]) in utc:
                    out[int(r["id"])] = MSG_UTC_LEFT_OUT.format(
                        taken=clock_text(r["taken_at"]).removesuffix(" +00:00"), treated=clock_text(treated),
                        whose=_UTC_WHOSE.get(r["taken_at_source"], "its own"), example=example,
                        how=how.format(example=example))
                elif int(r["id"]) in why:  # another photo the offset rules leave out (stop 61: said too)
                    out[int(r["id"])] = MSG_LEFT_OUT.format(why=why[int(r["id"])])
        return out

    def _none_added(self, results, sid, subject, named, treatment, treated_at, given_time, moved) -> list[AddResult]:
        """:meth:`add_photos`' results when no photo is to be added (each refused or stored already): nothing written,
        the notes of the session named all the same (only duplicates: they were dropped; stop 27); ``moved``: the
        :class:`SessionZoneError` of a zone that reads the session elsewhere, said as not used (every photo is
        stored already: stop 62)."""
        named_id = None if named is None else int(named["id"])
        offset = [moved.unused] if moved is not None else []
        if named is not None and not wall_clock(named["treated_at"])[1] and wall_clock(given_time)[1]:
            # but a UTC offset given for the session stored without one is its time (log_session's rule, as
            # when a photo is added): the remedy MSG_UTC_LEFT_OUT gives, adding the photo again with it
            self.log_session(subject, treatment, treated_at)
            offset = [MSG_OFFSET_GIVEN.format(treatment=named["treatment"], was=clock_text(named["treated_at"]),
                                              now=clock_text(given_time))]
        return self._with_notes(results, offset + self._spelling_notes(sid, subject, named_id, treatment, treated_at))

    def _check_follow_ups_zone(self, todo, zone) -> None:
        """:class:`SessionZoneError` (:data:`MSG_FOLLOW_UP_ZONE`, one sentence per session) when a follow-up photo
        of ``todo`` (:meth:`add_photos`' checked photos to store) has an offset-free capture time that ``zone`` read
        (``zoned``) and the session it follows is stored with a UTC offset that ``zone`` does not give its wall-clock
        treatment time: the photo's time read in another zone than the session's (stop 62).  A photo whose time
        carries its own offset, or a session stored without one, is not refused (the zone moves nothing of them)."""
        from .timekeys import parse_time, zone_text

        sessions: dict[int, list[str]] = {}
        for _, c in todo:
            if c["follow_session"] is not None and c["zoned"]:
                sessions.setdefault(c["follow_session"], []).append(c["name"])
        said = []
        for session_id, names in sessions.items():
            se = self.con.execute("SELECT treatment, treated_at FROM sessions WHERE id = ?", (session_id,)).fetchone()
            wall, stored = wall_clock(se["treated_at"]), parse_time(se["treated_at"])
            if wall is None or not wall[1]:
                continue
            read = in_zone(wall[0], zone)
            if parse_time(read).utcoffset() == stored.utcoffset():
                continue
            who = (f"the follow-up photo {names[0]}" if len(names) == 1 else
                   f"{len(names)} follow-up photos ({names[0]} and {len(names) - 1} more)")
            said.append(MSG_FOLLOW_UP_ZONE.format(who=who, zone=zone_text(zone), s="s" if len(names) == 1 else "",
                                                  treatment=se["treatment"], stored=se["treated_at"], read=read))
        if said:
            raise SessionZoneError("; ".join(said))

    @staticmethod
    def _with_notes(results: list, notes: list[str]) -> list[AddResult]:
        return [replace(r, note="; ".join(notes)) for r in results] if notes else list(results)

    def _spelling_notes(self, sid, subject, session_id, treatment, treated_at) -> list[str]:
        """Sentences saying that the subject, treatment or treatment time given is a stored one
        written otherwise (``anna`` is the stored ``Anna``), or is stored without its line breaks, tabs or other
        control characters (:func:`facemetrics.timekeys.control_note`; stop 64); [] when all are as given."""
        from .timekeys import control_note

        notes = [n for n in (control_note(subject), control_note(treatment, "treatment")) if n]
        if sid is None:
            return notes
        stored_name = self.con.execute("SELECT name FROM subjects WHERE id = ?", (sid,)).fetchone()[0]
        if stored_name != name_text(subject):  # composed/decomposed alone: they look the same, no note
            notes.append(f"subject {name_text(subject)!r} is the stored {stored_name!r} (names match ignoring "
                         "case and surrounding spaces)")
        if session_id is not None:
            se = self.con.execute("SELECT treatment, treated_at FROM sessions WHERE id = ?", (session_id,)).fetchone()
            if se["treatment"] != name_text(treatment):
                notes.append(f"treatment {name_text(treatment)!r} is the stored {se['treatment']!r} (names match "
                             "ignoring case and surrounding spaces)")
            if se["treated_at"] != iso_time(treated_at):
                notes.append(f"treatment time {treated_at!s} is the session stored as {se['treated_at']} (the same "
                             "instant, or the same wall-clock time)")
        return notes

    def _check_one(self, sid, name, data, follow_up, default_time, time_wins=False, sidecar="",
                   zone=None) -> AddResult | dict:
        """What :meth:`add_photos` would do with one photo, nothing written: an ``error`` or
        ``duplicate`` result, or the checked photo to store (``dict``: its name, bytes, hash,
        clean copy, suffix, capture time, EXIF time, the note on the two and, for a follow-up,
        its session id).  ``time_wins``: ``default_time`` is the photo's time, its EXIF's or not
        (:meth:`add_photos`' ``taken_at_wins``); ``zone``: its time read in it (:func:`~facemetrics.timekeys.in_zone`)."""
        if not data:
            return AddResult(name, "error", message=f"{name}: the file is empty")
        sha = _sha256(data)
        old = None if sid is None else self.con.execute(
            "SELECT id, role, taken_at, session_id FROM photos WHERE subject_id = ? AND sha256 = ?",
            (sid, sha)).fetchone()
        if old:
            kept = kept_time_note(old["taken_at"], default_time) if time_wins else ""
            return AddResult(name, "duplicate", int(old["id"]), old["role"], old["taken_at"], old["session_id"],
                             DUPLICATE_MESSAGE + kept)
        # first whether it can be read at all (the loader's checks: a truncated or corrupt file is
        # refused with the loader's reason, never stored), then its time and role
        try:
            copy = clean_copy(data)
        except Exception as exc:  # noqa: BLE001 - unreadable photos are results, not tracebacks
            # the reason without the loader's "<bytes>" label: the photo is named by the user's file name
            why = exc.reason if isinstance(exc, InputError) else str(exc)
            return AddResult(name, "error", message=f"{name}: cannot be stored ({why})")
        when, source, exif = _capture_time(name, data, default_time, time_wins, sidecar)
        hour = clock_change_text(when, zone)  # an hour the zone's clock change repeats or skips: said (stop 61, g8)
        zoned = bool(when) and (wall_clock(when) or ("", True))[1] is False  # an offset-free time the zone reads
        when = in_zone(when, zone)  # --time-zone: an offset-free or UTC time stored with the zone's offset
        said = time_note(name, default_time, exif, "typed" if time_wins == "typed" else "manifest") if time_wins else ""
        said = "; ".join(filter(None, [said, f"{name}: capture time {hour}" if hour else ""]))
        if not when:
            named = name_date_alone(name)  # IMG-20261027-WA0003: a date, no time of day (never midnight)
            exif_why = time_not_read_of(data)  # 0000:00:00 00:00:00: said, not "no EXIF DateTimeOriginal"
            return AddResult(name, "error", message=f"{name}: no capture time ({exif_why or 'no EXIF DateTimeOriginal'}, "
                                                    f"{'its file name ' + named if named else 'none in its file name'}"
                                                    "); give it with --taken-at")
        follow_session = None
        if follow_up:
            sess = None if sid is None else self._session_for(sid, when)
            if sess is None:
                return AddResult(name, "error", taken_at=when,
                                 message=f"{name}: no treatment session at or before {when} to follow up: log its "
                                         "session by adding the photo with --treatment NAME --treated-at TIME "
                                         "instead of --follow-up")
            follow_session = int(sess["id"])
        return {"name": name, "data": data, "sha": sha, "clean": copy.data, "ext": copy.suffix, "when": when,
                "exif": exif, "time_note": said, "follow_session": follow_session, "source": source,
                "zoned": zoned and zone is not None,
                "note": "; ".join(copy.notes)}

    def _store_one(self, sid, checked: dict, session_id, session_time, capture_note, measure) -> AddResult:
        """Write one photo :meth:`_check_one` passed: its copy, then its row (its role, and those of
        its session's other photos, set by :meth:`_set_roles`); measure it."""
        from .batch import hours_between

        name, sha, clean, ext, when = (checked[k] for k in ("name", "sha", "clean", "ext", "when"))
        role = "baseline"
        if session_id is not None:
            role = "baseline" if hours_between(when, session_time) < 0 else "post"
        elif checked["follow_session"] is not None:
            session_id, role = checked["follow_session"], "post"
        old = self.con.execute("SELECT id, role, taken_at, session_id FROM photos WHERE subject_id = ? AND "
                               "sha256 = ?", (sid, sha)).fetchone()
        if old:  # the same file given twice in one add: stored once
            return AddResult(name, "duplicate", int(old["id"]), old["role"], old["taken_at"], old["session_id"],
                             DUPLICATE_MESSAGE)
        rel = f"{PHOTO_DIR}/{sid}/{sha[:20]}{ext}"
        target = self.dir / rel
        # 1. the file, atomically (a kill here leaves at most an unreferenced file, removed by gc())
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".add.", suffix=".tmp", dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(clean)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        # 2. measured before its row is written: a measuring that ends the process (a native crash in the face
        #    finder; the app measures in a worker process) leaves no photo without its measurement, at most the
        #    unreferenced copy (gc(); the same photo added again rewrites it)
        row = self._measured(rel, _sha256(clean)) if measure else None
        # 3. the row (a concurrent writer may have added the same photo meanwhile: then it is a duplicate)
        with self.transaction() as con:
            cur = con.execute(
                "INSERT OR IGNORE INTO photos (subject_id, session_id, sha256, file_sha256, file, original_name, "
                "taken_at, role, capture_note, added_at, taken_at_source, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (sid, session_id, sha, _sha256(clean), rel, name, when, role, capture_note, _now(), checked["source"],
                 checked["note"]))
            if cur.rowcount == 0:
                pid = con.execute("SELECT id FROM photos WHERE subject_id = ? AND sha256 = ?", (sid, sha)
                                  ).fetchone()[0]
                return AddResult(name, "duplicate", int(pid), role, when, session_id,
                                 DUPLICATE_MESSAGE)
            pid = int(cur.lastrowid)
            if session_id is not None:  # as the batch times the session's photos (one rule, sessions.treatment_time)
                role = self._set_roles(con, int(session_id)).get(pid, role)
        measured, said = "", ""
        if row is not None:
            measured, said = str(row.get("status") or ""), _measure_note(row, name)
        far = self._far_from_treatment(int(session_id), when) if session_id is not None else ""
        kept = f"{name}: {checked['note']}" if checked["note"] else ""  # the copy is one frame: it cannot say so
        said = "; ".join(filter(None, [checked["time_note"], far, kept, said]))  # the time first: it set the role
        return AddResult(name, "added", pid, role, when, session_id, said, measured, exif_taken_at=checked["exif"],
                         taken_at_source=checked["source"])

    def _far_from_treatment(self, session_id: int, taken_at: str) -> str:
        """Why a photo taken at ``taken_at`` is left out of its session's comparisons for its time
        (:func:`facemetrics.pairing.too_late` / :func:`~facemetrics.pairing.too_early`: more than 365
        days after or 30 days before the treatment, as ``study report`` times it), or ``""``.  A photo of
        a camera clock set to 2031 was "added (post ...)" with nothing said, and only report.md named it,
        with the batch's remedy, a manifest (an outside user's audit, 2026-12-04)."""
        from .batch import hours_between
        from .pairing import MANIFEST_REMEDY, too_early, too_late

        treated = self.con.execute("SELECT treated_at FROM sessions WHERE id = ?", (session_id,)).fetchone()[0]
        taken = [t for (t,) in self.con.execute("SELECT taken_at FROM photos WHERE session_id = ?", (session_id,))]
        h = hours_between(taken_at, treatment_time(treated, taken))
        why = too_late(h) or too_early(h)
        return why.replace(MANIFEST_REMEDY, "(`study report` leaves it out: check the camera's clock)")

    # ---- measurements (the same rows and cache keys as facemetrics.batch) --------

    def measure(self, photo_id: int, *, mm_per_px=None, ipd_mm=None, fast: bool = True) -> str:
        """Measure a stored photo (cached in ``analyses``); returns its status (``ok``, ``no_face`` ...)."""
        row = self.analysis(photo_id, mm_per_px=mm_per_px, ipd_mm=ipd_mm, fast=fast)
        return str(row.get("status") or "")

    def analysis(self, photo_id: int, *, mm_per_px=None, ipd_mm=None, fast: bool = True) -> dict:
        """The measurement row of a stored photo (:data:`facemetrics.schema.PHOTO_COLUMNS`), cached.

        A ``mm_per_px`` or ``ipd_mm`` outside what the command line accepts raises
        :class:`~facemetrics.errors.SettingError` before anything is measured or stored."""
        from .batch import check_run_settings

        mm_per_px, ipd_mm, _ = check_run_settings(mm_per_px=mm_per_px, ipd_mm=ipd_mm)
        p = self.con.execute("SELECT file, file_sha256 FROM photos WHERE id = ?", (photo_id,)).fetchone()
        if p is None:
            raise StoreError(f"no photo with id {photo_id}")
        if not (self.dir / p["file"]).is_file():
            # its cached row read 'ok' though the copy was gone: *My study* listed the photo as measured and, when
            # it was the subject's only one, crashed checking the next photo against it (stop 54's audit)
            raise StoreError(f"its stored copy is missing ({p['file']} in {self.dir}): remove it from the study "
                             "and add the photo again")
        return self._measured(p["file"], p["file_sha256"], mm_per_px, ipd_mm, fast)

    def _measured(self, file: str, file_sha256: str, mm_per_px=None, ipd_mm=None, fast: bool = True) -> dict:
        """The measurement row of the stored copy ``file`` (relative to the store folder) whose hash is
        ``file_sha256``, from ``analyses`` or measured now and put there (settings checked by the caller)."""
        from .batch import measure_photo, run_settings, settings_key

        settings = run_settings(mm_per_px, ipd_mm, fast)
        skey = settings_key(settings)
        got = self.con.execute("SELECT row_json FROM analyses WHERE photo_sha256 = ? AND facemetrics_version = ? "
                               "AND settings_key = ?", (file_sha256, __version__, skey)).fetchone()
        if got:
            return json.loads(got[0])
        with tempfile.TemporaryDirectory(dir=self.dir) as tmp:
            row = measure_photo(str(self.dir / file), file_sha256, settings, str(Path(tmp) / "a.json"))
        self._put_analysis(file_sha256, skey, row)
        return row

    def _put_analysis(self, sha: str, skey: str, row: dict) -> None:
        with self.transaction() as con:
            con.execute("INSERT OR IGNORE INTO analyses (photo_sha256, facemetrics_version, settings_key, status, "
                        "row_json, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                        (sha, __version__, skey, str(row.get("status") or ""),
                         json.dumps(row, sort_keys=True, allow_nan=False), _now()))

    # ---- deletion and consistency ------------------------------------------------

    def delete_subject(self, name: str) -> dict:
        """Delete a subject: its sessions, photos (rows and files), analyses and comparisons.

        ``name`` matches every spelling of the subject (:func:`facemetrics.batch.name_key`:
        deleting ``anna`` deletes ``Anna`` too, also when an older store holds both as rows).
        Returns ``{"photos": n, "files_left": [...], "name": stored}``; ``files_left`` is
        empty when every file is verifiably gone, ``name`` the subject's stored spelling (``Anna`` for
        ``anna``: said so; stop 64).  The database is then
        checkpointed and vacuumed so the deleted rows do not linger in it.
        """
        sid = self.subject_id(name)  # StoreError when unknown
        stored = self.con.execute("SELECT name FROM subjects WHERE id = ?", (sid,)).fetchone()[0]
        files: list[str] = []
        for sid in self._subject_ids(name):
            files += self._delete_subject_rows(sid)
        self.compact()
        left = [f for f in files if (self.dir / f).exists()]
        return {"photos": len(files), "files_left": left, "name": stored}

    def remove_photo(self, photo_id: int) -> dict:
        """Remove one stored photo: its row, its copy, its measurements (unless another stored photo is the
        same copy) and the cached comparisons of its subject and pooled ones (as :meth:`delete_subject`: a
        cached comparison is keyed by a hash of its photos', so those of this photo cannot be told apart; the
        next report compares the others again and gives the same results); the roles of its session's other
        photos are set again (:meth:`_set_roles`: the session's time may be read otherwise without it).  Nothing
        else of the study changes (its subject and session stay, also when it was their last photo).

        A photo whose measuring crashes the face finder, stored before it was measured (the app's *My study*
        page measures in a worker process that the crash ends), is one the user can then remove.

        Returns ``{"name": the user's file name, "files_left": [...]}``; ``files_left`` is empty when the copy
        is verifiably gone.  The database is then checkpointed and vacuumed (:meth:`compact`).

        Raises
        ------
        StoreError
            No photo ``photo_id`` in the store.
        """
        with self.transaction() as con:
            p = con.execute("SELECT file, file_sha256, original_name, session_id, subject_id FROM photos "
                            "WHERE id = ?", (int(photo_id),)).fetchone()
            if p is None:
                raise StoreError(f"no photo with id {photo_id}")
            con.execute("DELETE FROM photos WHERE id = ?", (int(photo_id),))
            if not con.execute("SELECT 1 FROM photos WHERE file_sha256 = ?", (p["file_sha256"],)).fetchone():
                con.execute("DELETE FROM analyses WHERE photo_sha256 = ?", (p["file_sha256"],))
            con.execute("DELETE FROM comparisons WHERE subject_id = ? OR subject_id IS NULL", (p["subject_id"],))
            if p["session_id"] is not None:
                self._set_roles(con, int(p["session_id"]))
        if not self.con.execute("SELECT 1 FROM photos WHERE file = ?", (p["file"],)).fetchone():
            (self.dir / p["file"]).unlink(missing_ok=True)
        self.compact()
        left = [p["file"]] if (self.dir / p["file"]).exists() else []
        return {"name": p["original_name"], "files_left": left}

    def _delete_subject_rows(self, sid: int) -> list[str]:
        """Delete one subject row and everything of it (see :meth:`delete_subject`); its photo files."""
        with self.transaction() as con:
            files = [r[0] for r in con.execute("SELECT file FROM photos WHERE subject_id = ?", (sid,))]
            shas = [r[0] for r in con.execute("SELECT file_sha256 FROM photos WHERE subject_id = ?", (sid,))]
            con.execute("DELETE FROM photos WHERE subject_id = ?", (sid,))
            for sha in shas:
                if not con.execute("SELECT 1 FROM photos WHERE file_sha256 = ?", (sha,)).fetchone():
                    con.execute("DELETE FROM analyses WHERE photo_sha256 = ?", (sha,))
            # comparisons of this subject, and pooled ones (subject unknown: they may involve it)
            con.execute("DELETE FROM comparisons WHERE subject_id = ? OR subject_id IS NULL", (sid,))
            con.execute("DELETE FROM sessions WHERE subject_id = ?", (sid,))
            con.execute("DELETE FROM subjects WHERE id = ?", (sid,))
        for f in files:
            (self.dir / f).unlink(missing_ok=True)
        shutil.rmtree(self.dir / PHOTO_DIR / str(sid), ignore_errors=True)
        return files

    def compact(self) -> None:
        """Checkpoint the WAL into the database, truncate it and VACUUM (no deleted data left behind)."""
        self.con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        try:
            self.con.execute("VACUUM")
        except sqlite3.OperationalError:  # another connection is reading: secure_delete already zeroed the rows
            pass
        self.con.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def check(self) -> list[str]:
        """Consistency problems (empty list when consistent): SQLite integrity, foreign keys,
        photo rows whose file is missing or altered."""
        problems = []
        ok = self.con.execute("PRAGMA integrity_check").fetchone()[0]
        if ok != "ok":
            problems.append(f"integrity_check: {ok}")
        for r in self.con.execute("PRAGMA foreign_key_check"):
            problems.append(f"foreign key: {tuple(r)}")
        for r in self.con.execute("SELECT id, file, file_sha256 FROM photos"):
            path = self.dir / r["file"]
            if not path.is_file():
                problems.append(f"photo {r['id']}: file {r['file']} missing")
            elif _sha256(path.read_bytes()) != r["file_sha256"]:
                problems.append(f"photo {r['id']}: file {r['file']} altered")
        return problems

    def gc(self) -> list[str]:
        """Remove photo files no row refers to (left by a process killed between the file and the row).

        Run it only while no other process is adding photos: a photo being
        added has its file written before its row, and is measured in between
        (seconds: :meth:`add_photos` measures before it stores), so its copy
        would be removed and its row then name a missing file.
        """
        known = {r[0] for r in self.con.execute("SELECT file FROM photos")}
        removed = []
        root = self.dir / PHOTO_DIR
        if root.is_dir():
            for f in sorted(root.rglob("*")):
                rel = f.relative_to(self.dir).as_posix()
                if f.is_file() and rel not in known:
                    f.unlink(missing_ok=True)
                    removed.append(rel)
        return removed

    # ---- report: the store as a batch run -------------------------------------

    def manifest(self, subject: str | None = None, *, folder=None) -> tuple[Path | None, pd.DataFrame]:
        """The store's photos as a :mod:`facemetrics.batch` manifest, named as the user named them.

        The ``photo`` column is the file name the user gave (:func:`~facemetrics.naming.photo_labels`:
        ``IMG_0001.jpg``, below the subject's name when ``subject`` is None; names made unique),
        so every table and report names the photos that way, never by the stored copies' hash
        names.  ``folder`` (made anew, e.g. in the report's ``.cache``) gets a symbolic link (a
        copy where links cannot be made) to each stored copy under that name; remove it when
        done (the report does).  Without ``folder`` nothing is written.

        Returns ``(folder, table)``: the folder the ``photo`` paths are relative to (None without
        ``folder``) and the manifest (``photo, subject, treatment, taken_at, treated_at``).
        Every photo of a session has the session's one ``treated_at`` (and treatment and subject
        spelling, :meth:`photos`), so the report times them all from one reference.  No photos:
        an empty table and nothing written.

        Raises
        ------
        StoreError
            ``subject`` is not in the store.
        """
        if subject is not None:
            self.subject_id(subject)  # StoreError when unknown
        folder = Path(folder) if folder is not None else None
        return folder, self._manifest_of(self.photos(subject), subject is None, folder)

    def _manifest_of(self, df: pd.DataFrame, pooled: bool, folder: Path | None) -> pd.DataFrame:
        """:meth:`manifest` of the photos ``df`` (:meth:`photos`), linked into ``folder`` (when given)."""
        labels = photo_labels(df, pooled=pooled)
        table = pd.DataFrame({
            "photo": labels, "subject": df["subject"],
            "treatment": df["treatment"], "taken_at": df["taken_at"], "treated_at": df["treated_at"],
        })
        if df.empty or folder is None:
            return table
        shutil.rmtree(folder, ignore_errors=True)
        for label, file in zip(labels, df["file"]):
            link, src = folder / disk_name(label), os.path.abspath(self.dir / file)
            link.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.symlink(src, link)
            except OSError:  # no symbolic links here (Windows without the right to make them)
                try:
                    shutil.copyfile(src, link)
                except OSError:  # the stored copy is missing (see check()): the batch reports the photo
                    pass
        return table

    def report(self, out_dir, subject: str | None = None, *, workers: int | None = 1, n_boot: int = 400,
               seed: int = 0, min_effect: float | None = None, progress: bool = False, batch_done=None,
               force: bool = False, fits_done=None, figures: bool = True, time_zone=None, fit_progress=None):
        """Write the study's ``photos.csv``, ``changes.csv``, ``long.csv``, ``timeline.csv``,
        ``timeline.png`` and ``report.md`` (and the regimen, see :mod:`facemetrics.regimen`) into
        ``out_dir``, with :func:`facemetrics.batch.run_batch` and
        :func:`facemetrics.batch.run_timeline`.  Measurements and comparisons
        already in the store are reused, new ones stored.

        Parameters
        ----------
        out_dir : path-like
            The report's folder.
        subject : str, optional
            One subject's photos; default every subject's, pooled.
        workers, n_boot, seed, min_effect, progress
            As ``facemetrics study report`` takes them (:func:`~facemetrics.batch.run_batch`,
            :func:`~facemetrics.batch.run_timeline`).
        batch_done : callable, optional
            Called as ``batch_done(batch, regimen)`` (the :class:`~facemetrics.batch.BatchResult` of
            the batch and of its regimen batch, None when there is none) once both ran, before the
            fits and before a "no changes to fit yet" refusal: ``study report`` prints their notes
            from it, as ``batch`` does (they may say why there is nothing to fit).
        force : bool
            Replace files of the outputs' names that facemetrics did not write (``--force``).
        fits_done : callable, optional
            Passed to :func:`~facemetrics.batch.run_timeline`: called with the
            :class:`~facemetrics.batch.timeline.TimelineFits` its figures were drawn from (the app's *My study*
            draws them again at a phone's width).
        figures : bool
            Passed to :func:`~facemetrics.batch.run_timeline`: False writes no ``timeline.png`` nor
            ``regimen.png`` (the app's *My study* draws them for its ZIP only, from ``fits_done``'s fits:
            :meth:`~facemetrics.batch.timeline.TimelineFits.figure_files`).
        time_zone : str or tzinfo, optional
            Passed to :func:`~facemetrics.batch.run_batch` (``--time-zone``): the stored times without a UTC offset
            read in it, the UTC ones converted into it, in the report only (the store is not changed).
        fit_progress : callable, optional
            Passed to :func:`~facemetrics.batch.run_timeline` as its ``progress``: called as ``fit_progress(done,
            total)`` after each decay series is fitted (``study report`` prints a few lines from it on a long study).

        Returns
        -------
        (BatchResult, pandas.DataFrame)
            The batch result and the timeline table.

        Raises
        ------
        facemetrics.errors.SettingError
            ``workers`` not a whole number of at least 1 (before anything is read or written); ``out_dir``
            holds a file of an output's name that facemetrics did not write, and not ``force``
            (:class:`facemetrics.outputs.OverwriteRefused`, before anything is read or written).
        facemetrics.decay.SeriesError
            ``n_boot`` neither 0 nor at least 50, ``seed`` not a whole number, or ``min_effect``
            not a finite number of at least 0 (before anything is read or written).
        StoreError
            No photos, or no changes to fit yet.
        """
        from .batch import check_run_settings, run_batch, run_timeline
        from .batch.runner import TIMELINE_OUTPUTS, Provenance, run_outputs
        from .decay.bootstrap import check_settings
        from .outputs import refuse_foreign_outputs
        from .decay.margin import check_min_effect
        from .regimen import run_regimen_batch

        check_run_settings(workers=workers)
        check_settings(0.9, n_boot, seed)  # said before the batches run (minutes), not by the fits after them
        check_min_effect(min_effect)
        out_dir = Path(out_dir)
        refuse_foreign_outputs(out_dir, run_outputs() + TIMELINE_OUTPUTS, force=force, command="study report")
        cache = out_dir / ".cache"
        sid = self.subject_id(subject) if subject is not None else None  # StoreError when unknown
        folder, photos = cache / "store_photos", self.photos(subject)
        table = self._manifest_of(photos, subject is None, folder)
        if table.empty:
            raise StoreError(f"no photos in the store {self.dir}" + (f" for {subject!r}" if subject else ""))
        try:
            # measurements made when the photos were added name the stored copies: named as the user's files
            self._seed_cache(cache, dict(zip(photos["file_sha256"], (Path(p).name for p in table["photo"]))))
            manifest = cache / "store_manifest.csv"
            table.to_csv(manifest, index=False, lineterminator="\n")
            # where each stored time came from (photos.csv said `manifest` for every stored photo), and the loader's
            # note kept with it (which frame of a file of several was stored: measuring the copy no longer says so)
            given = {p: Provenance(src, note) for p, src, note in
                     zip(table["photo"], photos["taken_at_source"], photos["note"])}
            res = run_batch(folder, out_dir, manifest=manifest, workers=workers, progress=progress, force=force,
                            provenance=given, time_zone=time_zone)
            reg = run_regimen_batch(folder, out_dir, res.photo_rows, workers=workers, progress=progress,
                                    cache_from=cache, force=force, provenance=given)
        finally:  # the links (or copies) named by the user's file names: not left beside the report
            shutil.rmtree(folder, ignore_errors=True)
        self._ingest_cache(cache, sid)
        self._ingest_cache(out_dir / "regimen" / ".cache", sid)
        if batch_done is not None:
            batch_done(res, reg)
        if res.long.empty:
            refused = [r for r in res.change_rows if r.get("status") in ("refused", "error")]
            if refused and len(refused) == len(res.change_rows):
                # a session with a before and an after photo whose one comparison was refused (two different
                # people) was told it needed a before and an after photo (u4's audit of a real study, stop 54)
                from .batch.console import refusal_gist

                n, why = len(refused), "; ".join(dict.fromkeys(refusal_gist(r) for r in refused))
                raise StoreError(f"no changes to fit yet: {'the' if n == 1 else f'all {n}'} comparison"
                                 f"{'' if n == 1 else 's'} with a before photo {'was' if n == 1 else 'were'} "
                                 f"refused or failed ({why}), as changes.csv's status and messages say in full, with what "
                                 f"to do (photos.csv, changes.csv and long.csv written to {out_dir})")
            # the tables the batch wrote, named as they are (said "photos.csv" alone beside changes.csv and long.csv:
            # a newcomer's walk, stop 66)
            from .listing import join_words

            written = join_words(f for f in ("photos.csv", "changes.csv", "long.csv") if (out_dir / f).is_file())
            raise StoreError(f"no changes to fit yet ({written or 'nothing'} written to {out_dir}): each session "
                             "needs a measurable photo taken before its treatment and one after it")
        _, tl = run_timeline(out_dir, n_boot=n_boot, seed=seed, min_effect=min_effect, force=force,
                             fits_done=fits_done, figures=figures, progress=fit_progress)
        return res, tl

    def _seed_cache(self, cache: Path, names: dict[str, str] | None = None) -> None:
        """Write the store's measurements and comparisons of this version into a batch ``.cache``.

        ``names``: ``{stored copy's SHA-256: the user's file name}``; a measurement whose error
        names the stored copy (``3fa4....jpg: no face found``, measured when it was added) names
        the user's file instead (an entry an earlier report left there that differs is rewritten).
        """
        from .export import atomic_write

        names = names or {}
        for r in self.con.execute("SELECT photo_sha256, settings_key, row_json FROM analyses "
                                  "WHERE facemetrics_version = ?", (__version__,)):
            text = r[2]
            if r[0] in names:
                row = json.loads(text)
                if _STORED_LABEL.match(str(row.get("error") or "")):
                    row["error"] = _relabel(row["error"], names[r[0]])
                    text = json.dumps(row, sort_keys=True, allow_nan=False)
            f = cache / "photo" / f"{r[0]}-{r[1]}.json"
            if not f.exists() or (text != r[2] and f.read_text(encoding="utf-8") != text):
                atomic_write(f, lambda fh, t=text: fh.write(t.encode("utf-8")))
        for r in self.con.execute("SELECT cache_key, result_json FROM comparisons WHERE facemetrics_version = ?",
                                  (__version__,)):
            f = cache / "compare" / f"{r[0]}.json"
            if not f.exists():
                atomic_write(f, lambda fh, t=r[1]: fh.write(t.encode("utf-8")))

    def _ingest_cache(self, cache: Path, subject_id: int | None) -> None:
        rows_a, rows_c = [], []
        for f in sorted((cache / "photo").glob("*.json")):
            sha, _, skey = f.stem.rpartition("-")
            try:
                row = json.loads(f.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            rows_a.append((sha, __version__, skey,
                           str(row.get("status") or ""), json.dumps(row, sort_keys=True), _now()))
        for f in sorted((cache / "compare").glob("*.json")):
            try:
                text = f.read_text(encoding="utf-8")
                json.loads(text)
            except (OSError, ValueError):
                continue
            rows_c.append((f.stem, __version__, "", subject_id, text, _now()))
        with self.transaction() as con:
            con.executemany("INSERT OR IGNORE INTO analyses (photo_sha256, facemetrics_version, settings_key, "
                            "status, row_json, created_at) VALUES (?, ?, ?, ?, ?, ?)", rows_a)
            con.executemany("INSERT OR IGNORE INTO comparisons (cache_key, facemetrics_version, settings_key, "
                            "subject_id, result_json, created_at) VALUES (?, ?, ?, ?, ?, ?)", rows_c)
