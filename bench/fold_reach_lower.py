"""The fold length's lower end that follows the valley: stop 39's candidate, which failed its rule on the
tuning faces and is not in the package (``bench/bench_fold_reach.py``, docs/compare.md "The fold length's
lower end and its camera term").  Kept here so that the bench reproduces the negative.

The package's fold length (``folds._score``) counts the valley evidence along the fold line itself, to a
fixed end :data:`facemetrics.folds.EXTEND_BOTTOM_MM` below the bottom landmark.  The candidate counts the line
only down to its point at the bottom landmark and, below it, the soft count along the continuation with the
most valley evidence (:func:`lower_length`), searched in a band along the line's direction there (the mean
direction over its last :data:`LOWER_DIRECTION_MM`) reaching :data:`LOWER_REACH_MM` past it, from
:data:`LOWER_MEDIAL_MM` medial to :data:`LOWER_LATERAL_MM` lateral of that direction, outside the lips.  The
constants were set a priori from stop 38's diagnosis on the tuning faces (``bench_length_floor --reach tune``:
the line runs a median 2.7 mm past the hand-placed bottom point, a stroke towards the mouth corner lies 2.5 /
3.6 mm medial of it 2 / 4 mm along), not searched.

Use :func:`following_valley` (a context manager) to score with the candidate: it replaces ``folds._score``
(looked up at call time by ``score_fold_line``, ``fold_metrics`` and ``compare_photos``) with
:func:`score_following_valley`, which takes the package's depth and contrast unchanged and recomputes only the
length.  The fold line itself is unchanged either way.
"""

from __future__ import annotations

import contextlib

import numpy as np

from facemetrics import folds
from facemetrics.geometry import Frame, resample_polyline

#: how far past the line's point at the bottom landmark the lower end is searched (along the line's
#: direction there), mm
LOWER_REACH_MM = 12.0
#: the search band reaches this far medial / lateral of the line's direction, mm
LOWER_MEDIAL_MM = 6.0
LOWER_LATERAL_MM = 3.0
#: the line's direction at the bottom landmark: over its last this many mm
LOWER_DIRECTION_MM = 2.0
#: the continuation's path: penalty per sideways step and per change of direction (soft-count units,
#: one full 0.4 mm step = 1)
LOWER_SLOPE_PENALTY = 0.05
LOWER_CURVE_PENALTY = 0.5

#: the package's own ``folds._score`` (taken at import, before any patching)
PACKAGE_SCORE = folds._score


def line_reference(image: np.ndarray, frame: Frame, centre: np.ndarray, uv_lm: np.ndarray, side: str,
                   lips_mm: np.ndarray | None) -> tuple[float, np.ndarray, np.ndarray]:
    """The line's lateral skin reference as ``folds._score`` takes it, and the band it samples.

    Parameters
    ----------
    image : ndarray, shape (H, W), luminance (or one channel)
    frame : Frame
    centre : ndarray, shape (K, 2)
        The fold line, levelled mm (u, v), every ``folds.RESOLUTION_MM``, top to bottom.
    uv_lm : ndarray, shape (P, 2)
        The Face Mesh fold path's landmarks, levelled mm.
    side : {"right", "left"}
    lips_mm : ndarray, shape (L, 2), or None
        The outer-lip contour, levelled mm.

    Returns
    -------
    ref : float
        The skin level (image units, > 0) the valley evidence is relative to.
    band_s : ndarray, shape (K, n)
        The band across the line, smoothed along it (image units).
    span : ndarray, shape (K,), bool
        The rows between the top and the bottom landmark.
    """
    offsets, _med, lat, _t = folds._score_columns(folds.RESOLUTION_MM, folds.SKIN_MEDIAL_MM, folds.SKIN_LATERAL_MM)
    grid = folds._fan(centre, offsets, folds._normals(centre, side))
    band_s = folds._along(folds._sample(image, frame, grid)[0])
    span = folds._span_rows(centre, uv_lm)
    keep = folds._off_lips(grid[span][:, lat], lips_mm)
    ref = max(folds._skin_level(band_s[span][:, lat], keep), 1e-3)
    return ref, band_s, span


