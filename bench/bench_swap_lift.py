"""A lift read the same whichever photo is 'before': the swap asymmetry of the lift rows and where it comes from.

    PYTHONPATH=. python bench/bench_swap_lift.py --set tuning --out /tmp/swap_tuning.csv     # ~8 min, 2 cores
    PYTHONPATH=. python bench/bench_swap_lift.py --summary /tmp/swap_tuning.csv

For each face of the set (``tuning``: London neutral 12 + Canada tuning 24, ``bench/accuracy.py``'s split;
``heldout``: Canada held-out 16) two pairs are made from the real photo with :mod:`facemetrics.simulate`:

- ``lift``: the after photo lifted by :func:`facemetrics.simulate.lift`, 1.0-2.5 mm with ``shape`` ``taper``
  or ``jowl`` in turn (fields shaped unlike the comparison's regions and unlike a uniform shift) and ``side``
  both / right / left in turn;
- ``zero``: no lift (truth 0 everywhere): the no-change noise.

``--design`` (:data:`DESIGN`): ``both-rendered`` (the default) re-renders both photos, each with its own small
head turn (pitch and yaw in +-3 deg) and camera distance (0.9-1.1 times as far: the perspective of
:func:`facemetrics.simulate.head_pose` with ``camera_to_mm``, then the picture resized by 1 / that ratio, so
the face's size in pixels follows the distance), the face 0.8-1.25 times as deep as its Face Mesh says and the
lower face 0.8-1.25 times that again (the same for both photos: one person), so the renderer's depth is not
the one the pose fit reads.  ``real-before`` keeps the real photo as the before photo (only the after photo is
rendered); ``mesh-depth`` also renders with the real photo's own Face Mesh depth (the depth the forward order's
pose fit reads: it favours the forward order).  ``--still`` drops the turns and distances (the zero pairs are
then two identical renders).

Both orders are compared (``compare_photos(A, B)``, ``compare_photos(B, A)``) and one CSV row is written per
(pair, lift row): the change and floor of each order, the truth (dense rows: ``simulate.lift``'s, over the real
photo's regions, in its iris millimetres), the two photos' iris ``mm_per_px`` and each alignment's scale, and
two re-readings of the reverse order that split its disagreement with the forward one:

- ``ba_scaled``: the reverse change in A's iris scale (``change_ba * (m_a / s_ba) / m_b``, ``s_ba`` the
  reverse alignment's B px per A px): what is left of ``|ab + ba|`` once the scale is the same;
- ``ba_masked`` (dense rows): the reverse lift map read in regions placed with A's landmarks carried into B's
  frame by the alignment (``Comparison.after_points`` of the reverse pair: A's place in B's picture, not the
  moved skin) instead of B's own, then scaled as above.

``--summary`` prints, per row type and pair kind, ``|ab + ba|`` relative to ``max(floor_ab, floor_ba)``
and these parts, and the candidates' figures (:func:`candidates`; docs/robustness.md 'A lift read the same
whichever photo is before').
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

import cv2
import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from accuracy import canada_split  # noqa: E402
from audit_metamorphic import png  # noqa: E402

from facemetrics import analyze_photo, simulate  # noqa: E402
from facemetrics.compare import compare_photos  # noqa: E402
from facemetrics.compare.regions import REGIONS, region_lifts, region_masks  # noqa: E402

SHARED = HERE.parent.parent / "shared" / "faces"
SIDES = ("right", "left", "mean")
#: ``--design``: ``both-rendered`` (default): both photos re-rendered from the real photo, each with its own turn and
#: distance, the face 0.8-1.25 times as deep as its Face Mesh says and the lower face 0.8-1.25 times that again (the
#: same for both photos: one person); ``real-before``: the real photo is 'before', only the after photo re-rendered
#: (so the forward order always has the better photo as its reference); ``mesh-depth``: as ``real-before`` rendered
#: with the real photo's own Face Mesh depth, the depth the forward order's pose fit reads (docs/robustness.md)
DESIGN = "both-rendered"
#: ``--still``: no head turn and no camera-distance change (the photos still re-rendered as the design says): what
#: is left of the asymmetry without the pose fit's work
STILL = False


def face_set(which: str) -> list[Path]:
    tune, held = canada_split(sorted((SHARED / "canada_ccby").glob("*.jpg")))
    if which == "tuning":
        return sorted((SHARED / "london_ccby").glob("*_neutral.jpg")) + tune
    return held


def rendered(A, image, k: float, pitch: float, yaw: float, depth: float, lower: float) -> np.ndarray:
    """``image`` (A's picture when None) re-rendered with the head turned (pitch, yaw, deg) and the camera
    ``k`` times as far (:func:`facemetrics.simulate.head_pose`, the face ``depth`` / ``lower`` times as deep as
    A's Face Mesh says), then resized by ``1 / k``: the face's size in pixels follows the distance."""
    posed = simulate.head_pose(A, pitch, yaw, 0.0, image=image, camera_to_mm=simulate.RENDER_CAMERA_MM * k,
                               depth_scale=depth, lower_depth_scale=lower)
    rgb = posed.image
    h, w = rgb.shape[:2]
    return cv2.resize(rgb, (int(round(w / k)), int(round(h / k))), interpolation=cv2.INTER_AREA if k > 1 else cv2.INTER_CUBIC)


def nuisance(rng: np.random.Generator) -> tuple[float, float, float]:
    """A camera-distance ratio in 0.9-1.1 and a pitch and a yaw in +-3 deg (none with ``--still``: the draws
    are made and dropped, so the lifts are the same as without it)."""
    k = float(rng.uniform(0.9, 1.1))
    pitch, yaw = (float(x) for x in rng.uniform(-3.0, 3.0, 2))
    return (1.0, 0.0, 0.0) if STILL else (k, pitch, yaw)


def after_image(A, kind: str, rng: np.random.Generator, i: int, depth: float, lower: float) -> tuple[np.ndarray, dict]:
    """The after picture of one pair and its truth (see the module's docstring)."""
    k, pitch, yaw = nuisance(rng)
    truth: dict = {}
    image = None
    if kind == "lift":
        mm = float(rng.uniform(1.0, 2.5))
        shape = ("taper", "jowl")[i % 2]
        side = ("both", "right", "left")[i % 3]
        sim = simulate.lift(A, mm, side=side, shape=shape)
        image, truth = sim.image, dict(sim.truth)
    rgb = rendered(A, image, k, pitch, yaw, depth, lower)
    truth.update(distance_ratio=k, pitch_deg=pitch, yaw_deg=yaw, depth_scale=depth, lower_depth_scale=lower)
    return rgb, truth


def lift_rows(c) -> dict:
    """``{(metric, side): (change, floor, verdict)}`` of the lift rows (dense and landmark), empty when refused."""
    if c.status == "refused":
        return {}
    return {(r.metric, r.side): (float(r.change), float(r.noise_floor), r.verdict) for r in c.changes
            if r.metric.endswith("_mm") and "_lift" in r.metric}


def masked_reverse(cba) -> dict:
    """The reverse pair's lift map read in A's regions carried into B's frame: ``{(metric, side): mm}`` (B's mm)."""
    uv = cba.before.frame.to_mm(np.asarray(cba.after_points, dtype=np.float64))
    masks = region_masks(uv, cba.grid)
    lm = np.nan_to_num(np.asarray(cba.lift_map_mm, dtype=np.float64), nan=np.nan)
    lifts = region_lifts(lm, masks)
    return {(f"{reg}_lift_mm", s): float(lifts[reg][s]) for reg in REGIONS for s in SIDES}


def pair_rows(who: str, kind: str, A, rgb_b: np.ndarray, truth: dict) -> list[dict]:
    B = analyze_photo(png(rgb_b), name=who + "+" + kind)
    if not B.ok:
        print(f"  skip {who} {kind}: {B.status}", flush=True)
        return []
    cab, cba = compare_photos(A, B), compare_photos(B, A)
    ra, rb = lift_rows(cab), lift_rows(cba)
    if not ra or not rb:
        print(f"  skip {who} {kind}: refused ({cab.status}, {cba.status})", flush=True)
        return []
    m_a, m_b = A.calibration.mm_per_px, B.calibration.mm_per_px
    s_ab, s_ba = cab.alignment.scale, cba.alignment.scale
    to_a = (m_a / s_ba) / m_b  # B's mm -> A's mm
    masked = masked_reverse(cba)
    out = []
    for key, (ca, fa, va) in ra.items():
        if key not in rb:
            continue
        cb, fb, vb = rb[key]
        m, s = key
        t = truth.get(f"{m[:-3]}_{s}_mm" if s != "mean" else m, np.nan) if kind == "lift" else 0.0
        if "_landmarks" in m and kind == "lift":
            t = np.nan  # the truth is the dense regions'; landmark rows have none of their own
        out.append(dict(photo=who, kind=kind, metric=m, side=s, row_type="landmark" if "_landmarks" in m else "dense",
                        change_ab=ca, floor_ab=fa, verdict_ab=va, change_ba=cb, floor_ba=fb, verdict_ba=vb,
                        truth=t, m_a=m_a, m_b=m_b, s_ab=s_ab, s_ba=s_ba, ba_scaled=cb * to_a,
                        ba_masked=masked.get(key, np.nan) * to_a, status_ab=cab.status, status_ba=cba.status,
                        distance_ratio=truth["distance_ratio"], pitch_deg=truth["pitch_deg"], yaw_deg=truth["yaw_deg"],
                        depth_scale=truth["depth_scale"], lower_depth_scale=truth["lower_depth_scale"],
                        lift_shape=truth.get("shape", ""), lift_side=truth.get("side", "")))
    return out


def run(which: str, out: Path, limit: int = 0) -> None:
    rows: list[dict] = []
    for i, path in enumerate(face_set(which)[:limit or None]):
        A = analyze_photo(str(path), name=path.stem)
        if not A.ok:
            print(f"  skip {path.stem}: {A.status}", flush=True)
            continue
        rng = np.random.default_rng(1000 + i)
        for kind in ("lift", "zero"):
            depth, lower = (float(x) for x in rng.uniform(0.8, 1.25, 2)) if DESIGN != "mesh-depth" else (1.0, 1.0)
            rgb, truth = after_image(A, kind, rng, i, depth, lower)
            before = A
            if DESIGN == "both-rendered":  # the before photo re-rendered too, with its own turn and distance
                k, pitch, yaw = nuisance(rng)
                before = analyze_photo(png(rendered(A, None, k, pitch, yaw, depth, lower)), name=path.stem + "+before")
                if not before.ok:
                    print(f"  skip {path.stem} {kind}: the re-rendered before photo {before.status}", flush=True)
                    continue
            rows += pair_rows(path.stem, kind, before, rgb, truth)
        print(f"{i + 1} {path.stem}: {len(rows)} rows", flush=True)
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", newline="") as f:
        w = csv.DictWriter(f, list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    print(f"wrote {out} ({len(rows)} rows)")


# ----------------------------------------------------------------------------- candidates (from both orders)


def _f(r: dict, k: str) -> float:
    return float(r[k])


def candidates(r: dict) -> dict[str, tuple[float, float]]:
    """Each candidate's (forward, reverse) reading of one row, each in its own before photo's sense
    (a swap-antisymmetric method gives forward = -reverse).

    - ``head``: as shipped (each order in its before photo's iris scale);
    - ``geomean``: each order rescaled to the geometric mean of both irises mapped through its alignment;
    - ``both_orders``: (AB - BA) / 2 for the forward, (BA - AB) / 2 for the reverse (exact by construction);
    - ``both_orders_before_scale``: as ``both_orders`` with the other order's change first carried into the before
      photo's iris scale (the scale part left, the alignment and mask parts averaged).
    """
    ab, ba = _f(r, "change_ab"), _f(r, "change_ba")
    m_a, m_b, s_ab, s_ba = _f(r, "m_a"), _f(r, "m_b"), _f(r, "s_ab"), _f(r, "s_ba")
    g_ab = np.sqrt(m_a * m_b / s_ab) / m_a  # pair scale over A's, forward
    g_ba = np.sqrt(m_b * m_a / s_ba) / m_b
    to_a = (m_a / s_ba) / m_b
    to_b = (m_b / s_ab) / m_a
    return {
        "head": (ab, ba),
        "geomean": (ab * g_ab, ba * g_ba),
        "both_orders": (0.5 * (ab - ba), 0.5 * (ba - ab)),
        "both_orders_before_scale": (0.5 * (ab - ba * to_a), 0.5 * (ba - ab * to_b)),
    }


def _q(x) -> str:
    x = np.asarray(x, dtype=np.float64)
    x = x[np.isfinite(x)]
    if not x.size:
        return "-"
    return f"{np.median(x):.3f} / {np.percentile(x, 90):.3f} / {x.max():.3f}"


def summary(path: Path) -> None:
    with open(path) as f:
        rows = list(csv.DictReader(f))
    faces = sorted({r["photo"] for r in rows})
    print(f"{path}: {len(rows)} rows, {len(faces)} faces")
    print("\n## Asymmetry |ab + ba| / max(floor_ab, floor_ba), median / p90 / max; beyond 1; parts (median |.| / floor)")
    print("| pair kind | row type | n | HEAD | beyond floor | scale removed (ba in A's iris) | regions on the same skin too |"
          " median \\|ab + ba\\| mm |")
    print("|---|---|---|---|---|---|---|---|")
    for kind in ("lift", "zero"):
        for rt in ("dense", "landmark"):
            sel = [r for r in rows if r["kind"] == kind and r["row_type"] == rt]
            if not sel:
                continue
            fl = np.array([max(_f(r, "floor_ab"), _f(r, "floor_ba")) for r in sel])
            ab = np.array([_f(r, "change_ab") for r in sel])
            asym = np.abs(ab + np.array([_f(r, "change_ba") for r in sel])) / fl
            sc = np.abs(ab + np.array([_f(r, "ba_scaled") for r in sel])) / fl
            mk = np.abs(ab + np.array([_f(r, "ba_masked") for r in sel])) / fl
            mm = np.abs(ab + np.array([_f(r, "change_ba") for r in sel]))
            print(f"| {kind} | {rt} | {len(sel)} | {_q(asym)} | {int((asym > 1).sum())} | {_q(sc)} | "
                  f"{_q(mk) if rt == 'dense' else '-'} | {np.median(mm):.4f} |")
    print("\n## Candidates (dense rows read both ways; lifted pairs: the error vs truth is the forward reading's)")
    print("| candidate | asym/floor lift: median / p90 / max | zero pairs | \\|fwd - truth\\| mm: median / p90 / max |"
          " beyond floor vs truth | zero pairs \\|fwd\\|/floor median / p90 | landmark asym/floor (lift) |")
    print("|---|---|---|---|---|---|---|")
    names = list(candidates(rows[0]))
    for name in names:
        line = [name]
        res = {}
        for kind in ("lift", "zero"):
            sel = [r for r in rows if r["kind"] == kind and r["row_type"] == "dense"]
            fl = np.array([max(_f(r, "floor_ab"), _f(r, "floor_ba")) for r in sel])
            fw = np.array([candidates(r)[name][0] for r in sel])
            rv = np.array([candidates(r)[name][1] for r in sel])
            res[kind] = (sel, fl, fw, rv)
        sel, fl, fw, rv = res["lift"]
        line.append(_q(np.abs(fw + rv) / fl))
        zsel, zfl, zfw, zrv = res["zero"]
        line.append(_q(np.abs(zfw + zrv) / zfl))
        t = np.array([_f(r, "truth") for r in sel])
        fa = np.array([_f(r, "floor_ab") for r in sel])
        err = np.abs(fw - t)
        line.append(_q(err))
        line.append(f"{int((err > fa).sum())} of {int(np.isfinite(err).sum())}")
        za = np.abs(zfw) / np.array([_f(r, "floor_ab") for r in zsel])
        line.append(f"{np.median(za):.3f} / {np.percentile(za, 90):.3f}")
        lsel = [r for r in rows if r["kind"] == "lift" and r["row_type"] == "landmark"]
        lfl = np.array([max(_f(r, "floor_ab"), _f(r, "floor_ba")) for r in lsel])
        lc = [candidates(r)[name] for r in lsel]
        line.append(_q(np.abs(np.array([a + b for a, b in lc])) / lfl))
        print("| " + " | ".join(line) + " |")
    ratio = np.array([_f(r, "m_b") / (_f(r, "m_a") * _f(r, "s_ab")) for r in rows if r["metric"] == "jawline_lift_mm"
                      and r["side"] == "mean"])
    print(f"\nafter iris scale carried into the before frame / before iris scale, |ratio - 1| %: "
          f"{_q(100 * np.abs(ratio - 1))} (n {ratio.size})")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--set", choices=("tuning", "heldout"), default="tuning")
    ap.add_argument("--out", type=Path)
    ap.add_argument("--summary", type=Path)
    ap.add_argument("--design", choices=("both-rendered", "real-before", "mesh-depth"), default="both-rendered",
                    help="which photos are re-rendered, with which depth (DESIGN)")
    ap.add_argument("--still", action="store_true", help="no head turn, no camera-distance change (STILL)")
    ap.add_argument("--limit", type=int, default=0, help="only the first N faces (a quick look)")
    args = ap.parse_args()
    if args.summary:
        summary(args.summary)
        return
    global DESIGN, STILL
    DESIGN, STILL = args.design, args.still
    if not SHARED.is_dir():
        print(f"no shared faces at {SHARED}: nothing to measure")
        return
    run(args.set, args.out or Path(f"/tmp/swap_{args.set}.csv"), args.limit)


if __name__ == "__main__":
    main()
