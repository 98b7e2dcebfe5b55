"""Rigid alignment of two photos of one face, and the dense displacement
between them, on a work grid at a fixed physical resolution.

Coordinates
-----------
The *work grid* is the before photo resampled into its own eye-levelled
frame (:class:`facemetrics.geometry.Frame`): grid pixel ``(col, row)`` is at
``u = u0 + col * res_mm``, ``v = v0 + row * res_mm`` (millimetres, ``u``
along the pupil line towards the image right, ``v`` down the face).  Grid
images are indexed ``img[row, col]``; every 2-D point array here is
``(x, y) = (col, row)``, never ``(row, col)``.  Because the grid has a fixed
mm per pixel (:data:`WORK_MM_PER_PX`), the flow and everything measured from
it is independent of the photos' resolution, and a 12 MP photo costs no more
than a 1 MP one.

Method
------
1. A similarity (rotation, uniform scale, translation) is fitted by least
   squares to the rigid upper-face landmarks
   (:data:`facemetrics.geometry.RIGID_UPPER`) of the two photos: the first
   alignment.  Its error is the landmark jitter (~1 % of the inter-pupil
   distance), magnified towards the jaw.
2. Both photos are resampled onto the grid (the after photo through the
   current alignment), reduced 2 x 2 to :data:`FLOW_MM_PER_PX`, converted to
   locally contrast-normalised grey images (:func:`normalise`, which removes
   brightness, gamma and white-balance differences), and the dense optical
   flow from before to after is computed with DIS (:func:`dense_flow`;
   Kroeger et al. 2016, ref. [1]) and interpolated back to the grid.  The
   first pass, which only refines the alignment, stops one pyramid level
   coarser (:data:`FIRST_PASS_FINEST_SCALE`) and sees only the box around
   the rigid mask (:data:`FIRST_PASS_MARGIN_MM`); the last pass sees the box
   around the face (:data:`FINAL_PASS_MARGIN_MM`), outside which the flow is
   its edge extended.  Both grid images are cropped alike, so a photo
   registered onto itself gives exactly zero flow.  The before photo's part
   (its grid image, mask, boxes and flow images) depends on it alone
   (:func:`prepare_before`) and can serve several after photos.
3. A similarity is fitted robustly (Tukey biweight, iteratively reweighted
   least squares) to the flow vectors inside the rigid upper-face mask
   (forehead, brows, nasal bridge, the skin around the eye corners; the eyes
   themselves excluded, :func:`rigid_mask`; with no iris visible in a photo of the pair, dark glasses, the
   lenses' area too, :func:`without_lenses`) and composed with the alignment.
   Steps 2-3 run :data:`REFINE_PASSES` times; the flow of the last pass,
   minus the last fitted similarity, is the *residual displacement*: how the
   skin moved relative to the rigid upper face, in mm of the before photo.

ECC (``cv2.findTransformECC``, Evangelidis & Psarakis 2008, ref. [3]) on the
same mask would refine the similarity too; the flow-based fit is used because
the same dense flow then also gives the lifts, and the robust fit ignores hair
moving over the forehead.

References
----------
.. [1] Kroeger T, Timofte R, Dai D, Van Gool L (2016). Fast optical flow
   using dense inverse search. ECCV 2016, LNCS 9908:471-488.
.. [2] Umeyama S (1991). Least-squares estimation of transformation
   parameters between two point patterns. IEEE TPAMI 13(4):376-380.
.. [3] Evangelidis GD, Psarakis EZ (2008). Parametric image alignment using
   enhanced correlation coefficient maximization. IEEE TPAMI
   30(10):1858-1865.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import cv2
import numpy as np

from .filters import dilate_disc
from .geometry import (
    BROW_LEFT, BROW_RIGHT, LEFT_EYE_CONTOUR, LEFT_IRIS, NASAL_BRIDGE, RIGHT_EYE_CONTOUR, RIGHT_IRIS, RIGID_ABOVE_NOSE,
    TEMPLES, Frame,
)

#: physical resolution of the work grid, mm per grid pixel
WORK_MM_PER_PX = 0.25
#: margin around the face landmarks covered by the grid (sides, top), mm
GRID_MARGIN_MM = 10.0
#: extra grid below the lowest landmark (the chin), mm: the neck under the jaw
GRID_BELOW_CHIN_MM = 20.0
#: the flow images are the grid images reduced this many times in each direction (block means,
#: :func:`reduce_half`; 3, 0.75 mm per px, failed the accuracy gate: docs/speed.md)
FLOW_REDUCTION = 2
#: resolution at which the dense flow is computed, mm per px: the grid images reduced 2 x 2
#: (:func:`reduce_half`).  DIS always refined the flow at this resolution (finest pyramid
#: scale 1 on the grid); reducing the images first makes the normalisation and the pyramid
#: cost a quarter (issue 12; accuracy re-measured in docs/compare.md)
FLOW_MM_PER_PX = FLOW_REDUCTION * WORK_MM_PER_PX
#: finest DIS pyramid scale of the first (alignment-only) pass on the flow images: 1 = 1 mm
#: per px; its flow only refines the similarity on the rigid upper face
FIRST_PASS_FINEST_SCALE = 1
#: finest DIS pyramid scale of the final pass on the flow images: 0 = the flow images' own
#: resolution (:data:`FLOW_MM_PER_PX`)
FINAL_PASS_FINEST_SCALE = 0
#: DIS settings (Kroeger et al. 2016, ref. [1]; OpenCV's MEDIUM preset, then these): patch size
#: and stride (flow px), gradient-descent iterations per patch, variational refinement iterations
#: per pyramid level.  Stride 4 and 12 iterations (were 3 and 25: the DIS passes' CPU x 0.72)
#: chosen by issue 12's sweep on the tuning faces, every accuracy gate within its noise
#: (docs/speed.md, "Fourth round (stop 19): the flow's resolution")
DIS_PATCH_SIZE = 8
DIS_PATCH_STRIDE = 4
DIS_GD_ITERATIONS = 12
DIS_VARIATIONAL_ITERATIONS = 5
#: Gaussian scale of the local contrast normalisation, mm
NORMALISE_SIGMA_MM = 2.5
#: floor of the local standard deviation in the normalisation, grey levels
#: (keeps sensor noise in flat skin from being amplified into texture)
NORMALISE_FLOOR = 2.0
#: margin around the rigid upper-face mask's box that the alignment-only passes compute the
#: flow on, mm
FIRST_PASS_MARGIN_MM = 8.0
#: margin around the face (convex hull of the mesh) that the final pass computes the flow on,
#: mm (outside that box the flow is its edge extended: nothing is measured there)
FINAL_PASS_MARGIN_MM = 5.0
#: flow + similarity refinement passes after the landmark alignment
REFINE_PASSES = 2
#: points of the rigid mask used for the similarity fit: one every this many grid px
FIT_STRIDE_PX = 3
#: fewer flow samples than this in the rigid mask: the alignment is refused
MIN_FIT_POINTS = 50
#: Tukey biweight tuning constant, in robust standard deviations (MAD * 1.4826): 95 % Gaussian efficiency
TUKEY_C = 4.685

#: half-width of the nasal-bridge strip, mm
BRIDGE_HALF_WIDTH_MM = 6.0
#: eyes (lids, iris, lashes) are excluded from the rigid mask with this margin, mm
EYE_MARGIN_MM = 3.0
#: with no iris visible in a photo of the pair (dark glasses), the area a sunglasses lens may cover is left out
#: of the rigid mask as well (:func:`lens_mask`): an ellipse about each pupil point of this half-width and
#: half-height, in units of the before photo's pupil distance (IPD).  Written down before any run from real frame
#: sizes, not from the painted lenses of the benches: sunglasses lenses are 50-62 mm wide and 35-50 mm high
#: (frame "eye size", ISO 8624 boxing) about centres near the pupils, i.e. up to ~0.45 x 0.35 of a 63 mm IPD;
#: the two ellipses then leave ~0.1 IPD of the nasal bridge between them
LENS_HALF_WIDTH_IPD = 0.45
LENS_HALF_HEIGHT_IPD = 0.35


@dataclass(frozen=True)
class Grid:
    """The work grid: the before photo's levelled frame sampled every ``res_mm``.

    Attributes
    ----------
    frame : Frame
        The before photo's eye-levelled frame (px of its ``photo.rgb``).
    u0, v0 : float
        Levelled coordinates of grid pixel ``(0, 0)``, mm.
    res_mm : float
        Millimetres per grid pixel.
    shape : tuple of int
        ``(rows, cols)``.
    """

    frame: Frame
    u0: float
    v0: float
    res_mm: float
    shape: tuple[int, int]

    @property
    def to_px_matrix(self) -> np.ndarray:
        """Affine map, shape (2, 3): grid ``(col, row, 1)`` -> before-photo ``(x, y)`` px."""
        f = self.frame
        k = self.res_mm / f.mm_per_px
        t = f.origin + (self.u0 * f.u_axis + self.v0 * f.v_axis) / f.mm_per_px
        return np.column_stack([f.u_axis * k, f.v_axis * k, t])

    def from_px(self, xy: np.ndarray) -> np.ndarray:
        """Before-photo ``(x, y)`` px, shape (..., 2) -> grid ``(col, row)``."""
        return self.from_uv(self.frame.to_mm(xy))

    def from_uv(self, uv: np.ndarray) -> np.ndarray:
        """Levelled ``(u, v)`` mm, shape (..., 2) -> grid ``(col, row)``."""
        uv = np.asarray(uv, dtype=np.float64)[..., :2]
        return (uv - (self.u0, self.v0)) / self.res_mm

    def to_uv(self, cr: np.ndarray) -> np.ndarray:
        """Grid ``(col, row)``, shape (..., 2) -> levelled ``(u, v)`` mm."""
        return np.asarray(cr, dtype=np.float64)[..., :2] * self.res_mm + (self.u0, self.v0)

    def uv_maps(self) -> tuple[np.ndarray, np.ndarray]:
        """``u`` and ``v`` (mm) of every grid pixel, each shape ``shape``, float32."""
        rows, cols = self.shape
        u = (self.u0 + np.arange(cols, dtype=np.float32) * self.res_mm)[None, :]
        v = (self.v0 + np.arange(rows, dtype=np.float32) * self.res_mm)[:, None]
        return np.broadcast_to(u, self.shape).astype(np.float32), np.broadcast_to(v, self.shape).astype(np.float32)


def make_grid(points: np.ndarray, frame: Frame, res_mm: float = WORK_MM_PER_PX) -> Grid:
    """Work grid covering a face (all 468 mesh points, a margin, and the neck below the chin).

    Parameters
    ----------
    points : ndarray, shape (478, 2+)
        The before photo's landmarks, ``(x, y)`` px.
    frame : Frame
        The before photo's levelled frame.
    res_mm : float
        Grid resolution, mm per grid px.

    Returns
    -------
    Grid
    """
    uv = frame.to_mm(np.asarray(points, dtype=np.float64)[:468, :2])
    u0, v0 = uv.min(0) - GRID_MARGIN_MM
    u1 = uv[:, 0].max() + GRID_MARGIN_MM
    v1 = uv[:, 1].max() + GRID_BELOW_CHIN_MM
    cols = int(np.ceil((u1 - u0) / res_mm)) + 1
    rows = int(np.ceil((v1 - v0) / res_mm)) + 1
    return Grid(frame, float(u0), float(v0), float(res_mm), (rows, cols))


def compose(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a o b`` for 2x3 affine maps (apply ``b`` first)."""
    a3 = np.vstack([a, [0, 0, 1]])
    b3 = np.vstack([b, [0, 0, 1]])
    return (a3 @ b3)[:2]


