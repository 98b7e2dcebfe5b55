"""The test suite on pytest-xdist workers (docs/speed.md, "Test suite time, stop 49: workers"): README's one
command, ``python -m pytest``, spreads the files over one worker per core (pyproject's ``addopts``), which needs
pytest-xdist installed by README's install; a run of one file uses no worker (tests/conftest.py)."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from conftest import pytest_xdist_auto_num_workers

tomllib = pytest.importorskip("tomllib")  # Python 3.11+ (README installs 3.11)

ROOT = Path(__file__).resolve().parents[1]


def _addopts() -> list[str]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]["addopts"].split()


def test_the_suite_runs_on_a_worker_per_core_with_each_file_on_one_worker():
    opts = _addopts()
    assert opts[opts.index("-n") + 1] == "auto", opts
    assert opts[opts.index("--dist") + 1] == "loadfile", opts
    assert "--no-loadscope-reorder" in opts, opts  # collection order: each worker's files in the serial order


def test_readmes_install_brings_pytest_xdist():
    """Without pytest-xdist the ``-n`` of ``addopts`` is an unknown option and ``python -m pytest`` stops at once."""
    reqs = [re.split(r"[<>=!~ ]", line.strip(), maxsplit=1)[0].lower()
            for line in (ROOT / "requirements.txt").read_text().splitlines() if line.strip() and line[0] != "#"]
    assert "pytest-xdist" in reqs
    extra = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]["test"]
    assert any(r.startswith("pytest-xdist") for r in extra), extra


def test_a_run_of_one_file_uses_no_worker_and_any_other_run_the_usual_count():
    def workers(*args):
        return pytest_xdist_auto_num_workers(SimpleNamespace(args=list(args)))

    assert workers("tests/test_cli.py") == 0
    assert workers("tests/test_cli.py::test_help", "tests/test_cli.py::test_version") == 0
    assert workers(str(ROOT / "tests" / "test_cli.py") + "::test_help") == 0
    assert workers("tests") is None  # README's command: testpaths
    assert workers("tests/test_cli.py", "tests/test_batch.py") is None
    assert workers("tests/") is None
