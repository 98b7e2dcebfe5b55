"""Overlay images that show what was measured (I/O-free: returns arrays)."""

from __future__ import annotations

import cv2
import numpy as np

from .analyze import PhotoAnalysis

#: overlays are downscaled so that their long side is at most this, px
OVERLAY_MAX_SIDE = 1600

_JAW = (0, 200, 255)
_BAND = (255, 255, 255)
_LINE = (255, 40, 200)
_EYES = (80, 255, 80)


def _valley_colours(values: np.ndarray) -> np.ndarray:
    v = np.clip(values / 10.0, 0.0, 1.0)  # 0..10 depth-index units -> 0..1
    lut = cv2.applyColorMap((v * 255).astype(np.uint8), cv2.COLORMAP_INFERNO)
    return cv2.cvtColor(lut, cv2.COLOR_BGR2RGB)


def photo_overlay(analysis: PhotoAnalysis) -> np.ndarray:
    """Photo with the jaw contour, fold bands, fold lines and valley maps drawn on it, each band
    lettered with the subject's own side ("R"/"L", :func:`side_labels`).

    Parameters
    ----------
    analysis : PhotoAnalysis
        A measured photo (``analysis.photo`` must be loaded).

    Returns
    -------
    ndarray, shape (h + strip, w, 3), uint8 RGB
        The photo (at most :data:`OVERLAY_MAX_SIDE` px on the long side; ``h, w``) above its legend's strip
        (:func:`legend_strip`: its text a fixed share of ``w``, so that it stays readable however small the
        figure is shown).
    """
    img = analysis.photo.rgb.copy()
    thick = max(2, int(round(max(img.shape[:2]) / 600)))
    for fm in (analysis.nlf_right, analysis.nlf_left):
        if fm is None:
            continue
        x0, y0, x1, y1 = fm.valley_box
        vmap = cv2.resize(fm.valley_map, (x1 - x0, y1 - y0), interpolation=cv2.INTER_LINEAR)
        mask = np.zeros((y1 - y0, x1 - x0), np.uint8)
        cv2.fillPoly(mask, [np.round(fm.region_px - (x0, y0)).astype(np.int32)], 1)
        roi = img[y0:y1, x0:x1]
        col = _valley_colours(vmap)
        alpha = (0.65 * mask)[..., None]
        img[y0:y1, x0:x1] = (roi * (1 - alpha) + col * alpha).astype(np.uint8)
        cv2.polylines(img, [np.round(fm.region_px).astype(np.int32)], True, _BAND, max(1, thick // 2), cv2.LINE_AA)
        cv2.polylines(img, [np.round(fm.line_px).astype(np.int32)], False, _LINE, thick, cv2.LINE_AA)
    if analysis.jaw is not None:
        cv2.polylines(img, [np.round(analysis.jaw.contour_px).astype(np.int32)], False, _JAW, thick, cv2.LINE_AA)
    if analysis.points is not None and analysis.frame is not None:
        for i in (468, 473):
            c = tuple(int(round(v)) for v in analysis.points[i, :2])
            cv2.circle(img, c, thick * 2, _EYES, -1, cv2.LINE_AA)
        r, l = analysis.points[468, :2], analysis.points[473, :2]
        d = (l - r) * 0.6
        cv2.line(img, tuple(np.round(r - d).astype(int)), tuple(np.round(l + d).astype(int)), _EYES, max(1, thick // 2), cv2.LINE_AA)
    h, w = img.shape[:2]
    f = min(1.0, OVERLAY_MAX_SIDE / max(h, w))
    if f < 1.0:
        img = cv2.resize(img, (round(w * f), round(h * f)), interpolation=cv2.INTER_AREA)
    # the letters as tall as the legend's text (a share of the width: readable at 256 px; they were 0.9 x 22 px
    # per 1400 px of the long side: 23 px in the 1280 x 1600 sample's overlay, 4.6 px when shown 256 px wide)
    size = img.shape[1] * LEGEND_CAP_PER_WIDTH / cv2.getTextSize("R", cv2.FONT_HERSHEY_SIMPLEX, 1.0, 2)[0][1]
    for text, (x, y), away in side_labels(analysis):  # drawn after the resize
        (tw, th), _ = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, size, max(1, round(2 * size)))
        pad = 0.3 * th
        org = (int(round(x * f + pad)) if away > 0 else int(round(x * f - pad - tw)), int(round(y * f + th / 2)))
        _outlined_text(img, text, org, size, _BAND)
    return np.concatenate([img, legend_strip(img.shape[1])], axis=0)


def side_labels(analysis: PhotoAnalysis) -> list[tuple[str, tuple[float, float], int]]:
    """Where the overlay writes the subject's own sides: ``"R"`` beside the subject's right fold
    band, ``"L"`` beside the left one (a frontal photo shows the subject's right on the image left).

    Parameters
    ----------
    analysis : PhotoAnalysis

    Returns
    -------
    list of (text, (x, y), away)
        ``(x, y)``: the band's outer edge (px of ``analysis.photo.rgb``) at the height of its
        centre; ``away``: -1 when the letter goes to the left of that point, +1 to the right
        (away from the face's midline, the mid-point of the pupils).  Empty without landmarks.
    """
    if analysis.points is None:
        return []
    mid_x = 0.5 * (analysis.points[468, 0] + analysis.points[473, 0])
    out = []
    for text, fm in (("R", analysis.nlf_right), ("L", analysis.nlf_left)):
        if fm is None:
            continue
        region = np.asarray(fm.region_px, float)
        cx, cy = region.mean(axis=0)
        away = -1 if cx < mid_x else 1
        x = float(region[:, 0].min() if away < 0 else region[:, 0].max())
        out.append((text, (x, float(cy)), away))
    return out


def _outlined_text(img: np.ndarray, text: str, org: tuple[int, int], size: float, colour) -> None:
    """``text`` at font scale ``size`` in ``colour`` with a black outline (strokes in proportion to ``size``)."""
    cv2.putText(img, text, org, cv2.FONT_HERSHEY_SIMPLEX, size, (0, 0, 0), round(4 * size) + 1, cv2.LINE_AA)
    cv2.putText(img, text, org, cv2.FONT_HERSHEY_SIMPLEX, size, colour, max(1, round(2 * size)), cv2.LINE_AA)


#: the overlay legend's entries, in the colours they name; right / left are the subject's own
LEGEND = (("jaw contour", _JAW), ("nasolabial fold line", _LINE), ("fold search band / valley map", _BAND),
          ("pupil line", _EYES), ("R / L: the subject's own sides", _BAND))
#: the legend's cap height as a share of the figure's width: 1/25 is 10.2 px when the figure is shown 256 px
#: wide (each fold overlay in the comparison's Folds view at 1366 x 768, sidebar open), 14.3 px at 358 px (a
#: 390 px phone: the two stacked), the figures' rule in docs/compare.md 'Every figure's text: the rule'
#: (>= 10 px at both; 1/28 drew 9.1 px at 256; h6 of stop 44, 2026-12-05).  The legend was drawn 0.7 x 22 px per
#: 1400 px of the photo's long side before (18 px in the 1280 x 1600 sample's overlay, 3.6 px when shown 256 px
#: wide, 5.0 px in the Folds view at 390 px: unreadable; the app on a phone, 2026-12-05)
LEGEND_CAP_PER_WIDTH = 1 / 25
_LEGEND_BACKGROUND = (32, 32, 32)


def legend_strip(width: int) -> np.ndarray:
    """The overlay's legend (:data:`LEGEND`) on a dark strip ``width`` px wide, the entries flowed left to right
    and wrapped, each in its colour; its text's cap height is :data:`LEGEND_CAP_PER_WIDTH` of ``width`` (the
    longest entry fits one line), so the legend keeps its size relative to the figure however it is scaled.

    Parameters
    ----------
    width : int
        The figure's width, px.

    Returns
    -------
    ndarray, shape (h, width, 3), uint8 RGB
        ``h``: as many lines as the entries need, each 1.9 cap heights, plus a margin.
    """
    cap1 = cv2.getTextSize("Ag", cv2.FONT_HERSHEY_SIMPLEX, 1.0, 2)[0][1]  # cap height at font scale 1, px
    margin = max(2, round(width * 0.02))
    longest = max(cv2.getTextSize(t, cv2.FONT_HERSHEY_SIMPLEX, 1.0, 2)[0][0] for t, _ in LEGEND)
    size = min(width * LEGEND_CAP_PER_WIDTH / cap1, (width - 2 * margin) / longest)
    thick = max(1, round(2 * size))
    cap, gap, step = cap1 * size, cap1 * size * 1.2, cap1 * size * 1.9
    places, x, line = [], float(margin), 0
    for text, colour in LEGEND:
        tw = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, size, thick)[0][0]
        if x > margin and x + tw > width - margin:
            x, line = float(margin), line + 1
        places.append((text, colour, x, line))
        x += tw + gap
    strip = np.full((int(round(margin * 2 + (line + 1) * step)), width, 3), _LEGEND_BACKGROUND, np.uint8)
    for text, colour, x, k in places:
        org = (int(round(x)), int(round(margin + k * step + cap + (step - cap) / 2 - cap * 0.25)))
        cv2.putText(strip, text, org, cv2.FONT_HERSHEY_SIMPLEX, size, colour, thick, cv2.LINE_AA)
    return strip
