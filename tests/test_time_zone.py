"""A time zone the user states (``--time-zone Europe/London``, ``+01:00``): every time without a UTC offset is read in
it at its own date (the clock change of 2026-10-25 known), every UTC time (a Pixel's ``PXL_`` name, a Google Photos
sidecar: ``Z``) converted into it.  Without it a session of a Pixel's UTC before photo and an offset-free after photo
left the Pixel photo out ("give treated_at with its offset", stop 60); with it the photo is placed at its true hours.
Without the option nothing changes.  Synthetic files made from the sample image (stop 61)."""

from __future__ import annotations

import io
import math
from datetime import timedelta, timezone
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from facemetrics.batch.discover import PhotoEntry, offset_free_times, offset_free_treatment, times_in_zone
from facemetrics.timekeys import hours_between, in_zone, read_time_zone, zone_text

LONDON = "Europe/London"


def test_a_zone_is_an_iana_name_utc_or_a_fixed_offset():
    assert zone_text(read_time_zone(LONDON)) == LONDON
    assert read_time_zone("+01:00").utcoffset(None) == timedelta(hours=1)
    assert read_time_zone("-0530").utcoffset(None) == -timedelta(hours=5, minutes=30)
    assert zone_text(read_time_zone("-0530")) == "-05:30"
    assert read_time_zone("UTC") == timezone.utc
    assert read_time_zone("+14:00").utcoffset(None) == timedelta(hours=14)
    assert read_time_zone("-12:00").utcoffset(None) == -timedelta(hours=12)
    assert read_time_zone("") is None and read_time_zone(None) is None


@pytest.mark.parametrize("text, why", [
    ("Europe/Londn", "(did you mean Europe/London?)"),
    ("CET", "an abbreviation names no place's clock changes"),
    ("BST", "an abbreviation names no place's clock changes"),
    ("+15:00", "UTC offsets run from -12:00 to +14:00"),
    ("-13:00", "UTC offsets run from -12:00 to +14:00"),
    ("Mars/Olympus", "it is not a zone this computer knows"),
    ("../../etc/passwd", "it is not a zone this computer knows"),
])
def test_an_unknown_zone_is_refused_in_one_sentence(text, why):
    with pytest.raises(ValueError) as err:
        read_time_zone(text)
    said = str(err.value)
    assert said.startswith(f"time zone {text!r} is not read") and why in said, said
    assert "Europe/London" in said and "+01:00" in said  # the forms read


def test_each_time_is_read_at_its_own_date_across_the_clock_change():
    zone = read_time_zone(LONDON)
    assert in_zone("2026-10-24T08:00", zone) == "2026-10-24T08:00:00+01:00"  # summer time
    assert in_zone("2026-10-26T08:00", zone) == "2026-10-26T08:00:00+00:00"  # after 2026-10-25
    assert in_zone("2026-10-24T07:34:12Z", zone) == "2026-10-24T08:34:12+01:00"  # UTC converted
    assert in_zone("2026-10-26T07:34:12Z", zone) == "2026-10-26T07:34:12+00:00"
    assert in_zone("2026-10-24T08:00+02:00", zone) == "2026-10-24T08:00+02:00"  # the camera's offset kept
    assert in_zone("2026-10-24T08:00:00+00:00", zone) == "2026-10-24T08:00:00+00:00"  # a camera's +00:00 too
    for kept in ("2026-10-24", "08.20", "", None):  # a date alone, a time not read, none: as they are
        assert in_zone(kept, zone) == kept
    assert in_zone("2026-10-24T08:00", None) == "2026-10-24T08:00"
    assert in_zone("2026-10-24T08:00", read_time_zone("+01:00")) == "2026-10-24T08:00:00+01:00"


def _hours(entries, zone):
    """Each entry's hours since its treatment after the zone and the batch's offset rules, NaN when left out."""
    entries, notes = times_in_zone(entries, {}, zone)
    entries, _, _ = offset_free_treatment(entries, {})
    entries, _, _ = offset_free_times(entries, {})
    return [math.nan if e.note else hours_between(e.taken_at, e.treated_at) for e in entries], entries, notes


