"""How does a treatment effect decay?  Pure statistics of before/after series.

- :mod:`facemetrics.decay.model`: the decay model ``change(t) = lasting +
  transient * 2 ** (-t / half_life)`` and its least-squares fit (also the
  simulated truth of :mod:`facemetrics.study`).
- :mod:`facemetrics.decay.claim`: the series fit: bootstrap designs, the 24 h verdict and the
  timeline table (:func:`analyze_series`).
- :mod:`facemetrics.decay.regimen_slope`: the regimen slope over days (:func:`analyze_regimen`; the
  regimen study itself, its manifest and batch run, is :mod:`facemetrics.regimen`).
- :mod:`facemetrics.decay.carryover`: follow-on sessions (a later session of a subject and
  treatment begun while an earlier one's effect is not shown gone), left out of the decay fit.
- :mod:`facemetrics.decay.inputs`: the table of changes checked and cleaned (types, labels,
  rows read ``uncertain``, repeated photos, one photo at two times, sessions).
- :mod:`facemetrics.decay.left_out`: the ``reason`` sentences saying which of those rows a series
  left out, and the reason of a result with no series.
- :mod:`facemetrics.decay.bootstrap`: what both bootstraps share (settings check, random
  streams, percentile intervals, the mm scale's error).
- :mod:`facemetrics.decay.margin`: the equivalence margin ``max(min_effect, noise_floor)``.
- :mod:`facemetrics.decay.near_claim`: the fitted curve checked against the photos near 24 h (a curve
  that misses them is not read at 24 h: the verdict reads those photos; rule 6 of the claim).
- :mod:`facemetrics.decay.time_unit`: is the time axis in hours?  (a "Check the time unit"
  sentence in a fit's ``reason`` when the capture times or the times' pattern say days).
- :mod:`facemetrics.decay.flow_outliers`: a flow-only photo (the gate's 'expression may differ' warning) that
  stands out from the curve of the series' other photos, and the verdict without it (docs/validation.md §16).
- :mod:`facemetrics.decay.regimen_flow`: the same rule on the regimen's line: a flow-only pre-session photo off
  the line of the others, and the regimen verdict without it (docs/validation.md §18); when that verdict is the
  same, the row's figures are the fit without it (§19).
- :mod:`facemetrics.decay.wording`: the ``reason`` sentences' number formatting.
- :mod:`facemetrics.decay.fit_needs`: what a series lacks for a decay curve, said with the fit's minimums (the app's
  Timeline picker).

No image code, no plotting (:mod:`facemetrics.plots`), no file I/O.
"""

from .carryover import FollowOn
from .claim import (
    CLAIM_HOURS,
    COLUMNS,
    FADES,
    MIN_LAST_HOURS,
    MIN_PHOTOS,
    PERSISTS,
    DecayFit,
    SeriesResult,
    analyze_series,
)
from .margin import INCONCLUSIVE, MIN_EFFECT, min_effect_for
from .model import DecayParams, SeriesError, decay_model, fit_decay
from .regimen_slope import CUMULATIVE, NO_CUMULATIVE, REGIMEN_COLUMNS, analyze_regimen

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
    "FollowOn",
    "SeriesError",
    "SeriesResult",
    "analyze_regimen",
    "analyze_series",
    "decay_model",
    "fit_decay",
    "min_effect_for",
]
