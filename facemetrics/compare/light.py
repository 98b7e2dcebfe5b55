"""The gate's light-direction check on the fold rows: the two photos lit from different sides
(:func:`light_shift`, :func:`light_rows`, :func:`light_messages`).

Fold depth and contrast are shading measures.  The tone matching removes a global change of exposure, gamma and
white balance, and the gate's lighting warning sees the face's mean luminance only; a light from another side (a
before selfie under the bathroom lamp, an after selfie by a window) brightens one side of every groove and darkens
the other, and the folds read it (docs/robustness.md "Light from another side").  This check reads the balance of
the face's broad shading, left against right and forehead against lower cheeks, on skin away from the folds, in
both photos, after a tone curve fitted to the pair (so exposure, gamma and white balance cancel).
"""

from __future__ import annotations

import warnings

import cv2
import numpy as np

from ..analyze import PhotoAnalysis
from ..rounding import fixed, fixed_uncertainty
from .measure import _kept, eyes_covered
from .iris_scale import irises_hidden
from .floors import DEFAULT_NOISE_FLOORS, pose_uncertainty
from .pose import REFUSE_YAW_DEG, WARN_YAW_DEG


#: Face Mesh landmarks ``(subject's right, subject's left)`` around which the light balance is read: forehead,
#: upper cheeks below the eyes, the cheeks' outer parts and the lower cheeks towards the jaw; none within about
#: 12 mm of the nasolabial folds' path (alar base to mouth corner), nor on the eyes, the brows or the lips
LIGHT_PAIRS = ((69, 299), (108, 337), (104, 333), (67, 297), (117, 346), (118, 347), (50, 280), (101, 330),
               (123, 352), (187, 411), (213, 433), (192, 416), (138, 367), (135, 364))
#: of :data:`LIGHT_PAIRS`, the first this many lie on the forehead (the upper part of the up/down balance); the
#: last :data:`LIGHT_LOWER_PAIRS` on the lower cheeks near the jaw (its lower part)
LIGHT_UPPER_PAIRS = 4
LIGHT_LOWER_PAIRS = 5
#: radius of the skin disc read around each landmark of :data:`LIGHT_PAIRS`, mm
LIGHT_DISC_MM = 5.0
#: the photos are read reduced to this pixel size (mm): the balance is a shading across centimetres
LIGHT_GRID_MM = 1.0

#: |left/right shading shift| (:func:`light_shift`, %: how much brighter one side of the face became against the
#: other between the two photos, after the pair's tone curve) above this -> the fold rows read ``uncertain``
#: (:func:`light_rows`).  Chosen on the Canada tuning faces (docs/robustness.md "Light from another side",
#: ``bench/audit_light_direction.py --split tune``)
MAX_LIGHT_SIDE_SHIFT_PCT = 10.0
#: how the message of :func:`light_messages` begins
MSG_LIGHT_SIDE = "the light comes from another side in the two photos"

#: photos whose light readings are kept per thread (a before photo compared with several after photos is read once)
LIGHT_CACHE_SIZE = 4