@pytest.mark.parametrize("day, pixel_utc, summer", [("2026-10-24", "06:30:00", True), ("2026-10-26", "07:30:00", False)])
def test_a_pixel_utc_before_photo_and_an_offset_free_after_photo_are_placed(day, pixel_utc, summer):
    # both 07:30 on the London clock: 06:30Z in summer time, 07:30Z after the change
    treated = f"{day}T08:00"
    entries = [PhotoEntry(Path(), "PXL.jpg", "ann", "mc", taken_at=f"{day}T{pixel_utc}Z", treated_at=treated),
               PhotoEntry(Path(), "IMG.jpg", "ann", "mc", taken_at=f"{day}T10:00:00", treated_at=treated)]
    hours, _, _ = _hours(entries, None)
    assert math.isnan(hours[0]) and hours[1] == pytest.approx(2.0)  # without the zone: left out, as before
    hours, read, notes = _hours(entries, read_time_zone(LONDON))
    assert hours == pytest.approx([-0.5, 2.0])
    assert read[0].taken_at.endswith("+01:00" if summer else "+00:00"), read[0].taken_at
    assert notes == ["time zone Europe/London (--time-zone): 1 treatment time and 1 capture time without a UTC "
                     "offset read in it; 1 UTC capture time (a Pixel's file name, a Google Photos sidecar) converted "
                     "into it, each at its own date (a time with the camera's UTC offset is kept)"]


def test_a_session_across_the_clock_change_counts_absolute_hours():
    treated = "2026-10-24T20:00"  # BST; its after photo the next evening at 20:00 GMT: 25 h later
    entries = [PhotoEntry(Path(), "PXL.jpg", "ann", "mc", taken_at="2026-10-24T18:30:00Z", treated_at=treated),
               PhotoEntry(Path(), "IMG.jpg", "ann", "mc", taken_at="2026-10-25T20:00:00", treated_at=treated)]
    hours, _, _ = _hours(entries, read_time_zone(LONDON))
    assert hours == pytest.approx([-0.5, 25.0])


def test_no_zone_changes_nothing():
    entries = [PhotoEntry(Path(), "a.jpg", "ann", "mc", taken_at="2026-10-24T10:00", treated_at="2026-10-24T08:00")]
    out, notes = times_in_zone(entries, {0: ""}, None)
    assert out == entries and notes == []


def _png(path: Path, rgb: np.ndarray) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, "PNG")  # no EXIF: the file name's time
    path.write_bytes(buf.getvalue())
    return path


def _study(tmp_path: Path, sample_path) -> Path:
    img = Image.open(sample_path).convert("RGB")
    img.thumbnail((480, 480))
    rgb = np.asarray(img)
    folder = tmp_path / "study"
    for k, (subject, day, pixel) in enumerate([("summer", "20261024", "063000000"), ("winter", "20261026", "073000000")]):
        s = folder / subject / "mc"
        s.mkdir(parents=True)
        (s / "treated_at.txt").write_text(f"{day[:4]}-{day[4:6]}-{day[6:]}T08:00")
        _png(s / f"PXL_{day}_{pixel}.png", rgb[:, 2 * k:].copy())
        _png(s / f"IMG_{day}_100000.png", rgb[:, 2 * k + 1:].copy())
    return folder


