"""The fold length's full-size default floor (``nlf_length_mm``, 5 mm) re-derived by its own rule after the
soft count (stop 37), and checked once on held-out faces.

Why: the default floors' rule (``compare.noise_floors_from_nuisances``: 1.25 x the largest |change| over
nuisance-only pairs, rounded up to two significant digits) gave 2.2 mm for the fold length on the 325 pairs
of ``bench/bench_compare.py --noise-floors`` (the sample + the 24 London photos) once the length became a
soft count (``folds.LENGTH_FULL_EVIDENCE`` 1.5); the shipped default stayed at 5 (docs/compare.md "The fold
length's ends": at 2.2 the tuning faces' bilateral-20 copies read 16 of 72 sides beyond it, 4 at 5).  The
default matters only for pairs finer than 5 / 19 = 0.26 mm/px (above, the resolution term
``19 x mm_per_px`` is larger): the sample (0.18) and the Canada faces (0.17-0.18), not the London portraits
(0.30-0.32).

Rule (written before any run of this script, 2026-12-04)
---------------------------------------------------------
1. The figure: R = the default floors' rule on the nuisance-only pairs of the tuning faces: the 13 nuisances
   of :data:`facemetrics.simulate.NUISANCES` (the identity left out, as ``--noise-floors`` does) on the 12
   London neutral faces and the 24 Canada tuning faces (``bench/accuracy.py`` ``canada_split``), pooled
   with the 325 pairs of the floor set (largest |change| 1.73 mm, docs/compare.md 'Default noise floors',
   2026-12-04, not re-run here), through ``compare_photos``; R = 1.25 x the largest |change| of the right
   and left ``nlf_length_mm`` rows, rounded up to two significant digits.
2. The choice (tuning faces only): R >= 5: the default becomes R (a floor below its rule is a defect).
   R < 5: the default becomes R only if on the tuning faces the bilateral 20 grey levels / 1.5 mm copies
   (the lead's reason for keeping 5: mild enough that the skin-texture gate lets them through) read no more
   false ``longer`` / ``shorter`` rows at R than at 5; otherwise 5 stays.
3. The held-out check (run once, after the choice is fixed; nothing re-chosen from it): the 16 Canada
   held-out faces x the same 13 nuisances and bilateral 20 / 1.5 mm, and the 24 ordered debruine pairs
   (one person, camera 15 / 30 / 45 / 60 cm and four poses: real re-photographs with no change): false
   ``nlf_length_mm`` rows at 5 and at R.  And a lengthened fold must still read: each face with both folds
   lengthened by a darkening painted in the image (:func:`lengthen_towards_mouth`), placed from the
   hand-placed template points (the smile line's bottom point, bent towards the hand-placed mouth
   corner; sized by the hand-placed pupils at 63 mm), not from Face Mesh, the fold line or its
   evidence: L = 4 / 8 mm, 5 % / 10 % darker at the centre; share read ``longer`` at 5 and at R (tuning and
   held out).

Results (2026-12-04; docs/compare.md "The fold length's full-size default"): R = 2.2 mm (largest 1.73, the floor
set's own London 038 JPEG-70 pair; the Canada tuning faces' 1.14); bilateral-20 tuning copies 7 of 72 false
rows at 2.2 against 3 at 5, so 5 stays.  Held out: 0 of 416 nuisance rows at either; bilateral 7 of 32 at 2.2,
0 at 5; debruine 1 of 48 at both.  The lengthening of :func:`lengthen_towards_mouth` is barely read at either
floor (``--reach``, run after: the measured line ends a median 2.7 mm past the hand-placed bottom point).

Usage::

    python bench/bench_length_floor.py --run tune --out /tmp/lf_tune.json
    python bench/bench_length_floor.py --run heldout --out /tmp/lf_held.json
    python bench/bench_length_floor.py --report /tmp/lf_tune.json [/tmp/lf_held.json]
    python bench/bench_length_floor.py --reach tune        # where the measured line ends (added after the runs)

The photos are read from ``../shared/faces`` and never copied into the project.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
from pathlib import Path

os.environ.setdefault("GLOG_minloglevel", "2")

import cv2
import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from facemetrics import analyze_photo, compare_photos  # noqa: E402
from facemetrics import simulate as sim  # noqa: E402
from facemetrics.analyze import analyze_loaded  # noqa: E402
from facemetrics.compare.floors import (DEFAULT_NOISE_FLOORS, RESOLUTION_FLOOR_SLOPES,  # noqa: E402
                                        _round_up_2sig, NUISANCE_FLOOR_FACTOR)
from facemetrics.compare.floors import resolution_crossing as cp_crossing  # noqa: E402

FACES = HERE.parent.parent / "shared" / "faces"
KEY = ("nlf_length_mm", "side")
#: the largest |change| of the 325 pairs of ``bench_compare.py --noise-floors`` (docs/compare.md, 2026-12-04)
FLOOR_SET_MAX = 1.73
LENGTHS_MM = (4.0, 8.0)
STRENGTHS = (0.05, 0.10)
#: pupil distance the lengthening is sized by (mm; not the package's iris calibration)
PUPIL_MM = 63.0
#: template points (Face Research Lab 189): pupils; top / centre / bottom of the image-left and
#: image-right smile lines; mouth corners
PUPILS = (0, 1)
SMILE = ((158, 159, 160), (161, 162, 163))
MOUTH = (87, 93)


def _faces(which: str) -> list[Path]:
    from accuracy import canada_split

    tune, held = canada_split(sorted((FACES / "canada_ccby").glob("*.jpg")))
    if which == "tune":
        return sorted((FACES / "london_ccby").glob("*_neutral.jpg")) + tune
    return held


def _template(path: Path) -> np.ndarray | None:
    tem = path.with_suffix(".tem")
    if not tem.is_file():
        return None
    lines = tem.read_text().split("\n")
    n = int(lines[0])
    return np.array([[float(v) for v in ln.split()[:2]] for ln in lines[1:n + 1]])


def lengthen_towards_mouth(rgb: np.ndarray, tem: np.ndarray, length_mm: float, fraction: float) -> np.ndarray:
    """``rgb`` (H, W, 3) uint8 with both smile lines extended by a darker stroke of ``length_mm``.

    The stroke starts at the hand-placed bottom point of each smile line and runs along the bisector of the
    line's last stretch (centre -> bottom point) and the direction to the hand-placed mouth corner on that
    side; across it the darkening is a raised cosine of half-width 2 mm (``fraction`` darker at the centre),
    along it full from 0 to ``length_mm`` with 1 mm raised-cosine ends (the start overlaps the fold's own
    end).  Sized by the hand-placed pupils (:data:`PUPIL_MM`).  Nothing here reads Face Mesh, the fold line
    or its valley evidence.
    """
    mm = PUPIL_MM / float(np.linalg.norm(tem[PUPILS[0]] - tem[PUPILS[1]]))  # mm per px
    h, w = rgb.shape[:2]
    gain = np.ones((h, w), np.float32)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    for _top, centre, bottom in SMILE:
        p = tem[bottom]
        mouth = min(MOUTH, key=lambda k: abs(tem[k, 0] - p[0]))
        d1 = (p - tem[centre]) / np.linalg.norm(p - tem[centre])
        d2 = (tem[mouth] - p) / np.linalg.norm(tem[mouth] - p)
        d = (d1 + d2) / np.linalg.norm(d1 + d2)
        rel = np.stack([xx - p[0], yy - p[1]], -1) * mm
        s = rel @ d  # mm along
        t = np.abs(rel @ np.array([-d[1], d[0]]))  # mm across
        along = np.clip(np.minimum(s + 1.0, length_mm + 1.0 - s), 0.0, 1.0)
        along = 0.5 - 0.5 * np.cos(np.pi * along)
        across = np.where(t < 2.0, 0.5 + 0.5 * np.cos(np.pi * t / 2.0), 0.0)
        gain = np.minimum(gain, 1.0 - fraction * along * across)
    return np.clip(rgb.astype(np.float32) * gain[..., None], 0, 255).round().astype(np.uint8)


def reach(which: str) -> None:
    """How far the measured fold line runs past the hand-placed bottom point of the smile line, along the
    stroke of :func:`lengthen_towards_mouth` (mm; negative: it ends before it), and how far the stroke's
    points at 2 / 4 mm lie from the line (mm): the part of a lengthening the length can see at all."""
    from facemetrics.geometry import resample_polyline

    out = []
    for path in _faces(which):
        a, tem = analyze_photo(path), _template(path)
        if not a.ok or tem is None:
            continue
        mm = a.calibration.mm_per_px
        for fm, (_top, centre, bottom) in zip((a.nlf_right, a.nlf_left), sorted(SMILE, key=lambda s: tem[s[2], 0])):
            p = tem[bottom]
            mouth = min(MOUTH, key=lambda k: abs(tem[k, 0] - p[0]))
            d1 = (p - tem[centre]) / np.linalg.norm(p - tem[centre])
            d2 = (tem[mouth] - p) / np.linalg.norm(tem[mouth] - p)
            d = (d1 + d2) / np.linalg.norm(d1 + d2)
            line = resample_polyline(np.asarray(fm.line_px, float), 0.2 / mm, "exact")
            past = float(((line - p) @ d).max() * mm)
            off = [float(np.min(np.linalg.norm(line - (p + s / mm * d), axis=1)) * mm) for s in (2.0, 4.0)]
            out.append((past, *off))
    v = np.array(out)
    print(f"{which}: {len(v)} sides; the line runs past the hand-placed bottom point, along the stroke: median "
          f"{np.median(v[:, 0]):.1f} mm (p10 {np.percentile(v[:, 0], 10):.1f}, p90 {np.percentile(v[:, 0], 90):.1f}); "
          f"the stroke at 2 / 4 mm lies a median {np.median(v[:, 1]):.1f} / {np.median(v[:, 2]):.1f} mm from the line")


def _rows(c, **info) -> list[dict]:
    out = []
    for r in c.changes:
        if r.metric == KEY[0] and r.side in ("right", "left"):
            out.append(dict(info, side=r.side, change=float(r.change), floor=float(r.noise_floor), verdict=r.verdict))
    return out


def _pair_mpp(a, b) -> float:
    from facemetrics.compare import pair_mm_per_px
    return float(pair_mm_per_px(a, b))


def run(which: str, out: Path) -> None:
    cv2.setNumThreads(1)
    rows: list[dict] = []
    mpp: dict[str, float] = {}
    for path in _faces(which):
        a = analyze_photo(path)
        if not a.ok:
            print(f"skip {path.name}: {a.status}", file=sys.stderr)
            continue
        mpp[path.name] = float(a.calibration.mm_per_px)
        variants = {name: fn(a).image for name, fn in sim.NUISANCES.items() if name != "identity"}
        variants["bilateral_20_1.5mm"] = cv2.bilateralFilter(a.photo.rgb, 0, 20, 1.5 / a.calibration.mm_per_px)
        tem = _template(path)
        if tem is not None:
            for L in LENGTHS_MM:
                for f in STRENGTHS:
                    variants[f"lengthen_{L:g}mm_{f:g}"] = lengthen_towards_mouth(a.photo.rgb, tem, L, f)
        for name, img in variants.items():
            b = analyze_loaded(dataclasses.replace(a.photo, rgb=np.ascontiguousarray(img)))
            if not b.ok:
                rows.append(dict(set=which, photo=path.name, variant=name, side="-", status=b.status))
                continue
            c = compare_photos(a, b)
            for r in _rows(c, set=which, photo=path.name, variant=name):
                r["pair_mm_per_px"] = _pair_mpp(a, b)
                rows.append(r)
        print(f"{path.name} ({mpp[path.name]:.3f} mm/px): done", file=sys.stderr, flush=True)
    if which == "heldout":
        rows += list(_debruine())
    out.write_text(json.dumps(dict(rows=rows, mm_per_px=mpp), indent=0))
    print(f"{len(rows)} rows -> {out}")


def _debruine():
    d = FACES / "debruine_cc0"
    groups = [[f"camera_distance_{k}cm" for k in (15, 30, 45, 60)], [f"pose_variation_{k}" for k in (1, 2, 3, 4)]]
    an = {n: analyze_photo(d / f"debruine_{n}.jpg") for g in groups for n in g}
    for g in groups:
        for x in g:
            for y in g:
                if x == y:
                    continue
                if not (an[x].ok and an[y].ok):
                    yield dict(set="debruine", photo=x, variant=y, side="-", status="not measured")
                    continue
                c = compare_photos(an[x], an[y])
                for r in _rows(c, set="debruine", photo=x, variant=y):
                    r["pair_mm_per_px"] = _pair_mpp(an[x], an[y])
                    yield r


def floor_at(row: dict, default: float) -> float:
    """The row's floor had the default been ``default``: ``max(default, a x m)`` (without the camera term the
    length's floor takes since stop 39); checked against the recorded floor at the shipped default (not on
    the debruine pairs, whose camera changes now widen it)."""
    return max(default, RESOLUTION_FLOOR_SLOPES[KEY] * row["pair_mm_per_px"])


def beyond(row: dict, default: float) -> bool:
    """A verdict (``longer`` / ``shorter``) at that default: not withheld, |change| above the floor."""
    return row["verdict"] not in ("uncertain", "refused") and abs(row["change"]) > floor_at(row, default)


def report(paths: list[Path]) -> None:
    shipped = DEFAULT_NOISE_FLOORS[KEY]
    data = [json.loads(p.read_text()) for p in paths]
    tune = data[0]
    rows = [r for r in tune["rows"] if "change" in r]
    for d in data:
        for r in d["rows"]:
            # the debruine pairs' floors take the camera term since stop 39 (POSE_ROW_FLOORS["nlf_length_mm"])
            if "change" in r and r["verdict"] not in ("uncertain", "refused") and r["set"] != "debruine":
                assert abs(floor_at(r, shipped) - r["floor"]) < 1e-6, r
    nuis = [r for r in rows if not r["variant"].startswith(("lengthen", "bilateral"))]
    worst = max(nuis, key=lambda r: abs(r["change"]))
    top = max(abs(worst["change"]), FLOOR_SET_MAX)
    R = _round_up_2sig(NUISANCE_FLOOR_FACTOR * top)
    m = {k: v for d in data for k, v in d["mm_per_px"].items()}
    sample = [analyze_photo(HERE.parent / "sample_images" / f"astronaut_{w}.jpg").calibration.mm_per_px
              for w in ("before", "after")]
    print(f"analysed mm/px: the sample {sample[0]:.3f} / {sample[1]:.3f}; "
          + "; ".join(f"{s_} {min(v for k, v in m.items() if s_ in k):.3f}-{max(v for k, v in m.items() if s_ in k):.3f}"
                      f" ({sum(s_ in k for k in m)} photos)" for s_ in ("london", "canada") if any(s_ in k for k in m))
          + f"; the term {RESOLUTION_FLOOR_SLOPES[KEY]:g} x m passes the default {shipped:g} mm from "
          f"{cp_crossing(KEY):.3f} mm/px")
    ch = np.abs([r["change"] for r in nuis])
    print(f"tuning nuisance-only rows: {len(ch)} ({len(nuis) // 2} pairs); |change| p95 {np.percentile(ch, 95):.2f}, "
          f"p99 {np.percentile(ch, 99):.2f}, max {worst['change']:+.2f} mm ({worst['photo']} {worst['variant']} "
          f"{worst['side']}); with the floor set's {FLOOR_SET_MAX}: R = {R:g} mm")
    by_face = {}
    for r in nuis:
        by_face[r["photo"][:6]] = max(by_face.get(r["photo"][:6], 0.0), abs(r["change"]))
    print("  largest |change| by set: " + ", ".join(f"{k} {v:.2f}" for k, v in by_face.items()))
    for d, p in zip(data, paths):
        print(f"\n== {p.name}")
        rs = [r for r in d["rows"] if "change" in r]
        skipped = [r for r in d["rows"] if "change" not in r]
        if skipped:
            print(f"  not measured: {len(skipped)} ({', '.join(sorted({r['photo'] + ' ' + r['variant'] for r in skipped}))})")
        groups = {"nuisances (13)": lambda r: r["set"] != "debruine" and not r["variant"].startswith(("lengthen", "bilateral")),
                  "bilateral 20 / 1.5 mm": lambda r: r["variant"].startswith("bilateral"),
                  "debruine real pairs": lambda r: r["set"] == "debruine"}
        print(f"| no-change rows | n | uncertain | false at {shipped:g} | false at R = {R:g} | largest |change| / floor at R |")
        print("|---|---|---|---|---|---|")
        for name, sel in groups.items():
            g = [r for r in rs if sel(r)]
            if not g:
                continue
            unc = sum(r["verdict"] in ("uncertain", "refused") for r in g)
            a5 = [r for r in g if beyond(r, shipped)]
            aR = [r for r in g if beyond(r, R)]
            ratio = max(abs(r["change"]) / floor_at(r, R) for r in g if r["verdict"] not in ("uncertain", "refused"))
            print(f"| {name} | {len(g)} | {unc} | {len(a5)} | {len(aR)} | {ratio:.2f} |")
            for r in aR:
                print(f"    beyond R: {r['photo']} {r['variant']} {r['side']} {r['change']:+.2f} (floor at R "
                      f"{floor_at(r, R):.2f}, shipped {r['floor']:.2f}, {r['pair_mm_per_px']:.3f} mm/px)")
        le = [r for r in rs if r["variant"].startswith("lengthen")]
        if le:
            print(f"| lengthening (both sides) | n | median change | uncertain | read longer at {shipped:g} | at R = {R:g} |")
            print("|---|---|---|---|---|---|")
            for L in LENGTHS_MM:
                for f in STRENGTHS:
                    g = [r for r in le if r["variant"] == f"lengthen_{L:g}mm_{f:g}"]
                    ok = [r for r in g if r["verdict"] not in ("uncertain", "refused")]
                    n5 = sum(r["change"] > floor_at(r, shipped) for r in ok)
                    nR = sum(r["change"] > floor_at(r, R) for r in ok)
                    print(f"| {L:g} mm, {100 * f:g} % | {len(g)} | {np.median([r['change'] for r in g]):+.2f} | "
                          f"{len(g) - len(ok)} | {n5} | {nR} |")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--run", choices=("tune", "heldout"))
    ap.add_argument("--out", type=Path)
    ap.add_argument("--report", type=Path, nargs="+")
    ap.add_argument("--reach", choices=("tune", "heldout"), help="where the measured line ends against the stroke")
    args = ap.parse_args()
    if not FACES.is_dir():
        print(f"skipped: {FACES} is absent")
        return 0
    if args.run:
        run(args.run, args.out)
    if args.report:
        report(args.report)
    if args.reach:
        reach(args.reach)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
