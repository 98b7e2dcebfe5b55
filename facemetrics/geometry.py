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

References
----------
.. [1] Rüfer F, Schröder A, Erb C (2005). White-to-white corneal diameter:
   normal values in healthy humans obtained with the Orbscan II topography
   system. Cornea 24(3):259-261. Mean horizontal visible iris diameter
   11.71 +/- 0.42 mm in 195 eyes.
.. [2] Dodgson NA (2004). Variation and extrema of human interpupillary
   distance. Proc. SPIE 5291:36-46. Adult IPD mean ~63 mm, range ~50-75 mm.
.. [3] MediaPipe Face Mesh canonical face model
   (``mediapipe/modules/face_geometry/data/canonical_face_model.obj``,
   Apache-2.0): the rigid-point coordinates in :data:`CANONICAL_RIGID`.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

#: Horizontal visible iris diameter used for calibration, mm (ref. [1]).
IRIS_DIAMETER_MM = 11.7
#: Plausible adult inter-pupillary distance, mm (ref. [2]); outside -> warning.
IPD_RANGE_MM = (50.0, 80.0)

# --- Face Mesh landmark indices (subject's sides) ---------------------------
RIGHT_IRIS = 468  # centre; 469/471 horizontal ends, 470/472 vertical ends
LEFT_IRIS = 473  # centre; 474/476 horizontal ends, 475/477 vertical ends
RIGHT_IRIS_H = (469, 471)
LEFT_IRIS_H = (474, 476)
RIGHT_EYE_OUTER, RIGHT_EYE_INNER = 33, 133
LEFT_EYE_OUTER, LEFT_EYE_INNER = 263, 362
NOSE_TIP, SUBNASALE = 1, 2
CHIN = 152
MOUTH_RIGHT, MOUTH_LEFT = 61, 291  # mouth corners
UPPER_LIP_INNER, LOWER_LIP_INNER = 13, 14
UPPER_LIP_TOP, LOWER_LIP_BOTTOM = 0, 17
CHEEK_RIGHT, CHEEK_LEFT = 50, 280  # malar prominence ("apple" of the cheek)

#: Face-oval chain from the subject's right temple, under the chin, to the
#: left temple (MediaPipe FACEMESH_FACE_OVAL, lower part).
LOWER_OVAL = (
    127, 234, 93, 132, 58, 172, 136, 150, 149, 176, 148,
    152,
    377, 400, 378, 379, 365, 397, 288, 361, 323, 454, 356,
)
#: approximate gonion (angle of the mandible) on each side
GONION_RIGHT, GONION_LEFT = 172, 397

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

