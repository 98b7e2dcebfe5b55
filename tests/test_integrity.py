"""Decoder-garbage detector (``facemetrics/integrity/``): clean photos pass in every format,
synthetic garbage is found where it starts, and the loader refuses what it finds.

The fuzz-set figures (catch rates, false alarms on the real clean set) are in
``docs/robustness.md`` (``bench/bench_integrity.py``)."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from facemetrics.errors import PhotoError
from facemetrics.integrity import (VP8_TAIL_BYTES, VP8L_TAIL_BYTES, PixelCheck, check_pixels, hevc_errors,
                                   vp8_ends_early, vp8l_ends_early, webp_is_lossless)
from facemetrics.integrity.heif import _hevc_items
from facemetrics.integrity.webp import _vp8_without_tail
from facemetrics.loader import load_photo

ROOT = Path(__file__).resolve().parents[1]
FACES = Path("/work/shared/faces")

FORMATS = {
    "jpeg_q30": ("JPEG", dict(quality=30)),
    "jpeg_q90": ("JPEG", dict(quality=90)),
    "jpeg_q95_444": ("JPEG", dict(quality=95, subsampling=0)),
    "jpeg_progressive": ("JPEG", dict(quality=85, progressive=True)),
    "webp": ("WEBP", dict(quality=80)),
    "webp_lossless": ("WEBP", dict(lossless=True)),
    "heic": ("HEIF", dict(quality=80)),
    "png": ("PNG", {}),
}


#: the bytes of each encoding made in this module, by the pixels' digest, the format and its settings (stop 49: the reduced
#: sample was encoded as lossless WebP 6 times, as WebP q80 5 times and as HEIF q80 5 times; encoding was about two thirds
#: of this file's CPU).  Pillow's encoders give the same bytes for the same pixels and settings; bytes are immutable.
_ENCODED: dict[tuple, bytes] = {}


def _encode(rgb: np.ndarray, fmt: str, **kw) -> bytes:
    """``rgb`` (H x W x 3 uint8) encoded by Pillow as ``fmt`` with ``kw``, each distinct encoding made once a module."""
    import hashlib

    key = (hashlib.sha1(np.ascontiguousarray(rgb).tobytes()).hexdigest(), rgb.shape, str(rgb.dtype), fmt,
           tuple(sorted(kw.items())))
    if key not in _ENCODED:
        buf = io.BytesIO()
        Image.fromarray(rgb).save(buf, fmt, **kw)
        _ENCODED[key] = buf.getvalue()
    return _ENCODED[key]


def _mcu_of(kind: str):
    if not kind.startswith("jpeg"):
        return None
    return (8, 8) if kind.endswith("444") else (16, 16)


@pytest.fixture(scope="module")
def sample_small(sample_rgb) -> np.ndarray:
    """The bundled sample reduced to 640 x 800 px."""
    return np.array(Image.fromarray(sample_rgb).resize((640, 800), Image.LANCZOS))


@pytest.fixture(scope="module")
def decoded(sample_small) -> dict[str, np.ndarray]:
    """The reduced sample encoded in every format and decoded by the loader."""
    return {k: load_photo(_encode(sample_small, fmt, **kw), name=f"{k}.x").rgb for k, (fmt, kw) in FORMATS.items()}


@pytest.mark.parametrize("kind", list(FORMATS))
def test_clean_photo_passes_in_every_format(decoded, kind):
    found = check_pixels(decoded[kind], mcu=_mcu_of(kind))
    assert isinstance(found, PixelCheck)
    assert not found.damaged, found
    assert found.score < 0.8, found  # some margin below the alarm (1.0)
    assert found.row is None and found.detail == ""


@pytest.mark.parametrize("kind", ["jpeg_q90", "webp", "heic"])
@pytest.mark.parametrize("change", ["mirror", "darker", "brighter", "upside_down"])
def test_mirrored_and_brightness_scaled_clean_photos_pass(decoded, kind, change):
    rgb = decoded[kind]
    if change == "mirror":
        rgb = np.ascontiguousarray(rgb[:, ::-1])
    elif change == "upside_down":
        rgb = np.ascontiguousarray(rgb[::-1])
    else:
        f = 0.6 if change == "darker" else 1.3
        rgb = np.clip(rgb.astype(np.float32) * f, 0, 255).astype(np.uint8)
    found = check_pixels(rgb, mcu=_mcu_of(kind))
    assert not found.damaged, found


def test_flat_and_tiny_images_pass():
    assert not check_pixels(np.full((400, 300, 3), 128, np.uint8), mcu=(16, 16)).damaged
    assert not check_pixels(np.zeros((20, 20, 3), np.uint8), mcu=(16, 16)).damaged
    # a letterbox: black bars on a 16-px boundary above and below the photo
    rgb = np.zeros((480, 320, 3), np.uint8)
    rgb[64:416] = np.array(Image.open(ROOT / "sample_images" / "astronaut_before.jpg").convert("RGB")
                           .resize((320, 352), Image.LANCZOS))
    assert not check_pixels(rgb, mcu=(16, 16)).damaged


def test_colour_garbage_block_rows_found_at_their_row(decoded):
    """Random-colour 8 x 8 blocks (what HEVC/VP8L decoders make of lost data) from row 208 down to
    row 464 (the fuzz set's garbage covers at most about half of the blocks)."""
    rgb = decoded["heic"].copy()
    rng = np.random.default_rng(3)
    h, w = rgb.shape[:2]
    noise = rng.integers(0, 256, (256 // 8, w // 8, 3), dtype=np.uint8)
    blocks = np.repeat(np.repeat(noise, 8, axis=0), 8, axis=1)
    # pixel-level colour noise inside each block as well (a random residual)
    blocks = (blocks.astype(np.int16) + rng.integers(-80, 80, blocks.shape)).clip(0, 255).astype(np.uint8)
    rgb[208:208 + blocks.shape[0], :blocks.shape[1]] = blocks
    found = check_pixels(rgb)
    assert found.damaged and found.kind == "colour_noise", found
    assert found.row == 208 and found.col == 0
    assert "row 208" in found.detail and found.score >= 1.0


@pytest.mark.parametrize("sigma", [8, 25, 40])
def test_a_noisy_picture_is_not_colour_garbage(sample_small, sigma):
    """Strong per-pixel colour noise all over, stored with full-resolution colour (lossless WebP,
    where it survives), is sensor noise, not damage: not flagged."""
    rng = np.random.default_rng(sigma)
    noisy = np.clip(sample_small + rng.normal(0, sigma, sample_small.shape), 0, 255).astype(np.uint8)
    rgb = load_photo(_encode(noisy, "WEBP", lossless=True), name="noisy.webp").rgb
    assert not check_pixels(rgb).damaged
    assert not check_pixels(rgb, specks=True).damaged  # (the loader's check of a lossless WebP)


def _with_specks(rgb: np.ndarray, n_blocks: int, seed: int = 0) -> np.ndarray:
    """`rgb` with 6 saturated blue pixels scattered in each of `n_blocks` 8 x 8 blocks along a row."""
    rng = np.random.default_rng(seed)
    out = rgb.copy()
    for b in range(n_blocks):
        y0, x0 = 160, 8 * (4 + 2 * b)
        for _ in range(6):
            out[y0 + rng.integers(0, 7), x0 + rng.integers(0, 7)] = (0, 0, 255)
    return out


def test_lossless_webp_colour_specks_found_and_refused(sample_small):
    """Sparse saturated specks (what a lossless WebP's decoder makes of a few wrong codes) in 10
    blocks: not colour garbage for the dense-block rule, found by the speck rule (lossless WebP
    only) at their row, and the loader refuses such a lossless WebP."""
    rgb = _with_specks(sample_small, 10)
    assert not check_pixels(rgb).damaged
    found = check_pixels(rgb, specks=True)
    assert found.damaged and found.kind == "colour_specks" and found.row == 160, found
    assert "colour garbage (saturated colour specks) in 10 blocks" in found.detail
    with pytest.raises(PhotoError) as err:
        load_photo(_encode(rgb, "WEBP", lossless=True), name="specks.webp")
    assert err.value.status == "unreadable" and "colour specks" in str(err.value)
    # the same pixels as a lossy file are not tested for specks (its colour is smoothed anyway)
    assert not check_pixels(_with_specks(sample_small, 10)[:, :, ::-1].copy()).damaged


def test_a_few_specks_are_not_flagged(sample_small):
    """Up to 7 blocks with specks (the clean set's highest count is 4): not flagged."""
    found = check_pixels(_with_specks(sample_small, 7), specks=True)
    assert not found.damaged and 0.8 <= found.score < 1.0, found


def test_webp_is_lossless(sample_small):
    assert webp_is_lossless(_encode(sample_small, "WEBP", lossless=True))
    assert not webp_is_lossless(_encode(sample_small, "WEBP", quality=80))
    assert not webp_is_lossless(_encode(sample_small, "PNG"))
    assert not webp_is_lossless(b"")


def test_colour_garbage_needs_more_than_a_couple_of_blocks(decoded):
    rgb = decoded["webp_lossless"].copy()
    rng = np.random.default_rng(4)
    rgb[400:408, 304:320] = rng.integers(0, 256, (8, 16, 3), dtype=np.uint8)  # two 8 x 8 blocks only
    assert not check_pixels(rgb).damaged


@pytest.mark.parametrize("kind", ["jpeg_q90", "jpeg_progressive", "jpeg_q30"])
def test_jpeg_dc_drift_staircase_found_at_its_mcu(decoded, kind):
    """A lost DC difference shifts every MCU after the damage point (MCU row 13, column 7) by a
    constant colour: the staircase is found at row 13 * 16 = 208, column 7 * 16 = 112."""
    rgb = decoded[kind].astype(np.int16)
    shift = np.array([40, 14, -16], np.int16)
    rgb[208:224, 112:] += shift
    rgb[224:] += shift
    rgb = rgb.clip(0, 255).astype(np.uint8)
    found = check_pixels(rgb, mcu=(16, 16))
    assert found.damaged and found.kind == "dc_drift", found
    assert found.row == 208 and abs(found.col - 112) <= 3 * 16, found  # column: to a few MCUs
    # the same image is not flagged without the drift
    assert not check_pixels(decoded[kind], mcu=(16, 16)).damaged


def test_small_drift_is_not_flagged(decoded):
    """Below DRIFT_LEVELS (an invisible shift of 6 levels) nothing is reported."""
    rgb = decoded["jpeg_q90"].astype(np.int16)
    rgb[208:224, 112:] += 6
    rgb[224:] += 6
    assert not check_pixels(rgb.clip(0, 255).astype(np.uint8), mcu=(16, 16)).damaged


@pytest.mark.parametrize("row, shift", [(304, 110), (608, -60), (400, -90)])
def test_clipped_full_width_drift_found(decoded, row, shift, monkeypatch):
    """A large DC shift from an MCU row down to the bottom pushes the bright (dark) parts past 255 (0):
    there the step is smaller than the shift and the texture flat, so neither the staircase nor the
    long run sees it; the clipped run does (the unclipped MCUs step alike and their texture
    continues, the others are clipped), at the row where it starts."""
    from facemetrics.integrity import drift

    rgb = decoded["jpeg_q90"].astype(np.int16)
    rgb[row:] += shift
    rgb = rgb.clip(0, 255).astype(np.uint8)
    found = check_pixels(rgb, mcu=(16, 16))
    assert found.damaged and found.kind == "dc_drift" and found.row == row, found
    monkeypatch.setattr(drift, "_clipped_run", lambda rgb, g, hr, lvl, best, rows=None: best)
    monkeypatch.setattr(drift, "_clipped_staircase", lambda rgb, g, hr, lvl, best, rows=None: best)
    assert not check_pixels(rgb, mcu=(16, 16)).damaged  # what the committed searches saw


def test_loader_refuses_a_clipped_drift(decoded):
    rgb = decoded["jpeg_q90"].astype(np.int16)
    rgb[608:] -= 60
    data = _encode(rgb.clip(0, 255).astype(np.uint8), "JPEG", quality=90)
    with pytest.raises(PhotoError, match=r"clipped\.jpg: the decoded pixels look damaged: the picture shifted by a "
                       r"brightness step of -\d+ levels along the 16 x 16 px coding blocks from row 608 down"):
        load_photo(data, name="clipped.jpg")


@pytest.mark.parametrize("below", ["black bar", "white bar", "another picture, clipped"])
def test_a_bar_or_another_picture_below_an_mcu_row_is_not_a_clipped_drift(decoded, below):
    """A flat bar (letterbox) from an MCU row down is clipped but continues no texture; another
    picture below, brightened until it clips, steps by an amount that varies: neither is drift."""
    rgb = decoded["jpeg_q90"].copy()
    if below == "black bar":
        rgb[608:] = 0
    elif below == "white bar":
        rgb[608:] = 255
    else:
        rgb[304:] = np.clip(decoded["jpeg_q90"][::-1][304:].astype(np.int16) + 80, 0, 255).astype(np.uint8)
    assert not check_pixels(rgb, mcu=(16, 16)).damaged


@pytest.mark.parametrize("row, col, shift", [(608, 400, -40), (672, 80, -60), (608, 560, -90), (672, 560, 60),
                                             (544, 80, 110)])
def test_clipped_staircase_drift_found(decoded, row, col, shift, monkeypatch):
    """DC drift from the middle of an MCU row (a staircase: the rest of that row and every row below
    shifted) large enough to clip the dark suit at 0 (or the bright background at 255): the step
    of the clipped MCUs is smaller than the shift and their texture flat, so the staircase search
    sees no consistent step; the clipped staircase does (the unclipped MCUs of both parts step
    alike, the others are clipped), at its row and, to a few MCUs, its column. (The CI fuzz set's
    last baseline-JPEG miss was such a drift: -38 levels from row 336.)"""
    from facemetrics.integrity import drift

    rgb = decoded["jpeg_q90"].astype(np.int16)
    rgb[row:row + 16, col:] += shift
    rgb[row + 16:] += shift
    rgb = rgb.clip(0, 255).astype(np.uint8)
    found = check_pixels(rgb, mcu=(16, 16))
    assert found.damaged and found.kind == "dc_drift" and found.row == row, found
    assert abs(found.col - col) <= 3 * 16, found
    monkeypatch.setattr(drift, "_clipped_staircase", lambda rgb, g, hr, lvl, best, rows=None: best)
    assert not check_pixels(rgb, mcu=(16, 16)).damaged  # what the other searches see


@pytest.mark.parametrize("row, col", [(608, 400), (544, 560), (720, 400), (720, 32)])
def test_another_picture_below_a_staircase_clipped_is_not_a_clipped_drift(decoded, row, col):
    """Another picture pasted below a staircase on the MCU grid, darkened by 80 until its dark parts
    clip at 0: clipped MCUs and a strong step, but the texture does not continue across the
    boundaries, so the clipped staircase does not take it for drift. (A pure black or white region
    with a pixel-sharp staircase top edge on the grid is flagged, by the staircase search's "quiet
    beside the step" branch, before and after this rule: no photo has one.)"""
    rgb = decoded["jpeg_q90"].copy()
    other = np.clip(decoded["jpeg_q90"][::-1].astype(np.int16) - 80, 0, 255).astype(np.uint8)
    rgb[row:row + 16, col:] = other[row:row + 16, col:]
    rgb[row + 16:] = other[row + 16:]
    assert not check_pixels(rgb, mcu=(16, 16)).damaged


def _band_replaced(rgb: np.ndarray, row: int, col: int, n: int, first: int = 20) -> np.ndarray:
    """`rgb` whose luma in `n` neighbouring 8 x 8 blocks of block row `row` from block column `col` has
    every AC coefficient from zigzag-like index ``u + v >= first / 4`` replaced by minus a
    JPEG-like quantiser (what a damaged progressive AC scan decodes to), the change added to all
    three channels."""
    from facemetrics.integrity.coefficients import _dct_matrix

    d = _dct_matrix(8)
    out = rgb.astype(np.float32)
    y = 0.299 * out[..., 0] + 0.587 * out[..., 1] + 0.114 * out[..., 2]
    u, v = np.meshgrid(np.arange(8), np.arange(8))
    band = (u + v) >= first // 4
    quant = -(4.0 + 2.0 * (u + v))  # minus a quantiser growing with frequency, as JPEG's do
    for j in range(col, col + n):
        sl = (slice(row * 8, row * 8 + 8), slice(j * 8, j * 8 + 8))
        c = d @ y[sl] @ d.T
        c2 = np.where(band, quant, c)
        out[sl] += (d.T @ (c2 - c) @ d)[..., None]
    return out.round().clip(0, 255).astype(np.uint8)


@pytest.mark.parametrize("n, found", [(12, True), (20, True), (6, False)])
def test_progressive_repeated_coefficients_found(decoded, n, found):
    """A run of neighbouring blocks whose high AC band is the same constant (a damaged progressive
    scan) is found at its block row when it spans REPEAT_RUN (8) neighbouring pairs, not below; only
    when the check is asked for (progressive JPEGs: ``dct_block``), and the clean decode passes."""
    rgb = _band_replaced(decoded["jpeg_progressive"], row=40, col=10, n=n)
    check = check_pixels(rgb, mcu=(16, 16), dct_block=8)
    assert check.damaged is found, check
    if found:
        assert check.kind == "repeated_coefficients" and check.row == 320 and abs(check.col - 80) <= 16, check
        assert f"repeated in {n} neighbouring blocks of 8 x 8 px" in check.what, check
        assert not check_pixels(rgb, mcu=(16, 16)).damaged  # (a baseline JPEG is not checked for it)
    assert not check_pixels(decoded["jpeg_progressive"], mcu=(16, 16), dct_block=8).damaged


def _dct_half(rgb: np.ndarray) -> np.ndarray:
    """What a 1/2-scale DCT decode makes of `rgb`'s 8 x 8 blocks: each block's 4 x 4 lowest
    coefficients, inverse-transformed to 4 x 4 px (per channel)."""
    from facemetrics.integrity.coefficients import _dct_matrix

    d8, d4 = _dct_matrix(8), _dct_matrix(4)
    h, w = rgb.shape[0] // 8, rgb.shape[1] // 8
    b = rgb[:h * 8, :w * 8].astype(np.float32).reshape(h, 8, w, 8, 3).transpose(0, 2, 4, 1, 3)  # (h, w, 3, 8, 8)
    c4 = (d8 @ b @ d8.T)[..., :4, :4] / 2.0
    out = (d4.T @ c4 @ d4).transpose(0, 3, 1, 4, 2).reshape(h * 4, w * 4, 3)
    return out.round().clip(0, 255).astype(np.uint8)


def test_repeated_coefficients_at_half_scale(decoded):
    """A half-scale DCT decode has 4 x 4 px blocks holding each block's 4 x 4 lowest coefficients: a
    damaged band reaching down there (here from u + v >= 2) is found with ``dct_block = 4``."""
    rgb = _dct_half(_band_replaced(decoded["jpeg_progressive"], row=40, col=10, n=20, first=8))
    check = check_pixels(rgb, mcu=(8, 8), dct_block=4)
    assert check.damaged and check.kind == "repeated_coefficients" and check.row == 160, check
    assert not check_pixels(_dct_half(decoded["jpeg_progressive"]), mcu=(8, 8), dct_block=4).damaged


def test_loader_refuses_garbage_with_a_sentence(decoded, sample_small):
    """A lossless WebP of garbage-bearing pixels (the decode is exact) is refused by the loader."""
    rgb = decoded["webp_lossless"].copy()
    rng = np.random.default_rng(5)
    rgb[480:] = rng.integers(0, 256, rgb[480:].shape, dtype=np.uint8)
    with pytest.raises(PhotoError) as err:
        load_photo(_encode(rgb, "WEBP", lossless=True), name="damaged.webp")
    msg = str(err.value)
    assert err.value.status == "unreadable"
    assert msg.startswith("damaged.webp: the decoded pixels look damaged: colour garbage")
    assert "from row 480 down" in msg and "probably corrupt" in msg and "\n" not in msg
    # the clean file is read
    assert load_photo(_encode(sample_small, "WEBP", lossless=True), name="clean.webp").rgb.shape == rgb.shape


def test_loader_refuses_jpeg_dc_drift(decoded):
    rgb = decoded["jpeg_q95_444"].astype(np.int16)
    rgb[208:216, 96:] += 40
    rgb[216:] += 40
    data = _encode(rgb.clip(0, 255).astype(np.uint8), "JPEG", quality=95, subsampling=0)
    with pytest.raises(PhotoError, match=r"drift\.jpg: the decoded pixels look damaged: the picture shifted by a "
                       r"brightness step of \d+ levels along the 8 x 8 px coding blocks from row 208 down"):
        load_photo(data, name="drift.jpg")


# ------------------------------------------------------------------ JPEG: wrongly decoded MCUs


@pytest.mark.parametrize("offset, mask", [(14688, 16), (11383, 1)])
def test_a_bit_flip_that_garbles_one_mcu_is_refused(offset, mask):
    """One flipped bit in a baseline JPEG's entropy-coded data (the 320 x 400 fuzz sample, quality 90):
    libjpeg decodes one 16 x 16 MCU from wrong bits (saturated stripes / flat blocks of another colour),
    finds its place again and reports nothing; the MCU steps against the picture on its top and bottom
    while the MCUs beside it do not. (Fuzz seed 1, bit flips 48 and 49.)"""
    import sys

    sys.path.insert(0, str(ROOT / "tests"))
    from fuzzing import clean_files

    clean = clean_files(heic=False)["jpeg"]
    assert load_photo(clean, name="clean.jpg").rgb.shape == (400, 320, 3)  # the clean file is read
    bad = bytearray(clean)
    bad[offset] ^= mask
    with pytest.raises(PhotoError, match=r"flip\.jpg: the decoded pixels look damaged: 1 wrongly decoded 16 x 16 px "
                       r"coding block \(stepping \d+ levels more than the picture beside it\) from row \d+ down"):
        load_photo(bytes(bad), name="flip.jpg")


def test_a_bit_flip_that_garbles_one_mcu_and_shifts_the_rest_is_refused():
    """One flipped bit (fuzz seed 1, bit flip 34): one MCU of pink / green stripes (stepping only about half
    WRONG_MCU_LEVELS more than its neighbours), then everything after it brighter by 14 levels (a drift
    below DRIFT_LEVELS): neither alone is sure, together, at the same MCU, they are refused."""
    import sys

    sys.path.insert(0, str(ROOT / "tests"))
    from fuzzing import clean_files

    clean = clean_files(heic=False)["jpeg"]
    assert load_photo(clean, name="clean.jpg").rgb.shape == (400, 320, 3)
    bad = bytearray(clean)
    bad[11386] ^= 32
    with pytest.raises(PhotoError, match=r"flip\.jpg: the decoded pixels look damaged: 1 wrongly decoded 16 x 16 px "
                       r"coding block and the picture shifted from there on \(stepping 1\d levels\) from row 128 down"):
        load_photo(bytes(bad), name="flip.jpg")


def _luma_stripes(rgb: np.ndarray, row: int, col: int, amp: int, shift: int = 0, drift_at: tuple | None = None):
    """`rgb` with the 16 x 16 MCU at (row, col) given vertical stripes of +-`amp` levels, 4 px wide, and with
    everything from MCU `drift_at` (row, col) on in raster order (that MCU row from the column, all rows
    below) brighter by `shift`."""
    out = rgb.astype(np.int16)
    x = np.arange(16)
    out[row:row + 16, col:col + 16] += np.where((x // 4) % 2 == 0, amp, -amp)[None, :, None]
    if drift_at is not None:
        r, c = drift_at
        out[r:r + 16, c:] += shift
        out[r + 16:] += shift
    return out.clip(0, 255).astype(np.uint8)


def test_a_weak_drift_starting_at_a_weakly_wrong_mcu_is_found(decoded):
    """A drift of 14 levels (score 0.7) and an MCU of +-70-level stripes (wrong-MCU score 0.6) are each
    too weak alone; where the drift starts right after the wrong MCU they are damage, found at that MCU;
    with the wrong MCU elsewhere they are not."""
    from facemetrics.integrity.drift import _dc_drift, _wrong_mcu

    rgb = decoded["jpeg_q90"]
    both = _luma_stripes(rgb, 320, 224, 70, 14, (320, 240))
    found = check_pixels(both, mcu=(16, 16))
    assert found.damaged and found.kind == "wrong_mcu" and (found.row, found.col) == (320, 224), found
    assert "shifted from there on" in found.what
    drift_only = _luma_stripes(rgb, 320, 224, 0, 14, (320, 240))
    assert 0.6 <= _dc_drift(drift_only, (16, 16)).score < 1.0 and not check_pixels(drift_only, mcu=(16, 16)).damaged
    mcu_only = _luma_stripes(rgb, 320, 224, 70)
    assert 0.4 <= _wrong_mcu(mcu_only, (16, 16)).score < 1.0 and not check_pixels(mcu_only, mcu=(16, 16)).damaged
    apart = _luma_stripes(rgb, 480, 80, 70, 14, (320, 240))  # the wrong MCU 10 MCU rows below the drift's start
    assert not check_pixels(apart, mcu=(16, 16)).damaged
    assert not check_pixels(rgb, mcu=(16, 16)).damaged


def _stripes(rgb: np.ndarray, row: int, col: int, n: int) -> np.ndarray:
    """`rgb` with ``n`` MCUs of 16 x 16 px from (row, col) replaced by saturated pink / green stripes 4 px wide
    (what a garbled MCU looks like)."""
    out = rgb.copy()
    x = np.arange(16 * n)
    out[row:row + 16, col:col + 16 * n] = np.where(((x // 4) % 2 == 0)[None, :, None], [250, 90, 140], [60, 230, 120])
    return out


@pytest.mark.parametrize("n", [1, 3])
def test_wrong_mcus_found_at_their_row_and_column(decoded, n):
    rgb = _stripes(decoded["jpeg_q90"], 320, 240, n)
    found = check_pixels(rgb, mcu=(16, 16))
    assert found.damaged and found.kind == "wrong_mcu" and (found.row, found.col) == (320, 240), found
    assert f"{n} wrongly decoded" in found.what
    assert not check_pixels(decoded["jpeg_q90"], mcu=(16, 16)).damaged  # the clean counterpart


def test_garbage_across_the_row_or_with_8px_mcus_is_not_a_wrong_mcu(decoded):
    """A band of stripes across the whole width (its edges continue into the MCUs beside), four MCUs
    side by side (more than WRONG_MCU_RUN), and one MCU when the MCU rows are 8 px (4:4:4: a thin
    line of the picture has the same signature) are not wrong MCUs."""
    from facemetrics.integrity.drift import _wrong_mcu

    rgb = decoded["jpeg_q90"]
    assert not _wrong_mcu(_stripes(rgb, 320, 0, rgb.shape[1] // 16), (16, 16)).damaged
    assert not _wrong_mcu(_stripes(rgb, 320, 240, 4), (16, 16)).damaged
    assert not _wrong_mcu(_stripes(rgb, 320, 240, 1), (8, 8)).damaged
    assert _wrong_mcu(_stripes(rgb, 320, 240, 1), (16, 16)).damaged  # (the control)


# ------------------------------------------------------------------ lossy WebP: the decoder's early end


def _riff_chunks(data: bytes) -> list[tuple[bytes, int]]:
    """``[(type, size)]`` of a WebP's top-level chunks; asserts that they tile the file."""
    assert data[:4] == b"RIFF" and int.from_bytes(data[4:8], "little") + 8 == len(data)
    out, i = [], 12
    while i < len(data):
        size = int.from_bytes(data[i + 4:i + 8], "little")
        out.append((data[i:i + 4], size))
        i += 8 + size + (size & 1)
    assert i == len(data)
    return out


def _zeroed(data: bytes, at: float, k: int) -> bytes:
    b = bytearray(data)
    i = int(len(b) * at)
    b[i:i + k] = bytes(k)
    return bytes(b)


@pytest.mark.parametrize("quality", [30, 50, 80, 95])
@pytest.mark.parametrize("size", [(320, 400), (640, 800), (333, 417)])
def test_clean_lossy_webp_needs_its_last_bytes(sample_small, quality, size):
    """A clean lossy WebP does not decode without its last bytes: not flagged (sizes with partial
    macroblocks and odd byte counts included)."""
    rgb = np.array(Image.fromarray(sample_small).resize(size, Image.LANCZOS))
    data = _encode(rgb, "WEBP", quality=quality)
    assert not vp8_ends_early(data)
    short = _vp8_without_tail(data, VP8_TAIL_BYTES)
    chunks = dict(_riff_chunks(short))
    vp8 = dict(_riff_chunks(data))[b"VP8 "]
    assert chunks[b"VP8 "] % 2 == 0 and vp8 - chunks[b"VP8 "] in (VP8_TAIL_BYTES, VP8_TAIL_BYTES + 1)
    with pytest.raises(Exception):  # noqa: B017 - the decoder's own error
        Image.open(io.BytesIO(short)).load()


@pytest.mark.parametrize("quality", [0, 100])
@pytest.mark.parametrize("method", [0, 6])
def test_clean_lossy_webp_at_extreme_settings_needs_its_last_bytes(sample_small, quality, method):
    """libwebp's fastest and slowest methods at the lowest and highest quality: a copy without the last
    VP8_TAIL_BYTES bytes fails (encoders leave at most 2 bytes unneeded: docs/robustness.md)."""
    data = _encode(sample_small, "WEBP", quality=quality, method=method)
    assert not vp8_ends_early(data)


def _vp8_padded(data: bytes, k: int) -> bytes:
    """`data` (a simple lossy WebP) with `k` more bytes at the end of its VP8 data, the sizes rewritten."""
    assert data[12:16] == b"VP8 "
    size = int.from_bytes(data[16:20], "little")
    frame = data[20:20 + size] + bytes(range(1, k + 1))
    body = b"VP8 " + len(frame).to_bytes(4, "little") + frame + b"\0" * (len(frame) & 1)
    return b"RIFF" + (len(body) + 4).to_bytes(4, "little") + b"WEBP" + body


@pytest.mark.parametrize("quality", [30, 80])
def test_a_decoder_that_finishes_a_few_bytes_early_is_found(sample_small, quality):
    """The early-end check's window: VP8_TAIL_BYTES + 1 (5) bytes that the decoder leaves unread (appended
    to a clean file's VP8 data) are found, whatever the cut's rounding to an even length; with the former
    cut of 8 bytes they passed, as did two fuzz files with 82 % of their pixels wrong whose decoders
    finished 4-5 bytes early."""
    data = _encode(sample_small, "WEBP", quality=quality)
    assert not vp8_ends_early(data)
    padded = _vp8_padded(data, VP8_TAIL_BYTES + 1)
    Image.open(io.BytesIO(padded)).load()  # libwebp reads it without a word
    assert vp8_ends_early(padded)


def test_early_end_check_skips_what_it_cannot_test(sample_small):
    """Lossless WebP, other formats, garbage bytes and a VP8 chunk too small to shorten: False."""
    assert not vp8_ends_early(_encode(sample_small, "WEBP", lossless=True))
    assert not vp8_ends_early(_encode(sample_small, "JPEG", quality=90))
    assert not vp8_ends_early(b"RIFF\x10\x00\x00\x00WEBPVP8 \x04\x00\x00\x00abcd")
    assert not vp8_ends_early(b"")
    assert _vp8_without_tail(_encode(sample_small, "WEBP", lossless=True), VP8_TAIL_BYTES) is None


@pytest.mark.parametrize("method", [0, 3, 6])
@pytest.mark.parametrize("size", [(320, 400), (333, 417)])
def test_clean_lossless_webp_needs_every_byte(sample_small, method, size):
    """A clean lossless WebP (every compression method, odd sizes) fails without its last byte: the
    lossless early-end check does not flag it, nor a lossy WebP or a JPEG."""
    rgb = np.array(Image.fromarray(sample_small).resize(size, Image.LANCZOS))
    data = _encode(rgb, "WEBP", lossless=True, method=method)
    assert not vp8l_ends_early(data)
    short = _vp8_without_tail(data, 1, b"VP8L")
    assert short is not None and dict(_riff_chunks(short))[b"VP8L"] % 2 == 0
    with pytest.raises(Exception):  # noqa: B017 - the decoder's own error
        Image.open(io.BytesIO(short)).load()
    assert not vp8l_ends_early(_encode(rgb, "WEBP", quality=80))
    assert not vp8l_ends_early(_encode(rgb, "JPEG", quality=90))


def test_lossless_webp_zeroed_near_its_end_is_refused(sample_small):
    """512 bytes zeroed near the end of a lossless WebP's data: libwebp decodes copies of earlier pixels
    into the last rows and stops early, without a word; the loader refuses the file, saying so."""
    data = _encode(sample_small, "WEBP", lossless=True)
    bad = _zeroed(data, 0.9, 512)
    Image.open(io.BytesIO(bad)).load()  # the decoder itself reports nothing
    assert vp8l_ends_early(bad)
    with pytest.raises(PhotoError) as err:
        load_photo(bad, name="zeroed.webp")
    assert err.value.status == "unreadable"
    assert str(err.value).startswith("zeroed.webp: corrupt WEBP data (the decoder finished the picture without "
                                     f"the last {VP8L_TAIL_BYTES} bytes of its image data"), str(err.value)


@pytest.mark.parametrize("at", [0.3, 0.5, 0.7])
def test_zeroed_lossy_webp_decodes_silently_and_is_refused(sample_small, at):
    """512 zeroed bytes inside the VP8 data: libwebp decodes without a word (smooth wrong patches),
    the shortened copy decodes too, and the loader refuses the file with a sentence."""
    data = _encode(sample_small, "WEBP", quality=80)
    bad = _zeroed(data, at, 512)
    Image.open(io.BytesIO(bad)).load()  # the decoder itself reports nothing
    assert vp8_ends_early(bad)
    with pytest.raises(PhotoError) as err:
        load_photo(bad, name="zeroed.webp")
    msg = str(err.value)
    assert err.value.status == "unreadable" and "\n" not in msg
    assert msg.startswith("zeroed.webp: corrupt WEBP data (the decoder finished the picture without the last "
                          f"{VP8_TAIL_BYTES} bytes of its image data"), msg
    assert load_photo(data, name="clean.webp").rgb.shape == sample_small.shape


def _mdat(data: bytes) -> tuple[int, int]:
    """``(start, end)`` of a HEIF file's ``mdat`` payload."""
    i = 0
    while i + 8 <= len(data):
        size = int.from_bytes(data[i:i + 4], "big")
        if data[i + 4:i + 8] == b"mdat":
            return i + 8, i + size
        i += size
    raise AssertionError("no mdat box")


@pytest.mark.parametrize("quality", [30, 80, 95])
@pytest.mark.parametrize("size", [(320, 400), (333, 417)])
def test_clean_heic_has_no_hevc_warnings(sample_small, quality, size):
    """A clean HEIC decodes in libde265 without a warning (odd sizes, whose coding tree units run past
    the picture, included), and its primary image's NAL units are found: parameter sets + slices."""
    rgb = np.array(Image.fromarray(sample_small).resize(size, Image.LANCZOS))
    data = _encode(rgb, "HEIF", quality=quality)
    items = _hevc_items(data)
    assert len(items) == 1 and len(items[0]) >= 4
    assert {(nal[0] >> 1) & 63 for nal in items[0][:3]} == {32, 33, 34}  # VPS, SPS, PPS
    assert hevc_errors(data) == ()


def test_hevc_check_skips_what_it_cannot_read(sample_small):
    """Other formats, empty or garbage bytes, a HEIF without its meta box: nothing reported, no error."""
    assert hevc_errors(_encode(sample_small, "JPEG", quality=90)) == ()
    assert hevc_errors(b"") == ()
    assert hevc_errors(b"\x00\x00\x00\x18ftypheic" + bytes(12)) == ()
    data = _encode(sample_small, "HEIF", quality=80)
    assert hevc_errors(data[:200]) == ()  # the meta box cut short


def test_heic_whose_slice_ends_early_is_refused():
    """A flipped bit that makes the HEVC slice end early, without any libde265 warning (fuzz seed 0,
    50 per kind, HEIC bitflip 40): the rest of the picture is never decoded (flat green after libheif's
    colour conversion) and is found in libde265's picture buffer."""
    from fuzzing import fuzz_set

    _, cases = fuzz_set(50, seed=0)
    data = [d for k, how, j, d in cases if (k, how, j) == ("heic", "bitflip", 40)][0]
    assert hevc_errors(data) == ("the picture's last coding blocks were never decoded",)


@pytest.mark.parametrize("at", [0.3, 0.6, 0.9])
def test_zeroed_heic_decodes_silently_and_is_refused(sample_small, at, monkeypatch):
    """512 zeroed bytes inside the coded image: libheif decodes without a word, libde265 warns, and
    the loader refuses the file with a sentence naming the decoder's warning (the pixel check, which
    runs first and may find colour garbage too, switched off here)."""
    import facemetrics.loader as loader

    monkeypatch.setattr(loader, "_refuse_garbage", lambda *a, **k: None)
    data = _encode(sample_small, "HEIF", quality=80)
    start, end = _mdat(data)
    bad = bytearray(data)
    i = start + int((end - start) * at)
    bad[i:i + 512] = bytes(512)
    bad = bytes(bad)
    Image.open(io.BytesIO(bad)).load()  # libheif itself reports nothing
    assert hevc_errors(bad)
    with pytest.raises(PhotoError) as err:
        load_photo(bad, name="zeroed.heic")
    msg = str(err.value)
    assert err.value.status == "unreadable" and "\n" not in msg
    assert msg.startswith("zeroed.heic: ") and "corrupt HEIF data (the HEVC decoder reported: " in msg, msg
    assert load_photo(data, name="clean.heic").rgb.shape == sample_small.shape


def test_simulated_images_pass(sample_analysis):
    """What facemetrics.simulate makes (lift, head pose, every nuisance) is not garbage."""
    from facemetrics import simulate

    images = [simulate.lift(sample_analysis, 3.0).image,
              simulate.head_pose(sample_analysis, yaw_deg=12.0).image,
              simulate.head_pose(sample_analysis, pitch_deg=-8.0, roll_deg=4.0).image]
    images += [f(sample_analysis).image for f in simulate.NUISANCES.values()]
    for i, img in enumerate(images):
        found = check_pixels(np.ascontiguousarray(img), mcu=(16, 16))
        assert not found.damaged, (i, found)


# ------------------------------------------------------------------ real clean photos (optional)

_REAL = ["london_ccby/london_061_m40_black_smiling.jpg", "london_ccby/london_136_f54_white_neutral.jpg",
         "canada_ccby/canada_003f.jpg", "debruine_cc0/debruine_pose_variation_2.jpg",
         "whitehouse_pd/obama_speaking.jpg", "whitehouse_pd/obama_portrait_letterboxed_480p.jpg",
         "whitehouse_pd/two_people.jpg", "whitehouse_pd/obama_official_portrait_2012.jpg"]


@pytest.mark.skipif(not FACES.is_dir(), reason="/work/shared/faces (real test photos) not present")
@pytest.mark.parametrize("rel", _REAL)
def test_real_clean_photos_pass_in_every_format(rel):
    """Real photos, reduced to 480 px, in every format, read by the loader (which runs the check)
    and checked directly: never damaged. (The whole clean set: bench/bench_integrity.py.)"""
    path = FACES / rel
    if not path.exists():
        pytest.skip(f"{rel} not present")
    img = Image.open(path).convert("RGB")
    img.thumbnail((480, 480), Image.LANCZOS)
    rgb = np.array(img)
    for kind, (fmt, kw) in FORMATS.items():
        if kind == "heic" and rel.startswith(("london", "canada")):
            continue  # HEIC encoding is the slow part; the other formats cover these
        out = load_photo(_encode(rgb, fmt, **kw), name=f"{kind}.x").rgb
        found = check_pixels(out, mcu=_mcu_of(kind))
        assert not found.damaged, (rel, kind, found)


def test_loader_reports_rows_of_the_stored_image_after_a_reduced_decode(sample_rgb):
    """A 3000-px JPEG is decoded at half scale (MCU 8 px in the decode): the drift is still
    found, and the message gives the row in pixels of the file, not of the reduced decode."""
    big = np.array(Image.fromarray(sample_rgb).resize((2400, 3000), Image.BICUBIC)).astype(np.int16)
    big[1600:1616, 640:] += np.array([45, 15, -20], np.int16)
    big[1616:] += np.array([45, 15, -20], np.int16)
    data = _encode(big.clip(0, 255).astype(np.uint8), "JPEG", quality=90)
    with pytest.raises(PhotoError) as err:
        load_photo(data, name="big.jpg")  # fast path: scale 2
    assert "the picture shifted by a" in str(err.value) and "from row 1600 down" in str(err.value), err.value
    clean = _encode(np.array(Image.fromarray(sample_rgb).resize((2400, 3000), Image.BICUBIC)), "JPEG", quality=90)
    assert load_photo(clean, name="big.jpg").scale == 2.0


# ------------------------------------------------------------------ the fast paths keep the decisions


def test_gathers_and_block_counts_match_plain_numpy():
    """The strided copies of the drift check and the block counts of the colour check give what
    plain slicing and summing give, also at the image's last row and column (4-byte items)."""
    from facemetrics.integrity.colour import _block_counts
    from facemetrics.integrity.drift import _boundary_rows

    rng = np.random.default_rng(11)
    for h, w, mh, cw, off, n, r in ((67, 100, 16, 16, 0, 16, 6), (51, 96, 8, 32, 3, 1, 4), (27, 24, 3, 8, 7, 1, 6),
                                    (51, 96, 8, 32, 3, 2, 6), (64, 64, 8, 8, 0, 1, 4)):
        rgb = rng.integers(0, 256, (h, w, 3), dtype=np.uint8)
        K, J = h // mh - 1, w // cw
        got = _boundary_rows(rgb, mh, K, J, cw, off, n, r)[..., :3]
        ys = (np.arange(1, K + 1) * mh)[:, None] + np.arange(-(r // 2), r - r // 2)  # (K, r)
        xs = (np.arange(J) * cw + off)[:, None] + np.arange(n)  # (J, n)
        want = rgb[ys[:, :, None, None], xs[None, None]]  # (K, r, J, n, 3)
        np.testing.assert_array_equal(got, want, err_msg=str((h, w, mh, cw, off, n, r)))
    hot = rng.random((48, 64)) < 0.4
    want = hot.reshape(6, 8, 8, 8)[:, :7, :, :7].sum(axis=(1, 3))
    np.testing.assert_array_equal(_block_counts(hot, 8), want)
    # the colour check's counts straight from the (H - 1, W - 1) gradient, at and around the level
    from facemetrics.integrity.colour import _hot_block_counts

    grad = rng.integers(0, 400, (47, 63)).astype(np.int16)
    for level in (129.5, 130.0, 130.5, 230.0):
        padded = np.zeros((48, 64), bool)
        padded[:-1, :-1] = grad > level
        np.testing.assert_array_equal(_hot_block_counts(grad, level, 8), _block_counts(padded, 8), err_msg=str(level))


def test_views_give_the_same_result_as_copies(decoded):
    """A strided view (mirrored, or a crop) is checked exactly like its contiguous copy."""
    rgb = decoded["jpeg_q95_444"].astype(np.int16)
    rgb[208:216, 96:] += 40
    rgb[216:] += 40
    drifted = rgb.clip(0, 255).astype(np.uint8)
    for img in (drifted, decoded["jpeg_q90"]):
        for view in (img[:, ::-1], img[8:, 16:-8]):
            assert check_pixels(view, mcu=(8, 8)) == check_pixels(np.ascontiguousarray(view), mcu=(8, 8))
    assert check_pixels(drifted, mcu=(8, 8)).damaged


def test_large_decode_drift_near_the_level_is_still_measured():
    """On a decode above 1 MP (the sampled drift path), a staircase a little below the level still
    gets its score (the quick exit only skips photos where no step can reach 0.6 x the level), and
    one above it is found where it starts."""
    rng = np.random.default_rng(3)
    h, w = 1024, 1280
    yy, xx = np.mgrid[0:h, 0:w]
    base = (100 + 40 * np.sin(xx / 90.0) + 30 * np.cos(yy / 70.0))[..., None] + rng.normal(0, 3, (h, w, 3))
    found = {}
    for d in (0, 20, 30):
        img = base.copy()
        img[512:528, 640:] += d
        img[528:] += d
        found[d] = check_pixels(img.clip(0, 255).astype(np.uint8), mcu=(16, 16))
    assert found[0] == PixelCheck(False, 0.0)
    assert not found[20].damaged and 0.6 <= found[20].score < 1.0, found[20]
    assert found[30].damaged and found[30].kind == "dc_drift" and found[30].row == 512, found[30]


# ---------------------------------------------------------------- grid HEICs (phone cameras)

@pytest.fixture(scope="module")
def grid_heic(tmp_path_factory, sample_path):
    """A 4 x 4 grid HEIC of 128 px tiles (the sample's face), written by libheif's grid encoder."""
    import heif_grid

    if not heif_grid.available():
        pytest.skip("pillow_heif's libheif has no grid encoder")
    rgb = np.asarray(Image.open(sample_path).convert("RGB"))[100:612, 300:812].copy()
    path = heif_grid.write_grid_heic(rgb, 128, tmp_path_factory.mktemp("grid") / "grid.heic")
    return path.read_bytes(), rgb


def test_a_clean_grid_heic_is_read_whole_with_no_decoder_warning(grid_heic):
    """Phones write HEICs as grids of tiles: every tile's coded image is found and decodes
    without a warning, and the photo loads as written."""
    data, rgb = grid_heic
    assert len(_hevc_items(data)) == 16
    assert hevc_errors(data) == ()
    photo = load_photo(data, name="grid.heic")
    assert photo.rgb.shape == rgb.shape and np.abs(photo.rgb.astype(int) - rgb).mean() < 2.0


@pytest.mark.parametrize("tile", [0, 5, 15])
def test_damage_inside_one_grid_tile_is_refused_by_the_decoder_warning(grid_heic, tile):
    data, _ = grid_heic
    slice_nal = max(_hevc_items(data)[tile], key=len)  # the tile's coded slice
    start = data.find(slice_nal)
    assert start > 0
    damaged = bytearray(data)
    mid = start + len(slice_nal) // 2
    damaged[mid:mid + 64] = bytes(64)
    with pytest.raises(PhotoError, match="HEVC decoder reported"):
        load_photo(bytes(damaged), name="grid.heic")


@pytest.fixture(scope="module")
def turned_grid_heics(tmp_path_factory, sample_path):
    """Grid HEICs as a phone writes a photo taken with the camera turned: an ``irot`` on the grid
    item, and (as iPhones do) an EXIF Orientation beside it; ``{(irot, exif): bytes}`` and the
    stored pixels."""
    import heif_grid

    if not heif_grid.available():
        pytest.skip("pillow_heif's libheif has no grid encoder")
    rgb = np.asarray(Image.open(sample_path).convert("RGB"))[100:612, 300:812].copy()
    folder = tmp_path_factory.mktemp("turned")
    files = {}
    for irot, exif in ((3, 6), (1, 8), (0, 6)):
        path = heif_grid.write_grid_heic(rgb, 128, folder / f"grid_{irot}_{exif}.heic", irot=irot,
                                         exif_orientation=exif)
        files[irot, exif] = path.read_bytes()
    return files, rgb


@pytest.mark.parametrize("irot, exif", [(3, 6), (1, 8), (0, 6)])
def test_a_turned_grid_heic_is_turned_once_by_its_irot(turned_grid_heics, irot, exif):
    """The grid's ``irot`` turns the photo (libheif applies it to the assembled grid, not per tile),
    and the EXIF Orientation beside it is not applied a second time (HEIF: ``irot`` is the
    rotation, EXIF's tag is informational; an iPhone's 3 + 6 are the same 90 degrees clockwise).
    Every tile is still found for the HEVC check, without a warning."""
    files, rgb = turned_grid_heics
    data = files[irot, exif]
    assert len(_hevc_items(data)) == 16 and hevc_errors(data) == ()
    photo = load_photo(data, name="turned.heic")
    assert np.abs(photo.rgb.astype(int) - np.rot90(rgb, irot)).mean() < 2.0
    if irot:  # (the picture is not symmetric: turned is not the same as not turned)
        assert np.abs(photo.rgb.astype(int) - rgb).mean() > 20.0


def test_damage_in_a_turned_grid_tile_is_refused(turned_grid_heics):
    files, _ = turned_grid_heics
    data = files[3, 6]
    nal = max(_hevc_items(data)[6], key=len)
    mid = data.find(nal) + len(nal) // 2
    damaged = bytearray(data)
    damaged[mid:mid + 64] = bytes(64)
    with pytest.raises(PhotoError, match="turned.heic: corrupt HEIF data \\(the HEVC decoder reported"):
        load_photo(bytes(damaged), name="turned.heic")


def test_the_grid_check_says_the_same_on_one_thread_or_two(grid_heic, monkeypatch):
    from facemetrics.integrity import hevc

    data, _ = grid_heic
    damaged = bytearray(data)
    for tile in (3, 9):  # two damaged tiles: the messages in tile order either way
        nal = max(_hevc_items(data)[tile], key=len)
        mid = data.find(nal) + len(nal) // 2
        damaged[mid:mid + 64] = bytes(64)
    said = {}
    for threads in (1, 2):
        monkeypatch.setattr(hevc, "HEVC_THREADS", threads)
        said[threads] = (hevc.hevc_errors(data), hevc.hevc_errors(bytes(damaged)))
    assert said[1] == said[2] and said[1][0] == () and said[1][1] != ()


@pytest.mark.skipif(not FACES.is_dir(), reason="/work/shared/faces (real test photos) not present")
@pytest.mark.parametrize("row", [256, 544])
def test_a_darkening_band_is_not_a_drift_but_a_shift_is(row):
    """A DC drift adds a constant, so the texture below the step keeps its strength. A caption banner
    multiplies it (x 0.4 + 20 over 64 rows from an MCU row, the whole width, the picture continuing
    under it), so its texture's energy drops 6 x and the long-run drift rule passes it. Before the
    energy test this real photo with such a band scored 2.2-2.7 (refused as damaged); the
    edited-photo bench refused 17 of 80 banners this way, 1 after. The same edge at row 256 as an
    additive shift of -60 levels from there down is still found (from row 544 down the picture is
    dark clothing, which the shift clips to black: not found, with or without the energy test)."""
    import simplejpeg

    im = Image.open(FACES / "canada_ccby" / "canada_003f.jpg").convert("RGB")
    x = np.asarray(im.resize((656, 880), Image.LANCZOS)).astype(np.float32)
    banded, shifted = x.copy(), x.copy()
    banded[row:row + 64] = banded[row:row + 64] * 0.4 + 20
    shifted[row:] -= 60
    for img, damaged in ((banded, False), (shifted, True))[:2 if row == 256 else 1]:
        data = _encode(np.clip(np.rint(img), 0, 255).astype(np.uint8), "JPEG", quality=90)
        found = check_pixels(simplejpeg.decode_jpeg(data, colorspace="RGB"), mcu=(16, 16))
        assert found.damaged == damaged, (row, damaged, found)
