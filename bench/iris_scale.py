"""Reproduce the "Scale calibration" figures of docs/accuracy.md.

    python bench/iris_scale.py          # needs ../shared/faces (london_ccby, canada_ccby)

1. Bias of Face Mesh's horizontal iris chord (469-471, 474-476): on each eye
   the visible iris edge (limbus) is found in the image itself, as the
   strongest dark-to-bright step along rays from the iris centre (468/473)
   within +/-25 deg of horizontal (away from the eyelids; grey image blurred
   with sigma 1 px, sub-pixel peak, median over the 11 rays of each side).
   ``chord / limbus diameter`` per eye, mean of the two eyes per face, median
   per set.  The shipped factor :data:`facemetrics.geometry.IRIS_CHORD_BIAS`
   was chosen on the Canada set (40 faces).
2. Check on held-out data: inter-pupillary distance from the hand-placed
   pupils (Face Research Lab template points 0 and 1) x ``mm_per_px``, per
   set, with the old calibration (no correction), the factor chosen on
   Canada and the factor chosen on London.  Adults average 63.4 mm
   (Dodgson 2004; women 62.3, men 64.7); both sets are half women.
3. The per-photo ``mm_per_px_uncertainty_pct`` on both sets.

Both irises erring alike (docs/accuracy.md 'Scale calibration: an iris too large or too small for the
face', docs/compare.md 'Iris scales')::

    python bench/iris_scale.py --lens tuning  [--csv DIR]   # choose: cue spreads, the rules' limits
    python bench/iris_scale.py --lens heldout [--csv DIR]   # check, with the shipped limits

4. Scale-free cues of the iris size on the clean photos (mean iris chord over: the eye's corner-to-corner
   width 33-133 / 362-263, the inter-pupil distance 468-473, the inner and the outer canthal distances,
   the limbus found in the image as in part 1): their spread across people.
5. Synthetic lenses and glare painted on each photo (:func:`paint`): a dark ring from 0.85 to ``k``
   limbus radii (the limbus found in the clean image, part 1; ``k`` 1.1, 1.2, 1.3; darkened by 50 or
   80 %) and a white disc (0.6 or 0.9 limbus radii, opacity 0.7 or 1), both only inside the lid
   contour; Face Mesh and the whole analysis re-run on the painted photo.  Per photo: the scale change,
   the shipped check's warning (:func:`facemetrics.geometry.iris_plausibility`) and the existing
   visibility flag.
6. Pairs: ``q = mm_after / (alignment.scale x mm_before)`` (:func:`facemetrics.compare.gate.iris_scale_ratio`)
   on clean pairs and with the paint in the after (or the before) photo.  Tuning pairs: London neutral ->
   smiling (12), each Canada tuning photo -> a copy resized x0.8, shifted, re-saved (24).  Held-out:
   Canada held-out copies (16), DeBruine camera distance 15-60 cm (12 ordered pairs; painted: 6) and
   pose variation (12 ordered pairs, clean only).
"""

from __future__ import annotations

import argparse
import io
import itertools
import sys
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SHARED_FACES = ROOT.parent / "shared" / "faces"

from facemetrics.annotations import read_tem  # noqa: E402
from facemetrics import analyze_photo, compare_photos  # noqa: E402
from facemetrics.compare.gate import MAX_IRIS_SCALE_RATIO, iris_scale_ratio  # noqa: E402
from facemetrics.geometry import (  # noqa: E402
    IRIS_CHORD_BIAS, IRIS_EYE_RATIO_RANGE, LEFT_EYE_CONTOUR, LEFT_IRIS, LEFT_IRIS_H, RIGHT_EYE_CONTOUR, RIGHT_IRIS,
    RIGHT_IRIS_H, calibrate, head_pose, iris_plausibility,
)
from facemetrics.landmarks import detect_landmarks  # noqa: E402
from facemetrics.loader import load_photo  # noqa: E402

SETS = ("canada_ccby", "london_ccby")


