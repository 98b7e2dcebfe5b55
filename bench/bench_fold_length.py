"""The fold length (``nlf_length_mm``) under clean re-saves and mild filters, and against a real lengthening.

Stop 36 found a clean JPEG-70 copy of a Canada face moving ``nlf_length_mm`` by +6.0 mm against its
5.0 mm floor, and the mildest beauty filter leaving 11 held-out ``shorter`` verdicts.  This bench scores
one photo's fold line (its own found line, its own landmarks: the geometry held fixed, so only the
image changes) on perturbed copies and records the smoothed valley evidence along the line (the
profile the length is read from), so that length definitions can be compared on the same rows.

Perturbations (:func:`perturbations`): JPEG quality 60 / 70 / 80 / 95; resized to 0.5 / 0.7 / 0.85 of
the size and back (``INTER_AREA`` down, ``INTER_LINEAR`` up); brightness x0.85 / x1.15; gamma 0.8 /
1.25 (each also with its tones matched to the original's, ``_matched``: the comparison matches the after
photo's tones to the before's); bilateral 20 grey levels / 1.5 mm.  Lengthening (:func:`lengthen`): a valley 5 % darker at its
centre (Gaussian across, sigma 1.5 mm; 1 mm cosine taper at the ends) painted along the line from the
bottom landmark's point downwards over L = 2 / 4 / 6 / 8 mm (the line runs 8 mm past it): a darkening
placed by arc length on the line, which does not read the evidence or any threshold.

Rule (written before ``--choose`` was run)
------------------------------------------
Candidates (:data:`DEFINITIONS`, each a function of the profile): the shipped count of rows above 0.5
(``count_0.5``); a soft count ``sum(clip((e - lo) / (hi - lo), 0, 1))`` x 0.4 mm (``soft_lo_hi``: a row
counts in part while its evidence is between ``lo`` and ``hi``, so a small change of the evidence where
the fold fades moves the length by little); hysteresis (rows above ``lo`` in runs that reach ``hi``).
On the tuning faces each candidate's floor is measured the way the floors are: 1.25 x its largest
|change| over the perturbations.  Score: the median change under the 6 mm lengthening divided by that
floor.  The highest score wins if it beats ``count_0.5``'s; ties (within 5 %) go to the fewer
parameters / the narrower ramp.  The held-out set is then measured once (``--report``), with each
definition's floor from the tuning set.

Usage::

    python bench/bench_fold_length.py --measure tune --out /tmp/fl_tune.pkl
    python bench/bench_fold_length.py --diagnose /tmp/fl_tune.pkl        # which end moves, the other fold rows
    python bench/bench_fold_length.py --choose /tmp/fl_tune.pkl          # the rule in DEFINITIONS' docstring
    python bench/bench_fold_length.py --measure heldout --out /tmp/fl_held.pkl
    python bench/bench_fold_length.py --report /tmp/fl_held.pkl --floors-from /tmp/fl_tune.pkl
    FOLD_LENGTH=count python bench/bench_fold_length.py --compare heldout   # the former definition
    python bench/bench_fold_length.py --compare heldout                     # the shipped one

Sets: ``tune`` = the 12 London neutral faces + the 24 Canada tuning faces (``accuracy.canada_split``);
``heldout`` = the 16 Canada held-out faces + the 8 debruine CC0 photos + the first frame of each GRID clip.
The photos are read from ``../shared/faces`` and never copied into the project.
"""

from __future__ import annotations

import argparse
import os
import pickle
import sys
from pathlib import Path

os.environ.setdefault("GLOG_minloglevel", "2")

import cv2
import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from facemetrics import analyze_photo, folds  # noqa: E402
from facemetrics.geometry import NLF_PATH_LEFT, NLF_PATH_RIGHT  # noqa: E402

