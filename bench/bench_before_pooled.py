"""One subject's smiling before photo in a multi-subject folder: what the pooled row reads (docs/validation.md §21,
2026-12-05, stop 49; the candidates, combinations, measures and choice rule were committed before this was run).

A *combination* is one §20-flagged twin session (a London face whose before photo of treatment T is its smiling
photo, §20's stored rows) pooled with k other subjects' clean studies of T (k = 1, 2, 4; 2 draws each, numpy seed
(face, T, k, draw)); the co-subjects come from the *tuning* pool (the other London faces' clean ``simulate.lift``
studies, §20's ``clean`` cell, and the 13 Canada tuning faces' oblique-bump studies, §15's rows) or the *held-out*
pool (the 16 Canada held-out faces' bump studies).  Each combination is fitted (``analyze_series``, ``n_boot`` 200,
seed 0, pooled only: the second amendment) and its pooled rows read by each candidate:

- (a) ``leave_out``: :func:`facemetrics.batch.series_read.read_series` as shipped (§21: the pooled fit without the
  flagged session's photos);
- (b) ``inconclusive``: §16's rule, then every pooled row of T not ``inconclusive`` reads ``inconclusive`` (§20 as
  it was), the figures those of the fit with the session;
- (c) ``name``: §16's rule only (the fit with the session; the reason would name the photo).

Measured against the *reference* (the pooled fit of the co-subjects alone) per claim series: *keeps* (same
verdict) and *smile figure* (``change_24h`` more than half the reference's 95 % CI width from the reference's).

Usage::

    nice -n 10 python bench/bench_before_pooled.py --set tuning --out /tmp/n1s49/tuning.csv --stop 23:58  # the choice
    nice -n 10 python bench/bench_before_pooled.py --set held --out /tmp/n1s49/held.csv --stop 00:25  # once, after

Reads the stored rows of §20 (``/tmp/n3/before.csv``) and §15 (``/tmp/h1s46/{lifted,held}.csv``); skips (exit 0)
when they are absent.
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

from facemetrics.batch.before_read import before_checks  # noqa: E402
from facemetrics.batch.fit_notes import flow_photos  # noqa: E402
from facemetrics.batch.flow_read import flow_read  # noqa: E402
from facemetrics.batch.series_read import fitted_columns, read_series  # noqa: E402
from facemetrics.batch.tables import change_column  # noqa: E402
from facemetrics.compare.gate import MSG_EXPRESSION, MSG_EXPRESSION_MAYBE  # noqa: E402
from facemetrics.decay import analyze_series  # noqa: E402
from facemetrics.decay.margin import INCONCLUSIVE  # noqa: E402
from facemetrics.report import is_pooled  # noqa: E402
from facemetrics.schema import LONG_COLUMNS  # noqa: E402

TWINS = Path("/tmp/n3/before.csv")
BUMP = {"tuning": Path("/tmp/h1s46/lifted.csv"), "held": Path("/tmp/h1s46/held.csv")}
#: the claim series only (the second amendment of §21: the clock; the fold depth has no claim verdict)
SERIES = [("jawline_lift_mm", "mean"), ("mouth_corner_lift_mm", "mean")]
CLAIM = ("jawline_lift_mm", "mouth_corner_lift_mm")
KS, DRAWS, N_BOOT = (1, 2, 4), 2, 200  # 2 draws: §21's amendment (the clock)


def _read(path: Path) -> pd.DataFrame:
    df = pd.read_csv(path, dtype={"subject": str}, keep_default_na=False, na_values=[""])
    keep = pd.Series(False, index=df.index)
    for m, s in SERIES:
        keep |= (df["metric"] == m) & (df["side"] == s)
    df = df[keep].copy()
    for c in ("expression", "mouth", "status_cmp"):
        df[c] = df[c].fillna("") if c in df.columns else ""
    return df


def _face(subject: str) -> str:
    """'london_024_m47_...' and '024' -> '024'; Canada ids as they are."""
    return subject.split("_")[1] if subject.startswith("london_") else subject


def records(rows: pd.DataFrame) -> list[dict]:
    """``changes.csv`` records rebuilt from stored long rows: one per (subject, treatment, photo), the gate's messages
    for the stored reading (``expression``, the mouth-width cue ``mouth``) and each row's ``<column>_verdict``."""
    out = []
    for (subj, tr, photo), g in rows.groupby(["subject", "treatment", "photo"], sort=True):
        r0 = g.iloc[0]
        head = {"lips": MSG_EXPRESSION, "flow": MSG_EXPRESSION_MAYBE}.get(r0["expression"], "")
        cue = f": mouth corners moved 2.0 mm {r0['mouth']} (limit 1.0 mm)" if head and r0["mouth"] else ""
        rec = dict(subject=subj, treatment=tr, photo=photo, baseline_photos=f"{subj}_{tr}_before.jpg", role="post",
                   hours_since_treatment=float(r0["hours_since_treatment"]), status=r0["status_cmp"] or "ok",
                   messages=head + cue)
        for _, r in g.iterrows():
            rec[f"{change_column(r['metric'], r['side'])}_verdict"] = r["verdict"]
        out.append(rec)
    return out


