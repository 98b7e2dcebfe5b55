"""bench/light_height.py's height shift, measured in stop 59 and not adopted (docs/robustness.md "A light moved up or
down"): the cheek discs against the chin discs below the lower lip, the chin's skin pixels only.  A global tone change does not move it, a light moved up raises it and one moved down lowers it (the generic
surface of simulate.relit, not derived from Face Mesh), mirroring both photos keeps it, a fringe of hair over the
forehead does not reach it, and chin discs covered by hair or the lip are left out."""

from __future__ import annotations

import dataclasses

import cv2
import numpy as np
import pytest

import sys
from pathlib import Path

from facemetrics import simulate as sim
from facemetrics.analyze import analyze_loaded
from facemetrics.compare.light import LIGHT_LOWER_PAIRS, LIGHT_PAIRS, LIGHT_UPPER_PAIRS, _disc_levels

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
from light_height import CHIN as LIGHT_CHIN, chin_levels as _chin_levels, height_shift  # noqa: E402


def light_shift(a, b):
    """(NaN, the height shift): the tests below read the second figure, as the package's light_shift gave it."""
    return float("nan"), height_shift(a, b)


def _variant(a, rgb):
    out = analyze_loaded(dataclasses.replace(a.photo, rgb=np.ascontiguousarray(rgb)))
    assert out.ok, out.error
    return out


def _generic(a, elevation_deg: float):
    return _variant(a, sim.relit(a, 0.0, elevation_deg, surface="generic").image)


@pytest.mark.parametrize("make", [lambda a: sim.gamma(a, 0.8), lambda a: sim.gamma(a, 1.25),
                                  lambda a: sim.brightness(a, 0.85), lambda a: sim.brightness(a, 1.15),
                                  lambda a: sim.white_balance(a)],
                         ids=["gamma0.8", "gamma1.25", "bright0.85", "bright1.15", "white_balance"])
def test_a_global_tone_change_leaves_the_height_shift_near_zero(sample_analysis, make):
    _, height = light_shift(sample_analysis, _variant(sample_analysis, make(sample_analysis).image))
    assert np.isfinite(height) and abs(height) < 1.5


def test_the_height_shift_rises_with_the_light_on_the_generic_surface(sample_analysis):
    """The light moved from 15 deg above the camera axis to 30 and 45 deg (up) and to -5 deg (down), on the generic
    head: the chin, facing down, darkens against the cheeks as the light rises."""
    h = {el: light_shift(sample_analysis, _generic(sample_analysis, el))[1] for el in (-5.0, 30.0, 45.0)}
    assert h[-5.0] < -3.0 < 3.0 < h[30.0] < h[45.0]


def test_mirroring_both_photos_keeps_the_height_shift(sample_analysis):
    a, b = sample_analysis, _generic(sample_analysis, 45.0)
    am, bm = _variant(a, a.photo.rgb[:, ::-1]), _variant(a, b.photo.rgb[:, ::-1])
    h, hm = light_shift(a, b)[1], light_shift(am, bm)[1]
    assert h > 3.0 and hm == pytest.approx(h, rel=0.15)


def test_a_fringe_over_the_forehead_does_not_reach_the_height_shift(sample_analysis):
    """A fringe of dark hair painted over the forehead (down to the brows) in the after photo only: the forehead
    discs read it (the height shift before stop 59 read them), the height shift does not move."""
    a = sample_analysis
    rgb = a.photo.rgb.copy()
    p = np.asarray(a.points)[:, :2]
    brow_y = int(p[[105, 66, 107, 336, 296, 334], 1].min())
    x0, x1 = int(p[:468, 0].min()), int(p[:468, 0].max())
    rgb[:brow_y, x0:x1 + 1] = (45, 32, 25)
    strands = (np.arange(rgb.shape[1]) % 9 < 3)[None, x0:x1 + 1]
    rgb[:brow_y, x0:x1 + 1][np.broadcast_to(strands, (brow_y, x1 + 1 - x0))] = (70, 52, 40)
    b = _variant(a, rgb)
    forehead = np.log(_disc_levels(b.photo.rgb, b.points, b.frame.mm_per_px)[:LIGHT_UPPER_PAIRS]) - np.log(
        _disc_levels(a.photo.rgb, a.points, a.frame.mm_per_px)[:LIGHT_UPPER_PAIRS])
    assert np.nanmedian(forehead) < np.log(0.6)  # the forehead discs went dark
    assert abs(light_shift(a, b)[1]) < 1.5


def _synthetic_face(chin_colours: dict[int, tuple[int, int, int]]):
    """A skin-coloured picture with the cheek discs of LIGHT_PAIRS and the chin discs of LIGHT_CHIN on a grid, the
    chin discs named in ``chin_colours`` painted that colour; 0.5 mm pixels."""
    rgb = np.full((260, 200, 3), (205, 155, 125), np.uint8)
    pts = np.zeros((478, 3))
    for i, (r, l) in enumerate(LIGHT_PAIRS):
        y = 20 + 12 * i
        pts[r, :2], pts[l, :2] = (50, y), (150, y)
    for i, k in enumerate(LIGHT_CHIN):
        pts[k, :2] = (30 + 28 * i, 235)
        if k in chin_colours:
            cv2.circle(rgb, (30 + 28 * i, 235), 12, chin_colours[k], -1)
    return rgb, pts


def test_chin_discs_of_hair_or_lip_are_left_out_and_skin_ones_read():
    hair, lip = (45, 35, 28), (185, 85, 95)
    rgb, pts = _synthetic_face({LIGHT_CHIN[0]: hair, LIGHT_CHIN[3]: lip})
    levels = _chin_levels(rgb, pts, mm_per_px=0.5)
    assert levels.shape == (len(LIGHT_CHIN),)
    assert np.isnan(levels[0]) and np.isnan(levels[3])
    skin_y = float(cv2.cvtColor(np.array([[[205, 155, 125]]], np.uint8), cv2.COLOR_RGB2GRAY)[0, 0])
    others = np.delete(levels, [0, 3])
    assert np.allclose(others, skin_y, atol=2)
    # the same skin in shade (x 0.8 in every channel) is still skin
    rgb2, _ = _synthetic_face({LIGHT_CHIN[1]: (164, 124, 100)})
    assert np.isfinite(_chin_levels(rgb2, pts, mm_per_px=0.5)).all()


def test_the_cheek_pairs_are_the_ones_between_the_forehead_and_the_lower_cheeks():
    cheeks = LIGHT_PAIRS[LIGHT_UPPER_PAIRS:len(LIGHT_PAIRS) - LIGHT_LOWER_PAIRS]
    assert len(cheeks) >= 3 and not set(LIGHT_CHIN) & {k for p in LIGHT_PAIRS for k in p}
