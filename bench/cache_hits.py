"""pytest plugin: how often ``compare``'s per-thread caches (``compare.measure._kept``: the before photo's part,
the aligned part, the repeat pairs, the per-photo light and skin readings) answer, and how many comparisons ran.

    COUNT_HITS_OUT=hits.json PYTHONPATH=$PWD:$PWD/bench python -m pytest -q -n 0 -p cache_hits tests/test_x.py

Writes ``{"<cache>:hit": n, "<cache>:miss": n, ..., "compare:calls": n}`` to ``COUNT_HITS_OUT`` (default
``cache_hits.json``) at exit (docs/speed.md 'Stop 60').
"""

from __future__ import annotations

import atexit
import collections
import json
import os
import sys

import facemetrics.compare as C
import facemetrics.compare.measure as M

counts: collections.Counter = collections.Counter()
_orig = M._kept


def _kept(name, size, keys, make, values=()):
    made = []

    def mk():
        made.append(1)
        return make()

    v = _orig(name, size, keys, mk, values)
    counts[(name, "miss" if made else "hit")] += 1
    return v


for _mod in list(sys.modules.values()):  # every module that imported the name
    if getattr(_mod, "__name__", "").startswith("facemetrics") and getattr(_mod, "_kept", None) is _orig:
        _mod._kept = _kept
_compare = C._compare


def _counted_compare(*args, **kwargs):
    counts[("compare", "calls")] += 1
    return _compare(*args, **kwargs)


C._compare = _counted_compare


@atexit.register
def _dump() -> None:
    with open(os.environ.get("COUNT_HITS_OUT", "cache_hits.json"), "w") as f:
        json.dump({f"{k[0]}:{k[1]}": v for k, v in sorted(counts.items())}, f, indent=1)
