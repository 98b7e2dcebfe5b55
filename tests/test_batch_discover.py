"""`batch`'s own photos.csv, copied and filled in, reads as its manifest: the remedy `batch` prints for photos
without a capture time (a first-time user's session, 2026-12-05; facemetrics.batch.console.no_capture_time_lines)."""

from __future__ import annotations

import os

import pandas as pd
import pytest
from PIL import Image

from facemetrics.batch import discover
from facemetrics.cli import main


def test_a_copy_of_photos_csv_with_a_taken_at_filled_in_reads_as_the_manifest(tmp_path, capsys):
    session = tmp_path / "study" / "me" / "rf"
    session.mkdir(parents=True)
    (session / "treated_at.txt").write_text("2026-12-01 08:00\n")
    for name in ("IMG-20261202-WA0003.jpg", "Screenshot 2026-12-02 Zoë.png"):  # too small to measure: fast
        Image.new("RGB", (8, 8)).save(session / name)
    assert main(["batch", str(tmp_path / "study"), "-o", str(tmp_path / "out")]) == 1  # nothing compared
    capsys.readouterr()
    photos = pd.read_csv(tmp_path / "out" / "photos.csv")
    assert photos["taken_at"].isna().all() and len(photos.columns) > 20, photos.columns  # the whole table
    photos["taken_at"] = photos["taken_at"].astype(object)  # all empty: read as numbers
    photos.loc[photos["photo"].str.contains("WA0003"), "taken_at"] = "2026-12-02T09:30+01:00"
    photos.to_csv(tmp_path / "out" / "photos_fixed.csv", index=False)
    entries = {e.photo: e for e in discover(tmp_path / "study", tmp_path / "out" / "photos_fixed.csv")}
    assert set(entries) == {"me/rf/IMG-20261202-WA0003.jpg", "me/rf/Screenshot 2026-12-02 Zoë.png"}, entries
    wa = entries["me/rf/IMG-20261202-WA0003.jpg"]
    assert (wa.subject, wa.treatment, wa.taken_at) == ("me", "rf", "2026-12-02T09:30+01:00"), wa
    assert wa.treated_at.startswith("2026-12-01T08:00"), wa
    assert not entries["me/rf/Screenshot 2026-12-02 Zoë.png"].taken_at
    # the run with it goes through and no longer names the photo given a time (it is not measured here)
    assert main(["batch", str(tmp_path / "study"), "-o", str(tmp_path / "out"), "--manifest",
                 str(tmp_path / "out" / "photos_fixed.csv")]) == 1  # nothing compared
    out = capsys.readouterr().out
    assert "WA0003" not in out.split("not read")[-1] and "photos_fixed.csv" not in out, out


def test_a_treated_at_txt_that_does_not_parse_names_the_file_and_the_forms_read(tmp_path):
    """A first-time user's session (2026-12-05): treated_at.txt holding ``2026-12-01 8:00 am``, ``01/12/2026
    08:00`` or ``08:00 CET`` left the photos out with "treatment time '...' is not ISO 8601 (e.g.
    2026-11-02T08:00)", naming neither the file nor the forms read.  Now the file's folder, the text and
    the accepted forms; the photos are still left out (nothing is guessed).  A date alone keeps its own
    reason (no time of day), given with the photo's row."""
    from facemetrics.batch.tables import _table_row
    from facemetrics.timekeys import ACCEPTED_TIME_FORMS

    # the time each form would be is named since round 3 (2026-12-05): timekeys.time_meant, nothing accepted
    meant = {"2026-12-01 13:00 pm": "(if 13:00 was meant: 2026-12-01T13:00)",  # 8:00 am is read since stop 46
             "01/12/2026 08:00": "(if 1 December 2026, 08:00 was meant: 2026-12-01T08:00; if 12 January 2026, "
                                 "08:00: 2026-01-12T08:00)"}
    for i, text in enumerate(("2026-12-01 13:00 pm", "01/12/2026 08:00", "2026-12-01 08:00 CET")):
        d = tmp_path / f"s{i}" / "me" / "rf"
        d.mkdir(parents=True)
        (d / "pre.jpg").write_bytes(b"x")
        (d / "treated_at.txt").write_text(text + "\n")
        (e,) = discover(tmp_path / f"s{i}")
        assert e.treated_at == "" and e.note.startswith(f"treated_at.txt in me/rf: treatment time {text!r} is not a "
                                                        "time facemetrics reads"), e.note
        assert e.note.endswith(ACCEPTED_TIME_FORMS + (" (24-hour time, the date as year-month-day, a UTC offset "
                                                      "rather than a zone name such as CET)"
                                                      if text not in meant else "")), e.note
        assert meant.get(text, "(if ") in e.note if text in meant else "(if " not in e.note, e.note
        row = _table_row(e, {"status": "ok", "taken_at": "2026-12-01T07:00"})
        assert row["role"] == "" and row["excluded"] == e.note, row  # left out, one reason, not two
    (d / "treated_at.txt").write_text("2026-12-01\n")
    (e,) = discover(tmp_path / "s2")
    assert (e.treated_at, e.note) == ("2026-12-01", "")
    assert "has no time of day" in _table_row(e, {"status": "ok", "taken_at": "2026-12-01T07:00"})["excluded"]


