"""Read before/after photos into 8-bit RGB arrays.

:func:`load_photo` is the single entry point used by the command line, the batch
runner and the app. It accepts a path, raw ``bytes`` or a binary file-like object
(e.g. Streamlit's ``UploadedFile``) and returns a :class:`Photo`: an
``(H, W, 3)`` ``uint8`` RGB array plus the metadata the rest of the pipeline
needs (capture time, content hash, original size, decode scale).

Supported formats
-----------------
JPEG (including MPO, i.e. JPEGs with a Multi-Picture index, reported as
``"JPEG"``), PNG, WebP, TIFF, HEIC/HEIF (through ``pillow-heif``, registered at
import), plus AVIF, BMP and GIF when Pillow can read them. Other formats Pillow
knows (EPS, PSD, ...) are refused on purpose (``status="not_an_image"``), e.g.
so that an ``.eps`` upload can never start Ghostscript. JPEGs of 12- or 16-bit samples,
which Pillow cannot open, are ``not_an_image`` too, the message naming their bit depth
(not "corrupt": :func:`facemetrics.integrity.container.jpeg_precision` reads it from the frame header).

Pixel conversions
-----------------
* grayscale / bilevel / palette / CMYK (Adobe-inverted CMYK included) /
  YCbCr / LAB -> RGB with Pillow's ``convert``;
* alpha (LA, RGBA, PA, palette or RGB with a transparent colour; 8- or 16-bit PNG, WebP, TIFF,
  GIF, ...) is composited on a white background, and the opacity is kept in :attr:`Photo.alpha`
  when any pixel is not fully opaque (a fully opaque alpha channel gives the very pixels and
  metrics of the same photo without one): a partly transparent face is a faded copy of the photo
  (its folds read shallower), which :func:`facemetrics.analyze.analyze_photo` warns about or
  refuses (status ``transparent``; :func:`facemetrics.quality.face_opacity`);
* one-band 16-bit (``I;16``), 32-bit integer (``I``) and float (``F``) images
  are scaled to 0..255 with rounding from the range their largest value fits in
  (:func:`_full_scale`): 0..255 when no value exceeds 255 (8-bit values kept as they
  are: a 32-bit TIFF or 16-bit PNG written from an 8-bit photo), else 0..65535
  (``65535 -> 255``, ``32768 -> 128``), else the signed 32-bit range; a float image
  whose values are all within 0..1 from 0..1; never clipped within the range;
* 16-bit-per-channel colour PNG/TIFF (48-bit RGB, 64-bit RGBA) are reduced
  by Pillow's decoder to their most significant byte (``v >> 8``), which is a
  scaling too (at most one grey level away from ``round(v / 257)``); one whose samples are all at most
  255 (an 8-bit photo saved without scaling: OpenCV's or tifffile's ``astype(uint16)``), which that
  reduction read black, is read as 8-bit values, as a one-band one is (:func:`_colour_low_bytes`); each
  such picture read as 8-bit values has a warning saying so (:func:`_eight_bit_note`: the file cannot
  tell it from a 16-bit photo 257 times darker; stop 65);
* HDR HEIF (10/12 bit) is reduced to 8 bit by ``pillow-heif``.

No colour management is done: embedded ICC profiles are ignored, pixel values
are used as stored (on both decode paths). A Display P3 photo read so moves no
comparison row beyond its noise floor (``bench/audit_inputs2.py``, docs/robustness.md).

Orientation
-----------
The EXIF ``Orientation`` tag (274) is applied exactly once, so ``rgb`` is
upright as a viewer would show it. On the Pillow path this is
:func:`PIL.ImageOps.exif_transpose`. On the libjpeg-turbo path (plain JPEGs,
decoded by ``simplejpeg``, which never looks at EXIF) the tag is read from
the header by Pillow (``Image.getexif``, the same source ``exif_transpose``
uses) and applied to the decoded array with OpenCV flip/rotate/transpose.
HEIF rotations
(``irot``/``imir``) are applied by libheif while decoding and pillow-heif then
resets the EXIF tag to 1, so they are not applied twice either.

Size limits
-----------
``MAX_PIXELS = 100_000_000`` (100 megapixels, width x height of the stored
image): larger images are refused with ``status="too_large"`` from the header
alone, *before* any pixel is decoded, to bound memory (a 100 MP RGB image is
300 MB). ``MAX_DECODED_PIXELS = 50_000_000`` bounds the decoded array: JPEGs
are decoded reduced in the DCT domain (1/2, 1/4, 1/8) until they fit (also
with ``fast=False``), other formats above it are refused (``too_large``)
before decoding: a 300 KB flat 10000 x 10000 PNG or a 700 KB float TIFF of
that size would otherwise take 1.6 GB / 3.3 GB (``docs/robustness.md``).
A file whose header promises more pixels than its data can hold (a JPEG
with less than one bit per 8 x 8 block, a PNG whose IDAT data are below
deflate's 1032:1 limit) is ``unreadable`` before any pixel buffer is made.
Pillow conversions run in bands of about 4 MP, so decoding costs Pillow's
image plus the output array, not several copies. Pillow's own decompression-bomb guard (``Image.MAX_IMAGE_PIXELS``,
about 89 MP by default) is not modified globally; its warning is silenced
while a photo is opened, and its error (images above twice that limit) is
reported as ``too_large`` too, so ``max_pixels`` cannot be raised beyond about
179 MP without also raising ``PIL.Image.MAX_IMAGE_PIXELS``.
Images smaller than ``MIN_SIDE = 32`` pixels on either side are refused with
``status="too_small"``.

Decoders and speed (``fast``)
-----------------------------
Plain 8-bit JPEGs (YCbCr or grayscale; i.e. nearly every camera/phone photo)
are decoded with libjpeg-turbo through ``simplejpeg`` in strict mode, which
gives bit-identical pixels to Pillow's and OpenCV's decoders and is as fast as
OpenCV's (about 2x Pillow on a 12 MP photo); all other inputs, including CMYK
JPEGs, go through Pillow.

With ``fast=True`` (default), a JPEG whose long side is at least
``FAST_MIN_LONG_SIDE = 3000`` pixels is decoded at half resolution in the DCT
domain (libjpeg's scaled decode, the same pixels as OpenCV's
``IMREAD_REDUCED_COLOR_2``): about 2x faster again and a quarter
of the memory (``bench/bench_load.py``: about 30 ms instead of 60 ms for a
12 MP photo); ``Photo.scale`` is then ``2.0``. The result is close to a
2 x 2 area downsampling of the full decode (mean absolute difference below
2 grey levels in the tests). Downstream code analyses faces at a fixed physical resolution of
about 0.2 mm/px or coarser, so nothing is lost as long as the face is at
least about 700 px wide *in the reduced image* (a ~140 mm wide face at
0.2 mm/px), i.e. about 1400 px in the original: true for close-up
before/after shots, where the face fills half the frame width or more of a
12 MP photo. For wider shots (face smaller than that) the reduced image is
coarser than 0.2 mm/px; use ``fast=False``. Coordinates measured on ``rgb``
must be multiplied by ``scale`` to refer to the original file. With
``fast=False`` every photo is decoded at full resolution (``scale == 1.0``).

Corrupt data
------------
Decoders that only *warn* about damaged data are made strict, so damaged
files are ``unreadable`` instead of measured on wrong pixels: JPEG through
libjpeg-turbo with ``strict=True`` (every libjpeg warning, e.g. "Corrupt
JPEG data: premature end of data segment", is an error; CMYK JPEGs, decoded
by Pillow, are first entropy-decoded strictly at 1/8 scale); PNG by checking
the CRC-32 of every chunk, IDAT included (Pillow skips those), before
decoding (these checks of the file's structure, the strict 1/8 pass, a JPEG's end marker and the least
data its size needs, a WebP's RIFF sizes, a HEIF/AVIF's boxes and crop window, are
:mod:`facemetrics.integrity.container`'s); every other format through Pillow with
``ImageFile.LOAD_TRUNCATED_IMAGES`` left at its default ``False``. JPEG,
WebP and HEIC hold no checksum of their compressed data, so bytes
overwritten inside it can decode, without any warning, to wrong pixels; the
decoded pixels of these formats are therefore checked for decoder garbage
(:func:`facemetrics.integrity.check_pixels`: implausible colour noise, and
for JPEG a constant colour shift on a staircase of MCU boundaries, checked on
the decoder's grid before rotation), and a photo that shows it is
``unreadable`` ("the decoded pixels look damaged: ..."). A lossy WebP is
also decoded once more without the last bytes of its image data
(:func:`facemetrics.integrity.vp8_ends_early`): a clean file then fails, a
file whose entropy decoder lost its place (smooth wrong patches, no colour
noise) decodes and is ``unreadable``. What still passes (mostly blocky HEIC
garbage) is measured in ``docs/robustness.md`` (``bench/bench_fuzz.py``,
``bench/bench_integrity.py``).

Multi-page files
----------------
Only the first page of a multi-page TIFF or the first frame of an animated
GIF/WebP/PNG is decoded (an APNG's first image is its still default image when it has
one), and only the primary image of a HEIF file that holds several (what a viewer shows,
which need not be the first); :attr:`Photo.warnings` says which (and the
``warnings`` column of the analysis; when no face is found there, the ``no_face``
message says so too).

Statuses
--------
Every read failure raises :class:`facemetrics.errors.PhotoError` whose
``status`` is one of ``"unreadable"`` (file not found, permission denied,
dangling or looping symbolic link, not a regular file -- a named pipe, a
device such as ``/dev/null``, a socket: never opened, see
:func:`check_regular_file` --, truncated or corrupt data),
``"empty"`` (zero bytes), ``"not_an_image"`` (unrecognised or unsupported
format), ``"too_large"`` and ``"too_small"``. The message names the file
and the reason.
"""

