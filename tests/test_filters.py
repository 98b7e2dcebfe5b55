"""``facemetrics.filters`` gives SciPy's values (its reason to exist is not importing SciPy)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import ndimage

from facemetrics.filters import bilinear, dilate_disc, gaussian_filter1d, gaussian_kernel1d


@pytest.mark.parametrize("shape, sigma, axis, order", [
    ((120, 80), 3.0, 0, 0), ((120, 80), 1.6, 1, 2), ((120, 80), 4.4, -1, 2), ((60, 90), 2.2, 0, 2),
    ((150,), 6.0, 0, 0), ((5, 40), 12.0, 0, 0), ((7,), 9.0, 0, 0), ((3, 4), 0.6, 1, 2),
])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_gaussian_filter1d_equals_scipy(shape, sigma, axis, order, dtype):
    x = (np.random.default_rng(1).normal(size=shape) * 50 + 100).astype(dtype)
    ref = ndimage.gaussian_filter1d(x, sigma, axis=axis, order=order, mode="nearest")
    out = gaussian_filter1d(x, sigma, axis=axis, order=order)
    assert out.dtype == ref.dtype and out.shape == ref.shape
    tol = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(out, ref, rtol=0, atol=tol * np.abs(ref).max())


def test_gaussian_filter1d_of_ints_is_float_and_kernels_are_exact():
    impulse = np.zeros(21, dtype=np.int64)
    impulse[10] = 10
    out = gaussian_filter1d(impulse, 1.0)  # SciPy would return ints; the measures want floats
    assert out.dtype == np.float64 and out.sum() == pytest.approx(10.0) and out.argmax() == 10
    k = gaussian_kernel1d(2.0, 0, 8)
    assert k.sum() == pytest.approx(1.0, abs=1e-15) and np.all(k == k[::-1])
    d2 = gaussian_kernel1d(2.0, 2, 8)
    assert d2[8] < 0 and d2.sum() == pytest.approx(0.0, abs=1e-3)  # a valley detector: negative centre
    with pytest.raises(ValueError):
        gaussian_kernel1d(2.0, 1, 8)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_bilinear_equals_scipy_inside_on_and_outside_the_edges(dtype):
    rng = np.random.default_rng(2)
    img = (rng.normal(size=(40, 30)) * 30 + 100).astype(dtype)
    rows = np.concatenate([rng.uniform(-3, 43, 500), [0, 39, 39.0, -0.5, 38.999, 20]])
    cols = np.concatenate([rng.uniform(-3, 33, 500), [0, 29, 0.0, 29.5, 28.999, 7]])
    ref = ndimage.map_coordinates(img, [rows, cols], order=1, mode="nearest")
    out = bilinear(img, rows, cols)
    assert out.dtype == ref.dtype
    np.testing.assert_allclose(out, ref, rtol=1e-6 if dtype == np.float32 else 1e-12)
    assert bilinear(img, np.array([5.0]), np.array([7.0]))[0] == img[5, 7]  # a pixel centre is its value


def _in_a_fresh_process(code: str, modules: tuple[str, ...]) -> str:
    """Run ``code`` (which sets ``result``) in a new Python process; return ``"<result> [<those of
    modules it imported>]"``, its last line of output."""
    import os
    import subprocess
    import sys

    code += f"\nimport sys\nprint(result, sorted(m for m in {modules!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={**os.environ, "GLOG_minloglevel": "2"})
    lines = out.stdout.strip().splitlines()
    assert lines, out.stderr
    return lines[-1]


def test_measuring_a_photo_never_imports_scipy(sample_path):
    """What the filters are for: a fresh process measures a photo without importing SciPy."""
    code = f"from facemetrics import analyze_photo\nresult = analyze_photo({str(sample_path)!r}).status"
    assert _in_a_fresh_process(code, ("scipy", "skimage", "pandas")) == "ok []"


def _bilinear_plain(image, rows, cols):
    """The former form of ``bilinear`` (np.clip, 2-D fancy indexing), the reference."""
    h, w = image.shape
    r = np.clip(np.asarray(rows, dtype=np.float64), 0, h - 1)
    c = np.clip(np.asarray(cols, dtype=np.float64), 0, w - 1)
    r0 = np.minimum(r.astype(np.intp), h - 2)
    c0 = np.minimum(c.astype(np.intp), w - 2)
    fr, fc = r - r0, c - c0
    top = image[r0, c0] * (1.0 - fc) + image[r0, c0 + 1] * fc
    bottom = image[r0 + 1, c0] * (1.0 - fc) + image[r0 + 1, c0 + 1] * fc
    out = top * (1.0 - fr) + bottom * fr
    return out.astype(image.dtype, copy=False) if image.dtype.kind == "f" else out


def test_bilinear_is_its_plain_form_to_the_bit():
    rng = np.random.default_rng(3)
    for t in range(200):
        img = rng.normal(size=(int(rng.integers(2, 40)), int(rng.integers(2, 40)))) * 50
        img = img.astype([np.float32, np.float64][t % 2]) if t % 5 else (np.abs(img) % 255).astype(np.uint8)
        if t % 7 == 0 and min(img.shape) > 3:
            img = img[::2, 1:]  # a strided view
        rows = rng.uniform(-3, img.shape[0] + 3, size=(6, 5))
        cols = rng.uniform(-3, img.shape[1] + 3, size=(6, 5))
        rows[0, :2] = [-0.0, img.shape[0] - 1]
        cols[1, :2] = [-0.0, img.shape[1] - 1]
        out, ref = bilinear(img, rows, cols), _bilinear_plain(img, rows, cols)
        assert out.dtype == ref.dtype
        np.testing.assert_array_equal(out, ref)


