"""Does a narrowing of the lower face really open the jaw angle, and change the lower-face area as read?

    nice -n 5 python bench/narrowing_angle.py -o /tmp/h2_tune.csv               # tuning faces (the deciding read)
    nice -n 5 python bench/narrowing_angle.py --heldout -o /tmp/h2_held.csv     # held-out faces, read once
    python bench/narrowing_angle.py --summary /tmp/h2_tune.csv                  # slopes, ratios, CIs, verdicts
    nice -n 5 python bench/narrowing_angle.py --diagnose -o /tmp/h2_diag.csv    # row vs oval, 6 mm (added after)
    nice -n 5 python bench/narrowing_angle.py --whole-side -o /tmp/h2_side.csv  # the ramus drawn in too (added after)

Exits 2 when ``/work/wt/shared/faces`` (``../shared/faces`` from the project) is absent; no photo is copied.

Why (docs/accuracy.md, "Narrowing of the lower face: read against truth", stop 61): ``bench/narrowing.py``'s
narrowing opened ``jaw_angle_deg`` by about 0.45 deg per mm (``increase`` on 13-15 of 26 faces per side at 6 mm
against its 2.7 deg floor) with no truth for the angle; an RF user whose jaw narrowed would be told the jaw angle
widened, a finding only if it is true of the face.  ``lower_face_area_mm2`` had a truth there (the hand-placed
outline's area) but nobody set it against a truth on the angle's side.

Written and committed before any run (2026-12-07, session 62, h2)
-----------------------------------------------------------------
Faces.  Tuning: ``bench/accuracy.py``'s ``canada_split`` tuning faces (24) and ``london_split`` tuning faces (6
neutral), 30 in all, London and Canada interleaved; held out: the other 16 + 6, read once, after the tuning read
and any choice are final.  A face Face Mesh does not measure, or with no ``.tem``, is skipped and counted.  One
nuisance draw per face; no subsampling unless the first face takes over 90 s (then every second face of the
list, said in the note).

The narrowing: ``bench/narrowing.py``'s field unchanged (its ``field``, scaled per face so that the hand-placed
outline's width at the Face Mesh mouth corners' height narrows by exactly the size), sizes 0, 2, 4, 6 mm; the
nuisance and the pairing as there (``small_lifts``' capture jitter on the before and the after photo, one after
draw per face for every size).

Truths (the original photo's levelled frame, every point moved by the field at its own position; moved minus
original):
- ``hand`` jaw angle per side, ``jaw_metrics``' definition from points (the angle at the gonion between the
  ramus, towards the oval point at ear level 234/454, and the body, towards the chin 152) read on the
  HAND-PLACED outline (``.tem`` 109-111, 125-133, 114-112, resampled every 0.25 mm): the gonion = the outline's
  point nearest the original Face Mesh gonion (172 / 397) on that side of the chin 129; the ramus point = the
  outline's same half at the height of the original 234 / 454; the chin = ``.tem`` 129.
- ``hand`` lower-face area: ``bench/narrowing.py``'s (the hand outline's area below the original subnasale).
Diagnostic (not a truth): ``mesh_moved`` = ``jaw_metrics`` on the original Face Mesh points moved by the field
(the method's own definition if its landmarks followed the skin exactly), to tell a difference of WHICH points
from a difference of how the Face Mesh responds.

Reads per pair: ``row`` = ``compare_photos(before, after)``'s ``jaw_angle_deg`` (right, left),
``lower_face_area_mm2`` and ``jaw_width_mm`` rows (change, floor, verdict); ``clean_px`` = no nuisance and no
comparison, ``jaw_metrics`` of the warped copy's Face Mesh (PNG) in the original photo's frame minus the
original's (the oval's own response).

Summary: per read, side and size the median read and truth, read/truth = sum(read) / sum(truth) over faces with
a 95 % bootstrap CI over faces (2000, ``small_lifts._boot_ratio``); per read the slope per mm of narrowing (per
face a least-squares line through the origin over the four sizes, mean over faces, 95 % bootstrap CI over
faces); verdict rates with the row's own floor, and ``increase`` verdicts on a face side whose hand angle closes
(wrong direction).

Rule (decided now).
- Jaw angle.  "The true angle opens" when the hand truth's slope CI lies above 0 on both sides.  Then (a) the
  read is right when the row's slope CI lies above 0 and its read/truth at 6 mm is at most 1.15 on each side
  (it never says more than the face did): documented in docs/guide.md and docs/accuracy.md, nothing in the
  package changes.  If the truth does not open (its CI includes 0 or lies below) while the read does, or the
  row reads more than 1.15 x the truth at 6 mm, (b): ``mesh_moved`` and ``clean_px`` say why (which points or
  the Face Mesh's response), a fix is proposed under a rule of its own, and it ships only if held-out confirms
  and ``facemetrics demo -o DIR --workers 1`` changes at most one verdict row; otherwise the bench, the figures
  and a test pinning the property land.
- Lower-face area.  In proportion when its read/truth lies in [0.85, 1.15] at 4 and 6 mm (point estimates);
  otherwise the ratio, its CI and ``clean_px`` (the oval's own response, as for the width) are documented;
  no change to the package this session.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from narrowing import CHAIN, CHIN_TEM, FIELDS, SHARED, field, truth  # noqa: E402

SIZES_MM = (0.0, 2.0, 4.0, 6.0)
#: resampling step of the hand-placed outline, mm
STEP_MM = 0.25
#: (side, Face Mesh gonion, Face Mesh ear-level oval point)
SIDES = (("right", 172, 234), ("left", 397, 454))
#: the angle's Face Mesh landmarks whose moves ``--diagnose`` reads: gonions, ear-level oval points, chin
DIAG_POINTS = (172, 234, 397, 454, 152)
#: the rows read: (metric, side) and the truth each is set against ("" = none)
ROWS = (("jaw_angle_deg", "right"), ("jaw_angle_deg", "left"), ("lower_face_area_mm2", "mean"),
        ("jaw_width_mm", "mean"))


def faces(heldout: bool) -> list[tuple[str, Path]]:
    """(set, photo) of the tuning or held-out faces (``accuracy.canada_split``, ``accuracy.london_split``)."""
    from accuracy import canada_split, london_split

    c = canada_split(sorted((SHARED / "canada_ccby").glob("*.jpg")))[1 if heldout else 0]
    lo = london_split(sorted((SHARED / "london_ccby").glob("*_neutral.jpg")))[1 if heldout else 0]
    out = []
    for i in range(max(len(c), len(lo))):
        out += [("london", p) for p in lo[i:i + 1]] + [("canada", p) for p in c[i:i + 1]]
    return out


def _sample(dx: np.ndarray, px: np.ndarray) -> np.ndarray:
    """``dx`` (H, W) at the points ``px`` ((K, 2) ``(x, y)`` px), bilinear."""
    from scipy.ndimage import map_coordinates

    return map_coordinates(dx, [px[:, 1], px[:, 0]], order=1, mode="nearest")


def hand_angle_points(a, tem: np.ndarray) -> dict[str, np.ndarray]:
    """Per side, the hand outline's (gonion, ramus point, chin) in the original photo, shape (3, 2) ``(x, y)`` px
    (module docstring: the outline's point nearest the Face Mesh gonion; the outline at the ear-level oval point's
    height; ``.tem`` 129)."""
    from facemetrics.geometry import resample_polyline
    from facemetrics.jaw import _u_at_height

    uv_mesh = a.frame.to_mm(np.asarray(a.points, np.float64)[:, :2])
    chain = a.frame.to_mm(tem[list(CHAIN)].astype(np.float64))
    c = CHAIN.index(CHIN_TEM)
    chin = chain[c]
    out = {}
    for (side, gon, ear), half in zip(SIDES, (chain[:c + 1], chain[c:])):
        dense = resample_polyline(half, STEP_MM, "at_least")
        g = dense[int(np.argmin(np.linalg.norm(dense - uv_mesh[gon], axis=1)))]
        v = uv_mesh[ear, 1]
        out[side] = a.frame.to_px(np.array([g, [_u_at_height(half, v), v], chin]))
    return out


def hand_angle_truth(a, pts: dict[str, np.ndarray], dx: np.ndarray) -> dict[str, float]:
    """Per side, the change (deg) of the hand outline's jaw angle when its points move by ``dx`` (px)."""
    from facemetrics.jaw import _angle

    out = {}
    for side, px in pts.items():
        moved = px.copy()
        moved[:, 0] += _sample(dx, px)
        u0, u1 = a.frame.to_mm(px), a.frame.to_mm(moved)
        out[side] = _angle(u1[0], u1[1], u1[2]) - _angle(u0[0], u0[1], u0[2])
    return out


