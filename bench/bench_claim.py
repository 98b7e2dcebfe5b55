"""Operating characteristics of the 24 h claim test (:func:`facemetrics.analyze_series`).

How often does each verdict (``fades_within_a_day``, ``persists_beyond_a_day``, ``inconclusive``)
come out, as a function of the truth, the design and the noise?  Change tables are simulated
directly (no images), so a study costs one ``analyze_series`` call::

    python -m facemetrics demo -o /tmp/bc_demo --workers 1          # the pipeline runs to measure noise on
    python -m facemetrics demo -o /tmp/bc_demo2 --workers 1 --subjects 6 --seed 1 --n-boot 0
    python bench/bench_claim.py --demo /tmp/bc_demo --demo /tmp/bc_demo2   # the tables (markdown), ~9000 fits
    python bench/bench_claim.py --demo /tmp/bc_demo --studies 3 --studies-secondary 3   # a smoke run
    python bench/bench_claim.py --demo /tmp/bc_demo --demo /tmp/bc_demo2 --csv /tmp/claim.csv  # also the cells
    python bench/bench_claim.py --summary /tmp/claim.csv               # the tables of a saved run

``--demo DIR`` may be given more than once (e.g. a second demo with ``--subjects 6 --seed 1``); a
folder without ``long.csv`` is first filled by ``python -m facemetrics demo -o DIR --n-boot 0``.

Everything below was fixed before any result was looked at.

Noise model (measured, not assumed)
-----------------------------------
From each demo folder: the ``jawline_lift_mm`` / ``mean`` rows of ``long.csv`` (rows the fits leave
out, verdict ``uncertain``, dropped) joined by photo to ``study/manifest.csv``'s ``true_lift_mm``
(the demo's truth: :data:`facemetrics.study.DEFAULT_DESIGN`, microcurrent 2 mm peak, 3 h half-life;
RF 1.5 mm lasting).  ``error = measured - truth``.  A change is measured against its session's one
baseline photo, so errors share a per-session offset: one-way random-effects ANOVA over sessions
(subject x treatment x demo) gives ``sd_within`` (photo to photo) and ``sd_between`` (the shared
offset).  Simulated value of subject ``i`` at time ``t``::

    value = truth_i(t) + b_i + e_it,    b_i ~ N(0, sd_between²),  e_it ~ N(0, sd_within²)

Noise levels (each keeps the measured between/within split of the variance, scaled to its total SD):

- ``measured``: the demo's own total SD (above);
- ``low``: the default floor of ``jawline_lift_mm`` mean (``compare.DEFAULT_NOISE_FLOORS``) taken as a
  2-SD bound (docs/validation.md section 6's real-face RMSE, 0.014 mm with 2-D nuisances only, is
  lower still);
- ``high``: the RMS of the jawline lift of the five real camera-distance pairs of one unchanged
  person (docs/compare.md, 'Real photos of one person', debruine set: -0.02, -0.15, -0.53, -0.42,
  +0.28 mm), true change 0.

Truths and subjects
-------------------
``change(t) = lasting + (peak - lasting) * 2 ** (-t / half_life)`` (:func:`facemetrics.study.true_change`,
i.e. :func:`facemetrics.decay.model.decay_model` with ``transient = peak - lasting``); peak 2 mm;
half-life 1, 3, 6, 12, 24, 48 h with lasting 0 and 1 mm; no decay (2 mm throughout); no effect (0).
Between subjects (unless the run says "no spread"): the subject's whole curve is scaled by
``max(0.05, 1 + 0.2 z)`` (peak SD 20 %; the demo cannot measure a biological spread: its subjects
are one face with one truth) and its half-life is ``half_life * exp(0.3 z')`` (log-SD 0.3).
The truth a study is judged against is the population's: the true change at 24 h is the mean over
subjects (Gauss-Hermite over ``z'``), the true half-life the median ``half_life``.

Designs (photos after treatment only, as the pipeline's ``long.csv`` has them; no baseline rows):
``issue``: the demo's microcurrent times 0.25-48 h (9 photos per subject) with 1, 3 and 8 subjects;
``few``: 1, 4, 12, 30 h with 3 subjects (with 1 subject it has 4 photos, below ``MIN_PHOTOS``, and is
always ``inconclusive``/``insufficient_data``: not run).

Margin: ``min_effect`` runs give no ``noise_floor`` column, so the margin is ``MIN_EFFECT['mm']``
(0.3 mm); ``pipeline`` runs give every photo a ``noise_floor`` drawn (independently of its error)
from the demo's per-photo jawline floors, as ``long.csv`` carries them, so the margin is
``max(0.3, median floor of the series)`` as in ``facemetrics timeline`` (the largest floor until 2026-12-03).

Runs (``--runs`` keys): ``measured`` (measured noise, margin 0.3 mm, every design and truth), ``low``
and ``high`` (the issue design with 3 subjects), ``nospread`` (measured noise without between-subject
spread: the issue design, half-lives 3 and 24 h with lasting 0 and 1 mm, and no effect) and
``pipeline`` (measured noise, pipeline floors, the issue design; half-lives 3 and 24 h with lasting
0 and 1 mm, no decay, no effect).

Studies per cell: ``--studies`` (default 100) for the measured-noise run, ``--studies-secondary``
(default 60) for the others.  Analysis: ``analyze_series(table, per_subject=False, n_boot=400 (the default), seed=study index)``;
the pooled row's verdict.  Errors: ``fades`` although ``|true change at 24 h| > margin``;
``persists`` although ``|true change at 24 h| < margin`` (per study, with that study's margin).
Half-life coverage: share of the studies with a CI (status ``ok``) whose 95 % CI of
``half_life_h`` contains the true half-life (truths with a decay only).  Seeds:
``SeedSequence([20261203, run, design, truth, study])``.
"""

