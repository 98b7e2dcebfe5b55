"""Cost of a dense flow at the work grid's full resolution (``align.FLOW_REDUCTION`` 1) against today's (2), same run.

    python bench/bench_flow_full.py [--repeats 7]

The 12 MP pair of ``bench/bench_compare.py`` (the astronaut portrait in a 4032 x 3024 canvas and its simulated
1.5 mm lift), both analysed once; ``compare_photos`` of the two analyses timed with ``FLOW_REDUCTION`` 2 and 1 in
alternating blocks (2, 1, 2, 1; the comparison's kept before state cleared at each switch and one call made
before each block's timing, so each block times warm comparisons of its own setting); the median ms of each
setting over its blocks and the ratio 1 / 2; and the jawline lift each reads (a check that the switch took).
OpenCV on one thread.  Machines here are shared: read the ratio, not the ms.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import cv2

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from bench_compare import _pair_12mp  # noqa: E402

from facemetrics import align as al  # noqa: E402
from facemetrics import analyze_photo  # noqa: E402
from facemetrics import compare as cp  # noqa: E402
from facemetrics.compare import measure as me  # noqa: E402


def set_reduction(k: int) -> None:
    """``FLOW_REDUCTION`` (and ``FLOW_MM_PER_PX``) to ``k``; what the comparison kept of a before photo is dropped."""
    al.FLOW_REDUCTION = k
    al.FLOW_MM_PER_PX = k * al.WORK_MM_PER_PX
    me._local.__dict__.clear()


def block(a, b, repeats: int) -> tuple[list[float], float]:
    """``repeats`` timed ``compare_photos(a, b)`` (ms) after one untimed call, and the jawline lift read (mm)."""
    c = cp.compare_photos(a, b)
    out = []
    for _ in range(repeats):
        t = time.perf_counter()
        cp.compare_photos(a, b)
        out.append(1000 * (time.perf_counter() - t))
    return out, float(c.lifts["jawline"]["mean"])


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeats", type=int, default=7)
    args = ap.parse_args(argv)
    cv2.setNumThreads(1)
    with tempfile.TemporaryDirectory() as tmp:
        before, after = _pair_12mp(Path(tmp))
        a, b = analyze_photo(before), analyze_photo(after)
        ms = {2: [], 1: []}
        lift = {}
        for k in (2, 1, 2, 1):
            set_reduction(k)
            t, lift[k] = block(a, b, args.repeats)
            ms[k] += t
        set_reduction(2)
    m2, m1 = statistics.median(ms[2]), statistics.median(ms[1])
    print(f"compare_photos of two analysed 12 MP photos, median of {len(ms[2])} calls per setting, OpenCV 1 thread")
    print(f"  FLOW_REDUCTION 2 (today)  {m2:7.1f} ms   jawline lift {lift[2]:.3f} mm (simulated 1.5 mm)")
    print(f"  FLOW_REDUCTION 1          {m1:7.1f} ms   jawline lift {lift[1]:.3f} mm")
    print(f"  RATIO full resolution / today  {m1 / m2:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
