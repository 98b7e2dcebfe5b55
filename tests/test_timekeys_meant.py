"""The times users write (round 3 of a first-time user's session, docs/validation.md §12, 2026-12-05).

``8.20pm``, ``9am``, ``noon``, ``21h``, ``1/12/2026 9:00`` ... were "not a time facemetrics reads" (or "not ISO
8601", "not a time (use ISO 8601 ...)") with the accepted forms alone, except a dated ``8.20pm`` or ``08.20`` in a
manifest.  Every place a user types a time now names, through one function
(:func:`facemetrics.timekeys.time_meant`), the time each reading would be and the exact text to write; every
such time is still refused (nothing is guessed).  One test per row of the table in docs/validation.md.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import pytest
from PIL import Image

from facemetrics.batch import Excluded
from facemetrics.batch.console import manifest_lines
from facemetrics.batch.discover import _manifest_time_reasons, _read_treated_at
from facemetrics.cli import main
from facemetrics.sessions import iso_time as _iso
from facemetrics.store import Store, StoreError
from facemetrics.timekeys import ACCEPTED_TIME_FORMS, meant_in, parse_time, read_lone_time, time_meant

# (as written, the reading(s) the message must give: (what it names, the exact text to write)); a date to fill
# in is written YYYY-MM-DD
ROWS = [
    ("8.20pm", [("20:20", "YYYY-MM-DDT20:20")]),
    ("08.20", [("08:20", "YYYY-MM-DDT08:20")]),
    ("9am", [("09:00", "YYYY-MM-DDT09:00")]),
    ("9 am", [("09:00", "YYYY-MM-DDT09:00")]),
    ("9:30pm", [("21:30", "YYYY-MM-DDT21:30")]),
    ("12am", [("00:00 midnight at the start of the day", "YYYY-MM-DDT00:00")]),
    ("12pm", [("12:00 noon", "YYYY-MM-DDT12:00")]),
    ("noon", [("12:00 noon", "YYYY-MM-DDT12:00")]),
    ("21h", [("21:00", "YYYY-MM-DDT21:00")]),
    ("9h30", [("09:30", "YYYY-MM-DDT09:30")]),
    ("2026-12-01 13:00 PM", [("13:00", "2026-12-01T13:00")]),  # no 12-hour time (2026-12-01 9am is read: stop 46)
    ("2026-12-01 0:30 AM", [("00:30", "2026-12-01T00:30")]),
    ("1/12/2026 9:00", [("1 December 2026, 09:00", "2026-12-01T09:00"),
                        ("12 January 2026, 09:00", "2026-01-12T09:00")]),
    ("yesterday", []),
    ("2026-12-01 08.20", [("08:20", "2026-12-01T08:20")]),
]
IDS = [r[0] for r in ROWS]


def _readings(sentence: str) -> list[tuple[str, str]]:
    """``[(what it names, the text to write)]`` of a message's "(if ... was meant: ...; if ...: ...)"."""
    said = meant_in(sentence)
    if not said:
        return []
    out = []
    for part in said[1:-1].split("; "):
        m = re.fullmatch(r"if (.+?)(?: was meant)?: (\S+)(?: with .*)?", part)
        assert m, (part, sentence)
        out.append((m[1], m[2].rstrip(",")))
    return out


@pytest.mark.parametrize("written, readings", ROWS, ids=IDS)
def test_the_message_names_the_time_meant_and_the_text_to_write(written, readings):
    """The sentence gives each reading and the exact text; each text is read by :func:`parse_time` as that time
    (the date filled in), and the time as written is still refused."""
    assert parse_time(written) is None  # nothing that was refused is accepted
    said = time_meant(written, "treatment time")
    assert said.startswith(f"treatment time {written!r} "), said
    assert ACCEPTED_TIME_FORMS in said
    assert _readings(said) == readings, said
    for words, text in readings:
        t = parse_time(text.replace("YYYY-MM-DD", "2026-11-02"))
        assert t is not None and t.strftime("%H:%M") in words, (text, words)
        if "YYYY-MM-DD" in text:  # no date was written: the message says to give it, with an example
            assert f"e.g. 2026-11-02T{text.split('T')[1]}" in said, said
    if readings:
        assert "'; '" not in said and not re.search(r"; (?![^()]*\))", said.split(meant_in(said))[0]), \
            "photos.csv joins reasons with '; ': none outside brackets before the reading"


def test_12am_and_12pm_name_midnight_and_noon():
    """12am and 12pm are often taken for each other: the reading says which it is in words."""
    assert "midnight at the start of the day, often taken for noon" in time_meant("12am")
    assert "noon, often taken for midnight" in time_meant("12pm")
    # with a date they are read since stop 46 (timekeys.twelve_hour_clock): 12am is 00:00, 12pm 12:00
    assert read_lone_time("2026-12-01 12am") == datetime(2026, 12, 1, 0, 0) and time_meant("2026-12-01 12am") == ""
    assert read_lone_time("2026-12-01 12pm") == datetime(2026, 12, 1, 12, 0) and time_meant("2026-12-01 12pm") == ""


def test_day_and_month_that_can_be_swapped_give_both_readings_and_one_that_cannot_gives_one():
    said = time_meant("1/12/2026 9:00")
    assert "reads as day/month/year or as month/day/year" in said
    assert len(_readings(said)) == 2
    assert _readings(time_meant("13/12/2026 9:00")) == [("13 December 2026, 09:00", "2026-12-13T09:00")]
    assert _readings(time_meant("12/12/2026 9:00")) == [("12 December 2026, 09:00", "2026-12-12T09:00")]


