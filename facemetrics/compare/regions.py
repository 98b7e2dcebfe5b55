"""Lift regions on the work grid, placed with the before photo's landmarks, and their robust means.

Regions are the subject's own sides (the subject's right is the image left of an unmirrored photo).
"""

from __future__ import annotations

import cv2
import numpy as np

from .. import align as al
from ..geometry import (
    CHEEK_LEFT, CHEEK_RIGHT, INNER_LIPS, JAW_CHAIN_LEFT, JAW_CHAIN_RIGHT, MOUTH_LEFT, MOUTH_RIGHT, SUBNASALE,
    resample_polyline,
)


#: lift regions, in output order
REGIONS = ("jawline", "jowl", "mouth_corner", "cheek")


#: the jawline band lies this far inside (above) the Face Mesh jaw contour, mm
#: (the contour itself is an edge against the neck/background whose flow is unreliable)
JAW_BAND_MM = (3.0, 12.0)


#: the jowl is the part of the jaw band within this distance (in u) of the mouth corner, mm
JOWL_HALF_WIDTH_MM = 10.0


#: radius of the mouth-corner disc (around 61 / 291), mm
MOUTH_CORNER_RADIUS_MM = 6.0


#: radius of the cheek disc (around 50 / 280), mm
CHEEK_RADIUS_MM = 8.0


#: fraction trimmed from each end for the robust region mean
TRIM = 0.2


_RLM = ("right", "left", "mean")


_RL = ("right", "left")


def _strip(poly: np.ndarray, towards: np.ndarray, d0: float, d1: float) -> np.ndarray:
    """Polygon between offsets ``d0`` and ``d1`` of a polyline along its normal pointing to ``towards``."""
    tang = np.gradient(poly, axis=0)
    tang /= np.maximum(np.linalg.norm(tang, axis=1, keepdims=True), 1e-9)
    n = np.stack([-tang[:, 1], tang[:, 0]], axis=1)
    n *= np.where(np.sum(n * (towards - poly), axis=1) < 0, -1.0, 1.0)[:, None]
    return np.vstack([poly + d0 * n, (poly + d1 * n)[::-1]])


def _fill(shape, poly) -> np.ndarray:
    mask = np.zeros(shape, np.uint8)
    cv2.fillPoly(mask, [np.round(np.asarray(poly) * 16).astype(np.int32)], 1, cv2.LINE_8, shift=4)
    return mask.view(bool)  # 0 / 1 bytes: a bool array as they stand, without a copy


def _disc(shape, centre, radius) -> np.ndarray:
    mask = np.zeros(shape, np.uint8)
    c = tuple(int(v) for v in np.round(np.asarray(centre) * 16))
    cv2.circle(mask, c, int(round(radius * 16)), 1, -1, cv2.LINE_8, shift=4)
    return mask.view(bool)  # 0 / 1 bytes, as in _fill


