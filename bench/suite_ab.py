"""A test file's time in two trees, run alternately: old, new, old, new, ... (one pytest process per run).

Usage::

    python bench/suite_ab.py OLD_TREE NEW_TREE tests/test_x.py [tests/test_y.py::test_z ...] [--pairs 2]

Each run is ``python -m pytest -q -p no:cacheprovider ARGS`` started in the tree's root (so that tree's
``tests/`` and ``facemetrics/`` are the ones imported), with the same interpreter as this script.  Prints
each run's wall time and CPU time (user + system of the pytest process and every process it waited for:
workers, subprocesses, the browser), then the medians and new/old ratios.  Alternating the two trees puts
both under the same load on a shared machine; the ratio is the figure to read, not the seconds.  No run is
timed against a limit.  A run whose pytest fails is reported (its exit code) and still counted.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time


def one_run(tree: str, args: list[str]) -> tuple[float, float, int]:
    """``(wall s, CPU s, exit code)`` of one pytest run of ``args`` in ``tree``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    rc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args], cwd=tree,
                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, rc


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("old", help="root of the old tree")
    ap.add_argument("new", help="root of the new tree")
    ap.add_argument("tests", nargs="+", help="test files or node ids (relative to each tree's root)")
    ap.add_argument("--pairs", type=int, default=2, help="old/new pairs run (default 2)")
    args = ap.parse_args(argv)
    got: dict[str, list[tuple[float, float, int]]] = {"old": [], "new": []}
    for i in range(args.pairs):
        for label, tree in (("old", args.old), ("new", args.new)):
            wall, cpu, rc = one_run(os.path.abspath(tree), args.tests)
            got[label].append((wall, cpu, rc))
            print(f"pair {i + 1} {label}: wall {wall:7.1f} s  CPU {cpu:7.1f} s  exit {rc}", flush=True)
    med = {k: (statistics.median(w for w, _, _ in v), statistics.median(c for _, c, _ in v)) for k, v in got.items()}
    print(f"median old: wall {med['old'][0]:.1f} s, CPU {med['old'][1]:.1f} s; "
          f"new: wall {med['new'][0]:.1f} s, CPU {med['new'][1]:.1f} s; "
          f"new/old wall {med['new'][0] / med['old'][0]:.2f}, CPU {med['new'][1] / med['old'][1]:.2f}")
    pairs = [f"{n[0] / o[0]:.2f}/{n[1] / o[1]:.2f}" for o, n in zip(got["old"], got["new"])]
    print("per pair new/old (wall/CPU): " + ", ".join(pairs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
