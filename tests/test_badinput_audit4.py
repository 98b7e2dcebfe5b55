"""The fourth bad-input audit (Stop 64, h3; docs/robustness.md "Stop 64: bad input, fourth look"): what the
third look left (an 8-bit image held in a 32-bit or 16-bit mode, a long.csv cut mid-row, a blank EXIF time in
the app's study, a subject name with control characters) and what a pass over ``study`` and ``timeline``
found, each case built here at test time."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from conftest import app_module
from facemetrics.loader import load_photo


def _ramp(top: int, w: int = 64, h: int = 48) -> np.ndarray:
    """A grey ramp, shape (h, w), int64, 0 at the left column and ``top`` at the right."""
    return np.repeat((np.arange(w) * top // (w - 1))[None, :], h, axis=0)


def _saved(img: Image.Image, fmt: str) -> bytes:
    buf = io.BytesIO()
    img.save(buf, fmt)
    return buf.getvalue()


@pytest.mark.parametrize("dtype, fmt, mode", [
    (np.int32, "TIFF", "I"), (np.uint16, "PNG", "I;16"), (np.uint16, "TIFF", "I;16"), (np.float32, "TIFF", "F")])
def test_8bit_values_in_a_wider_mode_keep_their_brightness(dtype, fmt, mode):
    """Before: a 32-bit (mode I) or 16-bit image holding 0-255 was scaled from 0-65535: 255 read as 1 (black)."""
    ramp = _ramp(255)
    raw = _saved(Image.fromarray(ramp.astype(dtype)), fmt)
    with Image.open(io.BytesIO(raw)) as im:
        assert im.mode == mode
    photo = load_photo(raw, name=f"ramp.{fmt.lower()}")
    np.testing.assert_array_equal(photo.rgb[..., 1], ramp.astype(np.uint8))


@pytest.mark.parametrize("dtype, fmt", [(np.int32, "TIFF"), (np.uint16, "PNG"), (np.float32, "TIFF")])
def test_16bit_values_are_scaled_from_0_65535(dtype, fmt):
    """Values above 255 are 16-bit: 65535 -> 255, 32768 -> 128 (a float TIFF of 0-65535 was clipped to white)."""
    ramp = _ramp(65535)
    photo = load_photo(_saved(Image.fromarray(ramp.astype(dtype)), fmt), name="ramp16")
    want = np.rint(ramp * 255 / 65535).astype(np.uint8)
    assert np.abs(photo.rgb[..., 0].astype(int) - want).max() <= 1
    assert photo.rgb[0, -1, 0] == 255 and photo.rgb[0, 0, 0] == 0


def test_a_float_image_in_0_1_and_32bit_values_beyond_16bit():
    ramp = _ramp(255)
    photo = load_photo(_saved(Image.fromarray((ramp / 255).astype(np.float32)), "TIFF"), name="unit.tif")
    np.testing.assert_array_equal(photo.rgb[..., 2], ramp.astype(np.uint8))
    big = _ramp(2**31 - 1).astype(np.int32)
    photo = load_photo(_saved(Image.fromarray(big), "TIFF"), name="i32.tif")
    assert photo.rgb[0, -1, 0] == 255 and photo.rgb[0, 32, 0] in (129, 130)


def test_one_scale_for_every_band_of_a_tall_image(monkeypatch):
    """The range is decided on the whole image: a band of a tall image whose values stay below 256 is not
    read as 8-bit when another band holds 16-bit values."""
    from facemetrics import loader
    monkeypatch.setattr(loader, "_BAND_PIXELS", 64 * 8)
    arr = np.zeros((48, 64), np.uint16)
    arr[:8] = 200
    arr[40:] = 65535
    photo = load_photo(_saved(Image.fromarray(arr), "PNG"), name="bands.png")
    assert photo.rgb[0, 0, 0] == 1 and photo.rgb[-1, 0, 0] == 255


@pytest.mark.parametrize("odd", [float("nan"), float("inf")])
def test_a_float_image_with_a_nan_or_inf_pixel_keeps_its_range(odd):
    """A float TIFF of 0-255 values with a NaN (no-data) or infinite top-left pixel: Pillow's extrema are then NaN
    or inf, and the whole photo read white (scaled from 0-1) or black (from the 32-bit range); the range is the
    finite values' (review of stop 64).  The odd pixel itself reads black (NaN) or white (inf), as before."""
    ramp = _ramp(255).astype(np.float32)
    ramp[0, 0] = odd
    photo = load_photo(_saved(Image.fromarray(ramp), "TIFF"), name="nodata.tif")
    np.testing.assert_array_equal(photo.rgb[1:, :, 1], _ramp(255)[1:].astype(np.uint8))
    assert photo.rgb[0, 0, 1] == (0 if odd != odd else 255)


