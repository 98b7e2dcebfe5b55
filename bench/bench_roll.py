"""How much an in-plane head roll moves every row of ``compare_photos`` when nothing changed.

Each face is padded (edge pixels replicated, a quarter of its size on every side, so a rotated
face stays whole in the picture), then rotated about the face centre by
:func:`facemetrics.simulate.roll` by each angle of :data:`ANGLES_DEG` and compared with the padded
original; one CSV row per (face, angle, metric, side) holds the change, the floor, the verdict
and the measured ``head_roll_change_deg``.  ``--lift`` also compares the original with a 2 mm
:func:`facemetrics.simulate.lift` rotated by +-10 degrees (the jawline must still read a lift)::

    python bench/bench_roll.py --set tuning  -o /tmp/roll_tuning.csv
    python bench/bench_roll.py --fit /tmp/roll_tuning.csv
    python bench/bench_roll.py --set heldout --lift -o /tmp/roll_heldout.csv
    python bench/bench_roll.py --set fresh --lift -o /tmp/roll_fresh.csv

``tuning`` (the sample and London 003, 021, 024, 037, as ``bench/bench_pose3d.py``) chose
:data:`facemetrics.compare.ROLL_ROW_FLOORS` (2026-12-02, ``--fit``: the 95th percentile of
``|change| / (|roll| - 3)`` over the cases rolled beyond the 3 degrees the default floors cover,
rounded up to two significant digits); ``heldout`` (London 038, 061, 062, 087, 107, 119, 136,
140 and the first four Canada faces) was looked at once with a first version of the rule
(dividing by ``|roll|``), which was then changed; ``fresh`` (the next eight Canada faces) was run
once, after that (docs/compare.md "In-plane head roll: measured").  ``--lift`` rotates the lift by
+-10 degrees.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "faces"
sys.path.insert(0, str(ROOT))

#: in-plane rotations, degrees (positive = counter-clockwise in the image)
ANGLES_DEG = (0, 3, -3, 5, -5, 10, -10, 15, -15, 20, -20, 30, -30)

#: the roll the default floors were measured with (simulate.NUISANCES: roll +-3 degrees)
COVERED_DEG = 3.0

TUNING = ("london_003", "london_021", "london_024", "london_037")
HELDOUT = ("london_038", "london_061", "london_062", "london_087", "london_107", "london_119", "london_136",
           "london_140")


def faces(which: str) -> list[Path]:
    london = sorted((SHARED / "london_ccby").glob("*_neutral.jpg"))
    if which == "tuning":
        return [ROOT / "sample_images" / "astronaut_before.jpg"] + [p for p in london if p.name.startswith(TUNING)]
    canada = sorted((SHARED / "canada_ccby").glob("*.jpg"))
    if which == "fresh":
        return canada[4:12]
    return [p for p in london if p.name.startswith(HELDOUT)] + canada[:4]


def pad(rgb: np.ndarray, fraction: float = 0.25) -> np.ndarray:
    """``rgb`` with ``fraction`` of its height / width of replicated edge added on every side."""
    import cv2

    h, w = rgb.shape[:2]
    py, px = int(round(fraction * h)), int(round(fraction * w))
    return cv2.copyMakeBorder(rgb, py, py, px, px, cv2.BORDER_REPLICATE)


def _rows(face: str, case: str, angle: float, c) -> list[dict]:
    roll = c.cues.get("pose_roll_deg", float("nan")) if c.cues else float("nan")
    out = []
    for ch in c.changes:
        out.append(dict(face=face, case=case, angle_deg=angle, status=c.status, roll_est_deg=roll,
                        metric=ch.metric, side=ch.side, change=ch.change, floor=ch.noise_floor, verdict=ch.verdict))
    return out


def run(which: str, out: Path, with_lift: bool) -> None:
    import facemetrics as fm
    from facemetrics import simulate
    from facemetrics.analyze import analyze_loaded

    rows = []
    for path in faces(which):
        a0 = fm.analyze_photo(path)
        if not a0.ok:
            print(f"skip {path.name}: {a0.status}", flush=True)
            continue
        a = analyze_loaded(dataclasses.replace(a0.photo, rgb=pad(a0.photo.rgb)))
        for angle in ANGLES_DEG:
            img = a.photo.rgb if angle == 0 else simulate.roll(a, float(angle)).image
            b = analyze_loaded(dataclasses.replace(a.photo, rgb=img))
            c = fm.compare_photos(a, b)
            rows += _rows(path.name, "roll", angle, c)
            beyond = [f"{x.metric}/{x.side} {x.change:+.2f}>{x.noise_floor:.2f}" for x in c.changes
                      if x.verdict not in ("within_noise", "refused", "uncertain") and "head_" not in x.metric]
            print(f"{path.name[:14]:14s} roll {angle:+4d} est {c.cues.get('pose_roll_deg', np.nan) if c.cues else np.nan:+6.2f} "
                  f"{c.status:8s} verdicts: {'; '.join(beyond) or '-'}", flush=True)
        if with_lift:
            s = simulate.lift(a, 2.0)
            lifted = analyze_loaded(dataclasses.replace(a.photo, rgb=s.image))
            for angle in (10, -10):
                b = analyze_loaded(dataclasses.replace(a.photo, rgb=simulate.roll(lifted, float(angle)).image))
                c = fm.compare_photos(a, b)
                rows += _rows(path.name, "lift2", angle, c)
                j = c.get("jawline_lift_mm", "mean")
                jl = c.get("jawline_lift_landmarks_mm", "mean")
                print(f"{path.name[:14]:14s} lift2 roll {angle:+d}: jawline {j.change:+.2f} ({j.verdict}), "
                      f"landmarks {jl.change:+.2f}/{jl.noise_floor:.2f} ({jl.verdict})", flush=True)
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", newline="") as f:
        w = csv.DictWriter(f, list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    print(f"wrote {out} ({len(rows)} rows)")


def fit(paths: list[Path]) -> None:
    """Per row: the floor, the largest |change| at 0 and +-3 degrees and beyond, and the rule of
    ``ROLL_ROW_FLOORS``: the 95th percentile of |change| / (|roll| - COVERED_DEG) over the pairs rotated
    beyond COVERED_DEG (``|roll|`` the measured ``head_roll_change_deg``), rounded up to 2 significant digits."""
    from facemetrics.compare.floors import _round_up_2sig

    per: dict[tuple[str, str], list[tuple[float, float, float, float]]] = {}
    for p in paths:
        with open(p) as f:
            for r in csv.DictReader(f):
                if r["case"] != "roll" or r["status"] == "refused" or r["metric"].startswith(("head_", "camera_")):
                    continue
                ch, roll = float(r["change"]), abs(float(r["roll_est_deg"]))
                if np.isfinite(ch) and np.isfinite(roll):
                    kind = "mean" if r["side"] == "mean" else "side"
                    per.setdefault((r["metric"], kind), []).append(
                        (abs(float(r["angle_deg"])), roll, abs(ch), float(r["floor"])))
    print(f"{'row':38s} {'floor':>7s} {'max<=3':>7s} {'max>3':>7s} {'p95/deg':>8s} {'->':>7s} {'n':>3s}")
    for key, v in sorted(per.items()):
        v = np.array(v)
        lo, hi = v[v[:, 0] <= COVERED_DEG], v[v[:, 0] > COVERED_DEG]
        if not len(hi):
            continue
        p95 = float(np.percentile(hi[:, 2] / (hi[:, 1] - COVERED_DEG), 95))
        print(f"{key[0] + '/' + key[1]:38s} {np.median(v[:, 3]):7.3g} {lo[:, 2].max() if len(lo) else np.nan:7.3g} "
              f"{hi[:, 2].max():7.3g} {p95:8.3g} {_round_up_2sig(p95):7.3g} {len(hi):3d}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--set", choices=("tuning", "heldout", "fresh"))
    ap.add_argument("-o", "--out", type=Path)
    ap.add_argument("--lift", action="store_true", help="also a 2 mm lift rotated by +-10 degrees")
    ap.add_argument("--fit", nargs="+", type=Path)
    args = ap.parse_args()
    if args.fit:
        fit(args.fit)
    elif args.set and args.out:
        run(args.set, args.out, args.lift)
    else:
        ap.error("give --set and -o, or --fit")


if __name__ == "__main__":
    main()
