"""A covered jaw line or fold in ONE photo (facemetrics.occlusion.photo_occlusion): covers caught, clean photos flagged.

    python bench/bench_occlusion_photo.py                  # tuning: the sweep and the chosen limits
    python bench/bench_occlusion_photo.py --split held-out # held-out, at the module's limits (read once)
    python bench/bench_occlusion_photo.py --csv /tmp/occ_photo.csv   # every photo's figures (outside the project)
    python bench/bench_occlusion_photo.py --nuisances      # London neutral faces under the simulated nuisances and lifts

Covers (the simulator does not share the check's assumption that a cover differs from the face's own cheek
skin: it pastes real textures in shapes that follow no Face Mesh region, unmatched in tone):

- ``coffee``, ``chelsea`` (cat fur, as hair), ``rocket``: crops of scikit-image's pictures;
- ``skin``: a cheek crop of ANOTHER person's face of the same split (a hand of someone else's skin);
- ``scarf``: a red band (scikit-image's ``brick`` grey texture tinted red) across the jaw line or a fold;
- shapes: ellipses (aspect 1-2.5, any angle) or blobs (smoothed noise thresholded to the area) for the first
  four, a band 8-20 mm wide for the scarf; edges feathered over 0.5 mm;
- sizes :data:`SIZES_MM2` (mm² of the face's own iris scale), centred 0-4 mm inside a random point of the jaw
  contour (gonion to gonion, under the chin) or on a random point of a fold line; the target region is the one
  its centre lies in (the clean photo's regions).

Each covered photo is analysed again (``analyze_photo``: Face Mesh sees the cover).  A cover is *caught* when
its target region is flagged.  Clean photos: every tuning / held-out photo as it is.

Rule for the limits (written 2026-12-04 before the first run): for each combination of
:data:`CHROMAS` x :data:`TEXTURES` x :data:`LIGHTNESS`, the area limit is the smallest of :data:`AREAS`
above every region's largest not-skin area on the clean tuning photos (no clean tuning photo flagged); the
combination catching the most tuning covers (target region flagged) wins, ties going to the larger area
limit, then the larger colour and texture limits.  The held-out sets (Canada held-out, debruine, White House,
GRID frames) are read once at the limits so chosen.

Runs (2026-12-04): the first, with a 2 mm margin inside the jaw contour and the grid colour 10-25, texture
2.5-6, lightness (0.5, 1.3), (0.4, 1.4), (0.6, 1.25), found no combination (stubbled and bearded tuning men
read 250-500 mm² of not-skin on clean photos, the dark neck shadow under the jaw among it); the second, with
the 3 mm margin (``occlusion.OCCLUSION_PHOTO_JAW_EDGE_MM``) and the grid below, written down before it, chose
colour 30, texture 8, lightness (0, 1.5), area 24 mm² (docs/robustness.md 'A covered jaw or fold in one
photo').

Tuning: London 12 neutral + 12 smiling (clean only), London neutral and Canada tuning split (clean and
covered).  Held-out: Canada held-out (clean and covered), debruine and White House photos (clean and
covered), GRID frames 0/25/50 of each clip (clean).  Prints counts; writes nothing in the project.
"""

from __future__ import annotations

import argparse
import itertools
import os
import pickle
import sys
import time
from pathlib import Path

import cv2
import numpy as np
import pandas as pd
from skimage import data

os.environ.setdefault("GLOG_minloglevel", "2")
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from facemetrics import analyze_photo  # noqa: E402
from facemetrics import occlusion as oc  # noqa: E402
from accuracy import canada_split  # noqa: E402

FACES = HERE.parent.parent / "shared" / "faces"
SIZES_MM2 = (50, 100, 200, 400, 800)
COVERS = ("coffee", "chelsea", "rocket", "skin", "scarf")
CHROMAS = (15.0, 20.0, 25.0, 30.0)
TEXTURES = (4.0, 6.0, 8.0)
LIGHTNESS = ((0.4, 1.4), (0.3, 1.4), (0.2, 1.5), (0.0, 1.5))
AREAS = (24.0, 36.0, 50.0, 75.0, 100.0, 150.0, 200.0)
COMBOS = list(itertools.product(CHROMAS, TEXTURES, LIGHTNESS))
REGIONS = tuple(oc.REGION_COLUMNS)


def _key(c) -> str:
    return f"c{c[0]:g}_t{c[1]:g}_l{c[2][0]:g}-{c[2][1]:g}"


