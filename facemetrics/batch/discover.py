"""Finding a study's photos and their metadata: the folder convention, manifests, times.
"""

from __future__ import annotations

import difflib
import io
import math
import os
import posixpath
import re
import unicodedata
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path

from ..errors import FacemetricsError, legible
# the file endings treated as photos when a folder is searched, here and by the ``analyze``/``quality``
# commands (:func:`find_study_photos` is the one finder): the endings of the formats the loader opens
# (``schema.PHOTO_FORMATS``, the one list); a file given directly by name (on the command line or in a
# manifest) is read whatever its ending
from ..export import PNG_MARK
from ..outputs import HEAD_BYTES
from ..schema import PHOTO_SUFFIXES
from ..timekeys import hours_between, name_key, parse_time, since_text  # the one time and name rule (re-exported here)
from ..timekeys import utc_instant  # a time in UTC with Z (a sidecar's, a Pixel's name): no local offset known
from ..timekeys import in_zone, zone_text  # a time read in the zone the user states (--time-zone)
from ..timekeys import clock_change_text  # an hour the zone's clock change repeats or skips: said
from ..timekeys import offset_not_zone  # a time whose own UTC offset the zone does not give: said (stop 62)
from ..timekeys import one_line  # a name's line breaks and control characters: a space (stop 64)
from ..timekeys import offset_text  # a UTC offset as written, "+01:00" (the one formatter)
from ..sidecar import is_sidecar  # IMG_1.jpg.json beside IMG_1.jpg: read for its time, not "a file not read"
from ..timekeys import read_time_column  # a manifest column's year-last dates (24/11/2026 9:00), in its order
from ..timekeys import read_lone_time  # one such date alone (treated_at.txt): read when it tells its order itself
from ..timekeys import ambiguous_time, meant_in, time_meant, twelve_hour_dot_time  # a time refused: why, with the time meant


#: name of the per-session treatment-time file of the folder convention
TREATED_AT_FILE = "treated_at.txt"

#: a manifest ``taken_at`` further than this from the photo's own EXIF capture time is named (a note in
#: the photo's ``warnings`` and on the console, :func:`manifest_time_notes`); the manifest's is used, min
MANIFEST_EXIF_MINUTES = 5.0

# a UTC offset at the end of a time (``Z``, ``+01:00``, ``-0530``, ``+01``)
_OFFSET_SUFFIX = re.compile(r"(?:Z|[+-]\d{2}(?::?\d{2})?)$", re.IGNORECASE)


#: :attr:`Reason.code` of a photo of the folder that the given manifest does not list
NOT_LISTED = "not_in_manifest"
#: ... of a manifest row whose photo is not in the study folder
NOT_FOUND = "listed_not_found"
#: ... of a manifest time written with a dot after the hours or the minutes (``08.20``, ``8.20pm``)
TIME_DOTTED = "manifest_time_dotted"
#: ... of a manifest time that is not read otherwise (``noon``, ``2026-12-02 9am``)
TIME_UNREAD = "manifest_time_unread"
#: ... of a measured photo with no capture time (no EXIF time, none in its file name or the manifest)
NO_TIME = "no_capture_time"
#: ... of a photo not measured (its ``status`` and ``error`` in photos.csv say why)
NOT_MEASURED = "not_measured"
#: ... of a photo whose comparison was refused (its row of changes.csv has status ``refused``: the photos
#: cannot be compared as taken; its ``messages`` say why and what to retake)
COMPARISON_REFUSED = "comparison_refused"
#: ... of a photo whose comparison failed (status ``error`` in changes.csv; its ``messages`` name the error)
COMPARISON_FAILED = "comparison_error"
#: ... of any other reason, said by its ``text`` alone (no baseline in the session, a copy of another
#: photo, a time in treated_at.txt not read, ...): one reason whole, though its text may hold "; "
OTHER = "other"


@dataclass(frozen=True)
class Reason:
    """One reason, machine-readable, that a photo is left out: what discover or the batch decided, with
    the fields it decided on, and ``text``, its words in photos.csv's ``excluded`` (and the
    :attr:`PhotoEntry.note`).  The console's lines (:mod:`facemetrics.batch.console`) are built from the
    code and fields, never from ``text`` (but a reason of code :data:`OTHER`, which has no other).

    Attributes
    ----------
    code : str
        What kind: :data:`NOT_LISTED`, :data:`NOT_FOUND`, :data:`TIME_DOTTED`, :data:`TIME_UNREAD`,
        :data:`NO_TIME`, :data:`NOT_MEASURED`, :data:`COMPARISON_REFUSED`, :data:`COMPARISON_FAILED`,
        :data:`OTHER` (its ``text`` alone).
    text : str
        The reason as photos.csv writes it.
    manifest : str
        The manifest's path as given ("" for a reason of no manifest).
    row : int
        The manifest's line number (header = 1); 0 for none.
    column : str
        The manifest's column (``taken_at``, ``treated_at``); "" for none.
    value : str
        The time as the reason quotes it (stripped; a time not read: its first 60 characters).
    reading : str
        A time not read: the time(s) it would be, written as the forms read it, as
        :func:`facemetrics.timekeys.meant_in` quotes it (``"(if 09:30 was meant: 2026-11-02T09:30)"``;
        two readings for a day and month that can be swapped); "" when none can be said (``08:20.5``,
        ``yesterday``).  A row whose photo is not found (:data:`NOT_FOUND`): the file it likely means
        (:func:`likely_file`), ``"(the folder has 'img_1.jpg', not listed: its name in another case?)"``, or "".
    """

    code: str
    text: str
    manifest: str = ""
    row: int = 0
    column: str = ""
    value: str = ""
    reading: str = ""


@dataclass(frozen=True)
class Excluded:
    """A photo left out of a batch's changes (:attr:`facemetrics.batch.BatchResult.excluded`).

    Attributes
    ----------
    photo : str
        Its path relative to the study folder, as photos.csv writes it.
    text : str
        Why, as photos.csv's ``excluded`` says it (reasons joined with "; ").
    reasons : tuple of Reason
        The reasons of ``text``, in its order, with their fields: a batch's photos have each reason
        of ``text`` as one (their texts joined with "; " are ``text``; of code :data:`OTHER` when the
        console names it by its text alone), so that no reason is split where its own text holds "; "
        (a time written with a dot: "...; accepted: ..."); a comparison refused or failed, one of code
        :data:`COMPARISON_REFUSED` or :data:`COMPARISON_FAILED` (its text: "comparison refused: " and the
        comparison's messages joined with "; ").
    """

    photo: str
    text: str
    reasons: tuple = ()


@dataclass
class PhotoEntry:
    """One photo of the study and its metadata (times are ISO 8601 strings or "").  ``reasons`` are the
    :class:`Reason` s behind ``note`` that the console names (a manifest that does not fit the folder);
    ``note`` is their texts joined with "; " (or another note of no such reason)."""

    path: Path
    photo: str
    subject: str = ""
    treatment: str = ""
    taken_at: str = ""
    treated_at: str = ""
    note: str = ""
    sha256: str = ""
    reasons: tuple = ()


def find_study_photos(folder: Path) -> list[Path]:
    """Photos below ``folder`` (recursive), sorted: the one photo finder of the package.

    A photo is anything but a folder (a file; a symlink, even dangling or
    looping; a named pipe, device or socket: these get an ``unreadable`` row,
    :func:`facemetrics.loader.check_regular_file`, and are never opened) whose
    suffix is in :data:`PHOTO_SUFFIXES`, case ignored.  A folder named like a
    photo (``x.jpg/``) that holds no photo is listed too (:func:`photo_named_folder`),
    so that it gets the row ``x.jpg: is a folder, not a photo`` (``unreadable``)
    instead of being passed over as an empty folder; one that holds photos is a
    folder like any other (its photos are listed).  Anything with a hidden
    part in its path below ``folder`` (a
    name starting with ``.``: ``.DS_Store``, ``.git/``, the output's
    ``.cache/``) is skipped.  Used by ``batch`` and by the CLI's folder
    arguments (``analyze``, ``quality``).
    """
    # dangling or looping symlinks, FIFOs and devices are kept: they get an "unreadable" row like any bad file;
    # a PNG facemetrics wrote (an overlay, a plot) is no photo: `analyze DIR --overlays DIR/out` measured its
    # own overlays on the next run (a first-time user's session, 2026-12-05)
    return [f for f in _visible(folder) if (_not_a_folder(f) or photo_named_folder(f))
            and f.suffix.lower() in PHOTO_SUFFIXES and not facemetrics_png(f)]


def photo_named_folder(path: Path) -> bool:
    """Is ``path`` a folder (not a symlink to one) whose name ends like a photo (``x.jpg/``,
    :data:`PHOTO_SUFFIXES`) and below which :func:`find_study_photos` finds no photo?  Such a folder
    was taken for an empty folder, silently (bad-input audit h6, 2026-12-05); it is a photo's path that
    names a folder, and gets the loader's ``is a folder, not a photo`` row."""
    path = Path(path)
    return (path.suffix.lower() in PHOTO_SUFFIXES and not path.is_symlink() and os.path.isdir(path)
            and not find_study_photos(path))


def facemetrics_png(path: Path) -> bool:
    """Is ``path`` a PNG that facemetrics wrote (an overlay, ``timeline.png``, ``aligned_after.png``, ...:
    its ``Software`` text chunk, :data:`facemetrics.export.PNG_MARK`, which :func:`facemetrics.export.write_png`
    puts right after the header)?  Never a photo to measure; False for anything else or unreadable."""
    if path.suffix.lower() != ".png" or path.is_symlink() or not path.is_file():
        return False
    try:
        with open(path, "rb") as fh:
            head = fh.read(HEAD_BYTES)  # where `outputs` looks for the mark
    except OSError:
        return False
    return head.startswith(b"\x89PNG\r\n\x1a\n") and PNG_MARK in head


def _not_a_folder(path: Path) -> bool:
    """Is ``path`` a file, a symlink (to anything, or dangling) or a special file (FIFO, device,
    socket), i.e. an entry that is not a folder? (``Path.is_file`` is False for a FIFO, which a
    folder search then skipped silently.)"""
    return path.is_symlink() or (path.exists() and not path.is_dir())


def other_files(folder: Path) -> list[Path]:
    """The visible files below ``folder`` that :func:`find_study_photos` does not take (their ending
    is not in :data:`PHOTO_SUFFIXES`), sorted, so that a command can say what it left unread.  A symbolic
    link to a file is such a file too (it was passed over silently: stop 54); a broken one is in
    :func:`broken_links`."""
    return [f for f in _visible(folder) if f.is_file()
            and (f.suffix.lower() not in PHOTO_SUFFIXES or facemetrics_png(f))]


