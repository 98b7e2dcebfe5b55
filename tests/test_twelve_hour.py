"""Times on the 12-hour clock after a date (stop 46, 2026-12-05): ``2026-11-24 9:00 PM`` is read as 21:00 by the
one rule (``timekeys.twelve_hour_clock``) wherever a time is typed (a manifest cell, ``treated_at.txt``, ``study
add``'s and the app's fields, ``sessions.iso_time``); ``13:00 PM`` and ``0:30 AM`` name no 12-hour time and are
refused with why (``timekeys.twelve_hour_refusal``).  Before stop 46 every such time was refused."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from facemetrics.batch.discover import _read_treated_at
from facemetrics.errors import StoreError
from facemetrics.sessions import iso_time
from facemetrics.timekeys import (meant_in, read_lone_time, read_time_column, time_meant, twelve_hour_clock,
                                  twelve_hour_refusal)

D = datetime(2026, 11, 24)


@pytest.mark.parametrize("text, when", [
    ("2026-11-24 9:00 AM", D.replace(hour=9)),
    ("2026-11-24 9:00 pm", D.replace(hour=21)),
    ("2026-11-24 9.00am", D.replace(hour=9)),  # the am says which half of the day: the dot is no fraction
    ("2026-11-24 9am", D.replace(hour=9)),
    ("2026-11-24 9:00 a.m.", D.replace(hour=9)),
    ("2026-11-24T9:05:30PM", D.replace(hour=21, minute=5, second=30)),
    ("2026-11-24 12:30 AM", D.replace(minute=30)),  # half past midnight, at the start of the day
    ("2026-11-24 12:05 PM", D.replace(hour=12, minute=5)),  # five past noon
    ("2026-11-24 11:59 PM", D.replace(hour=23, minute=59)),
    ("2026-11-24 9:00\u202fPM", D.replace(hour=21)),  # the narrow no-break space macOS and Excel copy write
    ("24/11/2026 9:00 PM", D.replace(hour=21)),  # year last, its order told by a field above 12
    ("11.24.2026 9:00 pm", D.replace(hour=21)),
])
def test_a_dated_12_hour_time_typed_alone_is_read(text, when):
    assert read_lone_time(text) == when
    assert iso_time(text, treatment=False) == when.isoformat()  # study add --taken-at, the app's Taken at
    assert iso_time(text, treatment=True) == when.isoformat()  # --treated-at, the app's Treated at


def test_the_offset_is_kept():
    assert read_lone_time("2026-11-24 9:00 PM+01:00") == D.replace(hour=21, tzinfo=timezone(timedelta(hours=1)))
    assert twelve_hour_clock("2026-11-24 9am Z") == "2026-11-24 09:00Z"


@pytest.mark.parametrize("text, why, meant", [
    ("2026-11-24 13:00 PM", "has the hour 13 with PM", "(if 13:00 was meant: 2026-11-24T13:00)"),
    ("2026-11-24 0:30 AM", "has the hour 0 with AM", "(if 00:30 was meant: 2026-11-24T00:30)"),
    ("2026-11-24 00:30 am", "has the hour 0 with AM", "(if 00:30 was meant: 2026-11-24T00:30)"),
    ("24/11/2026 0:30 AM", "has the hour 0 with AM", "(if 00:30 was meant: 2026-11-24T00:30)"),
    ("2026-11-24 9:75 PM", "has a minute, second or hour no clock has (9:75)", ""),
])
def test_a_12_hour_time_that_names_no_time_is_refused_with_why(tmp_path, text, why, meant):
    assert twelve_hour_clock(text) is None and read_lone_time(text) is None
    said = time_meant(text, "capture time")
    assert said == twelve_hour_refusal(text, "capture time")
    assert said.startswith(f"capture time {text!r} is not a time facemetrics reads, as it {why}"), said
    assert "12-hour clock's hours run from 1 to 12" in said or not meant
    assert meant_in(said) == meant
    with pytest.raises(StoreError, match="is not a time facemetrics reads"):
        iso_time(text, treatment=False)
    path = tmp_path / "treated_at.txt"
    path.write_text(text + "\n", encoding="utf-8")
    assert _read_treated_at(path, "treated_at.txt") == ("", f"treated_at.txt: {time_meant(text, 'treatment time')}")


def test_treated_at_txt_reads_a_12_hour_time(tmp_path):
    path = tmp_path / "treated_at.txt"
    for text, expected in (("2026-11-24 8:00 AM", "2026-11-24T08:00:00"), ("24/11/2026 8:00 pm", "2026-11-24T20:00:00"),
                           ("2026-11-24 12:30 AM", "2026-11-24T00:30:00")):
        path.write_text(text + "\n", encoding="utf-8")
        assert _read_treated_at(path, "treated_at.txt") == (expected, "")


def test_a_manifest_column_reads_12_hour_times_and_keeps_a_refused_one_as_written():
    read = read_time_column(["24/11/2026 9:00 PM", "2026-11-24 9.00am", "1/12/2026 12:05 PM", "2026-11-24 13:00 PM"])
    assert read.order == "day/month/year" and read.examples == ("24/11/2026 9:00 PM",)
    assert read.times[:3] == ("2026-11-24T21:00", "2026-11-24 09:00", "2026-12-01T12:05")
    assert read.times[3] == "2026-11-24 13:00 PM"  # refused: as written, its sentence from time_meant
    undecided = read_time_column(["1/11/2026 9:00 PM", "2026-11-24 9:00 PM"])
    assert undecided.times == ("1/11/2026 9:00 PM", "2026-11-24 21:00")  # the year-last one as written
    assert "no date in the column has a day above 12" in undecided.reasons[0]


def test_a_12_hour_time_without_a_date_or_with_a_comma_stays_refused():
    for text in ("9:00 PM", "12:30 AM", "2026-11-24, 9:00 PM", "2026-11-24 at 9:00 PM"):
        assert read_lone_time(text) is None and time_meant(text), text


def test_a_manifest_with_12_hour_times_gives_the_batch_its_hours(tmp_path):
    """A manifest's taken_at and treated_at on the 12-hour clock: the photo's hours since the treatment as written."""
    from facemetrics.batch.discover import discover

    study = tmp_path / "study"
    (study / "me" / "rf").mkdir(parents=True)
    (study / "me" / "rf" / "a.png").write_bytes(b"x")
    manifest = tmp_path / "m.csv"
    manifest.write_text("photo,subject,treatment,taken_at,treated_at\n"
                        "me/rf/a.png,me,rf,2026-11-24 12:30 AM,2026-11-23 11:00 PM\n")
    (e,) = discover(study, manifest=Path(manifest))
    assert (e.note, e.taken_at) == ("", "2026-11-24 00:30")
    assert datetime.fromisoformat(e.treated_at) == datetime(2026, 11, 23, 23, 0)
