"""Recognise decoder garbage in decoded photo pixels.

JPEG, WebP and HEIC hold no checksum of their compressed data. Bytes
*overwritten* inside it (a zeroed disk sector, a garbled transfer, one
flipped bit) keep every size and marker right; libwebp and libde265 then
report nothing, libjpeg often nothing, and the photo decodes to wrong
pixels. :func:`check_pixels` looks at the decoded pixels for the
signatures such damage leaves, on the block grid the decoder used:

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

**DC drift** (JPEG, baseline and progressive). DC coefficients are coded
as differences from the previous block's [1]_ [3]_, so a lost bit that
still decodes adds a constant colour offset to every following block in
decode (raster) order, until the end of the scan. The damaged region is
the rest of one MCU row from some column on plus every row below: its
border is a "staircase", a step ``d`` on the horizontal MCU boundary above
the damaged row (columns right of the damage point) and the same ``d`` on
the MCU boundary below it (columns left of the damage point), with up to 4
MCUs of garbage between the two. The step is measured per MCU as the
boundary difference minus the mean of the two adjacent inside-block
differences (smooth gradients cancel), in luma ``(R + 2G + B) / 4``,
``R - G`` and ``B - G``. A staircase is drift when both parts are
consistent (``|mean| >= 0.6 mean |.|``), agree in every channel (within
half of each other plus 2 levels), step by at least :data:`DRIFT_LEVELS`
(20) in the strongest channel, and either the picture's texture continues
across each part (luma gradients of the rows above and below correlate,
>= 0.5, on textured MCUs) or the rows beside it are quiet (an object's
straight edge is blurred over several rows; a DC step is one pixel
sharp). A single straight run, needed when the damage starts at a row's
start or in the first or last MCU row, counts only when it covers at
least half the width, steps by 1.5 x the level with every MCU within half
of the mean, and the texture continues across it: a letterbox bar or a
lectern's edge on the grid is one straight edge between different
things, not a shift of the same picture; and the texture continues down
the shifted MCU row too (its rows y + 1 and y + 2 within 4 x of row y's
gradient energy: a flat bar starting one row below the boundary reads as
a step on it, with the picture's last row just below). A run over the
whole width may be partly **clipped** (a large shift pushes dark or bright
parts past 0 or 255, where the step is smaller and the texture flat): the
unclipped MCUs must then step alike (:data:`CLIP_RUN_AGREE`, on at least
:data:`CLIP_RUN_MIN_AGREE` of the width) with their texture continuing,
and together with the clipped ones cover :data:`CLIP_RUN_EXPLAINED` of it;
a staircase may be clipped alike (:func:`_clipped_staircase`, the same
constants over its two parts).

**Wrong MCUs** (JPEG with 16-px MCU rows, i.e. 4:2:0 / 4:4:0 chroma at full
scale, up to 1 MP). A Huffman decoder that loses its place for a few symbols
and finds it again decodes one to a few MCUs from wrong bits (stripes,
checkerboards, flat blocks of another colour): such an MCU steps against the
picture on its top and bottom, where the MCU columns beside it do not. A run
of at most :data:`WRONG_MCU_RUN` MCUs whose boundaries above and below step
:data:`WRONG_MCU_LEVELS` more than those beside the run (chroma counted 4 x,
see :func:`_wrong_mcu`) is damage; so is a drift candidate below the level
starting at a run stepping :data:`JOINT_WRONG_MCU` of that
(:func:`_drift_at_wrong_mcu`: the wrong MCUs and the shift after them come
from the same lost place).

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

**Block means out of range** (JPEG up to 1 MP: ``check_pixels(..., jpeg=data)``;
:func:`jpeg_dc_out_of_range`, on the file's bytes). An encoder transforms
samples in 0 .. 255, so every block's coded mean (its DC coefficient) is in
range (not its mean colour in R, G and B: an encoder fed YCbCr, a video
frame grab or a camera pipeline, writes colours outside the RGB cube). A
drift large enough to be clipped to black by the decoder codes
blocks far below 0, which the pixels no longer show: the file is decoded
again at 1/8 scale from a copy with its quantisers divided by about three
and its components output unconverted, so that the coded means come out
unclipped; :data:`DC_RANGE_BLOCKS` blocks more than :data:`DC_RANGE_LEVELS`
beyond the range (after the quantisers' rounding) make the file corrupt.

**Early end** (lossy WebP; :func:`vp8_ends_early`, on the file's bytes).
Damage in VP8's token data decodes to smooth, plausible-looking patches
(prediction without residuals): no pixel signature. But a desynchronised
boolean decoder reads its data at another rate than the encoder wrote it;
libwebp reports running past the end, not finishing early. A copy of the
file without the last :data:`VP8_TAIL_BYTES` bytes of its image data must
fail to decode; when it decodes, the data is corrupt. The same holds for
lossless WebP's VP8L data (:func:`vp8l_ends_early`,
:data:`VP8L_TAIL_BYTES`): a zeroed range near its end decodes to copies of
earlier pixels and the decoder stops early.

**Colour specks** (lossless WebP only: ``check_pixels(..., specks=True)``).
A few wrong VP8L prefix codes after which the decoder resynchronised leave
sparse saturated pixels, spread a little by the predictor transform: a
block counts when at least :data:`SPECK_FRACTION` more of its pixels than
in the typical block have a chroma gradient above :data:`SPECK_LEVELS`,
and :data:`SPECK_BLOCKS` such blocks make the photo damaged, in pictures
without colour noise (typical block quiet at :data:`SPECK_QUIET_LEVELS`).

**HEVC warnings** (HEIC; :func:`hevc_errors`, on the file's bytes).
libheif does not pass on libde265's warnings; a desynchronised CABAC
decoder nearly always causes one (a missing end-of-substream bit, a coding
tree unit outside the picture). The primary image is decoded once more
with pillow_heif's bundled libde265 through :mod:`ctypes` to read them,
and a picture whose last coding blocks were never decoded is reported too.

What still passes (mostly JPEG damage after which the Huffman decoder
resynchronised, and small lossless-WebP damage) is listed in
``docs/robustness.md``. The thresholds were chosen on fuzz seed 1 (the
clipped staircase and the repeated coefficients: also the CI fuzz set) and a
set of 1321 clean re-encoded real photos (``bench/bench_integrity.py``,
zero false alarms) and are reported on held-out seeds 0 and 2.

References
----------
.. [1] ITU-T T.81 | ISO/IEC 10918-1, *Digital compression and coding of
   continuous-tone still images* (JPEG), 1992, A.1.1 (sampling factors),
   F.1.2.1 (DC difference coding).
.. [2] Google, *WebP Container/Lossless Bitstream Specification*, and
   RFC 6386, *VP8 Data Format and Decoding Guide*, 2011 (4:2:0 only).
.. [3] G. K. Wallace, "The JPEG still picture compression standard",
   *IEEE Trans. Consumer Electronics* 38(1), 1992.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

import cv2
import numpy as np

__all__ = [
    "CHROMA_EDGE_LINE",
    "CHROMA_EDGE_LUMA_CORR",
    "CHROMA_EDGE_SHARE",
    "CHROMA_NOISE_BLOCKS",
    "CHROMA_NOISE_FRACTION",
    "CHROMA_NOISE_LEVELS",
    "CLIP_RUN_AGREE",
    "CLIP_RUN_EXPLAINED",
    "CLIP_RUN_MIN_AGREE",
    "DC_RANGE_BLOCKS",
    "DC_RANGE_LEVELS",
    "DRIFT_LEVELS",
    "HEVC_DAMAGE_CODES",
    "NOISY_PICTURE_FRACTION",
    "SPECK_BLOCKS",
    "SPECK_FRACTION",
    "SPECK_LEVELS",
    "SPECK_QUIET_LEVELS",
    "REPEAT_COEFF_LEVEL",
    "REPEAT_COEFF_TOL",
    "REPEAT_RUN",
    "REPEAT_SHARED",
    "PixelCheck",
    "VP8_TAIL_BYTES",
    "VP8L_TAIL_BYTES",
    "check_pixels",
    "hevc_errors",
    "jpeg_dc_out_of_range",
    "webp_is_lossless",
    "vp8_ends_early",
    "vp8l_ends_early",
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
#: a JPEG staircase with a colour step of at least this many grey levels (in the strongest of
#: luma, R-G, B-G) on both of its parts is DC drift
DRIFT_LEVELS = 20.0
#: a long drift run may leave out MCUs whose lower side was clipped to 0 / 255 by the shift: the other
#: MCUs of the boundary step alike (every channel within this fraction of the step, plus 2 levels) ...
CLIP_RUN_AGREE = 0.2
#: ... on at least this fraction of the width, the clipped ones and these together on at least
#: CLIP_RUN_EXPLAINED of it (chosen on fuzz seed 1 and the clean set: docs/robustness.md "Decoder garbage")
CLIP_RUN_MIN_AGREE = 0.15
CLIP_RUN_EXPLAINED = 0.9
#: JPEG, 4:2:0 or 4:4:0 at full scale (16-px MCU rows), up to _DRIFT_ALL_COLUMNS_PIXELS: a run of 1 to
#: WRONG_MCU_RUN MCUs whose top and bottom boundaries both step, on average along the MCU, by at least this
#: many levels more than the MCU columns beside the run do (strongest of luma and 4 x R-G, 4 x B-G) is a
#: wrongly decoded MCU (twice the clean set's highest, 47: docs/robustness.md "JPEG: wrong MCUs")
WRONG_MCU_LEVELS = 100.0
#: ... at most this many MCUs side by side (a longer run of garbage is colour noise or drift)
WRONG_MCU_RUN = 3
#: a drift candidate (>= 0.6 x DRIFT_LEVELS) starting at a run of MCUs stepping this fraction of WRONG_MCU_LEVELS
#: more than their neighbours is damage (the clean set's highest wrong-MCU excess anywhere: 0.37)
JOINT_WRONG_MCU = 0.4
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
#: lossy WebP: a copy whose VP8 image data lacks this many final bytes (one more when needed for an
#: even length) must fail to decode; if it decodes, the decoder did not need them (see vp8_ends_early).
#: Clean files decoded without at most 2 of their bytes (2 of libwebp's, 1 of libvpx's: docs/robustness.md,
#: "Lossy WebP: the decoder's early end"); 8 until 2026-12-02
VP8_TAIL_BYTES = 4
#: lossless WebP: the same for its VP8L data (clean encodings need every byte: docs/robustness.md,
#: "Lossless WebP: the decoder's early end"; one byte of margin)
VP8L_TAIL_BYTES = 2
#: the chroma check reads at most about this many pixels (every s-th block of larger decodes),
#: to keep its cost a small fraction of the decode's
_CHROMA_MAX_PIXELS = 120_000
#: ... when the decode has more than this many pixels (below, every block is read)
_CHROMA_ALL_PIXELS = 1_000_000
#: the repeated-coefficient check (progressive JPEG) reads every s-th block row of larger decodes, at most
#: about this many pixels (its block transform costs about 10 ms per megapixel)
_REPEAT_MAX_PIXELS = 500_000
#: the drift check averages every column of each MCU up to this many pixels; above, it reads two
#: columns of every fourth MCU
_DRIFT_ALL_COLUMNS_PIXELS = 1_000_000


@dataclass(frozen=True)
class PixelCheck:
    """Result of :func:`check_pixels`.

    Attributes
    ----------
    damaged : bool
        True when the pixels show decoder garbage.
    score : float
        Strength of the strongest signature relative to its threshold
        (``>= 1.0`` means damaged; 0.0 when nothing at all was seen).
    kind : str
        ``"colour_noise"``, ``"colour_specks"``, ``"dc_drift"``, ``"wrong_mcu"``, ``"repeated_coefficients"``,
        ``"dc_range"`` or ``""``
        (nothing found).
    row : int or None
        First pixel row (0 = top of the array given) of the damage, in the
        pixel grid of the array given; None when not damaged.
    col : int or None
        Pixel column where the damage starts on that row (drift: the
        damage point, to within a few MCUs; colour noise: the left edge of
        the first garbage block on that row); None when not damaged.
    what : str
        What was seen, without where, e.g. ``"colour garbage in 40 blocks
        of 8 x 8 px"``; ``""`` when not damaged.
    """

    damaged: bool
    score: float
    kind: str = ""
    row: int | None = None
    col: int | None = None
    what: str = ""

    @property
    def detail(self) -> str:
        """One clause for an error message: `what` and from which row (of the array given), e.g.
        ``"colour garbage in 40 blocks of 8 x 8 px from row 212 down"``; ``""`` when not damaged."""
        return f"{self.what} from row {self.row} down" if self.damaged else ""


def _channels(rgb: np.ndarray) -> np.ndarray:
    """``(3, ...)`` int16 from ``(..., 3 or 4)`` uint8 RGB(x): luma ``(R + 2G + B) // 4``, ``R - G``, ``B - G``."""
    shape = rgb.shape[:-1]
    # one contiguous plane per channel (OpenCV's split; strided channel views are slow in NumPy)
    planes = cv2.split(np.ascontiguousarray(rgb).reshape(-1, 1, rgb.shape[-1]))
    r, g, b = (planes[i].reshape(shape).astype(np.int16) for i in range(3))
    out = np.empty((3,) + shape, np.int16)
    np.add(r, b, out=out[0])
    out[0] += g
    out[0] += g
    out[0] >>= 2
    np.subtract(r, g, out=out[1])
    np.subtract(b, g, out=out[2])
    return out


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