FACES = HERE.parent.parent / "shared" / "faces"
LENGTHS_MM = (2.0, 4.0, 6.0, 8.0)
#: the floors the comparison uses for the other fold rows (compare.floors.DEFAULT_NOISE_FLOORS)
OTHER_FLOORS = {"depth": 0.84, "contrast": 3.0}


def perturbations(mm_per_px: float) -> dict:
    """name -> function of an RGB uint8 picture (same size out)."""
    def jpeg(q):
        def f(rgb):
            ok, buf = cv2.imencode(".jpg", cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, q])
            return cv2.cvtColor(cv2.imdecode(buf, cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)
        return f

    def resize(k):
        def f(rgb):
            h, w = rgb.shape[:2]
            small = cv2.resize(rgb, (max(int(round(w * k)), 8), max(int(round(h * k)), 8)), interpolation=cv2.INTER_AREA)
            return cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)
        return f

    def lut(fn):
        table = np.clip(np.round(fn(np.arange(256) / 255.0) * 255.0), 0, 255).astype(np.uint8)
        return lambda rgb: table[rgb]

    out = {f"jpeg_{q}": jpeg(q) for q in (60, 70, 80, 95)}
    out.update({f"resize_{k}": resize(k) for k in (0.5, 0.7, 0.85)})
    out["bright_-15"] = lut(lambda x: x * 0.85)
    out["bright_+15"] = lut(lambda x: x * 1.15)
    out["gamma_0.8"] = lut(lambda x: x ** 0.8)
    out["gamma_1.25"] = lut(lambda x: x ** 1.25)
    out["bilateral_20_1.5mm"] = lambda rgb: cv2.bilateralFilter(rgb, 0, 20, 1.5 / mm_per_px)
    return out


def match_tones(img: np.ndarray, ref: np.ndarray, points: np.ndarray) -> np.ndarray:
    """``img`` with each channel's histogram over the landmarks' bounding box matched to ``ref``'s
    (a stand-in for the comparison's tone matching, ``compare.measure.match_tones``)."""
    x0, y0 = np.floor(points[:, :2].min(0)).astype(int)
    x1, y1 = np.ceil(points[:, :2].max(0)).astype(int)
    out = img.copy()
    for c in range(img.shape[2]):
        a = img[y0:y1, x0:x1, c].ravel()
        b = ref[y0:y1, x0:x1, c].ravel()
        ca = np.cumsum(np.bincount(a, minlength=256)) / a.size
        cb = np.cumsum(np.bincount(b, minlength=256)) / b.size
        table = np.interp(ca, cb, np.arange(256))
        out[..., c] = np.clip(np.round(table[img[..., c]]), 0, 255).astype(np.uint8)
    return out


def lengthen(rgb: np.ndarray, line_px: np.ndarray, start: int, mm_per_px: float, length_mm: float,
             fraction: float = 0.05, width_mm: float = 1.5) -> np.ndarray:
    """``rgb`` with a valley painted along ``line_px`` (shape (K, 2), x y px) from its point ``start``
    onwards over ``length_mm`` of arc (see the module docstring)."""
    seg = np.linalg.norm(np.diff(line_px, axis=0), axis=1) * mm_per_px
    arc = np.concatenate([[0.0], np.cumsum(seg)])
    s = arc - arc[start]
    keep = (s >= -1.0) & (s <= length_mm + 1.0)
    pts = line_px[keep]
    ss = s[keep]
    # taper per point: 1 inside [0, L], cosine to 0 over 1 mm outside
    t = np.clip(np.minimum(ss + 1.0, length_mm + 1.0 - ss), 0.0, 1.0)
    taper = 0.5 - 0.5 * np.cos(np.pi * t)
    h, w = rgb.shape[:2]
    r = int(np.ceil(4 * width_mm / mm_per_px))
    x0, y0 = max(int(pts[:, 0].min()) - r, 0), max(int(pts[:, 1].min()) - r, 0)
    x1, y1 = min(int(pts[:, 0].max()) + r + 1, w), min(int(pts[:, 1].max()) + r + 1, h)
    yy, xx = np.mgrid[y0:y1, x0:x1].astype(np.float32)
    # densify the segment so the nearest point is within a fraction of a px
    n = max(int(np.ceil((ss[-1] - ss[0]) / (0.2 * mm_per_px))) + 1, 2)
    si = np.linspace(ss[0], ss[-1], n)
    px = np.interp(si, ss, pts[:, 0])
    py = np.interp(si, ss, pts[:, 1])
    ti = np.interp(si, ss, taper)
    gain = np.ones(xx.shape, np.float32)
    for x, y, tp in zip(px, py, ti):
        d2 = ((xx - x) ** 2 + (yy - y) ** 2) * mm_per_px ** 2
        gain = np.minimum(gain, 1.0 - fraction * tp * np.exp(-0.5 * d2 / width_mm ** 2))
    out = rgb.astype(np.float32)
    out[y0:y1, x0:x1] *= gain[..., None]
    return np.clip(out, 0, 255).round().astype(np.uint8)


