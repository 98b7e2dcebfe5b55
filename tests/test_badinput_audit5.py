"""Stop 65's bad input, fifth look (docs/robustness.md "Stop 65: bad input, fifth look"): what stop 64's look left,
and the command line's inputs the earlier looks did not try.  Each test failed on main at 2677c04 unless its
docstring says it shows what stays."""

from __future__ import annotations

import pytest

from test_badinput_audit4 import _european, _fitted, _long_text, _timeline


def test_a_one_row_long_csv_without_its_line_end_is_read(tmp_path, capsys):
    """Before: "long.csv ends in the middle of its last row ..." (its version had no other row's to match), though a
    whole last row without its line end is read in a longer table (a spreadsheet's save drops it).  Written by the
    running version (review r3: 0.2.41, as it was, is refused after a minor release, which knows no 0.2 version)."""
    from facemetrics import __version__

    rc, err = _timeline(tmp_path, _long_text(1).rstrip("\n").replace("0.2.41", __version__), capsys)
    assert rc == 0 and "cut short" not in err, err


@pytest.mark.parametrize("version", ["0.2.4", "0.2", "0."])
def test_a_one_row_long_csv_cut_inside_its_version_is_still_refused(tmp_path, capsys, version):
    """Shows what stays: a version that a later one begins with (0.2.4 of 0.2.40 to 0.2.42) could be cut."""
    rc, err = _timeline(tmp_path, _long_text(1).rstrip("\n").replace("0.2.41", version), capsys)
    assert rc == 2 and "ends in the middle of its last row" in err, err


def test_a_european_number_with_a_thousands_point_is_read(tmp_path, capsys):
    """Before: ``1.234,5`` (hours written with a thousands separator) was left as text, the row read as having no
    number; decimal commas alone were converted."""
    from facemetrics.batch.timeline import long_csv_reading

    content = _european(";").replace(";48;", ";1.234,5;", 1)
    assert ";1.234,5;" in content
    (tmp_path / "long.csv").write_text(content, encoding="utf-8")
    text, note = long_csv_reading(tmp_path / "long.csv")
    assert ",1234.5," in text and "its 18 decimal commas read as decimal points" in note, (text, note)
    rc, err, got = _fitted(tmp_path, content, capsys)
    assert rc == 0 and "not numbers" not in err, err


def test_the_unread_note_takes_its_jpeg_quality_limit_from_the_constant():
    """Before: decay/left_out.py wrote "below 70" in its text (a test tied it to quality.MIN_JPEG_QUALITY, so a new
    limit would fail that test rather than change the note)."""
    import ast
    import inspect

    from facemetrics import quality
    from facemetrics.decay import left_out

    texts = [n.value for n in ast.walk(ast.parse(inspect.getsource(left_out)))
             if isinstance(n, ast.Constant) and isinstance(n.value, str)]
    assert not [t for t in texts if f"below {quality.MIN_JPEG_QUALITY}" in t]
    assert f"low JPEG quality (below {quality.MIN_JPEG_QUALITY} of 100" in left_out.UNREAD_NOTE


def test_the_fits_progress_ends_on_its_total_when_a_series_loses_a_subject(tmp_path, monkeypatch, capsys):
    """Before: the total counted each series' subjects before its follow-on sessions were left out, so a subject
    (or a series' second subject) left out was never counted done and `timeline` ended on "fitted 400 of 404
    series".  Here a subject's rows are left out as a follow-on session would leave them."""
    from test_cli import _three_subjects_long

    import facemetrics.cli as cli
    from facemetrics.batch import run_timeline
    from facemetrics.decay import claim

    kept = claim._without_follow_on

    def without_c(grp, order, **kw):
        rows, later, fit = kept(grp, order, **kw)
        return rows[rows["subject"] != "C"], later, fit

    monkeypatch.setattr(claim, "_without_follow_on", without_c)
    _three_subjects_long(tmp_path)
    calls = []
    run_timeline(tmp_path, n_boot=0, progress=lambda done, total: calls.append((done, total)))
    assert calls[-1] == (4, 4) and [d for d, _ in calls] == sorted(set(d for d, _ in calls)), calls
    monkeypatch.setattr(cli, "PROGRESS_MIN_SERIES", 4)
    monkeypatch.setattr(cli, "PROGRESS_LINES", 2)
    show = cli.fit_progress("timeline")
    for done in (1, 3, 4):  # 2 skipped by a left-out subject: the line for it is said at 3
        show(done, 4)
    assert capsys.readouterr().err.splitlines()[1:] == ["facemetrics timeline: fitted 3 of 4 series",
                                                        "facemetrics timeline: fitted 4 of 4 series"]


