"""Exact checks of the pure geometry: calibration, levelled frame, jaw metrics."""

from __future__ import annotations

import numpy as np
import pytest

from facemetrics.geometry import (
    IRIS_DIAMETER_MM, LEFT_IRIS, LEFT_IRIS_H, RIGHT_IRIS, RIGHT_IRIS_H, calibrate, levelled_frame,
)
from facemetrics.jaw import _bulge, jaw_metrics


def _eyes(points: np.ndarray, right=(400.0, 500.0), left=(600.0, 500.0), iris_px=40.0) -> np.ndarray:
    p = points.copy()
    for centre, idx, (a, b) in ((right, RIGHT_IRIS, RIGHT_IRIS_H), (left, LEFT_IRIS, LEFT_IRIS_H)):
        c = np.array(centre)
        p[idx, :2] = c
        p[a, :2] = c - (iris_px / 2, 0)
        p[b, :2] = c + (iris_px / 2, 0)
        p[idx + 2, :2] = c - (0, iris_px / 2)
        p[idx + 4, :2] = c + (0, iris_px / 2)
    return p


@pytest.fixture()
def flat_points(sample_analysis):
    """Real landmark layout (from the sample photo) to get every index placed."""
    return sample_analysis.points.copy()


def test_calibration_from_iris_is_exact(flat_points):
    p = _eyes(flat_points, iris_px=40.0)
    cal = calibrate(p)
    assert cal.mm_per_px == pytest.approx(IRIS_DIAMETER_MM / 40.0)
    assert cal.ipd_px == pytest.approx(200.0)
    assert cal.ipd_mm == pytest.approx(200.0 * IRIS_DIAMETER_MM / 40.0)
    assert cal.mm_per_px_spread == pytest.approx(0.0)
    assert cal.source == "iris"


def test_calibration_overrides_and_ipd_warning(flat_points):
    p = _eyes(flat_points, iris_px=40.0)
    assert calibrate(p, mm_per_px=0.2).mm_per_px == 0.2
    cal = calibrate(p, ipd_mm=64.0)
    assert cal.source == "user_ipd" and cal.ipd_mm == pytest.approx(64.0)
    # iris far too small for this eye distance -> implausible IPD -> warning
    bad = calibrate(_eyes(flat_points, iris_px=20.0))
    assert bad.ipd_mm > 100 and "outside the adult range" in bad.warning


def test_yaw_correction_enlarges_iris(flat_points):
    p = _eyes(flat_points, iris_px=40.0)
    assert calibrate(p, yaw_deg=30).mm_per_px == pytest.approx(IRIS_DIAMETER_MM / (40.0 / np.cos(np.radians(30))))


@pytest.mark.parametrize("deg", [-20.0, -3.0, 0.0, 7.5])
def test_frame_levels_roll_and_round_trips(flat_points, deg):
    t = np.radians(deg)
    c, s = np.cos(t), np.sin(t)
    rot = np.array([[c, -s], [s, c]])
    p = flat_points.copy()
    p[:, :2] = (p[:, :2] - 500) @ rot.T + 500
    base = levelled_frame(flat_points, 0.2)
    frame = levelled_frame(p, 0.2)
    assert frame.roll_deg == pytest.approx(base.roll_deg + deg, abs=1e-9)
    np.testing.assert_allclose(frame.to_mm(p[:, :2]), base.to_mm(flat_points[:, :2]), atol=1e-9)
    np.testing.assert_allclose(frame.to_px(frame.to_mm(p[:, :2])), p[:, :2], atol=1e-9)


def test_jaw_lift_moves_heights_by_exact_amount(flat_points):
    """Moving every point below the mouth up by d px lowers heights by d * mm/px."""
    frame = levelled_frame(flat_points, 0.25)
    before = jaw_metrics(flat_points, frame)
    lifted = flat_points.copy()
    d_px = 8.0
    below = frame.to_mm(flat_points[:, :2])[:, 1] > 0
    lifted[below, :2] -= d_px * frame.v_axis
    after = jaw_metrics(lifted, frame)
    assert after.jawline_height_mm == pytest.approx(before.jawline_height_mm - 2.0, abs=1e-9)
    assert after.mouth_corner_height_left_mm == pytest.approx(before.mouth_corner_height_left_mm - 2.0, abs=1e-9)
    assert after.jaw_angle_right_deg == pytest.approx(before.jaw_angle_right_deg, abs=5.0)


def test_bulge_of_known_polyline():
    chord = np.array([[0.0, 0.0], [5.0, 3.0], [10.0, 0.0]])
    assert _bulge(chord) == pytest.approx(3.0)
    assert _bulge(np.array([[0.0, 0.0], [5.0, 0.0], [10.0, 0.0]])) == pytest.approx(0.0)
