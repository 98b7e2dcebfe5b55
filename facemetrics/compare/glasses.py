"""The gate's glasses and covered-eyes checks: dark glasses over the cheeks or the fold bands
(:func:`glasses_cheek_rows`, :func:`glasses_fold_rows`) and a photo with no iris visible
(:func:`eyes_covered_rows`, :func:`eyes_covered_messages`).  Moved unchanged from :mod:`facemetrics.compare.gate`,
which re-exports the names cited as ``gate.X``.
"""

from __future__ import annotations

import cv2
import numpy as np

from .. import align as al
from ..analyze import PhotoAnalysis
from ..geometry import CHEEK_LEFT, CHEEK_RIGHT
from ..rounding import fixed
from .measure import eyes_covered
from .regions import CHEEK_RADIUS_MM
from .table import METRICS
from .framing import FRAMING_METRICS


#: how the warning of a pair with no iris visible in a photo begins (:func:`eyes_covered_messages`)
MSG_EYES_COVERED = "no iris is visible in the"
#: the pose-fit rows that read ``uncertain`` when no iris is visible in either photo (:func:`eyes_covered_rows`)
EYES_COVERED_POSE_METRICS = ("head_pitch_change_deg", "head_yaw_change_deg", "camera_distance_change_pct")


def eyes_covered_rows(metrics, both: bool = False) -> tuple[tuple[str, str], ...]:
    """The ``(metric, side)`` rows of ``metrics`` (:data:`facemetrics.compare.table.METRICS`) that read ``uncertain``
    when no iris is visible in a photo (:func:`eyes_covered`): the head pitch, yaw and camera-distance rows
    (:data:`EYES_COVERED_POSE_METRICS`), the fold rows and every landmark-based row (``*_landmarks_mm`` and
    :data:`FRAMING_METRICS`: Face Mesh fits its whole mesh to the eyes it guesses).  The dense-flow lifts, the
    flow-read jaw width (``jaw_width_flow_mm``, since stop 63) and the roll keep their verdicts.  Chosen by a rule written before the run (``bench/bench_glasses_rows.py``: the
    smallest of four row sets that leaves no more false rows on covered pairs than on clean ones, else the
    largest, this one) on the tuning faces, 2026-12-04: docs/robustness.md 'Dark glasses: the rows they move'.

    With ``both`` (no iris visible in either photo: glasses over both) the fold rows keep their verdicts: with the
    lenses out of the registration (:func:`facemetrics.align.without_lenses`) both photos' folds are scored along
    one line carried by the fold carrier (:func:`facemetrics.compare.measure.fold_carry`), and the tuning faces met the rule written for it (deepened folds read 'deeper',
    no more false fold rows than clean pairs): docs/robustness.md 'Dark glasses: the lenses out of the
    registration'; except a side whose fold band the glasses found cover (an aviator's lower part:
    :func:`glasses_fold_rows`)."""
    return tuple((s.metric, side) for s in metrics for side in s.sides
                 if s.metric in EYES_COVERED_POSE_METRICS or (s.kind in ("fold", "length") and not both)
                 or s.metric.endswith("_landmarks_mm") or s.metric in FRAMING_METRICS)


#: a cheek's dense-flow lift (``cheek_lift_mm``) reads ``uncertain`` when the dark glasses found in a photo with no iris
#: visible (:func:`facemetrics.align.glasses_mask`, grown by its margin) cover at least this fraction of the cheek's
#: disc (:data:`facemetrics.compare.regions.CHEEK_RADIUS_MM` about 50 / 280): a lens's edge or the frame's shadow
#: there moves with the glasses, not with the cheek.  Written down before the run: a tenth, half of the regions'
#: trimmed fraction (``regions.TRIM`` = 0.2 of each end), so that what the trimmed mean may still read is small
GLASSES_CHEEK_COVER = 0.1


def glasses_cheek_cover(x: PhotoAnalysis) -> dict[str, float]:
    """The fraction of each cheek disc (``right``, ``left``: :data:`facemetrics.compare.regions.CHEEK_RADIUS_MM`
    about the cheek landmark) that the dark glasses found in ``x`` cover (:func:`_glasses_cover`:
    ``{"right": f, "left": f}``, each 0-1; zeros when an iris is visible)."""

    def discs(shape):
        r = max(CHEEK_RADIUS_MM / float(x.frame.mm_per_px), 1.0)
        for side, k in (("right", CHEEK_RIGHT), ("left", CHEEK_LEFT)):
            disc = np.zeros(shape, np.uint8)
            cx, cy = np.asarray(x.points[k, :2], np.float64)
            cv2.circle(disc, (int(round(cx)), int(round(cy))), int(round(r)), 1, -1)
            yield side, disc

    return _glasses_cover(x, discs)


