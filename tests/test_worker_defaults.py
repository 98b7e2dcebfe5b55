"""The suite's worker defaults (tests/conftest.py): analyses in this process unless a test is marked
``real_worker``; the native-crash test hook refused in a test that measures in this process."""

from __future__ import annotations

import pytest

from facemetrics import isolated
from facemetrics.batch import runner, workers


def test_an_unmarked_test_measures_in_this_process():
    assert isolated.ISOLATE is False and workers.ISOLATE is False
    assert runner.default_workers() == 1


@pytest.mark.real_worker
def test_a_marked_test_gets_the_worker_processes_a_user_gets():
    assert isolated.ISOLATE is True and workers.ISOLATE is True
    assert runner.default_workers() == workers.default_workers() == max(1, min(2, __import__("os").cpu_count() or 1))


def test_the_crash_hook_in_an_unmarked_test_fails_it_instead_of_ending_pytest(monkeypatch):
    """The hook names another photo here (it would not end the process anyway): set at all, it is refused."""
    monkeypatch.setenv(workers.TEST_CRASH_ENV, "measure:abort:another_photo.jpg")
    with pytest.raises(AssertionError, match="real_worker"):
        workers._test_crash("measure", "this_photo.jpg")
    monkeypatch.delenv(workers.TEST_CRASH_ENV)
    assert workers._test_crash("measure", "this_photo.jpg") is None
