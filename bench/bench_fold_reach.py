"""The fold length's lower end following the valley (``fold_reach_lower.py``, stop 39), and a
camera-distance term in the fold length's floor (``compare.floors.POSE_ROW_FLOORS["nlf_length_mm"]``).

Why: stop 38 (docs/compare.md "The fold length's full-size default") found that a fold lengthened by a darker
stroke placed from the hand-placed smile-line points (:func:`bench_length_floor.lengthen_towards_mouth`:
from the bottom point, bent towards the mouth corner, 4 / 8 mm, 5 / 10 % darker) was barely read
(median -0.07..+0.02 mm; ``longer`` on 1-3 of 72 tuning sides): the length was counted along the line
itself, to a fixed end 8 mm below the bottom landmark, and the stroke lies 2.5-4.5 mm medial of it.  Now
the length below the bottom landmark's point is counted along the continuation with the most valley
evidence in a band from 6 mm medial to 3 mm lateral, 12 mm long (``fold_reach_lower.lower_length``; the constants
set a priori from stop 38's geometry, not searched).  The fold line itself is unchanged.  And the real
30 -> 15 cm debruine pair read a false ``shorter`` (-8.52 mm against 5.0): the length's floor had no
camera term.

Rule (written 2026-12-04 before any run of this script; nothing below is re-chosen after a held-out run)
--------------------------------------------------------------------------------------------------------
Task 1, the lower end (``new``) against the line's fixed end (``old``, the package's own length):

T1. Read (tuning faces: London 12 neutral + the 24 Canada tuning faces of ``bench/accuracy.py``
    ``canada_split``; fixed geometry: each face's own found line and landmarks scored on its stroked copy,
    so only the image changes; the floor max(5, 19 x mm/px) of a pair of that photo): the 8 mm / 10 %
    stroke reads a change beyond the floor on >= 25 % of the sides (18 of 72), and ``new`` reads more
    sides than ``old`` for each of the four strokes.
T2. No more false rows (the same faces, the same fixed geometry): over the no-change perturbations of
    ``bench_fold_length.perturbations`` (JPEG 60/70/80/95, resized 0.5/0.7/0.85 and back, brightness and gamma
    with tones matched, bilateral 20 / 1.5 mm), sides beyond the floor: ``new`` <= ``old``; and ``new``'s
    largest |change| over them (bilateral left out, as the default floors' rule leaves it out) x 1.25 stays
    below the shipped 5 mm default (so the default's own rule would not have to rise).  Through
    ``compare_photos``, the 3-D re-renders (``simulate.camera_distance`` 450 -> 300 and 450 -> 600 mm, and
    ``simulate.lift`` 2 mm: no fold change): length verdicts beyond floor ``new`` <= ``old``.
T3. Held out, once, through ``compare_photos`` (``python bench/bench_length_floor.py --run heldout``: the 16
    Canada held-out faces x the 13 nuisances, bilateral 20 / 1.5 mm and the four strokes, and the 24 debruine
    real pairs): the 8 mm / 10 % stroke read ``longer`` on >= 25 % of the sides (8 of 32; stop 38: 2), and no
    more false rows than stop 38's (nuisances 0 of 416, bilateral 0 of 32, debruine 1 of 48 at the shipped
    floors).  Ship only if T1, T2 and T3 pass; otherwise the package keeps its fixed end and the
    negative is documented.

Task 2, the camera term: ``k`` = the 95th percentile over the tuning faces' camera re-renders (the two
distances above, no change) of the larger side's |length change| / |estimated relative camera change|
(``cues["camera_distance_change_pct"] / 100``), rounded up to two significant digits (the rule of the other
``POSE_ROW_FLOORS``, there on ``bench_pose3d``'s five faces), with the shipped length definition; the
floor becomes ``hypot(floor, k x |camera change|)`` (``floors.pose_row_floor_terms``); the per-degree
term is not measured here (0: the pose cases were not re-rendered for the length).  Shipped as its rule
gives it (a floor term below its rule is a defect); the held-out check is the debruine pairs of T3,
reported whatever they read (a re-render that is the method's own 3-D model is not a real close camera).

Results (2026-12-04; docs/compare.md "The fold length's lower end and its camera term")
-------------------------------------------------------------------------------------
Task 1 failed on the tuning faces: the 8 mm / 10 % stroke read on 7 of 72 sides (the fixed end 2; T1 asks 18),
the 4 mm / 10 % on 2 (fixed end 3), and the bilateral copies 5 false rows against 4 (T2): not shipped
(the candidate moved out of the package into ``bench/fold_reach_lower.py``), T3 not run, the held-out faces unread for it.  ``--fill``
(after): the continuation already counts a median 8.3 of its 12 mm on the unstroked photos.  ``--area``
(exploratory, no rule): the band's valley area reads the strokes more (27 of 72) but the bilateral copies
read 14 false rows.  Task 2: k = 2.5 mm per unit camera change (p95 2.425 over 72 re-render pairs),
shipped; ``--debruine`` (held out, once): the 30 -> 15 cm pair still reads right -8.52 mm against 5.08,
``shorter`` (the real pairs move the length 23-29 mm per unit camera change, the re-renders 2.4 at p95).

Usage::

    python bench/bench_fold_reach.py --fixed tune --out /tmp/fr_fixed.json      # T1, T2 (fixed geometry)
    python bench/bench_fold_reach.py --rerender tune --out /tmp/fr_rr.json      # T2 re-renders, task 2's k
    python bench/bench_fold_reach.py --report /tmp/fr_fixed.json /tmp/fr_rr.json
    python bench/bench_fold_reach.py --debruine        # task 2's held-out check (the shipped code)
    python bench/bench_fold_reach.py --fill tune       # diagnosis: how full the continuation already is
    python bench/bench_fold_reach.py --area tune       # exploratory: the band's valley area as a length

The photos are read from ``../shared/faces`` and never copied into the project.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import os
import sys
from pathlib import Path

os.environ.setdefault("GLOG_minloglevel", "2")

import cv2
import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import fold_reach_lower as low  # noqa: E402
from facemetrics import analyze_photo, folds  # noqa: E402
from facemetrics.compare.floors import DEFAULT_NOISE_FLOORS, RESOLUTION_FLOOR_SLOPES  # noqa: E402

FACES = HERE.parent.parent / "shared" / "faces"
KEY = ("nlf_length_mm", "side")
STROKES = [(L, f) for L in (4.0, 8.0) for f in (0.05, 0.10)]
CAMERA_TO_MM = (300.0, 600.0)


def floor_of(mm_per_px: float) -> float:
    """The shipped length floor of a pair at ``mm_per_px`` (no pose term): max(5, 19 x m)."""
    return max(DEFAULT_NOISE_FLOORS[KEY], RESOLUTION_FLOOR_SLOPES[KEY] * mm_per_px)


def _faces(which: str) -> list[Path]:
    from bench_length_floor import _faces as lf_faces
    return lf_faces(which)


def _both(fn):
    """``fn()`` with the line's fixed end (old) and the valley-following end (new)."""
    out = {}
    for name, flag in (("old", False), ("new", True)):
        with low.following_valley(flag):
            out[name] = fn()
    return out


