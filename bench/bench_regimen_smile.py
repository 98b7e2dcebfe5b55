"""One gently smiling pre-session photo in a regimen: does it flip the regimen verdict? (docs/validation.md
§18, 2026-12-05; the question, design, flip definition, rule, k candidates, choice rule and ship bound were
committed before this script was run on a face.)

A regimen study (one subject): the day-0 photo and one pre-session photo on each of :data:`DAYS`, each compared with
the day-0 photo; truths :data:`TRUTHS` (``flat``: 0 mm; ``builds``: 0.25 mm per week).  Two measurements:

- ``--catch`` (London 12): per face and truth the clean study (neutral photos, :func:`facemetrics.simulate.lift`)
  and its twins' smiling photos (cells :data:`CELLS`: the day-42 or the day-21 photo made from the subject's smiling
  photo with the same change and the same draws);
- ``--bump`` (the cost side): ``builds`` studies with ``bench_coverage``'s oblique bump on the faces of
  ``bench_flow_refit.face_order`` (tuning or held-out), one face at a time until ``--until``.

Every measurement appends one face at a time to its CSV (a rerun skips the faces already there: the CSV is the
cache).  ``--table`` fits every study (:func:`facemetrics.decay.analyze_regimen`, n_boot 200, seed 0) and prints the
flips; ``--rule`` runs §18's leave-one-out rule per k on the twins and the clean studies; ``--figure`` (§19) what
each candidate behaviour shows when §18's rule flags a photo and the verdict without it is the same (the figure of
the fit without it, the figure said in the reason, or the two CIs' union), on the twins and the clean studies.

Usage::

    nice -n 10 python bench/bench_regimen_smile.py --catch /tmp/h2/catch.csv              # 16 comparisons/face
    nice -n 10 python bench/bench_regimen_smile.py --bump /tmp/h2/bump.csv --until 18:25  # 6 comparisons/face
    python bench/bench_regimen_smile.py --table /tmp/h2/catch.csv [--rule] [--figure] [--clean /tmp/h2/bump.csv]

Skips (exit 0) without ``../shared/faces``.
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

import bench_flow_refit as refit  # noqa: E402
import bench_smile_study as smile  # noqa: E402

from facemetrics import analyze_photo, compare_photos  # noqa: E402
from facemetrics.batch import LONG_COLUMNS, long_rows  # noqa: E402
from facemetrics.decay import analyze_regimen  # noqa: E402

FACES = HERE.parent.parent / "shared" / "faces"
#: the pre-session photos' days after day 0 (weekly sessions, 6 weeks)
DAYS = (7, 14, 21, 28, 35, 42)
#: mm per day of each truth (flat: nothing builds; builds: 0.25 mm per week)
TRUTHS = {"flat": 0.0, "builds": 0.25 / 7.0}
#: the pre-session photo made from the smiling photo, one per twin (day)
CELLS = {"smile_last": 42, "smile_mid": 21}
KEY = ["treatment", "metric", "side"]
CLAIM_METRICS = ("jawline_lift_mm", "mouth_corner_lift_mm")
KS = (1.0, 1.5, 2.0, 3.0)  # §18's k candidates, written before the rule was run on a face
N_BOOT = 200
#: where §18's check reads the fit without the flagged photos: ``row`` the row's ``day_n`` (§19b, the library since
#: stop 48), ``own`` that fit's own last day (§18's and §19's runs); set by ``--check-day``
CHECK_DAY = {"day": "row"}
TRUTH_VERDICT = {"flat": "no_cumulative_change", "builds": "cumulative_change"}


def _hours(day: int) -> float:
    """Hours since the first treatment of the pre-session photo of ``day`` (0.5 h before that day's session)."""
    return 24.0 * day - 0.5


def _rows(cmp, subj, truth, day, photo, **extra) -> list[dict]:
    return [dict(r, expression=smile._expression(cmp.messages), status_cmp=cmp.status, day=day, **extra)
            for r in long_rows(cmp, subject=subj, treatment=truth, hours_since_treatment=_hours(day), photo=photo,
                               messages=cmp.messages)]


def measure_catch(i: int, neutral: Path) -> list[dict]:
    """Face ``i``'s clean regimen studies (cell ``clean``) and its twins' smiling photos (cells of :data:`CELLS`,
    only the replaced photo's rows), per truth."""
    subj = neutral.name.split("_")[1]
    a_neu, a_smi = smile._base(neutral), smile._base(Path(str(neutral).replace("_neutral", "_smiling")))
    if a_neu is None or a_smi is None:
        return []
    day0 = analyze_photo(smile._photo(a_neu, 0.0, (i, 0)), name="day0.jpg")
    rows = []
    for k, (truth, rate) in enumerate(TRUTHS.items(), start=1):
        for day in DAYS:
            mm = rate * day
            todo = [("clean", a_neu)] + [(c, a_smi) for c, d in CELLS.items() if d == day]
            for cell, base in todo:
                cmp = compare_photos(day0, analyze_photo(smile._photo(base, mm, (i, k, day)), name=f"d{day}.jpg"))
                rows += _rows(cmp, subj, truth, day, f"{subj}_{truth}_d{day}_{cell}.jpg", cell=cell, true_mm=mm,
                              shape="simulate.lift", set="london")
    return rows


def measure_bump(i: int, set_: str, path: Path) -> list[dict]:
    """Face ``path``'s clean ``builds`` regimen study with the oblique bump (cell ``clean``)."""
    base = smile._base(path)
    if base is None:
        return []
    subj = path.stem
    day0 = analyze_photo(refit._bump_photo(base, 0.0, (i, 0)), name="day0.jpg")
    rows = []
    for day in DAYS:
        mm = TRUTHS["builds"] * day
        cmp = compare_photos(day0, analyze_photo(refit._bump_photo(base, mm, (i, 2, day)), name=f"d{day}.jpg"))
        rows += _rows(cmp, subj, "builds", day, f"{subj}_builds_d{day}_bump.jpg", cell="clean", true_mm=mm,
                      shape="bump", set=set_)
    return rows


def _append(path: Path, rows: list[dict], name: str) -> None:
    pd.DataFrame(rows).to_csv(path, mode="a", header=not path.exists(), index=False)
    print(name, len(rows), datetime.now(timezone.utc).strftime("%H:%M:%S"), flush=True)


def _done(path: Path) -> set:
    return set(pd.read_csv(path, usecols=["subject"], dtype=str).subject) if path.exists() else set()


def run_catch(path: Path) -> None:
    done = _done(path)
    for i, p in enumerate(sorted((FACES / "london_ccby").glob("london_*_neutral.jpg"))):
        if p.name.split("_")[1] not in done:
            _append(path, measure_catch(i, p), p.name)


def run_bump(path: Path, which: str, until: str) -> None:
    done = _done(path)
    for i, (set_, p) in enumerate(refit.face_order(which)):
        if until and datetime.now(timezone.utc).strftime("%H:%M") >= until:
            print("stopped by the clock", flush=True)
            return
        if p.stem not in done:
            _append(path, measure_bump(i + (100 if which == "held" else 0), set_, p), p.name)


# --- fits ------------------------------------------------------------------------------------------------------------

def read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype={"subject": str}, keep_default_na=False, na_values=[""])


