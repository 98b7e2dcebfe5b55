"""Guided capture: is a new photo taken like the subject's baseline photo?

:func:`capture_check` compares the measurement rows (``PhotoAnalysis.to_row()``,
the ``photos.csv`` columns) of a baseline photo and a new photo of the same
person and says in words what to change before the new photo is saved: head
pitch/yaw/roll, camera distance, expression, lighting and sharpness.  Pure:
rows in, a frozen :class:`CaptureCheck` out; no image code.

Limits are those of the comparison gate (:mod:`facemetrics.compare`) where it
has one, so a photo that passes here is not warned about later for the same
reason.  The pitch and yaw limits are 5 deg, wider than the comparison's,
because they are single-photo estimates (solvePnP on landmarks) that repeat
to about ±3 deg (``docs/metrics.md``) and include lower-face landmarks that a
real lift moves: on photos simulated from the sample with no head movement
(±0.5 deg roll, ±1 % scale jitter, 0-1.6 mm lifts) the pitch differed by up
to 3.7 deg.  The comparison's own gate, on the aligned pair, stays the judge.  Camera distance is
read from the apparent inter-pupillary distance relative to the image width
(same phone and resolution assumed): a face 10 % larger means the camera is
at 1 / 1.1 of the baseline's distance, and the advice asks to move it 10 % further
away (a percentage of the distance it is held at now, so "closer" never reaches
100 %).  The same move in centimetres assumes the baseline at a 40 cm selfie distance (the
present one follows from it) and is rounded to 5 cm; the advice says so: a hint, not a measurement.
The % carries its 95 % uncertainty (:func:`distance_uncertainty`: the iris centres' noise in each photo, measured
on camera re-renders and repeated video frames, docs/validation.md section 27); when that ``±`` reaches no move,
no move is asked.
Each angle in the advice carries the 95 % uncertainty of its change, the quality flags' own
(:func:`angle_uncertainty`), said to be extrapolated beyond the changes it was measured on
(:data:`UNCERTAINTY_CHECKED_DEG`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .compare.gate import MAX_LUMINANCE_CHANGE
from .compare.pose import WARN_CAMERA_PCT
from .compare.expression import MAX_MOUTH_OPENING_CHANGE, MAX_SMILE_CHANGE, smile_change
from .compare.table import float_or_nan
from .quality import (
    POSE_UNCERTAINTY_CHECKED_DEG, ROLL_UNCERTAINTY_CHECKED_DEG, ROLL_UNCERTAINTY_DEG, landmark_pose_uncertainty,
)
from .rounding import fixed_uncertainty
from .geometry import (
    LEFT_EYE_INNER, LEFT_EYE_OUTER, LEFT_IRIS, NASAL_BRIDGE_MID, NASION, RIGHT_EYE_INNER, RIGHT_EYE_OUTER,
    RIGHT_IRIS,
)

__all__ = ["CaptureCheck", "capture_check", "capture_overlay", "first_photo_note", "LIMITS", "SELFIE_DISTANCE_CM"]

#: differences (new - baseline) beyond which the user is asked to retake; the distance,
#: expression and light limits are the comparison gate's own (:mod:`facemetrics.compare.gate`)
LIMITS = {
    "pitch_deg": 5.0,
    "yaw_deg": 5.0,
    "roll_deg": 3.0,
    "distance_pct": WARN_CAMERA_PCT,
    "smile_index": MAX_SMILE_CHANGE,
    "mouth_opening_ratio": MAX_MOUTH_OPENING_CHANGE,
    "luminance_frac": MAX_LUMINANCE_CHANGE,
    "sharpness_frac": 0.5,  # new sharpness below half the baseline's
}
#: assumed baseline camera distance for the centimetre hint
SELFIE_DISTANCE_CM = 40.0
#: each photo's apparent size (``ipd_px`` over the image's side) has a relative SD of this share of it, and of
#: :data:`DISTANCE_SD_PX` over ``ipd_px``, added in quadrature: the distance advice's ``±``
#: (:func:`distance_uncertainty`), tuned on camera re-renders of 30 real faces and 6 GRID clips' repeated frames
#: (docs/validation.md section 27, stop 65); the growth it gives a smaller face is the model's: the measured noise
#: did not grow from 364 down to 94 px between the pupils, and nothing above 364 px was measured (section 27's review)
DISTANCE_SD_SHARE = 0.0025
DISTANCE_SD_PX = 0.95
#: the largest ``ipd_px`` (px) of the faces :data:`DISTANCE_SD_PX` was measured on (docs/validation.md section 27:
#: 193-364 px in the re-renders); a larger face keeps the ``DISTANCE_SD_PX`` term of this size, not a smaller one
#: that nothing measured (section 27's review, r1)
DISTANCE_SD_CHECKED_PX = 364.0
#: the largest change (deg) on which each angle's ``±`` in the advice was measured: yaw and pitch
#: (:func:`facemetrics.quality.landmark_pose_uncertainty`) on head-pose re-renders of +-10 and +-20 deg
#: (docs/robustness.md "The gate's lighting and landmark-pose figures' uncertainties", stop 62), roll
#: (:data:`facemetrics.quality.ROLL_UNCERTAINTY_DEG`) on rotations of +-10 to +-28 deg (docs/accuracy.md
#: "Stop 63: the ± that fell short"); beyond it the advice says its ``±`` is extrapolated
UNCERTAINTY_CHECKED_DEG = {"pitch_deg": POSE_UNCERTAINTY_CHECKED_DEG, "yaw_deg": POSE_UNCERTAINTY_CHECKED_DEG,
                           "roll_deg": ROLL_UNCERTAINTY_CHECKED_DEG}


@dataclass(frozen=True)
class CaptureCheck:
    """Result of :func:`capture_check`.

    Attributes
    ----------
    ok : bool
        True when nothing needs changing (``advice`` empty).
    advice : tuple of str
        One sentence per thing to change, most important first.
    differences : dict
        ``pitch_deg``, ``yaw_deg``, ``roll_deg`` (new - baseline, deg),
        ``distance_pct`` (camera distance change, %, + = further away), ``distance_move_u95_pct`` (the 95 %
        uncertainty of the move the advice asks for, points of % of the present distance,
        :func:`distance_uncertainty`),
        ``smile_index``, ``mouth_opening_ratio`` (new - baseline; ``smile_index`` is the change of the
        comparison's smile cue, :func:`facemetrics.compare.gate.smile_change`: the mouth corners' elevation
        alone, ``smile_elevation``, when no iris is visible in either photo, ``irises_visible`` 0, as
        behind dark glasses, where Face Mesh guesses the pupils),
        ``luminance_frac`` (new / baseline - 1), ``sharpness_frac``
        (new / baseline - 1); NaN when a value is missing.
    smile_cue : str
        What ``differences["smile_index"]`` compared (:attr:`facemetrics.compare.gate.SmileChange.term`):
        ``"smile index"``, or ``"mouth-corner elevation"`` when no iris is visible in either photo.
    """

    ok: bool
    advice: tuple[str, ...]
    differences: dict
    smile_cue: str = "smile index"


def _f(row: dict, key: str) -> float:
    return float_or_nan(row.get(key))


def capture_check(baseline: dict, new: dict, reference: str = "the baseline") -> CaptureCheck:
    """What to change so that ``new`` is taken like ``baseline``.

    Parameters
    ----------
    baseline, new : dict
        Measurement rows of the two photos (``PhotoAnalysis.to_row()``).
    reference : str
        How the advice names ``baseline`` ("the baseline"; *My study* names a stored after photo so when no
        before photo is stored: its advice said "further away than in the baseline" of an after photo, stop 54).

    Returns
    -------
    CaptureCheck
        ``ok`` False with the reason when the new photo could not be measured, or when its
        head pose or camera distance could not be compared (a value missing).
    """
    if not (hasattr(baseline, "get") and hasattr(new, "get")):
        raise TypeError(f"capture_check takes two measurement rows (PhotoAnalysis.to_row()), not "
                        f"{type(baseline).__name__} and {type(new).__name__}")
    if str(new.get("status")) != "ok":
        return CaptureCheck(False, (f"The new photo could not be measured: {new.get('error') or new.get('status')}. "
                                    "Retake it facing the camera in good light.",), {})
    if str(baseline.get("status")) != "ok":
        return CaptureCheck(True, (), {})  # nothing to compare with
    d = {k: _f(new, k) - _f(baseline, k) for k in ("pitch_deg", "yaw_deg", "roll_deg", "smile_index",
                                                   "mouth_opening_ratio")}
    # the comparison's smile cue (one rule, compare.gate.smile_change): with no iris visible in either photo
    # Face Mesh guesses the pupils, and the index's mouth width / pupil distance term with them, so the mouth
    # corners' elevation alone is compared
    smile = smile_change(*(tuple(_f(r, k) for r in (baseline, new)) for k in ("smile_index", "smile_elevation")),
                         tuple(_f(r, "irises_visible") == 0 for r in (baseline, new)))
    d["smile_index"] = smile.change
    # one photo portrait, the other landscape (the phone held sideways by mistake): the face's size is read against
    # each frame's longer side, the sensor's same side; against the width a landscape photo of the same face at the
    # same distance read "Hold the phone closer by about 25 %" (Round 20, docs/validation.md section 12)
    shape = [(_f(r, "image_width_px"), _f(r, "image_height_px")) for r in (baseline, new)]
    sized = all(math.isfinite(v) and v > 0 for wh in shape for v in wh)
    turned = sized and {w > h for w, h in shape} == {True, False} and all(w != h for w, h in shape)
    with np.errstate(divide="ignore", invalid="ignore"):  # a 0 in a row: NaN or inf, never ZeroDivisionError
        size_b, size_n = (np.float64(_f(r, "ipd_px")) / (max(wh) if turned else wh[0])
                          for r, wh in zip((baseline, new), shape))
        size_b, size_n = (v if v > 0 and np.isfinite(v) else np.nan for v in (size_b, size_n))  # 0 px: not measured
        d["distance_pct"] = float(100.0 * (size_b / size_n - 1.0))  # distance ∝ 1 / apparent size
        d["luminance_frac"] = float(np.float64(_f(new, "face_luminance")) / _f(baseline, "face_luminance") - 1.0)
        d["sharpness_frac"] = float(np.float64(_f(new, "sharpness")) / _f(baseline, "sharpness") - 1.0)
    advice = []

    def big(key):
        v = d[key]
        return math.isfinite(v) and abs(v) > LIMITS[key]

    # each angle with the 95 % uncertainty of its change (the quality flags' own, stop 63)
    if big("pitch_deg"):
        way = "down" if d["pitch_deg"] > 0 else "up"
        amount = "a little" if abs(d["pitch_deg"]) < 8 else "clearly"
        tilted = _angle(d, "pitch_deg", "up" if way == "down" else "down")
        advice.append(f"Tilt your chin {way} {amount} (head tilted {tilted} compared with {reference}"
                      f"{_extrapolated(d, 'pitch_deg')}).")
    if big("yaw_deg"):
        # positive yaw = face turned towards the subject's left: turn back to the right
        way = "right" if d["yaw_deg"] > 0 else "left"
        advice.append(f"Turn your face a little to your {way} (turned {_angle(d, 'yaw_deg')} compared with "
                      f"{reference}{_extrapolated(d, 'yaw_deg')}); look straight into the camera.")
    if big("roll_deg"):
        advice.append(f"Hold your head straight (tilted sideways {_angle(d, 'roll_deg')} compared with "
                      f"{reference}{_extrapolated(d, 'roll_deg')}).")
    advice += _frame_advice(shape, sized, turned, reference)
    # the move with its 95 % uncertainty; none asked when the ± reaches no move (stop 65, k5)
    d["distance_move_u95_pct"] = distance_uncertainty(_f(baseline, "ipd_px"), _f(new, "ipd_px"), d["distance_pct"])
    if big("distance_pct") and _move_pct(d["distance_pct"]) > d["distance_move_u95_pct"]:
        advice.append(_distance_advice(d["distance_pct"], d["distance_move_u95_pct"], reference))
    if smile.beyond and smile.change > 0:
        advice.append(f"Relax your face: you are smiling more than in {reference} (neutral expression, lips "
                      "together).")
    if big("mouth_opening_ratio") and d["mouth_opening_ratio"] > 0:
        advice.append(f"Close your mouth gently, as in {reference}.")
    if big("luminance_frac"):
        advice.append(f"Find more light on your face (the face is darker than in {reference}); face a window."
                      if d["luminance_frac"] < 0 else
                      f"Use softer light (the face is brighter than in {reference}); avoid direct sun or flash.")
    if math.isfinite(d["sharpness_frac"]) and d["sharpness_frac"] < -LIMITS["sharpness_frac"]:
        advice.append(f"Hold the phone still and let it focus (the photo is much blurrier than {reference}); "
                      "wipe the lens.")
    unknown = [k.split("_")[0] for k in ("pitch_deg", "yaw_deg", "roll_deg", "distance_pct") if not math.isfinite(d[k])]
    if unknown:  # a missing value said "taken like your baseline" (audit): it was not compared
        advice.append(f"Could not compare the {', '.join(unknown)} (missing from one photo's measurements); "
                      "retake the photo facing the camera.")
    return CaptureCheck(not advice, tuple(advice), d, smile.term)


def angle_uncertainty(key: str, change_deg: float) -> float:
    """The 95 % uncertainty (deg) of a change ``change_deg`` (deg, new - baseline) of ``key`` (``pitch_deg``,
    ``yaw_deg`` or ``roll_deg``), as the advice gives it: the quality flags' (:mod:`facemetrics.quality`), yaw and
    pitch :func:`~facemetrics.quality.landmark_pose_uncertainty` (it grows with the change), roll
    :data:`~facemetrics.quality.ROLL_UNCERTAINTY_DEG` (a constant); each measured as a change between two pictures."""
    return ROLL_UNCERTAINTY_DEG if key == "roll_deg" else landmark_pose_uncertainty(change_deg)


def _angle(d: dict, key: str, direction: str = "") -> str:
    """``d[key]``'s size with its ``±`` in whole degrees, "9 ± 4°" (with ``direction``: "9 ± 4° up")."""
    v = d[key]
    shown = f"{abs(v):.0f} ± {fixed_uncertainty(angle_uncertainty(key, v), 0)}°"
    return f"{shown} {direction}" if direction else shown


