"""The third bad-input audit (2026-12-05, h6): what a fresh pass over every way in (analyze, compare,
batch, study add, the app's upload) found broken, each case built here at test time.

The stored copy of a photo (``study add``, the app's study upload: :func:`facemetrics.metadata.strip_metadata`)
must read back as the loader reads the original: same pixels, same way up, same opacity, and making it must
print no Pillow warning on the console.
"""

from __future__ import annotations

import io
import struct
import warnings

import numpy as np
from PIL import Image

from facemetrics.loader import load_photo
from facemetrics.metadata import strip_metadata, taken_at_of


def _pattern(w: int = 96, h: int = 64) -> np.ndarray:
    """An RGB picture, shape (h, w, 3), uint8, whose way up is visible (no symmetry)."""
    y, x = np.mgrid[0:h, 0:w]
    return np.stack([x * 255 // w, y * 255 // h, (x + 2 * y) % 256], axis=-1).astype(np.uint8)


def _jpeg(rgb: np.ndarray, **kw) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, "JPEG", quality=95, **kw)
    return buf.getvalue()


def _with_app1(jpeg: bytes, tiff: bytes) -> bytes:
    """``jpeg`` with an EXIF APP1 segment holding the TIFF structure ``tiff``, right after SOI."""
    payload = b"Exif\x00\x00" + tiff
    return jpeg[:2] + b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload + jpeg[2:]


def _orientation6_broken_exif_ifd() -> bytes:
    """A JPEG stored on its side with Orientation 6 (a phone's portrait) whose Exif sub-IFD pointer
    (0x8769) points past the end of its EXIF block: Pillow warns "Corrupt EXIF data" when it is read."""
    ifd0 = (struct.pack("<H", 2) + struct.pack("<HHIHH", 274, 3, 1, 6, 0)
            + struct.pack("<HHII", 0x8769, 4, 1, 0x7FFFFF00) + b"\x00\x00\x00\x00")
    tiff = b"II*\x00" + struct.pack("<I", 8) + ifd0
    return _with_app1(_jpeg(np.ascontiguousarray(np.rot90(_pattern()))), tiff)


def test_the_stored_copy_of_a_jpeg_with_a_broken_exif_ifd_keeps_its_orientation():
    """Before: the Exif sub-IFD's "Corrupt EXIF data" warning, an error under ``-W error`` (Python's own
    switch, or a test run that makes warnings errors), made the copy drop every EXIF tag, its Orientation
    too: the stored photo was sideways (96 x 64 where the loader reads the original 64 x 96)."""
    data = _orientation6_broken_exif_ifd()
    upright = load_photo(data)
    assert upright.rgb.shape == (64, 96, 3)  # the loader applies Orientation 6 to the original
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        copy, suffix = strip_metadata(data)
    assert suffix == ".jpg"
    np.testing.assert_array_equal(load_photo(copy).rgb, upright.rgb)


def test_making_a_stored_copy_prints_no_pillow_warning(monkeypatch):
    """Before: ``study add`` of a 90 MP JPEG (the loader takes it, decoded reduced) printed Pillow's
    ``DecompressionBombWarning`` twice, and a JPEG with a corrupt EXIF block "Corrupt EXIF data", on the
    console: the copy's EXIF and its capture time were read by a bare ``Image.open``.  Pillow's limit is
    lowered here so that a small JPEG stands for the 90 MP one (between the warning and the error)."""
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 96 * 64 - 100)
    exif = Image.Exif()
    exif[274] = 3
    exif.get_ifd(0x8769)[36867] = "2026:11:02 08:00:00"
    big = _jpeg(_pattern(), exif=exif.tobytes())
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        copy, _ = strip_metadata(big)
        when = taken_at_of(big)
        strip_metadata(_orientation6_broken_exif_ifd())
    assert [str(w.message) for w in seen] == []
    assert when == "2026-11-02T08:00:00"
    assert load_photo(copy).rgb.shape == load_photo(big).rgb.shape  # its orientation (3) kept too
    np.testing.assert_array_equal(load_photo(copy).rgb, load_photo(big).rgb)


