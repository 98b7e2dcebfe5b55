"""The worker side: process start-up (quiet logs, one BLAS/OpenCV thread, exit with the parent),
the per-process analysis memo, the tasks, and the pool that runs them.
"""

from __future__ import annotations

import json
import os
import queue
import sys
import threading
import time
from collections import OrderedDict
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Callable

import numpy as np

from .._version import __version__
from ..schema import PHOTO_COLUMNS
from .cache import _cached, _roundtrip, _store
from .tables import _compare_cache_file, _comparison_jobs, _sort_key, _table_row


_WORKER_ANALYSES: "OrderedDict[tuple, object]" = OrderedDict()


#: analyses (PhotoAnalysis) a worker keeps for its in-process comparisons: a memory bound (docs/thresholds.md)
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
    """Process-pool initializer: exit with the parent, quiet logs, build the Face Mesh once.

    A worker started by ``fork`` (:func:`_start_method`) arrives with its parent's modules
    imported (:func:`_preload`), and with its signal handlers and memo: SIGTERM is set back to
    its default (the command's handler raises KeyboardInterrupt; :meth:`_Pool.close` ends a
    worker by SIGTERM) and the memo emptied.
    """
    import signal

    if parent_pid is not None:
        _exit_with_parent(parent_pid)
    try:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
    except ValueError:  # pragma: no cover - not the main thread
        pass
    _WORKER_ANALYSES.clear()
    os.environ.setdefault("GLOG_minloglevel", "2")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import cv2
    from threadpoolctl import threadpool_limits

    from ..landmarks import detect_landmarks

    # the workers already use every core: one BLAS and one OpenCV thread each (more only wait
    # for each other; bench/bench_batch.py)
    threadpool_limits(limits=1, user_api="blas")
    cv2.setNumThreads(1)
    detect_landmarks(np.zeros((64, 64, 3), np.uint8))


def _ready() -> None:
    """No-op task: submitted once per worker so the pool starts (and loads Face Mesh) early."""


def _analysis(path: str, sha: str, settings: dict):
    """Analysis of one photo, memoised per process (small LRU)."""
    from ..analyze import analyze_photo

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


def _task_measure_shared(path: str, sha: str, settings: dict, cache_file: str) -> dict:
    """Measure one photo and store its row (as :func:`_task_analyze`); return
    ``{"row": row, "analysis": PhotoAnalysis or None}``.  The main process hands the
    analysis to the comparisons that need it (:func:`_task_compare`), so a photo is
    measured once whichever process compares it; from a worker process it is pickled
    (about 6 MB and 6 ms for a 1600 px photo; the comparisons are identical)."""
    row = _task_analyze(path, sha, settings, cache_file)
    return {"row": row, "analysis": _WORKER_ANALYSES.get((sha, json.dumps(settings, sort_keys=True)))}


#: the float columns of a comparison's rows (``facemetrics.compare.Change``)
_CHANGE_FLOATS = ("before", "after", "change", "noise_floor")


def _change_rows(comp) -> list[dict]:
    """``comp.to_frame().to_dict("records")`` without pandas (0.3 s of CPU to import in every
    process that compares): a dict per :class:`~facemetrics.compare.Change`, its float
    columns as Python floats (NaN for a missing value), as the DataFrame's float64 columns
    give them (``tests/test_batch.py`` checks the two agree)."""
    import dataclasses

    from ..compare import COLUMNS

    nan = float("nan")
    rows = []
    for c in comp.changes:
        row = dict(zip(COLUMNS, dataclasses.astuple(c)))
        for k in _CHANGE_FLOATS:
            row[k] = nan if row[k] is None else float(row[k])
        rows.append(row)
    return rows


