"""The fold rows' noise-floor rule (``bench_compare.py --noise-floors``' 325 nuisance pairs: the sample and the 24
London portraits) with the residual-flow carrier (before h4) and ``measure.fold_carry`` (docs/robustness.md 'The fold
line carried off a new darkening').  Writes per pair the larger side's |change| of each fold row to the JSON given;
``--report JSON`` prints the 95th / 99th percentile, the largest and the rule's floor (1.25 x the largest, rounded up
to two significant digits) per carrier.

    python bench/fold_carry_floors.py /tmp/fold_floors.json      # 2026-12-05, ~4 min
    python bench/fold_carry_floors.py --report /tmp/fold_floors.json
"""
import json
import math
import os
import sys
from pathlib import Path

os.environ.setdefault("GLOG_minloglevel", "2")
sys.path.insert(0, str(Path(__file__).resolve().parent))
import cv2  # noqa: E402
import numpy as np  # noqa: E402
from bench_compare import _faces, _variant  # noqa: E402

from facemetrics import analyze_photo  # noqa: E402
from facemetrics import simulate as sim  # noqa: E402
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


if len(sys.argv) == 3 and sys.argv[1] == "--report":
    report(sys.argv[2])
    raise SystemExit(0)
OUT = sys.argv[1]
cv2.setNumThreads(1)
seen = {}
orig = fm._fold_changes


def kept(reg, st, b, warped=None, **kw):
    seen['args'] = (reg, st, b, warped)
    return orig(reg, st, b, warped, **kw)


fm._fold_changes = kept
out = []
for path in _faces():
    a = analyze_photo(path)
    if not a.ok:
        continue
    for name, fn in sim.NUISANCES.items():
        if name == "identity":
            continue
        seen.clear()
        fm._measure(a, _variant(a, fn(a).image))
        reg, st, b, w = seen['args']
        row = {"face": path.name, "nuisance": name}
        for cname, cf in (("flow", fm.flow_carry), ("fold", fm.fold_carry)):
            v = orig(reg, st, b, w, carry=cf(reg, st))[0]
            for m in ROWS:
                row[f"{cname}_{m}"] = max(abs(v[(m, s)][2]) for s in ("right", "left"))
        out.append(row)
    print(path.name, "done", flush=True)
    json.dump(out, open(OUT, 'w'))