def test_the_batch_places_the_pixel_photo_with_the_zone_and_not_without(tmp_path, sample_path):
    from facemetrics.batch import run_batch

    folder = _study(tmp_path, sample_path)
    plain = run_batch(folder, tmp_path / "plain", workers=1, progress=False, compare=False)
    rows = {Path(r["photo"]).name: r for r in plain.photo_rows}
    pixel = rows["PXL_20261024_063000000.png"]
    assert pixel["taken_at"] == "2026-10-24T06:30:00Z" and pixel["role"] == ""
    assert "or the time zone your clocks were in with --time-zone, such as Europe/London)" in pixel["excluded"]
    assert "local taken_at in a manifest" not in pixel["excluded"]  # it does not change a photo stored already

    zoned = run_batch(folder, tmp_path / "zoned", workers=1, progress=False, compare=False, time_zone=LONDON)
    rows = {Path(r["photo"]).name: r for r in zoned.photo_rows}
    want = {  # name: (taken_at, hours since the treatment, role)
        "PXL_20261024_063000000.png": ("2026-10-24T07:30:00+01:00", -0.5, "baseline"),
        "IMG_20261024_100000.png": ("2026-10-24T10:00:00+01:00", 2.0, "post"),
        "PXL_20261026_073000000.png": ("2026-10-26T07:30:00+00:00", -0.5, "baseline"),
        "IMG_20261026_100000.png": ("2026-10-26T10:00:00+00:00", 2.0, "post"),
    }
    for name, (taken, hours, role) in want.items():
        r = rows[name]
        assert (r["taken_at"], r["role"]) == (taken, role), (name, r["taken_at"], r["excluded"])
        assert r["hours_since_treatment"] == pytest.approx(hours), name
        assert r["taken_at_source"] == "file_name" and not r["excluded"], name
    assert any(n.startswith("time zone Europe/London (--time-zone): 2 treatment times and 2 capture times")
               for n in zoned.time_notes), zoned.time_notes


def test_the_command_line_refuses_an_unknown_zone_in_one_line(tmp_path, capsys):
    from facemetrics.cli import main

    with pytest.raises(SystemExit) as ended:
        main(["batch", str(tmp_path), "-o", str(tmp_path / "out"), "--time-zone", "Europe/Londn"])
    assert ended.value.code == 2
    err = capsys.readouterr().err
    assert "argument --time-zone: time zone 'Europe/Londn' is not read" in err and "Traceback" not in err, err
    assert "(did you mean Europe/London?)" in err


def test_the_store_keeps_each_time_read_in_the_zone(tmp_path, sample_path):
    from facemetrics.store import Store

    folder = _study(tmp_path, sample_path) / "summer" / "mc"
    photos = [folder / "PXL_20261024_063000000.png", folder / "IMG_20261024_100000.png"]
    with Store(tmp_path / "s") as store:
        results = store.add_photos("ann", photos, treatment="mc", treated_at="2026-10-24T08:00", measure=False,
                                   time_zone=LONDON)
        assert [(r.taken_at, r.role, r.taken_at_source) for r in results] == [
            ("2026-10-24T07:30:00+01:00", "baseline", "file_name"), ("2026-10-24T10:00:00+01:00", "post", "file_name")]
        assert not any("leaves it out" in r.message for r in results), [r.message for r in results]
        assert store.sessions("ann")["treated_at"].tolist() == ["2026-10-24T08:00:00+01:00"]
    with Store(tmp_path / "s2") as store:  # without it: stored as before, and said to be left out
        results = store.add_photos("ann", photos, treatment="mc", treated_at="2026-10-24T08:00", measure=False)
        assert results[0].taken_at == "2026-10-24T06:30:00Z" and "--time-zone Europe/London" in results[0].message
        assert store.sessions("ann")["treated_at"].tolist() == ["2026-10-24T08:00:00"]
        # adding them again with the zone: stored already, but the session takes the zone's offset, which places them
        again = store.add_photos("ann", photos, treatment="mc", treated_at="2026-10-24T08:00", measure=False,
                                 time_zone=LONDON)
        assert [r.status for r in again] == ["duplicate", "duplicate"]
        assert store.sessions("ann")["treated_at"].tolist() == ["2026-10-24T08:00:00+01:00"]
        assert store.utc_left_out_notes([r.photo_id for r in results]) == {}
    with Store(tmp_path / "s3") as store, pytest.raises(Exception, match="time zone 'CET' is not read"):
        store.add_photos("ann", photos, treatment="mc", treated_at="2026-10-24T08:00", measure=False, time_zone="CET")


def _jpeg(path: Path, rgb: np.ndarray, exif_time: str, offset: str = "") -> Path:
    exif = Image.Exif()
    exif.get_ifd(0x8769)[36867] = exif_time
    if offset:
        exif.get_ifd(0x8769)[36881] = offset
    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, "JPEG", quality=90, exif=exif)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buf.getvalue())
    return path


