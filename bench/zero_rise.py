"""A change that rises from zero, and a rise said only where the row shows an effect (stop 65, k2).

Since stop 64 (docs/validation.md section 26d) ``analyze_series`` says no half point when the fitted exponential's
sign (``peak_change``) and the photos' sign (:func:`facemetrics.decay.half_point.photo_sign`) disagree; on a change
that rises from 0 mm at the session that leaves about two thirds of the studies with nothing said.  And the rise
(``half_point_peak_h``, "grew after the session ...") is said by the rise test alone, on any row, with or without
an effect.  Candidates for ``facemetrics.decay.claim._effect_sign`` / ``_peak_start`` (patched in turn)::

    PYTHONPATH=. python bench/zero_rise.py --half tuning --csv /tmp/k2_tune.csv --null-csv /tmp/k2_null_tune.csv
    PYTHONPATH=. python bench/zero_rise.py --half held_out --csv /tmp/k2_held.csv --null-csv /tmp/k2_null_held.csv

- ``d`` the package now: the fitted sign when the photos' agrees, else no half point;
- ``c`` section 26d's c: when the two disagree, the photos' sign if the photo-time mean largest in size is beyond
  the noise (Student's t at ``RISE_ALPHA`` / m on the unimodal fit's residual SD), else no half point;
- ``g`` ``d``, and a rise is said only when the row shows an effect: the signed mean at the peak the rise test
  picked is at least the row's margin (``smallest_meaningful_change``: 0.3 mm here, ``MIN_EFFECT`` for mm, the
  simulated rows carry no noise floor); otherwise the half point is read from the first photo, as with no rise;
- ``cg`` ``c`` whose photos' sign is taken only when that mean is also at least the margin, and ``g``'s gate;
- ``e`` ``cg``, and no half point at all when no photo-time mean (signed) reaches the margin.

Cells: ``bench/fade_shapes.py``'s noise and seeds (even studies tuning, odd held-out), schedules ``demo x1``,
``demo x3``, ``sparse x3``, ``n_boot`` 400: section 25's five tuning fades, section 26's three rise shapes,
``zero_12h_linear`` (tuning) and, held out, ``zero_6h_exp`` and ``zero_24h_gamma`` (written for this stop).
Null series (no change), ``n_boot=0`` (a statement and a rise follow from the sign and the start alone):
``bench/null_rise.py``'s one-subject design on the demo's microcurrent and RF times, seeds ``SeedSequence([20261207,
65, schedule, k])``, k < 800 (even tuning, odd held-out: 400 a schedule and half), and ``fade_shapes``'s ``null``
on the three schedules (20 a cell and half).

Counted (studies with a fit): ``said`` a half point statement (``half_point_h`` or its interval's lower end finite;
for null series the same from the sign and start); ``wrong`` a statement signed against the true change; ``early``
an interval wholly before the truth from the true peak ("fell to half by X" when it had not); ``cov`` the interval
holds that truth; ``rise`` a rise said; ``false_rise`` a rise said of a shape that never rises (section 25's
fades, ``null``).  The rule is docs/validation.md section 26e, committed before the deciding run.

Result (2026-12-07): c and cg failed the null rule on the tuning half; d, g and e passed; e was chosen (most
``zero_12h_linear`` intervals holding the truth, 48/60 against 19/60) and passed the held-out half: it is the
package's rule since stop 65.  ``d`` here stays the package before it (``claim._effect_sign`` without a margin).
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
import null_rise as nr  # noqa: E402
from sign_rule import beyond_noise  # noqa: E402  (section 26d's candidate c test)

from facemetrics.decay import analyze_series, claim  # noqa: E402
from facemetrics.decay import half_point as hp  # noqa: E402

CANDIDATES = ("d", "c", "g", "cg", "e")
SCHEDULES = ("demo x1", "demo x3", "sparse x3")
TUNING = (*fs.TUNING_SHAPES, *fs.RISE_SHAPES, *fs.ZERO_SHAPES)
HELD_SHAPES = (*fs.ZERO_HELD_OUT, *fs.ZERO_HELD_OUT_K2)
MARGIN = fs.MARGIN_MM
NEVER_RISES = (*fs.TUNING_SHAPES, "null")
ZERO = (*fs.ZERO_SHAPES, *HELD_SHAPES)
_SIGN, _START = claim._effect_sign, claim._peak_start


def ORIG_SIGN(t, y, est, *_):  # noqa: N802 - d, the package before stop 65 (no margin: no photos' sign, no gate)
    return _SIGN(t, y, est)


def ORIG_START(t, y, est, sign, *_):  # noqa: N802
    return _START(t, y, est, sign)


largest = hp.largest_mean  # the largest photo-time mean change, signed (metric unit)


def choices(t, y, est) -> dict:
    """Every candidate's ``(sign, start)``; sign NaN: no half point."""
    fit, ph = math.copysign(1.0, est.peak), hp.photo_sign(t, y)
    first = float(np.min(t[t >= 0]))
    agree = fit == ph
    c_sign = fit if agree else (ph if beyond_noise(t, y, est, ph) else math.nan)
    cg_sign = fit if agree else (ph if (math.isfinite(c_sign) and largest(t, y, ph) >= MARGIN) else math.nan)
    out = {}
    for cand, sign, gate in (("d", fit if agree else math.nan, False), ("c", c_sign, False),
                             ("g", fit if agree else math.nan, True), ("cg", cg_sign, True), ("e", cg_sign, True)):
        if cand == "e" and math.isfinite(sign) and largest(t, y, sign) < MARGIN:
            sign = math.nan
        if not math.isfinite(sign):
            out[cand] = (math.nan, math.nan)
            continue
        start = ORIG_START(t, y, est, sign)
        if gate and start > first:
            times, mean, _ = hp._time_means(t, y, sign)
            if mean[np.searchsorted(times, start)] < MARGIN:
                start = first
        out[cand] = (sign, start)
    return out


