"""A native crash of the face finder (SIGABRT / SIGSEGV inside MediaPipe or OpenCV: no Python exception) in
``facemetrics analyze`` or ``compare`` ends a worker process, never the command: a message naming the photo,
a non-zero exit status, no traceback (docs/robustness.md, 'A native crash in analyze, compare and the app').
The crash is made by the test-only hook ``FACEMETRICS_TEST_NATIVE_CRASH``
(:func:`facemetrics.batch.workers._test_crash`), as in tests/test_batch_crash.py."""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from facemetrics.batch.workers import TEST_CRASH_ENV

ROOT = Path(__file__).resolve().parents[1]
BEFORE, AFTER = "astronaut_before.jpg", "astronaut_after.jpg"
#: every test here is about the worker processes: they keep the defaults a user gets (tests/conftest.py)
pytestmark = pytest.mark.real_worker


@pytest.fixture()
def photos(tmp_path) -> Path:
    for name in (BEFORE, AFTER):
        shutil.copy(ROOT / "sample_images" / name, tmp_path / name)
    return tmp_path


def _run(cwd: Path, *argv: str, crash: str = "", once: Path | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(TEST_CRASH_ENV)}
    env.update(PYTHONPATH=str(ROOT), GLOG_minloglevel="2")
    if crash:
        env[TEST_CRASH_ENV] = crash
    if once is not None:
        env[TEST_CRASH_ENV + "_ONCE"] = str(once)
    return subprocess.run([sys.executable, "-m", "facemetrics", *argv], capture_output=True, text=True, env=env,
                          cwd=cwd, timeout=600)


def _in_this_process(cwd: Path, *argv: str) -> int:
    """The command run by :func:`facemetrics.cli.main` in this process, measuring here (no worker process, no
    interpreter started): for a run without a crash that a test only compares with or writes over, never for
    a run that crashes (its output files are the worker's byte for byte: ``Worker.call`` calls the same
    function, tests/conftest.py)."""
    from facemetrics import isolated
    from facemetrics.cli import main

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(isolated, "ISOLATE", False)
        mp.delenv(TEST_CRASH_ENV, raising=False)
        mp.chdir(cwd)
        return main(list(argv))


def _rows(path: Path) -> dict[str, dict]:
    with open(path, newline="", encoding="utf-8-sig") as f:  # a BOM leads (Excel)
        return {r["photo"]: r for r in csv.DictReader(f)}


@pytest.mark.parametrize("signal,name", [("segv", "SIGSEGV"), ("abort", "SIGABRT")])
def test_analyze_names_the_photo_that_crashes_and_measures_the_next(photos, signal, name):
    """The crashing photo (given first) gets an ``error`` row saying it crashed the face finder with that signal;
    the photo after it is measured; stderr says so last; exit status 1; no traceback."""
    ran = _run(photos, "analyze", BEFORE, AFTER, "-o", "out.csv", crash=f"measure:{signal}:{BEFORE}")
    assert ran.returncode == 1, ran.stderr[-3000:]
    assert "Traceback" not in ran.stderr and "Traceback" not in ran.stdout
    rows = _rows(photos / "out.csv")
    assert rows[AFTER]["status"] == "ok", rows[AFTER]["error"]
    assert rows[BEFORE]["status"] == "error"
    assert f"{BEFORE}: the photo crashed the face finder" in rows[BEFORE]["error"] and name in rows[BEFORE]["error"]
    last = ran.stderr.strip().splitlines()[-1]
    assert last.startswith(f"facemetrics analyze: {BEFORE}: the photo crashed the face finder") and name in last
    assert "PNG or JPEG" in last
    assert "1 of 2 photos measured" in ran.stdout


def test_analyze_a_crash_that_does_not_come_back_loses_nothing(photos, tmp_path):
    """A crash once (then the photo is measured again in a new worker process): every row as without it."""
    marks = tmp_path / "marks"
    marks.mkdir()
    clean = _in_this_process(photos, "analyze", BEFORE, AFTER, "-o", "clean.csv")  # the reference
    ran = _run(photos, "analyze", BEFORE, AFTER, "-o", "out.csv", crash=f"measure:abort:{AFTER}", once=marks)
    assert (marks / f"measure-{AFTER}").exists()  # it did crash
    assert (clean, ran.returncode) == (0, 0), ran.stderr[-3000:]
    assert (photos / "out.csv").read_bytes() == (photos / "clean.csv").read_bytes()


def test_compare_names_the_photo_that_crashes(photos):
    """The after photo crashes while measured: one line naming it, exit status 2, nothing written (an earlier run's
    comparison.csv removed), no traceback."""
    out = photos / "cmp"
    assert _in_this_process(photos, "compare", BEFORE, AFTER, "-o", "cmp") == 0  # the earlier run's outputs
    assert (out / "comparison.csv").exists()
    ran = _run(photos, "compare", BEFORE, AFTER, "-o", "cmp", crash=f"measure:segv:{AFTER}")
    assert ran.returncode == 2, ran.stderr[-3000:]
    assert "Traceback" not in ran.stderr
    line = ran.stderr.strip()
    assert "\n" not in line
    assert line.startswith(f"facemetrics compare: {AFTER}: the photo crashed the face finder") and "SIGSEGV" in line
    assert BEFORE not in line.split("removed")[0].split("crashed")[1]  # the before photo is not blamed
    assert not (out / "comparison.csv").exists()


def test_compare_names_the_comparison_when_no_photo_crashes_alone(photos):
    """The crash while comparing (each photo measures on its own): the message names both photos."""
    ran = _run(photos, "compare", BEFORE, AFTER, "-o", "cmp", crash=f"compare:abort:{AFTER}")
    assert ran.returncode == 2, ran.stderr[-3000:]
    assert "Traceback" not in ran.stderr
    assert f"comparing {AFTER} with {BEFORE} crashed the face finder" in ran.stderr and "SIGABRT" in ran.stderr
    assert not (photos / "cmp" / "comparison.csv").exists()


def test_a_worker_runs_the_next_call_after_a_crash(monkeypatch, sample_path):
    """:class:`facemetrics.isolated.Worker`: a call that crashes twice is ``NativeCrash``; the next call, in a new
    worker process, gives the analysis :func:`facemetrics.analyze_photo` gives in this process."""
    from facemetrics import analyze_photo
    from facemetrics.isolated import NativeCrash, Worker, analyze_task

    worker = Worker()
    try:
        monkeypatch.setenv(TEST_CRASH_ENV, f"measure:segv:{sample_path.name}")
        with pytest.raises(NativeCrash) as crash:
            worker.call(analyze_task, str(sample_path))
        assert crash.value.how == "SIGSEGV" and worker.starts == 2
        monkeypatch.delenv(TEST_CRASH_ENV)
        there = worker.call(analyze_task, str(sample_path))
        assert worker.starts == 3
    finally:
        worker.close()
    assert there.to_row() == analyze_photo(sample_path).to_row()
