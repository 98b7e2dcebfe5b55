"""Every change from a before photo to an after photo (both analysed): the aligned dense
displacement, the 3-D pose correction, region lifts, fold and jaw metrics and the gate's cues.
"""

from __future__ import annotations

import contextlib
import threading
import weakref
from dataclasses import dataclass, field

import cv2
import numpy as np

from .. import align as al
from .. import sharing
from .. import pose3d as p3
from ..analyze import PhotoAnalysis
from ..filters import bilinear
from ..folds import contrast_side_levels, fold_metrics, reference_line_px, score_fold_line
from ..geometry import (
    INNER_LIPS, LEFT_IRIS, LOWER_LIP_BOTTOM, LOWER_OVAL, MOUTH_LEFT, MOUTH_RIGHT, NOSE_TIP_POINTS, OUTER_LIPS,
    RIGHT_IRIS, RIGID_UPPER, Frame,
)
from ..jaw import JawMetrics, jaw_metrics, oval_halves, u_at_height
from .floors import pose_floor_terms
from .regions import REGIONS, _RL, _RLM, _disc, _fill, _landmark_regions, region_lifts, region_masks, robust_mean
from .table import Alignment


@dataclass(frozen=True, eq=False)
class _Pair:
    values: dict  # (metric, side) -> (before, after, change)
    lifts: dict
    landmark_lifts: dict
    alignment: Alignment
    grid: al.Grid
    flow_mm: np.ndarray  # (rows, cols, 2) residual displacement (du, dv), mm
    lift_map_mm: np.ndarray  # (rows, cols) -dv, NaN outside the face
    before_grid: np.ndarray
    after_grid: np.ndarray
    masks: dict
    after_points: np.ndarray  # (478, 2) after landmarks in before px (pose motion removed)
    cues: dict  # expression and pose cues for the gate
    pose: p3.PoseFit | None = None  # relative 3-D pose / camera distance, and the motion it explains
    # the after grid image resampled onto the before grid's pixels by the registration's flow
    # (_warped_by_flow: the same skin at the same pixel; compare.occlusion reads it)
    warped_after: np.ndarray | None = None


def match_tones(image: np.ndarray, reference: np.ndarray, mask: np.ndarray, *,
                aligned: np.ndarray | None = None) -> np.ndarray:
    """Map each channel of ``image`` through the monotone curve that matches its
    histogram over ``mask`` to that of ``reference`` (histogram matching).

    Removes global photometric differences between two aligned photos
    (exposure, gamma, white balance) before the shading-based fold metrics
    are compared; the fold bands themselves are left out of ``mask`` so a
    real fold change does not shape the curve.

    Parameters
    ----------
    image, reference : ndarray, shape (H, W, 3), uint8
    mask : ndarray, shape (H, W), bool
    aligned : ndarray, shape (H, W, 3), uint8, optional
        ``image`` warped onto ``reference``'s pixels (the same skin under ``mask`` in both): its
        histogram is matched and the curve applied to ``image``.  Default ``image`` itself, which
        under a pose change puts other skin under the mask (the demo's fold-depth changes doubled:
        mean |change| 0.27 -> 0.56 index over 96 fold sides, 2026-12-03).

    Returns
    -------
    ndarray, shape (H, W, 3), uint8
    """
    if np.count_nonzero(mask) < 100:
        return image
    levels = np.arange(256, dtype=np.float64)
    m8 = mask.astype(np.uint8)
    image, reference = np.ascontiguousarray(image), np.ascontiguousarray(reference)
    source = image if aligned is None else np.ascontiguousarray(aligned)
    # the histograms over the mask's bounding box only (views: the same counts)
    x, y, w, h = cv2.boundingRect(m8)
    box = (slice(y, y + h), slice(x, x + w))
    img_box, ref_box, m8 = source[box], reference[box], m8[box]
    luts = np.empty((1, 256, 3), np.uint8)
    for c in range(3):
        # each level's mid-step rank in the image -> the reference level at that rank
        # (cv2.calcHist: the same integer counts as np.bincount over the mask, without the gather)
        counts = cv2.calcHist([img_box], [c], m8, [256], [0, 256])[:, 0].astype(np.float64)
        ref = cv2.calcHist([ref_box], [c], m8, [256], [0, 256])[:, 0].astype(np.float64)
        rank = (np.cumsum(counts) - 0.5 * counts) / counts.sum()
        ref_rank = (np.cumsum(ref) - 0.5 * ref) / ref.sum()
        used = ref > 0
        lut = np.interp(rank, ref_rank[used], levels[used])
        luts[0, :, c] = np.clip(np.round(lut), 0, 255).astype(np.uint8)
    return cv2.LUT(image, luts)


def _landmark_similarity(a: PhotoAnalysis, b: PhotoAnalysis) -> tuple[np.ndarray, float]:
    """After px -> before px similarity from the rigid landmarks; RMS residual in before px."""
    idx = list(RIGID_UPPER)
    src, dst = b.points[idx, :2], a.points[idx, :2]
    m = al.fit_similarity(src, dst)
    r = np.linalg.norm(dst - al.apply(m, src), axis=1)
    return m, float(np.sqrt(np.mean(r ** 2)))


def _jaw_values(j: JawMetrics) -> dict[tuple[str, str], float]:
    return {
        ("jawline_height_mm", "mean"): j.jawline_height_mm,
        ("jawline_height_mm", "right"): j.jawline_height_right_mm,
        ("jawline_height_mm", "left"): j.jawline_height_left_mm,
        ("jaw_width_mm", "mean"): j.jaw_width_mm,
        ("lower_face_area_mm2", "mean"): j.lower_face_area_mm2,
        ("jowl_sag_mm", "right"): j.jowl_sag_right_mm,
        ("jowl_sag_mm", "left"): j.jowl_sag_left_mm,
        ("jaw_angle_deg", "right"): j.jaw_angle_right_deg,
        ("jaw_angle_deg", "left"): j.jaw_angle_left_deg,
        ("mouth_corner_height_mm", "right"): j.mouth_corner_height_right_mm,
        ("mouth_corner_height_mm", "left"): j.mouth_corner_height_left_mm,
        ("cheek_height_mm", "right"): j.cheek_height_right_mm,
        ("cheek_height_mm", "left"): j.cheek_height_left_mm,
    }


#: lip midline point (lower lip bottom): reference for mouth-corner elevation (below the
#: mouth corners, so a lift of the whole lower face moves it as much as the corners)
LIP_MIDLINE = (LOWER_LIP_BOTTOM,)


#: radius of the lip-midline discs, mm
LIP_MIDLINE_RADIUS_MM = 3.0