def fixed(which: str, out: Path) -> None:
    """Each face's own line scored on perturbed and stroked copies, both definitions."""
    from bench_fold_length import match_tones, perturbations
    from bench_length_floor import _template, lengthen_towards_mouth

    cv2.setNumThreads(1)
    rows = []
    for path in _faces(which):
        a = analyze_photo(path)
        tem = _template(path)
        if not a.ok or tem is None:
            print(f"skip {path.name}", file=sys.stderr)
            continue
        rgb, pts, frame = a.photo.rgb, a.points, a.frame
        mpp = float(frame.mm_per_px)
        variants = {"original": rgb}
        for k, f in perturbations(mpp).items():
            img = f(rgb)
            if k.startswith(("bright", "gamma")):
                img = match_tones(img, rgb, pts)
            variants[k] = img
        for L, f in STROKES:
            variants[f"stroke_{L:g}mm_{f:g}"] = lengthen_towards_mouth(rgb, tem, L, f)
        for side in ("right", "left"):
            line = (a.nlf_right if side == "right" else a.nlf_left).line_px
            for name, img in variants.items():
                v = _both(lambda: folds.score_fold_line(img, pts, frame, side, line)[2])
                rows.append(dict(photo=path.name, side=side, variant=name, mm_per_px=mpp, **v))
        print(f"{path.name}: done", file=sys.stderr, flush=True)
    out.write_text(json.dumps(rows))
    print(f"{len(rows)} rows -> {out}")