from __future__ import annotations

import hashlib
import io
import math
import os
import stat
import warnings
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import cv2
import numpy as np
try:
    import pillow_heif
except ImportError:  # a broken install: every other format is read, a HEIC refused saying what to install (stop 65)
    pillow_heif = None
import simplejpeg
from PIL import Image, ImageOps, UnidentifiedImageError

from facemetrics.errors import PhotoError, legible
from facemetrics.errors import one_line as _short  # a decoder's error in a message
from facemetrics.exif import exif_lens, exif_orientation, exif_taken_at, exif_time_not_read, read_exif
from facemetrics.jpeg_quality import image_jpeg_quality
from facemetrics.reprs import short_repr
from facemetrics.integrity import (VP8_TAIL_BYTES, VP8L_TAIL_BYTES, check_pixels, container_damage, hevc_errors,
                                   jpeg_precision, jpeg_scan_start, jpeg_truncated, too_little_data, vp8_ends_early,
                                   vp8l_ends_early, webp_is_lossless)
from facemetrics.schema import PHOTO_FORMATS

__all__ = [
    "FAST_MIN_LONG_SIDE",
    "MAX_DECODED_PIXELS",
    "MAX_PIXELS",
    "MIN_SIDE",
    "Photo",
    "check_regular_file",
    "load_photo",
    "read_taken_at",
    "read_time_not_read",
]

#: Largest accepted image, in pixels (width x height), checked on the header.
MAX_PIXELS = 100_000_000
#: Largest image decoded, in pixels of the *decoded* array: JPEGs above it are
#: decoded reduced in the DCT domain (1/2, 1/4, 1/8) until they fit; other
#: formats, which cannot be decoded reduced, are refused (``too_large``).
#: 50 MP of RGB is 150 MB; the peak of a whole analysis stays under about
#: 1 GB (docs/robustness.md).
MAX_DECODED_PIXELS = 50_000_000
#: Smallest accepted side length, in pixels.
MIN_SIDE = 32
#: JPEGs with a long side of at least this many pixels use the fast
#: half-resolution decode when ``fast=True``.
FAST_MIN_LONG_SIDE = 3000

if pillow_heif is not None:
    pillow_heif.register_heif_opener()
#: a HEIC/HEIF photo's refusal when pillow-heif cannot be imported (it is a dependency: `facemetrics` ended with a
#: ModuleNotFoundError traceback on every command, even ``--help``, before stop 65)
NO_HEIF_READER = ("HEIC/HEIF photo, but pillow-heif, the package facemetrics reads HEIC with, is not installed: "
                  "install it (pip install pillow-heif), or save the photo as JPEG")

# Formats Pillow may use to open a photo. Everything else is refused (some
# Pillow plugins, e.g. EPS, run external programs). The list and the formats'
# file endings (what a folder search takes as a photo) are schema.PHOTO_FORMATS.
Image.init()
_ALLOWED_FORMATS = tuple(f for f in PHOTO_FORMATS if f in Image.OPEN)
#: the formats read, for messages: "JPEG, MPO, PNG, WebP, TIFF, HEIF/HEIC, AVIF, BMP or GIF"
_FORMAT_NAMES = ", ".join({"WEBP": "WebP", "HEIF": "HEIF/HEIC"}.get(f, f) for f in PHOTO_FORMATS)
_FORMAT_NAMES = " or ".join(_FORMAT_NAMES.rsplit(", ", 1))

#: formats decoded by Pillow whose compressed data carry no checksum: their pixels are checked for
#: decoder garbage (JPEGs decoded by libjpeg-turbo are checked in :func:`_decode_jpeg`)
_CHECKED_FORMATS = ("JPEG", "WEBP", "HEIF", "AVIF")

_HEIF_BRANDS = (b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1",
                b"avif", b"avis")

class FileNote(str):
    """A note of the loader's on how a file was read (a :attr:`Photo.warnings` entry), its text as any ``str``,
    with ``kind`` naming which note it is, so that a caller picks it by its kind, not by its words
    (``compare``'s lines, :func:`facemetrics.cli._file_note_lines`; the ``no_face`` sentence; review r3: they were
    found by their wording): :data:`FRAMES` (which page, frame or image of several, :func:`_frames_note`) or
    :data:`EIGHT_BIT` (a 16- or 32-bit file read as 8-bit values, :func:`_eight_bit_note`)."""

    #: the note of a file of several pages / frames / images
    FRAMES = "frames"
    #: the note of a 16- or 32-bit file whose values were read as 8-bit ones
    EIGHT_BIT = "eight_bit"

    def __new__(cls, text: str, kind: str):
        note = super().__new__(cls, text)
        note.kind = kind
        return note

    def __reduce__(self):  # pickled as itself (a worker process sends its photos back), not as a plain str
        return FileNote, (str(self), self.kind)


def file_notes(warnings, kind: str | None = None) -> list[str]:
    """The loader's notes (:class:`FileNote`) among ``warnings`` (a photo's or an analysis' warnings), of ``kind``
    when given, in their order."""
    return [w for w in warnings or () if isinstance(w, FileNote) and (kind is None or w.kind == kind)]


@dataclass(frozen=True, eq=False)
class Photo:
    """A decoded photo, upright, as 8-bit RGB.

    Attributes
    ----------
    rgb : numpy.ndarray
        Pixels, shape ``(H, W, 3)``, dtype ``uint8``, channel order R, G, B,
        C-contiguous, writeable and owned by this Photo on every decode path.
        Row 0 is the top of the upright photo (EXIF orientation
        already applied), column 0 its left edge; pixel ``(x, y)`` is
        ``rgb[y, x]``. May be a reduced decode, see `scale`.
    name : str
        File name (basename) of the source, or the ``name`` given to
        :func:`load_photo`.
    path : str or None
        Absolute path when loaded from a path, else ``None``.
    taken_at : datetime.datetime or None
        Capture time from EXIF ``DateTimeOriginal`` (else
        ``DateTimeDigitized``); timezone-aware when the matching
        ``OffsetTime*`` tag is present, naive (camera local time) otherwise.
        ``None`` when absent or malformed. Never derived from file times.
    scale : float
        Original-photo pixels per pixel of `rgb` (``1.0`` for a full decode,
        ``2.0`` for the half-resolution fast path). A point ``(x, y)`` in `rgb`
        is at about ``(x * scale, y * scale)`` in the upright original.
    original_size : tuple of int
        ``(width, height)`` in pixels of the full-resolution photo after
        orientation.
    format : str
        Container format as named by Pillow: ``"JPEG"``, ``"PNG"``,
        ``"WEBP"``, ``"TIFF"``, ``"HEIF"``, ... (MPO is reported as
        ``"JPEG"``).
    sha256 : str
        Hex SHA-256 digest of the input file bytes (content hash, independent
        of the file name; for caching and resuming).
    warnings : tuple of str
        Notes about the decode that do not stop the measurement, e.g. that a
        multi-page TIFF or an animated GIF/WebP was cut to its first page.
    alpha : numpy.ndarray or None
        Opacity of each pixel of `rgb`, shape ``(H, W)``, dtype ``uint8``
        (0 fully transparent ... 255 opaque), upright like `rgb`, when the
        file had an alpha channel or a transparent colour and at least one
        pixel is not fully opaque; ``None`` otherwise (no alpha, or an alpha
        channel that is 255 everywhere). `rgb` is already composited on white.
    lens : str or None
        The lens that took the photo, from EXIF ``LensModel`` (0xA434), prefixed with ``LensMake``
        (0xA433) when the model does not already name it, e.g. ``"Apple iPhone 13 back dual wide camera
        5.1mm f/1.6"`` (phones name the front and each back camera apart); ``None`` when absent. Not
        in the CSV: the comparison reads it (:func:`facemetrics.compare.gate.lens_messages`).
    focal_length_35mm : float or None
        EXIF ``FocalLengthIn35mmFilm`` (0xA405), mm (the 35 mm-equivalent focal length; a digital zoom
        raises it); ``None`` when absent or 0 (unknown).
    orientation : int
        The EXIF ``Orientation`` tag (0x0112) applied to reach `rgb`: 1 when none was (no tag, the tag 1, or
        a HEIF, which libheif turns itself).  A face still sideways after it is named with the tag: an editor
        that turned the pixels but kept the tag turns the photo twice (:func:`facemetrics.analyze._turned`).
    jpeg_quality : float
        The JPEG quality the file was saved at, 1..100, read from its luminance quantization table
        (:func:`facemetrics.jpeg_quality.ijg_quality`: exact for files written by libjpeg, OpenCV or Pillow,
        the nearest libjpeg quality for other encoders); NaN for other formats and for pixels handed in.
        Not in the CSV: the comparison reads it (:func:`facemetrics.compare.gate.jpeg_quality_messages`).
    """

    rgb: np.ndarray
    name: str
    path: str | None
    taken_at: datetime | None
    scale: float
    original_size: tuple[int, int]
    format: str
    sha256: str
    warnings: tuple[str, ...] = ()
    alpha: np.ndarray | None = None
    lens: str | None = None
    focal_length_35mm: float | None = None
    orientation: int = 1
    jpeg_quality: float = float("nan")

    def __repr__(self) -> str:
        """The name, format, size (px), scale, capture time and warnings; `rgb` and `alpha` by shape and
        dtype, not their pixels (:mod:`facemetrics.reprs`)."""
        return short_repr(self, {"name": self.name, "format": self.format, "size": self.size, "scale": self.scale,
                                 "taken_at": self.taken_at, "rgb": self.rgb, "alpha": self.alpha,
                                 "warnings": self.warnings})

    @property
    def size(self) -> tuple[int, int]:
        """``(width, height)`` of `rgb` in pixels."""
        return int(self.rgb.shape[1]), int(self.rgb.shape[0])

    @property
    def pixel_sha256(self) -> str:
        """Hex SHA-256 of the decoded pixels: `rgb`'s shape, then its bytes.

        Two files with identical decoded pixels (a copy whose EXIF was rewritten, e.g. its capture
        time) have different :attr:`sha256` but the same ``pixel_sha256``: it tells one picture
        under two files.  It is computed on each call from `rgb` as it is then (about 10 ms for
        a 1600 x 1200 photo), and depends on the decode's `scale` (a batch decodes every photo
        with the same settings).

        With partly transparent pixels (:attr:`alpha` not None) the opacity follows the pixels
        (the marker ``b"alpha"``, then its bytes): `rgb` is composited on white, so two files
        whose pixels differ only where they are transparent, or whose opacity differs over white
        pixels, are otherwise one hash for two pictures.  Without it (no alpha channel, or one
        opaque everywhere) the hash is the pixels' alone, as before 2026-12-04."""
        digest = hashlib.sha256(repr(tuple(int(n) for n in self.rgb.shape)).encode())
        digest.update(np.ascontiguousarray(self.rgb))
        if self.alpha is not None:
            digest.update(b"alpha")
            digest.update(np.ascontiguousarray(self.alpha, dtype=np.uint8))
        return digest.hexdigest()