def _extrapolated(d: dict, key: str) -> str:
    """The clause saying that ``d[key]``'s ``±`` is extrapolated, beyond :data:`UNCERTAINTY_CHECKED_DEG`; else ""."""
    top = UNCERTAINTY_CHECKED_DEG[key]
    return (f"; its ± was measured on changes up to {top:.0f}° and is extrapolated here" if abs(d[key]) > top
            else "")


def _frame_advice(shape, sized: bool, turned: bool, reference: str) -> list[str]:
    """:func:`capture_check`'s advice on the frame: the phone held the other way (``turned``: one photo portrait,
    the other landscape) or a photo of another shape (a screenshot, a crop); ``shape`` the baseline's and the new
    photo's ``(width, height)`` in px, ``sized`` whether all four are known."""
    out: list[str] = []
    if turned:
        def held(wh):
            return f"{'landscape' if wh[0] > wh[1] else 'portrait'} ({wh[0]:.0f} × {wh[1]:.0f} px)"
        out.append(f"Hold the phone {'upright' if shape[0][1] > shape[0][0] else 'sideways'}, as for {reference}: "
                   f"this photo is {held(shape[1])}, {reference} {held(shape[0])}, so the face fills the frame "
                   "differently.")
    elif sized and abs(math.log((shape[1][0] / shape[1][1]) / (shape[0][0] / shape[0][1]))) > sum(
            1 / v for wh in shape for v in wh):
        # another shape (a screenshot of the photo, a crop): "taken like your baseline" while the comparison then
        # made the landmark rows `uncertain` (the face fills 26 % vs 16 % of the frame; Round 20); the tolerance is
        # the pixels' rounding, as batch.console's line on photos of different shapes
        out.append(f"Add the photo as the camera saved it: this one is {shape[1][0]:.0f} × {shape[1][1]:.0f} px, "
                   f"{reference} {shape[0][0]:.0f} × {shape[0][1]:.0f} px (another shape, as a screenshot's, a "
                   "crop's or an edited copy's), so the face fills the frame differently.")
    return out


