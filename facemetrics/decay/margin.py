"""The equivalence margin a verdict is judged against: ``delta = max(min_effect, noise_floor)``.

The decay series (:mod:`facemetrics.decay.claim`) and the regimen (:mod:`facemetrics.decay.regimen_slope`)
judge an interval against one margin, in the metric's unit: the smallest change that matters
(:data:`MIN_EFFECT` per unit, or the user's ``min_effect``), raised to the series' noise floor
(the median of its photos' floors) when that is larger.  Also the verdict both give when their
interval cannot be judged against it (:data:`INCONCLUSIVE`).  Pure functions; no file I/O.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd

from ..compare.floors import DEFAULT_NOISE_FLOORS
from .model import SeriesError

__all__ = ["INCONCLUSIVE", "MIN_EFFECT", "check_min_effect", "min_effect_for", "min_effect_hint"]

_NAN = float("nan")


#: verdict: neither could be shown
INCONCLUSIVE = "inconclusive"

#: Smallest change that matters, per unit of the change (the ``unit`` column); the equivalence
#: margin is ``max(min_effect, noise_floor)``.
#:
#: - ``"mm"``: 0.3 mm, the 95th percentile of the pose-corrected jawline-lift error on
#:   re-rendered photos with no true change (docs/compare.md, "3-D re-rendering" table:
#:   0.06 / 0.30 / 0.91 mm on the tuning faces); a lift below it cannot be told from a
#:   change of head pose.
#: - ``"index"`` (``nlf_depth``): 0.84, the fold index's default noise floor
#:   (``compare.DEFAULT_NOISE_FLOORS``), 1.25 × the largest |change| over 325 nuisance-only
#:   photo pairs (docs/compare.md, "Default noise floors"); no smaller change of the index
#:   is known to matter.
#:
#: Any other unit has no known smallest meaningful change: the margin is the series' noise
#: floor alone (0 when it has none; give ``min_effect`` explicitly).
MIN_EFFECT = {"mm": 0.3, "index": DEFAULT_NOISE_FLOORS[("nlf_depth", "side")]}


def min_effect_for(unit: str, min_effect: float | None = None) -> float:
    """The smallest meaningful change for a series in ``unit``.

    ``min_effect`` when given (the user's choice, applied to every unit),
    otherwise :data:`MIN_EFFECT` of the unit, 0 for a unit without one.
    """
    if min_effect is not None:
        return float(min_effect)
    return float(MIN_EFFECT.get(str(unit), 0.0))


def _floor_and_margin(data: pd.DataFrame, unit: str, min_effect: float | None) -> tuple[float, float]:
    """``(noise_floor, delta)``: the series' noise floor, the median of its photos' ``|noise_floor|``
    (NaN without the column or finite values), and the margin ``max(min_effect, noise_floor)``.
    The median, a typical comparison's floor, for the decay and the regimen fits alike: the largest
    grew with the number of photos (bench/bench_claim.py: margins 1.07 / 1.36 / 1.69 mm with 1 / 3 / 8
    subjects, and a lift keeping 1 mm at 24 h read `fades` in 33 / 63 / 95 % of studies)."""
    nf = _NAN
    if "noise_floor" in data.columns:
        vals = np.abs(pd.to_numeric(data["noise_floor"], errors="coerce").to_numpy(dtype=float))
        vals = vals[np.isfinite(vals)]
        nf = float(np.median(vals)) if vals.size else _NAN
    smallest = min_effect_for(unit, min_effect)
    return nf, (max(smallest, nf) if math.isfinite(nf) else smallest)


def check_min_effect(min_effect) -> None:
    """``analyze_series``' ``min_effect`` (None: the series unit's :data:`MIN_EFFECT`; else a finite number
    of at least 0 in the series' unit, mm or index, or such a number as text, ``"0.3"``, as a CSV cell or a
    form gives it), checked; a :class:`SeriesError` naming it otherwise, saying what to write for text that
    is not a number (``"0,3"``: a decimal comma, as a European spreadsheet writes it; ``"0.3 mm"``)."""
    if min_effect is None:
        return
    hint = ""
    try:
        value = float(min_effect)
    except (TypeError, ValueError):  # "abc", [1]: a clear message, never a traceback (2026-12-05)
        value, hint = float("nan"), min_effect_hint(min_effect)
    if isinstance(min_effect, (bool, np.bool_)) or not (math.isfinite(value) and value >= 0):
        raise SeriesError(f"min_effect must be a non-negative number, got {min_effect!r}{hint}")


def min_effect_hint(given) -> str:
    """What to write instead of a ``min_effect`` given as text that is not a number ("" for other values):
    ``"0,3"`` read "must be a non-negative number" without a word of the comma (stop 55, b3)."""
    if isinstance(given, bytes):
        given = given.decode("utf-8", "replace")
    if not isinstance(given, str):
        return ""
    if re.fullmatch(r"\s*\d*,\d+\s*", given):
        return f" ({given.strip()!r} has a decimal comma): write {given.strip().replace(',', '.')}"
    return " (text that is not a number): give the number alone, in the series' unit (mm or index), e.g. 0.3"
