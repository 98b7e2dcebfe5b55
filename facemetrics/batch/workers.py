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


def _worker_init(parent_pid: int | None = None, one_thread: bool = True) -> None:
    """Process-pool initializer: exit with the parent, quiet logs, build the Face Mesh once.

    ``one_thread``: one BLAS and one OpenCV thread (the batch's workers, which share the cores); False
    for the one worker of a single photo (:mod:`facemetrics.isolated`), which has them to itself.

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

    from ..landmarks import build_face_mesh

    if one_thread:  # the workers already use every core: one BLAS and one OpenCV thread each (more only
        # wait for each other; bench/bench_batch.py)
        threadpool_limits(limits=1, user_api="blas")
        cv2.setNumThreads(1)
    build_face_mesh()


def _ready() -> None:
    """No-op task: submitted once per worker so the pool starts (and loads Face Mesh) early."""


#: the environment variable of the test-only native crash (:func:`_test_crash`): never set by facemetrics
TEST_CRASH_ENV = "FACEMETRICS_TEST_NATIVE_CRASH"


def _test_crash(stage: str, name: str) -> None:
    """Test hook: end this process as a native crash in MediaPipe or OpenCV would (no Python exception,
    no clean-up) when :data:`TEST_CRASH_ENV` names this ``stage`` and photo file ``name``.

    The variable holds ``stage:signal:file name`` items separated by ``|``: ``stage`` is ``measure``
    (before the photo is measured: :func:`_analysis`) or ``compare`` (before a comparison whose
    ``after`` photo is ``name``: :func:`_task_compare`), ``signal`` is ``abort`` (``os.abort()``,
    SIGABRT, as the one crash seen in ~1300 fuzz runs) or ``segv`` (SIGSEGV).  Only the tests set it
    (``tests/test_batch_crash.py``, docs/robustness.md 'A native crash in one photo'): no photo, file name
    or command-line option reaches it, and unset (always, for a user) it costs one dictionary look-up.
    ``FACEMETRICS_TEST_NATIVE_CRASH_ONCE`` (a folder) makes each crash happen once (a file there marks it):
    a crash that does not come back.
    """
    given = os.environ.get(TEST_CRASH_ENV)
    if not given:
        return
    for item in given.split("|"):
        want_stage, _, rest = item.partition(":")
        how, _, want_name = rest.partition(":")
        if want_stage == stage and want_name == name:
            once = os.environ.get(TEST_CRASH_ENV + "_ONCE")
            if once:
                mark = Path(once) / f"{stage}-{name}"
                if mark.exists():
                    return
                mark.touch()
            sys.stderr.flush()
            if how == "segv":
                import signal

                os.kill(os.getpid(), signal.SIGSEGV)
            os.abort()


def _analysis(path: str, sha: str, settings: dict):
    """Analysis of one photo, memoised per process (small LRU)."""
    from ..analyze import analyze_photo

    key = (sha, json.dumps(settings, sort_keys=True))
    if key in _WORKER_ANALYSES:
        _WORKER_ANALYSES.move_to_end(key)
        return _WORKER_ANALYSES[key]
    _test_crash("measure", os.path.basename(path))
    res = analyze_photo(path, mm_per_px=settings["mm_per_px"], ipd_mm=settings["ipd_mm"], fast=settings["fast"])
    _WORKER_ANALYSES[key] = res
    while len(_WORKER_ANALYSES) > _WORKER_KEEP:
        _WORKER_ANALYSES.popitem(last=False)
    return res


def measure_photo(path: str, sha: str, settings: dict, cache_file: str) -> dict:
    """Measure one photo as a batch measures it, store its row in ``cache_file``, return the stored row
    (its ``photos.csv`` row; ``settings`` from :func:`~facemetrics.batch.cache.run_settings`).  The batch's
    task per photo; the study store measures its photos by it too (:meth:`facemetrics.store.Store.analysis`),
    so that they get the batch's rows."""
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
    """Measure one photo and store its row (as :func:`measure_photo`); return
    ``{"row": row, "analysis": PhotoAnalysis or None}``.  The main process hands the
    analysis to the comparisons that need it (:func:`_task_compare`), so a photo is
    measured once whichever process compares it; from a worker process it is pickled
    (about 6 MB and 6 ms for a 1600 px photo; the comparisons are identical)."""
    row = measure_photo(path, sha, settings, cache_file)
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
    from ..analyze import face_place

    out = {}
    for role, given, used in (("before", before, comp.before), ("after", after, comp.after)):
        k = int(used.extra.get("face", 0) or 0) if used is not None else 0
        if used is None or used is given or not used.extra.get("face_matched") or k == 0:
            continue
        out[role] = {"face": k, "place": face_place(used.extra.get("faces_x", ()), k), "row": used.to_row(),
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
        _test_crash("compare", os.path.basename(after[0]) if isinstance(after, tuple) else str(ana_after.name))
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
    exactly as :func:`measure_photo` / :func:`_task_compare` store it; the main
    process then reads the comparisons from there.
    """
    rows, measured, compared = {}, 0, 0
    for i, e, cache_file, stored in items:
        if stored is None:  # not in the cache when the run began: perhaps made since (same content elsewhere)
            stored = _cached("photo", Path(cache_file))
        if stored is None:
            stored = measure_photo(str(e.path), e.sha256, settings, cache_file)
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


def _executor(workers: int, method: str = "spawn", one_thread: bool = True):
    """A process pool of ``workers`` worker processes started by ``method`` (:func:`_worker_init`'s ``one_thread``)."""
    import multiprocessing as mp

    return ProcessPoolExecutor(max_workers=workers, mp_context=mp.get_context(method), initializer=_worker_init,
                               initargs=(os.getpid(), one_thread))


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


#: run every task in a worker process, none in this one (``workers=1``: one worker process), so that a
#: native crash ends a worker, which the run survives (:class:`_Run`), never the run itself; measured cost
#: in docs/robustness.md, 'A native crash in one photo' (the benches set it False for their baseline)
ISOLATE = True


def _exit_code(procs, wait_s: float = 10.0) -> int | None:
    """The first non-zero exit code of ``procs`` (dead or dying worker processes); ``None`` when none is known
    after ``wait_s`` seconds.  The executor's own thread reaps a broken pool's processes at the same time
    (``os.waitpid``): the join here can then return before the exit code is stored, and a loaded machine read
    "an unknown signal" for a SIGABRT or SIGSEGV, so the code is polled until it is there."""
    deadline = time.monotonic() + wait_s
    while True:
        for proc in procs:
            try:
                proc.join(timeout=0.05)
            except Exception:  # noqa: BLE001 - reaped by the executor's thread
                pass
        code = next((p.exitcode for p in procs if p.exitcode not in (None, 0)), None)
        if code is not None or time.monotonic() > deadline or all(p.exitcode == 0 for p in procs):
            return code


def _signal_name(exitcode: int | None) -> str:
    """``"SIGABRT"`` for a process's exit code -6, ``"exit status 3"`` for 3, ``"an unknown signal"``."""
    import signal

    if exitcode is None:
        return "an unknown signal"
    if exitcode < 0:
        try:
            return signal.Signals(-exitcode).name
        except ValueError:
            return f"signal {-exitcode}"
    return f"exit status {exitcode}"


#: what an ``error`` row says of a photo whose measuring ended its process twice (``{name}``: the file
#: name, ``{how}``: "SIGABRT", ...)
MSG_PHOTO_CRASHED = ("{name}: the photo crashed the face finder (the process measuring it ended with {how}, "
                     "twice, once on its own); not measured. Re-save it as PNG or JPEG (open it in an image "
                     "editor and export it) and run batch again: the other photos are kept")

#: what an ``error`` comparison says when comparing ended its process twice (``{after}``, ``{before}``,
#: ``{how}``)
MSG_COMPARE_CRASHED = ("comparing {after} with {before} crashed the face finder (the process ended with {how}, "
                       "twice, once on its own); no changes. Re-save these photos as PNG or JPEG and run batch "
                       "again")


def _crash_row(path: str, how: str) -> dict:
    """The ``error`` row of a photo whose measuring ended its process twice (not stored in the cache:
    the next run tries the photo again)."""
    row = dict.fromkeys(PHOTO_COLUMNS, None)
    row.update(status="error", error=MSG_PHOTO_CRASHED.format(name=os.path.basename(path), how=how),
               facemetrics_version=__version__)
    return _roundtrip(row)


def _name_of(item) -> str:
    """The file name of a comparison's photo: ``(path, sha256)`` or an analysis."""
    return os.path.basename(item[0]) if isinstance(item, tuple) else str(getattr(item, "name", "?"))


def _crashed_analyze(path, sha, settings, cache_file, *, how, alone) -> dict:  # noqa: ARG001 - a task's arguments
    return _crash_row(path, how)


def _crashed_measure_shared(path, sha, settings, cache_file, *, how, alone) -> dict:  # noqa: ARG001
    return {"row": _crash_row(path, how), "analysis": None}


def _crashed_compare(before, after, settings, cache_file, *, how, alone) -> dict:  # noqa: ARG001
    msg = MSG_COMPARE_CRASHED.format(after=_name_of(after), before=", ".join(_name_of(b) for b in before), how=how)
    return {"status": "error", "messages": [msg], "rows": []}  # not stored: the next run compares again


def _crashed_session(items, settings, cache_dir, skey, *, how, alone) -> dict:  # noqa: ARG001
    """A session whose task ended its process twice: each of its photos measured on its own
    (``alone(fn, args)``: ``(True, result)`` or ``(False, how)``), the one that crashes given its
    ``error`` row; its comparisons are left to the batch's comparison stage (a task each)."""
    rows, measured = {}, 0
    for i, e, cache_file, stored in items:
        if stored is None:
            stored = _cached("photo", Path(cache_file))
        if stored is None:
            ok, res = alone(measure_photo, (str(e.path), e.sha256, settings, cache_file))
            stored = res if ok else _crash_row(str(e.path), res)
            measured += 1
        rows[i] = stored
    return {"rows": rows, "measured": measured, "compared": 0}


#: a task's result when it ended its worker process twice (once with others in flight, once on its own):
#: ``fn(*args, how=..., alone=...)``; a task not here stops the run with ``BrokenProcessPool``
_CRASHED = {measure_photo: _crashed_analyze, _task_measure_shared: _crashed_measure_shared,
            _task_compare: _crashed_compare, _task_session: _crashed_session}


def _end_executor(ex, wait: bool = False) -> None:
    """Terminate ``ex``'s worker processes and shut it down, without waiting for an orderly exit;
    ``wait``: and wait (at most 5 s) until its manager thread has ended, so that the next worker
    process can be forked rather than spawned (:func:`_fork_is_safe`: no other thread)."""
    procs = list((getattr(ex, "_processes", None) or {}).values())
    manager = getattr(ex, "_executor_manager_thread", None)  # (shutdown() forgets it)
    for proc in procs:
        try:
            proc.terminate()
        except Exception:  # noqa: BLE001 - already gone
            pass
    ex.shutdown(wait=False, cancel_futures=True)
    _forget_exit_wakeup(manager)
    for proc in procs:  # wait (briefly) until they are gone, so nothing writes after we return
        try:
            proc.join(timeout=5)
        except Exception:  # noqa: BLE001 - already reaped
            pass
    if wait and manager is not None:
        manager.join(timeout=5)


class _Pool:
    """``workers`` processes in all: ``workers`` worker processes (:data:`ISOLATE`), else this one and
    ``workers - 1`` (``workers=1``: only this one).

    With :data:`ISOLATE` (the default) this process runs no task: a native crash (SIGABRT or SIGSEGV in
    MediaPipe or OpenCV, no Python exception) ends a worker process, and the run goes on (:class:`_Run`):
    the tasks that were in flight run again, each on its own, and one that ends its process again gets its
    ``error`` result (:data:`_CRASHED`).  Otherwise this process is one of the workers: it takes the
    next task whenever it is free (the start-up of the worker processes is hidden behind its work), and
    a crash in one of its own tasks ends the run (docs/robustness.md, 'A native crash in one photo').
    A worker process is handed its next task the moment it returns one, and gets tasks only once it has
    started (imported the package and loaded Face Mesh, about a second of CPU).
    Where it is safe the worker processes are forked from this one after it has imported
    what they need (:func:`_start_method`), else spawned.  ``compare``: the tasks include
    comparisons (their modules are imported before a fork too).
    Results do not depend on which process ran a task, nor on how it was started
    (``tests/test_batch.py`` compares 1 and 2 workers, forked and spawned, byte for byte).
    """

    def __init__(self, workers: int, compare: bool = True):
        self.workers, self.compare, self.ex, self.ready, self.method = workers, compare, None, [], None
        self.isolate = ISOLATE
        self.solo = None  # the one-process executor of the tasks run on their own (:meth:`alone`)
        self.given_up = False  # worker processes failed to start: the rest runs in this process

    @property
    def n_processes(self) -> int:
        """Worker processes this pool starts."""
        return 0 if self.given_up else self.workers if self.isolate else self.workers - 1

    def start(self) -> None:
        """Start the worker processes now (they load Face Mesh while the caller hashes files)."""
        if self.n_processes >= 1 and self.ex is None:
            self.method = _start_method(self.compare)
            self.ex = _executor(self.n_processes, self.method)
            # with fork, the processes are forked here, in the first submit, before the executor
            # starts its threads
            self.ready = [self.ex.submit(_ready) for _ in range(self.n_processes)]

    def run(self, tasks: list[tuple[Callable, tuple]], on_done: Callable[[int, dict], None]) -> None:
        """Run ``fn(*args)`` tasks; call ``on_done(i, result)`` as each finishes."""
        if not tasks:
            return
        if self.n_processes < 1:
            for i, (fn, args) in enumerate(tasks):
                on_done(i, fn(*args))
            return
        self.start()
        if self.isolate:
            _Run(self, tasks, on_done).run()
            return
        import cv2

        threads = cv2.getNumThreads()
        cv2.setNumThreads(1)  # like the worker processes: the cores are taken (restored below)
        try:
            _Run(self, tasks, on_done).run()
        finally:
            cv2.setNumThreads(threads)

    def alone(self, fn: Callable, args: tuple) -> tuple[bool, object]:
        """Run one task on its own in a worker process: ``(True, result)``, or ``(False, how)`` when it
        ended the process (``how``: "SIGABRT", ...; the next call starts a new process)."""
        from concurrent.futures.process import BrokenProcessPool

        if self.solo is None:
            self.solo = _executor(1, _start_method(self.compare))
        fut = self.solo.submit(fn, *args)
        procs = list((getattr(self.solo, "_processes", None) or {}).values())
        try:
            return True, fut.result()
        except BrokenProcessPool:
            how = _signal_name(_exit_code(procs))
            _end_executor(self.solo, wait=True)
            self.solo = None
            return False, how

    def restart(self) -> None:
        """End a broken executor (and the one of the tasks run on their own); start new worker processes."""
        for ex in (self.ex, self.solo):
            if ex is not None:
                _end_executor(ex, wait=True)
        self.ex, self.solo, self.ready = None, None, []
        self.start()

    def close(self, ok: bool = True) -> None:
        """Stop the workers.  After a finished run (``ok``) they are idle and every result is
        stored; after an error or Ctrl-C/SIGTERM (``not ok``) the work in flight is dropped
        (everything finished is already in the cache).  Either way they are terminated rather
        than asked to exit: a worker's orderly exit (Face Mesh and interpreter teardown) took
        about a second, a quarter of a 16-photo batch (``bench/bench_batch.py``).  The analyses
        this process kept for its own tasks (pixels included) are dropped too."""
        _WORKER_ANALYSES.clear()
        for ex in (self.ex, self.solo):
            if ex is not None:
                _end_executor(ex)
        self.ex = self.solo = None


class _Run:
    """One :meth:`_Pool.run` on worker processes: share ``tasks`` between them (and this process,
    unless the pool isolates) and survive a worker process that dies.

    A worker process gets its first task(s) when it has started, and its next one the
    moment a task of its comes back (a callback on the executor's thread), so it never
    waits for this process to finish a task of its own; this process takes the next
    task in between.  Each worker process holds two tasks (one running, one queued)
    when there are many, one when there are few, so that a long task (a session) is
    not left queued behind another while this process idles.

    When a worker process dies (``BrokenProcessPool`` for every task in flight), no task is handed
    out until all in flight have come back; each of those then runs again on its own
    (:meth:`_Pool.alone`), and one that ends its process again gets its crash result
    (:data:`_CRASHED`); then new worker processes take the rest.  Worker processes that die
    before any task reached them (at start-up) are not started again: this process runs the rest.
    """

    def __init__(self, pool: _Pool, tasks: list, on_done: Callable[[int, dict], None]):
        import collections

        self.pool, self.tasks, self.on_done = pool, tasks, on_done
        self.lock, self.results = threading.Lock(), queue.SimpleQueue()
        self.pending = collections.deque(range(len(tasks)))
        self.inflight: set[int] = set()
        self.suspects: list[int] = []
        self.broken = False
        self.n_done = 0
        self.depth = 2 if len(tasks) >= 8 * pool.workers else 1

    def take(self) -> int | None:
        with self.lock:
            return self.pending.popleft() if self.pending else None

    def feed(self, _=None) -> None:  # called on the executor's thread, or here
        with self.lock:
            if self.broken or not self.pending or self.pool.ex is None:
                return
            i = self.pending.popleft()
            self.inflight.add(i)
            ex = self.pool.ex
        fn, args = self.tasks[i]
        try:
            fut = ex.submit(fn, *args)
        except Exception as exc:  # noqa: BLE001 - a broken pool: handled in this process
            self.results.put((i, exc, None))
            return
        fut.add_done_callback(lambda f, i=i: self.came_back(i, f))

    def came_back(self, i: int | None, fut) -> None:
        """A future's callback (``i`` None: a worker process's start-up, :func:`_ready`)."""
        from concurrent.futures.process import BrokenProcessPool

        if not fut.cancelled() and isinstance(fut.exception(), BrokenProcessPool):
            with self.lock:
                self.broken = True
            if i is None:  # wakes this process, which may be waiting for a task that will not come
                self.results.put((None, None, None))
        if i is not None:
            self.results.put((i, None, fut))
        for _ in range(self.depth if i is None else 1):
            self.feed()

    def handle(self, i: int | None, exc, fut) -> None:
        """A task back from a worker process: its result, a crash, or an executor that refused it."""
        from concurrent.futures.process import BrokenProcessPool

        if i is None:  # a wake-up: a worker process died at start-up
            return
        with self.lock:
            self.inflight.discard(i)
            if fut is None:  # not submitted: a broken (or shut) executor; it runs later
                if not isinstance(exc, (BrokenProcessPool, RuntimeError)):
                    raise exc
                self.broken = True
                self.pending.appendleft(i)
                return
        err = fut.exception()
        if isinstance(err, BrokenProcessPool):
            self.suspects.append(i)
            return
        self.on_done(i, fut.result())
        self.n_done += 1

    def recover(self) -> None:
        """All in flight are back after a worker process died: each suspect on its own, then new workers."""
        pool = self.pool
        suspects, self.suspects = sorted(self.suspects), []
        _end_executor(pool.ex, wait=True)
        pool.ex, pool.ready = None, []
        with self.lock:
            self.broken = False
        if not suspects:  # died before any task reached it: at start-up (not started again)
            pool.given_up = True
            return
        for i in suspects:
            fn, args = self.tasks[i]
            ok, res = pool.alone(fn, args)
            if not ok:
                if fn not in _CRASHED:
                    from concurrent.futures.process import BrokenProcessPool

                    raise BrokenProcessPool(f"a task ended its worker process twice ({res})")
                res = _CRASHED[fn](*args, how=res, alone=pool.alone)
            self.on_done(i, res)
            self.n_done += 1
        pool.restart()
        for f in pool.ready:
            f.add_done_callback(lambda f: self.came_back(None, f))

    def run(self) -> None:
        own = not self.pool.isolate
        for f in self.pool.ready:
            f.add_done_callback(lambda f: self.came_back(None, f))
        while self.n_done < len(self.tasks):
            while True:  # what the worker processes have finished
                try:
                    self.handle(*self.results.get_nowait())
                except queue.Empty:
                    break
            with self.lock:
                settled = self.broken and not self.inflight and all(f.done() for f in self.pool.ready)
            if settled:
                self.recover()
                continue
            i = self.take() if own or self.pool.ex is None else None
            if i is not None:  # this process takes the next task itself
                fn, args = self.tasks[i]
                self.on_done(i, fn(*args))
                self.n_done += 1
            elif self.n_done < len(self.tasks):
                self.handle(*self.results.get())  # the rest is with the worker processes


def default_workers() -> int:
    """min(2, CPU count): the default number of processes measuring photos."""
    return max(1, min(2, os.cpu_count() or 1))
