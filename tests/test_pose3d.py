"""3-D head pose and camera distance: the re-renderer (ground truth) and the
correction in ``compare_photos``.

The re-renders deliberately differ from what the correction assumes: the
depth of the face is scaled (the whole face and, further, the lower face),
the head turns about a pivot moved away from the one the fit assumes, and
the image is warped piecewise-affinely on the mesh (the fit predicts motion
per pixel from an interpolated depth map).
"""

from __future__ import annotations

import dataclasses
import importlib

import numpy as np
import pytest

from conftest import SHARED_FACES
from facemetrics import compare_photos, pose3d, simulate
from facemetrics.analyze import analyze_loaded
from facemetrics.geometry import CHIN, NOSE_TIP

#: the depth and pivot the re-renders use, unknown to the correction
WRONG_DEPTH = dict(depth_scale=1.12, lower_depth_scale=0.88)
WRONG_PIVOT = (0.0, 75.0, 125.0)


def variant(analysis, rgb):
    return analyze_loaded(dataclasses.replace(analysis.photo, rgb=rgb))


def jaw(c, side="mean"):
    return c.get("jawline_lift_mm", side)


# --- the model's pure math ---------------------------------------------------


def test_zero_parameters_predict_no_motion():
    u, v = np.meshgrid(np.linspace(-60, 60, 7), np.linspace(-20, 120, 8))
    d = np.linspace(-40, 60, u.size).reshape(u.shape)
    m = pose3d._Model(u, v, d, (3.0, 40.0), 450.0)
    assert np.abs(m.flow(np.zeros(7))).max() < 1e-9 and np.abs(m.flow(np.zeros(8))).max() < 1e-9


def test_pitch_moves_points_by_parallax_with_the_right_sign():
    # chin up (pitch > 0): a point in front of the pivot (the nose tip) moves up (dv < 0) relative to
    # one behind it; the difference grows with the depth difference
    u = np.zeros(3)
    v = np.array([30.0, 30.0, 30.0])
    d = np.array([-40.0, 0.0, 40.0])
    m = pose3d._Model(u, v, d, (0.0, 0.0), 450.0)
    dv = m.flow(np.array([3.0, 0, 0, 0, 0, 0, 0, 0]))[:, 1]
    assert dv[0] < dv[1] < dv[2]
    # first order: a point (pivot_back - d) in front of the pivot moves up by theta times that,
    # magnified by D / (D + d) in the photo
    back = pose3d.PIVOT_MM[2]
    th = np.radians(3.0)
    expect = th * ((back - d[0]) * 450 / (450 + d[0]) - (back - d[2]) * 450 / (450 + d[2]))
    assert abs((dv[2] - dv[0]) - expect) < 0.05 * expect


def test_rotation_signs_match_head_pose_convention():
    # simulate._rotation: pitch > 0 tilts the face's forward axis (-z) up (-y); yaw > 0 to +x
    fwd = np.array([0.0, 0.0, -1.0])
    assert (simulate._rotation(10, 0, 0) @ fwd)[1] < -0.1
    assert (simulate._rotation(0, 10, 0) @ fwd)[0] > 0.1
    assert (simulate._rotation(0, 0, 10) @ np.array([1.0, 0, 0]))[1] > 0.1  # clockwise in the image (y down)
    r = simulate._rotation(7, -4, 3)
    assert np.allclose(r @ r.T, np.eye(3), atol=1e-12)


def test_depth_map_interpolates_and_extends(sample_analysis):
    a = sample_analysis
    from facemetrics.align import make_grid

    grid = make_grid(a.points, a.frame)
    uv = a.frame.to_mm(a.points[:, :2])
    z = a.points[:, 2] * a.frame.mm_per_px
    d = pose3d.depth_map(uv, z, grid.shape, grid.u0, grid.v0, grid.res_mm)
    assert d.shape == grid.shape and np.isfinite(d).all()
    g = grid.from_uv(uv)
    tip = d[int(round(g[NOSE_TIP, 1])), int(round(g[NOSE_TIP, 0]))]
    assert tip < -20  # the nose tip lies well in front of the irises
    assert d[int(round(g[CHIN, 1])) - 8, int(round(g[CHIN, 0]))] > tip


# --- the re-renderer ------------------------------------------------------------


def test_identity_rerender_changes_nothing(sample_analysis):
    a = sample_analysis
    s = simulate.head_pose(a)
    diff = np.abs(s.image.astype(int) - a.photo.rgb.astype(int))
    assert diff.mean() < 1.0
    assert s.truth["jawline_lift_mm"] == 0.0 and s.truth["pitch_deg"] == 0.0


def test_camera_closer_keeps_the_iris_scale_and_enlarges_the_nose(sample_analysis):
    a = sample_analysis
    b = variant(a, simulate.camera_distance(a, 450, 300).image)
    assert b.ok
    assert abs(b.calibration.ipd_px / a.calibration.ipd_px - 1) < 0.02
    # the nose (alar width 48-278) grows relative to the jaw width (gonions) as the camera comes closer
    def ratio(x):
        p = x.points[:, :2]
        return np.linalg.norm(p[48] - p[278]) / np.linalg.norm(p[172] - p[397])
    assert ratio(b) > ratio(a) * 1.01
    s = simulate.camera_distance(a, 450, 300)
    assert s.truth["camera_distance_change_pct"] == pytest.approx(-33.333, abs=1e-3)


def test_head_pose_rerender_is_measured_with_the_new_pose(sample_analysis):
    a = sample_analysis
    b = variant(a, simulate.head_pose(a, pitch_deg=8).image)
    assert b.ok
    # single-photo pose estimates are noisy (docs/compare.md), but 8 deg of chin-up shows
    assert b.quality.pitch_deg - a.quality.pitch_deg > 3
    c = variant(a, simulate.head_pose(a, yaw_deg=8).image)
    assert c.quality.yaw_deg - a.quality.yaw_deg > 3


def test_bad_arguments_are_refused(sample_analysis):
    with pytest.raises(ValueError):
        simulate.lift(sample_analysis, 1.0, shape="wobbly")


# --- the correction in compare_photos -------------------------------------------------


@pytest.fixture(scope="module")
def posed(sample_analysis):
    """Re-renders of the sample at several poses / distances (no true change), with the wrong depth and pivot."""
    a = sample_analysis
    out = {}
    for name, kw in (("pitch+3", dict(pitch_deg=3)), ("pitch-3", dict(pitch_deg=-3)),
                     ("yaw+5", dict(yaw_deg=5)), ("pitch+6", dict(pitch_deg=6))):
        out[name] = (simulate.head_pose(a, pivot_mm=WRONG_PIVOT, **kw, **WRONG_DEPTH), kw)
    for to in (300, 600):
        out[f"camera{to}"] = (simulate.camera_distance(a, 450, to, **WRONG_DEPTH), {"to": to})
    return {k: (compare_photos(a, variant(a, s.image)), s, kw) for k, (s, kw) in out.items()}


@pytest.mark.parametrize("case", ["pitch+3", "pitch-3", "yaw+5", "camera300", "camera600"])
def test_no_false_lift_under_pose_and_distance(posed, case):
    c, s, _ = posed[case]
    assert c.status != "refused", c.messages
    for side in ("right", "left", "mean"):
        assert abs(jaw(c, side).change) <= 0.3, (case, side, jaw(c, side))
    # and the floor carries what the correction may miss: no lift/sag verdict on the mean
    assert jaw(c).verdict == "within_noise", (case, jaw(c))


def test_pose_and_distance_changes_are_recovered(posed):
    c, s, _ = posed["pitch+3"]
    # the reported angle scales with the depth scale the mesh misses (docs): compare with the effective angle
    assert abs(c.cues["pose_pitch_deg"] - 3.0) < 0.6
    assert abs(c.cues["pose_yaw_deg"]) < 0.5
    c, s, _ = posed["yaw+5"]
    assert abs(c.cues["pose_yaw_deg"] - 5.0) < 0.8
    for to in (300, 600):
        c, s, _ = posed[f"camera{to}"]
        est = 1 + c.cues["camera_distance_change_pct"] / 100
        assert abs(est / (to / 450) - 1) < 0.10, (to, c.cues["camera_distance_change_pct"])


def test_large_pose_change_is_named_and_within_noise_or_small(posed):
    c, _, _ = posed["pitch+6"]
    assert abs(jaw(c).change) <= 0.3 or jaw(c).verdict == "within_noise"
    assert any("chin raised" in m for m in c.messages), c.messages
    c, _, kw = posed["camera300"]
    assert any("cm closer" in m for m in c.messages), c.messages
    c, _, kw = posed["camera600"]
    assert any("further away" in m for m in c.messages), c.messages


def test_rows_of_the_pose_change_in_the_table(posed):
    c, _, _ = posed["pitch+3"]
    t = c.to_frame()
    row = t[t.metric == "head_pitch_change_deg"].iloc[0]
    assert row.change == pytest.approx(c.cues["pose_pitch_deg"])
    assert row.noise_floor > 0
    for m in ("head_yaw_change_deg", "head_roll_change_deg", "camera_distance_change_pct"):
        assert m in set(t.metric)


#: rows a pose or camera change must not move beyond their floors on an unchanged face: every lift
#: region and the rows whose floors pose_adjusted_floors widens (folds and per-photo landmark metrics)
NO_CHANGE_ROWS = [(f"{r}_lift_mm", s) for r in ("jawline", "jowl", "mouth_corner", "cheek")
                  for s in ("right", "left", "mean")]
NO_CHANGE_ROWS += [(m, s) for m in ("nlf_depth", "nlf_contrast_pct", "jowl_sag_mm", "mouth_corner_height_mm",
                                    "cheek_height_mm", "jaw_angle_deg") for s in ("right", "left")]


@pytest.mark.parametrize("case", ["pitch+3", "pitch-3", "yaw+5", "pitch+6", "camera300", "camera600"])
def test_no_region_or_fold_verdict_under_pose_and_distance(posed, case):
    """Every region, fold and per-photo landmark row of an unchanged face stays within its floor.

    Before 2026-12-02 only the lift floors grew with the pose and camera change, by the jawline's
    factors in every region: the sample re-rendered 45 -> 30 cm read its right fold ``shallower``
    (nlf_depth -0.92 against the fixed 0.67) and its left jowl ``sag`` (-0.321 against 0.315).
    """
    c, _, _ = posed[case]
    judged = [(m, s, c.get(m, s)) for m, s in NO_CHANGE_ROWS]
    wrong = [(m, s, round(ch.change, 3), round(ch.noise_floor, 3), ch.verdict) for m, s, ch in judged
             if ch.verdict not in ("within_noise", "uncertain")]
    assert wrong == [], (case, wrong)


def test_fold_floors_grow_with_the_pose_and_camera_change():
    from facemetrics import compare as cp

    base = dict(cp.DEFAULT_NOISE_FLOORS)
    cues = {"camera_distance_change_pct": -30.0, "pose_pitch_deg": 3.0, "pose_yaw_deg": -4.0}
    out = cp.pose_adjusted_floors(base, cues)
    k_cam, k_deg = cp.POSE_ROW_FLOORS["nlf_depth"]
    extra = np.hypot(k_cam * 0.30, k_deg * 5.0)
    assert out[("nlf_depth", "side")] == pytest.approx(np.hypot(base[("nlf_depth", "side")], extra))
    assert out[("jawline_height_mm", "mean")] > base[("jawline_height_mm", "mean")]
    # a larger change, a wider floor; no pose cue, no change; the lift floors are not touched here
    cues2 = dict(cues, camera_distance_change_pct=-60.0)
    assert cp.pose_adjusted_floors(base, cues2)[("nlf_depth", "side")] > out[("nlf_depth", "side")]
    assert cp.pose_adjusted_floors(base, {}) == base
    assert out[("jawline_lift_mm", "mean")] == base[("jawline_lift_mm", "mean")]
    # non-finite cues count as no change, never as a NaN floor
    nan = {"camera_distance_change_pct": float("nan"), "pose_pitch_deg": 0.0, "pose_yaw_deg": 0.0}
    assert cp.pose_adjusted_floors(base, nan)[("nlf_depth", "side")] == base[("nlf_depth", "side")]


