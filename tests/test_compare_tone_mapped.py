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
from facemetrics.compare.gate import (MAX_LOCAL_CONTRAST_RATIO, MIN_EDGE_GAIN_SHARE, MIN_GAIN_SHADING_SHARE,
                                     MIN_SKIN_TEXTURE_RATIO, MSG_FINE_CONTRAST, MSG_SMOOTHED, MSG_TONE_MAPPED,
                                     edge_gain_share, fold_cause, gain_shading_share, sharpened,
                                     local_contrasts, skin_textures, smoothed_skin,
                                     tone_mapped_rows, tone_mapping_ratio)
from facemetrics.quality import local_contrast, read_grid_mm, skin_edges, skin_texture

from conftest import SAMPLES

FOLD = ("nlf_depth", "nlf_contrast_pct", "nlf_length_mm")


def _clahe(rgb: np.ndarray, clip: float = 2.5, tiles: int = 8) -> np.ndarray:
    lab = cv2.cvtColor(rgb, cv2.COLOR_RGB2LAB)
    lab[..., 0] = cv2.createCLAHE(clipLimit=clip, tileGridSize=(tiles, tiles)).apply(lab[..., 0])
    return cv2.cvtColor(lab, cv2.COLOR_LAB2RGB)


def _scaled(rgb: np.ndarray, f: float) -> np.ndarray:
    return np.ascontiguousarray(cv2.resize(rgb, None, fx=f, fy=f, interpolation=cv2.INTER_AREA))


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
    # the skin-texture check fires too (the CLAHE copy's boosted texture makes the untouched photo look
    # smoothed), but that is the tone mapping's doing: one cause, the right photo; no "smoothed" message
    assert smoothed_skin(sample_analysis, b) < MIN_SKIN_TEXTURE_RATIO
    assert fold_cause(sample_analysis, b, smoothed_skin(sample_analysis, b), tone_mapping_ratio(sample_analysis, b)) \
        == fold_cause(b, sample_analysis, smoothed_skin(b, sample_analysis), tone_mapping_ratio(b, sample_analysis)) \
        == "tone"
    assert not any(m.startswith(MSG_SMOOTHED) for m in c.messages + c2.messages), (c.messages, c2.messages)


@pytest.mark.parametrize("sigma_colour, sigma_mm", [(60, 3.0), (80, 4.0)])
def test_a_beauty_filter_is_still_named_as_smoothing(sample_analysis, sample_bilateral, sigma_colour, sigma_mm):
    a = sample_analysis
    # cv2.bilateralFilter(a.photo.rgb, 0, sigma_colour, sigma_mm / a.frame.mm_per_px), made once a session
    # (tests/conftest.py: tests/test_compare_smoothed.py filters the sample with 60, 3 mm too)
    b = _variant(a, sample_bilateral(sigma_colour, sigma_mm))
    texture, tone = smoothed_skin(a, b), tone_mapping_ratio(a, b)
    assert texture < MIN_SKIN_TEXTURE_RATIO
    # smoothing alone, or both checks with the texture falling far more than the shading: never 'tone'
    assert fold_cause(a, b, texture, tone) in ("", "smoothing")
    # the texture fell alone, the 2-8 mm shading far less: not read as a contrast gain in the untouched photo
    assert gain_shading_share(a, b) < MIN_GAIN_SHADING_SHARE
    # the strong fine edges kept while the texture fell: not read as sharpening of the untouched photo
    assert edge_gain_share(a, b) < MIN_EDGE_GAIN_SHARE and not sharpened(a, b)
    if tone > MAX_LOCAL_CONTRAST_RATIO:
        assert fold_cause(a, b, texture, tone) == "smoothing"
    assert fold_cause(a, b, texture, float("nan")) == "" == fold_cause(a, b, float("nan"), tone)


