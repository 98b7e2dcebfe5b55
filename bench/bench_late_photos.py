"""Photos after a day that the fitted curve does not describe (docs/validation.md section 23).

The rule was written (section 23) before any run: candidates of :mod:`facemetrics.decay.late_photos`' check
(A at alpha in 0.01, 0.05, 0.10: the curve misses a late photo time beyond the margin; B: a late photo time beyond
the margin on the side opposite the fitted peak; A or B), chosen on the tuning half (even studies): firing on at
most 5 % of every monotone cell's studies, the highest mean firing rate over the rebound target cells.

Cells: ``bench_follow_on_subject``'s first sessions (3 subjects pooled; rows ``first`` and ``first+next``) under the
rebound truths and ``all_fade`` / ``all_last``; ``bench_decay_misspecified``'s eight truths on ``demo x1`` / ``demo x3``.
Each record keeps every late photo time's statistics, so every candidate is read from one run::

    PYTHONPATH=. nice -n 5 python bench/bench_late_photos.py --studies 20 --csv /tmp/late.csv
    python bench/bench_late_photos.py --from-csv /tmp/late.csv --show tuning
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from facemetrics.decay import analyze_series  # noqa: E402
from facemetrics.decay.late_photos import LateTime  # noqa: E402

import bench_decay_misspecified as mis  # noqa: E402
import bench_follow_on_subject as fo  # noqa: E402

SEED = 2026120758
FO_TRUTHS = ("all_dip", "all_return", "all_late_return", "all_fade", "all_last")
MONOTONE_FO = ("all_fade", "all_last")
MIS_SCHEDULES = ("demo x1", "demo x3")
#: candidates ``name: (alpha of A or None, B on)``
CANDIDATES = {"A0.01": (0.01, False), "A0.05": (0.05, False), "A0.10": (0.10, False), "B": (None, True),
              "A0.01|B": (0.01, True), "A0.05|B": (0.05, True), "A0.10|B": (0.10, True)}
#: the order of simplicity for ties (section 23)
SIMPLER = ("B", "A0.01", "A0.05", "A0.10", "A0.01|B", "A0.05|B", "A0.10|B")


def _record(fit, **keys) -> dict:
    late = [dict(t=list(x.times_h), n=x.n_photos, m=x.data_change, c=x.curve_change, g=x.gap, p=x.p_value,
                 ci=list(x.data_ci)) for x in fit.late_photos]
    return dict(**keys, half="tuning" if keys["study"] % 2 == 0 else "held_out", status=fit.status,
                verdict=fit.verdict, peak=fit.peak_change, delta=fit.smallest_meaningful_change,
                lasting=fit.lasting, late=json.dumps(late))


def _subject_count(data) -> int:
    return int(data["subject"].astype(str).nunique())


def target(family: str, cell: str, truth: str, rows: str) -> bool:
    """Section 23's target cells: the population's truth at a late photo time beyond 0.3 mm."""
    if family != "rebound":
        return False
    if truth == "all_dip":
        return True
    return rows == "first+next" and cell != "home48"


def run(studies, seed_base=SEED, parts=("fo", "mis"), one_subject=False) -> pd.DataFrame:
    """Records of every cell; ``one_subject`` (section 23b): also the first-session tables cut to their first subject
    (``subjects`` 1), and every record keeps its series' subject count."""
    recs = []
    if "fo" in parts:
        for di, design in enumerate(fo.DESIGNS):
            for ti, truth in enumerate(fo.STUDIES):
                if truth not in FO_TRUTHS:
                    continue
                kinds = fo.STUDIES[truth]
                for k in studies:
                    rng = np.random.default_rng(np.random.SeedSequence([seed_base, 1, di, ti, k]))
                    table, _ = fo.simulate_study(rng, design, kinds)
                    first = table[table["photo"].str.contains("/s0/")]
                    tables = [(3, first)]
                    if one_subject:
                        tables.append((1, first[first["subject"].astype(str) == "S1"]))
                    for n_subj, part in tables:
                        nb_p = np.isclose(part["hours_since_treatment"], fo.DESIGNS[design][0] - 0.25)
                        for rows, data in (("first", part[~nb_p]), ("first+next", part)):
                            fit = analyze_series(data, per_subject=False, n_boot=fo.N_BOOT, seed=k).fits[0]
                            fam = "monotone" if truth in MONOTONE_FO else "rebound"
                            extra = dict(subjects=_subject_count(data)) if one_subject else {}
                            cell = design if n_subj == 3 else f"{design} x1"
                            recs.append(_record(fit, family=fam, cell=cell, truth=truth, rows=rows, study=k,
                                                target=target(fam, design, truth, rows), **extra))
    if "mis" in parts:
        for si, sched in enumerate(mis.SCHEDULES):
            if sched not in MIS_SCHEDULES:
                continue
            times, n_subj = mis.SCHEDULES[sched]
            for ti, name in enumerate(mis.TRUTHS):
                for k in studies:
                    rng = np.random.default_rng(np.random.SeedSequence([seed_base, 2, si, ti, k]))
                    table = mis.simulate_table(rng, name, times, n_subj).drop(columns="own_24h")
                    fit = analyze_series(table, per_subject=False, seed=k).fits[0]
                    extra = dict(subjects=_subject_count(table)) if one_subject else {}
                    recs.append(_record(fit, family="monotone", cell=sched, truth=name, rows="-", study=k,
                                        target=False, **extra))
    return pd.DataFrame(recs)


