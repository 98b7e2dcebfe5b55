"""A photo file's structure, checked from its bytes before (or instead of) decoding its pixels.

Truncation and container sanity, format by format: a JPEG's end-of-image marker and the least data its
header's size needs, a strict libjpeg-turbo pass for the JPEGs Pillow decodes (CMYK), a WebP's RIFF
chunk sizes, a HEIF/AVIF's top-level boxes (and its crop window, :func:`~facemetrics.integrity.heif_crop_outside`),
a PNG's chunks, every CRC-32 and the least IDAT data its header's size needs.  Each check returns
why the file is damaged, as the loader's ``unreadable`` message says it, or "" (the loader,
:func:`facemetrics.loader.load_photo`, raises the :class:`~facemetrics.errors.PhotoError`).  Bytes in,
text out; no pixel is decoded (but by the strict JPEG pass, at 1/8 scale).
"""

from __future__ import annotations

import zlib

import simplejpeg

from facemetrics.errors import one_line
from facemetrics.integrity.heif import heif_crop_outside

__all__ = [
    "container_damage",
    "isobmff_damage",
    "jpeg_has_eoi",
    "jpeg_precision",
    "jpeg_scan_start",
    "jpeg_segments",
    "jpeg_strict_damage",
    "jpeg_truncated",
    "png_damage",
    "riff_damage",
    "too_little_data",
]


#: PNG chunks are walked up to this many (a real file has a few dozen to a few thousand)
_PNG_MAX_CHUNKS = 1_000_000

#: the message of a JPEG without its end-of-image marker
_NO_EOI = "truncated JPEG data (no end-of-image marker)"
_BROKEN_SEGMENTS = "corrupt JPEG header (its marker segments break off before the image data; the file is not cut short)"


def jpeg_segments(data: bytes):
    """The marker segments of a JPEG from SOI, as ``(offset, marker byte)``, up to and including the first SOS
    (``0xDA``) or EOI (``0xD9``); the walk stops at a byte that is no marker (broken segments).  APPn payloads
    (which may hold an embedded thumbnail) are skipped by their length; fill bytes, RSTn and TEM have none.
    The one marker walker of :func:`jpeg_scan_start` and :func:`jpeg_precision`."""
    i, n = 2, len(data)
    while i + 4 <= n:
        if data[i] != 0xFF:
            return
        marker = data[i + 1]
        if marker == 0xFF:  # fill byte
            i += 1
            continue
        yield i, marker
        if marker in (0xDA, 0xD9):  # start of scan, or EOI before any scan
            return
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:
            i += 2
            continue
        i += 2 + ((data[i + 2] << 8) | data[i + 3])


def _is_sof(marker: int) -> bool:
    """SOF0-15, not DHT (C4), JPG (C8) or DAC (CC)."""
    return 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC)


def jpeg_scan_start(data: bytes) -> tuple[int, int] | None:
    """``(offset of the first SOS marker, SOF marker byte)``, or None.

    Walks the marker segments from SOI (:func:`jpeg_segments`: APPn payloads, which may hold an
    embedded thumbnail, are skipped by their length).
    """
    sof = 0
    for i, marker in jpeg_segments(data):
        if marker == 0xDA:
            return i, sof
        if _is_sof(marker):
            sof = marker
    return None


def jpeg_precision(data: bytes) -> int | None:
    """The sample precision, bits (8, 12, 16), of a JPEG's frame header (its first SOFn marker), or None when
    there is no frame header before the image data or the segments are broken (:func:`jpeg_segments`).
    Pillow opens only 8-bit JPEGs: a 12-bit one (medical and raw-converter output) was called "truncated or
    corrupt" by the loader (bad-input audit, 2026-12-05)."""
    for i, marker in jpeg_segments(data):
        if marker in (0xDA, 0xD9):
            return None
        if _is_sof(marker):
            return data[i + 4] if i + 4 < len(data) else None
    return None


def jpeg_has_eoi(data: bytes) -> bool:
    """True when the JPEG's compressed data is followed by an EOI marker.

    Finds the first SOS (:func:`jpeg_scan_start`, which skips APPn payloads
    that may hold an embedded thumbnail with its own EOI), then looks for
    ``FF D9`` after it. Inside entropy-coded data a ``FF`` byte is always
    stuffed (``FF 00``) or a restart marker, so the first ``FF D9`` after the
    SOS is the real end of the image; bytes after it (MPF secondary images,
    padding) are allowed.
    """
    found = jpeg_scan_start(data)
    # rfind: the EOI is normally at the very end, so this is instant
    return found is not None and data.rfind(b"\xff\xd9", found[0] + 2) != -1


