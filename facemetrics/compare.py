"""Compare two photos of one face: lift in millimetres from an aligned dense
displacement field, fold and per-photo metric changes, a noise floor for
each, and a gate that says when the two photos are not comparable.

Method (details in ``docs/compare.md``)
----------------------------------------
1. Both photos are analysed (:func:`facemetrics.analyze_photo`), or their
   given analyses are reused.
2. The after photo is aligned to the before photo on the rigid upper face
   only, first from landmarks, then refined on the images themselves with
   DIS optical flow and a robust similarity fit (:mod:`facemetrics.align`).
   Everything below is measured on the *work grid*: the before photo's
   eye-levelled frame sampled every :data:`~facemetrics.align.WORK_MM_PER_PX`
   mm, so all millimetres are the before photo's (its iris calibration).
3. The relative 3-D head pose (pitch, yaw) and camera-distance change are
   fitted to the residual flow on the rigid upper face and the nose tip,
   whose depths differ (a tilt shows as parallax), and the displacement they
   cause everywhere on the face, predicted from the before photo's Face Mesh
   depth, is subtracted (:mod:`facemetrics.pose3d`).  The pose change is
   reported (``head_*_change_deg``, ``camera_distance_change_pct`` rows) and
   what its correction may miss widens the lift floors
   (:func:`pose_floor_terms`).
4. The remaining displacement is averaged
   (20 % trimmed mean of ``-dv``) over skin regions placed with the before
   photo's landmarks (:func:`region_masks`): positive = moved up towards the
   eyes.
5. Fold metrics (:func:`facemetrics.folds.fold_metrics`) are measured on
   both grid images: the before photo's fold band, and the same band carried
   by the residual flow (the same skin) on the after image, whose tones are
   first matched to the before image's over the skin outside the folds
   (:func:`match_tones`: exposure, gamma and white balance drop out).
   Per-photo jaw metrics use the after landmarks mapped into the before photo
   and its frame.
6. Each change is compared with a noise floor (defaults measured by
   ``bench/bench_compare.py --noise-floors`` and written in
   ``docs/compare.md``, or estimated from repeat photos) and gets a verdict.
7. A comparability gate (:func:`gate`) checks pose, expression, lighting,
   resolution and how well the upper faces match (different people), and
   refuses or warns with plain-language messages.

Sides are the subject's own (the subject's right is the image left of an
unmirrored photo).
"""

from __future__ import annotations

import dataclasses
import textwrap
from dataclasses import dataclass, field

import cv2
import numpy as np
from scipy import ndimage

from . import align as al
from . import pose3d as p3
from .analyze import PhotoAnalysis, analyze_loaded, analyze_photo
from .folds import fold_metrics
from .geometry import (
    CHEEK_LEFT, CHEEK_RIGHT, INNER_LIPS, JAW_CHAIN_LEFT, JAW_CHAIN_RIGHT,
    LEFT_IRIS, LOWER_LIP_BOTTOM, LOWER_OVAL, MOUTH_LEFT, MOUTH_RIGHT, NOSE_TIP_POINTS, RIGHT_IRIS,
    RIGID_UPPER, SUBNASALE, Frame, resample_polyline,
)
from .jaw import JawMetrics, jaw_metrics
from .loader import Photo
from .threads import single_blas_thread

# --- regions -----------------------------------------------------------------
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
# (the mouth opening, geometry.INNER_LIPS, is excluded from every region: teeth and tongue;
# the jaw chains are geometry.JAW_CHAIN_RIGHT / JAW_CHAIN_LEFT)

# --- comparability gate ------------------------------------------------------
# (measured values behind every limit: docs/compare.md, "Comparability gate")
#: change of head yaw / pitch between the photos (from the nose tip's parallax in the
#: dense flow, :func:`_flow_cues`) above which the comparison warns, deg
#: (since the 3-D correction, :mod:`facemetrics.pose3d`, these changes are measured and
#: removed; the message names them and what their correction added to the floors)
WARN_YAW_DEG, WARN_PITCH_DEG = 3.0, 2.0
#: ... and above which it is refused, deg
REFUSE_YAW_DEG, REFUSE_PITCH_DEG = 10.0, 10.0
#: camera distance change (3-D fit) above which the comparison names it, % of the distance
WARN_CAMERA_PCT = 10.0
#: single-photo pose estimates (solvePnP, +-7 deg of jitter on pitch) differing by more
#: than this refuse the pair before any flow is computed, deg
REFUSE_LANDMARK_POSE_DEG = 20.0
#: expression limits: change of the smile index, of the mouth opening (inner-lip gap /
#: mouth width), outward displacement of the mouth corners (mm, dense flow), and rise
#: of a mouth corner relative to the jowl below it (mm, dense flow)
MAX_SMILE_CHANGE = 0.10
MAX_MOUTH_OPENING_CHANGE = 0.10
MAX_MOUTH_WIDENING_MM = 0.5
MAX_MOUTH_CORNER_RISE_MM = 0.6
#: face luminance ratio after/before outside 1 +- this -> warning
MAX_LUMINANCE_CHANGE = 0.20
#: either photo coarser than this (mm/px of the original) -> warning
MAX_MM_PER_PX = 0.5
#: robust RMS of the residual flow on the rigid upper face (mm) above which the
#: upper faces do not match: warning; above the second, "may be different people": refused
#: (after the 3-D pose correction the same face stays below 0.3 mm under pose, distance,
#: camera and light changes (smiling: 0.15-1.35 mm); different people 1.7-4.1 mm; docs/compare.md)
MAX_ALIGNMENT_RESIDUAL_MM = 0.6
DIFFERENT_PEOPLE_RESIDUAL_MM = 1.6

# --- metrics -----------------------------------------------------------------
#: verdict words (positive change, negative change) per kind of metric
VERDICT_WORDS = {"lift": ("lift", "sag"), "fold": ("deeper", "shallower"),
                 "length": ("longer", "shorter"), "metric": ("increase", "decrease"),
                 "pitch": ("chin_up", "chin_down"), "yaw": ("turned_left", "turned_right"),
                 "roll": ("clockwise", "counterclockwise"), "camera": ("further", "closer")}
#: pose rows: the change of the head's pose and of the camera distance from the before to
#: the after photo (3-D fit, :mod:`facemetrics.pose3d`); their ``noise_floor`` is the
#: measurement's own 95 % uncertainty (2 SD), their verdict names the direction beyond it
POSE_METRICS = ("head_pitch_change_deg", "head_yaw_change_deg", "head_roll_change_deg",
                "camera_distance_change_pct")
WITHIN_NOISE = "within_noise"


@dataclass(frozen=True)
class MetricSpec:
    """One metric of ``comparison.csv``: name, unit, kind (verdict words) and sides."""

    metric: str
    unit: str
    kind: str
    sides: tuple[str, ...]


_RLM = ("right", "left", "mean")
_RL = ("right", "left")
METRICS: tuple[MetricSpec, ...] = (
    *(MetricSpec(f"{r}_lift_mm", "mm", "lift", _RLM) for r in REGIONS),
    *(MetricSpec(f"{r}_lift_landmarks_mm", "mm", "lift", _RLM) for r in REGIONS),
    MetricSpec("nlf_depth", "index", "fold", _RL),
    MetricSpec("nlf_contrast_pct", "pct", "fold", _RL),
    MetricSpec("nlf_length_mm", "mm", "length", _RL),
    MetricSpec("jawline_height_mm", "mm", "metric", _RLM),
    MetricSpec("jaw_width_mm", "mm", "metric", ("mean",)),
    MetricSpec("lower_face_area_mm2", "mm2", "metric", ("mean",)),
    MetricSpec("jowl_sag_mm", "mm", "metric", _RL),
    MetricSpec("jaw_angle_deg", "deg", "metric", _RL),
    MetricSpec("mouth_corner_height_mm", "mm", "metric", _RL),
    MetricSpec("cheek_height_mm", "mm", "metric", _RL),
    MetricSpec("head_pitch_change_deg", "deg", "pitch", ("mean",)),
    MetricSpec("head_yaw_change_deg", "deg", "yaw", ("mean",)),
    MetricSpec("head_roll_change_deg", "deg", "roll", ("mean",)),
    MetricSpec("camera_distance_change_pct", "pct", "camera", ("mean",)),
)
_SPEC = {m.metric: m for m in METRICS}
COLUMNS = ["metric", "side", "unit", "before", "after", "change", "noise_floor", "verdict"]

