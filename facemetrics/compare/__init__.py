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
   onto the same skin of the after image by a flow of the fold band's own on
   finely normalised images (:func:`facemetrics.compare.measure.fold_carry`:
   a new darkening of the valley is not taken for motion), whose tones are
   first matched to the before image's over the skin outside the folds
   (:func:`match_tones`: exposure, gamma and white balance drop out).
   Per-photo jaw metrics use the after landmarks mapped into the before photo
   and its frame.
6. Each change is compared with a noise floor (defaults measured by
   ``bench/bench_compare.py --noise-floors`` and written in
   ``docs/compare.md``, widened for a coarse pair by :func:`resolution_floors`,
   or estimated from repeat photos) and gets a verdict.
7. A comparability gate (:func:`gate`) checks pose, expression, lighting,
   resolution, each photo's mm scale and how well the upper faces match
   (different people), and refuses or warns with plain-language messages;
   where it says the lower face cannot be read (:func:`lower_face_uncertain`)
   every row but the pose rows carries the verdict ``uncertain``.  Where part of
   the lower face looks covered in one photo (:func:`covered_areas`: a large
   area of tone-matched grey or colour difference between the before image and
   the registered after image), the rows it reaches carry ``uncertain``, with a message.
8. With before repeats, each repeat is compared with the before photo (a no-change check, the other
   repeats as its repeats) and judged by the batch's rule on a session's before photos that disagree
   (:func:`~facemetrics.compare.disagreement.with_repeat_disagreement`): beyond the check's floor, status
   ``warning`` and the batch's two messages; at 2 floors or more every row but the pose rows reads
   ``uncertain``.  A loop over after photos of one before photo makes these checks once
   (:func:`check_before_repeats`, then ``compare_photos(..., repeats_checked=)``).

Sides are the subject's own (the subject's right is the image left of an
unmirrored photo).

Modules
-------
- :mod:`~facemetrics.compare.regions`: where the lifts are measured (step 4).
- :mod:`~facemetrics.compare.measure`: every change of one pair (steps 2-5).
- :mod:`~facemetrics.compare.floors`: the noise floors (step 6), one rule for
  the defaults and one for repeats, and what the pose correction adds.
- :mod:`~facemetrics.compare.gate`: the comparability gate (step 7).
- :mod:`~facemetrics.compare.occlusion`: does part of the lower face look covered in one photo (a hand,
  a scarf, a block over the jaw)?  The rows it reaches read ``uncertain`` (step 7).
- :mod:`~facemetrics.compare.copies`: is the after photo (or a repeat) the same picture as its
  photo: identical pixels, or a re-saved copy (a lossy save, resize, crop or tone edit)?
- :mod:`~facemetrics.compare.table`: the rows, their units and verdicts, and
  the result types.
- :mod:`~facemetrics.compare.disagreement`: do the before photo and its repeats disagree?  The batch's one
  rule on a session's before photos, applied to the repeats (step 8).
- this module: :func:`compare_photos`, which runs them in order.

