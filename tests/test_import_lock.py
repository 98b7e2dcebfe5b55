"""matplotlib is imported by one thread at a time, never while MediaPipe's import stands in for it
(:mod:`facemetrics.import_lock`): the app imports MediaPipe in its script thread (the bundled example's timeline)
while its warm-up thread or a download draws figures."""

from __future__ import annotations

import threading

from facemetrics import import_lock, landmarks, plots


def test_figures_wait_while_mediapipe_stands_in_for_matplotlib():
    """Another thread's :func:`plots.import_matplotlib` does not run while the stand-ins' window is open in this
    thread, and runs as soon as it closes."""
    done = threading.Event()

    def draw() -> None:
        plots.import_matplotlib()
        done.set()

    with landmarks._pyplot_on_first_use():
        t = threading.Thread(target=draw, daemon=True)
        t.start()
        assert not done.wait(0.3), "matplotlib was imported while MediaPipe's stand-ins were in place"
    assert done.wait(60), "import_matplotlib never ran after the window closed"
    t.join(60)


def test_the_lock_is_reentrant_and_free_afterwards():
    """Importing MediaPipe inside a figure's import (or the reverse) in one thread does not deadlock, and the lock
    is free after both."""
    with import_lock.MATPLOTLIB:
        plots.import_matplotlib()
        with landmarks._pyplot_on_first_use():
            pass
    assert import_lock.MATPLOTLIB.acquire(blocking=False)
    import_lock.MATPLOTLIB.release()
