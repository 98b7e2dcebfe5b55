"""Fold rows under aviators with dark glasses over both photos (docs/robustness.md 'Folds under aviators').

Stop 39 (``bench/bench_glasses_frames.py``, candidate C1, shipped) left the dark glasses found in the picture
(``align.glasses_mask``) out of the registration, out of the cover check's reference skin and made a cheek's
dense-flow lift ``uncertain`` when they cover its disc; with glasses over both photos the fold rows keep their
verdicts (stop 38's fold rule, measured with ellipses about the pupils).  With the painted frames of
``bench/glasses.py`` over both photos the no-change pairs still read false fold rows under aviators (Canada 025f
``nlf_depth`` -8.9, 100m, 010f; London 038 / 087 once the see-through check reaches them): the aviator's lower
part, its lens edge and the frame's shadow lie on the top of the fold's search band and are re-seated between the
photos.

Pairs per face: the frames bench's (``bench_glasses_frames.measure``: same faces, glasses ``pair_for(i)``, after
photo's pair re-seated), conditions ``clean``, ``frames both``, ``frames after``; kinds ``nuisance`` (truth: no
change but the 1 deg roll), ``lift`` (2 mm) and ``deepen`` (both folds 25 % deeper).  The run is made with the new
rule switched off (``compare.glasses_fold_rows`` returns nothing: the shipped code before it), and records for each
pair the cover of each side's fold band by the glasses found in each photo (``gate.glasses_fold_cover``, zero where an
iris is visible); ``--table`` applies the rule at each candidate threshold.

**Rule, written before any run of a candidate (2026-12-05; the shipped code's run, ``--measure tuning`` with
``--table`` showing only its false rows, was looked at first, as the task asked):**

Candidates: ``F(t)``, a side's three fold rows (``nlf_depth``, ``nlf_contrast_pct``, ``nlf_length_mm``) read
``uncertain`` when the glasses found (``align.glasses_mask``, grown by its 4 mm margin) in a photo with no iris
visible cover at least ``t`` of that side's fold search band in either photo (``gate.glasses_fold_rows``), for
``t`` in 0.2, 0.1, 0.05, 0.02.  On the tuning faces (London 12 neutral + the Canada tuning split), the largest
``t`` that meets all of:

(a) the false rows on the no-change pairs with glasses over both photos, counted on the pairs the glasses handling
    reaches (no iris read in either photo: ``covered`` '11'), fall by at least 70 % against the shipped code;
(b) no new wrong verdict: no row of any pair (clean, both, after; no-change, lift, deepened) reads a verdict other
    than the shipped code's unless it now reads ``uncertain``; of the deepened sides with glasses over both photos
    that keep a verdict, at least 90 % read 'deeper' and none 'shallower' (stop 38's fold rule);
(c) the clean (glasses-free) pairs: 0 rows changed.

If no ``t`` meets (a)-(c): not shipped, documented.  Then the held-out faces (Canada held-out split + the 8
DeBruine photos) are run once, and the same (a)-(c) reported; the rule ships only if both sets meet it.  What it
costs is reported beside it: deepened sides no longer read (their ``nlf_depth`` ``uncertain``), the pairs with an
iris read through the lens apart (the rule cannot reach them: ``bench_glasses_seethrough.py``).

**Result** (2026-12-05; docs/robustness.md 'Folds under aviators').  Tuning: ``t`` = 0.2 leaves 3 of the 6 false
rows (50 %, fails (a)); 0.1 meets (a)-(c): 6 -> 1 (the one left is Canada 117m's ``cheek_lift_mm`` under a round
lens, not a fold row), no new wrong verdict, deepened sides read 50 of 72 ('deeper' 49, 'shallower' 0; shipped 59 of
64 read), 0 clean rows changed: ``GLASSES_FOLD_COVER`` = 0.1.  Held out, once: 1 -> 0 (Canada 114m), no new wrong
verdict (a 'shallower' deepened side gone), deepened 'deeper' 40 -> 34 of 48 (14 ``uncertain``), 0 clean rows
changed: shipped.

    python bench/bench_glasses_folds.py --measure tuning /tmp/folds_tuning.csv
    python bench/bench_glasses_folds.py --measure heldout /tmp/folds_heldout.csv     # once, after choosing
    python bench/bench_glasses_folds.py --table /tmp/folds_tuning.csv [/tmp/folds_heldout.csv]
    python bench/bench_glasses_folds.py --overlay tuning canada_025f.jpg /tmp/overlay.png
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
from bench_glasses_rows import FOLD, LIFT_ROWS, faces, nuisances  # noqa: E402
from bench_glasses_seethrough import framed_pairs  # noqa: E402
from glasses import pair_for, wear  # noqa: E402

import facemetrics.compare as fcompare  # noqa: E402
from facemetrics import align as al  # noqa: E402
from facemetrics import analyze_photo, compare_photos  # noqa: E402
from facemetrics.compare.gate import GLASSES_FOLD_COVER, eyes_covered, glasses_fold_cover  # noqa: E402

CONDS = ("clean", "frames both", "frames after")
FINE = ("within_noise", "uncertain")
CANDIDATES = (0.2, 0.1, 0.05, 0.02)


def measure(which: str, out: Path, only_faces: tuple[str, ...] = ()) -> None:
    """The pairs of the module docstring with the fold rule off (the shipped code before it)."""
    fcompare.glasses_fold_rows = lambda a, b: ()
    rows = []
    for p, g, pairs in framed_pairs(which, only_faces, clean=True):
        for kind, cond, x, y in pairs:
            c = compare_photos(x, y)
            covered = f"{int(eyes_covered(x))}{int(eyes_covered(y))}"
            cx, cy = glasses_fold_cover(x), glasses_fold_cover(y)
            for r in c.changes:
                rows.append(dict(face=p.name, style=g.style, kind=kind, cond=cond, covered=covered,
                                 cover_before_right=cx["right"], cover_before_left=cx["left"],
                                 cover_after_right=cy["right"], cover_after_left=cy["left"],
                                 status=c.status, metric=r.metric, side=r.side, change=r.change,
                                 floor=r.noise_floor, verdict=r.verdict))
        print(f"{p.name} {g.style} done", flush=True)
        pd.DataFrame(rows).to_csv(out, index=False)


def band_cover(df: pd.DataFrame) -> pd.Series:
    """Each row's fold band cover: the larger of the two photos' on the row's side (0 for the 'mean' side)."""
    right = np.maximum(df.cover_before_right, df.cover_after_right)
    left = np.maximum(df.cover_before_left, df.cover_after_left)
    return pd.Series(np.where(df.side == "right", right, np.where(df.side == "left", left, 0.0)), index=df.index)


