"""The flow's reduced-resolution geometry (:mod:`facemetrics.align`, issue 12): exact checks."""

from __future__ import annotations

import numpy as np

from facemetrics.align import expand_flow, reduce_half


def test_reduce_half_is_the_mean_of_each_2x2_block_with_odd_edges_repeated():
    img = np.arange(5 * 7, dtype=np.float32).reshape(5, 7)
    half = reduce_half(img)
    assert half.shape == (3, 4)
    np.testing.assert_allclose(half[0, 0], img[:2, :2].mean())
    np.testing.assert_allclose(half[1, 2], img[2:4, 4:6].mean())
    np.testing.assert_allclose(half[2, 3], img[4, 6])  # the last row and column repeated


def test_expand_flow_scales_displacements_and_keeps_pixel_centres():
    rows, cols = 40, 50
    # a flow on the half grid that is linear in position: half px (i, j) -> (i, 2 j)
    j, i = np.mgrid[0:rows // 2, 0:cols // 2].astype(np.float32)
    half = np.stack([i, 2 * j], axis=-1)
    full = expand_flow(half, (rows, cols))
    assert full.shape == (rows, cols, 2) and full.dtype == np.float32
    # full px x sits at half px (x - 0.5) / 2; displacements double
    y, x = np.mgrid[0:rows, 0:cols].astype(np.float32)
    inside = (x >= 1) & (x <= cols - 2) & (y >= 1) & (y <= rows - 2)
    np.testing.assert_allclose(full[..., 0][inside], (2 * (x - 0.5) / 2)[inside], atol=1e-3)
    np.testing.assert_allclose(full[..., 1][inside], (2 * 2 * (y - 0.5) / 2)[inside], atol=1e-3)


def test_reduce_then_expand_recovers_a_smooth_field():
    rows, cols = 64, 48
    y, x = np.mgrid[0:rows, 0:cols].astype(np.float32)
    field = np.stack([0.02 * x + 0.01 * y, -0.03 * y + 1.0], axis=-1)
    back = expand_flow(reduce_half(field) / 2, (rows, cols))
    np.testing.assert_allclose(back[2:-2, 2:-2], field[2:-2, 2:-2], atol=1e-4)
