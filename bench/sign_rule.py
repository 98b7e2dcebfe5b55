"""Which sign does the half point read a change with, when the fitted peak and the photos disagree (stop 64, g1)?

``analyze_series`` signs the model-free half point (:mod:`facemetrics.decay.half_point`) by the fitted
exponential's value at t = 0 (``peak_change``).  A change that rises from 0 mm at the session fits a peak of
about -0.1 mm, so its half point is read of the change's mirror image and report.md can say "fell to half by
about 0.3 h" of a change that grew to 1.2 mm (docs/validation.md section 26b).  Candidates for
``facemetrics.decay.claim._effect_sign`` (each patched in turn)::

    PYTHONPATH=. python bench/sign_rule.py --half tuning --csv /tmp/g1_tune.csv
    PYTHONPATH=. python bench/sign_rule.py --half held_out --csv /tmp/g1_held.csv

- ``a`` the fitted peak's sign (the package before);
- ``b`` the sign of the photo-time mean change largest in size (photos at or after treatment);
- ``c`` ``b`` when the two disagree and that mean is beyond the noise: ``|mean| sqrt(n_p) / s`` above Student's
  t quantile ``1 - RISE_ALPHA / m`` on ``s``'s degrees of freedom (``s`` the unimodal fit's residual SD signed by
  ``b``, the decay fit's on ``n - 3`` when that is NaN; ``m`` the photo times after treatment; the rise test's
  level), else no half point;
- ``d`` no half point (NaN, no report line) when the two disagree.

When the fitted sign and ``b`` agree every candidate is ``a``, so each study is fitted once with ``a`` (the
candidates' signs recorded) and again only for the candidates whose sign differs.  Cells:
``bench/fade_shapes.py``'s noise, seeds (``SeedSequence([20261207, schedule, shape, study])``, even studies the
tuning half, odd the held-out half), schedules ``demo x1``, ``demo x3``, ``sparse x3``, ``n_boot`` 400.

Counted per cell (studies with ``status`` ok): ``said`` a half point statement (report.md's line: ``half_point_h``
or its lower end finite); ``wrong`` a statement read with the sign opposite to the true change's (every shape
here but ``null`` is an increase); ``cov`` the interval holds the truth from the true peak (``fade_shapes``'s
``true_peak_half``, its ``_covers``); ``rise`` ``half_point_peak_h`` finite.  The rule is docs/validation.md
section 26d, committed before the deciding run.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
import fade_shapes as fs  # noqa: E402

from facemetrics.decay import analyze_series, claim  # noqa: E402
from facemetrics.decay import half_point as hp  # noqa: E402

CANDIDATES = ("a", "b", "c", "d")
SCHEDULES = ("demo x1", "demo x3", "sparse x3")
TUNING = (*fs.TUNING_SHAPES, *fs.RISE_SHAPES, "null", *fs.ZERO_SHAPES)
HELD_SHAPES = (*fs.ZERO_HELD_OUT,)


def photo_sign(t, y) -> float:
    """Sign of the photo-time mean change largest in size (photos at or after treatment)."""
    times, mean, _ = hp._time_means(t, y)
    return math.copysign(1.0, float(mean[int(np.argmax(np.abs(mean)))]))


def beyond_noise(t, y, est, sign: float) -> bool:
    """Candidate c's test: that mean, signed ``sign``, above the t quantile of its noise (module docstring;
    :func:`facemetrics.decay.half_point.largest_beyond_noise` on the rise test's SD, else the decay fit's)."""
    sd, df = hp.unimodal_sd_df(t, y, sign)
    if not math.isfinite(sd):
        df = max(t.size - 3, 1)
        sd = math.sqrt(float(np.sum((y - est.change_at(t)) ** 2)) / df)
    return hp.largest_beyond_noise(t, y, sign, sd, df)


def signs(t, y, est) -> dict:
    """Every candidate's sign (NaN: no half point)."""
    fit, ph = math.copysign(1.0, est.peak), photo_sign(t, y)
    if fit == ph:
        return dict.fromkeys(CANDIDATES, fit)
    return dict(a=fit, b=ph, c=ph if beyond_noise(t, y, est, ph) else math.nan, d=math.nan)


def _fit(table, k, fn):
    orig = claim._effect_sign
    claim._effect_sign = fn
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return analyze_series(table, per_subject=False, seed=k).fits[0]
    finally:
        claim._effect_sign = orig