def statement(t, y, sign: float, start: float) -> tuple[bool, bool]:
    """``(said, rise)`` as :func:`facemetrics.decay.half_point.half_point_ci` and ``claim._half_point`` decide them."""
    if not math.isfinite(sign):
        return False, False
    first = float(np.min(t[t >= 0]))
    curve = hp._falling_curve(t, y, sign, start=start)
    if curve is None and start > 0:
        means = hp._time_means(t, y, sign, start=start)
        said = means is not None and means[1][0] > 0
    else:
        said = curve is not None and curve[1][0] > 0
    return said, said and start > first


def _fit(table, k, n_boot, sign_fn, start_fn):
    claim._effect_sign, claim._peak_start = sign_fn, start_fn
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return analyze_series(table, per_subject=False, seed=k, n_boot=n_boot).fits[0]
    finally:
        claim._effect_sign, claim._peak_start = _SIGN, _START


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
        seen.update(choices(t, y, est))
        return ORIG_SIGN(t, y, est)

    f = _fit(table, k, 0, record, ORIG_START)  # the point fit: every candidate's sign and start
    same = {c: bool(seen) and (seen[c] == seen["d"] or (math.isnan(seen[c][0]) and math.isnan(seen["d"][0])))
            for c in CANDIDATES}
    if name not in ZERO and all(same.values()):
        return [dict(schedule=schedule, shape=name, study=k, half="tuning" if k % 2 == 0 else "held_out", cand=c,
                     status=f.status, differs=False) for c in CANDIDATES]
    f = _fit(table, k, 400, ORIG_SIGN, ORIG_START)
    out = []
    for cand in CANDIDATES:
        g = f
        sign, start = seen.get(cand, (math.nan, math.nan))
        if not same[cand]:
            g = _fit(table, k, 400, lambda t, y, est, *_, s=sign: s, lambda t, y, est, *_, st=start: st)
        out.append(dict(schedule=schedule, shape=name, study=k, half="tuning" if k % 2 == 0 else "held_out",
                        cand=cand, status=g.status, differs=not all(same.values()), sign=sign, truth_pk=truth_pk,
                        last_h=last, hp=g.half_point_h, hp_lo=g.half_point_h_ci_low, hp_hi=g.half_point_h_ci_high,
                        hp_peak=g.half_point_peak_h, peak_change=g.peak_change,
                        hl_resolved=bool(claim.decay_resolved(g.to_dict())), peak_shown=bool(claim.peak_resolved(g.to_dict()))))
    return out


