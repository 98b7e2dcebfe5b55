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

Acting on a page as a user does (stop 50): a user chooses files or clicks once the page has finished drawing; an
action made while the app's script was still running landed on the run before's elements, and a click was lost
(stop 49's CI).  :func:`open_app` opens the app and waits for its first run's end; :func:`wait_settled` waits for a
run's end (the app root's script state, :data:`SETTLED`; not the running icon, drawn only 500 ms into a run), after
a wait for what the last action shows; :func:`act` does an action and waits for the element it should show,
then for the run's end (stop 64: not for "a run started", which a short run may never show); :func:`wait_shown` and
:func:`page_state` make a wait's failure say what the page and its server showed.

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


#: JavaScript: of the elements given, one shown and drawn by the latest script run (none of its containers is
#: marked ``data-stale``: an element of an earlier run stays on the page, faded, until the new run replaces it; a
#: few of the study page's photo table stayed so after its run had ended, seen 2026-12-06)
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


#: the ceiling, in seconds, of a server's start (:func:`_wait_healthy`) and of each step of its stop
#: (:func:`stop_server`): a hang's, not an expected time.  A start costs about 5 s of CPU; on the checker's 2 cores, with
#: 2 test workers and the other engineers' processes, its wall time is not bounded by that (the ceilings were 60 s
#: and 10 s before stop 51)
START_CEILING_S = 300.0
STOP_CEILING_S = 300.0

#: the line Streamlit prints once it listens (``--server.address 127.0.0.1``): ``  URL: http://127.0.0.1:PORT``
_URL_LINE = re.compile(r"URL: (http://127\.0\.0\.1:\d+)")


def _wait_healthy(proc: subprocess.Popen, log_path: Path, log) -> str:
    """The base URL of the server ``proc`` started (``--server.port 0``: the port the system gave it, read from
    its log), once its health endpoint answers 200; fails the test with the log's tail when the server ends or
    :data:`START_CEILING_S` pass (a hang's ceiling, not an expected time: 5 s of CPU, far longer on a loaded 2-core
    machine with a test worker per core); the failure says which it was, how long it waited, whether the log named
    a URL and what the last health check answered."""
    t0 = time.monotonic()
    deadline = t0 + START_CEILING_S
    url, health = None, "not asked (no URL in the log yet)"
    while True:
        if url is None:
            found = _URL_LINE.search(log_path.read_text(errors="replace"))
            url = found.group(1) if found else None
        if url is not None:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as r:
                    if r.status == 200:
                        return url
                    health = f"HTTP {r.status}"
            except OSError as exc:
                health = f"{type(exc).__name__}: {exc}"
        ended = proc.poll()
        if ended is not None or time.monotonic() > deadline:
            log.flush()
            how = (f"the server ended (exit code {ended})" if ended is not None
                   else f"no healthy server in {START_CEILING_S:.0f} s (the process still runs)")
            pytest.fail(f"streamlit did not start: {how}, after {time.monotonic() - t0:.0f} s; URL in its log: "
                        f"{url}; last health check: {health}; its log's tail:\n" + log_path.read_text()[-3000:])
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
        stop_server(proc, log)


def stop_server(proc: subprocess.Popen, log) -> None:
    """End a :func:`running_app` server: SIGTERM, then SIGKILL if it has not ended in :data:`STOP_CEILING_S` (a
    hang's ceiling: Streamlit's shutdown, with its photo worker, took seconds; under the checker's load it can take
    far more than the 10 s this waited before), and close its log.  A server that needed SIGKILL, or did not end
    even then, is said in its log and on stderr (shown with the test's output): nothing fails for it."""
    proc.terminate()
    t0 = time.monotonic()
    try:
        proc.wait(timeout=STOP_CEILING_S)
    except subprocess.TimeoutExpired:
        proc.kill()
        try:
            proc.wait(timeout=STOP_CEILING_S)
            said = f"streamlit (pid {proc.pid}) did not end {STOP_CEILING_S:.0f} s after SIGTERM: killed"
        except subprocess.TimeoutExpired:
            said = f"streamlit (pid {proc.pid}) did not end after SIGTERM nor SIGKILL ({2 * STOP_CEILING_S:.0f} s)"
        print(said, file=sys.stderr)
        with contextlib.suppress(OSError, ValueError):
            log.write(f"\n[tests/browsing.py] {said}\n".encode())
    else:
        if time.monotonic() - t0 > 10:  # the old ceiling: said, to see how close the load comes to it
            print(f"streamlit (pid {proc.pid}) ended {time.monotonic() - t0:.0f} s after SIGTERM", file=sys.stderr)
    log.close()