def headline(rows: pd.DataFrame) -> pd.DataFrame:
    """The rows of the headline series (:data:`bench_smile_study.SERIES`)."""
    keep = pd.Series(False, index=rows.index)
    for m, s in smile.SERIES:
        keep |= (rows["metric"] == m) & (rows["side"] == s)
    return rows[keep]


def fit(rows: pd.DataFrame, n_boot: int = N_BOOT, day_n: float | None = None) -> pd.DataFrame:
    """One study's regimen fit (``analyze_regimen`` on its headline rows, seed 0, read at ``day_n``: default the last
    day), indexed by :data:`KEY`."""
    return analyze_regimen(headline(rows)[LONG_COLUMNS], n_boot=n_boot, seed=0, day_n=day_n).set_index(KEY)


def twin(g: pd.DataFrame, cell: str) -> pd.DataFrame:
    """Face ``g``'s twin of ``cell``: the clean study with the day of ``cell`` replaced by the smiling photo's rows."""
    clean = g[g.cell == "clean"]
    return pd.concat([clean[clean.day != CELLS[cell]], g[g.cell == cell]])


def table(df: pd.DataFrame) -> pd.DataFrame:
    """Clean vs twin per face, truth, cell and series: verdicts, change_day_n, whether the smiling photo entered,
    and whether the verdict moved (a *flip* when it entered)."""
    out = []
    for subj, g in df.groupby("subject"):
        f0 = fit(g[g.cell == "clean"])
        for cell in CELLS:
            tw = twin(g, cell)
            f1 = fit(tw)
            sm = g[g.cell == cell]
            for key in f0.index:
                r0 = f0.loc[key]
                r1 = f1.loc[key] if key in f1.index else None
                srow = sm[(sm.treatment == key[0]) & (sm.metric == key[1]) & (sm.side == key[2])]
                expr = srow.expression.iloc[0] if len(srow) else "missing"
                entered = bool(len(srow)) and expr == "flow" and srow.verdict.iloc[0] != "uncertain"
                v1 = r1["verdict"] if r1 is not None else "not_fitted"
                half = (r0["change_day_n_ci_high"] - r0["change_day_n_ci_low"]) / 2
                shift = (r1["change_day_n"] - r0["change_day_n"]) if r1 is not None else np.nan
                out.append(dict(subject=subj, cell=cell, **dict(zip(KEY, key)), expression=expr,
                                smile_row_verdict=srow.verdict.iloc[0] if len(srow) else "", entered=entered,
                                clean=r0["verdict"], twin=v1, moved=r0["verdict"] != v1, flip=entered and r0["verdict"] != v1,
                                cdn_clean=r0["change_day_n"], cdn_twin=r1["change_day_n"] if r1 is not None else np.nan,
                                shift=shift, half_ci=half, beyond_ci=bool(abs(shift) > half)))
    return pd.DataFrame(out)


