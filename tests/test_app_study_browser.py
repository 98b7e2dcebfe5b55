"""My study in a real browser: ``streamlit run app.py`` with a temporary store, driven by Playwright
in Debian's Chromium with a fake camera (a .y4m clip made from the sample photo).

Create a subject, log three daily sessions with photos simulated from the sample (a photo before and
one after each), see the timeline and verdicts, reload the page (a new session) and find them again,
export the ZIP, and take a photo with ``st.camera_input``.  Skipped, with the reason, when no Chromium
or no playwright package is installed.
"""

from __future__ import annotations

import os
import re
import time
import zipfile
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from browsing import need_browser, running_app, script_state, wait_current, wait_idle

ROOT = Path(__file__).resolve().parents[1]
T0 = datetime(2026, 11, 2, 8, 0, 0)
DESIGN = {"microcurrent": dict(peak_mm=2.0, half_life_h=3.0, lasting_mm=0.0, times_h=[-0.25, 1.0])}


@pytest.fixture
def study_server(tmp_path):
    """``streamlit run app.py`` with FACEMETRICS_STORE in tmp_path; always terminated."""
    with running_app(tmp_path, {"FACEMETRICS_STORE": str(tmp_path / "store")}) as url:
        yield url, tmp_path / "store"


@pytest.fixture(scope="module")
def days(tmp_path_factory, sample_path):
    from facemetrics.study import study

    root = tmp_path_factory.mktemp("days")
    out = []
    for d in range(3):
        info = study(sample_path, root / f"day{d}", subjects=1, design=DESIGN, max_side=480, seed=d,
                     start=T0 + timedelta(days=d))
        out.append(sorted(str(p) for p in (info.folder / "S01" / "microcurrent").glob("*.jpg")))
    return out


def _study_mode(page, url):
    page.goto(url, wait_until="domcontentloaded")
    page.locator("[data-testid=stRadio] label", has_text="My study").click(timeout=30_000)
    page.get_by_role("heading", name="My study").wait_for(timeout=30_000)


def _page_state(page, server_log: Path) -> str:
    """What the page and its server show now, for a failure message: the alerts' texts, the script's run state
    (:func:`browsing.script_state`), the buttons' labels (disabled and stale ones marked) and the server log's tail."""
    try:
        alerts = page.locator("[data-testid=stAlert]").all_inner_texts()
        buttons = page.evaluate("() => [...document.querySelectorAll('button')].map(b => (b.disabled ? '(disabled) '"
                                " : '') + (b.closest('[data-stale=true]') ? '(stale) ' : '') + b.innerText.trim())"
                                ".filter(t => t)")
    except Exception as exc:  # noqa: BLE001 - the page itself may be gone; say so
        alerts, buttons = [f"(the page could not be read: {exc})"], []
    log = server_log.read_text(errors="replace")[-3000:] if server_log.exists() else "(no log)"
    return f"alerts {alerts}; run state {script_state(page)}; buttons {buttons}; server log:\n{log}"


def _wait_text(page, pattern, timeout_ms: int, server_log: Path, steps: list) -> None:
    """Until ``pattern`` (a regular expression or text) is shown by the latest script run
    (:func:`browsing.wait_current`: not a faded element of an earlier run); its wait is added to ``steps`` (what,
    seconds).  When it is not shown in ``timeout_ms`` the failure says what the page and the server showed instead
    (stop 49's CI: "added as post" not shown in 90 s, and nothing else known)."""
    t0 = time.monotonic()
    if not wait_current(page.get_by_text(pattern), timeout_ms):
        raise AssertionError(f"{pattern!r} not shown in {timeout_ms / 1000:.0f} s; the steps before took "
                             f"{steps}; {_page_state(page, server_log)}")
    steps.append((getattr(pattern, "pattern", pattern), round(time.monotonic() - t0, 1)))


def _click(page, name: str, timeout_ms: int, server_log: Path, steps: list) -> None:
    """Click the enabled button ``name`` of the latest script run.  A faded button of an earlier run (inside an
    element marked ``data-stale``) took the click before and nothing came of it (stop 49's CI)."""
    button = page.locator(f"xpath=//button[not(@disabled)][not(ancestor::*[@data-stale='true'])]"
                          f"[normalize-space(.)='{name}']").first
    t0 = time.monotonic()
    try:
        button.wait_for(state="visible", timeout=timeout_ms)
    except Exception:  # noqa: BLE001 - playwright's TimeoutError: what the page showed instead
        raise AssertionError(f"no enabled {name!r} button in {timeout_ms / 1000:.0f} s; the steps before took "
                             f"{steps}; {_page_state(page, server_log)}") from None
    steps.append((f"{name} enabled", round(time.monotonic() - t0, 1)))
    button.click()


