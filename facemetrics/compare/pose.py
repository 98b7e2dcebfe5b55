"""The gate's head-pose and camera-distance checks: the limits on the 3-D fit's pitch, yaw and camera-distance
change (warning, validated range, refusal), their messages (:func:`pose_messages`, :func:`pose_fit_messages`)
and the camera-distance estimate's own reading (:func:`camera_measured`).  Moved unchanged from
:mod:`facemetrics.compare.gate`, which re-exports the names cited as ``gate.X``.
"""

from __future__ import annotations

import numpy as np

from .. import pose3d as p3
from ..rounding import fixed, fixed_uncertainty
from .floors import DEFAULT_NOISE_FLOORS, pose_uncertainty


#: how the messages that change a headline begin (:func:`facemetrics.report.headline` looks for
#: them: one definition for the writer and the reader)
MSG_POSE = "head pose differs"
MSG_CAMERA = "the camera was"
#: how the message of a camera-distance estimate beyond :data:`WARN_CAMERA_PCT` that is no
#: measurement begins (:func:`camera_measured`; :func:`facemetrics.report.summary_lines` looks for it)
MSG_CAMERA_UNMEASURED = "the camera distance could not be measured from these photos"
#: the clause of a camera message whose change lies beyond :data:`MAX_CHECKED_CAMERA_PCT` (the
#: lower-face rows are then ``uncertain``; the headline names this cause)
MSG_CAMERA_UNCHECKED = "the correction for it is beyond the"
#: the clause of a head-pose message whose pitch or yaw change lies beyond :data:`VALIDATED_PITCH_DEG` /
#: :data:`VALIDATED_YAW_DEG` (the lower-face rows are then ``uncertain``; the headline names this cause)
MSG_POSE_UNCHECKED = "beyond the range the head-pose correction was checked on"
#: how the warning of a comparison whose noise floors lack a term of the 3-D pose correction begins (one of its
#: extra fits failed: :func:`pose_fit_messages`)
MSG_FLOORS_LACK = "the noise floors lack"


# (measured values behind every limit: docs/compare.md, "Comparability gate")
#: change of head yaw / pitch between the photos (from the nose tip's parallax in the
#: dense flow, :func:`_flow_cues`) above which the comparison warns, deg
#: (since the 3-D correction, :mod:`facemetrics.pose3d`, these changes are measured and
#: removed; the message names them and what their correction added to the floors)
WARN_YAW_DEG, WARN_PITCH_DEG = 3.0, 2.0


#: ... and above which it is refused, deg
REFUSE_YAW_DEG, REFUSE_PITCH_DEG = 10.0, 10.0


#: change of head pitch / yaw (3-D fit's estimate) beyond which the lower-face rows carry the verdict
#: ``uncertain``, deg: the largest estimate among the re-renders the correction and its floors were
#: validated on (true pitch +-1.5 to +-6, yaw +-5 deg: estimates up to 7.22 and 5.77 deg,
#: docs/data/pose3d_*.csv), rounded up.  Beyond them, up to the refusal limits, re-renders of the tuning
#: faces read false jowl and mouth-corner sags on unchanged faces and a 2 mm lift as 0.79-3.14 mm
#: (2026-12-03, ``bench/bench_pose3d.py --beyond``; docs/compare.md, 'Beyond the validated head pose')
VALIDATED_PITCH_DEG, VALIDATED_YAW_DEG = 7.3, 5.8


#: the head-pose axes of the 3-D fit, as the messages name them: ``(name, cue key, warning limit, validated
#: limit, refusal limit, (words for a positive change, for a negative one))``, pitch then yaw (limits in deg:
#: :data:`WARN_PITCH_DEG`, :data:`VALIDATED_PITCH_DEG`, :data:`REFUSE_PITCH_DEG` and the yaw ones)
_POSE_AXES = (("pitch (tilt up/down)", "pose_pitch_deg", WARN_PITCH_DEG, VALIDATED_PITCH_DEG, REFUSE_PITCH_DEG,
               ("chin raised", "chin lowered")),
              ("yaw (turn left/right)", "pose_yaw_deg", WARN_YAW_DEG, VALIDATED_YAW_DEG, REFUSE_YAW_DEG,
               ("face turned further to the subject's left", "face turned further to the subject's right")))


