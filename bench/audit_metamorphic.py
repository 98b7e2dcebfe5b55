"""Metamorphic audit of ``compare_photos`` / ``analyze_photo`` on real faces (task h6).

    python bench/audit_metamorphic.py                  # every set (~25 min on 2 shared cores)
    python bench/audit_metamorphic.py --sets london    # one set
    python bench/audit_metamorphic.py --out /tmp/x.csv # the violation table as CSV
    python bench/audit_metamorphic.py --sources        # root causes: iris scale, fold depth (~15 min)
    python bench/audit_metamorphic.py --analyses-only  # P8-P10 only (~10 min)
    python bench/audit_metamorphic.py --comparisons-only  # P1-P7 only (14 min at a load of 8, 2026-12-05)
    python bench/audit_metamorphic.py --pair-scale tuning --out /tmp/ps.csv  # the lift rows' scale cases only
    python bench/audit_metamorphic.py --pair-scale-summary /tmp/ps.csv [/tmp/ps_before.csv]  # its figures
    python bench/audit_metamorphic.py --pair-scale-sources  # how the pair's two iris scales move (~7 min)

Properties that must hold whatever the method, and the pass criterion of each, written before the
first run (2026-12-04).  A row is a ``comparison.csv`` row ``(metric, side)`` with its ``change``, its
``noise_floor`` f and its ``verdict``; a row whose verdict is ``uncertain`` (the pair's own checks say it
cannot be read) or a comparison that is ``refused`` makes no claim and is never a violation.  A violation
is *silent* when its comparison's status is ``ok`` (no warning a user would read first).

Compare properties (A a photo; B = TPS(A), the thin-plate warp below; pairs of real photos where
the set has them: London neutral/smiling, DeBruine pose 1/2 and camera 45/60 cm, the bundled
before/after, GRID frames 0/40 of one clip):

P1 ``identity``: compare(A, A): every row ``within_noise``.
P2 ``resave``: compare(A, JPEG q90 of A): every row ``within_noise``.
P3 ``swap``: compare(B, A) against compare(A, B): for every row read in both,
   |c_BA + c_AB| <= max(f_AB, f_BA); and when both verdicts are directional they are opposite words
   (lift/sag, deeper/shallower, ...).  A directional verdict one way and ``within_noise`` the other
   way with the sum within the floor is tabulated as ``swap_borderline`` (the floors differ by
   photo), not counted as a violation.
P4 ``mirror``: compare(mirror A, mirror B) against compare(A, B) (both photos flipped left-right):
   the mirrored pair's ``right`` row equals the original's ``left`` row (and vice versa) and ``mean``
   rows are unchanged, each within max(f, f'); verdicts equal.  The yaw and roll rows change sign.
P5 ``scale_0.5`` / ``scale_1.5``: both photos resized (INTER_AREA / INTER_CUBIC, PNG): every row
   within max(f, f') of the original pair's.
P6 ``pad`` (25 % of the width/height of edge-replicated background added on each side), ``crop``
   (a margin of background cut away, keeping the face box plus 30 % of its size), ``exif_rot``
   (pixels rotated 90 deg clockwise and the EXIF Orientation tag 8 set so an upright display
   rotates them back; JPEG q95 against the unrotated JPEG q95): every row within max(f, f') of the
   original pair's (the pad/crop pairs against the PNG originals).
P7 ``synthetic``: B = A warped by a thin-plate spline through a few Face Mesh landmarks (jaw chain,
   chin, mouth corners and jowl moved up the face, the subject's right by 2.0 mm and the left by
   1.0 mm, cheeks by half; eyes, brows, nose and the image border fixed): not the package's own lift
   model (``facemetrics.simulate.lift``'s smooth region field).  Truth per dense lift row: the 20 %
   trimmed mean of the warp's forward displacement (``-dv``, mm of the before photo's own calibration)
   over the comparison's own region mask.  Pass: the verdict's sign is the truth's (``lift``), and
   |measured - truth| <= f.  The pose rows stay ``within_noise`` (no pose change was made).

Analysis properties (INVARIANCE_COLUMNS of :mod:`facemetrics.validate`, the per-photo metrics; the
pass band is :func:`facemetrics.validate.invariance_tolerance`, the documented invariance
tolerance of docs/accuracy.md.  "Iris mm unchanged": ``mm_per_px`` (the iris calibration every mm
figure uses) moves by at most 2 % (half of the 4 % relative part of the mm tolerance)):

P8 ``bright_0.7`` / ``bright_1.3`` / ``gamma_0.8`` / ``gamma_1.25``: pixel values scaled (clipped) or
   gamma-mapped, PNG.
P9 ``a_mirror``: analyze(mirror A): the ``_right`` and ``_left`` columns swap, other columns equal.
P10 ``a_scale_0.5`` / ``a_scale_1.5`` / ``a_pad`` / ``a_crop`` / ``a_exif_rot``: as P5/P6 for one photo.
A photo whose original analysis is not ``ok`` is skipped (listed); a transformed photo whose analysis
is not ``ok`` while the original is, is a violation of kind ``refused`` (not silent).

Sets: London neutral 12 (tuning set of the project), Canada 40 (tuning 24 / held-out 16 split of
``bench/accuracy.py``), DeBruine 8, GRID frame 0 of 3 clips, the bundled sample pair.
"""

from __future__ import annotations

import argparse
import io
import sys
import time
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from facemetrics import analyze_photo, compare_photos  # noqa: E402
from facemetrics.compare.regions import robust_mean  # noqa: E402
from facemetrics.compare.table import VERDICT_WORDS, UNCERTAIN, WITHIN_NOISE  # noqa: E402
from facemetrics.geometry import (  # noqa: E402
    BROW_LEFT, BROW_RIGHT, CHEEK_LEFT, CHEEK_RIGHT, CHIN, JAW_CHAIN_LEFT, JAW_CHAIN_RIGHT, MOUTH_LEFT, MOUTH_RIGHT,
    RIGID_UPPER,
)
from facemetrics.validate import INVARIANCE_COLUMNS, invariance_tolerance  # noqa: E402
from accuracy import canada_split  # noqa: E402