def test_clahe_the_tone_check_misses_names_the_edited_photo_not_the_untouched_one_smoothed(sample_analysis):
    """CLAHE with 2 x 2 tiles (nearly a global curve) stays under the tone check's limit, but its gain raises the
    skin texture past the texture check's: the message names the CLAHE photo as having more fine contrast, and no
    photo "smoothed" (it used to name the untouched one); the fold rows read 'uncertain' as before."""
    a = sample_analysis
    b = _variant(a, _clahe(a.photo.rgb, 2.5, 2))
    assert 1.05 < tone_mapping_ratio(a, b) <= MAX_LOCAL_CONTRAST_RATIO
    assert smoothed_skin(a, b) < MIN_SKIN_TEXTURE_RATIO
    assert gain_shading_share(a, b) > 0.8  # both bands rose alike in the CLAHE photo (a beauty filter: below 0.3)
    for c, which in ((compare_photos(a, b), "after"), (compare_photos(b, a), "before")):
        said = [m for m in c.messages if m.startswith(MSG_FINE_CONTRAST)]
        assert len(said) == 1 and f"(the {which} photo:" in said[0], c.messages
        assert not any(m.startswith(MSG_SMOOTHED) for m in c.messages), c.messages
        assert _said(c) == [], c.messages
        assert set(_fold_verdicts(c).values()) == {UNCERTAIN}


@pytest.fixture(scope="module")
def halves(sample_analysis):
    """The sample at half its size (0.37 mm/px) and at a quarter (0.73 mm/px, halved again), analysed: made once for
    the two tests that read them."""
    base = _variant(sample_analysis, _scaled(sample_analysis.photo.rgb, 0.5))
    return base, _variant(sample_analysis, _scaled(base.photo.rgb, 0.5))


def test_both_photos_are_read_on_one_grid(halves):
    """local_contrasts / skin_textures read both photos at the coarser one's pixel size (0.4 mm/px at least)."""
    base, coarse = halves  # 0.37 mm/px, 0.73 mm/px
    grid = coarse.frame.mm_per_px
    assert grid > 0.6 and read_grid_mm(base.frame.mm_per_px, grid) == grid
    assert read_grid_mm(0.2, 0.3) == 0.4
    lc, tx = local_contrasts(base, coarse), skin_textures(base, coarse)
    own = local_contrast(base.photo.rgb, base.points, base.frame.mm_per_px)
    assert lc[0] == local_contrast(base.photo.rgb, base.points, base.frame.mm_per_px, grid) != own
    assert tx[0] == skin_texture(base.photo.rgb, base.points, base.frame.mm_per_px, grid)
    assert lc[1] == local_contrast(coarse.photo.rgb, coarse.points, grid)


def test_a_photo_against_its_half_size_copy_is_alike_and_clahe_is_caught_at_both_sizes(sample_analysis, halves):
    base, half = halves  # 0.37 mm/px, against 0.73
    assert tone_mapping_ratio(base, half) == pytest.approx(1.0, abs=0.03)
    assert smoothed_skin(base, half) > 0.95
    tone_full = _variant(sample_analysis, _clahe(base.photo.rgb, 1.5))
    tone_half = _variant(sample_analysis, _scaled(_clahe(base.photo.rgb, 1.5), 0.5))
    assert tone_mapping_ratio(base, tone_half) > MAX_LOCAL_CONTRAST_RATIO
    assert tone_mapping_ratio(half, tone_full) > MAX_LOCAL_CONTRAST_RATIO


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


@pytest.mark.parametrize("textures, contrasts, shadings, cause", [
    # the smoother photo is the higher in local contrast: two edits, both named
    ((1.0, 0.5), (0.10, 0.14), (1.0, 0.7), ""),
    # the smoother photo the lower in local contrast, its shading fell with its texture (ln 0.7 / ln 0.5 = 0.51):
    # the before photo tone-mapped
    ((1.0, 0.5), (0.14, 0.10), (1.0, 0.7), "tone"),
    # the same, the shading fell far less than the texture (0.24): a beauty filter in the after photo
    ((1.0, 0.4), (0.125, 0.10), (1.0, 0.8), "smoothing"),
    ((0.4, 1.0), (0.10, 0.125), (0.8, 1.0), "smoothing"),  # the same, the photos swapped
    ((1.0, 0.4), (0.125, 0.10), (1.0, float("nan")), "smoothing"),  # the shading unread: smoothing, as before
])
def test_the_cause_follows_how_far_the_shading_falls_with_the_texture(monkeypatch, textures, contrasts, shadings,
                                                                      cause):
    import importlib

    G = importlib.import_module("facemetrics.compare.skin")  # fold_cause and its readings (out of gate.py)
    monkeypatch.setattr(G, "skin_textures", lambda a, b: textures)
    monkeypatch.setattr(G, "local_contrasts", lambda a, b: contrasts)
    monkeypatch.setattr(G, "skin_shadings", lambda a, b: shadings)
    monkeypatch.setattr(G, "skin_edge_levels", lambda a, b: (float("nan"),) * 2)  # the edge cue unread
    texture, tone = min(textures) / max(textures), max(contrasts) / min(contrasts)
    assert G.fold_cause(None, None, texture, tone) == cause
    assert G.fold_cause(None, None, 0.9, tone) == ""  # the tone check alone


