"""The batch cache: settings keys, content hashes, JSON entries that are validated before use.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from .._version import __version__
from ..export import json_default, json_finite, write_bytes
from ..schema import PHOTO_COLUMNS


_CACHE_DIR = ".cache"


def run_settings(mm_per_px, ipd_mm, fast) -> dict:
    """The settings a photo's measurement depends on (the mm scale given, the fast decode, this
    version): part of every cache key, so that the batch and the study store
    (:meth:`facemetrics.store.Store.analysis`) key a photo's measurement alike."""
    return {"mm_per_px": mm_per_px, "ipd_mm": ipd_mm, "fast": bool(fast), "version": __version__}


def settings_key(settings: dict) -> str:
    """The 12 hex digits that name :func:`run_settings` in cache files and the store's ``analyses``."""
    return hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()[:12]


def _file_sha256(path: Path) -> str:
    """Hex SHA-256 of a file's bytes; a :class:`facemetrics.errors.PhotoError` (``unreadable``) for a
    path that is not a regular file (a FIFO would block ``open`` forever), never opened."""
    from ..loader import check_regular_file

    check_regular_file(path)
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _roundtrip(obj):
    """JSON round trip: what is stored is exactly what is used (clean and resumed runs agree)."""
    return json.loads(json.dumps(json_finite(obj), allow_nan=False, default=json_default))


def _store(path: Path, obj) -> None:
    text = json.dumps(obj, allow_nan=False, sort_keys=True)
    write_bytes(text.encode("utf-8"), path, record=False)  # a cache entry, not an output


def _load(path: Path):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _valid_cached(stage: str, obj) -> bool:
    """Is a stored cache entry of the shape this version writes? (else it is recomputed)

    ``photo``: a dict with every column of :data:`PHOTO_COLUMNS`, a non-empty
    ``status`` string and this version's ``facemetrics_version``.
    ``compare``: a dict with a non-empty ``status`` string other than
    ``error``, a ``messages`` list of strings and a ``rows`` list of dicts.
    """
    if not isinstance(obj, dict):
        return False
    if stage == "photo":
        return (all(c in obj for c in PHOTO_COLUMNS) and isinstance(obj.get("status"), str)
                and bool(obj["status"]) and obj.get("facemetrics_version") == __version__)
    return (isinstance(obj.get("status"), str) and obj["status"] not in ("", "error")
            and isinstance(obj.get("messages"), list) and all(isinstance(m, str) for m in obj["messages"])
            and isinstance(obj.get("rows"), list) and all(isinstance(r, dict) for r in obj["rows"]))


def _cached(stage: str, cache_file: Path):
    """The valid cache entry at ``cache_file``, or None."""
    stored = _load(cache_file) if cache_file.is_file() else None
    return stored if stored is not None and _valid_cached(stage, stored) else None
