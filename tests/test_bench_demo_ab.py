"""The arithmetic of bench/bench_demo_ab.py (docs/speed.md 'Stop 63: where the time goes since stop 45'): the output
folders' comparison that says a speed change left every file byte for byte, and the ratio's bootstrap interval."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

from bench_demo_ab import differing, ratio_interval  # noqa: E402


def test_differing_names_changed_missing_and_extra_files(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    for root in (a, b):
        (root / "study").mkdir(parents=True)
        (root / "report.md").write_bytes(b"same")
        (root / "study" / "x.csv").write_bytes(b"1,2\n")
    assert differing(a, b) == []
    (b / "study" / "x.csv").write_bytes(b"1,3\n")  # one byte
    (a / "only_a.png").write_bytes(b"")
    (b / "only_b.png").write_bytes(b"")
    assert differing(a, b) == ["only_a.png", "only_b.png", "study/x.csv"]


def test_ratio_interval_holds_the_ratio_of_medians_and_is_paired():
    new, old = [9.0, 10.0, 11.0, 10.0, 9.5], [20.0, 20.0, 22.0, 19.0, 21.0]
    lo, hi = ratio_interval(new, old)
    assert lo <= 10.0 / 20.0 <= hi
    assert 0.4 < lo < hi < 0.6
    assert ratio_interval(new, old) == (lo, hi)  # seeded: the same interval every run
    assert ratio_interval([5.0] * 4, [10.0] * 4) == (0.5, 0.5)
