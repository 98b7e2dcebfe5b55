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
    :func:`facemetrics.series.analyze_series` and of plotting tools.

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
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

from ._version import __version__
from .errors import FacemetricsError
from .export import _atomic_write, _finite, _json_default, rows_frame, write_csv
from .schema import PHOTO_COLUMNS

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

#: photo suffixes searched for (same as the ``analyze`` command)
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
    """Photos below ``folder`` (recursive, hidden files and the output cache skipped), sorted."""
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
    return json.loads(json.dumps(_finite(obj), allow_nan=False, default=_json_default))


def _store(path: Path, obj) -> None:
    text = json.dumps(obj, allow_nan=False, sort_keys=True)
    _atomic_write(path, lambda fh: fh.write(text.encode("utf-8")))


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
    from .landmarks import detect_landmarks

    detect_landmarks(np.zeros((64, 64, 3), np.uint8))


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
    """Wide column name of a metric/side change: unit suffix kept last.

    ``("jawline_lift_mm", "mean") -> "jawline_lift_mm"``,
    ``("jawline_lift_mm", "right") -> "jawline_lift_right_mm"``,
    ``("nlf_depth_change", "left") -> "nlf_depth_change_left"``.
    """
    if side in ("", "mean", "both"):
        return metric
    for unit in ("_mm2", "_mm", "_pct", "_deg", "_px", "_ipd2", "_ipd", "_h"):
        if metric.endswith(unit):
            return f"{metric[: -len(unit)]}_{side}{unit}"
    return f"{metric}_{side}"


def _sort_key(r: dict):
    return (str(r.get("subject") or ""), str(r.get("treatment") or ""), str(r.get("taken_at") or "~"),
            str(r.get("photo") or ""))


def _executor(workers: int):
    import multiprocessing as mp

    return ProcessPoolExecutor(max_workers=workers, mp_context=mp.get_context("spawn"), initializer=_worker_init,
                               initargs=(os.getpid(),))


