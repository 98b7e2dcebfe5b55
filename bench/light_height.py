"""The light check's height shift as measured in stop 59 (g1) and NOT adopted: the cheek discs against the chin
discs below the lower lip (docs/robustness.md "A light moved up or down").  It caught the simulated elevation
changes that leave a fold verdict on the Canada tuning faces, but fired on real same-light pairs (London neutral ->
smiling, a debruine camera-distance pair), so by the rule of ``bench/audit_light_direction.py``'s docstring it is
not in the package; the benches read it from here (``audit_light_direction.py``, ``audit_light_cases.py``).

:func:`height_shift` reads the cheek discs of ``compare.light.LIGHT_PAIRS`` (the pairs between the forehead and the
lower cheeks) through ``compare.light.light_levels``, and the chin discs (:data:`CHIN`) on skin pixels only
(:func:`chin_levels`); the tone curve (``a x^g``) is fitted to the pairs below the forehead, so a fringe of hair
over the forehead moves nothing of it.
"""

from __future__ import annotations

import cv2
import numpy as np

from facemetrics.compare import light as light_check
from facemetrics.compare.iris_scale import irises_hidden
from facemetrics.compare.measure import eyes_covered

#: Face Mesh landmarks on the chin below the lower lip (the midline and either side, mirror-symmetric): the lower
#: part of the balance; the chin faces down, so a light moved up darkens it against the cheeks
CHIN = (200, 199, 201, 421, 208, 428)
#: a chin disc's pixel is skin when its chroma (YCrCb's Cr, Cb, 0-255) lies within this of the median chroma of the
#: photo's cheek discs (set on synthetic colours before any run: dark hair 28 units away, lip 25, skin x 0.8 in
#: shade 7; YCrCb's chroma moves with the luminance, so deep shade drops a disc: no reading, never a false one)
SKIN_CHROMA = 12.0
#: a chin disc is read only when at least this share of its pixels is skin (the median of those pixels)
SKIN_MIN_SHARE = 0.5

_P = light_check.LIGHT_PAIRS
_UPPER, _LOWER = light_check.LIGHT_UPPER_PAIRS, light_check.LIGHT_LOWER_PAIRS


def _disc(shape, centre, offsets):
    xy = np.round(centre).astype(int) + offsets
    inside = (xy[:, 0] >= 0) & (xy[:, 0] < shape[1]) & (xy[:, 1] >= 0) & (xy[:, 1] < shape[0])
    return None if inside.mean() < 0.5 else (xy[inside, 1], xy[inside, 0])


def chin_levels(rgb: np.ndarray, points: np.ndarray, mm_per_px: float) -> np.ndarray:
    """The median luminance (0-255) of the skin pixels of the disc (``LIGHT_DISC_MM``) around each landmark of
    :data:`CHIN`, read on ``LIGHT_GRID_MM`` pixels, shape ``(n,)``; NaN where a disc falls outside the photo or less
    than :data:`SKIN_MIN_SHARE` of it is unclipped skin (:data:`SKIN_CHROMA`)."""
    f = min(mm_per_px / light_check.LIGHT_GRID_MM, 1.0)
    ycc = cv2.cvtColor(np.ascontiguousarray(rgb), cv2.COLOR_RGB2YCrCb)
    ycc = (cv2.resize(ycc, None, fx=f, fy=f, interpolation=cv2.INTER_AREA) if f < 1.0 else ycc).astype(np.float64)
    r = light_check.LIGHT_DISC_MM / (mm_per_px / f)
    yy, xx = np.mgrid[-int(np.ceil(r)):int(np.ceil(r)) + 1, -int(np.ceil(r)):int(np.ceil(r)) + 1]
    offsets = np.stack([xx[xx ** 2 + yy ** 2 <= r * r], yy[xx ** 2 + yy ** 2 <= r * r]], axis=1)
    pts = np.asarray(points, dtype=np.float64)[:, :2] * f
    cheeks = [px for pair in _P[_UPPER:len(_P) - _LOWER] for k in pair
              if (px := _disc(ycc.shape, pts[k], offsets)) is not None]
    out = np.full(len(CHIN), np.nan)
    if not cheeks:
        return out
    ref = np.median(np.concatenate([ycc[px][:, 1:] for px in cheeks]), axis=0)
    for i, k in enumerate(CHIN):
        px = _disc(ycc.shape, pts[k], offsets)
        if px is None:
            continue
        v = ycc[px]
        skin = (np.hypot(*(v[:, 1:] - ref).T) <= SKIN_CHROMA) & (v[:, 0] > 2) & (v[:, 0] < 253)
        if skin.mean() >= SKIN_MIN_SHARE:
            out[i] = float(np.median(v[skin, 0]))
    return out


def height_shift(a, b) -> float:
    """How much brighter the cheeks became against the chin from photo ``a`` to photo ``b`` (two measured
    ``PhotoAnalysis``), %, after a tone curve fitted to the pairs below the forehead (> 0: the light moved up); NaN
    when either photo shows no iris, or fewer than half the cheek pairs, the pairs below the forehead or the chin
    discs can be read in both photos."""
    if any(eyes_covered(x) or irises_hidden(x) for x in (a, b)):
        return float("nan")
    la, lb = np.log(light_check.light_levels(a)), np.log(light_check.light_levels(b))
    below = np.isfinite(la).all(axis=1) & np.isfinite(lb).all(axis=1)
    below[:_UPPER] = False
    cheeks = below.copy()
    cheeks[len(_P) - _LOWER:] = False
    ca = np.log(chin_levels(a.photo.rgb, a.points, a.frame.mm_per_px))
    cb = np.log(chin_levels(b.photo.rgb, b.points, b.frame.mm_per_px))
    chin = np.isfinite(ca) & np.isfinite(cb)
    if (2 * cheeks.sum() < len(_P) - _UPPER - _LOWER or 2 * below.sum() < len(_P) - _UPPER
            or 2 * chin.sum() < len(CHIN) or np.ptp(lb[below].mean(axis=1)) <= 0):
        return float("nan")
    slope = float(np.polyfit(lb[below].mean(axis=1), la[below].mean(axis=1), 1)[0])
    d = slope * (lb[cheeks].mean() - cb[chin].mean()) - (la[cheeks].mean() - ca[chin].mean())
    return float(100.0 * np.expm1(d))
