"""End to end on a simulated study: images -> batch (analyze + compare) -> analyze_series.

Design of the issue: microcurrent 2 mm peak with a 3 h half-life (10 time
points from -0.5 h to 48 h), RF 1.5 mm lasting (8 time points from -0.5 h to
14 days); 3 subjects made from the sample photo (same face, independent
pose/light jitter), photos downscaled to 640 px for speed.
"""

from __future__ import annotations

import pandas as pd
import pytest

from facemetrics.batch import run_batch, run_timeline
from facemetrics.series import FADES, PERSISTS
from facemetrics.study import DEFAULT_DESIGN, study


@pytest.fixture(scope="module")
def timeline(tmp_path_factory, sample_path):
    root = tmp_path_factory.mktemp("study")
    info = study(sample_path, root / "photos", subjects=3, max_side=640, seed=0)
    res = run_batch(info.folder, root / "out", manifest=info.manifest, workers=2, progress=False)
    result, table = run_timeline(root / "out", n_boot=200, seed=0)
    return info, res, result, table, root / "out"


def test_design_meets_spec():
    mc, rf = DEFAULT_DESIGN["microcurrent"], DEFAULT_DESIGN["rf"]
    assert len(mc["times_h"]) >= 8 and min(mc["times_h"]) == -0.5 and max(mc["times_h"]) == 48
    assert len(rf["times_h"]) >= 8 and min(rf["times_h"]) == -0.5 and max(rf["times_h"]) == 14 * 24
    assert (mc["peak_mm"], mc["half_life_h"], mc["lasting_mm"]) == (2.0, 3.0, 0.0)
    assert (rf["peak_mm"], rf["lasting_mm"]) == (1.5, 1.5)


def test_manifest_has_truth(timeline):
    info = timeline[0]
    t = info.table
    assert {"photo", "subject", "treatment", "taken_at", "treated_at", "true_lift_mm"} <= set(t.columns)
    assert len(t) == 3 * (10 + 8)
    assert (t.loc[t.hours_since_treatment < 0, "true_lift_mm"] == 0).all()
    assert t.loc[(t.treatment == "rf") & (t.hours_since_treatment > 0), "true_lift_mm"].eq(1.5).all()


def test_every_photo_measured_and_compared(timeline):
    _, res, _, _, out = timeline
    assert (res.photos["status"] == "ok").all()
    assert len(res.changes) == 3 * (9 + 7)
    assert set(res.changes["status"]) <= {"ok", "warning"}
    long = pd.read_csv(out / "long.csv")
    assert {"subject", "treatment", "hours_since_treatment", "metric", "side", "value", "unit"} <= set(long.columns)
    assert "jawline_lift_mm" in set(long["metric"])


def test_microcurrent_fades_within_a_day(timeline):
    result = timeline[2]
    fit = result.get("microcurrent", "jawline_lift_mm", "mean")
    assert fit.verdict == FADES, fit.reason
    assert fit.half_life_h_ci_low <= 3.0 <= fit.half_life_h_ci_high, (fit.half_life_h_ci_low, fit.half_life_h_ci_high)


def test_rf_persists_beyond_a_day(timeline):
    result = timeline[2]
    fit = result.get("rf", "jawline_lift_mm", "mean")
    assert fit.verdict == PERSISTS, fit.reason


def test_outputs_written(timeline):
    out = timeline[4]
    table = pd.read_csv(out / "timeline.csv")
    assert {"treatment", "metric", "verdict", "half_life_h", "change_24h"} <= set(table.columns)
    assert (out / "timeline.png").stat().st_size > 10_000
    report = (out / "report.md").read_text()
    assert "fades_within_a_day" in report and "persists_beyond_a_day" in report
    assert "Photos excluded" in report
