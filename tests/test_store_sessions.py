"""The study store's sessions and names (facemetrics.store): one instant is one session, timed
from one treatment time; subject and treatment names match ignoring case and surrounding
spaces; a store written before these rules (two rows for one session or one subject) still
opens and reports one session.  Synthetic photos except the one end-to-end report."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import pytest

from facemetrics.batch import hours_between
from facemetrics.store import Store, StoreError
from test_store import photo_bytes


def _hours(store: Store, subject: str) -> list[float]:
    _, m = store.manifest(subject)
    return [hours_between(t, s) for t, s in zip(m["taken_at"], m["treated_at"])]


def test_one_instant_is_one_session_timed_from_one_time(tmp_path):
    """``07:00Z`` and ``08:00+01:00`` were two sessions (merged by the report), and a photo
    without an offset was timed 07:30 - 07:00 = +0.5 h in one and 07:30 - 08:00 = -0.5 h in the
    other: a post photo and a baseline photo of one treatment at one moment."""
    store = Store(tmp_path)
    (a,) = store.add_photos("ann", [("a.jpg", photo_bytes(1, "2026:03:01 07:30:00"))], treatment="rf",
                            treated_at="2026-03-01T07:00Z", measure=False)
    (b,) = store.add_photos("ann", [("b.jpg", photo_bytes(2, "2026:03:01 07:30:00"))], treatment="rf",
                            treated_at="2026-03-01T08:00+01:00", measure=False)
    assert a.session_id == b.session_id and len(store.sessions("ann")) == 1
    assert (a.role, b.role) == ("post", "post")
    assert a.note == "" and "2026-03-01T07:00:00+00:00" in b.note
    _, m = store.manifest("ann")
    assert m["treated_at"].tolist() == ["2026-03-01T07:00:00+00:00"] * 2
    assert _hours(store, "ann") == [0.5, 0.5]
    for same in ("2026-03-01T07:00:00+00:00", "2026-03-01 08:00:00+01:00", datetime.fromisoformat("2026-03-01T07:00Z")):
        assert store.log_session("ann", "rf", same) == a.session_id  # idempotent on the instant
    assert store.log_session("ann", "rf", "2026-03-01T08:00Z") != a.session_id  # another instant


def test_a_time_without_offset_joins_by_wall_clock_unless_ambiguous(tmp_path):
    store = Store(tmp_path)
    (p,) = store.add_photos("ann", [("p.jpg", photo_bytes(3, "2026:03:01 07:30:00"))], treatment="rf",
                            treated_at="2026-03-01T08:00", measure=False)
    assert p.role == "baseline"
    # the same wall-clock time with an offset: the same session, which now has the offset
    assert store.log_session("ann", "rf", "2026-03-01T08:00+01:00") == p.session_id
    s = store.sessions("ann")
    assert s["treated_at"].tolist() == ["2026-03-01T08:00:00+01:00"]
    assert store.photos("ann")["role"].tolist() == ["baseline"]
    assert store.log_session("ann", "rf", "2026-03-01T08:00") == p.session_id
    # a second instant at 08:00 wall-clock time: a time without an offset can no longer be told
    other = store.log_session("ann", "rf", "2026-03-01T08:00Z")
    assert other != p.session_id
    with pytest.raises(StoreError, match="cannot be told"):
        store.log_session("ann", "rf", "2026-03-01T08:00")
    with pytest.raises(StoreError, match="cannot be told"):
        store.add_photos("ann", [("q.jpg", photo_bytes(4, "2026:03:01 09:00:00"))], treatment="rf",
                         treated_at="2026-03-01T08:00", measure=False)
    assert len(store.photos("ann")) == 1


def test_names_match_ignoring_case_and_spaces_first_spelling_kept(tmp_path):
    """``Anna``/``anna`` were two subjects and ``RF``/``rf`` two sessions of one treatment."""
    store = Store(tmp_path)
    (a,) = store.add_photos("Anna", [("a.jpg", photo_bytes(5, "2026:03:01 07:30:00"))], treatment="RF",
                            treated_at="2026-03-01T08:00", measure=False)
    (b,) = store.add_photos(" anna ", [("b.jpg", photo_bytes(6, "2026:03:01 09:00:00"))], treatment="rf ",
                            treated_at="2026-03-01T08:00", measure=False)
    assert a.session_id == b.session_id and (a.role, b.role) == ("baseline", "post")
    assert "'anna' is the stored 'Anna'" in b.note and "'rf' is the stored 'RF'" in b.note
    assert store.subjects()["name"].tolist() == ["Anna"]
    assert store.subject_id("ANNA") == store.subject_id("Anna")
    photos = store.photos("aNNa")
    assert len(photos) == 2 and set(photos["subject"]) == {"Anna"} and set(photos["treatment"]) == {"RF"}
    assert store.delete_subject("anna")["photos"] == 2
    assert store.subjects().empty


def _legacy_store(tmp_path) -> Store:
    """A store as the code before 2026-12-02 wrote it: one session as two rows (the same instant
    written with two offsets, and the treatment with two spellings) and one subject as two rows."""
    store = Store(tmp_path)
    store.add_photos("Anna", [("pre.jpg", photo_bytes(7, "2026:03:01 07:30:00"))], treatment="RF",
                     treated_at="2026-03-01T07:00:00+00:00", measure=False)
    with store.transaction() as con:
        con.execute("INSERT INTO subjects (name, created_at) VALUES ('anna', '2026-03-02T00:00:00+00:00')")
        sid2 = con.execute("SELECT id FROM subjects WHERE name = 'anna'").fetchone()[0]
        con.execute("INSERT INTO sessions (subject_id, treatment, treated_at, created_at) VALUES "
                    "(?, 'rf', '2026-03-01T08:00:00+01:00', '2026-03-02T00:00:00+00:00')", (sid2,))
    return store


def test_an_older_store_with_two_rows_for_one_session_opens_and_reports_one(tmp_path):
    store = _legacy_store(tmp_path)
    with store.transaction() as con:
        sid2, se2 = con.execute("SELECT subject_id, id FROM sessions WHERE treatment = 'rf'").fetchone()
    store.add_photos("x", [("post.jpg", photo_bytes(8, "2026:03:01 09:00:00"))], measure=False)
    with store.transaction() as con:  # the post photo in the second row (moved there as the old code filed it)
        con.execute("UPDATE photos SET subject_id = ?, session_id = ?, role = 'post' WHERE original_name = "
                    "'post.jpg'", (sid2, se2))
        con.execute("DELETE FROM subjects WHERE name = 'x'")
    store.close()
    store = Store(tmp_path)
    assert store.check() == []
    _, m = store.manifest()
    assert m["subject"].tolist() == ["Anna", "Anna"] and m["treatment"].tolist() == ["RF", "RF"]
    assert m["treated_at"].tolist() == ["2026-03-01T07:00:00+00:00"] * 2
    assert _hours(store, "anna") == [0.5, 2.0]  # the post photo was timed from 08:00+01:00: 1.0 h
    # new records join the first row
    assert store.log_session("ANNA", "Rf", "2026-03-01T08:00+01:00") == store.log_session("Anna", "RF",
                                                                                         "2026-03-01T07:00Z")


def test_report_times_every_photo_of_an_older_two_row_session_from_one_time(tmp_path, sample_path):
    """End to end on simulated photos: the report of a store holding one session as two rows
    (the baseline in ``08:00+00:00``, the post photos in ``09:00+01:00``, the same instant)
    timed the post photos 0 h and 5 h after the treatment (wall clock 09:00 against their row's
    09:00) instead of 1 h and 6 h."""
    from facemetrics.study import study

    design = {"mc": dict(peak_mm=2.0, half_life_h=3.0, lasting_mm=0.0, times_h=[-0.25, 1.0, 6.0])}
    info = study(sample_path, tmp_path / "sim", subjects=1, design=design, max_side=480, seed=0,
                 start=datetime(2026, 11, 2, 8, 0, 0))
    photos = sorted((info.folder / "S01" / "mc").glob("*.jpg"))
    store = Store(tmp_path / "store")
    pre = [p for p in photos if "m0p25h" in p.name]
    post = [p for p in photos if p not in pre]
    store.add_photos("me", pre, treatment="mc", treated_at="2026-11-02T08:00:00+00:00")
    with store.transaction() as con:
        sid = con.execute("SELECT id FROM subjects").fetchone()[0]
        con.execute("INSERT INTO sessions (subject_id, treatment, treated_at, created_at) VALUES "
                    "(?, 'mc', '2026-11-02T09:00:00+01:00', '2026-11-02T00:00:00+00:00')", (sid,))
        se2 = con.execute("SELECT MAX(id) FROM sessions").fetchone()[0]
    store.add_photos("me", post)
    with store.transaction() as con:
        con.execute(f"UPDATE photos SET session_id = ?, role = 'post' WHERE original_name IN "
                    f"({', '.join('?' * len(post))})", (se2, *[p.name for p in post]))
    res, _ = store.report(tmp_path / "out", "me", n_boot=50)
    ch = pd.read_csv(tmp_path / "out" / "changes.csv")
    assert sorted(ch["hours_since_treatment"].round(3)) == [1.0, 6.0]
    assert (res.photos["excluded"] == "").all()


def test_report_refuses_bad_workers_before_any_work(tmp_path):
    from facemetrics.errors import SettingError

    store = Store(tmp_path / "store")
    store.add_photos("ann", [("a.jpg", photo_bytes(9))], treatment="rf", treated_at="2026-11-02T08:00", measure=False)
    for bad in (0, -1, 1.5):
        with pytest.raises(SettingError, match="workers"):
            store.report(tmp_path / "out", workers=bad)
    assert not (tmp_path / "out").exists()
    with pytest.raises(SettingError, match="mm_per_px"):
        store.analysis(int(store.photos()["id"][0]), mm_per_px=-1)
    assert store.con.execute("SELECT COUNT(*) FROM analyses").fetchone()[0] == 0


NFC, NFD = "Zo\u00eb", "Zoe\u0308"  # "Zoë" as one character (most keyboards) and as e + a combining diaeresis (macOS)


def test_a_name_in_two_unicode_spellings_is_one_subject_stored_composed(tmp_path):
    """An audit (2026-12-04): ``study add --subject Zoë`` (composed) then ``study import`` of a folder named
    ``Zoë`` decomposed made two identical-looking subjects, the imported photos without a baseline.  Names
    now match in Unicode's canonical form and are stored composed (NFC); the two look the same, so no
    'is the stored' note is given."""
    from facemetrics.batch import name_key
    from facemetrics.batch.discover import name_text

    assert NFC != NFD and name_key(NFC) == name_key(NFD) == name_key(" ZOE\u0308 ") and name_text(NFD) == NFC
    store = Store(tmp_path)
    (a,) = store.add_photos(NFC, [("a.jpg", photo_bytes(11, "2026:03:01 07:30:00"))], treatment="r\u00e9f",
                            treated_at="2026-03-01T08:00", measure=False)
    (b,) = store.add_photos(NFD, [("b.jpg", photo_bytes(12, "2026:03:01 09:00:00"))], treatment="re\u0301f",
                            treated_at="2026-03-01T08:00", measure=False)
    assert a.session_id == b.session_id and (a.role, b.role) == ("baseline", "post") and b.note == ""
    assert store.subjects()["name"].tolist() == [NFC] and store.subject_id(NFD) == store.subject_id(NFC)
    assert set(store.photos(NFD)["subject"]) == {NFC} and set(store.photos()["treatment"]) == {"r\u00e9f"}
    # a name given decomposed first is stored composed, and so is its treatment
    other = Store(tmp_path / "other")
    other.add_photos(NFD, [("a.jpg", photo_bytes(13, "2026:03:01 07:30:00"))], treatment="re\u0301f",
                     treated_at="2026-03-01T08:00", measure=False)
    assert other.con.execute("SELECT name FROM subjects").fetchall()[0][0] == NFC
    assert other.con.execute("SELECT treatment FROM sessions").fetchall()[0][0] == "r\u00e9f"


def test_an_older_store_with_a_name_in_two_unicode_spellings_lists_and_reports_one_subject(tmp_path):
    """A store the code before 2026-12-04 wrote (the audit's: ``Zoë`` composed with the baseline photo,
    ``Zoë`` decomposed with the post photo, each with its session): one subject, one session."""
    store = Store(tmp_path)
    store.add_photos(NFC, [("pre.jpg", photo_bytes(14, "2026:03:01 07:30:00"))], treatment="rf",
                     treated_at="2026-03-01T08:00", measure=False)
    with store.transaction() as con:
        con.execute("INSERT INTO subjects (name, created_at) VALUES (?, '2026-03-02T00:00:00+00:00')", (NFD,))
        sid2 = con.execute("SELECT id FROM subjects WHERE name = ?", (NFD,)).fetchone()[0]
        con.execute("INSERT INTO sessions (subject_id, treatment, treated_at, created_at) VALUES "
                    "(?, 'rf', '2026-03-01T08:00:00', '2026-03-02T00:00:00+00:00')", (sid2,))
    (post,) = store.add_photos(NFD, [("post.jpg", photo_bytes(15, "2026:03:01 09:00:00"))], treatment="rf",
                               treated_at="2026-03-01T08:00", measure=False)
    assert post.role == "post" and post.note == ""
    subjects = store.subjects()
    assert subjects["name"].tolist() == [NFC] and subjects["n_photos"].tolist() == [2]
    assert set(store.sessions()["subject"]) == {NFC}
    _, m = store.manifest()
    assert m["subject"].tolist() == [NFC, NFC] and len(set(m["treated_at"])) == 1


def _batch_roles(store: Store, subject: str) -> dict[str, str]:
    """The roles the batch gives the store's photos (its manifest, as :meth:`Store.report` runs it): the
    treatment time read by ``batch.discover.offset_free_treatment``, a photo before it ``baseline``."""
    from pathlib import Path

    from facemetrics.batch.discover import PhotoEntry, offset_free_treatment

    _, m = store.manifest(subject)
    entries = [PhotoEntry(path=Path(p), photo=p, subject=s, treatment=t, taken_at=a, treated_at=b)
               for p, s, t, a, b in zip(m["photo"], m["subject"], m["treatment"], m["taken_at"], m["treated_at"])]
    read, _, _ = offset_free_treatment(entries, {})
    return {e.photo: "baseline" if hours_between(e.taken_at, e.treated_at) < 0 else "post" for e in read}


def test_the_store_reads_an_offset_free_treatment_time_as_the_batch_does(tmp_path):
    """An audit (2026-12-04): a treatment at 08:00 (no UTC offset) with a before photo at 07:50+01:00 and a
    photo at 08:30+02:00 (06:30 UTC, half an hour before the treatment read in the before photo's offset):
    the batch (hence the store's report) reads the treatment time at 07:00 UTC and the photo as a before
    photo, while the store compared the times on the wall clock and listed it ``post``, and attached a
    follow-up photo of 08:15+02:00 to the session.  The store now uses the batch's rule: its listing agrees
    with its report, whichever photo is added first."""
    store = Store(tmp_path / "a")
    session = dict(treatment="rf", treated_at="2026-03-29T08:00", measure=False, taken_at_wins=True)
    (b,) = store.add_photos("ann", [("b.jpg", photo_bytes(1))], taken_at="2026-03-29T07:50+01:00", **session)
    (p,) = store.add_photos("ann", [("p.jpg", photo_bytes(2))], taken_at="2026-03-29T08:30+02:00", **session)
    assert (b.role, p.role) == ("baseline", "baseline")
    listed = dict(zip(store.photos("ann")["original_name"], store.photos("ann")["role"]))
    assert listed == {"b.jpg": "baseline", "p.jpg": "baseline"} == _batch_roles(store, "ann")
    (f,) = store.add_photos("ann", [("f.jpg", photo_bytes(3))], follow_up=True, taken_at="2026-03-29T08:15+02:00",
                            taken_at_wins=True, measure=False)
    assert f.status == "error" and "no treatment session at or before" in f.message, f
    (g,) = store.add_photos("ann", [("g.jpg", photo_bytes(4))], follow_up=True, taken_at="2026-03-29T09:15+02:00",
                            taken_at_wins=True, measure=False)
    assert g.status == "added" and g.session_id == b.session_id and g.role == "post"  # 07:15 UTC

    # the other order: the photo in +02:00 alone is timed on the wall clock (one offset: the same reading);
    # the before photo in +01:00 then sets how the time is read, and the earlier photo's role follows
    other = Store(tmp_path / "b")
    (p,) = other.add_photos("ann", [("p.jpg", photo_bytes(2))], taken_at="2026-03-29T08:30+02:00", **session)
    assert p.role == "post"
    added = other.add_photos("ann", [("b.jpg", photo_bytes(1)), ("q.jpg", photo_bytes(5))], **session,
                             taken_at="2026-03-29T07:50+01:00")
    assert [r.role for r in added] == ["baseline", "baseline"]
    listed = dict(zip(other.photos("ann")["original_name"], other.photos("ann")["role"]))
    assert listed == {"b.jpg": "baseline", "p.jpg": "baseline", "q.jpg": "baseline"} == _batch_roles(other, "ann")
    # a store written before the rule holds the wall-clock roles: listed as the report gives them
    with other.transaction() as con:
        con.execute("UPDATE photos SET role = 'post' WHERE original_name = 'p.jpg'")
    listed = dict(zip(other.photos("ann")["original_name"], other.photos("ann")["role"]))
    assert listed["p.jpg"] == "baseline" == _batch_roles(other, "ann")["p.jpg"]
