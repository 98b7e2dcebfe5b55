"""JPEG blocks coded beyond black or white (``facemetrics.integrity.jpeg_dc_out_of_range``): a wrongly decoded
DC difference that shifts the rest of the scan below black is found, although libjpeg clips it and reports
nothing; clean awkward JPEGs (letterbox bars, pure black / white, saturated colours, every subsampling,
quality 5 to 100, grayscale, progressive, odd sizes) are not.

The fuzz-set figures and the clean-set margins are in ``docs/robustness.md`` ("JPEG: coded block means out
of range")."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import facemetrics.loader as loader
from facemetrics.errors import PhotoError
from facemetrics.integrity import DC_RANGE_LEVELS, check_pixels, jpeg_dc_out_of_range
from facemetrics.integrity.jpeg import _dc_squeezed

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from fuzzing import clean_files  # noqa: E402

#: one flipped bit in the fuzz sample's baseline JPEG (320 x 400, quality 90) -> the rest of the picture
#: from about row 224 darker by 130-250 levels, mostly clipped to black: fuzz seeds 1 / 3 / 5, bit flips
#: 12 / 31 / 45, which the pixel check lets through (design seeds; jowl lift 18-69 x its noise floor)
FLIPS = [(17243, 128), (17161, 16), (18897, 64)]


def _encode(rgb: np.ndarray, **kw) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, "JPEG", **kw)
    return buf.getvalue()


@pytest.fixture(scope="module")
def sample_jpeg() -> bytes:
    return clean_files(heic=False)["jpeg"]


@pytest.mark.parametrize("offset, mask", FLIPS)
def test_a_drift_clipped_to_black_is_found_where_the_drift_search_sees_nothing(sample_jpeg, offset, mask):
    import simplejpeg

    from facemetrics.integrity.drift import _dc_drift

    bad = bytearray(sample_jpeg)
    bad[offset] ^= mask
    rgb = simplejpeg.decode_jpeg(bytes(bad), colorspace="RGB", strict=True)  # libjpeg reports nothing
    assert not _dc_drift(rgb, (16, 16)).damaged  # nor does the drift search (clipped: no step to see)
    found = jpeg_dc_out_of_range(bytes(bad))
    assert found.damaged and found.kind == "dc_range" and found.score >= 1.0, found
    assert 208 <= found.row <= 272, found  # the damaged MCU row (the shift starts at rows 224-256)
    assert "beyond black or white" in found.what
    both = check_pixels(rgb, mcu=(16, 16), jpeg=bytes(bad))  # (check_pixels passes it on: the first damage)
    assert both.damaged and both.row <= found.row, both
    assert not jpeg_dc_out_of_range(sample_jpeg).damaged  # the clean counterpart
    assert jpeg_dc_out_of_range(sample_jpeg).score == 0.0


def test_colours_outside_the_rgb_cube_are_not_damage(sample_jpeg):
    """A JPEG encoded from YCbCr (a video frame grab, a camera pipeline) holds colours outside the RGB
    cube; so does a chroma shift of a damaged file (fuzz seed 5, bit flip 27: 408 MCUs' mean colours
    outside it, every component within 0 .. 255). Neither is refused: such a check refused undamaged
    video frames."""
    ycc = np.asarray(Image.open(io.BytesIO(sample_jpeg)).convert("YCbCr")).astype(np.float32)
    ycc[..., 1:] = np.clip((ycc[..., 1:] - 128.0) * 2.0 + 128.0, 0, 255)  # saturated chroma, as coded
    buf = io.BytesIO()
    Image.fromarray(ycc.astype(np.uint8), "YCbCr").save(buf, "JPEG", quality=90)
    assert not jpeg_dc_out_of_range(buf.getvalue()).damaged
    bad = bytearray(sample_jpeg)
    bad[1829] ^= 32
    assert not jpeg_dc_out_of_range(bytes(bad)).damaged


def test_progressive_drift_clipped_to_black_is_found():
    """A progressive JPEG whose first (DC) scan has one DC difference decoded wrongly: found alike (the
    squeezed decode reads every scan)."""
    data = clean_files(heic=False)["jpeg_progressive"]
    assert not jpeg_dc_out_of_range(data).damaged
    found = [jpeg_dc_out_of_range(bytes(b)) for b in _dc_scan_flips(data)]
    assert any(f.damaged and f.kind == "dc_range" for f in found), found


def _dc_scan_flips(data: bytes):
    """Copies of a progressive JPEG with one bit flipped in the middle of its first scan (DC only)."""
    sos = data.find(b"\xff\xda")
    start = sos + 2 + int.from_bytes(data[sos + 2:sos + 4], "big")
    end = data.find(b"\xff\xda", start)
    for i in range((start + end) // 2, (start + end) // 2 + 8):
        for bit in (1, 16, 128):
            b = bytearray(data)
            b[i] ^= bit
            yield b


def _awkward() -> dict[str, np.ndarray]:
    """Pictures at the ends of the range: letterboxed, pure black / white, saturated primaries on the MCU
    grid, a black-and-white checkerboard, a white-on-black text-like pattern (uint8 RGB)."""
    rng = np.random.default_rng(0)
    sample = np.array(Image.open(ROOT / "sample_images" / "astronaut_before.jpg").convert("RGB").resize((320, 400)))
    letterbox = np.zeros((480, 320, 3), np.uint8)
    letterbox[40:440] = sample
    primaries = np.zeros((256, 256, 3), np.uint8)
    for i, c in enumerate([(255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 0), (0, 255, 255), (255, 0, 255),
                           (0, 0, 0), (255, 255, 255)]):
        primaries[(i // 4) * 128:(i // 4 + 1) * 128, (i % 4) * 64:(i % 4 + 1) * 64] = c
    checker = ((np.indices((240, 320)).sum(axis=0) // 8) % 2 * 255).astype(np.uint8)
    text = np.zeros((200, 336), np.uint8)
    text[rng.random((200, 336)) < 0.15] = 255
    stripes = np.zeros((160, 160, 3), np.uint8)  # one-pixel red / blue columns: the most chroma an MCU holds
    stripes[:, 0::2, 0] = 255
    stripes[:, 1::2, 2] = 255
    return {"letterbox": letterbox, "black": np.zeros((96, 128, 3), np.uint8),
            "primaries_off_grid": np.roll(primaries, (4, 20), axis=(0, 1)), "red_blue_stripes": stripes,
            "white": np.full((96, 128, 3), 255, np.uint8), "primaries": primaries,
            "checker": np.repeat(checker[:, :, None], 3, axis=2), "text": np.repeat(text[:, :, None], 3, axis=2),
            "odd_size": sample[:417 - 17, :333 - 13]}


@pytest.mark.parametrize("name", list(_awkward()))
@pytest.mark.parametrize("kw", [dict(quality=5), dict(quality=30), dict(quality=90), dict(quality=100),
                                dict(quality=90, subsampling=0), dict(quality=75, subsampling=1),
                                dict(quality=85, progressive=True), dict(quality=50, progressive=True, subsampling=0)],
                         ids=["q5", "q30", "q90", "q100", "444", "422", "prog", "prog444"])
def test_clean_awkward_jpegs_are_not_out_of_range(name, kw):
    rgb = _awkward()[name]
    data = _encode(rgb, **kw)
    found = jpeg_dc_out_of_range(data)
    assert not found.damaged and found.score < 0.5, (name, kw, found)
    gray = _encode(rgb.mean(axis=2).astype(np.uint8), **kw)  # (one component)
    assert not jpeg_dc_out_of_range(gray).damaged


def test_a_file_shifted_below_black_is_out_of_range_and_one_at_the_edge_is_not(sample_jpeg):
    """The check's arithmetic on a file whose blocks really are coded below black: the clean sample's luma DC
    quantiser rewritten from 3 to 9 triples every block's coded distance from 128 (dark blocks go below 0)."""
    squeezed, tables, comps = _dc_squeezed(sample_jpeg)
    assert tables[0][0] == 3 and comps[0][1:3] == (2, 2)  # (quality 90, 4:2:0)
    i = sample_jpeg.find(b"\xff\xdb")
    bad = bytearray(sample_jpeg)
    assert bad[i + 5] == 3  # table 0's first (DC) entry
    bad[i + 5] = 9
    found = jpeg_dc_out_of_range(bytes(bad))
    assert found.damaged and found.score > 5, found
    bad[i + 5] = 3 + 1  # every block 1.33 x as far from 128: the darkest (about 0) move about 43 levels
    assert jpeg_dc_out_of_range(bytes(bad)).damaged
    assert DC_RANGE_LEVELS == 8.0


