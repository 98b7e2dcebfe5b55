"""Every figure a user sees carries a unit and an uncertainty: the CLI's compare summary, the timeline's
verdicts and report.md, the regimen plot's legend, and the data dictionary of photos.csv (the app's pages:
tests/test_app.py).  The figures are read by :mod:`figures` (decimal numbers; counts are not figures)."""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd
import pytest

from figures import bare_figures, figures_without_uncertainty, overprecise, values_without_uncertainty
from facemetrics import schema
from facemetrics.compare import DEFAULT_NOISE_FLOORS, compare_photos
from facemetrics.decay import analyze_regimen, analyze_series
from facemetrics.decay.model import decay_model
from facemetrics.plots import plot_regimen, slope_label
from facemetrics.report import summary_lines, timeline_markdown, verdict_lines


def test_the_reader_finds_what_it_should():
    """The checks below can fail: the reader flags a bare figure, a change without its uncertainty and
    more digits than the uncertainty supports."""
    assert bare_figures("depth index 16.3 → 15.9, change -0.32 (noise floor 0.84)") == ["16.3", "15.9", "-0.32",
                                                                                       "0.84"]
    assert bare_figures("the change is −0.11 mm (90% CI −0.28 to 0.01 mm), half-life 3.4 h (95 % CI 2.4-5.2 h)") == []
    assert figures_without_uncertainty("Jawline lifted 1.59 mm.") == ["Jawline lifted 1.59 mm."]
    assert figures_without_uncertainty("Jawline lifted 1.59 mm (noise floor 0.10 mm).") == []
    assert overprecise("1.3749 mm ± 0.4") == ["1.3749 mm ± 0.4"] and overprecise("-0.01 ± 0.04 deg") == []
    assert values_without_uncertainty("depth 16.3 → 15.9 index, change -0.32 index (noise floor 0.84 index)") == [
        "16.3 → 15.9"]
    assert values_without_uncertainty("contrast 41.9 ± 2.1 % → 41.3 %") == ["41.9 ± 2.1 % → 41.3"]
    assert values_without_uncertainty("depth 16.25 ± 0.59 index → 15.93 ± 0.59 index, contrast 41.9 ± 2.1 % → "
                                      "41.3 ± 2.1 %") == []


def test_compare_summary_every_figure_with_unit_and_uncertainty(sample_path):
    """``facemetrics compare``'s lines (``report.summary_lines``) on the bundled pair: no bare figure (the fold
    depth's before, after, change and floor were bare numbers), every change with its floor or ±, each
    photo's own fold value (depth and contrast, before → after) with its ± (they had the unit only), no
    value with more decimals than its ±."""
    after = sample_path.parent / "astronaut_after.jpg"
    c = compare_photos(sample_path, after)
    assert c.status != "refused", c.messages
    lines = [x for x in summary_lines(c) if not x.startswith("  ! ")]  # the gate's messages: words, tested apart
    figures = [x for x in lines if any(ch.isdigit() for ch in x) and not x.startswith("    (")]
    assert len(figures) >= 7, lines  # 4 lifts, the pose, 2 folds
    for x in figures:
        assert not bare_figures(x), (x, bare_figures(x))
        assert not figures_without_uncertainty(x), x
        assert not overprecise(x), (x, overprecise(x))
        assert not values_without_uncertainty(x), (x, values_without_uncertainty(x))
    folds = [x for x in lines if x.startswith("  nasolabial fold")]
    assert len(folds) == 2 and all(x.count(" ± ") == 4 for x in folds), folds
    # the ± is each photo's share of the change's floor: floor / sqrt(2) (compare.per_photo_uncertainty)
    d = c.get("nlf_depth", "right")
    assert f"{d.before:.2f} ± {d.noise_floor / math.sqrt(2):.2f} index → " in folds[0], (folds[0], d)


def _study() -> pd.DataFrame:
    """Tidy changes of 4 simulated subjects: microcurrent 2 mm fading (3 h), RF 1.5 mm lasting, a fold."""
    rng = np.random.default_rng(7)
    rows = []
    for tr, times, lasting, transient in (("microcurrent", (-0.5, 0.25, 1, 2, 4, 8, 12, 24, 48), 0.0, 2.0),
                                          ("rf", (-0.5, 1, 6, 24, 48, 72, 168, 336), 1.5, 0.0)):
        for s in range(4):
            for t in times:
                for metric, unit, scale in (("jawline_lift_mm", "mm", 1.0), ("nlf_depth", "index", -0.5)):
                    rows.append(dict(subject=f"S{s + 1}", treatment=tr, hours_since_treatment=float(t), metric=metric,
                                     side="mean", unit=unit,
                                     value=float(scale * decay_model(t, lasting, transient, 3.0) + rng.normal(0, 0.1))))
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def timeline_table() -> pd.DataFrame:
    return analyze_series(_study(), n_boot=100, seed=1).to_frame()


