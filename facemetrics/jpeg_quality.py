"""A JPEG's quality, read from its quantization table (not guessed from its pixels).

A JPEG encoder divides each 8 x 8 block's DCT coefficients by a quantization table that it stores in
the file (the DQT segment).  libjpeg (the IJG library; also OpenCV's ``imencode`` and Pillow's
``save``) makes that table from the standard luminance table of the JPEG specification (ITU-T T.81
Annex K, table K.1) scaled by the quality q = 1..100: ``scale = 5000 / q`` below 50, ``200 - 2 q``
from 50, each entry ``(entry * scale + 50) // 100`` held to 1..255.  :func:`ijg_quality` inverts that:
the q whose scaled table is nearest to the file's, exact for a file written by libjpeg at that q.
Other encoders (phone cameras, web services) write their own tables; the nearest IJG q is then an
equivalent quality, the one whose rounding is closest in the mean (of the log of the entries).

Pure: tables in, a number out (:func:`image_jpeg_quality`: an opened image's table, from its header).
:func:`facemetrics.loader.load_photo` keeps the result in :attr:`facemetrics.loader.Photo.jpeg_quality`.
"""

from __future__ import annotations

import numpy as np

__all__ = ["ijg_quality", "ijg_table", "image_jpeg_quality"]

#: the JPEG specification's luminance quantization table (ITU-T T.81 Annex K, table K.1), natural (row) order:
#: a reference table, not a threshold
_IJG_LUMINANCE = (
    16, 11, 10, 16, 24, 40, 51, 61,
    12, 12, 14, 19, 26, 58, 60, 55,
    14, 13, 16, 24, 40, 57, 69, 56,
    14, 17, 22, 29, 51, 87, 80, 62,
    18, 22, 37, 56, 68, 109, 103, 77,
    24, 35, 55, 64, 81, 104, 113, 92,
    49, 64, 78, 87, 103, 121, 120, 101,
    72, 92, 95, 98, 112, 100, 103, 99,
)


def ijg_table(quality: int) -> np.ndarray:
    """The luminance table libjpeg writes at ``quality`` (1..100, baseline: entries held to 1..255).

    Returns
    -------
    numpy.ndarray
        Shape ``(64,)``, int, natural (row-major 8 x 8) order.
    """
    q = min(max(int(quality), 1), 100)
    scale = 5000 // q if q < 50 else 200 - 2 * q
    return np.clip((np.asarray(_IJG_LUMINANCE) * scale + 50) // 100, 1, 255)


_ALL_TABLES = np.stack([ijg_table(q) for q in range(1, 101)])  # (100, 64): row i is quality i + 1


def ijg_quality(table) -> float:
    """The IJG-equivalent quality (1..100) of a JPEG's luminance quantization table.

    Parameters
    ----------
    table : sequence of int
        The 64 entries of the luminance table (table 0), natural (row-major 8 x 8) order, as Pillow's
        ``Image.open(f).quantization[0]`` gives them.

    Returns
    -------
    float
        The quality q whose libjpeg table (:func:`ijg_table`) equals ``table`` (libjpeg, OpenCV and
        Pillow files), else the q whose table is nearest in the mean squared log of the entries (other
        encoders); NaN when ``table`` does not hold 64 positive entries.
    """
    try:
        t = np.asarray(table, dtype=float).reshape(64)
    except (TypeError, ValueError):
        return float("nan")
    if not np.all(np.isfinite(t)) or np.any(t <= 0):
        return float("nan")
    exact = np.flatnonzero(np.all(_ALL_TABLES == t, axis=1))
    if exact.size:
        return float(exact[-1] + 1)
    d = np.mean((np.log(_ALL_TABLES) - np.log(t)) ** 2, axis=1)
    return float(np.argmin(d) + 1)


def image_jpeg_quality(img) -> float:
    """:func:`ijg_quality` of an opened JPEG's luminance table (Pillow's ``quantization[0]``, read from the
    header: nothing decoded); NaN for an image of another format (which has no such tables) or without table 0.

    Parameters
    ----------
    img : PIL.Image.Image
        As opened by ``Image.open`` (a JPEG or MPO file); may be closed since.
    """
    tables = getattr(img, "quantization", None)
    if not isinstance(tables, dict) or 0 not in tables:
        return float("nan")
    return ijg_quality(tables[0])
