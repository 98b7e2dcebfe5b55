"""bench_claim.py's studies, one row per study: the verdict and figures of each, to compare two versions of the code.

``bench/bench_claim.py`` prints rates per cell; whether a change of the decay code can move them is answered by
running its studies (same seeds, same demo noise) on the old and the new code and comparing study by study::

    git worktree add /tmp/old 591b069
    PYTHONPATH=/tmp/old python bench/bench_claim_verdicts.py --bench /tmp/old/bench --demo DIR --studies 10 \\
        --csv /tmp/old.csv
    PYTHONPATH=. python bench/bench_claim_verdicts.py --bench bench --demo DIR --studies 10 --csv /tmp/new.csv
    python bench/bench_claim_verdicts.py --compare /tmp/old.csv /tmp/new.csv

``--bench`` is the folder whose ``bench_claim.py`` builds the tables (its noise model, truths, designs, seeds); the
runs are those of its ``main`` (measured, low, high, nospread, pipeline), studies ``0 .. --studies - 1`` of each cell.
"""

from __future__ import annotations

import argparse
import importlib
import math
import sys
from pathlib import Path

import numpy as np
import pandas as pd

KEYS = ["run", "design", "subjects", "truth", "study"]
FIELDS = ["status", "verdict", "margin", "change_24h", "change_24h_test_ci_low", "change_24h_test_ci_high",
          "half_life_h", "half_life_h_ci_low", "half_life_h_ci_high", "lasting", "lasting_withheld"]


def runs_of(bc, demos) -> list[dict]:
    """bench_claim.main's runs (its lines, not its printing)."""
    err = bc.demo_errors(demos)
    vc = bc.variance_components(err)
    floors = err["noise_floor"].to_numpy(float)
    floors = floors[np.isfinite(floors)]
    lv = {k: v[:2] for k, v in bc.noise_levels(vc).items()}
    issue = [("issue", bc.ISSUE_TIMES, n) for n in (1, 3, 8)]
    few = [("few", bc.FEW_TIMES, 3)]
    all_truths = bc.truths()
    decaying = [t for t in all_truths if t[1] is not None and math.isfinite(t[1]) and t[1] in (3.0, 24.0)]
    key_truths = decaying + [t for t in all_truths if t[1] is None or math.isinf(t[1])]
    return [
        dict(key="measured", noise=lv["measured"], spread=True, floors=None, designs=issue + few, truths=all_truths),
        dict(key="low", noise=lv["low"], spread=True, floors=None, designs=[issue[1]], truths=all_truths),
        dict(key="high", noise=lv["high"], spread=True, floors=None, designs=[issue[1]], truths=all_truths),
        dict(key="nospread", noise=lv["measured"], spread=False, floors=None, designs=issue,
             truths=decaying + key_truths[-1:]),
        dict(key="pipeline", noise=lv["measured"], spread=True, floors=floors, designs=issue, truths=key_truths),
    ], all_truths


def run(bc, demos, studies, wanted) -> pd.DataFrame:
    from facemetrics.decay import analyze_series
    runs, all_truths = runs_of(bc, demos)
    recs = []
    for run_i, r in enumerate(runs):
        if wanted and r["key"] not in wanted:
            continue
        for design_i, (dname, times, n_subj) in enumerate(r["designs"]):
            for truth in r["truths"]:
                truth_i = all_truths.index(truth)
                for k in studies:
                    rng = np.random.default_rng(np.random.SeedSequence([bc.SEED, run_i, design_i, truth_i, k]))
                    table = bc.simulate_table(rng, times, n_subj, truth, r["noise"], r["spread"], r["floors"])
                    f = analyze_series(table, per_subject=False, seed=k).fits[0]
                    reason = str(f.reason)
                    recs.append(dict(run=r["key"], design=dname, subjects=n_subj, truth=truth[0], study=k,
                                     status=f.status, verdict=f.verdict, margin=f.smallest_meaningful_change,
                                     change_24h=f.change_24h, change_24h_test_ci_low=f.change_24h_test_ci_low,
                                     change_24h_test_ci_high=f.change_24h_test_ci_high, half_life_h=f.half_life_h,
                                     half_life_h_ci_low=f.half_life_h_ci_low,
                                     half_life_h_ci_high=f.half_life_h_ci_high, lasting=f.lasting,
                                     lasting_withheld="lasting level is not shown" in reason))
                print(f"  {r['key']:9s} {dname:5s} n={n_subj} {truth[0]:22s} done", file=sys.stderr, flush=True)
    return pd.DataFrame(recs)


def compare(old: pd.DataFrame, new: pd.DataFrame) -> int:
    m = old.merge(new, on=KEYS, suffixes=("_old", "_new"), how="outer", indicator=True)
    print(f"studies: old {len(old)}, new {len(new)}, in both {int((m['_merge'] == 'both').sum())}")
    both = m[m["_merge"] == "both"]
    for f in FIELDS:
        a, b = both[f + "_old"], both[f + "_new"]
        if a.dtype.kind in "fc" and b.dtype.kind in "fc":
            same = np.isclose(a.astype(float), b.astype(float), rtol=1e-9, atol=1e-12, equal_nan=True)
        else:
            same = (a.astype(str) == b.astype(str)).to_numpy()
        print(f"{f:24s} differs in {int((~same).sum())} of {len(both)}")
        if f == "verdict" and (~same).any():
            print(both.loc[~same, KEYS + ["verdict_old", "verdict_new"]].to_string(index=False))
    w = both["lasting_withheld_new"].astype(str) == "True"
    print(f"new code withholds lasting in {int(w.sum())} of {len(both)} studies; their verdicts: "
          f"{both.loc[w, 'verdict_new'].value_counts().to_dict()}")
    return 0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bench", type=Path, help="the folder holding the bench_claim.py to use")
    ap.add_argument("--demo", action="append", type=Path)
    ap.add_argument("--studies", type=int, default=10)
    ap.add_argument("--runs", default="", help="comma-separated runs (default all)")
    ap.add_argument("--csv", type=Path)
    ap.add_argument("--compare", nargs=2, type=Path, metavar=("OLD", "NEW"))
    args = ap.parse_args(argv)
    if args.compare:
        return compare(pd.read_csv(args.compare[0]), pd.read_csv(args.compare[1]))
    sys.path.insert(0, str(args.bench.resolve()))
    bc = importlib.import_module("bench_claim")
    import facemetrics
    print(f"facemetrics from {facemetrics.__file__}, bench_claim from {bc.__file__}", file=sys.stderr)
    df = run(bc, args.demo, range(args.studies), set(filter(None, args.runs.split(","))))
    if args.csv:
        df.to_csv(args.csv, index=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