def run_study(schedule: str, name: str, k: int) -> list[dict]:
    si, ti = list(fs.SCHEDULES).index(schedule), list(fs.SHAPES).index(name)
    rng = np.random.default_rng(np.random.SeedSequence([fs.SEED, si, ti, k]))
    table, scale = fs.simulate_table(rng, name, schedule)
    times, n_subjects, _ = fs.SCHEDULES[schedule]
    t1, last = min(times), max(times)
    c = fs.population_curve(name) if n_subjects > 1 else (lambda t, s=scale: fs.SHAPES[name](np.asarray(t, float) / s))
    _, truth_pk, _ = fs.true_peak_half(c, t1, last)
    seen = {}

    def record(t, y, est, *_):
        seen.update(signs(t, y, est))
        return seen["a"]

    f = _fit(table, k, record)
    out = []
    for cand in CANDIDATES:
        g = f
        sign = seen.get(cand, math.nan) if seen else math.nan
        if seen and not (sign == seen["a"]):
            g = _fit(table, k, lambda t, y, est, *_, s=sign: s)
        out.append(dict(schedule=schedule, shape=name, study=k, half="tuning" if k % 2 == 0 else "held_out",
                        cand=cand, status=g.status, sign=sign, disagree=bool(seen) and seen["a"] != seen["b"],
                        truth_pk=truth_pk, last_h=last, t1=t1, hp=g.half_point_h, hp_lo=g.half_point_h_ci_low,
                        hp_hi=g.half_point_h_ci_high, hp_peak=g.half_point_peak_h))
    return out


def summary(df: pd.DataFrame) -> pd.DataFrame:
    df = df[df["status"] == "ok"].copy()
    df["said"] = np.isfinite(df["hp"]) | np.isfinite(df["hp_lo"])
    truth_sign = np.where(df["shape"] == "null", 0.0, 1.0)
    df["wrong"] = df["said"] & (truth_sign != 0) & (df["sign"] != truth_sign)
    df["cov"] = fs._covers(df["hp_lo"].to_numpy(), df["hp_hi"].to_numpy(), df["truth_pk"].to_numpy(),
                           df["last_h"].to_numpy())
    df["rise"] = np.isfinite(df["hp_peak"])
    return (df.groupby(["half", "schedule", "shape", "cand"], sort=False)
            .agg(n=("said", "size"), disagree=("disagree", "sum"), said=("said", "sum"), wrong=("wrong", "sum"),
                 cov=("cov", "sum"), rise=("rise", "sum")).reset_index())


def table(s: pd.DataFrame) -> str:
    wide = s.pivot_table(index=["half", "schedule", "shape", "n", "disagree"], columns="cand",
                         values=["said", "wrong", "cov", "rise"], sort=False)
    lines = ["| half | schedule | shape | n | signs differ | said a/b/c/d | wrong sign a/b/c/d | covers a/b/c/d | "
             "rise a/b/c/d |", "|---|---|---|---|---|---|---|---|---|"]
    for idx, r in wide.iterrows():
        cells = ["/".join(str(int(r[(m, c)])) for c in CANDIDATES) for m in ("said", "wrong", "cov", "rise")]
        lines.append("| " + " | ".join(str(v) for v in idx) + " | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--half", choices=("tuning", "held_out"), default="tuning")
    ap.add_argument("--studies", type=int, default=40, help="study indices 0..N-1 (even tuning, odd held-out)")
    ap.add_argument("--shapes", nargs="*", help="default: the tuning shapes, and on the held-out half the "
                                                "held-out shape too")
    ap.add_argument("--csv")
    ap.add_argument("--from-csv", nargs="*")
    a = ap.parse_args(argv)
    t0 = time.time()
    if a.from_csv:
        df = pd.concat([pd.read_csv(p) for p in a.from_csv], ignore_index=True)
    else:
        shapes = a.shapes or (TUNING if a.half == "tuning" else (*TUNING, *HELD_SHAPES))
        studies = [k for k in range(a.studies) if (k % 2 == 0) == (a.half == "tuning")]
        recs = [r for sched in SCHEDULES for name in shapes for k in studies for r in run_study(sched, name, k)]
        df = pd.DataFrame(recs)
        if a.csv:
            df.to_csv(a.csv, index=False)
    print(f"{df['study'].count() // len(CANDIDATES)} studies in {time.time() - t0:.0f} s")
    print(table(summary(df)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