def test_study_add_says_any_photo_the_offset_rules_leave_out(tmp_path, sample_path):
    """Not only a UTC time: an offset-free capture time among photos of two offsets (a clock change during the
    session's photos) is left out by the report, and `study add` now says so, with the remedy that works."""
    from facemetrics.store import Store

    img = Image.open(sample_path).convert("RGB")
    img.thumbnail((120, 120))
    rgb = np.asarray(img)
    folder = tmp_path / "in"
    photos = [_jpeg(folder / "a.jpg", rgb, "2026:10:24 07:30:00", "+01:00"),
              _jpeg(folder / "b.jpg", rgb[1:].copy(), "2026:10:25 09:00:00", "+00:00"),
              _jpeg(folder / "c.jpg", rgb[2:].copy(), "2026:10:25 12:00:00")]
    with Store(tmp_path / "s") as store:
        results = store.add_photos("ann", photos, treatment="mc", treated_at="2026-10-24T08:00+01:00", measure=False)
        assert [bool(r.message) for r in results] == [False, False, True], [r.message for r in results]
        said = results[2].message
        assert said.startswith("c.jpg: capture time '2026-10-25T12:00:00' has no UTC offset"), said
        assert said.endswith(", so `study report` leaves it out: run it with the time zone your clocks were in, e.g. "
                             "--time-zone Europe/London"), said
        assert "in a manifest" not in said  # the batch's remedy, which does not change a stored photo
    with Store(tmp_path / "s2") as store:
        results = store.add_photos("ann", photos, treatment="mc", treated_at="2026-10-24T08:00+01:00", measure=False,
                                   time_zone=LONDON)
        assert results[2].taken_at == "2026-10-25T12:00:00+00:00" and not results[2].message


def test_study_report_reads_the_stored_times_in_the_zone(tmp_path):
    """The remedy for a photo stored already (a manifest's local ``taken_at`` does not change it: ``study import``
    keeps a stored photo's time): ``study report --time-zone``.  Flat PNGs without a face: the report stops at "no
    changes to fit yet" after writing ``photos.csv`` (fast)."""
    import sys

    import pandas as pd

    from facemetrics.cli import main
    from facemetrics.store import Store, StoreError

    sys.path.insert(0, str(Path(__file__).parent))
    from test_store_time_chain import _png as flat  # a flat PNG without EXIF, one grey level

    with Store(tmp_path / "s") as store:
        store.add_photos("ann", [("PXL_20261024_063000000.png", flat(0)), ("IMG_20261024_100000.png", flat(90))],
                         treatment="mc", treated_at="2026-10-24T08:00", measure=False)
        for out, zone in (("plain", None), ("zoned", LONDON)):
            with pytest.raises(StoreError, match="no changes to fit yet"):
                store.report(tmp_path / out, "ann", workers=1, n_boot=0, time_zone=zone)
    read = {out: pd.read_csv(tmp_path / out / "photos.csv", dtype=str, keep_default_na=False).set_index("photo")
            for out in ("plain", "zoned")}
    assert "--time-zone, such as Europe/London" in read["plain"].loc["PXL_20261024_063000000.png", "excluded"]
    assert read["zoned"]["taken_at"].to_dict() == {"PXL_20261024_063000000.png": "2026-10-24T07:30:00+01:00",
                                                   "IMG_20261024_100000.png": "2026-10-24T10:00:00+01:00"}
    assert "--time-zone" not in read["zoned"].loc["PXL_20261024_063000000.png", "excluded"]
    assert main(["study", "report", "-o", str(tmp_path / "cli"), "--store", str(tmp_path / "s"), "--n-boot", "0",
                 "--time-zone", LONDON]) == 2  # no changes to fit (no face), but the option is taken


