"""Inputs the earlier audits missed (docs/robustness.md, "Inputs the earlier audits missed"; the whole list is
``bench/audit_inputs2.py``): a file name that is not UTF-8, a HEIF whose primary image is not its first, an
APNG's hidden default image, no face in the first frame of an animation, an OpenCV float (LogLuv) TIFF."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import cv2
import numpy as np
import pandas as pd
import pytest
from PIL import Image

from facemetrics.analyze import analyze_photo
from facemetrics.errors import PhotoError, legible
from facemetrics.export import utf8
from facemetrics.loader import load_photo

ROOT = Path(__file__).resolve().parents[1]
BEFORE = ROOT / "sample_images" / "astronaut_before.jpg"
AFTER = ROOT / "sample_images" / "astronaut_after.jpg"
LATIN1 = b"caf\xe9 latin1.jpg"  # a Latin-1 name: byte 0xE9 is not UTF-8 on its own


def _bytes_named_copy(folder: Path, src: Path = AFTER) -> str:
    """A copy of ``src`` in ``folder`` under the Latin-1 name; its path as Python reads it (surrogate-escaped)."""
    raw = os.fsencode(folder) + b"/" + LATIN1
    try:
        with open(raw, "wb") as fh:
            fh.write(src.read_bytes())
    except OSError as exc:  # a file system that refuses such names (not Linux ext4 / tmpfs)
        pytest.skip(f"cannot make a file whose name is not UTF-8 here: {exc}")
    return os.fsdecode(raw)


def test_legible_escapes_only_the_bytes_that_are_not_utf8():
    assert legible("café.jpg") == "café.jpg"  # UTF-8 names unchanged
    assert legible(os.fsdecode(LATIN1)) == "caf\\xe9 latin1.jpg"
    assert utf8(os.fsdecode(b"a,\xff.png\n")) == b"a,\\xff.png\n"


def test_a_file_name_that_is_not_utf8_is_named_legibly(tmp_path):
    """Before: ``photos.csv`` of ``analyze``/``batch`` raised UnicodeEncodeError ('surrogates not allowed')
    at the end, so one such file lost the whole run's tables; ``compare`` raised in pandas."""
    path = _bytes_named_copy(tmp_path)
    photo = load_photo(path)
    assert photo.name == "caf\\xe9 latin1.jpg" and photo.path == os.path.abspath(path)  # opened by its true name
    a = analyze_photo(path)
    assert a.status == "ok" and a.name == "caf\\xe9 latin1.jpg"
    (tmp_path / "x.txt").write_text("")
    os.remove(os.fsencode(path))
    os.symlink("/nonexistent", os.fsencode(tmp_path) + b"/" + LATIN1)
    with pytest.raises(PhotoError, match=r"caf\\xe9 latin1\.jpg: symbolic link to a missing file"):
        load_photo(path)


def test_cli_analyze_and_compare_with_a_name_that_is_not_utf8(tmp_path):
    from facemetrics.cli import main
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(BEFORE, folder / "before.jpg")
    path = _bytes_named_copy(folder)
    assert main(["analyze", str(folder), "-o", str(tmp_path / "photos.csv"),
                 "--overlays", str(tmp_path / "ov")]) == 0
    table = pd.read_csv(tmp_path / "photos.csv", encoding="utf-8")  # valid UTF-8
    assert sorted(table["photo"]) == ["before.jpg", "caf\\xe9 latin1.jpg"] and set(table["status"]) == {"ok"}
    # the overlay: the photo's true bytes + suffix (next to its own name in a listing), never the escape
    assert os.path.isfile(os.fsencode(tmp_path / "ov") + b"/" + LATIN1 + b"_overlay.png")
    assert not (tmp_path / "ov" / "caf\\xe9 latin1.jpg_overlay.png").exists()
    assert main(["compare", str(folder / "before.jpg"), path, "-o", str(tmp_path / "cmp")]) == 0
    cmp = pd.read_csv(tmp_path / "cmp" / "comparison.csv", encoding="utf-8")
    assert cmp["after_photo"].iloc[0].endswith("caf\\xe9 latin1.jpg")


