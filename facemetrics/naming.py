"""The names a study store's photos are reported by: the user's file names made safe and unique.

:func:`photo_labels` gives each stored photo the name a report, table and message shows it by
(the file name the user gave, unique ignoring letter case); :func:`safe_name` makes a name one
path part; :func:`disk_name` the name of a report's link to the photo (a name that was not UTF-8
gets its bytes back).  Rows in, names out; no files.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import legible

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["safe_name", "disk_name", "photo_labels", "download_part", "download_name", "download_names"]


def safe_name(text: str, fallback: str) -> str:
    """A user's file (or subject) name as one path part: this system's path separators (``/``; ``\\`` too
    on Windows) and control characters as ``_``, surrounding spaces dropped (a manifest cell is read
    stripped); ``fallback`` when nothing is left, or it is ``.`` or ``..``.  A backslash is kept where it
    is no separator: a name that is not UTF-8 is stored as :func:`~facemetrics.errors.legible` shows it
    (``caf\\xe9.jpg``), and the report shows it so, as ``analyze`` and ``batch`` do (it read
    ``caf_xe9.jpg``)."""
    seps = {os.sep, os.altsep} - {None}
    out = "".join("_" if c in seps or ord(c) < 32 else c for c in str(text or "")).strip()
    return fallback if out in ("", ".", "..") else out


def disk_name(label: str) -> str:
    """The name to give a report's link to a photo labelled ``label`` (:func:`photo_labels`): a name that
    was not UTF-8 is stored as :func:`~facemetrics.errors.legible` shows it (``caf\\xe9.jpg``); its link gets
    those bytes back (``\\xNN`` of 0x80-0xff as PEP 383 surrogates), so the batch reads a name that is not
    UTF-8 and shows ``caf\\xe9.jpg`` as ``analyze`` and ``batch`` do.  Anything else, and an escape whose
    bytes would read otherwise (valid UTF-8), is kept as it is."""
    back = re.sub(r"\\x([89a-f][0-9a-f])", lambda m: chr(0xDC00 + int(m.group(1), 16)), label)
    return back if back != label and legible(os.fsdecode(os.fsencode(back))) == label else label


def photo_labels(photos: pd.DataFrame, pooled: bool) -> list[str]:
    """The name each photo of :meth:`~facemetrics.store.Store.photos` is reported by: the file name the user gave
    (``original_name``; the stored copy's name when the store has none), below the subject's
    name when ``pooled``.  Names are made unique, letter case ignored (one file on a
    case-insensitive disk), in the order the photos were added (a name once shown stays):
    a later ``IMG_0001.jpg`` is ``IMG_0001~<8 hex digits of its copy's SHA-256>.jpg``."""
    order = sorted(range(len(photos)), key=lambda i: int(photos["id"].iloc[i]))
    taken: set[str] = set()
    out = [""] * len(photos)
    for i in order:
        r = photos.iloc[i]
        name = safe_name(r["original_name"], Path(r["file"]).name)
        stem, ext = os.path.splitext(name)
        stem = stem.encode()[:200].decode(errors="ignore") or "photo"  # room for the suffix: under 255 bytes
        prefix = safe_name(r["subject"], "subject") + "/" if pooled else ""
        label, n = prefix + stem + ext, 1
        while label.casefold() in taken:
            label = f"{prefix}{stem}~{r['file_sha256'][:8]}" + (f"-{n}" if n > 1 else "") + ext
            n += 1
        taken.add(label.casefold())
        out[i] = label
    return out


# --------------------------------------------------------------------------------------------------------------------
# the app's downloads: each named after what it holds

#: the longest name a download gets, in UTF-8 bytes: 255 is the limit of ext4, APFS and NTFS (UTF-16 units there),
#: and a browser adds " (1)" to a second copy; a Windows path's 260 characters leave room for the Downloads folder
DOWNLOAD_NAME_BYTES = 150
#: the longest part one photo (or subject) name takes in a download's name, in UTF-8 bytes
DOWNLOAD_PART_BYTES = 48
#: characters no file name may hold on Windows (``/`` and ``\\`` are path separators, ``:`` too on macOS' Finder)
_FORBIDDEN = set('<>:"/\\|?*')
#: the kinds of download the app offers and what the names of :func:`download_names` end with
DOWNLOAD_KINDS = ("photos.csv", "comparison.csv", "comparison_all_pairs.csv", "overlay.png", "timeline.csv",
                  "timeline.png", "long.csv")


def _cut_bytes(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` UTF-8 bytes, not inside a character nor before a combining mark it carries."""
    import unicodedata

    out = text.encode()[:limit].decode(errors="ignore")
    while out and len(out) < len(text) and unicodedata.combining(text[len(out)]):
        out = out[:-1]
    return out


def download_part(name: str, fallback: str = "photo", limit: int = DOWNLOAD_PART_BYTES, *, file: bool = True) -> str:
    """One photo's (or a subject's) name as a part of a download's file name, safe on every system: its stem (a
    file name's last suffix dropped), Unicode kept (NFC), a character some system refuses (:data:`_FORBIDDEN`: a
    slash, a backslash; a control or formatting character, a dot) and spaces as ``_``, runs of ``_`` as one, none
    leading or trailing; cut to ``limit`` UTF-8 bytes with 6 hex digits of the name's SHA-1 after it (two long names
    that share their start keep apart); ``fallback`` when nothing is left.  ``file=False``: a subject's name, whose
    last dot starts no suffix ("J. Doe")."""
    import hashlib
    import unicodedata

    text = unicodedata.normalize("NFC", str(name or ""))
    stem = text.rsplit(".", 1)[0] if file and "." in text.lstrip(".") else text
    # a separator, a character Windows refuses, a control or formatting character (a right-to-left override turns
    # "evil\u202egpj.exe" round), a space of any kind, a dot (Windows reads "CON.x..." as the device CON)
    safe = "".join("_" if c in _FORBIDDEN or c == "." or unicodedata.category(c)[0] in "CZ" else c for c in stem)
    safe = re.sub(r"_+", "_", safe).strip("_-")
    if len(safe.encode()) > limit:
        digest = hashlib.sha1(text.encode(errors="surrogatepass")).hexdigest()[:6]
        safe = _cut_bytes(safe, limit - 7).rstrip("_-") + "-" + digest
    return safe or fallback


def download_name(kind: str, *parts: str, limit: int = DOWNLOAD_NAME_BYTES) -> str:
    """A download's file name: ``parts`` (already :func:`download_part`) joined by ``_``, then ``kind`` (e.g.
    ``comparison.csv``: the name ends ``_comparison.csv``), cut to ``limit`` UTF-8 bytes from the parts' end; ``kind``
    alone without parts."""
    stem = "_".join(p for p in parts if p)
    room = limit - len(kind.encode()) - 1
    if len(stem.encode()) > room:
        stem = _cut_bytes(stem, room).rstrip("_-")
    return f"{stem}_{kind}" if stem else kind


def download_names(kinds, photos: list[str], pair: tuple[str, str] | None = None, example: bool = False) -> dict:
    """``{kind: file name}`` of the app's downloads of ``kinds`` (:data:`DOWNLOAD_KINDS`), each named after what it
    holds (two comparisons downloaded were ``comparison.csv`` and ``comparison (1).csv``): the comparison shown and
    its figure after its ``pair`` of photos, ``<before>_to_<after>_comparison.csv``; the tables of every photo
    (``photos.csv``, every pair's comparison, the timeline's) after the uploaded ``photos`` (names in upload order):
    ``<first>_and_<second>``, or ``<first>_and_<n - 1>_more``; ``example`` for the bundled example's.  A kind not known
    keeps its own name."""
    parts = [download_part(p) for p in photos]
    if example:
        upload = ["example"]
    elif len(parts) > 2:
        upload = [parts[0], "and", f"{len(parts) - 1}_more"]
    else:
        upload = [parts[0], "and", parts[1]] if len(parts) == 2 else parts
    shown = [download_part(pair[0]), "to", download_part(pair[1])] if pair else upload
    if example and pair:
        shown = ["example", *shown]
    per_pair = {"comparison.csv", "overlay.png"}
    return {k: download_name(k, *(shown if k in per_pair else upload)) if k in DOWNLOAD_KINDS else k for k in kinds}
