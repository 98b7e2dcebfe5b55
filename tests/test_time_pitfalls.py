"""Times read wrong without a word (an audit, 2026-12-04): a dotted time of day (``08.20`` read as
08:00:00.2), a ``treated_at`` without a UTC offset among photos of two offsets (travel, a clock change:
hours off by the difference), and a reset camera clock (EXIF 2000-01-01 chosen as the before photo)."""

from __future__ import annotations

import io
import math
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from facemetrics.batch import hours_between, run_batch
from facemetrics.batch.discover import PhotoEntry, offset_free_times, offset_free_treatment
from facemetrics.batch.tables import _comparison_jobs, _table_row
from facemetrics.pairing import (
    BASELINE, MAX_DAYS_AFTER_TREATMENT, MAX_DAYS_BEFORE_TREATMENT, POST, PairingPhoto, pair_photos, too_early, too_late,
)
from facemetrics.store import Store, StoreError
from facemetrics.timekeys import ACCEPTED_TIME_FORMS, ambiguous_time, parse_time


def _jpeg(path: Path, when: str, offset: str | None = None) -> None:
    """A tiny EXIF JPEG (no face: only its capture time matters)."""
    exif = Image.Exif()
    ifd = exif.get_ifd(0x8769)
    ifd[36867] = when  # DateTimeOriginal
    if offset:
        ifd[36881] = offset  # OffsetTimeOriginal
    buf = io.BytesIO()
    Image.fromarray(np.full((64, 64, 3), 128, np.uint8)).save(buf, "JPEG", exif=exif)
    path.write_bytes(buf.getvalue())


def _session(tmp_path: Path, treated_at: str, photos: dict[str, tuple[str, str | None]]) -> Path:
    d = tmp_path / "study" / "S01" / "rf"
    d.mkdir(parents=True)
    (d / "treated_at.txt").write_text(treated_at + "\n")
    for name, (when, offset) in photos.items():
        _jpeg(d / name, when, offset)
    return tmp_path / "study"


# ---------------------------------------------------------------- 1. dotted times of day

@pytest.mark.parametrize("text", ["2026-11-02 08.20", "2026-11-02T14.45", "2026-11-02 14.45+01:00",
                                  "2026-11-02T08:20.30", "20261102T0820,5", "2026-11-02T08.5Z"])
def test_a_fraction_after_the_hours_or_minutes_is_refused_and_named(text):
    assert parse_time(text) is None
    said = ambiguous_time(text, "treatment time")
    assert said.startswith(f"treatment time {text!r} has a decimal fraction after the ") and ACCEPTED_TIME_FORMS in said


def test_the_message_suggests_the_time_that_was_probably_meant():
    assert "(if 14:45 was meant: 2026-11-02T14:45+01:00)" in ambiguous_time("2026-11-02 14.45+01:00")
    assert "08:00:00.20" in ambiguous_time("2026-11-02 08.20")  # what the old reading made of it


@pytest.mark.parametrize("text, seconds", [("2026-11-02T08:20:00.5", 0.5), ("2026-11-02 08:20:30,25+01:00", 30.25),
                                           ("2026:11:02 08:20:00", 0.0), ("2026-11-02T08:20", 0.0)])
def test_real_fractions_of_a_second_and_plain_times_still_parse(text, seconds):
    t = parse_time(text)
    assert (t.hour, t.minute) == (8, 20) and t.second + t.microsecond / 1e6 == pytest.approx(seconds)
    assert ambiguous_time(text) == ""


def test_a_dotted_treated_at_txt_leaves_its_photos_out_naming_the_file(tmp_path):
    study = _session(tmp_path, "2026-11-02 08.20", {"a.jpg": ("2026:11:02 08:15:00", None),
                                                    "b.jpg": ("2026:11:02 09:00:00", None)})
    res = run_batch(study, tmp_path / "out", workers=1, progress=False, compare=False)
    for r in res.photo_rows:  # (no face in these tiny photos: 'not measured' comes first)
        assert r["role"] == "" and math.isnan(r["hours_since_treatment"]) and (
            "treated_at.txt in S01/rf: treatment time '2026-11-02 08.20' has a decimal fraction after the hours"
            in r["excluded"]), r


def test_a_dotted_manifest_time_names_the_row_and_column(tmp_path):
    study = _session(tmp_path, "2026-11-02T08:20", {"a.jpg": ("2026:11:02 08:15:00", None)})
    (study / "S01" / "rf" / "treated_at.txt").unlink()
    manifest = tmp_path / "m.csv"
    manifest.write_text("photo,subject,treatment,taken_at,treated_at\nS01/rf/a.jpg,S01,rf,2026-11-02T08:15,"
                        "2026-11-02 08.20\n")
    res = run_batch(study, tmp_path / "out", manifest=manifest, workers=1, progress=False, compare=False)
    (r,) = res.photo_rows
    assert r["role"] == "" and (
        "manifest m.csv row 2, column 'treated_at': treatment time '2026-11-02 08.20' has a decimal fraction"
        in r["excluded"]), r


