"""A user presses Stop mid-run (the running indicator's Stop button, drawn since stop 51), then asks again: the
app gives the full result, as a run never stopped does, in a real browser (``streamlit run app.py`` driven by
Playwright in Debian's Chromium, tests/browsing.py).

Streamlit ends a stopped run at its next ``st`` call: a computation under way (a photo measured in the worker
process, the example's simulated series, the study store's add) runs to its end, and its memo entry
(``app.memo_get``: written once ``compute()`` has returned) or cache entry is whole.  What the stopped run drew stays
on the page, up to where it stopped; the next run draws the page anew.  Seen 2026-12-06 (stop 51, f3b): Stop in the
analyses of two uploaded photos, in the comparison, in the example's run and in the study page's runs after "Log
session" and "Add to my study"; each time the next action gave the full result, and the store held every photo once.

The run stopped here is the example's first on its own server (measuring two photos, then simulating the example's
series: 10-40 s on the 2-core machine, the series cached process-wide after it), far longer than the 0.6 s before
Stop is drawn; the test waits for the button, clicks it, and waits for the run's end, with no timed assertion.
"""

from __future__ import annotations

from browsing import act, need_browser, open_app, page_state, running_app, wait_settled, wait_shown

#: the status widget's Stop button (Streamlit 1.60: a header button in ``stStatusWidget``, drawn 500 ms into a run)
STOP_BUTTON = "[data-testid=stStatusWidget] button"
#: the spinners' texts of the example's run: none is left on the page once a run has ended
SPINNERS = ("Analysing", "Simulating the example series", "Fitting the decay curves")
#: JavaScript: the result as the page shows it: the headline's lines (they name the noise floor) and the downloads
_RESULT = """() => { const m = document.querySelector('[data-testid=stMain]');
  const lines = m.innerText.split('\\n').map(l => l.trim()).filter(l => l.includes('noise floor') && l.length < 120);
  const files = [...m.querySelectorAll('[data-testid=stDownloadButton] button')].map(b => b.innerText.trim());
  return {headline: lines, downloads: files.sort(), text: m.innerText}; }"""


def _example_result(page, what: str) -> dict:
    """The example's result once its run has ended: its headline lines and its downloads; none of its spinners and
    no traceback shown."""
    wait_shown(page.get_by_text("Showing the bundled example"), 120_000, f"{what}: the example's note")
    wait_shown(page.get_by_role("button", name="timeline.csv"), 180_000, f"{what}: the timeline's download")
    wait_settled(page, what=what)
    got = page.evaluate(_RESULT)
    assert page.locator("[data-testid=stException]").count() == 0, f"{what}: a traceback; {page_state(page)}"
    left = [s for s in SPINNERS if s in got["text"]]
    assert not left, f"{what}: a spinner left on the page after the run: {left}; {page_state(page)}"
    assert got["headline"] and {"photos.csv", "comparison.csv", "timeline.csv"} <= set(got["downloads"]), (
        f"{what}: not the full result: {got['headline']}, {got['downloads']}; {page_state(page)}")
    return {k: got[k] for k in ("headline", "downloads")}


def test_browser_stop_mid_run_then_the_example_again_gives_the_full_result(browser, tmp_path):
    sync_api = need_browser()
    with running_app(tmp_path) as url:  # its own server: the example's series is not yet cached, the run is long
        page = browser.new_context(viewport={"width": 1366, "height": 900}).new_page()
        open_app(page, url)
        load = page.get_by_role("button", name="Load the bundled example")
        load.wait_for(timeout=30_000)
        load.click()
        stop = page.locator(STOP_BUTTON, has_text="Stop")
        wait_shown(stop, 120_000, "the running indicator's Stop button")
        try:
            stop.click(timeout=30_000)
        except sync_api.TimeoutError:
            raise AssertionError(f"Stop could not be clicked (did the run end first?); {page_state(page)}") from None
        stop.wait_for(state="detached", timeout=120_000)
        wait_settled(page, what="after Stop")
        assert page.locator("[data-testid=stException]").count() == 0, f"a traceback after Stop; {page_state(page)}"
        # Stop ended the run: its last step, the downloads, was not drawn (else this test stopped nothing)
        assert page.get_by_role("button", name="timeline.csv").count() == 0, (
            f"the stopped run drew the example's downloads: Stop came after its end; {page_state(page)}")

        # the next action: the same example again; its full result
        act(page, lambda: page.get_by_role("button", name="Load the bundled example").click(),
            "Load the bundled example after Stop")
        after_stop = _example_result(page, "after Stop, the example loaded again")

        # the same result as a session that never stopped (a second user of the same server)
        ref = browser.new_context(viewport={"width": 1366, "height": 900}).new_page()
        open_app(ref, url)
        ref.get_by_role("button", name="Load the bundled example").click(timeout=30_000)
        assert after_stop == _example_result(ref, "a run never stopped")