from __future__ import annotations

import argparse
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from facemetrics.compare import DEFAULT_NOISE_FLOORS
from facemetrics.decay import FADES, INCONCLUSIVE, MIN_EFFECT, PERSISTS, analyze_series
from facemetrics.study import DEFAULT_DESIGN, true_change

METRIC = "jawline_lift_mm"
PEAK_MM = 2.0
HALF_LIVES = (1.0, 3.0, 6.0, 12.0, 24.0, 48.0)
LASTINGS = (0.0, 1.0)
PEAK_SD_FRACTION = 0.2
HALF_LIFE_LOG_SD = 0.3
ISSUE_TIMES = tuple(float(t) for t in DEFAULT_DESIGN["microcurrent"]["times_h"] if t >= 0)
FEW_TIMES = (1.0, 4.0, 12.0, 30.0)
#: jawline lift (mm, mean row) of the five camera-distance pairs of one unchanged person
#: (docs/compare.md, 'Real photos of one person', re-run 2026-12-03)
REAL_CAMERA_PAIRS_MM = (-0.02, -0.15, -0.53, -0.42, 0.28)
SEED = 20261203


# ------------------------------------------------------------------ the noise model


def ensure_demo(folder: Path) -> None:
    """Run ``facemetrics demo`` into ``folder`` unless it already holds one (long.csv and manifest)."""
    if (folder / "long.csv").exists() and (folder / "study" / "manifest.csv").exists():
        return
    env = dict(os.environ, GLOG_minloglevel="2")
    subprocess.run([sys.executable, "-m", "facemetrics", "demo", "-o", str(folder), "--n-boot", "0",
                    "--workers", "1"], check=True, env=env, stdout=subprocess.DEVNULL)


def demo_errors(folders) -> pd.DataFrame:
    """``error = measured - true`` of every jawline_lift_mm mean row of the demo folders."""
    frames = []
    for k, folder in enumerate(folders):
        folder = Path(folder)
        ensure_demo(folder)
        long = pd.read_csv(folder / "long.csv")
        truth = pd.read_csv(folder / "study" / "manifest.csv")[["photo", "true_lift_mm"]]
        x = long[(long["metric"] == METRIC) & (long["side"] == "mean") & (long["verdict"] != "uncertain")]
        x = x.merge(truth, on="photo", how="inner")
        x = x.assign(error=x["value"] - x["true_lift_mm"], session=[f"{k}/{s}/{t}" for s, t in
                                                                 zip(x["subject"], x["treatment"])])
        frames.append(x[["session", "hours_since_treatment", "true_lift_mm", "value", "error", "noise_floor"]])
    return pd.concat(frames, ignore_index=True)


def variance_components(err: pd.DataFrame) -> dict:
    """One-way random-effects ANOVA of ``error`` over sessions: within and between SDs (mm)."""
    groups = [g["error"].to_numpy(float) for _, g in err.groupby("session")]
    n_i = np.array([g.size for g in groups], float)
    N, k = n_i.sum(), len(groups)
    grand = np.concatenate(groups).mean()
    ssw = sum(((g - g.mean()) ** 2).sum() for g in groups)
    ssb = sum(g.size * (g.mean() - grand) ** 2 for g in groups)
    msw, msb = ssw / (N - k), ssb / (k - 1)
    n0 = (N - (n_i ** 2).sum() / N) / (k - 1)
    var_b = max(0.0, (msb - msw) / n0)
    slope = np.polyfit(err["true_lift_mm"], err["error"], 1)[0]
    return dict(n_photos=int(N), n_sessions=k, bias=float(grand), sd_raw=float(err["error"].std(ddof=1)),
                sd_within=math.sqrt(msw), sd_between=math.sqrt(var_b),
                sd_total=math.sqrt(msw + var_b), slope=float(slope))


