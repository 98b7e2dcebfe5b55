"""Two image-sampling primitives of the per-photo measures, without SciPy, and a faster form of OpenCV's
dilation by a disc (:func:`dilate_disc`).

The fold and jaw measures (:mod:`facemetrics.folds`, :mod:`facemetrics.jaw`)
need a 1-D Gaussian filter (and its second derivative) and bilinear sampling
at arbitrary points: SciPy's ``ndimage.gaussian_filter1d`` and
``ndimage.map_coordinates(order=1)``.  Importing ``scipy.ndimage`` (about
0.1 s of CPU) and ``scipy.linalg`` (about 0.15 s, which :mod:`facemetrics.threads`
loaded for the BLAS limit) took 0.25 s in every process that measures a photo (every ``facemetrics analyze`` or ``batch`` command and every
batch worker) while the filtering itself takes microseconds, so these two
functions give the same values (to float rounding, ``tests/test_filters.py``
checks them against SciPy) with OpenCV's separable filter and NumPy.  The
comparison (:mod:`facemetrics.compare.measure`) samples its flow fields with
:func:`bilinear` too.
"""

from __future__ import annotations

import functools

import cv2
import numpy as np


def gaussian_kernel1d(sigma: float, order: int, radius: int) -> np.ndarray:
    """Sampled Gaussian (``order`` 0) or its second derivative (``order`` 2), shape (2 radius + 1,).

    The kernel of SciPy's ``ndimage.gaussian_filter1d``: the Gaussian sampled at
    integer offsets ``-radius..radius`` and normalised to sum 1; its second
    derivative is that times ``x**2 / sigma**4 - 1 / sigma**2``.
    """
    x = np.arange(-radius, radius + 1)
    sigma2 = float(sigma) ** 2
    phi = np.exp(-0.5 / sigma2 * x ** 2)
    phi = phi / phi.sum()
    if order == 0:
        return phi
    if order == 2:
        return (x ** 2 / sigma2 ** 2 - 1.0 / sigma2) * phi
    raise ValueError(f"order must be 0 or 2, not {order}")


def gaussian_filter1d(values: np.ndarray, sigma: float, axis: int = -1, order: int = 0,
                      truncate: float = 4.0) -> np.ndarray:
    """1-D Gaussian filter (or its second derivative) along one axis, edges repeated.

    The same values as ``scipy.ndimage.gaussian_filter1d(values, sigma, axis,
    order, mode="nearest", truncate=truncate)`` to float rounding.

    Parameters
    ----------
    values : ndarray, shape (N,) or (R, C)
    sigma : float
        Standard deviation in samples.
    axis : {0, 1, -1}
        Axis of a 2-D array to filter along (ignored for 1-D input).
    order : {0, 2}
        0 smooths; 2 convolves with the Gaussian's second derivative.
    truncate : float
        The kernel's radius in standard deviations (``int(truncate sigma + 0.5)``
        samples).

    Returns
    -------
    ndarray, the shape of ``values``; its dtype if floating (computed in float64, as
    SciPy does), else float64
    """
    values = np.asarray(values)
    dtype = values.dtype if values.dtype.kind == "f" else np.dtype(np.float64)
    x = values.astype(np.float64, copy=False)
    radius = int(truncate * float(sigma) + 0.5)
    k = _reversed_kernel(float(sigma), order, radius)  # correlated with the reversed kernel, as SciPy does
    one = _ONE
    if x.ndim == 1:
        out = cv2.sepFilter2D(x[None, :], cv2.CV_64F, k, one, borderType=cv2.BORDER_REPLICATE)[0]
    elif x.ndim != 2:
        raise ValueError(f"values must be 1-D or 2-D, not {x.ndim}-D")
    elif axis in (1, -1):
        out = cv2.sepFilter2D(x, cv2.CV_64F, k, one, borderType=cv2.BORDER_REPLICATE)
    else:
        out = cv2.sepFilter2D(x, cv2.CV_64F, one, k, borderType=cv2.BORDER_REPLICATE)
    return out.astype(dtype, copy=False)


_ONE = np.ones(1)
_ONE.flags.writeable = False


@functools.lru_cache(maxsize=64)
def _reversed_kernel(sigma: float, order: int, radius: int) -> np.ndarray:
    """:func:`gaussian_kernel1d` reversed, read-only, kept per ``(sigma, order, radius)``: the
    per-photo measures filter with a dozen fixed kernels, and building one cost as much as
    filtering a fold band with it (the same values either way)."""
    k = gaussian_kernel1d(sigma, order, radius)[::-1].copy()
    k.flags.writeable = False
    return k


