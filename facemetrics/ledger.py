"""The ledger of the output files facemetrics wrote in a folder: which bytes each one had.

A CSV facemetrics wrote and the user then edited in a spreadsheet (a column added, notes typed in,
re-saved with the header kept) still carries facemetrics' mark (:mod:`facemetrics.outputs`), so the mark
alone would let a re-run replace it and lose the edits.  So every output file facemetrics writes
(:func:`facemetrics.export.atomic_write` with ``record=True``: the tables, figures, JSON and ``report.md``
of every command; not the batch's ``.cache/``) is entered in a small JSON file in its folder,
:data:`LEDGER_NAME`, with its size, SHA-256 and the version that wrote it; :func:`changed_since_written`
tells a file that still has those bytes from one changed since.  A spreadsheet's re-save alone (line
endings, quoting, a byte-order mark) changes the bytes: it counts as a change, the user's file to keep.

The ledger::

    {"facemetrics_version": "0.2.44", "about": "...",
     "files": {"photos.csv": {"size": 1234, "sha256": "9f2c...", "facemetrics_version": "0.2.44",
                              "previous": {"size": 1200, "sha256": "77ab..."}}, ...}}

- It is replaced atomically (a temporary file and ``os.replace``) under an exclusive lock of the folder
  (``fcntl.flock`` on the folder itself, where the system has it; not on Windows), as is each output file
  with it, so two runs writing into one folder leave a ledger that matches the files.
- Kill-safe: a file's entry is written before the file is replaced, with the new bytes' size and hash
  and, as ``previous``, the bytes there before (facemetrics' too: those of the earlier entry, or of an
  earlier version's file); either is accepted, so a kill between the two steps leaves a file the ledger
  accepts.  One ledger write per output file (``bench/bench_ledger.py``).
- A file without an entry (written by facemetrics 0.2.15 or earlier, or its folder copied without the
  ledger) is judged by its mark alone, as before; an unreadable or foreign ledger counts as empty and is
  replaced by the next write.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from pathlib import Path

from ._version import __version__

__all__ = ["LEDGER_NAME", "changed_since_written", "file_digest", "forget", "replace_recorded", "written_by"]

#: the ledger's file name in each output folder (hidden: a dot file)
LEDGER_NAME = ".facemetrics-outputs"

_ABOUT = ("the files facemetrics wrote in this folder, with their size (bytes) and SHA-256: a re-run replaces "
          "such a file only while it still has these bytes (facemetrics.ledger)")


@contextlib.contextmanager
def folder_lock(folder):
    """Hold an exclusive lock of ``folder`` (``fcntl.flock`` on the folder's own descriptor) while the
    block runs; no lock where the system has no ``flock`` (Windows) or the folder cannot be opened.
    Not re-entrant: a block holding it must not take it again."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        yield
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        yield
        return
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
        except OSError:  # pragma: no cover - a file system without locks
            pass
        yield
    finally:
        os.close(fd)  # releases the lock


def file_digest(path) -> tuple[int, str]:
    """``(size in bytes, hex SHA-256)`` of the file ``path``, read in 1 MiB blocks.

    Raises
    ------
    OSError
        The file cannot be read.
    """
    h, n = hashlib.sha256(), 0
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
            n += len(block)
    return n, h.hexdigest()


def _read(folder: Path) -> dict[str, dict]:
    """The ledger's ``files`` of ``folder``; ``{}`` when there is none, or it cannot be read or is not a
    ledger (a file the user put there under its name)."""
    try:
        obj = json.loads((folder / LEDGER_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    files = obj.get("files") if isinstance(obj, dict) else None
    return {k: v for k, v in files.items() if isinstance(v, dict)} if isinstance(files, dict) else {}


def written_by(path) -> str:
    """The facemetrics version the ledger of ``path``'s folder says last wrote the file ``path``; "" when it names
    none (no ledger: a folder copied without it, or a file facemetrics did not write).  `timeline` reads it to tell
    a one-row table's version whole or cut (:func:`facemetrics.batch.timeline._whole_version`, stop 66)."""
    version = _read(Path(path).parent).get(Path(path).name, {}).get("facemetrics_version", "")
    return version if isinstance(version, str) else ""


def _write(folder: Path, files: dict[str, dict], prune: bool = False) -> None:
    """Replace ``folder``'s ledger by one of ``files`` (atomically; ``prune``: the entries of files no
    longer there dropped, as :func:`forget` does, not each write: a stat per entry per write took a third
    of the writes' time, ``bench/bench_ledger.py``); with none left, remove it (a folder whose outputs were
    all removed is left as it was).  One JSON line (the C encoder; ``indent`` would take the slow one)."""
    files = {k: v for k, v in sorted(files.items()) if not prune or (folder / k).is_file()}
    if not files:
        (folder / LEDGER_NAME).unlink(missing_ok=True)
        return
    text = json.dumps({"facemetrics_version": __version__, "about": _ABOUT, "files": files}) + "\n"
    fd, tmp = tempfile.mkstemp(prefix=f"{LEDGER_NAME}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(text.encode("utf-8"))
        os.replace(tmp, folder / LEDGER_NAME)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _entry(size: int, sha256: str) -> dict:
    return {"size": int(size), "sha256": sha256, "facemetrics_version": __version__}


def _bytes_there(path: Path, entry: dict) -> dict:
    """``{"size", "sha256"}`` of the entry's record (its own, or its ``previous``) that the file ``path``
    has now: by size, hashed only when both have its size; the entry's own when neither does."""
    there = path.stat().st_size if path.is_file() else None
    records = [r for r in (entry, entry.get("previous")) if isinstance(r, dict)]
    same = [r for r in records if r.get("size") == there]
    if len(same) > 1:
        digest = file_digest(path)[1]
        same = [r for r in same if r.get("sha256") == digest] or same
    return {k: (same or records)[0].get(k) for k in ("size", "sha256")}


def replace_recorded(tmp, path, size: int, sha256: str) -> None:
    """Replace ``path`` by the finished temporary file ``tmp`` (same folder; ``size`` bytes of hex SHA-256
    ``sha256``) and enter it in the folder's ledger, under the folder's lock (module docstring).

    The entry is written first, with the bytes there before as its ``previous`` (those of the earlier
    entry, or of an earlier version's file without one), so a kill between the two steps leaves a file
    the ledger accepts; one ledger write per output.

    Raises
    ------
    OSError
        The file or the ledger could not be written (``tmp`` is left for the caller to remove).
    """
    path = Path(path)
    folder, name = path.parent, path.name
    with folder_lock(folder):
        files = _read(folder)
        entry = _entry(size, sha256)
        old = files.get(name)
        if old is not None:  # the bytes there now: the entry's, or its previous ones after a kill
            entry["previous"] = _bytes_there(path, old)
        elif path.is_file() and not path.is_symlink():  # a file of an earlier version, not entered
            entry["previous"] = dict(zip(("size", "sha256"), file_digest(path)))
        files[name] = entry
        _write(folder, files)
        os.replace(tmp, path)


def forget(path) -> None:
    """Drop ``path``'s entry from its folder's ledger (a removed output); nothing when it has none."""
    path = Path(path)
    with folder_lock(path.parent):
        files = _read(path.parent)
        if files.pop(path.name, None) is not None:
            _write(path.parent, files, prune=True)


def _matches(entry: dict, size: int, digest) -> bool:
    """Whether a file of ``size`` bytes (``digest()`` its hex SHA-256, computed only when a size matches)
    has the bytes of ``entry`` or of its ``previous`` ones."""
    sizes = [(e.get("size"), e.get("sha256")) for e in (entry, entry.get("previous") or {}) if isinstance(e, dict)]
    hashes = [h for s, h in sizes if s == size and isinstance(h, str)]
    return bool(hashes) and digest() in hashes


def changed_since_written(path) -> str:
    """Whether the regular file ``path`` was changed since facemetrics wrote it, by its folder's ledger.

    Parameters
    ----------
    path : path-like
        A regular file (its name is looked up in the ledger of its folder).

    Returns
    -------
    str
        ``""`` when it has the bytes the ledger holds for it, or the ledger has no entry for it (a file of
        an earlier version: its mark alone decides, :mod:`facemetrics.outputs`); else why, for a message:
        ``"changed since facemetrics wrote it: ..."``, or the system's reason it could not be read.
    """
    path = Path(path)
    with folder_lock(path.parent):
        entry = _read(path.parent).get(path.name)
        if entry is None:
            return ""
        try:
            size = path.stat().st_size
            if _matches(entry, size, lambda: file_digest(path)[1]):
                return ""
        except OSError as exc:
            return exc.strerror or str(exc)
    return f"changed since facemetrics wrote it: edited or re-saved, its bytes differ from those in {LEDGER_NAME}"
