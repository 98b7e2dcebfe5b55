"""One call at a time in a kept-alive worker process, so that a native crash of the face finder (SIGABRT or
SIGSEGV inside MediaPipe or OpenCV: no Python exception) ends the worker, never the caller.

The edges use it: ``facemetrics analyze`` and ``compare`` (one worker for the command) and the app (one
worker for the server, started lazily, started again after a crash).  The library calls
(:func:`facemetrics.analyze_photo`, :func:`facemetrics.compare.compare_photos`) stay in-process and pure;
the batch has its own pool (:mod:`facemetrics.batch.workers`), whose process start, exit-code reading and
test hook this module reuses.  Cost measured in docs/robustness.md, 'A native crash in analyze, compare and
the app'.
"""

from __future__ import annotations

import io
import json
import os
import pickle
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Callable

from .batch import workers as _w

#: the environment variables of the test-only crash hook, forwarded to the worker with each call (a worker
#: started before a test set them sees them too); unset for a user
_HOOK_ENV = (_w.TEST_CRASH_ENV, _w.TEST_CRASH_ENV + "_ONCE")

#: the words every crash message has (the app finds its crash analyses by them)
CRASHED = "crashed the face finder"

#: what a photo's ``error`` says when measuring it ended the worker process twice (``{name}``: its name,
#: ``{how}``: "SIGSEGV", ...; ``{again}``: what to run again)
MSG_PHOTO_CRASHED = ("{name}: the photo crashed the face finder (the process measuring it ended with {how}, twice); "
                     "not measured. Re-save it as PNG or JPEG (open it in an image editor and export it) and "
                     "{again}")

#: what ``compare`` says when the comparison itself (each photo measured on its own) ended the worker twice: what
#: happened, then the command line's remedy (the app says its own after the same finding: app.py
#: ``comparison_crashed_message``, which replaced this sentence's remedy by matching its words until stop 66)
COMPARISON_CRASHED_FINDING = ("comparing {after} with {before} crashed the face finder (the process ended with {how}, "
                              "twice; each photo on its own was measured)")
MSG_COMPARISON_CRASHED = (COMPARISON_CRASHED_FINDING + "; no changes, nothing written. Re-save these photos as PNG or "
                          "JPEG and compare again")

#: run every :meth:`Worker.call` in a worker process (False: in this process, unprotected; the benches'
#: baseline, bench/bench_isolate.py)
ISOLATE = True


class NativeCrash(Exception):
    """A call ended its worker process twice (once more in a new worker): ``how`` is "SIGSEGV", "SIGABRT", ..."""

    def __init__(self, how: str):
        super().__init__(f"the worker process ended with {how}")
        self.how = how


def _call(env: dict, fn: Callable, args: tuple, kwargs: dict):
    """In the worker: the caller's test-hook variables set (or unset), then ``fn(*args, **kwargs)``."""
    for k, v in env.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v
    return fn(*args, **kwargs)