def limbus_diameter_px(gray: np.ndarray, centre: np.ndarray, r0: float, *, half_angle_deg: float = 25.0,
                       blur_px: float = 1.0) -> float:
    """Horizontal visible iris diameter (px) from the image: see module docstring.

    ``gray`` (H, W) float32; ``centre`` ``(x, y)`` px; ``r0`` a first guess of the radius, px.
    """
    g = cv2.GaussianBlur(gray, (0, 0), blur_px)
    rs = np.linspace(0.6 * r0, 1.5 * r0, 181)
    diameter = 0.0
    for sign in (-1.0, 1.0):
        radii = []
        for a in np.radians(np.arange(-half_angle_deg, half_angle_deg + 1e-9, 5.0)):
            pts = centre + rs[:, None] * np.array([sign * np.cos(a), np.sin(a)])
            prof = cv2.remap(g, pts[:, 0].astype(np.float32)[None], pts[:, 1].astype(np.float32)[None],
                             cv2.INTER_LINEAR).ravel()
            d = np.gradient(prof)
            i = int(np.clip(np.argmax(d), 1, len(d) - 2))
            den = d[i - 1] - 2 * d[i] + d[i + 1]
            off = 0.5 * (d[i - 1] - d[i + 1]) / den if den < 0 else 0.0
            radii.append(rs[i] + off * (rs[1] - rs[0]))
        diameter += float(np.median(radii))
    return diameter


def measure() -> dict:
    """{set: list of per-face dicts (chord_bias, hand_ipd_mm, sex, uncertainty_pct)}"""
    out = {}
    for name in SETS:
        rows = []
        for tem_path in sorted((SHARED_FACES / name).glob("*.tem")):
            photo = load_photo(tem_path.with_suffix(".jpg"), fast=False)
            pts = detect_landmarks(photo.rgb).points
            h, w = photo.rgb.shape[:2]
            yaw, _, _ = head_pose(pts, (w, h))
            cal = calibrate(pts, yaw_deg=yaw)
            gray = cv2.cvtColor(photo.rgb, cv2.COLOR_RGB2GRAY).astype(np.float32)
            ratios = []
            for c, (a, b) in ((RIGHT_IRIS, RIGHT_IRIS_H), (LEFT_IRIS, LEFT_IRIS_H)):
                chord = float(np.linalg.norm(pts[a, :2] - pts[b, :2]))
                ratios.append(chord / limbus_diameter_px(gray, pts[c, :2], chord / 2))
            tem = read_tem(tem_path)
            stem = tem_path.stem.split("_")
            sex = stem[2][0] if name.startswith("london") else stem[1][-1]
            rows.append(dict(chord_bias=float(np.mean(ratios)),
                             hand_ipd_mm=float(np.linalg.norm(tem[0] - tem[1]) * cal.mm_per_px),
                             sex=sex, uncertainty_pct=cal.uncertainty_pct))
        out[name] = rows
    return out


def main() -> None:
    data = measure()
    factors = {name: float(np.median([r["chord_bias"] for r in rows])) for name, rows in data.items()}
    print(f"shipped IRIS_CHORD_BIAS = {IRIS_CHORD_BIAS}")
    print("| set | n | chord / limbus median (IQR) | expected IPD mm | IPD no correction | "
          "factor from Canada | factor from London | uncertainty % median (range) |")
    print("|---|---|---|---|---|---|---|---|")
    for name, rows in data.items():
        bias = np.array([r["chord_bias"] for r in rows])
        ipd_now = np.array([r["hand_ipd_mm"] for r in rows])
        ipd_raw = ipd_now / IRIS_CHORD_BIAS
        expected = np.mean([62.3 if r["sex"] == "f" else 64.7 for r in rows])
        cells = []
        for f in (1.0, factors["canada_ccby"], factors["london_ccby"]):
            v = ipd_raw * f
            cells.append(f"{np.median(v):.1f} ({np.percentile(v, 25):.1f}-{np.percentile(v, 75):.1f})")
        unc = np.array([r["uncertainty_pct"] for r in rows])
        print(f"| {name} | {len(rows)} | {np.median(bias):.3f} ({np.percentile(bias, 25):.3f}-"
              f"{np.percentile(bias, 75):.3f}) | {expected:.1f} | " + " | ".join(cells)
              + f" | {np.median(unc):.1f} ({unc.min():.1f}-{unc.max():.1f}) |")
    print({k: round(v, 4) for k, v in factors.items()})


# --- parts 4-6: both irises erring alike ---------------------------------------------------------

PAINTS = ([("ring", k, d) for k in (1.1, 1.2, 1.3) for d in (0.5, 0.8)]
          + [("glare", k, d) for k in (0.6, 0.9) for d in (0.7, 1.0)])
#: the paints put in one photo of a pair (the glare flags the photo anyway: one kept)
PAIR_PAINTS = PAINTS[:6] + [("glare", 0.6, 0.7)]