def test_a_zone_that_reads_no_time_is_said_not_used():
    """Review (stop 61, g8): ``study report --time-zone America/New_York`` on photos stored with ``study add
    --time-zone Europe/London`` (every stored time carries its offset) read nothing in the zone and said nothing: the
    option was silently ignored.  Now one line says it was not used and why."""
    entries = [PhotoEntry(Path(), "a.jpg", "ann", "mc", taken_at="2026-10-24T07:30:00+01:00",
                          treated_at="2026-10-24T08:00:00+01:00"),
               PhotoEntry(Path(), "b.jpg", "ann", "mc", taken_at="", treated_at="2026-10-24T08:00:00+01:00")]
    out, notes = times_in_zone(entries, {1: "2026-10-24T10:00:00+01:00"}, read_time_zone("America/New_York"))
    assert out == entries
    assert notes == ["time zone America/New_York (--time-zone): not used, every time of the photos carries its own "
                     "UTC offset already (a camera's, or one stored with --time-zone), which is kept"], notes
    untimed = [PhotoEntry(Path(), "c.jpg", "ann", "mc")]  # no time at all: nothing to say of the zone
    assert times_in_zone(untimed, {}, read_time_zone(LONDON)) == (untimed, [])


@pytest.mark.parametrize("empty", ["", "  "])
def test_the_command_line_refuses_an_empty_zone(tmp_path, capsys, empty):
    """Review (stop 61, g8): ``--time-zone ""`` (an unset shell variable, ``--time-zone "$TZ"``) ran with no zone
    and said nothing; the option given is now refused in one line, as an unknown zone is (the app's empty field, and
    the library's ``time_zone=""``, still mean none)."""
    from facemetrics.cli import main

    with pytest.raises(SystemExit) as ended:
        main(["batch", str(tmp_path), "-o", str(tmp_path / "out"), "--time-zone", empty])
    assert ended.value.code == 2
    err = capsys.readouterr().err
    assert "argument --time-zone: time zone '' is not read (it is empty): give the place's zone name" in err, err
    assert "Traceback" not in err
    assert read_time_zone(empty) is None


def test_a_zone_that_moves_a_stored_session_is_refused(tmp_path, sample_path):
    """Review (stop 61, g8): the same folder imported (or added) again with another zone (America/New_York after
    Europe/London) read its offset-free treatment time at another instant, which named no stored session: the new
    photo went into a second session of the same treatment at the same wall-clock time, a post photo without a
    baseline, and nothing was said.  Now refused before anything is written, naming the stored session; the zone it
    was stored in, or none, still joins it."""
    from facemetrics.store import Store, StoreError

    img = Image.open(sample_path).convert("RGB")
    img.thumbnail((120, 120))
    rgb = np.asarray(img)
    folder = tmp_path / "in"
    first = [_jpeg(folder / "a.jpg", rgb, "2026:10:25 00:00:00"), _jpeg(folder / "b.jpg", rgb[1:].copy(),
                                                                        "2026:10:25 03:00:00")]
    later = _jpeg(folder / "d.jpg", rgb[2:].copy(), "2026:10:25 06:00:00")
    with Store(tmp_path / "s") as store:
        store.add_photos("ann", first, treatment="mc", treated_at="2026-10-25T00:30", measure=False, time_zone=LONDON)
        with pytest.raises(StoreError) as err:
            store.add_photos("ann", [later], treatment="mc", treated_at="2026-10-25T00:30", measure=False,
                             time_zone="America/New_York")
        said = str(err.value)
        assert said == ("the treatment time '2026-10-25T00:30:00' of 'mc' read in America/New_York is "
                        "2026-10-25T00:30:00-04:00, while the session of 'mc' at that wall-clock time is stored as "
                        "2026-10-25T00:30:00+01:00 (read in another zone, or given with its offset): give the time "
                        "zone it was stored in (--time-zone), or the treatment time with its UTC offset"), said
        assert store.sessions("ann")["treated_at"].tolist() == ["2026-10-25T00:30:00+01:00"]  # nothing written
        assert len(store.photos("ann")) == 2
        for zone in (LONDON, None):  # the zone it was stored in, or none: the same session
            (r,) = store.add_photos("ann", [later], treatment="mc", treated_at="2026-10-25T00:30", measure=False,
                                    time_zone=zone)
            assert r.status in ("added", "duplicate"), (r.status, r.message)
        assert store.sessions("ann")["treated_at"].tolist() == ["2026-10-25T00:30:00+01:00"]