def test_fold_length_floor_grows_with_the_camera_change_only():
    """The fold length's floor takes a camera term (stop 39; before it none): hypot(floor, a x |camera
    change|); its per-degree term is not measured (0), so a pose change alone leaves it."""
    from facemetrics import compare as cp

    base = dict(cp.DEFAULT_NOISE_FLOORS)
    key = ("nlf_length_mm", "side")
    k_cam, k_deg = cp.POSE_ROW_FLOORS["nlf_length_mm"]
    assert k_cam > 0 and k_deg == 0
    near = cp.pose_adjusted_floors(base, {"camera_distance_change_pct": -36.0, "pose_pitch_deg": 2.3,
                                          "pose_yaw_deg": 0.0})
    assert near[key] == pytest.approx(np.hypot(base[key], k_cam * 0.36))
    nearer = cp.pose_adjusted_floors(base, {"camera_distance_change_pct": -60.0})
    assert nearer[key] > near[key] > base[key]
    assert cp.pose_adjusted_floors(base, {"camera_distance_change_pct": 0.0, "pose_pitch_deg": 5.0,
                                          "pose_yaw_deg": 3.0})[key] == base[key]


def test_a_closer_camera_widens_the_fold_length_floor_in_a_comparison(sample_analysis):
    """The sample re-rendered from 450 to 300 mm: the comparison's fold length floor is the resolution
    floor widened by the camera term of its own estimated camera change (the wiring, end to end)."""
    from facemetrics import compare as cp

    a = sample_analysis
    b = variant(a, simulate.camera_distance(a, 450.0, 300.0).image)
    c = compare_photos(a, b)
    cam = abs(c.cues["camera_distance_change_pct"]) / 100.0
    assert cam > 0.2
    key = ("nlf_length_mm", "side")
    base = cp.resolution_floors(cp.DEFAULT_NOISE_FLOORS, cp.pair_mm_per_px(a, b))[key]
    assert c.noise_floors[key] == pytest.approx(np.hypot(base, cp.POSE_ROW_FLOORS["nlf_length_mm"][0] * cam))
    assert c.get("nlf_length_mm", "right").noise_floor > base


def test_row_floors_take_the_larger_angle_of_the_two_fits():
    """The model-error term of the fold and per-photo rows (``POSE_ROW_FLOORS``) counts the larger
    ``hypot(pitch, yaw)`` of the fit and of its repeat at the face's centre (``principal_*_deg`` cues), as the
    lift floors count the larger of their corrections; before 2026-12-04 only the first fit's angles."""
    from facemetrics import compare as cp

    base = dict(cp.DEFAULT_NOISE_FLOORS)
    main = {"camera_distance_change_pct": -10.0, "pose_pitch_deg": 2.0, "pose_yaw_deg": 0.5}
    k_cam, k_deg = cp.POSE_ROW_FLOORS["jawline_height_mm"]
    wider = dict(main, principal_pitch_deg=3.0, principal_yaw_deg=-1.0)  # the refit reads the larger angle
    assert cp.pose_row_floor_terms(wider)["jawline_height_mm"] == pytest.approx(np.hypot(k_cam * 0.1,
                                                                                         k_deg * np.hypot(3.0, 1.0)))
    out = cp.pose_adjusted_floors(base, wider)
    key = ("nlf_depth", "side")
    k_cam, k_deg = cp.POSE_ROW_FLOORS["nlf_depth"]
    assert out[key] == pytest.approx(np.hypot(base[key], np.hypot(k_cam * 0.1, k_deg * np.hypot(3.0, 1.0))))
    assert out[key] > cp.pose_adjusted_floors(base, main)[key]
    # a refit reading a smaller angle, or none (NaN: not repeated), leaves the first fit's term
    for alt in ({"principal_pitch_deg": 0.5, "principal_yaw_deg": 0.0},
                {"principal_pitch_deg": float("nan"), "principal_yaw_deg": float("nan")}):
        assert cp.pose_row_floor_terms(dict(main, **alt)) == cp.pose_row_floor_terms(main)
    assert out[("jawline_lift_mm", "mean")] == base[("jawline_lift_mm", "mean")]  # the lifts: pose_floor_terms'


def test_a_top_cut_before_photo_widens_the_row_floors_by_the_refits_angle(sample_analysis):
    """The sample re-rendered 3 deg chin-up, its before photo cut 20 % at the top: the image centre moves
    down the face, and the fit there reads a pitch of 2.1 deg, the refit at the face's centre 3.0 deg (the
    truth).  The fold and per-photo rows' model-error term takes the larger (2026-12-04; it took 2.1)."""
    from facemetrics import compare as cp

    a = sample_analysis
    after = variant(a, simulate.head_pose(a, pitch_deg=3.0).image)
    h = a.photo.rgb.shape[0]
    before = variant(a, np.ascontiguousarray(a.photo.rgb[int(0.2 * h):]))
    c = compare_photos(before, after)
    q = c.cues
    first, refit = np.hypot(q["pose_pitch_deg"], q["pose_yaw_deg"]), np.hypot(q["principal_pitch_deg"],
                                                                               q["principal_yaw_deg"])
    assert refit > first + 0.5 and abs(refit - 3.0) < 0.5, (first, refit)
    key = ("nlf_depth", "side")  # no roll or principal-point row term: the base floor and this one
    base = cp.resolution_floors(cp.DEFAULT_NOISE_FLOORS, cp.pair_mm_per_px(before, after))[key]
    k_cam, k_deg = cp.POSE_ROW_FLOORS["nlf_depth"]
    cam = abs(q["camera_distance_change_pct"]) / 100.0
    assert c.noise_floors[key] == pytest.approx(np.hypot(base, np.hypot(k_cam * cam, k_deg * refit)))


def test_per_photo_floors_take_the_principal_point_term():
    """The ``principal_row_floor`` cue (what the pose fit repeated at the face's centre changes in each
    per-photo metric, measure._principal_row_terms) widens those floors as a hypot, the larger side for the
    ``side`` floor; no cue, a zero term or a metric without a floor: unchanged; the lifts are not touched."""
    from facemetrics import compare as cp

    base = dict(cp.DEFAULT_NOISE_FLOORS)
    cues = {"principal_row_floor": {"jawline_height_mm": {"right": 1.0, "left": 2.5, "mean": 2.0},
                                    "jaw_width_mm": {"mean": 0.0}, "no_such_metric": {"mean": 9.0}}}
    out = cp.pose_adjusted_floors(base, cues)
    assert out[("jawline_height_mm", "side")] == pytest.approx(np.hypot(base[("jawline_height_mm", "side")], 2.5))
    assert out[("jawline_height_mm", "mean")] == pytest.approx(np.hypot(base[("jawline_height_mm", "mean")], 2.0))
    assert out[("jaw_width_mm", "mean")] == base[("jaw_width_mm", "mean")]
    assert set(out) == set(base)
    assert out[("jawline_lift_mm", "mean")] == base[("jawline_lift_mm", "mean")]
    assert cp.pose_adjusted_floors(base, {"principal_row_floor": {}}) == base


def test_landmark_floors_grow_with_the_roll_beyond_the_covered_degrees():
    from facemetrics import compare as cp

    base = dict(cp.DEFAULT_NOISE_FLOORS)
    key = ("jawline_lift_landmarks_mm", "mean")
    # within the roll the defaults were measured with (or no roll cue, or a NaN one): unchanged
    for cues in ({}, {"pose_roll_deg": cp.ROLL_COVERED_DEG}, {"pose_roll_deg": float("nan")}):
        assert cp.pose_adjusted_floors(base, cues) == base
    out = cp.pose_adjusted_floors(base, {"pose_roll_deg": -13.0})
    assert out[key] == pytest.approx(np.hypot(base[key], cp.ROLL_ROW_FLOORS[key] * (13.0 - cp.ROLL_COVERED_DEG)))
    assert cp.pose_adjusted_floors(base, {"pose_roll_deg": 25.0})[key] > out[key]
    # the dense lifts and the folds are aligned on the rigid face: no roll term
    for k in (("jawline_lift_mm", "mean"), ("nlf_depth", "side"), ("nlf_length_mm", "side")):
        assert out[k] == base[k]
    assert set(cp.ROLL_ROW_FLOORS) <= set(base)


@pytest.mark.parametrize("deg", [-20.0, 35.0])
def test_rolled_photo_reads_no_landmark_or_lift_verdict(sample_analysis, deg):
    """The sample rotated in-plane (the same canvas) against itself: only the roll row may read a change.

    Before 2026-12-02 the floors ignored the roll: rolled -20 degrees the sample read its right jaw angle
    ``decrease`` (-3.19 against 2.7); rolled 35 degrees (the app audit's pair) its jawline by landmarks
    ``lift`` (3.89 against 3.6), jawline height and lower-face area ``decrease`` (-569 against 380 mm2).
    """
    a = sample_analysis
    c = compare_photos(a, variant(a, simulate.roll(a, deg).image))
    assert c.status != "refused", c.messages
    assert abs(abs(c.get("head_roll_change_deg").change) - abs(deg)) < 1.0
    wrong = [(ch.metric, ch.side, round(ch.change, 3), round(ch.noise_floor, 3), ch.verdict) for ch in c.changes
             if not ch.metric.startswith(("head_", "camera_")) and ch.verdict not in ("within_noise", "uncertain")]
    assert wrong == []


def test_region_pose_and_camera_factors_never_below_the_jawlines():
    from facemetrics import compare as cp

    assert set(cp.REGION_POSE_MODEL_FRACTION) == set(cp.REGIONS) == set(cp.REGION_CAMERA_FLOOR_MM)
    assert min(cp.REGION_POSE_MODEL_FRACTION.values()) == cp.POSE_MODEL_FRACTION
    assert min(cp.REGION_CAMERA_FLOOR_MM.values()) == cp.CAMERA_FLOOR_MM


@pytest.mark.parametrize("kw", [dict(pitch_deg=3), dict(camera_to_mm=380)])
def test_true_lift_under_pose_reads_true(sample_analysis, kw):
    a = sample_analysis
    lifted = simulate.lift(a, 2.0)
    s = simulate.head_pose(a, image=lifted, pivot_mm=WRONG_PIVOT, **kw, **WRONG_DEPTH)
    assert s.truth["jawline_lift_mm"] == pytest.approx(2.0, abs=0.01)
    c = compare_photos(a, variant(a, s.image))
    assert abs(jaw(c).change - 2.0) <= 0.3, jaw(c)
    assert jaw(c).verdict == "lift"


@pytest.mark.parametrize("shape,side", [("full", "both"), ("taper", "both"), ("full", "left"), ("jowl", "both")])
def test_lifts_that_vary_in_space_read_true_in_every_region(sample_analysis, shape, side):
    a = sample_analysis
    s = simulate.lift(a, 3.0, side=side, shape=shape)
    c = compare_photos(a, variant(a, s.image))
    for region in ("jawline", "jowl", "mouth_corner", "cheek"):
        for sd in ("right", "left"):
            t = s.truth[f"{region}_lift_{sd}_mm"]
            m = c.get(f"{region}_lift_mm", sd).change
            assert abs(m - t) <= 0.05 + 0.03 * abs(t), (shape, side, region, sd, t, m)


