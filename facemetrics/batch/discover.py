"""Finding a study's photos and their metadata: the folder convention, manifests, times.
"""

from __future__ import annotations

import difflib
import io
import math
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ..errors import FacemetricsError


#: file endings treated as photos when a folder is searched, here and by the
#: ``analyze``/``quality`` commands (:func:`find_study_photos` is the one finder);
#: a file given directly by name is read whatever its suffix
PHOTO_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".tif", ".tiff", ".heic", ".heif", ".gif")


#: name of the per-session treatment-time file of the folder convention
TREATED_AT_FILE = "treated_at.txt"


@dataclass
class PhotoEntry:
    """One photo of the study and its metadata (times are ISO 8601 strings or "")."""

    path: Path
    photo: str
    subject: str = ""
    treatment: str = ""
    taken_at: str = ""
    treated_at: str = ""
    note: str = ""
    sha256: str = ""


def find_study_photos(folder: Path) -> list[Path]:
    """Photos below ``folder`` (recursive), sorted: the one photo finder of the package.

    A photo is a file (or a symlink, even dangling or looping: it gets an
    ``unreadable`` row) whose suffix is in :data:`PHOTO_SUFFIXES`, case
    ignored.  Anything with a hidden part in its path below ``folder`` (a
    name starting with ``.``: ``.DS_Store``, ``.git/``, the output's
    ``.cache/``) is skipped.  Used by ``batch`` and by the CLI's folder
    arguments (``analyze``, ``quality``).
    """
    out = []
    for f in sorted(Path(folder).rglob("*")):
        rel = f.relative_to(folder)
        if any(part.startswith(".") for part in rel.parts):
            continue
        # dangling or looping symlinks are kept: they get an "unreadable" row like any bad file
        if (f.is_file() or f.is_symlink()) and f.suffix.lower() in PHOTO_SUFFIXES:
            out.append(f)
    return out


def parse_time(value) -> datetime | None:
    """ISO 8601 text (or EXIF-style ``YYYY:MM:DD HH:MM:SS``) -> datetime; None when empty/invalid."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, datetime):
        return value
    s = str(value).strip()
    if not s:
        return None
    if len(s) >= 19 and s[4] == ":" and s[7] == ":":
        s = s[:4] + "-" + s[5:7] + "-" + s[8:]
    if s.endswith("Z"):
        s = s[:-1] + "+00:00"
    try:
        return datetime.fromisoformat(s)
    except ValueError:
        return None


def hours_between(taken_at, treated_at) -> float:
    """Hours from ``treated_at`` to ``taken_at`` (NaN when either is missing).

    Both aware: compared as instants; otherwise as wall-clock times.
    """
    a, b = parse_time(taken_at), parse_time(treated_at)
    if a is None or b is None:
        return float("nan")
    if (a.tzinfo is None) != (b.tzinfo is None):
        a, b = a.replace(tzinfo=None), b.replace(tzinfo=None)
    return (a - b).total_seconds() / 3600.0


class ManifestError(FacemetricsError, ValueError):
    """The manifest CSV cannot be used (the message names the file, row and column)."""

    status = "bad_manifest"


#: columns a manifest may have (``photo`` is required)
MANIFEST_COLUMNS = ("photo", "subject", "treatment", "taken_at", "treated_at")


def _manifest_key(value: str) -> str:
    """Normalised relative photo path: ``/``-separated, no ``./``, no doubled ``/``."""
    import posixpath

    key = str(value).replace("\\", "/").strip()
    return posixpath.normpath(key) if key else ""


def _read_manifest(manifest: Path) -> dict[str, dict]:
    """``{normalised photo path: metadata (+ "_row": line number)}`` from a manifest CSV.

    Read as UTF-8 (a BOM is allowed), else as Latin-1 (Windows spreadsheets);
    the separator (``,``, ``;`` or tab) is sniffed from the header line.
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
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    lines = text.splitlines()
    if not any(ln.strip() for ln in lines):
        raise ManifestError(f"manifest {manifest} is empty (need a header line: {', '.join(MANIFEST_COLUMNS)})")
    header_line = next(ln for ln in lines if ln.strip())
    sep = max((",", ";", "\t"), key=header_line.count)
    reader = csv.reader(io.StringIO(text), delimiter=sep)
    rows = [(i, r) for i, r in enumerate(reader, 1) if any(c.strip() for c in r)]
    (hline, header), body = rows[0], rows[1:]
    header = ["_".join(h.strip().lower().split()) for h in header]
    unknown = [h for h in header if h not in MANIFEST_COLUMNS]
    for col in MANIFEST_COLUMNS:  # a renamed column is an error; extra columns (e.g. notes) are kept out
        if col not in header:
            near = difflib.get_close_matches(col, unknown, n=1, cutoff=0.6)
            if near or col == "photo":
                hint = f"; column {near[0]!r} looks like it: rename it to {col!r}" if near else ""
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
        if key in out:
            if {k: out[key][k] for k in meta} != meta:
                raise ManifestError(f"manifest {manifest} rows {out[key]['_row']} and {line}, column 'photo': "
                                    f"{key!r} is listed twice with different metadata")
            continue
        out[key] = {**meta, "_row": line}
    return out


def _convention(folder: Path, path: Path) -> dict:
    rel = path.relative_to(folder)
    parts = rel.parts[:-1]
    meta = {"subject": parts[0] if len(parts) >= 1 else "", "treatment": parts[1] if len(parts) >= 2 else "",
            "taken_at": "", "treated_at": "", "session_dir": ""}
    d = path.parent
    while True:
        f = d / TREATED_AT_FILE
        if f.is_file():
            text = f.read_text(encoding="utf-8").strip().splitlines()
            meta["treated_at"] = text[0].strip() if text else ""
            meta["session_dir"] = str(d.relative_to(folder).as_posix())
            break
        if d == folder or folder not in d.parents:
            break
        d = d.parent
    return meta


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
    meta = _read_manifest(Path(manifest)) if manifest is not None else None
    entries = []
    listed = set()
    for path in find_study_photos(folder):
        rel = path.relative_to(folder).as_posix()
        if meta is not None and Path(manifest).resolve() == path.resolve():
            continue
        if meta is None:
            m = _convention(folder, path)
            note = "" if m["treated_at"] else f"no {TREATED_AT_FILE} for this photo's folder"
        elif rel in meta:
            m, note = meta[rel], ""
            listed.add(rel)
        else:
            m, note = {"subject": "", "treatment": "", "taken_at": "", "treated_at": ""}, "not in manifest"
        entries.append(PhotoEntry(path=path, photo=rel, subject=m["subject"], treatment=m["treatment"],
                                  taken_at=m["taken_at"], treated_at=m["treated_at"], note=note))
    if meta is not None:  # listed but not found: a row each, never silently dropped
        for rel, m in meta.items():
            if rel not in listed:
                entries.append(PhotoEntry(
                    path=folder / rel, photo=rel, subject=m["subject"], treatment=m["treatment"],
                    taken_at=m["taken_at"], treated_at=m["treated_at"],
                    note=f"listed in manifest row {m['_row']} but not found in {folder}"))
        entries.sort(key=lambda e: e.photo)
    return entries