def pools(which: str) -> tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
    """(§20's twin rows, {co-subject: its clean study's rows}) for the ``which`` pool."""
    twins = _read(TWINS)
    bump = _read(BUMP[which])
    co = {}
    if which == "tuning":
        clean = twins[twins["cell"] == "clean"]
        co.update({f"L{s}": g.assign(subject=f"L{s}") for s, g in clean.groupby("subject")})
        bump = bump[bump["subject"].str.startswith("canada_")]
    co.update({s: g for s, g in bump.groupby("subject")})
    return twins, co


def flagged_sessions(twins: pd.DataFrame) -> list[tuple[str, str]]:
    """The twin sessions §20's shipped rule flags (face, treatment), each fitted alone."""
    out = []
    for (s, tr), g in twins[twins["cell"] != "clean"].groupby(["subject", "treatment"]):
        g = g[g["cell"] == f"before_{tr}"]
        cols = [change_column(m, sd) for m, sd in SERIES]
        if any(c.odd for c in before_checks(records(g), cols)):
            out.append((s, tr))
    return out


def _pooled(table: pd.DataFrame) -> pd.DataFrame:
    p = table[table["subject"].map(is_pooled).astype(bool)]
    return p.set_index(["metric", "side"])


def _fit(data: pd.DataFrame, per_subject: bool) -> pd.DataFrame:
    return analyze_series(data[LONG_COLUMNS], n_boot=N_BOOT, seed=0, per_subject=per_subject).to_frame()


def combination(twins, co, face, tr, names) -> list[dict]:
    """One combination's rows: per pooled series, each candidate's verdict and ``change_24h``, the reference's."""
    twin = twins[(twins["subject"] == face) & (twins["cell"] == f"before_{tr}") & (twins["treatment"] == tr)]
    others = pd.concat([co[n][co[n]["treatment"] == tr] for n in names])
    data = pd.concat([twin, others])
    recs = records(data)
    full = _fit(data, False)
    a = read_series(full, data[LONG_COLUMNS], recs, n_boot=N_BOOT, seed=0).table
    flow = flow_read(full, data[LONG_COLUMNS], flow_photos(recs, fitted_columns(full)), n_boot=N_BOOT, seed=0)[0]
    ref = _pooled(_fit(others, False))
    flagged_co = sum(c.odd for c in before_checks(records(others), fitted_columns(full)))
    out = []
    cands = {"a": _pooled(a), "b": _pooled(flow), "c": _pooled(flow)}
    for key in ref.index:
        r = ref.loc[key]
        half = (r["change_24h_ci_high"] - r["change_24h_ci_low"]) / 2
        row = dict(face=face, treatment=tr, k=len(names), co=" ".join(names), metric=key[0], side=key[1],
                   ref=r["verdict"], ref_c24=r["change_24h"], co_flagged=int(flagged_co))
        for c, t in cands.items():
            v = t.loc[key, "verdict"]
            if c == "b" and v != INCONCLUSIVE:
                v = INCONCLUSIVE
            c24 = t.loc[key, "change_24h"]
            row[c] = v
            row[f"{c}_c24"] = c24
            row[f"{c}_keeps"] = v == r["verdict"]
            row[f"{c}_smile_fig"] = bool(np.isfinite(c24) and np.isfinite(half) and abs(c24 - r["change_24h"]) > half)
        row["a_names"] = f"`{face}_{tr}_before.jpg`" in str(cands["a"].loc[key, "reason"])
        out.append(row)
    return out