SHARED = ROOT.parent / "shared" / "faces"
SAMPLES = ROOT / "sample_images"
#: the synthetic change (P7): mm up the face, subject's right / left (cheeks half)
LIFT_RIGHT_MM, LIFT_LEFT_MM = 2.0, 1.0
#: P8-P10: the largest relative change of mm_per_px that passes
MAX_SCALE_CHANGE = 0.02
OPPOSITE = {w: ws[1 - i] for ws in VERDICT_WORDS.values() for i, w in enumerate(ws)}
MIRROR_SIGN = {"head_yaw_change_deg": -1.0, "head_roll_change_deg": -1.0}


# ----------------------------------------------------------------------------- images

def read_rgb(path: Path) -> np.ndarray:
    """An upright RGB uint8 array, shape (H, W, 3), of a photo file (EXIF orientation applied)."""
    from PIL import ImageOps
    with Image.open(path) as im:
        return np.asarray(ImageOps.exif_transpose(im).convert("RGB")).copy()


def grid_frame(path: Path, k: int) -> np.ndarray:
    """Frame ``k`` of a video as RGB uint8, shape (H, W, 3)."""
    cap = cv2.VideoCapture(str(path))
    cap.set(cv2.CAP_PROP_POS_FRAMES, k)
    ok, bgr = cap.read()
    cap.release()
    if not ok:
        raise RuntimeError(f"no frame {k} in {path}")
    return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)


def png(rgb: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, "PNG", compress_level=1)
    return buf.getvalue()


def jpeg(rgb: np.ndarray, quality: int, orientation: int | None = None) -> bytes:
    buf = io.BytesIO()
    kw = {}
    if orientation is not None:
        exif = Image.Exif()
        exif[274] = orientation
        kw["exif"] = exif.tobytes()
    Image.fromarray(rgb).save(buf, "JPEG", quality=quality, **kw)
    return buf.getvalue()


def scaled(rgb: np.ndarray, s: float) -> np.ndarray:
    return cv2.resize(rgb, None, fx=s, fy=s, interpolation=cv2.INTER_AREA if s < 1 else cv2.INTER_CUBIC)


