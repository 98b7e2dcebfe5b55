"""The fold rows of a pair whose mouth corners moved as in a smile while the lips kept their shape (the expression
gate's flow cues alone, ``gate.MSG_EXPRESSION_MAYBE``).

Measured (docs/compare.md 'Fold rows when only the flow cues fire: a smile or a lift', 2026-12-05,
``bench/bench_smile_folds.py``): of four rules that would take the fold rows' verdicts in that case (all of them;
those of a side whose crease moved against the skin; those the photos' own readings do not bear out), none flagged
the real smiles' 'deeper' / 'longer' fold rows (London 119 and 140: the photos agree, the crease moved with the
skin) while keeping the simulated lifts' correct fold rows.  So the verdicts stand and the message says what a
smile does to the folds; these tests pin both.
"""

from __future__ import annotations

import importlib
from types import SimpleNamespace

import pytest

from facemetrics import compare as cmp
from facemetrics.compare.table import _rows

gt = importlib.import_module("facemetrics.compare.gate")  # the module (``compare.gate`` is also its function)

#: London 024's flow cues (neutral -> smiling): mouth corners 1.2 mm wider, a corner 2.1 mm against the jowl
SMILE_CUES = {"mouth_widening_mm": 1.21, "mouth_corner_rise_mm": 2.14}


def _pair(cues: dict, residual_mm: float = 0.3):
    return SimpleNamespace(cues={"mouth_widening_mm": 0.0, "mouth_corner_rise_mm": 0.0, **cues},
                           alignment=SimpleNamespace(residual_mm=residual_mm))


def test_the_flow_cues_alone_keep_the_fold_verdicts_and_say_what_a_smile_does(sample_analysis):
    """With the flow cues alone the gate warns 'expression may differ' (not 'expression differs'), its message
    names what a smile does to the fold rows, no rule of the gate takes the fold rows' verdicts, and London 024
    right's fold figures read 'deeper' (kept: see the module's docstring for why)."""
    a = sample_analysis
    status, msgs = gt.gate(a, a, _pair(SMILE_CUES))
    maybe = [m for m in msgs if m.startswith(gt.MSG_EXPRESSION_MAYBE)]
    assert status == "warning" and len(maybe) == 1, msgs
    assert not any(m.startswith(gt.MSG_EXPRESSION + ":") for m in msgs), msgs
    assert gt.MSG_SMILE_FOLDS in maybe[0] and "keep their verdicts" in maybe[0], maybe[0]
    assert maybe[0].endswith("take both photos with the same relaxed, closed-mouth expression"), maybe[0]
    unread = cmp._unread_rows(a, a, _pair(SMILE_CUES), refused=False)
    assert "fold" not in unread and "length" not in unread, unread
    assert not [k for k in unread if isinstance(k, tuple) and k[0].startswith("nlf_")], unread
    values = {("nlf_depth", "right"): (2.56, 5.12, 2.56), ("nlf_contrast_pct", "right"): (-2.15, 4.29, 6.44)}
    floors = {("nlf_depth", "side"): 0.89, ("nlf_contrast_pct", "side"): 3.06}
    rows = {(r.metric, r.side): r.verdict for r in _rows(values, floors, uncertain=unread)}
    assert rows[("nlf_depth", "right")] == "deeper" and rows[("nlf_contrast_pct", "right")] == "deeper", rows


def test_without_the_flow_cues_the_message_has_no_fold_clause(sample_analysis):
    """The fold clause belongs to the flow-only message: a pair with no expression cue has none."""
    _, msgs = gt.gate(sample_analysis, sample_analysis, _pair({}))
    assert not any(gt.MSG_SMILE_FOLDS in m for m in msgs), msgs


@pytest.mark.parametrize("pid", ["london_024_m47_east_asian", "london_140_m42_white"])
def test_real_flow_only_smiles_keep_their_fold_verdicts_under_the_message(london_dir, pid):
    """Real neutral -> smiling pairs the gate reads with the flow cues alone (measured 2026-12-05): the message
    carries the fold clause and the smile's fold rows keep 'deeper' (024 right depth +2.56, 140 left contrast
    +7.21 %): the known limit the message names (docs/compare.md 'Fold rows when only the flow cues fire')."""
    from facemetrics import analyze_photo, compare_photos

    neutral = london_dir / f"{pid}_neutral.jpg"
    if not neutral.is_file():
        pytest.skip(f"{neutral} is absent")
    c = compare_photos(analyze_photo(neutral), analyze_photo(neutral.with_name(f"{pid}_smiling.jpg")))
    maybe = [m for m in c.messages if m.startswith(gt.MSG_EXPRESSION_MAYBE)]
    assert len(maybe) == 1 and gt.MSG_SMILE_FOLDS in maybe[0] and "keep their verdicts" in maybe[0], c.messages
    row = {"london_024_m47_east_asian": ("nlf_depth", "right"), "london_140_m42_white": ("nlf_contrast_pct", "left")}
    assert c.get(*row[pid]).verdict == "deeper", c.get(*row[pid])