def test_batch_keeps_every_row_with_a_name_that_is_not_utf8(tmp_path):
    from facemetrics.batch import run_batch

    def study(root: Path, odd: bool) -> Path:
        d = root / "S1" / "rf"
        d.mkdir(parents=True)
        (d / "treated_at.txt").write_text("2026-11-02T10:00\n")
        shutil.copy(BEFORE, d / "before.jpg")
        shutil.copy(AFTER, d / "after.jpg")
        if odd:
            _bytes_named_copy(d)
        return root

    alone = run_batch(study(tmp_path / "good", False), tmp_path / "out_good", workers=1, progress=False)
    every = run_batch(study(tmp_path / "all", True), tmp_path / "out_all", workers=1, progress=False)
    photos = pd.read_csv(tmp_path / "out_all" / "photos.csv", encoding="utf-8", keep_default_na=False, dtype=str)
    assert sorted(photos["photo"]) == ["S1/rf/after.jpg", "S1/rf/before.jpg", "S1/rf/caf\\xe9 latin1.jpg"]
    assert set(photos["status"]) == {"ok"}
    good = pd.read_csv(tmp_path / "out_good" / "photos.csv", keep_default_na=False, dtype=str).set_index("photo")
    same = photos.set_index("photo").loc[good.index, good.columns]
    pd.testing.assert_frame_equal(same, good)  # the good photos' rows are those of a batch without the odd one
    assert len(alone.photos) == 2 and len(every.photos) == 3
    assert (tmp_path / "out_all" / "changes.csv").read_bytes().decode("utf-8")


def test_a_heif_is_read_at_its_primary_image_and_says_so(tmp_path):
    """pillow-heif opens the primary image (the one a viewer shows), which need not be the first; the
    warning said 'only the first was measured'."""
    import pillow_heif
    hf = pillow_heif.HeifFile()
    hf.add_from_pillow(Image.new("RGB", (64, 64), (128, 128, 128)))
    hf.add_from_pillow(Image.new("RGB", (64, 64), (250, 20, 20)))
    hf.save(tmp_path / "two.heic", quality=90, primary_index=1)
    p = load_photo(tmp_path / "two.heic")
    assert np.abs(p.rgb[32, 32].astype(int) - (250, 20, 20)).max() < 12
    assert p.warnings == ("HEIF file holds 2 images; its primary image (the one a viewer shows) was measured",)


def test_an_apng_with_a_still_default_image_says_the_default_image_was_measured(tmp_path):
    still, frame = Image.new("RGB", (64, 64), (128, 128, 128)), Image.new("RGB", (64, 64), (250, 20, 20))
    still.save(tmp_path / "a.png", save_all=True, append_images=[frame], default_image=True, duration=200)
    p = load_photo(tmp_path / "a.png")
    assert tuple(p.rgb[32, 32]) == (128, 128, 128)
    assert p.warnings == ("PNG file holds a still default image and an animation of 1 frame(s); the default image "
                          "(what a viewer without animation shows, not the animation's first frame) was measured",)
    frame.save(tmp_path / "b.png", save_all=True, append_images=[still], duration=200)  # no default image
    assert load_photo(tmp_path / "b.png").warnings == ("PNG file holds 2 frames; only the first was measured",)


def test_no_face_in_the_first_frame_says_which_frame_was_looked_at(tmp_path):
    """Before: ``no_face`` 'is the face visible, frontal and well lit?' and an empty warnings column, for a
    GIF whose face is in its second frame."""
    face = Image.open(BEFORE).convert("RGB").reduce(2)
    Image.new("RGB", face.size, (128, 128, 128)).save(tmp_path / "a.gif", save_all=True, append_images=[face],
                                                      duration=500)
    a = analyze_photo(tmp_path / "a.gif")
    assert a.status == "no_face"
    assert a.error == ("a.gif: no face found (is the face visible, frontal and well lit?); GIF file holds 2 frames; "
                       "only the first was looked at: save the picture with the face as a photo of its own")
    assert a.warnings == ("GIF file holds 2 frames; only the first was measured",)
    assert "GIF file holds 2 frames" in a.to_row()["warnings"]