@pytest.mark.parametrize("text, reading", [
    ("2026-12-01, 09:00", "(if 09:00 was meant: 2026-12-01T09:00)"),
    ("2026-12-01 at 09:00", "(if 09:00 was meant: 2026-12-01T09:00)"),
    ("2026-12-01  09:00", "(if 09:00 was meant: 2026-12-01T09:00)"),
    ("2026-12-01 13pm+01:00", "(if 13:00+01:00 was meant: 2026-12-01T13:00+01:00)"),  # 9am+01:00 is read (stop 46)
    ("2026-12-01,", "(if 1 December 2026 was meant: 2026-12-01 with its time of day, e.g. 2026-12-01T08:00)"),
    ("2026/12/1 21h30", "(if 1 December 2026, 21:30 was meant: 2026-12-01T21:30)"),
    ("9am 1/12/2026", "(if 1 December 2026, 09:00 was meant: 2026-12-01T09:00; if 12 January 2026, 09:00: "
                      "2026-01-12T09:00)"),
    ("yesterday 9am", "(if 09:00 was meant: YYYY-MM-DDT09:00 with yesterday's date, e.g. 2026-11-02T09:00)"),
    ("midnight", "(if 00:00 midnight at the start of the day was meant: YYYY-MM-DDT00:00 with the day's date, e.g. "
                 "2026-11-02T00:00)"),
])
def test_other_ways_users_write_a_time_get_their_reading(text, reading):
    said = time_meant(text)
    assert parse_time(text) is None and meant_in(said) == reading, said
    assert " as it " in said and " as it :" not in said, said  # the reason is said


@pytest.mark.parametrize("text", ["2026-12-01T09:00", "2026-12-01 09:00:30", "2026:12:01 09:00:00",
                                  "2026-12-01T09:00+01:00", "2026-12-01T09:00Z", "", None, float("nan"),
                                  "2026-12-01"])
def test_a_time_that_is_read_or_a_date_alone_has_no_such_message(text):
    """A time read as before is left alone; a date alone keeps its own message (no time of day)."""
    assert time_meant(text) == ""


@pytest.mark.parametrize("text", ["13pm", "25h", "9:75", "2026-12-01 08:00 CET", "foo", "32/13/2026 9:00"])
def test_other_text_gets_the_forms_alone(text):
    said = time_meant(text, "capture time")
    assert said.startswith(f"capture time {text!r} is not a time facemetrics reads: write it as "), said
    assert meant_in(said) == ""


# ---- every place a user types a time uses it ----------------------------------------------------------------

@pytest.mark.parametrize("written, readings", ROWS, ids=IDS)
def test_a_manifest_cell_names_the_time_meant_in_photos_csv_and_on_the_console(written, readings):
    reasons = _manifest_time_reasons(Path("m.csv"), {"_row": 3, "taken_at": written, "treated_at": "2026-12-01T08:00"})
    note = "; ".join(r.text for r in reasons)
    assert note == f"manifest m.csv row 3, column 'taken_at': {time_meant(written, 'capture time')}"
    (line,) = manifest_lines([Excluded("me/rf/b.jpg", note, reasons)], "m.csv")
    assert "row 3 (me/rf/b.jpg), column 'taken_at'" in line and "so its photo is not used" in line, line
    assert _readings(line) == readings, line


@pytest.mark.parametrize("written, readings", ROWS, ids=IDS)
def test_treated_at_txt_names_the_time_meant(tmp_path, written, readings):
    path = tmp_path / "treated_at.txt"
    path.write_text(written + "\n", encoding="utf-8")
    when, problem = _read_treated_at(path, "treated_at.txt in me/rf")
    assert when == "" and problem == f"treated_at.txt in me/rf: {time_meant(written, 'treatment time')}"
    assert _readings(problem) == readings


@pytest.mark.parametrize("written, readings", ROWS, ids=IDS)
def test_study_add_and_the_app_name_the_time_meant(tmp_path, written, readings):
    """``study add --treated-at`` / ``--taken-at`` and the app's "Treated at" (``Store.log_session``) and "Taken
    at" fields read their times through ``sessions.iso_time``."""
    for treatment, what in ((True, "treatment time"), (False, "capture time")):
        with pytest.raises(StoreError) as err:
            _iso(written, treatment=treatment)
        assert str(err.value) == time_meant(written, what)
        assert _readings(str(err.value)) == readings
    with Store(tmp_path / "store") as store:
        with pytest.raises(StoreError) as err:
            store.log_session("anna", "rf", written)
        assert _readings(str(err.value)) == readings
        assert store.sessions().empty


def test_study_add_on_the_command_line_says_the_time_meant_and_stores_nothing(tmp_path, capsys):
    photo = tmp_path / "a.png"
    Image.new("RGB", (8, 8)).save(photo)
    store = tmp_path / "store"
    for option in ("--treated-at", "--taken-at"):
        extra = [] if option == "--treated-at" else ["--treated-at", "2026-12-01T08:00"]
        assert main(["study", "add", str(photo), "--subject", "anna", "--treatment", "rf", option, "8.20pm",
                     *extra, "--store", str(store), "--no-measure"]) == 2
        err = capsys.readouterr().err
        assert "'8.20pm' is not a time facemetrics reads" in err and \
               "(if 20:20 was meant: YYYY-MM-DDT20:20 with the day's date, e.g. 2026-11-02T20:20)" in err, err
    assert not list(store.glob("**/*.png"))