def _and(mask: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """``mask & keep`` written into ``mask`` (a freshly drawn mask: no second grid-sized array)."""
    return np.logical_and(mask, keep, out=mask)


def region_masks(points_uv: np.ndarray, grid: al.Grid) -> dict[tuple[str, str], np.ndarray]:
    """Lift regions on the work grid, placed with the before photo's landmarks.

    Parameters
    ----------
    points_uv : ndarray, shape (478, 2)
        Landmarks in the before photo's levelled frame, ``(u, v)`` mm.
    grid : Grid

    Returns
    -------
    dict
        ``{(region, side): ndarray bool, shape grid.shape}`` for every region
        of :data:`REGIONS` and side ``right``/``left`` (the subject's).

    Notes
    -----
    - jawline: the band :data:`JAW_BAND_MM` inside the Face Mesh jaw
      contour, from the gonion (172 / 397) to the chin (152), along the
      contour's inward normal.
    - jowl: the part of that band whose ``u`` is within
      :data:`JOWL_HALF_WIDTH_MM` of the mouth corner's ``u`` (the lateral
      chin, where a jowl forms).
    - mouth_corner: disc of :data:`MOUTH_CORNER_RADIUS_MM` around 61 / 291.
    - cheek: disc of :data:`CHEEK_RADIUS_MM` around 50 / 280.
    Every region excludes the mouth opening (inner-lip contour) and is
    clipped to the face (convex hull of the mesh).
    """
    res = grid.res_mm
    shape = grid.shape
    uv = np.asarray(points_uv, dtype=np.float64)[:, :2]
    g = grid.from_uv(uv)
    face = _fill(shape, cv2.convexHull(g[:468].astype(np.float32))[:, 0])
    keep = face & ~_fill(shape, g[list(INNER_LIPS)])
    centre = uv[SUBNASALE]
    out = {}
    for side, chain, mc, ck in (("right", JAW_CHAIN_RIGHT, MOUTH_RIGHT, CHEEK_RIGHT),
                                ("left", JAW_CHAIN_LEFT, MOUTH_LEFT, CHEEK_LEFT)):
        poly = resample_polyline(uv[list(chain)], 0.5, "at_most")
        band = _strip(poly, centre, *JAW_BAND_MM)
        out[("jawline", side)] = _and(_fill(shape, grid.from_uv(band)), keep)
        near = np.abs(poly[:, 0] - uv[mc, 0]) <= JOWL_HALF_WIDTH_MM
        if near.sum() < 2:
            k = int(np.argmin(np.abs(poly[:, 0] - uv[mc, 0])))
            near[max(k - 1, 0):k + 2] = True
        jowl = _strip(poly[near], centre, *JAW_BAND_MM)
        out[("jowl", side)] = _and(_fill(shape, grid.from_uv(jowl)), keep)
        out[("mouth_corner", side)] = _and(_disc(shape, g[mc], MOUTH_CORNER_RADIUS_MM / res), keep)
        out[("cheek", side)] = _and(_disc(shape, g[ck], CHEEK_RADIUS_MM / res), keep)
    return out


def robust_mean(values: np.ndarray) -> float:
    """20 % trimmed mean (:data:`TRIM`), NaN for an empty input."""
    values = np.asarray(values, dtype=np.float64).ravel()
    values = values[np.isfinite(values)]
    n = values.size
    if n == 0:
        return float("nan")
    k = int(TRIM * n)  # as scipy.stats.trim_mean: int(proportion * n) cut from each end
    if k == 0:
        return float(values.mean())
    return float(np.partition(values, (k, n - k - 1))[k:n - k].mean())


def region_lifts(lift_map_mm: np.ndarray, masks: dict) -> dict[str, dict[str, float]]:
    """Robust mean of a lift map over each region; ``mean`` = average of right and left.

    Parameters
    ----------
    lift_map_mm : ndarray, shape grid.shape
        Upward displacement, mm.
    masks : dict
        From :func:`region_masks`.

    Returns
    -------
    dict
        ``{region: {"right": mm, "left": mm, "mean": mm}}``.
    """
    out = {}
    for region in REGIONS:
        r = robust_mean(lift_map_mm[masks[(region, "right")]])
        l_ = robust_mean(lift_map_mm[masks[(region, "left")]])
        out[region] = {"right": r, "left": l_, "mean": 0.5 * (r + l_)}
    return out


def _landmark_regions(uv: np.ndarray) -> dict[tuple[str, str], list[int]]:
    """Landmarks standing for each region in the landmark-only cross-check."""
    out = {}
    for side, chain, mc, ck in (("right", JAW_CHAIN_RIGHT, MOUTH_RIGHT, CHEEK_RIGHT),
                                ("left", JAW_CHAIN_LEFT, MOUTH_LEFT, CHEEK_LEFT)):
        chain = list(chain)
        out[("jawline", side)] = chain
        du = np.abs(uv[chain, 0] - uv[mc, 0])
        jowl = [i for i, d in zip(chain, du) if d <= JOWL_HALF_WIDTH_MM] or [chain[int(np.argmin(du))]]
        out[("jowl", side)] = jowl
        out[("mouth_corner", side)] = [mc]
        out[("cheek", side)] = [ck]
    return out
