"""A lens bend read from the picture itself: does a radial term fitted to the stable upper face tell a
lens distortion differing between two photos from no change, a camera or pose change, and a lift?

    python bench/bench_lens_bend.py --rows /tmp/bend_tuning.csv             # tuning + real pairs (~10 min)
    python bench/bench_lens_bend.py --held-out --limits-from /tmp/bend_tuning.csv   # the held-out faces, once (~4 min)

Needs ``../shared/faces`` (prints a line and stops without it).  The decision rule and the statistic are in
docs/robustness.md, 'A lens bend read from the picture itself (2026-12-04)', written before any run.

For each pair the project's registration and 3-D pose fit run (``compare.measure._measure``); on the stable
upper face (the alignment's rigid mask plus temples and the face oval down to the eyes, the eyes with 3 mm
out), sampled every 3 mm, the flow is fitted with ``c (p - C) |p - C|^2 / N^2`` (after-photo px about its
picture centre ``C``, ``N`` its half-diagonal: a barrel ``r_src = r (1 - k1 r^2)`` reads ``c ~ k1``) and
nuisance terms:

- ``B``: observed flow, a 2-D similarity;
- ``P``: observed flow, the similarity and a linearised 3-D pose (depth, depth, depth x position / 450 mm),
  the nose tip discs added to the mask;
- ``A``: the flow after the project's 3-D pose removal, a similarity.

``z = c / sigma(c)``, ``sigma`` from the least-squares covariance with the residuals' 1.4826 MAD.

Cases.  Tuning: London 12 neutral + the 24 Canada tuning faces (``accuracy.canada_split``); held out: its 16
Canada faces.  Per face the after photo is the before photo through: ``resave`` (JPEG 92), ``jpeg70``,
``gamma0.8``, ``awb_warm``, ``zoom1.5``, ``mirror`` (negatives), ``barrel05`` / ``barrel10`` /
``barrel10_off`` (``audit_phone.barrel``), ``lift2`` (``simulate.lift`` 2 mm, both sides: a vertical field
below the nose, forehead untouched).  Real two-capture pairs (tuning part only): debruine camera distances
(7) and poses (12), London neutral -> smiling (12), GRID frame 0 -> 40 (x3 upscaled, 11), each also with
``barrel05`` on the after photo.
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from facemetrics import analyze_photo, simulate  # noqa: E402
from facemetrics import align as al  # noqa: E402
from facemetrics.compare.measure import _before_state, _measure  # noqa: E402
from facemetrics.compare.regions import _disc  # noqa: E402
from facemetrics.geometry import (  # noqa: E402
    LEFT_EYE_CONTOUR, NOSE_TIP_POINTS, RIGHT_EYE_CONTOUR, RIGID_ABOVE_NOSE,
)

FACES = next((p for p in (ROOT.parent / "shared" / "faces", Path("/work/shared/faces")) if p.is_dir()), None)

#: the face oval from the right ear's level over the forehead to the left ear's (Face Mesh), with the two
#: points at the eyes' level: the temples
UPPER_OVAL = (127, 162, 21, 54, 103, 67, 109, 10, 338, 297, 332, 284, 251, 389, 356)
EYE_MARGIN_MM = 3.0
SPACING_MM = 3.0
CAMERA_MM = 450.0
CANDIDATES = ("B", "P", "A")
NEGATIVES = ("resave", "jpeg70", "gamma0.8", "awb_warm", "zoom1.5", "mirror")
POSITIVES = ("barrel05", "barrel10", "barrel10_off")


def stable_mask(pts_g: np.ndarray, shape: tuple[int, int], res_mm: float) -> np.ndarray:
    """The alignment's rigid mask plus the hull of the upper oval, the eyes (+3 mm) out; ``(rows, cols)`` bool."""
    m = al.rigid_mask(pts_g, shape, res_mm)
    hull = cv2.convexHull(pts_g[list(RIGID_ABOVE_NOSE) + list(UPPER_OVAL)].astype(np.float32))[:, 0]
    extra = np.zeros(shape, np.uint8)
    cv2.fillPoly(extra, [np.round(hull).astype(np.int32)], 1)
    eyes = np.zeros(shape, np.uint8)
    for e in (RIGHT_EYE_CONTOUR, LEFT_EYE_CONTOUR):
        cv2.fillPoly(eyes, [np.round(pts_g[list(e)]).astype(np.int32)], 1)
    r = max(int(round(EYE_MARGIN_MM / res_mm)), 1)
    eyes = cv2.dilate(eyes, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1)))
    return m | ((extra > 0) & (eyes == 0))


