"""The uncertainty of the per-photo cover warning's area (stop 62, h12): "the subject's right jaw line looks covered
(about 180 mm² there differ from the face's own cheek skin ...)" gives a count of grid cells times the cell area with
no ±.

    python bench/occlusion_area_uncertainty.py --split tune    # London tuning neutral 6 + Canada tuning 0, 4, 8, ... (6)
    python bench/occlusion_area_uncertainty.py --split held    # London held-out neutral 6 + Canada held-out 0, 3, ... (6)
    python bench/occlusion_area_uncertainty.py --split held --floor F   # held out at the tuning's F (read once)

Needs ../shared/faces (``bench/accuracy.py``'s ``london_split`` and ``canada_split``; the faces of
``bench/gate_figures_uncertainty.py``).  Per face: two covered photos made as ``bench/bench_occlusion_photo.py``
makes them (its ``paste``: a cover kind of its ``COVERS`` and a size of 100, 200 or 400 mm² drawn at random, seed
fixed per split, centred inside the jaw contour or on a fold line), each analysed (``analyze_photo``: Face Mesh
sees the cover).  For every region the covered photo's warning names (``occlusion.covered``), area ``A0`` (mm²);
then the covered photo under each of the 8 nuisances of ``simulate.NUISANCES`` that change no light (roll +-3,
scale 0.85 / 1.15, shift, JPEG 70, noise, blur: the photo re-saved, turned or rescaled, the same cover) analysed
again, and the same region's area ``A1``.

The rule (written and committed before any run):

- ``D = log(A1 / A0)`` per (region, nuisance); an ``A1`` of 0 or NaN (the cover no longer read there, or the photo
  not measured) is a pair with ``|D|`` infinite (counted, never within).
- ``OCCLUSION_PHOTO_AREA_REPEAT_LOG`` = the 95th percentile of ``|D|`` over the tuning pairs, rounded up to 2
  significant digits; the warning then reads "``A`` ± ``A (exp(F) - 1)`` mm²" (the upper half of ``exp(D +- F)``, as
  the lighting warning's ``gate.luminance_uncertainty_pct``), in whole mm².
- Success: at least 90 % of the held-out pairs within F (|D| <= F); reported whatever they show (Wilson 95 %
  interval; the pairs of one photo are not independent, so it is too narrow).  On failure the warning keeps
  "about" and no constant ships.
- What this does not cover: the area's bias against the cover's true area (the cell grid, the 3 mm margin inside the
  jaw contour, a cover reaching outside the region) and a retake's different cover; it is the figure's repeatability
  on one picture.
"""

from __future__ import annotations

import argparse
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
from accuracy import CANADA, LONDON, canada_split, london_split  # noqa: E402
from bench_occlusion_photo import COVERS, _donor, _targets, paste  # noqa: E402
from light_uncertainty import wilson  # noqa: E402

LIGHTLESS = ("roll_+3", "roll_-3", "scale_0.85", "scale_1.15", "shift", "jpeg_70", "noise", "blur")
SIZES = (100, 200, 400)


def faces(split: str) -> list[Path]:
    lt, lh = london_split(sorted(LONDON.glob("*_neutral.jpg")))
    ct, ch = canada_split(sorted(CANADA.glob("*.jpg")))
    return lt + ct[0::4][:6] if split == "tune" else lh + ch[0::3][:6]


