"""The default noise floors grow with the pair's pixel size (``compare.resolution_floors``):
unchanged at the resolutions they were measured at, larger for a coarse photo, and a
nuisance-only pair at coarse resolution reads ``within_noise``."""

from __future__ import annotations

import dataclasses

import cv2
import numpy as np
import pytest

from conftest import png_bytes
from facemetrics import analyze_photo, compare_photos
from facemetrics import compare as cp
from facemetrics import simulate as sim
from facemetrics.analyze import analyze_loaded

DENSE = [(f"{r}_lift_mm", k) for r in cp.REGIONS for k in ("side", "mean")]


def _coarse(analysis, factor: float):
    """The analysed photo downscaled by ``factor`` (INTER_AREA), re-analysed from a PNG."""
    small = cv2.resize(analysis.photo.rgb, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA)
    a = analyze_photo(png_bytes(small))
    assert a.ok, a.error
    return a


def _variant(analysis, rgb):
    return analyze_loaded(dataclasses.replace(analysis.photo, rgb=rgb))


@pytest.fixture(scope="module")
def coarse_sample(sample_analysis):
    """The sample at 0.3 x its size: about 0.61 mm/px (the sample is 0.18)."""
    return _coarse(sample_analysis, 0.3)


def test_resolution_floors_are_monotone_and_never_below_the_defaults():
    d = cp.DEFAULT_NOISE_FLOORS
    prev = cp.resolution_floors(d, 0.05)
    assert prev == d  # fine pixels: the defaults
    for m in np.linspace(0.1, 1.2, 23):
        cur = cp.resolution_floors(d, float(m))
        assert set(cur) == set(d)
        for key in d:
            assert cur[key] >= d[key] and cur[key] >= prev[key] - 1e-15, (key, m)
        prev = cur
    # every floor with a term grows without bound with the pixel; the pose rows have none
    far = cp.resolution_floors(d, 5.0)
    for key in cp.RESOLUTION_FLOOR_SLOPES:
        assert far[key] > d[key], key
    for metric in cp.POSE_METRICS:
        assert far[(metric, "mean")] == d[(metric, "mean")]
    # the model, by hand: dense-flow lifts as m**2, the rest as m
    a = cp.RESOLUTION_FLOOR_SLOPES
    assert far[("jawline_lift_mm", "mean")] == pytest.approx(a[("jawline_lift_mm", "mean")] * 25.0)
    assert far[("nlf_depth", "side")] == pytest.approx(a[("nlf_depth", "side")] * 5.0)
    # no scale, no change; given floors pass through; the term never lowers a floor
    for bad in (float("nan"), 0.0, -1.0):
        assert cp.resolution_floors(d, bad) == d
    assert cp.resolution_floors({("jawline_lift_mm", "mean"): 9.0}, 0.9) == {("jawline_lift_mm", "mean"): 9.0}


def test_the_term_stays_below_the_defaults_where_they_were_measured():
    """The defaults came from photos at 0.18-0.32 mm/px: up to 0.25 mm/px no floor moves."""
    for m in (0.1, 0.18, 0.25):
        assert cp.resolution_floors(cp.DEFAULT_NOISE_FLOORS, m) == cp.DEFAULT_NOISE_FLOORS, m


def test_resolution_crossing_is_where_the_floor_starts_to_move():
    """``resolution_crossing`` is the pixel size from which ``resolution_floors`` raises each row."""
    d = cp.DEFAULT_NOISE_FLOORS
    for key in cp.RESOLUTION_FLOOR_SLOPES:
        m = cp.resolution_crossing(key)
        assert cp.resolution_floors(d, 0.99 * m)[key] == d[key], key
        assert cp.resolution_floors(d, 1.01 * m)[key] > d[key], key
    assert cp.resolution_crossing(("head_yaw_change_deg", "mean")) == float("inf")


def test_the_crossings_the_resolution_floors_docstring_states():
    """``resolution_floors``' docstring names the rows whose term passes the default first, in order, and
    says every other row waits until 0.33 mm/px: the London portraits (0.27-0.32 mm/px, where the defaults
    were measured too) already take the fold length's term, the sample (0.18-0.19) none."""
    cross = {key: cp.resolution_crossing(key) for key in cp.RESOLUTION_FLOOR_SLOPES}
    first = sorted(cross, key=cross.get)[:7]
    assert first == [("nlf_length_mm", "side"), ("cheek_lift_mm", "mean"), ("jowl_lift_mm", "mean"),
                     ("jaw_width_flow_mm", "mean"), ("cheek_lift_mm", "side"), ("jowl_lift_mm", "side"),
                     ("mouth_corner_lift_mm", "mean")]
    assert [round(cross[k], 2) for k in first] == [0.26, 0.27, 0.28, 0.28, 0.29, 0.31, 0.32]
    assert min(v for k, v in cross.items() if k not in first) >= 0.325
    assert round(max(cross.values()), 2) == 1.03
    doc = " ".join(cp.resolution_floors.__doc__.split())
    assert "0.26 mm/px for the earliest, ``nlf_length_mm``" in doc and "(0.27, 0.28)" in doc
    assert "``jaw_width_flow_mm`` (0.28" in doc and "(0.29, 0.31)" in doc and "(0.32)" in doc and "from 0.33 mm/px (up to 1.03)" in doc
    assert cp.resolution_floors(cp.DEFAULT_NOISE_FLOORS, 0.265)[("nlf_length_mm", "side")] > 5.0  # London 107