def test_principal_point_candidates(sample_analysis, monkeypatch):
    """The image centre (the shipped principal point) and the face's landmark centre (its floor term's
    refit point): a crop moves the first by half the cut, the second by no more than the Face Mesh moves;
    compare's pose fit is given them in that order (the bench's other candidates live in
    bench/bench_principal_point.py)."""
    from facemetrics import align
    from facemetrics.compare import measure

    a = sample_analysis
    c = measure.principal_points(a)
    h = a.photo.rgb.shape[0]
    k = int(0.3 * h)
    cut = variant(a, np.ascontiguousarray(a.photo.rgb[k:]))  # the top 30 % cut
    d = {name: cut.frame.to_px(uv) + (0.0, k) for name, uv in measure.principal_points(cut).items()}  # original px
    px = {name: a.frame.to_px(uv) for name, uv in c.items()}
    np.testing.assert_allclose(d["image"] - px["image"], (0.0, k / 2), atol=1e-6)  # half the cut down the face
    assert np.hypot(*(d["face"] - px["face"])) < 8.0  # px (1.5 mm; the image centre: 240 px): the mesh found again
    seen = {}
    monkeypatch.setattr(measure.p3, "fit_pose", lambda *args, **kw: seen.update(args=args, kw=kw))
    grid = align.Grid(a.frame, 0.0, 0.0, 1.0, (8, 8))
    measure._fit_pose(a, grid, np.zeros((8, 8), bool), np.zeros((8, 8, 2)), np.zeros((8, 8)), np.zeros((478, 2)))
    np.testing.assert_array_equal(seen["args"][6], c["image"])
    np.testing.assert_array_equal(seen["kw"]["alt_principal_uv"], c["face"])
    assert np.hypot(*(c["image"] - c["face"])) > 1.0  # two points, not one


def test_a_cropped_before_photo_reads_no_false_lift(sample_analysis):
    """A camera-distance pair (45 -> 35 cm, no true change) whose before photo lost its bottom 30 %: the
    image centre is 44 mm from the camera's axis.  Without the principal point's floor term the jawline
    read a 0.33 mm lift over a 0.27 mm floor (2026-12-03); with it no lift row claims a change."""
    a = sample_analysis
    after = variant(a, simulate.camera_distance(a, 450, 350).image)
    h = a.photo.rgb.shape[0]
    before = variant(a, np.ascontiguousarray(a.photo.rgb[:h - int(0.3 * h)]))
    c = compare_photos(before, after)
    assert c.status != "refused", c.messages
    for region in ("jawline", "jowl", "mouth_corner", "cheek"):
        for side in ("right", "left", "mean"):
            ch = c.get(f"{region}_lift_mm", side)
            assert ch.verdict not in ("lift", "sag"), (region, side, ch.change, ch.noise_floor)
    assert c.cues["pose_floor_mm"]["jawline"]["mean"] > 0.25  # the term is there: the floor carries the crop
    # ... and the per-photo metrics' floors carry what the repeated fit changes in them (2026-12-03)
    term = c.cues["principal_row_floor"]
    assert set(term) == {"jawline_height_mm", "jaw_width_mm", "lower_face_area_mm2", "jowl_sag_mm", "jaw_angle_deg",
                         "mouth_corner_height_mm", "cheek_height_mm"}, term
    assert term["jawline_height_mm"]["mean"] > 0.1, term["jawline_height_mm"]


def test_a_failed_principal_point_refit_leaves_the_lifts_and_drops_only_its_floor_term(sample_analysis,
                                                                                      monkeypatch):
    """Review of f368598: the stretch refit's ValueError was caught, the principal point's refit's was not,
    so compare would refuse the pair as "could not be aligned" for the sake of a floor term.  With the
    refit failing, compare reads the same lifts, the floors without the term (narrower on a crop)."""
    a = sample_analysis
    after = variant(a, simulate.camera_distance(a, 450, 350).image)
    h = a.photo.rgb.shape[0]
    before = variant(a, np.ascontiguousarray(a.photo.rgb[:h - int(0.3 * h)]))  # the term is large on a crop
    ok = compare_photos(before, after)
    calls = []

    def fail(*args, **kw):
        calls.append(args[0])
        raise ValueError("non-finite residuals")

    monkeypatch.setattr(pose3d, "_refit_at", fail)
    c = compare_photos(before, after)
    assert calls, "the refit was not reached"
    assert c.status != "refused" and c.lifts, c.messages
    for region in ("jawline", "jowl", "mouth_corner", "cheek"):
        for side in ("right", "left", "mean"):
            assert c.get(f"{region}_lift_mm", side).change == ok.get(f"{region}_lift_mm", side).change
    assert c.cues["pose_floor_mm"]["jawline"]["mean"] < ok.cues["pose_floor_mm"]["jawline"]["mean"] - 0.05
    # the per-photo metrics: the same values, no principal-point term in their floors
    assert c.cues["principal_row_floor"] == {} and ok.cues["principal_row_floor"]
    for key in (("jawline_height_mm", "mean"), ("lower_face_area_mm2", "mean")):
        assert c.get(*key).change == ok.get(*key).change
        assert c.noise_floors[(key[0], "mean")] < ok.noise_floors[(key[0], "mean")]
    # ... and the comparison says so (2026-12-04: it was silent), the pair without the failure does not
    gt = importlib.import_module("facemetrics.compare.gate")  # the module (facemetrics.compare.gate is the function)

    said = [m for m in c.messages if m.startswith(gt.MSG_FLOORS_LACK)]
    assert len(said) == 1 and said[0].startswith(f"{gt.MSG_FLOORS_LACK} the principal-point term"), c.messages
    assert c.status == "warning" and c.cues["pose_fits_failed"] == (pose3d.FIT_PRINCIPAL,)
    assert not any(m.startswith(gt.MSG_FLOORS_LACK) for m in ok.messages) and ok.cues["pose_fits_failed"] == ()


def test_a_failed_stretch_fit_is_said_and_drops_only_its_floor_term(sample_analysis, monkeypatch):
    """The eight-parameter (stretch) fit failing, as the principal point's refit: the lifts are read as
    without the failure, the lift floors lose the stretch term, and the comparison says its floors lack it
    (2026-12-04: the failure was silent)."""
    gt = importlib.import_module("facemetrics.compare.gate")  # the module (facemetrics.compare.gate is the function)

    a = sample_analysis
    after = variant(a, simulate.camera_distance(a, 450, 350).image)
    ok = compare_photos(a, after)
    solve = pose3d.robust_least_squares

    def fail_eight(fun, x0, *args, **kw):
        if len(x0) == 8:
            raise ValueError("non-finite residuals")
        return solve(fun, x0, *args, **kw)

    monkeypatch.setattr(pose3d, "robust_least_squares", fail_eight)
    c = compare_photos(a, after)
    assert c.status != "refused" and c.lifts, c.messages
    assert c.cues["pose_fits_failed"] == (pose3d.FIT_STRETCH,) and c.cues["pose_stretch_pct"] == 0.0
    for region in ("jawline", "jowl", "mouth_corner", "cheek"):
        assert c.get(f"{region}_lift_mm", "mean").change == ok.get(f"{region}_lift_mm", "mean").change
    assert c.cues["pose_floor_mm"]["jawline"]["mean"] < ok.cues["pose_floor_mm"]["jawline"]["mean"]
    said = [m for m in c.messages if m.startswith(gt.MSG_FLOORS_LACK)]
    assert len(said) == 1 and said[0].startswith(f"{gt.MSG_FLOORS_LACK} the stretch term"), c.messages
    assert not any(m.startswith(gt.MSG_FLOORS_LACK) for m in ok.messages)
    # the fit itself: both failures named, their terms None, the first fit kept
    rows, cols, res = 121, 101, 1.0
    uu, vv = np.meshgrid(-50.0 + np.arange(cols) * res, -40.0 + np.arange(rows) * res)
    depth = (0.012 * uu ** 2 - 35 * np.exp(-(uu ** 2 + (vv - 30) ** 2) / 200)).astype(np.float32)
    flow = pose3d._Model(uu, vv, depth, (0.0, 20.0), 450.0).flow(np.array([1.0, 0, 20, 0, 0, 0, 0])).astype(np.float32)
    mask = (vv < 40) & (np.abs(uu) < 40)
    monkeypatch.setattr(pose3d, "_refit_at", lambda *args: (_ for _ in ()).throw(ValueError("no")))
    fit = pose3d.fit_pose(flow, mask, depth, -50.0, -40.0, res, (0.0, 20.0), alt_principal_uv=(0.0, 30.0))
    assert fit.failed == (pose3d.FIT_STRETCH, pose3d.FIT_PRINCIPAL)
    assert fit.stretch_flow_mm is None and fit.principal_flow_mm is None and fit.principal_params is None
    assert np.isnan(fit.principal_pitch_deg) and fit.pitch_deg == pytest.approx(1.0, abs=0.05)


# --- real photos: one person at three camera distances and four poses ---------------------

DEBRUINE = SHARED_FACES / "debruine_cc0"


class _Once:
    """A module's analyses and comparisons of the DeBruine photos, each made the first time a test asks for it
    (stop 49: the four-pose set was analysed by 3 tests, the 45 and 60 cm photos by 2, and 6 pairs compared twice).
    The tests only read them: an ``Analysis`` and a ``Comparison`` are frozen dataclasses."""

    def __init__(self):
        self.photos, self.pairs = {}, {}

    def photo(self, name: str):
        """The analysis of ``debruine_<name>.jpg`` (``camera_distance_30cm``, ``pose_variation_1``, ...)."""
        if name not in self.photos:
            from facemetrics import analyze_photo

            self.photos[name] = analyze_photo(DEBRUINE / f"debruine_{name}.jpg")
        return self.photos[name]

    def pair(self, before: str, after: str):
        """``compare_photos`` of the two photos' analyses, in this order."""
        if (before, after) not in self.pairs:
            self.pairs[before, after] = compare_photos(self.photo(before), self.photo(after))
        return self.pairs[before, after]


@pytest.fixture(scope="module")
def debruine_once():
    if not DEBRUINE.is_dir():
        pytest.skip(f"optional real-photo folder {DEBRUINE} is absent")
    return _Once()


@pytest.fixture(scope="module")
def debruine(debruine_once):
    return {name: debruine_once.photo(name)
            for name in ("camera_distance_30cm", "camera_distance_45cm", "camera_distance_60cm")}


@pytest.mark.parametrize("x,y", [(30, 45), (45, 60), (30, 60)])
def test_real_camera_distance_pairs(debruine_once, x, y):
    c = debruine_once.pair(f"camera_distance_{x}cm", f"camera_distance_{y}cm")
    j = jaw(c)
    beyond = abs(c.cues["camera_distance_change_pct"]) > 42.0  # gate.MAX_CHECKED_CAMERA_PCT: no verdict
    assert j.verdict == ("uncertain" if beyond else j.verdict)
    if beyond:  # every lower-face row, the per-photo ones too (30 -> 60 cm read a false jowl change before)
        from facemetrics.compare.table import LOWER_FACE_KINDS, METRICS
        kinds = {m.metric: m.kind for m in METRICS}
        rows = [r for r in c.changes if kinds.get(r.metric) in LOWER_FACE_KINDS]
        assert rows and all(r.verdict == "uncertain" for r in rows), [(r.metric, r.verdict) for r in rows]
        assert not any(r.verdict == "uncertain" for r in c.changes if kinds.get(r.metric) not in LOWER_FACE_KINDS)
    assert abs(j.change) <= 0.3 or j.verdict in ("within_noise", "uncertain"), (j, c.messages)
    assert c.cues["camera_distance_change_pct"] > 15  # further away, measured
    assert any("further away" in m for m in c.messages)