def broken_links(folder: Path) -> list[Path]:
    """The visible symbolic links below ``folder`` that lead nowhere (dangling, or a loop) and whose ending is not
    a photo's, sorted: :func:`find_study_photos` does not take them, and they were passed over silently while
    ``Thumbs.db`` was named and a broken ``x.jpg`` got its ``unreadable`` row (stop 54's first-user audit)."""
    return [f for f in _visible(folder) if f.is_symlink() and not os.path.exists(f)
            and f.suffix.lower() not in PHOTO_SUFFIXES]


def _visible(folder: Path) -> list[Path]:
    """Every path below ``folder``, sorted, without those with a hidden part (``.DS_Store``, ``.git/``,
    the output's ``.cache/``): :func:`_walk`'s."""
    return _walk(folder)[0]


def _walk(folder: Path) -> tuple[list[Path], list[Path], list[tuple[Path, str]]]:
    """``(paths, unread, links)`` below ``folder``: every visible path (no hidden part), sorted, searched through
    symbolic links to folders outside ``folder`` too (a subject's folder linked in from elsewhere), each such folder
    once; ``unread`` the folders that could not be listed (no read permission), ``links`` ``(link, why)`` of the
    links to folders not followed: one to a folder that holds it (``loop -> ..``) or holds ``folder`` (``up ->
    ../..``: it searched the folders around ``folder``), one to a folder inside ``folder`` (searched in its own place)
    and one to a folder outside that an earlier link (in name order) led to (review r3: every path to a folder was
    followed, so a photo was found once per path: seven subject folders linked to each other found 95 900).
    ``Path.rglob`` passed over loops and unlistable folders without a word, and did not follow a link to a
    folder, so its photos were left out silently (stop 65's fifth look)."""
    paths: list[Path] = []
    unread: list[Path] = []
    links: list[tuple[Path, str]] = []
    root = os.path.realpath(folder)
    outside: dict[str, Path] = {}  # the real folder each link followed leads to: the link

    def within(path: str, top: str) -> bool:
        return path == top or path.startswith(top.rstrip(os.sep) + os.sep)

    def visit(here: Path, above: tuple[str, ...]) -> None:
        try:
            entries = sorted(here.iterdir())
        except OSError:  # PermissionError, a folder removed meanwhile, a name too long
            unread.append(here)
            return
        for entry in entries:
            if entry.name.startswith("."):
                continue
            paths.append(entry)
            if not os.path.isdir(entry):
                continue
            real = os.path.realpath(entry)
            first = next((link for top, link in outside.items() if within(real, top)), None)
            if real in above or within(root, real):  # a link back into a folder that holds it: never ends
                links.append((entry, "a link back to a folder above it"))
            elif os.path.islink(entry) and within(real, root) and not any(  # a hidden folder is searched nowhere
                    part.startswith(".") for part in Path(os.path.relpath(real, root)).parts):
                links.append((entry, f"a link to {legible(os.path.relpath(real, root))}, searched in its own place"))
            elif os.path.islink(entry) and first is not None:
                links.append((entry, f"a link to the folder {legible(first.relative_to(folder).as_posix())} leads "
                                     "to, searched there"))
            else:
                if os.path.islink(entry):
                    outside[real] = entry
                visit(entry, above + (real,))

    visit(Path(folder), (root,))
    return sorted(paths), unread, links


def folders_not_searched(folder: Path) -> list[tuple[Path, str]]:
    """``(path, why)`` of the folders below ``folder`` (``folder`` itself too) whose photos were not searched: one
    that cannot be listed ("no permission to list it", or the system's reason) and a symbolic link to a folder not
    followed ("a link back to a folder above it", "a link to S02, searched in its own place", "a link to the folder
    S1 leads to, searched there"), sorted (:func:`_walk`)."""
    _, unread, links = _walk(folder)
    out = []
    for path in unread:
        try:
            os.listdir(path)
            why = "it could not be listed"
        except PermissionError:
            why = "no permission to list it"
        except OSError as exc:
            why = exc.strerror or type(exc).__name__
        out.append((path, why))
    return sorted(out + links)


def skipped_note(folders, read=(), outputs=None) -> str:
    """``"; 2 other files not read (not a photo by their ending: notes.txt, S01/rf/scan.pdf)"``, or ""
    when the folders hold nothing else: the end of a command's summary line.  ``folders``: the inputs
    as given (files among them are passed over); each file is named by its path relative to its folder,
    after the folder's own name when several inputs are given, as ``analyze`` labels its photos
    ("treated_at.txt, treated_at.txt" named no folder; CLI audit b).  ``read``: file names the
    command reads itself, not named (``batch``: ``treated_at.txt``); ``outputs``: the command's output
    folder, whose files (``photos.csv``, ... when it is inside a folder given) are not named either.  A broken
    symbolic link not named like a photo is named last (``"; 1 broken symbolic link not read (leading to no file:
    link)"``, :func:`broken_links`); one named like a photo has its ``unreadable`` row.  A Google Photos sidecar
    beside its photo (``IMG_1.jpg.json``) is read for its time (:mod:`facemetrics.sidecar`) and not named."""
    several = len(folders) > 1
    out = Path(outputs).resolve() if outputs is not None else None
    # names shown legibly (errors.legible): a newline or a byte that is not UTF-8 as everywhere (stop 63)
    others = [legible((d.resolve().name + "/" if several else "") + f.relative_to(d).as_posix())
              for d in map(Path, folders) if os.path.isdir(d) for f in other_files(d)  # never raises (a name too long)
              if f.name not in read and (out is None or out not in f.resolve().parents) and not is_sidecar(f)]
    broken = [legible((d.resolve().name + "/" if several else "") + f.relative_to(d).as_posix())
              for d in map(Path, folders) if os.path.isdir(d) for f in broken_links(d) if f.name not in read]
    unsearched = [legible((d.resolve().name + "/" if several else "") + (f.relative_to(d).as_posix() if f != d
                                                                         else d.name or str(d))) + f" ({why})"
                  for d in map(Path, folders) if os.path.isdir(d) for f, why in folders_not_searched(d)]
    ours = [name for name in others if Path(name).suffix.lower() in PHOTO_SUFFIXES]  # facemetrics' own PNGs
    others = [name for name in others if name not in ours]
    note = ""
    if others:
        names = ", ".join(others[:5]) + (", ..." if len(others) > 5 else "")
        n = len(others)
        note = (f"; {n} other file{'s' if n != 1 else ''} not read (not a photo by {'their' if n != 1 else 'its'} "
                f"ending: {names})")
    if ours:
        names = ", ".join(ours[:3]) + (", ..." if len(ours) > 3 else "")
        note += f"; {len(ours)} PNG{'s' if len(ours) != 1 else ''} that facemetrics wrote not read ({names})"
    if broken:
        names = ", ".join(broken[:5]) + (", ..." if len(broken) > 5 else "")
        n = len(broken)
        note += (f"; {n} broken symbolic link{'s' if n != 1 else ''} not read (leading to no file: {names})")
    if unsearched:
        n = len(unsearched)
        note += (f"; {n} folder{'s' if n != 1 else ''} not searched for photos: " + ", ".join(unsearched[:5])
                 + (", ..." if n > 5 else ""))
    return note


def canonical_time(text) -> str:
    """A time as one text per instant it names, so that two spellings of one treatment time are one
    session everywhere its text is compared (the batch's tables, ``long.csv``, the timeline's
    sessions): ISO 8601 ``YYYY-MM-DDTHH:MM:SS`` (a fraction of a second when not 0), with the UTC
    offset as given (``Z`` written ``+00:00``), none when none is given: ``datetime.isoformat``, as
    the capture times (``taken_at``), the study store and the simulated studies write times.
    ``2026-05-01 08:00``, ``2026-05-01T08:00`` and ``2026:05:01 08:00:00`` read
    ``2026-05-01T08:00:00``; ``2026-05-01T08:00Z`` reads ``2026-05-01T08:00:00+00:00``.  A text that
    is not such a time (empty, invalid, or a date alone, which the batch refuses with the text as
    given, also with an offset: ``2026-05-01Z``) is returned stripped; None or NaN (an empty cell
    read by pandas) is ``""``.

    Parameters
    ----------
    text : str, float or None
        The time as written (a manifest cell, ``treated_at.txt``).

    Returns
    -------
    str
    """
    if text is None or (isinstance(text, float) and math.isnan(text)):  # an empty manifest cell
        return ""
    s = str(text).strip()
    t = parse_time(s)
    # not a time, or a date alone (an offset after it, 2026-05-01Z, does not make it one): kept as
    # written, so that the batch's message quotes it
    if t is None or len(_OFFSET_SUFFIX.sub("", s)) <= 10:
        return s
    return t.isoformat()


def _session_name(entry: PhotoEntry) -> str:
    """How a console note names an entry's session: "S01, microcurrent, treated 2026-12-01T08:00"."""
    return (f"{entry.subject or '(no subject)'}, {entry.treatment or '(no treatment)'}, "
            f"treated {entry.treated_at}")


def _after(hours: float) -> str:
    """``"2.0 h after"`` / ``"30 min before"`` (:func:`facemetrics.timekeys.since_text`, the one formatter)."""
    return f"{since_text(hours)} {'before' if hours < 0 else 'after'}"


def _timed(text) -> datetime | None:
    """A time with a time of day (:func:`parse_time`), or None (empty, invalid, or a date alone:
    those photos are excluded for it by the batch)."""
    t = parse_time(text)
    return t if t is not None and len(str(text).strip()) > 10 else None


