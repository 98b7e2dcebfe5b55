"""Exception types raised by facemetrics.

Every error a user can cause with bad input derives from :class:`FacemetricsError`
so that the command line, the batch runner and the app can turn it into a message
or a ``status`` row instead of a traceback.
"""

from __future__ import annotations

import re


def utf8_legible(text: str) -> str:
    """``text`` with the bytes of a file name that is not UTF-8 written as ``\\xNN`` (else unchanged): what
    :func:`legible` does to a name, for a whole text (a table's CSV, a JSON file) whose own newlines and tabs
    stay as they are (:func:`facemetrics.export.utf8`)."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
_CONTROL_ESCAPES = {"\n": "\\n", "\t": "\\t", "\r": "\\r"}


def legible(text: str) -> str:
    """``text`` with the bytes of a file name that is not UTF-8 written as ``\\xNN``, and its control
    characters as ``\\n``, ``\\t``, ``\\r`` or ``\\xNN`` (else unchanged).

    On Linux a file name may hold bytes that are not UTF-8 (a Latin-1 ``caf\\xe9.jpg`` from an old archive
    or a zip made on Windows).  Python reads each such byte as a lone surrogate (``'caf\\udce9.jpg'``,
    PEP 383), which UTF-8 cannot encode: a table, a JSON file or a pandas column holding it fails.  The
    name shown (the ``photo`` column, messages, output names) is ``caf\\xe9.jpg`` instead: legible,
    valid UTF-8, and the escape says which byte it was; the file itself is opened by its true name.
    A name may also hold a newline, a tab or an escape sequence (``ESC [``): shown as it is, it broke a
    one-line message in two or rewrote the terminal (stop 63's bad-input audit), so it is shown
    ``new\\nline.jpg``, as Python's ``repr`` writes it."""
    text = utf8_legible(text)
    if _CONTROL.search(text) is None:
        return text
    return _CONTROL.sub(lambda m: _CONTROL_ESCAPES.get(m.group(), f"\\x{ord(m.group()):02x}"), text)


def one_line(exc: BaseException, limit: int = 200) -> str:
    """An exception's text on one line (runs of whitespace and newlines as one space), cut to ``limit``
    characters with ``...``: a decoder's own error inside a message (the loader's, the integrity checks')."""
    text = " ".join(str(exc).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


class FacemetricsError(Exception):
    """Base class of every error facemetrics raises on purpose."""

    #: short machine-readable status written to the ``status`` column
    status = "error"


class InputError(FacemetricsError):
    """A specific input (photo) is unusable.

    Parameters
    ----------
    source : str
        File name (or ``"<bytes>"``) of the photo.
    reason : str
        Human-readable reason, e.g. ``"truncated JPEG data"``.
    status : str, optional
        Machine-readable status for the ``status`` column.
    """

    def __init__(self, source: str, reason: str, status: str | None = None):
        self.source = str(source)
        self.reason = reason
        if status is not None:
            self.status = status
        super().__init__(f"{self.source}: {reason}")


class PhotoError(InputError):
    """A photo could not be read (``status`` ``unreadable``, ``empty``,
    ``not_an_image``, ``too_large`` or ``too_small``)."""

    status = "unreadable"


class FaceError(InputError):
    """No usable face was found in a photo (``status`` ``no_face``).

    Not raised by :func:`facemetrics.analyze_photo`, which returns a
    :class:`~facemetrics.PhotoAnalysis` whose ``status`` (``no_face``,
    ``turned_head``, ``too_small``, ...) and ``error`` say why; kept for code
    that raises it from such a result (``raise FaceError(a.source, a.error)``).
    """

    status = "no_face"


class SettingError(FacemetricsError, ValueError):
    """A setting given to a library function or on the command line is outside what
    it can physically be (e.g. ``mm_per_px=-1``, ``ipd_mm=6.3`` typed in cm); the
    message names the setting, its unit and the accepted range.  Raised before any
    photo is read, so no photo gets a row from a setting that cannot work."""


class SeriesError(FacemetricsError, ValueError):
    """The change table handed to :func:`facemetrics.analyze_series` (or a fit) is malformed,
    or one of its settings is invalid; the message names the column or setting."""

    status = "bad_series"


class StoreError(FacemetricsError):
    """A store operation that cannot be done (unknown subject, newer schema, bad time ...); a
    :class:`~facemetrics.errors.FacemetricsError`, so code catching those catches it too."""


def check_flag(value, name: str, error: type[FacemetricsError] = SettingError) -> bool:
    """A yes/no setting (``per_subject``, ``fast``, ``check_order``, ...) as a bool: True, False, a NumPy bool or
    the integers 1 and 0.  Anything else raises ``error`` (:class:`SettingError`, or :class:`SeriesError`
    for :func:`facemetrics.analyze_series`) naming the setting: a string such as ``"no"`` or ``"False"``
    read by its truth value alone was True, silently the opposite of what was meant."""
    if isinstance(value, bool):
        return value
    if getattr(value, "dtype", None) is not None and value.dtype.kind == "b" and getattr(value, "ndim", 1) == 0:
        return bool(value)  # numpy.bool_
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    raise error(f"{name} must be True or False, got {value!r}")