def test_real_camera_distance_pairs_claim_no_lift_or_sag_in_any_region(debruine, debruine_once):
    """The guide's claim (README's until stop 52): one unchanged person at 30, 45 and 60 cm, every ordered pair, reads no
    lift or sag in any region.  Before stop 25's stretch term the mouth corner read a false sag
    whenever the camera came closer (45 -> 30: -0.41 mm against a floor of 0.29; 60 -> 30: -0.70
    against 0.38); the fit's apparent stretch on these pairs (+0.25 to +0.82 % closer) now widens
    the floors.  (Fold verdicts are documented, not asserted: since the fold depth's sixth round,
    2026-12-03, 45 -> 30 reads ``within_noise`` (-0.91 against 0.91; it read ``shallower``, -0.94
    against 0.86) and 60 -> 30 reads its right fold ``shallower``, -1.13 against 1.08.)"""
    names = sorted(debruine)
    for x in names:
        for y in names:
            if x == y:
                continue
            t = debruine_once.pair(x, y).to_frame()
            lifts = t[t.metric.str.endswith("_lift_mm")]
            assert not lifts.verdict.isin(["lift", "sag"]).any(), (x, y, lifts[["metric", "side", "change",
                                                                               "noise_floor", "verdict"]])


def test_a_real_pair_with_a_cropped_before_photo_reads_no_false_jaw_change(debruine):
    """60 -> 30 cm (one person, no treatment) with the before photo's bottom 30 % cut (as
    bench/bench_principal_point.py's ``before_bottom30``: stopping 25 mm below the chin): the image
    centre moves off the camera's axis.  Before the per-photo metrics' floors took the principal-point
    term (2026-12-03) the jawline height read -4.45 mm against a 3.90 floor (``decrease``; uncropped
    -0.34) and the lower-face area -569 mm² against 380; they make no claim now."""
    a, b = debruine["camera_distance_60cm"], debruine["camera_distance_30cm"]
    h = a.photo.rgb.shape[0]
    chin = float(a.points[:468, 1].max())
    k = int(min(0.3 * h, max(h - (chin + 25.0 / a.calibration.mm_per_px), 0)))
    assert k > 0.2 * h  # a real cut
    c = compare_photos(variant(a, np.ascontiguousarray(a.photo.rgb[:h - k])), b)
    assert c.status != "refused", c.messages
    for metric, side in (("jawline_height_mm", "right"), ("jawline_height_mm", "left"),
                         ("jawline_height_mm", "mean"), ("lower_face_area_mm2", "mean")):
        ch = c.get(metric, side)
        assert ch.verdict in ("within_noise", "uncertain"), (metric, side, ch.change, ch.noise_floor, ch.verdict)
    assert c.cues["principal_row_floor"]["jawline_height_mm"]["mean"] > 1.0  # the term carries the crop


def test_real_pose_pairs_claim_no_lift_or_sag(debruine_once):
    """One unchanged person photographed in four poses (800 x 600, 0.36-0.69 mm/px): no pair may
    read a lift or a sag.  Two pairs did after the flow's DIS settings changed (+3.27 and -3.20 mm,
    beyond floors of 3.22 and 1.84 mm, with upper faces matching to 1.40 and 1.30 mm RMS);
    a roughly registered pair's lift and fold rows now carry the verdict ``uncertain``."""
    from facemetrics.compare import MAX_ALIGNMENT_RESIDUAL_MM, UNCERTAIN

    for i in range(1, 5):
        for j in range(i + 1, 5):
            c = debruine_once.pair(f"pose_variation_{i}", f"pose_variation_{j}")
            t = c.to_frame()
            lifts = t[t.metric.str.endswith("_lift_mm")]
            assert not lifts.verdict.isin(["lift", "sag"]).any(), (i, j, lifts[["metric", "side", "change",
                                                                               "noise_floor", "verdict"]])
            if c.status != "refused" and c.alignment.residual_mm > MAX_ALIGNMENT_RESIDUAL_MM:
                assert (lifts.verdict == UNCERTAIN).all() and (t[t.metric == "nlf_depth"].verdict == UNCERTAIN).all()
                assert (t[t.metric == "head_pitch_change_deg"].verdict != UNCERTAIN).all()  # the pose rows keep theirs


def test_a_camera_change_within_its_own_uncertainty_is_not_reported_as_measured():
    """+375 % +- 856 % (the 3-D fit on a rolled, dim selfie pair) is no distance: the gate says
    it could not be measured instead of "the camera was about 169 cm further away"; a change
    beyond its uncertainty keeps the measured wording, on either side of the 10 % limit."""
    from facemetrics.compare.gate import MSG_CAMERA, WARN_CAMERA_PCT, pose_messages

    def msgs(cam, sd):
        return pose_messages({"camera_distance_change_pct": cam, "pose_sd": {"camera_distance_change_pct": sd}})[1]

    vague = msgs(375.0, 428.0)
    assert len(vague) == 1 and "could not be measured" in vague[0] and not vague[0].startswith(MSG_CAMERA)
    sure = msgs(41.0, 6.0)
    assert len(sure) == 1 and sure[0].startswith(MSG_CAMERA) and "18 cm further away" in sure[0]
    assert msgs(-41.0, 6.0)[0].startswith(MSG_CAMERA) and "closer" in msgs(-41.0, 6.0)[0]
    assert msgs(0.5 * WARN_CAMERA_PCT, 40.0) == []  # small and vague: nothing to say
    assert pose_messages({"camera_distance_change_pct": 41.0})[1][0].startswith(MSG_CAMERA)  # no SD known


def test_real_pose_pairs_do_not_claim_an_unmeasurable_camera_distance(debruine_once):
    """Pose 3 -> 4 and 1 -> 2 of the real four-pose set gave "+485 %" and "+375 %" camera
    changes with uncertainties of 770 % and 856 %: not measured, and said so."""
    from facemetrics.report import summary_lines

    for i, j in ((3, 4), (1, 2)):
        c = debruine_once.pair(f"pose_variation_{i}", f"pose_variation_{j}")
        assert not any("cm further away" in m or "cm closer" in m for m in c.messages), c.messages
        assert any("could not be measured" in m for m in c.messages), c.messages
        assert any("camera distance not measurable" in line for line in summary_lines(c))


def test_fit_recovers_the_parameters_of_an_exact_model_flow():
    # a synthetic face-like depth (nose in front, sides behind), the model's own flow as data:
    # the fit must give back the parameters, and its whole-grid flow the model's flow
    rows, cols, res = 481, 401, 0.25  # the work grid's resolution
    u0, v0 = -50.0, -40.0
    uu, vv = np.meshgrid(u0 + np.arange(cols) * res, v0 + np.arange(rows) * res)
    depth = (0.012 * uu ** 2 + 0.004 * (vv - 20) ** 2 - 35 * np.exp(-(uu ** 2 + (vv - 30) ** 2) / 200)).astype(np.float32)
    truth = np.array([2.5, -1.5, 40.0, 0.02, 0.7, 0.3, -0.4])
    flow = pose3d._Model(uu, vv, depth, (5.0, 60.0), 450.0).flow(truth).astype(np.float32)
    mask = (vv < 40) & (np.abs(uu) < 40)
    fit = pose3d.fit_pose(flow, mask, depth, u0, v0, res, (5.0, 60.0))
    assert fit.pitch_deg == pytest.approx(2.5, abs=0.02)
    assert fit.yaw_deg == pytest.approx(-1.5, abs=0.02)
    assert fit.tz_mm == pytest.approx(40.0, rel=0.02)
    assert fit.camera_distance_change_pct == pytest.approx(100 * 40 / 450, rel=0.02)
    assert abs(fit.stretch_pct) < 0.002 and np.abs(fit.stretch_flow_mm).max() < 0.01  # no stretch in the truth
    # whole-grid flow (evaluated every 4 grid px = 1 mm, interpolated) vs the model at every pixel
    assert np.abs(fit.flow_mm - flow).max() < 0.01
    assert fit.rms_after_mm < 0.005
    # the same flow given in grid px with its mm per px (flow_scale): the same fit, bit for bit
    px = (flow / np.float32(res)).astype(np.float32)
    a = pose3d.fit_pose(px * np.float32(res), mask, depth, u0, v0, res, (5.0, 60.0))
    b = pose3d.fit_pose(px, mask, depth, u0, v0, res, (5.0, 60.0), flow_scale=res)
    np.testing.assert_array_equal(a.params, b.params)
    np.testing.assert_array_equal(a.cov, b.cov)
    np.testing.assert_array_equal(a.flow_mm, b.flow_mm)
    assert (a.rms_before_mm, a.rms_after_mm) == (b.rms_before_mm, b.rms_after_mm)


def test_the_stretch_fit_recovers_a_stretched_photo_and_what_it_moves():
    """A flow with a 0.15 % vertical stretch besides the pose: the eight-parameter fit reads the
    stretch, and the seven-parameter flow plus the stretch flow is the true flow everywhere."""
    rows, cols, res = 481, 401, 0.25
    u0, v0 = -50.0, -40.0
    uu, vv = np.meshgrid(u0 + np.arange(cols) * res, v0 + np.arange(rows) * res)
    depth = (0.012 * uu ** 2 + 0.004 * (vv - 20) ** 2 - 35 * np.exp(-(uu ** 2 + (vv - 30) ** 2) / 200)).astype(np.float32)
    truth = np.array([1.0, -0.5, 10.0, 0.01, 0.3, 0.2, -0.1, 0.0015])
    flow = pose3d._Model(uu, vv, depth, (5.0, 60.0), 450.0).flow(truth).astype(np.float32)
    mask = (vv < 40) & (np.abs(uu) < 40)
    fit = pose3d.fit_pose(flow, mask, depth, u0, v0, res, (5.0, 60.0))
    assert fit.stretch_pct == pytest.approx(100 * np.expm1(0.0015), abs=0.005)
    assert np.abs(fit.flow_mm + fit.stretch_flow_mm - flow).max() < 0.01
    # at the lower face (v > 70 mm, below the fit's rigid face) the stretch alone moves the skin by ~0.1 mm
    assert 0.03 < abs(float(np.mean(fit.stretch_flow_mm[vv > 70][:, 1]))) < 0.3


