"""``compare_photos`` with OpenCV's default thread pool against one OpenCV thread: CPU, wall and the outputs.

    PYTHONPATH=. python bench/bench_cv_threads.py --repeats 7

The pairs are ``bench/profile_compare.py``'s (the sample pair, the first London face against its simulated 1.5 mm
lift, the first Canada face against it shifted and brightened; needs ``../shared/faces``), analysed once.  In every
round each pair is compared with each thread setting in turn (the order alternating between rounds), nothing of the
before photo kept (``measure._local`` cleared), CPU (``time.process_time``: every thread of the process) and wall
time per call; medians and their ratio.  Every output of the two settings is compared to the last bit
(``bench_compare_work.outputs``: fields, rows, ``comparison.csv`` at 17 digits, maps by their bytes); exits 1 when
one differs.  ``facemetrics.batch``'s worker processes already run with one OpenCV thread (``batch/workers.py``), so
their results are the in-process ones by the same check (``tests/test_batch.py``).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import cv2

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import bench_compare_work as bw  # noqa: E402
import profile_compare  # noqa: E402

import facemetrics  # noqa: E402
from facemetrics.compare import measure as M  # noqa: E402


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeats", type=int, default=7)
    args = p.parse_args()
    default = cv2.getNumThreads()
    settings = (default, 1)
    pairs = [(name, facemetrics.analyze_photo(a, name="before.png"), facemetrics.analyze_photo(b, name="after.png"))
             for name, a, b in profile_compare.pairs()]
    runs = {(name, n): [] for name, _, _ in pairs for n in settings}
    outs = {}
    for k in range(args.repeats + 1):  # round 0 warms up
        for name, a, b in pairs:
            for n in (settings if k % 2 else settings[::-1]):
                cv2.setNumThreads(n)
                M._local.__dict__.clear()
                t, w = time.process_time(), time.perf_counter()
                c = facemetrics.compare_photos(a, b)
                cpu, wall = time.process_time() - t, time.perf_counter() - w
                if k:
                    runs[name, n].append((1000 * cpu, 1000 * wall))
                else:
                    outs[name, n] = bw.outputs(c)
    cv2.setNumThreads(default)
    bad = 0
    for name, _, _ in pairs:
        d = bw.differences(outs[name, settings[0]], outs[name, settings[1]])
        bad += bool(d)
        print(f"{'DIFFERS' if d else 'same   '} {name}", *d[:5], sep="\n    " if d else "")
    print(f"\ncompare_photos, OpenCV threads {default} (default) / 1, {args.repeats} rounds; ms, medians\n")
    print(f"| pair | CPU, {default} threads | CPU, 1 thread | CPU ratio 1 / {default} | wall, {default} threads | "
          f"wall, 1 thread | wall ratio |")
    print("|---|---|---|---|---|---|---|")
    for name, _, _ in pairs:
        c0, c1 = (statistics.median(c for c, _ in runs[name, n]) for n in settings)
        w0, w1 = (statistics.median(w for _, w in runs[name, n]) for n in settings)
        print(f"| {name} | {c0:.1f} | {c1:.1f} | {c1 / c0:.3f} | {w0:.1f} | {w1:.1f} | {w1 / w0:.3f} |")
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
