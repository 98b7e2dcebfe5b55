"""Study folders: measure every photo, then every post-treatment change.

:func:`run_batch` turns a folder of dated photos into three tables in an
output folder ``DIR``:

``DIR/photos.csv``
    One row per photo found (bad photos included, with ``status``/``error``):
    the columns of :data:`facemetrics.schema.PHOTO_COLUMNS` plus
    :data:`BATCH_COLUMNS` (``treatment``, ``treated_at``,
    ``hours_since_treatment`` [h], ``role``, ``excluded``).
``DIR/changes.csv``
    One row per photo compared with its session's baseline (wide): the
    change of every metric and side returned by
    :func:`facemetrics.compare.compare_photos`, each with its noise floor and
    verdict.  See :data:`CHANGE_COLUMNS` for the fixed leading columns.
``DIR/long.csv``
    The same changes as a tidy table (``subject, treatment,
    hours_since_treatment, metric, side, value, unit, noise_floor, photo,
    taken_at, treated_at``), the input of
    :func:`facemetrics.decay.analyze_series` and of plotting tools.

Metadata
--------
With a manifest CSV (``manifest=``) the columns are ``photo`` (path relative
to the folder, ``/``-separated), ``subject``, ``treatment``, ``taken_at``
(ISO 8601; when empty the photo's EXIF ``DateTimeOriginal`` is used) and
``treated_at`` (ISO 8601 time of the treatment session the photo belongs to).
Photos found in the folder but missing from the manifest are measured and
reported with ``excluded = "not in manifest"``; photos listed but not found
get an ``unreadable`` row saying which manifest row lists them.  The
manifest is read as UTF-8 or Latin-1, with ``,``, ``;`` or tab separators
(sniffed); a missing or renamed column, an empty file or a photo listed
twice with different metadata raises :class:`ManifestError` naming the
file, row and column (see :func:`_read_manifest`).  Dangling or looping
symbolic links in the folder get ``unreadable`` rows like any bad file.

Without a manifest the **folder convention** is::

    FOLDER/<subject>/<treatment>/[<session>/]photo.jpg

with the treatment time in a text file ``treated_at.txt`` (one ISO 8601 time)
in the photo's folder or the nearest parent folder below ``FOLDER``; the
folder holding that file is the session.  Capture times come from EXIF.
Photos without a capture time or without a treatment time are measured and
reported (``excluded``), never guessed.

Times: ``hours_since_treatment = (taken_at - treated_at)`` in hours.  When
both times carry a UTC offset they are compared as instants; otherwise as
wall-clock times (offsets dropped), which is right for photos and treatment
logged in the same local time.

Sessions and baselines
----------------------
A session is (subject, treatment, treated_at).  Its photos taken before
``treated_at`` are the **baseline**; each photo taken at or after it is
compared with the baseline (first baseline photo by time as the reference,
the others as ``before_repeats``, so the baseline is their average).  When a
session has two or more baseline photos, each baseline photo is also
compared with the others (leave-one-out) and appears with its negative
``hours_since_treatment``: a measured zero-change observation that the decay
fit uses as such.

Parallelism, resumability, determinism
--------------------------------------
Photos are measured and compared in worker processes
(:class:`concurrent.futures.ProcessPoolExecutor`, ``spawn`` start method;
each worker builds its Face Mesh once and reuses it; ``workers=1`` runs in
this process).  Every finished photo analysis is stored at once, atomically,
as ``DIR/.cache/photo/<sha256>-<settings>.json`` and every comparison as
``DIR/.cache/compare/<key>.json``; a re-run skips everything already stored
(same file content and same settings; an entry of the wrong shape or of
another facemetrics version is recomputed), so a run killed half-way loses
only the work in flight.  Workers end when the run's process dies (even by
``kill -9``: ``PR_SET_PDEATHSIG`` on Linux plus a watchdog thread), ignore
Ctrl-C (the parent stops them) and are terminated at once when the run is
interrupted.  The comparison step re-decodes and re-measures the
photos it compares (analyses are not shipped between processes); each worker
keeps the last few analyses in memory so a session's baseline is measured
once per worker.  Tables are sorted (subject, treatment, taken_at, photo) and
floats are written with 6 significant digits from the stored values, so a
resumed run writes byte-identical CSVs to a clean run.
"""

from __future__ import annotations

import difflib
import hashlib
import io
import json
import math
import os
import sys
import time
from collections import OrderedDict
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

from ._version import __version__
from .errors import FacemetricsError
from .export import json_default, json_finite, rows_frame, write_bytes, write_csv
from .report import timeline_markdown
from .schema import PHOTO_COLUMNS, side_column

__all__ = [
    "BATCH_COLUMNS",
    "CHANGE_COLUMNS",
    "LONG_COLUMNS",
    "BatchResult",
    "PhotoEntry",
    "discover",
    "run_batch",
    "change_column",
]

