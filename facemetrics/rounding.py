"""The one rule of a rounded number in a message: ``fixed``.

(Named ``rounding``, not ``numbers``, so that it is never read as the standard library's ``numbers``,
which ``pairing`` and ``compare`` import.)

A base module (it imports nothing from facemetrics), so that every layer that words a number for a user
may use it: the measurement layer's messages (:mod:`facemetrics.compare`, ``quality``, ``analyze``), the
statistics layer's ``reason`` sentences (:mod:`facemetrics.decay.wording`, whose ``num`` and ``quantity``
build on it), the reporting layer (:mod:`facemetrics.report`, :mod:`facemetrics.plots`), the batch's
console, ``validate`` and the app.  Pure string functions: no I/O, no numpy beyond ``float``; a number that
is not there reads ``n/a`` (:data:`MISSING`).  The CSVs' numeric columns keep full precision and never pass
through here.
"""

from __future__ import annotations

import math

__all__ = ["fixed", "MISSING"]

#: what a number that is not there reads as in a sentence: NaN (a value not measured) and an infinity (no
#: caller means to print one: each checks first and words the case itself, "no CI", "(no floor)", "not
#: resolved"); the word report.md's tables have always written (``report._fmt``), never ``"+nan"`` or
#: ``"-inf"``
MISSING = "n/a"


def fixed(v: float, digits: int = 2, sign: bool = False) -> str:
    """A number rounded for a sentence; a figure that rounds to zero prints without a sign.

    Parameters
    ----------
    v : float
        The value, in whatever unit the caller writes after it (mm, deg, %, h, ...): a scalar.
    digits : int
        Decimals to print (``0`` for whole numbers).
    sign : bool
        Write ``+`` before a positive figure (a change, whose sign is its direction).

    Returns
    -------
    str
        ``v`` with ``digits`` decimals: ``"+0.12"``, ``"-0.12"`` (ASCII minus, in every text a user reads:
        the console, the CSVs, report.md, the app; docs/guide.md "Signed figures"), and ``"0.00"`` for a figure
        that rounds to zero, never ``"-0.00"`` nor ``"+0.00"`` (a change of -0.001 mm is no sag).  A value that is not finite (NaN, ``inf``,
        ``-inf``) prints as :data:`MISSING` (``"n/a"``), without a sign: ``fixed(nan, sign=True)`` read
        ``"+nan"`` (stop 46).
    """
    v = float(v)
    if not math.isfinite(v):
        return MISSING
    s = f"{v:{'+' if sign else ''}.{digits}f}"
    return f"{0.0:.{digits}f}" if s.lstrip("+-").strip("0.") == "" else s