# ---------------------------------------------------------------- timeline's long.csv

_HEAD = ("subject,treatment,hours_since_treatment,metric,side,value,unit,noise_floor,verdict,photo,"
         "facemetrics_version\n")


def _long_text(n: int = 8) -> str:
    """A long.csv as `facemetrics batch` writes it (facemetrics_version column, a line end after every row)."""
    rows = [f"S,rf,{h},jawline_lift_mm,mean,{1.2 * 0.8 ** i:.4f},mm,0.1,,S/p{i}.jpg,0.2.41"
            for i, h in enumerate((0.5, 1, 2, 4, 8, 12, 24, 48)[:n])]
    return _HEAD + "\n".join(rows) + "\n"


def _timeline(tmp_path, content: str, capsys):
    from facemetrics.cli import main

    (tmp_path / "long.csv").write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    rc = main(["timeline", str(tmp_path), "-o", str(tmp_path / "out"), "--n-boot", "0"])
    return rc, capsys.readouterr().err


_CUT = (": the file was cut short (an incomplete download or copy) and the rows after the cut are lost too: "
        "copy it again, or run `facemetrics batch` again")


@pytest.mark.parametrize("cut, said", [
    (lambda t: t[:-30], "ends in the middle of a row (its last line has 6 of the 11 columns)"),
    (lambda t: t[:-3], "ends in the middle of its last row (a table facemetrics writes ends with a line end)"),
    (lambda t: t + 'S,rf,50,jawline_lift_mm,mean,0.1,mm,0.1,,"S/p,x', "ends inside a quoted value"),
])
def test_a_long_csv_cut_short_is_refused_in_one_line(tmp_path, capsys, cut, said):
    """Before: a long.csv cut mid-row was fitted without a word (its last row's blanks), one cut inside a quoted
    value ended `timeline` with pandas' ParserError traceback."""
    rc, err = _timeline(tmp_path, cut(_long_text()), capsys)
    assert rc == 2 and "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    assert f"long.csv {said}{_CUT}" in err, err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("content", [
    _long_text() + "\n\n",                                    # blank lines at the end
    _long_text() + "\0" * 64,                                 # NUL bytes at the end (the audit's case)
    _long_text().replace("\n", "\r\n"),                       # CRLF (a Windows save)
    _long_text().replace(",facemetrics_version", "").replace(",0.2.41", "").rstrip("\n"),  # hand-made, no end
    _long_text() + "S,rf,60,jawline_lift_mm\n",               # a short row with a line end: a hand edit
    _long_text() + " ",                                       # a space after the last line end (review)
    _long_text().replace("\n", "\r"),                         # CR line ends (an old Mac save; review)
    _long_text().rstrip("\n"),                                # a whole last row without its line end (a
])                                                            # spreadsheet's save; stop 64's review)
def test_a_long_csv_that_only_looks_odd_at_its_end_is_fitted(tmp_path, capsys, content):
    rc, err = _timeline(tmp_path, content, capsys)
    assert rc == 0 and "cut short" not in err, err


def _european(sep: str) -> str:
    """:func:`_long_text` as a spreadsheet in a language whose decimal mark is a comma saves it: columns separated
    by ``sep``, the numbers with decimal commas (the version and photo names keep their points)."""
    rows = [line.split(",") for line in _long_text().splitlines()]
    for row in rows[1:]:
        for i in (2, 5, 7):  # hours_since_treatment, value, noise_floor
            row[i] = row[i].replace(".", ",")
    return "\n".join(sep.join(r) for r in rows) + "\n"


def _fitted(tmp_path, content, capsys):
    """``(rc, stderr, timeline.csv as a DataFrame or None)`` of `timeline` on ``content`` as long.csv."""
    import pandas as pd

    rc, err = _timeline(tmp_path, content, capsys)
    out = tmp_path / "out" / "timeline.csv"
    return rc, err, (pd.read_csv(out, dtype=str) if out.is_file() else None)


