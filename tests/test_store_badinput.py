"""The study store with bad input (facemetrics.store, ``facemetrics study add|import|report``): a
truncated JPEG or PNG, a zero-byte file, a file that is no image, a picture without a face, two
faces, a very small face, a HEIC.  Each gives a clear, specific message or status row, never a
traceback, never a bad file filed as a photo, and the other photos of the call are kept.
Synthetic photos and the bundled sample only."""

from __future__ import annotations

import io
import re

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from facemetrics.cli import main
from facemetrics.errors import PhotoError
from facemetrics.loader import load_photo
from facemetrics.store import Store, StoreError

SESSION = dict(treatment="mc", treated_at="2026-11-02T08:00")


def jpeg(seed: int, when: str = "2026:11:02 09:00:00", size: int = 64) -> bytes:
    """A small noise JPEG with an EXIF capture time."""
    rgb = np.random.default_rng(seed).integers(0, 255, (size, size, 3), dtype=np.uint8)
    exif = Image.Exif()
    exif.get_ifd(0x8769)[36867] = when
    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, "JPEG", quality=90, exif=exif)
    return buf.getvalue()


def png(rgb: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, "PNG")
    return buf.getvalue()


def loader_reason(data: bytes) -> str:
    with pytest.raises(PhotoError) as err:
        load_photo(data)
    return err.value.reason


@pytest.fixture(scope="module")
def face_rgb(sample_path) -> np.ndarray:
    img = Image.open(sample_path).convert("RGB")
    img.thumbnail((480, 480))
    return np.asarray(img)


def test_a_truncated_jpeg_is_refused_with_the_loaders_reason_and_the_others_are_kept(tmp_path):
    cut = jpeg(2)[: int(len(jpeg(2)) * 0.6)]
    reason = loader_reason(cut)
    assert "truncated" in reason
    store = Store(tmp_path)
    res = store.add_photos("ann", [("pre.jpg", jpeg(1, "2026:11:02 07:50:00")), ("cut.jpg", cut),
                                   ("post.jpg", jpeg(3))], **SESSION, measure=False)
    assert [r.status for r in res] == ["added", "error", "added"]
    assert res[1].message == f"cut.jpg: cannot be stored ({reason})"
    assert res[1].photo_id is None and res[1].role == ""
    assert store.photos("ann")["original_name"].tolist() == ["pre.jpg", "post.jpg"]
    assert len(list((tmp_path / "photos").rglob("*.*"))) == 2  # no copy of the truncated file
    assert store.check() == [] and store.gc() == []


@pytest.mark.parametrize("kind", ["png", "jpeg_exif_only"])
def test_other_unreadable_files_are_refused_with_the_loaders_reason(tmp_path, kind):
    if kind == "png":
        data = png(np.random.default_rng(0).integers(0, 255, (64, 64, 3), dtype=np.uint8))
        bad = data[: int(len(data) * 0.6)]
    else:  # a JPEG cut inside its header: EXIF time readable, no image data
        bad = jpeg(4)[:200]
    reason = loader_reason(bad)
    store = Store(tmp_path)
    (r,) = store.add_photos("ann", [("bad.img", bad)], **SESSION, measure=False)
    assert r.status == "error" and r.message == f"bad.img: cannot be stored ({reason})"
    assert store.photos().empty


def test_an_unreadable_file_without_a_capture_time_says_it_is_unreadable(tmp_path):
    """Not "give it with --taken-at": no time would make it a photo."""
    store = Store(tmp_path)
    (text,) = store.add_photos("ann", [("notes.jpg", b"not a photo\n" * 40)], **SESSION, measure=False)
    assert text.status == "error" and "not a supported image" in text.message and "--taken-at" not in text.message
    (empty,) = store.add_photos("ann", [("zero.jpg", b"")], **SESSION, measure=False)
    assert empty.status == "error" and empty.message == "zero.jpg: the file is empty"


