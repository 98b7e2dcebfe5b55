"""A photo file's personal metadata: what a stored copy keeps of it, and its EXIF capture time.

:func:`strip_metadata` (:func:`clean_copy` with the loader's notes on it) makes the copy :class:`facemetrics.store.Store` keeps of a photo: a JPEG
keeps its compressed pixels byte for byte and only these EXIF tags: Orientation,
DateTimeOriginal/Digitized with their offsets and sub-seconds, and the 35 mm-equivalent focal
length.  GPS, camera make/model/serial, owner and artist names, maker notes, thumbnails, XMP,
IPTC and comments are dropped.  A PNG copy keeps only its image and colour chunks (no text) and
an EXIF chunk reduced the same way.  Other formats (HEIC, WebP, TIFF) are decoded, turned
upright and stored as lossless PNG with the capture times (and with their opacity when partly
transparent).  Pillow's warnings while reading a header (a corrupt EXIF block, its bomb warning
of a 90 MP JPEG) are silenced: the copy is checked by the loader, which says what matters.  :func:`taken_at_of` reads a photo
file's EXIF capture time as the loader does (:func:`facemetrics.loader.load_photo`).

Bytes in, bytes (or text) out; no files.
"""

from __future__ import annotations

import io
import struct
import warnings
import zlib
from contextlib import contextmanager
from dataclasses import dataclass

__all__ = ["CleanCopy", "clean_copy", "strip_metadata", "taken_at_of", "time_not_read_of"]

#: EXIF tags kept in a stored JPEG copy: (IFD, tag)
_KEEP_IFD0 = (274,)  # Orientation
#: FocalLengthIn35mmFilm (0xA405) is kept so that a comparison of stored photos can still tell two lenses apart
#: (compare.gate.different_lenses); LensMake/LensModel name the device, so they go with Make and Model
_KEEP_EXIF = (36867, 36868, 36881, 36882, 37521, 37522, 0xA405)  # DateTime{Original,Digitized}, offsets, subsec, focal
#: PNG chunks kept (image and colour only)
_KEEP_PNG = {b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"gAMA", b"cHRM", b"sRGB", b"iCCP", b"sBIT", b"pHYs"}


@contextmanager
def _opened(data: bytes):
    """The photo file opened by Pillow for its header, as the loader opens it: only the formats it reads
    (:data:`facemetrics.schema.PHOTO_FORMATS`), and without Pillow's warnings (``Corrupt EXIF data``,
    ``DecompressionBombWarning`` of a 90 MP JPEG the loader takes: they were printed on the console of
    ``study add``, and under ``-W error`` they were errors that dropped a kept tag)."""
    from PIL import Image

    from .schema import PHOTO_FORMATS

    Image.init()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with Image.open(io.BytesIO(data), formats=[f for f in PHOTO_FORMATS if f in Image.OPEN]) as img:
            yield img


def _minimal_exif(data: bytes, orientation: bool = True) -> bytes:
    """An ``Exif\\0\\0`` APP1 payload with only orientation, capture times and the 35 mm focal length (b"" if none);
    without the orientation when ``orientation`` is False (for a copy whose pixels are already
    turned upright).  A broken Exif sub-IFD (the capture times') loses those tags, never the
    orientation, which the loader applied to the original (a JPEG stored sideways otherwise)."""
    from PIL import Image

    try:
        with _opened(data) as img:
            src = img.getexif()
            try:
                src_ifd = dict(src.get_ifd(0x8769))
            except Exception:  # noqa: BLE001 - broken Exif IFD: no capture times, orientation kept
                src_ifd = {}
    except Exception:  # noqa: BLE001 - no or broken EXIF: keep none
        return b""
    out = Image.Exif()
    for tag in _KEEP_IFD0 if orientation else ():
        if tag in src:
            out[tag] = src[tag]
    kept = {tag: src_ifd[tag] for tag in _KEEP_EXIF if tag in src_ifd}
    if kept:
        ifd = out.get_ifd(0x8769)
        ifd.update(kept)
    if not len(out) and not kept:
        return b""
    payload = out.tobytes()
    return payload if payload.startswith(b"Exif\x00\x00") else b"Exif\x00\x00" + payload


