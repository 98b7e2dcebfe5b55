"""A covered chin or jaw in one photo of a comparison (facemetrics.compare.occlusion): the rows it
reaches read 'uncertain' with a message naming the area; an uncovered pair and a simulated lift do not."""

from __future__ import annotations

import numpy as np
import pytest

from facemetrics import analyze_photo, compare_photos
from facemetrics import simulate as sim
from facemetrics.compare import MSG_COVERED, UNCERTAIN
from facemetrics.compare.occlusion import JAW_ROWS
from facemetrics.geometry import CHIN

from conftest import SAMPLES


@pytest.fixture(scope="module")
def after_photo():
    a = analyze_photo(SAMPLES / "astronaut_after.jpg")
    assert a.ok, a.error
    return a


def _block_over_chin(x, above_mm: float = 5.0, colour=(60, 40, 90)):
    """``x``'s picture with a flat block from ``above_mm`` above its chin tip to the bottom, analysed."""
    rgb = x.photo.rgb.copy()
    top = int(round(x.points[CHIN, 1] - above_mm / x.mm_per_px))
    rgb[top:] = colour
    out = analyze_photo(rgb, name="covered.png")
    assert out.ok, out.error
    return out


def _covered_messages(c):
    return [m for m in c.messages if m.startswith(MSG_COVERED)]


def _verdicts(c) -> dict:
    return {(r.metric, r.side): r.verdict for r in c.changes}


def test_a_block_over_the_chin_makes_the_jaw_rows_uncertain_with_a_message(sample_analysis, after_photo):
    c = compare_photos(sample_analysis, _block_over_chin(after_photo))
    msgs = _covered_messages(c)
    assert len(msgs) == 1 and "near the chin" in msgs[0] and "the jaw rows are not read" in msgs[0], c.messages
    v = _verdicts(c)
    assert all(v[k] == UNCERTAIN for k in JAW_ROWS), {k: v[k] for k in JAW_ROWS}
    # rows away from the block keep a verdict read against their floor (the cheeks, above the nose base)
    assert v[("cheek_lift_mm", "mean")] != UNCERTAIN
    assert c.status == "warning"


def test_the_same_pair_uncovered_is_not_flagged(sample_analysis, after_photo):
    c = compare_photos(sample_analysis, after_photo)
    assert _covered_messages(c) == [], c.messages
    v = _verdicts(c)
    assert v[("jawline_lift_mm", "mean")] == "lift"  # the sample's 1.5 mm lift keeps its verdict


def test_a_covered_before_photo_is_flagged_too(sample_analysis, after_photo):
    c = compare_photos(_block_over_chin(sample_analysis, 14.0, (235, 235, 235)), after_photo)
    assert any("near the chin" in m for m in _covered_messages(c)), c.messages
    assert _verdicts(c)[("jawline_height_mm", "mean")] == UNCERTAIN


def test_a_simulated_2mm_lift_is_not_flagged(sample_analysis):
    lifted = analyze_photo(sim.lift(sample_analysis, 2.0).image, name="lifted.png")
    c = compare_photos(sample_analysis, lifted)
    assert _covered_messages(c) == [], c.messages
    assert _verdicts(c)[("jawline_lift_mm", "mean")] == "lift"


def test_a_hand_over_one_jaw_corner_names_that_side(sample_analysis):
    rgb = sample_analysis.photo.rgb.copy()
    g = sample_analysis.points[397, :2]  # the subject's left gonion (image right)
    r = 15.0 / sample_analysis.mm_per_px
    yy, xx = np.mgrid[:rgb.shape[0], :rgb.shape[1]]
    rgb[(xx - g[0] + 0.3 * r) ** 2 + (yy - g[1] - r) ** 2 < r ** 2] = (224, 172, 150)
    c = compare_photos(sample_analysis, analyze_photo(rgb, name="hand.png"))
    msgs = _covered_messages(c)
    assert msgs and "left jaw corner" in msgs[0] and "right" not in msgs[0].split(":")[0], c.messages
