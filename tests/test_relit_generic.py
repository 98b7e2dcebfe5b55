"""simulate.relit(surface="generic", specular=, nose_shadow=): a second relighting surface the light check
(compare.light) does not share: a generic head placed from the two iris centres alone (docs/robustness.md "Light
from another side", "A second surface").  Its own properties: the face's mean luminance kept, the far side darker
under a side light, mirror symmetry, independence from Face Mesh's other landmarks, the nose's cast shadow."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from facemetrics import simulate as sim
from facemetrics.analyze import analyze_loaded

SHINY = dict(surface="generic", specular=0.3, nose_shadow=True)


def _variant(a, rgb):
    out = analyze_loaded(dataclasses.replace(a.photo, rgb=np.ascontiguousarray(rgb)))
    assert out.ok, out.error
    return out


def _linear_grey(rgb):
    return ((rgb.astype(np.float64) / 255.0) ** 2.2) @ np.array([0.299, 0.587, 0.114])


def _cheeks(a):
    """The photo's pixel boxes (rows, cols) of the subject's right and left cheek, 10 mm square around Face Mesh's
    points 50 and 280."""
    h = int(round(5.0 / a.frame.mm_per_px))
    out = []
    for k in (50, 280):
        x, y = np.round(a.points[k, :2]).astype(int)
        out.append((slice(y - h, y + h + 1), slice(x - h, x + h + 1)))
    return out


@pytest.fixture(scope="module")
def generic_side_lit(sample_analysis):
    """The sample on the generic head, lit from the image's right (the subject's left) 40 deg off the camera axis,
    with a highlight and the nose's shadow."""
    return sim.relit(sample_analysis, 40.0, **SHINY).image


@pytest.mark.parametrize("kw", [dict(surface="generic"), SHINY])
def test_the_face_mean_luminance_is_kept(sample_analysis, kw):
    out = _variant(sample_analysis, sim.relit(sample_analysis, -40.0, **kw).image)
    before, after = sample_analysis.quality.face_luminance, out.quality.face_luminance
    assert abs(after / before - 1.0) < 0.03, (before, after)


def test_the_far_side_darkens_under_a_side_light(sample_analysis, generic_side_lit):
    """A light from the subject's left: their left cheek brightens against the right one (the truth from a surface
    the check does not share), and the photo's background is left as it is."""
    g0, g1 = _linear_grey(sample_analysis.photo.rgb), _linear_grey(generic_side_lit)
    right, left = _cheeks(sample_analysis)
    r, l_ = g1[right].mean() / g0[right].mean(), g1[left].mean() / g0[left].mean()
    assert l_ > 1.0 > r and l_ / r > 1.2, (r, l_)
    assert np.array_equal(generic_side_lit[:5, :5], sample_analysis.photo.rgb[:5, :5])


def test_a_mirrored_photo_lit_from_plus_a_is_the_mirror_of_the_photo_lit_from_minus_a(sample_analysis):
    mirrored = _variant(sample_analysis, sample_analysis.photo.rgb[:, ::-1])
    for kw in (dict(surface="generic"), SHINY):
        lhs = sim.relit(mirrored, 30.0, **kw).image.astype(np.float64)
        rhs = sim.relit(sample_analysis, -30.0, **kw).image[:, ::-1].astype(np.float64)
        opposite = sim.relit(sample_analysis, 30.0, **kw).image[:, ::-1].astype(np.float64)
        # the two iris centres Face Mesh finds on the flipped photo are not exactly the flipped ones: close, not equal
        assert np.abs(lhs - rhs).mean() < 0.5, np.abs(lhs - rhs).mean()
        assert np.abs(lhs - opposite).mean() > 4.0 * np.abs(lhs - rhs).mean()


def test_the_generic_surface_reads_the_iris_centres_alone(sample_analysis):
    """Face Mesh's other landmarks (and every z) scrambled: the same picture; an iris moved: another one."""
    rng = np.random.default_rng(0)
    p = np.array(sample_analysis.points, dtype=np.float64)
    scrambled = p.copy()
    keep = np.zeros(len(p), bool)
    keep[[468, 473]] = True
    scrambled[~keep] += rng.normal(0.0, 40.0, size=scrambled[~keep].shape)
    scrambled[:, 2] = rng.normal(0.0, 100.0, size=len(p))
    other = dataclasses.replace(sample_analysis, points=scrambled)
    ref = sim.relit(sample_analysis, 40.0, surface="generic").image
    assert np.array_equal(sim.relit(other, 40.0, surface="generic").image, ref)
    moved = p.copy()
    moved[473, :2] += (0.0, 20.0)
    assert not np.array_equal(sim.relit(dataclasses.replace(sample_analysis, points=moved), 40.0,
                                        surface="generic").image, ref)
    # the mesh surface does read them (the assumption the generic one does not share)
    assert not np.array_equal(sim.relit(other, 40.0).image, sim.relit(sample_analysis, 40.0).image)


def test_the_nose_casts_a_shadow_on_the_far_side(sample_analysis, generic_side_lit):
    """Lit from the subject's left (and 15 deg from above), the nose's shadow falls on its right, below the nose's
    tip: 15 mm to the subject's right of the midline, 50 mm below the eye line (the fold's upper end) the shadowed
    rendering is darker than the one without; at the mirror point it is not."""
    plain = sim.relit(sample_analysis, 40.0, surface="generic", specular=0.3).image
    g_plain, g_shadow = _linear_grey(plain), _linear_grey(generic_side_lit)
    a = sample_analysis
    mm = a.frame.mm_per_px
    right_iris, left_iris = a.points[468, :2], a.points[473, :2]
    mid = (right_iris + left_iris) / 2.0
    eu = (left_iris - right_iris) / np.linalg.norm(left_iris - right_iris)
    ev = np.array([-eu[1], eu[0]]) * (1 if eu[0] > 0 else -1)
    x, y = np.round(mid - eu * 15.0 / mm + ev * 50.0 / mm).astype(int)
    x2, y2 = np.round(mid + eu * 15.0 / mm + ev * 50.0 / mm).astype(int)
    h = max(int(round(2.0 / mm)), 1)
    box = (slice(y - h, y + h + 1), slice(x - h, x + h + 1))
    box2 = (slice(y2 - h, y2 + h + 1), slice(x2 - h, x2 + h + 1))
    assert g_shadow[box].mean() < 0.85 * g_plain[box].mean(), (g_shadow[box].mean(), g_plain[box].mean())
    assert g_shadow[box2].mean() > 0.97 * g_plain[box2].mean()  # the lit side keeps its light (the mean's scale aside)


def test_bad_options_are_refused(sample_analysis):
    with pytest.raises(ValueError, match="surface"):
        sim.relit(sample_analysis, 20.0, surface="sphere")
    with pytest.raises(ValueError, match="nose_shadow"):
        sim.relit(sample_analysis, 20.0, nose_shadow=True)
    with pytest.raises(ValueError, match="specular"):
        sim.relit(sample_analysis, 20.0, surface="generic", specular=-0.1)