def _strip_jpeg(data: bytes) -> bytes:
    """Drop APP1 (EXIF/XMP), APP3-13, APP15 and COM segments; insert a minimal EXIF."""
    if data[:2] != b"\xff\xd8":
        raise ValueError("not a JPEG")
    out = [b"\xff\xd8"]
    exif = _minimal_exif(data)
    i, inserted = 2, False
    while i + 4 <= len(data):
        if data[i] != 0xFF:
            raise ValueError("corrupt JPEG segment structure")
        marker = data[i + 1]
        if marker == 0xFF:  # fill byte
            i += 1
            continue
        if marker == 0xDA:  # start of scan: the rest is image data
            if exif and not inserted:
                out.append(b"\xff\xe1" + struct.pack(">H", len(exif) + 2) + exif)
            out.append(data[i:])
            return b"".join(out)
        length = struct.unpack(">H", data[i + 2:i + 4])[0]
        seg = data[i:i + 2 + length]
        keep = not (marker == 0xE1 or 0xE3 <= marker <= 0xED or marker == 0xEF or marker == 0xFE)
        if keep:
            out.append(seg)
            if marker == 0xE0 and exif and not inserted:  # after JFIF
                out.append(b"\xff\xe1" + struct.pack(">H", len(exif) + 2) + exif)
                inserted = True
        i += 2 + length
    raise ValueError("JPEG without image data")


def _strip_png(data: bytes) -> bytes:
    """Keep the image and colour chunks (:data:`_KEEP_PNG`), and an ``eXIf`` chunk reduced to
    orientation and capture times (:func:`_minimal_exif`) before the image data, so the copy
    decodes the same way up as the original and keeps its capture time."""
    exif = _minimal_exif(data)
    if exif.startswith(b"Exif\x00\x00"):
        exif = exif[6:]  # PNG's eXIf holds the TIFF structure without the APP1 prefix
    out, i, inserted = [data[:8]], 8, not exif
    while i + 8 <= len(data):
        length = struct.unpack(">I", data[i:i + 4])[0]
        kind = data[i + 4:i + 8]
        chunk = data[i:i + 12 + length]
        if kind == b"IDAT" and not inserted:
            out.append(struct.pack(">I", len(exif)) + b"eXIf" + exif
                       + struct.pack(">I", zlib.crc32(b"eXIf" + exif) & 0xFFFFFFFF))
            inserted = True
        if kind in _KEEP_PNG:
            out.append(chunk)
        i += 12 + length
        if kind == b"IEND":
            break
    return b"".join(out)


def strip_metadata(data: bytes) -> tuple[bytes, str]:
    """A copy of a photo file without personal metadata: :func:`clean_copy`'s ``(data, suffix)``.

    Parameters
    ----------
    data : bytes
        The photo file.

    Returns
    -------
    (bytes, str)
        The cleaned file and its suffix (``".jpg"`` or ``".png"``), as :class:`CleanCopy` describes them.

    Raises
    ------
    facemetrics.errors.PhotoError
        When :func:`facemetrics.load_photo` refuses the file (:func:`clean_copy`).
    """
    copy = clean_copy(data)
    return copy.data, copy.suffix


@dataclass(frozen=True)
class CleanCopy:
    """The copy of a photo file the store keeps (:func:`clean_copy`).

    Attributes
    ----------
    data : bytes
        The cleaned file.  JPEG: the same compressed pixels, EXIF reduced to orientation and capture times.
        PNG: image and colour chunks (an APNG's animation chunks dropped: its default image), and EXIF reduced
        to orientation and capture times.  Anything else: decoded (EXIF orientation applied) and re-encoded as
        lossless PNG with the capture times, RGBA when partly transparent (:func:`_png_copy`).
    suffix : str
        ``".jpg"`` or ``".png"``.
    notes : tuple of str
        The loader's notes on the file given that stay true of the copy (:attr:`facemetrics.loader.Photo.warnings`:
        which frame, page or image of a file of several was measured, the one copied: "GIF file holds 3 frames;
        only the first was measured").  The copy holds that picture alone, so measuring it says nothing of the
        others; the store keeps these notes with the photo (``photos.note``).  ``()`` for a file of one picture.
    """

    data: bytes
    suffix: str
    notes: tuple[str, ...] = ()