#: file endings treated as photos when a folder is searched, here and by the
#: ``analyze``/``quality`` commands (:func:`find_study_photos` is the one finder);
#: a file given directly by name is read whatever its suffix
PHOTO_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".tif", ".tiff", ".heic", ".heif", ".gif")

#: columns added to ``photos.csv`` after :data:`PHOTO_COLUMNS`
BATCH_COLUMNS = ["treatment", "treated_at", "hours_since_treatment", "role", "excluded"]

#: leading columns of ``changes.csv`` (metric columns follow)
CHANGE_COLUMNS = [
    "subject", "treatment", "photo", "baseline_photos", "n_baseline", "taken_at", "treated_at",
    "hours_since_treatment", "role", "status", "messages",
]

#: columns of ``long.csv``
LONG_COLUMNS = [
    "subject", "treatment", "hours_since_treatment", "metric", "side", "value", "unit", "noise_floor",
    "verdict", "photo", "taken_at", "treated_at",
]

#: name of the per-session treatment-time file of the folder convention
TREATED_AT_FILE = "treated_at.txt"

_CACHE_DIR = ".cache"


# --------------------------------------------------------------------------
# discovery and metadata
# --------------------------------------------------------------------------


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


# --------------------------------------------------------------------------
# settings, cache
# --------------------------------------------------------------------------


def _settings(mm_per_px, ipd_mm, fast) -> dict:
    return {"mm_per_px": mm_per_px, "ipd_mm": ipd_mm, "fast": bool(fast), "version": __version__}


def _settings_key(settings: dict) -> str:
    return hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()[:12]


def _file_sha256(path: Path) -> str:
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
    write_bytes(text.encode("utf-8"), path)


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


# --------------------------------------------------------------------------
# worker side
# --------------------------------------------------------------------------

_WORKER_ANALYSES: "OrderedDict[tuple, object]" = OrderedDict()
_WORKER_KEEP = 12


#: a worker checks this often (s) whether the process that started it is still alive
_WATCHDOG_PERIOD_S = 0.5


def _exit_with_parent(parent_pid: int) -> None:
    """Make this worker process end when its parent (the batch run) dies.

    Linux: ``prctl(PR_SET_PDEATHSIG, SIGKILL)`` (the kernel kills the worker
    when the parent dies, even by ``kill -9``). Everywhere: a daemon thread
    that polls ``os.getppid()`` every :data:`_WATCHDOG_PERIOD_S` seconds and
    ends the worker with ``os._exit`` once the parent is gone (reparented).
    Ctrl-C in a terminal reaches the whole process group: workers ignore
    SIGINT and leave it to the parent, which stops them.
    """
    import signal
    import threading

    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    except ValueError:  # pragma: no cover - not the main thread
        pass
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, int(signal.SIGKILL), 0, 0, 0)  # 1 = PR_SET_PDEATHSIG
        except (OSError, AttributeError):  # pragma: no cover - no prctl: the watchdog still works
            pass
    if os.getppid() != parent_pid:  # the parent died before prctl took effect
        os._exit(1)

    def watch() -> None:
        while True:
            time.sleep(_WATCHDOG_PERIOD_S)
            if os.getppid() != parent_pid:
                os._exit(1)

    threading.Thread(target=watch, name="facemetrics-parent-watchdog", daemon=True).start()


def _worker_init(parent_pid: int | None = None) -> None:
    """Process-pool initializer: exit with the parent, quiet logs, build the Face Mesh once."""
    if parent_pid is not None:
        _exit_with_parent(parent_pid)
    os.environ.setdefault("GLOG_minloglevel", "2")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import cv2
    from threadpoolctl import threadpool_limits

    from .landmarks import detect_landmarks

    # the workers already use every core: one BLAS and one OpenCV thread each (more only wait
    # for each other; bench/bench_batch.py)
    threadpool_limits(limits=1, user_api="blas")
    cv2.setNumThreads(1)
    detect_landmarks(np.zeros((64, 64, 3), np.uint8))


def _ready() -> None:
    """No-op task: submitted once per worker so the pool starts (and loads Face Mesh) early."""


def _analysis(path: str, sha: str, settings: dict):
    """Analysis of one photo, memoised per process (small LRU)."""
    from .analyze import analyze_photo

    key = (sha, json.dumps(settings, sort_keys=True))
    if key in _WORKER_ANALYSES:
        _WORKER_ANALYSES.move_to_end(key)
        return _WORKER_ANALYSES[key]
    res = analyze_photo(path, mm_per_px=settings["mm_per_px"], ipd_mm=settings["ipd_mm"], fast=settings["fast"])
    _WORKER_ANALYSES[key] = res
    while len(_WORKER_ANALYSES) > _WORKER_KEEP:
        _WORKER_ANALYSES.popitem(last=False)
    return res