@pytest.mark.parametrize("content, said", [
    (_european(";"), "its columns separated by semicolons and its 17 decimal commas read as decimal points"),
    (_european("\t"), "its columns separated by tabs and its 17 decimal commas read as decimal points"),
    ("sep=;\n" + _european(";"), "its columns separated by semicolons and its 17 decimal commas read as decimal"),
    (_long_text().replace(",", ";"), "its columns separated by semicolons; if a name"),  # points kept: read as such
])
def test_a_long_csv_separated_by_semicolons_or_tabs_is_read_and_said(tmp_path, capsys, content, said):
    """Before (stop 64): refused ("its columns are separated by semicolons, not commas (...): save it as CSV UTF-8
    ...") though a manifest so saved was read; now read with the manifest reader's separator rule
    (discover.csv_separator), its decimal commas as points, the same fits as the comma table's, and said once on
    stderr."""
    rc, err, got = _fitted(tmp_path, content, capsys)
    assert rc == 0, err
    (line,) = [x for x in err.splitlines() if "is not the UTF-8, comma-separated CSV" in x]
    assert line.startswith("facemetrics timeline: ") and said in line, line
    assert line.endswith("if a name or a number reads wrong, save it as CSV UTF-8 (Comma delimited) with points as "
                         "decimal marks, or run `facemetrics batch` again"), line
    plain = tmp_path / "plain"
    plain.mkdir()
    rc, err, want = _fitted(plain, _long_text(), capsys)
    assert rc == 0 and "comma-separated" not in err, err
    assert got.drop(columns=[c for c in got.columns if "path" in c]).equals(
        want.drop(columns=[c for c in want.columns if "path" in c]))


def test_a_windows_1252_long_csv_is_read_and_said(tmp_path, capsys):
    """Before (stop 64): refused ("is not UTF-8 text (...): save it as CSV UTF-8") of Excel's plain "CSV (Comma
    delimited)" save; now read in Windows-1252 as a manifest is (discover._manifest_decoded), and said."""
    rc, err, got = _fitted(tmp_path, _european(";").replace("S;", "Zoé;").encode("cp1252"), capsys)
    assert rc == 0, err
    assert "read as Windows-1252 (Windows Excel's \"CSV (Comma delimited)\"), its columns separated by " \
           "semicolons and its 17 decimal commas" in err, err
    assert got is not None and len(got) == 1, got
    from facemetrics.batch.timeline import long_csv_reading

    text, _ = long_csv_reading(tmp_path / "long.csv")  # as batch writes it: UTF-8 text, commas, points
    assert text.startswith(_HEAD) and "\nZoé,rf,0.5,jawline_lift_mm,mean,1.2000,mm,0.1,,S/p0.jpg,0.2.41\n" in text


def test_a_long_csv_of_other_bytes_is_still_refused(tmp_path, capsys):
    """Bytes that are not text under a change table's header, and a UTF-16 save, stay refused in one line."""
    rc, err = _timeline(tmp_path, _long_text().encode("utf-16"), capsys)
    assert rc == 2 and "is UTF-16 text" in err and len(err.strip().splitlines()) == 1, err
    rc, err = _timeline(tmp_path, b"\x81\x00\xff" + _long_text().encode(), capsys)
    assert rc == 2 and "is not a CSV table (its bytes are not UTF-8 text)" in err, err


# ---------------------------------------------------------------- the app's word on a blank EXIF time


def _jpeg_with_exif_time(text: str) -> bytes:
    exif = Image.Exif()
    exif[0x8769] = {0x9003: text}
    buf = io.BytesIO()
    Image.new("RGB", (32, 24), (120, 90, 80)).save(buf, "JPEG", exif=exif.tobytes())
    return buf.getvalue()


@pytest.mark.parametrize("text, said", [
    ("0000:00:00 00:00:00", "(its EXIF capture time is blank (0000:00:00 00:00:00 or spaces: the camera's clock was "
                            "not set), none in its file name"),
    ("2026:02:30 25:61:00", "(its EXIF capture time '2026:02:30 25:61:00' is not a date, none in its file name"),
    (None, "(no EXIF time, none in its file name"),
])
def test_my_study_names_a_blank_exif_time_as_the_cli_does(text, said):
    data = _jpeg_with_exif_time(text) if text else _saved(Image.new("RGB", (32, 24)), "PNG")
    got = app_module()._no_own_time("IMG_0618.jpg", data, "2026-12-07 14:00")
    assert got.startswith("no capture time of its own " + said), got