def _flow_cues(flow_mm: np.ndarray, masks: dict, uv: np.ndarray, grid: al.Grid, keep: np.ndarray) -> dict:
    """Expression cues from the pose-corrected residual flow (mm) on the grid.

    - ``mouth_widening_mm``: mean outward (away from the midline) displacement
      of the two mouth-corner regions.
    - ``mouth_elevation_mm``: mean upward displacement of the mouth corners
      minus that of the lower lip's midline (17): a smile raises the corners
      relative to the lips' centre; a lift of the whole lower face does not.

    (The relative head pose comes from the 3-D fit, :mod:`facemetrics.pose3d`.)
    """
    du, dv = flow_mm[..., 0], flow_mm[..., 1]
    out = {}
    wid = []
    up = []
    for side, sign in (("right", -1.0), ("left", 1.0)):
        mk = masks[("mouth_corner", side)]
        wid.append(sign * robust_mean(du[mk]))
        up.append(-robust_mean(dv[mk]))
    out["mouth_widening_mm"] = float(np.mean(wid))
    mid = np.zeros(grid.shape, bool)
    g = grid.from_uv(uv)
    for i in LIP_MIDLINE:
        mid |= _disc(grid.shape, g[i], LIP_MIDLINE_RADIUS_MM / grid.res_mm)
    mid &= keep
    out["mouth_elevation_mm"] = float(np.mean(up) + robust_mean(dv[mid]))
    return out


def _at(field_: np.ndarray, cr: np.ndarray) -> np.ndarray:
    """Bilinear samples of a (rows, cols, k) field at grid ``(col, row)`` points, shape (n, k)."""
    return bilinear(field_, cr[:, 1], cr[:, 0])


#: the jaw band the flow width reads (:func:`jaw_band_points`): mm inside the before photo's Face Mesh oval,
#: along the level line (bench/narrowing.py's ``flow`` read, docs/accuracy.md "Stop 62: jaw width from the flow")
JAW_FLOW_INSIDE_MM = (2.0, 4.0, 6.0, 8.0)


#: ... and mm below (+) and above (-) the mouth corners' height, where ``jaw_width_mm`` is read
JAW_FLOW_HEIGHTS_MM = (-4.0, -2.0, 0.0, 2.0, 4.0)


def jaw_band_points(uv: np.ndarray) -> np.ndarray:
    """The points the flow width reads on each side of the lower face (:func:`flow_width_change`).

    Parameters
    ----------
    uv : ndarray, shape (478, 2)
        The before photo's landmarks in its levelled frame, ``(u, v)`` mm (u grows to the subject's left,
        v downwards).

    Returns
    -------
    ndarray, shape (2, 20, 2)
        ``(u, v)`` mm of the subject's right side's points, then the left's: :data:`JAW_FLOW_INSIDE_MM` inside
        the face oval's half (the oval of ``jaw_metrics``, split at the chin, below the eyes) along the level
        line, at each of :data:`JAW_FLOW_HEIGHTS_MM` from the mouth corners' mean height.
    """
    v0 = 0.5 * (uv[MOUTH_RIGHT, 1] + uv[MOUTH_LEFT, 1])
    out = np.empty((2, len(JAW_FLOW_HEIGHTS_MM) * len(JAW_FLOW_INSIDE_MM), 2))
    for k, (below, inward) in enumerate(zip(oval_halves(uv), (1.0, -1.0))):
        out[k] = [(u_at_height(below, v0 + dv) + inward * d, v0 + dv)
                  for dv in JAW_FLOW_HEIGHTS_MM for d in JAW_FLOW_INSIDE_MM]
    return out


def flow_width_change(field_mm: np.ndarray, grid: al.Grid, band: np.ndarray) -> float:
    """The change of the lower face's width read by a displacement field across the jaw band, mm.

    Parameters
    ----------
    field_mm : ndarray, shape (rows, cols, 2)
        ``(du, dv)`` mm on the grid (the pose-corrected residual flow, or a part of the pose's displacement).
    grid : Grid
        The grid ``field_mm`` is sampled on.
    band : ndarray, shape (2, n, 2)
        :func:`jaw_band_points`, ``(u, v)`` mm.

    Returns
    -------
    float
        The median ``du`` over the left side's points minus the right side's (negative: narrower); NaN when a
        side has no finite sample.
    """
    med = []
    for pts in band:
        du = _at(field_mm, grid.from_uv(pts))[:, 0]
        du = du[np.isfinite(du)]
        med.append(float(np.median(du)) if du.size else float("nan"))
    return med[1] - med[0]


def _flow_width_values(flow_mm: np.ndarray, grid: al.Grid, band: np.ndarray, oval_mm: float) -> tuple:
    """The ``jaw_width_flow_mm`` row's ``(before, after, change)``, mm: before = the before photo's oval width
    ``oval_mm`` (``jaw_width_mm``), change = :func:`flow_width_change` of the residual flow, after = before +
    change (docs/accuracy.md "Stop 62: jaw width from the flow")."""
    w = flow_width_change(flow_mm, grid, band)
    return oval_mm, oval_mm + w, w


def _flow_width_pose_term(pose: p3.PoseFit, grid: al.Grid, band: np.ndarray) -> tuple[float, float]:
    """What the pose correction may leave in the flow width, mm (the ``jaw_width_flow_pose_mm`` cue):
    ``hypot(FLOW_WIDTH_POSE_FRACTION x |the width the pose correction removed|, FLOW_WIDTH_YAW_FLOOR_MM_PER_DEG x
    |yaw| (the larger of the fit's and its principal-point refit's, deg), |what the pose fit repeated at the other
    principal point changes in it|, |what the fit's stretch of the after photo changes in it|)``,
    the width's share of :func:`facemetrics.compare.floors.pose_floor_terms`' model and principal-point and
    stretch terms (read on ``du`` across the band instead of a region's ``dv``); and the width the pose correction
    removed itself, mm (the ``jaw_width_flow_pose_correction_mm`` cue: ``bench/narrowing_flow_row.py --pose``)."""
    from .floors import FLOW_WIDTH_POSE_FRACTION, FLOW_WIDTH_YAW_FLOOR_MM_PER_DEG

    removed = flow_width_change(pose.flow_mm, grid, band)
    yaws = [pose.yaw_deg] + ([pose.principal_yaw_deg] if pose.principal_params is not None else [])
    yaw = max((abs(float(y)) for y in yaws if np.isfinite(y)), default=0.0)
    parts = [FLOW_WIDTH_POSE_FRACTION * abs(removed), FLOW_WIDTH_YAW_FLOOR_MM_PER_DEG * yaw]
    for extra in (pose.principal_flow_mm, pose.stretch_flow_mm):
        if extra is not None:
            parts.append(abs(flow_width_change(extra, grid, band)))
    parts = [x for x in parts if np.isfinite(x)]
    return (float(np.hypot.reduce(parts)) if parts else 0.0), removed


#: fixed-point passes of :func:`_remove_pose`
POSE_REMOVAL_PASSES = 2