def _metric_values(m) -> dict[tuple[str, str], float]:
    return {("jaw_angle_deg", "right"): m.jaw_angle_right_deg, ("jaw_angle_deg", "left"): m.jaw_angle_left_deg,
            ("lower_face_area_mm2", "mean"): m.lower_face_area_mm2, ("jaw_width_mm", "mean"): m.jaw_width_mm}


def mesh_moved(a, dx: np.ndarray) -> dict[tuple[str, str], float]:
    """``jaw_metrics`` of the original Face Mesh points moved by ``dx`` (px) minus the original's."""
    from facemetrics.jaw import jaw_metrics

    p = np.asarray(a.points, np.float64)[:, :2].copy()
    base = _metric_values(jaw_metrics(p, a.frame))
    p[:, 0] += _sample(dx, p)
    moved = _metric_values(jaw_metrics(p, a.frame))
    return {k: moved[k] - base[k] for k in base}


def clean_px(a, img: np.ndarray, name: str) -> tuple[dict[tuple[str, str], float] | None, str]:
    """``jaw_metrics`` of the warped copy ``img`` (PNG, analysed alone) in the original frame minus the original's."""
    import facemetrics as fm
    from facemetrics import simulate as sim
    from facemetrics.jaw import jaw_metrics

    clean = fm.analyze_photo(sim.encode_png(img), name=name)
    if not clean.ok:
        return None, clean.status
    moved, base = _metric_values(jaw_metrics(clean.points, a.frame)), _metric_values(jaw_metrics(a.points, a.frame))
    return {k: moved[k] - base[k] for k in base}, clean.status


