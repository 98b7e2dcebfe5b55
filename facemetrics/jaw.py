"""Jawline and lower-face contour metrics from Face Mesh landmarks.

All lengths are measured in the eye-levelled frame of
:mod:`facemetrics.geometry` (``u`` along the pupil line, ``v`` down the face,
millimetres), so an in-plane head roll does not change them.  Sides are the
subject's own.  A *lift* makes the heights below the pupil line smaller.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from .filters import bilinear, gaussian_filter1d
from .geometry import (
    CHEEK_LEFT, CHEEK_RIGHT, CHIN, GONION_LEFT, GONION_RIGHT, JAW_CHAIN_LEFT, JAW_CHAIN_RIGHT, LOWER_OVAL,
    MOUTH_LEFT, MOUTH_RIGHT, SUBNASALE, Frame, resample_polyline,
)

#: the Face Mesh face oval runs inside the visible jaw-to-neck edge: the contour is moved
#: this far outward along its normals, mm (chosen on 24 hand-annotated Canada faces, where
#: the hand-placed jaw points 126-132 lie a median 1.1-2.8 mm outside the oval), and the
#: image refinement falls back to it where the edge is weak (docs/accuracy.md)
JAW_EDGE_OFFSET_MM = 2.0

# Image refinement of the jaw chain (gonion to gonion; :func:`refine_jaw_edge`).  Chosen
# on the tuning faces of docs/accuracy.md ("Tuning and held-out faces").
#: offsets searched along the oval's outward normals (inward negative), mm
JAW_SEARCH_MM = (-3.0, 8.0)
#: sampling across (offset step) and along the contour, mm
JAW_RESOLUTION_MM = 0.25
JAW_STEP_MM = 1.0
#: blur of the image before the edge, and smoothing of the profiles along the contour, mm
JAW_BLUR_MM = 0.5
JAW_ALONG_MM = 1.0
#: smoothness prior: penalty (edge units) per offset step of JAW_RESOLUTION_MM between
#: neighbouring contour points (moves of up to 2 steps per JAW_STEP_MM)
JAW_SLOPE_PENALTY = 3.0
#: edge strength (|luminance step| in % of the bright skin per mm, smoothed along the
#: contour over JAW_FALLBACK_SMOOTH_MM) below which the contour falls back to the oval +
#: JAW_EDGE_OFFSET_MM, and above which the edge is taken fully (linear blend between)
JAW_EDGE_WEAK = 8.0
JAW_EDGE_STRONG = 12.0
JAW_FALLBACK_SMOOTH_MM = 3.0
#: anatomical prior: penalty per mm away from the oval + JAW_EDGE_OFFSET_MM
JAW_PRIOR_PER_MM = 0.3
#: final smoothing of the contour's offsets along it (no kinks where the fallback blends in), mm
JAW_OFFSET_SMOOTH_MM = 1.5
#: edge-uniqueness confidence (issue 10, third round): the edge found is taken only as far
#: as it stands out from the strongest edge at least JAW_RIVAL_GAP_MM away in the same
#: profile: weight x 0 at a strength ratio of JAW_RIVAL_RATIO[0], x 1 from JAW_RIVAL_RATIO[1]
#: (stubble boundaries and the top of the shadow band under the jaw compete with the jaw edge)
JAW_RIVAL_GAP_MM = 4.0
JAW_RIVAL_RATIO = (1.0, 1.5)



@dataclass(frozen=True)
class JawMetrics:
    """Lower-face contour metrics of one photo (mm, mm², degrees).

    Heights are distances below the inter-pupil line; ``*_right`` and
    ``*_left`` are the subject's sides.  ``contour_px`` is the lower face
    contour (below the pupil line): the Face Mesh oval moved
    :data:`JAW_EDGE_OFFSET_MM` outward, and when :func:`jaw_metrics` is given
    the image, refined onto the jaw-to-neck edge between the gonions
    (:func:`refine_jaw_edge`), shape (K, 2), ``(x, y)`` image px; ``oval_px``
    is the oval itself (the landmarks the metrics use).

    Attributes
    ----------
    jawline_height_mm, jawline_height_right_mm, jawline_height_left_mm : float
        Mean distance (mm) below the inter-pupil line of the jaw contour from gonion
        (172) through the chin (152) to gonion (397), arc-length weighted; per side,
        gonion to chin.  Smaller = lifted.
    jaw_width_mm : float
        Width (mm) of the face-oval contour at the height of the mouth corners.
    lower_face_area_mm2 : float
        Area (mm²) enclosed by the face-oval contour below the subnasale (2).
    jowl_sag_right_mm, jowl_sag_left_mm : float
        Largest distance (mm) of the side's jaw contour outside the straight
        gonion-chin chord: the jowl's bulge below the jaw line (larger = more).
    jaw_angle_right_deg, jaw_angle_left_deg : float
        Angle (degrees) at the gonion between the ramus (towards the oval point at
        ear level, 234/454) and the mandible body (towards the chin 152).
    mouth_corner_height_right_mm, mouth_corner_height_left_mm : float
        Distance (mm) of the mouth corner (61 / 291) below the inter-pupil line.
    cheek_height_right_mm, cheek_height_left_mm : float
        Distance (mm) of the malar point (50 / 280) below the inter-pupil line.
    contour_px : ndarray, shape (K, 2)
        The drawn lower-face contour, ``(x, y)`` px of the analysed image.
    oval_px : ndarray, shape (M, 2) or None
        The Face Mesh oval's points below the pupil line (the lower oval the metrics use),
        ``(x, y)`` px, for display; None only in a result built without it.

    ``docs/metrics.md`` gives each column's landmarks and limits.
    """

    jawline_height_mm: float
    jawline_height_right_mm: float
    jawline_height_left_mm: float
    jaw_width_mm: float
    lower_face_area_mm2: float
    jowl_sag_right_mm: float
    jowl_sag_left_mm: float
    jaw_angle_right_deg: float
    jaw_angle_left_deg: float
    mouth_corner_height_right_mm: float
    mouth_corner_height_left_mm: float
    cheek_height_right_mm: float
    cheek_height_left_mm: float
    contour_px: np.ndarray
    oval_px: np.ndarray | None = None


def jaw_edge(uv_contour: np.ndarray, centre: np.ndarray, offset_mm: float = JAW_EDGE_OFFSET_MM) -> np.ndarray:
    """Move a face-oval polyline outward along its normals.

    Parameters
    ----------
    uv_contour : ndarray, shape (K, 2)
        The oval's points in order, levelled ``(u, v)`` mm.
    centre : ndarray, shape (2,)
        A point inside the face (``u, v`` mm) that sets which side is outward.
    offset_mm : float
        Outward distance, mm.

    Returns
    -------
    ndarray, shape (K, 2)
        The moved points, levelled mm.
    """
    return uv_contour + offset_mm * _outward_normals(uv_contour, centre)


def _outward_normals(uv: np.ndarray, centre: np.ndarray) -> np.ndarray:
    """Unit normals (shape (K, 2)) of a polyline pointing away from ``centre``."""
    tang = np.gradient(uv, axis=0)
    tang /= np.maximum(np.linalg.norm(tang, axis=1, keepdims=True), 1e-12)
    normal = np.stack([-tang[:, 1], tang[:, 0]], axis=1)
    out = np.sign(np.sum((uv - centre) * normal, axis=1))
    return normal * np.where(out == 0, 1.0, out)[:, None]


def _smooth_path(score: np.ndarray, penalty: float) -> np.ndarray:
    """Column per row maximising ``sum(score) - penalty * sum(|column change|)``, moves of
    at most 2 columns per row (dynamic programming); shape (rows,) int.

    Each row's five candidates are written into one array kept for all rows, and the
    back-pointers are one ``argmax`` over it after the loop (the same values and ties as
    per row, in less time; issue 12)."""
    n_rows, n_cols = score.shape
    moves = np.array([2, 1, 0, -1, -2])  # window j of the padded row is a move of 2 - j
    cost = penalty * np.abs(moves)[:, None]
    pad = np.full(n_cols + 4, -np.inf)
    pad[2:-2] = score[0]
    acc = pad[2:-2]
    windows = np.lib.stride_tricks.sliding_window_view(pad, n_cols)  # a view: follows pad
    cand = np.empty((n_rows, len(moves), n_cols))
    for g, row in zip(cand[1:], score[1:]):
        np.subtract(windows, cost, out=g)
        np.maximum.reduce(g, axis=0, out=acc)  # windows has been read: acc (a view of pad) may change
        np.add(acc, row, out=acc)
    back = moves[np.argmax(cand[1:], axis=1)].tolist()  # ties: the first (deterministic)
    path = np.empty(n_rows, dtype=np.int64)
    c = int(np.argmax(acc))
    path[-1] = c
    for r in range(n_rows - 1, 0, -1):
        c = c - back[r - 1][c]
        path[r - 1] = c
    return path


def _jaw_profiles(image: np.ndarray, uv_contour: np.ndarray, centre: np.ndarray, frame: Frame,
                  span: tuple[int, int], outer_mm: float = JAW_SEARCH_MM[1]
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Luminance profiles along the outward normals of the jaw chain, and their step evidence.

    Parameters
    ----------
    image, uv_contour, centre, frame, span
        As :func:`refine_jaw_edge`.
    outer_mm : float
        Outer end of the offsets searched, mm outside the oval (shipped: ``JAW_SEARCH_MM[1]``;
        ``bench/jaw_designs.py`` widens it).

    Returns
    -------
    normal : ndarray, shape (K, 2)
        Unit outward normals of ``uv_contour``.
    offsets : ndarray, shape (N,)
        Offsets outside the oval (mm, inward negative), every :data:`JAW_RESOLUTION_MM`.
    band : ndarray, shape (R, N)
        Luminance (grey) along the normals of the span's ``R = span[1] - span[0] + 1`` points,
        blurred over :data:`JAW_BLUR_MM` and smoothed along the contour over :data:`JAW_ALONG_MM`.
    ref : ndarray, shape (R, 1)
        Each profile's bright-skin level (90th percentile, at least 1 grey level).
    evidence : ndarray, shape (R, N)
        Absolute luminance step per mm across the contour, % of ``ref``.
    """
    normal = _outward_normals(uv_contour, centre)
    a, b = span
    offsets = np.arange(JAW_SEARCH_MM[0], outer_mm + 1e-9, JAW_RESOLUTION_MM)
    # contour + offset * normal, shape (K, n_offsets, 2), with the coordinates apart in memory (as in
    # folds._fan): Frame.to_px and the sampling then run along the offsets, not over (u, v) pairs (issue 12)
    fan = uv_contour[a:b + 1].T[:, :, None] + offsets * normal[a:b + 1].T[:, :, None]
    grid_px = frame.to_px(np.moveaxis(fan, 0, -1))
    h, w = image.shape[:2]
    margin = 3.0 * JAW_BLUR_MM / frame.mm_per_px
    x0 = int(min(max(np.floor(grid_px[..., 0].min() - margin), 0), w - 2))
    y0 = int(min(max(np.floor(grid_px[..., 1].min() - margin), 0), h - 2))
    x1 = int(max(min(np.ceil(grid_px[..., 0].max() + margin), w), x0 + 2))
    y1 = int(max(min(np.ceil(grid_px[..., 1].max() + margin), h), y0 + 2))
    crop = image[y0:y1, x0:x1]
    crop = cv2.cvtColor(crop, cv2.COLOR_RGB2GRAY) if crop.ndim == 3 else crop
    crop = crop.astype(np.float32)
    k = frame.mm_per_px / JAW_RESOLUTION_MM  # resampled px per image px
    size = (max(int(round((x1 - x0) * k)), 8), max(int(round((y1 - y0) * k)), 8))
    small = cv2.resize(crop, size, interpolation=cv2.INTER_AREA if k < 1 else cv2.INTER_LINEAR)
    small = cv2.GaussianBlur(small, (0, 0), JAW_BLUR_MM / JAW_RESOLUTION_MM)
    kx, ky = size[0] / (x1 - x0), size[1] / (y1 - y0)
    rows = (grid_px[..., 1] - y0 + 0.5) * ky - 0.5
    cols = (grid_px[..., 0] - x0 + 0.5) * kx - 0.5
    band = bilinear(small, rows, cols)
    band = gaussian_filter1d(band, JAW_ALONG_MM / JAW_STEP_MM, axis=0)
    ref = np.maximum(np.percentile(band, 90, axis=1), 1.0)[:, None]
    evidence = np.abs(np.gradient(band, JAW_RESOLUTION_MM, axis=1)) / ref * 100.0  # % per mm
    return normal, offsets, band, ref, evidence