def test_my_study_names_a_blank_exif_time_beside_a_utc_name():
    got = app_module()._no_own_time("PXL_20261102_061000123.jpg", _jpeg_with_exif_time("0000:00:00 00:00:00"), "now")
    assert got.startswith("its only capture time is in UTC (") and (
        "from its file name, and its EXIF capture time is blank (0000:00:00 00:00:00") in got, got


# ---------------------------------------------------------------- a subject name with control characters

_NOTE_END = "(each line break, tab or other control character is a space)"


@pytest.mark.parametrize("given, stored, holds", [
    ("Ann\nB", "Ann B", "a line break"),
    ("Ann\tB", "Ann B", "a tab"),
    ("Ann\x1b[31m", "Ann [31m", "a control character"),
    ("Ann\r\n\r\nB", "Ann B", "a line break"),
    ("Ann\u2028B", "Ann B", "a line break"),
])
def test_a_subject_name_with_control_characters_is_stored_on_one_line(tmp_path, given, stored, holds):
    """Before: a name typed or pasted with a line break was stored as typed, and broke every table and console line
    that showed it (`study list`, photos.csv).  Now each run of control characters is one space, said."""
    from facemetrics.batch import name_key
    from facemetrics.store import Store

    photo = ("before.jpg", _saved(Image.new("RGB", (64, 48), (120, 90, 80)), "JPEG"))
    with Store(tmp_path / "store") as store:
        res = store.add_photos(given, [photo], treatment="rf", treated_at="2026-11-02T09:00",
                               taken_at="2026-11-02T08:50", measure=False)
        assert store.con.execute("SELECT name FROM subjects").fetchall()[0][0] == stored
        assert res[0].note == f"subject name {given!r} holds {holds}: read as {stored!r} {_NOTE_END}", res[0].note
        assert store.subject_id(given) == store.subject_id(stored)
    assert name_key(given) == name_key(stored)


def test_a_pasted_names_final_line_break_is_dropped_without_a_word():
    from facemetrics.timekeys import control_note

    assert control_note("Ann\n") == "" and control_note("Zoë") == ""
    assert control_note("rf\tpen", "treatment") == f"treatment name 'rf\\tpen' holds a tab: read as 'rf pen' {_NOTE_END}"


def test_study_add_and_list_show_a_name_with_a_line_break_on_one_line(tmp_path, capsys):
    from facemetrics.cli import main

    photo = tmp_path / "before.jpg"
    photo.write_bytes(_saved(Image.new("RGB", (64, 48), (120, 90, 80)), "JPEG"))
    store = str(tmp_path / "store")
    assert main(["study", "add", str(photo), "--subject", "Ann\nB", "--treatment", "rf", "--treated-at",
                 "2026-11-02T09:00", "--taken-at", "2026-11-02T08:50", "--no-measure", "--store", store]) == 0
    out = capsys.readouterr().out
    assert f"subject name 'Ann\\nB' holds a line break: read as 'Ann B' {_NOTE_END}" in out, out
    assert main(["study", "list", "--store", store]) == 0
    out = capsys.readouterr().out
    assert any(line.startswith("Ann B: 1 photo(s)") for line in out.splitlines()), out


def test_a_device_and_a_deleted_name_with_a_line_break_are_shown_on_one_line(tmp_path, capsys):
    """Stop 64 (lead, after h3's audit): `--device` kept a line break as typed, and `study delete --subject
    $'Ann\\nB'` said "deleted 'Ann\\nB'" of the stored 'Ann B'."""
    from facemetrics.cli import main
    from facemetrics.store import Store

    photo = tmp_path / "before.jpg"
    photo.write_bytes(_saved(Image.new("RGB", (64, 48), (120, 90, 80)), "JPEG"))
    store = str(tmp_path / "store")
    assert main(["study", "add", str(photo), "--subject", "Ann\nB", "--treatment", "rf",
                 "--device", "NuFace\nTrinity", "--treated-at", "2026-11-02T09:00",
                 "--taken-at", "2026-11-02T08:50", "--no-measure", "--store", store]) == 0
    with Store(store) as s:
        assert s.con.execute("SELECT device FROM sessions").fetchall()[0][0] == "NuFace Trinity"
    capsys.readouterr()
    assert main(["study", "delete", "--subject", "Ann\nB", "--store", store]) == 0
    out = capsys.readouterr().out
    assert out.startswith("deleted 'Ann B': 1 photo(s)"), out
    assert main(["study", "add", str(photo), "--subject", "Anna", "--treatment", "rf", "--treated-at",
                 "2026-11-02T09:00", "--taken-at", "2026-11-02T08:50", "--no-measure", "--store", store]) == 0
    capsys.readouterr()
    assert main(["study", "delete", "--subject", " anna", "--store", store]) == 0
    assert capsys.readouterr().out.startswith("deleted 'Anna': 1 photo(s)")  # the stored spelling (review)


