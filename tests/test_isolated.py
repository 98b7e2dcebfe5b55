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
