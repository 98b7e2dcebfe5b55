"""bench/bench_length_floor.py's own parts: the lengthening it paints (placed from hand-placed template
points only, where its docstring says) and how it re-reads a row at another default floor."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

from bench_length_floor import (KEY, MOUTH, PUPILS, SMILE, beyond, floor_at,  # noqa: E402
                                lengthen_towards_mouth)
from facemetrics.compare import DEFAULT_NOISE_FLOORS, RESOLUTION_FLOOR_SLOPES, resolution_floors  # noqa: E402


def _template() -> np.ndarray:
    """A 189-point template with pupils 315 px apart (0.2 mm/px at 63 mm) and two vertical smile lines
    whose bottom points sit 20 px above and 50 px lateral of the mouth corners."""
    t = np.zeros((189, 2))
    t[PUPILS[0]], t[PUPILS[1]] = (242.5, 100.0), (557.5, 100.0)
    for (top, centre, bottom), x in zip(SMILE, (300.0, 500.0)):
        t[top], t[centre], t[bottom] = (x, 250.0), (x, 300.0), (x, 350.0)
    t[MOUTH[0]], t[MOUTH[1]] = (350.0, 370.0), (450.0, 370.0)
    return t


def test_the_stroke_starts_at_the_smile_line_end_and_bends_towards_the_mouth_corner():
    rgb = np.full((600, 800, 3), 200, np.uint8)
    out = lengthen_towards_mouth(rgb, _template(), 8.0, 0.10)
    dark = (rgb.astype(int) - out.astype(int)).max(axis=2)
    ys, xs = np.nonzero(dark)
    assert dark.max() == 20  # 10 % of 200 at the centre
    # nothing more than 1 mm back along the stroke and 2 mm across it (15 px) above the hand-placed bottom
    # point, and it reaches lower than 8 mm below it only by the bend towards the mouth
    assert 350 - 15 <= ys.min() < 350 - 5
    assert 350 + 0.8 * 8 / 0.2 < ys.max() <= 350 + (8 + 1 + 2) / 0.2
    for x0, sign in ((300.0, 1), (500.0, -1)):
        side = np.abs(xs - x0) < 60
        # the bisector of straight down and towards the mouth corner: it moves medially as it goes down
        deep = side & (ys > 370)
        assert np.all(sign * (xs[deep] - x0) > 0)
        reach = np.hypot(xs[side] - x0, ys[side] - 350.0).max() * 0.2
        assert 8.0 < reach < 8.0 + 1.0 + 2.0 + 0.5


def test_a_row_is_re_read_at_another_default_as_the_comparison_would():
    row = dict(change=-3.4, verdict="within_noise", pair_mm_per_px=0.17, floor=5.0)
    assert floor_at(row, DEFAULT_NOISE_FLOORS[KEY]) == resolution_floors(DEFAULT_NOISE_FLOORS, 0.17)[KEY]
    assert floor_at(row, 2.2) == RESOLUTION_FLOOR_SLOPES[KEY] * 0.17  # the term, above 2.2 at 0.17 mm/px
    assert beyond(row, 2.2) and not beyond(row, 5.0)
    assert not beyond(dict(row, verdict="uncertain"), 2.2)