def times_in_zone(entries: list[PhotoEntry], taken: dict, zone) -> tuple[list[PhotoEntry], list[str]]:
    """Every time of the batch without a UTC offset read in the time zone the user stated, and every UTC time
    converted into it (``--time-zone``; :func:`facemetrics.timekeys.in_zone`), before the offset rules
    (:func:`offset_free_treatment`, :func:`offset_free_times`), which then find each time with its offset.

    Without a zone the offset rules guess from the session's photos, or leave a photo out: a Pixel's UTC name in a
    session whose treatment time and other photos carry no offset could not be placed (stop 60).  With one, each
    offset-free time is read at its own date (``Europe/London``: +01:00 before 2026-10-25, +00:00 after), a time
    with the camera's own offset is kept as it is.

    Parameters
    ----------
    entries : list of PhotoEntry
        The batch's photos (:func:`discover`); an entry's own ``taken_at`` (manifest) is its time.
    taken : dict
        ``{index in entries: capture time text read from the photo (EXIF, else its sidecar's or file name's),
        ISO 8601 or ""}``.
    zone : tzinfo or None
        :func:`facemetrics.timekeys.read_time_zone`'s; None: ``entries`` as they are, no note.

    Returns
    -------
    entries : list of PhotoEntry
        New entries whose ``taken_at`` or ``treated_at`` was read in the zone (the others are the same objects).
    notes : list of str
        One console line saying how many times were read in the zone, or [].
    """
    if zone is None:
        return list(entries), []
    out, n_local, n_utc, treated = list(entries), 0, 0, set()
    for i, e in enumerate(entries):
        text = e.taken_at or taken.get(i) or ""
        if e.note:  # left out (not in the manifest, ...): its time read in the zone too, as photos.csv shows it beside
            when = in_zone(text, zone)  # the others' (it kept the time as written; stop 62), not counted in the note
            out[i] = replace(e, taken_at=when) if when != text else e
            continue
        when, at = in_zone(text, zone), in_zone(e.treated_at, zone)
        if when != text:
            n_utc += utc_instant(text)
            n_local += not utc_instant(text)
        if at != e.treated_at:
            treated.add(at)
        if when != text or at != e.treated_at:
            out[i] = replace(e, taken_at=when if when != text else e.taken_at, treated_at=at)
    if not (n_local or n_utc or treated):
        return out, _zone_not_used(entries, taken, zone)
    parts = [f"{n} {what}{'s' if n != 1 else ''}" for n, what in (
        (len(treated), "treatment time"), (n_local, "capture time")) if n]
    said = f"{' and '.join(parts)} without a UTC offset read in it" if parts else ""
    utc = f"{n_utc} UTC capture time{'s' if n_utc != 1 else ''} (a Pixel's file name, a Google Photos sidecar) " \
          f"converted into it" if n_utc else ""
    return out, [f"time zone {zone_text(zone)} (--time-zone): {'; '.join(filter(None, [said, utc]))}, each at its "
                 f"own date (a time with the camera's UTC offset is kept)",
                 *(_other_offset_notes(entries, taken, zone) if n_local or treated else []),
                 *_clock_change_notes(entries, taken, zone)]


def _other_offset_notes(entries: list[PhotoEntry], taken: dict, zone) -> list[str]:
    """The line of :func:`times_in_zone` on the times that carry their own UTC offset, which the zone does not give at
    their date (:func:`facemetrics.timekeys.offset_not_zone`: photos stored with Europe/London, ``study report
    --time-zone America/New_York``): kept, while the offset-free times are read in the zone, hours off them; it said
    only how many were read (stop 62).  Each photo's capture time and each treatment time once; [] when none."""
    photos = [offset_not_zone(e.taken_at or taken.get(i) or "", zone) for i, e in enumerate(entries) if not e.note]
    treated = {e.treated_at: offset_not_zone(e.treated_at, zone) for e in entries if not e.note}
    found = [o for o in [*photos, *treated.values()] if o]
    if not found:
        return []
    n, offsets = len(found), ", ".join(dict.fromkeys(found))
    return [f"time zone {zone_text(zone)} (--time-zone): {n} time{'s' if n != 1 else ''} carr{'y' if n != 1 else 'ies'} "
            f"a UTC offset it does not give at {'their' if n != 1 else 'its'} date ({offsets}: a camera's, or one "
            f"stored with another --time-zone), kept as {'they are' if n != 1 else 'it is'}, so the times without an "
            f"offset read in {zone_text(zone)} may be hours off {'them' if n != 1 else 'it'}: give the zone "
            f"{'those times were' if n != 1 else 'that time was'} in"]


def _clock_change_notes(entries: list[PhotoEntry], taken: dict, zone) -> list[str]:
    """One line per time of :func:`times_in_zone` in an hour the zone's clock change repeats or skips
    (:func:`facemetrics.timekeys.clock_change_text`), read with the offset before the change as
    :func:`facemetrics.timekeys.in_zone` documents: said, as it may be 1 h off (stop 61, g8)."""
    notes = []
    for i, e in enumerate(entries):
        if e.note:
            continue
        for whose, text in ((f"{e.photo}'s capture time", e.taken_at or taken.get(i) or ""),
                            (f"{e.subject}, {e.treatment}'s treatment time", e.treated_at)):
            said = clock_change_text(text, zone)
            line = f"time zone {zone_text(zone)} (--time-zone): {whose} {said}"
            if said and line not in notes:
                notes.append(line)
    return notes


def _zone_not_used(entries: list[PhotoEntry], taken: dict, zone) -> list[str]:
    """The note of :func:`times_in_zone` when the zone read no time though the photos have times (each carries its
    UTC offset: a camera's, or one ``study add --time-zone`` stored), so that the option is not silently ignored
    (``study report --time-zone`` on photos stored with another zone: stop 61, g8); [] when no photo has a time."""
    timed = any(_timed(e.taken_at or taken.get(i) or "") or _timed(e.treated_at)
                for i, e in enumerate(entries) if not e.note)
    return [f"time zone {zone_text(zone)} (--time-zone): not used, every time of the photos carries its own UTC offset "
            f"already (a camera's, or one stored with --time-zone), which is kept"] if timed else []


def offset_free_treatment(entries: list[PhotoEntry], taken: dict) -> tuple[list[PhotoEntry], dict[int, str], list[str]]:
    """A ``treated_at`` without a UTC offset in a session whose photos carry two or more offsets: read safely.

    A time without an offset is compared with one with an offset as a wall-clock time
    (:func:`hours_between`).  When the session's photos carry one offset that is the same as
    reading ``treated_at`` in it, but when they carry two (travel, a daylight-saving change
    during the series) the wall-clock hours of the photos in the other offset are off by the
    difference: photos 1 h apart read 0.5 h and 3.0 h after an 08:00 treatment, a half-life of
    5.9 h instead of 3.8 h; a photo taken 48 h after the treatment across the autumn clock change
    read 47 h (an audit, 2026-12-04).  In each session (subject, treatment, ``treated_at``'s
    wall-clock time) whose ``treated_at`` has no offset and whose photos with an offset carry
    two or more:

    * the session's before photos with an offset (taken before ``treated_at`` as wall-clock
      times; they are taken just before it, at the place of the treatment) all carry one offset:
      ``treated_at`` is read in it (every entry of the session gets ``treated_at`` with that
      offset, so every photo's hours are counted in absolute time), each photo in another
      offset gets a warning with its hours both ways, and a console note names the session;
    * no before photo carries an offset, or they carry two or more: which offset the treatment
      time is in cannot be told, so the photos with an offset are left out (their ``note``,
      hence ``excluded``, names the offsets) and a note says so.

    A capture time in UTC written with ``Z`` (:func:`facemetrics.timekeys.utc_instant`: a Google Photos sidecar's,
    a Pixel's file name's) is an instant whose local offset is not known, so it tells nothing of the offset
    ``treated_at`` is in (a photo of 09:34Z read 2.0 h after an offset-free 07:34 treatment in BST, 3.0 h
    after it: Round 21, 2026-12-07).  In a session with such a photo the offsets above are those of the other
    photos (the local ones): one, and ``treated_at`` is read in it (the UTC photos' warnings say their hours
    both ways); two or more, as above; none, and the UTC photos are left out (``note``: give the time zone with
    ``--time-zone``, :func:`times_in_zone`, or ``treated_at`` with its offset; it named "the photo's local
    ``taken_at`` in a manifest", which does not change a photo ``study import`` stored already: stop 61).

    Sessions whose photos carry one offset or none (and no UTC time), or whose ``treated_at`` has an offset,
    are unchanged (:func:`offset_free_times` then reads their offset-free capture times).

    Parameters
    ----------
    entries : list of PhotoEntry
        The batch's photos (:func:`discover`); an entry's own ``taken_at`` (manifest) is its time.
    taken : dict
        ``{index in entries: capture time text read from the photo (EXIF), ISO 8601 or ""}``.

    Returns
    -------
    entries : list of PhotoEntry
        New entries where ``treated_at`` was read in an offset or a photo left out (the others
        are the same objects).
    warnings : dict
        ``{index: the note for the photo's ``warnings`` cell}``.
    notes : list of str
        One console line per session changed.
    """
    out = list(entries)
    sessions: dict[tuple, list[tuple[int, datetime]]] = {}
    utc: set[int] = set()  # photos whose time is a UTC instant (Z): no local offset known
    for i, e in enumerate(entries):
        text = e.taken_at or taken.get(i) or ""
        when, treated = _timed(text), _timed(e.treated_at)
        if when is not None and treated is not None and treated.tzinfo is None and not e.note:
            sessions.setdefault((name_key(e.subject), name_key(e.treatment), treated.isoformat()), []).append((i, when))
            if utc_instant(text):
                utc.add(i)
    notes, warnings = [], {}
    for (subject, treatment, wall), photos in sessions.items():
        aware = [(i, t) for i, t in photos if t.tzinfo is not None]
        local = [(i, t) for i, t in aware if i not in utc]
        in_utc = [(i, t) for i, t in aware if i in utc]
        offsets = sorted({t.utcoffset() for _, t in local})
        if len(offsets) < 2 and not in_utc:
            continue
        treated = datetime.fromisoformat(wall)
        first = entries[photos[0][0]]
        where = _session_name(first)
        if not offsets:  # only UTC instants: which local time they are cannot be told
            for i, t in in_utc:
                out[i] = replace(entries[i], note=(
                    f"capture time {t.strftime('%Y-%m-%dT%H:%M:%S')}Z is in UTC while treatment time "
                    f"{first.treated_at!r} has no UTC offset and no other photo of the session carries one, so "
                    f"the photo's hours since the treatment cannot be told (give treated_at with the UTC offset "
                    f"your clock had then, {treated.isoformat(timespec='minutes')}+HH:MM, or the time zone your "
                    f"clocks were in with --time-zone, such as Europe/London)"))
            n = len(in_utc)
            notes.append(f"{where}: {n} photo{'s' if n != 1 else ''} left out, {'their' if n != 1 else 'its'} "
                         f"capture time in UTC (a Google Photos sidecar's or a Pixel file name's) while treated_at "
                         f"has no UTC offset and no other photo of the session carries one (see 'excluded' in "
                         f"photos.csv): {', '.join(entries[i].photo for i, _ in in_utc)}")
            continue
        shown = ", ".join([*(offset_text(o) for o in offsets), *(["UTC"] if in_utc else [])])
        # the local offset treated_at is read in: the one the local photos carry, else the before photos' one
        before = offsets if len(offsets) == 1 else \
            sorted({t.utcoffset() for _, t in local if t.replace(tzinfo=None) < treated})
        if len(before) == 1:
            read = treated.replace(tzinfo=timezone(before[0])).isoformat()
            moved = []
            for i, e in enumerate(entries):
                if e.note or (name_key(e.subject), name_key(e.treatment)) != (subject, treatment) \
                        or _timed(e.treated_at) is None or _timed(e.treated_at).tzinfo is not None \
                        or _timed(e.treated_at).isoformat() != wall:
                    continue
                out[i] = replace(out[i], treated_at=read)
            whose = "the session's photos that carry one" if len(offsets) == 1 else "the session's before photo(s)"
            for i, t in aware:
                if t.utcoffset() == before[0] and i not in utc:
                    continue
                now, wall_h = hours_between(t, read), hours_between(t.replace(tzinfo=None), treated)
                carries = ("is in UTC (Z)" if i in utc else f"carries {offset_text(t.utcoffset())}")
                shown_t = t.strftime("%Y-%m-%dT%H:%M:%SZ") if i in utc else t.isoformat()
                warnings[i] = (f"capture time {shown_t} {carries} while treated_at "
                               f"{first.treated_at} has no UTC offset: treated_at is read in "
                               f"{offset_text(before[0])}, the offset of {whose}, so the "
                               f"photo is {_after(now)} the treatment (as wall-clock times {_after(wall_h)})")
                moved.append(entries[i].photo)
            notes.append(f"{where}: treated_at has no UTC offset while the session's photos carry {shown}; it is "
                         f"read in {offset_text(before[0])}, the offset of {whose}, and "
                         f"the hours are counted in absolute time ({len(moved)} photo{'s' if len(moved) != 1 else ''} "
                         f"in another offset: {', '.join(moved)}; give treated_at with its offset to be sure)")
            continue
        why = ("no before photo carries one" if not before else
               f"its before photos carry {', '.join(offset_text(o) for o in before)}")
        for i, t in aware:
            out[i] = replace(entries[i], note=(
                f"treatment time {first.treated_at!r} has no UTC offset while the session's photos carry {shown} "
                f"and {why}: the photo's hours since the treatment depend on which offset the treatment time "
                f"is in (give treated_at with its offset, e.g. {treated.isoformat(timespec='minutes')}"
                f"{offset_text(offsets[0])}, or the time zone your clocks were in with --time-zone)"))
        n = len(aware)
        notes.append(f"{where}: {n} photo{'s' if n != 1 else ''} left out, treated_at without a UTC offset while "
                     f"the session's photos carry {shown} and {why} (see 'excluded' in photos.csv): "
                     f"{', '.join(entries[i].photo for i, _ in aware)}")
    return out, warnings, notes