def test_an_opencv_float_tiff_is_named_logluv_hdr(tmp_path):
    """OpenCV writes a float image as a LogLuv (SGILOG) TIFF of 16-bit signed samples; the message said
    '16-bit signed-integer samples', true of the coding but no help."""
    f = str(tmp_path / "f.tiff")
    cv2.imwrite(f, np.full((40, 40, 3), 0.5, np.float32))
    with pytest.raises(PhotoError, match=r"unsupported TIFF: LogLuv high-dynamic-range \(HDR, SGILOG-coded\) "
                                         r"samples \(Pillow reads 8- and 16-bit integer TIFFs; save it as one"):
        load_photo(f)


@pytest.mark.parametrize("named, encoding", [("caf\\xe9 latin1.jpg", "utf-8"),  # as photos.csv shows it
                                             ("café latin1.jpg", "latin-1")])  # as a Latin-1 system shows it
def test_a_manifest_names_a_file_whose_name_is_not_utf8(tmp_path, named, encoding):
    """Before: the row was 'listed in manifest row 3 but not found' and the file 'not in manifest'."""
    from facemetrics.batch import discover
    shutil.copy(BEFORE, tmp_path / "before.jpg")
    _bytes_named_copy(tmp_path)
    m = tmp_path / "m.csv"
    m.write_bytes(("photo,subject,treatment,taken_at,treated_at\nbefore.jpg,S1,rf,2026-11-02T08:00,2026-11-02T10:00\n"
                   f"{named},S1,rf,2026-11-02T11:30,2026-11-02T10:00\n").encode(encoding))
    entries = discover(tmp_path, m)
    assert [(e.photo, e.subject, e.taken_at, e.note) for e in entries] == [
        ("before.jpg", "S1", "2026-11-02T08:00", ""), ("caf\\xe9 latin1.jpg", "S1", "2026-11-02T11:30", "")]


def test_study_add_takes_a_file_whose_name_is_not_utf8(tmp_path, capsys):
    """Before: ``facemetrics study add`` raised UnicodeEncodeError in SQLite (a traceback, nothing added after it)."""
    from facemetrics.cli import main
    folder = tmp_path / "in"
    folder.mkdir()
    path = _bytes_named_copy(folder)
    assert main(["study", "add", "--store", str(tmp_path / "store"), "--subject", "A", "--treatment", "rf",
                 "--treated-at", "2026-11-02T10:00", "--no-measure", str(BEFORE), path]) == 0
    out = capsys.readouterr().out
    assert "caf\\xe9 latin1.jpg: added (post, taken 2026-11-02 11:30" in out and "2 photo(s) added" in out