#: the app's root once its script run has ended: Streamlit (1.60) marks it with the run's state ("initial" before
#: the first run, "running", "notRunning", ...) and the connection's.  The running icon (the test's older sign of a run)
#: is drawn only 500 ms after a run starts (the status widget's delay, ``qS=500`` in Streamlit's bundle): in a run's
#: first 500 ms, and all through a shorter one, a page with no icon was still running.  After an action the state
#: may read "notRunning" until the server has answered with the run the action asked for, so a wait for the run's
#: end follows a wait for something the action shows (its message, its element), as a user waits
SETTLED = ("[data-testid=stApp][data-test-script-state=notRunning]"
           "[data-test-connection-state=CONNECTED]")


def server_log(page) -> Path | None:
    """The log of the :func:`running_app` server ``page`` is on (None when it is not one of theirs)."""
    try:
        url = page.url
    except Exception:  # noqa: BLE001 - a closed page
        return None
    return next((log for base, log in SERVER_LOGS.items() if url.startswith(base)), None)


#: JavaScript: the page's buttons' labels, disabled ones and those of an earlier run (inside an element marked
#: ``data-stale``: stop 49's lost click went to one) marked
BUTTONS = ("() => [...document.querySelectorAll('button')].map(b => (b.disabled ? '(disabled) ' : '')"
           " + (b.closest('[data-stale=true]') ? '(earlier run) ' : '') + b.innerText.trim()).filter(t => t)")


#: JavaScript: from now on, keep in ``window.__fmClicks`` the page's last 6 mouse-downs, mouse-ups and clicks: when
#: (ms since the page opened), where (x, y in the window), the element the event reached (its tag, test id and
#: text) and the button holding it, if any; :func:`page_state` says them.  A click that started no run (the
#: submitted CI of 2026-12-07) said only the page's state: whether the click reached its button, or the button the
#: server never answered, was not known
WATCH_CLICKS = """() => { if (window.__fmClicks) return; window.__fmClicks = [];
  const said = e => { const t = e.target, b = t.closest && t.closest('button');
    return [e.type, Math.round(performance.now()), Math.round(e.clientX), Math.round(e.clientY),
            (t.tagName || '') + ' ' + ((t.getAttribute && t.getAttribute('data-testid')) || ''),
            b ? b.innerText.trim().slice(0, 40) : null]; };
  for (const k of ['mousedown', 'mouseup', 'click'])
    document.addEventListener(k, e => { const c = window.__fmClicks; c.push(said(e)); c.splice(0, c.length - 6); },
                              true); }"""


def page_state(page, log: Path | None = None) -> str:
    """What the page and its server show now, for a failure message: the app's script state (:data:`SETTLED`),
    the alerts' texts, whether the running icon is drawn, the buttons' labels (:data:`BUTTONS`), the last mouse
    events and what they reached (:data:`WATCH_CLICKS`, on a page :func:`open_app` opened; with the page's time
    now) and the server log's tail (``log``, or the page's :func:`server_log`)."""
    try:
        state = page.evaluate("() => { const a = document.querySelector('[data-testid=stApp]'); return a ? "
                              "[a.getAttribute('data-test-script-state'), a.getAttribute('data-test-connection-state')]"
                              " : null; }")
        alerts = page.locator("[data-testid=stAlert]").all_inner_texts()
        running = page.locator("[data-testid=stStatusWidgetRunningIcon],"
                               " [data-testid=stStatusWidgetRunningManIcon]").count() > 0
        buttons = page.evaluate(BUTTONS)
        clicks = page.evaluate("() => [window.__fmClicks || null, Math.round(performance.now())]")
    except Exception as exc:  # noqa: BLE001 - the page itself may be gone; say so
        state, alerts, running, buttons, clicks = None, [f"(the page could not be read: {exc})"], None, [], None
    log = log if log is not None else server_log(page)
    tail = log.read_text(errors="replace")[-3000:] if log is not None and log.exists() else "(no log)"
    return (f"script state {state}; alerts {alerts}; the running icon drawn: {running}; buttons {buttons}; "
            f"the last mouse events [type, ms, x, y, element reached, its button] and the time now: {clicks}; "
            f"server log:\n{tail}")


