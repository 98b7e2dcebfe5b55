"""Scattered-data interpolation on a regular lattice, without SciPy.

The comparison's depth map (:func:`facemetrics.pose3d.depth_map`) interpolates
the Face Mesh depth, piecewise linearly over a Delaunay triangulation of the
mesh points and nearest-point outside their convex hull: SciPy's
``interpolate.LinearNDInterpolator`` and ``NearestNDInterpolator``.  Importing
``scipy.interpolate`` (which imports ``scipy.optimize``) cost about 0.35 s of
CPU in every process that compares photos, for an interpolation that takes a
few milliseconds; these functions give the same values (to float rounding,
``tests/test_interpolate.py`` checks them against SciPy) with OpenCV's
Delaunay triangulation (``cv2.Subdiv2D``) and NumPy.

Coordinates are ``(x, y)`` pairs (here levelled ``(u, v)`` mm); lattices are
given by their ``x`` and ``y`` sample positions, results are ``(rows, cols)``
= ``(len(ys), len(xs))``.
"""

from __future__ import annotations

import cv2
import numpy as np

#: barycentric tolerance: a lattice point this far outside a triangle (in barycentric units)
#: still counts as inside (SciPy's ``find_simplex`` uses ``100 * DBL_EPSILON``)
_INSIDE_EPS = 1e-10
#: ``cv2.Subdiv2D``'s bounding square, in multiples of the points' extent (:func:`delaunay`)
_SUBDIV_MARGIN = 1000.0


def _keys(xy: np.ndarray) -> np.ndarray:
    """One uint64 per float32 ``(x, y)`` pair (its two bit patterns): exact-match keys."""
    b = np.ascontiguousarray(xy, dtype=np.float32).view(np.uint32).astype(np.uint64)
    return (b[..., 0] << np.uint64(32)) | b[..., 1]


def _subdiv_triangles(p32: np.ndarray, margin: float) -> np.ndarray:
    """``cv2.Subdiv2D`` triangles of float32 points, as point indices, in a bounding square
    ``margin`` times the points' extent on each side."""
    centre = (p32.min(axis=0).astype(np.float64) + p32.max(axis=0)) / 2.0
    half = margin * max(float((p32.max(axis=0) - p32.min(axis=0)).max()), 1.0)
    sub = cv2.Subdiv2D((int(np.floor(centre[0] - half)), int(np.floor(centre[1] - half)),
                        int(np.ceil(2 * half)), int(np.ceil(2 * half))))
    sub.insert(p32)
    # only triangles of the points themselves (an empty tuple when there is none)
    corners = np.asarray(sub.getTriangleList(), dtype=np.float32).reshape(-1, 3, 2)
    keys = _keys(p32)
    order = np.argsort(keys, kind="stable")
    pos = np.searchsorted(keys[order], _keys(corners))
    return order[np.minimum(pos, len(order) - 1)]


def _area(p: np.ndarray, tri: np.ndarray) -> float:
    e0, e1 = p[tri[:, 1]] - p[tri[:, 0]], p[tri[:, 2]] - p[tri[:, 0]]
    return float(np.abs(e0[:, 0] * e1[:, 1] - e1[:, 0] * e0[:, 1]).sum() / 2.0)


def delaunay(points: np.ndarray) -> np.ndarray:
    """Delaunay triangulation of 2-D points (OpenCV's ``Subdiv2D``).

    ``Subdiv2D`` starts from a triangle around its bounding rectangle; when
    that is near the points, thin triangles along the convex hull are lost to
    it (30 of 284 random clouds and Face Mesh point sets with a square 20
    times their extent, 7 with 100 times, none with 1000 times).  So the rectangle is
    :data:`_SUBDIV_MARGIN` times the extent, and if the triangles still do not
    cover the convex hull, the triangulation is repeated with a larger one.

    Parameters
    ----------
    points : ndarray, shape (n, 2)
        ``(x, y)``; the triangulation is computed on their float32 values.

    Returns
    -------
    ndarray, shape (T, 3), intp
        Each triangle's three point indices.  For points in general position these are
        the triangles of ``scipy.spatial.Delaunay(points).simplices`` (in another order); of
        coincident points the first is used.
    """
    p32 = np.asarray(points, dtype=np.float64)[:, :2].astype(np.float32)
    p = p32.astype(np.float64)
    hull = float(cv2.contourArea(cv2.convexHull(p32)))
    for margin in (_SUBDIV_MARGIN, 100.0 * _SUBDIV_MARGIN):
        tri = _subdiv_triangles(p32, margin)
        if abs(_area(p, tri) - hull) <= 1e-9 * max(hull, 1.0):
            break
    return tri