def _maybe_message(sample_analysis) -> str:
    _, msgs = gt.gate(sample_analysis, sample_analysis, _pair(SMILE_CUES))
    return next(m for m in msgs if m.startswith(gt.MSG_EXPRESSION_MAYBE))


def test_the_smile_warnings_tail_follows_the_rows_verdicts(sample_analysis):
    """The 'expression may differ' message says the rows keep their verdicts only while they do
    (``expression.said_verdicts``, applied by compare to its final rows): with every lower-face row 'uncertain' for
    another reason (the rough match, an audit of stop 55: the two messages contradicted each other) it says they are
    shown without a verdict and drops the fold clause; with some, that the others keep theirs, with the fold clause
    only while a fold row keeps its verdict.  Other messages are left as they are."""
    from facemetrics.compare.expression import said_verdicts
    from facemetrics.compare.table import LOWER_FACE_KINDS

    maybe, other = _maybe_message(sample_analysis), "lighting differs: ..."
    values = {("jawline_lift_mm", "mean"): (float("nan"), float("nan"), 0.1), ("nlf_depth", "right"): (2.56, 5.12, 2.56),
              ("head_pitch_change_deg", "mean"): (0.0, 1.0, 1.0)}
    floors = {("jawline_lift_mm", "mean"): 0.5, ("nlf_depth", "side"): 0.89}

    def said(uncertain):
        return said_verdicts([maybe, other], _rows(values, floors, uncertain=uncertain))

    assert said(()) == [maybe, other]
    assert said(("pitch",)) == [maybe, other]  # a pose row is not one the message names
    every = said(LOWER_FACE_KINDS)
    assert every[1] == other and "keep their verdicts" not in every[0] and gt.MSG_SMILE_FOLDS not in every[0], every
    assert "shown without a verdict ('uncertain') for the reason another message gives" in every[0], every[0]
    assert every[0].endswith("; take both photos with the same relaxed, closed-mouth expression"), every[0]
    folds_unread = said(("fold",))[0]  # a grey photo against a colour one: the fold rows alone
    assert "those not shown 'uncertain' for another reason keep their verdicts" in folds_unread, folds_unread
    assert gt.MSG_SMILE_FOLDS not in folds_unread, folds_unread
    jaw_unread = said(("lift",))[0]
    assert "those not shown 'uncertain'" in jaw_unread and gt.MSG_SMILE_FOLDS in jaw_unread, jaw_unread


def test_beside_the_rough_match_the_smile_warning_does_not_say_the_rows_keep_their_verdicts(london_dir):
    """London 003 neutral -> smiling (stop 55's audit, docs/validation.md §12 Round 6): the upper faces match only
    roughly (1.36 mm RMS), so every lower-face row reads 'uncertain', and the 'expression may differ' message beside
    that warning said the rows "keep their verdicts".  It now says they are shown without a verdict."""
    from facemetrics import analyze_photo, compare_photos
    from facemetrics.compare.table import LOWER_FACE_KINDS, METRICS

    neutral = london_dir / "london_003_f38_white_neutral.jpg"
    if not neutral.is_file():
        pytest.skip(f"{neutral} is absent")
    c = compare_photos(analyze_photo(neutral), analyze_photo(neutral.with_name("london_003_f38_white_smiling.jpg")))
    kind = {m.metric: m.kind for m in METRICS}
    assert {r.verdict for r in c.changes if kind[r.metric] in LOWER_FACE_KINDS} == {"uncertain"}
    assert any(m.startswith(gt.MSG_MISMATCH) for m in c.messages), c.messages
    maybe = [m for m in c.messages if m.startswith(gt.MSG_EXPRESSION_MAYBE)]
    assert len(maybe) == 1 and "keep their verdicts" not in maybe[0] and "'uncertain'" in maybe[0], maybe