def limbus_radii(rgb: np.ndarray, pts: np.ndarray) -> tuple[float, float]:
    """Each eye's limbus radius found in the image (:func:`limbus_diameter_px` / 2), px."""
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY).astype(np.float32)
    return tuple(limbus_diameter_px(gray, pts[c, :2], float(np.linalg.norm(pts[a, :2] - pts[b, :2])) / 2) / 2
                 for c, (a, b) in ((RIGHT_IRIS, RIGHT_IRIS_H), (LEFT_IRIS, LEFT_IRIS_H)))


def paint(rgb: np.ndarray, pts: np.ndarray, radii: tuple[float, float], kind: str, k: float,
          strength: float) -> np.ndarray:
    """A synthetic lens or glare on both eyes (module docstring, part 5); ``radii`` the limbus radii, px.

    ``ring``: luminance x (1 - strength) towards 15 between 0.85 and ``k`` radii; ``glare``: towards 250
    within ``k`` radii of a point 0.15 radii up and towards the image left of the iris centre.  Only inside
    the lid contours (RIGHT/LEFT_EYE_CONTOUR), 1 px soft edges."""
    h, w = rgb.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    alpha = np.zeros((h, w), np.float32)
    for c, radius in zip((RIGHT_IRIS, LEFT_IRIS), radii):
        x, y = pts[c, :2] - ((0.15 * radius, 0.15 * radius) if kind == "glare" else (0.0, 0.0))
        r = np.hypot(xx - x, yy - y)
        a = np.clip(k * radius - r + 0.5, 0, 1)
        if kind == "ring":
            a = a * np.clip(r - 0.85 * radius + 0.5, 0, 1)
        alpha = np.maximum(alpha, a)
    lids = np.zeros((h, w), np.uint8)
    for cont in (RIGHT_EYE_CONTOUR, LEFT_EYE_CONTOUR):
        cv2.fillPoly(lids, [np.round(pts[list(cont), :2] * 16).astype(np.int32)], 1, cv2.LINE_AA, shift=4)
    alpha = cv2.GaussianBlur(alpha * lids, (0, 0), 0.7)[..., None] * strength
    target = 15.0 if kind == "ring" else 250.0
    return (rgb.astype(np.float32) * (1 - alpha) + target * alpha).clip(0, 255).astype(np.uint8)


def cue_row(a) -> dict:
    """The scale-free cues of one analysis (part 4) and its scale checks."""
    p = a.points[:, :2]
    d = lambda i, j: float(np.linalg.norm(p[i] - p[j]))  # noqa: E731
    chord = (d(*RIGHT_IRIS_H) + d(*LEFT_IRIS_H)) / 2
    lim = limbus_radii(a.photo.rgb, a.points)
    ev = a.extra["eyes"]
    return dict(mm_per_px=a.calibration.mm_per_px, chord=chord, eye_width=(d(33, 133) + d(263, 362)) / 2,
                ipd=d(RIGHT_IRIS, LEFT_IRIS), inner_canthi=d(133, 362), outer_canthi=d(33, 263), limbus=sum(lim),
                ratio=iris_plausibility(a.points).ratio, warned=any("implausibly" in w for w in a.warnings),
                hidden=not ev.any_visible, unc_pct=a.calibration.uncertainty_pct)


def lens_sets(which: str) -> tuple[list, list]:
    """(photos, pairs) of ``which`` ("tuning" / "heldout"): photos as (set, path), pairs as
    (set, before path, after path or None for the before's resized copy)."""
    from accuracy import canada_split  # bench/accuracy.py: the one split

    tune, held = canada_split(sorted((SHARED_FACES / "canada_ccby").glob("*.jpg")))
    london = sorted((SHARED_FACES / "london_ccby").glob("*_neutral.jpg"))
    deb = SHARED_FACES / "debruine_cc0"
    if which == "tuning":
        photos = [("London", p) for p in london] + [("Canada tuning", p) for p in tune]
        pairs = [("London neutral -> smiling", p, p.with_name(p.name.replace("neutral", "smiling"))) for p in london]
        pairs += [("Canada tuning -> copy", p, None) for p in tune]
        return photos, pairs
    cam, pose = sorted(deb.glob("*camera_distance*")), sorted(deb.glob("*pose_variation*"))
    photos = [("Canada held-out", p) for p in held] + [("DeBruine", p) for p in cam + pose]
    pairs = [("Canada held-out -> copy", p, None) for p in held]
    pairs += [("DeBruine camera 15-60 cm", a, b) for a, b in itertools.permutations(cam, 2)]
    pairs += [("DeBruine pose", a, b) for a, b in itertools.permutations(pose, 2)]
    return photos, pairs