def rerender(which: str, out: Path) -> None:
    """Through ``compare_photos``: each face against its 3-D re-render at another camera distance and
    against a 2 mm lift, both definitions (each with its own before-photo scores: the comparison's cache
    of the before photo's part is emptied between them)."""
    from facemetrics import compare_photos
    from facemetrics import simulate as sim
    from facemetrics.analyze import analyze_loaded
    from facemetrics.compare import measure

    cv2.setNumThreads(1)
    rows = []
    for path in _faces(which):
        a = analyze_photo(path)
        if not a.ok:
            continue
        cases = {f"camera_{t:g}": (lambda t=t: sim.camera_distance(a, 450.0, t).image) for t in CAMERA_TO_MM}
        cases["lift_2mm"] = lambda: sim.lift(a, 2.0).image
        for name, make in cases.items():
            b = analyze_loaded(dataclasses.replace(a.photo, rgb=np.ascontiguousarray(make())))
            if not b.ok:
                rows.append(dict(photo=path.name, case=name, status=b.status))
                continue

            def run():
                measure._local.__dict__.clear()
                c = compare_photos(a, b)
                r = {s: c.get(*(KEY[0], s)) for s in ("right", "left")}
                return dict(status=c.status, cam_pct=float((c.cues or {}).get("camera_distance_change_pct", math.nan)),
                            **{f"{s}_{k}": getattr(x, k) for s, x in r.items() for k in ("change", "noise_floor", "verdict")})
            v = _both(run)
            rows.append(dict(photo=path.name, case=name, **{f"{d}_{k}": x for d, r in v.items() for k, x in r.items()}))
        print(f"{path.name}: done", file=sys.stderr, flush=True)
    out.write_text(json.dumps(rows))
    print(f"{len(rows)} rows -> {out}")


def debruine() -> None:
    """Task 2's held-out check (run once): the 12 ordered pairs of debruine's real camera distances (15 / 30 /
    45 / 60 cm, one person, no change) through ``compare_photos`` with the shipped code: each fold length row's
    change, floor (and what it would be without the camera term), verdict and the estimated camera change."""
    from facemetrics import compare_photos
    from facemetrics.compare.floors import POSE_ROW_FLOORS

    cv2.setNumThreads(1)
    k = POSE_ROW_FLOORS.get(KEY[0], (0.0, 0.0))[0]
    d = FACES / "debruine_cc0"
    names = [f"camera_distance_{c}cm" for c in (15, 30, 45, 60)]
    an = {n: analyze_photo(d / f"debruine_{n}.jpg") for n in names}
    print(f"k = {k:g} mm per unit camera change")
    print("| pair | status | estimated camera change | side | change, mm | floor (without the term) | verdict |")
    print("|---|---|---|---|---|---|---|")
    n_verdicts = 0
    for x in names:
        for y in names:
            if x == y or not (an[x].ok and an[y].ok):
                continue
            c = compare_photos(an[x], an[y])
            cam = float((c.cues or {}).get("camera_distance_change_pct", math.nan))
            for s in ("right", "left"):
                r = c.get(KEY[0], s)
                without = math.sqrt(max(r.noise_floor ** 2 - (k * cam / 100.0) ** 2, 0.0)) if np.isfinite(cam) else r.noise_floor
                n_verdicts += r.verdict in ("longer", "shorter")
                print(f"| {x[16:]} -> {y[16:]} | {c.status} | {cam:+.1f} % | {s} | {r.change:+.2f} | "
                      f"{r.noise_floor:.2f} ({without:.2f}) | {r.verdict} |")
    print(f"length verdicts (longer / shorter) on the 12 no-change pairs: {n_verdicts}")


