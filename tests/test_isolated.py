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
