"""Benchmark :func:`facemetrics.loader.load_photo`: full vs fast JPEG decode.

Run from anywhere::

    python bench/bench_load.py [--repeats N]

Writes a 12 MP (4032 x 3024) JPEG made from an upscaled
``skimage.data.astronaut()`` into a temporary directory, then times
``load_photo(path, fast=False)`` (Pillow, full resolution) and
``load_photo(path, fast=True)`` (OpenCV half-resolution decode) and prints the
median wall time of each in milliseconds and the ratio fast/full, all measured
in the same run. Timings include reading the file and hashing it (SHA-256),
as in real use. No assertions are made on the times.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time

import cv2
import numpy as np
from PIL import Image
from skimage import data as skdata

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from facemetrics.loader import load_photo  # noqa: E402

WIDTH, HEIGHT = 4032, 3024


def make_photo(directory: str) -> str:
    """Write a 4032 x 3024 quality-92 JPEG and return its path."""
    src = skdata.astronaut()  # (512, 512, 3) uint8
    big = cv2.resize(src, (WIDTH, HEIGHT), interpolation=cv2.INTER_CUBIC)
    # a little noise so the JPEG has realistic high-frequency content/size
    rng = np.random.default_rng(0)
    noisy = np.clip(big.astype(np.int16) + rng.integers(-6, 7, big.shape), 0, 255).astype(np.uint8)
    path = os.path.join(directory, "bench_12mp.jpg")
    Image.fromarray(noisy).save(path, format="JPEG", quality=92)
    return path


def time_ms(fns, repeats: int) -> list[float]:
    """Median wall time in ms of each callable in ``fns``.

    One warm-up call each, then the callables are timed in alternation so
    that drifting machine load affects all of them alike.
    """
    for fn in fns:
        fn()
    samples = [[] for _ in fns]
    for _ in range(repeats):
        for fn, out in zip(fns, samples):
            t0 = time.perf_counter()
            fn()
            out.append((time.perf_counter() - t0) * 1000.0)
    return [statistics.median(s) for s in samples]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7, help="timed repeats per mode (default 7)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        path = make_photo(tmp)
        size_mb = os.path.getsize(path) / 1e6
        full = load_photo(path, fast=False)
        fast = load_photo(path, fast=True)
        print(f"photo: {WIDTH}x{HEIGHT} JPEG, {size_mb:.1f} MB, cv2 {cv2.__version__}, "
              f"threads {cv2.getNumThreads()}, repeats {args.repeats}")
        print(f"  full: rgb {full.rgb.shape}, scale {full.scale}")
        print(f"  fast: rgb {fast.rgb.shape}, scale {fast.scale}")

        full_ms, fast_ms = time_ms(
            [lambda: load_photo(path, fast=False), lambda: load_photo(path, fast=True)],
            args.repeats,
        )

    print(f"full decode (fast=False): {full_ms:8.1f} ms (median)")
    print(f"fast decode (fast=True):  {fast_ms:8.1f} ms (median)")
    print(f"ratio fast/full:          {fast_ms / full_ms:8.2f}")


if __name__ == "__main__":
    main()
