"""A photo whose only capture time is in UTC (a Pixel's ``PXL_`` name, a Google Photos sidecar: ``Z``) added to a
session whose treatment time and other photos carry no UTC offset: ``study report`` leaves it out (the batch's
rule, :func:`facemetrics.batch.discover.offset_free_treatment`), and ``study add`` / ``study import`` now say so
when it is stored, with the remedy; before stop 60's g8 they stored it without a word and the user learnt it from
the report.  Synthetic files made from the sample image, nothing measured."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

from PIL import Image

from facemetrics.batch.discover import PhotoEntry, offset_free_treatment
from facemetrics.store import Store

SAMPLE = Path(__file__).resolve().parents[1] / "sample_images" / "astronaut_before.jpg"
PIXEL = "PXL_20261024_093412000.jpg"  # 09:34:12Z, 10:34 in London (BST)
TREATED = "2026-10-24T07:34"  # local, no offset


def _stripped(folder: Path, name: str) -> Path:
    """The sample image re-saved without EXIF (as a Pixel copy sent on, or Takeout, hands it back), small; its size
    by its name, so that two photos are two files (the same bytes would be one photo, stored once)."""
    img = Image.open(SAMPLE).convert("RGB")
    img.thumbnail((80 + len(name), 80 + len(name)))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    img.save(path, quality=85)
    return path


def _local_with_offset(folder: Path, name: str = "IMG_20261024_073000.jpg") -> Path:
    """A Takeout copy named by the phone's local time whose sidecar keeps the same second in UTC: together they
    give the local time with its offset (07:30:00+01:00), as an EXIF time with OffsetTimeOriginal does."""
    photo = _stripped(folder, name)
    stamp = int(datetime(2026, 10, 24, 6, 30, 0, tzinfo=timezone.utc).timestamp())
    (folder / (name + ".json")).write_text(json.dumps({"photoTakenTime": {"timestamp": str(stamp)}}))
    return photo


def test_utc_left_out_is_the_batch_rule():
    from facemetrics.sessions import utc_left_out  # here: the other tests run on the code before it (g8)

    times = ["2026-10-24T09:34:12Z", "2026-10-24T07:24:12"]
    entries = [PhotoEntry(Path(), str(i), taken_at=t, treated_at=TREATED + ":00") for i, t in enumerate(times)]
    out, _, _ = offset_free_treatment(entries, {})
    assert utc_left_out(TREATED, times) == [bool(e.note) for e in out] == [True, False]
    assert utc_left_out(TREATED, [times[0], "2026-10-24T07:24:12+01:00"]) == [False, False]  # placed: +01:00
    assert utc_left_out(TREATED + "+01:00", times) == [False, False]  # the treatment time carries it
    assert utc_left_out(TREATED, ["2026-10-24T09:34:12+00:00"]) == [False]  # a camera's +00:00 is local


def test_study_add_says_a_utc_only_photo_is_left_out_by_the_report_and_keeps_it(tmp_path):
    photo = _stripped(tmp_path / "in", PIXEL)
    with Store(tmp_path / "s") as store:
        (r,) = store.add_photos("ann", [photo], treatment="mc", treated_at=TREATED, measure=False)
        assert r.status == "added" and r.taken_at == "2026-10-24T09:34:12Z" and r.taken_at_source == "file_name"
        assert "`study report` leaves it out until one does" in r.message, r.message
        assert "2026-10-24 09:34 UTC (its file name's, a Pixel's)" in r.message
        assert ("add the photo again with --treated-at 2026-10-24T07:34+HH:MM, or run `study report` with the time "
                "zone your clocks were in, e.g. --time-zone Europe/London") in r.message, r.message
        assert len(store.photos("ann")) == 1  # kept: a later photo with an offset, or the offset given, places it


def test_no_word_when_the_session_gives_the_offset(tmp_path):
    pixel, local = _stripped(tmp_path / "in", PIXEL), _local_with_offset(tmp_path / "in")
    with Store(tmp_path / "s") as store:
        results = store.add_photos("ann", [pixel, local], treatment="mc", treated_at=TREATED, measure=False)
        assert [r.status for r in results] == ["added", "added"]
        assert results[1].taken_at == "2026-10-24T07:30:00+01:00"
        assert not any("leaves it out" in r.message for r in results), [r.message for r in results]
    with Store(tmp_path / "s2") as store:
        (r,) = store.add_photos("ann", [pixel], treatment="mc", treated_at=TREATED + "+01:00", measure=False)
        assert "leaves it out" not in r.message


def test_the_remedy_works_adding_the_photo_again_with_the_offset(tmp_path):
    photo = _stripped(tmp_path / "in", PIXEL)
    with Store(tmp_path / "s") as store:
        (first,) = store.add_photos("ann", [photo], treatment="mc", treated_at=TREATED, measure=False)
        (again,) = store.add_photos("ann", [photo], treatment="mc", treated_at=TREATED + "+01:00", measure=False)
        assert again.status == "duplicate"
        # the offset given for the session stored without one is its time now (it was dropped with the duplicate)
        assert store.sessions("ann")["treated_at"].tolist() == ["2026-10-24T07:34:00+01:00"]
        assert "is now treated at 2026-10-24 07:34 +01:00" in again.note, again.note
        assert store.utc_left_out_notes([first.photo_id]) == {}


def test_study_add_and_import_say_it_on_the_console(tmp_path, capsys):
    from facemetrics.cli import main

    photo = _stripped(tmp_path / "in", PIXEL)
    assert main(["study", "add", str(photo), "--subject", "ann", "--treatment", "mc", "--treated-at", TREATED,
                 "--no-measure", "--store", str(tmp_path / "s")]) == 0
    out = capsys.readouterr().out
    assert f"{PIXEL}: added (post, taken 2026-10-24 09:34 UTC by its file name) - its capture time" in out, out
    assert "--treated-at 2026-10-24T07:34+HH:MM" in out

    # study import adds one photo at a time: the word waits until all are in (a later one may give the offset)
    folder = tmp_path / "study"
    _stripped(folder / "ann" / "mc", PIXEL)
    (folder / "ann" / "mc" / "treated_at.txt").write_text(TREATED)
    assert main(["study", "import", str(folder), "--no-measure", "--store", str(tmp_path / "s2")]) == 0
    out = capsys.readouterr().out
    assert f"ann/mc/{PIXEL}: imported - its capture time" in out, out
    assert "import again with treated_at 2026-10-24T07:34+HH:MM (in treated_at.txt or the manifest)" in out
    _local_with_offset(folder / "ann" / "mc", "Screenshot_20261024-073000.jpg")  # sorts after PXL_: imported later
    assert main(["study", "import", str(folder), "--no-measure", "--store", str(tmp_path / "s3")]) == 0
    out = capsys.readouterr().out
    assert "2 photo(s) imported" in out and "leaves it out" not in out, out


def test_study_import_names_a_manifest_like_csv_while_a_photo_is_left_unplaced(tmp_path, capsys):
    """Review r3 of c7decee: a photo imported whose UTC time the report cannot place is no photo "placed and timed",
    so the folder's manifest-like CSV (which can give the offset) is named with --manifest, not "not needed here"."""
    from facemetrics.cli import main

    folder = tmp_path / "study"
    _stripped(folder / "ann" / "mc", PIXEL)
    (folder / "ann" / "mc" / "treated_at.txt").write_text(TREATED)
    (folder / "manifest.csv").write_text(f"photo,subject,treatment,treated_at\nann/mc/{PIXEL},ann,mc,{TREATED}+01:00\n")
    assert main(["study", "import", str(folder), "--no-measure", "--store", str(tmp_path / "s")]) == 0
    out = capsys.readouterr().out
    assert f"ann/mc/{PIXEL}: imported - its capture time" in out, out
    assert "manifest.csv looks like a manifest (its columns" in out, out
    assert "not needed here" not in out and f"give it with --manifest {folder / 'manifest.csv'}" in out, out
