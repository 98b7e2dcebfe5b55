"""A face cut by the picture's edge through its middle (docs/robustness.md, 'A face cut at the left edge'):
Face Mesh finds nothing there, and the ``no_face`` message says the face may be cut off by that edge (a face
shows in the picture widened by a grey border, :func:`facemetrics.landmarks.cut_face_edges`).  A left cut of
the sample and the right cut of its mirror image give the same status and the mirrored edge."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from skimage import data

from facemetrics.analyze import analyze_photo
from facemetrics.landmarks import cut_face_edges

BEFORE = Path(__file__).resolve().parents[1] / "sample_images" / "astronaut_before.jpg"


@pytest.fixture(scope="module")
def sample() -> np.ndarray:
    im = Image.open(BEFORE).convert("RGB")
    return np.asarray(im.resize((im.width // 2, im.height // 2), Image.Resampling.LANCZOS))  # 640 x 800


@pytest.mark.parametrize("gone", [0.45, 0.50, 0.55])
def test_a_face_cut_at_the_left_says_so_and_its_mirror_at_the_right(sample, gone):
    w = sample.shape[1]
    left_cut = np.ascontiguousarray(sample[:, int(w * gone):])
    right_cut = np.ascontiguousarray(sample[:, ::-1][:, :w - int(w * gone)])  # the same pixels, mirrored
    a, b = analyze_photo(left_cut, name="left.png"), analyze_photo(right_cut, name="right.png")
    assert a.status == b.status == "no_face"
    assert "may be cut off by the image's left edge" in a.error and "well lit" not in a.error
    assert "may be cut off by the image's right edge" in b.error


def test_a_face_cut_less_deeply_is_measured_and_flagged_on_either_side(sample):
    w = sample.shape[1]
    for rgb in (sample[:, int(w * 0.38):], sample[:, ::-1][:, :w - int(w * 0.38)]):
        a = analyze_photo(np.ascontiguousarray(rgb))
        assert a.status == "ok" and a.quality.cut_landmarks > 0
        assert any("face cut by the image edge" in f for f in a.quality.flags)


def test_a_face_cut_at_the_top_names_the_top_edge(sample):
    assert cut_face_edges(np.ascontiguousarray(sample[sample.shape[0] // 2:])) == ("top",)


@pytest.mark.parametrize("name", ["coffee", "rocket"])
def test_a_picture_without_a_face_keeps_the_plain_message(name):
    a = analyze_photo(getattr(data, name)())
    assert a.status == "no_face" and "well lit" in a.error and "cut off" not in a.error
    assert cut_face_edges(np.full((10000, 40, 3), 120, np.uint8)) == ()  # a strip: reduced before bordering