def test_a_time_in_the_hour_the_clock_change_repeats_or_skips_is_said():
    """Review (stop 61, g8): 01:30 on 2026-10-25 in London is two instants an hour apart (the hour repeats) and 01:30
    on 2026-03-29 none (the hour is skipped); each is read with the offset before the change (as documented) but the
    batch said nothing, so a photo of the repeated hour's second pass sat 1 h early without a word."""
    from facemetrics.timekeys import clock_change_hour

    zone = read_time_zone(LONDON)
    assert clock_change_hour("2026-10-25T01:30", zone) == "repeated"
    assert clock_change_hour("2026-03-29T01:30:00", zone) == "skipped"
    for plain in ("2026-10-25T00:59", "2026-10-25T02:00", "2026-03-29T02:00", "2026-10-25T01:30:00+01:00",
                  "2026-10-25T01:30:00Z", "2026-10-25", ""):
        assert clock_change_hour(plain, zone) == "", plain
    assert clock_change_hour("2026-10-25T01:30", read_time_zone("+01:00")) == ""
    entries = [PhotoEntry(Path(), "a.jpg", "ann", "mc", taken_at="2026-10-25T01:30", treated_at="2026-10-25T00:30"),
               PhotoEntry(Path(), "b.jpg", "ann", "mc", taken_at="2026-10-25T03:00", treated_at="2026-10-25T00:30"),
               PhotoEntry(Path(), "c.jpg", "bob", "mc", taken_at="2026-03-29T01:30", treated_at="2026-03-29T00:30")]
    _, notes = times_in_zone(entries, {}, zone)
    assert notes[1:] == [
        "time zone Europe/London (--time-zone): a.jpg's capture time 2026-10-25T01:30 is in the hour the clock change "
        "repeats, read with the offset before the change (+01:00): if it was in the hour's second pass it is 1 h "
        "later, 2026-10-25T01:30+00:00",
        "time zone Europe/London (--time-zone): c.jpg's capture time 2026-03-29T01:30 is in the hour the clock change "
        "skips, no time the clock showed: read with the offset before the change (+00:00), as a clock not yet moved "
        "on would show it"], notes


def test_study_add_says_a_time_in_the_repeated_hour(tmp_path, sample_path):
    """The store's side of the test above: ``study add --time-zone`` stored 01:30 of 2026-10-25 as +01:00 without a
    word; its message now says the reading and the other one."""
    from facemetrics.store import Store

    img = Image.open(sample_path).convert("RGB")
    img.thumbnail((120, 120))
    rgb = np.asarray(img)
    photos = [_jpeg(tmp_path / "in" / "a.jpg", rgb, "2026:10:25 00:00:00"),
              _jpeg(tmp_path / "in" / "b.jpg", rgb[1:].copy(), "2026:10:25 01:30:00")]
    with Store(tmp_path / "s") as store:
        a, b = store.add_photos("ann", photos, treatment="mc", treated_at="2026-10-25T00:30", measure=False,
                                time_zone=LONDON)
    assert a.message == "" and b.taken_at == "2026-10-25T01:30:00+01:00"
    assert b.message == ("b.jpg: capture time 2026-10-25T01:30:00 is in the hour the clock change repeats, read with "
                         "the offset before the change (+01:00): if it was in the hour's second pass it is 1 h later, "
                         "2026-10-25T01:30+00:00"), b.message


def test_study_add_says_a_treatment_time_in_the_repeated_hour(tmp_path, sample_path):
    """The treatment time's side: 01:30 on 2026-10-25 typed with ``--time-zone Europe/London`` was stored +01:00
    without a word; the add's note now says so, as the batch's console line does."""
    from facemetrics.store import Store

    img = Image.open(sample_path).convert("RGB")
    img.thumbnail((120, 120))
    photo = _jpeg(tmp_path / "in" / "a.jpg", np.asarray(img), "2026:10:25 00:00:00")
    with Store(tmp_path / "s") as store:
        (r,) = store.add_photos("ann", [photo], treatment="mc", treated_at="2026-10-25T01:30", measure=False,
                                time_zone=LONDON)
        assert store.sessions("ann")["treated_at"].tolist() == ["2026-10-25T01:30:00+01:00"]
    assert r.note == ("treatment time 2026-10-25T01:30:00 is in the hour the clock change repeats, read with the "
                      "offset before the change (+01:00): if it was in the hour's second pass it is 1 h later, "
                      "2026-10-25T01:30+00:00"), r.note