# --- §18's leave-one-out rule ----------------------------------------------------------------------------------------

def _line_residual(s: pd.DataFrame, photo: str) -> float:
    """Residual of ``photo``'s level against the regimen line of series ``s`` fitted without it (one intercept per
    subject, the common slope; metric unit); NaN when the line cannot be fitted (fewer than 2 other days of its
    subject)."""
    me = s[s.photo == photo].iloc[0]
    rest = s[s.photo != photo]
    d = pd.to_numeric(rest.hours_since_treatment) / 24.0
    same = rest.subject == me.subject
    if np.unique(np.round(d[same])).size < 2:
        return np.nan
    dc = d - d.groupby(rest.subject).transform("mean")
    yc = rest.value - rest.value.groupby(rest.subject).transform("mean")
    slope = float((dc * yc).sum() / (dc * dc).sum())
    a = float(rest.value[same].mean() - slope * d[same].mean())
    return float(me.value - (a + slope * float(me.hours_since_treatment) / 24.0))


def loo_ratios(rows: pd.DataFrame) -> pd.DataFrame:
    """Per headline series and flow-only photo entering it: |leave-one-out residual| / the row's noise_floor."""
    out = []
    rows = headline(rows)
    rows = rows[np.isfinite(rows.value) & (rows.verdict != "uncertain")]
    for key, s in rows.groupby(KEY):
        for _, r in s[s.expression == "flow"].iterrows():
            res = _line_residual(s, r.photo)
            out.append(dict(zip(KEY, key), photo=r.photo, resid=res, floor=r.noise_floor,
                            ratio=abs(res) / r.noise_floor if np.isfinite(res) else np.nan))
    return pd.DataFrame(out, columns=KEY + ["photo", "resid", "floor", "ratio"])


