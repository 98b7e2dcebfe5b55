"""facemetrics.isolated.Worker: a worker process started by a thread that then ends (the app's script runs, its
warm-up thread) keeps working (Linux's PR_SET_PDEATHSIG follows the thread that started a process)."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

from facemetrics.isolated import Worker

#: every test here is about the worker processes: they keep the defaults a user gets (tests/conftest.py)
pytestmark = pytest.mark.real_worker


#: the ceiling of a wait (s): a hang's, not a speed limit (the machine's load only makes a wait longer)
HANG_S = 600.0


def _wait_for(cond, what: str) -> None:
    """Poll ``cond()`` every 0.05 s until it holds; fail after :data:`HANG_S` s saying what was awaited."""
    t0 = time.monotonic()
    while not cond():
        assert time.monotonic() - t0 < HANG_S, f"waited {HANG_S:.0f} s for {what}"
        time.sleep(0.05)


def test_a_worker_started_by_a_thread_that_ends_keeps_working():
    w = Worker()
    try:
        got = []
        t = threading.Thread(target=lambda: got.append(w.call(os.getpid)))  # started there, fully initialised
        t.start()
        t.join()
        assert got and got[0] != os.getpid()
        # the thread has ended in the kernel too (its /proc task gone), which is when a process tied to it by
        # PR_SET_PDEATHSIG gets its signal (not a fixed 1 s: Python's join returns before the OS thread is gone)
        _wait_for(lambda: not Path(f"/proc/self/task/{t.native_id}").exists(), f"thread {t.native_id} to end")
        assert w.call(os.getpid) == got[0]  # the same worker process, not one started again after its death
        assert w.starts == 1
    finally:
        w.close()


def test_a_worker_that_died_while_idle_is_started_again_for_the_next_call(monkeypatch):
    """A worker killed between calls (the OOM killer, a stray signal) left a broken pool whose ``submit`` raised
    BrokenProcessPool before the call began, a traceback in the app (stop 44's merge: every app test after the
    crash test read "A child process terminated abruptly"); the next call now starts a new worker, and the death
    is not counted as this call's crash.  The worker, spawned (a fresh interpreter, as the app's and the tests'
    workers are) and its Face Mesh built, has imported neither matplotlib nor pandas: MediaPipe's drawing helpers
    import ``matplotlib.pyplot``, whose package alone was 0.15-0.3 s of CPU at every worker start before stop 49
    (``landmarks._pyplot_on_first_use``, bench/bench_worker_start.py); nor MediaPipe's hands, pose and other
    solutions or its tasks API, which ``import mediapipe`` pulls in (stop 50, ``landmarks._face_solutions``)."""
    import signal

    monkeypatch.setenv("FACEMETRICS_WORKER_START", "spawn")  # not forked from this process and its imports
    w = Worker()
    try:
        first = w.call(os.getpid)
        assert w.call(eval, "sorted(m for m in ('matplotlib', 'pandas') if m in __import__('sys').modules)") == []
        # nor MediaPipe's other solutions or its tasks API (stop 50, ``landmarks._face_solutions``)
        assert w.call(eval, "sorted(m for m in ('mediapipe.tasks', 'mediapipe.python.solutions.hands', "
                            "'mediapipe.python.solutions.pose') if m in __import__('sys').modules)") == []
        os.kill(first, signal.SIGKILL)
        # until the executor has seen the death (its pool marked broken)
        _wait_for(lambda: getattr(w._ex, "_broken", False), f"the executor to see worker {first} killed")
        second = w.call(os.getpid, retry=False)  # no second chance needed: the call itself never ran
        assert second not in (first, os.getpid()) and w.starts == 2
    finally:
        w.close()


class _Counting(Worker):
    """A worker that counts the bytes of each call's arguments (what is sent to the worker process)."""

    def __init__(self):
        super().__init__()
        self.sent: list[int] = []

    def call(self, fn, *args, **kwargs):
        import pickle

        self.sent.append(len(pickle.dumps((args, kwargs))))
        return super().call(fn, *args, **kwargs)