def linear_on_lattice(points: np.ndarray, values: np.ndarray, triangles: np.ndarray, xs: np.ndarray,
                      ys: np.ndarray) -> np.ndarray:
    """Piecewise-linear interpolation over triangles at every lattice point.

    Parameters
    ----------
    points : ndarray, shape (n, 2)
        ``(x, y)`` of the data points.
    values : ndarray, shape (n,)
    triangles : ndarray, shape (T, 3)
        From :func:`delaunay`.
    xs, ys : ndarray, shapes (cols,), (rows,)
        Increasing, evenly spaced lattice positions.

    Returns
    -------
    ndarray, shape (rows, cols), float64
        The barycentric interpolation in the triangle holding each lattice point
        (``LinearNDInterpolator(points, values)`` on the lattice, to float rounding); NaN
        outside the triangles' union (the convex hull).
    """
    p = np.asarray(points, dtype=np.float64)[:, :2]
    val = np.asarray(values, dtype=np.float64)
    xs, ys = np.asarray(xs, dtype=np.float64), np.asarray(ys, dtype=np.float64)
    rows, cols = len(ys), len(xs)
    out = np.full((rows, cols), np.nan)
    if len(triangles) == 0 or rows < 1 or cols < 1:
        return out
    dx = xs[1] - xs[0] if cols > 1 else 1.0
    dy = ys[1] - ys[0] if rows > 1 else 1.0
    corner = p[triangles]  # (T, 3, 2)
    # the lattice points inside each triangle's bounding box, all triangles at once
    i0 = np.clip(np.ceil((corner[..., 0].min(1) - xs[0]) / dx - 1e-9), 0, cols).astype(np.intp)
    i1 = np.clip(np.floor((corner[..., 0].max(1) - xs[0]) / dx + 1e-9), -1, cols - 1).astype(np.intp)
    j0 = np.clip(np.ceil((corner[..., 1].min(1) - ys[0]) / dy - 1e-9), 0, rows).astype(np.intp)
    j1 = np.clip(np.floor((corner[..., 1].max(1) - ys[0]) / dy + 1e-9), -1, rows - 1).astype(np.intp)
    wi, wj = np.maximum(i1 - i0 + 1, 0), np.maximum(j1 - j0 + 1, 0)
    n = wi * wj
    t = np.repeat(np.arange(len(triangles)), n)
    k = np.arange(int(n.sum())) - np.repeat(np.cumsum(n) - n, n)
    ii = i0[t] + k % wi[t]
    jj = j0[t] + k // wi[t]
    a = corner[:, 0]
    e0, e1 = corner[:, 1] - a, corner[:, 2] - a
    den = e0[:, 0] * e1[:, 1] - e1[:, 0] * e0[:, 1]
    ok = den != 0  # a degenerate (flat) triangle holds no point of its own
    den = np.where(ok, den, 1.0)
    px, py = xs[ii] - a[t, 0], ys[jj] - a[t, 1]
    l1 = (px * e1[t, 1] - e1[t, 0] * py) / den[t]
    l2 = (e0[t, 0] * py - px * e0[t, 1]) / den[t]
    l0 = 1.0 - l1 - l2
    inside = (l0 >= -_INSIDE_EPS) & (l1 >= -_INSIDE_EPS) & (l2 >= -_INSIDE_EPS) & ok[t]
    tri = triangles[t[inside]]
    out[jj[inside], ii[inside]] = (l0[inside] * val[tri[:, 0]] + l1[inside] * val[tri[:, 1]]
                                   + l2[inside] * val[tri[:, 2]])
    return out


