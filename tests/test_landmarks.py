"""Face Mesh on a face that takes a small part of a large picture: found through the full-range
detector's box and a crop around it (``landmarks._small_face_faces``), landmarks in the picture's pixels."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from conftest import SAMPLES
from facemetrics import analyze_photo
from facemetrics.landmarks import _mesh_faces, detect_landmarks

#: the sample photo's face width (lower face oval, px) at its own size, 2026-12-04
SAMPLE_FACE_PX = 736.0


def canvas(face_px: float, centre=(1500, 1125), size=(3000, 2250)) -> tuple[np.ndarray, tuple[int, int]]:
    """The bundled sample photo scaled so that its face is about ``face_px`` wide, pasted on a grey canvas
    (``size`` (W, H) px) centred at ``centre`` (x, y); the canvas and the pasted photo's top-left (x, y)."""
    im = Image.open(SAMPLES / "astronaut_before.jpg").convert("RGB")
    s = face_px / SAMPLE_FACE_PX
    x = im.resize((round(im.width * s), round(im.height * s)), Image.LANCZOS)
    c = Image.new("RGB", size, (120, 130, 140))
    at = (centre[0] - x.width // 2, centre[1] - x.height // 2)
    c.paste(x, at)
    return np.array(c), at


@pytest.fixture(scope="module")
def small_face():
    return canvas(220)


def test_small_face_on_a_large_canvas_is_found_where_it_is(small_face):
    rgb, (left, top) = small_face
    assert not _mesh_faces(rgb)  # Face Mesh alone (its short-range detector) does not find it
    found = detect_landmarks(rgb)
    assert found is not None and found.n_faces == 1
    pts = found.points
    assert 200 < np.ptp(pts[:, 0]) < 260
    # the same face measured on the pasted photo alone (a portrait: found directly), moved to the canvas
    h, w = round(1600 * 220 / SAMPLE_FACE_PX), round(1280 * 220 / SAMPLE_FACE_PX)
    alone = _mesh_faces(np.ascontiguousarray(rgb[top:top + h, left:left + w]))
    assert len(alone) == 1
    ref = alone[0] + (left, top, 0)
    assert np.median(np.abs(pts[:, :2] - ref[:, :2])) < 1.0  # px: mapped back to the canvas' pixels


def test_small_face_is_measured(small_face, tmp_path):
    rgb, _ = small_face
    p = tmp_path / "smallface.png"
    Image.fromarray(rgb).save(p)
    r = analyze_photo(p)
    assert r.ok, r.error
    assert 200 < r.to_row()["face_width_px"] < 240


def test_face_narrower_than_the_minimum_is_too_small_not_missing(tmp_path):
    rgb, _ = canvas(110, centre=(700, 1600))  # off centre: found in a tile
    p = tmp_path / "tiny.png"
    Image.fromarray(rgb).save(p)
    r = analyze_photo(p)
    assert r.status == "too_small", (r.status, r.error)


def test_no_face_still_none():
    rgb = np.full((2250, 3000, 3), 128, np.uint8)
    rgb[500:900, 800:1500] = (200, 40, 40)
    assert detect_landmarks(rgb) is None