def _jaw_weight(evidence: np.ndarray, col: np.ndarray, offsets: np.ndarray, rival_gap_mm: float | None,
                rival_ratio: tuple[float, float]) -> np.ndarray:
    """How much of each span point comes from the image (shape (R,), in [0, 1]): the path's
    strength ramp (:data:`JAW_EDGE_WEAK` to :data:`JAW_EDGE_STRONG`, smoothed over
    :data:`JAW_FALLBACK_SMOOTH_MM`) times the edge-uniqueness ramp (``rival_gap_mm``,
    ``rival_ratio``: :func:`refine_jaw_edge`).  ``col``: the path's column per row, shape (R,)."""
    strength = gaussian_filter1d(evidence[np.arange(len(col)), col], JAW_FALLBACK_SMOOTH_MM / JAW_STEP_MM)
    weight = np.clip((strength - JAW_EDGE_WEAK) / (JAW_EDGE_STRONG - JAW_EDGE_WEAK), 0.0, 1.0)
    if rival_gap_mm is not None:
        far = np.abs(offsets[None, :] - offsets[col][:, None]) >= rival_gap_mm
        rival = gaussian_filter1d(np.where(far, evidence, 0.0).max(axis=1), JAW_FALLBACK_SMOOTH_MM / JAW_STEP_MM)
        ratio = strength / np.maximum(rival, 1e-6)
        weight *= np.clip((ratio - rival_ratio[0]) / (rival_ratio[1] - rival_ratio[0]), 0.0, 1.0)
    return weight


