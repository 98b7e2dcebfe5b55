"""The before/after order check: a before photo taken after the after photo (capture times: EXIF, else the file name's) warns
that the photos may be swapped (``order_messages``), with the verdicts kept; the batch and the app's
no-change checks do not check it (``compare_photos(check_order=False)``)."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta, timezone

import pytest

from conftest import SAMPLES
from facemetrics import analyze_photo, compare_photos
from facemetrics.batch.workers import _task_compare
from facemetrics.compare.gate import MAX_BEFORE_AFTER_H, MSG_SWAPPED, order_messages
from facemetrics.decay.claim import SAME_PHOTO_TIME_H
from facemetrics.report import headline


@pytest.fixture(scope="module")
def pair():
    """The sample pair as analysed: before taken 2026-11-02 08:00, after 11:30 (EXIF, no UTC offset)."""
    a, b = analyze_photo(SAMPLES / "astronaut_before.jpg"), analyze_photo(SAMPLES / "astronaut_after.jpg")
    assert a.ok and b.ok
    assert (b.taken_at - a.taken_at) == timedelta(hours=3.5)
    return a, b


def at(x, when):
    """``x`` with its photo's capture time replaced (None: no EXIF time)."""
    return dataclasses.replace(x, photo=dataclasses.replace(x.photo, taken_at=when))


def swapped(messages) -> list[str]:
    return [m for m in messages if m.startswith(MSG_SWAPPED)]


def test_swapped_sample_pair_warns_and_keeps_its_verdicts(pair):
    a, b = pair
    c = compare_photos(b, a)  # the arguments swapped: the 'before' photo is the later one
    assert c.status == "warning"
    assert c.messages[0].startswith(f"{MSG_SWAPPED} 3.5 h after the after photo")
    assert "are the two photos swapped?" in c.messages[0]
    plain = compare_photos(b, a, check_order=False)  # the same pair, the check off: only the message differs
    assert plain.status == "ok" and not swapped(plain.messages)
    f, g = c.to_frame(), plain.to_frame()
    assert f["verdict"].tolist() == g["verdict"].tolist()
    jaw = f[(f["metric"] == "jawline_lift_mm") & (f["side"] == "mean")].iloc[0]
    assert jaw["verdict"] == "sag"
    assert "if the photos are swapped, the jawline lifted" in headline(f, c.messages)
    assert "swapped" not in headline(g, plain.messages)


def test_pair_in_order_does_not_warn(pair):
    a, b = pair
    c = compare_photos(a, b)
    assert c.status == "ok" and not swapped(c.messages)


def test_no_warning_without_both_times(pair):
    a, b = pair
    assert order_messages(b, a)  # the sample pair swapped
    assert not order_messages(at(b, None), a)
    assert not order_messages(b, at(a, None))
    assert not order_messages(at(b, None), at(a, None))
    c = compare_photos(at(b, None), at(a, None))
    assert c.status == "ok" and not swapped(c.messages)


def test_retake_window_and_utc_offsets(pair):
    a, b = pair
    t = datetime(2026, 11, 2, 8, 0)
    assert MAX_BEFORE_AFTER_H == SAME_PHOTO_TIME_H  # the project's retake window
    assert not order_messages(at(a, t + timedelta(minutes=4)), at(b, t))  # a retake: within 5 min
    assert order_messages(at(a, t + timedelta(minutes=10)), at(b, t))[0].startswith(
        f"{MSG_SWAPPED} 10 min after")
    # both with a UTC offset: compared as instants (09:00+02:00 is 07:00 UTC, before 08:00+00:00)
    assert not order_messages(at(a, datetime(2026, 11, 2, 9, 0, tzinfo=timezone(timedelta(hours=2)))),
                                   at(b, datetime(2026, 11, 2, 8, 0, tzinfo=timezone.utc)))


def test_batch_comparison_does_not_check_the_order(pair, tmp_path):
    """A batch comparison (its no-change checks compare a baseline photo with a later one on purpose)."""
    a, b = pair
    out = _task_compare([b], a, {}, str(tmp_path / "c.json"))
    assert out["status"] == "ok", out["messages"]
    assert not swapped(out["messages"])


