"""The gate's expression checks: the smile cue (:func:`smile_change`), the lips' shape
(:func:`lip_shape_changes`), the dense flow's mouth cues and the expression messages.  Moved unchanged from
:mod:`facemetrics.compare.gate`, which re-exports the names cited as ``gate.X``.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from ..analyze import PhotoAnalysis
from ..quality import smile_terms
from ..rounding import fixed, fixed_uncertainty
from .measure import eyes_covered
from .table import LOWER_FACE_KINDS, METRICS, UNCERTAIN


MSG_EXPRESSION = "expression differs"
#: ... when only the dense flow's mouth cues fired (the corners moved wider or up against the jowl) and
#: the lips' own shape did not change: a smile and a lift that pulls the mouth corners up and out both
#: do this (bench/bench_coverage.py: 67 of 168 simulated oblique lifts; 4 of 12 London smiles)
MSG_EXPRESSION_MAYBE = "expression may differ"
#: the clause of :data:`MSG_EXPRESSION_MAYBE`'s message on the fold rows, which keep their verdicts: on the real
#: London smiles whose gate gave the flow cues alone and read the lower face, 7 of the 8 fold rows reading a change
#: read 'deeper' or 'longer' (024, 119, 140; the eighth, 024 left depth 'shallower', against its photos' own +1.46);
#: no rule of the four tried kept the simulated lifts' fold rows and flagged these (docs/compare.md 'Fold rows when
#: only the flow cues fire', 2026-12-05)
MSG_SMILE_FOLDS = ("a smile deepens and lengthens the nasolabial folds, so a fold row reading 'deeper' or "
                   "'longer' here may be the smile, not the skin")


#: the tail of :data:`MSG_EXPRESSION_MAYBE`'s message while the rows it names (the lifts, folds and mouth metrics)
#: keep their verdicts; :func:`said_verdicts` makes it true to the rows when another check reads them 'uncertain'
_KEEP_VERDICTS = ", and they keep their verdicts: " + MSG_SMILE_FOLDS
#: ... when every one of those rows reads 'uncertain' for another reason (the upper faces match only roughly, the
#: face is cut, the pose or camera changed beyond the checked range, one picture twice: its own message says which)
_ALL_UNCERTAIN = ", but here they are shown without a verdict ('uncertain') for the reason another message gives"
#: ... when some of them do (a black-and-white photo against a colour one, a covered jaw or fold, ...)
_SOME_UNCERTAIN = ", and those not shown 'uncertain' for another reason keep their verdicts"


#: expression limits: change of the smile index, of the mouth opening (inner-lip gap /
#: mouth width), outward displacement of the mouth corners (mm, dense flow), and rise
#: of a mouth corner relative to the jowl below it (mm, dense flow)
MAX_SMILE_CHANGE = 0.10


MAX_MOUTH_OPENING_CHANGE = 0.10


#: the lip-shape cues' 95 % uncertainty of a change between two photos, the ``±`` their messages give (a cue is one
#: reading of each photo, with no spread of its own): the 95th percentile of |change| of the smile index and of the
#: mouth opening over the photo against the 13 nuisances of ``simulate.NUISANCES`` (no expression change), 0.0222
#: and 0.0049 on the 12 tuning faces, 2 significant digits up (``bench/expression_cue_uncertainty.py``, its rule
#: written before the run; held out 92.9 % and 91.0 % of 156 pairs within them; docs/robustness.md "The expression
#: check's lip-shape figures", stop 62).  The mouth-corner elevation's is :data:`ELEVATION_REPEAT_FLOOR`.  A re-take's
#: own expression moves them more: these are the reading's spread
SMILE_INDEX_REPEAT_FLOOR = 0.023


MOUTH_OPENING_REPEAT_FLOOR = 0.005


#: the mouth-corner elevation's 95 % uncertainty of a change between two photos (dimensionless), the ``±`` of its
#: message: the 95th percentile of |change| over the null pairs of 30 tuning faces (London 6, Canada 24; the 13
#: nuisances of ``simulate.NUISANCES`` each), 0.0107, 2 significant digits up; held out once on the 10 Canada faces
#: stop 62 had not read: 125 of 130 (96.2 %) within it (``bench/elevation_uncertainty_s63.py``, the rule in its
#: docstring committed before the run; docs/accuracy.md "Stop 63: the ± that fell short").  Stop 62's 12 held-out
#: faces had held 84.6 % (two faces, london_061 and canada_108m, 12 of their 26 pairs beyond it)
ELEVATION_REPEAT_FLOOR = 0.011


MAX_MOUTH_WIDENING_MM = 0.5


MAX_MOUTH_CORNER_RISE_MM = 0.6


#: the two flow cues' own noise floors (mm), named beside each cue in its message (a cue is one reading of the
#: pair, with no spread of its own: stop 55's units audit): the default floors' rule
#: (:func:`facemetrics.compare.noise_floors_from_nuisances`: 1.25 x the largest |cue| over the 325 nuisance-only
#: pairs, rounded up to two significant digits), measured by ``python bench/bench_compare.py --noise-floors``
#: (2026-12-06, on 1b10929: largest widening 0.019 mm, largest rise 0.047 mm, both jpeg_70 / noise / gamma; as
#: docs/compare.md's 2026-12-02 table: 0.018 / 0.047).  Printed with 2 decimals: "noise floor 0.06 mm"
MOUTH_WIDENING_FLOOR_MM = 0.024


MOUTH_CORNER_RISE_FLOOR_MM = 0.059


@dataclasses.dataclass(frozen=True)
class SmileChange:
    """The expression check's smile cue between two photos (:func:`smile_change`).

    Attributes
    ----------
    term : str
        What was compared: ``"smile index"`` (the index, :func:`facemetrics.quality.expression`), or
        ``"mouth-corner elevation"`` (its first term alone, :func:`facemetrics.quality.smile_terms`) when no
        iris is visible in either photo (:func:`eyes_covered`).
    before, after : float
        That value in each photo (dimensionless; NaN when unknown).
    covered : tuple of str
        The photos with no iris visible, ``"before"`` and / or ``"after"``.
    """

    term: str
    before: float
    after: float
    covered: tuple[str, ...] = ()

    @property
    def change(self) -> float:
        """``after - before`` (dimensionless)."""
        return self.after - self.before

    @property
    def beyond(self) -> bool:
        """Did it change beyond :data:`MAX_SMILE_CHANGE` either way (False when a value is unknown)?"""
        return bool(abs(self.change) > MAX_SMILE_CHANGE)

    @property
    def message(self) -> str:
        """The message part naming the change (with its 95 % uncertainty, :data:`SMILE_INDEX_REPEAT_FLOOR` for the
        index, :data:`ELEVATION_REPEAT_FLOOR` for the elevation), both values, that they carry no unit, and the limit
        (and, for the elevation, why): ``"smile index changed by +0.28 ± 0.02 (an index, no unit: from 0.02 to 0.30,
        limit ±0.10)"`` ("smile index 0.02 → 0.30 (limit ±0.10)" until stop 62, h7; the elevation without a ± until
        stop 63)."""
        index = self.term != SMILE_ELEVATION
        u = f" ± {fixed_uncertainty(SMILE_INDEX_REPEAT_FLOOR if index else ELEVATION_REPEAT_FLOOR, 2)}"
        text = (f"{self.term} changed by {fixed(self.change, 2, True)}{u} ({'an index' if index else 'a ratio'}, no "
                f"unit: from {fixed(self.before, 2)} to {fixed(self.after, 2)}, limit ±{fixed(MAX_SMILE_CHANGE, 2)}")
        if self.term == SMILE_ELEVATION:
            text += (f"; the smile index's mouth width / pupil distance term is left out: no iris is visible in the "
                     f"{' and '.join(self.covered)} photo, where Face Mesh guesses the pupils")
        return text + ")"


#: the :attr:`SmileChange.term` of a smile cue read from the lips alone
SMILE_ELEVATION = "mouth-corner elevation"


def smile_change(index: tuple[float, float], elevation: tuple[float, float],
                 covered: tuple[bool, bool]) -> SmileChange:
    """The smile cue of the expression check between a before and an after photo, one rule for the
    comparison (:func:`lip_shape_changes`) and the guided capture (:func:`facemetrics.capture.capture_check`).

    The smile index is the sum of the mouth corners' elevation over the inner lips and the mouth width /
    pupil distance (:func:`facemetrics.quality.smile_terms`).  Behind dark glasses or closed lids Face Mesh
    guesses the pupils, and the second term moves with the guess (docs/compare.md "Eyes not visible"), so
    when no iris is visible in either photo the elevation alone is compared, against the same limit.

    Parameters
    ----------
    index : (float, float)
        The smile index of the before and the after photo (dimensionless).
    elevation : (float, float)
        Their mouth-corner elevation, the index's first term (dimensionless; NaN when unknown, e.g. a row
        stored before the column existed: then the index is compared).
    covered : (bool, bool)
        Is no iris visible in the before / the after photo (:func:`eyes_covered`)?

    Returns
    -------
    SmileChange
    """
    labels = tuple(label for label, c in zip(("before", "after"), covered) if c)
    if labels and all(np.isfinite(v) for v in elevation):
        return SmileChange(SMILE_ELEVATION, float(elevation[0]), float(elevation[1]), labels)
    return SmileChange("smile index", float(index[0]), float(index[1]), labels)


def smile_elevation(x: PhotoAnalysis) -> float:
    """The photo's mouth-corner elevation (:func:`facemetrics.quality.smile_terms`' first term,
    dimensionless): its quality's, else read from its landmarks; NaN without either."""
    q = x.quality
    if q is not None and np.isfinite(q.smile_elevation):
        return float(q.smile_elevation)
    if x.points is None or x.frame is None or x.calibration is None:
        return float("nan")
    return smile_terms(x.points, x.frame, x.calibration.ipd_px)[0]