#: Upper-face points that a lower-face treatment cannot move: used for
#: alignment between photos (brows, forehead, nasal bridge, eye corners).
RIGID_UPPER = (
    10, 151, 9, 8, 168, 6, 197, 195, 5, 4,
    33, 133, 263, 362, 7, 249, 130, 359,
    70, 63, 105, 66, 107, 336, 296, 334, 293, 300,
    109, 67, 103, 338, 297, 332,
)


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
    """

    mm_per_px: float
    source: str
    iris_diameter_px: tuple[float, float]
    ipd_px: float
    ipd_mm: float
    mm_per_px_spread: float
    warning: str = ""


def calibrate(points: np.ndarray, *, yaw_deg: float = 0.0, mm_per_px: float | None = None,
              ipd_mm: float | None = None) -> Calibration:
    """Millimetres per pixel from the iris diameter (or a user override).

    Parameters
    ----------
    points : ndarray, shape (478, 2+)
        Face Mesh landmarks ``(x, y[, z])`` in px.
    yaw_deg : float
        Head yaw; the horizontal iris chord is foreshortened by ``cos(yaw)``
        and corrected for it.
    mm_per_px : float, optional
        Known scale (e.g. from a ruler in the photo); wins over everything.
    ipd_mm : float, optional
        The subject's known inter-pupillary distance in mm (from an
        optician's prescription); used instead of the iris when given.

    Returns
    -------
    Calibration
    """
    p = np.asarray(points, dtype=np.float64)[:, :2]
    d_right = float(np.linalg.norm(p[RIGHT_IRIS_H[0]] - p[RIGHT_IRIS_H[1]]))
    d_left = float(np.linalg.norm(p[LEFT_IRIS_H[0]] - p[LEFT_IRIS_H[1]]))
    ipd_px = float(np.linalg.norm(p[RIGHT_IRIS] - p[LEFT_IRIS]))
    cos_yaw = max(np.cos(np.radians(yaw_deg)), 0.5)
    iris_px = 0.5 * (d_right + d_left) / cos_yaw
    spread = abs(d_right - d_left) / max(0.5 * (d_right + d_left), 1e-9)
    if mm_per_px is not None:
        scale, source = float(mm_per_px), "user_mm_per_px"
    elif ipd_mm is not None:
        scale, source = float(ipd_mm) / (ipd_px / cos_yaw), "user_ipd"
    else:
        scale, source = IRIS_DIAMETER_MM / iris_px, "iris"
    ipd = ipd_px * scale / cos_yaw
    warning = ""
    if not (IPD_RANGE_MM[0] <= ipd <= IPD_RANGE_MM[1]):
        warning = (f"inter-pupillary distance {ipd:.1f} mm is outside the adult range "
                   f"{IPD_RANGE_MM[0]:.0f}-{IPD_RANGE_MM[1]:.0f} mm: calibration doubtful "
                   "(give --ipd-mm or --mm-per-px)")
    return Calibration(scale, source, (d_right, d_left), ipd_px, ipd, spread, warning)


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
        """Levelled ``(u, v)`` mm, shape (..., 2) -> image ``(x, y)`` px."""
        uv = np.asarray(uv, dtype=np.float64) / self.mm_per_px
        return self.origin + uv[..., :1] * self.u_axis + uv[..., 1:2] * self.v_axis


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


def head_pose(points: np.ndarray, image_size: tuple[int, int]) -> tuple[float, float, float]:
    """Head yaw, pitch and roll in degrees from rigid landmarks.

    ``cv2.solvePnP`` fits MediaPipe's canonical face model (rigid points only,
    :data:`CANONICAL_RIGID`) to the detected points, with a pinhole camera of
    focal length equal to the image's long side (a ~53 deg field of view, a
    typical phone main camera) and no distortion.

    Parameters
    ----------
    points : ndarray, shape (478, 2+)
        Landmarks ``(x, y)`` px.
    image_size : (width, height)
        Size of the image the points are in, px.

    Returns
    -------
    yaw, pitch, roll : float
        Degrees.  Yaw > 0: the face turned towards the subject's left
        (image right); pitch > 0: chin up; roll > 0: head tilted clockwise
        in the image.
    """
    idx = list(CANONICAL_RIGID)
    model = np.array([CANONICAL_RIGID[i] for i in idx], dtype=np.float64)
    model = model * (1.0, -1.0, -1.0)  # canonical (y up, z to camera) -> OpenCV (y down, z away)
    img = np.asarray(points, dtype=np.float64)[idx, :2]
    w, h = image_size
    f = float(max(w, h))
    cam = np.array([[f, 0, w / 2.0], [0, f, h / 2.0], [0, 0, 1]], dtype=np.float64)
    ok, rvec, tvec = cv2.solvePnP(model, img, cam, None, flags=cv2.SOLVEPNP_ITERATIVE)
    if not ok:
        return float("nan"), float("nan"), float("nan")
    rot, _ = cv2.Rodrigues(rvec)
    # Angles of the face's own axes in camera space.  The model's x axis points to
    # the subject's left (image right), y down, z away from the camera.
    fx, fz = rot[:, 0], rot[:, 2]
    yaw = np.degrees(np.arctan2(-fz[0], fz[2]))
    pitch = np.degrees(np.arctan2(fz[1], np.hypot(fz[0], fz[2])))
    roll = np.degrees(np.arctan2(fx[1], fx[0]))
    return float(yaw), float(pitch), float(roll)
