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