def _disc_levels(rgb: np.ndarray, points: np.ndarray, mm_per_px: float) -> np.ndarray:
    """The median luminance (0-255) of the skin disc (:data:`LIGHT_DISC_MM`) around each landmark of
    :data:`LIGHT_PAIRS`, shape ``(n, 2)`` (right, left), read on :data:`LIGHT_GRID_MM` pixels; NaN where a disc
    falls outside the photo or holds clipped pixels only.

    Only the photo's top-left part that holds the discs is converted to grey and reduced (:func:`_reduced_grey`:
    the same values as the whole photo's there), and the discs' medians are read at once (``np.nanmedian``)."""
    f = min(mm_per_px / LIGHT_GRID_MM, 1.0)
    pts = np.asarray(points, dtype=np.float64)[:, :2] * f
    r = LIGHT_DISC_MM / (mm_per_px / f)
    n = int(np.ceil(r))
    yy, xx = np.mgrid[-n:n + 1, -n:n + 1]
    offsets = np.stack([xx[xx ** 2 + yy ** 2 <= r * r], yy[xx ** 2 + yy ** 2 <= r * r]], axis=1)
    xy = np.round(pts[np.asarray(LIGHT_PAIRS)]).astype(int)[:, :, None, :] + offsets  # (pairs, 2, disc, (x, y))
    small, (h, w) = _reduced_grey(rgb, f, xy.reshape(-1, 2).max(axis=0))
    inside = (xy[..., 0] >= 0) & (xy[..., 0] < w) & (xy[..., 1] >= 0) & (xy[..., 1] < h)
    v = np.where(inside, small[np.where(inside, xy[..., 1], 0), np.where(inside, xy[..., 0], 0)], 0)
    v = np.where((v > 2) & (v < 253), v.astype(np.float64), np.nan)
    with warnings.catch_warnings():  # a disc of clipped pixels only: NaN, said by the caller, not warned
        warnings.simplefilter("ignore", RuntimeWarning)
        out = np.nanmedian(v, axis=-1)  # the clipped pixels and those outside the photo left out
    return np.where(inside.mean(axis=-1) < 0.5, np.nan, out)


def _reduced_grey(rgb: np.ndarray, f: float, last_xy) -> tuple[np.ndarray, tuple[int, int]]:
    """The photo in grey (``cv2.COLOR_RGB2GRAY``) reduced by ``f`` (``cv2.INTER_AREA``; ``f`` 1: as it is), read up
    to the reduced pixel ``last_xy`` (x, y) at least, and the whole reduced photo's shape ``(h, w)``.

    Cropped to the photo's top-left part that covers ``last_xy`` and one reduced pixel more: both steps are per
    reduced pixel from the photo's pixels under it, so the crop's pixels before its last row and column are those
    of the whole photo's (``tests/test_light_direction.py``).  Not a box around the face: a cut on the left or at the
    top moves the reduced grid, which then reads other pixels."""
    H, W = rgb.shape[:2]
    if f < 1.0:
        h, w = int(round(H * f)), int(round(W * f))  # cv2.resize's own size (cvRound of the scaled size)
        x1, y1 = (int(np.ceil((max(int(c), 0) + 2) / f)) + 1 for c in last_xy)
    else:
        h, w = H, W
        x1, y1 = (max(int(c), 0) + 2 for c in last_xy)
    x1, y1 = min(x1, W), min(y1, H)
    if f < 1.0 and (int(round(x1 * f)), int(round(y1 * f))) == (x1, y1) != (W, H) and (h, w) != (H, W):
        x1, y1 = W, H  # cv2.resize copies a picture its scale leaves the same size, and reduced the whole one
    grey = cv2.cvtColor(np.ascontiguousarray(rgb[:y1, :x1]), cv2.COLOR_RGB2GRAY)
    small = cv2.resize(grey, None, fx=f, fy=f, interpolation=cv2.INTER_AREA) if f < 1.0 else grey
    return small, (small.shape if (x1, y1) == (W, H) else (h, w))


def light_levels(x: PhotoAnalysis) -> np.ndarray:
    """:func:`_disc_levels` of a measured photo, kept for the last :data:`LIGHT_CACHE_SIZE` photos."""
    return _kept("light_levels", LIGHT_CACHE_SIZE, (x.photo.rgb, x.points),
                 lambda: _disc_levels(x.photo.rgb, x.points, x.frame.mm_per_px), values=(float(x.frame.mm_per_px),))


