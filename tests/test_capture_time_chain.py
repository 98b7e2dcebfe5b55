"""One chain from a photo's times to its capture time (stop 46, 2026-12-05): a time the user gave, else EXIF, else
the file name's (``timekeys.capture_time_of``).  The batch read file-name times; ``analyze`` and ``compare`` on
single files did not (an ``analyze`` row of ``IMG_20261124_080000.png`` without EXIF had no ``taken_at``).  They now
read them by the same function and say where each time came from."""

from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace

import pandas as pd
from PIL import Image

from facemetrics.cli import _capture_time_lines, main
from facemetrics.timekeys import capture_time_of


def test_the_chain_given_then_exif_then_the_file_name():
    name = "IMG_20261124_080000.jpg"
    assert capture_time_of("2026-11-24T07:00", "2026-11-24T09:00:00", name) == ("2026-11-24T07:00", "manifest")
    assert capture_time_of("2026-11-24T07:00", None, name, given_as="typed") == ("2026-11-24T07:00", "typed")
    assert capture_time_of("", datetime(2026, 11, 24, 9), name) == ("2026-11-24T09:00:00", "exif")
    assert capture_time_of(float("nan"), "", name) == ("2026-11-24T08:00:00", "file_name")
    assert capture_time_of(None, None, "photo.jpg") == ("", "")
    assert capture_time_of("", "", "IMG_10001124_080000.jpg") == ("", "")  # no year a capture time has


def test_analyze_reads_a_file_name_time_and_says_its_source(tmp_path, capsys):
    for name in ("IMG_20261124_080000.png", "Screenshot 2026-11-24 at 9.30.00 PM.png", "plain.png"):
        Image.new("RGB", (8, 8)).save(tmp_path / name)
    out = tmp_path / "photos.csv"
    main(["analyze", str(tmp_path / "IMG_20261124_080000.png"), str(tmp_path / "Screenshot 2026-11-24 at 9.30.00 PM.png"),
          str(tmp_path / "plain.png"), "-o", str(out)])
    capsys.readouterr()
    table = pd.read_csv(out, dtype=str, keep_default_na=False).set_index("photo")
    assert list(table.columns)[-1] == "taken_at_source"
    got = {p: (t, s) for p, t, s in zip(table.index, table["taken_at"], table["taken_at_source"])}
    assert got == {"IMG_20261124_080000.png": ("2026-11-24T08:00:00", "file_name"),
                   "Screenshot 2026-11-24 at 9.30.00 PM.png": ("2026-11-24T21:30:00", "file_name"),
                   "plain.png": ("", "")}, got


def test_compare_says_each_capture_time_and_its_source():
    c = SimpleNamespace(before=SimpleNamespace(taken_at=None), after=SimpleNamespace(taken_at=datetime(2026, 11, 24, 10)))
    assert _capture_time_lines(c, "x/Screenshot_20261124-070000.png", "after.jpg") == [
        "capture times: before 2026-11-24T07:00:00 (its file name), after 2026-11-24T10:00:00 (EXIF)"]
    c = SimpleNamespace(before=SimpleNamespace(taken_at=None), after=SimpleNamespace(taken_at=None))
    assert _capture_time_lines(c, "before.png", "after.png") == []
    assert _capture_time_lines(c, "before.png", "IMG_20261124_100000.jpg") == [
        "capture times: before unknown, after 2026-11-24T10:00:00 (its file name)"]
