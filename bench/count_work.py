"""A pytest plugin that counts the suite's expensive calls and each test's CPU (a measuring aid, not a test).

Usage (from the project root, one pytest process; ``-n 0`` so every test runs in it)::

    COUNT_WORK_OUT=/tmp/work.json PYTHONPATH=$PWD:$PWD/bench python -m pytest -n 0 -p count_work tests/test_x.py ...
    python bench/count_work.py /tmp/work.json [more.json ...] [--top 30]

Per test: the process's CPU (``time.process_time``, every thread) and its reaped children's CPU (``os.times``)
over setup + call + teardown, and its wall time.  Per wrapped call (Face Mesh inference ``landmarks._mesh_faces``,
``analyze._analyze``, ``compare._compare``, ``run_batch``, ``run_timeline``, the decay bootstrap's
draws ``claim._replicates`` with its ``n_boot`` (the draws only: their refits are ``claim._refit_replicates``, "refit"), Streamlit's ``AppTest.run``, ``subprocess.Popen``): how many calls
each test file made, their inclusive CPU (nested calls count in each wrapper), and for the Face Mesh and the
analyses how many were repeats of the same pixels and settings within the process (a cache's possible hits).
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import sys
import time
from collections import defaultdict

_current = {"file": "(none)"}
_calls: dict = defaultdict(lambda: defaultdict(lambda: [0, 0.0]))  # kind -> file -> [n, cpu s]
_seen: dict = defaultdict(dict)  # kind -> key -> first file
_repeats: dict = defaultdict(lambda: defaultdict(lambda: [0, 0.0]))  # kind -> file -> [n, cpu s]
_nboot: dict = defaultdict(lambda: defaultdict(int))  # file -> n_boot -> calls
_tests: dict = {}


def _digest(a) -> str:
    import numpy as np

    a = np.ascontiguousarray(a)
    return hashlib.blake2b(a.tobytes(), digest_size=12).hexdigest() + str(a.shape)


def _key(kind, args, kwargs):
    try:
        if kind == "mesh":
            return _digest(args[0])
        if kind == "analyze":
            photo = args[0]
            return (_digest(photo.rgb), *[repr(a) for a in args[3:]], repr(sorted(kwargs.items())))
    except Exception:  # noqa: BLE001 - a measuring aid: an unkeyable call is counted, not keyed
        return None
    return None


def _wrap(kind, fn):
    if getattr(fn, "_count_work", False):
        return fn

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        key = _key(kind, args, kwargs)
        if kind == "boot":
            _nboot[_current["file"]][kwargs.get("n_boot")] += 1
        t0 = time.process_time()
        try:
            return fn(*args, **kwargs)
        finally:
            dt = time.process_time() - t0
            row = _calls[kind][_current["file"]]
            row[0] += 1
            row[1] += dt
            if key is not None:
                if key in _seen[kind]:
                    r = _repeats[kind][_current["file"]]
                    r[0] += 1
                    r[1] += dt
                else:
                    _seen[kind][key] = _current["file"]

    wrapper._count_work = True
    return wrapper


def _patch_everywhere(fn, new) -> None:
    """Replace ``fn`` by ``new`` in every loaded module that holds it (``from x import fn`` copies included)."""
    for mod in list(sys.modules.values()):
        d = getattr(mod, "__dict__", None)
        if not d:
            continue
        for name, val in list(d.items()):
            if val is fn:
                try:
                    setattr(mod, name, new)
                except Exception:  # noqa: BLE001
                    pass


def pytest_configure(config):
    import facemetrics.analyze as analyze
    import facemetrics.batch.runner as runner
    import facemetrics.batch.timeline as timeline
    import facemetrics.compare as compare
    import facemetrics.decay.claim as claim
    import facemetrics.landmarks as landmarks

    for mod, name, kind in [(landmarks, "_mesh_faces", "mesh"), (analyze, "_analyze", "analyze"),
                            (compare, "_compare", "compare"), (runner, "run_batch", "run_batch"),
                            (timeline, "run_timeline", "run_timeline"), (claim, "_replicates", "boot"),
                            (claim, "_refit_replicates", "refit")]:
        fn = getattr(mod, name)
        _patch_everywhere(fn, _wrap(kind, fn))
    try:
        from streamlit.testing.v1 import AppTest

        AppTest.run = _wrap("apptest", AppTest.run)
    except ImportError:
        pass
    import subprocess

    real_init = subprocess.Popen.__init__

    def popen_init(self, *a, **k):
        row = _calls["popen"][_current["file"]]
        row[0] += 1
        return real_init(self, *a, **k)

    subprocess.Popen.__init__ = popen_init


def _cpu():
    t = os.times()
    return time.process_time(), t.children_user + t.children_system, time.perf_counter()


def pytest_runtest_protocol(item, nextitem):
    _current["file"] = item.nodeid.split("::", 1)[0]


import pytest  # noqa: E402


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_setup(item):
    _current["file"] = item.nodeid.split("::", 1)[0]
    _tests.setdefault(item.nodeid, [0.0, 0.0, 0.0])
    item._cw0 = _cpu()
    yield


@pytest.hookimpl(hookwrapper=True, trylast=True)
def pytest_runtest_teardown(item, nextitem):
    yield
    c1 = _cpu()
    c0 = getattr(item, "_cw0", c1)
    row = _tests[item.nodeid]
    for i in range(3):
        row[i] += c1[i] - c0[i]


_last_dump = [time.monotonic()]


def pytest_runtest_logfinish(nodeid, location):
    """Write the counts so far every 30 s (a long run stopped early still leaves them)."""
    if time.monotonic() - _last_dump[0] > 30:
        _last_dump[0] = time.monotonic()
        pytest_sessionfinish(None)


def pytest_sessionfinish(session):
    out = os.environ.get("COUNT_WORK_OUT")
    if not out:
        return
    data = {"tests": _tests,
            "calls": {k: dict(v) for k, v in _calls.items()},
            "repeats": {k: dict(v) for k, v in _repeats.items()},
            "nboot": {f: {str(k): n for k, n in v.items()} for f, v in _nboot.items()}}
    with open(out + ".tmp", "w") as fh:
        json.dump(data, fh)
    os.replace(out + ".tmp", out)


def main(argv=None) -> int:
    import argparse

    ap = argparse.ArgumentParser(description="Sum count_work JSON files: per file CPU and the expensive calls.")
    ap.add_argument("files", nargs="+")
    ap.add_argument("--top", type=int, default=40)
    a = ap.parse_args(argv)
    tests, calls, reps, nboot = {}, defaultdict(lambda: defaultdict(lambda: [0, 0.0])), \
        defaultdict(lambda: defaultdict(lambda: [0, 0.0])), defaultdict(lambda: defaultdict(int))
    for f in a.files:
        d = json.load(open(f))
        tests.update(d["tests"])
        for src, dst in ((d["calls"], calls), (d["repeats"], reps)):
            for k, v in src.items():
                for fl, (n, s) in v.items():
                    dst[k][fl][0] += n
                    dst[k][fl][1] += s
        for fl, v in d["nboot"].items():
            for nb, n in v.items():
                nboot[fl][nb] += n
    per = defaultdict(lambda: [0, 0.0, 0.0, 0.0])
    for tid, (cpu, child, wall) in tests.items():
        r = per[tid.split("::", 1)[0]]
        r[0] += 1
        r[1] += cpu
        r[2] += child
        r[3] += wall
    kinds = ["mesh", "analyze", "compare", "run_batch", "run_timeline", "boot", "refit", "apptest", "popen"]
    print(f"{'file':42s} {'n':>4s} {'cpu s':>7s} {'child':>6s} {'wall':>7s}  " +
          " ".join(f"{k[:8]:>13s}" for k in kinds))
    for fl, (n, cpu, child, wall) in sorted(per.items(), key=lambda kv: -kv[1][1] - kv[1][2])[:a.top]:
        cells = []
        for k in kinds:
            c = calls[k].get(fl)
            cells.append(f"{c[0]:5d}/{c[1]:6.1f}" if c else f"{'':13s}")
        print(f"{fl:42s} {n:4d} {cpu:7.1f} {child:6.1f} {wall:7.1f}  " + " ".join(cells))
    tot = [sum(r[i] for r in per.values()) for i in range(4)]
    print(f"TOTAL {len(tests)} tests, {tot[1]:.1f} s CPU + {tot[2]:.1f} s children, {tot[3]:.1f} s wall")
    for k in kinds:
        n = sum(v[0] for v in calls[k].values())
        s = sum(v[1] for v in calls[k].values())
        rn = sum(v[0] for v in reps[k].values())
        rs = sum(v[1] for v in reps[k].values())
        print(f"{k:13s} calls {n:6d}  cpu {s:8.1f} s   repeats of the same key {rn:5d} ({rs:.1f} s)")
    for k in ("mesh", "analyze"):
        print(f"repeats of {k} by file:", ", ".join(f"{fl} {n}/{s:.1f}s" for fl, (n, s) in
                                                   sorted(reps[k].items(), key=lambda kv: -kv[1][1])[:15]))
    print("n_boot by file:", "; ".join(f"{fl} {dict(v)}" for fl, v in sorted(nboot.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