def invert(a: np.ndarray) -> np.ndarray:
    """Inverse of a 2x3 affine map."""
    return cv2.invertAffineTransform(np.asarray(a, dtype=np.float64))


def apply(a: np.ndarray, xy: np.ndarray) -> np.ndarray:
    """Apply a 2x3 affine map to points ``(x, y)``, shape (..., 2)."""
    xy = np.asarray(xy, dtype=np.float64)[..., :2]
    return xy @ a[:, :2].T + a[:, 2]


def sample(image: np.ndarray, grid_to_src: np.ndarray, shape: tuple[int, int],
           border: int = cv2.BORDER_REPLICATE, upto: tuple[int, int] | None = None) -> np.ndarray:
    """Resample an image onto a grid through an affine map.

    Parameters
    ----------
    image : ndarray, shape (H, W[, C])
        Source image.
    grid_to_src : ndarray, shape (2, 3)
        Maps grid ``(col, row)`` to source ``(x, y)`` px.
    shape : (rows, cols)
        Grid shape.
    border : int
        OpenCV border mode outside the source.
    upto : (rows, cols), optional
        Only the grid's first ``rows`` rows and ``cols`` columns: the top-left part of the
        whole result, the same values (every pixel's source position depends on its own
        ``(col, row)`` only), computed alone.

    Returns
    -------
    ndarray, shape (rows, cols[, C]) (``upto`` if given), dtype of ``image``
        Bilinear samples; when the grid is coarser than the source by more
        than 1.5x, the covered part of the source is first area-averaged
        (``cv2.INTER_AREA``) to about the grid's resolution (no aliasing).
    """
    m = np.asarray(grid_to_src, dtype=np.float64)
    rows, cols = shape
    h, w = image.shape[:2]
    corners = apply(m, np.array([[0, 0], [cols - 1, 0], [0, rows - 1], [cols - 1, rows - 1]], float))
    x0 = int(np.clip(np.floor(corners[:, 0].min()) - 2, 0, w - 1))
    y0 = int(np.clip(np.floor(corners[:, 1].min()) - 2, 0, h - 1))
    x1 = int(np.clip(np.ceil(corners[:, 0].max()) + 3, x0 + 1, w))
    y1 = int(np.clip(np.ceil(corners[:, 1].max()) + 3, y0 + 1, h))
    crop = image[y0:y1, x0:x1]
    m = m.copy()
    m[:, 2] -= (x0, y0)
    k = float(np.sqrt(abs(np.linalg.det(m[:, :2]))))  # source px per grid px
    if k > 1.5 and min(crop.shape[:2]) > 8:
        f = 1.0 / k
        size = (max(int(round(crop.shape[1] * f)), 2), max(int(round(crop.shape[0] * f)), 2))
        fx, fy = size[0] / crop.shape[1], size[1] / crop.shape[0]
        crop = cv2.resize(crop, size, interpolation=cv2.INTER_AREA)
        # source px (x) -> resized px ((x + 0.5) * f - 0.5)
        s = np.array([[fx, 0, 0.5 * fx - 0.5], [0, fy, 0.5 * fy - 0.5]])
        m = compose(s, m)
    if upto is not None:
        rows, cols = min(int(upto[0]), rows), min(int(upto[1]), cols)
    return cv2.warpAffine(crop, m, (cols, rows), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                          borderMode=border)