def padded(rgb: np.ndarray) -> np.ndarray:
    h, w = rgb.shape[:2]
    return cv2.copyMakeBorder(rgb, h // 4, h // 4, w // 4, w // 4, cv2.BORDER_REPLICATE)


def crop_box(points: np.ndarray, shape) -> tuple[int, int, int, int]:
    """Face box (x0, y0, x1, y1) of the landmarks plus 30 % of its size each side, within the image."""
    h, w = shape[:2]
    x0, y0 = points[:468, :2].min(axis=0)
    x1, y1 = points[:468, :2].max(axis=0)
    mx, my = 0.3 * (x1 - x0), 0.3 * (y1 - y0)
    return (int(max(0, x0 - mx)), int(max(0, y0 - my)), int(min(w, x1 + mx)), int(min(h, y1 + my)))


def cropped(rgb: np.ndarray, box) -> np.ndarray:
    x0, y0, x1, y1 = box
    return np.ascontiguousarray(rgb[y0:y1, x0:x1])


def exif_rotated(rgb: np.ndarray) -> bytes:
    """Pixels rotated 90 deg clockwise, EXIF Orientation 8 (display rotates 90 deg counter-clockwise)."""
    return jpeg(np.ascontiguousarray(np.rot90(rgb, k=-1)), 95, orientation=8)


def toned(rgb: np.ndarray, kind: str, k: float) -> np.ndarray:
    x = rgb.astype(np.float64) / 255.0
    y = x * k if kind == "bright" else x ** k
    return np.clip(np.round(y * 255.0), 0, 255).astype(np.uint8)


# ----------------------------------------------------------------------------- the thin-plate warp (P7)

def _tps_u(r2: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(r2 > 0, 0.5 * r2 * np.log(r2), 0.0)


class TPS:
    """Thin-plate spline R^2 -> R^2 through ``src`` -> ``dst`` (both shape (n, 2), px)."""

    def __init__(self, src: np.ndarray, dst: np.ndarray):
        n = len(src)
        self.src = src = np.asarray(src, np.float64)
        K = _tps_u(((src[:, None] - src[None]) ** 2).sum(-1))
        P = np.hstack([np.ones((n, 1)), src])
        A = np.zeros((n + 3, n + 3))
        A[:n, :n], A[:n, n:], A[n:, :n] = K, P, P.T
        b = np.zeros((n + 3, 2))
        b[:n] = dst
        self.coef = np.linalg.solve(A, b)

    def __call__(self, xy: np.ndarray) -> np.ndarray:
        xy = np.asarray(xy, np.float64).reshape(-1, 2)
        out = np.empty_like(xy)
        for i in range(0, len(xy), 20000):
            p = xy[i:i + 20000]
            K = _tps_u(((p[:, None] - self.src[None]) ** 2).sum(-1))
            out[i:i + 20000] = K @ self.coef[:-3] + self.coef[-3] + p @ self.coef[-2:]
        return out


def tps_lift(rgb: np.ndarray, analysis, right_mm: float = LIFT_RIGHT_MM, left_mm: float = LIFT_LEFT_MM):
    """``rgb`` with its lower face moved up the face by a thin-plate spline through a few landmarks.

    Returns
    -------
    warped : ndarray, shape (H, W, 3), uint8
    forward : callable
        Before-photo px ``(n, 2)`` -> where that skin is in ``warped``, px ``(n, 2)``.
    """
    pts = analysis.points[:, :2].astype(np.float64)
    up = -np.asarray(analysis.frame.v_axis, np.float64) / analysis.mm_per_px  # px per mm up the face
    moved = {}
    for chain, mm in ((JAW_CHAIN_RIGHT, right_mm), (JAW_CHAIN_LEFT, left_mm)):
        for i in chain:
            moved[i] = mm
    moved[CHIN] = 0.5 * (right_mm + left_mm)
    moved[MOUTH_RIGHT], moved[MOUTH_LEFT] = right_mm, left_mm
    moved[CHEEK_RIGHT], moved[CHEEK_LEFT] = 0.5 * right_mm, 0.5 * left_mm
    fixed = sorted(set(RIGID_UPPER) | set(BROW_RIGHT) | set(BROW_LEFT) | {1, 2, 4})
    fixed = [i for i in fixed if i not in moved]
    h, w = rgb.shape[:2]
    border = [(x, y) for x in np.linspace(0, w - 1, 6) for y in (0, h - 1)]
    border += [(x, y) for y in np.linspace(0, h - 1, 6)[1:-1] for x in (0, w - 1)]
    src = np.vstack([pts[list(moved)], pts[fixed], np.asarray(border)])
    dst = src.copy()
    dst[:len(moved)] += np.outer(list(moved.values()), up)
    inverse = TPS(dst, src)  # warped px -> before px (for remap)
    step = 4
    gy, gx = np.mgrid[0:h + step:step, 0:w + step:step].astype(np.float64)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    coarse = inverse(np.stack([gx.ravel(), gy.ravel()], 1)).reshape(gx.shape + (2,))
    dx = coarse[..., 0] - gx
    dy = coarse[..., 1] - gy
    # bilinear on the node grid: node (i, j) at px (j*step, i*step)
    mx = xx + cv2.remap(dx.astype(np.float32), xx / step, yy / step, cv2.INTER_LINEAR)
    my = yy + cv2.remap(dy.astype(np.float32), xx / step, yy / step, cv2.INTER_LINEAR)
    warped = cv2.remap(rgb, mx, my, cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE)

    def forward(xy: np.ndarray) -> np.ndarray:
        x = np.asarray(xy, np.float64).reshape(-1, 2)
        y = x.copy()
        for _ in range(6):  # solve inverse(y) = x
            y = y + (x - inverse(y))
        return y

    return warped, forward


def synthetic_truth(comparison, forward) -> dict[tuple[str, str], float]:
    """Truth of each dense lift row: trimmed mean of the warp's upward displacement over the region, mm."""
    grid = comparison.grid
    M = grid.to_px_matrix
    f = grid.frame
    out = {}
    for (region, side), mask in comparison.region_masks.items():
        rows, cols = np.nonzero(mask)
        cr = np.stack([cols, rows, np.ones_like(cols)], 1).astype(np.float64)
        xy = cr @ M.T
        d = forward(xy) - xy
        lift = -(d @ np.asarray(f.v_axis, np.float64)) * f.mm_per_px
        out[(f"{region}_lift_mm", side)] = robust_mean(lift)
    for metric in {k[0] for k in out}:
        out[(metric, "mean")] = 0.5 * (out[(metric, "right")] + out[(metric, "left")])
    return out


# ----------------------------------------------------------------------------- checks

def rows_of(c) -> dict:
    """``{(metric, side): (change, floor, verdict)}`` of a comparison (empty when refused)."""
    if c.status == "refused":
        return {}
    return {(r.metric, r.side): (float(r.change), float(r.noise_floor), r.verdict) for r in c.changes}


def _v(**kw) -> dict:
    return kw


def check_within(c, prop: str, who: str) -> tuple[int, list[dict]]:
    """P1/P2: every read row within its floor."""
    out, n = [], 0
    for (m, s), (ch, f, verdict) in rows_of(c).items():
        if verdict == UNCERTAIN:
            continue
        n += 1
        if verdict != WITHIN_NOISE:
            out.append(_v(photo=who, property=prop, row=f"{m}/{s}", value=ch, floor=f, detail=verdict,
                          status=c.status))
    return n, out


def check_same(c0, c1, prop: str, who: str, side_map=None, sign=None) -> tuple[int, list[dict]]:
    """P4-P6: ``c1``'s rows equal ``c0``'s (sides mapped, signs flipped) within max of the two floors.
    A refusal of ``c1`` where ``c0`` was read is a (not silent) violation."""
    r0, r1 = rows_of(c0), rows_of(c1)
    if r0 and not r1:
        return 1, [_v(photo=who, property=prop, row="(comparison)", value=np.nan, floor=np.nan,
                      detail="refused: " + "; ".join(c1.messages)[:160], status=c1.status)]
    out, n = [], 0
    for (m, s), (ch0, f0, v0) in r0.items():
        s1 = (side_map or {}).get(s, s)
        if (m, s1) not in r1:
            continue
        ch1, f1, v1 = r1[(m, s1)]
        if UNCERTAIN in (v0, v1):
            continue
        n += 1
        k = (sign or {}).get(m, 1.0)
        diff = k * ch1 - ch0
        f = max(f0, f1)
        if abs(diff) > f:
            out.append(_v(photo=who, property=prop, row=f"{m}/{s}", value=diff, floor=f,
                          detail=f"{ch0:+.3f} ({v0}) -> {k * ch1:+.3f} ({v1})", status=c1.status))
    return n, out


def check_swap(cab, cba, who: str) -> tuple[int, list[dict]]:
    """P3."""
    ra, rb = rows_of(cab), rows_of(cba)
    out, n = [], 0
    for key, (ca, fa, va) in ra.items():
        if key not in rb:
            continue
        cb, fb, vb = rb[key]
        if UNCERTAIN in (va, vb):
            continue
        n += 1
        f = max(fa, fb)
        row = f"{key[0]}/{key[1]}"
        status = cab.status if cab.status != "ok" else cba.status
        if abs(ca + cb) > f:
            out.append(_v(photo=who, property="swap", row=row, value=ca + cb, floor=f,
                          detail=f"AB {ca:+.3f} ({va}) BA {cb:+.3f} ({vb})", status=status))
        elif va != vb and WITHIN_NOISE not in (va, vb) and OPPOSITE.get(va) != vb:
            out.append(_v(photo=who, property="swap", row=row, value=ca + cb, floor=f,
                          detail=f"verdicts not mirrored: AB {va} BA {vb}", status=status))
        elif va == vb and va != WITHIN_NOISE:
            out.append(_v(photo=who, property="swap", row=row, value=ca + cb, floor=f,
                          detail=f"same verdict both ways: {va}", status=status))
        elif (va == WITHIN_NOISE) != (vb == WITHIN_NOISE):
            out.append(_v(photo=who, property="swap_borderline", row=row, value=ca + cb, floor=f,
                          detail=f"AB {ca:+.3f} ({va}, floor {fa:.3f}) BA {cb:+.3f} ({vb}, floor {fb:.3f})",
                          status=status))
    return n, out


def check_synthetic(c, truth: dict, who: str) -> tuple[int, list[dict]]:
    """P7."""
    r = rows_of(c)
    if not r:
        return 1, [_v(photo=who, property="synthetic", row="(comparison)", value=np.nan, floor=np.nan,
                      detail="refused: " + "; ".join(c.messages)[:160], status=c.status)]
    out, n = [], 0
    for key, t in truth.items():
        ch, f, verdict = r[key]
        if verdict == UNCERTAIN:
            out.append(_v(photo=who, property="synthetic_uncertain", row=f"{key[0]}/{key[1]}", value=ch - t,
                          floor=f, detail=f"truth {t:+.3f} read as uncertain", status=c.status))
            continue
        n += 1
        if verdict != "lift" or abs(ch - t) > f:
            out.append(_v(photo=who, property="synthetic", row=f"{key[0]}/{key[1]}", value=ch - t, floor=f,
                          detail=f"measured {ch:+.3f} ({verdict}) truth {t:+.3f}", status=c.status))
    for m in ("head_pitch_change_deg", "head_yaw_change_deg", "head_roll_change_deg", "camera_distance_change_pct"):
        ch, f, verdict = r[(m, "mean")]
        n += 1
        if verdict not in (WITHIN_NOISE, UNCERTAIN):
            out.append(_v(photo=who, property="synthetic", row=f"{m}/mean", value=ch, floor=f,
                          detail=f"pose row {verdict}", status=c.status))
    return n, out


def _swap_col(col: str) -> str:
    for a, b in (("_right", "_left"), ("_left", "_right")):
        if a in col:
            return col.replace(a, b)
    return col


def _analysis_status(a, col: str, mirrored: bool) -> str:
    """``ok`` when nothing tells the user to doubt column ``col`` of analysis ``a``: status ok, no quality
    flag (``fit_for_comparison``) and ``col`` not among the ``covered_columns``; else what does."""
    row = a.to_row()
    name = _swap_col(col) if mirrored else col
    if a.status != "ok":
        return a.status
    if row.get("quality_flags"):
        return "flagged: " + row["quality_flags"][:60]
    if col and name in (row.get("covered_columns") or "").split("; "):
        return "flagged: covered"
    return "ok"


def check_analysis(a0, a1, prop: str, who: str, mirrored: bool = False, zoom: float = 1.0) -> tuple[int, list[dict]]:
    """P8-P10: INVARIANCE_COLUMNS within invariance_tolerance; mm_per_px within MAX_SCALE_CHANGE of its
    value on ``a0`` divided by ``zoom`` (the photo's resize factor)."""
    if not a1.ok:
        return 1, [_v(photo=who, property=prop, row="(analysis)", value=np.nan, floor=np.nan,
                      detail=f"{a1.status}: {a1.error}"[:160], status=a1.status)]
    r0, r1 = a0.to_row(), a1.to_row()
    out, n = [], 0
    for col in INVARIANCE_COLUMNS:
        x0 = r0.get(col)
        x1 = r1.get(_swap_col(col) if mirrored else col)
        if x0 is None or x1 is None or not np.isfinite(x0) or not np.isfinite(x1):
            if (x0 is None) != (x1 is None):
                n += 1
                out.append(_v(photo=who, property=prop, row=col, value=np.nan, floor=np.nan,
                              detail=f"{x0} -> {x1}", status=a1.status))
            continue
        n += 1
        tol = invariance_tolerance(col, x0)
        if abs(x1 - x0) > tol:
            out.append(_v(photo=who, property=prop, row=col, value=x1 - x0, floor=tol,
                          detail=f"{x0:.3f} -> {x1:.3f}", status=_analysis_status(a1, col, mirrored)))
    n += 1
    rel = a1.mm_per_px * zoom / a0.mm_per_px - 1.0
    if abs(rel) > MAX_SCALE_CHANGE:
        out.append(_v(photo=who, property=prop, row="mm_per_px (iris)", value=rel, floor=MAX_SCALE_CHANGE,
                      detail=f"{a0.mm_per_px:.5f} -> {a1.mm_per_px:.5f}", status=_analysis_status(a1, "", False)))
    return n, out


# ----------------------------------------------------------------------------- the run

class Tally:
    def __init__(self):
        self.n: dict[str, int] = {}
        self.v: list[dict] = []

    def add(self, group: str, result: tuple[int, list[dict]]) -> None:
        n, vs = result
        for v in vs:
            v["set"] = group
            v["silent"] = v["status"] == "ok" and not v["property"].endswith(("borderline", "uncertain"))
            print(f"    {v['property']} | {v['row']} | {v['value']:+.4g} vs {v['floor']:.4g} | {v['detail']} | "
                  f"{v['status']}", flush=True)
        self.v.extend(vs)


def analysis_of(data: bytes, name: str):
    return analyze_photo(data, name=name)


def audit_photo(tally: Tally, group: str, who: str, rgb: np.ndarray, counts: dict, analyses_only: bool = False,
                comparisons_only: bool = False):
    """Every single-photo property (P1, P2, P7, P8-P10) and the pair properties on (A, TPS(A))."""
    A = analysis_of(png(rgb), who)
    if not A.ok:
        print(f"  skip {who}: {A.status} {A.error[:100]}")
        counts.setdefault("skipped", []).append(f"{who} ({A.status})")
        return

    def add(prop, res):
        tally.add(group, res)
        counts[prop] = counts.get(prop, 0) + res[0]
        counts[prop + "_viol"] = counts.get(prop + "_viol", 0) + sum(
            1 for v in res[1] if not v["property"].endswith(("borderline", "uncertain")))

    box = crop_box(A.points, rgb.shape)
    for kind, k in (() if comparisons_only else (("bright", 0.7), ("bright", 1.3), ("gamma", 0.8), ("gamma", 1.25))):
        add(f"{kind}_{k}", check_analysis(A, analysis_of(png(toned(rgb, kind, k)), who), f"{kind}_{k}", who))
    if not comparisons_only:
        add("a_mirror", check_analysis(A, analysis_of(png(np.ascontiguousarray(rgb[:, ::-1])), who), "a_mirror", who,
                                       mirrored=True))
        for s in (0.5, 1.5):
            add(f"a_scale_{s}", check_analysis(A, analysis_of(png(scaled(rgb, s)), who), f"a_scale_{s}", who,
                                                     zoom=s))
        add("a_pad", check_analysis(A, analysis_of(png(padded(rgb)), who), "a_pad", who))
        add("a_crop", check_analysis(A, analysis_of(png(cropped(rgb, box)), who), "a_crop", who))
        Aj = analysis_of(jpeg(rgb, 95), who)
        if Aj.ok:
            add("a_exif_rot", check_analysis(Aj, analysis_of(exif_rotated(rgb), who), "a_exif_rot", who))
    if analyses_only:
        return
    add("identity", check_within(compare_photos(A, A), "identity", who))
    add("resave", check_within(compare_photos(A, analysis_of(jpeg(rgb, 90), who)), "resave", who))
    warped, forward = tps_lift(rgb, A)
    B = analysis_of(png(warped), who + "+tps")
    cab = compare_photos(A, B)
    truth = synthetic_truth(cab, forward) if cab.status != "refused" else {}
    add("synthetic", check_synthetic(cab, truth, who))
    audit_pair(add, who + " / TPS", rgb, warped, A, B, cab, box)


def audit_pair(add, who: str, rgb_a, rgb_b, A, B, cab, box) -> None:
    """P3-P6 on one pair (A, B) whose comparison ``cab`` is given."""
    if cab.status == "refused":
        print(f"  pair {who} refused: {'; '.join(cab.messages)[:120]}")
        return
    add("swap", check_swap(cab, compare_photos(B, A), who))
    flip = {"right": "left", "left": "right"}
    ma = analysis_of(png(np.ascontiguousarray(rgb_a[:, ::-1])), A.name)
    mb = analysis_of(png(np.ascontiguousarray(rgb_b[:, ::-1])), B.name)
    add("mirror", check_same(cab, compare_photos(ma, mb), "mirror", who, side_map=flip, sign=MIRROR_SIGN))
    for s in (0.5, 1.5):
        c = compare_photos(analysis_of(png(scaled(rgb_a, s)), A.name), analysis_of(png(scaled(rgb_b, s)), B.name))
        add(f"scale_{s}", check_same(cab, c, f"scale_{s}", who))
    c = compare_photos(analysis_of(png(padded(rgb_a)), A.name), analysis_of(png(padded(rgb_b)), B.name))
    add("pad", check_same(cab, c, "pad", who))
    c = compare_photos(analysis_of(png(cropped(rgb_a, box)), A.name), analysis_of(png(cropped(rgb_b, box)), B.name))
    add("crop", check_same(cab, c, "crop", who))
    cj = compare_photos(analysis_of(jpeg(rgb_a, 95), A.name), analysis_of(jpeg(rgb_b, 95), B.name))
    cr = compare_photos(analysis_of(exif_rotated(rgb_a), A.name), analysis_of(exif_rotated(rgb_b), B.name))
    add("exif_rot", check_same(cj, cr, "exif_rot", who))


def real_pair(tally, group, who, rgb_a, rgb_b, counts) -> None:
    A = analysis_of(png(rgb_a), who.split(" / ")[0])
    B = analysis_of(png(rgb_b), who.split(" / ")[-1])
    if not (A.ok and B.ok):
        print(f"  skip pair {who}: {A.status} / {B.status}")
        return

    def add(prop, res):
        tally.add(group, res)
        counts[prop] = counts.get(prop, 0) + res[0]
        counts[prop + "_viol"] = counts.get(prop + "_viol", 0) + sum(
            1 for v in res[1] if not v["property"].endswith(("borderline", "uncertain")))

    if rgb_a.shape != rgb_b.shape:
        print(f"  pair {who}: sizes differ, pad/crop use A's box on each")
    box = crop_box(A.points, rgb_a.shape)
    box_b = crop_box(B.points, rgb_b.shape)
    box = (min(box[0], box_b[0]), min(box[1], box_b[1]), max(box[2], box_b[2]), max(box[3], box_b[3]))
    audit_pair(add, who, rgb_a, rgb_b, A, B, compare_photos(A, B), box)


def photo_sets(names) -> dict[str, list]:
    """``{set: [(who, rgb loader), ...]}`` and the real pairs ``{set: [(who, a, b), ...]}``."""
    singles, pairs = {}, {}
    lon = SHARED / "london_ccby"
    can = SHARED / "canada_ccby"
    deb = SHARED / "debruine_cc0"
    grid = SHARED / "grid_video_ccby"
    if "london" in names and lon.is_dir():
        neutral = sorted(lon.glob("*_neutral.jpg"))
        singles["london"] = [(p.stem, p) for p in neutral]
        pairs["london"] = [(f"{p.stem} / smiling", p, Path(str(p).replace("_neutral", "_smiling"))) for p in neutral]
    if "canada" in names and can.is_dir():
        tune, held = canada_split(sorted(can.glob("*.jpg")))
        singles["canada_tuning"] = [(p.stem, p) for p in tune]
        singles["canada_heldout"] = [(p.stem, p) for p in held]
    if "debruine" in names and deb.is_dir():
        ps = sorted(deb.glob("*.jpg"))
        singles["debruine"] = [(p.stem, p) for p in ps]
        pose = [p for p in ps if "pose" in p.name]
        cam = [p for p in ps if "camera" in p.name]
        pairs["debruine"] = ([(f"{pose[0].stem} / {pose[1].stem}", pose[0], pose[1])] if len(pose) > 1 else []) + \
            ([(f"{cam[-2].stem} / {cam[-1].stem}", cam[-2], cam[-1])] if len(cam) > 1 else [])
    if "grid" in names and grid.is_dir():
        clips = sorted(grid.glob("*.mpg"))[:3]
        singles["grid"] = [(f"{c.stem}#0", (c, 0)) for c in clips]
        pairs["grid"] = [(f"{c.stem}#0 / #40", (c, 0), (c, 40)) for c in clips]
    if "samples" in names:
        singles["samples"] = [(p.stem, p) for p in sorted(SAMPLES.glob("astronaut_*.jpg"))]
        pairs["samples"] = [("astronaut_before / astronaut_after", SAMPLES / "astronaut_before.jpg",
                             SAMPLES / "astronaut_after.jpg")]
    return singles, pairs


def _rgb(src) -> np.ndarray:
    return grid_frame(*src) if isinstance(src, tuple) else read_rgb(src)


def sources(sets: dict) -> None:
    """Where the analysis violations come from (``--sources``): per photo, the relative change of
    ``mm_per_px`` (%) under mirror, pad, crop, brightness and gamma, and for brightness and gamma the fold
    depth index's change with the photo's *own* landmarks and frame held fixed (the fold scoring's own
    invariance) against its change with the landmarks found again (Face Mesh included); summarised per set
    (tuning: London 12 + Canada tuning 24; held-out: Canada held-out 16 + DeBruine 8)."""
    from facemetrics.folds import fold_metrics
    tones = {"bright_0.7": ("bright", 0.7), "bright_1.3": ("bright", 1.3), "gamma_0.8": ("gamma", 0.8),
             "gamma_1.25": ("gamma", 1.25)}
    for sname, paths in sets.items():
        scale, fixed, own = {}, {}, {}
        for p in paths:
            rgb = read_rgb(p)
            A = analyze_photo(png(rgb))
            if not A.ok:
                continue
            box = crop_box(A.points, rgb.shape)
            images = {"mirror": np.ascontiguousarray(rgb[:, ::-1]), "pad": padded(rgb), "crop": cropped(rgb, box),
                      **{k: toned(rgb, *v) for k, v in tones.items()}}
            for k, im in images.items():
                B = analyze_photo(png(im))
                if not B.ok:
                    continue
                scale.setdefault(k, []).append(100 * abs(B.mm_per_px / A.mm_per_px - 1))
                if k in tones:
                    for side in ("right", "left"):
                        ref = getattr(A, "nlf_" + side).depth_index
                        fixed.setdefault(k, []).append(abs(fold_metrics(im, A.points, A.frame, side).depth_index - ref))
                        own.setdefault(k, []).append(abs(getattr(B, "nlf_" + side).depth_index - ref))
            print(f"  {sname} {p.stem}", flush=True)
        print(f"\n{sname}: {len(paths)} photos")
        for k, v in scale.items():
            v = np.asarray(v)
            line = (f"- {k}: |change of mm_per_px| median {np.median(v):.2f} %, p90 {np.percentile(v, 90):.2f} %, "
                    f"max {v.max():.2f} %, > 2 %: {int((v > 2).sum())} of {len(v)}")
            if k in fixed:
                f, o = np.asarray(fixed[k]), np.asarray(own[k])
                line += (f"; fold depth |change| with the landmarks held: median {np.median(f):.3f}, max {f.max():.3f};"
                         f" found again: median {np.median(o):.3f}, max {o.max():.3f} (face-sides {len(f)})")
            print(line, flush=True)


# ----------------------------------------------------------------------------- the pair's mm scale (task h2)

#: the lift rows the pair-scale cases read (dense and landmark lifts, every side)
LIFT_METRICS = tuple(f"{r}_lift{k}_mm" for r in ("jawline", "jowl", "mouth_corner", "cheek") for k in ("", "_landmarks"))
#: a row enters the relative disagreement only when its original change is at least this large, mm (the TPS lifts
#: are 0.5-2 mm; a near-zero change makes a ratio of noise)
MIN_RELATIVE_CHANGE_MM = 0.3


def pair_scale_sets(which: str) -> list[tuple[str, Path]]:
    """The photos of ``--pair-scale``: ``tuning`` (London neutral 12 + Canada tuning 24, bench/accuracy.py's
    split) or ``heldout`` (Canada held-out 16 + DeBruine 8)."""
    tune, held = canada_split(sorted((SHARED / "canada_ccby").glob("*.jpg")))
    if which == "tuning":
        return [(p.stem, p) for p in sorted((SHARED / "london_ccby").glob("*_neutral.jpg")) + tune]
    return [(p.stem, p) for p in held + sorted((SHARED / "debruine_cc0").glob("*.jpg"))]


def pair_scale_rows(who: str, rgb: np.ndarray) -> list[dict]:
    """Every lift row of the TPS pair (A, B) of one photo under the cases the pair's mm scale is about:
    ``tps`` (compare(A, B), with the synthetic truth of the dense rows), ``swap`` (compare(B, A)),
    ``mirror`` (both flipped; sides swapped back), ``pad`` and ``crop`` (both, as P6).  One dict per
    (case, metric, side): change, floor, verdict, status, the original change and truth, and the pair's
    scale factor when the comparison states one (``scale_factor``: the pair's mm per px over the before
    photo's)."""
    A = analysis_of(png(rgb), who)
    if not A.ok:
        print(f"  skip {who}: {A.status}")
        return []
    warped, forward = tps_lift(rgb, A)
    B = analysis_of(png(warped), who + "+tps")
    if not B.ok:
        print(f"  skip {who}+tps: {B.status}")
        return []
    box = crop_box(A.points, rgb.shape)
    cab = compare_photos(A, B)
    if cab.status == "refused":
        print(f"  {who}: refused")
        return []
    truth = synthetic_truth(cab, forward)
    cases = {"tps": cab, "swap": compare_photos(B, A)}
    cases["mirror"] = compare_photos(analysis_of(png(np.ascontiguousarray(rgb[:, ::-1])), who),
                                     analysis_of(png(np.ascontiguousarray(warped[:, ::-1])), who + "+tps"))
    cases["pad"] = compare_photos(analysis_of(png(padded(rgb)), who), analysis_of(png(padded(warped)), who + "+tps"))
    cases["crop"] = compare_photos(analysis_of(png(cropped(rgb, box)), who),
                                   analysis_of(png(cropped(warped, box)), who + "+tps"))
    r0 = rows_of(cab)
    out = []
    for case, c in cases.items():
        rows = rows_of(c)
        factor = getattr(getattr(c, "pair_scale", None), "factor", float("nan"))
        flip = {"right": "left", "left": "right"} if case == "mirror" else {}
        for (m, s), (ch0, f0, v0) in r0.items():
            if m not in LIFT_METRICS:
                continue
            ch, f, v = rows.get((m, flip.get(s, s)), (np.nan, np.nan, ""))
            out.append(dict(photo=who, case=case, metric=m, side=s, change=ch, floor=f, verdict=v, status=c.status,
                            change_ab=ch0, floor_ab=f0, verdict_ab=v0, truth=truth.get((m, s), np.nan),
                            scale_factor=factor))
    return out


def pair_scale_summary(rows: list[dict]) -> dict:
    """The figures of docs/compare.md 'A pair's mm scale from both photos' irises': per case (swap, mirror, pad,
    crop) and pooled, the median relative disagreement of the dense lift rows with the original pair (``|c_BA + c_AB| /
    |c_AB|`` for the swap, ``|c' - c| / |c|`` otherwise; rows read both ways, |c| >= MIN_RELATIVE_CHANGE_MM), the
    swap rows beyond max of the two floors, and the dense rows' synthetic error |c_AB - truth| (median, p90, max,
    beyond the floor)."""
    def num(x):
        try:
            return float(x)
        except (TypeError, ValueError):
            return float("nan")

    rel, out = {}, {}
    swap_beyond, swap_n = [], 0
    err, err_beyond = [], 0
    for r in rows:
        c, c0, f, f0 = num(r["change"]), num(r["change_ab"]), num(r["floor"]), num(r["floor_ab"])
        read = UNCERTAIN not in (r["verdict"], r["verdict_ab"]) and r["verdict"] and r["verdict_ab"]
        if r["case"] == "tps":
            t = num(r["truth"])
            if np.isfinite(t) and read:
                err.append(abs(c0 - t))
                err_beyond += abs(c0 - t) > f0
            continue
        if not read or not (np.isfinite(c) and np.isfinite(c0)):
            continue
        d = abs(c + c0) if r["case"] == "swap" else abs(c - c0)
        if r["case"] == "swap":
            swap_n += 1
            if d > max(f, f0):
                swap_beyond.append(f"{r['photo']} {r['metric']}/{r['side']} {c0:+.3f} {c:+.3f} (floor {max(f, f0):.3f})")
        if abs(c0) >= MIN_RELATIVE_CHANGE_MM and "_landmarks" not in r["metric"]:
            rel.setdefault(r["case"], []).append(d / abs(c0))
    for case, v in rel.items():
        out[case] = (float(np.median(v)), float(np.percentile(v, 90)), float(np.max(v)), len(v))
    pooled = [x for v in rel.values() for x in v]
    out["pooled"] = (float(np.median(pooled)), float(np.percentile(pooled, 90)), float(np.max(pooled)), len(pooled))
    out["swap_beyond"] = (len(swap_beyond), swap_n, swap_beyond)
    e = np.asarray(err)
    out["synthetic"] = (float(np.median(e)), float(np.percentile(e, 90)), float(e.max()), int(err_beyond), len(e))
    return out


def print_pair_scale_summary(path: Path, label: str = "") -> dict:
    import csv
    with open(path) as f:
        s = pair_scale_summary(list(csv.DictReader(f)))
    print(f"\n{label or path}: relative disagreement of the dense lift rows (|c| >= {MIN_RELATIVE_CHANGE_MM} mm): "
          "median / p90 / max, rows")
    for case in ("swap", "mirror", "pad", "crop", "pooled"):
        if case in s:
            m, p, x, n = s[case]
            print(f"- {case}: {100 * m:.2f} % / {100 * p:.2f} % / {100 * x:.2f} %, {n}")
    k, n, which = s["swap_beyond"]
    print(f"- swap rows beyond max(floor): {k} of {n}" + "".join(f"\n    {w}" for w in which))
    m, p, x, k, n = s["synthetic"]
    print(f"- synthetic dense lift |measured - truth|: median {m:.4f} mm, p90 {p:.4f}, max {x:.4f}, beyond floor "
          f"{k} of {n}")
    return s


def pair_scale_sources() -> None:
    """``--pair-scale-sources``: on the tuning faces' thin-plate pairs (A, B), how far B's iris scale reads from
    A's (the same eye pixels: the warp holds the eyes) and, under mirror / pad / crop of both photos, how A's and
    B's relative scale changes ``dA``, ``dB`` (100 ln ratio, %) go together: their correlation, and the median and
    SD of ``dA`` against those of their mean (a pair scale's change; two independent jitters would give SD / sqrt 2)."""
    rows, d0 = [], []
    for who, p in pair_scale_sets("tuning"):
        rgb = read_rgb(p)
        A = analysis_of(png(rgb), who)
        if not A.ok:
            continue
        warped, _ = tps_lift(rgb, A)
        B = analysis_of(png(warped), who)
        if not B.ok:
            continue
        d0.append(100 * np.log(B.mm_per_px / A.mm_per_px))
        box = crop_box(A.points, rgb.shape)
        for k, f in (("mirror", lambda x: np.ascontiguousarray(x[:, ::-1])), ("pad", padded),
                     ("crop", lambda x: cropped(x, box))):
            a1, b1 = analysis_of(png(f(rgb)), who), analysis_of(png(f(warped)), who)
            if a1.ok and b1.ok:
                rows.append((k, 100 * np.log(a1.mm_per_px / A.mm_per_px), 100 * np.log(b1.mm_per_px / B.mm_per_px)))
        print(f"  {who}", flush=True)
    kinds = np.array([r[0] for r in rows])
    r = np.array([r[1:] for r in rows], dtype=float)
    for k in ("mirror", "pad", "crop", "all"):
        m = kinds == k if k != "all" else np.ones(len(kinds), bool)
        da, db = r[m, 0], r[m, 1]
        mean = (da + db) / 2
        print(f"- {k}: {m.sum()} pairs, corr(dA, dB) {np.corrcoef(da, db)[0, 1]:.2f}; median |dA| "
              f"{np.median(np.abs(da)):.2f} %, of the mean {np.median(np.abs(mean)):.2f} %; SD dA {da.std():.2f} %, "
              f"of the mean {mean.std():.2f} %")
    d0 = np.abs(d0)
    print(f"- B against A (same eye pixels): |100 ln(mB / mA)| median {np.median(d0):.2f} %, p90 "
          f"{np.percentile(d0, 90):.2f} %, max {d0.max():.2f} %, beyond 1 %: {int((d0 > 1).sum())} of {len(d0)}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sets", nargs="+", default=["london", "canada", "debruine", "grid", "samples"])
    ap.add_argument("--limit", type=int, default=0, help="at most this many photos per set (0: all)")
    ap.add_argument("--out", type=Path, default=None, help="write every violation as CSV here")
    ap.add_argument("--analyses-only", action="store_true", help="only the analysis properties P8-P10")
    ap.add_argument("--comparisons-only", action="store_true",
                    help="only the comparison properties P1-P7 (skips P8-P10's analyses)")
    ap.add_argument("--sources", action="store_true",
                    help="only the root-cause figures: iris scale and fold depth per transform (tuning / held-out)")
    ap.add_argument("--pair-scale", choices=("tuning", "heldout"), default=None,
                    help="only the lift rows' scale cases (TPS pair, swap, mirror, pad, crop) of the tuning or "
                         "held-out faces, written to --out")
    ap.add_argument("--pair-scale-summary", nargs="+", type=Path, default=None,
                    help="the figures of --pair-scale CSVs (one or several, e.g. before and after a change)")
    ap.add_argument("--pair-scale-sources", action="store_true",
                    help="how the two iris scales of the tuning faces' thin-plate pairs move (--pair-scale's cause)")
    args = ap.parse_args(argv)
    if args.pair_scale_sources:
        pair_scale_sources()
        return 0
    if args.pair_scale_summary:
        for p in args.pair_scale_summary:
            print_pair_scale_summary(p)
        return 0
    if args.pair_scale:
        rows, t0 = [], time.time()
        for who, p in pair_scale_sets(args.pair_scale)[:args.limit or None]:
            print(f"[{time.time() - t0:6.0f} s] {who}", flush=True)
            rows += pair_scale_rows(who, read_rgb(p))
        from _common import write_rows
        write_rows(rows, args.out or Path(f"/tmp/pair_scale_{args.pair_scale}.csv"))
        print_pair_scale_summary(args.out or Path(f"/tmp/pair_scale_{args.pair_scale}.csv"))
        print(f"{time.time() - t0:.0f} s")
        return 0
    if args.sources:
        tune, held = canada_split(sorted((SHARED / "canada_ccby").glob("*.jpg")))
        sources({"tuning": sorted((SHARED / "london_ccby").glob("*_neutral.jpg")) + tune,
                 "held-out": held + sorted((SHARED / "debruine_cc0").glob("*.jpg"))})
        return 0
    singles, pairs = photo_sets(args.sets)
    tally = Tally()
    counts_by_set = {}
    t0 = time.time()
    for group, items in singles.items():
        counts = counts_by_set.setdefault(group, {})
        for who, src in items[:args.limit or None]:
            print(f"[{time.time() - t0:6.0f} s] {group} {who}", flush=True)
            audit_photo(tally, group, who, _rgb(src), counts, analyses_only=args.analyses_only,
                        comparisons_only=args.comparisons_only)
    for group, items in ({} if args.analyses_only else pairs).items():
        counts = counts_by_set.setdefault(group + "_pairs", {})
        for who, a, b in items[:args.limit or None]:
            print(f"[{time.time() - t0:6.0f} s] {group} pair {who}", flush=True)
            real_pair(tally, group + "_pairs", who, _rgb(a), _rgb(b), counts)
    print("\n## Checks and violations per set and property (checked rows / violations; borderline swaps not counted)")
    for group, counts in counts_by_set.items():
        props = [k for k in counts if not k.endswith("_viol") and k != "skipped"]
        cells = ", ".join(f"{p} {counts[p]}/{counts[p + '_viol']}" for p in props)
        print(f"- {group}: {cells}" + (f"; skipped: {', '.join(counts['skipped'])}" if counts.get("skipped") else ""))
    print("\n## Violations (set | photo | property | row | value | floor | detail | status | silent)")
    for v in tally.v:
        print(f"{v['set']} | {v['photo']} | {v['property']} | {v['row']} | {v['value']:+.4g} | {v['floor']:.4g} | "
              f"{v['detail']} | {v['status']} | {'SILENT' if v['silent'] else ''}")
    if args.out:
        from _common import write_rows
        write_rows(tally.v, args.out)
    print(f"\n{len(tally.v)} rows, {sum(v['silent'] for v in tally.v)} silent, {time.time() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
