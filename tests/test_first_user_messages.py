"""Six messages a first user tripped on (first-user audit, 2026-12-05): each test failed before its fix."""

from __future__ import annotations

import pandas as pd

from facemetrics.report import excluded_lines


def test_report_does_not_say_every_photo_was_compared_above_the_comparisons_left_out():
    """report.md said "every photo was measured and compared." right above "Comparisons left out of the
    fits" listing 3 (``facemetrics demo``).  It now says how many were left out and points to the list."""
    photos = pd.DataFrame({"photo": ["a.jpg", "b.jpg"], "excluded": ["", ""]})
    left = ["`b.jpg` (S1, rf, 2 h since treatment): head pose differs"] * 3
    text = "\n".join(excluded_lines(photos, left))
    assert "measured and compared" not in text.split("### Comparisons left out")[0]
    assert "every photo was measured, but 3 comparisons read 'uncertain' were left out of the fits" in text
    assert "(listed below)" in text
    one = "\n".join(excluded_lines(photos, left[:1], ["S2, rf: the session ..."]))
    assert "1 comparison read 'uncertain' was left out of the fits and 1 follow-on session was left out" in one
    assert excluded_lines(photos)[-1] == "None: every photo was measured and compared."


def test_the_roles_table_shows_no_none_for_a_photo_without_a_capture_time():
    """The app's photo (roles) table showed the text "None" in the hours column of a photo without a
    capture time; it is blank now, as in the CSV."""
    import io
    from pathlib import Path

    from PIL import Image
    from streamlit.testing.v1 import AppTest

    root = Path(__file__).resolve().parents[1]
    def bare(name):  # the sample re-encoded without EXIF: no capture time
        buf = io.BytesIO()
        Image.open(root / "sample_images" / name).convert("RGB").save(buf, "JPEG", quality=92)
        return buf.getvalue()

    at = AppTest.from_file(str(root / "app.py"), default_timeout=180)
    at.run()
    at.file_uploader[0].set_value([("before.jpg", bare("astronaut_before.jpg"), "image/jpeg"),
                                   ("after.jpg", bare("astronaut_after.jpg"), "image/jpeg")])
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    editors = [d for d in at.dataframe if "hours_since_treatment" in d.value.columns and "role" in d.value.columns]
    assert editors, "no roles table on the page"
    hours = editors[0].value["hours_since_treatment"]
    assert hours.isna().all(), hours  # the test's premise: no capture times
    assert editors[0].proto.HasField("placeholder") and editors[0].proto.placeholder == ""


def test_a_photo_over_the_pixel_limit_is_told_what_size_works(tmp_path):
    """"too_large: ... (limit 100,000,000)" said no remedy (some phones shoot 200 MP): it names the largest
    copy of the photo's shape that is read, and that copy is read."""
    import re

    import pytest
    from PIL import Image

    from facemetrics.errors import PhotoError
    from facemetrics.loader import MAX_DECODED_PIXELS, MAX_PIXELS, load_photo

    for size, limit in (((16320, 12240), MAX_DECODED_PIXELS),  # a 200 MP phone photo's size, above Pillow's
                        ((12000, 9000), MAX_DECODED_PIXELS)):  # bomb limit, and one between the two limits
        path = tmp_path / "phone.png"  # a PNG is decoded whole: a copy is read up to the decoded limit
        Image.new("L", size).save(path)  # a flat image: a small file
        with pytest.raises(PhotoError) as ei:
            load_photo(path)
        text = str(ei.value)
        assert ei.value.status == "too_large" and "); save a smaller copy of it, at most " in text, text
        w, h = map(int, re.search(r"at most (\d+)x(\d+) pixels", text).groups())
        assert w * h <= limit < (w + 1) * (h + 1) and abs(w / h - size[0] / size[1]) < 1e-3, text
        Image.new("L", (w, h)).save(path)
        assert load_photo(path).rgb.shape[:2] == (h, w)  # the size said is read
    path = tmp_path / "phone.jpg"  # a JPEG is decoded reduced: up to the limit on the file's pixels
    Image.new("L", (12000, 9000)).save(path, quality=50)
    text = str(pytest.raises(PhotoError, load_photo, path).value)
    assert "(limit 100,000,000); save a smaller copy of it, at most 11547x8660 pixels (100 MP" in text, text
    assert 11547 * 8660 <= MAX_PIXELS


def test_a_photo_read_but_not_measured_is_said_as_a_photo_not_read_is():
    """The analyze line read "cannot be read (too_large: image is too large: ...)" for a photo the loader
    refused but "too_small - tiny.jpg: face is 30 px wide; ..." for one read and not measured: both are now
    "<what> (<status>: <why>)", the name said once, by the line's title."""
    import numpy as np

    import facemetrics
    from facemetrics.cli import _status_text

    faceless = facemetrics.analyze_photo(np.full((400, 300, 3), 128, np.uint8), name="wall.png")
    assert _status_text(faceless) == f"not measured (no_face: {faceless.error.removeprefix('wall.png: ')})"
    assert "wall.png" not in _status_text(faceless) and " - " not in _status_text(faceless)
    huge = facemetrics.analyze_photo(np.zeros((40, 40, 3), np.uint8)[:20], name="tiny.png")
    assert _status_text(huge).startswith("cannot be read (too_small: image is too small: ")


