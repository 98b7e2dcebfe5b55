"""Tests for facemetrics.loader.

All inputs are generated here (synthetic patterns or ``skimage.data.astronaut``)
into ``tmp_path``; nothing is read from the repository's sample images.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import os
import struct
import warnings
import zlib
from datetime import datetime, timedelta, timezone

import cv2
import numpy as np
import pillow_heif
import pytest
from PIL import ExifTags, Image, ImageOps
from skimage import data as skdata

from conftest import fed_fifo
from facemetrics.errors import PhotoError
from facemetrics import loader
from facemetrics.loader import MAX_DECODED_PIXELS, MAX_PIXELS, Photo, load_photo

pillow_heif.register_heif_opener()

# Pillow transpose method for each EXIF orientation (EXIF 2.32 / exif_transpose).
ORIENT_METHOD = {
    1: None,
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}

# 12 distinct, well separated colours for a 3 x 4 block pattern.
_COLOURS = np.array(
    [
        [230, 25, 25], [25, 200, 25], [25, 25, 230], [240, 240, 30],
        [30, 230, 230], [230, 30, 230], [250, 250, 250], [10, 10, 10],
        [128, 64, 0], [0, 128, 128], [128, 128, 128], [255, 140, 200],
    ],
    dtype=np.uint8,
)


def block_pattern(height: int, width: int) -> np.ndarray:
    """(H, W, 3) uint8 image made of 3 x 4 uniquely coloured blocks.

    No flip or rotation maps it onto itself, so any orientation error shows.
    """
    rows = np.minimum(np.arange(height) * 3 // height, 2)
    cols = np.minimum(np.arange(width) * 4 // width, 3)
    idx = rows[:, None] * 4 + cols[None, :]
    return _COLOURS[idx]


def astronaut(step: int = 4) -> np.ndarray:
    return np.ascontiguousarray(skdata.astronaut()[::step, ::step])


def exif_bytes(orientation=None, original=None, offset=None, digitized=None, ifd0_datetime=None):
    exif = Image.Exif()
    if orientation is not None:
        exif[274] = orientation
    if ifd0_datetime is not None:
        exif[306] = ifd0_datetime
    if original is not None or digitized is not None or offset is not None:
        ifd = exif.get_ifd(ExifTags.IFD.Exif)
        if original is not None:
            ifd[36867] = original
        if offset is not None:
            ifd[36881] = offset
        if digitized is not None:
            ifd[36868] = digitized
    return exif.tobytes()


def from_mode(arr: np.ndarray, mode: str) -> Image.Image:
    """Pillow image of an explicit mode (``fromarray(mode=...)`` is deprecated)."""
    return Image.frombytes(mode, (arr.shape[1], arr.shape[0]), np.ascontiguousarray(arr).tobytes())


def save(path, arr_or_img, fmt, **kw):
    img = arr_or_img if isinstance(arr_or_img, Image.Image) else Image.fromarray(arr_or_img)
    img.save(path, format=fmt, **kw)
    return path


def expected_upright(arr: np.ndarray, orientation: int) -> np.ndarray:
    method = ORIENT_METHOD[orientation]
    img = Image.fromarray(arr)
    return np.asarray(img if method is None else img.transpose(method))


def mean_abs_diff(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.mean(np.abs(a.astype(np.int16) - b.astype(np.int16))))


def assert_rgb_contract(photo: Photo):
    assert isinstance(photo, Photo)
    assert photo.rgb.dtype == np.uint8
    assert photo.rgb.ndim == 3 and photo.rgb.shape[2] == 3
    assert photo.rgb.flags["C_CONTIGUOUS"]
    assert photo.rgb.flags["WRITEABLE"]  # same on the Pillow and OpenCV paths
    h, w = photo.rgb.shape[:2]
    ow, oh = photo.original_size
    assert (w, h) == (-(-ow // int(photo.scale)), -(-oh // int(photo.scale)))
    assert len(photo.sha256) == 64


# ---------------------------------------------------------------- formats


@pytest.mark.parametrize(
    "fmt, ext, kw, tol",
    [
        ("JPEG", "jpg", {"quality": 95}, 4.0),
        ("PNG", "png", {}, 0.0),
        ("WEBP", "webp", {"lossless": True}, 0.0),
        ("WEBP", "webp", {"quality": 90}, 6.0),
        ("TIFF", "tif", {}, 0.0),
        ("HEIF", "heic", {"quality": 90}, 6.0),
    ],
)
def test_formats_decode_to_rgb(tmp_path, fmt, ext, kw, tol):
    src = astronaut()
    path = save(tmp_path / f"a.{ext}", src, fmt, **kw)
    photo = load_photo(path)
    assert_rgb_contract(photo)
    assert photo.format == fmt
    assert photo.rgb.shape == src.shape
    assert photo.scale == 1.0
    assert photo.original_size == (src.shape[1], src.shape[0])
    assert photo.name == f"a.{ext}"
    assert photo.path == str(path.resolve())
    assert mean_abs_diff(photo.rgb, src) <= tol
    assert photo.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def test_grayscale_png_becomes_three_equal_channels(tmp_path):
    gray = astronaut()[..., 1]
    photo = load_photo(save(tmp_path / "g.png", gray, "PNG"))
    assert photo.rgb.shape == gray.shape + (3,)
    for c in range(3):
        np.testing.assert_array_equal(photo.rgb[..., c], gray)


def test_bilevel_png(tmp_path):
    arr = np.zeros((40, 40), dtype=bool)
    arr[:, 20:] = True
    photo = load_photo(save(tmp_path / "b.png", Image.fromarray(arr).convert("1"), "PNG"))
    assert set(np.unique(photo.rgb[:, :20])) == {0}
    assert set(np.unique(photo.rgb[:, 20:])) == {255}


def test_rgba_composited_on_white(tmp_path):
    rgba = np.zeros((40, 60, 4), dtype=np.uint8)
    rgba[..., :3] = (200, 100, 0)
    rgba[:, :20, 3] = 255  # opaque
    rgba[:, 20:40, 3] = 0  # transparent -> white
    rgba[:, 40:, 3] = 128  # half
    photo = load_photo(save(tmp_path / "a.png", from_mode(rgba, "RGBA"), "PNG"))
    assert np.all(photo.rgb[:, :20] == (200, 100, 0))
    assert np.all(photo.rgb[:, 20:40] == 255)
    # 200*128/255 + 255*127/255 = 227.4 ; 100 -> 177.2 ; 0 -> 127.0
    half = photo.rgb[:, 40:].reshape(-1, 3).astype(int)
    assert np.all(np.abs(half - (227, 177, 127)) <= 1)


def test_la_composited_on_white(tmp_path):
    la = np.zeros((40, 40, 2), dtype=np.uint8)
    la[..., 0] = 50
    la[:20, :, 1] = 255
    photo = load_photo(save(tmp_path / "la.png", from_mode(la, "LA"), "PNG"))
    assert np.all(photo.rgb[:20] == 50)
    assert np.all(photo.rgb[20:] == 255)


def test_palette_with_and_without_transparency(tmp_path):
    src = block_pattern(48, 64)
    pal = Image.fromarray(src).quantize(colors=16, method=Image.Quantize.MAXCOVERAGE)
    photo = load_photo(save(tmp_path / "p.png", pal, "PNG"))
    np.testing.assert_array_equal(photo.rgb, np.asarray(pal.convert("RGB")))

    idx = np.asarray(pal)[0, 0]  # colour index of the top-left block
    photo_t = load_photo(save(tmp_path / "pt.png", pal, "PNG", transparency=int(idx)))
    assert np.all(photo_t.rgb[:16, :16] == 255)  # transparent block -> white
    np.testing.assert_array_equal(photo_t.rgb[-16:, -16:], np.asarray(pal.convert("RGB"))[-16:, -16:])


def test_cmyk_jpeg(tmp_path):
    cmyk = np.zeros((40, 80, 4), dtype=np.uint8)
    cmyk[:, :40] = (0, 255, 255, 0)  # red
    cmyk[:, 40:] = (255, 0, 255, 0)  # green
    path = save(tmp_path / "c.jpg", from_mode(cmyk, "CMYK"), "JPEG", quality=95)
    assert Image.open(path).mode == "CMYK"
    photo = load_photo(path)
    assert photo.format == "JPEG"
    assert np.abs(photo.rgb[10:30, 5:35].mean(axis=(0, 1)) - (255, 0, 0)).max() < 6
    assert np.abs(photo.rgb[10:30, 45:75].mean(axis=(0, 1)) - (0, 255, 0)).max() < 6


def ycck_jpeg(rgb: np.ndarray, quality: int = 95) -> bytes:
    """A YCCK JPEG (4 components, Adobe APP14 transform 2) that decodes to ``rgb`` (H, W, 3) uint8, no black.

    Pillow writes no YCCK, so its CMYK writer stores Y, Cb, Cr (of ``rgb``) and K = 0 as the four components
    and the Adobe marker's transform byte is then set to 2: libjpeg reads the first three as YCbCr, converts
    them to R, G, B and gives C, M, Y = R, G, B in Adobe's inverted storage, which Pillow's Adobe
    ``CMYK;I`` read turns back into ``rgb``."""
    r, g, b = (rgb[..., i].astype(float) for i in range(3))
    y = 0.299 * r + 0.587 * g + 0.114 * b
    cb = -0.168736 * r - 0.331264 * g + 0.5 * b + 128
    cr = 0.5 * r - 0.418688 * g - 0.081312 * b + 128
    comps = np.clip(np.stack([y, cb, cr, np.zeros_like(y)], axis=-1).round(), 0, 255).astype(np.uint8)
    buf = io.BytesIO()
    from_mode(comps, "CMYK").save(buf, format="JPEG", quality=quality)
    raw = bytearray(buf.getvalue())
    at = raw.find(b"\xff\xee\x00\x0eAdobe")
    assert at > 0 and raw[at + 15] == 0  # Pillow's CMYK: Adobe transform 0
    raw[at + 15] = 2
    return bytes(raw)


@pytest.mark.parametrize("wide", [False, True])
def test_ycck_jpeg_reads_as_its_colours(tmp_path, wide):
    """An Adobe YCCK JPEG (print workflows, some scanners) reads as the picture it holds, not its raw
    components: 128 x 128 px, and 3000 px wide, which the large-JPEG fast path leaves to Pillow at full size
    (as it does a CMYK JPEG, test_large_cmyk_jpeg_uses_pillow_path)."""
    src = np.ascontiguousarray(np.tile(astronaut(1)[:200], (1, 6, 1))[:, :3000]) if wide else astronaut(4)
    path = tmp_path / "y.jpg"
    path.write_bytes(ycck_jpeg(src))
    with Image.open(path) as im:
        assert im.mode == "CMYK" and im.info.get("adobe_transform") == 2
    photo = load_photo(path)
    assert photo.format == "JPEG" and photo.scale == 1.0
    assert mean_abs_diff(photo.rgb, src) < 3.0
    assert mean_abs_diff(photo.rgb, 255 - src) > 60.0  # not Adobe's inverted storage


def test_truncated_ycck_jpeg_is_refused(tmp_path):
    raw = ycck_jpeg(astronaut(2))
    path = tmp_path / "cut.jpg"
    path.write_bytes(raw[: len(raw) * 2 // 3])
    with pytest.raises(PhotoError) as ei:
        load_photo(path)
    assert ei.value.status == "unreadable" and "truncated" in ei.value.reason


@pytest.mark.parametrize("fmt, ext", [("PNG", "png"), ("TIFF", "tif")])
def test_16bit_gray_is_scaled_not_clipped(tmp_path, fmt, ext):
    arr = np.zeros((40, 40), dtype=np.uint16)
    arr[:10] = 65535
    arr[10:20] = 32768
    arr[20:30] = 257 * 100
    img = Image.fromarray(arr)
    assert img.mode.startswith("I;16")
    photo = load_photo(save(tmp_path / f"g16.{ext}", img, fmt))
    assert np.all(photo.rgb[:10] == 255)
    assert np.all(photo.rgb[10:20] == 128)
    assert np.all(photo.rgb[20:30] == 100)
    assert np.all(photo.rgb[30:] == 0)


@pytest.mark.parametrize("ext", ["png", "tiff"])
def test_48bit_rgb_is_scaled(tmp_path, ext):
    rgb16 = np.zeros((40, 40, 3), dtype=np.uint16)
    rgb16[..., 0] = 65535
    rgb16[..., 1] = 32768
    rgb16[:20, :, 2] = 257 * 200
    ok, buf = cv2.imencode(f".{ext}", rgb16[..., ::-1])  # cv2 wants BGR
    assert ok
    path = tmp_path / f"c48.{ext}"
    path.write_bytes(buf.tobytes())
    photo = load_photo(path)
    assert np.all(photo.rgb[..., 0] == 255)
    assert np.all(photo.rgb[..., 1] == 128)
    assert np.all(photo.rgb[:20, :, 2] == 200)
    assert np.all(photo.rgb[20:, :, 2] == 0)


# ---------------------------------------------------------------- orientation


@pytest.mark.parametrize("orientation", range(1, 9))
def test_apply_orientation_matches_pillow(orientation):
    arr = np.random.default_rng(orientation).integers(0, 256, (5, 7, 3), dtype=np.uint8)
    got = loader._apply_orientation(arr, orientation)
    np.testing.assert_array_equal(got, expected_upright(arr, orientation))
    assert got.flags["C_CONTIGUOUS"]


@pytest.mark.parametrize("orientation", range(1, 9))
def test_orientation_small_jpeg(tmp_path, orientation):
    """Small JPEG: full-size OpenCV decode, orientation applied by the loader."""
    src = block_pattern(120, 200)
    path = save(tmp_path / "o.jpg", src, "JPEG", quality=95, exif=exif_bytes(orientation))
    photo = load_photo(path)
    expected = expected_upright(src, orientation)
    assert photo.scale == 1.0
    assert photo.rgb.shape == expected.shape
    assert photo.original_size == (expected.shape[1], expected.shape[0])
    assert mean_abs_diff(photo.rgb, expected) < 3.0
    # same pixels as Pillow's own decode + exif_transpose
    with Image.open(path) as im:
        np.testing.assert_array_equal(photo.rgb, np.asarray(ImageOps.exif_transpose(im).convert("RGB")))


@pytest.mark.parametrize("orientation", range(1, 9))
def test_orientation_png_pillow_path(tmp_path, orientation):
    src = block_pattern(60, 100)
    photo = load_photo(save(tmp_path / "o.png", src, "PNG", exif=exif_bytes(orientation)))
    np.testing.assert_array_equal(photo.rgb, expected_upright(src, orientation))
    assert photo.original_size == (photo.rgb.shape[1], photo.rgb.shape[0])


@pytest.mark.parametrize("orientation", [3, 6])
def test_orientation_cmyk_jpeg_pillow_path(tmp_path, orientation):
    rgb = block_pattern(60, 100)
    cmyk = Image.fromarray(rgb).convert("CMYK")
    photo = load_photo(save(tmp_path / "o.jpg", cmyk, "JPEG", quality=95, exif=exif_bytes(orientation)))
    assert mean_abs_diff(photo.rgb, expected_upright(rgb, orientation)) < 4.0


def test_full_jpeg_decode_matches_pillow(tmp_path):
    for i, kw in enumerate([{}, {"progressive": True}, {"subsampling": 0}]):
        path = save(tmp_path / f"m{i}.jpg", astronaut(2), "JPEG", quality=85, **kw)
        with Image.open(path) as im:
            np.testing.assert_array_equal(load_photo(path, fast=False).rgb, np.asarray(im.convert("RGB")))


@pytest.fixture(scope="module")
def large_pattern():
    return block_pattern(360, 3000)  # long side 3000 -> fast path


@pytest.mark.parametrize("fast", [True, False])
@pytest.mark.parametrize("orientation", range(1, 9))
def test_orientation_large_jpeg(tmp_path, large_pattern, orientation, fast):
    src = large_pattern
    path = save(tmp_path / "o.jpg", src, "JPEG", quality=90, exif=exif_bytes(orientation))
    photo = load_photo(path, fast=fast)
    expected = expected_upright(src, orientation)
    assert photo.original_size == (expected.shape[1], expected.shape[0])
    if fast:
        assert photo.scale == 2.0
        h, w = expected.shape[:2]
        assert photo.rgb.shape == (h // 2, w // 2, 3)
        expected = cv2.resize(expected, (w // 2, h // 2), interpolation=cv2.INTER_AREA)
    else:
        assert photo.scale == 1.0
        assert photo.rgb.shape == expected.shape
    assert_rgb_contract(photo)
    assert mean_abs_diff(photo.rgb, expected) < 3.0


def test_orientation_heif_applied_once(tmp_path):
    src = block_pattern(96, 160)
    path = save(tmp_path / "o.heic", src, "HEIF", quality=95, exif=exif_bytes(6))
    photo = load_photo(path)
    expected = expected_upright(src, 6)
    assert photo.rgb.shape == expected.shape
    assert photo.original_size == (96, 160)
    assert mean_abs_diff(photo.rgb, expected) < 4.0


# ---------------------------------------------------------------- capture time


def test_datetime_original_naive(tmp_path):
    path = save(tmp_path / "d.jpg", astronaut(8), "JPEG", exif=exif_bytes(original="2023:04:05 06:07:08"))
    assert load_photo(path).taken_at == datetime(2023, 4, 5, 6, 7, 8)
    assert load_photo(path).taken_at.tzinfo is None


@pytest.mark.parametrize(
    "offset, delta",
    [("+02:00", timedelta(hours=2)), ("-05:30", -timedelta(hours=5, minutes=30))],
)
def test_datetime_original_with_offset_is_tz_aware(tmp_path, offset, delta):
    path = save(
        tmp_path / "d.jpg",
        astronaut(8),
        "JPEG",
        exif=exif_bytes(original="2023:04:05 06:07:08", offset=offset),
    )
    taken = load_photo(path).taken_at
    assert taken.utcoffset() == delta
    assert taken == datetime(2023, 4, 5, 6, 7, 8, tzinfo=timezone(delta))


def test_datetime_digitized_fallback_and_original_preferred(tmp_path):
    p1 = save(tmp_path / "d1.jpg", astronaut(8), "JPEG", exif=exif_bytes(digitized="2020:01:02 03:04:05"))
    assert load_photo(p1).taken_at == datetime(2020, 1, 2, 3, 4, 5)
    p2 = save(
        tmp_path / "d2.jpg",
        astronaut(8),
        "JPEG",
        exif=exif_bytes(original="2019:01:01 00:00:01", digitized="2020:01:02 03:04:05"),
    )
    assert load_photo(p2).taken_at == datetime(2019, 1, 1, 0, 0, 1)


def test_ifd0_datetime_is_not_a_capture_time(tmp_path):
    path = save(tmp_path / "d.jpg", astronaut(8), "JPEG", exif=exif_bytes(ifd0_datetime="2022:02:02 02:02:02"))
    assert load_photo(path).taken_at is None


@pytest.mark.parametrize("bad", ["0000:00:00 00:00:00", "    :  :     :  :  ", "yesterday", "2021:13:40 25:61:00"])
def test_malformed_dates_are_none(tmp_path, bad):
    path = save(tmp_path / "d.jpg", astronaut(8), "JPEG", exif=exif_bytes(original=bad, offset="+01:00"))
    assert load_photo(path).taken_at is None


def test_no_exif_is_none_even_with_mtime(tmp_path):
    path = save(tmp_path / "n.jpg", astronaut(8), "JPEG")
    os.utime(path, (1_600_000_000, 1_600_000_000))
    assert load_photo(path).taken_at is None


def test_heif_capture_time(tmp_path):
    path = save(
        tmp_path / "d.heic",
        astronaut(8),
        "HEIF",
        exif=exif_bytes(original="2024:12:31 23:59:58", offset="+09:00"),
    )
    assert load_photo(path).taken_at == datetime(2024, 12, 31, 23, 59, 58, tzinfo=timezone(timedelta(hours=9)))


def test_fast_path_capture_time(tmp_path, large_pattern):
    path = save(
        tmp_path / "d.jpg",
        large_pattern,
        "JPEG",
        exif=exif_bytes(orientation=6, original="2021:06:07 08:09:10"),
    )
    photo = load_photo(path)
    assert photo.scale == 2.0
    assert photo.taken_at == datetime(2021, 6, 7, 8, 9, 10)


# ---------------------------------------------------------------- errors


def _jpeg_bytes(arr, **kw):
    buf = io.BytesIO()
    Image.fromarray(arr).save(buf, format="JPEG", **kw)
    return buf.getvalue()


@pytest.mark.parametrize("large", [False, True])
def test_truncated_jpeg(tmp_path, large_pattern, large):
    raw = _jpeg_bytes(large_pattern if large else astronaut(2), quality=90)
    path = tmp_path / "cut.jpg"
    path.write_bytes(raw[: len(raw) // 2])
    with pytest.raises(PhotoError) as ei:
        load_photo(path)
    assert ei.value.status == "unreadable"
    assert "truncated" in ei.value.reason
    assert "cut.jpg" in str(ei.value)


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP", "TIFF", "HEIF"])
@pytest.mark.parametrize("keep", [12, 40, 0.5])
def test_truncated_any_format_is_unreadable_not_not_an_image(fmt, keep):
    buf = io.BytesIO()
    Image.fromarray(astronaut(4)).save(buf, format=fmt)
    raw = buf.getvalue()
    cut = raw[: int(len(raw) * keep) if isinstance(keep, float) else keep]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(PhotoError) as ei:
            load_photo(cut, name="cut.x")
    assert [str(w.message) for w in caught] == []  # no Pillow warning leaks
    assert ei.value.status == "unreadable"
    assert "truncated" in ei.value.reason
    assert "\n" not in str(ei.value) and str(ei.value).startswith("cut.x: ")


def test_truncated_png(tmp_path):
    buf = io.BytesIO()
    Image.fromarray(astronaut(2)).save(buf, format="PNG")
    path = tmp_path / "cut.png"
    path.write_bytes(buf.getvalue()[: len(buf.getvalue()) // 2])
    with pytest.raises(PhotoError) as ei:
        load_photo(path)
    assert ei.value.status == "unreadable"
    assert "truncated" in ei.value.reason


def test_jpeg_with_trailing_bytes_after_eoi_is_fine(tmp_path, large_pattern):
    path = tmp_path / "trail.jpg"
    path.write_bytes(_jpeg_bytes(large_pattern) + b"\x00" * 100 + b"vendor trailer")
    assert load_photo(path).scale == 2.0


def test_empty_file(tmp_path):
    path = tmp_path / "empty.jpg"
    path.write_bytes(b"")
    with pytest.raises(PhotoError) as ei:
        load_photo(path)
    assert ei.value.status == "empty"
    assert "empty.jpg" in str(ei.value)


def test_text_file_named_jpg(tmp_path):
    path = tmp_path / "notes.jpg"
    path.write_text("this is not a photo\n" * 20)
    with pytest.raises(PhotoError) as ei:
        load_photo(path)
    assert ei.value.status == "not_an_image"
    assert "notes.jpg" in str(ei.value)
    # the message names every format the loader reads (it named five of nine: audit, 2026-12-02)
    from facemetrics.schema import PHOTO_FORMATS

    for fmt in PHOTO_FORMATS:
        assert fmt.lower() in str(ei.value).lower(), (fmt, str(ei.value))


@pytest.mark.parametrize("name, head, kind", [
    ("IMG_0001.MOV", b"\x00\x00\x00\x14ftypqt  \x00\x00\x00\x00qt  ", "MP4/QuickTime"),
    ("clip.mp4", b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom", "MP4/QuickTime"),
    ("clip.3gp", b"\x00\x00\x00\x18ftyp3gp4\x00\x00\x00\x00isom3gp4", "MP4/QuickTime"),
    ("clip.avi", b"RIFF\x00\x01\x00\x00AVI LIST", "AVI"),
    ("clip.webm", b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01", "Matroska/WebM"),
])
def test_a_video_is_named_a_video_with_what_to_do(tmp_path, name, head, kind):
    """A first-time user's session (2026-12-05): an iPhone Live Photo's .MOV given to `compare` read
    "not a supported image (expected JPEG, ...)", which does not say that a video is never read or
    what to do.  It is now named a video, with the remedy; the status stays ``not_an_image``."""
    path = tmp_path / name
    path.write_bytes(head + b"\x00" * 200)
    with pytest.raises(PhotoError) as ei:
        load_photo(path)
    assert ei.value.status == "not_an_image"
    assert str(ei.value) == (f"{name}: a video ({kind}), not a photo: save a still frame of it as a photo "
                             "(JPEG or PNG) to measure it"), str(ei.value)


def test_an_iso_media_image_the_loader_cannot_read_is_not_called_a_video(tmp_path):
    """A Canon CR3 raw (brand ``crx``) and a JPEG XL in its ISO box (``jxl``) share the MP4 container:
    they are no video, and keep the message naming the formats read."""
    for brand in (b"crx ", b"jxl "):
        path = tmp_path / f"x_{brand[:3].decode()}.img"
        path.write_bytes(b"\x00\x00\x00\x18ftyp" + brand + b"\x00\x00\x00\x00" + brand + b"\x00" * 200)
        with pytest.raises(PhotoError) as ei:
            load_photo(path)
        assert ei.value.status == "not_an_image" and "video" not in str(ei.value), str(ei.value)
        assert "not a supported image (expected JPEG" in str(ei.value)


def test_eps_is_refused_without_running_ghostscript(tmp_path):
    path = tmp_path / "x.eps"
    path.write_bytes(b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 100 100\nshowpage\n")
    with pytest.raises(PhotoError) as ei:
        load_photo(path)
    assert ei.value.status == "not_an_image"


def test_missing_file(tmp_path):
    with pytest.raises(PhotoError) as ei:
        load_photo(tmp_path / "nope.jpg")
    assert ei.value.status == "unreadable"
    assert ei.value.reason == "file not found"
    assert "nope.jpg" in str(ei.value)


def test_directory_is_unreadable(tmp_path):
    with pytest.raises(PhotoError) as ei:
        load_photo(tmp_path)
    assert ei.value.status == "unreadable"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_fifo_or_a_device_is_refused_without_being_opened(tmp_path):
    """An audit (2026-12): ``analyze x.jpg`` on a FIFO blocked forever in open(); a device such as
    /dev/zero would never end. Only regular files are opened (os.stat first, symlinks followed)."""
    fifo = tmp_path / "x.jpg"
    release = fed_fifo(fifo)
    (tmp_path / "link.jpg").symlink_to(fifo)
    try:
        for path, needle in ((fifo, "not a regular file (a named pipe (FIFO))"),
                             (tmp_path / "link.jpg", "a named pipe (FIFO), through a symbolic link")):
            with pytest.raises(PhotoError) as ei:
                load_photo(path)
            assert ei.value.status == "unreadable" and needle in str(ei.value), str(ei.value)
            assert str(ei.value).startswith(path.name + ": ")
    finally:
        release()
    if os.path.exists("/dev/null"):  # a device: refused by its kind, not read (0 bytes here, endless for /dev/zero)
        with pytest.raises(PhotoError) as ei:
            load_photo("/dev/null")
        assert ei.value.status == "unreadable" and "not a regular file (a character device)" in str(ei.value)
    if os.path.exists("/proc/self/status"):  # a /proc file is a regular file: read, and refused as no image
        with pytest.raises(PhotoError) as ei:
            load_photo("/proc/self/status")
        assert ei.value.status == "not_an_image"
    assert loader.read_taken_at(fifo) is None  # the header-time reader never opens it either


def test_read_taken_at_reads_the_exif_time_of_a_truncated_jpeg(tmp_path):
    """The batch names a session's unreadable baseline photo by the time in its header."""
    exif = Image.Exif()
    exif.get_ifd(ExifTags.IFD.Exif)[36867] = "2026:11:02 07:30:00"
    buf = io.BytesIO()
    Image.fromarray(astronaut(2)).save(buf, "JPEG", exif=exif, quality=90)
    path = tmp_path / "cut.jpg"
    path.write_bytes(buf.getvalue()[: len(buf.getvalue()) // 2])
    with pytest.raises(PhotoError):
        load_photo(path)
    assert loader.read_taken_at(path) == datetime(2026, 11, 2, 7, 30)
    assert loader.read_taken_at(tmp_path / "missing.jpg") is None


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG whose IHDR claims width x height but which holds no pixel data."""

    def chunk(kind: bytes, payload: bytes) -> bytes:
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00")) + chunk(b"IEND", b"")


def _png_with_room(width: int, height: int) -> bytes:
    """:func:`_png_header_only` whose IDAT is as long as deflated pixels of that size can be (zero bytes, never
    decoded): a file that can hold its header's size, so the refusal is its size's.  A header-only one is
    ``unreadable`` since stop 66 (k3: the file cannot hold its pixels, and a smaller copy of it cannot be made)."""
    def chunk(kind: bytes, payload: bytes) -> bytes:
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = bytes(height * (1 + 3 * width) // 1000)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


@pytest.mark.parametrize("size", [(12_000, 9_000), (20_000, 20_000)])
def test_too_large_from_header_before_decoding(tmp_path, size):
    w, h = size
    assert w * h > MAX_PIXELS
    path = tmp_path / "huge.png"
    path.write_bytes(_png_with_room(w, h))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(PhotoError) as ei:
            load_photo(path)
    assert ei.value.status == "too_large"  # not "unreadable": no pixel was decoded
    assert "huge.png" in str(ei.value)
    assert not [w for w in caught if issubclass(w.category, Image.DecompressionBombWarning)]
    # the house format, also above Pillow's decompression-bomb limit (its raw "DOS attack" text before)
    assert f"image is too large: {w}x{h} = {w * h:,} pixels (limit {MAX_PIXELS:,} pixels" in str(ei.value), str(ei.value)
    assert "DOS" not in str(ei.value)


@pytest.mark.parametrize("size", [(12_000, 9_000), (20_000, 20_000)])
def test_a_refused_png_says_why_its_copy_must_be_50_mp_under_a_100_mp_limit(tmp_path, size):
    """Stop 46: the 20000 x 20000 PNG's refusal named the 100 MP limit and asked for a 50 MP copy, with no
    reason.  A PNG is decoded whole, and MAX_DECODED_PIXELS (50 MP, the memory bound) is what is decoded: the
    limit says both, and the copy's size follows (the largest of the photo's shape within 50 MP)."""
    w, h = size
    path = tmp_path / "huge.png"
    path.write_bytes(_png_with_room(w, h))
    with pytest.raises(PhotoError) as ei:
        load_photo(path)
    text = str(ei.value)
    assert MAX_DECODED_PIXELS == 50_000_000 and MAX_PIXELS == 100_000_000
    assert (f"{w}x{h} = {w * h:,} pixels (limit 100,000,000 pixels; 50,000,000 for this PNG file, which is decoded "
            "whole); save a smaller copy of it, at most ") in text, text
    cw, ch = {(12_000, 9_000): (8164, 6123), (20_000, 20_000): (7071, 7071)}[size]
    assert f"at most {cw}x{ch} pixels (50 MP, e.g. with an image editor's resize), and use that" in text, text
    assert cw * ch <= MAX_DECODED_PIXELS < (cw + 1) * (ch + 1)


def test_above_pillows_bomb_limit_without_max_pixels_says_that_limit(tmp_path):
    path = tmp_path / "bomb.png"
    path.write_bytes(_png_with_room(30_000, 30_000))
    with pytest.raises(PhotoError) as ei:
        load_photo(path, max_pixels=None)
    limit = 2 * Image.MAX_IMAGE_PIXELS
    assert ei.value.status == "too_large"
    assert str(ei.value).startswith(f"bomb.png: image is too large: 30000x30000 = 900,000,000 pixels (limit "
                                    f"{limit:,} pixels, Pillow's decompression-bomb limit; 50,000,000 for this PNG "
                                    "file, which is decoded whole); save a smaller copy of it, at most 7071x7071 "
                                    "pixels (50 MP"), str(ei.value)


def test_max_pixels_argument_and_monkeypatched_limit(tmp_path, monkeypatch):
    path = save(tmp_path / "a.png", astronaut(4), "PNG")  # 128 x 128
    with pytest.raises(PhotoError) as ei:
        load_photo(path, max_pixels=128 * 128 - 1)
    assert ei.value.status == "too_large"
    assert load_photo(path, max_pixels=128 * 128).rgb.shape == (128, 128, 3)
    assert load_photo(path, max_pixels=None).rgb.shape == (128, 128, 3)


def test_too_small(tmp_path):
    path = save(tmp_path / "tiny.png", block_pattern(31, 200), "PNG")
    with pytest.raises(PhotoError) as ei:
        load_photo(path)
    assert ei.value.status == "too_small"
    assert load_photo(save(tmp_path / "ok.png", block_pattern(32, 32), "PNG")).rgb.shape == (32, 32, 3)


# ---------------------------------------------------------------- inputs


def test_bytes_and_file_like_inputs(tmp_path):
    src = astronaut(4)
    path = save(tmp_path / "in.jpg", src, "JPEG", quality=95)
    raw = path.read_bytes()
    ref = load_photo(path)

    from_bytes = load_photo(raw)
    assert from_bytes.name == "<bytes>" and from_bytes.path is None
    assert load_photo(raw, name="given.jpg").name == "given.jpg"

    class Uploaded(io.BytesIO):  # like Streamlit's UploadedFile
        name = "upload/selfie.jpg"

    up = Uploaded(raw)
    up.read(10)  # a consumer already read from it
    from_upload = load_photo(up)
    assert from_upload.name == "selfie.jpg" and from_upload.path is None

    with open(path, "rb") as fh:
        fh.read(5)
        from_fh = load_photo(fh)
        assert fh.tell() == 5  # position restored
    assert from_fh.name == "in.jpg"

    for p in (from_bytes, from_upload, from_fh):
        assert p.sha256 == ref.sha256 == hashlib.sha256(raw).hexdigest()
        np.testing.assert_array_equal(p.rgb, ref.rgb)
        assert p.format == "JPEG"


def test_str_and_path_inputs(tmp_path, monkeypatch):
    save(tmp_path / "rel.png", astronaut(4), "PNG")
    monkeypatch.chdir(tmp_path)
    photo = load_photo("rel.png")
    assert photo.path == os.path.join(str(tmp_path), "rel.png")
    assert os.path.isabs(photo.path)
    assert load_photo(tmp_path / "rel.png").sha256 == photo.sha256


def test_bad_source_type():
    with pytest.raises(TypeError):
        load_photo(12345)


def test_input_file_unchanged(tmp_path, large_pattern):
    path = save(tmp_path / "keep.jpg", large_pattern, "JPEG", exif=exif_bytes(orientation=3))
    os.utime(path, ns=(1_500_000_000_000_000_000, 1_500_000_000_000_000_000))
    before = (path.read_bytes(), os.stat(path).st_mtime_ns)
    load_photo(path)
    load_photo(path, fast=False)
    assert (path.read_bytes(), os.stat(path).st_mtime_ns) == before


def test_photo_is_frozen(tmp_path):
    photo = load_photo(save(tmp_path / "a.png", astronaut(4), "PNG"))
    with pytest.raises(dataclasses.FrozenInstanceError):
        photo.scale = 3.0


# ---------------------------------------------------------------- fast path


def test_fast_path_close_to_downsampled_full_decode(tmp_path):
    big = cv2.resize(skdata.astronaut(), (3000, 3000), interpolation=cv2.INTER_CUBIC)
    path = save(tmp_path / "big.jpg", big, "JPEG", quality=92)
    fast = load_photo(path)
    full = load_photo(path, fast=False)
    assert fast.scale == 2.0 and full.scale == 1.0
    assert fast.original_size == full.original_size == (3000, 3000)
    assert fast.rgb.shape == (1500, 1500, 3) and full.rgb.shape == (3000, 3000, 3)
    assert fast.sha256 == full.sha256
    assert_rgb_contract(fast)
    down = cv2.resize(full.rgb, (1500, 1500), interpolation=cv2.INTER_AREA)
    assert mean_abs_diff(fast.rgb, down) < 2.0


def test_fast_path_threshold_and_format(tmp_path):
    small = save(tmp_path / "s.jpg", block_pattern(64, 2999), "JPEG")
    assert load_photo(small).scale == 1.0
    edge = save(tmp_path / "e.jpg", block_pattern(64, 3000), "JPEG")
    p = load_photo(edge)
    assert p.scale == 2.0 and p.rgb.shape == (32, 1500, 3)
    odd = load_photo(save(tmp_path / "odd.jpg", block_pattern(65, 3001), "JPEG"))
    assert odd.scale == 2.0 and odd.original_size == (3001, 65)
    assert odd.rgb.shape == (33, 1501, 3)  # libjpeg rounds reduced sizes up
    png = save(tmp_path / "big.png", block_pattern(64, 3000), "PNG")
    assert load_photo(png).scale == 1.0  # fast path is JPEG only
    gray = save(tmp_path / "g.jpg", block_pattern(64, 3000)[..., 0], "JPEG")
    pg = load_photo(gray)
    assert pg.scale == 2.0 and pg.rgb.shape == (32, 1500, 3)
    assert np.array_equal(pg.rgb[..., 0], pg.rgb[..., 2])


def test_large_cmyk_jpeg_uses_pillow_path(tmp_path):
    cmyk = np.zeros((64, 3000, 4), dtype=np.uint8)
    cmyk[...] = (0, 255, 255, 0)
    path = save(tmp_path / "c.jpg", from_mode(cmyk, "CMYK"), "JPEG")
    photo = load_photo(path)
    assert photo.scale == 1.0
    assert np.abs(photo.rgb.mean(axis=(0, 1)) - (255, 0, 0)).max() < 6


@pytest.mark.parametrize("width", [200, 3000])
def test_mpo_multi_picture_jpeg(tmp_path, width):
    """Phone JPEGs with an MPF index (Pillow: "MPO") load as JPEG, first picture."""
    first = block_pattern(64, width)
    second = 255 - first
    path = tmp_path / "mpo.jpg"
    Image.fromarray(first).save(path, format="MPO", save_all=True, append_images=[Image.fromarray(second)])
    with Image.open(path) as im:
        assert im.format == "MPO" and im.n_frames == 2
    photo = load_photo(path)
    assert photo.format == "JPEG"
    expected = first if width < 3000 else cv2.resize(first, (width // 2, 32), interpolation=cv2.INTER_AREA)
    assert mean_abs_diff(photo.rgb, expected) < 8.0  # quality-75 ringing at block edges
    assert mean_abs_diff(photo.rgb, 255 - expected) > 100.0  # not the second picture


# ---------------------------------------------------------------- hardening (issue 9)

SAMPLE_JPEG = os.path.join(os.path.dirname(__file__), "..", "sample_images", "astronaut_before.jpg")


def _sample_bytes() -> bytes:
    with open(SAMPLE_JPEG, "rb") as fh:
        return fh.read()


@pytest.mark.parametrize("damage", ["zero_4k", "delete_20k"])
@pytest.mark.parametrize("fast", [True, False])
def test_corrupt_jpeg_data_is_unreadable_not_measured(damage, fast):
    """The issue's two files: 4 KB zeroed, 20 KB deleted in the middle of a real photo. libjpeg
    only warns about them (the old loader measured them as ok); the strict decode refuses them,
    on the full and on the DCT-reduced decode alike."""
    raw = _sample_bytes()
    mid = len(raw) // 2
    bad = raw[:mid] + bytes(4096) + raw[mid + 4096:] if damage == "zero_4k" else raw[:mid] + raw[mid + 20_000:]
    with pytest.raises(PhotoError) as ei:
        load_photo(bad, name="bad.jpg", fast=fast)
    assert ei.value.status == "unreadable"
    assert "corrupt JPEG data" in ei.value.reason, ei.value.reason
    from facemetrics import analyze_photo

    res = analyze_photo(bad, name="bad.jpg")
    assert res.status == "unreadable" and "corrupt JPEG data" in res.error


def test_corrupt_large_jpeg_is_refused_on_the_reduced_decode():
    raw = _jpeg_bytes(astronaut(1)[:, :].repeat(6, axis=1)[:, :3000], quality=90)  # 512 x 3000: reduced
    assert load_photo(raw).scale == 2.0
    mid = len(raw) // 2
    with pytest.raises(PhotoError) as ei:
        load_photo(raw[:mid] + raw[mid + 5000:])
    assert ei.value.status == "unreadable" and "corrupt JPEG data" in ei.value.reason


def test_corrupt_cmyk_jpeg_is_unreadable():
    cmyk = np.stack([astronaut(2)[..., 0], astronaut(2)[..., 1], astronaut(2)[..., 2],
                     np.zeros((256, 256), np.uint8)], -1)
    buf = io.BytesIO()
    from_mode(cmyk, "CMYK").save(buf, "JPEG", quality=90)
    raw = buf.getvalue()
    assert load_photo(raw).format == "JPEG"
    mid = len(raw) // 2
    with pytest.raises(PhotoError) as ei:
        load_photo(raw[:mid] + raw[mid + 2000:])
    assert ei.value.status == "unreadable" and "corrupt JPEG data" in ei.value.reason


def test_png_crc_mismatch_in_image_data_is_unreadable():
    """A changed byte near the end of the deflate data: Pillow decodes it to wrong pixels
    without complaint (it skips IDAT CRCs and stops inflating once it has every row); the
    chunk CRC check refuses it."""
    buf = io.BytesIO()
    Image.fromarray(astronaut(4)).save(buf, "PNG", compress_level=6)
    raw = bytearray(buf.getvalue())
    start = raw.index(b"IDAT")
    end = start + 4 + int.from_bytes(raw[start - 4:start], "big")
    raw[end - 8] ^= 0x40
    with Image.open(io.BytesIO(bytes(raw))) as im:  # Pillow alone: wrong pixels, no error
        assert (np.asarray(im.convert("RGB")) != astronaut(4)).any()
    with pytest.raises(PhotoError) as ei:
        load_photo(bytes(raw), name="flip.png")
    assert ei.value.status == "unreadable" and "CRC mismatch in the IDAT chunk" in ei.value.reason


def _jpeg_with_size(width: int, height: int) -> bytes:
    """A 64 x 64 JPEG whose SOF0 header is patched to claim width x height."""
    raw = bytearray(_jpeg_bytes(astronaut(8)[:64, :64], quality=90))
    i = raw.index(b"\xff\xc0")
    raw[i + 5:i + 9] = struct.pack(">HH", height, width)
    return bytes(raw)


def test_header_only_giant_jpeg_is_unreadable_before_decoding():
    with pytest.raises(PhotoError) as ei:
        load_photo(_jpeg_with_size(9000, 9000), name="giant.jpg")
    assert ei.value.status == "unreadable"
    assert "header says 9000x9000" in ei.value.reason


def _flat_png(width: int, height: int) -> bytes:
    """A real, valid flat-grey PNG, compressed row by row (no full-size buffer is made)."""
    def chunk(kind: bytes, payload: bytes) -> bytes:
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))

    comp = zlib.compressobj(9)
    row = b"\x00" + b"\x80" * (3 * width)
    data = b"".join(comp.compress(row) for _ in range(height)) + comp.flush()
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", data) + chunk(b"IEND", b"")


def test_flat_10000_png_is_refused_by_the_decoded_pixel_cap():
    raw = _flat_png(10_000, 10_000)
    assert len(raw) < 400_000  # ~300 KB of file for 300 MB of pixels
    with pytest.raises(PhotoError) as ei:
        load_photo(raw, name="flat.png")
    assert ei.value.status == "too_large" and f"{loader.MAX_DECODED_PIXELS:,}" in ei.value.reason


def test_png_header_larger_than_its_data_is_unreadable():
    ok = _flat_png(400, 300)
    assert load_photo(ok).rgb.shape == (300, 400, 3)
    with pytest.raises(PhotoError) as ei:
        load_photo(_png_header_only(5000, 5000), name="fake.png")
    assert ei.value.status == "unreadable" and "header says 5000x5000" in ei.value.reason


def _float_tiff_header_only(width: int, height: int) -> bytes:
    """A little-endian TIFF claiming a width x height 32-bit float image (one tiny strip)."""
    entries = [(256, 4, width), (257, 4, height), (258, 3, 32), (259, 3, 1), (262, 3, 1), (273, 4, 0),
               (277, 3, 1), (278, 4, height), (279, 4, 4), (339, 3, 3)]
    ifd_off = 8
    data_off = ifd_off + 2 + 12 * len(entries) + 4
    out = bytearray(b"II*\x00" + struct.pack("<I", ifd_off) + struct.pack("<H", len(entries)))
    for tag, typ, val in entries:
        val = data_off if tag == 273 else val
        out += struct.pack("<HHI", tag, typ, 1) + (struct.pack("<HH", val, 0) if typ == 3 else struct.pack("<I", val))
    out += struct.pack("<I", 0) + b"\x00" * 4
    return bytes(out)


def test_float_tiff_10000_is_refused_before_decoding():
    raw = _float_tiff_header_only(10_000, 10_000)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        with Image.open(io.BytesIO(raw)) as im:
            assert im.mode == "F" and im.size == (10_000, 10_000)
    with pytest.raises(PhotoError) as ei:
        load_photo(raw, name="float.tif")
    assert ei.value.status == "too_large"


def test_float_tiff_decodes_within_the_cap(tmp_path):
    arr = (astronaut(4)[..., 0].astype(np.float32) / 255.0)
    path = save(tmp_path / "f.tif", Image.fromarray(arr, mode="F"), "TIFF")
    photo = load_photo(path)
    assert photo.rgb.shape == (128, 128, 3)
    assert mean_abs_diff(photo.rgb[..., 0], astronaut(4)[..., 0]) < 1.0
    with pytest.raises(PhotoError) as ei:
        load_photo(path, max_decoded_pixels=128 * 128 - 1)
    assert ei.value.status == "too_large"


def test_giant_jpeg_is_decoded_reduced_to_fit_the_cap(tmp_path):
    path = save(tmp_path / "wide.jpg", block_pattern(64, 4000), "JPEG")
    assert load_photo(path, fast=False).scale == 1.0
    p = load_photo(path, fast=False, max_decoded_pixels=64 * 4000 // 3)  # needs 1/2
    assert p.scale == 2.0 and p.rgb.shape == (32, 2000, 3)
    p = load_photo(path, fast=False, max_decoded_pixels=64 * 4000 // 10)  # needs 1/4
    assert p.scale == 4.0 and p.rgb.shape == (16, 1000, 3)


def test_multipage_tiff_and_animated_gif_say_only_the_first_page_was_used(tmp_path):
    pages = [Image.fromarray(astronaut(4)), Image.fromarray(255 - astronaut(4)), Image.fromarray(astronaut(4))]
    tif = tmp_path / "pages.tif"
    pages[0].save(tif, format="TIFF", save_all=True, append_images=pages[1:])
    p = load_photo(tif)
    assert p.warnings == ("TIFF file holds 3 pages; only the first was measured",)
    assert mean_abs_diff(p.rgb, astronaut(4)) < 1.0
    gif = tmp_path / "anim.gif"
    pages[0].save(gif, format="GIF", save_all=True, append_images=pages[1:2], duration=100)
    assert load_photo(gif).warnings == ("GIF file holds 2 frames; only the first was measured",)
    single = save(tmp_path / "one.tif", astronaut(4), "TIFF")
    assert load_photo(single).warnings == ()


def test_multipage_warning_reaches_the_row(tmp_path):
    from facemetrics import analyze_photo

    face = Image.open(SAMPLE_JPEG).convert("RGB")
    tif = tmp_path / "scan.tif"
    face.save(tif, format="TIFF", save_all=True, append_images=[face.transpose(Image.Transpose.ROTATE_180)],
              compression="tiff_deflate")
    res = analyze_photo(tif)
    assert res.ok, res.error
    assert "TIFF file holds 2 pages; only the first was measured" in res.to_row()["warnings"]


def _float_rgb_tiff(w: int = 4, h: int = 4) -> bytes:
    """A well-formed little-endian TIFF of 32-bit floating-point RGB samples (Pillow cannot open it)."""
    import struct

    pixels = np.linspace(0.0, 1.0, w * h * 3, dtype="<f4").tobytes()
    entries = [(256, 3, 1, w), (257, 3, 1, h), (258, 3, 3, None), (259, 3, 1, 1), (262, 3, 1, 2),
               (273, 4, 1, None), (277, 3, 1, 3), (278, 3, 1, h), (279, 4, 1, len(pixels)), (339, 3, 3, None)]
    ifd_at = 8
    extra_at = ifd_at + 2 + 12 * len(entries) + 4
    bits_at, fmt_at, data_at = extra_at, extra_at + 6, extra_at + 12
    out = bytearray(b"II*\x00" + struct.pack("<I", ifd_at) + struct.pack("<H", len(entries)))
    for tag, typ, count, value in entries:
        value = {258: bits_at, 339: fmt_at, 273: data_at}.get(tag, value)
        packed = struct.pack("<I", value) if (typ == 4 or count > 2) else struct.pack("<HH", value, 0)
        out += struct.pack("<HHI", tag, typ, count) + packed
    out += struct.pack("<I", 0) + struct.pack("<3H", 32, 32, 32) + struct.pack("<3H", 3, 3, 3) + pixels
    return bytes(out)


def test_a_floating_point_tiff_is_named_as_unsupported_not_corrupt():
    """A valid 32-bit float RGB TIFF (scientific software writes them) is not 'truncated or corrupt':
    the message names what it holds; a TIFF whose header is garbage still reads as corrupt."""
    from facemetrics import analyze_photo

    res = analyze_photo(_float_rgb_tiff(), name="float.tif")
    assert res.status == "not_an_image" and "32-bit floating-point" in res.error, res.error
    bad = analyze_photo(b"II*\x00" + b"\xff" * 40, name="bad.tif")
    assert bad.status == "unreadable" and "corrupt TIFF header" in bad.error, bad.error


def test_a_heic_whose_crop_window_leaves_the_picture_is_refused(sample_rgb):
    """A bit flipped in a HEIC's clean-aperture box (bench_realfuzz, seed 15: the vertical offset
    -1/2 became -4194305/2) moved the crop window two million rows off the picture, and libheif
    still returned a picture, measured as good; the window must lie inside the picture
    (ISO/IEC 14496-12).  The clean odd-sized HEIC (pillow-heif writes a clap for it) reads."""
    pillow_heif = pytest.importorskip("pillow_heif")
    pillow_heif.register_heif_opener()
    from facemetrics import load_photo
    from facemetrics.errors import PhotoError
    from facemetrics.integrity import heif_crop_outside

    buf = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(sample_rgb[:301, :299])).save(buf, "HEIF", quality=80)
    clean = buf.getvalue()
    i = clean.index(b"clap")
    assert heif_crop_outside(clean) == "" and load_photo(clean, name="c.heic").rgb.shape[:2] == (301, 299)
    body = i + 4
    voff = body + 24  # vertOffN: the 7th 32-bit field of the box body
    assert clean[voff:voff + 4] == b"\xff\xff\xff\xff"
    bad = clean[:voff + 1] + bytes([clean[voff + 1] ^ 0x40]) + clean[voff + 2:]
    assert "outside" in heif_crop_outside(bad)
    with pytest.raises(PhotoError) as exc:
        load_photo(bad, name="b.heic")
    assert exc.value.status == "unreadable" and "crop window" in str(exc.value)


def test_read_taken_at_never_decodes_a_png(tmp_path, monkeypatch):
    """Pillow's PNG ``getexif()`` decodes every pixel to look for an eXIf chunk after the image data: a
    refused 10000 x 10000 PNG cost 458 MB in the header-time reader (bench/bench_giants.py, 2026-12-04).
    The reader never decodes a PNG's pixels, and still reads an eXIf chunk stored before them."""
    from PIL import PngImagePlugin

    plain, tagged = tmp_path / "plain.png", tmp_path / "tagged.png"
    Image.fromarray(astronaut(4)).save(plain)  # skimage's astronaut is itself a PNG: made before the patch
    exif = Image.Exif()
    exif.get_ifd(ExifTags.IFD.Exif)[36867] = "2026:11:02 07:30:00"
    Image.fromarray(astronaut(4)).save(tagged, exif=exif.tobytes())  # an eXIf chunk before the pixels
    decoded = []
    original = PngImagePlugin.PngImageFile.load
    monkeypatch.setattr(PngImagePlugin.PngImageFile, "load",
                        lambda self: decoded.append(self.size) or original(self))
    assert loader.read_taken_at(plain) is None and decoded == []
    assert loader.read_taken_at(tagged) == datetime(2026, 11, 2, 7, 30) and decoded == []


