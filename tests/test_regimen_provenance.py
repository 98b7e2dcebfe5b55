"""The regimen batch's ``photos.csv`` says where each photo's time came from as the main ``photos.csv`` does
(h8, stop 47): its manifest copies each baseline's ``taken_at`` from the main table, so its batch said ``manifest``
for every photo, also for times read from EXIF or a file name.  Small synthetic photos, no face (fast)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from PIL import Image

from facemetrics.batch.runner import Provenance
from facemetrics.regimen import regimen_provenance, run_regimen_batch

NAMED = "PXL_20261102_070000000.png"


def _rows():
    """A main ``photos.csv`` of one subject's baselines in two sessions: an EXIF time, a file name's time, a
    manifest time."""
    base = dict(subject="ann", treatment="mc", role="baseline")
    return [dict(base, photo="a.png", taken_at="2026-11-01T07:00:00", taken_at_source="exif",
                 treated_at="2026-11-01T08:00"),
            dict(base, photo=NAMED, taken_at="2026-11-02T07:00:00", taken_at_source="file_name",
                 treated_at="2026-11-02T08:00"),
            dict(base, photo="c.png", taken_at="2026-11-03T07:00:00", taken_at_source="manifest",
                 treated_at="2026-11-03T08:00")]


def test_regimen_photos_csv_keeps_the_main_tables_time_sources(tmp_path):
    """Before: ``manifest`` for all three."""
    folder = tmp_path / "photos"
    folder.mkdir()
    for i, name in enumerate(["a.png", NAMED, "c.png"]):
        Image.fromarray(np.full((40, 40, 3), 40 * i, np.uint8)).save(folder / name)
    run_regimen_batch(folder, tmp_path / "out", _rows(), workers=1)
    got = pd.read_csv(tmp_path / "out" / "regimen" / "photos.csv", dtype=str, keep_default_na=False)
    assert got.set_index("photo")["taken_at_source"].to_dict() == {
        "a.png": "exif", NAMED: "file_name", "c.png": "manifest"}


def test_a_given_provenance_wins_and_keeps_its_note():
    """The store's provenance (``study report``) is passed on: its source where it has one, its note always."""
    got = regimen_provenance(pd.DataFrame(_rows()), {"a.png": Provenance("typed", "frame 1 of 3"),
                                                     "c.png": Provenance("", "kept")})
    assert got["a.png"] == Provenance("typed", "frame 1 of 3")
    assert got["c.png"] == Provenance("manifest", "kept")
    assert got[NAMED] == Provenance("file_name", "")