def test_kept_kernels_cannot_be_changed_and_give_the_same_values():
    x = np.random.default_rng(2).normal(size=(30, 20))
    first = gaussian_filter1d(x, 2.5, axis=0)
    np.testing.assert_array_equal(gaussian_filter1d(x, 2.5, axis=0), first)
    from facemetrics.filters import _reversed_kernel

    k = _reversed_kernel(2.5, 0, 10)
    np.testing.assert_array_equal(k, gaussian_kernel1d(2.5, 0, 10)[::-1])
    with pytest.raises(ValueError):
        k[0] = 1.0  # read-only: a caller cannot corrupt the kept kernel


def test_comparing_photos_never_imports_scipy(sample_path):
    """A fresh process measures and compares two photos (the pose fit, the depth map, the flow
    sampling) without importing SciPy: its import cost 0.8 s of CPU per process."""
    code = ("from facemetrics import analyze_photo, compare_photos\n"
            f"a = analyze_photo({str(sample_path)!r})\n"
            f"b = analyze_photo({str(sample_path.with_name('astronaut_after.jpg'))!r})\n"
            "result = len(compare_photos(a, b).to_frame()) > 10")
    assert _in_a_fresh_process(code, ("scipy", "skimage")) == "True []"


def test_the_compare_command_never_imports_scipy(sample_path, tmp_path):
    """`facemetrics compare` (its tables, report lines and plots import the time-series package,
    which imports SciPy's optimisers only when it fits)."""
    after = sample_path.with_name("astronaut_after.jpg")
    code = ("from facemetrics.cli import main\n"
            f"result = main(['compare', {str(sample_path)!r}, {str(after)!r}, '-o', {str(tmp_path / 'c')!r}])")
    assert _in_a_fresh_process(code, ("scipy", "skimage")) == "0 []"
    assert any((tmp_path / "c").iterdir())


@pytest.mark.parametrize("r", [0, 1, 2, 3, 5, 8, 12, 16, 21, 30, 45])
def test_dilate_disc_is_opencvs_elliptic_dilation_to_the_bit(r):
    """The glasses' margin, the eyes' margin and the lips' margin are dilated by rectangles whose union is the
    ellipse (filters.dilate_disc): the same array as cv2.dilate by the elliptic kernel, at the borders too,
    on masks and on grey levels, on whole arrays and on views."""
    import cv2

    rng = np.random.default_rng(r)
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1))
    mask = (rng.random((97 + r, 131)) > 0.97).astype(np.uint8)
    mask[:3, :5] = 1  # at a corner: what reaches out of the image is dropped alike
    mask[40:60, 20:90] = 1
    grey = rng.integers(0, 256, (64, 80), dtype=np.uint8)
    view = np.zeros((120, 150), np.uint8)
    view[50:52, 70:71] = 1
    for image in (mask, grey, view[10:110, 20:140]):
        assert np.array_equal(dilate_disc(image, r), cv2.dilate(image, kernel))
    assert not np.array_equal(dilate_disc(view, r + 1), cv2.dilate(view, kernel))  # the test can fail


def test_channel_reductions_are_numpys_to_the_bit():
    """filters.channel_max / channel_min / channel_mean (the channel planes combined one by one, 50-100 x faster than
    NumPy's reduction over a last axis of 3) give ``image.max(2)`` / ``min(2)`` / ``mean(2)`` to the last bit: float32
    and float64, views, NaN, infinities and signed zeros; other dtypes fall back to NumPy's own."""
    from facemetrics.filters import channel_max, channel_mean, channel_min

    rng = np.random.default_rng(58)
    for dtype in (np.float32, np.float64):
        img = (rng.random((97, 131, 3)) * 300 - 20).astype(dtype)
        img[::5, ::3] = np.round(img[::5, ::3])  # ties between channels
        img[1, 1] = (np.nan, 1.0, 2.0)
        img[2, 2] = (np.inf, -np.inf, 0.0)
        img[3, 3] = (-0.0, 0.0, -0.0)
        img[4, 4] = (1e30, 1e30, -1e30)
        for x in (img, img[::2, 1::3], img[:, ::-1]):
            with np.errstate(invalid="ignore"):  # inf + -inf is NaN on purpose (both ways give it)
                pairs = [(mine(x), theirs) for mine, theirs in
                         ((channel_max, x.max(2)), (channel_min, x.min(2)), (channel_mean, x.mean(2)))]
            for (got, theirs), name in zip(pairs, ("channel_max", "channel_min", "channel_mean")):
                assert got.dtype == theirs.dtype and got.shape == theirs.shape
                assert got.tobytes() == theirs.tobytes(), name
    u8 = rng.integers(0, 256, (20, 30, 3), dtype=np.uint8)
    assert channel_mean(u8).tobytes() == u8.mean(2).tobytes() and channel_max(u8).tobytes() == u8.max(2).tobytes()

