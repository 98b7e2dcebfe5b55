"""A capture time from the file name of a photo without an EXIF time (screenshots, messenger copies):
the one reading (``timekeys.time_from_name``), its refusals, and the batch's use of it (the EXIF time
wins; ``taken_at_source`` says where each time came from).  docs/guide.md, 'A capture time from the file name' (README's until stop 52)."""

from __future__ import annotations

import io
import math
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from facemetrics.batch import run_batch
from facemetrics.batch.discover import PhotoEntry
from facemetrics.batch.tables import _table_row, capture_time
from facemetrics.schema import BATCH_COLUMNS, CHANGE_COLUMNS, TEXT_COLUMNS
from facemetrics.timekeys import name_time_refusal, time_from_name
from facemetrics import uploads

AT = datetime(2026, 12, 1, 9, 14, 3)


@pytest.mark.parametrize("name, when", [
    ("IMG_20261201_091403.jpg", AT),  # Android camera
    ("img_20261201_091403.JPG", AT),  # case ignored
    ("20261201_091403.jpg", AT),  # Samsung
    ("Screenshot_20261201-091403.png", AT),  # Android screenshot
    ("Screenshot_20261201-091403_WhatsApp.jpg", AT),  # ... with the app's name
    ("Screenshot 2026-12-01 at 09.14.03.png", AT),  # macOS
    ("Screen Shot 2026-12-01 at 09.14.03.png", AT),  # older macOS
    ("photo_2026-12-01_09-14-03.jpg", AT),  # Telegram
    ("photo_2026-12-01_09-14-03 (2).jpg", AT),  # copy counters
    ("IMG_20261201_091403_1.jpg", AT),
    ("IMG_20261201_091403~2.jpg", AT),
    ("study/S1/rf/IMG_20261201_091403.heic", AT),  # a path: its last part
    (Path("S1") / "Screenshot 2026-12-01 at 23.59.59.png", datetime(2026, 12, 1, 23, 59, 59)),
    ("IMG_20240229_000000.jpg", datetime(2024, 2, 29)),  # a leap day exists
    # stop 46: Samsung's screenshot with the app's name, MIUI's (milliseconds, the app's package name), macOS on a
    # 12-hour clock (the US-English default: a one-digit hour, and macOS 13's narrow no-break space before PM),
    # fullwidth digits (NFKC)
    ("Screenshot_20261201-091403_Camera.jpg", AT),
    ("Screenshot_2026-12-01-09-14-03-123_com.miui.camera.jpg", datetime(2026, 12, 1, 9, 14, 3, 123000)),
    ("Screenshot_2026-12-01-09-14-03_com.android.chrome.png", AT),
    ("Screenshot_2026-12-01-09-14-03-123.jpg", datetime(2026, 12, 1, 9, 14, 3, 123000)),
    ("Screenshot 2026-12-01 at 9.14.03 AM.png", AT),
    ("Screen Shot 2026-12-01 at 9.14.03\u202fPM.png", datetime(2026, 12, 1, 21, 14, 3)),
    ("Screenshot 2026-12-01 at 12.14.03 AM.png", datetime(2026, 12, 1, 0, 14, 3)),  # 12 AM: past midnight
    ("Screenshot 2026-12-01 at 12.14.03 PM.png", datetime(2026, 12, 1, 12, 14, 3)),  # 12 PM: past noon
    ("IMG_\uff12\uff10\uff12\uff16\uff11\uff12\uff10\uff11_\uff10\uff19\uff11\uff14\uff10\uff13.jpg", AT),
    ("\uff29\uff2d\uff27_20261201_091403.jpg", AT),  # fullwidth letters
])
def test_each_form_gives_its_wall_clock_time(name, when):
    got = time_from_name(name)
    assert got == when
    assert got.tzinfo is None  # a local wall-clock time: no UTC offset is invented


