"""JPEG bytes: blocks whose coded mean lies beyond black or white.

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

References
----------
.. [1] ITU-T T.81 | ISO/IEC 10918-1, *Digital compression and coding of
   continuous-tone still images* (JPEG), 1992, A.1.1 (sampling factors),
   F.1.2.1 (DC difference coding).
"""

from __future__ import annotations

import numpy as np

from facemetrics.integrity.result import PixelCheck

__all__ = [
    "DC_RANGE_BLOCKS",
    "DC_RANGE_LEVELS",
    "jpeg_dc_out_of_range",
]

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
