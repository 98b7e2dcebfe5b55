"""facemetrics: did a beauty device change this face, by how much, and for how long?

Public API (all processing is local; nothing is downloaded or uploaded):

- :func:`load_photo` - read a photo (JPEG, PNG, WebP, TIFF, HEIC) with EXIF
  orientation and capture time.
- :func:`analyze_photo` - calibrated jawline and nasolabial-fold metrics of one photo.
"""

from ._version import __version__
from .analyze import PhotoAnalysis, analyze_photo
from .errors import FaceError, FacemetricsError, PhotoError
from .loader import Photo, load_photo

__all__ = [
    "__version__", "load_photo", "analyze_photo", "Photo", "PhotoAnalysis",
    "FacemetricsError", "PhotoError", "FaceError",
]