def apply(df: pd.DataFrame, t: float | None) -> pd.Series:
    """Each row's verdict with the rule at threshold ``t`` (None: the shipped code's)."""
    if t is None:
        return df.verdict.copy()
    hit = df.metric.isin(FOLD) & (band_cover(df) >= t)
    return df.verdict.where(~hit, "uncertain")


def false_rows(df: pd.DataFrame, v: pd.Series) -> pd.DataFrame:
    nz = df[(df.kind == "nuisance") & (df.metric != "head_roll_change_deg")]
    return nz[~v[nz.index].isin(FINE)]


def check(df: pd.DataFrame, t: float, show: bool = True) -> bool:
    """(a)-(c) of the module docstring at threshold ``t``."""
    base, new = apply(df, None), apply(df, t)
    both = df[(df.cond == "frames both") & (df.covered == "11")]
    f0, f1 = len(false_rows(both, base)), len(false_rows(both, new))
    a = f0 == 0 or f1 <= 0.3 * f0
    changed = new != base
    wrong_new = changed & (new != "uncertain")
    de = df[(df.cond == "frames both") & (df.kind == "deepen") & (df.metric == "nlf_depth")]
    read = new[de.index][new[de.index] != "uncertain"]
    deeper, shallower = int((read == "deeper").sum()), int((read == "shallower").sum())
    b = not wrong_new.any() and (read.empty or (deeper >= 0.9 * len(read) and shallower == 0))
    clean_changed = int(changed[df.cond == "clean"].sum())
    c = clean_changed == 0
    if show:
        pairs = both[both.kind == "nuisance"].face.nunique()
        print(f"  t = {t}: (a) false rows, both, no iris read ({pairs} no-change pairs): {f0} -> {f1} "
              f"({100 * (1 - f1 / f0) if f0 else float('nan'):.0f} % fewer): {a}; (b) new wrong verdicts "
              f"{int(wrong_new.sum())}, deepened sides read {len(read)} of {len(de)}: 'deeper' {deeper}, "
              f"'shallower' {shallower}: {b}; (c) clean rows changed {clean_changed}: {c}")
    return bool(a and b and c)


