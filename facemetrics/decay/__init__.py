"""How does a treatment effect decay?  Pure statistics of before/after series.

- :mod:`facemetrics.decay.model`: the decay model ``change(t) = lasting +
  transient * 2 ** (-t / half_life)`` and its least-squares fit (also the
  simulated truth of :mod:`facemetrics.study`).
- :mod:`facemetrics.decay.claim`: bootstrap, the 24 h verdict, the timeline
  table (:func:`analyze_series`) and the regimen slope (:func:`analyze_regimen`).
- :mod:`facemetrics.decay.wording`: the ``reason`` sentences' number formatting.

No image code, no plotting (:mod:`facemetrics.plots`), no file I/O.
"""

from .claim import (
    CLAIM_HOURS,
    COLUMNS,
    CUMULATIVE,
    FADES,
    INCONCLUSIVE,
    MIN_EFFECT,
    MIN_LAST_HOURS,
    MIN_PHOTOS,
    NO_CUMULATIVE,
    PERSISTS,
    REGIMEN_COLUMNS,
    DecayFit,
    SeriesResult,
    analyze_regimen,
    analyze_series,
    min_effect_for,
)
from .model import DecayParams, SeriesError, decay_model, fit_decay

__all__ = [
    "CLAIM_HOURS",
    "COLUMNS",
    "CUMULATIVE",
    "FADES",
    "INCONCLUSIVE",
    "MIN_EFFECT",
    "MIN_LAST_HOURS",
    "MIN_PHOTOS",
    "NO_CUMULATIVE",
    "PERSISTS",
    "REGIMEN_COLUMNS",
    "DecayFit",
    "DecayParams",
    "SeriesError",
    "SeriesResult",
    "analyze_regimen",
    "analyze_series",
    "decay_model",
    "fit_decay",
    "min_effect_for",
]
