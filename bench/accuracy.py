"""Reproduce the numbers and plots in docs/accuracy.md.

    python bench/accuracy.py              # all parts (~3 min on 2 cores)
    python bench/accuracy.py --quick      # skip the darkening sweep on real faces

1. Invariance: largest change of each metric group on the bundled sample
   photo under scaling, shift, roll, brightness and re-encoding (the same
   transforms and tolerances as tests/test_analyze.py).
2. Agreement with human annotation (``../shared/faces``, Face Research Lab
   189-point templates): distance of the hand-placed smile-line points
   158-163 to the found fold lines, and of the jaw points 126-132 to the jaw
   contour (refined on the image, ``jaw_metrics(..., image=)``; and the oval
   + 2 mm and the oval itself for comparison), on the *tuning* faces (24
   Canada and 6 London, fixed by sorted id before any result: parameters were
   chosen on these) and the *held-out* faces (16 Canada, 6 London).
   Millimetres use each photo's iris calibration; the ``px@ipd`` columns
   rescale pixels so that the hand-placed pupils are 63 mm apart (independent
   of the calibration).
3. Fold depth index with a smile (London pairs) and under synthetic darkening
   (0/5/10/20/30 %) on every face-side of the 52 neutral faces, placed with
   shapes the method does not assume: along the found line (Gaussian sigma
   1.5 mm; raised cosine 3 mm), along the Face Mesh chain 203-206-216 /
   423-426-436, and 2.5 or 3 mm either side of the found line.
4. Plots in docs/: distance distributions and the worst held-out faces'
   overlays, drawn as geometry only (no photo pixels leave ../shared/faces).
5. Cost of the jaw refinement on a 12 MP JPEG, as a ratio to ``analyze_photo``
   in the same run.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from conftest import SAMPLES, SHARED_FACES, read_tem  # noqa: E402
from facemetrics import analyze_photo  # noqa: E402
from facemetrics.folds import fold_metrics  # noqa: E402
from facemetrics.geometry import NLF_PATH_LEFT, NLF_PATH_RIGHT  # noqa: E402
from facemetrics.jaw import jaw_metrics  # noqa: E402
from test_analyze import METRICS, _transforms, tolerance  # noqa: E402

CANADA = SHARED_FACES / "canada_ccby"
LONDON = SHARED_FACES / "london_ccby"
DOCS = ROOT / "docs"
#: template points: smile lines (image-left = subject's right first) and jaw
SMILE = {"right": (158, 159, 160), "left": (161, 162, 163)}
JAW = tuple(range(126, 133))
FRACTIONS = (0.0, 0.05, 0.10, 0.20, 0.30)

GROUPS = {
    "lengths (_mm)": lambda c: c.endswith("_mm") and not c.startswith("nlf_length"),
    "area (_mm2)": lambda c: c.endswith("_mm2"),
    "ratios (_ipd, _ipd2)": lambda c: c.endswith(("_ipd", "_ipd2")),
    "jaw angles (_deg)": lambda c: c.endswith("_deg"),
    "fold depth index": lambda c: c.startswith("nlf_depth"),
    "fold contrast (_pct)": lambda c: c.endswith("_pct"),
    "fold length (_mm)": lambda c: c.startswith("nlf_length") and c.endswith("_mm"),
}


def canada_split(paths: list[Path]) -> tuple[list[Path], list[Path]]:
    """Tuning (24) and held-out (16) Canada faces, fixed by sorted id: every 5th
    face from the 2nd and from the 4th is held out."""
    paths = sorted(paths)
    held = [p for i, p in enumerate(paths) if i % 5 in (1, 3)]
    return [p for p in paths if p not in held], held


def london_split(paths: list[Path]) -> tuple[list[Path], list[Path]]:
    """Tuning (6) and held-out (6) London neutral faces, fixed by sorted id before any
    result (issue 10): even positions tune, odd positions are held out."""
    paths = sorted(paths)
    return paths[0::2], paths[1::2]


def invariance() -> None:
    from PIL import Image

    rgb = np.array(Image.open(SAMPLES / "astronaut_before.jpg").convert("RGB"))
    ref = analyze_photo(SAMPLES / "astronaut_before.jpg").to_row()
    rows = {k: analyze_photo(v, name=k).to_row() for k, v in _transforms(rgb).items()}
    print("| metric group | largest change | transform | tolerance there |")
    print("|---|---|---|---|")
    for group, pick in GROUPS.items():
        cols = [c for c in METRICS if pick(c)]
        d, c, k = max(((abs(r[c] - ref[c]), c, k) for k, r in rows.items() for c in cols))
        print(f"| {group} | {d:.3f} (`{c}`) | {k} | {tolerance(c, ref[c]):.3f} |")


def segment_distance(pt: np.ndarray, line: np.ndarray) -> float:
    """Distance from a point to a polyline (same units)."""
    a, b = line[:-1], line[1:]
    d = b - a
    t = np.clip(np.sum((pt - a) * d, axis=1) / np.maximum(np.sum(d * d, axis=1), 1e-12), 0, 1)
    return float(np.min(np.linalg.norm(a + t[:, None] * d - pt, axis=1)))


def distances(analysis, tem: np.ndarray) -> dict[str, np.ndarray]:
    """Per-point distances (mm, and px rescaled to a 63 mm hand-placed IPD)."""
    mm = analysis.calibration.mm_per_px
    hand = 63.0 / np.linalg.norm(tem[0] - tem[1])
    pts = analysis.points[:, :2]
    out = {}
    fold = [segment_distance(tem[i], getattr(analysis, f"nlf_{s}").line_px) for s in ("right", "left") for i in SMILE[s]]
    chain = [segment_distance(tem[i], pts[list(NLF_PATH_RIGHT if s == "right" else NLF_PATH_LEFT)])
             for s in ("right", "left") for i in SMILE[s]]
    refined = jaw_metrics(analysis.points, analysis.frame, image=analysis.photo.rgb).contour_px
    offset = jaw_metrics(analysis.points, analysis.frame).contour_px
    ref = [segment_distance(tem[i], refined) for i in JAW]
    edge = [segment_distance(tem[i], offset) for i in JAW]
    oval = [segment_distance(tem[i], analysis.jaw.oval_px) for i in JAW]
    out["jaw_refined_px"] = refined
    for name, d in (("fold", fold), ("chain", chain), ("jaw_refined", ref), ("jaw_edge", edge),
                    ("jaw_oval", oval)):
        out[name] = np.array(d) * mm
        out[name + "_ipd"] = np.array(d) * hand
    return out


def _stats(d: np.ndarray) -> str:
    return f"{np.median(d):.2f} | {np.percentile(d, 90):.2f} | {d.max():.2f}"


def annotation(sets: dict) -> dict:
    """Distances per set; prints the tables."""
    res = {}
    for name, paths in sets.items():
        rows = []
        for p in paths:
            a = analyze_photo(p)
            assert a.ok, a.error
            rows.append((p, a, read_tem(p.with_suffix(".tem")), distances(a, read_tem(p.with_suffix(".tem")))))
        res[name] = rows
    sets_out = dict(res)
    sets_out["all tuning"] = [r for name, rows in res.items() if "tuning" in name for r in rows]
    sets_out["all held-out"] = [r for name, rows in res.items() if "held-out" in name for r in rows]
    print("\n| measure | set | faces | points | median mm | p90 mm | max mm | median / p90 px@ipd63 |")
    print("|---|---|---|---|---|---|---|---|")
    for key, label in (("fold", "fold line (found) to smile line 158-163"),
                       ("chain", "Face Mesh path 203-206-216 to smile line"),
                       ("jaw_refined", "jaw contour refined on the image to jaw 126-132"),
                       ("jaw_edge", "oval + 2 mm (previous contour) to jaw 126-132"),
                       ("jaw_oval", "Face Mesh oval to jaw 126-132")):
        for name, rows in sets_out.items():
            d = np.concatenate([r[3][key] for r in rows])
            di = np.concatenate([r[3][key + "_ipd"] for r in rows])
            print(f"| {label} | {name} | {len(rows)} | {len(d)} | {_stats(d)} | "
                  f"{np.median(di):.2f} / {np.percentile(di, 90):.2f} |")
    return res


def smiles() -> None:
    print("\n| London person | smile index neutral / smiling | depth index neutral / smiling (mean of sides) | higher |")
    print("|---|---|---|---|")
    n = up = 0
    for neutral in sorted(LONDON.glob("*_neutral.jpg")):
        a = analyze_photo(neutral)
        b = analyze_photo(neutral.with_name(neutral.name.replace("_neutral", "_smiling")))
        da = 0.5 * (a.nlf_right.depth_index + a.nlf_left.depth_index)
        db = 0.5 * (b.nlf_right.depth_index + b.nlf_left.depth_index)
        n += 1
        up += db > da
        print(f"| {neutral.name.split('_')[1]} | {a.quality.smile_index:.3f} / {b.quality.smile_index:.3f} | "
              f"{da:.2f} / {db:.2f} | {'yes' if db > da else 'NO'} |")
    print(f"\nfold depth higher smiling for {up} of {n} London pairs")


def _darken(rgb: np.ndarray, line_px: np.ndarray, mm_per_px: float, fraction: float, width_mm: float,
            profile: str) -> np.ndarray:
    """Multiply the image by ``1 - fraction * g(d)`` near a polyline (only a box around it)."""
    pad = int(4 * width_mm / mm_per_px) + 2
    x0, y0 = np.maximum(np.floor(line_px.min(axis=0)).astype(int) - pad, 0)
    x1, y1 = np.ceil(line_px.max(axis=0)).astype(int) + pad
    box = rgb[y0:y1, x0:x1].astype(np.float32)
    mask = np.full(box.shape[:2], 255, np.uint8)
    cv2.polylines(mask, [np.round((line_px - (x0, y0)) * 8).astype(np.int32)], False, 0, 1, cv2.LINE_8, shift=3)
    d = cv2.distanceTransform(mask, cv2.DIST_L2, cv2.DIST_MASK_PRECISE) * mm_per_px
    if profile == "gauss":
        g = np.exp(-0.5 * (d / width_mm) ** 2)
    else:
        g = np.where(d < width_mm, 0.5 + 0.5 * np.cos(np.pi * d / width_mm), 0.0)
    out = rgb.copy()
    out[y0:y1, x0:x1] = np.clip(box * (1.0 - fraction * g)[..., None], 0, 255).round().astype(np.uint8)
    return out


def _beside(frame, line_px: np.ndarray, mm: float) -> np.ndarray:
    uv = frame.to_mm(line_px)
    t = np.gradient(uv, axis=0)
    t /= np.linalg.norm(t, axis=1, keepdims=True)
    return frame.to_px(uv + mm * np.stack([-t[:, 1], t[:, 0]], axis=1))


VARIANTS = {  # name -> (where, width mm, profile)
    "line, Gaussian 1.5 mm": ("line", 1.5, "gauss"),
    "line, cosine 3 mm": ("line", 3.0, "cos"),
    "Face Mesh chain, Gaussian 1.5 mm": ("chain", 1.5, "gauss"),
    "2.5 mm beside (+), Gaussian 1 mm": (2.5, 1.0, "gauss"),
    "2.5 mm beside (-), Gaussian 1 mm": (-2.5, 1.0, "gauss"),
    "3 mm beside (+), cosine 2 mm": (3.0, 2.0, "cos"),
    "3 mm beside (-), Gaussian 1.5 mm": (-3.0, 1.5, "gauss"),
}


def darkening(rows: list) -> None:
    fails = {v: [] for v in VARIANTS}
    n_sides = 0
    for p, a, _, _ in rows:
        rgb, mm = a.photo.rgb, a.calibration.mm_per_px
        for side in ("right", "left"):
            n_sides += 1
            found = getattr(a, f"nlf_{side}")
            for name, (where, width, profile) in VARIANTS.items():
                if where == "line":
                    line = found.line_px
                elif where == "chain":
                    line = a.points[list(NLF_PATH_RIGHT if side == "right" else NLF_PATH_LEFT), :2]
                else:
                    line = _beside(a.frame, found.line_px, where)
                depth = [fold_metrics(_darken(rgb, line, mm, fr, width, profile) if fr else rgb, a.points, a.frame,
                                      side).depth_index for fr in FRACTIONS]
                if not np.all(np.diff(depth) > 0):
                    fails[name].append(f"{p.stem} {side}: {np.round(depth, 2).tolist()}")
    print(f"\n| synthetic darkening 0/5/10/20/30 % | face-sides strictly rising (of {n_sides}) | failures |")
    print("|---|---|---|")
    for name, f in fails.items():
        print(f"| {name} | {n_sides - len(f)} | {'; '.join(f[:3])} |")


def plots(res: dict) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    for ax, (keys, title) in zip(axes, ((("fold", "chain"), "smile line 158-163"),
                                        (("jaw_refined", "jaw_edge", "jaw_oval"), "jaw points 126-132"))):
        for key, ls in zip(keys, ("-", ":", "--")):
            for name, rows in res.items():
                d = np.sort(np.concatenate([r[3][key] for r in rows]))
                ax.plot(d, np.arange(1, len(d) + 1) / len(d), ls, label=f"{key} · {name}")
        ax.axvline(1.5 if "fold" in keys else 3.0, color="grey", lw=0.8)
        if "fold" in keys:
            ax.axvline(4.0, color="grey", lw=0.8, ls=":")
        ax.set_xlabel("distance to hand-placed points, mm")
        ax.set_ylabel("fraction of points ≤ x")
        ax.set_title(title)
        ax.set_xlim(0, 8)
        ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(DOCS / "accuracy_distances.png", dpi=90)
    plt.close(fig)

    # worst held-out faces, drawn as geometry only (no photo pixels: the photos stay in
    # ../shared/faces): levelled mm, the face's Face Mesh points as grey context
    held = [r for name, rows in res.items() if "held-out" in name for r in rows]
    for key, fname, title in (
            ("fold", "accuracy_worst_folds.png",
             "found fold line (red), Face Mesh path 203-206-216 / 423-426-436 (grey dashed), hand smile-line points (green)"),
            ("jaw_refined", "accuracy_worst_jaws.png",
             "jaw contour refined on the image (red), oval + 2 mm (orange dotted), Face Mesh oval (blue dashed), "
             "hand jaw points 126-132 (green)")):
        worst = sorted(held, key=lambda r: -np.max(r[3][key]))[:4]
        fig, axes = plt.subplots(1, 4, figsize=(14, 4.4))
        for ax, (p, a, tem, d) in zip(axes, worst):
            f = a.frame
            mesh = f.to_mm(a.points[:468, :2])
            ax.plot(mesh[:, 0], mesh[:, 1], ".", color="0.8", ms=2)
            if key == "fold":
                for s, idx in (("right", NLF_PATH_RIGHT), ("left", NLF_PATH_LEFT)):
                    line = f.to_mm(getattr(a, f"nlf_{s}").line_px)
                    ax.plot(line[:, 0], line[:, 1], "r-", lw=1.5)
                    chain = f.to_mm(a.points[list(idx), :2])
                    ax.plot(chain[:, 0], chain[:, 1], "--", color="0.4", lw=1)
                hand = f.to_mm(tem[[*SMILE["right"], *SMILE["left"]]])
            else:
                oval = f.to_mm(a.jaw.oval_px)
                edge = f.to_mm(d["jaw_refined_px"])
                plus2 = f.to_mm(jaw_metrics(a.points, f).contour_px)
                ax.plot(oval[:, 0], oval[:, 1], "b--", lw=1)
                ax.plot(plus2[:, 0], plus2[:, 1], ":", color="tab:orange", lw=1)
                ax.plot(edge[:, 0], edge[:, 1], "r-", lw=1.5)
                hand = f.to_mm(tem[list(JAW)])
            ax.plot(hand[:, 0], hand[:, 1], "o", color="tab:green", ms=5)
            lo, hi = hand.min(axis=0) - 12, hand.max(axis=0) + 12
            ax.set_xlim(lo[0], hi[0])
            ax.set_ylim(hi[1], lo[1])  # v points down the face
            ax.set_aspect("equal")
            ax.set_title(f"{p.stem}: max {np.max(d[key]):.1f} mm", fontsize=8)
            ax.set_xlabel("u, mm (subject's left →)", fontsize=7)
            ax.tick_params(labelsize=6)
        fig.suptitle(f"worst held-out faces: {title}", fontsize=9)
        fig.tight_layout()
        fig.savefig(DOCS / fname, dpi=80)
        plt.close(fig)


def timing() -> None:
    """Jaw refinement on a 12 MP JPEG, as a ratio to analyze_photo in the same run."""
    sys.path.insert(0, str(ROOT / "bench"))
    from _common import median_ms, phone_photo

    with tempfile.TemporaryDirectory() as tmp:
        path = phone_photo(Path(tmp) / "phone_12mp.jpg")
        a = analyze_photo(path)
        assert a.ok, a.error
        t_an = median_ms(lambda: analyze_photo(path))
        t_plain = median_ms(lambda: [jaw_metrics(a.points, a.frame) for _ in range(10)]) / 10
        t_ref = median_ms(lambda: [jaw_metrics(a.points, a.frame, image=a.photo.rgb) for _ in range(10)]) / 10
    print(f"\n12 MP JPEG (analysed at {a.photo.rgb.shape[1]}x{a.photo.rgb.shape[0]} px): analyze_photo {t_an:.1f} ms; "
          f"jaw_metrics {t_plain:.2f} ms, with the image refinement {t_ref:.2f} ms: the refinement adds "
          f"{t_ref - t_plain:.2f} ms = {(t_ref - t_plain) / t_an:.3f} x analyze_photo")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="skip the synthetic darkening sweep on real faces")
    p.add_argument("--no-invariance", action="store_true")
    p.add_argument("--timing", action="store_true", help="only time the jaw refinement (12 MP JPEG)")
    args = p.parse_args()
    if args.timing:
        timing()
        return
    if not args.no_invariance:
        invariance()
    if not (CANADA.is_dir() and LONDON.is_dir()):
        print(f"({SHARED_FACES} absent: annotation parts skipped)")
        return
    tune, held = canada_split(list(CANADA.glob("*.jpg")))
    l_tune, l_held = london_split(list(LONDON.glob("*_neutral.jpg")))
    res = annotation({"Canada tuning": tune, "London tuning": l_tune,
                      "Canada held-out": held, "London held-out": l_held})
    plots(res)
    timing()
    smiles()
    if not args.quick:
        darkening([r for rows in res.values() for r in rows])


if __name__ == "__main__":
    main()
