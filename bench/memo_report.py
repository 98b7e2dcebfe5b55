"""pytest plugin: at the end of the session, the tests' analysis memo's counters (tests/conftest.py ``ANALYSIS_MEMO``):
hits, misses, calls it did not read because a test's monkeypatch held a patch, and what it keeps.

    PYTHONPATH=$PWD:$PWD/bench python -m pytest -q -n 0 -p memo_report tests/test_x.py
"""

from __future__ import annotations

import sys


def pytest_sessionfinish(session, exitstatus):
    conftest = sys.modules.get("conftest")
    memo = getattr(conftest, "ANALYSIS_MEMO", None)
    if memo is None:
        return
    print(f"\nanalysis memo (enabled {memo.enabled}, size {memo.size}): hits {memo.hits}, misses {memo.misses}, "
          f"not read under a patch {memo.bypassed}, kept {len(memo.kept)}", file=sys.__stdout__, flush=True)