def _move_pct(pct: float) -> float:
    """The move the advice asks for, % of the distance the phone is held at now (>= 0), when the camera distance
    differs by ``pct`` % (the baseline's distance over the new photo's, - 1): ``|100 / (1 + pct / 100) - 100|``,
    the new photo's apparent size over the baseline's, - 1 (a camera 2.2 x as far read "123 % closer", in % of the
    baseline's distance: 55 % of the present one; app audit, 2026-12-04)."""
    return abs(100.0 / (1.0 + pct / 100.0) - 100.0)


def distance_uncertainty(ipd_base_px: float, ipd_new_px: float, pct: float) -> float:
    """The 95 % uncertainty of the distance advice's move, in points of % of the present distance.

    The move is ``100 (R - 1)``, ``R`` the new photo's apparent size (``ipd_px`` over the image's side) over the
    baseline's; each photo's apparent size has a relative SD ``s = sqrt(DISTANCE_SD_SHARE ** 2 + (DISTANCE_SD_PX /
    ipd_px) ** 2)`` (the iris centres' noise), so the ± is ``1.96 * 100 * R * sqrt(s_base ** 2 + s_new ** 2)``
    (docs/validation.md section 27); ``ipd_px`` in ``s`` is at most :data:`DISTANCE_SD_CHECKED_PX`, the largest face
    measured (the noise measured did not shrink with the face; the model's term would have, unmeasured).

    Parameters
    ----------
    ipd_base_px, ipd_new_px : float
        Inter-pupillary distance (iris centres) in each photo's own pixels (``ipd_px``).
    pct : float
        The camera distance change, % (``differences["distance_pct"]``; ``R = 1 / (1 + pct / 100)``).

    Returns
    -------
    float
        Points of %; NaN when an input is missing or not positive.

    >>> round(distance_uncertainty(200.0, 200.0, 0.0), 2)
    1.49
    """
    r = 1.0 / (1.0 + pct / 100.0) if math.isfinite(pct) and pct > -100.0 else math.nan
    if not (r > 0 and all(math.isfinite(v) and v > 0 for v in (ipd_base_px, ipd_new_px))):
        return math.nan
    # the px term of a face larger than any measured is held at the largest's (:data:`DISTANCE_SD_CHECKED_PX`)
    s2 = sum(DISTANCE_SD_SHARE ** 2 + (DISTANCE_SD_PX / min(v, DISTANCE_SD_CHECKED_PX)) ** 2
             for v in (ipd_base_px, ipd_new_px))
    return 1.96 * 100.0 * r * math.sqrt(s2)


