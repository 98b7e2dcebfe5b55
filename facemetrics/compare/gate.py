"""The comparability gate: when two photos are not comparable (pose, expression, light,
resolution, different people), in plain words.
"""

from __future__ import annotations

import numpy as np

from ..analyze import PhotoAnalysis, face_place
from ..quality import LUMINANCE_FLOOR_LOG, MAX_MM_PER_PX, MIN_JPEG_QUALITY, landmark_pose_uncertainty
from ..timekeys import capture_time_of, hours_between, parse_time, since_text
from ..rounding import fixed, fixed_uncertainty
from .measure import _Pair, eyes_covered
from .pose import (MAX_CHECKED_CAMERA_PCT, MSG_CAMERA, MSG_CAMERA_UNCHECKED, MSG_CAMERA_UNMEASURED, MSG_FLOORS_LACK,
                   MSG_POSE, MSG_POSE_UNCHECKED, REFUSE_LANDMARK_POSE_DEG, REFUSE_PITCH_DEG, REFUSE_YAW_DEG,
                   VALIDATED_PITCH_DEG, VALIDATED_YAW_DEG, WARN_CAMERA_PCT, WARN_YAW_DEG, _far_camera_clause,
                   _pose_unread_reasons, camera_beyond_checked, camera_measured,
                   pose_beyond_checked, pose_fit_messages, pose_messages)
from .framing import (CUT_OUT_METRICS, MAX_CUT_EDGE_DIFFERENCE, MAX_FOCAL_35MM_DIFFERENCE_MM, MAX_FRAMING_RATIO,
                      MSG_CUT_DIFFERENTLY, MSG_CUT_OUT, MSG_FACE_CUT, MSG_FRAMING, MSG_LENSES, _fraction_ratio,
                      cut_edge_opacity, cut_out_differs, cut_out_messages, cut_out_rows, different_lenses, face_cut,
                      face_fraction, framed_differently, framing_messages, framing_ratio, framing_rows, framing_side,
                      lens_messages, lens_rows, transparency)
from .expression import (MAX_MOUTH_OPENING_CHANGE, MAX_SMILE_CHANGE, MSG_EXPRESSION, MSG_EXPRESSION_MAYBE,
                         MSG_SMILE_FOLDS, SmileChange, _expression_messages, _flow_expression_cues, lip_shape_changes,
                         smile_change)
from .iris_scale import (MAX_IRIS_SCALE_RATIO, MSG_IRIS_SCALE, iris_scale_disagrees, iris_scale_messages,
                         iris_scale_ratio, iris_scale_rows, irises_hidden, scale_messages)
from .skin import (MAX_LOCAL_CONTRAST_RATIO, MIN_EDGE_GAIN_SHARE, MIN_GAIN_SHADING_SHARE, MIN_SKIN_TEXTURE_RATIO,
                   MSG_FINE_CONTRAST, MSG_SMOOTHED, MSG_TONE_MAPPED, READING_CACHE_SIZE, _photo_reading,
                   edge_gain_share, fold_cause, gain_shading_share, local_contrasts, sharpened, skin_edge_levels,
                   skin_shadings, skin_textures, smoothed_skin, tone_mapped_messages, tone_mapped_rows,
                   tone_mapping_ratio, weak_fold_rows)
from .light import (MAX_LIGHT_SIDE_SHIFT_PCT, MSG_LIGHT_SIDE, light_levels, light_messages,
                    light_moved, light_rows, light_shift)
from .glasses import (GLASSES_FOLD_COVER, MSG_EYES_COVERED, MSG_GLASSES_FOLD, _glasses_found, eyes_covered_messages,
                      eyes_covered_rows, glasses_cheek_cover, glasses_cheek_rows, glasses_fold_cover,
                      glasses_fold_messages, glasses_fold_rows)
from .identity import (DIFFERENT_PEOPLE_POSSIBLE_MM, DIFFERENT_PEOPLE_POSSIBLE_SYMMETRIC_MM, DIFFERENT_PEOPLE_RESIDUALS,
                       DIFFERENT_PEOPLE_RESIDUAL_MM, DIFFERENT_PEOPLE_SYMMETRIC_MM,
                       DIFFERENT_PEOPLE_SYMMETRIC_RESIDUALS, MAX_ALIGNMENT_RESIDUAL_MM, MAX_ALIGNMENT_SYMMETRIC_MM,
                       MIRROR_MAX_FLIPPED_MM, MIRROR_MIN_RATIO, MSG_DIFFERENT_PEOPLE, MSG_MIRRORED, MSG_MIRROR_IMAGE,
                       MSG_MIRROR_REMEDY, MSG_MIRROR_UNCHECKED, MSG_MISMATCH, SAME_PERSON_RESIDUALS,
                       SAME_PERSON_SYMMETRIC_RESIDUALS, _maybe_other_person, _residual_messages, _upper_face_match_of,
                       identity_residual_mm, looks_mirrored, mirror_check, mirrored, mirrored_pose_matches,
                       mirrored_residual_mm, pose_mirror_messages, registration_uncertain, reverse_residual_mm,
                       unchecked_mirror_message, upper_face_match)