def _remove_pose(observed_mm: np.ndarray, pose_mm: np.ndarray, res_mm: float,
                 box: tuple[int, int, int, int] | None = None, scale: float = 1.0) -> np.ndarray:
    """The flow minus the pose change's displacement, taken where the skin *is* in the after state.

    A lift moves the skin first; the head's motion then carries it from its new place, whose depth
    (and so parallax) differs near the jaw's edge.  So the pose displacement is sampled at ``p +
    f(p)`` with ``f`` the corrected flow itself (fixed-point iteration, :data:`POSE_REMOVAL_PASSES`),
    not at ``p``.  Arrays ``(rows, cols, 2)``, ``(du, dv)`` mm on the grid.  With ``box`` ``(c0, r0,
    c1, r1)`` (grid px, ends exclusive) the iteration runs inside the box only (the same values
    there); outside it the result is ``observed - pose``.  ``scale``: the observed flow is
    ``scale * observed_mm`` (float32; e.g. the registration's flow in grid px and the grid's mm
    per px), the same values as scaling it first, without a grid-sized copy.
    """
    rows, cols = observed_mm.shape[:2]
    c0, r0, c1, r1 = (0, 0, cols, rows) if box is None else box
    gx = np.arange(c0, c1, dtype=np.float32)[None, :]
    gy = np.arange(r0, r1, dtype=np.float32)[:, None]
    pose = np.ascontiguousarray(pose_mm, dtype=np.float32)
    observed = np.ascontiguousarray(observed_mm, dtype=np.float32)
    s = np.float32(scale)
    out = np.multiply(observed, s)
    np.subtract(out, pose, out=out)
    # every pass works in the box's view of the result (OpenCV reads and writes views with a
    # row stride), its maps in two buffers: no fresh grid-sized arrays, whose pages cost
    # faults; the same operations, so the same values
    obs_box = np.multiply(observed[r0:r1, c0:c1], s)
    flow = out[r0:r1, c0:c1]
    r = np.float32(res_mm)
    mx = np.empty((r1 - r0, c1 - c0), np.float32)
    my = np.empty_like(mx)
    for _ in range(POSE_REMOVAL_PASSES):
        np.add(np.divide(flow[..., 0], r, out=mx), gx, out=mx)  # absolute grid coordinates: the whole
        np.add(np.divide(flow[..., 1], r, out=my), gy, out=my)  # pose field is sampled, as without a box
        _into(flow, cv2.remap(pose, mx, my, cv2.INTER_LINEAR, dst=flow, borderMode=cv2.BORDER_REPLICATE))
        _into(flow, cv2.subtract(obs_box, flow, dst=flow))  # observed - the pose displacement there
    return out


def _into(view: np.ndarray, result: np.ndarray) -> None:
    """Make sure an OpenCV result asked for in ``view`` (``dst=``) is there (a copy otherwise)."""
    if not np.shares_memory(view, result):
        view[...] = result


def principal_points(a: PhotoAnalysis) -> dict[str, np.ndarray]:
    """The two principal points of the before photo ``a`` in its levelled frame, mm: ``"image"``, the
    centre of ``a.photo.rgb`` (a phone camera's principal point, as taken; a crop or padding moves it),
    where :func:`_fit_pose` puts it, and ``"face"``, the mean of the 468 Face Mesh points (no crop moves
    it), where the fit is repeated for the floor term (docs/accuracy.md "Cropped photos and the
    principal point"; the other candidates tried are bench/bench_principal_point.py's)."""
    h, w = a.photo.rgb.shape[:2]
    return {"image": a.frame.to_mm(np.array([w / 2.0, h / 2.0])),
            "face": a.frame.to_mm(a.points[:468, :2]).mean(axis=0)}


def _fit_pose(a: PhotoAnalysis, grid: al.Grid, rigid: np.ndarray, flow_mm: np.ndarray, depth: np.ndarray,
              pts_g: np.ndarray, flow_scale: float = 1.0, seed: p3.PoseFit | None = None) -> p3.PoseFit:
    """Relative 3-D pose from the flow (``flow_scale * flow_mm``, mm) on the rigid upper face and the
    nose tip (:mod:`facemetrics.pose3d`), the principal point at the before photo's image centre and
    the fit repeated at its face's centre (:func:`principal_points`: ``principal_uv`` and
    ``alt_principal_uv`` of :func:`facemetrics.pose3d.fit_pose`, in that order), what that changes
    going into the lift floors (:attr:`~facemetrics.pose3d.PoseFit.principal_flow_mm`).  ``seed``: the same
    fit without its floor fits, made already in this comparison (:func:`upper_face_residual`)."""
    mask = rigid.copy()
    for i in NOSE_TIP_POINTS:
        mask |= _disc(grid.shape, pts_g[i], p3.NOSE_TIP_RADIUS_MM / grid.res_mm)
    c = principal_points(a)
    return p3.fit_pose(flow_mm, mask, depth, grid.u0, grid.v0, grid.res_mm, c["image"], flow_scale=flow_scale,
                       alt_principal_uv=c["face"], seed=seed)


def _principal_row_terms(pose: p3.PoseFit, uv_a: np.ndarray, uv_b: np.ndarray, grid: al.Grid, frame,
                         ja: dict) -> dict:
    """What the pose fit repeated at the other principal point changes in the per-photo metrics.

    Parameters
    ----------
    pose : PoseFit
        The pair's fit; its :attr:`~facemetrics.pose3d.PoseFit.principal_flow_mm` (mm) is what the
        other principal point (the face's centre: a cropped photo's image centre is not the camera's
        axis) changes in the pose displacement; None when the fit was not repeated or that refit failed.
    uv_a, uv_b : ndarray, shape (478, 2)
        The before landmarks and the after landmarks carried into the before photo's levelled frame
        minus the pose displacement there, mm.
    grid : Grid
        The work grid the flows are sampled on.
    frame : Frame
        The before photo's levelled frame.
    ja : dict
        The after photo's per-photo metrics read from ``uv_b`` (:func:`_jaw_values`), in their units.

    Returns
    -------
    dict
        ``{metric: {side: extra}}``: |the metric with the after landmarks corrected by the repeated fit
        minus ``ja``| in the metric's unit (mm, mm², deg) for each row of :func:`_jaw_values`; empty
        without a repeated fit.  :func:`facemetrics.compare.floors.pose_adjusted_floors` adds it to their
        floors (hypot), as :func:`facemetrics.compare.floors.pose_floor_terms` adds it to the lifts'.
    """
    if pose.principal_flow_mm is None:
        return {}
    alt = _jaw_values(jaw_metrics(frame.to_px(uv_b - _at(pose.principal_flow_mm, grid.from_uv(uv_a))), frame))
    out: dict = {}
    for (metric, side), v in alt.items():
        d = abs(float(v) - float(ja[(metric, side)]))
        out.setdefault(metric, {})[side] = d if np.isfinite(d) else 0.0
    return out