def _task_analyze(path: str, sha: str, settings: dict, cache_file: str) -> dict:
    """Measure one photo, store its row, return the stored row."""
    try:
        res = _analysis(path, sha, settings)
        row = res.to_row()
    except Exception as exc:  # analyze_photo does not raise for bad photos; belt and braces
        row = dict.fromkeys(PHOTO_COLUMNS, None)
        row.update(status="error", error=f"{type(exc).__name__}: {exc}", facemetrics_version=__version__)
    row = _roundtrip(row)
    _store(Path(cache_file), row)
    return row


def _task_compare(before: list[tuple[str, str]], after: tuple[str, str], settings: dict, cache_file: str) -> dict:
    """Compare one photo with its baseline photo(s); store and return the result."""
    try:
        ana_before = [_analysis(p, s, settings) for p, s in before]
        ana_after = _analysis(after[0], after[1], settings)
        from .compare import compare_photos

        comp = compare_photos(ana_before[0], ana_after, before_repeats=tuple(ana_before[1:]))
        out = {"status": str(comp.status), "messages": [str(m) for m in comp.messages],
               "rows": comp.to_frame().to_dict("records")}
    except Exception as exc:
        out = {"status": "error", "messages": [f"{type(exc).__name__}: {exc}"], "rows": []}
    out = _roundtrip(out)
    if out["status"] != "error":  # errors are retried by the next run
        _store(Path(cache_file), out)
    return out


def _cached(stage: str, cache_file: Path):
    """The valid cache entry at ``cache_file``, or None."""
    stored = _load(cache_file) if cache_file.is_file() else None
    return stored if stored is not None and _valid_cached(stage, stored) else None


def _task_session(items: list, settings: dict, cache_dir: str, skey: str) -> dict:
    """Measure one session's photos, then make the session's comparisons in this process.

    ``items`` are ``(index, PhotoEntry, photo_cache_file)``.  The comparisons are
    found by the study's one pairing rule (:func:`_comparison_jobs`) on the
    session's rows, and use the analyses just made (the per-process memo), so
    every photo is decoded and measured once.  Everything is stored in the cache
    exactly as :func:`_task_analyze` / :func:`_task_compare` store it; the main
    process then reads the comparisons from there.
    """
    rows, measured, compared = {}, 0, 0
    for i, e, cache_file in items:
        stored = _cached("photo", Path(cache_file))
        if stored is None:
            stored = _task_analyze(str(e.path), e.sha256, settings, cache_file)
            measured += 1
        rows[i] = stored
    table = sorted((_table_row(e, rows[i]) for i, e, _ in items), key=_sort_key)
    for r, base in _comparison_jobs(table):
        cache_file = _compare_cache_file(Path(cache_dir), r, base, skey)
        if _cached("compare", cache_file) is None:
            _task_compare([(b["_path"], b["sha256"]) for b in base], (r["_path"], r["sha256"]), settings,
                          str(cache_file))
            compared += 1
    return {"rows": rows, "measured": measured, "compared": compared}


# --------------------------------------------------------------------------
# the run
# --------------------------------------------------------------------------


class _Progress:
    """A one-line progress bar on stderr (a line per 10 % when not a terminal)."""

    def __init__(self, total: int, label: str, enabled: bool = True, stream=None):
        self.total, self.label, self.enabled = total, label, enabled
        self.stream = stream or sys.stderr
        self.done = 0
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.t0 = time.perf_counter()
        self._last_decile = -1

    def update(self, n: int = 1, note: str = "") -> None:
        self.done += n
        if not self.enabled or self.total == 0:
            return
        frac = self.done / self.total
        rate = self.done / max(time.perf_counter() - self.t0, 1e-9)
        bar = "#" * int(30 * frac) + "-" * (30 - int(30 * frac))
        line = f"{self.label} [{bar}] {self.done}/{self.total} ({rate:.1f}/s) {note}"
        if self.tty:
            end = "\n" if self.done >= self.total else ""
            print("\r" + line[:110].ljust(110), end=end, file=self.stream, flush=True)
        elif int(10 * frac) > self._last_decile or self.done >= self.total:
            self._last_decile = int(10 * frac)
            print(line, file=self.stream, flush=True)


@dataclass
class BatchResult:
    """What :func:`run_batch` wrote.

    Attributes
    ----------
    photos, changes, long : pandas.DataFrame
        The three tables (as written).
    out_dir : Path
    n_measured, n_cached : int
        Photos measured in this run / taken from the cache.
    n_compared, n_compare_cached : int
        Comparisons made in this run / taken from the cache.
    seconds : float
        Wall time of the run.
    excluded : list of (photo, reason)
        Photos left out of the changes and why.
    """

    photos: pd.DataFrame
    changes: pd.DataFrame
    long: pd.DataFrame
    out_dir: Path
    n_measured: int = 0
    n_cached: int = 0
    n_compared: int = 0
    n_compare_cached: int = 0
    seconds: float = 0.0
    excluded: list = field(default_factory=list)