def fill(which: str) -> None:
    """Diagnosis (after the tuning run): how much of the 12 mm continuation the valley-following end already
    counts on the unstroked photo, and on the 8 mm / 10 % stroked copy (mm; ``fold_reach_lower.lower_length``)."""
    from bench_length_floor import _template, lengthen_towards_mouth
    from facemetrics.geometry import resample_polyline

    cv2.setNumThreads(1)
    out = []
    for path in _faces(which):
        a, tem = analyze_photo(path), _template(path)
        if not a.ok or tem is None:
            continue
        stroked = lengthen_towards_mouth(a.photo.rgb, tem, 8.0, 0.10)
        for side in ("right", "left"):
            fm = a.nlf_right if side == "right" else a.nlf_left
            idx = folds.NLF_PATH_RIGHT if side == "right" else folds.NLF_PATH_LEFT
            uv = a.frame.to_mm(a.points[list(idx), :2])
            centre = resample_polyline(a.frame.to_mm(fm.line_px), folds.RESOLUTION_MM, "exact")
            bottom = int(np.flatnonzero(folds._span_rows(centre, uv))[-1])
            lips = folds._lips_mm(a.points, a.frame)
            vals = []
            for img in (a.photo.rgb, stroked):
                g = img[..., 1]
                ref = low.line_reference(g, a.frame, centre, uv, side, lips)[0]  # as folds._score takes it
                vals.append(low.lower_length(g, a.frame, centre, bottom, side, ref, lips))
            out.append(vals)
    v = np.array(out)
    print(f"{which}: {len(v)} sides; the continuation ({low.LOWER_REACH_MM:g} mm) counts on the photo: median "
          f"{np.median(v[:, 0]):.1f} mm (p10 {np.percentile(v[:, 0], 10):.1f}, p90 {np.percentile(v[:, 0], 90):.1f}); "
          f"with the 8 mm / 10 % stroke: median {np.median(v[:, 1]):.1f}; gain median {np.median(v[:, 1] - v[:, 0]):+.2f} "
          f"(p90 {np.percentile(v[:, 1] - v[:, 0], 90):+.2f}); sides already >= 75 % full: {int(np.sum(v[:, 0] >= 9.0))}")


