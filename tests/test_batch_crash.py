"""A native crash (SIGABRT / SIGSEGV inside MediaPipe or OpenCV: no Python exception) while measuring or
comparing one photo ends a worker process, never the batch: the photo (or comparison) gets an ``error``
row naming it, every other row is what a batch without the crash writes (docs/robustness.md, 'A native
crash in one photo').  The crash is made by the test-only hook ``FACEMETRICS_TEST_NATIVE_CRASH``
(:func:`facemetrics.batch.workers._test_crash`)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from facemetrics.batch import run_batch
from facemetrics.batch.workers import TEST_CRASH_ENV
from facemetrics.study import study

ROOT = Path(__file__).resolve().parents[1]
DESIGN = {"microcurrent": dict(peak_mm=2.0, half_life_h=3.0, lasting_mm=0.0, times_h=[-1.0, -0.5, 0.5, 4, 24])}
#: every test here is about the worker processes: they keep the defaults a user gets (tests/conftest.py)
pytestmark = pytest.mark.real_worker
#: a photo after the treatment (its loss changes no other row): the one that crashes
CRASHER = "S02_microcurrent_03_p4h.jpg"


@pytest.fixture(scope="module")
def study_folder(tmp_path_factory, sample_path):
    root = tmp_path_factory.mktemp("crash")
    return study(sample_path, root / "study", subjects=2, design=DESIGN, max_side=480, seed=1)


def _in_this_process(mp: pytest.MonkeyPatch) -> None:
    """The batch's tasks in this process (no worker process started, ~1.9 s of CPU each spawned:
    tests/conftest.py): for the runs without a crash that a test only compares with, never for a run that
    crashes.  Their tables are the worker processes' byte for byte (as
    :func:`test_a_crash_that_does_not_come_back_loses_nothing` asserts of a 2-worker run against ``clean``)."""
    from facemetrics.batch import runner, workers

    mp.setattr(workers, "ISOLATE", False)
    mp.setattr(runner, "default_workers", lambda: 1)


@pytest.fixture(scope="module")
def clean(study_folder, tmp_path_factory):
    """The tables of the batch without a crash (measured in this process: the reference, not the subject)."""
    out = tmp_path_factory.mktemp("crash_clean")
    with pytest.MonkeyPatch.context() as mp:
        _in_this_process(mp)
        run_batch(study_folder.folder, out, manifest=study_folder.manifest, workers=1, progress=False)
    return out


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def _batch_command(study_folder, out: Path, workers: int, crash: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "GLOG_minloglevel": "2", TEST_CRASH_ENV: crash}
    return subprocess.run([sys.executable, "-m", "facemetrics", "batch", str(study_folder.folder), "-o", str(out),
                           "--manifest", str(study_folder.manifest), "--workers", str(workers)],
                          capture_output=True, text=True, env=env, cwd=ROOT, timeout=600)


@pytest.mark.parametrize("workers,signal", [(2, "abort"), (1, "segv")])
def test_a_photo_that_crashes_the_face_finder_gets_an_error_row_and_the_batch_goes_on(
        study_folder, clean, tmp_path, workers, signal):
    """`facemetrics batch` exits 0 and writes every table; the crashing photo's row is an ``error`` that
    names it and says to re-save it; every other row of photos.csv, changes.csv and long.csv is the
    clean batch's, the crashing photo's comparison is gone as for any photo not measured."""
    out = tmp_path / "out"
    ran = _batch_command(study_folder, out, workers, f"measure:{signal}:{CRASHER}")
    assert ran.returncode == 0, ran.stderr[-3000:]
    assert "9 measured, 1 not" in ran.stdout, ran.stdout
    photos = _lines(out / "photos.csv")
    crashed = [line for line in photos if CRASHER in line]
    assert len(crashed) == 1
    assert ",error," in crashed[0] and "crashed the face finder" in crashed[0] and "PNG or JPEG" in crashed[0]
    assert {"abort": "SIGABRT", "segv": "SIGSEGV"}[signal] in crashed[0]
    assert [line for line in photos if CRASHER not in line] == \
        [line for line in _lines(clean / "photos.csv") if CRASHER not in line]
    for name in ("changes.csv", "long.csv"):
        clean_rows = _lines(clean / name)
        assert any(CRASHER in line for line in clean_rows)
        assert _lines(out / name) == [line for line in clean_rows if CRASHER not in line], name


def test_a_comparison_that_crashes_gets_an_error_row_and_the_batch_goes_on(study_folder, clean, tmp_path,
                                                                          monkeypatch):
    """The crash while comparing one photo with its baseline: that comparison's row is an ``error``
    naming the photos, its photo is excluded from the changes; every photo row and every other comparison
    is the clean batch's.  (In-process run: the pytest process itself runs no task.)"""
    monkeypatch.setenv(TEST_CRASH_ENV, f"compare:abort:{CRASHER}")
    res = run_batch(study_folder.folder, tmp_path / "out", manifest=study_folder.manifest, workers=2,
                    progress=False)
    rows = {r["photo"].split("/")[-1]: r for r in res.change_rows}
    assert rows[CRASHER]["status"] == "error"
    assert "crashed the face finder" in rows[CRASHER]["messages"] and "SIGABRT" in rows[CRASHER]["messages"]
    assert "S02_microcurrent_00_m1h.jpg" in rows[CRASHER]["messages"]
    clean_changes = [line for line in _lines(clean / "changes.csv") if CRASHER not in line]
    assert [line for line in _lines(tmp_path / "out" / "changes.csv") if CRASHER not in line] == clean_changes
    assert _lines(tmp_path / "out" / "long.csv") == [line for line in _lines(clean / "long.csv") if CRASHER not in line]
    photo_rows = _lines(tmp_path / "out" / "photos.csv")
    assert [line for line in photo_rows if CRASHER not in line] == \
        [line for line in _lines(clean / "photos.csv") if CRASHER not in line]
    assert "comparison error" in next(line for line in photo_rows if CRASHER in line)
    # the error is not cached: a run without the crash compares it (in this process: what it asserts is the
    # cache's, which the same tables in the same folder read whichever process compares)
    monkeypatch.delenv(TEST_CRASH_ENV)
    _in_this_process(monkeypatch)
    again = run_batch(study_folder.folder, tmp_path / "out", manifest=study_folder.manifest, workers=1,
                      progress=False)
    assert (again.n_compared, again.n_measured) == (1, 0)
    for name in ("photos.csv", "changes.csv", "long.csv"):
        assert _lines(tmp_path / "out" / name) == _lines(clean / name), name


