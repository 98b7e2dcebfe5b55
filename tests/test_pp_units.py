"""A change of a percentage (the fold contrast, ``nlf_contrast_pct``) is in percentage points, "pp", wherever a
change, its floor, its CI or margin, or a slope of it is printed; a level (a photo's value) stays "%".  The CLI's
``compare`` said "pp", the app's tables, report.md, the verdicts' reasons and the figures' axes "%" or "pct"
(Round 21, docs/validation.md §12; stop 60, g7).  The CSVs keep their numbers, codes and column names."""

from __future__ import annotations

import numpy as np
import pandas as pd


def test_change_unit_words_a_percentage_change_in_pp_and_a_relative_change_in_percent():
    from facemetrics.decay.wording import change_unit, quantity

    assert change_unit("pct", "nlf_contrast_pct") == "pp"
    assert change_unit("pct") == "pp"
    assert change_unit("pct", "camera_distance_change_pct") == "%"  # itself a relative change
    assert change_unit("mm2", "lower_face_area_mm2") == "mm²" and change_unit("mm") == "mm"
    assert change_unit("index") == "index" and change_unit("") == ""
    assert quantity(-0.6, "pct", 1) == "-0.6 pp" and quantity(1.5, "mm") == "1.50 mm"


def _contrast_series() -> pd.DataFrame:
    times = np.array([0.5, 1, 2, 4, 8, 24, 48])
    return pd.DataFrame(dict(subject="S01", treatment="rf", hours_since_treatment=times,
                             value=-3.0 * np.exp(-times / 6.0) + 0.05 * np.cos(times), metric="nlf_contrast_pct",
                             side="right", unit="pct", verdict="shallower"))


def test_report_md_and_the_reasons_write_a_fold_contrast_change_in_pp(tmp_path):
    from facemetrics.batch import timeline_report
    from facemetrics.decay import analyze_series

    table = analyze_series(_contrast_series(), per_subject=False, n_boot=0).to_frame()
    assert set(table["unit"]) == {"pct"}  # timeline.csv keeps the code
    reason = str(table["reason"].iloc[0])
    assert " pp" in reason and " %" not in reason, reason
    md = timeline_report(table, tmp_path)
    rows = [ln for ln in md.splitlines() if ln.startswith("| rf | nlf_contrast_pct |")]
    assert rows and all(" pp" in ln and " pct" not in ln and " %" not in ln for ln in rows), rows


def test_the_timeline_figure_labels_a_fold_contrast_change_in_pp():
    import matplotlib
    matplotlib.use("Agg")
    from facemetrics.decay import analyze_series
    from facemetrics.plots import plot_timeline

    long = _contrast_series()
    fig = plot_timeline(long, analyze_series(long, per_subject=False, n_boot=0))
    labels = [ax.get_ylabel() for ax in fig.axes if ax.get_ylabel()]
    assert labels and all("[pp]" in lab for lab in labels), labels
    legend = [t.get_text() for ax in fig.axes for lg in [ax.get_legend()] if lg for t in lg.get_texts()]
    assert any(" pp" in t for t in legend) and not any(" pct" in t for t in legend), legend


def test_the_timeline_tabs_24h_change_of_a_fold_contrast_is_in_pp():
    import pytest

    pytest.importorskip("streamlit")
    from conftest import app_module
    from facemetrics.decay import analyze_series

    app = app_module()
    table = analyze_series(_contrast_series(), per_subject=False, n_boot=200, seed=0).to_frame()
    cells = [app.claim_ci_text(r) for r in table.itertuples()]
    assert cells and all(c.split(" (")[0].endswith(" pp") for c in cells), cells
    assert all(c.split(" (")[0].endswith(" pp") for c in app.timeline_compact(table)["change at 24 h"]), cells


def test_the_no_margin_reason_words_a_percentage_change_in_pp_not_its_code():
    """A fold contrast series without a noise floor has no margin; its reason read "No smallest meaningful change is
    known for pct" (the unit's column code, stop 60's note) where its other figures say "pp".  Fails on the old
    wording."""
    from facemetrics.decay import analyze_series

    f = analyze_series(_contrast_series(), per_subject=False, n_boot=100, seed=0).fits[0]
    assert f.status == "no_margin", (f.status, f.reason)
    assert f.reason.startswith("No smallest meaningful change is known for a change in pp (percentage points) and "
                               "the changes carry no noise floor"), f.reason
    assert " pct" not in f.reason and " pp." in f.reason, f.reason  # the fitted change at 24 h in pp too
    other = analyze_series(_contrast_series().assign(unit="ratio", metric="a_ratio"), per_subject=False, n_boot=100,
                           seed=0).fits[0]
    assert "known for a change in ratio and" in other.reason, other.reason
    bare = analyze_series(_contrast_series().assign(unit="", metric="a_score"), per_subject=False, n_boot=100,
                          seed=0).fits[0]
    assert "known for a metric without a unit and" in bare.reason, bare.reason