#: camera distance change (3-D fit) above which the comparison names it, % of the distance
WARN_CAMERA_PCT = 10.0
#: camera distance change (3-D fit's estimate) beyond which the lower-face rows carry the verdict
#: ``uncertain``, % of the distance: the largest estimate among the re-renders the perspective
#: correction was checked on (45 -> 30 / 35 / 55 / 60 cm, true -33 to +33 %: estimates -37.4 to
#: +41.8 %, docs/data/pose3d_*.csv); beyond it nothing says the correction holds (real pairs of one
#: person at 45 -> 15 and 60 -> 15 cm read mouth-corner and jawline sags of 1.3-2.6 mm; docs/compare.md)
MAX_CHECKED_CAMERA_PCT = 42.0


#: single-photo pose estimates (solvePnP, +-7 deg of jitter on pitch) differing by more
#: than this refuse the pair before any flow is computed, deg
REFUSE_LANDMARK_POSE_DEG = 20.0
# the single-photo pose estimates' uncertainty (LANDMARK_POSE_FLOOR_DEG, LANDMARK_POSE_REL_UNCERTAINTY,
# landmark_pose_uncertainty) is quality's since stop 62 (h12): the quality flags give it too


def _pose_unread_reasons(cues: dict, expression_changed: bool) -> list[str]:
    """The pose and camera clauses of :func:`lower_face_unread_reasons` (see there)."""
    out = []
    for name, key, _, checked, hard, _ in _POSE_AXES:
        d = cues.get(key, 0.0)
        if pose_beyond_checked({key: d}):
            limit = (f"beyond ±{fixed(hard, 0)} deg, where a comparison is refused" if abs(d) > hard else
                     f"beyond the ±{checked:g} deg the head-pose correction was checked on")
            out.append(f"the head {name} changed by {_change_text(cues, key, d, 2)} ({limit})")
    if camera_beyond_checked(cues) and not expression_changed:
        # with its 95 % uncertainty, as the camera message gives it ("about -50 %" had none: stop 62, h4)
        cam, u = fixed(cues['camera_distance_change_pct'], 0, True), camera_floor(cues)  # u NaN: the fit had no SD
        figure = f"{cam} % ± {fixed_uncertainty(u, 0)} %" if np.isfinite(u) else f"about {cam} %"
        out.append(f"the camera distance changed by {figure} (beyond the ±{fixed(MAX_CHECKED_CAMERA_PCT, 0)} % "
                   "the correction was checked on)")
    return out


def _far_camera_clause(cues: dict, expression_changed: bool = False) -> str:
    """``"; or the camera moved ... "`` for the different-people message when the estimated camera
    change is beyond :data:`MAX_CHECKED_CAMERA_PCT` (a close selfie against a far photo of one person
    left 1.63 mm, and the message named only other people), else "".  Also "" when the estimate is
    no measurement (:func:`camera_measured`): within its own uncertainty (an audit's other person read
    "about 611 %" beside "+611 % ± 5869 % ... could not be measured") or the lips' shape changed."""
    if not camera_beyond_checked(cues) or not camera_measured(cues, expression_changed):
        return ""
    cam = cues["camera_distance_change_pct"]
    # the estimate with its 95 % uncertainty, as the camera message gives it ("about 50 %" had none: stop 62, h4)
    return (f"; or the camera moved much {'further away' if cam > 0 else 'closer'} ({fixed(abs(cam), 0)} % "
            f"± {fixed_uncertainty(camera_floor(cues), 0)} % of the distance, beyond the "
            f"±{fixed(MAX_CHECKED_CAMERA_PCT, 0)} % within which the head-pose correction was checked)")


