"""The gate's framing, lens and cut-out checks: a pair framed differently (:func:`framed_differently`), taken
with different lenses (:func:`different_lenses`), one photo cut out from its background or both cut differently
(:func:`cut_out_messages`), a face cut by the image edge (:func:`face_cut`), and the rows each makes
``uncertain``.  Moved unchanged from :mod:`facemetrics.compare.gate`, which re-exports the names cited as
``gate.X``.
"""

from __future__ import annotations

import numpy as np

from ..analyze import PhotoAnalysis
from ..geometry import FACE_OVAL, LOWER_OVAL
from ..quality import TRANSPARENT_FACE_FRACTION, face_opacity
from ..rounding import fixed
from .occlusion import JAW_ROWS


MSG_FACE_CUT = "the face is cut by the image edge"
#: how the message of a pair framed differently begins (:func:`framing_messages`)
MSG_FRAMING = "the photos are framed differently"
#: how the message of a pair of which exactly one photo has a transparent background (a cut-out) begins
#: (:func:`cut_out_messages`)
MSG_CUT_OUT = "one photo is cut out from its background"
#: ... and of a pair of two transparent photos cut differently beside the jaw (:func:`cut_out_messages`)
MSG_CUT_DIFFERENTLY = "the two photos are cut out from their backgrounds differently"


#: framing cue (:func:`framing_ratio`: the larger over the smaller of the two photos' face-oval width / image
#: width, or / the image's longer side when that ratio is the larger) beyond which the landmark-based and
#: per-photo rows (:data:`FRAMING_METRICS`, the ``*_landmarks_mm`` rows) carry the verdict ``uncertain``,
#: ratio: Face Mesh's landmarks depend on how much of the frame the face fills.  Chosen on the tuning faces
#: by a rule written before the table (the smallest ratio above 1.20 at which a row exceeded 0.8 x its floor,
#: 1.249 (a 0.8 x crop of the sample), rounded down to 0.05, never
#: below 1.20, the nuisances' own scale change 0.85 / 1.15): 2026-12-04, ``bench/bench_framing.py``;
#: docs/compare.md, 'Framing'.  Why: Face Mesh crops its landmark network's input from the box its face detector
#: finds in the whole picture, and that box moves by up to 4-11 % of the face's width when the face fills another
#: fraction of the frame (up to 0.2-1.0 % when only the photo's pixel size changes); the landmarks follow it.  A camera
#: moved nearer or farther changes that fraction as a wider frame does, and the same pixels re-framed that way
#: (padded, then reduced back to the photo's size) read landmark rows beyond their floors as padded copies do, so
#: the cue rightly takes in camera-distance changes (``bench/bench_framing.py --why`` and ``--camera``,
#: 2026-12-04; docs/compare.md, 'Why the landmarks move with framing')
MAX_FRAMING_RATIO = 1.20


def face_fraction(x: PhotoAnalysis, side: str = "width") -> float:
    """How much of the frame the face fills: the width of the bounding box of Face Mesh's face oval
    (:data:`facemetrics.geometry.FACE_OVAL`, x in px of ``photo.rgb``) over the width of ``photo.rgb``
    (``side="width"``) or over its longer side (``side="longer"``: Face Mesh's face detector sees the whole
    picture at 128 x 128 px, so bars that make the picture taller shrink the face there too); a fraction,
    0-1+; NaN for a photo without landmarks."""
    if x.points is None or x.photo is None:
        return float("nan")
    xs = np.asarray(x.points)[list(FACE_OVAL), 0]
    h, w = x.photo.rgb.shape[:2]
    return float((xs.max() - xs.min()) / (w if side == "width" else max(h, w)))


def _fraction_ratio(a: PhotoAnalysis, b: PhotoAnalysis, side: str) -> float:
    fa, fb = face_fraction(a, side), face_fraction(b, side)
    if not (np.isfinite(fa) and np.isfinite(fb)) or min(fa, fb) <= 0:
        return float("nan")
    return float(max(fa, fb) / min(fa, fb))


