"""A photo's EXIF tags as the pipeline reads them: orientation, capture time and lens.

:func:`read_exif` reads an opened image's EXIF (None when it is malformed);
:func:`exif_orientation` its Orientation tag (1-8; 1 when absent or malformed);
:func:`exif_taken_at` its capture time (DateTimeOriginal, else DateTimeDigitized, with the
matching OffsetTime and SubSecTime when present); :func:`exif_lens` the lens it names and the
35 mm-equivalent focal length.  The loader (:func:`facemetrics.loader.load_photo`) fills
:class:`facemetrics.loader.Photo` from them, the study store reads a photo's capture time
through them (:func:`facemetrics.metadata.taken_at_of`).  Tags in, values out; nothing decoded.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from typing import Any

import numpy as np
from PIL import ExifTags, Image

__all__ = ["read_exif", "exif_orientation", "exif_taken_at", "exif_time_not_read", "exif_lens"]

_TAG_ORIENTATION = 274  # IFD0
_TAG_DATETIME_ORIGINAL = 36867  # Exif IFD
_TAG_DATETIME_DIGITIZED = 36868
_TAG_OFFSET_ORIGINAL = 36881
_TAG_OFFSET_DIGITIZED = 36882
_TAG_SUBSEC_ORIGINAL = 37521
_TAG_SUBSEC_DIGITIZED = 37522
_TAG_FOCAL_35MM = 0xA405  # Exif IFD: FocalLengthIn35mmFilm, integer mm
_TAG_LENS_MAKE = 0xA433  # Exif IFD
_TAG_LENS_MODEL = 0xA434  # Exif IFD: e.g. "iPhone 13 back dual wide camera 5.1mm f/1.6"

_DATE_RE = re.compile(
    r"^\s*(\d{4})[:\-](\d{2})[:\-](\d{2})[ T](\d{2}):(\d{2}):(\d{2})"
)
_OFFSET_RE = re.compile(r"^\s*([+-])(\d{2}):?(\d{2})\s*$")


def read_exif(img: Image.Image) -> Image.Exif | None:
    """The EXIF of an opened image (``Image.getexif``: a JPEG's is parsed from its header, no pixel
    decoded); None when it is malformed."""
    try:
        return img.getexif()
    except Exception:  # noqa: BLE001 - malformed EXIF must not fail the load
        return None


def exif_orientation(exif: Image.Exif | None) -> int:
    """The EXIF Orientation tag (274): 1-8; 1 when there is no EXIF, no tag, or a value outside 1-8."""
    if exif is None:
        return 1
    try:
        value = int(exif.get(_TAG_ORIENTATION, 1))
    except (TypeError, ValueError):
        return 1
    return value if 1 <= value <= 8 else 1


def _as_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bytes):
        value = value.decode("ascii", "ignore")
    if isinstance(value, (tuple, list)) and value:
        value = value[0]
    if not isinstance(value, str):
        return None
    return value.replace("\x00", "").strip()


def _parse_exif_datetime(value: Any, offset: Any = None, subsec: Any = None) -> datetime | None:
    """Parse an EXIF ``YYYY:MM:DD HH:MM:SS`` string; None when malformed."""
    text = _as_text(value)
    if not text:
        return None
    m = _DATE_RE.match(text)
    if not m:
        return None
    try:
        dt = datetime(*(int(g) for g in m.groups()))
    except ValueError:  # e.g. "0000:00:00 00:00:00", month 13
        return None
    sub = _as_text(subsec)
    if sub and sub.isdigit():
        dt = dt.replace(microsecond=int((sub + "000000")[:6]))
    off = _as_text(offset)
    if off:
        om = _OFFSET_RE.match(off)
        if om:
            sign = -1 if om.group(1) == "-" else 1
            hours, minutes = int(om.group(2)), int(om.group(3))
            if hours <= 23 and minutes <= 59:
                dt = dt.replace(tzinfo=timezone(sign * timedelta(hours=hours, minutes=minutes)))
    return dt


def exif_taken_at(exif: Image.Exif | None) -> datetime | None:
    """Capture time: DateTimeOriginal, else DateTimeDigitized, else None.

    IFD0 ``DateTime`` (306) is deliberately not used: editors rewrite it on
    every save, so it is a modification time, not a capture time.
    """
    if exif is None:
        return None
    try:
        ifd = exif.get_ifd(ExifTags.IFD.Exif)
    except Exception:  # noqa: BLE001
        return None
    for tag, off_tag, sub_tag in (
        (_TAG_DATETIME_ORIGINAL, _TAG_OFFSET_ORIGINAL, _TAG_SUBSEC_ORIGINAL),
        (_TAG_DATETIME_DIGITIZED, _TAG_OFFSET_DIGITIZED, _TAG_SUBSEC_DIGITIZED),
    ):
        dt = _parse_exif_datetime(ifd.get(tag), ifd.get(off_tag), ifd.get(sub_tag))
        if dt is not None:
            return dt
    return None


def exif_time_not_read(exif: Image.Exif | None) -> str:
    """Why a photo with EXIF capture-time tags has no capture time (:func:`exif_taken_at` is None), or "" when it
    has none of those tags or one reads: ``"its EXIF capture time is blank (...: the camera's clock was not set)"``
    for ``0000:00:00 00:00:00`` (the EXIF standard's 'unknown') or spaces, else ``"its EXIF capture time
    '2026:02:30 25:61:00' is not a date"``.  Said in place of "no EXIF DateTimeOriginal" (stop 63's audit)."""
    if exif is None or exif_taken_at(exif) is not None:
        return ""
    try:
        ifd = exif.get_ifd(ExifTags.IFD.Exif)
    except Exception:  # noqa: BLE001
        return ""
    for tag in (_TAG_DATETIME_ORIGINAL, _TAG_DATETIME_DIGITIZED):
        text = _as_text(ifd.get(tag))
        if text is None:
            continue
        if not re.sub(r"\D", "", text).strip("0"):  # no digit but 0: 0000:00:00 00:00:00, spaces, colons
            return "its EXIF capture time is blank (0000:00:00 00:00:00 or spaces: the camera's clock was not set)"
        shown = "".join(c if c.isprintable() else "?" for c in text[:40])
        return f"its EXIF capture time '{shown}' is not a date"
    return ""


def exif_lens(exif: Image.Exif | None) -> tuple[str | None, float | None]:
    """``(lens, focal_length_35mm)`` from the Exif IFD (:attr:`facemetrics.loader.Photo.lens`, :attr:`facemetrics.loader.Photo.focal_length_35mm`);
    ``None`` for what is absent, empty or malformed."""
    if exif is None:
        return None, None
    try:
        ifd = exif.get_ifd(ExifTags.IFD.Exif)
    except Exception:  # noqa: BLE001
        return None, None
    model = " ".join((_as_text(ifd.get(_TAG_LENS_MODEL)) or "").split()) or None
    make = " ".join((_as_text(ifd.get(_TAG_LENS_MAKE)) or "").split())
    if model and make and make.lower() not in model.lower():
        model = f"{make} {model}"
    try:
        focal = float(ifd.get(_TAG_FOCAL_35MM))
    except (TypeError, ValueError):
        focal = None
    if focal is not None and not (np.isfinite(focal) and focal > 0):
        focal = None
    return model, focal
