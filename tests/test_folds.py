"""Property tests of the nasolabial-fold measures (facemetrics.folds) and the jaw
contour (facemetrics.jaw) on small synthetic images: the depth index rises
strictly with a valley's darkness and width on the line and beside it, ignores
brightness scaling and shading gradients, swaps sides when mirrored, and the
found line follows a valley smoothly; the fold length is a soft count that a
fading fold's JPEG re-saves and brightness scaling move by little and a longer
darkening raises; the jaw contour refined on the image finds
a known jaw-to-neck edge, falls back to the oval + 2 mm where there is none or
where two edges compete, and swaps sides when mirrored."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from facemetrics import folds, geometry
from facemetrics.folds import fold_metrics
from facemetrics.geometry import GONION_LEFT, GONION_RIGHT, LOWER_OVAL, NLF_PATH_LEFT, NLF_PATH_RIGHT, Frame
from facemetrics.jaw import JAW_EDGE_OFFSET_MM, jaw_edge, jaw_metrics, refine_jaw_edge

MM = 0.25  # mm per px of the synthetic images
H = W = 400
#: Face Mesh fold chain of the subject's right side (image left), levelled (u, v) mm
CHAIN_RIGHT_MM = np.array([[-17.0, 36.0], [-22.0, 44.0], [-26.0, 54.0]])
FRACTIONS = (0.0, 0.05, 0.10, 0.20, 0.30)


def _frame() -> Frame:
    return Frame(np.array([W / 2 - 0.5, 30.0]), np.array([1.0, 0.0]), np.array([0.0, 1.0]), MM)


def _points() -> np.ndarray:
    """478 landmarks, only the fold chains set (mirror images of each other)."""
    pts = np.zeros((478, 2))
    f = _frame()
    pts[list(NLF_PATH_RIGHT)] = f.to_px(CHAIN_RIGHT_MM)
    pts[list(NLF_PATH_LEFT)] = f.to_px(CHAIN_RIGHT_MM * (-1.0, 1.0))
    return pts


def _skin(seed: int = 0) -> np.ndarray:
    """Flat skin (luminance 170) with a faint fine texture, float (H, W)."""
    rng = np.random.default_rng(seed)
    from scipy import ndimage

    return 170.0 + 4.0 * ndimage.gaussian_filter(rng.normal(size=(H, W)), 1.5)


def _distance_mm(line_px: np.ndarray) -> np.ndarray:
    """Distance (mm) of every pixel to a polyline given in px (exact distance
    transform of the line drawn at 8x sub-pixel precision)."""
    mask = np.full((H, W), 255, np.uint8)
    cv2.polylines(mask, [np.round(line_px * 8).astype(np.int32)], False, 0, 1, cv2.LINE_8, shift=3)
    return cv2.distanceTransform(mask, cv2.DIST_L2, cv2.DIST_MASK_PRECISE) * MM


def _offset(line_px: np.ndarray, mm: float) -> np.ndarray:
    """A line ``mm`` beside ``line_px`` (positive = image right)."""
    t = np.gradient(line_px, axis=0)
    t /= np.linalg.norm(t, axis=1, keepdims=True)
    n = np.stack([-t[:, 1], t[:, 0]], axis=1)
    n *= np.sign(n[:, 0].sum()) or 1.0
    return line_px + n * (mm / MM)


def _valley(d_mm: np.ndarray, fraction: float, width_mm: float, profile: str = "gauss") -> np.ndarray:
    if profile == "gauss":
        g = np.exp(-0.5 * (d_mm / width_mm) ** 2)
    else:  # raised cosine, zero beyond width_mm
        g = np.where(d_mm < width_mm, 0.5 + 0.5 * np.cos(np.pi * d_mm / width_mm), 0.0)
    return 1.0 - fraction * g


@pytest.fixture(scope="module")
def base():
    img = _skin()
    pts = _points()
    f = _frame()
    found = {s: fold_metrics(img, pts, f, s) for s in ("right", "left")}
    return img, pts, f, found


def test_flat_skin_and_shading_gradient_read_as_no_fold(base):
    img, pts, f, found = base
    for s in ("right", "left"):
        assert abs(found[s].depth_index) < 0.3, found[s].depth_index
    # a linear shading gradient across the whole face (20 % over the image) is not a fold
    ramp = img * np.linspace(0.9, 1.1, W)[None, :]
    for s in ("right", "left"):
        assert abs(fold_metrics(ramp, pts, f, s).depth_index) < 0.3


@pytest.mark.parametrize("where,width,profile", [
    (0.0, 1.0, "gauss"), (0.0, 3.0, "cos"), (2.5, 1.0, "gauss"), (-2.5, 1.0, "gauss"), (3.0, 2.5, "cos"),
])
def test_depth_rises_strictly_with_darkening_on_and_beside_the_line(base, where, width, profile):
    img, pts, f, found = base
    for s in ("right", "left"):
        d = _distance_mm(_offset(found[s].line_px, where))
        depth = [fold_metrics(img * _valley(d, fr, width, profile), pts, f, s).depth_index for fr in FRACTIONS]
        assert np.all(np.diff(depth) > 0), (s, where, depth)
        other = "left" if s == "right" else "right"
        dark = img * _valley(d, 0.3, width, profile)
        assert abs(fold_metrics(dark, pts, f, other).depth_index - found[other].depth_index) < 0.05


def test_depth_rises_with_valley_width(base):
    img, pts, f, found = base
    d = _distance_mm(found["right"].line_px)
    depth = [fold_metrics(img * _valley(d, 0.15, w), pts, f, "right").depth_index for w in (0.5, 1.0, 1.5, 2.5)]
    assert np.all(np.diff(depth) > 0), depth


def test_depth_unchanged_by_brightness_scaling(base):
    img, pts, f, found = base
    d = _distance_mm(found["left"].line_px)
    fold = img * _valley(d, 0.2, 1.5)
    ref = fold_metrics(fold, pts, f, "left")
    for gain in (0.6, 1.3):
        got = fold_metrics(fold * gain, pts, f, "left")
        assert got.depth_index == pytest.approx(ref.depth_index, rel=1e-4)
        assert got.contrast_pct == pytest.approx(ref.contrast_pct, rel=1e-4, abs=1e-4)


def test_mirroring_swaps_sides(base):
    img, pts, f, found = base
    d = _distance_mm(_offset(found["right"].line_px, -1.0))
    fold = img * _valley(d, 0.2, 1.5)
    mirrored = np.ascontiguousarray(fold[:, ::-1])
    mpts = pts.copy()
    mpts[:, 0] = W - 1 - pts[:, 0]
    mpts[list(NLF_PATH_RIGHT)], mpts[list(NLF_PATH_LEFT)] = mpts[list(NLF_PATH_LEFT)], mpts[list(NLF_PATH_RIGHT)]
    a = fold_metrics(fold, pts, f, "right")
    b = fold_metrics(mirrored, mpts, f, "left")
    assert b.depth_index == pytest.approx(a.depth_index, rel=0.02)
    np.testing.assert_allclose(W - 1 - b.line_px[:, 0], a.line_px[:, 0], atol=0.5 / MM)
    assert a.depth_index > 3 * abs(fold_metrics(fold, pts, f, "left").depth_index)


def test_found_line_follows_a_valley_smoothly(base):
    img, pts, f, found = base
    # a valley 1.5 mm lateral of the reference line (the prior centre), on textured skin
    ref_line = f.to_px(f.to_mm(found["right"].line_px))  # flat skin: the line is the reference line
    target = _offset(ref_line, -1.5)  # image left = lateral for the subject's right
    fold = img * _valley(_distance_mm(target), 0.2, 1.2)
    got = fold_metrics(fold, pts, f, "right")
    inner = got.line_px[10:-10]
    dist = np.array([np.min(np.linalg.norm(target - p, axis=1)) for p in inner]) * MM
    assert np.median(dist) < 0.75, np.median(dist)  # the anatomical prior holds it back a little
    # gentle curve: no zig-zag (second difference of the line, mm per 0.4 mm step)
    assert np.abs(np.diff(got.line_px, 2, axis=0)).max() * MM < 0.15


def test_prior_centre_profile_moves_the_line_on_flat_skin_and_leaves_the_depth(base):
    """``fold_metrics(prior_centre_mm=(top, bottom))`` (stop 24, not shipped): on flat skin the line
    follows the prior's centre as far as the smoothness prior lets it: against the shipped -1.5 mm it
    moves laterally at the top (centre -0.5) and medially at the bottom (-3.0), not in the middle
    (-1.75); a constant profile is the scalar; the depth index does not depend on it."""
    from facemetrics.folds import PRIOR_CENTRE_MM, _prior_centres

    img, pts, f, found = base
    np.testing.assert_array_equal(_prior_centres(np.array([[0.0, 0.0], [0.0, 1.0], [0.0, 4.0]]), (-1.0, -3.0)),
                                  [-1.0, -1.5, -3.0])
    np.testing.assert_array_equal(_prior_centres(np.zeros((4, 2)), -1.5), [-1.5] * 4)
    flat = fold_metrics(img, pts, f, "right", prior_centre_mm=(PRIOR_CENTRE_MM, PRIOR_CENTRE_MM))
    np.testing.assert_array_equal(flat.line_px, found["right"].line_px)
    prof = fold_metrics(img, pts, f, "right", prior_centre_mm=(-0.5, -3.0))
    assert prof.depth_index == found["right"].depth_index
    shift = f.to_mm(prof.line_px) - f.to_mm(found["right"].line_px)  # (u, v) mm; lateral = -u on the right
    mid = len(shift) // 2
    assert shift[2, 0] < -0.4 and shift[-3, 0] > 0.4, (shift[2], shift[-3])
    assert np.linalg.norm(shift[mid]) < 0.3, shift[mid]


def test_line_px_scores_the_given_line(base):
    img, pts, f, found = base
    line = found["right"].line_px
    fold = img * _valley(_distance_mm(line), 0.2, 1.5)
    searched = fold_metrics(fold, pts, f, "right")
    on = fold_metrics(fold, pts, f, "right", line_px=line)
    away = fold_metrics(fold, pts, f, "right", line_px=_offset(line, -9.0))
    np.testing.assert_allclose(on.line_px, line, atol=1e-6)
    assert on.contrast_pct == pytest.approx(searched.contrast_pct, abs=1.0)
    assert on.depth_index > away.depth_index + 3.0
    assert on.contrast_pct > 10 > away.contrast_pct


def test_score_fold_line_equals_fold_metrics_on_a_given_line(base):
    """The comparison's light scorer gives exactly fold_metrics(line_px=)'s numbers, both sides."""
    img, pts, f, found = base
    for side in ("right", "left"):
        line = _offset(found[side].line_px, 1.0)
        fold = img * _valley(_distance_mm(line), 0.1, 2.0)
        full = fold_metrics(fold, pts, f, side, line_px=line)
        assert folds.score_fold_line(fold, pts, f, side, line) == (
            full.depth_index, full.contrast_pct, full.length_mm)


def _lip_points(pts: np.ndarray, f: Frame) -> tuple[np.ndarray, np.ndarray]:
    """``pts`` with the outer-lip contour set (an ellipse 18 x 10 mm below the midline, reaching
    under the right fold's medial skin reference), and the lips' pixel mask (H, W) bool."""
    phi = np.linspace(0.0, 2 * np.pi, len(geometry.OUTER_LIPS), endpoint=False)
    lips_mm = np.stack([-3.0 + 9.0 * np.cos(phi), 53.0 + 5.0 * np.sin(phi)], axis=1)
    out = pts.copy()
    out[list(geometry.OUTER_LIPS)] = f.to_px(lips_mm)
    mask = np.zeros((H, W), np.uint8)
    cv2.fillPoly(mask, [np.round(f.to_px(lips_mm) * 8).astype(np.int32)], 1, cv2.LINE_8, shift=3)
    return out, mask.astype(bool)


@pytest.mark.parametrize("lip_level", [60.0, 250.0])
def test_lips_are_not_skin(base, monkeypatch, lip_level):
    """Colouring the lips (dark, or teeth-white) leaves the index alone: the skin references
    leave out the outer-lip contour and LIP_MARGIN_MM around it (without the mask, white lips
    raise the medial skin level and with it the index)."""
    img, pts, f, found = base
    pts_l, lips = _lip_points(pts, f)
    fold = img * _valley(_distance_mm(found["right"].line_px), 0.15, 1.5)
    coloured = np.where(lips, lip_level, fold)
    ref = fold_metrics(fold, pts_l, f, "right").depth_index
    assert abs(fold_metrics(coloured, pts_l, f, "right").depth_index - ref) < 0.02
    if lip_level > 200:  # teeth-white lips lift the unmasked upper quartile: the mask is what holds it
        monkeypatch.setattr(folds, "LIP_MARGIN_MM", None)
        unmasked = fold_metrics(coloured, pts_l, f, "right").depth_index - fold_metrics(fold, pts_l, f, "right").depth_index
        assert unmasked > 0.3, unmasked


def test_parameters_are_physical():
    reach = folds.DEPTH_HALF_WIDTH_MM + folds.DEPTH_TAPER_MM
    assert folds.DEPTH_SHIFT_LATERAL_MM + reach + 3.0 <= folds.SKIN_LATERAL_MM[0]
    assert -folds.SKIN_MEDIAL_MM[1] >= folds.DEPTH_SHIFT_MM + reach
    assert folds.DEPTH_SHIFT_LATERAL_MM >= folds.DEPTH_SHIFT_MM  # a smile's crease forms laterally (sixth round)


def test_strips_reach_further_laterally_only():
    """Issue 10, sixth round: the strips run from DEPTH_SHIFT_MM medial to DEPTH_SHIFT_LATERAL_MM
    lateral (positive offsets); equal reaches give the symmetric strips."""
    offsets = folds._offsets(16.0)
    w = folds._strip_weights_of(offsets)
    outer = folds.DEPTH_HALF_WIDTH_MM + folds.DEPTH_TAPER_MM
    covered = offsets[w.max(axis=0) > 0]
    assert covered.min() == pytest.approx(-(folds.DEPTH_SHIFT_MM + outer), abs=folds.RESOLUTION_MM)
    assert covered.max() == pytest.approx(folds.DEPTH_SHIFT_LATERAL_MM + outer, abs=folds.RESOLUTION_MM)
    assert len(w) == round((folds.DEPTH_SHIFT_MM + folds.DEPTH_SHIFT_LATERAL_MM) / folds.RESOLUTION_MM) + 1
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(folds, "DEPTH_SHIFT_LATERAL_MM", folds.DEPTH_SHIFT_MM)
        sym = folds._strip_weights_of(offsets)
        np.testing.assert_allclose(sym, sym[::-1, ::-1], atol=1e-12)  # mirror: offsets and strips reversed
        kept = folds._strip_weights(offsets)  # the kept weights follow the constant (it is in the key)
        np.testing.assert_array_equal(kept, sym)
    assert folds._strip_weights(offsets).shape == w.shape


def _reference_line_px(f: Frame, side: str, mm: float) -> np.ndarray:
    """The depth strips' reference line of the synthetic chain, moved ``mm`` laterally, px."""
    uv = CHAIN_RIGHT_MM * ((1.0, 1.0) if side == "right" else (-1.0, 1.0))
    centre = geometry.resample_polyline(folds._centre_path(uv), folds.RESOLUTION_MM, "exact")
    n = folds._normals(centre, side)
    return f.to_px(centre + (folds.PRIOR_CENTRE_MM + mm) * n)


def test_crease_lateral_of_the_line_is_seen_with_the_lateral_reach(base, monkeypatch):
    """A crease 4.5 mm lateral of the reference line (where a smile's crease formed on london 021)
    raises the index more with the shipped lateral reach than with the fifth round's 3 mm strips
    (whose flat part ends at 4.5 mm), on both sides; one 4.5 mm medial gains nothing from it."""
    img, pts, f, found = base
    assert folds.DEPTH_SHIFT_LATERAL_MM > 3.0
    rise = {}
    for design, (reach, skin) in {"shipped": (folds.DEPTH_SHIFT_LATERAL_MM, folds.SKIN_LATERAL_MM),
                                  "fifth": (3.0, (9.0, 13.0))}.items():
        monkeypatch.setattr(folds, "DEPTH_SHIFT_LATERAL_MM", reach)
        monkeypatch.setattr(folds, "SKIN_LATERAL_MM", skin)
        for s in ("right", "left"):
            d0 = fold_metrics(img, pts, f, s).depth_index
            for where in (4.5, -4.5):
                dark = img * _valley(_distance_mm(_reference_line_px(f, s, where)), 0.15, 1.5)
                rise[(design, s, where)] = fold_metrics(dark, pts, f, s).depth_index - d0
    for s in ("right", "left"):
        assert rise[("shipped", s, 4.5)] > rise[("fifth", s, 4.5)] + 0.5, rise
        assert rise[("shipped", s, -4.5)] <= rise[("fifth", s, -4.5)] + 0.05, rise


def test_jaw_edge_moves_the_oval_outward():
    theta = np.linspace(0.1, np.pi - 0.1, 25)
    oval = np.stack([60 * np.cos(theta), 40 + 50 * np.sin(theta)], axis=1)  # lower half of an ellipse (v down)
    edge = jaw_edge(oval, np.array([0.0, 40.0]))
    r_oval = np.hypot(oval[:, 0] / 60, (oval[:, 1] - 40) / 50)
    r_edge = np.hypot(edge[:, 0] / 60, (edge[:, 1] - 40) / 50)
    assert np.all(r_edge > r_oval)
    np.testing.assert_allclose(np.linalg.norm(edge - oval, axis=1), JAW_EDGE_OFFSET_MM, rtol=1e-9)


# --- jaw contour refined on the image (facemetrics.jaw.refine_jaw_edge) -----------------

JAW_MM = 0.25  # mm per px of the synthetic jaw images
JAW_W, JAW_H = 560, 520
#: true jaw-to-neck edge: lower half of an ellipse (levelled mm), centre v, semi-axes
JAW_CV, JAW_A, JAW_B = 30.0, 55.0, 65.0
JAW_INSET_MM = 4.5  # the synthetic "Face Mesh" oval runs this far inside the true edge


def _jaw_frame(mirrored: bool = False) -> Frame:
    x = JAW_W / 2 - 0.5 + (7.0 if not mirrored else -7.0)  # face off-centre, so mirroring moves it
    return Frame(np.array([x, 40.0]), np.array([1.0, 0.0]), np.array([0.0, 1.0]), JAW_MM)


def _ellipse(phi: np.ndarray, inset: float = 0.0) -> np.ndarray:
    """Points (u, v) mm at angles ``phi`` (0 = chin, negative = the subject's right)."""
    return np.stack([(JAW_A - inset) * np.sin(phi), JAW_CV + (JAW_B - inset) * np.cos(phi)], axis=1)


def _jaw_points() -> np.ndarray:
    """478 landmarks: the lower oval on the inset ellipse, every other point at its centre."""
    f = _jaw_frame()
    pts = np.tile(f.to_px(np.array([0.0, JAW_CV])), (478, 1))
    phi = np.radians(np.linspace(-100.0, 100.0, len(LOWER_OVAL)))
    pts[list(LOWER_OVAL)] = f.to_px(_ellipse(phi, JAW_INSET_MM))
    return pts


def _jaw_image(edge_sides: tuple[str, ...] = ("right", "left")) -> np.ndarray:
    """Bright face (170) inside the true edge, a neck shadow (120) below it on the given
    subject's sides; faint texture everywhere.  Float (H, W)."""
    from scipy import ndimage

    f = _jaw_frame()
    yy, xx = np.mgrid[0:JAW_H, 0:JAW_W]
    uv = f.to_mm(np.stack([xx, yy], axis=-1).astype(float))
    inside = (uv[..., 0] / JAW_A) ** 2 + ((uv[..., 1] - JAW_CV) / JAW_B) ** 2 <= 1.0
    side_ok = np.zeros_like(inside)
    if "right" in edge_sides:
        side_ok |= uv[..., 0] < 0
    if "left" in edge_sides:
        side_ok |= uv[..., 0] >= 0
    img = np.where(inside | (uv[..., 1] < JAW_CV) | ~side_ok, 170.0, 120.0)
    img = ndimage.gaussian_filter(img, 0.4 / JAW_MM)  # a slightly soft edge
    rng = np.random.default_rng(3)
    return img + 2.0 * ndimage.gaussian_filter(rng.normal(size=img.shape), 1.5)


def _to_true_edge_mm(contour_px: np.ndarray, frame: Frame) -> np.ndarray:
    """Distance (mm) of contour points to the true edge ellipse (dense polyline)."""
    truth = _ellipse(np.radians(np.linspace(-120.0, 120.0, 4000)))
    uv = frame.to_mm(contour_px)
    return np.min(np.linalg.norm(uv[:, None, :] - truth[None, :, :], axis=2), axis=1)


def _to_polyline_mm(points_px: np.ndarray, line_px: np.ndarray, frame: Frame) -> np.ndarray:
    """Distance (mm) of each point to a polyline (both ``(x, y)`` px)."""
    a, b = line_px[:-1], line_px[1:]
    d = b - a
    out = []
    for p in points_px:
        t = np.clip(np.sum((p - a) * d, axis=1) / np.maximum(np.sum(d * d, axis=1), 1e-12), 0, 1)
        out.append(np.min(np.linalg.norm(a + t[:, None] * d - p, axis=1)))
    return np.array(out) * frame.mm_per_px


def _jaw_chain(contour_px: np.ndarray, pts: np.ndarray, frame: Frame) -> np.ndarray:
    """Mask of contour points between the two gonions (landmarks 172 and 397)."""
    uv = frame.to_mm(contour_px)
    u_r, u_l = frame.to_mm(pts[GONION_RIGHT])[0], frame.to_mm(pts[GONION_LEFT])[0]
    return (uv[:, 0] > u_r + 3.0) & (uv[:, 0] < u_l - 3.0)


def test_refined_jaw_contour_finds_a_known_edge():
    pts, f = _jaw_points(), _jaw_frame()
    refined = jaw_metrics(pts, f, image=_jaw_image()).contour_px
    plain = jaw_metrics(pts, f).contour_px
    chain = _jaw_chain(refined, pts, f)
    assert chain.sum() > 60
    d_ref = _to_true_edge_mm(refined, f)[chain]
    d_plain = _to_true_edge_mm(plain, f)[_jaw_chain(plain, pts, f)]
    assert np.median(d_plain) == pytest.approx(JAW_INSET_MM - JAW_EDGE_OFFSET_MM, abs=0.3)
    assert np.median(d_ref) < 0.4 and np.percentile(d_ref, 95) < 0.8, (np.median(d_ref), d_ref.max())
    # outside the gonion-to-gonion chain the contour stays the oval + JAW_EDGE_OFFSET_MM
    np.testing.assert_allclose(refined[0], plain[0], atol=1e-6)
    np.testing.assert_allclose(refined[-1], plain[-1], atol=1e-6)


def test_refined_jaw_contour_falls_back_to_the_oval_where_the_edge_is_weak():
    pts, f = _jaw_points(), _jaw_frame()
    plain = jaw_metrics(pts, f).contour_px
    # no edge at all (e.g. a beard or a faint neck shadow): the oval + JAW_EDGE_OFFSET_MM
    flat = jaw_metrics(pts, f, image=_jaw_image(())).contour_px
    d = _to_polyline_mm(flat, plain, f)
    assert d.max() < 0.2, d.max()  # the dense refined contour vs the 23-point moved oval
    # the edge on the subject's left only: the right half falls back, the left half follows it
    half = jaw_metrics(pts, f, image=_jaw_image(("left",))).contour_px
    uv = f.to_mm(half)
    chain = _jaw_chain(half, pts, f)
    true_d = _to_true_edge_mm(half, f)
    right = chain & (uv[:, 0] < -8.0)
    left = chain & (uv[:, 0] > 8.0)
    assert np.median(true_d[left]) < 0.4
    assert np.median(true_d[right]) == pytest.approx(JAW_INSET_MM - JAW_EDGE_OFFSET_MM, abs=0.3)
    _, weight = refine_jaw_edge(_jaw_image(()), f.to_mm(plain), np.array([0.0, JAW_CV]), f, (0, len(plain) - 1))
    assert np.all(weight == 0.0)


def test_refined_jaw_contour_swaps_sides_when_mirrored():
    pts, f = _jaw_points(), _jaw_frame()
    img = _jaw_image(("left",))
    a = jaw_metrics(pts, f, image=img).contour_px
    mf = _jaw_frame(mirrored=True)
    mpts = pts.copy()
    mpts[:, 0] = JAW_W - 1 - pts[:, 0]
    oval = list(LOWER_OVAL)
    mpts[oval] = mpts[oval[::-1]]  # the subject's right oval points become the left ones
    b = jaw_metrics(mpts, mf, image=np.ascontiguousarray(img[:, ::-1])).contour_px
    b_back = b[::-1].copy()
    b_back[:, 0] = JAW_W - 1 - b_back[:, 0]
    assert len(a) == len(b)
    np.testing.assert_allclose(b_back, a, atol=0.25 / JAW_MM)  # within 0.25 mm



def _steps_image(insets_mm: tuple[float, ...]) -> np.ndarray:
    """Equal luminance steps (200 -> ... -> 100) on ellipses ``insets_mm`` inside the true
    jaw edge (0 = the edge itself; e.g. a rival stubble boundary or the top of a shadow
    band further in).  Float (H, W)."""
    from scipy import ndimage

    f = _jaw_frame()
    yy, xx = np.mgrid[0:JAW_H, 0:JAW_W]
    uv = f.to_mm(np.stack([xx, yy], axis=-1).astype(float))
    img = np.full((JAW_H, JAW_W), 100.0)
    for k, inset in enumerate(sorted(insets_mm, reverse=True)):  # innermost is brightest
        inside = ((uv[..., 0] / (JAW_A - inset)) ** 2 + ((uv[..., 1] - JAW_CV) / (JAW_B - inset)) ** 2 <= 1.0) \
            | (uv[..., 1] < JAW_CV)
        img += np.where(inside, 100.0 / len(insets_mm), 0.0)
    img = ndimage.gaussian_filter(img, 0.4 / JAW_MM)
    rng = np.random.default_rng(3)
    return img + 2.0 * ndimage.gaussian_filter(rng.normal(size=img.shape), 1.5)


def _dense_oval(pts: np.ndarray, f: Frame) -> np.ndarray:
    """The synthetic oval (levelled mm) resampled 8 x denser, as refine_jaw_edge takes it."""
    oval = f.to_mm(jaw_metrics(pts, f).oval_px)
    return np.vstack([np.linspace(oval[i], oval[i + 1], 8, endpoint=False) for i in range(len(oval) - 1)])


def _signed_offset(edge: np.ndarray, dense: np.ndarray, centre: np.ndarray) -> np.ndarray:
    """Offset (mm, outward positive) of each refined point from its oval point."""
    d = edge - dense
    return np.linalg.norm(d, axis=1) * np.sign(np.sum(d * (dense - centre), axis=1))


def test_edge_uniqueness_confidence_falls_back_where_two_edges_compete():
    """The edge-uniqueness confidence (JAW_RIVAL_GAP_MM, docs/accuracy.md "Jaw contour").
    Two equal edges 5 mm apart (a stubble boundary or the top of the shadow band inside
    the jaw edge): without it (the second round) one is taken; with it the weight drops
    to 0 and the contour is the oval + 2 mm.  One clear edge: weight 1, found."""
    pts, f = _jaw_points(), _jaw_frame()
    dense, centre = _dense_oval(pts, f), np.array([0.0, JAW_CV])
    mid = slice(len(dense) // 4, 3 * len(dense) // 4)  # away from the chain's ends
    span = (0, len(dense) - 1)
    two = _steps_image((0.0, 5.0))
    _, w_off = refine_jaw_edge(two, dense, centre, f, span, rival_gap_mm=None)
    edge, w = refine_jaw_edge(two, dense, centre, f, span)
    assert np.all(w_off[mid] > 0.9), w_off[mid].min()
    assert np.all(w[mid] < 0.05), w[mid].max()
    np.testing.assert_allclose(_signed_offset(edge, dense, centre)[mid], JAW_EDGE_OFFSET_MM, atol=0.05)
    one = _steps_image((0.0,))
    edge1, w1 = refine_jaw_edge(one, dense, centre, f, span)
    assert np.all(w1[mid] > 0.9), w1[mid].min()
    assert np.median(np.abs(_signed_offset(edge1, dense, centre)[mid] - JAW_INSET_MM)) < 0.4


# --- issue 12: the faster forms give the plain forms' values bit for bit ----------------------

def _best_path_plain(score, slope_pen, curve_pen):
    """The fold line's dynamic programming as first written (a loop over moves): the reference."""
    n_rows, n_cols = score.shape
    moves = np.array([-1, 0, 1])
    turn = curve_pen * np.abs(moves[:, None] - moves[None, :])[:, :, None]
    step = slope_pen * np.abs(moves)[:, None]
    acc = np.full((3, n_cols), -np.inf)
    acc[1] = score[0]
    back = np.zeros((n_rows, 3, n_cols), dtype=np.int8)
    for r in range(1, n_rows):
        cand = acc[None, :, :] - turn
        k = np.argmax(cand, axis=1)
        best = np.take_along_axis(cand, k[:, None, :], axis=1)[:, 0]
        new = np.full((3, n_cols), -np.inf)
        new[0, :-1], back[r, 0, :-1] = best[0, 1:], k[0, 1:]
        new[1], back[r, 1] = best[1], k[1]
        new[2, 1:], back[r, 2, 1:] = best[2, :-1], k[2, :-1]
        acc = new + score[r] - step
    mi, c = np.unravel_index(int(np.argmax(acc)), acc.shape)
    path = np.empty(n_rows, dtype=np.int64)
    path[-1] = c
    for r in range(n_rows - 1, 0, -1):
        prev = back[r, mi, c]
        c = c - moves[mi]
        mi = prev
        path[r - 1] = c
    return path


def _smooth_path_plain(score, penalty):
    """The jaw contour's dynamic programming as first written (back-pointers per row)."""
    n_rows, n_cols = score.shape
    moves = np.array([2, 1, 0, -1, -2])
    cost = penalty * np.abs(moves)[:, None]
    pad = np.full(n_cols + 4, -np.inf)
    pad[2:-2] = score[0]
    windows = np.lib.stride_tricks.sliding_window_view(pad, n_cols)
    back = np.zeros((n_rows, n_cols), dtype=np.int8)
    for r in range(1, n_rows):
        cand = windows - cost
        back[r] = moves[np.argmax(cand, axis=0)]
        pad[2:-2] = cand.max(axis=0) + score[r]
    path = np.empty(n_rows, dtype=np.int64)
    path[-1] = int(np.argmax(pad[2:-2]))
    for r in range(n_rows - 1, 0, -1):
        path[r - 1] = path[r] - back[r, path[r]]
    return path


def test_path_searches_are_their_plain_forms():
    from facemetrics.jaw import JAW_SLOPE_PENALTY, _smooth_path

    rng = np.random.default_rng(11)
    for t in range(150):
        score = rng.normal(size=(int(rng.integers(2, 80)), int(rng.integers(2, 40)))) * [0.05, 1.0, 10.0][t % 3]
        if t % 2:
            score = np.round(score, 1)  # ties: the first candidate either way
        np.testing.assert_array_equal(folds._best_path(score, folds.SLOPE_PENALTY, folds.CURVE_PENALTY),
                                      _best_path_plain(score, folds.SLOPE_PENALTY, folds.CURVE_PENALTY))
        np.testing.assert_array_equal(_smooth_path(score, JAW_SLOPE_PENALTY),
                                      _smooth_path_plain(score, JAW_SLOPE_PENALTY))


def test_fan_and_score_columns_are_their_plain_forms():
    """Issue 12: the coordinate-major fan and the kept score columns give the plain forms' values."""
    rng = np.random.default_rng(17)
    centre, normal = rng.normal(scale=20.0, size=(37, 2)), rng.normal(size=(37, 2))
    offsets = folds._offsets(folds.SAMPLE_HALF_WIDTH_MM)
    fan = folds._fan(centre, offsets, normal)
    np.testing.assert_array_equal(fan, centre[:, None, :] + offsets[None, :, None] * normal[:, None, :])
    assert fan.shape == (37, len(offsets), 2) and fan.strides[1] == fan.itemsize  # the coordinates apart
    offsets, med, lat, t = folds._score_columns(folds.RESOLUTION_MM, folds.SKIN_MEDIAL_MM, folds.SKIN_LATERAL_MM)
    np.testing.assert_array_equal(offsets, folds._offsets(max(-folds.SKIN_MEDIAL_MM[0], folds.SKIN_LATERAL_MM[1])))
    np.testing.assert_array_equal(med, (offsets >= folds.SKIN_MEDIAL_MM[0]) & (offsets <= folds.SKIN_MEDIAL_MM[1]))
    np.testing.assert_array_equal(lat, (offsets >= folds.SKIN_LATERAL_MM[0]) & (offsets <= folds.SKIN_LATERAL_MM[1]))
    mid_m, mid_l = np.mean(folds.SKIN_MEDIAL_MM), np.mean(folds.SKIN_LATERAL_MM)
    np.testing.assert_array_equal(t, (offsets - mid_m) / (mid_l - mid_m))
    assert not any(a.flags.writeable for a in (offsets, med, lat, t))


def _off_lips_plain(pts_mm, lips_mm):
    """The lip mask as first written (every test on every nearby point): the reference."""
    shape = pts_mm.shape[:-1]
    p = pts_mm.reshape(-1, 2)
    keep = np.ones(len(p), bool)
    m = folds.LIP_MARGIN_MM
    near = np.all((p >= lips_mm.min(axis=0) - m) & (p <= lips_mm.max(axis=0) + m), axis=1)
    if not near.any():
        return keep.reshape(shape)
    q = p[near]
    qx, qy = q[:, 0:1], q[:, 1:2]
    a, b = lips_mm, np.roll(lips_mm, -1, axis=0)
    ax, ay, bx, by = a[:, 0], a[:, 1], b[:, 0], b[:, 1]
    crosses = (ay > qy) != (by > qy)
    with np.errstate(divide="ignore", invalid="ignore"):
        xc = ax + (qy - ay) / (by - ay) * (bx - ax)
    inside = (np.count_nonzero(crosses & (qx < xc), axis=1) % 2) == 1
    dx, dy = bx - ax, by - ay
    t = np.clip(((qx - ax) * dx + (qy - ay) * dy) / np.maximum(dx * dx + dy * dy, 1e-12), 0, 1)
    ex, ey = ax + t * dx - qx, ay + t * dy - qy
    dist = np.sqrt((ex * ex + ey * ey).min(axis=1))
    keep[near] = ~(inside | (dist < m))
    return keep.reshape(shape)


def test_lip_mask_is_its_plain_form():
    rng = np.random.default_rng(13)
    for t in range(150):
        ang = np.sort(rng.uniform(0, 2 * np.pi, 20))
        r = rng.uniform(3, 12, 20)
        lips = np.stack([2 * r * np.cos(ang), r * np.sin(ang) + 30], axis=1)
        if t % 3 == 0:
            lips = np.round(lips)  # points on edges and vertices
            lips[4] = lips[5]  # a zero-length edge
        pts = rng.uniform(-40, 40, size=(int(rng.integers(1, 30)), int(rng.integers(1, 15)), 2)) + (0, 30)
        if t % 2:
            pts = np.round(pts * 2) / 2
        np.testing.assert_array_equal(folds._off_lips(pts, lips), _off_lips_plain(pts, lips))


def test_valley_map_is_drawn_on_first_use_from_the_kept_luminance(base):
    img, pts, f, _ = base
    fm = fold_metrics(img, pts, f, "right")
    assert "valley_map" not in vars(fm)  # not computed by the measurement
    vmap = fm.valley_map
    assert vmap.dtype == np.float32 and vmap.shape == fm.valley_luminance.shape
    np.testing.assert_array_equal(vmap, folds._display_map(fm.valley_luminance))
    assert fm.valley_map is vmap  # kept


# ------------------------------------------------------------------ the fold length (stop 37)

def test_length_is_a_soft_count_of_the_evidence():
    r, full = folds.RESOLUTION_MM, folds.LENGTH_FULL_EVIDENCE
    assert folds._fold_length(np.full(50, 2.0 * full)) == pytest.approx(50 * r)
    assert folds._fold_length(np.full(50, -1.0)) == 0.0
    assert folds._fold_length(np.full(50, 0.5 * full)) == pytest.approx(25 * r)
    # a fold fading gradually (evidence 3 -> 0 over 60 steps) under smooth perturbations of the
    # evidence: the length moves by at most sum|d evidence| / full steps (no threshold crossing)
    from scipy import ndimage

    e = np.linspace(3.0, 0.0, 60)
    rng = np.random.default_rng(3)
    for _ in range(20):
        d = ndimage.gaussian_filter1d(rng.normal(0.0, 0.2, e.size), 5.0)
        moved = abs(folds._fold_length(e + d) - folds._fold_length(e))
        assert moved <= np.abs(d).sum() / full * r + 1e-9


def _fading(found_line: np.ndarray, top_y: float, bottom_y: float, fraction: float = 0.12,
            plateau: float = 0.0) -> np.ndarray:
    """Gains (H, W): a valley along ``found_line`` (sigma 1.5 mm) from image row ``top_y`` down, whose
    darkening falls linearly from ``fraction`` to ``plateau`` at row ``bottom_y`` and stays at
    ``plateau`` below it (a fold that fades gradually, or to a faint tail)."""
    d = _distance_mm(found_line)
    y = np.arange(H, dtype=float)[:, None]
    t = np.clip((bottom_y - y) / (bottom_y - top_y), 0.0, 1.0)
    dark = (plateau + (fraction - plateau) * t) * (y >= top_y)
    return 1.0 - dark * np.exp(-0.5 * (d / 1.5) ** 2)


def _jpeg(img: np.ndarray, quality: int) -> np.ndarray:
    ok, buf = cv2.imencode(".jpg", np.clip(np.round(img), 0, 255).astype(np.uint8), [cv2.IMWRITE_JPEG_QUALITY, quality])
    return cv2.imdecode(buf, cv2.IMREAD_GRAYSCALE).astype(float)


@pytest.mark.parametrize("side", ["right", "left"])
@pytest.mark.parametrize("plateau", [0.0, 0.011, 0.014, 0.018])
def test_length_of_a_fading_fold_is_stable_under_resaves_and_brightness(base, side, plateau):
    """A fold whose lower half fades (to nothing, or to a faint tail near the former threshold of 0.5,
    about 1.4 % darker): JPEG re-saves and brightness scaling of the 8-bit picture move its length by
    little (the former threshold count moved by up to 9.6 mm here: JPEG 70, left, tail 1.4 %)."""
    img, pts, f, found = base
    line = found[side].line_px
    top = float(line[:, 1].min())
    fold = np.round(img * _fading(line, top, top + 0.5 * float(np.ptp(line[:, 1])), plateau=plateau))

    def length(x):
        return fold_metrics(x, pts, f, side, line_px=line).length_mm

    ref = length(fold)
    for copy in (_jpeg(fold, 70), _jpeg(fold, 60), np.round(fold * 0.85), np.round(fold * 1.15)):
        assert abs(length(copy) - ref) < 1.5


def test_length_rises_with_a_longer_darkening(base):
    img, pts, f, found = base
    line = found["right"].line_px
    top, span = float(line[:, 1].min()), float(np.ptp(line[:, 1]))
    longer = [fold_metrics(np.round(img * _fading(line, top, top + k * span)), pts, f, "right", line_px=line).length_mm
              for k in (0.5, 0.75, 1.0, 1.3)]
    assert np.all(np.diff(longer) > 1.0), longer
