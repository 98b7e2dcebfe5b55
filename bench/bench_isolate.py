"""What measuring one photo in a worker process costs, against measuring it in this process (docs/robustness.md,
'A native crash in analyze, compare and the app').

Cold (a command that measures one photo, as ``facemetrics analyze PHOTO``): each mode is a fresh
interpreter that imports facemetrics, measures the photo and converts it to its row; the bench times the
whole process (wall, and CPU of the process and its children), modes alternated, medians of ``--repeats``:

* ``inproc``: :func:`facemetrics.analyze_photo` in the process (the baseline).
* ``fork``: one worker process (the batch's :func:`facemetrics.batch.workers._executor`), forked at once
  (it imports MediaPipe itself while this process imports the analysis), the analysis pickled back.
* ``preload``: the same, forked after this process has imported MediaPipe and the analysis
  (:func:`facemetrics.batch.workers._preload`).
* ``spawn``: the worker process spawned (a new interpreter; what a process with threads, the app, gets).

Commands (what shipped): ``facemetrics analyze`` of one photo and ``facemetrics compare`` of the sample pair,
each a fresh process, with :data:`facemetrics.isolated.ISOLATE` (the photos measured in a worker process)
against ``ISOLATE = False`` (in the command's process, the baseline), alternated, medians (``--commands``).

Memory (``--memory``): the resident memory (VmRSS) of a process that imports what the app's server imports
and measures the sample in itself, against the same process with a spawned worker that measured it, plus
the worker's.

Warm (the app: one worker kept alive and reused): in one process, the median per-photo time of
``analyze_photo`` in the process against the same call in a spawned worker that was started once
(pickling the photo's analysis back included), and the worker's start-up (spawn to first result).

The app's comparison (``--app-compare``): in one process, the sample pair's analyses made in the worker (kept there) and sent back
here (as the app measures; the rows equal those made here), then, alternated,
:func:`facemetrics.compare.compare_photos` in the process (the baseline), in the app's kept-alive spawned worker
(:class:`facemetrics.isolated.Worker`) with the whole comparison sent back (:func:`facemetrics.isolated.compare_task`),
with it sent back without the two analyses it was given (:func:`facemetrics.isolated.compare_lean_task`, the app
until 2026-12-05), and with the analyses made in the worker and kept there sent by their keys only
(``kept45``: the whole comparison but the analyses sent back, ``compare_kept_task(whole=True)``, the app until
stop 46), and (``kept``: :func:`facemetrics.isolated.compare_kept`, what the app runs since stop 46) only what the
page shows and exports sent back, the residual flow left in the worker and the masks and lift map packed without
loss; wall and CPU (this process and the worker's, from /proc) per comparison, medians; the bytes sent back (the
pickled result) and the comparison's own bytes in this process (the session keeps it).

    PYTHONPATH=. GLOG_minloglevel=2 python bench/bench_isolate.py [--repeats 5] [--app-compare]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import pickle
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SETTINGS = {"mm_per_px": None, "ipd_mm": None, "fast": True}
MODES = ("inproc", "fork", "preload", "spawn")


def _cold(mode: str, photo: str) -> None:
    """One command's work in ``mode`` (run in a fresh interpreter by :func:`cold_runs`)."""
    if mode == "inproc":
        from facemetrics.analyze import analyze_photo

        res = analyze_photo(photo)
    else:
        from facemetrics.batch import workers as w

        if mode == "spawn":
            os.environ["FACEMETRICS_WORKER_START"] = "spawn"
        method = w._start_method(mode == "preload")
        ex = w._executor(1, method, one_thread=False)
        res = ex.submit(w._analysis, photo, "cold", SETTINGS).result()
        w._end_executor(ex)
    assert res.ok, res.error
    res.to_row()


