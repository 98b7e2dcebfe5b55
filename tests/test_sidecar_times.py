"""A photo back from Google Photos / Takeout with its EXIF stripped and a JSON sidecar beside it
(``IMG_1234.jpg.json``, ``IMG_1234.jpg.supplemental-metadata.json``): its ``photoTakenTime`` (UTC epoch seconds) is
its capture time, ``taken_at_source`` ``sidecar``, written in UTC with ``Z``; a Pixel's ``PXL_`` name states UTC
too.  Before Round 21 (docs/validation.md section 12) such a photo had no capture time and a Pixel copy without
EXIF none either.  Synthetic files made from the sample image, nothing measured."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest
from PIL import Image

from facemetrics.batch.discover import PhotoEntry
from facemetrics.batch.tables import capture_time
from facemetrics.sidecar import sidecar_time
from facemetrics.store import Store
from facemetrics.timekeys import capture_time_of, time_from_name, utc_time_from_name

SAMPLE = Path(__file__).resolve().parents[1] / "sample_images" / "astronaut_before.jpg"
TAKEN = datetime(2026, 10, 24, 9, 34, 12, tzinfo=timezone.utc)  # 10:34 in London (BST)


def _stripped(folder: Path, name: str) -> Path:
    """The sample image re-saved without EXIF (as Takeout or WhatsApp hand it back), small."""
    img = Image.open(SAMPLE).convert("RGB")
    img.thumbnail((96, 96))
    path = folder / name
    img.save(path, quality=85)
    return path


def _sidecar(photo: Path, ending: str = ".json", stamp=None) -> Path:
    side = photo.parent / (photo.name + ending)
    side.write_text(json.dumps({"title": photo.name,
                                "creationTime": {"timestamp": str(int(TAKEN.timestamp()) + 86400)},
                                "photoTakenTime": {"timestamp": str(int(TAKEN.timestamp()) if stamp is None else stamp),
                                                   "formatted": "24 Oct 2026, 09:34:12 UTC"}}))
    return side


@pytest.mark.parametrize("ending", [".json", ".supplemental-metadata.json", ".supplemental-metad.json", ".supp.json"])
def test_a_takeout_sidecar_gives_the_photo_taken_time_in_utc(tmp_path, ending):
    photo = _stripped(tmp_path, "IMG_1234.jpg")
    _sidecar(photo, ending)
    assert sidecar_time(photo) == "2026-10-24T09:34:12Z"


def test_no_sidecar_or_an_unreadable_one_gives_no_time(tmp_path):
    photo = _stripped(tmp_path, "IMG_1234.jpg")
    assert sidecar_time(photo) == ""
    (tmp_path / "IMG_1234.jpg.json").write_text("{not json")
    assert sidecar_time(photo) == ""
    _sidecar(photo, stamp="0")  # the epoch: no capture time
    assert sidecar_time(photo) == ""
    _sidecar(photo, ".other.json")  # not a sidecar's name
    (tmp_path / "IMG_1234.jpg.json").unlink()
    assert sidecar_time(photo) == ""


def test_the_batch_reads_a_sidecar_when_exif_has_no_time(tmp_path):
    photo = _stripped(tmp_path, "IMG_1234.jpg")
    _sidecar(photo)
    entry = PhotoEntry(photo, photo.name, "me", "mc", treated_at="2026-10-24T07:34")
    assert capture_time(entry, {}) == ("2026-10-24T09:34:12Z", "sidecar")
    # EXIF wins over the sidecar, the manifest over both
    assert capture_time(entry, {"taken_at": "2026-10-24T10:34:12+01:00"}) == ("2026-10-24T10:34:12+01:00", "exif")
    given = PhotoEntry(photo, photo.name, "me", "mc", taken_at="2026-10-24T10:30", treated_at="2026-10-24T07:34")
    assert capture_time(given, {}) == ("2026-10-24T10:30", "manifest")


def test_the_sidecar_comes_before_the_file_name():
    assert capture_time_of("", "", "IMG_1234.jpg", sidecar="2026-10-24T09:34:12Z") == ("2026-10-24T09:34:12Z", "sidecar")
    assert capture_time_of("", "", "IMG_20261024_113412.jpg", sidecar="2026-10-24T09:34:12Z") == \
        ("2026-10-24T11:34:12+02:00", "sidecar")  # the name's local time, with the offset the two tell


def test_a_pixel_name_states_utc():
    assert time_from_name("PXL_20261020_062012345.jpg") is None  # not a local wall-clock time
    assert utc_time_from_name("PXL_20261020_062012345.jpg") == datetime(2026, 10, 20, 6, 20, 12, 345000,
                                                                         tzinfo=timezone.utc)
    assert utc_time_from_name("PXL_20261020_062012345.PORTRAIT.jpg") is not None
    assert utc_time_from_name("PXL_20261320_062012345.jpg") is None  # month 13
    assert capture_time_of("", "", "PXL_20261020_062012345.jpg") == ("2026-10-20T06:20:12.345Z", "file_name")
    assert capture_time_of("", "", "IMG-20261020-WA0003.jpg") == ("", "")  # a date, no time of day: none


def test_the_store_reads_a_sidecar_beside_a_file_added(tmp_path):
    photo = _stripped(tmp_path, "IMG_1234.jpg")
    _sidecar(photo, ".supplemental-metadata.json")
    wa = _stripped(tmp_path, "IMG-20261024-WA0003.jpg")
    with Store(tmp_path / "s") as store:
        res = store.add_photos("ann", [photo, wa], treatment="mc", treated_at="2026-10-24T07:34", measure=False)
    assert (res[0].status, res[0].taken_at, res[0].taken_at_source) == ("added", "2026-10-24T09:34:12Z", "sidecar")
    assert res[1].status == "error" and "no capture time" in res[1].message  # never read as midnight


def test_a_sidecar_is_not_named_among_the_files_not_read(tmp_path):
    from facemetrics.batch.discover import skipped_note
    from facemetrics.sidecar import is_sidecar

    photo = _stripped(tmp_path, "IMG_1234.jpg")
    side = _sidecar(photo, ".supplemental-metadata.json")
    (tmp_path / "notes.json").write_text("{}")  # no photo of that name: not a sidecar
    (tmp_path / "gone.jpg.json").write_text("{}")  # its photo not there
    assert is_sidecar(side) and not is_sidecar(tmp_path / "notes.json") and not is_sidecar(tmp_path / "gone.jpg.json")
    note = skipped_note([tmp_path])
    assert "notes.json" in note and "gone.jpg.json" in note and "IMG_1234.jpg.supplemental" not in note


def test_a_whatsapp_copy_is_said_to_have_a_date_and_no_time_of_day(tmp_path):
    from facemetrics.batch.tables import no_capture_time
    from facemetrics.timekeys import name_date_alone

    assert name_date_alone("IMG-20261027-WA0003.jpg").startswith("states the date 2026-10-27 but no time of day")
    assert name_date_alone("IMG-20261327-WA0003.jpg") == "" and name_date_alone("IMG_1234.jpg") == ""
    said = no_capture_time("IMG-20261027-WA0003.jpg")
    assert said.startswith("no capture time (") and "2026-10-27 but no time of day" in said and "; " not in \
        said.split(": give")[0]
    wa = _stripped(tmp_path, "IMG-20261027-WA0003.jpg")
    with Store(tmp_path / "s") as store:
        (r,) = store.add_photos("ann", [wa], treatment="mc", treated_at="2026-10-27T07:31", measure=False)
    assert r.status == "error" and "the date 2026-10-27 but no time of day" in r.message and "--taken-at" in r.message


def test_study_add_says_a_sidecar_time_is_utc_and_where_it_came_from(tmp_path, capsys):
    from facemetrics.cli import main

    photo = _stripped(tmp_path, "IMG_1234.jpg")
    _sidecar(photo)
    assert main(["study", "add", str(photo), "--subject", "ann", "--treatment", "mc", "--treated-at",
                 "2026-10-24T07:34", "--no-measure", "--store", str(tmp_path / "s")]) == 0
    out = capsys.readouterr().out
    assert "IMG_1234.jpg: added (post, taken 2026-10-24 09:34 UTC by its Google Photos sidecar)" in out, out


def test_a_local_file_name_and_its_sidecar_tell_the_offset_together():
    # a Takeout copy named by the phone's local time (10:37:12 BST) whose sidecar keeps 09:37:12Z: 10:37:12+01:00,
    # a local time with its offset, read as an EXIF time with OffsetTimeOriginal is (it was left out as a UTC time
    # in a session whose other photos carry no offset, Round 21)
    assert capture_time_of("", "", "IMG_20261022_103712.jpg", sidecar="2026-10-22T09:37:12Z") == \
        ("2026-10-22T10:37:12+01:00", "sidecar")
    assert capture_time_of("", "", "20261025_073412.jpg", sidecar="2026-10-25T07:34:12Z") == \
        ("2026-10-25T07:34:12+00:00", "sidecar")
    # not one instant (12 s apart), or a Pixel's UTC name: the sidecar's UTC time as it is
    assert capture_time_of("", "", "IMG_20261022_103700.jpg", sidecar="2026-10-22T09:37:12Z") == \
        ("2026-10-22T09:37:12Z", "sidecar")
    assert capture_time_of("", "", "PXL_20261022_093712000.jpg", sidecar="2026-10-22T09:37:12Z") == \
        ("2026-10-22T09:37:12Z", "sidecar")


def test_uploaded_sidecars_are_paired_by_the_files_name_rule_and_never_read_as_photos():
    """The app's *My study* uploads (no folder): a JSON uploaded with a photo is paired with it by the rule the CLI
    pairs files on disk by (:func:`facemetrics.sidecar.sidecar_names`), never kept as a photo; one paired with no
    photo uploaded, or keeping no time, is named with why it is not read."""
    from facemetrics.sidecar import photo_names_of, sidecar_names
    from facemetrics.uploads import MSG_SIDECAR_NO_PHOTO, with_sidecars

    stamp = str(int(TAKEN.timestamp())).encode()
    good = b'{"photoTakenTime": {"timestamp": "' + stamp + b'"}}'
    assert photo_names_of("a.jpg.supplemental-metad.json") == ["a.jpg.supplemental-metad", "a.jpg"]
    assert photo_names_of("a.jpg") == [] and photo_names_of("a.jpg.extra.json") == ["a.jpg.extra"]
    assert sidecar_names("a.jpg", ["a.jpg.supp.json", "b.jpg.json", "a.jpg.json", "a.jpg.x.json"]) == \
        ["a.jpg.json", "a.jpg.supp.json"]
    items = [("a.jpg", b"A"), ("a.jpg.supplemental-metadata.json", good), ("b.jpg", b"B"), ("b.jpg.json", b"{}"),
             ("c.jpg.JSON", good)]
    photos, times, unread = with_sidecars(items)
    assert photos == [("a.jpg", b"A"), ("b.jpg", b"B")]
    assert times == {"a.jpg": ("2026-10-24T09:34:12Z", "a.jpg.supplemental-metadata.json")}
    assert set(unread) == {"b.jpg.json", "c.jpg.JSON"}
    assert unread["b.jpg.json"].startswith("not read: it keeps no capture time") and "b.jpg" in unread["b.jpg.json"]
    assert unread["c.jpg.JSON"] == MSG_SIDECAR_NO_PHOTO.format(photo="c.jpg")


def test_a_stored_upload_is_timed_by_the_sidecar_time_given_with_it(tmp_path):
    """``Store.add_photos(..., sidecars={name: time})``: a ``(name, bytes)`` photo without EXIF is stored at its
    uploaded sidecar's time, ``taken_at_source`` ``sidecar``, as a file with its sidecar beside it is."""
    from facemetrics.store import own_capture

    data = _stripped(tmp_path, "IMG_0617.jpg").read_bytes()
    assert own_capture("IMG_0617.jpg", data) == ("", "")
    assert own_capture("IMG_0617.jpg", data, "2026-10-24T09:34:12Z") == ("2026-10-24T09:34:12Z", "sidecar")
    with Store(tmp_path / "store") as store:
        res = store.add_photos("me", [("IMG_0617.jpg", data)], treatment="rf", treated_at="2026-10-24T09:00Z",
                               measure=False, sidecars={"IMG_0617.jpg": "2026-10-24T09:34:12Z"})
        assert res[0].status == "added", res
        row = store.photos("me").iloc[0]
    assert row["taken_at"].startswith("2026-10-24T09:34:12") and row["taken_at_source"] == "sidecar", row