def _side_terms(a: PhotoAnalysis, b: PhotoAnalysis):
    """The per-pair terms of :func:`light_shift`: ``(d, ok, slope, la, lb)``, ``d`` the change of each readable
    pair's right-minus-left log luminance (``slope lb - la``, shape ``(k,)``, natural-log units), ``ok`` which
    pairs of :data:`LIGHT_PAIRS` were read (shape ``(n,)``), ``slope`` the pair's tone curve and ``la``, ``lb``
    the log luminances (shape ``(n, 2)``, right then left); None when :func:`light_shift` reads NaN."""
    if any(eyes_covered(x) or irises_hidden(x) for x in (a, b)):
        return None
    la, lb = np.log(light_levels(a)), np.log(light_levels(b))
    ok = np.isfinite(la).all(axis=1) & np.isfinite(lb).all(axis=1)
    if ok.sum() < len(LIGHT_PAIRS) // 2 or np.ptp(lb[ok].mean(axis=1)) <= 0:
        return None
    slope = float(np.polyfit(lb[ok].mean(axis=1), la[ok].mean(axis=1), 1)[0])
    d = slope * (lb[ok, 0] - lb[ok, 1]) - (la[ok, 0] - la[ok, 1])
    return d, ok, slope, la, lb


def light_shift(a: PhotoAnalysis, b: PhotoAnalysis) -> tuple[float, float]:
    """How the balance of the face's broad shading moved from photo ``a`` to photo ``b``: ``(side, height)``, %.

    Each photo's log luminance at the skin discs of :data:`LIGHT_PAIRS` (:func:`light_levels`; the pairs read in
    both photos on both sides).  The pair's tone curve (``a x^g``: exposure, gamma, white balance) is the straight
    line in log luminance fitted to the pairs' two-side means, ``a``'s against ``b``'s; its slope ``g`` scales
    ``b``'s balances (the means: a light from one side moves them little, so it stays in the balance rather than in
    the curve, as a fit to each side's discs would take it).  ``side`` is the change of the mean over the pairs of
    the subject's right minus left (> 0: the subject's right side became brighter against the left, the light moved
    towards the subject's right), ``height`` that of the forehead discs' mean minus the lower cheeks'
    (:data:`LIGHT_UPPER_PAIRS`, :data:`LIGHT_LOWER_PAIRS`; > 0: the forehead became brighter), each as the
    percentage change of the luminance ratio, ``100 (exp(d) - 1)``.  NaN when fewer than half the pairs can be
    read in both photos, or either photo shows no iris (:func:`eyes_covered`, :func:`irises_hidden`: its scale and
    landmarks are guesses then).
    """
    terms = _side_terms(a, b)
    if terms is None:
        return (float("nan"), float("nan"))
    d, ok, slope, la, lb = terms
    upper, lower = ok.copy(), ok.copy()
    upper[LIGHT_UPPER_PAIRS:], lower[:-LIGHT_LOWER_PAIRS] = False, False

    def height(x: np.ndarray) -> float:
        return float(x[upper].mean() - x[lower].mean()) if upper.any() and lower.any() else float("nan")

    return float(100.0 * np.expm1(np.mean(d))), float(100.0 * np.expm1(slope * height(lb) - height(la)))


#: the smallest 95 % uncertainty of the side shift (:func:`light_side_uncertainty`), natural-log units of the
#: luminance ratio (0.007: about 0.7 % of it): the pairs of a face can agree closely on a change the photo's own noise
#: makes.  The spread over the disc pairs alone held the truth in 79.5 % of the null pairs of the tuning faces (a
#: nuisance, no light change: 124 of 156), short of the 90 % its rule asked; this is the smallest value, to the
#: 0.001, with which both the null pairs and the relit repeats held it in at least 95 % (``bench/light_uncertainty.py``,
#: the rule in its docstring written before the run; docs/robustness.md "The light message's uncertainty").  Held out,
#: 88.5 % of 156 null pairs; stop 63 read 30 tuning faces (96.4 % of 390) and 10 held-out faces stop 62 had not read
#: (96.9 % of 129), and found the misses in photos lit from one side (``bench/light_uncertainty_s63.py``;
#: docs/accuracy.md "Stop 63: the ± that fell short")
LIGHT_SIDE_FLOOR_LOG = 0.007


