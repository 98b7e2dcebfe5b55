"""The fixed-framing second pass of Face Mesh (``detect_landmarks(..., fixed_framing=True)``): landmarks in the
picture's pixels, and less dependent on how much of the frame the face fills (docs/robustness.md
'Fixed-framing second pass, 2026-12-04')."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from facemetrics import landmarks as L
from facemetrics.align import fit_similarity
from facemetrics.geometry import FACE_OVAL


@pytest.fixture(scope="module")
def astronaut() -> np.ndarray:
    from skimage.data import astronaut

    return np.ascontiguousarray(astronaut())


def _width(p: np.ndarray) -> float:
    return float(np.ptp(p[list(FACE_OVAL), 0]))


def _nonrigid_pct(p0: np.ndarray, p1: np.ndarray) -> float:
    """RMS distance of ``p1`` from ``p0`` after the best similarity, % of the face-oval width."""
    m = fit_similarity(p1[:, :2], p0[:, :2])
    e = p1[:, :2] @ m[:, :2].T + m[:, 2] - p0[:, :2]
    return float(np.sqrt(np.mean(np.sum(e ** 2, 1))) / _width(p0) * 100)


def test_default_is_the_single_pass(astronaut):
    assert L.FIXED_FRAMING is False
    a = L.detect_landmarks(astronaut)
    b = L.detect_landmarks(astronaut, fixed_framing=False)
    np.testing.assert_array_equal(a.points, b.points)


def test_fixed_framing_returns_points_in_the_pictures_pixels(astronaut):
    single = L.detect_landmarks(astronaut, fixed_framing=False).points
    fixed = L.detect_landmarks(astronaut, fixed_framing=True).points
    assert fixed.shape == (478, 3) and np.isfinite(fixed).all()
    assert not np.array_equal(fixed, single)  # the second pass did run
    # the same face: the two passes agree to a few % of the face width (not crop pixels, not mirrored)
    d = np.linalg.norm(fixed[:, :2] - single[:, :2], axis=1)
    assert np.median(d) < 0.02 * _width(single), np.median(d)
    assert abs(np.ptp(fixed[:, 2]) / np.ptp(single[:, 2]) - 1) < 0.25  # z in the picture's pixel scale


def test_a_shifted_copy_maps_back_onto_the_original(astronaut):
    """The photo pasted 137 px right and 61 px down into a larger canvas (edges replicated), and an
    odd-sized crop that cuts the canvas beside the face: the fixed-framing crop is the same pixels, so
    the landmarks mapped back agree within a pixel."""
    h, w = astronaut.shape[:2]
    big = cv2.copyMakeBorder(astronaut, 61, 40, 137, 20, cv2.BORDER_REPLICATE)
    ref = L.detect_landmarks(astronaut, fixed_framing=True).points
    got = L.detect_landmarks(big, fixed_framing=True).points - (137, 61, 0)
    d = np.linalg.norm(got[:, :2] - ref[:, :2], axis=1)
    assert np.median(d) < 1.0, np.median(d)


def test_fixed_framing_reduces_the_padded_2x_shift(astronaut):
    """Padded to twice its size on white, the face fills half as much of the frame: the single pass's
    landmarks move (non-rigidly) with the detector's box; the fixed-framing crop sees the same framing."""
    h, w = astronaut.shape[:2]
    ph, pw = h // 2, w // 2
    padded = cv2.copyMakeBorder(astronaut, ph, ph, pw, pw, cv2.BORDER_CONSTANT, value=(255, 255, 255))
    shifts = {}
    for fixed in (False, True):
        p0 = L.detect_landmarks(astronaut, fixed_framing=fixed).points
        p1 = L.detect_landmarks(padded, fixed_framing=fixed).points - (pw, ph, 0)
        shifts[fixed] = _nonrigid_pct(p0, p1)
        assert np.median(np.linalg.norm(p1[:, :2] - p0[:, :2], axis=1)) < 0.05 * _width(p0)  # mapped back
    assert shifts[True] < 0.6 * shifts[False], shifts


def test_no_face_and_a_face_at_the_edge(astronaut):
    assert L.detect_landmarks(np.full((400, 500, 3), 128, np.uint8), fixed_framing=True) is None
    # the face near the picture's corner: the crop reaches beyond the edges (replicated) and still maps back
    cut = np.ascontiguousarray(astronaut[40:300, 100:330])
    single = L.detect_landmarks(cut, fixed_framing=False)
    fixed = L.detect_landmarks(cut, fixed_framing=True)
    assert single is not None and fixed is not None
    assert np.median(np.linalg.norm(fixed.points[:, :2] - single.points[:, :2], axis=1)) < 0.04 * _width(single.points)


def test_framing_crop_is_a_square_about_the_face_oval(astronaut):
    p = L.detect_landmarks(astronaut).points
    left, top, side = L.framing_crop(p, 0.4)
    assert side == pytest.approx(_width(p) / 0.4)
    oval = p[list(FACE_OVAL), :2]
    assert left + side / 2 == pytest.approx((oval[:, 0].min() + oval[:, 0].max()) / 2)
    assert top + side / 2 == pytest.approx((oval[:, 1].min() + oval[:, 1].max()) / 2)


def test_the_mirrored_reading_follows_the_option(astronaut):
    """The smile score's mirrored reading (``mirrored_landmarks``) goes through the flipped picture's
    fixed-framing crop too when the option is on: the same face, in the picture's pixels."""
    fixed = L.detect_landmarks(astronaut, fixed_framing=True).points
    m_fixed = L.mirrored_landmarks(astronaut, fixed, fixed_framing=True)
    m_single = L.mirrored_landmarks(astronaut, fixed, fixed_framing=False)
    assert m_fixed is not None and m_single is not None and not np.allclose(m_fixed, m_single)
    d = np.linalg.norm(m_fixed[:, :2] - fixed[:, :2], axis=1)
    assert np.median(d) < 0.02 * _width(fixed), np.median(d)
    # indexed as on the picture: the subject's right iris centre (468) stays on the image-left eye
    assert m_fixed[468, 0] < m_fixed[473, 0]