def run(which: str, out: Path | None, stop: str) -> pd.DataFrame:
    """Every combination, draw by draw (every session and k of draw 0 first), each written to ``out`` as it ends;
    no new combination after ``stop`` (UTC, HH:MM): stopped by the clock, never by a result."""
    twins, co = pools(which)
    rows = []
    sessions = flagged_sessions(twins)
    print("flagged twin sessions:", sessions, flush=True)
    for d in range(DRAWS):
        for face, tr in sessions:
            names = sorted(n for n in co if _face(n.lstrip("L")) != face and (co[n]["treatment"] == tr).any())
            for k in KS:
                if datetime.now(timezone.utc).strftime("%H:%M") > stop:
                    print("stopped by the clock", flush=True)
                    return pd.DataFrame(rows)
                rng = np.random.default_rng([int(face) if face.isdigit() else 0, len(tr), k, d])
                pick = sorted(rng.choice(names, size=k, replace=False))
                new = combination(twins, co, face, tr, pick)
                if out is not None:
                    pd.DataFrame(new).to_csv(out, mode="a", header=not out.exists(), index=False)
                rows += new
                print(d, face, tr, k, " ".join(pick), datetime.now(timezone.utc).strftime("%H:%M:%S"), flush=True)
    return pd.DataFrame(rows)


def summary(t: pd.DataFrame) -> pd.DataFrame:
    claim = t[t["metric"].isin(CLAIM)]
    out = []
    for c in ("a", "b", "c"):
        for name, g in (("claim", claim), ("fold", t[~t["metric"].isin(CLAIM)])):
            out.append(dict(candidate=c, series=name, n=len(g), keeps=int(g[f"{c}_keeps"].sum()),
                            smile_figures=int(g[f"{c}_smile_fig"].sum()),
                            combos=g.groupby(["face", "treatment", "k", "co"]).ngroups))
    return pd.DataFrame(out)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--set", choices=["tuning", "held"], default="tuning")
    ap.add_argument("--out", type=Path)
    ap.add_argument("--stop", default="23:59", help="no new combination after this UTC time (HH:MM)")
    args = ap.parse_args(argv)
    if not TWINS.exists() or not BUMP[args.set].exists():
        print(f"skipped: {TWINS} or {BUMP[args.set]} not found")
        return 0
    t = run(args.set, args.out, args.stop)
    pd.set_option("display.width", 220)
    print(summary(t).to_string())
    claim = t[t["metric"].isin(CLAIM)]
    print("\nco-subject sessions flagged:", int(t.groupby(["face", "treatment", "k", "co"])["co_flagged"].first().sum()),
          "| (a) names the photo in", int(t["a_names"].sum()), "of", len(t))
    print(claim.groupby(["face", "treatment", "k"])[["a_keeps", "b_keeps", "c_keeps", "a_smile_fig", "b_smile_fig",
                                                    "c_smile_fig"]].sum().to_string())
    return 0


if __name__ == "__main__":
    sys.exit(main())