def loo_rule(rows: pd.DataFrame, k: float, today: pd.DataFrame, ratios: pd.DataFrame, memo: dict) -> pd.DataFrame:
    """The rule with factor ``k`` on one study: per series today's verdict, F, the verdict without F, the output."""
    out = []
    for key in today.index:
        r = ratios[(ratios.treatment == key[0]) & (ratios.metric == key[1]) & (ratios.side == key[2])]
        flagged = tuple(sorted(r.photo[r.ratio > k]))
        v = today.loc[key, "verdict"]
        v_wo = v
        if flagged:
            if (key, flagged) not in memo:
                s = rows[(rows.treatment == key[0]) & (rows.metric == key[1]) & (rows.side == key[2])]
                f = fit(s[~s.photo.isin(flagged)], day_n=_check_day(today.loc[key, "day_n"]))
                memo[(key, flagged)] = f.loc[key, "verdict"] if key in f.index else "not_fitted"
            v_wo = memo[(key, flagged)]
        out.append(dict(zip(KEY, key), verdict=v, flagged=";".join(flagged), verdict_without=v_wo,
                        rule=v if v == v_wo else "inconclusive", named=v != v_wo, n_unjudged=int(r.ratio.isna().sum()),
                        max_ratio=float(r.ratio.max()) if r.ratio.notna().any() else np.nan))
    return pd.DataFrame(out)


def rule_twins(df: pd.DataFrame, t: pd.DataFrame) -> pd.DataFrame:
    """The rule per k on every flip of ``t`` (:func:`table`): caught when it names the smiling photo or reads the
    verdict of the fit without it."""
    out = []
    for (subj, cell), fl in t[t.flip].groupby(["subject", "cell"]):
        g = df[df.subject == subj]
        tw = twin(g, cell)
        tw = tw[tw.treatment.isin(fl.treatment)]
        smile_photos = set(g[g.cell == cell].photo)
        today = fit(tw)
        ratios, memo = loo_ratios(tw), {}
        for k in KS:
            r = loo_rule(tw, k, today, ratios, memo).set_index(KEY)
            for key, f in fl.set_index(KEY).iterrows():
                x = r.loc[key]
                s = tw[(tw.treatment == key[0]) & (tw.metric == key[1]) & (tw.side == key[2])]
                wo = fit(s[~s.photo.isin(smile_photos)])
                v_wo_smile = wo.loc[key, "verdict"] if key in wo.index else "not_fitted"
                rs = ratios[(ratios.treatment == key[0]) & (ratios.metric == key[1]) & (ratios.side == key[2])
                            & ratios.photo.isin(smile_photos)].ratio
                named = bool(x.named) and bool(smile_photos & set(x.flagged.split(";")))
                out.append(dict(subject=subj, cell=cell, **dict(zip(KEY, key)), k=k, clean=f.clean, twin=x.verdict,
                                without_smile=v_wo_smile, smile_ratio=float(rs.max()) if len(rs) else np.nan,
                                flagged=x.flagged, rule=x.rule, caught=named or x.rule == v_wo_smile))
    return pd.DataFrame(out)


def rule_clean(df: pd.DataFrame) -> pd.DataFrame:
    """The rule per k on every clean study (face x truth x shape) of ``df``: one row per study, series and k."""
    out = []
    clean = df[df.cell == "clean"]
    for (subj, truth, shape), g in clean.groupby(["subject", "treatment", "shape"]):
        today = fit(g)
        ratios, memo = loo_ratios(g), {}
        fired = bool((headline(g).expression == "flow").any())
        for k in KS:
            r = loo_rule(g, k, today, ratios, memo)
            out += [dict(x, subject=subj, set=g.set.iloc[0], shape=shape, k=k, fired=fired,
                         truth=TRUTH_VERDICT[truth]) for x in r.to_dict("records")]
    return pd.DataFrame(out)


