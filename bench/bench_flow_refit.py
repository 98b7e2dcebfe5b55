"""Refit each series without its flow-only comparisons: what the rule catches and what it costs
(docs/validation.md §15, 2026-12-05; the rule, cells, counts and ship bound were committed before this script was run
on a face; §16's leave-one-out rule, ``--rule loo``, likewise).

The rule: a series (subject x treatment x metric x side) is fitted with every fitted comparison and again without the
comparisons that carry the gate's flow-only warning (:data:`facemetrics.compare.gate.MSG_EXPRESSION_MAYBE`); when the
two verdicts differ it reads ``inconclusive`` and names the photos.

- *twins* (the catch side): stop 45's rows of ``bench/bench_smile_study.py --measure`` (clean London studies and their
  twins with one smiling post photo), re-fitted with and without the flow-only comparisons;
- *clean lifted studies* (the cost side): the demo's design on a real face whose post photos carry
  ``bench/bench_coverage.py``'s oblique bump (not :func:`facemetrics.simulate.lift`'s shape) of the design's true
  change, through the demo's pose and jitter nuisances; fitted with and without their flow-only comparisons.

Usage::

    python bench/bench_flow_refit.py --twins /tmp/h10/rows.csv                       # fits only (~1 min)
    nice -n 10 python bench/bench_flow_refit.py --measure /tmp/h1/lifted.csv --set tuning  # slow: 16 comparisons/face
    python bench/bench_flow_refit.py --table /tmp/h1/lifted.csv                       # fits and the summary
    python bench/bench_flow_refit.py --rule loo --twins /tmp/h10/rows.csv --table /tmp/h1/lifted.csv  # §16, per k

``--measure`` appends one face at a time (a rerun skips the faces already in the file) and stops starting new faces
after ``--until HH:MM`` (UTC), so the n is set by the clock, never by a result.  Skips (exit 0) without
``../shared/faces``.
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import bench_coverage as cov  # noqa: E402
import bench_smile_study as smile  # noqa: E402
from accuracy import canada_split  # noqa: E402

from facemetrics import analyze_photo, compare_photos  # noqa: E402
from facemetrics.batch import LONG_COLUMNS, long_rows  # noqa: E402
from facemetrics.decay import analyze_series  # noqa: E402
from facemetrics.decay.model import decay_model  # noqa: E402
from facemetrics.study import DEFAULT_DESIGN, true_change  # noqa: E402

FACES = HERE.parent.parent / "shared" / "faces"
KEY = ["treatment", "metric", "side"]
CLAIM_METRICS = ("jawline_lift_mm", "mouth_corner_lift_mm")
TRUTH = {"microcurrent": "fades_within_a_day", "rf": "persists_beyond_a_day"}


def face_order(which: str) -> list[tuple[str, Path]]:
    """The faces of ``which`` ('tuning': London 12 and the Canada tuning split alternating, each sorted by name;
    'held': the Canada held-out split, sorted), as ``(set, path)``."""
    london = sorted((FACES / "london_ccby").glob("london_*_neutral.jpg"))
    tune, held = canada_split(sorted((FACES / "canada_ccby").glob("*.jpg")))
    if which == "held":
        return [("canada_held", p) for p in held]
    out = []
    for k in range(max(len(london), len(tune))):
        out += [("london", london[k])] if k < len(london) else []
        out += [("canada_tune", tune[k])] if k < len(tune) else []
    return out


def _bump_photo(ana, mm: float, seed) -> bytes:
    """JPEG bytes of ``ana``'s photo with the oblique bump of vertical peak ``mm`` (both sides), then the demo's pose
    and jitter draws of ``seed`` (as ``bench_smile_study._photo``, the bump in place of ``simulate.lift``)."""
    rng = np.random.default_rng(seed)
    rgb = ana.photo.rgb.copy() if abs(mm) < 1e-9 else cov.apply_field(ana.photo.rgb, *cov.bump_field(ana, mm, mm)[:2])
    return smile.posed_jpeg(ana, rgb, rng)


def measure_face(i: int, set_: str, path: Path) -> list[dict]:
    """The long rows of face ``path``'s two clean lifted studies (one per treatment of the demo's design)."""
    base = smile._base(path)
    if base is None:
        return []
    subj = path.stem
    rows = []
    for k, (treatment, spec) in enumerate(sorted(DEFAULT_DESIGN.items())):
        before = analyze_photo(_bump_photo(base, 0.0, (i, k, 0)), name="before.jpg")
        for n, t in enumerate(spec["times_h"][1:], start=1):
            mm = float(true_change(t, spec["peak_mm"], spec["half_life_h"], spec.get("lasting_mm", 0.0)))
            cmp = compare_photos(before, analyze_photo(_bump_photo(base, mm, (i, k, n)), name=f"{t:g}h.jpg"))
            rows += [dict(r, set=set_, true_mm=mm, expression=smile._expression(cmp.messages), status_cmp=cmp.status,
                          mouth=smile.mouth_cue(cmp.messages))
                     for r in long_rows(cmp, subject=subj, treatment=treatment, hours_since_treatment=t,
                                        photo=f"{subj}_{treatment}_{t:g}h.jpg", messages=cmp.messages)]
    return rows


def rule(rows: pd.DataFrame) -> pd.DataFrame:
    """Per series of ``rows`` (one study or twin): today's verdict, the verdict without the flow-only comparisons,
    the rule's output and the flow-only photos that entered the fit (those whose rows are not ``uncertain``)."""
    flow = rows["expression"] == "flow"
    f_all = smile._fit(rows).set_index(KEY)
    f_wo = smile._fit(rows[~flow]).set_index(KEY) if flow.any() else f_all
    out = []
    for key in f_all.index:
        entered = rows[flow & (rows.treatment == key[0]) & (rows.metric == key[1]) & (rows.side == key[2])
                       & (rows.verdict != "uncertain")]
        v_all = f_all.loc[key, "verdict"]
        v_wo = f_wo.loc[key, "verdict"] if key in f_wo.index else "not_fitted"
        out.append(dict(zip(KEY, key), verdict=v_all, verdict_without=v_wo, named=v_all != v_wo,
                        rule=v_all if v_all == v_wo else "inconclusive",
                        flow_photos=";".join(sorted(set(entered.photo))), n_flow_entered=entered.photo.nunique()))
    return pd.DataFrame(out)


