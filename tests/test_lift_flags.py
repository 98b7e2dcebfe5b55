"""A lift that raises the mouth corners raises the per-photo smile score (facemetrics.quality.smile_score): pinned
on synthetic landmarks, the finding of bench/bench_lift_flags.py (docs/robustness.md 'Does a lift set off the
per-photo flags?').  The truth is the score's own definition applied to a displacement of the corners up and 30 deg
outward (the oblique lift of bench/bench_coverage.py), not the method's lift shape."""

from __future__ import annotations

import numpy as np
import pytest

from facemetrics.geometry import LEFT_IRIS, MOUTH_LEFT, MOUTH_RIGHT, RIGHT_IRIS, levelled_frame
from facemetrics.quality import MAX_SMILE_SCORE, SMILE_CORNER_DEPTH_IPD, SMILE_WIDTH_IPD, smile_score

IPD_MM = 62.0
MM_PER_PX = 0.31  # IPD 200 px
OUTWARD = np.tan(np.radians(30.0))  # sideways move per mm of rise


def face(score_sd: float, rise_right_mm: float = 0.0, rise_left_mm: float = 0.0) -> np.ndarray:
    """(478, 3) landmarks of a face whose neutral smile score is ``score_sd`` (its mouth corners that much higher
    than the neutral mean, its mouth of the mean width), its mouth corners then lifted by ``rise_*`` mm up and ``OUTWARD`` x that outward."""
    pts = np.random.default_rng(1).uniform(300, 700, (478, 3))
    pts[RIGHT_IRIS, :2] = 400, 400
    pts[LEFT_IRIS, :2] = 600, 400
    ipd_px = IPD_MM / MM_PER_PX
    depth = SMILE_CORNER_DEPTH_IPD[0] - 2 * score_sd * SMILE_CORNER_DEPTH_IPD[1]  # width at the mean
    half = 0.5 * SMILE_WIDTH_IPD[0] * ipd_px
    for idx, side, rise in ((MOUTH_RIGHT, -1.0, rise_right_mm), (MOUTH_LEFT, 1.0, rise_left_mm)):
        pts[idx, :2] = (500 + side * (half + OUTWARD * rise / MM_PER_PX),
                        400 + depth * ipd_px - rise / MM_PER_PX)
    return pts


def score(pts: np.ndarray) -> float:
    return smile_score(pts, levelled_frame(pts, MM_PER_PX))


def test_an_oblique_lift_of_the_mouth_corners_raises_the_smile_score_by_its_definition():
    per_mm = 0.5 * (2 * OUTWARD / IPD_MM / SMILE_WIDTH_IPD[1] + 1 / IPD_MM / SMILE_CORNER_DEPTH_IPD[1])
    assert per_mm == pytest.approx(0.37, abs=0.01)  # SD per mm of corner rise, both corners, IPD 62 mm
    for rise in (0.5, 1.0, 2.0, 3.0):
        assert score(face(0.5, rise, rise)) - score(face(0.5)) == pytest.approx(per_mm * rise, rel=1e-6)
    # one corner alone: about half (its outward move widens the mouth by half as much)
    one = score(face(0.5, 0.0, 2.0)) - score(face(0.5))
    assert one == pytest.approx(0.5 * per_mm * 2.0, rel=0.05)


def test_a_neutral_face_near_the_limit_is_flagged_smiling_after_a_lift_of_1_mm_and_a_typical_one_is_not():
    # a neutral face 0.3 SD below the limit (London 003, neutral, reads 1.29): 1 mm of corner rise flags it
    assert score(face(MAX_SMILE_SCORE - 0.3)) < MAX_SMILE_SCORE < score(face(MAX_SMILE_SCORE - 0.3, 1.0, 1.0))
    # a face at the neutral mean needs more than 3 mm of corner rise on both sides
    assert score(face(0.0, 3.0, 3.0)) < MAX_SMILE_SCORE
