"""Colour garbage and colour specks in decoded pixels (every codec; specks: lossless WebP).

**Colour garbage** (HEVC/HEIC, lossless WebP, some JPEG). Once an
entropy decoder has lost its place it decodes random symbols: random
residuals and prediction modes in HEVC coding units, random colour-cache
and backward-reference codes in VP8L, random AC coefficients in JPEG. The
result is saturated, pixel-level colour noise. Natural photos have smooth
chroma (cameras and lossy codecs keep colour at half resolution [1]_ [2]_),
and a sharp edge between two saturated colours covers only a line or two
of a block. Per 8 x 8 block, the chroma gradient ``|d(R-G)| + |d(B-G)|``
(x plus y difference, inside the block) is taken at every pixel; a block
where at least :data:`CHROMA_NOISE_FRACTION` (half) of the pixels exceed
:data:`CHROMA_NOISE_LEVELS` (130 levels) is garbage, and the photo is
damaged when at least :data:`CHROMA_NOISE_BLOCKS` (3) blocks are, unless
the picture is noisy all over (the median block has at least
:data:`NOISY_PICTURE_FRACTION` hot pixels: strong sensor noise stored with
full-resolution colour, where garbage starting at a damage point cannot be
told apart), or unless at least :data:`CHROMA_EDGE_SHARE` of those blocks
are edges between two colours (coloured text, a caption: chroma on one line,
:data:`CHROMA_EDGE_LINE`, moving with the luma, :data:`CHROMA_EDGE_LUMA_CORR`;
:func:`_two_colour_edges`). Above 1 MP every s-th block in each direction is
read (about 120 000 pixels).

**Colour specks** (lossless WebP only: ``check_pixels(..., specks=True)``).
A few wrong VP8L prefix codes after which the decoder resynchronised leave
sparse saturated pixels, spread a little by the predictor transform: a
block counts when at least :data:`SPECK_FRACTION` more of its pixels than
in the typical block have a chroma gradient above :data:`SPECK_LEVELS`,
and :data:`SPECK_BLOCKS` such blocks make the photo damaged, in pictures
without colour noise (typical block quiet at :data:`SPECK_QUIET_LEVELS`).

References
----------
.. [1] ITU-T T.81 | ISO/IEC 10918-1, *Digital compression and coding of
   continuous-tone still images* (JPEG), 1992, A.1.1 (sampling factors),
   F.1.2.1 (DC difference coding).
.. [2] Google, *WebP Container/Lossless Bitstream Specification*, and
   RFC 6386, *VP8 Data Format and Decoding Guide*, 2011 (4:2:0 only).
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from facemetrics.integrity.result import PixelCheck

__all__ = [
    "CHROMA_EDGE_LINE",
    "CHROMA_EDGE_LUMA_CORR",
    "CHROMA_EDGE_SHARE",
    "CHROMA_NOISE_BLOCKS",
    "CHROMA_NOISE_FRACTION",
    "CHROMA_NOISE_LEVELS",
    "NOISY_PICTURE_FRACTION",
    "SPECK_BLOCKS",
    "SPECK_FRACTION",
    "SPECK_LEVELS",
    "SPECK_QUIET_LEVELS",
]

#: a pixel is "hot" above this chroma gradient (grey levels: |d(R-G)| + |d(B-G)| summed over the
#: x and y differences; chosen on fuzz seed 1, docs/robustness.md "Decoder garbage in the pixels")
CHROMA_NOISE_LEVELS = 130.0
#: an 8 x 8 block is colour garbage when at least this fraction of its pixels are hot
CHROMA_NOISE_FRACTION = 0.5
#: a photo is damaged when at least this many blocks are colour garbage
CHROMA_NOISE_BLOCKS = 3
#: ... unless the median block has at least this fraction of hot pixels (noisy all over: sensor
#: noise, not damage; in the fuzz set's garbage the median block had at most 0.18)
NOISY_PICTURE_FRACTION = 0.25
#: a colour-garbage block is a two-colour edge (coloured text, a graphic) when, over its 2 x 2 pixel means,
#: the smaller eigenvalue of its (R-G, B-G) covariance is below this fraction of the larger (the chroma lies
#: on one line; chosen on bench_false_alarms seed 0: its yellow captions' garbage blocks <= 0.028, 99 % of
#: its coloured captions' (--caption-colours) <= 0.13; and fuzz seed 1: docs/robustness.md "Decoder garbage
#: in the pixels") ...
CHROMA_EDGE_LINE = 0.1
#: ... and the chroma along that line moves with the luma: |correlation| above this with both the BT.601
#: luma (a YCbCr codec's garbage in one chroma component leaves it alone) and (R + 2G + B) / 4 (yellow
#: captions >= 0.72, 99 % of the coloured ones >= 0.45)
CHROMA_EDGE_LUMA_CORR = 0.6
#: a photo is not damaged by colour garbage when at least this fraction of its garbage blocks are two-colour
#: edges: text, not garbage (fuzz seed 1, 300 files per format and damage: JPEG garbage <= 0.33, lossless
#: WebP <= 0.67, HEIC 1 of 716 at 1.0, which the HEVC-warning check refuses)
CHROMA_EDGE_SHARE = 0.9
#: lossless WebP (``specks=True``): a block with colour specks has at least this fraction more of
#: its pixels above SPECK_LEVELS than the typical block (chosen on fuzz seed 1 and the clean set,
#: docs/robustness.md "Lossless WebP: colour specks")
SPECK_FRACTION = 0.1
#: ... a chroma gradient (as for CHROMA_NOISE_LEVELS) of more than this many grey levels
SPECK_LEVELS = 230.0
#: ... and a photo is damaged from this many such blocks (the clean set's highest count: 4)
SPECK_BLOCKS = 8
#: ... when its typical block has no pixel with a chroma gradient above this (not noisy at all)
SPECK_QUIET_LEVELS = 60.0
#: the chroma check reads at most about this many pixels (every s-th block of larger decodes),
#: to keep its cost a small fraction of the decode's
_CHROMA_MAX_PIXELS = 120_000
#: ... when the decode has more than this many pixels (below, every block is read)
_CHROMA_ALL_PIXELS = 1_000_000


def _block_counts(hot: np.ndarray, block: int) -> np.ndarray:
    """``(H / block, W / block)`` number of True pixels of ``(H, W)`` bool `hot` in each block, leaving
    out the last row and column of every block."""
    by, bx = hot.shape[0] // block, hot.shape[1] // block
    rows = hot.reshape(by, block, -1)[:, :block - 1].sum(axis=1, dtype=np.uint16)  # (by, W)
    return rows.reshape(by, bx, block)[:, :, :block - 1].sum(axis=2, dtype=np.int64)


def _chroma_gradient(x: np.ndarray) -> np.ndarray:
    """``(H - 1, W - 1)`` int16 chroma gradient ``|d(R-G)| + |d(B-G)|``, x plus y differences, of
    ``(H, W, 3)`` uint8 `x` at every pixel but the last row and column."""
    hh, ww = x.shape[:2]
    r, g, b = cv2.split(x)
    # R - G above B - G in one array: each difference is then one OpenCV call for both (few, small
    # temporaries: fresh large arrays cost page faults)
    c = np.empty((2 * hh, ww), np.int16)
    cv2.subtract(r, g, dst=c[:hh], dtype=cv2.CV_16S)
    cv2.subtract(b, g, dst=c[hh:], dtype=cv2.CV_16S)
    dx = cv2.absdiff(c[:, 1:], c[:, :-1])  # (2H, W - 1)
    dy = cv2.absdiff(c[1:], c[:-1])  # (2H - 1, W); row H - 1 straddles the two halves (not used)
    grad = cv2.add(dx[:hh - 1], dx[hh:2 * hh - 1])
    cv2.add(grad, dy[:hh - 1, :ww - 1], dst=grad)
    cv2.add(grad, dy[hh:2 * hh - 1, :ww - 1], dst=grad)
    return grad


def _hot_block_counts(grad: np.ndarray, level: float, block: int) -> np.ndarray:
    """``(H / block, W / block)`` int32: per block, the pixels of the ``(H - 1, W - 1)`` integer
    gradient `grad` above `level`, leaving out the last row and column of every block (what
    :func:`_block_counts` gives for the thresholded image)."""
    return _block_sums(_above(grad, level), block)


def _above(grad: np.ndarray, level: float) -> np.ndarray:
    """``grad > level`` as a 0/1 uint8 array (integers: above `level` is above its floor)."""
    return np.greater(grad, math.floor(level)).view(np.uint8)


def _block_sums(hot: np.ndarray, block: int) -> np.ndarray:
    """``(H / block, W / block)`` int32 sums of the ``(H - 1, W - 1)`` 0/1 uint8 `hot` over rows and
    columns ``0 .. block - 2`` of each block (strided adds; uint8 holds up to ``(block - 1)^2``)."""
    acc = hot[0::block].copy()  # (H / block, W - 1)
    for i in range(1, block - 1):
        acc += hot[i::block]
    out = acc[:, 0::block].copy()  # (H / block, W / block)
    for i in range(1, block - 1):
        out += acc[:, i::block]
    return out.astype(np.int32)


def _chroma_noise(rgb: np.ndarray, block: int, specks: bool = False) -> PixelCheck:
    """Colour-garbage check: count blocks whose chroma gradient is implausible on most pixels (and,
    with `specks`, blocks with saturated colour specks: :func:`_colour_specks`)."""
    h, w = rgb.shape[:2]
    nby, nbx = h // block, w // block
    if nby == 0 or nbx == 0:
        return PixelCheck(False, 0.0)
    # large decodes: every s-th block in each direction (whole blocks, so the statistic is the
    # same one), at most about _CHROMA_MAX_PIXELS pixels; garbage covers many blocks
    s = 1
    while h * w > _CHROMA_ALL_PIXELS and -(-nby // s) * -(-nbx // s) * block * block > _CHROMA_MAX_PIXELS:
        s += 1
    x = rgb[:nby * block, :nbx * block]
    if s > 1:  # the sampled blocks side by side in one smaller image: one copy of block-row items
        by, bx, rs = -(-nby // s), -(-nbx // s), rgb.strides[0]
        items = np.ndarray((by, block, bx), np.dtype((np.void, 3 * block)), buffer=rgb,
                           strides=(s * block * rs, rs, 3 * s * block))
        x = items.copy().view(np.uint8).reshape(by * block, bx * block, 3)
    grad = _chroma_gradient(x)  # (H - 1, W - 1) int16
    hot_px = _above(grad, CHROMA_NOISE_LEVELS)
    if not specks and not hot_px.any():
        # no hot pixel at all (most clean photos): every block count is 0, and so is the score
        return PixelCheck(False, 0.0)
    # the fraction of a block's pixels whose chroma gradient is above the level (a median-like
    # statistic): an edge between two saturated colours, with its ringing, covers a line or two of
    # a block; garbage covers all of it (differences across a block border are not counted)
    hot = _block_sums(hot_px, block) / float((block - 1) ** 2)
    v = hot.ravel()  # the median (np.median's own result, without its overhead)
    mid = v.size // 2
    if v.size % 2:
        typical = float(np.partition(v, mid)[mid])
    else:
        part = np.partition(v, (mid - 1, mid))
        typical = float((part[mid - 1] + part[mid]) / 2.0)
    if typical >= NOISY_PICTURE_FRACTION:
        # the typical block is hot too: strong colour noise all over (a very noisy picture stored with
        # full-resolution colour), not garbage from a damage point on
        return PixelCheck(False, 0.0)
    # a garbage block also stands out from the picture's typical block, by at least 0.35 (no effect
    # on clean photos, whose typical block has no hot pixel)
    frac = (hot - max(0.0, typical - (CHROMA_NOISE_FRACTION - 0.35))) * (1.0 / CHROMA_NOISE_FRACTION)
    bad = frac >= 1.0
    n = int(bad.sum())
    k = frac.size - CHROMA_NOISE_BLOCKS  # the score: the CHROMA_NOISE_BLOCKS-th highest block
    score = float(np.partition(frac.ravel(), k)[k]) if k >= 0 else 0.0
    if n < CHROMA_NOISE_BLOCKS or _mostly_two_colour_edges(x, bad, block):
        if specks:
            found = _colour_specks(grad, x.shape[:2], block, s)
            if found.damaged:
                return found
            score = max(score, found.score)
        return PixelCheck(False, min(score, 0.999))
    rows, cols = np.nonzero(bad)
    first = int(np.argmin(rows * bad.shape[1] + cols))
    row, col = int(rows[first]) * s * block, int(cols[first]) * s * block
    sampled = f" (of every {s}th block)" if s > 1 else ""
    return PixelCheck(True, score, "colour_noise", row, col,
                      f"colour garbage in {n} blocks of {block} x {block} px{sampled}")


def _two_colour_edges(x: np.ndarray, bad: np.ndarray, block: int) -> np.ndarray:
    """``(n,)`` bool: which of the ``n`` True blocks of ``(H / block, W / block)`` `bad` in the
    ``(H, W, 3)`` uint8 image `x` are two-colour edges (text, a graphic), not decoder garbage.

    A pixel between two colours is ``a fg + (1 - a) bg``: its chroma ``(R-G, B-G)`` lies on the line
    between theirs, and every weighting of R, G and B moves with it. Garbage decodes random colours
    (spread over the chroma plane), or random values of one component: one chroma component of a YCbCr
    codec leaves the codec's luma alone. Per block, over its 2 x 2 pixel means (4:2:0 chroma and the
    codec's ringing are finer than the text's two colours; the whole block's pixels for odd sides): the
    block is an edge when the chroma covariance's smaller eigenvalue is below :data:`CHROMA_EDGE_LINE`
    of the larger, and the chroma along its principal axis correlates, ``|r|`` above
    :data:`CHROMA_EDGE_LUMA_CORR`, with both the BT.601 luma ``0.299 R + 0.587 G + 0.114 B`` (the codecs')
    and ``(R + 2G + B) / 4`` (this module's).
    """
    ys, xs = np.nonzero(bad)
    h2 = 2 if block % 2 == 0 else 1
    b = x[:bad.shape[0] * block, :bad.shape[1] * block].reshape(bad.shape[0], block, bad.shape[1], block, 3)
    b = b[ys, :, xs].astype(np.float32)  # (n, block, block, 3)
    b = b.reshape(len(ys), block // h2, h2, block // h2, h2, 3).mean(axis=(2, 4)).reshape(len(ys), -1, 3)
    r, g, bl = b[..., 0], b[..., 1], b[..., 2]
    comp = np.stack([r - g, bl - g, 0.299 * r + 0.587 * g + 0.114 * bl, (r + 2 * g + bl) / 4])  # (4, n, cells)
    comp -= comp.mean(axis=2, keepdims=True)
    cov = np.einsum("inc,jnc->ijn", comp, comp) / comp.shape[2]  # (4, 4, n)
    cuu, cvv, cuv = cov[0, 0], cov[1, 1], cov[0, 1]
    half = (cuu + cvv) / 2
    disc = np.sqrt(np.maximum(half * half - (cuu * cvv - cuv * cuv), 0.0))
    big, small = half + disc, half - disc
    # the principal axis: either form of the eigenvector, whichever is not (near) zero
    a1u, a1v, a2u, a2v = big - cvv, cuv, cuv, big - cuu
    first = a1u * a1u + a1v * a1v >= a2u * a2u + a2v * a2v
    au, av = np.where(first, a1u, a2u), np.where(first, a1v, a2v)
    norm = np.sqrt(au * au + av * av)
    edge = small < CHROMA_EDGE_LINE * big
    for k in (2, 3):  # the two lumas: |corr| of the chroma along the axis with each
        den = norm * np.sqrt(cov[k, k] * big)
        edge &= (den > 0) & (np.abs(au * cov[0, k] + av * cov[1, k]) > CHROMA_EDGE_LUMA_CORR * den)
    return edge


def _mostly_two_colour_edges(x: np.ndarray, bad: np.ndarray, block: int) -> bool:
    """True when at least :data:`CHROMA_EDGE_SHARE` of the colour-garbage blocks `bad` (of the image
    `x`, see :func:`_two_colour_edges`) are two-colour edges: coloured text or graphics, not garbage."""
    edges = _two_colour_edges(x, bad, block)
    return int(edges.sum()) >= CHROMA_EDGE_SHARE * edges.size


def _colour_specks(grad: np.ndarray, shape: tuple[int, int], block: int, s: int) -> PixelCheck:
    """Lossless WebP's sparse garbage: blocks where at least :data:`SPECK_FRACTION` more of the pixels
    than in the typical block have a chroma gradient above :data:`SPECK_LEVELS`; damaged from
    :data:`SPECK_BLOCKS` such blocks. `grad` is :func:`_chroma_noise`'s ``(H - 1, W - 1)`` gradient
    of the (sampled) ``shape`` image, `s` its block sampling step. Only in a picture whose typical
    block has no pixel above :data:`SPECK_QUIET_LEVELS` (colour noise, e.g. sensor noise stored with
    full-resolution colour, makes random specks everywhere)."""
    if np.median(_hot_block_counts(grad, SPECK_QUIET_LEVELS, block)) > 0:
        return PixelCheck(False, 0.0)
    hot = _hot_block_counts(grad, SPECK_LEVELS, block) / float((block - 1) ** 2)
    typical = float(np.median(hot))
    bad = hot - typical >= SPECK_FRACTION
    n = int(bad.sum())
    score = n / SPECK_BLOCKS
    if n < SPECK_BLOCKS:
        return PixelCheck(False, min(score, 0.999))
    rows, cols = np.nonzero(bad)
    first = int(np.argmin(rows * bad.shape[1] + cols))
    sampled = f" (of every {s}th block)" if s > 1 else ""
    return PixelCheck(True, score, "colour_specks", int(rows[first]) * s * block, int(cols[first]) * s * block,
                      f"colour garbage (saturated colour specks) in {n} blocks of {block} x {block} px{sampled}")
