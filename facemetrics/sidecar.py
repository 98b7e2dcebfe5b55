"""A photo's Google Photos / Takeout JSON sidecar: the capture time it keeps when the photo's EXIF is gone.

Google Takeout exports each photo with a JSON file beside it, ``IMG_1234.jpg.json`` (newer exports:
``IMG_1234.jpg.supplemental-metadata.json``, its ending cut short when the whole name would pass 51 characters:
``.supplemental-metad.json``, ``.supp.json``), whose ``photoTakenTime.timestamp`` is the capture time in UTC
epoch seconds (``creationTime`` is the upload's, not read); the photo itself sometimes comes back with its EXIF
stripped.  :func:`sidecar_time` reads that time as ISO 8601 in UTC written with ``Z``
(:func:`facemetrics.timekeys.utc_instant`: an instant whose local offset is not known); the capture-time chain
(:func:`facemetrics.timekeys.capture_time_of`) uses it after the EXIF time and before the file name's, with
``taken_at_source`` ``sidecar``.  A local file read, no network; a sidecar that is not there, too large, not
JSON or without a time in :data:`facemetrics.timekeys.NAME_YEARS` gives ``""``.  The same name rule pairs uploads
(the app's *My study*: files, no folder): :func:`photo_names_of`, :func:`sidecar_names`, :func:`sidecar_text_time`.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

__all__ = ["sidecar_paths", "sidecar_time", "is_sidecar", "SIDECAR_SOURCE", "photo_names_of", "sidecar_names",
           "sidecar_text_time", "sidecar_text_unread", "is_json_name"]

#: ``taken_at_source`` of a time read from a sidecar
SIDECAR_SOURCE = "sidecar"
_SUPPLEMENTAL = "supplemental-metadata"
_MAX_BYTES = 1 << 20  # a Takeout sidecar is a few hundred bytes


def is_json_name(name: str) -> bool:
    """True for a file name ending ``.json`` (any case): a sidecar or other JSON, never a photo."""
    return str(name).lower().endswith(".json")


def photo_names_of(name: str) -> list[str]:
    """The names of the photo whose sidecar a JSON file named ``name`` would be: ``IMG_1234.jpg.json`` ->
    ``["IMG_1234.jpg"]``, ``IMG_1234.jpg.supp.json`` -> ``["IMG_1234.jpg.supp", "IMG_1234.jpg"]`` (its ending
    ``supplemental-metadata``, or that word cut short); ``[]`` for a name not ending ``.json``.  The one name rule
    of :func:`sidecar_paths`, :func:`is_sidecar` and :func:`sidecar_names`."""
    if not is_json_name(name):
        return []
    stem = str(name)[:-len(".json")]
    base, _, middle = stem.rpartition(".")
    return [n for n in (stem, base if middle and _SUPPLEMENTAL.startswith(middle) else "") if n]


def sidecar_names(photo: str, names) -> list[str]:
    """The names among ``names`` that are sidecars of the photo named ``photo`` (:func:`photo_names_of`), in the
    order read: ``NAME.json``, then the ``NAME.supplemental-metadata.json`` ones (or that word cut short), sorted."""
    found = [n for n in names if photo in photo_names_of(n)]
    plain = f"{photo}.json"
    return [n for n in found if n == plain] + sorted(n for n in found if n != plain)


def sidecar_paths(photo) -> list[Path]:
    """The sidecar files of ``photo`` that exist, in the order read: ``NAME.json``, then
    ``NAME.supplemental-metadata.json`` or one with that word cut short (``NAME.supp.json``)."""
    photo = Path(photo)
    try:
        folder = photo.parent
        near = [p.name for p in folder.glob(f"{_glob_escape(photo.name)}*.json")]
        return [folder / n for n in sidecar_names(photo.name, near) if (folder / n).is_file()]
    except OSError:
        return []


def _glob_escape(name: str) -> str:
    return "".join(f"[{c}]" if c in "*?[" else c for c in name)


def sidecar_time(photo) -> str:
    """The capture time the sidecar of ``photo`` keeps (``photoTakenTime.timestamp``), as ISO 8601 in UTC with
    ``Z`` (``2026-10-24T09:34:12Z``); ``""`` when it has no sidecar or none with a readable time."""
    for path in sidecar_paths(photo):
        try:
            if path.stat().st_size > _MAX_BYTES:
                continue
            when = sidecar_text_time(path.read_bytes())
        except OSError:
            continue
        if when:
            return when
    return ""


def sidecar_text_time(data: bytes) -> str:
    """The capture time a sidecar's content ``data`` keeps (``photoTakenTime.timestamp``, UTC epoch seconds), as
    ISO 8601 in UTC with ``Z``; ``""`` for content over 1 MiB, not JSON, or without a time in
    :data:`facemetrics.timekeys.NAME_YEARS` (an uploaded sidecar, the app's *My study*, is read by this too)."""
    from .timekeys import NAME_YEARS

    if len(data) > _MAX_BYTES:
        return ""
    try:
        parsed = json.loads(bytes(data))  # UTF-8 (a BOM too), UTF-16 or -32: json tells
        stamp = int(str(parsed["photoTakenTime"]["timestamp"]).strip())
        when = datetime.fromtimestamp(stamp, timezone.utc)
    except (ValueError, KeyError, TypeError, OverflowError, OSError, UnicodeDecodeError, RecursionError):
        return ""  # RecursionError: JSON nested too deep (a file of brackets)
    if stamp > 0 and NAME_YEARS[0] <= when.year <= NAME_YEARS[1]:
        return when.strftime("%Y-%m-%dT%H:%M:%SZ")
    return ""


def sidecar_text_unread(data: bytes) -> str:
    """Why a sidecar's content ``data`` gives no capture time (:func:`sidecar_text_time` returns ``""``), as a
    clause for "not read: ...": over 1 MiB, not JSON (UTF-8, -16 or -32: a UTF-16 save was refused until stop 66), without ``photoTakenTime.timestamp``, or a time
    outside :data:`facemetrics.timekeys.NAME_YEARS`; ``""`` when it gives one."""
    from .timekeys import NAME_YEARS

    if len(data) > _MAX_BYTES:
        return f"it is {len(data) / (1 << 20):.1f} MiB, not a Google Photos sidecar (a few hundred bytes)"
    try:
        parsed = json.loads(bytes(data))  # UTF-8 (a BOM too), UTF-16 or -32: json tells
    except (ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: nested too deep
        return "it is not JSON text (a Google Photos sidecar is)"
    try:
        stamp = int(str(parsed["photoTakenTime"]["timestamp"]).strip())
    except (ValueError, KeyError, TypeError):
        return "it keeps no capture time (photoTakenTime.timestamp)"
    if sidecar_text_time(data):
        return ""
    return (f"its capture time (photoTakenTime.timestamp {stamp}) is not a time in {NAME_YEARS[0]}-"
            f"{NAME_YEARS[1]}")


def is_sidecar(path) -> bool:
    """True for a sidecar of a file beside it (``IMG_1234.jpg.json`` with ``IMG_1234.jpg`` in the same folder,
    :func:`sidecar_paths`' names): ``batch`` and ``study import`` read it, so their line on the files they do not
    read does not name it (it named Takeout's sidecars "not read": Round 21)."""
    path = Path(path)
    try:
        return any((path.parent / n).is_file() for n in photo_names_of(path.name))
    except OSError:
        return False