#: Default noise floors: ``(metric, "side" | "mean") -> floor`` in the metric's unit
#: (``"side"`` for the right and left rows).  Measured by
#: ``python bench/bench_compare.py --noise-floors`` (table in docs/compare.md): the
#: largest |change| of each metric over 325 nuisance-only pairs (the 13 nuisances of
#: :data:`facemetrics.simulate.NUISANCES` applied to the sample photo and the 24 London
#: portraits), x 1.25, rounded up to two significant digits
#: (:func:`noise_floors_from_nuisances`).  They are the floor of the
#: *measurement* for one unchanged face; a person re-photographed also varies in pose and
#: expression below the gate's limits: give repeat photos to measure that.
DEFAULT_NOISE_FLOORS: dict[tuple[str, str], float] = {
    ("jawline_lift_mm", "side"): 0.068,
    ("jawline_lift_mm", "mean"): 0.044,
    ("jowl_lift_mm", "side"): 0.065,
    ("jowl_lift_mm", "mean"): 0.055,
    ("mouth_corner_lift_mm", "side"): 0.054,
    ("mouth_corner_lift_mm", "mean"): 0.041,
    ("cheek_lift_mm", "side"): 0.048,
    ("cheek_lift_mm", "mean"): 0.033,
    ("jawline_lift_landmarks_mm", "side"): 4,
    ("jawline_lift_landmarks_mm", "mean"): 3.6,
    ("jowl_lift_landmarks_mm", "side"): 4.4,
    ("jowl_lift_landmarks_mm", "mean"): 4.1,
    ("mouth_corner_lift_landmarks_mm", "side"): 1.7,
    ("mouth_corner_lift_landmarks_mm", "mean"): 1.6,
    ("cheek_lift_landmarks_mm", "side"): 1.7,
    ("cheek_lift_landmarks_mm", "mean"): 1.3,
    ("nlf_depth", "side"): 0.65,  # fold rows: the index scored along the carried before line
    ("nlf_contrast_pct", "side"): 2.9,  # (issue 10's fold line; same 325 pairs)
    ("nlf_length_mm", "side"): 4.6,
    ("jawline_height_mm", "side"): 4.1,
    ("jawline_height_mm", "mean"): 3.8,
    ("jaw_width_mm", "mean"): 3.1,
    ("lower_face_area_mm2", "mean"): 390,
    ("jowl_sag_mm", "side"): 0.81,
    ("jaw_angle_deg", "side"): 2.6,
    ("mouth_corner_height_mm", "side"): 1.7,
    ("cheek_height_mm", "side"): 1.7,
    # pose rows: 1.25 x the largest |change| over the 14 nuisances on the tuning faces (sample +
    # London 003/021/024/037; bench/bench_pose3d.py)
    ("head_pitch_change_deg", "mean"): 0.035,
    ("head_yaw_change_deg", "mean"): 0.016,
    ("head_roll_change_deg", "mean"): 0.0085,
    ("camera_distance_change_pct", "mean"): 0.35,
}
#: relative uncertainty of the pitch / yaw change (the Face Mesh depth scale, which the
#: angle is inversely proportional to, is uncertain by about this much: docs/compare.md)
POSE_ANGLE_REL_UNCERTAINTY = 0.15
#: relative uncertainty of the camera-distance change (the assumed before distance)
CAMERA_REL_UNCERTAINTY = 0.30
#: floors estimated from repeat photos are never below this fraction of the default
MIN_FLOOR_FRACTION = 0.5


def _floor_key(metric: str, side: str) -> tuple[str, str]:
    return metric, ("mean" if side == "mean" else "side")


