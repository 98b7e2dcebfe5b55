"""The one place that owns output column names, order, units and meaning.

``PHOTO_COLUMNS`` is the per-photo table (``photos.csv``).  Every column has
a :class:`Column` entry whose fields also generate the data dictionary in
``docs/metrics.md`` (``python -m facemetrics.schema > docs/metrics.md``; a test
keeps the two in step).

Naming: units are the suffix (``_mm``, ``_mm2``, ``_deg``, ``_px``, ``_pct``,
``_h``); ``_ipd`` marks a calibration-free ratio (a length divided by the
inter-pupillary distance, an area by its square); ``right``/``left`` are the
subject's own sides, placed before the unit (``jawline_height_right_mm``).
:func:`column_name` is that rule and :func:`side_column` applies it to a
metric already carrying its unit (the wide ``changes.csv`` columns).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    """One output column.

    Attributes
    ----------
    name : str
    unit : str
        ``""`` for text and dimensionless values.
    definition : str
    direction : str
        What a larger value means (lift, deeper fold ...), or ``""``.
    landmarks : str
        Face Mesh landmark indices used, or ``""``.
    limits : str
        Known limits of the measure, or ``""``.
    """

    name: str
    unit: str
    definition: str
    direction: str = ""
    landmarks: str = ""
    limits: str = ""


_ROLL = "Measured in the eye-levelled frame, so in-plane roll does not change it."
_POSE = "Changes with head pitch and yaw; compare only photos whose pose agrees (see quality flags)."
_IPD = "Divided by the inter-pupillary distance: needs no calibration, so it is free of the iris calibration's ~4.5 % uncertainty (`mm_per_px_uncertainty_pct`)."


#: unit suffixes of column names, longest first where one ends another's stem
UNIT_SUFFIXES = ("_mm2", "_mm", "_pct", "_deg", "_px", "_ipd2", "_ipd", "_h")


def column_name(stem: str, unit: str = "", side: str = "") -> str:
    """The one naming rule: ``stem[_side][_unit]``.

    ``unit`` ``""`` or ``"index"`` (dimensionless) adds no suffix; ``side``
    ``""``, ``"mean"`` or ``"both"`` adds no side.  E.g.
    ``column_name("jawline_height", "mm", "right") -> "jawline_height_right_mm"``.
    """
    side_part = f"_{side}" if side not in ("", "mean", "both") else ""
    unit_part = f"_{unit}" if unit not in ("", "index") else ""
    return f"{stem}{side_part}{unit_part}"


def split_unit(name: str) -> tuple[str, str]:
    """``(stem, unit)`` of a column or metric name by its :data:`UNIT_SUFFIXES` (unit ``""`` when none)."""
    for suffix in UNIT_SUFFIXES:
        if name.endswith(suffix):
            return name[: -len(suffix)], suffix[1:]
    return name, ""


def side_column(metric: str, side: str) -> str:
    """Column name of one side of a metric named with its unit: the side goes before the unit.

    ``("jawline_lift_mm", "mean") -> "jawline_lift_mm"``,
    ``("jawline_lift_mm", "right") -> "jawline_lift_right_mm"``,
    ``("nlf_depth", "left") -> "nlf_depth_left"``.
    """
    stem, unit = split_unit(metric)
    return column_name(stem, unit, side)


def _side_pair(stem: str, unit: str, definition: str, **kw) -> list[Column]:
    u = "" if unit == "index" else unit
    return [Column(column_name(stem, unit, side), u, definition.replace("{side}", side), **kw)
            for side in ("right", "left")]


def _ratio(col: Column, power: int = 1) -> Column:
    stem = col.name.rsplit("_", 1)[0]
    name = f"{stem}_ipd2" if power == 2 else f"{stem}_ipd"
    what = "squared inter-pupillary distance" if power == 2 else "inter-pupillary distance"
    return Column(name, "", f"`{col.name}` divided by the {what} (dimensionless).", col.direction,
                  col.landmarks + (" + 468, 473" if col.landmarks else "468, 473"), _IPD)


_WROTE = Column("facemetrics_version", "", "Version of facemetrics that wrote the row.")

PROVENANCE = [
    Column("photo", "", "File name of the photo (path relative to the batch folder in batch runs)."),
    Column("subject", "", "Subject identifier given by the user or the manifest; empty when unknown."),
    Column("taken_at", "", "Capture time from EXIF DateTimeOriginal (+ OffsetTimeOriginal), ISO 8601; empty when the photo has none (never the file's modification time)."),
    _WROTE,
    Column("sha256", "", "SHA-256 of the photo file's bytes (identifies the exact input)."),
]

STATUS = [
    Column("status", "", "`ok`, or why the photo was not measured: `unreadable`, `empty`, `not_an_image`, `too_large`, `too_small`, `no_face`, `turned_head`, `sideways` (turned more than 45 deg in the picture, or upside down); `error` when facemetrics itself failed on the photo (a bug: `error` names the exception)."),
    Column("error", "", "Human-readable reason when `status` is not `ok`."),
    Column("warnings", "", "Semicolon-separated warnings that did not stop the measurement (several faces, doubtful calibration)."),
    Column("quality_flags", "", "Semicolon-separated thresholds the photo breaks (pose, blur, exposure, expression, resolution, a cut face, irises not visible for the mm scale, an implausible inter-pupillary distance); see `facemetrics/quality.py`."),
    Column("fit_for_comparison", "", "True when the photo was measured (`status` `ok`) and `quality_flags` is empty.",
           limits="A photo unfit for comparison is still measured; compare it with care."),
]

IMAGE = [
    Column("image_width_px", "px", "Width of the photo after EXIF orientation."),
    Column("image_height_px", "px", "Height of the photo after EXIF orientation."),
    Column("n_faces", "", "Number of faces found; the largest is measured.", limits="Up to 4 faces are detected."),
    Column("face_width_px", "px", "Width of the Face Mesh face oval, in pixels of the photo.", landmarks="face oval"),
]

CALIBRATION = [
    Column("mm_per_px", "mm/px", "Millimetres per pixel of the photo, from the horizontal visible iris diameter (11.71 mm, Rüfer et al. 2005): the Face Mesh iris chord averaged over both eyes, corrected for yaw and for the chord reading 4.6 % wider than the iris edge in the image (docs/accuracy.md, \"Scale calibration\"); or the user's override.",
           landmarks="469-471, 474-476",
           limits="Individual irises vary by about +/-0.4 mm (3.6 %, 1 SD), which scales every mm value of one person by the same factor; changes between two photos of the same person are not affected by that bias. Hand-placed pupils x mm_per_px give median inter-pupillary distances of 60.6 mm (40 Canada faces) and 62.5 mm (12 London faces); adults average 63.4 mm (Dodgson 2004)."),
    Column("mm_per_px_uncertainty_pct", "%", "Relative uncertainty (1 SD) of `mm_per_px` as a scale of this person's true millimetres: between-person iris size (3.6 %), residual bias of the chord correction (2.5 %), landmark jitter (0.63 x `calibration_spread`, at least 1 %) and the yaw correction (tan(abs(yaw)) x 3 deg), in quadrature; with `--ipd-mm` 1.5 % plus the yaw part; empty with `--mm-per-px`.",
           "larger = less certain millimetres", "469-471, 474-476",
           "About 4.5 % for a frontal photo, so a single photo's 100 mm is 100 +/- 4.5 mm; it scales all mm values of the photo together and cancels in `_ipd` ratios and in before/after changes measured on one calibration."),
    Column("calibration_source", "", "`iris`, `user_mm_per_px` or `user_ipd`."),
    Column("iris_diameter_right_px", "px", "Horizontal iris diameter of the subject's right eye.", landmarks="469, 471"),
    Column("iris_diameter_left_px", "px", "Horizontal iris diameter of the subject's left eye.", landmarks="474, 476"),
    Column("calibration_spread", "", "Relative disagreement of the two eyes' iris diameters, |r - l| / mean; it enters `mm_per_px_uncertainty_pct`, and above 0.1 (a turned head or an iris partly hidden; frontal portraits read at most about 0.05) `warnings` says the mm scale is less certain."),
    Column("ipd_px", "px", "Inter-pupillary distance (iris centres).", landmarks="468, 473"),
    Column("ipd_mm", "mm", "Inter-pupillary distance under this calibration; outside 50-80 mm gives a warning and a quality flag (unless the user gave the IPD).", landmarks="468, 473"),
]

POSE = [
    Column("yaw_deg", "deg", "Head yaw from cv2.solvePnP of MediaPipe's canonical face model (rigid points) with a focal length equal to the image's long side; positive = face turned towards the subject's left.",
           landmarks="1, 4, 5, 6, 7, 8, 9, 10, 33, 249, 263", limits="About +/-3 deg between repeated frontal photos."),
    Column("pitch_deg", "deg", "Head pitch as above; positive = chin up.", landmarks="as yaw_deg",
           limits="Depends on the assumed focal length; frontal studio portraits read -6 to +10 deg."),
    Column("roll_deg", "deg", "Head roll (in-plane tilt) as above; positive = clockwise in the image.", landmarks="as yaw_deg"),
]

QUALITY = [
    Column("sharpness", "", "Variance of the Laplacian of the face's luminance (divided by its mean) at 0.25 mm/px, x 1000. Below 1.0 the photo is flagged blurry.",
           "larger = sharper", "face hull", "Depends on skin texture and noise: 28-190 on the London studio faces; a Gaussian blur of 0.5 mm brings them to 1.4-5.7."),
    Column("face_luminance", "0-255", "Mean luminance of the face region; outside 60-220 flagged too dark / too bright.", landmarks="face hull"),
    Column("clipped_fraction", "", "Fraction of face pixels clipped (a channel >= 250 or luminance <= 5); above 0.05 flagged.", landmarks="face hull"),
    Column("colour_fraction", "", "Fraction of face pixels with colour (two channels more than 3 grey levels apart, every 4th row and column); below 0.01 the photo is black-and-white: `warnings` says so, since the fold depth is then read on its grey instead of the green channel, and a comparison with a colour photo gives its fold rows the verdict `uncertain`. The colour photos of the test sets read 0.989-1.0.", landmarks="face hull"),
    Column("mouth_opening_mm", "mm", "Gap between the inner lips.", "larger = mouth more open", "13, 14"),
    Column("mouth_opening_ratio", "", "Inner-lip gap divided by mouth width; above 0.15 flagged `mouth open`.", "larger = mouth more open", "13, 14, 61, 291"),
    Column("smile_index", "", "Elevation of the mouth corners above the inner-lip midpoint divided by mouth width, plus (mouth width / IPD - 0.8). Compared between two photos (the comparison's expression check); the per-photo `smiling` flag reads `smile_score`.",
           "larger = broader smile", "13, 14, 61, 291, 468, 473",
           "Higher smiling than neutral for all 12 London faces, but weak smiles reach only -0.03-0.02 and talking raises it: compare it between photos rather than trusting an absolute threshold."),
    Column("smile_score", "", "Mean of two standard scores against neutral faces: mouth width / IPD (neutral 0.771 +/- 0.044) and minus the mouth corners' depth below the pupil line / IPD (neutral 1.117 +/- 0.052). Above 1.35 flagged `smiling`.",
           "larger = wider mouth, corners nearer the eyes (smile)", "61, 291, 468, 473",
           "One photo, no baseline: a gentle smile on a face with a narrow, low-set mouth can stay below the limit, and a neutral face with a wide, high-set mouth can exceed it (docs/accuracy.md 'Smiling flag')."),
]

_JAW_LM = "face oval 127-234-93-132-58-172-136-150-149-176-148-152-377-400-378-379-365-397-288-361-323-454-356"
_LIFT = "smaller = lifted (the contour is nearer the eyes)"

JAW = [
    Column("jawline_height_mm", "mm", "Mean distance below the inter-pupil line of the jaw contour from gonion (172) through the chin (152) to gonion (397), arc-length weighted.", _LIFT, _JAW_LM, _ROLL + " " + _POSE),
    *_side_pair("jawline_height", "mm", "As `jawline_height_mm`, {side} half only (gonion to chin).", direction=_LIFT, landmarks=_JAW_LM, limits=_POSE),
    Column("jaw_width_mm", "mm", "Width of the face-oval contour at the height of the mouth corners.", "smaller = narrower lower face", _JAW_LM + ", 61, 291", "Changes with yaw."),
    Column("lower_face_area_mm2", "mm2", "Area enclosed by the face-oval contour below the level of the subnasale (2).", "smaller = less lower-face volume / lifted", _JAW_LM + ", 2", _POSE),
    *_side_pair("jowl_sag", "mm", "Largest distance of the {side} jaw contour outside the straight gonion-chin chord.", direction="larger = more jowl bulge below the jaw line", landmarks="172/397 to 152 along the face oval",
                limits="Face Mesh smooths the contour: a real jowl is under-read (landmarks follow the model's face shape). Use the dense-flow lift from `facemetrics compare` for changes."),
    *_side_pair("jaw_angle", "deg", "Angle at the gonion between the ramus (towards the oval point at ear level, 234/454) and the mandible body (towards the chin 152).", direction="smaller = sharper jaw angle", landmarks="234/454, 172/397, 152", limits=_POSE),
    *_side_pair("mouth_corner_height", "mm", "Distance of the {side} mouth corner below the inter-pupil line.", direction=_LIFT, landmarks="61 (right), 291 (left)", limits="Moves with expression; see smile_index."),
    *_side_pair("cheek_height", "mm", "Distance of the {side} malar (cheek) point below the inter-pupil line.", direction=_LIFT, landmarks="50 (right), 280 (left)", limits=_POSE),
]

JAW_RATIOS = [_ratio(c, 2 if c.unit == "mm2" else 1) for c in JAW if c.unit in ("mm", "mm2")]

_NLF_LM = "path 203-206-216 (right), 423-426-436 (left), extended 4 mm up and 8 mm down, band +/-6 mm"
NLF = [
    *_side_pair("nlf_depth", "index", "Nasolabial-fold depth index: relative darkening 1 - L/L_skin of the green channel (L_skin: the cheek skin level either side of the fold), integrated across strips parallel to the fold line up to 3 mm either side and combined by a soft maximum; units 10 x mm of full darkening (a valley 10 % darker over 3 mm adds about 3). Rises strictly with a darker or wider valley on the line or beside it (facemetrics.folds).",
                direction="larger = deeper / darker fold", landmarks=_NLF_LM,
                limits="A shading proxy, not a 3-D depth: lighting direction changes it. Unchanged by resolution and global brightness; can be negative where the fold area is lighter than the cheek. Compare photos under the same light."),
    *_side_pair("nlf_contrast", "pct", "Darkening of the fold line against the skin 4 mm either side of it, median along the line.",
                direction="larger = darker fold", landmarks=_NLF_LM, limits="As nlf_depth; negative when the line is lighter than its sides (no visible fold)."),
    *_side_pair("nlf_length", "mm", "Length of the fold line along which the scale-space valley evidence, smoothed along the line, exceeds the threshold of facemetrics.folds.LENGTH_THRESHOLD.",
                direction="larger = longer visible fold", landmarks=_NLF_LM, limits="Not validated: it does not track the length of hand-placed smile lines (Spearman 0.16-0.29 on the tuning faces, about 0 on held-out ones; mean 5.7-12 mm against 21 mm) and moves by up to 4.8 mm (p95) between near-identical photos (docs/sensitivity.md §20-§21). Capped by the band length (about 30-45 mm)."),
]
NLF_RATIOS = [_ratio(c) for c in NLF if c.unit == "mm"]

PHOTO_COLUMNS_DEF = [*PROVENANCE, *STATUS, *IMAGE, *CALIBRATION, *POSE, *QUALITY, *JAW, *JAW_RATIOS, *NLF, *NLF_RATIOS]
#: column names of ``photos.csv`` in order
PHOTO_COLUMNS = [c.name for c in PHOTO_COLUMNS_DEF]
COLUMNS_BY_NAME = {c.name: c for c in PHOTO_COLUMNS_DEF}

_GROUPS = [
    ("Provenance", PROVENANCE), ("Status", STATUS), ("Image and face", IMAGE),
    ("Calibration", CALIBRATION), ("Head pose", POSE), ("Quality and expression", QUALITY),
    ("Jawline and lower face", JAW), ("Jawline ratios (no calibration)", JAW_RATIOS),
    ("Nasolabial folds", NLF), ("Nasolabial ratios (no calibration)", NLF_RATIOS),
]

# --- the other tables (their columns are defined here; the modules that fill them import them) ----

#: the comparison table (:meth:`facemetrics.compare.Comparison.to_frame`: the app's table, the
#: headline, the batch's changes): one row per metric and side; ``comparison.csv`` is these columns
#: followed by its provenance (:data:`COMPARISON_CSV_COLUMNS`)
COMPARISON_COLUMNS = ["metric", "side", "unit", "before", "after", "change", "noise_floor", "verdict"]

# --- the inputs ----------------------------------------------------------------------------------

#: the photo formats the loader reads (Pillow's format names) and their file endings: the loader
#: opens only these formats (``facemetrics.loader``), and a folder search takes a file as a photo
#: by these endings (``facemetrics.batch.find_study_photos``), so the two cannot disagree
PHOTO_FORMATS = {
    "JPEG": (".jpg", ".jpeg", ".jpe", ".jfif"),
    "MPO": (".mpo",),
    "PNG": (".png", ".apng"),
    "WEBP": (".webp",),
    "TIFF": (".tif", ".tiff"),
    "HEIF": (".heic", ".heif", ".hif", ".heics", ".heifs"),
    "AVIF": (".avif", ".avifs"),
    "BMP": (".bmp",),
    "GIF": (".gif",),
}
#: file endings (lower case) of :data:`PHOTO_FORMATS`
PHOTO_SUFFIXES = tuple(s for suffixes in PHOTO_FORMATS.values() for s in suffixes)

#: columns added to ``photos.csv`` after :data:`PHOTO_COLUMNS`
BATCH_COLUMNS = ["treatment", "treated_at", "hours_since_treatment", "role", "excluded"]

_VERSION = Column("facemetrics_version", "", "Version of facemetrics that wrote the row. A comparison is taken from "
                  "the batch cache only when it was made by this same version (the cache key holds the "
                  "version), so the version also made the numbers.")
_SUBJECT = Column("subject", "", "Subject identifier (manifest or first folder level).")
_TREATMENT = Column("treatment", "", "Treatment name (manifest or second folder level).")
_TREATED_AT = Column("treated_at", "", "Treatment time of the session, ISO 8601, as written in the manifest or `treated_at.txt`.")
_HOURS = Column("hours_since_treatment", "h", "`taken_at` minus `treated_at` in hours (negative: before the treatment). Both with a UTC offset: compared as instants; otherwise as wall-clock times.")

_MESSAGES = Column("messages", "", "`; `-separated reasons behind a `warning` or `refused` status (e.g. a change of pose, "
                   "expression or light, a face cut by the image edge, or several faces in the before or after photo, "
                   "of which the largest was measured).")

_SIDE = Column("side", "", "`mean` (both sides, or a metric without sides), `right` or `left` (the subject's own sides).")

#: leading columns of ``changes.csv`` (the metric columns follow: ``<metric>``, ``<metric>_noise_floor``,
#: ``<metric>_verdict`` per metric and side, named by :func:`side_column`)
CHANGE_COLUMNS_DEF = [
    _SUBJECT, _TREATMENT,
    Column("photo", "", "The photo compared, path relative to the batch folder (the after photo; in a no-change check, the baseline photo checked)."),
    Column("sha256", "", "SHA-256 of `photo`'s file bytes (identifies the exact input)."),
    Column("baseline_photos", "", "The baseline photos it is compared with, `; `-separated: the before photo first, then its repeats (they set the noise floor)."),
    Column("baseline_sha256", "", "SHA-256 of each baseline photo's file bytes, `; `-separated, in the order of `baseline_photos`."),
    Column("n_baseline", "", "Number of baseline photos."),
    Column("taken_at", "", "Capture time of `photo` (manifest, else EXIF), ISO 8601."),
    _TREATED_AT, _HOURS,
    Column("role", "", "`post` (a change after the treatment) or `baseline` (a no-change check: a baseline photo against the session's other baseline photos)."),
    _VERSION,
    Column("status", "", "The comparison's status: `ok`, `warning` (see `messages`), `refused` (the photos cannot be compared: no changes given) or `error`."),
    _MESSAGES,
]
#: leading columns of ``changes.csv`` (metric columns follow)
CHANGE_COLUMNS = [c.name for c in CHANGE_COLUMNS_DEF]

#: columns of ``long.csv`` (one row per comparison, metric and side; provenance last)
LONG_COLUMNS_DEF = [
    _SUBJECT, _TREATMENT, _HOURS,
    Column("metric", "", "The metric changed (a `photos.csv` column name without its side)."),
    _SIDE,
    Column("value", "", "The change, after minus before, in `unit` (a `changes.csv` metric cell)."),
    Column("unit", "", "Unit of `value` and `noise_floor` (`mm`, `mm2`, `deg`, `pct`, ...; empty when dimensionless)."),
    Column("noise_floor", "", "Smallest change distinguishable from the measurement's noise, in `unit`."),
    Column("verdict", "", "The change against its noise floor: `within_noise`, a direction word beyond it (`lift`/`sag`, `deeper`/`shallower`, ...), or `uncertain` (no claim: see facemetrics.compare)."),
    Column("photo", "", "The photo compared (as in `changes.csv`)."),
    Column("taken_at", "", "Capture time of `photo`, ISO 8601."),
    _TREATED_AT,
    Column("sha256", "", "SHA-256 of `photo`'s file bytes (its baseline photos' are in `changes.csv`'s `baseline_sha256`)."),
    _VERSION,
]
#: columns of ``long.csv``
LONG_COLUMNS = [c.name for c in LONG_COLUMNS_DEF]

#: ``comparison.csv`` of ``facemetrics compare`` and the app's download
#: (:meth:`facemetrics.compare.Comparison.to_csv_frame`): the table's :data:`COMPARISON_COLUMNS`,
#: then on every row which photos and which comparison (its status and messages) and which
#: facemetrics made it, so the file alone says whether its rows can be trusted
COMPARISON_CSV_COLUMNS_DEF = [
    Column("metric", "", "The metric compared: a lift of a region (`jawline`, `jowl`, `mouth_corner`, `cheek`) from "
           "the dense displacement field (`<region>_lift_mm`) or from the landmarks alone "
           "(`<region>_lift_landmarks_mm`, a cross-check), a fold metric (`nlf_*`), a per-photo metric (a "
           "`photos.csv` column name without its side), or the change of the head's pose and camera distance "
           "(`head_*_change_deg`, `camera_distance_change_pct`)."),
    _SIDE,
    Column("unit", "", "Unit of `before`, `after`, `change` and `noise_floor`: `mm`, `mm2`, `deg`, `pct`, or "
           "`index` (the dimensionless fold depth)."),
    Column("before", "", "The metric on the before photo, in `unit`; empty for the dense-flow lifts and the pose "
           "rows (a displacement or a change, not a per-photo value) and when the comparison is `refused`."),
    Column("after", "", "The metric on the after photo (its landmarks carried into the before photo's frame), in "
           "`unit`; empty as `before`."),
    Column("change", "", "`after` minus `before`; for a lift the displacement itself (positive = up, towards the "
           "eyes); for a pose row the change of the head's pose or of the camera distance from the before to "
           "the after photo. Empty when `refused` or not measured."),
    Column("noise_floor", "", "Smallest change distinguishable from the measurement's noise, in `unit`: the default "
           "floors (docs/compare.md) widened for coarse photos and for what the pose correction may miss, or "
           "estimated from repeat photos; for a pose row the fit's own 95 % uncertainty."),
    Column("verdict", "", "The change against its noise floor: `within_noise`, a direction word beyond it "
           "(`lift`/`sag`, `deeper`/`shallower`, `longer`/`shorter`, `increase`/`decrease`, `chin_up`/`chin_down`, "
           "`turned_left`/`turned_right`, `clockwise`/`counterclockwise`, `further`/`closer`), `uncertain` (no "
           "claim is made: every row but the head-pose rows of a pair whose upper faces match only roughly after "
           "alignment, whose face is cut by the image edge, whose lips changed shape or whose camera distance "
           "changed beyond the range the correction was checked on; or a change whose floor is unknown; see facemetrics.compare.table), `refused` (every row of a refused comparison) or empty (not measured)."),
    Column("before_photo", "", "The before photo as the user gave it (the path on the command line; the uploaded "
           "file's name in the app)."),
    Column("after_photo", "", "The after photo, as `before_photo`."),
    Column("status", "", "The comparison's status, the same on every row: `ok`, `warning` (compare with care: see "
           "`messages`) or `refused` (the photos cannot be compared: every row's `before`, `after` and "
           "`change` are empty and its verdict is `refused`)."),
    _MESSAGES,
    _WROTE,  # no batch cache here: the version that wrote the row made the numbers
]
#: columns of ``comparison.csv``, in order
COMPARISON_CSV_COLUMNS = [c.name for c in COMPARISON_CSV_COLUMNS_DEF]

#: the columns :func:`facemetrics.decay.analyze_series` needs in its changes table (``long.csv``'s)
CHANGES_INPUT_COLUMNS = (
    "subject",
    "treatment",
    "hours_since_treatment",
    "metric",
    "side",
    "value",
    "unit",
)

#: the leading columns of every fitted series row (timeline and regimen): what was fitted, on how much
_SERIES_COLUMNS = ("treatment", "metric", "side", "subject", "unit", "n_photos", "n_subjects")

#: column order of :meth:`SeriesResult.to_frame` (and :meth:`DecayFit.to_dict`)
TIMELINE_COLUMNS = (
    *_SERIES_COLUMNS,
    "n_times",
    "last_time_h",
    "half_life_h_min",
    "peak_change",
    "peak_change_ci_low",
    "peak_change_ci_high",
    "half_life_h",
    "half_life_h_ci_low",
    "half_life_h_ci_high",
    "change_24h",
    "change_24h_ci_low",
    "change_24h_ci_high",
    "change_24h_test_ci_low",
    "change_24h_test_ci_high",
    "lasting",
    "lasting_ci_low",
    "lasting_ci_high",
    "transient",
    "smallest_meaningful_change",
    "noise_floor",
    "verdict",
    "reason",
    "status",
    "fit_ok",
    "rmse",
    "bootstrap",
    "n_boot",
    "confidence",
    "test_confidence",
    "facemetrics_version",  # provenance, as in every table
)

#: column order of :func:`analyze_regimen` (the ``regimen`` rows of ``timeline.csv``)
REGIMEN_COLUMNS = (
    "kind",
    *_SERIES_COLUMNS,
    "n_days",
    "day_n",
    "slope_per_week",
    "slope_per_week_ci_low",
    "slope_per_week_ci_high",
    "change_day_n",
    "change_day_n_ci_low",
    "change_day_n_ci_high",
    "smallest_meaningful_change",
    "verdict",
    "reason",
    "status",
    "bootstrap",
    "n_boot",
    "confidence",
    "facemetrics_version",
)


def data_dictionary_markdown() -> str:
    """The data dictionary of ``photos.csv``, ``changes.csv``, ``long.csv`` and ``comparison.csv`` as Markdown (``docs/metrics.md``)."""
    out = [
        "# Data dictionary: `photos.csv`",
        "",
        "Generated from `facemetrics/schema.py` (`python -m facemetrics.schema > docs/metrics.md`); "
        "a test fails when the two disagree. One row per photo, columns in this order. "
        "`right`/`left` are the subject's own sides. Heights are measured downwards from the line "
        "through the two pupils, in a frame levelled on the eyes. Empty cells mean the value could "
        "not be measured (see `status`).",
        "",
    ]
    for title, cols in _GROUPS:
        out += [f"## {title}", "", "| column | unit | definition | direction | landmarks | known limits |",
                "|---|---|---|---|---|---|"]
        for c in cols:
            cells = [f"`{c.name}`", c.unit, c.definition, c.direction, c.landmarks, c.limits]
            out.append("| " + " | ".join(x.replace("|", "/") for x in cells) + " |")
        out.append("")
    for title, intro, cols in (
            ("`changes.csv`", "One row per comparison of `facemetrics batch` (and `facemetrics study report`): "
             "these leading columns, then per metric and side its change `<metric>`, `<metric>_noise_floor` "
             "and `<metric>_verdict` (names as in `photos.csv`).", CHANGE_COLUMNS_DEF),
            ("`long.csv`", "The same changes as a tidy table, one row per comparison, metric and side: the "
             "input of `facemetrics timeline`.", LONG_COLUMNS_DEF),
            ("`comparison.csv`", "One row per metric and side of one before/after pair: what `facemetrics "
             "compare -o DIR` writes and the app's comparison offers as a download. A refused comparison still "
             "has every row (status `refused`, the reasons in `messages`).", COMPARISON_CSV_COLUMNS_DEF)):
        out += [f"# Data dictionary: {title}", "", intro, "", "| column | unit | definition |", "|---|---|---|"]
        for c in cols:
            out.append("| " + " | ".join(x.replace("|", "/") for x in (f"`{c.name}`", c.unit, c.definition)) + " |")
        out.append("")
    return "\n".join(out)


if __name__ == "__main__":  # pragma: no cover
    print(data_dictionary_markdown())
