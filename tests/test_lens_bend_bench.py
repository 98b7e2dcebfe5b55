"""bench/bench_lens_bend.py's radial fit measures what it says: on the sample photo, a barrel made with the
division model (``r_u = r_d / (1 + lam r_d^2)``, radius normalised by the half-diagonal; not the fit's
``c r^3``) reads ``c`` near ``lam`` in the two fits on the observed flow, a plain re-save and a simulated
2 mm lift (a vertical field below the nose) read next to nothing.  The bench found that this statistic
does not tell a bend from the scatter between two real captures (docs/robustness.md, 'A lens bend read
from the picture itself'), so no gate ships: these tests keep the bench's measurement honest, not a gate."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

from bench_lens_bend import bend_stats  # noqa: E402
from conftest import SAMPLES  # noqa: E402
from facemetrics import analyze_photo, simulate  # noqa: E402

LAM = -0.06


def _jpeg(x: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(x)).save(buf, "JPEG", quality=95)
    return buf.getvalue()


def division_barrel(x: np.ndarray, lam: float) -> np.ndarray:
    """``(H, W, 3)`` -> the picture whose pixel at normalised radius ``r_d`` shows the source at
    ``r_d / (1 + lam r_d^2)`` about the centre (``lam < 0``: barrel)."""
    h, w = x.shape[:2]
    cx, cy, norm = (w - 1) / 2, (h - 1) / 2, np.hypot(w, h) / 2
    yy, xx = np.mgrid[:h, :w].astype(np.float64)
    dx, dy = (xx - cx) / norm, (yy - cy) / norm
    s = 1.0 / (1.0 + lam * (dx * dx + dy * dy))
    return cv2.remap(x, (cx + dx * s * norm).astype(np.float32), (cy + dy * s * norm).astype(np.float32),
                     cv2.INTER_CUBIC, borderMode=cv2.BORDER_REFLECT)


@pytest.fixture(scope="module")
def before():
    a = analyze_photo(SAMPLES / "astronaut_before.jpg")
    assert a.ok
    return a


@pytest.fixture(scope="module")
def rgb():
    return np.asarray(Image.open(SAMPLES / "astronaut_before.jpg").convert("RGB"))


def _stats(before, img):
    b = analyze_photo(_jpeg(img), name="after.jpg")
    assert b.ok
    return bend_stats(before, b)


def test_a_division_model_barrel_reads_its_strength(before, rgb):
    s = _stats(before, division_barrel(rgb, LAM))
    for k in ("B", "P"):
        c, z = s[k]
        assert 0.6 * LAM > c > 1.4 * LAM, (k, c)
        assert abs(z) > 10, (k, z)


def test_a_resave_and_a_lift_read_next_to_nothing(before, rgb):
    for img in (rgb, simulate.lift(before, 2.0).image):
        s = _stats(before, img)
        for k in ("B", "P", "A"):
            assert abs(s[k][0]) < 0.1 * abs(LAM), (k, s[k])
