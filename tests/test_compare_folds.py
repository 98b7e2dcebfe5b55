"""Fold rows of a comparison: what the after photo's fold is scored against."""

import functools

from facemetrics import analyze_photo, compare_photos
from facemetrics.simulate import head_pose, lift
from facemetrics.study import _base_analysis


@functools.lru_cache(maxsize=1)
def _demo_s02_rf_pair(sample_path):
    """The sample face re-rendered as the demo drew subject S02's RF baseline and 1 h photos."""
    base = _base_analysis(sample_path, 800, sample_path.name)
    before = head_pose(base, 2.317, -2.324, 0.0, camera_mm=450.0, camera_to_mm=443.7).image
    after = head_pose(base, -4.144, -2.474, 0.0, image=lift(base, 1.5), camera_mm=450.0, camera_to_mm=434.7).image
    return compare_photos(analyze_photo(before), analyze_photo(after))


def test_after_lip_mask_follows_the_after_photos_own_lips(sample_path):
    """The demo's one false fold verdict (2026-12-03 audit): the sample face re-rendered as the demo drew
    subject S02's RF photos (before: pitch +2.3 deg, yaw -2.3, camera 444 mm; after: pitch -4.1, yaw -2.5,
    camera 435 mm, a 1.5 mm lift) read the left fold +2.3 index 'deeper' (floor 1.2), because the skin
    reference's lip mask was the before lips carried by the flow, 0.4 mm off the after photo's open
    mouth, and let the teeth in.  With the after photo's own lips the left fold reads no change (the
    photos' own analyses agree: 5.35 -> 5.27 on the demo's files)."""
    left = _demo_s02_rf_pair(sample_path).get("nlf_depth", "left")
    assert abs(left.change) < 0.8, left
    assert left.verdict == "within_noise"


def test_after_tones_are_matched_over_the_same_skin(sample_path):
    """The same pair's right fold, the sample's deepest (index 16.6 -> 16.4 by the photos' own analyses),
    read -1.35 'shallower' (floor 1.21): the tone matching's histograms were taken over the before photo's
    skin mask on the after image as it lay, which under the 6.5 deg pitch change holds other skin (up
    to 3.5 mm away at the lips); matched over the after image warped by the flow (the same skin), it
    reads no change."""
    c = _demo_s02_rf_pair(sample_path)
    for side in ("right", "left"):
        row = c.get("nlf_depth", side)
        assert abs(row.change) < 0.7 and row.verdict == "within_noise", row