def clean_copy(data: bytes) -> CleanCopy:
    """A copy of a photo file without personal metadata, with the loader's notes on it (:class:`CleanCopy`).

    Parameters
    ----------
    data : bytes
        The photo file.

    Returns
    -------
    CleanCopy

    Raises
    ------
    facemetrics.errors.PhotoError
        When :func:`facemetrics.load_photo` refuses the file (every format, JPEG and PNG
        included, with the loader's own checks and message: truncated or corrupt data, empty,
        not an image, too large or too small), so that no file the batch would report
        ``unreadable`` is ever stored as a photo.
    """
    from .loader import load_photo

    # the loader's checks, as the batch will read the copy (fast=True, the measuring default)
    photo = load_photo(data)
    # the loader's notes are which frame, page or image of the file was measured (loader._frames_note): the one
    # copied, as the JPEG keeps one picture, a PNG copy drops an APNG's animation chunks and a decoded copy is
    # the frame the loader decoded; they stay true of the copy, which holds that one picture alone
    notes = tuple(photo.warnings)
    if data[:3] == b"\xff\xd8\xff":
        try:
            return CleanCopy(_strip_jpeg(data), ".jpg", notes)
        except (ValueError, struct.error):
            pass
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return CleanCopy(_strip_png(data), ".png", notes)
    if photo.scale != 1.0:  # a JPEG decoded reduced that is re-encoded: at full size
        photo = load_photo(data, fast=False)
    # the pixels are upright already (the loader applied the orientation): capture times only
    return CleanCopy(_png_copy(data, photo, _minimal_exif(data, orientation=False)), ".png", notes)


def _png_copy(data: bytes, photo, exif: bytes) -> bytes:
    """The lossless PNG copy of a photo file other than JPEG and PNG: the loader's upright pixels (``photo``,
    a :class:`facemetrics.loader.Photo` of ``data``) with ``exif`` (an APP1 payload, or b"").  A partly
    transparent photo (``photo.alpha``: a WebP, TIFF, GIF, HEIC with an alpha channel) is stored with its
    opacity (RGBA), as long as the copy reads back to the very pixels and opacity of the original: a copy
    composited on white read as opaque, so the stored photo lost the ``transparent`` warning or refusal its
    file gets from ``analyze`` (bad-input audit, 2026-12-05)."""
    import numpy as np
    from PIL import Image, ImageOps

    from .loader import load_photo

    kw = {"exif": exif} if exif else {}
    if photo.alpha is not None:
        try:
            with _opened(data) as img:
                rgba = ImageOps.exif_transpose(img).convert("RGBA")
            buf = io.BytesIO()
            rgba.save(buf, "PNG", **kw)
            back = load_photo(buf.getvalue())
            if back.alpha is not None and np.array_equal(back.rgb, photo.rgb) \
                    and np.array_equal(back.alpha, photo.alpha):
                return buf.getvalue()
        except Exception:  # noqa: BLE001 - not the loader's pixels: the opaque copy below, as before
            pass
    buf = io.BytesIO()
    Image.fromarray(photo.rgb).save(buf, "PNG", **kw)
    return buf.getvalue()


def time_not_read_of(data: bytes) -> str:
    """Why a photo file's EXIF capture time does not read (:func:`facemetrics.exif.exif_time_not_read`: blank, as a
    camera whose clock was never set writes it, or not a date), or "" (no such tag, one that reads, no header)."""
    from .exif import exif_time_not_read, read_exif

    try:
        with _opened(data) as img:
            return exif_time_not_read(read_exif(img))
    except Exception:  # noqa: BLE001 - unreadable: nothing to say
        return ""


def taken_at_of(data: bytes) -> str:
    """EXIF capture time of a photo file as ISO 8601 ("" when none)."""
    from .exif import exif_taken_at, read_exif

    try:
        with _opened(data) as img:
            t = exif_taken_at(read_exif(img))
    except Exception:  # noqa: BLE001 - unreadable: no time
        return ""
    return t.isoformat() if t is not None else ""
