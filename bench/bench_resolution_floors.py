"""Noise floors against resolution: the nuisance-only pairs of ``bench_compare.py
--noise-floors`` on real faces downscaled to coarser pixel sizes, and the
resolution term of the default floors (``compare.floors.RESOLUTION_FLOOR_SLOPES``).

    python bench/bench_resolution_floors.py --set london --out /tmp/res_london.json   # measure (tuning set)
    python bench/bench_resolution_floors.py --fit /tmp/res_london.json                 # table + slopes
    python bench/bench_resolution_floors.py --set canada --out /tmp/res_canada.json    # held-out faces
    python bench/bench_resolution_floors.py --check /tmp/res_canada.json               # exceedances vs the model
    python bench/bench_resolution_floors.py --fit /tmp/res_london.json /tmp/res_canada.json /tmp/res_canada2.json  # pooled

Each face (the 12 London neutral portraits, the first 12 Canada portraits by
name, or the next dozens: ``canada2``, ``canada3``) is analysed at full size and then, for every level of :data:`LEVELS_MM_PER_PX`
coarser than its own, downscaled (``cv2.INTER_AREA``) so that its iris-calibrated
scale is that many mm per px, written as a JPEG of quality :data:`JPEG_QUALITY`
and analysed again.  Every nuisance of :data:`facemetrics.simulate.NUISANCES`
(except the identity) is applied to that analysis and the nuisance-only pair is
measured (``compare._measure``, as ``bench_compare.py --noise-floors``).  The
photos are read from ``../shared/faces`` and never copied into the project.

``--fit`` prints, per level, the floor of the package's rule
(:func:`facemetrics.compare.noise_floors_from_nuisances`: 1.25 x the largest
|change|) and the coefficient ``a`` of the model ``floor(m) = max(default, a x
m ** p)`` (``p`` = 2 for the dense-flow lifts, 1 for the rest:
:func:`facemetrics.compare.resolution_floor_power`): the rule applied to
``|change| / m ** p`` (``m`` the coarser analysed mm per px of the pair) over
the downscaled levels, i.e. the smallest ``a`` whose curve keeps 1.25 x every
downscaled pair's |change| below it.  ``--check`` counts the pairs whose
|change| exceeds the floor the package uses
(:func:`facemetrics.compare.resolution_floors`), per level.  The pose rows are
left out (their floor is the 3-D fit's own uncertainty).
"""

from __future__ import annotations

import argparse
import io
import json
import sys
from pathlib import Path

import cv2
import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))
from bench_compare import _variant  # noqa: E402

from facemetrics import analyze_photo  # noqa: E402
from facemetrics import compare as cp  # noqa: E402
from facemetrics import simulate as sim  # noqa: E402
from facemetrics.compare.floors import _floor_key, _round_up_2sig, resolution_floor_power  # noqa: E402

FACES = HERE.parent.parent / "shared" / "faces"

#: target scales, mm per px of the analysed photo (levels finer than a face's own scale are skipped)
LEVELS_MM_PER_PX = (0.4, 0.5, 0.62, 0.75, 0.85)

#: quality of the downscaled JPEG (a re-saved photo)
JPEG_QUALITY = 95


def _faces(name: str) -> list[Path]:
    if name == "london":
        return sorted((FACES / "london_ccby").glob("*_neutral.jpg"))
    if name == "canada":
        return sorted((FACES / "canada_ccby").glob("*.jpg"))[:12]
    if name == "canada2":  # a second held-out dozen
        return sorted((FACES / "canada_ccby").glob("*.jpg"))[12:24]
    if name == "canada3":  # and a third
        return sorted((FACES / "canada_ccby").glob("*.jpg"))[24:36]
    raise ValueError(name)