def _pair_rows(wr, row: dict, c, truths: dict, moved: dict, clean: dict | None) -> None:
    ok = c.ok or c.status == "warning"
    for metric, side in ROWS:
        t = truths[(metric, side)]
        ch = c.get(metric, side) if ok else None
        wr.writerow(dict(row, read=f"row:{metric}:{side}", truth=t, value="" if ch is None else round(ch.change, 5),
                         floor="" if ch is None else round(ch.noise_floor, 5),
                         verdict="" if ch is None else ch.verdict))
        wr.writerow(dict(row, read=f"mesh_moved:{metric}:{side}", truth=t, value=round(moved[(metric, side)], 5)))
        if clean is not None:
            wr.writerow(dict(row, read=f"clean_px:{metric}:{side}", truth=t, value=round(clean[(metric, side)], 5)))


def measure(heldout: bool, out_csv: Path, only: int | None = None) -> None:
    import facemetrics as fm
    from bench_coverage import apply_field
    from facemetrics.annotations import read_tem
    from small_lifts import draw_nuisance, nuisance

    skipped = 0
    with open(out_csv, "w", newline="") as fh:
        wr = csv.DictWriter(fh, FIELDS)
        wr.writeheader()
        for fi, (set_, path) in enumerate(faces(heldout)[:only]):
            a = fm.analyze_photo(path)
            if not a.ok or not path.with_suffix(".tem").exists():
                print(f"skip {path.name}: {a.status}", flush=True)
                skipped += 1
                continue
            tem = read_tem(path.with_suffix(".tem"))
            w = field(a, tem)
            unit = truth(a, tem, w / a.frame.mm_per_px)[0]  # width change per mm of amplitude
            pts = hand_angle_points(a, tem)
            rng = np.random.default_rng(9000 + fi + (500000 if heldout else 0))
            pb, pa = draw_nuisance(rng), draw_nuisance(rng)
            before = fm.analyze_photo(nuisance(a.photo.rgb, a, pb), name=f"{path.stem}_b.jpg")
            for mm in SIZES_MM:
                dx = (w * (mm / -unit) / a.frame.mm_per_px).astype(np.float32) if mm else np.zeros_like(w)
                tw, ta = truth(a, tem, dx) if mm else (0.0, 0.0)
                ang = hand_angle_truth(a, pts, dx)
                truths = {("jaw_angle_deg", "right"): ang["right"], ("jaw_angle_deg", "left"): ang["left"],
                          ("lower_face_area_mm2", "mean"): ta, ("jaw_width_mm", "mean"): tw}
                img = apply_field(a.photo.rgb, dx, np.zeros_like(dx)) if mm else a.photo.rgb.copy()
                after = fm.analyze_photo(nuisance(img, a, pa), name=f"{path.stem}_a{mm:g}.jpg")
                c = fm.compare_photos(before, after)
                clean = clean_px(a, img, f"{path.stem}_c{mm:g}.png")[0] if mm else {k: 0.0 for k in truths}
                _pair_rows(wr, dict(set=set_, face=path.stem, size_mm=mm, status=c.status), c, truths,
                           mesh_moved(a, dx), clean)
                fh.flush()
            print(f"done {path.name} (A per mm {-1 / unit:.3f})", flush=True)
    print(f"skipped {skipped}", flush=True)


