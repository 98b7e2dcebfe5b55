"""What one view of the app's *My study* page costs once everything is cached, on a store of 10 / 30 / 60 photos, and
how much of it is the photo table's role column (``study_roles``: the pairing of the stored photos into sessions,
:func:`facemetrics.batch.tables.stored_second_reads`), stop 58.

    PYTHONPATH=. python bench/bench_study_page.py STORE [--sizes 10 30 60] [--views 5] [--profile]

``STORE`` is a study store folder with one subject (a daily user's month: ``bench/audit_home_month.py DIR --users rf``
makes ``DIR/rf/store``); it is copied to a temporary folder and cut to each size's first photos (by capture time;
:meth:`facemetrics.store.Store.remove_photo`), so it is never changed.  For each size the page is opened (AppTest, as
tests/test_study_home.py's ``my_study_page``; the first view measures and fits what the store has not cached) and
then viewed ``--views`` times more (``at.run()``: what Streamlit does on every widget click), timed in this process;
then again with the pairing replaced by one returning nothing (the role column's work removed).  Printed: the median
view's wall time and CPU time of this process (all its threads; AppTest runs the script in one: the CPU time is the
figure to compare under load), the time the pairing's calls took (timed around each call), and how many times the
pairing ran per view.  Streamlit re-runs the whole script on every interaction: the figures are per click.  Times are of this
machine and its load: read the ratios.  ``--profile`` prints cProfile's top calls of one warm view (the script
runs in AppTest's thread: profiled from inside it by a wrapper script).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: runs app.py in AppTest's script thread, under cProfile when FM_BENCH_PROFILE names a stats file
WRAPPER = """import cProfile, os, runpy
out = os.environ.get("FM_BENCH_PROFILE")
pr = cProfile.Profile() if out else None
if pr: pr.enable()
try:
    runpy.run_path(os.environ["FM_BENCH_APP"], run_name="__main__")
finally:
    if pr:
        pr.disable(); pr.dump_stats(out)
"""


def cut_store(src: Path, dst: Path, n: int) -> str:
    """A copy of the store ``src`` at ``dst`` with only its first ``n`` photos (by capture time); its subject."""
    from facemetrics.store import Store

    shutil.copytree(src, dst)
    with Store(dst) as store:
        subject = store.subjects()["name"].tolist()[0]
        photos = store.photos(subject).sort_values("taken_at")
        for pid in photos["id"].iloc[n:]:
            store.remove_photo(int(pid))
        return subject


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("store", type=Path)
    ap.add_argument("--sizes", type=int, nargs="+", default=[10, 30, 60])
    ap.add_argument("--views", type=int, default=5)
    ap.add_argument("--profile", action="store_true")
    args = ap.parse_args(argv)
    if not (args.store / "study.sqlite").is_file():
        print(f"{args.store}: not a study store", file=sys.stderr)
        return 2
    from streamlit.testing.v1 import AppTest

    import facemetrics.batch.tables as tables

    real = tables.stored_second_reads
    spent = {"calls": 0, "s": 0.0}

    def timed(*a, **k):
        spent["calls"] += 1
        t = time.perf_counter()
        try:
            return real(*a, **k)
        finally:
            spent["s"] += time.perf_counter() - t

    with tempfile.TemporaryDirectory() as tmp:
        wrapper = Path(tmp) / "wrapped_app.py"
        wrapper.write_text(WRAPPER)
        os.environ["FM_BENCH_APP"] = str(ROOT / "app.py")
        print(f"{'photos':>6} {'view ms':>8} {'CPU ms':>7} {'no-role ms':>10} {'no-role CPU ms':>14} "
              f"{'pairing ms/view':>15} {'pairing calls/view':>18} {'first view s':>12}")
        for n in args.sizes:
            store = Path(tmp) / f"store{n}"
            subject = cut_store(args.store, store, n)
            os.environ["FACEMETRICS_STORE"] = str(store)
            tables.stored_second_reads = timed
            at = AppTest.from_file(str(wrapper), default_timeout=900)
            t0 = time.perf_counter()
            at.run()
            at.sidebar.radio(key="mode").set_value("My study").run()
            at.selectbox(key="study-subject").set_value(subject)
            at.run()
            first = time.perf_counter() - t0
            assert not at.exception, [e.value for e in at.exception]
            views = {}
            for label, fn in (("with", timed), ("without", lambda *a, **k: {})):
                tables.stored_second_reads = fn
                spent.update(calls=0, s=0.0)
                times, cpu = [], []
                for _ in range(args.views):
                    t, c = time.perf_counter(), time.process_time()
                    at.run()
                    times.append(time.perf_counter() - t)
                    cpu.append(time.process_time() - c)
                assert not at.exception, [e.value for e in at.exception]
                views[label] = (statistics.median(times), spent["calls"] / args.views, spent["s"] / args.views,
                                statistics.median(cpu))
            tables.stored_second_reads = real
            w, wo = views["with"], views["without"]
            print(f"{n:>6} {w[0] * 1000:>8.0f} {w[3] * 1000:>7.0f} {wo[0] * 1000:>10.0f} {wo[3] * 1000:>14.0f} "
                  f"{w[2] * 1000:>15.1f} {w[1]:>18.1f} {first:>12.1f}", flush=True)
            if args.profile:
                import pstats

                stats = Path(tmp) / f"view{n}.prof"
                os.environ["FM_BENCH_PROFILE"] = str(stats)
                at.run()
                os.environ.pop("FM_BENCH_PROFILE")
                print(f"--- cProfile of one warm view, {n} photos (cumulative, top 30):")
                pstats.Stats(str(stats)).sort_stats("cumulative").print_stats(30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