def _folds(a):
    return (a.nlf_right.region_px if a.nlf_right else None, a.nlf_left.region_px if a.nlf_left else None)


CACHE: list = []  # (row index, cell features, cells) of every checked photo, for --cache


def areas_all(a) -> dict:
    """Every combination's largest not-skin area per region (mm²) of an analysed photo, and the module's verdict."""
    if not a.ok or a.jaw is None:
        return dict(checked=False)
    got = oc.region_cells(a.photo.rgb, a.points, a.calibration.mm_per_px, a.jaw.contour_px, _folds(a))
    if got is None:
        return dict(checked=False)
    CACHE.append(got)
    return dict(sweep(*got), checked=True, cache=len(CACHE) - 1,
                module_flags=";".join(oc.photo_occlusion(a.photo.rgb, a.points, a.calibration.mm_per_px,
                                                         a.jaw.contour_px, _folds(a)).covered))


def sweep(feat, cells) -> dict:
    """Every combination's largest not-skin area per region, mm²."""
    out = {}
    for c in COMBOS:
        bad = oc.not_skin(feat, cells["reference"], max_chroma=c[0], max_texture=c[1], lightness=c[2])
        for r in REGIONS:
            out[f"{_key(c)}|{r}"] = oc.largest_area(bad & cells[r], feat.cell_mm) if r in cells else np.nan
    return out


# ------------------------------------------------------------------------------------------- covers
def _texture(kind: str, rng, size: tuple[int, int], donor: np.ndarray | None) -> np.ndarray:
    """An RGB texture of ``size`` (w, h) px, uint8."""
    w, h = size
    if kind == "skin":
        src = donor
    elif kind == "scarf":
        g = data.brick().astype(np.float32) / 255.0
        src = np.clip(np.stack([200 * (0.6 + 0.6 * g), 25 * (0.6 + 0.6 * g), 35 * (0.6 + 0.6 * g)], -1), 0, 255)
        src = src.astype(np.uint8)
    else:
        src = {"coffee": data.coffee, "chelsea": lambda: data.chelsea()[40:280, 120:420], "rocket": data.rocket}[kind]()
    sh, sw = src.shape[:2]
    cw, ch = int(sw * rng.uniform(0.35, 0.7)), int(sh * rng.uniform(0.35, 0.7))
    x, y = rng.integers(0, sw - cw + 1), rng.integers(0, sh - ch + 1)
    return cv2.resize(np.ascontiguousarray(src[y:y + ch, x:x + cw]), (w, h), interpolation=cv2.INTER_LINEAR)


def _shape(kind: str, rng, area_px: float, tangent: np.ndarray) -> np.ndarray:
    """A float mask (0-1) of about ``area_px`` px, centred in a square array."""
    r = int(np.ceil(np.sqrt(area_px) * 2.5)) + 4
    n = 2 * r + 1
    m = np.zeros((n, n), np.uint8)
    if kind == "scarf":
        width = np.sqrt(area_px) * rng.uniform(0.5, 0.9)
        length = area_px / width
        ang = np.degrees(np.arctan2(tangent[1], tangent[0])) + rng.uniform(-20, 20)
        box = cv2.boxPoints(((r, r), (length, width), ang))
        cv2.fillPoly(m, [np.round(box).astype(np.int32)], 1)
    elif rng.random() < 0.5:
        aspect = rng.uniform(1.0, 2.5)
        b = np.sqrt(area_px / (np.pi * aspect))
        cv2.ellipse(m, (r, r), (max(1, int(round(b * aspect))), max(1, int(round(b)))), rng.uniform(0, 180), 0, 360, 1, -1)
    else:
        noise = cv2.GaussianBlur(rng.standard_normal((n, n)).astype(np.float32), (0, 0), max(1.0, np.sqrt(area_px) / 4))
        yy, xx = np.mgrid[0:n, 0:n]
        field = noise / (noise.std() + 1e-9) - ((xx - r) ** 2 + (yy - r) ** 2) / (0.5 * area_px)
        thr = np.sort(field.ravel())[::-1][int(area_px)]
        blob = (field > thr).astype(np.uint8)
        k, lab, stats, _ = cv2.connectedComponentsWithStats(blob)
        m = (lab == 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))).astype(np.uint8) if k > 1 else blob
    return m.astype(np.float32)