def _rgb8():
    import numpy as np

    rng = np.random.default_rng(65)
    return rng.integers(0, 256, (40, 56, 3), dtype=np.uint8)


@pytest.mark.parametrize("ext", [".png", ".tiff"])
@pytest.mark.parametrize("alpha", [False, True])
def test_a_16bit_colour_file_of_8bit_values_reads_as_its_colours_and_says_so(ext, alpha):
    """Before: OpenCV's (and tifffile's) write of an 8-bit photo as ``astype(uint16)`` read all black (Pillow keeps
    each 16-bit sample's high byte, 0 here), so the photo was `no_face` "is the face visible ... well lit?"; a grey
    one was read as 8-bit since stop 64, without a word."""
    import cv2
    import numpy as np

    from facemetrics.loader import load_photo

    rgb = _rgb8()
    img = np.dstack([rgb, np.full(rgb.shape[:2], 255, np.uint8)]) if alpha else rgb
    ok, buf = cv2.imencode(ext, cv2.cvtColor(img, cv2.COLOR_RGBA2BGRA if alpha else cv2.COLOR_RGB2BGR).astype(np.uint16))
    assert ok
    photo = load_photo(buf.tobytes(), name="x" + ext)
    assert np.array_equal(photo.rgb, rgb) and photo.alpha is None
    (note,) = photo.warnings
    assert note.startswith(f"16-bit {'PNG' if ext == '.png' else 'TIFF'} whose largest value is 255 of 65535: read "
                           "as an 8-bit picture (0-255)") and "257 times too high" in note, note


def test_a_16bit_grey_file_of_8bit_values_says_so_and_a_scaled_one_does_not():
    """Before: read as 8-bit without a word (the file cannot tell it from a 16-bit photo 257 times darker)."""
    import cv2
    import numpy as np

    from facemetrics.loader import load_photo

    grey = _rgb8()[..., 1]
    for values, said in ((grey.astype(np.uint16), True), (grey.astype(np.uint16) * 257, False)):
        photo = load_photo(cv2.imencode(".png", values)[1].tobytes(), name="g.png")
        assert np.array_equal(photo.rgb[..., 0], grey)
        assert bool(photo.warnings) == said and (not said or "16-bit PNG whose largest value is" in photo.warnings[0])
    black = load_photo(cv2.imencode(".png", np.zeros((40, 56, 3), np.uint16))[1].tobytes(), name="b.png")
    assert black.warnings == () and int(black.rgb.max()) == 0  # black stays black, without a word


def _two_photo_folder(folder):
    """``folder`` holding two small files named like photos (what is found is the point, not what is measured)."""
    folder.mkdir(parents=True)
    for name in ("a.jpg", "b.jpg"):
        (folder / name).write_bytes(b"x")
    return folder


def test_a_linked_folder_is_searched_and_a_link_back_is_named(tmp_path):
    """Before: a subject's folder linked in from elsewhere (``S02 -> ../real/S02``) was not searched, its photos
    left out of `batch` and `analyze` without a word; a link back to a folder above (``loop -> ..``) was passed
    over without a word too (it is still not followed: it never ends)."""
    from facemetrics.batch import find_study_photos
    from facemetrics.batch.discover import skipped_note

    study = tmp_path / "study"
    _two_photo_folder(study / "S01" / "rf")
    _two_photo_folder(tmp_path / "real" / "S02" / "rf")
    (study / "S02").symlink_to(tmp_path / "real" / "S02")
    (study / "S01" / "rf" / "loop").symlink_to("..")
    found = [p.relative_to(study).as_posix() for p in find_study_photos(study)]
    assert found == ["S01/rf/a.jpg", "S01/rf/b.jpg", "S02/rf/a.jpg", "S02/rf/b.jpg"], found
    assert skipped_note([study]) == "; 1 folder not searched for photos: S01/rf/loop (a link back to a folder above it)"



