"""The uncertainty of the fold contrast's skin-reference changes (stop 62, h7): "Fold contrast: the skin beside the
fold line changed (right -40.0 % medial, +3.0 % lateral; more than 12 % either way)" gave its figures without one.

    python bench/contrast_sides_uncertainty.py --split tune
    python bench/contrast_sides_uncertainty.py --split held --floor F

Needs ../shared/faces; the faces of ``bench/gate_figures_uncertainty.py`` (12 tuning, 12 held out).  Per face
(``analyze_photo``) ``compare_photos`` of the photo against each of the 8 nuisances of ``simulate.NUISANCES`` that
change no light (roll +-3, scale 0.85 / 1.15, shift, JPEG 70, noise, blur; a brightness or gamma change moves the
skin's level itself): the comparison's ``fold_contrast_sides_change_pct`` (each side's medial and lateral reference,
% of the before photo's level); the skin did not change, truth 0.

The rule (written and committed before any run): F = the 95th percentile of |change| over the tuning pairs' four
references (medial and lateral of both sides pooled), rounded up to 2 significant digits, in % of the level; the
message then gives each figure with F as its ± (95 %, a repeat reading's spread).  Success: at least 90 % of the
held-out references within F; reported whatever they show.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from facemetrics import analyze_photo, compare_photos  # noqa: E402
from facemetrics import simulate as sim  # noqa: E402
from gate_figures_uncertainty import LIGHTLESS, _variant, faces  # noqa: E402
from light_uncertainty import wilson  # noqa: E402


def run(split: str, out: Path) -> list[dict]:
    rows = []
    for path in faces(split):
        a = analyze_photo(path)
        if not a.ok:
            continue
        for name in LIGHTLESS:
            b = _variant(a, sim.NUISANCES[name](a).image)
            if not b.ok:
                continue
            c = compare_photos(a, b, check_order=False)
            for side, (med, lat) in c.cues.get("fold_contrast_sides_change_pct", {}).items():
                rows += [dict(face=path.stem, op=name, side=side, ref="medial", d=float(med)),
                         dict(face=path.stem, op=name, side=side, ref="lateral", d=float(lat))]
        print(f"{path.stem}: {len(rows)} rows", file=sys.stderr, flush=True)
    out.write_text(json.dumps(rows))
    return rows


def summary(rows: list[dict], floor: float | None = None) -> None:
    d = np.abs([r["d"] for r in rows if np.isfinite(r["d"])])
    if floor is None:
        p95 = float(np.percentile(d, 95))
        step = 10 ** (np.floor(np.log10(p95)) - 1)
        floor = float(np.round(np.ceil(p95 / step - 1e-9) * step, 6))
        print(f"95th percentile |change| {p95:.4f} % -> F = {floor} %")
    n, c = len(d), int((d <= floor).sum())
    lo, hi = wilson(c, n)
    print(f"within F {floor} %: {c}/{n} = {100 * c / n:.1f} % (95 % CI {100 * lo:.1f}-{100 * hi:.1f} %); median |change| "
          f"{np.median(d):.3f} %, largest {d.max():.3f} %; beyond the 12 % check: {int((d > 12).sum())}")
    for ref in ("medial", "lateral"):
        e = np.abs([r["d"] for r in rows if r["ref"] == ref and np.isfinite(r["d"])])
        print(f"  {ref}: within {int((e <= floor).sum())}/{len(e)}, 95th percentile {np.percentile(e, 95):.3f} %")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--split", choices=("tune", "held"), default="tune")
    p.add_argument("--cache", type=Path)
    p.add_argument("--floor", type=float)
    args = p.parse_args()
    cache = args.cache or Path(f"/tmp/h7_sides_{args.split}.json")
    rows = json.loads(cache.read_text()) if args.cache else run(args.split, cache)
    summary(rows, args.floor)


if __name__ == "__main__":
    main()
