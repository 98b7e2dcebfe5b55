"""The command line under awkward inputs (issue 9): nested folders with repeated
file names, symlinks, bad manifests, empty timelines, MediaPipe's log lines,
and killed or interrupted batch runs."""

from __future__ import annotations

import argparse
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from conftest import fed_fifo
from facemetrics import isolated
from facemetrics.batch import LONG_COLUMNS
from facemetrics.cli import main
from facemetrics.ledger import LEDGER_NAME

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
    assert overlays == [f"{s}/{t}/image.jpg_overlay.png" for s in ("S01", "S02") for t in ("botox", "rf")]
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
    assert labels == ["a/x.jpeg", "a/x.jpg", "b/x.jpg"]  # true paths; output names keep the suffix apart
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


def test_timeline_given_the_long_csv_file_names_its_folder(tmp_path, capsys):
    """`timeline results/study/long.csv` said ".../long.csv/long.csv not found (run batch first)", though
    batch had run (a new user's audit, 2026-12-04): one line saying to give the folder, and which."""
    (tmp_path / "long.csv").write_text(",".join(LONG_COLUMNS) + "\n")
    assert main(["timeline", str(tmp_path / "long.csv")]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "long.csv/long.csv" not in err, err
    assert "is a file: give the folder that `facemetrics batch` wrote" in err and f"timeline {tmp_path}`" in err


def test_timeline_given_a_missing_folder_says_the_folder_is_missing(tmp_path, capsys):
    """`timeline nonexist` said "nonexist/long.csv not found (run batch first)" (a fresh user's audit,
    2026-12-04): the folder itself is named as missing, in one line, exit 2."""
    missing = tmp_path / "nonexist"
    assert main(["timeline", str(missing)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and f"no folder {missing}" in err and "long.csv not found" not in err, err


def test_batch_without_study_folders_says_why_nothing_was_compared(tmp_path, capsys):
    """A folder of photos without <subject>/<treatment>/ folders and treated_at.txt read "0 changes; 2
    photos left out of the changes (the 'excluded' column of photos.csv says why)" and exit 0, the
    reason only in photos.csv (a new user's audit, 2026-12-04): the console now gives the commonest
    reasons with their counts, the layout among them; a run with changes prints no such sentence."""
    from PIL import Image

    from facemetrics.batch import Excluded
    from facemetrics.batch.console import why_no_changes

    study = tmp_path / "flat"
    study.mkdir()
    for name in ("a.png", "b.png"):  # too small to measure: no MediaPipe needed, still two rows
        Image.new("RGB", (8, 8)).save(study / name)
    # nothing compared: exit status 1 with one line on stderr saying why (it exited 0: stop 45's audit)
    assert main(["batch", str(study), "-o", str(tmp_path / "out")]) == 1
    out, err = capsys.readouterr()
    assert err.splitlines()[-1] == ("facemetrics batch: no photo could be measured (2 photos; photos.csv's status "
                                    "and error say why); the tables are written"), err
    assert (tmp_path / "out" / "photos.csv").is_file() and (tmp_path / "out" / "changes.csv").is_file()
    assert "0 changes" in out and "No photo could be compared. 2 photos: cannot be read" in out, out
    assert "2 photos: no treated_at.txt in the study folder: photos go in FOLDER/<subject>/<treatment>/" in out, out
    excluded = pd.read_csv(tmp_path / "out" / "photos.csv")["excluded"]
    assert excluded.str.contains("no treated_at.txt in the study folder").all(), excluded
    # the reasons of one cell are split outside brackets; the fourth and later reasons are counted, not shown
    why = [Excluded(*x) for x in [("p1", "x (a; b); y"), ("p2", "y"), ("p3", "z"), ("p4", "w"), ("p5", "v")]]
    assert why_no_changes(why) == (" No photo could be compared. 2 photos: y. 1 photo: x (a; b). 1 photo: z."
                                    " 2 other reasons: see photos.csv.")
    assert why_no_changes([]) == ""


def test_timeline_on_a_long_csv_without_a_column_names_the_file_and_the_columns(tmp_path, capsys):
    """A long.csv without hours_since_treatment said "cannot fit DIR/long.csv: changes lacks column(s)
    hours_since_treatment" ("changes": the library's argument; a new user's audit, 2026-12-04)."""
    from facemetrics.schema import CHANGES_INPUT_COLUMNS

    cols = [c for c in LONG_COLUMNS if c != "hours_since_treatment"]
    (tmp_path / "long.csv").write_text(",".join(cols) + "\n" + ",".join("1" for _ in cols) + "\n")
    assert main(["timeline", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "changes lacks" not in err, err
    assert (f"cannot fit {tmp_path}/long.csv: the change table lacks column(s) hours_since_treatment (it needs "
            f"{', '.join(CHANGES_INPUT_COLUMNS)}, as the long.csv `facemetrics batch` writes has them)") in err, err


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


#: the ceiling of a wait on a process (s): a hang's, not a speed limit (the machine's load only makes a wait longer)
HANG_S = 600.0


def _wait(cond, limit_s: float = HANG_S, stop=None) -> bool:
    """Poll ``cond()`` every 0.2 s: True as soon as it holds; otherwise its last value once ``stop()`` holds (the
    process waited on has ended, so the condition will not change) or after ``limit_s`` s (a hang)."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < limit_s:
        if cond():
            return True
        if stop is not None and stop():
            break
        time.sleep(0.2)
    return cond()


def _seen(proc, pids=()) -> str:
    """What a failed wait saw: the batch's exit status (or "running"), its children, the state of ``pids``."""
    def state(pid: int) -> str:
        try:
            return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            return "gone"

    status = "running" if proc.poll() is None else f"exited {proc.returncode}"
    return (f"batch {status}, its children {_children(proc.pid)}"
            + (f", states {dict((p, state(p)) for p in pids)}" if pids else ""))


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

        assert _wait(lambda: len(python_workers()) >= 1, stop=lambda: proc.poll() is not None), \
            f"no worker processes started: {_seen(proc)}"
        workers = _children(proc.pid)
    finally:
        proc.kill()  # kill -9: no clean-up code runs in the parent
        proc.wait()
    assert _wait(lambda: not any(_alive(w) for w in workers)), f"orphaned workers still alive: {_seen(proc, workers)}"


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
@pytest.mark.parametrize("how", ["SIGTERM to the batch", "Ctrl-C (SIGINT to the process group)"])
def test_sigterm_ends_a_batch_cleanly_and_keeps_partial_results(small_study, tmp_path, how):
    out = tmp_path / "out"
    # SIGINT as a terminal has it: a test run started in the background (`cmd &` in a script)
    # inherits SIGINT ignored, and Python then installs no KeyboardInterrupt handler in the child
    proc = subprocess.Popen([sys.executable, "-m", "facemetrics", "batch", str(small_study.folder), "-o", str(out),
                             "--manifest", str(small_study.manifest), "--workers", "2"],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    cache = out / ".cache" / "photo"
    measured = lambda: len(list(cache.glob("*.json"))) if cache.is_dir() else 0  # noqa: E731
    assert _wait(lambda: measured() >= 2, stop=lambda: proc.poll() is not None), \
        f"nothing measured: {measured()} photo(s) in the cache, {_seen(proc)}"
    workers = _children(proc.pid)
    if how.startswith("SIGTERM"):
        proc.send_signal(signal.SIGTERM)
    else:  # a terminal's Ctrl-C reaches the parent and every worker
        os.killpg(proc.pid, signal.SIGINT)
    try:
        _, err = proc.communicate(timeout=HANG_S)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        raise AssertionError(f"the batch did not end in {HANG_S:.0f} s after the signal: {_seen(proc, workers)}")
    assert proc.returncode == 130, err
    assert "Traceback" not in err and err.count("interrupted") == 1, err
    # it says what is kept, truly: the measurements in the cache, no table yet (they are written at the end)
    assert "no table was written" in err and "resume" in err and not (out / "photos.csv").exists(), err
    assert _wait(lambda: not any(_alive(w) for w in workers)), f"workers still alive: {_seen(proc, workers)}"
    # what was measured is kept for the next run (resuming is tested in test_batch.py)
    assert len(list(cache.glob("*.json"))) >= 2
    assert not list(cache.glob(".*.tmp")), "half-written cache entries left behind"


#: run as ``python -m`` (as the command is): the command, where the first ``eval`` of a string after
#: it installed its signal handlers (``collections.namedtuple``'s, which MediaPipe runs on every photo)
#: gets the signal from inside the evaluated code
_SIGNAL_INSIDE_EVAL = """
import builtins, os, signal, sys
from facemetrics.cli import run

sig = getattr(signal, sys.argv.pop(1))
real_eval = builtins.eval


def eval_(source, *args):
    if isinstance(source, str) and args and callable(signal.getsignal(signal.SIGTERM)):
        builtins.eval = real_eval
        args[0]["_signal"] = lambda: os.kill(os.getpid(), sig)
        source = f"_signal() or ({source})"
    return real_eval(source, *args)


builtins.eval = eval_
sys.exit(run())
"""


@pytest.mark.parametrize("sig", ["SIGTERM", "SIGINT"])
def test_a_signal_inside_an_eval_of_a_string_still_exits_130(tmp_path, sig):
    # CPython notes a KeyboardInterrupt leaving an exec/eval of a string, and `python -m` then kills itself by
    # SIGINT at exit though the command caught it (a CI run's batch died so: status -2 after 'interrupted')
    (tmp_path / "signal_in_eval.py").write_text(_SIGNAL_INSIDE_EVAL)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(tmp_path), os.environ.get("PYTHONPATH")])))
    proc = subprocess.run([sys.executable, "-m", "signal_in_eval", sig, "analyze", str(SAMPLES / "astronaut_before.jpg"),
                           "-o", str(tmp_path / "p.csv")], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    assert proc.returncode == 130, (proc.returncode, proc.stderr)
    assert "Traceback" not in proc.stderr and proc.stderr.count("interrupted") == 1, proc.stderr


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


def test_every_study_sub_command_has_a_description_with_an_example():
    """`facemetrics study <sub> --help` gave the usage and options alone, where the other commands say what they
    do, read and write (round 2 of a first-time user's session, 2026-12-05): each has a paragraph ending in an
    example that runs that sub-command, and parses."""
    import shlex

    from facemetrics.cli import build_parser

    study = next(a for a in build_parser()._subparsers._group_actions[0].choices["study"]._subparsers._group_actions)
    assert sorted(study.choices) == ["add", "delete", "import", "list", "report"]
    for name, p in study.choices.items():
        assert p.description and "Example: facemetrics study " + name in p.description, name
        example = p.description.split("Example: facemetrics ", 1)[1]
        args = build_parser().parse_args(shlex.split(example))  # the example is a command line that parses
        assert args.study_command == name, (name, example)


@pytest.mark.parametrize("columns", ["60", "100"])
def test_no_example_line_of_the_help_is_wrapped(monkeypatch, columns):
    """argparse reflowed each `study` sub-command's description to the terminal's width, the example command with
    it, so that at 60 columns `facemetrics study add IMG_0001.jpg ... --treated-at 2026-12-01T08:00` was broken over
    three lines and a copied example did not run (round 2 of a first-time user's session, 2026-12-05, Left).  Each
    example is now one whole line of the help, at 60 and at 100 columns, and the paragraph before it still
    wraps."""
    import contextlib
    import io

    from facemetrics.cli import build_parser

    monkeypatch.setenv("COLUMNS", columns)
    study = next(a for a in build_parser()._subparsers._group_actions[0].choices["study"]._subparsers._group_actions)
    seen = 0
    for name, p in study.choices.items():
        example = "Example: " + p.description.split("Example: ", 1)[1].splitlines()[0]
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf), pytest.raises(SystemExit):
            build_parser().parse_args(["study", name, "--help"])
        lines = buf.getvalue().splitlines()
        assert example in lines, (name, columns, lines)  # the whole example, alone on its line
        before = [x for x in lines[max(0, lines.index(example) - 8):lines.index(example)] if x]
        assert before and max(map(len, before)) <= int(columns), (name, before)  # the paragraph wrapped
        seen += 1
    assert seen == 5


def test_min_effect_help_states_the_defaults_in_use():
    """The ``--min-effect`` help quotes :data:`facemetrics.decay.claim.MIN_EFFECT` (a stale copy said 0.33)."""
    from facemetrics.decay.claim import MIN_EFFECT

    text = " ".join(help_texts().split())
    quoted = f"default: {MIN_EFFECT['mm']:g} mm for lifts, {MIN_EFFECT['index']:g} for the fold-depth index"
    assert text.count(quoted) == 2, quoted
    # the margin is max(min_effect, noise floor): a smaller value is raised, which the help says (CLI audit b)
    assert text.count("A verdict's margin is at least its series' noise floor") == 2, text


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
    # the sample folder is no study (no treated_at.txt), so nothing is compared: exit status 1 since 0.2.24
    assert out.stdout.split()[-2:] == ["1", "False"], out.stdout + out.stderr
    photos = pd.read_csv(tmp_path / "out" / "photos.csv")
    assert len(photos) == len(list(SAMPLES.glob("*.jpg"))) and (photos["status"] == "ok").all()


# ---------------------------------------------------------------- audit 23: names, output paths, settings


def _photo_variants(folder: Path, names: list[str]) -> dict[str, str]:
    """Write a different face photo under each name (format from the suffix); ``{name: sha256}``."""
    import hashlib

    from PIL import Image, ImageOps

    base = [Image.open(SAMPLES / "astronaut_before.jpg"), Image.open(SAMPLES / "astronaut_after.jpg")]
    out = {}
    for i, name in enumerate(names):
        img = base[i % 2] if i < 2 else ImageOps.autocontrast(base[i % 2], cutoff=i)  # other pixels, same face
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        img.save(path, format="PNG" if name.endswith(".png") else "JPEG", quality=90)
        out[name] = hashlib.sha256(path.read_bytes()).hexdigest()
    assert len(set(out.values())) == len(names)
    return out


def test_photo_column_is_the_files_true_path_and_outputs_never_collide(tmp_path):
    """Audit 23 A: ``image.png`` was labelled ``image (2).png`` (another file), and 4 photos gave
    3 overlays. Each row's ``photo`` is the file it measured; each photo has its own outputs."""
    shas = _photo_variants(tmp_path / "in", ["image.jpg", "image.png", "image (2).png", "image (2).jpg"])
    out = tmp_path / "out"
    assert main(["analyze", str(tmp_path / "in"), "-o", str(out / "p.csv"), "--overlays", str(out / "ov"),
                 "--geometry", str(out / "geo")]) == 0
    df = pd.read_csv(out / "p.csv")
    assert sorted(df["photo"]) == sorted(shas) and (df["status"] == "ok").all()
    assert dict(zip(df["photo"], df["sha256"])) == shas  # the row of image.png is image.png's
    # and each folder's ledger of the files written (facemetrics.ledger)
    assert sorted(p.name for p in (out / "ov").iterdir()) == sorted([*(f"{n}_overlay.png" for n in shas), LEDGER_NAME])
    import json

    geo = {p.name: json.loads(p.read_text())["photo"] for p in (out / "geo").iterdir() if p.name != LEDGER_NAME}
    assert geo == {f"{n}.json": n for n in shas}


def test_labels_are_true_paths_even_when_names_repeat(tmp_path):
    from facemetrics.cli import find_photos_labelled

    for rel in ("grey.jpg", "grey.png", "p/x.jpg", "q/x.jpg"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_bytes(b"x")
    assert [lab for _, lab in find_photos_labelled([str(tmp_path / "grey.jpg"), str(tmp_path / "grey.png")])] == [
        "grey.jpg", "grey.png"]  # was "grey (2).png", a file that does not exist
    # two files of one name given by absolute path: each is named by its absolute path; one file twice: once
    px, qx = str(tmp_path / "p" / "x.jpg"), str(tmp_path / "q" / "x.jpg")
    got = find_photos_labelled([px, qx, px])
    assert [lab for _, lab in got] == [Path(px).as_posix(), Path(qx).as_posix()]
    assert all(Path(lab).is_file() for _, lab in got)


def test_output_names_are_unique_short_and_keep_the_suffix():
    from facemetrics.cli import _MAX_OUTPUT_NAME_BYTES, output_names

    long = "L" * 240 + ".jpg"
    labels = ["image.jpg", "image.png", "Image.jpg", "image~x.jpg", long, "L" * 239 + "M.jpg", "S/" + "é" * 150 + ".png",
              "a", "a_overlay.png"]
    stems = output_names(labels)
    assert stems["image.jpg"] == "image.jpg" and stems["image.png"] == "image.png"
    names = [f"{stems[lab]}{sfx}" for lab in labels for sfx in ("_overlay.png", ".json")]
    assert len({n.casefold() for n in names}) == len(names)  # unique, even on a case-insensitive disk
    assert all(len(n.rsplit("/", 1)[-1].encode()) <= _MAX_OUTPUT_NAME_BYTES for n in names)
    assert _MAX_OUTPUT_NAME_BYTES + len(".") + len(".12345678.tmp") <= 255  # atomic_write's temporary name fits
    assert stems[long].endswith(".jpg") and "~" in stems[long]
    assert stems["S/" + "é" * 150 + ".png"].startswith("S/é")  # cut at a character boundary, folder kept
    # a shortened name that equals another photo's real name is made unique too
    taken = output_names(["A.jpg", "a.jpg"])["a.jpg"]
    again = output_names([taken, "A.jpg", "a.jpg"])
    assert len({v.casefold() for v in again.values()}) == 3


def test_long_file_name_and_unwritable_overlay_are_row_warnings_not_the_end(tmp_path):
    """Audit 23 B: a 240-character name with --overlays ended the run ('File name too long');
    an overlay that cannot be written is that photo's warning and the run goes on."""
    long = "L" * 240 + ".jpg"
    _photo_variants(tmp_path / "in", [long, "S2/b.jpg"])
    out = tmp_path / "out"
    (out / "ov").mkdir(parents=True)
    (out / "ov" / "S2").write_text("a file where S2's overlay folder would go")
    assert main(["analyze", str(tmp_path / "in"), "-o", str(out / "p.csv"), "--overlays", str(out / "ov"),
                 "--geometry", str(out / "geo")]) == 0
    df = pd.read_csv(out / "p.csv", keep_default_na=False).set_index("photo")
    assert list(df.index) == [long, "S2/b.jpg"] and (df["status"] == "ok").all()
    assert "overlay not written" in df.loc["S2/b.jpg", "warnings"]
    assert "overlay not written" not in df.loc[long, "warnings"]
    (ov,) = [p for p in (out / "ov").iterdir() if p.is_file() and p.name not in ("S2", LEDGER_NAME)]
    assert ov.name.endswith(".jpg_overlay.png") and len(ov.name.encode()) <= 200
    assert len(list((out / "geo").rglob("*.json"))) == 2


@pytest.mark.parametrize("argv", [
    ["analyze", "{photo}", "-o", "{dir}"], ["analyze", "{photo}", "-o", "{file}/x.csv"],
    ["analyze", "{photo}", "-o", "{tmp}/a.csv", "--geometry", "{file}"],
    ["analyze", "{photo}", "-o", "{tmp}/a.csv", "--overlays", "{file}/sub"],
    ["batch", "{dir}", "-o", "{file}"], ["compare", "{photo}", "{photo}", "-o", "{file}"],
    ["validate", "-o", "{file}", "--quick"], ["demo", "-o", "{file}"],
    ["study", "report", "-o", "{file}", "--store", "{tmp}/store"],
])
def test_bad_output_paths_are_one_line_before_any_work(argv, tmp_path, capsys, monkeypatch):
    """Audit 23 C: these ended in a traceback (``analyze -o DIR`` after measuring every photo)."""
    import facemetrics.analyze
    import facemetrics.batch
    import facemetrics.compare
    import facemetrics.study
    import facemetrics.validate

    def work(*a, **k):
        raise AssertionError("work started before the output path was checked")

    for mod, name in ((facemetrics.analyze, "analyze_photo"), (facemetrics.batch, "run_batch"),
                      (facemetrics.compare, "compare_photos"), (facemetrics.validate, "run_validation"),
                      (facemetrics.study, "study")):
        monkeypatch.setattr(mod, name, work)
    (tmp_path / "afile").write_text("x")
    (tmp_path / "adir").mkdir()
    fill = dict(photo=SAMPLES / "astronaut_before.jpg", dir=tmp_path / "adir", file=tmp_path / "afile", tmp=tmp_path)
    assert main([a.format(**fill) for a in argv]) == 2
    err = capsys.readouterr().err
    # the command as run: `facemetrics study report: ...`, as that command's own messages say (was `study:`)
    ran = " ".join(argv[:2] if argv[0] == "study" else argv[:1])
    assert len(err.strip().splitlines()) == 1 and err.startswith(f"facemetrics {ran}: cannot write"), err


@pytest.mark.parametrize("argv, unit", [
    (["analyze", "a.jpg", "--mm-per-px", v], "mm per pixel") for v in ("-1", "0", "nan", "inf", "1e-9", "50")
] + [
    (["analyze", "a.jpg", "--ipd-mm", v], "mm between the pupils") for v in ("0", "nan", "-60", "6.3")
] + [
    (["batch", "F", "-o", "O", "--mm-per-px", "-1"], "mm per pixel"),
    (["compare", "a", "b", "--ipd-mm", "6.3"], "in mm, not cm"),
    (["batch", "F", "-o", "O", "--workers", "0"], "at least 1"), (["validate", "-o", "O", "--workers", "-3"], "at least 1"),
    (["demo", "-o", "O", "--workers", "0"], "at least 1"), (["study", "report", "-o", "O", "--workers", "0"], "at least 1"),
])
def test_implausible_numeric_options_are_usage_errors_with_the_unit(argv, unit, capsys):
    """Audit 23 D: these gave ZeroDivisionError / OpenCV tracebacks, a 19 GB allocation (50 mm/px),
    rows of OpenCV text (batch), nonsense (6.3 mm) or were accepted silently (workers 0)."""
    from facemetrics.cli import build_parser

    with pytest.raises(SystemExit) as exc:
        build_parser().parse_args(argv)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert unit in err and "Traceback" not in err, err


def test_plausible_numeric_options_are_accepted_and_the_help_quotes_the_ranges():
    from facemetrics.analyze import MAX_FACE_WIDTH_PX, USER_IPD_RANGE_MM, USER_MM_PER_PX_RANGE
    from facemetrics.cli import _IPD_HELP, _MM_PER_PX_HELP, build_parser
    from facemetrics.quality import MIN_FACE_WIDTH_PX

    lo, hi = USER_MM_PER_PX_RANGE
    a = build_parser().parse_args(["analyze", "a.jpg", "--mm-per-px", f"{lo}", "--ipd-mm", "63"])
    assert (a.mm_per_px, a.ipd_mm) == (lo, 63.0)
    assert build_parser().parse_args(["batch", "F", "-o", "O", "--mm-per-px", f"{hi}", "--workers", "1"]).workers == 1
    assert f"{MIN_FACE_WIDTH_PX}-{MAX_FACE_WIDTH_PX}" in _MM_PER_PX_HELP
    assert f"{USER_IPD_RANGE_MM[0]:g}-{USER_IPD_RANGE_MM[1]:g}" in _IPD_HELP
    # the help's range is the error's, from the same constant (the help read 0.007-0.93, the error 0.007-0.933)
    from facemetrics.analyze import check_ipd_mm, check_mm_per_px
    from facemetrics.errors import SettingError

    for check, value, help_text in ((check_mm_per_px, 50.0, _MM_PER_PX_HELP), (check_ipd_mm, 6.3, _IPD_HELP)):
        with pytest.raises(SettingError) as exc:
            check(value)
        shown = re.search(r"is not in (\S+) ", str(exc.value)).group(1)
        assert f"({shown}:" in help_text or f"({shown};" in help_text, (shown, help_text)
    assert f"({lo:.3g}-{hi:.3g}:" in _MM_PER_PX_HELP


@pytest.mark.parametrize("kw", [dict(mm_per_px=-1.0), dict(mm_per_px=float("nan")), dict(mm_per_px=50.0),
                                dict(ipd_mm=0.0), dict(ipd_mm=6.3)])
def test_library_entry_points_refuse_implausible_settings(kw):
    """Audit 23 D: the library raises its documented error (a ``FacemetricsError`` and a ``ValueError``)
    naming the setting and its unit, before reading the photo, instead of failing deep inside OpenCV."""
    from facemetrics.analyze import analyze_loaded, analyze_photo
    from facemetrics.compare import compare_photos
    from facemetrics.errors import FacemetricsError, SettingError
    from facemetrics.loader import Photo

    name = next(iter(kw))
    for call in (lambda: analyze_photo(SAMPLES / "astronaut_before.jpg", **kw),
                 lambda: analyze_loaded(Photo.__new__(Photo), **kw),  # never looked at
                 lambda: compare_photos(SAMPLES / "astronaut_before.jpg", SAMPLES / "astronaut_after.jpg", **kw)):
        with pytest.raises(SettingError, match=rf"^{name} .* mm") as exc:
            call()
        assert isinstance(exc.value, FacemetricsError) and isinstance(exc.value, ValueError)


def test_ctrl_c_during_analyze_says_what_was_written(tmp_path, monkeypatch, capsys):
    """Audit 23 E: ``analyze`` said 're-run `batch` to resume'; it has no resume."""
    import facemetrics.analyze
    from facemetrics.analyze import PhotoAnalysis

    calls = []

    def fake(path, *, name, **kw):
        calls.append(name)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return PhotoAnalysis(None, name, status="no_face", error=f"{name}: no face found")

    monkeypatch.setattr(facemetrics.analyze, "analyze_photo", fake)
    monkeypatch.setattr(isolated, "ISOLATE", False)  # the stand-in runs in this process, not in a worker
    photos = [str(SAMPLES / n) for n in ("astronaut_before.jpg", "astronaut_after.jpg", "PROVENANCE.md")]
    assert main(["analyze", *photos, "-o", str(tmp_path / "p.csv")]) == 130
    err = capsys.readouterr().err
    assert "batch" not in err and "interrupted after 1 of 3 photos" in err and str(tmp_path / "p.csv") in err, err
    assert len(pd.read_csv(tmp_path / "p.csv")) == 1


def test_ctrl_c_elsewhere_does_not_promise_a_resume(tmp_path, monkeypatch, capsys):
    import facemetrics.compare

    def stop(*a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr(facemetrics.compare, "compare_photos", stop)
    monkeypatch.setattr(isolated, "ISOLATE", False)  # the stand-in runs in this process, not in a worker
    assert main(["compare", "a.jpg", "b.jpg", "-o", str(tmp_path / "c")]) == 130
    err = capsys.readouterr().err
    assert "interrupted" in err and "resume" not in err, err


def test_every_option_of_every_command_has_a_help_text():
    """Audit 23 F: ``validate --help`` and ``demo --help`` listed options without a word on them."""
    from facemetrics.cli import build_parser

    bare = []

    def walk(parser, name):
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for sub_name, sub in action.choices.items():
                    walk(sub, f"{name} {sub_name}")
            elif not action.help:
                bare.append(f"{name} {'/'.join(action.option_strings) or action.dest}")

    walk(build_parser(), "facemetrics")
    assert bare == []


def test_analyze_never_writes_over_a_photo(tmp_path, capsys):
    """Audit 24: ``analyze face.jpg -o face.jpg`` replaced the photo with the table (exit 0);
    a table name ending like a photo is refused too, before any work; an overlay or geometry
    file named like a photo of the run is a row warning, the photo untouched."""
    import shutil

    face = tmp_path / "face.jpg"
    shutil.copy(SAMPLES / "astronaut_before.jpg", face)
    original = face.read_bytes()
    for out in (face, tmp_path / "other.jpg", tmp_path / "t.PNG"):
        assert main(["analyze", str(face), "-o", str(out)]) == 2
        err = capsys.readouterr().err
        assert len(err.strip().splitlines()) == 1 and "cannot write the table" in err, err
        assert face.read_bytes() == original and not (tmp_path / "other.jpg").exists()
    # a photo whose name is another photo's geometry name, geometry written into the photo folder
    twin = tmp_path / "face.jpg.json"
    twin_bytes = original  # a JPEG named .json is still read as a photo when named directly
    twin.write_bytes(twin_bytes)
    assert main(["analyze", str(face), str(twin), "-o", str(tmp_path / "t.csv"), "--geometry", str(tmp_path)]) == 0
    capsys.readouterr()
    assert twin.read_bytes() == twin_bytes and face.read_bytes() == original
    rows = pd.read_csv(tmp_path / "t.csv")
    assert "a photo of this run has that name" in rows.loc[rows["photo"] == "face.jpg", "warnings"].iloc[0]


def test_timeline_with_every_change_uncertain_says_so(tmp_path, capsys):
    """Talking-head frames: every comparison read 'uncertain', so nothing is fitted; the one line
    must say why (not 'nothing to plot: no metrics')."""
    rows = [f"S,t,{h},jawline_lift_mm,mean,0.5,mm,0.1,uncertain,0.02,S/p{i}.png,,,,"
            for i, h in enumerate((-1, 1, 2, 6, 12, 24, 48))]
    (tmp_path / "long.csv").write_text(",".join(LONG_COLUMNS) + "\n" + "\n".join(rows) + "\n")
    assert main(["timeline", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    assert "7 comparisons" in err and "'uncertain'" in err, err


@pytest.mark.real_worker  # `analyze` end to end on the worker a user gets (tests/conftest.py)
def test_analyze_says_which_files_of_a_folder_it_did_not_read(tmp_path, capsys):
    """A folder's notes.txt was skipped in silence (an audit): the summary line now names the files
    that are not photos by their ending; hidden files (.DS_Store) stay unmentioned."""
    d = tmp_path / "in"
    d.mkdir()
    (d / "a.jpg").write_bytes((SAMPLES / "astronaut_before.jpg").read_bytes())
    (d / "notes.txt").write_text("day 1")
    (d / ".DS_Store").write_bytes(b"\0")
    assert main(["analyze", str(d), "-o", str(tmp_path / "p.csv")]) == 0
    out = capsys.readouterr().out
    assert "1 of 1 photos measured" in out
    assert "; 1 other file not read (not a photo by its ending: notes.txt)" in out, out
    (d / "notes.txt").unlink()
    with pytest.MonkeyPatch.context() as mp:  # the control run in this process (the one above is end to end)
        mp.setattr(isolated, "ISOLATE", False)
        assert main(["analyze", str(d), "-o", str(tmp_path / "p.csv")]) == 0
    assert "not read" not in capsys.readouterr().out



def test_analyze_names_skipped_files_by_their_path_in_the_folder(tmp_path, monkeypatch, capsys):
    """A study folder's skipped files read "treated_at.txt, treated_at.txt", no folder named (CLI audit
    b): each is named by its path relative to the folder given, after the folder's name when several are."""
    import facemetrics.analyze as analyze

    monkeypatch.setattr(analyze, "analyze_photo", _flagged_result)  # the note is the point, not the photos
    study = tmp_path / "my study ü"
    for treatment in ("rf", "microcurrent"):
        (study / "S01" / treatment).mkdir(parents=True)
        (study / "S01" / treatment / "a.jpg").write_bytes(b"x")
        (study / "S01" / treatment / "treated_at.txt").write_text("2026-11-02T08:00")
    assert main(["analyze", str(study), "-o", str(tmp_path / "p.csv")]) == 0
    assert ("; 2 other files not read (not a photo by their ending: S01/microcurrent/treated_at.txt, "
            "S01/rf/treated_at.txt)") in capsys.readouterr().out
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.txt").write_text("day 1")
    assert main(["analyze", str(other), str(study / "S01" / "rf"), "-o", str(tmp_path / "p.csv")]) == 0
    assert "(not a photo by their ending: other/notes.txt, rf/treated_at.txt)" in capsys.readouterr().out


def _flagged_result(path, *, subject=None, mm_per_px=None, ipd_mm=None, name=None, flags=(), warnings=()):
    """A measured photo with these quality flags and warnings, as :func:`facemetrics.analyze.analyze_photo`
    returns it to ``analyze`` (only what the command reads of it)."""
    from types import SimpleNamespace

    row = {"photo": name, "status": "ok", "warnings": "; ".join(warnings), "quality_flags": "; ".join(flags)}
    return SimpleNamespace(ok=True, status="ok", error="", quality=SimpleNamespace(flags=tuple(flags)),
                           warnings=tuple(warnings), to_row=lambda: dict(row))


def test_analyze_names_a_photos_quality_flags_on_its_line(tmp_path, capsys):
    """A photo with quality flags read only `ok` on its line (the Obama portrait has 4; CLI audit b):
    the line now names them, without their numbers (the table has those). The bundled sample smiles."""
    from facemetrics.cli import _status_text

    assert main(["analyze", str(SAMPLES / "astronaut_before.jpg"), "-o", str(tmp_path / "p.csv")]) == 0
    err = capsys.readouterr().err
    assert "[1/1] astronaut_before.jpg: ok (flags: smiling, mouth open)\n" in err, err
    assert "smiling (smile score" in pd.read_csv(tmp_path / "p.csv")["quality_flags"].iloc[0]
    names = ["head tilted up/down (pitch -16 deg, limit 12)", "low resolution (0.58 mm/px, limit 0.5)",
             "irises not visible (eyes closed, covered or outside the picture): the mm scale is unreliable; use a "
             "photo with open, uncovered eyes", "smiling (smile score 5.16, limit 1.35)", "mouth open (opening 0.21)"]
    assert _status_text(_flagged_result("x.jpg")) == "ok"
    assert (_status_text(_flagged_result("x.jpg", flags=names[:4]))
            == "ok (flags: head tilted up/down, low resolution, irises not visible, smiling)")
    assert (_status_text(_flagged_result("x.jpg", flags=names))  # the line stays short: the rest counted
            == "ok (flags: head tilted up/down, low resolution, irises not visible, +2 more)")


def test_analyze_names_a_photos_warnings_on_its_line(tmp_path, capsys):
    """A photo of two faces read "ok (flags: smiling, mouth open)", its warning "2 faces found; measured the
    largest" only in the table (a new user's audit, 2026-12-04); so did a black-and-white or a partly
    transparent photo.  Each warning is named by its first clause; from three on, the rest are counted."""
    from PIL import Image

    from facemetrics.cli import _status_text

    pair = Image.new("RGB", (2560, 1600))
    pair.paste(Image.open(SAMPLES / "astronaut_before.jpg"), (0, 0))
    pair.paste(Image.open(SAMPLES / "astronaut_after.jpg").transpose(Image.Transpose.FLIP_LEFT_RIGHT), (1280, 0))
    pair.save(tmp_path / "two.jpg", quality=92)
    assert main(["analyze", str(tmp_path / "two.jpg"), "-o", str(tmp_path / "p.csv")]) == 0
    err = capsys.readouterr().err
    assert "[1/1] two.jpg: ok (flags: " in err and "; warning: 2 faces found, measured the largest, the one on the left)\n" in err, err
    grey = ("black-and-white photo: the fold depth and contrast are read on its grey instead of the green channel "
            "(on 12 London faces made grey the depth index moved by up to 2.5, median 0.6; docs/robustness.md): compare its folds only "
            "with black-and-white photos")
    alpha = "100 % of the face is partly transparent (alpha channel, mean opacity 78 % over the face): ..."
    assert _status_text(_flagged_result("x.jpg", warnings=[grey])) == "ok (warning: black-and-white photo)"
    assert (_status_text(_flagged_result("x.jpg", flags=["smiling (smile score 5)"], warnings=[grey, alpha]))
            == "ok (flags: smiling; warnings: black-and-white photo, 100 % of the face is partly transparent)")
    assert (_status_text(_flagged_result("x.jpg", warnings=[grey, alpha, "2 faces found; measured the largest"]))
            == "ok (warnings: black-and-white photo, +2 more)")


# ---- audit of 2026-12: FIFOs, timeline messages ---------------------------------------------


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_analyze_and_compare_say_a_fifo_is_not_a_regular_file(tmp_path, capsys):
    """`analyze x.jpg` and `compare good.jpg fifo.jpg` blocked forever on a FIFO (an audit)."""
    release = fed_fifo(tmp_path / "fifo.jpg")
    folder = tmp_path / "in"
    folder.mkdir()
    os.symlink(tmp_path / "fifo.jpg", folder / "link.jpg")
    try:
        assert main(["analyze", str(tmp_path / "fifo.jpg"), str(folder), "-o", str(tmp_path / "p.csv")]) == 1
        rows = pd.read_csv(tmp_path / "p.csv")
        assert list(rows["status"]) == ["unreadable", "unreadable"]
        assert all("not a regular file (a named pipe (FIFO)" in e for e in rows["error"]), list(rows["error"])
        assert main(["compare", str(SAMPLES / "astronaut_before.jpg"), str(tmp_path / "fifo.jpg"),
                     "-o", str(tmp_path / "cmp")]) == 2  # a photo that cannot be read: an input error
    finally:
        release()
    err = capsys.readouterr().err
    assert "cannot read the after photo: fifo.jpg: not a regular file (a named pipe (FIFO))" in err, err
    assert not (tmp_path / "cmp").exists()


def test_timeline_says_what_is_wrong_with_an_option_or_the_data(tmp_path, capsys):
    """`--n-boot -3` and `--min-effect -1` were 'nothing to fit in demo/long.csv: n_boot must be >= 0';
    every value empty was '... nothing to plot: no metrics'."""
    rows = [f"S,t,{h},jawline_lift_mm,mean,,mm,0.1,,S/p{i}.png,,,," for i, h in enumerate((-1, 1, 2, 6, 12, 24))]
    (tmp_path / "long.csv").write_text(",".join(LONG_COLUMNS) + "\n" + "\n".join(rows) + "\n")
    for option, value, needle in (("--n-boot", "-3", "argument --n-boot: must be 0 or more"),
                                  # 1 gave "1.93 mm [1.95, 1.95]", an interval without its estimate (CLI audit b)
                                  ("--n-boot", "1", "argument --n-boot: must be 0 (no bootstrap: no intervals, no "
                                                    "verdict) or at least 50 bootstrap replicates, got 1"),
                                  ("--n-boot", "49", "or at least 50 bootstrap replicates, got 49"),
                                  ("--min-effect", "-1", "argument --min-effect: must be a number of 0 or more"),
                                  ("--min-effect", "nan", "argument --min-effect: must be a number of 0 or more")):
        with pytest.raises(SystemExit) as ei:
            main(["timeline", str(tmp_path), option, value])
        err = capsys.readouterr().err
        assert ei.value.code == 2 and needle in err and "nothing to fit" not in err, err
    assert main(["timeline", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "has a number for both its time and its value (no change was measured)" in err, err
    assert "nothing to" not in err, err
    assert len(err.strip().splitlines()) == 1


def test_a_closed_pipe_ends_the_command_quietly(monkeypatch, tmp_path, capsys):
    """``facemetrics study list | head`` ended in a BrokenPipeError traceback (app audit, 2026-12-03):
    the reader leaving ends the command with status 141 (128 + SIGPIPE) and no traceback."""
    from facemetrics.cli import main
    from facemetrics.store import Store

    with Store(tmp_path / "store") as s:
        s.subject_id("me", create=True)

    class Closed:
        def write(self, text):
            raise BrokenPipeError(32, "Broken pipe")

        def flush(self):
            pass

    monkeypatch.setattr("sys.stdout", Closed())
    assert main(["study", "list", "--store", str(tmp_path / "store")]) == 141


def test_analyze_gives_a_truncated_photo_the_time_in_its_header(tmp_path, capsys):
    """`batch` read a truncated JPEG's capture time from its surviving EXIF header and `analyze` left
    it empty (audit, stop 28): both now write it."""
    import io

    from PIL import ExifTags, Image
    from skimage.data import astronaut

    exif = Image.Exif()
    exif.get_ifd(ExifTags.IFD.Exif)[36867] = "2026:11:02 07:30:00"
    buf = io.BytesIO()
    Image.fromarray(astronaut()[::2, ::2]).save(buf, "JPEG", exif=exif, quality=90)
    cut = tmp_path / "cut.jpg"
    cut.write_bytes(buf.getvalue()[: len(buf.getvalue()) // 2])
    out = tmp_path / "photos.csv"
    assert main(["analyze", str(cut), "-o", str(out)]) == 1  # nothing measured (stop 54)
    row = pd.read_csv(out, dtype=str).iloc[0]
    assert row["status"] != "ok" and row["taken_at"] == "2026-11-02T07:30:00", row.to_dict()
    # the library row and the geometry JSON say the same (the time was patched into the CLI's row only)
    from facemetrics import analyze_photo

    result = analyze_photo(cut)
    assert result.to_row()["taken_at"] == result.geometry()["taken_at"] == "2026-11-02T07:30:00"
    assert analyze_photo(cut.read_bytes()).to_row()["taken_at"] in ("", None)  # no path: no header read


# ---------------------------------------------------------------- CLI audit b (2026-12-03)


def test_batch_names_a_missing_folder_and_refuses_one_without_photos_as_analyze_does(tmp_path, capsys,
                                                                                     monkeypatch):
    """`batch nonexist` said "is not a folder"; `batch EMPTY` printed "0 photos: 0 measured ..." and exited 0
    where `analyze EMPTY` says "no photos found in EMPTY" and exits 2.  Now as analyze, before any work."""
    import facemetrics.batch as batch

    def work(*a, **k):
        raise AssertionError("the batch ran")

    monkeypatch.setattr(batch, "run_batch", work)
    empty = tmp_path / "empty"
    (empty / "S01" / "rf").mkdir(parents=True)
    (empty / "S01" / "rf" / "treated_at.txt").write_text("2026-11-02T08:00\n")
    (empty / "S01" / "rf" / ".hidden.jpg").write_bytes(b"x")  # hidden: not a photo of the study
    (tmp_path / "a.csv").write_text("x")
    for folder, said in ((tmp_path / "nonexist", "does not exist"), (tmp_path / "a.csv", "is not a folder")):
        assert main(["batch", str(folder), "-o", str(tmp_path / "out")]) == 2
        assert capsys.readouterr().err == f"facemetrics batch: {folder} {said}\n"
    assert main(["batch", str(empty), "-o", str(tmp_path / "out")]) == 2
    assert capsys.readouterr().err == f"facemetrics batch: no photos found in {empty}\n"
    assert main(["analyze", str(empty), "-o", str(tmp_path / "t.csv")]) == 2
    assert capsys.readouterr().err == f"facemetrics analyze: no photos found in {empty}\n"
    assert not (tmp_path / "out" / "photos.csv").exists()


def test_n_boot_below_the_verdicts_minimum_is_refused_and_the_help_says_it(capsys):
    """`timeline --n-boot 1` gave intervals that excluded their estimate ("1.93 mm [1.95, 1.95]") and the help
    said no minimum: every --n-boot takes 0 or at least MIN_VERDICT_REPLICATES, as analyze_series does."""
    from facemetrics.cli import _N_BOOT_HELP, build_parser
    from facemetrics.decay.claim import MIN_VERDICT_REPLICATES as LEAST

    assert _N_BOOT_HELP.startswith("0 (no bootstrap") and f"or at least {LEAST} (default 400)" in _N_BOOT_HELP
    for argv in (["timeline", "D"], ["demo", "-o", "O"], ["study", "report", "-o", "O"]):
        for n in (0, LEAST):
            assert build_parser().parse_args(argv + ["--n-boot", str(n)]).n_boot == n
        with pytest.raises(SystemExit) as exc:
            build_parser().parse_args(argv + ["--n-boot", str(LEAST - 1)])
        assert exc.value.code == 2 and f"at least {LEAST} bootstrap replicates, got {LEAST - 1}" in capsys.readouterr().err
        with pytest.raises(SystemExit) as exc:
            build_parser().parse_args(argv[:2 if argv[0] == "study" else 1] + ["--help"])
        assert exc.value.code == 0
        assert f"0 (no bootstrap: no intervals, no verdict) or at least {LEAST}" in " ".join(capsys.readouterr().out.split())


def test_every_command_has_a_description():
    """`demo --help` (and `validate --help`) had no description line, unlike the other commands."""
    from facemetrics.cli import build_parser

    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    assert [name for name, p in sub.choices.items() if not p.description] == []


def test_analyze_strips_the_subject_as_batch_does(tmp_path, monkeypatch):
    """`analyze --subject " Anna "` wrote " Anna " in the subject column; batch and the study store read it as
    Anna (names match ignoring surrounding spaces).  A blank one is no subject."""
    import facemetrics.analyze
    from facemetrics.errors import FacemetricsError

    seen = []

    def measure(path, *, subject=None, **kw):
        seen.append(subject)
        raise FacemetricsError("stop after the first photo")

    monkeypatch.setattr(facemetrics.analyze, "analyze_photo", measure)
    monkeypatch.setattr(isolated, "ISOLATE", False)  # the stand-in runs in this process, not in a worker
    photo = SAMPLES / "astronaut_before.jpg"
    for given in (" Anna ", "   "):
        assert main(["analyze", str(photo), "-o", str(tmp_path / "t.csv"), "--subject", given]) == 2
    assert seen == ["Anna", None]


def _batch_console(monkeypatch, tmp_path, capsys, change_rows, n_photos, n_ok=None, rc=0, **fields) -> str:
    """What ``facemetrics batch`` prints for a batch result made of ``change_rows`` (run_batch and the
    regimen replaced by stand-ins; ``fields`` overrides the result's other fields), its exit status ``rc`` checked
    (1 when nothing was compared, since 0.2.24)."""
    from types import SimpleNamespace

    import facemetrics.batch as batch
    import facemetrics.regimen as regimen

    res = SimpleNamespace(**{**dict(merged=[], time_notes=[], taken_at_notes=[], change_rows=change_rows,
                                    photo_rows=[{}] * n_photos, n_ok=n_photos if n_ok is None else n_ok, n_cached=0,
                                    n_duplicates=0, excluded=[], seconds=1.0, removed=[], not_removed=[]), **fields})
    monkeypatch.setattr(batch, "run_batch", lambda *a, **k: res)
    monkeypatch.setattr(regimen, "run_regimen_batch", lambda *a, **k: None)
    (tmp_path / "m.csv").write_text("photo\n")
    (tmp_path / "study").mkdir(exist_ok=True)
    assert main(["batch", str(tmp_path / "study"), "-o", str(tmp_path / "out"), "--manifest",
                 str(tmp_path / "m.csv")]) == rc
    return capsys.readouterr().out


def test_batch_says_which_comparisons_lost_repeats_or_compared_a_picture_with_itself(tmp_path, capsys, monkeypatch):
    """The single-pair `compare` and the app say when repeat photos were left out of the noise floor; `batch`
    printed nothing of it, nor of a comparison left out of the fits as a picture compared with itself (its
    zeros): both are on the console now, with where to read why (changes.csv's messages)."""
    from facemetrics.batch.tables import same_picture_left_out

    same = same_picture_left_out("S01/mc/copy.jpg", 12.0, "S01/mc/pre.jpg", -1.0)
    rows = [dict(subject="S01", treatment="mc", treated_at="2026-11-02T08:00", n_baseline=2,
                 messages="repeat photo S01/mc/pre2.jpg not used against the before photo S01/mc/pre.jpg: the "
                          "expression differs; the head is turned, so its changes are not this face's noise"),
            dict(subject="S01", treatment="mc", treated_at="2026-11-02T08:00", n_baseline=2,
                 messages=f"some warning; {same}"),
            dict(subject="S01", treatment="mc", treated_at="2026-11-02T08:00", n_baseline=1, messages="")]
    out = _batch_console(monkeypatch, tmp_path, capsys, rows, 4)
    assert f"S01, mc, treated 2026-11-02T08:00: {same}\n" in out, out
    assert ("1 of 3 comparisons had repeat photos left out of the noise floor; all of them kept none, so the "
            "default floors apply: the messages column of changes.csv says why for each\n") in out, out
    rows[0]["messages"] = ""
    assert "repeat photos" not in _batch_console(monkeypatch, tmp_path, capsys, rows, 4)


def test_compare_exit_status_says_refused_or_unreadable(tmp_path, capsys):
    """`compare` exited 0 for a refused pair and for a photo it could not read (app audit, 2026-12-03): now 1
    for a refused pair (its comparison.csv written, every row refused) and 2, one line and nothing written,
    for a before or after photo that cannot be read; the help says so."""
    import numpy as np
    from PIL import Image

    before = str(SAMPLES / "astronaut_before.jpg")
    blank = tmp_path / "blank.png"
    Image.fromarray(np.full((300, 300, 3), 200, np.uint8)).save(blank)
    assert main(["compare", before, str(blank), "-o", str(tmp_path / "refused")]) == 1
    text = pd.read_csv(tmp_path / "refused" / "comparison.csv", dtype=str, keep_default_na=False)
    assert (text.status == "refused").all()
    assert "refused" in capsys.readouterr().out
    notes = tmp_path / "notes.jpg"
    notes.write_bytes(b"not a photo\n" * 20)
    for argv, which in (([str(notes), before], "before"), ([before, str(tmp_path / "missing.jpg")], "after")):
        assert main(["compare", *argv, "-o", str(tmp_path / which)]) == 2
        err = capsys.readouterr().err.strip()
        assert err.startswith(f"facemetrics compare: cannot read the {which} photo: ") and "\n" not in err, err
        assert "Traceback" not in err and not (tmp_path / which).exists()
    assert "Exit status: 0 when" in HELP_FILE.read_text(encoding="utf-8")


def test_compare_leaves_no_earlier_outputs_beside_an_unreadable_or_refused_pair(tmp_path, capsys):
    """`compare` stopped on an unreadable photo (exit 2) left an earlier run's comparison.csv, which read as
    this pair's result (an audit, 2026-12-03); a refused pair without an alignment left an earlier overlay.png.
    Both are removed and the line says so; a photo of this run in the folder is never removed."""
    import numpy as np
    from PIL import Image

    from facemetrics.export import write_png

    def earlier(name):  # as an earlier run wrote it: marked (the CSV's version column, the PNG's text chunk)
        if name.endswith(".csv"):
            (out / name).write_text("metric,facemetrics_version\nx,0.2\n")
        else:
            write_png(np.full((8, 8, 3), 90, np.uint8), out / name)

    before = str(SAMPLES / "astronaut_before.jpg")
    out = tmp_path / "out"
    out.mkdir()
    for name in ("comparison.csv", "overlay.png", "aligned_after.png"):
        earlier(name)
    unreadable = out / "after.jpg"  # an input inside the output folder
    unreadable.write_bytes(b"not a photo\n" * 20)
    assert main(["compare", before, str(unreadable), "-o", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("facemetrics compare: cannot read the after photo: ") and "\n" not in err, err
    assert err.endswith(f"; the earlier comparison.csv, overlay.png, aligned_after.png in {out} removed (not of "
                        "these photos)"), err
    assert sorted(f.name for f in out.iterdir()) == ["after.jpg"]
    blank = tmp_path / "blank.png"  # read, but no face: refused, nothing aligned
    Image.fromarray(np.full((300, 300, 3), 200, np.uint8)).save(blank)
    earlier("overlay.png")
    assert main(["compare", before, str(blank), "-o", str(out)]) == 1
    said = capsys.readouterr().out
    assert f"wrote comparison.csv to {out}; the earlier overlay.png in {out} removed" in said, said
    assert sorted(f.name for f in out.iterdir()) == [LEDGER_NAME, "after.jpg", "comparison.csv"]
    assert (pd.read_csv(out / "comparison.csv").status == "refused").all()


def test_compare_leaves_a_users_own_file_of_an_output_name(tmp_path, capsys):
    """`compare` replaced a user's own overlay.png or comparison.csv in its output folder (stop 36 only stopped
    removing them).  It now stops before comparing, naming the file and the ways out (another -o, --force),
    and leaves every file as it was; with --force it runs, and a file it neither writes nor made is still
    left and named."""
    import numpy as np
    from PIL import Image

    before = str(SAMPLES / "astronaut_before.jpg")
    out = tmp_path / "out"
    out.mkdir()
    mine = Image.fromarray(np.full((20, 20, 3), 30, np.uint8))
    mine.save(out / "overlay.png")  # the user's own PNG (Pillow, no facemetrics mark)
    (out / "aligned_after.png").write_bytes(b"\x89PNG\r\n\x1a\nnot ours")
    mine_bytes = (out / "overlay.png").read_bytes()
    blank = tmp_path / "blank.png"  # read, but no face: refused, no PNG written
    Image.fromarray(np.full((300, 300, 3), 200, np.uint8)).save(blank)
    assert main(["compare", before, str(blank), "-o", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"facemetrics compare: will not overwrite {out / 'overlay.png'} (not written by "
                          f"facemetrics); {out / 'aligned_after.png'} (not written by facemetrics): ") and "\n" not in err
    assert "give another output folder (-o), or add --force" in err, err
    assert sorted(f.name for f in out.iterdir()) == ["aligned_after.png", "overlay.png"]
    assert (out / "overlay.png").read_bytes() == mine_bytes
    assert main(["compare", before, str(blank), "-o", str(out), "--force"]) == 1
    said = capsys.readouterr().out
    assert (out / "overlay.png").read_bytes() == mine_bytes and (out / "aligned_after.png").exists()
    assert (f"wrote comparison.csv to {out}; overlay.png (not written by facemetrics), aligned_after.png (not written "
            f"by facemetrics) in {out} left as they are: they are not this run's output") in said, said
    assert "removed" not in said, said
    # a user's own comparison.csv: the same refusal (its header has no facemetrics_version column)
    (out / "comparison.csv").write_text("note,value\nmy own table, facemetrics_version 0.2\n")
    assert main(["compare", before, str(blank), "-o", str(out)]) == 2
    assert f"{out / 'comparison.csv'} (not written by facemetrics)" in capsys.readouterr().err


@pytest.mark.real_worker  # `compare` end to end on the worker a user gets (tests/conftest.py)
def test_compare_twice_into_one_folder_replaces_its_own_outputs(tmp_path, capsys):
    """Re-running `compare` on the same output folder keeps working: its CSV and marked PNGs are its own."""
    from facemetrics.outputs import not_written_by_facemetrics

    before, after = str(SAMPLES / "astronaut_before.jpg"), str(SAMPLES / "astronaut_after.jpg")
    out = tmp_path / "out"
    for end_to_end in (False, True):  # the first run in this process: it only writes the outputs replaced
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(isolated, "ISOLATE", end_to_end)
            assert main(["compare", before, after, "-o", str(out)]) == 0
        assert "wrote comparison.csv, overlay.png, aligned_after.png" in capsys.readouterr().out
    for name in ("comparison.csv", "overlay.png", "aligned_after.png"):
        assert not_written_by_facemetrics(out / name) == "", name


def test_batch_summary_counts_refused_comparisons_as_changes_not_as_left_out(tmp_path, capsys, monkeypatch):
    """The summary counted a photo whose comparison was refused (a `refused` row of changes.csv) among the
    photos "excluded from the changes"; it now agrees with changes.csv.  The manifest's taken_at notes
    are printed."""
    from facemetrics.batch import Excluded

    rows = [dict(photo="S/p1.jpg", status="ok", messages=""), dict(photo="S/p2.jpg", status="refused", messages="x")]
    excluded = [Excluded("S/p2.jpg", "comparison refused: x"),
                Excluded("S/lost.jpg", "not measured (no_face: no face found)")]
    out = _batch_console(monkeypatch, tmp_path, capsys, rows, 4, n_ok=3, excluded=excluded,
                         taken_at_notes=["1 photo: the manifest's taken_at differs"])
    assert "1 photo: the manifest's taken_at differs\n" in out, out
    assert ("2 changes, 1 of them refused or failed (their status in changes.csv); 1 photo left out of the changes "
            "(the 'excluded' column of photos.csv says why)") in out, out


def test_batch_summary_counts_cached_photos_among_the_photos_and_names_the_earlier_outputs_removed(
        tmp_path, capsys, monkeypatch):
    """"15 photos: 15 measured; 14 read from the cache of an earlier run" read as 29 photos (an audit,
    2026-12-04): the photos taken from the cache are a part of those measured.  The earlier timeline
    outputs a re-run removed (made from the tables it replaced), and a file of such a name it did not
    make, are named."""
    rows = [dict(photo="S/p1.jpg", status="ok", messages="")]
    out = _batch_console(monkeypatch, tmp_path, capsys, rows, 15, n_cached=14)
    assert out.startswith("15 photos measured (14 read from the cache of an earlier run); 1 change; no photo "
                          "left out"), out
    assert "removed" not in out and "15 measured" not in out
    out = _batch_console(monkeypatch, tmp_path, capsys, rows, 15, n_ok=13, n_cached=14, n_duplicates=1,
                         removed=["timeline.csv", "report.md"], not_removed=["timeline.png (not written by facemetrics)"])
    where = tmp_path / "out"
    assert out.startswith("15 photos: 13 measured, 2 not (photos.csv's status and error say why); of the 15, 14 "
                          "read from the cache of an earlier run, 1 identical to another photo here; 1 change;"), out
    assert (f"The earlier timeline.csv, report.md in {where} removed (made from an earlier run's tables; "
            f"`facemetrics timeline {where}` makes them again). Not removed: timeline.png (not written by "
            "facemetrics); it is not made from these tables.\n") in out, out
    out = _batch_console(monkeypatch, tmp_path, capsys, rows, 1)
    assert out.startswith("1 photo measured; 1 change;"), out


def test_compare_exits_2_on_an_image_the_loader_refuses_as_too_small(tmp_path, capsys):
    """A 20x20 PNG ("image is too small: 20x20 pixels", status too_small like a face too small to measure)
    exited 1 and wrote comparison.csv: the loader refused it, so it is an unreadable photo (2, nothing
    written); a photo read but without a face is still a refused comparison (1)."""
    import numpy as np
    from PIL import Image

    from facemetrics import analyze_photo

    before = str(SAMPLES / "astronaut_before.jpg")
    tiny = tmp_path / "tiny.png"
    Image.fromarray(np.full((20, 20, 3), 200, np.uint8)).save(tiny)
    assert main(["compare", before, str(tiny), "-o", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("facemetrics compare: cannot read the after photo: ") and "too small" in err, err
    assert "\n" not in err and not (tmp_path / "out").exists()
    from facemetrics.cli import loader_failed

    x = analyze_photo(tiny)
    assert x.status == "too_small" and x.photo is None and loader_failed(x), (x.status, x.error)
    blank = tmp_path / "blank.png"
    Image.fromarray(np.full((300, 300, 3), 200, np.uint8)).save(blank)
    faceless = analyze_photo(blank)
    assert faceless.status == "no_face" and not loader_failed(faceless)


def test_batch_prints_the_before_photo_passed_over_as_the_baseline(tmp_path, capsys, monkeypatch):
    """A smiling or head-turned first before photo is passed over as the session's before photo
    (facemetrics.batch.tables.baseline_messages): the console names it, once per session."""
    from facemetrics.batch.tables import MSG_BASELINE_PASSED_OVER

    said = f"{MSG_BASELINE_PASSED_OVER}: S01/rf/a.jpg (smiling (smile score 4.43, limit 1.35)) is not the before photo"
    rows = [dict(subject="S01", treatment="rf", treated_at="2026-11-02T08:00", n_baseline=2, messages=f"x; {said}")
            for _ in range(2)]
    out = _batch_console(monkeypatch, tmp_path, capsys, rows, 3)
    assert out.count(f"S01, rf, treated 2026-11-02T08:00: {said}\n") == 1, out


def test_batch_prints_the_floors_built_from_disagreeing_before_photos_once_per_session(tmp_path, capsys, monkeypatch):
    """The console said a session's before photos disagree, but not that its comparisons' noise floors were
    built from them (batch.tables.disagreement_floors_note: a 20 mm jawline floor, h3 2026-12-04): it says so
    now, once per session (its first comparison's floors), after the disagreement's line; a session whose
    floors were not built from them says nothing of it."""
    from facemetrics.batch.results import comparison_result
    from facemetrics.compare.disagreement import MSG_FLOORS_FROM_DISAGREEMENT, baseline_disagreement

    a, b = dict(photo="S01/mc/a.jpg", role="baseline"), dict(photo="S01/mc/b.jpg", role="baseline")
    checks = [(b, [a], _disagreeing(-1.59)), (a, [b], _disagreeing(1.59))]
    disagreement = baseline_disagreement(checks)
    rows = []
    for photo, floor in (("S01/mc/p1.jpg", 20.158), ("S01/mc/p2.jpg", 20.5)):
        post = {"status": "ok", "messages": [], "rows": [dict(metric="jawline_lift_mm", side="mean", unit="mm",
                                                              change=-0.003, noise_floor=floor, verdict="within_noise")]}
        out = comparison_result(dict(photo=photo, role="post"), [a, b], post, disagreement)
        rows.append(dict(subject="S01", treatment="mc", treated_at="2026-11-02T08:00", n_baseline=2,
                         messages="; ".join(out["messages"])))
    rows.append(dict(subject="S02", treatment="mc", treated_at="2026-11-03T08:00", n_baseline=1, messages=""))
    out = _batch_console(monkeypatch, tmp_path, capsys, rows, 6)
    lines = out.splitlines()
    floors = [x for x in lines if MSG_FLOORS_FROM_DISAGREEMENT in x]
    assert len(floors) == 1, out
    assert floors[0].startswith(f"S01, mc, treated 2026-11-02T08:00: {MSG_FLOORS_FROM_DISAGREEMENT}: "), floors
    assert "jawline_lift_mm 20.16 mm" in floors[0] and "20.50" not in floors[0], floors  # the first comparison's
    said = [i for i, x in enumerate(lines) if "before photos disagree" in x and MSG_FLOORS_FROM_DISAGREEMENT not in x]
    assert said and said[0] < lines.index(floors[0]), out
    for r in rows:  # floors not built from them: no such line
        r["messages"] = r["messages"].split("; ")[0] if r["messages"] else ""
    assert MSG_FLOORS_FROM_DISAGREEMENT not in _batch_console(monkeypatch, tmp_path, capsys, rows, 6)


def _disagreeing(change: float) -> dict:
    """A no-change check's result reading ``change`` mm on the jawline against a 0.09 mm floor."""
    return {"status": "ok", "messages": [], "rows": [
        dict(metric="jawline_lift_mm", side="mean", unit="mm", change=change, noise_floor=0.09,
             verdict="lift" if change > 0 else "sag")]}


def test_analyze_of_paths_that_do_not_exist_stops_before_writing(tmp_path, capsys):
    """`analyze sample_images -o results/photos.csv` run outside the project folder wrote a table of one
    'unreadable' row ("file not found") and a geometry JSON for it, and exited 0 (a new user's audit,
    2026-12-04); `batch nonexist` exits 2. Now as batch; a missing path beside real ones is still its row."""
    out = tmp_path / "results"
    assert main(["analyze", str(tmp_path / "nonexist"), str(tmp_path / "typo.jpg"), "-o", str(out / "photos.csv"),
                 "--geometry", str(out / "geometry")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("facemetrics analyze: no such file or folder: ") and "typo.jpg" in err, err
    assert not (out / "photos.csv").exists() and not (out / "geometry").exists()
    (tmp_path / "notes.jpg").write_text("not a photo")
    assert main(["analyze", str(tmp_path / "notes.jpg"), str(tmp_path / "typo.jpg"), "-o", str(out / "photos.csv")]) == 1
    table = pd.read_csv(out / "photos.csv")
    assert list(table["status"]) == ["not_an_image", "unreadable"], table


def _turned_copy(src: Path, dst: Path) -> Path:
    """``src`` turned 2 deg and scaled 0.92 about its centre (stop 40's repro, docs/compare.md), JPEG 92."""
    import cv2

    rgb = cv2.imread(str(src))
    h, w = rgb.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), 2.0, 0.92)
    cv2.imwrite(str(dst), cv2.warpAffine(rgb, m, (w, h), borderMode=cv2.BORDER_REPLICATE),
                [cv2.IMWRITE_JPEG_QUALITY, 92])
    return dst


def test_compare_says_when_its_before_repeat_disagrees_with_the_before_photo(tmp_path, capsys):
    """`compare --before-repeat` built a 20.16 mm jawline floor from a repeat 1.59 mm away from the before photo
    (stop 40's repro: the sample's before photo, its 2 deg-turned 0.92-scaled copy as the after photo, the lifted
    sample after photo given as the repeat) and said nothing; the batch said it.  Now compare says it by the batch's
    rule and words (batch.tables.baseline_disagreement, results.with_disagreement, disagreement_floors_note: once
    each, on the console and in comparison.csv's status and messages, every row but the pose rows 'uncertain'); a
    repeat that agrees with the before photo (its turned copy) says nothing of it (h4, 2026-12-05)."""
    from facemetrics.compare.disagreement import MSG_FLOORS_FROM_DISAGREEMENT, MSG_REPEATS_DISAGREE
    from facemetrics.compare.table import POSE_METRICS

    before, lifted = SAMPLES / "astronaut_before.jpg", SAMPLES / "astronaut_after.jpg"
    moved = _turned_copy(before, tmp_path / "moved.jpg")
    assert main(["compare", str(before), str(moved), "--before-repeat", str(lifted), "-o", str(tmp_path / "a")]) == 0
    out = capsys.readouterr().out
    said = [x for x in out.splitlines() if x.startswith("  ! ")]
    assert [x[4:].split(":")[0] for x in said] == [MSG_REPEATS_DISAGREE, MSG_FLOORS_FROM_DISAGREEMENT], said
    assert f"{lifted} against {before} reads jawline_lift_mm +1.59 mm (noise floor 0." in said[0], said[0]
    assert "scale ± 0.07 mm" in said[0] and "unreliable (verdict 'uncertain'" in said[0]
    assert "12.7 x its one repeat pair's difference" in said[1] and "jawline_lift_mm 20.16 mm" in said[1], said[1]
    assert out.startswith("status: warning - 2 message(s)"), out
    f = pd.read_csv(tmp_path / "a" / "comparison.csv", dtype=str, keep_default_na=False)
    assert (f.status == "warning").all() and (f.messages == "; ".join(x[4:] for x in said)).all()
    pose = f.metric.isin(POSE_METRICS)
    assert (f.verdict[~pose] == "uncertain").all() and (f.verdict[pose] != "uncertain").all()
    # the repeat agrees with the before photo (its turned copy): compare's own result, nothing of it said
    assert main(["compare", str(before), str(lifted), "--before-repeat", str(moved), "-o", str(tmp_path / "b")]) == 0
    out = capsys.readouterr().out
    assert MSG_REPEATS_DISAGREE not in out and MSG_FLOORS_FROM_DISAGREEMENT not in out, out
    f = pd.read_csv(tmp_path / "b" / "comparison.csv", dtype=str, keep_default_na=False)
    assert f.set_index(["metric", "side"]).loc[("jawline_lift_mm", "mean"), "verdict"] == "lift"


def test_batch_names_the_files_of_the_folder_it_did_not_read(tmp_path, capsys):
    """A first-time user's session (2026-12-05): a phone folder's Live Photo .MOV, a clip and a note were
    passed over by `batch` without a word (`analyze` names them).  `batch` now names them on a line of
    their own; the treated_at.txt files it reads, and a manifest in the folder, are not named."""
    import shutil

    from PIL import Image

    session = tmp_path / "study" / "me" / "microcurrent"
    session.mkdir(parents=True)
    (session / "treated_at.txt").write_text("2026-12-01T08:00")
    Image.new("RGB", (8, 8)).save(session / "a.png")  # too small to measure: no MediaPipe needed
    (session / "IMG_0001.MOV").write_bytes(b"\x00\x00\x00\x14ftypqt  \x00\x00\x00\x00qt  ")
    (session / "notes.txt").write_text("felt tingly")
    assert main(["batch", str(tmp_path / "study"), "-o", str(tmp_path / "out")]) == 1  # nothing compared
    out = capsys.readouterr().out
    assert ("\n2 other files not read (not a photo by their ending: me/microcurrent/IMG_0001.MOV, "
            "me/microcurrent/notes.txt)\n") in out, out
    assert "treated_at.txt" not in out.split("not read")[1], out
    # an output folder inside the study folder: its tables are not named (and never read as photos)
    assert main(["batch", str(tmp_path / "study"), "-o", str(tmp_path / "study" / "results")]) == 1  # nothing compared
    assert main(["batch", str(tmp_path / "study"), "-o", str(tmp_path / "study" / "results")]) == 1  # nothing compared
    out = capsys.readouterr().out.splitlines()[-1]
    assert out.startswith("2 other files not read") and "results/" not in out, out
    shutil.rmtree(tmp_path / "study" / "results")
    (session / "IMG_0001.MOV").unlink()
    (session / "notes.txt").unlink()
    pd.DataFrame(dict(photo=["me/microcurrent/a.png"], subject="me", treatment="microcurrent", taken_at="",
                      treated_at="2026-12-01T08:00")).to_csv(tmp_path / "study" / "manifest.csv", index=False)
    assert main(["batch", str(tmp_path / "study"), "-o", str(tmp_path / "out2"), "--manifest",
                 str(tmp_path / "study" / "manifest.csv")]) == 1  # nothing compared
    assert "not read" not in capsys.readouterr().out


def test_batch_names_the_photos_without_a_capture_time_and_how_to_give_theirs(tmp_path, capsys, monkeypatch):
    """A first-time user's session (2026-12-05): a WhatsApp copy, a screenshot and a PNG (no EXIF time) were
    counted among "photos left out of the changes", the reason only in photos.csv and the remedy nowhere.
    `batch` now names them with the remedy: their taken_at in a copy of photos.csv given as the manifest (a
    manifest must list every photo; photos.csv reads as one: tests/test_batch_discover.py).  A photo a
    manifest leaves out is not named (its reason says so)."""
    from facemetrics.batch import Excluded, Reason
    from facemetrics.batch.console import no_capture_time_lines
    from facemetrics.batch.discover import NO_TIME, NOT_LISTED

    no_time = "no capture time (no EXIF DateTimeOriginal, none in its file name and none in the manifest)"
    untimed = (Reason(NO_TIME, no_time),)
    excluded = [Excluded("me/mc/IMG-WA0003.jpg", no_time, untimed),
                Excluded("me/mc/shot.png", f"{no_time}; other reason", untimed),
                Excluded("me/mc/empty.jpg", "not measured (empty: empty.jpg: file is empty (0 bytes))")]
    out = _batch_console(monkeypatch, tmp_path, capsys, [], 3, rc=1, excluded=excluded)  # nothing compared: exit 1
    line = [x for x in out.splitlines() if "have no capture time" in x]
    assert len(line) == 1 and line[0].startswith("2 photos have no capture time (no EXIF date"), out
    assert "compared with nothing: me/mc/IMG-WA0003.jpg, me/mc/shot.png. " in line[0], line
    assert line[0].endswith(f"fill in their taken_at (e.g. 2026-11-02T14:30, with the UTC offset if known: "
                            f"+01:00) in {tmp_path / 'm.csv'} and run batch again with it."), line
    assert "empty.jpg" not in line[0]
    (one,) = no_capture_time_lines(excluded[:1])  # no manifest: from photos.csv's columns
    assert one.startswith("1 photo has no capture time") and "so it is compared with nothing" in one, one
    assert "fill in its taken_at" in one and "in a copy of photos.csv under another name" in one, one
    assert one.endswith("run batch again with --manifest COPY."), one
    unlisted = Excluded("x.jpg", f"not in manifest; {no_time}", (Reason(NOT_LISTED, "not in manifest"), *untimed))
    assert no_capture_time_lines([unlisted], "m.csv") == []
    many = [Excluded(f"p{i}.jpg", no_time, untimed) for i in range(7)]
    assert "p0.jpg, p1.jpg, p2.jpg, p3.jpg, p4.jpg and 2 more. " in no_capture_time_lines(many)[0]
    assert no_capture_time_lines(excluded[2:]) == []
    # the line is built from the reasons' codes, not the text: the same text without its reason names nothing
    assert no_capture_time_lines([Excluded("me/mc/IMG-WA0003.jpg", no_time)]) == []


def test_batch_names_the_comparisons_of_photos_of_different_shapes(tmp_path, capsys, monkeypatch):
    """Round 2 of a first-time user's session (2026-12-05): a screenshot (bars above and below) or a photo squashed
    by 3 % against a photo as the camera saved it was said only in changes.csv's messages, the squashed one as a
    head pose, a camera distance and an expression change (nothing names its shape); nothing a user could run
    showed which photos differ in shape.  `batch` (and `study report`) now name such pairs, their sizes, and
    what to do; a resize that kept the shape (rounding to whole pixels) is not named."""
    from facemetrics.batch.console import shape_lines

    photos = [dict(photo="me/rf/pre.jpg", image_width_px=1280, image_height_px=1600),
              dict(photo="me/rf/shot.png", image_width_px=1280, image_height_px=1900),  # a screenshot's bars
              dict(photo="me/rf/half.jpg", image_width_px=641, image_height_px=800),  # halved: 1 px of rounding
              dict(photo="me/rf/squashed.jpg", image_width_px=1280, image_height_px=1552),  # 3 % squashed
              dict(photo="me/rf/gone.jpg", image_width_px="", image_height_px="")]  # not measured: no size
    changes = [dict(photo=p, baseline_photos="me/rf/pre.jpg; me/rf/pre2.jpg", status="ok")
               for p in ("me/rf/shot.png", "me/rf/half.jpg", "me/rf/squashed.jpg", "me/rf/gone.jpg")]
    out = _batch_console(monkeypatch, tmp_path, capsys, changes, 5, photo_rows=photos)
    (line,) = [x for x in out.splitlines() if "different shapes" in x]
    assert line == ("2 comparisons of two photos of different shapes (width over height: a screenshot, a crop, or a "
                    "photo resized without keeping its shape): me/rf/shot.png 1280 × 1900 px against me/rf/pre.jpg "
                    "1280 × 1600 px; me/rf/squashed.jpg 1280 × 1552 px against me/rf/pre.jpg 1280 × 1600 px. The "
                    "face fills the two frames differently; changes.csv's messages say what that did to each "
                    "comparison. Compare photos as the camera saved them (the original files, not screenshots or "
                    "edited copies)."), line
    assert shape_lines(photos, changes[1:2]) == [] and shape_lines(photos, []) == []
    assert shape_lines([], changes) == []  # no sizes (a stand-in's rows): nothing said


def test_shape_lines_tell_a_photo_held_the_other_way_from_a_screenshot():
    """Round 20 (docs/validation.md section 12): the camera's own landscape photo against a portrait before photo
    was named "a screenshot, a crop, or a photo resized ... not screenshots or edited copies"; it is the phone held
    the other way, said on its own line with what to do.  A turned frame within the resize's rounding counts as
    turned; a screenshot's bars beside it still get the shape line."""
    from facemetrics.batch.console import shape_lines

    photos = [dict(photo="pre.heic", image_width_px=1350, image_height_px=1800),
              dict(photo="wide.heic", image_width_px=1800, image_height_px=1350),
              dict(photo="wide_small.jpg", image_width_px=901, image_height_px=675),  # halved, 1 px of rounding
              dict(photo="shot.png", image_width_px=1170, image_height_px=2532)]
    changes = [dict(photo=p, baseline_photos="pre.heic") for p in ("wide.heic", "wide_small.jpg", "shot.png")]
    shapes, turned = shape_lines(photos, changes)
    assert shapes.startswith("1 comparison of two photos of different shapes") and "shot.png 1170 × 2532 px" in shapes
    assert "wide" not in shapes
    assert turned.startswith("2 comparisons of a landscape photo and a portrait one (the phone held the other way): "
                             "wide.heic 1800 × 1350 px against pre.heic 1350 × 1800 px; wide_small.jpg 901 × 675 px"), turned
    assert "screenshot" not in turned and turned.endswith("Hold the phone as for the before photo (upright or "
                                                          "sideways, as it was then).")


def test_study_report_does_not_repeat_the_disagreement_lines_the_timeline_also_has(monkeypatch, capsys):
    """`timeline` prints the lines on before photos that disagree (its table's attrs["disagreement_notes"]);
    `study report` printed them with the batch's lines already, so they are not printed twice."""
    import facemetrics.report as report
    from facemetrics.cli import _print_verdicts

    monkeypatch.setattr(report, "verdict_lines", lambda table: [])
    table = pd.DataFrame()
    table.attrs.update(disagreement_notes=["S01, mc, treated T: a", "regimen: S01, mc, treated T: b"])
    _print_verdicts(table)
    assert capsys.readouterr().out.splitlines() == table.attrs["disagreement_notes"]
    _print_verdicts(table, said=["S01, mc, treated T: a"])
    assert capsys.readouterr().out.splitlines() == ["regimen: S01, mc, treated T: b"]


def test_no_command_prints_the_commands_and_says_what_to_do(capsys):
    """`facemetrics` alone (or `facemetrics study` alone) said only "error: the following arguments are required:
    command" (`study_command`: the parser's own name) to a newcomer (first-user audit, stop 54).  It now prints
    the help, with each command and what it does, and one line naming an example and `--help`; exit status 2."""
    assert main([]) == 2
    said = capsys.readouterr()
    assert "simulate a study" in said.out and "compare" in said.out, said.out
    assert said.err.startswith("facemetrics: no command given: choose one of those above, e.g. `facemetrics demo "
                               "-o results`"), said.err
    assert "required" not in said.err
    assert main(["study"]) == 2
    said = capsys.readouterr()
    assert "report" in said.out and "delete" in said.out, said.out
    assert said.err.startswith("facemetrics study: no study command given"), said.err
    assert "study_command" not in said.err


def test_analyze_exits_1_when_no_photo_could_be_measured(tmp_path, capsys):
    """`analyze FOLDER` exited 0 when every row was a failure (stop 54's first-user audit), which a script could not
    tell from a run with results (`batch` exits 1 when nothing was compared). Now the table is still written, one
    line on stderr says none was measured and the commonest statuses, and the exit status is 1; one photo measured
    is 0 again."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.jpg").write_text("not a photo")
    (folder / "b.png").write_text("nor this")
    (folder / "c.jpg").write_bytes(b"")
    out = tmp_path / "photos.csv"
    assert main(["analyze", str(folder), "-o", str(out)]) == 1
    err = capsys.readouterr().err
    said = [line for line in err.splitlines() if line.startswith("facemetrics analyze: no photo could be measured")]
    assert said == ["facemetrics analyze: no photo could be measured (3 photos: 2 not_an_image, 1 empty; the "
                    "table's status and error columns say why); the table is written"], err
    assert list(pd.read_csv(out)["status"]) == ["not_an_image", "not_an_image", "empty"]
    # one photo measured among them: the run has a result, exit 0 and no such line
    (folder / "d.jpg").write_bytes((SAMPLES / "astronaut_before.jpg").read_bytes())
    assert main(["analyze", str(folder), "-o", str(out)]) == 0
    assert "no photo could be measured" not in capsys.readouterr().err
    assert list(pd.read_csv(out)["status"]).count("ok") == 1


def test_nothing_measured_names_the_commonest_statuses_first():
    from facemetrics.cli import nothing_measured

    rows = [{"status": s} for s in ["no_face"] * 3 + ["unreadable"] * 2 + ["too_small", "empty", "error"]]
    assert nothing_measured(rows) == ("no photo could be measured (8 photos: 3 no_face, 2 unreadable, 1 too_small, "
                                      "+2 more; the table's status and error columns say why); the table is written")
    assert nothing_measured(rows + [{"status": "ok"}]) == "" and nothing_measured([]) == ""


@pytest.mark.parametrize("argv", [["compare", "before.jpg", "-after.jpg"], ["analyze", "-after.jpg"],
                                  ["study", "add", "--subject", "A", "-after.jpg"]])
def test_a_photo_whose_name_starts_with_a_dash_is_said_to_be_read_as_an_option(tmp_path, monkeypatch, capsys, argv):
    """Stop 63's bad-input audit: `facemetrics compare before.jpg -after.jpg` said only "the following arguments
    are required: after", though the file was given; the name that starts with '-' is now named, with the fix."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "-after.jpg").write_bytes((SAMPLES / "astronaut_after.jpg").read_bytes())
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert err.rstrip().endswith("facemetrics: -after.jpg is read as an option because its name starts with '-': "
                                 "give it as ./-after.jpg"), err
    with pytest.raises(SystemExit):  # an option that is no file gets argparse's words alone
        main(["compare", "before.jpg", "-x.jpg"])
    assert "read as an option" not in capsys.readouterr().err



@pytest.mark.parametrize("argv, command, extra", [
    (["timeline", "--quick", "DIR"], "facemetrics timeline", "--quick"),
    (["compare", "--bogus", "a.jpg", "b.jpg"], "facemetrics compare", "--bogus"),
    (["compare", "a.jpg", "b.jpg", "c.jpg"], "facemetrics compare", "c.jpg"),
    (["study", "report", "-o", "OUT", "--bogus"], "facemetrics study report", "--bogus"),
    (["study", "list", "--bogus"], "facemetrics study list", "--bogus"),
])
def test_an_option_a_command_does_not_have_is_said_with_that_commands_usage(argv, command, extra, capsys):
    """A newcomer's walk (stop 66): `facemetrics timeline --quick DIR` printed the top-level usage and
    "facemetrics: error: unrecognized arguments", naming no command and none of its options."""
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith(f"usage: {command} [-h]"), err
    assert err.rstrip().endswith(f"{command}: error: unrecognized arguments: {extra}"), err

@pytest.mark.parametrize("argv, said", [
    (["batch", "DIR", "-o", "OUT", "-v"], "-v is an option of facemetrics itself: give it before the command "
                                          "(facemetrics -v batch ...)"),
    (["study", "report", "-o", "OUT", "--verbose"], "--verbose is an option of facemetrics itself: give it before "
                                                    "the command (facemetrics --verbose study report ...)"),
    (["--force", "batch", "DIR", "-o", "OUT"], "--force is an option of facemetrics batch: give it after 'batch'"),
    (["compare", "a.jpg", "b.jpg", "--version"], "--version is an option of facemetrics itself: give it before the "
                                                 "command (facemetrics --version)"),
])
def test_an_option_given_on_the_wrong_side_of_the_command_says_where_it_goes(argv, said, capsys):
    """Review r3 of the usage fix (stop 66): `batch DIR -o OUT -v` was "unrecognized arguments: -v" after batch's
    usage, which does not list -v, and `--force batch ...` "unrecognized arguments: --force" after a usage that
    lists --force."""
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    err = capsys.readouterr().err.rstrip()
    assert err.endswith(f": error: unrecognized arguments: {argv[-1] if argv[0] != '--force' else '--force'}; {said}"), err


_LONG_HEAD = "subject,treatment,hours_since_treatment,metric,side,value,unit,noise_floor\n"


@pytest.mark.parametrize("content, said", [
    (bytes(range(256)) * 2, "is not a CSV table (its bytes are not UTF-8 text): give the folder `facemetrics batch` "
                            "wrote, or run it again"),
    ((_LONG_HEAD + "me,rf,1,jawline_lift_mm,mean,0.5,mm,0.1\n").encode("utf-16"),
     "is UTF-16 text (a spreadsheet's \"Unicode Text\" save), not the UTF-8 CSV `facemetrics batch` writes: save it "
     "as CSV UTF-8 (Comma delimited), or run `facemetrics batch` again"),
    (b"hello,world\n1,2\n", ": the change table lacks column(s) subject, treatment, hours_since_treatment, metric, "
                            "side, value, unit (it needs subject, treatment, hours_since_treatment, metric, side, "
                            "value, unit, as the long.csv `facemetrics batch` writes has them)"),
])
def test_timeline_of_a_long_csv_that_is_no_change_table_is_one_line(tmp_path, capsys, content, said):
    """Stop 63's bad-input audit: a long.csv of random bytes or saved as UTF-16 ended `timeline` with a
    UnicodeDecodeError traceback, one without the change columns with KeyError: 'unit'."""
    (tmp_path / "long.csv").write_bytes(content)
    assert main(["timeline", str(tmp_path), "-o", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and (f"long.csv {said}" in err or f"long.csv{said}" in err), err
    assert not (tmp_path / "out").exists()


def _three_subjects_long(folder: Path) -> None:
    """A hand-made long.csv of 3 subjects with 6 times each, one metric: 4 decay series (the pooled one and each
    subject's)."""
    rows = [f"{s},t,{h},jawline_lift_mm,mean,{2 * 0.5 ** (h / 3) + 0.05 * k:.3f},mm,0.1,,,{s}/p{i}.png,,,,,,"
            for k, s in enumerate(("A", "B", "C")) for i, h in enumerate((0.5, 1, 2, 6, 12, 24))]
    (folder / "long.csv").write_text(",".join(LONG_COLUMNS) + "\n" + "\n".join(rows) + "\n")


def test_a_long_timeline_prints_its_progress_on_stderr_only(tmp_path, capsys, monkeypatch):
    """`timeline` on 10 000 rows said nothing for 254 s (docs/robustness.md, stop 64): from
    cli.PROGRESS_MIN_SERIES decay series on it prints a first line and one each tenth on stderr; stdout is the same,
    and fewer series print nothing (the threshold is injected here: a count, never a time)."""
    import facemetrics.cli as cli

    _three_subjects_long(tmp_path)
    monkeypatch.setattr(cli, "PROGRESS_MIN_SERIES", 5)  # 4 series: below it
    assert main(["timeline", str(tmp_path), "--n-boot", "0"]) == 0
    quiet = capsys.readouterr()
    assert "fitted" not in quiet.err and "fitting" not in quiet.err, quiet.err
    monkeypatch.setattr(cli, "PROGRESS_MIN_SERIES", 4)
    monkeypatch.setattr(cli, "PROGRESS_LINES", 2)
    assert main(["timeline", str(tmp_path), "--n-boot", "0"]) == 0
    said = capsys.readouterr()
    assert said.out == quiet.out  # piped output unchanged
    assert said.err.splitlines() == [
        "facemetrics timeline: fitting 4 decay series (one per subject, metric and side, and the pooled ones); "
        "this takes a while",
        "facemetrics timeline: fitted 2 of 4 series",
        "facemetrics timeline: fitted 4 of 4 series"], said.err


def test_the_timeline_library_call_is_silent_and_calls_its_progress(tmp_path, capsys):
    """run_timeline prints nothing; its ``progress`` is called once per decay series, (done, total)."""
    from facemetrics.batch import run_timeline

    _three_subjects_long(tmp_path)
    calls = []
    run_timeline(tmp_path, n_boot=0, progress=lambda done, total: calls.append((done, total)))
    assert calls == [(1, 4), (2, 4), (3, 4), (4, 4)]
    run_timeline(tmp_path, n_boot=0)
    said = capsys.readouterr()
    assert said.out == "" and said.err == "", said