# --- §16: the leave-one-out rule (``--rule loo``) -------------------------------------------------------------------

KS = (1.0, 1.5, 2.0, 3.0)  # the k candidates of §16, written before the rule was run on a face


def _series(rows: pd.DataFrame, key) -> pd.DataFrame:
    """The rows of series ``key`` = (treatment, metric, side) of ``rows``."""
    return rows[(rows.treatment == key[0]) & (rows.metric == key[1]) & (rows.side == key[2])]


def _fit_one(srows: pd.DataFrame, n_boot: int) -> pd.Series | None:
    """One series' fit (``analyze_series`` on those rows alone, seed 0), or None when it has no fit row."""
    f = analyze_series(srows[LONG_COLUMNS], n_boot=n_boot, seed=0, per_subject=False).to_frame()
    return f.iloc[0] if len(f) else None


def loo_ratios(rows: pd.DataFrame) -> pd.DataFrame:
    """Per series of ``smile.SERIES`` and flow-only photo that enters its fit: the leave-one-out residual
    ``value - decay_model(t, fit without that photo)`` (metric unit) over the row's ``noise_floor`` (NaN when the
    series has no fit without the photo)."""
    out = []
    for tr in sorted(rows.treatment.unique()):
        for m, side in smile.SERIES:
            s = _series(rows, (tr, m, side))
            cand = s[(s.expression == "flow") & (s.verdict != "uncertain")]
            for _, r in cand.iterrows():
                f = _fit_one(s[s.photo != r.photo], 0)
                ok = f is not None and np.isfinite(f.get("half_life_h", np.nan))
                pred = decay_model(r.hours_since_treatment, f.lasting, f.transient, f.half_life_h) if ok else np.nan
                out.append(dict(treatment=tr, metric=m, side=side, photo=r.photo, value=r.value, pred=pred,
                                floor=r.noise_floor, ratio=abs(r.value - pred) / r.noise_floor if ok else np.nan))
    return pd.DataFrame(out, columns=["treatment", "metric", "side", "photo", "value", "pred", "floor", "ratio"])


def loo_rule(rows: pd.DataFrame, ratios: pd.DataFrame, today: pd.DataFrame, k: float, memo: dict) -> pd.DataFrame:
    """§16's rule with factor ``k`` on ``rows`` (one study or twin): per series today's verdict (``today``, indexed
    by :data:`KEY`), the photos standing out (F), the verdict without them and the rule's output.  ``memo`` keeps
    the fits without F between calls (its keys carry the study: the caller's ``memo`` is per study)."""
    out = []
    for key in today.index:
        r = ratios[(ratios.treatment == key[0]) & (ratios.metric == key[1]) & (ratios.side == key[2])]
        flagged = tuple(sorted(r.photo[r.ratio > k]))
        v_all = today.loc[key, "verdict"]
        v_wo = v_all
        if flagged:
            if (key, flagged) not in memo:
                s = _series(rows, key)
                f = _fit_one(s[~s.photo.isin(flagged)], smile.N_BOOT)
                memo[(key, flagged)] = f.verdict if f is not None else "not_fitted"
            v_wo = memo[(key, flagged)]
        out.append(dict(zip(KEY, key), verdict=v_all, flagged=";".join(flagged), verdict_without=v_wo,
                        named=v_all != v_wo, rule=v_all if v_all == v_wo else "inconclusive",
                        n_unfitted=int(r.ratio.isna().sum())))
    return pd.DataFrame(out)