def change_column(metric: str, side: str) -> str:
    """Wide ``changes.csv`` column of a metric/side change: :func:`facemetrics.schema.side_column`.

    ``("jawline_lift_mm", "mean") -> "jawline_lift_mm"``,
    ``("jawline_lift_mm", "right") -> "jawline_lift_right_mm"``,
    ``("nlf_depth", "left") -> "nlf_depth_left"``.
    """
    return side_column(metric, side)


def _sort_key(r: dict):
    return (str(r.get("subject") or ""), str(r.get("treatment") or ""), str(r.get("taken_at") or "~"),
            str(r.get("photo") or ""))


def _executor(workers: int):
    import multiprocessing as mp

    return ProcessPoolExecutor(max_workers=workers, mp_context=mp.get_context("spawn"), initializer=_worker_init,
                               initargs=(os.getpid(),))


class _Pool:
    """Worker processes started on first use and shared by both stages (``workers=1``: in-process).

    Until every worker has started (spawning a process and loading Face Mesh takes
    seconds), this process runs tasks itself: a small batch is then done in about
    the time of one process, and a large one loses no time to the start-up
    (``bench/bench_batch.py``).  Results do not depend on which process ran a task
    (``tests/test_batch.py`` compares 1 and 2 workers byte for byte).
    """

    def __init__(self, workers: int):
        self.workers, self.ex, self.ready = workers, None, []

    def start(self) -> None:
        """Start the worker processes now (they load Face Mesh while the caller hashes files)."""
        if self.workers > 1 and self.ex is None:
            self.ex = _executor(self.workers)
            self.ready = [self.ex.submit(_ready) for _ in range(self.workers)]

    def _all_started(self) -> bool:
        return all(f.done() for f in self.ready)

    def run(self, tasks: list[tuple[Callable, tuple]], on_done: Callable[[int, dict], None]) -> None:
        """Run ``fn(*args)`` tasks; call ``on_done(i, result)`` as each finishes."""
        if not tasks:
            return
        if self.workers <= 1:
            for i, (fn, args) in enumerate(tasks):
                on_done(i, fn(*args))
            return
        self.start()
        nxt, in_flight = 0, {}
        while nxt < len(tasks) or in_flight:
            # keep every worker busy and one task queued; the rest wait here
            while nxt < len(tasks) and len(in_flight) < self.workers + 1:
                fn, args = tasks[nxt]
                in_flight[self.ex.submit(fn, *args)] = nxt
                nxt += 1
            for fut in [f for f in in_flight if f.done()]:
                on_done(in_flight.pop(fut), fut.result())
            if nxt < len(tasks) and not self._all_started():
                fn, args = tasks[nxt]  # a worker is still starting: work here meanwhile
                nxt += 1
                on_done(nxt - 1, fn(*args))
            elif in_flight:
                wait(list(in_flight), return_when=FIRST_COMPLETED)

    def close(self, ok: bool = True) -> None:
        """Stop the workers.  After a finished run (``ok``) they are idle and every result is
        stored; after an error or Ctrl-C/SIGTERM (``not ok``) the work in flight is dropped
        (everything finished is already in the cache).  Either way they are terminated rather
        than asked to exit: a worker's orderly exit (Face Mesh and interpreter teardown) took
        about a second, a quarter of a 16-photo batch (``bench/bench_batch.py``)."""
        if self.ex is not None:
            procs = list((getattr(self.ex, "_processes", None) or {}).values())
            for proc in procs:
                try:
                    proc.terminate()
                except Exception:  # noqa: BLE001 - already gone
                    pass
            self.ex.shutdown(wait=False, cancel_futures=True)
            for proc in procs:  # wait (briefly) until they are gone, so nothing writes after we return
                try:
                    proc.join(timeout=5)
                except Exception:  # noqa: BLE001 - already reaped
                    pass
            self.ex = None


def default_workers() -> int:
    """min(2, CPU count): the default number of worker processes."""
    return max(1, min(2, os.cpu_count() or 1))


