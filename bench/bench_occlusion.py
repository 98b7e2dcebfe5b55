"""A covered jaw or chin in one photo of a comparison (facemetrics.compare.occlusion): catch rate and false flags.

    python bench/bench_occlusion.py                      # tuning and held-out, prints the rates
    python bench/bench_occlusion.py --split tuning --sweep   # the parameter sweep the limits were chosen on
    python bench/bench_occlusion.py --csv /tmp/occ.csv   # every pair's figures as a CSV (outside the project)
    python bench/bench_occlusion.py --write              # ... and docs/data/occlusion_pairs.csv
    python bench/bench_occlusion.py --from-csv /tmp/occ.csv --choose-chroma   # the colour limit's rule

Pairs (before -> after; the after photo is covered when it is an occluder pair):

- tuning: the 12 London faces: neutral <-> smiling (both ways, must not be flagged), the project's
  simulated nuisances (``facemetrics.simulate.NUISANCES``) and simulated lifts of 1, 2 and 3 mm
  (``simulate.lift``), none flagged; the debruine pose and camera-distance photos (every ordered pair
  within each set) and consecutive GRID frames (the clips' frames 0/1, 20/21, 40/41), none flagged;
  and every occluder of :data:`OCCLUDERS` drawn on each London neutral face (each must be flagged).
- held-out: the 40 Canada faces with the same occluders, nuisances and lifts.

The occluders (sizes in mm of the face's own iris scale, placed with its landmarks): flat blocks of four
colours from 5 mm below / 5 and 14 mm above the chin tip down to the image's bottom; a flat 30 mm
square over each jaw corner (two colours) and a 20 mm square over each jowl; a hand: an ellipse over a
jaw corner filled with the same face's forehead skin (or a flat skin colour, as the audit's); a
textured scarf band from 10 mm above the chin; a dark band with blurred edges over the chin.

The colour limit (``occlusion.OCCLUSION_MIN_CHROMA``; ``--choose-chroma``) is chosen on the tuning split
alone by a rule written down before the first run (2026-12-04): with the grey limits as they are (30 levels,
100 mm², the 14 mm band), the lowest of :data:`CHROMAS` at which the largest changed area (grey or colour) of
the tuning negatives whose lower face the gate reads is no larger than grey alone gives them (colour adds no
changed area on any uncovered tuning pair), times 1.5 (a margin for faces and casts not seen), rounded up to a
whole a*b* unit.  The held-out split is read at that value only.

Each pair is measured once (``compare.measure._measure``: the registration the comparison uses) and its
patch-difference map computed once per neck band; the sweep then reads the largest changed area at each
threshold.  Prints counts and ratios; writes nothing in the project unless ``--write``.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import time
from pathlib import Path

import cv2
import numpy as np
import pandas as pd

os.environ.setdefault("GLOG_minloglevel", "2")
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from facemetrics import analyze_photo  # noqa: E402
from facemetrics import simulate as sim  # noqa: E402
from facemetrics.compare import occlusion as oc  # noqa: E402
gt = importlib.import_module("facemetrics.compare.gate")  # the module: the package exports its function gate
from facemetrics.compare.floors import DEFAULT_NOISE_FLOORS  # noqa: E402
from facemetrics.compare.measure import _before_state, _measure  # noqa: E402
from facemetrics.geometry import CHIN, GONION_LEFT, GONION_RIGHT, JAW_CHAIN_LEFT, JAW_CHAIN_RIGHT, \
    MOUTH_LEFT, MOUTH_RIGHT  # noqa: E402

from bench_near_copies import grid_frames  # noqa: E402

FACES = HERE.parent.parent / "shared" / "faces"
OUT = HERE.parent / "docs" / "data" / "occlusion_pairs.csv"
THRESHOLDS = (10, 12, 15, 18, 20, 25, 30, 40)
AREAS = (20, 40, 60, 80, 100, 150, 200, 300)
BANDS = (6.0, 10.0, 14.0)
GRID_PAIRS = ((0, 1), (20, 21), (40, 41))
LIFTS_MM = (1.0, 2.0, 3.0)
#: colour limits read (CIELAB a*b* units), with the grey limit at OCCLUSION_MIN_DIFFERENCE and the 14 mm band
CHROMAS = (3, 4, 5, 6, 8, 10, 12, 15, 20, 25)
#: the colour limits whose changed area is kept per pair (every whole unit the rule can choose)
CHROMA_COLUMNS = tuple(range(2, 41))
#: jaw rows and the change beyond which an occluder 'moved a jaw row beyond its default floor'
JAW_FLOORS = {k: DEFAULT_NOISE_FLOORS[k] for k in
              (("jawline_height_mm", "mean"), ("jaw_width_mm", "mean"), ("jawline_lift_landmarks_mm", "mean"))}


def _linear_cast(gains):
    """A colour cast applied in linear light (sRGB decoded, each channel times its gain, encoded again)."""
    def f(a):
        x = a.photo.rgb.astype(np.float32) / 255.0
        lin = np.where(x <= 0.04045, x / 12.92, ((x + 0.055) / 1.055) ** 2.4) * np.asarray(gains, np.float32)
        lin = np.clip(lin, 0, 1)
        out = np.where(lin <= 0.0031308, 12.92 * lin, 1.055 * lin ** (1 / 2.4) - 0.055)
        return np.clip(out * 255 + 0.5, 0, 255).astype(np.uint8)
    return f


#: white-balance casts between sessions beside simulate.NUISANCES' warm 'white_balance' (1.08, 1, 0.92 on the
#: encoded values): its cool mirror, and a warm and a cool cast in linear light (uncalibrated in kelvin)
CASTS = {
    "cast_cool": lambda a: sim.white_balance(a, (0.92, 1.0, 1.08)).image,
    "cast_warm_linear": _linear_cast((1.08, 1.0, 0.90)),
    "cast_cool_linear": _linear_cast((0.90, 1.0, 1.08)),
}


# ----------------------------------------------------------------------------------------- occluders
def _px(a, mm: float) -> float:
    return mm / a.mm_per_px


def _chin_block(off_mm: float, colour):
    def f(a):
        img = a.photo.rgb.copy()
        top = int(round(a.points[CHIN, 1] - _px(a, off_mm)))
        img[max(top, 0):, :] = colour
        return img
    return f


def _square(where: str, side: str, size_mm: float, colour):
    def f(a):
        img = a.photo.rgb.copy()
        if where == "corner":
            c = a.points[GONION_RIGHT if side == "right" else GONION_LEFT, :2].copy()
            c[0] += _px(a, 5.0) * (-1 if side == "right" else 1)  # a little outside the corner (image left = right)
        else:
            chain = list(JAW_CHAIN_RIGHT if side == "right" else JAW_CHAIN_LEFT)
            mx = a.points[MOUTH_RIGHT if side == "right" else MOUTH_LEFT, 0]
            c = a.points[chain[int(np.argmin(np.abs(a.points[chain, 0] - mx)))], :2]
        h = _px(a, size_mm) / 2
        x0, y0, x1, y1 = (int(round(v)) for v in (c[0] - h, c[1] - h, c[0] + h, c[1] + h))
        img[max(y0, 0):y1, max(x0, 0):x1] = colour
        return img
    return f


def _ellipse_mask(a, side: str) -> np.ndarray:
    """An ellipse over the jaw corner (as the audit's 'hand': from 60 px above to 400 px below the gonion
    of a 0.1 mm/px photo): 40 x 46 mm, its centre 8 mm inside and 17 mm below the gonion."""
    g = a.points[GONION_RIGHT if side == "right" else GONION_LEFT, :2]
    inward = 1 if side == "right" else -1
    c = (int(round(g[0] + inward * _px(a, 8.0))), int(round(g[1] + _px(a, 17.0))))
    axes = (int(round(_px(a, 20.0))), int(round(_px(a, 23.0))))
    m = np.zeros(a.photo.rgb.shape[:2], np.uint8)
    cv2.ellipse(m, c, axes, 0, 0, 360, 1, -1)
    return m.astype(bool)


def _hand(side: str, source: str):
    def f(a):
        img = a.photo.rgb.copy()
        m = _ellipse_mask(a, side)
        if source == "flat":
            img[m] = (224, 172, 150)
            return img
        # a patch of the face's own skin (forehead above the brows, or the cheek), stretched over the ellipse
        p = a.points
        if source == "forehead":
            cx, cy, half = p[151, 0], p[151, 1], _px(a, 8.0)
        else:
            k = 50 if side == "right" else 280
            cx, cy, half = p[k, 0], p[k, 1], _px(a, 6.0)
        patch = img[int(cy - half):int(cy + half), int(cx - half):int(cx + half)]
        ys, xs = np.nonzero(m)
        big = cv2.resize(patch, (xs.max() - xs.min() + 1, ys.max() - ys.min() + 1), interpolation=cv2.INTER_CUBIC)
        img[ys, xs] = big[ys - ys.min(), xs - xs.min()]
        return img
    return f


def _scarf(a):
    img = a.photo.rgb.copy()
    top = int(round(a.points[CHIN, 1] - _px(a, 10.0)))
    h, w = img.shape[:2]
    yy, xx = np.mgrid[top:h, 0:w].astype(np.float32)
    period = _px(a, 6.0)
    t = 0.5 + 0.5 * np.sin(2 * np.pi * (xx + yy) / period)
    rng = np.random.default_rng(0)
    base = np.array([150, 40, 50], np.float32) * (0.6 + 0.4 * t)[..., None] + rng.normal(0, 8, t.shape + (3,))
    img[top:] = np.clip(base, 0, 255).astype(np.uint8)
    return img


def _blurred_band(a):
    img = a.photo.rgb.astype(np.float32)
    h, w = img.shape[:2]
    y = np.arange(h, dtype=np.float32)[:, None]
    top, sd = a.points[CHIN, 1] - _px(a, 8.0), _px(a, 4.0)
    alpha = 0.85 / (1.0 + np.exp(-(y - top) / sd))  # a soft-edged dark band from 8 mm above the chin down
    out = img * (1 - alpha[..., None]) + 25.0 * alpha[..., None]
    return np.clip(out, 0, 255).astype(np.uint8)


OCCLUDERS = {
    **{f"block_{'below' if o < 0 else 'above'}{abs(o):g}_{n}": _chin_block(o, c) for o in (-5.0, 5.0, 14.0)
       for n, c in (("purple", (60, 40, 90)), ("dark", (30, 30, 30)), ("white", (235, 235, 235)),
                    ("skin", (200, 150, 130)))},
    **{f"corner_{s}_{n}": _square("corner", s, 30.0, c) for s in ("right", "left")
       for n, c in (("purple", (60, 40, 90)), ("skin", (200, 150, 130)))},
    **{f"jowl_{s}": _square("jowl", s, 20.0, (30, 30, 30)) for s in ("right", "left")},
    **{f"hand_{s}_{src}": _hand(s, src) for s in ("right", "left") for src in ("forehead", "cheek", "flat")},
    "scarf": _scarf,
    "dark_band": _blurred_band,
}


# ----------------------------------------------------------------------------------------- pairs
_COUNT = [0]  # pairs measured (the timed checks' order alternates)


def _row(split: str, group: str, kind: str, name: str, a, b, **extra) -> dict:
    r = dict(split=split, group=group, kind=kind, name=name, ok=bool(a.ok and b.ok), **extra)
    if not r["ok"]:
        return r
    t = time.perf_counter()
    pair = _measure(a, b)
    st = _before_state(a)
    keep = oc.OCCLUSION_NECK_BAND_MM
    for band in BANDS:
        oc.OCCLUSION_NECK_BAND_MM = band
        dm = oc.difference_map(pair.before_grid, pair.warped_after, st.uv_a, st.grid, colour=band == keep)
        for t_ in THRESHOLDS:
            r[f"area_b{band:g}_t{t_}"] = oc.largest_area_mm2(dm, t_)[0]
        if band == keep:  # the colour limits, with the grey limit and band as they are
            for c in CHROMA_COLUMNS:
                r[f"area_c{c}"] = oc.largest_area_mm2(dm, oc.OCCLUSION_MIN_DIFFERENCE, c)[0]
            for c in CHROMAS:
                r[f"areachroma_c{c}"] = oc.largest_area_mm2(dm, np.inf, c)[0]
            r["chroma_max"] = float(dm.chroma[dm.roi].max()) if dm.roi.any() else 0.0
    oc.OCCLUSION_NECK_BAND_MM = keep
    # the check as it was (grey alone) and with colour, timed in the same run, in alternating order
    times = {}
    _COUNT[0] += 1
    for colour in ((False, True) if _COUNT[0] % 2 else (True, False)):
        t0 = time.perf_counter()
        f_ = oc.covered_areas(a, pair, min_chroma=oc.OCCLUSION_MIN_CHROMA if colour else None)
        times[colour] = (time.perf_counter() - t0) * 1000
        if colour:
            found = f_
    why = gt.lower_face_unread_reasons(a, b, pair.alignment.residual_mm, pair.cues)
    r.update(raw_flagged=bool(found.areas), where="; ".join(x.name for x in found.areas),
             rows=len(found.rows), residual_mm=pair.alignment.residual_mm, unread="; ".join(why),
             flagged=bool(found.areas) and not why, ms_grey=times[False], ms_colour=times[True])
    for key in (("jawline_height_mm", "mean"), ("jaw_width_mm", "mean"), ("jawline_lift_landmarks_mm", "mean"),
                ("jowl_sag_mm", "right"), ("jowl_sag_mm", "left")):
        r[f"d_{key[0]}_{key[1]}"] = pair.values[key][2]
    r["beyond_floor"] = bool(any(abs(pair.values[k][2]) > f for k, f in JAW_FLOORS.items()
                                 if np.isfinite(pair.values[k][2])))
    r["ms"] = (time.perf_counter() - t) * 1000
    return r


def face_rows(split: str, group: str, faces: list[Path], occluders=True, nuisances=True, lifts=True) -> list[dict]:
    rows = []
    for path in faces:
        a = analyze_photo(path)
        if not a.ok:
            print(f"  {path.name}: {a.status}", flush=True)
            continue
        if occluders:
            for n, f in OCCLUDERS.items():
                rows.append(_row(split, group, "occluder", f"{path.stem} {n}", a, analyze_photo(f(a)), occluder=n))
        if nuisances:
            for n, f in sim.NUISANCES.items():
                rows.append(_row(split, group, "nuisance", f"{path.stem} {n}", a, analyze_photo(f(a).image)))
            for n, f in CASTS.items():
                rows.append(_row(split, group, "cast", f"{path.stem} {n}", a, analyze_photo(f(a))))
        if lifts:
            for mm in LIFTS_MM:
                rows.append(_row(split, group, "lift", f"{path.stem} lift {mm:g}", a,
                                 analyze_photo(sim.lift(a, mm).image)))
        print(f"  {path.name}: {len(rows)} pairs", flush=True)
    return rows


def london_rows() -> list[dict]:
    faces = sorted((FACES / "london_ccby").glob("*_neutral.jpg"))
    rows = face_rows("tuning", "london", faces)
    for n in faces:
        s = n.with_name(n.name.replace("_neutral", "_smiling"))
        a, b = analyze_photo(n), analyze_photo(s)
        rows.append(_row("tuning", "london", "smile", f"{n.stem} -> smiling", a, b))
        rows.append(_row("tuning", "london", "smile", f"{s.stem} -> neutral", b, a))
    return rows


def debruine_rows() -> list[dict]:
    rows = []
    for group in ("pose_variation", "camera_distance"):
        photos = [analyze_photo(p) for p in sorted((FACES / "debruine_cc0").glob(f"debruine_{group}_*.jpg"))]
        for x in photos:
            for y in photos:
                if x is not y:
                    rows.append(_row("tuning", "debruine", group, f"{x.name} -> {y.name}", x, y))
    return rows


def grid_rows() -> list[dict]:
    rows = []
    for clip in sorted((FACES / "grid_video_ccby").glob("*.mpg")):
        frames = grid_frames(clip)
        for j, k in GRID_PAIRS:
            if k < len(frames):
                rows.append(_row("tuning", "grid", "frames", f"{clip.stem} {j}->{k}", analyze_photo(frames[j]),
                                 analyze_photo(frames[k])))
    return rows


def canada_rows() -> list[dict]:
    return face_rows("held-out", "canada", sorted((FACES / "canada_ccby").glob("*.jpg")))


# ----------------------------------------------------------------------------------------- report
def rates(df: pd.DataFrame, flag: pd.Series) -> str:
    out = []
    for split, d in df.groupby("split", sort=False):
        f = flag[d.index]
        occ = d.kind == "occluder"
        unread = d.unread.fillna("") != ""  # the gate's own reasons already make every lower-face row uncertain
        raw = d.raw_flagged.astype(bool)
        far = occ & d.beyond_floor.astype(bool) if "beyond_floor" in d else occ & False
        out.append(f"{split}: caught {int(f[occ].sum())}/{int(occ.sum())} ({100 * f[occ].mean():.1f} %; with "
                   f"those the gate already leaves unread {int((f | unread)[occ].sum())}; of those beyond a jaw floor "
                   f"{int(f[far].sum())}/{int(far.sum())}), "
                   f"false {int(f[~occ].sum())}/{int((~occ).sum())} (read by the gate {int((~occ & ~unread).sum())}; "
                   f"before the gate's rule: {int(raw[~occ].sum())})")
    return "; ".join(out)


def _flags(df: pd.DataFrame, chroma) -> tuple[pd.Series, pd.Series]:
    """(raw, flagged) under the module's grey limits and the colour limit ``chroma`` (None: grey alone)."""
    col = f"area_b{oc.OCCLUSION_NECK_BAND_MM:g}_t{oc.OCCLUSION_MIN_DIFFERENCE:g}" if chroma is None \
        else f"area_c{chroma:g}"
    raw = df[col] > oc.OCCLUSION_MIN_AREA_MM2
    return raw, raw & (df.unread.fillna("") == "")