def _neighbours(triangles: np.ndarray, n: int) -> np.ndarray:
    """Each point's Delaunay neighbours, shape (n, 1 + max degree): the point itself first, then
    its neighbours, padded with itself."""
    e = np.concatenate([triangles[:, [0, 1]], triangles[:, [1, 2]], triangles[:, [2, 0]]]).astype(np.int64)
    key = np.unique(np.concatenate([e[:, 0] * n + e[:, 1], e[:, 1] * n + e[:, 0]]))  # both directions, once
    e = np.stack([key // n, key % n], axis=1)  # sorted by the first point
    deg = np.bincount(e[:, 0], minlength=n)
    out = np.repeat(np.arange(n)[:, None], int(deg.max(initial=0)) + 1, axis=1)
    first = np.cumsum(deg) - deg
    out[e[:, 0], np.arange(len(e)) - first[e[:, 0]] + 1] = e[:, 1]
    return out


def nearest_on_lattice(points: np.ndarray, triangles: np.ndarray, xs: np.ndarray, ys: np.ndarray,
                       mask: np.ndarray) -> np.ndarray:
    """Index of the nearest data point to each lattice point in ``mask``.

    A start from a distance transform of the points rounded to the lattice
    (``cv2.distanceTransformWithLabels``), then a greedy walk on the Delaunay
    graph: a point that is not the nearest one always has a Delaunay
    neighbour nearer the query, so the walk ends at the nearest point (as
    ``NearestNDInterpolator``'s k-d tree finds it; exact ties aside).  When
    some point is in no triangle (collinear or coincident points) every
    distance is computed instead.

    Parameters
    ----------
    points : ndarray, shape (n, 2)
        ``(x, y)``.
    triangles : ndarray, shape (T, 3)
        Their Delaunay triangles (:func:`delaunay`).
    xs, ys : ndarray, shapes (cols,), (rows,)
        Evenly spaced lattice positions.
    mask : ndarray, shape (rows, cols), bool
        The lattice points to answer.

    Returns
    -------
    ndarray, shape (mask.sum(),), intp
        In the row-major order of ``np.nonzero(mask)``.
    """
    p = np.asarray(points, dtype=np.float64)[:, :2]
    rows, cols = mask.shape
    jj, ii = np.nonzero(mask)
    if len(jj) == 0:
        return np.zeros(0, np.intp)
    qx, qy = np.asarray(xs, np.float64)[ii][:, None], np.asarray(ys, np.float64)[jj][:, None]
    tri = np.asarray(triangles, dtype=np.intp).reshape(-1, 3)
    if len(np.unique(tri)) < len(p):  # a point in no triangle (e.g. collinear points): no graph to walk
        best = np.empty(len(jj), np.intp)
        for s in range(0, len(jj), 4096):
            best[s:s + 4096] = np.argmin((qx[s:s + 4096] - p[:, 0]) ** 2 + (qy[s:s + 4096] - p[:, 1]) ** 2, axis=1)
        return best
    dx = xs[1] - xs[0] if cols > 1 else 1.0
    dy = ys[1] - ys[0] if rows > 1 else 1.0
    c = np.clip(np.rint((p[:, 0] - xs[0]) / dx), 0, cols - 1).astype(np.intp)
    r = np.clip(np.rint((p[:, 1] - ys[0]) / dy), 0, rows - 1).astype(np.intp)
    src = np.ones((rows, cols), np.uint8)
    src[r, c] = 0
    _, labels = cv2.distanceTransformWithLabels(src, cv2.DIST_L2, 5, labelType=cv2.DIST_LABEL_PIXEL)
    of_label = np.zeros(int(labels.max()) + 1, np.intp)
    of_label[labels[r, c]] = np.arange(len(p))
    cur = of_label[labels[jj, ii]]
    nb = _neighbours(tri, len(p))
    live = np.arange(len(cur))  # the queries whose walk has not ended
    for _ in range(len(p)):  # each step moves strictly nearer: at most n steps
        cand = nb[cur[live]]
        ddx, ddy = qx[live] - p[cand, 0], qy[live] - p[cand, 1]
        nxt = cand[np.arange(len(live)), np.argmin(ddx * ddx + ddy * ddy, axis=1)]  # the point itself wins ties
        moved = nxt != cur[live]
        if not moved.any():
            break
        cur[live[moved]] = nxt[moved]
        live = live[moved]
    return cur