def test_a_png_facemetrics_wrote_is_never_a_photo_to_measure(tmp_path, capsys):
    """A first-time user's session (2026-12-05): `analyze DIR -o DIR/out/photos.csv --overlays DIR/out/overlays`
    run twice measured its own overlays the second time (4 rows for 2 photos; the overlays of overlays the
    third).  The folder search (`analyze`, `batch`) now passes over a PNG carrying facemetrics' mark and
    names it; the user's own PNG, and a PNG given directly, are still read."""
    import numpy as np

    from facemetrics.batch.discover import find_study_photos, skipped_note
    from facemetrics.export import write_png

    (tmp_path / "out" / "overlays").mkdir(parents=True)
    Image.new("RGB", (8, 8)).save(tmp_path / "mine.png")
    write_png(np.zeros((8, 8, 3), np.uint8), tmp_path / "out" / "overlays" / "mine.png_overlay.png")
    assert find_study_photos(tmp_path) == [tmp_path / "mine.png"]
    assert skipped_note([tmp_path]) == ("; 1 PNG that facemetrics wrote not read "
                                        "(out/overlays/mine.png_overlay.png)")
    # an 8x8 PNG is too small to measure: nothing measured, exit status 1 (stop 54), the table written all the same
    assert main(["analyze", str(tmp_path), "-o", str(tmp_path / "out" / "photos.csv")]) == 1
    assert main(["analyze", str(tmp_path), "-o", str(tmp_path / "out" / "photos.csv")]) == 1
    assert list(pd.read_csv(tmp_path / "out" / "photos.csv")["photo"]) == ["mine.png"]
    assert "1 PNG that facemetrics wrote not read (out/overlays/mine.png_overlay.png)" in capsys.readouterr().out
    assert main(["analyze", str(tmp_path / "out" / "overlays" / "mine.png_overlay.png"), "-o",
                 str(tmp_path / "direct.csv")]) == 1  # given by name: read (too small here, still its row)
    assert len(pd.read_csv(tmp_path / "direct.csv")) == 1


def _tiny(path) -> None:
    """An 8 x 8 PNG at ``path``, its colour from its name (files of other names differ): too small to measure
    (no MediaPipe needed), but a file with a row."""
    import zlib

    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (8, 8), tuple(zlib.crc32(path.name.encode()).to_bytes(4, "big")[:3])).save(path)