def normalise(rgb: np.ndarray, sigma_px: float) -> np.ndarray:
    """Locally contrast-normalised grey image for the optical flow.

    ``(g - G*g) / max(sqrt(G*(g - G*g)^2), floor)`` with ``G`` a Gaussian of
    ``sigma_px`` and ``g`` the luminance, mapped to uint8 (``128 + 42 n``,
    i.e. +-3 local standard deviations).  Invariant to any locally affine
    change of brightness: exposure, gamma, white balance.

    Parameters
    ----------
    rgb : ndarray, shape (H, W, 3), uint8
    sigma_px : float

    Returns
    -------
    ndarray, shape (H, W), uint8
    """
    g = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY).astype(np.float32)
    mu = cv2.GaussianBlur(g, (0, 0), sigma_px)
    # in place, in the order (g - mu) / max(sd, floor) * 42 + 128 (float32 throughout): the
    # same values as the expression written out, without its temporaries
    d = np.subtract(g, mu, out=g)
    sd = cv2.GaussianBlur(np.multiply(d, d, out=mu), (0, 0), sigma_px)
    np.maximum(np.sqrt(sd, out=sd), NORMALISE_FLOOR, out=sd)
    n = np.divide(d, sd, out=d)
    np.add(np.multiply(n, 42.0, out=n), 128.0, out=n)
    return np.clip(n, 0, 255, out=n).astype(np.uint8)


_local = threading.local()


def _get_dis():
    """One DIS object per thread (OpenCV's DIS keeps scratch buffers: not re-entrant)."""
    settings = (DIS_PATCH_SIZE, DIS_PATCH_STRIDE, DIS_GD_ITERATIONS, DIS_VARIATIONAL_ITERATIONS)
    d = getattr(_local, "dis", None)
    if d is None or getattr(_local, "settings", None) != settings:
        d = cv2.DISOpticalFlow_create(cv2.DISOPTICAL_FLOW_PRESET_MEDIUM)
        d.setPatchSize(int(DIS_PATCH_SIZE))
        d.setPatchStride(int(DIS_PATCH_STRIDE))
        d.setGradientDescentIterations(int(DIS_GD_ITERATIONS))
        d.setVariationalRefinementIterations(int(DIS_VARIATIONAL_ITERATIONS))
        d.setUseMeanNormalization(True)
        d.setUseSpatialPropagation(True)
        _local.dis, _local.settings = d, settings
    return d


def dense_flow(before: np.ndarray, after: np.ndarray, finest_scale: int = 0) -> np.ndarray:
    """Dense optical flow from ``before`` to ``after`` (DIS, ref. [1]).

    Parameters
    ----------
    before, after : ndarray, shape (H, W), uint8
        Normalised grey images on the same grid.
    finest_scale : int
        Finest pyramid level DIS refines (0 = the images' own resolution,
        1 = half of it); the flow is returned at the images' resolution.

    Returns
    -------
    ndarray, shape (H, W, 2), float32
        ``(dx, dy)`` px such that ``after[y + dy, x + dx] ~ before[y, x]``.
    """
    d = _get_dis()
    d.setFinestScale(int(finest_scale))
    return d.calc(before, after, None)