def run(split: str, out: Path) -> list[dict]:
    rng = np.random.default_rng(20261207 if split == "tune" else 20261208)
    clean = [(p, analyze_photo(p)) for p in faces(split)]
    clean = [(p, a) for p, a in clean if a.ok and a.jaw is not None]
    donors = [(p.stem, _donor(a)) for p, a in clean]
    rows = []
    for path, a in clean:
        jaw, folds, mmpx = _targets(a)
        others = [d for n, d in donors if n != path.stem]
        for k in range(2):
            kind, size = COVERS[rng.integers(len(COVERS))], int(SIZES[rng.integers(len(SIZES))])
            cand = jaw if (rng.random() < 0.6 or not folds) else folds
            q, d, t, _ = cand[rng.integers(len(cand))]
            centre = q + d * rng.uniform(0, 4) / mmpx
            donor = others[rng.integers(len(others))] if kind == "skin" else None
            b = analyze_photo(paste(a.photo.rgb, kind, centre, size, mmpx, rng, t, donor), name=f"{path.stem}_{k}")
            occ = b.occlusion if b.ok else None
            if occ is None or not occ.covered:
                rows.append(dict(face=path.stem, cover=kind, size=size, region="", op="", a0=np.nan, a1=np.nan))
                continue
            for name in LIGHTLESS:
                c = analyze_loaded(dataclasses.replace(b.photo, rgb=sim.NUISANCES[name](b).image))
                oc1 = c.occlusion if c.ok else None
                for r in occ.covered:
                    a1 = float(oc1.areas_mm2.get(r, np.nan)) if oc1 is not None and oc1.checked else np.nan
                    rows.append(dict(face=path.stem, cover=kind, size=size, region=r, op=name,
                                     a0=float(occ.areas_mm2[r]), a1=a1))
        print(f"{path.stem}: {len(rows)} rows", file=sys.stderr, flush=True)
    out.write_text(json.dumps(rows))
    return rows


def _abs_d(x: dict) -> float:
    a0, a1 = x["a0"], x["a1"]
    return float(abs(np.log(a1 / a0))) if np.isfinite(a1) and a1 > 0 else float("inf")


def summary(rows: list[dict], floor: float | None = None) -> None:
    pairs = [x for x in rows if x["region"]]
    d = np.array([_abs_d(x) for x in pairs])
    n_cov = len({(x["face"], x["cover"], x["size"]) for x in rows})
    print(f"covered photos {n_cov}, with a region flagged {len({(x['face'], x['cover'], x['size']) for x in pairs})}; "
          f"pairs {len(d)}; A0 {min(x['a0'] for x in pairs):.0f}-{max(x['a0'] for x in pairs):.0f} mm2")
    if floor is None:
        p95 = float(np.percentile(d, 95))
        step = 10 ** (np.floor(np.log10(p95)) - 1)
        floor = round(float(np.ceil(p95 / step - 1e-9) * step), 6)
        print(f"95th percentile |D| {p95:.4f} log -> F = {floor}")
    k = int((d <= floor).sum())
    lo, hi = wilson(k, len(d))
    fin = d[np.isfinite(d)]
    print(f"within F = {floor}: {k}/{len(d)} = {100 * k / len(d):.1f} % (95 % CI {100 * lo:.1f}-{100 * hi:.1f} %); "
          f"median |D| {np.median(d):.4f}, largest finite {fin.max():.4f}, not read {int((~np.isfinite(d)).sum())}; "
          f"at A = 100 / 400 mm2 the ± is {100 * np.expm1(floor):.0f} / {400 * np.expm1(floor):.0f} mm2")


def main(run_split=None, stem: str = "occ_area", doc: str = __doc__) -> None:
    """The command line of this bench and of ``occlusion_pair_area_uncertainty.py`` (its ``run``, its cache's
    name and its docstring): measure a split (or read an earlier run's rows) and print :func:`summary`."""
    ap = argparse.ArgumentParser(description=doc.split("\n")[0])
    ap.add_argument("--split", choices=("tune", "held"), default="tune")
    ap.add_argument("--floor", type=float, help="held out: the tuning's F")
    ap.add_argument("--from-json", help="rows written by an earlier run (no Face Mesh)")
    args = ap.parse_args()
    out = Path(f"/tmp/h12_{stem}_{args.split}.json")
    rows = (json.loads(Path(args.from_json).read_text()) if args.from_json
            else (run_split or run)(args.split, out))
    summary(rows, args.floor)


if __name__ == "__main__":
    main()
