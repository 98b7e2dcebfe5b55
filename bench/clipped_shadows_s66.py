"""Stop 66 review (r4): the clipped flag's ``±`` (``quality.CLIPPED_REPEAT_REL``, measured by
``bench/flag_figures_s66.py`` on photos made 40 % brighter: clipped highlights) on clipped shadows.

    python bench/clipped_shadows_s66.py --dark brightness 0.05     # every channel x 0.05
    python bench/clipped_shadows_s66.py --dark gamma 4              # tone curve 255 (I / 255) ** 4: shadows clip

Exploratory, on tuning faces only (every third of ``bench/accuracy.py``'s ``canada_split`` tuning list; no held-out
face read), no rule: each face made dark, against itself under the 8 nuisances that keep the light
(``gate_figures_uncertainty.LIGHTLESS``), pairs whose dark base clips at least 2.5 % of the face, counted within
``CLIPPED_REPEAT_REL`` x the share (k6's 93 %).  Needs ../shared/faces; caches rows to /tmp/r4_shadow_<dark>.json.
Results (2026-12-07, docs/validation.md 28b): brightness 0.05, 47/64 = 73.4 % (61.5-82.7 %); gamma 4, 33/40 = 82.5 %
(68.0-91.3 %); the noise nuisance fails every face in both.
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

from facemetrics import analyze_photo  # noqa: E402
from facemetrics import simulate as sim  # noqa: E402
from facemetrics.quality import CLIPPED_REPEAT_REL  # noqa: E402
from accuracy import CANADA, canada_split  # noqa: E402
from gate_figures_uncertainty import LIGHTLESS, _variant  # noqa: E402
from light_uncertainty import wilson  # noqa: E402

BASE_MIN = 0.025


def rows(kind: str, value: float) -> list:
    """(photo, nuisance, dark base's clipped share, change) for every third Canada tuning face."""
    tune, _ = canada_split(sorted(CANADA.glob("*.jpg")))
    out = []
    for p in tune[::3]:
        a = analyze_photo(p)
        base = _variant(a, (sim.gamma(a, value) if kind == "gamma" else sim.brightness(a, value)).image)
        if not base.ok:
            continue
        f = base.quality.clipped_fraction
        for name in LIGHTLESS:
            b = _variant(base, sim.NUISANCES[name](base).image)
            if b.ok:
                out.append((p.stem, name, f, b.quality.clipped_fraction - f))
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--dark", nargs=2, default=("gamma", "4"), metavar=("KIND", "VALUE"),
                    help="brightness FACTOR or gamma G")
    args = ap.parse_args()
    kind, value = args.dark[0], float(args.dark[1])
    cache = Path(f"/tmp/r4_shadow_{kind}_{value:g}.json")
    got = json.loads(cache.read_text()) if cache.exists() else rows(kind, value)
    cache.write_text(json.dumps(got))
    kept = [r for r in got if r[2] >= BASE_MIN]
    d, f = np.abs([r[3] for r in kept]), np.array([r[2] for r in kept])
    k = int((d <= CLIPPED_REPEAT_REL * f).sum())
    lo, hi = wilson(k, len(d))
    print(f"{len({r[0] for r in kept})} dark bases >= {BASE_MIN}, {len(kept)} pairs; within {CLIPPED_REPEAT_REL} x "
          f"share {k}/{len(d)} = {100 * k / len(d):.1f} % ({100 * lo:.1f}-{100 * hi:.1f} %); |change| / share 95th "
          f"percentile {np.percentile(d / f, 95):.3f}; bases {f.min():.3f}-{f.max():.3f}")
    for name in LIGHTLESS:
        rel = [abs(r[3]) / r[2] for r in kept if r[1] == name]
        print(f"  {name}: {sum(x <= CLIPPED_REPEAT_REL for x in rel)}/{len(rel)} within, median {np.median(rel):.3f}")


if __name__ == "__main__":
    main()