def _faces(which: str) -> list[Path]:
    from accuracy import canada_split

    canada = sorted((FACES / "canada_ccby").glob("*.jpg"))
    tune, held = canada_split(canada)
    if which == "tune":
        return sorted((FACES / "london_ccby").glob("*_neutral.jpg")) + tune
    return held + sorted((FACES / "debruine_cc0").glob("*.jpg")) + _grid_frames()


def _grid_frames() -> list[Path]:
    out = []
    tmp = Path("/tmp/bench_fold_length_grid")
    tmp.mkdir(exist_ok=True)
    for clip in sorted((FACES / "grid_video_ccby").glob("*.mpg")):
        cap = cv2.VideoCapture(str(clip))
        ok, frame = cap.read()
        cap.release()
        if ok:
            p = tmp / f"{clip.stem}.png"
            cv2.imwrite(str(p), frame)
            out.append(p)
    return out


class _Recorder:
    """Stands in for ``folds._fold_length`` and keeps the last evidence profile."""

    def __init__(self, fn):
        self.fn, self.last = fn, None

    def __call__(self, evidence):
        self.last = np.array(evidence, dtype=np.float64)
        return self.fn(evidence)


def _span(line_px, points, frame, side):
    """Rows (along ``line_px`` resampled at RESOLUTION_MM) of the top and bottom landmarks."""
    idx = NLF_PATH_RIGHT if side == "right" else NLF_PATH_LEFT
    uv = frame.to_mm(np.asarray(points, dtype=np.float64)[list(idx), :2])
    from facemetrics.geometry import resample_polyline
    centre = resample_polyline(frame.to_mm(line_px), folds.RESOLUTION_MM, "exact")
    d = np.linalg.norm(centre[None] - uv[[0, -1], None], axis=2)
    return int(np.argmin(d[0])), int(np.argmin(d[1]))


def measure(which: str, out: Path) -> None:
    cv2.setNumThreads(1)
    rec = _Recorder(folds._fold_length)
    folds._fold_length = rec
    rows = []
    for path in _faces(which):
        a = analyze_photo(path)
        if not a.ok:
            print(f"skip {path.name}: {a.status}", file=sys.stderr)
            continue
        rgb, pts, frame = a.photo.rgb, a.points, a.frame
        mpp = frame.mm_per_px
        variants = {"original": rgb}
        variants.update({k: f(rgb) for k, f in perturbations(mpp).items()})
        for k in ("bright_-15", "bright_+15", "gamma_0.8", "gamma_1.25"):
            variants[k + "_matched"] = match_tones(variants[k], rgb, pts)
        for side in ("right", "left"):
            fm = a.nlf_right if side == "right" else a.nlf_left
            line = fm.line_px
            top, bottom = _span(line, pts, frame, side)
            sides = dict(variants)
            # the bottom landmark's point on the px line (the line's vertices are every RESOLUTION_MM)
            lp = np.linalg.norm(line - pts[list(NLF_PATH_RIGHT if side == "right" else NLF_PATH_LEFT)[-1], :2], axis=1)
            for L in LENGTHS_MM:
                sides[f"lengthen_{L:g}"] = lengthen(rgb, line, int(np.argmin(lp)), mpp, L)
            for name, img in sides.items():
                d, c, length = folds.score_fold_line(img, pts, frame, side, line)
                rows.append(dict(photo=path.name, side=side, variant=name, depth=d, contrast=c, length=length,
                                 profile=rec.last, top=top, bottom=bottom))
        print(f"{path.name}: done", file=sys.stderr, flush=True)
    with open(out, "wb") as f:
        pickle.dump(rows, f)
    print(f"{len(rows)} rows -> {out}")