@pytest.mark.parametrize("name", [
    "IMG_1234.jpg", "2026.jpg", "DSC_0042.JPG", "photo.jpg", "", "IMG_.jpg",
    "IMG_20261341_091403.jpg",  # month 13, day 41
    "IMG_20260230_091403.jpg",  # 30 February
    "IMG_20250229_091403.jpg",  # no leap day in 2025
    "IMG_20261201_246000.jpg",  # 24:60
    "IMG_20261201_091460.jpg",  # second 60
    "IMG-20261201-WA0003.jpg",  # WhatsApp: a date, no time of day
    "IMG_20261201.jpg",  # a date alone
    "IMG_20261201_091403_cropped2.jpg",  # anything else in the name
    "me 20261201_091403.jpg", "x.IMG_20261201_091403.jpg", "IMG_20261201_0914031.jpg",
    "Screenshot 2026-12-01 at 13.14.03 PM.png",  # no hour of the 12-hour clock
    "Screenshot 2026-12-01 at 0.14.03 AM.png",
    "Screenshot 01-12-2026 at 09.14.03.png",  # the year not first
    "photo_01-12-2026_09-14-03.jpg",
    "IMG_01122026_091403.jpg",
    "Screenshot_20261201-091403_App2.png",  # digits after the app's name
])
def test_names_that_do_not_state_one_time_give_none(name):
    assert time_from_name(name) is None


@pytest.mark.parametrize("name, year", [("IMG_10001124_080000.jpg", 1000), ("IMG_29991124_080000.jpg", 2999),
                                        ("Screenshot_19800101-000000.png", 1980)])
def test_a_name_with_a_year_outside_the_range_is_no_capture_time_and_says_so(name, year):
    """A year no capture time has (1000, 2999, a camera clock reset to 1980) is no time: the name is not read,
    and the refusal says why (photos.csv's reason, ``tables.no_capture_time``)."""
    assert time_from_name(name) is None
    assert name_time_refusal(name) == f"states the year {year}, outside 1990-2099, so it is no capture time"
    row = _table_row(_entry(name), {"status": "ok", "taken_at": None})
    assert row["taken_at"] == "" and f"its file name states the year {year}" in row["excluded"], row["excluded"]
    assert name_time_refusal("IMG_20261201_091403.jpg") == "" and name_time_refusal("IMG_1234.jpg") == ""


@pytest.mark.parametrize("name", ["PXL_20261201_091403123.jpg", "PXL_20261201_091403123.MP.jpg",
                                  "pxl_20261201_091403123.PORTRAIT.jpg", "PXL_20261201_091403123 (2).jpg"])
def test_a_pixel_name_gives_no_time_its_clock_is_utc(name):
    """A Pixel names its photos by the UTC time (``PXL_20240101_012612027.jpg`` for a photo taken at 10:26 in
    Tokyo: andrewning/sortphotos#158; 'all UTC, in USA as well': simulot/immich-go#397), not the local wall-clock
    time every other form states and the rule reads: read as local it was off by the UTC offset (a photo 1 h after
    a treatment in New York read 6 h after it), and read as UTC the batch's offset rules would read the session's
    offset-free times in UTC too.  So it gives none, as a name that can be read two ways."""
    assert time_from_name(name) is None


def _entry(name: str, taken_at: str = "") -> PhotoEntry:
    return PhotoEntry(path=Path("/study/S1/rf") / name, photo=f"S1/rf/{name}", subject="S1", treatment="rf",
                      taken_at=taken_at, treated_at="2026-12-01T08:00:00")


def test_exif_wins_over_the_name_and_the_manifest_over_both():
    name = "IMG_20261201_091403.jpg"
    assert capture_time(_entry(name), {"taken_at": "2026-12-01T12:00:00"}) == ("2026-12-01T12:00:00", "exif")
    assert capture_time(_entry(name, "2026-12-01T07:00:00"), {"taken_at": "2026-12-01T12:00:00"}) == \
        ("2026-12-01T07:00:00", "manifest")
    assert capture_time(_entry(name), {"taken_at": ""}) == ("2026-12-01T09:14:03", "file_name")
    assert capture_time(_entry("IMG_1234.jpg"), {"taken_at": None}) == ("", "")
    # a source the batch set before reading a time in its session's offset is kept, with the entry's time
    assert capture_time(_entry(name, "2026-12-01T09:14:03+01:00"), {"taken_at": "2026-12-01T09:14:03",
                                                                    "taken_at_source": "file_name"}) == \
        ("2026-12-01T09:14:03+01:00", "file_name")