class Worker:
    """A worker process (started at the first call or by :meth:`start`) that runs one call at a time.

    :meth:`call` runs ``fn(*args, **kwargs)`` there and returns its result (pickled back); when the call
    ends the process (a native crash), it runs once more in a new worker process, and a second crash raises
    :class:`NativeCrash`.  The worker is forked where that is safe (a process with no other thread and no
    Face Mesh graph: the CLI), else spawned (the app), and keeps OpenCV's and BLAS's threads.  Calls from
    several threads (the app's sessions) are run one after the other, as the in-process Face Mesh graph
    runs them.  The worker ends with this process (``prctl`` and a watchdog, as the batch's workers).
    ``preload``: before a fork, this process imports what the worker needs (:func:`facemetrics.batch.workers._preload`;
    ``True``: the comparison too), so that the two processes share those imports (a command needs them itself
    to read the result back); ``None``: nothing imported here for it.
    """

    def __init__(self, preload: bool | None = None):
        self._ex, self._lock, self.starts, self.preload = None, threading.RLock(), 0, preload
        self._keeper = None  # the thread that starts the worker process when the caller is not the main thread

    def start(self) -> None:
        """Start the worker process now (it imports the analysis and builds its Face Mesh graph, ~1 s of CPU).

        From a thread other than the main thread (the app's script runs and its warm-up), the process is started
        by a thread of this worker that never ends: Linux's ``PR_SET_PDEATHSIG`` (the worker's end with its
        parent, :func:`facemetrics.batch.workers._worker_init`) kills the worker when the *thread* that started it
        ends, and an idle worker killed so made the next call fail ('the process pool is not usable anymore')."""
        with self._lock:
            if self._ex is not None:
                return
            if threading.current_thread() is threading.main_thread():
                self._start_here()
                return
            if self._keeper is None:
                from concurrent.futures import ThreadPoolExecutor

                self._keeper = ThreadPoolExecutor(1, thread_name_prefix="facemetrics-worker-starter")
            self._keeper.submit(self._start_here).result()

    def _start_here(self) -> None:
        if self.preload is not None and _w._start_method(False) == "fork":
            _w._preload(self.preload)
        self._ex = _w._executor(1, _w._start_method(False), one_thread=False)
        self._ex.submit(_w._ready)  # the process starts now (in this thread), not at the first photo
        self.starts += 1

    def _once(self, fn: Callable, args: tuple, kwargs: dict):
        """``(True, result)``, or ``(False, how)`` after the call ended the worker process (then gone)."""
        from concurrent.futures.process import BrokenProcessPool

        self.start()
        env = {k: os.environ.get(k) for k in _HOOK_ENV}
        try:
            fut = self._ex.submit(_call, env, fn, args, kwargs)
        except BrokenProcessPool:  # the worker died while idle (the OOM killer, a signal): not this call's doing
            _w._end_executor(self._ex, wait=True)
            self._ex = None
            self.start()
            fut = self._ex.submit(_call, env, fn, args, kwargs)
        procs = list((getattr(self._ex, "_processes", None) or {}).values())
        try:
            return True, fut.result()
        except BrokenProcessPool:
            how = _w._signal_name(_w._exit_code(procs))
            _w._end_executor(self._ex, wait=True)
            self._ex = None
            return False, how

    def call(self, fn: Callable, *args, retry: bool = True, **kwargs):
        """``fn(*args, **kwargs)`` in the worker process (``fn`` importable by name); :class:`NativeCrash` when it
        ended the process twice (``retry=False``: once)."""
        if not ISOLATE:
            return fn(*args, **kwargs)
        with self._lock:
            ok, res = self._once(fn, args, kwargs)
            if not ok and retry:
                ok, res = self._once(fn, args, kwargs)
            if not ok:
                raise NativeCrash(res)
            return res

    def close(self) -> None:
        """End the worker process (terminated: its orderly exit takes about a second) and the thread that starts it."""
        with self._lock:
            if self._ex is not None:
                _w._end_executor(self._ex)
                self._ex = None
            if self._keeper is not None:
                self._keeper.shutdown(wait=False)
                self._keeper = None


def analyze_task(source, *, name: str | None = None, **kwargs):
    """:func:`facemetrics.analyze_photo` of ``source`` (a path or the photo's bytes), in a worker; the test
    hook's ``measure`` stage is checked first, for the file's name (``name`` for bytes)."""
    from .analyze import analyze_photo

    _w._test_crash("measure", os.path.basename(str(source)) if isinstance(source, (str, os.PathLike)) else str(name))
    return analyze_photo(source, name=name, **kwargs)


def compare_task(before, after, **kwargs):
    """:func:`facemetrics.compare.compare_photos` in a worker; the test hook's ``measure`` stage is checked
    for each photo given by path (as its file name), then the ``compare`` stage for the after photo."""
    from .compare import compare_photos

    paths = [before, after, *kwargs.get("before_repeats", ()), *kwargs.get("after_repeats", ())]
    for p in paths:
        if isinstance(p, (str, os.PathLike)):
            _w._test_crash("measure", os.path.basename(str(p)))
    # a path: its file name; an analysis (the app): its name
    _w._test_crash("compare", os.path.basename(str(after)) if isinstance(after, (str, os.PathLike))
                   else str(getattr(after, "name", "")))
    return compare_photos(before, after, **kwargs)


class _InputsAsIds(pickle.Pickler):
    """Pickles an object with each of ``inputs`` (by identity) written as its index: the caller has them."""

    def __init__(self, file, inputs: tuple):
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self._ids = {id(x): i for i, x in enumerate(inputs)}

    def persistent_id(self, obj):
        return self._ids.get(id(obj))


class _InputsFromIds(pickle.Unpickler):
    def __init__(self, file, inputs: tuple):
        super().__init__(file)
        self._inputs = inputs

    def persistent_load(self, pid):
        return self._inputs[pid]