def framing_side(a: PhotoAnalysis, b: PhotoAnalysis) -> str:
    """Which of the frame's sides the framing cue (:func:`framing_ratio`) was read on: ``"width"``, or
    ``"longer"`` when the ratio of the face's fractions of the longer side is the larger (the two photos'
    shapes differ: a screenshot of a photo, a portrait photo against a landscape one; for photos of one shape
    the two agree but for the rounding of their sizes)."""
    rw, rl = _fraction_ratio(a, b, "width"), _fraction_ratio(a, b, "longer")
    return "longer" if np.isfinite(rl) and (not np.isfinite(rw) or rl > rw) else "width"


def framing_ratio(a: PhotoAnalysis, b: PhotoAnalysis) -> float:
    """The framing cue of a pair: the larger of the two photos' :func:`face_fraction` over the smaller
    (1 = framed alike, 2 = the face fills twice the width of the frame in one photo; NaN when unknown),
    read on the frame's width and on its longer side, the larger of the two (:func:`framing_side`; since
    2026-12-04: a screenshot of a photo, the photo scaled to the screen's width with bars above and below,
    kept the width's ratio at 1.00-1.02 while the longer side's read 1.61-2.20 and its landmark rows moved
    up to 1.58 x their floors; docs/robustness.md, 'Phone capture audit')."""
    return _fraction_ratio(a, b, framing_side(a, b))


#: the per-photo metrics the framing gate reaches (besides every ``*_landmarks_mm`` lift row): read from the
#: landmarks of each photo (:func:`framing_rows`).  The flow width (``jaw_width_flow_mm``) keeps its verdict: re-framed,
#: off-centre and eyes-covered no-change pairs read it within its floor (0 of 572 pairs of 52 faces; stop 63,
#: ``bench/flow_width_nuisances.py``); a lens difference still reaches it (:data:`LENS_METRICS`)
FRAMING_METRICS = ("jawline_height_mm", "jaw_width_mm", "lower_face_area_mm2", "jowl_sag_mm",
                   "jaw_angle_deg", "mouth_corner_height_mm", "cheek_height_mm")
#: the per-photo metrics a lens difference reaches (:func:`lens_rows`): the :data:`FRAMING_METRICS` and the flow width
#: (an off-centre barrel read it beyond its floor on 14 of 14 tuning pairs, as the oval width; stop 63)
LENS_METRICS = FRAMING_METRICS + ("jaw_width_flow_mm",)


def framed_differently(a: PhotoAnalysis, b: PhotoAnalysis) -> bool:
    """Does the face fill the two frames differently beyond :data:`MAX_FRAMING_RATIO`
    (:func:`framing_ratio`)?  Then the landmark-based rows (:func:`framing_rows`) read ``uncertain``.  Whether
    the frame, a crop or the camera distance changed is not asked: each moves the landmarks the same way
    (:data:`MAX_FRAMING_RATIO`)."""
    r = framing_ratio(a, b)
    return bool(np.isfinite(r) and r > MAX_FRAMING_RATIO)


def framing_rows(metrics) -> tuple[tuple[str, str], ...]:
    """The ``(metric, side)`` rows of ``metrics`` (:data:`facemetrics.compare.table.METRICS`) a framing
    difference reaches: every ``*_landmarks_mm`` row and the :data:`FRAMING_METRICS`; the dense-flow lifts,
    the flow-read jaw width (since stop 63), the folds and the pose rows keep their verdicts."""
    return tuple((s.metric, side) for s in metrics
                 if s.metric.endswith("_landmarks_mm") or s.metric in FRAMING_METRICS for side in s.sides)