def test_the_principal_point_refit_gives_what_the_other_point_changes():
    """A camera-distance change seen with the principal point 40 mm below where the fit puts it (a photo cut
    at the bottom): the refit at the true point plus what it changes is the true flow everywhere, and a
    refit at the fit's own point changes nothing."""
    rows, cols, res = 481, 401, 0.25
    u0, v0 = -50.0, -40.0
    uu, vv = np.meshgrid(u0 + np.arange(cols) * res, v0 + np.arange(rows) * res)
    depth = (0.012 * uu ** 2 + 0.004 * (vv - 20) ** 2 - 35 * np.exp(-(uu ** 2 + (vv - 30) ** 2) / 200)).astype(np.float32)
    truth = np.array([0.0, 0.0, -100.0, 0.0, 0.0, 0.0, 0.0])  # 45 -> 35 cm
    flow = pose3d._Model(uu, vv, depth, (0.0, 35.0), 450.0).flow(truth).astype(np.float32)
    mask = (vv < 40) & (np.abs(uu) < 40)
    fit = pose3d.fit_pose(flow, mask, depth, u0, v0, res, (0.0, -5.0), alt_principal_uv=(0.0, 35.0))
    np.testing.assert_array_equal(fit.principal_alt_uv, [0.0, 35.0])
    jaw = vv > 60  # below the fit's rigid face
    wrong = float(np.mean(fit.flow_mm[jaw][:, 1] - flow[jaw][:, 1]))
    assert abs(wrong) > 0.1  # the wrong point misreads the jaw ...
    assert np.abs(fit.flow_mm + fit.principal_flow_mm - flow)[jaw].max() < 0.02  # ... the refit does not
    same = pose3d.fit_pose(flow, mask, depth, u0, v0, res, (0.0, 35.0), alt_principal_uv=(0.0, 35.0))
    assert np.abs(same.principal_flow_mm).max() < 1e-4
    np.testing.assert_allclose(same.principal_params, same.params, atol=1e-6)  # the refit's own parameters
    assert (same.principal_pitch_deg, same.principal_yaw_deg) == (same.principal_params[0], same.principal_params[1])
    assert fit.principal_params is not None and fit.failed == ()
    alone = pose3d.fit_pose(flow, mask, depth, u0, v0, res, (0.0, 35.0))
    assert alone.principal_flow_mm is None and alone.principal_params is None and alone.failed == ()


def _model(n=600, seed=6):
    rng = np.random.default_rng(seed)
    return pose3d._Model(rng.uniform(-60, 60, n), rng.uniform(-40, 80, n), rng.uniform(0, 50, n), (3.0, 40.0),
                         450.0)


@pytest.mark.parametrize("x", [np.zeros(7), np.array([2.0, -1.2, -30.0, 0.02, 0.4, 0.3, -0.5]),
                               np.zeros(8), np.array([2.0, -1.2, -30.0, 0.02, 0.4, 0.3, -0.5, -0.002])])
def test_analytic_jacobian_matches_central_differences(x):
    from scipy.optimize._numdiff import approx_derivative

    m = _model()
    ref = approx_derivative(lambda p: m.flow(p).ravel(), x, method="3-point")
    got = m.jacobian(x)
    assert got.shape == (2 * 600, len(x))
    np.testing.assert_allclose(got, ref, rtol=1e-6, atol=1e-9 * np.abs(ref).max())


def test_stacked_model_evaluations_equal_single_ones():
    m = _model()
    xs = np.array([np.zeros(8), [1.0, -2.0, 15.0, -0.01, 0.5, 0.1, 0.2, 0.001]])
    np.testing.assert_array_equal(m.flows(xs), np.stack([m.flow(x) for x in xs]))


def test_prediction_sds_equal_prediction_sd_per_group():
    rng = np.random.default_rng(8)
    fit = pose3d.PoseFit(np.array([1.2, -0.7, -3.0, 0.01, 0.3, 0.2, -0.5]), np.diag(rng.uniform(0.01, 0.1, 7)),
                         450.0, np.array([3.0, 40.0]), np.zeros((1, 1, 2), np.float32), 0.0, 0.0, 0)
    groups = [tuple(rng.uniform(lo, hi, n).astype(np.float32) for lo, hi in ((-60, 60), (-40, 80), (0, 50)))
              for n in (400, 0, 123)]
    got = pose3d.prediction_sds(fit, groups)
    assert got == [pose3d.prediction_sd(fit, *g) for g in groups]
    assert got[1] == 0.0 and got[0] > 0


def _fit_problem(seed: int, outliers: float = 0.1):
    """A pose fit's residual function on a synthetic face: a known pose's flow, noise and outliers."""
    m = _model(n=800, seed=seed)
    rng = np.random.default_rng(seed + 100)
    truth = np.array([1.5, -2.0, 25.0, 0.012, 0.6, 0.4, -0.3])
    obs = m.flow(truth) + rng.normal(0, 0.03, (800, 2))
    bad = rng.random(800) < outliers
    obs[bad] += rng.normal(0, 2.0, (int(bad.sum()), 2))
    return m, obs, truth


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_robust_least_squares_finds_scipys_solution(seed):
    """The hand-written solver against ``scipy.optimize.least_squares`` on the same problem: the same
    minimum (to SciPy's own stopping tolerance), residuals and loss-scaled Jacobian."""
    from scipy import optimize

    m, obs, truth = _fit_problem(seed)

    def resid(x):
        return (m.flow(x) - obs).ravel()

    x_scale = pose3d._X_SCALE
    ref = optimize.least_squares(resid, np.zeros(7), jac=m.jacobian, loss="soft_l1", f_scale=pose3d.LOSS_SCALE_MM,
                                 x_scale=list(x_scale), method="trf", max_nfev=200)
    x, f, jac = pose3d.robust_least_squares(resid, np.zeros(7), m.jacobian, pose3d.LOSS_SCALE_MM, x_scale)
    np.testing.assert_allclose(x / x_scale, ref.x / x_scale, rtol=0, atol=1e-5)
    assert np.all(np.abs(x - truth) <= 0.2 * x_scale), (x, truth)  # and it is the truth, to the noise
    np.testing.assert_allclose(f, resid(x), rtol=0, atol=0)
    scaled = m.jacobian(x) * ((1.0 + (f / pose3d.LOSS_SCALE_MM) ** 2) ** -0.75)[:, None]
    np.testing.assert_allclose(jac, scaled, rtol=1e-12)
    np.testing.assert_allclose(jac, ref.jac, rtol=1e-3, atol=1e-6 * np.abs(ref.jac).max())

    def cost(r):
        return float(np.sum(np.sqrt(1 + (r / pose3d.LOSS_SCALE_MM) ** 2) - 1))

    assert cost(f) <= cost(ref.fun) * (1 + 1e-12)  # never a worse minimum than SciPy's


def test_robust_least_squares_ignores_outliers_a_plain_fit_follows():
    m, obs, truth = _fit_problem(3, outliers=0.25)
    x, _, _ = pose3d.robust_least_squares(lambda p: (m.flow(p) - obs).ravel(), np.zeros(7), m.jacobian,
                                          pose3d.LOSS_SCALE_MM, pose3d._X_SCALE)
    plain, _, _ = pose3d.robust_least_squares(lambda p: (m.flow(p) - obs).ravel(), np.zeros(7), m.jacobian,
                                              1e6, pose3d._X_SCALE)  # a huge scale: ordinary least squares
    err = np.abs(x - truth) / pose3d._X_SCALE
    assert err.max() < 0.2 < (np.abs(plain - truth) / pose3d._X_SCALE).max()


def test_robust_least_squares_refuses_a_non_finite_start_or_jacobian():
    with pytest.raises(ValueError, match="residuals are not finite"):
        pose3d.robust_least_squares(lambda x: np.array([np.nan, 1.0]), np.zeros(1), lambda x: np.ones((2, 1)),
                                    1.0, np.ones(1))
    with pytest.raises(ValueError, match="Jacobian is not finite"):
        pose3d.robust_least_squares(lambda x: np.array([1.0, 1.0]) + x, np.zeros(1), lambda x: np.full((2, 1), np.nan),
                                    1.0, np.ones(1))


def test_robust_least_squares_never_tries_a_step_beyond_its_bound(monkeypatch):
    """A nearly singular problem (one residual sees the parameter a million times more weakly than the
    other, which is quadratic), as a turned photo against its mirror image made the principal-point
    refit's: its first damped step is ~1e6 x_scale units, where ``cosh`` overflows.  No trial beyond
    _MAX_STEP is evaluated, so no RuntimeWarning, and the minimum is found; with the bound lifted the
    same solve evaluates at ~1e6 (before 2026-12-04: overflow in exp, invalid value in matmul)."""
    import warnings

    def problem():
        tried = []

        def fun(x):
            tried.append(float(x[0]))
            return np.array([1e-6 * x[0] - 1.0, 1e-3 * (np.cosh(x[0] / 10.0) - 1.0)])

        def jac(x):
            return np.array([[1e-6], [1e-4 * np.sinh(x[0] / 10.0)]])

        return fun, jac, tried

    fun, jac, tried = problem()
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        x, f, _ = pose3d.robust_least_squares(fun, np.zeros(1), jac, 1.0, np.ones(1))
    assert max(abs(t) for t in tried) <= pose3d._MAX_STEP, max(tried)
    grid = np.linspace(-50.0, 50.0, 100001)  # the soft-L1 cost on a grid: the same minimum
    cost = np.sqrt(1 + (1e-6 * grid - 1) ** 2) + np.sqrt(1 + (1e-3 * (np.cosh(grid / 10) - 1)) ** 2)
    assert abs(x[0] - grid[np.argmin(cost)]) < 1e-2, (x, grid[np.argmin(cost)])  # 18.54
    monkeypatch.setattr(pose3d, "_MAX_STEP", np.inf)
    fun, jac, tried = problem()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        pose3d.robust_least_squares(fun, np.zeros(1), jac, 1.0, np.ones(1))
    assert max(abs(t) for t in tried) > 1e5


def test_a_camera_change_beyond_the_checked_range_gives_no_verdict():
    """Beyond MAX_CHECKED_CAMERA_PCT (the largest estimate among the re-renders the perspective
    correction was checked on) every lower-face row is 'uncertain' (the compare-level check is in
    test_real_camera_distance_pairs); within it they are not."""
    from facemetrics.compare.gate import MAX_CHECKED_CAMERA_PCT, MSG_CAMERA, camera_beyond_checked, pose_messages

    assert not camera_beyond_checked({"camera_distance_change_pct": MAX_CHECKED_CAMERA_PCT})
    assert camera_beyond_checked({"camera_distance_change_pct": -MAX_CHECKED_CAMERA_PCT - 0.1})
    assert camera_beyond_checked({"camera_distance_change_pct": 485.0})  # vague or not: no better known
    assert not camera_beyond_checked({}) and not camera_beyond_checked({"camera_distance_change_pct": float("nan")})
    sd = {"pose_sd": {"camera_distance_change_pct": 6.0}}
    far = pose_messages({"camera_distance_change_pct": 50.0, **sd})[1]
    assert len(far) == 1 and far[0].startswith(MSG_CAMERA) and "without a verdict" in far[0]
    near = pose_messages({"camera_distance_change_pct": 30.0, **sd})[1]
    assert "measured and corrected" in near[0] and "without a verdict" not in near[0]
    vague = pose_messages({"camera_distance_change_pct": 375.0, "pose_sd": {"camera_distance_change_pct": 428.0}})[1]
    assert "could not be measured" in vague[0] and "without a verdict" in vague[0]


def test_real_pairs_far_beyond_the_checked_distance_claim_no_lift(debruine_once):
    """One person photographed at 45 and 60 cm, then at 15 cm: the correction read sags of 1.3-2.6 mm
    (jawline right -4.05 mm) before the range check; now no lift or sag, and the pose rows keep theirs."""
    from facemetrics.compare import UNCERTAIN

    for far in (45, 60):
        c = debruine_once.pair(f"camera_distance_{far}cm", "camera_distance_15cm")
        t = c.to_frame()
        lifts = t[t.metric.str.endswith("_lift_mm")]
        assert (lifts.verdict == UNCERTAIN).all(), lifts[["metric", "side", "change", "verdict"]]
        assert (t[t.metric == "nlf_depth"].verdict == UNCERTAIN).all()
        assert c.cues["camera_distance_change_pct"] < -42.0
        assert (t[t.metric == "camera_distance_change_pct"].verdict != UNCERTAIN).all()