def test_an_uploaded_sidecar_without_a_time_says_why():
    """A sidecar that is not JSON, over 1 MiB, without ``photoTakenTime`` or with a time outside the years read is
    not read, and the app's line says which (stop 64: a non-JSON file read "keeps no capture time")."""
    from facemetrics.sidecar import sidecar_text_unread
    from facemetrics.uploads import with_sidecars

    stamp = str(int(TAKEN.timestamp())).encode()
    good = b'{"photoTakenTime": {"timestamp": "' + stamp + b'"}}'
    assert sidecar_text_unread(good) == ""
    items = [("a.jpg", b"A"), ("a.jpg.json", b"<html>not json"), ("b.jpg", b"B"), ("b.jpg.json", b"{}"),
             ("c.jpg", b"C"), ("c.jpg.json", b'{"photoTakenTime": {"timestamp": "1"}}'),
             ("d.jpg", b"D"), ("d.jpg.json", b" " * ((1 << 20) + 1))]
    _, times, unread = with_sidecars(items)
    assert times == {}
    assert unread["a.jpg.json"] == ("not read: it is not JSON text (a Google Photos sidecar is), so a.jpg is timed "
                                    "without it")
    assert unread["b.jpg.json"] == ("not read: it keeps no capture time (photoTakenTime.timestamp), so b.jpg is "
                                    "timed without it")
    assert unread["c.jpg.json"].startswith("not read: its capture time (photoTakenTime.timestamp 1) is not a time "
                                           "in 1990-2099")
    assert unread["d.jpg.json"].startswith("not read: it is 1.0 MiB, not a Google Photos sidecar")