# ------------------------------------------------------------------------------------------------
# length definitions on a profile (smoothed evidence per RESOLUTION_MM row)
# ------------------------------------------------------------------------------------------------

R = 0.4


def count(e, thr=0.5):
    return float(np.count_nonzero(e > thr)) * R


def soft(e, lo, hi):
    return float(np.clip((e - lo) / (hi - lo), 0.0, 1.0).sum()) * R


def hysteresis(e, lo, hi):
    above = e > lo
    keep = np.zeros_like(above)
    i = 0
    n = len(e)
    while i < n:
        if above[i]:
            j = i
            while j < n and above[j]:
                j += 1
            if e[i:j].max() > hi:
                keep[i:j] = True
            i = j
        else:
            i += 1
    return float(np.count_nonzero(keep)) * R


#: tone changes without the matching the comparison applies (left out of the floors)
UNMATCHED = ("bright_-15", "bright_+15", "gamma_0.8", "gamma_1.25")

DEFINITIONS = {"count_0.5": lambda e: count(e, 0.5)}
for _lo, _hi in ((0.25, 0.75), (0.25, 1.0), (0.5, 1.0), (0.0, 1.0), (0.25, 1.5), (0.5, 1.5), (0.0, 1.5), (0.0, 2.0)):
    DEFINITIONS[f"soft_{_lo}_{_hi}"] = lambda e, lo=_lo, hi=_hi: soft(e, lo, hi)
for _lo, _hi in ((0.5, 1.0), (0.5, 1.5), (0.25, 1.0), (0.75, 1.5)):
    DEFINITIONS[f"hyst_{_lo}_{_hi}"] = lambda e, lo=_lo, hi=_hi: hysteresis(e, lo, hi)


def _ends(e, thr=0.5):
    idx = np.flatnonzero(e > thr)
    return (idx[0], idx[-1]) if len(idx) else (None, None)


def diagnose(path: Path) -> None:
    rows = pickle.load(open(path, "rb"))
    base = {(r["photo"], r["side"]): r for r in rows if r["variant"] == "original"}
    names = sorted({r["variant"] for r in rows if not r["variant"].startswith(("original", "lengthen"))})
    print("| perturbation | n sides | former length (count > 0.5) |change| median / p90 / max, mm (floor 5) | beyond "
          "5 mm | shipped length (soft count) |change| median / p90 / max, mm | depth max |change| / floor 0.84 | "
          "contrast max / floor 3 | former length moved >= 2 mm most at: upper end / lower end / inside |")
    print("|---|---|---|---|---|---|---|---|")
    for name in names:
        ch, dd, cc, where = [], [], [], [0, 0, 0]
        sc = np.array([abs(folds._fold_length(r["profile"]) - folds._fold_length(base[(r["photo"], r["side"])]["profile"]))
                       for r in rows if r["variant"] == name])
        for r in rows:
            if r["variant"] != name:
                continue
            b = base[(r["photo"], r["side"])]
            ch.append(abs(_count_definition(r["profile"]) - _count_definition(b["profile"])))
            dd.append(abs(r["depth"] - b["depth"]))
            cc.append(abs(r["contrast"] - b["contrast"]))
            if ch[-1] >= 2.0:  # which part of the line gained or lost rows
                g = (r["profile"] > 0.5) != (b["profile"] > 0.5)
                t0, b0 = b["top"], b["bottom"]
                up = np.count_nonzero(g[: max(t0 + 10, 0)])  # above the top landmark + 4 mm
                low = np.count_nonzero(g[max(b0 - 10, 0):])  # from 4 mm above the bottom landmark
                inside = np.count_nonzero(g) - up - low
                where[int(np.argmax([up, low, inside]))] += 1
        ch = np.array(ch)
        print(f"| {name} | {len(ch)} | {np.median(ch):.1f} / {np.percentile(ch, 90):.1f} / {ch.max():.1f} | "
              f"{np.count_nonzero(ch > 5.0)} | {np.median(sc):.1f} / {np.percentile(sc, 90):.1f} / {sc.max():.1f} | "
              f"{max(dd) / OTHER_FLOORS['depth']:.2f} | "
              f"{max(cc) / OTHER_FLOORS['contrast']:.2f} | {where[0]} / {where[1]} / {where[2]} |")