def test_a_real_photo_resized_one_pixel_taller_claims_no_lift():
    """The truth is Pillow's resampling, not the pose model: london 062 resized to 1255 x 1256 px
    (0.08 % taller than wide, a 1 px rounding) read a jawline 'sag' of -0.145 mm against a 0.072 mm
    floor; the stretch fit reads the stretch and its floor term covers what it moves."""
    import io

    from PIL import Image

    path = SHARED_FACES / "london_ccby" / "london_062_f30_black_neutral.jpg"
    if not path.is_file():
        pytest.skip(f"optional real photo {path} is absent")
    from facemetrics import analyze_photo

    def jpeg(im):
        buf = io.BytesIO()
        im.save(buf, "JPEG", quality=90)
        return buf.getvalue()

    src = Image.open(path).convert("RGB")
    before = analyze_photo(jpeg(src))
    for size, truth in (((1255, 1255), 0.0), ((1255, 1256), 100 * (1256 / 1255 - 1))):
        c = compare_photos(before, analyze_photo(jpeg(src.resize(size, Image.BICUBIC))))
        # 0.025: the reading moves with the photos' mm scales (0.097 % read 0.103 % once the iris scale's yaw
        # correction took the line-of-sight yaw, geometry.head_pose), 0.02 was within 0.003 of it
        assert c.cues["pose_stretch_pct"] == pytest.approx(truth, abs=0.025), size
        lifts = c.to_frame()
        lifts = lifts[lifts.metric.str.endswith("_lift_mm")]
        assert not lifts.verdict.isin(["lift", "sag"]).any(), lifts[["metric", "side", "change", "noise_floor"]]


def test_refusal_names_a_far_camera_move_beside_other_people(debruine_once):
    """One person, a close selfie (pose 3) against pose 1: refused with 1.63 mm upper-face residual
    and an estimated camera change of about -47 %; the message named only 'different people', hair,
    glasses, expression or blur.  It now also names the camera move beyond the checked range; a
    refusal within that range (pose 2 -> 3, -29 %) does not.  (Since 2026-12-05 the pair itself is not
    refused: the mean of both orders reads 1.51 mm; the clause is checked on the one order.)"""
    from facemetrics.compare.gate import MSG_DIFFERENT_PEOPLE, MSG_MISMATCH, gate
    from facemetrics.compare.measure import _measure

    a = {k: debruine_once.photo(f"pose_variation_{k}") for k in (1, 2, 3)}
    # since 2026-12-05 the refusal reads the mean of both orders (1.63 and 1.39 mm: 1.51 mm, under 1.7 mm), so
    # this pair of one person is a rough match; the clause is checked on its own pair with the reverse fit
    # unknown, where the one order's limit (1.6 mm) refuses it as before
    c = debruine_once.pair("pose_variation_1", "pose_variation_3")
    assert c.status != "refused" and not any(m.startswith(MSG_DIFFERENT_PEOPLE) for m in c.messages), c.messages
    assert any(m.startswith(MSG_MISMATCH) for m in c.messages), c.messages
    pair = _measure(a[1], a[3])
    status, msgs = gate(a[1], a[3], pair)  # no reverse_residual_mm cue: the one order
    assert status == "refused" and msgs[0].startswith("these may be different people")
    cam = abs(pair.cues["camera_distance_change_pct"])
    assert cam > 42 and f"or the camera moved much closer ({cam:.0f} % ± " in msgs[0], msgs[0]
    assert "% of the distance, beyond the ±42 %" in msgs[0], msgs[0]

    c = debruine_once.pair("pose_variation_2", "pose_variation_3")  # 1.51 mm: a rough match (it read just above 1.6 mm, refused, before the
    # line-of-sight head pose moved the photos' iris scales by 0.1-0.2 %); either way no camera clause
    assert c.status == "warning" and abs(c.cues["camera_distance_change_pct"]) <= 42
    assert any(m.startswith(MSG_MISMATCH) for m in c.messages), c.messages
    assert not any("or the camera moved" in m for m in c.messages), c.messages


# --- a camera estimate read while the expression changed (user audit, 2026-12-03) ------------


def test_a_camera_estimate_read_while_the_lips_changed_is_not_a_distance(sample_analysis):
    """The sample re-rendered 45 -> 30 cm keeps "the camera was about ... cm closer"; the same pair with
    the after photo's lips read as smiling (its smile index +0.3: the gate's "expression differs") has the
    same 3-D fit, but the distance is said not to be measured (London 087 neutral -> smiling read "about
    45 cm further away", +101 %, with the face's size within 2 %)."""
    from facemetrics.compare.gate import MSG_CAMERA, MSG_CAMERA_UNMEASURED, MSG_EXPRESSION
    from facemetrics.report import summary_lines

    a = sample_analysis
    after = variant(a, simulate.camera_distance(a, 450, 300, **WRONG_DEPTH).image)
    c = compare_photos(a, after)
    cam = c.cues["camera_distance_change_pct"]
    assert cam < -20 and not any(m.startswith(MSG_EXPRESSION) for m in c.messages), c.messages
    assert any(m.startswith(MSG_CAMERA) and "cm closer" in m for m in c.messages), c.messages
    assert not any("not measurable" in line for line in summary_lines(c))
    q = after.quality
    smiling = dataclasses.replace(after, quality=dataclasses.replace(q, smile_index=q.smile_index + 0.3))
    s = compare_photos(a, smiling)
    assert s.cues["camera_distance_change_pct"] == cam  # the same fit: only what is said changed
    assert any(m.startswith(MSG_EXPRESSION) for m in s.messages), s.messages
    assert not any(m.startswith(MSG_CAMERA) or "cm closer" in m for m in s.messages), s.messages
    said = [m for m in s.messages if m.startswith(MSG_CAMERA_UNMEASURED)]
    assert len(said) == 1 and "the expression changed" in said[0] and f"{cam:+.0f} %" in said[0], said
    assert any("camera distance not measurable, the expression changed" in line for line in summary_lines(s))


def test_pose_messages_give_no_distance_read_while_the_lips_changed():
    """Measured or beyond the checked range, either sign: with ``expression_changed`` no distance in
    cm and no 'beyond the checked range' clause (the rows are 'uncertain' for the expression); a
    change below the 10 % limit stays unsaid."""
    from facemetrics.compare.gate import MSG_CAMERA, MSG_CAMERA_UNMEASURED, camera_measured, pose_messages

    sd = {"pose_sd": {"camera_distance_change_pct": 6.0}}
    for cam in (-41.0, 101.0):
        c = {"camera_distance_change_pct": cam, **sd}
        assert pose_messages(c)[1][0].startswith(MSG_CAMERA) and camera_measured(c)
        said = pose_messages(c, expression_changed=True)[1]
        assert len(said) == 1 and said[0].startswith(MSG_CAMERA_UNMEASURED), said
        assert "the expression changed" in said[0] and " cm " not in said[0] and "without a verdict" not in said[0]
        assert not camera_measured(c, expression_changed=True)
    assert pose_messages({"camera_distance_change_pct": 5.0, **sd}, expression_changed=True)[1] == []


def test_a_refusal_names_a_far_camera_move_only_when_it_was_measured():
    """The audit's other person (+611 % +- 5869 %) was refused with "or the camera moved much further
    away (about 611 %, ...)" beside "could not be measured": an estimate within its own uncertainty, or
    read while the lips changed, is not offered as the cause; a measured one beyond 42 % is."""
    from facemetrics.compare.gate import _far_camera_clause

    measured = {"camera_distance_change_pct": 611.0, "pose_sd": {"camera_distance_change_pct": 20.0}}
    assert "further away (611 % ± 188 % of the distance, beyond" in _far_camera_clause(measured)
    assert _far_camera_clause(measured, expression_changed=True) == ""
    vague = {"camera_distance_change_pct": 611.0, "pose_sd": {"camera_distance_change_pct": 2934.5}}
    assert _far_camera_clause(vague) == ""
    near = {"camera_distance_change_pct": -30.0, "pose_sd": {"camera_distance_change_pct": 2.0}}
    assert _far_camera_clause(near) == ""  # within the checked range


@pytest.mark.parametrize("x,y", [(60, 45), (60, 30), (45, 30)])
def test_real_camera_pairs_keep_their_distance_when_only_the_mouth_corners_moved(debruine_once, x, y):
    """One person, neutral, photographed closer: the camera message keeps its distance.  Perspective
    moves the mouth corners against the jowl, so the flow's expression cues ("expression may differ")
    fire on 60 -> 30 cm (and fired on 60 -> 45 cm until the line-of-sight head pose moved the photos' iris
    scales by 0.1-0.2 %): only the lips' shape withholds the distance."""
    from facemetrics.compare.gate import MSG_CAMERA, MSG_CAMERA_UNMEASURED, MSG_EXPRESSION

    c = debruine_once.pair(f"camera_distance_{x}cm", f"camera_distance_{y}cm")
    assert c.cues["camera_distance_change_pct"] < -15
    assert not any(m.startswith(MSG_EXPRESSION) for m in c.messages), c.messages
    assert any(m.startswith(MSG_CAMERA) and "cm closer" in m for m in c.messages), c.messages
    assert not any(m.startswith(MSG_CAMERA_UNMEASURED) for m in c.messages), c.messages
    if (x, y) == (60, 30):
        assert any(m.startswith("expression may differ") for m in c.messages), c.messages


def test_a_head_pose_change_beyond_the_validated_range_gives_no_verdict():
    """Beyond VALIDATED_PITCH_DEG / VALIDATED_YAW_DEG (the largest estimates among the re-renders the
    correction and its floors were validated on) every lower-face row is 'uncertain', and the message
    names the range and the retake; at the limits exactly, and within them, nothing changes.  (On the
    tuning faces re-rendered at pitch +8 deg, unchanged faces read a jowl sag of -0.40 mm against 0.35
    and a mouth-corner sag of -0.41 against 0.37, 2026-12-04: docs/compare.md, 'Beyond the validated head
    pose'.)"""
    from facemetrics.compare.gate import (MSG_POSE, MSG_POSE_UNCHECKED, REFUSE_PITCH_DEG, VALIDATED_PITCH_DEG,
                                          VALIDATED_YAW_DEG, pose_beyond_checked, pose_messages)

    assert (VALIDATED_PITCH_DEG, VALIDATED_YAW_DEG) == (7.3, 5.8)
    assert not pose_beyond_checked({"pose_pitch_deg": VALIDATED_PITCH_DEG, "pose_yaw_deg": -VALIDATED_YAW_DEG})
    assert pose_beyond_checked({"pose_pitch_deg": VALIDATED_PITCH_DEG + 0.01, "pose_yaw_deg": 0.0})
    assert pose_beyond_checked({"pose_pitch_deg": -VALIDATED_PITCH_DEG - 0.01})
    assert pose_beyond_checked({"pose_yaw_deg": VALIDATED_YAW_DEG + 0.01})
    assert pose_beyond_checked({"pose_pitch_deg": 0.0, "pose_yaw_deg": -VALIDATED_YAW_DEG - 0.01})
    assert not pose_beyond_checked({}) and not pose_beyond_checked({"pose_pitch_deg": float("nan"),
                                                                     "pose_yaw_deg": float("nan")})
    refuse, msgs = pose_messages({"pose_pitch_deg": 8.0})
    assert not refuse and len(msgs) == 1 and msgs[0].startswith(MSG_POSE) and MSG_POSE_UNCHECKED in msgs[0]
    assert msgs[0].startswith("head pose differs: chin raised by about 8.0 deg in the after photo (named above "
                              "±2 deg, checked up to ±7.3 deg, refused beyond ±10 deg): this was measured, but it "
                              f"is {MSG_POSE_UNCHECKED} (beyond it"), msgs[0]
    assert "without a verdict ('uncertain'" in msgs[0] and "retake the after photo facing the camera" in msgs[0]
    yaw = pose_messages({"pose_yaw_deg": -6.0})[1]
    assert len(yaw) == 1 and MSG_POSE_UNCHECKED in yaw[0] and yaw[0].startswith(
        "head pose differs: face turned further to the subject's right by about 6.0 deg in the after photo "
        "(named above ±3 deg, checked up to ±5.8 deg, refused beyond ±10 deg)"), yaw[0]
    for inside in ({"pose_pitch_deg": VALIDATED_PITCH_DEG}, {"pose_yaw_deg": VALIDATED_YAW_DEG}):
        msgs = pose_messages(inside)[1]
        assert len(msgs) == 1 and "measured and corrected" in msgs[0] and MSG_POSE_UNCHECKED not in msgs[0]
    refuse, msgs = pose_messages({"pose_pitch_deg": REFUSE_PITCH_DEG + 0.5})
    assert refuse and MSG_POSE_UNCHECKED not in msgs[0]


