"""Exception types raised by facemetrics.

Every error a user can cause with bad input derives from :class:`FacemetricsError`
so that the command line, the batch runner and the app can turn it into a message
or a ``status`` row instead of a traceback.
"""

from __future__ import annotations


class FacemetricsError(Exception):
    """Base class of every error facemetrics raises on purpose."""

    #: short machine-readable status written to the ``status`` column
    status = "error"


class PhotoError(FacemetricsError):
    """A photo could not be read.

    Parameters
    ----------
    source : str
        File name (or ``"<bytes>"``) of the photo.
    reason : str
        Human-readable reason, e.g. ``"truncated JPEG data"``.
    status : str, optional
        Machine-readable status (``unreadable``, ``too_large``, ``empty``,
        ``not_an_image``, ``too_small``).
    """

    status = "unreadable"

    def __init__(self, source: str, reason: str, status: str | None = None):
        self.source = str(source)
        self.reason = reason
        if status is not None:
            self.status = status
        super().__init__(f"{self.source}: {reason}")


class FaceError(FacemetricsError):
    """No usable face was found in a photo (``status`` ``no_face``)."""

    status = "no_face"

    def __init__(self, source: str, reason: str, status: str | None = None):
        self.source = str(source)
        self.reason = reason
        if status is not None:
            self.status = status
        super().__init__(f"{self.source}: {reason}")