def report(df: pd.DataFrame, chroma="module") -> None:
    """The rates under the grey rule alone and with the colour limit ``chroma`` (default: the module's)."""
    df = df[df.ok].copy()
    chroma = oc.OCCLUSION_MIN_CHROMA if chroma == "module" else chroma
    for c in (None, chroma):
        if c is not None and f"area_c{c:g}" not in df:
            print(f"no column for the colour limit {c} (measured at {CHROMA_COLUMNS})")
            continue
        df["raw_flagged"], df["flagged"] = _flags(df, c)
        print(f"\nthe rule (grey {oc.OCCLUSION_MIN_DIFFERENCE} levels, area {oc.OCCLUSION_MIN_AREA_MM2} mm2, neck band "
              f"{oc.OCCLUSION_NECK_BAND_MM} mm, colour {'none' if c is None else f'{c:g} a*b*'}): " + rates(df, df.flagged))
        for split, d in df.groupby("split", sort=False):
            print(f"\n{split}: flagged by kind")
            print(d.groupby(["group", "kind"]).flagged.agg(["sum", "count"]).to_string())
            occ = d[d.kind == "occluder"]
            miss = occ[~occ.flagged]
            if len(miss):
                print("missed occluders:", miss.occluder.value_counts().to_dict())
                far = miss[miss.beyond_floor.astype(bool)] if "beyond_floor" in miss else miss.iloc[:0]
                print("missed beyond a jaw floor:", far.occluder.value_counts().to_dict())
            false = d[(d.kind != "occluder") & d.flagged]
            for _, r in false.iterrows():
                print(f"  false flag: {r['name']} ({r['where']})")
            neg = d[d.kind != "occluder"]
            read = neg[neg.unread.fillna("") == ""]
            if c is not None:
                print(f"negatives read by the gate: largest changed area {read[f'area_c{c:g}'].max():.0f} mm2 "
                      f"(grey alone {read[f'area_b14_t30'].max():.0f}); largest colour patch difference "
                      f"{read.chroma_max.max():.1f} a*b* ({read.loc[read.chroma_max.idxmax(), 'name']})")
    if "ms_grey" in df:
        for split, d in df.groupby("split", sort=False):
            ratio = d.ms_colour / d.ms_grey
            print(f"{split}: covered_areas per pair, grey alone {d.ms_grey.median():.1f} ms median "
                  f"({d.ms_grey.quantile(0.1):.1f}-{d.ms_grey.quantile(0.9):.1f} 10-90 %), with colour "
                  f"{d.ms_colour.median():.1f} ms ({d.ms_colour.quantile(0.1):.1f}-{d.ms_colour.quantile(0.9):.1f}); "
                  f"ratio median {ratio.median():.2f} ({ratio.quantile(0.1):.2f}-{ratio.quantile(0.9):.2f})")