from .fold_lines import (FOLD_CONTRAST_SIDE_CHANGE_PCT, FOLD_LINE_AGREEMENT, MSG_FOLD_CONTRAST_SIDES, MSG_FOLD_LINES,
                         fold_contrast_side_rows, fold_line_disagreements, readings_disagree)

__all__ = [
    "MSG_NOT_ALIGNED",
    "MSG_SWAPPED",
    "REMEDY_SWAP",
    "MSG_ORDER_UNCHECKED",
    "REFUSAL_PREFIXES",
    "MAX_LUMINANCE_CHANGE",
    "LUMINANCE_FLOOR_LOG",
    "luminance_uncertainty_pct",
    "MSG_LIGHTING",
    "MSG_LIGHTING_FOLDS",
    "MAX_BEFORE_AFTER_H",
    "lower_face_uncertain",
    "lower_face_unread_reasons",
    "colour_mismatch",
    "gate",
    "order_messages",
    "several_faces_messages",
    "colour_messages",
    "refusal_reasons",
    "MIN_JPEG_QUALITY",
    "MSG_JPEG_QUALITY",
    "jpeg_quality_messages",
    "low_jpeg_quality",
    # moved to .identity, .pose, .framing, .expression, .glasses, .skin, .iris_scale and .fold_lines (2026-12-06,
    # moved unchanged), still importable from here: app.py, bench/, tests/, docs/ and docstrings cite them as
    # gate.X; a test that monkeypatches one must patch the module that defines it
    # .pose
    "MAX_CHECKED_CAMERA_PCT",
    "MSG_CAMERA",
    "MSG_CAMERA_UNCHECKED",
    "MSG_CAMERA_UNMEASURED",
    "MSG_FLOORS_LACK",
    "MSG_POSE",
    "MSG_POSE_UNCHECKED",
    "REFUSE_LANDMARK_POSE_DEG",
    "REFUSE_PITCH_DEG",
    "REFUSE_YAW_DEG",
    "VALIDATED_PITCH_DEG",
    "VALIDATED_YAW_DEG",
    "WARN_CAMERA_PCT",
    "WARN_YAW_DEG",
    "_far_camera_clause",
    "camera_beyond_checked",
    "camera_measured",
    "pose_beyond_checked",
    "pose_fit_messages",
    "pose_messages",
    # .framing
    "CUT_OUT_METRICS",
    "MAX_CUT_EDGE_DIFFERENCE",
    "MAX_FOCAL_35MM_DIFFERENCE_MM",
    "MAX_FRAMING_RATIO",
    "MSG_CUT_DIFFERENTLY",
    "MSG_CUT_OUT",
    "MSG_FACE_CUT",
    "MSG_FRAMING",
    "MSG_LENSES",
    "_fraction_ratio",
    "cut_edge_opacity",
    "cut_out_differs",
    "cut_out_rows",
    "different_lenses",
    "face_cut",
    "face_fraction",
    "framed_differently",
    "framing_ratio",
    "framing_rows",
    "framing_side",
    "lens_messages",
    "lens_rows",
    "transparency",
    # .expression
    "MAX_MOUTH_OPENING_CHANGE",
    "MAX_SMILE_CHANGE",
    "MSG_EXPRESSION",
    "MSG_EXPRESSION_MAYBE",
    "MSG_SMILE_FOLDS",
    "SmileChange",
    "_flow_expression_cues",
    "lip_shape_changes",
    "smile_change",
    # .iris_scale
    "MAX_IRIS_SCALE_RATIO",
    "MSG_IRIS_SCALE",
    "iris_scale_disagrees",
    "iris_scale_ratio",
    "iris_scale_rows",
    "irises_hidden",
    # .skin
    "MAX_LOCAL_CONTRAST_RATIO",
    "MIN_EDGE_GAIN_SHARE",
    "MIN_GAIN_SHADING_SHARE",
    "MIN_SKIN_TEXTURE_RATIO",
    "MSG_FINE_CONTRAST",
    "MSG_SMOOTHED",
    "MSG_TONE_MAPPED",
    "READING_CACHE_SIZE",
    "_photo_reading",
    "edge_gain_share",
    "fold_cause",
    "gain_shading_share",
    "local_contrasts",
    "sharpened",
    "skin_edge_levels",
    "skin_shadings",
    "skin_textures",
    "smoothed_skin",
    "tone_mapped_messages",
    "tone_mapped_rows",
    "tone_mapping_ratio",
    "weak_fold_rows",
    # .light
    "MAX_LIGHT_SIDE_SHIFT_PCT",
    "MSG_LIGHT_SIDE",
    "light_levels",
    "light_messages",
    "light_moved",
    "light_rows",
    "light_shift",
    # .glasses
    "GLASSES_FOLD_COVER",
    "MSG_EYES_COVERED",
    "MSG_GLASSES_FOLD",
    "_glasses_found",
    "eyes_covered_messages",
    "eyes_covered_rows",
    "glasses_cheek_cover",
    "glasses_cheek_rows",
    "glasses_fold_cover",
    "glasses_fold_rows",
    # .identity
    "DIFFERENT_PEOPLE_POSSIBLE_MM",
    "DIFFERENT_PEOPLE_POSSIBLE_SYMMETRIC_MM",
    "DIFFERENT_PEOPLE_RESIDUALS",
    "DIFFERENT_PEOPLE_RESIDUAL_MM",
    "DIFFERENT_PEOPLE_SYMMETRIC_MM",
    "DIFFERENT_PEOPLE_SYMMETRIC_RESIDUALS",
    "MAX_ALIGNMENT_RESIDUAL_MM",
    "MAX_ALIGNMENT_SYMMETRIC_MM",
    "MIRROR_MAX_FLIPPED_MM",
    "MIRROR_MIN_RATIO",
    "MSG_DIFFERENT_PEOPLE",
    "MSG_MIRRORED",
    "MSG_MIRROR_IMAGE",
    "MSG_MIRROR_REMEDY",
    "MSG_MIRROR_UNCHECKED",
    "MSG_MISMATCH",
    "SAME_PERSON_RESIDUALS",
    "SAME_PERSON_SYMMETRIC_RESIDUALS",
    "_maybe_other_person",
    "_residual_messages",
    "identity_residual_mm",
    "looks_mirrored",
    "mirror_check",
    "mirrored",
    "mirrored_pose_matches",
    "mirrored_residual_mm",
    "pose_mirror_messages",
    "registration_uncertain",
    "reverse_residual_mm",
    "unchecked_mirror_message",
    "upper_face_match",
    # .fold_lines
    "FOLD_CONTRAST_SIDE_CHANGE_PCT",
    "FOLD_LINE_AGREEMENT",
    "MSG_FOLD_CONTRAST_SIDES",
    "MSG_FOLD_LINES",
    "fold_contrast_side_rows",
    "fold_line_disagreements",
    "readings_disagree",
    # imported from .measure (tests/ and bench/ import it from here)
    "eyes_covered",
]


