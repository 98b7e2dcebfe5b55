"""Nasolabial-fold measures: where the fold runs and how deep it looks.

Method
------
For each side the Face Mesh path from beside the alar base down and outward,
lateral to the mouth corner (:data:`~facemetrics.geometry.NLF_PATH_RIGHT`,
:data:`~facemetrics.geometry.NLF_PATH_LEFT`), is extended at both ends
(:data:`EXTEND_TOP_MM`, :data:`EXTEND_BOTTOM_MM`) and the image luminance is
sampled on a grid *straightened* along it: rows every :data:`RESOLUTION_MM`
along the path, columns every :data:`RESOLUTION_MM` across it (negative =
towards the midline).  The photo is first resampled to that physical
resolution, so its pixel size does not change the scores.

Fold line (searched)
    Scale-space valley evidence across the path: ``sigma^2 * d2L/dn^2`` at
    the fold widths :data:`SIGMAS_MM`, the strongest scale, after smoothing
    along the path over :data:`ALONG_SIGMA_MM` (skin texture that crosses the
    fold averages out), relative to the row's bright skin (x 100).  The line
    is the path through the +-:data:`BAND_HALF_WIDTH_MM` band maximising the
    summed evidence minus a smoothness prior (dynamic programming over
    column *and* slope: :data:`SLOPE_PENALTY` per sideways step,
    :data:`CURVE_PENALTY` per change of direction, so the line is a gentle
    curve) minus an anatomical prior of :data:`PRIOR_PER_MM` per mm away from
    the *reference line*, the Face Mesh path moved :data:`PRIOR_CENTRE_MM`
    towards the midline (the hand-placed smile lines lie a median 1.8-2.7 mm
    medial to the Face Mesh path on the young Canada faces, 0.3-2.8 mm on the
    older London ones; -1.5 mm was chosen on the tuning faces).  The ends are the
    anatomical ones of the path: alar base to lateral of the mouth corner.
Given line (``line_px=``)
    The line is taken as given (e.g. the before photo's line carried into the
    after photo by the optical flow) and only scored.

Scores (per side)
-----------------
depth index
    Relative darkening ``1 - L / L_skin`` of the green channel, averaged
    along the line within the landmark span.  ``L_skin`` is the skin level
    without a fold: the straight line between the upper quartile
    (:data:`SKIN_PERCENTILE`) of the skin :data:`SKIN_MEDIAL_MM` medial and
    :data:`SKIN_LATERAL_MM` lateral of the line, so a plain shading gradient
    across the cheek reads as 0.  The lips and teeth are not skin: samples
    inside the Face Mesh outer-lip contour (:data:`OUTER_LIPS`) or within
    :data:`LIP_MARGIN_MM` of it are left out of both references.  The darkening is integrated across strips
    parallel to the line (flat +-:data:`DEPTH_HALF_WIDTH_MM`, cosine taper
    over :data:`DEPTH_TAPER_MM`) placed every 0.4 mm from
    :data:`DEPTH_SHIFT_MM` (3 mm) medial to :data:`DEPTH_SHIFT_LATERAL_MM`
    (4.5 mm) lateral: a smile's crease can form lateral of where the neutral
    fold lies (issue 10, sixth round), and the strips are combined by a
    log-mean-exp (a soft maximum, temperature :data:`SOFTMAX_T`), x
    :data:`DEPTH_SCALE`.  Units: 10 x mm of full darkening (a valley 10 %
    darker over 3 mm adds about 3).  Every strip rises with any darkening
    inside it, and the soft maximum rises with every strip, so the index
    rises strictly with a darker or wider valley on the line or up to
    3 mm medial / 4.5 mm lateral of it; it is unchanged by a global brightness scaling.  When
    searching, the strips are parallel to the *reference line* (which moves
    with the landmarks, not with the image), so a valley appearing beside the
    fold can only raise the index even if it pulls the found line; with
    ``line_px=`` they are parallel to the given line.
contrast (%)
    Median over the line of ``100 * (1 - valley / sides)``, with ``valley``
    the luminance on the line and ``sides`` the mean at
    :data:`CONTRAST_OFFSET_MM` either side of it.
length (mm)
    Length of the line (found or given, with its extensions) along which the
    valley evidence, smoothed over :data:`LENGTH_SMOOTH_MM` along the line, is
    present: each :data:`RESOLUTION_MM` of line counts in full where the
    evidence reaches :data:`LENGTH_FULL_EVIDENCE`, in proportion below it
    (``evidence / LENGTH_FULL_EVIDENCE``), not at all where it is <= 0.  A soft
    count, not a threshold: where a fold fades gradually its end is a shallow
    threshold crossing that a re-save moved by several mm (a clean JPEG-70
    copy read +6.0 mm against the 5.0 mm floor, stop 36); the soft count moves
    by the change of the evidence itself (``bench/bench_fold_length.py``,
    docs/compare.md "The fold length's ends").  The line's lower end is fixed
    (:data:`EXTEND_BOTTOM_MM` past the bottom landmark); an end that follows the
    valley was tried in stop 39 and is not in the package: it failed its rule on
    the tuning faces (``bench/fold_reach_lower.py``, docs/compare.md "The fold
    length's lower end and its camera term").

Parameters were chosen on 24 of the 40 Canada faces and 6 of the 12 London
faces (hand-placed smile lines; the split is fixed by sorted id) and on
synthetic darkening tests; ``docs/accuracy.md`` reports the held-out faces.

References
----------
.. [1] Lindeberg T (1998). Edge detection and ridge detection with automatic
   scale selection. International Journal of Computer Vision 30(2):117-156
   (scale-normalised second derivatives).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import cv2
import numpy as np

from .filters import bilinear, gaussian_filter1d
from .geometry import NLF_PATH_LEFT, NLF_PATH_RIGHT, OUTER_LIPS, Frame, resample_polyline

#: physical resolution the fold regions are analysed at, mm per pixel
RESOLUTION_MM = 0.4
#: across-fold scales of the valley evidence, mm (a nasolabial valley is ~2-8 mm wide)
SIGMAS_MM = (1.0, 1.5, 2.0, 3.0)
#: smoothing along the fold before the valley evidence, mm
ALONG_SIGMA_MM = 1.0
#: half-width of the search band either side of the Face Mesh path, mm
BAND_HALF_WIDTH_MM = 6.0
#: width sampled either side for the row's bright-skin level of the evidence, mm
SAMPLE_HALF_WIDTH_MM = 10.0
#: extension of the landmark path above its top point and below its bottom point, mm
EXTEND_TOP_MM = 4.0
EXTEND_BOTTOM_MM = 8.0
#: lateral distance of the "skin either side" samples for the contrast, mm
CONTRAST_OFFSET_MM = 4.0
#: valley evidence at and above which a step of the line counts in full towards the length (below
#: it in proportion, none at <= 0); chosen on the tuning faces among soft ramps (0-1 .. 0.5-1.5),
#: hysteresis and the former count (bench/bench_fold_length.py, docs/compare.md "The fold length's
#: ends"); it replaced a hard threshold of 0.5 (2026-12-04)
LENGTH_FULL_EVIDENCE = 1.5
#: smoothing of the evidence along the line before the length's soft count, mm
LENGTH_SMOOTH_MM = 2.0
#: anatomical prior: penalty per mm away from the reference line, and that line's
#: offset from the Face Mesh path (negative = towards the midline), mm; the reference
#: line also orients the depth strips (issue 10: -1.5 mm on Canada + London tuning faces)
PRIOR_PER_MM = 1.2
PRIOR_CENTRE_MM = -1.5
#: smoothness prior of the line: penalty per sideways grid step and per change of direction
SLOPE_PENALTY = 0.05
CURVE_PENALTY = 3.0
#: final smoothing of the found line along its length, mm
LINE_SMOOTH_MM = 0.8
#: percentile of a row's luminance taken as its bright skin (valley evidence only)
REF_PERCENTILE = 90.0
#: depth strips: flat half-width and cosine taper, mm; placed every 0.4 mm from
#: DEPTH_SHIFT_MM medial to DEPTH_SHIFT_LATERAL_MM lateral of the line (issue 10, fold depth
#: sixth round: a smile's crease can form 4-5 mm lateral of the reference line; 4.5 mm was
#: chosen on the tuning faces from 3-6 mm, docs/accuracy.md; the medial reach stays 3 mm)
DEPTH_HALF_WIDTH_MM = 1.5
DEPTH_TAPER_MM = 1.5
DEPTH_SHIFT_MM = 3.0
DEPTH_SHIFT_LATERAL_MM = 4.5
#: soft-maximum temperature over the strips (depth-index units)
SOFTMAX_T = 0.5
#: depth-index units per mm of full darkening
DEPTH_SCALE = 10.0
#: skin either side of the fold for the depth: offset ranges from the line (medial,
#: lateral), mm, beyond the strips and a 3 mm margin (lateral: DEPTH_SHIFT_LATERAL_MM + 6 to
#: + 10 mm); and the percentile taken in each
SKIN_MEDIAL_MM = (-14.0, -9.0)
SKIN_LATERAL_MM = (10.5, 14.5)
SKIN_PERCENTILE = 75.0
#: the skin references leave out samples inside :data:`OUTER_LIPS` or within this many mm of
#: it (the lips and teeth are not skin; issue 10, chosen on the tuning faces: colouring the
#: hand-placed lips must not change the index); ``None`` = no lip mask
LIP_MARGIN_MM: float | None = 3.0
#: a skin reference keeps its unmasked samples if the mask would leave fewer than this fraction
#: of them (the region holds ~1000 samples at 0.4 mm; on the 52 neutral faces the mask leaves out
#: a median 7 %, at most 64 %, of the medial reference's samples)
LIP_MIN_KEEP = 0.1


@dataclass(frozen=True)
class FoldMetrics:
    """Nasolabial-fold measurements of one side of one photo.

    Attributes
    ----------
    depth_index : float
        Fold depth index (10 x mm of full darkening); larger = deeper fold.
    contrast_pct : float
        Darkening of the valley against the skin either side, %.
    length_mm : float
        Length of the visible fold line, mm.
    line_px : ndarray, shape (K, 2)
        The fold's centre line (found or given), ``(x, y)`` px of the analysed image.
    region_px : ndarray, shape (M, 2)
        Outline of the search band (closed polygon), ``(x, y)`` px.
    valley_luminance : ndarray, shape (h, w), float32
        The luminance over ``valley_box`` resampled to :data:`RESOLUTION_MM` (what
        ``valley_map`` is computed from).
    valley_box : tuple of int
        ``(x0, y0, x1, y1)`` px of the analysed image covered by ``valley_map``.
    valley_map : ndarray, shape (h, w), float32
        Valley response (Hessian, for display only) over ``valley_box`` at :data:`RESOLUTION_MM`;
        computed on first access (a measurement never reads it; issue 12).
    """

    depth_index: float
    contrast_pct: float
    length_mm: float
    line_px: np.ndarray
    region_px: np.ndarray
    valley_luminance: np.ndarray
    valley_box: tuple[int, int, int, int]

    @functools.cached_property
    def valley_map(self) -> np.ndarray:
        """Valley response for display (see the class docstring), shape (h, w), float32."""
        return _display_map(self.valley_luminance)


def _centre_path(uv: np.ndarray) -> np.ndarray:
    """Landmark path (levelled mm, shape (3, 2)) extended at both ends."""
    top_dir = uv[0] - uv[1]
    top_dir /= np.linalg.norm(top_dir)
    bot_dir = uv[-1] - uv[-2]
    bot_dir /= np.linalg.norm(bot_dir)
    return np.vstack([uv[0] + EXTEND_TOP_MM * top_dir, uv, uv[-1] + EXTEND_BOTTOM_MM * bot_dir])


def _prior_centres(centre_mm: np.ndarray, prior_centre_mm: float | tuple[float, float]) -> np.ndarray:
    """The prior's centre (mm across the path) at each row of ``centre_mm`` (shape (K, 2)):
    a constant, or ``(top, bottom)`` linear in arc length from the first row to the last."""
    if np.ndim(prior_centre_mm) == 0:
        return np.full(len(centre_mm), float(prior_centre_mm))
    top, bottom = prior_centre_mm
    arc = np.concatenate([[0.0], np.cumsum(np.linalg.norm(np.diff(centre_mm, axis=0), axis=1))])
    return top + (bottom - top) * arc / max(arc[-1], 1e-9)


def _luminance(rgb: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY).astype(np.float32)


def _offsets(half: float) -> np.ndarray:
    n = int(round(half / RESOLUTION_MM))
    return np.arange(-n, n + 1) * RESOLUTION_MM


def _normals(centre_mm: np.ndarray, side: str) -> np.ndarray:
    """Unit normals (levelled frame, shape (K, 2)) pointing laterally, away from the midline."""
    tang = np.gradient(centre_mm, axis=0)
    tang /= np.linalg.norm(tang, axis=1, keepdims=True)
    normal = np.stack([-tang[:, 1], tang[:, 0]], axis=1)
    lateral = -1.0 if side == "right" else 1.0  # the subject's right is at negative u
    return normal * (np.sign(np.sum(normal[:, 0]) * lateral) or 1.0)


def _fan(centre: np.ndarray, offsets: np.ndarray, normal: np.ndarray) -> np.ndarray:
    """Points ``centre + offset * normal`` (levelled mm), shape (K, n_offsets, 2), for centre and
    normal of shape (K, 2).

    Laid out with the coordinates apart (in memory a (K, 2, n_offsets) array: ``[k, :, 0]`` and
    ``[k, :, 1]`` contiguous), so that this sum, :meth:`~facemetrics.geometry.Frame.to_px` and the
    sampling run along the offsets rather than over ``(u, v)`` pairs (several times faster; the
    same values; issue 12).
    """
    return np.moveaxis(centre.T[:, :, None] + offsets * normal.T[:, :, None], 0, -1)


def _sample(image: np.ndarray, frame: Frame, grid_mm: np.ndarray):
    """Luminance at a grid of levelled mm points, shape (rows, cols).

    The grid's bounding box (+1 mm) is cropped and resampled to
    :data:`RESOLUTION_MM` first; returns the samples, that resampled crop and
    its box ``(x0, y0, x1, y1)`` in image px.
    """
    grid_px = frame.to_px(grid_mm)
    margin = 1.0 / frame.mm_per_px
    h, w = image.shape[:2]
    x0 = int(min(max(np.floor(grid_px[..., 0].min() - margin), 0), w - 2))
    y0 = int(min(max(np.floor(grid_px[..., 1].min() - margin), 0), h - 2))
    x1 = int(max(min(np.ceil(grid_px[..., 0].max() + margin), w), x0 + 2))
    y1 = int(max(min(np.ceil(grid_px[..., 1].max() + margin), h), y0 + 2))
    crop = image[y0:y1, x0:x1]
    crop = _luminance(crop) if crop.ndim == 3 else crop.astype(np.float32)
    k = frame.mm_per_px / RESOLUTION_MM  # resampled px per image px
    size = (max(int(round((x1 - x0) * k)), 8), max(int(round((y1 - y0) * k)), 8))
    small = cv2.resize(crop, size, interpolation=cv2.INTER_AREA if k < 1 else cv2.INTER_LINEAR)
    kx, ky = size[0] / (x1 - x0), size[1] / (y1 - y0)
    # pixel centres at integer coordinates, as cv2.resize maps them
    rows = (grid_px[..., 1] - y0 + 0.5) * ky - 0.5
    cols = (grid_px[..., 0] - x0 + 0.5) * kx - 0.5
    band = bilinear(small, rows, cols)
    return band, small, (x0, y0, x1, y1)


def _along(band: np.ndarray) -> np.ndarray:
    return gaussian_filter1d(band, ALONG_SIGMA_MM / RESOLUTION_MM, axis=0)


def _evidence(band_s: np.ndarray, ref: np.ndarray) -> np.ndarray:
    """Scale-normalised across-band valley evidence (x 100), shape of ``band_s``."""
    out = np.zeros_like(band_s)
    for s in SIGMAS_MM:
        sp = s / RESOLUTION_MM
        d2 = gaussian_filter1d(band_s, sp, axis=1, order=2)
        d2 *= sp  # in place: (d2 sp) sp, as before
        d2 *= sp
        np.maximum(out, d2, out=out)
    return out / ref[:, None] * 100.0


def _evidence_at(band_s: np.ndarray, ref: np.ndarray, col: int) -> np.ndarray:
    """Column ``col`` of :func:`_evidence` (``ref`` shape (rows,)), shape (rows,): the same
    values, each scale's filter run only on the columns within its kernel's reach of ``col``
    (``gaussian_filter1d``'s radius ``int(4 sigma + 0.5)``; the band's own edges kept)."""
    out = np.zeros(len(band_s), dtype=band_s.dtype)
    n = band_s.shape[1]
    for s in SIGMAS_MM:
        sp = s / RESOLUTION_MM
        r = int(4.0 * sp + 0.5)
        a, b = max(col - r, 0), min(col + r + 1, n)
        d2 = gaussian_filter1d(band_s[:, a:b], sp, axis=1, order=2)[:, col - a] * sp * sp
        out = np.maximum(out, d2)
    return out / ref * 100.0


def _row_reference(band_s: np.ndarray) -> np.ndarray:
    ref = np.percentile(band_s, REF_PERCENTILE, axis=1)
    return np.maximum(gaussian_filter1d(ref, ALONG_SIGMA_MM / RESOLUTION_MM), 1e-3)


def _best_path(score: np.ndarray, slope_pen: float, curve_pen: float) -> np.ndarray:
    """Column per row maximising ``sum(score) - slope_pen |move| - curve_pen |change of move|``.

    Dynamic programming over (column, last move), moves of -1, 0, +1 columns per row.
    The states are one flat vector ``move * n_cols + column`` (a padded ``-inf`` entry stands
    for arriving from outside the band), each row's candidates are one gather, and the
    back-pointers are one ``argmax`` over all rows' candidates after the loop: the same
    sums in the same order as a loop over moves, so the same path (ties: the first move),
    in a third of the time (issue 12).  The gather indices and penalties are kept per band
    width and penalties (:func:`_path_tables`).
    """
    n_rows, n_cols = score.shape
    n3 = 3 * n_cols
    idx, turn, step = _path_tables(n_cols, slope_pen, curve_pen)
    acc_pad = np.full(n3 + 1, -np.inf)
    acc_pad[n_cols:2 * n_cols] = score[0]  # first row: move 0
    acc = acc_pad[:n3]
    acc_by_move = acc.reshape(3, n_cols)
    cand = np.empty((n_rows, 3, n3))  # (row, previous move, state)
    best = np.empty(n3)
    best_by_move = best.reshape(3, n_cols)
    for g, row in zip(cand[1:], score[1:]):
        np.subtract(acc_pad[idx], turn, out=g)
        np.maximum(np.maximum(g[0], g[1], out=best), g[2], out=best)
        np.add(best_by_move, row, out=acc_by_move)
        np.subtract(acc, step, out=acc)
    back = np.argmax(cand[1:], axis=1)  # ties: the first previous move
    mi, c = divmod(int(np.argmax(acc)), n_cols)
    path = np.empty(n_rows, dtype=np.int64)
    path[-1] = c
    for r in range(n_rows - 1, 0, -1):
        prev = int(back[r - 1, mi * n_cols + c])
        c = c - (mi - 1)  # move mi is mi - 1 columns per row (-1, 0, 1)
        mi = prev
        path[r - 1] = c
    return path


@functools.lru_cache(maxsize=8)
def _path_tables(n_cols: int, slope_pen: float, curve_pen: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`_best_path`'s gather indices (previous move, state) into the padded states, the
    change-of-direction penalties (previous move, state) and the sideways-step penalties
    (state,); read-only, kept per band width and penalties (pure functions of them)."""
    moves = np.array([-1, 0, 1])  # columns per row
    n3 = 3 * n_cols
    c = np.arange(n_cols)
    src = np.stack([c + 1, c, c - 1])  # (move, column): arriving at column c with move m comes from c - m
    inside = (src >= 0) & (src < n_cols)
    # (previous move, state): flat index of acc[previous move, src], or the -inf pad
    idx = np.where(inside[None], np.arange(3)[:, None, None] * n_cols + src[None], n3).reshape(3, n3)
    turn = curve_pen * np.abs(moves[:, None] - moves[None, :])  # (move, previous move)
    turn = np.repeat(turn.T, n_cols, axis=1)  # (previous move, state)
    step = np.repeat(slope_pen * np.abs(moves), n_cols)
    for a in (idx, turn, step):
        a.flags.writeable = False
    return idx, turn, step


