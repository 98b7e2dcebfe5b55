"""Look for decoder garbage in decoded photo pixels: :func:`check_pixels`.

A decoder that lost its place in overwritten compressed data reports nothing and returns wrong
pixels (see :mod:`facemetrics.integrity`). :func:`check_pixels` looks at the decoded pixels for the
signatures such damage leaves, on the block grid the decoder used, and reports the topmost damage
found (else the strongest signature's score):

- colour garbage, and with ``specks=True`` colour specks (:mod:`facemetrics.integrity.colour`);
- with `mcu`: JPEG DC drift and wrongly decoded MCUs (:mod:`facemetrics.integrity.drift`);
- with `dct_block`: progressive JPEG's repeated coefficients (:mod:`facemetrics.integrity.coefficients`);
- with `jpeg`: JPEG blocks coded beyond black or white, from the file's bytes
  (:mod:`facemetrics.integrity.jpeg`).
"""

from __future__ import annotations

import numpy as np

from facemetrics.integrity.coefficients import _repeated_coefficients
from facemetrics.integrity.colour import _chroma_noise
from facemetrics.integrity.drift import _dc_drift, _drift_at_wrong_mcu, _wrong_mcu
from facemetrics.integrity.jpeg import _dc_range_in_grid
from facemetrics.integrity.result import PixelCheck

__all__ = [
    "check_pixels",
]


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