#: how the messages of a refused pair's reasons begin (:func:`refusal_reasons`); every other message of a
#: refused pair is a difference found on the way (pose, light, faces, ...)
MSG_NOT_ALIGNED = "the photos could not be aligned"
#: how the warning of a pair whose before photo was taken after its after photo begins (both EXIF capture
#: times known, :func:`order_messages`): the user may have given the files in the wrong order, which turns a
#: lift into a sag; the verdicts are kept (status ``warning``)
MSG_SWAPPED = "the before photo was taken"
#: the remedy that warning gives, worded for the command line (``compare AFTER BEFORE``); the app says its own
#: way of doing it in its place (the roles table's 'role' column: ``app.APP_REMEDIES``)
REMEDY_SWAP = "compare again with the earlier photo as the before photo"
#: how the warning of a pair whose order cannot be read begins (:func:`order_messages`): one capture time with a
#: UTC offset and the other without (a camera's local time, its zone unknown), so near that a time zone between
#: them could put either photo first; said since stop 55 (b3: before, such a pair was read as wall-clock times
#: without a word)
MSG_ORDER_UNCHECKED = "the photo order could not be checked"
#: the UTC offsets clocks show, h (UTC-12 to UTC+14): the zones an offset-free capture time may be in
UTC_OFFSET_SPAN_H = (-12.0, 14.0)
REFUSAL_PREFIXES = ("before photo not measured (", "after photo not measured (", f"{MSG_POSE} too much to compare",
                    MSG_DIFFERENT_PEOPLE, MSG_NOT_ALIGNED, MSG_MIRRORED)