def _span_rows(centre_mm: np.ndarray, uv_lm: np.ndarray) -> np.ndarray:
    """Rows of a line between the projections of the path's first and last landmark."""
    dist = np.linalg.norm(centre_mm[None, :, :] - uv_lm[[0, -1], None, :], axis=2)  # (2, K): both ends at once
    a, b = sorted(np.argmin(dist, axis=1).tolist())
    mask = np.zeros(len(centre_mm), bool)
    mask[a:b + 1] = True
    return mask


def _strip_weights(offsets: np.ndarray) -> np.ndarray:
    """Depth strips, shape (n_strips, n_offsets): weights (mm) over the offsets (read-only;
    kept per offsets and constants, as every fold scoring uses the same ones)."""
    return _kept_strip_weights(np.asarray(offsets, dtype=np.float64).tobytes(), RESOLUTION_MM, DEPTH_SHIFT_MM,
                               DEPTH_SHIFT_LATERAL_MM, DEPTH_HALF_WIDTH_MM, DEPTH_TAPER_MM)


@functools.lru_cache(maxsize=16)
def _kept_strip_weights(offsets: bytes, *constants: float) -> np.ndarray:
    """:func:`_strip_weights_of`, read-only, kept per offsets and the module constants it reads
    (``constants``: part of the key only, so that changed constants give new weights)."""
    w = _strip_weights_of(np.frombuffer(offsets, dtype=np.float64))
    w.flags.writeable = False
    return w