def _jpeg_data_too_small(data: bytes, width: int, height: int) -> str:
    """Why a JPEG whose header promises more pixels than its data can hold is damaged, or "".

    A Huffman-coded JPEG spends at least one bit per 8 x 8 block of the
    first component (the DC code of the block: baseline and progressive
    alike), so its compressed data after the first SOS marker is at least
    ``ceil(W / 8) * ceil(H / 8) / 8`` bytes. A file with less (e.g. a header
    claiming 9000 x 9000 pixels followed by the data of a 64 x 64 image) is
    ``unreadable`` before any pixel buffer is allocated. Arithmetic-coded
    JPEGs (SOF9-SOF15, rare) can go below one bit per block and are not
    checked here (the strict decode still catches them).
    """
    found = jpeg_scan_start(data)
    if found is None:
        return ""
    sos, sof = found
    if sof >= 0xC9:  # arithmetic coding
        return ""
    need = ((width + 7) // 8) * ((height + 7) // 8) // 8
    have = len(data) - sos
    if have < need:
        return (f"truncated or corrupt JPEG data: the header says {width}x{height} pixels, which need at "
                f"least {need:,} bytes of image data, but the file holds {have:,}")
    return ""


def too_little_data(data: bytes, fmt: str, width: int, height: int) -> str:
    """Why a PNG or JPEG ``data`` (the whole file) whose header says ``width`` x ``height`` px is damaged, or "": the
    loader's ``unreadable`` message, said before a size refusal (``too_large``, whose remedy, a smaller copy, no
    program can make of a file that cannot hold its pixels: a decompression bomb or a damaged header; stop 66,
    k3).  A PNG as :func:`png_damage` (chunks, CRCs, and compressed data too small for the header's size), a JPEG
    as :func:`_jpeg_data_too_small` (a bit per 8 x 8 block); "" for other formats."""
    if fmt == "JPEG":
        return _jpeg_data_too_small(data, width, height)
    return png_damage(data) if fmt == "PNG" else ""


def _no_eoi_reason(data: bytes) -> str:
    """Why :func:`jpeg_has_eoi` found no end marker after the image data: the file is cut short, or, when the
    marker walk finds no image data but the file ends with an end-of-image marker (``FF D9``, zero padding
    after it allowed), its header segments are broken (a segment length that hides the next marker: a
    metadata editor's slip; it read "truncated", stop 63's bad-input audit)."""
    if jpeg_scan_start(data) is None and data.rstrip(b"\x00").endswith(b"\xff\xd9"):
        return _BROKEN_SEGMENTS
    return _NO_EOI


def jpeg_truncated(data: bytes, width: int, height: int) -> str:
    """Why a JPEG of a header's ``width`` x ``height`` px is cut short, or "": no end-of-image marker
    (:func:`jpeg_has_eoi`; :func:`_no_eoi_reason`), or less compressed data than one bit per 8 x 8 block of
    that size."""
    if not jpeg_has_eoi(data):
        return _no_eoi_reason(data)
    return _jpeg_data_too_small(data, width, height)


def jpeg_strict_damage(data: bytes) -> str:
    """Why a JPEG that Pillow will decode (e.g. CMYK) is damaged, or "": no end-of-image marker, or any
    libjpeg warning.

    Pillow's JPEG decoder only prints libjpeg's "Corrupt JPEG data" warnings;
    this runs libjpeg-turbo in strict mode at 1/8 scale (every coefficient is
    still entropy-decoded, so every warning is still raised, at a fraction of
    the cost).
    """
    if not jpeg_has_eoi(data):
        return _no_eoi_reason(data)
    try:
        header = simplejpeg.decode_jpeg_header(data)
        colorspace = "CMYK" if header[2] in ("CMYK", "YCCK") else "RGB"
        simplejpeg.decode_jpeg(data, colorspace=colorspace, strict=True, min_width=1, min_height=1)
    except (ValueError, RuntimeError) as exc:
        return f"corrupt JPEG data ({one_line(exc)})"
    return ""


def riff_damage(data: bytes) -> str:
    """Why a WebP's RIFF chunks do not tile the file exactly, or "".

    Every WebP encoder writes the RIFF size (file length - 8) and each
    chunk's size; libwebp decodes from the declared sizes and ignores the
    rest, so a repeated or inserted range inside the image data decodes to
    wrong pixels silently. A file whose length or chunk sizes disagree is
    ``unreadable``. (Bytes *overwritten* inside the VP8/VP8L data keep every
    size right and cannot be detected: WebP has no checksum.)
    """
    n = len(data)
    riff = int.from_bytes(data[4:8], "little") + 8
    if riff + (riff & 1) != n and riff != n:
        return f"truncated or corrupt WEBP data (RIFF size says {riff:,} bytes, the file has {n:,})"
    i = 12
    while i + 8 <= n:
        size = int.from_bytes(data[i + 4:i + 8], "little")
        i += 8 + size + (size & 1)
    if i != n:
        return "truncated or corrupt WEBP data (chunk sizes do not add up to the file length)"
    return ""


def isobmff_damage(data: bytes) -> str:
    """Why a HEIF/AVIF file's top-level boxes do not tile it exactly, or "".

    ``ftyp``, ``meta``, ``mdat``, ... each start with a size and a
    four-letter type; libheif reads the image data from the sizes declared
    in ``meta`` and ignores the rest, so a range repeated inside ``mdat``
    decodes to wrong pixels silently. Here every top-level box must have a
    printable four-character type and the boxes must end exactly at the end
    of the file. (Bytes *overwritten* inside the coded image keep the
    structure and cannot be detected: HEIF has no checksum.)
    """
    n = len(data)
    i = 0
    for _ in range(100_000):
        if i == n:
            return ""
        if i + 8 > n:
            break
        size = int.from_bytes(data[i:i + 4], "big")
        kind = data[i + 4:i + 8]
        header = 8
        if size == 1 and i + 16 <= n:
            size, header = int.from_bytes(data[i + 8:i + 16], "big"), 16
        elif size == 0 and kind == b"mdat":  # the last box (media data) runs to the end of the file
            size = n - i
        if not all(32 <= c < 127 for c in kind) or size < header or i + size > n:
            break
        i += size
    return (f"truncated or corrupt {'AVIF' if data[8:12] in (b'avif', b'avis') else 'HEIF'} data "
            f"(top-level boxes do not tile the file: bad box at byte {i:,} of {n:,})")


def png_damage(data: bytes) -> str:
    """Why a PNG's chunk structure or a chunk's CRC-32 (IDAT included) is wrong, or "".

    Pillow skips the CRC of image-data chunks and stops inflating once it
    has every row, so zeroed or overwritten bytes inside IDAT can decode to
    wrong pixels without an error. Here any CRC mismatch, a chunk running
    past the end of the file, or a missing IEND chunk makes the photo
    ``unreadable``. Also refuses a PNG whose IDAT data are too small for the
    size in its header (deflate compresses at most about 1032:1), before any
    pixel buffer is allocated.
    """
    n = len(data)
    view = memoryview(data)
    i = 8
    idat = 0
    ihdr = None
    for _ in range(_PNG_MAX_CHUNKS):
        if i + 12 > n:
            return "truncated PNG data (no IEND chunk)"
        length = int.from_bytes(data[i:i + 4], "big")
        kind = data[i + 4:i + 8]
        end = i + 8 + length
        if length > 0x7FFFFFFF or end + 4 > n:
            return f"truncated or corrupt PNG data (chunk at byte {i} runs past the end of the file)"
        crc = int.from_bytes(data[end:end + 4], "big")
        if zlib.crc32(view[i + 4:end]) != crc:  # memoryview: no copy of a large IDAT
            what = kind.decode("latin-1") if kind.isalpha() else repr(kind)
            return f"corrupt PNG data (CRC mismatch in the {what} chunk at byte {i})"
        if kind == b"IHDR" and length >= 13:
            ihdr = data[i + 8:i + 8 + 13]
        elif kind == b"IDAT":
            idat += length
        elif kind == b"IEND":
            break
        i = end + 4
    else:
        return "corrupt PNG data (too many chunks)"
    if ihdr is not None:
        width, height = int.from_bytes(ihdr[0:4], "big"), int.from_bytes(ihdr[4:8], "big")
        depth, ctype = ihdr[8], ihdr[9]
        channels = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}.get(ctype, 1)
        raw = height * (1 + (width * channels * depth + 7) // 8)
        need = raw // 1100
        if idat < need:
            return (f"truncated or corrupt PNG data: the header says {width}x{height} pixels, which need at "
                    f"least {need:,} bytes of compressed data, but the file holds {idat:,}")
    return ""


def container_damage(data: bytes, fmt: str, sniffed: str | None, strict_jpeg: bool) -> str:
    """The checks a format allows before decoding, or "": PNG chunks and CRCs (:func:`png_damage`), RIFF
    chunk sizes (:func:`riff_damage`, a file Pillow and the sniffer both take for a WebP), ISO box sizes and
    the crop window of a HEIF/AVIF (:func:`isobmff_damage`, :func:`~facemetrics.integrity.heif_crop_outside`),
    and with ``strict_jpeg`` (a JPEG Pillow decodes, not libjpeg-turbo's strict decode) the strict JPEG pass
    (:func:`jpeg_strict_damage`).

    Parameters
    ----------
    data : bytes
        The whole file.
    fmt : str
        The format Pillow opened it as (``"JPEG"`` for an MPO).
    sniffed : str or None
        The format its magic bytes name (``"WEBP"``, ``"HEIF"``, ``"AVIF"``, ...).
    strict_jpeg : bool
        Run the strict JPEG pass (a JPEG decoded by Pillow).

    Returns
    -------
    str
        The loader's ``unreadable`` message, "" when the structure is sound.
    """
    if fmt == "PNG":
        return png_damage(data)
    if fmt == "WEBP" and sniffed == "WEBP":
        return riff_damage(data)
    if sniffed in ("HEIF", "AVIF"):
        untiled = isobmff_damage(data)
        if untiled:
            return untiled
        crop = heif_crop_outside(data)
        return f"corrupt {sniffed} data: {crop}" if crop else ""
    if fmt == "JPEG" and strict_jpeg:
        return jpeg_strict_damage(data)
    return ""