# A kind of file named like a photo (a download, an export, a clone without Git LFS): named, with what to do
# (the third look at bad input, stop 63: each read "not a supported image (expected JPEG, ...)" alone)
_KINDS = [
    ("scan.jpg", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n", "a PDF document",
     "export the photo from it as JPEG or PNG and use that"),
    ("page.jpg", b"\xef\xbb\xbf\n  <!DOCTYPE html>\n<html><body>Access denied</body></html>\n", "a web page (HTML)",
     "the download saved the page instead of the photo: open the photo itself and save it (the browser's "
     "Save Image As)"),
    ("page2.jpg", b"<html lang=en><head><title>x</title></head></html>", "a web page (HTML)", None),
    ("logo.jpg", b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="9" height="9"/>',
     "an SVG drawing (vector graphics)", "save the photo as JPEG or PNG and use that"),
    ("lfs.jpg", b"version https://git-lfs.github.com/spec/v1\noid sha256:" + b"a" * 64 + b"\nsize 12345\n",
     "a Git LFS pointer (a small text file standing in for the photo)",
     "fetch the photo itself (git lfs pull) and use that"),
    ("photos.jpg", b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + b"\x00" * 40, "a zip archive",
     "unzip it and give the photos inside"),
    ("x.jpg", b"\x1f\x8b\x08\x00" + b"\x00" * 40, "a compressed archive (gzip)", "unpack it and give the photos inside"),
    ("j2k.jpg", b"\x00\x00\x00\x0cjP  \r\n\x87\n\x00\x00\x00\x14ftypjp2 " + b"\x00" * 40, "a JPEG 2000 image",
     "save it as JPEG or PNG and use that"),
    ("j2c.jpg", b"\xff\x4f\xff\x51\x00\x2f" + b"\x00" * 40, "a JPEG 2000 image", None),
    ("jxl.jpg", b"\xff\x0a\xfa\x7f" + b"\x00" * 40, "a JPEG XL image", None),
    ("jxl_box.jpg", b"\x00\x00\x00\x0cJXL \r\n\x87\n\x00\x00\x00\x14ftypjxl " + b"\x00" * 40, "a JPEG XL image", None),
    ("edit.jpg", b"8BPS\x00\x01" + b"\x00" * 40, "a Photoshop document (PSD)", None),
    ("s3.jpg", b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code></Error>',
     "a web server's error answer (XML)", "the download saved the server's answer instead of the photo: open the "
     "photo itself and save it (the browser's Save Image As)"),
    ("api.jpg", b'  {"error": {"code": 404, "message": "Not Found"}}', "a web server's answer (JSON)", None),
    ("drawing.jpg", b"<!-- made by hand -->\n<svg width='9' height='9'></svg>", "an SVG drawing (vector graphics)",
     None),
]