def null_records(half: str, n: int, shapes_null: bool = True) -> list[dict]:
    """Null series, ``n_boot=0``: the statement and the rise of every candidate from its sign and start."""
    recs = []
    tables = []
    for si, (sched, times) in enumerate(nr.SCHEDULES.items()):
        for k in range(n):
            if (k % 2 == 0) != (half == "tuning"):
                continue
            rng = np.random.default_rng(np.random.SeedSequence([20261207, 65, si, k]))
            tables.append((f"one {sched}", k, nr.null_table(rng, times)))
    if shapes_null:
        ti = list(fs.SHAPES).index("null")
        for sched in SCHEDULES:
            for k in range(40):
                if (k % 2 == 0) != (half == "tuning"):
                    continue
                rng = np.random.default_rng(np.random.SeedSequence([fs.SEED, list(fs.SCHEDULES).index(sched), ti, k]))
                tables.append((sched, k, fs.simulate_table(rng, "null", sched)[0]))
    for sched, k, table in tables:
        seen = {}

        def record(t, y, est, *_):
            seen["tye"] = (t, y)
            seen.update(choices(t, y, est))
            return ORIG_SIGN(t, y, est)

        f = _fit(table, k, 0, record, ORIG_START)
        if "d" not in seen:
            continue
        t, y = seen["tye"]
        for cand in CANDIDATES:
            said, rise = statement(t, y, *seen[cand])
            recs.append(dict(schedule=sched, shape="null", study=k, half=half, cand=cand, status=f.status,
                             said=said, rise=rise))
    return recs


def summary(df: pd.DataFrame) -> pd.DataFrame:
    """Per cell and candidate: ``n`` studies fitted, ``diff`` those where some candidate's sign or start differs
    from ``d``'s (only these are fitted with a bootstrap outside the zero-start shapes: elsewhere every candidate
    is ``d`` by construction), and the counts over those."""
    df = df[df["status"].isin(("ok", "no_bootstrap"))].copy()
    df["differs"] = df["differs"].astype(bool)
    base = df.groupby(["half", "schedule", "shape", "cand"], sort=False).agg(n=("differs", "size"),
                                                                           diff=("differs", "sum"))
    df = df[df["differs"] | df["shape"].isin(ZERO)]
    df = df[df["status"] == "ok"]
    df["said"] = np.isfinite(df["hp"]) | np.isfinite(df["hp_lo"])
    df["wrong"] = df["said"] & (df["sign"] != 1.0)
    hi = np.where(np.isnan(df["hp_hi"]), np.inf, df["hp_hi"])
    df["early"] = df["said"] & (hi < df["truth_pk"])
    df["cov"] = fs._covers(df["hp_lo"].to_numpy(), df["hp_hi"].to_numpy(), df["truth_pk"].to_numpy(),
                           df["last_h"].to_numpy())
    df["rise"] = np.isfinite(df["hp_peak"])
    df["false_rise"] = df["rise"] & df["shape"].isin(NEVER_RISES)
    counts = (df.groupby(["half", "schedule", "shape", "cand"], sort=False)
              .agg(said=("said", "sum"), wrong=("wrong", "sum"), early=("early", "sum"),
                   cov=("cov", "sum"), rise=("rise", "sum"), false_rise=("false_rise", "sum")))
    return base.join(counts).fillna(0).reset_index()