def _distance_advice(pct: float, u95: float, reference: str) -> str:
    """:func:`capture_check`'s advice when the camera distance differs by ``pct`` % (the baseline's distance over
    the new photo's, - 1: negative when the new photo is closer), the move's 95 % uncertainty ``u95`` (points of %,
    :func:`distance_uncertainty`)."""
    # the move in % of the distance the phone is held at now (:func:`_move_pct`), and the same move
    # in cm from the present distance the assumed baseline distance gives (it said "about 50 cm at arm's
    # length" beside that %, the cm of the baseline's distance: stop 54's audit)
    move_pct = _move_pct(pct)
    now_cm = SELFIE_DISTANCE_CM * (1.0 + pct / 100.0)
    cm = 5 * round(move_pct / 100 * now_cm / 5)
    way = "further away" if pct < 0 else "closer"
    # the reference named once, in the why; the cm clause after it says "that photo" ("if your first stored
    # photo was taken at about 40 cm" read as when it was stored, and named it twice: stop 55, b2)
    cm_txt = (f" (a move of about {cm:.0f} cm, if that photo was taken with the phone about "
              f"{SELFIE_DISTANCE_CM:.0f} cm from the face: only the % is measured)" if cm >= 5 else "")
    why = (f"the camera is closer than in {reference}{cm_txt}, which changes the perspective of the jaw"
           if pct < 0 else f"the camera is further away than in {reference}{cm_txt}")
    return (f"Hold the phone {way} by about {move_pct:.0f} ± {fixed_uncertainty(u95, 0)} % of the distance it is at "
            f"now: {why}.")