def twins_loo(path: Path, ks=KS) -> pd.DataFrame:
    """§16's rule on h10's flips, per k: the flips and today's verdicts from §15's re-fit (``path``'s ``.refit.csv``,
    ``--twins``' table), the rows from ``path``; one row per flip and k, ``caught`` as §16 defines it."""
    df = pd.read_csv(path, dtype={"subject": str}, keep_default_na=False, na_values=[""])
    flips = pd.read_csv(path.with_suffix(".refit.csv"), dtype={"subject": str}, keep_default_na=False)
    flips = flips[flips.flip.astype(str) == "True"]
    out = []
    for (subj, cell), fl in flips.groupby(["subject", "cell"]):
        g = df[df.subject == subj]
        clean = g[g.cell == "clean"]
        tw = pd.concat([clean[clean.hours_since_treatment != smile.CELLS[cell]], g[g.cell == cell]])
        smile_photos = set(g[g.cell == cell].photo)
        tw = tw[tw.treatment.isin(fl.treatment)]
        today = fl.rename(columns={"twin": "verdict"}).set_index(KEY)[["verdict"]]
        ratios, memo = loo_ratios(tw), {}
        ratios = ratios[ratios.set_index(KEY).index.isin(today.index)]
        for k in ks:
            r = loo_rule(tw, ratios, today, k, memo).set_index(KEY)
            for key, x in r.iterrows():
                f = fl.set_index(KEY).loc[key]
                ratio = ratios[(ratios.treatment == key[0]) & (ratios.metric == key[1]) & (ratios.side == key[2])
                               & ratios.photo.isin(smile_photos)].ratio
                smile_named = x.named and bool(smile_photos & set(x.flagged.split(";")))
                out.append(dict(subject=subj, cell=cell, **dict(zip(KEY, key)), k=k, clean=f.clean, twin=x.verdict,
                                without_smile=f.twin_without, smile_ratio=float(ratio.max()) if len(ratio) else np.nan,
                                flagged=x.flagged, rule=x.rule,
                                caught=smile_named or x.rule == f.twin_without))
    return pd.DataFrame(out)


def lifted_loo(path: Path, ks=KS) -> pd.DataFrame:
    """§16's rule on every clean lifted study of ``path`` (``--measure``'s rows), per k; today's verdicts from
    ``path``'s ``.refit.csv`` (§15's ``--table``).  One row per series and k."""
    df = pd.read_csv(path, dtype={"subject": str}, keep_default_na=False, na_values=[""])
    fits = pd.read_csv(path.with_suffix(".refit.csv"), dtype={"subject": str}, keep_default_na=False)
    out = []
    for (set_, subj), g in df.groupby(["set", "subject"]):
        today = fits[fits.subject == subj].set_index(KEY)[["verdict"]]
        ratios, memo = loo_ratios(g), {}
        for k in ks:
            r = loo_rule(g, ratios, today, k, memo)
            r["set"], r["subject"], r["k"] = set_, subj, k
            fired = g[g.expression == "flow"].groupby("treatment").photo.nunique()
            r["n_flow_photos"] = r.treatment.map(fired).fillna(0).astype(int)
            r["max_ratio"] = [ratios[(ratios.treatment == a) & (ratios.metric == b) & (ratios.side == c)].ratio.max()
                              for a, b, c in zip(r.treatment, r.metric, r.side)]
            out.append(r)
        print(subj, datetime.now(timezone.utc).strftime("%H:%M:%S"), flush=True)
    return pd.concat(out, ignore_index=True)