def radial_fit(a, b, pair, flow_mm: np.ndarray, depth: np.ndarray | None = None) -> tuple[float, float]:
    """``(c, sigma_c)`` of the radial term (see the module docstring); ``depth`` given: candidate P's terms."""
    grid = pair.grid
    res = grid.res_mm
    pts_g = grid.from_px(a.points[:, :2])
    m = stable_mask(pts_g, grid.shape, res)
    if depth is not None:
        for i in NOSE_TIP_POINTS:
            m |= _disc(grid.shape, pts_g[i], 4.0 / res)
    m &= np.isfinite(flow_mm).all(-1)
    step = max(int(round(SPACING_MM / res)), 1)
    sub = np.zeros_like(m)
    sub[::step, ::step] = True
    rr, cc = np.nonzero(m & sub)
    cells = np.column_stack([cc, rr]).astype(float)
    to_after = al.compose(al.invert(pair.alignment.matrix), grid.to_px_matrix)  # grid (col, row) -> after px
    p = al.apply(to_after, cells)
    h, w = b.photo.rgb.shape[:2]
    centre, norm = np.array([(w - 1) / 2, (h - 1) / 2]), np.hypot(w, h) / 2
    d = (p - centre) / norm
    g = d * (d * d).sum(1, keepdims=True) * norm  # after px for c = 1
    g_mm = g @ np.linalg.inv(to_after[:, :2]).T * res  # into grid mm (the flow's units)
    x = (cells - cells.mean(0)) * res
    k = 5 if depth is None else 8
    X = np.zeros((2 * len(cells), k))
    X[0::2, 0] = 1
    X[1::2, 1] = 1
    X[0::2, 2], X[1::2, 2] = x[:, 0], x[:, 1]
    X[0::2, 3], X[1::2, 3] = -x[:, 1], x[:, 0]
    if depth is not None:
        dd = depth[rr, cc].astype(float)
        X[0::2, 4] = dd
        X[1::2, 5] = dd
        hb, wb = a.photo.rgb.shape[:2]
        cg = grid.from_px(np.array([(wb - 1) / 2, (hb - 1) / 2]))
        X[0::2, 6] = dd * (cc - cg[0]) * res / CAMERA_MM
        X[1::2, 6] = dd * (rr - cg[1]) * res / CAMERA_MM
    X[0::2, k - 1], X[1::2, k - 1] = g_mm[:, 0], g_mm[:, 1]
    y = flow_mm[rr, cc].reshape(-1).astype(float)
    beta, *_ = np.linalg.lstsq(X, y, rcond=None)
    r = y - X @ beta
    s = 1.4826 * np.median(np.abs(r - np.median(r)))
    cov = np.linalg.pinv(X.T @ X) * s * s
    return float(beta[-1]), float(np.sqrt(max(cov[-1, -1], 1e-30)))


def bend_stats(a, b) -> dict:
    """``{candidate: (c, z)}`` plus the pose fit's camera change for the pair ``a`` -> ``b``."""
    pair = _measure(a, b)
    observed = pair.flow_mm + pair.pose.flow_mm
    out = {}
    for name, flow, depth in (("B", observed, None), ("P", observed, _before_state(a).depth),
                              ("A", pair.flow_mm, None)):
        c, sd = radial_fit(a, b, pair, flow, depth)
        out[name] = (c, c / sd)
    out["camera_pct"] = pair.cues["camera_distance_change_pct"]
    return out


