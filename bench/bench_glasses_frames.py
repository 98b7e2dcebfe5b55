"""Sunglasses that are not ellipses: frames, a bridge on the nose, temple arms, a shadow, lenses re-seated.

Stop 38 (docs/robustness.md 'Dark glasses: the lenses out of the registration') leaves an ellipse of 0.45 x 0.35
IPD about each pupil out of the rigid mask when no iris is visible (``align.lens_mask``), and measured it with
painted ellipses about the pupils (``bench_eyes.sunglasses``): the mask and the simulator shared a shape.  This
bench paints glasses from ``bench/glasses.py`` instead (wayfarer, aviator reaching onto the cheek, small round;
0.35-0.55 IPD; a dark rim of 1-3 mm, a bridge over the nose, temple arms, the frame's shadow on the cheek; the
after photo's pair re-seated by 1.5-3 mm and 1-2 deg), drawn from each photo's own landmarks, one pair per face
(``glasses.pair_for``: the styles in turn).

Pairs per face (Face Mesh re-run on each edited photo), as ``bench_glasses_rows``: ``nuisance`` (the photo against
a copy rolled 1 deg, scaled 0.97, 5 % brighter; truth: the roll), ``lift`` (the same after ``simulate.lift(2 mm)``)
and ``deepen`` (after ``simulate.deepen_fold(0.25, both)``).  Conditions: ``clean``; ``ellipse both`` / ``ellipse
after`` (the stop-38 painted lenses, dark 0.30 x IPD, over both photos / the after photo only); ``frames both`` /
``frames after`` (this module's glasses, re-seated in the after photo).  The verdicts are the shipped comparison's
(``gate.eyes_covered_rows`` applied).

**Rule, written before the first run (2026-12-04).**  On the tuning faces (London 12 neutral + the Canada tuning
split, ``accuracy.canada_split``), for each of ``frames both`` and ``frames after``, against ``ellipse`` of the same
cover (both / after):

(a) false rows per no-change pair (rows of a ``nuisance`` pair beyond their floors, the roll left out) no more than
    with the ellipse glasses;
(b) the lift pairs' dense-flow lift rows (jawline / jowl / mouth corner, 9 rows) read 'lift' at least 95 % as often
    as with the ellipse glasses;
(c) ``frames both`` only (the folds are ``uncertain`` with glasses over one photo): deepened folds read ``nlf_depth``
    'deeper' on at least 90 % of the sides and 'shallower' on none (the stop-38 fold rule).

**Amended after the run on the shipped code (which showed the causes) and before any run of a fix**, 2026-12-04:
(1) the candidates, applied to one run's raw verdicts: ``C1`` the code of commit 255eb0b
(shipped at stop 39, see the result below: the dark glasses found in either photo, ``align.glasses_mask``, left out of the registration's rigid mask with the stop-38 ellipses; out of the
per-photo cover check's reference skin; a cheek's dense-flow lift ``uncertain`` when they cover >= 10 % of its disc,
``gate.glasses_cheek_rows``); ``C2`` C1 and a side's three fold rows ``uncertain`` when the glasses found cover
>= 10 % of that fold's search band in either photo; ``C3`` C1 and the fold rows ``uncertain`` whenever no iris is
visible (stop 38's fold rule withdrawn: (c) is then met by reading no fold, its fallback).  The first that meets
(a)-(c) is chosen.  (2) (a)-(c) count the pairs in which the iris check reads no iris in each photo with glasses
(``covered`` '11' for both, '01' for after): only those reach the glasses handling; the pairs in which it sees an
iris through the lens (the lens dims the iris and the sclera alike, its contrast is a ratio) are reported apart.

If the shipped code fails, a fix is chosen on the tuning faces (the first candidate that meets (a)-(c)), then the
held-out faces (the Canada held-out split + the 8 DeBruine photos) are run once: the fix ships only if they meet
(a)-(c) too; otherwise it is reverted and the failure documented.

**Result** (2026-12-04; figures: docs/robustness.md 'Dark glasses with frames').  The shipped code fails (a)-(c):
the frames' rims and bridge in the rigid mask, the lenses and shadows over the cover check's reference skin (the
jaw then reads 'covered', the lifts ``uncertain``) and over the cheek discs.  With C1 (measured on the branch's
code) and C2 / C3 (applied to that run) no candidate meets the rule on the tuning faces: with glasses over both
photos C1 leaves fold rows under aviators (5), C2 and C3 one cheek row (a round lens, 0.113 against 0.111); with
glasses over the after photo only the lift rows are read on 76 % of the pairs against 100 % with the ellipses ((b)).
So the rule is not met; the held-out run (C1, once) is reported for information.  **Shipped anyway at the merge
(stop 39) under a second rule written by the lead after both runs** (disclosed): at least as good as the shipped
code on every column of the table, tuning and held out, all pairs counted; C1 is (docs/robustness.md).

    python bench/bench_glasses_frames.py --measure tuning /tmp/frames_tuning.csv
    python bench/bench_glasses_frames.py --measure heldout /tmp/frames_heldout.csv   # once, after choosing
    python bench/bench_glasses_frames.py --table /tmp/frames_tuning.csv [more.csv ...]
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

os.environ.setdefault("GLOG_minloglevel", "2")

import cv2  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_eyes import sunglasses  # noqa: E402
from bench_glasses_rows import FOLD, LIFT_ROWS, faces, nuisances  # noqa: E402
from glasses import pair_for, wear  # noqa: E402

from facemetrics import align as al  # noqa: E402
from facemetrics import analyze_photo, compare_photos  # noqa: E402
from facemetrics import simulate as sim  # noqa: E402
from facemetrics.compare.gate import eyes_covered  # noqa: E402

CONDS = ("clean", "ellipse both", "ellipse after", "frames both", "frames after")
FINE = ("within_noise", "uncertain")


def measure(which: str, out: Path, only: tuple[str, ...] = CONDS) -> None:
    rows = []
    for i, p in enumerate(faces(which)):
        a = analyze_photo(p)
        if not a.ok:
            print(f"{p.name}: {a.status}", flush=True)
            continue
        g, seat = pair_for(i)
        ae = analyze_photo(sunglasses(a.photo.rgb, a.points, 0.30, "dark"), name=f"{p.stem}-ellipse.png")
        af = analyze_photo(wear(a.photo.rgb, a.points, a.calibration.mm_per_px, g), name=f"{p.stem}-frames.png")
        afters = {"nuisance": nuisances(a.photo.rgb), "lift": nuisances(sim.lift(a, 2.0).image),
                  "deepen": nuisances(sim.deepen_fold(a, 0.25, "both").image)}
        for kind, rgb in afters.items():
            b = analyze_photo(rgb, name=f"{p.stem}-{kind}.png")
            if not b.ok:
                continue
            be = analyze_photo(sunglasses(b.photo.rgb, b.points, 0.30, "dark"), name=f"{p.stem}-{kind}-ellipse.png")
            bf = analyze_photo(wear(b.photo.rgb, b.points, b.calibration.mm_per_px, g.reseated(*seat)),
                               name=f"{p.stem}-{kind}-frames.png")
            pairs = {"clean": (a, b), "ellipse both": (ae, be), "ellipse after": (a, be),
                     "frames both": (af, bf), "frames after": (a, bf)}
            for cond in only:
                x, y = pairs[cond]
                if not (x.ok and y.ok):
                    continue
                c = compare_photos(x, y)
                covered = f"{int(eyes_covered(x))}{int(eyes_covered(y))}"
                fc = [fold_cover(z) for z in (x, y)]
                found = "".join(str(int(f[2])) for f in fc)
                for r in c.changes:
                    rows.append(dict(face=p.name, style=g.style, size=round(g.size, 3), kind=kind, cond=cond,
                                     covered=covered, found=found, fold_cover_right=max(f[0] for f in fc),
                                     fold_cover_left=max(f[1] for f in fc), status=c.status, metric=r.metric,
                                     side=r.side, change=r.change, floor=r.noise_floor, verdict=r.verdict))
        print(f"{p.name} {g.style} done", flush=True)
        pd.DataFrame(rows).to_csv(out, index=False)


def fold_cover(x) -> tuple[float, float, bool]:
    """The fraction of each fold's search band (right, left) that the dark glasses found in ``x`` cover
    (``align.glasses_mask``, whatever the iris check says), and whether any were found."""
    finder = getattr(al, "glasses_mask", None)  # shipped since stop 39; zeros on older code
    if finder is None:
        return 0.0, 0.0, False
    found = finder(x.photo.rgb, x.points, float(x.frame.mm_per_px))
    out = []
    for f in (x.nlf_right, x.nlf_left):
        if f is None or f.region_px is None or not found.any():
            out.append(0.0)
            continue
        band = np.zeros(found.shape, np.uint8)
        cv2.fillPoly(band, [np.round(np.asarray(f.region_px)[:, :2]).astype(np.int32)], 1)
        n = int(band.sum())
        out.append(float((found & (band > 0)).sum() / n) if n else 0.0)
    return out[0], out[1], bool(found.any())


def table(csv: Path) -> None:
    df = pd.read_csv(csv, dtype={"covered": str})
    print(f"\n{csv}: {df.face.nunique()} faces")
    print("| condition | no-change pairs | false rows (pairs) | lift pairs: dense lift rows 'lift' | "
          "deepened sides 'deeper' / 'shallower' | pairs with no iris seen (before, after) |")
    print("|---|---|---|---|---|---|")
    for cond in CONDS:
        g = df[df.cond == cond]
        if g.empty:
            continue
        nz = g[(g.kind == "nuisance") & (g.metric != "head_roll_change_deg")]
        bad = nz[~nz.verdict.isin(FINE)]
        li = g[(g.kind == "lift") & g.metric.isin(LIFT_ROWS)]
        de = g[(g.kind == "deepen") & (g.metric == "nlf_depth")]
        cov = g.drop_duplicates(["face", "kind"]).covered.value_counts().to_dict()
        print(f"| {cond} | {nz.face.nunique()} | {len(bad)} ({bad.face.nunique()}) | {(li.verdict == 'lift').sum()} / "
              f"{len(li)} | {(de.verdict == 'deeper').sum()} / {(de.verdict == 'shallower').sum()} of {len(de)} | "
              f"{cov} |")
    print("\nfalse rows on the no-change pairs: condition, face, style, metric, side, change / floor")
    nz = df[(df.kind == "nuisance") & (df.metric != "head_roll_change_deg") & ~df.verdict.isin(FINE)]
    for r in nz.itertuples():
        print(f"  {r.cond:14s} {r.face:40s} {r.style:9s} {r.metric} {r.side} {r.change:+.3f} / {r.floor:.3f}")
    print("\nby style (frames): false rows on no-change pairs / deepened sides not 'deeper' / lift rows not 'lift'")
    for (cond, style), g in df[df.cond.str.startswith("frames")].groupby(["cond", "style"]):
        nz = g[(g.kind == "nuisance") & (g.metric != "head_roll_change_deg") & ~g.verdict.isin(FINE)]
        de = g[(g.kind == "deepen") & (g.metric == "nlf_depth")]
        li = g[(g.kind == "lift") & g.metric.isin(LIFT_ROWS)]
        print(f"  {cond:13s} {style:9s} faces {g.face.nunique():2d}: {len(nz)} / {(de.verdict != 'deeper').sum()} of "
              f"{len(de)} / {(li.verdict != 'lift').sum()} of {len(li)}")
    fold = df[(df.kind == "nuisance") & df.metric.isin(FOLD) & ~df.verdict.isin(FINE)]
    print(f"\nfalse fold rows on no-change pairs by condition: {fold.groupby('cond').size().to_dict()}")


def apply(df: pd.DataFrame, cand: str) -> pd.Series:
    """Each row's verdict under candidate ``cand`` (module docstring: 'C1' as measured, 'C2', 'C3')."""
    v = df.verdict.copy()
    glasses = df.cond != "clean"
    covered = df.covered.astype(str).str.contains("1")
    fold = df.metric.isin(FOLD)
    if cand == "C2":
        band = np.where(df.side == "right", df.get("fold_cover_right", 0.0), df.get("fold_cover_left", 0.0))
        v = v.where(~(glasses & covered & fold & (band >= 0.1)), "uncertain")
    elif cand == "C3":
        v = v.where(~(glasses & covered & fold), "uncertain")
    return v


