"""*My study*'s name fields in a real browser: a name typed and its button clicked once, as a user does (no Enter).

Streamlit sends a text field's value when it loses focus (or on Enter).  "Create subject" and "Delete subject" were
disabled until their field held a name: a user who typed a name and clicked the button saw it turn enabled and
nothing else (the mouse-down took the focus from the field, the page re-ran with the name, and the click had landed
on a disabled button), so every subject took two clicks to create and to delete (a newcomer's walk, stop 63, h6;
tests/test_app_study_browser.py presses Enter first, so it never saw this).  The buttons are now always enabled and
say what is missing when clicked without it.  Skipped, with the reason, when no Chromium or no playwright package is
installed.
"""

from __future__ import annotations

import pytest

from browsing import need_browser, open_app, page_state, running_app, wait_settled, wait_shown

pytest.importorskip("streamlit")


def _click_as_a_user(page, name: str) -> None:
    """A mouse click in the middle of the button ``name`` wherever it is, enabled or not (Playwright's ``click``
    waits for an enabled button, which a user does not)."""
    box = page.get_by_role("button", name=name).bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)


def _type(page, label: str, text: str) -> None:
    page.get_by_label(label).click()
    page.keyboard.type(text)


def test_a_typed_name_and_one_click_create_a_subject(browser, tmp_path):
    sync_api = need_browser()
    log = tmp_path / "streamlit.log"
    with running_app(tmp_path, {"FACEMETRICS_STORE": str(tmp_path / "store")}) as url:
        page = browser.new_page(viewport={"width": 1366, "height": 900})
        open_app(page, url)
        page.locator("[data-testid=stRadio] label", has_text="My study").click(timeout=30_000)
        wait_shown(page.get_by_role("heading", name="My study"), 30_000, "the My study heading", log)
        wait_settled(page, log=log, what="after choosing My study")

        _type(page, "New subject's name (or a code)", "me")
        _click_as_a_user(page, "Create subject")
        try:
            page.get_by_text("Subject 'me' created").wait_for(timeout=30_000)
        except sync_api.TimeoutError:
            raise AssertionError("one click on 'Create subject' after typing 'me' created no subject; "
                                 + page_state(page, log)) from None
        # the same one click on "Delete subject" (in its expander) is not tested here: after another browser test in
        # the same session it did nothing deterministically, and 1 time in 4 alone under load (stop 63, lead;
        # like Streamlit issue 8725, a click during the re-run its own focus change started); a form around it
        # made it fail every time.  test_app_study.py deletes through the script (AppTest), and
        # test_app_study_browser.py in the browser with Enter pressed first.


def test_the_buttons_clicked_without_a_name_say_what_is_missing(browser, tmp_path):
    """Negative control: clicked with the field empty, "Create subject" creates nothing and says to type a name."""
    need_browser()
    log = tmp_path / "streamlit.log"
    with running_app(tmp_path, {"FACEMETRICS_STORE": str(tmp_path / "store")}) as url:
        page = browser.new_page(viewport={"width": 1366, "height": 900})
        open_app(page, url)
        page.locator("[data-testid=stRadio] label", has_text="My study").click(timeout=30_000)
        wait_shown(page.get_by_role("heading", name="My study"), 30_000, "the My study heading", log)
        wait_settled(page, log=log, what="after choosing My study")
        _click_as_a_user(page, "Create subject")
        wait_shown(page.get_by_text("Type the subject's name (or a code) first"), 30_000, "the missing-name note", log)
        assert page.get_by_text("created").count() == 0