def faces_used(before, after, comp) -> dict:
    """The faces a comparison measured other than the largest, by photo: ``{"before" / "after": {"face": k
    (0 the largest), "place": "the one on the left", "row": that face's photos.csv row, "largest_warnings":
    the photo's own row's warnings, "own_warnings": the face's own (not compare's sentence), "residuals": each face's residual, mm,
    "said": the chosen face's statistic in compare's words, ``extra["face_said"]``: "0.02 mm RMS, the mean of ..."}}`` (a photo with several faces
    measured on the face matching the other photo: :mod:`facemetrics.compare.faces`); ``{}`` when both
    photos were measured on their largest face, as their rows in ``photos.csv`` are
    (:func:`facemetrics.batch.runner.agree_faces` makes the rows agree)."""
    from ..compare.faces import _place

    out = {}
    for role, given, used in (("before", before, comp.before), ("after", after, comp.after)):
        k = int(used.extra.get("face", 0) or 0) if used is not None else 0
        if used is None or used is given or not used.extra.get("face_matched") or k == 0:
            continue
        out[role] = {"face": k, "place": _place(used.extra.get("faces_x", ()), k), "row": used.to_row(),
                     "largest_warnings": "; ".join(given.warnings),
                     "own_warnings": "; ".join(used.warnings[1:]),  # without compare's sentence on the face
                     "residuals": [float(r) for r in used.extra.get("face_residuals", ())],
                     "said": str(used.extra.get("face_said") or "")}
    return out


def _task_compare(before: list, after, settings: dict, cache_file: str) -> dict:
    """Compare one photo with its baseline photo(s); store and return the result.

    Each of ``before`` (a list) and ``after`` is either a ``PhotoAnalysis`` already made
    or ``(path, sha256)``, measured here (through the per-process memo)."""
    def get(item):
        return _analysis(item[0], item[1], settings) if isinstance(item, tuple) else item

    try:
        ana_before = [get(b) for b in before]
        ana_after = get(after)
        from ..compare import compare_photos

        # the batch orders the photos by time itself; a no-change check compares a photo with a later one
        comp = compare_photos(ana_before[0], ana_after, before_repeats=tuple(ana_before[1:]), check_order=False,
                              check_repeats=False)
        out = {"status": str(comp.status), "messages": [str(m) for m in comp.messages],
               "rows": _change_rows(comp),
               # the before photo's mm scale uncertainty (%, 1 SD; NaN: a scale the user gave): each row's
               # change_scale_sd (compare.table.with_scale_sds), as comparison.csv has it
               "scale_uncertainty_pct": float(comp.scale_uncertainty_pct)}
        faces = faces_used(ana_before[0], ana_after, comp)
        if faces:  # a photo with several faces measured on another than the largest: photos.csv follows
            out["faces"] = faces
    except Exception as exc:
        out = {"status": "error", "messages": [f"{type(exc).__name__}: {exc}"], "rows": []}
    out = _roundtrip(out)
    if out["status"] != "error":  # errors are retried by the next run
        _store(Path(cache_file), out)
    return out


def _task_session(items: list, settings: dict, cache_dir: str, skey: str) -> dict:
    """Measure one session's photos, then make the session's comparisons in this process.

    ``items`` are ``(index, PhotoEntry, photo_cache_file, cache entry or None)`` (the entry
    the main process read, :func:`facemetrics.batch.runner._photo_jobs`; only a photo without
    one is looked up again, as a photo of the same content may have been measured since).
    The comparisons are
    found by the study's one pairing rule (:func:`_comparison_jobs`) on the
    session's rows, and use the analyses just made (the per-process memo), so
    every photo is decoded and measured once.  Everything is stored in the cache
    exactly as :func:`_task_analyze` / :func:`_task_compare` store it; the main
    process then reads the comparisons from there.
    """
    rows, measured, compared = {}, 0, 0
    for i, e, cache_file, stored in items:
        if stored is None:  # not in the cache when the run began: perhaps made since (same content elsewhere)
            stored = _cached("photo", Path(cache_file))
        if stored is None:
            stored = _task_analyze(str(e.path), e.sha256, settings, cache_file)
            measured += 1
        rows[i] = stored
    table = sorted((_table_row(e, rows[i]) for i, e, _, _ in items), key=_sort_key)
    for r, base in _comparison_jobs(table):
        cache_file = _compare_cache_file(Path(cache_dir), r, base, skey)
        if _cached("compare", cache_file) is None:
            _task_compare([(b["_path"], b["sha256"]) for b in base], (r["_path"], r["sha256"]), settings,
                          str(cache_file))
            compared += 1
    return {"rows": rows, "measured": measured, "compared": compared}