def test_a_comparison_sends_the_keys_of_analyses_the_worker_made_and_the_analyses_after_a_restart():
    """The app measures in the worker (``analyze_kept_task``, kept there) and compares by key (``compare_kept``): the
    comparison equals the in-process one, with the caller's own analyses in it, and sends a few hundred bytes, not
    the two analyses (12.5 MB for the sample pair); after the worker is started again (a crash) the analyses are
    sent once (it did not have them) and kept, so the next comparison sends keys again."""
    from pathlib import Path

    from facemetrics.compare import compare_photos
    from facemetrics.isolated import analyze_kept_task, compare_kept

    samples = Path(__file__).resolve().parents[1] / "sample_images"
    w = _Counting()
    try:
        before, after = (w.call(analyze_kept_task, str(samples / f"astronaut_{x}.jpg")) for x in ("before", "after"))
        kw = dict(check_order=True, check_repeats=False)
        ref = compare_photos(before, after, **kw).to_frame()
        w.sent.clear()
        got = compare_kept(w, before, after, **kw)
        assert got.to_frame().equals(ref) and got.before is before and got.after is after
        assert len(w.sent) == 1 and w.sent[0] < 10_000, w.sent  # keys only

        w.close()  # as after a crash: a new worker, which keeps nothing
        w.sent.clear()
        got = compare_kept(w, after, before, **kw)  # the other way round: a new comparison, not a remembered one
        assert got.to_frame().equals(compare_photos(after, before, **kw).to_frame())
        assert len(w.sent) == 2 and w.sent[0] < 10_000 and w.sent[1] > 1_000_000, w.sent  # keys, then the analyses
        w.sent.clear()
        assert compare_kept(w, before, after, **kw).to_frame().equals(ref)
        assert len(w.sent) == 1 and w.sent[0] < 10_000, w.sent  # kept from the call before
        assert w.starts == 2
    finally:
        w.close()


def test_the_worker_keeps_a_bounded_number_of_analyses_dropping_the_least_recently_used(monkeypatch):
    """``_keep`` (in this process: the worker's side) drops the least recently used beyond ``KEEP_MAX`` analyses or
    ``KEEP_PIXEL_BYTES`` of pixels, never the newest."""
    from types import SimpleNamespace

    import numpy as np

    from facemetrics import isolated

    monkeypatch.setattr(isolated, "_KEPT", isolated.OrderedDict())
    monkeypatch.setattr(isolated, "KEEP_MAX", 3)
    monkeypatch.setattr(isolated, "KEEP_PIXEL_BYTES", 1000)

    def ana(n):
        return SimpleNamespace(photo=SimpleNamespace(rgb=np.zeros(n, np.uint8)))

    for k in "abc":
        isolated._keep((k,), ana(100))
    isolated._keep(("a",), isolated._KEPT[("a",)])  # used again: now the most recent
    isolated._keep(("d",), ana(100))
    assert list(isolated._KEPT) == [("c",), ("a",), ("d",)]  # b, the least recently used, dropped
    isolated._keep(("e",), ana(950))
    assert list(isolated._KEPT) == [("e",)]  # over the pixel bound: the others dropped, the newest kept
    isolated._keep(("f",), ana(5000))
    assert list(isolated._KEPT) == [("f",)]


class _Crashes(Worker):
    """A worker that counts the calls that ended its process (native crashes) and the bytes each call sent back."""

    def __init__(self):
        super().__init__()
        self.crashes, self.back = 0, []

    def _once(self, fn, args, kwargs):
        import pickle

        ok, res = super()._once(fn, args, kwargs)
        self.crashes += not ok
        if ok:
            self.back.append(len(pickle.dumps(res, protocol=pickle.HIGHEST_PROTOCOL)))
        return ok, res


def _sample_analyses(w):
    from pathlib import Path

    from facemetrics.isolated import analyze_kept_task

    samples = Path(__file__).resolve().parents[1] / "sample_images"
    return [w.call(analyze_kept_task, str(samples / f"astronaut_{x}.jpg")) for x in ("before", "after")]


