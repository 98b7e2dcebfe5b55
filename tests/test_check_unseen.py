"""bench/check_unseen.py: issue 10's checks on a folder of faces the project has not seen (stop 52).

The truth here is built independently of the measures: hand-placed points put at chosen distances (mm,
along the normals) from the contour and fold lines the package draws, so the script must read those
distances back; a truncated photo must be listed and the run go on."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
import check_unseen as cu  # noqa: E402  (bench/ is not a package)

JAW_MM = (0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5)  # the distances the 7 jaw points are put at (126-132)
FOLD_MM = (0.2, 0.6, 1.0)  # the 3 smile-line points of each side (158-160 right, 161-163 left)


def _offset(line_px: np.ndarray, at: np.ndarray, mm: tuple, mm_per_px: float) -> np.ndarray:
    """Points of the polyline ``line_px`` (n, 2) (x, y) px at fractions ``at`` of its length, moved ``mm``
    along the polyline's normal; (len(at), 2) px."""
    seg = np.linalg.norm(np.diff(line_px, axis=0), axis=1)
    s = np.concatenate([[0], np.cumsum(seg)])
    out = []
    for f, d in zip(at, mm):
        i = int(np.clip(np.searchsorted(s, f * s[-1]) - 1, 0, len(seg) - 1))
        t = (line_px[i + 1] - line_px[i]) / seg[i]
        p = line_px[i] + (f * s[-1] - s[i]) * t
        out.append(p + np.array([-t[1], t[0]]) * d / mm_per_px)
    return np.array(out)


@pytest.fixture(scope="module")
def folder(tmp_path_factory, sample_path, sample_analysis):
    """s_neutral (the sample, with a template), s_smiling (the after sample), and a truncated pair."""
    d = tmp_path_factory.mktemp("unseen")
    shutil.copy(sample_path, d / "s_neutral.jpg")
    shutil.copy(ROOT / "sample_images" / "astronaut_after.jpg", d / "s_smiling.jpg")
    (d / "t_neutral.jpg").write_bytes(sample_path.read_bytes()[:4000])
    shutil.copy(sample_path, d / "t_smiling.jpg")
    a = sample_analysis
    mm = a.calibration.mm_per_px
    tem = np.zeros((189, 2))
    tem[0], tem[1] = a.points[468, :2], a.points[473, :2]  # the pupils
    contour = a.jaw.contour_px
    tem[126:133] = _offset(contour, np.linspace(0.2, 0.8, 7), JAW_MM, mm)
    tem[158:161] = _offset(a.nlf_right.line_px, np.array([0.3, 0.5, 0.7]), FOLD_MM, mm)
    tem[161:164] = _offset(a.nlf_left.line_px, np.array([0.3, 0.5, 0.7]), FOLD_MM, mm)
    lines = ["189"] + [f"{x:.3f}\t{y:.3f}" for x, y in tem]
    (d / "s_neutral.tem").write_text("\n".join(lines) + "\n")
    return d


@pytest.fixture(scope="module")
def result(folder):
    return cu.run(folder, csv_path=folder / "rows.csv")


def test_pairs_and_templates_are_found(folder):
    assert [(a.name, b.name) for a, b in cu.smile_pairs(folder)] == [("s_neutral.jpg", "s_smiling.jpg"),
                                                                      ("t_neutral.jpg", "t_smiling.jpg")]
    assert [p.name for p in cu.annotated(folder)] == ["s_neutral.jpg"]


def test_a_truncated_photo_is_listed_and_the_run_goes_on(result, folder):
    assert result["failed"] == ["t_neutral.jpg"]
    assert result["smiles"]["pairs"] == 1  # the truncated pair is left out of the count
    rows = (folder / "rows.csv").read_text().splitlines()
    assert len(rows) == 1 + 4
    assert any(r.startswith("t_neutral.jpg,unreadable,") for r in rows)


def test_distances_read_back_the_placed_points(result):
    jaw, fold = result["points"]["jaw_refined"], result["points"]["fold"]
    assert jaw["median"] == pytest.approx(np.median(JAW_MM), abs=0.1)
    assert jaw["max"] == pytest.approx(max(JAW_MM), abs=0.1)
    assert jaw["p90"] == pytest.approx(np.percentile(JAW_MM, 90), abs=0.1)
    assert result["points"]["jaw_met"] == (jaw["p90"] <= cu.JAW_P90_MAX_MM)
    assert fold["max"] == pytest.approx(max(FOLD_MM), abs=0.1)
    assert fold["median"] == pytest.approx(np.median(FOLD_MM * 2), abs=0.1)
    assert result["points"]["fold_met"]
    # one face: every resample is that face, so the interval is the figure itself
    assert jaw["p90_ci"] == pytest.approx((jaw["p90"], jaw["p90"]))


def test_the_smile_verdict_counts_rising_pairs(result, sample_analysis):
    from facemetrics import analyze_photo

    after = analyze_photo(ROOT / "sample_images" / "astronaut_after.jpg")
    rises = cu.depth_index(after) > cu.depth_index(sample_analysis)
    assert result["smiles"] == {"rising": int(rises), "pairs": 1, "met": rises}


@pytest.mark.parametrize("pairs, needed", [(90, 81), (12, 11), (10, 9), (1, 1), (20, 18), (0, 0)])
def test_the_smile_target_is_nine_in_ten_rounded_up(pairs, needed):
    assert cu.smile_needed(pairs) == needed


def test_bootstrap_interval_holds_the_figure():
    rng = np.random.default_rng(1)
    per = [rng.uniform(0, 4, 7) for _ in range(20)]
    s = cu.bootstrap(per, np.random.default_rng(0), n_boot=500)
    assert s["p90_ci"][0] <= s["p90"] <= s["p90_ci"][1]
    assert s["median_ci"][0] <= s["median"] <= s["median_ci"][1]
    assert s["max"] == pytest.approx(np.concatenate(per).max())


def test_not_a_folder_is_a_message(tmp_path, capsys):
    assert cu.main([str(tmp_path / "nope")]) == 2
    assert "not a folder" in capsys.readouterr().err


def test_darkening_sweep_runs_on_every_annotated_face_side(folder, capsys):
    res = cu.run(folder, darkening=True)
    out = capsys.readouterr().out
    assert "face-sides strictly rising (of 2)" in out  # one annotated face, two sides
    assert isinstance(res["darkening_failures"], int) and res["darkening_failures"] >= 0
    assert f"darkening: {res['darkening_failures']} (variant, face-side) not strictly rising" in out