#: how worker processes start: ``"auto"`` (``fork`` where it is safe, :func:`_start_method`) or
#: ``"spawn"``; the environment variable ``FACEMETRICS_WORKER_START=spawn`` sets it too
START_METHOD = "auto"


def _preload(compare: bool) -> None:
    """Import here what a worker process imports (OpenCV, MediaPipe, the analysis; the
    comparison and SciPy's optimisers when ``compare``), so that a worker forked from this
    process starts with them (about 1 s of CPU it no longer spends).  This process needs
    them anyway for its own tasks.  Nothing is built or run: no Face Mesh graph, no thread
    pool.  As :func:`facemetrics.landmarks._build_in_own_thread` does, MediaPipe is imported
    in a short-lived thread (it would otherwise keep the caller's frames alive), by
    :func:`facemetrics.landmarks.import_mediapipe`."""
    from .. import landmarks

    def run() -> None:
        landmarks.import_mediapipe()
        from .. import analyze  # noqa: F401
        if compare:
            from .. import compare as _compare  # noqa: F401

    t = threading.Thread(target=run, name="facemetrics-preload", daemon=True)
    t.start()
    t.join()
    # join() returns as the thread finishes; its OS thread is gone a moment later
    # (:func:`_fork_is_safe` counts OS threads)
    deadline = time.monotonic() + 1.0
    while os.path.exists(f"/proc/self/task/{t.native_id}") and time.monotonic() < deadline:
        time.sleep(0.001)


def _blas_threads() -> int:
    """OS threads the loaded OpenBLAS libraries keep (``num_threads - 1`` each: idle between
    calls, and shut down by OpenBLAS's own ``pthread_atfork`` handler before a fork)."""
    from threadpoolctl import threadpool_info

    return sum(max(int(i.get("num_threads") or 1) - 1, 0) for i in threadpool_info()
               if i.get("internal_api") == "openblas")


def _fork_is_safe() -> tuple[bool, str]:
    """Can a worker process be forked from this process now?  ``(ok, reason)``.

    Only on Linux (macOS's system frameworks are not fork-safe, Windows has no fork), and
    only while this process runs nothing a fork could copy half-way: no MediaPipe graph
    has been built (its threads hold locks; a process that has measured a photo always
    spawns), no other Python thread, and no OS thread besides OpenBLAS's idle ones (an
    OpenCV thread pool, for instance, would be one more)."""
    if not sys.platform.startswith("linux"):
        return False, f"no safe fork on {sys.platform}"
    from .. import landmarks

    if landmarks.mesh_built():
        return False, "a Face Mesh graph exists in this process"
    if threading.active_count() != 1:
        return False, f"{threading.active_count()} Python threads"
    try:
        n_os = len(os.listdir("/proc/self/task"))
    except OSError:
        return False, "no /proc/self/task"
    expected = 1 + _blas_threads()
    if n_os > expected:
        return False, f"{n_os} OS threads, {expected} expected (this one and OpenBLAS's)"
    return True, "fork"