def fired(rec, alpha, opposite) -> bool:
    """Whether the candidate ``(alpha, opposite)`` fires on one record (alpha None: A off)."""
    if rec["status"] != "ok":
        return False
    for d in json.loads(rec["late"]):
        x = LateTime(tuple(d["t"]), d["n"], d["m"], d["c"], d["g"], math.nan if d["p"] is None else d["p"],
                     tuple(math.nan if v is None else v for v in d["ci"]))
        if x.off_curve(rec["delta"], rec["peak"], alpha=-1.0 if alpha is None else alpha, opposite=opposite):
            return True
    return False


def rates(df: pd.DataFrame) -> pd.DataFrame:
    """Per half x family x cell x truth x rows: each candidate's firing rate (%)."""
    out = df[["half", "family", "cell", "truth", "rows", "target"]].copy()
    for name, (alpha, opp) in CANDIDATES.items():
        out[name] = [100.0 * fired(r, alpha, opp) for _, r in df.iterrows()]
    keys = ["half", "family", "cell", "truth", "rows", "target"]
    return out.groupby(keys, sort=False).mean().reset_index()


def choose(r: pd.DataFrame, half="tuning") -> tuple[str | None, pd.DataFrame]:
    """Section 23's rule on ``half``: per candidate the largest monotone rate and the mean target rate."""
    h = r[r["half"] == half]
    rows = []
    for name in CANDIDATES:
        rows.append(dict(candidate=name, monotone_max=h.loc[h["family"] == "monotone", name].max(),
                         target_mean=h.loc[h["target"], name].mean()))
    s = pd.DataFrame(rows)
    ok = s[s["monotone_max"] <= 5.0].copy()
    if ok.empty:
        return None, s
    ok["simple"] = [SIMPLER.index(c) for c in ok["candidate"]]
    best = ok.sort_values(["target_mean", "monotone_max", "simple"], ascending=[False, True, True]).iloc[0]
    return str(best["candidate"]), s


# ---------------------------------------------------------------- section 23b (stop 58): rule 8 on one subject

#: section 23b's seed base (fresh)
SEED_58 = 2026120858
#: section 23b's candidates, in its order (ties go to the earlier)
CANDIDATES_58 = ("keep", "B2", "S1", "M2", "M2s")


def target_58(family: str, cell: str, truth: str, rows: str) -> bool:
    """Section 23b's target cells: section 23's, corrected (``home48`` ``dip`` ``first`` has no photo after 36 h),
    for 3 subjects and for 1 (cells ``"<design> x1"``)."""
    design = cell.removesuffix(" x1")
    if family != "rebound":
        return False
    if truth == "all_dip":
        return not (design == "home48" and rows == "first")
    return rows == "first+next" and design != "home48"


def fired_58(rec, candidate: str) -> bool:
    """Whether section 23b's ``candidate`` fires on one record (which holds ``subjects``)."""
    if rec["status"] != "ok":
        return False
    one = int(rec["subjects"]) < 2
    times = []
    for d in json.loads(rec["late"]):
        times.append(LateTime(tuple(d["t"]), d["n"], d["m"], d["c"], d["g"], math.nan if d["p"] is None else d["p"],
                              tuple(math.nan if v is None else v for v in d["ci"])))
    n_late = sum(x.n_photos for x in times)
    delta, peak = rec["delta"], rec["peak"]
    for x in times:
        a05 = x.off_curve(delta, peak, alpha=0.05, opposite=False)
        b = x.off_curve(delta, peak, alpha=-1.0, opposite=True)
        if candidate == "keep":
            hit = a05 or b
        elif candidate == "B2":
            hit = a05 or (b and not one)
        elif candidate == "S1":
            if one:
                hit = x.off_curve(delta, peak, alpha=0.01, opposite=False) or (
                    b and math.isfinite(x.p_value) and x.p_value < 0.10)
            else:
                hit = a05 or b
        elif candidate == "M2":
            hit = a05 or (b and x.n_photos >= 2)
        elif candidate == "M2s":
            hit = a05 or (b and n_late >= 2)
        else:
            raise ValueError(candidate)
        if hit:
            return True
    return False


