"""A manifest typed in Excel (an audit of a clinic's study, 2026-12-05): the cells hold the displayed text,
``2026-11-24 9:00`` (a one-digit hour) and ``24/11/2026 9:00`` (the year last).  The one-digit hour is read; a
year-last date is read in the order its manifest column tells (a field above 12), else refused with why; a time
typed alone is read only when it tells its order by itself (docs/guide.md, the manifest times' rule; README's until
stop 52)."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import pytest
from PIL import Image

from facemetrics.cli import main
from facemetrics.errors import StoreError
from facemetrics.sessions import iso_time
from facemetrics.timekeys import (DAY_FIRST, MONTH_FIRST, parse_time, read_lone_time, read_time_column,
                                  time_meant)


@pytest.mark.parametrize("text, expected", [
    ("2026-11-24 9:00", datetime(2026, 11, 24, 9, 0)),
    ("2026-11-24T9:05:30", datetime(2026, 11, 24, 9, 5, 30)),
])
def test_a_one_digit_hour_is_read_as_its_two_digit_hour(text, expected):
    assert parse_time(text) == expected
    assert time_meant(text) == ""


@pytest.mark.parametrize("text", ["2026-11-24 9.20", "2026-11-24 9:20.5", "2026-11-24 9h", "2026-11-24 13:00 PM",
                                  "2026-11-24 25:00", "2026-11-24 9:60"])
def test_the_other_refusals_stay(text):
    assert parse_time(text) is None
    assert time_meant(text)


def test_a_column_with_one_day_above_12_is_read_day_first_throughout():
    read = read_time_column(["24/11/2026 9:00", "01/12/2026 14:30", "", "2026-11-24T08:00"])
    assert read.order == DAY_FIRST
    assert read.times == ("2026-11-24T09:00", "2026-12-01T14:30", "", "2026-11-24T08:00")  # 1 December, not 12 Jan
    assert read.reasons == ("",) * 4 and read.examples == ("24/11/2026 9:00",)


def test_a_month_first_column_with_dots_and_seconds():
    read = read_time_column(["11.24.2026 9:00:30", "12.01.2026 14:30"])
    assert read.order == MONTH_FIRST
    assert read.times == ("2026-11-24T09:00:30", "2026-12-01T14:30")


def test_a_column_that_does_not_tell_its_order_stays_refused_with_why():
    read = read_time_column(["1/11/2026 9:00", "01/12/2026 14:30", "2026-11-24T08:00"])
    assert read.order == "" and read.times == ("1/11/2026 9:00", "01/12/2026 14:30", "2026-11-24T08:00")
    assert "no date in the column has a day above 12" in read.reasons[0] and read.reasons[2] == ""


def test_a_column_with_both_orders_stays_refused_with_why():
    read = read_time_column(["24/11/2026 9:00", "11/24/2026 14:30", "1/12/2026 9:00"])
    assert read.order == "" and read.times[0] == "24/11/2026 9:00"
    assert all("both orders, such as 24/11/2026 9:00 and 11/24/2026 14:30" in r for r in read.reasons)


def test_a_lone_value_is_read_only_when_it_tells_its_order_itself():
    assert read_lone_time("24/11/2026 9:00") == datetime(2026, 11, 24, 9, 0)
    assert read_lone_time("11/24/2026 9:00") == datetime(2026, 11, 24, 9, 0)
    assert read_lone_time("1/12/2026 9:00") is None
    assert read_lone_time("31/02/2026 9:00") is None  # no day in either order
    assert iso_time("24/11/2026 9:00") == "2026-11-24T09:00:00"  # study add --treated-at, the app's fields
    with pytest.raises(StoreError, match="1 December 2026"):
        iso_time("1/12/2026 9:00")


def _tiny(path):
    """An 8 x 8 PNG, its colour from its name (no two files alike): too small to measure, fast, a row each."""
    import zlib

    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (8, 8), tuple(zlib.crc32(path.name.encode()).to_bytes(4, "big")[:3])).save(path)


def test_a_batch_on_a_semicolon_cp1252_excel_manifest_reads_the_hours(tmp_path, capsys):
    study = tmp_path / "study"
    for name in ("a.png", "b.png", "c.png", "d.png"):
        _tiny(study / "Zoë" / "rf" / name)
    manifest = tmp_path / "manifest.csv"
    manifest.write_bytes(("photo;subject;treatment;taken_at;treated_at\r\n"
                          "Zoë/rf/a.png;Zoë;rf;24/11/2026 7:50;24/11/2026 8:00\r\n"
                          "Zoë/rf/b.png;Zoë;rf;24/11/2026 9:00;24/11/2026 8:00\r\n"
                          "Zoë/rf/c.png;Zoë;rf;01/12/2026 9:30;24/11/2026 8:00\r\n"
                          "Zoë/rf/d.png;Zoë;rf;2026-11-24 9:15;24/11/2026 8:00\r\n").encode("cp1252"))
    assert main(["batch", str(study), "-o", str(tmp_path / "out"), "--manifest", str(manifest)]) == 1  # nothing compared
    out = capsys.readouterr().out
    assert "dates in manifest.csv's taken_at read as day/month/year (24/11/2026 7:50" in out, out
    assert "dates in manifest.csv's treated_at read as day/month/year (24/11/2026 8:00 ...)" in out, out  # once
    # not UTF-8: the console names the encoding read and the names as read (stop 56, c1)
    assert "manifest.csv is not UTF-8: read as Windows-1252 (Windows Excel's \"CSV (Comma delimited)\"), so its " \
        "names read Zoë/rf/a.png, Zoë, Zoë/rf/b.png, ..." in out, out
    photos = pd.read_csv(tmp_path / "out" / "photos.csv").set_index("photo")
    assert list(photos.loc[["Zoë/rf/a.png", "Zoë/rf/b.png", "Zoë/rf/c.png"], "taken_at"]) == \
        ["2026-11-24T07:50", "2026-11-24T09:00", "2026-12-01T09:30"]
    assert list(photos.loc[["Zoë/rf/a.png", "Zoë/rf/b.png", "Zoë/rf/c.png", "Zoë/rf/d.png"],
                           "hours_since_treatment"]) == pytest.approx([-10 / 60, 1.0, 169.5, 1.25], abs=1e-5)
    assert set(photos["treated_at"]) == {"2026-11-24T08:00:00"}
    assert not photos["excluded"].fillna("").str.contains("not a time").any(), photos["excluded"]


def test_a_batch_names_why_a_column_of_small_fields_is_refused(tmp_path, capsys):
    study = tmp_path / "study"
    _tiny(study / "me" / "rf" / "a.png")
    manifest = tmp_path / "m.csv"
    manifest.write_text("photo,subject,treatment,taken_at,treated_at\n"
                        "me/rf/a.png,me,rf,1/12/2026 9:00,2026-12-01 8:00\n")
    assert main(["batch", str(study), "-o", str(tmp_path / "out"), "--manifest", str(manifest)]) == 1  # nothing compared
    capsys.readouterr()
    excluded = pd.read_csv(tmp_path / "out" / "photos.csv").set_index("photo")["excluded"]
    assert "no date in the column has a day above 12" in excluded["me/rf/a.png"], excluded


def test_study_import_reads_a_day_first_manifest_and_says_so(tmp_path, capsys):
    from pathlib import Path

    sample = Path(__file__).resolve().parents[1] / "sample_images" / "astronaut_before.jpg"
    folder = tmp_path / "study" / "S01" / "rf"
    folder.mkdir(parents=True)
    for name in ("pre.jpg", "post.jpg"):
        Image.open(sample).convert("RGB").save(folder / name, quality=90 if name == "pre.jpg" else 80)
    manifest = tmp_path / "manifest.csv"
    manifest.write_text("photo;subject;treatment;taken_at;treated_at\n"
                        "S01/rf/pre.jpg;S01;rf;24/11/2026 7:50;24/11/2026 8:00\n"
                        "S01/rf/post.jpg;S01;rf;01/12/2026 9:30;24/11/2026 8:00\n", encoding="cp1252")
    main(["study", "import", str(tmp_path / "study"), "--manifest", str(manifest), "--store", str(tmp_path / "store"),
          "--no-measure"])
    out = capsys.readouterr().out
    assert "dates in manifest.csv's taken_at read as day/month/year (24/11/2026 7:50" in out, out
    assert "2 photo(s) imported" in out and " - " not in out, out  # no row refused
    from facemetrics.store import Store

    with Store(tmp_path / "store") as store:
        photos = store.photos()
    assert sorted(photos["taken_at"].astype(str)) == ["2026-11-24T07:50:00", "2026-12-01T09:30:00"], photos


def test_a_treated_at_file_reads_a_year_last_date_that_tells_its_order(tmp_path):
    """A folder's treated_at.txt is one time typed alone: ``24/11/2026 8:00`` is read (24 November), as the
    lone-value rule reads it in ``study add`` and the app; ``01/12/2026 08:00`` stays refused, with why."""
    from facemetrics.batch.discover import _read_treated_at

    f = tmp_path / "treated_at.txt"
    f.write_text("24/11/2026 8:00\n", encoding="utf-8")
    assert _read_treated_at(f, "treated_at.txt in S01/rf") == ("2026-11-24T08:00:00", "")
    f.write_text("01/12/2026 08:00\n", encoding="utf-8")
    when, problem = _read_treated_at(f, "treated_at.txt in S01/rf")
    assert when == "" and problem.startswith("treated_at.txt in S01/rf: treatment time '01/12/2026 08:00'"), problem
    assert "2026-12-01T08:00" in problem and "2026-01-12T08:00" in problem, problem