def cold_runs(photo: Path, repeats: int) -> dict:
    """``{mode: (wall s, cpu s)}`` medians over ``repeats`` rounds, the modes alternated in each round."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "GLOG_minloglevel": "2"}
    got = {m: [] for m in MODES}
    for r in range(repeats):
        for mode in MODES[r % len(MODES):] + MODES[:r % len(MODES)]:
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            t = time.perf_counter()
            subprocess.run([sys.executable, __file__, "--cold", mode, str(photo)], check=True, env=env)
            wall = time.perf_counter() - t
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
            got[mode].append((wall, cpu))
    return {m: (statistics.median(w for w, _ in v), statistics.median(c for _, c in v)) for m, v in got.items()}


def _rss_mb(pid="self") -> float:
    with open(f"/proc/{pid}/status") as f:
        return next(int(line.split()[1]) / 1024 for line in f if line.startswith("VmRSS"))


def _memory(mode: str) -> None:
    """One ``--memory`` process: the sample measured here (``inproc``) or in a spawned worker."""
    import multiprocessing as mp

    import importlib

    for name in ("facemetrics.compare", "facemetrics.plots"):  # what the app's server imports anyway
        importlib.import_module(name)
    from facemetrics.analyze import analyze_photo
    from facemetrics.isolated import Worker, analyze_task

    photo = str(ROOT / "sample_images" / "astronaut_before.jpg")
    if mode == "inproc":
        analyze_photo(photo)
        print(json.dumps({"own": _rss_mb(), "worker": 0.0}))
        return
    os.environ["FACEMETRICS_WORKER_START"] = "spawn"  # as in the app's server (threads: no fork)
    w = Worker()
    w.call(analyze_task, photo)
    print(json.dumps({"own": _rss_mb(), "worker": sum(_rss_mb(k.pid) for k in mp.active_children())}))
    w.close()


def memory() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "GLOG_minloglevel": "2"}
    for mode in ("inproc", "worker"):
        out = subprocess.run([sys.executable, __file__, "--memory-one", mode], check=True, env=env,
                             capture_output=True, text=True).stdout
        got = json.loads(out.strip().splitlines()[-1])
        print(f"memory {mode:7s} this process {got['own']:4.0f} MB + worker {got['worker']:4.0f} MB "
              f"= {got['own'] + got['worker']:4.0f} MB")


def _command(isolate: str, *argv: str) -> None:
    """``facemetrics ARGV`` in this process, with ``ISOLATE`` set (run by :func:`command_runs`)."""
    from facemetrics import cli, isolated

    isolated.ISOLATE = isolate == "1"
    sys.argv = ["facemetrics", *argv]
    code = cli.run()
    assert code == 0, code


def command_runs(argv: list[str], repeats: int, cwd: Path) -> dict:
    """``{"inproc" / "worker": (wall s, cpu s)}``: medians over ``repeats`` alternated rounds."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "GLOG_minloglevel": "2"}
    got = {"inproc": [], "worker": []}
    for r in range(repeats):
        for mode in (("inproc", "worker") if r % 2 == 0 else ("worker", "inproc")):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            t = time.perf_counter()
            subprocess.run([sys.executable, __file__, "--command", "1" if mode == "worker" else "0", *argv],
                           check=True, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            wall = time.perf_counter() - t
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            got[mode].append((wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)))
    return {m: (statistics.median(w for w, _ in v), statistics.median(c for _, c in v)) for m, v in got.items()}


def warm_runs(photo: Path, repeats: int) -> dict:
    """In this process: per-photo ms in the process and in a kept-alive spawned worker; the worker's start-up."""
    os.environ["FACEMETRICS_WORKER_START"] = "spawn"
    from facemetrics.analyze import analyze_photo
    from facemetrics.batch import workers as w

    analyze_photo(photo)  # this process's graph built
    t = time.perf_counter()
    ex = w._executor(1, "spawn", one_thread=False)
    first = ex.submit(w._analysis, str(photo), "warm-up", SETTINGS).result()
    start_s = time.perf_counter() - t
    own, there = [], []
    for i in range(repeats):  # alternated; a new key each call, so the worker's memo never answers
        t = time.perf_counter()
        analyze_photo(photo)
        own.append(time.perf_counter() - t)
        t = time.perf_counter()
        ex.submit(w._analysis, str(photo), f"call-{i}", SETTINGS).result()
        there.append(time.perf_counter() - t)
    w._end_executor(ex)
    return {"own_ms": 1000 * statistics.median(own), "worker_ms": 1000 * statistics.median(there),
            "start_s": start_s, "pickled_mb": len(pickle.dumps(first)) / 1e6}