def _lower_band_share(img: np.ndarray, a, side: str) -> np.ndarray:
    """The soft-count share (0-1) over ``fold_reach_lower.lower_length``'s whole search band, shape (rows, cols)."""
    from facemetrics.geometry import resample_polyline

    fm = a.nlf_right if side == "right" else a.nlf_left
    idx = folds.NLF_PATH_RIGHT if side == "right" else folds.NLF_PATH_LEFT
    uv = a.frame.to_mm(a.points[list(idx), :2])
    centre = resample_polyline(a.frame.to_mm(fm.line_px), folds.RESOLUTION_MM, "exact")
    span = folds._span_rows(centre, uv)
    bottom = int(np.flatnonzero(span)[-1])
    g = img[..., 1]
    lips = folds._lips_mm(a.points, a.frame)
    ref = low.line_reference(g, a.frame, centre, uv, side, lips)[0]
    d = centre[bottom] - centre[max(bottom - 5, 0)]
    d = d / np.linalg.norm(d)
    normal = np.array([-d[1], d[0]])
    if (normal[0] > 0) == (side == "right"):
        normal = -normal
    n_rows = int(round(low.LOWER_REACH_MM / folds.RESOLUTION_MM))
    axis = centre[bottom] + (np.arange(1, n_rows + 1) * folds.RESOLUTION_MM)[:, None] * d
    wide = np.arange(-40, 31) * folds.RESOLUTION_MM
    grid2 = folds._fan(axis, wide, np.broadcast_to(normal, axis.shape))
    bs = folds._along(folds._sample(g, a.frame, grid2)[0])
    ev = folds.gaussian_filter1d(folds._evidence(bs, np.full(n_rows, ref)), folds.LENGTH_SMOOTH_MM / folds.RESOLUTION_MM, axis=0)
    cols = (wide >= -low.LOWER_MEDIAL_MM - 1e-9) & (wide <= low.LOWER_LATERAL_MM + 1e-9)
    share = np.clip(ev[:, cols] / folds.LENGTH_FULL_EVIDENCE, 0.0, 1.0)
    share[~folds._off_lips(grid2[:, cols], lips)] = 0.0
    return share


def area(which: str) -> None:
    """Exploratory (after the rule failed; no rule, nothing shipped): the valley *area* of the lower band
    instead of its best path, as a length: sum of the share over the band x 0.4 mm x 0.4 mm / 2 mm (a 2 mm
    wide valley).  Its change under the strokes, JPEG 60 and bilateral 20 / 1.5 mm (fixed geometry)."""
    from bench_fold_length import perturbations
    from bench_length_floor import _template, lengthen_towards_mouth

    cv2.setNumThreads(1)
    rows = []
    for path in _faces(which):
        a, tem = analyze_photo(path), _template(path)
        if not a.ok or tem is None:
            continue
        pert = perturbations(a.frame.mm_per_px)
        imgs = {"jpeg_60": pert["jpeg_60"](a.photo.rgb), "bilateral": pert["bilateral_20_1.5mm"](a.photo.rgb),
                **{f"stroke_{L:g}mm_{f:g}": lengthen_towards_mouth(a.photo.rgb, tem, L, f) for L, f in STROKES}}
        for side in ("right", "left"):
            base = _lower_band_share(a.photo.rgb, a, side).sum()
            rows.append({k: float(_lower_band_share(v, a, side).sum() - base) * 0.4 * 0.4 / 2.0 for k, v in imgs.items()})
    for k in rows[0]:
        v = np.array([r[k] for r in rows])
        print(f"{k}: {len(v)} sides, area length change median {np.median(v):+.2f} mm, p10 {np.percentile(v, 10):+.2f}, "
              f"p90 {np.percentile(v, 90):+.2f}, |change| max {np.abs(v).max():.2f}; > 5 mm: {int(np.sum(v > 5))}, "
              f"< -5 mm: {int(np.sum(v < -5))}")


def _round_up_2sig(x: float) -> float:
    from facemetrics.compare.floors import _round_up_2sig as r
    return r(x)


def report(paths: list[Path]) -> None:
    for p in paths:
        rows = json.loads(p.read_text())
        if rows and "variant" in rows[0]:
            _report_fixed(rows)
        else:
            _report_rerender(rows)


