"""Jawline and lower-face contour metrics from Face Mesh landmarks.

All lengths are measured in the eye-levelled frame of
:mod:`facemetrics.geometry` (``u`` along the pupil line, ``v`` down the face,
millimetres), so an in-plane head roll does not change them.  Sides are the
subject's own.  A *lift* makes the heights below the pupil line smaller.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .geometry import (
    CHEEK_LEFT, CHEEK_RIGHT, CHIN, GONION_LEFT, GONION_RIGHT, LOWER_OVAL,
    MOUTH_LEFT, MOUTH_RIGHT, SUBNASALE, Frame,
)

#: the Face Mesh face oval runs inside the visible jaw-to-neck edge: the contour is moved
#: this far outward along its normals, mm (chosen on 24 hand-annotated Canada faces, where
#: the hand-placed jaw points 126-132 lie a median 1.1-2.8 mm outside the oval; see
#: docs/accuracy.md for the held-out faces and why no image edge search is used)
JAW_EDGE_OFFSET_MM = 2.0

_CHIN_POS = LOWER_OVAL.index(CHIN)
#: from the subject's right gonion to chin, and chin to the left gonion
_RIGHT_JAW = LOWER_OVAL[LOWER_OVAL.index(GONION_RIGHT):_CHIN_POS + 1]
_LEFT_JAW = LOWER_OVAL[_CHIN_POS:LOWER_OVAL.index(GONION_LEFT) + 1]


@dataclass(frozen=True)
class JawMetrics:
    """Lower-face contour metrics of one photo (mm, mm², degrees).

    Heights are distances below the inter-pupil line; ``*_right`` and
    ``*_left`` are the subject's sides.  ``contour_px`` is the lower face
    contour (below the pupil line): the Face Mesh oval moved
    :data:`JAW_EDGE_OFFSET_MM` outward onto the jaw-to-neck edge, shape
    (K, 2), ``(x, y)`` image px; ``oval_px`` is the oval itself (the
    landmarks the metrics use).
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
    tang = np.gradient(uv_contour, axis=0)
    tang /= np.maximum(np.linalg.norm(tang, axis=1, keepdims=True), 1e-12)
    normal = np.stack([-tang[:, 1], tang[:, 0]], axis=1)
    out = np.sign(np.sum((uv_contour - centre) * normal, axis=1))
    normal *= np.where(out == 0, 1.0, out)[:, None]
    return uv_contour + offset_mm * normal


def _resample(poly: np.ndarray, step: float) -> np.ndarray:
    """Points every ``step`` along a polyline (same units as ``poly``)."""
    seg = np.linalg.norm(np.diff(poly, axis=0), axis=1)
    s = np.concatenate([[0.0], np.cumsum(seg)])
    n = max(int(s[-1] / step), 1) + 1
    t = np.linspace(0.0, s[-1], n)
    return np.stack([np.interp(t, s, poly[:, k]) for k in range(poly.shape[1])], axis=1)


def _mean_height(uv: np.ndarray) -> float:
    """Arc-length-weighted mean ``v`` of a polyline (so dense landmarks do not dominate)."""
    return float(np.mean(_resample(uv, 0.5)[:, 1]))


def _u_at_height(uv: np.ndarray, v: float) -> float:
    """``u`` of a monotone-in-``v`` polyline at height ``v`` (linear interpolation)."""
    order = np.argsort(uv[:, 1])
    return float(np.interp(v, uv[order, 1], uv[order, 0]))


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


def jaw_metrics(points: np.ndarray, frame: Frame) -> JawMetrics:
    """Jawline, jowl, mouth-corner and cheek metrics.

    Parameters
    ----------
    points : ndarray, shape (478, 2+)
        Face Mesh landmarks ``(x, y[, z])`` px.
    frame : Frame
        Eye-levelled frame with the photo's calibration.

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
      :data:`JAW_EDGE_OFFSET_MM` outward (:func:`jaw_edge`); display only,
      the metrics above use the landmarks themselves.
    - jaw angle: angle at the gonion between the ramus (towards the
      tragus-level oval point 234 / 454) and the mandible body (towards the
      chin), degrees.
    """
    p = np.asarray(points, dtype=np.float64)[:, :2]
    uv = frame.to_mm(p)
    oval = uv[list(LOWER_OVAL)]
    right = uv[list(_RIGHT_JAW)]
    left = uv[list(_LEFT_JAW)]
    jaw = uv[list(_RIGHT_JAW) + list(_LEFT_JAW[1:])]

    v_mouth = 0.5 * (uv[MOUTH_RIGHT, 1] + uv[MOUTH_LEFT, 1])
    chin_i = LOWER_OVAL.index(CHIN)
    # split the oval into the two halves (each monotone in v below the eyes)
    half_r, half_l = oval[: chin_i + 1], oval[chin_i:]
    below_r = half_r[half_r[:, 1] > 0]
    below_l = half_l[half_l[:, 1] > 0]
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
    edge = frame.to_px(jaw_edge(uv[below], uv[:468].mean(axis=0)))
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
