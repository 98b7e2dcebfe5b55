"""What one worker or command start costs, in two trees run alternately: old, new, old, new, ...

Usage::

    python bench/bench_worker_start.py OLD_TREE NEW_TREE [--pairs 5]

Each measurement is a fresh interpreter started in the tree's root (so that tree's ``facemetrics/`` is the
one imported), with the same interpreter as this script, and its CPU time (user + system of the process and
every process it waited for) is read from ``getrusage(RUSAGE_CHILDREN)``.  Scenarios:

``worker start``
    what a spawned batch or :mod:`facemetrics.isolated` worker does before its first task: import
    ``facemetrics.batch.workers`` and run its initializer (Face Mesh and its short-range face detector built;
    before stop 50 both detectors, and MediaPipe's every solution and task imported);
``worker + 1st photo``
    the same, then the first photo measured as a batch measures it (``measure_photo``: decode, Face Mesh,
    the analysis, its cache entry);
``app worker + 1st photo``
    the app's photo worker (:class:`facemetrics.isolated.Worker`, spawned as in the app) started, then the
    photo's bytes measured in it as the app measures an upload (``analyze_kept_task``); the script also prints
    its wall times, worker start to ready and the photo's call, whose medians are printed too;
``analyze command``
    ``python -m facemetrics analyze PHOTO -o OUT.csv``: the command, its worker process and the photo.

Also prints which of matplotlib, pyparsing, PIL, pandas, MediaPipe's tasks API and its hands solution the
worker start left in ``sys.modules``.
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
_MODULES = ("print(sorted(m for m in ('matplotlib', 'pyparsing', 'PIL', 'pandas', 'mediapipe.tasks',\n"
            "    'mediapipe.python.solutions.hands') if m in sys.modules))\n")
_APP_WORKER = ("import os, sys, time\n"
               "os.environ['FACEMETRICS_WORKER_START'] = 'spawn'  # as in the app (a process with threads)\n"
               "t0 = time.perf_counter()\n"
               "from facemetrics.isolated import Worker, analyze_kept_task\n"
               "w = Worker()\n"
               "w.start()\n"
               "w.call(os.getpid)\n"
               "t1 = time.perf_counter()\n"
               "a = w.call(analyze_kept_task, open(sys.argv[1], 'rb').read(), name='first.jpg')\n"
               "t2 = time.perf_counter()\n"
               "assert a.ok, a.status\n"
               "w.close()\n"
               "print(f'WALL {t1 - t0:.3f} {t2 - t1:.3f}')\n")


def one_run(tree: str, argv: list[str]) -> tuple[float, str]:
    """CPU s (user + system, with the processes it waited for) of ``python ARGV`` run in ``tree``, and its stdout."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run([sys.executable, *argv], cwd=tree, capture_output=True, text=True,
                         env={**os.environ, "GLOG_minloglevel": "2"})
    if out.returncode not in (0, 1):
        raise SystemExit(f"{tree}: {argv[:2]} exit {out.returncode}\n{out.stderr[-2000:]}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), out.stdout


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
            "app worker + 1st photo": ["-c", _APP_WORKER, photo],
            "analyze command": ["-m", "facemetrics", "analyze", photo, "-o", os.path.join(tmp, "out.csv")],
        }
        for label, tree in trees.items():
            print(f"{label} worker start leaves imported: {modules_left(tree)}", flush=True)
        for name, cmd in scenarios.items():
            got: dict[str, list[float]] = {"old": [], "new": []}
            walls: dict[str, list[list[float]]] = {"old": [], "new": []}
            for _ in range(args.pairs):
                for label, tree in trees.items():
                    cpu, stdout = one_run(tree, cmd)
                    got[label].append(cpu)
                    walls[label] += [[float(x) for x in line.split()[1:]] for line in stdout.splitlines()
                                     if line.startswith("WALL ")]
            old, new = statistics.median(got["old"]), statistics.median(got["new"])
            runs = " ".join(f"{o:.2f}/{n:.2f}" for o, n in zip(got["old"], got["new"]))
            print(f"{name:20s} CPU median old {old:.2f} s, new {new:.2f} s, new/old {new / old:.2f} "
                  f"(pairs old/new: {runs})", flush=True)
            if walls["new"]:
                ready = {k: statistics.median(w[0] for w in v) for k, v in walls.items()}
                photo_s = {k: statistics.median(w[1] for w in v) for k, v in walls.items()}
                print(f"{'':20s} wall medians: worker ready old {ready['old']:.2f} s, new {ready['new']:.2f} s "
                      f"(new/old {ready['new'] / ready['old']:.2f}); 1st photo's call old {photo_s['old']:.2f} s, "
                      f"new {photo_s['new']:.2f} s (new/old {photo_s['new'] / photo_s['old']:.2f})", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
