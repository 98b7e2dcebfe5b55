"""The command line under awkward inputs (issue 9): nested folders with repeated
file names, symlinks, bad manifests, empty timelines, MediaPipe's log lines,
and killed or interrupted batch runs."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from facemetrics.batch import LONG_COLUMNS
from facemetrics.cli import main

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_images"
#: facemetrics analyze's own stderr lines: "[i/n] photo: status ..."
OWN_LINE = re.compile(r"^\[\d+/\d+\] \S.*: \w+")


def _cli(*args, timeout=300, **kw):
    return subprocess.run([sys.executable, "-m", "facemetrics", *map(str, args)], capture_output=True, text=True,
                          timeout=timeout, cwd=kw.pop("cwd", ROOT), **kw)


@pytest.fixture(scope="module")
def nested(tmp_path_factory):
    """SUBJECT/TREATMENT/image.jpg x 4 (phones name every photo alike), plus a dangling and a looping link."""
    root = tmp_path_factory.mktemp("nested")
    before, after = (SAMPLES / "astronaut_before.jpg").read_bytes(), (SAMPLES / "astronaut_after.jpg").read_bytes()
    for subj in ("S01", "S02"):
        for treat, data in (("botox", before), ("rf", after)):
            d = root / subj / treat
            d.mkdir(parents=True)
            (d / "image.jpg").write_bytes(data)
    os.symlink("does-not-exist.jpg", root / "S01" / "dangling.jpg")
    os.symlink("loop.jpg", root / "S02" / "loop.jpg")
    return root


def test_analyze_nested_folders_unique_names_and_clean_stderr(nested, tmp_path):
    """Issue 9 items 3, 8, 10 in one run of the real command (a subprocess)."""
    out = tmp_path / "out"
    r = _cli("analyze", nested, "-o", out / "photos.csv", "--overlays", out / "ov", "--geometry", out / "geo")
    assert r.returncode == 0, r.stderr
    df = pd.read_csv(out / "photos.csv")
    assert len(df) == 6
    assert sorted(df["photo"]) == ["S01/botox/image.jpg", "S01/dangling.jpg", "S01/rf/image.jpg",
                                   "S02/botox/image.jpg", "S02/loop.jpg", "S02/rf/image.jpg"]
    assert df["photo"].is_unique
    overlays = sorted(p.relative_to(out / "ov").as_posix() for p in (out / "ov").rglob("*.png"))
    assert overlays == [f"{s}/{t}/image_overlay.png" for s in ("S01", "S02") for t in ("botox", "rf")]
    assert len(list((out / "geo").rglob("*.json"))) == 6
    bad = df.set_index("photo").loc[["S01/dangling.jpg", "S02/loop.jpg"]]
    assert (bad["status"] == "unreadable").all()
    assert "symbolic link to a missing file" in bad.loc["S01/dangling.jpg", "error"]
    assert "link loop" in bad.loc["S02/loop.jpg", "error"]
    # stderr: only facemetrics' own progress lines, no TF-Lite/absl/MediaPipe log lines
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert len(lines) == 6 and all(OWN_LINE.match(ln) for ln in lines), r.stderr


def test_verbose_keeps_mediapipe_log_lines(tmp_path):
    """Control for the clean-stderr check: the lines exist and ``--verbose`` shows them."""
    r = _cli("--verbose", "analyze", SAMPLES / "astronaut_before.jpg", "-o", tmp_path / "p.csv")
    assert r.returncode == 0, r.stderr
    foreign = [ln for ln in r.stderr.splitlines() if ln.strip() and not OWN_LINE.match(ln)]
    assert any("TensorFlow Lite" in ln or "inference_feedback_manager" in ln or "NORM_RECT" in ln
               for ln in foreign), r.stderr


def test_same_stem_different_suffix_and_several_inputs(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    data = (SAMPLES / "astronaut_before.jpg").read_bytes()
    (a / "x.jpg").write_bytes(data)
    (a / "x.jpeg").write_bytes(data)
    (b / "x.jpg").write_bytes(data)
    from facemetrics.cli import find_photos_labelled

    labels = [lab for _, lab in find_photos_labelled([str(a), str(b)])]
    assert labels == ["a/x.jpeg", "a/x (2).jpg", "b/x.jpg"]
    os.chdir(tmp_path)
    try:  # files given directly: relative paths as typed, so a/x.jpg and b/x.jpg stay apart
        assert [lab for _, lab in find_photos_labelled(["a/x.jpg", "./b/x.jpg", str(b / "x.jpg")])] == [
            "a/x.jpg", "b/x.jpg", "x.jpg"]
    finally:
        os.chdir(ROOT)


def test_gif_found_in_folders_like_analyze_accepts_it(tmp_path):
    from PIL import Image

    from facemetrics.batch import find_study_photos
    from facemetrics.cli import find_photos

    Image.new("RGB", (64, 64)).save(tmp_path / "a.gif")
    assert [p.name for p in find_photos([str(tmp_path)])] == ["a.gif"]
    assert [p.name for p in find_study_photos(tmp_path)] == ["a.gif"]


def test_folder_search_skips_hidden_files_and_folders_everywhere(tmp_path):
    """One photo finder: ``analyze``'s folder search and ``batch`` skip the same hidden paths."""
    from PIL import Image

    from facemetrics.batch import find_study_photos
    from facemetrics.cli import find_photos

    for rel in ("a.JPG", ".b.jpg", ".git/c.jpg", "S1/.thumbs/d.png", "S1/e.png", "notes.txt"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        Image.new("RGB", (8, 8)).save(tmp_path / rel, format="PNG")
    want = ["S1/e.png", "a.JPG"]  # sorted by path
    assert [p.relative_to(tmp_path).as_posix() for p in find_photos([str(tmp_path)])] == want
    assert [p.relative_to(tmp_path).as_posix() for p in find_study_photos(tmp_path)] == want


# ---------------------------------------------------------------- timeline


def test_timeline_without_changes_is_a_message_not_a_traceback(tmp_path, capsys):
    (tmp_path / "long.csv").write_text(",".join(LONG_COLUMNS) + "\n")
    assert main(["timeline", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "holds no changes" in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_timeline_output_under_a_file(tmp_path, capsys):
    (tmp_path / "long.csv").write_text(",".join(LONG_COLUMNS) + "\nS,t,1,jawline_lift_mm,mean,1,mm,0.1,,p,,\n")
    (tmp_path / "afile").write_text("x")
    assert main(["timeline", str(tmp_path), "-o", str(tmp_path / "afile" / "sub")]) == 2
    err = capsys.readouterr().err
    assert "is a file, not a folder" in err and "Traceback" not in err


# ---------------------------------------------------------------- manifests through the CLI


def test_bad_manifest_is_one_line_exit_2(tmp_path, capsys):
    (tmp_path / "study").mkdir()
    m = tmp_path / "m.csv"
    m.write_text("file,subject\na.jpg,S1\n")
    assert main(["batch", str(tmp_path / "study"), "-o", str(tmp_path / "out"), "--manifest", str(m)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "m.csv" in err and "row 1" in err and "'photo'" in err, err


# ---------------------------------------------------------------- killed / interrupted batch runs


@pytest.fixture(scope="module")
def small_study(tmp_path_factory):
    from facemetrics.study import study

    design = {"rf": dict(peak_mm=1.0, half_life_h=3.0, lasting_mm=0.0, times_h=[-1.0, -0.5, 1, 4, 8, 24])}
    info = study(SAMPLES / "astronaut_before.jpg", tmp_path_factory.mktemp("s") / "study", subjects=2,
                 design=design, max_side=400, seed=3)
    return info


def _children(pid: int) -> list[int]:
    out = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                stat = (d / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                out.append(int(d.name))
    return out


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _wait(cond, limit_s: float = 60.0) -> bool:
    t0 = time.monotonic()
    while time.monotonic() - t0 < limit_s:
        if cond():
            return True
        time.sleep(0.2)
    return cond()


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
def test_workers_exit_when_the_batch_process_is_killed(small_study, tmp_path):
    proc = subprocess.Popen([sys.executable, "-m", "facemetrics", "batch", str(small_study.folder), "-o",
                             str(tmp_path / "out"), "--manifest", str(small_study.manifest), "--workers", "2"],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        # a Python child that is not multiprocessing's resource tracker (a spawned worker comes with
        # one, a forked one without; MediaPipe's import briefly runs ldconfig and gcc)
        def python_workers() -> list[int]:
            out = []
            for c in _children(proc.pid):
                try:
                    cmd = Path(f"/proc/{c}/cmdline").read_bytes()
                except OSError:
                    continue
                if b"python" in cmd.split(b"\0")[0] and b"resource_tracker" not in cmd:
                    out.append(c)
            return out

        assert _wait(lambda: len(python_workers()) >= 1), "no worker processes started"
        workers = _children(proc.pid)
    finally:
        proc.kill()  # kill -9: no clean-up code runs in the parent
        proc.wait()
    assert _wait(lambda: not any(_alive(w) for w in workers)), f"orphaned workers still alive: {workers}"


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
@pytest.mark.parametrize("how", ["SIGTERM to the batch", "Ctrl-C (SIGINT to the process group)"])
def test_sigterm_ends_a_batch_cleanly_and_keeps_partial_results(small_study, tmp_path, how):
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-m", "facemetrics", "batch", str(small_study.folder), "-o", str(out),
                             "--manifest", str(small_study.manifest), "--workers", "2"],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    cache = out / ".cache" / "photo"
    assert _wait(lambda: cache.is_dir() and len(list(cache.glob("*.json"))) >= 2, 180), "nothing measured"
    workers = _children(proc.pid)
    if how.startswith("SIGTERM"):
        proc.send_signal(signal.SIGTERM)
    else:  # a terminal's Ctrl-C reaches the parent and every worker
        os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "Traceback" not in err and err.count("interrupted") == 1, err
    assert _wait(lambda: not any(_alive(w) for w in workers)), workers
    # what was measured is kept for the next run (resuming is tested in test_batch.py)
    assert len(list(cache.glob("*.json"))) >= 2
    assert not list(cache.glob(".*.tmp")), "half-written cache entries left behind"


# ---------------------------------------------------------------- the parser itself

#: every (sub-)command whose ``--help`` is kept in tests/data/cli_help.txt
HELP_COMMANDS = ([], ["analyze"], ["batch"], ["timeline"], ["demo"], ["validate"], ["compare"], ["study"],
                 ["study", "add"], ["study", "list"], ["study", "report"], ["study", "import"], ["study", "delete"])
HELP_FILE = ROOT / "tests" / "data" / "cli_help.txt"


def help_texts() -> str:
    """The ``--help`` text of every command, at 100 columns, as stored in ``HELP_FILE``.

    After an intended change of the CLI, rewrite the file with
    ``COLUMNS=100 python -c "import sys; sys.path.insert(0, 'tests'); import test_cli;
    test_cli.HELP_FILE.write_text(test_cli.help_texts())"``.
    """
    import contextlib
    import io

    from facemetrics.cli import build_parser

    out = []
    for cmd in HELP_COMMANDS:
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf), pytest.raises(SystemExit):
            build_parser().parse_args([*cmd, "--help"])
        out.append("=== facemetrics " + " ".join(cmd) + "\n" + buf.getvalue())
    return "\n".join(out)


@pytest.mark.skipif(sys.version_info[:2] != (3, 11), reason="argparse's help layout differs between Python versions; "
                                                             "tests/data/cli_help.txt was written with 3.11")
def test_help_of_every_sub_command_is_unchanged(monkeypatch):
    """build_parser split into one ``_add_<command>`` per sub-command (issue 13): the parser is the same."""
    monkeypatch.setenv("COLUMNS", "100")
    got, want = help_texts(), HELP_FILE.read_text(encoding="utf-8")
    assert got.count("=== facemetrics") == len(HELP_COMMANDS) == want.count("=== facemetrics")
    assert got == want


@pytest.mark.parametrize("argv, func", [
    (["analyze", "a.jpg"], "cmd_analyze"), (["batch", "F", "-o", "O"], "cmd_batch"),
    (["timeline", "D"], "cmd_timeline"), (["demo", "-o", "O"], "cmd_demo"),
    (["validate", "-o", "O"], "cmd_validate"), (["compare", "a", "b"], "cmd_compare"),
    (["study", "add", "p", "--subject", "S"], "cmd_study_add"), (["study", "list"], "cmd_study_list"),
    (["study", "report", "-o", "O"], "cmd_study_report"), (["study", "import", "F"], "cmd_study_import"),
    (["study", "delete", "--subject", "S"], "cmd_study_delete"),
])
def test_every_sub_command_runs_its_own_function(argv, func):
    from facemetrics.cli import build_parser

    args = build_parser().parse_args(argv)
    assert args.func.__name__ == func


def test_min_effect_help_states_the_defaults_in_use():
    """The ``--min-effect`` help quotes :data:`facemetrics.decay.claim.MIN_EFFECT` (a stale copy said 0.33)."""
    from facemetrics.decay.claim import MIN_EFFECT

    text = " ".join(help_texts().split())
    quoted = f"default: {MIN_EFFECT['mm']:g} mm for lifts, {MIN_EFFECT['index']:g} for the fold-depth index"
    assert text.count(quoted) == 2, quoted


def test_the_command_returns_mains_status_and_then_freezes_the_collector(monkeypatch):
    """``facemetrics`` (``cli.run``) is ``main`` plus a quick exit: its status is main's, and the
    collector is frozen only after main has returned (nothing of main's work is left uncollected)."""
    import gc

    import facemetrics.cli as cli

    seen = {}

    def fake_main(argv=None):
        seen["frozen_during_main"] = gc.get_freeze_count()
        return 7

    monkeypatch.setattr(cli, "main", fake_main)
    gc.unfreeze()
    try:
        assert cli.run() == 7
        assert seen["frozen_during_main"] == 0 and gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


def test_batch_command_never_imports_pandas(tmp_path):
    """The command writes its tables without pandas (0.3 s of CPU at every run, issue 12):
    a fresh process runs ``facemetrics batch`` and reports what it imported."""
    code = ("import sys\nfrom facemetrics.cli import main\n"
            f"rc = main(['batch', {str(SAMPLES)!r}, '-o', {str(tmp_path / 'out')!r}, '--workers', '1'])\n"
            "print(rc, 'pandas' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                         env={**os.environ, "GLOG_minloglevel": "2"})
    assert out.stdout.split()[-2:] == ["0", "False"], out.stdout + out.stderr
    photos = pd.read_csv(tmp_path / "out" / "photos.csv")
    assert len(photos) == len(list(SAMPLES.glob("*.jpg"))) and (photos["status"] == "ok").all()