def test_what_the_check_cannot_read_is_passed():
    """Large files (over max_pixels), non-JPEG bytes, an Adobe RGB JPEG, a quantiser of 1 (quality 100:
    nothing to squeeze) are not checked: not damaged, score 0."""
    rgb = np.zeros((64, 64, 3), np.uint8)
    data = _encode(rgb, quality=90)
    assert jpeg_dc_out_of_range(data, max_pixels=64 * 64 - 1) == jpeg_dc_out_of_range(b"not a jpeg")
    assert not jpeg_dc_out_of_range(b"\xff\xd8\xff").damaged
    assert _dc_squeezed(_encode(rgb, quality=100))[1][0] == (1, 1)
    adobe_rgb = data[:2] + b"\xff\xee\x00\x0eAdobe\x00\x64\x00\x00\x00\x00\x00" + data[2:]
    assert _dc_squeezed(adobe_rgb) is None


def _loader_passes_the_file() -> bool:
    import inspect

    return "jpeg" in inspect.signature(loader._refuse_garbage).parameters


@pytest.mark.skipif(not _loader_passes_the_file(),
                    reason="the loader does not pass the JPEG file to check_pixels yet (docs/robustness.md)")
def test_loader_refuses_a_drift_clipped_to_black(sample_jpeg):
    bad = bytearray(sample_jpeg)
    bad[FLIPS[0][0]] ^= FLIPS[0][1]
    with pytest.raises(PhotoError, match=r"flip\.jpg: the decoded pixels look damaged: \d+ blocks of 8 x 8 px coded "
                       r"up to \d+ levels beyond black or white, which no encoder writes "
                       r"from row \d+ down"):
        loader.load_photo(bytes(bad), name="flip.jpg")
    assert loader.load_photo(sample_jpeg, name="clean.jpg").rgb.shape == (400, 320, 3)


