"""One photo in, calibrated jawline and nasolabial-fold metrics out.

:func:`analyze_photo` never raises for a bad photo: the result's ``status``
says what went wrong (see :mod:`facemetrics.schema`), so a batch goes on.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

import numpy as np
from PIL import Image

from . import sharing
from ._version import __version__
from .errors import FacemetricsError, SettingError, check_flag, legible
from .align import GlassesFound, find_glasses
from .eyes import ONE_EYE_MIN_SPREAD, EyeVisibility, iris_visibility, scale_warning
from .folds import FoldMetrics, fold_metrics
from .geometry import (
    LOWER_OVAL, SPREAD_WARN, Calibration, Frame, IrisPlausibility, calibrate, face_rotation_deg, head_pose,
    iris_plausibility, iris_plausibility_warning, levelled_frame,
)
from .jaw import JawMetrics, jaw_metrics
from .landmarks import cut_face_edges, detect_landmarks, detection_input, mirrored_landmarks, orientation_scores
from .loader import (FileNote, Photo, check_source_type, file_notes, label_text, load_photo, read_taken_at,
                     value_range_note)
from .occlusion import PhotoOcclusion, occlusion_warnings, photo_occlusion
from .reprs import short_repr
from .rounding import fixed_uncertainty
from .quality import (
    HARD_MAX_PITCH_DEG, HARD_MAX_FACE_ROTATION_DEG, HARD_MAX_YAW_DEG, MIN_FACE_WIDTH_PX, Quality, expression, image_quality,
    MIN_FACE_OPACITY, ORIENTATION_UNSURE, TRANSPARENT_FACE_FRACTION, colour_fraction, cut_landmarks, face_opacity,
    IPD_COVERAGE_K, quality_flags, smile_score, smile_terms,
)
from .schema import JAW_RATIOS, NLF_RATIOS, PHOTO_COLUMNS
from .threads import single_blas_thread

# --- plausible user settings (checked before any photo is read) ------------------
#: width of an adult face's lower oval (Face Mesh LOWER_OVAL, the ``face_width_px`` column), mm:
#: what a given ``mm_per_px`` is checked against
TYPICAL_FACE_WIDTH_MM = 140.0
#: the widest face, px of the original photo, a given ``mm_per_px`` may imply
MAX_FACE_WIDTH_PX = 20_000
#: ``mm_per_px`` a user may give: a :data:`TYPICAL_FACE_WIDTH_MM` face spans from
#: :data:`MAX_FACE_WIDTH_PX` down to :data:`~facemetrics.quality.MIN_FACE_WIDTH_PX` (0.007-0.933 mm/px)
USER_MM_PER_PX_RANGE = (TYPICAL_FACE_WIDTH_MM / MAX_FACE_WIDTH_PX, TYPICAL_FACE_WIDTH_MM / MIN_FACE_WIDTH_PX)
#: ``ipd_mm`` a user may give: children from about 5 years to the widest adults (wider than
#: :data:`facemetrics.geometry.IPD_RANGE_MM`, the adult range that only warns)
USER_IPD_RANGE_MM = (40.0, 90.0)
#: a photo whose second-largest face is at least this share of the largest (size: the square root of the
#: landmarks' bounding-box area, :attr:`~facemetrics.landmarks.FaceLandmarks.second_face_share`) is not
#: measured (status ``several_faces``): which face is "the largest" is then chance.  1 - 2 d, d = 0.92 % the
#: largest size difference between two detections of one face (re-saves and rescales of the astronaut:
#: ``bench/bench_several_faces.py``, docs/robustness.md 'Several faces of similar size'); a clearly
#: smaller second face (a poster, someone behind) is measured with a warning
SEVERAL_FACES_SHARE = 0.98


def check_mm_per_px(mm_per_px: float | None) -> float | None:
    """``mm_per_px`` as a float, or :class:`~facemetrics.errors.SettingError` when it is not a
    finite number in :data:`USER_MM_PER_PX_RANGE` (None, not given, passes)."""
    return _check_setting("mm_per_px", mm_per_px, USER_MM_PER_PX_RANGE, "mm per pixel of the original photo",
                          f"a face about {TYPICAL_FACE_WIDTH_MM:.0f} mm wide is then {MIN_FACE_WIDTH_PX} to "
                          f"{MAX_FACE_WIDTH_PX} px wide")


def check_ipd_mm(ipd_mm: float | None) -> float | None:
    """``ipd_mm`` as a float, or :class:`~facemetrics.errors.SettingError` when it is not a
    finite number of millimetres in :data:`USER_IPD_RANGE_MM` (None passes)."""
    return _check_setting("ipd_mm", ipd_mm, USER_IPD_RANGE_MM, "mm between the pupils",
                          "children's and adults' inter-pupillary distances; in mm, not cm")


def _check_setting(name: str, value, bounds: tuple[float, float], unit: str, why: str) -> float | None:
    if value is None:
        return None
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise SettingError(f"{name} must be a number ({unit}), not {value!r}") from None
    lo, hi = bounds
    if not (np.isfinite(v) and lo <= v <= hi):
        raise SettingError(f"{name} {value!r} is not in {lo:.3g}-{hi:.3g} {unit} ({why})")
    return v


@dataclass(frozen=True, eq=False)
class PhotoAnalysis:
    """Everything measured on one photo.

    Geometry (``points``, ``jaw.contour_px``, fold lines) is in pixels of
    ``photo.rgb``, the analysed image, which may be a reduced decode of the
    original file: multiply by ``photo.scale`` for pixels of the original
    photo (:meth:`geometry` does this).  ``calibration.mm_per_px`` is per
    analysed pixel too.

    Attributes
    ----------
    photo : Photo or None
        The loaded photo (None when it could not be read).
    name : str
        Photo name used in the ``photo`` column.
    status : str
        ``"ok"`` or the failure status.
    error : str
        Why the photo was not measured ("" when ``status == "ok"``).
    warnings : tuple of str
        Notes that did not stop the measurement (a doubtful iris scale, several
        faces found, a multi-page file cut to its first page, ...); one sentence each.
    subject : str or None
        The ``subject`` given to :func:`analyze_photo`.
    points : ndarray, shape (478, 3) or None
        Face Mesh landmarks ``(x, y, z)``, px of ``photo.rgb`` (``z`` in the same
        px scale, relative depth, larger = further from the camera).
    n_faces : int
        Faces found in the photo (the largest is measured; 0 when none was found
        or the photo was not read).
    calibration, frame, quality, jaw, nlf_right, nlf_left
        Partial results; None when not reached.  ``jaw``: :class:`~facemetrics.jaw.JawMetrics`;
        ``nlf_right`` / ``nlf_left``: :class:`~facemetrics.folds.FoldMetrics` of the subject's sides.
    extra : dict
        Intermediate results kept for the comparison (``"eyes"``: the iris visibility; ``"iris_check"``: the
        iris size against the eye width, :func:`~facemetrics.geometry.iris_plausibility`; ``"occlusion"``: the
        per-photo cover check, :func:`~facemetrics.occlusion.photo_occlusion`, read by :attr:`occlusion` and
        written as ``covered_columns``; ``"face"``: which face by size was measured, 0 the largest;
        ``"faces_x"``: each face's centre x, px, largest first; ``"second_face_share"``: the second face's
        size over the largest's; ``"glasses"``, with no iris visible: the dark glasses found,
        :class:`~facemetrics.align.GlassesFound`); not part of the output columns.
    header_taken_at : datetime or None
        The capture time read from the file's header when the photo itself could not
        be decoded (so that a failure row still carries its ``taken_at``); None otherwise.

    ``points`` is read-only (a frozen result: editing it in place would change what
    :meth:`to_row` and a later comparison read); ``photo.rgb`` stays writeable.
    """

    photo: Photo | None
    name: str
    status: str = "ok"
    error: str = ""
    warnings: tuple[str, ...] = ()
    subject: str | None = None
    points: np.ndarray | None = None
    n_faces: int = 0
    calibration: Calibration | None = None
    frame: Frame | None = None
    quality: Quality | None = None
    jaw: JawMetrics | None = None
    nlf_right: FoldMetrics | None = None
    nlf_left: FoldMetrics | None = None
    extra: dict = field(default_factory=dict)
    header_taken_at: datetime | None = None

    def __setstate__(self, state: dict) -> None:
        """Unpickled or deep-copied (``st.cache_data`` pickles what it keeps): ``points`` read-only again."""
        self.__dict__.update(state)
        if isinstance(self.points, np.ndarray):
            self.points.flags.writeable = False

    def __repr__(self) -> str:
        """The name, status, error, subject, faces found, mm per original px, the jawline height (mm) and the
        warnings; `points` by shape, the photo by its own short repr (:mod:`facemetrics.reprs`); every
        figure is in :meth:`to_row`."""
        fields = {"name": self.name, "status": self.status, "error": self.error, "subject": self.subject,
                  "n_faces": self.n_faces, "mm_per_px": self.mm_per_px,
                  "jawline_height_mm": self.jaw.jawline_height_mm if self.jaw is not None else None,
                  "points": self.points, "warnings": self.warnings}
        return short_repr(self, fields)[:-1] + f", photo={self.photo!r})"

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    @property
    def occlusion(self) -> PhotoOcclusion | None:
        """The per-photo cover check (:func:`facemetrics.occlusion.photo_occlusion`: which regions the jaw and
        fold columns are read from look covered); None when the photo was not measured."""
        return self.extra.get("occlusion") if self.extra else None

    @property
    def taken_at(self) -> datetime | None:
        """The capture time: the photo's (EXIF), or for a file that could not be decoded the
        time in its surviving header (a truncated JPEG keeps it; :func:`~facemetrics.loader.read_taken_at`)."""
        return self.photo.taken_at if self.photo is not None else self.header_taken_at

    @property
    def lens(self) -> str | None:
        """The lens named in the photo's EXIF (:attr:`~facemetrics.loader.Photo.lens`); None when not named
        or the photo was not decoded."""
        return self.photo.lens if self.photo is not None else None

    @property
    def focal_length_35mm(self) -> float | None:
        """The photo's EXIF 35 mm-equivalent focal length, mm (:attr:`~facemetrics.loader.Photo.focal_length_35mm`);
        None when absent or the photo was not decoded."""
        return self.photo.focal_length_35mm if self.photo is not None else None

    @property
    def jpeg_quality(self) -> float:
        """The JPEG quality (1..100) the photo was saved at, read from its quantization table
        (:attr:`~facemetrics.loader.Photo.jpeg_quality`); NaN for other formats or when not decoded."""
        return self.photo.jpeg_quality if self.photo is not None else float("nan")

    @property
    def mm_per_px(self) -> float:
        """Millimetres per pixel of the original photo."""
        if self.calibration is None or self.photo is None:
            return float("nan")
        return self.calibration.mm_per_px / self.photo.scale

    def to_row(self) -> dict:
        """One ``photos.csv`` row: a dict with every column of :data:`~facemetrics.schema.PHOTO_COLUMNS`."""
        row = dict.fromkeys(PHOTO_COLUMNS, None)
        ph = self.photo
        row.update(
            photo=self.name, subject=self.subject or "", facemetrics_version=__version__,
            taken_at=_iso(self.taken_at), sha256=ph.sha256 if ph else "",
            pixel_sha256=ph.pixel_sha256 if ph else "",
            status=self.status, error=self.error, warnings="; ".join(self.warnings),
        )
        if ph is not None:
            row.update(image_width_px=ph.original_size[0], image_height_px=ph.original_size[1])
        if self.points is None or ph is None:
            return row
        s = ph.scale
        c = self.calibration
        row.update(
            n_faces=self.n_faces,
            face_width_px=float(np.ptp(self.points[list(LOWER_OVAL), 0]) * s),
            mm_per_px=self.mm_per_px, mm_per_px_uncertainty_pct=c.uncertainty_pct, calibration_source=c.source,
            iris_diameter_right_px=c.iris_diameter_px[0] * s, iris_diameter_left_px=c.iris_diameter_px[1] * s,
            calibration_spread=c.mm_per_px_spread, ipd_px=c.ipd_px * s, ipd_mm=c.ipd_mm,
        )
        q = self.quality
        if q is not None:
            row.update({k: getattr(q, k) for k in (
                "yaw_deg", "pitch_deg", "roll_deg", "sharpness", "face_luminance", "clipped_fraction", "colour_fraction",
                "mouth_opening_mm", "mouth_opening_ratio", "smile_index", "smile_score", "smile_elevation")})
            row["quality_flags"] = "; ".join(q.flags)
            # a photo that was not measured (sideways, turned head ...) is never fit for a comparison
            row["fit_for_comparison"] = q.fit_for_comparison and self.status == "ok"
        eyes = self.extra.get("eyes") if self.extra else None
        if eyes is not None:  # how many irises are in view (facemetrics.eyes): 0 -> the pupils are guessed
            row["irises_visible"] = int(sum(eyes.visible))
        found = self.occlusion
        if found is not None:
            row["covered_columns"] = "; ".join(found.columns)
        if self.jaw is not None:
            for k, v in vars(self.jaw).items():
                if k in row:
                    row[k] = v
            for col in JAW_RATIOS:
                base = col.name.rsplit("_", 1)[0]
                unit = "mm2" if col.name.endswith("_ipd2") else "mm"
                power = 2 if unit == "mm2" else 1
                row[col.name] = row[f"{base}_{unit}"] / c.ipd_mm ** power
        for side, fm in (("right", self.nlf_right), ("left", self.nlf_left)):
            if fm is None:
                continue
            row[f"nlf_depth_{side}"] = fm.depth_index
            row[f"nlf_contrast_{side}_pct"] = fm.contrast_pct
            row[f"nlf_length_{side}_mm"] = fm.length_mm
        for col in NLF_RATIOS:
            base = col.name.rsplit("_", 1)[0]
            if row.get(f"{base}_mm") is not None:
                row[col.name] = row[f"{base}_mm"] / c.ipd_mm
        return row

    def geometry(self) -> dict:
        """Raw geometry in pixels of the original photo, JSON-serialisable (``--geometry``).

        Every file, measured or not, has the provenance and outcome keys of ``photos.csv``:
        ``photo``, ``subject``, ``taken_at``, ``sha256``, ``status``, ``error``,
        ``facemetrics_version``, ``image_width_px``, ``image_height_px`` (empty or None when the
        photo could not be read).  With landmarks found it also has ``mm_per_px`` (mm per px of
        the original photo) and ``mm_per_px_uncertainty_pct``, ``landmarks`` (478 x [x, y, z]),
        ``jaw_contour`` ([[x, y], ...]), ``nlf_right`` / ``nlf_left`` (the subject's sides) each
        with ``region`` (closed polygon) and ``line`` (the fold's centre line) as [[x, y], ...],
        and ``coordinates``: the frame and unit of each of these arrays
        (:data:`GEOMETRY_COORDINATES`, for the keys present).
        """
        ph = self.photo
        out: dict = {
            "photo": self.name, "subject": self.subject or "", "taken_at": _iso(self.taken_at),
            "sha256": ph.sha256 if ph else "", "status": self.status, "error": self.error,
            "facemetrics_version": __version__,
            "image_width_px": ph.original_size[0] if ph else None,
            "image_height_px": ph.original_size[1] if ph else None,
        }
        if self.points is None or ph is None:
            return out
        s = ph.scale
        out["mm_per_px"] = self.mm_per_px
        out["mm_per_px_uncertainty_pct"] = self.calibration.uncertainty_pct if self.calibration else None
        arrays: dict = {"landmarks": np.round(self.points * s, 3).tolist()}
        if self.jaw is not None:
            arrays["jaw_contour"] = np.round(self.jaw.contour_px * s, 2).tolist()
        for side, fm in (("right", self.nlf_right), ("left", self.nlf_left)):
            if fm is not None:
                arrays[f"nlf_{side}"] = {"region": np.round(fm.region_px * s, 2).tolist(),
                                         "line": np.round(fm.line_px * s, 2).tolist()}
        out["coordinates"] = {k: v for k, v in GEOMETRY_COORDINATES.items() if k == "frame" or k in arrays}
        return out | arrays


#: the ``coordinates`` key of :meth:`PhotoAnalysis.geometry`: the frame and unit of each array
#: (``landmarks``: :func:`facemetrics.landmarks.detect_landmarks`, scaled by ``Photo.scale``;
#: ``jaw_contour``: ``JawMetrics.contour_px``; folds: ``FoldMetrics.region_px`` / ``line_px``)
GEOMETRY_COORDINATES = {
    "frame": "px of the original photo turned upright by its EXIF orientation (image_width_px x image_height_px): "
             "x to the right, y down, from the top-left corner; the image plane as photographed, not levelled on "
             "the eyes and not in mm (mm_per_px converts a distance in it to mm at the face)",
    "landmarks": "478 x [x, y, z]: MediaPipe Face Mesh points (468-477 the irises); x, y in px of the frame; z "
                 "Face Mesh's relative depth, in the same px scale as x, smaller = nearer the camera (its zero is "
                 "the model's, not a point of the photo): a model estimate from one photo, not a measured depth",
    "jaw_contour": "K x [x, y] px of the frame: the lower-face contour below the pupil line (the Face Mesh oval "
                   "moved outward, refined onto the jaw-to-neck edge)",
    "nlf_right": "the subject's right fold (image left in an unmirrored photo): region = closed polygon of the "
                 "fold's search band, line = its centre line, each M x [x, y] px of the frame",
    "nlf_left": "the subject's left fold (image right in an unmirrored photo): region = closed polygon of the "
                "fold's search band, line = its centre line, each M x [x, y] px of the frame",
}


def _iso(t: datetime | None) -> str:
    return t.isoformat() if t is not None else ""


def loader_failed(x) -> bool:
    """Could the photo of the analysis ``x`` not be read at all (the loader refused it: missing, not an image,
    truncated, too large, or too small an image), as against a photo read but not measured (no face, a face
    too small, ...)?  `compare` stops with exit status 2 on one.  A loader failure leaves no photo and the
    loader's status (``analyze_photo``); a measurement failure keeps its photo, and ``error`` (facemetrics
    itself failed, a bug) is refused like a photo not measured.  Not a list of statuses: ``too_small`` is
    both the loader's "image is too small: 20x20 pixels" and a face too small to measure."""
    return getattr(x, "photo", None) is None and getattr(x, "status", "ok") not in ("ok", "error")


def read_failure(x) -> str:
    """Why the photo of the analysis ``x`` could not be read, as the CLI and the app both say it:
    ``"cannot be read (empty: file is empty (0 bytes))"`` (its loader status, then its reason without the
    file name ``error`` starts with: the CLI's ``analyze`` line reads ``empty - empty.jpg: file is empty
    (0 bytes)``), by the rule of :func:`loader_failed`; ``""`` for a photo that was read, measured or not
    (no face is no reading failure: a retake can cure it, not another file).  One function for the app's
    photo cards, its *My study* uploads and the CLI (h3, 2026-12-04: the main page said "Cannot be used:
    file is empty (0 bytes)", *My study* "cannot be read (empty: ...)", and the two rules of what "cannot be
    read" is differed on a 20 x 20 px image)."""
    if not loader_failed(x):
        return ""
    return failure_text(x.status, getattr(x, "error", ""), getattr(x, "name", ""), unread=True)


#: what to do with a file the loader refused, by its status (:func:`read_remedy`); a reason that already says
#: it (a too-large image's "save a smaller copy", a 12-bit JPEG's "save an 8-bit copy") keeps its own
READ_REMEDIES = {
    "empty": "the file has no content, as after a failed copy or download: copy the photo again from the phone or "
             "camera and upload that copy",
    "unreadable": "the file is damaged or cut short, as after an interrupted copy or download: copy the photo "
                  "again from the phone or camera (or export it again as JPEG) and upload that copy",
    "too_small": "this is an icon or a thumbnail, not a photo: upload the original photo from the phone or camera",
    "not_an_image": "upload the photo itself, as JPEG, PNG, HEIC or WEBP (export or save it as one)",
}


def read_remedy(x) -> str:
    """What the user can do about a photo that could not be read (:func:`read_failure`), in words for the app's
    photo card: :data:`READ_REMEDIES` of its loader status, or ``""`` when the photo was read, its status has no
    remedy here, or its reason already says what to do (it names a copy to save).  The reasons said what was
    wrong ("truncated JPEG data (no end-of-image marker)", "image is too small: 1x1 pixels") but not what to do
    (h7's browser audit, 2026-12-05)."""
    if not loader_failed(x):
        return ""
    why = str(getattr(x, "error", "") or "")
    if "save a" in why or "save it" in why or why.endswith(("use that", "the photos inside")):
        return ""  # the loader's own remedy: a PDF's "export the photo from it ... and use that" (stop 63)
    return READ_REMEDIES.get(getattr(x, "status", ""), "")


def failure_text(status: str, error, name="", unread: bool = False) -> str:
    """A photo that was not measured, in the one wording of ``analyze``'s progress line, the app, *My study*
    and ``batch``'s ``photos.csv`` / ``report.md``: ``"cannot be read (empty: file is empty (0 bytes))"`` when
    ``unread`` (the loader refused it: :func:`loader_failed`, :func:`row_unread`), else ``"not measured
    (no_face: no face found ...)"`` (read, not measured).  ``error`` (str, or None / NaN: none) loses its
    leading ``"name: "`` (the photo's ``name``, or its path's last part): every line that shows it is titled
    with the photo already (batch's ``excluded`` read "not measured (unreadable: truncated.jpg: ...)" in the
    row of ``S1/rf/truncated.jpg``: stop 44's audit)."""
    why = error if isinstance(error, str) else ""
    for prefix in dict.fromkeys(str(n) for n in (name, os.path.basename(str(name or ""))) if n):
        why = why.removeprefix(f"{prefix}: ")
    return f"{'cannot be read' if unread else 'not measured'} ({status}: {why})"


def row_unread(row: dict) -> bool:
    """:func:`loader_failed` for a ``photos.csv`` row (a dict): a status other than ``ok`` / ``error`` and no
    image size (``image_width_px`` absent, None, "" or NaN: the loader decoded no picture).  ``too_small``
    is a picture too small to read (no size) or a face too small to measure (its picture's size kept)."""
    try:
        sized = math.isfinite(float(row.get("image_width_px")))
    except (TypeError, ValueError):
        sized = False
    return str(row.get("status") or "ok") not in ("ok", "error") and not sized


def _name_of(source) -> str:
    if isinstance(source, (str, os.PathLike)):
        return legible(Path(source).name) if str(source).strip() else "<empty path>"
    if isinstance(source, np.ndarray):
        return "<array>"
    if isinstance(source, Image.Image):
        return "<PIL image>"
    return str(getattr(source, "name", "") or "<bytes>")


def _occlusion(rgb, pts, mm_per_px: float, jaw, right, left,
               eyes: EyeVisibility) -> tuple[PhotoOcclusion, GlassesFound | None]:
    """:func:`~facemetrics.occlusion.photo_occlusion` of the analysed photo; with no iris visible, the dark glasses
    found (:func:`~facemetrics.align.glasses_mask`) are left out of its reference skin (the cheeks below the eyes
    and the nasal bridge, where an aviator's lens, a rim's shadow or the bridge lie: docs/robustness.md 'Dark
    glasses with frames'), and returned (:class:`~facemetrics.align.GlassesFound`, else None) for the comparison's
    cheek check, which reads the same mask of the same photo (:func:`facemetrics.align.found_in`)."""
    glasses = find_glasses(rgb, pts, mm_per_px) if not eyes.any_visible else None
    covered = photo_occlusion(rgb, pts, mm_per_px, jaw.contour_px,
                              (right.region_px if right else None, left.region_px if left else None),
                              exclude=None if glasses is None else glasses.mask())
    return covered, glasses


def analyze_photo(source, *, subject: str | None = None, name: str | None = None,
                  mm_per_px: float | None = None, ipd_mm: float | None = None,
                  fast: bool = True) -> PhotoAnalysis:
    """Measure the jawline, lower face and nasolabial folds on one photo.

    Parameters
    ----------
    source : str, path-like, bytes, file-like, uint8 ndarray, PIL image or Photo
        The photo (see :func:`facemetrics.load_photo`; an array is R, G, B,
        shape (H, W, 3), or (H, W) grey or (H, W, 4) RGBA).
    subject : str, optional
        Subject identifier written to the ``subject`` column (a number is written as its
        text; NaN, a blank pandas cell, as no subject).
    name : str, optional
        Name for the ``photo`` column (default: the file name).
    mm_per_px : float, optional
        Known millimetres per pixel of the original photo (overrides the iris).
    ipd_mm : float, optional
        The subject's known inter-pupillary distance, mm (overrides the iris).
    fast : bool
        Allow the reduced decode of large JPEGs (see :func:`load_photo`).

    Returns
    -------
    PhotoAnalysis
        ``status == "ok"`` when measured; otherwise ``status``/``error`` say why.
        Lengths in mm at the face (``to_row()``: the ``*_mm`` columns, ``mm_per_px``
        and its 1 SD ``mm_per_px_uncertainty_pct``, each beside a scale-free ``*_ipd``
        ratio); geometry (``points`` (478, 3) ``x, y, z``, contours ``(K, 2)`` ``x, y``)
        in px of ``photo.rgb``, x to the right, y down (:meth:`PhotoAnalysis.geometry`
        gives them in px of the original photo, with its ``coordinates`` description).

    Raises
    ------
    SettingError
        ``mm_per_px`` outside :data:`USER_MM_PER_PX_RANGE` or ``ipd_mm`` outside
        :data:`USER_IPD_RANGE_MM`, or ``fast`` not True or False (before the photo is read; a bad
        photo never raises).
    TypeError
        ``source`` of a kind :func:`load_photo` cannot take (e.g. None, a list, a float
        array, a :class:`PhotoAnalysis`): a caller's mistake, raised at once.

    Examples
    --------
    Run from the project folder (the bundled sample photo):

    >>> import facemetrics as fm
    >>> result = fm.analyze_photo("sample_images/astronaut_before.jpg")
    >>> result.status, result.calibration.source, result.points.shape
    ('ok', 'iris', (478, 3))
    >>> row = result.to_row()
    >>> f"jawline height {row['jawline_height_mm']:.0f} mm ± {row['mm_per_px_uncertainty_pct']:.1f} % (1 SD)"
    'jawline height 96 mm ± 4.5 % (1 SD)'
    >>> fm.analyze_photo(b"not a photo").status                # a bad photo is a status, not an exception
    'not_an_image'
    """
    mm_per_px, ipd_mm, fast = check_mm_per_px(mm_per_px), check_ipd_mm(ipd_mm), check_flag(fast, "fast")
    subject, name = label_text(subject, "subject"), label_text(name, "name")
    if isinstance(source, PhotoAnalysis):
        raise TypeError("analyze_photo() got a PhotoAnalysis: that photo is already analysed "
                        "(compare_photos takes it as it is)")
    if not isinstance(source, Photo):
        # a caller's type mistake is a TypeError, not a photo's 'error' row
        check_source_type(source, "analyze_photo() source", also=" or a Photo")
    label = name or (source.name if isinstance(source, Photo) else _name_of(source))
    try:
        photo = source if isinstance(source, Photo) else load_photo(source, name=name, fast=fast)
    except FacemetricsError as exc:
        when = read_taken_at(source) if isinstance(source, (str, os.PathLike)) else None  # never opens a FIFO
        return PhotoAnalysis(None, label, status=exc.status, error=str(exc), subject=subject, header_taken_at=when)
    except Exception as exc:  # noqa: BLE001 - a decoder or check failing in a way not foreseen
        return _internal_error(label, subject, "reading", exc)
    return analyze_loaded(photo, subject=subject, name=label, mm_per_px=mm_per_px, ipd_mm=ipd_mm)


def _internal_error(label: str, subject: str | None, stage: str, exc: Exception) -> PhotoAnalysis:
    """Status ``error``: facemetrics itself failed on this photo (a bug, or memory), said in a row
    like any other failure so that one photo never ends a run with a traceback."""
    return PhotoAnalysis(None, label, status="error", subject=subject,
                         error=f"{label}: facemetrics failed while {stage} this photo ({type(exc).__name__}: "
                               f"{str(exc)[:200]}); please report it with the file if you can share it")


def analyze_loaded(photo: Photo, *, subject: str | None = None, name: str | None = None,
                   mm_per_px: float | None = None, ipd_mm: float | None = None,
                   face: int | None = None) -> PhotoAnalysis:
    """:func:`analyze_photo` for an already loaded :class:`Photo` (raises the same
    :class:`~facemetrics.errors.SettingError` for an implausible ``mm_per_px`` or ``ipd_mm``).

    ``face``: measure that face by size (0 the largest) of a photo with several, as chosen by the caller
    (:func:`facemetrics.compare.faces.matching_face`): neither the ``several_faces`` status nor the
    'measured the largest' warning then applies (the caller says which face it measured and why);
    status ``no_face`` when the photo has fewer faces.  ``None`` (default): the largest, by the rules of
    :func:`analyze_photo`."""
    mm_per_px, ipd_mm = check_mm_per_px(mm_per_px), check_ipd_mm(ipd_mm)
    try:
        with single_blas_thread():  # the same BLAS thread count in every process (facemetrics.threads)
            return _analyze(photo, subject, name, mm_per_px, ipd_mm, face)
    except Exception as exc:  # noqa: BLE001 - see _internal_error
        return _internal_error(name or photo.name, subject, "measuring", exc)


def _upside_down(rgb: np.ndarray) -> bool:
    """Is the photo upside down?  Face Mesh fits an upright face to an upside-down one (eyes on
    the eyes, the mouth on the forehead), so its landmarks look upright; MediaPipe's face detector,
    trained on upright faces, is asked instead (:func:`facemetrics.landmarks.orientation_scores`):
    the photo is upside down when the detector is surer of the picture turned by 180 deg than of
    the picture as it is (the short-range model's scores, with the full-range model's added when
    they differ by less than :data:`~facemetrics.quality.ORIENTATION_UNSURE`)."""
    small = detection_input(rgb)  # reduced once for both detectors
    as_is, turned = orientation_scores(small)
    d = as_is - turned
    if abs(d) < ORIENTATION_UNSURE:
        as_is, turned = orientation_scores(small, "full")
        d += as_is - turned
    return d < 0


def _no_face_error(label: str, alpha: np.ndarray | None, frames: str = "", cut: tuple[str, ...] = ()) -> str:
    """The ``no_face`` sentence; with partly transparent pixels (:attr:`~facemetrics.loader.Photo.alpha`)
    it says how much of the picture is transparent (the face may be hidden by it); in a file of several
    pages / frames / images (``frames``, the loader's note) it says which one was looked at; with the
    edges a face found in the picture widened by a grey border crosses (``cut``,
    :func:`facemetrics.landmarks.cut_face_edges`) it says the face may be cut off by them."""
    seen = "" if alpha is None else (
        f"; {100 * np.mean(alpha < 255):.0f} % of the picture is transparent or partly transparent (alpha "
        "channel, shown on white): the face may be hidden, use the photo without transparency")
    if frames:
        seen += (f"; {frames.replace(' was measured', ' was looked at')}: save the picture with the face as "
                 "a photo of its own")
    if cut:
        return (f"{label}: no face found; the face may be cut off by the image's {' and '.join(cut)} "
                f"edge{'s' if len(cut) > 1 else ''} (a face shows when the picture is widened with a grey "
                f"border, reaching beyond it): use a photo with the whole face in the frame{seen}")
    return f"{label}: no face found (is the face visible, frontal and well lit?){seen}"


def _transparency(alpha: np.ndarray, pts: np.ndarray, label: str, warnings: list[str]) -> str:
    """A photo with partly transparent pixels (:attr:`~facemetrics.loader.Photo.alpha`, composited on
    white): the refusal's sentence when the face's mean opacity is below
    :data:`~facemetrics.quality.MIN_FACE_OPACITY`, else "" (a warning is appended to ``warnings``: that
    the face is partly transparent when more than :data:`~facemetrics.quality.TRANSPARENT_FACE_FRACTION`
    of it is not opaque, else that the background is, docs/robustness.md "Transparent photos")."""
    fraction, opacity = face_opacity(alpha, pts)
    if not fraction > TRANSPARENT_FACE_FRACTION:  # a transparent background only (a cut-out), or NaN
        part = float(np.mean(alpha < 255))
        share = f"{100 * part:.0f} %" if part >= 0.005 else "less than 1 %"
        warnings.append(f"{share} of the picture is transparent (alpha channel, shown on white; the face is "
                        "opaque): the jaw edge is read against white where the background was cut away, so "
                        "compare it with photos cut out alike")
        return ""
    if opacity < MIN_FACE_OPACITY:
        return (f"{label}: the face is mostly transparent (alpha channel: mean opacity {100 * opacity:.0f} % over "
                f"the face, below {100 * MIN_FACE_OPACITY:.0f} %): shown on white it is too faded to measure; "
                "use the photo without transparency")
    warnings.append(f"{100 * fraction:.0f} % of the face is partly transparent (alpha channel, mean opacity "
                    f"{100 * opacity:.0f} % over the face): shown on white it is a faded copy of the photo, so the "
                    "fold depth and contrast read lower (on real faces at 90 % opacity about 0.8 times, at 50 % "
                    "about a third) and the jaw and the mm scale move; use the photo without transparency")
    return ""


def _scale(rgb: np.ndarray, pts: np.ndarray, yaw: float, mm_per_px: float | None,
           ipd_mm: float | None) -> tuple[Calibration, EyeVisibility, IrisPlausibility, list[str]]:
    """The photo's calibration (:func:`~facemetrics.geometry.calibrate`), its irises' visibility
    (:func:`~facemetrics.eyes.iris_visibility`) and the iris size against the eye width
    (:func:`~facemetrics.geometry.iris_plausibility`), and the scale's warnings (sentences).
    ``mm_per_px``: the user's scale per px of ``rgb`` (None: not given)."""
    cal = calibrate(pts, yaw_deg=yaw, mm_per_px=mm_per_px, ipd_mm=ipd_mm)
    warnings = []
    eyes = iris_visibility(rgb, pts)  # an iris scale needs the irises seen (facemetrics.eyes)
    if cal.source == "iris" and not eyes.both_visible and (
            not eyes.any_visible or cal.mm_per_px_spread > ONE_EYE_MIN_SPREAD):
        # no iris seen: flagged below; one seen and the chords disagree: that eye alone (with one
        # seen and the chords agreeing, the hidden eye's chord is no outlier: both stand)
        if eyes.any_visible:  # with no iris seen the quality flag says it (no second sentence)
            warnings.append(scale_warning(eyes))
        cal = calibrate(pts, yaw_deg=yaw, iris_eyes=eyes.visible)
        used_eyes = eyes.visible
    else:
        used_eyes = (True, True)
    # both irises erring alike (a circle lens, glare on both) leave the two-eye spread small: the iris
    # against the eye's own width (facemetrics.geometry.iris_plausibility); with no iris seen the flag says it
    iris_check = iris_plausibility(pts, used_eyes)
    if cal.source == "iris" and eyes.any_visible and not iris_check.plausible:
        cal = replace(cal, uncertainty_pct=float(np.hypot(cal.uncertainty_pct, iris_check.scale_error_pct)))
        # the widened scale's 95 % uncertainty, as every ± a user reads (it quoted the 1 SD: stop 62, h12)
        warnings.append(iris_plausibility_warning(iris_check, IPD_COVERAGE_K * cal.uncertainty_pct))
    if cal.warning and cal.source == "user_ipd":  # otherwise the IPD's quality flag says it
        warnings.append(cal.warning)
    if cal.source == "iris" and cal.mm_per_px_spread > SPREAD_WARN:
        # the scale's 95 % uncertainty (IPD_COVERAGE_K x its 1 SD, as the IPD flag's): "±8.2 %" was the 1 SD beside
        # messages whose ± are 95 % (stop 62, h12)
        warnings.append(f"the two irises read {100 * cal.mm_per_px_spread:.0f} % apart in size (above "
                        f"{100 * SPREAD_WARN:.0f} %: a turned head or an iris partly hidden), so the mm scale "
                        f"is less certain (± {fixed_uncertainty(IPD_COVERAGE_K * cal.uncertainty_pct, 1)} %)")
    return cal, eyes, iris_check, warnings


def face_place(xs: tuple[float, ...], k: int) -> str:
    """Where face ``k`` of a photo is, by the faces' centres ``xs`` (px, any order): "the one on the left" /
    "the one on the right" of two, "the 2nd from the left" of more; "another face" when ``k`` is not one of
    them.  The words every message naming a face of a photo with several uses (analyze's warning,
    :mod:`facemetrics.compare.faces`, the batch's rows, the CLI, the app)."""
    if not 0 <= k < len(xs):
        return "another face"
    rank = sorted(range(len(xs)), key=lambda i: xs[i]).index(k)
    if len(xs) == 2:
        return "the one on the " + ("left" if rank == 0 else "right")
    return f"the {rank + 1}{'st' if rank == 0 else 'nd' if rank == 1 else 'rd' if rank == 2 else 'th'} from the left"


def _several_faces_error(label: str, faces) -> str:
    """Why a photo whose second face is about as large as the largest (``faces``:
    :class:`~facemetrics.landmarks.FaceLandmarks`, ``second_face_share`` at least
    :data:`SEVERAL_FACES_SHARE`) is not measured, and what to do: one sentence."""
    # "(the second 99.1 % of the largest; at least 98 %)" left the reader to work out which figure was the limit
    # (stop 55's app pass with White House two_people.jpg)
    return (f"{label}: {faces.n_faces} faces of about the same size (the second is {100 * faces.second_face_share:.1f} "
            f"% the size of the largest, at or above the {100 * SEVERAL_FACES_SHARE:.0f} % limit): which one to "
            "measure cannot be told; crop the photo to the one face")


def _analyze(photo: Photo, subject: str | None, name: str | None, mm_per_px: float | None,
             ipd_mm: float | None, face: int | None = None) -> PhotoAnalysis:
    found = _located(photo, subject, name, mm_per_px, ipd_mm, face)
    return found if isinstance(found, PhotoAnalysis) else _measured(found)


@dataclass(frozen=True, eq=False)
class _Located:
    """A face found and scaled (:func:`_located`), not refused yet on its turn or size of the head: what
    :func:`_measured` goes on from.  ``partial``: the :class:`PhotoAnalysis` fields so far (``points``,
    ``calibration``, ``warnings``, ``extra``; read, never changed); ``warnings`` the list behind them."""

    photo: Photo
    label: str
    partial: dict
    warnings: tuple[str, ...]
    pts: np.ndarray  # (478, 3) px of photo.rgb, read-only
    face_w: float  # the lower oval's width, px of photo.rgb
    pose: tuple[float, float, float]  # head_pose: yaw, pitch, roll, deg
    cal: Calibration
    scale_checks: dict


def _located(photo: Photo, subject: str | None, name: str | None, mm_per_px: float | None,
             ipd_mm: float | None, face: int | None = None) -> PhotoAnalysis | _Located:
    """The first part of :func:`_analyze`: the face found (Face Mesh), scaled (iris or the user's scale)
    and checked for transparency, several faces of one size and its size (a photo whose short side, in the
    file's own px, is below :data:`~facemetrics.quality.MIN_FACE_WIDTH_PX` is ``too_small`` at once): a refused
    :class:`PhotoAnalysis`, or the :class:`_Located` face :func:`_measured` measures."""
    label = name or photo.name
    base = dict(photo=photo, name=label, subject=subject)
    rgb = photo.rgb
    h, w = rgb.shape[:2]
    size = tuple(getattr(photo, "original_size", None) or (round(w * photo.scale), round(h * photo.scale)))
    if min(size) < MIN_FACE_WIDTH_PX:  # the file's own size, not a reduced decode's (64x60000 read no_face)
        return PhotoAnalysis(**base, status="too_small",
                             error=f"{label}: image is {size[0]}x{size[1]} px; a face at least {MIN_FACE_WIDTH_PX} px "
                                   f"wide cannot fit in {min(size)} px (use a larger photo)",
                             warnings=tuple(getattr(photo, "warnings", ())))
    faces = detect_landmarks(rgb) if face is None else detect_landmarks(rgb, face=face)
    alpha = getattr(photo, "alpha", None)  # partly transparent pixels, composited on white (loader)
    if faces is None:
        frames = next(iter(file_notes(getattr(photo, "warnings", ()), FileNote.FRAMES)), "")
        # a transparent picture has its own sentence; a face asked for by rank (``face``) is not a cut face
        cut = cut_face_edges(rgb) if alpha is None and face is None else ()
        said = _no_face_error(label, alpha, frames, cut)
        if isinstance(photo, Photo) and (held := value_range_note(photo)):  # what a dark 16-bit file holds
            said += f"; {held}"
        return PhotoAnalysis(**base, status="no_face", error=said,
                             warnings=tuple(getattr(photo, "warnings", ())))
    pts = np.array(faces.points, dtype=np.float64)  # the analysis' own, read-only: a frozen result
    pts.flags.writeable = False  # cannot be changed in place behind to_row() and a later comparison
    warnings = list(getattr(photo, "warnings", ()))  # e.g. "TIFF file holds 3 pages; only the first ..."
    largest = ""  # "N faces found; measured the largest, ...": said only of a photo that is then measured
    if faces.n_faces > 1 and face is None:  # a face chosen by the caller: the caller says which and why
        largest = f"{faces.n_faces} faces found; measured the largest, {face_place(faces.centres_x, 0)}"
        warnings.append(largest)
    face_w = float(np.ptp(pts[list(LOWER_OVAL), 0]))
    partial = dict(base, points=pts, n_faces=faces.n_faces)
    yaw, pitch, roll = head_pose(pts, (w, h))
    user_scale = None if mm_per_px is None else mm_per_px * photo.scale
    cal, eyes, iris_check, notes = _scale(rgb, pts, yaw, user_scale, ipd_mm)
    warnings += notes
    scale_checks = dict(irises_hidden=cal.source == "iris" and not eyes.any_visible, ipd_mm=cal.ipd_mm,
                        calibration_source=cal.source, scale_uncertainty_pct=cal.uncertainty_pct)
    refused = "" if alpha is None else _transparency(alpha, pts, label, warnings)
    partial.update(calibration=cal, warnings=tuple(warnings),
                   extra=dict(eyes=eyes, iris_check=iris_check, face=faces.face, faces_x=faces.centres_x,
                              second_face_share=faces.second_face_share))
    # a photo refused below was not measured: its row does not say "measured the largest" (a several_faces row
    # said it beside its error "which one to measure cannot be told"; first-user audit u1, stop 54)
    unmeasured = dict(partial, warnings=tuple(w for w in warnings if w != largest))
    if refused:  # an alpha channel hides the face
        return PhotoAnalysis(**unmeasured, status="transparent", error=refused)
    if face is None and faces.second_face_share >= SEVERAL_FACES_SHARE:  # "the largest" would be chance
        return PhotoAnalysis(**unmeasured, status="several_faces", error=_several_faces_error(label, faces))
    if face_w * photo.scale < MIN_FACE_WIDTH_PX:
        return PhotoAnalysis(**unmeasured, status="too_small",
                             error=f"{label}: face is {face_w * photo.scale:.0f} px wide; at least "
                                   f"{MIN_FACE_WIDTH_PX} px are needed (move closer or use a larger photo)")
    return _Located(photo, label, partial, tuple(warnings), pts, face_w, (yaw, pitch, roll), cal, scale_checks)


#: how each EXIF Orientation value turns the stored picture to show it (:attr:`facemetrics.loader.Photo.orientation`)
_ORIENTATION_TURN = {2: "mirrored", 3: "turned 180 deg", 4: "flipped upside down", 5: "mirrored and turned",
                     6: "turned 90 deg clockwise", 7: "mirrored and turned", 8: "turned 90 deg anticlockwise"}


def _turn_remedy(photo) -> str:
    """What to do about a face sideways or upside down after the loader applied the photo's EXIF orientation: with no
    tag applied, the tag may have been lost; with one applied, it is likely wrong (an editor turned the pixels upright
    and kept the tag, so the photo was turned twice: first-user audit, stop 54, where "its orientation tag may have
    been lost" was said of a photo whose tag was there and was the cause)."""
    tag = getattr(photo, "orientation", 1)
    if tag == 1:
        return "rotate the photo upright (its orientation tag may have been lost)"
    return (f"its EXIF orientation tag ({tag}: {_ORIENTATION_TURN.get(tag, 'turned')} to show it) was applied and "
            "may be wrong (kept by an editor that had already turned the picture upright): save an upright copy "
            "without that tag (an editor's 'export' or 'save as') and use that")


def _turned(loc: _Located) -> tuple[str, str] | None:
    """``(status, error)`` of a face lying sideways or upside down in the picture or a head turned too far to
    measure (the checks of :func:`_measured`, in its order); None when the face can be measured."""
    label, pts, (yaw, pitch, _) = loc.label, loc.pts, loc.pose
    turn = face_rotation_deg(pts)
    if abs(turn) > HARD_MAX_FACE_ROTATION_DEG:
        return "sideways", (f"{label}: the face is {'upside down' if abs(turn) > 135 else 'sideways'} in the "
                            f"picture (rotated {turn:+.0f} deg; limit ±{HARD_MAX_FACE_ROTATION_DEG:.0f} deg): "
                            + _turn_remedy(loc.photo))
    rgb = loc.photo.rgb
    if sharing.once("upside_down", (rgb,), lambda: _upside_down(rgb)):  # the picture's, whichever face
        return "sideways", ("{}: the face is upside down in the picture (turned by 180 deg it shows an upright "
                            "face): {}".format(label, _turn_remedy(loc.photo)))
    if abs(yaw) > HARD_MAX_YAW_DEG or abs(pitch) > HARD_MAX_PITCH_DEG:
        return "turned_head", (f"{label}: head turned too far to measure (yaw {yaw:+.0f} deg, "
                               f"pitch {pitch:+.0f} deg; limits ±{HARD_MAX_YAW_DEG:.0f} and "
                               f"±{HARD_MAX_PITCH_DEG:.0f} deg): face the camera")
    return None


def _measured(loc: _Located, checked: bool = False) -> PhotoAnalysis:
    """The rest of :func:`_analyze` for a :func:`_located` face: its quality, the refusal of a face sideways,
    upside down or turned too far (:func:`_turned`; ``checked``: made already and passed), and its measures
    (jaw, folds, covers)."""
    photo, pts, cal = loc.photo, loc.pts, loc.cal
    rgb = photo.rgb
    h, w = rgb.shape[:2]
    yaw, pitch, roll = loc.pose
    partial, warnings = dict(loc.partial), list(loc.warnings)
    face_w = loc.face_w
    eyes = partial["extra"]["eyes"]
    frame = levelled_frame(pts, cal.mm_per_px)
    gap, gap_ratio, smile = expression(pts, frame, cal.ipd_px)
    sharp, lum, clipped = image_quality(rgb, pts, cal.mm_per_px)
    qd = dict(yaw_deg=yaw, pitch_deg=pitch, roll_deg=roll, face_width_px=face_w * photo.scale,
              sharpness=sharp, face_luminance=lum, clipped_fraction=clipped, mouth_opening_mm=gap,
              mouth_opening_ratio=gap_ratio, smile_index=smile,
              smile_score=smile_score(pts, frame, mirrored=mirrored_landmarks(rgb, pts)))
    cut = cut_landmarks(pts, (w, h))
    quality = Quality(**qd, flags=quality_flags(dict(qd, cut_landmarks=cut, jpeg_quality=photo.jpeg_quality,
                                                     **loc.scale_checks),
                                                cal.mm_per_px / photo.scale),
                      cut_landmarks=cut, colour_fraction=colour_fraction(rgb, pts),
                      smile_elevation=smile_terms(pts, frame, cal.ipd_px)[0])
    if quality.black_and_white:
        warnings.append("black-and-white photo: the fold depth and contrast are read on its grey instead of the "
                        "green channel (on 12 London faces made grey the depth index moved by up to 2.5, median "
                        "0.6; docs/robustness.md): compare its folds only with black-and-white photos")
        partial.update(warnings=tuple(warnings))
    partial.update(frame=frame, quality=quality)
    # a face lying sideways or upside down was measured as if it were upright: its expression, pose and
    # exposure flags ("smiling (smile score 21.97)") are not true of the photo, so a refused one has none
    refusal = None if checked else _turned(loc)
    if refusal is not None:
        status, error = refusal
        shown = dict(partial, quality=replace(quality, flags=())) if status == "sideways" else partial
        return PhotoAnalysis(**shown, status=status, error=error)
    jaw = jaw_metrics(pts, frame, image=rgb)
    right = fold_metrics(rgb, pts, frame, "right")
    left = fold_metrics(rgb, pts, frame, "left")
    # a hand, hair, a scarf or a mask over the jaw line or a fold: the columns read there are named
    # (``covered_columns``) and a warning says where (facemetrics.occlusion)
    covered, glasses = _occlusion(rgb, pts, cal.mm_per_px, jaw, right, left, eyes)
    warnings += occlusion_warnings(covered)
    kept = {} if glasses is None else dict(glasses=glasses)  # the dark glasses found: read again by compare's gate
    partial.update(warnings=tuple(warnings), extra=dict(partial["extra"], occlusion=covered, **kept))
    return PhotoAnalysis(**partial, jaw=jaw, nlf_right=right, nlf_left=left)


@dataclass(frozen=True, eq=False)
class FaceFound:
    """One face of a photo analysed as far as its status (:func:`find_face`), and what :func:`finish_face`
    needs to measure it whole.

    Attributes
    ----------
    analysis : PhotoAnalysis
        ``status``, ``error``, ``points`` (478, 3) px of ``photo.rgb``, ``n_faces``, ``calibration``,
        ``warnings`` and ``extra`` (``eyes``, ``iris_check``, ``face``, ``faces_x``, ``second_face_share``)
        as :func:`analyze_loaded` gives them; ``frame``, ``quality``, ``jaw`` and the folds None (not measured
        yet), and ``status`` ``"ok"`` where :func:`analyze_loaded` measured the face.
    """

    analysis: PhotoAnalysis
    _located: _Located | None = None


def find_face(photo: Photo, *, subject: str | None = None, name: str | None = None,
              mm_per_px: float | None = None, ipd_mm: float | None = None, face: int | None = None) -> FaceFound:
    """The part of :func:`analyze_loaded` (same arguments) that decides a face's status: Face Mesh, the mm scale
    and the iris visibility, the refusals (transparent, several faces, too small, sideways, upside down, turned
    head), without the photo's quality figures and the jaw, fold and cover measures.  What a face of a photo
    with several needs to be aligned with another photo (:func:`facemetrics.compare.faces.matching_face`); the
    face then chosen is measured by :func:`finish_face` from the same arrays (the registration made for its
    choice is the one its comparison reads: docs/speed.md).  Never raises for a bad photo (status
    ``error``, as :func:`analyze_loaded`).  A face whose quality or measures would fail is ``ok`` here and
    ``error`` from :func:`analyze_loaded` (a bug's case).

    Parameters
    ----------
    photo : Photo
        The loaded photo (``photo.rgb``: (H, W, 3) uint8, R, G, B).
    subject, name, mm_per_px, ipd_mm, face
        As :func:`analyze_loaded`'s (``mm_per_px``: mm per px of the original photo; ``ipd_mm``: mm; ``face``:
        which face by size, 0 the largest, None the largest by the rules of :func:`analyze_photo`).

    Returns
    -------
    FaceFound
        ``analysis``: the face's status and what decided it (:class:`FaceFound`); for :func:`finish_face`.

    Raises
    ------
    SettingError
        As :func:`analyze_loaded`: an implausible ``mm_per_px`` or ``ipd_mm``.
    """
    mm_per_px, ipd_mm = check_mm_per_px(mm_per_px), check_ipd_mm(ipd_mm)
    try:
        with single_blas_thread():
            loc = _located(photo, subject, name, mm_per_px, ipd_mm, face)
            if isinstance(loc, PhotoAnalysis):
                return FaceFound(loc)
            refusal = _turned(loc)
            light = dict(loc.partial, extra=dict(loc.partial["extra"]))  # its own dict: the located face's stays
            if refusal is None:
                return FaceFound(PhotoAnalysis(**light), loc)
            return FaceFound(PhotoAnalysis(**light, status=refusal[0], error=refusal[1]), loc)
    except Exception as exc:  # noqa: BLE001 - see _internal_error
        return FaceFound(_internal_error(name or photo.name, subject, "measuring", exc))


def finish_face(found: FaceFound) -> PhotoAnalysis:
    """The face of :func:`find_face` measured whole: the analysis :func:`analyze_loaded` gives with the same
    arguments (every field the same, ``tests/test_analyze_split.py``), its ``points``, ``photo``, ``calibration``
    and iris visibility the very objects of ``found.analysis``.

    Parameters
    ----------
    found : FaceFound
        From :func:`find_face`.

    Returns
    -------
    PhotoAnalysis
        ``analyze_loaded``'s analysis of the same face; a face refused before it was located (no face, too
        small, ...) is ``found.analysis`` itself, one refused sideways, upside down or turned gets its quality
        figures as :func:`analyze_loaded` gives them; status ``error`` when a measure fails.
    """
    loc = found._located
    if loc is None:  # refused before the face was located (no face, too small, ...): nothing more to measure
        return found.analysis
    try:
        with single_blas_thread():
            return _measured(loc, checked=found.analysis.ok)
    except Exception as exc:  # noqa: BLE001 - see _internal_error
        return _internal_error(loc.label, loc.partial["subject"], "measuring", exc)