def rates_58(df: pd.DataFrame) -> pd.DataFrame:
    """Per half x family x cell x truth x rows: each section 23b candidate's firing rate (%), and its target flag."""
    out = df[["half", "family", "cell", "truth", "rows"]].copy()
    out["target"] = [target_58(f, c, t, r) for f, c, t, r in zip(df["family"], df["cell"], df["truth"], df["rows"])]
    for name in CANDIDATES_58:
        out[name] = [100.0 * fired_58(r, name) for _, r in df.iterrows()]
    out["n"] = 1
    keys = ["half", "family", "cell", "truth", "rows", "target"]
    g = out.groupby(keys, sort=False)
    r = g[list(CANDIDATES_58)].mean()
    r["n"] = g["n"].sum()
    return r.reset_index()


def choose_58(r: pd.DataFrame, half="tuning") -> tuple[str, pd.DataFrame]:
    """Section 23b's rule on ``half``: eligible (<= 5 % in every monotone cell), then the highest target mean (ties
    within 0.5 point: the earlier of :data:`CANDIDATES_58`); none eligible: the smallest monotone maximum, then the
    highest target mean."""
    h = r[r["half"] == half]
    mono, tgt = h[h["family"] == "monotone"], h[h["target"]]
    s = pd.DataFrame([dict(candidate=c, monotone_max=mono[c].max(), monotone_mean=mono[c].mean(),
                           target_mean=tgt[c].mean(),
                           target_mean_3=tgt.loc[~tgt["cell"].str.endswith(" x1"), c].mean(),
                           target_mean_1=tgt.loc[tgt["cell"].str.endswith(" x1"), c].mean(),
                           worst=", ".join(f"{a} {b} {d}" for a, b, d in
                                           mono.loc[mono[c] == mono[c].max(), ["cell", "truth", "rows"]].values[:3]))
                      for c in CANDIDATES_58])
    ok = s[s["monotone_max"] <= 5.0]
    if ok.empty:
        pool = s[s["monotone_max"] == s["monotone_max"].min()]
    else:
        pool = ok
    best_mean = pool["target_mean"].max()
    best = pool[pool["target_mean"] >= best_mean - 0.5].iloc[0]["candidate"]
    return str(best), s


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--studies", type=int, default=20)
    ap.add_argument("--first-study", type=int, default=0)
    ap.add_argument("--seed-base", type=int, default=SEED)
    ap.add_argument("--parts", nargs="+", default=["fo", "mis"], choices=["fo", "mis"])
    ap.add_argument("--csv")
    ap.add_argument("--from-csv", nargs="+")
    ap.add_argument("--show", choices=("tuning", "held_out", "both"), default="tuning")
    ap.add_argument("--rule", choices=("s57", "s58"), default="s57",
                    help="s57: section 23's candidates; s58: section 23b's (one-subject cells too; seed base "
                         f"{SEED_58} unless --seed-base)")
    args = ap.parse_args(argv)
    s58 = args.rule == "s58"  # section 23b: its own seed base and one-subject cells, its own rule
    if args.from_csv:
        df = pd.concat([pd.read_csv(p) for p in args.from_csv], ignore_index=True)
    else:
        seed = SEED_58 if s58 and args.seed_base == SEED else args.seed_base
        df = run(range(args.first_study, args.first_study + args.studies), seed, tuple(args.parts), one_subject=s58)
        if args.csv:
            df.to_csv(args.csv, index=False)
    r = (rates_58 if s58 else rates)(df)
    halves = ("tuning", "held_out") if args.show == "both" else (args.show,)
    pd.set_option("display.width", 250)
    for half in halves:
        print(f"== {half} (firing rate, % of studies)")
        print(r[r["half"] == half].drop(columns="half").to_string(index=False, float_format=lambda v: f"{v:.0f}"))
        best, t = (choose_58 if s58 else choose)(r, half)
        print(t.to_string(index=False, float_format=lambda v: f"{v:.1f}"))
        print(f"chosen on {half}: {best}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
