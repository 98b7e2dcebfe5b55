"""Every shell command of README.md's ```bash blocks is run, as written, with its placeholders made real
(docs/readme_claims.md, 'README's shell commands', 2026-12-05), so that a renamed option, sub-command or
output name in README fails here.

The commands run in order, each by ``bash`` from a temporary folder laid out as README assumes (the project
folder: ``sample_images/`` linked in), with ``facemetrics`` on ``PATH`` (this interpreter's
``-m facemetrics``) and the study store in the temporary folder (``FACEMETRICS_STORE``).  README's
placeholders are made from the bundled sample photos:

- ``FOLDER`` (a study folder): a simulated study of the sample's before photo (``facemetrics.study.study``,
  1 subject, photos of 480 px), written as ``FOLDER`` in the temporary folder;
- ``pre.jpg``, ``post_1h.jpg``, ``post_8h.jpg``, ``evening.jpg``: the sample's before photo, and its after
  photo turned 0, 0.5 and 1 deg, each with the capture time its name says (EXIF) for the README's treatment
  at 08:15.

A command that cannot run here is in :data:`NOT_RUN` with the reason; the test asserts that list is exactly
README's commands that are not run (a stale entry fails too), and parses each ``facemetrics`` command of it
with the CLI's own parser (an unknown option is an error there as well).
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_doc_examples import fenced_blocks  # noqa: E402 - the one Markdown fence reader of the tests

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
SAMPLES = ROOT / "sample_images"

#: README commands not run by this test, each with why (the command as README writes it, comments removed).
NOT_RUN = {
    "python3.11 -m venv .venv && . .venv/bin/activate": "installs: tests/test_readme.py checks it against .ci/run",
    "pip install -r requirements.txt": "installs: tests/test_readme.py checks it against .ci/run",
    "python -m pytest": "the whole suite (12 min 32 s on 2 workers, CI of stop 49, idle): CI runs it; tests/test_readme.py checks it against .ci/run",
    "facemetrics demo -o results": "22 s idle to 4 min at load: tests/test_demo.py runs `demo` (one subject); its "
                                   "arguments are parsed here",
    "facemetrics validate -o results/validation --quick": "3-8 min: its arguments are parsed here; "
                                                          "tests/test_validate.py runs the checks",
    "streamlit run app.py": "a server that runs until stopped: tests/test_app*.py run the app",
}

#: Each placeholder word of README's commands and what stands for it in the temporary folder.
PLACEHOLDERS = {"FOLDER": "a simulated study folder of the sample photo",
                "pre.jpg": "the sample's before photo, 08:00", "post_1h.jpg": "the sample's after photo, 09:15",
                "post_8h.jpg": "the after photo turned 0.5 deg, 16:15",
                "evening.jpg": "the after photo turned 1 deg, 20:00"}


def readme_commands(text: str | None = None) -> list[str]:
    """The commands of README's ```bash blocks, in order, each as README spells it: continuation lines
    joined, comment lines and trailing comments left out (a ``#`` at a word's start outside quotes, as the
    shell reads it), runs of white space outside quotes made one space."""
    text = README.read_text(encoding="utf-8") if text is None else text
    out = []
    for block in fenced_blocks(text, "README.md"):
        if block.lang not in ("bash", "sh", "shell", "console"):
            continue
        for line in block.code.replace("\\\n", " ").splitlines():
            command = _without_comment(line)
            if command:
                out.append(command)
    return out


def _without_comment(line: str) -> str:
    """``line`` without its shell comment, white space outside quotes folded, stripped."""
    out, quote, prev = [], "", " "
    for ch in line:
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch == "#" and prev.isspace():
            break
        elif ch.isspace():
            if not prev.isspace():
                out.append(" ")
            prev = ch
            continue
        out.append(ch)
        prev = ch
    return "".join(out).strip()


def _exif_time(image, when: str):
    exif = image.getexif()
    exif.get_ifd(0x8769)[36867] = when  # DateTimeOriginal
    exif[306] = when  # DateTime
    return exif


def _layout(folder: Path) -> dict:
    """The temporary project folder: samples, placeholders, ``facemetrics`` on PATH; the environment."""
    from PIL import Image

    from facemetrics.study import study

    env = _shell(folder)
    before, after = Image.open(SAMPLES / "astronaut_before.jpg"), Image.open(SAMPLES / "astronaut_after.jpg")
    before.convert("RGB").save(folder / "pre.jpg", quality=95, exif=_exif_time(before, "2026:11:02 08:00:00"))
    for name, turn, when in (("post_1h.jpg", 0.0, "09:15"), ("post_8h.jpg", 0.5, "16:15"),
                             ("evening.jpg", 1.0, "20:00")):
        im = after.convert("RGB").rotate(turn, resample=Image.BICUBIC) if turn else after.convert("RGB")
        im.save(folder / name, quality=95, exif=_exif_time(after, f"2026:11:02 {when}:00"))
    design = {"microcurrent": dict(peak_mm=2.0, half_life_h=3.0, lasting_mm=0.0, times_h=[-1.0, -0.5, 1, 4, 24])}
    study(SAMPLES / "astronaut_before.jpg", folder / "FOLDER", subjects=1, design=design, max_side=480, seed=1)
    return env


def _shell(folder: Path) -> dict:
    """The temporary project folder without the placeholders (``sample_images/`` linked in, ``facemetrics`` on
    PATH); the environment."""
    (folder / "sample_images").symlink_to(SAMPLES, target_is_directory=True)
    bin_dir = folder / ".bin"
    bin_dir.mkdir()
    shim = bin_dir / "facemetrics"
    shim.write_text(f'#!/bin/sh\nexec {shlex.quote(sys.executable)} -m facemetrics "$@"\n')
    shim.chmod(0o755)
    return {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}", "PYTHONPATH": str(ROOT),
            "FACEMETRICS_STORE": str(folder / "store"), "GLOG_minloglevel": "2", "MPLBACKEND": "Agg"}


def run_command(command: str, folder: Path, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", "-e", "-o", "pipefail", "-c", command], cwd=folder, env=env,
                          capture_output=True, text=True, timeout=900)


COMMANDS = readme_commands()
RUN = [c for c in COMMANDS if c not in NOT_RUN]


@pytest.fixture(scope="module")
def ran(tmp_path_factory):
    """Every command of :data:`RUN`, in README's order, in one temporary project folder."""
    folder = tmp_path_factory.mktemp("readme_commands")
    env = _layout(folder)
    results = {}
    for command in RUN:
        results[command] = run_command(command, folder, env)
    return folder, results