def paste(rgb: np.ndarray, kind: str, centre: np.ndarray, area_mm2: float, mm_per_px: float, rng,
          tangent: np.ndarray, donor: np.ndarray | None) -> np.ndarray:
    out = rgb.astype(np.float32).copy()
    m = _shape(kind, rng, area_mm2 / mm_per_px ** 2, tangent)
    m = cv2.GaussianBlur(m, (0, 0), max(0.3, 0.5 / mm_per_px))
    n = m.shape[0]
    tex = _texture(kind, rng, (n, n), donor).astype(np.float32)
    x0, y0 = int(round(centre[0])) - n // 2, int(round(centre[1])) - n // 2
    h, w = rgb.shape[:2]
    xs, ys = slice(max(0, x0), min(w, x0 + n)), slice(max(0, y0), min(h, y0 + n))
    mx, my = slice(xs.start - x0, xs.stop - x0), slice(ys.start - y0, ys.stop - y0)
    a = m[my, mx][..., None]
    out[ys, xs] = out[ys, xs] * (1 - a) + tex[my, mx] * a
    return np.clip(out, 0, 255).astype(np.uint8)


def _donor(a) -> np.ndarray:
    """A 24 mm square of the face's subject's-right cheek (around landmark 205), RGB."""
    c = a.points[205, :2]
    half = int(round(12 / a.calibration.mm_per_px))
    x, y = int(round(c[0])), int(round(c[1]))
    return np.ascontiguousarray(a.photo.rgb[max(0, y - half):y + half, max(0, x - half):x + half])


def _targets(a):
    """Candidate cover centres: (point px, tangent, 'jaw'/'fold')."""
    p = a.points[:, :2]
    mmpx = a.calibration.mm_per_px
    cont = a.jaw.contour_px
    u = p[473] - p[468]
    u = u / np.linalg.norm(u)
    v = np.array([-u[1], u[0]])
    top = min((p[g] - p[468]) @ v for g in (172, 397))
    keep = (cont - p[468]) @ v >= top
    out = []
    inner = p[17]  # towards the lower lip
    for i in np.nonzero(keep)[0]:
        q = cont[i]
        d = inner - q
        d = d / max(np.linalg.norm(d), 1e-9)
        j = min(i + 1, len(cont) - 1)
        t = cont[j] - cont[max(i - 1, 0)]
        out.append((q, d, t, "jaw"))
    jaw = out
    folds = []
    for fm in (a.nlf_right, a.nlf_left):
        if fm is None:
            continue
        ln = fm.line_px
        for i in range(len(ln)):
            t = ln[min(i + 1, len(ln) - 1)] - ln[max(i - 1, 0)]
            folds.append((ln[i], np.zeros(2), t, "fold"))
    return jaw, folds, mmpx


def _target_region(a, centre) -> str:
    got = oc.region_cells(a.photo.rgb, a.points, a.calibration.mm_per_px, a.jaw.contour_px, _folds(a))
    feat, cells = got
    # the cell grid's origin, as region_cells finds it
    pts = [a.points[:, :2], a.jaw.contour_px[:, :2]] + [x[:, :2] for x in _folds(a) if x is not None]
    allp = np.concatenate(pts)
    m = (oc.OCCLUSION_PHOTO_REF_RADIUS_MM + 3 * oc.OCCLUSION_PHOTO_TEXTURE_MM) / a.calibration.mm_per_px
    x0, y0 = (int(max(0, np.floor(v - m))) for v in allp.min(0))
    c = (np.asarray(centre) - (x0, y0)) / feat.cell_px - 0.5
    best, dist = "", np.inf
    for r in REGIONS:
        if r not in cells or not cells[r].any():
            continue
        rr, cc = np.nonzero(cells[r])
        d = np.min(np.hypot(cc - c[0], rr - c[1]))
        if d < dist:
            best, dist = r, d
    return best


def photo_sets(split: str):
    """(set, name, path) of the split's photos and whether covers are drawn on them."""
    tune, held = canada_split(sorted((FACES / "canada_ccby").glob("*.jpg")))
    london = FACES / "london_ccby"
    if split == "tuning":
        return ([("london_neutral", p, True) for p in sorted(london.glob("*_neutral.jpg"))]
                + [("london_smiling", p, False) for p in sorted(london.glob("*_smiling.jpg"))]
                + [("canada_tune", p, True) for p in tune])
    return ([("canada_held", p, True) for p in held]
            + [("debruine", p, True) for p in sorted((FACES / "debruine_cc0").glob("*.jpg"))]
            + [("whitehouse", p, True) for p in sorted((FACES / "whitehouse_pd").glob("*.jpg"))])


