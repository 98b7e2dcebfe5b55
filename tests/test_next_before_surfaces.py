"""A next session's before photo read also as the earlier session's photo at that time, on the surfaces a user reads
(stop 56, d3; docs/validation.md section 12, Round 16).

Since Round 14 one photo is in two sessions: session B's before photo and a post photo of session A (a daily user's
next-morning selfie is A's 24 h photo).  Only changes.csv's messages said so: a 5-day user with 10 after photos read
"15 of 15 photos measured, 14 changes", a verdict judged on "the 4 photos at 18.0 h to 30.0 h" she never took and a
figures table of 14 photos.  :func:`facemetrics.batch.tables.next_before_note` (one rule) says it in the console of
``timeline`` and ``study report``, report.md and *My study*; :func:`~facemetrics.batch.tables.next_before_count` in the
summary lines of ``batch`` and ``study report``.
"""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd

from test_follow_on_next_before import _comparison_jobs, daily

#: the words every surface says (facemetrics.batch.tables.MSG_NEXT_BEFORE_NOTE), literal so that the tests fail by
#: assertion on the code before it
SAID = "a next session's before photo read a second time"


def _change_rows(rows):
    return [dict(photo=r["photo"], role=r["role"], hours_since_treatment=r["hours_since_treatment"],
                 subject=r["subject"], treatment=r["treatment"], treated_at=r["treated_at"], status="ok")
            for r, _ in _comparison_jobs(rows)]


def test_the_note_counts_names_and_times_the_before_photos_read_twice():
    from facemetrics.batch.tables import next_before_count, next_before_note

    rows = daily(3)
    changes = _change_rows(rows)
    assert len(changes) == 5  # 3 after photos taken, 2 before photos read also as the day before's
    note = next_before_note(changes, rows)
    assert note.startswith(f"2 of the 5 after-photo changes are {SAID} (the other 3 are the after photos as given)")
    assert "23.8 h after the previous session's treatment" in note
    assert note.endswith(": me_d2_pre.jpg, me_d3_pre.jpg.")
    assert next_before_count(changes, rows) == f", 2 of them {SAID}"
    alone = [r for r in rows if r["photo"].startswith("me_d1")]  # one session: nothing read twice
    assert next_before_note(_change_rows(alone), alone) == "" and next_before_count(_change_rows(alone), alone) == ""
    many = daily(9)
    assert next_before_note(_change_rows(many), many).endswith(", me_d7_pre.jpg, and 2 more.")


def test_the_batch_summary_counts_them_among_the_changes():
    from facemetrics.batch.console import batch_summary

    rows = daily(3)
    res = SimpleNamespace(photo_rows=rows, n_ok=len(rows), n_cached=0, n_duplicates=0, change_rows=_change_rows(rows),
                          excluded=[], removed=[], not_removed=[], seconds=1.0)
    line = batch_summary(res, "out")
    assert f"6 photos measured; 5 changes, 2 of them {SAID}; no photo left out" in line, line


def test_report_md_and_the_console_say_which_changes_are_a_before_photo_read_twice(tmp_path, capsys):
    from facemetrics.batch import LONG_COLUMNS, run_timeline
    from facemetrics.cli import _print_verdicts

    from test_follow_on import RF, two_sessions

    rows = daily(3)
    out = tmp_path / "batch"
    out.mkdir()
    two_sessions(96.0, RF, n_subjects=1).reindex(columns=LONG_COLUMNS).to_csv(out / "long.csv", index=False)
    pd.DataFrame(rows).to_csv(out / "photos.csv", index=False)
    pd.DataFrame(_change_rows(rows)).assign(messages="", baseline_photos="").to_csv(out / "changes.csv", index=False)
    _, table = run_timeline(out, n_boot=50, seed=0)
    md = (out / "report.md").read_text()
    assert md.count(SAID) == 1 and "me_d2_pre.jpg, me_d3_pre.jpg" in md
    assert md.index("## Figures") < md.index(SAID) < md.index("![timeline]")  # under the figures it counts in
    _print_verdicts(table)
    said = capsys.readouterr().out
    assert said.count(SAID) == 1 and "me_d3_pre.jpg" in said, said


