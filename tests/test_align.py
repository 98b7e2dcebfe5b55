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


# --- issue 12, compare_photos' speed: the faster forms give the same values, bit for bit ---


def test_sample_upto_is_the_top_left_part_of_the_whole_sample():
    """``sample(upto=)`` (the flow passes' boxes) equals the whole grid's sample cut to that part,
    with and without the area reduction of a coarser grid, colour and grey."""
    from facemetrics.align import sample

    rng = np.random.default_rng(5)
    img = rng.integers(0, 256, (300, 400, 3), dtype=np.uint8)
    for k in (0.8, 1.3, 2.5):  # source px per grid px (2.5: INTER_AREA first)
        th = 0.07
        m = np.array([[k * np.cos(th), -k * np.sin(th), 31.3], [k * np.sin(th), k * np.cos(th), 17.8]])
        for src in (img, img[..., 1]):
            whole = sample(src, m, (97, 113))
            for upto in ((97, 113), (50, 60), (1, 113), (97, 7), (200, 200)):
                part = sample(src, m, (97, 113), upto=upto)
                np.testing.assert_array_equal(part, whole[:upto[0], :upto[1]])


def test_expand_flow_into_a_view_equals_the_plain_result():
    rng = np.random.default_rng(6)
    for rows, cols in ((40, 50), (41, 51)):
        half = rng.normal(0, 2, ((rows + 1) // 2, (cols + 1) // 2, 2)).astype(np.float32)
        big = np.full((rows + 9, cols + 4, 2), np.nan, np.float32)
        got = expand_flow(half, (rows, cols), out=big[3:3 + rows, 1:1 + cols])
        np.testing.assert_array_equal(got, expand_flow(half, (rows, cols)))
        np.testing.assert_array_equal(big[3:3 + rows, 1:1 + cols], got)
        assert np.isnan(big[:3]).all() and np.isnan(big[:, :1]).all()  # nothing written outside


def test_replicate_edges_is_copy_make_border():
    import cv2

    from facemetrics.align import _replicate_edges

    rng = np.random.default_rng(7)
    for c0, r0, c1, r1 in ((3, 4, 20, 15), (0, 0, 25, 18), (0, 5, 9, 18), (24, 17, 25, 18)):
        a = rng.normal(size=(18, 25, 2)).astype(np.float32)
        ref = cv2.copyMakeBorder(a[r0:r1, c0:c1], r0, 18 - r1, c0, 25 - c1, cv2.BORDER_REPLICATE)
        _replicate_edges(a, (c0, r0, c1, r1))
        np.testing.assert_array_equal(a, ref)


def test_normalise_in_place_equals_the_written_out_expression():
    import cv2

    from facemetrics.align import NORMALISE_FLOOR, normalise

    rng = np.random.default_rng(8)
    for shape, sigma in (((60, 70, 3), 5.0), ((33, 41, 3), 2.5)):
        rgb = cv2.GaussianBlur(rng.integers(0, 256, shape, dtype=np.uint8), (0, 0), 1.0)
        g = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY).astype(np.float32)
        d = g - cv2.GaussianBlur(g, (0, 0), sigma)
        sd = np.sqrt(cv2.GaussianBlur(d * d, (0, 0), sigma))
        ref = np.clip(128.0 + 42.0 * (d / np.maximum(sd, NORMALISE_FLOOR)), 0, 255).astype(np.uint8)
        np.testing.assert_array_equal(normalise(rgb, sigma), ref)


def test_reduce_by_three_and_expand_keep_block_means_and_pixel_centres():
    """``factor=3`` (a coarser flow grid): 3 x 3 block means with the last rows/columns repeated,
    and the enlargement maps full px x to reduced px (x + 0.5) / 3 - 0.5, displacements tripled."""
    img = np.arange(7 * 8, dtype=np.float32).reshape(7, 8)
    small = reduce_half(img, 3)
    assert small.shape == (3, 3)
    np.testing.assert_allclose(small[0, 0], img[:3, :3].mean())
    np.testing.assert_allclose(small[1, 1], img[3:6, 3:6].mean())
    padded = np.pad(img, ((0, 2), (0, 1)), mode="edge")
    np.testing.assert_allclose(small[2, 2], padded[6:9, 6:9].mean())
    rows, cols = 45, 36
    j, i = np.mgrid[0:rows // 3, 0:cols // 3].astype(np.float32)
    full = expand_flow(np.stack([i, 2 * j], axis=-1), (rows, cols), factor=3)
    y, x = np.mgrid[0:rows, 0:cols].astype(np.float32)
    inside = (x >= 2) & (x <= cols - 3) & (y >= 2) & (y <= rows - 3)
    np.testing.assert_allclose(full[..., 0][inside], (3 * ((x + 0.5) / 3 - 0.5))[inside], atol=1e-3)
    np.testing.assert_allclose(full[..., 1][inside], (3 * 2 * ((y + 0.5) / 3 - 0.5))[inside], atol=1e-3)


def test_register_with_the_before_part_prepared_equals_the_plain_call(sample_analysis):
    """``register(prepared=prepare_before(...))`` (the before photo's part made once) gives the
    plain call's values bit for bit."""
    import cv2

    from facemetrics import align as al

    a = sample_analysis
    grid = al.make_grid(a.points, a.frame)
    pts_g = grid.from_px(a.points[:, :2])
    h, w = a.photo.rgb.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), 1.5, 1.02)
    after = cv2.warpAffine(a.photo.rgb, m, (w, h), borderMode=cv2.BORDER_REFLECT)
    land = al.invert(np.vstack([m, [0, 0, 1]])[:2])  # after px -> before px
    plain = al.register(a.photo.rgb, after, grid, pts_g, land)
    pre = al.prepare_before(a.photo.rgb, grid, pts_g)
    assert not pre.before_grid.flags.writeable and len(pre.boxes) == len(pre.flow_images) == 2
    for _ in range(2):
        got = al.register(None, after, grid, pts_g, land, prepared=pre)
        for name in ("grid_to_after", "landmark_grid_to_after", "before_grid", "after_grid", "flow", "rigid"):
            np.testing.assert_array_equal(getattr(got, name), getattr(plain, name))
        assert got.residual_px == plain.residual_px and got.n_fit == plain.n_fit
    assert np.abs(plain.flow).max() > 0.1  # a real registration, not a trivial one