#: face luminance ratio after/before outside 1 +- this -> warning
MAX_LUMINANCE_CHANGE = 0.20
# LUMINANCE_FLOOR_LOG, the luminance's 95 % uncertainty (log units), is quality's since stop 62 (h12): the
# quality flags' luminance gives it too
#: the start of the warning of a face luminance changed beyond :data:`MAX_LUMINANCE_CHANGE` (the verdicts are kept)
MSG_LIGHTING = "lighting differs"
#: its end: what the light touches, as the warning says it (the batch's and the timeline's lists of the comparisons
#: fitted with it repeat these words: :func:`facemetrics.batch.fit_notes.light_kept_notes`)
MSG_LIGHTING_FOLDS = "fold depth and contrast depend on the light"


#: either photo coarser than :data:`facemetrics.quality.MAX_MM_PER_PX` (mm/px of the original) -> warning


#: how much later than the after photo the before photo may be taken (capture times: EXIF, else the file name's) before the
#: comparison asks whether the photos are swapped, h (5 min): the project's retake window,
#: :data:`facemetrics.decay.claim.SAME_PHOTO_TIME_H` (a retake within it is one photo time; a test checks
#: they are equal: the measurement layer does not import the statistics one)
MAX_BEFORE_AFTER_H = 5 / 60


def luminance_uncertainty_pct(la: float, lb: float) -> float:
    """The 95 % uncertainty of the lighting warning's change ``100 (lb / la - 1)`` %, in % points: the upper half of
    the interval ``exp(log(lb / la) +- LUMINANCE_FLOOR_LOG)``, ``100 (lb / la) (exp(F) - 1)`` (the larger half, as
    ``light.brighter_pct`` says the side shift's).  ``la``, ``lb``: the photos' face luminances (0-255, scalars;
    ``la`` > 0)."""
    return float(100.0 * (lb / la) * np.expm1(LUMINANCE_FLOOR_LOG))


def lower_face_uncertain(a: PhotoAnalysis, b: PhotoAnalysis, pair: _Pair) -> bool:
    """Can no change of the lower face be read from this pair?  True when the upper faces match only
    roughly (:func:`registration_uncertain`), the face is cut by the image edge (:func:`face_cut`), the
    lips' shape changed (:func:`lip_shape_changes`), or the head pose or camera distance changed beyond
    the range the correction was checked on (:func:`pose_beyond_checked`,
    :func:`camera_beyond_checked`): :func:`lower_face_unread_reasons` of the pair and its cues.  Then
    every row of :data:`facemetrics.compare.table.LOWER_FACE_KINDS` (lifts, folds, the fold's length
    and the per-photo jaw, mouth-corner and cheek metrics) carries the verdict ``uncertain`` with its
    value kept; the head-pose angle rows, fitted on the rigid upper face, keep theirs, and so does the
    camera-distance row unless the lips' shape changed (then it reads ``uncertain`` too:
    :func:`camera_measured`)."""
    return bool(lower_face_unread_reasons(a, b, pair.alignment.residual_mm, pair.cues))


def lower_face_unread_reasons(a: PhotoAnalysis, b: PhotoAnalysis, residual_mm: float,
                              cues: dict | None = None) -> list[str]:
    """Why no change of the lower face can be read between two photos whose upper faces are
    ``residual_mm`` apart after alignment (robust RMS, mm), as plain-language clauses; empty when it
    can.  The rule of :func:`lower_face_uncertain`, which a comparison applies to its rows and
    :func:`facemetrics.compare.compare_photos` to its repeat photos (a repeat the rule would not read
    is no measure of the noise: a smiling repeat of a neutral photo had raised the jawline floor from
    0.06 to 10.2 mm, a repeat 9 deg chin-up from 0.06 to 1.04 mm, 2026-12-03).

    Parameters
    ----------
    a, b : PhotoAnalysis
        The two photos (before and after, or a photo and its repeat).
    residual_mm : float
        Upper-face residual after alignment with ``a`` as the reference, mm RMS; with the cue
        ``reverse_residual_mm`` (``b`` as the reference) the rough-match clause reads their mean against
        :data:`MAX_ALIGNMENT_SYMMETRIC_MM`, else this one against :data:`MAX_ALIGNMENT_RESIDUAL_MM`
        (:func:`upper_face_match`; a repeat photo has one order only).
    cues : dict, optional
        The pair's pose cues (``pose_pitch_deg``, ``pose_yaw_deg``, deg; ``camera_distance_change_pct``,
        % of the distance): a pitch or yaw change beyond :data:`VALIDATED_PITCH_DEG` /
        :data:`VALIDATED_YAW_DEG` (:func:`pose_beyond_checked`; beyond :data:`REFUSE_PITCH_DEG` /
        :data:`REFUSE_YAW_DEG` the clause says a comparison is refused) or a camera change beyond
        :data:`MAX_CHECKED_CAMERA_PCT` (:func:`camera_beyond_checked`; not named when the lips' shape
        changed, which already gives a reason and makes the estimate no distance) is a reason.
        Missing cues are no reason.

    Returns
    -------
    list of str
        The clauses, in the order registration, cut face, expression, pitch, yaw, camera.
    """
    out = []
    m = _upper_face_match_of(residual_mm, cues)
    if m.residual_mm > m.rough_mm:  # as registration_uncertain
        out.append(f"the upper faces match only roughly ({m.said(f'photo {a.name}', f'photo {b.name}')}, after "
                   f"alignment, limit {m.rough_mm:g} mm RMS)")
    if face_cut(a, b):
        out.append("the face is cut by the image edge")
    lips = lip_shape_changes(a, b)
    if lips:
        out.append("the expression differs (" + "; ".join(lips) + ")")
    return out + _pose_unread_reasons(cues or {}, bool(lips))