def _landmark_lifts(uv_a: np.ndarray, uv_b: np.ndarray, lifts: dict) -> tuple[dict, dict]:
    """Landmark-based lifts (the before and after landmarks in the before photo's frame, mm) and the
    rows of both kinds of lift: ``(landmark_lifts, values)``."""
    lm_regions = _landmark_regions(uv_a)
    lm_lifts, values = {}, {}
    for region in REGIONS:
        name = f"{region}_lift_landmarks_mm"
        d, hb, ha = {}, {}, {}
        for side in _RL:
            idx = lm_regions[(region, side)]
            hb[side], ha[side] = float(np.mean(uv_a[idx, 1])), float(np.mean(uv_b[idx, 1]))
            d[side] = hb[side] - ha[side]
            values[(name, side)] = (hb[side], ha[side], d[side])
        d["mean"] = 0.5 * (d["right"] + d["left"])
        values[(name, "mean")] = (0.5 * (hb["right"] + hb["left"]), 0.5 * (ha["right"] + ha["left"]), d["mean"])
        lm_lifts[region] = d
        for side in _RLM:
            values[(f"{region}_lift_mm", side)] = (float("nan"), float("nan"), lifts[region][side])
    return lm_lifts, values


def _before_fold_lines(a: PhotoAnalysis | None, before_grid: np.ndarray, pts_g: np.ndarray, grid: al.Grid,
                       gframe: Frame) -> list[tuple[np.ndarray, np.ndarray]]:
    """The before photo's fold line and search band per side, grid ``(col, row)``: from its
    analysis (carried onto the grid) when it has them, else searched on the before grid image
    (the same line on 12 of 14 sides checked, up to 1.2 mm apart on the others: docs/speed.md)."""
    found = [a.nlf_right, a.nlf_left] if a is not None else [None, None]
    if all(f is not None for f in found):
        return [(grid.from_px(f.line_px), grid.from_px(f.region_px)) for f in found]
    out = []
    for side in _RL:
        f = fold_metrics(before_grid, pts_g, gframe, side)
        out.append((f.line_px, f.region_px))
    return out


@dataclass(frozen=True, eq=False)
class _Aligned:
    """The part of :class:`_Before` that the registration and the pose fit read (:func:`_aligned_part`): all
    :func:`upper_face_residual` needs of its before photo.  Its arrays are read-only."""

    grid: al.Grid
    pts_g: np.ndarray  # (478, 2) before landmarks, grid (col, row)
    uv_a: np.ndarray  # (478, 2) before landmarks, (u, v) mm
    prepared: al.BeforeGrid  # the registration's before part (align.prepare_before)
    depth: np.ndarray  # (rows, cols) depth map, mm (pose3d.depth_map)
    pose_box: tuple  # (c0, r0, c1, r1) grid px: the pose removal's box, the face's


@dataclass(frozen=True, eq=False)
class _Before(_Aligned):
    """Everything :func:`_measure` computes from the before photo alone (:func:`_before_state`):
    the grid and its landmarks, the registration's before part, the depth map, the masks, the fold
    lines and the before photo's fold and jaw values: :class:`_Aligned`'s fields, then these.  Its arrays are
    read-only."""

    masks: dict  # region_masks
    face: np.ndarray  # (rows, cols) bool: convex hull of the mesh
    keep: np.ndarray  # (rows, cols) bool: the face minus the mouth opening
    skin: np.ndarray  # (rows, cols) bool: keep minus the fold bands (the tone matching's pixels)
    gframe: Frame  # the grid as a frame (fold scoring)
    fold_lines: list  # per side (right, left): (line, band), grid (col, row)
    fold_before: list  # per side: score_fold_line of the before grid image along its line
    fold_reference: list  # per side: (the reference line, grid (col, row); the before grid image's depth along it)
    jaw_before: dict  # _jaw_values of the before photo


def _make_aligned(a: PhotoAnalysis) -> _Aligned:
    """The grid, landmarks, registration's before part, depth map and pose box of ``a`` (:class:`_Aligned`)."""
    frame = a.frame
    grid = al.make_grid(a.points, frame)
    pts_g = grid.from_px(a.points[:, :2])
    pre = al.prepare_before(a.photo.rgb, grid, pts_g)
    uv_a = frame.to_mm(a.points[:, :2])
    depth = p3.depth_map(uv_a, a.points[:, 2] * frame.mm_per_px, grid.shape, grid.u0, grid.v0, grid.res_mm)
    hull = cv2.convexHull(pts_g[:468].astype(np.float32))[:, 0]
    lo = np.clip(np.floor(hull.min(0)).astype(int) - 2, 0, None)
    hi = np.minimum(np.ceil(hull.max(0)).astype(int) + 3, (grid.shape[1], grid.shape[0]))
    pose_box = (int(lo[0]), int(lo[1]), int(hi[0]), int(hi[1]))
    for arr in (pts_g, uv_a, depth):
        arr.flags.writeable = False
    return _Aligned(grid, pts_g, uv_a, pre, depth, pose_box)


def _aligned_part(a: PhotoAnalysis) -> _Aligned:
    """:func:`_make_aligned` of ``a``, made once per comparison (:func:`facemetrics.sharing.once`) and kept for
    the last :data:`BEFORE_CACHE_SIZE` analyses (:func:`_kept`): the identity check's reverse fit
    (:func:`upper_face_residual` with the after photo as 'before') reads only this part of the after photo,
    and :func:`_make_before` builds on it (the same arrays, so the same values either way)."""
    return sharing.once("aligned", _face_key(a),
                        lambda: _kept("aligned", BEFORE_CACHE_SIZE, (a,), lambda: _make_aligned(a)))


def _make_before(a: PhotoAnalysis) -> _Before:
    """The before-only part of :func:`_measure` (see :class:`_Before`), on :func:`_aligned_part`."""
    part = _aligned_part(a)
    grid, pts_g, pre, uv_a, depth, pose_box = part.grid, part.pts_g, part.prepared, part.uv_a, part.depth, part.pose_box
    hull = cv2.convexHull(pts_g[:468].astype(np.float32))[:, 0]
    masks = region_masks(uv_a, grid)
    face = _fill(grid.shape, hull)
    keep = face & ~_fill(grid.shape, pts_g[list(INNER_LIPS)])
    gframe = Frame(grid.from_uv(np.zeros(2)), np.array([1.0, 0.0]), np.array([0.0, 1.0]), grid.res_mm)
    fold_lines = _before_fold_lines(a, pre.before_grid, pts_g, grid, gframe)
    skin = keep.copy()  # the face minus the mouth opening, then minus the fold bands
    for _, region in fold_lines:
        skin &= ~_fill(grid.shape, region)
    fold_before = [score_fold_line(pre.before_grid, pts_g, gframe, side, line)
                   for side, (line, _) in zip(_RL, fold_lines)]
    fold_reference = []  # the line stability check's second line (compare.gate.fold_line_disagreements)
    for side in _RL:
        ref = reference_line_px(pts_g, gframe, side)
        fold_reference.append((ref, score_fold_line(pre.before_grid, pts_g, gframe, side, ref, depth_only=True)[0]))
    for arr in (face, keep, skin, *masks.values(), *(x for ln in fold_lines for x in ln),
                *(ref for ref, _ in fold_reference)):
        arr.flags.writeable = False
    return _Before(grid, pts_g, uv_a, pre, depth, pose_box, masks, face, keep, skin, gframe, fold_lines,
                   fold_before, fold_reference, _jaw_values(a.jaw))


