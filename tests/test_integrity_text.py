"""Coloured text is not colour garbage (``facemetrics.integrity.colour._two_colour_edges``, issue 9).

Before/after photos often carry a coloured caption ("Day 1", "After"). At 4:4:4 (and at low
quality at 4:2:0) the edges of small coloured letters leave half the pixels of many 8 x 8 blocks
with a strong chroma gradient, which the colour-garbage rule refused. Between two colours every
pixel is ``a fg + (1 - a) bg``: its chroma lies on one line and moves with its luma. A photo whose
garbage blocks are nearly all such edges (``CHROMA_EDGE_SHARE``) is text, not garbage; random
colours, or random values of one chroma component that the luma does not follow, are still
garbage. The bench figures are in ``docs/robustness.md`` ("Decoder garbage in the pixels", "False
refusals of edited good photos")."""

from __future__ import annotations

import io
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

import facemetrics.integrity.colour as colour_check
from facemetrics.errors import PhotoError
from facemetrics.integrity import check_pixels
from facemetrics.integrity.colour import _two_colour_edges
from facemetrics.loader import load_photo

ROOT = Path(__file__).resolve().parents[1]
#: the caption banner's first row (not on an 8- or 16-px boundary: the drift rules stay out of it)
BANNER_ROW = 620


@pytest.fixture(scope="module")
def photo() -> np.ndarray:
    """The bundled sample at 640 x 800 px."""
    im = Image.open(ROOT / "sample_images" / "astronaut_before.jpg").convert("RGB")
    return np.array(im.resize((640, 800), Image.LANCZOS))


def _captioned(photo: np.ndarray, colour: tuple[int, int, int], banner: str) -> np.ndarray:
    """Three lines of small anti-aliased text of `colour` on a 64-px semi-transparent banner."""
    g = photo.astype(np.float32)
    rows = slice(BANNER_ROW, BANNER_ROW + 64)
    g[rows] = g[rows] * 0.4 + (20 if banner == "dark" else 150)
    im = Image.fromarray(np.clip(g, 0, 255).astype(np.uint8))
    draw = ImageDraw.Draw(im)
    for k in range(3):
        draw.text((16, BANNER_ROW + 6 + 18 * k), "BREAKING NEWS  caption text banner  Day 1 - After",
                  fill=colour, font=ImageFont.load_default())
    return np.asarray(im)


def _jpeg_444(rgb: np.ndarray, quality: int) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, "JPEG", quality=quality, subsampling=0)
    return buf.getvalue()


@pytest.mark.parametrize("colour, banner, quality", [
    ((255, 255, 0), "dark", 40), ((255, 255, 0), "dark", 90), ((0, 255, 255), "dark", 90),
    ((255, 0, 255), "light", 90), ((0, 200, 0), "light", 90), ((255, 0, 0), "light", 40)])
def test_a_coloured_caption_passes_that_was_refused_as_colour_garbage(photo, colour, banner, quality,
                                                                       monkeypatch):
    data = _jpeg_444(_captioned(photo, colour, banner), quality)
    assert load_photo(data, name="caption.jpg").rgb.shape == (800, 640, 3)
    # without the text test (no share of edges is enough) the same file is refused as colour garbage
    monkeypatch.setattr(colour_check, "CHROMA_EDGE_SHARE", 2.0)
    with pytest.raises(PhotoError, match="colour garbage"):
        load_photo(data, name="caption.jpg")