def test_the_store_refuses_a_dotted_treatment_time(tmp_path):
    with Store(tmp_path / "s.db") as store, pytest.raises(StoreError, match="decimal fraction after the hours"):
        store.log_session("ann", "rf", "2026-11-02 08.20")


# ---------------------------------------------------------------- 2. treated_at without an offset, photos in two

def _entries(n: int, treated: str = "2026-11-02T08:00") -> list[PhotoEntry]:
    return [PhotoEntry(Path(f"S01/mc/p{i}.jpg"), f"S01/mc/p{i}.jpg", "S01", "mc", treated_at=treated) for i in range(n)]


def test_travel_reads_treated_at_in_the_before_photos_offset_and_warns():
    """The audit's folder B: photos 1 h apart read 0.5 h and 3.0 h after an 08:00 treatment."""
    times = ["2026-11-02T07:30:00+00:00", "2026-11-02T08:30:00+00:00", "2026-11-02T11:00:00+02:00"]
    entries = _entries(3)
    out, warned, notes = offset_free_treatment(entries, dict(enumerate(times)))
    assert {e.treated_at for e in out} == {"2026-11-02T08:00:00+00:00"}
    assert [hours_between(t, e.treated_at) for t, e in zip(times, out)] == [-0.5, 0.5, 1.0]
    assert hours_between(times[2], "2026-11-02T08:00") == 3.0  # the wall-clock reading (the defect)
    assert list(warned) == [2] and "read in +00:00" in warned[2] and "1.0 h after the treatment" in warned[2]
    assert "(as wall-clock times 3.0 h after)" in warned[2], warned[2]
    assert len(notes) == 1 and "+00:00, +02:00" in notes[0] and "p2.jpg" in notes[0]
    assert not any(e.note for e in out)


def test_a_clock_change_during_the_series_counts_48_hours_as_48():
    """The audit's DST variant: before photo +01:00, the last ones +00:00 after the clocks went back."""
    times = ["2026-10-23T07:30:00+01:00", "2026-10-24T08:00:00+01:00", "2026-10-25T07:00:00+00:00"]
    out, warned, _ = offset_free_treatment(_entries(3, "2026-10-23T08:00"), dict(enumerate(times)))
    assert [hours_between(t, e.treated_at) for t, e in zip(times, out)] == [-0.5, 24.0, 48.0]
    assert list(warned) == [2]


@pytest.mark.parametrize("times, why", [
    (["2026-11-02T07:30:00", "2026-11-02T08:30:00+00:00", "2026-11-02T11:00:00+02:00"], "no before photo carries one"),
    (["2026-11-02T07:30:00+00:00", "2026-11-02T07:40:00+02:00", "2026-11-02T11:00:00+02:00"],
     "its before photos carry +00:00, +02:00")])
def test_without_one_before_offset_the_photos_with_offsets_are_left_out(times, why):
    out, warned, notes = offset_free_treatment(_entries(3), dict(enumerate(times)))
    with_offset = [i for i, t in enumerate(times) if parse_time(t).tzinfo is not None]
    assert all(why in out[i].note and "give treated_at with its offset" in out[i].note for i in with_offset)
    assert all(out[i] is _entries(3)[i] or not out[i].note for i in range(3) if i not in with_offset)
    assert warned == {} and len(notes) == 1 and f"{len(with_offset)} photos left out" in notes[0]


@pytest.mark.parametrize("times, treated", [
    (["2026-11-02T07:30:00+02:00", "2026-11-02T11:00:00+02:00"], "2026-11-02T08:00"),  # one offset: wall clock is it
    (["2026-11-02T07:30:00+00:00", "2026-11-02T11:00:00+02:00"], "2026-11-02T08:00+00:00"),  # treated_at has one
    (["2026-11-02T07:30:00", "2026-11-02T11:00:00"], "2026-11-02T08:00")])  # no offsets at all
def test_nothing_changes_when_the_offsets_cannot_disagree(times, treated):
    entries = _entries(2, treated)
    out, warned, notes = offset_free_treatment(entries, dict(enumerate(times)))
    assert out == entries and all(a is b for a, b in zip(out, entries)) and warned == {} and notes == []


