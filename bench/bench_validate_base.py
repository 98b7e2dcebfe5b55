"""Why ``facemetrics validate``'s own nuisance floor is above the default (docs/validation.md section 2).

Section 2 of ``validate`` compares its 640-px base photo (``validate._base(640)``: the bundled sample
reduced) with each of :data:`facemetrics.simulate.NUISANCES` and puts the changes through the default
floors' rule (:func:`facemetrics.compare.noise_floors_from_nuisances`).  This bench runs the same 14
pairs on variants of that base, to tell the pixel size from the file and the jitter:

- ``base``: ``validate``'s base (the sample, a JPEG of quality 92, reduced to 640 px);
- ``never_jpeg``: the same face never saved as JPEG (``sample_images/make_samples.astronaut_portrait()``,
  reduced the same way);
- ``full``: the sample at its full size (1280 x 1600 px);
- ``jittered``: the base jittered once as a simulated study's photos are (``simulate.DEFAULT_JITTER``:
  roll, scale, brightness, noise sigma 2, JPEG q92; ``default_rng(seed)``).

Prints per variant its size, its analysed mm per px, the rule's floor and the largest |false lift| of
``jawline_lift_mm`` and ``mouth_corner_lift_mm`` (mean rows), and the resolution floors
``compare_photos`` would apply at that pixel size::

    PYTHONPATH=. python bench/bench_validate_base.py            # ~30 s on 2 cores
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "sample_images"))

#: the rows section 2 reports (mean side)
ROWS = ("jawline_lift_mm", "mouth_corner_lift_mm")
VARIANTS = ("base", "never_jpeg", "full", "jittered")


def reduce_to(rgb: np.ndarray, max_side: int) -> np.ndarray:
    """``rgb`` (H, W, 3) uint8 reduced so that its longer side is at most `max_side` px, as
    ``validate._base`` does (``cv2.INTER_AREA``; never enlarged)."""
    f = min(1.0, max_side / max(rgb.shape[:2]))
    return cv2.resize(rgb, None, fx=f, fy=f, interpolation=cv2.INTER_AREA)


def variant(name: str, seed: int = 0) -> np.ndarray:
    """The photo of variant `name` (module docstring), (H, W, 3) uint8 RGB."""
    from facemetrics import validate
    from facemetrics.loader import load_photo
    from facemetrics.simulate import DEFAULT_JITTER, photo_jitter

    if name == "never_jpeg":
        from make_samples import astronaut_portrait
        return reduce_to(astronaut_portrait(), 640)
    sample = load_photo(validate._SAMPLE).rgb
    if name == "full":
        return sample
    base = reduce_to(sample, 640)
    if name == "jittered":
        return np.asarray(photo_jitter(base, np.random.default_rng(seed), DEFAULT_JITTER)[0])
    return base


def rule_floors(rgb: np.ndarray) -> dict:
    """Section 2 of ``validate`` on `rgb`: ``{"mm_per_px", (row, "floor"), (row, "largest")}``, mm."""
    from facemetrics import analyze_photo, simulate, validate
    from facemetrics.compare import noise_floors_from_nuisances
    from facemetrics.simulate import encode_png

    base = analyze_photo(encode_png(rgb), name="base")
    pairs = [validate._metric_changes(validate._changes(base, analyze_photo(encode_png(fn(base).image), name=n)))
             for n, fn in simulate.NUISANCES.items()]
    floors = noise_floors_from_nuisances(pairs)
    out = {"mm_per_px": float(base.calibration.mm_per_px)}
    for m in ROWS:
        out[(m, "floor")] = floors.get((m, "mean"), float("nan"))
        out[(m, "largest")] = max(abs(p.get((m, "mean"), 0.0)) for p in pairs)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--variants", nargs="+", choices=VARIANTS, default=list(VARIANTS))
    ap.add_argument("--seed", type=int, default=0, help="the jitter's seed (default 0)")
    a = ap.parse_args()
    from facemetrics.compare import DEFAULT_NOISE_FLOORS
    from facemetrics.compare.floors import resolution_floors

    print("default floors (mean): " + ", ".join(f"{m} {DEFAULT_NOISE_FLOORS[(m, 'mean')]:.3f} mm" for m in ROWS))
    for name in a.variants:
        t0 = time.perf_counter()
        rgb = variant(name, a.seed)
        r = rule_floors(rgb)
        res = resolution_floors(DEFAULT_NOISE_FLOORS, r["mm_per_px"])
        print(f"{name}: {rgb.shape[1]} x {rgb.shape[0]} px, {r['mm_per_px']:.3f} mm/px; rule floor (largest |false "
              "lift|): " + ", ".join(f"{m} {r[(m, 'floor')]:.3f} mm ({r[(m, 'largest')]:.3f})" for m in ROWS)
              + "; resolution floors there: " + ", ".join(f"{res[(m, 'mean')]:.3f}" for m in ROWS)
              + f" mm ({time.perf_counter() - t0:.0f} s)", flush=True)


if __name__ == "__main__":
    main()