def compare_lean_task(before, after, **kwargs) -> bytes:
    """:func:`compare_task`, its :class:`~facemetrics.compare.Comparison` pickled *without* the analyses it was given
    (``before``, ``after``, ``before_repeats``: written as references; the caller has them): about half the bytes
    sent back (the sample pair: 12 of 25 MB).  :func:`lean_comparison` makes the comparison again in the caller."""
    cmp = compare_task(before, after, **kwargs)
    buf = io.BytesIO()
    _InputsAsIds(buf, (before, after, *kwargs.get("before_repeats", ()))).dump(cmp)
    return buf.getvalue()


def lean_comparison(data: bytes, before, after, before_repeats: tuple = ()):
    """The comparison :func:`compare_lean_task` sent (``data``), with the caller's own analyses in it."""
    return _InputsFromIds(io.BytesIO(data), (before, after, *before_repeats)).load()


# ---- the analyses a worker keeps: a comparison sends their keys, not the analyses (12.5 MB for the sample pair) ----

#: at most this many analyses kept in the worker (the oldest used dropped first) ...
KEEP_MAX = 8
#: ... and at most this many bytes of their photos' pixels (a 12 MP JPEG as the app reads it, its fast half-size
#: decode: 9.1 MB, its analysis 9.2 MB pickled; fully decoded: 36 MB)
KEEP_PIXEL_BYTES = 200_000_000

#: in the worker: ``{kept_key: analysis}`` of the analyses it made (:func:`analyze_kept_task`) or was sent after a
#: restart (:func:`compare_kept_task`), most recently used last; empty in a new worker (a restart, a crash)
_KEPT: "OrderedDict[tuple, object]" = OrderedDict()
#: held while :data:`_KEPT` is read or changed: with :data:`ISOLATE` False (in process) the app's sessions call
#: :func:`analyze_kept_task` and :func:`compare_kept_task` from their own threads, without the worker's lock
_KEPT_LOCK = threading.RLock()


def kept_key(analysis, settings: dict | None = None) -> tuple:
    """The key an analysis is kept by in the worker: its photo's SHA-256 (of the bytes measured), its name and the
    settings it was measured with (``settings``: the keyword arguments of :func:`facemetrics.analyze_photo`, {} =
    its defaults, the app's); ``None`` for an analysis without a photo (an unreadable file: never compared)."""
    photo = getattr(analysis, "photo", None)
    if photo is None:
        return None
    return (photo.sha256, str(analysis.name), json.dumps(settings or {}, sort_keys=True, default=str))


def _keep(key: tuple, analysis) -> None:
    """Keep ``analysis`` under ``key`` in this process (:data:`_KEPT`), dropping the least recently used beyond
    :data:`KEEP_MAX` analyses or :data:`KEEP_PIXEL_BYTES` of pixels (the newest is always kept); under
    :data:`_KEPT_LOCK` (a thread's :func:`analyze_kept_task` while another's ``pixels()`` iterated :data:`_KEPT`:
    'OrderedDict mutated during iteration')."""
    with _KEPT_LOCK:
        _keep_locked(key, analysis)


def _keep_locked(key: tuple, analysis) -> None:
    _KEPT[key] = analysis
    _KEPT.move_to_end(key)

    def pixels():
        return sum(int(getattr(getattr(a.photo, "rgb", None), "nbytes", 0)) for a in _KEPT.values())

    while len(_KEPT) > 1 and (len(_KEPT) > KEEP_MAX or pixels() > KEEP_PIXEL_BYTES):
        _KEPT.popitem(last=False)


def analyze_kept_task(source, *, name: str | None = None, **kwargs):
    """:func:`analyze_task`, the analysis also kept in the worker (:func:`kept_key` with ``kwargs``) for the
    comparisons that follow (:func:`compare_kept_task`)."""
    analysis = analyze_task(source, name=name, **kwargs)
    key = kept_key(analysis, kwargs)
    if key is not None and analysis.ok:
        _keep(key, analysis)
    return analysis


#: the first item of the key an analysis without a photo is sent by (never kept: it is sent each time)
UNKEPT = "unkept"


@dataclass(frozen=True)
class Kept:
    """An analysis given to :func:`compare_kept_task` by its :func:`kept_key` (``analysis`` None: the worker has it),
    or with the analysis itself (the worker did not have it: it keeps it now)."""

    key: tuple
    analysis: object = None


@dataclass(frozen=True)
class Missing:
    """:func:`compare_kept_task`'s answer when the worker does not have some of the analyses (``keys``): a new
    worker (started again after a crash) or ones dropped for room; the caller sends them (:func:`compare_kept`)."""

    keys: tuple