def choose_chroma(df: pd.DataFrame) -> float:
    """The colour limit by the rule written before the first run (module docstring), tuning pairs only."""
    d = df[df.ok & (df.split == "tuning")]
    read = (d.kind != "occluder") & (d.unread.fillna("") == "")
    grey = d.loc[read, "area_b14_t30"].max()
    print(f"\nchoosing the colour limit on {int(read.sum())} tuning negatives the gate reads (grey alone: largest "
          f"area {grey:.0f} mm2; largest colour patch difference {d.loc[read, 'chroma_max'].max():.1f} a*b*)")
    for c in CHROMAS:
        print(f"  colour {c:3d}: largest area {d.loc[read, f'area_c{c}'].max():6.0f} mm2 (colour alone "
              f"{d.loc[read, f'areachroma_c{c}'].max():6.0f}); occluders caught (area > "
              f"{oc.OCCLUSION_MIN_AREA_MM2:g}) {int((d.loc[d.kind == 'occluder', f'area_c{c}'] > oc.OCCLUSION_MIN_AREA_MM2).sum())}")
    low = next(c for c in CHROMAS if d.loc[read, f"area_c{c}"].max() <= grey)
    chosen = float(np.ceil(1.5 * low))
    print(f"lowest adding no area: {low}; x 1.5, rounded up: {chosen:g}")
    return chosen