def _glasses_cover(x: PhotoAnalysis, areas) -> dict[str, float]:
    """The fraction of each side's area that the dark glasses found in ``x`` cover (:func:`_glasses_found`:
    :func:`facemetrics.align.glasses_mask`, grown by its margin); zeros when an iris is visible
    (:func:`eyes_covered`) or no glasses were found.

    Parameters
    ----------
    x : PhotoAnalysis
    areas : callable
        ``areas(shape)`` yields ``(side, area)``: ``side`` ``"right"`` / ``"left"``, ``area`` uint8 of ``shape``
        ((H, W) of ``x.photo.rgb``), 1 inside; called only when glasses were found.  A side it does not yield
        reads 0.

    Returns
    -------
    dict
        ``{"right": f, "left": f}``, each 0-1.
    """
    out = {"right": 0.0, "left": 0.0}
    found = _glasses_found(x)
    if found is None:
        return out
    for side, area in areas(found.shape):
        out[side] = _covered_fraction(found, area)
    return out


def _glasses_found(x: PhotoAnalysis) -> np.ndarray | None:
    """The dark glasses found in ``x`` (bool (H, W), :func:`facemetrics.align.found_in`: the analysis' own mask when
    it has one, grown by its margin) when no iris is visible (:func:`eyes_covered`) and any were found; else None."""
    if not eyes_covered(x):
        return None
    found = al.found_in(x.extra.get("glasses"), x.photo.rgb, x.points, float(x.frame.mm_per_px))
    return found if found.any() else None


def _covered_fraction(found: np.ndarray, area: np.ndarray) -> float:
    """The fraction of ``area`` (uint8 (H, W), 1 inside) that ``found`` (bool (H, W)) covers; 0 for an empty area."""
    n = int(area.sum())
    return float((found & (area > 0)).sum() / n) if n else 0.0


def glasses_cheek_rows(a: PhotoAnalysis, b: PhotoAnalysis) -> tuple[tuple[str, str], ...]:
    """The ``cheek_lift_mm`` rows that read ``uncertain``: a side whose cheek disc the dark glasses cover
    (:func:`glasses_cheek_cover`, at least :data:`GLASSES_CHEEK_COVER`) in either photo, and the mean with it."""
    covers = [glasses_cheek_cover(x) for x in (a, b)]
    sides = tuple(s for s in ("right", "left") if max(c[s] for c in covers) >= GLASSES_CHEEK_COVER)
    return tuple(("cheek_lift_mm", s) for s in sides) + ((("cheek_lift_mm", "mean"),) if sides else ())


#: a side's fold rows (``nlf_depth``, ``nlf_contrast_pct``, ``nlf_length_mm``) read ``uncertain`` when the dark glasses
#: found in a photo with no iris visible (:func:`facemetrics.align.glasses_mask`, grown by its margin) cover at least
#: this fraction of that side's fold search band (``FoldMetrics.region_px``) in either photo: an aviator's lower part,
#: its lens edge and the frame's shadow lie on the top of the band and move with the re-seated glasses, not with the
#: fold.  Chosen on the tuning faces by the rule written before the run (``bench/bench_glasses_folds.py``: the
#: largest of 0.02 / 0.05 / 0.1 / 0.2 that meets it): docs/robustness.md 'Folds under aviators'
GLASSES_FOLD_COVER = 0.1
#: how the message of a pair whose glasses reach a fold band begins (:func:`glasses_fold_messages`)
MSG_GLASSES_FOLD = "the dark glasses reach the"


def glasses_fold_cover(x: PhotoAnalysis) -> dict[str, float]:
    """The fraction of each fold's search band (``right``, ``left``: ``x.nlf_right`` / ``x.nlf_left``'s
    ``region_px``, (x, y) px of ``x.photo.rgb``) that the dark glasses found in ``x`` cover (:func:`_glasses_cover`:
    ``{"right": f, "left": f}``, each 0-1; zeros when an iris is visible or a fold was not measured)."""

    def bands(shape):
        for side, f in (("right", x.nlf_right), ("left", x.nlf_left)):
            region = getattr(f, "region_px", None)
            if region is None or len(region) < 3:
                continue
            band = np.zeros(shape, np.uint8)
            cv2.fillPoly(band, [np.round(np.asarray(region, np.float64)[:, :2]).astype(np.int32)], 1)
            yield side, band

    return _glasses_cover(x, bands)


