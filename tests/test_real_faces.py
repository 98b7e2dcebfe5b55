"""Checks against real photographs and human annotation (``../shared/faces``;
skipped when that folder is absent)."""

from __future__ import annotations

import numpy as np
import pytest

from conftest import read_tem
from facemetrics import analyze_photo


def _segment_distance(pt: np.ndarray, line: np.ndarray) -> float:
    a, b = line[:-1], line[1:]
    d = b - a
    t = np.clip(np.sum((pt - a) * d, axis=1) / np.maximum(np.sum(d * d, axis=1), 1e-12), 0, 1)
    return float(np.min(np.linalg.norm(a + t[:, None] * d - pt, axis=1)))


@pytest.fixture(scope="module")
def london(london_dir):
    """{person id: (neutral analysis, smiling analysis, template)}"""
    out = {}
    for neutral in sorted(london_dir.glob("*_neutral.jpg")):
        pid = neutral.name.rsplit("_", 1)[0]
        smiling = neutral.with_name(f"{pid}_smiling.jpg")
        out[pid] = (analyze_photo(neutral), analyze_photo(smiling), read_tem(neutral.with_suffix(".tem")))
    assert len(out) == 12
    return out


def annotation_distances(london) -> tuple[np.ndarray, np.ndarray]:
    """Distances (mm) of hand-placed smile-line points to the measured fold
    lines, and of hand-placed jaw points to the Face Mesh jaw contour."""
    fold, jaw = [], []
    for neutral, _, tem in london.values():
        assert neutral.ok, neutral.error
        mm = neutral.calibration.mm_per_px
        # template "left" is image-left = the subject's right
        for idx, fm in (((158, 159, 160), neutral.nlf_right), ((161, 162, 163), neutral.nlf_left)):
            fold += [_segment_distance(tem[i], fm.line_px) * mm for i in idx]
        jaw += [_segment_distance(tem[i], neutral.jaw.contour_px) * mm for i in range(125, 134)]
    return np.array(fold), np.array(jaw)


def test_fold_lines_match_hand_placed_smile_lines(london):
    fold, jaw = annotation_distances(london)
    assert len(fold) == 72
    assert np.median(fold) <= 3.0, np.median(fold)
    assert np.percentile(fold, 90) <= 6.0, np.percentile(fold, 90)
    # reported in docs/accuracy.md; asserted loosely so a regression shows
    assert np.median(jaw) <= 4.0


def test_smile_index_higher_when_smiling(london):
    for pid, (neutral, smiling, _) in london.items():
        assert smiling.ok and neutral.ok
        assert smiling.quality.smile_index > neutral.quality.smile_index, pid


def test_fold_depth_higher_when_smiling(london):
    deeper = [
        (s.nlf_right.depth_index + s.nlf_left.depth_index) > (n.nlf_right.depth_index + n.nlf_left.depth_index)
        for n, s, _ in london.values()
    ]
    assert sum(deeper) >= 11, deeper


def test_neutral_portraits_are_fit_and_plausible(london):
    for pid, (neutral, _, _) in london.items():
        q = neutral.quality
        assert abs(q.yaw_deg) < 8 and abs(q.roll_deg) < 5, pid
        assert 52 < neutral.calibration.ipd_mm < 72, pid
        assert "smiling" not in "; ".join(q.flags), pid
