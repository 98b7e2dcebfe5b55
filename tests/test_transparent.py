"""Photos with an alpha channel: the loader keeps the opacity (``Photo.alpha``) when some pixel is
not opaque, a fully opaque alpha channel changes nothing, and the analysis warns about a partly
transparent face or refuses one hidden by its transparency (status ``transparent``)."""

from __future__ import annotations

import io

import cv2
import numpy as np
import pytest
from PIL import Image

from facemetrics import analyze_photo
from facemetrics.loader import load_photo
from facemetrics.quality import MIN_FACE_OPACITY, TRANSPARENT_FACE_FRACTION, face_opacity
from facemetrics.schema import PHOTO_COLUMNS_DEF


def _encode(img: Image.Image, fmt: str, **kw) -> bytes:
    buf = io.BytesIO()
    img.save(buf, fmt, **kw)
    return buf.getvalue()


def _rgba(rgb: np.ndarray, alpha) -> np.ndarray:
    a = np.broadcast_to(np.asarray(alpha, np.uint8), rgb.shape[:2])
    return np.dstack([rgb, a])


def _png16(rgba8: np.ndarray) -> bytes:
    """A 16-bit-per-channel RGBA PNG (64-bit) whose 8-bit reduction is ``rgba8``."""
    bgra = cv2.cvtColor(rgba8, cv2.COLOR_RGBA2BGRA).astype(np.uint16) * 257
    ok, buf = cv2.imencode(".png", bgra)
    assert ok
    return buf.tobytes()


def _pattern() -> np.ndarray:
    rng = np.random.default_rng(5)
    return rng.integers(0, 256, (48, 64, 3), dtype=np.uint8)


# --- the loader ---------------------------------------------------------------------------------

_OPAQUE_FILES = {
    "RGBA PNG": lambda rgb: _encode(Image.fromarray(_rgba(rgb, 255), "RGBA"), "PNG"),
    "LA PNG": lambda rgb: _encode(Image.fromarray(_rgba(rgb, 255), "RGBA").convert("LA"), "PNG"),
    "16-bit RGBA PNG": lambda rgb: _png16(_rgba(rgb, 255)),
    "RGBA WebP (lossless)": lambda rgb: _encode(Image.fromarray(_rgba(rgb, 255), "RGBA"), "WEBP", lossless=True),
    "RGBA TIFF": lambda rgb: _encode(Image.fromarray(_rgba(rgb, 255), "RGBA"), "TIFF"),
}


@pytest.mark.parametrize("kind", list(_OPAQUE_FILES))
def test_an_opaque_alpha_channel_is_no_alpha(kind):
    rgb = _pattern()
    photo = load_photo(_OPAQUE_FILES[kind](rgb), name="x")
    assert photo.alpha is None
    want = np.repeat(np.asarray(Image.fromarray(rgb).convert("L"))[..., None], 3, 2) if kind.startswith("LA") else rgb
    np.testing.assert_array_equal(photo.rgb, want)


@pytest.mark.parametrize("kind", ["RGBA PNG", "16-bit RGBA PNG", "RGBA WebP (lossless)", "RGBA TIFF"])
def test_partial_alpha_is_kept_and_composited_on_white(kind):
    rgb = _pattern()
    alpha = np.full(rgb.shape[:2], 255, np.uint8)
    alpha[:, 32:] = 128
    data = {"RGBA PNG": lambda: _encode(Image.fromarray(_rgba(rgb, alpha), "RGBA"), "PNG"),
            "16-bit RGBA PNG": lambda: _png16(_rgba(rgb, alpha)),
            "RGBA WebP (lossless)": lambda: _encode(Image.fromarray(_rgba(rgb, alpha), "RGBA"), "WEBP", lossless=True),
            "RGBA TIFF": lambda: _encode(Image.fromarray(_rgba(rgb, alpha), "RGBA"), "TIFF")}[kind]()
    photo = load_photo(data, name="x")
    np.testing.assert_array_equal(photo.alpha, alpha)
    assert photo.alpha.dtype == np.uint8 and photo.alpha.flags.c_contiguous
    np.testing.assert_array_equal(photo.rgb[:, :32], rgb[:, :32])
    half = (rgb[:, 32:].astype(int) * 128 + 255 * 127 + 127) // 255
    assert np.abs(photo.rgb[:, 32:].astype(int) - half).max() <= 1


def test_transparent_palette_colour_and_rgb_colour_give_alpha():
    rgb = _pattern()
    pal = Image.fromarray(rgb).quantize(colors=8)
    idx = int(np.asarray(pal)[0, 0])
    p = load_photo(_encode(pal, "PNG", transparency=idx), name="p.png")
    np.testing.assert_array_equal(p.alpha == 0, np.asarray(pal) == idx)
    flat = rgb.copy()
    flat[:10, :10] = (1, 2, 3)
    q = load_photo(_encode(Image.fromarray(flat), "PNG", transparency=(1, 2, 3)), name="q.png")
    assert q.alpha is not None and np.all(q.alpha[:10, :10] == 0) and np.all(q.rgb[:10, :10] == 255)
    assert load_photo(_encode(pal, "PNG"), name="p2.png").alpha is None