def run_batch(
    folder,
    out_dir,
    *,
    manifest=None,
    workers: int | None = None,
    mm_per_px: float | None = None,
    ipd_mm: float | None = None,
    fast: bool = True,
    compare: bool = True,
    progress: bool = True,
    on_progress: Callable[[str, int], None] | None = None,
) -> BatchResult:
    """Measure a study folder and compare every post-treatment photo with its baseline.

    Parameters
    ----------
    folder : str or path-like
        Study folder (photos searched recursively).
    out_dir : str or path-like
        Output folder: ``photos.csv``, ``changes.csv``, ``long.csv`` and the
        ``.cache`` folder that makes re-runs resume.
    manifest : str or path-like, optional
        Manifest CSV; default: the folder convention (module docstring).
    workers : int, optional
        Worker processes (default ``min(2, CPU count)``; 1 = in this process).
    mm_per_px, ipd_mm : float, optional
        Known scale / inter-pupillary distance (mm), passed to every analysis.
    fast : bool
        Allow the reduced JPEG decode (see :func:`facemetrics.load_photo`).
    compare : bool
        Make ``changes.csv``/``long.csv`` (default True).
    progress : bool
        Progress bar on stderr.
    on_progress : callable, optional
        Called as ``on_progress(stage, n_done)`` after every finished photo /
        comparison (``stage`` is the progress label, e.g. ``"measuring"``,
        ``n_done`` the count finished in that stage).  An exception raised in
        it stops the run like Ctrl-C: what was finished stays in the cache.

    Returns
    -------
    BatchResult
    """
    t0 = time.perf_counter()
    _hook = on_progress
    folder, out_dir = Path(folder), Path(out_dir)
    workers = default_workers() if workers is None else max(1, int(workers))
    settings = _settings(mm_per_px, ipd_mm, fast)
    skey = _settings_key(settings)
    cache = out_dir / _CACHE_DIR
    pool = _Pool(workers)
    try:
        entries = discover(folder, manifest)
        if out_dir.resolve() == folder.resolve() or folder.resolve() in out_dir.resolve().parents:
            entries = [e for e in entries if out_dir.resolve() not in e.path.resolve().parents]
        # ---- 1. measure every photo (cached by content hash + settings) --------
        # (the workers start at the first photo not in the cache: they load Face Mesh while
        # the rest are hashed)
        rows, photo_jobs = _photo_jobs(entries, cache, skey, settings, on_uncached=pool.start)
        sessions: dict[tuple, list] = {}
        for job in photo_jobs:
            e = entries[job[0]]
            sessions.setdefault(_session_key(e.subject, e.treatment, e.treated_at), []).append(job)
        if _by_session(compare, len(sessions), workers):
            # a task per session: each photo decoded and measured once, for its row and its comparisons
            n_measured, n_cached, n_session_compared = _run_sessions(
                pool, sessions, entries, rows, cache, skey, settings, progress, _hook)
        else:  # measuring only, or too few sessions to keep the workers busy: a task per photo
            n_measured, n_cached = _run_cached(pool, photo_jobs, rows, "measuring", progress, _hook, "photo",
                                               lambda i: entries[i].photo)
            n_session_compared = 0
        # ---- 2. roles, pairing and the comparisons not made yet ----------------
        photo_rows, change_rows, n_compare_cached, comp_results = _changes_stage(
            entries, rows, cache, skey, settings, pool, compare, progress, _hook)
        n_compare_cached = max(n_compare_cached - n_session_compared, 0)
    except BaseException:
        pool.close(ok=False)
        # workers stopped mid-write leave their temporary files (the finished entries are whole)
        for tmp in cache.glob("*/.*.tmp"):
            tmp.unlink(missing_ok=True)
        raise
    pool.close()
    return _finish(out_dir, photo_rows, change_rows, compare=compare, n_measured=n_measured, n_cached=n_cached,
                   n_compared=len(comp_results) - n_compare_cached, n_compare_cached=n_compare_cached, t0=t0)


def _by_session(compare: bool, n_sessions: int, workers: int) -> bool:
    """Measure and compare session by session (:func:`_task_session`)?  Only when comparing,
    and when there are at least as many sessions as workers to keep them busy; otherwise a
    task per photo, then a task per comparison (each re-measuring its two photos)."""
    return compare and (workers <= 1 or n_sessions >= workers)


def _photo_jobs(entries, cache: Path, skey: str, settings: dict,
                on_uncached: Callable[[], None] | None = None) -> tuple[dict, list]:
    """Hash every photo; ``(rows, jobs)``: an ``unreadable`` row for each file that cannot
    be read, and ``(index, cache_file, (_task_analyze, args))`` for the others.
    ``on_uncached()`` is called for every photo with no cache file yet."""
    rows: dict[int, dict] = {}
    jobs = []
    for i, e in enumerate(entries):
        try:
            e.sha256 = _file_sha256(e.path)
        except OSError as exc:
            reason = exc.strerror or str(exc)
            if e.path.is_symlink():
                reason = f"symbolic link to a missing file or a link loop: {reason}"
            row = dict.fromkeys(PHOTO_COLUMNS, None)
            row.update(status="unreadable", error=f"{e.photo}: cannot read file ({reason})",
                       facemetrics_version=__version__)
            rows[i] = _roundtrip(row)
            continue
        cache_file = cache / "photo" / f"{e.sha256}-{skey}.json"
        if on_uncached is not None and not cache_file.is_file():
            on_uncached()
        jobs.append((i, cache_file, (_task_analyze, (str(e.path), e.sha256, settings))))
    return rows, jobs