def print_rule(tw: pd.DataFrame, cl: pd.DataFrame) -> None:
    """Per face group (tuning: London and Canada tuning; held-out) and k: flips caught, clean studies changed."""
    print("\n| faces | k | flips caught (smiling photo flagged) | clean studies changed (claim series) | fired | "
          "studies with a series named | fold series changed | claim series reading the truth: today / rule |")
    study = ["subject", "treatment", "shape"]
    for group, sets in (("tuning", ("london", "canada_tune")), ("held-out", ("canada_held",))):
        cg = cl[cl.set.isin(sets)]
        if cg.empty:
            continue
        for k in KS:
            a = tw[tw.k == k] if len(tw) and group == "tuning" else tw.iloc[:0]
            c = cg[cg.k == k]
            claim = c[c.metric.isin(CLAIM_METRICS)]
            ch = claim[claim.verdict != claim.rule].groupby(study).ngroups
            named = c[c.named].groupby(study).ngroups
            n = claim.groupby(study).ngroups
            fired = claim[claim.fired].groupby(study).ngroups
            fold = c[~c.metric.isin(CLAIM_METRICS)]
            caught = f"{int(a.caught.sum())} of {len(a)} ({int(a.flagged.str.len().gt(0).sum())})" if len(a) else "-"
            print(f"| {group} | {k:g} | {caught} | {ch} of {n} | {fired} | {named} | {int((fold.verdict != fold.rule).sum())}"
                  f" | {int((claim.verdict == claim.truth).sum())} / {int((claim.rule == claim.truth).sum())} of "
                  f"{len(claim)} |")


# --- §19: the figure of a series whose flagged photos leave its verdict as it is ------------------------------------

def _check_day(day_n: float) -> float | None:
    """The ``day_n`` at which §18's check reads the fit without F (:data:`CHECK_DAY`)."""
    return float(day_n) if CHECK_DAY["day"] == "row" else None


def _series(rows: pd.DataFrame, key) -> pd.DataFrame:
    return rows[(rows.treatment == key[0]) & (rows.metric == key[1]) & (rows.side == key[2])]


def _reread(lo: float, hi: float, delta: float) -> str:
    """The regimen verdict of a CI ``lo`` to ``hi`` against the margin ``delta`` (``analyze_regimen``'s rule)."""
    if lo > delta or hi < -delta:
        return "cumulative_change"
    return "no_cumulative_change" if -delta < lo and hi < delta else "inconclusive"


def figure_rows(rows: pd.DataFrame, k: float = KS[0]) -> pd.DataFrame:
    """Per series of one study: the fit with every photo, F (§18's flag at ``k``), the fit without F at the same
    ``day_n``, and what the candidates of §19 show: (a) ``refit`` the figure without F, (b) ``say`` the figure with
    every photo and the one without in the reason, (c) ``widen`` the union of the two CIs, its verdict read again.
    A candidate acts only when F is not empty and the verdict without F is the same (``acts``)."""
    today, ratios, out = fit(rows), loo_ratios(rows), []
    for key, r in today.iterrows():
        x = ratios[(ratios.treatment == key[0]) & (ratios.metric == key[1]) & (ratios.side == key[2])]
        flagged = tuple(sorted(x.photo[x.ratio > k]))
        wo, v18 = r, r["verdict"]
        if flagged:
            s = _series(rows, key)
            f = fit(s[~s.photo.isin(flagged)], day_n=float(r["day_n"]))
            wo = f.loc[key] if key in f.index else None
            f = fit(s[~s.photo.isin(flagged)], day_n=_check_day(r["day_n"]))  # §18's check (:data:`CHECK_DAY`)
            v18 = f.loc[key, "verdict"] if key in f.index else "not_fitted"
        # §18 leaves the verdict (v18), and the figure without F at the same day reads it too
        acts = bool(flagged) and v18 == r["verdict"] and wo is not None and wo["verdict"] == r["verdict"]
        lo = min(r["change_day_n_ci_low"], wo["change_day_n_ci_low"]) if acts else r["change_day_n_ci_low"]
        hi = max(r["change_day_n_ci_high"], wo["change_day_n_ci_high"]) if acts else r["change_day_n_ci_high"]
        named = bool(flagged) and v18 != r["verdict"]  # §19b: a row §18 names inconclusive
        out.append(dict(zip(KEY, key), flagged=";".join(flagged), verdict=r["verdict"], verdict_18=v18, named=named,
                        named_refit=wo["change_day_n"] if named and wo is not None else np.nan,
                        verdict_without=wo["verdict"] if wo is not None else "not_fitted", acts=acts,
                        cdn=r["change_day_n"], ci_low=r["change_day_n_ci_low"], ci_high=r["change_day_n_ci_high"],
                        cdn_wo=wo["change_day_n"] if wo is not None else np.nan,
                        refit=wo["change_day_n"] if acts else r["change_day_n"], widen_low=lo, widen_high=hi,
                        widen_verdict=_reread(lo, hi, float(r["smallest_meaningful_change"])) if acts
                        else r["verdict"]))
    return pd.DataFrame(out)


