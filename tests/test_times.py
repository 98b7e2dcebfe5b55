"""Capture times without a UTC offset in a session whose other times carry one (CLI audit, tz variant:
``treated_at.txt`` = ``07:00Z``, some photos ``+01:00``, others without an offset, each of those 1 h
late and a before photo taken 14 min before the treatment made a ``post`` photo at +0.77 h)."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from facemetrics.batch import hours_between, run_batch
from facemetrics.batch.discover import PhotoEntry, offset_free_times

TREATED = "2026-11-02T07:00Z"  # 08:00 at +01:00


def _entries(*times: str, treated: str = TREATED) -> list[PhotoEntry]:
    return [PhotoEntry(Path(f"S01/rf/p{i}.jpg"), f"S01/rf/p{i}.jpg", "S01", "rf", treated_at=treated)
            for i in range(len(times))]


def test_an_offset_free_time_is_read_in_the_one_offset_of_the_other_photos():
    times = ["2026-11-02T07:30:00+01:00", "2026-11-02T07:46:00", "2026-11-02T09:00:00+01:00"]
    entries = _entries(*times)
    out, warned, notes = offset_free_times(entries, dict(enumerate(times)))
    assert out[1].taken_at == "2026-11-02T07:46:00+01:00"
    assert hours_between(out[1].taken_at, TREATED) == pytest.approx(-14 / 60)  # before, as it was taken
    assert hours_between(times[1], TREATED) > 0  # the wall-clock reading: a post photo (the defect)
    assert out[0] is entries[0] and out[2] is entries[2] and not any(e.note for e in out)
    assert len(notes) == 1 and "read in +01:00" in notes[0] and "1 h later" in notes[0] and "p1.jpg" in notes[0]
    assert warned == {1: "capture time 2026-11-02T07:46:00 has no UTC offset: read in +01:00, the offset of the "
                         "session's other photos (as a wall-clock time against treated_at 2026-11-02T07:00Z it "
                         "would be 1 h later)"}


def test_a_manifest_time_counts_as_the_photos_own():
    entries = _entries("", "")
    entries[1].taken_at = "2026-11-02T07:46"  # manifest, no offset; the header's time is not used then
    out, warned, notes = offset_free_times(entries, {0: "2026-11-02T09:00:00+01:00", 1: "2026-11-02T05:00:00+01:00"})
    assert out[1].taken_at == "2026-11-02T07:46:00+01:00" and len(notes) == 1


def test_several_offsets_leave_the_offset_free_photos_out_naming_them():
    times = ["2026-11-02T07:30:00+01:00", "2026-11-02T07:46:00", "2026-11-03T09:00:00+02:00"]
    out, warned, notes = offset_free_times(_entries(*times), dict(enumerate(times)))
    assert "+01:00, +02:00" in out[1].note and "+00:00" in out[1].note and out[1].taken_at == ""
    assert not out[0].note and not out[2].note
    assert len(notes) == 1 and "1 photo left out" in notes[0] and "p1.jpg" in notes[0]
    assert warned == {}  # its reason is in 'excluded' (the entry's note)


def test_the_treatments_own_offset_is_written_without_a_note():
    """Review of 85fba1e, B: the other photos carry treated_at's offset: the hours are the same in either
    reading, but the time is now written with that offset (photos.csv shows the offset used), so a regimen
    pooling sessions across a clock change does not find it among several offsets.  No note: no hour moved."""
    times = ["2026-11-02T07:30:00+01:00", "2026-11-02T07:46:00"]
    entries = _entries(*times, treated="2026-11-02T08:00+01:00")
    out, warned, notes = offset_free_times(entries, dict(enumerate(times)))
    assert notes == [] and warned == {} and out[0] is entries[0] and not out[1].note
    assert out[1].taken_at == "2026-11-02T07:46:00+01:00"
    assert hours_between(out[1].taken_at, "2026-11-02T08:00+01:00") == hours_between(times[1], "2026-11-02T08:00+01:00")


def test_a_regimen_across_a_clock_change_keeps_the_offset_free_baseline():
    """Review of 85fba1e, B (the reviewer's case, on rows): s1's pre_b has no offset (07:40), its session's
    other photos and treatment carry +01:00; s2, after the clock change, carries +02:00.  The regimen pools
    the baselines under s1's treated_at and saw +01:00 and +02:00: pre_b was left out, silently.  Now the
    main batch writes pre_b at +01:00 and the pooled regimen keeps it."""
    from facemetrics.regimen import regimen_rows

    s1, s2 = "2027-03-26T08:00+01:00", "2027-03-29T08:00+02:00"
    spec = [("s1/pre_a.jpg", "2027-03-26T07:30:00+01:00", s1), ("s1/pre_b.jpg", "2027-03-26T07:40:00", s1),
            ("s1/post.jpg", "2027-03-26T09:00:00+01:00", s1), ("s2/pre_c.jpg", "2027-03-29T07:30:00+02:00", s2),
            ("s2/post.jpg", "2027-03-29T09:00:00+02:00", s2)]
    entries = [PhotoEntry(Path(n), n, "me", "mc", treated_at=t) for n, _, t in spec]
    out, warned, notes = offset_free_times(entries, {i: w for i, (_, w, _) in enumerate(spec)})
    assert notes == [] and out[1].taken_at == "2027-03-26T07:40:00+01:00"

    def pooled(taken):
        rows = [dict(photo=n, subject="me", treatment="mc", taken_at=w, treated_at=t,
                     role="baseline" if hours_between(w, t) < 0 else "post") for (n, _, t), w in zip(spec, taken)]
        manifest = regimen_rows(rows)
        assert [r["photo"] for r in manifest] == ["s1/pre_a.jpg", "s1/pre_b.jpg", "s2/pre_c.jpg"]
        out, _, notes = offset_free_times([PhotoEntry(Path(r["photo"]), r["photo"], r["subject"], r["treatment"],
                                                      taken_at=r["taken_at"], treated_at=r["treated_at"])
                                           for r in manifest], {})
        return out, notes

    reg, reg_notes = pooled([e.taken_at or w for e, (_, w, _) in zip(out, spec)])
    assert reg_notes == [] and not any(e.note for e in reg)
    old, old_notes = pooled([w for _, w, _ in spec])  # as photos.csv wrote it before: left out among two offsets
    assert "+01:00, +02:00" in old[1].note and "1 photo left out" in old_notes[0]


@pytest.mark.parametrize("times, treated", [
    (["2026-11-02T07:30:00+01:00", "2026-11-02T07:46:00"], "2026-11-02T08:00"),  # treated_at without: wall clock
    (["2026-11-02T07:30:00+01:00", "2026-11-02"], TREATED),  # a date alone: excluded for that
])
def test_nothing_changes_when_the_readings_agree_or_nothing_tells_another(times, treated):
    entries = _entries(*times, treated=treated)
    out, warned, notes = offset_free_times(entries, dict(enumerate(times)))
    assert notes == [] and warned == {} and all(a is b for a, b in zip(out, entries))


def test_offset_free_times_of_a_whole_session_are_read_in_the_treatments_offset_with_a_note():
    """treated_at carries an offset and no photo of the session does: they are compared as wall-clock
    times, i.e. read in treated_at's offset (the natural reading; the hours do not change), but nothing
    could tell a camera set to another zone, so a note names the session and what was assumed (before:
    silent).  Another session, with an offset-free treated_at, gets none."""
    times = ["2026-11-02T07:46:00", "2026-11-02T09:00:00"]
    entries = _entries(*times) + [PhotoEntry(Path("S02/rf/q.jpg"), "S02/rf/q.jpg", "S02", "rf",
                                             treated_at="2026-11-02T08:00")]
    out, warned, notes = offset_free_times(entries, {0: times[0], 1: times[1], 2: "2026-11-02T09:00:00"})
    # written with treated_at's offset (the hours unchanged: 07:46 read at +00:00 is 46 min after 07:00Z), so
    # that the pooled regimen, where another session's photos may carry another offset, reads it the same way
    assert [e.taken_at for e in out[:2]] == [t + "+00:00" for t in times] and out[2] is entries[2]
    assert [hours_between(e.taken_at, TREATED) for e in out[:2]] == pytest.approx([46 / 60, 2.0])
    assert not any(e.note for e in out)  # no photo left out
    assert len(notes) == 1, notes
    assert notes[0] == ("2 capture times without a UTC offset, in 1 session none of whose photos carries one, read "
                        "in the offset of its treated_at (+00:00; if the camera was set to another zone, each is off "
                        "by the difference; give taken_at with its offset in a manifest; the 'warnings' column of "
                        f"photos.csv names each photo): e.g. S01/rf/p0.jpg (S01, rf, treated {TREATED})"), notes[0]
    assert warned == {i: f"capture time {t} has no UTC offset, nor has any photo of its session: read in +00:00, "
                         "the offset of treated_at (if the camera was set to another zone, it is off by the "
                         "difference)" for i, t in enumerate(times)}


def test_sessions_are_apart():
    """Another session's offset is not this one's."""
    entries = _entries("", "") + [PhotoEntry(Path("S02/rf/q.jpg"), "S02/rf/q.jpg", "S02", "rf", treated_at=TREATED)]
    out, warned, notes = offset_free_times(entries, {0: "2026-11-02T07:46:00", 1: "2026-11-02T09:00:00",
                                              2: "2026-11-02T09:00:00+01:00"})
    assert [e.taken_at for e in out] == ["2026-11-02T07:46:00+00:00", "2026-11-02T09:00:00+00:00", ""]
    # S01's own photos carry no offset: read in its treated_at's (+00:00), not in S02's +01:00
    assert len(notes) == 1 and "the offset of its treated_at (+00:00;" in notes[0] and "+01:00" not in notes[0]
    assert sorted(warned) == [0, 1] and all("read in +00:00, the offset of treated_at" in w for w in warned.values())


def _jpeg(path: Path, when: str, offset: str | None) -> None:
    exif = Image.Exif()
    ifd = exif.get_ifd(0x8769)
    ifd[36867] = when  # DateTimeOriginal
    if offset:
        ifd[36881] = offset  # OffsetTimeOriginal
    buf = io.BytesIO()
    Image.fromarray(np.full((64, 64, 3), 128, np.uint8)).save(buf, "JPEG", exif=exif)
    path.write_bytes(buf.getvalue())


def test_batch_reads_the_exif_time_without_offset_in_the_sessions_offset(tmp_path):
    """Two tiny EXIF JPEGs (no face: only their times matter): the offset-free one keeps its 14 min
    before the treatment, and the run says why."""
    d = tmp_path / "study" / "S01" / "rf"
    d.mkdir(parents=True)
    (d / "treated_at.txt").write_text(TREATED + "\n")
    _jpeg(d / "a_pre.jpg", "2026:11:02 07:30:00", "+01:00")
    _jpeg(d / "b_pre.jpg", "2026:11:02 07:46:00", None)
    res = run_batch(tmp_path / "study", tmp_path / "out", workers=1, progress=False, compare=False)
    rows = {r["photo"]: r for r in res.photo_rows}
    assert rows["S01/rf/b_pre.jpg"]["taken_at"] == "2026-11-02T07:46:00+01:00"
    assert rows["S01/rf/b_pre.jpg"]["hours_since_treatment"] == pytest.approx(-14 / 60)
    assert len(res.time_notes) == 1 and "read in +01:00" in res.time_notes[0]


def test_batch_console_gives_the_treatment_offset_note_once_and_each_row_its_warning(tmp_path, capsys):
    """Many cameras write no EXIF offset: a session whose treated_at has one and none of whose photos
    does printed a note per session (a line per day of a real study).  Now one line for the batch
    (its counts and one photo), and each photo's ``warnings`` in photos.csv says how it was read."""
    import csv

    from facemetrics.cli import main

    for subject, photos in {"S01": [("a_pre", "07:30:00"), ("b_post", "09:30:00")], "S02": [("c_pre", "07:40:00")]}.items():
        d = tmp_path / "study" / subject / "rf"
        d.mkdir(parents=True)
        (d / "treated_at.txt").write_text("2026-11-02T08:00+01:00\n")
        for name, clock in photos:
            _jpeg(d / f"{name}.jpg", f"2026:11:02 {clock}", None)
    assert main(["batch", str(tmp_path / "study"), "-o", str(tmp_path / "out"), "--workers", "1"]) == 1  # nothing compared
    out = capsys.readouterr().out
    assert out.count("without a UTC offset") == 1, out
    assert ("3 capture times without a UTC offset, in 2 sessions none of whose photos carries one, read in the "
            "offset of their treated_at (+01:00; if the camera was set to another zone, each is off by the "
            "difference; give taken_at with its offset in a manifest; the 'warnings' column of photos.csv names "
            "each photo): e.g. S01/rf/a_pre.jpg (S01, rf, treated 2026-11-02T08:00:00+01:00)\n") in out, out
    with open(tmp_path / "out" / "photos.csv", newline="", encoding="utf-8-sig") as f:  # a BOM leads
        rows = {r["photo"]: r for r in csv.DictReader(f)}
    assert len(rows) == 3
    for photo, clock in (("S01/rf/a_pre.jpg", "07:30"), ("S01/rf/b_post.jpg", "09:30"), ("S02/rf/c_pre.jpg", "07:40")):
        assert rows[photo]["taken_at"] == f"2026-11-02T{clock}:00+01:00"
        assert rows[photo]["warnings"] == (f"capture time 2026-11-02T{clock}:00 has no UTC offset, nor has any photo "
                                           "of its session: read in +01:00, the offset of treated_at (if the camera "
                                           "was set to another zone, it is off by the difference)"), rows[photo]


def test_a_photo_minutes_from_the_treatment_is_said_in_minutes_and_its_row_keeps_hours():
    """A second photo 5 min after the first read "0.1 h after" (3 min: "0.0 h after") in the batch's and the app's
    messages (stop 44's audit): below 1 h the words give whole minutes; the rows keep their hours."""
    from facemetrics.batch.tables import HOURS_FROM_FIRST_BEFORE, before_taken_after, same_picture_left_out
    from facemetrics.timekeys import since_text

    assert [since_text(h) for h in (0.0, 3 / 60, 5 / 60, -0.5, 59.4 / 60, 59.6 / 60, 1.0, -36.54)] == \
        ["0 min", "3 min", "5 min", "30 min", "59 min", "1.0 h", "1.0 h", "36.5 h"]
    msg = same_picture_left_out("b.jpg", 5 / 60, "a.jpg", -2.0)
    assert "(b.jpg, 5 min after the treatment, has the same pixels as a.jpg, 2.0 h before the treatment)" in msg, msg
    first = same_picture_left_out("b.jpg", 5 / 60, "a.jpg", 0.0, hours_from=HOURS_FROM_FIRST_BEFORE)
    assert f"(b.jpg, 5 min after {HOURS_FROM_FIRST_BEFORE}, has the same pixels as a.jpg, at the time of " \
           f"{HOURS_FROM_FIRST_BEFORE})" in first, first  # a.jpg is that photo: not "0 min after" itself
    row = dict(photo="b.jpg", hours_since_treatment=3 / 60)
    assert before_taken_after([row]).startswith("b.jpg (3 min after the treatment) is "), before_taken_after([row])
    assert row["hours_since_treatment"] == 3 / 60


def test_a_time_difference_beyond_a_few_days_is_said_in_days_or_years_by_the_one_formatter():
    """An EXIF capture time 14 years from the manifest's was said "+122105.0 h" on the console and a follow-on
    session's photo "167.8 h after the treatment" (stop 55's audit, docs/validation.md §12 Rounds 7 and 10): every
    time difference said to the user goes through ``timekeys.since_text``: minutes below 1 h, hours up to
    ``HOURS_SAID_UP_TO_H``, days beyond, years from ``DAYS_SAID_UP_TO`` days."""
    from pathlib import Path

    from facemetrics.batch.discover import PhotoEntry, manifest_time_notes
    from facemetrics.batch.fit_notes import _when as fit_when
    from facemetrics.batch.tables import when_text
    from facemetrics.timekeys import DAYS_SAID_UP_TO, HOURS_SAID_UP_TO_H, since_text

    assert [since_text(h) for h in (48.0, -HOURS_SAID_UP_TO_H, 72.1, 167.8, -24 * 30.0, 24 * DAYS_SAID_UP_TO,
                                    122105.0)] == \
        ["48.0 h", "72.0 h", "3.0 days", "7.0 days", "30.0 days", "1.0 years", "13.9 years"]
    assert [since_text(h, 2) for h in (2.25, 6.0, 0.25, 167.8)] == ["2.25 h", "6 h", "0.25 h", "7.0 days"]
    assert when_text(167.8) == "7.0 days after the treatment"
    entries = [PhotoEntry(Path("old.jpg"), "old.jpg", taken_at="2026-11-11T09:00")]
    warned, notes = manifest_time_notes(entries, {0: "2012-11-12T13:00:00"})
    assert "old.jpg (+14.0 years)" in notes[0] and " h)" not in notes[0], notes
    assert warned[0].startswith("manifest taken_at 2026-11-11T09:00 is 14.0 years later than the photo's EXIF"), warned
    assert fit_when({"hours_since_treatment": 167.8}) == "7.0 days since treatment"
    assert fit_when({"hours_since_treatment": 24.0}) == "24 h since treatment"
    assert fit_when({"hours_since_treatment": ""}) == "no time since treatment"