def diagnose(out_csv: Path, mm: float = 6.0) -> None:
    """Added after the tuning and held-out reads: where the row's read of a ``mm`` narrowing departs from the Face
    Mesh oval's own (``clean_px``), with no nuisance, on the tuning faces.  Per face: ``clean_px``; ``aligned`` =
    the warped copy's landmarks mapped into the original photo by ``compare_photos(original, copy)``'s alignment
    alone (no pose removal); ``row`` = that comparison's row (the pose removal included); the comparison's
    ``camera_distance_change_pct`` and its pitch; and the truths (hand, ``mesh_moved``).  Then per landmark of
    the angle (:data:`DIAG_POINTS`) its ``u`` move (mm, image-right +): the field's at the original landmark
    (``truth``) and the warped copy's Face Mesh's (``clean_px``)."""
    import facemetrics as fm
    from bench_coverage import apply_field
    from facemetrics import align as al
    from facemetrics import simulate as sim
    from facemetrics.annotations import read_tem
    from facemetrics.jaw import jaw_metrics

    keys = [("jaw_angle_deg", "right"), ("jaw_angle_deg", "left"), ("lower_face_area_mm2", "mean"),
            ("jaw_width_mm", "mean")]
    with open(out_csv, "w", newline="") as fh:
        wr = csv.writer(fh)
        wr.writerow(["face", "metric", "side", "truth", "mesh_moved", "clean_px", "aligned", "row", "distance_pct",
                     "pitch_deg", "status"])
        for _, path in faces(False):
            a = fm.analyze_photo(path)
            tem = read_tem(path.with_suffix(".tem"))
            w = field(a, tem)
            dx = (w * (mm / -truth(a, tem, w / a.frame.mm_per_px)[0]) / a.frame.mm_per_px).astype(np.float32)
            tw, ta = truth(a, tem, dx)
            ang = hand_angle_truth(a, hand_angle_points(a, tem), dx)
            tr = dict(zip(keys, (ang["right"], ang["left"], ta, tw)))
            img = apply_field(a.photo.rgb, dx, np.zeros_like(dx))
            b = fm.analyze_photo(sim.encode_png(img), name=f"{path.stem}_c{mm:g}.png")
            c = fm.compare_photos(a, b)
            base = _metric_values(jaw_metrics(a.points, a.frame))
            clean = _metric_values(jaw_metrics(b.points, a.frame))
            pts = np.asarray(b.points, np.float64)[:, :2]
            aligned = _metric_values(jaw_metrics(al.apply(c.alignment.matrix, pts), a.frame))
            moved = mesh_moved(a, dx)
            dist, pitch = c.get("camera_distance_change_pct"), c.get("head_pitch_change_deg")
            for k in keys:
                wr.writerow([path.stem, *k, round(tr[k], 5), round(moved[k], 5), round(clean[k] - base[k], 5),
                             round(aligned[k] - base[k], 5), round(c.get(*k).change, 5),
                             "" if dist is None else round(dist.change, 4), "" if pitch is None else round(pitch.change, 4),
                             c.status])
            p0 = np.asarray(a.points, np.float64)[:, :2]
            skin = p0.copy()
            skin[:, 0] += _sample(dx, p0)
            u0, us, u1 = a.frame.to_mm(p0), a.frame.to_mm(skin), a.frame.to_mm(pts)
            for i in DIAG_POINTS:  # u moves (mm) of the angle's landmarks: the skin's (the field) and Face Mesh's
                wr.writerow([path.stem, f"u_move:{i}", "", round(us[i, 0] - u0[i, 0], 5), "",
                             round(u1[i, 0] - u0[i, 0], 5), "", "", "", "", c.status])
            fh.flush()
            print(f"diag {path.name}", flush=True)