def test_a_named_photo_without_exif_gets_a_role_and_its_hours():
    row = _table_row(_entry("Screenshot 2026-12-01 at 09.14.03.png"), {"status": "ok", "taken_at": None})
    assert row["taken_at"] == "2026-12-01T09:14:03" and row["taken_at_source"] == "file_name"
    assert row["hours_since_treatment"] == pytest.approx(1 + 14 / 60 + 3 / 3600)
    assert row["role"] == "post" and row["excluded"] == ""
    whatsapp = _table_row(_entry("IMG-20261201-WA0003.jpg"), {"status": "ok", "taken_at": None})
    assert whatsapp["taken_at"] == "" and whatsapp["taken_at_source"] == "" and whatsapp["role"] == ""
    assert "no capture time" in whatsapp["excluded"]


def test_the_source_column_is_declared_once_and_kept_as_text():
    assert "taken_at_source" in BATCH_COLUMNS and "taken_at_source" in CHANGE_COLUMNS
    assert CHANGE_COLUMNS.index("taken_at_source") == CHANGE_COLUMNS.index("taken_at") + 1
    assert "taken_at_source" in TEXT_COLUMNS


def _save(path: Path, rgb: np.ndarray, exif_time: str = "", offset: str = "") -> None:
    """``rgb`` as a PNG without any metadata, or as a JPEG with EXIF DateTimeOriginal ``exif_time``
    (and OffsetTimeOriginal ``offset``)."""
    buf = io.BytesIO()
    if exif_time:
        exif = Image.Exif()
        exif.get_ifd(0x8769)[36867] = exif_time
        if offset:
            exif.get_ifd(0x8769)[36881] = offset
        Image.fromarray(rgb).save(buf, "JPEG", quality=92, exif=exif)
    else:
        Image.fromarray(rgb).save(buf, "PNG")
    path.write_bytes(buf.getvalue())