def test_output_names_keep_the_true_bytes_and_show_the_escape(tmp_path):
    """``analyze --overlays`` wrote ``caf\\xe9 latin1.jpg_overlay.png`` (a backslash in a file name, unlike the
    photo's own name); now the true bytes + suffix, also when the name is shortened, in a folder not UTF-8."""
    from facemetrics.cli import find_photos_labelled, output_names, true_label
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    odd_dir = os.fsencode(folder) + b"/\xe9t\xe9"
    os.mkdir(odd_dir)
    path = _bytes_named_copy(folder)
    _bytes_named_copy(Path(os.fsdecode(odd_dir)))
    shutil.copy(BEFORE, folder / "sub" / "a\\b.jpg")  # a real backslash (legal on Linux): kept as it is
    photos = find_photos_labelled([str(folder)])
    labels = sorted(label for _, label in photos)
    assert labels == sorted(["caf\\xe9 latin1.jpg", "sub/a\\b.jpg", "\\xe9t\\xe9/caf\\xe9 latin1.jpg"])
    stems = output_names([lab for _, lab in photos], disk=[true_label(p, lab) for p, lab in photos])
    assert {lab: os.fsencode(stem) for lab, stem in stems.items()} == {
        "caf\\xe9 latin1.jpg": LATIN1, "sub/a\\b.jpg": b"sub/a\\b.jpg",
        "\\xe9t\\xe9/caf\\xe9 latin1.jpg": b"\xe9t\xe9/" + LATIN1}
    long = os.fsdecode(b"\xe9" * 300 + b".jpg")  # shortened at a character (here: byte) boundary
    stem = output_names([legible(long)], disk=[long])[legible(long)]
    raw = os.fsencode(stem)
    assert raw.startswith(b"\xe9" * 100) and raw.endswith(b".jpg") and len(raw) + len(b"_overlay.png") <= 200
    assert true_label(path, "caf\\xe9 latin1.jpg") == path.rsplit("/", 1)[1]
    assert true_label(path, "other.jpg") == "other.jpg"  # a label that is not the file's: as it is


def test_study_report_names_a_latin1_photo_as_every_table_does(tmp_path):
    """The study's manifest (and so its report) showed ``caf_xe9 latin1.jpg``: the backslash of the escaped
    name was taken for a path separator; now ``caf\\xe9 latin1.jpg``, as ``analyze`` and ``batch`` show it."""
    from facemetrics.batch import discover
    from facemetrics.store import Store
    folder = tmp_path / "in"
    folder.mkdir()
    path = _bytes_named_copy(folder)
    store = Store(tmp_path / "store")
    store.add_photos("A", [BEFORE, path], treatment="rf", treated_at="2026-11-02T10:00", measure=False)
    cache = tmp_path / "links"
    at, table = store.manifest("A", folder=cache)
    assert sorted(table["photo"]) == ["astronaut_before.jpg", "caf\\xe9 latin1.jpg"]
    table.to_csv(tmp_path / "m.csv", index=False)
    found = {e.photo: e.note for e in discover(at, tmp_path / "m.csv")}
    assert found == {"astronaut_before.jpg": "", "caf\\xe9 latin1.jpg": ""}  # the batch finds both by those names


def test_study_report_shows_the_escaped_name_in_its_tables(tmp_path):
    """End to end: ``study add`` + ``study report``; photos.csv read ``A/caf_xe9 latin1.jpg`` before."""
    from facemetrics.cli import main
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(BEFORE, folder / "before.jpg")
    path = _bytes_named_copy(folder)
    store = str(tmp_path / "store")
    assert main(["study", "add", "--store", store, "--subject", "A", "--treatment", "rf",
                 "--treated-at", "2026-11-02T10:00", str(folder / "before.jpg"), path]) == 0
    main(["study", "report", "--store", store, "-o", str(tmp_path / "rep")])  # too few photos to fit: any exit
    photos = pd.read_csv(tmp_path / "rep" / "photos.csv", encoding="utf-8", keep_default_na=False, dtype=str)
    assert sorted(photos["photo"]) == ["A/before.jpg", "A/caf\\xe9 latin1.jpg"]
    assert set(photos["status"]) == {"ok"}


# ---------------------------------------------------------------- names with control characters (stop 63)
NEWLINE = "new\nline.jpg"  # a newline in a file name: legal on Linux and macOS


