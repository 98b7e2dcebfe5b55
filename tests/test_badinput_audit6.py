"""Stop 66's bad input, sixth look (docs/robustness.md "Stop 66: bad input, sixth look"): what stop 65's review (r3)
left, and a fresh hunt.  Each test failed on main at 5e71903 unless its docstring says it shows what stays."""

from __future__ import annotations

import json

import pytest

from test_badinput_audit4 import _european, _long_text, _timeline


# ---------------------------------------------------------------- a one-row long.csv of an earlier minor release

@pytest.mark.parametrize("version", ["0.2.41", "0.2.4", "0.1.7"])
def test_a_one_row_long_csv_of_an_earlier_minor_release_is_read_and_the_doubt_said(tmp_path, capsys, monkeypatch,
                                                                                     version):
    """Before: refused as "cut short" after a minor release (0.2.41 read by 0.3.2: the last patch of 0.2 is not
    known, so 0.2.410 could have begun with it).  Now read, and stderr says it could not tell."""
    from facemetrics import _version

    monkeypatch.setattr(_version, "__version__", "0.3.2")
    rc, err = _timeline(tmp_path, _long_text(1).rstrip("\n").replace("0.2.41", version), capsys)
    assert rc == 0 and "ends in the middle" not in err, err
    assert (f"long.csv's only row ends without a line end and was written by facemetrics {version}, an earlier "
            "release whose last version is not known here") in err, err


def test_the_folders_ledger_tells_a_one_row_tables_version_whole_or_cut(tmp_path, capsys, monkeypatch):
    """The ledger facemetrics keeps of the files it wrote names the version that wrote long.csv: a row whose version
    is its start is cut (refused, also in an earlier minor release), one that is it is whole (read, nothing said)."""
    from facemetrics import _version
    from facemetrics.ledger import LEDGER_NAME

    monkeypatch.setattr(_version, "__version__", "0.3.2")
    (tmp_path / LEDGER_NAME).write_text(json.dumps({"files": {"long.csv": {"facemetrics_version": "0.2.41"}}}))
    rc, err = _timeline(tmp_path, _long_text(1).rstrip("\n").replace("0.2.41", "0.2.4"), capsys)
    assert rc == 2 and "ends in the middle of its last row" in err, err
    rc, err = _timeline(tmp_path, _long_text(1).rstrip("\n"), capsys)
    assert rc == 0 and "long.csv" not in err, err


# ---------------------------------------------------------------- row numbers as a spreadsheet shows them

def test_the_thousands_note_counts_rows_below_excels_sep_line(tmp_path):
    """Before: "row 2's hours_since_treatment" for the cell on the spreadsheet's row 3 (the ``sep=;`` line is row
    1, the header row 2)."""
    from facemetrics.batch.timeline import long_csv_reading

    content = "sep=;\n" + _european(";").replace(";0,5;", ";1.234,5;", 1)
    (tmp_path / "long.csv").write_text(content, encoding="utf-8")
    _, note = long_csv_reading(tmp_path / "long.csv")
    assert "(row 3's hours_since_treatment 1.234,5 as 1234.5)" in note, note
    # a blank line below the sep= line (dropped with it) is a spreadsheet row too (review r3: row 3 was said)
    (tmp_path / "long.csv").write_text(content.replace("sep=;\n", "sep=;\n\n"), encoding="utf-8")
    _, note = long_csv_reading(tmp_path / "long.csv")
    assert "(row 4's hours_since_treatment 1.234,5 as 1234.5)" in note, note
    (tmp_path / "long.csv").write_text(content.split("\n", 1)[1], encoding="utf-8")
    _, note = long_csv_reading(tmp_path / "long.csv")
    assert "(row 2's hours_since_treatment 1.234,5 as 1234.5)" in note, note


@pytest.mark.parametrize("prefix, blank, row", [("", "", 5), ("sep=,\n", "", 6), ("", "\n", 6),
                                                ("sep=,\n\n", "", 7), ("\ufeffsep=,\r\n\r\n\r\n", "", 8),
                                                ("", "  \t\n", 6)])
def test_a_cell_that_is_no_number_is_named_by_its_spreadsheet_row(tmp_path, capsys, prefix, blank, row):
    """Before: "value: 1 of 8 cells are not numbers (the first, row 3: 'n/a')" for the cell on the spreadsheet's
    row 5 (the header row 1): the fits counted rows from 0 below the header (and skipped blank lines)."""
    lines = _long_text().splitlines(keepends=True)
    cells = lines[4].split(",")
    cells[5] = "n/a"  # value
    lines[4] = ",".join(cells)
    rc, err = _timeline(tmp_path, prefix + lines[0] + blank + "".join(lines[1:]), capsys)
    assert rc == 2 and f"value: 1 of 8 cells are not numbers (the first, row {row}: 'n/a')" in err, err