def test_study_add_reports_each_bad_file_and_adds_the_rest(tmp_path, capsys):
    files = {"pre.jpg": jpeg(1, "2026:11:02 07:50:00"), "cut.jpg": jpeg(2)[:700], "zero.jpg": b"",
             "notes.jpg": b"hello\n" * 50, "post.jpg": jpeg(3)}
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    args = [str(tmp_path / n) for n in files] + ["--subject", "ann", "--treatment", "mc", "--treated-at",
                                                 "2026-11-02T08:00", "--no-measure", "--store", str(tmp_path / "s")]
    assert main(["study", "add", *args]) == 0
    out = capsys.readouterr().out
    assert f"cut.jpg: not added - cannot be stored ({loader_reason(files['cut.jpg'])})" in out
    assert "zero.jpg: not added - the file is empty" in out
    assert "notes.jpg: not added - cannot be stored (not a supported image" in out
    assert "2 photo(s) added, 0 already there, 3 not added" in out
    with Store(tmp_path / "s") as store:
        assert sorted(store.photos()["original_name"]) == ["post.jpg", "pre.jpg"]


def test_study_import_reports_a_truncated_photo(tmp_path, capsys):
    folder = tmp_path / "study" / "S01" / "mc"
    folder.mkdir(parents=True)
    (folder / "treated_at.txt").write_text("2026-11-02T08:00\n")
    (folder / "pre.jpg").write_bytes(jpeg(1, "2026:11:02 07:50:00"))
    (folder / "cut.jpg").write_bytes(jpeg(2)[:700])
    assert main(["study", "import", str(tmp_path / "study"), "--no-measure", "--store", str(tmp_path / "s")]) == 0
    out = capsys.readouterr().out
    assert "S01/mc/cut.jpg: not imported - cannot be stored (truncated" in out  # named once
    assert "1 photo(s) imported, 0 already there, 1 not imported" in out


