"""facemetrics.interpolate: the depth map's triangulation and interpolation, against SciPy."""

from __future__ import annotations

import numpy as np
import pytest

from facemetrics.interpolate import delaunay, linear_on_lattice, nearest_on_lattice

scipy_interpolate = pytest.importorskip("scipy.interpolate")
scipy_spatial = pytest.importorskip("scipy.spatial")


def _cloud(seed: int, n: int = 300) -> np.ndarray:
    rng = np.random.default_rng(seed)
    # a face-sized, unevenly dense cloud (denser in the middle, as the mesh is)
    return np.concatenate([rng.normal(0, 25, (n // 2, 2)), rng.uniform(-70, 70, (n - n // 2, 2))])


def _lattice(step: float = 1.0):
    return np.arange(-90.0, 90.0 + 1e-9, step), np.arange(-80.0, 100.0 + 1e-9, step)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_delaunay_triangles_are_scipys(seed):
    pts = _cloud(seed)
    ours = {tuple(sorted(t)) for t in delaunay(pts)}
    theirs = {tuple(sorted(t)) for t in scipy_spatial.Delaunay(pts.astype(np.float32).astype(np.float64)).simplices}
    assert ours == theirs


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_linear_and_nearest_equal_scipys_interpolators(seed):
    pts = _cloud(seed)
    vals = np.random.default_rng(seed + 10).normal(0, 20, len(pts))
    xs, ys = _lattice(0.7)
    mx, my = np.meshgrid(xs, ys)
    tri = delaunay(pts)
    lin = linear_on_lattice(pts, vals, tri, xs, ys)
    ref = scipy_interpolate.LinearNDInterpolator(pts, vals)(mx, my)
    outside = ~np.isfinite(lin)
    assert 0 < outside.sum() < outside.size
    np.testing.assert_array_equal(outside, ~np.isfinite(ref))
    np.testing.assert_allclose(lin[~outside], ref[~outside], rtol=0, atol=1e-9)
    near = nearest_on_lattice(pts, tri, xs, ys, outside)
    ref_near = scipy_interpolate.NearestNDInterpolator(pts, np.arange(len(pts)))(mx[outside], my[outside])
    np.testing.assert_array_equal(near, ref_near)


def test_a_plane_is_reproduced_exactly_inside_the_hull():
    pts = _cloud(5)
    plane = 0.3 * pts[:, 0] - 1.7 * pts[:, 1] + 4.0
    xs, ys = _lattice()
    got = linear_on_lattice(pts, plane, delaunay(pts), xs, ys)
    mx, my = np.meshgrid(xs, ys)
    inside = np.isfinite(got)
    np.testing.assert_allclose(got[inside], (0.3 * mx - 1.7 * my + 4.0)[inside], atol=1e-9)


def test_lattice_points_on_the_data_points_take_their_values():
    xs, ys = _lattice(1.0)
    pts = np.array([[0.0, 0.0], [10.0, 0.0], [0.0, 10.0], [10.0, 10.0], [5.0, 5.0]])
    vals = np.array([1.0, 2.0, 3.0, 4.0, 9.0])
    got = linear_on_lattice(pts, vals, delaunay(pts), xs, ys)
    for (x, y), v in zip(pts, vals):
        assert got[np.searchsorted(ys, y), np.searchsorted(xs, x)] == pytest.approx(v, abs=1e-12)
    # outside the square: nothing; the nearest point of a far corner is that corner
    assert np.isnan(got[0, 0])
    far = np.zeros_like(got, bool)
    far[-1, -1] = True
    assert nearest_on_lattice(pts, delaunay(pts), xs, ys, far).tolist() == [3]


def test_coincident_and_collinear_points_do_not_break_it():
    pts = _cloud(7, 60)
    dup = np.concatenate([pts, pts[:5]])  # five points given twice
    tri = delaunay(dup)
    assert tri.max() < len(pts)  # of coincident points the first is used
    assert {tuple(sorted(t)) for t in tri} == {tuple(sorted(t)) for t in delaunay(pts)}
    line = np.stack([np.linspace(-50, 50, 20), np.linspace(-20, 30, 20)], axis=1)
    xs, ys = _lattice(5.0)
    flat = linear_on_lattice(line, np.arange(20.0), delaunay(line), xs, ys)
    assert np.isnan(flat).all()  # no area: every lattice point is outside
    near = nearest_on_lattice(line, delaunay(line), xs, ys, np.ones((len(ys), len(xs)), bool))
    mx, my = np.meshgrid(xs, ys)
    brute = np.argmin((mx.ravel()[:, None] - line[:, 0]) ** 2 + (my.ravel()[:, None] - line[:, 1]) ** 2, axis=1)
    d_near = np.hypot(mx.ravel() - line[near, 0], my.ravel() - line[near, 1])
    d_brute = np.hypot(mx.ravel() - line[brute, 0], my.ravel() - line[brute, 1])
    np.testing.assert_allclose(d_near, d_brute, atol=1e-9)