def _start_method(compare: bool) -> str:
    """``"fork"`` or ``"spawn"``: how this batch's worker processes start.

    A spawned worker starts a new interpreter and imports NumPy, OpenCV, MediaPipe and
    the analysis (and, for comparisons, SciPy's optimisers) again: 1.2-1.5 s of CPU that
    a CPU-bound batch does not have on 2 cores (docs/speed.md, 'Fifth round').  Where it
    is safe (:func:`_fork_is_safe`) the worker is forked instead.  When the batch compares
    (CPU-bound: every second of CPU counts on 2 cores) this process first imports what the
    worker needs (:func:`_preload`), and the worker then only builds its Face Mesh; when it
    only measures, the worker is forked at once and imports MediaPipe itself while this
    process does the same (16 photos of 12 MP: 1.17 s against 1.30 s with the preload and
    1.23 s spawned, medians of 6 alternated commands; docs/speed.md, 'Fifth round').
    Results are the same either way (``tests/test_batch.py``)."""
    wanted = os.environ.get("FACEMETRICS_WORKER_START", "") or START_METHOD
    if wanted == "spawn" or not sys.platform.startswith("linux"):
        return "spawn"
    if compare:
        _preload(compare)
    return "fork" if _fork_is_safe()[0] else "spawn"


def _executor(workers: int, method: str = "spawn"):
    import multiprocessing as mp

    return ProcessPoolExecutor(max_workers=workers, mp_context=mp.get_context(method), initializer=_worker_init,
                               initargs=(os.getpid(),))


def _forget_exit_wakeup(manager: threading.Thread | None) -> None:
    """Take a shut-down executor's manager thread out of the ones the interpreter wakes at exit.

    At exit, ``concurrent.futures.process._python_exit`` wakes every executor's manager thread
    through its wakeup pipe, without the executor's lock (CPython 3.11; gh-125451 later gave the pipe a lock).
    After ``shutdown(wait=False)`` the manager thread of this pool (its workers terminated) is
    closing that pipe, so the exit hook could find it open and then write to it closed:
    'Exception ignored in threading._shutdown ... OSError: [Errno 9] Bad file descriptor' on
    stderr, after 4 in 1,300 stopped batches.  This manager thread has already been woken, under
    the lock, by ``shutdown``, and its terminated workers' sentinels end it; it needs no wakeup at
    exit, and the interpreter still joins it there (a non-daemon thread).  Nothing here waits.
    """
    import concurrent.futures.process as cfp

    wakeups = getattr(cfp, "_threads_wakeups", None)  # a private registry: skipped where it is not
    if manager is not None and wakeups is not None:
        try:
            wakeups.pop(manager, None)
        except Exception:  # noqa: BLE001 - another layout: leave it as it is
            pass


