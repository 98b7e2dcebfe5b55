"""Reproduce the numbers in docs/accuracy.md.

    python bench/accuracy.py            # needs ../shared/faces for the annotation part

1. Invariance: largest change of each metric group on the bundled sample
   photo under scaling, shift, roll, brightness and re-encoding (the same
   transforms and tolerances as tests/test_analyze.py).
2. Agreement with human annotation on the 12 London faces: distance of the
   hand-placed smile-line points to the measured fold lines, and of the
   hand-placed jaw points to the Face Mesh jaw contour (mm).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from conftest import LONDON, SAMPLES  # noqa: E402
from facemetrics import analyze_photo  # noqa: E402
from test_analyze import METRICS, _transforms, tolerance  # noqa: E402

GROUPS = {
    "lengths (_mm)": lambda c: c.endswith("_mm") and not c.startswith("nlf_length"),
    "area (_mm2)": lambda c: c.endswith("_mm2"),
    "ratios (_ipd, _ipd2)": lambda c: c.endswith(("_ipd", "_ipd2")),
    "jaw angles (_deg)": lambda c: c.endswith("_deg"),
    "fold depth index": lambda c: c.startswith("nlf_depth"),
    "fold contrast (_pct)": lambda c: c.endswith("_pct"),
    "fold length (_mm)": lambda c: c.startswith("nlf_length") and c.endswith("_mm"),
}


def invariance() -> None:
    from PIL import Image

    rgb = np.array(Image.open(SAMPLES / "astronaut_before.jpg").convert("RGB"))
    ref = analyze_photo(SAMPLES / "astronaut_before.jpg").to_row()
    rows = {k: analyze_photo(v, name=k).to_row() for k, v in _transforms(rgb).items()}
    print("| metric group | largest change | transform | tolerance there |")
    print("|---|---|---|---|")
    for group, pick in GROUPS.items():
        cols = [c for c in METRICS if pick(c)]
        worst = max(((abs(r[c] - ref[c]), c, k) for k, r in rows.items() for c in cols))
        d, c, k = worst
        print(f"| {group} | {d:.3f} (`{c}`) | {k} | {tolerance(c, ref[c]):.3f} |")


def annotation() -> None:
    if not LONDON.is_dir():
        print("(../shared/faces/london_ccby absent: annotation part skipped)")
        return
    from test_real_faces import annotation_distances

    london = {}
    for neutral in sorted(LONDON.glob("*_neutral.jpg")):
        from conftest import read_tem

        london[neutral.name] = (analyze_photo(neutral), None, read_tem(neutral.with_suffix(".tem")))
    fold, jaw = annotation_distances(london)
    print()
    print("| annotation | n points | median mm | 90th percentile mm | max mm |")
    print("|---|---|---|---|---|")
    for name, d in (("smile line (158-163) to measured fold line", fold), ("jaw (125-133) to Face Mesh jaw contour", jaw)):
        print(f"| {name} | {len(d)} | {np.median(d):.2f} | {np.percentile(d, 90):.2f} | {d.max():.2f} |")


if __name__ == "__main__":
    invariance()
    annotation()
