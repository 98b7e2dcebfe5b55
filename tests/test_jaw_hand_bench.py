"""bench/jaw_hand.py (stop 40): the donor-skinned hand over one jaw side, the skin-coloured background, the
lower-face edge features, and bench_jaw_covers' pairwise side rule (candidates that failed their rules; nothing
of them is in the package)."""

from __future__ import annotations

import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

import jaw_hand as jh  # noqa: E402
from facemetrics import analyze_photo  # noqa: E402
from facemetrics.geometry import CHIN, FACE_OVAL  # noqa: E402


def _composite(rgb, layer):
    al, col, _ = layer
    return np.clip(rgb.astype(np.float32) * (1 - al[..., None]) + col * al[..., None] + 0.5, 0, 255).astype(np.uint8)


@pytest.fixture(scope="module")
def donor(sample_analysis):
    """A donor of another tone: the sample's cheek skin texture with a darker, browner colour."""
    d = jh.donor_skin(sample_analysis)
    return dict(d, colour=np.float32([150, 100, 75]))


def test_the_hand_lies_on_its_side_in_the_donors_colour(sample_analysis, donor):
    a = sample_analysis
    for seed in range(4):
        al, col, desc = jh.layer_hand_skin(a, np.random.default_rng(seed), donor)
        side = desc.split()[0]
        ys, xs = np.nonzero(al > 0.9)
        assert len(xs) > 1000
        # the subject's right is image left of the chin in this frontal photo
        assert (xs.mean() < a.points[CHIN, 0]) == (side == "right"), (seed, desc)
        inside = col[al > 0.9].reshape(-1, 3)
        med = np.median(inside, axis=0)
        assert np.all(np.abs(med - donor["colour"]) < 0.25 * donor["colour"]), (med, donor["colour"])


def test_the_features_change_on_the_hands_side(sample_analysis, donor):
    a = sample_analysis
    layer = jh.layer_hand_skin(a, np.random.default_rng(1), donor)
    side = layer[2].split()[0]
    other = "left" if side == "right" else "right"
    h = analyze_photo(_composite(a.photo.rgb, layer), name="hand.png")
    assert h.ok, h.error
    f0, f1 = jh.lower_face_features(a), jh.lower_face_features(h)
    assert all(np.isfinite(v) for k, v in f0.items() if k.startswith("tex")), f0
    # the hand's side changes, the other hardly: on this photo (an upscaled JPEG, a smile) the hand's smooth
    # skin is LESS rough than the cheek it covers, one reason the edge cue failed on real photos
    assert abs(f1[f"tex2_{side}"] - f0[f"tex2_{side}"]) > 0.1, (f0, f1)
    assert abs(f1[f"tex2_{other}"] - f0[f"tex2_{other}"]) < 0.5 * abs(f1[f"tex2_{side}"] - f0[f"tex2_{side}"])


def test_the_skin_background_never_reaches_into_the_face(sample_analysis):
    a = sample_analysis
    al, col, _ = jh.layer_bg_skin(a, np.random.default_rng(0))
    face = np.zeros(al.shape, np.uint8)
    cv2.fillPoly(face, [np.round(a.points[list(FACE_OVAL), :2]).astype(np.int32)], 1)
    r = int(round(6.0 / a.mm_per_px))
    inner = cv2.erode(face, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1))).astype(bool)
    assert al[inner].max() < 0.05
    assert (al > 0.5).mean() > 0.01  # it painted something


def test_the_pairwise_side_rule():
    from bench_jaw_covers import p_side

    assert p_side(0.10, 0.10, 0.40, 0.11, 0.03) == "right"  # a hand on the right in the second photo
    assert p_side(0.10, 0.40, 0.11, 0.10, 0.03) == "left"  # a hand on the left in the first photo
    assert p_side(0.10, 0.10, 0.11, 0.40, 0.03) == "left"
    assert p_side(0.10, 0.10, 0.12, 0.11, 0.03) is None  # within the limit
    assert p_side(float("nan"), 0.1, 0.1, 0.1, 0.03) is None