def framing_messages(a: PhotoAnalysis, b: PhotoAnalysis) -> list[str]:
    """The message of a pair framed differently (:func:`framed_differently`), naming both face fractions
    and the limit; empty otherwise."""
    if not framed_differently(a, b):
        return []
    side = framing_side(a, b)
    fa, fb = face_fraction(a, side), face_fraction(b, side)
    where = "width" if side == "width" else "longer side"
    return [f"{MSG_FRAMING} (the face fills {fixed(100 * fa, 0)} % vs {fixed(100 * fb, 0)} % of the frame's {where}, "
            f"{fixed(framing_ratio(a, b), 2)}x; limit {fixed(MAX_FRAMING_RATIO, 2)}x): the landmark-based rows (landmark lifts, "
            "jaw, mouth and cheek metrics) depend on how much of the frame the face fills (a wider frame, a crop, a "
            "zoom or a camera nearer or farther all change it), so they are shown without a verdict ('uncertain'; the "
            "dense-flow lifts and the flow-read jaw width keep theirs); take both photos at the same framing and camera distance"]


#: the rows a cut-out against an uncut photo moves besides the jaw rows (:data:`facemetrics.compare.occlusion.JAW_ROWS`,
#: the jaw contour's): every metric with a side beyond 0.8 x its floor in a tuning pair (London 12 neutral + the
#: Canada tuning split, each photo against a cut-out of itself along a silhouette drawn from the hand-placed
#: template points: 2026-12-04, ``bench/bench_cutout_compare.py``; docs/compare.md, 'Cut-out photos'), all sides
CUT_OUT_METRICS = ("cheek_lift_landmarks_mm", "cheek_height_mm")


def transparency(x: PhotoAnalysis) -> str:
    """What a photo's alpha channel (:attr:`facemetrics.loader.Photo.alpha`, composited on white) hides:
    ``"cut out"`` when the face is opaque and the background (some of the rest) transparent, ``"faded"`` when
    more than :data:`~facemetrics.quality.TRANSPARENT_FACE_FRACTION` of the face is partly transparent too,
    ``""`` without transparent pixels (or without landmarks).  Either way the jaw edge is read against white
    where the photo is transparent."""
    alpha = getattr(x.photo, "alpha", None)
    if alpha is None or x.points is None:
        return ""
    fraction, _ = face_opacity(alpha, np.asarray(x.points))
    return "faded" if fraction > TRANSPARENT_FACE_FRACTION else "cut out"


#: where :func:`cut_edge_opacity` reads a photo's opacity beside the jaw: this fraction of the face's width
#: (the 468 landmarks' x extent) outward from each lower face-oval landmark, away from the landmarks' centre
CUT_EDGE_OFFSET = 0.06
#: two transparent photos whose :func:`cut_edge_opacity` differ by more than this (0-1) are cut differently
#: (:func:`cut_out_differs`).  Rule written before the held-out faces were read: 1.2 x the largest difference
#: of the tuning pairs cut alike (a cut-out against itself shifted by 7 px and reduced to 0.9, 0.083), rounded
#: to 0.01; pairs cut differently (a close and a wide cut) differed by 0.09-0.65 and those with a jaw row beyond
#: its floor by 0.11 or more (2026-12-04, ``bench/bench_cutout_compare.py --both``; docs/compare.md 'Cut-out photos')
MAX_CUT_EDGE_DIFFERENCE = 0.10


def cut_edge_opacity(x: PhotoAnalysis) -> float:
    """How opaque a photo is just beside its jaw: the mean opacity (0-1, :attr:`facemetrics.loader.Photo.alpha`)
    at the lower face-oval landmarks (:data:`facemetrics.geometry.LOWER_OVAL`) moved outward from the 468
    landmarks' centre by :data:`CUT_EDGE_OFFSET` of the face's width (points outside the picture read at its
    edge); 1.0 without transparent pixels, NaN without landmarks.  A cut close along the jaw reads low, one
    keeping some background beside it high."""
    if x.points is None:
        return float("nan")
    alpha = getattr(x.photo, "alpha", None)
    if alpha is None:
        return 1.0
    p = np.asarray(x.points)[:, :2]
    c = p[:468].mean(0)
    q = p[list(LOWER_OVAL)]
    d = q - c
    d /= np.maximum(np.linalg.norm(d, axis=1, keepdims=True), 1e-9)
    s = q + d * CUT_EDGE_OFFSET * float(np.ptp(p[:468, 0]))
    h, w = alpha.shape[:2]
    ij = np.clip(np.round(s).astype(int), 0, [w - 1, h - 1])
    return float(alpha[ij[:, 1], ij[:, 0]].mean() / 255.0)