def _random_colour_blocks(rgb: np.ndarray, row: int, rows: int, seed: int) -> np.ndarray:
    """`rgb` with random-colour 8 x 8 blocks and pixel noise in them over `rows` rows from `row`."""
    rng = np.random.default_rng(seed)
    w = rgb.shape[1]
    noise = rng.integers(0, 256, (rows // 8, w // 8, 3), dtype=np.uint8)
    blocks = np.repeat(np.repeat(noise, 8, axis=0), 8, axis=1).astype(np.int16)
    blocks = (blocks + rng.integers(-80, 80, blocks.shape)).clip(0, 255).astype(np.uint8)
    out = rgb.copy()
    out[row:row + rows] = blocks
    return out


def test_garbage_in_a_captioned_photo_is_still_found(photo):
    """Text does not hide garbage: the caption's edges are a small share of the garbage blocks."""
    rgb = load_photo(_jpeg_444(_captioned(photo, (255, 255, 0), "dark"), 90), name="c.jpg").rgb
    found = check_pixels(_random_colour_blocks(rgb, 200, 64, seed=5))
    assert found.damaged and found.kind == "colour_noise" and found.row == 200, found


def _one_chroma_component_garbage(rgb: np.ndarray, row: int, rows: int, seed: int) -> np.ndarray:
    """`rgb` whose Cb is random (per pixel) over `rows` rows from `row`, its luma and Cr kept: the chroma
    lies on one line (Cb's direction) but does not follow the luma."""
    ycc = cv2.cvtColor(rgb, cv2.COLOR_RGB2YCrCb)
    rng = np.random.default_rng(seed)
    ycc[row:row + rows, :, 2] = rng.integers(0, 256, (rows, rgb.shape[1]), dtype=np.uint8)
    return cv2.cvtColor(ycc, cv2.COLOR_YCrCb2RGB)


def test_garbage_in_one_chroma_component_is_still_found(photo):
    rgb = _one_chroma_component_garbage(photo, 304, 96, seed=6)
    found = check_pixels(rgb)
    assert found.damaged and found.kind == "colour_noise", found
    assert 296 <= found.row <= 304, found


def _blocks(colours: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(x, bad)``: the ``(n, 8, 8, 3)`` blocks `colours` side by side in one image, all marked."""
    n = len(colours)
    x = np.ascontiguousarray(colours.transpose(1, 0, 2, 3).reshape(8, 8 * n, 3))
    return x, np.ones((1, n), bool)


@pytest.mark.parametrize("fg, bg", [((255, 255, 0), (30, 30, 35)), ((255, 0, 0), (240, 240, 240)),
                                     ((0, 255, 255), (20, 20, 90)), ((255, 140, 0), (200, 195, 200)),
                                     ((255, 255, 255), (0, 0, 255))])
def test_blends_of_two_colours_are_edges_and_random_colours_are_not(fg, bg):
    rng = np.random.default_rng(7)
    a = rng.random((6, 8, 8, 1))  # a random mix of the two colours at every pixel, six blocks
    blend = np.rint(a * np.array(fg) + (1 - a) * np.array(bg)).astype(np.uint8)
    assert _two_colour_edges(*_blocks(blend), 8).all()
    noise = rng.integers(0, 256, (6, 8, 8, 3), dtype=np.uint8)
    assert not _two_colour_edges(*_blocks(noise), 8).any()


def test_a_random_chroma_component_and_equal_luma_colours_are_not_edges():
    """Random Cb with the luma fixed lies on a chroma line the luma does not follow: garbage (within
    the RGB cube: clipped channels do move the luma). Two colours of the same luma look the same, so
    text in them is not taken for an edge either (a limit of the test, docs/robustness.md)."""
    rng = np.random.default_rng(8)
    ycc = np.empty((6, 8, 8, 3), np.uint8)
    ycc[..., 0], ycc[..., 1] = 120, 128
    ycc[..., 2] = rng.integers(68, 189, (6, 8, 8))  # B = Y + 1.772 (Cb - 128) stays in 14 .. 226
    cb_only = cv2.cvtColor(ycc.reshape(48, 8, 3), cv2.COLOR_YCrCb2RGB).reshape(6, 8, 8, 3)
    assert not _two_colour_edges(*_blocks(cb_only), 8).any()
    a = rng.random((6, 8, 8, 1))
    same_luma = np.rint(a * np.array((255, 0, 0)) + (1 - a) * np.array((0, 128, 0))).astype(np.uint8)
    # (the lumas differ by about a level, in both weightings: the blocks' rounding decides some)
    assert _two_colour_edges(*_blocks(same_luma), 8).mean() < 0.5
