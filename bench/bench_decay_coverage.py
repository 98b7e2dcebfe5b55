"""Coverage of the decay fit's 95 % intervals on real faces with a known decaying lift.

Do the intervals of ``peak_change``, ``half_life_h``, ``change_24h``, ``lasting`` and ``transient``
that :func:`facemetrics.analyze_series` (the fit of ``facemetrics timeline``) reports cover the truth
as often as they say?  Timed series are simulated as :func:`facemetrics.study.study` writes them
(the base face lifted by the true change, re-rendered at a hand-held head pose and camera distance,
:data:`facemetrics.study.DEFAULT_POSE`, then the photo jitter :data:`facemetrics.simulate.DEFAULT_JITTER`
and JPEG q92), each after photo compared with the session's first before photo by
:func:`facemetrics.compare.compare_photos`, turned into ``long.csv`` rows by
:func:`facemetrics.batch.long_rows` (the batch's own function) and fitted by ``analyze_series``, as
``facemetrics batch`` + ``timeline`` do (without the batch's file layer: pairing, EXIF times).

Fixed before any result was looked at:

- faces: TUNING = 4 London neutral portraits (``london_ccby``, the first four), used to choose
  anything; HELD_OUT = the first 4 Canada faces (``canada_ccby``), run only to report;
- truths (jawline lift, both sides, so the truth of ``jawline_lift_mm`` is the simulated mm,
  :func:`facemetrics.simulate.lift`): ``fast`` 2.5 mm peak, 3 h half-life, nothing lasting, the
  issue's photo times 0.25-48 h; ``slow`` 2 mm, 8 h, photos 0.5-72 h; ``rf`` (an RF-like lasting
  part) 1.5 mm lasting + 1 mm fading with a 12 h half-life, photos 1 h-7 days; each with two before
  photos (-1 h, the baseline every change is read against, and -0.5 h, a baseline row of the fit);
- seeds 0, 1, 2 (every draw of a series depends on the seed, the face and the design only);
- one subject per series (the residual bootstrap of the audit's case), and per set × design × seed
  the pooled fit of the set's 4 faces as 4 subjects (the two-stage cluster bootstrap);
- metric ``jawline_lift_mm``, side ``mean``; ``analyze_series`` defaults (``n_boot=400``, seed 0).

Decomposition printed per set and design (all relative to the truth): the mean error of the
estimate (bias), the SD of the estimate over faces and seeds, the part of that SD between faces
(the per-face mean), and the mean 95 % half-width; and, per photo with a true lift of at least
0.5 mm, the read ratio ``measured / true``: its mean, its SD between sessions (one factor shared by
every change of a session: the before photo's scale and the face's read) and within a session.

Run (``../shared/faces`` absent: a message, exit status 0)::

    python bench/bench_decay_coverage.py                   # simulate (cached) and fit: ~5 min on 2 idle cores
    python bench/bench_decay_coverage.py --no-scale-term    # the fit without the mm scale term (the intervals before)
    python bench/bench_decay_coverage.py --sets tuning      # tuning faces only

The change tables are cached in ``--cache`` (default ``/tmp/bench_decay_coverage``): the photos
themselves are never written, so no face leaves ``../shared``.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import time
import zlib
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SHARED = ROOT.parent / "shared" / "faces"

TUNING = [f"london_ccby/{n}" for n in (
    "london_003_f38_white_neutral.jpg", "london_021_m48_white_neutral.jpg",
    "london_024_m47_east_asian_neutral.jpg", "london_037_m37_west_asian_neutral.jpg")]
HELD_OUT = [f"canada_ccby/{n}" for n in ("canada_003f.jpg", "canada_008f.jpg", "canada_010f.jpg", "canada_019f.jpg")]
SETS = {"tuning": TUNING, "held_out": HELD_OUT}
DESIGNS = {
    "fast": dict(peak_mm=2.5, half_life_h=3.0, lasting_mm=0.0,
                 times_h=[-1.0, -0.5, 0.25, 0.5, 1, 2, 4, 8, 12, 24, 48]),
    "slow": dict(peak_mm=2.0, half_life_h=8.0, lasting_mm=0.0,
                 times_h=[-1.0, -0.5, 0.5, 1, 2, 4, 8, 12, 24, 48, 72]),
    "rf": dict(peak_mm=2.5, half_life_h=12.0, lasting_mm=1.5,
               times_h=[-1.0, -0.5, 1, 3, 6, 12, 24, 48, 96, 168]),
}
SEEDS = (0, 1, 2)
#: photo variation: ``handheld`` as :func:`facemetrics.study.study` (head pose and camera distance re-rendered,
#: then the photo jitter); ``jitter`` the photo jitter alone (roll, scale, light, noise, JPEG: the series
#: audit's case, a tripod-like series whose photo-to-photo scatter is small)
POSES = ("handheld", "jitter")
METRIC = "jawline_lift_mm"
QUANTITIES = ("peak_change", "half_life_h", "change_24h", "lasting", "transient")

_BASES: dict = {}


def _truth(spec: dict) -> dict:
    from facemetrics.study import true_change

    return dict(peak_change=spec["peak_mm"], half_life_h=spec["half_life_h"],
                change_24h=float(true_change(24.0, spec["peak_mm"], spec["half_life_h"], spec["lasting_mm"])),
                lasting=spec["lasting_mm"], transient=spec["peak_mm"] - spec["lasting_mm"])


def _series(task) -> pd.DataFrame:
    """The long rows of one face × design × seed (one subject, one session)."""
    face, design, seed, pose = task
    from PIL import Image

    from facemetrics.analyze import analyze_photo
    from facemetrics.batch import long_rows
    from facemetrics.compare import compare_photos
    from facemetrics.schema import LONG_COLUMNS
    from facemetrics.simulate import DEFAULT_JITTER, photo_jitter
    from facemetrics.study import DEFAULT_POSE, _base_analysis, _lift, _posed, true_change

    if face not in _BASES:
        _BASES[face] = _base_analysis(SHARED / face, 800, Path(face).name)
    base = _BASES[face]
    spec = DESIGNS[design]
    rng = np.random.default_rng([seed, zlib.crc32(face.encode()), zlib.crc32(design.encode()),
                                 zlib.crc32(pose.encode())])
    pose_spec = DEFAULT_POSE if pose == "handheld" else {}
    subject = Path(face).stem
    treated_at = "2026-11-02T08:00:00"
    before, rows = None, []
    for n, t in enumerate(spec["times_h"]):
        true = float(true_change(t, spec["peak_mm"], spec["half_life_h"], spec["lasting_mm"]))
        img, _ = _posed(base, _lift(base, true), rng, pose_spec)
        img, _ = photo_jitter(img, rng, DEFAULT_JITTER)
        buf = io.BytesIO()
        Image.fromarray(img).save(buf, "JPEG", quality=DEFAULT_JITTER["jpeg_quality"])
        name = f"{subject}_{design}_{n:02d}.jpg"
        ana = analyze_photo(buf.getvalue(), name=name)
        if before is None:
            before = ana
            continue
        cmp = compare_photos(before, ana)
        for r in long_rows(cmp, subject=subject, treatment=design, hours_since_treatment=float(t), photo=name,
                           treated_at=treated_at):
            if r["metric"] == METRIC:
                rows.append({**r, "true_mm": true, "seed": seed, "face": face, "pose": pose})
    return pd.DataFrame(rows, columns=list(LONG_COLUMNS) + ["true_mm", "seed", "face", "pose"])


def _tables(faces, cache: Path, workers: int) -> pd.DataFrame:
    tasks = [(f, d, s, p) for p in POSES for f in faces for d in DESIGNS for s in SEEDS]
    cache.mkdir(parents=True, exist_ok=True)

    def path(task):
        f, d, s, p = task
        return cache / f"{Path(f).stem}_{d}_{s}_{p}.csv"

    todo = [t for t in tasks if not path(t).exists()]
    if todo:
        t0 = time.time()
        print(f"simulating {len(todo)} series ({workers} workers) ...", flush=True)
        if workers > 1:
            import multiprocessing as mp

            with mp.get_context("fork").Pool(workers) as pool:
                frames = pool.map(_series, todo, chunksize=1)
        else:
            frames = [_series(t) for t in todo]
        for t, fr in zip(todo, frames):
            fr.to_csv(path(t), index=False)
        print(f"  {time.time() - t0:.0f} s", flush=True)
    return pd.concat([pd.read_csv(path(t)) for t in tasks], ignore_index=True)


def _fit_rows(table: pd.DataFrame, set_name: str) -> list[dict]:
    """One record per fit (single face, and pooled faces per design × seed): estimate, CI, truth."""
    from facemetrics.decay import analyze_series

    out = []
    units = [("single", g) for _, g in table.groupby(["pose", "face", "treatment", "seed"])]
    units += [("pooled", g) for _, g in table.groupby(["pose", "treatment", "seed"])]
    for kind, g in units:
        design, seed = g["treatment"].iloc[0], int(g["seed"].iloc[0])
        res = analyze_series(g.drop(columns=["true_mm", "seed", "face", "pose"]), metrics=[METRIC],
                             per_subject=False)
        fit = res.get(design, METRIC, "mean")
        truth = _truth(DESIGNS[design])
        rec = dict(set=set_name, pose=g["pose"].iloc[0], kind=kind, design=design, seed=seed,
                   face=g["face"].iloc[0] if kind == "single" else "pooled", verdict=fit.verdict,
                   bootstrap=fit.bootstrap)
        for q in QUANTITIES:
            rec[q] = getattr(fit, q)
            rec[q + "_lo"], rec[q + "_hi"] = getattr(fit, q + "_ci_low"), getattr(fit, q + "_ci_high")
            rec[q + "_true"] = truth[q]
        out.append(rec)
    return out


def _coverage(fits: pd.DataFrame) -> None:
    print("\nCoverage of the 95 % intervals (covered / fits), jawline_lift_mm mean:")
    print("| set | photos | fit | design | " + " | ".join(QUANTITIES) + " | verdicts |")
    print("|---|---|---|---|" + "---|" * len(QUANTITIES) + "---|")
    for (s, p, k, d), g in fits.groupby(["set", "pose", "kind", "design"], sort=False):
        cells = []
        for q in QUANTITIES:
            lo, hi, tr = g[q + "_lo"], g[q + "_hi"], g[q + "_true"]
            tol = 1e-9 + 1e-6 * np.abs(tr)
            cov = ((lo <= tr + tol) & (tr - tol <= hi)).sum()
            cells.append(f"{cov}/{len(g)}")
        verdicts = ", ".join(f"{v} {n}" for v, n in g["verdict"].value_counts().items())
        print(f"| {s} | {p} | {k} | {d} | " + " | ".join(cells) + f" | {verdicts} |")
    single = fits[fits["kind"] == "single"]
    for (s, p), g in single.groupby(["set", "pose"], sort=False):
        tot = {q: int(((g[q + "_lo"] <= g[q + "_true"] + 1e-9) & (g[q + "_true"] - 1e-9 <= g[q + "_hi"])).sum())
               for q in QUANTITIES}
        print(f"{s}, {p}, single faces, all designs: " + ", ".join(f"{q} {v}/{len(g)}" for q, v in tot.items()))


def _decomposition(fits: pd.DataFrame, table: pd.DataFrame) -> None:
    print("\nDecomposition (single-face fits; relative to the truth; % of it):")
    print("| set | photos | design | quantity | bias | SD of estimate | SD between faces | mean 95 % half-width |")
    print("|---|---|---|---|---|---|---|---|")
    single = fits[fits["kind"] == "single"]
    for (s, p, d), g in single.groupby(["set", "pose", "design"], sort=False):
        for q in ("peak_change", "half_life_h", "transient"):
            tr = g[q + "_true"].iloc[0]
            rel = g[q] / tr - 1.0
            between = rel.groupby(g["face"]).mean().std(ddof=1)
            half = ((g[q + "_hi"] - g[q + "_lo"]) / 2.0 / tr).mean()
            print(f"| {s} | {p} | {d} | {q} | {100 * rel.mean():+.1f} | {100 * rel.std(ddof=1):.1f} | "
                  f"{100 * between:.1f} | {100 * half:.1f} |")
    for p, rows in table[(table["side"] == "mean") & (table["true_mm"] >= 0.5)
                         & (table["verdict"] != "uncertain")].groupby("pose", sort=False):
        _read_ratio(p, rows)


def _read_ratio(pose: str, rows: pd.DataFrame) -> None:
    """The read ratio measured / true of photos with a true lift: mean, SD between and within sessions."""
    ratio = rows["value"] / rows["true_mm"]
    session = rows["face"].astype(str) + "/" + rows["treatment"] + "/" + rows["seed"].astype(str)
    per_session = ratio.groupby(session).mean()
    within = (ratio - per_session.reindex(session).to_numpy()).groupby(session).std(ddof=1).pow(2).mean() ** 0.5
    per_face = ratio.groupby(rows["face"]).mean()
    print(f"Read ratio measured / true, {pose} (photos with a true lift >= 0.5 mm, {len(rows)} rows, "
          f"{per_session.size} sessions): mean {ratio.mean():.3f}, SD between sessions {per_session.std(ddof=1):.3f}, "
          f"SD within a session {within:.3f}; per face " + ", ".join(f"{Path(f).stem[:11]} {v:.3f}"
                                                                        for f, v in per_face.items()))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sets", default="tuning,held_out", help="tuning, held_out or both (comma-separated)")
    ap.add_argument("--cache", default="/tmp/bench_decay_coverage", help="folder of the cached change tables")
    ap.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1))
    ap.add_argument("--no-scale-term", action="store_true",
                    help="fit without the mm scale term, bootstrap.SCALE_SD (the intervals as before 2026-12-03)")
    ap.add_argument("--csv", help="write every fit's record to this CSV")
    args = ap.parse_args(argv)
    if not SHARED.is_dir():
        print(f"skipped: {SHARED} is absent (the real faces are not in the project)")
        return 0
    os.environ.setdefault("GLOG_minloglevel", "2")
    if args.no_scale_term:
        from facemetrics.decay import bootstrap  # where _scale_factors reads SCALE_SD

        bootstrap.SCALE_SD = dict.fromkeys(bootstrap.SCALE_SD, 0.0)
    fits, tables = [], []
    for s in args.sets.split(","):
        table = _tables(SETS[s], Path(args.cache), args.workers)
        tables.append(table)
        fits += _fit_rows(table, s)
        frame = pd.DataFrame(fits)
        _decomposition(frame[frame["set"] == s], table)
    frame = pd.DataFrame(fits)
    _coverage(frame)
    if args.csv:
        frame.to_csv(args.csv, index=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