def print_loo(tw: pd.DataFrame | None, t: pd.DataFrame | None) -> None:
    """Per k: flips caught (of n) and clean lifted studies flagged / changed (of n)."""
    for k in KS:
        line = f"k {k:g}:"
        if tw is not None:
            x = tw[tw.k == k]
            line += f" flips caught {int(x.caught.sum())} of {len(x)} (smile photo flagged {int((x.flagged != '').sum())});"
        if t is not None:
            x = t[t.k == k]
            s = _studies(x.assign(n_flow_photos=x.n_flow_photos))
            fl = x[x.metric.isin(CLAIM_METRICS)].groupby(["set", "subject", "treatment"]).flagged.apply(
                lambda v: (v != "").any())
            for tr, y in list(s.groupby("treatment")) + [("both", s)]:
                f_ = fl[fl.index.get_level_values(2) == tr] if tr != "both" else fl
                line += (f" {tr}: changed {int(y.changed.sum())} of {len(y)} ({100 * y.changed.mean():.0f} %),"
                         f" flagged {int(f_.sum())}, fold changed {int(y.fold_changed.sum())},"
                         f" truth today/rule {int(y.right_before.sum())}/{int(y.right_rule.sum())} of {2 * len(y)};")
        print(line)


def twins(path: Path) -> pd.DataFrame:
    """h10's flips (smiling photo entered, verdict moved from the clean study's) and the rule's output on them."""
    df = pd.read_csv(path, dtype={"subject": str}, keep_default_na=False, na_values=[""])
    out = []
    for subj, g in df.groupby("subject"):
        clean = g[g.cell == "clean"]
        r0 = rule(clean).set_index(KEY)
        for cell, h in smile.CELLS.items():
            tw = pd.concat([clean[clean.hours_since_treatment != h], g[g.cell == cell]])
            r1 = rule(tw).set_index(KEY)
            sm = g[g.cell == cell]
            for key in r1.index.intersection(r0.index):
                srow = sm[(sm.treatment == key[0]) & (sm.metric == key[1]) & (sm.side == key[2])]
                entered = bool(len(srow)) and srow.expression.iloc[0] == "flow" and srow.verdict.iloc[0] != "uncertain"
                out.append(dict(subject=subj, cell=cell, **dict(zip(KEY, key)), smile_entered=entered,
                                clean=r0.loc[key, "verdict"], clean_rule=r0.loc[key, "rule"],
                                twin=r1.loc[key, "verdict"], twin_without=r1.loc[key, "verdict_without"],
                                twin_rule=r1.loc[key, "rule"], named=r1.loc[key, "named"],
                                flow_photos=r1.loc[key, "flow_photos"]))
    t = pd.DataFrame(out)
    t["flip"] = t.smile_entered & (t.clean != t.twin)
    t["caught"] = t.named | (t.twin_rule == t.twin_without)
    return t


def lifted_table(path: Path) -> pd.DataFrame:
    """The rule on every clean lifted study of ``path`` (``--measure``'s rows): one row per series."""
    df = pd.read_csv(path, dtype={"subject": str}, keep_default_na=False, na_values=[""])
    cache = path.with_suffix(".refit.csv")  # a face's fits are its rows' alone: kept between runs
    old = pd.read_csv(cache, dtype={"subject": str}, keep_default_na=False) if cache.exists() else None
    out = []
    for (set_, subj), g in df.groupby(["set", "subject"]):
        if old is not None and subj in set(old.subject):
            out.append(old[old.subject == subj])
            continue
        r = rule(g)
        r["set"], r["subject"] = set_, subj
        fired = g[g.expression == "flow"].groupby("treatment").photo.nunique()
        r["n_flow_photos"] = r.treatment.map(fired).fillna(0).astype(int)
        out.append(r)
    return pd.concat(out, ignore_index=True)


def _studies(t: pd.DataFrame) -> pd.DataFrame:
    """One row per study (set, subject, treatment): fired, changed (a claim series' verdict changed by the rule:
    today's verdict is not ``inconclusive`` and the fit without the flow-only comparisons reads otherwise), named
    (a series names photos, whether or not its verdict changes: an ``inconclusive`` one stays ``inconclusive``),
    fold series changed, and the claim series' verdicts against the truth with and without the rule."""
    claim = t[t.metric.isin(CLAIM_METRICS)]
    g = claim.groupby(["set", "subject", "treatment"])
    s = pd.DataFrame({"fired": g.n_flow_photos.max() > 0, "changed": g.apply(lambda x: (x.rule != x.verdict).any(),
                                                                               include_groups=False),
                      "named": g.named.any(),
                      "right_before": g.apply(lambda x: (x.verdict == TRUTH[x.name[2]]).sum(), include_groups=False),
                      "right_rule": g.apply(lambda x: (x.rule == TRUTH[x.name[2]]).sum(), include_groups=False)})
    f = t[~t.metric.isin(CLAIM_METRICS)]
    fold = (f.rule != f.verdict).groupby([f.set, f.subject, f.treatment]).any()
    s["fold_changed"] = fold.reindex(s.index).fillna(False)
    return s.reset_index()


