"""Are the irises the scale calibration reads actually visible in the photo?

The iris calibration (:func:`facemetrics.geometry.calibrate`) trusts Face Mesh's
iris chord.  Face Mesh always returns iris landmarks, also for closed eyes and
behind sunglasses, where they are a guess (the scale was 12-36 % off behind
dark lenses).  Per eye, three measures from the image and the lid landmarks:

- **opening**: mean upper-to-lower lid distance (three landmark pairs) over the
  eye's width (corner to corner): an eye aspect ratio, ~0.25-0.35 open, lower
  when the eye narrows (smiling) and ~0.05 closed;
- **contrast**: ``1 - iris / sclera`` of the luminance along the horizontal
  iris chord (a band of lines parallel to the eye-corner line through the iris
  centre): the iris disc (``|t| <`` :data:`IRIS_CORE` radii) against the eye
  opening beside it (:data:`SCLERA_BAND` radii out, short of the corners), the
  darker of the two sides (a highlight across a lens lights one side only).
  A visible iris is clearly darker than the sclera on both sides; a dark or
  reflective lens, or a lid or skin over the eye, is about as bright there as
  on the iris (contrast ~0).

- **step**: the iris's luminance step below the sclera (its brighter side)
  over the lower face's skin (:func:`iris_step`).  Dark glasses that let a
  little of the eye through (2-6 %) keep part of the contrast, because the
  lens's own glow (tint, reflection) adds the same to iris and sclera; the
  step is multiplied by the lens's transmission and the glow cancels.
  Below :data:`MIN_IRIS_STEP` the eye is not visible, whatever its contrast
  (shipped 2026-12-05; measured 2026-12-04).

- **pupil** (light irises): a blue, grey or green iris can be nearly as bright
  as the sclera, so its median fails the contrast or the step; its pupil is
  still dark.  :func:`pupil_seen` reads the :data:`PUPIL_PERCENTILE` th
  percentile of the iris disc's samples against the darker side's same
  percentile (a lash line across a closed eye, or a lens, is as dark along the
  whole chord) with the same two thresholds (shipped 2026-12-07;
  ``bench/bench_light_irises.py``, docs/accuracy.md 'Light irises').

An eye is *visible* when it is open (:data:`MIN_EYE_OPENING`) and inside the
picture, and either its iris median passes the contrast and the step
(:data:`MIN_IRIS_CONTRAST`, :data:`MIN_IRIS_STEP`) or its pupil does.  Brightness scaling leaves
them unchanged (ratios), and so does mirroring (the eyes swap).  Thresholds were chosen on the
24 tuning faces of the Canada set and their synthetic covers and checked on
held-out faces (``bench/bench_eyes.py``; docs/accuracy.md "Scale calibration").
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from .geometry import (
    LEFT_EYE_INNER, LEFT_EYE_OUTER, LEFT_IRIS, LEFT_IRIS_H, LEFT_LOWER_LID, LEFT_UPPER_LID, RIGHT_EYE_INNER,
    RIGHT_EYE_OUTER, RIGHT_IRIS, RIGHT_IRIS_H, RIGHT_LOWER_LID, RIGHT_UPPER_LID,
)

# eye corners (outer, inner) of each eye, subject's sides (landmark indices of facemetrics.geometry)
RIGHT_EYE_CORNERS = (RIGHT_EYE_OUTER, RIGHT_EYE_INNER)
LEFT_EYE_CORNERS = (LEFT_EYE_OUTER, LEFT_EYE_INNER)

# --- thresholds / sampling ---------------------------------------------------
#: eye opening (lid gap / eye width) below this -> the eye is closed (its iris not visible)
MIN_EYE_OPENING = 0.12
#: iris contrast ``1 - iris / sclera`` below this -> the iris is not visible (covered)
MIN_IRIS_CONTRAST = 0.12
#: the iris disc's samples: ``|t|`` below this many iris radii from the iris centre
IRIS_CORE = 0.7
#: the sclera's samples: ``|t|`` between these many iris radii from the centre (and inside the corners)
SCLERA_BAND = (1.1, 1.5)
#: the sampled band's half-height, iris radii (lines parallel to the eye-corner line)
BAND_HALF_HEIGHT = 0.3
#: samples per iris radius along the chord (and lines across the band)
SAMPLES_PER_RADIUS = 8
#: one iris judged not visible: the scale comes from the other eye alone only when the two eyes'
#: iris chords disagree by more than this (relative, ``Calibration.mm_per_px_spread``); below it the
#: hidden eye's chord agrees with the seen one and the two-eye scale stands (no warning).  Unedited
#: photos read up to 0.051 on the 24 Canada tuning faces and up to 0.131 on all 82 real portraits
#: (a turned head, a broad smile); a dark lens over one eye moves its chord far more.  Set after the
#: held-out look: an eye wrongly judged hidden on 6 of 58 held-out portraits moved the scale by
#: -6.2 to +3.3 % when the other eye was used alone (docs/accuracy.md)
ONE_EYE_MIN_SPREAD = 0.15
#: the iris's luminance step below the sclera (its brighter side) over the lower face's skin (:func:`iris_step`)
#: below this -> a dark lens over the eye, the iris not trusted whatever its contrast (a 2-6 % lens multiplies
#: the step by its transmission; its own glow, which keeps the contrast ratio above :data:`MIN_IRIS_CONTRAST`,
#: cancels in the step).  0.26, the geometric midpoint of the tuning faces' gap (unedited eyes, also 0.6 x and
#: 1.3 x as bright, at least 0.46; eyes seen through painted 2-6 % lenses at most 0.148), hides every see-through
#: eye and no unedited one on the tuning and the held-out faces (2026-12-04); left at 0 (off) then because the pairs
#: it hands to the glasses handling kept fold rows under aviators (false rows fell 64 %, its rule asked 70 %);
#: switched on 2026-12-05 once those fold rows read ``uncertain`` (``compare.glasses_fold_rows``): 14 -> 0 tuning,
#: 32 -> 0 held out (``bench/bench_glasses_seethrough.py``; docs/robustness.md 'Folds under aviators')
MIN_IRIS_STEP = 0.26
#: the pupil route for light (blue, grey, green) irises: an eye whose iris median fails the contrast or the step is
#: still visible when this percentile of the iris disc's samples (the pupil, dark in a light iris too) passes both,
#: the contrast against the darker side's same percentile (a lash line or a lens is as dark along the whole chord),
#: the step below the brighter side's median.  10 (of 10 and 25, one of six candidates) on the Canada tuning faces'
#: light-iris recolours: eyes falsely hidden 541 -> 47 of 846, every cover still flagged (288 of 288); held out
#: in docs/accuracy.md 'Light irises' (``bench/bench_light_irises.py``, 2026-12-07)
PUPIL_PERCENTILE = 10


@dataclass(frozen=True)
class EyeVisibility:
    """Visibility of each eye's iris (subject's right, left).

    Attributes
    ----------
    opening : tuple of float
        Lid gap / eye width per eye (dimensionless).
    contrast : tuple of float
        ``1 - iris / sclera`` luminance along the iris chord per eye (dimensionless;
        NaN when no sclera samples fall inside the eye).
    visible : tuple of bool
        Opening at least :data:`MIN_EYE_OPENING`, and contrast at least :data:`MIN_IRIS_CONTRAST` with the
        iris's step not flattened by a lens (``step`` at least :data:`MIN_IRIS_STEP`, or NaN), or the pupil
        seen (:func:`pupil_seen`: a light iris).
    step : tuple of float
        :func:`iris_step` per eye: (brighter sclera side - iris) / lower-face skin luminance (dimensionless;
        0.46-2.43 for unedited eyes of the tuning faces, NaN when it cannot be read).
    """

    opening: tuple[float, float]
    contrast: tuple[float, float]
    visible: tuple[bool, bool]
    step: tuple[float, float] = (float("nan"), float("nan"))

    @property
    def any_visible(self) -> bool:
        return any(self.visible)

    @property
    def both_visible(self) -> bool:
        return all(self.visible)


def eye_opening(points: np.ndarray, corners: tuple[int, int], upper: tuple[int, ...],
                lower: tuple[int, ...]) -> float:
    """Mean lid gap over eye width (dimensionless) of one eye.

    Parameters
    ----------
    points : ndarray, shape (478, 2+)
        Face Mesh landmarks ``(x, y)`` px.
    corners : (outer, inner) landmark indices
    upper, lower : tuple of int
        Upper- and lower-lid landmarks, in pairs (``upper[k]`` above ``lower[k]``).
    """
    p = np.asarray(points, dtype=np.float64)[:, :2]
    width = float(np.linalg.norm(p[corners[0]] - p[corners[1]]))
    gap = float(np.mean(np.linalg.norm(p[list(upper)] - p[list(lower)], axis=1)))
    return gap / max(width, 1e-9)


def chord_samples(gray: np.ndarray, points: np.ndarray, centre: int, chord: tuple[int, int],
                  corners: tuple[int, int]) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray]] | None:
    """The samples :func:`chord_luminance` summarises: the iris disc's and each side's (outer, inner).

    Parameters as :func:`chord_luminance`.  Returns ``(iris, (outer, inner))``, arrays of luminances (0-255; a
    side without at least 2 columns of samples empty), or None when the iris chord or the eye is degenerate.
    """
    p = np.asarray(points, dtype=np.float64)[:, :2]
    c = p[centre]
    r = 0.5 * float(np.linalg.norm(p[chord[0]] - p[chord[1]]))
    axis = p[corners[1]] - p[corners[0]]
    n_axis = float(np.linalg.norm(axis))
    if r < 0.5 or n_axis < 1e-9:
        return None
    u = axis / n_axis  # outer -> inner corner
    v = np.array([-u[1], u[0]])
    k = SAMPLES_PER_RADIUS
    t = np.linspace(-SCLERA_BAND[1], SCLERA_BAND[1], int(2 * SCLERA_BAND[1] * k) + 1)  # radii
    s = np.linspace(-BAND_HALF_HEIGHT, BAND_HALF_HEIGHT, max(int(2 * BAND_HALF_HEIGHT * k), 1) + 1)
    xy = c + r * (t[None, :, None] * u + s[:, None, None] * v)  # (len(s), len(t), 2)
    vals = cv2.remap(np.ascontiguousarray(gray, dtype=np.float32), xy[..., 0].astype(np.float32),
                     xy[..., 1].astype(np.float32), cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    sides = []
    for sign, corner in ((-1.0, corners[0]), (1.0, corners[1])):
        limit = min(SCLERA_BAND[1], 0.9 * abs(float((p[corner] - c) @ u)) / r)
        sel = (sign * t >= SCLERA_BAND[0]) & (sign * t <= limit)
        sides.append(vals[:, sel].ravel() if np.count_nonzero(sel) >= 2 else np.zeros(0, np.float32))
    return vals[:, np.abs(t) < IRIS_CORE].ravel(), (sides[0], sides[1])


def chord_luminance(gray: np.ndarray, points: np.ndarray, centre: int, chord: tuple[int, int],
                    corners: tuple[int, int]) -> tuple[float, tuple[float, float]]:
    """Median luminance of the iris disc and of the eye opening on each side of it, along one eye's
    horizontal iris chord.

    Parameters
    ----------
    gray : ndarray, shape (H, W), uint8 or float32
        Luminance of the image the landmarks are in.
    points : ndarray, shape (478, 2+)
        Face Mesh landmarks ``(x, y)`` px.
    centre : int
        Iris-centre landmark.
    chord : (int, int)
        The iris chord's end landmarks (its length is the iris diameter).
    corners : (outer, inner)
        Eye-corner landmarks: the chord's direction, and how far out the sides are sampled.

    Returns
    -------
    iris : float
        Median of the samples within :data:`IRIS_CORE` radii of the iris centre (0-255).
    sides : (float, float)
        Medians of the samples :data:`SCLERA_BAND` radii out towards the outer and the inner
        corner, short of 0.9 of the corner's distance; NaN for a side without samples.
    """
    return _summary(chord_samples(gray, points, centre, chord, corners), np.median)


def _summary(samples, stat) -> tuple[float, tuple[float, float]]:
    """``stat`` of the iris's and each side's samples (:func:`chord_samples`), NaN where there are none."""
    if samples is None:
        return float("nan"), (float("nan"), float("nan"))
    iris, sides = samples
    out = [float(stat(x)) if x.size else float("nan") for x in (iris, *sides)]
    return out[0], (out[1], out[2])


def iris_contrast(iris: float, sides: tuple[float, float]) -> float:
    """``1 - iris / sclera`` with the sclera the *darker* side with samples (a visible iris is
    darker than the eye opening on both sides; a highlight across a lens lights one side only);
    NaN when neither side has samples.  Dimensionless, 0 for no contrast."""
    present = [x for x in sides if np.isfinite(x)]
    if not present or not np.isfinite(iris):
        return float("nan")
    return 1.0 - iris / max(min(present), 1.0)


def lower_face_luminance(gray: np.ndarray, points: np.ndarray) -> float:
    """Median luminance (0-255) at the Face Mesh points below the nose tip (landmark 1): the lower face's skin
    (lips and a beard included: a median), the reference a dark lens over the eyes is read against (the same
    points as :func:`facemetrics.align.glasses_mask`'s skin).  NaN when no such point is in the picture.

    Parameters
    ----------
    gray : ndarray, shape (H, W), or (H, W, 3) uint8 RGB
        Luminance of the image the landmarks are in, or the image itself: then only the pixels read are
        converted (OpenCV's ``COLOR_RGB2GRAY``, per pixel: the same values as converting the whole image).
    points : ndarray, shape (478, 2+)
        Face Mesh landmarks ``(x, y)`` px.
    """
    p = np.asarray(points, dtype=np.float64)[:468, :2]
    h, w = gray.shape[:2]
    low = p[(p[:, 1] > p[1, 1]) & (p[:, 0] >= 0) & (p[:, 0] <= w - 1) & (p[:, 1] >= 0) & (p[:, 1] <= h - 1)]
    if not len(low):
        return float("nan")
    xi, yi = np.round(low[:, 0]).astype(int), np.round(low[:, 1]).astype(int)
    return float(np.median(_grey(gray[yi, xi][:, None])))


def _grey(image: np.ndarray) -> np.ndarray:
    """Luminance of ``image`` (shape (H, W, 3) uint8 RGB: OpenCV's ``COLOR_RGB2GRAY``, shape (H, W)); an
    image without a channel axis as it is.  Per pixel, so a part of a picture converted alone has the
    values the whole picture's conversion has there."""
    return cv2.cvtColor(np.ascontiguousarray(image), cv2.COLOR_RGB2GRAY) if image.ndim == 3 else image


def iris_step(iris: float, sides: tuple[float, float], skin: float) -> float:
    """``(sclera - iris) / skin``: the iris's luminance step below the sclera in units of the face's own skin, the
    sclera the *brighter* side with samples (a shadow or a turned head darkens one side; a lens both).

    A lens passing a fraction ``t`` of the light and glowing ``c`` (tint, reflection) shows ``t x + c``: the step
    is multiplied by ``t`` and ``c`` cancels; brightness scaling cancels in the ratio.  Dimensionless; NaN when a
    luminance is missing or the skin is black.

    Parameters
    ----------
    iris : float
        Iris luminance (0-255, :func:`chord_luminance`).
    sides : (float, float)
        The eye opening's luminance on each side of the iris (0-255, NaN without samples).
    skin : float
        The lower face's luminance (0-255, :func:`lower_face_luminance`).
    """
    present = [x for x in sides if np.isfinite(x)]
    if not present or not np.isfinite(iris) or not (np.isfinite(skin) and skin > 0):
        return float("nan")
    return (max(present) - iris) / skin


def pupil_seen(samples, sides: tuple[float, float], skin: float) -> bool:
    """The pupil route of :func:`iris_visibility` for a light (blue, grey, green) iris, nearly as bright as the
    sclera: the :data:`PUPIL_PERCENTILE` th percentile of the iris disc's samples (the pupil) is
    :data:`MIN_IRIS_CONTRAST` below the darker side's same percentile (a lash line drawn across a closed eye, or a
    lens, is as dark along the whole chord) and :data:`MIN_IRIS_STEP` of the skin below the brighter side's median
    (:func:`iris_step`: a dark lens flattens it).  Brightness scaling leaves both unchanged (ratios).

    Parameters
    ----------
    samples : (ndarray, (ndarray, ndarray)) or None
        :func:`chord_samples` of the eye.
    sides : (float, float)
        The sides' medians (:func:`chord_luminance`).
    skin : float
        The lower face's luminance (:func:`lower_face_luminance`).
    """
    low, low_sides = _summary(samples, lambda x: np.percentile(x, PUPIL_PERCENTILE))
    con = iris_contrast(low, low_sides)
    step = iris_step(low, sides, skin)
    return bool(np.isfinite(con) and con >= MIN_IRIS_CONTRAST and (MIN_IRIS_STEP <= 0 or not step < MIN_IRIS_STEP))


def iris_visibility(image: np.ndarray, points: np.ndarray) -> EyeVisibility:
    """Opening, iris contrast and visibility of both eyes.

    Parameters
    ----------
    image : ndarray, shape (H, W, 3) uint8 RGB, or (H, W) luminance
        The image the landmarks are in.
    points : ndarray, shape (478, 2+)
        Face Mesh landmarks ``(x, y)`` px (with the iris points, ``refine_landmarks``).

    Returns
    -------
    EyeVisibility
    """
    # only the eyes' box and the lower face's landmark pixels are converted to grey (:func:`_grey`; the
    # whole picture's conversion took half of this function's time), and remapped: remap on the
    # whole picture would convert all of it
    p = np.asarray(points, dtype=np.float64)[:, :2]
    idx = list(RIGHT_EYE_CORNERS + LEFT_EYE_CORNERS) + [RIGHT_IRIS, LEFT_IRIS]
    pad = 3.0 * 0.5 * max(np.linalg.norm(p[RIGHT_IRIS_H[0]] - p[RIGHT_IRIS_H[1]]),
                          np.linalg.norm(p[LEFT_IRIS_H[0]] - p[LEFT_IRIS_H[1]]), 1.0)
    h, w = image.shape[:2]
    x0, y0 = np.clip(np.floor(p[idx].min(0) - pad).astype(int), 0, (w - 1, h - 1))
    x1, y1 = np.clip(np.ceil(p[idx].max(0) + pad).astype(int) + 1, (x0 + 1, y0 + 1), (w, h))
    crop, q = _grey(image[y0:y1, x0:x1]), p - (x0, y0)
    opening = (eye_opening(p, RIGHT_EYE_CORNERS, RIGHT_UPPER_LID, RIGHT_LOWER_LID),
               eye_opening(p, LEFT_EYE_CORNERS, LEFT_UPPER_LID, LEFT_LOWER_LID))
    samples = (chord_samples(crop, q, RIGHT_IRIS, RIGHT_IRIS_H, RIGHT_EYE_CORNERS),
               chord_samples(crop, q, LEFT_IRIS, LEFT_IRIS_H, LEFT_EYE_CORNERS))
    chords = tuple(_summary(x, np.median) for x in samples)
    contrast = tuple(iris_contrast(*c) for c in chords)
    # a dark lens the contrast sees through (its glow keeps the ratio): the iris step flattened against the skin
    skin = lower_face_luminance(image, p)
    step = tuple(iris_step(c[0], c[1], skin) for c in chords)
    # an iris (its whole disc, the chord's length around its centre) outside the picture: Face Mesh
    # guessed it, and the chord sampling would read replicated border pixels
    inside = tuple(bool(np.all(p[c] - np.linalg.norm(p[ch[0]] - p[ch[1]]) / 2 >= 0)
                        and np.all(p[c] + np.linalg.norm(p[ch[0]] - p[ch[1]]) / 2 <= (w - 1, h - 1)))
                   for c, ch in ((RIGHT_IRIS, RIGHT_IRIS_H), (LEFT_IRIS, LEFT_IRIS_H)))
    # the pupil route (a light iris) read only where the iris median fails
    visible = tuple(bool(i and o >= MIN_EYE_OPENING and ((np.isfinite(cn) and cn >= MIN_IRIS_CONTRAST
                                                         and (MIN_IRIS_STEP <= 0 or not st < MIN_IRIS_STEP))  # 0: off
                                                        or pupil_seen(x, ch[1], skin)))
                    for i, o, cn, st, x, ch in zip(inside, opening, contrast, step, samples, chords))
    return EyeVisibility(opening, contrast, visible, step)


def scale_warning(ev: EyeVisibility) -> str:
    """The warning sentence for an iris scale read with one or no iris visible ("" when both are).

    Parameters
    ----------
    ev : EyeVisibility
    """
    if ev.both_visible:
        return ""
    if ev.any_visible:
        seen, hidden = ("right", "left") if ev.visible[0] else ("left", "right")
        return (f"the subject's {hidden} iris is not visible (eye closed, covered or outside the picture): the mm "
                f"scale comes from the {seen} iris alone")
    return ("irises not visible (eyes closed, covered or outside the picture): the mm scale is unreliable; use a "
            "photo with open, uncovered eyes")