# --------------------------------------------------------------------------
# input
# --------------------------------------------------------------------------


#: what a non-regular file is, by its ``stat.S_IFMT`` type, for messages
_FILE_KINDS = {stat.S_IFIFO: "a named pipe (FIFO)", stat.S_IFCHR: "a character device",
               stat.S_IFBLK: "a block device", stat.S_IFSOCK: "a socket"}


def _read_error(label: str, path: str, exc: BaseException) -> PhotoError:
    """The ``unreadable`` :class:`PhotoError` of an ``os.stat`` or ``open`` failure of ``path``."""
    if isinstance(exc, FileNotFoundError):
        reason = "symbolic link to a missing file" if os.path.islink(path) else "file not found"
    elif isinstance(exc, IsADirectoryError):
        reason = "is a folder, not a photo"
    elif isinstance(exc, PermissionError):
        reason = "permission denied"
    else:
        why = getattr(exc, "strerror", None) or str(exc)
        reason = f"cannot read file ({'symbolic link loop or unreadable link: ' if os.path.islink(path) else ''}{why})"
    return PhotoError(label, reason, status="unreadable")


def check_regular_file(path: str | os.PathLike, label: str | None = None) -> None:
    """Refuse, without opening it, a path that is not a regular file (symbolic links followed).

    ``open()`` of a named pipe (FIFO) blocks until a writer comes, forever in a batch;
    a device such as ``/dev/zero`` never ends.  So every path is ``os.stat``-ed first
    and only a regular file (``stat.S_ISREG``) is opened: a FIFO, a device (``/dev/null``
    included), a socket, a folder (``x.jpg: is a folder, not a photo``), a missing file, a dangling or looping symbolic
    link is a :class:`PhotoError` (``status="unreadable"``) whose message names the
    file and the reason, e.g. ``x.jpg: not a regular file (a named pipe (FIFO))``.
    ``/proc`` files are regular files and pass.

    Parameters
    ----------
    path : str or path-like
        The file.
    label : str, optional
        Name in the message (default: the path's basename).

    Raises
    ------
    PhotoError
        When the path cannot be read as a regular file.
    """
    path = os.fspath(path)
    label = label if label is not None else legible(os.path.basename(os.path.abspath(path)))
    try:
        mode = os.stat(path).st_mode  # follows symbolic links
    except (OSError, ValueError) as exc:  # also ELOOP, ENAMETOOLONG, an embedded NUL
        raise _read_error(label, path, exc) from None
    if stat.S_ISDIR(mode):
        raise PhotoError(label, "is a folder, not a photo", status="unreadable")
    if not stat.S_ISREG(mode):
        kind = _FILE_KINDS.get(stat.S_IFMT(mode), "a special file")
        via = ", through a symbolic link" if os.path.islink(path) else ""
        raise PhotoError(label, f"not a regular file ({kind}{via})", status="unreadable")


def check_source_type(source: Any, what: str = "load_photo() source", also: str = "") -> None:
    """Raise :class:`TypeError` when ``source`` is of a kind :func:`load_photo` cannot take (a
    caller's mistake, said at once, not a photo's ``status`` row): not a path, bytes, file-like,
    PIL image or array; an array that is not uint8 or of shape (H, W), (H, W, 1), (H, W, 3) or
    (H, W, 4).

    Parameters
    ----------
    source : object
        What the caller handed in.
    what : str, optional
        The argument as the message names it, e.g. ``"compare_photos() after"``.
    also : str, optional
        The other kinds the caller takes, said in the message after the loader's own, with its
        leading comma (e.g. ``", a Photo or a PhotoAnalysis"``).
    """
    if isinstance(source, np.ndarray):
        if source.dtype != np.uint8:
            raise TypeError(f"{what} must be an 8-bit array (dtype uint8, values 0-255), not {source.dtype}; "
                            f"convert it first, for instance {_to_uint8_hint(source.dtype)}")
        if not (source.ndim == 2 or (source.ndim == 3 and source.shape[2] in (1, 3, 4))):
            raise TypeError(f"{what} must be an array of shape (H, W) grey, (H, W, 3) RGB or (H, W, 4) RGBA "
                            f"(rows, columns, channels), not {source.shape}")
        return
    if isinstance(source, (str, os.PathLike, bytes, bytearray, memoryview, Image.Image)) \
            or hasattr(source, "getvalue") or hasattr(source, "read"):
        return
    kinds = "a path, bytes, a binary file-like object, a uint8 array"
    kinds = f"{kinds}, a PIL image{also}" if also else f"{kinds} or a PIL image"
    raise TypeError(f"{what} must be {kinds}, not {type(source).__name__}")


def _to_uint8_hint(dtype: np.dtype) -> str:
    """How to make an array of ``dtype`` 8-bit, for :func:`check_source_type`'s message: floats are taken to
    be in 0-1, 16-bit integers in 0-65535 (a 16-bit PNG or TIFF read by another library), other integers
    and booleans in 0-255 or 0/1."""
    if np.issubdtype(dtype, np.floating):
        return "np.clip(a * 255, 0, 255).round().astype(np.uint8) for floats in 0-1"
    if dtype in (np.uint16, np.int16):
        return "(a // 257).astype(np.uint8) for 16-bit values in 0-65535"
    if dtype == np.bool_:
        return "a.astype(np.uint8) * 255 for a mask"
    return "np.clip(a, 0, 255).astype(np.uint8) for values in 0-255"


def _photo_from_pixels(source: np.ndarray | Image.Image, name: str | None, max_pixels: int | None) -> Photo:
    """A :class:`Photo` of pixels already in memory (:func:`load_photo`'s array and PIL inputs).

    ``source``: a uint8 array, shape (H, W) grey, (H, W, 3) RGB or (H, W, 4) RGBA (composited
    over white, as the decoder does), row 0 the top; or a PIL image (its EXIF orientation applied,
    then converted as a decoded file is).  ``sha256`` is the digest of the shape and pixel bytes;
    there is no capture time (``taken_at`` None) and ``format`` is ``"ARRAY"`` or ``"PIL"``."""
    if isinstance(source, Image.Image):
        label = name if name is not None else "<PIL image>"
        _check_dimensions(label, *source.size, max_pixels)  # before any conversion of a huge image
        try:
            img = ImageOps.exif_transpose(source)
        except Exception:  # noqa: BLE001 - broken EXIF: keep as stored (as the decoder does)
            img = source
        (rgb, alpha), fmt = _to_rgb_array(img, with_alpha=True), "PIL"  # every mode as a decoded file's
        arr = rgb
    else:
        check_source_type(source)
        label = name if name is not None else "<array>"
        arr, fmt = (source[..., 0] if source.ndim == 3 and source.shape[2] == 1 else source), "ARRAY"
        _check_dimensions(label, arr.shape[1], arr.shape[0], max_pixels)
        alpha = None
        if arr.ndim == 2:
            rgb = np.repeat(arr[..., None], 3, axis=2)
        elif arr.shape[2] == 4:
            rgb = _composite_on_white(np.ascontiguousarray(arr))
            alpha = _partial_alpha(arr[..., 3])
        else:
            rgb = np.array(arr, order="C", copy=True)  # owned: the caller's array is never shared
    h, w = arr.shape[:2]
    digest = hashlib.sha256(repr(arr.shape).encode())
    digest.update(np.ascontiguousarray(arr))  # the pixels' buffer, without another copy when contiguous
    return Photo(rgb=rgb, name=label, path=None, taken_at=None, scale=1.0,
                 original_size=(int(w), int(h)), format=fmt, sha256=digest.hexdigest(), alpha=alpha)