def camera_floor(cues: dict) -> float:
    """The camera-distance estimate's 95 % uncertainty, % of the distance (its row's noise floor:
    :func:`facemetrics.compare.floors.pose_uncertainty` of the 3-D fit's SD)."""
    cam = cues.get("camera_distance_change_pct", 0.0)
    cam_sd = cues.get("pose_sd", {}).get("camera_distance_change_pct", 0.0)
    return pose_uncertainty("camera_distance_change_pct", cam, cam_sd,
                            DEFAULT_NOISE_FLOORS[("camera_distance_change_pct", "mean")])


def _angle_text(c: dict, key: str, d: float) -> str:
    """``"6.7 ± 2.3 deg"``: a named head-pose change with its row's 95 % uncertainty (the pitch or yaw row's
    noise floor, :func:`facemetrics.compare.floors.pose_uncertainty` of the 3-D fit's SD), as the table's pose
    row gives it; ``"about 6.7 deg"`` when the cues carry no SD (an audit, stop 55: the message said the angle
    without the ± its row shows)."""
    metric = {"pose_pitch_deg": "head_pitch_change_deg", "pose_yaw_deg": "head_yaw_change_deg"}[key]
    sd = c.get("pose_sd", {}).get(metric)
    if sd is None or not np.isfinite(sd):
        return f"about {fixed(abs(d), 1)} deg"
    u = pose_uncertainty(metric, d, sd, DEFAULT_NOISE_FLOORS[(metric, "mean")])
    return f"{fixed(abs(d), 1)} ± {fixed(u, 1)} deg"


def _change_text(c: dict, key: str, d: float, digits: int = 1) -> str:
    """``"-25.0 ± 3.8 deg"``: a head-pose change (the refusal's, beyond its limit; ``digits`` decimals), signed, with
    its row's 95 % uncertainty (as :func:`_angle_text`; the refusal and the lower-face reasons gave the figure alone
    until stop 62's audit); ``"-25.0 deg"`` when the cues carry no SD."""
    metric = {"pose_pitch_deg": "head_pitch_change_deg", "pose_yaw_deg": "head_yaw_change_deg"}[key]
    sd = c.get("pose_sd", {}).get(metric)
    if sd is None or not np.isfinite(sd):
        return f"{fixed(d, digits, True)} deg"
    u = pose_uncertainty(metric, d, sd, DEFAULT_NOISE_FLOORS[(metric, "mean")])
    return f"{fixed(d, digits, True)} ± {fixed_uncertainty(u, digits)} deg"


def camera_measured(cues: dict, expression_changed: bool = False) -> bool:
    """Is the 3-D fit's camera-distance estimate a measurement?  Not when it lies within its own
    uncertainty (:func:`camera_floor`), nor when the lips' shape changed (``expression_changed``,
    :func:`lip_shape_changes`): the fit reads the distance from the upper face and the nose, which an
    expression moves too (cheeks rise, eyes narrow), and London's neutral and smiling photos, taken at
    one distance (the face's size in pixels within 3 %), read -38 to +311 % (+101 % for 087), while
    no lip cue fired on the 12 real camera-distance pairs (docs/compare.md, 'Camera distance under a
    change of expression')."""
    cam = cues.get("camera_distance_change_pct", 0.0)
    return bool(not expression_changed and abs(cam) > camera_floor(cues))


def camera_beyond_checked(cues: dict) -> bool:
    """Is the camera-distance change estimated beyond :data:`MAX_CHECKED_CAMERA_PCT`, the range
    the perspective correction was checked on?  Then every lower-face row (lifts, folds, fold
    lengths and the per-photo metrics; ``table.LOWER_FACE_KINDS``) carries the verdict
    ``uncertain`` (their values kept; the head-pose and camera rows keep theirs), whether or not the estimate is beyond its own uncertainty
    (a correction by a +485 % +- 770 % estimate is no better known)."""
    cam = cues.get("camera_distance_change_pct", 0.0)
    return bool(np.isfinite(cam) and abs(cam) > MAX_CHECKED_CAMERA_PCT)