#: before photos whose :class:`_Before` is kept (per thread) for the next comparison with the same
#: before analysis (one before photo compared with several after photos, or with repeat photos):
#: about 10 MB each at the default grid
BEFORE_CACHE_SIZE = 2


#: repeat pairs (a photo and one of its repeat photos) whose changes are kept (per thread): a
#: session with several baseline photos compares each later photo with all of them, and the
#: baseline pairs behind the repeat floors are the same every time (a few floats each)
REPEAT_CACHE_SIZE = 8
_local = threading.local()


def _peek(name: str, keys: tuple):
    """What :func:`_kept` keeps under ``name`` for ``keys`` (matched by identity), or None; the cache's order is
    left as it is."""
    for refs, vals, v in getattr(_local, name, None) or ():
        if vals == () and all(r() is x for r, x in zip(refs, keys)):
            return v
    return None


def _kept(name: str, size: int, keys: tuple, make, values: tuple = ()):
    """``make()``, kept (per thread, in the list ``_local.<name>``) for the last ``size`` tuples
    of ``keys`` and ``values``: ``keys`` analysis objects (or their arrays), matched by identity and held
    by weak references (a ``PhotoAnalysis`` is frozen, so what is made from it cannot change), ``values``
    plain values matched by equality (``()`` by default).  ``size`` 0 keeps nothing; errors raised by
    ``make`` are not kept."""
    cache = getattr(_local, name, None)
    if cache is None:
        cache = []
        setattr(_local, name, cache)
    cache[:] = [(refs, vals, v) for refs, vals, v in cache if all(r() is not None for r in refs)]
    for k, (refs, vals, v) in enumerate(cache):
        if vals == values and all(r() is x for r, x in zip(refs, keys)):
            cache.insert(0, cache.pop(k))
            return v
    v = make()
    if size > 0:
        cache.insert(0, (tuple(weakref.ref(x) for x in keys), values, v))
        del cache[size:]
    return v


def _before_state(a: PhotoAnalysis) -> _Before:
    """:func:`_make_before` of ``a``, kept for the last :data:`BEFORE_CACHE_SIZE` before analyses
    (:func:`_kept`), and inside one comparison for every copy of ``a`` that measures the same face
    (:func:`facemetrics.sharing.once`); the values are those of a fresh computation (``tests/test_compare.py``)."""
    return sharing.once("before", _face_key(a),
                        lambda: _kept("before", BEFORE_CACHE_SIZE, (a,), lambda: _make_before(a)))


def _alignment_state(a: PhotoAnalysis) -> _Before | _Aligned:
    """What the registration and pose fit of ``a`` as the before photo read: its whole :class:`_Before` when this
    comparison or the kept ones made it already, else only :func:`_aligned_part` (the fold lines, masks and fold
    scores of an after photo aligned as 'before' by the identity check are never read)."""
    made = sharing.made("before", _face_key(a))
    if made is None:
        made = _peek("before", (a,))
    return _aligned_part(a) if made is None else made


@contextlib.contextmanager
def one_comparison():
    """The work one comparison shares between its steps (:func:`facemetrics.sharing.once`), dropped when it ends.

    :func:`facemetrics.compare.compare_photos` runs inside it: the face matching of a photo with several
    faces (:mod:`facemetrics.compare.faces`) aligns each face with the other photo
    (:func:`upper_face_residual`), and the chosen face's registration and seven-parameter pose fit are then
    those :func:`_measure` needs; the chosen face's analysis is a copy (its warnings and ``extra`` edited) of
    the one measured, so what is shared is keyed on the arrays and results the measurement reads
    (:func:`_face_key`), never on anything outside this call.  Nested calls share the outer call's work.
    """
    with sharing.one_call():
        yield


def _face_key(x: PhotoAnalysis) -> tuple:
    """The objects the measurement of ``x`` reads (its pixels, landmarks, frame, scale, jaw, folds and iris
    visibility): two analyses with the same ones are the same face of the same photo, however their
    warnings or ``extra`` were edited since (:mod:`facemetrics.compare.faces`)."""
    return (x.photo, x.photo.rgb, x.points, x.frame, x.calibration, x.jaw, x.nlf_right, x.nlf_left,
            (x.extra or {}).get("eyes"))


def _pair_key(a: PhotoAnalysis, b: PhotoAnalysis) -> tuple:
    """The objects the registration and pose fit of the pair read: the before photo's measurement
    (:func:`_face_key`) and of the after photo its pixels, landmarks and iris visibility only, so that an after
    face aligned while only its status was known (:func:`facemetrics.analyze.find_face`) and the same face measured
    whole (:func:`facemetrics.analyze.finish_face`: the same arrays) share them."""
    return _face_key(a) + (b.photo, b.photo.rgb, b.points, (b.extra or {}).get("eyes"))


def _registered(st: _Before, a: PhotoAnalysis, b: PhotoAnalysis) -> tuple[np.ndarray, float, al.Registration]:
    """The landmark similarity (after px -> before px, and its RMS, before px) and the registration of the pair,
    made once per comparison (:func:`facemetrics.sharing.once`)."""
    def make():
        m_land, land_rms_px = _landmark_similarity(a, b)
        reg = al.register(a.photo.rgb, b.photo.rgb, st.grid, st.pts_g, m_land,
                          prepared=_registration_before(st, a, b, m_land))
        return m_land, land_rms_px, reg

    return sharing.once("registered", _pair_key(a, b), make)


@dataclass(frozen=True)
class RepeatPair:
    """A photo measured against one of its repeat photos (:func:`repeat_changes`).

    Attributes
    ----------
    changes : dict
        ``{(metric, side): change}`` from the photo to its repeat, in each metric's unit.
    residual_mm : float
        Robust RMS of the residual flow on the rigid upper face after alignment and the pose
        correction, mm (:attr:`Alignment.residual_mm`): what the comparability gate reads to tell
        the same face (one person photographed again: 0.13-0.36 mm) from another person.
    cues : dict
        The pose cues of the pair (:data:`REPEAT_POSE_CUES`: the 3-D fit's pitch and yaw change, deg,
        and camera-distance change, % of the distance), which the gate's rule reads
        (:func:`facemetrics.compare.gate.lower_face_unread_reasons`); empty when not measured.
    """

    changes: dict
    residual_mm: float
    cues: dict = field(default_factory=dict)


