"""A lens bend fitted inside the 3-D pose fit: does a radial term ``k1`` of the after photo, fitted jointly
with the head pose and camera distance on the rigid upper face, take out a lens distortion that differs
between two photos (so that its false lift rows go away) without harming real pairs?

    python bench/bench_lens_pose.py --rows /tmp/lens_pose_tuning.csv             # tuning (~11 min at load 30)
    python bench/bench_lens_pose.py --held-out --rows /tmp/lens_pose_held.csv    # held out, once (~9 min)
    python bench/bench_lens_pose.py --tables-from /tmp/lens_pose_tuning.csv      # the tables of a saved run

Needs ``../shared/faces`` (prints a line and stops without it).  The decision rule is in docs/robustness.md,
'A lens bend inside the 3-D pose fit (2026-12-04)', written before any run.  Result (there): the rule fails on
tuning and held out; the joint fit removes a centred barrel's false rows but not an off-centre one's, and
between two real captures k1 scatters 10-80 x the barrel to be caught, so nothing ships.

**The joint fit** (:func:`joint_fit`; this bench only, nothing in the package).  The project's seven-parameter
pose model (:mod:`facemetrics.pose3d`: pinhole view, pitch / yaw about the neck pivot, camera distance ``tz``,
then a 2-D similarity) with one more parameter: the pinhole projection ``q`` of the after view is bent
radially about the after photo's picture centre ``C`` (mapped into the before photo's levelled frame through
the registration), ``q_d = C + (q - C) (1 + k1 |q - C|^2 / N^2)``, ``N`` the after photo's half-diagonal (mm),
before the similarity.  Fitted by the package's robust least squares (soft-L1) on the same samples (rigid upper
face and nose-tip discs, every 6 grid px) from the seven-parameter solution; ``sd(k1)`` from the package's
covariance (correlation-area inflation included).  In the comparison the pose flow subtracted from the dense
flow is then the joint fit's (the distortion included), the pose rows read the joint fit's angles, and the
floors' stretch / principal-point terms stay the seven-parameter fit's.

**The simulators differ from the fitted model**: ``barrel05`` is ``audit_phone.barrel`` (the inverse
polynomial ``r_src = r (1 - k1 r^2)``, k1 = -0.05, about the picture centre); ``div_off`` a division model
with a fourth-order term, ``r_src = r / (1 + l1 r^2 + l2 r^4)`` (l1 = -0.06, l2 = -0.02: a barrel, about
k1 = -0.06 with more at the corners) about a centre moved (+0.04 W, -0.03 H) from the picture's (a phone's
principal point is rarely the centre); ``pincushion``: the same division model, l1 = +0.05, l2 = 0, about
(-0.03 W, +0.02 H).

Cases.  Tuning: London 12 neutral + the 24 Canada tuning faces (``accuracy.canada_split``), each against itself
through ``resave`` (JPEG 92, the control), ``barrel05``, ``div_off``, ``pincushion`` and ``lift2``
(``simulate.lift`` 2 mm, both sides); real pairs: London neutral -> smiling (12), plain, with ``barrel05`` on
the after photo, and with a 2 mm ``simulate.lift`` of the after photo.  Held out: the 16 Canada held-out faces
(same cases) and the real debruine camera-distance (7) and pose (12) pairs and GRID frame 0 -> 40 (x3, 11).
Every pair is compared twice: the package as it is (``base``) and with the joint fit (``joint``).
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import sys
import time
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from facemetrics import align as al  # noqa: E402
from facemetrics import analyze_photo, compare_photos, simulate  # noqa: E402
from facemetrics import pose3d as p3  # noqa: E402
from facemetrics.compare import measure  # noqa: E402
from facemetrics.compare.table import POSE_METRICS, UNCERTAIN, WITHIN_NOISE  # noqa: E402

FACES = next((p for p in (ROOT.parent / "shared" / "faces", Path("/work/shared/faces")) if p.is_dir()), None)
NOT_A_CLAIM = {WITHIN_NOISE, UNCERTAIN, "refused", ""}
SYNTHETIC = ("resave", "barrel05", "div_off", "pincushion", "lift2")
BENT = ("barrel05", "div_off", "pincushion")
#: the k1 step of the finite-difference Jacobian, and its x_scale in the solver
_K1_STEP, _K1_SCALE = 1e-5, 0.01


# ---- the simulators (not the fitted model) ------------------------------------------------------------------

def division(x: np.ndarray, l1: float, l2: float = 0.0, centre: tuple[float, float] = (0.0, 0.0)) -> np.ndarray:
    """``(H, W, 3)`` uint8 bent by the division model ``r_src = r / (1 + l1 r^2 + l2 r^4)`` about the point
    ``(centre[0] W, centre[1] H)`` from the picture's centre, ``r`` normalised by the half-diagonal (l1 < 0: barrel,