def pose_beyond_checked(cues: dict) -> bool:
    """Is the head pitch or yaw change estimated beyond :data:`VALIDATED_PITCH_DEG` /
    :data:`VALIDATED_YAW_DEG`, the range the head-pose correction and its floors were validated on?
    Then every lower-face row (``table.LOWER_FACE_KINDS``) carries the verdict ``uncertain`` (values
    kept; the head-pose and camera rows keep theirs), as beyond the checked camera distance
    (:func:`camera_beyond_checked`).  A missing or non-finite estimate is not beyond."""
    pitch, yaw = cues.get("pose_pitch_deg", 0.0), cues.get("pose_yaw_deg", 0.0)
    return bool((np.isfinite(pitch) and abs(pitch) > VALIDATED_PITCH_DEG)
                or (np.isfinite(yaw) and abs(yaw) > VALIDATED_YAW_DEG))


def pose_messages(c: dict, expression_changed: bool = False,
                  lower_face_unread: bool = False) -> tuple[bool, list[str]]:
    """Plain-language messages on the head-pose and camera-distance change (3-D fit cues).

    Returns ``(refuse, messages)``: refused beyond :data:`REFUSE_PITCH_DEG` /
    :data:`REFUSE_YAW_DEG`; named (a warning) beyond :data:`WARN_PITCH_DEG`,
    :data:`WARN_YAW_DEG` or :data:`WARN_CAMERA_PCT`, with what the correction
    moved the jawline by and what it added to the jawline's noise floor; a pitch or yaw beyond
    :data:`VALIDATED_PITCH_DEG` / :data:`VALIDATED_YAW_DEG` is said to be beyond the range the
    correction was checked on (:data:`MSG_POSE_UNCHECKED`, :func:`pose_beyond_checked`), with the
    limits it is named, checked and refused at, and then the other axis's message, named but within its
    range, says the lower-face changes get no verdict (not what was added to a floor).  So does a named
    axis's message when those rows are ``uncertain`` for another reason: ``lower_face_unread`` (the
    caller's :func:`lower_face_unread_reasons`: a rough registration, a cut face), ``expression_changed``
    or a camera change beyond :data:`MAX_CHECKED_CAMERA_PCT` (a pitch of 3 deg beside a camera +60 % said
    "±X mm ... is added to its noise floor" of rows that had no verdict).  A camera change
    beyond :data:`WARN_CAMERA_PCT` that is no measurement (:func:`camera_measured`: within its
    own uncertainty, or ``expression_changed``, the lips' shape changed) is said to be not
    measured (:data:`MSG_CAMERA_UNMEASURED`), never as a distance.
    """
    msgs: list[str] = []
    refuse = False
    cam = c.get("camera_distance_change_pct", 0.0)
    corr = c.get("pose_correction_mm", {}).get("jawline", {})
    jaw_corr = 0.5 * (corr.get("right", 0.0) + corr.get("left", 0.0))
    jaw_floor = c.get("pose_floor_mm", {}).get("jawline", {}).get("mean", 0.0)
    effect = (f"this was measured and corrected: the tilt/turn alone moved the jawline {fixed(jaw_corr, 1, True)} mm in the "
              f"photo, and ±{fixed(jaw_floor, 2)} mm for what the correction may miss is added to its noise floor")
    # the lower-face rows carry no verdict for a reason other than this pose (gate.lower_face_unread_reasons)
    unread_elsewhere = lower_face_unread or expression_changed or camera_beyond_checked(c)
    for k, (name, key, warn, checked, hard, words) in enumerate(_POSE_AXES):
        d = c.get(key, 0.0)
        other_name, other_key, _, _, other_hard, _ = _POSE_AXES[1 - k]
        other_d = c.get(other_key, 0.0)
        if abs(d) > hard:
            refuse = True
            msgs.append(f"{MSG_POSE} too much to compare: {name} changed by {_change_text(c, key, d)} (limit "
                        f"±{fixed(hard, 0)} deg); retake the after photo facing the camera as in the before photo")
        elif abs(d) > checked:
            # one decimal when it reads beyond the limit (7.31-7.34 printed "about 7.3 deg ... beyond ±7.3")
            amount = _angle_text(c, key, d) if round(abs(d), 1) > checked else f"more than {checked:g} deg"
            msgs.append(f"{MSG_POSE}: {words[0] if d > 0 else words[1]} by {amount} in the after photo (named "
                        f"above ±{warn:g} deg, checked up to ±{checked:g} deg, refused beyond ±{fixed(hard, 0)} deg): "
                        f"this was measured, but it is {MSG_POSE_UNCHECKED} (beyond it the correction misread "
                        "unchanged and lifted faces), so the lower-face changes are shown without a verdict "
                        "('uncertain'; the head-pose rows keep theirs); retake the after photo facing the camera "
                        "as in the before photo")
        elif abs(d) > warn:
            # the other axis beyond its validated range takes the lower-face verdicts, or beyond its refusal
            # limit the whole pair: nothing here is then 'added to a noise floor' of a row that keeps its verdict
            if abs(other_d) > other_hard:
                tail = ""
            elif pose_beyond_checked({other_key: other_d}):
                tail = (f"; this was measured and corrected, but the {other_name.split()[0]} change is beyond the "
                        "range the head-pose correction was checked on (its own message says how far), so the "
                        "lower-face changes get no verdict")
            elif unread_elsewhere:
                tail = ("; this was measured and corrected, but the lower-face changes get no verdict for another "
                        "reason (the other messages say which)")
            else:
                tail = f"; {effect}"
            msgs.append(f"{MSG_POSE}: {words[0] if d > 0 else words[1]} by {_angle_text(c, key, d)} in the "
                        f"after photo (limit ±{fixed(warn, 0)} deg){tail}")
    cam_floor = camera_floor(c)
    beyond = camera_beyond_checked(c)
    unchecked = (f"{MSG_CAMERA_UNCHECKED} ±{fixed(MAX_CHECKED_CAMERA_PCT, 0)} % it was checked on, so the "
                 "lower-face changes are shown without a verdict ('uncertain')")
    if abs(cam) > WARN_CAMERA_PCT and expression_changed:
        # the fit reads the distance on the upper face and the nose, which the expression moved
        # (London 087 neutral -> smiling: "about 45 cm further away", the face's size within 3 %)
        msgs.append(f"{MSG_CAMERA_UNMEASURED}: the expression changed, and the head-pose fit reads the distance "
                    "from the upper face and the nose, which a change of expression moves too (a smile raises the "
                    f"cheeks and narrows the eyes), so its estimate ({fixed(cam, 0, True)} % ± {fixed(cam_floor, 0)} % of the "
                    "distance) is not reliable: it cannot tell whether the camera moved. Hold the phone at the "
                    "same distance for every photo")
    elif abs(cam) > WARN_CAMERA_PCT and not abs(cam) > cam_floor:
        # the 3-D fit cannot tell the distance apart (few depth cues: a rolled, dim or cut face):
        # an estimate within its own uncertainty is no measurement (e.g. +485 % +- 770 %)
        msgs.append(f"{MSG_CAMERA_UNMEASURED}: the estimate, {fixed(cam, 0, True)} % "
                    f"± {fixed(cam_floor, 0)} % of the distance, is within its own uncertainty"
                    + (f"; {unchecked}" if beyond else "") + ". Hold the phone at the same distance for every photo")
    elif abs(cam) > WARN_CAMERA_PCT and beyond:
        msgs.append(_camera_beyond_message(cam, cam_floor, unchecked))
    elif abs(cam) > WARN_CAMERA_PCT:
        msgs.append(_camera_message(cam, cam_floor) + " This was measured and corrected; hold the phone at the same "
                    "distance for every photo")
    return refuse, msgs


