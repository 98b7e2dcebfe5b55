"""Six messages a first user tripped on (first-user audit, 2026-12-05): each test failed before its fix."""

from __future__ import annotations

import pandas as pd

from facemetrics.report import excluded_lines


def test_report_does_not_say_every_photo_was_compared_above_the_comparisons_left_out():
    """report.md said "every photo was measured and compared." right above "Comparisons left out of the
    fits" listing 3 (``facemetrics demo``).  It now says how many were left out and points to the list."""
    photos = pd.DataFrame({"photo": ["a.jpg", "b.jpg"], "excluded": ["", ""]})
    left = ["`b.jpg` (S1, rf, 2 h since treatment): head pose differs"] * 3
    text = "\n".join(excluded_lines(photos, left))
    assert "measured and compared" not in text.split("### Comparisons left out")[0]
    assert "every photo was measured, but 3 comparisons were left out of the fits" in text
    assert "(listed below)" in text
    one = "\n".join(excluded_lines(photos, left[:1], ["S2, rf: the session ..."]))
    assert "1 comparison was left out of the fits" in one and "1 follow-on session was left out" in one
    assert excluded_lines(photos)[-1] == "None: every photo was measured and compared."


def test_the_roles_table_shows_no_none_for_a_photo_without_a_capture_time():
    """The app's photo (roles) table showed the text "None" in the hours column of a photo without a
    capture time; it is blank now, as in the CSV."""
    import io
    from pathlib import Path

    from PIL import Image
    from streamlit.testing.v1 import AppTest

    root = Path(__file__).resolve().parents[1]
    def bare(name):  # the sample re-encoded without EXIF: no capture time
        buf = io.BytesIO()
        Image.open(root / "sample_images" / name).convert("RGB").save(buf, "JPEG", quality=92)
        return buf.getvalue()

    at = AppTest.from_file(str(root / "app.py"), default_timeout=180)
    at.run()
    at.file_uploader[0].set_value([("before.jpg", bare("astronaut_before.jpg"), "image/jpeg"),
                                   ("after.jpg", bare("astronaut_after.jpg"), "image/jpeg")])
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    editors = [d for d in at.dataframe if "hours_since_treatment" in d.value.columns and "role" in d.value.columns]
    assert editors, "no roles table on the page"
    hours = editors[0].value["hours_since_treatment"]
    assert hours.isna().all(), hours  # the test's premise: no capture times
    assert editors[0].proto.HasField("placeholder") and editors[0].proto.placeholder == ""