def colour_mismatch(a: PhotoAnalysis, b: PhotoAnalysis) -> bool:
    """Is one photo black-and-white and the other in colour
    (:attr:`facemetrics.quality.Quality.black_and_white`)?  The fold depth and contrast are read on
    the green channel, which in a grey photo is its grey: on 12 London faces made grey they moved by
    up to 2.4 (median 0.3; several times the default floor), so the fold rows carry the verdict ``uncertain``; the lifts,
    from the image's structure, keep theirs."""
    bw = [x.quality.black_and_white for x in (a, b) if x.quality is not None]
    return len(bw) == 2 and bw[0] != bw[1]


def resolution_messages(a: PhotoAnalysis, b: PhotoAnalysis) -> list[str]:
    """The photos coarser than :data:`MAX_MM_PER_PX`, each with its mm scale's uncertainty (1 SD, the
    calibration's ``uncertainty_pct``; none said when the scale has none, e.g. ``--mm-per-px``): "0.69 ± 0.03
    mm/px" (an audit, stop 55: the scale was said without the ± the comparison's "scale ±" line gives it)."""
    out = []
    for label, x in (("before", a), ("after", b)):
        if x.mm_per_px > MAX_MM_PER_PX:
            pct = getattr(getattr(x, "calibration", None), "uncertainty_pct", None)
            known = pct is not None and np.isfinite(pct) and pct > 0
            sd = f" ± {fixed(x.mm_per_px * pct / 100.0, 2)} mm/px (1 SD; " if known else " mm/px ("
            out.append(f"resolution too low in the {label} photo: {fixed(x.mm_per_px, 2)}{sd}"
                       f"limit {MAX_MM_PER_PX:g} mm/px); sub-millimetre changes cannot be resolved")
    return out


# MIN_JPEG_QUALITY (imported from facemetrics.quality, which flags such a photo too since stop 64): a photo saved
# at a JPEG quality below it (1..100, :attr:`facemetrics.loader.Photo.jpeg_quality`, read from its quantization
# table) -> warning (:func:`jpeg_quality_messages`) and every row but the pose rows 'uncertain'
# (:func:`low_jpeg_quality`): chosen on tuning faces by the rule of ``bench/effective_resolution.py --jpeg``
# (docs/accuracy.md "Stop 63: low JPEG quality"); a floor term in its place failed its held-out rule (stop 64)
MSG_JPEG_QUALITY = "low JPEG quality"


def low_jpeg_quality(a: PhotoAnalysis, b: PhotoAnalysis) -> bool:
    """Was either photo saved at a JPEG quality below :data:`MIN_JPEG_QUALITY`?  Then the comparison shows every
    row but the pose rows without a verdict ('uncertain'): unchanged pairs re-saved at q30-60 read a change on 28-31
    % of held-out pairs, and floors widened for the quality still read 6-8 % at q40-50 (docs/accuracy.md 'Stop 63:
    low JPEG quality', 'Stop 64: JPEG quality floor term').  False for other formats (NaN)."""
    qs = [getattr(x, "jpeg_quality", float("nan")) for x in (a, b)]
    return any(q is not None and np.isfinite(q) and q < MIN_JPEG_QUALITY for q in qs)


def jpeg_quality_messages(a: PhotoAnalysis, b: PhotoAnalysis) -> list[str]:
    """The photos saved at a JPEG quality below :data:`MIN_JPEG_QUALITY` (read from the file's quantization
    table, :func:`facemetrics.jpeg_quality.ijg_quality`), each with its quality; none for other formats (NaN).
    The rows but the pose rows read 'uncertain' (:func:`low_jpeg_quality`): the message says why."""
    out = []
    for label, x in (("before", a), ("after", b)):
        q = getattr(x, "jpeg_quality", float("nan"))
        if q is not None and np.isfinite(q) and q < MIN_JPEG_QUALITY:
            out.append(f"{MSG_JPEG_QUALITY} in the {label} photo: saved at quality {fixed(q, 0)} of 100 (read from "
                       f"the file, limit {MIN_JPEG_QUALITY}), so compression has smoothed and blocked its fine detail, "
                       "which read a change in 28-31 % of unchanged pairs saved at qualities 30-60 (most on the lifts "
                       "and the jaw width), so the lift, fold, jaw, mouth and cheek rows are shown without a verdict "
                       "('uncertain', the head-pose rows keep theirs); use the original photo, not a compressed copy "
                       "(messaging apps and web uploads re-compress photos)")
    return out


