"""The fold contrast row on simulated deepened folds, glasses-free (docs/robustness.md 'The fold contrast row read
'shallower' on deepened folds').

Pairs per face (``bench_glasses_rows.faces``: tuning = London 12 neutral + the Canada tuning split; heldout = the
Canada held-out split, the DeBruine photos left out): the face against its no-change copy ('nuisance':
``bench_glasses_rows.nuisances``, a 1 deg roll, 0.97 scale, 1.05 brightness) and against
``simulate.deepen_fold(0.25, "both")`` of it with the same nuisances ('deepen').  For each side it records the shipped
rows (``nlf_contrast_pct``, ``nlf_depth``: change and verdict), the change of the contrast's two 4 mm skin references
(``folds.contrast_side_levels``, the before photo along its found line, the after photo tone-matched along that line
carried by the flow: what ``gate.fold_contrast_side_rows`` reads), and, on the deepened pairs, the mechanism: how far
the residual flow moved the carried line against the no-change pair's (the same geometry; mm along the line's
lateral normal) and where the simulated valley lies from the carried line (the offset, within +-6 mm, of the lowest
after / before ratio, median over the span rows).

The shipped verdicts are read with the reference check off (``compare.fold_contrast_side_rows`` returns nothing):
``--table`` applies it at each candidate ``X`` of the rule.

    python bench/bench_fold_contrast.py --measure tuning /tmp/contrast_tuning.csv     # 2026-12-05, ~6 min
    python bench/bench_fold_contrast.py --measure heldout /tmp/contrast_heldout.csv   # once, after choosing
    python bench/bench_fold_contrast.py --table /tmp/contrast_tuning.csv [/tmp/contrast_heldout.csv]

Needs ``../shared/faces``.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

os.environ.setdefault("GLOG_minloglevel", "2")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_glasses_rows import faces, nuisances  # noqa: E402

import facemetrics.compare as fcompare  # noqa: E402
from facemetrics import analyze_photo, compare_photos  # noqa: E402
from facemetrics import folds as ff  # noqa: E402
from facemetrics import simulate as sim  # noqa: E402
from facemetrics.compare import measure as fm  # noqa: E402
from facemetrics.compare.table import verdict  # noqa: E402
from facemetrics.geometry import NLF_PATH_LEFT, NLF_PATH_RIGHT, OUTER_LIPS, resample_polyline  # noqa: E402

#: the rule's candidates (docs/robustness.md), largest first
CANDIDATES = (12.0, 8.0, 5.0, 3.0)
FINE = ("within_noise", "uncertain")


def cross_profile(image, points, frame, side, line_px) -> tuple[np.ndarray, np.ndarray]:
    """The luminance across a fold line as the contrast samples it: offsets (mm, negative = medial, shape (n,)) and
    the smoothed samples of the landmark span's rows, shape (rows, n)."""
    if image.ndim == 3:
        image = image[..., 1]
    idx = NLF_PATH_RIGHT if side == "right" else NLF_PATH_LEFT
    uv_lm = frame.to_mm(np.asarray(points, np.float64)[list(idx), :2])
    centre = resample_polyline(frame.to_mm(np.asarray(line_px, np.float64)[:, :2]), ff.RESOLUTION_MM, "exact")
    offsets = ff._score_columns(ff.RESOLUTION_MM, ff.SKIN_MEDIAL_MM, ff.SKIN_LATERAL_MM)[0]
    band = ff._along(ff._sample(image, frame, ff._fan(centre, offsets, ff._normals(centre, side)))[0])
    return offsets, band[ff._span_rows(centre, uv_lm)].astype(np.float64)


def _capture() -> dict:
    """Keep the last call's arguments of ``measure._fold_changes``; the reference check off."""
    seen = {}
    fold_changes = fm._fold_changes

    def kept(reg, st, b, warped=None):
        seen["args"] = (reg, st, b, warped)
        return fold_changes(reg, st, b, warped)

    fm._fold_changes = kept
    fcompare.fold_contrast_side_rows = lambda changes, skip=(): ((), [])
    return seen