def test_an_estimate_just_beyond_the_validated_pose_does_not_read_as_the_limit():
    """7.31-7.34 deg printed "about 7.3 deg ... beyond ... (±7.3 deg of pitch)": an estimate that rounds to
    the limit says "more than 7.3 deg"; one that rounds beyond it keeps "about"."""
    from facemetrics.compare.gate import pose_messages

    for d in (7.31, 7.34):
        msg = pose_messages({"pose_pitch_deg": d})[1][0]
        assert msg.startswith("head pose differs: chin raised by more than 7.3 deg in the after photo (named"), msg
    assert "chin lowered by more than 7.3 deg" in pose_messages({"pose_pitch_deg": -7.32})[1][0]
    assert "chin raised by about 7.4 deg" in pose_messages({"pose_pitch_deg": 7.36})[1][0]
    assert "by more than 5.8 deg" in pose_messages({"pose_yaw_deg": 5.82})[1][0]


def test_the_other_axis_claims_no_floor_when_one_is_beyond_the_validated_pose():
    """With pitch beyond its validated range the yaw message (named, within its range) said "measured and
    corrected ... added to its noise floor" as if its rows kept verdicts: it now says they get none, and
    beside a refused axis it names the change only; within both ranges it keeps the floor's words."""
    from facemetrics.compare.gate import pose_messages

    cues = {"pose_pitch_deg": 8.0, "pose_yaw_deg": 4.0, "pose_correction_mm": {"jawline": {"right": 1.0, "left": 1.0}},
            "pose_floor_mm": {"jawline": {"mean": 0.5}}}
    refuse, (pitch, yaw) = pose_messages(cues)
    assert not refuse and "beyond the range" in pitch
    assert yaw == ("head pose differs: face turned further to the subject's left by about 4.0 deg in the after photo "
                   "(limit ±3 deg); this was measured and corrected, but the pitch change is beyond the range the "
                   "head-pose correction was checked on (its own message says how far), so the lower-face changes "
                   "get no verdict"), yaw
    pitch_then = pose_messages({**cues, "pose_pitch_deg": 2.5, "pose_yaw_deg": -6.0})[1][0]
    assert "added to its noise floor" not in pitch_then and "but the yaw change is beyond" in pitch_then
    refuse, (hard, yaw) = pose_messages({**cues, "pose_pitch_deg": 11.0})
    assert refuse and yaw == ("head pose differs: face turned further to the subject's left by about 4.0 deg in "
                              "the after photo (limit ±3 deg)"), yaw
    inside = pose_messages({**cues, "pose_pitch_deg": 7.0})[1]
    assert len(inside) == 2 and all("±0.50 mm for what the correction may miss is added to its noise floor" in m
                                    for m in inside), inside


def test_a_named_pose_claims_no_floor_when_the_rows_are_uncertain_for_another_reason(sample_analysis):
    """A pitch of 3 deg beside a camera change beyond the checked ±42 % (or a rough registration, a cut face,
    a change of the lips' shape) said "±X mm for what the correction may miss is added to its noise floor"
    of rows that had no verdict; it now says they get none.  Within every range it keeps the floor's words."""
    from types import SimpleNamespace

    from facemetrics.compare.gate import MSG_POSE, gate, pose_messages

    cues = {"pose_pitch_deg": 3.0, "pose_correction_mm": {"jawline": {"right": 1.0, "left": 1.0}},
            "pose_floor_mm": {"jawline": {"mean": 0.5}}}
    floor = "±0.50 mm for what the correction may miss is added to its noise floor"
    none = ("head pose differs: chin raised by about 3.0 deg in the after photo (limit ±2 deg); this was measured and "
            "corrected, but the lower-face changes get no verdict for another reason (the other messages say which)")
    alone = pose_messages(cues)[1]
    assert len(alone) == 1 and floor in alone[0], alone
    far = pose_messages({**cues, "camera_distance_change_pct": 60.0})[1]
    assert far[0] == none and floor not in far[0], far
    assert pose_messages(cues, lower_face_unread=True)[1] == [none]
    assert pose_messages(cues, expression_changed=True)[1] == [none]
    # the gate passes what it knows: a rough registration (0.8 mm RMS, limit 0.6)
    a = sample_analysis
    pair = SimpleNamespace(cues={**cues, "mouth_widening_mm": 0.0, "mouth_corner_rise_mm": 0.0},
                           alignment=SimpleNamespace(residual_mm=0.8))
    said = [m for m in gate(a, a, pair)[1] if m.startswith(MSG_POSE)]
    assert said == [none], said
    pair.alignment.residual_mm = 0.1
    said = [m for m in gate(a, a, pair)[1] if m.startswith(MSG_POSE)]
    assert len(said) == 1 and floor in said[0], said


def test_the_lower_face_rule_reads_the_pose_cues(sample_analysis):
    """gate.lower_face_unread_reasons, the one rule for a comparison's rows and for repeat photos: a pitch
    or yaw beyond the validated range (or the refusal limit) and a camera change beyond the checked range
    are reasons, each with its value and limit; at the limits, or without cues, there is none."""
    from facemetrics.compare.gate import (MAX_CHECKED_CAMERA_PCT, VALIDATED_PITCH_DEG, VALIDATED_YAW_DEG,
                                          lower_face_unread_reasons)

    a = sample_analysis
    assert lower_face_unread_reasons(a, a, 0.1) == [] == lower_face_unread_reasons(a, a, 0.1, {})
    at = {"pose_pitch_deg": -VALIDATED_PITCH_DEG, "pose_yaw_deg": VALIDATED_YAW_DEG,
          "camera_distance_change_pct": MAX_CHECKED_CAMERA_PCT}
    assert lower_face_unread_reasons(a, a, 0.1, at) == []
    assert lower_face_unread_reasons(a, a, 0.1, {"pose_pitch_deg": 9.1}) == [
        "the head pitch (tilt up/down) changed by +9.10 deg (beyond the ±7.3 deg the head-pose correction was "
        "checked on)"]
    assert lower_face_unread_reasons(a, a, 0.1, {"pose_yaw_deg": -10.5, "camera_distance_change_pct": -50.0}) == [
        "the head yaw (turn left/right) changed by -10.50 deg (beyond ±10 deg, where a comparison is refused)",
        "the camera distance changed by -50 % ± 15 % (beyond the ±42 % the correction was checked on)"]
    assert lower_face_unread_reasons(a, a, 0.1, {"pose_pitch_deg": float("nan")}) == []


def test_the_lower_face_reasons_give_each_change_with_its_uncertainty(sample_analysis):
    """The reasons a repeat photo is left out ("the head pitch (tilt up/down) changed by +9.10 deg (beyond ...)",
    "the camera distance changed by about -50 % (...)") gave the figure without the ± its row and the gate's own
    messages give (stop 62's audit): the pose change now carries its row's 95 % uncertainty when the cues hold the
    3-D fit's SD, the camera change its estimate's (camera_floor)."""
    from facemetrics.compare.floors import DEFAULT_NOISE_FLOORS, pose_uncertainty
    from facemetrics.compare.gate import lower_face_unread_reasons
    from facemetrics.compare.pose import camera_floor

    a = sample_analysis
    cues = {"pose_pitch_deg": 9.1, "camera_distance_change_pct": -50.0,
            "pose_sd": {"head_pitch_change_deg": 0.5, "camera_distance_change_pct": 3.0}}
    u = pose_uncertainty("head_pitch_change_deg", 9.1, 0.5, DEFAULT_NOISE_FLOORS[("head_pitch_change_deg", "mean")])
    assert lower_face_unread_reasons(a, a, 0.1, cues) == [
        f"the head pitch (tilt up/down) changed by +9.10 ± {u:.2f} deg (beyond the ±7.3 deg the head-pose correction "
        "was checked on)",
        f"the camera distance changed by -50 % ± {camera_floor(cues):.0f} % (beyond the ±42 % the correction was "
        "checked on)"]


@pytest.fixture(scope="module")
def pitch9(sample_analysis):
    """The sample re-rendered 9 deg chin-up with the wrong depth and pivot (no true change): estimated
    beyond the validated 7.3 deg, within the 10 deg refusal."""
    a = sample_analysis
    return variant(a, simulate.head_pose(a, pitch_deg=9, pivot_mm=WRONG_PIVOT, **WRONG_DEPTH).image)


def test_a_repeat_beyond_the_validated_pose_is_left_out_of_the_floors(sample_analysis, pitch9):
    """Review of 674ec27: repeat photos were never checked for head pose (a p+9 repeat of London 140,
    estimated 10.2 deg, a pair the gate refuses, widened the jawline floor from 0.06 to 1.04 mm so a true
    1 mm lift read within the noise).  A repeat ~9 deg chin-up is now left out with a message naming the
    pitch and its limit, and the floors equal those without it; it would have widened them."""
    from facemetrics.compare import noise_floors_from_repeats
    from facemetrics.compare.measure import repeat_changes

    a = sample_analysis
    lifted = variant(a, simulate.lift(a, 1.0).image)
    good = variant(a, simulate.jpeg(simulate.roll(a, 1.0).image, 80).image)
    alone = compare_photos(a, lifted, before_repeats=[good])
    c = compare_photos(a, lifted, before_repeats=[good, pitch9])
    assert c.noise_source == alone.noise_source == "repeats (1 pair)", c.noise_source
    assert c.noise_floors == alone.noise_floors
    said = [m for m in c.messages if m.startswith(f"repeat photo {pitch9.name} not used against the before photo "
                                                  f"{a.name}: the head pitch (tilt up/down) changed by +")]
    assert len(said) == 1 and "beyond the ±7.3 deg the head-pose correction was checked on" in said[0], c.messages
    assert "same pose and expression" in said[0]
    # what it would have done: its pair read a pitch beyond the limit, and its changes widen the jawline floor
    rep = repeat_changes(a, pitch9)
    assert 7.3 < rep.cues["pose_pitch_deg"] < 10.0, rep.cues
    key = ("jawline_lift_mm", "mean")
    wide = noise_floors_from_repeats([repeat_changes(a, good).changes, rep.changes])
    assert wide[key] > alone.noise_floors[key], (wide[key], alone.noise_floors[key])
    only = compare_photos(a, lifted, before_repeats=[pitch9])
    assert only.noise_source == "default (1 repeat photo not used)"
    assert only.noise_floors == compare_photos(a, lifted).noise_floors