def _camera_message(cam: float, cam_floor: float) -> str:
    """The first sentence of the message of a measured camera-distance change within the checked range: the % of
    the before photo's distance that was measured, with its uncertainty, then its size in cm as an example at an
    assumed before-photo distance (:data:`facemetrics.pose3d.CAMERA_MM`).  It led with the cm ("the camera was about
    20 cm further away in the after photo (+45 % of the distance, ...; assuming about 45 cm for the before photo)"),
    which a 30 -> 45 cm pair read as 20 cm further (stop 54's audit): only the % is measured."""
    way = "further away" if cam > 0 else "closer"
    cm = abs(cam) / 100.0 * p3.CAMERA_MM / 10.0
    return (f"{MSG_CAMERA} {way} in the after photo ({fixed(cam, 0, True)} % ± {fixed(cam_floor, 0)} % of the "
            f"distance, limit ±{fixed(WARN_CAMERA_PCT, 0)} %; at an assumed {fixed(p3.CAMERA_MM / 10, 0)} cm for the "
            f"before photo that would be about {fixed(cm, 0)} cm {way}: only the % is measured): perspective changes "
            "the face's proportions.")


def _camera_beyond_message(cam: float, cam_floor: float, unchecked: str) -> str:
    """The message of a measured camera-distance change beyond :data:`MAX_CHECKED_CAMERA_PCT`: its direction
    and its estimate in %, not a distance in cm.  Beyond that range the estimate itself was not checked, and on
    real photos it can be far off: debruine's 15 -> 60 cm (a true +300 %) read +716 % in the app on 2026-12-06
    (b52e6b7), said as "the camera was about 322 cm further away in the after photo" (the first-user audit of
    the app with real faces, stop 54; docs/compare.md's camera table: 15 -> 45 cm +484 % for +200 %)."""
    way = "further away" if cam > 0 else "closer"
    return (f"{MSG_CAMERA} {way} in the after photo ({fixed(cam, 0, True)} % ± {fixed(cam_floor, 0)} % of the "
            f"distance, limit ±{fixed(WARN_CAMERA_PCT, 0)} %; no distance in cm is given: beyond "
            f"±{fixed(MAX_CHECKED_CAMERA_PCT, 0)} % the estimate was not checked and can be far off, e.g. +716 % for a "
            f"true +300 %): perspective changes the face's proportions. This was "
            f"measured, but {unchecked}; hold the phone at the same distance for every photo")


