"""The jaw floors under a side light (compare.light: LIGHT_ROW_FLOORS, light_row_floor_terms, light_adjusted_floors;
docs/robustness.md "The jaw floors under a side light", bench/audit_light_jaw_floor.py): a light from another side
moves Face Mesh's oval at the face's edge, so the jaw width and jaw angle floors widen with the pair's side shift
beyond the light check's limit; a pair whose light did not move keeps its floor."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from facemetrics import compare_photos
from facemetrics import simulate as sim
from facemetrics.analyze import analyze_loaded
from facemetrics.compare import DEFAULT_NOISE_FLOORS
from facemetrics.compare.light import (LIGHT_ROW_FLOORS, MAX_LIGHT_SIDE_SHIFT_PCT, light_adjusted_floors,
                                       light_row_floor_terms, light_shift)

JAW_WIDTH, JAW_ANGLE = ("jaw_width_mm", "mean"), ("jaw_angle_deg", "side")


def test_the_term_grows_beyond_the_limit_only():
    assert set(LIGHT_ROW_FLOORS) == {JAW_WIDTH, JAW_ANGLE}
    assert all(v == 0.0 for v in light_row_floor_terms((MAX_LIGHT_SIDE_SHIFT_PCT, 0.0)).values())
    assert all(v == 0.0 for v in light_row_floor_terms((float("nan"), 5.0)).values())
    far = light_row_floor_terms((-(MAX_LIGHT_SIDE_SHIFT_PCT + 20.0), 0.0))  # either side
    assert far[JAW_WIDTH] == pytest.approx(20.0 * LIGHT_ROW_FLOORS[JAW_WIDTH])
    assert far[JAW_ANGLE] == pytest.approx(20.0 * LIGHT_ROW_FLOORS[JAW_ANGLE])


def test_only_the_oval_rows_widen_and_in_quadrature():
    floors = dict(DEFAULT_NOISE_FLOORS)
    assert light_adjusted_floors(floors, (MAX_LIGHT_SIDE_SHIFT_PCT - 0.1, 0.0)) == floors
    out = light_adjusted_floors(floors, (MAX_LIGHT_SIDE_SHIFT_PCT + 10.0, 0.0))
    assert out[JAW_WIDTH] == pytest.approx(np.hypot(floors[JAW_WIDTH], 10.0 * LIGHT_ROW_FLOORS[JAW_WIDTH]))
    assert out[JAW_ANGLE] == pytest.approx(np.hypot(floors[JAW_ANGLE], 10.0 * LIGHT_ROW_FLOORS[JAW_ANGLE]))
    assert {k: v for k, v in out.items() if k not in LIGHT_ROW_FLOORS} == \
        {k: v for k, v in floors.items() if k not in LIGHT_ROW_FLOORS}
    assert floors == dict(DEFAULT_NOISE_FLOORS)  # not changed in place


def _variant(a, rgb):
    out = analyze_loaded(dataclasses.replace(a.photo, rgb=np.ascontiguousarray(rgb)))
    assert out.ok, out.error
    return out


def test_a_side_lit_copy_widens_the_jaw_floors_and_a_same_light_copy_does_not(sample_analysis):
    """Fails on the code before the term: the side-lit pair's jaw width floor stayed at the same-light floor."""
    lit = _variant(sample_analysis, sim.relit(sample_analysis, 40.0).image)
    same = _variant(sample_analysis, sim.gamma(sample_analysis, 0.8).image)
    side = light_shift(sample_analysis, lit)[0]
    assert abs(side) > MAX_LIGHT_SIDE_SHIFT_PCT + 5.0
    assert abs(light_shift(sample_analysis, same)[0]) < MAX_LIGHT_SIDE_SHIFT_PCT
    c_lit = compare_photos(sample_analysis, lit, check_order=False)
    c_same = compare_photos(sample_analysis, same, check_order=False)
    extra = (abs(side) - MAX_LIGHT_SIDE_SHIFT_PCT) * LIGHT_ROW_FLOORS[JAW_WIDTH]
    width_lit, width_same = c_lit.noise_floors[JAW_WIDTH], c_same.noise_floors[JAW_WIDTH]
    assert width_lit >= extra and width_lit > 1.5 * width_same
    angle = (abs(side) - MAX_LIGHT_SIDE_SHIFT_PCT) * LIGHT_ROW_FLOORS[JAW_ANGLE]
    assert c_lit.noise_floors[JAW_ANGLE] >= angle and c_lit.noise_floors[JAW_ANGLE] > 1.2 * c_same.noise_floors[JAW_ANGLE]
    df = c_lit.to_frame()
    row = df[df["metric"] == "jaw_width_mm"].iloc[0]
    assert row["noise_floor"] == pytest.approx(width_lit)
    # the fold rows are not widened by it (the light check makes them 'uncertain' instead)
    assert c_lit.noise_floors[("nlf_depth", "side")] == pytest.approx(c_same.noise_floors[("nlf_depth", "side")], rel=1e-3)