#: upper-face landmarks (eye corners, nose bridge, iris centres) that place the baseline outline
#: what *My study* says of a usable photo when the subject has no measured photo yet, by the role it will get
#: (:func:`facemetrics.store.role_when_added`): a before photo becomes the baseline; an after photo has nothing to be
#: compared with until a before photo of its session is added (it was told "the first photo taken before a session
#: becomes it" too: stop 54's first-user audit)
MSG_FIRST_BEFORE = ("No baseline yet: the first photo taken before a session becomes it (face the camera, neutral "
                    "expression).")
MSG_FIRST_AFTER_WITH_BEFORE = ("Taken after the session: it is compared with the before photo added with it (the "
                               "first photo taken before a session becomes the baseline).")
MSG_FIRST_AFTER = ("No before photo yet: this one was taken after the session, so it has nothing to be compared with; "
                   "add one taken before the session (face the camera, neutral expression).")


def first_photo_note(role: str, before_added_with_it: bool = False) -> str:
    """What *My study* says of a usable photo when no photo of the subject is measured yet (no baseline to check
    it against): :data:`MSG_FIRST_BEFORE` for a before photo (``role`` ``baseline``) or one whose time is not known
    (``""``); for an after photo (``post``) :data:`MSG_FIRST_AFTER_WITH_BEFORE` when a before photo is added with it,
    else :data:`MSG_FIRST_AFTER`."""
    if role != "post":
        return MSG_FIRST_BEFORE
    return MSG_FIRST_AFTER_WITH_BEFORE if before_added_with_it else MSG_FIRST_AFTER