def _downscaled(a, target_mm_per_px: float):
    """The analysed photo downscaled to ``target`` mm/px (by its own calibration), as a re-analysed JPEG."""
    from PIL import Image

    f = a.calibration.mm_per_px / target_mm_per_px
    h, w = a.photo.rgb.shape[:2]
    small = cv2.resize(a.photo.rgb, (max(int(round(w * f)), 1), max(int(round(h * f)), 1)),
                       interpolation=cv2.INTER_AREA)
    buf = io.BytesIO()
    Image.fromarray(small).save(buf, "JPEG", quality=JPEG_QUALITY)
    return analyze_photo(buf.getvalue(), name=f"{a.name}@{target_mm_per_px}")


def measure(set_name: str, out: Path, levels_mm_per_px=LEVELS_MM_PER_PX, with_full: bool = True) -> None:
    cv2.setNumThreads(1)
    rows = []
    for path in _faces(set_name):
        full = analyze_photo(path)
        if not full.ok:
            print(f"skip {path.name}: {full.error}", file=sys.stderr)
            continue
        levels = [("full", full)] if with_full else []
        for m in levels_mm_per_px:
            if m > full.calibration.mm_per_px * 1.05:
                levels.append((str(m), _downscaled(full, m)))
        for level, a in levels:
            if not a.ok:
                print(f"{path.name} @ {level}: {a.status} ({a.error})", file=sys.stderr)
                continue
            for name, fn in sim.NUISANCES.items():
                if name == "identity":
                    continue
                b = _variant(a, fn(a).image)
                if not b.ok:
                    print(f"{path.name} @ {level} {name}: after {b.status}", file=sys.stderr)
                    continue
                pair = cp._measure(a, b)
                rows.append(dict(face=path.name, level=level, nuisance=name,
                                 mm_per_px=max(a.calibration.mm_per_px, b.calibration.mm_per_px),
                                 changes=[[m_, s_, float(v[2])] for (m_, s_), v in pair.values.items()]))
            print(f"{path.name} @ {level} ({a.calibration.mm_per_px:.3f} mm/px): done", file=sys.stderr, flush=True)
        out.write_text(json.dumps(rows))
    out.write_text(json.dumps(rows))
    print(f"{len(rows)} pairs -> {out}")


def _load(path: Path) -> list[dict]:
    rows = json.loads(Path(path).read_text())
    for r in rows:
        r["changes"] = {(m, s): v for m, s, v in r["changes"]}
    return rows


def _keys() -> list[tuple[str, str]]:
    """The floors with a resolution term: every default floor but the pose rows' (their floor is
    the 3-D fit's own uncertainty; the roll and scale nuisances are real roll / size changes)."""
    return [(spec.metric, kind) for spec in cp.METRICS for kind in ("side", "mean")
            if (spec.metric, kind) in cp.DEFAULT_NOISE_FLOORS and spec.metric not in cp.POSE_METRICS]


def _by_level(rows):
    levels: dict[str, list[dict]] = {}
    for r in rows:
        levels.setdefault(r["level"], []).append(r)
    return sorted(levels.items(), key=lambda kv: np.median([r["mm_per_px"] for r in kv[1]]))


