"""Time to analyze one 12 MP JPEG, as a ratio to decode + Face Mesh alone,
both measured in this run (machines here are noisy: compare ratios, not ms).

    python bench/bench_analyze.py

Baselines: "full decode + mesh" is what any tool must do at least (cv2.imdecode
of the whole file, then Face Mesh); "reduced decode + mesh" is the same with
the half-size JPEG decode that facemetrics' loader uses for large JPEGs.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import median_ms, phone_photo  # noqa: E402

from facemetrics import analyze_photo  # noqa: E402
from facemetrics.landmarks import detect_landmarks  # noqa: E402


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = phone_photo(Path(tmp) / "phone_12mp.jpg")
        blob = path.read_bytes()

        def full():
            rgb = cv2.cvtColor(cv2.imdecode(np.frombuffer(blob, np.uint8), cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)
            assert detect_landmarks(rgb) is not None

        def reduced():
            bgr = cv2.imdecode(np.frombuffer(blob, np.uint8), cv2.IMREAD_REDUCED_COLOR_2)
            assert detect_landmarks(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)) is not None

        def analyze():
            assert analyze_photo(path).ok

        t_full, t_red, t_an = median_ms(full), median_ms(reduced), median_ms(analyze)
        print(f"12 MP JPEG ({len(blob) / 1e6:.1f} MB), median of 7 runs")
        print(f"  full decode + Face Mesh     {t_full:7.1f} ms")
        print(f"  reduced decode + Face Mesh  {t_red:7.1f} ms")
        print(f"  analyze_photo               {t_an:7.1f} ms")
        print(f"  ratio analyze / (full decode + mesh)    {t_an / t_full:.2f}  (aim <= 1.3)")
        print(f"  ratio analyze / (reduced decode + mesh) {t_an / t_red:.2f}")


if __name__ == "__main__":
    main()