# ---------------------------------------------------------------- the study store's folder and database


def test_a_store_that_is_a_file_or_a_damaged_database_is_one_line(tmp_path, capsys):
    """Before: `study add --store FILE` ended with FileExistsError, a study.sqlite of other bytes with
    sqlite3.DatabaseError 'file is not a database' (every study command, and the app's My study)."""
    from facemetrics.cli import main
    from facemetrics.store import Store, StoreError

    photo = tmp_path / "before.jpg"
    photo.write_bytes(_saved(Image.new("RGB", (64, 48), (120, 90, 80)), "JPEG"))
    (tmp_path / "afile").write_text("x")
    (tmp_path / "damaged").mkdir()
    (tmp_path / "damaged" / "study.sqlite").write_bytes(bytes(range(256)) * 20)
    add = ["study", "add", str(photo), "--subject", "a", "--treatment", "rf", "--treated-at", "2026-11-02T09:00",
           "--taken-at", "2026-11-02T08:50", "--no-measure", "--store"]
    assert main([*add, str(tmp_path / "afile")]) == 2
    err = capsys.readouterr().err
    assert f"the study store {tmp_path / 'afile'} is a file, not a folder: give a folder" in err, err
    for cmd in (add, ["study", "list", "--store"], ["study", "delete", "--subject", "a", "--store"]):
        assert main([*cmd, str(tmp_path / "damaged")]) == 2
        err = capsys.readouterr().err
        assert len(err.strip().splitlines()) == 1 and (
            f"the study store's database {tmp_path / 'damaged' / 'study.sqlite'} cannot be read (file is not a "
            "database): it is damaged or is not a facemetrics store: move it away") in err, err
    with pytest.raises(StoreError, match="is a file, not a folder"):
        Store(tmp_path / "afile")
    for cmd in (["study", "list", "--store"], ["study", "delete", "--subject", "a", "--store"]):
        assert main([*cmd, str(tmp_path / "afile")]) == 2  # `study list` said "`study add` creates it" (stop 64)
        err = capsys.readouterr().err
        assert f"the study store {tmp_path / 'afile'} is a file, not a folder: give a folder" in err, err


def test_study_import_of_a_folder_without_photos_says_so(tmp_path, capsys):
    """Before: "0 photo(s) imported, 0 already there, 0 not imported" and exit status 0."""
    from facemetrics.cli import main

    (tmp_path / "study").mkdir()
    (tmp_path / "study" / "notes.txt").write_text("x")
    assert main(["study", "import", str(tmp_path / "study"), "--no-measure", "--store", str(tmp_path / "s")]) == 2
    err = capsys.readouterr().err
    assert f"facemetrics study import: no photos found in {tmp_path / 'study'} (a study folder holds" in err, err
    assert not (tmp_path / "s").exists()
    # a manifest that lists no photo (its header only): it was given, so the line does not ask for one (review)
    (tmp_path / "m.csv").write_text("photo,subject,treatment,taken_at,treated_at\n")
    assert main(["study", "import", str(tmp_path / "study"), "--no-measure", "--manifest", str(tmp_path / "m.csv"),
                 "--store", str(tmp_path / "s")]) == 2
    err = capsys.readouterr().err
    assert f"no photos found in {tmp_path / 'study'}: {tmp_path / 'm.csv'} lists none" in err, err
    assert "give --manifest" not in err


def test_a_stray_quote_inside_a_long_csv_is_no_cut(tmp_path, capsys):
    """Only a quoted value left open at the end is a cut; a hand-made table's `"x"y` is read as pandas reads it."""
    rc, err = _timeline(tmp_path, _long_text().replace("S/p3.jpg", '"S/p3"x.jpg'), capsys)
    assert rc == 0 and "cut short" not in err, err
