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

__all__ = ["safe_name", "disk_name", "photo_labels"]


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