def _small_study(root, sample_path):
    from datetime import datetime

    from facemetrics.study import study

    design = {"rf": dict(peak_mm=1.0, half_life_h=6.0, lasting_mm=0.0, times_h=[-0.25, 2.0])}
    return study(sample_path, root / "study", subjects=1, design=design, max_side=480, seed=0,
                 start=datetime(2026, 11, 2, 8, 0))


def test_the_simulated_studys_manifest_has_the_byte_order_mark_of_every_other_csv(tmp_path, sample_path):
    """``facemetrics demo`` wrote results/study/manifest.csv without the byte-order mark every other CSV has
    (export.write_csv); the batch still reads it."""
    from facemetrics.batch.discover import _read_manifest
    from facemetrics.export import CSV_BOM

    info = _small_study(tmp_path, sample_path)
    data = info.manifest.read_bytes()
    assert data.startswith(CSV_BOM + b"photo,subject,treatment,taken_at,treated_at,"), data[:80]
    assert len(_read_manifest(info.manifest)) == len(info.table) == 2


def test_a_folders_own_manifest_not_given_is_named_with_the_option_that_reads_it(tmp_path, sample_path, capsys):
    """`facemetrics batch results/study` on the demo's folder said only "1 other file not read (not a photo
    by its ending: manifest.csv)": a CSV with the manifest's columns now gets "... looks like a manifest:
    give it with --manifest FILE" when a photo was left out, and "not needed here" when the folders placed and
    timed every photo (the demo's own folder, where the bare suggestion read as if the batch had missed
    something: a newcomer's walkthrough, stop 52); a CSV of other columns, or the manifest given, gets neither."""
    import shutil

    from facemetrics.batch.console import skipped_lines
    from facemetrics.cli import main

    info = _small_study(tmp_path, sample_path)
    (info.folder / "notes.csv").write_text("when,what\n2026-11-02,coffee\n")
    (info.folder / "S01" / "extra.csv").write_bytes("\ufeffPhoto;Treated at\nS01/rf/a.jpg;2026-11-02T08:00\n"
                                                     .encode())
    main(["batch", str(info.folder), "-o", str(tmp_path / "out"), "--workers", "1"])
    out = capsys.readouterr().out
    assert "no photo left out" in out, out
    head = "manifest.csv looks like a manifest (its columns photo, subject, treatment, taken_at, treated_at): "
    said = (f"{head}not needed here, every photo was placed and timed without it (--manifest "
            f"{info.folder / 'manifest.csv'} would read it instead)")
    assert said in out, out
    assert "S01/extra.csv looks like a manifest (its columns photo, treated_at): not needed here" in out, out
    assert "notes.csv looks like" not in out and "give it with" not in out, out
    # `study import` of the same folder says it as `batch` does (it said "give it with --manifest": stop 66)
    assert main(["study", "import", str(info.folder), "--store", str(tmp_path / "store"), "--no-measure"]) == 0
    out = capsys.readouterr().out
    assert said in out and "give it with" not in out, out

    # a photo the folders cannot place (no treated_at.txt above it): the manifest is what would place it
    shutil.copy(next(info.folder.rglob("*.jpg")), info.folder / "loose.jpg")
    main(["batch", str(info.folder), "-o", str(tmp_path / "out2"), "--workers", "1"])
    out = capsys.readouterr().out
    assert "1 photo left out" in out, out
    assert f"{head}give it with --manifest {info.folder / 'manifest.csv'}" in out, out
    assert "S01/extra.csv looks like a manifest (its columns photo, treated_at): give it with --manifest" in out, out
    assert "not needed here" not in out, out
    main(["study", "import", str(info.folder), "--store", str(tmp_path / "store2"), "--no-measure"])
    out = capsys.readouterr().out
    assert f"{head}give it with --manifest {info.folder / 'manifest.csv'}" in out and "not needed here" not in out, out
    given = skipped_lines(info.folder, info.manifest)
    assert not any("looks like a manifest" in x for x in given), given


def test_the_quality_flags_say_what_their_numbers_are_measured_in():
    """"smile score 4.93, limit 1.35", "opening 0.174": bare numbers.  Each flag now says what its number
    is a ratio of (from quality.py's own definitions), and the smile score's unit (SD of neutral faces)."""
    from facemetrics.quality import MAX_MOUTH_OPENING, MAX_SMILE_SCORE, MIN_SHARPNESS, quality_flags

    q = dict(yaw_deg=0.0, pitch_deg=0.0, roll_deg=0.0, sharpness=0.5, face_luminance=120.0, clipped_fraction=0.0,
             smile_score=4.93, mouth_opening_ratio=0.174)
    flags = {f.split(" (")[0]: f for f in quality_flags(q, 0.2)}
    assert flags["smiling"].startswith(f"smiling (smile score 4.93 ± 0.18 SD, limit {MAX_SMILE_SCORE} SD: ")
    assert "over the distance between the pupils" in flags["smiling"] and "neutral faces" in flags["smiling"]
    assert flags["mouth open"] == (f"mouth open (opening 0.174, limit {MAX_MOUTH_OPENING}: the gap between the "
                                   "inner lips over the mouth's width)")
    assert flags["blurry"].startswith(f"blurry (sharpness 0.5, limit {MIN_SHARPNESS}: the variance of the Laplacian")
    assert "mm/px" in flags["blurry"]
    assert not any(";" in f for f in flags.values())  # quality_flags joins the flags with "; "