def pose_fit_messages(cues: dict) -> list[str]:
    """A warning per extra fit of the 3-D pose correction that failed (the cue ``pose_fits_failed``,
    :attr:`facemetrics.pose3d.PoseFit.failed`), each beginning with :data:`MSG_FLOORS_LACK`: the fit with a
    stretch of the after photo (:data:`facemetrics.pose3d.FIT_STRETCH`), whose term the lift floors then
    lack, and the fit repeated with the principal point at the face's centre
    (:data:`facemetrics.pose3d.FIT_PRINCIPAL`), whose term the lift and per-photo floors then lack
    (:func:`facemetrics.compare.floors.pose_floor_terms`, :func:`~facemetrics.compare.floors.pose_adjusted_floors`).
    The comparison keeps its values; its floors are narrower than they should be where the term matters
    (a resized after photo; a cropped or padded before photo).  Before 2026-12-04 both were dropped silently."""
    failed = cues.get("pose_fits_failed", ())
    out = []
    if p3.FIT_STRETCH in failed:
        out.append(f"{MSG_FLOORS_LACK} the stretch term: the head-pose fit that allows a stretch of the after "
                   "photo (a resize that did not keep the aspect ratio) failed, so the lift floors leave out what "
                   "such a stretch would move; a change just beyond its floor may be that. Compare photos as the "
                   "camera took them")
    if p3.FIT_PRINCIPAL in failed:
        out.append(f"{MSG_FLOORS_LACK} the principal-point term: the head-pose fit repeated with the camera's "
                   "axis at the face's centre (where it may lie in a cropped or padded photo) failed, so the lift, "
                   "jaw, mouth and cheek floors leave out what the unknown axis would change; on a cropped or "
                   "padded before photo a change just beyond its floor may be that. Compare photos as the camera "
                   "took them")
    return out