def test_pair_mm_per_px_is_the_coarser_analysed_scale(sample_analysis, coarse_sample):
    fine, coarse = sample_analysis.calibration.mm_per_px, coarse_sample.calibration.mm_per_px
    assert 0.55 < coarse < 0.7 and fine < 0.2
    assert cp.pair_mm_per_px(sample_analysis, coarse_sample) == coarse
    assert cp.pair_mm_per_px(coarse_sample, sample_analysis) == coarse
    assert np.isnan(cp.pair_mm_per_px(sample_analysis, object()))


def test_full_resolution_floors_are_unchanged(sample_analysis):
    """At the sample's 0.18 mm/px the comparison's floors are those of the bare defaults
    (passed as the caller's floors, which are never widened for resolution)."""
    a = sample_analysis
    b = _variant(a, sim.noise(a, 4.0, seed=1).image)
    c = compare_photos(a, b)
    ref = compare_photos(a, b, noise_floors=cp.DEFAULT_NOISE_FLOORS)
    assert c.noise_floors == ref.noise_floors
    assert [r.verdict for r in c.changes] == [r.verdict for r in ref.changes]


def test_a_downscaled_pair_gets_larger_floors(sample_analysis, coarse_sample):
    a = sample_analysis
    fine = compare_photos(a, _variant(a, sim.jpeg(a, 70).image))
    s = coarse_sample
    coarse = compare_photos(s, _variant(s, sim.jpeg(s, 70).image))
    for key in DENSE + [("nlf_depth", "side"), ("nlf_contrast_pct", "side"), ("nlf_length_mm", "side")]:
        assert coarse.noise_floors[key] > fine.noise_floors[key], key
    for key in DENSE:  # at least the resolution term (the pose correction may add to it)
        assert coarse.noise_floors[key] >= cp.resolution_floors(cp.DEFAULT_NOISE_FLOORS, 0.55)[key]
    # a coarse after photo alone is enough: the coarser of the two counts
    mixed = compare_photos(a, coarse_sample)
    for key in DENSE:
        assert mixed.noise_floors[key] >= cp.resolution_floors(cp.DEFAULT_NOISE_FLOORS, 0.55)[key], key


def test_an_unchanged_coarse_pair_reads_within_noise(coarse_sample, monkeypatch):
    """Sensor noise on the 0.61 mm/px sample: the full-resolution floors called 0.08-0.18 mm
    lifts (the comparison itself warns that sub-millimetre changes cannot be resolved); the
    floors at that pixel size call every lift row within noise.  The floors apart from the same-picture
    rule: a noisy copy of one picture reads every row 'uncertain' (compare, 2026-12-05), so it is set aside."""
    monkeypatch.setattr(cp, "_same_picture_rows", lambda: ())
    s = coarse_sample
    b = _variant(s, sim.noise(s, 4.0, seed=1).image)
    new = compare_photos(s, b)
    old = compare_photos(s, b, noise_floors=cp.DEFAULT_NOISE_FLOORS)
    assert any("resolution too low" in m for m in new.messages), new.messages
    lift_rows = [r for r in old.changes if r.metric.endswith("_lift_mm")]
    assert any(r.verdict in ("lift", "sag") for r in lift_rows), [(r.metric, r.side, r.change) for r in lift_rows]
    for r in new.changes:
        if r.metric.endswith("_lift_mm") or r.metric.startswith("nlf_"):
            assert r.verdict == "within_noise", r


def test_repeat_floors_are_measured_not_widened(coarse_sample):
    """Floors from repeat photos are the repeats' own noise (at the photos' resolution); only
    their lower bound, half the default, is the default at the pair's pixel size."""
    m = 0.8
    widened = cp.resolution_floors(cp.DEFAULT_NOISE_FLOORS, m)
    key = ("jawline_lift_mm", "mean")
    measured = cp.noise_floors_from_repeats([{key: 0.3}, {key: -0.3}], widened)
    assert measured[key] == pytest.approx(4.302653 * 0.3, rel=1e-5)  # not max(widened, ...)
    quiet = cp.noise_floors_from_repeats([{key: 0.0}] * 3, widened)
    assert quiet[key] == pytest.approx(cp.MIN_FLOOR_FRACTION * widened[key])
    # in a comparison: every floor at least half the widened default
    s = coarse_sample
    c = compare_photos(s, _variant(s, sim.blur(s, 1.0).image), before_repeats=[_variant(s, sim.jpeg(s, 80).image)])
    assert c.noise_source == "repeats (1 pair)"
    lo = cp.resolution_floors(cp.DEFAULT_NOISE_FLOORS, cp.pair_mm_per_px(s, s))
    for k in DENSE:
        assert c.noise_floors[k] >= cp.MIN_FLOOR_FRACTION * lo[k] - 1e-12, k