def offset_free_times(entries: list[PhotoEntry], taken: dict) -> tuple[list[PhotoEntry], dict[int, str], list[str]]:
    """Capture times without a UTC offset in a session whose treated_at has one: read safely.

    A time without an offset is compared with one with an offset as a wall-clock time
    (:func:`hours_between`): against ``treated_at = 07:00Z`` a photo of ``07:46`` camera local
    time ``+01:00`` would be 46 min *after* the treatment, though taken 14 min before it (an
    audit, 2026-12-03).  In each session (subject, treatment, treated_at as an instant) whose
    ``treated_at`` has an offset and whose photos mix capture times with and without one:

    * the other photos all carry one offset, other than ``treated_at``'s: each offset-free
      capture time is read in that offset (the camera's local time the session's other
      photos show; the entry's ``taken_at`` is that time with the offset), the photo's
      warning and a note say so;
    * they carry two or more offsets: which one an offset-free time is in cannot be told, and
      its hours since the treatment differ between the readings, so the photo is left out (its
      ``note``, hence ``excluded``, names the offsets) and a note says so.

    When the photos with an offset all carry ``treated_at``'s offset, each offset-free time is
    written with it too (its hours since the treatment are unchanged, so no note): the regimen
    study (:func:`facemetrics.regimen.regimen_rows`) pools the baseline photos of several
    sessions under the first one's ``treated_at``, where another session's offset (a clock
    change) would otherwise leave the offset-free photo among several offsets.  When no photo of
    the session has an offset, each capture time is read in ``treated_at``'s offset (the natural
    reading: the camera kept the time of the place of the treatment; it is what comparing them
    as wall-clock times does, so the hours are unchanged; ``taken_at`` is written with it, as
    above, so that the pooled regimen reads the photo in the same offset) and the photo's warning
    says so, since nothing could tell a camera set to another zone; as many cameras write no
    offset, one note says it for all such sessions of the batch (their counts and one photo).
    When ``treated_at`` has no offset (then every time is compared as wall-clock time), nothing
    changes.

    Parameters
    ----------
    entries : list of PhotoEntry
        The batch's photos (:func:`discover`); an entry's own ``taken_at`` (manifest) is its time.
    taken : dict
        ``{index in entries: capture time text read from the photo (EXIF), ISO 8601 or ""}``.

    Returns
    -------
    entries : list of PhotoEntry
        New entries where a time was read in (or written with) the session's offset or a photo
        left out (the others are the same objects).
    warnings : dict
        ``{index: the note for the photo's ``warnings`` cell}`` of each photo whose capture time
        was read in an offset it does not carry, where that can matter (its session's other
        photos' offset, or ``treated_at``'s when no photo of the session carries one).
    notes : list of str
        For the console: one line per session whose hours changed or whose photos were left
        out, and one line for all sessions whose capture times, none with an offset, were read
        in ``treated_at``'s (:func:`_read_in_treatment_offset_note`).
    """
    out = list(entries)
    sessions: dict[tuple, list[tuple[int, datetime]]] = {}
    utc: set[int] = set()  # a UTC instant (Z, a sidecar's or a Pixel name's) tells no local offset
    for i, e in enumerate(entries):
        text = e.taken_at or taken.get(i) or ""
        when, treated = _timed(text), _timed(e.treated_at)
        if when is not None and treated is not None and treated.tzinfo is not None and not e.note:
            key = (name_key(e.subject), name_key(e.treatment), treated.astimezone(timezone.utc))
            sessions.setdefault(key, []).append((i, when))
            if utc_instant(text):
                utc.add(i)
    notes, warnings = [], {}
    assumed: list[tuple[int, str, str]] = []  # (index, session, offset) read in treated_at's: one note for all
    for photos in sessions.values():
        naive = [(i, t) for i, t in photos if t.tzinfo is None]
        offsets = sorted({t.utcoffset() for i, t in photos if t.tzinfo is not None and i not in utc})
        first = entries[photos[0][0]]
        treated_off = _timed(first.treated_at).utcoffset()
        if not naive:
            continue
        where = _session_name(first)
        names = ", ".join(entries[i].photo for i, _ in naive)
        n = len(naive)
        if not offsets:  # nothing tells another offset: read in the treatment's, as wall-clock times
            for i, t in naive:  # written with it, so that the pooled regimen reads it in the same one
                out[i] = replace(entries[i], taken_at=t.replace(tzinfo=timezone(treated_off)).isoformat())
                warnings[i] = (f"capture time {t.isoformat()} has no UTC offset, nor has any photo of its session: "
                               f"read in {offset_text(treated_off)}, the offset of treated_at (if the camera was "
                               f"set to another zone, it is off by the difference)")
                assumed.append((i, where, offset_text(treated_off)))
            continue
        shown = ", ".join(offset_text(o) for o in offsets)
        if len(offsets) == 1:
            for i, t in naive:
                out[i] = replace(entries[i], taken_at=t.replace(tzinfo=timezone(offsets[0])).isoformat())
            if offsets == [treated_off]:  # hours unchanged; written with it for the pooled regimen (review of 85fba1e, B)
                continue
            late = (offsets[0] - treated_off).total_seconds() / 3600.0
            later = f"{abs(late):g} h {'later' if late > 0 else 'earlier'}"  # a zone offset: whole hours
            for i, t in naive:
                warnings[i] = (f"capture time {t.isoformat()} has no UTC offset: read in {shown}, the offset of the "
                               f"session's other photos (as a wall-clock time against treated_at "
                               f"{first.treated_at} it would be {later})")
            notes.append(f"{where}: {n} capture time{'s' if n != 1 else ''} without a UTC offset read in {shown}, "
                         f"the offset of the session's other photos (as wall-clock times against the treatment's "
                         f"{offset_text(treated_off)} each would be {later}): {names}")
        else:
            for i, t in naive:
                out[i] = replace(entries[i], note=(
                    f"capture time {t.isoformat()!r} has no UTC offset while the session's other photos carry "
                    f"{shown} and treated_at {first.treated_at!r} carries {offset_text(treated_off)}: its hours "
                    f"since the treatment depend on which one it is in (give its taken_at with the offset in a "
                    f"manifest, or the time zone your clocks were in with --time-zone)"))
            notes.append(f"{where}: {n} photo{'s' if n != 1 else ''} left out, {'their' if n != 1 else 'its'} "
                         f"capture time without a UTC offset while the session's other photos carry {shown} "
                         f"(see 'excluded' in photos.csv): {names}")
    return out, warnings, notes + _read_in_treatment_offset_note(assumed, entries)


def _read_in_treatment_offset_note(assumed: list[tuple[int, str, str]], entries: list[PhotoEntry]) -> list[str]:
    """The one console line for every capture time read in its treated_at's offset because no photo
    of its session carries one (:func:`offset_free_times`), or [] when there is none.

    Many cameras write no UTC offset: a line per session (or photo) filled the console of a real
    study, so the line counts the photos and sessions and names one of them; each photo's
    ``warnings`` in ``photos.csv`` says it.

    Parameters
    ----------
    assumed : list of (int, str, str)
        ``(index in entries, the session as named on the console, the offset used)`` per photo.
    entries : list of PhotoEntry

    Returns
    -------
    list of str
    """
    if not assumed:
        return []
    i, where, _ = assumed[0]
    n, m = len(assumed), len({w for _, w, _ in assumed})
    shown = ", ".join(sorted({o for _, _, o in assumed}))
    return [f"{n} capture time{'s' if n != 1 else ''} without a UTC offset, in {m} session{'s' if m != 1 else ''} "
            f"none of whose photos carries one, read in the offset of {'its' if m == 1 else 'their'} treated_at "
            f"({shown}; if the camera was set to another zone, {'each is' if n != 1 else 'it is'} off by the "
            f"difference; give taken_at with "
            f"its offset in a manifest; the 'warnings' column of photos.csv names each photo): e.g. "
            f"{entries[i].photo} ({where})"]