def test_alpha_is_turned_upright_with_the_pixels():
    rgb = _pattern()
    alpha = np.full(rgb.shape[:2], 255, np.uint8)
    alpha[:8, :16] = 0  # top-left corner of the stored picture
    exif = Image.Exif()
    exif[274] = 6  # rotate 90 deg clockwise to show it
    photo = load_photo(_encode(Image.fromarray(_rgba(rgb, alpha), "RGBA"), "PNG", exif=exif.tobytes()), name="r")
    assert photo.rgb.shape[:2] == (64, 48) and photo.alpha.shape == (64, 48)
    np.testing.assert_array_equal(photo.alpha, np.rot90(alpha, -1))
    assert np.all(photo.rgb[photo.alpha == 0] == 255)


def test_arrays_and_pil_images_keep_alpha_too():
    rgb = _pattern()
    assert load_photo(_rgba(rgb, 255)).alpha is None
    np.testing.assert_array_equal(load_photo(_rgba(rgb, 255)).rgb, rgb)
    alpha = np.full(rgb.shape[:2], 200, np.uint8)
    np.testing.assert_array_equal(load_photo(_rgba(rgb, alpha)).alpha, alpha)
    np.testing.assert_array_equal(load_photo(Image.fromarray(_rgba(rgb, alpha), "RGBA")).alpha, alpha)
    assert load_photo(Image.fromarray(rgb)).alpha is None


def test_pixel_sha256_includes_the_alpha_channel():
    """Two files alike once composited on white (white pixels, one opaque, one transparent; and pixels that
    differ only where they are fully transparent) are two hashes; without alpha (and with an opaque alpha
    channel) the hash is the pixels' alone, as caches and tables written before it hold."""
    import hashlib

    rgb = _pattern()
    rgb[:16] = 255  # a white band: opaque in one file, transparent in the other
    alpha = np.full(rgb.shape[:2], 255, np.uint8)
    alpha[:16] = 0
    opaque = load_photo(_encode(Image.fromarray(rgb), "PNG"), name="o")
    cut = load_photo(_encode(Image.fromarray(_rgba(rgb, alpha), "RGBA"), "PNG"), name="c")
    np.testing.assert_array_equal(opaque.rgb, cut.rgb)  # the same composited pixels ...
    assert opaque.pixel_sha256 != cut.pixel_sha256  # ... but two pictures
    other = rgb.copy()
    other[:16] = 7  # other colours under the transparent band: the same picture, the same alpha
    again = load_photo(_encode(Image.fromarray(_rgba(other, alpha), "RGBA"), "PNG"), name="d")
    assert again.pixel_sha256 == cut.pixel_sha256
    half = alpha.copy()
    half[:16] = 128
    assert load_photo(_encode(Image.fromarray(_rgba(rgb, half), "RGBA"), "PNG"), name="h").pixel_sha256 \
        != cut.pixel_sha256
    # no alpha, or an opaque one: the shape, then the pixels, as before
    want = hashlib.sha256(repr(tuple(rgb.shape)).encode())
    want.update(np.ascontiguousarray(rgb))
    assert opaque.pixel_sha256 == want.hexdigest()
    assert load_photo(_encode(Image.fromarray(_rgba(rgb, 255), "RGBA"), "PNG"), name="a").pixel_sha256 \
        == want.hexdigest()


def test_same_pixels_needs_the_same_opacity():
    from types import SimpleNamespace

    from facemetrics.compare.copies import same_pixels

    rgb = _pattern()
    rgb[:16] = 255
    alpha = np.full(rgb.shape[:2], 255, np.uint8)
    alpha[:16] = 0
    opaque = SimpleNamespace(photo=load_photo(_encode(Image.fromarray(rgb), "PNG"), name="o"))
    cut = SimpleNamespace(photo=load_photo(_encode(Image.fromarray(_rgba(rgb, alpha), "RGBA"), "PNG"), name="c"))
    assert same_pixels(opaque, opaque) and same_pixels(cut, cut)
    assert not same_pixels(opaque, cut) and not same_pixels(cut, opaque)


def test_large_images_keep_alpha_band_by_band(monkeypatch):
    from facemetrics import loader

    monkeypatch.setattr(loader, "_BAND_PIXELS", 64 * 7)  # 7 rows a band: 7 bands for 48 rows
    rgb = _pattern()
    alpha = np.tile(np.arange(48, dtype=np.uint8)[:, None] * 5, (1, 64))
    photo = load_photo(_encode(Image.fromarray(_rgba(rgb, alpha), "RGBA"), "PNG"), name="b")
    np.testing.assert_array_equal(photo.alpha, alpha)


