"""The browser tests' shared pieces: one Playwright driver and one Chromium for the whole test session (for each
pytest-xdist worker that runs a browser test: a session per worker), and
``streamlit run app.py`` servers (tests/conftest.py imports the fixtures; docs/speed.md, "Test suite time, stop 48").

Fixtures (a test asks for them by name; each skips, with the reason, when ``/usr/bin/chromium`` or the
``playwright`` package is absent):

``browser``
    The session's Chromium (Debian's, ``/usr/bin/chromium``; Playwright's own download is never used), launched
    once, on the first test that asks, with :data:`CHROMIUM_ARGS` and a fake camera (a still of the bundled
    sample photo, :func:`camera_clip`; a page that asks for the camera gets it without a prompt).  A test opens
    its own context (``browser.new_context(viewport=...)``, or ``browser.new_page()``): its own cookies, storage
    and Streamlit session, so nothing leaks between tests; the contexts a test opened are closed after it.
``app_server``
    The base URL of ``streamlit run app.py`` with the environment the tests run in, one for the session: tests
    that only read a page share it (each page is a new Streamlit session, as a second user of one server).  A test
    that needs a fresh store or folder or its own environment starts its own with :func:`running_app`.

Starting Chromium with the Playwright driver costs about 2 s of CPU and 10-15 s of wall time on the loaded
machine (2026-12-05); a server, about 5 s of CPU with its worker process.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_images"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
NO_CHROMIUM = "no Chromium installed (/usr/bin/chromium); .ci/run installs Debian's chromium package"

#: ``{base URL: its server's log}`` of every :func:`running_app` running (a test's upload reads the log's tail)
SERVER_LOGS: dict[str, Path] = {}


def chromium_path() -> str | None:
    """Debian's Chromium, or another ``chromium`` on the PATH; None when there is none."""
    for cand in ("/usr/bin/chromium", shutil.which("chromium"), shutil.which("chromium-browser")):
        if cand and os.access(cand, os.X_OK):
            return cand
    return None


def need_browser():
    """``playwright.sync_api``; skips the test when no Chromium or no playwright package is installed."""
    if chromium_path() is None:
        pytest.skip(NO_CHROMIUM)
    return pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")


#: a page whose script run has ended: the app's run state (the attribute Streamlit's own end-to-end tests read) is
#: ``notRunning``.  The status widget's running icon (``stStatusWidgetRunningIcon``) is never drawn with
#: ``toolbarMode = "minimal"`` (.streamlit/config.toml), so a wait for it to go returned at once, mid-run
#: (2026-12-06).  Elements of an earlier run (``data-stale``) are not waited for: a few of the study page's
#: photo table stayed so after its run had ended (seen 2026-12-06); :func:`current` tells them apart
_IDLE = ("() => { const app = document.querySelector('[data-testid=stApp]');"
         " return !!app && app.getAttribute('data-test-script-state') === 'notRunning'; }")


def wait_idle(page, timeout_ms: int = 120_000) -> None:
    """Until the page's script run has ended (:data:`_IDLE`) and is still so 0.5 s later (an action's run, or
    the one a button's ``st.rerun()`` asks for, starts only after the server has heard of it)."""
    for _ in range(20):
        try:
            page.wait_for_function(_IDLE, timeout=timeout_ms)
        except Exception as exc:  # the playwright's TimeoutError: what the page showed instead
            raise AssertionError(f"the page's script run did not end in {timeout_ms / 1000:.0f} s "
                                 f"({script_state(page)})") from exc
        page.wait_for_timeout(500)
        if page.evaluate(_IDLE):
            return
    raise AssertionError("the page kept starting new script runs (20 times idle for less than 0.5 s)")


#: JavaScript: of the elements given, one shown and drawn by the latest script run (none of its containers is
#: marked ``data-stale``: an element of an earlier run stays on the page, faded, until the new run replaces it)
CURRENT = "els => els.some(e => e.offsetParent !== null && !e.closest('[data-stale=true]'))"


