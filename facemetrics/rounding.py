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

__all__ = ["fixed", "fixed_uncertainty", "MISSING"]

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


def fixed_uncertainty(u: float, digits: int = 2) -> str:
    """An uncertainty (a ``±``: 1 SD, or at about 95 %) with the decimals of the figure it qualifies: :func:`fixed`
    of ``abs(u)``, but one that rounds to zero reads as a bound, half a step of the last decimal: ``"< 0.005"``
    (2 decimals), ``"< 0.05"`` (1), ``"< 0.5"`` (0).

    "± 0.0 mm" (the app's comparison table, a landmark lift's scale share at one decimal) and "scale ± 0.00 mm"
    (the CLI, the cheeks) read as no uncertainty at all (Round 21, stop 60).  A bound, not more decimals: the
    figure's decimals are what its noise floor supports (:func:`facemetrics.decay.wording.decimals_for`), so a
    ``±`` with more of them than its figure would claim a precision the figure has not; "< 0.05" says that it
    is below the figure's last digit, which is all a reader needs (Round 22, stop 61).

    Parameters
    ----------
    u : float
        The uncertainty, in the unit the caller writes after it: a scalar (its sign is ignored).
    digits : int
        Decimals of the figure it qualifies.

    Returns
    -------
    str
        ``"0.07"``, ``"< 0.005"``; :data:`MISSING` for a value that is not finite.

    >>> fixed_uncertainty(0.07), fixed_uncertainty(0.014, 1), fixed_uncertainty(0.0, 2), fixed_uncertainty(0.3, 0)
    ('0.07', '< 0.05', '< 0.005', '< 0.5')
    """
    v = abs(float(u))
    if not math.isfinite(v):
        return MISSING
    text = fixed(v, digits)
    return text if float(text) != 0 else f"< {0.5 * 10 ** -digits:.{digits + 1}f}"
