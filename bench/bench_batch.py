"""Batch throughput: photos/s of ``run_batch`` (measure stage only and with
comparisons) on 1 and 2 workers, against decode + Face Mesh alone in the
same run.

    PYTHONPATH=. python bench/bench_batch.py [--subjects 2] [--max-side 800]

Uses a simulated study made from the sample photo (written to a temp dir).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--subjects", type=int, default=2)
    ap.add_argument("--max-side", type=int, default=800)
    args = ap.parse_args()

    from facemetrics.batch import run_batch
    from facemetrics.landmarks import detect_landmarks
    from facemetrics.loader import load_photo
    from facemetrics.study import study

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        info = study(ROOT / "sample_images" / "astronaut_before.jpg", tmp / "study", subjects=args.subjects,
                     max_side=args.max_side)
        paths = [info.folder / p for p in info.table["photo"]]
        n = len(paths)
        detect_landmarks(load_photo(paths[0]).rgb)  # warm-up: Face Mesh built once
        t = time.perf_counter()
        for p in paths:
            detect_landmarks(load_photo(p).rgb)
        base = n / (time.perf_counter() - t)
        print(f"{n} photos, {args.max_side} px long side")
        print(f"decode + Face Mesh alone (1 process, warm): {base:6.1f} photos/s")
        res = {}
        for workers in (1, 2):
            for compare in (False, True):
                out = tmp / f"out{workers}{compare}"
                r = run_batch(info.folder, out, manifest=info.manifest, workers=workers, compare=compare,
                              progress=False)
                res[workers, compare] = n / r.seconds
                what = "measure + compare" if compare else "measure only    "
                print(f"batch {what} workers={workers}: {n / r.seconds:6.1f} photos/s "
                      f"({r.seconds:.1f} s incl. worker start-up)")
        for compare in (False, True):
            print(f"speed-up 1 -> 2 workers ({'with' if compare else 'without'} compare): "
                  f"{res[2, compare] / res[1, compare]:.2f}x")


if __name__ == "__main__":
    main()