def manifest_time_notes(entries: list[PhotoEntry], taken: dict) -> tuple[dict[int, str], list[str]]:
    """Manifest capture times far from the photo's own EXIF time: named, the manifest's kept.

    A manifest's ``taken_at`` is the user's explicit statement and is used; but one that differs
    from the photo's EXIF capture time by more than :data:`MANIFEST_EXIF_MINUTES` (a wrong row,
    date or time zone) changed the photo's hours since the treatment, and its role, in silence.
    Times both with a UTC offset are compared as instants, otherwise as wall-clock times
    (:func:`hours_between`).

    Parameters
    ----------
    entries : list of PhotoEntry
        The batch's photos (:func:`discover`), before :func:`offset_free_times`: an entry's
        ``taken_at`` is the manifest's own.
    taken : dict
        ``{index in entries: capture time text read from the photo (EXIF), ISO 8601 or ""}``.

    Returns
    -------
    warnings : dict
        ``{index: the note for the photo's ``warnings`` cell}`` of each such photo.
    notes : list of str
        One console line naming them (with the difference), or [] when there is none.
    """
    warnings, named = {}, []
    for i, e in enumerate(entries):
        exif = taken.get(i) or ""
        if not e.taken_at or not exif or _timed(e.taken_at) is None or _timed(exif) is None:
            continue
        late = hours_between(e.taken_at, exif)  # manifest minus EXIF, h
        if abs(late) * 60.0 <= MANIFEST_EXIF_MINUTES:
            continue
        gap = since_text(late)  # a camera clock years off read "+122105.0 h" (stop 55): days or years
        warnings[i] = (f"manifest taken_at {e.taken_at} is {gap} {'later' if late > 0 else 'earlier'} than the "
                       f"photo's EXIF capture time {exif}: the manifest's time is used")
        named.append(f"{e.photo} ({'+' if late > 0 else '-'}{gap})")
    if not named:
        return warnings, []
    n = len(named)
    shown = ", ".join(named[:10]) + (f", ... ({n} in all)" if n > 10 else "")
    return warnings, [f"{n} photo{'s' if n != 1 else ''}: the manifest's taken_at differs from the photo's EXIF "
                      f"capture time by more than {MANIFEST_EXIF_MINUTES:g} min; the manifest's time is used (the "
                      f"'warnings' column of photos.csv gives both): {shown}"]


def name_text(name) -> str:
    """A subject's or treatment's name as it is stored and shown: in Unicode's composed form (NFC:
    ``ë`` one character, as most keyboards type it, not ``e`` + a combining diaeresis, as macOS
    writes folder names), surrounding whitespace dropped; ``""`` for None.  Two spellings that
    differ only so look the same and match by :func:`name_key`, so the tables, the store and the
    console write them one way (an audit, 2026-12-04: a subject added as ``Zoë`` and imported from
    a folder named ``Zoë`` in the decomposed form were two identical-looking subjects).  A line break, tab or
    other control character is a space (:func:`facemetrics.timekeys.one_line`; stop 64)."""
    return unicodedata.normalize("NFC", one_line(str(name if name is not None else ""))).strip()


def merge_spellings(entries: list[PhotoEntry]) -> list[str]:
    """Give every photo of one subject, and of one treatment, the same spelling (in place).

    Names are matched by :func:`name_key` (case and surrounding whitespace ignored): ``Anna``
    and ``anna`` in a manifest, or folders ``S01/RF`` and ``S01/rf``, are one subject and one
    treatment, so their photos are one session and one decay fit, not two.  The spelling kept
    is the first in ``entries``' order (sorted by photo path), surrounding spaces dropped, in
    Unicode's composed form (:func:`name_text`: a folder ``Zoë`` written decomposed, as macOS
    writes names, and a manifest's composed ``Zoë`` are one subject, with no note, since the two
    look the same).  Treatments are matched across subjects (one treatment, one label in every table).

    Returns
    -------
    list of str
        One sentence per merged name, e.g. ``subject names 'Anna', 'anna' are one subject
        (names match ignoring case and surrounding spaces): written as 'Anna'``; empty when
        every name has one spelling.
    """
    notes = []
    for field, what in (("subject", "subject"), ("treatment", "treatment")):
        first: dict[str, str] = {}
        seen: dict[str, list[str]] = {}
        for e in entries:
            given = getattr(e, field)
            if not str(given or "").strip():
                continue
            key = name_key(given)
            first.setdefault(key, name_text(given))
            shown = unicodedata.normalize("NFC", str(given))  # two that look the same: one spelling, no note
            if shown not in seen.setdefault(key, []):
                seen[key].append(shown)
            setattr(e, field, first[key])
        for key, spellings in seen.items():
            if len(spellings) > 1:
                notes.append(f"{what} names {', '.join(map(repr, spellings))} are one {what} (names match "
                             f"ignoring case and surrounding spaces): written as {first[key]!r}")
    return notes


class ManifestError(FacemetricsError, ValueError):
    """The manifest CSV cannot be used (the message names the file, row and column)."""

    status = "bad_manifest"


#: how a photo of the folder that a given manifest does not list begins its ``note`` (photos.csv's ``excluded``)
NOT_IN_MANIFEST = "not in manifest"

#: columns a manifest may have (``photo`` is required)
MANIFEST_COLUMNS = ("photo", "subject", "treatment", "taken_at", "treated_at")


def manifest_like_columns(path) -> tuple[str, ...]:
    """The manifest columns (:data:`MANIFEST_COLUMNS`) in the header line of the CSV file ``path`` when it
    has ``photo`` and at least one other of them (read as :func:`_read_manifest` reads a header: decoded as
    :func:`_manifest_text` decodes it, UTF-16 and Excel's ``sep=;`` line included, a ``,``/``;``/tab separator,
    names case-insensitive, spaces read as ``_``); () for any other file, or one that cannot be read.  A study
    folder's own ``manifest.csv`` was passed over as "not a photo by its ending" without a word of ``--manifest``
    (first-user audit, 2026-12-05); a UTF-16 one still was until stop 56, c1."""
    path = Path(path)
    if path.suffix.lower() not in (".csv", ".tsv"):
        return ()
    try:
        with open(path, "rb") as fh:
            raw = fh.read(65536)
    except OSError:
        return ()
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):  # UTF-16 (Excel's "Unicode Text"): whole code units (stop 56, c1)
        raw = raw[:len(raw) - len(raw) % 2]
    try:  # as --manifest reads it: UTF-16 with its BOM was passed over (read as UTF-8, its header unread)
        text = _manifest_text(path, raw)
    except (ManifestError, UnicodeDecodeError):  # a workbook, a binary file; UTF-16 cut in a surrogate pair
        return ()
    header = next((ln for ln in text.replace("\r", "\n").splitlines() if ln.strip()), "")
    said = _SEP_LINE.fullmatch(header.strip().strip('"'))  # Excel's "sep=;" first line: the header is below it
    if said:
        header = next((ln for ln in text.replace("\r", "\n").splitlines()[1:] if ln.strip()), "")
    sep = max((",", ";", "\t"), key=header.count)
    names = {"_".join(h.strip().strip('"').lower().split()) for h in header.split(sep)}
    found = tuple(c for c in MANIFEST_COLUMNS if c in names)
    return found if "photo" in found and len(found) >= 2 else ()


def _manifest_key(value: str) -> str:
    """Normalised relative photo path: ``/``-separated, no ``./``, no doubled ``/``."""
    import posixpath

    key = str(value).replace("\\", "/").strip()
    return posixpath.normpath(key) if key else ""


def _read_manifest(manifest: Path) -> dict[str, dict]:
    """``{normalised photo path: metadata (+ "_row": line number)}`` from a manifest CSV
    (:func:`_read_manifest_rows`), its year-last dates read in each column's order (:func:`_read_time_columns`)."""
    out = _read_manifest_rows(Path(manifest))
    _read_time_columns(Path(manifest), out)
    return out


def _read_manifest_rows(manifest: Path) -> dict[str, dict]:
    """``{normalised photo path: metadata (+ "_row": line number)}`` from a manifest CSV, times as written.

    Read as UTF-8 (a BOM is allowed), UTF-16 with its BOM, else as cp1252 / Latin-1 (Windows spreadsheets)
    (:func:`_manifest_text`: a workbook or other binary file refused, saying so); the separator (``,``, ``;``
    or tab) is sniffed from the header line, or read from Excel's ``sep=;`` line before it.
    Every problem is a :class:`ManifestError` with one line naming the file,
    the row (line number, header = 1) and the column: no file, empty file, no
    ``photo`` column, a renamed column (a missing expected column with a
    similar unknown one, e.g. ``treated`` for ``treated_at``), a row with too
    many cells, an empty photo, or the same photo listed twice with
    different metadata. Other extra columns are ignored; header names are
    matched case-insensitively, spaces read as ``_``.
    """
    import csv

    manifest = Path(manifest)
    try:
        raw = manifest.read_bytes()
    except OSError as exc:
        raise ManifestError(f"manifest {manifest}: cannot read it ({exc.strerror or exc})") from None
    # CR alone ends a line of Excel for Mac's "CSV (Macintosh)": csv.reader took it for one line (stop 55, b3)
    text = _manifest_text(manifest, raw).replace("\r\n", "\n").replace("\r", "\n")
    lines = text.splitlines()
    if not any(ln.strip() for ln in lines):
        raise ManifestError(f"manifest {manifest} is empty (need a header line: {', '.join(MANIFEST_COLUMNS)})")
    sep, said = csv_separator(next(ln for ln in lines if ln.strip()))
    reader = csv.reader(io.StringIO(text), delimiter=sep)
    try:
        rows = [(i, r) for i, r in enumerate(reader, 1) if any(c.strip() for c in r)][1 if said else 0:]
    except csv.Error as exc:  # a stray carriage return, a NUL: one line naming the row, never a traceback
        raise ManifestError(f"manifest {manifest} row {reader.line_num}: cannot be read as CSV ({exc}); save it "
                            f"again as CSV (UTF-8) from the spreadsheet") from None
    if not rows:
        raise ManifestError(f"manifest {manifest} is empty (need a header line: {', '.join(MANIFEST_COLUMNS)})")
    (hline, header), body = rows[0], rows[1:]
    header = ["_".join(h.strip().lower().split()) for h in header]
    unknown = [h for h in header if h not in MANIFEST_COLUMNS]
    for col in MANIFEST_COLUMNS:  # a renamed column is an error; extra columns (e.g. notes) are kept out
        if col not in header:
            near = difflib.get_close_matches(col, unknown, n=1, cutoff=0.6)
            if near or col == "photo":
                hint = f"; column {near[0]!r} looks like it: rename it to {col!r}" if near else ""
                hint = hint or _header_below(body)
                raise ManifestError(f"manifest {manifest} row {hline}: no {col!r} column (found: "
                                    f"{', '.join(header)}; expected: {', '.join(MANIFEST_COLUMNS)}){hint}")
    out: dict[str, dict] = {}
    for line, cells in body:
        if len(cells) > len(header) and any(c.strip() for c in cells[len(header):]):
            raise ManifestError(f"manifest {manifest} row {line}: {len(cells)} cells but {len(header)} columns "
                                f"(separator {sep!r})")
        rec = dict(zip(header, (c.strip() for c in cells)))
        key = _manifest_key(rec.get("photo", ""))
        if not key or key == ".":
            raise ManifestError(f"manifest {manifest} row {line}, column 'photo': empty")
        meta = {k: rec.get(k, "") or "" for k in ("subject", "treatment", "taken_at", "treated_at")}
        meta["treated_at"] = canonical_time(meta["treated_at"])  # 08:00 and 08:00:00: one session
        if key in out:
            if not _same_metadata(out[key], meta):
                raise ManifestError(f"manifest {manifest} rows {out[key]['_row']} and {line}, column 'photo': "
                                    f"{key!r} is listed twice with different metadata")
            continue
        out[key] = {**meta, "_row": line, "_given": rec.get("photo", "")}
    return out


