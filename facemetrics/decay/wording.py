"""The words of the claim test: number formatting and the ``reason`` sentences.

The ``reason`` column of the timeline table is part of the claim's result
(one full sentence saying which verdict rule applied), so its wording lives
with the claim in this package; :mod:`facemetrics.report` (CLI and report
sentences) and :mod:`facemetrics.plots` (legends) reuse the number helpers.
Pure string functions: no I/O, no numpy beyond ``float``.
"""

from __future__ import annotations

import math

from ..listing import NAMED_FEW, join_few, join_words  # noqa: F401 (re-exported: the one rule of a list of names)
from ..rounding import fixed  # the one rule of a rounded figure; num and quantity build on it
from ..schema import METRIC_ORDER, metric_rank  # noqa: F401 (re-exported: the series' order, owned by the schema)

__all__ = [
    "change_unit",
    "ci_range",
    "decimals_for",
    "effect_noun",
    "METRIC_ORDER",
    "metric_rank",
    "hours_text",
    "join_words",
    "join_few",
    "NAMED_FEW",
    "num",
    "percent",
    "quantity",
    "raised_margin_note",
]


def num(v: float, digits: int = 2) -> str:
    """``v`` with ``digits`` decimals, as :func:`fixed` writes it: an ASCII minus ``-`` (the one rule of a signed
    figure in text, docs/guide.md "Signed figures"; until stop 59 this wrote U+2212, so a reason read "−0.02 index"
    beside the gate's "-23 %" in one console and in one report.md); ``-0.00`` prints as ``0.00``."""
    return fixed(v, digits)


def decimals_for(uncertainty: float, most: int = 3) -> int:
    """How many decimals a figure with this ``uncertainty`` (a noise floor, a CI's half-width, a ±) supports:
    steps no larger than a tenth of it, ``ceil(-log10(uncertainty / 10))``, from 0 to ``most``.  A floor of
    380 mm² gives 0 (-91 mm², not -91.16), 0.84 gives 2, 0.081 gives 3; an uncertainty that is not a
    positive number gives ``most``."""
    try:
        u = float(uncertainty)
    except (TypeError, ValueError):
        return most
    if not (math.isfinite(u) and u > 0):
        return most
    return int(min(max(math.ceil(-math.log10(u / 10) - 1e-9), 0), most))


#: how a unit code of the column names (``schema``) is written in a sentence, for a level (a photo's value)
UNIT_WORDS = {"mm2": "mm²", "pct": "%"}

#: ... and for a change of it (a difference, its noise floor, a CI or margin of a change, a slope): a change of a
#: percentage (the fold contrast, ``nlf_contrast_pct``) is in percentage points, "pp" (the CLI's word since stop
#: 56; the app, report.md and the timeline wrote "-0.6 %", which reads as a relative change: Round 21, stop 60)
CHANGE_UNIT_WORDS = {**UNIT_WORDS, "pct": "pp"}


def change_unit(unit, metric: str = ""):
    """How a change of a ``metric`` in unit code ``unit`` is written: ``"pp"`` for ``pct`` (percentage points),
    ``mm²`` for ``mm2``, other units as given; a metric that is itself a relative change (``"change"`` in its
    name: ``camera_distance_change_pct``) keeps ``"%"``.  Anything that is not text is returned as given."""
    if not isinstance(unit, str):
        return unit
    if unit == "pct" and "change" in str(metric or ""):
        return UNIT_WORDS[unit]
    return CHANGE_UNIT_WORDS.get(unit, unit)


def quantity(v: float, unit: str, digits: int = 2) -> str:
    """``num(v)`` followed by the unit of a CHANGE (no unit for unitless values): ``"1.50 mm"``, ``"3.10 pp"``
    (:func:`change_unit`: every figure the decay and regimen sentences, legends and margins quote is a change
    from the baseline, so a ``pct`` metric's is in percentage points)."""
    return f"{num(v, digits)} {change_unit(unit)}" if unit else num(v, digits)