def _strip_weights_of(offsets: np.ndarray) -> np.ndarray:
    """Strip weights (mm), shape (n_strips, n_offsets): strips centred every :data:`RESOLUTION_MM`
    from :data:`DEPTH_SHIFT_MM` medial (negative offsets) to :data:`DEPTH_SHIFT_LATERAL_MM`
    lateral of the line, each flat over +-:data:`DEPTH_HALF_WIDTH_MM` with a cosine taper over
    :data:`DEPTH_TAPER_MM`."""
    n_med = round(DEPTH_SHIFT_MM / RESOLUTION_MM)
    n_lat = round(DEPTH_SHIFT_LATERAL_MM / RESOLUTION_MM)
    shifts = np.arange(-n_med, n_lat + 1) * RESOLUTION_MM
    a = np.abs(offsets[None, :] - shifts[:, None])
    w = np.clip((DEPTH_HALF_WIDTH_MM + DEPTH_TAPER_MM - a) / DEPTH_TAPER_MM, 0.0, 1.0)
    return (0.5 - 0.5 * np.cos(np.pi * w)) * RESOLUTION_MM


def _off_lips(pts_mm: np.ndarray, lips_mm: np.ndarray | None) -> np.ndarray:
    """True where a point (levelled mm, shape (..., 2)) is neither inside the closed lip contour
    ``lips_mm`` (shape (L, 2)) nor within :data:`LIP_MARGIN_MM` of it; all True without a contour."""
    shape = pts_mm.shape[:-1]
    if lips_mm is None or LIP_MARGIN_MM is None:
        return np.ones(shape, bool)
    p = pts_mm.reshape(-1, 2)
    px, py = p[:, 0], p[:, 1]
    keep = np.ones(len(p), bool)
    lo, hi = lips_mm.min(axis=0) - LIP_MARGIN_MM, lips_mm.max(axis=0) + LIP_MARGIN_MM
    near = (px >= lo[0]) & (px <= hi[0]) & (py >= lo[1]) & (py <= hi[1])
    if not near.any():
        return keep.reshape(shape)
    qx, qy = px[near][:, None], py[near][:, None]  # (Q, 1) against the contour's L edges a -> b: (Q, L)
    a, b = lips_mm, np.roll(lips_mm, -1, axis=0)
    ax, ay, bx, by = a[:, 0], a[:, 1], b[:, 0], b[:, 1]
    dx, dy = bx - ax, by - ay
    rel_y = qy - ay
    # distance to the nearest edge (the foot of the perpendicular, clipped to the edge)
    t = np.clip(((qx - ax) * dx + rel_y * dy) / np.maximum(dx * dx + dy * dy, 1e-12), 0, 1)
    ex, ey = ax + t * dx - qx, ay + t * dy - qy
    out = np.sqrt((ex * ex + ey * ey).min(axis=1)) < LIP_MARGIN_MM
    # inside (even-odd ray casting along +x), needed only for the points not already out
    far = ~out
    if far.any():
        qx, qy, rel_y = qx[far], qy[far], rel_y[far]
        crosses = (ay > qy) != (by > qy)
        with np.errstate(divide="ignore", invalid="ignore"):
            xc = ax + rel_y / dy * dx
        out[far] = (np.count_nonzero(crosses & (qx < xc), axis=1) % 2) == 1
    keep[near] = ~out
    return keep.reshape(shape)


