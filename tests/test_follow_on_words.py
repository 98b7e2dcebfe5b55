"""The follow-on words as a user reads them (Round 18's (e), fixed at stop 58, docs/validation.md section 12, Round
19): the sessions' times read as a date and a clock time ("2026-11-04 07:30", the app's roles table's form,
``facemetrics.timekeys.clock_text``), not ISO 8601 with a "T" and seconds, and no bracket sits inside another (the
figures of a series were put in brackets that held the CI's, "the fit of all sessions (the first sessions' alone
cannot tell)" and an uncompared session's note "(... no baseline photo (taken before treated_at) ...)").
timeline.csv's and long.csv's time columns keep ISO 8601."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
from test_follow_on import two_session_report  # noqa: E402
from test_follow_on_uncompared import batch_folder, no_day2_before  # noqa: E402

from facemetrics.batch import run_timeline  # noqa: E402
from facemetrics.decay import carryover  # noqa: E402

ISO = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def depth(text: str) -> int:
    """The deepest nesting of round brackets in ``text``."""
    most = level = 0
    for ch in text:
        level += {"(": 1, ")": -1}.get(ch, 0)
        most = max(most, level)
    return most


def _follow_on_lines(text: str) -> list[str]:
    return [ln for ln in text.splitlines() if "began " in ln and " after the one treated at " in ln]


def _check(lines: list[str]) -> None:
    assert lines
    for ln in lines:
        assert not ISO.search(ln), ln
        assert depth(ln) <= 1, ln


def test_report_md_and_the_console_say_plain_times_without_nested_brackets(tmp_path, capsys):
    from facemetrics.cli import _print_verdicts

    md, table = two_session_report(tmp_path)
    _check(_follow_on_lines(md))
    assert ("- S2, rf: the session treated at 2026-11-07 08:00 began 4.0 days after the one treated at 2026-11-03 "
            "08:00, whose effect is not shown gone by then in jawline_lift_mm (mean): the first-session fit puts "
            "that one's change at ") in md, md
    _print_verdicts(table)
    _check(_follow_on_lines(capsys.readouterr().out))
    reason = str(table.loc[table["subject"].isna(), "reason"].iloc[0])  # timeline.csv's sentence: plain times too
    assert "treated at 2026-11-06 08:00 began" in reason and not ISO.search(reason), reason
    assert set(pd.read_csv(tmp_path / "batch" / "long.csv")["treated_at"].map(ISO.match).map(bool)) == {True}  # the columns: ISO


def test_an_uncompared_earlier_session_is_named_without_a_bracket_in_a_bracket(tmp_path, capsys):
    from facemetrics.cli import _print_verdicts

    out = batch_folder(no_day2_before(), tmp_path / "batch")
    _, table = run_timeline(out, n_boot=0, seed=0)
    md = (out / "report.md").read_text()
    _check(_follow_on_lines(md))
    assert ("after the one treated at 2026-11-03 07:30 (none of whose photos was compared: no baseline photo, taken "
            "before treated_at, in this session), whose effect") in md, md
    _print_verdicts(table)
    _check(_follow_on_lines(capsys.readouterr().out))
    for reason in table["reason"].dropna().astype(str):
        if "follow-on session" in reason:
            _check([reason])


def test_a_session_counted_gone_and_the_fit_of_all_sessions_nest_no_brackets():
    f = carryover.FollowOn("me", "mc", "jawline_lift_mm", "mean", "2026-11-10T07:30:00", "2026-11-02T07:30:00",
                           192.0, 4, 0.5, 0.4, 0.6, 0.3, 0.9, "mm", judged_by="all",
                           counted_gone=(("2026-11-03T07:30:00+01:00", 168.0),),
                           counted_notes=("none of whose photos was compared: not measured (no face found)",))
    words = carryover.follow_on_sentence([f])
    from facemetrics.report import follow_on_notes

    for text in (words, *follow_on_notes([f])):
        _check([text])
    assert "the one treated at 2026-11-03 07:30 +01:00 (none of whose photos was compared: not measured, no face " \
           "found) counts as gone" in words, words


def test_an_effect_still_there_is_said_so_and_the_advice_says_no_photo_makes_it_count(tmp_path, capsys):
    """Round 19 (a clinic RF patient, two treatments 14 days apart): the second session was left out because the
    first one's lift was still there, 0.51 mm (90% CI 0.36 to 0.67 mm) at 14 days, which the words said as "not shown
    inside ±0.30 mm", and the advice under them told the patient only which photos to add.  A band entirely beyond
    the margin now reads as the verdicts say it ("entirely above the +0.30 mm margin") and that the effect was still
    there; the advice says such a session cannot count whatever photo is added."""
    from facemetrics.cli import _print_verdicts
    from facemetrics.report import FOLLOW_ON_ADVICE

    md, table = two_session_report(tmp_path)
    _print_verdicts(table)
    printed = capsys.readouterr().out
    for text in (md, printed):
        lines = _follow_on_lines(text)
        assert len(lines) == 3 and all("entirely above the +0.30 mm margin: its effect was still there" in ln
                                       and "not shown inside" not in ln for ln in lines), lines
        assert text.count("cannot count, whatever photo is added") == 1, text
    assert "cannot count, whatever photo is added" in FOLLOW_ON_ADVICE
    # a band that straddles the margin keeps "not shown inside"
    f = carryover.FollowOn("me", "mc", "jawline_lift_mm", "mean", "2026-11-10T07:30:00", "2026-11-09T07:30:00",
                           24.0, 4, 0.3, 0.1, 0.5, 0.3, 0.9, "mm")
    assert carryover.figure_text(f).endswith("not shown inside \u00b10.30 mm"), carryover.figure_text(f)