def grid_frames():
    for clip in sorted((FACES / "grid_video_ccby").glob("*.mpg")):
        cap = cv2.VideoCapture(str(clip))
        i = 0
        while True:
            ok, f = cap.read()
            if not ok:
                break
            if i in (0, 25, 50):
                yield f"{clip.stem}_{i}", cv2.cvtColor(f, cv2.COLOR_BGR2RGB)
            i += 1
        cap.release()


def measure(split: str) -> pd.DataFrame:
    rng = np.random.default_rng(20261204 if split == "tuning" else 20261205)
    sets = photo_sets(split)
    clean = []
    for group, path, covered in sets:
        a = analyze_photo(path)
        clean.append((group, path.stem, a, covered))
    donors = [(n, _donor(a)) for g, n, a, c in clean if c and a.ok]
    rows = []
    for group, name, a, covered in clean:
        rows.append(dict(split=split, set=group, photo=name, cover="none", size_mm2=0, target="",
                         mm_per_px=a.mm_per_px, status=a.status, **areas_all(a)))
        if not covered or not a.ok or a.jaw is None or oc.region_cells(
                a.photo.rgb, a.points, a.calibration.mm_per_px, a.jaw.contour_px, _folds(a)) is None:
            continue
        jaw, folds, mmpx = _targets(a)
        others = [d for n, d in donors if n != name]
        for kind in COVERS:
            for size in SIZES_MM2:
                cand = jaw if (rng.random() < 0.6 or not folds) else folds
                q, d, t, _ = cand[rng.integers(len(cand))]
                centre = q + d * rng.uniform(0, 4) / mmpx
                donor = others[rng.integers(len(others))] if kind == "skin" else None
                img = paste(a.photo.rgb, kind, centre, size, mmpx, rng, t, donor)
                b = analyze_photo(img, name=f"{name}_{kind}_{size}")
                rows.append(dict(split=split, set=group, photo=name, cover=kind, size_mm2=size,
                                 target=_target_region(a, centre), mm_per_px=a.mm_per_px, status=b.status,
                                 **areas_all(b)))
        print(group, name, flush=True)
    if split != "tuning":
        for name, rgb in grid_frames():
            a = analyze_photo(rgb, name=name)
            rows.append(dict(split=split, set="grid", photo=name, cover="none", size_mm2=0, target="",
                             mm_per_px=a.mm_per_px, status=a.status, **areas_all(a)))
    return pd.DataFrame(rows)


# ------------------------------------------------------------------------------------------- report
def flags(df: pd.DataFrame, combo, area: float) -> pd.DataFrame:
    """Per row: which regions are flagged at ``combo`` and ``area``."""
    k = _key(combo)
    return pd.DataFrame({r: df[f"{k}|{r}"].fillna(0) > area for r in REGIONS}, index=df.index)


def caught(df: pd.DataFrame, fl: pd.DataFrame) -> pd.Series:
    cov = df.cover != "none"
    hit = pd.Series(False, index=df.index)
    for r in REGIONS:
        hit |= (df.target == r) & fl[r]
    return hit[cov]


def choose(df: pd.DataFrame):
    clean = df[(df.cover == "none") & df.checked.astype(bool)]
    best = None
    for c in COMBOS:
        k = _key(c)
        worst = np.nanmax(clean[[f"{k}|{r}" for r in REGIONS]].to_numpy())
        above = [a for a in AREAS if a > worst]
        if not above:
            continue
        a = above[0]
        n = int(caught(df, flags(df, c, a)).sum())
        score = (n, a, c[0], c[1])
        if best is None or score > best[0]:
            best = (score, c, a)
        print(f"{k}: largest clean {worst:.0f} mm2 -> area limit {a:.0f}; caught {n}")
    return best


