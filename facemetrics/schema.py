"""The one place that owns output column names, order, units and meaning.

``PHOTO_COLUMNS`` is the per-photo table (``photos.csv``, with ``BATCH_COLUMNS``
after it in a batch); ``CHANGE_COLUMNS``, ``LONG_COLUMNS``,
``COMPARISON_CSV_COLUMNS``, ``TIMELINE_COLUMNS`` and ``REGIMEN_COLUMNS`` are the
other tables'.  Every column of every table has a :class:`Column` entry (the
``*_DEF`` lists; the name lists are read off them) whose fields also generate
the data dictionary in ``docs/metrics.md`` (``python -m facemetrics.schema >
docs/metrics.md``; a test keeps the two in step).

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


#: the order series are listed in (timeline.csv, report.md, the console, *My study*, timeline.png's panels): the
#: lifts first, the fold depth, then the lower face's width; other metrics after these, by name.  Sorted by name,
#: ``jaw_width_flow_mm`` came first of all when the timeline began to fit it (stop 62): a microcurrent user's first
#: verdict was the width's.  :data:`facemetrics.batch.HEADLINE_METRICS` is this order (here, in the schema, as
#: the module that owns names and their order: the batch reads it without importing pandas, as ``decay`` does).
METRIC_ORDER = ("jawline_lift_mm", "mouth_corner_lift_mm", "nlf_depth", "jaw_width_flow_mm")


def metric_rank(metric: str) -> tuple[int, str]:
    """The sort key of a metric name in :data:`METRIC_ORDER` (unknown names after, by name)."""
    m = str(metric)
    return (METRIC_ORDER.index(m) if m in METRIC_ORDER else len(METRIC_ORDER), m)


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
    # the unit word as every table says it (``index`` for the fold depth, as long.csv and comparison.csv),
    # though ``column_name`` gives ``index`` no suffix
    return [Column(column_name(stem, unit, side), unit, definition.replace("{side}", side), **kw)
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
    Column("taken_at", "", "Capture time from EXIF DateTimeOriginal (+ OffsetTimeOriginal), ISO 8601; empty when the photo has none (never the file's modification time). In a batch, the manifest's `taken_at` when it gives one, and (in a batch and in `analyze`) for a photo with neither the time its file name states (`IMG_20261201_091403.jpg`; `taken_at_source` says which). In a batch, a time without a UTC offset in a session whose other photos all carry one offset may be written with that offset, read from the session's other photos (the batch's console notes say so when this changes its hours since the treatment). With `--time-zone` (`batch`, `study report`), a time without a UTC offset is written read in the zone and a UTC one converted into it, for every photo, those left out included."),
    _WROTE,
    Column("sha256", "", "SHA-256 of the photo file's bytes (identifies the exact input)."),
    Column("pixel_sha256", "", "SHA-256 of the decoded, upright RGB pixels at the size they were analysed at (their array's shape, then its bytes; then the opacity's bytes when the file has partly transparent pixels, an alpha channel, since 2026-12-04): the same for two files of one picture whose bytes differ (a copy whose EXIF capture time was rewritten); empty when the photo could not be read. A large JPEG's fast half-size decode (the default) gives another hash than its full decode (`fast=False` of `run_batch` and `analyze_photo`), so copies are only linked among photos read with the same settings (one run)."),
]

STATUS = [
    Column("status", "", "`ok`, or why the photo was not measured: `unreadable`, `empty`, `not_an_image`, `too_large`, `too_small`, `no_face`, `turned_head`, `sideways` (turned more than 45 deg in the picture, or upside down), `transparent` (an alpha channel hides the face: mean opacity over the face below 50 %; a partly transparent face above it is measured with a warning), `several_faces` (two or more faces of about the same size: the second at least 98 % of the largest, `analyze.SEVERAL_FACES_SHARE`; crop the photo to one face; a clearly smaller second face is measured with the warning `N faces found; measured the largest, the one on the left` (or right; of three or more `the 2nd from the left`)); `error` when facemetrics itself failed on the photo (a bug: `error` names the exception)."),
    Column("error", "", "Human-readable reason when `status` is not `ok`."),
    Column("warnings", "", "Semicolon-separated warnings that did not stop the measurement (several faces, doubtful calibration, e.g. irises implausibly large or small for the face: iris width over eye width outside 0.3765-0.5455, as a dark-rimmed 'circle' contact lens makes them); in a batch also a manifest `taken_at` more than 5 minutes from the photo's EXIF capture time (both named: the manifest's time is used); in `study report` (and the app's *My study*) also the note the study store kept with the photo (which frame of a file of several was stored, e.g. 'GIF file holds 3 frames; only the first was measured')."),
    Column("quality_flags", "", "Semicolon-separated thresholds the photo breaks (pose, blur, exposure, expression, resolution, a cut face, irises not visible for the mm scale, an implausible inter-pupillary distance, a JPEG saved at a low quality: a compressed copy); see `facemetrics/quality.py`."),
    Column("covered_columns", "", "Semicolon-separated columns of this row read from a region that looks covered (a hand, hair, a scarf, a mask over the jaw line, the chin or a fold: more than 24 mm² of the region (a connected set of 2 mm cells) differ from the face's own cheek skin in colour, texture or lightness; `facemetrics.occlusion`), with their `_ipd` ratios; `warnings` names the region. Empty when none is, or when the photo was not checked (not measured, or coarser than 1 mm/px).",
           limits="A cover of the face's own colour and texture (the same person's hand held flat, a skin-coloured mask) is not told from skin; a beard or dense stubble along the jaw is flagged as a cover (docs/robustness.md 'A covered jaw or fold in one photo')."),
    Column("fit_for_comparison", "", "True when the photo was measured (`status` `ok`) and `quality_flags` is empty.",
           limits="A photo unfit for comparison is still measured; compare it with care."),
]

IMAGE = [
    Column("image_width_px", "px", "Width of the photo after EXIF orientation."),
    Column("image_height_px", "px", "Height of the photo after EXIF orientation."),
    Column("n_faces", "count", "Number of faces found; the largest is measured (two or more of about the same size: not measured, status `several_faces`). A comparison with a photo of one face measures the face that matches it instead (the one face the identity check would not refuse), and its messages say which face (`compare.faces.matching_face`); with several faces in both photos, the before photo's largest face and the one face of the after photo that matches it one to one, else the pair is refused (`compare.faces.matching_pair`). `analyze` rows describe the largest face; in a batch, a photo whose comparisons all measured another face has that face's row (its `warnings` lead with `N faces found; measured the one on the left, the face that matches <photo> ...`), so that `photos.csv` and `changes.csv` describe one face.", limits="Up to 4 faces are detected."),
    Column("face_width_px", "px", "Width of the Face Mesh face oval, in pixels of the photo.", landmarks="face oval"),
]

CALIBRATION = [
    Column("mm_per_px", "mm/px", "Millimetres per pixel of the photo, from the horizontal visible iris diameter (11.71 mm, Rüfer et al. 2005): the Face Mesh iris chord averaged over both eyes, corrected for yaw and for the chord reading 4.6 % wider than the iris edge in the image (docs/accuracy.md, \"Scale calibration\"); or the user's override.",
           landmarks="469-471, 474-476",
           limits="Individual irises vary by about +/-0.4 mm (3.6 %, 1 SD), which scales every mm value of one person by the same factor; changes between two photos of the same person are not affected by that bias. Hand-placed pupils x mm_per_px give median inter-pupillary distances of 60.6 mm (40 Canada faces) and 62.5 mm (12 London faces); adults average 63.4 mm (Dodgson 2004)."),
    Column("mm_per_px_uncertainty_pct", "%", "Relative uncertainty (1 SD) of `mm_per_px` as a scale of this person's true millimetres: between-person iris size (3.6 %), residual bias of the chord correction (2.5 %), landmark jitter (0.63 x `calibration_spread`, at least 1 %) and the yaw correction (tan(abs(yaw)) x 3 deg), in quadrature; with `--ipd-mm` 1.5 % plus the yaw part; empty with `--mm-per-px`. When the irises read implausibly large or small for the face (`warnings`: iris width / eye width outside 0.3765-0.5455) the implied scale error is added in quadrature.",
           "larger = less certain millimetres", "469-471, 474-476",
           "About 4.5 % for a frontal photo, so a single photo's 100 mm is 100 +/- 4.5 mm; it scales all mm values of the photo together and cancels in `_ipd` ratios and in before/after changes measured on one calibration."),
    Column("calibration_source", "", "`iris`, `user_mm_per_px` or `user_ipd`."),
    Column("iris_diameter_right_px", "px", "Horizontal iris diameter of the subject's right eye.", landmarks="469, 471"),
    Column("iris_diameter_left_px", "px", "Horizontal iris diameter of the subject's left eye.", landmarks="474, 476"),
    Column("calibration_spread", "ratio", "Relative disagreement of the two eyes' iris diameters, |r - l| / mean; it enters `mm_per_px_uncertainty_pct`, and above 0.1 (a turned head or an iris partly hidden; frontal portraits read at most about 0.05) `warnings` says the mm scale is less certain."),
    Column("ipd_px", "px", "Inter-pupillary distance (iris centres).", landmarks="468, 473"),
    Column("ipd_mm", "mm", "Inter-pupillary distance under this calibration; outside 50-80 mm gives a warning and a quality flag (unless the user gave the IPD).", landmarks="468, 473"),
    Column("irises_visible", "count", "How many irises (0-2) are in view: an eye counts when its lids are open and its iris reads darker than the sclera on both sides, or, for a light (blue, grey, green) iris, its pupil does (facemetrics.eyes). With 0 (dark glasses, closed eyes) Face Mesh guesses the pupils, so the mm scale is flagged and the expression checks (comparison, guided capture) compare `smile_elevation` instead of `smile_index`.",
           "larger = more irises seen", "468-477, eye contours"),
]

POSE = [
    Column("yaw_deg", "deg", "Head yaw from cv2.solvePnP of MediaPipe's canonical face model (rigid points) with a focal length equal to the image's long side, relative to the line of sight from the camera to the face (a face off the picture's centre that looks at the camera reads 0); positive = face turned towards the subject's left.",
           landmarks="1, 4, 5, 6, 7, 8, 9, 10, 33, 249, 263", limits="About +/-3 deg between repeated frontal photos."),
    Column("pitch_deg", "deg", "Head pitch as above; positive = chin up.", landmarks="as yaw_deg",
           limits="Depends on the assumed focal length; frontal studio portraits read -6 to +11 deg (London) and -14 to +3 deg (Canada)."),
    Column("roll_deg", "deg", "Head roll (in-plane tilt) as above; positive = clockwise in the image.", landmarks="as yaw_deg"),
]

QUALITY = [
    Column("sharpness", "dimensionless", "Variance of the Laplacian of the face's luminance (divided by its mean) at 0.25 mm/px, x 1000. Below 1.0 the photo is flagged blurry.",
           "larger = sharper", "face hull", "Depends on skin texture and noise: 28-190 on the London studio faces; a Gaussian blur of 0.5 mm brings them to 1.4-5.7."),
    Column("face_luminance", "0-255", "Mean luminance of the face region; outside 60-220 flagged too dark / too bright.", landmarks="face hull"),
    Column("clipped_fraction", "fraction", "Fraction of face pixels clipped (a channel >= 250 or luminance <= 5); above 0.05 flagged.", landmarks="face hull"),
    Column("colour_fraction", "fraction", "Fraction of face pixels with colour (two channels more than 3 grey levels apart, every 4th row and column); below 0.01 the photo is black-and-white: `warnings` says so, since the fold depth is then read on its grey instead of the green channel, and a comparison with a colour photo gives its fold rows the verdict `uncertain`. The colour photos of the test sets read 0.989-1.0.", landmarks="face hull"),
    Column("mouth_opening_mm", "mm", "Gap between the inner lips.", "larger = mouth more open", "13, 14"),
    Column("mouth_opening_ratio", "ratio", "Inner-lip gap divided by mouth width; above 0.15 flagged `mouth open`.", "larger = mouth more open", "13, 14, 61, 291"),
    Column("smile_index", "dimensionless", "Elevation of the mouth corners above the inner-lip midpoint divided by mouth width, plus (mouth width / IPD - 0.8). Compared between two photos (the comparison's expression check); the per-photo `smiling` flag reads `smile_score`.",
           "larger = broader smile", "13, 14, 61, 291, 468, 473",
           "Higher smiling than neutral for all 12 London faces, but weak smiles reach only -0.03-0.02 and talking raises it: compare it between photos rather than trusting an absolute threshold."),
    Column("smile_elevation", "ratio", "The first term of `smile_index` alone: elevation of the mouth corners above the inner-lip midpoint divided by mouth width. Read from the lips only (no pupils): when no iris is visible in one of two photos (`irises_visible` 0) the expression checks compare it instead of `smile_index`, against the same limit (0.10).",
           "larger = mouth corners higher (smile)", "13, 14, 61, 291"),
    Column("smile_score", "SD", "Mean of two standard scores against neutral faces: mouth width / IPD (neutral 0.771 +/- 0.044) and minus the mouth corners' depth below the pupil line / IPD (neutral 1.117 +/- 0.052). Above 1.35 flagged `smiling`.",
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
    *_side_pair("nlf_depth", "index", "Nasolabial-fold depth index: relative darkening 1 - L/L_skin of the green channel (L_skin: the cheek skin level either side of the fold), integrated across strips parallel to the fold line from 3 mm medial to 4.5 mm lateral of it (a smile's crease forms lateral of the neutral fold) and combined by a soft maximum; a dimensionless index (unit `index`, no suffix in the name): 10 x the width in mm of full darkening, so one unit is 0.1 mm of full darkening (a valley 10 % darker over 3 mm adds about 3). Rises strictly with a darker or wider valley on the line or beside it (facemetrics.folds).",
                direction="larger = deeper / darker fold", landmarks=_NLF_LM,
                limits="A shading proxy, not a 3-D depth: lighting direction changes it. Unchanged by resolution and global brightness; can be negative where the fold area is lighter than the cheek. Compare photos under the same light."),
    *_side_pair("nlf_contrast", "pct", "Darkening of the fold line against the skin 4 mm either side of it, median along the line.",
                direction="larger = darker fold", landmarks=_NLF_LM, limits="As nlf_depth; negative when the line is lighter than its sides (no visible fold)."),
    *_side_pair("nlf_length", "mm", "Length of the fold line with scale-space valley evidence: the evidence, smoothed along the line, counts each 0.4 mm of line in full at or above facemetrics.folds.LENGTH_FULL_EVIDENCE and in proportion below it (a soft count, so a fold end that fades gradually is not a threshold crossing).",
                direction="larger = longer visible fold", landmarks=_NLF_LM, limits="Not validated: it does not track the length of hand-placed smile lines (Spearman 0.16-0.29 on the tuning faces, about 0 on held-out ones; mean 5.7-12 mm against 21 mm) and moved by up to 4.8 mm (p95) between near-identical photos (docs/sensitivity.md §20-§21; both measured with the former hard threshold, not re-measured for the soft count; its re-save and filter figures: docs/compare.md, 'The fold length's ends'). Capped by the band length (about 30-45 mm)."),
]
NLF_RATIOS = [_ratio(c) for c in NLF if c.unit == "mm"]

PHOTO_COLUMNS_DEF = [*PROVENANCE, *STATUS, *IMAGE, *CALIBRATION, *POSE, *QUALITY, *JAW, *JAW_RATIOS, *NLF, *NLF_RATIOS]
#: column names of ``photos.csv`` in order
PHOTO_COLUMNS = [c.name for c in PHOTO_COLUMNS_DEF]
COLUMNS_BY_NAME = {c.name: c for c in PHOTO_COLUMNS_DEF}

#: the noise floor of a change between two photos of each measurement column of ``photos.csv``: its key in
#: :data:`facemetrics.compare.DEFAULT_NOISE_FLOORS` (a test checks each exists there; named, not imported:
#: this module imports nothing of the package), for the dictionary's ``uncertainty`` cells
#: (:func:`photo_uncertainty`)
PHOTO_FLOOR_KEYS: dict[str, tuple[str, str]] = {
    "yaw_deg": ("head_yaw_change_deg", "mean"), "pitch_deg": ("head_pitch_change_deg", "mean"),
    "roll_deg": ("head_roll_change_deg", "mean"),
    "jawline_height_mm": ("jawline_height_mm", "mean"), "jawline_height_right_mm": ("jawline_height_mm", "side"),
    "jawline_height_left_mm": ("jawline_height_mm", "side"), "jaw_width_mm": ("jaw_width_mm", "mean"),
    "lower_face_area_mm2": ("lower_face_area_mm2", "mean"),
    **{f"jowl_sag_{s}_mm": ("jowl_sag_mm", "side") for s in ("right", "left")},
    **{f"jaw_angle_{s}_deg": ("jaw_angle_deg", "side") for s in ("right", "left")},
    **{f"mouth_corner_height_{s}_mm": ("mouth_corner_height_mm", "side") for s in ("right", "left")},
    **{f"cheek_height_{s}_mm": ("cheek_height_mm", "side") for s in ("right", "left")},
    **{f"nlf_depth_{s}": ("nlf_depth", "side") for s in ("right", "left")},
    **{f"nlf_contrast_{s}_pct": ("nlf_contrast_pct", "side") for s in ("right", "left")},
    **{f"nlf_length_{s}_mm": ("nlf_length_mm", "side") for s in ("right", "left")},
}


#: why a numeric column of ``photos.csv`` that is no measurement of the face gives no uncertainty (the data
#: dictionary's ``uncertainty`` cell; an audit, stop 55: every numeric column names its uncertainty or why none)
_CHECK = ("none: a check of the photo, read against its limit (`quality_flags`, `warnings`), not a measurement "
          "of the face")
_SCALE_INPUT = "none of its own: a pixel length the mm scale is read from; its spread enters `mm_per_px_uncertainty_pct`"
NO_UNCERTAINTY: dict[str, str] = {
    "image_width_px": "none: counted pixels", "image_height_px": "none: counted pixels",
    "n_faces": "none: a count", "irises_visible": "none: a count", "face_width_px": _CHECK,
    "iris_diameter_right_px": _SCALE_INPUT, "iris_diameter_left_px": _SCALE_INPUT, "ipd_px": _SCALE_INPUT,
    "calibration_spread": "none: itself the two irises' disagreement, an input of `mm_per_px_uncertainty_pct`",
    "mm_per_px_uncertainty_pct": "none: itself an uncertainty",
    **{n: _CHECK for n in ("sharpness", "face_luminance", "clipped_fraction", "colour_fraction",
                           "mouth_opening_ratio", "smile_index", "smile_elevation", "smile_score")},
}


def photo_uncertainty(col: Column) -> str:
    """The ``uncertainty`` cell of a ``photos.csv`` column in the data dictionary: the mm scale's
    (``mm_per_px_uncertainty_pct``, 1 SD) for a length or an area, and the noise floor of a change
    between two photos (:data:`PHOTO_FLOOR_KEYS`); for a numeric column that is no measurement of the face, why it
    has none (:data:`NO_UNCERTAINTY`); ``""`` for a text column.  Every
    measured figure of a photo has one or both (an audit, 2026-12-04: the mm columns' own rows named
    neither, the scale's uncertainty stood only under `mm_per_px_uncertainty_pct`)."""
    parts = []
    if col.unit == "mm":
        parts.append("scale: +/- value x `mm_per_px_uncertainty_pct` / 100 (1 SD; the same factor for every mm "
                     "of the photo, so it cancels in a change)")
    elif col.unit == "mm2":
        parts.append("scale: +/- value x 2 x `mm_per_px_uncertainty_pct` / 100 (1 SD; cancels in a change)")
    elif col.unit == "mm/px":
        parts.append("`mm_per_px_uncertainty_pct` (1 SD)")
    elif col.name.endswith(("_ipd", "_ipd2")):
        parts.append("no scale uncertainty (no calibration); no noise floor of its own (its mm column's floor "
                     "divided by `ipd_mm` is a guide, not measured)")
    if col.name in NO_UNCERTAINTY:
        parts.append(NO_UNCERTAINTY[col.name])
    key = PHOTO_FLOOR_KEYS.get(col.name)
    if key:
        parts.append(f"change between two photos: noise floor `{key[0]}` ({key[1]}) of `comparison.csv` "
                     "(`DEFAULT_NOISE_FLOORS`, docs/thresholds.md; from repeat photos when given)")
        if key[0] in ("nlf_depth", "nlf_contrast_pct", "jaw_angle_deg"):
            parts.append("one photo's own value: +/- that floor / sqrt(2), each photo's share of it "
                         "(`compare.per_photo_uncertainty`; docs/compare.md 'Absolute values and their uncertainty')")
        elif col.unit in ("mm", "mm2"):
            parts.append("one photo's own value (the app's comparison tables): +/- sqrt((that floor / sqrt(2))^2 + "
                         "(1.96 x the scale's)^2), about 95 % (`compare.per_photo_scaled_uncertainty`; docs/compare.md "
                         "'Absolute values and their uncertainty')")
    return "; ".join(parts)


_GROUPS = [
    ("Provenance", PROVENANCE), ("Status", STATUS), ("Image and face", IMAGE),
    ("Calibration", CALIBRATION), ("Head pose", POSE), ("Quality and expression", QUALITY),
    ("Jawline and lower face", JAW), ("Jawline ratios (no calibration)", JAW_RATIOS),
    ("Nasolabial folds", NLF), ("Nasolabial ratios (no calibration)", NLF_RATIOS),
]

# --- the other tables (their columns are defined here; the modules that fill them import them) ----

#: the comparison table (:meth:`facemetrics.compare.Comparison.to_frame`: the app's table, the
#: headline, the batch's changes): one row per metric and side; ``comparison.csv`` is these columns
#: followed by ``change_scale_sd`` and its provenance (:data:`COMPARISON_CSV_COLUMNS`)
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

_VERSION = Column("facemetrics_version", "", "Version of facemetrics that wrote the row. A comparison is taken from "
                  "the batch cache only when it was made by this same version (the cache key holds the "
                  "version), so the version also made the numbers.")
_SUBJECT = Column("subject", "", "Subject identifier (manifest or first folder level).")
_TREATMENT = Column("treatment", "", "Treatment name (manifest or second folder level).")
_TREATED_AT = Column("treated_at", "", "Treatment time of the session, ISO 8601, from the manifest or `treated_at.txt` (in the regimen batch's `regimen/` tables: the first session's), written one way for one time: `YYYY-MM-DDTHH:MM:SS`, with the UTC offset as given (`Z` as `+00:00`), none when none is given; so `2026-11-02 08:00` and `2026-11-02T08:00` are one session, written `2026-11-02T08:00:00`. A text that is not a time with a time of day is kept as written. A time without an offset whose session's photos carry two or more offsets is written with the offset of the session's before photos it was read in (docs/guide.md, 'Sessions, names and typed times').")
_HOURS = Column("hours_since_treatment", "h", "`taken_at` minus `treated_at` in hours (negative: before the treatment). Both with a UTC offset: compared as instants; otherwise as wall-clock times, except that in a batch a photo time without an offset is read in the offset all the session's other photos carry (several offsets: the photo is left out), and a `treated_at` without an offset whose session's photos carry two or more offsets (travel, a clock change) is read in the offset of the session's before photos (they disagree or carry none: the photos with an offset are left out; docs/guide.md, 'Sessions, names and typed times').")

_TAKEN_AT_SOURCE = Column("taken_at_source", "", "Where `taken_at` came from: `manifest` (the manifest's `taken_at`), `exif` (the photo's EXIF DateTimeOriginal, else DateTimeDigitized, with OffsetTimeOriginal's UTC offset when the camera wrote one), `sidecar` (no EXIF time: the `photoTakenTime` of its Google Photos / Takeout sidecar beside it, `IMG_1234.jpg.json` or `IMG_1234.jpg.supplemental-metadata.json`, a UTC time written with `Z`; `facemetrics.sidecar.sidecar_time`), `file_name` (no EXIF time nor sidecar: the time the file's name states, `IMG_20261201_091403.jpg`, `Screenshot 2026-12-01 at 09.14.03.png`, ..., a local wall-clock time without a UTC offset; `facemetrics.timekeys.time_from_name`, docs/guide.md 'A capture time from the file name'; a Pixel's `PXL_20261201_081403123.jpg` states UTC, written with `Z`), or empty when the photo has no capture time (a WhatsApp copy, `IMG-20261201-WA0003.jpg`, has a date but no time of day). A time with `Z` is an instant whose local offset is not known: against a `treated_at` without an offset it is counted in the offset of the session's photos that carry one, or the photo is left out (docs/guide.md 'Where each time came from'). In `study report` (and the app's *My study*), where the study store's time of the photo came from, as the store saved it: `typed` (`study add --taken-at`, a `study import` manifest's, the app's typed time), `exif`, `sidecar`, `file_name`, or `unknown` (a photo stored before the store saved its source, schema 2 and older). The manifest's time wins over the EXIF time, the EXIF time over the sidecar's, the sidecar's over the file name's (`facemetrics.timekeys.capture_time_of`, the one chain; `analyze` writes this column too, without a manifest).")

#: ``facemetrics analyze``'s table: :data:`PHOTO_COLUMNS` and where each ``taken_at`` came from (the batch's
#: ``photos.csv`` begins the same way: :data:`BATCH_COLUMNS` starts with it)
ANALYZE_COLUMNS = [*PHOTO_COLUMNS, _TAKEN_AT_SOURCE.name]

#: columns ``facemetrics batch`` adds to ``photos.csv`` after :data:`PHOTO_COLUMNS`
BATCH_COLUMNS_DEF = [
    _TAKEN_AT_SOURCE, _TREATMENT, _TREATED_AT, _HOURS,
    Column("role", "", "`baseline` (taken before `treated_at`: a before photo of its session) or `post` (taken at "
           "or after it); empty when the photo cannot be placed (not measured, no capture or treatment time, a "
           "time without a time of day, a time with a fraction after the hours or minutes such as `08.20`, a photo "
           "taken more than 30 days before the treatment (`pairing.MAX_DAYS_BEFORE_TREATMENT`: a reset camera "
           "clock) or more than 365 days after it (`pairing.MAX_DAYS_AFTER_TREATMENT`: a camera clock set ahead), "
           "or a session that cannot be told: `excluded` says why)."),
    Column("excluded", "", "Why the photo is left out of the comparisons, `; `-separated (not measured, no capture "
           "or treatment time, not in the manifest, no baseline photo in its session, the same file content as "
           "another photo of the session (at another time or in another role: every copy is left out), its "
           "comparison refused or failed, ...); empty for a photo the batch uses (an after photo compared with its "
           "session's baseline, or a baseline photo)."),
]
#: columns added to ``photos.csv`` after :data:`PHOTO_COLUMNS` (a list: ``PHOTO_COLUMNS + BATCH_COLUMNS``)
BATCH_COLUMNS = [c.name for c in BATCH_COLUMNS_DEF]

_MESSAGES = Column("messages", "", "`; `-separated reasons behind a `warning` or `refused` status (e.g. a change of pose, "
                   "expression or light, a face cut by the image edge, or several faces in the before or after photo, "
                   "naming the face measured: the one matching the other photo, or the largest).")

_SIDE = Column("side", "", "`mean` (both sides, or a metric without sides), `right` or `left` (the subject's own sides).")

#: leading columns of ``changes.csv`` (the metric columns follow: ``<metric>``, ``<metric>_noise_floor``,
#: ``<metric>_verdict``, ``<metric>_scale_sd`` per metric and side, named by :func:`side_column`)
CHANGE_COLUMNS_DEF = [
    _SUBJECT, _TREATMENT,
    Column("photo", "", "The photo compared, path relative to the batch folder (the after photo; in a no-change check, the baseline photo checked)."),
    Column("sha256", "", "SHA-256 of `photo`'s file bytes (identifies the exact input)."),
    Column("pixel_sha256", "", "SHA-256 of `photo`'s decoded pixels (`photos.csv`'s `pixel_sha256`): the same for two files of one picture."),
    Column("baseline_photos", "", "The baseline photos it is compared with, `; `-separated: the before photo first, then its repeats (they set the noise floor)."),
    Column("baseline_sha256", "", "SHA-256 of each baseline photo's file bytes, `; `-separated, in the order of `baseline_photos`."),
    Column("n_baseline", "", "Number of baseline photos."),
    Column("taken_at", "", "Capture time of `photo` (manifest, else EXIF, else its file name's), ISO 8601."),
    _TAKEN_AT_SOURCE, _TREATED_AT, _HOURS,
    Column("role", "", "`post` (a change after the treatment) or `baseline` (a no-change check: a baseline photo against the session's other baseline photos). The before photo of a subject's next session of the same treatment is also a `post` row of the earlier session, at its hours since that treatment (its `messages` say so; none when another treatment began between, the two are one picture, or either session has no after photo compared)."),
    _VERSION,
    Column("status", "", "The comparison's status: `ok`, `warning` (see `messages`), `refused` (the photos cannot be compared: no changes given) or `error`."),
    _MESSAGES,
]
#: leading columns of ``changes.csv`` (metric columns follow)
CHANGE_COLUMNS = [c.name for c in CHANGE_COLUMNS_DEF]

#: ``comparison.csv``'s ``change_scale_sd`` as ``long.csv`` carries it (its change is named ``value`` there)
_CHANGE_SCALE_SD_LONG = Column(
    "change_scale_sd", "", "The mm scale's share of the change's uncertainty, 1 SD, in `unit`: `comparison.csv`'s "
    "`change_scale_sd` of the same pair, /`value`/ x the before photo's `mm_per_px_uncertainty_pct` / 100 for a `mm` "
    "row, x 2 x that / 100 for a `mm2` row. Not in `noise_floor` and it does not enter the verdict. Empty for "
    "`index`, `deg` and `pct` rows, when the scale was given (`--mm-per-px`) and when `value` is empty.")

#: columns of ``long.csv`` (one row per comparison, metric and side; provenance last)
LONG_COLUMNS_DEF = [
    _SUBJECT, _TREATMENT, _HOURS,
    Column("metric", "", "The metric changed (a `photos.csv` column name without its side)."),
    _SIDE,
    Column("value", "", "The change, after minus before, in `unit` (a `changes.csv` metric cell)."),
    Column("unit", "", "Unit of `value` and `noise_floor`: `mm`, `mm2`, `deg`, `pct`, or `index` (the dimensionless fold depth)."),
    Column("noise_floor", "", "Smallest change distinguishable from the measurement's noise, in `unit`."),
    Column("verdict", "", "The change against its noise floor: `within_noise`, a direction word beyond it (`lift`/`sag`, `deeper`/`shallower`, ...), or `uncertain` (no claim: see facemetrics.compare; every row of a comparison whose two photos are the same picture or a re-saved copy, which shows no noise; in a batch also every row of a session whose before photos disagree by twice the noise floor or more, but for the pose rows; `changes.csv`'s `messages` say which). `facemetrics timeline` leaves `uncertain` rows out of its fits."),
    _CHANGE_SCALE_SD_LONG,
    Column("photo", "", "The photo compared (as in `changes.csv`; a session's before photo is also a row of the previous session of its subject and treatment, at its hours since that session's `treated_at`)."),
    Column("taken_at", "", "Capture time of `photo`, ISO 8601."),
    _TREATED_AT,
    Column("sha256", "", "SHA-256 of `photo`'s file bytes (its baseline photos' are in `changes.csv`'s `baseline_sha256`)."),
    Column("pixel_sha256", "", "SHA-256 of `photo`'s decoded pixels (`photos.csv`'s `pixel_sha256`); empty when not known (a table written before it, the app)."),
    Column("calibration_source", "", "The mm scale `value` was read in: the before photo's `calibration_source` in `photos.csv` (`iris`, `user_mm_per_px` with `--mm-per-px`, `user_ipd` with `--ipd-mm`); it sets the scale's error the `timeline.csv` intervals carry (see its `bootstrap`). Empty when not known (a table written before it): read as `iris`."),
    _VERSION,
]
#: columns of ``long.csv``
LONG_COLUMNS = [c.name for c in LONG_COLUMNS_DEF]

#: the identifier and text columns of the batch's tables (``photos.csv``, ``changes.csv``, ``long.csv``)
#: and ``timeline.csv``: read back as text (``dtype=str``), never as numbers, by every reader of the
#: project's own outputs (:mod:`facemetrics.batch.timeline`): subjects ``007``, ``7`` and ``003`` were
#: read as the numbers 7, 7 and 3, so two people were fitted as one and ``003`` was shown as 3 (an audit,
#: 2026-12-04).  A column a table lacks is passed over.
TEXT_COLUMNS = ("subject", "treatment", "photo", "baseline_photos", "sha256", "pixel_sha256",
                "baseline_sha256", "taken_at", "taken_at_source", "treated_at", "role", "status", "error", "warnings", "quality_flags",
                "messages", "excluded", "metric", "side", "unit", "verdict", "reason", "calibration_source", "covered_columns",
                "facemetrics_version")

#: ``comparison.csv`` of ``facemetrics compare`` and the app's download
#: (:meth:`facemetrics.compare.Comparison.to_csv_frame`): the table's :data:`COMPARISON_COLUMNS`,
#: the mm scale's share of each change's uncertainty (``change_scale_sd``), then on every row which
#: photos and which comparison (its status and messages) and which facemetrics made it, so the file alone says whether its rows can be trusted
COMPARISON_CSV_COLUMNS_DEF = [
    Column("metric", "", "The metric compared: a lift of a region (`jawline`, `jowl`, `mouth_corner`, `cheek`) from "
           "the dense displacement field (`<region>_lift_mm`) or from the landmarks alone "
           "(`<region>_lift_landmarks_mm`, a cross-check), a fold metric (`nlf_*`), a per-photo metric (a "
           "`photos.csv` column name without its side), the lower face's width change read by the dense "
           "displacement field across the jaw band (`jaw_width_flow_mm`: the median horizontal displacement of points "
           "2-8 mm inside the before photo's face oval at the mouth corners' height, +-4 mm, the subject's left side "
           "minus the right; a narrowing that `jaw_width_mm`, the oval's width, reads at about 0.8 of its size), or "
           "the change of the head's pose and camera distance (`head_*_change_deg`, `camera_distance_change_pct`)."),
    _SIDE,
    Column("unit", "", "Unit of `before`, `after`, `change` and `noise_floor`: `mm`, `mm2`, `deg`, `pct`, or "
           "`index` (the dimensionless fold depth)."),
    Column("before", "", "The metric on the before photo, in `unit`; empty for the dense-flow lifts and the pose "
           "rows (a displacement or a change, not a per-photo value) and when the comparison is `refused`. "
           "`jaw_width_flow_mm`'s is the before photo's oval width (`jaw_width_mm`'s before) and its after that plus "
           "the change the flow read (not the after photo's oval). The "
           "fold rows (`nlf_*`) are measured on the comparison's grid (the before photo's eye-levelled frame), so "
           "they can differ a little from the photo's own value in `photos.csv` (`facemetrics analyze`)."),
    Column("after", "", "The metric on the after photo as the comparison measures it, in `unit`: a fold row "
           "(`nlf_*`) scored along the before photo's fold line carried onto the same skin of the after photo "
           "(tones matched to the before photo), a per-photo row from the after landmarks carried into the before "
           "photo's frame. By design, so that the change compares the same skin; it can therefore differ from the "
           "after photo's own value in `photos.csv` (`facemetrics analyze`), most for a fold that moved with a "
           "change of expression. Empty as `before`."),
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
           "alignment, whose face is cut by the image edge, whose lips changed shape (then the camera-distance row "
           "too) or whose camera distance or head pitch or yaw "
           "changed beyond the range the correction was checked on; or a change whose floor is unknown; see facemetrics.compare.table), `refused` (every row of a refused comparison) or empty (not measured)."),
    Column("change_scale_sd", "", "The mm scale's share of the change's uncertainty, 1 SD, in `unit`: |`change`| x "
           "the before photo's `mm_per_px_uncertainty_pct` / 100 for a `mm` row, x 2 x that / 100 for a `mm2` row "
           "(every millimetre of a comparison is read in the before photo's scale, so a scale error multiplies "
           "the change: docs/compare.md, 'Which mm scale a change is read in'). Not in `noise_floor` (measured on "
           "no-change pairs, where the scale has no effect) and it does not enter the verdict: a scale error cannot "
           "make a zero change non-zero, nor turn its direction. Empty for `index`, `deg` and `pct` rows, when "
           "the scale was given (`--mm-per-px`, no uncertainty stated) and when `change` is empty."),
    Column("before_photo", "", "The before photo as the user gave it (the path on the command line; the uploaded "
           "file's name in the app)."),
    Column("after_photo", "", "The after photo, as `before_photo`."),
    Column("before_sha256", "", "SHA-256 of the before photo file's bytes: identifies the exact input when names "
           "repeat (a phone calls every photo `image.jpg`); empty when the photo could not be read."),
    Column("after_sha256", "", "SHA-256 of the after photo file's bytes, as `before_sha256`."),
    Column("before_taken_at", "", "Capture time of the before photo from its EXIF DateTimeOriginal (+ "
           "OffsetTimeOriginal), ISO 8601 as `photos.csv`'s `taken_at`; empty when unknown (never the file's "
           "modification time)."),
    Column("after_taken_at", "", "Capture time of the after photo, as `before_taken_at`."),
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

# --- timeline.csv: the decay fits (facemetrics.decay.analyze_series) and the regimen rows ---------

_AS_UNIT = "as `unit`"  # the unit cell of a change column of a fitted row: the row's own `unit`
_NOT_RESOLVED = ("Not identified when no decay is resolved (`facemetrics.decay.decay_resolved`: the half-life's "
                 "interval reaches the fit's 5000 h bound or has no width, the half-life sits at "
                 "`half_life_h_min`, its interval reaches both `half_life_h_min` and `last_time_h`, the half-life "
                 "or its interval's upper end lies beyond `last_time_h`, or the interval is over 10x wide); "
                 "`report.md` then shows `not resolved`.")


def _ci_pair(stem: str, unit: str, of: str) -> list[Column]:
    """The ``<stem>_ci_low`` / ``<stem>_ci_high`` columns: the ends of the row's ``confidence`` interval of ``of``."""
    return [Column(f"{stem}_ci_{end}", unit, f"{word} end of the `confidence` (default 95 %) percentile bootstrap "
                   f"interval of {of}; empty without a bootstrap.")
            for end, word in (("low", "Lower"), ("high", "Upper"))]


_SERIES_TREATMENT = Column("treatment", "", "Treatment of the series (`long.csv`'s `treatment`).")
_SERIES_METRIC = Column("metric", "", "The change fitted, a `long.csv` metric: by default the headline changes "
                        "`jawline_lift_mm`, `mouth_corner_lift_mm` and `jaw_width_flow_mm` (side `mean`) and `nlf_depth` "
                        "(per side).")
_SERIES_SIDE = Column("side", "", "Side of `metric`: `mean`, `right` or `left` (the subject's own sides).")
_SERIES_UNIT = Column("unit", "", "Unit of every change column of the row (`long.csv`'s `unit`: `mm` for the "
                      "lifts and the jaw width, `index` for the fold depth).")
_SERIES_N_SUBJECTS = Column("n_subjects", "", "Distinct subjects among the rows fitted.")
_SERIES_MARGIN = Column("smallest_meaningful_change", _AS_UNIT,
                        "The margin the verdict tests against: max(min_effect, `noise_floor`), where min_effect "
                        "is `--min-effect` or the unit's default (0.3 mm, 0.84 for `index`, 0 for any other "
                        "unit).")
_SERIES_BOOT_N = Column("n_boot", "", "Bootstrap replicates that could be fitted (400 are drawn by default); 0 "
                        "without a bootstrap.")
_SERIES_CONFIDENCE = Column("confidence", "", "Level of every `_ci_low`/`_ci_high` interval of the row, a "
                            "fraction (default 0.95).")
_SERIES_VERSION = Column("facemetrics_version", "", "Version of facemetrics that fitted the row.")

#: ``timeline.csv``'s decay rows (:meth:`facemetrics.decay.SeriesResult.to_frame`, one per fit)
TIMELINE_COLUMNS_DEF = [
    _SERIES_TREATMENT, _SERIES_METRIC, _SERIES_SIDE,
    Column("subject", "", "Empty for the pooled fit of every subject of the series; a subject's name for that "
           "subject's own fit (series with 2 or more subjects; a subject with fewer than 5 times after treatment "
           "gets a row without a fit that says so)."),
    _SERIES_UNIT,
    Column("n_photos", "", "Rows of `long.csv` fitted, one per photo compared with its session's baseline: the "
           "after photos, and, in a session with 2 or more baseline photos, each baseline photo checked against "
           "the others (at its negative time, a measured zero change). Rows whose verdict is `uncertain` are "
           "left out (a comparison whose photo is the same picture as its before photo among them: a copy reads "
           "0 by construction), a row repeating another (the same photo listed twice) is counted once, and one "
           "photo (the same `sha256`, or on one side of the treatment the same `pixel_sha256`) listed at two or more times of one session is left out at every time, "
           "whatever the verdict of its other rows (without `treated_at`, a hand-made table or the app's "
           "timeline: of one subject and treatment, so one file used in two sessions is left out at both) "
           "(`reason` counts each)."),
    _SERIES_N_SUBJECTS,
    Column("n_times", "", "Distinct `hours_since_treatment` at or after treatment (t >= 0) among the rows, "
           "photos of one session taken less than 5 minutes apart (retakes) counting as one time; a fit needs at "
           "least 4."),
    Column("last_time_h", "h", "The latest photo's `hours_since_treatment`."),
    Column("half_life_h_min", "h", "The shortest half-life the fit allows: half the first photo time after "
           "treatment (at least 0.05 h; 0.05 h when a photo is at t = 0). A half-life within 1 % of it is "
           "pinned there: the transient is then fitted to the first photo alone."),
    Column("peak_change", _AS_UNIT, "The fitted change just after treatment (t = 0+): `lasting` + `transient`. "
           "An extrapolation of the first photo alone, not a measurement, when the half-life is pinned at "
           "`half_life_h_min` (`report.md` then shows `not resolved`)."),
    *_ci_pair("peak_change", _AS_UNIT, "`peak_change`"),
    Column("half_life_h", "h", "Hours in which the transient part of the change halves (fit bounds "
           "`half_life_h_min` to 5000 h). " + _NOT_RESOLVED.replace("Not identified", "Only where the fit stopped")),
    *[Column(f"half_life_h_ci_{end}", "h", f"{word} end of the `confidence` (default 95 %) interval of "
             "`half_life_h`: for a subject's own fit or a pooled fit of fewer than 3 subjects the profile-likelihood "
             "interval (the half-lives whose fit is within the F test's reach of the best; a percentile "
             "bootstrap interval held the truth too seldom with so few photos), else the percentile bootstrap "
             "interval; empty without a bootstrap.") for end, word in (("low", "Lower"), ("high", "Upper"))],
    Column("half_point_h", "h", "Hours after treatment at which the measured change fell to half its value at the "
           "first photo after treatment (or at its measured peak, `half_point_peak_h`, when it grew after the "
           "session), read from the photos without assuming a shape: a curve through the photos that only falls "
           "(isotonic regression), drawn straight between photo times. Empty when the "
           "change does not fall to half by the last photo (or there is no change to halve, or the row shows no "
           "effect: the photo time's mean change largest in size is below `smallest_meaningful_change`). When that "
           "mean has the sign opposite to the fitted curve's at the session (`peak_change`: a change rising from "
           "nothing at the session can fit so), the change is read with the photos' sign if that mean is beyond "
           "the photos' spread, else empty."),
    *[Column(f"half_point_h_ci_{end}", "h", f"{word} end of the `confidence` (default 95 %) bootstrap interval of "
             "`half_point_h` (the photos' values perturbed by the fit's residuals), moved out to the photo times "
             f"around it: between two photos the change may halve anywhere.{extra}")
      for end, word, extra in (("low", "Lower", " The last photo's time when no replicate fell to half; empty "
                                "without a bootstrap or a change to halve."),
                               ("high", "Upper", " Empty when it lies beyond the last photo (some replicates "
                                "never fell to half), or without a bootstrap or a change to halve."))],
    Column("half_point_peak_h", "h", "Hours after treatment of the measured peak `half_point_h` halves the change "
           "from, when the photos show that the change grew after the session (the mean change at that photo time "
           "larger than the first photo's, in the direction of the fit, by more than the photos' residual spread "
           "allows). Empty when the half point is of "
           "the change at the first photo after treatment, or without a half point interval."),
    Column("half_point_basis", "", "Which sign the half point reads: `fit` (the fitted curve's at the session, "
           "`peak_change`, and the photos' agree), `photos` (the photos' largest mean change is beyond "
           "`smallest_meaningful_change` and their noise with the sign opposite to the curve's, as a change that grew "
           "from nothing can fit: `peak_change` is then not a figure of the photos, and report.md shows it, the "
           "half-life and the lasting / transient split \"not resolved\"), `reversed` (as `photos`, but "
           "the photos also show the curve's sign, reaching `smallest_meaningful_change` at two photo times or more "
           "and beyond their noise: a change that reversed, e.g. an early lift turned into a sag, whose fitted peak "
           "is shown); with no half point, why: `no_effect` "
           "(no photo time's mean change is as large as `smallest_meaningful_change`), `signs_differ` (the "
           "curve's and the photos' signs differ and the photos' change is not beyond their noise; the photos do "
           "not show the curve's sign at two photo times or more beyond their noise either, so report.md shows "
           "`peak_change`, the half-life and the split \"not resolved\") or `signs_differ_shown` (as "
           "`signs_differ`, but the photos show the curve's sign as for `reversed`: its peak is shown); empty "
           "without a fit."),
    Column("change_24h", _AS_UNIT, "The change 24 h after treatment: the figure the verdict tests. The fitted "
           "curve's at 24 h (identified even when no decay is resolved), or, when the curve misses the photos "
           "taken 18-30 h after treatment or its shape misses the photos' means at their times "
           "(`change_24h_source` `photos_18_30h`), those photos' mean change."),
    *_ci_pair("change_24h", _AS_UNIT, "`change_24h`"),
    *[Column(f"change_24h_test_ci_{end}", _AS_UNIT, f"{word} end of the `test_confidence` (default 90 %) "
             "interval of `change_24h`, the one the verdict compares with +/-`smallest_meaningful_change` "
             "(two one-sided tests at 5 % each); empty without a bootstrap.")
      for end, word in (("low", "Lower"), ("high", "Upper"))],
    Column("change_24h_source", "", "Where `change_24h` and its intervals come from: `curve` (the fitted curve "
           "at 24 h, agreeing with the photos at 18-30 h), `photos_18_30h` (the mean change of the photos at "
           "18-30 h: the curve misses them, two-sided bootstrap p < 0.05, or its shape misses the photos' means at "
           "their times by more than the photos at one time (or, different sessions' photos at nearby times, at about one time) scatter, lack-of-fit p < 0.01, or a flat-then-falling "
           "curve fits far better, shape test p < 0.01, so the verdict read "
           "them; the curve's value is in `reason`), `curve_unchecked` (the curve at 24 h, with no photo at 18-30 h to check it: "
           "an extrapolation, not measured), empty without a fit."),
    Column("n_photos_18_30h", "", "Photos (rows) taken 18-30 h after treatment: those the fitted curve is "
           "checked against at 24 h."),
    Column("lasting", _AS_UNIT, "The part of the change that does not wear off (the model's value long after "
           "treatment). " + _NOT_RESOLVED + " Empty, with a sentence in `reason`, when photos taken 36 h or more "
           "after treatment do not follow the fitted curve (a dip below the before photos, a change that comes "
           "back; docs/validation.md section 23)."),
    *_ci_pair("lasting", _AS_UNIT, "`lasting`"),
    Column("transient", _AS_UNIT, "The part of the change that wears off, halving every `half_life_h` hours "
           "(change(t) = `lasting` + `transient` x 2^(-t / `half_life_h`)). " + _NOT_RESOLVED),
    *_ci_pair("transient", _AS_UNIT, "`transient`"),
    _SERIES_MARGIN,
    Column("noise_floor", _AS_UNIT, "Median of the rows' absolute `noise_floor` (a typical comparison's floor); "
           "empty when the changes carry none."),
    Column("verdict", "", "`fades_within_a_day` (the 90 % interval of `change_24h` lies inside "
           "+/-`smallest_meaningful_change`, after a real initial effect: the fitted change at the second photo "
           "time after treatment (the first at least 5 minutes after the first photo time: a retake is no second "
           "look) lies beyond the margin with its `confidence` interval), `persists_beyond_a_day` (that interval lies entirely beyond the margin) or "
           "`inconclusive`."),
    Column("reason", "", "Which verdict rule applied and on what figures, in a full sentence."),
    Column("status", "", "`ok`; `insufficient_data` (no fit: fewer than 6 photos, fewer than 4 times after "
           "treatment or no photo at or after 12 h), `fit_failed`, `bootstrap_failed` (fewer than half the "
           "replicates could be fitted), `no_bootstrap` (`n_boot` 0: point estimates only), "
           "`too_few_replicates` (fewer than 50: intervals, no verdict) or `no_margin` (no smallest meaningful "
           "change for the unit and no noise floor: intervals, no verdict)."),
    Column("fit_ok", "", "True when the model was fitted; every estimate and interval is empty when False."),
    Column("rmse", _AS_UNIT, "Root-mean-square residual of the fit."),
    Column("bootstrap", "", "How the intervals were resampled: `cluster` (whole subjects, for a pooled fit of 3 "
           "or more subjects; below 10 subjects each replicate's residuals are resampled too), `residual` "
           "(fitted values plus resampled residuals, with one resampled offset per session for the baseline "
           "photo's own error) or `none`. Intervals of changes in mm (mm2) also carry the error of the mm scale, one "
           "draw per replicate (its square for areas), as `long.csv`'s `calibration_source` says: for the iris "
           "scale (`iris`, or none given) 2.5 % shared, 3.6 % per subject for the iris size, 1 % per session; for "
           "a scale from `--ipd-mm` (`user_ipd`) 1.5 % per subject for the IPD given, none with `cluster` (the "
           "resampled subjects carry it); for a scale given with "
           "`--mm-per-px` (`user_mm_per_px`) none, the user's scale being taken as exact (1 SD; the shared part "
           "only when whole subjects are resampled)."),
    _SERIES_BOOT_N, _SERIES_CONFIDENCE,
    Column("test_confidence", "", "Level of `change_24h_test_ci_*`: 2 x `confidence` - 1 (default 0.90)."),
    _SERIES_VERSION,
]
#: column order of :meth:`SeriesResult.to_frame` (and :meth:`DecayFit.to_dict`)
TIMELINE_COLUMNS = tuple(c.name for c in TIMELINE_COLUMNS_DEF)

#: ``timeline.csv``'s regimen rows (:func:`facemetrics.decay.analyze_regimen`, one per treatment x metric x side)
REGIMEN_COLUMNS_DEF = [
    Column("kind", "", "`regimen` (the cumulative change over days); the decay rows read `decay`."),
    _SERIES_TREATMENT, _SERIES_METRIC, _SERIES_SIDE,
    Column("subject", "", "Empty: one fit pools every subject (one intercept each)."),
    _SERIES_UNIT,
    Column("n_photos", "", "Rows of `regimen/long.csv` fitted: each later session's baseline (pre-session) "
           "photo compared with the first session's baseline (day 0), and, with 2 or more day-0 photos, each "
           "checked against the others (at its negative day); rows whose verdict is `uncertain` are left out, a "
           "row repeating another is counted once, and one photo (the same `sha256`) listed at two or more days "
           "is left out at every day; a photo fitted with the warning that the expression may differ that stands "
           "out from the line of the others is left out of this row's figures (the counts, slope, change, their "
           "CIs, margin and bootstrap, all read at the same `day_n`), its `reason` naming it and giving the change "
           "with it; `verdict` stays when the fit without it reads the same (docs/validation.md §19), else it is "
           "`inconclusive` (§18, §19b)."),
    _SERIES_N_SUBJECTS,
    Column("n_days", "", "Distinct days after day 0 with a pre-session photo (days since the first treatment, "
           "rounded; later than half a day); a fit needs at least 3."),
    Column("day_n", "day", "Day at which `change_day_n` is read: the last day with a photo (days since the first "
           "treatment, rounded), unless given."),
    Column("slope_per_week", _AS_UNIT + " per week", "7 x the least-squares slope of the pre-session level "
           "against days since the first treatment, common to all subjects (one intercept per subject)."),
    *_ci_pair("slope_per_week", _AS_UNIT + " per week", "`slope_per_week`"),
    Column("change_day_n", _AS_UNIT, "The fitted change from day 0 to day `day_n` (slope x `day_n`): the "
           "straight line's value, near but not exactly the level reached when the true course levels off."),
    *_ci_pair("change_day_n", _AS_UNIT, "`change_day_n`"),
    _SERIES_MARGIN,
    Column("verdict", "", "`cumulative_change` (the `confidence` interval of `change_day_n` lies beyond "
           "+/-`smallest_meaningful_change`), `no_cumulative_change` (inside it) or `inconclusive`."),
    Column("reason", "", "The change, its interval and the rule that applied, in a full sentence."),
    Column("status", "", "`ok`; `insufficient_data` (photos on fewer than 3 days after day 0: no fit), "
           "`no_bootstrap`, `bootstrap_failed`, `no_margin` or `too_few_replicates` (fewer than 50), each with "
           "verdict `inconclusive`."),
    Column("bootstrap", "", "`cluster` (whole subjects, with 3 or more), `moving_block` (blocks of "
           "round(n_days^(1/3)) consecutive days within each subject, all photos of a day together) or `none`. "
           "Intervals in mm (mm2) also carry the error of the mm scale, as in the decay rows: one draw per "
           "replicate (its square for areas), 2.5 % shared, with `moving_block` also 3.6 % per subject for the "
           "iris size and 1 % for the subject's day-0 baseline photo, which every level is read against (1 SD; "
           "the shared part only with `cluster`); with `--ipd-mm` (`calibration_source` `user_ipd`) instead 1.5 % "
           "per subject with `moving_block` and none with `cluster`, with `--mm-per-px` none. A `moving_block` "
           "row with photos on 3 days after day 0 (fewer than `REGIMEN_FEW_DAYS`) has its intervals widened to "
           "hold the slope +/- z x its standard error from the rows' `noise_floor` (each level's own error taken "
           "as noise_floor / (1.96 x sqrt 2)): a bootstrap of 3 days sees no photo's own error (since stop 62)."),
    _SERIES_BOOT_N, _SERIES_CONFIDENCE, _SERIES_VERSION,
]
#: column order of :func:`analyze_regimen` (the ``regimen`` rows of ``timeline.csv``)
REGIMEN_COLUMNS = tuple(c.name for c in REGIMEN_COLUMNS_DEF)


def data_dictionary_markdown() -> str:
    """The data dictionary of ``photos.csv`` (with its batch columns), ``changes.csv``, ``long.csv``,
    ``comparison.csv`` and ``timeline.csv`` (decay and regimen rows) as Markdown (``docs/metrics.md``)."""
    out = [
        "# Data dictionary: `photos.csv`",
        "",
        "Generated from `facemetrics/schema.py` (`python -m facemetrics.schema > docs/metrics.md`); "
        "a test fails when the two disagree. One row per photo, columns in this order. "
        "`right`/`left` are the subject's own sides. Heights are measured downwards from the line "
        "through the two pupils, in a frame levelled on the eyes. Empty cells mean the value could "
        "not be measured (see `status`). The `uncertainty` column says what uncertainty each measured figure "
        "carries: the mm scale's (`mm_per_px_uncertainty_pct`) and the noise floor of a change between two photos.",
        "",
        "**Opening the tables in a spreadsheet.** Every table below, `validate`'s tables and the app's CSV "
        "downloads are UTF-8 with a byte-order mark, comma-separated, with a point as the decimal mark and "
        "numbers to 6 significant digits; each column's unit is in this dictionary and in its name's ending "
        "(`_mm`, `_mm2`, `_px`, `_deg`, `_pct`, `_h`; `_ipd`: a ratio to the inter-pupillary distance) or, in "
        "`long.csv`, `comparison.csv` and `timeline.csv`, in the row's `unit` column. The mark lets Excel show "
        "`±`, `→`, `²` and accented photo names as written when the file is opened with a double-click. Where the "
        "system's list separator is `;` (settings with a decimal comma, e.g. German or French), Excel shows each "
        "row in one column: open the file with Data > From Text/CSV (delimiter: comma) instead; LibreOffice asks "
        "in its import dialog (separator: comma). Python's `csv` module reads the files with "
        "`open(path, newline=\"\", encoding=\"utf-8-sig\")` (pandas as they are), R with `read.csv(path, "
        "fileEncoding = \"UTF-8-BOM\")` or `readr::read_csv`. A table saved from a spreadsheet has other bytes: the "
        "next run will not overwrite it (move it, or `--force`).",
        "",
    ]
    for title, cols in (*_GROUPS, ("Batch columns (`facemetrics batch` only)", BATCH_COLUMNS_DEF)):
        out += [f"## {title}", "", "| column | unit | definition | direction | landmarks | known limits | uncertainty |",
                "|---|---|---|---|---|---|---|"]
        for c in cols:
            cells = [f"`{c.name}`", c.unit, c.definition, c.direction, c.landmarks, c.limits, photo_uncertainty(c)]
            out.append("| " + " | ".join(x.replace("|", "/") for x in cells) + " |")
        out.append("")
    for title, intro, cols in (
            ("`changes.csv`", "One row per comparison of `facemetrics batch` (and `facemetrics study report`): "
             "these leading columns, then per metric and side its change `<metric>`, `<metric>_noise_floor`, "
             "`<metric>_verdict` and `<metric>_scale_sd` (names as in `photos.csv`; `<metric>_scale_sd`: the mm "
             "scale's share of the change's uncertainty, 1 SD, `comparison.csv`'s `change_scale_sd` of the same "
             "pair, empty for `index`, `deg` and `pct` columns and with `--mm-per-px`).", CHANGE_COLUMNS_DEF),
            ("`long.csv`", "The same changes as a tidy table, one row per comparison, metric and side: the "
             "input of `facemetrics timeline`.", LONG_COLUMNS_DEF),
            ("`comparison.csv`", "One row per metric and side of one before/after pair: what `facemetrics "
             "compare -o DIR` writes and the app's comparison offers as a download. A refused comparison still "
             "has every row (status `refused`, the reasons in `messages`).", COMPARISON_CSV_COLUMNS_DEF),
            ("`timeline.csv` (decay rows)", "One row per fit of `facemetrics timeline` (and of `demo` and `study "
             "report`): per treatment, metric and side the pooled fit of every subject, then each "
             "subject's own, of change(t) = lasting + transient x 2^(-t / half_life) at t hours after treatment "
             "(0 before it). A unit cell \"as `unit`\" means the row's own `unit`. Every estimate and interval is empty when no "
             "fit was made (`fit_ok` False), every interval when there was no bootstrap, and every estimate and "
             "interval of a row whose fit holds a session whose before photo reads as the odd one out and "
             "cannot be left out (`fit_ok` True; the `reason` gives the verdict and change at 24 h with it; "
             "docs/validation.md §21b). When the regimen batch "
             "was run these rows get `kind` `decay` and the regimen rows follow, with the columns below: the file "
             "then holds these columns, `kind`, and the regimen's other columns, each row leaving the other "
             "kind's empty.", TIMELINE_COLUMNS_DEF),
            ("`timeline.csv` (regimen rows)", "One row per treatment, metric and side of the regimen batch "
             "(`DIR/regimen/`: each later session's pre-session photos compared with the first session's "
             "baseline): the cumulative change over days, a straight line fitted with one intercept per "
             "subject.", REGIMEN_COLUMNS_DEF)):
        out += [f"# Data dictionary: {title}", "", intro, "", "| column | unit | definition |", "|---|---|---|"]
        for c in cols:
            out.append("| " + " | ".join(x.replace("|", "/") for x in (f"`{c.name}`", c.unit, c.definition)) + " |")
        out.append("")
    return "\n".join(out)


#: ``claims.csv`` of ``facemetrics validate`` (facemetrics.validate), one row per scenario and treatment;
#: its columns in order: the timeline row's (:data:`TIMELINE_COLUMNS`;
#: ``unit`` is that of ``peak_change``, ``change_24h``, their CIs and ``smallest_meaningful_change``,
#: the ``half_life_h*`` and ``last_time_h`` columns are hours; CIs at ``confidence``, the ``_test_``
#: CI at ``test_confidence``, the one the verdict reads), with ``scenario`` and two flags:
#: ``peak_resolved`` (:func:`facemetrics.decay.claim.peak_resolved`) and ``decay_resolved``
#: (:func:`facemetrics.decay.claim.decay_resolved`), False also when there is no fit.  A number whose
#: flag is False is kept (it is where the fit stopped) but is not a measurement: report.md shows
#: "not resolved" in its place.
CLAIMS_COLUMNS = (
    "scenario", "treatment", "metric", "verdict", "unit",
    "peak_change", "peak_change_ci_low", "peak_change_ci_high", "peak_resolved",
    "half_life_h", "half_life_h_ci_low", "half_life_h_ci_high", "decay_resolved", "half_life_h_min", "last_time_h",
    "change_24h", "change_24h_ci_low", "change_24h_ci_high", "change_24h_test_ci_low", "change_24h_test_ci_high",
    "change_24h_source", "smallest_meaningful_change", "confidence", "test_confidence", "status", "reason", "facemetrics_version",
)


if __name__ == "__main__":  # pragma: no cover
    print(data_dictionary_markdown())
