"""The 24 h claim on the schedules users take: does a photo at 30 or 36 h, or 5 subjects instead of 3, help?

Stop 44 (docs/validation.md section 10, "A second fade model") found that the plateau-then-drop studies the shipped
checks miss are those where 3 subjects with photos at 24 and 48 h cannot tell a plateau ending after 24 h from a
slow decline, and guessed (untested) that a photo at ~30-36 h or more subjects would do more than a second model.
This bench measures that guess.  Nothing in the package changes: the decay model and the verdict rules are
as shipped; only the simulated schedule does.  Run::

    python bench/bench_decay_schedule.py --half tuning --csv /tmp/sched_tune.csv       # decides (the rule below)
    python bench/bench_decay_schedule.py --half held_out --csv /tmp/sched_held.csv     # once, after the decision
    python bench/bench_decay_schedule.py --from-csv /tmp/sched_tune.csv                # the tables again
    python bench/bench_decay_schedule.py --start 1000 --studies 1002                   # a smoke run (unused seeds)

Everything below was written on 2026-12-05 before any run of this bench (commit it is in).

Studies
-------
Truths, noise, between-subject spread, margin (0.3 mm) and the population's truth at 24 h are those of
``bench/bench_decay_misspecified.py`` (its module docstring); the photo times are jittered as users take them,
``bench/bench_decay_jitter.py``'s ``jit`` (a photo meant for ``T`` >= 4 h taken 20-60 min early or late).  Truths
(the four of docs/validation.md section 10 this question is about): ``plateau_drop`` (2 mm to 30 h, then to 0 at
36 h: persists), ``two_phase`` (persists), ``model_3h`` (the model's own exponential: fades), ``linear`` (to 0 at
20 h: fades).

Schedules (hours after treatment): ``now`` the demo's times (0.25, 0.5, 1, 2, 4, 8, 12, 24, 48 h: what the README
and the demo use); ``+30`` the same plus a photo at 30 h; ``+36`` plus one at 36 h; each with 3 subjects and with 5
(six schedule cells per truth, 24 cells).  Paired: each study is simulated once on the superset (the demo's times,
30 and 36 h; 5 subjects) by ``bench_decay_jitter.simulate_table`` with seeds
``SeedSequence([20261204, 100, truth, study])`` (jitter: ``[..., 7]``), and each schedule cell is that table's
rows at its nominal times and its first 3 or 5 subjects.  So the cells of one study share subjects, noise and
photo times, and differ only in the photos added.  ``analyze_series(table, per_subject=False, n_boot=400,
seed=study)``, the pooled row, as shipped.  Even studies are the ``tuning`` half, odd ``held_out``.

Per cell: right verdicts (``fades_within_a_day`` / ``persists_beyond_a_day`` as the population's answer), wrong
(the opposite), inconclusive; coverage of the population's 24 h change by the reported 95 % CI of ``change_24h``
(studies with status ``ok``; a study without a fit counts as not covering); for the linear fade also under its own
rule, i.e. judged against its study's own subjects (their mean true change at 24 h, and ``wrong own``: the verdict
opposite the answer those subjects' own mean gives), since with between-subject time scales some subjects'
linear fade has not reached 0 by 24 h.  Wilson 95 % intervals for every rate; for a schedule against ``now`` with
the same subjects, the paired difference with a 95 % bootstrap interval over studies (2000 resamples, seed 0).

The rule (tuning half), committed before any run
------------------------------------------------
A schedule change (``+30``, ``+36`` with 3 subjects; ``now``, ``+30``, ``+36`` with 5) **clearly helps** when,
against ``now`` with 3 subjects on the same tuning studies: the plateau's 95 % CI coverage rises by at least
10 points with the paired 95 % interval of the rise above 0; and on the other three truths no right-verdict rate
and no coverage falls by more than 5 points, and no wrong rate is above 5 % where ``now`` x3's is not.  The held-out
half is then run once and reported; the advice to users (README, the app's schedule text) is changed only for a
change that clearly helps on the tuning half *and* whose held-out plateau rise is at least 5 points with its
paired interval above 0.  If several qualify, the advice names the cheapest: one extra photo before two extra
subjects; between 30 and 36 h the larger tuning rise (tie: 30 h).  If none qualifies, no advice changes and the
result is documented as a negative.  Studies per cell: as many as the time allows, the same number in every
cell (``--minutes`` stops after the last whole study), stated with the result.

Result (2026-12-05, 40 studies per cell and half): no change clearly helps; nothing in the advice changes.  Plateau
coverage, demo times x3: 65 % tuning / 65 % held-out; + a photo at 30 h 68 / 52 %, at 36 h 65 / 55 % (held out
-12 (-22 to -2) and -10 (-22 to 0) points, paired); 5 subjects 80 / 70 % (+15, +0 to +30 tuning: the interval
touches 0).  The extra photo lies on the drop, which the decay model's slow decline fits, so the checks read the
24 h photos less often and the curve's low figure is reported.  It does help the model's own 3 h fade's ``fades``
verdicts (+12 to +18 points with 3 subjects, both halves).  Linear fade under its own rule: 82 % coverage of its
subjects' own 24 h change with the demo times x3 (both halves).  docs/validation.md section 13.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import bench_decay_jitter as jb  # noqa: E402
import bench_decay_misspecified as mis  # noqa: E402
from facemetrics.decay import FADES, INCONCLUSIVE, PERSISTS, analyze_series  # noqa: E402

TRUTHS = ("plateau_drop", "two_phase", "model_3h", "linear")
EXTRA = {"now": (), "+30": (30.0,), "+36": (36.0,)}
SUBJECTS = (3, 5)
SUPERSET = tuple(sorted(mis.DEMO_TIMES + (30.0, 36.0)))
SCHEDULE_SEED = 100  # the schedule index of the seed sequence: apart from the other benches' (0-12)
N_BOOT_DIFF = 2000


def cells() -> list[tuple[str, int]]:
    """The schedule cells, ``(extra, subjects)``, ``now`` x3 first."""
    return [(e, n) for n in SUBJECTS for e in EXTRA]


def study_table(name: str, k: int) -> tuple[pd.DataFrame, dict]:
    """One study on the superset schedule (5 subjects, jittered times) with a ``nominal_h`` column, and the
    mean true 24 h change of its first 3 and of all 5 subjects (``{3: mm, 5: mm}``)."""
    ti = list(mis.TRUTHS).index(name)
    seq = [mis.SEED, SCHEDULE_SEED, ti, k]
    own = {}
    for n in SUBJECTS:  # the same rng draws per subject whatever n: the first 3 subjects of 5 are those of 3
        rng, jrng = np.random.default_rng(np.random.SeedSequence(seq)), np.random.default_rng(np.random.SeedSequence(seq + [7]))
        table = jb.simulate_table(rng, jrng, name, SUPERSET, n, True)
        own[n] = float(table.pop("own_24h").iloc[0])
    return table.assign(nominal_h=np.tile(SUPERSET, max(SUBJECTS))), own


def one_fit(table: pd.DataFrame, name: str, k: int, extra: str, n: int, own24: float) -> dict:
    """The record of one schedule cell of one study: verdict, 24 h figure, its 95 % CI and what it covers."""
    keep = set(mis.DEMO_TIMES + EXTRA[extra])
    subjects = [f"S{s + 1:02d}" for s in range(n)]
    sub = table[table["nominal_h"].isin(keep) & table["subject"].isin(subjects)].drop(columns="nominal_h")
    f = analyze_series(sub, per_subject=False, seed=k).fits[0]
    answer, true24 = mis.TRUTHS[name][1], mis.population_change(name, 24.0)
    own_answer = FADES if abs(own24) < mis.MARGIN_MM else PERSISTS
    ok = f.status == "ok"
    lo, hi = (f.change_24h_ci_low, f.change_24h_ci_high) if ok else (math.nan, math.nan)
    return dict(truth=name, study=k, half="tuning" if k % 2 == 0 else "held_out", extra=extra, subjects=n,
                answer=answer, true_24h=true24, own_24h=own24, own_answer=own_answer, status=f.status,
                verdict=f.verdict, source=f.change_24h_source, change_24h=f.change_24h, lo95=lo, hi95=hi,
                right=f.verdict == answer, wrong=f.verdict == (PERSISTS if answer == FADES else FADES),
                inconclusive=f.verdict == INCONCLUSIVE, wrong_own=f.verdict == (PERSISTS if own_answer == FADES else FADES),
                covered=bool(ok and lo <= true24 <= hi), covered_own=bool(ok and lo <= own24 <= hi))


def run(studies, minutes: float, csv: str | None) -> pd.DataFrame:
    """Every cell of every study in ``studies`` (whole studies only; stops starting new ones after ``minutes``)."""
    t0, recs = time.time(), []
    for k in studies:
        if recs and time.time() - t0 > 60 * minutes:
            print(f"time budget reached after {len({r['study'] for r in recs})} studies", file=sys.stderr)
            break
        for name in TRUTHS:
            table, own = study_table(name, k)
            recs += [one_fit(table, name, k, e, n, own[n]) for e, n in cells()]
        print(f"study {k} done ({time.time() - t0:.0f} s)", file=sys.stderr, flush=True)
        if csv:
            pd.DataFrame(recs).to_csv(csv, index=False)
    return pd.DataFrame(recs)


def wilson(x: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """Wilson 95 % interval of ``x`` successes in ``n`` (fractions)."""
    if n == 0:
        return math.nan, math.nan
    p, d = x / n, 1 + z * z / n
    c, h = (p + z * z / (2 * n)) / d, z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / d
    return max(0.0, c - h), min(1.0, c + h)


def paired_diff(a: np.ndarray, b: np.ndarray, seed: int = 0) -> tuple[float, float, float]:
    """Mean of ``b - a`` (booleans per study, same order) and its 95 % bootstrap interval over studies."""
    d = np.asarray(b, float) - np.asarray(a, float)
    idx = np.random.default_rng(seed).integers(0, d.size, size=(N_BOOT_DIFF, d.size))
    boot = d[idx].mean(axis=1)
    return float(d.mean()), float(np.quantile(boot, 0.025)), float(np.quantile(boot, 0.975))


def _rate(g: pd.DataFrame, col: str) -> str:
    x, n = int(g[col].sum()), len(g)
    lo, hi = wilson(x, n)
    return f"{100 * x / n:.0f} ({100 * lo:.0f}-{100 * hi:.0f})"


def table(df: pd.DataFrame) -> str:
    """Per half x truth x cell: right / wrong / inconclusive and coverage with Wilson intervals (%)."""
    lines = []
    for half, h in df.groupby("half", sort=False):
        lines += [f"\n{half} half, {h['study'].nunique()} studies per cell (jittered times)\n",
                  "| truth | schedule | subjects | right (%) | wrong (%) | inconclusive (%) | 95 % CI covers (%) | "
                  "from the photos at 18-30 h (%) | median 24 h (mm) |", "|---|---|---|---|---|---|---|---|---|"]
        for (name, n, extra), g in h.groupby(["truth", "subjects", "extra"], sort=False):
            lines.append(f"| {name} | {extra} | {n} | {_rate(g, 'right')} | {_rate(g, 'wrong')} | "
                         f"{_rate(g, 'inconclusive')} | {_rate(g, 'covered')} | "
                         f"{100 * (g['source'] == 'photos_18_30h').mean():.0f} | {g['change_24h'].median():.2f} |")
        lin = h[h["truth"] == "linear"]
        if len(lin):
            lines += ["\nlinear fade under its own rule (its study's own subjects' mean true 24 h change):\n",
                      "| schedule | subjects | 95 % CI covers own (%) | covers population (%) | wrong own (%) | wrong (%) |",
                      "|---|---|---|---|---|---|"]
            for (n, extra), g in lin.groupby(["subjects", "extra"], sort=False):
                lines.append(f"| {extra} | {n} | {_rate(g, 'covered_own')} | {_rate(g, 'covered')} | "
                             f"{_rate(g, 'wrong_own')} | {_rate(g, 'wrong')} |")
    return "\n".join(lines)


def against_now(df: pd.DataFrame) -> pd.DataFrame:
    """Per half x truth x cell: paired differences (points) against ``now`` x3 of right, wrong and coverage."""
    out = []
    for (half, name), h in df.groupby(["half", "truth"], sort=False):
        base = h[(h["extra"] == "now") & (h["subjects"] == 3)].sort_values("study")
        for extra, n in cells()[1:]:
            g = h[(h["extra"] == extra) & (h["subjects"] == n)].sort_values("study")
            rec = dict(half=half, truth=name, schedule=f"{extra} x{n}", n=len(g))
            for col in ("covered", "right", "wrong"):
                m, lo, hi = paired_diff(base[col].to_numpy(), g[col].to_numpy())
                rec.update({col: 100 * m, f"{col}_lo": 100 * lo, f"{col}_hi": 100 * hi})
            rec["wrong_now"], rec["wrong_rate"] = 100 * base["wrong"].mean(), 100 * g["wrong"].mean()
            out.append(rec)
    return pd.DataFrame(out)


def decide(d: pd.DataFrame) -> pd.DataFrame:
    """The module docstring's rule on the tuning half: per schedule change, whether it clearly helps."""
    t = d[d["half"] == "tuning"]
    out = []
    for sched, g in t.groupby("schedule", sort=False):
        p = g[g["truth"] == "plateau_drop"].iloc[0]
        others = g[g["truth"] != "plateau_drop"]
        gain = p["covered"] >= 10 and p["covered_lo"] > 0
        no_loss = (others["right"] >= -5).all() and (others["covered"] >= -5).all()
        no_wrong = ((others["wrong_rate"] <= 5) | (others["wrong_now"] > 5)).all() and (
            p["wrong_rate"] <= 5 or p["wrong_now"] > 5)
        out.append(dict(schedule=sched, plateau_rise=p["covered"], rise_lo=p["covered_lo"], rise_hi=p["covered_hi"],
                        worst_other_right=others["right"].min(), worst_other_cover=others["covered"].min(),
                        no_new_wrong=no_wrong, clearly_helps=bool(gain and no_loss and no_wrong)))
    return pd.DataFrame(out)