def lip_shape_changes(a: PhotoAnalysis, b: PhotoAnalysis) -> list[str]:
    """The expression cues read from the lips' own shape (landmarks), each as a message part: the
    smile index or the mouth opening changed beyond :data:`MAX_SMILE_CHANGE` /
    :data:`MAX_MOUTH_OPENING_CHANGE`.  A skin lift does not change them (0 of 240 pairs of real faces
    with a bench lift of up to 3 mm, ``bench/bench_coverage.py``; talking video frames: 19 of 66),
    so with any of them the expression differs and every row but the pose rows carries ``uncertain``
    (:func:`lower_face_uncertain`): the mouth corners move (their height, and the jaw width read at
    their height), an opening mouth lowers the chin (jawline height, lower-face area, jaw angle, jowl
    sag), a smile raises the cheeks and lengthens the nasolabial fold.

    When no iris is visible in either photo (:func:`eyes_covered`: dark glasses, closed eyes), the smile
    index's second term (mouth width / pupil distance, :func:`facemetrics.quality.smile_terms`) reads
    pupils Face Mesh guessed: dark lenses painted on London 003's neutral photo moved it by +0.11 and the
    index from 0.05 to 0.17 ("expression differs" for the same face).  The check then compares the first
    term alone, the mouth corners' elevation over the inner lips (moved 0.01 there), against the same
    limit, and says so (docs/compare.md "Eyes not visible")."""
    qa, qb = a.quality, b.quality
    if qa is None or qb is None:
        return []
    out = []
    smile = smile_change((qa.smile_index, qb.smile_index), (smile_elevation(a), smile_elevation(b)),
                         (eyes_covered(a), eyes_covered(b)))
    if smile.beyond:
        out.append(smile.message)
    if abs(qb.mouth_opening_ratio - qa.mouth_opening_ratio) > MAX_MOUTH_OPENING_CHANGE:
        # the change with its 95 % uncertainty, and that the ratio has no unit (stop 62, h7)
        out.append(f"mouth opening changed by {fixed(qb.mouth_opening_ratio - qa.mouth_opening_ratio, 2, True)} ± "
                   f"{fixed_uncertainty(MOUTH_OPENING_REPEAT_FLOOR, 2)} (the inner-lip gap over the mouth width, no "
                   f"unit: from {fixed(qa.mouth_opening_ratio, 2)} to {fixed(qb.mouth_opening_ratio, 2)}, limit "
                   f"±{fixed(MAX_MOUTH_OPENING_CHANGE, 2)})")
    return out