def gate(a: PhotoAnalysis, b: PhotoAnalysis, pair: _Pair | None = None) -> tuple[str, list[str]]:
    """Is the pair comparable?  Returns ``(status, messages)``.

    Without ``pair`` (before any flow is computed) only the photos' statuses
    and the single-photo pose estimates are checked; a pair refused on those whose after photo's pose,
    mirrored, matches is checked for a mirror image first (:func:`pose_mirror_messages`).  ``status`` is
    ``"refused"`` when a photo could not be measured, the head pose differs
    beyond the refusal limits, the upper faces differ as different people's do, or the after
    photo is a mirror image of the before photo (:func:`looks_mirrored`), ``"warning"`` when pose, expression, lighting,
    resolution or the upper-face match break a warning limit, or a photo is cut, holds
    several faces, is black-and-white against a colour one or has an unreliable mm scale
    (:func:`scale_messages`), the two photos' iris scales disagree (:func:`iris_scale_messages`), one photo
    is cut out from its background or the two are cut differently beside the jaw (:func:`cut_out_messages`),
    the two photos name different lenses in EXIF (:func:`lens_messages`), a photo was saved at a low JPEG
    quality (:func:`jpeg_quality_messages`), no iris is visible in a photo
    (:func:`eyes_covered_messages`),
    or an extra fit of the pose correction failed, so the floors lack its term
    (:func:`pose_fit_messages`), else ``"ok"``.
    Every message names the cause with both values and the limit.  A mirror image's message
    (:data:`MSG_MIRRORED`) comes first and alone of what the pair's alignment and 3-D fit read (the head
    pose, the camera distance, the flow's mouth cues, the upper-face match, the fits' floor terms: the
    mirroring's consequences); what each photo says of itself (the lips' shape, a cut face, the light, the
    resolution, several faces, colour, the mm scale) stays.
    """
    msgs: list[str] = []
    for label, x in (("before", a), ("after", b)):
        if not x.ok:
            msgs.append(f"{label} photo not measured ({x.status}): {x.error}")
    if msgs:
        return "refused", msgs
    qa, qb = a.quality, b.quality
    if pair is None:
        for name, va, vb in (("yaw (turn)", qa.yaw_deg, qb.yaw_deg), ("pitch (tilt up/down)", qa.pitch_deg, qb.pitch_deg)):
            if abs(vb - va) > REFUSE_LANDMARK_POSE_DEG:
                # the change with its 95 % uncertainty (the photos' own estimates alone had none: stop 62, h7)
                msgs.append(f"{MSG_POSE} too much to compare: {name} changed by {fixed(vb - va, 0, True)} ± "
                            f"{fixed_uncertainty(landmark_pose_uncertainty(vb - va), 0)} deg (from {fixed(va, 0, True)} "
                            f"to {fixed(vb, 0, True)} deg, each photo's own estimate, limit "
                            f"±{fixed(REFUSE_LANDMARK_POSE_DEG, 0)} deg); retake the after photo facing the camera as in "
                            "the before photo")
        if msgs:  # a mirror image's yaw and roll change sign: named as one, not as a pose change
            early = pose_mirror_messages(a, b)  # or the mirror check could not be made: said after the pose
            msgs = early if early and early[0].startswith(MSG_MIRRORED) else msgs + early
        return ("refused" if msgs else "ok"), msgs + several_faces_messages(a, b) + scale_messages(a, b)
    c = pair.cues
    expr = lip_shape_changes(a, b)
    shape = len(expr)  # cues from the lips' shape (landmarks); a skin lift does not change them
    first, rough = _residual_messages(a, b, pair, bool(shape))
    refuse = bool(first)
    # a mirror image (refused, its message first): its left and right are swapped, so what the pair's alignment
    # and 3-D fit read (head pose, camera distance, the flow's mouth cues, the upper-face match, the fits' floor
    # terms) is the mirroring, not a difference: only what each photo says of itself stays (lips, cut, light, ...)
    mirror = bool(first) and first[0].startswith(MSG_MIRRORED)
    if not mirror:
        unread = lower_face_uncertain(a, b, pair)
        pose_refuse, pose_msgs = pose_messages(c, expression_changed=bool(shape), lower_face_unread=unread)
        refuse = refuse or pose_refuse
        msgs += pose_msgs
        expr += _flow_expression_cues(c, face_cut=bool(qa.cut_landmarks or qb.cut_landmarks))
    msgs += _expression_messages(expr, bool(shape))
    for label, q in (("before", qa), ("after", qb)):
        if q.cut_landmarks:
            msgs.append(f"{MSG_FACE_CUT} in the {label} photo ({q.cut_landmarks} jaw-line "
                        "landmarks outside the picture, where Face Mesh guesses them and fits the rest of the face "
                        "to the guess): the lifts, folds and the jaw, mouth and cheek metrics rest on that guess, so "
                        "they are shown without a verdict ('uncertain'; the head-pose rows keep theirs), and the "
                        "expression check does not read how the mouth corners moved, which needs the skin around and "
                        "below them; retake it "
                        "with the whole face in the picture")
    la, lb = qa.face_luminance, qb.face_luminance
    if la > 0 and abs(lb / la - 1) > MAX_LUMINANCE_CHANGE:
        # the change with its 95 % uncertainty (none until stop 62, h7: luminance_uncertainty_pct)
        msgs.append(f"{MSG_LIGHTING}: face luminance from {fixed(la, 0)} to {fixed(lb, 0)} of 255 "
                    f"({fixed(100 * (lb / la - 1), 0, True)} % ± {fixed_uncertainty(luminance_uncertainty_pct(la, lb), 0)}"
                    f" %, limit ±{fixed(100 * MAX_LUMINANCE_CHANGE, 0)} %); {MSG_LIGHTING_FOLDS}")
    msgs += resolution_messages(a, b) + jpeg_quality_messages(a, b)
    # first: the reason nothing is measured, not after a page of pose and light messages (app audit)
    msgs = first + msgs + rough + several_faces_messages(a, b) + colour_messages(a, b) + scale_messages(a, b)
    msgs += [] if mirror else framing_messages(a, b)
    msgs += cut_out_messages(a, b)
    msgs += [] if mirror else lens_messages(a, b)
    msgs += [] if mirror else eyes_covered_messages(a, b)
    msgs += [] if mirror else glasses_fold_messages(a, b)
    # (an alignment without a scale, a stand-in, is not checked)
    scale = getattr(pair.alignment, "scale", float("nan"))
    msgs += [] if mirror else iris_scale_messages(a, b, iris_scale_ratio(a, b, scale))
    msgs += [] if mirror else pose_fit_messages(c)
    if refuse:
        return "refused", msgs
    return ("warning" if msgs else "ok"), msgs


