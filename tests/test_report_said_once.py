"""A reason sentence several series share is said once, naming the series (stop 60, g2): the console and report.md
said "Pre-session photos on only 1 day after day 0 (need them on at least 3): no cumulative change can be fitted." once
per series, four times for a clinic RF patient's four regimen series (docs/validation.md section 12, Round 19)."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
from test_regimen_flow import _levels  # noqa: E402

from facemetrics.decay.regimen_slope import analyze_regimen  # noqa: E402
from facemetrics.report import REASON_ABOVE, first_sentence, said_once, timeline_markdown, verdict_lines  # noqa: E402

HEAD = "Pre-session photos on only 1 day after day 0 (need them on at least 3): no cumulative change can be fitted"
SERIES = ("rf / jawline_lift_mm (mean)", "rf / mouth_corner_lift_mm (mean)", "rf / nlf_depth (left)",
          "rf / nlf_depth (right)")


def _regimen_table(subjects=("S01",)) -> pd.DataFrame:
    """The regimen rows of four series with pre-session photos on one day after day 0 (one subject: each reason then
    gives its own photo's change after the shared sentence)."""
    lv = pd.concat([_levels(3.0, days=[14]).assign(subject=s) for s in subjects])
    lv = pd.concat([lv.assign(metric="jawline_lift_mm"), lv, lv.assign(metric="nlf_depth", side="right", unit="index"),
                    lv.assign(metric="nlf_depth", side="left", unit="index")])
    return analyze_regimen(lv, n_boot=50).assign(kind="regimen")


def test_the_console_says_a_shared_reason_sentence_once_naming_its_series():
    lines = verdict_lines(_regimen_table())
    assert sum(HEAD in x for x in lines) == 1, lines  # four times before
    assert lines[0] == f"{HEAD}, for 4 series: " + "; ".join(f"regimen: {s}" for s in SERIES) + ".", lines
    # each series' line keeps its verdict and the rest of its reason (its own photo's change)
    assert lines[1].startswith("regimen: rf / jawline_lift_mm (mean): inconclusive - The pre-session photo reads "
                               "2.30 mm on day 14"), lines
    assert len(lines) == 5


def test_report_md_says_a_shared_reason_sentence_once_naming_its_series():
    md = timeline_markdown(_regimen_table(), None)
    assert md.count(HEAD) == 1, md
    assert f"- {HEAD}, for 4 series: rf, jawline_lift_mm (mean); rf, mouth_corner_lift_mm (mean); " in md
    assert "- **rf, nlf_depth (right)**: `inconclusive`. The pre-session photo reads 2.30 index on day 14" in md


def test_a_whole_reason_shared_leaves_each_line_its_verdict():
    # three subjects: no single photo's change to give, each reason the sentence alone
    lines = verdict_lines(_regimen_table(("S01", "S02", "S03")))
    assert sum(HEAD in x for x in lines) == 1, lines
    assert lines[1:] == [f"regimen: {s}: inconclusive - {REASON_ABOVE}" for s in SERIES], lines


def test_said_once_leaves_reasons_no_other_shares():
    assert said_once(["a", "b"], ["One. Two.", "Three. Two."]) == [(0, "One. Two."), (1, "Three. Two.")]
    assert said_once(["a", "b", "c"], ["One. Two.", "Three.", "One."]) == [
        (None, "One, for 2 series: a; c."), (0, "Two."), (1, "Three."), (2, REASON_ABOVE)]
    assert first_sentence("A 1.5 h half-life, e.g. this. Then more.") == ("A 1.5 h half-life, e.g. this.", "Then more.")
    assert first_sentence("no sentence end") == ("", "no sentence end")
    assert first_sentence(float("nan"))[0] == ""


def test_an_abbreviation_before_a_capital_letter_ends_no_sentence():
    """``said_once`` groups reasons by their first sentence, cut at ". " before a capital letter: "e.g. London" was
    cut after "e.g." (stop 60's note), so two reasons that differ after it were grouped by a half sentence and each
    line began "London ...".  Abbreviations and initials now end no sentence; a real end still does.  Fails on the
    old splitter."""
    a = "Too few photos of one subject (e.g. London 087, vs. Canada 012). Its own photo reads 0.30 mm."
    b = "Too few photos of one subject (e.g. London 103, vs. Canada 012). Its own photo reads 0.12 mm."
    assert first_sentence(a) == ("Too few photos of one subject (e.g. London 087, vs. Canada 012).",
                                 "Its own photo reads 0.30 mm.")
    assert said_once(["x", "y"], [a, b]) == [(0, a), (1, b)]  # no shared sentence: each whole, as before the cut
    c = "Shot by J. Smith i.e. Dr. Jones. Then more."
    assert first_sentence(c) == ("Shot by J. Smith i.e. Dr. Jones.", "Then more.")
    shared = "A margin, e.g. London's. Rest one."
    assert said_once(["x", "y"], [shared, "A margin, e.g. London's. Rest two."]) == [
        (None, "A margin, e.g. London's, for 2 series: x; y."), (0, "Rest one."), (1, "Rest two.")]
    assert first_sentence("Ends at etc. Then more.") == ("Ends at etc.", "Then more.")  # "etc." may end one