def diff_table(d: pd.DataFrame) -> str:
    lines = ["\n| half | truth | schedule | n | coverage change (points, 95 % CI) | right change | wrong change |",
             "|---|---|---|---|---|---|---|"]
    for r in d.to_dict("records"):
        def f(c):
            return f"{r[c]:+.0f} ({r[c + '_lo']:+.0f} to {r[c + '_hi']:+.0f})"
        lines.append(f"| {r['half']} | {r['truth']} | {r['schedule']} | {r['n']} | {f('covered')} | {f('right')} | "
                     f"{f('wrong')} |")
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--studies", type=int, default=80, help="study indices 0..N-1 (even tuning, odd held-out)")
    ap.add_argument("--start", type=int, default=0, help="first study index (a smoke run: far from the studies used)")
    ap.add_argument("--half", choices=("both", "tuning", "held_out"), default="both")
    ap.add_argument("--minutes", type=float, default=math.inf, help="stop starting new studies after this")
    ap.add_argument("--csv", help="write every fit's record here (rewritten after each study)")
    ap.add_argument("--from-csv", nargs="*", help="summarise saved --csv files instead of fitting")
    args = ap.parse_args(argv)
    t0 = time.time()
    if args.from_csv:
        df = pd.concat([pd.read_csv(p) for p in args.from_csv], ignore_index=True)
    else:
        studies = [k for k in range(args.start, args.studies) if args.half == "both" or (k % 2 == 0) == (args.half == "tuning")]
        df = run(studies, args.minutes, args.csv)
    print(f"{len(df)} fits in {time.time() - t0:.0f} s")
    print(table(df))
    d = against_now(df)
    print("\nagainst now x3 on the same studies (paired; points):" + diff_table(d))
    if (d["half"] == "tuning").any():
        print("\nthe rule (tuning half):\n" + decide(d).to_string(index=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