def test_then_an_offset_free_capture_time_is_read_as_before(tmp_path):
    """A capture time without an offset in such a session: offset_free_times then leaves it out (two offsets)."""
    times = ["2026-11-02T07:30:00+00:00", "2026-11-02T09:00:00", "2026-11-02T11:00:00+02:00"]
    out, _, _ = offset_free_treatment(_entries(3), dict(enumerate(times)))
    out, _, notes = offset_free_times(out, dict(enumerate(times)))
    assert "has no UTC offset while the session's other photos carry +00:00, +02:00" in out[1].note


def test_batch_counts_hours_in_absolute_time_across_travel(tmp_path):
    study = _session(tmp_path, "2026-11-02T08:00", {"a_pre.jpg": ("2026:11:02 07:30:00", "+00:00"),
                                                    "b_1h.jpg": ("2026:11:02 11:00:00", "+02:00"),
                                                    "c_24h.jpg": ("2026:11:03 10:00:00", "+02:00")})
    res = run_batch(study, tmp_path / "out", workers=1, progress=False, compare=False)
    rows = {r["photo"].split("/")[-1]: r for r in res.photo_rows}
    assert [rows[n]["hours_since_treatment"] for n in ("a_pre.jpg", "b_1h.jpg", "c_24h.jpg")] == [-0.5, 1.0, 24.0]
    assert {r["treated_at"] for r in rows.values()} == {"2026-11-02T08:00:00+00:00"}
    assert "treated_at is read in +00:00" in rows["b_1h.jpg"]["warnings"]
    assert "treated_at is read in" not in str(rows["a_pre.jpg"].get("warnings") or "")  # its own offset: no word
    assert any("treated_at has no UTC offset" in n for n in res.time_notes)


# ---------------------------------------------------------------- 3. a reset camera clock

def test_a_baseline_more_than_the_limit_before_is_never_the_before_photo():
    photos = [PairingPhoto("reset.jpg", ("s",), BASELINE, -235280.0), PairingPhoto("pre.jpg", ("s",), BASELINE, -0.5),
              PairingPhoto("p24.jpg", ("s",), POST, 24.0)]
    pairing = pair_photos(photos)
    assert [(p.photo, p.before, p.repeats) for p in pairing.pairs] == [("p24.jpg", "pre.jpg", ())]
    (name, reason), = pairing.too_early
    assert name == "reset.jpg" and reason.startswith("taken 26.8 years before the treatment (more than 30 days")


def test_a_baseline_a_week_before_is_kept():
    """An RF course's baseline visit a week before the treatment is a before photo."""
    assert too_early(-7 * 24.0) == "" and too_early(-MAX_DAYS_BEFORE_TREATMENT * 24.0) == ""
    assert too_early(-MAX_DAYS_BEFORE_TREATMENT * 24.0 - 1.0) != "" and too_early(None) == "" and too_early(5.0) == ""
    pairing = pair_photos([PairingPhoto("week.jpg", ("s",), BASELINE, -168.0), PairingPhoto("p.jpg", ("s",), POST, 1.0)])
    assert pairing.pairs[0].before == "week.jpg" and pairing.too_early == ()


def test_batch_leaves_a_reset_clock_photo_out_with_its_reason():
    """The audit's folder A: EXIF 2000:01:01 00:00:00 was the session's before photo at -235280 h."""
    measured = {"status": "ok", "error": ""}
    times = {"a_reset.jpg": "2000-01-01T00:00:00", "b_pre.jpg": "2026-11-03T07:30:00", "c_24h.jpg": "2026-11-04T08:00:00"}
    rows = [_table_row(PhotoEntry(Path(n), f"S01/rf/{n}", "S01", "rf", taken_at=t, treated_at="2026-11-03T08:00:00"),
                       dict(measured, sha256=n)) for n, t in times.items()]
    assert rows[0]["role"] == "" and rows[0]["excluded"].startswith("taken 26.8 years before the treatment")
    jobs = _comparison_jobs(rows)
    assert [(r["photo"], [b["photo"] for b in bs]) for r, bs in jobs] == [("S01/rf/c_24h.jpg", ["S01/rf/b_pre.jpg"])]
    assert [r["excluded"] for r in rows[1:]] == ["", ""]


def test_the_apps_default_roles_ignore_a_reset_clock_photo_and_name_it():
    """The app's roles: the earliest photo was 'before', every other an 'after' at +235280 h."""
    from datetime import datetime
    from types import SimpleNamespace

    from conftest import app_module

    app = app_module()

    def shot(name, taken):
        return SimpleNamespace(name=name, ok=True, photo=SimpleNamespace(taken_at=taken))

    photos = [shot("p24.jpg", datetime(2000, 1, 1)), shot("p0.jpg", datetime(2026, 11, 3, 7, 30)),
              shot("p1.jpg", datetime(2026, 11, 3, 9, 0))]
    roles = app.default_roles(photos, "rf").set_index("photo")
    assert list(roles["role"]) == ["ignore", "before", "after"]
    assert roles.loc["p1.jpg", "hours_since_treatment"] == 1.5
    assert roles.attrs["too_early"]["p24.jpg"].startswith("taken 26.8 years before the treatment")
    # two photos months apart stay a before/after pair (nothing else tells which one is wrong)
    assert list(app.default_roles(photos[:2], "rf")["role"]) == ["before", "after"]