def _skin_level(values: np.ndarray, keep: np.ndarray) -> float:
    """:data:`SKIN_PERCENTILE` of a skin reference's samples, lip samples left out (unless too few remain)."""
    if np.count_nonzero(keep) >= LIP_MIN_KEEP * keep.size:
        values = values[keep]
    return float(np.percentile(values, SKIN_PERCENTILE))


def _score(image: np.ndarray, frame: Frame, line_mm: np.ndarray, uv_lm: np.ndarray,
           side: str, lips_mm: np.ndarray | None = None, *, depth_only: bool = False,
           skip_depth: bool = False) -> tuple[float, float, float]:
    """Depth index, contrast (%) and length (mm) of the valley along ``line_mm`` (levelled mm);
    ``lips_mm``: the outer-lip contour (levelled mm), left out of the skin references.
    ``depth_only`` / ``skip_depth``: the other figures are NaN (not computed; the ones
    computed are the same either way)."""
    if image.ndim == 3:  # green channel: bright skin's red channel clips first
        image = image[..., 1]
    centre = resample_polyline(line_mm, RESOLUTION_MM, "exact")
    offsets, med, lat, t = _score_columns(RESOLUTION_MM, SKIN_MEDIAL_MM, SKIN_LATERAL_MM)
    grid_mm = _fan(centre, offsets, _normals(centre, side))
    band_s = _along(_sample(image, frame, grid_mm)[0])
    span = _span_rows(centre, uv_lm)
    b = band_s[span]
    keep = np.ones(b.shape, bool)
    used = lat if skip_depth else med | lat  # the lip mask only where a skin reference reads it
    keep[:, used] = _off_lips(grid_mm[span][:, used], lips_mm)
    ref_l = _skin_level(b[:, lat], keep[:, lat])
    depth = float("nan")
    if not skip_depth:
        ref_m = _skin_level(b[:, med], keep[:, med])
        skin = np.maximum(ref_m + t * (ref_l - ref_m), 1e-3)  # the skin level across the band, no fold
        profile = (1.0 - b / skin[None, :]).mean(axis=0)  # mean relative darkening per offset
        j = _strip_weights(offsets) @ profile * DEPTH_SCALE
        top = float(j.max())
        depth = top + SOFTMAX_T * float(np.log(np.mean(np.exp((j - top) / SOFTMAX_T))))
    if depth_only:
        return depth, float("nan"), float("nan")

    c0 = len(offsets) // 2
    off = int(round(CONTRAST_OFFSET_MM / RESOLUTION_MM))
    sides = 0.5 * (band_s[:, c0 - off] + band_s[:, c0 + off])
    with np.errstate(divide="ignore", invalid="ignore"):  # skin references of 0 (a black region): undefined, NaN
        contrast = float(np.median((1.0 - band_s[:, c0] / sides)[span]) * 100.0)
    on_line = _evidence_at(band_s, np.full(len(band_s), max(ref_l, 1e-3)), c0)
    smoothed = gaussian_filter1d(on_line, LENGTH_SMOOTH_MM / RESOLUTION_MM)
    return depth, contrast, _fold_length(smoothed)


