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