def resized_copy(path: Path) -> np.ndarray:
    """The photo resized x0.8 (area), shifted by (37, 21) px, re-saved as JPEG q90: a retake's jitter."""
    rgb = load_photo(path, fast=False).rgb
    h, w = rgb.shape[:2]
    small = cv2.resize(rgb, (int(w * 0.8), int(h * 0.8)), interpolation=cv2.INTER_AREA)
    small = cv2.warpAffine(small, np.float32([[1, 0, 37], [0, 1, 21]]), small.shape[1::-1],
                           borderMode=cv2.BORDER_REPLICATE)
    buf = io.BytesIO()
    Image.fromarray(small).save(buf, "JPEG", quality=90)
    return np.array(Image.open(io.BytesIO(buf.getvalue())).convert("RGB"))


def measure_lens(which: str) -> tuple[list[dict], list[dict]]:
    """Parts 4-6 on ``which``: (photo rows, pair rows)."""
    photos, pairs = lens_sets(which)
    prow = []
    for set_, path in photos:
        a = analyze_photo(path, fast=False)
        if not a.ok:
            print(f"{path.name}: {a.status}", file=sys.stderr)
            continue
        base = cue_row(a)
        prow.append(dict(set=set_, photo=path.name, paint="none", k=0.0, strength=0.0, **base))
        radii = limbus_radii(a.photo.rgb, a.points)
        for kind, k, st in PAINTS:
            x = analyze_photo(paint(a.photo.rgb, a.points, radii, kind, k, st), name=path.name)
            if x.points is None:
                continue
            prow.append(dict(set=set_, photo=path.name, paint=kind, k=k, strength=st, **cue_row(x),
                             scale_change=x.calibration.mm_per_px / base["mm_per_px"] - 1))
    qrow = []
    for set_, pa, pb in pairs:
        a = analyze_photo(pa, fast=False)
        b_rgb = resized_copy(pa) if pb is None else load_photo(pb, fast=False).rgb
        b = analyze_photo(b_rgb, name=pb.name if pb else "copy of " + pa.name)
        variants = [("", "none", 0.0, 0.0, a, b)]
        if a.ok and b.ok and not set_.startswith("DeBruine pose") and not (
                set_.startswith("DeBruine camera") and pa.name > pb.name):
            rb = limbus_radii(b_rgb, b.points)
            variants += [("after", kind, k, st, a, analyze_photo(paint(b_rgb, b.points, rb, kind, k, st), name="p"))
                         for kind, k, st in PAIR_PAINTS]
            ra = limbus_radii(a.photo.rgb, a.points)
            variants.append(("before", "ring", 1.2, 0.8,
                             analyze_photo(paint(a.photo.rgb, a.points, ra, "ring", 1.2, 0.8), name="p"), b))
        for on, kind, k, st, x, y in variants:
            c = compare_photos(x, y, check_order=False)
            if c.alignment is None:
                continue
            qrow.append(dict(set=set_, before=pa.name, after=y.name, paint_on=on, paint=kind, k=k, strength=st,
                             status=c.status, q=iris_scale_ratio(x, y, c.alignment.scale), scale=c.alignment.scale,
                             camera_pct=c.cues.get("camera_distance_change_pct", float("nan")),
                             hidden=any(z.quality is not None and any("irises not visible" in f for f in z.quality.flags)
                                        for z in (x, y)),
                             warned=any(any("implausibly" in w for w in z.warnings) for z in (x, y)),
                             uncertain_rows=sum(r.verdict == "uncertain" for r in c.changes)))
        print(f"{pa.name} done", file=sys.stderr, flush=True)
    return prow, qrow