def wait_settled(page, timeout_ms: int = 120_000, log: Path | None = None, what: str = "") -> None:
    """Until the app's script run has ended (:data:`SETTLED`): what a user waits for before acting on a page.  Call
    it after waiting for what the last action shows (the state reads "notRunning" until the server answers).  When
    the run does not end in ``timeout_ms`` the failure says what the page and the server showed."""
    sync_api = need_browser()
    try:
        page.wait_for_selector(SETTLED, state="attached", timeout=timeout_ms)
    except sync_api.TimeoutError:
        raise AssertionError(f"the app's run did not end in {timeout_ms / 1000:.0f} s{' ' + what if what else ''}; "
                             f"{page_state(page, log)}") from None


def wait_shown(locator, timeout_ms: int, what: str, log: Path | None = None, state: str = "visible") -> None:
    """Until ``locator`` is shown (``state``: Playwright's); the failure says ``what`` was waited for and what the
    page and the server showed instead (not just Playwright's "Timeout exceeded")."""
    sync_api = need_browser()
    try:
        locator.wait_for(state=state, timeout=timeout_ms)
    except sync_api.TimeoutError:
        said = page_state(locator.page, log)
        raise AssertionError(f"{what} not shown in {timeout_ms / 1000:.0f} s; {said}") from None


#: counts the app's runs that start from now on (its root's script state turning "running", read from the mutation
#: records' old values: the observer can run after both changes of a short run, when the state reads "notRunning"
#: again): armed on a settled page before an action; :func:`act` says the count when it fails.  It is not the sign
#: of the run's end: a short run can start and end between two of the page's redraws and never show "running"
#: (stop 63's CI, "the run it asked for did not start and end in 120 s"; h1, stop 64)
_COUNT_RUNS = """() => { const a = document.querySelector('[data-testid=stApp]'); window.__fmRuns = 0;
  if (window.__fmRunObserver) window.__fmRunObserver.disconnect();
  window.__fmRunObserver = new MutationObserver(records => records.forEach((r, i) => {
    const now = i + 1 < records.length ? records[i + 1].oldValue : a.getAttribute('data-test-script-state');
    if (now === 'running' && r.oldValue !== 'running') window.__fmRuns += 1; }));
  window.__fmRunObserver.observe(a, {attributes: true, attributeOldValue: true,
                                     attributeFilter: ['data-test-script-state']}); }"""


def act(page, action, what: str, shown, timeout_ms: int = 120_000, log: Path | None = None) -> None:
    """Do ``action()`` (a click on a toggle or a button: anything that asks the app for a run) on a settled page and
    wait for what it asked for: ``shown`` (a locator, not shown before the action) shown by the latest script run
    (:func:`wait_current`), then the run's end (:data:`SETTLED`), before the next action.

    It waited for a run to start (the app root's script state turning "running") and end; a short run can start
    and end between two of the page's redraws and never show "running", and the test failed with the page as asked
    (stop 63's CI).  A run is seen only in what it draws.  The failure says what the page showed and how many runs
    were seen to start."""
    wait_settled(page, timeout_ms, log, f"before {what}")
    if shown.evaluate_all(CURRENT):
        raise AssertionError(f"{what}: what it should show is on the page before it (the test waits for nothing); "
                             f"{page_state(page, log)}")
    page.evaluate(_COUNT_RUNS)
    action()
    if not wait_current(shown, timeout_ms):
        runs = page.evaluate("() => window.__fmRuns")
        raise AssertionError(f"{what}: what it asked for not shown in {timeout_ms / 1000:.0f} s ({runs} run(s) seen "
                             f"to start); {page_state(page, log)}")
    wait_settled(page, timeout_ms, log, f"after {what}")


def open_app(page, url: str, timeout_ms: int = 120_000) -> None:
    """Open the app at ``url`` and wait until its first run has ended (the uploader drawn, :data:`SETTLED`), as a
    user waits for the page to load before choosing files or clicking: an action during the first run lands on a
    page Streamlit is still drawing (the radio, the uploader and the buttons of the run before)."""
    # the page's own load too has the run's ceiling: Playwright's default, 30 s, is the time a loaded machine may take
    # to run Streamlit's scripts (a module script runs before "domcontentloaded")
    page.goto(url, wait_until="domcontentloaded", timeout=timeout_ms)
    wait_shown(page.locator("input[type=file]").first, timeout_ms, "the uploader", state="attached")
    wait_settled(page, timeout_ms, what="after the page was opened")
    page.evaluate(WATCH_CLICKS)  # a failure then says what the page's clicks reached (page_state)


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