def cut_out_differs(a: PhotoAnalysis, b: PhotoAnalysis) -> bool:
    """Is exactly one of the two photos transparent (:func:`transparency`), or are both, cut differently beside
    the jaw (:func:`cut_edge_opacity` differing by more than :data:`MAX_CUT_EDGE_DIFFERENCE`)?  Then the
    background alone moves the jaw rows (:func:`cut_out_rows`)."""
    ta, tb = bool(transparency(a)), bool(transparency(b))
    if ta != tb:
        return True
    return bool(ta and tb and abs(cut_edge_opacity(a) - cut_edge_opacity(b)) > MAX_CUT_EDGE_DIFFERENCE)


#: two photos' EXIF 35 mm-equivalent focal lengths (:attr:`facemetrics.loader.Photo.focal_length_35mm`) differing
#: by more than this, mm, are taken as two lenses (:func:`different_lenses`): the tag is whole millimetres, and
#: one computed from the real focal length and a crop factor may round either way
MAX_FOCAL_35MM_DIFFERENCE_MM = 1.0
MSG_LENSES = "taken with different lenses"


def different_lenses(a: PhotoAnalysis, b: PhotoAnalysis) -> tuple[str, str] | None:
    """The two lenses, as named for the message, when both photos name their lens in EXIF and the names
    (``LensModel``, :attr:`facemetrics.loader.Photo.lens`) differ or the 35 mm-equivalent focal lengths differ
    by more than :data:`MAX_FOCAL_35MM_DIFFERENCE_MM`; ``None`` otherwise (the same lens, or either photo
    without lens tags: nothing is said then).  Two lenses distort the picture differently, which reads as a
    lift or sag of the lower face (docs/robustness.md, 'Phone capture audit, 2026-12-04')."""
    names = (a.lens, b.lens)
    focal = (a.focal_length_35mm, b.focal_length_35mm)
    by_name = None not in names and names[0].casefold() != names[1].casefold()
    by_focal = None not in focal and abs(focal[0] - focal[1]) > MAX_FOCAL_35MM_DIFFERENCE_MM
    if not (by_name or by_focal):
        return None

    def named(lens: str | None, f: float | None) -> str:
        mm = f"{fixed(f, 0)} mm equivalent" if f is not None else ""
        return ", ".join(x for x in (lens, mm) if x)

    return named(a.lens, focal[0]), named(b.lens, focal[1])


def lens_rows(metrics) -> tuple[tuple[str, str], ...]:
    """The ``(metric, side)`` rows of ``metrics`` (:data:`facemetrics.compare.table.METRICS`) that a difference of
    lens distortion reaches: every lift row (dense-flow and landmark), the per-photo landmark metrics
    (:data:`FRAMING_METRICS`) and the flow-read jaw width (:data:`LENS_METRICS`); the folds and the pose rows keep
    their verdicts."""
    return tuple((s.metric, side) for s in metrics for side in s.sides
                 if s.kind == "lift" or s.metric in LENS_METRICS)


def lens_messages(a: PhotoAnalysis, b: PhotoAnalysis) -> list[str]:
    """The warning of a pair taken with different lenses (:func:`different_lenses`), naming both; empty
    otherwise."""
    lenses = different_lenses(a, b)
    if lenses is None:
        return []
    return [f"{MSG_LENSES} ({lenses[0]} vs {lenses[1]}, EXIF): lens distortion differs between them and moves the "
            "jaw and lower face in the picture, which reads as a lift or sag, so the lifts and the jaw, mouth and "
            "cheek metrics are shown without a verdict ('uncertain'; the folds and head-pose rows keep theirs); take "
            "both photos with the same camera and lens, at the same zoom"]