def test_batch_names_what_a_partial_manifest_leaves_out_and_what_to_do(tmp_path, capsys):
    """Round 2 of a first-time user's session (2026-12-05): a manifest listing some photos of the folder (one
    listed but missing, one time that is no time) left the photos it did not list out without a word on the
    console ("not in manifest" in photos.csv alone, the rule that a manifest lists every photo nowhere), the
    row whose photo is missing was named only in photos.csv, and the bad time was "capture time '2026-12-02
    9am' is not ISO 8601" without the manifest's row.  Each is now one console line naming the manifest, the
    photos or rows, and what to do; photos.csv's reasons name the manifest too."""
    study = tmp_path / "study"
    for name in ("a.png", "b.png", "c.png", "sub/d.png"):
        _tiny(study / "me" / "rf" / name)
    (study / "me" / "rf" / "treated_at.txt").write_text("2026-12-01T08:00\n")  # not read with a manifest
    manifest = tmp_path / "partial.csv"
    manifest.write_text("photo,subject,treatment,taken_at,treated_at\n"
                        "me/rf/a.png,me,rf,2026-12-01T07:50,2026-12-01T08:00\n"
                        "me/rf/b.png,me,rf,2026-12-02 13:00 PM,2026-12-01T08:00\n"
                        "me/rf/after_3h.png,me,rf,2026-12-01T11:00,2026-12-01T08:00\n")
    assert main(["batch", str(study), "-o", str(tmp_path / "out"), "--manifest", str(manifest)]) == 1  # nothing compared
    lines = capsys.readouterr().out.splitlines()
    (unlisted,) = [x for x in lines if "are not in" in x and "partial.csv" in x]
    assert unlisted == (f"2 photos of the folder are not in {manifest}, so they are not used: me/rf/c.png, "
                        "me/rf/sub/d.png. A manifest lists every photo it uses (the folders' treated_at.txt are not "
                        "read with one): add a row for each (photo, subject, treatment, taken_at, treated_at), or "
                        "leave --manifest out to use the folders."), lines
    assert (f"1 row of {manifest} names a photo that is not in the folder: row 4 (me/rf/after_3h.png). Correct its "
            "photo path (relative to the study folder, as photos.csv writes it) or remove the row.") in lines, lines
    (times,) = [x for x in lines if "cannot be read, so its photo" in x]
    assert times.startswith(f"1 time in {manifest} cannot be read, so its photo is not used: row 3 (me/rf/b.png), "
                            "column 'taken_at': '2026-12-02 13:00 PM' (if 13:00 was meant: 2026-12-02T13:00). Write it "
                            "as 2026-11-02T08:20 or "), times
    # no photo is named twice: the photos the manifest leaves out are not among "no capture time"
    assert not [x for x in lines if "have no capture time" in x and "c.png" in x], lines
    excluded = pd.read_csv(tmp_path / "out" / "photos.csv").set_index("photo")["excluded"]
    assert excluded["me/rf/c.png"].endswith("; not in manifest partial.csv: add a row for it (a manifest lists "
                                            "every photo it uses)"), excluded["me/rf/c.png"]
    assert excluded["me/rf/after_3h.png"].endswith(f"listed in manifest partial.csv row 4 but not found in {study}: "
                                                   f"correct its path (relative to {study}) or remove the row")
    # the bad time once, with its row and the forms read ("is not ISO 8601" no more beside it)
    assert excluded["me/rf/b.png"].split("); ", 1)[1] == (
        "manifest partial.csv row 3, column 'taken_at': capture time '2026-12-02 13:00 PM' is not a time facemetrics "
        "reads, as it has the hour 13 with PM, and the 12-hour clock's hours run from 1 to 12 (13:00 is already on "
        "the 24-hour clock): write it on the 24-hour clock with colons (if 13:00 was meant: 2026-12-02T13:00), one of 2026-11-02T08:20 or 2026-11-02 08:20 (seconds optional: "
        "08:20:30, a fraction of a second after them: 08:20:30.5), with an optional UTC offset (Z, +01:00), or EXIF "
        "2026:11:02 08:20:30"), excluded["me/rf/b.png"]
    # a full manifest: none of these lines
    manifest.write_text("photo,subject,treatment,taken_at,treated_at\n" + "".join(
        f"me/rf/{n},me,rf,2026-12-01T09:00,2026-12-01T08:00\n" for n in ("a.png", "b.png", "c.png", "sub/d.png")))
    assert main(["batch", str(study), "-o", str(tmp_path / "out"), "--manifest", str(manifest)]) == 1  # nothing compared
    out = capsys.readouterr().out
    assert "not in " + str(manifest) not in out and "cannot be read, so its photo" not in out and "not in the folder" not in out


