"""A photo's Google Photos / Takeout JSON sidecar: the capture time it keeps when the photo's EXIF is gone.

Google Takeout exports each photo with a JSON file beside it, ``IMG_1234.jpg.json`` (newer exports:
``IMG_1234.jpg.supplemental-metadata.json``, its ending cut short when the whole name would pass 51 characters:
``.supplemental-metad.json``, ``.supp.json``), whose ``photoTakenTime.timestamp`` is the capture time in UTC
epoch seconds (``creationTime`` is the upload's, not read); the photo itself sometimes comes back with its EXIF
stripped.  :func:`sidecar_time` reads that time as ISO 8601 in UTC written with ``Z``
(:func:`facemetrics.timekeys.utc_instant`: an instant whose local offset is not known); the capture-time chain
(:func:`facemetrics.timekeys.capture_time_of`) uses it after the EXIF time and before the file name's, with
``taken_at_source`` ``sidecar``.  A local file read, no network; a sidecar that is not there, too large, not
JSON or without a time in :data:`facemetrics.timekeys.NAME_YEARS` gives ``""``.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

__all__ = ["sidecar_paths", "sidecar_time", "is_sidecar", "SIDECAR_SOURCE"]

#: ``taken_at_source`` of a time read from a sidecar
SIDECAR_SOURCE = "sidecar"
_SUPPLEMENTAL = "supplemental-metadata"
_MAX_BYTES = 1 << 20  # a Takeout sidecar is a few hundred bytes


def sidecar_paths(photo) -> list[Path]:
    """The sidecar files of ``photo`` that exist, in the order read: ``NAME.json``, then
    ``NAME.supplemental-metadata.json`` or one with that word cut short (``NAME.supp.json``)."""
    photo = Path(photo)
    try:
        folder = photo.parent
        plain = folder / f"{photo.name}.json"
        found = [plain] if plain.is_file() else []
        prefix = f"{photo.name}."
        for p in sorted(folder.glob(f"{_glob_escape(photo.name)}.*.json")):
            middle = p.name[len(prefix):-len(".json")]
            if middle and _SUPPLEMENTAL.startswith(middle) and p.is_file():
                found.append(p)
        return found
    except OSError:
        return []


def _glob_escape(name: str) -> str:
    return "".join(f"[{c}]" if c in "*?[" else c for c in name)


def sidecar_time(photo) -> str:
    """The capture time the sidecar of ``photo`` keeps (``photoTakenTime.timestamp``), as ISO 8601 in UTC with
    ``Z`` (``2026-10-24T09:34:12Z``); ``""`` when it has no sidecar or none with a readable time."""
    from .timekeys import NAME_YEARS

    for path in sidecar_paths(photo):
        try:
            if path.stat().st_size > _MAX_BYTES:
                continue
            data = json.loads(path.read_text(encoding="utf-8-sig"))
            stamp = int(str(data["photoTakenTime"]["timestamp"]).strip())
            when = datetime.fromtimestamp(stamp, timezone.utc)
        except (OSError, ValueError, KeyError, TypeError, OverflowError, UnicodeDecodeError):
            continue
        if stamp > 0 and NAME_YEARS[0] <= when.year <= NAME_YEARS[1]:
            return when.strftime("%Y-%m-%dT%H:%M:%SZ")
    return ""


def is_sidecar(path) -> bool:
    """True for a sidecar of a file beside it (``IMG_1234.jpg.json`` with ``IMG_1234.jpg`` in the same folder,
    :func:`sidecar_paths`' names): ``batch`` and ``study import`` read it, so their line on the files they do not
    read does not name it (it named Takeout's sidecars "not read": Round 21)."""
    path = Path(path)
    name = path.name
    if not name.lower().endswith(".json"):
        return False
    stem = name[:-len(".json")]
    try:
        if (path.parent / stem).is_file():
            return True
        base, _, middle = stem.rpartition(".")
        return bool(base and middle) and _SUPPLEMENTAL.startswith(middle) and (path.parent / base).is_file()
    except OSError:
        return False