The comparison's figure is :func:`facemetrics.plots.comparison_overlay`, its
plain-language summary :func:`facemetrics.report.summary_lines`.
"""

from __future__ import annotations

import hashlib
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from numbers import Real

import cv2
import numpy as np
from PIL import Image

from ..analyze import PhotoAnalysis, analyze_loaded, analyze_photo, check_ipd_mm, check_mm_per_px
from ..errors import SettingError, check_flag
from ..loader import Photo, check_source_type
from ..rounding import fixed
from ..threads import single_blas_thread
from .floors import (
    CAMERA_FLOOR_MM, CAMERA_REL_UNCERTAINTY, DEFAULT_NOISE_FLOORS, MIN_FLOOR_FRACTION, NUISANCE_FLOOR_FACTOR,
    POSE_ANGLE_REL_UNCERTAINTY, POSE_FLOOR_K, POSE_MODEL_FRACTION, POSE_ROW_FLOORS, REGION_CAMERA_FLOOR_MM,
    REGION_POSE_MODEL_FRACTION, RIGID_BLOCK_MM, ROLL_COVERED_DEG, ROLL_ROW_FLOORS,
    RESOLUTION_FLOOR_SLOPES, RESOLUTION_POWER_DENSE, RESOLUTION_POWER_OTHER, SCALE_COVERAGE_K,
    noise_floors_from_nuisances, noise_floors_from_repeats, pair_mm_per_px, per_photo_uncertainty,
    per_photo_scaled_uncertainty, pose_adjusted_floors,
    pose_floor_terms,
    pose_row_floor_terms, pose_uncertainty, resolution_crossing, resolution_floor_power, resolution_floors,
    rigid_block_sd,
    roll_row_floor_terms,
)
from ..quality import MAX_MM_PER_PX
from .measure import eyes_covered
from .gate import (MAX_LUMINANCE_CHANGE, MSG_NOT_ALIGNED, order_messages, colour_mismatch, gate, lower_face_uncertain,
                   lower_face_unread_reasons, refusal_reasons, MIN_JPEG_QUALITY, MSG_JPEG_QUALITY, jpeg_quality_messages,
                   low_jpeg_quality)
from .pose import (REFUSE_LANDMARK_POSE_DEG, REFUSE_PITCH_DEG, REFUSE_YAW_DEG, WARN_CAMERA_PCT, WARN_PITCH_DEG,
                   WARN_YAW_DEG, MAX_CHECKED_CAMERA_PCT, VALIDATED_PITCH_DEG, VALIDATED_YAW_DEG, camera_beyond_checked,
                   camera_measured, pose_beyond_checked, pose_messages)
from .framing import (face_cut, MAX_FOCAL_35MM_DIFFERENCE_MM, MSG_LENSES, different_lenses, lens_messages, lens_rows,
                      MAX_FRAMING_RATIO, MSG_FRAMING, face_fraction, framed_differently, framing_ratio, framing_rows,
                      MSG_CUT_OUT, MSG_CUT_DIFFERENTLY, CUT_OUT_METRICS, CUT_EDGE_OFFSET, MAX_CUT_EDGE_DIFFERENCE,
                      transparency, cut_edge_opacity, cut_out_differs, cut_out_rows, cut_out_messages)
from .expression import (MAX_MOUTH_CORNER_RISE_MM, MAX_MOUTH_OPENING_CHANGE, MAX_MOUTH_WIDENING_MM, MAX_SMILE_CHANGE,
                         lip_shape_changes, said_verdicts)
from .iris_scale import (irises_hidden, MAX_IRIS_SCALE_RATIO, MSG_IRIS_SCALE, iris_scale_ratio, iris_scale_disagrees,
                         iris_scale_rows)
from .skin import (MIN_SKIN_TEXTURE_RATIO, MSG_SMOOTHED, smoothed_skin, weak_fold_messages, weak_fold_rows,
                   MAX_LOCAL_CONTRAST_RATIO, MSG_TONE_MAPPED, tone_mapping_ratio, tone_mapped_messages,
                   tone_mapped_rows, fold_cause, MIN_GAIN_SHADING_SHARE, MSG_FINE_CONTRAST, skin_shadings,
                   gain_shading_share, fine_contrast_messages, MIN_EDGE_GAIN_SHARE, skin_edge_levels, edge_gain_share,
                   sharpened)
from .light import (MAX_LIGHT_SIDE_SHIFT_PCT, MSG_LIGHT_SIDE, head_turn_deg, head_turn_uncertainty, light_messages,
                    light_moved, light_rows, light_shift, LIGHT_ROW_FLOORS, light_adjusted_floors, light_row_floor_terms,
                    light_side_uncertainty)
from .glasses import (MSG_EYES_COVERED, eyes_covered_messages, eyes_covered_rows, GLASSES_CHEEK_COVER,
                      glasses_cheek_cover, glasses_cheek_rows, GLASSES_FOLD_COVER, MSG_GLASSES_FOLD, glasses_fold_cover,
                      glasses_fold_sides, glasses_fold_rows, glasses_fold_messages)
from .identity import (DIFFERENT_PEOPLE_RESIDUAL_MM, DIFFERENT_PEOPLE_SYMMETRIC_MM, identity_residual_mm,
                       reverse_residual_mm, MAX_ALIGNMENT_SYMMETRIC_MM, DIFFERENT_PEOPLE_POSSIBLE_SYMMETRIC_MM,
                       UpperFaceMatch, upper_face_match, MAX_ALIGNMENT_RESIDUAL_MM, MSG_MIRRORED, MSG_MIRROR_IMAGE,
                       MSG_MIRROR_REMEDY, mirror_check, registration_uncertain)
from .fold_lines import (FOLD_LINE_AGREEMENT, fold_line_disagreements, FOLD_CONTRAST_SIDE_CHANGE_PCT,
                         MSG_FOLD_CONTRAST_SIDES, fold_contrast_side_rows)
from .faces import matching_faces
from .fold_length import FOLD_LENGTH_AGREEMENT, MSG_FOLD_LENGTHS, fold_length_disagreements
from .copies import (
    NEAR_COPY_CLOSEST_SEPARATE, NEAR_COPY_MAX_DIFFERENCE, PictureDifference, picture_difference, same_pixels,
)
from .disagreement import MSG_FLOORS_FROM_DISAGREEMENT, MSG_REPEATS_DISAGREE, with_repeat_disagreement
from .measure import REPEAT_CACHE_SIZE, _kept, _measure, match_tones, one_comparison, repeat_changes as _repeat_changes
from .occlusion import (
    MSG_BOTH_COVERED, MSG_COVERED, MSG_PHOTO_COVERED, Covered, covered_areas, covered_messages, one_photo_covered,
)
from .regions import (
    CHEEK_RADIUS_MM, JAW_BAND_MM, JOWL_HALF_WIDTH_MM, MOUTH_CORNER_RADIUS_MM, REGIONS, TRIM, region_lifts,
    region_masks, robust_mean,
)
from .table import (
    COLUMNS, LOWER_FACE_KINDS, METRICS, POSE_METRICS, REGISTERED_KINDS, UNCERTAIN, VERDICT_WORDS, WITHIN_NOISE,
    Alignment, Change, Comparison, MetricSpec,
    _rows, verdict,
)

__all__ = [
    "compare_photos", "check_before_repeats", "RepeatCheck",
    "Comparison", "Change", "Alignment", "MetricSpec", "METRICS", "COLUMNS", "POSE_METRICS",
    "VERDICT_WORDS", "WITHIN_NOISE", "UNCERTAIN", "REGISTERED_KINDS", "LOWER_FACE_KINDS", "verdict",
    "MSG_REPEATS_DISAGREE", "MSG_FLOORS_FROM_DISAGREEMENT",
    "registration_uncertain", "MAX_FOCAL_35MM_DIFFERENCE_MM", "MSG_LENSES", "different_lenses", "lens_messages",
    "MIN_JPEG_QUALITY", "MSG_JPEG_QUALITY", "jpeg_quality_messages", "low_jpeg_quality",
    "lens_rows", "lower_face_uncertain", "MAX_FRAMING_RATIO", "MSG_FRAMING", "face_fraction",
    "framing_ratio", "framed_differently", "framing_rows", "MSG_CUT_OUT", "CUT_OUT_METRICS", "transparency",
    "cut_out_differs", "cut_out_rows", "cut_out_messages", "MSG_CUT_DIFFERENTLY", "CUT_EDGE_OFFSET",
    "MAX_CUT_EDGE_DIFFERENCE", "cut_edge_opacity", "MAX_IRIS_SCALE_RATIO", "MSG_IRIS_SCALE",
    "iris_scale_ratio", "iris_scale_disagrees", "iris_scale_rows", "face_cut", "lip_shape_changes", "irises_hidden",
    "eyes_covered", "MSG_EYES_COVERED", "eyes_covered_messages", "eyes_covered_rows",
    "GLASSES_CHEEK_COVER", "glasses_cheek_cover", "glasses_cheek_rows",
    "GLASSES_FOLD_COVER", "MSG_GLASSES_FOLD", "glasses_fold_cover", "glasses_fold_sides", "glasses_fold_rows",
    "glasses_fold_messages",
    "MIN_SKIN_TEXTURE_RATIO", "MSG_SMOOTHED", "smoothed_skin", "weak_fold_messages", "weak_fold_rows",
    "MAX_LOCAL_CONTRAST_RATIO", "MSG_TONE_MAPPED", "tone_mapping_ratio", "tone_mapped_messages", "tone_mapped_rows",
    "fold_cause", "FOLD_LINE_AGREEMENT", "fold_line_disagreements",
    "FOLD_CONTRAST_SIDE_CHANGE_PCT", "MSG_FOLD_CONTRAST_SIDES", "fold_contrast_side_rows",
    "FOLD_LENGTH_AGREEMENT", "MSG_FOLD_LENGTHS", "fold_length_disagreements",
    "MIN_GAIN_SHADING_SHARE", "MSG_FINE_CONTRAST", "skin_shadings", "gain_shading_share", "fine_contrast_messages",
    "MIN_EDGE_GAIN_SHARE", "skin_edge_levels", "edge_gain_share", "sharpened",
    "MAX_LIGHT_SIDE_SHIFT_PCT", "MSG_LIGHT_SIDE", "light_shift", "light_rows", "LIGHT_ROW_FLOORS",
    "light_adjusted_floors", "light_row_floor_terms",
    "light_messages", "head_turn_deg", "head_turn_uncertainty",
    "camera_beyond_checked", "camera_measured", "MAX_CHECKED_CAMERA_PCT", "refusal_reasons", "MSG_MIRRORED",
    "pose_beyond_checked", "VALIDATED_PITCH_DEG", "VALIDATED_YAW_DEG",
    "REGIONS", "region_masks", "region_lifts", "robust_mean",
    "match_tones", "gate", "pose_messages", "DEFAULT_NOISE_FLOORS", "noise_floors_from_repeats",
    "covered_areas", "covered_messages", "MSG_COVERED", "one_photo_covered", "MSG_PHOTO_COVERED",
    "MSG_BOTH_COVERED",
    "noise_floors_from_nuisances", "pose_floor_terms", "pose_uncertainty", "pose_adjusted_floors",
    "pose_row_floor_terms", "roll_row_floor_terms", "rigid_block_sd",
    "resolution_floors", "resolution_floor_power", "resolution_crossing", "pair_mm_per_px", "per_photo_uncertainty",
    "per_photo_scaled_uncertainty", "SCALE_COVERAGE_K",
    # the constants behind the floors, the gate and the regions (their modules document them)
    "RESOLUTION_FLOOR_SLOPES", "RESOLUTION_POWER_DENSE", "RESOLUTION_POWER_OTHER",
    "CAMERA_FLOOR_MM", "CAMERA_REL_UNCERTAINTY", "MIN_FLOOR_FRACTION", "NUISANCE_FLOOR_FACTOR",
    "POSE_ANGLE_REL_UNCERTAINTY", "POSE_FLOOR_K", "POSE_MODEL_FRACTION", "POSE_ROW_FLOORS", "REGION_CAMERA_FLOOR_MM",
    "REGION_POSE_MODEL_FRACTION", "RIGID_BLOCK_MM", "ROLL_COVERED_DEG", "ROLL_ROW_FLOORS",
    "DIFFERENT_PEOPLE_RESIDUAL_MM", "DIFFERENT_PEOPLE_SYMMETRIC_MM", "identity_residual_mm", "reverse_residual_mm",
    "MAX_ALIGNMENT_SYMMETRIC_MM", "DIFFERENT_PEOPLE_POSSIBLE_SYMMETRIC_MM", "UpperFaceMatch", "upper_face_match",
    "MAX_ALIGNMENT_RESIDUAL_MM", "MAX_LUMINANCE_CHANGE", "MAX_MM_PER_PX",
    "MAX_MOUTH_CORNER_RISE_MM", "MAX_MOUTH_OPENING_CHANGE", "MAX_MOUTH_WIDENING_MM", "MAX_SMILE_CHANGE",
    "REFUSE_LANDMARK_POSE_DEG", "REFUSE_PITCH_DEG", "REFUSE_YAW_DEG", "WARN_CAMERA_PCT", "WARN_PITCH_DEG",
    "WARN_YAW_DEG", "CHEEK_RADIUS_MM", "JAW_BAND_MM", "JOWL_HALF_WIDTH_MM", "MOUTH_CORNER_RADIUS_MM", "TRIM",
]


def _as_analysis(x, *, mm_per_px=None, ipd_mm=None, fast=True) -> PhotoAnalysis:
    if isinstance(x, PhotoAnalysis):
        return x
    if isinstance(x, Photo):
        return analyze_loaded(x, mm_per_px=mm_per_px, ipd_mm=ipd_mm)
    return analyze_photo(x, mm_per_px=mm_per_px, ipd_mm=ipd_mm, fast=fast)


def _check_photo_arg(x, what: str) -> None:
    """Raise :class:`TypeError` naming the argument (``what``, e.g. ``"compare_photos() after"``) when ``x`` is
    not a photo :func:`compare_photos` can take: what :func:`~facemetrics.loader.check_source_type` refuses
    (None, a number, a float array, ...), or a Photo / PhotoAnalysis of another import of the package (a
    module reloaded in a notebook: ``isinstance`` fails and it was read as an unknown source)."""
    if isinstance(x, (Photo, PhotoAnalysis)):
        return
    if type(x).__name__ in ("Photo", "PhotoAnalysis"):
        raise TypeError(f"{what} is a {type(x).__name__} of another import of facemetrics (the package was "
                        f"reloaded since it was made: importlib.reload, %autoreload); use a new analysis of the "
                        f"photo, or the photo itself")
    if isinstance(x, (list, tuple)) and what.endswith(("before", "after")):
        state = what.rpartition(" ")[2]
        raise TypeError(f"{what} must be one photo, not a {type(x).__name__}; more photos of the {state} state go "
                        f"in {state}_repeats")
    check_source_type(x, what, also=", a Photo or a PhotoAnalysis")


def _as_sequence(repeats, name: str) -> tuple:
    """``before_repeats`` / ``after_repeats`` as a tuple of photos: None is none, and one photo given
    alone (a path, bytes, a file object, an array, a PIL image, a Photo or an analysis) is one
    repeat, not a sequence to loop over (a path string was read character by character, a file
    object line by line)."""
    if repeats is None:
        return ()
    if isinstance(repeats, (str, os.PathLike, bytes, bytearray, memoryview, np.ndarray, Image.Image, Photo,
                            PhotoAnalysis)) or hasattr(repeats, "read") or hasattr(repeats, "getvalue"):
        return (repeats,)  # a file object (Streamlit's UploadedFile) is one photo, not its lines
    try:
        return tuple(repeats)
    except TypeError:
        raise TypeError(f"compare_photos() {name} must be a sequence of photos, not {type(repeats).__name__}") \
            from None


def _check_floors(noise_floors) -> dict:
    """``noise_floors`` checked: a mapping of known ``(metric, side)`` keys to floors >= 0 (metric unit).

    Raises
    ------
    SettingError
        Not a mapping, an unknown key (a bare metric name, a misspelt one), or a floor that is not
        a finite number >= 0.
    """
    if noise_floors is None:
        return {}
    if not isinstance(noise_floors, Mapping):
        raise SettingError(f"noise_floors must be a dict {{(metric, side): floor}}, not {type(noise_floors).__name__}")
    unknown = [k for k in noise_floors if k not in DEFAULT_NOISE_FLOORS]
    if unknown:
        raise SettingError(f"noise_floors: unknown key(s) {', '.join(map(repr, unknown[:5]))}; keys are "
                           f"(metric, side) pairs such as {next(iter(DEFAULT_NOISE_FLOORS))!r} "
                           "(facemetrics.compare.DEFAULT_NOISE_FLOORS lists them all)")
    for k, v in noise_floors.items():
        if isinstance(v, bool) or not isinstance(v, Real) or not math.isfinite(v) or v < 0:
            raise SettingError(f"noise_floors[{k!r}] must be a finite number >= 0 (the metric's unit), got {v!r}")
    return {k: float(v) for k, v in noise_floors.items()}


def _check_scale_settings(before, after, mm_per_px, ipd_mm) -> None:
    """``mm_per_px`` and ``ipd_mm`` checked like :func:`facemetrics.analyze_photo` does, and refused
    (:class:`~facemetrics.errors.SettingError`) when a photo they would apply to was handed in
    already analysed with another calibration: compare_photos does not re-measure an analysis, so
    the setting would be silently ignored."""
    mm_per_px, ipd_mm = check_mm_per_px(mm_per_px), check_ipd_mm(ipd_mm)
    for label, x, scale in (("before", before, mm_per_px), ("after", after, None)):
        if not isinstance(x, PhotoAnalysis) or x.calibration is None:
            continue
        c = x.calibration
        if scale is not None and not (c.source == "user_mm_per_px" and math.isclose(x.mm_per_px, scale, rel_tol=1e-9)):
            raise SettingError(f"mm_per_px={scale:g} cannot apply: the {label} photo was handed in already analysed "
                               f"(calibration: {c.source}); pass mm_per_px to analyze_photo, or pass the photo itself")
        if ipd_mm is not None and scale is None and not (c.source == "user_ipd" and math.isclose(c.ipd_mm, ipd_mm,
                                                                                                 rel_tol=1e-9)):
            raise SettingError(f"ipd_mm={ipd_mm:g} cannot apply: the {label} photo was handed in already analysed "
                               f"(calibration: {c.source}); pass ipd_mm to analyze_photo, or pass the photo itself")


def compare_photos(before, after, *, before_repeats=(), after_repeats=(), mm_per_px: float | None = None,
                   ipd_mm: float | None = None, noise_floors: dict | None = None,
                   fast: bool = True, check_order: bool = True, check_repeats: bool = True,
                   repeats_checked: RepeatCheck | None = None) -> Comparison:
    """Compare a before and an after photo of one face.

    Parameters
    ----------
    before, after : str, path-like, bytes, file-like, Photo or PhotoAnalysis
        The two photos (analyses are reused as given).
    before_repeats, after_repeats : sequence, optional
        More photos of the before / after state (same types; one photo given
        alone counts as one repeat, None as none).  With at least
        one repeat the noise floors are estimated from the changes between
        photos of one state (:func:`noise_floors_from_repeats`) instead of
        the defaults.  A repeat that is the same picture as its photo (identical
        pixels, or a re-saved copy of it), whose
        upper face differs from its photo's beyond the gate's limit for two
        different people (the comparison's statistic, the mean of both orders'
        residuals, :data:`DIFFERENT_PEOPLE_SYMMETRIC_MM`), or whose
        lower face the gate would not read against its photo
        (:func:`lower_face_unread_reasons`: another expression, a rough
        match, a cut face, a head pose or camera distance beyond the checked
        range) is not used, with a message; without a usable repeat the
        defaults stay.  Before repeats that disagree with the before photo are
        said (``check_repeats``).
    mm_per_px : float, optional
        Known scale of the before photo (mm per px of the original file),
        overriding its iris calibration.  Only the before photo's scale
        matters for the changes: the alignment absorbs any scale difference
        of the after photo (and of repeats), which keep their iris calibration.
    ipd_mm : float, optional
        The subject's known inter-pupillary distance, mm.
    noise_floors : dict, optional
        ``{(metric, "side"|"mean"): floor}`` overriding the defaults (keys as in
        :data:`DEFAULT_NOISE_FLOORS`, floors >= 0 in the metric's unit).
    fast : bool
        Allow the reduced decode of large JPEGs (see :func:`facemetrics.load_photo`).
    check_order : bool
        Warn when both photos carry an EXIF capture time and the before photo was taken more than
        :data:`~facemetrics.compare.gate.MAX_BEFORE_AFTER_H` after the after photo (status ``warning``,
        verdicts kept: :func:`~facemetrics.compare.gate.order_messages`); one time with a UTC offset and
        one without, so near that the offset-free camera's zone decides the order, gives a warning starting
        :data:`~facemetrics.compare.gate.MSG_ORDER_UNCHECKED` saying so.  The batch and the app's
        study comparisons pass False: they order the photos by their times themselves, and a no-change
        check compares a baseline photo with a later one on purpose.
    check_repeats : bool
        With ``before_repeats``, compare each with the before photo (the other repeats as its repeats, one
        more comparison per repeat) and judge them by the batch's rule on before photos that disagree
        (:func:`~facemetrics.compare.disagreement.with_repeat_disagreement`): a headline change beyond that
        check's noise floor gives the status ``warning`` and two messages (starting with
        :data:`MSG_REPEATS_DISAGREE` and :data:`MSG_FLOORS_FROM_DISAGREEMENT`: floors built from photos that
        disagree measure that disagreement); at
        :data:`~facemetrics.compare.disagreement.LEAVE_OUT_FLOORS` floors or more every row but the pose rows
        reads ``uncertain``.  ``facemetrics compare --before-repeat`` says the same.  The batch and the app
        pass False: they check a session's before photos against each other themselves (no-change
        comparisons; the session's message, once per session), and the finding would be said twice.
    repeats_checked : RepeatCheck, optional
        Those checks made beforehand (:func:`check_before_repeats` of this ``before`` and these
        ``before_repeats``, the same ``mm_per_px`` and ``ipd_mm``), for a loop over after photos of one
        before photo: each call then makes no check of its own, with the same result to the last bit.  A
        before photo with several faces whose face matching this ``after`` chose another face (or analysed
        otherwise) than the check's is checked afresh.  Not used with ``check_repeats=False`` or without
        ``before_repeats``.

    Returns
    -------
    Comparison
        Never raises for a bad photo: ``status == "refused"`` and
        ``messages`` say why.  Before and after photos with identical pixels
        are compared (every change 0) with a warning (:data:`MSG_SAME_PICTURE`); so is an after
        photo that is a re-saved copy of the before photo (a lossy save, a resize, a crop or a small
        tone edit: :func:`~facemetrics.compare.copies.picture_difference`), with its own warning
        (:func:`near_copy_message`, starting with :data:`MSG_NEAR_COPY`).
        Each row of :meth:`Comparison.to_frame` is in its ``unit`` (mm, mm², deg, %,
        or the fold depth index) with its ``noise_floor`` in that unit and a ``verdict``;
        ``lifts`` in mm, positive = up towards the eyes, ``right``/``left`` the subject's
        sides; :meth:`Comparison.change_scale_sds` the 1 SD each change carries from the
        before photo's iris scale (``scale_uncertainty_pct``).

    Raises
    ------
    SettingError
        ``mm_per_px`` or ``ipd_mm`` outside the plausible range, or given for a
        photo handed in already analysed with another calibration (it would be
        ignored); ``noise_floors`` not a dict of known ``(metric, side)`` keys
        to finite floors >= 0 (these raised before any photo is read); ``repeats_checked`` not a
        :class:`RepeatCheck`, or made for other photos (another before photo or other repeats, by their names
        and files) or other settings (raised once the photos are analysed, before the comparison);
        ``fast``, ``check_order`` or ``check_repeats`` not True or False (a NumPy bool, 0 or 1).
    TypeError
        A photo of a kind :func:`facemetrics.load_photo` cannot take, the argument named (``before``,
        ``after``, ``after_repeats[1]``), before any photo is read; a list given as ``before`` or
        ``after`` (more photos of one state go in ``before_repeats`` / ``after_repeats``).

    Examples
    --------
    Run from the project folder (the bundled sample pair; its true jawline lift is 1.5 mm):

    >>> import facemetrics as fm
    >>> c = fm.compare_photos("sample_images/astronaut_before.jpg", "sample_images/astronaut_after.jpg")
    >>> c.status, c.noise_source
    ('ok', 'default')
    >>> row = c.to_frame().set_index(["metric", "side"]).loc[("jawline_lift_mm", "mean")]
    >>> f"{row.change:+.1f} {row.unit}, noise floor {row.noise_floor:.2f} {row.unit}: {row.verdict}"
    '+1.6 mm, noise floor 0.10 mm: lift'
    """
    floors = _check_floors(noise_floors)
    fast, check_order, check_repeats = (check_flag(v, k) for k, v in (("fast", fast), ("check_order", check_order),
                                                                      ("check_repeats", check_repeats)))
    _check_scale_settings(before, after, mm_per_px, ipd_mm)
    given_before, given_repeats = before, _as_sequence(before_repeats, "before_repeats")
    before_repeats = given_repeats
    after_repeats = _as_sequence(after_repeats, "after_repeats")
    for what, photos in (("before", [before]), ("after", [after]), ("before_repeats", before_repeats),
                         ("after_repeats", after_repeats)):
        for i, x in enumerate(photos):
            _check_photo_arg(x, f"compare_photos() {what}" + (f"[{i}]" if what.endswith("repeats") else ""))
    reuse = repeats_checked is not None and check_repeats and bool(before_repeats)
    if repeats_checked is not None and not isinstance(repeats_checked, RepeatCheck):
        raise SettingError(f"repeats_checked must be a RepeatCheck (made by check_before_repeats), not "
                           f"{type(repeats_checked).__name__}")
    with single_blas_thread(), one_comparison():  # work its steps share (the face matching's alignments)
        if reuse:  # analysed as _compare analyses them (the same analyses), to be matched with the check's photos
            before = _as_analysis(before, mm_per_px=mm_per_px, ipd_mm=ipd_mm, fast=fast)
            before_repeats = tuple(_as_analysis(r, ipd_mm=ipd_mm, fast=fast) for r in before_repeats)
            repeats_checked._check_made_for(before, before_repeats, mm_per_px, ipd_mm)
        c = _compare(before, after, before_repeats, after_repeats, mm_per_px, ipd_mm, floors, fast, check_order)
    if not check_repeats or not before_repeats or c.status == "refused":
        return c
    # the before repeats against the before photo: the batch's no-change check, judged by its one rule; made
    # beforehand (repeats_checked) when it was made with the very face this comparison measured
    if reuse and _face_print(c.before) == _face_print(repeats_checked.before):
        checks = repeats_checked.checks
    else:
        checks = _repeat_checks(c.before, before_repeats, mm_per_px, ipd_mm, fast)
    return with_repeat_disagreement(c, _given_name(given_before, c.before),
                                    [_given_name(r, ch.after) for r, ch in zip(given_repeats, checks)], checks)


def _repeat_checks(before: PhotoAnalysis, repeats: tuple, mm_per_px, ipd_mm, fast) -> tuple[Comparison, ...]:
    """Each of ``repeats`` compared with ``before`` (the face a comparison measured), the other repeats as its
    repeats: the batch's no-change check of a session's before photos (:func:`compare_photos`' ``check_repeats``)."""
    return tuple(compare_photos(before, rep, before_repeats=repeats[:i] + repeats[i + 1:],
                                mm_per_px=mm_per_px, ipd_mm=ipd_mm, fast=fast,
                                check_order=False,  # a before photo taken after the other is no order fault
                                check_repeats=False)
                 for i, rep in enumerate(repeats))


def _photo_print(x: PhotoAnalysis) -> tuple:
    """Which photo ``x`` is: its name and its file's (or pixels') SHA-256."""
    return x.name, (x.photo.sha256 if x.photo is not None else None)


def _face_print(x: PhotoAnalysis) -> tuple:
    """What a comparison reads of ``x``, as content (two analyses of one file with one setting give the same): the
    photo (:func:`_photo_print`, the analysed size and decode scale), the status, the face measured and its
    landmarks (their bytes' SHA-1), the scale and the warnings; the rest of an analysis is computed from these."""
    photo = x.photo
    pts = None if x.points is None else hashlib.sha1(np.ascontiguousarray(x.points).tobytes()).hexdigest()
    return (_photo_print(x), None if photo is None else (photo.rgb.shape, photo.scale), x.status, x.error,
            x.n_faces, (x.extra or {}).get("face"), pts, repr(x.calibration), tuple(x.warnings))


@dataclass(frozen=True, eq=False)
class RepeatCheck:
    """A before photo's repeats checked against it once (:func:`check_before_repeats`), for
    :func:`compare_photos` ``(before, after, before_repeats=..., repeats_checked=...)`` in a loop over after
    photos: each call then reuses these checks instead of making them again (one comparison per repeat).

    Attributes
    ----------
    before : PhotoAnalysis
        The before photo's analysis the repeats were compared with.
    repeats : tuple of PhotoAnalysis
        The repeats' analyses, in the order given.
    checks : tuple of Comparison
        ``checks[i]``: ``before`` (first) against ``repeats[i]``, the other repeats as its repeats (default
        noise floors for one repeat), without a check of its own; as many as ``repeats``.
    mm_per_px, ipd_mm : float or None
        The settings the checks were made with (the calls that reuse them must give the same).
    """

    before: PhotoAnalysis
    repeats: tuple[PhotoAnalysis, ...]
    checks: tuple[Comparison, ...]
    mm_per_px: float | None = None
    ipd_mm: float | None = None

    def _check_made_for(self, before: PhotoAnalysis, repeats: tuple, mm_per_px, ipd_mm) -> None:
        """Raise :class:`SettingError` unless these checks were made for ``before`` and ``repeats`` (by their
        names and files, in order) with these settings."""
        def names(xs):
            return ", ".join(x.name for x in xs)

        if [_photo_print(x) for x in (before, *repeats)] != [_photo_print(x) for x in (self.before, *self.repeats)]:
            raise SettingError(f"repeats_checked was made for the before photo {self.before.name} and its repeats "
                               f"{names(self.repeats)}, not for {before.name} and {names(repeats)} (by their names "
                               "and files): make it with check_before_repeats of this call's before photo and "
                               "repeats")
        if (mm_per_px, ipd_mm) != (self.mm_per_px, self.ipd_mm):
            raise SettingError(f"repeats_checked was made with mm_per_px={self.mm_per_px}, ipd_mm={self.ipd_mm}, "
                               f"not mm_per_px={mm_per_px}, ipd_mm={ipd_mm}: give compare_photos the settings "
                               "given to check_before_repeats")


def check_before_repeats(before, repeats, *, mm_per_px: float | None = None, ipd_mm: float | None = None,
                         fast: bool = True) -> RepeatCheck:
    """The check :func:`compare_photos` makes of its before repeats (``check_repeats``: each repeat compared
    with the before photo, the other repeats as its repeats), made once, for a loop over after photos of one
    before photo (``compare_photos(..., repeats_checked=)``: the same results, one comparison per repeat
    fewer in each call).

    Parameters
    ----------
    before : str, path-like, bytes, file-like, Photo or PhotoAnalysis
        The before photo (as :func:`compare_photos` takes it).
    repeats : sequence
        Its repeat photos (one photo alone counts as one repeat), at least one.
    mm_per_px, ipd_mm : float, optional
        As given to :func:`compare_photos` (the calls that reuse the check must give the same).
    fast : bool
        Allow the reduced decode of large JPEGs (see :func:`facemetrics.load_photo`).

    Returns
    -------
    RepeatCheck
        The analyses and the checks.  Pass the same photos to :func:`compare_photos` (as analyses:
        ``before=check.before``, ``before_repeats=check.repeats``, or as the same files; the call analyses
        photos given as files again).

    Raises
    ------
    SettingError
        No repeat given; ``mm_per_px`` or ``ipd_mm`` as :func:`compare_photos` raises.
    """
    _check_scale_settings(before, None, mm_per_px, ipd_mm)
    repeats = _as_sequence(repeats, "repeats")
    if not repeats:
        raise SettingError("check_before_repeats needs at least one repeat photo of the before photo")
    with single_blas_thread(), one_comparison():
        a = _as_analysis(before, mm_per_px=mm_per_px, ipd_mm=ipd_mm, fast=fast)
        reps = tuple(_as_analysis(r, ipd_mm=ipd_mm, fast=fast) for r in repeats)
    return RepeatCheck(a, reps, _repeat_checks(a, reps, mm_per_px, ipd_mm, fast), mm_per_px, ipd_mm)


def _given_name(x, analysis: PhotoAnalysis) -> str:
    """How the messages name a photo given as ``x`` and analysed as ``analysis``: a path as the caller gave it
    (``facemetrics compare`` names its photos so), else its analysis's name (an upload's file name)."""
    return str(x) if isinstance(x, (str, os.PathLike)) else analysis.name


#: the message of a comparison whose before and after photos have identical pixels (the same file
#: twice, or a lossless copy): kept, with this warning
MSG_SAME_PICTURE = ("the before and after photos are the same picture (identical pixels): every change is 0 by "
                    "construction and no noise can show between them, so every row reads 'uncertain' (not "
                    "'within_noise'): this comparison cannot show a change; compare two different photos")

#: how the message of a comparison whose after photo is a re-saved copy of its before photo begins
#: (:func:`near_copy_message`; a JPEG re-save, a resize, a crop or a tone edit: other pixels, one picture)
MSG_NEAR_COPY = "the after photo is a re-saved copy of the before photo"

# the limit of the near-copy messages, and what it was set against (a measured pair, not a law: two
# separate photos closer than the limit could exist, docs/compare.md 'The same picture')
_NEAR_COPY_LIMIT = (f"below the limit {NEAR_COPY_MAX_DIFFERENCE:g} grey levels; the closest two separate photos "
                    f"measured, consecutive video frames, differ by {fixed(NEAR_COPY_CLOSEST_SEPARATE, 1)} grey levels")


def near_copy_message(diff: PictureDifference) -> str:
    """The warning of a comparison whose after photo is a re-saved copy of the before photo (``diff``:
    their :func:`~facemetrics.compare.copies.picture_difference`); starts with :data:`MSG_NEAR_COPY`."""
    return (f"{MSG_NEAR_COPY} (a lossy save, resize, crop or tone edit of it: after alignment and tone matching "
            f"its face differs from it by only {fixed(diff.difference, 2)} grey levels, {_NEAR_COPY_LIMIT}): its "
            "changes are those of the re-compression, not of the face, so every row reads 'uncertain' (not "
            "'within_noise'): this comparison cannot show a change; compare two different photos")


def says_same_picture(messages) -> bool:
    """Does one of ``messages`` (str) say that a comparison's two photos are one picture: identical pixels
    (:data:`MSG_SAME_PICTURE`) or a re-saved copy (:data:`MSG_NEAR_COPY`)?  What a series reads to leave
    the comparison out of its fits (``facemetrics.batch``)."""
    return any(MSG_SAME_PICTURE in m or MSG_NEAR_COPY in m for m in messages)


def _picture_check(x: PhotoAnalysis, y: PhotoAnalysis) -> tuple[str, PictureDifference | None]:
    """Are ``x`` and ``y`` one picture?  ``("same", None)``: identical pixels; ``("copy", diff)``: a
    re-saved copy (:func:`~facemetrics.compare.copies.picture_difference` below the limit, not turned);
    ``("", None)``: two pictures."""
    if same_pixels(x, y):
        return "same", None
    diff = picture_difference(x, y)
    return ("copy", diff) if diff.near_copy else ("", None)


def _repeat_picture_check(first: PhotoAnalysis, repeat: PhotoAnalysis) -> tuple[str, PictureDifference | None]:
    """:func:`_picture_check` of a photo and one of its repeats, kept as :func:`_repeat_changes` keeps
    the pair's changes (the last :data:`~facemetrics.compare.measure.REPEAT_CACHE_SIZE` pairs, matched
    by identity): a baseline pair recurs for every after photo of a session, and its check costs
    22-27 ms when it reaches the full pass (two photos of one pose).  The result is frozen."""
    return _kept("repeat_pictures", REPEAT_CACHE_SIZE, (first, repeat), lambda: _picture_check(first, repeat))


def _repeat_pairs(a: PhotoAnalysis, b: PhotoAnalysis, before_repeats, after_repeats,
                  kw: dict) -> tuple[list[dict], list[str]]:
    """The ``{(metric, side): change}`` of each usable repeat against its photo (``before_repeats``
    against ``a``, ``after_repeats`` against ``b``), for :func:`noise_floors_from_repeats`, and the
    messages on the repeats not used.  A repeat is not used, with a message, when it or its photo
    was not measured, it is the same picture as its photo (identical pixels, or a re-saved copy: no
    noise but the re-compression's, floors pulled to their minimum; :func:`_picture_check`), it cannot
    be aligned, it is a mirror image of its photo (:func:`looks_mirrored`, named as such:
    :func:`_repeat_mirror_message`; it was named another person or a rough match), or its upper face
    differs from its photo's by more than the gate's limit for two different people (:func:`_repeat_match`: the
    comparison's statistic, the mean of both orders' residuals against :data:`DIFFERENT_PEOPLE_SYMMETRIC_MM`,
    mm RMS, the same whichever photo is 'before'; one order against :data:`DIFFERENT_PEOPLE_RESIDUAL_MM` when
    the reverse fit failed): the changes to another person's
    face are no measure of this face's noise (a jawline floor of 293 mm, every row within it, before
    this check), or the gate would read no lower-face change between the
    two (:func:`lower_face_unread_reasons` of the pair and its pose cues, the rule of
    :func:`lower_face_uncertain`): another expression, a rough registration, a cut face, or a head-pose
    or camera change beyond the range the correction was checked on (a repeat 9 deg chin-up had
    widened a jawline floor from 0.06 to 1.04 mm, so a true 1 mm lift read within the noise)."""
    out, msgs = [], []
    for label, first, extra in (("before", a, before_repeats), ("after", b, after_repeats)):
        for x in extra:
            r = _as_analysis(x, **kw)
            if not r.ok or not first.ok:
                msgs.append(f"repeat photo {r.name} not used ({r.status}): {r.error}")
                continue
            same, diff = _repeat_picture_check(first, r)  # kept, as the pair's changes below
            if same == "same":
                msgs.append(f"repeat photo {r.name} not used: it is the same picture as {first.name} "
                            "(identical pixels), so it shows no noise")
                continue
            if same == "copy":
                msgs.append(f"repeat photo {r.name} not used: it is a re-saved copy of {first.name} (its face "
                            f"differs from it by only {fixed(diff.difference, 2)} grey levels after alignment and tone "
                            f"matching, {_NEAR_COPY_LIMIT}), so it shows the re-compression's noise, not this "
                            "face's")
                continue
            try:
                rep = _repeat_changes(first, r)  # kept: a baseline pair recurs for every after photo
            except (cv2.error, ValueError, FloatingPointError) as exc:  # pragma: no cover - defensive
                msgs.append(f"repeat photo {r.name} not used: it could not be aligned ({exc})")
                continue
            mirror = _repeat_mirror_message(first, r, label, rep.residual_mm)
            if mirror:  # left out below either way (its residual is above the gate's limit): named as what it is
                msgs.append(mirror)
                continue
            m, cues = _repeat_match(first, r, rep)
            if m.residual_mm > m.refuse_mm:
                msgs.append(f"repeat photo {r.name} not used: its upper face (forehead, brows, nose bridge, eye "
                            f"corners) differs from the {label} photo {first.name} by "
                            f"{m.said(f'the {label} photo', 'the repeat')} after alignment (limit {m.refuse_mm}; "
                            f"on this statistic {m.same_person}), so it may show another person and cannot "
                            f"measure this face's noise; a repeat must be another photo of the same face in the "
                            f"{label} state")
                continue
            why = lower_face_unread_reasons(first, r, rep.residual_mm, cues)
            if why:  # a pair whose lower face the gate would not read: its changes are no noise floor either
                msgs.append(_repeat_unread_message(r.name, label, first.name, why))
                continue
            out.append(rep.changes)
    return out, msgs


def _repeat_match(first: PhotoAnalysis, repeat: PhotoAnalysis, rep) -> tuple[UpperFaceMatch, dict]:
    """The identity check of a repeat photo against its photo ``first``, as the comparison's
    (:func:`upper_face_match`: the mean of both orders' upper-face residuals, mm RMS, against
    :data:`DIFFERENT_PEOPLE_SYMMETRIC_MM`; the one order against :data:`DIFFERENT_PEOPLE_RESIDUAL_MM` when the
    reverse fit failed), the same whichever of the two is 'before' (docs/robustness.md 'The identity check on
    both orders everywhere it is used'), and the pair's cues with that reverse fit (``reverse_residual_mm``,
    for :func:`lower_face_unread_reasons`).  The reverse fit is kept as the pair's changes are."""
    rev = _repeat_reverse(first, repeat)
    return upper_face_match(rep.residual_mm, rev), dict(rep.cues or {}, reverse_residual_mm=rev)


def _repeat_reverse(first: PhotoAnalysis, repeat: PhotoAnalysis) -> float:
    """The reverse fit of a repeat photo against its photo ``first`` (:func:`reverse_residual_mm`, mm RMS; NaN when
    it failed), kept as the pair's changes are: the one value the identity check (:func:`_repeat_match`) and the
    mirror check (:func:`_repeat_mirror_message`) read."""
    return _kept("repeat_reverse", REPEAT_CACHE_SIZE, (first, repeat), lambda: reverse_residual_mm(first, repeat))


def _repeat_mirror_message(first: PhotoAnalysis, repeat: PhotoAnalysis, label: str, residual_mm: float) -> str:
    """The message on a repeat photo left out as a mirror image of its ``label`` ("before" / "after") photo
    ``first`` (:func:`mirror_check` of ``residual_mm``, its upper-face residual as taken, mm RMS, and of the
    reverse fit :func:`_repeat_match` reads, kept as it keeps it: the mean of both orders as taken and flipped
    left to right, fitted flipped only above :data:`MAX_ALIGNMENT_SYMMETRIC_MM`, where the repeat is left out
    anyway, and kept as the pair's changes are); ``""`` when it is not one.  A selfie camera's mirrored save: its
    changes would be the face's own asymmetry, not its noise."""
    rev = _repeat_reverse(first, repeat)
    check = _kept("repeat_mirrored", REPEAT_CACHE_SIZE, (first, repeat),
                  lambda: mirror_check(first, repeat, residual_mm, rev))
    if check.taken.before_mm != residual_mm:  # kept for another residual of this pair (a caller's own): not it
        check = mirror_check(first, repeat, residual_mm, rev)
    if not check.mirrored:
        return ""
    return (f"repeat photo {repeat.name} not used against the {label} photo {first.name}: it {MSG_MIRROR_IMAGE} "
            f"the {label} photo (flipped left to right, as selfie cameras often save them): after alignment the "
            f"upper faces differ by {check.said(f'the {label} photo', 'the repeat')}. "
            f"Its left and right are swapped, so its changes are not this face's noise: {MSG_MIRROR_REMEDY} "
            "and give it again")


def _repeat_unread_message(name: str, label: str, photo: str, why: list[str]) -> str:
    """The message on a repeat photo ``name`` left out against its ``label`` ("before" / "after") photo
    ``photo`` for the reasons ``why`` (:func:`lower_face_unread_reasons`); the retake it asks for names the
    camera distance when that was a reason (it said "same pose and expression" for a repeat taken closer)."""
    alike = ("same pose, expression and camera distance" if any(w.startswith("the camera distance") for w in why)
             else "same pose and expression")
    return (f"repeat photo {name} not used against the {label} photo {photo}: {'; '.join(why)}, so its changes are "
            f"not this face's noise (they would widen every floor); a repeat must be another photo of the same "
            f"face in the {label} state, {alike}")


def _covered(a: PhotoAnalysis, b: PhotoAnalysis, pair, status: str) -> Covered:
    """The areas of the lower face that look covered in one photo (:func:`covered_areas`), looked for only
    where the gate reads the lower face (not refused, :func:`lower_face_unread_reasons` empty): elsewhere
    every row they could reach is ``uncertain`` already, and the registered after image the check reads is
    not the same skin (a rough match, another head pose or expression; the debruine pose selfies and the
    15 cm camera-distance photos read areas as large as a cover's: docs/compare.md 'A covered chin or jaw').
    With one photo cut out (:func:`cut_out_differs`) an area reaching only the rows the cut-out takes
    (:func:`cut_out_rows`) is left out: the background cut away beside the jaw, not a cover."""
    if status == "refused" or lower_face_unread_reasons(a, b, pair.alignment.residual_mm, pair.cues):
        return Covered()
    found = covered_areas(a, pair)
    if found.areas and cut_out_differs(a, b):
        # one photo cut out: the background cut away beside the jaw reads as a cover there (34 of 36 tuning
        # pairs, bench/bench_cutout_compare.py); an area whose rows the cut-out's message takes already
        # (gate.cut_out_rows) is that, not named as a cover; one reaching other rows (a chin, a mouth) stays
        explained = set(cut_out_rows(METRICS))
        found = Covered(tuple(x for x in found.areas if not set(x.rows) <= explained))
    return found


def _unread_rows(a: PhotoAnalysis, b: PhotoAnalysis, pair, refused: bool) -> tuple:
    """The rows (kinds, or ``(metric, side)``) of the pair ``a``, ``b`` that read ``uncertain`` by the gate's
    rules (unread lower face, colour mismatch, lips' shape, framing, cut-outs, different lenses, eyes covered, a low
    JPEG quality); the
    covered-area and smoothed-skin rows are added by the caller."""
    # the kinds of row whose change the gate says cannot be read: everything but the pose rows for a
    # rough registration, a cut face, a change of the lips' shape or a camera or head-pose change beyond
    # the checked range (the per-photo rows carry the after photo's landmarks through the same corrected
    # fit as the landmark lifts): one rule with the repeats' (gate.lower_face_unread_reasons); the folds
    # of a grey photo against a colour one
    why = lower_face_unread_reasons(a, b, pair.alignment.residual_mm, pair.cues)
    unread = set(LOWER_FACE_KINDS if why else ())
    unread |= {"fold"} if colour_mismatch(a, b) else set()
    # a photo saved below JPEG quality 70 (gate.low_jpeg_quality): everything but the pose rows, as no floor
    # measured for it held on held-out faces (docs/accuracy.md 'Stop 64: JPEG quality floor term')
    unread |= set(LOWER_FACE_KINDS) if low_jpeg_quality(a, b) else set()
    # the camera row when the lips' shape changed: the fit's estimate is then not a distance
    # (gate.camera_measured), and its message says so
    unread |= {"camera"} if lip_shape_changes(a, b) else set()
    # the landmark-based rows of a pair framed differently (gate.framed_differently): Face Mesh's landmarks
    # depend on how much of the frame the face fills (docs/compare.md, 'Framing'); the dense-flow lifts keep theirs
    framing = framing_rows(METRICS) if not refused and framed_differently(a, b) else ()
    # the jaw rows of a cut-out against an uncut photo (gate.cut_out_differs): the jaw edge is read against white
    # where the background was cut away (docs/compare.md, 'Cut-out photos')
    framing += cut_out_rows(METRICS) if not refused and cut_out_differs(a, b) else ()
    # the lifts and per-photo landmark rows of two photos taken with different lenses (gate.different_lenses, by
    # their EXIF): the distortions differ and read as lift or sag (docs/robustness.md, 'Phone capture audit')
    framing += lens_rows(METRICS) if not refused and different_lenses(a, b) else ()
    # no iris visible in a photo (gate.eyes_covered: dark glasses, closed eyes): the pose-fit, fold and landmark rows;
    # in both photos, the folds keep theirs (docs/robustness.md, 'Dark glasses: the rows they move' and 'the lenses
    # out of the registration')
    framing += (eyes_covered_rows(METRICS, both=eyes_covered(a) and eyes_covered(b))
                if not refused and (eyes_covered(a) or eyes_covered(b)) else ())
    # dark glasses reaching a cheek (an aviator's lens, the frame's shadow): that cheek's dense-flow lift
    # (docs/robustness.md, 'Dark glasses with frames')
    framing += glasses_cheek_rows(a, b) if not refused and (eyes_covered(a) or eyes_covered(b)) else ()
    # dark glasses reaching a fold's search band (an aviator's lower part, its lens edge, the frame's shadow): that
    # side's fold rows (docs/robustness.md, 'Folds under aviators')
    framing += glasses_fold_rows(a, b) if not refused and (eyes_covered(a) or eyes_covered(b)) else ()
    return tuple(sorted(unread)) + framing


def _same_picture_rows() -> tuple[tuple[str, str], ...]:
    """Every row of the table, as ``(metric, side)``: what reads ``uncertain`` when a comparison's two photos
    are one picture (:data:`MSG_SAME_PICTURE`, :data:`MSG_NEAR_COPY`).  A picture compared with itself shows
    no noise, so 'within the noise floor' is a claim it cannot make; the pose rows included (a copy's pose
    change is no reading either: ``facemetrics.batch.tables.same_picture_rows``)."""
    return tuple((spec.metric, side) for spec in METRICS for side in spec.sides)


def _fold_checks(a, b, status: str, cues: dict | None = None) -> tuple[tuple[tuple[str, str], ...], list[str]]:
    """The fold rows that read ``uncertain`` and their messages: the skin smoothed in one photo (a beauty filter,
    ``gate.smoothed_skin``), one photo locally tone-mapped (HDR / night mode, ``gate.tone_mapping_ratio``) or the
    two lit from different sides (``gate.light_shift``; ``cues``: the pair's pose cues, whose named head turn the
    light's message names, ``light.head_turn_deg``); none for a refused pair."""
    if status == "refused":
        return (), []
    texture, tone, light = smoothed_skin(a, b), tone_mapping_ratio(a, b), light_shift(a, b)
    rows = tuple(dict.fromkeys(weak_fold_rows(texture) + tone_mapped_rows(tone) + light_rows(light)))
    # one edit (tone mapping in one photo, or a beauty filter) trips both checks: the cause and photo it names
    cause = fold_cause(a, b, texture, tone)
    smoothed = ([] if cause == "tone" else fine_contrast_messages(a, b, texture) if cause == "contrast"
                else weak_fold_messages(a, b, texture))
    toned = [] if cause == "smoothing" else tone_mapped_messages(a, b, tone, side_light=light_moved(light))
    side_u = light_side_uncertainty(a, b) if light_moved(light) else float("nan")
    return rows, smoothed + toned + light_messages(light, tone_mapped=bool(toned), turn_deg=head_turn_deg(cues),
                                                   side_u=side_u, turn_u=head_turn_uncertainty(cues))


def _pair_floors(a, b, pair, defaults, before_repeats, after_repeats, kw_a):
    """The comparison's noise floors, their source and the repeat photos' messages: from the repeat pairs
    when any is usable (:func:`noise_floors_from_repeats`), else ``defaults``; then widened by the head pose
    (:func:`pose_adjusted_floors`, :func:`pose_uncertainty` for the pose rows) and by a light from another side
    (:func:`light_adjusted_floors`: the oval rows of :data:`LIGHT_ROW_FLOORS`).

    Returns
    -------
    floors : dict
        ``(metric, side) -> floor`` in each row's unit.
    source : str
        ``noise_source`` (``"default"``, ``"repeats (n pairs)"``, ``"default (n repeat photos not used)"``).
    messages : list of str
        The repeat photos' messages (:func:`_repeat_pairs`).
    """
    floors, source = defaults, "default"
    repeat_changes, repeat_msgs = _repeat_pairs(a, b, before_repeats, after_repeats, kw_a)
    if repeat_changes:
        floors = noise_floors_from_repeats(repeat_changes, defaults)
        source = f"repeats ({len(repeat_changes)} pair{'s' if len(repeat_changes) > 1 else ''})"
    elif repeat_msgs:  # repeats were given, none usable: said, not advised to give some
        source = f"default ({len(repeat_msgs)} repeat photo{'s' if len(repeat_msgs) > 1 else ''} not used)"
    floors = pose_adjusted_floors(floors, pair.cues)
    # a light from another side moves the face oval's landmarks: the jaw width and angle floors widen with it
    floors = light_adjusted_floors(floors, light_shift(a, b))
    for metric, sd in pair.cues.get("pose_sd", {}).items():
        floors[(metric, "mean")] = pose_uncertainty(metric, pair.values[(metric, "mean")][2], sd,
                                                    defaults.get((metric, "mean"), 0.0))
    return floors, source, repeat_msgs


def _fold_line_checks(a, b, pair, floors: dict, uncertain: tuple) -> tuple[tuple, list[str]]:
    """The fold rows read along one line that the checks of that line leave without a verdict, and their
    messages: the line stability check (a depth verdict the found line and the reference line disagree on,
    docs/robustness.md 'A fold depth verdict that depended on the framing'), the contrast's reference check (a
    contrast row whose 4 mm skin references changed, 'The fold contrast row read 'shallower' on deepened folds')
    and the length check (a length verdict the photos' own lengths do not bear out, 'The fold length row on a
    change of expression').  ``uncertain``: the rows already without a verdict (left alone)."""
    def skip(metric):
        return tuple(k for k in ((metric, "right"), (metric, "left")) if k in uncertain or "fold" in uncertain)

    rows, msgs = fold_line_disagreements(pair.values, pair.cues.get("fold_depth_along_reference", {}), floors,
                                         skip=skip("nlf_depth"))
    side_rows, side_msgs = fold_contrast_side_rows(pair.cues.get("fold_contrast_sides_change_pct", {}),
                                                   skip=skip("nlf_contrast_pct"))
    own = {side: (getattr(a, f"nlf_{side}").length_mm, getattr(b, f"nlf_{side}").length_mm)
           for side in ("right", "left") if getattr(a, f"nlf_{side}") is not None
           and getattr(b, f"nlf_{side}") is not None}
    length_rows, length_msgs = fold_length_disagreements(pair.values, own, floors, skip=skip("nlf_length_mm"))
    return rows + side_rows + length_rows, msgs + side_msgs + length_msgs


def _compare(before, after, before_repeats, after_repeats, mm_per_px, ipd_mm, noise_floors, fast,
             check_order: bool = True) -> Comparison:
    kw_b = dict(mm_per_px=mm_per_px, ipd_mm=ipd_mm, fast=fast)
    kw_a = dict(ipd_mm=ipd_mm, fast=fast)
    a = _as_analysis(before, **kw_b)
    b = _as_analysis(after, **kw_a)
    # a photo with several faces (a selfie with a friend): measured on the face that matches the other photo
    a, b = matching_faces(a, b)
    # the default floors at the pair's pixel size (the coarser photo's: they grow beyond the
    # resolutions they were measured at); floors the caller gives are taken as they are
    defaults = resolution_floors(DEFAULT_NOISE_FLOORS, pair_mm_per_px(a, b))
    if noise_floors:
        defaults.update(noise_floors)
    order = order_messages(a, b) if check_order else []  # the photos given in the wrong order?
    status, msgs = gate(a, b)
    msgs += order
    if status == "refused":
        return Comparison(a, b, status, tuple(msgs), changes=_rows({}, defaults, refused=True),
                          noise_floors=defaults)
    try:
        pair = _measure(a, b)
    except (cv2.error, ValueError, FloatingPointError) as exc:  # pragma: no cover - defensive
        msgs.append(f"{MSG_NOT_ALIGNED}: {exc}")
        return Comparison(a, b, "refused", tuple(msgs), changes=_rows({}, defaults, refused=True),
                          noise_floors=defaults)
    # the upper-face residual with the photos swapped: the identity check reads the mean of both orders
    # (gate.identity_residual_mm), the same whichever photo is 'before'
    pair.cues["reverse_residual_mm"] = reverse_residual_mm(a, b)
    status, msgs = gate(a, b, pair)
    # first when the verdicts stand (it says how to read each of them), after a refusal's reasons
    msgs = msgs + order if status == "refused" else order + msgs
    covered = _covered(a, b, pair, status)  # a covered jaw or chin: its rows read 'uncertain', with a message
    # a side light changes the jaw's shading too: the cover message then names it (the check's figure is cached)
    msgs += covered_messages(covered, side_light=bool(covered.areas) and light_moved(light_shift(a, b)))
    # a region covered in one photo by its own check (facemetrics.occlusion: a skin-coloured hand or a small
    # cover the pairwise difference misses): its rows read 'uncertain', with a message
    photo_rows, photo_msgs = one_photo_covered(a, b) if status != "refused" else ((), [])
    msgs += photo_msgs
    # the skin smoothed in one photo (a beauty filter) or one photo locally tone-mapped (HDR / night mode):
    # the fold rows read 'uncertain', with a message
    weak_folds, fold_msgs = _fold_checks(a, b, status, pair.cues)
    msgs += fold_msgs
    # one picture twice (identical pixels, or a re-saved copy): the changes are kept (every one ~0), but
    # the pair holds no evidence of the measurement's noise, so no row can read 'within_noise': every row,
    # the pose rows too, reads 'uncertain' (_same_picture_rows), with the message naming why.  The one rule
    # batch, the CLI and the app report (batch.results.with_same_picture adds the timeline's note)
    same, diff = _picture_check(a, b)
    if same:
        msgs.append(MSG_SAME_PICTURE if same == "same" else near_copy_message(diff))

    floors, source, repeat_msgs = _pair_floors(a, b, pair, defaults, before_repeats, after_repeats, kw_a)
    msgs += repeat_msgs
    refused = status == "refused"
    uncertain = _unread_rows(a, b, pair, refused) + tuple(sorted(covered.rows)) + photo_rows + weak_folds
    uncertain += _same_picture_rows() if same and not refused else ()
    if not refused:
        line_rows, line_msgs = _fold_line_checks(a, b, pair, floors, uncertain)
        uncertain += line_rows
        msgs += line_msgs
    if status == "ok" and msgs:
        status = "warning"
    changes = _rows(pair.values, floors, refused=refused, uncertain=uncertain)
    # the two iris scales disagree beyond what the alignment explains (a lens or glare in one photo): the
    # mm rows whose verdict that scale error could change (gate.iris_scale_rows; the message is the gate's)
    iris_rows = () if refused else iris_scale_rows(changes, iris_scale_ratio(a, b, pair.alignment.scale))
    if iris_rows:
        changes = _rows(pair.values, floors, refused=refused, uncertain=uncertain + iris_rows)
    msgs = msgs if refused else said_verdicts(msgs, changes)  # the smile warning's tail true to the rows
    return Comparison(
        a, b, status, tuple(msgs),
        changes=changes,
        lifts=pair.lifts, landmark_lifts=pair.landmark_lifts, noise_floors=floors, noise_source=source,
        alignment=pair.alignment, grid=pair.grid, lift_map_mm=pair.lift_map_mm,
        before_grid=pair.before_grid, after_grid=pair.after_grid, region_masks=pair.masks,
        after_points=pair.after_points, flow_mm=pair.flow_mm, cues=pair.cues,
    )