def _read_source(source: Any, name: str | None) -> tuple[bytes, str, str | None]:
    """Return ``(data, display_name, absolute_path_or_None)``."""
    if isinstance(source, str) and not source.strip():
        raise PhotoError(name if name is not None else "<empty path>", "the path is empty", status="unreadable")
    if isinstance(source, (str, os.PathLike)):
        path = os.path.abspath(os.fspath(source))
        label = name if name is not None else legible(os.path.basename(path))  # caf\xe9.jpg, not a surrogate
        if isinstance(source, str) and source.strip().lower().startswith(("http://", "https://", "ftp://")) \
                and not os.path.exists(path):  # a notebook's URL was "a.jpg: file not found"
            raise PhotoError(label, f"{source.strip()} is a web address, not a file (nothing is downloaded); "
                                    "save the photo to a file first", status="unreadable")
        check_regular_file(path, label)  # never open() a FIFO (blocks forever), a device or a socket
        try:
            with open(path, "rb") as fh:  # read-only, never modifies the file
                data = fh.read()
        except OSError as exc:  # gone or changed since it was checked
            raise _read_error(label, path, exc) from None
        return data, label, path

    if isinstance(source, (bytes, bytearray, memoryview)):
        return bytes(source), (name if name is not None else "<bytes>"), None

    if hasattr(source, "getvalue") or hasattr(source, "read"):
        label = name
        if label is None:
            src_name = getattr(source, "name", None)
            label = legible(os.path.basename(src_name)) if isinstance(src_name, str) and src_name else "<stream>"
        try:
            if hasattr(source, "getvalue"):
                data = source.getvalue()
            else:
                pos = None
                if getattr(source, "seekable", lambda: False)():
                    pos = source.tell()
                    source.seek(0)
                data = source.read()
                if pos is not None:
                    source.seek(pos)
        except Exception as exc:  # noqa: BLE001 - any stream failure is "unreadable"
            raise PhotoError(label, f"cannot read stream ({_short(exc)})", status="unreadable") from None
        if isinstance(data, str):
            raise PhotoError(label, "stream is opened in text mode, need binary", status="unreadable")
        return bytes(data), label, None

    check_source_type(source)
    raise TypeError(f"load_photo() cannot read a {type(source).__name__}")  # not reached: checked above


def _sniff(data: bytes) -> str | None:
    """Format suggested by the magic bytes, or None."""
    if data[:3] == b"\xff\xd8\xff":
        return "JPEG"
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "PNG"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    if data[:4] in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"):
        return "TIFF"
    if data[4:8] == b"ftyp" and data[8:12] in _HEIF_BRANDS:
        return "AVIF" if data[8:12] in (b"avif", b"avis") else "HEIF"
    if data[:2] == b"BM":
        return "BMP"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "GIF"
    return None


# --------------------------------------------------------------------------
# pixels
# --------------------------------------------------------------------------


def _apply_orientation(arr: np.ndarray, orientation: int) -> np.ndarray:
    """Apply an EXIF orientation to an image array, like ``exif_transpose``.

    Parameters
    ----------
    arr : numpy.ndarray
        ``(H, W, C)`` image as stored in the file (row 0 = first stored row).
    orientation : int
        EXIF Orientation tag value, 1..8 (1 = already upright).

    Returns
    -------
    numpy.ndarray
        Upright C-contiguous image, ``(H, W, C)`` for 1-4 and ``(W, H, C)``
        for 5-8. OpenCV's flip/rotate are used because they are several
        times faster than a contiguous copy of a numpy view.
    """
    arr = np.ascontiguousarray(arr)
    if orientation == 2:
        return cv2.flip(arr, 1)  # mirror left-right
    if orientation == 3:
        return cv2.rotate(arr, cv2.ROTATE_180)
    if orientation == 4:
        return cv2.flip(arr, 0)  # mirror top-bottom
    if orientation == 5:
        return cv2.transpose(arr)  # mirror along the main diagonal
    if orientation == 6:
        return cv2.rotate(arr, cv2.ROTATE_90_CLOCKWISE)
    if orientation == 7:
        return cv2.flip(cv2.transpose(arr), -1)  # mirror along the anti-diagonal
    if orientation == 8:
        return cv2.rotate(arr, cv2.ROTATE_90_COUNTERCLOCKWISE)
    return arr


def _composite_on_white(rgba: np.ndarray) -> np.ndarray:
    """``(H, W, 4)`` uint8 RGBA -> ``(H, W, 3)`` uint8 RGB over white."""
    rgb = rgba[..., :3].astype(np.uint16)
    alpha = rgba[..., 3:4].astype(np.uint16)
    out = (rgb * alpha + 255 * (255 - alpha) + 127) // 255
    return out.astype(np.uint8)


#: pixels converted per horizontal band by :func:`_to_rgb_array` (bounds the temporaries)
_BAND_PIXELS = 1 << 22


def _partial_alpha(alpha: np.ndarray | None) -> np.ndarray | None:
    """``alpha`` (``(H, W)`` uint8) as an owned C-contiguous array when some pixel is below 255,
    else None: a fully opaque alpha channel is no alpha at all (:attr:`Photo.alpha`)."""
    if alpha is None or alpha.size == 0 or int(alpha.min()) == 255:
        return None
    return np.array(alpha, dtype=np.uint8, order="C", copy=True)