#: the cues of a repeat pair kept for the gate's rule (:class:`RepeatPair`): a repeat in another head
#: pose or from another distance is no measure of this face's noise (a repeat re-rendered 9 deg
#: chin-up, a pair the gate refuses, had raised a jawline floor from 0.06 to 1.04 mm, 2026-12-03)
REPEAT_POSE_CUES = ("pose_pitch_deg", "pose_yaw_deg", "camera_distance_change_pct")


def repeat_changes(first: PhotoAnalysis, repeat: PhotoAnalysis) -> RepeatPair:
    """The changes of ``_measure(first, repeat)``, its upper-face residual and its pose cues: the
    changes between a photo and one of its repeats, which :func:`facemetrics.compare.compare_photos`
    turns into noise floors when the gate's rule would read the pair's lower face (the same face, in
    the same pose, expression and camera distance:
    :func:`facemetrics.compare.gate.lower_face_unread_reasons`).  Kept for the last
    :data:`REPEAT_CACHE_SIZE` pairs (:func:`_kept`), so that a baseline pair compared again for
    every after photo of a session is measured once; the values are those of a fresh computation
    (``tests/test_compare.py``)."""
    def make():
        pair = _measure(first, repeat)
        cues = {k: float(pair.cues[k]) for k in REPEAT_POSE_CUES if k in pair.cues}
        return {k: v[2] for k, v in pair.values.items()}, float(pair.alignment.residual_mm), cues

    ch, residual, cues = _kept("repeats", REPEAT_CACHE_SIZE, (first, repeat), make)
    return RepeatPair(dict(ch), residual, dict(cues))  # copies: the kept ones stay as measured