def test_a_deeply_nested_json_sidecar_is_not_json_text_not_a_traceback(tmp_path):
    """200 000 nested brackets (under the 1 MiB read) make Python's JSON reader raise RecursionError, which ended
    the upload's reading (the app) and batch's sidecar read with a traceback (review of stop 64)."""
    from facemetrics.sidecar import sidecar_text_time, sidecar_text_unread, sidecar_time
    from facemetrics.uploads import with_sidecars

    deep = b"[" * 200_000
    assert sidecar_text_time(deep) == ""
    assert sidecar_text_unread(deep) == "it is not JSON text (a Google Photos sidecar is)"
    _, times, unread = with_sidecars([("a.jpg", b"A"), ("a.jpg.json", deep)])
    assert times == {} and unread["a.jpg.json"].startswith("not read: it is not JSON text")
    (tmp_path / "a.jpg").write_bytes(b"A")
    (tmp_path / "a.jpg.json").write_bytes(deep)
    assert sidecar_time(tmp_path / "a.jpg") == ""


def test_every_message_of_the_uploads_module_is_said_by_its_code():
    """A message constant of ``facemetrics.uploads`` that its code never reads is said nowhere: the app's word on a
    sidecar without a capture time is ``MSG_SIDECAR_UNREAD`` with the reason (stop 64), and ``MSG_SIDECAR_NO_TIME``,
    its earlier text, was left exported and unused (review of stop 64)."""
    import ast

    import facemetrics.uploads as uploads

    tree = ast.parse(Path(uploads.__file__).read_text(encoding="utf-8"))
    defined = {t.id for node in tree.body if isinstance(node, ast.Assign) for t in node.targets
               if isinstance(t, ast.Name) and t.id.startswith("MSG_")}
    read = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    assert defined and sorted(defined - read) == []
    assert all(hasattr(uploads, name) for name in uploads.__all__)