# ---- the pairs -------------------------------------------------------------------------------------------

def _jpeg(x: np.ndarray, q: int = 92) -> bytes:
    import audit_phone as ap
    return ap.jpeg(x, q)


def _after(kind: str, x: np.ndarray, a) -> bytes | None:
    import audit_phone as ap
    if kind == "jpeg70":
        return _jpeg(x, 70)
    if kind == "gamma0.8":
        return _jpeg(np.clip(255.0 * (x / 255.0) ** 0.8, 0, 255).astype(np.uint8))
    if kind == "lift2":
        return _jpeg(simulate.lift(a, 2.0).image)
    if kind in ap.BEHAVIOURS:
        return ap.BEHAVIOURS[kind](x)
    raise ValueError(kind)


def _faces(part: str) -> list[Path]:
    from accuracy import canada_split
    tune, held = canada_split(sorted((FACES / "canada_ccby").glob("*.jpg")))
    if part == "held_out":
        return held
    return sorted((FACES / "london_ccby").glob("*_neutral.jpg")) + tune


def _grid_pairs() -> list[tuple[str, np.ndarray, np.ndarray]]:
    out = []
    for clip in sorted((FACES / "grid_video_ccby").glob("*.mpg")):
        cap, frames, i = cv2.VideoCapture(str(clip)), {}, 0
        while i <= 40:
            ok, bgr = cap.read()
            if not ok:
                break
            if i in (0, 40):
                frames[i] = cv2.resize(np.ascontiguousarray(bgr[:, :, ::-1]), None, fx=3, fy=3,
                                       interpolation=cv2.INTER_CUBIC)
            i += 1
        cap.release()
        if len(frames) == 2:
            out.append((clip.stem, frames[0], frames[40]))
    return out


def real_pairs():
    """``(group, name, before bytes, after rgb)`` of the real two-capture pairs."""
    import audit_phone as ap
    for group, pairs in ap._debruine_pairs().items():
        for pa, pb in pairs:
            yield group, f"{pa.stem[-4:]}->{pb.stem[-4:]}", pa.read_bytes(), np.asarray(Image.open(pb).convert("RGB"))
    for pn in sorted((FACES / "london_ccby").glob("*_neutral.jpg")):
        ps = pn.with_name(pn.name.replace("_neutral", "_smiling"))
        yield "london_smile", pn.stem[:10], pn.read_bytes(), np.asarray(Image.open(ps).convert("RGB"))
    for name, f0, f40 in _grid_pairs():
        yield "grid_repeat", name, _jpeg(f0, 95), f40


def run_faces(part: str, writer, t0: float) -> None:
    for path in _faces(part):
        a = analyze_photo(path.read_bytes(), name=path.name)
        if not a.ok:
            print(f"{path.name}: before not measured ({a.status})", flush=True)
            continue
        x = np.asarray(Image.open(path).convert("RGB"))
        for kind in NEGATIVES + POSITIVES + ("lift2",):
            b = analyze_photo(_after(kind, x, a), name=f"{path.stem}_{kind}.jpg")
            row = {"part": part, "group": kind, "name": path.stem, "status": b.status}
            if b.ok:
                _add_bend(row, a, b)
            writer(row)
        print(f"  {path.stem} done ({time.perf_counter() - t0:.0f} s)", flush=True)


def _add_bend(row: dict, a, b) -> None:
    """Add the pair's camera change and every candidate's ``c`` and ``z`` to ``row`` (its status on failure)."""
    try:
        s = bend_stats(a, b)
        row.update(camera_pct=round(s["camera_pct"], 2),
                   **{f"c_{k}": round(s[k][0], 5) for k in CANDIDATES},
                   **{f"z_{k}": round(s[k][1], 2) for k in CANDIDATES})
    except (ValueError, cv2.error, np.linalg.LinAlgError) as exc:
        row["status"] = f"failed: {exc}"