_RIGID = (RIGHT_EYE_OUTER, RIGHT_EYE_INNER, LEFT_EYE_INNER, LEFT_EYE_OUTER, NASION, NASAL_BRIDGE_MID, RIGHT_IRIS,
          LEFT_IRIS)
#: drawing colours (RGB)
_BASE_COLOUR = (0, 230, 255)
_NEW_COLOUR = (255, 160, 0)
#: the cap height of :func:`capture_overlay`'s labels as a share of the image's width: 1/25 is 11.9 px in the
#: third of the page the app shows it in at 1366 x 768 (sidebar open, about 297 px), 14.3 px on a 390 px phone
#: (358 px), the figures' rule in docs/compare.md 'Every figure's text: the rule' (>= 10 px at both).  The labels
#: were 0.6 x 22 px per 900 px of the long side: 13.2 px in the sample's 720 x 900 image, 5.4 px shown 297 px
#: wide, 6.6 px at 358 px (h6 of stop 44, 2026-12-05)
LABEL_CAP_PER_WIDTH = 1 / 25


def capture_overlay(baseline, new, max_side: int = 900, reference: str = "baseline"):
    """The new photo with the baseline's jaw contour and fold lines drawn over it.

    The baseline outline is moved onto the new photo by the similarity
    transform (rotation, scale, shift; ``cv2.estimateAffinePartial2D``, LMedS)
    that best maps the baseline's upper-face landmarks (eye corners, nose
    bridge, iris centres) onto the new photo's, so a jaw or fold that sits
    off the outline shows a pose, distance or expression difference (or a
    real change).  The new photo's own jaw contour is drawn thinner.

    Parameters
    ----------
    baseline, new : PhotoAnalysis
        Measured photos (``ok``), ``points`` in their own ``photo.rgb`` pixels ``(x, y)``.
    max_side : int
        The result is downscaled to at most this many pixels on its long side.
    reference : str
        How the label drawn on the image names ``baseline``: "<reference> jaw and folds" (*My study* names a stored
        after photo "first stored photo's" when no before photo is stored: the image said "baseline" of it, stop 54).

    Returns
    -------
    numpy.ndarray, shape (h, w, 3), uint8 RGB
    """
    import cv2
    import numpy as np

    img = new.photo.rgb.copy()
    thick = max(2, int(round(max(img.shape[:2]) / 400)))
    src = np.asarray(baseline.points)[list(_RIGID), :2].astype(np.float32)
    dst = np.asarray(new.points)[list(_RIGID), :2].astype(np.float32)
    m, _ = cv2.estimateAffinePartial2D(src, dst, method=cv2.LMEDS)
    if m is None:
        return img

    def moved(p):
        p = np.asarray(p, dtype=float)
        return np.round(p @ m[:, :2].T + m[:, 2]).astype(np.int32)

    if baseline.jaw is not None:
        cv2.polylines(img, [moved(baseline.jaw.contour_px)], False, _BASE_COLOUR, thick, cv2.LINE_AA)
    for fm in (baseline.nlf_right, baseline.nlf_left):
        if fm is not None:
            cv2.polylines(img, [moved(fm.line_px)], False, _BASE_COLOUR, thick, cv2.LINE_AA)
    if new.jaw is not None:
        cv2.polylines(img, [np.round(new.jaw.contour_px).astype(np.int32)], False, _NEW_COLOUR,
                      max(1, thick // 2), cv2.LINE_AA)
    h, w = img.shape[:2]
    f = min(1.0, max_side / max(h, w))
    if f < 1.0:
        img = cv2.resize(img, (round(w * f), round(h * f)), interpolation=cv2.INTER_AREA)
    labels = ((f"{reference} jaw and folds", _BASE_COLOUR), ("this photo's jaw", _NEW_COLOUR))
    # the labels' cap height a share of the width (LABEL_CAP_PER_WIDTH), the longer one inside the image
    width = img.shape[1]
    cap1 = cv2.getTextSize("A", cv2.FONT_HERSHEY_SIMPLEX, 1.0, 2)[0][1]
    margin = max(2, round(0.02 * width))
    longest = max(cv2.getTextSize(t, cv2.FONT_HERSHEY_SIMPLEX, 1.0, 2)[0][0] for t, _ in labels)
    size = min(width * LABEL_CAP_PER_WIDTH / cap1, (width - 2 * margin) / longest)
    for k, (text, colour) in enumerate(labels):
        org = (margin, int(round(margin + cap1 * size * (1.9 * k + 1.45))))
        cv2.putText(img, text, org, cv2.FONT_HERSHEY_SIMPLEX, size, (0, 0, 0), round(4 * size) + 1, cv2.LINE_AA)
        cv2.putText(img, text, org, cv2.FONT_HERSHEY_SIMPLEX, size, colour, max(1, round(2 * size)), cv2.LINE_AA)
    return img