def _download(page, button, path: Path, server_log: Path, sync_api, tries: int = 3) -> Path:
    """Click a download button once the run has ended and save what it sends to ``path``.

    CI once saw a click with no download (stop 16; not reproduced locally in 9 runs, 3 of them on a
    loaded machine).  A user would click again, so this clicks up to ``tries`` times; when none
    gives a download the failure says what the button and the server showed.
    """
    states = []
    for _ in range(tries):
        wait_idle(page)
        button.wait_for(state="visible", timeout=30_000)
        try:
            with page.expect_download(timeout=20_000) as dl:
                button.click()
            dl.value.save_as(path)
            return path
        except sync_api.TimeoutError:
            states.append(dict(enabled=button.is_enabled(), errors=page.locator(
                "[data-testid=stDownloadButtonError]").all_inner_texts()))
    log = server_log.read_text(errors="replace")[-3000:] if server_log.exists() else "(no log)"
    raise AssertionError(f"no download after {tries} clicks; button states {states}; server log:\n{log}")


def test_browser_study_persists_and_exports(browser, study_server, days, tmp_path):
    """The session's Chromium has the fake camera (tests/browsing.py: the sample photo at 512 x 512 px, as this test
    made it for its own Chromium before)."""
    sync_api = need_browser()
    url, store_dir = study_server
    log, steps = tmp_path / "streamlit.log", []  # the server's log; (what was waited for, seconds)
    try:
        ctx = browser.new_context(viewport={"width": 1366, "height": 900}, accept_downloads=True)
        ctx.grant_permissions(["camera"], origin=url)
        page = ctx.new_page()
        _study_mode(page, url)
        page.get_by_label("New subject's name (or a code)").fill("me")
        page.get_by_label("New subject's name (or a code)").press("Enter")
        _click(page, "Create subject", 30_000, log, steps)
        _wait_text(page, "Subject 'me' created", 30_000, log, steps)
        for d, photos in enumerate(days):
            log_button = page.get_by_role("button", name="Log session")
            try:  # open for the first session; closed once there is one
                log_button.wait_for(timeout=5_000)
            except sync_api.TimeoutError:
                page.get_by_text("Log a treatment session", exact=True).click()
                log_button.wait_for(timeout=10_000)
            field = page.get_by_label("Treated at (YYYY-MM-DD HH:MM)")
            field.fill((T0 + timedelta(days=d)).strftime("%Y-%m-%d %H:%M"))
            field.press("Enter")
            _click(page, "Log session", 30_000, log, steps)
            _wait_text(page, "Session logged", 30_000, log, steps)
            page.wait_for_selector("input[type=file]", state="attached", timeout=20_000)
            page.set_input_files("input[type=file]", photos)
            # as a user clicks: once each photo's own check is shown and the run has ended.  The test clicked as
            # soon as an enabled button was on the page: on the third day that was the second day's button, left
            # faded (data-stale) while the run "Log session" started still fitted the timeline, and the click was
            # lost (stop 49's CI: "added as post" not shown in 90 s; reproduced here under load, 2026-12-06)
            for name in (Path(f).name for f in photos):
                _wait_text(page, re.compile(re.escape(name) + r": (taken like your baseline|usable)"), 90_000, log,
                           steps)
            wait_idle(page)
            _click(page, "Add to my study", 90_000, log, steps)
            _wait_text(page, re.compile(r"added as post"), 90_000, log, steps)
        _wait_text(page, "me: 6 photo(s), 3 session(s)", 60_000, log, steps)
        _wait_text(page, re.compile(r"after each session"), 180_000, log, steps)

        # reload: a new browser session, the study comes back from the store
        page.reload()
        _study_mode(page, url)
        _wait_text(page, "me: 6 photo(s), 3 session(s)", 60_000, log, steps)
        _wait_text(page, re.compile(r"after each session"), 180_000, log, steps)

        path = _download(page, page.get_by_role("button", name=re.compile("Download the study")),
                         tmp_path / "study.zip", tmp_path / "streamlit.log", sync_api)
        names = set(zipfile.ZipFile(path).namelist())
        assert {"report.md", "timeline.png", "photos.csv", "changes.csv", "timeline.csv"} <= names, names

        # the fake camera: take a photo, it is checked against the baseline
        page.get_by_text("Take a photo with the camera").click()
        page.wait_for_function("() => { const v = document.querySelector('video');"
                               " return v && v.readyState >= 2 && v.videoWidth > 0; }", timeout=30_000)
        page.get_by_role("button", name=re.compile("Take Photo", re.I)).click(timeout=30_000)
        _wait_text(page, re.compile(r"camera_\d{8}_\d{6}\.jpg: "), 90_000, log, steps)
    except BaseException:
        if os.environ.get("FACEMETRICS_SCREENSHOT"):
            page.screenshot(path=os.environ["FACEMETRICS_SCREENSHOT"], full_page=True)
        raise
    print("waits (s):", steps)  # shown with -rP: how close each wait came to its timeout
    from facemetrics.store import Store

    with Store(store_dir) as s:
        assert len(s.photos("me")) == 6 and len(s.sessions("me")) == 3