def noise_levels(vc: dict) -> dict:
    """``{name: (sd_within, sd_between, source text)}``: each level keeps the measured split."""
    share_b = vc["sd_between"] ** 2 / vc["sd_total"] ** 2
    floor = DEFAULT_NOISE_FLOORS[(METRIC, "mean")]
    real = float(np.sqrt(np.mean(np.square(REAL_CAMERA_PAIRS_MM))))

    def split(total):
        return total * math.sqrt(1 - share_b), total * math.sqrt(share_b)

    return {
        "low": (*split(floor / 2), f"default floor {floor} mm as 2 SD: total SD {floor / 2:.3f} mm"),
        "measured": (vc["sd_within"], vc["sd_between"], f"demo: total SD {vc['sd_total']:.3f} mm"),
        "high": (*split(real), f"real camera-distance pairs of one person: RMS {real:.3f} mm"),
    }


# ------------------------------------------------------------------ truths and studies


def truths():
    """``[(label, half_life or inf or None, lasting, peak)]``: None = no effect, inf = no decay."""
    out = [(f"hl {h:g} h, lasting {l:g}", h, l, PEAK_MM) for l in LASTINGS for h in HALF_LIVES]
    out.append(("no decay (2 mm)", math.inf, PEAK_MM, PEAK_MM))
    out.append(("no effect", None, 0.0, 0.0))
    return out


_GH_X, _GH_W = np.polynomial.hermite_e.hermegauss(40)
_GH_W = _GH_W / _GH_W.sum()


def population_change(t: float, half_life, lasting: float, peak: float, spread: bool) -> float:
    """Mean true change over subjects ``t`` hours after treatment (mm)."""
    if half_life is None:
        return 0.0
    if math.isinf(half_life):
        return peak
    if not spread:
        return float(true_change(t, peak, half_life, lasting))
    hl = half_life * np.exp(HALF_LIFE_LOG_SD * _GH_X)
    return float(np.sum(_GH_W * true_change(t, peak, hl, lasting)))


def simulate_table(rng, times, n_subjects, truth, noise, spread: bool, floors) -> pd.DataFrame:
    """One study's change table (columns of ``analyze_series``' input)."""
    _, half_life, lasting, peak = truth
    sd_w, sd_b = noise
    t = np.asarray(times, float)
    rows = []
    for s in range(n_subjects):
        f = max(0.05, 1.0 + PEAK_SD_FRACTION * rng.standard_normal()) if spread else 1.0
        hl_s = (half_life * math.exp(HALF_LIFE_LOG_SD * rng.standard_normal())
                if spread and half_life is not None and math.isfinite(half_life) else half_life)
        if half_life is None:
            curve = np.zeros_like(t)
        elif math.isinf(hl_s):
            curve = np.full_like(t, peak * f)
        else:
            curve = f * true_change(t, peak, hl_s, lasting)
        value = curve + sd_b * rng.standard_normal() + sd_w * rng.standard_normal(t.size)
        row = dict(subject=[f"S{s + 1:02d}"] * t.size, hours_since_treatment=t, value=value)
        if floors is not None:
            row["noise_floor"] = rng.choice(floors, size=t.size)
        rows.append(pd.DataFrame(row))
    df = pd.concat(rows, ignore_index=True)
    return df.assign(treatment="sim", metric=METRIC, side="mean", unit="mm")