def table(csv: Path, show_candidates: bool = True) -> float | None:
    df = pd.read_csv(csv, dtype={"covered": str})
    print(f"\n{csv}: {df.face.nunique()} faces")
    print("| condition | no-change pairs | false rows (pairs) | lift pairs: dense lift rows 'lift' | "
          "deepened sides 'deeper' / 'shallower' / 'uncertain' | pairs by iris read (before, after) |")
    print("|---|---|---|---|---|---|")
    for t in ((None,) + (CANDIDATES if show_candidates else ())):
        v = apply(df, t)
        for cond in CONDS:
            g = df[df.cond == cond]
            bad = false_rows(g, v)
            li = g[(g.kind == "lift") & g.metric.isin(LIFT_ROWS)]
            de = g[(g.kind == "deepen") & (g.metric == "nlf_depth")]
            vd = v[de.index]
            cov = g.drop_duplicates(["face", "kind"]).covered.value_counts().to_dict()
            name = "shipped" if t is None else f"t = {t}"
            print(f"| {cond}, {name} | {g[g.kind == 'nuisance'].face.nunique()} | {len(bad)} ({bad.face.nunique()}) "
                  f"| {(v[li.index] == 'lift').sum()} / {len(li)} | {(vd == 'deeper').sum()} / "
                  f"{(vd == 'shallower').sum()} / {(vd == 'uncertain').sum()} of {len(de)} | {cov} |")
    print("\nfalse rows of the shipped code on the no-change pairs with glasses (fold band cover before / after):")
    base = apply(df, None)
    bad = false_rows(df[df.cond != "clean"], base)
    for r in bad.itertuples():
        cb = r.cover_before_right if r.side == "right" else r.cover_before_left if r.side == "left" else 0
        ca = r.cover_after_right if r.side == "right" else r.cover_after_left if r.side == "left" else 0
        print(f"  {r.cond:13s} {r.face:38s} {r.style:9s} iris-hidden {r.covered} {r.metric} {r.side} "
              f"{r.change:+.3f} / {r.floor:.3f} {r.verdict}; band cover {cb:.2f} / {ca:.2f}")
    both = df[(df.cond == "frames both")].drop_duplicates(["face", "kind"])
    cov = np.maximum.reduce([both[c] for c in ("cover_before_right", "cover_before_left", "cover_after_right",
                                                "cover_after_left")])
    print("\nfold band cover (largest of the four per pair), frames both, by style: "
          + "; ".join(f"{s} median {np.median(cov[both['style'] == s]):.2f} max {cov[both['style'] == s].max():.2f}"
                      for s in sorted(both['style'].unique())))
    if not show_candidates:
        return None
    print("\nthe rule (module docstring):")
    chosen = None
    for t in CANDIDATES:
        if check(df, t) and chosen is None:
            chosen = t
    print(f"  the largest t meeting the rule on this set: {chosen} (chosen on the tuning set only; shipped: "
          f"GLASSES_FOLD_COVER {GLASSES_FOLD_COVER})" if chosen is not None else "  no candidate meets the rule")
    return chosen


def overlay(which: str, face: str, out: Path) -> None:
    """The before photo with glasses (frames both) and the re-seated after photo: the glasses found (red), each
    fold's search band (green outline) and fold line (yellow), side by side, cropped to the lower face."""
    for i, p in enumerate(faces(which)):
        if p.name != face:
            continue
        a = analyze_photo(p)
        g, seat = pair_for(i)
        af = analyze_photo(wear(a.photo.rgb, a.points, a.calibration.mm_per_px, g), name="before.png")
        b = analyze_photo(nuisances(a.photo.rgb), name="after.png")
        bf = analyze_photo(wear(b.photo.rgb, b.points, b.calibration.mm_per_px, g.reseated(*seat)), name="after-g.png")
        tiles = []
        for x in (af, bf):
            im = x.photo.rgb.copy()
            found = al.glasses_mask(im, x.points, float(x.frame.mm_per_px))
            im[found] = (0.5 * im[found] + 0.5 * np.array([255, 0, 0])).astype(np.uint8)
            for f in (x.nlf_right, x.nlf_left):
                if f is None:
                    continue
                cv2.polylines(im, [np.round(f.region_px[:, :2]).astype(np.int32)], True, (0, 255, 0), 2)
                cv2.polylines(im, [np.round(f.line_px[:, :2]).astype(np.int32)], False, (255, 255, 0), 2)
            pts = x.points[:468, :2]
            x0, x1 = int(pts[:, 0].min()), int(pts[:, 0].max())
            y0, y1 = int(pts[:, 1].min()), int(pts[:, 1].max())
            tile = im[max(y0, 0):y1, max(x0, 0):x1]
            tiles.append(cv2.resize(tile, (400, int(400 * tile.shape[0] / tile.shape[1]))))
            print(f"{x.photo.name}: iris hidden {eyes_covered(x)}, fold band cover {glasses_fold_cover(x)}")
        h = min(t.shape[0] for t in tiles)
        cv2.imwrite(str(out), cv2.cvtColor(np.hstack([t[:h] for t in tiles]), cv2.COLOR_RGB2BGR))
        return


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--measure", nargs=2, metavar=("SET", "CSV"))
    ap.add_argument("--faces", nargs="*", default=())
    ap.add_argument("--table", nargs="+", metavar="CSV")
    ap.add_argument("--shipped-only", action="store_true", help="the table of the shipped code, no candidate")
    ap.add_argument("--overlay", nargs=3, metavar=("SET", "FACE", "PNG"))
    args = ap.parse_args()
    if args.measure:
        measure(args.measure[0], Path(args.measure[1]), tuple(args.faces))
    for csv in args.table or ():
        table(Path(csv), show_candidates=not args.shipped_only)
    if args.overlay:
        overlay(*args.overlay[:2], Path(args.overlay[2]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