def _flow_expression_cues(c: dict, face_cut: bool = False) -> list[str]:
    """The expression cues of :func:`gate` read from the pose-corrected flow (the pair's cues ``c``), each
    as a message part: the mouth corners moved wider or narrower beyond :data:`MAX_MOUTH_WIDENING_MM`, or a
    corner moved against the jowl below it beyond :data:`MAX_MOUTH_CORNER_RISE_MM` (mm), each with its noise
    floor (:data:`MOUTH_WIDENING_FLOOR_MM`, :data:`MOUTH_CORNER_RISE_FLOOR_MM`).

    With ``face_cut`` (a photo of the pair has a jaw-line landmark outside the picture,
    :func:`facemetrics.quality.cut_landmarks`) neither cue is read: the jowl's flow, and near a deep cut the mouth
    corners', lie where the picture has no pixels (a face cut from the bottom against itself uncut, the expression
    identical: one cue or the other beyond its limit on most pairs; docs/validation.md §29, stop 66, k9); the
    gate's cut message says so."""
    out = []
    if face_cut:
        return out
    if abs(c["mouth_widening_mm"]) > MAX_MOUTH_WIDENING_MM:
        word = "wider" if c["mouth_widening_mm"] > 0 else "narrower"
        out.append(f"mouth corners moved {fixed(abs(c['mouth_widening_mm']), 1)} mm {word} "
                   f"(noise floor {fixed(MOUTH_WIDENING_FLOOR_MM, 2)} mm; limit {fixed(MAX_MOUTH_WIDENING_MM, 1)} mm)")
    if c["mouth_corner_rise_mm"] > MAX_MOUTH_CORNER_RISE_MM:
        out.append(f"a mouth corner moved {fixed(c['mouth_corner_rise_mm'], 1)} mm relative to the jowl below it "
                   f"(noise floor {fixed(MOUTH_CORNER_RISE_FLOOR_MM, 2)} mm; "
                   f"limit {fixed(MAX_MOUTH_CORNER_RISE_MM, 1)} mm)")
    return out


