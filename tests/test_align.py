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


def test_expand_flow_equals_the_pixel_centre_warp():
    """The 2x enlargement (cv2.resize) gives the values of the explicit pixel-centre warp
    (full px x -> half px (x - 0.5) / 2), odd target sizes included."""
    import cv2

    rng = np.random.default_rng(3)
    for rows, cols in ((40, 50), (41, 50), (40, 51)):
        half = rng.normal(0, 2, ((rows + 1) // 2, (cols + 1) // 2, 2)).astype(np.float32)
        m = np.array([[0.5, 0.0, -0.25], [0.0, 0.5, -0.25]])
        ref = 2 * cv2.warpAffine(half, m, (cols, rows), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                                 borderMode=cv2.BORDER_REPLICATE)
        got = expand_flow(half, (rows, cols))
        assert got.shape == (rows, cols, 2) and got.flags.c_contiguous
        np.testing.assert_allclose(got, ref, atol=1e-5)


def test_nonzero_rc_is_np_nonzero():
    from facemetrics.align import nonzero_rc

    rng = np.random.default_rng(4)
    mask = rng.random((37, 53)) < 0.2
    for m in (mask, mask[::3, ::3], np.zeros((5, 6), bool)):
        r, c = nonzero_rc(m)
        r0, c0 = np.nonzero(m)
        np.testing.assert_array_equal(r, r0)
        np.testing.assert_array_equal(c, c0)


def test_robust_similarity_recovers_a_similarity_and_ignores_outliers():
    from facemetrics.align import apply, fit_similarity, robust_similarity

    rng = np.random.default_rng(5)
    src = rng.uniform(0, 200, (400, 2))
    ang, s = np.radians(2.0), 1.03
    true = np.array([[s * np.cos(ang), -s * np.sin(ang), 4.0], [s * np.sin(ang), s * np.cos(ang), -2.5]])
    dst = apply(true, src) + rng.normal(0, 0.05, src.shape)
    dst[:40] += rng.uniform(5, 20, (40, 2))  # 10 % gross outliers
    m, r = robust_similarity(src, dst)
    np.testing.assert_allclose(m[:, :2], true[:, :2], atol=2e-3)
    np.testing.assert_allclose(m[:, 2], true[:, 2], atol=0.05)
    assert r.shape == (400,) and np.median(r[40:]) < 0.1 and r[:40].min() > 3
    # the same iterations as the plain formulation (fit_similarity on (N, 2) arrays)
    w = np.ones(len(src))
    ref = fit_similarity(src, dst, w)
    for _ in range(8):
        rr = np.linalg.norm(dst - apply(ref, src), axis=1)
        z = rr / (4.685 * max(1.4826 * float(np.median(rr)), 1e-3))
        w = np.where(z < 1, (1 - z * z) ** 2, 0.0)
        ref = fit_similarity(src, dst, w)
    np.testing.assert_allclose(m, ref, rtol=0, atol=1e-9)
    # without outliers and with unit weights, the first fit is the least-squares similarity
    clean = apply(true, src)
    np.testing.assert_allclose(robust_similarity(src, clean)[0], fit_similarity(src, clean), atol=1e-9)


def test_fit_similarity_recovers_a_known_similarity_and_honours_weights():
    """Pure math against a transform made independently of the fit: exact on noise-free points,
    and points of zero weight do not count."""
    from facemetrics.align import apply, fit_similarity

    rng = np.random.default_rng(6)
    src = rng.uniform(-50, 150, (30, 2))
    ang, s = np.radians(-7.0), 0.91
    true = np.array([[s * np.cos(ang), -s * np.sin(ang), -12.0], [s * np.sin(ang), s * np.cos(ang), 33.0]])
    dst = apply(true, src)
    np.testing.assert_allclose(fit_similarity(src, dst), true, rtol=0, atol=1e-10)
    bad = dst.copy()
    bad[:5] += 40.0
    w = np.r_[np.zeros(5), np.ones(25)]
    np.testing.assert_allclose(fit_similarity(src, bad, w), true, rtol=0, atol=1e-10)
    assert np.abs(fit_similarity(src, bad) - true).max() > 1.0  # unweighted, the outliers pull


def test_identical_photos_give_exactly_zero_flow(sample_analysis):
    """Both photos' grid images are cropped alike in every pass (issue 12's boxes), so a photo
    registered onto itself moves nowhere."""
    from facemetrics import align as al

    a = sample_analysis
    grid = al.make_grid(a.points, a.frame)
    pts_g = grid.from_px(a.points[:, :2])
    reg = al.register(a.photo.rgb, a.photo.rgb, grid, pts_g, np.array([[1.0, 0, 0], [0, 1.0, 0]]))
    assert np.abs(reg.flow).max() < 1e-9
    np.testing.assert_array_equal(reg.before_grid, reg.after_grid)
