"""§16's blind spot: a flow-only photo in a series of exactly 6 fitted photos (docs/validation.md §17, 2026-12-05; the
rules, cuts, counts and choice rule were committed before this script was run on a face).

Rules for a candidate photo i of a 6-photo series: (a) the point fit of the 5 others (``fit_decay``), residual over
the row's noise floor; (b) linear interpolation between photo i's two time neighbours, residual over the
interpolation's floor; (c) no judgement (the photo "could not be checked"), the fallback of both.

Usage (fits only, from the rows §15 measured; nothing re-measured)::

    nice -n 10 python bench/bench_flow_six.py --twins /tmp/h10/rows.csv --table /tmp/h1s46/lifted.csv

Skips (exit 0) without ``../shared/faces``.
"""

from __future__ import annotations

import argparse
import math
import sys
from itertools import combinations
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import bench_flow_refit as refit  # noqa: E402
import bench_smile_study as smile  # noqa: E402

from facemetrics.decay.model import default_amplitude_bound, default_half_life_bounds, fit_decay  # noqa: E402

KS = (1.0, 1.5, 2.0, 3.0)
RULES = ("a", "b")
STEP = 4  # microcurrent cost cuts: every 4th 6-subset in lexicographic order (§17)


def ratio_a(others: pd.DataFrame, r) -> float:
    """(a): |value - point fit of ``others``| / the row's floor; NaN when the fit fails (could not be checked)."""
    t = others.hours_since_treatment.to_numpy(float)
    y = others.value.to_numpy(float)
    p = fit_decay(t, y, amplitude_bound=default_amplitude_bound(y), half_life_bounds=default_half_life_bounds(t))
    if not p.success or not r.noise_floor > 0:
        return math.nan
    return abs(r.value - p.change_at(r.hours_since_treatment)) / r.noise_floor


def ratio_b(others: pd.DataFrame, r) -> float:
    """(b): |value - interpolation of the two time neighbours| / the interpolation's floor; NaN without both."""
    t0 = r.hours_since_treatment
    before, after = others[others.hours_since_treatment < t0], others[others.hours_since_treatment > t0]
    if before.empty or after.empty or not r.noise_floor > 0:
        return math.nan
    a = before.loc[before.hours_since_treatment.idxmax()]
    b = after.loc[after.hours_since_treatment.idxmin()]
    wb = (t0 - a.hours_since_treatment) / (b.hours_since_treatment - a.hours_since_treatment)
    wa = 1 - wb
    pred = wa * a.value + wb * b.value
    floor = math.sqrt(r.noise_floor ** 2 + (wa * a.noise_floor) ** 2 + (wb * b.noise_floor) ** 2)
    return abs(r.value - pred) / floor


def ratios(cut: pd.DataFrame, r) -> dict:
    others = cut[cut.photo != r.photo]
    return {"a": ratio_a(others, r), "b": ratio_b(others, r)}


def _fitted(s: pd.DataFrame) -> pd.DataFrame:
    return s[s.verdict != "uncertain"].sort_values("hours_since_treatment")


def twins_six(path: Path) -> pd.DataFrame:
    """Every cut of each of h10's 11 flip series: the smiling photo and 5 of the other fitted photos."""
    df = pd.read_csv(path, dtype={"subject": str}, keep_default_na=False, na_values=[""])
    flips = pd.read_csv(path.with_suffix(".refit.csv"), dtype={"subject": str}, keep_default_na=False)
    flips = flips[flips.flip.astype(str) == "True"]
    out = []
    for _, f in flips.iterrows():
        key = (f.treatment, f.metric, f.side)
        g = df[df.subject == f.subject]
        clean = refit._series(g[g.cell == "clean"], key)
        sm = refit._series(g[g.cell == f.cell], key)
        twin = _fitted(pd.concat([clean[clean.hours_since_treatment != smile.CELLS[f.cell]], sm]))
        s_row = sm.iloc[0]
        others = twin[twin.photo != s_row.photo]
        cf = _fitted(clean)
        for combo in combinations(range(len(others)), 5):
            cut = pd.concat([others.iloc[list(combo)], sm])
            ccut = cf[cf.hours_since_treatment.isin(cut.hours_since_treatment)]
            vt, vc = refit._fit_one(cut, smile.N_BOOT), refit._fit_one(ccut, smile.N_BOOT)
            judged = vt is not None and vc is not None and "insufficient" not in (vt.status, vc.status)
            out.append(dict(subject=f.subject, cell=f.cell, treatment=f.treatment, metric=f.metric,
                            times=";".join(f"{x:g}" for x in sorted(cut.hours_since_treatment)),
                            clean=vc.verdict if vc is not None else "", twin=vt.verdict if vt is not None else "",
                            judged=judged, flip=judged and vt.verdict != vc.verdict,
                            **{f"ratio_{k}": v for k, v in ratios(cut, s_row).items()}))
    return pd.DataFrame(out)