def compare_kept_task(before: Kept, after: Kept, before_repeats: tuple = (), *, whole: bool = False, **kwargs):
    """:func:`compare_lean_task` of the analyses named by ``before``, ``after`` and ``before_repeats``
    (:class:`Kept`: those this worker keeps, or sent along), as :class:`Sent` (what the app shows and exports
    only; ``whole``: :func:`compare_lean_task`'s bytes, every field, the app's until stop 46 and
    bench/bench_isolate.py's baseline); :class:`Missing` when it does not have some of them (nothing compared)."""
    refs = (before, after, *before_repeats)
    with _KEPT_LOCK:
        missing = tuple(r.key for r in refs if r.analysis is None and r.key not in _KEPT)
        if missing:
            return Missing(missing)
        got = [r.analysis if r.analysis is not None else _KEPT[r.key] for r in refs]
        for r, a in zip(refs, got):  # the ones used now are the last to be dropped
            if r.key[0] != UNKEPT:
                _keep(r.key, a)
    if whole:
        return compare_lean_task(got[0], got[1], before_repeats=tuple(got[2:]), **kwargs)
    cmp = compare_task(got[0], got[1], before_repeats=tuple(got[2:]), **kwargs)
    slim, packed = sent_parts(cmp)
    buf = io.BytesIO()
    _InputsAsIds(buf, tuple(got)).dump(slim)
    return Sent(buf.getvalue(), packed)


# ---- what a comparison sends back to the app: what the page shows and exports, packed without loss ----

#: the :class:`~facemetrics.compare.Comparison` fields the app's comparison leaves in the worker (None in the
#: caller's copy): the residual flow (``flow_mm``, 3.8 MB for the sample pair), which no page, figure or download
#: reads (:func:`facemetrics.plots.comparison_overlay` draws the lift map, the grids and the region masks)
NOT_SENT = ("flow_mm",)


@dataclass(frozen=True)
class Sent:
    """:func:`compare_kept_task`'s comparison: ``data``, the comparison pickled without the analyses it was given
    (:func:`compare_lean_task`), without :data:`NOT_SENT` and without its region masks and lift map, which
    ``packed`` holds packed (:func:`sent_parts`); :func:`sent_comparison` puts them back."""

    data: bytes
    packed: dict


def sent_parts(cmp) -> tuple:
    """``(slim, packed)``: ``cmp`` without :data:`NOT_SENT` (None), its region masks (``{}``) and its lift map
    (None), and those two packed without loss: ``packed["masks"]`` ``{(region, side): (shape, bits)}`` (each bool
    mask, shape (rows, cols), as :func:`numpy.packbits`' bytes, an eighth of its size), ``packed["lift"]`` None or
    ``(shape, dtype, nan_bits, values)`` (the map's NaN cells, outside the face, as bits and the other cells'
    values in row-major order, mm, float32: 40 % of the sample pair's cells are NaN)."""
    import dataclasses

    import numpy as np

    masks = {k: (m.shape, np.packbits(np.asarray(m, bool))) for k, m in (cmp.region_masks or {}).items()}
    lift, packed_lift = cmp.lift_map_mm, None
    if lift is not None:
        nan = np.isnan(lift)
        packed_lift = (lift.shape, lift.dtype.str, np.packbits(nan), np.ascontiguousarray(lift[~nan]))
    slim = dataclasses.replace(cmp, region_masks={}, lift_map_mm=None, **{f: None for f in NOT_SENT})
    return slim, {"masks": masks, "lift": packed_lift}


def unpacked(packed: dict) -> dict:
    """The ``region_masks`` and ``lift_map_mm`` of :func:`sent_parts`' ``packed``, as the comparison had them
    (bit for bit; NaN cells NaN)."""
    import numpy as np

    def bits(shape, b):
        return np.unpackbits(b, count=int(np.prod(shape))).reshape(shape).astype(bool)

    masks = {k: bits(shape, b) for k, (shape, b) in packed["masks"].items()}
    lift = None
    if packed["lift"] is not None:
        shape, dtype, nan_bits, values = packed["lift"]
        nan = bits(shape, nan_bits)
        lift = np.full(shape, np.nan, dtype=np.dtype(dtype))
        lift[~nan] = values
    return {"region_masks": masks, "lift_map_mm": lift}