def test_a_reduced_decode_gets_the_row_in_its_own_grid(sample_jpeg):
    import simplejpeg

    bad = bytearray(sample_jpeg)
    bad[FLIPS[0][0]] ^= FLIPS[0][1]
    full = jpeg_dc_out_of_range(bytes(bad))
    half = simplejpeg.decode_jpeg(bytes(bad), colorspace="RGB", min_width=160, min_height=200)
    found = check_pixels(half, mcu=(8, 8), jpeg=bytes(bad))
    assert found.damaged and (found.row, found.col) == (full.row // 2, full.col // 2), (found, full)



# ------------------------------------------------------------------ good photos an audit used against a rule

FACES = ROOT.parent / "shared" / "faces"


@pytest.mark.parametrize("size", [96, 160, 320])
def test_smooth_colour_gradients_are_not_refused(size):
    """A smooth, slightly tilted red-to-blue gradient (no damage) at several sizes: its block means step by
    one quantiser along banding lines near the block rows, which an in-range drift rule tried on
    2026-12-02 took for a drift (docs/robustness.md "JPEG: in-range DC drift (tried, not shipped)"). Read
    as a good photo, and no block is coded out of range."""
    yy, xx = np.mgrid[:size, :size]
    t = (yy - 0.05 * xx) / size
    rgb = np.clip(np.rint(np.stack([128 + 40 * (t - 0.5), 128 + 0 * t, 128 - 40 * (t - 0.5)], -1)), 0, 255)
    data = _encode(rgb.astype(np.uint8), quality=85)
    assert loader.load_photo(data, name="gradient.jpg").rgb.shape == (size, size, 3)
    assert jpeg_dc_out_of_range(data).score == 0.0


@pytest.mark.skipif(not FACES.is_dir(), reason="../shared/faces (real test photos) not present")
@pytest.mark.parametrize("photo, side, quality, subsampling, ramp", [
    ("canada_ccby/canada_026f.jpg", 160, 75, 2, 0.0),  # a thumbnail, Pillow's default 4:2:0
    ("canada_ccby/canada_117m.jpg", 480, 75, 1, 0.0),  # 4:2:2
    ("canada_ccby/canada_100m.jpg", 480, 90, 1, 0.0),
    ("london_ccby/london_003_f38_white_neutral.jpg", 774, 75, 2, 0.05),  # blue x 0.95 .. 1.05, top to bottom
    ("whitehouse_pd/obama_speaking.jpg", 1313, 85, 2, 0.0),  # the lectern, at the size that tripped it
])
def test_resized_real_photos_are_not_refused(photo, side, quality, subsampling, ramp):
    """Unedited (or gently colour-ramped) real photos, mirrored, resized and re-saved by Pillow: each one was
    refused as damaged by the in-range drift rule tried on 2026-12-02 (an audit found 229 of 18720 such
    resized photos refused); the loader must read them all."""
    src = Image.open(FACES / photo).convert("RGB").transpose(Image.FLIP_LEFT_RIGHT)
    scale = side / max(src.size)
    rgb = np.asarray(src.resize((round(src.size[0] * scale), round(src.size[1] * scale)), Image.LANCZOS))
    if ramp:
        rgb = rgb.astype(np.float32)
        rgb[..., 2] *= np.linspace(1 - ramp, 1 + ramp, rgb.shape[0])[:, None]
        rgb = np.clip(np.rint(rgb), 0, 255).astype(np.uint8)
    data = _encode(np.ascontiguousarray(rgb), quality=quality, subsampling=subsampling)
    assert loader.load_photo(data, name="resized.jpg").rgb.shape == rgb.shape


@pytest.mark.skipif(not FACES.is_dir(), reason="../shared/faces (real test photos) not present")
def test_two_blocks_exactly_at_the_level_are_refused_not_a_crash():
    """A real photo (905 x 905, OpenCV quality 33, 4:4:4, progressive) with one bit flipped: its two
    strongest blocks are coded exactly DC_RANGE_LEVELS (8.0) beyond the range, so the score is exactly 1.0
    (damaged); the damaged block was looked for strictly above the level, found none, and the loader raised
    IndexError (found on 2026-12-02 by a fuzz of edited real photos). Now it is refused with a reason."""
    import cv2

    im = np.asarray(Image.open(FACES / "london_ccby" / "london_062_f30_black_smiling.jpg").convert("RGB"))
    x = cv2.resize(im, (905, 905), interpolation=cv2.INTER_AREA)
    ok, buf = cv2.imencode(".jpg", x[:, :, ::-1], [cv2.IMWRITE_JPEG_QUALITY, 33, cv2.IMWRITE_JPEG_PROGRESSIVE, 1,
                                                   cv2.IMWRITE_JPEG_SAMPLING_FACTOR,
                                                   cv2.IMWRITE_JPEG_SAMPLING_FACTOR_444])
    bad = bytearray(buf.tobytes())
    if len(bad) != 30553:
        pytest.skip("another libjpeg build encodes this photo otherwise (the flipped bit is then elsewhere)")
    bad[2985] ^= 0x04
    found = jpeg_dc_out_of_range(bytes(bad))
    assert found.damaged and found.score == 1.0 and found.row is not None, found
    with pytest.raises(PhotoError, match=r"beyond black or white"):
        loader.load_photo(bytes(bad), name="flipped.jpg")