def test_verdicts_and_report_every_figure_with_unit_and_uncertainty(timeline_table):
    """The verdict lines (``timeline``, ``demo``, ``study report``) and report.md's verdicts and figures:
    every decimal figure has its unit (a CI's first end shares its second end's), every sentence with a
    change has its CI or margin; each figures-table cell of a change or half-life has its [CI]."""
    lines = verdict_lines(timeline_table)
    assert len(lines) == 4, lines
    for x in lines:
        assert not bare_figures(x), (x, bare_figures(x))
        assert not figures_without_uncertainty(x), (x, figures_without_uncertainty(x))
    md = timeline_markdown(timeline_table, None)
    table = [x for x in md.splitlines() if x.startswith("| ") and not x.startswith("| treatment")]
    assert len(table) == len(timeline_table)
    for row in table:
        cells = row.strip("|").split(" | ")
        for cell in cells[5:10]:  # peak, half-life, 24 h, transient, lasting
            assert cell.startswith("not resolved") or (cell.count("[") == 1 and cell.endswith("]")), (cell, row)


def test_half_life_in_report_carries_its_unit_and_ci(timeline_table):
    """report.md's half-life column says h in its header and gives the CI beside each resolved one."""
    md = timeline_markdown(timeline_table, None)
    assert "half-life h [95% CI]" in md
    mc = timeline_table[(timeline_table["treatment"] == "microcurrent") & timeline_table["subject"].isna()
                        & (timeline_table["metric"] == "jawline_lift_mm")].iloc[0]
    assert f"{mc['half_life_h']:.1f} [{mc['half_life_h_ci_low']:.1f}, {mc['half_life_h_ci_high']:.1f}]" in md


def test_report_md_writes_every_ci_level_as_the_verdicts_do(timeline_table):
    """report.md's header, figures table, footnote, Regimen section and follow-on note write "95% CI" / "90% CI",
    the form of every verdict's reason and of TOO_WIDE (``decay.wording.percent``); they wrote "95 % CIs" / "90 % CI"
    beside a reason's "90% CI" (note50, stop 50's f3)."""
    days = np.arange(0.0, 28.0, 2.0)
    levels = pd.DataFrame(dict(subject="a", treatment="microcurrent", days_since_start=days, metric="jawline_lift_mm",
                               side="mean", value=0.02 * days + np.random.default_rng(0).normal(0, 0.05, len(days)),
                               unit="mm", photo=[f"p{i}.jpg" for i in range(len(days))]))
    table = pd.concat([timeline_table.assign(kind="decay"), analyze_regimen(levels, n_boot=50).astype(object)],
                      ignore_index=True)
    md = timeline_markdown(table, None, follow_on=["`S1/mc/b2.jpg` (S1, microcurrent)"])
    assert "intervals are bootstrap 95% CIs" in md and "The 24 h claim uses the 90% CI" in md
    assert "| peak change [95% CI] |" in md and "| slope per week [95% CI] |" in md
    assert "Block-bootstrap 95% CIs" in md and "at its 90% CI" in md
    assert not re.search(r"\d % CI", md), re.findall(r".{30}\d % CI.{10}", md)


def test_regimen_legend_gives_the_slope_with_unit_and_ci():
    """The regimen plot's line is labelled with its slope, unit and CI (it was the slope alone)."""
    days = np.arange(0.0, 28.0, 2.0)
    levels = pd.DataFrame(dict(subject="a", treatment="rf", days_since_start=days, metric="jawline_lift_mm",
                               side="mean", value=0.02 * days + np.random.default_rng(0).normal(0, 0.05, len(days)),
                               unit="mm", photo=[f"p{i}.jpg" for i in range(len(days))]))
    reg = analyze_regimen(levels, n_boot=50)
    r = reg.iloc[0]
    label = slope_label(r)
    assert "mm / week" in label and "95% CI" in label and not bare_figures(label), label
    assert math.isfinite(r["slope_per_week_ci_low"])
    fig = plot_regimen(levels, reg)
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert label in legend and f"margin ±{r['smallest_meaningful_change']:.2f} mm" in legend, legend
    no_ci = slope_label(r.drop(["slope_per_week_ci_low", "slope_per_week_ci_high"]))
    assert no_ci.endswith("(no CI)"), no_ci


