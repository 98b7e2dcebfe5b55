"""facemetrics.validate, step by step on the bundled sample (quick).

The whole ``run_validation(quick=True)`` takes about 3 minutes (three
simulated studies through batch and timeline, 3-D re-rendering), too long for
the suite; ``facemetrics validate --quick`` runs it.  Here its measurement
steps run end to end on the real sample photo, each writing its table and
its summary sentence, with assertions a broken measurement would fail.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from facemetrics import validate


@pytest.fixture(scope="module")
def base():
    return validate._base(640)


def test_fold_depth_change_rises_with_the_simulated_darkening(base, tmp_path):
    summary = {"lines": []}
    folds = validate._check_folds(base, tmp_path, summary)
    written = pd.read_csv(tmp_path / "folds.csv")
    assert list(written["darkening"]) == [0.0, 0.1, 0.2, 0.3, 0.4]
    for side in ("right", "left"):
        col = written[f"nlf_depth_change_{side}"].to_numpy()
        assert abs(col[0]) < 1e-9  # the unchanged photo against itself
        assert np.all(np.diff(col) > 0), col
    assert summary["fold_monotonic"] is True
    assert summary["lines"] == ["fold depth change increases with darkening: True"]
    pd.testing.assert_frame_equal(folds.reset_index(drop=True), written, check_dtype=False)


def test_recovered_lift_follows_the_true_lift(base, tmp_path):
    rng = np.random.default_rng(0)
    ref = validate._jittered(base.photo.rgb, rng)
    summary = {"lines": []}
    rec = validate._check_recovery(base, ref, rng, 1, tmp_path, summary)
    assert (tmp_path / "recovery.csv").is_file()
    assert sorted(set(rec["true_mm"])) == [0.0, 0.5, 1.0, 2.0, 3.0]
    jaw = summary["recovery"]["jawline_lift_mm"]
    assert 0.85 < jaw["slope"] < 1.15 and abs(jaw["bias_mm"]) < 0.3 and jaw["max_abs_error_mm"] < 0.5, jaw
    assert summary["lines"][0].startswith("recovery jawline_lift_mm: slope ")


def test_no_nuisance_fakes_a_lift(base, tmp_path):
    summary = {"lines": []}
    nuis = validate._check_nuisances(base, tmp_path, summary)
    assert (tmp_path / "nuisance.csv").is_file() and len(nuis) == 2 * nuis["nuisance"].nunique() >= 18
    # docs/validation.md: the largest false lift is about 0.1 mm, below the 0.3 mm smallest meaningful change
    assert max(summary["false_lift_max_mm"].values()) < 0.3, summary["false_lift_max_mm"]
    assert summary["lines"][0].startswith("largest false lift under a nuisance: jawline_lift_mm ")


def test_nuisance_check_uses_the_simulate_nuisances_and_the_default_floor_rule(base, tmp_path):
    from facemetrics.simulate import NUISANCES

    summary = {"lines": []}
    nuis = validate._check_nuisances(base, tmp_path, summary)
    assert list(dict.fromkeys(nuis["nuisance"])) == list(NUISANCES)  # one owner of the nuisance set
    identity = nuis[nuis["nuisance"] == "identity"]["false_lift_mm"].abs()
    assert (identity < 0.01).all(), identity  # the photo against itself re-encoded
    for m in validate._LIFTS:  # 1.25 x the largest |false lift|, rounded up to two significant digits
        worst = nuis.loc[nuis["metric"] == m, "false_lift_mm"].abs().max()
        assert 1.25 * worst <= summary["nuisance_floor"][f"{m}|mean"] <= 1.25 * worst * 1.11 + 1e-12
    assert summary["lines"][1].startswith("default-floor rule (1.25 x largest nuisance change) on this face: ")


def test_repeatability_floor_is_compares_repeat_floor(base, tmp_path):
    from scipy import stats

    rng = np.random.default_rng(0)
    ref = validate._jittered(base.photo.rgb, rng)
    summary = {"lines": []}
    floors = validate._check_repeatability(base, ref, rng, 2, tmp_path, summary)
    written = pd.read_csv(tmp_path / "repeatability.csv")
    assert set(written["side"]) == {"side", "mean"}
    jaw = written[(written["metric"] == "jawline_lift_mm") & (written["side"] == "mean")].iloc[0]
    assert jaw["n_changes"] == 4
    # compare.noise_floors_from_repeats: t(0.975, n pairs) x RMS, no default under it
    assert jaw["noise_floor"] == pytest.approx(stats.t.ppf(0.975, 4) * jaw["rms"], rel=1e-5)
    # the changes share the jittered baseline's own error, which RMS (unlike an SD) keeps
    assert jaw["rms"] > 0 and 0 < jaw["noise_floor"] < 1.0
    assert summary["noise_floor_repeats"]["jawline_lift_mm|mean"] == pytest.approx(jaw["noise_floor"], rel=1e-5)
    assert len(floors) == len(written)


# ---------------------------------------------------------------- the figure (validate computes, plots draws)


def _tables():
    """Small recovery / nuisance / folds tables shaped like validate's CSVs, with distinct values."""
    rec = pd.DataFrame([dict(metric=m, true_mm=t, repeat=0, measured_mm=t * k + off)
                        for m, k, off in (("jawline_lift_mm", 1.0, 0.05), ("mouth_corner_lift_mm", 0.9, -0.1))
                        for t in (0.0, 0.5, 1.0, 2.0, 3.0)])
    nuis = pd.DataFrame([dict(nuisance=n, metric=m, false_lift_mm=v, status="ok")
                         for n, vals in (("blur", (0.02, -0.01)), ("identity", (0.0, 0.0)), ("roll", (-0.07, 0.04)))
                         for m, v in zip(validate._LIFTS, vals)])
    folds = pd.DataFrame(dict(darkening=[0.0, 0.1, 0.2], nlf_depth_change_right=[0.0, 0.4, 0.9],
                              nlf_depth_change_left=[0.0, 0.3, 0.8]))
    return rec, nuis, folds