def table(s: pd.DataFrame) -> str:
    wide = s.pivot_table(index=["half", "schedule", "shape", "n", "diff"], columns="cand",
                         values=["said", "wrong", "early", "cov", "rise"], sort=False)
    head = "/".join(CANDIDATES)
    lines = [f"| half | schedule | shape | n | differ | said {head} | wrong sign | wholly early | covers | rise |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for idx, r in wide.iterrows():
        cells = ["/".join(str(int(r[(m, c)])) for c in CANDIDATES) for m in ("said", "wrong", "early", "cov", "rise")]
        lines.append("| " + " | ".join(str(v) for v in idx) + " | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def null_table(nd: pd.DataFrame) -> str:
    nd = nd[nd["status"].isin(("ok", "no_bootstrap"))]
    lines = ["| half | design | n | said " + "/".join(CANDIDATES) + " | rise |", "|---|---|---|---|---|"]
    groups = [(h, s, g) for (h, s), g in nd.groupby(["half", "schedule"], sort=False)]
    groups += [(h, "all", g) for h, g in nd.groupby("half", sort=False)]
    for h, s, g in groups:
        by = g.groupby("cand")
        n = int(by.size().iloc[0])
        said = "/".join(str(int(by["said"].sum()[c])) for c in CANDIDATES)
        rise = "/".join(str(int(by["rise"].sum()[c])) for c in CANDIDATES)
        lines.append(f"| {h} | {s} | {n} | {said} | {rise} |")
    for h, g in nd.groupby("half", sort=False):
        n = int((g["cand"] == "d").sum())
        for c in CANDIDATES:
            gc = g[g["cand"] == c]
            for m in ("said", "rise"):
                k = int(gc[m].sum())
                lo, hi = nr.wilson(k, n)
                lines.append(f"{h} {c} {m}: {k}/{n} = {100 * k / n:.1f} % (95 % CI {100 * lo:.1f}-{100 * hi:.1f} %)")
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--half", choices=("tuning", "held_out"), default="tuning")
    ap.add_argument("--studies", type=int, default=40, help="study indices 0..N-1 (even tuning, odd held-out)")
    ap.add_argument("--null-series", type=int, default=800, help="one-subject null series indices 0..N-1 a schedule")
    ap.add_argument("--shapes", nargs="*")
    ap.add_argument("--csv")
    ap.add_argument("--null-csv")
    ap.add_argument("--from-csv", nargs="*")
    ap.add_argument("--null-from-csv", nargs="*")
    a = ap.parse_args(argv)
    t0 = time.time()
    if a.from_csv is not None or a.null_from_csv is not None:
        df = pd.concat([pd.read_csv(p) for p in a.from_csv or []] or [pd.DataFrame()], ignore_index=True)
        nd = pd.concat([pd.read_csv(p) for p in a.null_from_csv or []] or [pd.DataFrame()], ignore_index=True)
    else:
        shapes = a.shapes if a.shapes is not None else (TUNING if a.half == "tuning" else (*TUNING, *HELD_SHAPES))
        studies = [k for k in range(a.studies) if (k % 2 == 0) == (a.half == "tuning")]
        df = pd.DataFrame([r for sched in SCHEDULES for name in shapes for k in studies
                           for r in run_study(sched, name, k)])
        print(f"shapes in {time.time() - t0:.0f} s", flush=True)
        nd = pd.DataFrame(null_records(a.half, a.null_series))
        if a.csv:
            df.to_csv(a.csv, index=False)
        if a.null_csv:
            nd.to_csv(a.null_csv, index=False)
    print(f"done in {time.time() - t0:.0f} s")
    if len(df):
        s = summary(df)
        print(table(s))
        for label, part in (("24 section-25/26 cells", s[~s["shape"].isin(ZERO)]), ("zero-start", s[s["shape"].isin(ZERO)])):
            tot = part.groupby(["half", "cand"], sort=False)[["n", "diff", "said", "wrong", "early", "cov", "rise",
                                                              "false_rise"]].sum()
            print(f"{label} (counts over the studies that differ, all studies for zero-start):")
            print(tot.to_string())
    if len(nd):
        print(null_table(nd))
    return 0


if __name__ == "__main__":
    sys.exit(main())