#: JavaScript: whether the expander holding an element (if any) still runs its opening animation
MOVING = "e => { const d = e.closest('details'); return !!d && (d.getAnimations({subtree: true}).length > 0" \
         " || d.scrollTop > 0); }"


def wait_still(locator, what: str, log: Path | None = None, timeout_ms: int = 120_000) -> float:
    """Until ``locator``'s box has not moved for 0.5 s and its expander's animation has ended (:data:`MOVING`), as
    a user waits for what they opened to stop moving before aiming at it: an expander opens with an animation (longer
    under load), and a button inside it was measured 58 px above where it came to rest (2026-12-07).  Returns the
    wait, seconds."""
    t0 = time.monotonic()
    deadline, last, since = t0 + timeout_ms / 1000, None, t0
    while time.monotonic() < deadline:
        box = locator.bounding_box()
        if box != last or locator.evaluate(MOVING):
            last, since = box, time.monotonic()
        elif box is not None and time.monotonic() - since >= 0.5:
            return time.monotonic() - t0
        locator.page.wait_for_timeout(100)
    raise AssertionError(f"{what} still moved after {timeout_ms / 1000:.0f} s; {page_state(locator.page, log)}")


class RunWatch:
    """The app's script runs as the page's websocket to its server says them: the reruns the page asks for (Streamlit's
    ``BackMsg.rerun_script``, with the widgets' values) and the runs' starts and ends (``ForwardMsg.new_session``,
    ``script_finished``), each with its time (s, :func:`time.monotonic`).  Made before the page opens its websocket
    (before :func:`open_app`; a reload opens a new one, watched too).

    The sign that a value typed and sent has been run: the page's script state (:data:`SETTLED`) reads "notRunning"
    until the server answers, and a short run may never show "running"; what the app draws may not depend on the
    value (*My study*'s 'Treated at' is read only when "Log session" is clicked).  The rerun request carries the
    value, and the run that ends after it, whole, has read it (stop 66, k7)."""

    def __init__(self, page):
        self.events: list[tuple] = []  # ("asked", t, [string values]) | ("started", t) | ("ended", t, status)
        page.on("websocket", self._socket)

    def _socket(self, ws) -> None:
        ws.on("framesent", lambda payload: self._frame(True, payload))
        ws.on("framereceived", lambda payload: self._frame(False, payload))

    def _frame(self, sent: bool, payload) -> None:
        if not isinstance(payload, (bytes, bytearray)):
            return
        from streamlit.proto.BackMsg_pb2 import BackMsg
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        now = time.monotonic()
        try:
            msg = (BackMsg if sent else ForwardMsg).FromString(bytes(payload))
        except Exception:  # noqa: BLE001 - not a message of Streamlit's: not a run
            return
        kind = msg.WhichOneof("type")
        if sent and kind == "rerun_script":
            values = [w.string_value for w in msg.rerun_script.widget_states.widgets
                      if w.WhichOneof("value") == "string_value"]
            self.events.append(("asked", now, values))
        elif not sent and kind == "new_session":
            self.events.append(("started", now))
        elif not sent and kind == "script_finished":
            self.events.append(("ended", now, ForwardMsg.ScriptFinishedStatus.Name(msg.script_finished)))

    def _ended_with(self, value: str, since: float) -> bool:
        asked = [i for i, e in enumerate(self.events) if e[0] == "asked" and e[1] >= since and value in e[2]]
        return bool(asked) and any(e[0] == "ended" and e[2] == "FINISHED_SUCCESSFULLY"
                                   for e in self.events[asked[0] + 1:])

    def wait_run_with(self, page, value: str, since: float, timeout_ms: int, what: str,
                      log: Path | None = None) -> float:
        """Until a rerun asked at or after ``since`` (:func:`time.monotonic`) with ``value`` among the widgets'
        values has been followed by a run that ended whole (not cut short by a later rerun, whose own end counts:
        it has the value too).  Returns the wait, seconds; the failure says the runs seen and the page's state."""
        t0 = time.monotonic()
        deadline = t0 + timeout_ms / 1000
        while not self._ended_with(value, since):
            if time.monotonic() > deadline:
                seen = [(e[0], round(e[1] - since, 2)) + tuple(e[2:]) for e in self.events if e[1] >= since]
                raise AssertionError(f"{what}: no run with {value!r} ended in {timeout_ms / 1000:.0f} s (the runs "
                                     f"seen since, s after: {seen}); {page_state(page, log)}")
            page.wait_for_timeout(50)  # lets Playwright deliver the websocket's frames
        return time.monotonic() - t0