def figure_twins(df: pd.DataFrame, t: pd.DataFrame) -> pd.DataFrame:
    """§19's catch side: per twin series whose smiling photo entered (``t``: :func:`table`), the candidates' figures
    against the clean study's (``inflated``: beyond half the clean CI width; ``corrected``: within it)."""
    out = []
    for (subj, cell), e in t[t.entered].groupby(["subject", "cell"]):
        g = df[df.subject == subj]
        fr = figure_rows(twin(g, cell)).set_index(KEY)
        smile_photos = set(g[g.cell == cell].photo)
        for _, r in e.iterrows():
            key = (r.treatment, r.metric, r.side)
            x = fr.loc[key]
            half = r.half_ci
            out.append(dict(subject=subj, cell=cell, **dict(zip(KEY, key)), clean=r.clean, twin=x.verdict,
                            smile_flagged=bool(smile_photos & set(x.flagged.split(";"))), acts=x.acts,
                            in_scope=x.verdict_18 == x.verdict, inflated=r.beyond_ci,
                            cdn_clean=r.cdn_clean, cdn_twin=x.cdn, cdn_wo=x.cdn_wo, half_ci=half,
                            a_corrected=abs(x.refit - r.cdn_clean) <= half,
                            b_said=bool(x.acts) and abs(x.cdn_wo - r.cdn_clean) <= half,
                            c_covers=x.widen_low <= r.cdn_clean <= x.widen_high,
                            c_verdict_changed=x.widen_verdict != x.verdict, named=x.named,
                            named_refit=x.named_refit,
                            named_corrected=bool(x.named) and abs(x.named_refit - r.cdn_clean) <= half))
    return pd.DataFrame(out)


def figure_clean(df: pd.DataFrame) -> pd.DataFrame:
    """§19's cost side: per clean study (face x truth x shape) and series, what the candidates change."""
    out = []
    for (subj, truth, shape), g in df[df.cell == "clean"].groupby(["subject", "treatment", "shape"]):
        fr = figure_rows(g)
        if fr.empty:  # no fit (every level uncertain)
            continue
        fr["move"] = fr.refit - fr.cdn
        fr["move_over_half"] = fr.move.abs() / ((fr.ci_high - fr.ci_low) / 2)
        fr["widen_changed"] = fr.widen_verdict != fr.verdict
        fr["named_move_over_half"] = (fr.named_refit - fr.cdn).abs() / ((fr.ci_high - fr.ci_low) / 2)
        out += [dict(x, subject=subj, set=g.set.iloc[0], shape=shape,
                     fired=bool((headline(g).expression == "flow").any())) for x in fr.to_dict("records")]
    return pd.DataFrame(out)