def _side_spread(d: np.ndarray) -> float:
    """Student's t (0.975, ``k - 1``) x the standard error of the mean of the ``k`` per-pair terms ``d``
    (:func:`_side_terms`, natural-log units): how far the disc pairs of the face agree on one balance change; NaN
    for fewer than 2."""
    from scipy import stats

    if len(d) < 2:
        return float("nan")
    return float(stats.t.ppf(0.975, len(d) - 1) * np.std(d, ddof=1) / np.sqrt(len(d)))


def light_side_uncertainty(a: PhotoAnalysis, b: PhotoAnalysis) -> float:
    """The 95 % uncertainty of :func:`light_shift`'s side shift, in natural-log units of the luminance ratio (the
    shift's log ``D`` lies within ``D +- u``): ``hypot`` of the spread over the disc pairs (:func:`_side_spread`) and
    :data:`LIGHT_SIDE_FLOOR_LOG`.  NaN where the side shift is NaN.  Measured against null and relit repeat pairs:
    docs/robustness.md "The light message's uncertainty" (``bench/light_uncertainty.py``)."""
    terms = _side_terms(a, b)
    return float("nan") if terms is None else float(np.hypot(_side_spread(terms[0]), LIGHT_SIDE_FLOOR_LOG))


def brighter_pct(side: float, u: float = float("nan")) -> tuple[float, float]:
    """The side shift ``side`` (%, :func:`light_shift`) as how much brighter the side that became brighter is
    against the other, %, and its 95 % uncertainty, % (the larger half of ``100 exp(|D|) (exp(+-u) - 1)``, ``D`` the
    shift's log and ``u`` its uncertainty, :func:`light_side_uncertainty`; NaN when ``u`` is): a right/left ratio
    down by 32 % is a left/right ratio up by 47 %."""
    d = abs(float(np.log1p(side / 100.0)))
    return float(100.0 * np.expm1(d)), float(100.0 * np.exp(d) * np.expm1(u))


def light_moved(shift: tuple[float, float]) -> bool:
    """Whether the side shift of ``shift`` (:func:`light_shift`) lies beyond :data:`MAX_LIGHT_SIDE_SHIFT_PCT`
    (NaN: no).  The height shift is not used: the simulated elevation changes (15 -> 45 and -5 deg) moved it by
    6.1 % at most and no fold row, and the forehead discs reach a fringe of hair (the sample against its own
    cut-out read 34 %: docs/robustness.md "Light from another side")."""
    return bool(abs(shift[0]) > MAX_LIGHT_SIDE_SHIFT_PCT)


def light_rows(shift: tuple[float, float]) -> tuple[tuple[str, str], ...]:
    """The fold rows (``nlf_depth``, ``nlf_contrast_pct``, ``nlf_length_mm``, both sides) as ``(metric, side)``
    when the light moved (:func:`light_moved`): they read ``uncertain``; none otherwise."""
    if not light_moved(shift):
        return ()
    return tuple((m, side) for side in ("right", "left") for m in ("nlf_depth", "nlf_contrast_pct", "nlf_length_mm"))


#: What a light from another side adds to the floors of the rows read from Face Mesh's oval: ``(metric, "side" |
#: "mean") -> per %`` of ``|side shift| - MAX_LIGHT_SIDE_SHIFT_PCT`` (:func:`light_shift`), in the row's unit.  A side
#: light moves the oval's landmarks at the face's edge with the shading (about 1 mm a side at the mouth's height), so
#: a jaw width read under another light changes with no change of the face.  The rule, the rows and the slopes:
#: ``bench/audit_light_jaw_floor.py`` (written before any run; 1.25 x the largest extra floor per % a verdict of a
#: side-lit tuning pair needed, rounded up to two significant digits; docs/robustness.md "The jaw floors under a side
#: light").  A pair whose light did not move (|side shift| up to the limit) keeps its floor.
LIGHT_ROW_FLOORS: dict[tuple[str, str], float] = {
    ("jaw_width_mm", "mean"): 0.35,
    ("jaw_angle_deg", "side"): 0.12,
}