def test_a_rerender_beyond_the_validated_pose_reads_uncertain(sample_analysis, posed, pitch9):
    """The sample re-rendered 9 deg chin-up (estimated beyond 7.3, within the 10 deg refusal): every
    lower-face row 'uncertain' with its value kept, the pose rows keep theirs, the headline names the
    cause; the 6 deg re-render (within the range) keeps its verdicts."""
    from facemetrics import report
    from facemetrics.compare import POSE_METRICS, UNCERTAIN
    from facemetrics.compare.gate import MSG_POSE_UNCHECKED, VALIDATED_PITCH_DEG

    a = sample_analysis
    c = compare_photos(a, pitch9)
    assert c.status == "warning" and VALIDATED_PITCH_DEG < c.cues["pose_pitch_deg"] < 10.0, c.cues["pose_pitch_deg"]
    assert any(MSG_POSE_UNCHECKED in m for m in c.messages), c.messages
    t = c.to_frame()
    lower = t[~t.metric.isin(POSE_METRICS) & t.verdict.notna() & (t.verdict != "")]
    assert len(lower) > 20 and (lower.verdict == UNCERTAIN).all(), lower[lower.verdict != UNCERTAIN]
    assert np.isfinite(c.get("jawline_lift_mm").change)
    assert (t[t.metric.isin(POSE_METRICS)].verdict != UNCERTAIN).all()
    assert report.headline(t, c.messages).startswith("no lift or sag can be claimed: the head pose changed more")
    inside, _, _ = posed["pitch+6"]
    assert abs(inside.cues["pose_pitch_deg"]) <= VALIDATED_PITCH_DEG
    assert inside.get("jawline_lift_mm").verdict == "within_noise"
    assert not any(MSG_POSE_UNCHECKED in m for m in inside.messages)


def test_a_seed_gives_the_fit_made_without_it_and_a_stale_seed_is_not_taken(monkeypatch):
    """fit_pose(seed=): the seven-parameter fit made already (compare.measure.upper_face_residual, same comparison)
    is taken, only the floor fits made: every field the same to the bit as without the seed; a seed of another
    principal point or other samples is ignored (solved again), so it can never give another pair's pose."""
    import dataclasses

    rows, cols, res = 241, 201, 0.5
    u0, v0 = -50.0, -40.0
    uu, vv = np.meshgrid(u0 + np.arange(cols) * res, v0 + np.arange(rows) * res)
    depth = (0.012 * uu ** 2 + 0.004 * (vv - 20) ** 2 - 35 * np.exp(-(uu ** 2 + (vv - 30) ** 2) / 200)).astype(np.float32)
    rng = np.random.default_rng(3)
    flow = (pose3d._Model(uu, vv, depth, (5.0, 60.0), 450.0).flow(np.array([2.0, -1.0, 30.0, 0.01, 0.5, 0.2, -0.3]))
            + rng.normal(0, 0.05, uu.shape + (2,))).astype(np.float32)
    mask = (vv < 40) & (np.abs(uu) < 40)
    args = (flow, mask, depth, u0, v0, res, (5.0, 60.0))
    plain = pose3d.fit_pose(*args, alt_principal_uv=(0.0, 30.0))
    seed = pose3d.fit_pose(*args, floor_fits=False)
    solves = []
    solve = pose3d.robust_least_squares
    monkeypatch.setattr(pose3d, "robust_least_squares", lambda *a, **kw: solves.append(1) or solve(*a, **kw))
    seeded = pose3d.fit_pose(*args, alt_principal_uv=(0.0, 30.0), seed=seed)
    assert len(solves) == 2  # the stretch fit and the refit at the face's centre, not the seven-parameter fit
    pose3d.fit_pose(*args, alt_principal_uv=(0.0, 30.0))
    assert len(solves) == 5
    for f in dataclasses.fields(plain):
        x, y = getattr(plain, f.name), getattr(seeded, f.name)
        assert (np.array_equal(x, y) if isinstance(x, np.ndarray) else x == y), f.name
    other = pose3d.fit_pose(flow, mask, depth, u0, v0, res, (0.0, 0.0), floor_fits=False)
    stale = pose3d.fit_pose(*args, alt_principal_uv=(0.0, 30.0), seed=other)
    np.testing.assert_array_equal(stale.params, plain.params)
    assert not np.array_equal(other.params, plain.params)


def test_a_camera_change_beyond_the_checked_range_gives_no_distance_in_cm():
    """debruine 15 -> 60 cm (a true +300 %) read +716 % in the app and was said as "the camera was about 322 cm
    further away in the after photo" (stop 54's first-user audit with real faces): beyond the ±42 % the
    correction was checked on, the estimate is given in % with its uncertainty, never as a distance in cm;
    within it the cm are given as an example at an assumed distance."""
    from facemetrics.compare.gate import MSG_CAMERA, MSG_CAMERA_UNCHECKED, pose_messages

    def msgs(cam, sd):
        return pose_messages({"camera_distance_change_pct": cam, "pose_sd": {"camera_distance_change_pct": sd}})[1]

    for cam, way in ((716.0, "further away"), (-51.0, "closer")):
        said = msgs(cam, 0.1 * abs(cam))
        assert len(said) == 1 and said[0].startswith(f"{MSG_CAMERA} {way} in the after photo ("), said
        assert " cm further" not in said[0] and " cm closer" not in said[0] and "assuming about" not in said[0]
        assert f"{cam:+.0f} % ±" in said[0] and MSG_CAMERA_UNCHECKED in said[0], said
    assert "about 18 cm further away" in msgs(41.0, 6.0)[0]  # within the checked range: the cm kept


def test_a_camera_change_within_the_checked_range_leads_with_the_measured_percent():
    """Stop 54's audit: "the camera was about 20 cm further away in the after photo (+45 % of the distance, ...;
    assuming about 45 cm for the before photo)" read as 20 cm further for a 30 -> 45 cm pair (15 cm): the cm rest on
    an assumed distance.  The message now leads with the % measured (with its uncertainty, as beyond the checked
    range) and gives the cm as what it would be at the assumed 45 cm; one message for the console, changes.csv,
    comparison.csv and the app."""
    from facemetrics.compare.gate import MSG_CAMERA, pose_messages
    from facemetrics.compare.pose import camera_floor

    for cam, sd, way, cm in ((41.0, 6.0, "further away", 18), (-24.0, 3.0, "closer", 11)):
        cues = {"camera_distance_change_pct": cam, "pose_sd": {"camera_distance_change_pct": sd}}
        (said,) = pose_messages(cues)[1]
        pm = camera_floor(cues)
        assert said.startswith(f"{MSG_CAMERA} {way} in the after photo ({cam:+.0f} % ± {pm:.0f} % of the distance, "
                               "limit ±10 %; at an assumed 45 cm for the before photo that would be about "
                               f"{cm} cm {way}: only the % is measured): "), said
        assert "cm" not in said.split("(")[0], said
        assert said.endswith("This was measured and corrected; hold the phone at the same distance for every photo")


def _broadcast_flow(m, x):
    """The model's flow as written before stop 60 (broadcasts over the coordinate axis): the reference."""
    pitch, yaw, tz, log_s, theta, tu, tv = x[:7]
    log_a = x[7] if len(x) > 7 else 0.0
    q3 = m._rel @ pose3d._rot(pitch, yaw).T + m.pivot
    q3[..., 2] += tz
    q = m.D * q3[..., :2] / q3[..., 2:3] + m.c
    s, th = np.exp(log_s), np.radians(theta)
    rot2 = np.array([[np.cos(th), -np.sin(th)], [np.sin(th), np.cos(th)]]) * s @ pose3d._stretch(log_a)
    return q @ rot2.T + (tu, tv) - m._uv


def _broadcast_jacobian(m, x):
    """The model's Jacobian as written before stop 60: the reference."""
    pitch, yaw, tz, log_s, theta = x[:5]
    log_a = x[7] if len(x) > 7 else 0.0
    a, b = np.radians(-pitch), np.radians(-yaw)
    ca, sa, cb, sb = np.cos(a), np.sin(a), np.cos(b), np.sin(b)
    rx = np.array([[1, 0, 0], [0, ca, -sa], [0, sa, ca]])
    ry = np.array([[cb, 0, sb], [0, 1, 0], [-sb, 0, cb]])
    drx = np.array([[0, 0, 0], [0, -sa, -ca], [0, ca, -sa]])
    dry = np.array([[-sb, 0, cb], [0, 0, 0], [-cb, 0, -sb]])
    k = -np.pi / 180.0
    q3 = m._rel @ (ry @ rx).T + m.pivot
    q3[:, 2] += tz
    z = q3[:, 2:3]
    q = m.D * q3[:, :2] / z + m.c

    def proj(dq3):
        return m.D * (dq3[:, :2] * z - q3[:, :2] * dq3[:, 2:3]) / (z * z)

    d = [proj(m._rel @ (ry @ drx).T * k), proj(m._rel @ (dry @ rx).T * k),
         proj(np.broadcast_to(np.array([0.0, 0.0, 1.0]), q3.shape))]
    s, th = np.exp(log_s), np.radians(theta)
    rot = np.array([[np.cos(th), -np.sin(th)], [np.sin(th), np.cos(th)]])
    drot = np.array([[-np.sin(th), -np.cos(th)], [np.cos(th), -np.sin(th)]]) * (np.pi / 180.0)
    st = pose3d._stretch(log_a)
    mm = s * rot @ st
    cols = [c @ mm.T for c in d] + [q @ mm.T, q @ (s * drot @ st).T]
    n = len(q)
    cols += [np.broadcast_to(np.array([1.0, 0.0]), (n, 2)), np.broadcast_to(np.array([0.0, 1.0]), (n, 2))]
    if len(x) > 7:
        cols += [q @ (s * rot @ (st * np.array([-0.5, 0.5]))).T]
    return np.stack([c.reshape(-1) for c in cols], axis=1)


def test_the_models_flow_and_jacobian_are_the_broadcast_formulas_to_the_last_bit():
    """Stop 60 computes the projection one coordinate at a time (the same operations per element, about twice as
    fast): the flow (points and lattices) and the Jacobian (seven and eight parameters) are those of the broadcast
    formulas, bit for bit, on random models, at zero and at typical and large poses."""
    rng = np.random.default_rng(60)
    for trial in range(60):
        shape = (int(rng.integers(30, 2500)),) if trial % 3 else (int(rng.integers(2, 30)), int(rng.integers(2, 30)))
        u, v, d = rng.normal(0, 30, shape), rng.normal(0, 40, shape), rng.normal(20, 10, shape)
        m = pose3d._Model(u, v, d, rng.normal(0, 5, 2), float(rng.uniform(200, 800)))
        x = rng.normal(0, 3 if trial % 4 else 20, 8 if trial % 2 else 7)
        x[3] *= 0.01
        if trial % 5 == 0:
            x[:] = 0.0
        got, want = m.flow(x), _broadcast_flow(m, x)
        assert got.shape == want.shape and got.tobytes() == want.tobytes()
        if len(shape) == 1:
            got, want = m.jacobian(x), _broadcast_jacobian(m, x)
            assert got.shape == want.shape and got.tobytes() == want.tobytes()


def test_the_camera_reason_without_an_sd_says_about_not_n_a():
    """A 3-D fit with no finite camera SD made camera_floor NaN, and the lower-face reason read "changed by -50 % ±
    n/a %" (review r1, stop 62): without an uncertainty the figure is "about" it, as before the ± was added."""
    from facemetrics.compare.pose import _pose_unread_reasons

    cues = {"camera_distance_change_pct": -50.0, "pose_sd": {"camera_distance_change_pct": float("nan")}}
    (reason,) = _pose_unread_reasons(cues, False)
    assert "n/a" not in reason and "changed by about -50 % (beyond" in reason, reason
    (reason,) = _pose_unread_reasons({"camera_distance_change_pct": -50.0}, False)
    assert "changed by -50 % ± 15 % (beyond" in reason, reason