def lens_report(which: str, prow: list[dict], qrow: list[dict]) -> None:
    """Print the tables of parts 4-6 (and on the tuning faces the limits the fixed rules give)."""
    clean = [r for r in prow if r["paint"] == "none"]
    print(f"\n## {which}: scale-free cues on the {len(clean)} clean photos (mean iris chord / cue)\n")
    print("| cue | median | min-max | CV % | max / min |\n|---|---|---|---|---|")
    for cue in ("eye_width", "outer_canthi", "ipd", "inner_canthi", "limbus"):
        v = np.array([r["chord"] / r[cue] for r in clean])
        print(f"| chord / {cue} | {np.median(v):.3f} | {v.min():.3f}-{v.max():.3f} | {100 * v.std(ddof=1) / v.mean():.1f} "
              f"| {v.max() / v.min():.3f} |")
    ratio = np.array([r["ratio"] for r in clean])
    if which == "tuning":
        print(f"\nrule (fixed before the paints were measured): limits = [min / 1.1, max x 1.1] of chord / eye width "
              f"= [{ratio.min() / 1.1:.4f}, {ratio.max() * 1.1:.4f}], median {np.median(ratio):.4f} "
              f"(shipped {IRIS_EYE_RATIO_RANGE})")
    print(f"\n### per photo (shipped limits {IRIS_EYE_RATIO_RANGE})\n")
    print("| set / paint | photos | scale change median (range) | chord / eye width median (max) | warned | "
          "flagged 'irises not visible' | neither, scale off > 5 % |\n|---|---|---|---|---|---|---|")
    for s_ in sorted({r["set"] for r in clean}):
        g = [r for r in clean if r["set"] == s_]
        v = np.array([r["ratio"] for r in g])
        print(f"| {s_}, clean | {len(g)} | - | {np.median(v):.3f} ({v.min():.3f}-{v.max():.3f}) | "
              f"{sum(r['warned'] for r in g)} | {sum(r['hidden'] for r in g)} | - |")
    for kind, k, st in PAINTS:
        g = [r for r in prow if (r["paint"], r["k"], r["strength"]) == (kind, k, st)]
        sc = 100 * np.array([r["scale_change"] for r in g])
        v = np.array([r["ratio"] for r in g])
        miss = sum(not r["warned"] and not r["hidden"] and abs(r["scale_change"]) > 0.05 for r in g)
        print(f"| {kind} {k} x, {100 * st:.0f} % | {len(g)} | {np.median(sc):+.1f} % ({sc.min():+.1f} to {sc.max():+.1f}) | "
              f"{np.median(v):.3f} ({v.max():.3f}) | {sum(r['warned'] for r in g)} | {sum(r['hidden'] for r in g)} | {miss} |")
    cq = [r for r in qrow if r["paint"] == "none"]
    lnq = np.abs(np.log([r["q"] for r in cq]))
    if which == "tuning":
        print(f"\npair rule (fixed before the pairs were measured): limit = 1.1 x max |ln q| = 1.1 x {lnq.max():.4f} = "
              f"{1.1 * lnq.max():.4f} -> ratio {np.exp(1.1 * lnq.max()):.3f} (shipped {MAX_IRIS_SCALE_RATIO})")
    print(f"\n### pairs: q = mm_after / (alignment scale x mm_before), limit {MAX_IRIS_SCALE_RATIO} either way\n")
    print("| pairs / paint | n | q median (range) | pair warning | either photo flagged or warned | any |"
          "\n|---|---|---|---|---|---|")
    beyond = lambda r: max(r["q"], 1 / r["q"]) > MAX_IRIS_SCALE_RATIO  # noqa: E731
    for s_ in sorted({r["set"] for r in cq}):
        g = [r for r in cq if r["set"] == s_]
        q = np.array([r["q"] for r in g])
        print(f"| {s_}, clean | {len(g)} | {np.median(q):.3f} ({q.min():.3f}-{q.max():.3f}) | {sum(map(beyond, g))} | "
              f"{sum(r['hidden'] or r['warned'] for r in g)} | - |")
    for on, kind, k, st in [("after",) + p for p in PAIR_PAINTS] + [("before", "ring", 1.2, 0.8)]:
        g = [r for r in qrow if (r["paint_on"], r["paint"], r["k"], r["strength"]) == (on, kind, k, st)]
        if not g:
            continue
        q = np.array([r["q"] for r in g])
        print(f"| {kind} {k} x, {100 * st:.0f} % in the {on} photo | {len(g)} | {np.median(q):.3f} "
              f"({q.min():.3f}-{q.max():.3f}) | {sum(map(beyond, g))} | {sum(r['hidden'] or r['warned'] for r in g)} | "
              f"{sum(beyond(r) or r['hidden'] or r['warned'] for r in g)} |")


def cli() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lens", choices=("tuning", "heldout"), help="parts 4-6 on these faces (default: parts 1-3)")
    ap.add_argument("--csv", type=Path, help="also write the per-photo and per-pair rows to this folder")
    args = ap.parse_args()
    if not args.lens:
        main()
        return
    prow, qrow = measure_lens(args.lens)
    if args.csv:
        from _common import write_rows

        write_rows(prow, args.csv / f"iris_lens_photos_{args.lens}.csv")
        write_rows(qrow, args.csv / f"iris_lens_pairs_{args.lens}.csv")
    lens_report(args.lens, prow, qrow)


if __name__ == "__main__":
    cli()
