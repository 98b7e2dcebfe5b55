"""The sunglasses simulator of bench/glasses.py (docs/robustness.md 'Dark glasses with frames'): lens shapes that
are not the registration's ellipses (``align.lens_mask``), a frame with a bridge over the nose, and a pair re-seated
between two photos; all from the photo's landmarks."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

from glasses import Glasses, geometry, masks, pair_for  # noqa: E402

from facemetrics import align as al  # noqa: E402
from facemetrics.geometry import CHEEK_LEFT, CHEEK_RIGHT, NASION  # noqa: E402

DARK = dict(rim_mm=2.0, transmission=0.02)


def test_the_simulated_glasses_are_not_the_registration_s_ellipses(sample_analysis):
    """An aviator reaches the cheek point under the eye, the frame's bridge crosses the nasal bridge below the
    nasion (the rigid mask's strip), and re-seating moves the frame by the millimetres asked."""
    a = sample_analysis
    mm = a.calibration.mm_per_px
    shape = a.photo.rgb.shape[:2]
    lens, frame = masks(shape, geometry(a.points, mm, Glasses("aviator", 0.5, **DARK)))
    for k in (CHEEK_RIGHT, CHEEK_LEFT):
        x, y = np.round(a.points[k, :2]).astype(int)
        assert lens[y, x] > 0.5 or frame[y, x] > 0.5, k  # the ellipse of 0.45 x 0.35 IPD does not reach it
    ellipse = al.lens_mask(a.points[:, :2], shape)
    assert ((lens > 0.5) & ~ellipse).sum() > 0.1 * (lens > 0.5).sum()
    round_lens, _ = masks(shape, geometry(a.points, mm, Glasses("round", 0.36, **DARK)))
    x, y = np.round(a.points[CHEEK_RIGHT, :2]).astype(int)
    assert round_lens[y, x] == 0
    # the bridge over the nose, between the lenses, near the nasion's height
    x, y = np.round(a.points[NASION, :2]).astype(int)
    assert frame[y - 60:y + 60, x - 3:x + 4].max() > 0.5 and lens[y - 60:y + 60, x].max() == 0
    # re-seated 3 mm down: the frame's centre of mass moves by 3 mm / mm_per_px, within a px
    g = Glasses("wayfarer", 0.45, **DARK)
    _, f0 = masks(shape, geometry(a.points, mm, g))
    _, f1 = masks(shape, geometry(a.points, mm, g.reseated(0.0, 3.0, 0.0)))
    ys = np.arange(shape[0])[:, None]
    dy = (f1 * ys).sum() / f1.sum() - (f0 * ys).sum() / f0.sum()
    assert dy == pytest.approx(3.0 / mm, abs=1.0)


def test_the_bench_pairs_cover_the_styles_and_sizes():
    pairs = [pair_for(i) for i in range(36)]
    assert {g.style for g, _ in pairs} == {"wayfarer", "aviator", "round"}
    assert all(0.35 <= g.size <= 0.55 and 1.0 <= g.rim_mm <= 3.0 for g, _ in pairs)
    assert all(1.5 <= abs(s[1]) <= 3.0 and 1.0 <= abs(s[2]) <= 2.0 for _, s in pairs)