def test_a_batch_of_photos_without_exif_named_by_time(tmp_path, sample_path):
    """A folder of screenshots and messenger copies (no EXIF time) of one face: each named by its time
    gets its hours since the treatment and a role; a photo with an EXIF time keeps it though its name
    says another; a name without a time, or a date alone, leaves the photo without one.  In a session
    whose photos carry a UTC offset, the name's offset-free time is read in it, as an offset-free EXIF
    time is, and keeps its source."""
    img = Image.open(sample_path).convert("RGB")
    img.thumbnail((480, 480))
    rgb = np.asarray(img)
    s1 = tmp_path / "study" / "S1" / "rf"
    s1.mkdir(parents=True)
    (s1 / "treated_at.txt").write_text("2026-12-01T08:00")
    _save(s1 / "Screenshot 2026-12-01 at 07.45.00.png", rgb)
    _save(s1 / "IMG_20261201_091403.png", rgb[:, ::-1].copy())  # other bytes: not a copy of the first
    _save(s1 / "photo_2026-12-01_20-00-00.jpg", rgb, exif_time="2026:12:01 12:00:00")  # EXIF wins
    _save(s1 / "IMG_1234.png", rgb[2:].copy())
    _save(s1 / "IMG-20261201-WA0003.png", rgb[1:].copy())
    s2 = tmp_path / "study" / "S2" / "rf"
    s2.mkdir(parents=True)
    (s2 / "treated_at.txt").write_text("2026-12-01T08:00+01:00")
    _save(s2 / "before.jpg", rgb[:, 1:].copy(), exif_time="2026:12:01 07:50:00", offset="+01:00")
    _save(s2 / "IMG_20261201_100000.png", rgb[:, 2:].copy())
    _save(s2 / "PXL_20261201_100000500.png", rgb[:, 3:].copy())

    res = run_batch(tmp_path / "study", tmp_path / "out", workers=1, progress=False, compare=False)
    rows = {Path(r["photo"]).name: r for r in res.photo_rows}
    want = {  # name: (taken_at, source, hours since the treatment, role)
        "Screenshot 2026-12-01 at 07.45.00.png": ("2026-12-01T07:45:00", "file_name", -0.25, "baseline"),
        "IMG_20261201_091403.png": ("2026-12-01T09:14:03", "file_name", 1 + 14 / 60 + 3 / 3600, "post"),
        "photo_2026-12-01_20-00-00.jpg": ("2026-12-01T12:00:00", "exif", 4.0, "post"),
        "IMG_1234.png": ("", "", math.nan, ""),
        "IMG-20261201-WA0003.png": ("", "", math.nan, ""),
        "before.jpg": ("2026-12-01T07:50:00+01:00", "exif", -1 / 6, "baseline"),
        "IMG_20261201_100000.png": ("2026-12-01T10:00:00+01:00", "file_name", 2.0, "post"),
        # a Pixel's name states UTC (10:00 UTC was 11:00+01:00, 3 h): not 2 h as a local reading made it; read as
        # a UTC instant (Z) since Round 21 (stop 60; it had no time before)
        "PXL_20261201_100000500.png": ("2026-12-01T10:00:00.500Z", "file_name", 3 + 0.5 / 3600, "post"),
    }
    assert set(rows) == set(want)
    for name, (taken, source, hours, role) in want.items():
        r = rows[name]
        assert r["status"] == "ok", (name, r["error"])
        assert (r["taken_at"], r["taken_at_source"], r["role"]) == (taken, source, role), name
        assert r["hours_since_treatment"] == pytest.approx(hours, nan_ok=True), name
    assert "no capture time" in rows["IMG_1234.png"]["excluded"]
    assert not rows["PXL_20261201_100000500.png"]["excluded"]  # its UTC time read (it had "no capture time")
    written = (tmp_path / "out" / "photos.csv").read_text()
    assert "taken_at_source" in written.splitlines()[0] and ",file_name," in written


def _bytes(rgb: np.ndarray, exif_time: str = "") -> bytes:
    buf = io.BytesIO()
    if exif_time:
        exif = Image.Exif()
        exif.get_ifd(0x8769)[36867] = exif_time
        Image.fromarray(rgb).save(buf, "JPEG", quality=92, exif=exif)
    else:
        Image.fromarray(rgb).save(buf, "PNG")
    return buf.getvalue()


def test_the_study_store_reads_the_name_after_exif_and_before_a_default_time(tmp_path):
    """``study add``: EXIF, then the file name's time, then ``--taken-at`` (the time of photos without one);
    ``study import``'s manifest time (``taken_at_wins``) wins over both; each result says its source."""
    from facemetrics.store import Store

    rng = np.random.default_rng(0)
    pics = [rng.integers(0, 255, (64, 64, 3), dtype=np.uint8) for _ in range(5)]
    store = Store(tmp_path / "store")
    got = store.add_photos("me", [("Screenshot 2026-12-01 at 07.45.00.png", _bytes(pics[0])),
                                  ("IMG_20261201_091403.png", _bytes(pics[1])),
                                  ("IMG_20261201_200000.jpg", _bytes(pics[2], "2026:12:01 12:00:00")),
                                  ("IMG_1234.png", _bytes(pics[3]))],
                           treatment="rf", treated_at="2026-12-01T08:00", measure=False)
    assert [(r.status, r.taken_at, r.taken_at_source, r.role) for r in got] == [
        ("added", "2026-12-01T07:45:00", "file_name", "baseline"),
        ("added", "2026-12-01T09:14:03", "file_name", "post"),
        ("added", "2026-12-01T12:00:00", "exif", "post"),
        ("error", "", "", "")]
    assert "none in its file name" in got[3].message
    typed = store.add_photos("me", [("IMG_20261201_101500.png", _bytes(pics[4]))], treatment="rf",
                             treated_at="2026-12-01T08:00", taken_at="2026-12-01T11:00", measure=False)
    assert (typed[0].taken_at, typed[0].taken_at_source) == ("2026-12-01T10:15:00", "file_name")
    wins = Store(tmp_path / "other").add_photos("me", [("IMG_20261201_101500.png", _bytes(pics[4]))], treatment="rf",
                                                treated_at="2026-12-01T08:00", taken_at="2026-12-01T11:00",
                                                taken_at_wins=True, measure=False)
    assert (wins[0].taken_at, wins[0].taken_at_source) == ("2026-12-01T11:00:00", "typed")


