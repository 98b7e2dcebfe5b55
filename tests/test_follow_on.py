"""Follow-on sessions (facemetrics.decay.carryover): a session begun while an earlier session of the same
subject and treatment may still act is left out of the single-treatment decay fit, and said.

Simulated at the level of measured changes (numbers, no images).  The truth of a second session differs
from anything the method assumes: the face is at its ceiling, so a second treatment adds nothing, and the
second session's changes are read against a before photo that already carries the first one's effect
(the audit's reproduction, 2026-12-04: the demo's RF photos split into sessions 96 h apart read half-life
53 h and lasting 0.04 mm for a lasting 1.5 mm).  Each session's before photo has an error of its own that
all its changes share.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pandas as pd
import pytest

from facemetrics.batch import LONG_COLUMNS, run_timeline
from facemetrics.decay import PERSISTS, analyze_series, decay_model

METRIC = "jawline_lift_mm"
START = datetime(2026, 11, 2, 8, 0)
FIRST_TIMES = (1.0, 6.0, 24.0, 48.0)  # hours after the first session's treatment
SECOND_TIMES = (1.0, 24.0, 72.0, 240.0)  # after the second's
RF = dict(lasting=1.5, transient=0.5, half_life=6.0)  # mm, mm, h
MC = dict(lasting=0.0, transient=2.0, half_life=3.0)


def _truth(t, p):
    return float(decay_model(t, p["lasting"], p["transient"], p["half_life"]))


def two_sessions(gap_h: float, p: dict, *, n_subjects: int = 3, seed: int = 0, first_times=FIRST_TIMES,
                 second_times=SECOND_TIMES) -> pd.DataFrame:
    """long.csv rows: per subject a first session and a second ``gap_h`` hours later.  The second
    session's truth is the first treatment's course read against a before photo taken 0.5 h before it
    (a face at its ceiling: the second treatment adds nothing)."""
    rng = np.random.default_rng(seed)
    rows = []
    for s in range(n_subjects):
        subject = f"S{s + 1}"
        t0 = START + timedelta(days=s)
        for k, (start, times) in enumerate(((0.0, first_times), (gap_h, second_times))):
            treated = (t0 + timedelta(hours=start)).isoformat()
            base_err = rng.normal(0.0, 0.12)  # the session's before photo: shared by all its changes
            carried = _truth(start - 0.5, p) if k else 0.0  # what its before photo already carries
            for t in times:
                value = _truth(start + t, p) - carried - base_err + rng.normal(0.0, 0.1)
                rows.append(dict(subject=subject, treatment="rf", hours_since_treatment=t, metric=METRIC,
                                 side="mean", value=value, unit="mm", noise_floor=0.3, verdict="lift",
                                 photo=f"{subject}/s{k + 1}/{t:g}h.jpg", taken_at="", treated_at=treated,
                                 sha256=f"{subject}-{k}-{t}", pixel_sha256="", calibration_source="iris",
                                 facemetrics_version=""))
    return pd.DataFrame(rows)


def two_session_report(tmp_path, gap_h: float = 96.0, p: dict = RF):
    """:func:`two_sessions` written as a batch folder's long.csv (and a photos.csv of one photo) and run through
    ``run_timeline`` (n_boot 100, seed 0): ``(report.md's text, the fits' table)``."""
    out = tmp_path / "batch"
    out.mkdir()
    two_sessions(gap_h, p).reindex(columns=LONG_COLUMNS).to_csv(out / "long.csv", index=False)
    pd.DataFrame({"photo": ["a.jpg"], "excluded": [""]}).to_csv(out / "photos.csv", index=False)
    _, table = run_timeline(out, n_boot=100, seed=0)
    return (out / "report.md").read_text(), table


def test_a_follow_on_session_is_left_out_and_named():
    """RF lasting 1.5 mm, a second session 96 h after the first: pooled as a fresh baseline it drags the
    fit towards 0 (the old behaviour, shown by the same table without treated_at on the second sessions);
    left out, the fit recovers the truth and the reason names each session, its gap and the figures."""
    long = two_sessions(96.0, RF)
    res = analyze_series(long, n_boot=200, seed=0)
    f = res.get("rf", METRIC, "mean")
    truth_24 = _truth(24.0, RF)
    assert f.verdict == PERSISTS, f.reason
    assert abs(f.change_24h - truth_24) < 0.25, f.change_24h
    assert f.change_24h_ci_low < truth_24 < f.change_24h_ci_high
    assert abs(f.lasting - RF["lasting"]) < 0.25, f.lasting  # pooled as before: -0.19 mm (95 % CI -9.6 to 1.0)
    assert f.n_photos == 3 * len(FIRST_TIMES)
    assert "3 follow-on sessions" in f.reason and "12 rows" in f.reason
    assert "S1's session treated at 2026-11-06 08:00 began 4.0 days after the one treated at 2026-11-02 08:00" \
        in f.reason
    assert "entirely above the +0.30 mm margin: its effect was still there" in f.reason
    assert [(x.subject, x.gap_h, x.n_rows) for x in res.follow_on] == [("S1", 96.0, 4), ("S2", 96.0, 4),
                                                                       ("S3", 96.0, 4)]
    assert all(x.ci_low > x.margin for x in res.follow_on)  # the first sessions' fit: RF's lift still there
    sub = res.get("rf", METRIC, "mean", "S1")
    assert "1 follow-on session" in sub.reason and "S2's" not in sub.reason
    # the same rows, the second sessions not told apart (no treated_at): pooled as before, biased
    blind = long.assign(treated_at=np.where(long["photo"].str.contains("/s2/"), "", long["treated_at"]))
    old = analyze_series(blind, n_boot=200, seed=0).get("rf", METRIC, "mean")
    assert old.n_photos == len(long) and "follow-on" not in old.reason
    assert abs(old.lasting - RF["lasting"]) > 0.5 or old.verdict != PERSISTS, (old.lasting, old.verdict)


@pytest.mark.parametrize("gap_h", [240.0, 96.0])
def test_sessions_after_the_earlier_effect_is_shown_gone_are_pooled(gap_h):
    """A lift that fades within hours (2 mm, half-life 3 h): the first sessions' fit shows it inside the
    margin days later, so the second sessions are fresh baselines and pooled as before."""
    long = two_sessions(gap_h, MC, n_subjects=5, first_times=(0.25, 1, 2, 4, 8, 24, 48),
                        second_times=(0.25, 1, 2, 4, 8, 24))
    res = analyze_series(long, n_boot=200, seed=0)
    f = res.get("rf", METRIC, "mean")
    assert res.follow_on == ()
    assert f.n_photos == len(long)
    assert "follow-on" not in f.reason
    assert abs(f.change_24h - _truth(24.0, MC)) < 0.2, f.change_24h


def test_without_a_fit_of_the_first_sessions_the_fit_of_all_sessions_judges():
    """Too few photos in the first session to fit: the fit of all sessions judges (the old pooled fit, asked
    only what the first sessions cannot tell); it does not show the lasting lift gone 96 h later, so the
    later session is left out, and the reason says which fit judged."""
    long = two_sessions(96.0, RF, n_subjects=1, first_times=(1.0, 24.0), second_times=(1.0, 6.0, 24.0, 72.0))
    res = analyze_series(long, n_boot=100, seed=0)
    f = res.get("rf", METRIC, "mean")
    assert [(x.n_rows, x.judged_by) for x in res.follow_on] == [(4, "all")]
    assert "when the fit of every session (the first-session fit alone cannot tell) puts that one's change at" in f.reason
    assert f.status == "insufficient_data"


def test_a_daily_regimen_of_a_fading_lift_is_pooled_though_one_day_is_too_few_to_judge():
    """One subject, a lift fading within hours (2 mm, half-life 3 h), a session every day with 5 photos: one
    day's photos do not show the lift gone 24 h later (or give no fit), so the fit of all sessions judges,
    and every day is pooled as before."""
    rng = np.random.default_rng(4)
    rows = []
    for d in range(8):
        treated = (START + timedelta(days=d)).isoformat()
        err = rng.normal(0.0, 0.08)
        for t in (0.25, 1.0, 3.0, 8.0, 14.0):
            rows.append(dict(subject="me", treatment="mc", hours_since_treatment=t, metric=METRIC, side="mean",
                             value=_truth(t, MC) - err + rng.normal(0.0, 0.08), unit="mm", treated_at=treated))
    res = analyze_series(pd.DataFrame(rows), n_boot=100, seed=0)
    assert res.follow_on == ()
    assert res.fits[0].n_photos == 40


def test_an_uncertain_first_session_still_makes_the_next_one_a_follow_on():
    """Every change of a subject's first session read 'uncertain': it still treated the face, so its
    second session is no fresh baseline."""
    long = two_sessions(96.0, RF)
    s1_first = long["photo"].str.startswith("S1/s1/")
    long.loc[s1_first, "verdict"] = "uncertain"
    res = analyze_series(long, n_boot=100, seed=0)
    assert [x.subject for x in res.follow_on] == ["S1", "S2", "S3"]


def test_report_and_console_name_the_follow_on_sessions(tmp_path, capsys):
    from facemetrics.cli import _print_verdicts

    out = tmp_path / "batch"
    out.mkdir()
    long = two_sessions(96.0, RF)
    long.reindex(columns=LONG_COLUMNS).to_csv(out / "long.csv", index=False)  # change_scale_sd empty
    pd.DataFrame({"photo": ["a.jpg"], "excluded": [""]}).to_csv(out / "photos.csv", index=False)
    _, table = run_timeline(out, n_boot=100, seed=0)
    md = (out / "report.md").read_text()
    assert "### Sessions left out of the decay fits: follow-on sessions" in md
    line = ("- S2, rf: the session treated at 2026-11-07 08:00 began 4.0 days after the one treated at "
            "2026-11-03 08:00, whose effect is not shown gone by then in jawline_lift_mm (mean): the first-"
            "session fit puts that one's change at ")
    assert line in md, md
    assert "Its 4 changes per series are left out of this series' decay fit" in md
    assert "None: every photo was measured and compared." not in md
    assert len(table.attrs["follow_on_notes"]) == 3
    _print_verdicts(table)
    printed = capsys.readouterr().out
    assert printed.count("follow-on session left out of the decay fits: ") == 3


def test_the_timeline_figure_draws_a_follow_on_sessions_photos_hollow():
    from facemetrics.plots import plot_timeline

    long = two_sessions(96.0, RF)
    res = analyze_series(long, n_boot=50, seed=0)
    ax = plot_timeline(long, res).axes[0]
    assert "follow-on session: left out of the fit" in [t.get_text() for t in ax.get_legend().get_texts()]
    hollow = [ln for ln in ax.get_lines() if ln.get_markerfacecolor() == "none"]
    assert sum(len(ln.get_xdata()) for ln in hollow) == 12  # the 3 second sessions' 4 photos


def test_sessions_are_timed_as_the_batch_times_them():
    """One instant written with two offsets is one session (no follow-on of itself); a session written
    with an offset 96 h after one written without one is timed by the wall clock, as the batch's
    hours_between does."""
    from facemetrics.decay.carryover import session_order

    rows = pd.DataFrame(dict(subject=["a"] * 4, treatment=["rf"] * 4,
                             treated_at=["2026-11-02T08:00:00+01:00", "2026-11-02T07:00:00Z",
                                         "2026-11-06T08:00:00", "2026-11-10T08:00:00+01:00"]))
    order = session_order(rows)[("a", "rf")]
    assert len(order) == 3
    assert [text for _, _, text in order] == ["2026-11-02T08:00:00+01:00", "2026-11-06T08:00:00",
                                               "2026-11-10T08:00:00+01:00"]


def test_each_follow_on_session_is_named_once_per_surface_with_its_figures(tmp_path, capsys):
    """The follow-on sessions were said twice on the console and in report.md (stop 55's audit, docs/validation.md
    §12 Rounds 7 and 10): in each verdict's reason (session, gap, figures) and again in their own lines / section.
    The verdict now says how many rows of how many sessions it left out and points below; each session's line there
    names it once, with each series' figures.  timeline.csv keeps the whole reason (the app shows it, with no
    such lines)."""
    from facemetrics.cli import _print_verdicts
    from facemetrics.decay.carryover import shorten_follow_on

    md, table = two_session_report(tmp_path)
    _print_verdicts(table)
    printed = capsys.readouterr().out
    for text in (md, printed):
        for when in ("2026-11-06 08:00", "2026-11-07 08:00", "2026-11-08 08:00"):
            assert text.count(f"treated at {when}") == 1, (when, text)
        assert "12 rows of 3 follow-on sessions were left out of this fit (sessions begun while an earlier one may " \
               "still act: see the follow-on sessions below)." in text
        assert text.count("entirely above the +0.30 mm margin: its effect was still there") == 3, text  # the figures
    from facemetrics.report import is_pooled

    pooled = table[table["subject"].map(is_pooled).astype(bool) & (table["metric"] == METRIC)].iloc[0]
    whole = str(pooled["reason"])
    assert "S1's session treated at 2026-11-06 08:00 began 4.0 days after" in whole, whole  # timeline.csv's
    assert "S1's session" not in shorten_follow_on(whole) and shorten_follow_on("no follow-on here.") == \
        "no follow-on here."


def test_too_few_photos_left_says_how_many_the_series_has_and_how_many_were_left_out():
    """A series whose rows kept after leaving out its follow-on sessions are too few to fit: its reason said
    "only 2 photos (need at least 6)" to a user with 6 (a home user's month said "only 1 photo" to one with 47,
    docs/validation.md section 12, Round 13); it now says how many the series has, how many were left out as
    follow-on sessions, why, and points to their lines."""
    long = two_sessions(96.0, RF, n_subjects=1, first_times=(1.0, 24.0), second_times=(1.0, 6.0, 24.0, 72.0))
    f = analyze_series(long, n_boot=100, seed=0).get("rf", METRIC, "mean")
    assert f.status == "insufficient_data" and f.n_photos == 2
    assert f.reason.startswith(
        "Too few data to test the 24 h claim, so no fit was made: this series has 6 photos whose change was read, "
        "4 of them left out as follow-on sessions (see below), and in the 2 left: only 2 distinct times after "
        "treatment"), f.reason
    assert "only 2 photos (need at least 6)" in f.reason and "4 rows of 1 follow-on session were left out" in f.reason
    # a series with no follow-on session keeps its plain reason
    alone = analyze_series(long[long["photo"].str.contains("/s1/")], n_boot=100, seed=0).get("rf", METRIC, "mean")
    assert alone.reason.startswith("Too few data to test the 24 h claim, so no fit was made: only 2 distinct times")


def test_a_series_with_no_row_fitted_counts_its_follow_on_sessions_photos_too():
    """Every row of the first session 'uncertain', the later session's left out as a follow-on: the reason said
    "All 4 photos of this series with a measured change read 'uncertain'" and dropped the follow-on sentence (the
    home month's placebo_real: "All 33 photos", 14 more of 11 follow-on sessions not counted, docs/validation.md
    section 12, Round 13).  It counts both and keeps the sentence naming the session."""
    long = two_sessions(96.0, MC, n_subjects=1, second_times=(1.0, 24.0))
    long.loc[long["photo"].str.contains("/s1/"), "verdict"] = "uncertain"
    long.loc[long["photo"].str.contains("/s2/"), "verdict"] = "within_noise"
    res = analyze_series(long, n_boot=100, seed=0)
    f = res.get("rf", METRIC, "mean")
    assert [(x.n_rows, x.judged_by) for x in res.follow_on] == [(2, "all")]
    assert f.n_photos == 0 and f.status == "insufficient_data"
    assert f.reason.startswith("Of the 6 photos of this series with a measured change, 4 read 'uncertain' ("), f.reason
    assert "and the other 2 were left out as follow-on sessions (see below), so no fit was made." in f.reason
    assert "2 rows of 1 follow-on session were left out of this fit: S1's session treated at" in f.reason
    assert not f.reason.startswith("All ")


def test_the_console_summarises_more_than_three_follow_on_sessions_and_report_md_lists_all(tmp_path, capsys):
    """A daily user's week 4 printed 23 follow-on lines, ~26 000 characters (the home month, docs/validation.md
    section 12, Round 13): with more than FOLLOW_ON_CONSOLE the console gives their count, where all are listed
    and the first few by session and gap; report.md keeps every session with its figures."""
    from facemetrics.cli import _print_verdicts
    from facemetrics.report import FOLLOW_ON_CONSOLE

    out = tmp_path / "batch"
    out.mkdir()
    two_sessions(96.0, RF, n_subjects=5).reindex(columns=LONG_COLUMNS).to_csv(out / "long.csv", index=False)
    pd.DataFrame({"photo": ["a.jpg"], "excluded": [""]}).to_csv(out / "photos.csv", index=False)
    _, table = run_timeline(out, n_boot=100, seed=0)
    md = (out / "report.md").read_text()
    assert FOLLOW_ON_CONSOLE == 3 and len(table.attrs["follow_on_notes"]) == 5
    _print_verdicts(table)
    printed = capsys.readouterr().out
    assert printed.count("follow-on session left out of the decay fits: ") == 0
    assert "5 follow-on sessions left out of the decay fits (" in printed
    assert 'report.md lists each, with every series\' figures, under "Sessions left out of the decay fits"' in printed
    assert "  S1, rf: the session treated at 2026-11-06 08:00 began 4.0 days after the one treated at " \
           "2026-11-02 08:00\n" in printed
    assert "2026-11-08 08:00" in printed and "2026-11-09 08:00" not in printed  # S4 and S5: counted
    assert "  and 2 more (report.md)" in printed and "its effect was still there" not in printed
    for when in ("2026-11-06", "2026-11-07", "2026-11-08", "2026-11-09", "2026-11-10"):
        assert md.count(f"- S{int(when[-2:]) - 5}, rf: the session treated at {when} 08:00 began") == 1, when
    assert md.count("its effect was still there") == 5