the picture's content pulled towards the centre; l1 > 0: pincushion)."""
    h, w = x.shape[:2]
    cx, cy = (w - 1) / 2 + centre[0] * w, (h - 1) / 2 + centre[1] * h
    norm = np.hypot(w, h) / 2
    yy, xx = np.mgrid[:h, :w].astype(np.float32)
    dx, dy = (xx - cx) / norm, (yy - cy) / norm
    r2 = dx * dx + dy * dy
    s = 1.0 / (1.0 + l1 * r2 + l2 * r2 * r2)
    return cv2.remap(x, (cx + dx * s * norm).astype(np.float32), (cy + dy * s * norm).astype(np.float32),
                     cv2.INTER_CUBIC, borderMode=cv2.BORDER_REFLECT)


def _jpeg(x: np.ndarray, q: int = 92) -> bytes:
    import audit_phone as ap
    return ap.jpeg(x, q)


def after_of(kind: str, x: np.ndarray, a) -> bytes:
    import audit_phone as ap
    if kind == "resave":
        return _jpeg(x)
    if kind == "barrel05":
        return _jpeg(ap.barrel(x, -0.05))
    if kind == "div_off":
        return _jpeg(division(x, -0.06, -0.02, (0.04, -0.03)))
    if kind == "pincushion":
        return _jpeg(division(x, 0.05, 0.0, (-0.03, 0.02)))
    if kind == "lift2":
        return _jpeg(simulate.lift(a, 2.0).image)
    raise ValueError(kind)


# ---- the joint fit -------------------------------------------------------------------------------------------

class RadialModel(p3._Model):
    """:class:`facemetrics.pose3d._Model` with a radial bend ``k1`` (the eighth parameter) of the pinhole
    projection about ``centre_uv`` (mm), radius normalised by ``norm_mm``, before the similarity."""

    def __init__(self, u, v, d, principal_uv, camera_mm, centre_uv, norm_mm):
        super().__init__(u, v, d, principal_uv, camera_mm)
        self.centre = np.asarray(centre_uv, np.float64)
        self.norm = float(norm_mm)

    def flow(self, x) -> np.ndarray:
        pitch, yaw, tz, log_s, theta, tu, tv, k1 = x
        q3 = (self.p - self.pivot) @ p3._rot(pitch, yaw).T + self.pivot
        q3[..., 2] += tz
        q = self.D * q3[..., :2] / q3[..., 2:3] + self.c
        dq = q - self.centre
        q = self.centre + dq * (1.0 + k1 * (dq * dq).sum(-1, keepdims=True) / self.norm ** 2)
        s, th = np.exp(log_s), np.radians(theta)
        rot2 = np.array([[np.cos(th), -np.sin(th)], [np.sin(th), np.cos(th)]]) * s
        return q @ rot2.T + (tu, tv) - np.stack([self.u, self.v], axis=-1)

    def jacobian(self, x) -> np.ndarray:
        x = np.asarray(x, np.float64)
        f0 = self.flow(x).ravel()
        steps = np.append(p3._STEPS * 1e-3, _K1_STEP)
        cols = []
        for i, h in enumerate(steps):
            xp = x.copy()
            xp[i] += h
            cols.append((self.flow(xp).ravel() - f0) / h)
        return np.stack(cols, axis=1)