def glasses_fold_sides(a: PhotoAnalysis, b: PhotoAnalysis) -> tuple[str, ...]:
    """The sides (``right``, ``left``) whose fold band the dark glasses cover (:func:`glasses_fold_cover`, at least
    :data:`GLASSES_FOLD_COVER`) in either photo."""
    covers = [glasses_fold_cover(x) for x in (a, b)]
    return tuple(s for s in ("right", "left") if max(c[s] for c in covers) >= GLASSES_FOLD_COVER)


def glasses_fold_rows(a: PhotoAnalysis, b: PhotoAnalysis) -> tuple[tuple[str, str], ...]:
    """The fold rows (``nlf_depth``, ``nlf_contrast_pct``, ``nlf_length_mm``) of the sides
    :func:`glasses_fold_sides` names, that read ``uncertain``."""
    sides = glasses_fold_sides(a, b)
    return tuple((s.metric, side) for s in METRICS if s.kind in ("fold", "length") for side in sides
                 if side in s.sides)


def glasses_fold_messages(a: PhotoAnalysis, b: PhotoAnalysis) -> list[str]:
    """The message of a pair whose dark glasses reach a fold's search band (:func:`glasses_fold_sides`), naming the
    sides and the cover; empty otherwise."""
    sides = glasses_fold_sides(a, b)
    if not sides:
        return []
    covers = [glasses_fold_cover(x) for x in (a, b)]
    said = ", ".join(f"{s} {fixed(100 * max(c[s] for c in covers), 0)} %" for s in sides)
    return [f"{MSG_GLASSES_FOLD} nasolabial fold's search band ({said} of it covered; the limit is "
            f"{fixed(100 * GLASSES_FOLD_COVER, 0)} %): the lens edge and the frame's shadow there move with the glasses, "
            f"so the {' and '.join(sides)} fold rows are shown without a verdict ('uncertain'); compare photos "
            "without the glasses"]


def eyes_covered_messages(a: PhotoAnalysis, b: PhotoAnalysis) -> list[str]:
    """The warning of a pair with no iris visible in one or both photos (:func:`eyes_covered`), naming them and
    the rows :func:`eyes_covered_rows` takes; empty otherwise."""
    covered = [label for label, x in (("before", a), ("after", b)) if eyes_covered(x)]
    if not covered:
        return []
    both = len(covered) == 2
    # the folds keep theirs unless the glasses reach their search band (glasses_fold_messages): this message said
    # they kept theirs above that message's 'uncertain' fold rows (h11, 2026-12-05)
    reached = glasses_fold_sides(a, b) if both else ()
    # the flow-read jaw width keeps its verdict too since stop 63 (it is not in framing.FRAMING_METRICS)
    flow = "the dense-flow lifts, the flow-read jaw width"
    kept = f"{flow}, the folds and the roll" if not reached else (
        f"{flow} and the roll" if len(reached) == 2 else
        f"{flow}, the {'left' if reached == ('right',) else 'right'} fold and the roll")
    taken = ("the head pitch, yaw and camera-distance rows and the landmark-based rows (landmark lifts, jaw, mouth "
             f"and cheek metrics) are shown without a verdict ('uncertain'; {kept} keep theirs: the area the glasses "
             "cover is left out of the alignment" + (", and both folds are scored along one line" if len(reached) < 2
                                                     else "")
             + (f"; the {' and '.join(reached)} fold rows do not: the glasses reach "
                f"{'their' if len(reached) == 2 else 'its'} search band" if reached else "") + ")" if both else
             "the head pitch, yaw and camera-distance rows, the folds and the landmark-based rows (landmark lifts, "
             "jaw, mouth and cheek metrics) are shown without a verdict ('uncertain'; the dense-flow lifts, the "
             "flow-read jaw width and the roll keep theirs: the area the glasses cover is left out of the alignment)")
    return [f"{MSG_EYES_COVERED} {' and '.join(covered)} photo{'s' if both else ''} (dark glasses, "
            "closed or covered eyes): Face Mesh guesses the eyes and fits its whole mesh to the guess, so "
            f"{taken}; compare photos with the eyes open and uncovered"]
