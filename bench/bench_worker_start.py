"""What one worker or command start costs, in two trees run alternately: old, new, old, new, ...

Usage::

    python bench/bench_worker_start.py OLD_TREE NEW_TREE [--pairs 5]

Each measurement is a fresh interpreter started in the tree's root (so that tree's ``facemetrics/`` is the
one imported), with the same interpreter as this script, and its CPU time (user + system of the process and
every process it waited for) is read from ``getrusage(RUSAGE_CHILDREN)``.  Scenarios:

``worker start``
    what a spawned batch or :mod:`facemetrics.isolated` worker does before its first task: import
    ``facemetrics.batch.workers`` and run its initializer (Face Mesh and the face detectors built);
``worker + 1st photo``
    the same, then the first photo measured as a batch measures it (``measure_photo``: decode, Face Mesh,
    the analysis, its cache entry);
``analyze command``
    ``python -m facemetrics analyze PHOTO -o OUT.csv``: the command, its worker process and the photo.

Also prints which of matplotlib, pyparsing, PIL and pandas the worker start left in ``sys.modules``.
Prints each run, then per scenario the medians and the new/old ratio of CPU.  Alternating the trees puts
both under the same load on a shared machine; the ratio is the figure to read.  No run is timed against a
limit.  The photo is ``sample_images/astronaut_before.jpg`` of the new tree.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

_WORKER = ("import sys\n"
           "import facemetrics.batch.workers as w\n"
           "w._worker_init(None, True)\n")
_FIRST_PHOTO = ("import hashlib\n"
                "from facemetrics.batch.cache import run_settings\n"
                "p = sys.argv[1]\n"
                "sha = hashlib.sha256(open(p, 'rb').read()).hexdigest()\n"
                "row = w.measure_photo(p, sha, run_settings(None, None, False), sys.argv[2])\n"
                "assert row['status'] == 'ok', row\n")
_MODULES = "print(sorted(m for m in ('matplotlib', 'pyparsing', 'PIL', 'pandas') if m in sys.modules))\n"


def one_run(tree: str, argv: list[str]) -> float:
    """CPU s (user + system, with the processes it waited for) of ``python ARGV`` run in ``tree``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run([sys.executable, *argv], cwd=tree, capture_output=True, text=True,
                         env={**os.environ, "GLOG_minloglevel": "2"})
    if out.returncode not in (0, 1):
        raise SystemExit(f"{tree}: {argv[:2]} exit {out.returncode}\n{out.stderr[-2000:]}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def modules_left(tree: str) -> str:
    """The heavy modules a worker start leaves imported, in ``tree``."""
    out = subprocess.run([sys.executable, "-c", _WORKER + _MODULES], cwd=tree, capture_output=True, text=True,
                         env={**os.environ, "GLOG_minloglevel": "2"})
    return out.stdout.strip() or out.stderr[-500:]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("old", help="root of the old tree")
    ap.add_argument("new", help="root of the new tree")
    ap.add_argument("--pairs", type=int, default=5, help="old/new pairs per scenario (default 5)")
    args = ap.parse_args(argv)
    trees = {"old": os.path.abspath(args.old), "new": os.path.abspath(args.new)}
    photo = str(Path(trees["new"]) / "sample_images" / "astronaut_before.jpg")
    with tempfile.TemporaryDirectory() as tmp:
        scenarios = {
            "worker start": ["-c", _WORKER],
            "worker + 1st photo": ["-c", _WORKER + _FIRST_PHOTO, photo, os.path.join(tmp, "entry.json")],
            "analyze command": ["-m", "facemetrics", "analyze", photo, "-o", os.path.join(tmp, "out.csv")],
        }
        for label, tree in trees.items():
            print(f"{label} worker start leaves imported: {modules_left(tree)}", flush=True)
        for name, cmd in scenarios.items():
            got: dict[str, list[float]] = {"old": [], "new": []}
            for _ in range(args.pairs):
                for label, tree in trees.items():
                    got[label].append(one_run(tree, cmd))
            old, new = statistics.median(got["old"]), statistics.median(got["new"])
            runs = " ".join(f"{o:.2f}/{n:.2f}" for o, n in zip(got["old"], got["new"]))
            print(f"{name:20s} CPU median old {old:.2f} s, new {new:.2f} s, new/old {new / old:.2f} "
                  f"(pairs old/new: {runs})", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