def test_legible_escapes_control_characters_and_utf8_keeps_a_tables_lines():
    """A newline, a tab or an escape sequence in a file name was printed as it is: the name broke the one-line
    progress and summary lines in two, and ESC [ ... could recolour or rewrite the terminal."""
    assert legible(NEWLINE) == "new\\nline.jpg"
    assert legible("a\tb\rc.jpg") == "a\\tb\\rc.jpg"
    assert legible("\x1b[2Jx\x7f\x9b.jpg") == "\\x1b[2Jx\\x7f\\x9b.jpg"
    assert legible("café 顔 😀 'q\" ,;.jpg") == "café 顔 😀 'q\" ,;.jpg"  # printable names unchanged
    assert utf8("photo,status\n\"a\nb.jpg\",ok\n") == b"photo,status\n\"a\nb.jpg\",ok\n"  # a table's own lines kept


def test_cli_analyze_shows_a_name_with_a_newline_on_one_line(tmp_path, capsys):
    from facemetrics.cli import main
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(BEFORE, folder / NEWLINE)
    assert main(["analyze", str(folder), "-o", str(tmp_path / "photos.csv"), "--overlays", str(tmp_path / "ov")]) == 0
    err = capsys.readouterr().err
    assert "new\\nline.jpg: ok" in err and not any(line.startswith("line.jpg") for line in err.splitlines()), err
    table = pd.read_csv(tmp_path / "photos.csv", keep_default_na=False, dtype=str)
    assert list(table["photo"]) == ["new\\nline.jpg"] and list(table["status"]) == ["ok"]
    assert (tmp_path / "ov" / (NEWLINE + "_overlay.png")).is_file()  # the output keeps the true name


def test_batch_names_a_newline_name_on_one_line_and_its_manifest_copy_finds_it(tmp_path):
    from facemetrics.batch import discover
    d = tmp_path / "S1" / "rf"
    d.mkdir(parents=True)
    (d / "treated_at.txt").write_text("2026-11-02T10:00\n")
    shutil.copy(BEFORE, d / "before.jpg")
    shutil.copy(AFTER, d / NEWLINE)
    entries = discover(tmp_path)
    assert sorted(e.photo for e in entries) == ["S1/rf/before.jpg", "S1/rf/new\\nline.jpg"]
    m = tmp_path / "m.csv"  # a copy of photos.csv: the names as it shows them
    m.write_text("photo,subject,treatment,taken_at,treated_at\n"
                 "S1/rf/before.jpg,S1,rf,2026-11-02T08:00,2026-11-02T10:00\n"
                 "S1/rf/new\\nline.jpg,S1,rf,2026-11-02T11:30,2026-11-02T10:00\n")
    entries = discover(tmp_path, m)
    assert [(e.photo, e.taken_at, e.note) for e in entries if "line" in e.photo] == [
        ("S1/rf/new\\nline.jpg", "2026-11-02T11:30", "")]


def test_study_add_shows_a_name_with_a_newline_on_one_line(tmp_path, capsys):
    from facemetrics.cli import main
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(AFTER, folder / NEWLINE)
    assert main(["study", "add", "--store", str(tmp_path / "store"), "--subject", "A", "--treatment", "rf",
                 "--treated-at", "2026-11-02T10:00", "--no-measure", str(BEFORE), str(folder / NEWLINE)]) == 0
    out = capsys.readouterr().out
    assert "new\\nline.jpg: added (post, taken 2026-11-02 11:30" in out, out
    assert not any(line.startswith("line.jpg") for line in out.splitlines()), out


def test_the_files_passed_over_are_named_legibly(tmp_path):
    """The summary's "other files not read" and "broken symbolic link" names were the raw names: a newline
    broke the line, a Latin-1 byte reached the console as an invalid UTF-8 byte (not ``\\xe9`` as everywhere)."""
    from facemetrics.batch.discover import skipped_note
    shutil.copy(BEFORE, tmp_path / "before.jpg")
    (tmp_path / "my\nnotes.txt").write_text("x")
    raw = os.fsencode(tmp_path)
    try:
        with open(raw + b"/caf\xe9.txt", "wb") as fh:
            fh.write(b"x")
        os.symlink("/nonexistent", raw + b"/lnk\xe9")
    except OSError as exc:
        pytest.skip(f"cannot make a file whose name is not UTF-8 here: {exc}")
    note = skipped_note([tmp_path])
    assert note == ("; 2 other files not read (not a photo by their ending: caf\\xe9.txt, my\\nnotes.txt); "
                    "1 broken symbolic link not read (leading to no file: lnk\\xe9)"), note


