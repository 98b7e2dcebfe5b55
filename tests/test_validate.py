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
