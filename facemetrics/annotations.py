"""Hand-placed landmark annotations: the ground truth of the accuracy checks.

The real-photo checks (``tests/test_real_faces.py``, ``bench/accuracy.py``,
``bench/iris_scale.py``) compare the measurements with points placed by hand
on the Face Research Lab photos in ``../shared/faces`` (189-point
templates; e.g. 126-132 the jaw, 158-163 the smile lines).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np


def read_tem(path: str | Path) -> np.ndarray:
    """Read a Face Research Lab template (``.tem``).

    Parameters
    ----------
    path : str or path-like
        The ``.tem`` file: the number of points on the first line, then one
        ``x y`` pair per line.

    Returns
    -------
    ndarray, shape (n, 2), float
        Hand-placed ``(x, y)`` px of the photo the template belongs to
        (n = 189 for the FRL template).
    """
    lines = Path(path).read_text().split("\n")
    n = int(lines[0])
    return np.array([[float(v) for v in ln.split()] for ln in lines[1:n + 1]])