def test_the_role_preview_reads_the_zone_as_the_store_does(tmp_path, sample_path):
    """Review (stop 61, g8; fixed in g9): *My study*'s preview (:func:`facemetrics.store.roles_when_added`) took no
    zone, so a Pixel copy ``PXL_20260610_073000000`` (UTC 07:30 = 08:30 in London's summer time) of an 08:00 session
    previewed as a before photo and was stored as an after one.  With the zone it previews what the store stores."""
    from facemetrics.store import Store, role_when_added, roles_when_added

    img = Image.open(sample_path).convert("RGB")
    img.thumbnail((120, 120))
    buf = io.BytesIO()
    img.save(buf, "PNG")  # no EXIF: the only time is the name's, in UTC
    name, data = "PXL_20260610_073000000.png", buf.getvalue()
    assert role_when_added(name, data, "2026-06-10 08:00") == "baseline"  # no zone: as before
    assert role_when_added(name, data, "2026-06-10 08:00", time_zone=LONDON) == "post"
    assert roles_when_added([(name, data)], "2026-06-10 08:00", time_zone="+01:00") == ["post"]
    assert roles_when_added([(name, data)], "2026-06-10 08:00", time_zone="Europe/Londn") == [""]  # not read
    with Store(tmp_path / "s") as store:
        (r,) = store.add_photos("ann", [(name, data)], treatment="mc", treated_at="2026-06-10 08:00", measure=False,
                                time_zone=LONDON)
    assert (r.status, r.role) == ("added", "post"), (r.status, r.role, r.message)


def test_study_import_says_a_zone_refusal_once_per_session(tmp_path, sample_path, capsys):
    """Review (stop 61, g8; fixed in g9): `study import` again with another zone than the store's sessions were
    stored in printed the refusal once per photo.  Now once per session, with the count of photos it covers, and the
    remedy as it was.  The photos stored already are "already there" (stop 62: they were refused too, exit 2)."""
    from facemetrics.cli import main

    folder = _study(tmp_path, sample_path)  # two subjects, one session each, two photos each
    store = str(tmp_path / "store")
    assert main(["study", "import", str(folder), "--store", store, "--no-measure", "--time-zone", LONDON]) == 0
    capsys.readouterr()
    rgb = np.asarray(Image.open(sample_path).convert("RGB").resize((120, 120)))
    for k, (subject, day) in enumerate([("summer", "20261024"), ("winter", "20261026")]):  # two new photos each
        for j, hour in enumerate(("110000", "120000")):
            _png(folder / subject / "mc" / f"IMG_{day}_{hour}.png", rgb[:, 2 * k + j + 10:].copy())
    assert main(["study", "import", str(folder), "--store", store, "--no-measure",
                 "--time-zone", "America/New_York"]) == 0  # as an import whose photos are all stored or refused
    out = capsys.readouterr().out
    assert "0 photo(s) imported, 4 already there, 4 not imported" in out, out
    lines = [ln for ln in out.splitlines() if "not imported - the treatment time" in ln]
    assert len(lines) == 2, lines  # one per session, not one per photo (4)
    summer = next(ln for ln in lines if "2026-10-24" in ln)
    assert summer.startswith("2 photos (") and (" and 1 more): not imported - the treatment time "
                                                "'2026-10-24T08:00:00' of 'mc' read in America/New_York ") in summer, summer
    assert summer.endswith("is 2026-10-24T08:00:00-04:00, while the session of 'mc' at that wall-clock time is stored "
                           "as 2026-10-24T08:00:00+01:00 (read in another zone, or given with its offset): give the "
                           "time zone it was stored in (--time-zone), or the treatment time with its UTC offset"), summer
