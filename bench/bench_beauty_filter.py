"""Beauty-filter smoothing against the comparison's fold rows (docs/compare.md "Smoothed skin: the fold
rows"; ``compare.gate.smoothed_skin``, ``weak_fold_rows``).

A beauty filter (edge-preserving smoothing of the skin) flattens the nasolabial fold; the after photo's
valley evidence along the carried line is then weak, the fold length's threshold crossing wanders, and
a photo against its own smoothed copy read ``nlf_length_mm`` right -6 mm against a floor of 5.86
(``shorter``) in the audit of 2026-12-04.

Rule 1 (not adopted), written before any filtered pair was measured
-------------------------------------------------------------------
Evidence of a side: the smaller of the two photos' fold contrast along the compared line (the
``nlf_contrast_pct`` row's before and after values, %: the valley's darkening against the skin 4 mm
either side, median over the line).  A side whose evidence is below the limit reads ``uncertain`` on its
three fold rows (``nlf_depth``, ``nlf_contrast_pct``, ``nlf_length_mm``), with a message.
The limit is chosen on the tuning faces (London 12 neutral; the
filtered copies below as after photos): the smallest multiple of 0.1 % above the evidence of every
filtered side whose ``nlf_length_mm`` or ``nlf_depth`` reads a verdict beyond its floor.  If that limit
would make more than 5 % of the tuning faces' clean nuisance sides (``simulate.NUISANCES``, the
identity included) uncertain, it is not adopted (reported instead).  The held-out check (the 40 Canada
faces, run once after the limit is fixed): (a) no filtered side reads a length or depth verdict beyond
its floor; (b) how many clean nuisance sides lose their verdict to the rule.

Its tuning run (2026-12-04) gave 6.8 %, which made 125 of the 195 clean nuisance sides uncertain (64 %): the
fold contrast of unfiltered London folds is often that low or negative (a neutral fold shows little valley),
while filtered folds read length verdicts with 6.7 % left.  Not adopted, as the rule said.

Rule 2 (shipped), written after rule 1's tuning run and a look at the skin texture of 6 tuning faces
-----------------------------------------------------------------------------------------------
Evidence of a pair: the skin texture ratio (``gate.smoothed_skin``: ``quality.skin_texture``, the median
band-pass (0.8-1.6 mm) structure of the face's skin, of the smoother photo over the other's).  Below the
limit every fold row of both sides reads ``uncertain``, with a message naming the smoother photo.  The limit
(``gate.MIN_SKIN_TEXTURE_RATIO``): the smallest multiple of 0.01 above the ratio of every filtered tuning
pair with a side whose ``nlf_length_mm`` or ``nlf_depth`` reads a verdict beyond its floor; not adopted if it
would make more than 5 % of the tuning faces' clean nuisance pairs uncertain.  Held out as above: (a) and (b),
counted per pair and per side.

Filters (whole picture, sizes in mm of the face so that they act alike on any photo): bilateral
(``cv2.bilateralFilter``, sigmaColor 20 / 40 / 60 / 80 levels, sigmaSpace 1.5 / 2 / 3 / 4 mm) and
OpenCV's recursive edge-preserving filter (``cv2.edgePreservingFilter``, sigma_s 20 / 40 px-scaled,
sigma_r 0.25 / 0.4).

Usage::

    python bench/bench_beauty_filter.py --measure tune --csv /tmp/beauty_tune.csv
    python bench/bench_beauty_filter.py --choose /tmp/beauty_tune.csv
    python bench/bench_beauty_filter.py --measure heldout --csv /tmp/beauty_held.csv
    python bench/bench_beauty_filter.py --report /tmp/beauty_held.csv [--limit L]

``--measure`` records what the comparison reads *without* the rule (the rows' verdicts with no limit) and
each side's evidence (both rules'), so that ``--choose`` (rules 1 and 2) and ``--report`` (rule 2; the
shipped limit unless ``--limit``) apply a limit to the same rows.
"""

from __future__ import annotations

import argparse
import importlib
import csv
import dataclasses
import os
import sys
from pathlib import Path

os.environ.setdefault("GLOG_minloglevel", "2")

import cv2
import numpy as np

from facemetrics import analyze_photo, compare_photos  # noqa: E402
from facemetrics import simulate as sim  # noqa: E402
from facemetrics.analyze import analyze_loaded  # noqa: E402
G = importlib.import_module("facemetrics.compare.skin")  # the gate's skin checks (out of compare/gate.py, 2026-12-06)

ROOT = Path(__file__).resolve().parents[1]
FACES = ROOT.parent / "shared" / "faces"
FOLD = ("nlf_depth", "nlf_contrast_pct", "nlf_length_mm")
VERDICT_METRICS = ("nlf_depth", "nlf_length_mm")