def _fold_landmarks_mm(points: np.ndarray, frame: Frame, side: str) -> np.ndarray:
    """The Face Mesh fold path of ``side`` (:data:`NLF_PATH_RIGHT` / :data:`NLF_PATH_LEFT`) in the levelled
    frame, ``(u, v)`` mm, shape (K, 2); ``points`` (478, 2+) ``(x, y[, z])`` px."""
    idx = NLF_PATH_RIGHT if side == "right" else NLF_PATH_LEFT
    return frame.to_mm(np.asarray(points, dtype=np.float64)[list(idx), :2])


def contrast_side_levels(image: np.ndarray, points: np.ndarray, frame: Frame, side: str,
                         line_px: np.ndarray) -> tuple[float, float]:
    """The two skin references of the contrast along a fold line: the median, over the averaged part of the
    line (the landmark span), of the luminance :data:`CONTRAST_OFFSET_MM` medial and lateral of it.

    The samples :func:`score_fold_line`'s contrast divides the line's own by (the same sampling, smoothing
    along the line and span); a comparison reads their change between two photos
    (:func:`facemetrics.compare.gate.fold_contrast_side_rows`).

    Parameters
    ----------
    image, points, frame, side, line_px
        As :func:`score_fold_line`'s: the photo, shape (H, W, 3) uint8 RGB (read in its green channel, as the
        contrast is) or (H, W) float luminance; Face Mesh landmarks ``(x, y[, z])`` px of it, shape (478, 2+);
        its levelled frame; the subject's side, ``"right"`` or ``"left"``; the fold line ``(x, y)`` px,
        shape (K, 2).

    Returns
    -------
    (medial, lateral) : tuple of float
        Luminance levels (0-255 for uint8 images); NaN when the span holds no row.
    """
    if image.ndim == 3:
        image = image[..., 1]
    uv_lm = _fold_landmarks_mm(points, frame, side)
    centre = resample_polyline(frame.to_mm(np.asarray(line_px, dtype=np.float64)[:, :2]), RESOLUTION_MM, "exact")
    off = int(round(CONTRAST_OFFSET_MM / RESOLUTION_MM)) * RESOLUTION_MM
    offsets = np.array([-off, 0.0, off])
    # the line's own cross section over the same offsets _score samples (smoothing along is per column)
    band_s = _along(_sample(image, frame, _fan(centre, offsets, _normals(centre, side)))[0])
    span = _span_rows(centre, uv_lm)
    if not np.any(span):
        return float("nan"), float("nan")
    b = band_s[span]
    return float(np.median(b[:, 0])), float(np.median(b[:, 2]))


