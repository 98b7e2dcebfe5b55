"""Where the test suite's time goes: per-file and per-test totals from pytest's JUnit XML.

Usage::

    python bench/suite_time.py NEW.xml [OLD.xml] [--top 40] [--tests 30]

``NEW.xml`` (and ``OLD.xml``) are written by ``python -m pytest --junitxml=FILE``.  Prints, for each test
file, its number of tests and its total time (s) in each run, the ratio new/old and the difference (s),
sorted by the new run's time; then the slowest single tests of the new run (s, with their old time when the
old run has them).  Times are pytest's per-test wall times (setup + call + teardown as JUnit reports them),
so a session fixture's cost lands on the first test that uses it.  Compare two runs only when they ran side
by side under the same load (the machine is shared): the ratio of two files in one run is the robust figure.
"""

from __future__ import annotations

import argparse
import sys
import xml.etree.ElementTree as ET
from collections import defaultdict


def read_junit(path: str) -> dict[str, float]:
    """``{test id: seconds}`` of every ``<testcase>`` in a JUnit XML file.

    The id is ``file::name`` with ``file`` the test module's path rebuilt from pytest's ``classname``
    (``tests.test_x`` -> ``tests/test_x.py``; a class name after the module is kept in the id's name).
    """
    out: dict[str, float] = {}
    for case in ET.parse(path).getroot().iter("testcase"):
        parts = case.get("classname", "").split(".")
        mod = next((i for i, p in enumerate(parts) if p.startswith("test_")), len(parts) - 1)
        file = "/".join(parts[:mod + 1]) + ".py"
        name = ".".join(parts[mod + 1:] + [case.get("name", "")])
        out[f"{file}::{name}"] = out.get(f"{file}::{name}", 0.0) + float(case.get("time") or 0.0)
    return out


def per_file(times: dict[str, float]) -> dict[str, tuple[int, float]]:
    """``{file: (number of tests, total seconds)}`` of :func:`read_junit`'s times."""
    acc: dict[str, list] = defaultdict(lambda: [0, 0.0])
    for tid, sec in times.items():
        row = acc[tid.split("::", 1)[0]]
        row[0] += 1
        row[1] += sec
    return {f: (n, s) for f, (n, s) in acc.items()}


def _ratio(new: float, old: float | None) -> str:
    return f"{new / old:6.2f}" if old else "     -"


def file_table(new: dict[str, float], old: dict[str, float] | None, top: int) -> list[str]:
    """The per-file lines (sorted by the new run's seconds), the total line last."""
    fn, fo = per_file(new), per_file(old or {})
    lines = [f"{'file':44s} {'n new':>6s} {'s new':>8s} {'n old':>6s} {'s old':>8s} {'new/old':>7s} {'diff s':>8s}"]
    for f, (n, s) in sorted(fn.items(), key=lambda kv: -kv[1][1])[:top]:
        no, so = fo.get(f, (0, 0.0))
        lines.append(f"{f:44s} {n:6d} {s:8.1f} {no:6d} {so:8.1f} {_ratio(s, so):>7s} {s - so:+8.1f}")
    gone = sorted(set(fo) - set(fn))
    if gone:
        lines.append(f"(files only in the old run: {', '.join(gone)})")
    tn, to = sum(new.values()), sum((old or {}).values())
    lines.append(f"{'TOTAL':44s} {len(new):6d} {tn:8.1f} {len(old or {}):6d} {to:8.1f} {_ratio(tn, to):>7s} "
                 f"{tn - to:+8.1f}")
    return lines


def test_table(new: dict[str, float], old: dict[str, float] | None, top: int) -> list[str]:
    """The slowest ``top`` tests of the new run, seconds, with the old run's time ('-' when it has no such test)."""
    lines = [f"{'s new':>8s} {'s old':>8s}  test"]
    for tid, s in sorted(new.items(), key=lambda kv: -kv[1])[:top]:
        so = (old or {}).get(tid)
        lines.append(f"{s:8.2f} {'-' if so is None else f'{so:8.2f}':>8s}  {tid}")
    return lines


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("new", help="JUnit XML of the run to read (pytest --junitxml)")
    ap.add_argument("old", nargs="?", help="JUnit XML of a run to compare with")
    ap.add_argument("--top", type=int, default=40, help="files shown (default 40)")
    ap.add_argument("--tests", type=int, default=30, help="slowest tests shown (default 30)")
    args = ap.parse_args(argv)
    new = read_junit(args.new)
    old = read_junit(args.old) if args.old else None
    print("\n".join(file_table(new, old, args.top)))
    print()
    print("\n".join(test_table(new, old, args.tests)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
