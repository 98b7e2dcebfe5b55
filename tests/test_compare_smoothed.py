"""A beauty filter's smoothing in one photo of a comparison (quality.skin_texture, compare.gate.smoothed_skin,
weak_fold_rows; docs/compare.md "Smoothed skin: the fold rows"): the fold rows read 'uncertain' with a
message; unfiltered nuisance copies and the sample pair keep their fold verdicts."""

from __future__ import annotations

import dataclasses

import cv2
import numpy as np
import pytest

from facemetrics import compare_photos
from facemetrics import simulate as sim
from facemetrics.analyze import analyze_loaded
from facemetrics.compare import UNCERTAIN
from facemetrics.compare.gate import MIN_SKIN_TEXTURE_RATIO, MSG_FINE_CONTRAST, MSG_SMOOTHED, smoothed_skin, weak_fold_rows
from facemetrics.quality import skin_texture

from conftest import SAMPLES

FOLD = ("nlf_depth", "nlf_contrast_pct", "nlf_length_mm")


def _variant(a, rgb):
    out = analyze_loaded(dataclasses.replace(a.photo, rgb=np.ascontiguousarray(rgb)))
    assert out.ok, out.error
    return out


def _bilateral(a, sigma_color: float, sigma_mm: float) -> np.ndarray:
    return cv2.bilateralFilter(a.photo.rgb, 0, sigma_color, sigma_mm / a.frame.mm_per_px)


def _fold_verdicts(c) -> dict:
    return {(r.metric, r.side): r.verdict for r in c.changes if r.metric in FOLD}


@pytest.fixture(scope="module")
def filtered(sample_bilateral) -> np.ndarray:
    """The sample through a beauty filter (``_bilateral``: sigma colour 60, 3 mm), made once for the two tests that
    read it: this file's slowest step (a 3-mm bilateral filter of the whole photo)."""
    return sample_bilateral(60, 3.0)  # the same pixels as ``_bilateral(sample_analysis, 60, 3.0)``, made once a session


def test_skin_texture_falls_with_smoothing_and_keeps_with_light_and_size(sample_analysis, filtered):
    a = sample_analysis
    t = skin_texture(a.photo.rgb, a.points, a.frame.mm_per_px)
    assert 0.2 < t < 5
    smooth = [skin_texture(x, a.points, a.frame.mm_per_px) for x in (_bilateral(a, 20, 1.5), filtered)]
    assert t > smooth[0] > smooth[1]
    assert skin_texture(np.clip(a.photo.rgb * 0.8, 0, 255).astype(np.uint8), a.points, a.frame.mm_per_px) == \
        pytest.approx(t, rel=0.05)
    half = cv2.resize(a.photo.rgb, None, fx=0.6, fy=0.6, interpolation=cv2.INTER_AREA)
    assert skin_texture(half, a.points * 0.6, a.frame.mm_per_px / 0.6) == pytest.approx(t, rel=0.15)


def test_no_ratio_no_rows():
    assert weak_fold_rows(float("nan")) == () and weak_fold_rows(1.0) == ()
    assert len(weak_fold_rows(0.0)) == 6


def test_a_smoothed_after_photo_gives_the_fold_rows_no_verdict(sample_analysis, filtered):
    b = _variant(sample_analysis, filtered)
    assert smoothed_skin(sample_analysis, b) < MIN_SKIN_TEXTURE_RATIO
    c = compare_photos(sample_analysis, b)
    said = [m for m in c.messages if m.startswith(MSG_SMOOTHED)]
    assert len(said) == 1 and "the after photo" in said[0], c.messages
    assert not any(m.startswith(MSG_FINE_CONTRAST) for m in c.messages), c.messages  # not a gain in the before photo
    assert set(_fold_verdicts(c).values()) == {UNCERTAIN}
    # the other rows keep theirs (no jaw row is made uncertain by the smoothing)
    assert c.get("jawline_lift_mm").verdict != UNCERTAIN
    # the before photo smoothed: named the same way
    c2 = compare_photos(b, sample_analysis)
    assert any(m.startswith(MSG_SMOOTHED) and "the before photo" in m for m in c2.messages), c2.messages


@pytest.mark.parametrize("nuisance", ["jpeg_70", "gamma_0.8", "blur", "noise", "scale_0.85"])
def test_unfiltered_nuisance_copies_keep_their_fold_verdicts(sample_analysis, nuisance, monkeypatch):
    # the smoothing check apart from the same-picture rule (a re-saved copy's rows all read 'uncertain' since
    # 2026-12-05: compare._same_picture_rows), which these copies of one picture would otherwise meet
    import facemetrics.compare as cp

    monkeypatch.setattr(cp, "_same_picture_rows", lambda: ())
    b = _variant(sample_analysis, sim.NUISANCES[nuisance](sample_analysis).image)
    assert smoothed_skin(sample_analysis, b) >= MIN_SKIN_TEXTURE_RATIO
    c = compare_photos(sample_analysis, b)
    assert not any(m.startswith(MSG_SMOOTHED) for m in c.messages), c.messages
    assert UNCERTAIN not in set(_fold_verdicts(c).values())


def test_the_sample_pair_is_not_called_smoothed(sample_analysis):
    from facemetrics import analyze_photo

    after = analyze_photo(SAMPLES / "astronaut_after.jpg")
    c = compare_photos(sample_analysis, after)
    assert not any(m.startswith(MSG_SMOOTHED) for m in c.messages), c.messages
