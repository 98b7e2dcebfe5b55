"""Both irises erring alike (a dark-rimmed 'circle' contact lens on both eyes): the photo's own check
(iris chord / eye width, facemetrics.geometry.iris_plausibility) and the pair's (each photo's iris scale
against the alignment, facemetrics.compare.gate.iris_scale_ratio), on the bundled sample photos with a
ring painted round both irises.  The ring's radius comes from the inter-pupil distance, not from the
iris chord or the eye corners the checks read."""

from __future__ import annotations

import numpy as np
import pytest

from facemetrics import analyze_photo, compare_photos
from facemetrics.compare import (
    MAX_IRIS_SCALE_RATIO, MSG_IRIS_SCALE, UNCERTAIN, iris_scale_disagrees, iris_scale_ratio, iris_scale_rows,
)
from facemetrics.compare.table import Change
from facemetrics.geometry import (
    IRIS_EYE_RATIO_RANGE, LEFT_EYE_CONTOUR, LEFT_IRIS, LEFT_IRIS_H, RIGHT_EYE_CONTOUR, RIGHT_IRIS, RIGHT_IRIS_H,
    iris_plausibility,
)

IMPLAUSIBLE = "the irises read implausibly large"


def ring(rgb, points, outer=1.2, darkness=0.8):
    """A dark ring round both irises, from 0.85 to ``outer`` iris radii (the iris radius taken as 0.0925 x the
    inter-pupil distance, 11.7 / 2 of 63.4 mm), drawn only inside each eye's lid contour."""
    import cv2

    p = np.asarray(points, dtype=np.float64)[:, :2]
    radius = 0.0925 * float(np.linalg.norm(p[RIGHT_IRIS] - p[LEFT_IRIS]))
    h, w = rgb.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    lids = np.zeros((h, w), np.uint8)
    alpha = np.zeros((h, w), np.float32)
    for centre, contour in ((RIGHT_IRIS, RIGHT_EYE_CONTOUR), (LEFT_IRIS, LEFT_EYE_CONTOUR)):
        cv2.fillPoly(lids, [np.round(p[list(contour)]).astype(np.int32)], 1)
        r = np.hypot(xx - p[centre, 0], yy - p[centre, 1])
        alpha = np.maximum(alpha, np.clip(r - 0.85 * radius, 0, 1) * np.clip(outer * radius - r, 0, 1))
    alpha = (alpha * lids)[..., None] * darkness
    return (rgb * (1 - alpha) + 15 * alpha).clip(0, 255).astype(np.uint8)


@pytest.fixture(scope="module")
def after_analysis():
    from conftest import SAMPLES

    return analyze_photo(SAMPLES / "astronaut_after.jpg")


def test_plausibility_of_scaled_iris_points(sample_analysis):
    """The pure check: the sample's own landmarks are plausible; its iris chord ends moved out by 25 %
    (a lens' size) or in by 25 % read implausible, with the scale error's sign."""
    pts = np.array(sample_analysis.points)
    clean = iris_plausibility(pts)
    assert clean.plausible and IRIS_EYE_RATIO_RANGE[0] < clean.ratio < IRIS_EYE_RATIO_RANGE[1]
    for factor, sign in ((1.25, -1), (0.75, 1)):
        q = pts.copy()
        for centre, ends in ((RIGHT_IRIS, RIGHT_IRIS_H), (LEFT_IRIS, LEFT_IRIS_H)):
            for e in ends:
                q[e, :2] = pts[centre, :2] + factor * (pts[e, :2] - pts[centre, :2])
        check = iris_plausibility(q)
        assert not check.plausible
        assert np.sign(check.scale_error_pct) == sign
    # one eye only (the other not visible): that eye's chord over that eye's width
    assert iris_plausibility(pts, (True, False)).ratio != pytest.approx(clean.ratio, rel=1e-6)