def _smoothed_contour(uv_contour: np.ndarray, normal: np.ndarray, offset: np.ndarray) -> np.ndarray:
    """The contour (levelled mm, shape (K, 2)) at ``offset`` (mm, shape (K,)) along ``normal``, the
    offsets smoothed along it over :data:`JAW_OFFSET_SMOOTH_MM`."""
    if JAW_OFFSET_SMOOTH_MM > 0:
        offset = gaussian_filter1d(offset, JAW_OFFSET_SMOOTH_MM / JAW_STEP_MM)
    return uv_contour + offset[:, None] * normal


def refine_jaw_edge(image: np.ndarray, uv_contour: np.ndarray, centre: np.ndarray, frame: Frame,
                    span: tuple[int, int], *, rival_gap_mm: float | None = JAW_RIVAL_GAP_MM,
                    rival_ratio: tuple[float, float] = JAW_RIVAL_RATIO) -> tuple[np.ndarray, np.ndarray]:
    """The jaw-to-neck edge along the outward normals of a face-oval polyline.

    Parameters
    ----------
    image : ndarray, shape (H, W, 3) uint8 RGB, or (H, W) luminance
        The photo ``frame`` maps to.
    uv_contour : ndarray, shape (K, 2)
        The oval's points in order, levelled ``(u, v)`` mm, every :data:`JAW_STEP_MM`.
    centre : ndarray, shape (2,)
        A point inside the face (``u, v`` mm) that sets which side is outward.
    frame : Frame
        The photo's levelled frame (image px <-> mm).
    span : (int, int)
        First and last index of ``uv_contour`` to refine (the jaw chain, gonion to
        gonion); outside it the contour is the oval + :data:`JAW_EDGE_OFFSET_MM`.
    rival_gap_mm : float or None
        Edge-uniqueness confidence (default :data:`JAW_RIVAL_GAP_MM`; ``None``
        switches it off, the second round's design).  The path's evidence is
        compared with the strongest evidence at least this far (mm) from it in
        the same profile (both smoothed along the contour over
        :data:`JAW_FALLBACK_SMOOTH_MM`); the weight is multiplied by a linear ramp
        of that ratio from ``rival_ratio[0]`` (0) to ``rival_ratio[1]`` (1), so
        where two comparable edges compete (stubble boundary and jaw shadow,
        jaw and collar) the contour falls back to the oval + offset.
    rival_ratio : (float, float)
        The ramp of ``rival_gap_mm`` (default :data:`JAW_RIVAL_RATIO`).

    Returns
    -------
    edge : ndarray, shape (K, 2)
        The contour, levelled mm.
    weight : ndarray, shape (K,)
        How much of each point comes from the image (0 = the oval +
        :data:`JAW_EDGE_OFFSET_MM`, 1 = the edge found).

    Notes
    -----
    The luminance is resampled to :data:`JAW_RESOLUTION_MM`, blurred over
    :data:`JAW_BLUR_MM` and sampled on profiles along the normals over
    :data:`JAW_SEARCH_MM`, smoothed along the contour over :data:`JAW_ALONG_MM`.
    The edge evidence is the absolute luminance step per mm across the contour in
    % of the profile's bright skin (90th percentile): the jaw is usually brighter
    than the shadowed neck below it, but darker where a beard ends on bare skin.
    The edge is the path through the profiles maximising the summed evidence
    minus :data:`JAW_SLOPE_PENALTY` per offset step between neighbours (and
    :data:`JAW_PRIOR_PER_MM` per mm away from the oval + :data:`JAW_EDGE_OFFSET_MM`).
    Where the evidence on that path (smoothed over :data:`JAW_FALLBACK_SMOOTH_MM`)
    is below :data:`JAW_EDGE_WEAK` the contour falls back to the oval +
    :data:`JAW_EDGE_OFFSET_MM` (beards, faint or doubled edges), blending linearly
    up to :data:`JAW_EDGE_STRONG`, and where another edge at least
    :data:`JAW_RIVAL_GAP_MM` away is nearly as strong (``rival_gap_mm``); the
    offsets are finally smoothed along the contour over
    :data:`JAW_OFFSET_SMOOTH_MM`.  About 5-10 ms on a 12 MP photo
    analysed at half size (``bench/accuracy.py --timing``).  The designs tried
    in issue 10 and not shipped (a chin-weighted fallback, a longer window, chin
    valley evidence, a two-sided valley and the valley as the fallback target)
    are ``bench/jaw_designs.py``'s ``refine_jaw_edge_design``, built from the
    same steps (docs/accuracy.md, "Jaw contour").
    """
    normal, offsets, _, _, evidence = _jaw_profiles(image, uv_contour, centre, frame, span)
    a, b = span
    col = _smooth_path(evidence - JAW_PRIOR_PER_MM * np.abs(offsets[None, :] - JAW_EDGE_OFFSET_MM),
                       JAW_SLOPE_PENALTY)
    weight = np.zeros(len(uv_contour))
    weight[a:b + 1] = _jaw_weight(evidence, col, offsets, rival_gap_mm, rival_ratio)
    offset = np.full(len(uv_contour), JAW_EDGE_OFFSET_MM)
    offset[a:b + 1] += weight[a:b + 1] * (offsets[col] - JAW_EDGE_OFFSET_MM)
    return _smoothed_contour(uv_contour, normal, offset), weight