def run_cell(run: dict, run_i: int, design: tuple, design_i: int, truth: tuple, truth_i: int,
             n_studies: int, n_boot: int) -> dict:
    """``n_studies`` simulated studies of one cell; rates and coverage."""
    dname, times, n_subj = design
    label, half_life, lasting, peak = truth
    true24 = population_change(24.0, half_life, lasting, peak, run["spread"])
    recs = []
    for k in range(n_studies):
        rng = np.random.default_rng(np.random.SeedSequence([SEED, run_i, design_i, truth_i, k]))
        table = simulate_table(rng, times, n_subj, truth, run["noise"], run["spread"], run["floors"])
        f = analyze_series(table, per_subject=False, n_boot=n_boot, seed=k).fits[0]
        recs.append((f.verdict, f.status, f.smallest_meaningful_change, f.half_life_h_ci_low, f.half_life_h_ci_high))
    verdict = np.array([r[0] for r in recs])
    status = np.array([r[1] for r in recs])
    margin = np.array([r[2] for r in recs], float)
    beyond = abs(true24) > margin
    has_hl = half_life is not None and math.isfinite(half_life)
    ci_ok = (status == "ok") & has_hl
    lo = np.array([r[3] for r in recs], float)
    hi = np.array([r[4] for r in recs], float)
    covered = ci_ok & (lo <= (half_life or 0)) & ((half_life or 0) <= hi)
    return dict(
        run=run["name"], design=dname, subjects=n_subj, truth=label, true_24h=true24,
        margin=float(np.median(margin)), margin_min=float(margin.min()), margin_max=float(margin.max()),
        beyond_share=float(beyond.mean()), n=n_studies,
        fades=float((verdict == FADES).mean()), persists=float((verdict == PERSISTS).mean()),
        inconclusive=float((verdict == INCONCLUSIVE).mean()),
        insufficient=float((status == "insufficient_data").mean()),
        wrong_fades=float(((verdict == FADES) & beyond).sum() / max(beyond.sum(), 1)) if beyond.any() else math.nan,
        wrong_persists=(float(((verdict == PERSISTS) & ~beyond).sum() / max((~beyond).sum(), 1))
                        if (~beyond).any() else math.nan),
        hl_ci_n=int(ci_ok.sum()), hl_coverage=float(covered.sum() / ci_ok.sum()) if ci_ok.any() else math.nan,
    )


# ------------------------------------------------------------------ output


def _pct(x) -> str:
    return "–" if not np.isfinite(x) else f"{100 * x:.0f}"


def markdown(cells: pd.DataFrame) -> str:
    """One table per run and design."""
    out = []
    for (run, design, subjects), g in cells.groupby(["run", "design", "subjects"], sort=False):
        out.append(f"\n**{run}; design {design}, {subjects} subject(s); {int(g['n'].iloc[0])} studies per row**\n")
        out.append("| truth | true change at 24 h mm | margin mm (range) | fades % | persists % | inconclusive % "
                   "(insufficient) | wrong fades % | wrong persists % | half-life CI coverage % (n) |")
        out.append("|---|---|---|---|---|---|---|---|---|")
        for _, r in g.iterrows():
            rng_txt = (f"{r.margin:.2f}" if r.margin_max - r.margin_min < 5e-3
                       else f"{r.margin:.2f} ({r.margin_min:.2f}-{r.margin_max:.2f})")
            cov = "–" if not np.isfinite(r.hl_coverage) else f"{_pct(r.hl_coverage)} ({r.hl_ci_n})"
            out.append(f"| {r.truth} | {r.true_24h:.2f} | {rng_txt} | {_pct(r.fades)} | {_pct(r.persists)} | "
                       f"{_pct(r.inconclusive)} ({_pct(r.insufficient)}) | {_pct(r.wrong_fades)} | "
                       f"{_pct(r.wrong_persists)} | {cov} |")
    return "\n".join(out)