def test_a_link_to_a_folder_that_holds_the_searched_one_is_not_followed(tmp_path):
    """Before (review r3): ``up -> ..`` at the top of the searched folder (or a link to the home folder) was
    followed: the folder around it was searched, its other photos measured as the study's (and the output file
    beside it named as a file not read), and only the searched folder, met again inside, named as a link back."""
    from facemetrics.batch import find_study_photos
    from facemetrics.batch.discover import skipped_note

    study = tmp_path / "study"
    _two_photo_folder(study / "S01" / "rf")
    _two_photo_folder(tmp_path / "elsewhere")
    (study / "up").symlink_to(tmp_path)
    found = [p.relative_to(study).as_posix() for p in find_study_photos(study)]
    assert found == ["S01/rf/a.jpg", "S01/rf/b.jpg"], found
    assert skipped_note([study]) == "; 1 folder not searched for photos: up (a link back to a folder above it)"

def test_a_folder_without_read_permission_is_named(tmp_path, monkeypatch):
    """Before: a folder that cannot be listed (no read permission) was passed over by ``Path.rglob`` without a word,
    its photos left out.  (The tests run as root, who may list any folder: the refusal is made here.)"""
    from pathlib import Path

    from facemetrics.batch import find_study_photos
    from facemetrics.batch.discover import skipped_note

    study = tmp_path / "study"
    _two_photo_folder(study / "S01" / "rf")
    _two_photo_folder(study / "S02" / "rf")
    locked = study / "S02"
    iterdir, listdir = Path.iterdir, __import__("os").listdir

    def refuse(path):
        if Path(path) == locked:
            raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(Path, "iterdir", lambda self: refuse(self) or iterdir(self))
    monkeypatch.setattr("os.listdir", lambda path=".": refuse(path) or listdir(path))
    assert [p.relative_to(study).as_posix() for p in find_study_photos(study)] == ["S01/rf/a.jpg", "S01/rf/b.jpg"]
    assert skipped_note([study]) == "; 1 folder not searched for photos: S02 (no permission to list it)"


def test_without_pillow_heif_a_heic_is_one_row_and_other_photos_are_read(tmp_path):
    """Before: without pillow-heif (a dependency, missing from a broken install) ``import facemetrics.loader`` raised
    ModuleNotFoundError, so every command, ``--help`` too, ended with a traceback.  Now the loader reads every other
    format and refuses a HEIC saying what to install."""
    import os
    import subprocess
    import sys

    import pillow_heif
    from PIL import Image

    pillow_heif.register_heif_opener()
    picture = Image.fromarray(_rgb8())
    picture.save(tmp_path / "p.heic")
    picture.save(tmp_path / "p.png")
    code = ("import sys; sys.modules['pillow_heif'] = None\n"
            "from facemetrics.loader import PhotoError, load_photo\n"
            "print(load_photo(sys.argv[2]).size)\n"
            "try:\n    load_photo(sys.argv[1])\nexcept PhotoError as exc:\n    print(exc.status, '|', exc)\n")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    done = subprocess.run([sys.executable, "-c", code, str(tmp_path / "p.heic"), str(tmp_path / "p.png")],
                          capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "(56, 40)", "not_an_image | p.heic: HEIC/HEIF photo, but pillow-heif, the package facemetrics reads HEIC "
        "with, is not installed: install it (pip install pillow-heif), or save the photo as JPEG"], done.stdout