def test_the_app_comparison_sends_back_what_the_page_shows_and_exports_only_and_unchanged():
    """The comparison sent back to the app (12.3 MB for the sample pair at stop 45: grids, lift map, residual flow,
    eight region masks) leaves the residual flow in the worker and packs the masks and the lift map without loss:
    under 6 MB, and the table, the comparison.csv rows, the grids the blend slider mixes, the masks, the lift map
    and the overlay figure equal the in-process comparison's."""
    import pickle

    import numpy as np

    from facemetrics.compare import compare_photos
    from facemetrics.isolated import NOT_SENT, compare_kept
    from facemetrics.plots import comparison_overlay

    w = _Crashes()
    try:
        before, after = _sample_analyses(w)
        kw = dict(check_order=True, check_repeats=False)
        ref = compare_photos(before, after, **kw)
        w.back.clear()
        got = compare_kept(w, before, after, **kw)
    finally:
        w.close()
    assert len(w.back) == 1 and w.back[0] < 6_000_000, w.back
    assert got.to_frame().equals(ref.to_frame())
    assert got.to_csv_frame().drop(columns="facemetrics_version").equals(ref.to_csv_frame().drop(
        columns="facemetrics_version"))
    assert (got.status, got.messages, got.cues.keys()) == (ref.status, ref.messages, ref.cues.keys())
    assert np.array_equal(got.before_grid, ref.before_grid) and np.array_equal(got.after_grid, ref.after_grid)
    assert np.array_equal(got.lift_map_mm, ref.lift_map_mm, equal_nan=True)
    assert got.lift_map_mm.dtype == ref.lift_map_mm.dtype and pickle.dumps(got.grid) == pickle.dumps(ref.grid)
    assert list(got.region_masks) == list(ref.region_masks)
    assert all(np.array_equal(got.region_masks[k], m) and got.region_masks[k].dtype == m.dtype
               for k, m in ref.region_masks.items())
    assert np.array_equal(got.after_points, ref.after_points)
    assert all(getattr(got, f) is None for f in NOT_SENT) and ref.flow_mm is not None
    assert np.array_equal(comparison_overlay(got), comparison_overlay(ref))


def test_a_comparison_that_crashes_again_on_the_same_photos_is_said_after_its_second_crash(monkeypatch, tmp_path):
    """A comparison that ends the worker is run once more in a new worker with its analyses sent along (it keeps
    none), and a second crash raises NativeCrash: two crashes.  Before stop 46 the new worker first answered
    Missing, and the call that sent the analyses was retried once more: three crashes.  A crash that does not come
    back (``_ONCE``) gives the comparison."""
    import pytest

    from facemetrics.batch.workers import TEST_CRASH_ENV
    from facemetrics.compare import compare_photos
    from facemetrics.isolated import NativeCrash, compare_kept

    w = _Crashes()
    try:
        before, after = _sample_analyses(w)
        kw = dict(check_order=True, check_repeats=False)
        monkeypatch.setenv(TEST_CRASH_ENV, f"compare:segv:{after.name}")
        with pytest.raises(NativeCrash) as err:
            compare_kept(w, before, after, **kw)
        assert err.value.how == "SIGSEGV" and w.crashes == 2, w.crashes

        monkeypatch.setenv(TEST_CRASH_ENV + "_ONCE", str(tmp_path))
        w.crashes = 0
        got = compare_kept(w, before, after, **kw)
        assert w.crashes == 1
        monkeypatch.delenv(TEST_CRASH_ENV)
        assert got.to_frame().equals(compare_photos(before, after, **kw).to_frame())
    finally:
        w.close()


def test_the_kept_analyses_are_changed_under_a_lock_when_the_app_runs_in_process(monkeypatch):
    """With ``ISOLATE`` False the app's sessions keep analyses from their own threads: one thread's ``_keep`` while
    another's was counting the kept pixels (iterating ``_KEPT``) raised 'OrderedDict mutated during iteration'.
    Here the count of the first thread starts the second thread's ``_keep`` and waits for it a moment: with the lock
    the second waits until the first is done, and all are kept."""
    from types import SimpleNamespace

    import numpy as np

    from facemetrics import isolated

    def ana(rgb):
        return SimpleNamespace(photo=SimpleNamespace(rgb=rgb))

    other = threading.Thread(target=lambda: isolated._keep(("b",), ana(np.zeros(4, np.uint8))))

    class Rgb:
        armed = False

        @property
        def nbytes(self):
            if Rgb.armed:  # this thread is counting the kept pixels: the other thread keeps its analysis now
                Rgb.armed = False
                other.start()
                other.join(0.5)
            return 4

    monkeypatch.setattr(isolated, "_KEPT", isolated.OrderedDict())
    isolated._keep(("a",), ana(Rgb()))
    isolated._keep(("z",), ana(np.zeros(4, np.uint8)))
    Rgb.armed = True
    isolated._keep(("y",), ana(np.zeros(4, np.uint8)))  # counts a (the first kept), z, y
    other.join()
    assert list(isolated._KEPT) == [("a",), ("z",), ("y",), ("b",)]
