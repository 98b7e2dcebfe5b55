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

from browsing import act, need_browser, open_app, page_state, running_app, wait_current, wait_settled, wait_shown

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


def _study_mode(page, url, log: Path) -> None:
    """Open the app, once its first run has ended choose My study in the sidebar, and wait for its run to end."""
    open_app(page, url)
    page.locator("[data-testid=stRadio] label", has_text="My study").click(timeout=30_000)
    wait_shown(page.get_by_role("heading", name="My study"), 120_000, "the My study heading", log)
    wait_settled(page, log=log, what="after choosing My study")


def _type_and_enter(page, field, text: str, what: str, log: Path) -> None:
    """Type ``text`` into ``field`` on a settled page and press Enter, then wait for what a user sees of it: the
    field's "Press Enter to apply" gone (the value was sent), and the run's end.  It waited (:func:`browsing.act`)
    for a run to start after the Enter, and CI once failed so ("Enter in 'Treated at': the run it asked for did not
    start and end in 120 s", stop 63): a run can start and end between two of the page's redraws, never showing
    "running".  Whether the typed value was taken is checked by what it is typed for ("Session logged: ... at" the
    typed time; "Subject 'me' created")."""
    wait_settled(page, log=log, what=f"before {what}")
    field.fill(text)
    assert field.input_value() == text, (field.input_value(), text)
    field.press("Enter")
    wait_shown(page.get_by_text("Press Enter to apply"), 120_000, f"{what}: the typed value sent", log, state="hidden")
    wait_settled(page, log=log, what=f"after {what}")


def _wait_text(page, pattern, timeout_ms: int, server_log: Path, sync_api, steps: list) -> None:
    """Until ``pattern`` (a regular expression or text) is shown by the latest script run
    (:func:`browsing.wait_current`: not a faded element of an earlier run, as "Session logged" or a photo's check of
    the day before); its wait is added to ``steps`` (what, seconds).  When it is not shown in ``timeout_ms`` the
    failure says what the page and the server showed instead (stop 49's CI: "added as post" not shown in 90 s, and
    nothing else known)."""
    t0 = time.monotonic()
    if not wait_current(page.get_by_text(pattern), timeout_ms):
        raise AssertionError(f"{pattern!r} not shown in {timeout_ms / 1000:.0f} s; the steps before took "
                             f"{steps}; {page_state(page, server_log)}")
    steps.append((getattr(pattern, "pattern", pattern), round(time.monotonic() - t0, 1)))


#: the wait for a run that fits the study's timeline to end (:func:`_settled` after a day's photos were added or a
#: session logged; the timeline's text after the third day): the fit and its five figures (app.study_report) took
#: 88 s alone at load 28; with 3 CPU hogs beside two runs of this test (stop 58) the waits were up to 116.5 s before
#: the third day's session (its ceiling was wait_settled's 120 s), 61 s after logging it (120 s) and 157 s for "after
#: each session" (180 s).  The run ends, later under load: 300 s (the servers' start ceiling, browsing.py)
FIT_WAIT_MS = 300_000


def _settled(page, log: Path, what: str, steps: list, timeout_ms: int = 120_000) -> None:
    """:func:`browsing.wait_settled`, its wait added to ``steps`` ("settled: what", seconds): the failure, and the
    passing run's -rP output, say how long each wait for a run's end took (a failure under load, stop 57, kept no
    message, and the settle waits were not in ``steps``)."""
    t0 = time.monotonic()
    wait_settled(page, timeout_ms, log=log, what=f"{what} (steps before: {steps})")
    steps.append((f"settled: {what}", round(time.monotonic() - t0, 1)))


def _take_photo(page, log: Path, sync_api, steps: list, tries: int = 3) -> None:
    """Click the camera input's "Take Photo" once its video plays, until it took the photo (its snapshot shown, with
    "Clear photo" or "Uploading..."), as a user clicks again: a click can take nothing.  Streamlit's camera input
    (react-webcam) makes the photo from the video's current frame and does nothing when there is none
    (``getScreenshot()`` is null while the stream starts again: it asks for a new one when the widget's width changes,
    1 s after the change).  Under load (stop 58: 3 CPU hogs beside two runs of this test) a click left "Take Photo" on
    a page whose runs had ended and no photo's check in 90 s: 1 failure in 4 runs."""
    take = page.get_by_role("button", name=re.compile("Take Photo", re.I))
    snapshot = page.get_by_alt_text("Snapshot")
    for i in range(tries):
        if snapshot.count():  # the click before took it, shown late
            break
        try:
            page.wait_for_function("() => { const v = document.querySelector('video');"
                                   " return v && v.readyState >= 2 && v.videoWidth > 0; }", timeout=30_000)
            take.click(timeout=30_000)
            snapshot.wait_for(state="visible", timeout=20_000)
        except sync_api.TimeoutError:
            continue
        break
    if snapshot.count():
        steps.append(("photo taken at click", i + 1))
        return
    raise AssertionError(f"the camera input took no photo in {tries} clicks on 'Take Photo' (steps before: {steps}); "
                         f"{page_state(page, log)}")


def _current_button(page, name: str):
    """The enabled button ``name`` of the latest script run: not one of an earlier run, left faded inside an element
    marked ``data-stale`` (on the third day the second day's 'Add to my study' was still on the page while the run
    'Log session' started fitted the timeline, and took stop 49's click, 2026-12-06)."""
    return page.locator(f"xpath=//button[not(@disabled)][not(ancestor::*[@data-stale='true'])]"
                        f"[normalize-space(.)='{name}']").first