def rule(csv: Path, cand: str = "C1") -> bool:
    """The module's rule on one run under candidate ``cand``: (a)-(c) for each cover; prints each test."""
    df = pd.read_csv(csv, dtype={"covered": str})
    df = df.assign(verdict=apply(df, cand))
    ok = True
    print(f"\n{csv} {cand}:")
    for cover, want in (("both", "11"), ("after", "01")):
        e, f = df[df.cond == f"ellipse {cover}"], df[df.cond == f"frames {cover}"]
        f_in = f[f.covered == want]
        e_in = e[e.covered == want]

        def false_per_pair(g):
            nz = g[(g.kind == "nuisance") & (g.metric != "head_roll_change_deg")]
            return (~nz.verdict.isin(FINE)).sum() / max(nz.face.nunique(), 1), nz.face.nunique()

        def lifts(g):
            li = g[(g.kind == "lift") & g.metric.isin(LIFT_ROWS)]
            return (li.verdict == "lift").sum() / max(len(li), 1), len(li)

        (fa, fn), (ea, en) = false_per_pair(f_in), false_per_pair(e_in)
        (fl, fln), (el, eln) = lifts(f_in), lifts(e_in)
        a, b = fa <= ea, fl >= 0.95 * el
        print(f"  {cover}: (a) false rows / pair {fa:.3f} ({fn} pairs) vs ellipse {ea:.3f} ({en}): {a}; "
              f"(b) lift rows read {fl:.3f} of {fln} vs ellipse {el:.3f} of {eln}: {b}")
        out = f[f.covered != want]
        if len(out):
            fo, no = false_per_pair(out)
            print(f"  {cover}, pairs where an iris is read through the lens (apart): {no} no-change pairs, "
                  f"{fo:.3f} false rows / pair, lift rows read {lifts(out)[0]:.3f} of {lifts(out)[1]}")
        ok &= a and b
        if cover == "both":
            de = f_in[(f_in.kind == "deepen") & (f_in.metric == "nlf_depth")]
            read = de[de.verdict != "uncertain"]
            if cand == "C3" or read.empty:
                c = True
                print(f"  both: (c) no fold verdict read ({len(de)} sides uncertain): the fallback")
            else:
                c = (de.verdict == "deeper").mean() >= 0.9 and not (de.verdict == "shallower").any()
                print(f"  both: (c) deepened 'deeper' {(de.verdict == 'deeper').sum()} / {len(de)}, "
                      f"'shallower' {(de.verdict == 'shallower').sum()}, uncertain {(de.verdict == 'uncertain').sum()}: {c}")
            ok &= c
    print("  rule met" if ok else "  rule NOT met")
    return bool(ok)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--measure", nargs=2, metavar=("SET", "CSV"))
    ap.add_argument("--only", nargs="+", choices=CONDS, default=list(CONDS))
    ap.add_argument("--table", nargs="+", metavar="CSV")
    args = ap.parse_args()
    if args.measure:
        measure(args.measure[0], Path(args.measure[1]), tuple(args.only))
    for csv in args.table or ():
        table(Path(csv))
        for cand in ("C1", "C2", "C3"):
            rule(Path(csv), cand)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
