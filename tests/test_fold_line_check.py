"""The fold depth's line stability check (``compare.gate.fold_line_disagreements``; docs/robustness.md, 'A fold
depth verdict that depended on the framing').

The mechanism on a synthetic band (no shared faces): with no valley, a found line that kinks lays its medial skin
reference along offset curves that fold over, and an edge moving there (a moustache's upper edge lifted 1.5 mm, as
the audit's warp lifts the upper lip) reads as a depth change beyond the floor, while the reference line
(``folds.reference_line_px``) reads it within half the floor; the check then leaves that row without a verdict.
It keeps rows both lines read alike (a deepened fold on the bundled sample), and on the real face the audit found
(canada_115m, ``../shared/faces``; skipped when absent) the as-is pair's 'deeper' right fold is now 'uncertain' with
a message, while its padded copy reads within noise as before.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
from scipy import ndimage

from facemetrics import analyze_photo, compare_photos, folds
from facemetrics import simulate as sim
from facemetrics.compare import DEFAULT_NOISE_FLOORS, FOLD_LINE_AGREEMENT, fold_line_disagreements
from test_compare import variant
from test_folds import MM, H, W, _frame, _points, _skin

FLOOR = DEFAULT_NOISE_FLOORS[("nlf_depth", "side")]


def _moustache(edge_v_mm: float) -> np.ndarray:
    """Flat skin (no valley) darkened by 40 % medial of u = -15 mm and below ``edge_v_mm`` (its upper edge,
    blurred 0.5 mm): the right fold's medial skin reference (9-14 mm medial of a line near u = -20 mm) sees
    the edge.  Float (H, W)."""
    f = _frame()
    yy, xx = np.mgrid[0:H, 0:W]
    uv = f.to_mm(np.stack([xx.ravel(), yy.ravel()], 1).astype(float)).reshape(H, W, 2)
    m = ndimage.gaussian_filter(((uv[..., 0] > -15.0) & (uv[..., 1] > edge_v_mm)).astype(float), 0.5 / MM)
    return _skin() * (1.0 - 0.4 * m)


def test_an_edge_under_a_kinked_lines_skin_reference_reads_as_depth_without_a_valley():
    f, pts = _frame(), _points()
    ref = folds.reference_line_px(pts, f, "right")
    uv = f.to_mm(ref)
    s = np.linspace(0.0, 1.0, len(uv))
    kinked = uv.copy()
    kinked[:, 0] += 3.0 * np.exp(-0.5 * ((s - 0.35) / 0.06) ** 2)  # a 3 mm medial S-kink in the upper part
    kinked = f.to_px(kinked)
    before, after = _moustache(43.0), _moustache(41.5)  # the edge lifted 1.5 mm; the lines stay
    depth = {name: [folds.score_fold_line(im, pts, f, "right", line)[0] for im in (before, after)]
             for name, line in (("kinked", kinked), ("reference", ref))}
    assert max(depth["kinked"]) < 0  # no valley: every strip reads below the skin level
    found = depth["kinked"][1] - depth["kinked"][0]
    along_ref = depth["reference"][1] - depth["reference"][0]
    assert abs(found) > 2 * FLOOR  # the edge read as a fold change beyond the floor ...
    assert abs(along_ref) < 0.5 * FLOOR  # ... which the reference line does not see
    # the check leaves that row without a verdict
    values = {("nlf_depth", "right"): (depth["kinked"][0], depth["kinked"][1], found),
              ("nlf_depth", "left"): (0.0, 0.1, 0.1)}
    rows, msgs = fold_line_disagreements(values, {"right": along_ref, "left": 0.1}, {("nlf_depth", "side"): FLOOR})
    assert rows == (("nlf_depth", "right"),) and len(msgs) == 1 and "right" in msgs[0]


def test_the_reference_line_is_the_one_the_photos_depth_index_is_scored_along():
    f, pts = _frame(), _points()
    img = _moustache(43.0)
    for side in ("right", "left"):
        ref = folds.reference_line_px(pts, f, side)
        assert folds.score_fold_line(img, pts, f, side, ref, depth_only=True)[0] == pytest.approx(
            folds.fold_metrics(img, pts, f, side).depth_index, abs=1e-9)
        assert folds.score_fold_line(img, pts, f, side, ref, depth_only=True)[0] == \
            folds.score_fold_line(img, pts, f, side, ref)[0]


@pytest.mark.parametrize("change, along_ref, flagged", [
    (1.25, 0.09, True),  # canada_115m as is: the found line alone
    (1.25, -0.6, True),  # the other sign
    (-1.3, -0.9, False),  # both shallower
    (1.25, FOLD_LINE_AGREEMENT * FLOOR + 0.01, False),  # the reference line's change at the agreement
    (1.25, FOLD_LINE_AGREEMENT * FLOOR - 0.01, True),
    (0.5, -0.5, False),  # within noise: no verdict to check
    (float("nan"), 0.1, False),
])
def test_the_check_flags_only_a_directional_verdict_the_reference_line_does_not_share(change, along_ref, flagged):
    values = {("nlf_depth", "right"): (0.0, change, change), ("nlf_depth", "left"): (0.0, 0.0, 0.0)}
    floors = {("nlf_depth", "side"): FLOOR}
    rows, msgs = fold_line_disagreements(values, {"right": along_ref, "left": 0.0}, floors)
    assert (rows == (("nlf_depth", "right"),)) is flagged and bool(msgs) is flagged
    # a row already uncertain is left alone
    assert fold_line_disagreements(values, {"right": along_ref, "left": 0.0}, floors,
                                   skip=(("nlf_depth", "right"),)) == ((), [])


def test_a_deepened_fold_keeps_its_verdict_and_both_lines_read_it(sample_analysis):
    c = compare_photos(sample_analysis, variant(sample_analysis, sim.deepen_fold(sample_analysis, 0.1, "right").image))
    assert c.get("nlf_depth", "right").verdict == "deeper", c.get("nlf_depth", "right")
    along = c.cues["fold_depth_along_reference"]
    assert along["right"] > FOLD_LINE_AGREEMENT * c.get("nlf_depth", "right").noise_floor
    assert not any("two fold lines disagree" in m for m in c.messages)


def test_canada_115m_warped_fold_depth_is_uncertain_as_is_and_within_noise_padded(canada_dir):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
    from audit_metamorphic import padded, png, read_rgb, tps_lift

    rgb = read_rgb(canada_dir / "canada_115m.jpg")
    a = analyze_photo(png(rgb))
    warped, _ = tps_lift(rgb, a)
    c = compare_photos(a, analyze_photo(png(warped)))
    row = c.get("nlf_depth", "right")
    assert row.change > row.noise_floor  # the found line still reads +1.25 ...
    assert row.verdict == "uncertain" and c.status != "ok"  # ... but no longer as a silent 'deeper'
    assert any("two fold lines disagree" in m for m in c.messages)
    cp = compare_photos(analyze_photo(png(padded(rgb))), analyze_photo(png(padded(warped))))
    assert cp.get("nlf_depth", "right").verdict == "within_noise"