class _Pool:
    """``workers`` processes in all, this one included (``workers=1``: only this one).

    This process is always one of the workers: it takes the next task whenever it is
    free, and a worker process is handed its next task the moment it returns one.
    Tasks go to a worker process only once it has started (imported the package and
    loaded Face Mesh, about a second of CPU), so none waits behind a start-up while
    this process could run it.  A batch on ``workers=N`` starts only N - 1 extra
    processes, a small batch is done in about the time of one process, and the
    start-up is hidden behind this process's own work (``bench/bench_batch.py``).
    Where it is safe the worker processes are forked from this one after it has imported
    what they need (:func:`_start_method`), else spawned.  ``compare``: the tasks include
    comparisons (their modules are imported before a fork too).
    Results do not depend on which process ran a task, nor on how it was started
    (``tests/test_batch.py`` compares 1 and 2 workers, forked and spawned, byte for byte).
    """

    def __init__(self, workers: int, compare: bool = True):
        self.workers, self.compare, self.ex, self.ready, self.method = workers, compare, None, [], None

    def start(self) -> None:
        """Start the worker processes now (they load Face Mesh while the caller hashes files)."""
        if self.workers > 1 and self.ex is None:
            self.method = _start_method(self.compare)
            self.ex = _executor(self.workers - 1, self.method)
            # with fork, the processes are forked here, in the first submit, before the executor
            # starts its threads
            self.ready = [self.ex.submit(_ready) for _ in range(self.workers - 1)]

    def run(self, tasks: list[tuple[Callable, tuple]], on_done: Callable[[int, dict], None]) -> None:
        """Run ``fn(*args)`` tasks; call ``on_done(i, result)`` as each finishes."""
        if not tasks:
            return
        if self.workers <= 1:
            for i, (fn, args) in enumerate(tasks):
                on_done(i, fn(*args))
            return
        self.start()
        import cv2

        threads = cv2.getNumThreads()
        cv2.setNumThreads(1)  # like the worker processes: the cores are taken (restored below)
        try:
            self._run_shared(tasks, on_done)
        finally:
            cv2.setNumThreads(threads)

    def _run_shared(self, tasks: list[tuple[Callable, tuple]], on_done: Callable[[int, dict], None]) -> None:
        """Share ``tasks`` between this process and the worker processes that have started.

        A worker process gets its first task(s) when it has started, and its next one the
        moment a task of its comes back (a callback on the executor's thread), so it never
        waits for this process to finish a task of its own; this process takes the next
        task in between.  Each worker process holds two tasks (one running, one queued)
        when there are many, one when there are few, so that a long task (a session) is
        not left queued behind another while this process idles.
        """
        lock, nxt, results = threading.Lock(), [0], queue.SimpleQueue()
        depth = 2 if len(tasks) >= 8 * self.workers else 1

        def take() -> int | None:
            with lock:
                if nxt[0] >= len(tasks):
                    return None
                nxt[0] += 1
                return nxt[0] - 1

        def feed(_=None) -> None:  # called on the executor's thread, or here
            i = take()
            if i is None:
                return
            fn, args = tasks[i]
            try:
                fut = self.ex.submit(fn, *args)
            except Exception as exc:  # noqa: BLE001 - a broken pool: raised in this process below
                results.put((i, exc, None))
                return
            fut.add_done_callback(lambda f, i=i: (results.put((i, None, f)), feed()))

        for f in self.ready:
            for _ in range(depth):
                f.add_done_callback(feed)
        n_done = 0
        while n_done < len(tasks):
            while True:  # what the worker processes have finished
                try:
                    i, exc, fut = results.get_nowait()
                except queue.Empty:
                    break
                if exc is not None:
                    raise exc
                on_done(i, fut.result())
                n_done += 1
            i = take()
            if i is not None:  # this process takes the next task itself
                fn, args = tasks[i]
                on_done(i, fn(*args))
                n_done += 1
            elif n_done < len(tasks):
                i, exc, fut = results.get()  # the rest is with the worker processes
                if exc is not None:
                    raise exc
                on_done(i, fut.result())
                n_done += 1

    def close(self, ok: bool = True) -> None:
        """Stop the workers.  After a finished run (``ok``) they are idle and every result is
        stored; after an error or Ctrl-C/SIGTERM (``not ok``) the work in flight is dropped
        (everything finished is already in the cache).  Either way they are terminated rather
        than asked to exit: a worker's orderly exit (Face Mesh and interpreter teardown) took
        about a second, a quarter of a 16-photo batch (``bench/bench_batch.py``).  The analyses
        this process kept for its own tasks (pixels included) are dropped too."""
        _WORKER_ANALYSES.clear()
        if self.ex is not None:
            procs = list((getattr(self.ex, "_processes", None) or {}).values())
            manager = getattr(self.ex, "_executor_manager_thread", None)  # (shutdown() forgets it)
            for proc in procs:
                try:
                    proc.terminate()
                except Exception:  # noqa: BLE001 - already gone
                    pass
            self.ex.shutdown(wait=False, cancel_futures=True)
            _forget_exit_wakeup(manager)
            for proc in procs:  # wait (briefly) until they are gone, so nothing writes after we return
                try:
                    proc.join(timeout=5)
                except Exception:  # noqa: BLE001 - already reaped
                    pass
            self.ex = None


def default_workers() -> int:
    """min(2, CPU count): the default number of processes measuring photos (this one included)."""
    return max(1, min(2, os.cpu_count() or 1))
