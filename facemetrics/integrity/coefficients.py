"""Progressive JPEG in decoded pixels: neighbouring DCT blocks repeating the same coefficients.

**Repeated coefficients** (progressive JPEG only: ``check_pixels(...,
dct_block=8 // scale)``). A progressive scan codes one band of
coefficients of every block, many blocks to an end-of-band run [1]_
(G.1.2.2); overwritten bytes there write the same coefficients into a run of
neighbouring blocks (zeros: every coefficient of the band ``-1 << Al``), a
fine pattern repeated along a block row. In the orthonormal DCT of the
decoded luma on the decoder's block grid, :data:`REPEAT_RUN` consecutive
neighbouring pairs of one block row each sharing (both at least
:data:`REPEAT_COEFF_LEVEL`, within :data:`REPEAT_COEFF_TOL`) a fraction
:data:`REPEAT_SHARED` of their AC coefficients make the photo damaged
(:func:`_repeated_coefficients`).

References
----------
.. [1] ITU-T T.81 | ISO/IEC 10918-1, *Digital compression and coding of
   continuous-tone still images* (JPEG), 1992, A.1.1 (sampling factors),
   F.1.2.1 (DC difference coding).
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from facemetrics.integrity.result import PixelCheck

__all__ = [
    "REPEAT_COEFF_LEVEL",
    "REPEAT_COEFF_TOL",
    "REPEAT_RUN",
    "REPEAT_SHARED",
]

#: progressive JPEG (``check_pixels(..., dct_block=...)``): a run of this many neighbouring pairs of DCT
#: blocks in one block row, each sharing at least REPEAT_SHARED of the AC coefficients, is damage (chosen on
#: the CI fuzz set, fuzz seed 1 and the clean set: docs/robustness.md "JPEG: clipped staircases, progressive
#: repeated coefficients")
REPEAT_RUN = 8
#: ... this fraction of the b^2 - 1 AC coefficients (16 of 63 for 8 x 8 blocks, 4 of 15 for 4 x 4)
REPEAT_SHARED = 0.25
#: ... two blocks share a coefficient when both are at least this big (orthonormal DCT of the luma, grey
#: levels; zeros are shared by every smooth block) ...
REPEAT_COEFF_LEVEL = 4.0
#: ... and within this of each other (the decode's rounding moves a coefficient by about 0.3)
REPEAT_COEFF_TOL = 1.5
#: the repeated-coefficient check (progressive JPEG) reads every s-th block row of larger decodes, at most
#: about this many pixels (its block transform costs about 10 ms per megapixel)
_REPEAT_MAX_PIXELS = 500_000


def _dct_matrix(b: int) -> np.ndarray:
    """``(b, b)`` float32 orthonormal DCT-II matrix (row u = frequency u), as in JPEG's 8 x 8 DCT [1]_."""
    k = np.arange(b)
    d = np.cos(np.pi * (2 * k[None, :] + 1) * k[:, None] / (2 * b)) * math.sqrt(2.0 / b)
    d[0] /= math.sqrt(2.0)
    return d.astype(np.float32)