def _expression_messages(expr: list[str], lips_changed: bool) -> list[str]:
    """The expression message of :func:`gate` from its parts ``expr`` (:func:`lip_shape_changes`, then
    :func:`_flow_expression_cues`): :data:`MSG_EXPRESSION` when ``lips_changed`` (a part is the lips' own
    shape), else :data:`MSG_EXPRESSION_MAYBE`; none without a part."""
    # the remedy after "; ", not ": " (as the pose and camera messages): a refused pair's page drops the
    # clause on verdicts, and a clause it introduces with ": " with it (app.refused_others)
    if expr and lips_changed:
        return [f"{MSG_EXPRESSION}: " + "; ".join(expr)
                + ". Lifts, folds and the jaw, mouth and cheek metrics then reflect the expression, not the "
                  "skin, so they are shown without a verdict ('uncertain'; the head-pose angle rows keep "
                  "theirs, the camera-distance row reads 'uncertain' too); "
                  "take both photos with the same relaxed, closed-mouth expression"]
    if expr:
        # the verdicts are kept (a lift pulling the corners up and out sets off these cues: 'Oblique lifts'); the
        # fold clause says what a smile does to the fold rows (the real London smiles of this kind: docs/compare.md
        # 'Fold rows when only the flow cues fire'); a refused pair's page drops both clauses (app.refused_others)
        return [f"{MSG_EXPRESSION_MAYBE}: " + "; ".join(expr)
                + ", while the lips kept their shape. A change of expression (a gentle smile) and a lift "
                  "that pulls the mouth corners up and out both do this, so the lifts, folds and mouth "
                  "metrics may reflect either" + _KEEP_VERDICTS
                + "; take both photos with the same relaxed, closed-mouth expression"]
    return []


def said_verdicts(messages, changes) -> list[str]:
    """``messages`` with :data:`MSG_EXPRESSION_MAYBE`'s tail true to the comparison's rows ``changes`` (its
    :class:`~facemetrics.compare.table.Change` rows, verdicts final): "they keep their verdicts" while no row of
    :data:`~facemetrics.compare.table.LOWER_FACE_KINDS` with a verdict (a value) reads 'uncertain'; when every one does (e.g. the upper
    faces match only roughly, whose message says so beside it: an audit, stop 55, docs/validation.md §12 Round 6)
    that they are shown without a verdict for another message's reason; when some do, that the others keep theirs
    (with the fold clause :data:`MSG_SMILE_FOLDS` while a fold row keeps its verdict).  Other messages unchanged."""
    kind = {m.metric: m.kind for m in METRICS}
    rows = [c for c in changes if kind.get(c.metric) in LOWER_FACE_KINDS and c.verdict not in ("", "refused")]
    kept = [c for c in rows if c.verdict != UNCERTAIN]
    if not rows or len(kept) == len(rows):
        return list(messages)
    if not kept:
        tail = _ALL_UNCERTAIN
    else:
        folds = any(kind[c.metric] == "fold" for c in kept)
        tail = _SOME_UNCERTAIN + (": " + MSG_SMILE_FOLDS if folds else "")
    return [m.replace(_KEEP_VERDICTS, tail, 1) if m.startswith(MSG_EXPRESSION_MAYBE) else m for m in messages]