def light_row_floor_terms(shift: tuple[float, float]) -> dict:
    """What the pair's side shift (``shift``: :func:`light_shift`) adds to the floors of :data:`LIGHT_ROW_FLOORS`:
    ``{(metric, "side" | "mean"): per_pct x (|side| - MAX_LIGHT_SIDE_SHIFT_PCT)}`` beyond the limit, 0 within it or
    for a NaN side (not read)."""
    side = float(shift[0])
    beyond = max(abs(side) - MAX_LIGHT_SIDE_SHIFT_PCT, 0.0) if np.isfinite(side) else 0.0
    return {key: float(k * beyond) for key, k in LIGHT_ROW_FLOORS.items()}


def light_adjusted_floors(floors: dict, shift: tuple[float, float]) -> dict:
    """``floors`` with each row of :data:`LIGHT_ROW_FLOORS` widened to ``hypot(floor, extra)`` by
    :func:`light_row_floor_terms` (the pair lit from another side); the others as they are."""
    out = dict(floors)
    for key, e in light_row_floor_terms(shift).items():
        if key in out and e > 0:
            out[key] = float(np.hypot(out[key], e))
    return out


#: said in :func:`light_messages` when the local-tone-mapping check fired on the same pair: local tone mapping (CLAHE,
#: clip 2.5-4) of one photo moved this balance beyond the limit in 13 of the 40 Canada faces (stop 57, the lead's
#: check of bench/audit_phone.py's edits), and a side light trips that check in most pairs (docs/robustness.md "Light from
#: another side"), so which of the two it was cannot be told from the photos.  It names the other message by its
#: words, not by its place ("the message before" in brackets inside brackets; Round 18 of docs/validation.md §12)
MSG_LIGHT_OR_TONE = "a phone's HDR or night mode in one photo (this pair's HDR message) shifts this balance too"


#: the most a head turn under a fixed light moved the side shift (:func:`light_shift`), % per degree of turn: the
#: light moved by 3, 5 and 10 deg around the face (``simulate.relit``, from the camera axis and from 40 deg off it,
#: on the mesh surface and on the generic head with a highlight and the nose's shadow; 6 and 4 London faces): 0.3-1.2
#: % a degree, the largest 1.18 (5.9 % at 5 deg), to one decimal (docs/robustness.md "The words beside a head turn")
TURN_SIDE_SHIFT_PER_DEG_PCT = 1.2


def head_turn_deg(cues: dict | None) -> float:
    """The head turn the pair's head-pose message names (the 3-D fit's yaw change, ``cues["pose_yaw_deg"]``, deg,
    when beyond :data:`~facemetrics.compare.pose.WARN_YAW_DEG`; beyond
    :data:`~facemetrics.compare.pose.REFUSE_YAW_DEG` the pair is refused and no light message is given); 0 when
    it names none."""
    d = float((cues or {}).get("pose_yaw_deg", 0.0))
    return d if np.isfinite(d) and WARN_YAW_DEG < abs(d) <= REFUSE_YAW_DEG else 0.0


def head_turn_uncertainty(cues: dict | None) -> float:
    """The 95 % uncertainty of :func:`head_turn_deg`'s turn, deg: its row's (the yaw row's noise floor,
    :func:`facemetrics.compare.floors.pose_uncertainty` of the 3-D fit's SD, as the head-pose message gives it:
    ``pose._angle_text``); NaN when the cues carry no finite SD or name no turn."""
    cues = cues or {}
    turn = head_turn_deg(cues)
    sd = cues.get("pose_sd", {}).get("head_yaw_change_deg")
    if not turn or sd is None or not np.isfinite(sd):
        return float("nan")
    return pose_uncertainty("head_yaw_change_deg", turn, sd, DEFAULT_NOISE_FLOORS[("head_yaw_change_deg", "mean")])