def print_figure(ft: pd.DataFrame, fc: pd.DataFrame) -> None:
    """§19's tables: catch side per cell and truth (claim and fold apart); cost side per face group."""
    ft = ft.assign(claim=ft.metric.isin(CLAIM_METRICS))
    print("\n| cell | truth | series | entered | inflated | in scope | in scope, smile flagged | (a) corrected | "
          "(b) said | (c) covers clean | (c) verdict changed | missed (not flagged) |")
    for (cell, truth, claim), g in ft.groupby(["cell", "treatment", "claim"]):
        s = g[g.inflated & g.in_scope]
        fl = s[s.smile_flagged & s.acts]
        print(f"| {cell} | {truth} | {'claim' if claim else 'fold'} | {len(g)} | {int(g.inflated.sum())} | {len(s)} | "
              f"{len(fl)} | {int(fl.a_corrected.sum())} | {int(fl.b_said.sum())} | {int(fl.c_covers.sum())} | "
              f"{int(g.c_verdict_changed.sum())} | {int((~s.smile_flagged | ~s.acts).sum())} |")
    study = ["subject", "treatment", "shape"]
    print("\n| faces | studies | fired | studies changed (claim series: a/b/c) | largest clean move / half CI (claim) | "
          "fold series changed | (c) verdicts changed |")
    for group, sets in (("tuning", ("london", "canada_tune")), ("held-out", ("canada_held",))):
        c = fc[fc.set.isin(sets)]
        if c.empty:
            continue
        claim = c[c.metric.isin(CLAIM_METRICS)]
        ch = claim[claim.acts].groupby(study).ngroups
        mv = claim.loc[claim.acts, "move_over_half"]
        print(f"| {group} | {claim.groupby(study).ngroups} | {claim[claim.fired].groupby(study).ngroups} | {ch} | "
              f"{mv.max() if len(mv) else 0:.2f} | {int(c[~c.metric.isin(CLAIM_METRICS)].acts.sum())} | "
              f"{int(c.widen_changed.sum())} |")
    print_named(ft, fc)
    acted = fc[fc.acts]
    if len(acted):
        print(acted[["subject", "set", "shape"] + KEY + ["flagged", "verdict", "cdn", "ci_low", "ci_high", "cdn_wo",
                                                         "move_over_half", "widen_verdict"]].round(3).to_string())