def test_the_app_times_uploads_by_their_names_when_they_have_no_exif_time():
    from types import SimpleNamespace

    from conftest import app_module

    app = app_module()

    def shot(name, taken=None):
        return SimpleNamespace(name=name, ok=True, photo=SimpleNamespace(taken_at=taken))

    roles = app.default_roles([shot("Screenshot 2026-12-01 at 09.14.03.png"),
                               shot("IMG_20261201_200000.jpg", datetime(2026, 12, 1, 12, 0)),  # EXIF wins
                               shot("IMG_20261201_071500.jpg")], "rf").set_index("photo")
    assert list(roles.index) == ["IMG_20261201_071500.jpg", "Screenshot 2026-12-01 at 09.14.03.png",
                                 "IMG_20261201_200000.jpg"]
    assert list(roles["role"]) == ["before", "after", "after"]
    assert list(roles["hours_since_treatment"]) == pytest.approx([0.0, 2 - 1 / 60 + 3 / 3600, 4.75])


def test_app_roles_with_a_treatment_time_read_the_file_name_time_too():
    """With a treatment time typed, the app's roles follow the batch's rule (``roles_at_treatment``); a screenshot
    without an EXIF time is timed by its file name there too (it had no hours and a role by its name alone)."""
    from types import SimpleNamespace

    from conftest import app_module

    app = app_module()

    def shot(name, taken=None):
        return SimpleNamespace(name=name, ok=True, photo=SimpleNamespace(taken_at=taken))

    roles = app.default_roles([shot("IMG_20261201_071500.jpg"), shot("Screenshot 2026-12-01 at 09.14.03.png")],
                              "rf", treated_at="2026-12-01 08:00").set_index("photo")
    assert roles.loc["IMG_20261201_071500.jpg", "role"] == "before"
    assert roles.loc["Screenshot 2026-12-01 at 09.14.03.png", "role"] == "after"
    assert roles.loc["Screenshot 2026-12-01 at 09.14.03.png", "hours_since_treatment"] == pytest.approx(
        1 + 14 / 60 + 3 / 3600)


def test_the_apps_long_csv_gives_the_capture_time_its_hours_came_from():
    """The app times an upload without an EXIF time by its file name (:func:`app.default_roles`), as the batch
    does, and the batch's long.csv writes that time in ``taken_at``; the app's long.csv (:func:`uploads.pair_long_rows`)
    left it empty beside the hours it had read from it.  The EXIF time still wins; a name with no time: empty."""
    from types import SimpleNamespace

    from conftest import app_module

    app = app_module()
    rows = [{"metric": "jaw_lift_mm", "side": "left", "change": 0.5, "unit": "mm", "noise_floor": 0.3,
             "verdict": "lifted"}]

    def taken(name, exif=None):
        after = SimpleNamespace(name=name, photo=SimpleNamespace(taken_at=exif, sha256="b" * 64))
        pair = app.Pair(SimpleNamespace(calibration=None), after, treatment="rf", hours_since_treatment=1.25)
        return {r["taken_at"] for r in uploads.pair_long_rows(pair, rows)}

    assert taken("Screenshot 2026-12-01 at 09.14.03.png") == {"2026-12-01T09:14:03"}
    assert taken("IMG_20261201_091403.jpg", datetime(2026, 12, 1, 12, 0)) == {"2026-12-01T12:00:00"}
    assert taken("image.jpg") <= {None, ""}