def _fold_length(evidence: np.ndarray) -> float:
    """Length (mm) of the line along which there is valley evidence: the soft count
    ``sum(clip(evidence / LENGTH_FULL_EVIDENCE, 0, 1)) * RESOLUTION_MM``.

    Parameters
    ----------
    evidence : ndarray, shape (K,)
        The smoothed valley evidence along the line (unitless), one value per
        :data:`RESOLUTION_MM` of line.

    Returns
    -------
    float
        Length in mm, 0 to ``K * RESOLUTION_MM``; it moves continuously with the evidence (a
        change of ``d`` in one step's evidence moves it by at most ``d / LENGTH_FULL_EVIDENCE``
        steps), so a fold end where the evidence fades gradually is not a threshold crossing.
    """
    share = np.clip(np.asarray(evidence, dtype=np.float64) / LENGTH_FULL_EVIDENCE, 0.0, 1.0)
    return float(share.sum()) * RESOLUTION_MM


@functools.lru_cache(maxsize=4)
def _score_columns(*constants) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """:func:`_score`'s columns (read-only; pure functions of the module constants, which
    ``constants`` holds as the key only): the offsets across the line (mm, shape (n,)), the
    medial and lateral skin references' columns (bool, shape (n,)) and each column's place
    ``t`` between the two references' centres (0 medial, 1 lateral; the skin level's
    interpolation weight, shape (n,))."""
    offsets = _offsets(max(-SKIN_MEDIAL_MM[0], SKIN_LATERAL_MM[1]))
    med = (offsets >= SKIN_MEDIAL_MM[0]) & (offsets <= SKIN_MEDIAL_MM[1])
    lat = (offsets >= SKIN_LATERAL_MM[0]) & (offsets <= SKIN_LATERAL_MM[1])
    t = (offsets - np.mean(SKIN_MEDIAL_MM)) / (np.mean(SKIN_LATERAL_MM) - np.mean(SKIN_MEDIAL_MM))
    for a in (offsets, med, lat, t):
        a.flags.writeable = False
    return offsets, med, lat, t


