"""What the tests' compiled-app cache saves per ``AppTest`` run (tests/conftest.py ``compiled_script``).

Streamlit's ``AppTest`` makes a new ``ScriptCache`` for every ``run()``, so every run read app.py, passed it
through Streamlit's "magic" AST rewrite and compiled it.  This runs the app's first page (no upload) ``--runs``
times with Streamlit's own ``ScriptCache.get_bytecode`` and as often with the tests' cache, alternated in one
process, and prints the median CPU time (``time.process_time``: every thread of this process, so the machine's
load matters less than in wall time) and wall time per run, and the ratio cached / Streamlit's.  The pages
drawn are checked equal (the same element tree as text).

Usage: ``python bench/bench_apptest_compile.py [--runs 6]`` from the repository root.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))


def one_run(cached: bool) -> tuple[float, float, str]:
    """``(cpu s, wall s, the page as text)`` of one ``AppTest`` run of app.py's first page."""
    from conftest import compiled_script
    from streamlit.runtime.scriptrunner.script_cache import ScriptCache
    from streamlit.testing.v1 import AppTest

    own = ScriptCache.get_bytecode
    if cached:
        ScriptCache.get_bytecode = compiled_script
    try:
        c, w = time.process_time(), time.perf_counter()
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
        at.run()
        cpu, wall = time.process_time() - c, time.perf_counter() - w
    finally:
        ScriptCache.get_bytecode = own
    assert not at.exception, [e.value for e in at.exception]
    return cpu, wall, str(at.main)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=6, help="runs of each kind (default 6)")
    args = ap.parse_args(argv)
    one_run(True)  # warm-up: imports, the app's worker, the cache's one compile
    got = {False: [], True: []}
    pages = set()
    for i in range(2 * args.runs):
        cached = bool(i % 2)
        cpu, wall, page = one_run(cached)
        got[cached].append((cpu, wall))
        pages.add(page)
    for cached, label in ((False, "Streamlit's ScriptCache"), (True, "tests' compiled_script")):
        cpu = statistics.median(c for c, _ in got[cached])
        wall = statistics.median(w for _, w in got[cached])
        print(f"{label:24s} median per run: {cpu:6.2f} s CPU, {wall:6.2f} s wall (n={args.runs})")
    ratio_cpu = statistics.median(c for c, _ in got[True]) / statistics.median(c for c, _ in got[False])
    ratio_wall = statistics.median(w for _, w in got[True]) / statistics.median(w for _, w in got[False])
    print(f"cached / Streamlit's: CPU {ratio_cpu:.2f}x, wall {ratio_wall:.2f}x; pages drawn equal: {len(pages) == 1}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