def run_real(writer) -> None:
    import audit_phone as ap
    for group, name, before, after in real_pairs():
        a = analyze_photo(before, name="before.jpg")
        for tag, img in (("", after), ("+barrel05", ap.barrel(after, -0.05))):
            b = analyze_photo(_jpeg(img, 95), name="after.jpg")
            row = {"part": "real", "group": group + tag, "name": name, "status": b.status if a.ok else a.status}
            if a.ok and b.ok:
                _add_bend(row, a, b)
            writer(row)


# ---- the tables and the rule ------------------------------------------------------------------------------

def _f(row, key):
    v = row.get(key, "")
    return float(v) if v not in ("", None) else None


def limits(rows: list[dict]) -> dict[str, float]:
    """The rule's limit per candidate: 1.1 x the largest |z| on the tuning negatives (synthetic clean pairs
    and the real debruine pairs)."""
    neg = [r for r in rows if (r["part"] == "tuning" and r["group"] in NEGATIVES)
           or (r["part"] == "real" and r["group"] in ("debruine_distance", "debruine_pose"))]
    return {k: 1.1 * max(abs(_f(r, f"z_{k}")) for r in neg if _f(r, f"z_{k}") is not None) for k in CANDIDATES}


def table(rows: list[dict], lim: dict[str, float], part: str) -> None:
    groups = list(dict.fromkeys(r["group"] for r in rows if r["part"] == part))
    print(f"\n{part}: per case, per candidate: median |c| / largest |z| / pairs with |z| > limit "
          f"(limits {', '.join(f'{k} {v:.1f}' for k, v in lim.items())})")
    print(f"{'case':28s} {'pairs':>5s} {'cam % med':>9s} " + " ".join(f"{k + ' med|c| max|z| >L':>24s}" for k in CANDIDATES))
    for g in groups:
        rs = [r for r in rows if r["part"] == part and r["group"] == g and _f(r, "z_B") is not None]
        if not rs:
            continue
        cam = np.median([_f(r, "camera_pct") for r in rs])
        cols = []
        for k in CANDIDATES:
            c = [abs(_f(r, f"c_{k}")) for r in rs]
            z = [abs(_f(r, f"z_{k}")) for r in rs]
            cols.append(f"{np.median(c):9.4f} {max(z):7.1f} {sum(v > lim[k] for v in z):3d}/{len(rs):<3d}")
        print(f"{g:28s} {len(rs):5d} {cam:+9.1f} " + " ".join(f"{s:>24s}" for s in cols))


def rule(rows: list[dict], lim: dict[str, float]) -> None:
    print("\nDecision rule (docs/robustness.md): clause 1 barrel05 caught >= 50 %; clause 2 real pairs + barrel05 "
          "caught >= 50 % of those whose unbent pair stays under L; clause 3 lift2 tripped <= 5 %")
    passing = []
    for k in CANDIDATES:
        b05 = [r for r in rows if r["part"] == "tuning" and r["group"] == "barrel05" and _f(r, f"z_{k}") is not None]
        c1 = sum(abs(_f(r, f"z_{k}")) > lim[k] for r in b05)
        real = {(r["group"], r["name"]): abs(_f(r, f"z_{k}")) for r in rows
                if r["part"] == "real" and _f(r, f"z_{k}") is not None}
        base = [(g, n) for (g, n), z in real.items() if not g.endswith("+barrel05") and z <= lim[k]
                and g in ("grid_repeat", "debruine_pose", "london_smile")]
        bent = [(g, n) for g, n in base if (g + "+barrel05", n) in real]
        c2 = sum(real[(g + "+barrel05", n)] > lim[k] for g, n in bent)
        lifts = [r for r in rows if r["part"] == "tuning" and r["group"] == "lift2" and _f(r, f"z_{k}") is not None]
        c3 = sum(abs(_f(r, f"z_{k}")) > lim[k] for r in lifts)
        ok = (c1 >= 0.5 * len(b05), c2 >= 0.5 * max(len(bent), 1), c3 <= 0.05 * len(lifts))
        print(f"  {k}: limit {lim[k]:.1f}; 1: {c1}/{len(b05)} {'pass' if ok[0] else 'FAIL'}; "
              f"2: {c2}/{len(bent)} {'pass' if ok[1] else 'FAIL'}; 3: {c3}/{len(lifts)} {'pass' if ok[2] else 'FAIL'}")
        if all(ok):
            passing.append((c1, k))
    print("  chosen: " + (max(passing)[1] if passing else "none: no gate (bench and docs only)"))