def fit(paths: list[Path]) -> None:
    """The per-level rule floors and the model's coefficients from one or more ``--set`` JSONs (pooled)."""
    rows = [r for path in paths for r in _load(path)]
    path = ", ".join(str(p) for p in paths)
    levels = _by_level(rows)
    keys = _keys()
    print(f"{len(rows)} nuisance-only pairs from {len({r['face'] for r in rows})} faces ({path})")
    head = " | ".join(f"{lv} ({np.median([r['mm_per_px'] for r in rs]):.2f} mm/px, n={len(rs)})" for lv, rs in levels)
    print("\nrule floor (1.25 x largest |change|) per level\n")
    print(f"| metric | side | default | {head} | p | a (unit per (mm/px)^p) |")
    print("|---|---|---|" + "---|" * len(levels) + "---|---|")
    coarse = [r for r in rows if r["level"] != "full"]
    slopes = {}
    for key in keys:
        per = []
        for _, rs in levels:
            per.append(cp.noise_floors_from_nuisances([r["changes"] for r in rs]).get(key, float("nan")))
        p = resolution_floor_power(key[0])
        ratio = [abs(v) / r["mm_per_px"] ** p for r in coarse for (m, s), v in r["changes"].items()
                 if _floor_key(m, s) == key and np.isfinite(v)]
        a = _round_up_2sig(cp.NUISANCE_FLOOR_FACTOR * max(ratio)) if ratio else float("nan")
        slopes[key] = a
        print(f"| `{key[0]}` | {key[1]} | {cp.DEFAULT_NOISE_FLOORS[key]:.3g} | "
              + " | ".join(f"{v:.3g}" for v in per) + f" | {p} | {a:.3g} |")
    print("\nRESOLUTION_FLOOR_SLOPES = {")
    for key, a in slopes.items():
        print(f"    {key!r}: {a:.2g},")
    print("}")


def check(path: Path) -> None:
    """Fraction of nuisance-only changes above the package's resolution floors, per level."""
    rows = _load(path)
    keys = _keys()
    print(f"{len(rows)} nuisance-only pairs from {len({r['face'] for r in rows})} faces ({path}); "
          "pairs (and metric rows) whose |change| exceeds the floor of the package's rule")
    print("| level | median mm/px | pairs | pairs with any lift row over | lift rows over | "
          "any row over | rows over | worst (change / floor) | any row over the defaults alone |")
    print("|---|---|---|---|---|---|---|---|---|")
    for lv, rs in _by_level(rows):
        n_any = n_lift = rows_over = lift_over = n_rows = n_lift_rows = n_old = 0
        worst = (0.0, "")
        for r in rs:
            floors = cp.resolution_floors(cp.DEFAULT_NOISE_FLOORS, r["mm_per_px"])
            any_over = lift_any = old_over = False
            for (m, s), v in r["changes"].items():
                key = _floor_key(m, s)
                if key not in keys or not np.isfinite(v):
                    continue
                n_rows += 1
                lift = m.endswith("_lift_mm")
                n_lift_rows += lift
                q = abs(v) / floors[key]
                old_over |= abs(v) > cp.DEFAULT_NOISE_FLOORS[key]
                if q > worst[0]:
                    worst = (q, f"{m} {s} {r['face']} {r['nuisance']}")
                if q > 1:
                    any_over = True
                    rows_over += 1
                    if lift:
                        lift_any = True
                        lift_over += 1
            n_any += any_over
            n_lift += lift_any
            n_old += old_over
        print(f"| {lv} | {np.median([r['mm_per_px'] for r in rs]):.2f} | {len(rs)} | {n_lift} | "
              f"{lift_over} / {n_lift_rows} | {n_any} | {rows_over} / {n_rows} | {worst[0]:.2f} ({worst[1]}) | {n_old} |")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--set", choices=("london", "canada", "canada2", "canada3"), help="measure the nuisance-only pairs of this face set")
    p.add_argument("--out", type=Path, help="with --set: JSON of every pair's changes")
    p.add_argument("--levels", type=float, nargs="+", metavar="MM_PER_PX", help="with --set: these levels only "
                   f"(no full-size pairs) instead of {LEVELS_MM_PER_PX} and the full size")
    p.add_argument("--fit", type=Path, nargs="+", metavar="JSON", help="per-level rule floors and the model's "
                   "coefficients (several files: pooled)")
    p.add_argument("--check", type=Path, metavar="JSON", help="exceedances of the package's resolution floors")
    args = p.parse_args()
    if args.set:
        out = args.out or Path(f"/tmp/resolution_floors_{args.set}.json")
        if args.levels:
            measure(args.set, out, tuple(args.levels), with_full=False)
        else:
            measure(args.set, out)
    if args.fit:
        fit(args.fit)
    if args.check:
        check(args.check)


if __name__ == "__main__":
    main()