@pytest.mark.parametrize("name, head, what, remedy", _KINDS, ids=[k[0] for k in _KINDS])
def test_a_file_of_another_kind_named_like_a_photo_says_what_it_is(tmp_path, name, head, what, remedy):
    """Before: "not a supported image (expected JPEG, ...)" for each, which does not say that the file is a web
    page (a failed download), a Git LFS pointer (a clone without the photos) or a PDF, nor what to do."""
    path = tmp_path / name
    path.write_bytes(head)
    with pytest.raises(PhotoError) as ei:
        load_photo(path)
    text = str(ei.value)
    assert ei.value.status == "not_an_image"
    assert text.startswith(f"{name}: {what}, not a supported image (expected JPEG, "), text
    if remedy is not None:
        assert text.endswith(f" or GIF): {remedy}"), text


def test_a_text_file_that_only_mentions_html_or_pdf_keeps_the_plain_message(tmp_path):
    """Only the file's start is read: notes that mention '<html' or '%PDF' later are no web page or PDF."""
    path = tmp_path / "notes.jpg"
    path.write_bytes(b"my notes: saved <html> and %PDF- and PK\x03\x04 here\n")
    with pytest.raises(PhotoError) as ei:
        load_photo(path)
    assert str(ei.value) == ("notes.jpg: not a supported image (expected JPEG, MPO, PNG, WebP, TIFF, HEIF/HEIC, "
                             "AVIF, BMP or GIF)"), str(ei.value)