def sweep(df: pd.DataFrame) -> None:
    df = df[df.ok]
    occ = df.kind == "occluder"
    read = df.unread.fillna("") == ""  # the pairs whose lower face the gate reads (where the check runs)
    print("\nsweep (tuning): largest changed area (mm2) of the negatives whose lower face the gate reads "
          f"({int((~occ & read).sum())} pairs; of all {int((~occ).sum())}: 'all'), and the occluders caught at each "
          "area limit")
    for band in BANDS:
        for t in THRESHOLDS:
            col = f"area_b{band:g}_t{t}"
            neg_max, neg_all = df.loc[~occ & read, col].max(), df.loc[~occ, col].max()
            caught = " ".join(f"{a}:{int((df.loc[occ, col] > a).sum())}" for a in AREAS)
            print(f"band {band:4.1f} T {t:3d}: negatives max {neg_max:7.1f} (all {neg_all:7.1f}) "
                  f"| caught of {int(occ.sum())}: {caught}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--split", choices=("tuning", "held-out", "both"), default="both")
    ap.add_argument("--sweep", action="store_true", help="print the threshold sweep (tuning pairs)")
    ap.add_argument("--csv", type=Path, help="write every pair's figures here")
    ap.add_argument("--from-csv", type=Path, help="report on a CSV written before instead of measuring")
    ap.add_argument("--write", action="store_true", help=f"write {OUT.relative_to(HERE.parent)}")
    ap.add_argument("--choose-chroma", action="store_true", help="choose the colour limit on the tuning pairs")
    ap.add_argument("--chroma", type=float, help="report at this colour limit (default: the module's)")
    args = ap.parse_args()
    cv2.setNumThreads(1)
    if args.from_csv:
        df = pd.read_csv(args.from_csv)
    else:
        rows = []
        if args.split in ("tuning", "both"):
            for make in (london_rows, debruine_rows, grid_rows):
                print(make.__name__, flush=True)
                rows += make()
        if args.split in ("held-out", "both"):
            print("canada_rows", flush=True)
            rows += canada_rows()
        df = pd.DataFrame(rows)
        if args.csv:
            df.to_csv(args.csv, index=False)
    chroma = args.chroma if args.chroma is not None else "module"
    if args.choose_chroma:
        chroma = choose_chroma(df)
    report(df, chroma)
    if args.sweep:
        sweep(df[df.split == "tuning"])
    if args.write:
        from _common import write_rows
        write_rows(df.to_dict("records"), OUT)


if __name__ == "__main__":
    main()