def test_face_opacity_counts_the_face_hull_only():
    pts = np.zeros((478, 2))
    t = np.linspace(0, 2 * np.pi, 468, endpoint=False)
    pts[:468] = np.c_[50 + 20 * np.cos(t), 50 + 20 * np.sin(t)]
    alpha = np.zeros((100, 100), np.uint8)
    cv2.circle(alpha, (50, 50), 23, 255, -1)  # opaque face, transparent background (a cut-out)
    assert face_opacity(alpha, pts) == (0.0, 1.0)
    alpha[50:] = np.minimum(alpha[50:], 128)  # the lower half of the face half transparent
    fraction, opacity = face_opacity(alpha, pts)
    assert 0.4 < fraction < 0.6 and 0.7 < opacity < 0.8


# --- the analysis of the sample face made transparent -------------------------------------------


def _analyze_rgba(rgb: np.ndarray, alpha, name: str):
    return analyze_photo(_encode(Image.fromarray(_rgba(rgb, alpha), "RGBA"), "PNG"), name=name)


def test_opaque_alpha_gives_byte_identical_metrics(sample_rgb):
    plain = analyze_photo(_encode(Image.fromarray(sample_rgb), "PNG"), name="face.png").to_row()
    for kind, data in (("RGBA", _encode(Image.fromarray(_rgba(sample_rgb, 255), "RGBA"), "PNG")),
                       ("RGBA16", _png16(_rgba(sample_rgb, 255)))):
        row = analyze_photo(data, name="face.png").to_row()
        assert row["status"] == "ok" and row["warnings"] == plain["warnings"], kind
        diff = {k: (plain[k], row[k]) for k in plain if k != "sha256" and repr(plain[k]) != repr(row[k])}
        assert not diff, (kind, diff)


def test_a_semi_transparent_face_warns(sample_rgb, sample_analysis):
    res = _analyze_rgba(sample_rgb, 128, "half.png")
    assert res.status == "ok"
    msg = [w for w in res.warnings if "transparent" in w]
    assert len(msg) == 1 and "100 % of the face is partly transparent" in msg[0] and "opacity 50 %" in msg[0], msg
    assert "fold depth" in msg[0]
    assert "partly transparent" in res.to_row()["warnings"]
    # the defect warned about: the folds read shallower on the faded copy
    assert res.nlf_right.depth_index < 0.7 * sample_analysis.nlf_right.depth_index


def test_a_mostly_transparent_face_is_refused(sample_rgb):
    res = _analyze_rgba(sample_rgb, 64, "faint.png")
    assert res.status == "transparent" and not res.ok
    assert "mostly transparent" in res.error and "opacity 25 %" in res.error and "faint.png" in res.error
    row = res.to_row()
    assert row["status"] == "transparent" and row["nlf_depth_right"] is None and row["jaw_width_mm"] is None
    assert row["fit_for_comparison"] is not True


def test_a_fully_transparent_photo_says_why_no_face_was_found(sample_rgb):
    res = _analyze_rgba(sample_rgb, 0, "gone.png")
    assert res.status == "no_face" and "100 % of the picture is transparent" in res.error


def test_a_cut_out_portrait_is_noted_not_warned_of_its_face(sample_rgb, sample_analysis):
    alpha = np.zeros(sample_rgb.shape[:2], np.uint8)
    p = sample_analysis.points[:468, :2]
    c = p.mean(0)
    cv2.fillConvexPoly(alpha, cv2.convexHull(np.round(c + 1.25 * (p - c)).astype(np.int32)), 255)
    alpha = cv2.GaussianBlur(alpha, (31, 31), 0)
    res = _analyze_rgba(sample_rgb, alpha, "cutout.png")
    assert res.status == "ok" and not any("partly transparent" in w for w in res.warnings), res.warnings
    note = [w for w in res.warnings if "transparent" in w]
    assert len(note) == 1 and "of the picture is transparent" in note[0] and "the face is opaque" in note[0]


def test_a_transparent_patch_over_one_fold_warns(sample_rgb, sample_analysis):
    alpha = np.full(sample_rgb.shape[:2], 255, np.uint8)
    x, y = np.round(sample_analysis.points[206, :2]).astype(int)  # beside the subject's right fold
    alpha[y - 40:y + 40, x - 40:x + 40] = 100
    res = _analyze_rgba(sample_rgb, alpha, "patch.png")
    fraction, opacity = face_opacity(alpha, res.points)
    assert TRANSPARENT_FACE_FRACTION < fraction < 0.5 and opacity > MIN_FACE_OPACITY
    assert res.status == "ok" and any("partly transparent" in w for w in res.warnings)


def test_the_status_is_documented():
    status = next(c for c in PHOTO_COLUMNS_DEF if c.name == "status")
    assert "`transparent`" in status.definition