def _run_sessions(pool, sessions: dict, entries, rows: dict, cache: Path, skey: str, settings: dict,
                  progress: bool, hook) -> tuple[int, int, int]:
    """Measure (and compare) session by session (:func:`_task_session`), largest first.
    Fills ``rows``; returns ``(n_measured, n_cached, n_compared)``."""
    todo, n_cached = [], 0
    for key in sorted(sessions, key=lambda k: (-len(sessions[k]), k)):
        jobs = sessions[key]
        stored = {i: _cached("photo", cache_file) for i, cache_file, _ in jobs}
        if all(v is not None for v in stored.values()):
            rows.update(stored)
            n_cached += len(jobs)
        else:
            todo.append([(i, entries[i], str(cache_file)) for i, cache_file, _ in jobs])
    bar = _Progress(sum(len(v) for v in sessions.values()), "measuring and comparing", progress)
    bar.update(n_cached)
    counts = {"measured": 0, "cached": n_cached, "compared": 0}

    def done(k: int, res: dict) -> None:
        rows.update(res["rows"])
        counts["measured"] += res["measured"]
        counts["cached"] += len(res["rows"]) - res["measured"]
        counts["compared"] += res["compared"]
        bar.update(len(res["rows"]), entries[todo[k][0][0]].subject)
        if hook is not None:
            hook("photo", len(rows))
            hook("compare", counts["compared"])

    pool.run([(_task_session, (items, settings, str(cache), skey)) for items in todo], done)
    return counts["measured"], counts["cached"], counts["compared"]


def _run_cached(pool, jobs, results: dict, label: str, progress: bool, hook, stage: str,
                name_of) -> tuple[int, int]:
    """Fill ``results[key]`` for every ``(key, cache_file, (fn, args))`` job: from the cache
    file when it is there, else by running ``fn(*args, cache_file)`` in the pool (which
    stores it).  Shows progress and calls ``hook(stage, len(results))`` after each
    finished job.  Returns ``(n_run, n_cached)``."""
    todo = []
    for key, cache_file, (fn, args) in jobs:
        stored = _load(cache_file) if cache_file.is_file() else None
        if stored is not None and _valid_cached(stage, stored):
            results[key] = stored
        else:
            todo.append((key, (fn, (*args, str(cache_file)))))
    bar = _Progress(len(jobs), label, progress)
    bar.update(len(jobs) - len(todo))

    def done(k: int, res: dict) -> None:
        key = todo[k][0]
        results[key] = res
        bar.update(1, name_of(key))
        if hook is not None:
            hook(stage, len(results))

    pool.run([task for _, task in todo], done)
    return len(todo), len(jobs) - len(todo)


def _table_row(e: PhotoEntry, measured: dict) -> dict:
    """A photo's ``photos.csv`` row: its measured row, the study metadata, its role
    (``baseline``/``post``, or empty with the reasons in ``excluded``).  ``_path`` is
    kept for the comparing stage (not written)."""
    r = dict(measured)
    r["photo"] = e.photo
    if e.subject:
        r["subject"] = e.subject
    r["subject"] = r.get("subject") or ""
    if not r.get("sha256"):
        r["sha256"] = e.sha256
    if e.taken_at:
        r["taken_at"] = e.taken_at
    r["taken_at"] = r.get("taken_at") or ""
    r["treatment"] = e.treatment
    r["treated_at"] = e.treated_at
    r["hours_since_treatment"] = hours_between(r["taken_at"], e.treated_at)
    r["role"] = ""
    r["excluded"] = ""
    reasons = []
    if r.get("status") != "ok":
        reasons.append(f"not measured ({r.get('status')}: {r.get('error') or ''})".strip())
    if e.note:
        reasons.append(e.note)
    if not r["taken_at"]:
        reasons.append("no capture time (no EXIF DateTimeOriginal and none in the manifest)")
    elif parse_time(r["taken_at"]) is None:
        reasons.append(f"capture time {r['taken_at']!r} is not ISO 8601")
    if e.treated_at and parse_time(e.treated_at) is None:
        reasons.append(f"treatment time {e.treated_at!r} is not ISO 8601")
    elif not e.treated_at and not e.note:
        reasons.append("no treatment time")
    if not reasons:
        r["role"] = "baseline" if r["hours_since_treatment"] < 0 else "post"
    r["excluded"] = "; ".join(reasons)
    r["_path"] = str(e.path)
    return r


def _session_key(subject: str, treatment: str, treated_at: str) -> tuple[str, str, str]:
    """One treatment session of one subject: its photos are compared with its baseline."""
    return (subject or "", treatment or "", treated_at or "")


def _comparison_jobs(photo_rows: list[dict]) -> list[tuple[dict, list[dict]]]:
    """The pairing rule: ``[(row, baselines)]``, every comparison of the study.

    Within a session (:func:`_session_key`) every post-treatment photo is
    compared with all the session's baseline photos (the first as the before
    photo, the others as its repeats); with two or more baselines each
    baseline is also compared with the others (the no-change check).  A
    session without a baseline marks its post photos excluded (in place).
    """
    sessions: dict[tuple, list[dict]] = {}
    for r in photo_rows:
        if r["role"]:
            sessions.setdefault(_session_key(r["subject"], r["treatment"], r["treated_at"]), []).append(r)
    jobs = []
    for key in sorted(sessions):
        members = sorted(sessions[key], key=lambda r: (r["hours_since_treatment"], r["photo"]))
        base = [r for r in members if r["role"] == "baseline"]
        post = [r for r in members if r["role"] == "post"]
        if not base:
            for r in post:
                r["excluded"] = "no baseline photo (taken before treated_at) in this session"
            continue
        for r in post:
            jobs.append((r, base))
        if len(base) >= 2:
            for r in base:
                jobs.append((r, [b for b in base if b is not r]))
    return jobs