def evaluate(path: Path, defs: dict, floors: dict | None = None) -> dict:
    """Per definition: floor (1.25 x largest |change| over the perturbations, this set), false rows at a
    given floor, and the lengthening response."""
    rows = pickle.load(open(path, "rb"))
    base = {(r["photo"], r["side"]): r for r in rows if r["variant"] == "original"}
    out = {}
    for dname, fn in defs.items():
        bl = {k: fn(b["profile"]) for k, b in base.items()}
        pert, leng = [], {L: [] for L in LENGTHS_MM}
        by_name: dict = {}
        for r in rows:
            if r["variant"] == "original":
                continue
            ch = fn(r["profile"]) - bl[(r["photo"], r["side"])]
            if r["variant"].startswith("lengthen"):
                leng[float(r["variant"].split("_")[1])].append(ch)
            elif r["variant"] in UNMATCHED:
                continue  # the comparison matches tones first: these are reported by --diagnose only
            else:
                pert.append(ch)
                by_name.setdefault(r["variant"], []).append(ch)
        pert = np.abs(np.array(pert))
        floor = 1.25 * pert.max()
        use = floor if floors is None else floors[dname]
        out[dname] = dict(floor=floor, p95=np.percentile(pert, 95), used=use,
                          false=int(np.count_nonzero(pert > use)), n=len(pert),
                          false_by={k: int(np.count_nonzero(np.abs(v) > use)) for k, v in by_name.items()},
                          leng={L: (float(np.median(v)), float(np.mean(np.array(v) > use))) for L, v in leng.items()})
    return out


def _print(ev: dict) -> None:
    print("| definition | 1.25 x max |change| (this set) | p95 | floor used | false beyond floor | "
          + " | ".join(f"lengthen {L:g} mm: median change / share beyond" for L in LENGTHS_MM) + " |")
    print("|---" * (5 + len(LENGTHS_MM)) + "|")
    for k, v in ev.items():
        print(f"| {k} | {v['floor']:.2f} | {v['p95']:.2f} | {v['used']:.2f} | {v['false']} of {v['n']} | "
              + " | ".join(f"{m:.2f} / {100 * s:.0f} %" for m, s in v["leng"].values()) + " |")


def _count_definition(evidence) -> float:
    """The former definition (before stop 37): rows above 0.5, x RESOLUTION_MM."""
    return float(np.count_nonzero(np.asarray(evidence) > 0.5)) * folds.RESOLUTION_MM


