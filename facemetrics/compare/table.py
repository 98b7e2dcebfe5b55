"""The comparison's rows: which metrics, their units and verdict words, and the result types
(:class:`Change`, :class:`Alignment`, :class:`Comparison`).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field

import cv2
import numpy as np

from .. import align as al
from ..analyze import PhotoAnalysis
from .._version import __version__
from ..reprs import short_repr
from ..schema import COMPARISON_COLUMNS as COLUMNS, COMPARISON_CSV_COLUMNS as CSV_COLUMNS
from .floors import _floor_key
from .regions import REGIONS, _RL, _RLM


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


#: a change whose magnitude is below this, in its row's unit (mm, mm2, deg, pct, index), is written as
#: exactly 0.0 (:func:`_rows`): floating-point error in a change that is 0 by construction (a picture
#: compared with itself read -8e-15 mm, 3e-14 deg), never a measurement (the finest floors are
#: hundredths of their unit)
EXACT_ZERO = 1e-9


#: the verdict of a row whose change the pair's own checks say cannot be read (the value is kept,
#: no claim is made): every row but the pose rows (:data:`LOWER_FACE_KINDS`) when the upper faces
#: match only roughly after alignment (:func:`facemetrics.compare.gate.registration_uncertain`: what
#: moved on the lower face may be misregistration), the face is cut by the image edge in either photo
#: (:func:`facemetrics.compare.gate.face_cut`) or the lips' shape changed
#: (:func:`facemetrics.compare.gate.lip_shape_changes`) or the camera distance or head pose changed beyond
#: what the correction was checked on (:func:`facemetrics.compare.gate.camera_beyond_checked`,
#: :func:`facemetrics.compare.gate.pose_beyond_checked`); the
#: fold rows of a black-and-white photo against a colour one
UNCERTAIN = "uncertain"


#: kinds of row (:data:`VERDICT_WORDS`) whose value depends on the registration of the two
#: photos (the dense-flow and landmark lifts, the fold's depth and contrast scored along the
#: before photo's line carried onto the after photo)
REGISTERED_KINDS = ("lift", "fold")


#: kinds of row read from the lower face's (and the cheeks') landmarks or registration: the lifts and
#: folds, the fold's length (scored along the same carried line) and the per-photo metrics (jaw height,
#: width and angle, lower-face area, jowl sag, mouth-corner and cheek heights: the after photo's
#: landmarks carried into the before photo's frame, the same landmarks the landmark lifts read, so
#: ``mouth_corner_height_mm``'s change is ``-mouth_corner_lift_landmarks_mm``'s).  Every kind but the
#: pose rows', which are fitted on the rigid upper face and the nose.
LOWER_FACE_KINDS = ("lift", "fold", "length", "metric")


@dataclass(frozen=True)
class MetricSpec:
    """One metric of ``comparison.csv``: name, unit, kind (verdict words) and sides."""

    metric: str
    unit: str
    kind: str
    sides: tuple[str, ...]


METRICS: tuple[MetricSpec, ...] = (
    *(MetricSpec(f"{r}_lift_mm", "mm", "lift", _RLM) for r in REGIONS),
    *(MetricSpec(f"{r}_lift_landmarks_mm", "mm", "lift", _RLM) for r in REGIONS),
    MetricSpec("nlf_depth", "index", "fold", _RL),
    MetricSpec("nlf_contrast_pct", "pct", "fold", _RL),
    MetricSpec("nlf_length_mm", "mm", "length", _RL),
    MetricSpec("jawline_height_mm", "mm", "metric", _RLM),
    MetricSpec("jaw_width_mm", "mm", "metric", ("mean",)),
    MetricSpec("jaw_width_flow_mm", "mm", "metric", ("mean",)),
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
        ``increase``/``decrease``, ``within_noise``, ``uncertain`` (no claim:
        e.g. any row but the pose rows of a pair whose upper faces match only
        roughly after alignment, whose face is cut by the image edge or whose
        lips changed shape: :data:`UNCERTAIN`), or ``refused``.
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
        The rows of the comparison table (:meth:`to_frame`; ``comparison.csv`` is
        :meth:`to_csv_frame`), in
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
        ``"default"``, ``"default (n repeat photos not used)"`` (repeats were given and none
        could be used: the messages say why) or ``"repeats (n pairs)"``.
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
        :func:`pose_floor_terms`), ``rigid_block_sd_mm`` and ``principal_row_floor``
        (per per-photo metric and side, in its unit: what the pose fit repeated at the face's
        centre changes in it; :func:`pose_adjusted_floors`), ``principal_pitch_deg`` and
        ``principal_yaw_deg`` (that repeated fit's angles, deg; absent when it failed:
        :func:`pose_row_floor_terms`), ``pose_fits_failed`` (the extra fits that failed,
        :attr:`facemetrics.pose3d.PoseFit.failed`: their floor terms are missing, and a message says so),
        ``fold_depth_along_reference`` (``{"right"|"left": change}``, depth-index units: the fold depth change along
        the before photo's reference line carried by :func:`facemetrics.compare.measure.fold_carry`, the line stability check's second reading:
        :func:`facemetrics.compare.gate.fold_line_disagreements`), ``fold_contrast_sides_change_pct``
        (``{"right"|"left": (medial, lateral)}``, %: the change of the contrast's two skin references, 4 mm either
        side of the line, after against before: :func:`facemetrics.compare.gate.fold_contrast_side_rows`).
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

    def __repr__(self) -> str:
        """The two photos' names, the status, the messages, the table's size and the mean lift of each region
        (mm, positive = up; None for a refused comparison, whose table carries no change); arrays and the two
        analyses are left out (:mod:`facemetrics.reprs`): :meth:`to_frame` has every row."""
        mean_lifts = None if self.status == "refused" else {
            r: round(float(v["mean"]), 2) for r, v in self.lifts.items() if isinstance(v, dict) and "mean" in v}
        return short_repr(self, {"before": self.before.name, "after": self.after.name, "status": self.status,
                                 "messages": self.messages, "rows": len(self.changes),
                                 "noise_source": self.noise_source, "lifts_mean_mm": mean_lifts})

    @property
    def ok(self) -> bool:
        return self.status != "refused"

    def to_frame(self):
        """The comparison table (pandas DataFrame): columns exactly :data:`COLUMNS`, one row per (metric, side);
        ``comparison.csv`` adds its provenance columns (:meth:`to_csv_frame`)."""
        import pandas as pd

        return pd.DataFrame([dataclasses.astuple(c) for c in self.changes], columns=COLUMNS)

    def to_csv_frame(self, before_photo: str | None = None, after_photo: str | None = None):
        """The ``comparison.csv`` file (pandas DataFrame): :meth:`to_frame`'s rows, the mm scale's share of
        each change's uncertainty (``change_scale_sd``, :meth:`change_scale_sds`), and on every row
        which photos (as given, and exactly: their files' SHA-256 and EXIF capture times), the
        comparison's ``status`` and ``messages`` and the facemetrics version;
        columns exactly :data:`facemetrics.schema.COMPARISON_CSV_COLUMNS`.  What ``facemetrics
        compare`` writes and the app offers as a download; a refused comparison keeps its rows
        (verdict ``refused``) with the reasons in ``messages``.

        Parameters
        ----------
        before_photo, after_photo : str, optional
            The photos as the user gave them (a command-line path, an upload's name); default
            the analyses' ``name``.

        Returns
        -------
        pandas.DataFrame, one row per (metric, side)
        """
        frame = self.to_frame()
        frame["change_scale_sd"] = self.change_scale_sds()
        frame["before_photo"] = self.before.name if before_photo is None else str(before_photo)
        frame["after_photo"] = self.after.name if after_photo is None else str(after_photo)
        for role, analysis in (("before", self.before), ("after", self.after)):
            frame[f"{role}_sha256"], frame[f"{role}_taken_at"] = _identity(analysis)
        frame["status"] = self.status
        frame["messages"] = "; ".join(self.messages)
        frame["facemetrics_version"] = __version__
        return frame[CSV_COLUMNS]

    @property
    def scale_uncertainty_pct(self) -> float:
        """The relative uncertainty (1 SD, %) of the mm scale every mm row of this comparison is read in:
        the before photo's (``before.calibration.uncertainty_pct``; the after photo's landmarks and image
        are carried into the before photo's frame, so its own scale sets no millimetre: docs/compare.md
        'Which mm scale a change is read in').  NaN when the before photo has no calibration or the user
        gave ``mm_per_px`` (no uncertainty stated)."""
        cal = getattr(self.before, "calibration", None)
        pct = getattr(cal, "uncertainty_pct", None)
        return float(pct) if pct is not None else float("nan")

    def change_scale_sds(self) -> tuple[float, ...]:
        """The mm scale's share of each row's uncertainty (:func:`change_scale_sd` of the row's change and
        unit at :attr:`scale_uncertainty_pct`), in :attr:`changes` order; ``comparison.csv``'s
        ``change_scale_sd``.  It does not enter the verdicts: a scale error multiplies the change, so it
        cannot make a zero change non-zero.

        Returns
        -------
        tuple of float, one per row of :attr:`changes`, in the row's unit (NaN where it does not apply)
        """
        pct = self.scale_uncertainty_pct
        return tuple(change_scale_sd(c.change, c.unit, pct) for c in self.changes)

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


def _identity(analysis: PhotoAnalysis) -> tuple[str, str]:
    """``(sha256, taken_at)`` of an analysed photo: its file bytes' SHA-256 and its EXIF capture time,
    ISO 8601 as ``photos.csv`` writes it; ``""`` for what is unknown (a photo that could not be read,
    a photo without EXIF time)."""
    ph = analysis.photo
    if ph is None:
        return "", ""
    return ph.sha256 or "", ph.taken_at.isoformat() if ph.taken_at is not None else ""


def change_scale_sd(change: float, unit: str, scale_pct: float) -> float:
    """The mm scale's share of a change's uncertainty (1 SD, in the change's unit).

    Every millimetre of a comparison is read in one scale (the before photo's), so a scale error
    ``e`` (relative) makes a change of ``c`` mm read ``c (1 + e)`` and one of ``c`` mm2 read
    ``c (1 + e)^2 ~ c (1 + 2 e)``: the change is off by ``|c| x pct / 100`` (mm) or
    ``|c| x 2 pct / 100`` (mm2, to first order).  The noise floor (measured on no-change pairs, where
    the scale has no effect) does not contain it.

    Parameters
    ----------
    change : float
        The row's change, in ``unit``.
    unit : str
        The row's unit: ``mm`` or ``mm2`` (others: ``index``, ``deg``, ``pct`` carry no mm scale).
    scale_pct : float
        The scale's relative uncertainty, 1 SD, % (``mm_per_px_uncertainty_pct``).

    Returns
    -------
    float
        ``>= 0``, in ``unit``; NaN for a unit without a mm scale, an unknown (NaN) change or
        ``scale_pct`` (a scale the user gave without an uncertainty).
    """
    power = {"mm": 1, "mm2": 2}.get(unit)
    if power is None or not np.isfinite(change) or scale_pct is None or not np.isfinite(scale_pct):
        return float("nan")
    return abs(float(change)) * power * float(scale_pct) / 100.0


def float_or_nan(v) -> float:
    """``v`` as a float; NaN for None, text or anything else that is not a number (a table cell, a dict's
    value: the one rule of :mod:`facemetrics.report`, :mod:`facemetrics.capture`, the baselines' disagreement
    and the app)."""
    try:
        return float(v)
    except (TypeError, ValueError):
        return math.nan


def row_scale_sd(m: dict, scale_pct=math.nan) -> float:
    """The mm scale's share of a comparison row's uncertainty (1 SD, in the row's unit): ``comparison.csv``'s
    ``change_scale_sd``, the row's own when it carries one (:func:`with_scale_sds`), else
    :func:`change_scale_sd` of its ``change`` and ``unit`` at ``scale_pct`` (the
    before photo's ``mm_per_px_uncertainty_pct``, %; NaN: unknown).

    Parameters
    ----------
    m : dict
        One row of a comparison's result (``change``, ``unit``, optional ``change_scale_sd``).
    scale_pct : float, optional
        The before photo's mm scale uncertainty, 1 SD, %.

    Returns
    -------
    float
        ``>= 0`` in the row's unit; NaN for an ``index`` / ``deg`` / ``pct`` row, a change not measured or an
        unknown scale uncertainty (a scale the user gave).
    """
    if m.get("change_scale_sd") is not None:
        return float_or_nan(m["change_scale_sd"])
    return change_scale_sd(float_or_nan(m.get("change")), str(m.get("unit") or ""), float_or_nan(scale_pct))


def with_scale_sds(result: dict, scale_pct=math.nan) -> dict:
    """``result`` (a comparison's result as the batch's cache holds it) with each row's ``change_scale_sd``
    (:func:`row_scale_sd`) at its ``scale_uncertainty_pct`` (the comparison's
    :attr:`~facemetrics.compare.Comparison.scale_uncertainty_pct`, stored with it since 2026-12-05), or at
    ``scale_pct`` when it holds none (a result cached before: the before photo's ``mm_per_px_uncertainty_pct``,
    the same number for a photo of one face).  A new dict; ``result`` is not changed."""
    pct = result.get("scale_uncertainty_pct", scale_pct)
    return dict(result, rows=[dict(m, change_scale_sd=row_scale_sd(m, pct)) for m in result.get("rows") or ()])


def verdict(kind: str, change: float, floor: float) -> str:
    """``within_noise`` when ``|change| <= floor``, else the kind's word for the sign; ``uncertain``
    when the floor is unknown (NaN: e.g. a pose fit whose matrix was singular), since a change
    without its uncertainty cannot be judged."""
    if not np.isfinite(change):
        return ""
    if not np.isfinite(floor):
        return UNCERTAIN
    if abs(change) <= floor:
        return WITHIN_NOISE
    up, down = VERDICT_WORDS[kind]
    return up if change > 0 else down


def _rows(values: dict, floors: dict, refused: bool = False,
          uncertain: bool | tuple[str, ...] = False) -> tuple[Change, ...]:
    """The table's rows; ``uncertain``: the rows of :data:`REGISTERED_KINDS` (True), or of the
    kinds given (a tuple, e.g. ``("fold",)`` or :data:`LOWER_FACE_KINDS`), or single rows given as
    ``(metric, side)`` pairs in that tuple (:mod:`facemetrics.compare.occlusion`), with a value get the
    verdict :data:`UNCERTAIN` instead of one read against their floor."""
    kinds = REGISTERED_KINDS if uncertain is True else tuple(uncertain or ())
    out = []
    nan = float("nan")
    for spec in METRICS:
        for side in spec.sides:
            fl = floors.get(_floor_key(spec.metric, side), nan)
            if refused or (spec.metric, side) not in values:
                out.append(Change(spec.metric, side, spec.unit, nan, nan, nan, fl, "refused" if refused else ""))
                continue
            b, a, c = values[(spec.metric, side)]
            c = 0.0 if abs(c) < EXACT_ZERO else c  # floating error in a change 0 by construction (NaN kept)
            word = verdict(spec.kind, c, fl)
            if word and (spec.kind in kinds or (spec.metric, side) in kinds):
                word = UNCERTAIN
            out.append(Change(spec.metric, side, spec.unit, b, a, c, fl, word))
    return tuple(out)