# -----------------------------------------------------------------------------
# result classes
# -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """One row of ``comparison.csv``.

    Attributes
    ----------
    metric, side, unit : str
        ``side`` is ``right``/``left`` (the subject's) or ``mean``.
    before, after : float
        The metric on each photo (NaN for the dense-flow lifts, which are a
        displacement, not a per-photo value).
    change : float
        ``after - before``; for lifts the lift itself (mm, positive = up).
    noise_floor : float
        |change| at or below this is indistinguishable from noise (same unit).
    verdict : str
        ``lift``/``sag``, ``deeper``/``shallower``, ``longer``/``shorter``,
        ``increase``/``decrease``, ``within_noise``, or ``refused``.
    """

    metric: str
    side: str
    unit: str
    before: float
    after: float
    change: float
    noise_floor: float
    verdict: str


@dataclass(frozen=True, eq=False)
class Alignment:
    """Rigid alignment of the after photo onto the before photo.

    Attributes
    ----------
    matrix : ndarray, shape (2, 3)
        Similarity mapping after-photo ``(x, y)`` px to before-photo ``(x, y)``
        px (both in px of ``photo.rgb``), after image refinement.
    landmark_matrix : ndarray, shape (2, 3)
        The landmark-only similarity (the first alignment), same convention.
    scale : float
        Before px per after px.
    rotation_deg : float
        Rotation of the after photo into the before photo, degrees
        (positive = clockwise in the image).
    residual_mm : float
        Robust RMS of the residual flow inside the rigid upper-face mask after
        the refinement, mm: how well the upper face agrees.
    landmark_residual_mm : float
        RMS distance of the rigid landmarks after the landmark-only fit, mm.
    refinement_mm : float
        Largest displacement, over the lower face, between the landmark-only
        and the refined alignment, mm: what the image refinement corrected.
    """

    matrix: np.ndarray
    landmark_matrix: np.ndarray
    scale: float
    rotation_deg: float
    residual_mm: float
    landmark_residual_mm: float
    refinement_mm: float


@dataclass(frozen=True, eq=False)
class Comparison:
    """Result of :func:`compare_photos`.

    Attributes
    ----------
    before, after : PhotoAnalysis
    status : str
        ``"ok"``, ``"warning"`` (compare with care: see ``messages``) or
        ``"refused"`` (the table's rows carry NaN and the verdict
        ``refused``; when the refusal came after the alignment, e.g. for a
        large pose change, the measurements below are kept for inspection).
    messages : tuple of str
        Plain-language reasons for a warning or refusal, each naming the
        cause, both values and the limit.
    changes : tuple of Change
        The rows of ``comparison.csv`` (:meth:`to_frame`), in
        :data:`METRICS` order.
    lifts : dict
        ``{region: {"right"|"left"|"mean": mm}}`` from the dense flow
        (:data:`REGIONS`; positive = up).
    landmark_lifts : dict
        Same from the landmarks alone (a cross-check; they under-respond
        to local changes and jitter).
    noise_floors : dict
        ``{(metric, "side"|"mean"): floor}`` used for the verdicts
        (``"side"`` applies to the right and left rows).
    noise_source : str
        ``"default"`` or ``"repeats (n pairs)"``.
    alignment : Alignment or None
    grid : facemetrics.align.Grid or None
        The work grid (before photo's levelled frame, mm).
    lift_map_mm : ndarray, shape (rows, cols), float32, or None
        Vertical displacement on the grid, mm, positive = up; NaN outside the face.
    before_grid, after_grid : ndarray, shape (rows, cols, 3), uint8, or None
        The before photo and the aligned after photo on the grid.
    region_masks : dict
        ``{(region, "right"|"left"): bool mask, shape grid.shape}``.
    after_points : ndarray, shape (478, 2), or None
        The after photo's landmarks mapped into the before photo's ``(x, y)`` px.
    flow_mm : ndarray, shape (rows, cols, 2), float32, or None
        Residual displacement ``(du, dv)`` on the grid, mm (``v`` down).
    cues : dict
        Gate cues: ``mouth_widening_mm``, ``mouth_elevation_mm``,
        ``mouth_corner_rise_mm``, ``mouth_width_change`` (x IPD),
        ``pose_yaw_deg``, ``pose_pitch_deg``, ``pose_roll_deg``,
        ``camera_distance_change_pct`` (3-D fit), ``pose_sd`` (their SDs),
        ``pose_correction_mm`` and ``pose_floor_mm`` (per region and side,
        :func:`pose_floor_terms`) and ``rigid_block_sd_mm``.
    """

    before: PhotoAnalysis
    after: PhotoAnalysis
    status: str
    messages: tuple[str, ...]
    changes: tuple[Change, ...] = ()
    lifts: dict = field(default_factory=dict)
    landmark_lifts: dict = field(default_factory=dict)
    noise_floors: dict = field(default_factory=dict)
    noise_source: str = "default"
    alignment: Alignment | None = None
    grid: al.Grid | None = None
    lift_map_mm: np.ndarray | None = None
    before_grid: np.ndarray | None = None
    after_grid: np.ndarray | None = None
    region_masks: dict = field(default_factory=dict)
    after_points: np.ndarray | None = None
    flow_mm: np.ndarray | None = None
    cues: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status != "refused"

    def to_frame(self):
        """The ``comparison.csv`` table (pandas DataFrame): columns exactly :data:`COLUMNS`, one row per (metric, side)."""
        import pandas as pd

        return pd.DataFrame([dataclasses.astuple(c) for c in self.changes], columns=COLUMNS)

    def get(self, metric: str, side: str = "mean") -> Change:
        """The row of one metric and side."""
        for c in self.changes:
            if c.metric == metric and c.side == side:
                return c
        raise KeyError((metric, side))

    def aligned_after(self) -> np.ndarray:
        """The after photo warped onto the before photo's pixels (same size as ``before.photo.rgb``).

        Returns
        -------
        ndarray, shape (H, W, 3), uint8 RGB
        """
        if self.alignment is None:
            raise ValueError("no alignment: the comparison was refused")
        h, w = self.before.photo.rgb.shape[:2]
        return cv2.warpAffine(self.after.photo.rgb, self.alignment.matrix, (w, h), flags=cv2.INTER_LINEAR,
                              borderMode=cv2.BORDER_CONSTANT, borderValue=(0, 0, 0))


# -----------------------------------------------------------------------------
# regions
# -----------------------------------------------------------------------------


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
    return mask.astype(bool)


def _disc(shape, centre, radius) -> np.ndarray:
    mask = np.zeros(shape, np.uint8)
    c = tuple(int(v) for v in np.round(np.asarray(centre) * 16))
    cv2.circle(mask, c, int(round(radius * 16)), 1, -1, cv2.LINE_8, shift=4)
    return mask.astype(bool)


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
        out[("jawline", side)] = _fill(shape, grid.from_uv(band)) & keep
        near = np.abs(poly[:, 0] - uv[mc, 0]) <= JOWL_HALF_WIDTH_MM
        if near.sum() < 2:
            k = int(np.argmin(np.abs(poly[:, 0] - uv[mc, 0])))
            near[max(k - 1, 0):k + 2] = True
        jowl = _strip(poly[near], centre, *JAW_BAND_MM)
        out[("jowl", side)] = _fill(shape, grid.from_uv(jowl)) & keep
        out[("mouth_corner", side)] = _disc(shape, g[mc], MOUTH_CORNER_RADIUS_MM / res) & keep
        out[("cheek", side)] = _disc(shape, g[ck], CHEEK_RADIUS_MM / res) & keep
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


# -----------------------------------------------------------------------------
# measuring one pair
# -----------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class _Pair:
    values: dict  # (metric, side) -> (before, after, change)
    lifts: dict
    landmark_lifts: dict
    alignment: Alignment
    grid: al.Grid
    flow_mm: np.ndarray  # (rows, cols, 2) residual displacement (du, dv), mm
    lift_map_mm: np.ndarray  # (rows, cols) -dv, NaN outside the face
    before_grid: np.ndarray
    after_grid: np.ndarray
    masks: dict
    after_points: np.ndarray  # (478, 2) after landmarks in before px (pose motion removed)
    cues: dict  # expression and pose cues for the gate
    pose: p3.PoseFit | None = None  # relative 3-D pose / camera distance, and the motion it explains


def match_tones(image: np.ndarray, reference: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Map each channel of ``image`` through the monotone curve that matches its
    histogram over ``mask`` to that of ``reference`` (histogram matching).

    Removes global photometric differences between two aligned photos
    (exposure, gamma, white balance) before the shading-based fold metrics
    are compared; the fold bands themselves are left out of ``mask`` so a
    real fold change does not shape the curve.

    Parameters
    ----------
    image, reference : ndarray, shape (H, W, 3), uint8
    mask : ndarray, shape (H, W), bool

    Returns
    -------
    ndarray, shape (H, W, 3), uint8
    """
    if mask.sum() < 100:
        return image
    out = np.empty_like(image)
    levels = np.arange(256, dtype=np.float64)
    for c in range(3):
        # each level's mid-step rank in the image -> the reference level at that rank
        counts = np.bincount(image[..., c][mask], minlength=256).astype(np.float64)
        ref = np.bincount(reference[..., c][mask], minlength=256).astype(np.float64)
        rank = (np.cumsum(counts) - 0.5 * counts) / counts.sum()
        ref_rank = (np.cumsum(ref) - 0.5 * ref) / ref.sum()
        used = ref > 0
        lut = np.interp(rank, ref_rank[used], levels[used])
        out[..., c] = np.clip(np.round(lut), 0, 255).astype(np.uint8)[image[..., c]]
    return out


def _landmark_similarity(a: PhotoAnalysis, b: PhotoAnalysis) -> tuple[np.ndarray, float]:
    """After px -> before px similarity from the rigid landmarks; RMS residual in before px."""
    idx = list(RIGID_UPPER)
    src, dst = b.points[idx, :2], a.points[idx, :2]
    m = al.fit_similarity(src, dst)
    r = np.linalg.norm(dst - al.apply(m, src), axis=1)
    return m, float(np.sqrt(np.mean(r ** 2)))


def _jaw_values(j: JawMetrics) -> dict[tuple[str, str], float]:
    return {
        ("jawline_height_mm", "mean"): j.jawline_height_mm,
        ("jawline_height_mm", "right"): j.jawline_height_right_mm,
        ("jawline_height_mm", "left"): j.jawline_height_left_mm,
        ("jaw_width_mm", "mean"): j.jaw_width_mm,
        ("lower_face_area_mm2", "mean"): j.lower_face_area_mm2,
        ("jowl_sag_mm", "right"): j.jowl_sag_right_mm,
        ("jowl_sag_mm", "left"): j.jowl_sag_left_mm,
        ("jaw_angle_deg", "right"): j.jaw_angle_right_deg,
        ("jaw_angle_deg", "left"): j.jaw_angle_left_deg,
        ("mouth_corner_height_mm", "right"): j.mouth_corner_height_right_mm,
        ("mouth_corner_height_mm", "left"): j.mouth_corner_height_left_mm,
        ("cheek_height_mm", "right"): j.cheek_height_right_mm,
        ("cheek_height_mm", "left"): j.cheek_height_left_mm,
    }


#: lip midline point (lower lip bottom): reference for mouth-corner elevation (below the
#: mouth corners, so a lift of the whole lower face moves it as much as the corners)
LIP_MIDLINE = (LOWER_LIP_BOTTOM,)
#: radius of the lip-midline discs, mm
LIP_MIDLINE_RADIUS_MM = 3.0


def _flow_cues(flow_mm: np.ndarray, masks: dict, uv: np.ndarray, grid: al.Grid, keep: np.ndarray) -> dict:
    """Expression cues from the pose-corrected residual flow (mm) on the grid.

    - ``mouth_widening_mm``: mean outward (away from the midline) displacement
      of the two mouth-corner regions.
    - ``mouth_elevation_mm``: mean upward displacement of the mouth corners
      minus that of the lower lip's midline (17): a smile raises the corners
      relative to the lips' centre; a lift of the whole lower face does not.

    (The relative head pose comes from the 3-D fit, :mod:`facemetrics.pose3d`.)
    """
    du, dv = flow_mm[..., 0], flow_mm[..., 1]
    out = {}
    wid = []
    up = []
    for side, sign in (("right", -1.0), ("left", 1.0)):
        mk = masks[("mouth_corner", side)]
        wid.append(sign * robust_mean(du[mk]))
        up.append(-robust_mean(dv[mk]))
    out["mouth_widening_mm"] = float(np.mean(wid))
    mid = np.zeros(grid.shape, bool)
    g = grid.from_uv(uv)
    for i in LIP_MIDLINE:
        mid |= _disc(grid.shape, g[i], LIP_MIDLINE_RADIUS_MM / grid.res_mm)
    mid &= keep
    out["mouth_elevation_mm"] = float(np.mean(up) + robust_mean(dv[mid]))
    return out


def _at(field_: np.ndarray, cr: np.ndarray) -> np.ndarray:
    """Bilinear samples of a (rows, cols, k) field at grid ``(col, row)`` points, shape (n, k)."""
    return np.stack([ndimage.map_coordinates(field_[..., k], [cr[:, 1], cr[:, 0]], order=1, mode="nearest")
                     for k in range(field_.shape[-1])], axis=1)


#: fixed-point passes of :func:`_remove_pose`
POSE_REMOVAL_PASSES = 2


def _remove_pose(observed_mm: np.ndarray, pose_mm: np.ndarray, res_mm: float) -> np.ndarray:
    """The flow minus the pose change's displacement, taken where the skin *is* in the after state.

    A lift moves the skin first; the head's motion then carries it from its new place, whose depth
    (and so parallax) differs near the jaw's edge.  So the pose displacement is sampled at ``p +
    f(p)`` with ``f`` the corrected flow itself (fixed-point iteration, :data:`POSE_REMOVAL_PASSES`),
    not at ``p``.  Arrays ``(rows, cols, 2)``, ``(du, dv)`` mm on the grid.
    """
    rows, cols = observed_mm.shape[:2]
    gx, gy = np.meshgrid(np.arange(cols, dtype=np.float32), np.arange(rows, dtype=np.float32))
    pose = np.ascontiguousarray(pose_mm, dtype=np.float32)
    flow = observed_mm - pose
    for _ in range(POSE_REMOVAL_PASSES):
        mx = gx + flow[..., 0] / np.float32(res_mm)
        my = gy + flow[..., 1] / np.float32(res_mm)
        flow = observed_mm - cv2.remap(pose, mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    return flow.astype(np.float32)


def _fit_pose(a: PhotoAnalysis, grid: al.Grid, rigid: np.ndarray, flow_mm: np.ndarray, depth: np.ndarray,
              pts_g: np.ndarray) -> p3.PoseFit:
    """Relative 3-D pose from the flow on the rigid upper face and the nose tip (:mod:`facemetrics.pose3d`)."""
    mask = rigid.copy()
    for i in NOSE_TIP_POINTS:
        mask |= _disc(grid.shape, pts_g[i], p3.NOSE_TIP_RADIUS_MM / grid.res_mm)
    h, w = a.photo.rgb.shape[:2]
    principal = a.frame.to_mm(np.array([w / 2.0, h / 2.0]))
    return p3.fit_pose(flow_mm, mask, depth, grid.u0, grid.v0, grid.res_mm, principal)


def _measure(a: PhotoAnalysis, b: PhotoAnalysis) -> _Pair:
    """All changes from photo ``a`` (before) to photo ``b`` (after); both must be ok."""
    frame = a.frame
    grid = al.make_grid(a.points, frame)
    pts_g = grid.from_px(a.points[:, :2])
    m_land, land_rms_px = _landmark_similarity(a, b)
    reg = al.register(a.photo.rgb, b.photo.rgb, grid, pts_g, m_land)
    res = grid.res_mm
    after_to_before = al.compose(grid.to_px_matrix, al.invert(reg.grid_to_after))

    # 3-D pose / camera-distance change from the rigid face, and the motion it causes everywhere
    # (facemetrics.pose3d): subtracted before anything is measured from the flow
    observed_mm = (reg.flow * res).astype(np.float32)
    uv_a = frame.to_mm(a.points[:, :2])
    depth = p3.depth_map(uv_a, a.points[:, 2] * frame.mm_per_px, grid.shape, grid.u0, grid.v0, grid.res_mm)
    pose = _fit_pose(a, grid, reg.rigid, observed_mm, depth, pts_g)
    flow_mm = _remove_pose(observed_mm, pose.flow_mm, res)

    # dense-flow lifts
    lift_map = -flow_mm[..., 1]
    masks = region_masks(uv_a, grid)
    lifts = region_lifts(lift_map, masks)
    face = _fill(grid.shape, cv2.convexHull(pts_g[:468].astype(np.float32))[:, 0])
    shown = np.where(face, lift_map, np.nan).astype(np.float32)

    # landmarks of the after photo in the before photo's pixels and frame
    # (minus the motion the pose change explains at each landmark)
    uv_b = frame.to_mm(al.apply(after_to_before, b.points[:, :2])) - _at(pose.flow_mm, grid.from_uv(uv_a))
    b_in_a = frame.to_px(uv_b)
    lm_regions = _landmark_regions(uv_a)
    lm_lifts, values = {}, {}
    for region in REGIONS:
        name = f"{region}_lift_landmarks_mm"
        d, hb, ha = {}, {}, {}
        for side in _RL:
            idx = lm_regions[(region, side)]
            hb[side], ha[side] = float(np.mean(uv_a[idx, 1])), float(np.mean(uv_b[idx, 1]))
            d[side] = hb[side] - ha[side]
            values[(name, side)] = (hb[side], ha[side], d[side])
        d["mean"] = 0.5 * (d["right"] + d["left"])
        values[(name, "mean")] = (0.5 * (hb["right"] + hb["left"]), 0.5 * (ha["right"] + ha["left"]), d["mean"])
        lm_lifts[region] = d
        for side in _RLM:
            values[(f"{region}_lift_mm", side)] = (float("nan"), float("nan"), lifts[region][side])

    # folds: both grid images; the after photo's fold band is the before photo's band carried
    # by the residual flow (the same skin), and its tones are matched to the before photo's
    gframe = Frame(grid.from_uv(np.zeros(2)), np.array([1.0, 0.0]), np.array([0.0, 1.0]), res)
    folds_b = [fold_metrics(reg.before_grid, pts_g, gframe, side) for side in _RL]
    skin = face & ~_fill(grid.shape, pts_g[list(INNER_LIPS)])
    for fm in folds_b:
        skin &= ~_fill(grid.shape, fm.region_px)
    matched = match_tones(reg.after_grid, reg.before_grid, skin)
    moved = pts_g + np.stack([ndimage.map_coordinates(reg.flow[..., k], [pts_g[:, 1], pts_g[:, 0]], order=1,
                                                      mode="nearest") for k in range(2)], axis=1)
    for side, found in zip(_RL, folds_b):
        # both photos scored along one line: the before photo's found line, and that line
        # carried by the residual flow onto the same skin of the after photo
        line = found.line_px
        carried = line + np.stack([ndimage.map_coordinates(reg.flow[..., k], [line[:, 1], line[:, 0]], order=1,
                                                           mode="nearest") for k in range(2)], axis=1)
        fa = fold_metrics(reg.before_grid, pts_g, gframe, side, line_px=line)
        fb = fold_metrics(matched, moved, gframe, side, line_px=carried)
        for metric, attr in (("nlf_depth", "depth_index"), ("nlf_contrast_pct", "contrast_pct"),
                             ("nlf_length_mm", "length_mm")):
            x, y = float(getattr(fa, attr)), float(getattr(fb, attr))
            values[(metric, side)] = (x, y, y - x)

    # per-photo jaw metrics, the after landmarks in the before photo's frame
    jb = _jaw_values(a.jaw)
    ja = _jaw_values(jaw_metrics(b_in_a, frame))
    for k in jb:
        values[k] = (jb[k], ja[k], ja[k] - jb[k])

    # gate cues
    keep = face & ~_fill(grid.shape, pts_g[list(INNER_LIPS)])
    cues = _flow_cues(flow_mm, masks, uv_a, grid, keep)
    cues.update(pose_pitch_deg=pose.pitch_deg, pose_yaw_deg=pose.yaw_deg,
                camera_distance_change_pct=pose.camera_distance_change_pct)
    cues.update(pose_floor_terms(pose, masks, flow_mm, reg.rigid, grid, depth))
    ipd_a = np.linalg.norm(uv_a[LEFT_IRIS] - uv_a[RIGHT_IRIS])
    ipd_b = np.linalg.norm(uv_b[LEFT_IRIS] - uv_b[RIGHT_IRIS])
    cues["mouth_width_change"] = float(np.linalg.norm(uv_b[MOUTH_LEFT] - uv_b[MOUTH_RIGHT]) / ipd_b
                                       - np.linalg.norm(uv_a[MOUTH_LEFT] - uv_a[MOUTH_RIGHT]) / ipd_a)
    cues["mouth_corner_rise_mm"] = float(max(abs(lifts["mouth_corner"][s] - lifts["jowl"][s]) for s in _RL))
    # alignment summary
    sc = float(np.sqrt(abs(np.linalg.det(after_to_before[:, :2]))))
    rot = float(np.degrees(np.arctan2(after_to_before[1, 0], after_to_before[0, 0])))

    # the pose change itself (rows of the table; 2 SD as their floor, set in compare_photos)
    roll = -rot + pose.theta_deg
    nan = float("nan")
    values[("head_pitch_change_deg", "mean")] = (nan, nan, pose.pitch_deg)
    values[("head_yaw_change_deg", "mean")] = (nan, nan, pose.yaw_deg)
    values[("head_roll_change_deg", "mean")] = (nan, nan, roll)
    values[("camera_distance_change_pct", "mean")] = (nan, nan, pose.camera_distance_change_pct)
    cues["pose_roll_deg"] = roll
    cues["pose_sd"] = {"head_pitch_change_deg": pose.sd["pitch_deg"], "head_yaw_change_deg": pose.sd["yaw_deg"],
                       "head_roll_change_deg": float(np.sqrt(max(pose.cov[4, 4], 0.0))),
                       "camera_distance_change_pct": 100.0 * pose.sd["tz_mm"] / pose.camera_mm}
    lower_px = b.points[list(LOWER_OVAL), :2]
    refine = np.linalg.norm(al.apply(after_to_before, lower_px) - al.apply(m_land, lower_px), axis=1)
    rig = np.linalg.norm(flow_mm[reg.rigid], axis=1)
    residual_mm = float(1.4826 * np.median(rig)) if rig.size else reg.residual_px * res
    alignment = Alignment(after_to_before, m_land, sc, rot, residual_mm,
                          land_rms_px * frame.mm_per_px, float(refine.max() * frame.mm_per_px))
    return _Pair(values, lifts, lm_lifts, alignment, grid, flow_mm, shown, reg.before_grid, reg.after_grid,
                 masks, b_in_a, cues, pose)


# -----------------------------------------------------------------------------
# gate
# -----------------------------------------------------------------------------


def pose_messages(c: dict) -> tuple[bool, list[str]]:
    """Plain-language messages on the head-pose and camera-distance change (3-D fit cues).

    Returns ``(refuse, messages)``: refused beyond :data:`REFUSE_PITCH_DEG` /
    :data:`REFUSE_YAW_DEG`; named (a warning) beyond :data:`WARN_PITCH_DEG`,
    :data:`WARN_YAW_DEG` or :data:`WARN_CAMERA_PCT`, with what the correction
    moved the jawline by and what it added to the jawline's noise floor.
    """
    msgs: list[str] = []
    refuse = False
    pitch, yaw = c.get("pose_pitch_deg", 0.0), c.get("pose_yaw_deg", 0.0)
    cam = c.get("camera_distance_change_pct", 0.0)
    corr = c.get("pose_correction_mm", {}).get("jawline", {})
    jaw_corr = 0.5 * (corr.get("right", 0.0) + corr.get("left", 0.0))
    jaw_floor = c.get("pose_floor_mm", {}).get("jawline", {}).get("mean", 0.0)
    effect = (f"this was measured and corrected: the tilt/turn alone moved the jawline {jaw_corr:+.1f} mm in the "
              f"photo, and ±{jaw_floor:.2f} mm for what the correction may miss is added to its noise floor")
    for name, d, warn, hard, words in (
            ("pitch (tilt up/down)", pitch, WARN_PITCH_DEG, REFUSE_PITCH_DEG, ("chin raised", "chin lowered")),
            ("yaw (turn left/right)", yaw, WARN_YAW_DEG, REFUSE_YAW_DEG,
             ("face turned further to the subject's left", "face turned further to the subject's right"))):
        if abs(d) > hard:
            refuse = True
            msgs.append(f"head pose differs too much to compare: {name} changed by {d:+.1f} deg (limit "
                        f"±{hard:.0f}); retake the after photo facing the camera as in the before photo")
        elif abs(d) > warn:
            msgs.append(f"head pose differs: {words[0] if d > 0 else words[1]} by about {abs(d):.1f} deg in the "
                        f"after photo (limit ±{warn:.0f}); {effect}")
    if abs(cam) > WARN_CAMERA_PCT:
        cm = abs(cam) / 100.0 * p3.CAMERA_MM / 10.0
        msgs.append(f"the camera was about {cm:.0f} cm {'further away' if cam > 0 else 'closer'} in the after photo "
                    f"({cam:+.0f} % of the distance, limit ±{WARN_CAMERA_PCT:.0f} %; assuming about "
                    f"{p3.CAMERA_MM / 10:.0f} cm for the before photo): perspective changes the face's proportions. "
                    f"This was measured and corrected; hold the phone at the same distance for every photo")
    return refuse, msgs


def gate(a: PhotoAnalysis, b: PhotoAnalysis, pair: _Pair | None = None) -> tuple[str, list[str]]:
    """Is the pair comparable?  Returns ``(status, messages)``.

    Without ``pair`` (before any flow is computed) only the photos' statuses
    and the single-photo pose estimates are checked.  ``status`` is
    ``"refused"`` when a photo could not be measured or the head pose differs
    beyond the refusal limits, ``"warning"`` when pose, expression, lighting,
    resolution or the upper-face match break a warning limit, else ``"ok"``.
    Every message names the cause with both values and the limit.
    """
    msgs: list[str] = []
    for label, x in (("before", a), ("after", b)):
        if not x.ok:
            msgs.append(f"{label} photo not measured ({x.status}): {x.error}")
    if msgs:
        return "refused", msgs
    qa, qb = a.quality, b.quality
    refuse = False
    if pair is None:
        for name, va, vb in (("yaw (turn)", qa.yaw_deg, qb.yaw_deg), ("pitch (tilt up/down)", qa.pitch_deg, qb.pitch_deg)):
            if abs(vb - va) > REFUSE_LANDMARK_POSE_DEG:
                msgs.append(f"head pose differs too much to compare: {name} {va:+.0f} → {vb:+.0f} deg "
                            f"(limit ±{REFUSE_LANDMARK_POSE_DEG:.0f}); retake the after photo facing the camera "
                            "as in the before photo")
        return ("refused" if msgs else "ok"), msgs
    c = pair.cues
    refuse, pose_msgs = pose_messages(c)
    msgs += pose_msgs
    expr = []
    ds = qb.smile_index - qa.smile_index
    if abs(ds) > MAX_SMILE_CHANGE:
        expr.append(f"smile index {qa.smile_index:.2f} → {qb.smile_index:.2f} (limit ±{MAX_SMILE_CHANGE:.2f})")
    dm = qb.mouth_opening_ratio - qa.mouth_opening_ratio
    if abs(dm) > MAX_MOUTH_OPENING_CHANGE:
        expr.append(f"mouth opening {qa.mouth_opening_ratio:.2f} → {qb.mouth_opening_ratio:.2f} "
                    f"(limit ±{MAX_MOUTH_OPENING_CHANGE:.2f})")
    if abs(c["mouth_widening_mm"]) > MAX_MOUTH_WIDENING_MM:
        word = "wider" if c["mouth_widening_mm"] > 0 else "narrower"
        expr.append(f"mouth corners moved {abs(c['mouth_widening_mm']):.1f} mm {word} "
                    f"(limit {MAX_MOUTH_WIDENING_MM:.1f} mm)")
    if c["mouth_corner_rise_mm"] > MAX_MOUTH_CORNER_RISE_MM:
        expr.append(f"a mouth corner moved {c['mouth_corner_rise_mm']:.1f} mm relative to the jowl below it "
                    f"(limit {MAX_MOUTH_CORNER_RISE_MM:.1f} mm)")
    if expr:
        msgs.append("expression differs: " + "; ".join(expr)
                    + ". Lifts, folds and mouth metrics then reflect the expression, not the skin: "
                      "take both photos with the same relaxed, closed-mouth expression")
    la, lb = qa.face_luminance, qb.face_luminance
    if la > 0 and abs(lb / la - 1) > MAX_LUMINANCE_CHANGE:
        msgs.append(f"lighting differs: face luminance {la:.0f} → {lb:.0f} of 255 "
                    f"({100 * (lb / la - 1):+.0f} %, limit ±{100 * MAX_LUMINANCE_CHANGE:.0f} %); "
                    "fold depth and contrast depend on the light")
    for label, x in (("before", a), ("after", b)):
        if x.mm_per_px > MAX_MM_PER_PX:
            msgs.append(f"resolution too low in the {label} photo: {x.mm_per_px:.2f} mm/px "
                        f"(limit {MAX_MM_PER_PX}); sub-millimetre changes cannot be resolved")
    r = pair.alignment.residual_mm
    if r > DIFFERENT_PEOPLE_RESIDUAL_MM:
        refuse = True
        msgs.append(f"these may be different people: after alignment and the head-pose correction the upper "
                    f"faces (forehead, brows, nose bridge, eye corners) still differ by {r:.1f} mm RMS (limit "
                    f"{DIFFERENT_PEOPLE_RESIDUAL_MM}; the same face under a new camera, light, pose or distance "
                    "stays below 0.3 mm); or hair, glasses, a strong expression or a blurred, low-resolution photo "
                    "hide the upper face. Nothing on the lower face can be measured against it: retake the after "
                    "photo like the before photo")
    elif r > MAX_ALIGNMENT_RESIDUAL_MM:
        msgs.append(f"the upper faces match only roughly after alignment ({r:.2f} mm RMS, limit "
                    f"{MAX_ALIGNMENT_RESIDUAL_MM}): hair, glasses, brows or expression changed; lifts are less certain")
    if refuse:
        return "refused", msgs
    return ("warning" if msgs else "ok"), msgs


# -----------------------------------------------------------------------------
# noise floors and verdicts
# -----------------------------------------------------------------------------


def noise_floors_from_repeats(changes: list[dict], defaults: dict | None = None) -> dict:
    """Noise floors from changes between photos of one state.

    Parameters
    ----------
    changes : list of dict
        One dict per repeat pair: ``{(metric, side): change}``.
    defaults : dict, optional
        Default floors (:data:`DEFAULT_NOISE_FLOORS`).

    Returns
    -------
    dict
        ``{(metric, "side"|"mean"): floor}``: ``t(0.975, n) * RMS(change)``
        with ``n`` the number of pairs (a 95 % two-sided bound for one
        before/after difference, which has the same variance as a repeat
        difference), never below :data:`MIN_FLOOR_FRACTION` of the default.
    """
    defaults = DEFAULT_NOISE_FLOORS if defaults is None else defaults
    n = len(changes)
    if n == 0:
        return dict(defaults)
    from scipy import stats

    t = float(stats.t.ppf(0.975, n))
    pooled: dict[tuple[str, str], list[float]] = {}
    for ch in changes:
        for (metric, side), v in ch.items():
            if np.isfinite(v):
                pooled.setdefault(_floor_key(metric, side), []).append(float(v))
    out = dict(defaults)
    for key, vals in pooled.items():
        rms = float(np.sqrt(np.mean(np.square(vals))))
        floor = t * rms
        out[key] = max(floor, MIN_FLOOR_FRACTION * defaults.get(key, 0.0))
    return out


#: the default floors' margin over the largest nuisance-only change (:func:`noise_floors_from_nuisances`)
NUISANCE_FLOOR_FACTOR = 1.25


def _round_up_2sig(x: float) -> float:
    """``x`` rounded up to two significant digits (0 for ``x <= 0``)."""
    if not x > 0:
        return 0.0
    e = int(np.floor(np.log10(x))) - 1
    return float(np.ceil(x / 10.0 ** e) * 10.0 ** e)


def noise_floors_from_nuisances(changes: list[dict]) -> dict:
    """The rule of :data:`DEFAULT_NOISE_FLOORS`: floors from nuisance-only comparisons.

    Parameters
    ----------
    changes : list of dict
        One dict per nuisance-only pair (the same face, no real change):
        ``{(metric, side): change}``.

    Returns
    -------
    dict
        ``{(metric, "side"|"mean"): floor}``: :data:`NUISANCE_FLOOR_FACTOR` x the
        largest |change| (right and left pooled as ``"side"``), rounded up to two
        significant digits.  The other floor definition,
        :func:`noise_floors_from_repeats`, is for repeat photos of one state.
    """
    worst: dict[tuple[str, str], float] = {}
    for ch in changes:
        for (metric, side), v in ch.items():
            if np.isfinite(v):
                key = _floor_key(metric, side)
                worst[key] = max(worst.get(key, 0.0), abs(float(v)))
    return {key: _round_up_2sig(NUISANCE_FLOOR_FACTOR * v) for key, v in worst.items()}


#: fraction of the pose-explained displacement of a region that the correction may miss
#: (depth of the Face Mesh, pivot, the neck and background behind the jaw): measured on
#: 3-D re-renders of the tuning faces, docs/compare.md "Head pose and camera distance"
POSE_MODEL_FRACTION = 0.30
#: floor per unit of relative camera-distance change, mm (the neck and background behind the
#: jaw move differently from the face when the camera moves; 95th percentile of |error| /
#: |change| on the tuning faces' re-renders, docs/compare.md)
CAMERA_FLOOR_MM = 0.65
#: coverage factor of the propagated pose-parameter uncertainty and of the rigid-face scatter
POSE_FLOOR_K = 2.0
#: side of the blocks over which the rigid upper face's leftover motion is averaged, mm
#: (about a region's size)
RIGID_BLOCK_MM = 8.0


def rigid_block_sd(flow_mm: np.ndarray, rigid: np.ndarray, res_mm: float) -> float:
    """Scatter of region-sized means of the vertical flow on the rigid upper face, mm.

    The rigid upper face cannot be moved by a treatment, so after the pose
    correction the mean vertical displacement of any patch of it should be
    zero.  The robust standard deviation (1.4826 MAD about zero) of the 20 %
    trimmed means over :data:`RIGID_BLOCK_MM` blocks (at least half covered)
    is how far a region mean wanders on skin that did not move: hair over
    the forehead, an expression of the brows, a flow or model error.
    """
    b = max(int(round(RIGID_BLOCK_MM / res_mm)), 2)
    rows, cols = rigid.shape
    nr, nc = rows // b, cols // b
    if nr == 0 or nc == 0:
        return float("nan")

    def blocks(x):
        return x[:nr * b, :nc * b].reshape(nr, b, nc, b).transpose(0, 2, 1, 3).reshape(nr * nc, b * b)

    m = blocks(rigid)
    f = blocks(flow_mm[..., 1]).astype(np.float64)
    use = m.mean(axis=1) >= 0.5
    if use.sum() < 3:
        return float("nan")
    m, f = m[use], f[use]
    # each block's 20 % trimmed mean (as robust_mean), all blocks at once: sort with the
    # masked-out pixels last, then the mean of ranks k .. n-k-1 from cumulative sums
    v = np.sort(np.where(m, f, np.inf), axis=1)
    n = m.sum(axis=1)
    k = (TRIM * n).astype(int)
    cs = np.concatenate([np.zeros((len(v), 1)), np.cumsum(np.where(np.isfinite(v), v, 0.0), axis=1)], axis=1)
    rows_ = np.arange(len(v))
    means = (cs[rows_, n - k] - cs[rows_, k]) / (n - 2 * k)
    return float(1.4826 * np.median(np.abs(means)))


def pose_floor_terms(pose: p3.PoseFit, masks: dict, flow_mm: np.ndarray, rigid: np.ndarray, grid: al.Grid,
                     depth: np.ndarray) -> dict:
    """What the pose correction cannot remove, per lift region and side, mm.

    Returns ``{"pose_correction_mm": {region: {side: mm}}, "pose_floor_mm":
    {region: {"right", "left", "mean": mm}}, "rigid_block_sd_mm": mm}``:
    the upward displacement the pose change explained (and that was
    subtracted), and the extra floor ``hypot(POSE_MODEL_FRACTION x
    correction, K x propagated parameter SD, K x rigid_block_sd,
    CAMERA_FLOOR_MM x |relative camera-distance change|)`` where
    ``correction`` is the larger of the two sides' |correction| in that region.
    """
    u_map, v_map = grid.uv_maps()
    cam = CAMERA_FLOOR_MM * abs(pose.tz_mm) / pose.camera_mm
    block = rigid_block_sd(flow_mm, rigid, grid.res_mm)
    block = 0.0 if not np.isfinite(block) else block
    corr, extra = {}, {}
    for region in REGIONS:
        corr[region], extra[region] = {}, {}
        parts = {}
        for side in _RL:
            m = masks[(region, side)]
            if not m.any():
                corr[region][side], parts[side] = 0.0, (0.0, 0.0)
                continue
            c = -robust_mean(pose.flow_mm[..., 1][m])
            ys, xs = np.nonzero(m)
            k = slice(None, None, max(len(xs) // 400, 1))
            prop = p3.prediction_sd(pose, u_map[ys[k], xs[k]], v_map[ys[k], xs[k]], depth[ys[k], xs[k]])
            corr[region][side] = c
            parts[side] = (c, prop)
        # the larger side's correction: a yaw moves the sides oppositely, and their errors do not cancel
        cmax = max(abs(parts["right"][0]), abs(parts["left"][0]))
        for side in _RL:
            prop = parts[side][1]
            extra[region][side] = float(np.sqrt((POSE_MODEL_FRACTION * cmax) ** 2 + (POSE_FLOOR_K * prop) ** 2
                                                + (POSE_FLOOR_K * block) ** 2 + cam ** 2))
        pm = 0.5 * (parts["right"][1] + parts["left"][1])
        extra[region]["mean"] = float(np.sqrt((POSE_MODEL_FRACTION * cmax) ** 2 + (POSE_FLOOR_K * pm) ** 2
                                              + (POSE_FLOOR_K * block) ** 2 + cam ** 2))
    return {"pose_correction_mm": corr, "pose_floor_mm": extra, "rigid_block_sd_mm": block}


def pose_uncertainty(metric: str, value: float, sd: float, floor: float) -> float:
    """95 % uncertainty of a pose row: ``hypot(2 sd, relative part, default floor)``.

    ``sd`` is the fit's own standard deviation; the relative part is
    :data:`POSE_ANGLE_REL_UNCERTAINTY` of |pitch| or |yaw| (the depth scale),
    :data:`CAMERA_REL_UNCERTAINTY` of |camera change|, nothing for roll
    (measured directly in the image plane); ``floor`` the default noise floor.
    """
    if not np.isfinite(sd):
        return float("nan")
    rel = {"head_pitch_change_deg": POSE_ANGLE_REL_UNCERTAINTY, "head_yaw_change_deg": POSE_ANGLE_REL_UNCERTAINTY,
           "camera_distance_change_pct": CAMERA_REL_UNCERTAINTY}.get(metric, 0.0)
    return float(np.sqrt((2.0 * sd) ** 2 + (rel * value) ** 2 + floor ** 2))


def pose_adjusted_floors(floors: dict, cues: dict) -> dict:
    """Widen the lift floors by what the 3-D pose correction cannot remove.

    Each dense lift floor becomes ``hypot(floor, extra)`` with ``extra`` the
    region's ``pose_floor_mm`` cue (:func:`pose_floor_terms`; the larger side
    for the ``side`` floor).  A floor grows with the size of the pose change
    that was corrected and with how badly the rigid upper faces agree, not
    by a blanket amount.
    """
    extra = cues.get("pose_floor_mm", {})
    out = dict(floors)
    for region, e in extra.items():
        for kind, val in (("side", max(e.get("right", 0.0), e.get("left", 0.0))), ("mean", e.get("mean", 0.0))):
            for metric in (f"{region}_lift_mm", f"{region}_lift_landmarks_mm"):
                key = (metric, kind)
                if key in out:
                    out[key] = float(np.hypot(out[key], val))
    return out


def verdict(kind: str, change: float, floor: float) -> str:
    """``within_noise`` when ``|change| <= floor``, else the kind's word for the sign."""
    if not np.isfinite(change):
        return ""
    if np.isfinite(floor) and abs(change) <= floor:
        return WITHIN_NOISE
    up, down = VERDICT_WORDS[kind]
    return up if change > 0 else down


def _rows(values: dict, floors: dict, refused: bool = False) -> tuple[Change, ...]:
    out = []
    nan = float("nan")
    for spec in METRICS:
        for side in spec.sides:
            fl = floors.get(_floor_key(spec.metric, side), nan)
            if refused or (spec.metric, side) not in values:
                out.append(Change(spec.metric, side, spec.unit, nan, nan, nan, fl, "refused" if refused else ""))
                continue
            b, a, c = values[(spec.metric, side)]
            out.append(Change(spec.metric, side, spec.unit, b, a, c, fl, verdict(spec.kind, c, fl)))
    return tuple(out)


# -----------------------------------------------------------------------------
# public entry point
# -----------------------------------------------------------------------------


def _as_analysis(x, *, mm_per_px=None, ipd_mm=None, fast=True) -> PhotoAnalysis:
    if isinstance(x, PhotoAnalysis):
        return x
    if isinstance(x, Photo):
        return analyze_loaded(x, mm_per_px=mm_per_px, ipd_mm=ipd_mm)
    return analyze_photo(x, mm_per_px=mm_per_px, ipd_mm=ipd_mm, fast=fast)


def compare_photos(before, after, *, before_repeats=(), after_repeats=(), mm_per_px: float | None = None,
                   ipd_mm: float | None = None, noise_floors: dict | None = None,
                   fast: bool = True) -> Comparison:
    """Compare a before and an after photo of one face.

    Parameters
    ----------
    before, after : str, path-like, bytes, file-like, Photo or PhotoAnalysis
        The two photos (analyses are reused as given).
    before_repeats, after_repeats : sequence, optional
        More photos of the before / after state (same types).  With at least
        one repeat the noise floors are estimated from the changes between
        photos of one state (:func:`noise_floors_from_repeats`) instead of
        the defaults.
    mm_per_px : float, optional
        Known scale of the before photo (mm per px of the original file),
        overriding its iris calibration.  Only the before photo's scale
        matters for the changes: the alignment absorbs any scale difference
        of the after photo (and of repeats), which keep their iris calibration.
    ipd_mm : float, optional
        The subject's known inter-pupillary distance, mm.
    noise_floors : dict, optional
        ``{(metric, "side"|"mean"): floor}`` overriding the defaults.
    fast : bool
        Allow the reduced decode of large JPEGs (see :func:`facemetrics.load_photo`).

    Returns
    -------
    Comparison
        Never raises for a bad photo: ``status == "refused"`` and
        ``messages`` say why.
    """
    with single_blas_thread():
        return _compare(before, after, before_repeats, after_repeats, mm_per_px, ipd_mm, noise_floors, fast)


def _compare(before, after, before_repeats, after_repeats, mm_per_px, ipd_mm, noise_floors, fast) -> Comparison:
    kw_b = dict(mm_per_px=mm_per_px, ipd_mm=ipd_mm, fast=fast)
    kw_a = dict(ipd_mm=ipd_mm, fast=fast)
    a = _as_analysis(before, **kw_b)
    b = _as_analysis(after, **kw_a)
    defaults = dict(DEFAULT_NOISE_FLOORS)
    if noise_floors:
        defaults.update(noise_floors)
    status, msgs = gate(a, b)
    if status == "refused":
        return Comparison(a, b, status, tuple(msgs), changes=_rows({}, defaults, refused=True),
                          noise_floors=defaults)
    try:
        pair = _measure(a, b)
    except (cv2.error, ValueError, FloatingPointError) as exc:  # pragma: no cover - defensive
        msgs.append(f"the photos could not be aligned: {exc}")
        return Comparison(a, b, "refused", tuple(msgs), changes=_rows({}, defaults, refused=True),
                          noise_floors=defaults)
    status, msgs = gate(a, b, pair)

    floors, source = defaults, "default"
    repeat_changes = []
    for first, extra, kw in ((a, before_repeats, kw_a), (b, after_repeats, kw_a)):
        for x in extra:
            r = _as_analysis(x, **kw)
            if not r.ok or not first.ok:
                msgs.append(f"repeat photo {r.name} not used ({r.status}): {r.error}")
                continue
            try:
                rp = _measure(first, r)
            except (cv2.error, ValueError, FloatingPointError) as exc:  # pragma: no cover - defensive
                msgs.append(f"repeat photo {r.name} not used: it could not be aligned ({exc})")
                continue
            repeat_changes.append({k: v[2] for k, v in rp.values.items()})
    if repeat_changes:
        floors = noise_floors_from_repeats(repeat_changes, defaults)
        source = f"repeats ({len(repeat_changes)} pair{'s' if len(repeat_changes) > 1 else ''})"
    floors = pose_adjusted_floors(floors, pair.cues)
    for metric, sd in pair.cues.get("pose_sd", {}).items():
        floors[(metric, "mean")] = pose_uncertainty(metric, pair.values[(metric, "mean")][2], sd,
                                                    defaults.get((metric, "mean"), 0.0))
    if status == "ok" and msgs:
        status = "warning"
    refused = status == "refused"
    return Comparison(
        a, b, status, tuple(msgs), changes=_rows(pair.values, floors, refused=refused),
        lifts=pair.lifts, landmark_lifts=pair.landmark_lifts, noise_floors=floors, noise_source=source,
        alignment=pair.alignment, grid=pair.grid, lift_map_mm=pair.lift_map_mm,
        before_grid=pair.before_grid, after_grid=pair.after_grid, region_masks=pair.masks,
        after_points=pair.after_points, flow_mm=pair.flow_mm, cues=pair.cues,
    )


# -----------------------------------------------------------------------------
# overlay image
# -----------------------------------------------------------------------------

_BEFORE_COLOUR = "#00d8ff"
_AFTER_COLOUR = "#ff2bd6"


def summary_lines(c: Comparison) -> list[str]:
    """Short plain-language summary: status, messages and the lifts (for the CLI and the overlay)."""
    out = [f"status: {c.status}" + (f" - {len(c.messages)} message(s)" if c.messages else "")]
    out += [f"  ! {m}" for m in c.messages]
    if c.status == "refused" or not c.lifts:
        return out
    for region in REGIONS:
        row = c.get(f"{region}_lift_mm", "mean")
        r, l_ = c.get(f"{region}_lift_mm", "right"), c.get(f"{region}_lift_mm", "left")
        out.append(f"  {region.replace('_', ' ')} lift: {row.change:+.2f} mm ({row.verdict}; noise floor "
                   f"{row.noise_floor:.2f} mm); right {r.change:+.2f} ({r.verdict}), left {l_.change:+.2f} ({l_.verdict})")
    p, y, r, d = (c.get(m, "mean") for m in POSE_METRICS)
    if np.isfinite(p.change):
        out.append(f"  pose change (corrected for): pitch {p.change:+.2f} ± {p.noise_floor:.2f} deg (chin up > 0), "
                   f"yaw {y.change:+.2f} ± {y.noise_floor:.2f} deg, roll {r.change:+.2f} ± {r.noise_floor:.2f} deg, "
                   f"camera distance {d.change:+.1f} ± {d.noise_floor:.1f} %")
    for side in _RL:
        d, k = c.get("nlf_depth", side), c.get("nlf_contrast_pct", side)
        out.append(f"  nasolabial fold {side}: depth index {d.before:.1f} → {d.after:.1f} ({d.verdict}), "
                   f"contrast {k.before:.1f} → {k.after:.1f} % ({k.verdict})")
    out.append(f"  noise floors: {c.noise_source}"
               + ("; the defaults hold for an unchanged pose and expression: take two or more photos of "
                  "each state (--before-repeat / --after-repeat) to measure your own" if c.noise_source == "default" else ""))
    return out


def comparison_overlay(c: Comparison, dpi: int = 100) -> np.ndarray:
    """Before and aligned after side by side with both jaw contours, and a heat
    map of the vertical displacement (mm) with a colour bar.

    Parameters
    ----------
    c : Comparison
        A comparison with an alignment (``c.grid`` is not None).
    dpi : int
        Resolution of the rendered figure.

    Returns
    -------
    ndarray, shape (h, w, 3), uint8 RGB
        About 1650 x 760 px at ``dpi=100``.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    if c.grid is None:
        raise ValueError("no alignment to draw: the comparison was refused before alignment")
    grid = c.grid
    frame = c.before.frame
    # both contours from the landmarks alone (the after photo has no refined contour in this frame)
    jb = grid.from_px(jaw_metrics(c.before.points, frame).contour_px)
    ja = grid.from_px(jaw_metrics(c.after_points, frame).contour_px)
    fig = Figure(figsize=(16.5, 7.6 + 0.2 * min(len(c.messages), 5)), dpi=dpi)
    FigureCanvasAgg(fig)
    axes = fig.subplots(1, 3, gridspec_kw=dict(width_ratios=(1, 1, 1.18)))
    for ax, img, title in ((axes[0], c.before_grid, f"before: {c.before.name}"),
                           (axes[1], c.after_grid, f"after (aligned): {c.after.name}")):
        ax.imshow(img)
        ax.plot(jb[:, 0], jb[:, 1], color=_BEFORE_COLOUR, lw=1.6, label="jaw contour before")
        ax.plot(ja[:, 0], ja[:, 1], color=_AFTER_COLOUR, lw=1.6, ls="--", label="jaw contour after")
        ax.set_title(title, fontsize=10)
        ax.set_axis_off()
    axes[0].legend(loc="lower left", fontsize=8, framealpha=0.8)
    grey = cv2.cvtColor(c.before_grid, cv2.COLOR_RGB2GRAY)
    ax = axes[2]
    ax.imshow(grey, cmap="gray", vmin=0, vmax=255)
    lm = c.lift_map_mm
    finite = np.abs(lm[np.isfinite(lm)])
    vmax = float(max(0.5, np.percentile(finite, 99) if finite.size else 0.5))
    im = ax.imshow(lm, cmap="RdBu_r", vmin=-vmax, vmax=vmax, alpha=0.75)
    for (region, side), mask in c.region_masks.items():
        cs = cv2.findContours(mask.astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)[0]
        for cnt in cs:
            p = cnt[:, 0]
            ax.plot(np.r_[p[:, 0], p[0, 0]], np.r_[p[:, 1], p[0, 1]], color="k", lw=0.7)
    ax.plot(jb[:, 0], jb[:, 1], color=_BEFORE_COLOUR, lw=1.2)
    jl = c.get("jawline_lift_mm", "mean")
    ax.set_title(f"vertical displacement after → before (regions outlined)\njawline lift {jl.change:+.2f} mm "
                 f"({jl.verdict}, noise floor {jl.noise_floor:.2f} mm)", fontsize=10)
    ax.set_axis_off()
    cb = fig.colorbar(im, ax=ax, fraction=0.046, pad=0.02)
    cb.set_label("vertical displacement, mm  (+ up = lift, − down = sag)")
    colour = "#b00000" if c.status != "ok" else "#006000"
    fig.suptitle(f"{c.status.upper()}: {c.before.name} → {c.after.name}  (noise floors: {c.noise_source})",
                 fontsize=11, color=colour)
    lines = []
    for m in c.messages[:5]:
        lines += textwrap.wrap(m, 210, initial_indent="• ", subsequent_indent="   ")
    bottom = min(0.02 + 0.022 * len(lines), 0.3)
    if lines:
        fig.text(0.01, bottom - 0.01, "\n".join(lines), fontsize=8.5, color=colour, va="top", ha="left")
    fig.tight_layout(rect=(0, bottom, 1, 0.95))
    canvas = fig.canvas
    canvas.draw()
    return np.asarray(canvas.buffer_rgba())[..., :3].copy()
