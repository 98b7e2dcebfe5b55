"""facemetrics.isolated.Worker: a worker process started by a thread that then ends (the app's script runs, its
warm-up thread) keeps working (Linux's PR_SET_PDEATHSIG follows the thread that started a process)."""

from __future__ import annotations

import os
import threading
import time

from facemetrics.isolated import Worker


def test_a_worker_started_by_a_thread_that_ends_keeps_working():
    w = Worker()
    try:
        got = []
        t = threading.Thread(target=lambda: got.append(w.call(os.getpid)))  # started there, fully initialised
        t.start()
        t.join()
        assert got and got[0] != os.getpid()
        time.sleep(1.0)  # the thread has ended: a process tied to it would be killed meanwhile
        assert w.call(os.getpid) == got[0]  # the same worker process, not one started again after its death
        assert w.starts == 1
    finally:
        w.close()


def test_a_worker_that_died_while_idle_is_started_again_for_the_next_call():
    """A worker killed between calls (the OOM killer, a stray signal) left a broken pool whose ``submit`` raised
    BrokenProcessPool before the call began, a traceback in the app (stop 44's merge: every app test after the
    crash test read "A child process terminated abruptly"); the next call now starts a new worker, and the death
    is not counted as this call's crash."""
    import signal

    w = Worker()
    try:
        first = w.call(os.getpid)
        os.kill(first, signal.SIGKILL)
        for _ in range(100):  # until the executor has seen the death (its pool marked broken)
            if getattr(w._ex, "_broken", False):
                break
            time.sleep(0.05)
        assert getattr(w._ex, "_broken", False)
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