def sent_comparison(sent: Sent, before, after, before_repeats: tuple = ()):
    """The comparison :func:`compare_kept_task` sent (``sent``), with the caller's own analyses, its region masks
    and its lift map back in it (:data:`NOT_SENT` None)."""
    import dataclasses

    return dataclasses.replace(lean_comparison(sent.data, before, after, before_repeats), **unpacked(sent.packed))


#: how many times a comparison may end the worker process before it is said (:class:`NativeCrash`): twice, the
#: second time on the same analyses in a new worker (a crash that does not come back runs once more, one that
#: does is said then; before stop 46 the new worker's answer :class:`Missing` made it a third run, a third crash)
COMPARE_CRASHES = 2


def compare_kept(worker: "Worker", before, after, before_repeats: tuple = (), settings: dict | None = None,
                 **kwargs):
    """:func:`facemetrics.compare.compare_photos` of the caller's analyses in ``worker``'s process, sending each
    analysis's :func:`kept_key` (``settings``: what they were measured with) and the analyses themselves only when
    the worker does not have them (after a restart): the :class:`~facemetrics.compare.Comparison` with the caller's
    analyses in it, without :data:`NOT_SENT` (:func:`sent_comparison`).  A comparison that ends the worker is run
    once more in a new worker, with the analyses sent along (it keeps none); :class:`NativeCrash` when that ends it
    too (:data:`COMPARE_CRASHES`)."""
    given = (before, after, *before_repeats)
    keys = [kept_key(a, settings) for a in given]
    send = {i for i, k in enumerate(keys) if k is None}  # the analyses sent along (not keys)
    crashes = 0
    while True:
        refs = [Kept(k if k is not None else (UNKEPT, i), a if i in send else None)
                for i, (k, a) in enumerate(zip(keys, given))]
        try:
            data = worker.call(compare_kept_task, refs[0], refs[1], tuple(refs[2:]), retry=False, **kwargs)
        except NativeCrash:
            crashes += 1
            if crashes >= COMPARE_CRASHES:
                raise
            send = set(range(len(given)))  # a new worker: it has none of them
            continue
        if isinstance(data, Missing):  # a new worker, or ones dropped for room: those sent (at most every one)
            send |= {i for i, k in enumerate(keys) if k in data.keys}
            continue
        return sent_comparison(data, before, after, tuple(before_repeats))


#: the study page's messages when adding a photo to the store crashed the face finder (``{name}``: the user's
#: file name; ``{how}``: "SIGSEGV", ...)
MSG_STORE_CRASHED = ("{name}: measuring it crashed the face finder (the process measuring it ended with {how}); "
                     "not stored. Re-save it as PNG or JPEG (open it in an image editor and export it) and add "
                     "that file instead: your other photos and results are kept")


def store_add_task(store_dir: str, subject: str, name: str, data: bytes, **kwargs):
    """:meth:`facemetrics.store.Store.add_photos` of one photo (``name``, ``data``) to the store in ``store_dir``,
    in a worker (the photo is measured there: ``measure=True``); its :class:`~facemetrics.store.AddResult`.  The
    test hook's ``store`` stage is checked first, for ``name``; then the ``measure`` stage, for the stored copy's
    name (``<sha256[:20]>.jpg``), as the store measures it before its row is written (a crash there stores
    nothing).  The app runs it with ``retry=False``: one crash is said at once."""
    from .store import Store

    _w._test_crash("store", name)
    with Store(store_dir) as store:
        return store.add_photos(subject, [(name, data)], **kwargs)[0]


def store_analyses_task(store_dir: str, photo_ids: list[int]) -> list:
    """:meth:`facemetrics.store.Store.analysis` of each stored photo in ``photo_ids`` (measured and cached in the
    store when it was not), in a worker: a list, for each photo its measurement row (a dict) or the
    :class:`~facemetrics.store.StoreError` / :class:`OSError` it raised (a stored copy gone missing)."""
    from .store import Store, StoreError

    out: list = []
    with Store(store_dir) as store:
        for pid in photo_ids:
            try:
                out.append(store.analysis(int(pid)))
            except (StoreError, OSError) as exc:
                out.append(exc)
    return out


def crashed_analysis(name: str, how: str, again: str, subject: str | None = None):
    """The ``error`` :class:`~facemetrics.analyze.PhotoAnalysis` of a photo whose measuring crashed twice."""
    from .analyze import PhotoAnalysis

    return PhotoAnalysis(None, name, status="error", subject=subject,
                         error=MSG_PHOTO_CRASHED.format(name=name, how=how, again=again))
