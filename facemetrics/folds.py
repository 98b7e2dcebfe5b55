"""Nasolabial-fold depth proxies: where the valley runs and how dark it is.

Method
------
For each side the Face Mesh path from beside the alar base down and outward,
lateral to the mouth corner (:data:`~facemetrics.geometry.NLF_PATH_RIGHT`,
:data:`~facemetrics.geometry.NLF_PATH_LEFT`), is extended a little at both
ends and widened into a band of :data:`BAND_HALF_WIDTH_MM` either side.  The
band's bounding box is resampled to a fixed physical resolution
(:data:`RESOLUTION_MM`) so that the photo's resolution does not change the
scores, its luminance is divided by the band's median skin luminance (so a
global brightness change does not change them either), and a multi-scale
Hessian valley filter (Sato tubeness with ``black_ridges=True``, fixed
physical scales :data:`SIGMAS_MM`, no per-image rescaling, ref. [1]) gives a
*valley map*.  The map is sampled on a grid straightened along the band and
the fold's centre line is the continuous path of strongest valley response
(dynamic programming, at most one grid step sideways per step along).

Scores (per side)
-----------------
depth index
    Mean valley response along the found line within the landmark span,
    x 100.  The response is sigma^2 times the positive Hessian eigenvalue of
    the normalised luminance, i.e. relative darkening curvature: dimensionless,
    0 for flat skin, rising with a deeper / darker fold.
contrast (%)
    Median over the line of ``100 * (1 - valley / sides)``, with ``valley``
    the normalised luminance on the line and ``sides`` the mean at
    :data:`CONTRAST_OFFSET_MM` either side of it.
length (mm)
    Longest run of the line whose valley response exceeds
    :data:`LENGTH_THRESHOLD`, in mm.

References
----------
.. [1] Sato Y, et al. (1998). Three-dimensional multi-scale line filter for
   segmentation and visualization of curvilinear structures in medical
   images. Medical Image Analysis 2(2):143-168.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from scipy import ndimage
from skimage.filters import sato

from .geometry import NLF_PATH_LEFT, NLF_PATH_RIGHT, Frame

#: physical resolution the fold regions are analysed at, mm per pixel
RESOLUTION_MM = 0.4
#: Hessian scales, mm (a nasolabial valley is ~2-8 mm wide)
SIGMAS_MM = (1.0, 1.5, 2.0)
#: half-width of the search band either side of the landmark path, mm
BAND_HALF_WIDTH_MM = 6.0
#: extension of the landmark path above its top point and below its bottom point, mm
EXTEND_TOP_MM = 4.0
EXTEND_BOTTOM_MM = 8.0
#: lateral distance of the "skin either side" samples for the contrast, mm
CONTRAST_OFFSET_MM = 4.0
#: valley response (depth-index units) above which the line counts towards the length
LENGTH_THRESHOLD = 0.5
#: penalty (depth-index units per grid step) on sideways moves of the line
SMOOTHNESS = 0.05
#: penalty (depth-index units per mm) on the line's distance from the landmark path
PRIOR_PER_MM = 0.3


@dataclass(frozen=True)
class FoldMetrics:
    """Nasolabial-fold measurements of one side of one photo.

    Attributes
    ----------
    depth_index : float
        Valley depth index (dimensionless x 100); larger = deeper fold.
    contrast_pct : float
        Darkening of the valley against the skin either side, %.
    length_mm : float
        Length of the visible fold line, mm.
    line_px : ndarray, shape (K, 2)
        The fold's centre line, ``(x, y)`` px of the analysed image.
    region_px : ndarray, shape (M, 2)
        Outline of the search band (closed polygon), ``(x, y)`` px.
    valley_map : ndarray, shape (h, w), float32
        Valley response over ``valley_box`` at :data:`RESOLUTION_MM`.
    valley_box : tuple of int
        ``(x0, y0, x1, y1)`` px of the analysed image covered by ``valley_map``.
    """

    depth_index: float
    contrast_pct: float
    length_mm: float
    line_px: np.ndarray
    region_px: np.ndarray
    valley_map: np.ndarray
    valley_box: tuple[int, int, int, int]


def _polyline(points: np.ndarray, step: float) -> tuple[np.ndarray, np.ndarray]:
    """Resample a polyline every ``step``; returns points and arc length."""
    seg = np.linalg.norm(np.diff(points, axis=0), axis=1)
    s = np.concatenate([[0.0], np.cumsum(seg)])
    t = np.arange(0.0, s[-1] + 1e-9, step)
    pts = np.stack([np.interp(t, s, points[:, 0]), np.interp(t, s, points[:, 1])], axis=1)
    return pts, t


def _centre_path(uv: np.ndarray) -> tuple[np.ndarray, float, float]:
    """Landmark path (levelled mm) extended at both ends; also the landmark span."""
    top_dir = uv[0] - uv[1]
    top_dir /= np.linalg.norm(top_dir)
    bot_dir = uv[-1] - uv[-2]
    bot_dir /= np.linalg.norm(bot_dir)
    path = np.vstack([uv[0] + EXTEND_TOP_MM * top_dir, uv, uv[-1] + EXTEND_BOTTOM_MM * bot_dir])
    return path, EXTEND_TOP_MM, EXTEND_TOP_MM + float(np.sum(np.linalg.norm(np.diff(uv, axis=0), axis=1)))


def _best_path(score: np.ndarray, penalty: float) -> np.ndarray:
    """Column index per row maximising the summed score with +-1 column moves."""
    n_rows, n_cols = score.shape
    acc = score[0].copy()
    back = np.zeros((n_rows, n_cols), dtype=np.int64)
    cols = np.arange(n_cols)
    for r in range(1, n_rows):
        left = np.concatenate([[-np.inf], acc[:-1]]) - penalty
        right = np.concatenate([acc[1:], [-np.inf]]) - penalty
        stack = np.stack([left, acc, right])
        k = np.argmax(stack, axis=0)
        back[r] = cols + (k - 1)
        acc = stack[k, cols] + score[r]
    path = np.empty(n_rows, dtype=np.int64)
    path[-1] = int(np.argmax(acc))
    for r in range(n_rows - 1, 0, -1):
        path[r - 1] = back[r, path[r]]
    return path


def _luminance(rgb: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY).astype(np.float32)


def fold_metrics(image: np.ndarray, points: np.ndarray, frame: Frame, side: str) -> FoldMetrics:
    """Measure one nasolabial fold.

    Parameters
    ----------
    image : ndarray, shape (H, W, 3) uint8 RGB, or (H, W) float luminance
        The photo the landmarks are in.
    points : ndarray, shape (478, 2+)
        Face Mesh landmarks ``(x, y[, z])`` px.
    frame : Frame
        Eye-levelled frame with the photo's calibration.
    side : {"right", "left"}
        The subject's side.

    Returns
    -------
    FoldMetrics
    """
    idx = NLF_PATH_RIGHT if side == "right" else NLF_PATH_LEFT
    uv_lm = frame.to_mm(np.asarray(points, dtype=np.float64)[list(idx), :2])
    path_mm, span0, span1 = _centre_path(uv_lm)
    centre_mm, s_mm = _polyline(path_mm, RESOLUTION_MM)
    # unit normal in the levelled frame pointing laterally (away from the midline)
    tang = np.gradient(centre_mm, axis=0)
    tang /= np.linalg.norm(tang, axis=1, keepdims=True)
    normal = np.stack([-tang[:, 1], tang[:, 0]], axis=1)
    lateral = -1.0 if side == "right" else 1.0  # the subject's right is at negative u
    normal *= np.sign(np.sum(normal[:, 0]) * lateral) or 1.0
    offsets = np.arange(-BAND_HALF_WIDTH_MM, BAND_HALF_WIDTH_MM + 1e-9, RESOLUTION_MM)
    grid_mm = centre_mm[:, None, :] + offsets[None, :, None] * normal[:, None, :]
    grid_px = frame.to_px(grid_mm)

    # crop the band's bounding box (with a margin for the filter) and resample it
    margin = 2.5 * max(SIGMAS_MM) / frame.mm_per_px  # filter support; the band itself holds the contrast samples
    h, w = image.shape[:2]
    x0 = int(max(np.floor(grid_px[..., 0].min() - margin), 0))
    y0 = int(max(np.floor(grid_px[..., 1].min() - margin), 0))
    x1 = int(min(np.ceil(grid_px[..., 0].max() + margin), w))
    y1 = int(min(np.ceil(grid_px[..., 1].max() + margin), h))
    crop = image[y0:y1, x0:x1]
    crop = _luminance(crop) if crop.ndim == 3 else crop.astype(np.float32)
    k = frame.mm_per_px / RESOLUTION_MM  # resampled px per image px
    size = (max(int(round((x1 - x0) * k)), 8), max(int(round((y1 - y0) * k)), 8))
    interp = cv2.INTER_AREA if k < 1 else cv2.INTER_LINEAR
    small = cv2.resize(crop, size, interpolation=interp)
    kx, ky = size[0] / max(x1 - x0, 1), size[1] / max(y1 - y0, 1)

    # grid in resampled-crop coordinates (row, col) for map_coordinates
    # (pixel centres at integer coordinates, as cv2.resize maps them)
    rows = (grid_px[..., 1] - y0 + 0.5) * ky - 0.5
    cols = (grid_px[..., 0] - x0 + 0.5) * kx - 0.5
    band_lum = ndimage.map_coordinates(small, [rows, cols], order=1, mode="nearest")
    skin = float(np.median(band_lum))
    norm = small / max(skin, 1.0)
    sig_px = [s / RESOLUTION_MM for s in SIGMAS_MM]
    valley = (sato(norm, sigmas=sig_px, black_ridges=True, mode="reflect") * 100.0).astype(np.float32)
    band_valley = ndimage.map_coordinates(valley, [rows, cols], order=1, mode="nearest")
    band_norm = band_lum / max(skin, 1.0)

    prior = PRIOR_PER_MM * np.abs(offsets)[None, :]
    col = _best_path(band_valley.astype(np.float64) - prior, SMOOTHNESS)
    col = np.round(ndimage.median_filter(col.astype(float), size=9, mode="nearest")).astype(int)
    rows_i = np.arange(len(col))
    on_line = band_valley[rows_i, col]
    in_span = (s_mm >= span0) & (s_mm <= span1)
    depth = float(np.mean(on_line[in_span]))

    off = int(round(CONTRAST_OFFSET_MM / RESOLUTION_MM))
    n_off = band_norm.shape[1]
    lo = np.clip(col - off, 0, n_off - 1)
    hi = np.clip(col + off, 0, n_off - 1)
    valley_lum = band_norm[rows_i, col]
    sides = 0.5 * (band_norm[rows_i, lo] + band_norm[rows_i, hi])
    contrast = float(np.median((1.0 - valley_lum / sides)[in_span]) * 100.0)

    above = on_line > LENGTH_THRESHOLD
    best = run = 0
    for a in above:
        run = run + 1 if a else 0
        best = max(best, run)
    length = best * RESOLUTION_MM

    line_px = grid_px[rows_i, col]
    line_px = ndimage.gaussian_filter1d(line_px, 2.0, axis=0, mode="nearest")
    outline = np.vstack([grid_px[:, 0], grid_px[::-1, -1]])
    return FoldMetrics(depth, contrast, float(length), line_px, outline, valley, (x0, y0, x1, y1))