def test_batch_names_one_file_filed_under_two_subjects(tmp_path, capsys):
    """Round 2 of a first-time user's session (2026-12-05): the same file under two subjects (a photo filed
    twice) was measured and used in both sessions, said only as "1 identical to another photo here".  `batch`
    now names the copies and the subjects; a copy within one session is named in a line of its own when it has
    no capture time (the pairing rule, which uses a timed copy once and says so, never sees it)."""
    study = tmp_path / "study"
    for who, treatment in (("anna", "microcurrent"), ("ben", "rf")):
        (study / who / treatment).mkdir(parents=True)
        (study / who / treatment / "treated_at.txt").write_text("2026-12-01T08:00\n")
    _tiny(study / "anna" / "microcurrent" / "after.png")
    after = (study / "anna" / "microcurrent" / "after.png").read_bytes()
    (study / "anna" / "microcurrent" / "after copy.png").write_bytes(after)
    assert main(["batch", str(study), "-o", str(tmp_path / "out")]) == 1  # nothing compared
    out = capsys.readouterr().out
    assert "filed in two or more sessions" not in out  # one session: not this line
    # ... but, without a capture time, the pairing rule never sees it: counted as "1 identical to another photo
    # here", it is named as the other copies are (round 2's follow-up, 2026-12-05)
    assert "1 identical to another photo here" in out, out
    (line,) = [x for x in out.splitlines() if "in one session as the same file" in x]
    assert line.startswith("1 photo is filed twice or more in one session as the same file, without a capture time: "
                           "anna/microcurrent/after copy.png = anna/microcurrent/after.png ('anna', 'microcurrent')."
                           " Given one time, one copy is used"), line
    (study / "ben" / "rf" / "post.png").write_bytes(after)
    assert main(["batch", str(study), "-o", str(tmp_path / "out")]) == 1  # nothing compared
    out = capsys.readouterr().out
    (line,) = [x for x in out.splitlines() if "filed in two or more sessions" in x]
    assert line == ("1 photo is filed in two or more sessions as the same file (each copy is used in its own "
                    "session): anna/microcurrent/after copy.png = anna/microcurrent/after.png = ben/rf/post.png "
                    "(subjects 'anna', 'ben'). If a copy is filed under the wrong subject or session, remove it and "
                    "run batch again."), line
    # the copies across sessions are named once, not again among the copies of one session
    assert "in one session as the same file" not in out, out


def test_photos_csv_says_how_to_give_a_photo_its_capture_time(tmp_path, capsys):
    """Round 2 of a first-time user's session (2026-12-05): photos.csv's reason "no capture time (no EXIF
    DateTimeOriginal and none in the manifest)" gave no remedy (the console did); it now says it, and the
    console's remedy names the photos.csv to copy and the command to run again."""
    from pathlib import Path

    from facemetrics.batch import Excluded
    from facemetrics.batch.discover import NOT_LISTED, PhotoEntry, Reason
    from facemetrics.batch.console import no_capture_time_lines
    from facemetrics.batch.tables import NO_CAPTURE_TIME, _table_row

    e = PhotoEntry(Path("a.jpg"), "a.jpg", subject="s", treatment="rf", treated_at="2026-12-01T08:00")
    r = _table_row(e, {"status": "ok", "error": "", "taken_at": ""})
    assert r["excluded"] == NO_CAPTURE_TIME == (
        "no capture time (no EXIF DateTimeOriginal, none in its file name and none in the manifest): fill in its taken_at "
        "(e.g. 2026-11-02T14:30, with the UTC offset if known: +01:00) in a copy of photos.csv under another name (it "
        "reads as a manifest, which lists every photo with its subject, treatment, taken_at and treated_at: a photo it "
        "does not list is left out) and run again with --manifest COPY")
    # the console's remedy in the same words (one function, stop 64 g4: photos.csv's was a third wording)
    from facemetrics.batch.console import fill_in_taken_at
    assert NO_CAPTURE_TIME.endswith(": " + fill_in_taken_at(1, again="run again"))
    (line,) = no_capture_time_lines([Excluded("me/rf/a.jpg", r["excluded"], r["_reasons"])], output="out dir",
                                    folder="my photos")
    assert "fill in its taken_at (e.g. 2026-11-02T14:30, with the UTC offset if known: +01:00) in a copy of " \
           "out dir/photos.csv under another name" in line, line
    assert line.endswith("run batch again with --manifest COPY (facemetrics batch 'my photos' -o 'out dir' "
                         "--manifest COPY)."), line
    # a photo the manifest leaves out is named by the manifest's line, not here
    unlisted = PhotoEntry(Path("a.jpg"), "a.jpg", note="not in manifest m.csv: add a row for it",
                          reasons=(Reason(NOT_LISTED, "not in manifest m.csv: add a row for it", manifest="m.csv"),))
    u = _table_row(unlisted, {"status": "ok", "error": "", "taken_at": ""})
    assert u["excluded"] == f"not in manifest m.csv: add a row for it; {NO_CAPTURE_TIME}", u["excluded"]
    assert no_capture_time_lines([Excluded("a.jpg", u["excluded"], u["_reasons"])], "m.csv") == []