def _proc_cpu_s(pid: int) -> float:
    """CPU seconds (user + system) of process ``pid`` so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def app_compare_runs(repeats: int) -> dict:
    """The app's comparison of the sample pair: in process, in the worker (all sent back), in the worker (lean)."""
    os.environ["FACEMETRICS_WORKER_START"] = "spawn"
    from facemetrics.analyze import analyze_photo
    from facemetrics.compare import compare_photos
    from facemetrics.isolated import (Kept, Worker, analyze_kept_task, compare_kept, compare_kept_task,
                                      compare_lean_task, compare_task, kept_key, lean_comparison)

    worker = Worker()
    pid = worker.call(os.getpid)
    # measured in the worker and kept there (as the app measures), sent back: this process's analyses
    before, after = (worker.call(analyze_kept_task, str(ROOT / "sample_images" / f"astronaut_{x}.jpg"))
                     for x in ("before", "after"))
    assert (before.to_row(), after.to_row()) == tuple(analyze_photo(ROOT / "sample_images" / f"astronaut_{x}.jpg")
                                                      .to_row() for x in ("before", "after"))
    kw = dict(check_order=True, check_repeats=False)
    runs = {"inproc": lambda: compare_photos(before, after, **kw),
            "worker": lambda: worker.call(compare_task, before, after, **kw),
            "lean": lambda: lean_comparison(worker.call(compare_lean_task, before, after, **kw), before, after),
            "kept45": lambda: lean_comparison(worker.call(compare_kept_task, Kept(kept_key(before)),
                                                          Kept(kept_key(after)), whole=True, **kw), before, after),
            "kept": lambda: compare_kept(worker, before, after, **kw)}
    keys = (Kept(kept_key(before)), Kept(kept_key(after)))
    sizes = {"worker": len(pickle.dumps(runs["worker"]())), "lean": len(worker.call(compare_lean_task, before, after, **kw))}
    sizes["kept45"] = len(pickle.dumps(worker.call(compare_kept_task, *keys, whole=True, **kw)))
    sizes["kept"] = len(pickle.dumps(worker.call(compare_kept_task, *keys, **kw)))
    sent = {m: len(pickle.dumps((before, after))) for m in ("worker", "lean")}
    sent["kept"] = sent["kept45"] = len(pickle.dumps(keys))
    ref, lean, kept = runs["inproc"](), runs["lean"](), runs["kept"]()  # the same comparison, this process's analyses
    assert ref.to_frame().equals(lean.to_frame()) and lean.before is before and lean.after is after
    assert ref.to_frame().equals(kept.to_frame()) and kept.before is before and kept.after is after
    held = {m: len(pickle.dumps(dataclasses.replace(c, before=None, after=None))) for m, c in (("kept45", lean),
                                                                                            ("kept", kept))}
    got: dict = {m: [] for m in runs}
    for _ in range(repeats):
        for mode, fn in runs.items():
            t, c, cw = time.perf_counter(), time.process_time(), _proc_cpu_s(pid)
            fn()
            got[mode].append((time.perf_counter() - t, time.process_time() - c + _proc_cpu_s(pid) - cw))
    worker.close()
    out = {m: (statistics.median(w for w, _ in v), statistics.median(c for _, c in v)) for m, v in got.items()}
    out["sent_back_mb"] = {m: b / 1e6 for m, b in sizes.items()}
    out["sent_mb"] = {m: b / 1e6 for m, b in sent.items()}
    out["held_mb"] = {m: b / 1e6 for m, b in held.items()}
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--commands", action="store_true", help="only the commands (analyze, compare)")
    ap.add_argument("--cold", nargs=2, metavar=("MODE", "PHOTO"), help=argparse.SUPPRESS)
    if sys.argv[1:2] == ["--command"]:
        _command(*sys.argv[2:])
        return
    if sys.argv[1:2] == ["--memory-one"]:
        _memory(sys.argv[2])
        return
    if sys.argv[1:2] == ["--memory"]:
        memory()
        return
    if "--app-compare" in sys.argv[1:]:
        repeats = int(sys.argv[sys.argv.index("--repeats") + 1]) if "--repeats" in sys.argv else 5
        print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs; medians of {repeats}")
        got = app_compare_runs(repeats)
        (w0, c0) = got["inproc"]
        for mode in ("inproc", "worker", "lean", "kept45", "kept"):
            w, c = got[mode]
            print(f"app compare {mode:7s} wall {w:5.2f} s ({w / w0:4.2f}x)  cpu {c:5.2f} s ({c / c0:4.2f}x)"
                  + (f"  sent {got['sent_mb'][mode]:.4g} MB, back {got['sent_back_mb'][mode]:.1f} MB"
                     if mode in got["sent_back_mb"] else ""))
        (w45, c45), (wk, ck) = got["kept45"], got["kept"]
        print(f"kept against kept45 (the app before stop 46): back {got['sent_back_mb']['kept']:.2f} / "
              f"{got['sent_back_mb']['kept45']:.2f} MB ({got['sent_back_mb']['kept'] / got['sent_back_mb']['kept45']:.2f}x)"
              f", held in the session {got['held_mb']['kept']:.2f} / {got['held_mb']['kept45']:.2f} MB, wall "
              f"{wk / w45:.2f}x, cpu {ck / c45:.2f}x")
        print(json.dumps(got))
        return
    args = ap.parse_args()
    if args.cold:
        _cold(*args.cold)
        return
    if args.commands:
        commands(args.repeats)
        return
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from _common import phone_photo

    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs; medians of {args.repeats}")
    with tempfile.TemporaryDirectory() as tmp:
        photos = {"sample 512 px": ROOT / "sample_images" / "astronaut_before.jpg",
                  "phone 12 MP": phone_photo(Path(tmp) / "phone_12mp.jpg")}
        for label, photo in photos.items():
            cold = cold_runs(photo, args.repeats)
            base_w, base_c = cold["inproc"]
            for mode, (wall, cpu) in cold.items():
                print(f"cold {label:13s} {mode:8s} wall {wall:5.2f} s ({wall / base_w:4.2f}x)  "
                      f"cpu {cpu:5.2f} s ({cpu / base_c:4.2f}x)")
            warm = warm_runs(photo, max(args.repeats, 5))
            print(f"warm {label:13s} in process {warm['own_ms']:6.0f} ms, kept-alive worker {warm['worker_ms']:6.0f} ms "
                  f"({warm['worker_ms'] / warm['own_ms']:4.2f}x); worker start-up to first result {warm['start_s']:.2f} s; "
                  f"analysis pickled {warm['pickled_mb']:.1f} MB")
            print(json.dumps({"photo": label, "cold": cold, "warm": warm}))


def commands(repeats: int) -> None:
    """The shipped commands, in a worker process against in process."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from _common import phone_photo

    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs; medians of {repeats}")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        phone = phone_photo(tmp / "phone_12mp.jpg")
        before, after = (str(ROOT / "sample_images" / f"astronaut_{x}.jpg") for x in ("before", "after"))
        runs = {"analyze sample": ["analyze", before, "-o", "a.csv"],
                "analyze phone 12 MP": ["analyze", str(phone), "-o", "b.csv"],
                "analyze 2 samples": ["analyze", before, after, "-o", "c.csv"],
                "compare samples": ["compare", before, after, "-o", "cmp"]}
        for label, argv in runs.items():
            got = command_runs(argv, repeats, tmp)
            (w0, c0), (w1, c1) = got["inproc"], got["worker"]
            print(f"{label:20s} wall {w0:5.2f} -> {w1:5.2f} s ({w1 / w0:4.2f}x)  cpu {c0:5.2f} -> {c1:5.2f} s "
                  f"({c1 / c0:4.2f}x)")


if __name__ == "__main__":
    main()
