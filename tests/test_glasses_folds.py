"""Fold rows under aviators (docs/robustness.md 'Folds under aviators'): with dark glasses over both photos whose
lower part, lens edge and frame shadow reach the fold's search band, that side's fold rows read ``uncertain``
(compare.glasses_fold_rows); a pair without glasses reads exactly what it read before the rule."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

from glasses import Glasses, wear  # noqa: E402

import facemetrics.compare as fcompare  # noqa: E402
from facemetrics import analyze_photo, compare_photos  # noqa: E402
from facemetrics import simulate as sim  # noqa: E402
from facemetrics.compare import (  # noqa: E402
    GLASSES_FOLD_COVER, MSG_EYES_COVERED, MSG_GLASSES_FOLD, UNCERTAIN, eyes_covered, glasses_fold_cover, glasses_fold_rows,
)

FOLD_ROWS = ("nlf_depth", "nlf_contrast_pct", "nlf_length_mm")
# opaque enough that the iris check reads no iris on the bundled sample (as tests/test_glasses_frames.py)
DARK = dict(rim_mm=2.0, transmission=0.02)


def _nuisance(rgb):
    """The bench's no-change after photo: rolled 1 deg, scaled 0.97, 5 % brighter (bench_glasses_rows.nuisances)."""
    return sim.brightness(sim.rescale(sim.roll(rgb, 1.0).image, 0.97).image, 1.05).image


@pytest.fixture(scope="module")
def after_plain(sample_analysis):
    b = analyze_photo(_nuisance(sample_analysis.photo.rgb), name="after.png")
    assert b.ok
    return b


def _wearing(x, g):
    return wear(x.photo.rgb, x.points, x.calibration.mm_per_px, g)


def test_aviators_over_both_photos_leave_the_covered_folds_without_a_verdict(sample_analysis, after_plain):
    """Aviators over both photos of a no-change pair (re-seated 2 mm lower in the after photo): their lower part
    covers the top of both fold bands, so the fold rows read ``uncertain`` (never a false 'deeper' / 'shallower'),
    with a message naming the glasses; the jaw and the other rows are not taken by this rule."""
    a = sample_analysis
    av = Glasses("aviator", 0.5, gradient=True, **DARK)
    x = analyze_photo(_wearing(a, av), name="before-aviator.png")
    y = analyze_photo(_wearing(after_plain, av.reseated(0.5, 2.0, 1.0)), name="after-aviator.png")
    assert eyes_covered(x) and eyes_covered(y)
    covers = [glasses_fold_cover(z) for z in (x, y)]
    assert all(max(c[s] for c in covers) >= GLASSES_FOLD_COVER for s in ("right", "left"))
    rows = glasses_fold_rows(x, y)
    assert set(rows) == {(m, s) for m in FOLD_ROWS for s in ("right", "left")}
    c = compare_photos(x, y)
    folds = [r for r in c.changes if r.metric in FOLD_ROWS]
    assert folds and all(r.verdict == UNCERTAIN for r in folds)
    assert any(m.startswith(MSG_GLASSES_FOLD) and "right and left fold rows" in m for m in c.messages)
    # the no-iris message does not say the folds keep their verdicts above the rows that have none (h11, 2026-12-05)
    (said,) = [m for m in c.messages if m.startswith(MSG_EYES_COVERED)]
    assert "the folds and the roll keep theirs" not in said and "both folds are scored along one line" not in said
    assert "the dense-flow lifts, the flow-read jaw width and the roll keep theirs" in said and "right and left fold rows do not" in said, said
    # only the fold rows are this rule's: the dense-flow jaw lift keeps a verdict
    assert any(r.metric == "jawline_lift_mm" and r.verdict != UNCERTAIN for r in c.changes)


def test_small_round_lenses_leave_the_folds_read(sample_analysis):
    """Small round lenses stay clear of the fold bands: nothing is taken."""
    s = analyze_photo(_wearing(sample_analysis, Glasses("round", 0.36, **DARK)), name="round.png")
    assert eyes_covered(s)
    assert max(glasses_fold_cover(s).values()) < GLASSES_FOLD_COVER
    assert glasses_fold_rows(s, s) == ()


def test_a_pair_without_glasses_reads_the_same_with_and_without_the_rule(sample_analysis, after_plain, monkeypatch):
    """An iris visible in both photos: no glasses are looked for, every row of the comparison (verdict and change)
    is what it was before the rule, and no glasses message is given."""
    a, b = sample_analysis, after_plain
    assert not eyes_covered(a) and not eyes_covered(b)
    assert glasses_fold_cover(a) == {"right": 0.0, "left": 0.0} and glasses_fold_rows(a, b) == ()
    with_rule = compare_photos(a, b)
    monkeypatch.setattr(fcompare, "glasses_fold_rows", lambda x, y: ())
    without = compare_photos(a, b)
    assert [(r.metric, r.side, r.verdict, r.change) for r in with_rule.changes] == \
        [(r.metric, r.side, r.verdict, r.change) for r in without.changes]
    assert not any(m.startswith(MSG_GLASSES_FOLD) for m in with_rule.messages)