def report(df: pd.DataFrame, combo, area: float) -> None:
    fl = flags(df, combo, area)
    any_flag = fl.any(axis=1)
    ok = df.checked.astype(bool)
    clean = df.cover == "none"
    print(f"\nlimits: colour {combo[0]:g} a*b*, texture x{combo[1]:g}, lightness {combo[2]}, area > {area:g} mm2")
    print("| set | clean photos | checked | flagged | which |")
    print("|---|---|---|---|---|")
    for s, d in df[clean].groupby("set", sort=False):
        f = any_flag[d.index] & ok[d.index]
        which = "; ".join(f"{p} ({','.join(r for r in REGIONS if fl.loc[i, r])})" for i, p in d.photo[f].items())
        print(f"| {s} | {len(d)} | {int(ok[d.index].sum())} | {int(f.sum())} | {which} |")
    cov = df[~clean & ok]
    hit = caught(df, fl)
    anyhit = any_flag[cov.index]
    print("\n| cover | " + " | ".join(f"{s} mm2" for s in SIZES_MM2) + " | all | any region |")
    print("|---|" + "---|" * (len(SIZES_MM2) + 2))
    for kind in COVERS:
        d = cov[cov.cover == kind]
        cells = [f"{int(hit[d.index[d.size_mm2 == s]].sum())}/{int((d.size_mm2 == s).sum())}" for s in SIZES_MM2]
        print(f"| {kind} | " + " | ".join(cells) + f" | {int(hit[d.index].sum())}/{len(d)} | "
              f"{int(anyhit[d.index].sum())}/{len(d)} |")
    print("| all | " + " | ".join(f"{int(hit[cov.index[cov.size_mm2 == s]].sum())}/{int((cov.size_mm2 == s).sum())}"
                                   for s in SIZES_MM2) + f" | {int(hit.sum())}/{len(cov)} | {int(anyhit.sum())}/{len(cov)} |")
    print(f"covered photos not checked (status not ok or too coarse): {int((~clean & ~ok).sum())}")


def nuisances() -> None:
    """The 12 London neutral faces (tuning) under every simulated nuisance (``simulate.NUISANCES``) and lifts of
    1, 2 and 3 mm (``simulate.lift``): the negatives of the pairwise check (bench/bench_occlusion.py), none of
    which may be flagged by the per-photo check (it would take rows from a comparison with the clean photo)."""
    from facemetrics import simulate as sim

    n, hits = 0, []
    for p in sorted((FACES / "london_ccby").glob("*_neutral.jpg")):
        a = analyze_photo(p)
        variants = {k: f(a) for k, f in sim.NUISANCES.items()} | {f"lift_{mm:g}": sim.lift(a, mm) for mm in (1.0, 2.0, 3.0)}
        for k, s in variants.items():
            b = analyze_photo(s.image, name=k)
            n += 1
            if b.occlusion is not None and b.occlusion.covered:
                hits.append(f"{p.stem} {k} ({','.join(b.occlusion.covered)})")
    print(f"simulated nuisances and lifts flagged: {len(hits)} of {n}" + (": " + "; ".join(hits) if hits else ""))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--split", choices=("tuning", "held-out"), default="tuning")
    ap.add_argument("--csv", help="write every row here (outside the project)")
    ap.add_argument("--from-csv", help="read the rows from here instead of measuring")
    ap.add_argument("--cache", help="with --csv: also keep every photo's cell features here (a pickle); with "
                                    "--from-csv: sweep again from them (another grid, no Face Mesh)")
    ap.add_argument("--nuisances", action="store_true", help="only the simulated nuisances and lifts (tuning faces)")
    args = ap.parse_args()
    t = time.time()
    if args.nuisances:
        return nuisances()
    df = pd.read_csv(args.from_csv, keep_default_na=False, na_values=[""]) if args.from_csv else measure(args.split)
    if args.cache and args.from_csv:
        with open(args.cache, "rb") as f:
            cache = pickle.load(f)
        swept = [sweep(*cache[int(i)]) if str(i) not in ("", "nan") else {} for i in df["cache"]]
        df = pd.concat([df[[c for c in df.columns if "|" not in c]], pd.DataFrame(swept, index=df.index)], axis=1)
    elif args.cache:
        with open(args.cache, "wb") as f:
            pickle.dump(CACHE, f)
    df["checked"] = df.checked.astype(str).str.lower().isin(("true", "1"))
    df["target"] = df.target.fillna("")
    if args.csv:
        df.to_csv(args.csv, index=False)
    if args.split == "tuning":
        (score, combo, area) = choose(df)
        print(f"chosen: {_key(combo)}, area {area}; caught {score[0]}")
    else:
        combo = (oc.OCCLUSION_PHOTO_MAX_CHROMA, oc.OCCLUSION_PHOTO_MAX_TEXTURE, oc.OCCLUSION_PHOTO_LIGHTNESS)
        area = oc.OCCLUSION_PHOTO_MIN_AREA_MM2
    if _key(combo) + "|chin" not in df:
        raise SystemExit(f"{_key(combo)} is not among the swept combinations")
    report(df, combo, area)
    print(f"\n{time.time() - t:.0f} s")


if __name__ == "__main__":
    main()