def test_regimen_reason_gives_each_figure_its_ci():
    """The regimen row's reason (``timeline``'s lines, report.md, the app's My study): the change and the
    slope per week each with its CI (the slope had none); without a bootstrap "no CI", never "nan"."""
    days = np.arange(0.0, 28.0, 2.0)
    levels = pd.DataFrame(dict(subject="a", treatment="rf", days_since_start=days, metric="jawline_lift_mm",
                               side="mean", value=0.02 * days + np.random.default_rng(0).normal(0, 0.05, len(days)),
                               unit="mm", photo=[f"p{i}.jpg" for i in range(len(days))]))
    r = analyze_regimen(levels, n_boot=100).iloc[0]
    assert r["reason"].count("95% CI") == 2, r["reason"]
    assert "mm per week (95% CI " in r["reason"], r["reason"]
    assert not bare_figures(r["reason"]) and not figures_without_uncertainty(r["reason"]), r["reason"]
    none = analyze_regimen(levels, n_boot=0).iloc[0]["reason"]
    assert "nan" not in none and none.count("(no CI)") == 2, none


def test_report_regimen_section_gives_peak_half_life_and_slope_their_cis(timeline_table):
    """report.md's Regimen table: the session's peak and half-life with their CIs beside the slope (they
    stood alone), the slope in mm/week."""
    days = np.arange(0.0, 28.0, 2.0)
    levels = pd.DataFrame(dict(subject="a", treatment="microcurrent", days_since_start=days, metric="jawline_lift_mm",
                               side="mean", value=0.02 * days + np.random.default_rng(0).normal(0, 0.05, len(days)),
                               unit="mm", photo=[f"p{i}.jpg" for i in range(len(days))]))
    reg = analyze_regimen(levels, n_boot=100).assign(kind="regimen")
    full = pd.concat([timeline_table.assign(kind="decay"), reg], ignore_index=True)
    md = timeline_markdown(full, None)
    row = next(x for x in md.split("## Regimen")[1].splitlines() if x.startswith("| microcurrent"))
    cells = row.strip("|").split(" | ")
    assert "mm/week [" in cells[5], cells
    for cell in cells[5:9]:  # slope, change to day N, session peak, half-life
        assert cell.count("[") == 1 and cell.endswith("]") and "n/a" not in cell, (cell, row)


MEASURED = (*schema.POSE, *schema.JAW, *schema.JAW_RATIOS, *schema.NLF, *schema.NLF_RATIOS)


def test_every_measured_photo_column_names_its_uncertainty():
    """docs/metrics.md: each measured column of photos.csv says its uncertainty (the mm scale's, a change's
    noise floor, or both), and each floor it names is one compare uses."""
    for c in MEASURED:
        assert schema.photo_uncertainty(c), c.name
        if c.unit in ("mm", "mm2"):
            assert "mm_per_px_uncertainty_pct" in schema.photo_uncertainty(c), c.name
    for name, key in schema.PHOTO_FLOOR_KEYS.items():
        assert name in schema.PHOTO_COLUMNS, name
        assert key in DEFAULT_NOISE_FLOORS, (name, key)
    assert all(schema.photo_uncertainty(c) == "" for c in schema.PROVENANCE + schema.STATUS)
    # a fold's own value (as compare's summary and the app show it): +/- its change's floor / sqrt(2); a length's
    # (the app's tables, stop 55): that and 1.96 x the scale's, in quadrature
    for c in schema.NLF:
        assert ("that floor / sqrt(2), each" in schema.photo_uncertainty(c)) == c.name.startswith(("nlf_depth",
                                                                                                    "nlf_contrast")), c
    for c in (*schema.JAW, *schema.NLF):
        text = schema.photo_uncertainty(c)
        if c.unit in ("mm", "mm2") and c.name in schema.PHOTO_FLOOR_KEYS:
            assert "per_photo_scaled_uncertainty" in text and "1.96" in text, c.name
