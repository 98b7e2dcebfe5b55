"""The roles editor on a phone (n1, 2026-12-05; docs/robustness.md "The app in a browser"): at 390 px the editor
(an editable grid, 324 px wide: no compact form) showed the photo, its role and the hours column's header cut, its
figures (aligned right) past the edge, and scrolled sideways for when, taken and treatment with nothing saying so.
Now the hours are aligned left, the photo's column is pinned and a phone-only caption says the grid goes on."""
from __future__ import annotations

import re

import pytest

from browsing import SAMPLES, need_browser, open_app, page_state, wait_settled, wait_shown  # fixtures: browsing.py
from conftest import app_module

pytest.importorskip("streamlit")

PHONE = dict(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True, has_touch=True)
DESK = dict(viewport={"width": 1366, "height": 768})


def test_the_roles_editor_pins_the_photo_and_aligns_the_hours_left():
    """The editor's config: the photo's column pinned (kept on screen when the grid is swiped), the hours aligned
    left (their figures within the part of their column a phone shows); every column keeps its label."""
    app = app_module()
    cfg = app.roles_column_config()
    assert cfg["photo"].get("pinned") is True
    assert cfg["hours_since_treatment"].get("alignment") == "left"
    assert not any(c.get("pinned") for k, c in cfg.items() if k != "photo")
    assert all(c.get("width") is None for c in cfg.values())  # sized to their contents: a desktop's cut nothing
    assert {k: c["label"] for k, c in cfg.items()} == {
        "photo": "photo", "taken": "taken (EXIF)", "role": "role", "treatment": "treatment",
        "hours_since_treatment": "hours since treatment", "when": "when"}
    assert set(cfg) == set(app.ROLES_DRAWN)
    assert all(w in app.ROLES_PHONE_HINT for w in ("when", "taken", "treatment"))


#: the roles grid's column headers the grid has drawn (Glide draws the columns on screen, and names them in its
#: accessible table)
HEADERS = """() => [...document.querySelectorAll(
    "[data-testid=stExpander] [data-testid=stDataFrame] th")].map(e => e.textContent)"""


def _headers(page) -> list[str]:
    return page.evaluate(HEADERS)


def _open_roles(browser, url, ctx):
    """A page at ``ctx``'s size with the sample pair uploaded once the first run has ended, the roles editor opened
    once the pair's run has ended (browsing.wait_settled: its expander clicked while the run was drawing the page
    before), and its grid's headers drawn; ``(page, grid)``."""
    page = browser.new_context(**ctx).new_page()
    open_app(page, url)
    page.set_input_files("input[type=file]", [str(SAMPLES / "astronaut_before.jpg"),
                                              str(SAMPLES / "astronaut_after.jpg")])
    wait_shown(page.get_by_text(re.compile(r"^Jawline (lifted|dropped) \d+\.\d\d mm")), 180_000, "the pair's headline")
    wait_settled(page, what="after the pair's headline")
    page.get_by_text("Which photos are 'before'").first.click(timeout=60_000)
    grid = page.locator("[data-testid=stExpander] [data-testid=stDataFrame]").first
    wait_shown(grid, 30_000, "the roles grid")
    grid.scroll_into_view_if_needed()
    # the grid draws its columns (and names them) after it is attached: waited for by the page, not a 30 s clock
    # in this process that a loaded machine could run out before the grid drew (and the test then read no headers)
    try:
        page.wait_for_function(f"() => ({HEADERS})().length > 0", timeout=60_000)
    except need_browser().TimeoutError:
        raise AssertionError(f"the roles grid drew no column in 60 s; {page_state(page)}") from None
    return page, grid


#: the grid's own scroller (Glide's ``.dvn-scroller``, what a finger or a sideways wheel moves) scrolled to its right
#: end; true once its last column ("treatment") is drawn (the grid draws the columns scrolled into view a frame later)
SWIPE = """() => { const s = document.querySelector(
    "[data-testid=stExpander] [data-testid=stDataFrame] .dvn-scroller");
    if (!s) return false; s.scrollLeft = s.scrollWidth;
    return (""" + HEADERS + """)().includes("treatment"); }"""


def test_browser_roles_editor_on_a_phone_keeps_the_photo_when_swiped(browser, app_server):
    """In Debian's Chromium at 390 x 844: the grid lies inside the window with photo, role and hours drawn and the
    hint under it; swiped sideways, its last columns are drawn and the photo's column still is (before: swiped,
    the photo's column left the screen).  At 1366 x 768 every column is drawn and the hint is hidden."""
    page, grid = _open_roles(browser, app_server, PHONE)
    box = grid.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390, box
    assert _headers(page)[:3] == ["photo", "role", "hours since treatment"], _headers(page)
    # swiped: the scroller scrolled to its right end until the last column is drawn (a wheel event over the canvas
    # moved it in only some runs: the test was flaky, 21:30 UTC); polled by the page, not a 20 s clock here
    assert page.evaluate("() => !!document.querySelector("
                         "'[data-testid=stExpander] [data-testid=stDataFrame] .dvn-scroller')"), \
        "the roles grid has no scroller (.dvn-scroller)"
    try:
        page.wait_for_function(SWIPE, timeout=60_000)
    except need_browser().TimeoutError:
        raise AssertionError(f"swiped, the roles grid did not draw 'treatment' in 60 s: {_headers(page)}; "
                             f"{page_state(page)}") from None
    swiped = _headers(page)
    assert "treatment" in swiped and swiped[0] == "photo" and "role" not in swiped, swiped
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.get_by_text("Swipe the table sideways").first.is_visible()

    desk, _ = _open_roles(browser, app_server, DESK)
    assert _headers(desk) == ["photo", "role", "hours since treatment", "when", "taken (EXIF)", "treatment"]
    assert not desk.get_by_text("Swipe the table sideways").first.is_visible()