class _Pool:
    """Worker processes started on first use and shared by both stages (``workers=1``: in-process)."""

    def __init__(self, workers: int):
        self.workers, self.ex = workers, None

    def run(self, tasks: list[tuple[Callable, tuple]], on_done: Callable[[int, dict], None]) -> None:
        """Run ``fn(*args)`` tasks; call ``on_done(i, result)`` as each finishes."""
        if not tasks:
            return
        if self.workers <= 1:
            for i, (fn, args) in enumerate(tasks):
                on_done(i, fn(*args))
            return
        if self.ex is None:
            self.ex = _executor(self.workers)
        futs = {self.ex.submit(fn, *args): i for i, (fn, args) in enumerate(tasks)}
        for fut in as_completed(futs):
            on_done(futs[fut], fut.result())

    def close(self, ok: bool = True) -> None:
        """Shut the workers down; ``ok=False`` (an error or Ctrl-C/SIGTERM): stop them now,
        dropping the work in flight (everything finished is already in the cache)."""
        if self.ex is not None:
            procs = list((getattr(self.ex, "_processes", None) or {}).values())
            if not ok:
                for proc in procs:
                    try:
                        proc.terminate()
                    except Exception:  # noqa: BLE001 - already gone
                        pass
            self.ex.shutdown(wait=ok, cancel_futures=not ok)
            if not ok:  # wait (briefly) until they are gone, so nothing writes after we return
                for proc in procs:
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
    _hook: Callable[[str, int], None] | None = None,
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
    _hook : callable, optional
        Testing aid: called as ``_hook(stage, n_done)`` after every finished
        photo / comparison (raise in it to simulate an interrupted run).

    Returns
    -------
    BatchResult
    """
    t0 = time.perf_counter()
    folder, out_dir = Path(folder), Path(out_dir)
    workers = default_workers() if workers is None else max(1, int(workers))
    settings = _settings(mm_per_px, ipd_mm, fast)
    skey = _settings_key(settings)
    cache = out_dir / _CACHE_DIR
    entries = discover(folder, manifest)
    if out_dir.resolve() == folder.resolve() or folder.resolve() in out_dir.resolve().parents:
        entries = [e for e in entries if out_dir.resolve() not in e.path.resolve().parents]

    # ---- 1. measure every photo (cached by content hash + settings) --------
    rows: dict[int, dict] = {}
    photo_jobs = []
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
        photo_jobs.append((i, cache / "photo" / f"{e.sha256}-{skey}.json",
                           (_task_analyze, (str(e.path), e.sha256, settings))))

    pool = _Pool(workers)
    try:
        n_measured, n_cached = _run_cached(pool, photo_jobs, rows, "measuring", progress, _hook, "photo",
                                           lambda i: entries[i].photo)
        photo_rows, change_rows, n_compare_cached, comp_results = _changes_stage(
            entries, rows, cache, skey, settings, pool, compare, progress, _hook)
    except BaseException:
        pool.close(ok=False)
        # workers stopped mid-write leave their temporary files (the finished entries are whole)
        for tmp in cache.glob("*/.*.tmp"):
            tmp.unlink(missing_ok=True)
        raise
    pool.close()
    return _finish(out_dir, photo_rows, change_rows, comp_results, compare, n_measured, n_cached,
                   n_compare_cached, t0)


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


def _changes_stage(entries, rows, cache, skey, settings, pool, compare, progress, _hook):
    """Merge metadata into the photo rows, find sessions/baselines and run the comparisons."""
    photo_rows = []
    for i, e in enumerate(entries):
        r = dict(rows[i])
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
        photo_rows.append(r)
    photo_rows.sort(key=_sort_key)

    # ---- 2. compare post photos with their session baseline ----------------
    sessions: dict[tuple, list[dict]] = {}
    for r in photo_rows:
        if r["role"]:
            sessions.setdefault((r["subject"], r["treatment"], r["treated_at"]), []).append(r)
    jobs = []  # (row, baselines)
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

    change_rows: list[dict] = []
    comp_results: dict[int, dict] = {}
    n_compare_cached = 0
    if compare and jobs:
        compare_jobs = []
        for j, (r, base) in enumerate(jobs):
            ckey = hashlib.sha256(json.dumps([r["sha256"], [b["sha256"] for b in base], skey]).encode()
                                  ).hexdigest()[:32]
            compare_jobs.append((j, cache / "compare" / f"{ckey}.json",
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


def _finish(out_dir, photo_rows, change_rows, comp_results, compare, n_measured, n_cached, n_compare_cached, t0):
    """Write ``photos.csv``, ``changes.csv`` and ``long.csv``; build the :class:`BatchResult`."""
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
        n_measured=n_measured, n_cached=n_cached, n_compared=len(comp_results) - n_compare_cached,
        n_compare_cached=n_compare_cached, seconds=time.perf_counter() - t0, excluded=excluded,
    )


# --------------------------------------------------------------------------
# timeline: decay fits and the report
# --------------------------------------------------------------------------

#: headline changes analysed by :func:`run_timeline` (those present in long.csv)
HEADLINE_METRICS = ("jawline_lift_mm", "mouth_corner_lift_mm", "nlf_depth", "nlf_depth_change")


def run_timeline(batch_dir, out_dir=None, *, metrics=None, sides=("mean",), min_effect: float = 0.3,
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
        Passed to :func:`facemetrics.series.analyze_series`.

    Returns
    -------
    (SeriesResult, pandas.DataFrame)
        The fits and the ``timeline.csv`` table.
    """
    from .series import analyze_series, plot_timeline

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
    from .export import _atomic_write as _aw
    import io as _io

    fig = plot_timeline(data, result)
    buf = _io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    _aw(out_dir / "timeline.png", lambda fh: fh.write(buf.getvalue()))
    report = timeline_report(table, batch_dir)
    _atomic_write(out_dir / "report.md", lambda fh: fh.write(report.encode("utf-8")))
    return result, table


def _regimen_rows(batch_dir: Path, out_dir: Path, metrics, sides, *, min_effect, n_boot, seed):
    """Cumulative change over days from ``batch_dir/regimen/long.csv`` (None when absent);
    also writes ``regimen.png``.  Same metric/side selection as the decay fits."""
    from .regimen import REGIMEN_DIR
    from .series import analyze_regimen, plot_regimen

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
    import io as _io

    fig = plot_regimen(lv, reg)
    buf = _io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    _atomic_write(out_dir / "regimen.png", lambda fh: fh.write(buf.getvalue()))
    return reg