#: Excel's first line naming a CSV's separator (``sep=;``), which it writes and reads (stop 55, b3)
_SEP_LINE = re.compile(r"(?i)sep=([,;\t|])")


def csv_separator(header_line: str) -> tuple[str, bool]:
    """The separator of a CSV table whose first line is ``header_line``: the one of ``,``, ``;`` and tab it holds
    most (a spreadsheet's save in a language whose decimal mark is a comma separates by ``;``), or the one Excel's
    ``sep=;`` first line names (it writes and reads one; stop 55, b3); and whether ``header_line`` is such a
    ``sep=`` line (then the header is the next line).  The manifest reader's rule (:func:`_read_manifest_rows`),
    also `timeline`'s for long.csv (:func:`facemetrics.batch.timeline.long_csv_reading`, stop 64 g4)."""
    said = _SEP_LINE.fullmatch(header_line.strip().strip('"'))  # Excel's "sep=;" first line: the separator
    if said:
        return said.group(1), True
    return max((",", ";", "\t"), key=header_line.count), False

#: the first bytes of files a clinic gives as a manifest that are not CSV text: the words for them
_NOT_CSV = ((b"PK\x03\x04", "a zip file (an Excel workbook .xlsx or .ods, or a zipped folder)"),
            (b"\xd0\xcf\x11\xe0", "an Excel 97-2003 workbook (.xls)"),
            (b"%PDF", "a PDF"))


def _manifest_text(manifest: Path, raw: bytes) -> str:
    """A manifest's bytes as text (:func:`_manifest_decoded`'s text)."""
    return _manifest_decoded(manifest, raw)[0]


def _manifest_decoded(manifest: Path, raw: bytes) -> tuple[str, str]:
    """A manifest's bytes as text and the encoding they were read in (:data:`_ENCODING_WORDS`' keys): UTF-8 (a
    BOM allowed), UTF-16 with its BOM (Excel's "Unicode Text", Notepad's "Unicode"), else Mac Roman when its
    bytes can only be that (:func:`_mac_roman`: Excel for Mac's "CSV (Macintosh)"; "Zoë" was read "Zo‘", stop
    56, c1), else cp1252 (Windows Excel's "CSV (Comma delimited)": its ’ “ ” Š Ž œ € were read as Latin-1's
    control characters, O’Brien as "O\\x92Brien", until stop 55 b3), else Latin-1.  A workbook, a zip or a PDF,
    or other bytes that are not text (a NUL), is a :class:`ManifestError` saying what the file is and to save it
    as CSV: a UTF-16 manifest and an .xlsx given as ``--manifest`` ended the batch with a traceback
    (``_csv.Error: new-line character seen in unquoted field``; stop 55, b3)."""
    what = next((w for magic, w in _NOT_CSV if raw.startswith(magic)), None)
    if what is None and raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            return raw.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            what = "text in UTF-16 that cannot be decoded"
    if what is None and b"\0" in raw:
        what = "not a text file (it holds binary data)"
    if what is not None:
        raise ManifestError(f"manifest {manifest} is {what}, not a CSV table: in the spreadsheet use File > Save As "
                            f"> CSV UTF-8 (Comma delimited) and give that .csv file")
    try:
        return raw.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    if _mac_roman(raw):
        return raw.decode("mac_roman"), "mac_roman"
    try:
        return raw.decode("cp1252"), "cp1252"  # Windows Excel's CSV: O’Brien's ’ is 0x92, a control in Latin-1
    except UnicodeDecodeError:
        return raw.decode("latin-1"), "latin-1"  # cp1252's 5 undefined bytes


#: how the console names the 8-bit encodings a manifest that is not UTF-8 is read in (:func:`manifest_encoding_note`)
_ENCODING_WORDS = {"mac_roman": 'Mac Roman (Excel for Mac\'s "CSV (Macintosh)")',
                   "cp1252": 'Windows-1252 (Windows Excel\'s "CSV (Comma delimited)")',
                   "latin-1": "Latin-1"}

#: cp1252 marks that may stand between two letters (an apostrophe, a dash: O’Brien, Smith–Jones), and those that
#: may follow a letter but not stand between two (a closing quote, an ellipsis, the trade mark)
_CP1252_BETWEEN_LETTERS = "’–—"
_CP1252_AFTER_LETTER = "”…™"
#: Mac Roman's marks among names (the rest of its bytes above 0x7F are letters or symbols: † ° ∑ ≈ ¸ ...)
_MAC_ROMAN_MARKS = "“”‘’–—…\xa0"


def _mac_roman(raw: bytes) -> bool:
    """Whether 8-bit text that is not UTF-8 is Mac Roman (Excel for Mac's "CSV (Macintosh)") rather than cp1252.

    The two share every byte above 0x7F, so only what they make of the text tells them apart.  Mac Roman's
    0x80-0x9F are its accented letters (ë 0x91, é 0x8E, ü 0x9F, ç 0x8D, ñ 0x96), which cp1252 reads as marks and
    capitals: "Zoë" as "Zo‘", "José" as "JosŽ", "Müller" as "MŸller", and ç is one of cp1252's 5 undefined
    bytes.  Mac Roman is taken only when

    1. read as Mac Roman, every byte above 0x7F is a letter (not a capital after a small letter) or one of its
       quotes, dashes, ellipsis (cp1252's é, ü, ñ are Mac Roman's "È", "¸", "Ò": "JosÈ", "M¸ller" are not Mac
       Roman), and
    2. read as cp1252, one of its bytes cannot be what it reads (:func:`_cp1252_misread`): undefined, an opening
       quote ending a word ("Zo‘"; "No‘l" may be a slip for ’ and stays cp1252), another mark right after a letter
       ("Ana•s", "Ch‰teau"), a closing quote, ellipsis or trade mark between two letters ("Beno”t"), the florin
       beside a letter ("ƒtienne"), a capital after a small letter or between a letter and a small one ("JosŽ",
       "MŸller"), or a symbol of 0xA0-0xFF between two letters ("S¿ren", "Stra§e").

    A byte both read alike stays cp1252 (O’Brien's ’ is Mac Roman's í: "OíBrien" reads as well as "O’Brien"; so
    do "Jörg", "María" and "Muñoz" of a Mac Roman file, read "Jšrg", "Mar’a" and "Mu–oz" when nothing else in the
    file tells): :func:`manifest_encoding_note` says which encoding was read, the names as read, and how to save
    the file as CSV UTF-8.  Measured (stop 56, c1; bench/audit_manifest_encoding_s56.py, each name alone in a
    row): 86 of 86 names and 31 of 31 texts with marks (Botox®, ¿Qué?, O´Brien, Smith–Jones, O‘Brien, ...) saved as
    cp1252 read right; 46 of 82 names saved as Mac Roman read as Mac Roman, the other 36 as cp1252 (with the note).
    """
    mac, cp = raw.decode("mac_roman"), raw.decode("cp1252", errors="replace")  # one character per byte, both
    high = [i for i, b in enumerate(raw) if b >= 0x80]

    def letter(text: str, j: int) -> bool:
        return 0 <= j < len(text) and text[j].isalpha()

    def small(text: str, j: int) -> bool:
        return 0 <= j < len(text) and text[j].islower()

    for i in high:
        m = mac[i]
        if not (m.isalpha() or m in _MAC_ROMAN_MARKS) or (m.isupper() and small(mac, i - 1)):
            return False
    return any(_cp1252_misread(cp, i, raw[i], letter, small) for i in high)


def _cp1252_misread(cp: str, i: int, byte: int, letter, small) -> bool:
    """Whether the cp1252 character ``cp[i]`` (of ``byte``, above 0x7F) cannot be what the text means
    (:func:`_mac_roman`): above 0x9F, a symbol between two letters ("S¿ren", "Stra§e": Mac Roman's ø, ß; cp1252's
    letters there, é ü ñ, are not Mac Roman letters, which (1) of :func:`_mac_roman` checks); below, see there."""
    c = cp[i]
    before, after = letter(cp, i - 1), letter(cp, i + 1)
    if byte > 0x9F:
        return not c.isalpha() and before and after
    if c == "\ufffd":  # undefined in cp1252
        return True
    if c == "ƒ":  # the florin (ƒ/2.8) beside a letter: Mac Roman's É ("ƒtienne")
        return before or after
    if c.isalpha():
        return c.isupper() and before and (small(cp, i - 1) or small(cp, i + 1))
    if c in _CP1252_BETWEEN_LETTERS:  # O’Brien, Smith–Jones: Mac Roman's í and ñ read as well ("Mu–oz")
        return False
    if c in _CP1252_AFTER_LETTER:
        return before and after
    if c == "‘":  # "Zo‘" at a word's end; between letters a slip for ’ (O‘Brien) as likely as Mac Roman's ë
        return before and not after
    return before  # “ • † ‡ ˆ ‰ ˜ € ‚ „ ‹ › right after a letter: "Ana•s", "Ch‰teau", "Jo‹o"


