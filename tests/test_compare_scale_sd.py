"""``comparison.csv``'s ``change_scale_sd``: the mm scale's share of a change's uncertainty (1 SD), the
before photo's ``mm_per_px_uncertainty_pct`` times |change| (x 2 for mm2), empty for rows without a mm
scale and for a scale given without an uncertainty; it never enters the verdict (docs/compare.md, 'Which
mm scale a change is read in')."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from conftest import SAMPLES
from facemetrics import compare_photos
from facemetrics import simulate as sim
from facemetrics.analyze import analyze_loaded
from facemetrics.compare.table import Change, Comparison, _rows, change_scale_sd
from facemetrics.report import summary_lines
from facemetrics.schema import COMPARISON_CSV_COLUMNS, COMPARISON_CSV_COLUMNS_DEF

NO_SCALE_UNITS = ("index", "deg", "pct")


def with_scale_pct(analysis, pct: float):
    """``analysis`` with its calibration's ``uncertainty_pct`` set to ``pct`` (its mm_per_px kept)."""
    return dataclasses.replace(analysis, calibration=dataclasses.replace(analysis.calibration, uncertainty_pct=pct))


def test_change_scale_sd_arithmetic():
    """|change| x pct / 100 for mm, x 2 pct / 100 for mm2; NaN for the units without a mm scale, an
    unknown change and an unknown pct."""
    assert change_scale_sd(2.0, "mm", 4.5) == pytest.approx(0.09)
    assert change_scale_sd(-1.5, "mm", 4.0) == pytest.approx(0.06)
    assert change_scale_sd(-100.0, "mm2", 4.0) == pytest.approx(8.0)
    assert change_scale_sd(0.0, "mm", 4.5) == 0.0
    for unit in NO_SCALE_UNITS:
        assert math.isnan(change_scale_sd(3.0, unit, 4.5)), unit
    assert math.isnan(change_scale_sd(float("nan"), "mm", 4.5))
    assert math.isnan(change_scale_sd(2.0, "mm", float("nan")))
    assert math.isnan(change_scale_sd(2.0, "mm", None))


def test_change_scale_sd_on_a_constructed_comparison(sample_analysis):
    """The column on a Comparison built by hand: exact values from the before photo's pct, in row order,
    after ``verdict`` in comparison.csv; every row empty when the pct is unknown or the pair refused."""
    rows = (Change("jawline_lift_mm", "mean", "mm", float("nan"), float("nan"), 2.0, 0.1, "lift"),
            Change("jaw_width_mm", "mean", "mm", 120.0, 119.0, -1.0, 3.1, "within_noise"),
            Change("lower_face_area_mm2", "mean", "mm2", 5000.0, 4900.0, -100.0, 380.0, "within_noise"),
            Change("nlf_depth", "right", "index", 16.0, 15.0, -1.0, 0.84, "shallower"),
            Change("jaw_angle_deg", "right", "deg", 120.0, 121.0, 1.0, 2.7, "within_noise"),
            Change("nlf_contrast_pct", "left", "pct", 40.0, 45.0, 5.0, 3.0, "deeper"))
    c = Comparison(with_scale_pct(sample_analysis, 4.0), sample_analysis, "ok", (), changes=rows)
    assert c.scale_uncertainty_pct == 4.0
    sds = c.change_scale_sds()
    assert sds[:3] == pytest.approx((0.08, 0.04, 8.0))
    assert all(math.isnan(x) for x in sds[3:])
    f = c.to_csv_frame()
    assert list(f.columns) == COMPARISON_CSV_COLUMNS
    assert list(f.columns).index("change_scale_sd") == list(f.columns).index("verdict") + 1
    assert f.change_scale_sd.tolist()[:3] == pytest.approx([0.08, 0.04, 8.0])
    assert list(f.verdict) == [r.verdict for r in rows]  # the column leaves the verdicts as they were
    # a scale the user gave (no uncertainty stated): every row empty
    given = Comparison(with_scale_pct(sample_analysis, float("nan")), sample_analysis, "ok", (), changes=rows)
    assert all(math.isnan(x) for x in given.change_scale_sds())
    refused = Comparison(sample_analysis, sample_analysis, "refused", ("no face",),
                         changes=_rows({}, {}, refused=True))
    assert refused.to_csv_frame().change_scale_sd.isna().all()