def test_a_partly_transparent_webp_or_tiff_is_stored_with_its_opacity():
    """Before: a WebP or TIFF (or GIF, HEIC) with an alpha channel was stored as an opaque PNG composited
    on white: the same pixels, but the stored photo had no :attr:`Photo.alpha`, so its measurement lost the
    ``transparent`` warning or refusal ``analyze`` gives the original file."""
    rgba = np.dstack([_pattern(), np.full((64, 96), 128, np.uint8)])
    rgba[:16, :, 3] = 0
    for fmt, kw in (("WEBP", {"lossless": True}), ("TIFF", {})):
        buf = io.BytesIO()
        Image.fromarray(rgba, "RGBA").save(buf, fmt, **kw)
        original = load_photo(buf.getvalue())
        assert original.alpha is not None
        copy, suffix = strip_metadata(buf.getvalue())
        stored = load_photo(copy)
        assert suffix == ".png", fmt
        assert stored.alpha is not None, fmt
        np.testing.assert_array_equal(stored.alpha, original.alpha)
        np.testing.assert_array_equal(stored.rgb, original.rgb)


def test_a_12_bit_jpeg_is_named_as_unsupported_not_corrupt():
    """Before: a JPEG of 12-bit samples (its frame header's precision byte; medical and raw-converter output),
    which Pillow cannot open, was ``unreadable``, "truncated or corrupt JPEG header": a sound file called
    broken.  Now ``not_an_image`` naming its bit depth and what to do; a JPEG whose header is garbage is still
    corrupt.  (The frame header is that of an 8-bit JPEG with its precision byte set: Pillow refuses the
    header before any data is read, so the data need not be 12-bit.)"""
    import pytest

    from facemetrics.errors import PhotoError

    data = bytearray(_jpeg(_pattern()))
    sof = data.find(b"\xff\xc0")
    data[sof + 4] = 12
    with pytest.raises(PhotoError) as err:
        load_photo(bytes(data), name="x.jpg")
    assert err.value.status == "not_an_image" and "12-bit samples" in str(err.value), str(err.value)
    with pytest.raises(PhotoError) as bad:
        load_photo(b"\xff\xd8\xff\xe0" + b"\xff" * 40, name="bad.jpg")
    assert bad.value.status == "unreadable" and "corrupt JPEG" in str(bad.value), str(bad.value)


def test_a_path_too_long_for_the_file_system_is_a_row_or_one_line_never_a_traceback(tmp_path, capsys):
    """Before: a name over the file system's 255 bytes (ENAMETOOLONG) raised ``OSError`` out of
    ``Path.is_dir``/``exists`` (Python 3.11): a traceback from ``analyze`` (losing every other photo's row),
    ``compare -o``, ``batch``, ``timeline``, ``study add`` and ``study import``.  Now a photo given so gets
    its ``unreadable`` row, and a folder, output or store path so is one line and exit status 2."""
    import pandas as pd

    from facemetrics.cli import main

    long = str(tmp_path / ("N" * 300))
    (tmp_path / "empty.jpg").write_bytes(b"")
    table = tmp_path / "photos.csv"
    assert main(["analyze", long + ".jpg", str(tmp_path / "empty.jpg"), "-o", str(table)]) == 1  # none measured
    rows = pd.read_csv(table, keep_default_na=False).set_index("status")["error"]
    assert "File name too long" in rows["unreadable"] and "empty" in rows["empty"], rows
    for argv in (["batch", long, "-o", str(tmp_path / "out")], ["timeline", long],
                 ["analyze", str(tmp_path / "empty.jpg"), "-o", long + ".csv"],
                 ["study", "import", long, "--store", str(tmp_path / "store")],
                 ["study", "add", str(tmp_path / "empty.jpg"), "--subject", "A", "--store", long]):
        capsys.readouterr()
        assert main(argv) == 2, argv
        err = capsys.readouterr().err.strip()
        assert len(err.splitlines()) == 1 and "the name is too long for the file system" in err, (argv, err)