@pytest.mark.parametrize("textures, shadings, cause", [
    ((1.0, 0.5), (1.0, 0.7), "contrast"),  # ln 0.7 / ln 0.5 = 0.51: both bands fell together, a gain in the before
    ((0.5, 1.0), (0.7, 1.0), "contrast"),  # the same, the photos swapped
    ((1.0, 0.5), (1.0, 0.8), ""),  # 0.32: the texture fell alone, smoothing of the after photo
    ((1.0, 0.5), (1.0, 1.1), ""),  # the smoother photo's shading higher: smoothing
    ((1.0, 0.5), (float("nan"), 1.0), ""),  # unread: the smoothing message as before
])
def test_the_texture_check_alone_names_a_gain_when_the_shading_fell_with_the_texture(monkeypatch, textures, shadings,
                                                                                     cause):
    import importlib

    G = importlib.import_module("facemetrics.compare.skin")  # fold_cause and its readings (out of gate.py)
    monkeypatch.setattr(G, "skin_textures", lambda a, b: textures)
    monkeypatch.setattr(G, "skin_shadings", lambda a, b: shadings)
    monkeypatch.setattr(G, "skin_edge_levels", lambda a, b: (float("nan"),) * 2)  # the edge cue unread
    texture = min(textures) / max(textures)
    for tone in (1.1, float("nan")):  # the tone check quiet, or unread (eyes covered)
        assert G.fold_cause(None, None, texture, tone) == cause
    assert G.fold_cause(None, None, 0.9, 1.1) == ""  # no check fires
    assert G.MIN_GAIN_SHADING_SHARE == 0.5  # the midpoint of the two models, not a tuned number


def _unsharp(rgb: np.ndarray, radius_px: float, amount: float) -> np.ndarray:
    """Pillow's unsharp mask (the sharpening of photo apps and phone 'sharpen' sliders), threshold 0."""
    from PIL import Image, ImageFilter

    return np.asarray(Image.fromarray(rgb).filter(ImageFilter.UnsharpMask(radius_px, int(100 * amount), 0)))


@pytest.fixture(scope="module")
def sample_04(sample_analysis):
    """The sample reduced to about 0.4 mm/px (a photo sent through a messaging app): a 2-px sharpening radius then
    reaches the skin-texture band."""
    return _variant(sample_analysis, _scaled(sample_analysis.photo.rgb, sample_analysis.frame.mm_per_px / 0.4))


def test_a_sharpened_photo_is_named_sharpened_not_the_untouched_one_smoothed(sample_04):
    """An unsharp mask (radius 2 px, amount 3) raises the texture far more than the 2-8 mm shading (shading share
    below 0.5, as a beauty filter reads), so the texture check alone named the UNTOUCHED photo "smoothed"; the
    strongest fine edges rose with the texture (a filter keeps them), so the sharpened photo is named; the fold
    rows read 'uncertain' as before."""
    a = sample_04
    b = _variant(a, _unsharp(a.photo.rgb, 2, 3.0))
    texture, tone = smoothed_skin(a, b), tone_mapping_ratio(a, b)
    assert texture < MIN_SKIN_TEXTURE_RATIO and tone <= MAX_LOCAL_CONTRAST_RATIO
    assert gain_shading_share(a, b) < MIN_GAIN_SHADING_SHARE  # the shading cue alone would read smoothing
    assert edge_gain_share(a, b) > 1.0 > MIN_EDGE_GAIN_SHARE and sharpened(a, b)
    for c, which in ((compare_photos(a, b), "after"), (compare_photos(b, a), "before")):
        said = [m for m in c.messages if m.startswith(MSG_FINE_CONTRAST)]
        assert len(said) == 1 and f"(the {which} photo:" in said[0] and "sharpened?" in said[0], c.messages
        assert not any(m.startswith(MSG_SMOOTHED) for m in c.messages), c.messages
        assert set(_fold_verdicts(c).values()) == {UNCERTAIN}