def test_a_jpeg_whose_header_segments_break_is_called_corrupt_not_cut_short():
    """An APP1 (EXIF) segment whose length field says 4 bytes more than it holds (a metadata editor's slip)
    hides the next marker: the marker walk finds no image data.  Before: "truncated JPEG data (no
    end-of-image marker)" and the app's remedy for a file cut short ("copy the photo again"), though the file
    was whole and ends with its end-of-image marker; a file cut short still says so."""
    good = _jpeg_bytes(np.full((64, 64, 3), 128, np.uint8))
    payload = b"Exif\x00\x00II*\x00\x08\x00\x00\x00"
    broken = good[:2] + b"\xff\xe1" + struct.pack(">H", len(payload) + 2 + 4) + payload + good[2:]
    with pytest.raises(PhotoError) as ei:
        load_photo(broken, name="edited.jpg")
    assert ei.value.status == "unreadable"
    assert str(ei.value) == ("edited.jpg: corrupt JPEG header (its marker segments break off before the image "
                             "data; the file is not cut short)"), str(ei.value)
    with pytest.raises(PhotoError) as ei:
        load_photo(good[: len(good) // 2], name="cut.jpg")
    assert "truncated" in str(ei.value) and "not cut short" not in str(ei.value), str(ei.value)
    with pytest.raises(PhotoError) as ei:  # cut inside the header: no end marker either
        load_photo(good[:40], name="head.jpg")
    assert "not cut short" not in str(ei.value), str(ei.value)


@pytest.mark.parametrize("name, head, what, remedy", _KINDS, ids=[k[0] for k in _KINDS])
def test_the_apps_card_adds_no_second_remedy_to_a_named_kind(tmp_path, name, head, what, remedy):
    """The app's photo card adds a remedy by status (``read_remedy``: "upload the photo itself, as JPEG, ...")
    unless the reason says what to do: a kind named with its own remedy keeps it alone."""
    from types import SimpleNamespace

    from facemetrics.analyze import read_remedy

    with pytest.raises(PhotoError) as ei:
        load_photo(head, name=name)
    assert read_remedy(SimpleNamespace(photo=None, status=ei.value.status, error=str(ei.value))) == ""
