"""The comparison's carrying of the fold lines onto the after photo (``compare.measure.fold_carry``;
docs/robustness.md 'The fold line carried off a new darkening').

A deepened fold is a darkening without motion: the line must stay where it was.  A fold that moved (the skin
around it warped) is motion: the line must follow.  The synthetic scene is a textured skin patch on the work grid
(0.25 mm per px) with two gently curved fold lines and an existing valley 1 mm lateral of each; the after photo is
either the same patch with a new 25 % valley (sigma 1.5 mm) on the lines, or the patch warped 2 or 3 mm along the
lines' normal (Gaussian falloff, sigma 5 mm), with no darkening.  The real-face test repeats the mechanism the fix
answers on canada_010f (skipped without ``../shared/faces``).
"""

from __future__ import annotations

from types import SimpleNamespace

import cv2
import numpy as np
import pytest
from scipy import ndimage
from scipy.spatial import cKDTree

from facemetrics import folds as ff
from facemetrics.compare import measure as fm

RES = 0.25  # mm per grid px
H, W = 320, 400
SIDES = ("right", "left")


def _scene(seed: int = 0):
    """Textured skin (float (H, W)) and the two fold lines, grid (col, row)."""
    rng = np.random.default_rng(seed)
    g = (170.0 + 15.0 * ndimage.gaussian_filter(rng.normal(size=(H, W)), 1.2)
         + 18.0 * ndimage.gaussian_filter(rng.normal(size=(H, W)), 4.0))
    rows = np.arange(60, 260, 2.0)
    lines = {}
    for side, col, bow in (("right", 120.0, -8.0), ("left", 280.0, 8.0)):
        lines[side] = np.column_stack([col + bow * np.sin((rows - 60) / 200 * np.pi), rows])
    return g, lines


def _distance_mm(line: np.ndarray) -> np.ndarray:
    mask = np.full((H, W), 255, np.uint8)
    cv2.polylines(mask, [np.round(line * 8).astype(np.int32)], False, 0, 1, cv2.LINE_8, shift=3)
    return cv2.distanceTransform(mask, cv2.DIST_L2, cv2.DIST_MASK_PRECISE) * RES


def _valley(lines: dict, fraction: float, width_mm: float) -> np.ndarray:
    d = np.minimum(*(_distance_mm(x) for x in lines.values()))
    return 1.0 - fraction * np.exp(-0.5 * (d / width_mm) ** 2)


def _normals(line: np.ndarray, side: str) -> np.ndarray:
    return ff._normals(line * RES, side)  # the grid's axes are the levelled frame's


def _warp(img: np.ndarray, lines: dict, amplitude_mm: float, sigma_mm: float = 5.0) -> np.ndarray:
    """``img`` with every point moved by ``amplitude_mm * n * exp(-d^2 / 2 sigma^2)`` (``n`` the nearest line
    point's lateral normal, ``d`` the distance to it): the lines themselves move by ``amplitude_mm``."""
    pts = np.concatenate([lines[s] for s in SIDES])
    nrm = np.concatenate([_normals(lines[s], s) for s in SIDES])
    gx, gy = np.meshgrid(np.arange(W, dtype=np.float32), np.arange(H, dtype=np.float32))
    d, i = cKDTree(pts).query(np.column_stack([gx.ravel(), gy.ravel()]))
    w = amplitude_mm / RES * np.exp(-0.5 * (d * RES / sigma_mm) ** 2)
    ux = (w * nrm[i, 0]).reshape(H, W).astype(np.float32)
    uy = (w * nrm[i, 1]).reshape(H, W).astype(np.float32)
    px, py = gx.copy(), gy.copy()
    for _ in range(8):  # out(q) = img(p) with p + u(p) = q
        px = gx - cv2.remap(ux, px, py, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
        py = gy - cv2.remap(uy, px, py, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    return cv2.remap(img.astype(np.float32), px, py, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


def _rgb(g: np.ndarray) -> np.ndarray:
    return np.repeat(np.clip(np.round(g), 0, 255).astype(np.uint8)[..., None], 3, axis=2)


def _moved_mm(before: np.ndarray, after: np.ndarray, lines: dict) -> dict:
    """Median displacement of each line along its lateral normal (mm) by :func:`fm.fold_carry`."""
    bands = {s: np.concatenate([x - [24, 0], (x + [24, 0])[::-1]]) for s, x in lines.items()}
    # a residual flow of 5 mm straight down everywhere: what the landmarks (side None) are carried by
    reg = SimpleNamespace(before_grid=_rgb(before), after_grid=_rgb(after),
                          flow=np.full((H, W, 2), (0.0, 5.0 / RES), np.float32))
    st = SimpleNamespace(grid=SimpleNamespace(shape=(H, W), res_mm=RES),
                         fold_lines=[(lines[s], bands[s]) for s in SIDES])
    carry = fm.fold_carry(reg, st)
    assert np.allclose(carry(lines["right"], None), (0.0, 5.0 / RES))  # the landmarks: the residual flow
    return {s: float(np.median(np.sum(carry(x, s) * _normals(x, s), axis=1)) * RES) for s, x in lines.items()}


@pytest.fixture(scope="module", params=[0, 1])
def scene(request):
    g, lines = _scene(request.param)
    shifted = {s: x + ([-4.0, 0.0] if s == "right" else [4.0, 0.0]) for s, x in lines.items()}
    return g * _valley(shifted, 0.15, 2.0), lines


def test_a_valley_darkened_without_motion_does_not_move_the_line(scene):
    before, lines = scene
    moved = _moved_mm(before, before * _valley(lines, 0.25, 1.5), lines)
    assert all(abs(x) < 1.0 for x in moved.values()), moved


@pytest.mark.parametrize("amplitude_mm", [2.0, -3.0])
def test_a_valley_moved_by_a_warp_is_followed(scene, amplitude_mm):
    before, lines = scene
    moved = _moved_mm(before, _warp(before, lines, amplitude_mm), lines)
    assert all(abs(x - amplitude_mm) < 0.5 for x in moved.values()), moved


def test_the_registration_flow_alone_took_a_real_face_darkening_for_motion(canada_dir):
    """canada_010f, the first face looked at (docs/robustness.md): deepened (``deepen_fold(0.25, "both")``) against
    itself, the residual flow carried both lines 3-4 mm; the fold carrier keeps them within 1 mm."""
    from facemetrics import analyze_photo
    from facemetrics import simulate as sim

    a = analyze_photo(canada_dir / "canada_010f.jpg")
    b = analyze_photo(sim.deepen_fold(a, 0.25, "both").image, name="deepened.png")
    st = fm._before_state(a)
    _, _, reg = fm._registered(st, a, b)
    old, new = fm.flow_carry(reg, st), fm.fold_carry(reg, st)
    for side, (line, _) in zip(SIDES, st.fold_lines):
        n = ff._normals(st.gframe.to_mm(line), side)
        shift = {k: float(np.median(np.sum(c(line, side) * n, axis=1)) * st.grid.res_mm)
                 for k, c in (("old", old), ("new", new))}
        assert abs(shift["old"]) > 2.0 and abs(shift["new"]) < 1.0, (side, shift)