def test_detail_enhance_with_both_checks_names_the_edited_photo(sample_analysis):
    """cv2.detailEnhance trips both checks on the sample (texture 0.50, tone 1.28) with a shading share below 0.5
    (rule D alone: 'smoothed', the untouched photo); its edges rose with its texture: the edited photo is named,
    by the fine-contrast and the tone message, and no photo 'smoothed'."""
    a = sample_analysis
    b = _variant(a, cv2.cvtColor(cv2.detailEnhance(cv2.cvtColor(a.photo.rgb, cv2.COLOR_RGB2BGR), sigma_s=10,
                                                   sigma_r=0.15), cv2.COLOR_BGR2RGB))
    texture, tone = smoothed_skin(a, b), tone_mapping_ratio(a, b)
    assert texture < MIN_SKIN_TEXTURE_RATIO and tone > MAX_LOCAL_CONTRAST_RATIO
    assert gain_shading_share(a, b) < MIN_GAIN_SHADING_SHARE <= MIN_EDGE_GAIN_SHARE <= edge_gain_share(a, b)
    assert fold_cause(a, b, texture, tone) == "contrast"
    c = compare_photos(a, b)
    assert any(m.startswith(MSG_FINE_CONTRAST) and "(the after photo:" in m for m in c.messages), c.messages
    assert any(m.startswith(f"the after photo {MSG_TONE_MAPPED}") for m in c.messages), c.messages
    assert not any(m.startswith(MSG_SMOOTHED) for m in c.messages), c.messages
    assert set(_fold_verdicts(c).values()) == {UNCERTAIN}


def test_skin_edges_scale_with_a_linear_gain_and_keep_under_edge_preserving_smoothing(sample_04):
    """skin_edges (99th percentile of the 0.4-0.8 mm band): a linear gain of the picture's deviations from its
    3-mm blur multiplies it about as the gain (x 1.5, less what clips at 0 and 255); a bilateral filter, which removes the faint texture, keeps most of it."""
    a = sample_04
    x = a.photo.rgb.astype(np.float32)
    blur = cv2.GaussianBlur(x, (0, 0), 3.0 / a.frame.mm_per_px)  # the 0.4-0.8 mm band lies far inside 3 mm
    gained = np.clip(blur + 1.5 * (x - blur), 0, 255).astype(np.uint8)
    e = lambda im: skin_edges(im, a.points, a.frame.mm_per_px)  # noqa: E731
    t = lambda im: skin_texture(im, a.points, a.frame.mm_per_px)  # noqa: E731
    assert e(gained) / e(a.photo.rgb) > 1.3
    smooth = cv2.bilateralFilter(a.photo.rgb, 0, 60, 3.0 / a.frame.mm_per_px)
    assert t(smooth) / t(a.photo.rgb) < 0.7 and e(smooth) / e(a.photo.rgb) > 0.9


@pytest.mark.parametrize("textures, shadings, edges, cause, both", [
    # the shading share below 0.5 (0.32), the edges rose with the texture (share 1): sharpened; with the tone
    # check too (rule D's branch, the smoother photo the lower in local contrast): the same, not 'smoothing'
    ((1.0, 0.5), (1.0, 0.8), (1.0, 0.5), "contrast", "contrast"),
    ((0.5, 1.0), (0.8, 1.0), (0.5, 1.0), "contrast", "contrast"),  # the photos swapped
    ((1.0, 0.5), (1.0, 0.8), (1.0, 0.97), "", "smoothing"),  # the edges kept: smoothing, as before
    ((1.0, 0.5), (1.0, 0.8), (1.0, float("nan")), "", "smoothing"),  # unread: smoothing, as before
    ((1.0, 0.5), (1.0, 0.7), (1.0, 0.97), "contrast", "tone"),  # the shading share (0.51) decides first: as before
])
def test_the_edge_share_names_sharpening_where_the_shading_reads_smoothing(monkeypatch, textures, shadings, edges,
                                                                          cause, both):
    import importlib

    G = importlib.import_module("facemetrics.compare.skin")  # fold_cause and its readings (out of gate.py)
    monkeypatch.setattr(G, "skin_textures", lambda a, b: textures)
    monkeypatch.setattr(G, "skin_shadings", lambda a, b: shadings)
    monkeypatch.setattr(G, "skin_edge_levels", lambda a, b: edges)
    texture = min(textures) / max(textures)
    assert G.fold_cause(None, None, texture, 1.1) == cause  # the texture check alone
    lower = (0.10, 0.125) if textures[0] < textures[1] else (0.125, 0.10)  # the smoother photo the lower
    monkeypatch.setattr(G, "local_contrasts", lambda a, b: lower)
    assert G.fold_cause(None, None, texture, 1.25) == both