def compare_check(which: str) -> None:
    """Through ``compare_photos`` (registration, tone matching, the texture gate, the floors as shipped):
    each face against its perturbed copies (resized copies are smaller photos, not resized back) and
    against its right fold lengthened; prints the ``nlf_length_mm`` rows beyond their floor.
    ``FOLD_LENGTH=count`` in the environment scores with the former definition."""
    import dataclasses

    from facemetrics import compare_photos
    from facemetrics.analyze import analyze_loaded

    cv2.setNumThreads(1)
    if os.environ.get("FOLD_LENGTH") == "count":
        folds._fold_length = _count_definition
    false: dict = {}
    seen: dict = {L: [] for L in LENGTHS_MM}
    for path in _faces(which):
        a = analyze_photo(path)
        if not a.ok:
            print(f"skip {path.name}: {a.status}", file=sys.stderr)
            continue
        rgb, mpp = a.photo.rgb, a.frame.mm_per_px
        variants = {k: f(rgb) for k, f in perturbations(mpp).items() if not k.startswith("resize")}
        for k in (0.5, 0.7):
            h, w = rgb.shape[:2]
            variants[f"smaller_{k}"] = cv2.resize(rgb, (int(round(w * k)), int(round(h * k))), interpolation=cv2.INTER_AREA)
        line = a.nlf_right.line_px
        lp = np.linalg.norm(line - a.points[NLF_PATH_RIGHT[-1], :2], axis=1)
        for L in LENGTHS_MM:
            variants[f"lengthen_{L:g}"] = lengthen(rgb, line, int(np.argmin(lp)), mpp, L)
        for name, img in variants.items():
            b = analyze_loaded(dataclasses.replace(a.photo, rgb=np.ascontiguousarray(img)))
            if not b.ok:
                print(f"  {path.name} {name}: after not ok ({b.status})")
                continue
            c = compare_photos(a, b)
            for r in c.changes:
                if r.metric != "nlf_length_mm":
                    continue
                beyond = r.verdict not in ("within_noise", "uncertain", "refused")
                if name.startswith("lengthen"):
                    if r.side == "right":
                        seen[float(name.split("_")[1])].append((r.change, r.verdict == "longer", r.noise_floor))
                    continue
                false.setdefault(name, [0, 0])
                false[name][1] += 1
                if beyond:
                    false[name][0] += 1
                    print(f"  false: {path.name} {name} {r.side} {r.change:+.2f} / {r.noise_floor:.2f} {r.verdict}")
        print(f"{path.name}: done", file=sys.stderr, flush=True)
    print(f"definition: {os.environ.get('FOLD_LENGTH', 'shipped')}")
    print("| perturbation | false nlf_length_mm rows beyond floor / sides |\n|---|---|")
    for k, (n, m) in false.items():
        print(f"| {k} | {n} / {m} |")
    print(f"| all | {sum(v[0] for v in false.values())} / {sum(v[1] for v in false.values())} |")
    print("| lengthening (right fold) | median change, mm | read 'longer' | floor |\n|---|---|---|---|")
    for L, v in seen.items():
        if v:
            print(f"| {L:g} mm | {np.median([x[0] for x in v]):+.2f} | {sum(x[1] for x in v)} of {len(v)} | "
                  f"{np.median([x[2] for x in v]):.2f} |")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--measure", choices=("tune", "heldout"))
    ap.add_argument("--out", type=Path)
    ap.add_argument("--diagnose", type=Path)
    ap.add_argument("--choose", type=Path)
    ap.add_argument("--report", type=Path)
    ap.add_argument("--compare", choices=("tune", "heldout"), help="the check through compare_photos")
    ap.add_argument("--floors-from", type=Path, help="with --report: each definition's floor from this (tuning) file")
    args = ap.parse_args()
    if not FACES.is_dir():
        print(f"skipped: {FACES} is absent")
        return 0
    if args.measure:
        measure(args.measure, args.out)
    if args.compare:
        compare_check(args.compare)
    if args.diagnose:
        diagnose(args.diagnose)
    if args.choose:
        _print(evaluate(args.choose, DEFINITIONS))
    if args.report:
        diagnose(args.report)
        floors = None
        if args.floors_from:
            floors = {k: v["floor"] for k, v in evaluate(args.floors_from, DEFINITIONS).items()}
        _print(evaluate(args.report, DEFINITIONS, floors))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