def order_messages(a: PhotoAnalysis, b: PhotoAnalysis) -> list[str]:
    """The warning of a before photo ``a`` taken more than :data:`MAX_BEFORE_AFTER_H` after the after photo
    ``b`` (:data:`MSG_SWAPPED`), by their capture times read as the batch reads them
    (:func:`facemetrics.timekeys.capture_time_of`: the EXIF time, ``PhotoAnalysis.taken_at``, else the time
    the file name states, ``IMG_20261124_080000.jpg``; until stop 46 the EXIF time only, so two photos
    without EXIF, e.g. messenger copies, were never checked) and compared by
    :func:`facemetrics.timekeys.hours_between`, the batch's rule: as instants when both carry a UTC offset,
    else as wall-clock times; none when either time is unknown.  One time with a UTC offset and the other
    without (the camera's zone unknown) is read on both clocks' possible zones (:data:`UTC_OFFSET_SPAN_H`):
    swapped in every zone, the swap's warning (its times said to be read as wall-clock times); in order in
    every zone, none; else :data:`MSG_ORDER_UNCHECKED`, saying why and the wall-clock reading (stop 55, b3).
    The message names each time's source.  The verdicts are kept: the times may be wrong (a camera clock), the
    files may be swapped."""
    (ta, sa), (tb, sb) = (capture_time_of("", x.taken_at, x.name or "") for x in (a, b))
    hours = hours_between(ta or None, tb or None)
    if not np.isfinite(hours):
        return []
    said = " and ".join(f"{t} ({_TIME_SOURCE_WORDS.get(s, s)})" for t, s in ((ta, sa), (tb, sb)))
    low, high = _possible_hours(ta, tb, hours)
    if low <= MAX_BEFORE_AFTER_H < high:
        return [_order_unchecked(ta, tb, hours, said)]
    if hours <= MAX_BEFORE_AFTER_H:
        return []
    span = since_text(hours)  # the one formatter: minutes, hours, days or years
    wall = " read as wall-clock times, one having no UTC offset" if (low, high) != (hours, hours) else ""
    return [f"{MSG_SWAPPED} {span} after the after photo (capture times {said}{wall}): are the two photos swapped? "
            f"If so, {REMEDY_SWAP} (a lift then reads as a sag and a sag as a lift); the verdicts are for the "
            "photos in the order given"]


