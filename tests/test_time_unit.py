"""Hours entered as days: a hand-made change table whose ``hours_since_treatment`` holds day counts
read ``fades_within_a_day`` without a word.  Now the fit's ``reason`` says "Check the time unit" when
the capture times (``taken_at``) show the column is days (or weeks, minutes), or, with no capture
times, on a ``fades_within_a_day`` verdict whose times are all whole numbers from 1 to 31, none of
them 24 (1, 2, 4, 8, 24 h is hours).  Valid studies are never refused and a table in hours gets no
note."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pandas as pd
import pytest

from facemetrics.cli import main
from facemetrics.decay import FADES, PERSISTS, analyze_series
from facemetrics.decay.claim import SAME_PHOTO_TIME_H
from facemetrics.decay.time_unit import MIN_GAP_H, clock_ratio, time_unit_note

T0 = datetime(2026, 11, 2, 9, 0)
NOTE = "Check the time unit"


def table(times, *, clock_h_per_unit: float | None = 24.0, half_life: float = 2.0, lasting: float = 0.0,
          subjects=("S1", "S2", "S3", "S4"), seed: int = 1) -> pd.DataFrame:
    """A change table (``long.csv``'s columns) whose ``hours_since_treatment`` are ``times``, the
    photos taken ``clock_h_per_unit`` hours per unit of it (None: no ``taken_at`` column), the change
    decaying with ``half_life`` (in the table's unit) to ``lasting`` mm."""
    rng = np.random.default_rng(seed)
    rows = []
    for s in subjects:
        for t in times:
            v = lasting + 2.0 * 2 ** (-t / half_life) + rng.normal(0, 0.1)
            row = dict(subject=s, treatment="RF", hours_since_treatment=float(t), metric="jawline_lift_mm", side="mean",
                       value=v, unit="mm", noise_floor=0.2, treated_at=T0.isoformat())
            if clock_h_per_unit is not None:
                row["taken_at"] = (T0 + timedelta(hours=t * clock_h_per_unit)).isoformat()
            rows.append(row)
    return pd.DataFrame(rows)


DAYS = (1, 2, 3, 5, 7, 14)


def curve_verdict(fit) -> str:
    """The verdict the fitted curve reads at 24 h: DAYS has no photo within 9 h of 24 (the nearest, 14, is 10 h
    away), so rule 7 (:data:`facemetrics.decay.near_claim.FAR_FROM_CLAIM_H`) leaves such a fit's claim
    unjudged (``inconclusive``); the time-unit note still reads the curve's verdict."""
    assert fit.verdict == "inconclusive" and fit.change_24h_source == "curve_unchecked", fit.reason
    return fit.near_claim.curve_verdict


def test_days_with_capture_times_are_named_on_every_fit():
    res = analyze_series(table(DAYS), n_boot=100)
    assert res.status == "ok" and len(res.fits) == 5  # pooled + 4 subjects: nothing refused
    pooled = res.fits[0]
    assert curve_verdict(pooled) == FADES  # the fit itself is unchanged: the note says why not to trust it
    assert NOTE in pooled.reason and "24 times as far apart" in pooled.reason and "held days" in pooled.reason
    assert "median of 20 gaps" in pooled.reason
    assert all(NOTE in f.reason for f in res.fits[1:])


def test_days_without_capture_times_ask_on_a_fades_verdict():
    res = analyze_series(table(DAYS, clock_h_per_unit=None), n_boot=100)
    pooled = res.fits[0]
    assert curve_verdict(pooled) == FADES
    assert NOTE in pooled.reason and "whole number from 1 to 14 (1, 2, 3, 5, 7, 14)" in pooled.reason
    assert "day 24" in pooled.reason and "no capture times" in pooled.reason


def test_a_table_in_hours_gets_no_note():
    # the same whole-number times, but the capture times say they are hours
    res = analyze_series(table(DAYS, clock_h_per_unit=1.0), n_boot=100)
    assert curve_verdict(res.fits[0]) == FADES and not any(NOTE in f.reason for f in res.fits)
    # a usual hours study without capture times: sub-hour and 24 h photos
    res = analyze_series(table((0.25, 0.5, 1, 2, 4, 8, 24), clock_h_per_unit=None, half_life=1.0), n_boot=100)
    assert res.fits[0].verdict == FADES and not any(NOTE in f.reason for f in res.fits)


def test_the_pattern_alone_does_not_speak_to_a_persists_verdict():
    res = analyze_series(table(DAYS, clock_h_per_unit=None, lasting=1.5), n_boot=100)
    assert curve_verdict(res.fits[0]) == PERSISTS and NOTE not in res.fits[0].reason
    # with capture times the unit is named whatever the verdict
    res = analyze_series(table(DAYS, lasting=1.5), n_boot=100)
    assert curve_verdict(res.fits[0]) == PERSISTS and NOTE in res.fits[0].reason


def test_minutes_are_named_too():
    rows = table((15, 30, 60, 120, 240, 720, 1440), clock_h_per_unit=1 / 60, half_life=60)
    res = analyze_series(rows, n_boot=100)
    assert NOTE in res.fits[0].reason and "held minutes" in res.fits[0].reason


def test_clock_ratio_skips_retakes_blank_times_and_other_sessions():
    rows = table((1, 2, 3), subjects=("S1",))
    assert clock_ratio(rows) == (24.0, 2)
    retake = rows.iloc[[0]].assign(hours_since_treatment=1.02,
                                   taken_at=(T0 + timedelta(hours=24, minutes=1)).isoformat())
    assert clock_ratio(pd.concat([rows, retake], ignore_index=True))[1] == 2  # a retake's gap is not compared
    blank = rows.assign(taken_at="")
    assert clock_ratio(blank)[1] == 0 and clock_ratio(rows.drop(columns=["taken_at"]))[1] == 0
    other = table((1, 2, 3), subjects=("S2",), clock_h_per_unit=1.0)
    ratio, n = clock_ratio(pd.concat([rows, other], ignore_index=True))
    assert n == 4 and 1.0 < ratio < 24.0  # gaps are taken within a subject's session, never across
    assert MIN_GAP_H == SAME_PHOTO_TIME_H


def test_the_note_is_empty_for_times_that_are_not_day_counts():
    for times in ((0.5, 1, 2, 4), (1, 2, 3, 40), (2.5, 3, 4, 7)):
        rows = table(times, clock_h_per_unit=None)
        assert time_unit_note(rows, FADES) == "", times
    assert time_unit_note(table(DAYS, clock_h_per_unit=None), FADES).startswith(" " + NOTE)


def test_timeline_of_a_hand_written_long_csv_in_days_says_so(tmp_path, capsys):
    batch = tmp_path / "batch"
    batch.mkdir()
    rows = table(DAYS, clock_h_per_unit=None)
    rows.assign(photo=[f"{s}/d{t:g}.jpg" for s, t in zip(rows.subject, rows.hours_since_treatment)]).to_csv(
        batch / "long.csv", index=False)
    assert main(["timeline", str(batch), "--n-boot", "100"]) == 0
    said = capsys.readouterr().out
    assert NOTE in said, said
    timeline = pd.read_csv(batch / "timeline.csv")
    assert timeline["reason"].str.contains(NOTE).any()
    assert NOTE in (batch / "report.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("verdict", [FADES, PERSISTS])
def test_capture_times_in_hours_never_note(verdict):
    rows = table(DAYS, clock_h_per_unit=1.0)
    assert time_unit_note(rows, verdict) == ""


def test_hours_that_run_against_the_capture_times_are_named(tmp_path, capsys):
    """A hand-edited long.csv whose hours_since_treatment run backwards against its capture times (hours
    typed in the reverse order) was fitted without a word (a new user's audit, 2026-12-04): every fit's
    reason, and timeline's output, now say so; the time-unit note is not given on top, and a table whose
    capture times follow its hours gets neither."""
    backwards = table((0.5, 1, 2, 4, 8, 24), clock_h_per_unit=-1.0)
    assert clock_ratio(backwards) == (-1.0, 20)
    res = analyze_series(backwards, n_boot=100)
    assert all("Check the times: the photos' capture times (taken_at) run against" in f.reason for f in res.fits)
    assert not any(NOTE in f.reason for f in res.fits)
    assert time_unit_note(table((0.5, 1, 2, 4, 8, 24), clock_h_per_unit=1.0), PERSISTS) == ""
    batch = tmp_path / "batch"
    batch.mkdir()
    backwards.assign(photo=[f"{s}/h{t:g}.jpg" for s, t in zip(backwards.subject, backwards.hours_since_treatment)]
                     ).to_csv(batch / "long.csv", index=False)
    assert main(["timeline", str(batch), "--n-boot", "100"]) == 0
    assert "Check the times: the photos' capture times (taken_at) run against" in capsys.readouterr().out


@pytest.mark.parametrize("times", [(1, 2, 4, 8, 24), (1, 2, 4, 8, 12, 24), (1, 3, 6, 12, 24), (2, 4, 6, 8, 10, 24),
                                   (1, 6, 24)])
def test_whole_hours_to_the_day_after_ask_no_question(times):
    # the usual schedule in whole hours, without capture times: a photo at 24 h (the day after) is
    # hours; the question fired on every such fit (a false alarm, stop 37)
    assert time_unit_note(table(times, clock_h_per_unit=None), FADES) == ""


@pytest.mark.parametrize("times", [DAYS, (1, 2, 3, 7, 14, 21, 28), (1, 3, 7, 14, 30), (1, 2, 3, 4, 5, 6, 7)])
def test_day_counts_without_capture_times_still_ask(times):
    # the tables the question exists for: day counts typed as hours, none of them day 24
    assert time_unit_note(table(times, clock_h_per_unit=None), FADES).startswith(" " + NOTE)


def test_a_day_24_among_capture_times_is_still_named():
    # the day-after rule is the pattern's only: capture times that say days are named whatever the times
    rows = table((1, 2, 7, 14, 24), half_life=2.0)
    assert "held days" in time_unit_note(rows, FADES)


def test_whole_hours_fit_to_the_day_after_reads_fades_without_the_question():
    res = analyze_series(table((1, 2, 4, 8, 24), clock_h_per_unit=None), n_boot=100)
    assert res.fits[0].verdict == FADES and not any(NOTE in f.reason for f in res.fits)
