"""The fold length (``nlf_length_mm``) on a real photo (``../shared/faces``; skipped when absent):
the face whose clean JPEG-70 copy read a false ``longer`` (+6.0 mm against the 5.0 mm floor, stop 36)
keeps its length under JPEG re-saves and brightness scaling, and the length rises with a darkening
painted further down the fold line (docs/compare.md "The fold length's ends")."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from facemetrics import analyze_photo
from facemetrics.compare.floors import DEFAULT_NOISE_FLOORS
from facemetrics.folds import score_fold_line
from facemetrics.geometry import NLF_PATH_LEFT, NLF_PATH_RIGHT


@pytest.fixture(scope="module")
def face(canada_dir):
    a = analyze_photo(canada_dir / "canada_095m.jpg")
    assert a.ok, a.error
    return a


def _jpeg(rgb: np.ndarray, quality: int) -> np.ndarray:
    ok, buf = cv2.imencode(".jpg", rgb[..., ::-1], [cv2.IMWRITE_JPEG_QUALITY, quality])
    return np.ascontiguousarray(cv2.imdecode(buf, cv2.IMREAD_COLOR)[..., ::-1])


def _length(a, rgb: np.ndarray, side: str) -> float:
    line = (a.nlf_right if side == "right" else a.nlf_left).line_px
    return score_fold_line(rgb, a.points, a.frame, side, line)[2]


def _darken_below(a, side: str, length_mm: float, fraction: float = 0.05) -> np.ndarray:
    """The photo with a valley (``fraction`` darker at its centre, sigma 1.5 mm) painted along the fold
    line from its point nearest the bottom landmark over ``length_mm`` further down the line."""
    if length_mm <= 0:
        return a.photo.rgb
    line = (a.nlf_right if side == "right" else a.nlf_left).line_px
    bottom = a.points[(NLF_PATH_RIGHT if side == "right" else NLF_PATH_LEFT)[-1], :2]
    mm = a.frame.mm_per_px
    arc = np.concatenate([[0.0], np.cumsum(np.linalg.norm(np.diff(line, axis=0), axis=1))]) * mm
    s = arc - arc[int(np.argmin(np.linalg.norm(line - bottom, axis=1)))]
    seg = line[(s >= 0) & (s <= length_mm)]
    mask = np.full(a.photo.rgb.shape[:2], 255, np.uint8)
    cv2.polylines(mask, [np.round(seg).astype(np.int32)], False, 0, 1, cv2.LINE_8)
    d = cv2.distanceTransform(mask, cv2.DIST_L2, 5) * mm
    gain = 1.0 - fraction * np.exp(-0.5 * (d / 1.5) ** 2)
    return np.clip(a.photo.rgb * gain[..., None], 0, 255).round().astype(np.uint8)


@pytest.mark.parametrize("side", ["right", "left"])
def test_length_stable_under_resaves_and_brightness(face, side):
    rgb = face.photo.rgb
    ref = _length(face, rgb, side)
    floor = DEFAULT_NOISE_FLOORS[("nlf_length_mm", "side")]
    copies = {"jpeg_70": _jpeg(rgb, 70), "jpeg_60": _jpeg(rgb, 60), "jpeg_90": _jpeg(rgb, 90),
              "bright_-15": np.round(rgb * 0.85).astype(np.uint8),
              "bright_+15": np.clip(np.round(rgb * 1.15), 0, 255).astype(np.uint8)}
    moved = {k: _length(face, v, side) - ref for k, v in copies.items()}
    # the former threshold count moved the left length by +7.6 mm under JPEG 70 (same line, same landmarks)
    assert all(abs(v) < 0.5 * floor for v in moved.values()), moved


@pytest.mark.parametrize("side", ["right", "left"])
def test_length_rises_with_a_longer_darkening(face, side):
    """Never shorter with a longer darkening, and 8 mm of it reads more than 2 mm longer (where the
    line already shows full evidence the soft count cannot rise: 095m's right fold gains 3 mm over
    the first 2 mm of darkening and little after)."""
    lengths = [_length(face, _darken_below(face, side, mm), side) for mm in (0.0, 2.0, 4.0, 8.0)]
    assert np.all(np.diff(lengths) > -0.05), lengths
    assert lengths[-1] - lengths[0] > 2.0, lengths


def test_a_mild_beauty_filter_moves_a_young_fold_past_the_rule_but_not_past_the_default(canada_dir, monkeypatch):
    """Why the default stays at 5 mm while its rule gives 2.2 (docs/compare.md "The fold length's full-size
    default"): a tuning face against its bilateral 20 / 1.5 mm copy, which the skin-texture gate lets
    through, reads its right fold shorter by more than the floor 2.2 would give there (the resolution term
    19 x 0.176 mm/px = 3.3 mm) and stays within the shipped 5 mm."""
    import dataclasses

    # the fold length's floor apart from the same-picture rule (a copy of one picture reads every row 'uncertain' since
    # 2026-12-05: compare._same_picture_rows), which this pair would otherwise meet
    import facemetrics.compare as cp

    monkeypatch.setattr(cp, "_same_picture_rows", lambda: ())
    from facemetrics import compare_photos
    from facemetrics.analyze import analyze_loaded
    from facemetrics.compare import RESOLUTION_FLOOR_SLOPES, pair_mm_per_px

    a = analyze_photo(canada_dir / "canada_054f.jpg")
    assert a.ok, a.error
    m = a.calibration.mm_per_px
    b = analyze_loaded(dataclasses.replace(a.photo, rgb=cv2.bilateralFilter(a.photo.rgb, 0, 20, 1.5 / m)))
    row = next(r for r in compare_photos(a, b).changes if r.metric == "nlf_length_mm" and r.side == "right")
    at_rule = max(2.2, RESOLUTION_FLOOR_SLOPES[("nlf_length_mm", "side")] * pair_mm_per_px(a, b))
    # the copy's estimated camera change (a few thousandths of a %) widens the floor by the camera term
    # (POSE_ROW_FLOORS["nlf_length_mm"], since stop 39) by about 1e-8 mm
    assert DEFAULT_NOISE_FLOORS[("nlf_length_mm", "side")] == 5
    assert row.noise_floor == pytest.approx(5, abs=1e-3)
    assert row.verdict == "within_noise"
    assert at_rule < -row.change < row.noise_floor