def _repeated_coefficients(rgb: np.ndarray, b: int) -> PixelCheck:
    """Progressive-JPEG check: a run of neighbouring DCT blocks sharing the same AC coefficients.

    A progressive JPEG codes each band of coefficients of every block in its own scan, with runs of
    blocks coded by one end-of-band symbol [1]_ (G.1.2.2). Overwritten bytes in such a scan
    (zeros decode to the shortest codes, over and over) write the same symbols into many
    consecutive blocks: their coefficients in the damaged band all become the same values (e.g.
    ``-1 << Al`` times the quantiser, every coefficient of the band), a fine corner-weighted pattern
    repeated along a block row. The luma ``Y = 0.299 R + 0.587 G + 0.114 B`` of every ``b x b``
    block (the decoder's grid: 8 x 8 px, divided by the DCT scaling) is transformed with the
    orthonormal DCT; two horizontally neighbouring blocks *share* an AC coefficient when both are
    at least :data:`REPEAT_COEFF_LEVEL` in size and within :data:`REPEAT_COEFF_TOL` of each other.
    The photo is damaged when :data:`REPEAT_RUN` consecutive neighbouring pairs of one block row each
    share at least :data:`REPEAT_SHARED` of the ``b^2 - 1`` AC coefficients. Above
    ``_REPEAT_MAX_PIXELS`` every s-th block row is read. Not below 4 x 4 px blocks (a decode at 1/4
    or 1/8 scale).
    """
    h, w = rgb.shape[:2]
    nby, nbx = h // b, w // b
    if b < 4 or nby < 1 or nbx <= REPEAT_RUN:
        return PixelCheck(False, 0.0)
    # large decodes: every s-th block row, at most about _REPEAT_MAX_PIXELS pixels (a damaged scan's run
    # of blocks in a large picture spans several block rows)
    s = max(1, -(-nby * nbx * b * b // _REPEAT_MAX_PIXELS))
    strips = rgb[:nby * b, :nbx * b].reshape(nby, b, nbx * b, rgb.shape[2])[::s]
    nby = strips.shape[0]
    y = cv2.cvtColor(np.ascontiguousarray(strips).reshape(nby * b, nbx * b, -1), cv2.COLOR_RGB2GRAY)
    y = y.astype(np.float32)
    d = _dct_matrix(b)
    # the blockwise DCT D B D^T as two plain matrix products on the image's own layout: every b-pixel
    # row piece times D^T, then D times every b-row band: coef[i, v, j * b + u] is coefficient (v, u)
    # of block (i, j)
    coef = np.matmul(d, (y.reshape(-1, b) @ d.T).reshape(nby, b, nbx * b)).reshape(nby * b, nbx * b)
    # (OpenCV for the element-wise steps: several times faster than NumPy on these sizes)
    big = cv2.compare(np.abs(coef), REPEAT_COEFF_LEVEL, cv2.CMP_GE)  # 255 where big
    big[0::b, 0::b] = 0  # (the DC coefficient is not compared: DC is coded apart)
    # block j + 1's coefficients are b columns right of block j's
    same = cv2.compare(cv2.absdiff(coef[:, b:], coef[:, :-b]), REPEAT_COEFF_TOL, cv2.CMP_LE)
    cv2.bitwise_and(same, big[:, b:], dst=same)
    cv2.bitwise_and(same, big[:, :-b], dst=same)
    np.minimum(same, 1, out=same)  # 0 / 1
    rows = same.reshape(nby, b, -1)
    acc = rows[:, 0].copy()  # (nby, (nbx - 1) b): shared coefficients per column u, summed over v
    for v in range(1, b):
        acc += rows[:, v]
    shared = acc[:, 0::b].astype(np.int32)  # (nby, nbx - 1): AC coefficients each neighbouring pair shares
    for u in range(1, b):
        shared += acc[:, u::b]
    need = math.ceil(REPEAT_SHARED * (b * b - 1))
    ok = (shared >= need).astype(np.int32)  # (nby, nbx - 1): neighbouring pairs sharing enough
    csum = np.zeros((nby, nbx), np.int32)
    np.cumsum(ok, axis=1, out=csum[:, 1:])
    win = csum[:, REPEAT_RUN:] - csum[:, :-REPEAT_RUN]  # pairs sharing in each window of REPEAT_RUN pairs
    longest = int(win.max())  # (the score: the longest window's share, up to a full run)
    if longest < REPEAT_RUN:
        return PixelCheck(False, 0.999 * longest / REPEAT_RUN)
    r, j = np.argwhere(win == REPEAT_RUN)[0]
    run = REPEAT_RUN
    while j + run < nbx - 1 and ok[r, j + run]:
        run += 1
    return PixelCheck(True, run / REPEAT_RUN, "repeated_coefficients", int(r) * s * b, int(j) * b,
                      f"the same DCT coefficients repeated in {run + 1} neighbouring blocks of {b} x {b} px")
