"""A folder named like a photo (``x.jpg/``) is a photo's path that names a folder: it gets the row
``x.jpg: is a folder, not a photo`` in ``batch``, ``analyze`` and ``study add``, never the silence of an
empty folder (bad-input audit h6, 2026-12-05)."""
from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

import facemetrics as fm
from facemetrics.batch import find_study_photos
from facemetrics.cli import find_photos_labelled
from facemetrics.store import Store


def _study(tmp_path):
    (tmp_path / "S01" / "x.jpg").mkdir(parents=True)
    Image.fromarray(np.full((300, 300, 3), 128, np.uint8)).save(tmp_path / "S01" / "a.jpg")
    return tmp_path


def test_the_finder_lists_a_photo_named_folder_holding_no_photo(tmp_path):
    folder = _study(tmp_path)
    assert find_study_photos(folder) == [folder / "S01" / "a.jpg", folder / "S01" / "x.jpg"]


def test_a_photo_named_folder_holding_photos_is_a_folder(tmp_path):
    folder = _study(tmp_path)
    Image.fromarray(np.full((300, 300, 3), 128, np.uint8)).save(folder / "S01" / "x.jpg" / "b.png")
    assert find_study_photos(folder) == [folder / "S01" / "a.jpg", folder / "S01" / "x.jpg" / "b.png"]


def test_the_loader_says_it_is_a_folder_not_a_photo(tmp_path):
    folder = _study(tmp_path)
    with pytest.raises(fm.PhotoError, match=r"^x\.jpg: is a folder, not a photo$") as info:
        fm.load_photo(folder / "S01" / "x.jpg")
    assert info.value.status == "unreadable"


def test_analyze_and_study_add_get_a_row_for_the_folder_given_as_a_photo(tmp_path):
    folder = _study(tmp_path)
    given = folder / "S01" / "x.jpg"
    assert [p for p, _ in find_photos_labelled([str(given)])] == [given]  # was []: "no photos found"
    with Store(tmp_path / "st.db", lazy=True) as store:
        (result,) = store.add_photos("anna", [given], measure=False)
    assert result.status == "error" and result.message.endswith("is a folder, not a photo")


def test_batch_gives_the_folder_a_row_saying_so(tmp_path):
    from facemetrics.batch import run_batch

    study = tmp_path / "study"
    (study / "S01" / "rf" / "x.jpg").mkdir(parents=True)
    Image.fromarray(np.full((64, 64, 3), 128, np.uint8)).save(study / "S01" / "rf" / "a.jpg")
    res = run_batch(study, tmp_path / "out", workers=1, progress=False, compare=False)
    rows = {r["photo"]: r for r in res.photo_rows}
    assert "S01/rf/x.jpg" in rows, sorted(rows)
    row = rows["S01/rf/x.jpg"]
    assert row["status"] == "unreadable" and "is a folder, not a photo" in row["error"], row