def filters(mm_per_px: float) -> dict:
    """name -> function of an RGB uint8 picture (sizes in mm converted with the photo's scale)."""
    out = {}
    for sc, ss_mm in ((20, 1.5), (40, 2.0), (60, 3.0), (80, 4.0)):
        out[f"bilateral_{sc}_{ss_mm}mm"] = (
            lambda rgb, sc=sc, ss=ss_mm / mm_per_px: cv2.bilateralFilter(rgb, 0, sc, ss))
    for s, r in ((20, 0.25), (40, 0.4)):
        # sigma_s is in px; scaled to a 0.3 mm/px face (the London photos)
        out[f"edge_preserving_{s}_{r}"] = (
            lambda rgb, s=s, r=r: cv2.edgePreservingFilter(rgb, flags=cv2.RECURS_FILTER,
                                                           sigma_s=s * 0.3 / mm_per_px, sigma_r=r))
    return out


def _faces(which: str) -> list[Path]:
    if which == "tune":
        return sorted((FACES / "london_ccby").glob("*_neutral.jpg"))
    return sorted((FACES / "canada_ccby").glob("*.jpg"))


def _rows_of(c, photo: str, kind: str, name: str) -> list[dict]:
    rows = {(r.metric, r.side): r for r in c.changes}
    out = []
    ratio = G.smoothed_skin(c.before, c.after)
    for side in ("right", "left"):
        con = rows[("nlf_contrast_pct", side)]
        d = dict(photo=photo, kind=kind, pair=name, side=side, status=c.status, texture_ratio=ratio,
                 evidence=min(con.before, con.after), contrast_before=con.before, contrast_after=con.after)
        for m in FOLD:
            r = rows[(m, side)]
            d[f"{m}_change"], d[f"{m}_floor"], d[f"{m}_verdict"] = r.change, r.noise_floor, r.verdict
        out.append(d)
    return out