#: ``--whole-side``'s field (added after the runs): every outline point from the temple to the jaw's end moves in
#: fully (``bench/narrowing.py``'s TEM_DX with 109-111, 112-114, 125 and 133 at 1), the chin and the interior
#: points as there: the ramus comes in with the jaw
WHOLE_SIDE_DX = {**{i: 1.0 for i in (109, 110, 111, 112, 113, 114, 125, 133)}}


def whole_side(out_csv: Path, sizes: tuple[float, ...] = (4.0, 6.0)) -> None:
    """Added after the tuning and held-out reads: the same truths and the ``clean_px`` / ``mesh_moved`` reads (no
    nuisance, no comparison: ``--diagnose`` found the row equal to ``clean_px`` there) under a narrowing of another
    shape, :data:`WHOLE_SIDE_DX`, on the tuning faces: does the row still open the angle when the true angle
    opens less?"""
    import facemetrics as fm
    from bench_coverage import apply_field
    from facemetrics.annotations import read_tem
    from narrowing import TEM_DX, field_from

    values = {**TEM_DX, **WHOLE_SIDE_DX}
    with open(out_csv, "w", newline="") as fh:
        wr = csv.DictWriter(fh, FIELDS)
        wr.writeheader()
        for set_, path in faces(False):
            a = fm.analyze_photo(path)
            tem = read_tem(path.with_suffix(".tem"))
            w = field_from(a, [(tem[i], v) for i, v in values.items()], tem[list(CHAIN)],
                           0.5 * (tem[0, 0] + tem[1, 0]))
            unit = truth(a, tem, w / a.frame.mm_per_px)[0]
            pts = hand_angle_points(a, tem)
            for mm in sizes:
                dx = (w * (mm / -unit) / a.frame.mm_per_px).astype(np.float32)
                tw, ta = truth(a, tem, dx)
                ang = hand_angle_truth(a, pts, dx)
                truths = {("jaw_angle_deg", "right"): ang["right"], ("jaw_angle_deg", "left"): ang["left"],
                          ("lower_face_area_mm2", "mean"): ta, ("jaw_width_mm", "mean"): tw}
                clean = clean_px(a, apply_field(a.photo.rgb, dx, np.zeros_like(dx)), f"{path.stem}_s{mm:g}.png")[0]
                moved = mesh_moved(a, dx)
                row = dict(set=set_, face=path.stem, size_mm=mm, status="")
                for k, t in truths.items():
                    wr.writerow(dict(row, read=f"mesh_moved:{k[0]}:{k[1]}", truth=t, value=round(moved[k], 5)))
                    if clean is not None:
                        wr.writerow(dict(row, read=f"clean_px:{k[0]}:{k[1]}", truth=t, value=round(clean[k], 5)))
            fh.flush()
            print(f"whole side {path.name}", flush=True)


def load(path: Path) -> list[dict]:
    with open(path) as fh:
        return [r for r in csv.DictReader(fh) if r["value"] != ""]


def _boot_mean(x: np.ndarray, rng: np.random.Generator, n: int = 2000) -> tuple[float, float]:
    idx = rng.integers(0, len(x), (n, len(x)))
    m = x[idx].mean(1)
    return float(np.percentile(m, 2.5)), float(np.percentile(m, 97.5))


