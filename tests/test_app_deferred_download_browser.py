"""The Timeline tab's ``timeline.png`` download is made when it is clicked (``st.download_button`` given a callable):
Streamlit 1.60 calls it in a thread of its own (``asyncio.to_thread`` in ``DeferredFileHandler``), which has no
``ScriptRunContext``.  ``st.session_state`` there is not the session's but a process-wide stand-in
(``streamlit.runtime.state.session_state_proxy._mock_session_state``, with the warning "missing ScriptRunContext" in
the server's log): the download's call of ``session_memo`` fitted the timeline again and kept the fit and the figure of
a user's photos in that process-wide dict, shared by every session and never freed (verified in a real browser, stop
60, g3).  The download now draws from what the run computed, in the session's own memo (as ``all_comparisons_csv``).

End to end: ``streamlit run app.py`` driven by Playwright in Debian's Chromium (tests/browsing.py)."""

from __future__ import annotations

from browsing import SERVER_LOGS, need_browser, open_app, page_state, wait_settled

NO_CONTEXT = "missing ScriptRunContext"


def test_browser_the_timeline_download_is_drawn_in_the_session(browser, app_server, tmp_path):
    sync_api = need_browser()
    log = SERVER_LOGS[app_server]
    page = browser.new_context(viewport={"width": 1366, "height": 900}, accept_downloads=True).new_page()
    open_app(page, app_server)
    load = page.get_by_role("button", name="Load the bundled example")
    load.wait_for(timeout=30_000)
    load.click()
    page.get_by_text("Showing the bundled example").first.wait_for(timeout=120_000)
    button = page.get_by_role("button", name="timeline.png", exact=True)
    button.wait_for(timeout=300_000)
    wait_settled(page, log=log, what="before the timeline's download")
    before = log.read_text(errors="replace").count(NO_CONTEXT)
    try:
        with page.expect_download(timeout=120_000) as dl:
            button.click()
    except sync_api.TimeoutError:
        raise AssertionError(f"no timeline.png after the click; {page_state(page, log)}") from None
    path = tmp_path / "timeline.png"
    dl.value.save_as(path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    said = log.read_text(errors="replace")
    assert said.count(NO_CONTEXT) == before, said[-3000:]
    assert "Error executing deferred callable" not in said, said[-3000:]