def _cuts(fitted: pd.DataFrame) -> list[pd.DataFrame]:
    n = len(fitted)
    if n < 6:
        return []
    if n == 6:
        return [fitted]
    if n == 7:
        return [fitted.drop(fitted.index[i]) for i in range(7)]
    return [fitted.iloc[list(c)] for c in list(combinations(range(n), 6))[::STEP]]


def lifted_six(path: Path) -> pd.DataFrame:
    """Every cut of every claim series of every clean lifted study: its candidates' ratios under (a) and (b)."""
    df = pd.read_csv(path, dtype={"subject": str}, keep_default_na=False, na_values=[""])
    out = []
    for (set_, subj, tr), g in df.groupby(["set", "subject", "treatment"]):
        for m in refit.CLAIM_METRICS:
            for j, cut in enumerate(_cuts(_fitted(refit._series(g, (tr, m, "mean"))))):
                cand = cut[cut.expression == "flow"]
                rs = [dict(photo=r.photo, **ratios(cut, r)) for _, r in cand.iterrows()]
                rec = dict(set=set_, subject=subj, treatment=tr, metric=m, cut=j, n_cand=len(rs))
                for rule in RULES:
                    v = [x[rule] for x in rs]
                    rec[f"unchecked_{rule}"] = int(sum(not np.isfinite(x) for x in v))
                    rec[f"max_{rule}"] = max([x for x in v if np.isfinite(x)], default=math.nan)
                flagged_any = any(rec[f"max_{r}"] > min(KS) for r in RULES)
                rec["verdict"] = refit._fit_one(cut, smile.N_BOOT).verdict if flagged_any else ""
                out.append(rec)
        print(subj, tr, flush=True)
    return pd.DataFrame(out)


def summary(tw: pd.DataFrame | None, t: pd.DataFrame | None) -> None:
    if tw is not None:
        fl = tw[tw.flip]
        print(f"twin cuts {len(tw)}, judged {int(tw.judged.sum())}, 6-photo flips {len(fl)}")
        print(fl.groupby(["subject", "cell", "treatment", "metric"]).size().to_string())
        for rule in RULES:
            x = fl[f"ratio_{rule}"]
            print(f"rule {rule}: smiling-photo ratio min {x.min():.2f} median {x.median():.2f}, "
                  f"unchecked {int(x.isna().sum())}; caught per k: "
                  + ", ".join(f"{k:g}: {int((x > k).sum())}" for k in KS))
            low = fl[~(x > 1.0)]
            if len(low):
                print(low[["subject", "cell", "treatment", "metric", "times", "clean", "twin", f"ratio_{rule}"]]
                      .to_string(index=False))
    if t is not None:
        for rule in RULES:
            for k in KS:
                ch = (t[f"max_{rule}"] > k) & (t.verdict != "inconclusive") & (t.verdict != "")
                for tr, x in list(t.assign(ch=ch).groupby("treatment")) + [("both", t.assign(ch=ch))]:
                    c = x[x.n_cand > 0]
                    st = x.groupby(["subject", "treatment"]).ch.any()
                    print(f"rule {rule} k {k:g} {tr}: cuts {len(x)}, with candidate {len(c)}, changed "
                          f"{int(x.ch.sum())} ({100 * x.ch.mean():.1f} % of cuts, {100 * c.ch.mean():.1f} % of those "
                          f"with a candidate), studies with a changed cut {int(st.sum())} of {len(st)}, "
                          f"unchecked photos {int(x[f'unchecked_{rule}'].sum())} of {int(x.n_cand.sum())}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--twins", type=Path)
    ap.add_argument("--table", type=Path)
    ap.add_argument("--out", type=Path, default=Path("/tmp/h1s47"))
    args = ap.parse_args(argv)
    if not refit.FACES.is_dir():
        print(f"skipped: {refit.FACES} not found")
        return 0
    pd.set_option("display.width", 220)
    args.out.mkdir(parents=True, exist_ok=True)
    tw = twins_six(args.twins) if args.twins else None
    if tw is not None:
        tw.to_csv(args.out / "six_twins.csv", index=False)
    t = lifted_six(args.table) if args.table else None
    if t is not None:
        t.to_csv(args.out / f"six_{args.table.stem}.csv", index=False)
    summary(tw, t)
    return 0


if __name__ == "__main__":
    sys.exit(main())