def real_shift(rows: list[dict]) -> None:
    """What the bend does to ``c`` on real pairs against how far ``c`` scatters between real captures."""
    print("\nreal pairs: c's spread between captures (SD, largest |c|) against the shift barrel05 adds (median)")
    print(f"{'group':20s} {'pairs':>5s} " + " ".join(f"{k + ' SD(c) max|c| shift':>24s}" for k in CANDIDATES))
    real = {(r["group"], r["name"]): r for r in rows if r["part"] == "real" and _f(r, "c_B") is not None}
    for g in dict.fromkeys(g for g, _ in real if not g.endswith("+barrel05")):
        names = [n for gg, n in real if gg == g and (g + "+barrel05", n) in real]
        if not names:
            continue
        cols = []
        for k in CANDIDATES:
            c0 = np.array([_f(real[(g, n)], f"c_{k}") for n in names])
            c1 = np.array([_f(real[(g + "+barrel05", n)], f"c_{k}") for n in names])
            cols.append(f"{np.std(c0, ddof=1) if len(c0) > 1 else float('nan'):7.3f} {np.max(np.abs(c0)):6.3f} "
                        f"{np.median(c1 - c0):+7.3f}")
        print(f"{g:20s} {len(names):5d} " + " ".join(f"{s:>24s}" for s in cols))


def main() -> None:
    ap_ = argparse.ArgumentParser()
    ap_.add_argument("--rows", type=Path, help="write every pair's row here (CSV)")
    ap_.add_argument("--held-out", action="store_true", help="the 16 held-out Canada faces (run once)")
    ap_.add_argument("--limits-from", type=Path, help="tuning rows (CSV of a tuning run) giving the limits")
    ap_.add_argument("--tables-from", type=Path, help="print the tables of a saved --rows CSV (nothing measured)")
    args = ap_.parse_args()
    if args.tables_from is not None:
        with open(args.tables_from) as fh:
            saved = list(csv.DictReader(fh))
        tuning = [r for r in saved if r["part"] != "held_out"]
        lim = limits(tuning if tuning else list(csv.DictReader(open(args.limits_from))))
        for part in dict.fromkeys(r["part"] for r in saved):
            table(saved, lim, part)
        if tuning:
            rule(saved, lim)
            real_shift(saved)
        return
    if FACES is None:
        print("../shared/faces not present: nothing to measure")
        return
    rows: list[dict] = []
    t0 = time.perf_counter()
    if args.held_out:
        if args.limits_from is None:
            raise SystemExit("--held-out needs --limits-from (the tuning run's --rows CSV)")
        with open(args.limits_from) as fh:
            tuning = list(csv.DictReader(fh))
        run_faces("held_out", rows.append, t0)
        lim = limits(tuning)
        table(rows, lim, "held_out")
    else:
        run_faces("tuning", rows.append, t0)
        run_real(rows.append)
        lim = limits(rows)
        table(rows, lim, "tuning")
        table(rows, lim, "real")
        rule(rows, lim)
        real_shift(rows)
    print(f"\n({time.perf_counter() - t0:.0f} s)")
    if args.rows is not None:
        keys = list(dict.fromkeys(k for r in rows for k in r))
        with open(args.rows, "w", newline="") as fh:
            w = csv.DictWriter(fh, keys)
            w.writeheader()
            w.writerows(rows)


if __name__ == "__main__":
    main()