def ci_range(lo: float, hi: float, unit: str = "", digits: int = 2) -> str:
    """A CI's ends as every text writes them, ``"lo to hi unit"`` (the unit of a change, :func:`quantity`; none for
    ``unit=""``): an ASCII ``-`` on a negative end, and a ``+`` on the upper end of a CI that spans zero, so that
    both of its signs show (``"-0.27 to +0.01 mm"``, as the app's cells write it; the reasons wrote ``"-0.27 to
    0.01 mm"`` until stop 61, Round 22's (ii)); an end that rounds to zero has no sign (:func:`fixed`).

    >>> ci_range(-0.27, 0.012, "mm"), ci_range(0.8, 2.1, "mm"), ci_range(-0.3, -0.1, ""), ci_range(-0.3, 0.001, "")
    ('-0.27 to +0.01 mm', '0.80 to 2.10 mm', '-0.30 to -0.10', '-0.30 to 0.00')
    """
    low = num(lo, digits)
    high = fixed(hi, digits, sign=low.startswith("-"))
    return f"{low} to {high} {change_unit(unit)}" if unit else f"{low} to {high}"


def hours_text(v: float) -> str:
    """A time in hours at a sensible precision: ``"0.25 h"``, ``"4.0 h"``, ``"12.0 h"``, ``"168 h"``."""
    if v >= 100:
        return f"{v:.0f} h"
    if v >= 10:
        return f"{v:.1f} h"
    return f"{v:.2g} h" if v < 1 else f"{v:.1f} h"




#: the word for a change against a metric's own direction (a negative lift is a sag)
_OPPOSITE = {"lift": "sag", "sag": "lift"}


def effect_noun(metric: str, sign: float = 1.0) -> str:
    """The word for a metric's change: ``lift``, ``sag``, ``narrowing``, ``widening``, ``tightening``,
    ``smoothing`` or ``effect``.

    ``sign < 0``: the change runs against the metric's direction, so a ``*_lift_mm`` metric's
    change is a ``sag`` and a ``*_sag_mm`` metric's a ``lift``; other words become ``effect``.  A width
    (``*_width_*``: ``jaw_width_flow_mm``, the lower face's width, whose slimming reads negative) has no
    direction of its own: its change is a ``narrowing`` below 0 and a ``widening`` at or above it (the timeline
    said "effect" of it, and "the effect persists" of a lasting narrowing; stop 62, h10)."""
    m = metric.lower()
    if "_width" in m:
        return "narrowing" if sign < 0 else "widening"
    for word in ("lift", "sag", "tightening", "smoothing"):
        if word in m:
            return word if sign >= 0 else _OPPOSITE.get(word, "effect")
    return "effect"


def percent(level: float) -> str:
    """``0.9`` -> ``"90%"``."""
    return f"{100 * level:.0f}%"


def raised_margin_note(delta: float, noise_floor: float, min_effect: float | None, unit: str) -> str:
    """The sentence that ends a ``reason`` whose margin is the series' noise floor because that
    is larger than the ``min_effect`` the user gave, else "".

    ``max(min_effect, noise_floor)`` raised ``--min-effect 0.1`` to a 0.40 mm floor without a
    word, so the verdict read exactly as without the option (CLI audit b, 2026-12).

    Parameters
    ----------
    delta : float
        The margin used, metric unit.
    noise_floor : float
        The series' noise floor, metric unit (NaN: none).
    min_effect : float or None
        The smallest change that matters as the user gave it (None: the default per unit,
        which the note does not concern).
    unit : str
        The metric's unit code.

    Returns
    -------
    str
        ``" Margin ±0.40 mm: the series' noise floor, larger than the min_effect (--min-effect)
        of 0.1 mm given."`` (with its leading space), or "".
    """
    if min_effect is None or not noise_floor > float(min_effect) or not delta == noise_floor:
        return ""
    given = f"{float(min_effect):g} {change_unit(unit)}".rstrip()
    return (f" Margin \u00b1{quantity(delta, unit)}: the series' noise floor, larger than the min_effect "
            f"(--min-effect) of {given} given.")