def test_compare_says_which_page_of_a_tiff_it_measured(tmp_path, capsys):
    """Before: `compare` of a 2-page TIFF measured its first page without a word (`analyze` and `batch` say it in
    their warnings column)."""
    from pathlib import Path

    from PIL import Image

    from facemetrics.cli import main

    samples = Path(__file__).resolve().parents[1] / "sample_images"
    after = Image.open(samples / "astronaut_after.jpg").convert("RGB")
    after.save(tmp_path / "after.tiff", save_all=True, append_images=[after.convert("L").convert("RGB")])
    assert main(["compare", str(samples / "astronaut_before.jpg"), str(tmp_path / "after.tiff"),
                 "-o", str(tmp_path / "out")]) == 0
    out = capsys.readouterr().out
    assert "\n  ! after photo: TIFF file holds 2 pages; only the first was measured\n" in out, out
    assert "before photo:" not in out


# ---------------------------------------------------------------- review r3: a thousands separator the table's
# decimal mark tells


def test_a_whole_number_with_a_thousands_point_in_a_decimal_comma_table_is_read_as_thousands(tmp_path, capsys):
    """Before (review r3): ``1.008`` (1008 hours, a spreadsheet's "#,##0" format) in a table whose other numbers
    have decimal commas read 1.008 hours, without a word, while ``1.008,5`` read 1008.5."""
    from facemetrics.batch.timeline import long_csv_reading

    content = _european(";").replace(";48;", ";1.008;", 1)
    (tmp_path / "long.csv").write_text(content, encoding="utf-8")
    text, note = long_csv_reading(tmp_path / "long.csv")
    assert ",1008," in text and ",1.008," not in text, text
    assert "1 number written with a thousands separator read as such (row 9's hours_since_treatment 1.008 as " \
           "1008)" in note, note


def test_a_whole_number_with_a_thousands_comma_in_a_decimal_point_table_is_read_as_thousands(tmp_path):
    """Before (review r3): ``1,008`` in a tab-separated table whose numbers have decimal points (an English
    spreadsheet's "Text (Tab delimited)" save) read 1.008: every comma was taken for a decimal one."""
    from facemetrics.batch.timeline import long_csv_reading

    rows = [line.split(",") for line in _long_text().splitlines()]
    rows[-1][2] = "1,008"
    (tmp_path / "long.csv").write_text("\n".join("\t".join(r) for r in rows) + "\n", encoding="utf-8")
    text, note = long_csv_reading(tmp_path / "long.csv")
    assert ',1008,' in text and "decimal comma" not in note, (text, note)


@pytest.mark.parametrize("cell, mark, read", [
    ("-12.345.678,9", ",", "-12345678.9"), ("0,35", ",", "0.35"), ("1,5e-3", ",", "1.5e-3"),
    ("1\u00a0234,5", ",", "1234.5"), ("1.008", ",", "1008"), ("1.008", ".", "1.008"), ("1,008", ".", "1008"),
    ("1,008", ",", "1.008"), ("0.350,5", ",", None), ("1.23,4", ",", None), ("1.234.5", ".", None),
    ("24", ",", "24"), ("abc", ",", None), ("1.234", "", "1.234"), ("1,234", "", "1.234"), ("1.234,5", "", "1234.5")])
def test_how_a_number_reads_under_a_decimal_mark(cell, mark, read):
    """Points or commas between groups of three digits are a thousands separator when the other mark is the
    decimal one; a first group of 0 or groups of other sizes are no separator (the cell is left as written)."""
    from facemetrics.batch.timeline import _plain_number

    assert _plain_number(cell, mark) == read


@pytest.mark.parametrize("running, version, whole", [
    ("0.3.0", "0.3.0", True), ("1.0.0", "1.0.0", True), ("0.2.42", "0.2.0", True), ("0.2.42", "0.2.42", True),
    ("0.2.42", "0.2.4", False), ("0.3.0", "0.3", False), ("0.2.5", "0.2.5", True)])
def test_a_one_row_tables_version_written_by_a_x_y_0_release_is_whole(monkeypatch, running, version, whole):
    """Before (review r3): a patch number 0 was read as cut (``0.3.0`` taken for the start of ``0.3.00``, which no
    version is), so after a release X.Y.0 every one-row long.csv it wrote without a last line end was refused as cut
    short."""
    from facemetrics import _version
    from facemetrics.batch.timeline import _whole_version

    monkeypatch.setattr(_version, "__version__", running)
    assert _whole_version(version) is whole