def compact(cells: pd.DataFrame) -> str:
    """Per run, one row per truth and one column per design: ``fades / persists / inconclusive`` %
    and the half-life CI coverage %."""
    out = []
    for run, g in cells.groupby("run", sort=False):
        designs = list(dict.fromkeys(zip(g["design"], g["subjects"])))
        heads = [f"{d} {n} subj." for d, n in designs]
        out.append(f"\n**{run}** (fades / persists / inconclusive %, half-life 95 % CI coverage %; "
                   f"{int(g['n'].iloc[0])} studies per cell; margin median {g['margin'].median():.2f} mm)\n")
        out.append("| truth | true change at 24 h mm | " + " | ".join(heads) + " | coverage " + " / ".join(heads) + " |")
        out.append("|---|---|" + "---|" * len(heads) + "---|")
        for truth, h in g.groupby("truth", sort=False):
            by = {(r.design, r.subjects): r for r in h.itertuples()}
            cols = [f"{_pct(by[d].fades)} / {_pct(by[d].persists)} / {_pct(by[d].inconclusive)}" if d in by else ""
                    for d in designs]
            cov = " / ".join(_pct(by[d].hl_coverage) if d in by else "" for d in designs)
            out.append(f"| {truth} | {h['true_24h'].iloc[0]:.2f} | " + " | ".join(cols) + f" | {cov} |")
    return "\n".join(out)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--demo", action="append", type=Path, metavar="DIR",
                   help="a `facemetrics demo` output folder (run into it when empty); repeatable")
    p.add_argument("--studies", type=int, default=100, help="simulated studies per cell (default 100)")
    p.add_argument("--studies-secondary", type=int, default=60,
                   help="studies per cell of the low/high-noise, no-spread and pipeline-floor runs (default 60)")
    p.add_argument("--n-boot", type=int, default=400, help="bootstrap replicates (default 400, the package's)")
    p.add_argument("--runs", default="all", help="comma-separated runs: measured, low, high, nospread, pipeline (default all)")
    p.add_argument("--csv", type=Path, help="also write the per-cell table here")
    p.add_argument("--summary", type=Path, metavar="CSV", help="print the tables of a saved --csv and stop")
    args = p.parse_args(argv)
    if args.summary:
        table = pd.read_csv(args.summary)
        print(compact(table))
        print(markdown(table))
        return 0

    if not args.demo:
        p.error("give --demo DIR (or --summary CSV)")
    err = demo_errors(args.demo)
    vc = variance_components(err)
    floors = err["noise_floor"].to_numpy(float)
    floors = floors[np.isfinite(floors)]
    levels = noise_levels(vc)
    print("## Noise model (jawline_lift_mm, mean row)\n")
    print(f"demo photos {vc['n_photos']} in {vc['n_sessions']} sessions; error = measured - truth: mean "
          f"{vc['bias']:+.3f} mm, SD {vc['sd_raw']:.3f} mm; within-session SD {vc['sd_within']:.3f} mm, "
          f"between-session (baseline) SD {vc['sd_between']:.3f} mm, total {vc['sd_total']:.3f} mm; "
          f"slope of error on truth {vc['slope']:+.3f}")
    print(f"demo per-photo noise floors: median {np.median(floors):.2f} mm, 90th pct "
          f"{np.quantile(floors, 0.9):.2f} mm, max {floors.max():.2f} mm (n {floors.size})")
    for name, (w, b, src) in levels.items():
        print(f"- {name}: within {w:.3f} mm, between {b:.3f} mm ({src})")
    print(f"between subjects: peak SD {PEAK_SD_FRACTION:.0%}, half-life log-SD {HALF_LIFE_LOG_SD}; "
          f"margin MIN_EFFECT {MIN_EFFECT['mm']} mm; n_boot {args.n_boot}")

    issue = [("issue", ISSUE_TIMES, n) for n in (1, 3, 8)]
    few = [("few", FEW_TIMES, 3)]
    all_truths = truths()
    decaying = [t for t in all_truths if t[1] is not None and math.isfinite(t[1]) and t[1] in (3.0, 24.0)]
    key_truths = decaying + [t for t in all_truths if t[1] is None or math.isinf(t[1])]
    lv = {k: v[:2] for k, v in levels.items()}
    runs = [
        dict(name="measured noise, margin 0.3 mm", key="measured", noise=lv["measured"], spread=True,
             floors=None, designs=issue + few, truths=all_truths),
        dict(name="low noise, margin 0.3 mm", key="low", noise=lv["low"], spread=True, floors=None,
             designs=[issue[1]], truths=all_truths),
        dict(name="high noise, margin 0.3 mm", key="high", noise=lv["high"], spread=True, floors=None,
             designs=[issue[1]], truths=all_truths),
        dict(name="measured noise, no between-subject spread, margin 0.3 mm", key="nospread",
             noise=lv["measured"], spread=False, floors=None, designs=issue, truths=decaying + key_truths[-1:]),
        dict(name="measured noise, pipeline floors (margin = the median photo floor)", key="pipeline",
             noise=lv["measured"], spread=True, floors=floors, designs=issue, truths=key_truths),
    ]
    wanted = None if args.runs == "all" else set(args.runs.split(","))
    cells = []
    for run_i, run in enumerate(runs):
        if wanted is not None and run["key"] not in wanted:
            continue
        for design_i, design in enumerate(run["designs"]):
            for truth in run["truths"]:
                truth_i = all_truths.index(truth)
                n_studies = args.studies if run["key"] == "measured" else args.studies_secondary
                cells.append(run_cell(run, run_i, design, design_i, truth, truth_i, n_studies, args.n_boot))
                c = cells[-1]
                print(f"  {run['key']:9s} {design[0]:5s} n={design[2]} {truth[0]:22s} fades {_pct(c['fades']):>3s} "
                      f"persists {_pct(c['persists']):>3s} cov {_pct(c['hl_coverage']):>3s}",
                      file=sys.stderr, flush=True)
    table = pd.DataFrame(cells)
    if args.csv:
        table.to_csv(args.csv, index=False, float_format="%.6g")
    print(compact(table))
    print(markdown(table))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
