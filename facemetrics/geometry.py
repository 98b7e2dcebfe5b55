"""Landmark indices, iris calibration, the eye-levelled frame and head pose.

Coordinates
-----------
Image points are ``(x, y)`` pixels, ``x`` to the right and ``y`` down
(never ``(row, col)``).  The *levelled frame* has its origin at the midpoint
of the two pupils, its ``u`` axis along the inter-pupil line towards the
image right (the subject's left) and its ``v`` axis perpendicular, pointing
down the face.  Lengths in the levelled frame are in millimetres.

Sides are always the **subject's own**: the subject's right eye is on the
image left in an unmirrored photo.

Scale calibration
-----------------
Millimetres per pixel come from the horizontal visible iris diameter,
11.71 mm on average in adults (ref. [1]).  Face Mesh's horizontal iris chord
(469-471, 474-476) is not that diameter: it reaches past the visible iris
edge, reading :data:`IRIS_CHORD_BIAS` (4.6 %) wide.  The factor was measured
in the photos themselves, against the visible iris edge found in the image
(strongest dark-to-bright step along near-horizontal rays from the iris
centre; ``bench/iris_scale.py``), as the median over the 40 Canada faces
(``../shared/faces/canada_ccby``; the 12 London faces gave 1.059).  Without it
every millimetre figure read ~5 % low: the inter-pupillary distance of the
hand-placed pupils had medians 57.9 mm (Canada) and 59.7 mm (London) against
an adult mean of 63.4 mm (ref. [2]).  With it, on data the factor was not
chosen on (IPD was not used at all; London held out): 60.6 mm (Canada) and
62.5 mm (London).  Each photo also gets a calibration uncertainty
(:attr:`Calibration.uncertainty_pct`): between-person iris size (3.6 %),
the residual bias of the factor (:data:`IRIS_CHORD_BIAS_SD`), landmark jitter
(from the two eyes' disagreement, at least :data:`IRIS_JITTER_FLOOR`) and the
yaw correction, added in quadrature.  See ``docs/accuracy.md``.  The chord is a
guess when the iris is hidden (closed eyes, sunglasses): :mod:`facemetrics.eyes`
checks each eye, and :func:`calibrate` then reads only the visible one
(``iris_eyes``); with neither visible the photo is flagged.  Both eyes erring alike (a dark-rimmed
"circle" contact lens on both, glare over both) leave the two eyes in agreement: :func:`iris_plausibility`
checks the iris against the eye's own width, a net for gross errors only (people's own ratios span
+/-9 %, a lens moves it by +6 to +15 %), and the comparison checks each photo's iris scale against the
alignment (:func:`facemetrics.compare.gate.iris_scale_ratio`).

References
----------
.. [1] Rüfer F, Schröder A, Erb C (2005). White-to-white corneal diameter:
   normal values in healthy humans obtained with the Orbscan II topography
   system. Cornea 24(3):259-261. Mean horizontal visible iris diameter
   11.71 +/- 0.42 mm in 195 eyes.
.. [2] Dodgson NA (2004). Variation and extrema of human interpupillary
   distance. Proc. SPIE 5291:36-46. Adult IPD mean 63.36 mm (SD 3.8;
   women 62.3, men 64.7; n = 3976), range ~50-75 mm.
.. [3] MediaPipe Face Mesh canonical face model
   (``mediapipe/modules/face_geometry/data/canonical_face_model.obj``,
   Apache-2.0): the rigid-point coordinates in :data:`CANONICAL_RIGID`.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

#: Horizontal visible iris diameter used for calibration, mm (ref. [1]).
IRIS_DIAMETER_MM = 11.71
#: Between-person SD of that diameter, mm (ref. [1]): 3.6 % of the mean.
IRIS_DIAMETER_SD_MM = 0.42
#: Face Mesh horizontal iris chord divided by the visible iris diameter
#: measured in the image (median of 40 Canada faces; see the module docstring).
IRIS_CHORD_BIAS = 1.046
#: Residual relative uncertainty (1 SD) of :data:`IRIS_CHORD_BIAS`: the two
#: sets' factors differ by 1.3 %, the edge definition moves it by up to 0.9 %
#: (blur 0.7-1.5 px), and with it the held-out IPD medians still sit 1.6 % (London)
#: and 4.6 % (Canada) below the adult mean (ref. [2]).
IRIS_CHORD_BIAS_SD = 0.025
#: Smallest relative jitter (1 SD) of the two-eye mean iris chord between
#: photos of one face (0.9-1.3 % measured under scaling, shift, roll, brightness).
IRIS_JITTER_FLOOR = 0.01
#: Relative uncertainty (1 SD) of a user-given inter-pupillary distance (~1 mm).
USER_IPD_SD = 0.015
#: Jitter (1 SD) of the single-photo yaw estimate, deg; enters through the
#: ``cos(yaw)`` foreshortening correction (docs/compare.md "Comparability gate": up to 3.5 deg).
YAW_SD_DEG = 3.0
#: Plausible adult inter-pupillary distance, mm (ref. [2]); outside -> warning, and a quality flag
#: (facemetrics.quality.quality_flags) unless the user gave the IPD.
IPD_RANGE_MM = (50.0, 80.0)
#: Two-eye iris scale: the eyes' chords disagreeing by more than this (``Calibration.mm_per_px_spread``)
#: -> a warning that the mm scale is less certain (it is already in ``uncertainty_pct``); frontal
#: portraits read at most 0.051 (docs/accuracy.md 'Scale calibration: are the irises visible?').
SPREAD_WARN = 0.1

#: Iris chord over eye width (:func:`iris_plausibility`): the range a face's iris may read in.  The two
#: eyes' mean chord (469-471, 474-476) over their mean corner-to-corner width (33-133, 263-362) read
#: 0.414-0.496 (CV 3.3 %) on the 36 tuning faces (12 London neutral, 24 Canada tuning); the limits are
#: that range widened by 1.1 each way, a rule fixed before any lens was painted (docs/accuracy.md
#: 'Scale calibration: an iris too large or too small for the face').  Outside it the photo is warned
#: and its ``uncertainty_pct`` widened.
IRIS_EYE_RATIO_RANGE = (0.3765, 0.5455)
#: Median of that ratio on the same 36 tuning faces: the iris size this cue expects of a face.
IRIS_EYE_RATIO_TYPICAL = 0.4558

# --- Face Mesh landmark indices (subject's sides) ---------------------------
RIGHT_IRIS = 468  # centre; 469/471 horizontal ends, 470/472 vertical ends
LEFT_IRIS = 473  # centre; 474/476 horizontal ends, 475/477 vertical ends
RIGHT_IRIS_H = (469, 471)
LEFT_IRIS_H = (474, 476)
RIGHT_EYE_OUTER, RIGHT_EYE_INNER = 33, 133
LEFT_EYE_OUTER, LEFT_EYE_INNER = 263, 362
#: upper and lower lid points across each eye, in pairs (k-th upper over k-th lower, outer to inner):
#: the eye opening of facemetrics.eyes
RIGHT_UPPER_LID, RIGHT_LOWER_LID = (160, 159, 158), (144, 145, 153)
LEFT_UPPER_LID, LEFT_LOWER_LID = (387, 386, 385), (373, 374, 380)
NOSE_TIP, SUBNASALE = 1, 2
CHIN = 152
MOUTH_RIGHT, MOUTH_LEFT = 61, 291  # mouth corners
UPPER_LIP_INNER, LOWER_LIP_INNER = 13, 14
UPPER_LIP_TOP, LOWER_LIP_BOTTOM = 0, 17
CHEEK_RIGHT, CHEEK_LEFT = 50, 280  # malar prominence ("apple" of the cheek)
NASION, NASAL_BRIDGE_MID = 168, 6  # between the eyes, and halfway down the nasal bridge
#: reference skin of the per-photo cover check (facemetrics.occlusion): the cheek below each eye (subject's
#: right, left) and the nasal bridge, where no cover of the jaw or the folds reaches
SKIN_REFERENCE = (118, 347, 197)

#: Face-oval chain from the subject's right temple, under the chin, to the
#: left temple (MediaPipe FACEMESH_FACE_OVAL, lower part).
LOWER_OVAL = (
    127, 234, 93, 132, 58, 172, 136, 150, 149, 176, 148,
    152,
    377, 400, 378, 379, 365, 397, 288, 361, 323, 454, 356,
)
#: The whole face oval, closed, clockwise from the forehead top (MediaPipe
#: FACEMESH_FACE_OVAL).
FACE_OVAL = (10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378, 400, 377,
             152, 148, 176, 149, 150, 136, 172, 58, 132, 93, 234, 127, 162, 21, 54, 103, 67, 109)
#: nose tip (pronasale) and the point above it: with the rigid upper face, the 3-D pose fit's
#: parallax cue (facemetrics.pose3d)
NOSE_TIP_POINTS = (1, 4)
#: approximate gonion (angle of the mandible) on each side
GONION_RIGHT, GONION_LEFT = 172, 397
#: jaw chains of :data:`LOWER_OVAL`: from the subject's right gonion to the
#: chin, and from the chin to the left gonion (both include the chin)
JAW_CHAIN_RIGHT = LOWER_OVAL[LOWER_OVAL.index(GONION_RIGHT):LOWER_OVAL.index(CHIN) + 1]
JAW_CHAIN_LEFT = LOWER_OVAL[LOWER_OVAL.index(CHIN):LOWER_OVAL.index(GONION_LEFT) + 1]
#: inner-lip contour, closed (MediaPipe FACEMESH_LIPS, inner ring): the mouth
#: opening, whose teeth and tongue are left out of the comparison's regions
INNER_LIPS = (78, 191, 80, 81, 82, 13, 312, 311, 310, 415, 308, 324, 318, 402, 317, 14, 87, 178, 88, 95)

#: Face Mesh outer-lip contour, closed (MediaPipe FACEMESH_LIPS, outer ring, from the
#: subject's right mouth corner 61 along the lower lip to 291 and back along the upper lip)
OUTER_LIPS = (61, 146, 91, 181, 84, 17, 314, 405, 321, 375, 291, 409, 270, 269, 267, 0, 37, 39, 40, 185)

#: Nasolabial-fold path (subject's right, subject's left): from beside the
#: alar base down and outward, lateral to the mouth corner.  Chosen as the
#: Face Mesh points nearest to hand-placed smile lines of the Face Research
#: Lab London set (median 2.5 mm).
NLF_PATH_RIGHT = (203, 206, 216)
NLF_PATH_LEFT = (423, 426, 436)

#: Rigid upper-face points (nose bridge, forehead midline, eye corners) and
#: their coordinates in MediaPipe's canonical face model (cm; x to the
#: subject's left, y up, z towards the camera), ref. [3].
CANONICAL_RIGID = {
    1: (0.000000, -1.126865, 7.475604),
    4: (0.000000, -0.463170, 7.586580),
    5: (0.000000, 0.365669, 7.242870),
    6: (0.000000, 2.473255, 5.788627),
    8: (0.000000, 4.019042, 5.284764),
    9: (0.000000, 4.885979, 5.385258),
    10: (0.000000, 8.261778, 4.481535),
    7: (-4.253081, 2.577646, 3.279702),
    249: (4.253081, 2.577646, 3.279702),
    33: (-4.445859, 2.663991, 3.173422),
    263: (4.445859, 2.663991, 3.173422),
}

#: Face Mesh points on the face's midline: the vertices of MediaPipe's canonical face model (ref. [3])
#: with x = 0.  The model lists its other vertices below 248 as the subject's right half and
#: 248-467 as their mirror images in the same order: mirrored (x -> -x), every vertex lands exactly on
#: the one found so (the nearest mirrored vertex, 0 cm away; the next nearest at least 0.117 cm), so
#: these indices give every point's mirror image (:data:`MIRROR_INDEX`)
MIDLINE = (0, 1, 2, 4, 5, 6, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 94, 151, 152, 164, 168, 175, 195,
           197, 199, 200)
#: the mirror images of the right iris' points 468-472 (not in the canonical model): the centre, the
#: end towards the nose, the upper end, the outer end, the lower end of the left iris (read on the
#: bundled sample photo and its mirror image, tests/test_compare.py)
LEFT_IRIS_MIRRORS = (473, 476, 475, 474, 477)


def _mirror_index() -> tuple[int, ...]:
    """:data:`MIRROR_INDEX` from :data:`MIDLINE` and :data:`LEFT_IRIS_MIRRORS` (see there)."""
    out = list(range(478))
    right = [i for i in range(248) if i not in MIDLINE]
    pairs = list(zip(right, range(248, 468))) + list(zip(range(468, 473), LEFT_IRIS_MIRRORS))
    for r, l in pairs:
        out[r], out[l] = l, r
    return tuple(out)


#: ``MIRROR_INDEX[i]``: the Face Mesh point at the mirror image of point ``i`` (its partner on the
#: subject's other side; a :data:`MIDLINE` point is its own).  The landmarks of a photo flipped left to
#: right are those of the photo with x -> -x and taken in this order (facemetrics.compare.gate's
#: mirror check)
MIRROR_INDEX = _mirror_index()


def unmirror_points(points: np.ndarray, width: float) -> np.ndarray:
    """Landmarks found on a picture flipped left to right, as points of the picture itself.

    Parameters
    ----------
    points : ndarray, shape (478, 2+)
        Face Mesh landmarks ``(x, y[, z])`` px of the flipped picture.
    width : float
        The picture's width, px (``x`` of a flipped point: ``width - x``, pixel edges at 0 and
        ``width``).

    Returns
    -------
    ndarray, shape (478, 2+)
        A new array: point ``i`` is the flipped picture's point ``MIRROR_INDEX[i]`` (the subject's
        sides swap back, :data:`MIRROR_INDEX`) with ``x -> width - x``; ``y`` and ``z`` unchanged.
        Applied twice it gives ``points`` back (to rounding).
    """
    out = np.array(points, dtype=np.float64)[list(MIRROR_INDEX)]
    out[:, 0] = width - out[:, 0]
    return out

#: Upper-face points that a lower-face treatment cannot move: used for
#: alignment between photos (brows, forehead, nasal bridge, eye corners).
RIGID_UPPER = (
    10, 151, 9, 8, 168, 6, 197, 195, 5, 4,
    33, 133, 263, 362, 7, 249, 130, 359,
    70, 63, 105, 66, 107, 336, 296, 334, 293, 300,
    109, 67, 103, 338, 297, 332,
)
#: the rigid points above the nose (forehead, brows, eye corners): the hull of the
#: alignment's upper mask (``align.rigid_mask``)
RIGID_ABOVE_NOSE = tuple(i for i in RIGID_UPPER if i not in (6, 197, 195, 5, 4))
#: Face Mesh eye contours (subject's right eye, left eye), cut out of the rigid mask
RIGHT_EYE_CONTOUR = (33, 7, 163, 144, 145, 153, 154, 155, 133, 173, 157, 158, 159, 160, 161, 246)
LEFT_EYE_CONTOUR = (263, 249, 390, 373, 374, 380, 381, 382, 362, 398, 384, 385, 386, 387, 388, 466)
#: nasal bridge, nasion down (a strip of the rigid mask)
NASAL_BRIDGE = (168, 6, 197, 195)
#: Face Mesh face-contour points at the temples (subject's right 127 / 234, left 356 / 454): where glasses' arms
#: leave the face
TEMPLES = (127, 234, 356, 454)
#: Face Mesh brow points (upper and lower edge), subject's right / left
BROW_RIGHT = (70, 63, 105, 66, 107, 55, 65, 52, 53, 46)
BROW_LEFT = (300, 293, 334, 296, 336, 285, 295, 282, 283, 276)


@dataclass(frozen=True)
class Calibration:
    """Pixel-to-millimetre calibration of one photo.

    Attributes
    ----------
    mm_per_px : float
        Millimetres per pixel of the image the landmarks are in.
    source : str
        ``"iris"``, ``"user_mm_per_px"`` or ``"user_ipd"``.
    iris_diameter_px : tuple of float
        Horizontal iris diameter (subject's right, left), px.
    ipd_px : float
        Inter-pupillary distance, px.
    ipd_mm : float
        Inter-pupillary distance in mm under this calibration.
    mm_per_px_spread : float
        Relative disagreement of the two eyes' calibrations,
        ``|r - l| / mean`` (a per-photo uncertainty indicator).
    warning : str
        Empty, or why the calibration is doubtful.
    uncertainty_pct : float
        Relative uncertainty (1 SD, %) of ``mm_per_px`` as a scale of this
        person's true millimetres (see :func:`calibration_uncertainty_pct`);
        NaN when the user gave ``mm_per_px``.
    """

    mm_per_px: float
    source: str
    iris_diameter_px: tuple[float, float]
    ipd_px: float
    ipd_mm: float
    mm_per_px_spread: float
    warning: str = ""
    uncertainty_pct: float = float("nan")


def calibration_uncertainty_pct(source: str, spread: float, yaw_deg: float, n_eyes: int = 2) -> float:
    """Relative uncertainty (1 SD, %) of one photo's ``mm_per_px``.

    Independent parts added in quadrature:

    - ``"iris"``: between-person iris size (``IRIS_DIAMETER_SD_MM /
      IRIS_DIAMETER_MM`` = 3.6 %), the residual bias of the chord correction
      (:data:`IRIS_CHORD_BIAS_SD`), the landmark jitter of the two-eye mean
      chord, estimated from this photo's eye-to-eye disagreement as
      ``0.627 * spread`` (for independent errors of SD ``s`` per eye,
      ``E|r - l| / mean = 1.13 * sqrt(2) * s`` and the mean's SD is
      ``s / sqrt(2)``) but never below :data:`IRIS_JITTER_FLOOR`, and the yaw
      correction's share, ``tan|yaw| * YAW_SD_DEG`` (radians).  From one eye only
      (``n_eyes=1``, the other iris not visible) the jitter is one eye's,
      ``sqrt(2) * IRIS_JITTER_FLOOR`` (the two eyes' spread says nothing then).
    - ``"user_ipd"``: :data:`USER_IPD_SD` and the yaw share.
    - ``"user_mm_per_px"``: NaN (the user's scale is taken as given).

    Parameters
    ----------
    source : str
        Calibration source (see :class:`Calibration`).
    spread : float
        ``|r - l| / mean`` of the two eyes' iris chords (dimensionless).
    yaw_deg : float
        Head yaw, degrees.
    n_eyes : int
        How many eyes' iris chords the scale comes from (1 or 2).

    Returns
    -------
    float
        Percent.
    """
    yaw = min(abs(float(yaw_deg)), 60.0) if np.isfinite(yaw_deg) else 0.0
    yaw_part = np.tan(np.radians(yaw)) * np.radians(YAW_SD_DEG)
    if source == "iris":
        jitter = max(IRIS_JITTER_FLOOR, 0.627 * float(spread)) if n_eyes >= 2 else np.sqrt(2.0) * IRIS_JITTER_FLOOR
        parts = (IRIS_DIAMETER_SD_MM / IRIS_DIAMETER_MM, IRIS_CHORD_BIAS_SD, jitter, yaw_part)
    elif source == "user_ipd":
        parts = (USER_IPD_SD, yaw_part)
    else:
        return float("nan")
    return float(100.0 * np.sqrt(np.sum(np.square(parts))))


def calibrate(points: np.ndarray, *, yaw_deg: float = 0.0, mm_per_px: float | None = None,
              ipd_mm: float | None = None, iris_eyes: tuple[bool, bool] = (True, True)) -> Calibration:
    """Millimetres per pixel from the iris diameter (or a user override).

    ``mm_per_px = IRIS_DIAMETER_MM * IRIS_CHORD_BIAS / (mean chord / cos(yaw))``:
    the mean of the two eyes' Face Mesh horizontal iris chords, corrected for
    yaw foreshortening and for the chord's bias (it reads 4.6 % wider than
    the visible iris; see the module docstring).

    Parameters
    ----------
    points : ndarray, shape (478, 2+)
        Face Mesh landmarks ``(x, y[, z])`` in px.
    yaw_deg : float
        Head yaw relative to the line of sight (:func:`head_pose`); the horizontal iris chord
        is foreshortened by ``cos(yaw)`` and corrected for it (NaN, an unknown pose, is taken as 0).
    mm_per_px : float, optional
        Known scale (e.g. from a ruler in the photo); wins over everything.
    ipd_mm : float, optional
        The subject's known inter-pupillary distance in mm (from an
        optician's prescription); used instead of the iris when given.
    iris_eyes : (bool, bool)
        Which eyes' (subject's right, left) iris chords the iris scale may use: with one
        False (that iris is not visible, :func:`facemetrics.eyes.iris_visibility`) the scale
        comes from the other eye alone; with both False, or both True, from the mean of both.

    Returns
    -------
    Calibration
        With ``uncertainty_pct`` from :func:`calibration_uncertainty_pct`.
    """
    p = np.asarray(points, dtype=np.float64)[:, :2]
    d_right = float(np.linalg.norm(p[RIGHT_IRIS_H[0]] - p[RIGHT_IRIS_H[1]]))
    d_left = float(np.linalg.norm(p[LEFT_IRIS_H[0]] - p[LEFT_IRIS_H[1]]))
    ipd_px = float(np.linalg.norm(p[RIGHT_IRIS] - p[LEFT_IRIS]))
    cos_yaw = max(np.cos(np.radians(yaw_deg)), 0.5) if np.isfinite(yaw_deg) else 1.0  # unknown pose: frontal
    n_eyes = 1 if sum(map(bool, iris_eyes)) == 1 else 2
    chord = (d_right if iris_eyes[0] else d_left) if n_eyes == 1 else 0.5 * (d_right + d_left)
    iris_px = chord / cos_yaw
    spread = abs(d_right - d_left) / max(0.5 * (d_right + d_left), 1e-9)
    if mm_per_px is not None:
        scale, source = float(mm_per_px), "user_mm_per_px"
    elif ipd_mm is not None:
        scale, source = float(ipd_mm) / (ipd_px / cos_yaw), "user_ipd"
    else:
        scale, source = IRIS_DIAMETER_MM * IRIS_CHORD_BIAS / iris_px, "iris"
    ipd = ipd_px * scale / cos_yaw
    warning = ""
    if not (IPD_RANGE_MM[0] <= ipd <= IPD_RANGE_MM[1]):
        warning = (f"inter-pupillary distance {ipd:.1f} mm is outside the adult range "
                   f"{IPD_RANGE_MM[0]:.0f}-{IPD_RANGE_MM[1]:.0f} mm: calibration doubtful "
                   "(on the command line, give the scale: --ipd-mm or --mm-per-px)")
    return Calibration(scale, source, (d_right, d_left), ipd_px, ipd, spread, warning,
                       calibration_uncertainty_pct(source, spread, yaw_deg, n_eyes))


@dataclass(frozen=True)
class IrisPlausibility:
    """Does the iris read a plausible size for this face?  (:func:`iris_plausibility`)

    Attributes
    ----------
    ratio : float
        Iris chord / eye width of the eyes the scale reads (dimensionless; NaN when a width is 0).
    typical : float
        :data:`IRIS_EYE_RATIO_TYPICAL`.
    limits : (float, float)
        :data:`IRIS_EYE_RATIO_RANGE`.
    """

    ratio: float
    typical: float = IRIS_EYE_RATIO_TYPICAL
    limits: tuple[float, float] = IRIS_EYE_RATIO_RANGE

    @property
    def plausible(self) -> bool:
        """Within :attr:`limits` (a NaN ratio, no evidence, counts as plausible)."""
        return not (self.ratio < self.limits[0] or self.ratio > self.limits[1])

    @property
    def scale_error_pct(self) -> float:
        """How far the iris scale sits from the one this cue expects, % (``typical / ratio - 1``):
        negative when the iris reads large (every mm value too small)."""
        return 100.0 * (self.typical / self.ratio - 1.0)


def iris_plausibility(points: np.ndarray, iris_eyes: tuple[bool, bool] = (True, True)) -> IrisPlausibility:
    """The iris chord over the eye's own width: a scale-free check of the iris scale against a cue the
    iris does not set.

    Both eyes erring alike (a dark limbal ring or "circle" contact lens on both, glare over both)
    move the two chords together, so their spread (``Calibration.mm_per_px_spread``) stays small;
    the eye's width, corner to corner, is another measure of the face's size.  People differ in it
    (CV 3.3 % of the ratio on the tuning faces, 0.414-0.496), so only a gross error shows: a ring
    at 1.2 iris radii moves the ratio by +12 % (median), and the limits
    :data:`IRIS_EYE_RATIO_RANGE` sit 10 % beyond the tuning faces (docs/accuracy.md).

    Parameters
    ----------
    points : ndarray, shape (478, 2+)
        Face Mesh landmarks ``(x, y)`` px.
    iris_eyes : (bool, bool)
        The eyes (subject's right, left) the scale reads, as in :func:`calibrate`: with one True,
        that eye's chord over that eye's width; otherwise both eyes' means.

    Returns
    -------
    IrisPlausibility
    """
    p = np.asarray(points, dtype=np.float64)[:, :2]
    eyes = ((RIGHT_IRIS_H, (RIGHT_EYE_OUTER, RIGHT_EYE_INNER)), (LEFT_IRIS_H, (LEFT_EYE_OUTER, LEFT_EYE_INNER)))
    use = [e for e, on in zip(eyes, iris_eyes) if on] if sum(map(bool, iris_eyes)) == 1 else list(eyes)
    chord = sum(float(np.linalg.norm(p[h[0]] - p[h[1]])) for h, _ in use)
    width = sum(float(np.linalg.norm(p[c[0]] - p[c[1]])) for _, c in use)
    return IrisPlausibility(chord / width if width > 0 else float("nan"))


def iris_plausibility_warning(check: IrisPlausibility, uncertainty_pct: float) -> str:
    """The warning sentence of an implausible iris size (``""`` when plausible).

    Parameters
    ----------
    check : IrisPlausibility
    uncertainty_pct : float
        The photo's widened ``mm_per_px`` uncertainty, %, quoted: its 95 % half-width (the caller's
        ``quality.IPD_COVERAGE_K`` x the 1-SD ``mm_per_px_uncertainty_pct``).
    """
    if check.plausible:
        return ""
    large = check.ratio > check.limits[1]
    return (f"the irises read implausibly {'large' if large else 'small'} for this face: iris width / eye width "
            f"{check.ratio:.3f} ({'above' if large else 'below'} the limit "
            f"{check.limits[1 if large else 0]:.3f}; faces read 0.414-0.496, typically {check.typical:.3f}), so "
            f"the iris mm scale may be {abs(check.scale_error_pct):.0f} % too {'small' if large else 'large'} "
            f"(every mm value {'too small' if large else 'too large'}; uncertainty widened to "
            f"± {uncertainty_pct:.0f} %): "
            + ("a dark-rimmed ('circle' or limbal-ring) contact lens enlarges the iris, " if large else
               "glare or a reflection over the iris, or half-closed eyes, shrink it, ")
            + "and the two eyes then agree with each other; give the scale on the command line "
              "(--mm-per-px or --ipd-mm) or use a photo without them")


@dataclass(frozen=True)
class Frame:
    """Eye-levelled frame of one photo (see module docstring).

    Attributes
    ----------
    origin : ndarray, shape (2,)
        Midpoint of the pupils, ``(x, y)`` px.
    u_axis, v_axis : ndarray, shape (2,)
        Unit vectors (px space) along the pupil line (towards image right)
        and perpendicular to it, pointing down the face.
    mm_per_px : float
        Scale used by :meth:`to_mm`.
    """

    origin: np.ndarray
    u_axis: np.ndarray
    v_axis: np.ndarray
    mm_per_px: float

    @property
    def roll_deg(self) -> float:
        """In-plane rotation of the eye line, degrees (positive = clockwise in the image)."""
        return float(np.degrees(np.arctan2(self.u_axis[1], self.u_axis[0])))

    def to_mm(self, xy: np.ndarray) -> np.ndarray:
        """Image ``(x, y)`` px, shape (..., 2) -> levelled ``(u, v)`` mm."""
        d = np.asarray(xy, dtype=np.float64)[..., :2] - self.origin
        return np.stack([d @ self.u_axis, d @ self.v_axis], axis=-1) * self.mm_per_px

    def to_px(self, uv: np.ndarray) -> np.ndarray:
        """Levelled ``(u, v)`` mm, shape (..., 2) -> image ``(x, y)`` px.

        The result has the memory layout of ``uv`` (``np.empty_like``): for a grid
        with its coordinates apart in memory (the fold and jaw sampling grids,
        whose ``uv[k, :, 0]`` are contiguous) NumPy's loops then run along the
        points instead of over ``(x, y)`` pairs, several times faster (issue 12);
        the same values.
        """
        uv = np.asarray(uv, dtype=np.float64) / self.mm_per_px
        # origin + u uv_u + v uv_v, in that order
        xy = np.multiply(uv[..., :1], self.u_axis, out=np.empty_like(uv[..., :2]))
        np.add(self.origin, xy, out=xy)
        xy += np.multiply(uv[..., 1:2], self.v_axis, out=np.empty_like(xy))
        return xy


def levelled_frame(points: np.ndarray, mm_per_px: float) -> Frame:
    """Frame with origin between the pupils and ``u`` along the pupil line."""
    p = np.asarray(points, dtype=np.float64)[:, :2]
    r, l = p[RIGHT_IRIS], p[LEFT_IRIS]
    u = l - r
    if u[0] < 0:  # mirrored photo: keep u pointing to the image right
        u = -u
    u /= np.linalg.norm(u)
    v = np.array([-u[1], u[0]])  # rotate +90 deg in image space (y down) -> points down
    return Frame(0.5 * (r + l), u, v, float(mm_per_px))


def line_of_sight_rotation(position: np.ndarray) -> np.ndarray:
    """The smallest rotation taking the camera's optical axis to the line of sight to ``position``.

    Its columns are the axes of a camera turned (about the axis perpendicular to both the optical
    axis and the line of sight) to look straight at ``position``: ``R @ (0, 0, 1)`` is the unit
    vector towards ``position``, and ``R.T @ v`` is a camera-space vector ``v`` in that camera's
    axes.  Being the smallest such turn, it is the identity for a point on the optical axis and
    commutes with a turn of the picture about its centre (no roll of its own).

    Parameters
    ----------
    position : ndarray, shape (3,)
        A point in camera space (OpenCV axes: ``x`` right, ``y`` down, ``z`` away from the camera;
        any length unit), in front of the camera (``z > 0``).

    Returns
    -------
    ndarray, shape (3, 3)
        Rotation matrix (dimensionless).
    """
    d = np.asarray(position, dtype=np.float64).reshape(3)
    d = d / np.linalg.norm(d)
    axis = np.cross((0.0, 0.0, 1.0), d)  # (-d_y, d_x, 0), length sin(angle off the axis)
    s = float(np.linalg.norm(axis))
    if s == 0.0:
        return np.eye(3)
    rot, _ = cv2.Rodrigues(axis / s * np.arctan2(s, d[2]))
    return rot


def head_pose(points: np.ndarray, image_size: tuple[int, int]) -> tuple[float, float, float]:
    """Head yaw, pitch and roll in degrees from rigid landmarks, relative to the line of sight.

    ``cv2.solvePnP`` fits MediaPipe's canonical face model (rigid points only,
    :data:`CANONICAL_RIGID`) to the detected points, with a pinhole camera of
    focal length equal to the image's long side (a ~53 deg field of view, a
    typical phone main camera), its principal point at the image centre, and no distortion.

    The fitted rotation is in camera axes, and a face off the optical axis is seen
    from the side: one seen at an angle ``theta`` off the axis and looking straight
    at the camera reads as turned by ``theta`` in camera axes (the London 107 face
    pasted at the left, centre and right of a 2400 x 1350 canvas read yaw +12.0,
    -0.7 and -11.1 deg: flagged as turned, and the left and right copies refused
    as a comparison).  What every user of the angles needs (the quality flags, the
    iris scale's foreshortening in :func:`calibrate`, the comparison's pose gate, the
    capture guide) is how the face is turned relative to the line of sight from the
    camera to the face, which is what its appearance shows.  So the rotation ``R``
    is expressed in the axes of a camera turned to look straight at the face,
    ``R_los = L.T @ R``, with ``L = line_of_sight_rotation(tvec)`` (the fitted model
    origin, inside the head behind the nose).  This is exact for a photo as taken:
    a face anywhere in the frame reads the pose it has relative to its line of
    sight.  A crop, or a canvas around the photo, moves the assumed optical axis and
    not the face, and its pixels keep the perspective of where the face was: they
    are not quite the picture of a face at its new place, and read about 12 % of the
    angle they were moved off the axis, turned away from the picture's centre (the
    canonical model moved 525 px, 12.3 deg, across a 2400 px canvas: yaw +-1.4 deg;
    the London 107 canvases above now read -0.1, -0.4 and +1.4 deg; padded below
    or above, pitch -0.4 deg where it read -13.6 and +14.5).  Near the picture's
    centre little changes: on the 52 London and Canada portraits yaw moved by at
    most 0.4 deg, and pitch by 2.3 deg (median; at most 3.3, lower: the Canada
    faces sit below the picture's centre, their nose tips 3-6 deg below it).

    Near-planar point sets have two pose solutions that fit almost equally
    well, and the iterative solver alone sometimes lands on a mirrored one
    (head behind the camera, roll -179 deg for an upright face).  So the
    global SQPnP solution and the iterative one are both computed (each then
    refined by Levenberg-Marquardt), solutions with the head behind the
    camera or the face pointing away from it are rejected, and the one with
    the smallest reprojection error wins.  Angles are wrapped to
    [-90, 90) deg.

    Parameters
    ----------
    points : ndarray, shape (478, 2+)
        Landmarks ``(x, y)`` px.
    image_size : (width, height)
        Size of the image the points are in, px.

    Returns
    -------
    yaw, pitch, roll : float
        Degrees, each in [-90, 90); NaN when no valid pose is found.
        Yaw > 0: the face turned towards the subject's left (image right);
        pitch > 0: chin up; roll > 0: head tilted clockwise in the image.
        Definitions (axes of the camera turned to look straight at the face, ``x`` right,
        ``y`` down, ``z`` along the line of sight away from the camera (for a face at the
        picture's centre, OpenCV's camera axes); ``fx``, ``fz`` the face's own
        axes towards the subject's left and into the head, columns of ``R_los``):
        ``yaw = atan2(-fz_x, fz_z)``, ``pitch = atan2(fz_y, hypot(fz_x, fz_z))``,
        ``roll = atan2(fx_y, fx_x)``.
    """
    idx = list(CANONICAL_RIGID)
    model = np.array([CANONICAL_RIGID[i] for i in idx], dtype=np.float64)
    model = model * (1.0, -1.0, -1.0)  # canonical (y up, z to camera) -> OpenCV (y down, z away)
    img = np.ascontiguousarray(np.asarray(points, dtype=np.float64)[idx, :2])
    nan3 = (float("nan"),) * 3
    if not np.all(np.isfinite(img)):
        return nan3
    w, h = image_size
    f = float(max(w, h))
    cam = np.array([[f, 0, w / 2.0], [0, f, h / 2.0], [0, 0, 1]], dtype=np.float64)
    best, best_err = None, np.inf
    for flag in (cv2.SOLVEPNP_SQPNP, cv2.SOLVEPNP_ITERATIVE):
        try:
            ok, rvec, tvec = cv2.solvePnP(model, img, cam, None, flags=flag)
            if not ok:
                continue
            rvec, tvec = cv2.solvePnPRefineLM(model, img, cam, None, rvec, tvec)
        except cv2.error:
            continue
        if tvec[2, 0] <= 0:  # head behind the camera
            continue
        rot = line_of_sight_rotation(tvec).T @ cv2.Rodrigues(rvec)[0]  # face axes, line-of-sight camera
        if rot[2, 2] <= 0:  # face (-z of the model) pointing away from the camera
            continue
        proj, _ = cv2.projectPoints(model, rvec, tvec, cam, None)
        err = float(np.mean(np.sum((proj[:, 0] - img) ** 2, axis=1)))
        if err < best_err:
            best, best_err = rot, err
    if best is None:
        return nan3
    # Angles of the face's own axes in the line-of-sight camera's axes.  The model's x axis
    # points to the subject's left (image right), y down, z away from the camera.
    fx, fz = best[:, 0], best[:, 2]
    yaw = np.degrees(np.arctan2(-fz[0], fz[2]))
    pitch = np.degrees(np.arctan2(fz[1], np.hypot(fz[0], fz[2])))
    roll = np.degrees(np.arctan2(fx[1], fx[0]))
    return tuple(float(wrap_deg(a)) for a in (yaw, pitch, roll))


def face_rotation_deg(points: np.ndarray) -> float:
    """How far the face is rotated in the picture, deg in (-180, 180]: the direction from the irises'
    midpoint to the mouth corners' midpoint against the image's down (0 upright, +/-90 sideways, 180
    upside down; positive when the chin points to the image's left).  Unlike the roll of
    :func:`head_pose`, which reads the eye line, its sign is not ambiguous at
    +/-90 deg.  (An upside-down face is not seen here: Face Mesh fits an upright face to it, the eyes
    in place and the mouth on the forehead; :func:`facemetrics.landmarks.face_detection_score` tells
    which way up a picture is.)

    Parameters
    ----------
    points : ndarray, shape (478, 2+)
        Face Mesh landmarks, ``(x, y)`` image px (y down).
    """
    eyes = (points[RIGHT_IRIS, :2] + points[LEFT_IRIS, :2]) / 2.0
    mouth = (points[MOUTH_RIGHT, :2] + points[MOUTH_LEFT, :2]) / 2.0
    dx, dy = mouth - eyes
    return float(np.degrees(np.arctan2(-dx, dy)))


def wrap_deg(angle_deg):
    """Wrap angles (deg, scalar or array) to [-90, 90): a half-turn is the same axis."""
    return (np.asarray(angle_deg, dtype=np.float64) + 90.0) % 180.0 - 90.0


def resample_polyline(points: np.ndarray, step: float, spacing: str = "exact") -> np.ndarray:
    """Points along a polyline by arc length: the one resampler of the package.

    Parameters
    ----------
    points : ndarray, shape (K, D)
        Polyline vertices in order (any units, e.g. (u, v) mm or (x, y) px);
        segments of length <= 1e-9 are dropped first.
    step : float
        Spacing along the polyline, same units as ``points``.
    spacing : {"exact", "at_most", "at_least"}
        ``"exact"``: points exactly ``step`` apart from the first vertex (the
        last one within ``step`` of the end, which is not included unless it
        falls on the grid; used for the fold profiles, :mod:`facemetrics.folds`).
        ``"at_most"`` / ``"at_least"``: evenly spaced from the first to the
        last vertex (both kept), the fewest points with a spacing of at most
        ``step`` (``ceil(L / step) + 1`` points; the comparison's jaw bands,
        :mod:`facemetrics.compare`) or the most with a spacing of at least
        ``step`` (``floor(L / step) + 1``; the jaw contour and heights,
        :mod:`facemetrics.jaw`); at least 2 points.

    Returns
    -------
    ndarray, shape (N, D)
        The resampled points (float64).
    """
    points = np.asarray(points)
    seg = np.linalg.norm(np.diff(points, axis=0), axis=1)
    kept = seg > 1e-9
    points = points[np.concatenate([[True], kept])]
    seg = seg[kept]
    s = np.concatenate([[0.0], np.cumsum(seg)])
    if spacing == "exact":
        t = np.arange(0.0, s[-1] + 1e-9, step)
    elif spacing in ("at_most", "at_least"):
        ratio = s[-1] / step
        n = max(int(np.ceil(ratio)) if spacing == "at_most" else int(ratio), 1) + 1
        t = np.linspace(0.0, s[-1], n)
    else:
        raise ValueError(f"spacing must be 'exact', 'at_most' or 'at_least', not {spacing!r}")
    return np.stack([np.interp(t, s, points[:, k]) for k in range(points.shape[1])], axis=1)
