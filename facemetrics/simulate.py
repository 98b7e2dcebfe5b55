"""Images with a known change, made from real photos: the ground truth that
the measurements are tested against.

Every function returns a :class:`Simulated` with the new image and the truth
(millimetres, fractions) so that tests assert against numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from .analyze import PhotoAnalysis


@dataclass(frozen=True, eq=False)
class Simulated:
    """A simulated photo and what was done to it.

    Attributes
    ----------
    image : ndarray, shape (H, W, 3), uint8 RGB
    truth : dict
        The known change, e.g. ``{"nlf_darkening_right": 0.2}``.
    """

    image: np.ndarray
    truth: dict = field(default_factory=dict)


def deepen_fold(analysis: PhotoAnalysis, fraction: float, side: str = "right",
                width_mm: float = 1.5) -> Simulated:
    """Darken a nasolabial valley along the measured fold line.

    The luminance is multiplied by ``1 - fraction * exp(-d^2 / (2 w^2))``
    where ``d`` is the distance (mm) to the fold line found by
    :func:`facemetrics.folds.fold_metrics` on the photo and ``w`` is
    ``width_mm``: a valley ``fraction`` darker at its centre, fading out
    over a few mm, along the line's whole length.

    Parameters
    ----------
    analysis : PhotoAnalysis
        A measured photo (``status == "ok"``).
    fraction : float
        Darkening at the valley centre, 0-1 (0.2 = 20 % darker).
    side : {"right", "left", "both"}
        The subject's side(s) to deepen.
    width_mm : float
        Gaussian width (sigma) of the valley profile, mm.

    Returns
    -------
    Simulated
        ``truth`` has ``nlf_darkening_right`` and ``nlf_darkening_left``.
    """
    img = analysis.photo.rgb
    mm_per_px = analysis.calibration.mm_per_px
    sides = ("right", "left") if side == "both" else (side,)
    dist = np.full(img.shape[:2], np.inf, dtype=np.float32)
    for s in sides:
        fm = analysis.nlf_right if s == "right" else analysis.nlf_left
        mask = np.full(img.shape[:2], 255, np.uint8)
        cv2.polylines(mask, [np.round(fm.line_px).astype(np.int32)], False, 0, 1, cv2.LINE_8)
        d = cv2.distanceTransform(mask, cv2.DIST_L2, 5) * mm_per_px
        dist = np.minimum(dist, d)
    gain = 1.0 - fraction * np.exp(-0.5 * (dist / width_mm) ** 2)
    out = np.clip(img.astype(np.float32) * gain[..., None], 0, 255).round().astype(np.uint8)
    truth = {f"nlf_darkening_{s}": (fraction if s in sides else 0.0) for s in ("right", "left")}
    return Simulated(out, truth)