def lower_length(image: np.ndarray, frame: Frame, centre: np.ndarray, bottom: int, side: str,
                 ref: float, lips_mm: np.ndarray | None) -> float:
    """The fold length below the line's point at the bottom landmark, mm: the soft count
    (``folds._fold_length``'s share per step) along the continuation with the most valley evidence.

    Parameters
    ----------
    image : ndarray, shape (H, W), luminance (or one channel)
    frame : Frame
    centre : ndarray, shape (K, 2)
        The fold line, levelled mm (u, v), every ``folds.RESOLUTION_MM``, top to bottom.
    bottom : int
        Row of ``centre`` nearest the bottom landmark.
    side : {"right", "left"}
    ref : float
        The skin level the evidence is relative to (the line's lateral skin reference).
    lips_mm : ndarray, shape (L, 2), or None
        The outer-lip contour, levelled mm: no evidence inside it or within ``folds.LIP_MARGIN_MM``.

    Returns
    -------
    float
        mm, 0 to :data:`LOWER_REACH_MM`: one ``folds.RESOLUTION_MM`` step along the band's axis (the
        line's direction at ``bottom``) per row, counted as the line's steps are.  The path starts on
        the line, moves at most one column sideways per row and pays :data:`LOWER_SLOPE_PENALTY` per
        sideways step and :data:`LOWER_CURVE_PENALTY` per change of direction; the count is its summed
        share, penalties not subtracted.
    """
    res = folds.RESOLUTION_MM
    back = max(bottom - int(round(LOWER_DIRECTION_MM / res)), 0)
    d = centre[bottom] - centre[back]
    norm = float(np.linalg.norm(d))
    if not np.isfinite(norm) or norm < 1e-6:
        return 0.0
    d = d / norm
    normal = np.array([-d[1], d[0]])
    if (normal[0] > 0) == (side == "right"):  # lateral: negative u on the subject's right
        normal = -normal
    n_rows = int(round(LOWER_REACH_MM / res))
    axis = centre[bottom] + (np.arange(1, n_rows + 1) * res)[:, None] * d
    pad = 4.0 * max(folds.SIGMAS_MM)  # the widest scale's reach, so the kept columns' evidence sees real skin
    wide = np.arange(-round((LOWER_MEDIAL_MM + pad) / res), round((LOWER_LATERAL_MM + pad) / res) + 1) * res
    grid = folds._fan(axis, wide, np.broadcast_to(normal, axis.shape))
    band_s = folds._along(folds._sample(image, frame, grid)[0])
    ev = folds.gaussian_filter1d(folds._evidence(band_s, np.full(n_rows, ref)), folds.LENGTH_SMOOTH_MM / res, axis=0)
    cols = (wide >= -LOWER_MEDIAL_MM - 1e-9) & (wide <= LOWER_LATERAL_MM + 1e-9)
    share = np.clip(ev[:, cols] / folds.LENGTH_FULL_EVIDENCE, 0.0, 1.0)
    share[~folds._off_lips(grid[:, cols], lips_mm)] = 0.0
    start = int(np.argmin(np.abs(wide[cols])))
    score = share.copy()
    score[0, np.arange(score.shape[1]) != start] = -1e9  # the path starts on the line
    path = folds._best_path(score, LOWER_SLOPE_PENALTY, LOWER_CURVE_PENALTY)
    return float(share[np.arange(n_rows), path].sum()) * res


def score_following_valley(image: np.ndarray, frame: Frame, line_mm: np.ndarray, uv_lm: np.ndarray,
                           side: str, lips_mm: np.ndarray | None = None, *, depth_only: bool = False,
                           skip_depth: bool = False) -> tuple[float, float, float]:
    """``folds._score`` with the valley-following lower end: depth index and contrast (%) the package's,
    the length (mm) the line's soft count down to its point at the bottom landmark plus
    :func:`lower_length` below it.  Raises ``AssertionError`` if this module's copy of the line's count
    no longer reproduces the package's length (the package changed: update the copy)."""
    depth, contrast, length = PACKAGE_SCORE(image, frame, line_mm, uv_lm, side, lips_mm,
                                            depth_only=depth_only, skip_depth=skip_depth)
    if depth_only:
        return depth, contrast, length
    if image.ndim == 3:  # the green channel, as folds._score reads it
        image = image[..., 1]
    centre = resample_polyline(line_mm, folds.RESOLUTION_MM, "exact")
    ref, band_s, span = line_reference(image, frame, centre, uv_lm, side, lips_mm)
    on_line = folds._evidence_at(band_s, np.full(len(band_s), ref), band_s.shape[1] // 2)
    smoothed = folds.gaussian_filter1d(on_line, folds.LENGTH_SMOOTH_MM / folds.RESOLUTION_MM)
    assert abs(folds._fold_length(smoothed) - length) < 1e-9, "the copy of folds._score's length drifted"
    bottom = int(np.flatnonzero(span)[-1])
    lower = lower_length(image, frame, centre, bottom, side, ref, lips_mm)
    return depth, contrast, folds._fold_length(smoothed[:bottom + 1]) + lower


@contextlib.contextmanager
def following_valley(on: bool = True):
    """Within the block, the package scores the fold length with the valley-following lower end (``on``)
    or with its own fixed end (``on=False``: the package unchanged); restored on exit."""
    keep = folds._score
    folds._score = score_following_valley if on else PACKAGE_SCORE
    try:
        yield
    finally:
        folds._score = keep