def _warped_by_flow(reg: al.Registration) -> np.ndarray:
    """The after grid image resampled onto the before grid's pixels by the residual flow
    (``after_grid(p + flow(p))``): the same skin at the same pixel, for the tone matching's
    histograms."""
    h, w = reg.flow.shape[:2]
    gx, gy = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32))
    return cv2.remap(reg.after_grid, gx + reg.flow[..., 0].astype(np.float32), gy + reg.flow[..., 1].astype(np.float32),
                     cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


#: the fold lines are carried onto the after photo by a flow of their own (:func:`fold_carry`), computed on
#: the grid images locally normalised at this Gaussian scale instead of ``align.NORMALISE_SIGMA_MM`` (2.5 mm):
#: a darkening smoother than it (a deepened valley) is not taken for motion (docs/robustness.md 'The fold line
#: carried off a new darkening'), mm
FOLD_CARRY_NORMALISE_MM = 1.0
#: that flow is computed on each fold band's box grown by this, mm
FOLD_CARRY_MARGIN_MM = 10.0
#: and its displacement of a line is smoothed along the line (Gaussian, sigma in mm of arc length): the flow
#: afresh on the box scatters more from point to point than the registration's, and the scatter bent the
#: carried line (the no-change pairs' depth spread x 1.28 unsmoothed, x 1.06 smoothed), mm
FOLD_CARRY_SMOOTH_MM = 4.0


def flow_carry(reg: al.Registration, st: _Before):
    """The residual flow as a carrier: ``carry(points, side) -> displacement`` (grid px, shape (n, 2)) at grid
    ``(col, row)`` points, shape (n, 2); ``side`` unused.  What carried the fold lines before 2026-12-05."""
    return lambda cr, side: _at(reg.flow, cr)


def fold_carry(reg: al.Registration, st: _Before, sigma_mm: float = FOLD_CARRY_NORMALISE_MM):
    """The carrier of the fold lines: ``carry(points, side) -> displacement`` (grid px, shape (n, 2)) at grid
    ``(col, row)`` points, shape (n, 2).

    For a fold side (``"right"``, ``"left"``; ``points`` an ordered line): a DIS flow
    (:func:`facemetrics.align.dense_flow`, the registration's settings and reduction) from the before grid image
    to the registered after grid image on the side's fold band box grown by :data:`FOLD_CARRY_MARGIN_MM`, both
    locally normalised (:func:`facemetrics.align.normalise`) at ``sigma_mm`` (:data:`FOLD_CARRY_NORMALISE_MM`),
    sampled at the points and smoothed along them (Gaussian weights of their arc length, sigma
    :data:`FOLD_CARRY_SMOOTH_MM`).  The registration's flow sees the images normalised at 2.5 mm, through which
    a new 1.5 mm-wide darkening of the valley passes as structure: it took part of it for motion and carried
    the line 2-4 mm off the valley (16 of 72 simulated deepened sides of the tuning faces); normalised at 1 mm
    the darkening is mostly removed, and a warp of the skin is still followed (docs/robustness.md 'The fold line
    carried off a new darkening').  ``side`` None (the landmarks): the residual flow, as :func:`flow_carry`.
    """
    flow = flow_carry(reg, st)
    k = al.FLOW_REDUCTION
    m = FOLD_CARRY_MARGIN_MM / st.grid.res_mm
    rows, cols = st.grid.shape[:2]
    boxes = {}
    for side, (_, band) in zip(_RL, st.fold_lines):
        c0, r0 = np.maximum(np.floor(band.min(0) - m).astype(int), 0)
        c1, r1 = np.minimum(np.ceil(band.max(0) + m).astype(int), (cols, rows))
        if c1 - c0 < 4 * k or r1 - r0 < 4 * k:  # a band (nearly) off the grid: the residual flow
            continue
        sig = sigma_mm / (k * st.grid.res_mm)
        bi = al.normalise(al.reduce_half(reg.before_grid[r0:r1, c0:c1], k), sig)
        ai = al.normalise(al.reduce_half(reg.after_grid[r0:r1, c0:c1], k), sig)
        boxes[side] = (al.expand_flow(al.dense_flow(bi, ai, 0), (r1 - r0, c1 - c0), factor=k),
                       np.array([c0, r0], np.float64))

    def carry(cr, side):
        if side not in boxes:
            return flow(cr, side)
        f, origin = boxes[side]
        d = _at(f, cr - origin)
        arc = np.concatenate([[0.0], np.cumsum(np.linalg.norm(np.diff(cr, axis=0), axis=1))]) * st.grid.res_mm
        w = np.exp(-0.5 * ((arc[:, None] - arc[None, :]) / FOLD_CARRY_SMOOTH_MM) ** 2)
        return (w @ d) / w.sum(1, keepdims=True)
    return carry


def _fold_changes(reg: al.Registration, st: _Before, b: PhotoAnalysis,
                  warped: np.ndarray | None = None, carry=None) -> tuple[dict, dict, dict]:
    """Fold rows of both grid images, the depth change along the before photo's reference line
    (``{side: change}``, the line stability check's second reading: the line ``analyze_photo``'s depth index
    is scored along, carried by the same flow; :func:`facemetrics.compare.gate.fold_line_disagreements`), and
    the change of the contrast's two skin references (``{side: (medial, lateral)}``, % of the before photo's
    level, read along the same two lines as the contrast: :func:`facemetrics.folds.contrast_side_levels`;
    :func:`facemetrics.compare.gate.fold_contrast_side_rows`).

    The after photo's fold band is the before photo's band carried onto the same skin by ``carry``
    (``carry(points, side) -> displacement``, grid px; default :func:`fold_carry`: a flow of the fold band's
    own on finely normalised images, which does not take a new darkening of the valley for motion; the
    landmarks by the residual flow), and its tones are matched to the before photo's over the same
    skin (the after image warped by the flow for the histograms, :func:`_warped_by_flow`).  The lips
    left out of the after photo's skin references are its own Face Mesh lips (carried onto the grid),
    not the before lips carried by the flow: over a mouth that opens or closes the flow is not the
    skin's motion, and a lip mask 0.4 mm off let the teeth into a skin reference (the demo's one
    'deeper' fold, +3.5 index under a 6.5 deg pitch change, 2026-12-03; its 'shallower' fold rows,
    and that pair's right fold, came from the tone matching's histograms over other skin: docs/compare.md §3)."""
    values = {}
    pts_g = st.pts_g
    carry = fold_carry(reg, st) if carry is None else carry
    warped = _warped_by_flow(reg) if warped is None else warped
    matched = match_tones(reg.after_grid, reg.before_grid, st.skin, aligned=warped)
    moved = pts_g + carry(pts_g, None)
    lips = list(OUTER_LIPS)
    moved[lips] = al.apply(al.invert(reg.grid_to_after), b.points[lips, :2])
    along_reference, contrast_sides = {}, {}
    # the before photo's skin references along its lines: kept with its before state (several after photos)
    before_sides = _kept("contrast_before", BEFORE_CACHE_SIZE, (st,), lambda: tuple(
        contrast_side_levels(st.prepared.before_grid, pts_g, st.gframe, side, line)
        for side, (line, _) in zip(_RL, st.fold_lines)))
    for side, (line, _), fa, (ref, ref_a), sa in zip(_RL, st.fold_lines, st.fold_before, st.fold_reference,
                                                     before_sides):
        # both photos scored along one line: the before photo's found line, and that line
        # carried by the residual flow onto the same skin of the after photo
        carried = line + carry(line, side)
        fb = score_fold_line(matched, moved, st.gframe, side, carried)
        for metric, x, y in zip(("nlf_depth", "nlf_contrast_pct", "nlf_length_mm"), fa, fb):
            values[(metric, side)] = (x, y, y - x)
        ref_b = score_fold_line(matched, moved, st.gframe, side, ref + carry(ref, side), depth_only=True)[0]
        along_reference[side] = ref_b - ref_a
        sb = contrast_side_levels(matched, moved, st.gframe, side, carried)
        with np.errstate(divide="ignore", invalid="ignore"):
            contrast_sides[side] = tuple(float(100.0 * (y / x - 1.0)) if x > 0 else float("nan")
                                         for x, y in zip(sa, sb))
    return values, along_reference, contrast_sides


def _pose_rows(pose: p3.PoseFit, roll_deg: float) -> dict:
    """The pose-change rows (their floors are set in :func:`facemetrics.compare.compare_photos`)."""
    nan = float("nan")
    return {("head_pitch_change_deg", "mean"): (nan, nan, pose.pitch_deg),
            ("head_yaw_change_deg", "mean"): (nan, nan, pose.yaw_deg),
            ("head_roll_change_deg", "mean"): (nan, nan, roll_deg),
            ("camera_distance_change_pct", "mean"): (nan, nan, pose.camera_distance_change_pct)}


def eyes_covered(x: PhotoAnalysis) -> bool:
    """Is no iris visible in the photo (:func:`facemetrics.eyes.iris_visibility`: eyes closed, dark or
    reflective glasses, a hand)?  Then Face Mesh's pupil points are guesses, whatever the mm scale's
    source (:func:`facemetrics.compare.gate.irises_hidden` asks the same of an iris scale)."""
    eyes = x.extra.get("eyes") if x.extra else None
    return bool(eyes is not None and not eyes.any_visible)


def _registration_before(st: _Before, a: PhotoAnalysis, b: PhotoAnalysis, m_land: np.ndarray) -> al.BeforeGrid:
    """The before part the registration uses: with no iris visible in one photo or both (:func:`eyes_covered`),
    the lens area left out of its rigid mask (:func:`facemetrics.align.without_lenses`; the mask then serves
    the similarity fit, the 3-D pose fit and the rigid-face floors alike), unless too little upper face is
    left for the fit (then the whole mask, as with the eyes visible): the ellipses of
    :func:`facemetrics.align.lens_mask` and the dark glasses found in either photo (:func:`glasses_on_grid`)."""
    if not (eyes_covered(a) or eyes_covered(b)):
        return st.prepared
    try:
        return _kept("lensless", BEFORE_CACHE_SIZE, (a, b),
                     lambda: al.without_lenses(st.prepared, st.grid, st.pts_g, glasses_on_grid(st, b, m_land)))
    except ValueError:
        return st.prepared


def glasses_on_grid(st: _Before, b: PhotoAnalysis, m_land: np.ndarray) -> np.ndarray:
    """The dark glasses found (:func:`facemetrics.align.glasses_mask`) in the before photo and in the after photo
    (sampled onto the before grid by the landmark alignment ``m_land``, after px -> before px), on the grid.

    Returns
    -------
    ndarray, shape ``st.grid.shape``, bool
    """
    grid = st.grid
    found = al.glasses_mask(st.prepared.before_grid, st.pts_g, grid.res_mm)
    to_after = al.compose(al.invert(m_land), grid.to_px_matrix)  # grid -> after px
    after_grid = al.sample(b.photo.rgb, to_after, grid.shape)
    pts = al.apply(al.invert(to_after), np.asarray(b.points, np.float64)[:, :2])
    return found | al.glasses_mask(after_grid, pts, grid.res_mm)


def upper_face_residual(a: PhotoAnalysis, b: PhotoAnalysis) -> float:
    """:attr:`Alignment.residual_mm` of the pair (before ``a``, after ``b``; both ok), robust RMS, mm, as
    :func:`_measure` reads it, without what only the changes and floors need (the pose fit's floor-term refits,
    the lifts, folds, jaw): the identity check of each face of a photo with several
    (:mod:`facemetrics.compare.faces`; a different person's face made the refits iterate long,
    ``bench/bench_faces_cost.py``).  The same value as ``_measure(a, b).alignment.residual_mm`` (tested)."""
    st = _alignment_state(a)
    _, _, reg = _registered(st, a, b)
    res = st.grid.res_mm

    def fit():
        mask = reg.rigid.copy()
        for i in NOSE_TIP_POINTS:
            mask |= _disc(st.grid.shape, st.pts_g[i], p3.NOSE_TIP_RADIUS_MM / res)
        return p3.fit_pose(reg.flow, mask, st.depth, st.grid.u0, st.grid.v0, res, principal_points(a)["image"],
                           flow_scale=res, floor_fits=False)

    pose = sharing.once("pose", _pair_key(a, b), fit)  # the seed of _measure's fit of the same pair
    flow_mm = _remove_pose(reg.flow, pose.flow_mm, res, st.pose_box, scale=res)
    on_rigid = flow_mm.reshape(-1, 2)[np.flatnonzero(reg.rigid)]
    rig = np.sqrt(on_rigid[:, 0] * on_rigid[:, 0] + on_rigid[:, 1] * on_rigid[:, 1])
    return float(1.4826 * np.median(rig)) if rig.size else reg.residual_px * res


def _measure(a: PhotoAnalysis, b: PhotoAnalysis) -> _Pair:
    """All changes from photo ``a`` (before) to photo ``b`` (after); both must be ok."""
    frame = a.frame
    st = _before_state(a)  # the before photo's part (kept when one before is compared with several afters)
    grid, pts_g, uv_a, depth = st.grid, st.pts_g, st.uv_a, st.depth
    m_land, land_rms_px, reg = _registered(st, a, b)  # made already when this face was matched (compare.faces)
    res = grid.res_mm
    after_to_before = al.compose(grid.to_px_matrix, al.invert(reg.grid_to_after))

    # 3-D pose / camera-distance change from the rigid face, and the motion it causes everywhere
    # (facemetrics.pose3d): subtracted before anything is measured from the flow
    # (the observed flow in mm is reg.flow * res: the fit scales its samples, the pose removal
    # its result, without a grid-sized copy)
    pose = _fit_pose(a, grid, reg.rigid, reg.flow, depth, pts_g, flow_scale=res,
                     seed=sharing.made("pose", _pair_key(a, b)))
    # the pose removal's fixed point on the face's box (every measurement lies inside the face)
    flow_mm = _remove_pose(reg.flow, pose.flow_mm, res, st.pose_box, scale=res)

    # dense-flow lifts
    lift_map = -flow_mm[..., 1]
    masks = st.masks
    lifts = region_lifts(lift_map, masks)
    face = st.face
    # the map shown: NaN outside the face (in place: lift_map is not read again)
    shown = lift_map
    shown[~face] = np.nan

    # landmarks of the after photo in the before photo's pixels and frame
    # (minus the motion the pose change explains at each landmark)
    uv_b = frame.to_mm(al.apply(after_to_before, b.points[:, :2])) - _at(pose.flow_mm, grid.from_uv(uv_a))
    b_in_a = frame.to_px(uv_b)
    lm_lifts, values = _landmark_lifts(uv_a, uv_b, lifts)
    warped = _warped_by_flow(reg)  # the registered after image: the folds' tone matching, compare.occlusion
    fold_values, fold_along_reference, fold_contrast_sides = _fold_changes(reg, st, b, warped)
    values.update(fold_values)

    # per-photo jaw metrics, the after landmarks in the before photo's frame
    jb = st.jaw_before
    ja = _jaw_values(jaw_metrics(b_in_a, frame))
    for k in jb:
        values[k] = (jb[k], ja[k], ja[k] - jb[k])
    band = jaw_band_points(uv_a)  # the same width read by the residual flow across the jaw band
    values[("jaw_width_flow_mm", "mean")] = _flow_width_values(flow_mm, grid, band, jb[("jaw_width_mm", "mean")])

    # gate cues
    cues = _flow_cues(flow_mm, masks, uv_a, grid, st.keep)
    cues.update(pose_pitch_deg=pose.pitch_deg, pose_yaw_deg=pose.yaw_deg,
                camera_distance_change_pct=pose.camera_distance_change_pct, pose_stretch_pct=pose.stretch_pct,
                pose_stretch_sd_pct=float(100.0 * pose.stretch_sd_log), pose_fits_failed=pose.failed)
    if pose.principal_params is not None:  # the refit at the face's centre: its angles widen the row floors too
        cues.update(principal_pitch_deg=pose.principal_pitch_deg, principal_yaw_deg=pose.principal_yaw_deg)
    cues.update(pose_floor_terms(pose, masks, flow_mm, reg.rigid, grid, depth))
    cues["principal_row_floor"] = _principal_row_terms(pose, uv_a, uv_b, grid, frame, ja)
    cues["jaw_width_flow_pose_mm"], cues["jaw_width_flow_pose_correction_mm"] = _flow_width_pose_term(pose, grid, band)
    cues["fold_depth_along_reference"] = fold_along_reference
    cues["fold_contrast_sides_change_pct"] = fold_contrast_sides
    ipd_a = np.linalg.norm(uv_a[LEFT_IRIS] - uv_a[RIGHT_IRIS])
    ipd_b = np.linalg.norm(uv_b[LEFT_IRIS] - uv_b[RIGHT_IRIS])
    cues["mouth_width_change"] = float(np.linalg.norm(uv_b[MOUTH_LEFT] - uv_b[MOUTH_RIGHT]) / ipd_b
                                       - np.linalg.norm(uv_a[MOUTH_LEFT] - uv_a[MOUTH_RIGHT]) / ipd_a)
    cues["mouth_corner_rise_mm"] = float(max(abs(lifts["mouth_corner"][s] - lifts["jowl"][s]) for s in _RL))
    # alignment summary
    sc = float(np.sqrt(abs(np.linalg.det(after_to_before[:, :2]))))
    rot = float(np.degrees(np.arctan2(after_to_before[1, 0], after_to_before[0, 0])))

    # the pose change itself (rows of the table; 2 SD as their floor, set in compare_photos)
    roll = -rot + pose.theta_deg
    values.update(_pose_rows(pose, roll))
    cues["pose_roll_deg"] = roll
    cues["pose_sd"] = {"head_pitch_change_deg": pose.sd["pitch_deg"], "head_yaw_change_deg": pose.sd["yaw_deg"],
                       "head_roll_change_deg": float(np.sqrt(max(pose.cov[4, 4], 0.0))),
                       "camera_distance_change_pct": 100.0 * pose.sd["tz_mm"] / pose.camera_mm}
    lower_px = b.points[list(LOWER_OVAL), :2]
    refine = np.linalg.norm(al.apply(after_to_before, lower_px) - al.apply(m_land, lower_px), axis=1)
    # |flow| on the rigid mask (flat indices: the same values as np.linalg.norm(flow_mm[rigid], axis=1))
    on_rigid = flow_mm.reshape(-1, 2)[np.flatnonzero(reg.rigid)]
    rig = np.sqrt(on_rigid[:, 0] * on_rigid[:, 0] + on_rigid[:, 1] * on_rigid[:, 1])
    residual_mm = float(1.4826 * np.median(rig)) if rig.size else reg.residual_px * res
    alignment = Alignment(after_to_before, m_land, sc, rot, residual_mm,
                          land_rms_px * frame.mm_per_px, float(refine.max() * frame.mm_per_px))
    return _Pair(values, lifts, lm_lifts, alignment, grid, flow_mm, shown, reg.before_grid, reg.after_grid,
                 masks, b_in_a, cues, pose, warped)
