"""The advice under the follow-on sessions when the first sessions' fit has too few photos (Round 23's RF user,
stop 62, h8): she read "Too few data ... only 2 distinct times after treatment (need at least 4)" and then, under
her sessions left out, "More photos within a few hours of each session do not help".  For her more photos after the
first session do help; the advice now says so when a fit of the series had too few photos, and keeps its old words
otherwise.  Simulated at the level of measured changes (numbers, no images)."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
from test_follow_on import RF, two_sessions  # noqa: E402

from facemetrics.batch import LONG_COLUMNS, run_timeline  # noqa: E402
from facemetrics.report import (FEW_PHOTOS_ADVICE, FEW_HOURS_ADVICE, FOLLOW_ON_ADVICE,  # noqa: E402
                                follow_on_advice)


def _report(tmp_path, first_times):
    out = tmp_path / "batch"
    out.mkdir()
    # a weekly RF user: a photo 15 min and 24 h after the first session, the next one a week later
    two_sessions(168.0, RF, n_subjects=1, first_times=first_times, second_times=(0.25, 24.0)).reindex(
        columns=LONG_COLUMNS).to_csv(out / "long.csv", index=False)
    pd.DataFrame({"photo": ["a.jpg"], "excluded": [""]}).to_csv(out / "photos.csv", index=False)
    _, table = run_timeline(out, n_boot=100, seed=0)
    return (out / "report.md").read_text(), table


def test_a_weekly_user_with_too_few_photos_is_not_told_more_photos_do_not_help(tmp_path, capsys):
    from facemetrics.cli import _print_verdicts

    md, table = _report(tmp_path, (0.25, 24.0))
    assert table.attrs.get("follow_on_notes"), md  # her later sessions are follow-ons
    assert "only 2 distinct times after treatment (need at least 4)" in md
    assert FEW_HOURS_ADVICE not in md and FEW_PHOTOS_ADVICE in md, md
    assert follow_on_advice(table) in md and follow_on_advice(table) != FOLLOW_ON_ADVICE
    _print_verdicts(table)
    printed = capsys.readouterr().out
    assert FEW_HOURS_ADVICE not in printed and FEW_PHOTOS_ADVICE in printed


def test_the_advice_keeps_its_words_when_every_fit_had_photos_enough(tmp_path):
    md, table = _report(tmp_path, (0.25, 1.0, 3.0, 6.0, 24.0, 48.0))
    assert table.attrs.get("follow_on_notes"), md
    assert follow_on_advice(table) == FOLLOW_ON_ADVICE and FEW_HOURS_ADVICE in FOLLOW_ON_ADVICE
    assert FOLLOW_ON_ADVICE in md and FEW_PHOTOS_ADVICE not in md
