"""How often is a rise after the session said of noise on one subject's series (stop 64, review r2)?

docs/validation.md section 26 measured the rise test (:func:`facemetrics.decay.half_point.peak_time`, candidate B)
on series with no change at all in 2 of 120 studies, pooled over ``demo x1``, ``demo x3`` and ``sparse x3``.  The
demo's per-subject timeline rows are one subject, one photo per time: 3 of its 24 rows of metrics the demo does
not change carry ``half_point_peak_h``.  This bench measures the false-rise rate of exactly that design::

    PYTHONPATH=. python bench/null_rise.py --series 400

One subject, one session, one photo per time; the change is noise only: per photo ~ N(0, 0.117²) mm plus one
baseline error ~ N(0, 0.156²) mm shared by the session's photos (``bench/fade_shapes.py``'s noise).  Schedules:
the demo's microcurrent times (0.25, 0.5, 1, 2, 4, 8, 12, 24, 48 h) and RF times (1, 6, 24, 48, 96, 168, 336 h).
``analyze_series(per_subject=False, n_boot=0)`` (the point path, :func:`facemetrics.decay.claim._point_half`, the
same peak as with a bootstrap); counted: ``half_point_peak_h`` finite.  Seeds ``SeedSequence([20261207, 64,
schedule, series])``.

Rule (written and committed before the run, 2026-12-07)
-------------------------------------------------------
The test is one-sided at 2.5 % (``RISE_ALPHA``, Bonferroni over the later times).  If, on either schedule, the
Wilson 95 % interval of the false-rise rate lies wholly above 2.5 %, the rise is said of noise more often than the
rule intends on one subject's series (a defect, reported with these figures); if it holds 2.5 % or lies below,
the demo's 3 rows are consistent with the rate the rule intends.
"""

from __future__ import annotations

import argparse
import math
import sys
import warnings

import numpy as np
import pandas as pd

from facemetrics.decay import analyze_series

SCHEDULES = {"microcurrent": (0.25, 0.5, 1, 2, 4, 8, 12, 24, 48), "rf": (1, 6, 24, 48, 96, 168, 336)}


def wilson(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """Wilson score interval of k successes in n (fractions)."""
    p = k / n
    d = 1 + z * z / n
    c = (p + z * z / (2 * n)) / d
    h = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / d
    return c - h, c + h


def null_table(rng, times) -> pd.DataFrame:
    """One subject's null change table (one photo per time, mm)."""
    t = np.asarray(times, float)
    y = 0.156 * rng.standard_normal() + 0.117 * rng.standard_normal(t.size)
    return pd.DataFrame(dict(subject="S1", hours_since_treatment=t, value=y, treatment="x", metric="jawline_lift_mm",
                             side="mean", unit="mm"))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--series", type=int, default=400)
    a = ap.parse_args(argv)
    for si, (name, times) in enumerate(SCHEDULES.items()):
        said = ok = 0
        for k in range(a.series):
            rng = np.random.default_rng(np.random.SeedSequence([20261207, 64, si, k]))
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                f = analyze_series(null_table(rng, times), per_subject=False, n_boot=0, seed=k).fits[0]
            ok += f.status == "ok"
            said += math.isfinite(f.half_point_peak_h)
        lo, hi = wilson(said, a.series)
        print(f"{name}: rise said in {said}/{a.series} = {100 * said / a.series:.1f} % "
              f"(95 % CI {100 * lo:.1f}-{100 * hi:.1f} %); status ok {ok}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
