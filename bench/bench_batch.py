"""Batch throughput against decode + Face Mesh alone, measured in the same run.

    PYTHONPATH=. python bench/bench_batch.py                  # all three scenarios (~4 min)
    PYTHONPATH=. python bench/bench_batch.py --only measure   # one of: measure, large, study, isolate

Scenarios (issue 12; these machines are noisy, so only ratios are printed
as results, wall times for context):

``measure``  16 photos of 12 MP (4032 x 3024 JPEG, the astronaut upscaled,
             each shifted a few px so no two files are the same), measuring
             only, 2 workers: ``facemetrics batch`` as a fresh command (as a
             user runs it: interpreter start and exit included) against the
             floor as a fresh command (:data:`FLOOR_COMMAND`: decode
             ``load_photo`` + Face Mesh ``detect_landmarks`` of the same files
             on 2 spawned processes, the least such a command can take).  Also
             the in-process floor: *cold* counts starting the processes and
             loading Face Mesh (not their exit), *warm* is a second pass.
``large``    240 photos of 1600 x 1200, measuring only: 1 worker against 2
             (in this process), wall time and CPU time (this process and its workers);
             ``--large-repeats N`` alternates N rounds and prints medians.
``isolate``  the 16 photos of ``measure`` with 1 and with 2 workers: every task in a worker
             process (``workers.ISOLATE``, the default: a native crash ends a worker
             process, not the run) against this process running tasks itself (the
             baseline, ``ISOLATE = False``), both as fresh commands, alternated, medians
             of ``--repeats`` (docs/robustness.md, 'A native crash in one photo').
``study``    a simulated study (``facemetrics.study``, 2 subjects, photos of
             1600 px, the default design and hand-held pose) measured and
             compared, 2 workers: ``facemetrics batch --manifest`` as a fresh
             command against the floor command of its photos.  Also prints
             how many photos were measured and comparisons made (every photo
             once).

The measure and study scenarios alternate floor and batch over 3 repeats and
print medians.  The peak resident memory of the largest worker process is printed after each
batch (``getrusage(RUSAGE_CHILDREN)``: terminated children).
"""

from __future__ import annotations

import argparse
import csv
import multiprocessing as mp
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import cv2
import numpy as np
from PIL import Image
from skimage import data

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _decode_mesh(path: str) -> int:
    from facemetrics.landmarks import detect_landmarks
    from facemetrics.loader import load_photo

    pts = detect_landmarks(load_photo(path).rgb)
    return 0 if pts is None else 1


def floor(paths: list[Path], workers: int) -> tuple[float, float]:
    """``(cold_s, warm_s)``: decode + Face Mesh of ``paths`` on ``workers`` spawned processes."""
    from facemetrics.batch import _worker_init

    t = time.perf_counter()
    with ProcessPoolExecutor(workers, mp_context=mp.get_context("spawn"), initializer=_worker_init) as ex:
        found = sum(ex.map(_decode_mesh, [str(p) for p in paths]))
        cold = time.perf_counter() - t
        t = time.perf_counter()
        sum(ex.map(_decode_mesh, [str(p) for p in paths]))
        warm = time.perf_counter() - t
    assert found == len(paths), f"Face Mesh found {found} of {len(paths)} faces"
    return cold, warm