def slopes(rows: list[dict], name: str, key: str = "value") -> np.ndarray:
    """Per face, the least-squares slope through the origin of ``key`` (``"value"``, ``"truth"`` or ``"minus"``:
    read minus truth) on the narrowing (per mm), shape (F,)."""
    by: dict[str, list[tuple[float, float]]] = {}
    for r in rows:
        if r["read"] == name:
            v = float(r["value"]) - float(r["truth"]) if key == "minus" else float(r[key])
            by.setdefault(r["face"], []).append((float(r["size_mm"]), v))
    out = []
    for pairs in by.values():
        s, v = np.array(pairs).T
        if np.sum(s * s) > 0:
            out.append(float(np.sum(s * v) / np.sum(s * s)))
    return np.array(out)


def summary(path: Path) -> None:
    from small_lifts import _boot_ratio

    rows = load(path)
    rng = np.random.default_rng(0)
    names = sorted({r["read"] for r in rows})
    print(f"{path}: slope per mm of narrowing (mean over faces, 95 % CI)")
    for name in names:
        rd, tr, df = slopes(rows, name), slopes(rows, name, "truth"), slopes(rows, name, "minus")
        (lo, hi), (tlo, thi), (dlo, dhi) = _boot_mean(rd, rng), _boot_mean(tr, rng), _boot_mean(df, rng)
        print(f"  {name:34s} n={len(rd):2d} read {rd.mean():+8.3f} ({lo:+.3f} to {hi:+.3f})   "
              f"truth {tr.mean():+8.3f} ({tlo:+.3f} to {thi:+.3f})   minus {df.mean():+8.3f} ({dlo:+.3f} to {dhi:+.3f})")
    print(f"{'read':34s} {'size':>4s} {'n':>3s} {'truth':>8s} {'read':>8s} {'ratio':>5s} {'95% CI':>13s} "
          f"{'floor':>7s} {'dec/inc/unc':>11s} {'inc, truth<0':>12s}")
    for name in names:
        for mm in SIZES_MM:
            sel = [r for r in rows if r["read"] == name and float(r["size_mm"]) == mm]
            if not sel:
                continue
            val = np.array([float(r["value"]) for r in sel])
            tr = np.array([float(r["truth"]) for r in sel])
            rat = f"{'':5s} {'':13s}"
            if mm > 0:
                lo, hi = _boot_ratio({r["face"]: [float(r["value"])] for r in sel},
                                     {r["face"]: [float(r["truth"])] for r in sel}, rng)
                rat = f"{val.sum() / tr.sum():5.2f} {lo:6.2f}-{hi:<6.2f}"
            own = [r for r in sel if r["verdict"]]
            v = [sum(r["verdict"] == k for r in own) for k in ("decrease", "increase", "uncertain")]
            wrong = sum(r["verdict"] == "increase" and float(r["truth"]) < 0 for r in own)
            fl = np.median([float(r["floor"]) for r in own]) if own else float("nan")
            print(f"{name:34s} {mm:4g} {len(sel):3d} {np.median(tr):8.3f} {np.median(val):8.3f} {rat} {fl:7.3f} "
                  f"{'/'.join(map(str, v)) if own else '':>11s} {wrong if own else '':>12}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-o", "--out", type=Path, default=Path("/tmp/narrowing_angle.csv"))
    ap.add_argument("--heldout", action="store_true")
    ap.add_argument("--only", type=int, default=None, help="the first N faces of the split (a timing run)")
    ap.add_argument("--summary", type=Path)
    ap.add_argument("--diagnose", action="store_true",
                    help="where the row departs from the oval's own read, 6 mm, tuning faces, no nuisance (-o: CSV)")
    ap.add_argument("--whole-side", action="store_true",
                    help="a narrowing that draws the ramus in too, 4 and 6 mm, tuning faces, no nuisance (-o: CSV)")
    args = ap.parse_args(argv)
    if args.summary:
        summary(args.summary)
        return 0
    if not SHARED.is_dir():
        print(f"no shared faces at {SHARED}", file=sys.stderr)
        return 2
    if args.diagnose:
        diagnose(args.out)
    elif args.whole_side:
        whole_side(args.out)
    else:
        measure(args.heldout, args.out, args.only)
    return 0


if __name__ == "__main__":
    sys.exit(main())
