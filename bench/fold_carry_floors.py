"""The fold rows' noise-floor rule (``bench_compare.py --noise-floors``' 325 nuisance pairs: the sample and the 24
London portraits) with the residual-flow carrier (before h4) and ``measure.fold_carry`` (docs/robustness.md 'The fold
line carried off a new darkening').  Writes per pair the larger side's |change| of each fold row to the JSON given;
``--report JSON`` prints the 95th / 99th percentile, the largest and the rule's floor (1.25 x the largest, rounded up
to two significant digits) per carrier.

    python bench/fold_carry_floors.py /tmp/fold_floors.json      # 2026-12-05, ~4 min
    python bench/fold_carry_floors.py --report /tmp/fold_floors.json
    python bench/fold_carry_floors.py /tmp/small.json --faces 2   # the first two photos only (a smoke run)

The pairs are ``bench_compare.nuisance_faces``' (the loop ``bench_fold_framing.py --floors`` reads too); the
registration each comparison made is kept by ``bench_fold_contrast.keep_fold_changes`` and read again with each
carrier.
"""
import argparse
import json
import math
import os
import sys
from pathlib import Path

os.environ.setdefault("GLOG_minloglevel", "2")
sys.path.insert(0, str(Path(__file__).resolve().parent))
import cv2  # noqa: E402
import numpy as np  # noqa: E402
from bench_compare import _faces, nuisance_faces  # noqa: E402
from bench_fold_contrast import keep_fold_changes  # noqa: E402

from facemetrics.compare import measure as fm  # noqa: E402

ROWS = ("nlf_depth", "nlf_contrast_pct", "nlf_length_mm")


def report(path: str) -> None:
    pairs = json.load(open(path))
    print(f"{len(pairs)} pairs")
    print("| row | carrier | 95th pct | 99th pct | largest (pair) | rule's floor |")
    print("|---|---|---|---|---|---|")
    for m in ROWS:
        for c in ("flow", "fold"):
            v = np.array([p[f"{c}_{m}"] for p in pairs])
            i = int(np.argmax(v))
            x = 1.25 * v[i]
            e = math.floor(math.log10(x)) - 1
            print(f"| `{m}` | {c} | {np.percentile(v, 95):.3f} | {np.percentile(v, 99):.3f} | {v[i]:.3f} "
                  f"({pairs[i]['face']} {pairs[i]['nuisance']}) | {math.ceil(x / 10 ** e) * 10 ** e:.3g} |")


def measure(out: str, n_faces: int | None = None) -> None:
    """Per nuisance-only pair (the first ``n_faces`` photos, default all), the larger side's |change| of each fold
    row with each carrier; the JSON rewritten at ``out`` after each face."""
    cv2.setNumThreads(1)
    seen, orig = keep_fold_changes()
    rows = []
    for path, a, afters in nuisance_faces(_faces()[:n_faces]):
        for name, b in afters:
            seen.clear()
            fm._measure(a, b)
            reg, st, bb, w = seen["args"]
            row = {"face": path.name, "nuisance": name}
            for cname, cf in (("flow", fm.flow_carry), ("fold", fm.fold_carry)):
                v = orig(reg, st, bb, w, carry=cf(reg, st))[0]
                for m in ROWS:
                    row[f"{cname}_{m}"] = max(abs(v[(m, s)][2]) for s in ("right", "left"))
            rows.append(row)
        print(path.name, "done", flush=True)
        json.dump(rows, open(out, "w"))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", nargs="?", help="the JSON to write every pair's row to")
    ap.add_argument("--report", metavar="JSON", help="print the table of a saved JSON instead")
    ap.add_argument("--faces", type=int, default=None, help="the first N photos only (default: all 25)")
    args = ap.parse_args(argv)
    if args.report:
        report(args.report)
        return 0
    if not args.out:
        ap.error("give the JSON to write (or --report JSON)")
    measure(args.out, args.faces)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
