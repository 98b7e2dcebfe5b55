"""A capture time in UTC (``Z``: a Google Photos sidecar's ``photoTakenTime``, a Pixel's file name) among local
times: never compared on the wall clock with a ``treated_at`` without an offset, never taken for the local offset
of the session (Round 21, an Android user across the autumn clock change; docs/validation.md section 12)."""

from __future__ import annotations

from pathlib import Path

import pytest

from facemetrics.batch import hours_between
from facemetrics.batch.discover import PhotoEntry, offset_free_times, offset_free_treatment
from facemetrics.sessions import treatment_time
from facemetrics.timekeys import utc_instant


def _entries(n: int, treated: str) -> list[PhotoEntry]:
    return [PhotoEntry(Path(f"me/mc/p{i}.jpg"), f"me/mc/p{i}.jpg", "me", "mc", treated_at=treated) for i in range(n)]


def test_utc_instant_is_a_time_written_with_z_only():
    assert utc_instant("2026-10-24T09:34:12Z") and utc_instant(" 2026-10-24T09:34Z ")
    assert not utc_instant("2026-10-24T09:34:12+00:00")  # an offset a camera wrote: local time
    assert not utc_instant("2026-10-24T09:34:12") and not utc_instant("") and not utc_instant(None)
    assert not utc_instant("2026-10-24Z")  # a date alone is no time


def test_a_utc_time_in_a_session_without_local_offsets_is_left_out_not_read_on_the_wall_clock():
    # 22 October in London (BST, +01:00): treated at 07:37 local, a Takeout copy taken at 10:37 local = 09:37Z
    treated = "2026-10-22T07:37"
    times = ["2026-10-22T07:27:12", "2026-10-22T09:37:12Z", "2026-10-22T07:47:12"]
    assert hours_between(times[1], treated) == pytest.approx(2.0, abs=0.01)  # the wall-clock reading: 1 h short
    out, warned, notes = offset_free_treatment(_entries(3, treated), dict(enumerate(times)))
    assert "is in UTC" in out[1].note and "cannot be told" in out[1].note and "give treated_at with the UTC offset" \
        in out[1].note
    assert not out[0].note and not out[2].note and out[0].treated_at == treated
    assert len(notes) == 1 and "1 photo left out" in notes[0] and "p1.jpg" in notes[0]


def test_a_utc_before_photo_does_not_set_the_treatment_offset():
    # treated 07:30 local (BST); the before photo a Pixel file name's UTC time (06:20Z = 07:20 BST), the after
    # photo's EXIF 07:40+01:00: treated_at was read in +00:00 (the "before photo's offset"), the after photo
    # became a before photo 50 min before the treatment
    treated = "2026-10-20T07:30"
    times = ["2026-10-20T06:20:12Z", "2026-10-20T07:40:12+01:00"]
    out, warned, notes = offset_free_treatment(_entries(2, treated), dict(enumerate(times)))
    assert out[0].treated_at == out[1].treated_at == "2026-10-20T07:30:00+01:00"
    assert hours_between(times[0], out[0].treated_at) == pytest.approx(-10 / 60 + 12 / 3600)
    assert hours_between(times[1], out[1].treated_at) == pytest.approx(10 / 60 + 12 / 3600)
    assert "is in UTC (Z)" in warned[0] and "10 min before the treatment" in warned[0]
    assert not any(e.note for e in out) and len(notes) == 1
    # the store's roles read the session's time by the same rule
    assert treatment_time(treated, times) == "2026-10-20T07:30:00+01:00"


def test_a_utc_time_across_the_clock_change_counts_in_absolute_time():
    # Saturday 24 October 07:34 BST; the 3 h photo a Takeout copy (09:34Z), the next-morning photo 07:34 GMT
    treated = "2026-10-24T07:34"
    times = ["2026-10-24T07:24:12+01:00", "2026-10-24T07:44:12+01:00", "2026-10-24T09:34:12Z",
             "2026-10-25T07:34:12+00:00"]
    out, warned, notes = offset_free_treatment(_entries(4, treated), dict(enumerate(times)))
    hours = [hours_between(t, e.treated_at) for t, e in zip(times, out)]
    assert hours == pytest.approx([-10 / 60 + 1 / 300, 10 / 60 + 1 / 300, 3 + 1 / 300, 25 + 1 / 300])


def test_a_utc_time_tells_no_offset_for_an_offset_free_time():
    # treated_at with its offset (07:30+01:00); a Samsung photo's EXIF 07:40 (no offset) beside a UTC time:
    # read in +00:00, "the session's other photos' offset", it was 1 h 10 min after the treatment, not 10 min
    treated = "2026-10-20T07:30+01:00"
    times = ["2026-10-20T06:20:12Z", "2026-10-20T07:40:12"]
    out, warned, notes = offset_free_times(_entries(2, treated), dict(enumerate(times)))
    assert out[1].taken_at == "2026-10-20T07:40:12+01:00"
    assert hours_between(out[1].taken_at, treated) == pytest.approx(10 / 60 + 12 / 3600)
