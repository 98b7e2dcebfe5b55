"""Review r2 of stop 64's rise test (:func:`facemetrics.decay.half_point.peak_time`): three measurements, no change.

    PYTHONPATH=. python bench/rise_review.py            # about 1.5 min on one core

1. ``t``: the rise said on section 26's tuning rise cells and ``null`` (``bench/fade_shapes.py``'s seeds, even
   studies, ``n_boot=0``: the same peak as with a bootstrap), as merged (one-sided normal quantile) and with a
   bench-only variant: Student's t quantile on the noise SD's own degrees of freedom (the unimodal fit's, or
   ``n - 3`` for the decay fit's fallback).  ``bench/null_rise.py`` gives both on one subject's null series.
2. ``zero``: a change that rises from about 0 mm at the session to 1.2 mm at 12 h, then falls in a straight line
   to 0 over 24 h (3 subjects, the demo's times, 0.05 mm per photo): the fitted peak (the exponential's value at
   t = 0) comes out negative, so the half point is signed the wrong way.
3. ``sign``: how often the fitted peak's sign differs from that of the photo-time mean largest in size (section
   25/26 shapes, tuning seeds): the cells a sign rule read from the photos would change.
"""

from __future__ import annotations

import math
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
import fade_shapes as fs  # noqa: E402

from facemetrics.decay import analyze_series, claim  # noqa: E402
from facemetrics.decay import half_point as hp  # noqa: E402
from facemetrics.decay.half_life_ci import t_quantile  # noqa: E402


def sd_df(t, y, sign: float) -> tuple[float, int]:
    """:func:`facemetrics.decay.half_point.unimodal_sd` (photos at t >= 0) and its degrees of freedom."""
    keep = (np.asarray(t) >= 0) & np.isfinite(t) & np.isfinite(y)
    t = np.asarray(t, float)[keep]
    y = np.asarray(y, float)[keep] * sign
    times, mean, wsum = hp._time_means(t, y)
    p = int(np.argmax(mean))
    fit = np.concatenate([-hp.isotonic_decreasing(-mean[:p], wsum[:p]) if p else np.zeros(0),
                          hp.isotonic_decreasing(mean[p:], wsum[p:])])
    df = t.size - 1 - int(np.count_nonzero(np.diff(fit)))
    if df < 2:
        return math.nan, df
    r = y - fit[np.searchsorted(times, t)]
    return math.sqrt(float(np.sum(r ** 2)) / df), df


def peak_start_t(t, y, est, sign=None) -> float:
    """``claim._peak_start`` with a t quantile on the SD's degrees of freedom (bench only)."""
    sign = math.copysign(1.0, est.peak) if sign is None else sign
    s, df = sd_df(t, y, sign)
    if not math.isfinite(s):
        df = max(t.size - 3, 1)
        s = math.sqrt(float(np.sum((y - est.change_at(t)) ** 2)) / df)
    times, mean, w = hp._time_means(t, y, sign)
    p = int(np.argmax(mean))
    if p == 0 or not s > 0:
        return float(times[0])
    q = t_quantile(1 - hp.RISE_ALPHA / (times.size - 1), df)
    return float(times[p]) if (mean[p] - mean[0]) / (s * math.sqrt(1 / w[p] + 1 / w[0])) > q else float(times[0])


def _fit(table, seed):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return analyze_series(table, per_subject=False, n_boot=0, seed=seed).fits[0]


def _table(name: str, sched: str, k: int):
    names, scheds = list(fs.SHAPES), list(fs.SCHEDULES)
    rng = np.random.default_rng(np.random.SeedSequence([fs.SEED, scheds.index(sched), names.index(name), k]))
    return fs.simulate_table(rng, name, sched)[0]


def t_variant() -> None:
    orig = claim._peak_start
    for sched in ("demo x1", "demo x3", "sparse x3"):
        for name in (*fs.RISE_SHAPES, "null"):
            c = {"z": 0, "t": 0}
            for k in range(0, 40, 2):
                for lab, fn in (("z", orig), ("t", peak_start_t)):
                    claim._peak_start = fn
                    try:
                        c[lab] += math.isfinite(_fit(_table(name, sched, k), k).half_point_peak_h)
                    finally:
                        claim._peak_start = orig
            print(f"t | {sched} {name}: rise said, as merged {c['z']}/20, t quantile {c['t']}/20", flush=True)


def from_zero() -> None:
    t = np.array([0.25, 0.5, 1, 2, 4, 8, 12, 24, 48])
    g = np.where(t < 12, 1.2 * t / 12, 1.2 * np.clip(1 - (t - 12) / 24, 0, None))
    said = neg = with_hp = 0
    for k in range(20):
        rng = np.random.default_rng(k)
        d = pd.concat([pd.DataFrame(dict(subject=f"S{s}", hours_since_treatment=t, value=g + 0.05 * rng.standard_normal(
            t.size))) for s in range(3)], ignore_index=True).assign(treatment="rf", metric="jawline_lift_mm",
                                                                     side="mean", unit="mm")
        f = _fit(d, k)
        said += math.isfinite(f.half_point_peak_h)
        neg += f.peak_change < 0
        with_hp += math.isfinite(f.half_point_h)
    print(f"zero | rise from 0 to 1.2 mm at 12 h: fitted peak negative {neg}/20, rise said {said}/20, "
          f"half point {with_hp}/20")


def sign_rule() -> None:
    for sched in ("demo x1", "demo x3", "sparse x3"):
        out = []
        for name in (*fs.TUNING_SHAPES, *fs.HELD_OUT_SHAPES, *fs.RISE_SHAPES, *fs.RISE_HELD_OUT, "null"):
            diff = 0
            for k in range(0, 40, 2):
                table = _table(name, sched, k)
                m = table.groupby("hours_since_treatment")["value"].mean().to_numpy()
                diff += math.copysign(1, _fit(table, k).peak_change) != math.copysign(1, m[np.argmax(np.abs(m))])
            out.append(f"{name} {diff}")
        print(f"sign | {sched}, differs of 20: " + ", ".join(out), flush=True)


if __name__ == "__main__":
    t_variant()
    from_zero()
    sign_rule()
