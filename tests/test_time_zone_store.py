"""Follow-ups of stop 61's ``--time-zone`` review in the study store and the command line (stop 62, h3): photos stored
already, given again with another zone, are "already there" (not refused as read in another zone); a follow-up photo
read in another zone than its session's is refused as `study import` refuses a treatment time; the photos a manifest
does not list have their times read in the zone in photos.csv too.  Flat synthetic photos, nothing measured (fast)."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

LONDON = "Europe/London"
NEW_YORK = "America/New_York"


def _png(level: int) -> bytes:
    """A flat 40x40 PNG without EXIF (its time: its file name's)."""
    buf = io.BytesIO()
    Image.fromarray(np.full((40, 40, 3), level, np.uint8)).save(buf, "PNG")
    return buf.getvalue()


def _study(tmp_path: Path) -> Path:
    """One subject, one session (08:00 on 2026-10-24, offset-free in treated_at.txt), a before and an after photo
    timed by their file names (offset-free)."""
    s = tmp_path / "study" / "ann" / "mc"
    s.mkdir(parents=True)
    (s / "treated_at.txt").write_text("2026-10-24T08:00")
    (s / "IMG_20261024_070000.png").write_bytes(_png(10))
    (s / "IMG_20261024_100000.png").write_bytes(_png(50))
    return tmp_path / "study"


def test_importing_stored_photos_again_with_another_zone_says_already_there(tmp_path, capsys):
    """Review (stop 61): the same import run again by mistake with another zone was refused (exit 2) as "read in
    another zone" before the duplicate check: every photo was in the store already.  Now they are "already there",
    exit 0 as an ordinary import again, and one line says the zone given was not used for that session."""
    from facemetrics.cli import main

    folder, store = _study(tmp_path), str(tmp_path / "store")
    assert main(["study", "import", str(folder), "--store", store, "--no-measure", "--time-zone", LONDON]) == 0
    capsys.readouterr()
    assert main(["study", "import", str(folder), "--store", store, "--no-measure", "--time-zone", NEW_YORK]) == 0
    captured = capsys.readouterr()
    out = captured.out
    assert "0 photo(s) imported, 2 already there, 0 not imported" in out, out
    assert "read in America/New_York is" not in out and "not imported -" not in out, out
    zone_lines = [ln for ln in out.splitlines() if ln.startswith("--time-zone America/New_York")]
    assert zone_lines == ["--time-zone America/New_York: not used for the photos in the store already of the 'mc' "
                          "session stored as treated at 2026-10-24T08:00:00+01:00 (read in another zone): they keep "
                          "their stored times"], out
    assert captured.err == ""


def test_a_new_photo_with_another_zone_is_still_refused_beside_stored_ones(tmp_path):
    """The duplicate check comes first, the zone refusal stays for a photo that would be stored: a new photo of the
    session given with another zone is refused (nothing written), a stored one given with it is a duplicate."""
    from facemetrics.store import SessionZoneError, Store

    with Store(tmp_path / "s") as store:
        store.add_photos("ann", [("IMG_20261024_070000.png", _png(10))], treatment="mc",
                         treated_at="2026-10-24T08:00", measure=False, time_zone=LONDON)
        (r,) = store.add_photos("ann", [("IMG_20261024_070000.png", _png(10))], treatment="mc",
                                treated_at="2026-10-24T08:00", measure=False, time_zone=NEW_YORK)
        assert r.status == "duplicate" and "not used for the photos in the store already" in r.note, (r.status, r.note)
        with pytest.raises(SessionZoneError, match="read in America/New_York is 2026-10-24T08:00:00-04:00"):
            store.add_photos("ann", [("IMG_20261024_070000.png", _png(10)), ("IMG_20261024_100000.png", _png(50))],
                             treatment="mc", treated_at="2026-10-24T08:00", measure=False, time_zone=NEW_YORK)
        assert len(store.photos("ann")) == 1


def test_a_follow_up_read_in_another_zone_than_its_session_is_refused(tmp_path, capsys):
    """Review (stop 61): `study add --follow-up --time-zone America/New_York` after a session stored with
    Europe/London read the follow-up's offset-free time 5 h later than the user's clock meant and stored it without a
    word (`study import` refuses a treatment time read so).  Now refused once per session, naming the photos, the
    session and the two readings, with the import's remedy; the session's zone, or none, adds it."""
    from facemetrics.cli import main

    store = str(tmp_path / "store")
    first = [tmp_path / "IMG_20261024_070000.png", tmp_path / "IMG_20261024_100000.png"]
    later = [tmp_path / "IMG_20261025_090000.png", tmp_path / "IMG_20261025_210000.png"]
    for k, p in enumerate(first + later):
        p.write_bytes(_png(10 + 20 * k))
    assert main(["study", "add", *map(str, first), "--subject", "ann", "--treatment", "mc", "--treated-at",
                 "2026-10-24T08:00", "--store", store, "--no-measure", "--time-zone", LONDON]) == 0
    capsys.readouterr()
    assert main(["study", "add", *map(str, later), "--subject", "ann", "--follow-up", "--store", store,
                 "--no-measure", "--time-zone", NEW_YORK]) == 2
    err = capsys.readouterr().err
    assert err == ("facemetrics study add: 2 follow-up photos (IMG_20261025_090000.png and 1 more) read in "
                   "America/New_York follow the session of 'mc' stored as treated at 2026-10-24T08:00:00+01:00, "
                   "whose wall-clock time America/New_York reads as 2026-10-24T08:00:00-04:00 (the session was "
                   "stored in another zone, or given with its offset): give the time zone it was stored in "
                   "(--time-zone), or none\n"), err
    from facemetrics.store import Store

    with Store(store) as s:
        assert len(s.photos("ann")) == 2  # nothing written
    for zone in ([], ["--time-zone", LONDON]):  # none, or the session's zone: added
        assert main(["study", "add", *map(str, later), "--subject", "ann", "--follow-up", "--store", store,
                     "--no-measure", *zone]) == 0
    with Store(store) as s:
        assert len(s.photos("ann")) == 4


def test_a_follow_up_with_its_own_offset_is_not_refused(tmp_path):
    """The zone reads no time of a photo whose time carries its own UTC offset (a camera's): nothing to refuse; and a
    follow-up of a session stored without an offset (no zone then) is as before."""
    from facemetrics.store import Store

    with Store(tmp_path / "s") as store:
        store.add_photos("ann", [("IMG_20261024_070000.png", _png(10))], treatment="mc",
                         treated_at="2026-10-24T08:00", measure=False, time_zone=LONDON)
        store.add_photos("bob", [("IMG_20261024_070000.png", _png(10))], treatment="mc",
                         treated_at="2026-10-24T08:00", measure=False)
        (a,) = store.add_photos("ann", [("later.png", _png(90))], follow_up=True, measure=False,
                                taken_at="2026-10-25T09:00:00+01:00", time_zone=NEW_YORK)
        (b,) = store.add_photos("bob", [("IMG_20261025_090000.png", _png(90))], follow_up=True, measure=False,
                                time_zone=NEW_YORK)
    assert (a.status, a.role, a.taken_at) == ("added", "post", "2026-10-25T09:00:00+01:00"), a
    assert (b.status, b.role, b.taken_at) == ("added", "post", "2026-10-25T09:00:00-04:00"), b


def test_a_photo_the_manifest_does_not_list_shows_its_time_read_in_the_zone(tmp_path):
    """Review (stop 61): photos.csv showed a photo the manifest does not list (left out: "not in manifest") with its
    time as written, beside the listed photos' read in the zone: two conventions in one column.  Now read in it too."""
    import pandas as pd

    from facemetrics.batch import run_batch

    folder = tmp_path / "f"
    folder.mkdir()
    (folder / "IMG_20261024_070000.png").write_bytes(_png(10))
    (folder / "IMG_20261024_100000.png").write_bytes(_png(50))
    (folder / "manifest.csv").write_text("photo,subject,treatment,taken_at,treated_at\n"
                                         "IMG_20261024_070000.png,ann,mc,,2026-10-24T08:00\n")
    res = run_batch(folder, tmp_path / "out", manifest=folder / "manifest.csv", workers=1, progress=False,
                    compare=False, time_zone=LONDON)
    rows = pd.read_csv(tmp_path / "out" / "photos.csv", dtype=str, keep_default_na=False).set_index("photo")
    assert rows["taken_at"].to_dict() == {"IMG_20261024_070000.png": "2026-10-24T07:00:00+01:00",
                                          "IMG_20261024_100000.png": "2026-10-24T10:00:00+01:00"}
    assert "not in manifest" in rows.loc["IMG_20261024_100000.png", "excluded"]
    # the console's count is of the photos the batch uses, as before
    assert res.time_notes[0].startswith("time zone Europe/London (--time-zone): 1 treatment time and 1 capture time "
                                        "without a UTC offset read in it"), res.time_notes


def test_times_with_an_offset_the_zone_does_not_give_are_said():
    """Review (stop 62): `study report --time-zone America/New_York` on photos stored with Europe/London (+01:00) and
    a follow-up stored without a zone read the follow-up in New York, 5 h off the others, and said only "1 capture
    time ... read in it".  Now one line says how many times carry an offset the zone does not give, and which."""
    from facemetrics.batch.discover import PhotoEntry, times_in_zone
    from facemetrics.timekeys import read_time_zone

    entries = [PhotoEntry(Path(), "a.png", "ann", "mc", taken_at="2026-10-24T07:00:00+01:00",
                          treated_at="2026-10-24T08:00:00+01:00"),
               PhotoEntry(Path(), "b.png", "ann", "mc", taken_at="2026-10-24T12:00:00",
                          treated_at="2026-10-24T08:00:00+01:00"),
               PhotoEntry(Path(), "c.png", "ann", "mc", taken_at="2026-10-24T13:00:00Z",  # an instant: not counted
                          treated_at="2026-10-24T08:00:00+01:00")]
    out, notes = times_in_zone(entries, {}, read_time_zone(NEW_YORK))
    assert out[1].taken_at == "2026-10-24T12:00:00-04:00"
    assert notes[1:] == ["time zone America/New_York (--time-zone): 2 times carry a UTC offset it does not give at "
                         "their date (+01:00: a camera's, or one stored with another --time-zone), kept as they are, "
                         "so the times without an offset read in America/New_York may be hours off them: give the "
                         "zone those times were in"], notes
    same, notes = times_in_zone(entries, {}, read_time_zone(LONDON))  # the zone they carry: nothing more said
    assert len(notes) == 1, notes


def test_study_add_says_a_treatment_time_with_an_offset_the_zone_does_not_give(tmp_path):
    """Review (stop 62): `study add --treated-at 2026-10-24T08:00+01:00 --time-zone America/New_York` kept the
    offset given and read the photo's offset-free 07:00 in New York (12:00 in London): an after photo, without a
    word.  Now the add's note says so."""
    from facemetrics.store import Store

    with Store(tmp_path / "s") as store:
        (r,) = store.add_photos("ann", [("IMG_20261024_070000.png", _png(10))], treatment="mc",
                                treated_at="2026-10-24T08:00+01:00", measure=False, time_zone=NEW_YORK)
        (same,) = store.add_photos("bob", [("IMG_20261024_070000.png", _png(10))], treatment="mc",
                                   treated_at="2026-10-24T08:00+01:00", measure=False, time_zone=LONDON)
    assert (r.status, r.taken_at) == ("added", "2026-10-24T07:00:00-04:00")
    assert r.note == ("treatment time 2026-10-24T08:00:00+01:00 carries a UTC offset America/New_York does not give "
                      "at its date (it gives -04:00): kept as given, so the photos' times without an offset, read in "
                      "America/New_York, may be hours off it: give the zone the treatment time was in, or the "
                      "treatment time without its offset"), r.note
    assert same.note == "" and same.role == "baseline"