# ---------------------------------------------------------------- 4. a camera clock set ahead

def test_a_post_photo_more_than_the_limit_after_is_not_compared():
    """A camera clock set to 2031: compared at +43825 h without a word (audit, 2026-12-04)."""
    photos = [PairingPhoto("pre.jpg", ("s",), BASELINE, -0.5), PairingPhoto("p24.jpg", ("s",), POST, 24.0),
              PairingPhoto("p2031.jpg", ("s",), POST, 43825.0)]
    pairing = pair_photos(photos)
    assert [(p.photo, p.before) for p in pairing.pairs] == [("p24.jpg", "pre.jpg")]
    (name, reason), = pairing.too_late
    assert name == "p2031.jpg" and reason.startswith("taken 5.0 years after the treatment (more than 365 days")
    assert pairing.too_early == ()


def test_a_post_photo_within_the_limit_is_kept():
    """A regimen's photos weeks after the first session (6 weeks in tests/test_regimen.py) stay compared."""
    assert too_late(42 * 24.0) == "" and too_late(MAX_DAYS_AFTER_TREATMENT * 24.0) == ""
    assert too_late(MAX_DAYS_AFTER_TREATMENT * 24.0 + 1.0) != "" and too_late(None) == "" and too_late(-1e6) == ""
    pairing = pair_photos([PairingPhoto("pre.jpg", ("s",), BASELINE, -0.5), PairingPhoto("d41.jpg", ("s",), POST, 41 * 24.0)])
    assert [p.photo for p in pairing.pairs] == ["d41.jpg"] and pairing.too_late == ()
    # a baseline photo is never too late (nor a post photo too early): each rule reads its own role
    assert pair_photos([PairingPhoto("pre.jpg", ("s",), BASELINE, -0.5),
                        PairingPhoto("x.jpg", ("s",), BASELINE, -1.0)]).too_late == ()


def test_batch_leaves_a_photo_dated_years_ahead_out_with_its_reason():
    measured = {"status": "ok", "error": ""}
    times = {"a_pre.jpg": "2026-11-03T07:30:00", "b_24h.jpg": "2026-11-04T08:00:00", "c_2031.jpg": "2031-11-03T09:00:00"}
    rows = [_table_row(PhotoEntry(Path(n), f"S01/rf/{n}", "S01", "rf", taken_at=t, treated_at="2026-11-03T08:00:00"),
                       dict(measured, sha256=n)) for n, t in times.items()]
    assert rows[2]["role"] == "" and rows[2]["excluded"].startswith("taken 5.0 years after the treatment")
    assert "correct its capture time with taken_at in a manifest" in rows[2]["excluded"]
    jobs = _comparison_jobs(rows)
    assert [(r["photo"], [b["photo"] for b in bs]) for r, bs in jobs] == [("S01/rf/b_24h.jpg", ["S01/rf/a_pre.jpg"])]
    assert [r["excluded"] for r in rows[:2]] == ["", ""]


def test_the_apps_default_roles_ignore_a_photo_dated_years_ahead_and_name_it():
    from datetime import datetime
    from types import SimpleNamespace

    from conftest import app_module

    app = app_module()

    def shot(name, taken, ok=True):
        return SimpleNamespace(name=name, ok=ok, photo=SimpleNamespace(taken_at=taken))

    photos = [shot("p0.jpg", datetime(2026, 11, 3, 7, 30)), shot("p1.jpg", datetime(2026, 11, 3, 9, 0)),
              shot("p2031.jpg", datetime(2031, 11, 3, 7, 30)), shot("bad2031.jpg", datetime(2031, 11, 3, 7, 30), ok=False)]
    roles = app.default_roles(photos, "rf").set_index("photo")
    assert roles.loc["p0.jpg", "role"] == "before" and roles.loc["p1.jpg", "role"] == "after"
    assert roles.loc["p2031.jpg", "role"] == "ignore"
    assert roles.attrs["too_early"]["p2031.jpg"].startswith("taken 5.0 years after the treatment")
    assert "bad2031.jpg" not in roles.attrs["too_early"]  # unusable anyway: no second message
    # two photos years apart stay a before/after pair (nothing else tells which one is wrong), as above
    assert list(app.default_roles(photos[::2], "rf")["role"]) == ["before", "after"]