@pytest.mark.parametrize("schedule", ["photos", "shared"])
def test_a_crash_in_the_other_schedules_gives_the_same_rows(study_folder, clean, tmp_path, monkeypatch, schedule):
    """The task per photo of a measuring batch (``measure_photo``) and the photo tasks whose analyses are
    handed to the comparisons (``_task_measure_shared``, few sessions): the crashing photo's ``error`` row,
    every other row as without the crash."""
    from facemetrics.batch import runner

    compare = schedule == "shared"
    if compare:
        monkeypatch.setattr(runner, "_share_analyses", lambda compare, sessions, workers: True)
        ref = clean
    else:
        ref = tmp_path / "ref"  # the reference, in this process (the crashing run below keeps the worker processes)
        with pytest.MonkeyPatch.context() as mp:
            _in_this_process(mp)
            run_batch(study_folder.folder, ref, manifest=study_folder.manifest, workers=1, progress=False,
                      compare=False)
    monkeypatch.setenv(TEST_CRASH_ENV, f"measure:abort:{CRASHER}")
    out = tmp_path / "out"
    res = run_batch(study_folder.folder, out, manifest=study_folder.manifest, workers=2, progress=False,
                    compare=compare)
    row = next(r for r in res.photo_rows if r["photo"].endswith(CRASHER))
    assert row["status"] == "error" and "crashed the face finder" in row["error"], row
    for name in ("photos.csv", "changes.csv", "long.csv")[:3 if compare else 1]:
        assert [line for line in _lines(out / name) if CRASHER not in line] == \
            [line for line in _lines(ref / name) if CRASHER not in line], name


def test_a_crash_that_does_not_come_back_loses_nothing(study_folder, clean, tmp_path, monkeypatch):
    """A photo whose measuring crashed once (the SIGABRT of the fuzz runs, never reproduced) is measured
    again on its own: every table is the clean batch's, byte for byte."""
    monkeypatch.setenv(TEST_CRASH_ENV, f"measure:abort:{CRASHER}")
    monkeypatch.setenv(TEST_CRASH_ENV + "_ONCE", str(tmp_path))
    out = tmp_path / "out"
    run_batch(study_folder.folder, out, manifest=study_folder.manifest, workers=2, progress=False)
    assert (tmp_path / f"measure-{CRASHER}").exists()  # it did crash
    for name in ("photos.csv", "changes.csv", "long.csv"):
        assert (out / name).read_bytes() == (clean / name).read_bytes(), name


def test_the_crash_hook_is_off_unless_its_variable_names_the_stage_and_file(monkeypatch):
    """The hook ends the process only for its stage and exact file name (here: never)."""
    from facemetrics.batch.workers import _test_crash

    monkeypatch.setenv(TEST_CRASH_ENV, f"measure:abort:{CRASHER}")
    _test_crash("compare", CRASHER)
    _test_crash("measure", "x" + CRASHER)
    monkeypatch.delenv(TEST_CRASH_ENV)
    _test_crash("measure", CRASHER)


def test_worker_processes_that_die_at_start_up_leave_the_tasks_to_this_process(monkeypatch):
    """Worker processes that end before any task reached them (here: at once, in their initializer) are not
    started again, and the run neither hangs nor stops: this process runs every task."""
    import multiprocessing as mp
    import threading
    from concurrent.futures import ProcessPoolExecutor

    from facemetrics.batch import workers as w

    def dying(n, method="spawn"):
        return ProcessPoolExecutor(n, mp_context=mp.get_context("spawn"), initializer=os._exit, initargs=(3,))

    monkeypatch.setattr(w, "_executor", dying)
    pool = w._Pool(2)
    pids: dict[int, int] = {}
    t = threading.Thread(target=pool.run, args=([(os.getpid, ())] * 4, pids.__setitem__), daemon=True)
    t.start()
    t.join(timeout=600)  # a hang's bound, not a speed limit
    pool.close()
    assert not t.is_alive(), "the run hung (600 s) after its worker processes died"
    assert pids == {i: os.getpid() for i in range(4)} and pool.given_up