def test_validation_figure_draws_the_given_tables(tmp_path):
    from matplotlib.patches import Rectangle

    from facemetrics.plots import plot_validation

    rec, nuis, folds = _tables()
    fig = plot_validation(rec, nuis, folds, tmp_path / "validation.png")
    a, b, c = fig.axes[:3]
    assert [ax.get_title() for ax in (a, b, c)] == ["recovered vs true lift", "unlifted photo under nuisances",
                                                     "fold index"]
    # 1. one point series per metric (groupby order) plus the dashed identity line 0-3 mm
    lines = a.get_lines()
    assert [ln.get_label() for ln in lines[:2]] == ["jawline_lift_mm", "mouth_corner_lift_mm"]
    for ln, (m, g) in zip(lines, rec.groupby("metric")):
        np.testing.assert_allclose(ln.get_xdata(), g["true_mm"])
        np.testing.assert_allclose(ln.get_ydata(), g["measured_mm"])
    assert lines[2].get_linestyle() == "--" and list(lines[2].get_xdata()) == [0, 3] == list(lines[2].get_ydata())
    # 2. one horizontal bar per (nuisance, metric), as long as its false lift
    bars = [p for p in b.patches if isinstance(p, Rectangle) and p.get_height() > 0]
    assert len(bars) == len(nuis)
    want = nuis.pivot(index="nuisance", columns="metric", values="false_lift_mm")
    got = np.array([bar.get_width() for bar in bars]).reshape(want.shape[1], want.shape[0]).T  # column by column
    np.testing.assert_allclose(got, want.to_numpy())
    assert [t.get_text() for t in b.get_yticklabels()] == ["blur", "identity", "roll"]
    # 3. one line per side, change against darkening
    assert [ln.get_label() for ln in c.get_lines()] == ["nlf_depth_change_right", "nlf_depth_change_left"]
    for ln, col in zip(c.get_lines(), folds.columns[1:]):
        np.testing.assert_allclose(ln.get_xdata(), folds["darkening"])
        np.testing.assert_allclose(ln.get_ydata(), folds[col])
    import cv2

    assert cv2.imread(str(tmp_path / "validation.png")).shape == (400, 1300, 3)  # 13 x 4 in at 100 dpi


def test_validate_computes_and_leaves_the_drawing_to_plots():
    """validate.py imports no matplotlib and calls plots.plot_validation for validation.png."""
    import ast
    from pathlib import Path

    tree = ast.parse(Path(validate.__file__).read_text(encoding="utf-8"))
    imported = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    imported |= {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    assert not any(m.startswith("matplotlib") for m in imported), imported
    called = {n.func.id for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
    assert "plot_validation" in called
    from facemetrics import plots

    assert validate.plot_validation is plots.plot_validation


def test_claim_line_says_no_half_life_instead_of_nan():
    """The claim test's summary line: the fitted half-life with its interval, or words when there is none
    (the "too few photos" scenario printed "half-life nan h [nan, nan]")."""
    nan = float("nan")
    assert validate._half_life(dict(half_life_h=3.44, half_life_h_ci_low=2.46, half_life_h_ci_high=5.4)) == \
        "half-life 3.4 h, 95 % CI [2.5, 5.4] h"
    assert validate._half_life(dict(half_life_h=nan, half_life_h_ci_low=nan, half_life_h_ci_high=nan)) == \
        "no half-life fitted"
    assert validate._half_life(dict(half_life_h=30.0, half_life_h_ci_low=12.0, half_life_h_ci_high=nan)) == \
        "half-life 30.0 h, 95 % CI [12.0, ?] h"
    # a lasting lift: the fit stops at its lower bound and the interval runs to the upper one (the audit of
    # 2026-12-02 saw "half-life 0.5 h [0.5, 5000.0]" printed for the RF lift that does not fade)
    line = validate._half_life(dict(half_life_h=0.5, half_life_h_ci_low=0.5, half_life_h_ci_high=5000.0))
    assert line.startswith("no decay resolved") and "5000 h" in line
