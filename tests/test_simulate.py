"""facemetrics.simulate: the ground truth itself must be right before anything is
tested against it (independently of facemetrics.compare's optical flow)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from facemetrics import simulate as sim
from facemetrics.geometry import CHIN, SUBNASALE


def _patch_shift(a: np.ndarray, b: np.ndarray, centre, half: int) -> np.ndarray:
    """Translation (dx, dy) px of ``b`` against ``a`` in a square patch (phase correlation)."""
    x, y = (int(round(v)) for v in centre)
    ga = cv2.cvtColor(a[y - half:y + half, x - half:x + half], cv2.COLOR_RGB2GRAY).astype(np.float64)
    gb = cv2.cvtColor(b[y - half:y + half, x - half:x + half], cv2.COLOR_RGB2GRAY).astype(np.float64)
    win = cv2.createHanningWindow(ga.shape[::-1], cv2.CV_64F)
    (dx, dy), _ = cv2.phaseCorrelate(ga, gb, win)
    return np.array([dx, dy])


@pytest.fixture(scope="module")
def lifted(sample_analysis):
    return {mm: sim.lift(sample_analysis, mm) for mm in (1.0, 3.0)}


def test_lift_truth_is_full_on_the_jawline_and_zero_on_the_cheek(lifted):
    for mm, s in lifted.items():
        t = s.truth
        assert t["jawline_lift_mm"] == pytest.approx(mm, abs=1e-4)
        assert t["jawline_lift_right_mm"] == pytest.approx(mm, abs=1e-4)
        assert t["jawline_lift_left_mm"] == pytest.approx(mm, abs=1e-4)
        assert t["jowl_lift_mm"] == pytest.approx(mm, abs=1e-4)
        assert t["cheek_lift_mm"] == pytest.approx(0.0, abs=1e-6)  # above the nose base
        # the mouth-corner discs straddle the fade above the mouth: partly lifted
        assert 0.85 * mm < t["mouth_corner_lift_mm"] <= mm
        assert t["nlf_darkening_right"] == t["nlf_darkening_left"] == 0.0
        assert t["lift_mm"] == mm and t["side"] == "both"


def test_lift_moves_the_jaw_skin_by_the_truth(sample_analysis, lifted):
    """Phase correlation on a patch inside the jawline band: the skin moved up by mm (in px of the photo)."""
    a = sample_analysis
    frame = a.frame
    # a patch (~21 mm square) centred 25 mm above the chin, inside the full-field zone
    centre = frame.to_px(frame.to_mm(a.points[CHIN, :2]) + (0.0, -25.0))
    for mm, s in lifted.items():
        d = _patch_shift(a.photo.rgb, s.image, centre, 60)
        expected = -mm / frame.mm_per_px * frame.v_axis  # up = against v
        assert np.allclose(d, expected, atol=0.2), (mm, d, expected)  # 0.2 px = 0.035 mm


def test_lift_leaves_the_upper_face_untouched(sample_analysis, lifted):
    a = sample_analysis
    v_top = a.frame.to_mm(a.points[SUBNASALE, :2])[1]
    h, w = a.photo.rgb.shape[:2]
    ys, xs = np.mgrid[0:h, 0:w]
    v = a.frame.to_mm(np.stack([xs, ys], axis=-1).astype(np.float64))[..., 1]
    above = v < v_top - 1.0
    for s in lifted.values():
        assert np.array_equal(s.image[above], a.photo.rgb[above])
        assert s.image.shape == a.photo.rgb.shape and s.image.dtype == np.uint8


def test_one_sided_lift(sample_analysis):
    s = sim.lift(sample_analysis, 2.0, side="left")
    t = s.truth
    assert t["jawline_lift_left_mm"] == pytest.approx(2.0, abs=0.05)
    assert t["jawline_lift_right_mm"] == pytest.approx(0.0, abs=0.05)
    assert t["jawline_lift_mm"] == pytest.approx(1.0, abs=0.05)
    a = sample_analysis
    frame = a.frame
    chin_uv = frame.to_mm(a.points[CHIN, :2])
    for du, expected in ((-35.0, 0.0), (35.0, 2.0)):  # subject's right (image left), subject's left
        centre = frame.to_px(chin_uv + (du, -25.0))
        d = _patch_shift(a.photo.rgb, s.image, centre, 48)
        assert -d @ frame.v_axis * frame.mm_per_px == pytest.approx(expected, abs=0.05), du
    with pytest.raises(ValueError):
        sim.lift(sample_analysis, 1.0, side="middle")


def test_negative_lift_is_a_sag(sample_analysis):
    s = sim.lift(sample_analysis, -1.0)
    assert s.truth["jawline_lift_mm"] == pytest.approx(-1.0, abs=1e-4)


def test_geometric_nuisances_keep_the_canvas_and_the_face(sample_analysis):
    a = sample_analysis
    rgb = a.photo.rgb
    centre = 0.5 * (a.frame.origin + a.points[CHIN, :2])
    for s in (sim.roll(a, 3.0), sim.roll(a, -3.0), sim.rescale(a, 0.85), sim.rescale(a, 1.15), sim.shift(a, 37, -23)):
        assert s.image.shape == rgb.shape
        assert s.truth["jawline_lift_mm"] == 0.0 and s.truth["cheek_lift_left_mm"] == 0.0
        assert s.truth["nlf_darkening_right"] == 0.0
    # rotation and scale are about the face centre: it stays put
    for s in (sim.roll(a, 3.0), sim.rescale(a, 1.15)):
        d = _patch_shift(rgb, s.image, centre, 40)
        assert np.all(np.abs(d) < 1.0), d
    d = _patch_shift(rgb, sim.shift(a, 37, -23).image, centre, 128)
    assert np.allclose(d, (37, -23), atol=0.5)  # phase correlation is biased by the large shift
    # a plain array works too (turns about the image centre)
    assert sim.roll(rgb, 2.0).image.shape == rgb.shape
    assert sim.roll(a, 3.0).truth["roll_deg"] == 3.0


def test_photometric_nuisances(sample_analysis):
    rgb = sample_analysis.photo.rgb
    m = rgb.astype(np.float64).mean()
    assert sim.brightness(rgb, 1.15).image.mean() == pytest.approx(1.15 * m, rel=0.03)
    assert sim.brightness(rgb, 0.85).image.mean() == pytest.approx(0.85 * m, rel=0.01)
    g = sim.gamma(rgb, 0.8).image
    assert g.mean() > m and g[rgb == 255].min() == 255
    wb = sim.white_balance(rgb, (1.1, 1.0, 0.9)).image
    assert wb[..., 0].mean() > rgb[..., 0].mean() and wb[..., 2].mean() < rgb[..., 2].mean()
    assert np.array_equal(wb[..., 1], rgb[..., 1])
    j = sim.jpeg(rgb, 70)
    assert j.image.shape == rgb.shape and 0 < np.abs(j.image.astype(int) - rgb).mean() < 3
    n1, n2 = sim.noise(rgb, 4.0, seed=3).image, sim.noise(rgb, 4.0, seed=3).image
    assert np.array_equal(n1, n2)  # deterministic
    assert np.std(n1.astype(float) - rgb) == pytest.approx(4.0, rel=0.1)
    b = sim.blur(rgb, 1.0).image
    assert cv2.Laplacian(b, cv2.CV_64F).var() < cv2.Laplacian(rgb, cv2.CV_64F).var()


def test_every_registered_nuisance_changes_the_image_but_not_the_truth(sample_analysis):
    rgb = sample_analysis.photo.rgb
    for name, fn in sim.NUISANCES.items():
        s = fn(sample_analysis)
        assert s.image.shape == rgb.shape and s.image.dtype == np.uint8, name
        assert s.truth["jawline_lift_mm"] == 0.0 and s.truth["nlf_darkening_right"] == 0.0, name
        changed = np.abs(s.image.astype(int) - rgb).mean()
        if name == "identity":
            assert changed == 0.0
        else:
            assert changed > 0.1, f"{name} leaves the photo as it was"


def test_photo_jitter_is_seeded_and_stays_within_its_ranges(sample_analysis):
    rgb = sample_analysis.photo.rgb
    a, drawn = sim.photo_jitter(rgb, np.random.default_rng(5), sim.DEFAULT_JITTER)
    b, again = sim.photo_jitter(rgb, np.random.default_rng(5), sim.DEFAULT_JITTER)
    assert np.array_equal(a, b) and drawn == again
    assert abs(drawn["jitter_roll_deg"]) <= sim.DEFAULT_JITTER["roll_deg"]
    assert abs(drawn["jitter_scale"] - 1) <= sim.DEFAULT_JITTER["scale"]
    assert abs(drawn["jitter_brightness"] - 1) <= sim.DEFAULT_JITTER["brightness"]
    still, none = sim.photo_jitter(rgb, np.random.default_rng(5), {})
    assert np.array_equal(still, rgb) and none == {"jitter_roll_deg": 0.0, "jitter_scale": 1.0,
                                                   "jitter_brightness": 1.0}
    png = sim.encode_png(a)
    decoded = cv2.cvtColor(cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and np.array_equal(decoded, a)  # lossless


def test_truth_regions_agree_with_the_comparisons_masks(sample_analysis):
    """The lift truth's regions (simulate.truth_regions, own code) and the comparison's
    (compare.region_masks) cover the same skin: same area within 10 %, centroids within 1 mm.
    A region the comparison misplaced (wrong side, chain or normal) fails here and in the
    lift-accuracy tests, whose truth no longer comes from the masks under test."""
    from facemetrics.align import make_grid
    from facemetrics.compare import REGIONS, region_masks

    a = sample_analysis
    uv_pts = a.frame.to_mm(a.points[:, :2])
    samples, truth = sim.truth_regions(uv_pts)
    grid = make_grid(a.points, a.frame)
    u, v = grid.uv_maps()
    masks = region_masks(uv_pts, grid)
    for region in REGIONS:
        for side in ("right", "left"):
            t, m = truth[(region, side)], masks[(region, side)]
            area_t = t.sum() * sim.TRUTH_STEP_MM ** 2
            area_m = m.sum() * grid.res_mm ** 2
            assert area_t == pytest.approx(area_m, rel=0.10), (region, side, area_t, area_m)
            c_t = samples[t].mean(0)
            c_m = np.array([u[m].mean(), v[m].mean()])
            assert np.linalg.norm(c_t - c_m) < 1.0, (region, side, c_t, c_m)
    # sides are the subject's own: the right regions lie at negative u (image left)
    assert samples[truth[("jawline", "right")], 0].mean() < samples[truth[("jawline", "left")], 0].mean()


def test_one_sided_lift_truth_is_zero_on_the_other_side(sample_analysis):
    t = sim.lift(sample_analysis, 2.0, side="right").truth
    assert t["jawline_lift_right_mm"] > 1.6 and abs(t["jawline_lift_left_mm"]) < 0.2
    assert t["jawline_lift_mm"] == pytest.approx(0.5 * (t["jawline_lift_right_mm"] + t["jawline_lift_left_mm"]))


def test_a_jittered_photo_is_never_a_copy_of_its_source(sample_analysis):
    """photo_jitter is one picture moved, re-lit and given new noise; a draw turned by less than the
    near-copy check's 0.05 deg was a re-saved copy to compare (7 of 63 draws), so simulated studies
    left out only their zero-change photos.  Its roll is now at least JITTER_MIN_ROLL_DEG from 0."""
    from facemetrics import analyze_photo
    from facemetrics.compare import copies

    rolls = [sim.photo_jitter(np.zeros((8, 8, 3), np.uint8), np.random.default_rng(s), sim.DEFAULT_JITTER)[1]
             ["jitter_roll_deg"] for s in range(300)]
    assert min(map(abs, rolls)) >= sim.JITTER_MIN_ROLL_DEG and max(map(abs, rolls)) <= sim.DEFAULT_JITTER["roll_deg"]
    # a seed whose raw draw is within the near-copy turn limit: moved out of it, and not a copy
    seed = next(s for s in range(300)
                if abs(np.random.default_rng(s).uniform(-1, 1)) * sim.DEFAULT_JITTER["roll_deg"] < 0.03)
    img, drawn = sim.photo_jitter(sample_analysis.photo.rgb, np.random.default_rng(seed), sim.DEFAULT_JITTER)
    assert sim.JITTER_MIN_ROLL_DEG <= abs(drawn["jitter_roll_deg"]) < sim.JITTER_MIN_ROLL_DEG + 0.03
    diff = copies.picture_difference(sample_analysis, analyze_photo(sim.encode_png(img)))
    assert not diff.near_copy, diff
    # the same draw without the minimum roll is caught: what the minimum is for
    h, w = img.shape[:2]
    raw = np.random.default_rng(seed).uniform(-1, 1) * sim.DEFAULT_JITTER["roll_deg"]
    assert abs(raw) < 0.05
    m = cv2.getRotationMatrix2D((w / 2.0, h / 2.0), raw, 1.0)
    turned = cv2.warpAffine(sample_analysis.photo.rgb, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
    noisy = np.clip(turned + np.random.default_rng(1).normal(0, 2.0, turned.shape), 0, 255).round().astype(np.uint8)
    assert copies.picture_difference(sample_analysis, analyze_photo(sim.encode_png(noisy))).near_copy


def test_lifted_image_is_the_lifts_image_bit_for_bit(sample_analysis, lifted):
    """``lifted_image`` (what ``study.study`` and ``validate`` call: the image without the truth's
    rasterisation) is ``lift(...).image`` exactly, for every side, shape and sign; and it checks its
    side as ``lift`` does."""
    np.testing.assert_array_equal(sim.lifted_image(sample_analysis, 1.0), lifted[1.0].image)
    for mm, side, shape in ((-0.7, "left", "full"), (2.5, "right", "taper"), (1.2, "both", "jowl")):
        got = sim.lifted_image(sample_analysis, mm, side, shape)
        assert got.dtype == np.uint8 and got.shape == sample_analysis.photo.rgb.shape
        np.testing.assert_array_equal(got, sim.lift(sample_analysis, mm, side, shape).image)
    with pytest.raises(ValueError, match="side must be"):
        sim.lifted_image(sample_analysis, 1.0, side="top")


def test_the_single_blas_thread_of_the_re_render_and_the_truth_changes_no_digit(sample_analysis, monkeypatch):
    """The head pose's re-render and the truth's Delaunay test run their LAPACK solves on one BLAS thread
    (facemetrics.threads, for speed); the image and the truth are those of OpenBLAS's default threads, bit
    for bit (what bench/bench_study_lift.py checks on a whole study)."""
    import contextlib

    limited = sim.head_pose(sample_analysis, 1.5, -2.0, 0.0, image=sim.lift(sample_analysis, 1.0),
                            camera_mm=450.0, camera_to_mm=520.0)
    monkeypatch.setattr(sim, "single_blas_thread", contextlib.nullcontext)
    default = sim.head_pose(sample_analysis, 1.5, -2.0, 0.0, image=sim.lift(sample_analysis, 1.0),
                            camera_mm=450.0, camera_to_mm=520.0)
    np.testing.assert_array_equal(limited.image, default.image)
    assert limited.truth == default.truth


def test_truth_regions_kept_are_the_regions_made(sample_analysis):
    """simulate.truth_regions keeps the last TRUTH_CACHE_SIZE landmark sets' regions (a face's lifts of several
    sizes and sides rasterise the same ones): what it hands out again is what a fresh rasterisation gives, bit for
    bit; its arrays are read-only and its dict a new one each call (a caller's edit cannot reach the next caller);
    other landmarks, or another step, are other regions."""
    uv = sample_analysis.frame.to_mm(sample_analysis.points[:, :2])
    fresh_samples, fresh = sim._truth_regions(uv.copy(), sim.TRUTH_STEP_MM)
    first = sim.truth_regions(uv)
    again = sim.truth_regions(uv.copy())  # another array of the same values: kept
    assert again[0] is first[0] and again[1] is not first[1]
    for samples, masks in (first, again):
        assert samples.tobytes() == fresh_samples.tobytes() and set(masks) == set(fresh)
        assert all(masks[k].tobytes() == fresh[k].tobytes() for k in fresh)
        assert not samples.flags.writeable and not any(m.flags.writeable for m in masks.values())
    again[1].pop(("jawline", "right"))
    assert ("jawline", "right") in sim.truth_regions(uv)[1]
    moved = uv.copy()
    moved[:, 1] += 0.5
    assert sim.truth_regions(moved)[0] is not first[0]
    assert len(sim.truth_regions(uv, 0.5)[0]) < len(first[0])