def test_the_library_names_a_row_by_its_index_label():
    """analyze_series on a table filtered in a notebook: the row is its label (`.loc[...]`), not its position
    (before: the position counted from 0, here 0 for the label 7)."""
    import io

    import pandas as pd

    import facemetrics as fm

    table = pd.read_csv(io.StringIO(_long_text()), dtype={"value": str})
    table.loc[7, "value"] = "n/a"
    with pytest.raises(fm.SeriesError, match=r"\(the first, row 7: 'n/a'\)"):
        fm.analyze_series(table.iloc[7:], n_boot=0)


# ---------------------------------------------------------------- a dark 16-bit photo: what the file holds

@pytest.mark.parametrize("colour", [False, True])
def test_a_dark_16_bit_photo_refused_no_face_says_what_the_file_holds(tmp_path, colour):
    """Before: "no face found (is the face visible, frontal and well lit?)" and no word of the file: a 16-bit PNG
    whose values reach 700 of 65535 (a program that saved a photo's values in another range) is read scaled from
    0-65535, nearly black."""
    import cv2
    import numpy as np

    import facemetrics as fm

    rgb = np.asarray(fm.load_photo("sample_images/astronaut_before.jpg").rgb)[::2, ::2]
    arr = (rgb.astype(np.float64) * 700 / 255).round().astype(np.uint16)
    arr = arr[..., ::-1] if colour else arr.mean(axis=2).round().astype(np.uint16)
    cv2.imwrite(str(tmp_path / "dark.png"), np.ascontiguousarray(arr))
    a = fm.analyze_photo(tmp_path / "dark.png")
    top = int(arr.max())
    assert a.status == "no_face", a.status
    assert (f"; the file is a 16-bit PNG whose values span {int(arr.min())}-{top} of 0-65535: read scaled from that "
            f"range (65535 is white), its brightest pixel reads {2 if colour else 3} of 255, so the picture is dark") in a.error, (
        a.error)  # colour: Pillow keeps each value's high byte (700 // 256), grey: scaled, rounded


def test_a_dark_partly_transparent_16_bit_photo_says_its_shown_pixels_range(tmp_path):
    """Review r3: a dark 16-bit PNG with a transparent band (shown on white) was said to read "its brightest pixel
    reads 255 of 255, so the picture is dark": the white of the transparent pixels, not the photo's."""
    import cv2
    import numpy as np

    import facemetrics as fm

    arr = np.zeros((200, 200, 4), np.uint16)
    arr[..., :3] = np.random.default_rng(0).integers(0, 700, (200, 200, 3))
    arr[..., 3] = 65535
    arr[:50, :, 3] = 0
    arr[:50, :, :3] = 30000  # what transparent pixels hold is not shown
    cv2.imwrite(str(tmp_path / "dark.png"), arr)
    a = fm.analyze_photo(tmp_path / "dark.png")
    assert a.status == "no_face", a.status
    assert "values span 0-699 of 0-65535" in a.error and "reads 2 of 255, so the picture is dark" in a.error, a.error


def test_a_bright_16_bit_photo_refused_no_face_says_nothing_of_its_range(tmp_path):
    """Shows what stays: a 16-bit file that uses the top half of its range is no dark reading; a blank one's
    refusal is as before."""
    import cv2
    import numpy as np

    import facemetrics as fm

    cv2.imwrite(str(tmp_path / "grey.png"), np.full((300, 300), 40000, np.uint16))
    a = fm.analyze_photo(tmp_path / "grey.png")
    assert a.status == "no_face" and "the file is" not in a.error, a.error


# ---------------------------------------------------------------- the loader's notes by their kind

def test_compare_picks_the_loaders_notes_by_their_kind_not_their_words():
    """Before: `compare` found the page and 8-bit notes by their words (" file holds ", " whose largest value is "),
    so a note reworded would vanish from its lines; a calibration warning with those words was picked too.  Each
    note survives a worker process (pickled)."""
    import pickle
    from types import SimpleNamespace

    from PIL import Image

    from facemetrics import loader
    from facemetrics.cli import _file_note_lines

    notes = [loader._frames_note(Image.new("RGB", (4, 4)), "TIFF", 2),
             loader._eight_bit_note(Image.new("I;16", (4, 4), 200), "PNG", 200)]
    notes = pickle.loads(pickle.dumps(notes))
    assert [n.kind for n in notes] == [loader.FileNote.FRAMES, loader.FileNote.EIGHT_BIT]
    reworded = loader.FileNote("two pages in the file; the first one was measured", loader.FileNote.FRAMES)
    lookalike = "a file holds more than one face whose largest value is unknown"  # not the loader's
    photo = SimpleNamespace(ok=True, warnings=(*notes, reworded, lookalike))
    lines = _file_note_lines(SimpleNamespace(before=None, after=photo))
    assert lines == [f"  ! after photo: {n}" for n in (*notes, reworded)], lines


