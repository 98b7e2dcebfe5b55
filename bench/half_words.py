""""fell to half" of a change the interval does not show halving (stop 66, k1; docs/validation.md section 26g).

Candidate W is wording only: where ``half_point_h`` is finite and ``half_point_h_ci_high`` is empty (the interval
reaches beyond the last photo), report.md says "may have fallen to half" instead of "fell to half".  So one
bootstrap fit a study (``n_boot`` 200) gives both: a definite "fell to half" before is a finite point, after a
finite point with a finite upper end::

    PYTHONPATH=. python bench/half_words.py --half tuning --csv /tmp/k1_words_tune.csv
    PYTHONPATH=. python bench/half_words.py --half held_out --csv /tmp/k1_words_held.csv

Seeds: ``fade_shapes``' (``SeedSequence([20261207, schedule, shape, k])``), k 130-229 for ``lasting``, 130-149 for
the fades that halve; even k tuning, odd held out.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
import fade_shapes as fs  # noqa: E402

from facemetrics.decay import analyze_series  # noqa: E402

SCHEDULES = ("demo x1", "demo x3", "sparse x3")
HALVING = ("exp_3h", "linear_8h", "sigmoid_6h", "two_phase")
KS = {"lasting": range(130, 230), **{s: range(130, 150) for s in HALVING}}


def records(half: str) -> list[dict]:
    recs = []
    for sched in SCHEDULES:
        for name, ks in KS.items():
            si, ti = list(fs.SCHEDULES).index(sched), list(fs.SHAPES).index(name)
            for k in ks:
                if (k % 2 == 0) != (half == "tuning"):
                    continue
                rng = np.random.default_rng(np.random.SeedSequence([fs.SEED, si, ti, k]))
                table, _ = fs.simulate_table(rng, name, sched)
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    f = analyze_series(table, per_subject=False, seed=k, n_boot=200).fits[0]
                recs.append(dict(half=half, schedule=sched, shape=name, study=k, status=f.status, verdict=f.verdict,
                                 hp=f.half_point_h, hp_lo=f.half_point_h_ci_low, hp_hi=f.half_point_h_ci_high,
                                 last_h=f.last_time_h))
    return recs


def summary(df: pd.DataFrame) -> pd.DataFrame:
    df = df.assign(before=df.hp.notna(), after=df.hp.notna() & df.hp_hi.notna())
    return df.groupby(["half", "shape", "schedule"], sort=False).agg(
        n=("before", "size"), definite_before=("before", "sum"), definite_after=("after", "sum")).reset_index()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--half", choices=("tuning", "held_out"), default="tuning")
    ap.add_argument("--csv")
    ap.add_argument("--from-csv", nargs="*")
    a = ap.parse_args(argv)
    if a.from_csv:
        df = pd.concat([pd.read_csv(p) for p in a.from_csv], ignore_index=True)
    else:
        t0 = time.time()
        df = pd.DataFrame(records(a.half))
        print(f"{time.time() - t0:.0f} s", file=sys.stderr)
        if a.csv:
            df.to_csv(a.csv, index=False)
    s = summary(df)
    print(s.to_string(index=False))
    print(s.groupby(["half", "shape"]).sum(numeric_only=True).to_string())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