def test_ring_on_both_eyes_warns(sample_analysis, sample_rgb):
    """A wide dark ring on both irises of the sample: the two eyes agree (no spread warning), the iris
    reads too large for the face: warned, with the figures, and the stated uncertainty widened."""
    assert not any(IMPLAUSIBLE in w for w in sample_analysis.warnings)  # the clean sample is not
    painted = analyze_photo(ring(sample_rgb, sample_analysis.points, outer=1.6, darkness=0.9))
    assert painted.ok
    msg = [w for w in painted.warnings if IMPLAUSIBLE in w]
    assert len(msg) == 1 and "iris width / eye width" in msg[0] and "--mm-per-px" in msg[0], painted.warnings
    assert painted.calibration.mm_per_px < 0.9 * sample_analysis.calibration.mm_per_px  # the scale did move
    assert painted.calibration.uncertainty_pct > 2 * sample_analysis.calibration.uncertainty_pct
    assert painted.to_row()["mm_per_px_uncertainty_pct"] == painted.calibration.uncertainty_pct
    # a user's scale is not the iris': no warning
    given = analyze_photo(ring(sample_rgb, sample_analysis.points, outer=1.6, darkness=0.9), mm_per_px=0.18)
    assert not any(IMPLAUSIBLE in w for w in given.warnings)


def test_pair_check_fires_with_a_ring_in_one_photo(sample_analysis, after_analysis):
    """The sample pair agrees (q within 1 %); a ring at 1.2 iris radii in the after photo only, which the
    photo's own check lets pass, makes the pair's iris scales disagree: status warning, the message with
    both figures; the same ring in the before photo too (q the other way)."""
    clean = compare_photos(sample_analysis, after_analysis)
    q0 = iris_scale_ratio(sample_analysis, after_analysis, clean.alignment.scale)
    assert abs(q0 - 1) < 0.03 and not iris_scale_disagrees(q0)
    assert not any(m.startswith(MSG_IRIS_SCALE) for m in clean.messages)

    lens = analyze_photo(ring(after_analysis.photo.rgb, after_analysis.points))
    assert lens.ok and not any(IMPLAUSIBLE in w for w in lens.warnings)  # too little for the photo's own check
    c = compare_photos(sample_analysis, lens)
    q = iris_scale_ratio(sample_analysis, lens, c.alignment.scale)
    assert q < 1 / MAX_IRIS_SCALE_RATIO
    assert c.status == "warning"
    msg = [m for m in c.messages if m.startswith(MSG_IRIS_SCALE)]
    assert len(msg) == 1 and "larger" in msg[0] and "before 0." in msg[0] and "after 0." in msg[0]
    # the lifts far beyond their floors keep their verdicts (a scale error never flips a sign)
    jaw = next(r for r in c.changes if (r.metric, r.side) == ("jawline_lift_mm", "mean"))
    assert jaw.verdict == "lift"

    lens_before = analyze_photo(ring(sample_analysis.photo.rgb, sample_analysis.points))
    c2 = compare_photos(lens_before, after_analysis)
    assert iris_scale_ratio(lens_before, after_analysis, c2.alignment.scale) > MAX_IRIS_SCALE_RATIO
    assert any(m.startswith(MSG_IRIS_SCALE) for m in c2.messages)


def test_iris_scale_rows_marks_only_verdicts_the_scale_could_change():
    """A row 10 % beyond its floor turns ``uncertain`` under a 12 % scale disagreement, a row twice its
    floor and a row well within it keep their verdicts; mm2 rows scale with q squared; other units never."""
    rows = (Change("jawline_lift_mm", "mean", "mm", 0, 0, 1.1, 1.0, "lift"),
            Change("jowl_lift_mm", "mean", "mm", 0, 0, 2.0, 1.0, "lift"),
            Change("cheek_lift_mm", "mean", "mm", 0, 0, 0.5, 1.0, "within_noise"),
            Change("lower_face_area_mm2", "mean", "mm2", 0, 0, 85.0, 100.0, "within_noise"),
            Change("nlf_depth", "right", "index", 0, 0, 1.05, 1.0, "deeper"),
            Change("jaw_width_mm", "mean", "mm", 0, 0, 1.05, 1.0, UNCERTAIN))
    assert iris_scale_rows(rows, 1 / 1.12) == (("jawline_lift_mm", "mean"), ("lower_face_area_mm2", "mean"))
    assert iris_scale_rows(rows, 1.05) == ()  # within the limit: nothing
    assert iris_scale_rows(rows, float("nan")) == ()
