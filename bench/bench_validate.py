"""What the recovery CIs cost ``facemetrics validate --quick`` (docs/validation.md, section 1).

The recovery step with its other baselines (``validate._check_recovery`` with ``reps`` extra jittered baselines,
each compared with one after photo per true lift) against the same step without them (the step before the
CIs), alternated in one process so that both see the same load; the other steps of the run are unchanged. Prints
the CPU and wall time of each (median of the rounds) and their ratio, and the extra seconds beside the whole
``validate --quick`` run's, which ``--total`` times once per variant (CPU of this process and its workers).

    PYTHONPATH=. python bench/bench_validate.py [--rounds 3] [--total]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from facemetrics import validate


def _step(base, extra: int, seed: int = 0) -> tuple[float, float]:
    """(CPU s, wall s) of the recovery step of a ``--quick`` run (3 repeats) with ``extra`` other baselines."""
    rng = np.random.default_rng(seed)
    ref = validate._jittered(base.photo.rgb, rng)
    c0, w0 = time.process_time(), time.perf_counter()
    brng = np.random.default_rng([seed, 1])
    others = [validate._jittered(base.photo.rgb, brng) for _ in range(extra)]
    with tempfile.TemporaryDirectory() as d:
        validate._check_recovery(base, ref, rng, 3, Path(d), {"lines": []}, others)
    return time.process_time() - c0, time.perf_counter() - w0


def _total(with_cis: bool) -> float:
    """CPU s (this process and its children) of ``run_validation(quick=True)``, with or without the CIs."""
    import os

    keep = validate._check_recovery
    if not with_cis:
        validate._check_recovery = lambda base, ref, rng, reps, out, summary, baselines=(): keep(
            base, ref, rng, reps, out, summary, ())
    try:
        t0 = os.times()
        with tempfile.TemporaryDirectory() as d:
            validate.run_validation(d, quick=True, workers=1)
        t1 = os.times()
    finally:
        validate._check_recovery = keep
    return (t1.user + t1.system + t1.children_user + t1.children_system) - (
        t0.user + t0.system + t0.children_user + t0.children_system)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--total", action="store_true", help="also time the whole validate --quick once per variant")
    args = ap.parse_args()
    base = validate._base(640)
    _step(base, 0)  # warm-up
    runs = {0: [], 3: []}
    for _ in range(args.rounds):
        for extra in (0, 3):
            runs[extra].append(_step(base, extra))
    cpu = {k: statistics.median(c for c, _ in v) for k, v in runs.items()}
    wall = {k: statistics.median(w for _, w in v) for k, v in runs.items()}
    print(f"recovery step, no other baselines: CPU {cpu[0]:.1f} s, wall {wall[0]:.1f} s (median of {args.rounds})")
    print(f"recovery step, 3 other baselines:  CPU {cpu[3]:.1f} s, wall {wall[3]:.1f} s")
    print(f"ratio: CPU {cpu[3] / cpu[0]:.2f} x, wall {wall[3] / wall[0]:.2f} x; extra CPU {cpu[3] - cpu[0]:.1f} s")
    if args.total:
        before, after = _total(False), _total(True)
        print(f"validate --quick (workers=1), CPU: {before:.1f} s without the CIs, {after:.1f} s with them "
              f"({after / before:.2f} x)")


if __name__ == "__main__":
    main()