def bilinear(image: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Bilinear samples of an image at ``(row, col)`` points; outside, the nearest edge value.

    The same values as ``scipy.ndimage.map_coordinates(image, [rows, cols],
    order=1, mode="nearest")`` (per channel) to float rounding.

    Parameters
    ----------
    image : ndarray, shape (H, W) or (H, W, C), H, W >= 2
        A trailing channel axis is sampled channel by channel (e.g. a flow field's ``(du, dv)``),
        without a copy of each channel.
    rows, cols : ndarray, same shape (...)
        Sample positions, pixel centres at integer coordinates (row, col order).

    Returns
    -------
    ndarray, shape of ``rows`` (+ ``(C,)``), dtype of ``image`` (float input) or float64
    """
    h, w = image.shape[:2]
    r = np.clip(np.asarray(rows, dtype=np.float64), 0, h - 1)
    c = np.clip(np.asarray(cols, dtype=np.float64), 0, w - 1)
    r0 = np.minimum(r.astype(np.intp), h - 2)  # floor: r >= 0
    c0 = np.minimum(c.astype(np.intp), w - 2)
    fr, fc = r - r0, c - c0
    # the four neighbours by flat index (faster); a channel axis stays the last one
    flat = np.ascontiguousarray(image).reshape((h * w,) + image.shape[2:])
    if image.ndim == 3:
        fr, fc = fr[..., None], fc[..., None]
    i = r0 * w + c0
    gc = 1.0 - fc
    top = flat.take(i, axis=0) * gc + flat.take(i + 1, axis=0) * fc
    i += w
    bottom = flat.take(i, axis=0) * gc + flat.take(i + 1, axis=0) * fc
    out = top * (1.0 - fr) + bottom * fr
    return out.astype(image.dtype, copy=False) if image.dtype.kind == "f" else out


@functools.lru_cache(maxsize=64)
def _disc_rectangles(r: int) -> tuple[tuple[int, int], ...]:
    """The rectangles ``(half_width, half_height)`` whose union is OpenCV's elliptic structuring element of
    size ``(2 r + 1, 2 r + 1)`` (``cv2.getStructuringElement(cv2.MORPH_ELLIPSE, ...)``): for each half-width of
    its rows, the tallest band of rows at least that wide (its rows are runs centred on the middle column,
    wider towards the middle row)."""
    k = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1))
    tallest: dict[int, int] = {}
    for i, row in enumerate(k):
        cols = np.flatnonzero(row)
        if len(cols):
            w = int(max(r - cols.min(), cols.max() - r))
            tallest[w] = max(tallest.get(w, 0), abs(i - r))
    return tuple(sorted(tallest.items()))


def dilate_disc(image: np.ndarray, r: int) -> np.ndarray:
    """``cv2.dilate(image, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 r + 1, 2 r + 1)))``, the same array
    to the last bit, 2-3 times faster for radii of 10-30 px.

    A dilation by a union of shapes is the maximum of the dilations by each, and OpenCV dilates by a
    rectangle separably (a row pass and a column pass) where an ellipse costs one pass per kernel pixel: the
    ellipse is dilated by as its :func:`_disc_rectangles` (8 rectangles at ``r`` = 12, 13 at 21).  Borders as
    ``cv2.dilate``'s default (outside the image nothing is taken).

    Parameters
    ----------
    image : ndarray, shape (H, W), uint8
    r : int
        The disc's radius, px (>= 0).

    Returns
    -------
    ndarray, shape (H, W), uint8
    """
    out = None
    for w, h in _disc_rectangles(int(r)):
        d = cv2.dilate(image, cv2.getStructuringElement(cv2.MORPH_RECT, (2 * w + 1, 2 * h + 1)))
        out = d if out is None else cv2.max(out, d, dst=out)
    return out


def channel_max(image: np.ndarray) -> np.ndarray:
    """``image.max(2)`` of an ``(H, W, C)`` image, the same array: the channels' elementwise maximum.

    NumPy reduces a last axis of 3 one short inner loop per pixel, 50-100 x slower than ``np.maximum`` of the
    channel planes (the maximum is exact, so the values are the same; a NaN propagates in both)."""
    if image.ndim != 3:
        return image.max(2)
    return functools.reduce(np.maximum, (image[..., k] for k in range(image.shape[2])))


def channel_min(image: np.ndarray) -> np.ndarray:
    """``image.min(2)`` of an ``(H, W, C)`` image, the same array (:func:`channel_max`)."""
    if image.ndim != 3:
        return image.min(2)
    return functools.reduce(np.minimum, (image[..., k] for k in range(image.shape[2])))


def channel_mean(image: np.ndarray) -> np.ndarray:
    """``image.mean(2)`` of an ``(H, W, 3)`` float32 or float64 image, the same bits, 50-100 x faster.

    NumPy sums a reduced axis of fewer than 8 values in order (``(c0 + c1) + c2``, in the image's float type)
    and divides by the count; the channel planes added in that order and divided by 3 are those very
    operations (``tests/test_filters.py`` checks the bits).  Other dtypes and shapes: ``image.mean(2)``."""
    if image.ndim != 3 or image.shape[2] != 3 or image.dtype not in (np.float32, np.float64):
        return image.mean(2)
    return np.true_divide(np.add(np.add(image[..., 0], image[..., 1]), image[..., 2]), 3)

