"""The dense flow's read of the smallest lifts (docs/accuracy.md "Small lifts: read against truth").

The lift rows read the registration's DIS flow (``align.dense_flow`` on ``align._flow_image``, 0.5 mm per flow
px).  Its read of a uniform sub-pixel shift is not proportional to the shift: a few hundredths of a mm read
near 0 on a noise-free image (Round 20's 2 h photos: 0.030 mm read 0.011 mm), a few tenths of a mm read right.
These tests pin that property on the bundled sample photo's grid image (noise-free, deterministic), so that a
change to the flow that alters it also updates the docs' tables (``bench/small_lifts.py --flow-response``).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

from small_lifts import shifted_read  # noqa: E402


@pytest.fixture(scope="module")
def jaw_grid(sample_analysis):
    from facemetrics.compare import measure as me

    st = me._before_state(sample_analysis)
    band = st.masks[("jawline", "right")] | st.masks[("jawline", "left")]
    return st.prepared.before_grid, band, st.grid.res_mm


def test_a_shift_of_a_few_tenths_of_a_mm_reads_right(jaw_grid):
    g, band, res = jaw_grid
    assert shifted_read(g, band, res, 0.0) == 0.0  # the same image: no flow
    assert shifted_read(g, band, res, 0.5) == pytest.approx(0.5, rel=0.02)


def test_a_shift_of_a_few_hundredths_of_a_mm_reads_short_on_a_noise_free_image(jaw_grid):
    """0.02 and 0.03 mm (0.04-0.06 flow px) read under half their size: the flow's dead zone, not a step of the
    comparison (no pose removal, region mean or floor here).  With the read proportional, this fails."""
    g, band, res = jaw_grid
    for mm in (0.02, 0.03):
        assert 0.0 <= shifted_read(g, band, res, mm) < 0.5 * mm


def test_the_still_field_keeps_the_nose_tip_still_and_the_v60_field_does_not(canada_dir):
    """``--field still`` (stop 61) holds the nose tip and the pose fit's rigid upper face at 0, so the pose fit sees
    no pitch in the bench's lift; the v60 field moved the nose tip by about a third of the jawline's lift
    (docs/accuracy.md "Small lifts", Stop 61).  One tuning face, no comparison."""
    import facemetrics as fm
    from facemetrics.annotations import read_tem
    from facemetrics.geometry import NOSE_TIP_POINTS
    from small_lifts import STILL_TEM_VALUES, TEM_VALUES, field, lifted, truth

    path = sorted(canada_dir.glob("*.jpg"))[0]
    a = fm.analyze_photo(path)
    tem = read_tem(path.with_suffix(".tem"))
    nose = a.points[list(NOSE_TIP_POINTS), :2].round().astype(int)
    share = {}
    for name, values in (("v60", TEM_VALUES), ("still", STILL_TEM_VALUES)):
        w = field(a, tem, values)
        jaw = truth(a, lifted(a, w, 1.0)[1])[("jawline", "mean")][0]
        assert jaw > 0.8  # the jawline keeps nearly the whole lift in both fields
        share[name] = float(w[nose[:, 1], nose[:, 0]].mean()) / jaw
    assert share["still"] < 0.05 < 0.2 < share["v60"]