def _mean_height(uv: np.ndarray) -> float:
    """Arc-length-weighted mean ``v`` of a polyline (so dense landmarks do not dominate)."""
    return float(np.mean(resample_polyline(uv, 0.5, "at_least")[:, 1]))


def oval_halves(uv: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The face oval's two halves below the eyes, split at the chin: the subject's right, then left.

    Parameters
    ----------
    uv : ndarray, shape (478, 2)
        Landmarks in the levelled frame, ``(u, v)`` mm (v downwards, 0 at the eyes).

    Returns
    -------
    (ndarray, ndarray), each shape (k, 2)
        ``(u, v)`` mm of each half's oval points with ``v > 0``: each monotone in ``v``, so
        :func:`u_at_height` reads it (what :func:`jaw_metrics`' width and the comparison's flow-width band,
        :func:`facemetrics.compare.measure.jaw_band_points`, both read).
    """
    oval = uv[list(LOWER_OVAL)]
    chin_i = LOWER_OVAL.index(CHIN)
    half_r, half_l = oval[: chin_i + 1], oval[chin_i:]
    return half_r[half_r[:, 1] > 0], half_l[half_l[:, 1] > 0]


def u_at_height(uv: np.ndarray, v: float) -> float:
    """``u`` of a monotone-in-``v`` polyline ``uv`` (shape (k, 2), ``(u, v)`` mm) at height ``v`` (linear
    interpolation), mm."""
    order = np.argsort(uv[:, 1])
    return float(np.interp(v, uv[order, 1], uv[order, 0]))


_u_at_height = u_at_height  # the name the benches (bench/narrowing*.py) import


def _bulge(uv: np.ndarray) -> float:
    """Largest distance of a polyline outside (below) its end-to-end chord, mm."""
    a, b = uv[0], uv[-1]
    d = b - a
    n = np.array([d[1], -d[0]]) / np.linalg.norm(d)
    if n[1] < 0:  # make the normal point down/outwards
        n = -n
    return float(np.max((uv - a) @ n))


def _angle(at: np.ndarray, p: np.ndarray, q: np.ndarray) -> float:
    a, b = p - at, q - at
    c = np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b))
    return float(np.degrees(np.arccos(np.clip(c, -1.0, 1.0))))


def jaw_metrics(points: np.ndarray, frame: Frame, image: np.ndarray | None = None) -> JawMetrics:
    """Jawline, jowl, mouth-corner and cheek metrics.

    Parameters
    ----------
    points : ndarray, shape (478, 2+)
        Face Mesh landmarks ``(x, y[, z])`` px.
    frame : Frame
        Eye-levelled frame with the photo's calibration.
    image : ndarray, shape (H, W, 3) uint8 RGB or (H, W), optional
        The photo: when given, the drawn contour follows the jaw-to-neck edge
        between the gonions (:func:`refine_jaw_edge`); the metrics do not change.

    Returns
    -------
    JawMetrics

    Notes
    -----
    - jawline height: arc-length mean of ``v`` along the contour from the
      right gonion (172) through the chin (152) to the left gonion (397);
      per side, gonion to chin.
    - jaw width: ``u`` distance between the two sides of the face-oval
      contour at the height of the mouth corners (61, 291).
    - lower-face area: area enclosed by the face-oval contour below the
      subnasale (2) and the level line through it.
    - jowl sag: largest distance of the contour outside the straight
      gonion-chin chord; grows when the jowl drops below the jaw line.
    - contour: the face oval below the pupil line moved
      :data:`JAW_EDGE_OFFSET_MM` outward (:func:`jaw_edge`), and with ``image``
      refined onto the jaw-to-neck edge between the gonions, falling back to the
      moved oval where the edge is weak or has a rival (:func:`refine_jaw_edge`); display
      only, the metrics above use the landmarks themselves.
    - jaw angle: angle at the gonion between the ramus (towards the
      tragus-level oval point 234 / 454) and the mandible body (towards the
      chin), degrees.
    """
    p = np.asarray(points, dtype=np.float64)[:, :2]
    uv = frame.to_mm(p)
    oval = uv[list(LOWER_OVAL)]
    right = uv[list(JAW_CHAIN_RIGHT)]
    left = uv[list(JAW_CHAIN_LEFT)]
    jaw = uv[list(JAW_CHAIN_RIGHT) + list(JAW_CHAIN_LEFT[1:])]

    v_mouth = 0.5 * (uv[MOUTH_RIGHT, 1] + uv[MOUTH_LEFT, 1])
    below_r, below_l = oval_halves(uv)
    width = _u_at_height(below_l, v_mouth) - _u_at_height(below_r, v_mouth)

    v0 = uv[SUBNASALE, 1]
    low = oval[oval[:, 1] >= v0]
    if len(low) >= 3:
        ur, ul = _u_at_height(below_r, v0), _u_at_height(below_l, v0)
        poly = np.vstack([[ur, v0], low, [ul, v0]])
        area = 0.5 * abs(np.dot(poly[:, 0], np.roll(poly[:, 1], 1)) - np.dot(poly[:, 1], np.roll(poly[:, 0], 1)))
    else:
        area = float("nan")

    ang_r = _angle(uv[GONION_RIGHT], uv[234], uv[CHIN])
    ang_l = _angle(uv[GONION_LEFT], uv[454], uv[CHIN])

    below = [i for i in LOWER_OVAL if uv[i, 1] > 0]
    centre = uv[:468].mean(axis=0)
    if image is None:
        edge = frame.to_px(jaw_edge(uv[below], centre))
    else:
        dense = resample_polyline(uv[below], JAW_STEP_MM, "at_least")
        span = sorted(int(np.argmin(np.linalg.norm(dense - uv[g], axis=1))) for g in (GONION_RIGHT, GONION_LEFT))
        edge = frame.to_px(refine_jaw_edge(image, dense, centre, frame, (span[0], span[1]))[0])
    return JawMetrics(
        jawline_height_mm=_mean_height(jaw),
        jawline_height_right_mm=_mean_height(right),
        jawline_height_left_mm=_mean_height(left),
        jaw_width_mm=float(width),
        lower_face_area_mm2=float(area),
        jowl_sag_right_mm=_bulge(right),
        jowl_sag_left_mm=_bulge(left),
        jaw_angle_right_deg=ang_r,
        jaw_angle_left_deg=ang_l,
        mouth_corner_height_right_mm=float(uv[MOUTH_RIGHT, 1]),
        mouth_corner_height_left_mm=float(uv[MOUTH_LEFT, 1]),
        cheek_height_right_mm=float(uv[CHEEK_RIGHT, 1]),
        cheek_height_left_mm=float(uv[CHEEK_LEFT, 1]),
        contour_px=edge,
        oval_px=p[below],
    )