# ---------------------------------------------------------------- an EXIF capture time that is no date (stop 63)
def _with_exif_time(src: Path, dst: Path, text: str) -> Path:
    """``src`` saved as ``dst`` with ``text`` as its EXIF DateTimeOriginal."""
    exif = Image.Exif()
    exif[0x8769] = {0x9003: text}
    Image.open(src).save(dst, quality=90, exif=exif.tobytes())
    return dst


@pytest.mark.parametrize("text, said", [
    ("0000:00:00 00:00:00", "its EXIF capture time is blank (0000:00:00 00:00:00 or spaces: the camera's clock was "
                            "not set)"),
    ("    :  :     :  :  ", "its EXIF capture time is blank (0000:00:00 00:00:00 or spaces: the camera's clock was "
                            "not set)"),
    ("2026:02:30 25:61:00", "its EXIF capture time '2026:02:30 25:61:00' is not a date"),
])
def test_an_exif_time_that_is_no_date_is_named_not_called_missing(tmp_path, text, said):
    """Before: "no capture time (no EXIF DateTimeOriginal, ...)" though the photo has one, unreadable: a camera
    whose clock was never set writes 0000:00:00 00:00:00 (the EXIF standard's 'unknown')."""
    from facemetrics.batch.tables import no_capture_time
    photo = _with_exif_time(AFTER, tmp_path / "IMG_1.jpg", text)
    reason = no_capture_time(photo.name, photo)
    assert reason.startswith(f"no capture time ({said}, none in its file name and none in the manifest): "), reason
    assert no_capture_time("x.jpg", BEFORE).startswith("no capture time (no EXIF DateTimeOriginal, ")
    assert no_capture_time("x.jpg").startswith("no capture time (no EXIF DateTimeOriginal, ")


def test_study_add_names_an_exif_time_that_is_no_date(tmp_path, capsys):
    from facemetrics.cli import main
    photo = _with_exif_time(AFTER, tmp_path / "IMG_1.jpg", "0000:00:00 00:00:00")
    main(["study", "add", "--store", str(tmp_path / "store"), "--subject", "A", "--treatment", "rf",
          "--treated-at", "2026-11-02T10:00", "--no-measure", str(photo)])
    out = capsys.readouterr().out
    assert ("IMG_1.jpg: not added - no capture time (its EXIF capture time is blank (0000:00:00 00:00:00 or spaces: the camera's "
            "clock was not set), none in its file name); give it with --taken-at") in out, out


@pytest.mark.parametrize("odd", [NEWLINE, "back\\slash.jpg"])
def test_the_study_manifest_finds_a_name_shown_with_a_backslash(tmp_path, odd):
    """A stored name shown escaped (``new\\nline.jpg``) or holding a backslash (legal on Linux) was "not in
    manifest store_manifest.csv" in `study report`: the manifest reader takes a backslash for a Windows
    separator, and only a name that is not UTF-8 was looked up so too (found by stop 63's audit)."""
    from facemetrics.batch import discover
    from facemetrics.store import Store
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(AFTER, folder / odd)
    store = Store(tmp_path / "store")
    store.add_photos("A", [BEFORE, folder / odd], treatment="rf", treated_at="2026-11-02T10:00", measure=False)
    at, table = store.manifest("A", folder=tmp_path / "links")
    shown = legible(odd)
    assert sorted(table["photo"]) == ["astronaut_before.jpg", shown]
    table.to_csv(tmp_path / "m.csv", index=False)
    found = {e.photo: e.note for e in discover(at, tmp_path / "m.csv")}
    assert found == {"astronaut_before.jpg": "", shown: ""}