def measure(which: str, csv_path: Path) -> None:
    cv2.setNumThreads(1)
    G.MIN_SKIN_TEXTURE_RATIO = -np.inf  # the verdicts without the rule (the evidence is recorded)
    rows = []
    for path in _faces(which):
        a = analyze_photo(path)
        if not a.ok:
            print(f"skip {path.name}: {a.status}", file=sys.stderr)
            continue
        for name, fn in filters(a.mm_per_px).items():
            b = analyze_loaded(dataclasses.replace(a.photo, rgb=np.ascontiguousarray(fn(a.photo.rgb))))
            rows += _rows_of(compare_photos(a, b), path.name, "filtered", name)
        for name, fn in sim.NUISANCES.items():
            b = analyze_loaded(dataclasses.replace(a.photo, rgb=fn(a).image))
            rows += _rows_of(compare_photos(a, b), path.name, "clean", name)
        print(f"{path.name}: done", file=sys.stderr, flush=True)
    with open(csv_path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    print(f"{len(rows)} sides -> {csv_path}")


def _load(path: Path) -> list[dict]:
    with open(path) as f:
        rows = list(csv.DictReader(f))
    for r in rows:
        r["evidence"], r["texture_ratio"] = float(r["evidence"]), float(r["texture_ratio"])
    return rows


def _pairs(rows: list[dict]) -> dict:
    """(photo, kind, pair) -> its two sides' rows."""
    out: dict = {}
    for r in rows:
        out.setdefault((r["photo"], r["kind"], r["pair"]), []).append(r)
    return out


def choose_texture(path: Path) -> float:
    """Rule 2 (module docstring) on the tuning rows."""
    pairs = _pairs(_load(path))
    bad = [(k, s[0]["texture_ratio"]) for k, s in pairs.items() if k[1] == "filtered" and any(_beyond(r) for r in s)]
    top = max((v for _, v in bad), default=0.0)
    limit = float(np.floor(top * 100 + 1e-9) + 1) / 100
    clean = [s[0]["texture_ratio"] for k, s in pairs.items() if k[1] == "clean"]
    lost = sum(v < limit for v in clean)
    filt = [s[0]["texture_ratio"] for k, s in pairs.items() if k[1] == "filtered"]
    print(f"rule 2, tuning: {len(filt)} filtered pairs, {len(bad)} with a side beyond floor; their texture ratios "
          f"{sorted(round(v, 3) for _, v in bad)}")
    print(f"limit = {limit:.2f} (smallest 0.01 step above {top:.4f}); clean nuisance pairs {len(clean)}, ratio min "
          f"{min(clean):.3f}; made uncertain {lost} ({100 * lost / len(clean):.1f} %, adoption bound 5 %); filtered "
          f"pairs made uncertain {sum(v < limit for v in filt)} of {len(filt)}")
    return limit


def report_texture(path: Path, limit: float) -> None:
    pairs = _pairs(_load(path))
    print(f"rule 2 at limit {limit:.2f}:")
    by: dict = {}
    for (photo, kind, name), s in pairs.items():
        key = name if kind == "filtered" else "clean nuisances (all 14)"
        t = by.setdefault(key, [0, 0, 0, 0, 0, 0, 0])
        gated = s[0]["texture_ratio"] < limit
        t[0] += 1
        t[1] += any(_beyond(r) for r in s)
        t[2] += any(_beyond(r) for r in s) and not gated
        t[3] += gated
        t[4] += sum(_beyond(r) for r in s)
        t[5] += sum(_beyond(r) for r in s) if not gated else 0
        t[6] = min(t[6], s[0]["texture_ratio"]) if t[0] > 1 else s[0]["texture_ratio"]
        if kind == "filtered" and any(_beyond(r) for r in s) and not gated:
            print(f"  still beyond: {photo} {name} ratio {s[0]['texture_ratio']:.3f}")
        if kind == "clean" and gated:
            print(f"  clean pair made uncertain: {photo} {name} ratio {s[0]['texture_ratio']:.3f}")
    print("| pairs | n | a side beyond floor (no rule) | ... with the rule | fold rows made uncertain | "
          "sides beyond (no rule) | sides beyond (rule) | lowest ratio |\n|---|---|---|---|---|---|---|---|")
    for k, t in by.items():
        print(f"| {k} | {t[0]} | {t[1]} | {t[2]} | {t[3]} | {t[4]} | {t[5]} | {t[6]:.3f} |")
    clean = [s for (p, kind, n), s in pairs.items() if kind == "clean"]
    kept = sum(1 for s in clean if s[0]["texture_ratio"] >= limit)
    print(f"clean nuisance pairs keeping their fold verdicts: {kept} of {len(clean)}; their sides beyond floor "
          f"without the rule: {sum(_beyond(r) for s in clean for r in s)}")
    for name in sorted({n for (p, kind, n) in pairs if kind == "clean"}):
        v = [s[0]["texture_ratio"] for (p, kind, n), s in pairs.items() if kind == "clean" and n == name]
        print(f"  {name}: ratio {min(v):.3f}-{max(v):.3f}")


def _beyond(r: dict) -> bool:
    """A length or depth verdict beyond the floor (no 'within_noise', no 'uncertain' of another rule)."""
    return any(r[f"{m}_verdict"] not in ("within_noise", "uncertain", "refused") for m in VERDICT_METRICS)


def _has_verdict(r: dict) -> bool:
    return any(r[f"{m}_verdict"] not in ("uncertain", "refused") for m in FOLD)


def choose(path: Path) -> float:
    rows = _load(path)
    bad = [r for r in rows if r["kind"] == "filtered" and _beyond(r)]
    top = max((r["evidence"] for r in bad), default=0.0)
    limit = float(np.floor(top * 10 + 1e-9) + 1) / 10
    clean = [r for r in rows if r["kind"] == "clean" and _has_verdict(r)]
    lost = [r for r in clean if r["evidence"] < limit]
    print(f"tuning: {sum(r['kind'] == 'filtered' for r in rows)} filtered sides, {len(bad)} with a length/depth "
          f"verdict beyond floor; their evidence {sorted(round(r['evidence'], 2) for r in bad)}")
    print(f"limit = {limit:.1f} % (smallest 0.1 % step above {top:.3f})")
    ev = np.array([r["evidence"] for r in clean])
    print(f"clean nuisance sides: {len(clean)}, evidence min {ev.min():.2f} p5 {np.percentile(ev, 5):.2f} "
          f"median {np.median(ev):.2f}; made uncertain by the limit: {len(lost)} ({100 * len(lost) / len(clean):.1f} %, "
          f"adoption bound 5 %)")
    for r in lost:
        print(f"  clean side lost: {r['photo']} {r['pair']} {r['side']} evidence {r['evidence']:.2f}")
    return limit


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--measure", choices=("tune", "heldout"))
    ap.add_argument("--csv", type=Path)
    ap.add_argument("--choose", type=Path)
    ap.add_argument("--report", type=Path)
    ap.add_argument("--limit", type=float)
    args = ap.parse_args()
    if not FACES.is_dir():
        print(f"skipped: {FACES} is absent")
        return 0
    if args.measure:
        measure(args.measure, args.csv)
    if args.choose:
        choose(args.choose)
        choose_texture(args.choose)
    if args.report:
        report_texture(args.report, G.MIN_SKIN_TEXTURE_RATIO if args.limit is None else args.limit)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