# ---------------------------------------------------------------- a header promising a giant picture in a tiny file

def _png(width: int, height: int, rows: int = 0) -> bytes:
    """An 8-bit RGB PNG of ``width`` x ``height`` px whose IDAT holds ``rows`` black rows (0: 1000 zero bytes)."""
    import struct
    import zlib

    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    packer, row = zlib.compressobj(9), bytes(1 + 3 * width)
    idat = b"".join(packer.compress(row) for _ in range(rows)) if rows else packer.compress(bytes(1000))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat + packer.flush())
            + chunk(b"IEND", b""))


def test_a_png_whose_header_promises_more_than_its_bytes_can_hold_is_unreadable_not_too_large(tmp_path):
    """Before: a 1 KB PNG whose header says 100000 x 100000 px (a decompression bomb, or a damaged header) was
    `too_large` "... save a smaller copy of it, at most 7071x7071 pixels", a copy no program can make of it.  A
    PNG's pixels are deflated, about 1032 bytes to a byte at most, so 30 GB of pixels need some 27 MB (png_damage's
    check, which a PNG above the size limit never reached)."""
    import facemetrics as fm

    (tmp_path / "bomb.png").write_bytes(_png(100_000, 100_000))
    with pytest.raises(fm.PhotoError) as err:
        fm.load_photo(tmp_path / "bomb.png")
    assert err.value.status == "unreadable", err.value
    assert ("truncated or corrupt PNG data: the header says 100000x100000 pixels, which need at least 27,272,818 "
            "bytes of compressed data, but the file holds ") in str(err.value), err.value


def test_a_large_png_that_can_hold_its_pixels_is_still_too_large(tmp_path):
    """Shows what stays: a PNG whose bytes can hold its header's size (here 7200 x 7200 px, black, in about 150 KB:
    deflate's 1032 to 1 nearly reached) is `too_large` with the copy to save."""
    import facemetrics as fm

    data = _png(7200, 7200, rows=7200)
    assert len(data) * 1032 >= 7200 * (1 + 3 * 7200), len(data)
    (tmp_path / "big.png").write_bytes(data)
    with pytest.raises(fm.PhotoError) as err:
        fm.load_photo(tmp_path / "big.png")
    assert err.value.status == "too_large" and "save a smaller copy" in str(err.value), err.value


def test_a_jpeg_whose_header_promises_more_than_its_bytes_can_hold_is_unreadable_not_too_large():
    """Before: `too_large` with a copy to save, as the PNG above; a JPEG spends at least a bit per 8 x 8 block."""
    import io
    import struct

    from PIL import Image

    import facemetrics as fm

    out = io.BytesIO()
    Image.new("RGB", (64, 64)).save(out, "JPEG")
    data = bytearray(out.getvalue())
    struct.pack_into(">HH", data, data.find(b"\xff\xc0") + 5, 60000, 60000)  # SOF0's height, width
    with pytest.raises(fm.PhotoError) as err:
        fm.load_photo(bytes(data))
    assert err.value.status == "unreadable" and "the header says 60000x60000 pixels" in str(err.value), err.value


# ---------------------------------------------------------------- a Google Photos sidecar re-saved as UTF-16

@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-8-sig", "utf-32"])
def test_a_sidecar_saved_in_another_unicode_encoding_gives_its_time(encoding):
    """Before: a sidecar re-saved by an editor as UTF-16 ("Unicode" in Windows Notepad) gave no time: "it is not
    JSON text (a Google Photos sidecar is)".  JSON text is UTF-8, -16 or -32 (RFC 8259's older editions), told by
    its first bytes; a UTF-8 BOM was read already."""
    from facemetrics.sidecar import sidecar_text_time, sidecar_text_unread

    data = json.dumps({"title": "IMG_1.jpg", "photoTakenTime": {"timestamp": "1764662400"}}).encode(encoding)
    assert sidecar_text_time(data) == "2025-12-02T08:00:00Z" and sidecar_text_unread(data) == ""