def _turn_clause(side: float, turn_deg: float, turn_u: float = float("nan")) -> str:
    """The light message's clause on a head turn the head-pose message names: the turn (with its 95 % uncertainty
    ``turn_u``, deg, as the head-pose message gives it: "4.3 ± 0.6 deg"; the whole degrees alone when NaN) as a cause
    of the shift, and whether it can be the whole cause (:data:`TURN_SIDE_SHIFT_PER_DEG_PCT`); empty without a
    turn."""
    if not turn_deg:
        return ""
    most = TURN_SIDE_SHIFT_PER_DEG_PCT * abs(turn_deg)
    # an upper bound (the largest slope on simulated turns x the turn), said as one: "about 4 % for this turn" read
    # as what the turn gave (stop 62, h12)
    part = ("so the turn can be the cause" if abs(side) <= most else
            f"at most about {fixed(most, 0)} % for this turn, so the light itself differed too")
    # the turn with its ± (stop 62, h7: "turned 4 deg" had none beside the head-pose message's "4.3 ± 0.6 deg")
    turned = (f"{fixed(abs(turn_deg), 1)} ± {fixed_uncertainty(turn_u, 1)} deg" if np.isfinite(turn_u) else
              f"{fixed(abs(turn_deg), 0)} deg")
    return (f", and the head turned {turned} between the photos too (this pair's head-pose "
            f"message): a head turned under a fixed light is lit from another side, by up to "
            f"{fixed(TURN_SIDE_SHIFT_PER_DEG_PCT, 1)} % a degree on simulated turns, {part}")


def light_messages(shift: tuple[float, float], tone_mapped: bool = False, turn_deg: float = 0.0,
                   side_u: float = float("nan"), turn_u: float = float("nan")) -> list[str]:
    """The message of :func:`light_rows`, naming which way the light moved and by how much; empty when none.
    ``tone_mapped``: the pair's local-tone-mapping message is shown too (:data:`MSG_LIGHT_OR_TONE`).  ``turn_deg``:
    the head turn the pair's head-pose message names (:func:`head_turn_deg`; 0: none): the message then names it as
    a cause of the shift, says whether it can be the whole cause (:func:`_turn_clause`), and its remedy asks to face
    the camera too.  ``side_u``: the side shift's 95 % uncertainty (:func:`light_side_uncertainty`, log units), said
    as a ``±`` in % of the brighter side (:func:`brighter_pct`); NaN: "about" the figure.  ``turn_u``: the turn's
    95 % uncertainty, deg (:func:`head_turn_uncertainty`; NaN: the turn in whole degrees alone)."""
    if not light_moved(shift):
        return []
    side = shift[0]
    towards, other = ("right", "left") if side > 0 else ("left", "right")
    # the brighter side against the other, with its 95 % uncertainty ("261 % brighter" had none: stop 62, h4)
    brighter, u = brighter_pct(side, side_u)
    figure = (f"{fixed(brighter, 0)} % ± {fixed_uncertainty(u, 0)} %" if np.isfinite(u) else
              f"about {fixed(brighter, 0)} %")
    # the figure and its limit, the rows' consequence, then the other possible cause and the remedy (Round 18: one
    # 100-word sentence with brackets in brackets, "brighter against the other side" not naming that side)
    # the turn: said with the figure, the cause before its consequence for the folds (one cause, then what it does)
    facing = "facing the camera and the same light" if turn_deg else "facing the same light"
    return [f"{MSG_LIGHT_SIDE}: against the {other} side, the subject's {towards} side is {figure} "
            f"brighter than in the before photo (limit {fixed(MAX_LIGHT_SIDE_SHIFT_PCT, 0)} %, after the pair's tone "
            "matching)" + _turn_clause(side, turn_deg, turn_u) + ". A light from one side brightens one "
            "side of each nasolabial fold and darkens the other, so the fold rows read the light as much as the fold "
            "and are shown without a verdict ('uncertain'). The face's outline moves with the shading too, so the "
            "jaw width and jaw angle floors are widened with the shift"
            + (f". Also, {MSG_LIGHT_OR_TONE}: which of the two it was cannot be told from the photos; retake both "
               f"photos in the same place, {facing}, with HDR and night mode off" if tone_mapped else
               f"; retake both photos in the same place, {facing}")]
