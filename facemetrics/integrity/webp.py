"""WebP bytes: a decoder that finishes its picture early (lossy VP8, lossless VP8L).

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

References
----------
.. [2] Google, *WebP Container/Lossless Bitstream Specification*, and
   RFC 6386, *VP8 Data Format and Decoding Guide*, 2011 (4:2:0 only).
"""

from __future__ import annotations

__all__ = [
    "VP8_TAIL_BYTES",
    "VP8L_TAIL_BYTES",
    "vp8_ends_early",
    "vp8l_ends_early",
    "webp_is_lossless",
]

#: lossy WebP: a copy whose VP8 image data lacks this many final bytes (one more when needed for an
#: even length) must fail to decode; if it decodes, the decoder did not need them (see vp8_ends_early).
#: Clean files decoded without at most 2 of their bytes (2 of libwebp's, 1 of libvpx's: docs/robustness.md,
#: "Lossy WebP: the decoder's early end"); 8 until 2026-12-02
VP8_TAIL_BYTES = 4
#: lossless WebP: the same for its VP8L data (clean encodings need every byte: docs/robustness.md,
#: "Lossless WebP: the decoder's early end"; one byte of margin)
VP8L_TAIL_BYTES = 2


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
