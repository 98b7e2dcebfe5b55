"""Local tone mapping (HDR / night mode) in one photo of a comparison (quality.local_contrast,
compare.gate.tone_mapping_ratio, tone_mapped_rows; docs/robustness.md "Local tone mapping"): the fold rows read
'uncertain' with a message naming the photo; a global tone change, a deeper fold and a lift do not trigger it."""

from __future__ import annotations

import dataclasses

import cv2
import numpy as np
import pytest

from facemetrics import analyze_photo, compare_photos
from facemetrics import simulate as sim
from facemetrics.analyze import analyze_loaded
from facemetrics.compare import UNCERTAIN
from facemetrics.compare.gate import MAX_LOCAL_CONTRAST_RATIO, MSG_TONE_MAPPED, tone_mapped_rows, tone_mapping_ratio
from facemetrics.quality import local_contrast

from conftest import SAMPLES

FOLD = ("nlf_depth", "nlf_contrast_pct", "nlf_length_mm")


def _clahe(rgb: np.ndarray, clip: float = 2.5, tiles: int = 8) -> np.ndarray:
    lab = cv2.cvtColor(rgb, cv2.COLOR_RGB2LAB)
    lab[..., 0] = cv2.createCLAHE(clipLimit=clip, tileGridSize=(tiles, tiles)).apply(lab[..., 0])
    return cv2.cvtColor(lab, cv2.COLOR_LAB2RGB)


def _variant(a, rgb):
    out = analyze_loaded(dataclasses.replace(a.photo, rgb=np.ascontiguousarray(rgb)))
    assert out.ok, out.error
    return out


def _said(c) -> list[str]:
    return [m for m in c.messages if MSG_TONE_MAPPED in m]


def _fold_verdicts(c) -> dict:
    return {(r.metric, r.side): r.verdict for r in c.changes if r.metric in FOLD}


def _ratio(a, rgb) -> float:
    """local_contrast of ``rgb`` (the sample's geometry) over the sample's own."""
    lc = lambda im: local_contrast(im, a.points, a.frame.mm_per_px)  # noqa: E731
    return lc(rgb) / lc(a.photo.rgb)


@pytest.mark.parametrize("clip", [1.5, 2.5, 4.0])
def test_clahe_raises_the_local_contrast_beyond_the_limit(sample_analysis, clip):
    assert _ratio(sample_analysis, _clahe(sample_analysis.photo.rgb, clip)) > MAX_LOCAL_CONTRAST_RATIO


@pytest.mark.parametrize("name", ["gamma_0.8", "gamma_1.25", "bright_+15", "bright_-15", "white_balance",
                                  "jpeg_70", "noise", "blur"])
def test_a_global_tone_change_keeps_the_local_contrast(sample_analysis, name):
    r = _ratio(sample_analysis, sim.NUISANCES[name](sample_analysis).image)
    assert 1 / MAX_LOCAL_CONTRAST_RATIO < r < MAX_LOCAL_CONTRAST_RATIO
    assert r == pytest.approx(1.0, abs=0.08)


def test_the_statistic_reads_none_of_the_folds_nor_the_lower_face(sample_analysis):
    a = sample_analysis
    # a fold darkened 40 % (far beyond a treatment) or the lower face lifted: the skin read above the nose tip is
    # the same picture but for the 4-mm blur's reach and the lift's fade: the ratio stays within 1-2 % of 1
    assert _ratio(a, sim.deepen_fold(a, 0.4, "both").image) == pytest.approx(1.0, abs=0.01)
    assert _ratio(a, sim.lift(a, 3.0).image) == pytest.approx(1.0, abs=0.02)


def test_no_ratio_no_rows():
    assert tone_mapped_rows(float("nan")) == () and tone_mapped_rows(1.0) == ()
    assert tone_mapped_rows(MAX_LOCAL_CONTRAST_RATIO) == ()
    assert len(tone_mapped_rows(2.0)) == 6


def test_a_tone_mapped_after_photo_gives_the_fold_rows_no_verdict(sample_analysis):
    b = _variant(sample_analysis, _clahe(sample_analysis.photo.rgb, 1.5))
    assert tone_mapping_ratio(sample_analysis, b) > MAX_LOCAL_CONTRAST_RATIO
    c = compare_photos(sample_analysis, b)
    said = _said(c)
    assert len(said) == 1 and said[0].startswith(f"the after photo {MSG_TONE_MAPPED}: "), c.messages
    assert c.status == "warning"
    assert set(_fold_verdicts(c).values()) == {UNCERTAIN}
    # the before photo tone-mapped: named the same way
    c2 = compare_photos(b, sample_analysis)
    assert any(m.startswith(f"the before photo {MSG_TONE_MAPPED}: ") for m in c2.messages), c2.messages


@pytest.mark.parametrize("name", ["gamma_0.8", "gamma_1.25", "white_balance", "bright_-15"])
def test_global_tone_copies_are_not_called_tone_mapped(sample_analysis, name):
    b = _variant(sample_analysis, sim.NUISANCES[name](sample_analysis).image)
    c = compare_photos(sample_analysis, b)
    assert _said(c) == [], c.messages


def test_a_deeper_fold_keeps_its_verdict(sample_analysis):
    b = _variant(sample_analysis, sim.deepen_fold(sample_analysis, 0.3, "both").image)
    assert tone_mapping_ratio(sample_analysis, b) < MAX_LOCAL_CONTRAST_RATIO
    c = compare_photos(sample_analysis, b)
    assert _said(c) == [], c.messages
    assert c.get("nlf_depth", "right").verdict == "deeper"


def test_the_sample_pair_is_not_called_tone_mapped(sample_analysis):
    c = compare_photos(sample_analysis, analyze_photo(SAMPLES / "astronaut_after.jpg"))
    assert _said(c) == [], c.messages


def test_covered_eyes_are_not_read_as_tone_mapping(sample_analysis):
    """Dark lenses over both eyes (sunglasses) reach into the skin read around them: no ratio, no message."""
    from PIL import Image, ImageDraw

    a = sample_analysis
    im = Image.fromarray(a.photo.rgb)
    w = 0.9 * abs(a.points[33, 0] - a.points[133, 0])
    for i in (468, 473):
        x, y = a.points[i, :2]
        ImageDraw.Draw(im).ellipse((x - w, y - 0.6 * w, x + w, y + 0.6 * w), fill=(15, 15, 18))
    covered = _variant(a, np.asarray(im))
    assert np.isnan(tone_mapping_ratio(covered, a)) and np.isnan(tone_mapping_ratio(a, covered))
    assert _said(compare_photos(covered, a)) == []