def test_every_readme_command_is_run_or_listed_with_a_reason():
    assert len(COMMANDS) >= 15, COMMANDS  # README's five blocks: a change of fence syntax must not empty this
    assert sorted(set(NOT_RUN) - set(COMMANDS)) == [], "NOT_RUN names a command README no longer has"
    assert len(RUN) == len(COMMANDS) - len(NOT_RUN)
    words = {w for c in RUN for w in shlex.split(c)}
    for placeholder in PLACEHOLDERS:  # every placeholder this test makes is one README still uses
        assert placeholder in words, placeholder


@pytest.mark.parametrize("command", RUN)
def test_readme_command_runs(ran, command):
    """Exit status 0 and no traceback."""
    _, results = ran
    r = results[command]
    assert r.returncode == 0, f"{command}\nstdout: {r.stdout[-2000:]}\nstderr: {r.stderr[-3000:]}"
    assert "Traceback" not in r.stderr, r.stderr[-3000:]


def test_readme_commands_write_what_readme_says(ran):
    """The outputs README names beside its commands are there."""
    folder, _ = ran
    for rel in ("results/sample/photos.csv", "results/sample/overlays", "results/sample/geometry",
                "results/compare/comparison.csv", "results/compare/overlay.png", "results/compare/aligned_after.png",
                "results/mystudy/photos.csv", "results/mystudy/changes.csv",
                "results/mystudy/long.csv", "results/me/photos.csv", "results/me/timeline.csv",
                "results/me/timeline.png", "results/me/report.md"):
        assert (folder / rel).exists(), rel


@pytest.mark.parametrize("command", [c for c in NOT_RUN if c.startswith("facemetrics ")])
def test_readme_commands_not_run_parse(command):
    """The long ``facemetrics`` commands not run are parsed by the CLI's parser (a renamed option fails)."""
    from facemetrics.cli import build_parser

    build_parser().parse_args(shlex.split(command)[1:])


def test_a_renamed_option_in_readme_fails(tmp_path):
    """Negative control: README's ``analyze`` command with an option name the CLI does not have (and a
    ``study`` sub-command it does not have) exits 2 with argparse's message, before any work (so the folder needs
    no placeholder photos or study: argparse exits before a file is read)."""
    env = _shell(tmp_path)
    analyze = next(c for c in RUN if c.startswith("facemetrics analyze "))
    r = run_command(analyze.replace("--overlays", "--overlays-dir"), tmp_path, env)
    assert r.returncode == 2 and "unrecognized arguments: --overlays-dir" in r.stderr, r.stderr
    r = run_command("facemetrics study lists", tmp_path, env)
    assert r.returncode == 2 and "invalid choice: 'lists'" in r.stderr, r.stderr
    from facemetrics.cli import build_parser

    with pytest.raises(SystemExit):
        build_parser().parse_args(["validate", "-o", "x", "--quik"])


def test_commands_are_read_as_the_shell_reads_them():
    """Continuation lines joined, comments (whole-line and trailing) left out, quotes kept."""
    text = ("```bash\n# a comment\nfacemetrics study add a.jpg \\\n    --settings '{\"x\":  3 # not a comment}'   # trailing\n"
            "facemetrics study list\n```\n```python\nprint(1)\n```\n")
    assert readme_commands(text) == ["facemetrics study add a.jpg --settings '{\"x\":  3 # not a comment}'",
                                     "facemetrics study list"]
