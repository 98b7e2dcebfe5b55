"""facemetrics: did a beauty device change this face, by how much, and for how long?

Public API (all processing is local; nothing is downloaded or uploaded):

- :func:`load_photo` - read a photo (JPEG, PNG, WebP, TIFF, HEIC) with EXIF
  orientation and capture time.
- :func:`analyze_photo` - calibrated jawline and nasolabial-fold metrics of one photo.
- :func:`compare_photos` - lift in mm, fold and metric changes between a before and an
  after photo, each with a noise floor and a verdict (:class:`Comparison`).
- :func:`analyze_series` - fit how a change decays over hours since treatment and
  test "the lift fades within a day" (:class:`SeriesResult`).

Simulated photos with a known change (the ground truth of the tests) are in
:mod:`facemetrics.simulate`; folder batches in :mod:`facemetrics.batch`.
"""

from ._version import __version__
from .errors import FaceError, FacemetricsError, PhotoError

# The verbs are imported on first use (PEP 562), like scikit-image's lazy loading:
# ``import facemetrics.landmarks`` in a batch worker then costs only what that
# worker needs, not pandas and SciPy's optimisers (bench/bench_batch.py).
_LAZY = {
    "load_photo": "loader", "Photo": "loader",
    "analyze_photo": "analyze", "PhotoAnalysis": "analyze",
    "compare_photos": "compare", "Comparison": "compare",
    "analyze_series": "decay", "SeriesResult": "decay",
}

__all__ = [
    "__version__", "load_photo", "analyze_photo", "Photo", "PhotoAnalysis",
    "FacemetricsError", "PhotoError", "FaceError", "compare_photos", "Comparison",
    "analyze_series", "SeriesResult",
]


def __getattr__(name: str):
    if name in _LAZY:
        from importlib import import_module

        value = getattr(import_module(f".{_LAZY[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