@dataclasses.dataclass(frozen=True)
class JointFit:
    """The joint fit of one pair: ``params`` (8: the seven of :class:`~facemetrics.pose3d.PoseFit` and k1),
    ``k1_sd``, and the seven-parameter fit's camera change (%) for comparison."""

    params: np.ndarray
    k1_sd: float
    camera_pct_7: float
    rms_after_mm: float


def joint_fit(fit7: p3.PoseFit, flow_mm, mask, depth, grid, flow_scale, centre_uv, norm_mm):
    """The eight-parameter fit from the seven-parameter solution ``fit7`` on :func:`facemetrics.pose3d.fit_pose`'s
    samples; returns ``(JointFit, pose flow on the grid (rows, cols, 2) mm, cov (8, 8))``."""
    rows, cols = depth.shape
    st = p3.FIT_STRIDE_PX
    ys, xs = divmod(np.flatnonzero(mask[::st, ::st]), len(range(0, cols, st)))
    ys, xs = ys * st, xs * st
    u, v = grid.u0 + xs * grid.res_mm, grid.v0 + ys * grid.res_mm
    obs = (flow_mm[ys, xs] * np.float32(flow_scale)).astype(np.float64)
    model = RadialModel(u, v, depth[ys, xs], fit7.principal_uv, fit7.camera_mm, centre_uv, norm_mm)
    x, f, j = p3.robust_least_squares(lambda y: (model.flow(y) - obs).ravel(), np.append(fit7.params, 0.0),
                                      model.jacobian, p3.LOSS_SCALE_MM, np.append(p3._X_SCALE, _K1_SCALE))
    inflate = max(p3.FLOW_CORRELATION_MM ** 2 / (st * grid.res_mm) ** 2, 1.0)
    cov = p3._param_cov(j, f) * inflate
    # the grid flow, every 4 grid px and bilinear in between (as pose3d._grid_flows)
    k = p3._DEPTH_STEP_PX
    cs, rs = np.arange(0, cols + k, k), np.arange(0, rows + k, k)
    gu = (grid.u0 + cs * grid.res_mm)[None, :].repeat(len(rs), 0)
    gv = (grid.v0 + rs * grid.res_mm)[:, None].repeat(len(cs), 1)
    dc = np.asarray(depth)[np.minimum(rs, rows - 1)[:, None], np.minimum(cs, cols - 1)[None, :]]
    coarse = RadialModel(gu.ravel(), gv.ravel(), dc.ravel(), fit7.principal_uv, fit7.camera_mm, centre_uv,
                         norm_mm).flow(x).reshape(len(rs), len(cs), 2).astype(np.float32)
    full = cv2.warpAffine(np.ascontiguousarray(coarse), np.array([[1.0 / k, 0, 0], [0, 1.0 / k, 0]]),
                          (cols, rows), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP, borderMode=cv2.BORDER_REPLICATE)
    rl = np.linalg.norm(f.reshape(-1, 2), axis=1)
    jf = JointFit(x, float(np.sqrt(max(cov[7, 7], 0.0))), fit7.camera_distance_change_pct,
                  float(1.4826 * np.median(rl)))
    return jf, full, cov


class Joint:
    """Context manager: inside it every comparison's pose fit is the joint fit (``measure._fit_pose`` and
    ``align.register`` wrapped; the register call gives the after photo's size and alignment).  ``last`` is the
    last pair's :class:`JointFit`."""

    def __init__(self):
        self.last: JointFit | None = None
        self._reg = None

    def __enter__(self):
        self._orig_fit, self._orig_reg = measure._fit_pose, al.register

        def register(before_rgb, after_rgb, *args, **kw):
            reg = self._orig_reg(before_rgb, after_rgb, *args, **kw)
            self._reg = (reg, after_rgb.shape[:2])
            return reg

        def fit_pose(a, grid, rigid, flow_mm, depth, pts_g, flow_scale=1.0, seed=None):
            fit7 = self._orig_fit(a, grid, rigid, flow_mm, depth, pts_g, flow_scale=flow_scale, seed=seed)
            reg, (h, w) = self._reg
            to_grid = al.invert(reg.grid_to_after)  # after px -> grid (col, row)
            c = al.apply(to_grid, np.array([[(w - 1) / 2.0, (h - 1) / 2.0]]))[0]
            centre_uv = np.array([grid.u0 + c[0] * grid.res_mm, grid.v0 + c[1] * grid.res_mm])
            norm_mm = np.hypot(w, h) / 2 * np.sqrt(abs(np.linalg.det(to_grid[:, :2]))) * grid.res_mm
            mask = rigid.copy()
            for i in measure.NOSE_TIP_POINTS:
                mask |= measure._disc(grid.shape, pts_g[i], p3.NOSE_TIP_RADIUS_MM / grid.res_mm)
            jf, full, cov = joint_fit(fit7, flow_mm, mask, depth, grid, flow_scale, centre_uv, norm_mm)
            self.last = jf
            return dataclasses.replace(fit7, params=p3._q(jf.params[:7]), cov=cov[:7, :7], flow_mm=full,
                                       rms_after_mm=jf.rms_after_mm)

        measure._fit_pose, al.register = fit_pose, register
        return self

    def __exit__(self, *exc):
        measure._fit_pose, al.register = self._orig_fit, self._orig_reg
        return False


