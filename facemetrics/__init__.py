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

import lazy_loader as _lazy

from ._version import __version__
from .errors import FaceError, FacemetricsError, PhotoError, SeriesError, SettingError

# The verbs are imported on first use (PEP 562, scikit-image's ``lazy_loader``):
# ``import facemetrics.landmarks`` in a batch worker then costs only what that
# worker needs, not pandas and SciPy's optimisers (bench/bench_batch.py).
__getattr__, _lazy_dir, _ = _lazy.attach(__name__, submod_attrs={
    "loader": ["load_photo", "Photo"],
    "analyze": ["analyze_photo", "PhotoAnalysis"],
    "compare": ["compare_photos", "Comparison"],
    "decay": ["analyze_series", "SeriesResult"],
})

__all__ = [
    "__version__", "load_photo", "analyze_photo", "Photo", "PhotoAnalysis",
    "FacemetricsError", "PhotoError", "FaceError", "SettingError", "SeriesError", "compare_photos", "Comparison",
    "analyze_series", "SeriesResult",
]


def __dir__():
    """The lazy verbs and the names imported at once (the lazy loader's own ``__dir__`` lists
    only the lazy ones, so tab completion hid the errors and ``__version__``)."""
    return sorted(set(_lazy_dir()) | set(__all__))