def test_measured_problems_are_said_by_the_users_file_name(tmp_path, face_rgb):
    """A picture without a face, two faces side by side and a very small face are photos (kept, with
    their status); add says what the measurement found, by the user's file name, and the report's
    rows name them so too (also the rows measured when they were added, stored under the copy)."""
    h, w, _ = face_rgb.shape
    small = np.full_like(face_rgb, 200)
    tiny = np.asarray(Image.fromarray(face_rgb).resize((w // 10, h // 10)))
    small[10:10 + tiny.shape[0], 10:10 + tiny.shape[1]] = tiny
    photos = [("blank.png", png(np.full((200, 200, 3), 128, np.uint8))),
              ("two.png", png(np.concatenate([face_rgb, face_rgb], axis=1))),
              ("small.png", png(small))]
    store = Store(tmp_path / "s")
    res = store.add_photos("ann", photos, **SESSION, taken_at="2026-11-02T09:00")
    assert [r.status for r in res] == ["added"] * 3
    by = {r.name: r for r in res}
    assert by["blank.png"].measured == "no_face"
    assert by["blank.png"].message.startswith("blank.png: not measured (no_face: no face found")  # analyze's words
    # two copies of one face: which is "the largest" is chance, so not measured (analyze.SEVERAL_FACES_SHARE)
    assert by["two.png"].measured == "several_faces"
    assert by["two.png"].message.startswith("two.png: not measured (several_faces: 2 faces of about the same size")
    assert by["two.png"].message.endswith("crop the photo to the one face)")
    assert by["small.png"].measured != "ok" and by["small.png"].message.startswith("small.png: ")
    for r in res:
        assert not re.search(r"[0-9a-f]{20}\.(jpg|png)", r.message), r.message
    with pytest.raises(StoreError, match="no changes to fit yet") as exc:  # no baseline: no change to fit
        store.report(tmp_path / "r", "ann", n_boot=50)
    # the tables the message names are the ones on disk (said "photos.csv" alone: a newcomer's walk, stop 66)
    assert sorted(f.name for f in (tmp_path / "r").glob("*.csv")) == ["changes.csv", "long.csv", "photos.csv"]
    assert str(exc.value).startswith("no changes to fit yet (photos.csv, changes.csv and long.csv written to "), exc
    rows = pd.read_csv(tmp_path / "r" / "photos.csv", keep_default_na=False).set_index("photo")
    assert rows.loc["blank.png", "status"] == "no_face"
    assert rows.loc["blank.png", "error"].startswith("blank.png: no face found")
    assert rows.loc["two.png", "status"] == "several_faces"
    assert rows.loc["two.png", "error"].startswith("two.png: 2 faces of about the same size")
    assert rows.loc["small.png", "error"].startswith("small.png: ")


def test_a_heic_is_stored_as_png_and_reported_by_its_name(tmp_path, face_rgb):
    pillow_heif = pytest.importorskip("pillow_heif")
    buf = io.BytesIO()
    try:
        pillow_heif.from_bytes(mode="RGB", size=face_rgb.shape[1::-1], data=face_rgb.tobytes()).save(buf, quality=90)
    except Exception as exc:  # noqa: BLE001 - a libheif built without an HEVC encoder
        pytest.skip(f"no HEIC encoder: {exc}")
    store = Store(tmp_path / "s")
    (r,) = store.add_photos("ann", [("IMG_0001.HEIC", buf.getvalue())], **SESSION, taken_at="2026-11-02T09:00",
                            measure=False)
    assert r.status == "added"
    p = store.photos("ann").iloc[0]
    assert p["file"].endswith(".png") and p["original_name"] == "IMG_0001.HEIC"
    _, table = store.manifest("ann", folder=tmp_path / "links")
    assert table["photo"].tolist() == ["IMG_0001.HEIC"]
    assert load_photo(tmp_path / "links" / "IMG_0001.HEIC").rgb.shape == face_rgb.shape


def test_report_names_are_unique_and_safe(tmp_path):
    """The same file name added twice (phones' ``image.jpg``), names differing in case, a name with a
    path separator or nothing left: each photo gets its own readable name, below its subject in a
    pooled manifest."""
    store = Store(tmp_path / "s")
    names = ["image.jpg", "image.jpg", "IMAGE.jpg", "a/b.jpg", " .. ", ""]
    res = store.add_photos("ann", [(n, jpeg(10 + i)) for i, n in enumerate(names)], **SESSION, measure=False)
    assert [r.status for r in res] == ["added"] * len(names)
    _, table = store.manifest("ann", folder=tmp_path / "links")
    photos = store.photos("ann")
    by_id = dict(zip(photos["id"], table["photo"]))
    labels = [by_id[r.photo_id] for r in res]
    sha = dict(zip(photos["id"], photos["file_sha256"]))
    assert labels[0] == "image.jpg"
    assert labels[1] == f"image~{sha[res[1].photo_id][:8]}.jpg"
    assert labels[2] == f"IMAGE~{sha[res[2].photo_id][:8]}.jpg"
    assert labels[3] == "a_b.jpg"
    assert re.fullmatch(r"[0-9a-f]{20}\.jpg", labels[4]) and re.fullmatch(r"[0-9a-f]{20}\.jpg", labels[5])
    assert len({x.casefold() for x in labels}) == len(labels)
    assert all((tmp_path / "links" / x).is_file() for x in labels)
    _, pooled = store.manifest(folder=tmp_path / "all")
    assert sorted(pooled["photo"]) == sorted(f"ann/{x}" for x in labels)
    with pytest.raises(StoreError, match="no subject"):
        store.manifest("nobody", folder=tmp_path / "x")


def test_report_refuses_too_few_bootstrap_replicates_before_any_batch(tmp_path, monkeypatch):
    """``Store.report(n_boot=10)`` ran the whole batch and regimen batch (minutes) before the fits
    refused it: now a SeriesError at once, before anything is read or written."""
    from facemetrics import batch
    from facemetrics.decay import SeriesError

    def work(*a, **k):
        raise AssertionError("the batch ran before n_boot was checked")

    monkeypatch.setattr(batch, "run_batch", work)
    store = Store(tmp_path / "s")
    with pytest.raises(SeriesError, match="n_boot must be 0"):
        store.report(tmp_path / "r", n_boot=10)
    with pytest.raises(SeriesError, match="seed must be a whole number"):
        store.report(tmp_path / "r", seed="x")
    with pytest.raises(SeriesError, match="min_effect must be a non-negative number"):
        store.report(tmp_path / "r", min_effect=-1)
    assert not (tmp_path / "r").exists()
    store.close()


@pytest.mark.parametrize("given", ["2026-11-02", "2026-11-02+01:00", "2026-11-02Z"])
def test_a_date_alone_is_refused_as_having_no_time_of_day(tmp_path, capsys, given):
    """A treatment time ``2026-11-02`` was stored as midnight (a photo of 07:00 became a post photo of an
    08:00 session, without a word), and ``2026-11-02+01:00`` was refused as "not a time": both are now
    refused as the batch refuses them (no time of day), for ``--treated-at`` and ``--taken-at``, and
    nothing is written.  A date that is not one is still not a time."""
    store = Store(tmp_path / "s", lazy=True)
    with pytest.raises(StoreError) as err:
        store.add_photos("ann", [("a.jpg", jpeg(1))], treatment="mc", treated_at=given, measure=False)
    assert str(err.value) == (f"treatment time {given!r} has no time of day: which photos were taken before it "
                              "cannot be told (write e.g. 2026-11-02T08:00)")
    with pytest.raises(StoreError) as err:
        store.log_session("ann", "mc", given)
    assert "has no time of day" in str(err.value)
    assert main(["study", "add", "--subject", "ann", "--follow-up", "--taken-at", given, "--store",
                 str(tmp_path / "s"), "--no-measure", str(tmp_path / "none.jpg")]) == 2
    assert capsys.readouterr().err == (f"facemetrics study add: capture time {given!r} has no time of day: before "
                                       "or after the treatment cannot be told (write e.g. 2026-11-02T09:30)\n")
    assert not (tmp_path / "s").exists()
    with pytest.raises(StoreError, match="'2026-13-02\\+01:00' is not a time"):
        store.add_photos("ann", [("a.jpg", jpeg(1))], treatment="mc", treated_at="2026-13-02+01:00")


def test_a_photo_dated_years_from_its_session_is_named_when_added(tmp_path, capsys):
    """A camera clock set to 2031 (or reset to 2000): `study add` said "added (post ...)" and nothing else;
    only report.md named the photo as left out, with the batch's remedy (a manifest, which the store has
    no use for).  Now the add says so, with the store's own words (an outside user's audit, 2026-12-04)."""
    store = Store(tmp_path)
    res = store.add_photos("ann", [("pre.jpg", jpeg(1, "2026:11:02 07:50:00")), ("post.jpg", jpeg(2)),
                                   ("ahead.jpg", jpeg(3, "2031:01:01 00:00:00")),
                                   ("reset.jpg", jpeg(4, "2000:01:01 00:00:00"))], **SESSION, measure=False)
    assert [r.status for r in res] == ["added"] * 4
    assert res[0].message == "" and res[1].message == ""
    assert res[2].message.startswith("taken 4.2 years after the treatment") and "not compared" in res[2].message
    assert res[3].message.startswith("taken 26.8 years before the treatment") and "not used as a before" in res[3].message
    for r in res[2:]:
        assert "manifest" not in r.message and "`study report` leaves it out" in r.message
    # a follow-up photo is timed from the session it joins
    (late,) = store.add_photos("ann", [("later.jpg", jpeg(5, "2030:01:01 00:00:00"))], follow_up=True, measure=False)
    assert late.status == "added" and late.message.startswith("taken 3.2 years after the treatment"), late
    assert main(["study", "add", "--store", str(tmp_path), "--subject", "ann", "--follow-up", "--no-measure",
                 str(_write(tmp_path / "x.jpg", jpeg(6, "2029:01:01 00:00:00")))]) == 0
    assert "x.jpg: added (post, taken 2029-01-01 00:00) - taken 2.2 years after the treatment" in capsys.readouterr().out


def _write(path, data: bytes):
    path.write_bytes(data)
    return path