def manifest_encoding_note(manifest) -> str:
    """The console's note on a manifest that is not UTF-8 or UTF-16: the encoding it was read in (Mac Roman,
    cp1252, Latin-1: :func:`_manifest_decoded`), the names it read with letters beyond ASCII (a few), and how to
    save it so that nothing is guessed; "" for a UTF-8 or UTF-16 manifest, one that is ASCII, or none.  Mac Roman
    and cp1252 share their bytes, and which one a file is cannot always be told (:func:`_mac_roman`)."""
    if manifest is None:
        return ""
    manifest = Path(manifest)
    try:
        raw = manifest.read_bytes()
        text, encoding = _manifest_decoded(manifest, raw)
    except (OSError, ManifestError):
        return ""
    if encoding not in _ENCODING_WORDS:
        return ""
    cells = (c.strip() for c in re.split(r"[\r\n,;\t\"]+", text))  # the cells with a letter beyond ASCII, as read
    words = list(dict.fromkeys(c for c in cells if any(ord(ch) > 127 for ch in c)))
    shown = ", ".join(words[:3]) + (", ..." if len(words) > 3 else "")
    return (f"{manifest.name} is not UTF-8: read as {_ENCODING_WORDS[encoding]}, so its names read {shown}; if a "
            f"letter is wrong, save it from the spreadsheet as \"CSV UTF-8 (Comma delimited)\" and give that file")


def _header_below(body: list[tuple[int, list[str]]]) -> str:
    """Where a manifest's header is when its first line is not it (a title row, a date line above the table, as
    staff write a sheet): " (row 3 looks like the header: delete the lines above it)", or "" (stop 55, b3)."""
    for line, cells in body[:10]:
        if "photo" in {"_".join(c.strip().lower().split()) for c in cells}:
            return f" (row {line} looks like the header: delete the lines above it)"
    return ""


def _read_time_columns(manifest: Path, out: dict[str, dict]) -> list[str]:
    """Read a manifest's year-last dates (``24/11/2026 9:00``, as Excel shows a cell) in the order each column
    tells (:func:`facemetrics.timekeys.read_time_column`): ``out``'s ``taken_at`` / ``treated_at`` rewritten as
    ISO 8601 in place, ``_why_<column>`` set on each row whose year-last date stays refused (no value tells the
    order, or both orders appear); returns the console's note per column whose order was decided."""
    notes = []
    rows = sorted(out.values(), key=lambda m: m["_row"])
    for col in ("taken_at", "treated_at"):
        read = read_time_column([m[col] for m in rows])
        for m, text, why in zip(rows, read.times, read.reasons):
            m[col] = canonical_time(text) if col == "treated_at" else text
            if why:
                m[f"_why_{col}"] = why
        if read.order:
            notes.append(f"dates in {manifest.name}'s {col} read as {read.order} ({', '.join(read.examples)} ...)")
    return notes


def manifest_order_notes(manifest) -> list[str]:
    """The console's notes on a manifest: the encoding it was read in when it is not UTF-8
    (:func:`manifest_encoding_note`), then its year-last dates' per column whose order its values told, e.g.
    "dates in manifest.csv's taken_at read as day/month/year (24/11/2026 9:00 ...)"; [] when none (or no
    manifest).  The manifest is read again (:func:`discover` raised already if it cannot be)."""
    if manifest is None:
        return []
    rows = {k: {**m} for k, m in _read_manifest_rows(Path(manifest)).items()}
    said = manifest_encoding_note(manifest)  # not UTF-8: the encoding read, its names as read (stop 56, c1)
    return ([said] if said else []) + _read_time_columns(Path(manifest), rows)


def _manifest_time_reasons(manifest: Path, m: dict) -> tuple[Reason, ...]:
    """Why a manifest row's ``taken_at`` or ``treated_at`` cannot be read as a time, naming the file,
    row and column: written with a decimal fraction after the hours or the minutes (``08.20``:
    :func:`facemetrics.timekeys.ambiguous_time`; ``8.20pm``: :func:`facemetrics.timekeys.twelve_hour_dot_time`),
    or not a time at all (``2026-12-02 9am``, ``noon``:
    the forms read, :data:`ACCEPTED_TIME_FORMS`; photos.csv said "capture time '2026-12-02 9am' is not
    ISO 8601 (e.g. 2026-11-02T09:30)" and `study import` "'noon' is not a time", naming neither the
    manifest nor its row: a first-time user's session, round 2, 2026-12-05); ``()`` otherwise (a date
    alone is named with the photo's row, :func:`facemetrics.batch.tables._table_row`).  The sentence is
    :func:`facemetrics.timekeys.time_meant`'s, the time each refused form would be included (``9am``,
    ``1/12/2026 9:00``: round 3, 2026-12-05); the photo's note is the reasons' texts joined with "; "."""
    said = []
    for col, what in (("taken_at", "capture time"), ("treated_at", "treatment time")):
        value = m.get(col)
        problem = time_meant(value, what)  # 08.20, 8.20pm, 9am, noon, ...: with the time meant
        if not problem:
            continue
        shown = str(value).strip()
        dotted = ambiguous_time(value, what) or twelve_hour_dot_time(value, what)  # 08.20, 8.20pm
        code, shown = (TIME_DOTTED, shown) if dotted else (TIME_UNREAD, shown[:60])
        if m.get(f"_why_{col}"):  # a year-last date whose column does not tell its order: why
            problem += f" (not read in the column's order: {m[f'_why_{col}']})"  # no "; ": photos.csv splits on it
        said.append(Reason(code, f"manifest {manifest.name} row {m['_row']}, column {col!r}: {problem}",
                           manifest=str(manifest), row=int(m["_row"]), column=col, value=shown,
                           reading=meant_in(problem)))
    return tuple(said)


def _entry_reasons(reasons: tuple[Reason, ...]) -> dict:
    """``PhotoEntry`` keywords of ``reasons``: them, and the note their texts make."""
    return {"reasons": reasons, "note": "; ".join(r.text for r in reasons)}


def _same_metadata(a: dict, b: dict) -> bool:
    """Do two manifest rows give a photo the same metadata (names by :func:`name_key`)?"""
    return all(name_key(a[k]) == name_key(b[k]) for k in ("subject", "treatment")) and \
        all(a[k] == b[k] for k in ("taken_at", "treated_at"))


def _undecodable_name_key(rel: str, meta: dict[str, dict]) -> str | None:
    """The manifest key of a file whose name is not UTF-8 (``rel`` holds PEP 383 surrogates), holds a control
    character or a backslash, or None.

    A manifest names it as ``photos.csv`` shows it (``caf\\xe9.jpg``, :func:`~facemetrics.errors.legible`:
    a copy of photos.csv given as ``--manifest``), or as the Latin-1 system that wrote it shows it
    (``café.jpg``; the manifest itself then read as Latin-1)."""
    latin1 = re.sub("[\udc80-\udcff]", lambda m: chr(ord(m.group()) - 0xDC00), rel)
    # the manifest reader takes a backslash for a Windows separator: caf\\xe9.jpg is read caf/xe9.jpg
    for alt in (legible(rel), legible(rel).replace("\\", "/"), latin1):
        alt = unicodedata.normalize("NFC", alt)
        if alt in meta:
            return alt
    return None


def _inside(folder: Path, key: str) -> str | None:
    """A manifest's photo path as a ``/``-separated path relative to ``folder``, or None when it
    points outside ``folder`` (``../x.jpg``, an absolute path elsewhere).  An absolute path inside
    ``folder`` (as given or with symbolic links resolved) is made relative; symbolic links below
    ``folder`` are not followed (a link inside the folder is a photo of the folder)."""
    for base in dict.fromkeys((os.path.abspath(folder), os.path.realpath(folder))):
        full = os.path.normpath(os.path.join(base, key))
        try:
            rel = os.path.relpath(full, base)
        except ValueError:  # another drive (Windows)
            continue
        if rel != os.curdir and rel != os.pardir and not rel.startswith(os.pardir + os.sep) \
                and not os.path.isabs(rel):
            return Path(rel).as_posix()
    return None


def _manifest_in_folder(manifest: Path, folder: Path, meta: dict[str, dict]) -> dict[str, dict]:
    """``meta`` keyed by paths relative to ``folder``; a :class:`ManifestError` for a photo outside it.

    The study folder is the study: its photos are named by their path inside it (the ``photo``
    column of every table), found by searching it, and a manifest row is matched to a file of it.
    A photo outside it (``../other/x.jpg``, ``/home/me/x.jpg``) is refused with one line naming
    the row, rather than measured and then reported as not found; an absolute path that lies
    inside the folder is accepted as its relative path.  The keys are in Unicode's composed form
    (NFC), each row's path as given relative to ``folder`` in its ``_rel``: a row ``Zoë/rf/a.jpg``
    typed composed names the file of a folder ``Zoë`` that macOS wrote decomposed (the two look
    the same; the row was "not found" and the file "not in manifest"; an audit, 2026-12-04).
    """
    out: dict[str, dict] = {}
    for key, m in meta.items():
        found = _inside(folder, key)
        rel = None if found is None else unicodedata.normalize("NFC", found)
        if rel is None:
            raise ManifestError(f"manifest {manifest} row {m['_row']}, column 'photo': {m['_given']!r} is outside "
                                f"the study folder {folder}: move the photo into it and give its path relative "
                                f"to the folder (e.g. S01/botox/pre.jpg)")
        if rel in out:
            first = out[rel]
            if not _same_metadata(first, m):
                raise ManifestError(f"manifest {manifest} rows {first['_row']} and {m['_row']}, column 'photo': "
                                    f"{first['_given']!r} and {m['_given']!r} are the same photo {rel!r} with "
                                    f"different metadata")
            continue
        out[rel] = {**m, "_rel": found}
    return out


