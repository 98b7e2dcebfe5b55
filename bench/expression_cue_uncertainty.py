"""The uncertainty of the expression check's lip-shape figures (stop 62, h7): "smile index 0.02 -> 0.30 (limit
±0.10)", "mouth-corner elevation ...", "mouth opening 0.05 -> 0.30 (limit ±0.10)" gave neither a unit (each is a
dimensionless index or ratio) nor an uncertainty.

    python bench/expression_cue_uncertainty.py --split tune
    python bench/expression_cue_uncertainty.py --split held --floors S E O

Needs ../shared/faces; the faces of ``bench/gate_figures_uncertainty.py`` (12 tuning, 12 held out).  Per face
(``analyze_photo``) the photo against each of the 13 nuisances of ``simulate.NUISANCES`` but the identity (the
expression did not change: truth 0): the change of ``quality.smile_index``, of the mouth-corner elevation
(``compare.expression.smile_elevation``) and of ``quality.mouth_opening_ratio``.

The rule (written and committed before any run): per cue, its floor = the 95th percentile of |change| over the tuning
pairs, rounded up to 2 significant digits; the messages then give the change with that floor as its ± (95 %, a
repeat reading's spread; the cue has no spread of its own).  Success: at least 90 % of the held-out pairs within
each floor; reported whatever they show.
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
from facemetrics.compare.expression import smile_elevation  # noqa: E402
from gate_figures_uncertainty import _variant, faces  # noqa: E402
from light_uncertainty import wilson  # noqa: E402

CUES = ("smile_index", "elevation", "mouth_opening")


def _cues(x) -> dict:
    return dict(smile_index=x.quality.smile_index, elevation=smile_elevation(x), mouth_opening=x.quality.mouth_opening_ratio)


def run(split: str, out: Path) -> list[dict]:
    rows = []
    for path in faces(split):
        a = analyze_photo(path)
        if not a.ok:
            continue
        ca = _cues(a)
        for name, fn in sim.NUISANCES.items():
            if name == "identity":
                continue
            b = _variant(a, fn(a).image)
            if b.ok:
                cb = _cues(b)
                rows.append(dict(face=path.stem, op=name, **{k: float(cb[k] - ca[k]) for k in CUES},
                                 **{f"{k}_before": float(ca[k]) for k in CUES}))
        print(f"{path.stem}: {len(rows)} rows", file=sys.stderr, flush=True)
    out.write_text(json.dumps(rows))
    return rows


def summary(rows: list[dict], floors=None) -> None:
    for i, k in enumerate(CUES):
        d = np.abs([r[k] for r in rows if np.isfinite(r[k])])
        if floors is None:
            p95 = float(np.percentile(d, 95))
            step = 10 ** (np.floor(np.log10(p95)) - 1)
            f = float(np.round(np.ceil(p95 / step - 1e-9) * step, 6))
            print(f"{k}: 95th percentile |change| {p95:.5f} -> floor {f}")
        else:
            f = floors[i]
        n, c = len(d), int((d <= f).sum())
        lo, hi = wilson(c, n)
        before = [r[f"{k}_before"] for r in rows]
        print(f"{k}: within {f}: {c}/{n} = {100 * c / n:.1f} % (95 % CI {100 * lo:.1f}-{100 * hi:.1f} %); median "
              f"|change| {np.median(d):.4f}, largest {d.max():.4f}; the photos' values {np.min(before):.3f} to "
              f"{np.max(before):.3f}")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--split", choices=("tune", "held"), default="tune")
    p.add_argument("--cache", type=Path)
    p.add_argument("--floors", type=float, nargs=3, help="smile index, elevation, mouth opening floors to check")
    args = p.parse_args()
    cache = args.cache or Path(f"/tmp/h7_expr_{args.split}.json")
    rows = json.loads(cache.read_text()) if args.cache else run(args.split, cache)
    summary(rows, args.floors)


if __name__ == "__main__":
    main()
