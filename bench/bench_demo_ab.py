"""``facemetrics demo -o DIR --workers 1`` of this tree against another checkout, in turns: CPU ratio with an interval.

    PYTHONPATH=. python bench/bench_demo_ab.py --baseline /tmp/old_checkout [--rounds 3] [--one-thread]
    PYTHONPATH=. python bench/bench_demo_ab.py --baseline /tmp/old_checkout --same-as DIR   # outputs bit for bit
    PYTHONPATH=. python bench/bench_demo_ab.py --baseline /tmp/old_checkout --timeline DEMO_DIR [--same-as DIR]

``--timeline DEMO_DIR``: ``facemetrics timeline DEMO_DIR -o OUT`` in place of the demo (both trees read the same
batch folder, e.g. a demo's output; stop 64).

Each round runs the demo once with each tree as a fresh command (``PYTHONPATH`` the tree), the order alternated
from round to round so that the shared machine's load falls on both alike; the CPU of the command and its worker
processes (``resource.getrusage(RUSAGE_CHILDREN)``, user + system), the wall time and the load average are printed
per run, then the median CPU of each tree, the ratio this tree / the baseline and a 95 % bootstrap interval of that
ratio (the rounds resampled in pairs).  The baseline is a checkout (``git worktree add /tmp/old REV``): the demo is
a command, not a function, so both trees run from their own folders.  ``--one-thread``: OpenBLAS, OpenMP and MKL
on one thread in both (idle BLAS threads spin on a loaded host and charge CPU that is no work of the command;
docs/speed.md 'Stop 63').  ``--same-as DIR``: every file of this tree's first output folder must be byte-identical
to DIR's (a folder written by ``facemetrics demo`` before a change); exits 1 otherwise.
"""

from __future__ import annotations

import argparse
import filecmp
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent


def run_demo(tree: Path, out: Path, one_thread: bool, timeline: Path | None = None) -> tuple[float, float, float]:
    """One ``facemetrics demo -o out --workers 1`` of ``tree`` (``facemetrics timeline timeline -o out`` with
    ``timeline``): (CPU s of the command and its children, wall s, the 1-minute load average when it started)."""
    env = dict(os.environ, PYTHONPATH=str(tree))
    if one_thread:
        env.update(OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    shutil.rmtree(out, ignore_errors=True)
    load = os.getloadavg()[0]
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    w = time.perf_counter()
    command = ["demo", "-o", str(out), "--workers", "1"] if timeline is None else \
        ["timeline", str(timeline), "-o", str(out)]
    subprocess.run([sys.executable, "-m", "facemetrics", *command], env=env,
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=str(tree))
    wall = time.perf_counter() - w
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime), wall, load


def ratio_interval(new: list[float], old: list[float], n_boot: int = 2000, seed: int = 0) -> tuple[float, float]:
    """95 % bootstrap interval of median(new) / median(old), the rounds resampled in pairs."""
    a, b = np.asarray(new, float), np.asarray(old, float)
    idx = np.random.default_rng(seed).integers(0, len(a), (n_boot, len(a)))
    r = np.median(a[idx], axis=1) / np.median(b[idx], axis=1)
    return float(np.percentile(r, 2.5)), float(np.percentile(r, 97.5))


def differing(a: Path, b: Path) -> list[str]:
    """Files under ``a`` and ``b`` that differ, or are in one folder only (relative paths)."""
    fa = {p.relative_to(a) for p in a.rglob("*") if p.is_file()}
    fb = {p.relative_to(b) for p in b.rglob("*") if p.is_file()}
    out = sorted(str(p) for p in fa ^ fb)
    out += sorted(str(p) for p in fa & fb if not filecmp.cmp(a / p, b / p, shallow=False))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--baseline", type=Path, required=True, help="another checkout of facemetrics")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--one-thread", action="store_true")
    ap.add_argument("--same-as", type=Path, help="a demo output folder this tree's output must equal byte for byte")
    ap.add_argument("--timeline", type=Path, help="time `facemetrics timeline THIS -o OUT` instead of the demo")
    args = ap.parse_args()
    trees = {"this tree": ROOT, "baseline": args.baseline.resolve()}
    cpu = {k: [] for k in trees}
    tmp = Path(tempfile.mkdtemp(prefix="demo_ab_"))
    what = f"facemetrics timeline {args.timeline}" if args.timeline else "facemetrics demo --workers 1"
    print(f"{what}: this tree ({ROOT}) / baseline ({trees['baseline']}), in turns"
          f"{', one BLAS thread' if args.one_thread else ''}\n")
    print("| round | tree | CPU s | wall s | load |")
    print("|---|---|---|---|---|")
    for k in range(args.rounds):
        for name in (("this tree", "baseline") if k % 2 == 0 else ("baseline", "this tree")):
            c, w, load = run_demo(trees[name], tmp / f"{name.replace(' ', '_')}{k}", args.one_thread,
                                  args.timeline and args.timeline.resolve())
            cpu[name].append(c)
            print(f"| {k + 1} | {name} | {c:.2f} | {w:.1f} | {load:.1f} |", flush=True)
    n, o = statistics.median(cpu["this tree"]), statistics.median(cpu["baseline"])
    lo, hi = ratio_interval(cpu["this tree"], cpu["baseline"])
    per_round = ", ".join(f"{a / b:.3f}" for a, b in zip(cpu["this tree"], cpu["baseline"]))
    print(f"\nCPU median: this tree {n:.2f} s, baseline {o:.2f} s; ratio {n / o:.3f} (95 % interval {lo:.3f}-{hi:.3f});"
          f" per round {per_round}")
    bad = 0
    if args.same_as:
        diff = differing(tmp / "this_tree0", args.same_as)
        bad = len(diff)
        print(f"outputs against {args.same_as}: {bad} of "
              f"{sum(1 for p in args.same_as.rglob('*') if p.is_file())} files differ" + (f": {diff[:10]}" if diff else ""))
    shutil.rmtree(tmp, ignore_errors=True)
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
