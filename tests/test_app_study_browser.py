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

from browsing import (RunWatch, act, need_browser, open_app, page_state, running_app, wait_current, wait_settled,
                      wait_shown, wait_still)

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


def _type_and_enter(page, runs: RunWatch, field, button, text: str, what: str, log: Path, steps: list) -> None:
    """Type ``text`` into ``field`` on a settled page and press Enter, then wait, as a user waits before clicking
    ``button`` (a locator), for the run the Enter asked for to have ended (:meth:`browsing.RunWatch.wait_run_with`:
    the server's own "script finished" after the page's rerun request carrying ``text``), the page settled, and
    ``button`` still (:func:`browsing.wait_still`); the waits are added to ``steps``.

    Until stop 66 it waited for "Press Enter to apply" gone and the run's end (:data:`browsing.SETTLED`): the page
    reads "notRunning" until the server answers, and the wait passed before the Enter's run had begun (for up to
    0.5 s); that run then moved 'Log session' 16 px down and back, settling 0.6-1.9 s after the wait, and day 1's
    click was lost (mouse-down on the button, mouse-up on an input; k4, stop 66).  The app draws nothing from the
    typed value before the button is clicked, so the sign is the websocket's.  Whether the typed value was taken is
    checked by what it is typed for ("Session logged: ... at" the typed time; "Subject 'me' created")."""
    wait_settled(page, log=log, what=f"before {what}")
    field.fill(text)
    assert field.input_value() == text, (field.input_value(), text)
    since = time.monotonic()
    field.press("Enter")
    steps.append((f"{what}: its run ended", round(runs.wait_run_with(page, text, since, 120_000, what, log), 1)))
    wait_settled(page, log=log, what=f"after {what}")
    steps.append((f"{what}: the button still", round(wait_still(button, f"{what}: the button", log), 1)))


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


#: JavaScript: the camera input's video as react-webcam (Streamlit's camera input) photographs it, or null when there
#: is none: its stream's video tracks' states, the video's ready state and frame height (``getScreenshot()`` is null
#: while either is missing), and the video's width beside the widget's (the width the stream was asked for follows
#: the widget's 1 s late, and a change stops the stream and asks for a new one: a click in that gap took nothing)
CAMERA = """() => { const box = document.querySelector('[data-testid=stCameraInput]');
  const v = box && box.querySelector('video'); if (!v) return null;
  return {tracks: v.srcObject ? v.srcObject.getVideoTracks().map(t => t.readyState) : [], ready: v.readyState,
          frame_h: v.videoHeight, paused: v.paused, video_w: v.width,
          widget_w: Math.round(box.getBoundingClientRect().width)}; }"""
#: JavaScript: :data:`CAMERA`'s video can be photographed, and no new stream is due (its width is the widget's)
CAMERA_READY = (f"() => {{ const c = ({CAMERA})(); return !!c && c.tracks.includes('live') && c.ready >= 2"
                " && c.frame_h > 0 && !c.paused && Math.abs(c.video_w - c.widget_w) <= 1; }")


def _take_photo(page, log: Path, sync_api, steps: list) -> None:
    """Click the camera input's "Take Photo" once, when its video can be photographed (:data:`CAMERA_READY`), and
    wait for the photo (its snapshot shown).  Streamlit's camera input (react-webcam) makes the photo from the
    video's current frame and does nothing when there is none: while its stream starts, and while it starts again,
    which it does 1 s after the widget's width changed.  Until stop 66 this clicked up to 3 times, as a user clicks
    again; a click that takes nothing now fails and says what the video was at the click and after it."""
    take = page.get_by_role("button", name=re.compile("Take Photo", re.I))
    snapshot = page.get_by_alt_text("Snapshot")
    t0 = time.monotonic()
    try:
        page.wait_for_function(CAMERA_READY, timeout=60_000)
    except sync_api.TimeoutError:
        raise AssertionError(f"the camera input's video was not ready to photograph in 60 s: {page.evaluate(CAMERA)} "
                             f"(steps before: {steps}); {page_state(page, log)}") from None
    at_click = page.evaluate(CAMERA)
    take.click(timeout=30_000)
    try:
        snapshot.wait_for(state="visible", timeout=60_000)
    except sync_api.TimeoutError:
        raise AssertionError(f"one click on 'Take Photo' took no photo in 60 s; the video at the click {at_click}, "
                             f"now {page.evaluate(CAMERA)} (steps before: {steps}); {page_state(page, log)}") from None
    steps.append(("photo taken", round(time.monotonic() - t0, 1)))


def _current_button(page, name: str):
    """The enabled button ``name`` of the latest script run: not one of an earlier run, left faded inside an element
    marked ``data-stale`` (on the third day the second day's 'Add to my study' was still on the page while the run
    'Log session' started fitted the timeline, and took stop 49's click, 2026-12-06)."""
    return page.locator(f"xpath=//button[not(@disabled)][not(ancestor::*[@data-stale='true'])]"
                        f"[normalize-space(.)='{name}']").first


def _download(page, button, path: Path, server_log: Path, sync_api) -> Path:
    """Click a download button once, on a settled page, and save what it sends to ``path``.

    "Download the study" is made when clicked (app.py: ``st.download_button`` given a callable): the click asks the
    server for the ZIP, made in a thread of Streamlit's, and the download starts once it is made; under load that is
    the time of a timeline's fit (:data:`FIT_WAIT_MS`); Streamlit shows the button disabled, with a spinner, until
    then.  ``button`` is the latest run's (:func:`_current_button`): a faded button of an earlier run asks for a file
    the server has dropped.  Until stop 66 this waited 20 s for the download and clicked again, up to 3 times (CI
    once saw a click with no download, stop 16).  Beside 2 CPU hogs the first click's ZIP came after the 20 s (the
    button read disabled 20 s after the click: still asking; stop 66, k4); the second click, Playwright's, waited for
    the button to be enabled again, so the download it took was the first click's, and it asked for a second ZIP.  A
    click with no download now fails and says what the button and the server showed."""
    wait_settled(page, log=server_log, what="before the download")
    wait_shown(button, 30_000, "the download button of the latest run", server_log)
    try:
        with page.expect_download(timeout=FIT_WAIT_MS) as dl:
            button.click(timeout=30_000)
    except sync_api.TimeoutError:
        errors = page.locator("[data-testid=stDownloadButtonError]").all_inner_texts()
        raise AssertionError(f"one click on the download button gave no download in {FIT_WAIT_MS / 1000:.0f} s; "
                             f"the button enabled: {button.is_enabled()} (disabled: the ZIP still being made), "
                             f"its errors {errors} (said for 5 s); "
                             f"{page_state(page, server_log)}") from None
    dl.value.save_as(path)
    return path


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
        runs = RunWatch(page)  # the runs the page asks for and the server's answers (its websocket)
        _study_mode(page, url, log)
        # every action on a settled page (browsing.act / wait_settled): one made while a run was going on was made
        # on the run before's elements (stop 49's CI: a click on 'Add to my study' 0.0 s after the upload, lost)
        name_field = page.get_by_label("New subject's name (or a code)")
        create = page.get_by_role("button", name="Create subject")
        _type_and_enter(page, runs, name_field, create, "me", "Enter in the new subject's name", log, steps)
        create.click()
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
            _type_and_enter(page, runs, field, log_button, when, f"day {d}: Enter in 'Treated at'", log, steps)
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

        path = _download(page, _current_button(page, "Download the study (ZIP: CSV, report, plots)"),
                         tmp_path / "study.zip", log, sync_api)
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