def test_study_report_and_my_study_say_it_on_a_real_store(tmp_path, monkeypatch, capsys):
    """Two daily sessions of the sample photos (a before and an after photo each): day 3's before photo is also
    day 2's photo at 23.8 h.  ``study report``'s summary counts it ("3 changes, 1 of them ..."), its console and
    report.md name it, and *My study* says it under the verdicts."""
    pytest = __import__("pytest")
    from facemetrics.cli import main

    from test_study_home import daily_store, my_study_page

    root, _, store_dir = daily_store(tmp_path, monkeypatch)
    out = tmp_path / "report"
    assert main(["study", "report", "--subject", "me", "-o", str(out), "--n-boot", "50", "--store", str(store_dir)]) == 0
    said = capsys.readouterr().out
    assert f"3 changes, 1 of them {SAID}" in said, said
    assert said.count(f"1 of the 3 after-photo changes is {SAID}") == 1, said
    assert (out / "report.md").read_text().count(f"1 of the 3 after-photo changes is {SAID}") == 1
    pytest.importorskip("streamlit")
    at = my_study_page(root, "me")
    shown = [str(e.value).replace("\\", "") for e in at.caption]
    assert sum(f"1 of the 3 after-photo changes is {SAID}" in t for t in shown) == 1, shown


def test_a_line_on_a_before_photo_read_twice_says_which_session_it_is_of():
    """The clinic audit's report.md listed "`lee_d10_pre.jpg` (lee, rf, 7.0 days since treatment): left out ..." under
    the photos excluded: day 10's before photo, read as day 3's photo a week on, with nothing saying which session's
    treatment the 7 days count from.  The line names that treatment and the photo's role there."""
    from facemetrics.batch.tables import MSG_NEXT_BEFORE
    from facemetrics.batch.timeline import uncertain_notes

    row = dict(photo="lee_d10_pre.jpg", subject="lee", treatment="rf", treated_at="2026-11-03T09:00:00",
               hours_since_treatment="167.75", status="warning", jawline_lift_mm_verdict="uncertain",
               messages=f"the after photo is flagged smiling; {MSG_NEXT_BEFORE} (treated at 2026-11-10T09:00:00), ...")
    line = uncertain_notes([row], ["jawline_lift_mm"])[0]
    assert line.startswith("`lee_d10_pre.jpg` (lee, rf, 7.0 days since the treatment of 2026-11-03T09:00:00: the next "
                           "session's before photo, read as this session's photo at that time): "), line
    plain = uncertain_notes([dict(row, messages="the after photo is flagged smiling")], ["jawline_lift_mm"])[0]
    assert plain.startswith("`lee_d10_pre.jpg` (lee, rf, 7.0 days since treatment): "), plain


def test_a_refused_comparison_of_a_before_photo_read_twice_says_so_too():
    """changes.csv's next-before message was added to measured comparisons only, so a refused one's console line
    read "`me_d2_pre.jpg` (me, mc, 23.8 h since treatment): these may be different people: ... retake the after
    photo like the before photo" of a before photo, with nothing saying it is one.  Its message is kept, and the
    line names the session (the refusal's reason first, as before)."""
    from facemetrics.batch.console import refused_lines
    from facemetrics.batch.results import PAST_PHOTO_REMEDY, comparison_result
    from facemetrics.batch.tables import MSG_NEXT_BEFORE

    rows = daily(2)
    nb, base = next((r, b) for r, b in _comparison_jobs(rows) if r["photo"] == "me_d2_pre.jpg")
    why = "these may be different people: the upper faces differ by 2.2 mm RMS: retake the after photo like the before photo"
    raw = {"status": "refused", "messages": [why], "rows": []}
    res = comparison_result(dict(nb, quality_flags=""), [dict(b, quality_flags="") for b in base], raw)
    # its remedy is what can be done next time: the before photo of a past day cannot be retaken (stop 62, h8)
    assert res["status"] == "refused" and res["messages"][0] == why.replace(
        "retake the after photo like the before photo", PAST_PHOTO_REMEDY["next_before"])
    assert any(m.startswith(MSG_NEXT_BEFORE) for m in res["messages"]), res["messages"]
    line = refused_lines([dict(nb, status="refused", messages="; ".join(res["messages"]))])[0]
    assert "23.83 h since the treatment of" in line and "the next session's before photo" in line, line
    assert line.count("these may be different people") == 1


def test_the_role_message_is_never_read_as_the_reason_a_comparison_was_refused():
    """A refused comparison whose messages hold no refusing one has every message read as a reason
    (``gate.refusal_reasons``): the next-before message, added to refused ones since Round 16, is not one."""
    from facemetrics.batch.console import refusal_gist, refused_lines
    from facemetrics.batch.tables import MSG_NEXT_BEFORE

    row = dict(photo="me_d2_pre.jpg", subject="me", treatment="mc", treated_at="2026-11-02T07:30:00",
               hours_since_treatment="23.83", status="refused",
               messages=f"an odd reason: retake it; {MSG_NEXT_BEFORE} (treated at 2026-11-03T07:30:00), taken ...")
    assert refusal_gist(row) == "an odd reason"
    assert MSG_NEXT_BEFORE not in refused_lines([row])[0]