def wait_current(locator, timeout_ms: int) -> bool:
    """Until one element of ``locator`` is shown by the latest script run (:data:`CURRENT`); False when none is in
    ``timeout_ms``.  A plain ``wait_for`` also took a faded element of an earlier run: on the study page the
    second day's "Add to my study" button, still on the page while the next run fitted the timeline."""
    deadline = time.monotonic() + timeout_ms / 1000
    while True:
        if locator.evaluate_all(CURRENT):
            return True
        if time.monotonic() > deadline:
            return False
        locator.page.wait_for_timeout(200)


def script_state(page) -> str:
    """The app's run state and the count of elements left from an earlier run, for a failure message."""
    try:
        return page.evaluate("() => (document.querySelector('[data-testid=stApp]') || {getAttribute: () => 'no app'})"
                             ".getAttribute('data-test-script-state') + ', stale elements: '"
                             " + document.querySelectorAll('[data-stale=true]').length")
    except Exception as exc:  # noqa: BLE001 - the page may be gone: say so
        return f"(not read: {exc})"


#: the line Streamlit prints once it listens (``--server.address 127.0.0.1``): ``  URL: http://127.0.0.1:PORT``
_URL_LINE = re.compile(r"URL: (http://127\.0\.0\.1:\d+)")


def _wait_healthy(proc: subprocess.Popen, log_path: Path, log) -> str:
    """The base URL of the server ``proc`` started (``--server.port 0``: the port the system gave it, read from
    its log), once its health endpoint answers 200; fails the test with the log's tail when the server ends or
    60 s pass (a loaded 2-core machine with a test worker per core)."""
    deadline = time.monotonic() + 60
    url = None
    while True:
        if url is None:
            found = _URL_LINE.search(log_path.read_text(errors="replace"))
            url = found.group(1) if found else None
        if url is not None:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as r:
                    if r.status == 200:
                        return url
            except OSError:
                pass
        if proc.poll() is not None or time.monotonic() > deadline:
            log.flush()
            pytest.fail("streamlit did not start:\n" + log_path.read_text()[-3000:])
        time.sleep(0.2)