def measure(which: str, out: Path, only_faces: tuple[str, ...] = ()) -> None:
    """The pairs of the module docstring, one CSV row per (face, kind, side), written after each face."""
    seen = _capture()
    rows = []
    for p in faces(which):
        if "debruine" in str(p) or (only_faces and p.name not in only_faces):
            continue
        a = analyze_photo(p)
        if not a.ok:
            continue
        carried_nuisance = {}
        for kind, rgb in (("nuisance", nuisances(a.photo.rgb)),
                          ("deepen", nuisances(sim.deepen_fold(a, 0.25, "both").image))):
            b = analyze_photo(rgb, name=f"{p.stem}-{kind}.png")
            if not b.ok:
                continue
            seen.clear()
            c = compare_photos(a, b)
            if "args" not in seen:
                continue
            reg, st, bb, warped = seen["args"]
            matched = fm.match_tones(reg.after_grid, reg.before_grid, st.skin, aligned=warped)
            moved = st.pts_g + fm._at(reg.flow, st.pts_g)
            lips = list(OUTER_LIPS)
            moved[lips] = fm.al.apply(fm.al.invert(reg.grid_to_after), bb.points[lips, :2])
            sides = c.cues.get("fold_contrast_sides_change_pct", {})
            for side, (line, _) in zip(("right", "left"), st.fold_lines):
                carried = line + fm._at(reg.flow, line)
                r = {x.metric: x for x in c.changes if x.side == side}
                med, lat = sides.get(side, (np.nan, np.nan))
                d = dict(face=p.name, kind=kind, side=side, status=c.status,
                         contrast=r["nlf_contrast_pct"].change, contrast_floor=r["nlf_contrast_pct"].noise_floor,
                         contrast_v=r["nlf_contrast_pct"].verdict, depth=r["nlf_depth"].change,
                         depth_v=r["nlf_depth"].verdict, med_pct=med, lat_pct=lat)
                if kind == "nuisance":
                    carried_nuisance[side] = carried
                elif side in carried_nuisance:
                    g = st.gframe
                    normal = ff._normals(g.to_mm(line), side)
                    d["flow_shift_mm"] = float(np.median(np.sum((g.to_mm(carried) - g.to_mm(carried_nuisance[side]))
                                                                * normal, axis=1)))
                    o, pa = cross_profile(st.prepared.before_grid, st.pts_g, g, side, line)
                    _, pb = cross_profile(matched, moved, g, side, carried)
                    n, near = min(len(pa), len(pb)), np.abs(o) <= 6.0
                    at = o[near][np.argmin(pb[:n, near] / np.maximum(pa[:n, near], 1.0), axis=1)]
                    d["valley_offset_mm"] = float(np.median(at))
                rows.append(d)
        print(f"{p.name} done", flush=True)
        pd.DataFrame(rows).to_csv(out, index=False)


def table(csv: Path) -> float | None:
    """The shipped rows and the rule's (a)-(b) at each candidate ``X`` (docs/robustness.md); returns the largest
    ``X`` meeting them (None: none)."""
    df = pd.read_csv(csv)
    df["side_max"] = np.maximum(df.med_pct.abs(), df.lat_pct.abs())
    # the verdicts before the check: a row the check made uncertain (a run with it on) read from its change and
    # floor (the glasses-free pairs have no other reason for an uncertain fold row)
    unc = df.contrast_v == "uncertain"
    df.loc[unc, "contrast_v"] = [verdict("fold", c, f) for c, f in zip(df.contrast[unc], df.contrast_floor[unc])]
    de, nz = df[df.kind == "deepen"], df[df.kind == "nuisance"]
    print(f"\n{csv}: {df.face.nunique()} faces; deepened sides {len(de)}, no-change sides {len(nz)}")
    print(f"  shipped: deepened contrast {de.contrast_v.value_counts().to_dict()}, depth "
          f"{de.depth_v.value_counts().to_dict()}; no-change contrast {nz.contrast_v.value_counts().to_dict()}")
    bad = de[de.contrast_v == "shallower"]
    print("  deepened sides whose contrast reads 'shallower' (flow shift of the carried line against the no-change "
          "pair's, valley offset from the carried line, references' change):")
    for r in bad.itertuples():
        print(f"    {r.face:40s} {r.side:5s} {r.contrast:+7.2f} / {r.contrast_floor:.2f}; shift {r.flow_shift_mm:+.1f} mm, "
              f"valley {r.valley_offset_mm:+.1f} mm; medial {r.med_pct:+.1f} %, lateral {r.lat_pct:+.1f} %")
    far = de.flow_shift_mm.abs() >= 2.0
    print(f"  deepened sides with the carried line moved >= 2 mm by the flow: {int(far.sum())} of {len(de)} "
          f"(contrast {de[far].contrast_v.value_counts().to_dict()}); the others: "
          f"{de[~far].contrast_v.value_counts().to_dict()}")
    print(f"  no-change sides: largest reference change {nz.side_max.max():.2f} % (median {nz.side_max.median():.2f})")
    print("| X (%) | deepened contrast 'shallower' | 'deeper' kept | deepened contrast uncertain | no-change contrast "
          "rows made uncertain | meets (a)-(b) |")
    print("|---|---|---|---|---|---|")
    chosen = None
    for x in CANDIDATES:
        g_de, g_nz = de.side_max > x, nz.side_max > x
        shallow = int(((de.contrast_v == "shallower") & ~g_de).sum())
        deeper = int(((de.contrast_v == "deeper") & ~g_de).sum())
        new_false = int((~nz.contrast_v.isin(FINE) & ~g_nz).sum()) - int((~nz.contrast_v.isin(FINE)).sum())
        ok = shallow <= 1 and int(g_nz.sum()) <= 0.1 * len(nz) and new_false <= 0
        chosen = x if ok and chosen is None else chosen
        print(f"| {x:g} | {shallow} of {len(de)} | {deeper} of {int((de.contrast_v == 'deeper').sum())} | "
              f"{int(g_de.sum())} | {int(g_nz.sum())} of {len(nz)} | {'yes' if ok else 'no'} |")
    print(f"  the largest X meeting the rule on this set: {chosen}")
    return chosen


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--measure", nargs=2, metavar=("SET", "CSV"))
    ap.add_argument("--faces", nargs="*", default=())
    ap.add_argument("--table", nargs="+", metavar="CSV")
    args = ap.parse_args()
    if args.measure:
        measure(args.measure[0], Path(args.measure[1]), tuple(args.faces))
    for csv in args.table or ():
        table(Path(csv))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