def _regimen_report(table: pd.DataFrame) -> list[str]:
    """The ``## Regimen`` section of ``report.md`` (empty without regimen rows)."""
    if "kind" not in table.columns or not (table["kind"] == "regimen").any():
        return []
    reg = table[table["kind"] == "regimen"]
    dec = table[(table["kind"] != "regimen") & (table["subject"].isna() | table["subject"].astype(str).isin(["", "None", "nan"]))]
    lines = ["", "## Regimen: cumulative change over days", "",
             "Each pre-session photo compared with the first session's baseline (day 0), fitted with a straight "
             "line per treatment (one intercept per subject): the change the regimen builds up, separate from "
             "each session's transient lift (the decay fits above, from the photos after each session). "
             "Block-bootstrap 95 % CIs (subjects resampled when there are 3 or more). See `regimen.png`.", "",
             "| treatment | metric | side | photos | days | slope per week [95 % CI] | change day 0 to day N "
             "[95 % CI] | session peak (transient) | half-life h | verdict |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for _, r in reg.iterrows():
        u = r.get("unit") or ""
        d = dec[(dec["treatment"] == r["treatment"]) & (dec["metric"] == r["metric"]) & (dec["side"] == r["side"])]
        peak = _fmt(d["peak_change"].iloc[0], u) if len(d) else "n/a"
        hl = _fmt(d["half_life_h"].iloc[0], "", 1) if len(d) else "n/a"
        lines.append(
            f"| {r['treatment']} | {r['metric']} | {r['side']} | {r['n_photos']} | {_fmt(r['day_n'], '', 0)} | "
            f"{_fmt(r['slope_per_week'], u)} [{_fmt(r['slope_per_week_ci_low'])}, {_fmt(r['slope_per_week_ci_high'])}] | "
            f"{_fmt(r['change_day_n'], u)} [{_fmt(r['change_day_n_ci_low'])}, {_fmt(r['change_day_n_ci_high'])}] | "
            f"{peak} | {hl} | {r['verdict']} |")
    lines += [""] + [f"- **{r['treatment']}, {r['metric']} ({r['side']})**: `{r['verdict']}`. {r['reason']}"
                     for _, r in reg.iterrows()]
    lines += ["", "![regimen](regimen.png)"]
    return lines


def _fmt(v, unit="", digits=2) -> str:
    try:
        v = float(v)
    except (TypeError, ValueError):
        return "n/a"
    if not math.isfinite(v):
        return "n/a"
    return f"{v:.{digits}f}" + (f" {unit}" if unit else "")


def timeline_report(table: pd.DataFrame, batch_dir) -> str:
    """``report.md``: verdicts in words, the figures, and the photos left out and why."""
    batch_dir = Path(batch_dir)
    lines = ["# Treatment time course", "",
             "Changes of each photo versus its session's baseline, fitted with "
             "change(t) = lasting + transient x 2^(-t / half_life); intervals are bootstrap "
             "95 % CIs (subjects resampled when there are 3 or more). The 24 h claim uses the 90 % CI "
             "(two one-sided tests). See `timeline.png` and `timeline.csv`.", ""]
    lines += ["## Verdicts (pooled over subjects)", ""]
    full = table
    if "kind" in table.columns:  # regimen rows get their own section
        table = table[table["kind"] != "regimen"]
    pooled = table[table["subject"].isna() | (table["subject"].astype(str).isin(["", "None", "nan"]))]
    for _, r in pooled.iterrows():
        lines.append(f"- **{r['treatment']}, {r['metric']} ({r['side']})**: `{r['verdict']}`. {r['reason']}")
    lines += ["", "## Figures", "",
              "| treatment | metric | side | subject | photos | peak change [95 % CI] | half-life h [95 % CI] | "
              "change at 24 h [95 % CI] | lasting [95 % CI] | verdict |",
              "|---|---|---|---|---|---|---|---|---|---|"]
    for _, r in table.iterrows():
        u = r.get("unit") or ""
        subj = r["subject"] if isinstance(r["subject"], str) and r["subject"] not in ("", "None") else "all"
        lines.append(
            f"| {r['treatment']} | {r['metric']} | {r['side']} | {subj} | {r['n_photos']} | "
            f"{_fmt(r['peak_change'], u)} [{_fmt(r['peak_change_ci_low'])}, {_fmt(r['peak_change_ci_high'])}] | "
            f"{_fmt(r['half_life_h'], '', 1)} [{_fmt(r['half_life_h_ci_low'], '', 1)}, "
            f"{_fmt(r['half_life_h_ci_high'], '', 1)}] | "
            f"{_fmt(r['change_24h'], u)} [{_fmt(r['change_24h_ci_low'])}, {_fmt(r['change_24h_ci_high'])}] | "
            f"{_fmt(r['lasting'], u)} [{_fmt(r['lasting_ci_low'])}, {_fmt(r['lasting_ci_high'])}] | "
            f"{r['verdict']} |")
    lines += ["", "![timeline](timeline.png)"]
    lines += _regimen_report(full)
    lines += ["", "## Photos excluded", ""]
    try:
        photos = pd.read_csv(batch_dir / "photos.csv", keep_default_na=False)
        exc = photos[photos["excluded"].astype(str) != ""]
        if len(exc):
            lines += [f"- `{r['photo']}`: {r['excluded']}" for _, r in exc.iterrows()]
        else:
            lines.append("None: every photo was measured and compared.")
    except (OSError, KeyError, ValueError):
        lines.append("(photos.csv not found)")
    return "\n".join(lines) + "\n"