def test_compare_picks_every_loader_note_on_how_a_file_was_read():
    """`compare` picks the loader's page and 8-bit notes out of a photo's warnings by their words (review r3: a
    reworded note would vanish from its lines without a test failing); each of the loader's own notes is picked,
    a calibration warning is not."""
    from types import SimpleNamespace

    from PIL import Image

    from facemetrics import loader
    from facemetrics.cli import _file_note_lines

    grey = Image.new("I;16", (4, 4), 200)
    notes = [loader._frames_note(Image.new("RGB", (4, 4)), fmt, 2) for fmt in ("TIFF", "GIF", "HEIF", "ICO")]
    apng = Image.new("RGB", (4, 4))
    apng.info["default_image"] = True
    notes += [loader._frames_note(apng, "PNG", 3)]
    notes += [loader._eight_bit_note(grey, "PNG", 200), loader._eight_bit_note(Image.new("I", (4, 4), 9), "TIFF", 9)]
    photo = SimpleNamespace(ok=True, warnings=tuple(notes) + ("the iris scale disagrees between the eyes",))
    lines = _file_note_lines(SimpleNamespace(before=None, after=photo))
    assert lines == [f"  ! after photo: {n}" for n in notes], lines


def test_folders_linked_to_each_other_are_each_searched_once(tmp_path):
    """Before (review r3): every link between folders of the study was followed, so a photo was found once for each
    path to it: seven subject folders each linking to the six others found 95 900 paths (10 s per search, and a
    search runs four or five times a command), a photo up to 1957 times.  A link to a folder inside the searched one
    is not followed (the folder is searched in its own place) and is named."""
    import os

    from facemetrics.batch import find_study_photos
    from facemetrics.batch.discover import skipped_note

    for i in range(7):
        _two_photo_folder(tmp_path / f"S{i}")
    for i in range(7):
        for j in range(7):
            if i != j:
                os.symlink(tmp_path / f"S{j}", tmp_path / f"S{i}" / f"to{j}")
    found = [p.relative_to(tmp_path).as_posix() for p in find_study_photos(tmp_path)]
    assert found == [f"S{i}/{n}" for i in range(7) for n in ("a.jpg", "b.jpg")], found[:20]
    assert skipped_note([tmp_path]).startswith("; 42 folders not searched for photos: S0/to1 (a link to S1, searched "
                                               "in its own place), "), skipped_note([tmp_path])


def test_two_links_to_one_folder_outside_are_searched_once(tmp_path):
    """Before (review r3): ``S1 -> X`` and ``S2 -> X`` found X's photos twice (`analyze` measured each twice without
    a word; `batch` filed them under two subjects and said so).  The first link (in name order) is searched, the
    other named."""
    from facemetrics.batch import find_study_photos
    from facemetrics.batch.discover import skipped_note

    _two_photo_folder(tmp_path / "X")
    study = tmp_path / "study"
    study.mkdir()
    (study / "S1").symlink_to(tmp_path / "X")
    (study / "S2").symlink_to(tmp_path / "X")
    found = [p.relative_to(study).as_posix() for p in find_study_photos(study)]
    assert found == ["S1/a.jpg", "S1/b.jpg"], found
    assert skipped_note([study]) == ("; 1 folder not searched for photos: S2 (a link to the folder S1 leads to, "
                                     "searched there)")


def test_a_link_to_a_hidden_folder_inside_is_followed(tmp_path):
    """A link to a folder inside the searched one that the search passes over (hidden: ``S02 -> .data/S02``) is
    followed, as a link to a folder outside is: it is searched in no other place."""
    from facemetrics.batch import find_study_photos
    from facemetrics.batch.discover import skipped_note

    _two_photo_folder(tmp_path / ".data" / "S02")
    (tmp_path / "S02").symlink_to(tmp_path / ".data" / "S02")
    assert [p.relative_to(tmp_path).as_posix() for p in find_study_photos(tmp_path)] == ["S02/a.jpg", "S02/b.jpg"]
    assert skipped_note([tmp_path]) == ""