def reduce_half(image: np.ndarray, factor: int = 2) -> np.ndarray:
    """Image at half the resolution (or a ``factor``-th): 2 x 2 means (``factor`` x ``factor``;
    the last rows/columns are repeated up to a multiple of ``factor``).

    Pixel ``(j, i)`` of the result is centred on ``(k i + (k - 1) / 2, k j + (k - 1) / 2)`` of the
    input (``(x, y)`` px, ``k = factor``); :func:`expand_flow` undoes the geometry.
    """
    k = int(factor)
    rows, cols = image.shape[:2]
    pad = ((0, -rows % k), (0, -cols % k)) + ((0, 0),) * (image.ndim - 2)
    if rows % k or cols % k:
        image = np.pad(image, pad, mode="edge")
    return cv2.resize(image, (image.shape[1] // k, image.shape[0] // k), interpolation=cv2.INTER_AREA)


def expand_flow(flow_half: np.ndarray, shape: tuple[int, int], out: np.ndarray | None = None,
                factor: int = 2) -> np.ndarray:
    """A flow computed on :func:`reduce_half` images (of that ``factor``), bilinearly interpolated
    to ``shape`` (rows, cols) and scaled to full-resolution px; shape ``(rows, cols, 2)`` float32.

    ``out``: a float32 array of that shape (a view of a larger array is fine) to write the
    result into, returned; the same values.
    """
    rows, cols = shape
    # full px x -> half px (x - 0.5) / 2 (k: (x + 0.5) / k - 0.5): exactly cv2.resize's
    # pixel-centre mapping for a k x enlargement (bilinear, edges replicated; the same values as
    # the equivalent warpAffine to within float rounding, several times faster)
    k = int(factor)
    half = np.ascontiguousarray(flow_half, dtype=np.float32)
    size = (k * half.shape[1], k * half.shape[0])
    if out is not None and (rows, cols) == size[::-1]:
        # straight into ``out`` (OpenCV writes views with a row stride)
        up = cv2.resize(half, size, dst=out, interpolation=cv2.INTER_LINEAR)
        if not np.shares_memory(up, out):
            out[...] = up
        return np.multiply(out, np.float32(k), out=out)
    up = cv2.resize(half, size, interpolation=cv2.INTER_LINEAR)
    up *= np.float32(k)
    if out is not None:
        out[...] = up[:rows, :cols]
        return out
    return np.ascontiguousarray(up[:rows, :cols])


def fit_similarity(src: np.ndarray, dst: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
    """Weighted least-squares similarity ``dst ~ s R src + t`` (ref. [2]).

    Parameters
    ----------
    src, dst : ndarray, shape (N, 2)
    weights : ndarray, shape (N,), optional

    Returns
    -------
    ndarray, shape (2, 3)
    """
    src = np.asarray(src, dtype=np.float64)
    dst = np.asarray(dst, dtype=np.float64)
    w = np.ones(len(src)) if weights is None else np.asarray(weights, dtype=np.float64)
    return _fit_similarity_xy(src[:, 0], src[:, 1], dst[:, 0], dst[:, 1], w)


def robust_similarity(src: np.ndarray, dst: np.ndarray, iterations: int = 8) -> tuple[np.ndarray, np.ndarray]:
    """Similarity fitted with Tukey-biweight IRLS.

    Parameters
    ----------
    src, dst : ndarray, shape (N, 2)

    Returns
    -------
    matrix : ndarray, shape (2, 3)
    residuals : ndarray, shape (N,)
        Distances ``|dst - matrix(src)|`` at the solution, same units as the points.
    """
    src = np.asarray(src, dtype=np.float64)
    dst = np.asarray(dst, dtype=np.float64)
    # coordinates as contiguous vectors: every step below is a few vector operations
    sx, sy = np.ascontiguousarray(src[:, 0]), np.ascontiguousarray(src[:, 1])
    dx, dy = np.ascontiguousarray(dst[:, 0]), np.ascontiguousarray(dst[:, 1])

    def residuals(m):
        ex = dx - (m[0, 0] * sx + m[0, 1] * sy + m[0, 2])
        ey = dy - (m[1, 0] * sx + m[1, 1] * sy + m[1, 2])
        return np.sqrt(ex * ex + ey * ey)

    m = _fit_similarity_xy(sx, sy, dx, dy, np.ones(len(sx)))
    for _ in range(iterations):
        r = residuals(m)
        scale = max(1.4826 * float(np.median(r)), 1e-3)
        z = r / (TUKEY_C * scale)
        w = np.where(z < 1, (1 - z * z) ** 2, 0.0)
        if w.sum() < 10:
            break
        m = _fit_similarity_xy(sx, sy, dx, dy, w)
    return m, residuals(m)


def _fit_similarity_xy(sx, sy, dx, dy, w) -> np.ndarray:
    """:func:`fit_similarity` on coordinate vectors (``src = (sx, sy)``, ``dst = (dx, dy)``):
    minimises ``sum w |b - [[p, -q], [q, p]] a|^2`` over the centred points ``a``, ``b``."""
    w = w / max(w.sum(), 1e-12)
    msx, msy, mdx, mdy = w @ sx, w @ sy, w @ dx, w @ dy
    ax, ay, bx, by = sx - msx, sy - msy, dx - mdx, dy - mdy
    wax, way = w * ax, w * ay
    den = float(wax @ ax + way @ ay)
    p = float(wax @ bx + way @ by) / den
    q = float(wax @ by - way @ bx) / den
    r = np.array([[p, -q], [q, p]])
    return np.column_stack([r, np.array([mdx, mdy]) - r @ np.array([msx, msy])])


def nonzero_rc(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.nonzero`` of a 2-D mask, ``(rows, cols)`` in the same (row-major) order, several
    times faster on a work-grid-sized mask (one flat scan and a divmod)."""
    rows, cols = divmod(np.flatnonzero(mask), mask.shape[1])
    return rows, cols


def _poly_mask(shape, pts, value=1):
    mask = np.zeros(shape, np.uint8)
    cv2.fillPoly(mask, [np.round(pts * 16).astype(np.int32)], value, cv2.LINE_8, shift=4)
    return mask


def rigid_mask(points_grid: np.ndarray, shape: tuple[int, int], res_mm: float) -> np.ndarray:
    """Rigid upper-face mask on the grid: forehead, brows, eye corners and nasal bridge, eyes excluded.

    Parameters
    ----------
    points_grid : ndarray, shape (478, 2)
        Before landmarks in grid ``(col, row)``.
    shape : (rows, cols)
    res_mm : float
        Grid resolution.

    Returns
    -------
    ndarray, shape ``shape``, bool
    """
    p = points_grid
    hull = cv2.convexHull(p[list(RIGID_ABOVE_NOSE)].astype(np.float32))[:, 0]
    mask = _poly_mask(shape, hull)
    bridge = np.round(p[list(NASAL_BRIDGE)] * 16).astype(np.int32)
    thick = max(int(round(2 * BRIDGE_HALF_WIDTH_MM / res_mm)), 1)
    cv2.polylines(mask, [bridge], False, 1, thick, cv2.LINE_8, shift=4)
    eyes = np.zeros(shape, np.uint8)
    polys = [np.round(p[list(eye)] * 16).astype(np.int32) for eye in (RIGHT_EYE_CONTOUR, LEFT_EYE_CONTOUR)]
    for poly in polys:
        cv2.fillPoly(eyes, [poly], 1, cv2.LINE_8, shift=4)
    r = max(int(round(EYE_MARGIN_MM / res_mm)), 1)
    # dilate only the eyes' box plus the kernel's reach (the same result as on the whole grid)
    allp = np.vstack(polys) >> 4
    x0, y0 = np.maximum(allp.min(0) - r - 2, 0)
    x1, y1 = np.minimum(allp.max(0) + r + 3, (shape[1], shape[0]))
    if x1 > x0 and y1 > y0:
        eyes[y0:y1, x0:x1] = dilate_disc(eyes[y0:y1, x0:x1], r)
    face = _poly_mask(shape, cv2.convexHull(p[:468].astype(np.float32))[:, 0])
    return (mask > 0) & (eyes == 0) & (face > 0)


def lens_mask(points_grid: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """The area sunglasses lenses may cover on the grid: an ellipse about each pupil point.

    Half-axes :data:`LENS_HALF_WIDTH_IPD` (along the pupil line, the grid's columns) and
    :data:`LENS_HALF_HEIGHT_IPD` (the grid's rows) times the pupil distance on the grid.

    Parameters
    ----------
    points_grid : ndarray, shape (478, 2)
        Before landmarks in grid ``(col, row)`` (the pupil points 468 and 473 may be Face Mesh's guesses
        when the eyes are covered: the ellipse is larger than the lens it stands for).
    shape : (rows, cols)

    Returns
    -------
    ndarray, shape ``shape``, bool
    """
    p = np.asarray(points_grid, np.float64)
    ipd = float(np.linalg.norm(p[RIGHT_IRIS, :2] - p[LEFT_IRIS, :2]))
    mask = np.zeros(shape, np.uint8)
    axes = (max(LENS_HALF_WIDTH_IPD * ipd, 1.0), max(LENS_HALF_HEIGHT_IPD * ipd, 1.0))
    for i in (RIGHT_IRIS, LEFT_IRIS):
        cv2.ellipse(mask, (int(round(p[i, 0] * 16)), int(round(p[i, 1] * 16))),
                    (int(round(axes[0] * 16)), int(round(axes[1] * 16))), 0, 0, 360, 1, -1, cv2.LINE_8, shift=4)
    return mask > 0


#: dark glasses found in the picture (:func:`glasses_mask`): the lens's luminance over the pupils (median of the
#: pupil cores) must be below this fraction of the lower face's median luminance (0.5 before the first look, raised
#: to 0.7 after London 061 (a tuning face, dark skin) read nothing: the lens over a dark face is ~0.55 of its skin).
#: sunglasses of filter categories 2-4 pass 3-43 % of the light (ISO 12312-1); lighter or mirrored lenses are left
#: to :func:`lens_mask`
GLASSES_MAX_LENS_FRACTION = 0.7
#: a pixel of the glasses is darker than this point between the lens (0) and the skin (1): halfway (method: one
#: threshold for a light face and a dark one, whose skin is itself ~3 × darker)
GLASSES_DARK_SPLIT = 0.5
#: a dark component is taken as a lens when it covers part of this disc about a pupil point (× pupil distance):
#: the lens is over the pupil whatever its shape (Face Mesh's guessed pupils stay within ~0.1 IPD of the eye)
GLASSES_CORE_IPD = 0.12
#: the dark glasses found are grown by this much before they are left out: the dense flow's patch
#: (``DIS_PATCH_SIZE`` × ``FLOW_MM_PER_PX`` = 4 mm) reads a frame edge that far away
GLASSES_MARGIN_MM = 4.0
#: rows of the search zone above the brows / below the pupils, × pupil distance (an aviator reaches ~0.75 IPD
#: below the pupils); sideways, the face contour ± this
GLASSES_ZONE_IPD = (0.25, 0.85, 0.15)



def _luminance(rgb: np.ndarray) -> np.ndarray:
    """Rec. 601 luma of ``rgb`` (..., 3), float32."""
    rgb = np.asarray(rgb, np.float32)
    return rgb[..., 0] * 0.299 + rgb[..., 1] * 0.587 + rgb[..., 2] * 0.114


def glasses_mask(image: np.ndarray, points: np.ndarray, mm_per_px: float) -> np.ndarray:
    """Dark glasses as they are in the picture: lenses, rims, the bridge and the arms' start, grown by
    :data:`GLASSES_MARGIN_MM`.

    The lens's luminance is read over the pupil points (median of their cores, :data:`GLASSES_CORE_IPD`), the
    skin's on the lower face (median at the mesh points below the nose tip).  When the lens is darker than
    :data:`GLASSES_MAX_LENS_FRACTION` of the skin, the pixels darker than :data:`GLASSES_DARK_SPLIT` of the way
    from the lens to the skin in a zone about the eyes (:data:`GLASSES_ZONE_IPD`), the connected parts of them that
    reach a pupil core (the lens is over the pupil whatever its shape), their holes filled (a reflection on a
    lens), grown by the margin.  Empty otherwise (closed eyes, light or mirrored lenses: :func:`lens_mask` stands
    for those).

    Parameters
    ----------
    image : ndarray, shape (H, W, 3), uint8
        RGB picture (a photo, or a photo on the work grid).
    points : ndarray, shape (478, >= 2)
        Face Mesh landmarks in ``image``'s ``(x, y)`` px (the pupils may be Face Mesh's guesses).
    mm_per_px : float
        ``image``'s scale, for the margin.

    Returns
    -------
    ndarray, shape (H, W), bool
    """
    box = _glasses_box(image, points, mm_per_px)
    out = np.zeros(image.shape[:2], bool)
    if box is not None:
        (x0, y0, x1, y1), inside = box
        out[y0:y1, x0:x1] = inside
    return out


def _glasses_box(image: np.ndarray, points: np.ndarray,
                 mm_per_px: float) -> tuple[tuple[int, int, int, int], np.ndarray] | None:
    """:func:`glasses_mask` as the box ``(x0, y0, x1, y1)`` (px, ends exclusive) outside which it is all False and
    the mask inside it (bool, shape ``(y1 - y0, x1 - x0)``); None when nothing is found."""
    h, w = image.shape[:2]
    p = np.asarray(points, np.float64)[:, :2]
    ipd = float(np.linalg.norm(p[RIGHT_IRIS] - p[LEFT_IRIS]))
    if not (np.isfinite(ipd) and ipd > 2 and np.isfinite(mm_per_px) and mm_per_px > 0):
        return None
    above, below, side = GLASSES_ZONE_IPD
    pupils_y = max(p[RIGHT_IRIS, 1], p[LEFT_IRIS, 1])
    x0 = int(np.floor(max(p[list(TEMPLES), 0].min() - side * ipd, 0)))
    x1 = int(np.ceil(min(p[list(TEMPLES), 0].max() + side * ipd, w)))
    y0 = int(np.floor(max(p[list(BROW_RIGHT + BROW_LEFT), 1].min() - above * ipd, 0)))
    y1 = int(np.ceil(min(pupils_y + below * ipd, h)))
    # the lower face's skin: the mesh points below the nose tip (lips included: a median)
    lower = p[:468][p[:468, 1] > p[1, 1]]
    xi = np.clip(np.round(lower[:, 0]).astype(int), 0, w - 1)
    yi = np.clip(np.round(lower[:, 1]).astype(int), 0, h - 1)
    skin = float(np.median(_luminance(image[yi, xi]))) if len(xi) else float("nan")
    if x1 - x0 < 3 or y1 - y0 < 3 or not skin > 0:
        return None
    zone = _luminance(image[y0:y1, x0:x1])
    core = np.zeros(zone.shape, np.uint8)
    r = max(int(round(GLASSES_CORE_IPD * ipd)), 1)
    for i in (RIGHT_IRIS, LEFT_IRIS):
        cv2.circle(core, (int(round(p[i, 0] - x0)), int(round(p[i, 1] - y0))), r, 1, -1)
    if not core.any():
        return None
    lens = float(np.median(zone[core > 0]))
    if not lens < GLASSES_MAX_LENS_FRACTION * skin:
        return None
    dark = (zone < lens + GLASSES_DARK_SPLIT * (skin - lens)).astype(np.uint8)
    n, labels = cv2.connectedComponents(dark, connectivity=8)
    if n <= 1:
        return None
    hit = np.unique(labels[(core > 0) & (dark > 0)])
    hit = hit[hit > 0]
    if not len(hit):
        return None
    found = np.isin(labels, hit).astype(np.uint8)
    # holes (a reflection across a lens): what the zone's border cannot reach without crossing the glasses
    pad = np.pad(found, 1)
    flood = pad.copy()
    cv2.floodFill(flood, None, (0, 0), 1)
    found = (found | (flood[1:-1, 1:-1] == 0)).astype(np.uint8)
    m = max(int(round(GLASSES_MARGIN_MM / mm_per_px)), 1)
    # grown on a box padded by the margin (the margin reaches out of the zone)
    X0, Y0, X1, Y1 = max(x0 - m, 0), max(y0 - m, 0), min(x1 + m, w), min(y1 + m, h)
    big = np.zeros((Y1 - Y0, X1 - X0), np.uint8)
    big[y0 - Y0:y1 - Y0, x0 - X0:x1 - X0] = found
    big = dilate_disc(big, m)  # cv2.dilate by the elliptic kernel, the same bits, faster
    return (X0, Y0, X1, Y1), big > 0


@dataclass(frozen=True, eq=False)
class GlassesFound:
    """:func:`glasses_mask` of one picture, kept small (the box that holds it, :func:`_glasses_box`) with what it
    was found on, so that a later step that needs the same mask of the same picture reads it instead of
    searching again (:func:`found_in`).  :func:`facemetrics.analyze.analyze_photo` keeps the one of a photo with
    no iris visible (``extra["glasses"]``); the comparison's cheek check reads it.

    Attributes
    ----------
    image, points : ndarray
        The picture (H, W, 3) and its landmarks (478, >= 2) px, the very arrays searched.
    mm_per_px : float
        The scale it was searched at.
    box : tuple of int or None
        ``(x0, y0, x1, y1)`` px, ends exclusive; None when nothing was found.
    inside : ndarray, shape (y1 - y0, x1 - x0), bool, or None
    """

    image: np.ndarray
    points: np.ndarray
    mm_per_px: float
    box: tuple | None
    inside: np.ndarray | None

    def mask(self) -> np.ndarray:
        """The mask :func:`glasses_mask` gives, shape (H, W), bool."""
        out = np.zeros(self.image.shape[:2], bool)
        if self.box is not None:
            x0, y0, x1, y1 = self.box
            out[y0:y1, x0:x1] = self.inside
        return out


def find_glasses(image: np.ndarray, points: np.ndarray, mm_per_px: float) -> GlassesFound:
    """:func:`glasses_mask` of ``image``, kept as a :class:`GlassesFound`."""
    box = _glasses_box(image, points, mm_per_px)
    if box is None:
        return GlassesFound(image, points, float(mm_per_px), None, None)
    box[1].flags.writeable = False
    return GlassesFound(image, points, float(mm_per_px), box[0], box[1])


def found_in(kept, image: np.ndarray, points: np.ndarray, mm_per_px: float) -> np.ndarray:
    """:func:`glasses_mask` of ``image``: read from ``kept`` (a :class:`GlassesFound`, or None) when it was found on
    these very arrays at this scale, else searched."""
    if (isinstance(kept, GlassesFound) and kept.image is image and kept.points is points
            and kept.mm_per_px == float(mm_per_px)):
        return kept.mask()
    return glasses_mask(image, points, mm_per_px)


@dataclass(frozen=True)
class Registration:
    """Result of :func:`register`.

    Attributes
    ----------
    grid_to_after : ndarray, shape (2, 3)
        Final map from grid ``(col, row)`` to after-photo ``(x, y)`` px.
    landmark_grid_to_after : ndarray, shape (2, 3)
        The landmark-only first alignment, same convention.
    before_grid, after_grid : ndarray, shape (rows, cols, 3), uint8
        Both photos resampled on the grid (after through ``grid_to_after``).
    flow : ndarray, shape (rows, cols, 2), float32
        Residual displacement ``(du, dv)`` in grid px: the last pass's flow
        minus the last fitted similarity.
    rigid : ndarray, shape (rows, cols), bool
        Rigid upper-face mask used for the fits.
    residual_px : float
        Robust RMS (1.4826 MAD) of the residual flow inside the rigid mask, grid px.
    n_fit : int
        Number of flow vectors in the last fit.
    """

    grid_to_after: np.ndarray
    landmark_grid_to_after: np.ndarray
    before_grid: np.ndarray
    after_grid: np.ndarray
    flow: np.ndarray
    rigid: np.ndarray
    residual_px: float
    n_fit: int


def _box(mask: np.ndarray, margin_px: float) -> tuple[int, int, int, int]:
    """Box ``(c0, r0, c1, r1)`` (grid px, ends exclusive, starts and sizes multiples of
    :data:`FLOW_REDUCTION`) around a mask plus a margin."""
    k = FLOW_REDUCTION
    rows, cols = mask.shape
    x, y, w, h = cv2.boundingRect(mask.astype(np.uint8))
    m = int(np.ceil(margin_px))
    c0, r0 = max(x - m, 0) // k * k, max(y - m, 0) // k * k
    c1, r1 = min(x + w + m, cols), min(y + h + m, rows)
    c1 -= (c1 - c0) % k
    r1 -= (r1 - r0) % k
    return c0, r0, c1, r1


def _replicate_edges(a: np.ndarray, box: tuple[int, int, int, int]) -> None:
    """Fill ``a`` (rows, cols[, C]) outside ``box`` ``(c0, r0, c1, r1)`` with the box's edge values,
    in place: what ``cv2.copyMakeBorder(a[r0:r1, c0:c1], ..., cv2.BORDER_REPLICATE)`` gives."""
    c0, r0, c1, r1 = box
    a[:r0, c0:c1] = a[r0:r0 + 1, c0:c1]
    a[r1:, c0:c1] = a[r1 - 1:r1, c0:c1]
    a[:, :c0] = a[:, c0:c0 + 1]
    a[:, c1:] = a[:, c1 - 1:c1]


@dataclass(frozen=True, eq=False)
class BeforeGrid:
    """What :func:`register` needs of the before photo alone (:func:`prepare_before`).

    It depends only on the before photo, its grid and its landmarks, so one can serve every
    registration of that before photo (e.g. one before photo compared with several after photos);
    its arrays are read-only.

    Attributes
    ----------
    before_grid : ndarray, shape (rows, cols, 3), uint8
        The before photo on the grid.
    rigid : ndarray, shape (rows, cols), bool
        Rigid upper-face mask (:func:`rigid_mask`).
    xs, ys : ndarray, shape (n,), int
        Grid ``(col, row)`` of the similarity fit's samples (one every :data:`FIT_STRIDE_PX`).
    boxes : tuple of (c0, r0, c1, r1)
        The flow passes' boxes (grid px, ends exclusive): the rigid mask's box
        (:data:`FIRST_PASS_MARGIN_MM`), then the face's (:data:`FINAL_PASS_MARGIN_MM`).
    flow_images : tuple of ndarray, uint8
        The before grid image in each box, reduced :data:`FLOW_REDUCTION` times and normalised
        (:func:`normalise`).
    """

    before_grid: np.ndarray
    rigid: np.ndarray
    xs: np.ndarray
    ys: np.ndarray
    boxes: tuple
    flow_images: tuple


def _flow_image(img: np.ndarray, res_mm: float) -> np.ndarray:
    """A grid image (or a box of it) reduced :data:`FLOW_REDUCTION` times and normalised: what DIS sees."""
    return normalise(reduce_half(img, FLOW_REDUCTION), NORMALISE_SIGMA_MM / (FLOW_REDUCTION * res_mm))


def prepare_before(before_rgb: np.ndarray, grid: Grid, points_grid: np.ndarray) -> BeforeGrid:
    """The before photo's part of :func:`register` (see :class:`BeforeGrid`).

    Parameters
    ----------
    before_rgb : ndarray, shape (H, W, 3), uint8
        The before photo (``photo.rgb``).
    grid : Grid
        Its work grid.
    points_grid : ndarray, shape (478, 2)
        Its landmarks in grid ``(col, row)``.

    Raises
    ------
    ValueError
        When the rigid upper face covers fewer than :data:`MIN_FIT_POINTS` flow samples.
    """
    before_grid = sample(before_rgb, grid.to_px_matrix, grid.shape)
    rigid = rigid_mask(points_grid, grid.shape, grid.res_mm)
    ys, xs = nonzero_rc(rigid[::FIT_STRIDE_PX, ::FIT_STRIDE_PX])
    xs, ys = xs * FIT_STRIDE_PX, ys * FIT_STRIDE_PX
    if len(xs) < MIN_FIT_POINTS:
        raise ValueError(f"the rigid upper face covers only {len(xs)} flow samples "
                         f"(at least {MIN_FIT_POINTS} needed): is the upper face visible?")
    # the alignment-only passes see the rigid upper face's box (and a margin), the final pass the
    # face's box (and a margin): both photos' grid images cropped alike, so that two identical
    # photos give exactly zero flow
    face = _poly_mask(grid.shape, cv2.convexHull(points_grid[:468].astype(np.float32))[:, 0]) > 0
    boxes = (_box(rigid, FIRST_PASS_MARGIN_MM / grid.res_mm), _box(face, FINAL_PASS_MARGIN_MM / grid.res_mm))
    images = tuple(_flow_image(before_grid[r0:r1, c0:c1], grid.res_mm) for c0, r0, c1, r1 in boxes)
    for a in (before_grid, rigid, xs, ys, *images):
        a.flags.writeable = False
    return BeforeGrid(before_grid, rigid, xs, ys, boxes, images)


def without_lenses(pre: BeforeGrid, grid: Grid, points_grid: np.ndarray,
                   found: np.ndarray | None = None) -> BeforeGrid:
    """:func:`prepare_before`'s result with the lens area (:func:`lens_mask`) left out of its rigid mask.

    For a pair in which a photo shows no iris (dark glasses): the lenses are uniform, so the flow on them is
    anything, and it would enter the registration's similarity fit and the 3-D pose fit, which read the rigid
    mask.  Used for both photos' registration (the mask lives on the before grid, the after photo is sampled
    onto it).

    Parameters
    ----------
    pre : BeforeGrid
        :func:`prepare_before` of the before photo, ``grid`` and ``points_grid``.
    grid : Grid
    points_grid : ndarray, shape (478, 2)
        Before landmarks in grid ``(col, row)``.
    found : ndarray, shape ``grid.shape``, bool, optional
        The dark glasses found in the pictures (:func:`glasses_mask` of both photos on the grid: frames, a bridge
        on the nose, lenses of any shape), left out as well.

    Raises
    ------
    ValueError
        When the rigid mask left covers fewer than :data:`MIN_FIT_POINTS` flow samples.
    """
    out = lens_mask(points_grid, grid.shape)
    if found is not None:
        out = out | np.asarray(found, bool)
    rigid = pre.rigid & ~out
    ys, xs = nonzero_rc(rigid[::FIT_STRIDE_PX, ::FIT_STRIDE_PX])
    xs, ys = xs * FIT_STRIDE_PX, ys * FIT_STRIDE_PX
    if len(xs) < MIN_FIT_POINTS:
        raise ValueError(f"the upper face outside the glasses covers only {len(xs)} flow samples "
                         f"(at least {MIN_FIT_POINTS} needed): is the forehead visible?")
    first = _box(rigid, FIRST_PASS_MARGIN_MM / grid.res_mm)
    c0, r0, c1, r1 = first
    image = _flow_image(pre.before_grid[r0:r1, c0:c1], grid.res_mm)
    for a in (rigid, xs, ys, image):
        a.flags.writeable = False
    return BeforeGrid(pre.before_grid, rigid, xs, ys, (first, pre.boxes[1]), (image, pre.flow_images[1]))


def register(before_rgb: np.ndarray, after_rgb: np.ndarray, grid: Grid, points_grid: np.ndarray,
             landmark_after_to_before: np.ndarray, passes: int | None = None,
             prepared: BeforeGrid | None = None) -> Registration:
    """Align the after photo to the before photo on the rigid upper face (see module docstring).

    Parameters
    ----------
    before_rgb, after_rgb : ndarray, shape (H, W, 3), uint8
        The two photos (``photo.rgb``).
    grid : Grid
        Work grid of the before photo.
    points_grid : ndarray, shape (478, 2)
        Before landmarks in grid ``(col, row)``.
    landmark_after_to_before : ndarray, shape (2, 3)
        First alignment: after px -> before px, from landmarks.
    passes : int, optional
        Flow + similarity refinement passes (default :data:`REFINE_PASSES`).
    prepared : BeforeGrid, optional
        :func:`prepare_before` of the same before photo, grid and landmarks (made here when
        not given; the same values either way).  ``before_rgb`` is not read when it is given.

    Returns
    -------
    Registration
        Its ``before_grid`` and ``rigid`` are ``prepared``'s (read-only) arrays.
    """
    passes = REFINE_PASSES if passes is None else max(int(passes), 1)
    pre = prepare_before(before_rgb, grid, points_grid) if prepared is None else prepared
    to_b = grid.to_px_matrix
    t_land = compose(invert(landmark_after_to_before), to_b)  # grid -> after px
    # the flow is computed on the grid images reduced 2 x 2 (FLOW_MM_PER_PX on the default grid)
    xs, ys = pre.xs, pre.ys
    src = np.column_stack([xs, ys]).astype(np.float64)
    first, last = pre.boxes
    passes_ = [(first, pre.flow_images[0])] * (passes - 1) + [(last, pre.flow_images[1])]
    t = t_land
    rows, cols = grid.shape
    # the final flow on the whole grid, written in place: the last pass's flow in its box, its
    # edges replicated outside, then the residual (fresh grid-sized arrays cost page faults)
    resid = np.empty((rows, cols, 2), np.float32)
    m = np.array([[1.0, 0, 0], [0, 1.0, 0]])
    res = np.zeros(1)
    for i, ((c0, r0, c1, r1), before_image) in enumerate(passes_):
        final = i == passes - 1
        # only the box is used: the grid's top-left part up to the box's end (the same values)
        after_grid = sample(after_rgb, t, grid.shape, upto=(r1, c1))
        fb = dense_flow(before_image, _flow_image(after_grid[r0:r1, c0:c1], grid.res_mm),
                        FINAL_PASS_FINEST_SCALE if final else FIRST_PASS_FINEST_SCALE)
        fb = expand_flow(fb, (r1 - r0, c1 - c0), out=resid[r0:r1, c0:c1] if final else None, factor=FLOW_REDUCTION)
        dst = src + fb[ys - r0, xs - c0]
        m, res = robust_similarity(src, dst)
        if final:
            _replicate_edges(resid, (c0, r0, c1, r1))
        else:
            t = compose(t, m)  # grid -> (current after grid) -> after px
    # residual: last flow minus the last similarity's displacement
    gx = np.arange(cols, dtype=np.float32)[None, :]
    gy = np.arange(rows, dtype=np.float32)[:, None]
    shift = np.empty((rows, cols), np.float32)
    for k, (a, b, c) in enumerate(((m[0, 0] - 1, m[0, 1], m[0, 2]), (m[1, 0], m[1, 1] - 1, m[1, 2]))):
        np.add(np.add(a * gx, b * gy, out=shift), c, out=shift)  # float32, as a * gx + b * gy + c
        np.subtract(resid[..., k], shift, out=resid[..., k])
    t_final = compose(t, m)
    after_grid = sample(after_rgb, t_final, grid.shape)
    return Registration(t_final, t_land, pre.before_grid, after_grid, resid, pre.rigid,
                        float(1.4826 * np.median(res)), int(len(src)))