def _read_treated_at(path: Path, label: str) -> tuple[str, str]:
    """``(treated_at, problem)`` of a ``treated_at.txt``: its one time, or ``""`` and why not
    (``label`` names the file in the problem, e.g. ``treated_at.txt in S01/rf``).

    Read as UTF-8 (a BOM, as Notepad writes it, is allowed), UTF-16 with its BOM, else
    Latin-1; blank lines and spaces around the time are ignored.  The file must hold one
    time: an empty file is reported as empty, and a file with two or more non-empty lines
    is refused (which line would be the session's is a guess; a session per folder, each
    with its own file, is the convention).  A time that does not parse (:func:`parse_time`:
    ``8:00 am``, ``01/12/2026 08:00``, ``08:00 CET``) is refused with the file named, the time
    it would be when the form tells it and the accepted forms (:func:`facemetrics.timekeys.time_meant`);
    a year-last date that tells its order by itself (``24/11/2026 8:00``: a field above 12) is read, as a
    time typed alone is (:func:`facemetrics.timekeys.read_lone_time`; ``01/12/2026 08:00`` stays refused);
    a date alone is left to the photo's row, which names it.
    """
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return "", f"cannot read {label} ({exc.strerror or exc})"
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        text = raw.decode("utf-16", errors="replace")
    else:
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = raw.decode("latin-1")
    lines = [ln.strip() for ln in text.replace("\ufeff", "").splitlines() if ln.strip()]
    if not lines:
        return "", f"{label} is empty (write the treatment time in it, e.g. 2026-11-02T08:00)"
    if len(lines) > 1:
        shown = ", ".join(repr(ln[:40]) for ln in lines[:3]) + (", ..." if len(lines) > 3 else "")
        return "", (f"{label} holds {len(lines)} lines ({shown}); it must hold one treatment time "
                    f"(put each session in its own folder with its own {path.name})")
    # "treatment time '2026-12-01 8:00 am' is not ISO 8601 (e.g. 2026-11-02T08:00)" named neither the file nor
    # what is read (a first-time user's session, 2026-12-05), then not the time meant (8.20pm, 9am: round 3);
    # a date alone has its own reason (tables)
    lone = read_lone_time(lines[0])  # a year-last date that tells its order by itself: 24/11/2026 8:00
    if lone is not None and parse_time(lines[0]) is None:
        return canonical_time(lone.isoformat()), ""
    problem = time_meant(lines[0], "treatment time")
    if problem:
        return "", f"{label}: {problem}"
    return canonical_time(lines[0]), ""


def _no_treated_at_note(rel: Path) -> str:
    """Why a photo at ``rel`` (relative to the study folder) has no treatment time: no
    ``treated_at.txt`` beside it or above it, and the layout that gives one.  It was "no
    treated_at.txt for this photo's folder", which named neither the folder nor the layout: a
    folder of photos without subject and treatment folders read "0 changes" with that reason on
    every row (a new user's audit, 2026-12-04)."""
    where = rel.parent.as_posix()
    where = "the study folder" if where == "." else f"{where} or a folder above it"
    layout = (f"photos go in FOLDER/<subject>/<treatment>/ with a {TREATED_AT_FILE} there holding the "
              "treatment time (e.g. 2026-11-02T08:00), or give a manifest CSV (--manifest)")
    return f"no {TREATED_AT_FILE} in {where}: {layout}"


def _convention(folder: Path, path: Path) -> dict:
    """The folder convention's metadata of ``path``: subject, treatment, the nearest
    ``treated_at.txt``'s time and folder, and ``note`` (why there is no treatment time)."""
    rel = path.relative_to(folder)
    parts = rel.parts[:-1]
    meta = {"subject": parts[0] if len(parts) >= 1 else "", "treatment": parts[1] if len(parts) >= 2 else "",
            "taken_at": "", "treated_at": "", "session_dir": "", "note": _no_treated_at_note(rel)}
    d = path.parent
    while True:
        f = d / TREATED_AT_FILE
        if f.is_file():
            meta["session_dir"] = str(d.relative_to(folder).as_posix())
            where = meta["session_dir"] if meta["session_dir"] != "." else "the study folder"
            meta["treated_at"], meta["note"] = _read_treated_at(f, f"{TREATED_AT_FILE} in {where}")
            break
        if d == folder or folder not in d.parents:
            break
        d = d.parent
    return meta


#: a manifest path written on another computer: a Windows drive (``C:\\Users\\...``, read ``C:/Users/...``), a
#: network share (``\\\\server\\...``), a macOS or Linux home or volume
_OTHER_COMPUTER = re.compile(r"(?i)([a-z]:/|//|/?(users|home|volumes)/)")


def likely_file(rel: str, unlisted: list[str]) -> str:
    """The file of the folder a manifest row that names no file likely means, in words to follow "not found in
    FOLDER": one the manifest does not list whose path differs from ``rel`` only in case (``IMG_1.JPG`` for
    ``img_1.jpg``: a Windows or macOS disk ignores case, this search does not), in its ending (``a.jpeg`` for
    ``a.jpg``, ``a`` for ``a.JPG``), or whose name is ``rel``'s in a subfolder (``a.jpg`` for ``S1/day1/a.jpg``),
    or the name of a path written on another computer (``C:\\Users\\clinic\\a.jpg``);
    "" when there is none or more than one.  Both were said apart ("listed ... but not found", "not in
    manifest") without a word that they are one photo (stop 55, b3)."""
    def stem(path: str) -> str:
        base = posixpath.basename(path)
        return (base.rsplit(".", 1)[0] if "." in base.lstrip(".") else base).casefold()

    tests = (("its name in another case", lambda u: u.casefold() == rel.casefold()),
             ("another ending", lambda u: posixpath.dirname(u).casefold() == posixpath.dirname(rel).casefold()
              and stem(u) == stem(rel)),
             ("in a subfolder: give its path relative to the folder", lambda u: "/" not in rel
              and posixpath.basename(u).casefold() == rel.casefold()),
             ("the row gives a path on another computer: give its path relative to the folder",
              lambda u: _OTHER_COMPUTER.match(rel) is not None
              and posixpath.basename(u).casefold() == posixpath.basename(rel).casefold()))
    for why, same in tests:
        hits = [u for u in unlisted if same(u)]
        if len(hits) == 1:
            return f" (the folder has {hits[0]!r}, not listed: {why}?)"
    return ""


def _not_found_text(folder: Path, path: Path, rel: str, likely: str) -> str:
    """What follows "listed in manifest M row N but " for a row whose photo is not a file of ``folder``: "not found
    in FOLDER (likely) ...: correct its path" or, for a row naming a folder (``photos/day1``), that it is one and
    what a row names (it said only "not found": docs/validation.md §12 Round 11; stop 56, c1)."""
    if path.is_dir():
        example = posixpath.join(rel, "IMG_0001.jpg")
        return (f"{rel!r} is a folder of {folder}, not a photo: a manifest row names one photo, such as {example}; "
                f"give each photo of the folder its own row, or remove the row and give the folder itself to batch "
                f"(facemetrics batch {folder / rel})")
    return f"not found in {folder}{likely}: correct its path (relative to {folder}) or remove the row"


def discover(folder, manifest=None) -> list[PhotoEntry]:
    """Find the study's photos and their metadata (manifest or folder convention).

    Parameters
    ----------
    folder : str or path-like
        The study folder (searched recursively).
    manifest : str or path-like, optional
        Manifest CSV (columns ``photo``, ``subject``, ``treatment``,
        ``taken_at``, ``treated_at``).

    Returns
    -------
    list of PhotoEntry
        Sorted by relative path.  ``taken_at`` here is the manifest's; EXIF
        times are filled in after decoding.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"study folder {folder} does not exist")
    meta = None
    if manifest is not None:
        meta = _manifest_in_folder(Path(manifest), folder, _read_manifest(Path(manifest)))
    entries = []
    listed = set()
    for path in find_study_photos(folder):
        rel = path.relative_to(folder).as_posix()
        if meta is not None and Path(manifest).resolve() == path.resolve():
            continue
        key = unicodedata.normalize("NFC", rel)  # the manifest's rows are keyed so (_manifest_in_folder)
        # a name shown escaped (not UTF-8, a newline) or holding a backslash, which the manifest reader takes for a
        # Windows separator: looked up as photos.csv and the study's manifest show it (stop 63)
        if meta is not None and key not in meta and (legible(rel) != rel or "\\" in rel):
            key = _undecodable_name_key(rel, meta) or key
        if meta is None:
            m = _convention(folder, path)
            why = {"note": m["note"]}
        elif key in meta:
            m, why = meta[key], _entry_reasons(_manifest_time_reasons(Path(manifest), meta[key]))
            listed.add(key)
        else:
            # "not in manifest" said neither which manifest nor what to do (round 2 of a first-time user's
            # session, 2026-12-05): a manifest lists every photo it uses, the folders' treated_at.txt unread
            m = {"subject": "", "treatment": "", "taken_at": "", "treated_at": ""}
            why = _entry_reasons((Reason(NOT_LISTED, f"{NOT_IN_MANIFEST} {Path(manifest).name}: add a row for it "
                                                     f"(a manifest lists every photo it uses)",
                                         manifest=str(manifest)),))
        # a name that is not UTF-8 is shown caf\\xe9.jpg (the path keeps the true name): a table can hold it
        entries.append(PhotoEntry(path=path, photo=legible(rel), subject=m["subject"], treatment=m["treatment"],
                                  taken_at=m["taken_at"], treated_at=m["treated_at"], **why))
    if meta is not None:  # listed but not found: a row each, never silently dropped
        unlisted = [e.photo for e in entries if any(r.code == NOT_LISTED for r in e.reasons)]
        for key, m in meta.items():
            if key not in listed:
                rel = m["_rel"]
                path = folder / rel
                # a file the search skips (another ending, a hidden folder) but the manifest names
                # is read like a file named on the command line: whatever its ending
                found = _not_a_folder(path)
                likely = likely_file(rel, unlisted) if not path.is_dir() else \
                    " (a folder, not a photo: a row names one photo; or give the folder itself to batch)"
                missing = Reason(NOT_FOUND, f"listed in manifest {Path(manifest).name} row {m['_row']} but "
                                            f"{_not_found_text(folder, path, rel, likely)}",
                                 manifest=str(manifest), row=int(m["_row"]),
                                 column="photo", value=str(rel), reading=likely.strip())
                entries.append(PhotoEntry(
                    path=path, photo=rel, subject=m["subject"], treatment=m["treatment"],
                    taken_at=m["taken_at"], treated_at=m["treated_at"],
                    **_entry_reasons(_manifest_time_reasons(Path(manifest), m) if found else (missing,))))
        entries.sort(key=lambda e: e.photo)
    return entries
