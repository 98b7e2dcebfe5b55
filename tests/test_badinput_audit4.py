"""The fourth bad-input audit (Stop 64, h3; docs/robustness.md "Stop 64: bad input, fourth look"): what the
third look left (an 8-bit image held in a 32-bit or 16-bit mode, a long.csv cut mid-row, a blank EXIF time in
the app's study, a subject name with control characters) and what a pass over ``study`` and ``timeline``
found, each case built here at test time."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

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