def _report_fixed(rows: list[dict]) -> None:
    orig = {(r["photo"], r["side"]): r for r in rows if r["variant"] == "original"}
    variants = sorted({r["variant"] for r in rows if r["variant"] != "original"})
    print("| copy | sides | old: median change / beyond floor / max |change| | new: the same |")
    print("|---|---|---|---|")
    tot = {"old": 0, "new": 0}
    top = {"old": 0.0, "new": 0.0}
    for v in variants:
        g = [r for r in rows if r["variant"] == v]
        cells = []
        for d in ("old", "new"):
            ch = np.array([r[d] - orig[(r["photo"], r["side"])][d] for r in g])
            fl = np.array([floor_of(r["mm_per_px"]) for r in g])
            n = int(np.sum(ch > fl)) if v.startswith("stroke") else int(np.sum(np.abs(ch) > fl))
            cells.append(f"{np.median(ch):+.2f} / {n} / {np.abs(ch).max():.2f}")
            if not v.startswith("stroke"):
                tot[d] += n
                if not v.startswith("bilateral"):
                    top[d] = max(top[d], float(np.abs(ch).max()))
        print(f"| {v} | {len(g)} | {cells[0]} | {cells[1]} |")
    print(f"no-change copies beyond floor: old {tot['old']}, new {tot['new']}; largest |change| (bilateral left "
          f"out) old {top['old']:.2f}, new {top['new']:.2f} mm (x 1.25: {1.25 * top['old']:.2f} / {1.25 * top['new']:.2f})")
    o = np.array([r["old"] for r in orig.values()])
    n = np.array([r["new"] for r in orig.values()])
    print(f"per-photo length, {len(o)} sides: old median {np.median(o):.1f} mm, new {np.median(n):.1f}; new - old "
          f"median {np.median(n - o):+.2f} (p10 {np.percentile(n - o, 10):+.2f}, p90 {np.percentile(n - o, 90):+.2f})")


def _report_rerender(rows: list[dict]) -> None:
    verdicts = ("longer", "shorter")
    ok = [r for r in rows if "old_status" in r]
    print(f"re-render pairs: {len(ok)} measured, {len(rows) - len(ok)} not")
    print("| case | pairs | old: verdicts beyond floor / max |change| | new: the same |")
    print("|---|---|---|---|")
    for case in sorted({r["case"] for r in ok}):
        g = [r for r in ok if r["case"] == case]
        cells = []
        for d in ("old", "new"):
            n = sum(r[f"{d}_{s}_verdict"] in verdicts for r in g for s in ("right", "left"))
            mx = max(abs(r[f"{d}_{s}_change"]) for r in g for s in ("right", "left"))
            cells.append(f"{n} / {mx:.2f}")
        print(f"| {case} | {len(g)} | {cells[0]} | {cells[1]} |")
    for d in ("old", "new"):
        cam = [r for r in ok if r["case"].startswith("camera")]
        ratio = [max(abs(r[f"{d}_right_change"]), abs(r[f"{d}_left_change"])) / abs(r[f"{d}_cam_pct"] / 100.0)
                 for r in cam if np.isfinite(r[f"{d}_cam_pct"]) and abs(r[f"{d}_cam_pct"]) > 0]
        est = [r[f"{d}_cam_pct"] for r in cam]
        p95 = float(np.percentile(ratio, 95))
        print(f"{d}: camera cases {len(ratio)}, estimated change {np.min(est):+.1f}..{np.max(est):+.1f} %; "
              f"larger side |change| / |relative change|: median {np.median(ratio):.2f}, p95 {p95:.3f} -> k = "
              f"{_round_up_2sig(p95):g} mm per unit camera change")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--fixed", choices=("tune", "heldout"))
    ap.add_argument("--rerender", choices=("tune", "heldout"))
    ap.add_argument("--debruine", action="store_true", help="task 2's held-out check: the real camera distances")
    ap.add_argument("--fill", choices=("tune", "heldout"), help="diagnosis: how full the continuation already is")
    ap.add_argument("--area", choices=("tune",), help="exploratory: the lower band's valley area as a length")
    ap.add_argument("--out", type=Path)
    ap.add_argument("--report", type=Path, nargs="+")
    args = ap.parse_args()
    if not FACES.is_dir():
        print(f"skipped: {FACES} is absent")
        return 0
    if args.fixed:
        fixed(args.fixed, args.out)
    if args.rerender:
        rerender(args.rerender, args.out)
    if args.report:
        report(args.report)
    if args.debruine:
        debruine()
    if args.fill:
        fill(args.fill)
    if args.area:
        area(args.area)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
