"""The jaw width under a side light: the simulator's rim or the method? (stop 59 g1 (b); docs/robustness.md "A light
moved up or down", "The jaw rows under a side light").

    python bench/audit_light_jaw.py --faces 14 --csv /tmp/light_jaw.csv        # Canada tuning faces, side-lit
    python bench/audit_light_jaw.py --faces 4 --wide                            # and a generic head wider than the face

Each Canada tuning face (../shared/faces; skips when absent) against its relit copy (``simulate.relit``, the
side-lit directions of ``bench/audit_light_direction.py``: az +-20, +-40 and 30 -> -30 at 15 deg; JPEG 92), each photo
measured alone (``analyze_photo``, no comparison): the change of ``jaw_width_mm`` (Face Mesh's oval at the mouth
corners' height: the metric reads the landmarks, the refined jaw contour is drawn only) and of each side of the oval
and of the refined contour (``JawMetrics.contour_px``) at that height, mm, levelled frame.  Surfaces: ``mesh``
(fitted to Face Mesh's 3-D landmarks, the ratio over the landmarks' hull and 10 mm beyond) and ``generic`` (the
ellipsoid head placed from the irises, the ratio fading over its outline's outer tenth, which at the mouth's height
lies near the face's edge); ``--wide`` adds ``generic_wide`` (the head's half width 90 mm and half height 120 mm
instead of 72 / 105: its rim well outside the face) to test the rim.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from accuracy import canada_split  # noqa: E402
from audit_light_direction import DIRECTIONS, FACES, smile_lines  # noqa: E402
from bench_tone_mapping import jpeg  # noqa: E402
from facemetrics import analyze_photo  # noqa: E402
from facemetrics import simulate as sim  # noqa: E402
from facemetrics.geometry import CHIN, LOWER_OVAL, MOUTH_LEFT, MOUTH_RIGHT  # noqa: E402

SURFACES = {"mesh": None, "generic": sim.GENERIC_HEAD_MM, "generic_wide": (90.0, 120.0, 90.0, 25.0)}


def sides(a) -> np.ndarray:
    """u (mm, levelled) at the mouth corners' height of the oval's subject's right and left halves, then of the
    refined contour's."""
    uv = a.frame.to_mm(np.asarray(a.points)[:, :2])
    v_m = 0.5 * (uv[MOUTH_RIGHT, 1] + uv[MOUTH_LEFT, 1])
    oval, ci = uv[list(LOWER_OVAL)], LOWER_OVAL.index(CHIN)

    def at(h):
        h = h[h[:, 1] > 0]
        o = np.argsort(h[:, 1])
        return float(np.interp(v_m, h[o, 1], h[o, 0]))

    c = a.frame.to_mm(a.jaw.contour_px)
    k = int(np.argmax(c[:, 1]))
    return np.array([at(oval[:ci + 1]), at(oval[ci:]), at(c[:k + 1]), at(c[k:])])


def relit(a, d, grooves, surface):
    if surface == "mesh":
        return sim.relit(a, d[0], d[1], from_azimuth_deg=d[2], from_elevation_deg=d[3], grooves=grooves).image
    old = sim.GENERIC_HEAD_MM
    sim.GENERIC_HEAD_MM = SURFACES[surface]
    try:
        return sim.relit(a, d[0], d[1], from_azimuth_deg=d[2], from_elevation_deg=d[3], grooves=grooves,
                         surface="generic").image
    finally:
        sim.GENERIC_HEAD_MM = old


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--faces", type=int, default=None)
    ap.add_argument("--wide", action="store_true")
    ap.add_argument("--csv", type=Path)
    args = ap.parse_args()
    if FACES is None or not (FACES / "canada_ccby").is_dir():
        print("../shared/faces not present: nothing to measure")
        return
    surfaces = [s for s in SURFACES if args.wide or s != "generic_wide"]
    rows = []
    for path in canada_split(sorted((FACES / "canada_ccby").glob("*.jpg")))[0][:args.faces]:
        a = analyze_photo(path.read_bytes(), name=path.name)
        if not a.ok:
            continue
        s0, g = sides(a), smile_lines(path)
        for op, d in DIRECTIONS.items():
            if op.startswith("el"):
                continue
            for surface in surfaces:
                b = analyze_photo(jpeg(relit(a, d, g, surface)), name=f"{path.stem}_{op}.jpg")
                if b.ok:
                    dd = sides(b) - s0
                    rows.append(dict(face=path.stem, op=op, surface=surface,
                                     width=b.jaw.jaw_width_mm - a.jaw.jaw_width_mm, oval_r=dd[0], oval_l=dd[1],
                                     contour_r=dd[2], contour_l=dd[3]))
        print(path.stem, flush=True)
    for surface in surfaces:
        r = [x for x in rows if x["surface"] == surface]
        if not r:
            continue
        mean_side = np.median([(abs(x["oval_r"]) + abs(x["oval_l"])) / 2 for x in r])
        larger = np.median([max(abs(x["oval_r"]), abs(x["oval_l"])) for x in r])
        w = np.array([x["width"] for x in r])
        gap = max(max(abs(x["contour_r"] - x["oval_r"]), abs(x["contour_l"] - x["oval_l"])) for x in r)
        print(f"{surface:13s} pairs {len(r):3d}  oval side shift median {mean_side:.2f} mm (the larger side {larger:.2f}) "
              f" jaw width change median {np.median(w):+.2f} mm, |change| p90 {np.quantile(np.abs(w), 0.9):.2f} max "
              f"{np.abs(w).max():.2f}; < -3.1 mm: {(w < -3.1).sum()}, > +3.1 mm: {(w > 3.1).sum()}; contour - oval "
              f"largest {gap:.2f} mm")
    if args.csv is not None:
        with open(args.csv, "w", newline="") as fh:
            wr = csv.DictWriter(fh, fieldnames=list(rows[0]))
            wr.writeheader()
            wr.writerows(rows)


if __name__ == "__main__":
    main()