def _display_map(small: np.ndarray) -> np.ndarray:
    """Valley response of the resampled crop for overlays: the larger Hessian
    eigenvalue at 1.5 mm, scale-normalised, relative to the crop's median (x 100)."""
    sig = 1.5 / RESOLUTION_MM
    g = cv2.GaussianBlur(small, (0, 0), sig) / max(float(np.median(small)), 1.0)
    dxx = cv2.Sobel(g, cv2.CV_32F, 2, 0, ksize=3)
    dyy = cv2.Sobel(g, cv2.CV_32F, 0, 2, ksize=3)
    dxy = cv2.Sobel(g, cv2.CV_32F, 1, 1, ksize=3)
    lam = 0.5 * (dxx + dyy) + np.sqrt(0.25 * (dxx - dyy) ** 2 + dxy ** 2)
    return (np.maximum(lam, 0.0) * sig * sig * 100.0).astype(np.float32)


def _lips_mm(points: np.ndarray, frame: Frame) -> np.ndarray | None:
    """The Face Mesh outer-lip contour in levelled mm, shape (20, 2) (None with fewer landmarks)."""
    pts = np.asarray(points, dtype=np.float64)
    if len(pts) <= max(OUTER_LIPS):
        return None
    return frame.to_mm(pts[list(OUTER_LIPS), :2])