def test_photos_without_exif_times_are_checked_by_the_times_their_file_names_state(pair):
    """Two messenger copies (no EXIF time) named with their capture times: given in the wrong order, the
    comparison warns as for EXIF times, and names each time's source (stop 46: EXIF times only, no check)."""
    a, b = pair
    before = dataclasses.replace(at(a, None), name="IMG_20261124_113000.jpg")  # the later photo as 'before'
    after = dataclasses.replace(at(b, None), name="IMG_20261124_080000.jpg")
    said = swapped(order_messages(before, after))
    assert len(said) == 1
    assert "3.5 h after the after photo" in said[0]
    assert "2026-11-24T11:30:00 (its file name) and 2026-11-24T08:00:00 (its file name)" in said[0]
    # in the order taken: no warning; one photo with an EXIF time, the other by its name: read together
    assert swapped(order_messages(after, before)) == []
    mixed = swapped(order_messages(dataclasses.replace(at(a, datetime(2026, 11, 24, 11, 30)), name="x.jpg"), after))
    assert len(mixed) == 1 and "(EXIF) and 2026-11-24T08:00:00 (its file name)" in mixed[0]


def test_a_file_name_time_does_not_override_an_exif_time(pair):
    """The EXIF time wins over the name's (the batch's chain): a name stating a later time than EXIF's
    does not make an in-order pair look swapped."""
    a, b = pair
    before = dataclasses.replace(a, name="IMG_20261124_230000.jpg")  # EXIF 2026-11-02 08:00 wins
    assert swapped(order_messages(before, b)) == []


def test_one_time_with_a_utc_offset_and_one_without_is_read_in_every_zone_or_said_unchecked(pair):
    """Round 8 (stop 55) left a naive before time and an aware after time read as wall-clock times without a
    word: 12:00 (no offset) before and 13:00+05:00 after passed as in order, though the before photo's camera
    in UTC puts it 4 h after the after photo.  Now (b3) such a pair is read in every zone the offset-free time
    may be in (UTC-12 to +14): swapped in all, the swap warning saying the times were read as wall-clock
    times; in order in all, nothing; else MSG_ORDER_UNCHECKED naming the time with no offset."""
    from facemetrics.compare.gate import MSG_ORDER_UNCHECKED

    a, b = pair
    plus5 = timezone(timedelta(hours=5))
    near = order_messages(at(a, datetime(2026, 11, 2, 12, 0)), at(b, datetime(2026, 11, 2, 13, 0, tzinfo=plus5)))
    assert len(near) == 1 and near[0].startswith(f"{MSG_ORDER_UNCHECKED}: the before photo's capture time has "
                                                 "no UTC offset"), near
    assert "read as wall-clock times, the after photo was taken 1.0 h later" in near[0], near[0]
    other = order_messages(at(a, datetime(2026, 11, 2, 12, 0, tzinfo=plus5)), at(b, datetime(2026, 11, 2, 8, 0)))
    assert other and other[0].startswith(f"{MSG_ORDER_UNCHECKED}: the after photo's"), other
    far = order_messages(at(a, datetime(2026, 11, 3, 8, 0)), at(b, datetime(2026, 11, 2, 8, 0, tzinfo=timezone.utc)))
    assert swapped(far) and "read as wall-clock times, one having no UTC offset" in far[0], far
    assert not order_messages(at(a, datetime(2026, 11, 1, 8, 0)),
                              at(b, datetime(2026, 11, 2, 12, 0, tzinfo=timezone.utc)))  # 28 h: in any zone
    c = compare_photos(at(a, datetime(2026, 11, 2, 12, 0)), at(b, datetime(2026, 11, 2, 13, 0, tzinfo=plus5)))
    assert c.status == "warning" and c.messages[0].startswith(MSG_ORDER_UNCHECKED), c.messages


def test_a_before_photo_days_or_years_after_the_after_photo_is_said_in_days_or_years(pair):
    """The swapped-photos warning said any gap in hours ("122105.0 h" for a camera clock 14 years off, stop 55):
    beyond a few days it is said in days, from a year in years (``timekeys.since_text``, the one formatter)."""
    a, b = pair
    t = datetime(2026, 11, 2, 8, 0)
    assert order_messages(at(a, t + timedelta(hours=36)), at(b, t))[0].startswith(f"{MSG_SWAPPED} 36.0 h after")
    assert order_messages(at(a, t + timedelta(days=9)), at(b, t))[0].startswith(f"{MSG_SWAPPED} 9.0 days after")
    assert order_messages(at(a, t), at(b, datetime(2012, 11, 2, 8, 0)))[0].startswith(
        f"{MSG_SWAPPED} 14.0 years after")