@contextlib.contextmanager
def running_app(tmp_path: Path, env: dict | None = None):
    """``streamlit run app.py`` on a free localhost port, logging to ``tmp_path / "streamlit.log"``, with the
    tests' environment and ``env`` on top; always terminated.  Yields the base URL once the health endpoint
    answers.  The port is the one the system gives the server's own socket (``--server.port 0``), never one
    picked here and bound later: with a test worker per core, two servers start at once, and a port picked
    before the bind could be taken by the other one (whose health check would then answer for this one)."""
    log = open(tmp_path / "streamlit.log", "wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.headless", "true",
         "--server.port", "0", "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
         "--server.fileWatcherType", "none"],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
        env={**os.environ, **(env or {}),
             "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))},
    )
    url = None
    try:
        url = _wait_healthy(proc, tmp_path / "streamlit.log", log)
        SERVER_LOGS[url] = tmp_path / "streamlit.log"
        yield url
    finally:
        SERVER_LOGS.pop(url, None)
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def write_y4m(rgb: np.ndarray, path: Path, frames: int = 10) -> Path:
    """A YUV4MPEG2 (4:2:0) clip of a still image (``rgb``: (H, W, 3) uint8), for Chromium's
    ``--use-file-for-fake-video-capture``; odd edges are cropped."""
    from PIL import Image

    h, w = (rgb.shape[0] // 2) * 2, (rgb.shape[1] // 2) * 2
    ycc = np.asarray(Image.fromarray(rgb[:h, :w]).convert("YCbCr"), dtype=np.float32)
    y = ycc[..., 0].astype(np.uint8)
    u = ycc[..., 1].reshape(h // 2, 2, w // 2, 2).mean(axis=(1, 3)).round().astype(np.uint8)
    v = ycc[..., 2].reshape(h // 2, 2, w // 2, 2).mean(axis=(1, 3)).round().astype(np.uint8)
    with open(path, "wb") as fh:
        fh.write(f"YUV4MPEG2 W{w} H{h} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            fh.write(b"FRAME\n" + y.tobytes() + u.tobytes() + v.tobytes())
    return path


def camera_clip(folder: Path) -> Path:
    """The fake camera's clip: the bundled before photo resized to 512 x 512 px, 10 frames."""
    from PIL import Image

    rgb = np.asarray(Image.open(SAMPLES / "astronaut_before.jpg").convert("RGB").resize((512, 512)))
    return write_y4m(rgb, folder / "cam.y4m")


class _Session:
    """The session's Playwright (its driver process) and Chromium, started on first use; :meth:`stop` ends both."""

    def __init__(self) -> None:
        self.manager = None
        self.browser = None

    def start(self, folder: Path):
        sync_api = need_browser()
        if self.browser is None:
            clip = camera_clip(folder)
            self.manager = sync_api.sync_playwright()
            p = self.manager.start()
            self.browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS + [
                "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
                f"--use-file-for-fake-video-capture={clip}"])
        return self.browser

    def stop(self) -> None:
        if self.manager is not None:
            try:
                self.browser.close()
            finally:
                self.manager.__exit__()
                self.manager = self.browser = None


_SESSION = _Session()
#: the fixture every user of the session's Chromium depends on (``browser``, a module's shared page)
USES_BROWSER = "chromium_session"


@pytest.fixture(scope="session")
def chromium_session(tmp_path_factory):
    """The session's :class:`_Session`, stopped at the session's end (or after the last test that uses it:
    :func:`stop_after_last_browser_test`)."""
    yield _SESSION
    _SESSION.stop()


@pytest.fixture
def browser(chromium_session, tmp_path_factory):
    """The session's Chromium (module docstring); the contexts this test opened are closed after it."""
    b = chromium_session.start(tmp_path_factory.mktemp("camera"))
    before = set(b.contexts)
    yield b
    for ctx in b.contexts:
        if ctx not in before:
            ctx.close()


@pytest.fixture(scope="session")
def app_server(tmp_path_factory):
    """``streamlit run app.py`` with the tests' environment, one for the session (module docstring)."""
    if chromium_path() is None:  # no browser to drive it: not started
        pytest.skip(NO_CHROMIUM)
    with running_app(tmp_path_factory.mktemp("streamlit")) as url:
        yield url


@pytest.fixture(autouse=True)
def no_browser_loop_outside_browser_tests(request):
    """Between its calls Playwright's sync API leaves its event loop marked as this thread's running loop (the
    loop's run is suspended in a greenlet, ``playwright/_impl/_greenlets.py``).  A test that does not use the
    browser runs with no running loop, as it would without the session's browser (``asyncio.run`` works there)."""
    if _SESSION.browser is None or USES_BROWSER in request.fixturenames:
        yield
        return
    loop = asyncio._get_running_loop()
    asyncio._set_running_loop(None)
    try:
        yield
    finally:
        asyncio._set_running_loop(loop)


def stop_after_last_browser_test(item, nextitem) -> None:
    """Stop the session's Chromium and driver once no test after ``item`` uses the browser (the rest of the
    session runs without them); call from a ``pytest_runtest_teardown`` wrapper, after the test's fixtures ended.

    On a pytest-xdist worker (``PYTEST_XDIST_WORKER`` set) the rest of the session is not known: the worker is
    sent files as it finishes others (``--dist loadfile``), largest first, and ``item.session.items`` lists every
    file, those of the other workers too.  There Chromium is kept to the worker's end (``chromium_session``'s
    teardown): idle, it costs memory only, where a stop before the worker's next browser file would cost a second
    start (about 2 s of CPU, 10-15 s of wall time under load)."""
    if _SESSION.browser is None or USES_BROWSER not in item.fixturenames or os.environ.get("PYTEST_XDIST_WORKER"):
        return
    items = item.session.items
    rest = items[items.index(nextitem):] if nextitem is not None and nextitem in items else []
    if not any(USES_BROWSER in i.fixturenames for i in rest):
        _SESSION.stop()
