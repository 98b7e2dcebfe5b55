"""report.md's figures of a row with no fitted curve (Round 19, stop 58; docs/validation.md section 12): a clinic RF
patient's jawline row (5 photos left after a follow-on session, 6 needed) read "n/a [n/a, n/a]" in five cells with no
word of why under the table.  Such a row (status insufficient_data, fit_failed or bootstrap_failed) now reads "no fit"
and a note says where the reason is; timeline.csv is unchanged."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
from test_follow_on import RF, two_session_report, two_sessions  # noqa: E402

from facemetrics.batch import LONG_COLUMNS, run_timeline  # noqa: E402
from facemetrics.report import NO_FIT_CELL, NO_FIT_NOTE  # noqa: E402


def test_rows_without_a_curve_say_no_fit_and_where_the_reason_is(tmp_path):
    md, table = two_session_report(tmp_path)
    rows = {ln.split(" | ")[3]: ln for ln in md.splitlines() if ln.startswith("| rf | jawline_lift_mm | mean |")}
    assert set(table.loc[table["subject"].notna(), "status"]) == {"insufficient_data"}  # S1-S3: 4 times, 5 needed
    for subj in ("S1", "S2", "S3"):
        assert rows[subj].split(" | ").count(NO_FIT_CELL) == 5 and "n/a" not in rows[subj], rows[subj]
    assert "n/a" not in rows["all"] and NO_FIT_CELL not in rows["all"]  # the pooled fit's figures as before
    assert md.count(NO_FIT_NOTE) == 1 and md.index(NO_FIT_NOTE) < md.index("## Subjects without a fit of their own")
    # a report whose every row has a curve has no note
    alone = tmp_path / "alone"
    alone.mkdir()
    two_sessions(96.0, RF, n_subjects=3, first_times=(0.5, 1.0, 3.0, 6.0, 24.0, 48.0), second_times=()).reindex(
        columns=LONG_COLUMNS).to_csv(alone / "long.csv", index=False)
    pd.DataFrame({"photo": ["a.jpg"], "excluded": [""]}).to_csv(alone / "photos.csv", index=False)
    run_timeline(alone, n_boot=100, seed=0)
    assert NO_FIT_NOTE not in (alone / "report.md").read_text()