def test_batch_says_why_a_manifest_time_written_with_a_dot_is_not_read(tmp_path, capsys):
    """Round 2's follow-up (2026-12-05): a manifest time written with a dot (``08.20``, ``8.20pm``) was grouped on
    the console with the times that are no time ("cannot be read ... Write it as ..."), its own reason (which time
    was meant cannot be told; the time with colons) in photos.csv alone.  It is now its own line naming the rows
    and the time each would be with colons; a time that is no time stays in the other line."""
    study = tmp_path / "study"
    for name in ("a.png", "b.png", "c.png", "d.png"):
        _tiny(study / "me" / "rf" / name)
    manifest = tmp_path / "m.csv"
    manifest.write_text("photo,subject,treatment,taken_at,treated_at\n"
                        "me/rf/a.png,me,rf,2026-12-01T07:50,2026-12-01T08:00\n"
                        "me/rf/b.png,me,rf,2026-12-01 08.20,2026-12-01T08:00\n"
                        "me/rf/c.png,me,rf,2026-12-01 8.20pm,2026-12-01T08:00\n"
                        "me/rf/d.png,me,rf,noon,2026-12-01T08:00\n")
    assert main(["batch", str(study), "-o", str(tmp_path / "out"), "--manifest", str(manifest)]) == 1  # nothing compared
    lines = capsys.readouterr().out.splitlines()
    (dotted,) = [x for x in lines if "written with a dot" in x]
    assert dotted.startswith(
        f"1 time in {manifest} is written with a dot after the hours or the minutes, so its photo is not used: "
        "row 3 (me/rf/b.png), column 'taken_at': '2026-12-01 08.20' (if 08:20 was meant: 2026-12-01T08:20). "
        "ISO 8601 reads 08.20 as 8.20 hours (08:12)"), dotted
    assert "write it on the 24-hour clock with colons" in dotted, dotted
    (times,) = [x for x in lines if "cannot be read, so its photo" in x]
    # with the time it would be (round 3, 2026-12-05): a date to fill in, as the manifest gives none
    assert times.startswith(f"1 time in {manifest} cannot be read, so its photo is not used: row 5 (me/rf/d.png), "
                            "column 'taken_at': 'noon' (if 12:00 noon was meant: YYYY-MM-DDT12:00 with the day's "
                            "date, e.g. 2026-11-02T12:00). Write it as"), times
    excluded = pd.read_csv(tmp_path / "out" / "photos.csv").set_index("photo")["excluded"]
    # a dated 8.20pm is read since stop 46 (the pm says which half of the day: the dot is no fraction)
    taken = pd.read_csv(tmp_path / "out" / "photos.csv", dtype=str).set_index("photo")["taken_at"]
    assert taken["me/rf/c.png"] == "2026-12-01T20:20:00" or taken["me/rf/c.png"].startswith("2026-12-01 20:20"), taken
    assert "8.20pm" not in str(excluded.get("me/rf/c.png", "")), excluded


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symbolic links")
def test_a_broken_link_without_a_photo_ending_is_named_as_not_read(tmp_path):
    """`analyze` and `batch` named `Thumbs.db` among the files not read but passed over a broken symbolic link
    whose name has no photo ending (`ln -s nowhere link`), and a link to a file not named like a photo (stop 54's
    first-user audit); a broken `x.jpg` has its `unreadable` row (find_study_photos), so it is not named here."""
    from facemetrics.batch.console import skipped_lines
    from facemetrics.batch.discover import broken_links, find_study_photos, other_files, skipped_note

    (tmp_path / "Thumbs.db").write_text("x")
    (tmp_path / "notes.txt").write_text("x")
    os.symlink("notes.txt", tmp_path / "notes_link.txt")
    os.symlink("nowhere", tmp_path / "link")
    os.symlink("loop", tmp_path / "loop")
    os.symlink("nowhere", tmp_path / "gone.jpg")
    assert find_study_photos(tmp_path) == [tmp_path / "gone.jpg"]
    assert other_files(tmp_path) == [tmp_path / n for n in ("Thumbs.db", "notes.txt", "notes_link.txt")]
    assert broken_links(tmp_path) == [tmp_path / "link", tmp_path / "loop"]
    assert skipped_note([tmp_path]) == ("; 3 other files not read (not a photo by their ending: Thumbs.db, notes.txt, "
                                        "notes_link.txt); 2 broken symbolic links not read (leading to no file: link, "
                                        "loop)")
    assert skipped_lines(tmp_path) == ["3 other files not read (not a photo by their ending: Thumbs.db, notes.txt, "
                                       "notes_link.txt); 2 broken symbolic links not read (leading to no file: link, "
                                       "loop)"]