def cut_out_rows(metrics) -> tuple[tuple[str, str], ...]:
    """The ``(metric, side)`` rows of ``metrics`` (:data:`facemetrics.compare.table.METRICS`) a cut-out against
    an uncut photo reaches: the jaw rows (:data:`facemetrics.compare.occlusion.JAW_ROWS`) and the
    :data:`CUT_OUT_METRICS`; the other rows keep their verdicts."""
    jaw = set(JAW_ROWS)
    return tuple((s.metric, side) for s in metrics for side in s.sides
                 if (s.metric, side) in jaw or s.metric in CUT_OUT_METRICS)


def cut_out_messages(a: PhotoAnalysis, b: PhotoAnalysis) -> list[str]:
    """The warning of a pair of which exactly one photo is transparent (:func:`cut_out_differs`), naming it, or
    of two transparent photos cut differently beside the jaw (naming both :func:`cut_edge_opacity`); empty
    otherwise."""
    if not cut_out_differs(a, b):
        return []
    if transparency(a) and transparency(b):
        ea, eb = cut_edge_opacity(a), cut_edge_opacity(b)
        return [f"{MSG_CUT_DIFFERENTLY}: both are transparent (alpha channel, shown on white), but just beside the "
                f"jaw the before photo is {fixed(100 * ea, 0)} % opaque and the after photo {fixed(100 * eb, 0)} % (limit "
                f"±{fixed(100 * MAX_CUT_EDGE_DIFFERENCE, 0)} points): the jaw edge is read against white where one cut "
                "runs closer, which alone moved the jaw width and angles beyond their floors in real faces cut "
                "twice, so the jaw rows, the lower-face area and the cheek landmark rows are shown without a "
                "verdict ('uncertain'; the dense-flow lifts of the cheeks and mouth and the folds keep theirs); "
                "compare the original photos, or cut both out with the same tool and margin"]
    label, x = ("before", a) if transparency(a) else ("after", b)
    part = 100.0 * float(np.mean(x.photo.alpha < 255))
    what = ("its face is opaque" if transparency(x) == "cut out" else "its face is partly transparent too")
    return [f"{MSG_CUT_OUT}: the {label} photo is transparent over {fixed(part, 0)} % of the picture (alpha channel, shown "
            f"on white; {what}) and the other is not. The jaw edge is then read against white where the background "
            "was cut away, which alone moved the jaw width (median 4.9 mm, up to 7.8 mm), the jaw angles (up to 6.7 deg) "
            "and the lower-face area beyond their floors in 36 real faces compared with a cut-out of themselves, so the jaw rows, the lower-face "
            "area and the cheek landmark rows are shown without a verdict ('uncertain'; the dense-flow lifts of the "
            "cheeks and mouth and the folds keep theirs); compare the original photos, or two photos cut out alike"]


def face_cut(a: PhotoAnalysis, b: PhotoAnalysis) -> bool:
    """Is the face cut by the image edge in either photo (jaw-line landmarks outside the picture,
    :attr:`facemetrics.quality.Quality.cut_landmarks`)?  Face Mesh then guesses the jaw there and
    fits the rest of the mesh to the guess, so every row but the pose rows carries the verdict
    ``uncertain`` (:func:`lower_face_uncertain`; a face cut at 68 % of the sample's width read a
    +2.04 mm jawline 'lift' for a true 1.5 mm and a -0.99 mm cheek 'sag' for none; a photo cut at
    62 % of its height against itself read jawline height -16 mm, mouth corners -9 mm, cheeks -6 mm)."""
    return any(x.quality is not None and x.quality.cut_landmarks > 0 for x in (a, b))