def reference_line_px(points: np.ndarray, frame: Frame, side: str) -> np.ndarray:
    """The reference line of one side: the Face Mesh fold path, extended at both ends and moved
    :data:`PRIOR_CENTRE_MM` towards the midline (what :func:`fold_metrics` scores the depth index
    along when it searches), ``(x, y)`` px of the landmarks' image, shape (K, 2), one point every
    :data:`RESOLUTION_MM` from the top (alar base) down.

    Parameters
    ----------
    points : ndarray, shape (478, 2+)
        Face Mesh landmarks ``(x, y[, z])`` px.
    frame : Frame
    side : {"right", "left"}
        The subject's side.
    """
    uv_lm = _fold_landmarks_mm(points, frame, side)
    centre_mm = resample_polyline(_centre_path(uv_lm), RESOLUTION_MM, "exact")
    return frame.to_px(centre_mm + PRIOR_CENTRE_MM * _normals(centre_mm, side))


def score_fold_line(image: np.ndarray, points: np.ndarray, frame: Frame, side: str,
                    line_px: np.ndarray, *, depth_only: bool = False) -> tuple[float, float, float]:
    """Score a given fold line only: ``(depth_index, contrast_pct, length_mm)``.

    The numbers :func:`fold_metrics` gives with ``line_px=`` (the same code),
    without sampling the search band or drawing the display map, which a
    comparison does not use (issue 12).  ``depth_only``: the depth index only (the
    other two are NaN; the depth is the same number).

    Parameters
    ----------
    image : ndarray, shape (H, W, 3) uint8 RGB, or (H, W) float luminance
    points : ndarray, shape (478, 2+)
        Face Mesh landmarks ``(x, y[, z])`` px of ``image``.
    frame : Frame
    side : {"right", "left"}
        The subject's side.
    line_px : ndarray, shape (K, 2)
        The fold line ``(x, y)`` px of ``image``.
    """
    uv_lm = _fold_landmarks_mm(points, frame, side)
    line_mm = frame.to_mm(np.asarray(line_px, dtype=np.float64)[:, :2])
    depth, contrast, length = _score(image, frame, line_mm, uv_lm, side, _lips_mm(points, frame),
                                     depth_only=depth_only)
    return float(depth), float(contrast), float(length)


def fold_metrics(image: np.ndarray, points: np.ndarray, frame: Frame, side: str, *,
                 line_px: np.ndarray | None = None,
                 prior_centre_mm: float | tuple[float, float] = PRIOR_CENTRE_MM) -> FoldMetrics:
    """Find (or take) one nasolabial fold line and score its depth.

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
    line_px : ndarray, shape (K, 2), optional
        A fold line ``(x, y)`` px of ``image`` to score instead of searching
        (e.g. another photo's ``FoldMetrics.line_px`` carried into this one).
        The depth strips are then parallel to this line; the landmark span
        (where ``points`` project onto it) still sets the averaged part.
    prior_centre_mm : float or (float, float)
        Centre of the search's anatomical prior, mm across the Face Mesh path
        (negative = medial): one value (shipped: :data:`PRIOR_CENTRE_MM`) or
        ``(top, bottom)``, varying linearly with arc length along the extended
        path (stop 24's tuning winner, (-1.0, -2.5), failed the invariance guard
        and is not shipped: docs/accuracy.md, "Fold line, stop 24").  Only the
        line search uses it; the depth index's strips stay on the reference line
        at :data:`PRIOR_CENTRE_MM`.

    Returns
    -------
    FoldMetrics
    """
    uv_lm = _fold_landmarks_mm(points, frame, side)
    lips = _lips_mm(points, frame)
    centre_mm = resample_polyline(_centre_path(uv_lm), RESOLUTION_MM, "exact")
    normal = _normals(centre_mm, side)
    offsets = _offsets(BAND_HALF_WIDTH_MM)
    wide = _offsets(SAMPLE_HALF_WIDTH_MM)
    band, small, box = _sample(image, frame, _fan(centre_mm, wide, normal))
    edges_px = frame.to_px(_fan(centre_mm, offsets[[0, -1]], normal))  # the band's two sides (outline)
    reference_mm = centre_mm + PRIOR_CENTRE_MM * normal

    if line_px is None:
        band_s = _along(band)
        n_extra = (len(wide) - len(offsets)) // 2
        ev = _evidence(band_s, _row_reference(band_s))[:, n_extra:n_extra + len(offsets)]
        prior = PRIOR_PER_MM * np.abs(offsets[None, :] - _prior_centres(centre_mm, prior_centre_mm)[:, None])
        col = _best_path(ev - prior, SLOPE_PENALTY, CURVE_PENALTY).astype(float)
        col = gaussian_filter1d(col, LINE_SMOOTH_MM / RESOLUTION_MM)
        line_mm = centre_mm + np.interp(col, np.arange(len(offsets)), offsets)[:, None] * normal
        depth = _score(image, frame, reference_mm, uv_lm, side, lips, depth_only=True)[0]
        _, contrast, length = _score(image, frame, line_mm, uv_lm, side, lips, skip_depth=True)
    else:
        line_mm = frame.to_mm(np.asarray(line_px, dtype=np.float64)[:, :2])
        depth, contrast, length = _score(image, frame, line_mm, uv_lm, side, lips)
    outline = np.vstack([edges_px[:, 0], edges_px[::-1, -1]])
    return FoldMetrics(depth, contrast, float(length), frame.to_px(line_mm), outline,
                       small, box)