def print_named(ft: pd.DataFrame, fc: pd.DataFrame) -> None:
    """§19b: the rows §18 names inconclusive; (a) ``refit`` their figure without F at ``day_n``, (b) ``blank``."""
    ft = ft.assign(claim=ft.metric.isin(CLAIM_METRICS))
    print("\n§19b | cell | truth | series | entered | named | named, smile flagged | inflated among them | "
          "(a) corrected | (a) not inflated, moved beyond half clean CI |")
    for (cell, truth, claim), g in ft.groupby(["cell", "treatment", "claim"]):
        n = g[g.named & g.smile_flagged]
        inf = n[n.inflated]
        off = n[~n.inflated & ~n.named_corrected]
        print(f"| {cell} | {truth} | {'claim' if claim else 'fold'} | {len(g)} | {int(g.named.sum())} | {len(n)} | "
              f"{len(inf)} | {int(inf.named_corrected.sum())} | {len(off)} |")
    study = ["subject", "treatment", "shape"]
    print("\n§19b | faces | studies | studies with a claim series named (a or b changes it) | "
          "largest clean move / half CI (a) | fold series named |")
    for group, sets in (("tuning", ("london", "canada_tune")), ("held-out", ("canada_held",))):
        c = fc[fc.set.isin(sets)]
        if c.empty:
            continue
        claim = c[c.metric.isin(CLAIM_METRICS)]
        mv = claim.loc[claim.named, "named_move_over_half"]
        print(f"| {group} | {claim.groupby(study).ngroups} | {claim[claim.named].groupby(study).ngroups} | "
              f"{mv.max() if len(mv) else 0:.2f} | {int(c[~c.metric.isin(CLAIM_METRICS)].named.sum())} |")
    cols = ["subject", "cell", "treatment", "metric", "side", "twin", "inflated", "cdn_clean", "cdn_twin",
            "named_refit", "half_ci", "named_corrected"]
    print(ft[ft.named][cols].round(2).to_string(index=False))
    named = fc[fc.named]
    if len(named):
        print(named[["subject", "set", "shape"] + KEY + ["flagged", "verdict", "verdict_18", "cdn", "named_refit",
                                                         "named_move_over_half"]].round(3).to_string())


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--catch", type=Path)
    ap.add_argument("--bump", type=Path)
    ap.add_argument("--set", choices=("tuning", "held"), default="tuning")
    ap.add_argument("--until", default="", help="UTC HH:MM after which no new face is started")
    ap.add_argument("--table", type=Path, help="the --catch CSV: fit the twins, print the flips")
    ap.add_argument("--clean", type=Path, nargs="*", default=[], help="--bump CSVs: clean studies for --rule")
    ap.add_argument("--rule", action="store_true")
    ap.add_argument("--figure", action="store_true", help="§19: the candidates' figures (with --table, --clean)")
    ap.add_argument("--check-day", choices=("row", "own"), default="row",
                    help="§18's check reads the fit without the flagged photos at the row's day_n (row, §19b) or at "
                         "its own last day (own, §18/§19's runs)")
    args = ap.parse_args(argv)
    CHECK_DAY["day"] = args.check_day
    if not FACES.is_dir():
        print(f"skipped: {FACES} not found")
        return 0
    pd.set_option("display.width", 220)
    if args.catch:
        args.catch.parent.mkdir(parents=True, exist_ok=True)
        run_catch(args.catch)
    if args.bump:
        args.bump.parent.mkdir(parents=True, exist_ok=True)
        run_bump(args.bump, args.set, args.until)
    if args.table:
        df = read(args.table)
        t = table(df)
        t.to_csv(args.table.with_suffix(".table.csv"), index=False)
        print(t.groupby(["cell", "treatment", "expression", "entered", "metric"]).agg(
            n=("moved", "size"), moved=("moved", "sum"), beyond_ci=("beyond_ci", "sum"),
            shift_median=("shift", "median"), shift_max=("shift", lambda d: d.abs().max())).round(3).to_string())
        print(f"\nflips: {int(t.flip.sum())} series in {t[t.flip].groupby(['subject', 'cell', 'treatment']).ngroups} "
              f"twin studies of {t.groupby(['subject', 'cell', 'treatment']).ngroups}; entered "
              f"{t[t.entered].groupby(['subject', 'cell', 'treatment']).ngroups} twin studies")
        print(t[t.moved | t.entered][["subject", "cell", "treatment", "metric", "side", "expression", "smile_row_verdict",
                                      "clean", "twin", "flip", "cdn_clean", "cdn_twin", "half_ci"]].round(3).to_string())
        if args.rule:
            tw = rule_twins(df, t)
            cl = rule_clean(pd.concat([df] + [read(p) for p in args.clean], ignore_index=True))
            tw.to_csv(args.table.with_suffix(".rule_twins.csv"), index=False)
            cl.to_csv(args.table.with_suffix(".rule_clean.csv"), index=False)
            if len(tw):
                print(tw[tw.k == KS[0]].drop(columns=["k", "rule", "caught"]).round(2).to_string(index=False))
            print_rule(tw, cl)
        if args.figure:
            ft = figure_twins(df, t)
            fc = figure_clean(pd.concat([df] + [read(p) for p in args.clean], ignore_index=True))
            ft.to_csv(args.table.with_suffix(".figure_twins.csv"), index=False)
            fc.to_csv(args.table.with_suffix(".figure_clean.csv"), index=False)
            print(ft[ft.inflated | ft.acts].drop(columns=["clean"]).round(2).to_string(index=False))
            print_figure(ft, fc)
    return 0


if __name__ == "__main__":
    sys.exit(main())
