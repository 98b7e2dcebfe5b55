"""The uncertainty of the comparison's cover message's area (stop 62, h12): "the lower face looks covered or changed in
one photo near the chin ... After alignment and tone matching about 12 cm² there differs from the other photo ..."
gives a count of difference-map cells times the cell area with no ±.

    python bench/occlusion_pair_area_uncertainty.py --split tune    # London tuning neutral 6 + Canada tuning 0, 4, ... (6)
    python bench/occlusion_pair_area_uncertainty.py --split held --floor F   # held out at the tuning's F (read once)

Needs ../shared/faces (the faces of ``bench/gate_figures_uncertainty.py`` and ``bench/occlusion_area_uncertainty.py``).
Per face: two occluders of ``bench/bench_occlusion.py``'s ``OCCLUDERS`` drawn at random (seed fixed per split) on
the photo, the pair (clean before, covered after) measured as compare measures it (``compare.measure._measure``)
and its areas read (``compare.occlusion.covered_areas``); when it finds one, the largest area ``A0`` (mm²), then the
covered photo under each of the 8 nuisances of ``simulate.NUISANCES`` that change no light (roll +-3, scale 0.85 /
1.15, shift, JPEG 70, noise, blur) measured against the same clean photo, and its largest area ``A1``.

The rule (written and committed before any run):

- ``D = log(A1 / A0)`` per (pair, nuisance); no area found (``A1`` 0) or the photo not measured is a pair with
  ``|D|`` infinite (counted, never within).
- ``OCCLUSION_AREA_REPEAT_LOG`` = the 95th percentile of ``|D|`` over the tuning pairs, rounded up to 2 significant
  digits; the message then reads "``A`` ± ``A (exp(F) - 1)`` cm²" (the upper half of ``exp(D +- F)``), in whole cm².
- Success: at least 90 % of the held-out pairs within F; reported whatever they show (Wilson 95 % interval; the
  pairs of one cover are not independent, so it is too narrow).  On failure the message keeps "about" and no
  constant ships.
- Not covered: the area's bias against the cover's true size, and a retake's different cover.
"""

from __future__ import annotations

import dataclasses
import json
import os
import sys
from pathlib import Path

import numpy as np

os.environ.setdefault("GLOG_minloglevel", "2")
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from facemetrics import analyze_photo  # noqa: E402
from facemetrics import simulate as sim  # noqa: E402
from facemetrics.analyze import analyze_loaded  # noqa: E402
from facemetrics.compare import occlusion as oc  # noqa: E402
from facemetrics.compare.measure import _measure  # noqa: E402
from bench_occlusion import OCCLUDERS  # noqa: E402
from occlusion_area_uncertainty import LIGHTLESS, faces  # noqa: E402
from occlusion_area_uncertainty import main as area_main  # noqa: E402


def _largest(a, b) -> float:
    if not (a.ok and b.ok):
        return float("nan")
    found = oc.covered_areas(a, _measure(a, b))
    return float(found.areas[0].area_mm2) if found.areas else 0.0


def run(split: str, out: Path) -> list[dict]:
    rng = np.random.default_rng(20261209 if split == "tune" else 20261210)
    names = sorted(OCCLUDERS)
    rows = []
    for path in faces(split):
        a = analyze_photo(path)
        if not a.ok:
            continue
        for n in rng.choice(names, 2, replace=False):
            b = analyze_photo(OCCLUDERS[str(n)](a), name=f"{path.stem}_{n}")
            a0 = _largest(a, b)
            if not a0 > 0:
                rows.append(dict(face=path.stem, cover=str(n), size=0, region="", op="", a0=a0, a1=np.nan))
                continue
            for name in LIGHTLESS:
                c = analyze_loaded(dataclasses.replace(b.photo, rgb=sim.NUISANCES[name](b).image))
                rows.append(dict(face=path.stem, cover=str(n), size=0, region="largest", op=name, a0=a0,
                                 a1=_largest(a, c)))
        print(f"{path.stem}: {len(rows)} rows", file=sys.stderr, flush=True)
    out.write_text(json.dumps(rows))
    return rows


if __name__ == "__main__":
    area_main(run, "occ_pair_area", __doc__)