def _compare_cache_file(cache: Path, r: dict, base: list[dict], skey: str) -> Path:
    ckey = hashlib.sha256(json.dumps([r["sha256"], [b["sha256"] for b in base], skey]).encode()).hexdigest()[:32]
    return cache / "compare" / f"{ckey}.json"


def _changes_stage(entries, rows, cache, skey, settings, pool, compare, progress, _hook):
    """Merge metadata into the photo rows, find sessions/baselines and run the comparisons."""
    photo_rows = sorted((_table_row(e, rows[i]) for i, e in enumerate(entries)), key=_sort_key)

    # ---- 2. compare post photos with their session baseline ----------------
    jobs = _comparison_jobs(photo_rows)

    change_rows: list[dict] = []
    comp_results: dict[int, dict] = {}
    n_compare_cached = 0
    if compare and jobs:
        compare_jobs = []
        for j, (r, base) in enumerate(jobs):
            compare_jobs.append((j, _compare_cache_file(cache, r, base, skey),
                                 (_task_compare, ([(b["_path"], b["sha256"]) for b in base],
                                                  (r["_path"], r["sha256"]), settings))))
        _, n_compare_cached = _run_cached(pool, compare_jobs, comp_results, "comparing", progress, _hook,
                                          "compare", lambda j: jobs[j][0]["photo"])

        for j, (r, base) in enumerate(jobs):
            res = comp_results[j]
            row = {
                "subject": r["subject"], "treatment": r["treatment"], "photo": r["photo"],
                "baseline_photos": "; ".join(b["photo"] for b in base), "n_baseline": len(base),
                "taken_at": r["taken_at"], "treated_at": r["treated_at"],
                "hours_since_treatment": r["hours_since_treatment"], "role": r["role"],
                "status": res["status"], "messages": "; ".join(res["messages"]),
                "_rows": res["rows"] if res["status"] != "refused" else [],
            }
            if res["status"] in ("refused", "error"):
                r["excluded"] = f"comparison {res['status']}: {row['messages']}"
            for m in res["rows"]:
                col = change_column(str(m.get("metric")), str(m.get("side") or ""))
                row[col] = m.get("change")
                row[f"{col}_noise_floor"] = m.get("noise_floor")
                row[f"{col}_verdict"] = m.get("verdict")
                if res["status"] == "refused":
                    row[col] = None
            change_rows.append(row)
        change_rows.sort(key=_sort_key)

    return photo_rows, change_rows, n_compare_cached, comp_results


def _finish(out_dir: Path, photo_rows: list[dict], change_rows: list[dict], *, compare: bool, n_measured: int,
            n_cached: int, n_compared: int, n_compare_cached: int, t0: float) -> BatchResult:
    """Write ``photos.csv``, ``changes.csv`` and ``long.csv``; build the :class:`BatchResult`
    (the counts are those of its fields; ``t0`` the run's ``time.perf_counter()`` start)."""
    photos_df = rows_frame([{k: v for k, v in r.items() if k != "_path"} for r in photo_rows],
                           list(PHOTO_COLUMNS) + BATCH_COLUMNS)
    long_rows = []
    for row in change_rows:
        for m in row["_rows"]:
            long_rows.append({
                "subject": row["subject"], "treatment": row["treatment"],
                "hours_since_treatment": row["hours_since_treatment"], "metric": m.get("metric"),
                "side": m.get("side"), "value": m.get("change"), "unit": m.get("unit") or "",
                "noise_floor": m.get("noise_floor"), "verdict": m.get("verdict"), "photo": row["photo"],
                "taken_at": row["taken_at"], "treated_at": row["treated_at"],
            })
    changes_df = rows_frame([{k: v for k, v in r.items() if k != "_rows"} for r in change_rows], CHANGE_COLUMNS)
    long_df = rows_frame(long_rows, LONG_COLUMNS)
    out_dir.mkdir(parents=True, exist_ok=True)
    write_csv(photos_df, out_dir / "photos.csv")
    if compare:
        write_csv(changes_df, out_dir / "changes.csv")
        write_csv(long_df, out_dir / "long.csv")
    excluded = [(r["photo"], r["excluded"]) for r in photo_rows if r["excluded"]]
    return BatchResult(
        photos=photos_df, changes=changes_df, long=long_df, out_dir=out_dir,
        n_measured=n_measured, n_cached=n_cached, n_compared=n_compared,
        n_compare_cached=n_compare_cached, seconds=time.perf_counter() - t0, excluded=excluded,
    )


# --------------------------------------------------------------------------
# timeline: decay fits and the report
# --------------------------------------------------------------------------