def _possible_hours(ta: str, tb: str, hours: float) -> tuple[float, float]:
    """The least and most hours the before photo (time ``ta``) may have been taken after the after photo
    (``tb``): ``(hours, hours)`` unless exactly one time has a UTC offset; then the offset-free one may be
    in any zone of :data:`UTC_OFFSET_SPAN_H` (``hours`` is their wall-clock difference)."""
    a, b = parse_time(ta), parse_time(tb)
    if a is None or b is None or (a.tzinfo is None) == (b.tzinfo is None):
        return hours, hours
    known = (a if a.tzinfo is not None else b).utcoffset().total_seconds() / 3600.0
    lo, hi = UTC_OFFSET_SPAN_H
    if a.tzinfo is None:  # before - after = wall gap - before's offset + after's offset
        return hours - hi + known, hours - lo + known
    return hours - known + lo, hours - known + hi


def _order_unchecked(ta: str, tb: str, hours: float, said: str) -> str:
    """:data:`MSG_ORDER_UNCHECKED`'s message: which time has no UTC offset, and the wall-clock reading."""
    naive = "before" if parse_time(ta).tzinfo is None else "after"
    if abs(hours) * 60 < 0.5:
        reading = "the two photos were taken at one moment"
    else:
        reading = f"the {'before' if hours > 0 else 'after'} photo was taken {since_text(abs(hours))} later"
    return (f"{MSG_ORDER_UNCHECKED}: the {naive} photo's capture time has no UTC offset and the other's has one "
            f"(capture times {said}), so which photo was taken first depends on the time zone the {naive} "
            f"photo's camera was set to (read as wall-clock times, {reading}); if the before photo was taken "
            f"later, {REMEDY_SWAP}; the verdicts are for the photos in the order given")


#: how :func:`order_messages` names where a capture time came from (:func:`facemetrics.timekeys.capture_time_of`)
_TIME_SOURCE_WORDS = {"exif": "EXIF", "file_name": "its file name"}


def several_faces_messages(a: PhotoAnalysis, b: PhotoAnalysis) -> list[str]:
    """A message per photo in which Face Mesh found more than one face, naming the photo (before /
    after): the largest face was measured (:func:`facemetrics.analyze.analyze_photo`), which may
    not be the intended person, and without this a reader of the comparison or of ``changes.csv``
    alone never learnt it (the warning was only in ``photos.csv``).  A photo measured on the face that
    matches the other photo (:func:`facemetrics.compare.faces.matching_face`) says which face and why; one
    in which none matched adds why to the 'largest' sentence."""
    out = []
    for label, x in (("before", a), ("after", b)):
        if x.n_faces < 2:
            continue
        choice = x.extra.get("face_choice", "")
        if x.extra.get("face_matched"):
            out.append(choice)  # the face matching the other photo (facemetrics.compare.faces.matching_face)
        else:
            out.append(f"{x.n_faces} faces found in the {label} photo; measured the largest, "
                       f"{face_place(x.extra.get('faces_x', ()), 0)}, which may not be the intended person: crop the "
                       "photo to the one face"
                       + (f"; {choice}" if choice else ""))
    return out


def colour_messages(a: PhotoAnalysis, b: PhotoAnalysis) -> list[str]:
    """The message of a pair with one black-and-white photo (:func:`colour_mismatch`), naming it."""
    if not colour_mismatch(a, b):
        return []
    grey = "before" if a.quality.black_and_white else "after"
    return [f"the {grey} photo is black-and-white and the other in colour: the fold depth and contrast are read on "
            "the green channel, which in a grey photo is its grey, so the fold rows are shown without a verdict "
            "('uncertain'); compare colour with colour"]


def refusal_reasons(messages) -> tuple[list[str], list[str]]:
    """A refused comparison's messages split into ``(the reasons it was refused, the other messages)``.

    The gate lists every difference it found; only some refuse a pair: a photo not measured, a head
    pose changed beyond the refusal limits, upper faces that do not match, photos that could not be
    aligned (:data:`REFUSAL_PREFIXES`; a repeat photo that could not be aligned is not one).  All
    messages are reasons when none begins like one.
    """
    messages = list(messages)
    reasons = [m for m in messages if m.startswith(REFUSAL_PREFIXES)]
    if not reasons:
        return messages, []
    return reasons, [m for m in messages if m not in reasons]