def test_change_scale_sd_is_documented_as_1_sd_outside_the_verdict():
    doc = {col.name: col.definition for col in COMPARISON_CSV_COLUMNS_DEF}["change_scale_sd"]
    assert "1 SD" in doc and "does not enter the verdict" in doc and "mm_per_px_uncertainty_pct" in doc


def test_change_scale_sd_on_the_sample_pair():
    """The bundled pair: the column is there, >= 0, empty for the index / deg / pct rows, |change| x the
    before photo's pct / 100 on every mm row (so it scales with |change|), and the CLI's lift lines show it."""
    c = compare_photos(SAMPLES / "astronaut_before.jpg", SAMPLES / "astronaut_after.jpg")
    assert c.status != "refused", c.messages
    pct = c.scale_uncertainty_pct
    assert pct == c.before.calibration.uncertainty_pct and 1.0 < pct < 10.0
    f = c.to_csv_frame()
    assert "change_scale_sd" in f.columns
    mm = f.unit.isin(["mm", "mm2"]) & f.change.notna()
    assert mm.sum() >= 30 and (f.change_scale_sd[mm] >= 0).all()
    assert f.change_scale_sd[f.unit.isin(NO_SCALE_UNITS)].isna().all()
    power = np.where(f.unit[mm] == "mm2", 2.0, 1.0)
    np.testing.assert_allclose(f.change_scale_sd[mm], f.change[mm].abs() * power * pct / 100.0, rtol=1e-12)
    jaw = f[(f.metric == "jawline_lift_mm") & (f.side == "mean")].iloc[0]
    assert jaw.verdict == "lift" and 0.03 < jaw.change_scale_sd < jaw.change  # ~1.6 mm x 4.5 %
    lines = summary_lines(c)
    line = next(x for x in lines if x.startswith("  jawline lift:"))
    assert f"; scale ± {jaw.change_scale_sd:.2f} mm)" in line, line
    assert sum("scale ±: " in x and "does not enter the verdict" in x for x in lines) == 1, lines


def test_the_scale_part_never_changes_a_verdict(sample_analysis):
    """A synthetic 2 mm lift compared with the before photo's scale stated at 4.5 %, 40 % and not at all:
    every verdict, change and floor is the same; only ``change_scale_sd`` moves (in proportion to the
    pct), and a within-noise row stays within noise however large the scale's uncertainty."""
    after = analyze_loaded(dataclasses.replace(sample_analysis.photo,
                                               rgb=sim.lift(sample_analysis, 2.0).image))
    frames = {str(pct): compare_photos(with_scale_pct(sample_analysis, pct), after).to_csv_frame()
              for pct in (4.5, 40.0, float("nan"))}
    base = frames["4.5"]
    assert (base.verdict == "lift").sum() >= 6 and (base.verdict == "within_noise").sum() >= 6
    for pct, f in frames.items():
        assert list(f.verdict) == list(base.verdict), pct
        np.testing.assert_array_equal(f.change, base.change)
        np.testing.assert_array_equal(f.noise_floor, base.noise_floor)
    mm = base.change_scale_sd.notna()
    np.testing.assert_allclose(frames["40.0"].change_scale_sd[mm], base.change_scale_sd[mm] * 40.0 / 4.5, rtol=1e-12)
    assert frames["nan"].change_scale_sd.isna().all()
    lines = summary_lines(compare_photos(with_scale_pct(sample_analysis, float("nan")), after))
    assert not any("scale ±" in x for x in lines), lines  # nothing to show without a stated uncertainty
