"""Short reprs of the public results (:class:`~facemetrics.loader.Photo`,
:class:`~facemetrics.analyze.PhotoAnalysis`, :class:`~facemetrics.compare.table.Comparison`,
:class:`~facemetrics.decay.claim.SeriesResult`).

The dataclasses' own reprs printed every array they hold: a notebook cell ending in a
comparison showed about 106 000 characters of pixels (the notebook audit, stop 55).  These
reprs name the result and its few figures a reader looks at first, each array by its shape
and dtype; the full content stays in the attributes, ``to_row()`` and ``to_frame()``.
"""

from __future__ import annotations

import numpy as np


def value_text(value) -> str:
    """``repr(value)``, but an array as ``<uint8 array (1600, 1280, 3)>``, a float (or NumPy scalar) to 4
    significant digits, a tuple whose repr is over 120 characters as its count and a long text cut short."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        return repr(float(f"{value:.4g}"))
    if isinstance(value, tuple) and value and all(isinstance(v, (float, np.floating)) for v in value):
        return "(" + ", ".join(value_text(v) for v in value) + ")"
    if isinstance(value, np.ndarray):
        return f"<{value.dtype} array {tuple(int(n) for n in value.shape)}>"
    if isinstance(value, tuple) and len(repr(value)) > 120:
        return f"<{len(value)} item{'' if len(value) == 1 else 's'}>"
    if isinstance(value, str) and len(value) > 120:
        return repr(value[:117] + "...")
    return repr(value)


def short_repr(obj, fields: dict) -> str:
    """``Name(key=value, ...)`` of ``obj``'s class name and ``fields`` (each value as
    :func:`value_text`)."""
    inner = ", ".join(f"{k}={value_text(v)}" for k, v in fields.items())
    return f"{type(obj).__name__}({inner})"