def _photos(folder: Path, n: int, size: tuple[int, int], face_px: int) -> list[Path]:
    """``n`` distinct JPEGs of ``size`` (w, h): the astronaut's face ``face_px`` wide, shifted."""
    w, h = size
    face = cv2.resize(data.astronaut()[20:260, 105:345], (face_px, face_px), interpolation=cv2.INTER_CUBIC)
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for k in range(n):
        canvas = np.full((h, w, 3), 180 - k // 210, np.uint8)  # background and shift: no two files alike
        y0, x0 = (h - face_px) // 2 + (k % 7) * 3, (w - face_px) // 2 + (k // 7 % 30) * 3
        canvas[y0:y0 + face_px, x0:x0 + face_px] = face
        p = folder / f"photo_{k:03d}.jpg"
        Image.fromarray(canvas).save(p, "JPEG", quality=92)
        out.append(p)
    return out


def _peak_worker_mb() -> float:
    """The largest peak resident memory (MB) of the processes this one has waited for: the batch
    command's own process included (``ru_maxrss`` of ``RUSAGE_CHILDREN`` is a maximum over them),
    so it bounds a worker's peak from above; a forked worker's counts the pages it shares with
    its parent."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0


#: the floor as a command: decode + Face Mesh of every photo on 2 spawned processes, the parent
#: importing nothing heavy, the workers terminated at the end and the collector frozen (the same
#: quick exit as ``facemetrics``), so that it is the least a command doing this work can take
FLOOR_COMMAND = """
import gc, multiprocessing as mp, sys
from concurrent.futures import ProcessPoolExecutor
sys.path.insert(0, sys.argv[2])
from floor_job import decode_mesh, init
if __name__ == "__main__":
    paths = sys.argv[3:]
    ex = ProcessPoolExecutor(2, mp_context=mp.get_context("spawn"), initializer=init)
    assert sum(ex.map(decode_mesh, paths)) == len(paths)
    for proc in list(ex._processes.values()):
        proc.terminate()
    ex.shutdown(wait=True)
    gc.freeze()
"""
FLOOR_JOB = """
def init():
    from facemetrics.batch import _worker_init
    _worker_init()

def decode_mesh(path):
    from facemetrics.landmarks import detect_landmarks
    from facemetrics.loader import load_photo
    return 0 if detect_landmarks(load_photo(path).rgb) is None else 1
"""


#: CPU seconds (user + system) of the last command :func:`_command_s` ran, its processes included
_LAST_CPU = [0.0]


#: exit statuses of a measuring-only ``facemetrics batch`` (a folder without treatment sessions): 1 since 9d597ee
#: (2026-12-05), "nothing could be compared"; the callers check that every photo was measured in photos.csv
MEASURE_ONLY_OK = (0, 1)


def _command_s(args: list[str], ok: tuple[int, ...] = (0,)) -> float:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "GLOG_minloglevel": "2"}
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    rc = subprocess.run(args, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
    if rc not in ok:
        raise subprocess.CalledProcessError(rc, args)
    wall = time.perf_counter() - t
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    _LAST_CPU[0] = r1.ru_utime + r1.ru_stime - r0.ru_utime - r0.ru_stime
    return wall


def measure(tmp: Path, repeats: int = 3) -> None:
    """Three timings per repeat, alternated: the in-process floor (cold and warm), the floor as
    a fresh command, and ``facemetrics batch`` as a user runs it (a fresh command)."""
    paths = _photos(tmp / "m", 16, (4032, 3024), 2400)
    (tmp / "floor_job.py").write_text(FLOOR_JOB)
    rows, cpus = [], []
    for k in range(repeats):  # alternated, medians: the machine's load drifts
        cold, warm = floor(paths, 2)
        cmd_floor = _command_s([sys.executable, "-c", FLOOR_COMMAND, "x", str(tmp)] + [str(p) for p in paths])
        batch = _command_s([sys.executable, "-m", "facemetrics", "batch", str(tmp / "m"), "-o",
                            str(tmp / f"m_out{k}"), "--workers", "2"], ok=MEASURE_ONLY_OK)
        cpus.append(_LAST_CPU[0])
        with open(tmp / f"m_out{k}" / "photos.csv", newline="") as fh:
            assert sum(r["status"] == "ok" for r in csv.DictReader(fh)) == len(paths)
        rows.append((cold, warm, cmd_floor, batch))
    med = [statistics.median(r[j] for r in rows) for j in range(4)]
    print(f"## measure only: 16 photos of 12 MP, 2 workers (median of {repeats} alternated runs)")
    print(f"floor, decode + Face Mesh on 2 processes: as a command {med[2]:.2f} s; in this process's "
          f"pool: cold {med[0]:.2f} s (start-up included, exit not), warm {med[1]:.2f} s")
    print(f"batch, `facemetrics batch --workers 2` as a command: {med[3]:.2f} s, "
          f"{statistics.median(cpus):.2f} s of CPU (its processes together)")
    print(f"RATIO batch / floor, both commands: {statistics.median(r[3] / r[2] for r in rows):.2f}"
          "   (target <= 1.25)")
    print(f"      batch / cold floor in this process's pool: {statistics.median(r[3] / r[0] for r in rows):.2f}"
          "   (the batch's interpreter start and exit included, the floor's not)")
    print(f"peak worker memory: {_peak_worker_mb():.0f} MB\n")


def large(tmp: Path, n: int, repeats: int = 1) -> None:
    """1 worker against 2 in this process (``run_batch``), ``repeats`` rounds alternated (1, 2 then
    2, 1, ...); wall time and the CPU time of this process and its worker processes together."""
    from facemetrics.batch import run_batch

    _photos(tmp / "l", n, (1600, 1200), 900)
    secs: dict[int, list[float]] = {1: [], 2: []}
    cpus: dict[int, list[float]] = {1: [], 2: []}
    for k in range(repeats):
        for workers in ((1, 2) if k % 2 == 0 else (2, 1)):
            out = tmp / f"l_out{workers}_{k}"
            r0 = [resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
            r = run_batch(tmp / "l", out, workers=workers, compare=False, progress=False)
            r1 = [resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
            assert (r.photos["status"] == "ok").all()
            secs[workers].append(r.seconds)
            cpus[workers].append(sum(b.ru_utime + b.ru_stime - a.ru_utime - a.ru_stime for a, b in zip(r0, r1)))
    same = (tmp / "l_out1_0" / "photos.csv").read_bytes() == (tmp / "l_out2_0" / "photos.csv").read_bytes()
    med = {w: statistics.median(secs[w]) for w in (1, 2)}
    cpu = {w: statistics.median(cpus[w]) for w in (1, 2)}
    print(f"## measure only: {n} photos of 1600 x 1200" + (f" (median of {repeats} alternated runs)"
                                                           if repeats > 1 else ""))
    print(f"1 worker {med[1]:.1f} s ({n / med[1]:.1f} photos/s), 2 workers {med[2]:.1f} s "
          f"({n / med[2]:.1f} photos/s)")
    print(f"CPU (this process and its worker processes): 1 worker {cpu[1]:.1f} s, 2 workers {cpu[2]:.1f} s; "
          f"ratio 2 / 1 workers {cpu[2] / cpu[1]:.2f}")
    print(f"RATIO speed-up 1 -> 2 workers: {med[1] / med[2]:.2f}   (target >= 1.8)"
          + (f"; each round's: {' '.join(f'{a / b:.2f}' for a, b in zip(secs[1], secs[2]))}" if repeats > 1 else ""))
    print(f"photos.csv identical for 1 and 2 workers: {same}")
    print(f"peak worker memory: {_peak_worker_mb():.0f} MB; this process (the 1-worker run measured here): "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0:.0f} MB\n")


def study_batch(tmp: Path, repeats: int = 3) -> None:
    """The study as a user runs it (``facemetrics batch --manifest``, a fresh command) against the
    floor as a command, alternated, medians; the in-process run's counts show that every photo
    is measured once."""
    from facemetrics.batch import run_batch
    from facemetrics.study import study

    info = study(ROOT / "sample_images" / "astronaut_before.jpg", tmp / "s", subjects=2, max_side=1600)
    paths = [info.folder / p for p in info.table["photo"]]
    (tmp / "floor_job.py").write_text(FLOOR_JOB)
    rows, cpus = [], []
    for k in range(repeats):
        cold, _ = floor(paths, 2)
        cmd_floor = _command_s([sys.executable, "-c", FLOOR_COMMAND, "x", str(tmp)] + [str(p) for p in paths])
        batch = _command_s([sys.executable, "-m", "facemetrics", "batch", str(info.folder), "-o",
                            str(tmp / f"s_out{k}"), "--manifest", str(info.manifest), "--workers", "2"])
        cpus.append(_LAST_CPU[0])
        rows.append((cold, cmd_floor, batch))
    r = run_batch(info.folder, tmp / "s_counts", manifest=info.manifest, workers=2, progress=False)
    med = [statistics.median(x[j] for x in rows) for j in range(3)]
    print(f"## study with comparisons: {len(paths)} photos of up to 1600 px, 2 workers "
          f"(median of {repeats} alternated runs)")
    print(f"floor, decode + Face Mesh on 2 processes: as a command {med[1]:.2f} s; in this process's pool "
          f"cold {med[0]:.2f} s")
    print(f"batch, `facemetrics batch --manifest ... --workers 2` as a command: {med[2]:.2f} s, "
          f"{statistics.median(cpus):.2f} s of CPU (its processes together); "
          f"{r.n_measured} photos measured, {r.n_compared} comparisons made (every photo once)")
    print(f"RATIO batch / floor, both commands: {statistics.median(x[2] / x[1] for x in rows):.2f}"
          "   (target <= 4)")
    print(f"      batch / cold floor in this process's pool: {statistics.median(x[2] / x[0] for x in rows):.2f}")
    print(f"peak worker memory: {_peak_worker_mb():.0f} MB\n")


#: ``facemetrics`` with ``workers.ISOLATE`` set (argv[1]: "0" or "1"), the rest of argv its arguments
ISOLATE_COMMAND = """
import sys
import facemetrics.batch.workers as w
w.ISOLATE = sys.argv[1] == "1"
from facemetrics.cli import run
sys.argv = ["facemetrics"] + sys.argv[2:]
sys.exit(run())
"""


def isolate(tmp: Path, repeats: int = 5) -> None:
    """The 16-photo batch (measuring only) with every task in a worker process against the same batch
    with this process running tasks itself, 1 and 2 workers, fresh commands, alternated."""
    folder = tmp / "m"
    if not folder.is_dir():
        _photos(folder, 16, (4032, 3024), 2400)
    times: dict[tuple[int, str], list[float]] = {}
    cpu: dict[tuple[int, str], list[float]] = {}
    for k in range(repeats):
        for workers in (1, 2):
            for mode in (("0", "1") if k % 2 == 0 else ("1", "0")):
                out = tmp / f"i_out{k}_{workers}_{mode}"
                wall = _command_s([sys.executable, "-c", ISOLATE_COMMAND, mode, "batch", str(folder), "-o", str(out),
                                   "--workers", str(workers)], ok=MEASURE_ONLY_OK)
                times.setdefault((workers, mode), []).append(wall)
                cpu.setdefault((workers, mode), []).append(_LAST_CPU[0])
                with open(out / "photos.csv", newline="") as fh:
                    assert sum(r["status"] == "ok" for r in csv.DictReader(fh)) == 16
    print(f"## every task in a worker process: 16 photos of 12 MP, measuring only (median of {repeats} "
          "alternated runs)")
    for workers in (1, 2):
        base, iso = times[(workers, "0")], times[(workers, "1")]
        print(f"--workers {workers}: this process runs tasks {statistics.median(base):.2f} s "
              f"({statistics.median(cpu[(workers, '0')]):.2f} s of CPU), every task in a worker process "
              f"{statistics.median(iso):.2f} s ({statistics.median(cpu[(workers, '1')]):.2f} s of CPU); "
              f"each run's ratio: {' '.join(f'{i / b:.2f}' for i, b in zip(iso, base))}")
        print(f"RATIO isolated / this process, --workers {workers}: "
              f"{statistics.median(i / b for i, b in zip(iso, base)):.3f}   (target <= 1.05); CPU "
              f"{statistics.median(i / b for i, b in zip(cpu[(workers, '1')], cpu[(workers, '0')])):.3f}")
    print()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", choices=("measure", "large", "study", "isolate"))
    ap.add_argument("--repeats", type=int, default=5, help="runs of each command in the isolate scenario")
    ap.add_argument("--large-n", type=int, default=240)
    ap.add_argument("--large-repeats", type=int, default=1, help="alternated rounds of the large scenario")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        if args.only in (None, "measure"):
            measure(tmp)
        if args.only in (None, "large"):
            large(tmp, args.large_n, args.large_repeats)
        if args.only in (None, "isolate"):
            isolate(tmp, args.repeats)
        if args.only in (None, "study"):
            study_batch(tmp)


if __name__ == "__main__":
    main()