def print_lifted(t: pd.DataFrame) -> None:
    s = _studies(t)
    s["group"] = np.where(s.set == "canada_held", "held-out", "tuning")
    print("| faces | treatment | studies | fired | changed | changed of fired | named | fold series changed "
          "| claim series reading the truth: today / rule |")
    print("|---|---|---|---|---|---|---|---|---|")
    for (grp, tr), x in list(s.groupby(["group", "treatment"])) + [((g, "both"), x) for g, x in s.groupby("group")]:
        n = len(x)
        print(f"| {grp} ({x.subject.nunique()} faces) | {tr} | {n} | {int(x.fired.sum())} | {int(x.changed.sum())} "
              f"({100 * x.changed.mean():.0f} %) | {int(x[x.fired].changed.sum())} of {int(x.fired.sum())} "
              f"| {int(x.named.sum())} | {int(x.fold_changed.sum())} | {int(x.right_before.sum())} / {int(x.right_rule.sum())} of {2 * n} |")
    ch = t[t.rule != t.verdict]
    if len(ch):
        print("\nchanged series (the rule's verdict is not today's):")
        print(ch[["set", "subject", "treatment", "metric", "side", "verdict", "verdict_without", "flow_photos"]]
              .to_string(index=False))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--twins", type=Path)
    ap.add_argument("--measure", type=Path)
    ap.add_argument("--set", choices=("tuning", "held"), default="tuning")
    ap.add_argument("--until", default="", help="UTC HH:MM after which no new face is started")
    ap.add_argument("--table", type=Path)
    ap.add_argument("--rule", choices=("all", "loo"), default="all",
                    help="all: §15's refit without every flow-only comparison; loo: §16's leave-one-out rule, per k")
    args = ap.parse_args(argv)
    if not FACES.is_dir():
        print(f"skipped: {FACES} not found")
        return 0
    pd.set_option("display.width", 220)
    if args.rule == "loo":
        tw = twins_loo(args.twins) if args.twins else None
        t = lifted_loo(args.table) if args.table else None
        if tw is not None:
            tw.to_csv(Path("/tmp") / "flow_loo_twins.csv", index=False)
            print(tw[tw.k == KS[0]].drop(columns=["k", "rule", "flagged", "caught"]).to_string(index=False))
        if t is not None:
            t.to_csv(Path("/tmp") / f"flow_loo_{args.table.stem}.csv", index=False)
        print_loo(tw, t)
        return 0
    if args.twins:
        t = twins(args.twins)
        t.to_csv(Path("/tmp") / "flow_refit_twins.csv", index=False)  # not beside the input (another's folder)
        f = t[t.flip]
        print(f"h10's flips: {len(f)} series in {f.groupby(['subject', 'cell', 'treatment']).ngroups} twins; caught "
              f"{int(f.caught.sum())} (named {int(f.named.sum())}, the photo did not decide "
              f"{int((~f.named & f.caught).sum())}); rule reads the clean verdict in {int((f.twin_rule == f.clean).sum())}")
        print(f[["subject", "cell", "treatment", "metric", "side", "clean", "twin", "twin_without", "twin_rule",
                 "named", "flow_photos"]].to_string(index=False))
        c = t.drop_duplicates(["subject", "treatment", "metric", "side"])
        print(f"\nh10's clean studies (simulate.lift's shape): series changed by the rule {int((c.clean != c.clean_rule).sum())}"
              f" of {len(c)}")
    if args.measure:
        done = set(pd.read_csv(args.measure, usecols=["subject"], dtype=str).subject) if args.measure.exists() else set()
        for i, (set_, p) in enumerate(face_order(args.set)):
            if args.until and datetime.now(timezone.utc).strftime("%H:%M") >= args.until:
                print("stopped by the clock", flush=True)
                break
            if p.stem in done:
                continue
            rows = measure_face(i + (100 if args.set == "held" else 0), set_, p)
            if not rows:
                print(f"skip {p.name}: not measured", flush=True)
                continue
            pd.DataFrame(rows).to_csv(args.measure, mode="a", header=not args.measure.exists(), index=False)
            print(p.name, len(rows), datetime.now(timezone.utc).strftime("%H:%M:%S"), flush=True)
    if args.table:
        t = lifted_table(args.table)
        t.to_csv(args.table.with_suffix(".refit.csv"), index=False)
        print_lifted(t)
    return 0


if __name__ == "__main__":
    sys.exit(main())
