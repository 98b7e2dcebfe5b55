"""Dark glasses that are not ellipses (docs/robustness.md 'Dark glasses with frames'): the simulator of
bench/glasses.py (frames, a bridge on the nose, temple arms, a shadow, lenses re-seated), the dark glasses found in
the picture (align.glasses_mask) and what they are left out of: the registration's rigid mask, the per-photo cover
check's reference skin, and a cheek's dense-flow lift (compare.glasses_cheek_rows)."""

from __future__ import annotations

import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

from glasses import Glasses, geometry, masks, wear  # noqa: E402

from facemetrics import align as al  # noqa: E402
from facemetrics import analyze_photo, compare_photos  # noqa: E402
from facemetrics.compare import (  # noqa: E402
    GLASSES_CHEEK_COVER, UNCERTAIN, eyes_covered, glasses_cheek_cover, glasses_cheek_rows,
)
from facemetrics.occlusion import photo_occlusion  # noqa: E402

# opaque enough that the iris check reads no iris on the bundled sample (at 4 % it sees one through the lens)
DARK = dict(rim_mm=2.0, transmission=0.02)


def _wearing(a, g):
    return wear(a.photo.rgb, a.points, a.calibration.mm_per_px, g)


def _face(a, shape):
    m = np.zeros(shape, np.uint8)
    cv2.fillPoly(m, [np.round(cv2.convexHull(a.points[:468, :2].astype(np.float32))[:, 0]).astype(np.int32)], 1)
    return m > 0


@pytest.mark.parametrize("style,size", [("aviator", 0.5), ("wayfarer", 0.45), ("round", 0.36)])
def test_the_dark_glasses_are_found_whatever_their_shape(sample_analysis, style, size):
    a = sample_analysis
    im = _wearing(a, Glasses(style, size, gradient=style == "aviator", **DARK))
    b = analyze_photo(im, name=f"{style}.png")
    assert eyes_covered(b)
    found = al.glasses_mask(im, b.points, b.calibration.mm_per_px)
    lens, frame = masks(im.shape[:2], geometry(a.points, a.calibration.mm_per_px, Glasses(style, size, **DARK)))
    painted = ((lens > 0.5) | (frame > 0.5)) & _face(a, im.shape[:2])
    assert (found & painted).sum() > 0.97 * painted.sum()
    # the lower face is not taken: the mouth and the chin
    for k in (13, 152):
        x, y = np.round(b.points[k, :2]).astype(int)
        assert not found[y, x]


def test_light_lenses_are_left_to_the_ellipse(sample_analysis):
    """A mirrored grey lens (bench_eyes 'reflective') is no darker than the skin: nothing is found (the stop-38
    ellipses stand for it)."""
    from bench_eyes import sunglasses

    a = sample_analysis
    assert not al.glasses_mask(sunglasses(a.photo.rgb, a.points, 0.38, "reflective"), a.points,
                               a.calibration.mm_per_px).any()


def test_the_glasses_found_are_left_out_of_the_rigid_mask(sample_analysis):
    """The frame's rim and bridge outside the stop-38 ellipses were in the rigid mask the registration and the
    3-D pose fit read; with the glasses found they are not."""
    a = sample_analysis
    im = _wearing(a, Glasses("wayfarer", 0.5, **DARK))
    b = analyze_photo(im, name="wayfarer.png")
    grid = al.make_grid(b.points, b.frame)
    pts = grid.from_px(b.points[:, :2])
    pre = al.prepare_before(im, grid, pts)
    lens, frame = masks(im.shape[:2], geometry(a.points, a.calibration.mm_per_px, Glasses("wayfarer", 0.5, **DARK)))
    painted = al.sample(((lens > 0.5) | (frame > 0.5)).astype(np.uint8)[..., None].repeat(3, -1) * 255,
                        grid.to_px_matrix, grid.shape)[..., 0] > 127
    ellipses = al.without_lenses(pre, grid, pts)
    assert (ellipses.rigid & painted).sum() > 500  # the rim and the bridge stay in with the ellipses alone
    found = al.glasses_mask(pre.before_grid, pts, grid.res_mm)
    out = al.without_lenses(pre, grid, pts, found)
    assert (out.rigid & painted).sum() == 0
    assert out.rigid.sum() > 0.2 * pre.rigid.sum()  # the forehead stays


def test_the_cover_check_s_reference_skin_leaves_the_glasses_out(sample_analysis):
    """The per-photo cover check reads the cheeks below the eyes and the nasal bridge as the face's own skin; an
    aviator's lens lies there, and with it as the reference every jaw region read 'covered' (2026-12-04)."""
    a = sample_analysis
    im = _wearing(a, Glasses("aviator", 0.5, **DARK))
    b = analyze_photo(im, name="aviator.png")
    assert eyes_covered(b)
    folds = (b.nlf_right.region_px, b.nlf_left.region_px)
    mm = b.calibration.mm_per_px
    before = photo_occlusion(im, b.points, mm, b.jaw.contour_px, folds)
    assert {"jaw_right", "chin", "jaw_left"} <= set(before.covered)  # the defect
    assert not {"jaw_right", "chin", "jaw_left"} & set(b.extra["occlusion"].covered)
    # the clean photo: no glasses to leave out, the same result with or without
    clean = photo_occlusion(a.photo.rgb, a.points, a.calibration.mm_per_px, a.jaw.contour_px,
                            (a.nlf_right.region_px, a.nlf_left.region_px))
    assert clean.covered == a.extra["occlusion"].covered == ()


def test_a_cheek_under_the_glasses_reads_uncertain(sample_analysis):
    """An aviator over the cheek points: their dense-flow lift moves with the lens edge (re-seated 2 mm lower in the
    after photo), so it reads ``uncertain``; small round lenses leave the cheeks read."""
    a = sample_analysis
    av = Glasses("aviator", 0.5, gradient=True, **DARK)
    x = analyze_photo(_wearing(a, av), name="before.png")
    y = analyze_photo(_wearing(a, av.reseated(0.5, 2.0, 1.0)), name="after.png")
    assert eyes_covered(x) and eyes_covered(y)
    cover = glasses_cheek_cover(x)
    assert min(cover.values()) >= GLASSES_CHEEK_COVER
    rows = glasses_cheek_rows(x, y)
    assert set(rows) == {("cheek_lift_mm", "right"), ("cheek_lift_mm", "left"), ("cheek_lift_mm", "mean")}
    c = compare_photos(x, y)
    assert all(r.verdict == UNCERTAIN for r in c.changes if r.metric == "cheek_lift_mm")
    small = Glasses("round", 0.36, **DARK)
    s = analyze_photo(_wearing(a, small), name="round.png")
    assert eyes_covered(s) and max(glasses_cheek_cover(s).values()) < GLASSES_CHEEK_COVER
    assert glasses_cheek_rows(s, s) == ()
    # an iris visible: nothing is looked for
    assert glasses_cheek_cover(a) == {"right": 0.0, "left": 0.0} and glasses_cheek_rows(a, a) == ()