#: headline changes analysed by :func:`run_timeline` (those present in long.csv): the
#: lifts of the jawline and mouth corners (mm, mean of both sides) and the fold depth
#: index (per side; the ``nlf_depth`` rows of long.csv)
HEADLINE_METRICS = ("jawline_lift_mm", "mouth_corner_lift_mm", "nlf_depth")


def run_timeline(batch_dir, out_dir=None, *, metrics=None, sides=("mean",), min_effect: float | None = None,
                 n_boot: int = 400, seed: int = 0, per_subject: bool = True):
    """Fit the decay model to a batch's changes; write ``timeline.csv``, ``timeline.png``, ``report.md``.

    Parameters
    ----------
    batch_dir : str or path-like
        Folder written by :func:`run_batch` (reads ``long.csv`` and ``photos.csv``).
    out_dir : str or path-like, optional
        Where to write (default: ``batch_dir``).
    metrics : iterable of str, optional
        Metrics to analyse (default: :data:`HEADLINE_METRICS` present in the table).
    sides : iterable of str
        Sides to analyse (default only ``"mean"``).
    min_effect, n_boot, seed, per_subject
        Passed to :func:`facemetrics.decay.analyze_series` (``min_effect`` None: per unit).

    Returns
    -------
    (SeriesResult, pandas.DataFrame)
        The fits and the ``timeline.csv`` table.
    """
    from .decay import analyze_series
    from .plots import plot_timeline

    batch_dir = Path(batch_dir)
    out_dir = Path(out_dir) if out_dir is not None else batch_dir
    long = pd.read_csv(batch_dir / "long.csv", keep_default_na=False, na_values=[""])
    long["unit"] = long["unit"].fillna("")
    if metrics is None:
        metrics = [m for m in HEADLINE_METRICS if m in set(long["metric"])]
    has_mean = set(long.loc[long["side"] == "mean", "metric"])
    # metrics without a "mean" side (e.g. the fold depth, per side only) are fitted per side
    side_ok = long["side"].isin(list(sides)) | (~long["metric"].isin(has_mean) & long["side"].isin(["right", "left"]))
    data = long[long["metric"].isin(list(metrics)) & side_ok]
    data = data[np.isfinite(pd.to_numeric(data["value"], errors="coerce"))]
    result = analyze_series(data, min_effect=min_effect, n_boot=n_boot, seed=seed, per_subject=per_subject)
    table = result.to_frame()
    out_dir.mkdir(parents=True, exist_ok=True)
    regimen = _regimen_rows(batch_dir, out_dir, metrics, sides, min_effect=min_effect, n_boot=n_boot, seed=seed)
    if regimen is not None:  # the regimen batch (facemetrics.regimen) was run: its rows follow the decay rows
        table = pd.concat([table.assign(kind="decay"), regimen.astype(object)], ignore_index=True)
    write_csv(table, out_dir / "timeline.csv")
    fig = plot_timeline(data, result)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    write_bytes(buf.getvalue(), out_dir / "timeline.png")
    write_bytes(timeline_report(table, batch_dir).encode("utf-8"), out_dir / "report.md")
    return result, table


#: sub-folder of a batch output folder holding the regimen batch (written by facemetrics.regimen)
REGIMEN_DIR = "regimen"


def _regimen_rows(batch_dir: Path, out_dir: Path, metrics, sides, *, min_effect, n_boot, seed):
    """Cumulative change over days from ``batch_dir/regimen/long.csv`` (None when absent);
    also writes ``regimen.png``.  Same metric/side selection as the decay fits."""
    from .decay import analyze_regimen
    from .plots import plot_regimen

    path = batch_dir / REGIMEN_DIR / "long.csv"
    if not path.is_file():
        return None
    lv = pd.read_csv(path, keep_default_na=False, na_values=[""])
    if lv.empty:
        return None
    lv["unit"] = lv["unit"].fillna("")
    has_mean = set(lv.loc[lv["side"] == "mean", "metric"])
    side_ok = lv["side"].isin(list(sides)) | (~lv["metric"].isin(has_mean) & lv["side"].isin(["right", "left"]))
    lv = lv[lv["metric"].isin(list(metrics)) & side_ok]
    lv = lv[np.isfinite(pd.to_numeric(lv["value"], errors="coerce"))]
    if lv.empty:
        return None
    reg = analyze_regimen(lv, min_effect=min_effect, n_boot=n_boot, seed=seed)
    fig = plot_regimen(lv, reg)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    write_bytes(buf.getvalue(), out_dir / "regimen.png")
    return reg


def timeline_report(table: pd.DataFrame, batch_dir) -> str:
    """``report.md`` of a timeline table: reads ``batch_dir/photos.csv`` for the
    photos left out; the text is :func:`facemetrics.report.timeline_markdown`'s."""
    try:
        photos = pd.read_csv(Path(batch_dir) / "photos.csv", keep_default_na=False)
    except (OSError, ValueError):
        photos = None
    return timeline_markdown(table, photos)