def _boundary_rows(rgb: np.ndarray, mh: int, K: int, J: int, cw: int, off: int, n: int, r: int,
                   ks: np.ndarray | None = None) -> np.ndarray:
    """``(K, r, J, n, 3 or 4)`` uint8 copy of the ``r`` rows around each horizontal MCU boundary
    ``y = (k + 1) mh`` (rows ``y - r/2 .. y + r/2 - 1``), at columns ``off .. off + n - 1`` of every
    ``cw``-wide group (`rgb` C-contiguous): one strided view of ``n``-pixel items, one copy (with
    `ks`, of those boundaries only: ``(len(ks), r, J, n, 3 or 4)``)."""
    rs = rgb.strides[0]
    start = (mh - r // 2) * rs + off * 3
    if n == 1 and start + (K - 1) * mh * rs + (r - 1) * rs + (J - 1) * 3 * cw + 4 <= rgb.nbytes:
        # single pixels: 4-byte items (the pixel and the next byte) copy faster than 3-byte ones
        items = np.ndarray((K, r, J), np.uint32, buffer=rgb, offset=start, strides=(mh * rs, rs, 3 * cw))
        items = items.copy() if ks is None else items[ks]
        return items.view(np.uint8).reshape(len(items), r, J, 1, 4)  # (the fourth byte is not a channel)
    items = np.ndarray((K, r, J), np.dtype((np.void, 3 * n)), buffer=rgb, offset=start,
                       strides=(mh * rs, rs, 3 * cw))
    items = items.copy() if ks is None else items[ks]
    return items.view(np.uint8).reshape(len(items), r, J, n, 3)


class _Grid(NamedTuple):
    """Where the drift check reads: horizontal MCU boundaries ``y = (k + 1) mh``, ``k = 0 .. K - 1``,
    and ``J`` groups of ``cw`` columns, of which columns ``off .. off + n - 1`` are read (``ns`` of
    them for the steps: ``n`` when ``n <= 2``, else 1)."""

    mh: int
    mw: int
    K: int
    J: int
    cw: int
    n: int
    ns: int
    off: int


class _Texture(NamedTuple):
    """``(K, J + 1)`` float32 cumulative sums along the MCU columns of each boundary (prefix sums:
    ``[:, j]`` sums MCU columns ``0 .. j - 1``) of: the activity beside the boundary (`act`); the
    products of the horizontal luma gradients of the rows just above and below (`ab`, `aa`, `bb`);
    the count of textured MCUs (`textured`, mean ``|gradient| >= 1.5`` levels); and the
    ``(K, 6, J, n, 3)`` uint8 pixels they were taken from (`rows`, :func:`_boundary_rows`), which the
    clipped searches read again."""

    act: np.ndarray
    ab: np.ndarray
    aa: np.ndarray
    bb: np.ndarray
    textured: np.ndarray
    rows: np.ndarray


def _drift_grid(shape: tuple[int, ...], mcu: tuple[int, int]) -> _Grid | None:
    """The boundaries and columns the drift check reads on an array of `shape`; None when too small."""
    mh, mw = mcu
    h, w = shape[:2]
    nby, nbx = h // mh, w // mw  # whole MCUs
    if nby < 3 or nbx < 4 or mh < 3 or mw < 2:
        return None
    # Only the rows around each boundary are read, and on large decodes two adjacent columns in the
    # middle of each fourth MCU (the step is the same all along a drifted MCU).
    small = h * w <= _DRIFT_ALL_COLUMNS_PIXELS
    cw = mw if small else 4 * mw  # large decodes: every fourth MCU column is read
    n = mw if small else 2
    return _Grid(mh, mw, nby - 1, w // cw, cw, n, n if n > 2 else 1, (mw - n) // 2)


def _boundary_steps(rgb: np.ndarray, g: _Grid, abs_steps: list | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The colour step across each horizontal MCU boundary, per MCU column.

    Returns ``(ei, ns)``: ``ei`` ``(3, K, J)`` integers, ``2 ns`` times the step across the boundary
    minus the mean of the two inside-block steps beside it, in luma, R-G and B-G (smooth gradients
    cancel), summed over the ``ns`` columns read per MCU; :func:`_prefix_sums` turns them into the
    steps ``hr = ei / (2 ns)`` and their prefix sums. `abs_steps`: when given (a list) and every column
    is read, :func:`_mcu_abs_steps` of the same steps is appended (for :func:`_wrong_mcu`).
    """
    K, J, ns = g.K, g.J, g.ns
    # from the four rows y - 2 .. y + 1 around each boundary y, at columns off .. off + n - 1 of every
    # cw (large decodes: one column per MCU for the steps, a drifted MCU steps alike all along);
    # 2 (p2 - p1) - (p1 - p0) - (p3 - p2) = 3 (p2 - p1) - (p3 - p0)
    raw = _boundary_rows(rgb, g.mh, K, J, g.cw, g.off, ns, 4)  # (K, 4, J, ns, 3 or 4) uint8
    p = _channels(raw.reshape(K, 4, J * ns, raw.shape[-1]))  # (3, K, 4, J ns) int16
    e = p[:, :, 2] - p[:, :, 1]
    e *= 3
    e -= p[:, :, 3]
    e += p[:, :, 0]  # (3, K, J ns), |e| <= 2040
    if abs_steps is not None and ns == g.mw == g.cw:
        abs_steps.append(_mcu_abs_steps(e, K, J, ns))
    return (e.reshape(3, K, J, ns).sum(axis=3, dtype=np.int32) if ns > 1 else e), ns


def _mcu_abs_steps(e: np.ndarray, K: int, J: int, n: int) -> np.ndarray:
    """``(K, J)`` float32: from the ``(3, K, J n)`` boundary steps `e` of :func:`_boundary_steps` (every column,
    ``n`` per MCU), the mean ``|e| / 2`` per MCU in the strongest of luma and 4 x each chroma difference (for
    :func:`_wrong_mcu`; libjpeg's smooth upsampling of vertically halved chroma spreads a chroma step D over
    two rows, where this measure reads D / 4)."""
    a = np.abs(e).reshape(3, K, J, n).sum(axis=3, dtype=np.int32).astype(np.float32)
    a *= np.array([0.5, 2.0, 2.0], np.float32)[:, None, None] / n
    return a.max(axis=0)


def _prefix_sums(ei: np.ndarray, ns: int, steps: bool = True) -> tuple[np.ndarray, np.ndarray] | np.ndarray:
    """From :func:`_boundary_steps`'s ``(3, K, J)`` integers `ei`: with `steps`, ``(hr, csum)``, the
    float32 steps ``hr = ei / (2 ns)`` and their ``(3, K, J + 1)`` prefix sums along ``J``
    (``[:, :, j]`` sums columns ``0 .. j - 1``); without, the prefix sums of ``|hr|`` only."""
    C, K, J = ei.shape
    if ns & (ns - 1) == 0 and J * 2040 * ns < 2 ** 24:
        # ns a power of two: hr = ei / (2 ns) and every sum of it are exact in float32, so cumulating
        # the integers gives the same sums as cumulating hr in float32
        ie = np.empty((C, K, J), np.int32)  # (int32 in and out: NumPy's cumsum is slow when it casts)
        if steps:
            ie[:] = ei
        else:
            np.abs(ei, out=ie)
        np.cumsum(ie, axis=2, out=ie)
        cum = np.empty((C, K, J + 1), np.float32)
        cum[:, :, 0] = 0.0
        cum[:, :, 1:] = ie
        cum *= 0.5 / ns
        if not steps:
            return cum
        hr = ei.astype(np.float32)
        hr *= 0.5 / ns
        return hr, cum
    hr = ei.astype(np.float32)
    if ns > 1:
        hr /= ns  # the mean, as before
    hr *= 0.5
    cum = np.zeros((C, K, J + 1), np.float32)
    np.cumsum(hr if steps else np.abs(hr), axis=2, out=cum[:, :, 1:])
    return (hr, cum) if steps else cum


def _drift_possible(csum: np.ndarray, J: int, lvl: float) -> bool:
    """Quick exit: False when no prefix mean of >= 2 MCUs (on a boundary below the first) reaches
    `lvl`, and no prefix or suffix mean of >= half the width reaches 1.5 x `lvl`: no staircase and no
    long run can then be found (a slightly lower bar than theirs, against float32 rounding)."""
    lo = lvl * (1.0 - 1e-4)
    jj = np.arange(J + 1, dtype=np.float32)
    half = -(-J // 2)
    mx = np.abs(csum).max(axis=0)  # (K, J + 1)
    tail = np.abs(csum[:, :, J:] - csum[:, :, :J // 2 + 1]).max(axis=0)  # (K, J // 2 + 1)
    return bool((mx[1:, 2:J - 1] >= lo * jj[2:J - 1]).any() or (mx[:, half:] >= 1.5 * lo * jj[half:]).any()
                or (tail >= 1.5 * lo * (J - jj[:J // 2 + 1])).any())


def _texture(rgb: np.ndarray, g: _Grid) -> _Texture:
    """The texture terms of every boundary (:class:`_Texture`), from the rows ``y - 3 .. y + 2``
    around each boundary ``y`` (the last three of MCU row k, the first three of k + 1)."""
    K, J, n = g.K, g.J, g.n
    sub = _boundary_rows(rgb, g.mh, K, J, g.cw, g.off, n, 6)  # (K, 6, J, n, 3) uint8
    ch = _channels(sub if g.ns == n else _boundary_rows(rgb, g.mh, K, J, g.cw, g.off, 1, 6))  # (3, K, 6, J, ns)
    pm, p0, p1, p2, p3, p4 = (ch[:, :, i] for i in range(6))  # each (3, K, J, ns)
    # activity beside the boundary (two inside-block steps on each side, strongest channel): a
    # natural edge that happens to lie on the grid is blurred over several rows, a DC step is not
    act = (np.abs(p0 - pm) + np.abs(p1 - p0) + np.abs(p3 - p2) + np.abs(p4 - p3)).max(axis=0).mean(
        axis=2, dtype=np.float32) * 0.25

    def _cum(a2):  # (K, J) -> (K, J + 1) cumulative sums along the MCU columns
        return np.concatenate([np.zeros((K, 1), np.float32), np.cumsum(a2, axis=1)], axis=1)

    # The picture must also continue across the boundary (the same texture, shifted), unlike an
    # object's straight edge (a lectern, a table): the horizontal luma gradients of the rows just
    # above and below correlate (>= 0.5) and are not flat.
    lum = sub[:, 2:4, :, :, 1].astype(np.float32)  # (K, 2, J, n): green of rows y - 1, y
    ga = np.diff(lum[:, 0], axis=2)  # (K, J, n - 1)
    gb = np.diff(lum[:, 1], axis=2)
    # fraction of the run's MCUs with texture (mean |gradient| >= 1.5 levels): a few vertical
    # edges crossing a flat run must not count as texture
    textured = ((np.abs(ga) + np.abs(gb)).sum(axis=2) / (2 * (n - 1)) >= 1.5).astype(np.float32)
    return _Texture(_cum(act), _cum((ga * gb).sum(axis=2)), _cum((ga * ga).sum(axis=2)),
                    _cum((gb * gb).sum(axis=2)), _cum(textured), sub)


def _staircase(csum: np.ndarray, acs: np.ndarray, tex: _Texture, J: int, lvl: float, best: tuple) -> tuple:
    """(a) Staircase: damage in MCU row m = k + 1 from column j0 on: the boundary above row m (index
    k) steps by d on columns [j0 + g, J) and the boundary below (index k + 1) on [0, j0); g <= 4 MCUs
    of garbage may separate them. Both parts need >= 2 MCUs and a consistent step. `best` (and the
    result): ``(magnitude, damage MCU row, MCU column, channel, step)``."""
    K = csum.shape[1]
    jj = np.arange(J + 1, dtype=np.float32)
    cab, caa, cbb, cab_abs, cact = tex.ab, tex.aa, tex.bb, tex.textured, tex.act
    # suffix means (columns [j, J)) and prefix means (columns [0, j)) of every boundary; only the
    # boundary pairs where both can reach the level are searched (a handful in a clean photo)
    suf = (csum[:, :, J:] - csum) / np.maximum(J - jj, 1)  # (3, K, J + 1)
    suf_abs = (acs[:, :, J:] - acs) / np.maximum(J - jj, 1)
    pre = csum / np.maximum(jj, 1)
    pre_abs = acs / np.maximum(jj, 1)
    ok_suf = ((np.abs(suf) >= lvl) & (np.abs(suf) >= 0.6 * suf_abs)).any(axis=0)  # (K, J + 1)
    ok_pre = ((np.abs(pre) >= lvl) & (np.abs(pre) >= 0.6 * pre_abs)).any(axis=0)
    ok_suf5 = ok_suf.copy()  # a suffix starting within 4 MCUs to the right will do (the gap g)
    for g in range(1, 5):
        ok_suf5[:, :-g] |= ok_suf[:, g:]
    pairs = np.nonzero((ok_suf5[:-1, 2:J - 1] & ok_pre[1:, 2:J - 1]).any(axis=1))[0]  # boundary k, k + 1
    for g in range(0, 5 if len(pairs) else 0):
        j0 = np.arange(2, J - 1 - g)
        if len(j0) == 0 or K < 2:
            break
        jt = j0 + g
        top = suf[:, pairs][:, :, jt]  # (3, P, n)
        top_abs = suf_abs[:, pairs][:, :, jt]
        bot = pre[:, pairs + 1][:, :, j0]
        bot_abs = pre_abs[:, pairs + 1][:, :, j0]
        same = np.sign(top) == np.sign(bot)
        # the same colour step on both parts, in every channel (natural edges differ in some)
        close = (np.abs(top - bot) <= 0.5 * np.maximum(np.abs(top), np.abs(bot)) + 2.0).all(axis=0)[None]
        cons = np.minimum(np.abs(top) / (top_abs + 1e-6), np.abs(bot) / (bot_abs + 1e-6)) >= 0.6
        # texture continues across both parts (or both are flat): not an object's edges
        kt, kb = pairs, pairs + 1
        ct = (cab[kt, J][:, None] - cab[kt][:, jt]) / np.sqrt(
            (caa[kt, J][:, None] - caa[kt][:, jt]) * (cbb[kt, J][:, None] - cbb[kt][:, jt]) + 1e-6)
        tt = (cab_abs[kt, J][:, None] - cab_abs[kt][:, jt]) / (J - jt)
        cb_ = cab[kb][:, j0] / np.sqrt(caa[kb][:, j0] * cbb[kb][:, j0] + 1e-6)
        tb = cab_abs[kb][:, j0] / j0
        at = (cact[kt, J][:, None] - cact[kt][:, jt]) / (J - jt)
        ab = cact[kb][:, j0] / j0
        dmin = np.minimum(np.abs(top), np.abs(bot)).max(axis=0)
        cont = ((((ct >= 0.5) & (tt >= 0.5)) | (at <= 0.35 * dmin))
                & (((cb_ >= 0.5) & (tb >= 0.5)) | (ab <= 0.35 * dmin)))
        mag = np.minimum(np.abs(top), np.abs(bot)) * (same & close & cons & cont[None])
        mag = mag * (0.97 ** g)  # ties: the staircase without a gap locates the damage best
        c, k, j = np.unravel_index(int(np.argmax(mag)), mag.shape)
        if mag[c, k, j] > best[0]:
            v = float(mag[c, k, j]) / (0.97 ** g)
            best = (v, int(pairs[k]) + 1, int(j0[j]), int(c), v)
    return best


def _long_run(hr: np.ndarray, csum: np.ndarray, tex: _Texture, J: int, lvl: float, best: tuple) -> tuple:
    """(b) One long run: a prefix [0, j) or a suffix [j, J) of at least half the width of one boundary
    stepping by the same d everywhere (damage at a row start, in the first or last MCU row, or just
    before the right edge). Stricter: every MCU within d / 2 of d on average, and 1.5 x the level (a
    letterbox bar or a horizon steps by an amount that varies along it). The texture continues across
    the boundary (rows y - 1 and y, as in :func:`_staircase`, their energies within 4 x) and down the
    shifted MCU row: the horizontal green gradients' energies of its rows y + 1 and y + 2 each within
    4 x of row y's (:func:`_shifted_rows_alike`). `best` as in :func:`_staircase`."""
    jj = np.arange(J + 1, dtype=np.float32)
    cab, caa, cbb, cab_abs = tex.ab, tex.aa, tex.bb, tex.textured
    suf = (csum[:, :, J:] - csum) / np.maximum(J - jj, 1)  # (3, K, J + 1)
    pre = csum / np.maximum(jj, 1)
    cand = np.unique(np.linspace(-(-J // 2), J, min(J - (-(-J // 2)) + 1, 8)).astype(int))
    long_k = np.nonzero((np.abs(pre[:, :, -(-J // 2):]) >= 1.5 * lvl).any(axis=(0, 2))
                        | (np.abs(suf[:, :, :J // 2 + 1]) >= 1.5 * lvl).any(axis=(0, 2)))[0]
    if len(long_k):
        # energies of rows y + 1, y + 2 of the boundaries with a long run: (P, 2, J + 1) prefix sums
        g_deep = np.diff(tex.rows[long_k, 4:6, :, :, 1].astype(np.float32), axis=3)  # (P, 2, J, n - 1)
        c_deep = np.zeros((len(long_k), 2, J + 1), np.float32)
        np.cumsum((g_deep * g_deep).sum(axis=3), axis=2, out=c_deep[:, :, 1:])
    for j in (cand if len(long_k) else ()):
        for part, k_shift in ((slice(0, j), 0), (slice(J - j, J), J - j)):
            seg = hr[:, long_k, part]  # (3, P, j)
            d = seg.mean(axis=2, keepdims=True)
            spread = np.abs(seg - d).mean(axis=2)
            dd = np.abs(d[..., 0])
            lo, hi = part.start, part.stop
            corr = (cab[long_k, hi] - cab[long_k, lo]) / np.sqrt(
                (caa[long_k, hi] - caa[long_k, lo]) * (cbb[long_k, hi] - cbb[long_k, lo]) + 1e-6)
            texture = (cab_abs[long_k, hi] - cab_abs[long_k, lo]) / (hi - lo)
            # a shift keeps the texture's strength: the gradients above and below within 4 x in energy
            # (a DC drift adds a constant; a caption banner or a graded band multiplies the picture)
            ea, eb = caa[long_k, hi] - caa[long_k, lo], cbb[long_k, hi] - cbb[long_k, lo]
            cont = (corr >= 0.5) & (texture >= 0.5) & (eb <= 4.0 * ea) & (ea <= 4.0 * eb)
            cont &= _shifted_rows_alike(eb, c_deep[:, :, hi] - c_deep[:, :, lo])
            mag = dd * (spread <= 0.5 * dd) * cont[None] / 1.5
            c, k = np.unravel_index(int(np.argmax(mag)), mag.shape)
            if mag[c, k] > best[0]:
                col = j if k_shift == 0 else k_shift
                best = (float(mag[c, k]), int(long_k[k]) + (0 if k_shift == 0 else 1), col, int(c),
                        float(dd[c, k]))
    return best


def _shifted_rows_alike(e_first: np.ndarray, e_deep: np.ndarray) -> np.ndarray:
    """True where the MCU row below a boundary ``y`` carries one texture in its first rows, as a row
    shifted by a constant does: the energies (sums of squared horizontal green gradients, over a run)
    `e_deep` ``(..., 2)`` of rows y + 1 and y + 2 each within 4 x of `e_first` ``(...)``, row y's.

    A DC drift adds the same constant to every pixel of the blocks it shifts, so their rows keep the
    picture's texture alike. A flat bar, or a pasted picture's lower edge, starting one row *below* an
    MCU boundary is not a shift: the boundary step (which subtracts the inside-block steps beside it)
    then reads minus half the bar's edge, row y is the picture's last row, so its texture continues
    across the boundary, and rows y + 1 and y + 2 are flat. (The drift grid has MCU rows of at least
    3 px, so rows y .. y + 2 are one MCU row.) The bound is the 4 x of the test across the boundary,
    not tuned; the reference is row y, not y - 1, because a large shift clips part of the texture of
    the shifted rows: rows y + 1 and y + 2 kept 0.45-1.6 x row y's energy in the long-run catches of
    fuzz seeds 0-2 and 7-9, the bars of the edited-photo bench at most 0.08 x in row y + 2
    (docs/robustness.md, "False refusals of edited good photos"). Only the long run uses it: in a
    clipped run an object's contour moving into the clipped level changes the energy row by row (an
    additive shift of +85 levels, 71 % clipped, kept 0.22-0.30 x).
    """
    e_first = np.asarray(e_first, np.float32)[..., None]
    return ((e_deep <= 4.0 * e_first) & (e_first <= 4.0 * e_deep)).all(axis=-1)


def _clipped_run(rgb: np.ndarray, g: _Grid, hr: np.ndarray, lvl: float, best: tuple,
                 rows: np.ndarray | None = None) -> tuple:
    """(c) A drift over the whole width of one boundary, partly clipped: a large shift pushes dark (or
    bright) parts of the picture below 0 (above 255), where the step is smaller than the shift and the
    texture flat, so the long run (b) sees neither a constant step nor a continuing texture. The MCUs
    whose three rows below the boundary are at 0 in some channel on at least half of their pixels
    (a negative step, by the boundary's median; at 255 for a positive one) are set aside as clipped;
    at least one must be (else it is the long run's case). The others, at least
    :data:`CLIP_RUN_MIN_AGREE` of the width, give the step ``d`` (their median; at least `lvl` in the
    strongest channel); those within :data:`CLIP_RUN_AGREE` of ``|d|`` plus 2 levels in every channel
    (again at least :data:`CLIP_RUN_MIN_AGREE` of the width) and the clipped ones stepping the same
    way or not at all must cover :data:`CLIP_RUN_EXPLAINED` of it. And over the agreeing MCUs the
    picture's texture continues across the boundary (horizontal green gradients of the rows just
    above and below correlate, >= 0.5, mean ``|gradient| >= 1.5`` levels): the same picture, shifted,
    not an object's edge or a bar. `best` as in :func:`_staircase`; :func:`_dc_drift` asks only when
    (a) and (b) found no drift (they locate the damage point better). `rows`: :attr:`_Texture.rows`
    (read from `rgb` when None)."""
    K, J, n = g.K, g.J, g.n
    d_all = np.median(hr, axis=2)  # (3, K): a first guess of each boundary's step
    ks = np.nonzero(np.abs(d_all).max(axis=0) >= 0.5 * lvl)[0]
    if len(ks) == 0 or n < 2:
        return best
    sub = rows[ks] if rows is not None else _boundary_rows(rgb, g.mh, K, J, g.cw, g.off, n, 6, ks)  # (P, 6, J, n, 3)
    for i, k in enumerate(ks):
        c0 = int(np.argmax(np.abs(d_all[:, k])))
        sign = np.sign(d_all[0, k]) if abs(d_all[0, k]) >= 0.5 * lvl else np.sign(d_all[c0, k])
        low = sub[i, 3:6, :, :, :3]  # (3 rows, J, n, 3): the rows just below the boundary
        at_limit = low.min(axis=3) == 0 if sign < 0 else low.max(axis=3) == 255  # (3, J, n)
        clipped = at_limit.mean(axis=(0, 2)) >= 0.5  # (J,)
        free = ~clipped
        if not clipped.any() or free.sum() < max(2, CLIP_RUN_MIN_AGREE * J):
            continue  # (nothing clipped: the long run's case)
        dk = np.median(hr[:, k, free], axis=1)  # (3,): the step where nothing was clipped
        c = int(np.argmax(np.abs(dk)))
        mag = float(abs(dk[c]))
        if mag < lvl or mag <= best[0] or np.sign(dk[c]) != np.sign(d_all[c, k]):
            continue
        agree = free & (np.abs(hr[:, k] - dk[:, None]) <= CLIP_RUN_AGREE * mag + 2.0).all(axis=0)  # (J,)
        same_way = hr[c, k] * np.sign(dk[c]) >= -2.0
        explained = agree | (clipped & same_way)
        if agree.sum() < max(2, CLIP_RUN_MIN_AGREE * J) or explained.mean() < CLIP_RUN_EXPLAINED:
            continue
        ga = np.diff(sub[i, 2, agree, :, 1].astype(np.float32), axis=1).ravel()  # row y - 1
        gb = np.diff(sub[i, 3, agree, :, 1].astype(np.float32), axis=1).ravel()  # row y
        corr = float((ga * gb).sum()) / float(np.sqrt(float((ga * ga).sum()) * float((gb * gb).sum())) + 1e-6)
        texture = float((np.abs(ga) + np.abs(gb)).mean()) / 2.0
        if corr >= 0.5 and texture >= 1.5:
            best = (mag, int(k) + 1, 0, c, float(dk[c]))
    return best


def _clipped_staircase(rgb: np.ndarray, g: _Grid, hr: np.ndarray, lvl: float, best: tuple,
                       rows: np.ndarray | None = None) -> tuple:
    """(d) A staircase (see :func:`_staircase`) partly clipped at black or white: damage in MCU row
    ``m = k + 1`` from MCU column ``j0`` on shifts the top part (boundary k, columns ``[j0 + gap, J)``,
    ``gap <= 4`` MCUs of garbage) and the bottom part (boundary k + 1, columns ``[0, j0)``) by the same
    ``d``; where the shifted picture went past 0 (255) the step is smaller and the texture flat, so
    :func:`_staircase` sees no consistent step. As in :func:`_clipped_run`, each MCU column of a
    boundary is *clipped* (the three rows below it at 0, for a negative ``d``, on at least half of
    their pixels in some channel; at 255 for a positive one) or *free*. Candidate steps ``d`` are the
    free MCUs' steps reaching `lvl` (strongest channel); *agreeing* MCUs are free ones within
    :data:`CLIP_RUN_AGREE` of ``|d|`` plus 2 levels in every channel. A staircase is drift when both
    parts have an agreeing MCU, together at least ``max(3, CLIP_RUN_MIN_AGREE J)``; at least one MCU
    of the parts is clipped; the agreeing MCUs and the clipped ones stepping the same way or not at
    all cover :data:`CLIP_RUN_EXPLAINED` of the two parts; and over the agreeing MCUs the picture's
    texture continues across the boundaries (as in :func:`_clipped_run`). The step reported is the
    agreeing MCUs' median, the damage column the best-explained split. `best` as in
    :func:`_staircase`; `rows` as in :func:`_clipped_run`."""
    K, J, n = g.K, g.J, g.n
    if n < 2 or K < 2 or J < 4:
        return best
    c0 = np.abs(hr).argmax(axis=0)  # (K, J): each MCU's strongest channel
    s0 = np.take_along_axis(hr, c0[None], axis=0)[0]  # (K, J): its step
    strong = np.abs(s0) >= max(lvl, best[0])
    pair = strong[:-1].any(axis=1) & strong[1:].any(axis=1)  # (K - 1,): boundary pairs (k, k + 1)
    if not pair.any():
        return best
    sub = rows if rows is not None else _boundary_rows(rgb, g.mh, K, J, g.cw, g.off, n, 6)  # (K, 6, J, n, 3)
    used = np.zeros(K, bool)  # the boundaries of those pairs
    used[:-1] |= pair
    used[1:] |= pair
    low = sub[used, 3:6]  # (U, 3, J, n, 3): the three rows below each boundary used
    lo, hi = np.minimum(low[..., 0], low[..., 1]), np.maximum(low[..., 0], low[..., 1])
    np.minimum(lo, low[..., 2], out=lo)
    np.maximum(hi, low[..., 2], out=hi)
    clip = {}  # sign of the step -> (K, J): clipped at 0 (255) below the boundary
    for sign, at_limit in ((-1.0, lo == 0), (1.0, hi == 255)):
        clip[sign] = np.zeros((K, J), bool)
        clip[sign][used] = at_limit.mean(axis=(1, 3)) >= 0.5
    # a quick bound for every pair and sign: the MCUs that could be explained (stepping at least as far
    # as an agreeing MCU must, 0.8 lvl - 2, in their strongest channel; or clipped) must cover
    # CLIP_RUN_EXPLAINED of some split's two parts; only the pairs that pass are searched
    fair = np.abs(s0) >= (1.0 - CLIP_RUN_AGREE) * lvl - 2.0
    need = max(3, CLIP_RUN_MIN_AGREE * J)
    for sign in (-1.0, 1.0):
        cl = clip[sign]
        could = fair | cl  # (K, J) (an agreeing MCU's strongest channel may step the other way)
        cum = np.zeros((K, J + 1), np.int32)
        np.cumsum(could, axis=1, out=cum[:, 1:])
        cand = pair & cl[:-1].any(axis=1) | pair & cl[1:].any(axis=1)
        hit = np.zeros(K - 1, bool)
        for gap in range(5):
            j0 = np.arange(1, J - gap)
            if len(j0) == 0:
                break
            cover = (cum[:-1, J:] - cum[:-1, j0 + gap]) + cum[1:, j0]  # (K - 1, len(j0))
            hit |= (cover >= CLIP_RUN_EXPLAINED * (J - gap)).any(axis=1)
        for k in np.nonzero(cand & hit)[0]:
            best = _clipped_stair_pair(sub[k:k + 2], hr[:, k:k + 2], s0[k:k + 2], strong[k:k + 2], cl[k:k + 2],
                                       sign, J, need, lvl, int(k), best)
    return best


def _clipped_stair_pair(sub: np.ndarray, hk: np.ndarray, s0: np.ndarray, strong: np.ndarray, cl: np.ndarray,
                        sign: float, J: int, need: float, lvl: float, k: int, best: tuple) -> tuple:
    """:func:`_clipped_staircase` on one boundary pair ``(k, k + 1)`` and one sign of the step: ``sub``
    ``(2, 6, J, n, 3)`` the rows around both boundaries, ``hk`` ``(3, 2, J)`` their steps, ``s0``
    ``(2, J)`` the steps in each MCU's strongest channel, ``strong``/``cl`` ``(2, J)`` the MCUs
    stepping by `lvl` and those clipped."""
    cand = strong & ~cl & (np.sign(s0) == sign)  # (2, J)
    if not cand.any():
        return best
    d = hk[:, cand]  # (3, D) candidate steps
    D = d.shape[1]
    cd = np.abs(d).argmax(axis=0)  # (D,)
    tol = CLIP_RUN_AGREE * np.abs(d).max(axis=0) + 2.0
    agree = (~cl)[None] & (np.abs(hk[:, None] - d[:, :, None, None]) <= tol[:, None, None]).all(axis=0)  # (D, 2, J)
    same_way = hk[cd] * np.sign(d[cd, np.arange(D)])[:, None, None] >= -2.0  # (D, 2, J)
    expl = agree | (cl[None] & same_way)
    zero = np.zeros((D, 2, 1), np.int32)
    ca, ce = (np.concatenate([zero, np.cumsum(a, axis=2, dtype=np.int32)], axis=2) for a in (agree, expl))
    cc = np.concatenate([[[0], [0]], np.cumsum(cl, axis=1)], axis=1)  # (2, J + 1)
    splits = []  # (explained fraction, -gap, -j0, candidate) where the counts hold
    for gap in range(5):
        j0 = np.arange(1, J - gap)  # bottom part [0, j0) of k + 1, top part [j0 + gap, J) of k
        if len(j0) == 0:
            break
        t0 = j0 + gap
        na_t, na_b = ca[:, 0, J:] - ca[:, 0, t0], ca[:, 1, j0]  # (D, len(j0))
        frac = (ce[:, 0, J:] - ce[:, 0, t0] + ce[:, 1, j0]) / ((J - t0) + j0)
        ok = ((na_t >= 1) & (na_b >= 1) & (na_t + na_b >= need) & (cc[0, J] - cc[0, t0] + cc[1, j0] >= 1)
              & (frac >= CLIP_RUN_EXPLAINED))
        di, jj = np.nonzero(ok)
        splits += [(float(frac[a, b]), -gap, -int(j0[b]), int(a)) for a, b in zip(di, jj)]
    for _, gap, j, di in sorted(splits, reverse=True)[:4]:
        found = _clipped_stair_texture(sub, hk, agree[di], -gap, -j, lvl, best)
        if found is not None:
            return (found[0], k + 1, -j, found[1], found[2])
    return best


def _clipped_stair_texture(sub: np.ndarray, hk: np.ndarray, agree: np.ndarray, gap: int, j: int, lvl: float,
                           best: tuple) -> tuple | None:
    """The last test of :func:`_clipped_staircase` for one split (damage column `j`, `gap`) of a
    boundary pair (``sub`` ``(2, 6, J, n, 3 or 4)`` the rows around both boundaries, ``hk`` ``(3, 2, J)``
    their steps, `agree` ``(2, J)``): ``(|d|, channel, d)`` with ``d`` the agreeing MCUs' median step
    when it reaches `lvl`, beats `best` and the texture continues across both parts; else None."""
    part = np.zeros_like(agree)
    part[0, j + gap:] = agree[0, j + gap:]
    part[1, :j] = agree[1, :j]
    dm = np.median(hk[:, part], axis=1)  # (3,): the step, over the agreeing MCUs
    cm = int(np.argmax(np.abs(dm)))
    mag = float(abs(dm[cm]))
    if mag < lvl or mag <= best[0]:
        return None
    ga = np.concatenate([np.diff(sub[i, 2, part[i], :, 1].astype(np.float32), axis=1).ravel() for i in (0, 1)])
    gb = np.concatenate([np.diff(sub[i, 3, part[i], :, 1].astype(np.float32), axis=1).ravel() for i in (0, 1)])
    corr = float((ga * gb).sum()) / (float(np.sqrt(float((ga * ga).sum()) * float((gb * gb).sum()))) + 1e-6)
    texture = float((np.abs(ga) + np.abs(gb)).mean()) / 2.0
    return (mag, cm, float(dm[cm])) if corr >= 0.5 and texture >= 1.5 else None


def _dc_drift(rgb: np.ndarray, mcu: tuple[int, int], candidate: list | None = None,
              abs_steps: list | None = None) -> PixelCheck:
    """JPEG DC-drift check: a constant colour step on MCU boundaries (a staircase or one long run).

    Steps: where to read (:func:`_drift_grid`), the step across every horizontal MCU boundary per
    MCU column (:func:`_boundary_steps`, :func:`_prefix_sums`), a quick exit when no step can reach 0.6 x the level
    (:func:`_drift_possible`), the texture terms (:func:`_texture`), then the three searches
    (:func:`_staircase`, :func:`_long_run`, :func:`_clipped_run`) for the strongest drift.
    `candidate`: when given (a list), the strongest candidate below the level, if any, is appended as
    ``(score, damage MCU row, MCU column)`` (for :func:`_drift_at_wrong_mcu`); `abs_steps`: passed to
    :func:`_boundary_steps` (the wrong-MCU check reuses the steps read here).
    """
    g = _drift_grid(rgb.shape, mcu)
    if g is None:
        return PixelCheck(False, 0.0)
    ei, ns = _boundary_steps(rgb, g, abs_steps)
    lvl = 0.6 * DRIFT_LEVELS  # candidates a bit below the level too, so that the score shows the margin
    if max(-int(ei.min()), int(ei.max())) < 0.99 * lvl * 2 * ns:
        # no single step reaches the level (1 % below it, far beyond float32 rounding), so no mean
        # of steps does: what _drift_possible would say, without the prefix sums
        return PixelCheck(False, 0.0)
    hr, csum = _prefix_sums(ei, ns)
    if not _drift_possible(csum, g.J, lvl):
        return PixelCheck(False, 0.0)
    acs = _prefix_sums(ei, ns, steps=False)  # (3, K, J + 1) prefix sums of |hr|
    tex = _texture(rgb, g)
    best = (0.0, 0, 0, 0, 0.0)  # (magnitude / strictness, damage MCU row, MCU column, channel, step)
    best = _staircase(csum, acs, tex, g.J, lvl, best)
    best = _long_run(hr, csum, tex, g.J, lvl, best)
    if best[0] < DRIFT_LEVELS:  # (a staircase or long run found locates the damage better)
        best = _clipped_run(rgb, g, hr, lvl, best, tex.rows)
    if best[0] < DRIFT_LEVELS:
        best = _clipped_staircase(rgb, g, hr, lvl, best, tex.rows)
    val, m, j, c, step = best
    score = val / DRIFT_LEVELS
    if score < 1.0:
        if candidate is not None and val > 0:
            candidate.append((score, m, j))
        return PixelCheck(False, score)
    row, col = m * g.mh, j * g.cw
    name = ("brightness", "red-green balance", "blue-green balance")[c]
    return PixelCheck(True, score, "dc_drift", row, col,
                      f"the picture shifted by a {name} step of {step:.0f} levels along the {g.mw} x {g.mh} px "
                      "coding blocks")


def _wrong_mcu(rgb: np.ndarray, mcu: tuple[int, int], excess: list | None = None,
               abs_steps: np.ndarray | None = None) -> PixelCheck:
    """JPEG: one to :data:`WRONG_MCU_RUN` wrongly decoded MCUs side by side.

    A Huffman decoder that loses its place for a few symbols and finds it again decodes the MCU(s) in
    between from wrong bits: random AC patterns and DC values (stripes, checkerboards, flat blocks of
    saturated colour), unrelated to the picture around them. Such an MCU steps against the picture on all
    its sides; a picture's own edge on the MCU grid continues into the MCU columns beside it (a horizon, a
    bar) or is weak. So, along each horizontal MCU boundary, the mean ``|3 (p2 - p1) - (p3 - p0)| / 2``
    over each MCU's columns (rows ``p0 .. p3`` = ``y - 2 .. y + 1``; strongest of luma and the two chroma
    differences, which count 4 x: libjpeg's smooth upsampling of vertically halved chroma spreads a chroma
    step D over two rows and this measure reads it as D / 4); a run of ``L <= WRONG_MCU_RUN`` MCUs of one
    MCU row whose boundaries above *and* below step, on every MCU of the run, at least
    :data:`WRONG_MCU_LEVELS` more than the stronger of the two boundaries of the MCU columns just left and
    right of the run, is damage. Only for 16-px MCU rows (4:2:0 / 4:4:0 chroma, full-scale decode: with
    8-px MCUs a thin line of the picture has this signature) and decodes up to
    ``_DRIFT_ALL_COLUMNS_PIXELS`` (above, a few MCUs are far below the fraction of the picture that
    could change a measurement, and reading every boundary row would cost a quarter of the pixels).
    Returns the :class:`PixelCheck` (score: the excess / :data:`WRONG_MCU_LEVELS`). `excess`: when given
    (a list), the ``(K - 1, J - L + 1)`` excess of every run of ``L = 1, 2, ...`` MCUs (run ``[j, j + L)``
    of MCU row ``m`` at ``[L - 1][m - 1, j]``) is appended (for :func:`_drift_at_wrong_mcu`). `abs_steps`:
    :func:`_mcu_abs_steps` as :func:`_dc_drift` read them (else read here).
    """
    mh, mw = mcu
    h, w = rgb.shape[:2]
    if mh != 16 or h * w > _DRIFT_ALL_COLUMNS_PIXELS:
        return PixelCheck(False, 0.0)
    g = _drift_grid(rgb.shape, mcu)
    if g is None or g.J < 3:
        return PixelCheck(False, 0.0)
    K, J = g.K, g.J
    a = abs_steps  # (K, J): boundary k = below MCU row k
    if a is None:
        read: list = []
        _boundary_steps(rgb, g, read)
        a = read[0]
    both = np.minimum(a[:-1], a[1:])  # (K - 1, J): MCU rows 1 .. K - 1, the weaker of top and bottom
    pad = np.full((K - 1, J + 2), np.inf, np.float32)  # (no column beside the picture's edge: no run)
    pad[:, 1:-1] = np.maximum(a[:-1], a[1:])
    best = (0.0, 0, 0, 0)
    for L in range(1, min(WRONG_MCU_RUN, J - 2) + 1):
        inner = both[:, :J - L + 1].copy()  # the run [j, j + L): its weakest MCU
        for t in range(1, L):
            np.minimum(inner, both[:, t:J - L + 1 + t], out=inner)
        x = inner - np.maximum(pad[:, :J - L + 1], pad[:, L + 1:])  # minus the columns j - 1 and j + L
        if excess is not None:
            excess.append(x)
        m, j = np.unravel_index(int(np.argmax(x)), x.shape)
        if x[m, j] > best[0]:
            best = (float(x[m, j]), int(m) + 1, int(j), L)
    score = best[0] / WRONG_MCU_LEVELS
    if score < 1.0:
        return PixelCheck(False, score)
    v, m, j, L = best
    return PixelCheck(True, score, "wrong_mcu", m * mh, j * mw,
                      f"{L} wrongly decoded {mw} x {mh} px coding block{'s' if L > 1 else ''} "
                      f"(stepping {v:.0f} levels more than the picture beside {'them' if L > 1 else 'it'})")


def _drift_at_wrong_mcu(drift: tuple, excess: list, mcu: tuple[int, int]) -> PixelCheck:
    """JPEG: a drift candidate below the level that starts at a wrongly decoded MCU.

    Where a Huffman decoder loses its place and finds it again, both signatures of
    :func:`_dc_drift` and :func:`_wrong_mcu` start at the same MCU: the garbage MCU(s), then every later
    MCU shifted by the DC differences decoded wrongly. Each alone may be too weak to be sure of (a
    drift of 12-19 levels; an MCU stepping 40-99 levels more than its neighbours), together they are
    damage: a drift candidate (`drift`: ``(score, damage MCU row m, MCU column j0)`` from
    :func:`_dc_drift`, i.e. at least 0.6 x :data:`DRIFT_LEVELS`) and, in MCU row m, a run of wrong MCUs
    (`excess` from :func:`_wrong_mcu`) of at least :data:`JOINT_WRONG_MCU` x :data:`WRONG_MCU_LEVELS`
    ending at most one MCU before j0 or starting within the staircase's garbage gap (columns
    ``j0 - 1 .. j0 + 4``). Score: the smaller of the two, each relative to its bar."""
    dscore, m, j0 = drift
    mh, mw = mcu
    best = (0.0, 0, 0)
    for L, x in enumerate(excess, start=1):
        if not 1 <= m <= x.shape[0]:
            continue
        lo, hi = max(0, j0 - L), min(x.shape[1], j0 + 5)  # runs [j, j + L) touching columns j0 - 1 .. j0 + 4
        if lo < hi:
            j = lo + int(np.argmax(x[m - 1, lo:hi]))
            if x[m - 1, j] > best[0]:
                best = (float(x[m - 1, j]), j, L)
    score = min(dscore / 0.6, best[0] / (JOINT_WRONG_MCU * WRONG_MCU_LEVELS))
    if score < 1.0:
        return PixelCheck(False, score)
    _, j, L = best
    return PixelCheck(True, score, "wrong_mcu", m * mh, j * mw,
                      f"{L} wrongly decoded {mw} x {mh} px coding block{'s' if L > 1 else ''} and the picture "
                      f"shifted from there on (stepping {dscore * DRIFT_LEVELS:.0f} levels)")


def _vp8_without_tail(data: bytes, n: int, tag: bytes = b"VP8 ") -> bytes | None:
    """A copy of the WebP file `data` whose top-level `tag` chunk (``VP8 `` lossy, ``VP8L`` lossless
    image data) lost its last `n` bytes (or ``n + 1``, so that the chunk keeps an even length: the
    decoder may read the pad byte after an odd one), the chunk and RIFF sizes rewritten; None
    without one top-level `tag` chunk of more than ``4 n`` bytes or with chunk sizes that do not
    tile the file."""
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WEBP":
        return None
    chunks, i = [], 12
    while i + 8 <= len(data):
        size = int.from_bytes(data[i + 4:i + 8], "little")
        chunks.append((data[i:i + 4], i + 8, size))
        i += 8 + size + (size & 1)
    vp8 = [c for c in chunks if c[0] == tag]
    if i != len(data) or len(vp8) != 1 or vp8[0][2] <= 4 * n:
        return None
    out = []
    for kind, start, size in chunks:
        if kind == tag:
            size -= n + ((size - n) & 1)
        out += [kind, size.to_bytes(4, "little"), data[start:start + size], b"\0" * (size & 1)]
    body = b"".join(out)
    return b"RIFF" + (len(body) + 4).to_bytes(4, "little") + b"WEBP" + body


def _decodes_without_tail(data: bytes, n: int, tag: bytes) -> bool:
    """True when the WebP `data` without the last `n` bytes of its `tag` chunk (:func:`_vp8_without_tail`)
    still decodes; False when it fails or cannot be shortened."""
    import io

    from PIL import Image

    short = _vp8_without_tail(data, n, tag)
    if short is None:
        return False
    try:
        with Image.open(io.BytesIO(short), formats=["WEBP"]) as img:
            img.load()
    except Exception:  # noqa: BLE001 - any failure: the decoder needed the bytes (a clean file)
        return False
    return True


def webp_is_lossless(data: bytes) -> bool:
    """True when the WebP file `data` holds a top-level ``VP8L`` (lossless) image chunk."""
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WEBP":
        return False
    i = 12
    while i + 8 <= len(data):
        if data[i:i + 4] == b"VP8L":
            return True
        size = int.from_bytes(data[i + 4:i + 8], "little")
        i += 8 + size + (size & 1)
    return False


def vp8_ends_early(data: bytes) -> bool:
    """True when a lossy WebP's decoder finishes its picture without its last image-data bytes.

    VP8 codes the picture's coefficients with a boolean entropy coder [2]_
    whose encoder writes exactly the bytes its decoder needs (plus a flush
    of one or two). Overwritten bytes (a zeroed range, a burst, one flipped
    bit) desynchronise the decoder, which then reads symbols at another rate:
    when it runs past the end of its data, libwebp reports an error; when it
    finishes early, it reports nothing, and the lost macroblocks decode to
    smooth, plausible-looking patches. This decodes a copy of the file
    without the last :data:`VP8_TAIL_BYTES` bytes of its ``VP8 `` data: a
    clean file then fails ("premature end of file"), a desynchronised one
    that finished early decodes; one that finished within the last
    :data:`VP8_TAIL_BYTES` bytes is not found. (On clean lossy WebPs of real
    photos from libwebp with many settings and from libvpx, copies cut to an
    even length by 4 to 32 bytes all failed, by 2 bytes about half decoded:
    ``docs/robustness.md``, "Lossy WebP: the decoder's early end".)

    Parameters
    ----------
    data : bytes
        The whole WebP file (RIFF sizes already checked).

    Returns
    -------
    bool
        True when the shortened copy decodes (the data is corrupt); False
        for a clean file, a lossless or animated WebP (no top-level
        ``VP8 `` chunk) or one too small to shorten.

    Notes
    -----
    Cost: one more decode of the file (Pillow / libwebp), the same as the
    loader's. Only the last token partition's end is tested, so damage in a
    file with several token partitions is found only in the macroblock rows
    the last one codes.
    """
    return _decodes_without_tail(data, VP8_TAIL_BYTES, b"VP8 ")


def vp8l_ends_early(data: bytes) -> bool:
    """True when a lossless WebP's decoder finishes its picture without its last image-data bytes.

    The same test as :func:`vp8_ends_early`, for the ``VP8L`` (lossless) bitstream [1]_: its
    prefix-code reader stops at the last pixel, and its encoder writes no byte beyond the one
    holding the last code's final bit, so a clean file's decode fails without its last byte
    (every one of 232 ``cwebp -lossless`` encodings at all compression levels, near-lossless and
    ``-exact``, and of the clean set's 148 lossless WebPs: ``docs/robustness.md``, "Lossless
    WebP: the decoder's early end"). A file whose decoder finished :data:`VP8L_TAIL_BYTES` or more
    bytes early (a zeroed range near the end decodes to copies of earlier pixels and stops) is
    corrupt. Damage after which the prefix codes resynchronise and the decoder ends where the
    encoder did is not found here (see the speck rule of :func:`check_pixels`).

    Parameters
    ----------
    data : bytes
        The whole WebP file (RIFF sizes already checked).

    Returns
    -------
    bool
        True when the shortened copy decodes (the data is corrupt); False for a clean file, a lossy
        or animated WebP (no top-level ``VP8L`` chunk) or one too small to shorten.

    Notes
    -----
    Cost: one more decode of the file, 0.8 x the loader's (0.2 s of CPU for a 12 MP lossless WebP,
    which phones do not write).

    References
    ----------
    .. [1] J. Alakuijala, "WebP Lossless Bitstream Specification", RFC 9649 (2024).
    """
    return _decodes_without_tail(data, VP8L_TAIL_BYTES, b"VP8L")


# ------------------------------------------------------------------ JPEG: coded block means out of range

#: JPEG (:func:`jpeg_dc_out_of_range`): an 8 x 8 block whose coded mean (its DC coefficient) lies more than
#: this many grey levels (beyond the quantisation's own error) below 0 or above 255 in some component ...
DC_RANGE_LEVELS = 8.0
#: ... in at least this many blocks makes the file corrupt (no encoder fed pixels in 0 .. 255 writes one;
#: docs/robustness.md "JPEG: coded block means out of range")
DC_RANGE_BLOCKS = 2
#: the check decodes the file a second time (at 1/8 scale): only up to this many pixels in the file (its
#: cost is most of a reduced decode's on large photos)
_DC_RANGE_MAX_PIXELS = 1_000_000
#: the new DC quantiser is about the file's divided by this (so that block means down to about -2 x 128
#: and up to 255 + 2 x 128 decode without clipping)
_DC_RANGE_SQUEEZE = 3
_ADOBE_YCC_AS_RGB = b"\xff\xee\x00\x0eAdobe\x00\x64\x00\x00\x00\x00\x00"  # APP14, transform 0: no conversion


def _jpeg_header_segments(data: bytes):
    """``(marker, start, end)`` of each marker segment of a JPEG from after SOI up to and including the
    first SOS (`start` at its 0xFF, `end` just after it); stops early on anything malformed."""
    i, n = 2, len(data)
    while i + 4 <= n and data[i] == 0xFF:
        m = data[i + 1]
        if m == 0xFF:
            i += 1
            continue
        if m == 0x01 or 0xD0 <= m <= 0xD8:
            i += 2
            continue
        end = i + 2 + int.from_bytes(data[i + 2:i + 4], "big")
        if end > n:
            return
        yield m, i, end
        if m == 0xDA:
            return
        i = end


def _dc_squeezed(data: bytes) -> tuple[bytes, dict[int, tuple[int, int]], list[tuple[int, int, int, int]]] | None:
    """The JPEG `data` rewritten so that libjpeg outputs its components' samples unconverted and with the
    block means squeezed towards 128: every quantisation table divided by :data:`_DC_RANGE_SQUEEZE`
    (rounded, at least 1; the entropy-coded data unchanged) and the JFIF / Adobe markers replaced by an
    Adobe marker with transform 0 (the components read as "RGB", i.e. Y, Cb, Cr as coded).

    Returns ``(bytes, {table: (old DC quantiser, new)}, [(id, h, v, table) per component])``; None for
    what this cannot read exactly: not 8-bit Huffman-coded baseline / extended / progressive, not 1 or 3
    components, a file whose Adobe marker says RGB or CMYK, or quantisation tables (re)defined after the
    first scan."""
    out = [data[:2], _ADOBE_YCC_AS_RGB]
    tables: dict[int, tuple[int, int]] = {}
    comps = None
    for m, s, e in _jpeg_header_segments(data):
        seg = data[s:e]
        if m == 0xEE and len(seg) >= 16 and seg[4:9] == b"Adobe" and seg[15] != 1:
            return None  # transform 0 (RGB) or 2 (YCCK)
        if m in (0xE0, 0xEE):
            continue
        if m == 0xDB:
            buf, p = bytearray(seg), 4
            while p < len(buf):
                size = 2 if buf[p] >> 4 else 1
                if p + 1 + 64 * size > len(buf):
                    return None
                q = np.frombuffer(bytes(buf[p + 1:p + 1 + 64 * size]), np.uint8 if size == 1 else ">u2").astype(int)
                new = np.maximum(1, np.rint(q / _DC_RANGE_SQUEEZE)).astype(np.uint8 if size == 1 else ">u2")
                buf[p + 1:p + 1 + 64 * size] = new.tobytes()
                tables[buf[p] & 15] = (int(q[0]), int(new[0]))
                p += 1 + 64 * size
            seg = bytes(buf)
        elif 0xC3 <= m <= 0xCF and m not in (0xC4, 0xC8, 0xCC):
            return None  # lossless, hierarchical or arithmetic-coded
        elif m in (0xC0, 0xC1, 0xC2):
            if len(seg) < 10 or seg[4] != 8 or seg[9] not in (1, 3) or len(seg) < 10 + 3 * seg[9]:
                return None
            comps = [(seg[10 + 3 * c], seg[11 + 3 * c] >> 4, seg[11 + 3 * c] & 15, seg[12 + 3 * c])
                     for c in range(seg[9])]
        out.append(seg)
        if m == 0xDA:
            if comps is None or any(t not in tables for *_, t in comps) or data.find(b"\xff\xdb", e) >= 0:
                return None
            out.append(data[e:])
            return b"".join(out), tables, comps
    return None


def jpeg_dc_out_of_range(data: bytes, max_pixels: int = _DC_RANGE_MAX_PIXELS) -> PixelCheck:
    """JPEG: blocks whose coded mean lies outside the range any encoder writes.

    A JPEG encoder transforms samples in 0 .. 255: the DC coefficient of every 8 x 8 block, its mean,
    is within 0 .. 255 up to the quantiser's rounding (``q / 16`` levels) [1]_. A DC difference decoded
    wrongly (overwritten bytes after which the Huffman decoder finds its place again) shifts every later
    block of the scan; a large negative shift takes dark blocks below 0, where libjpeg clips them to
    black and the pixels show no step to find (the pixel check's drift searches need the picture's
    texture to continue). Here the file is decoded a second time, at 1/8 scale (each output sample is a
    block's DC, for 4:2:0 chroma a 2 x 2 IDCT whose mean is the DC) from a copy whose quantisation
    tables are divided by about three and whose components are output as coded (Y, Cb, Cr; see
    :func:`_dc_squeezed`): block means from about -256 to 511 come out unclipped. At least
    :data:`DC_RANGE_BLOCKS` blocks more than :data:`DC_RANGE_LEVELS` beyond 0 .. 255 (plus the
    quantiser's error and the squeezed decode's rounding) in some component make the file corrupt. (The
    MCUs' mean colours in R, G and B are not checked: a chroma shift takes them out of the RGB cube
    long before Cb or Cr leave 0 .. 255, but so do encoders fed YCbCr rather than RGB pixels, video
    frame grabs, hardware and camera pipelines: such a check refused 283 of 330 undamaged video
    frames, docs/robustness.md.)

    Parameters
    ----------
    data : bytes
        The whole JPEG file (strictly decodable: the loader's decode came first).
    max_pixels : int
        Files with more pixels (width x height in the header) are not checked (see Notes).

    Returns
    -------
    PixelCheck
        ``kind = "dc_range"``; ``row``, ``col``: the first such block, in pixels of the stored image;
        score: the :data:`DC_RANGE_BLOCKS`-th largest excess / :data:`DC_RANGE_LEVELS` (0.0 when not
        checked).

    Notes
    -----
    Cost: a 1/8-scale decode, i.e. the whole entropy decode again: about 0.8 x a half-scale decode of a
    12 MP photo, hence only up to `max_pixels` (see ``bench/bench_integrity.py --cost-only``).
    Quantisers of 1 (quality 100) give no room below 0: such components are not checked.
    """
    import simplejpeg

    try:
        h, w = simplejpeg.decode_jpeg_header(data)[:2]
    except (ValueError, RuntimeError):
        return PixelCheck(False, 0.0)
    if h * w > max_pixels:
        return PixelCheck(False, 0.0)
    found = _dc_squeezed(data)
    if found is None:
        return PixelCheck(False, 0.0)
    squeezed, tables, comps = found
    try:
        planes = simplejpeg.decode_jpeg(squeezed, colorspace="GRAY" if len(comps) == 1 else "RGB", strict=True,
                                        min_width=-(-w // 8), min_height=-(-h // 8))
    except (ValueError, RuntimeError):
        return PixelCheck(False, 0.0)
    bh, bw = -(-h // 8), -(-w // 8)
    if planes.shape[:2] != (bh, bw):
        return PixelCheck(False, 0.0)
    excess = np.zeros((bh, bw), np.float32)  # levels beyond the range (and tolerance), per luma block
    vmax, hmax = max(v for _, _, v, _ in comps), max(h_ for _, h_, _, _ in comps)
    for c, (_, hs, vs, t) in enumerate(comps):
        q, q_new = tables[t]
        if q <= q_new or vmax % vs or hmax % hs:  # (a quantiser of 1: the squeezed decode clips as the file's)
            continue
        ratio = q / q_new
        fy, fx = vmax // vs, hmax // hs
        # a subsampled component's block spans fy x fx output samples (a reduced IDCT, or upsampled): their
        # mean is its DC (a reduced IDCT's other terms cancel, upsampling is a weighted mean)
        mean = _tile_means(planes[:, :, c].astype(np.float32), fy, fx)
        mean -= 128.0
        mean *= ratio
        mean += 128.0  # the blocks' coded means
        tol = q / 16.0 + ratio / 2.0  # the quantiser's rounding and the squeezed decode's
        _raise_to(excess, np.maximum(-mean, mean - 255.0) - tol, fy, fx)
    flat = np.sort(excess.ravel())[::-1]
    v = float(flat[DC_RANGE_BLOCKS - 1]) if flat.size >= DC_RANGE_BLOCKS else 0.0
    score = max(0.0, v) / DC_RANGE_LEVELS
    if score < 1.0:
        return PixelCheck(False, score)
    bad = excess >= DC_RANGE_LEVELS  # (as the score: two blocks exactly at the level are damage too)
    ys, xs = np.nonzero(bad)
    return PixelCheck(True, score, "dc_range", int(ys[0]) * 8, int(xs[0]) * 8,
                      f"{int(bad.sum())} blocks of 8 x 8 px coded up to {float(flat[0]):.0f} levels beyond black "
                      "or white, which no encoder writes")


def _tile_means(plane: np.ndarray, fy: int, fx: int) -> np.ndarray:
    """``(H // fy, W // fx)`` means of the whole ``fy x fx`` tiles of `plane` (`plane` itself for 1 x 1)."""
    if fy * fx == 1:
        return plane
    ny, nx = plane.shape[0] // fy, plane.shape[1] // fx
    return plane[:ny * fy, :nx * fx].reshape(ny, fy, nx, fx).mean(axis=(1, 3))


def _raise_to(excess: np.ndarray, part: np.ndarray, fy: int, fx: int) -> None:
    """``excess = max(excess, part)`` in place, `part` given per ``fy x fx`` tile of `excess`."""
    if fy * fx > 1:
        part = np.repeat(np.repeat(part, fy, axis=0), fx, axis=1)
    view = excess[:part.shape[0], :part.shape[1]]
    np.maximum(view, part, out=view)


def _dc_range_in_grid(jpeg: bytes, height: int) -> PixelCheck:
    """:func:`jpeg_dc_out_of_range` of the file `jpeg`, its row and column divided by the DCT scaling of
    the decode being checked (`height` rows; the stored image's height over it)."""
    found = jpeg_dc_out_of_range(jpeg)
    if not found.damaged:
        return found
    import simplejpeg

    reduce = max(1, round(simplejpeg.decode_jpeg_header(jpeg)[0] / max(1, height)))
    return PixelCheck(True, found.score, found.kind, found.row // reduce, found.col // reduce, found.what)


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


def check_pixels(rgb: np.ndarray, *, block: int = 8, mcu: tuple[int, int] | None = None,
                 specks: bool = False, dct_block: int | None = None, jpeg: bytes | None = None) -> PixelCheck:
    """Look for decoder garbage in a decoded photo.

    Parameters
    ----------
    rgb : numpy.ndarray
        ``(H, W, 3)`` uint8 RGB pixels as the decoder produced them, i.e.
        *before* any EXIF rotation, so that row 0 / column 0 is the first
        decoded block and the coding grid starts at ``(0, 0)``. (Another
        dtype or a strided view is first copied to C-contiguous uint8.)
    block : int, default 8
        Side in pixels of the blocks of the colour-garbage statistic (the
        loader uses 8 for every codec and decode scale; the thresholds
        were chosen with 8).
    mcu : (int, int) or None
        ``(height, width)`` in pixels of a JPEG's minimum coded unit *in this
        array* (16 x 16 for 4:2:0 chroma at full scale, 8 x 8 for 4:4:4 or
        grayscale; divided by the DCT scaling factor of a reduced decode).
        When given, the JPEG DC-drift check runs too, and for 16-px MCU rows
        up to 1 MP the wrong-MCU check (:func:`_wrong_mcu`,
        :func:`_drift_at_wrong_mcu`); None for other codecs.
    specks : bool, default False
        Also look for sparse saturated colour specks (:func:`_colour_specks`);
        the loader sets it for lossless WebP only, whose pixels keep their
        source's smooth chroma exactly.
    dct_block : int or None
        For a progressive JPEG: the side in pixels of its 8 x 8 DCT blocks
        in this array (8 divided by the DCT scaling of a reduced decode);
        then neighbouring blocks sharing their AC coefficients are looked
        for too (:func:`_repeated_coefficients`; not below 4 px). None for
        baseline JPEGs and other codecs.
    jpeg : bytes or None
        The JPEG file `rgb` was decoded from: when given, a file of up to
        1 MP is also decoded once more to look for blocks coded beyond
        black or white (:func:`jpeg_dc_out_of_range`; its row is converted
        to the grid of `rgb`). None for other codecs.

    Returns
    -------
    PixelCheck
        ``damaged``, ``score`` (>= 1 when damaged), ``kind``, the first
        damaged pixel ``(row, col)`` in the grid of `rgb`, and a clause
        describing what was seen.

    Notes
    -----
    Cost: the chroma statistic reads every block up to 1 MP and about
    120 000 pixels above (every s-th block); the drift check reads four
    rows around each MCU boundary (one column of every fourth MCU above
    1 MP) and only when some step can reach 0.6 x the level six rows and
    the texture terms; it skips the colour statistic's block counts when no
    pixel is hot and the drift's prefix sums when no single step reaches
    the level (the same decisions and scores). About 0.8 x the time of the
    previous version (2.0 against 2.6 ms after a 15 ms half-scale decode of
    a 12 MP photo on a busy machine; 6 ms, 38 %, before the first rewrite),
    see ``bench/bench_integrity.py --cost-only`` for the ratio to the decode
    time and ``--compare-old`` for the equivalence check.

    Examples
    --------
    >>> import numpy as np
    >>> check_pixels(np.full((64, 64, 3), 128, np.uint8)).damaged
    False
    """
    if rgb.ndim != 3 or rgb.shape[2] != 3 or min(rgb.shape[:2]) < 4 * block:
        return PixelCheck(False, 0.0)
    if rgb.dtype != np.uint8 or not rgb.flags.c_contiguous:
        rgb = np.ascontiguousarray(rgb, dtype=np.uint8)
    found = [_chroma_noise(rgb, block, specks)]
    if mcu is not None:
        drift, excess, steps = [], [], []
        found.append(_dc_drift(rgb, mcu, drift, steps if mcu[0] == 16 else None))
        found.append(_wrong_mcu(rgb, mcu, excess, steps[0] if steps else None))
        if drift and excess:
            found.append(_drift_at_wrong_mcu(drift[0], excess, mcu))
    if dct_block is not None:
        found.append(_repeated_coefficients(rgb, dct_block))
    if jpeg is not None:
        found.append(_dc_range_in_grid(jpeg, rgb.shape[0]))
    hit = [f for f in found if f.damaged]
    if hit:
        return min(hit, key=lambda f: (f.row, -f.score))
    return max(found, key=lambda f: f.score)


# ------------------------------------------------------------------ HEIC: the HEVC decoder's own warnings

#: libde265 warnings and errors that mean the coded slice data is inconsistent (its CABAC entropy
#: decoder lost its place): a coded parameter out of range, premature end of slice data / segment,
#: wrong entry points, a coding tree unit outside the picture, a missing end-of-substream bit,
#: invalid slice addresses, transform splits below the minimum, unspecified decoding errors
#: (de265.h); chosen on fuzz seed 1
#: (docs/robustness.md "HEIC: the HEVC decoder's warnings")
HEVC_DAMAGE_CODES = frozenset({4, 6, 8, 16, 17, 18, 1002, 1003, 1004, 1017, 1020, 1021, 1033, 1034})
#: at most this many NAL units per coded image and this many coded images (grid tiles) are checked
_HEVC_MAX_NALS = 4096
_HEVC_MAX_ITEMS = 1024
#: threads decoding a grid's tiles for the HEVC check (the tiles are independent images)
HEVC_THREADS = 2

#: de265.h decoder parameters (enum de265_param)
_DE265_DISABLE_DEBLOCKING = 7
_DE265_DISABLE_SAO = 8

_de265 = None  # the ctypes handle of pillow_heif's bundled libde265 (False: not available)


def bundled_library(stem: str) -> str | None:
    """Path of a shared library that the pillow_heif wheel bundles (``stem`` e.g. ``"de265"``,
    ``"heif"``): ``pillow_heif.libs/lib<stem>*`` (Linux wheels), ``pillow_heif/.dylibs``
    (macOS) or ``pillow_heif.libs/<stem>*.dll`` (Windows); None when there is none."""
    import glob
    import os

    try:
        import pillow_heif
    except ImportError:
        return None
    site = os.path.dirname(os.path.dirname(os.path.abspath(pillow_heif.__file__)))
    cands = sorted(glob.glob(os.path.join(site, "pillow_heif.libs", f"lib{stem}*"))
                   + glob.glob(os.path.join(site, "pillow_heif", ".dylibs", f"lib{stem}*"))
                   + glob.glob(os.path.join(site, "pillow_heif.libs", f"{stem}*.dll")))
    return cands[0] if cands else None


def _libde265():
    """pillow_heif's bundled libde265 as a ctypes library with typed functions, or None."""
    global _de265
    if _de265 is None:
        _de265 = False
        try:
            import ctypes

            path = bundled_library("de265")
            if path is not None:
                lib = ctypes.CDLL(path)
                vp, ci = ctypes.c_void_p, ctypes.c_int
                lib.de265_new_decoder.restype = vp
                lib.de265_new_decoder.argtypes = []
                lib.de265_push_NAL.argtypes = [vp, ctypes.c_char_p, ci, ctypes.c_int64, vp]
                lib.de265_push_NAL.restype = ci
                lib.de265_flush_data.argtypes = [vp]
                lib.de265_decode.argtypes = [vp, ctypes.POINTER(ci)]
                lib.de265_decode.restype = ci
                lib.de265_get_next_picture.argtypes = [vp]
                lib.de265_get_next_picture.restype = vp
                lib.de265_get_warning.argtypes = [vp]
                lib.de265_get_warning.restype = ci
                lib.de265_get_error_text.argtypes = [ci]
                lib.de265_get_error_text.restype = ctypes.c_char_p
                lib.de265_free_decoder.argtypes = [vp]
                lib.de265_set_parameter_bool.argtypes = [vp, ci, ci]
                lib.de265_set_parameter_bool.restype = None
                lib.de265_get_image_plane.argtypes = [vp, ci, ctypes.POINTER(ci)]
                lib.de265_get_image_plane.restype = ctypes.POINTER(ctypes.c_uint8)
                for f in (lib.de265_get_image_width, lib.de265_get_image_height, lib.de265_get_bits_per_pixel):
                    f.argtypes = [vp, ci]
                    f.restype = ci
                lib.de265_get_chroma_format.argtypes = [vp]
                lib.de265_get_chroma_format.restype = ci
                lib.de265_free_decoder.restype = ci
                _de265 = lib
        except Exception:  # noqa: BLE001 - no usable library: the check is skipped
            _de265 = False
    return _de265 or None


#: a pseudo-code for :func:`_never_decoded_end` in the list of libde265 codes
_NEVER_DECODED = -1


def _never_decoded_end(lib, img) -> bool:
    """True when the bottom-right corner of a picture decoded by libde265 (without in-loop filters)
    holds Y = Cb = Cr = 0 exactly in every sample of its last 8 x 8 luma samples and their chroma:
    the decoder's initial buffer, i.e. the slice ended (its end flag decoded early from corrupt data)
    before the last coding tree units were decoded; libde265 reports nothing then. (No real
    picture has this colour: Y = 0 is below video black, Cb = Cr = 0 outside the RGB gamut.)"""
    import ctypes

    channels = (0,) if lib.de265_get_chroma_format(img) == 0 else (0, 1, 2)
    for c in channels:
        w, h = lib.de265_get_image_width(img, c), lib.de265_get_image_height(img, c)
        nbytes = (lib.de265_get_bits_per_pixel(img, c) + 7) // 8
        stride = ctypes.c_int(0)
        plane = lib.de265_get_image_plane(img, c, ctypes.byref(stride))
        n = 8 if c == 0 else 4
        if not plane or w < n or h < n or stride.value < w * nbytes:
            return False
        for y in range(h - n, h):
            row = ctypes.string_at(ctypes.addressof(plane.contents) + y * stride.value + (w - n) * nbytes,
                                   n * nbytes)
            if row.strip(b"\0"):
                return False
    return True


def _boxes(data: bytes, start: int, end: int):
    """``(type, body start, box end)`` of the ISO boxes tiling ``data[start:end]`` (stops at a bad size)."""
    i = start
    while i + 8 <= end:
        size, hdr = int.from_bytes(data[i:i + 4], "big"), 8
        if size == 1:
            size, hdr = int.from_bytes(data[i + 8:i + 16], "big"), 16
        elif size == 0:
            size = end - i
        if size < hdr or i + size > end:
            return
        yield data[i + 4:i + 8], i + hdr, i + size
        i += size


class _Reader:
    """Big-endian integers read one after another from ``data`` from ``pos``."""

    def __init__(self, data: bytes, pos: int):
        self.data, self.pos = data, pos

    def __call__(self, k: int) -> int:
        v = int.from_bytes(self.data[self.pos:self.pos + k], "big") if k else 0
        self.pos += k
        return v


def _item_types(data: bytes, s: int, e: int) -> dict[int, bytes]:
    """``{item id: type}`` from an ``iinf`` box body ``data[s:e]``."""
    rd = _Reader(data, s + 4)
    rd(2 if data[s] == 0 else 4)
    types = {}
    for t, bs, _ in _boxes(data, rd.pos, e):
        if t == b"infe" and data[bs] >= 2:
            rd.pos = bs + 4
            iid = rd(2 if data[bs] == 2 else 4)
            types[iid] = data[rd.pos + 2:rd.pos + 6]
    return types


def _item_locations(data: bytes, s: int, e: int) -> dict[int, tuple[int, list]] | None:
    """``{item id: (construction method, [(offset, length)])}`` from an ``iloc`` box body, or None
    when its counts run past the box (damaged data)."""
    v = data[s]
    rd = _Reader(data, s + 4)
    o_sz, l_sz = data[rd.pos] >> 4, data[rd.pos] & 15
    b_sz, i_sz = data[rd.pos + 1] >> 4, (data[rd.pos + 1] & 15 if v in (1, 2) else 0)
    rd.pos += 2
    locs = {}
    for _ in range(min(rd(2 if v < 2 else 4), _HEVC_MAX_ITEMS * 64)):
        if rd.pos >= e:  # (counts from damaged data: never read past the box)
            return None
        iid = rd(2 if v < 2 else 4)
        method = rd(2) & 15 if v in (1, 2) else 0
        rd(2)
        base = rd(b_sz)
        ext = []
        for _ in range(rd(2)):
            if rd.pos >= e:
                return None
            rd(i_sz)
            off = rd(o_sz)
            ext.append((base + off, rd(l_sz)))
        locs[iid] = (method, ext)
    return locs


def _grid_tiles(data: bytes, s: int, e: int) -> dict[int, list[int]]:
    """``{grid item id: [tile item ids]}`` from the ``dimg`` references of an ``iref`` box body."""
    w = 2 if data[s] == 0 else 4
    tiles = {}
    for t, bs, _ in _boxes(data, s + 4, e):
        if t == b"dimg":
            rd = _Reader(data, bs)
            src = rd(w)
            tiles[src] = [rd(w) for _ in range(rd(2))]
    return tiles


def _property_associations(data: bytes, s: int, e: int) -> dict[int, list[int]] | None:
    """``{item id: [1-based property indices]}`` from an ``ipma`` box body, or None when damaged."""
    v, flags = data[s], int.from_bytes(data[s + 1:s + 4], "big")
    rd = _Reader(data, s + 4)
    assoc = {}
    for _ in range(min(rd(4), _HEVC_MAX_ITEMS * 64)):
        if rd.pos >= e:
            return None
        iid = rd(2 if v < 1 else 4)
        assoc[iid] = [(rd(2) & 0x7FFF) if flags & 1 else (rd(1) & 0x7F) for _ in range(rd(1))]
    return assoc


def _item_nals(data: bytes, hvcc: tuple[int, int], method: int, ext: list, idat: int) -> list[bytes] | None:
    """The NAL units of one coded image: the parameter sets of its ``hvcC`` box body
    ``data[hvcc[0]:hvcc[1]]``, then its coded data (length-prefixed NAL units at ``ext``)."""
    a = hvcc[0]
    nals = []
    n_len = (data[a + 21] & 3) + 1
    rd = _Reader(data, a + 23)
    for _ in range(data[a + 22]):  # parameter-set arrays
        rd.pos += 1
        for _ in range(rd(2)):
            n = rd(2)
            nals.append(data[rd.pos:rd.pos + n])
            rd.pos += n
    if sum(n for _, n in ext) > len(data):
        return None
    body = b"".join(data[idat + o:idat + o + n] if method == 1 else data[o:o + n] for o, n in ext)
    pos = 0
    while pos + n_len <= len(body) and len(nals) < _HEVC_MAX_NALS:
        n = int.from_bytes(body[pos:pos + n_len], "big")
        nals.append(body[pos + n_len:pos + n_len + n])
        pos += n_len + n
    return nals


def _hevc_items(data: bytes) -> list[list[bytes]]:
    """The NAL units (parameter sets from ``hvcC``, then the coded data) of each HEVC image that
    libheif decodes for the primary picture of HEIF file `data`: the primary item when it is
    ``hvc1``, the tiles of a primary ``grid``. ``[]`` when the structure is not understood."""
    meta = next(((s, e) for t, s, e in _boxes(data, 0, len(data)) if t == b"meta"), None)
    if meta is None:
        return []
    sub = {t: (s, e) for t, s, e in _boxes(data, meta[0] + 4, meta[1])}
    if not {b"pitm", b"iinf", b"iloc", b"iprp"} <= set(sub):
        return []
    s, _ = sub[b"pitm"]
    primary = _Reader(data, s + 4)(2 if data[s] == 0 else 4)
    types = _item_types(data, *sub[b"iinf"])
    locs = _item_locations(data, *sub[b"iloc"])
    tiles = _grid_tiles(data, *sub[b"iref"]) if b"iref" in sub else {}
    ip = {t: (a, b) for t, a, b in _boxes(data, *sub[b"iprp"])}
    if locs is None or b"ipco" not in ip or b"ipma" not in ip:
        return []
    props = list(_boxes(data, *ip[b"ipco"]))
    assoc = _property_associations(data, *ip[b"ipma"])
    if assoc is None:
        return []
    idat = sub.get(b"idat", (0, 0))[0]
    ids = [primary] if types.get(primary) == b"hvc1" else tiles.get(primary, [])
    out = []
    for iid in ids[:_HEVC_MAX_ITEMS]:
        hvcc = [props[k - 1] for k in assoc.get(iid, []) if 0 < k <= len(props) and props[k - 1][0] == b"hvcC"]
        if types.get(iid) != b"hvc1" or iid not in locs or not hvcc:
            return []
        nals = _item_nals(data, hvcc[0][1:], *locs[iid], idat)
        if nals is None:
            return []
        out.append(nals)
    return out


def _primary_properties(data: bytes) -> list[tuple[bytes, int, int]]:
    """``[(type, body start, box end)]`` of the properties (``ipco`` boxes) associated with the
    primary item of HEIF/AVIF file `data`; ``[]`` when the structure is not understood."""
    meta = next(((s, e) for t, s, e in _boxes(data, 0, len(data)) if t == b"meta"), None)
    if meta is None:
        return []
    sub = {t: (s, e) for t, s, e in _boxes(data, meta[0] + 4, meta[1])}
    if not {b"pitm", b"iprp"} <= set(sub):
        return []
    s, _ = sub[b"pitm"]
    primary = _Reader(data, s + 4)(2 if data[s] == 0 else 4)
    ip = {t: (a, b) for t, a, b in _boxes(data, *sub[b"iprp"])}
    if b"ipco" not in ip or b"ipma" not in ip:
        return []
    props = list(_boxes(data, *ip[b"ipco"]))
    assoc = _property_associations(data, *ip[b"ipma"]) or {}
    return [props[k - 1] for k in assoc.get(primary, []) if 0 < k <= len(props)]


def heif_crop_outside(data: bytes) -> str:
    """Why the clean aperture (``clap``, the crop) of a HEIF/AVIF's primary image is impossible, or "".

    ISO/IEC 14496-12 §12.1.4: the crop window, ``cleanApertureWidthN / D`` by ``HeightN / D``
    centred at ``((W - 1) / 2 + horizOffN / D, (H - 1) / 2 + vertOffN / D)``, lies inside the
    ``W`` x ``H`` image (``ispe``); its denominators are positive.  A damaged ``clap`` box (one bit
    of a vertical offset, found by ``bench/bench_realfuzz.py``) moved the window about a billion
    rows off the picture, and libheif still returned a picture, measured as a good photo.  Half a
    pixel of rounding is allowed.

    Parameters
    ----------
    data : bytes
        The whole HEIF file.
    """
    try:
        props = _primary_properties(data)
        ispe = next(((s, e) for t, s, e in props if t == b"ispe"), None)
        clap = next(((s, e) for t, s, e in props if t == b"clap"), None)
        if ispe is None or clap is None or clap[1] - clap[0] < 32 or ispe[1] - ispe[0] < 12:
            return ""
        w, h = (int.from_bytes(data[ispe[0] + k:ispe[0] + k + 4], "big") for k in (4, 8))
        v = [int.from_bytes(data[clap[0] + 4 * k:clap[0] + 4 * k + 4], "big", signed=k in (4, 6)) for k in range(8)]
    except (IndexError, ValueError, KeyError, StopIteration):
        return ""
    wn, wd, hn, hd, xn, xd, yn, yd = v
    if min(wd, hd, xd, yd) <= 0 or wn <= 0 or hn <= 0:
        return f"its crop window (clap) has a zero or negative size or denominator ({v})"
    cw, ch = wn / wd, hn / hd
    left = (w - 1) / 2 + xn / xd - (cw - 1) / 2
    top = (h - 1) / 2 + yn / yd - (ch - 1) / 2
    if left < -0.5 or top < -0.5 or left + cw - 1 > w - 0.5 or top + ch - 1 > h - 0.5:
        return (f"its crop window (clap: {cw:g} x {ch:g} px from ({left:g}, {top:g})) lies outside the "
                f"{w} x {h} picture")
    return ""


def _decode_item(lib, nals: list[bytes]) -> list[int] | None:
    """Decode one coded image's NAL units with a new libde265 decoder (in-loop filters off);
    the codes it reported (:data:`_NEVER_DECODED` for a picture whose end was never decoded),
    or None when no decoder could be made.  ctypes releases the GIL during each call, so
    several images decode in parallel threads."""
    import ctypes

    ctx = lib.de265_new_decoder()
    if not ctx:
        return None
    found: list[int] = []
    try:
        # the warnings come from parsing the slice data: skip the in-loop filters
        lib.de265_set_parameter_bool(ctx, _DE265_DISABLE_DEBLOCKING, 1)
        lib.de265_set_parameter_bool(ctx, _DE265_DISABLE_SAO, 1)
        for nal in nals:
            lib.de265_push_NAL(ctx, nal, len(nal), 0, None)
        lib.de265_flush_data(ctx)
        more = ctypes.c_int(1)
        for _ in range(1_000_000):
            err = lib.de265_decode(ctx, ctypes.byref(more))
            while True:
                img = lib.de265_get_next_picture(ctx)
                if not img:
                    break
                if _never_decoded_end(lib, img):
                    found.append(_NEVER_DECODED)
            if err not in (0, 13):  # 13: waiting for more input (the end)
                found.append(err)
                break
            if not more.value:
                break
        for _ in range(64):
            w = lib.de265_get_warning(ctx)
            if not w:
                break
            found.append(w)
    finally:
        lib.de265_free_decoder(ctx)
    return found


def hevc_errors(data: bytes) -> tuple[str, ...]:
    """What the HEVC decoder reports about a HEIC's coded image data (nothing when it is clean).

    libheif decodes a HEIC's HEVC images with libde265 but does not pass on
    libde265's warnings. Overwritten bytes desynchronise HEVC's CABAC
    entropy decoder: it then usually finishes a substream without its
    closing bit (``end_of_sub_stream_one_bit``), finds a coding tree unit
    outside the picture, or runs out of slice data, and warns, while libheif
    returns the concealed picture. This decodes the primary image (every
    tile of a grid) once more with the libde265 that pillow_heif bundles
    (through :mod:`ctypes`, NAL units from the file's ``hvcC`` and ``iloc``
    boxes) and returns the texts of the warnings and errors in
    :data:`HEVC_DAMAGE_CODES`. (On 243 clean HEICs of real photos none was
    reported; on the fuzz set it finds 94 of the 95 wrong HEIC decodes that
    the pixel check misses: ``docs/robustness.md``.)

    Parameters
    ----------
    data : bytes
        The whole HEIF file, already decoded by libheif without an error
        (so that its sizes passed libheif's security limits).

    Returns
    -------
    tuple of str
        The distinct messages, e.g. ``("end_of_sub_stream_one_bit not set
        to 1 when it should be",)``; ``()`` for a clean file, a file whose
        structure is not understood (e.g. no ``hvc1`` primary image: AVIF)
        or when libde265 cannot be loaded.

    Notes
    -----
    Cost: one more decode of the coded image, without the in-loop filters
    (deblocking, SAO), which do not change the warnings; a grid's tiles on
    :data:`HEVC_THREADS` threads.
    """
    lib = _libde265()
    if lib is None:
        return ()
    try:
        items = _hevc_items(data)
    except (IndexError, ValueError, KeyError, StopIteration):
        return ()
    if len(items) > 1 and HEVC_THREADS > 1:  # a phone's grid: its tiles decoded side by side
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(min(HEVC_THREADS, len(items))) as ex:
            results = list(ex.map(lambda nals: _decode_item(lib, nals), items))
    else:
        results = [_decode_item(lib, nals) for nals in items]
    if any(r is None for r in results):
        return ()
    found = [code for r in results for code in r]
    texts = []
    for code in found:
        if code == _NEVER_DECODED:
            t = "the picture's last coding blocks were never decoded"
        elif code in HEVC_DAMAGE_CODES:
            t = (lib.de265_get_error_text(code) or b"").decode("ascii", "replace")
        else:
            continue
        if t not in texts:
            texts.append(t)
    return tuple(texts)