def _to_rgb_array(img: Image.Image, with_alpha: bool = False):
    """Any Pillow mode -> ``(H, W, 3)`` uint8 RGB (C-contiguous), converted in bands.

    The output is allocated once and filled band by band (about 4 MP each),
    so the conversion's temporaries (Pillow's ``tobytes`` copy, mode
    conversions, 16-bit and alpha arithmetic) stay a few tens of MB instead
    of several times the image: the peak is Pillow's decoded image plus this
    array.  With ``with_alpha``: ``(rgb, alpha)``, ``alpha`` the ``(H, W)``
    uint8 opacity when the image has an alpha channel (or a transparent
    colour) with a pixel below 255, else None (:func:`_partial_alpha`).
    """
    width, height = img.size
    full = _full_scale(img)
    band = max(1, _BAND_PIXELS // max(width, 1))
    if height <= band:
        rgb, alpha = _band_to_rgb(img, full)
        return (rgb, _partial_alpha(alpha)) if with_alpha else rgb
    out = np.empty((height, width, 3), np.uint8)
    alpha_out = None
    for y in range(0, height, band):
        out[y:y + band], alpha = _band_to_rgb(img.crop((0, y, width, min(height, y + band))), full)
        if alpha is not None and with_alpha:
            if alpha_out is None:
                alpha_out = np.empty((height, width), np.uint8)
            alpha_out[y:y + band] = alpha
    return (out, _partial_alpha(alpha_out)) if with_alpha else out


def _full_scale(img: Image.Image) -> float | None:
    """The value that reads as white in a one-band integer or float image (modes ``I``, ``I;16*``, ``F``),
    decided from the whole image's largest value: at most 1.0 (``F`` only) -> 1.0; at most 255 -> 255
    (8-bit values held in a wider mode, e.g. a 32-bit TIFF or a 16-bit PNG that another program wrote
    from an 8-bit photo); at most 65535 -> 65535 (16-bit); larger -> 2**31 - 1 (the signed 32-bit range).
    None for every other mode (converted by Pillow).  Negative values and NaN read as black; NaN and infinite
    values do not count (Pillow's extrema of a float image whose first pixel is NaN are NaN, and it read white)."""
    mode = img.mode
    if not (mode.startswith("I;16") or mode in ("I", "F")):
        return None
    top = img.getextrema()[1] if img.width and img.height else 0
    if mode == "F" and top is not None and not np.isfinite(top):  # a NaN first pixel or an inf one: Pillow's
        arr = np.asarray(img, dtype=np.float32)  # extrema are then NaN or inf; the range is the finite values'
        top = float(arr[np.isfinite(arr)].max()) if np.isfinite(arr).any() else 0.0
    top = 0.0 if top is None or top != top else float(top)
    ladder = ((1.0,) if mode == "F" else ()) + (255.0, 65535.0)
    return next((v for v in ladder if top <= v), float(2**31 - 1))


def _band_to_rgb(img: Image.Image, full: float | None = None) -> tuple[np.ndarray, np.ndarray | None]:
    """Any Pillow mode -> ``(rgb, alpha)``: ``(H, W, 3)`` uint8 RGB (C-contiguous) composited on
    white, and the ``(H, W)`` uint8 alpha when the mode has one (or a transparent colour), else None.

    ``full``: for one-band integer and float modes, the value read as white (:func:`_full_scale` of the
    whole image, so that every band of one image is scaled alike); values are scaled from 0..full to
    0..255 with rounding, negative values and NaN read as 0."""
    mode = img.mode
    if mode.startswith("I;16") or mode in ("I", "F"):
        full = _full_scale(img) if full is None else full
        arr = np.nan_to_num(np.asarray(img, dtype=np.float64), nan=0.0, posinf=full, neginf=0.0)
        gray = np.clip(np.rint(np.clip(arr, 0.0, full) * (255.0 / full)), 0, 255).astype(np.uint8)
        return np.ascontiguousarray(np.repeat(gray[..., None], 3, axis=2)), None

    has_alpha = mode in ("RGBA", "LA", "PA", "RGBa", "La") or (
        mode in ("P", "L", "RGB", "1") and "transparency" in img.info
    )
    if has_alpha:
        rgba = np.asarray(img.convert("RGBA"))
        return _composite_on_white(rgba), rgba[..., 3]
    if mode != "RGB":
        img = img.convert("RGB")
    # np.array, not np.asarray: asarray wraps Pillow's bytes read-only, while
    # the OpenCV path returns writeable arrays; keep both paths alike.
    return np.array(img), None


def _jpeg_reduce(width: int, height: int, fast: bool, max_decoded: int | None) -> int:
    """DCT-domain reduction factor (1, 2, 4 or 8) for a JPEG of this size."""
    reduce = 2 if fast and max(width, height) >= FAST_MIN_LONG_SIDE else 1
    if max_decoded is not None:
        while reduce < 8 and (-(-width // reduce)) * (-(-height // reduce)) > max_decoded:
            reduce *= 2
    return reduce


def _decode_jpeg(data: bytes, orientation: int, label: str, reduce: int,
                 width: int, height: int) -> np.ndarray:
    """Decode an 8-bit YCbCr/grayscale JPEG strictly (libjpeg-turbo via simplejpeg).

    ``reduce`` is 1 (full size) or 2, 4, 8 (DCT-domain reduced decode, the
    output sizes rounded up as libjpeg does). Every libjpeg warning ("Corrupt
    JPEG data: premature end of data segment", "... extraneous bytes before
    marker", bad Huffman code, ...) is an error here (``strict=True``): such
    files decode to visibly wrong pixels (grey or shifted blocks) and are
    ``unreadable``, never measured. The pixels are bit-identical to Pillow's
    and OpenCV's libjpeg-turbo decode (islow DCT, fancy upsampling). The
    EXIF orientation is applied here, once. Returns an upright
    ``(H, W, 3)`` uint8 RGB array.
    """
    cut_short = jpeg_truncated(data, width, height)  # the file's structure (facemetrics.integrity.container)
    if cut_short:
        raise PhotoError(label, cut_short, status="unreadable")
    kw = {}
    if reduce > 1:
        kw = dict(min_width=-(-width // reduce), min_height=-(-height // reduce))
    try:
        out = simplejpeg.decode_jpeg(data, colorspace="RGB", strict=True, **kw)
    except (ValueError, RuntimeError) as exc:
        raise PhotoError(label, f"corrupt JPEG data ({_short(exc)})", status="unreadable") from None
    if out.ndim != 3 or out.shape[2] != 3:
        raise PhotoError(label, "corrupt JPEG data (decoder returned no RGB image)", status="unreadable")
    # decoder garbage that libjpeg did not notice (overwritten bytes): checked on the grid the
    # decoder used, before rotation; the MCU shrinks with the DCT scaling
    try:
        sub = simplejpeg.decode_jpeg_header(data)[3]
    except (ValueError, RuntimeError):
        sub = "420"
    mh, mw = _MCU.get(sub, (8, 8))
    # progressive (SOF2, SOF6, SOF10, SOF14): neighbouring blocks sharing a damaged scan's coefficients
    found = jpeg_scan_start(data)
    progressive = found is not None and found[1] in (0xC2, 0xC6, 0xCA, 0xCE)
    _refuse_garbage(out, label, mcu=(max(1, mh // reduce), max(1, mw // reduce)), scale=reduce,
                    rotated=orientation != 1, dct_block=8 // reduce if progressive else None, jpeg=data)
    return _apply_orientation(out, orientation)


#: JPEG minimum coded unit (height, width) in pixels by chroma subsampling (simplejpeg's names)
_MCU = {"444": (8, 8), "Gray": (8, 8), "422": (8, 16), "440": (16, 8), "420": (16, 16), "411": (8, 32),
        "441": (32, 8)}


def _refuse_garbage(rgb: np.ndarray, label: str, mcu: tuple[int, int] | None = None, scale: int = 1,
                    rotated: bool = False, specks: bool = False, dct_block: int | None = None,
                    jpeg: bytes | None = None) -> None:
    """Raise ``unreadable`` when the decoded pixels show decoder garbage (:mod:`facemetrics.integrity`).

    ``rgb`` is the decode before any EXIF rotation (``scale`` = the DCT
    reduction); the message gives the row in pixels of the file's stored image.
    ``dct_block``: a progressive JPEG's DCT block side in ``rgb`` (see
    :func:`~facemetrics.integrity.check_pixels`); ``jpeg``: the JPEG file's bytes (up to 1 MP its
    blocks' coded means are checked too).
    """
    found = check_pixels(rgb, mcu=mcu, specks=specks, dct_block=dct_block, jpeg=jpeg)
    if found.damaged:
        where = f"from row {found.row * scale} down" + (" of the stored (unrotated) image" if rotated else "")
        raise PhotoError(label, f"the decoded pixels look damaged: {found.what} {where} (the compressed "
                                "data is probably corrupt)", status="unreadable")


def _refuse_vp8_early_end(data: bytes, label: str) -> None:
    """Raise ``unreadable`` when a lossy or lossless WebP decodes without the end of its image data
    (:func:`facemetrics.integrity.vp8_ends_early`, :func:`~facemetrics.integrity.vp8l_ends_early`: its
    entropy decoder lost its place)."""
    n = VP8_TAIL_BYTES if vp8_ends_early(data) else VP8L_TAIL_BYTES if vp8l_ends_early(data) else 0
    if n:
        raise PhotoError(label, "corrupt WEBP data (the decoder finished the picture without the last "
                                f"{n} bytes of its image data: the compressed data is probably "
                                "corrupt)", status="unreadable")


def _refuse_hevc_errors(data: bytes, label: str) -> None:
    """Raise ``unreadable`` when libde265 warns about a HEIC's coded data
    (:func:`facemetrics.integrity.hevc_errors`; libheif does not pass its warnings on)."""
    found = hevc_errors(data)
    if found:
        raise PhotoError(label, f"corrupt HEIF data (the HEVC decoder reported: {'; '.join(found)})",
                         status="unreadable")


# --------------------------------------------------------------------------
# public API
# --------------------------------------------------------------------------


def _header_size(data: bytes) -> tuple[int, int] | None:
    """``(width, height)`` from the header, read by the plugin Pillow would use but without Pillow's
    decompression-bomb check (which raises before telling the size); None when no plugin reads it."""
    prefix = data[:16]  # what Image.open gives the plugins' accept()
    for fmt in _ALLOWED_FORMATS:
        factory, accept = Image.OPEN[fmt]
        try:
            ok = accept(prefix) if accept else True
            if not ok or isinstance(ok, str):  # a str: Pillow's "looks like it, but cannot open it"
                continue
            with factory(io.BytesIO(data), "") as im:  # header only: no pixel is decoded
                return int(im.size[0]), int(im.size[1])
        except Exception:  # noqa: BLE001 - plugins raise many types: try the next
            continue
    return None


#: how a refusal names the size limit of Pillow's own guard (twice ``Image.MAX_IMAGE_PIXELS``)
BOMB_LIMIT = "Pillow's decompression-bomb limit"


def _bomb_error(label: str, size: tuple[int, int] | None, max_pixels: int | None, exc: Exception,
                read: int | None = None, fmt: str = "") -> PhotoError:
    """Pillow's decompression-bomb error (an image above twice ``Image.MAX_IMAGE_PIXELS``) in the house
    format of the other size refusals: ``30000x30000 = 900,000,000 pixels (limit 100,000,000)``."""
    if size is None:
        return PhotoError(label, f"image is too large to decode safely ({_short(exc)})", status="too_large")
    try:
        _check_dimensions(label, *size, max_pixels, read, fmt)
    except PhotoError as err:
        if err.status == "too_large":
            return err
    w, h = size
    limit = 2 * int(Image.MAX_IMAGE_PIXELS or 0)
    copy_limit = min(limit, read or limit)
    limit_said = limit_text(limit, copy_limit, fmt, whose=BOMB_LIMIT)
    return PhotoError(label, f"image is too large: {w}x{h} = {w * h:,} pixels ({limit_said})"
                      + smaller_copy(w, h, copy_limit), status="too_large")


def _open_image(data: bytes, label: str, sniffed: str | None, max_pixels: int | None = MAX_PIXELS,
                max_decoded_pixels: int | None = MAX_DECODED_PIXELS) -> Image.Image:
    """``Image.open`` of the bytes (header only), its failures as :class:`PhotoError` (a size refusal's
    remedy: a copy of at most ``max_decoded_pixels`` unless a JPEG, which is decoded reduced)."""
    try:
        return Image.open(io.BytesIO(data), formats=_ALLOWED_FORMATS)
    except Image.DecompressionBombError as exc:
        read = None if sniffed == "JPEG" else max_decoded_pixels
        size = _header_size(data)
        if size is not None and (why := too_little_data(data, sniffed or "", *size)):  # not a photo too large
            raise PhotoError(label, why, status="unreadable") from None
        raise _bomb_error(label, size, max_pixels, exc, read, sniffed or "") from None
    except UnidentifiedImageError:
        if sniffed == "HEIF" and pillow_heif is None:
            raise PhotoError(label, NO_HEIF_READER, status="not_an_image") from None
        kind = _unsupported_tiff_samples(data) if sniffed == "TIFF" else None
        if kind:
            raise PhotoError(label, f"unsupported TIFF: {kind} samples (Pillow reads 8- and 16-bit integer TIFFs; "
                             "save it as one, or as PNG or JPEG)", status="not_an_image") from None
        bits = jpeg_precision(data) if sniffed == "JPEG" else None
        if bits is not None and bits != 8:
            raise PhotoError(label, f"unsupported JPEG: {bits}-bit samples (the loader reads 8-bit JPEGs, what cameras "
                             "and phones write; save an 8-bit copy of it, as JPEG or PNG)", status="not_an_image") from None
        if sniffed is not None:
            raise PhotoError(label, f"truncated or corrupt {sniffed} header",
                             status="unreadable") from None
        if video := _video_kind(data):  # an iPhone Live Photo's .MOV beside its HEIC, a clip (a user session, 2026-12-05)
            raise PhotoError(label, f"a video ({video}), not a photo: save a still frame of it as a photo (JPEG or "
                             "PNG) to measure it", status="not_an_image") from None
        if other := _other_kind(data):  # a failed download's web page, a clone without Git LFS (stop 63's audit)
            what, remedy = other
            raise PhotoError(label, f"{what}, not a supported image (expected {_FORMAT_NAMES}): {remedy}",
                             status="not_an_image") from None
        raise PhotoError(
            label,
            f"not a supported image (expected {_FORMAT_NAMES})",
            status="not_an_image",
        ) from None
    except Exception as exc:  # noqa: BLE001 - plugins raise many types
        what = f"truncated or corrupt {sniffed or 'image'} data"
        raise PhotoError(label, f"{what} ({_short(exc)})", status="unreadable") from None


# ISO media brands of video files (QuickTime, MP4, 3GP, M4V, ...), not of images (a Canon CR3 raw is
# ``crx``, JPEG XL ``jxl``): an image format the loader does not read must not be called a video
_VIDEO_BRANDS = (b"qt", b"iso", b"mp4", b"mp7", b"avc1", b"M4V", b"M4A", b"3gp", b"3g2", b"dash", b"MSNV", b"XAVC",
                 b"mmp4", b"f4v", b"kddi")


def _video_kind(data: bytes) -> str | None:
    """The container of a video file by its magic bytes (``"MP4/QuickTime"``, ``"AVI"``,
    ``"Matroska/WebM"``), or None.  Called only for bytes no image reader took: an ISO media file
    of a HEIF or AVIF brand is an image and never reaches it."""
    if ((data[4:8] == b"ftyp" and data[8:12].startswith(_VIDEO_BRANDS))
            or data[4:8] in (b"moov", b"mdat", b"wide")):  # an old QuickTime file starts with an atom
        return "MP4/QuickTime"
    if data[:4] == b"RIFF" and data[8:12] == b"AVI ":
        return "AVI"
    if data[:4] == b"\x1a\x45\xdf\xa3":
        return "Matroska/WebM"
    return None


_CONVERT = "save it as JPEG or PNG and use that"
#: files named like a photo that are something else, by their first bytes: (magic, what it is, what to do)
_OTHER_MAGIC = (
    (b"%PDF-", "a PDF document", "export the photo from it as JPEG or PNG and use that"),
    (b"version https://git-lfs.github.com/spec/", "a Git LFS pointer (a small text file standing in for the photo)",
     "fetch the photo itself (git lfs pull) and use that"),
    (b"PK\x03\x04", "a zip archive", "unzip it and give the photos inside"),
    (b"\x1f\x8b", "a compressed archive (gzip)", "unpack it and give the photos inside"),
    (b"7z\xbc\xaf\x27\x1c", "a compressed archive (7-Zip)", "unpack it and give the photos inside"),
    (b"Rar!\x1a\x07", "a compressed archive (RAR)", "unpack it and give the photos inside"),
    (b"\x00\x00\x00\x0cjP  \r\n\x87\n", "a JPEG 2000 image", _CONVERT),
    (b"\xff\x4f\xff\x51", "a JPEG 2000 image", _CONVERT),
    (b"\x00\x00\x00\x0cJXL \r\n\x87\n", "a JPEG XL image", _CONVERT),
    (b"\xff\x0a", "a JPEG XL image", _CONVERT),
    (b"8BPS", "a Photoshop document (PSD)", _CONVERT),
)
_WEB_PAGE = ("a web page (HTML)", "the download saved the page instead of the photo: open the photo itself and "
             "save it (the browser's Save Image As)")
_SVG = ("an SVG drawing (vector graphics)", "save the photo as JPEG or PNG and use that")
_ANSWER = ("the download saved the server's answer instead of the photo: open the photo itself and save it (the "
           "browser's Save Image As)")


def _other_kind(data: bytes) -> tuple[str, str] | None:
    """What a file no image reader took is, by its first bytes, and what to do: ``("a PDF document", "export
    the photo from it ...")``, a web page (a download that saved the page), an SVG drawing, a Git LFS pointer
    (a clone without the photos), a web server's XML or JSON answer, a zip or other archive, a JPEG 2000, JPEG XL
    or Photoshop file; or None.
    Only the file's start is read: a text that mentions ``<html`` later is none of them."""
    for magic, what, remedy in _OTHER_MAGIC:
        if data.startswith(magic):
            return what, remedy
    text = data[:1024].removeprefix(b"\xef\xbb\xbf").lstrip().lower()
    if text.startswith((b"<!doctype html", b"<html", b"<head", b"<body")):
        return _WEB_PAGE
    if text.startswith(b"<") and b"<svg" in text:  # also after an XML declaration or a comment
        return _SVG
    if text.startswith(b"<?xml") and b"<error>" in text:  # a cloud store's refusal (S3: AccessDenied)
        return "a web server's error answer (XML)", _ANSWER
    if text.startswith(b"{") and b'":' in text:  # a web service's JSON answer ({"error": ...})
        return "a web server's answer (JSON)", _ANSWER
    return None


def _unsupported_tiff_samples(data: bytes) -> str | None:
    """What a well-formed TIFF that Pillow cannot open holds, from its first IFD: e.g.
    ``"32-bit floating-point"`` (SampleFormat 3), ``"LogLuv high-dynamic-range ..."`` (Photometric
    32844/32845, what OpenCV writes for a float image), or None when the header is not readable
    (then it is truncated or corrupt)."""
    import struct

    if len(data) < 8 or data[:4] not in (b"II*\x00", b"MM\x00*"):
        return None
    e = "<" if data[:2] == b"II" else ">"
    try:
        (ifd,) = struct.unpack_from(e + "I", data, 4)
        (n,) = struct.unpack_from(e + "H", data, ifd)
        tags = {}
        for k in range(min(n, 512)):
            tag, typ, count, value = struct.unpack_from(e + "HHI4s", data, ifd + 2 + 12 * k)
            if tag == 262 and typ == 3:  # PhotometricInterpretation
                tags[tag] = struct.unpack_from(e + "H", value)[0]
            if tag in (258, 339) and typ == 3:  # BitsPerSample, SampleFormat: SHORT
                if count <= 2:
                    tags[tag] = struct.unpack_from(e + "H", value)[0]
                else:
                    tags[tag] = struct.unpack_from(e + "H", data, struct.unpack_from(e + "I", value)[0])[0]
    except struct.error:
        return None
    bits, fmt = tags.get(258), tags.get(339, 1)
    if tags.get(262) in (32844, 32845):  # LogL / LogLuv: SGI's HDR coding (OpenCV writes float TIFFs so)
        return "LogLuv high-dynamic-range (HDR, SGILOG-coded)"
    kinds = {2: "signed-integer", 3: "floating-point", 4: "undefined-format"}
    if fmt in kinds:
        return (f"{bits}-bit " if bits else "") + kinds[fmt]
    if bits is not None and bits not in (1, 8, 16):
        return f"{bits}-bit"
    return None


def smaller_copy(width: int, height: int, limit: int) -> str:
    """What to do with an image of ``width`` x ``height`` px above ``limit`` pixels: the largest size of its
    shape that fits, ``"; save a smaller copy of it, at most 11547x8660 pixels (100 MP, e.g. with an image
    editor's resize), and use that"``.  The refusal said only the limit (some phones shoot 200 MP: first-user
    audit, 2026-12-05)."""
    scale = math.sqrt(limit / float(width * height))
    w, h = max(1, math.floor(width * scale)), max(1, math.floor(height * scale))
    while w * h > limit:  # floating-point rounding
        w, h = max(1, w - 1), max(1, h - 1)
    return (f"; save a smaller copy of it, at most {w}x{h} pixels ({limit / 1e6:.3g} MP, e.g. with an image "
            "editor's resize), and use that")


def limit_text(max_pixels: int, read: int, fmt: str = "", whose: str = "") -> str:
    """The size limit a refusal names: ``"limit 100,000,000"``, or, when a file of its kind is read only up to
    ``read`` < ``max_pixels`` pixels (decoded whole: every format but a plain JPEG, which is decoded reduced),
    ``"limit 100,000,000 pixels; 50,000,000 for this PNG file, which is decoded whole"``; ``whose`` names the
    limit after it (``"Pillow's decompression-bomb limit"``).  The 50 MP bound on a decoded image keeps an
    analysis under about 0.7 GB (docs/robustness.md 'Giant and deceptive files'); a refusal that named only
    100 MP and then asked for a 50 MP copy read as a contradiction (stop 46)."""
    head = f"limit {max_pixels:,}" + (" pixels" if read < max_pixels else "") + (f", {whose}" if whose else "")
    if read >= max_pixels:
        return head
    return f"{head}; {read:,} for this {fmt or 'image'} file, which is decoded whole"


def _check_dimensions(label: str, width: int, height: int, max_pixels: int | None,
                      read: int | None = None, fmt: str = "") -> None:
    """Refuse a header's size above ``max_pixels`` (``too_large``, with :func:`smaller_copy` of ``read``
    pixels, the size a copy in its format is read at: ``max_pixels`` when None) or below :data:`MIN_SIDE`
    (``too_small``).  When ``read`` is below ``max_pixels`` (a ``fmt`` file other than a plain JPEG is
    decoded whole, so :data:`MAX_DECODED_PIXELS` bounds it) the limit says so, so that the remedy's 50 MP
    copy does not contradict a 100 MP limit: ``(limit 100,000,000 pixels; 50,000,000 for this PNG file,
    which is decoded whole)``."""
    if max_pixels is not None and width * height > max_pixels:
        copy_limit = min(max_pixels, read or max_pixels)
        raise PhotoError(
            label,
            f"image is too large: {width}x{height} = {width * height:,} pixels "
            f"({limit_text(max_pixels, copy_limit, fmt)})" + smaller_copy(width, height, copy_limit),
            status="too_large",
        )
    if min(width, height) < MIN_SIDE:
        raise PhotoError(
            label,
            f"image is too small: {width}x{height} pixels "
            f"(need at least {MIN_SIDE} px on each side)",
            status="too_small",
        )


def _check_header_size(data: bytes, label: str, width: int, height: int, max_pixels: int | None,
                       read: int | None, fmt: str) -> None:
    """:func:`_check_dimensions` of a file's header size, a ``too_large`` refusal of a PNG or JPEG whose bytes cannot
    hold that size (:func:`facemetrics.integrity.too_little_data`: a decompression bomb or a damaged header) made
    ``unreadable``: its remedy, a smaller copy, no program can make of it (stop 66, k3)."""
    try:
        _check_dimensions(label, width, height, max_pixels, read, fmt)
    except PhotoError as err:
        why = too_little_data(data, fmt, width, height) if err.status == "too_large" else ""
        raise (PhotoError(label, why, status="unreadable") if why else err) from None


def _n_frames(img: Image.Image, fmt: str) -> int:
    """Pages / frames in the file (1 for JPEG: MPO's extra pictures are previews/depth maps)."""
    if fmt == "JPEG":
        return 1
    try:
        return int(getattr(img, "n_frames", 1) or 1)
    except Exception:  # noqa: BLE001 - a broken frame index: decode the first frame
        return 1


def _frames_note(img: Image.Image, fmt: str, n_frames: int) -> FileNote:
    """The warning of a file of several pages / frames / images: which one was measured (kind ``frames``)."""
    if fmt == "HEIF":  # pillow-heif opens the primary image, the one viewers show (not always the first)
        text = f"HEIF file holds {n_frames} images; its primary image (the one a viewer shows) was measured"
    elif fmt == "PNG" and img.info.get("default_image"):  # APNG: the first image is not part of the animation
        text = (f"PNG file holds a still default image and an animation of {n_frames - 1} frame(s); the default "
                "image (what a viewer without animation shows, not the animation's first frame) was measured")
    else:
        kind = {"TIFF": "pages", "GIF": "frames", "WEBP": "frames", "PNG": "frames"}.get(fmt, "images")
        text = f"{fmt} file holds {n_frames} {kind}; only the first was measured"
    return FileNote(text, FileNote.FRAMES)


def _verify_container(data: bytes, label: str, fmt: str, sniffed: str | None, use_sj: bool) -> None:
    """The checks the format allows before decoding (:func:`facemetrics.integrity.container_damage`: PNG
    CRCs, RIFF and ISO box sizes, a HEIF's crop, strict JPEG), then a WebP's early end."""
    damage = container_damage(data, fmt, sniffed, strict_jpeg=not use_sj)
    if damage:
        raise PhotoError(label, damage, status="unreadable")
    if fmt == "WEBP" and sniffed == "WEBP":
        _refuse_vp8_early_end(data, label)


def _load_pillow(img: Image.Image, label: str, fmt: str) -> None:
    """``img.load()``, its failures as :class:`PhotoError` (``too_large`` / ``unreadable``)."""
    try:
        img.load()
    except Image.DecompressionBombError as exc:
        raise _bomb_error(label, tuple(img.size), None, exc) from None
    except Exception as exc:  # noqa: BLE001 - plugins raise many types
        msg = _short(exc)
        what = f"truncated or corrupt {fmt} data"
        raise PhotoError(label, f"{what} ({msg})" if msg else what, status="unreadable") from None


def _eight_bit_note(img: Image.Image, fmt: str, top: int) -> FileNote:
    """The warning of a one-band 16- or 32-bit integer picture (or a 16-bit colour one) whose largest value
    ``top`` is at most 255, read as 8-bit values (:func:`_full_scale`, :func:`_colour_low_bytes`): the file
    cannot tell an 8-bit picture saved without scaling (Pillow's ``convert("I;16")``, OpenCV's and tifffile's
    writes of ``astype(uint16)`` do so; scikit-image's ``img_as_uint`` scales to 65535: docs/robustness.md, stop
    65) from a 16-bit photo 257 times darker; "" for other pictures."""
    bits = 32 if img.mode == "I" else 16
    most, factor = (65535, " 257 times") if bits == 16 else (2 ** 31 - 1, "")
    return FileNote(f"{bits}-bit {fmt} whose largest value is {top} of {most}: read as an 8-bit picture (0-255), as "
                    f"a program that saves 8-bit values without scaling them writes it; a {bits}-bit photo that dark "
                    f"would be nearly black, so if this is one, its brightness reads{factor} too high: save an 8-bit "
                    "copy from the program that made it", FileNote.EIGHT_BIT)


def value_range_note(photo: Photo) -> str:
    """What a 16- or 32-bit PNG or TIFF holds when its largest value is below half of its range (its top bit never
    set) and above 255, so that it was read scaled from its whole range and reads dark, e.g. "the file is a 16-bit
    PNG whose values span 0-700 of 0-65535: read scaled from that range (65535 is white), its brightest pixel reads
    3 of 255; ...": the ``no_face`` sentence says it (stop 66, k3: such a photo was refused "is the face visible,
    frontal and well lit?" with no word of what the file holds).  "" for any other photo, or one without a file
    (pixels handed in).  Reads the file again (OpenCV, every bit kept): only for a photo that is refused."""
    if not photo.path or photo.format not in ("PNG", "TIFF"):
        return ""
    try:
        arr = cv2.imdecode(np.fromfile(photo.path, np.uint8), cv2.IMREAD_UNCHANGED)
    except (OSError, ValueError, cv2.error):
        return ""
    if arr is None or arr.dtype not in (np.uint16, np.int32, np.uint32):
        return ""
    colour = arr[..., :3] if arr.ndim == 3 and arr.shape[2] in (3, 4) else arr
    # the pixels shown: a transparent one's values are not, and it reads white (composited; review r3: a partly
    # transparent dark file was said to read "255 of 255, so the picture is dark")
    colour = colour[arr[..., 3] > 0] if arr.ndim == 3 and arr.shape[2] == 4 else colour
    shown = photo.rgb if photo.alpha is None else photo.rgb[photo.alpha == 255]
    if not colour.size or not shown.size:
        return ""
    lo, hi = int(colour.min()), int(colour.max())
    bits, full = (16, 65535) if arr.dtype == np.uint16 else (32, 2 ** 31 - 1)
    if not 255 < hi < (full + 1) // 2:
        return ""
    return (f"the file is a {bits}-bit {photo.format} whose values span {lo}-{hi} of 0-{full}: read scaled from that "
            f"range ({full} is white), its brightest pixel reads {int(shown.max())} of 255, so the picture is dark; "
            f"if it looks right in the program that made it, that program saved it with values of another range: save "
            "an 8-bit copy from it")


def _colour_low_bytes(data: bytes, fmt: str, rgb: np.ndarray, alpha: np.ndarray | None, orientation: int):
    """``(rgb, alpha, top)`` of a 16-bit-per-channel colour PNG or TIFF whose samples are all at most 255 (an 8-bit
    photo saved without scaling: OpenCV's or tifffile's write of ``astype(uint16)``), read as 8-bit values, upright;
    None for any other picture.  Pillow reduces such a file to each sample's high byte, 0: it read black (with an
    alpha channel: wholly transparent, so white), a ``no_face`` "is the face visible ... well lit?" (stop 65, k3);
    one-band ones were read so since stop 64.  Only a picture Pillow read all black or wholly transparent
    (``alpha``, the decoded opacity or None) is decoded again (OpenCV, 16-bit)."""
    if fmt not in ("PNG", "TIFF") or rgb.size == 0 or (int(rgb.max()) != 0 if alpha is None else int(alpha.max()) != 0):
        return None
    arr = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED)
    if arr is None or arr.dtype != np.uint16 or arr.ndim != 3 or arr.shape[2] not in (3, 4):
        return None
    top = int(arr[..., :3].max())
    if int(arr.max()) > 255 or top == 0:
        return None
    arr = _apply_orientation(arr.astype(np.uint8), orientation)
    if arr.shape[2] == 4:
        rgba = np.ascontiguousarray(arr[..., [2, 1, 0, 3]])
        return _composite_on_white(rgba), _partial_alpha(rgba[..., 3]), top
    return np.ascontiguousarray(arr[..., ::-1]), None, top


def _upright_pillow(img: Image.Image, orientation: int, fmt: str, label: str,
                    lossless: bool = False, data: bytes = b"") -> tuple[np.ndarray, int, np.ndarray | None, str]:
    """A Pillow-decoded picture turned upright by its EXIF orientation, as RGB, checked for decoder
    garbage (:mod:`facemetrics.integrity`); ``(rgb, orientation applied, alpha, note)`` (``alpha``:
    :attr:`Photo.alpha`, upright too; ``note``: :func:`_eight_bit_note` or "")."""
    try:
        # exif_transpose copies the whole image even when upright: skip it then
        upright = img if orientation == 1 else ImageOps.exif_transpose(img)
    except Exception:  # noqa: BLE001 - broken EXIF: keep as stored
        upright, orientation = img, 1
    rgb, alpha = _to_rgb_array(upright, with_alpha=True)
    note = ""
    if _full_scale(upright) == 255.0 and upright.mode != "F" and (top := int(upright.getextrema()[1])) > 0:
        note = _eight_bit_note(upright, fmt, top)
    elif (low := _colour_low_bytes(data, fmt, rgb, alpha, orientation)) is not None:
        rgb, alpha, top = low
        note = _eight_bit_note(upright, fmt, top)
    del upright
    if fmt in _CHECKED_FORMATS:  # on the upright picture: the colour check needs no grid
        _refuse_garbage(rgb, label, specks=lossless)  # lossless WebP: also sparse colour specks
    return rgb, orientation, alpha, note


def read_taken_at(path: str | os.PathLike) -> datetime | None:
    """The capture time in a file's EXIF header (as :attr:`Photo.taken_at`), read without decoding
    the pixels: for a photo the loader refuses (a JPEG cut in half keeps its header), so that a
    batch can tell when it was taken and say which session lost it.  None when the path is not a
    regular file (never opened, :func:`check_regular_file`), the header cannot be read or holds no
    time; never raises.
    """
    return _from_header_exif(path, exif_taken_at, None)


def read_time_not_read(path: str | os.PathLike) -> str:
    """Why a file's EXIF capture time does not read (:func:`facemetrics.exif.exif_time_not_read`: blank, or not a
    date), or "" (no such tag, a time that reads, a file whose header cannot be read); never raises."""
    return _from_header_exif(path, exif_time_not_read, "")


def _from_header_exif(path: str | os.PathLike, read, default):
    """``read`` of the EXIF of a file's header (no pixel decoded; a TIFF's sub-IFDs read while it is open), or
    ``default`` when the path is not a regular file, its header cannot be read or a PNG has no EXIF chunk."""
    try:
        check_regular_file(path)
        with open(path, "rb") as fh:
            data = fh.read()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Image.open(io.BytesIO(data), formats=_ALLOWED_FORMATS) as img:
                if img.format == "PNG" and "exif" not in img.info:
                    # Pillow's PNG getexif() decodes every pixel to reach an eXIf chunk after the image
                    # data: 458 MB for a refused 10000 x 10000 PNG (bench/bench_giants.py, 2026-12-04)
                    return default
                return read(read_exif(img))
    except Exception:  # noqa: BLE001 - an unreadable file has no time we can read
        return default


def label_text(value, what: str, caller: str = "analyze_photo") -> str | None:
    """A ``subject`` or ``name`` given to ``analyze_photo`` or ``load_photo`` as text: None, or a blank cell of
    a pandas table (NaN, ``pd.NA``), is None; a number (a subject id read from a spreadsheet) its text; a
    path-like its path.  A NaN was written as the subject "nan" in ``to_row()`` (a notebook's blank cell, stop
    55); ``load_photo(name=Path(...))`` kept the ``Path`` in ``Photo.name`` (only ``analyze_photo`` converted
    it; Round 8's open end, b3).

    Raises
    ------
    TypeError
        Anything else (a list, a dict), naming the argument and ``caller``.
    """
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, os.PathLike):
        return os.fspath(value) if isinstance(os.fspath(value), str) else os.fsdecode(value)
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_)):
        return None if math.isnan(float(value)) else (str(int(value)) if float(value).is_integer() else str(value))
    if type(value).__name__ in ("NAType", "NaTType"):  # pandas' missing values
        return None
    raise TypeError(f"{caller}() {what} must be a text or None, not {type(value).__name__}")


def load_photo(
    source: str | os.PathLike | bytes | Any,
    *,
    name: str | None = None,
    fast: bool = True,
    max_pixels: int | None = MAX_PIXELS,
    max_decoded_pixels: int | None = MAX_DECODED_PIXELS,
) -> Photo:
    """Read a photo into an upright 8-bit RGB array.

    Parameters
    ----------
    source : str, os.PathLike, bytes, binary file-like, ndarray or PIL.Image.Image
        Path of the photo (opened read-only, never modified), its raw bytes,
        or a binary file-like object. File-likes with ``getvalue()`` (e.g.
        ``io.BytesIO``, Streamlit's ``UploadedFile``) are read with it;
        otherwise the whole stream is read from the start with
        ``seek(0)``/``read()`` (position restored afterwards) when seekable,
        from the current position when not.  Pixels already in memory: a
        ``uint8`` array of shape ``(H, W)`` (grey), ``(H, W, 3)`` (R, G, B
        order: convert OpenCV's BGR first) or ``(H, W, 4)`` (RGBA, composited
        over white), row 0 the top of the upright photo, copied; or a PIL
        image (EXIF orientation applied).  These have no capture time, their
        ``format`` is ``"ARRAY"`` / ``"PIL"`` and ``sha256`` hashes the pixels;
        ``max_decoded_pixels`` and ``fast`` do not apply.
    name : str, optional
        Name to report in :attr:`Photo.name` and in error messages (a path-like
        is its path as text, a number its text, NaN none; :func:`label_text`). Defaults
        to the file's basename, the file-like's ``.name`` basename,
        ``"<bytes>"`` or ``"<stream>"``.
    fast : bool, default True
        Allow the half-resolution libjpeg-turbo decode for JPEGs whose long side is
        at least :data:`FAST_MIN_LONG_SIDE` (3000) pixels (about 2x faster,
        ``scale == 2.0``; see the module docstring for when this loses
        precision). ``False`` always decodes at full resolution.
    max_pixels : int or None, default MAX_PIXELS
        Refuse images with more than this many pixels (width x height, read
        from the header before decoding). ``None`` disables this check
        (Pillow's own decompression-bomb limit still applies).
    max_decoded_pixels : int or None, default MAX_DECODED_PIXELS
        Largest decoded array, in pixels: JPEGs are decoded reduced (1/2,
        1/4, 1/8, also with ``fast=False``) until they fit, other formats
        above it are refused (``too_large``). ``None`` disables it.

    Returns
    -------
    Photo
        ``rgb`` of shape ``(H, W, 3)``, dtype ``uint8``, upright, channels R, G, B,
        row 0 the top and column 0 the left edge (pixel ``(x, y)`` is ``rgb[y, x]``);
        ``H`` and ``W`` are ``original_size`` (width, height, px) divided by ``scale``
        (rounded up); ``taken_at`` the EXIF capture time or None.

    Raises
    ------
    PhotoError
        With ``status`` ``"unreadable"`` (missing, unreadable, truncated or
        corrupt), ``"empty"``, ``"not_an_image"``, ``"too_large"`` or
        ``"too_small"``.
    TypeError
        If `source` is of an unsupported type, or an array is not uint8 of a
        supported shape.

    Examples
    --------
    Run from the project folder (the bundled sample photo):

    >>> import facemetrics as fm
    >>> photo = fm.load_photo("sample_images/astronaut_before.jpg")
    >>> photo.rgb.shape, photo.rgb.dtype.name, photo.scale   # (H, W, 3) R, G, B; original px per px
    ((1600, 1280, 3), 'uint8', 1.0)
    >>> photo.taken_at                                       # EXIF DateTimeOriginal, camera local time
    datetime.datetime(2026, 11, 2, 8, 0)
    """
    name = label_text(name, "name", "load_photo")  # a Path kept as one in Photo.name (Round 8)
    if isinstance(source, (np.ndarray, Image.Image)):
        return _photo_from_pixels(source, name, max_pixels)
    data, label, path = _read_source(source, name)
    if not data:
        raise PhotoError(label, "file is empty (0 bytes)", status="empty")
    sha = hashlib.sha256(data).hexdigest()
    sniffed = _sniff(data)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        # "Corrupt EXIF data", "Possibly corrupt EXIF ..." etc.: metadata noise
        # that must not flood a batch run; the pixels are still checked.
        warnings.filterwarnings("ignore", category=UserWarning, module=r"PIL\.")
        img = _open_image(data, label, sniffed, max_pixels, max_decoded_pixels)

        with img:
            fmt = img.format or (sniffed or "UNKNOWN")
            if fmt == "MPO":
                fmt = "JPEG"
            width, height = img.size
            # Plain 8-bit JPEG: libjpeg-turbo through simplejpeg, strict (any
            # libjpeg warning is an error), reduced in the DCT domain when
            # large. Everything else, CMYK JPEG included, is decoded by Pillow.
            use_sj = fmt == "JPEG" and img.mode in ("RGB", "L")
            # the remedy's copy size: a JPEG is decoded reduced, other formats whole
            _check_header_size(data, label, width, height, max_pixels, None if use_sj else max_decoded_pixels, fmt)
            reduce = _jpeg_reduce(width, height, fast, max_decoded_pixels) if use_sj else 1
            if (max_decoded_pixels is not None
                    and (-(-width // reduce)) * (-(-height // reduce)) > max_decoded_pixels):
                raise PhotoError(
                    label,
                    f"image is too large to decode: {width}x{height} = {width * height:,} pixels "
                    f"(limit {max_decoded_pixels:,} decoded pixels"
                    + ("" if use_sj else f"; {fmt} cannot be decoded reduced") + ")"
                    + smaller_copy(width, height, max_decoded_pixels),  # a copy of that size is decoded whole
                    status="too_large",
                )
            n_frames = _n_frames(img, fmt)
            _verify_container(data, label, fmt, sniffed, use_sj)
            if not use_sj:
                # Load before reading EXIF: some plugins (PNG) load the whole
                # image inside getexif(), which would hide decode errors.
                _load_pillow(img, label, fmt)

            exif = read_exif(img)  # JPEG: parsed from the header, no decode
            orientation = exif_orientation(exif)
            taken_at = exif_taken_at(exif)
            lens, focal_35mm = exif_lens(exif)

            alpha, depth_note = None, ""
            if use_sj:
                rgb = _decode_jpeg(data, orientation, label, reduce, width, height)
                scale = float(reduce)
            else:
                rgb, orientation, alpha, depth_note = _upright_pillow(
                    img, orientation, fmt, label, lossless=sniffed == "WEBP" and webp_is_lossless(data), data=data)
                if sniffed == "HEIF":  # after libheif's decode: its size limits are checked
                    _refuse_hevc_errors(data, label)
                scale = 1.0
            # HEIF: libheif already rotated the pixels and img.size, tag is 1
            original_size = (height, width) if orientation >= 5 else (width, height)
            notes = tuple(n for n in (_frames_note(img, fmt, n_frames) if n_frames > 1 else "", depth_note) if n)

    return Photo(
        rgb=rgb,
        name=label,
        path=path,
        taken_at=taken_at,
        scale=scale,
        original_size=(int(original_size[0]), int(original_size[1])),
        format=fmt,
        sha256=sha,
        warnings=notes,
        alpha=alpha,
        lens=lens,
        focal_length_35mm=focal_35mm,
        orientation=int(orientation) if orientation in range(2, 9) else 1,
        jpeg_quality=image_jpeg_quality(img),  # from the header's tables (kept on the closed image), no decode
    )
