"""One BLAS thread inside facemetrics' numerical work.

NumPy's and SciPy's OpenBLAS start a thread per core for matrix products
and decompositions of a few thousand rows (the pose fit's Jacobian, the
depth map's barycentric transforms).  At these sizes the threads cost more
than they save, and on a loaded machine (two batch workers on two cores)
they wait for each other: ``compare_photos`` ran 2-3 x slower with
OpenBLAS's default threads than with one (``bench/bench_compare.py``).  A
fixed thread count also makes the floating-point reductions, and so every
digit written, the same in every process.

The limit is scoped: :func:`single_blas_thread` restores the caller's
setting on exit (threadpoolctl, the scikit-learn/joblib project's tool).
"""

from __future__ import annotations

import contextlib
import sys
import threading

_lock = threading.Lock()
_controller = None
_controller_sees_scipy = False


def _get_controller():
    """The threadpoolctl controller of the BLAS libraries loaded in this process.

    SciPy is not imported for it: neither measuring nor comparing photos uses SciPy
    (its import cost 0.25-0.8 s of CPU in every process, see :mod:`facemetrics.filters`
    and :func:`facemetrics.pose3d.robust_least_squares`).  Once SciPy has been
    imported (by the time-series fit or the simulator), the controller is rebuilt
    after loading ``scipy.linalg``, so SciPy's own OpenBLAS is limited too.
    """
    global _controller, _controller_sees_scipy
    with _lock:
        scipy_loaded = "scipy" in sys.modules
        if _controller is None or (scipy_loaded and not _controller_sees_scipy):
            if scipy_loaded:
                import scipy.linalg  # noqa: F401 - load SciPy's OpenBLAS so the controller sees it
            from threadpoolctl import ThreadpoolController

            _controller, _controller_sees_scipy = ThreadpoolController(), scipy_loaded
        return _controller


@contextlib.contextmanager
def single_blas_thread():
    """Context manager: BLAS/LAPACK calls inside run on one thread (about 10 µs to enter)."""
    with _get_controller().limit(limits=1, user_api="blas"):
        yield
