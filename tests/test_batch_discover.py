"""`batch`'s own photos.csv, copied and filled in, reads as its manifest: the remedy `batch` prints for photos
without a capture time (a first-time user's session, 2026-12-05; facemetrics.cli._no_capture_time_lines)."""

from __future__ import annotations

import pandas as pd
from PIL import Image

from facemetrics.batch import discover
from facemetrics.cli import main


def test_a_copy_of_photos_csv_with_a_taken_at_filled_in_reads_as_the_manifest(tmp_path, capsys):
    session = tmp_path / "study" / "me" / "rf"
    session.mkdir(parents=True)
    (session / "treated_at.txt").write_text("2026-12-01 08:00\n")
    for name in ("IMG-20261202-WA0003.jpg", "Screenshot 2026-12-02 Zoë.png"):  # too small to measure: fast
        Image.new("RGB", (8, 8)).save(session / name)
    assert main(["batch", str(tmp_path / "study"), "-o", str(tmp_path / "out")]) == 0
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
                 str(tmp_path / "out" / "photos_fixed.csv")]) == 0
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

    for i, text in enumerate(("2026-12-01 8:00 am", "01/12/2026 08:00", "2026-12-01 08:00 CET")):
        d = tmp_path / f"s{i}" / "me" / "rf"
        d.mkdir(parents=True)
        (d / "pre.jpg").write_bytes(b"x")
        (d / "treated_at.txt").write_text(text + "\n")
        (e,) = discover(tmp_path / f"s{i}")
        assert e.treated_at == "" and e.note == (f"treated_at.txt in me/rf: {text!r} is not a time facemetrics "
                                                 f"reads: write it as {ACCEPTED_TIME_FORMS} (24-hour time, the "
                                                 "date as year-month-day, a UTC offset rather than a zone name "
                                                 "such as CET)"), e.note
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
    assert main(["analyze", str(tmp_path), "-o", str(tmp_path / "out" / "photos.csv")]) == 0
    assert main(["analyze", str(tmp_path), "-o", str(tmp_path / "out" / "photos.csv")]) == 0
    assert list(pd.read_csv(tmp_path / "out" / "photos.csv")["photo"]) == ["mine.png"]
    assert "1 PNG that facemetrics wrote not read (out/overlays/mine.png_overlay.png)" in capsys.readouterr().out
    assert main(["analyze", str(tmp_path / "out" / "overlays" / "mine.png_overlay.png"), "-o",
                 str(tmp_path / "direct.csv")]) == 0  # given by name: read (too small here, still its row)
    assert len(pd.read_csv(tmp_path / "direct.csv")) == 1
