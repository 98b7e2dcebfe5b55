"""The app shows that it is working: Streamlit's running indicator (its status widget's running icon and Stop
button, top right) is drawn during a run a user can notice, in a real browser (``streamlit run app.py`` driven by
Playwright in Debian's Chromium, tests/browsing.py).

With ``client.toolbarMode = "minimal"`` Streamlit 1.60 drew no toolbar at all (the app defines no menu item of its
own), and the status widget sits in the toolbar: no running icon was ever drawn, even in 12-37 s runs, and a user saw
a faded page with no sign of work (stop 50's finding; measured again 2026-12-06, stop 51).  ``.streamlit/config.toml``
now says ``"viewer"``: the toolbar, with the indicator and a menu of viewer options only.

The run watched here is the one "Load the bundled example" starts: it measures two photos with Face Mesh and fits
the example's timeline (3-37 s seen on the 2-core machine), far past the 500 ms Streamlit waits before it draws the
icon.  The icon is recorded by a MutationObserver armed before the click (a slow poll cannot miss it); the waits
are for the icon and for the run's end, with no timed assertion.
"""

from __future__ import annotations

import pytest

from browsing import need_browser, open_app, page_state, wait_settled

#: the status widget's running icon (Streamlit 1.60's test id)
RUNNING_ICON = "[data-testid=stStatusWidgetRunningIcon]"

#: JavaScript: from now on, record in ``window.__fmIconSeen`` whether the running icon was ever on the page and
#: drawn (a box of its own) while the app's script ran, and in ``window.__fmRunEnded`` whether a run started and ended
_WATCH_ICON = """(sel) => { window.__fmIconSeen = false; window.__fmRunEnded = false; let ran = false;
  const a = document.querySelector('[data-testid=stApp]');
  const seen = () => { const i = document.querySelector(sel);
    const running = a.getAttribute('data-test-script-state') === 'running';
    if (i && i.getBoundingClientRect().width > 0 && running) window.__fmIconSeen = true;
    if (running) ran = true; else if (ran) window.__fmRunEnded = true; };
  if (window.__fmIconWatch) window.__fmIconWatch.disconnect();
  window.__fmIconWatch = new MutationObserver(seen);
  window.__fmIconWatch.observe(document.body, {childList: true, subtree: true, attributes: true}); }"""

#: the menu items only a developer gets (Streamlit's keys: ``stMainMenuItem-<key>``)
DEVELOPER_ITEMS = ("rerun", "autoRerun", "clearCache", "deploy")


@pytest.mark.parametrize("viewport", [{"width": 1366, "height": 900}, {"width": 390, "height": 844}],
                         ids=["desktop", "phone"])
def test_browser_the_running_indicator_is_drawn_while_the_app_works(browser, app_server, viewport):
    sync_api = need_browser()
    page = browser.new_context(viewport=viewport).new_page()
    open_app(page, app_server)
    if viewport["width"] < 640:  # a phone: the sidebar, where the example's button is, starts collapsed
        page.locator("[data-testid=stExpandSidebarButton]").click(timeout=30_000)
    load = page.get_by_role("button", name="Load the bundled example")
    load.wait_for(timeout=30_000)
    page.evaluate(_WATCH_ICON, RUNNING_ICON)
    load.click()
    try:  # the icon, or the end of the run without it (a failure then says so at once)
        page.wait_for_function("() => window.__fmIconSeen || window.__fmRunEnded", timeout=120_000)
    except sync_api.TimeoutError:
        raise AssertionError(f"the run did not end in 120 s and drew no running indicator; "
                             f"{page_state(page)}") from None
    assert page.evaluate("() => window.__fmIconSeen"), (
        "no running indicator was drawn while the example was measured (client.toolbarMode 'minimal' draws no "
        f"toolbar); {page_state(page)}")
    wait_settled(page, what="after loading the example")
    assert page.get_by_text("Showing the bundled example").count() > 0, page_state(page)
    # the run has ended: the indicator goes (Streamlit fades it out in 200 ms)
    page.locator(RUNNING_ICON).wait_for(state="detached", timeout=30_000)

    # the menu beside it offers a viewer's options (print, record screen), none of a developer's
    page.locator("[data-testid=stMainMenu] button, button[data-testid=stMainMenu]").first.click(timeout=30_000)
    items = page.locator("[data-testid^=stMainMenuItem-]")
    items.first.wait_for(timeout=30_000)
    keys = [k.removeprefix("stMainMenuItem-") for k in items.evaluate_all("els => els.map(e => e.dataset.testid)")]
    assert "print" in keys and not set(keys) & set(DEVELOPER_ITEMS), keys