# ---- scoring -------------------------------------------------------------------------------------------------

def score(c) -> dict:
    """Status, face rows with a direction verdict (``face``), of them ``lift`` (``lift``), pose rows beyond
    their floors (``pose``), and the camera change (%)."""
    df = c.to_frame()
    claims = df[~df["verdict"].isin(NOT_A_CLAIM)]
    pose = claims["metric"].isin(POSE_METRICS)
    face = claims[~pose]
    cam = df[df["metric"] == "camera_distance_change_pct"]["change"]
    return {"status": c.status, "face": int(len(face)), "lift": int((face["verdict"] == "lift").sum()),
            "pose": int(pose.sum()), "cam": float(cam.iloc[0]) if len(cam) else float("nan"),
            "rows": ";".join(f"{r.metric}:{r.side}:{r.verdict}" for r in face.itertuples())}


def both(a, b, joint: Joint) -> dict:
    """The pair compared as the package is and with the joint fit."""
    row = {}
    for tag in ("base", "joint"):
        try:
            if tag == "joint":
                with joint:
                    joint.last = None
                    c = compare_photos(a, b, check_order=False)
                jf = joint.last
                if jf is not None:
                    row.update(k1=round(float(jf.params[7]), 5), k1_sd=round(jf.k1_sd, 5))
            else:
                c = compare_photos(a, b, check_order=False)
            row.update({f"{tag}_{k}": v for k, v in score(c).items()})
        except Exception as exc:  # noqa: BLE001 - a bench row, not a user path
            row[f"{tag}_status"] = f"failed: {type(exc).__name__}: {exc}"[:120]
    return row


# ---- the pairs -----------------------------------------------------------------------------------------------

def _faces(part: str) -> list[Path]:
    from accuracy import canada_split
    tune, held = canada_split(sorted((FACES / "canada_ccby").glob("*.jpg")))
    if part == "held_out":
        return held
    return sorted((FACES / "london_ccby").glob("*_neutral.jpg")) + tune


def run_faces(part: str, rows: list, joint: Joint, t0: float) -> None:
    for path in _faces(part):
        a = analyze_photo(path.read_bytes(), name=path.name)
        if not a.ok:
            print(f"{path.name}: before not measured ({a.status})", flush=True)
            continue
        x = np.asarray(Image.open(path).convert("RGB"))
        for kind in SYNTHETIC:
            b = analyze_photo(after_of(kind, x, a), name=f"{path.stem}_{kind}.jpg")
            row = {"part": part, "group": kind, "name": path.stem, "status": b.status}
            if b.ok:
                row.update(both(a, b, joint))
            rows.append(row)
        print(f"  {path.stem} done ({time.perf_counter() - t0:.0f} s)", flush=True)


