"""A photo file's personal metadata: what a stored copy keeps of it, and its EXIF capture time.

:func:`strip_metadata` makes the copy :class:`facemetrics.store.Store` keeps of a photo: a JPEG
keeps its compressed pixels byte for byte and only these EXIF tags: Orientation,
DateTimeOriginal/Digitized with their offsets and sub-seconds, and the 35 mm-equivalent focal
length.  GPS, camera make/model/serial, owner and artist names, maker notes, thumbnails, XMP,
IPTC and comments are dropped.  A PNG copy keeps only its image and colour chunks (no text) and
an EXIF chunk reduced the same way.  Other formats (HEIC, WebP, TIFF) are decoded, turned
upright and stored as lossless PNG with the capture times.  :func:`taken_at_of` reads a photo
file's EXIF capture time as the loader does (:func:`facemetrics.loader.load_photo`).

Bytes in, bytes (or text) out; no files.
"""

from __future__ import annotations

import io
import struct
import zlib

__all__ = ["strip_metadata", "taken_at_of"]

#: EXIF tags kept in a stored JPEG copy: (IFD, tag)
_KEEP_IFD0 = (274,)  # Orientation
#: FocalLengthIn35mmFilm (0xA405) is kept so that a comparison of stored photos can still tell two lenses apart
#: (compare.gate.different_lenses); LensMake/LensModel name the device, so they go with Make and Model
_KEEP_EXIF = (36867, 36868, 36881, 36882, 37521, 37522, 0xA405)  # DateTime{Original,Digitized}, offsets, subsec, focal
#: PNG chunks kept (image and colour only)
_KEEP_PNG = {b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"gAMA", b"cHRM", b"sRGB", b"iCCP", b"sBIT", b"pHYs"}


def _minimal_exif(data: bytes, orientation: bool = True) -> bytes:
    """An ``Exif\\0\\0`` APP1 payload with only orientation, capture times and the 35 mm focal length (b"" if none);
    without the orientation when ``orientation`` is False (for a copy whose pixels are already
    turned upright)."""
    from PIL import Image

    try:
        src = Image.open(io.BytesIO(data)).getexif()
        src_ifd = src.get_ifd(0x8769)
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
    """A copy of a photo file without personal metadata.

    Parameters
    ----------
    data : bytes
        The photo file.

    Returns
    -------
    (bytes, str)
        The cleaned file and its suffix (``".jpg"`` or ``".png"``).  JPEG:
        the same compressed pixels, EXIF reduced to orientation and capture
        times.  PNG: image and colour chunks, and EXIF reduced to orientation and
        capture times.  Anything else: decoded (EXIF orientation applied) and
        re-encoded as lossless PNG with the capture times.

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
    if data[:3] == b"\xff\xd8\xff":
        try:
            return _strip_jpeg(data), ".jpg"
        except (ValueError, struct.error):
            pass
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return _strip_png(data), ".png"
    from PIL import Image

    if photo.scale != 1.0:  # a JPEG decoded reduced that is re-encoded: at full size
        photo = load_photo(data, fast=False)
    buf = io.BytesIO()
    # the pixels are upright already (the loader applied the orientation): capture times only
    exif = _minimal_exif(data, orientation=False)
    Image.fromarray(photo.rgb).save(buf, "PNG", **({"exif": exif} if exif else {}))
    return buf.getvalue(), ".png"


def taken_at_of(data: bytes) -> str:
    """EXIF capture time of a photo file as ISO 8601 ("" when none)."""
    from PIL import Image

    from .exif import exif_taken_at, read_exif

    try:
        with Image.open(io.BytesIO(data)) as img:
            t = exif_taken_at(read_exif(img))
    except Exception:  # noqa: BLE001 - unreadable: no time
        return ""
    return t.isoformat() if t is not None else ""
