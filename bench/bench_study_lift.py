"""What stop 48's two changes to ``facemetrics.simulate`` save a simulated study (``facemetrics.study.study``).

1. ``study`` keeps only the image of each lift (its truth is the design's ``true_lift_mm``); until stop 48 it
   called ``simulate.lift(...).image``, which also averaged the lift over ``simulate.truth_regions``'
   rasterisation and threw that truth away: now ``simulate.lifted_image``, the same pixels.
2. The head pose's re-render (``simulate._rerender``: ``LinearNDInterpolator``) and ``truth_regions``' Delaunay
   test compute ~1000 tiny LAPACK solves (the barycentric transforms) each; they now run under
   ``facemetrics.threads.single_blas_thread`` as the analysis and the comparison do (OpenBLAS's own threads
   cost 100x more CPU there on a loaded machine).

This writes the same study ``--pairs`` times each way, alternated in one process (old: ``study``'s lift routed
through ``lift(...).image`` again and ``simulate.single_blas_thread`` replaced by a context that does nothing,
i.e. the package before stop 48; new: the package as it is), and prints the CPU time per study (``time.process_time``: every thread of this process, so the machine's load
matters less than in wall time), the wall time, and the ratio new / old.  Every photo of every run is checked
equal to the first old run's, pixel for pixel (``np.array_equal`` of the decoded JPEGs) and byte for byte.

Usage: ``python bench/bench_study_lift.py [--pairs 2] [--subjects 1]`` from the repository root.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import io
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SAMPLE = ROOT / "sample_images" / "astronaut_before.jpg"


def one_study(old: bool, out: Path, subjects: int) -> tuple[float, float, dict]:
    """``(cpu s, wall s, {photo: jpeg bytes})`` of one sample study (the demo's settings: max_side 640, seed 0)."""
    import facemetrics.study as study_mod
    from facemetrics import simulate

    own, own_limit = study_mod.lifted_image, simulate.single_blas_thread
    if old:
        study_mod.lifted_image = lambda a, mm, side="both", shape="full": simulate.lift(a, mm, side, shape).image
        simulate.single_blas_thread = contextlib.nullcontext
    try:
        c, w = time.process_time(), time.perf_counter()
        info = study_mod.study(SAMPLE, out, subjects=subjects, max_side=640, seed=0)
        cpu, wall = time.process_time() - c, time.perf_counter() - w
    finally:
        study_mod.lifted_image, simulate.single_blas_thread = own, own_limit
    return cpu, wall, {p: (info.folder / p).read_bytes() for p in info.table["photo"]}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pairs", type=int, default=2)
    ap.add_argument("--subjects", type=int, default=1)
    args = ap.parse_args(argv)
    for name in ("facemetrics.study", "scipy.interpolate", "scipy.spatial"):  # imported outside the timings
        importlib.import_module(name)

    times = {True: [], False: []}
    first = None
    with tempfile.TemporaryDirectory() as tmp:
        for k in range(args.pairs):
            for old in (True, False):
                cpu, wall, photos = one_study(old, Path(tmp) / f"{k}_{'old' if old else 'new'}", args.subjects)
                times[old].append((cpu, wall))
                first = first or photos
                assert photos.keys() == first.keys()
                for p, b in photos.items():
                    assert b == first[p], f"{p}: bytes differ"
                    assert np.array_equal(np.asarray(Image.open(io.BytesIO(b))),
                                          np.asarray(Image.open(io.BytesIO(first[p])))), p
                print(f"pair {k + 1} {'old' if old else 'new'}: cpu {cpu:.2f} s, wall {wall:.2f} s, "
                      f"{len(photos)} photos", flush=True)
    med = {o: (statistics.median(c for c, _ in v), statistics.median(w for _, w in v)) for o, v in times.items()}
    print(f"photos identical in all {2 * args.pairs} runs: {len(first)} photos, bytes and pixels")
    print(f"median per study: old cpu {med[True][0]:.2f} s wall {med[True][1]:.2f} s; "
          f"new cpu {med[False][0]:.2f} s wall {med[False][1]:.2f} s")
    print(f"ratio new/old: cpu {med[False][0] / med[True][0]:.2f}, wall {med[False][1] / med[True][1]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