def real_pairs(part: str):
    """``(group, name, before bytes, after rgb)``: London smiles (tuning); debruine and GRID (held out)."""
    if part == "tuning":
        for pn in sorted((FACES / "london_ccby").glob("*_neutral.jpg")):
            ps = pn.with_name(pn.name.replace("_neutral", "_smiling"))
            yield "london_smile", pn.stem[:10], pn.read_bytes(), np.asarray(Image.open(ps).convert("RGB"))
        return
    import audit_phone as ap
    import bench_lens_bend as lb
    for group, pairs in ap._debruine_pairs().items():
        for pa, pb in pairs:
            yield group, f"{pa.stem[-4:]}->{pb.stem[-4:]}", pa.read_bytes(), np.asarray(Image.open(pb).convert("RGB"))
    for name, f0, f40 in lb._grid_pairs():
        yield "grid_repeat", name, _jpeg(f0, 95), f40


def run_real(part: str, rows: list, joint: Joint, t0: float) -> None:
    import audit_phone as ap
    for group, name, before, after in real_pairs(part):
        a = analyze_photo(before, name="before.jpg")
        b0 = analyze_photo(_jpeg(after, 95), name="after.jpg")
        for tag in ("", "+barrel05", "+lift2"):
            if tag == "":
                b = b0
            elif tag == "+barrel05":
                b = analyze_photo(_jpeg(ap.barrel(after, -0.05), 95), name="after.jpg")
            else:
                if not b0.ok:
                    continue
                b = analyze_photo(_jpeg(simulate.lift(b0, 2.0).image, 95), name="after.jpg")
            row = {"part": part + "_real", "group": group + tag, "name": name,
                   "status": b.status if a.ok else a.status}
            if a.ok and b.ok:
                row.update(both(a, b, joint))
            rows.append(row)
    print(f"  real pairs done ({time.perf_counter() - t0:.0f} s)", flush=True)


# ---- the tables and the rule ---------------------------------------------------------------------------------

def _f(row, key):
    v = row.get(key, "")
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


def _ok(r) -> bool:
    return _f(r, "base_face") is not None and _f(r, "joint_face") is not None


def table(rows: list[dict]) -> None:
    print(f"\n{'part':14s} {'case':26s} {'pairs':>5s} {'k1 med':>8s} {'k1 SD':>7s} {'sd(k1)':>7s} "
          f"{'cam% base/joint':>15s} {'false pairs b/j':>15s} {'rows b/j':>9s} {'lift rows b/j':>13s} "
          f"{'pose b/j':>8s}")
    for part in dict.fromkeys(r["part"] for r in rows):
        for g in dict.fromkeys(r["group"] for r in rows if r["part"] == part):
            rs = [r for r in rows if r["part"] == part and r["group"] == g and _ok(r)]
            if not rs:
                continue
            k1 = np.array([_f(r, "k1") for r in rs if _f(r, "k1") is not None])
            sd = np.median([_f(r, "k1_sd") for r in rs if _f(r, "k1_sd") is not None])
            cam = (np.nanmedian([_f(r, "base_cam") for r in rs]), np.nanmedian([_f(r, "joint_cam") for r in rs]))
            fp = [sum(1 for r in rs if _f(r, f"{t}_face") > 0 and r.get(f"{t}_status") != "refused")
                  for t in ("base", "joint")]
            nr = [int(sum(_f(r, f"{t}_face") for r in rs)) for t in ("base", "joint")]
            lr = [int(sum(_f(r, f"{t}_lift") for r in rs)) for t in ("base", "joint")]
            po = [sum(1 for r in rs if _f(r, f"{t}_pose") > 0) for t in ("base", "joint")]
            print(f"{part:14s} {g:26s} {len(rs):5d} {np.median(k1):+8.4f} {np.std(k1, ddof=1):7.4f} {sd:7.4f} "
                  f"{cam[0]:+7.1f}/{cam[1]:+6.1f} {fp[0]:7d}/{fp[1]:<7d} {nr[0]:4d}/{nr[1]:<4d} "
                  f"{lr[0]:6d}/{lr[1]:<6d} {po[0]:3d}/{po[1]:<3d}")