def _download(page, button, path: Path, server_log: Path, sync_api, tries: int = 3) -> Path:
    """Click a download button once the run has ended and save what it sends to ``path``.

    CI once saw a click with no download (stop 16; not reproduced locally in 9 runs, 3 of them on a
    loaded machine).  A user would click again, so this clicks up to ``tries`` times; when none
    gives a download the failure says what the button and the server showed.
    """
    states = []
    for _ in range(tries):
        wait_settled(page, log=server_log, what="before the download")
        button.wait_for(state="visible", timeout=30_000)
        try:
            with page.expect_download(timeout=20_000) as dl:
                button.click()
            dl.value.save_as(path)
            if states:  # a click on the settled page sent nothing: a product finding, said (shown with -rP)
                print(f"the download came at click {len(states) + 1}; the clicks before sent none: {states}")
            return path
        except sync_api.TimeoutError:
            states.append(dict(enabled=button.is_enabled(), errors=page.locator(
                "[data-testid=stDownloadButtonError]").all_inner_texts(), page=page_state(page, server_log)[:300]))
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
        _study_mode(page, url, log)
        # every action on a settled page (browsing.act / wait_settled): one made while a run was going on was made
        # on the run before's elements (stop 49's CI: a click on 'Add to my study' 0.0 s after the upload, lost)
        name_field = page.get_by_label("New subject's name (or a code)")
        _type_and_enter(page, name_field, "me", "Enter in the new subject's name", log)
        page.get_by_role("button", name="Create subject").click()
        _wait_text(page, "Subject 'me' created", 120_000, log, sync_api, steps)
        for d, photos in enumerate(days):
            log_button = page.get_by_role("button", name="Log session")
            # the run the last 'Add to my study' started fits the timeline of the photos so far
            _settled(page, log, f"day {d}: before logging a session", steps, FIT_WAIT_MS)
            # the form is open for the first session, closed once there is one: read on the settled page (a
            # 5 s wait for the button decided it, and under load a late button read as a closed form)
            if log_button.count() == 0:
                act(page, lambda: page.get_by_text("Log a treatment session", exact=True).click(),
                    f"day {d}: opening 'Log a treatment session'", log_button, log=log)
            wait_shown(log_button, 30_000, f"day {d}: the 'Log session' button", log)
            when = (T0 + timedelta(days=d)).strftime("%Y-%m-%d %H:%M")
            field = page.get_by_label("Treated at (YYYY-MM-DD HH:MM)")
            _type_and_enter(page, field, when, f"day {d}: Enter in 'Treated at'", log)
            log_button.click()
            _wait_text(page, re.compile(r"Session logged: .* at " + re.escape(when)), 120_000, log, sync_api, steps)
            wait_shown(page.locator("input[type=file]").first, 30_000, f"day {d}: the uploader", log, state="attached")
            # a session logged is another key of the study's report: that run fits the timeline again
            _settled(page, log, f"day {d}: before choosing the photos", steps, FIT_WAIT_MS)
            page.set_input_files("input[type=file]", photos)
            # as a user clicks: once each photo's own check is shown and the run has ended.  The test clicked as
            # soon as an enabled button was on the page: on the third day that was the second day's button, left
            # faded (data-stale) while the run "Log session" started still fitted the timeline, and the click was
            # lost (stop 49's CI: "added as post" not shown in 90 s; reproduced here under load, 2026-12-06)
            for name in (Path(f).name for f in photos):
                _wait_text(page, re.compile(re.escape(name) + r": (taken like your baseline|usable)"), 90_000, log,
                           sync_api, steps)
            _settled(page, log, f"day {d}: after the photos' checks", steps)
            add = _current_button(page, "Add to my study")
            t0 = time.monotonic()
            wait_shown(add, 90_000, f"day {d}: an enabled 'Add to my study' of the latest run (steps before: {steps})",
                       log)
            steps.append(("Add enabled", round(time.monotonic() - t0, 1)))
            add.click()
            _wait_text(page, re.compile(r"added as post"), 90_000, log, sync_api, steps)
        _wait_text(page, "me: 6 photo(s), 3 session(s)", 60_000, log, sync_api, steps)
        _wait_text(page, re.compile(r"after each session"), FIT_WAIT_MS, log, sync_api, steps)
        _settled(page, log, "after the timeline", steps)

        # reload: a new browser session, the study comes back from the store
        page.reload()
        _study_mode(page, url, log)
        _wait_text(page, "me: 6 photo(s), 3 session(s)", 60_000, log, sync_api, steps)
        _wait_text(page, re.compile(r"after each session"), 180_000, log, sync_api, steps)

        path = _download(page, page.get_by_role("button", name=re.compile("Download the study")),
                         tmp_path / "study.zip", tmp_path / "streamlit.log", sync_api)
        names = set(zipfile.ZipFile(path).namelist())
        assert {"report.md", "timeline.png", "photos.csv", "changes.csv", "timeline.csv"} <= names, names

        # the fake camera: take a photo, it is checked against the baseline
        act(page, lambda: page.get_by_text("Take a photo with the camera").click(), "the camera's toggle",
            page.locator("[data-testid=stCameraInput]"), log=log)
        _take_photo(page, log, sync_api, steps)
        _wait_text(page, re.compile(r"camera_\d{8}_\d{6}\.jpg: "), 90_000, log, sync_api, steps)
    except BaseException:
        if os.environ.get("FACEMETRICS_SCREENSHOT"):
            page.screenshot(path=os.environ["FACEMETRICS_SCREENSHOT"], full_page=True)
        raise
    print("waits (s):", steps)  # shown with -rP: how close each wait came to its timeout
    from facemetrics.store import Store

    with Store(store_dir) as s:
        assert len(s.photos("me")) == 6 and len(s.sessions("me")) == 3