def rule(rows: list[dict], part: str) -> None:
    """The decision rule of docs/robustness.md on ``part`` (``tuning`` or ``held_out``)."""
    def rs(p, g):
        return [r for r in rows if r["part"] == p and r["group"] == g and _ok(r)]

    def false_pairs(sel, t):
        return sum(1 for r in sel if _f(r, f"{t}_face") > 0 and r.get(f"{t}_status") != "refused")

    bent = [r for g in BENT for r in rs(part, g)]
    fb, fj = false_pairs(bent, "base"), false_pairs(bent, "joint")
    c1 = fj <= 0.5 * fb
    ctrl = rs(part, "resave")
    c2a = false_pairs(ctrl, "joint") <= false_pairs(ctrl, "base")
    lifts = rs(part, "lift2")
    lb, lj = sum(_f(r, "base_lift") for r in lifts), sum(_f(r, "joint_lift") for r in lifts)
    c2b = lj >= 0.95 * lb
    real = f"{part}_real"
    plain = [r for r in rows if r["part"] == real and "+" not in r["group"] and _ok(r)]
    rb, rj = sum(_f(r, "base_face") for r in plain), sum(_f(r, "joint_face") for r in plain)
    c3a = rj <= 1.10 * rb
    rl = [r for r in rows if r["part"] == real and r["group"].endswith("+lift2") and _ok(r)]
    rlb, rlj = sum(_f(r, "base_lift") for r in rl), sum(_f(r, "joint_lift") for r in rl)
    c3b = rlj >= 0.95 * rlb
    k1 = np.array([_f(r, "k1") for r in plain if _f(r, "k1") is not None])
    sdk = float(np.std(k1, ddof=1)) if len(k1) > 1 else float("nan")
    c4 = sdk < 0.025
    print(f"\nrule on {part}:")
    print(f"  1. bent pairs with a false face row: base {fb} -> joint {fj} (<= 50 %: {'pass' if c1 else 'FAIL'})")
    print(f"  2. control false pairs base {false_pairs(ctrl, 'base')} -> joint {false_pairs(ctrl, 'joint')} "
          f"({'pass' if c2a else 'FAIL'}); lift2 'lift' rows {lb:.0f} -> {lj:.0f} (>= 95 %: {'pass' if c2b else 'FAIL'})")
    print(f"  3. real pairs' direction rows {rb:.0f} -> {rj:.0f} (<= +10 %: {'pass' if c3a else 'FAIL'}); "
          f"real + lift2 'lift' rows {rlb:.0f} -> {rlj:.0f} (>= 95 %: {'pass' if c3b else 'FAIL'})")
    print(f"  4. SD of k1 over the real pairs {sdk:.4f} (< 0.025: {'pass' if c4 else 'FAIL'})")
    print("  -> " + ("ship the joint fit" if all((c1, c2a, c2b, c3a, c3b, c4)) else "do not ship"))


def main() -> None:
    ap_ = argparse.ArgumentParser()
    ap_.add_argument("--rows", type=Path, help="write every pair's row here (CSV)")
    ap_.add_argument("--held-out", action="store_true", help="the held-out faces and real pairs (run once)")
    ap_.add_argument("--faces", type=int, default=0, help="only the first N faces (a quick look; 0: all)")
    ap_.add_argument("--no-real", action="store_true")
    ap_.add_argument("--tables-from", type=Path, help="print the tables of a saved --rows CSV (nothing measured)")
    args = ap_.parse_args()
    if args.tables_from is not None:
        with open(args.tables_from) as fh:
            saved = list(csv.DictReader(fh))
        table(saved)
        for part in ("tuning", "held_out"):
            if any(r["part"] == part for r in saved):
                rule(saved, part)
        return
    if FACES is None:
        print("../shared/faces not present: nothing to measure")
        return
    part = "held_out" if args.held_out else "tuning"
    rows: list[dict] = []
    joint = Joint()
    t0 = time.perf_counter()
    global _faces
    if args.faces:
        full = _faces
        _faces = lambda p: full(p)[:args.faces]  # noqa: E731
    run_faces(part, rows, joint, t0)
    if not args.no_real:
        run_real(part, rows, joint, t0)
    table(rows)
    rule(rows, part)
    print(f"\n({time.perf_counter() - t0:.0f} s)")
    if args.rows is not None:
        keys = list(dict.fromkeys(k for r in rows for k in r))
        with open(args.rows, "w", newline="") as fh:
            w = csv.DictWriter(fh, keys)
            w.writeheader()
            w.writerows(rows)


if __name__ == "__main__":
    main()
