"""An output facemetrics wrote and the user then edited is not written over (``facemetrics.ledger``): every
output file is entered with its size and SHA-256 in its folder's ``.facemetrics-outputs``; a marked file
whose bytes differ (a column added in a spreadsheet, or only re-saved with CRLF) stops the command like a
file facemetrics did not write; one without an entry (an earlier version's) is judged by its mark alone.
And a study folder without manifest.csv is found before any work (validate, demo)."""

from __future__ import annotations

import json
import shutil
import threading
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import facemetrics.ledger as ledger
from facemetrics import __version__
from facemetrics.cli import main
from facemetrics.export import write_bytes, write_csv, write_png, write_rows_csv
from facemetrics.ledger import LEDGER_NAME
from facemetrics.outputs import OverwriteRefused, not_written_by_facemetrics, refuse_foreign_outputs, remove_earlier

SAMPLES = Path(__file__).resolve().parents[1] / "sample_images"
CHANGED = "changed since facemetrics wrote it"


def _table(path: Path, value: float = 1.5) -> None:
    write_csv(pd.DataFrame({"photo": ["a.jpg"], "jawline_lift_mm": [value], "facemetrics_version": [__version__]}),
              path)


def _entries(folder: Path) -> dict:
    return json.loads((folder / LEDGER_NAME).read_text(encoding="utf-8"))["files"]


def test_an_edited_table_is_refused_an_untouched_one_replaced(tmp_path):
    f = tmp_path / "photos.csv"
    _table(f)
    entry = _entries(tmp_path)["photos.csv"]
    assert entry["size"] == f.stat().st_size and entry["facemetrics_version"] == __version__
    assert not_written_by_facemetrics(f) == ""
    refuse_foreign_outputs(tmp_path, ["photos.csv"], command="batch")  # untouched: replaced by a re-run
    original = f.read_bytes()
    edits = {
        "a column added": original.replace(b"facemetrics_version\n", b"facemetrics_version,my notes\n")
                                  .replace(f"{__version__}\n".encode(), f"{__version__},looks good\n".encode()),
        "Excel's re-save (CRLF, nothing else)": original.replace(b"\n", b"\r\n"),
        "a value typed over": original.replace(b"1.5", b"1.4"),
        "a byte-order mark": b"\xef\xbb\xbf" + original,
    }
    for what, data in edits.items():
        f.write_bytes(data)
        assert not_written_by_facemetrics(f).startswith(CHANGED), what
        with pytest.raises(OverwriteRefused) as e:
            refuse_foreign_outputs(tmp_path, ["photos.csv", "long.csv"], command="batch")
        msg = str(e.value)
        assert msg.startswith(f"will not overwrite {f} ({CHANGED}"), msg
        assert msg.endswith("move or rename it, give another output folder (-o), or add --force to replace it"), msg
        assert f.read_bytes() == data  # nothing written
        removed, left = remove_earlier(tmp_path, ["photos.csv"])  # never removed either
        assert removed == [] and left[0].startswith(f"photos.csv ({CHANGED}") and f.read_bytes() == data
    refuse_foreign_outputs(tmp_path, ["photos.csv"], force=True)  # --force: replaced, and entered again
    _table(f, 2.0)
    assert not_written_by_facemetrics(f) == "" and _entries(tmp_path)["photos.csv"]["size"] == f.stat().st_size
    _table(f, 3.0)
    f.write_bytes(original)  # an output of two writes before copied back: neither the last nor the previous bytes
    assert not_written_by_facemetrics(f).startswith(CHANGED)


def test_a_file_without_an_entry_is_judged_by_its_mark_alone(tmp_path):
    """An earlier version's outputs (no ledger), or a folder copied without it: as before stop 38."""
    (tmp_path / "photos.csv").write_bytes(f"photo,facemetrics_version\r\na.jpg,{__version__}\r\n".encode())
    assert not_written_by_facemetrics(tmp_path / "photos.csv") == ""
    _table(tmp_path / "changes.csv")  # the ledger now exists, without an entry for photos.csv
    assert not_written_by_facemetrics(tmp_path / "photos.csv") == ""
    (tmp_path / LEDGER_NAME).write_text("{not json")  # a broken or foreign ledger counts as empty
    (tmp_path / "changes.csv").write_bytes((tmp_path / "changes.csv").read_bytes() + b"b.jpg,1,x\n")
    assert not_written_by_facemetrics(tmp_path / "changes.csv") == ""
    _table(tmp_path / "long.csv")  # and is replaced by the next write
    assert set(_entries(tmp_path)) == {"long.csv"}
    (tmp_path / "mine.csv").write_text("a,b\n1,2\n")  # an entry never makes an unmarked file facemetrics'
    files = _entries(tmp_path)
    files["mine.csv"] = dict(zip(("size", "sha256"), ledger.file_digest(tmp_path / "mine.csv")))
    (tmp_path / LEDGER_NAME).write_text(json.dumps({"files": files}))
    assert not_written_by_facemetrics(tmp_path / "mine.csv") == "not written by facemetrics"


def test_every_kind_of_output_is_entered_but_not_the_cache_or_a_device(tmp_path):
    write_png(np.zeros((4, 4, 3), np.uint8), tmp_path / "overlay.png")
    write_rows_csv([{"photo": "a", "facemetrics_version": __version__}], ["photo", "facemetrics_version"],
                   tmp_path / "table.csv")
    write_bytes(b"# Treatment time course\n", tmp_path / "report.md")
    write_bytes(b"{}", tmp_path / "entry.json", record=False)  # a cache entry
    assert set(_entries(tmp_path)) == {"overlay.png", "table.csv", "report.md"}
    with open(tmp_path / "overlay.png", "r+b") as fh:  # a PNG touched up in an editor, its chunk kept
        fh.seek(-20, 2)
        fh.write(b"\x00" * 4)
    assert not_written_by_facemetrics(tmp_path / "overlay.png").startswith(CHANGED)
    write_bytes(b"x", "/dev/null")  # written into, never entered: no ledger in /dev


def test_a_kill_during_a_write_leaves_bytes_the_ledger_accepts(tmp_path, monkeypatch):
    f = tmp_path / "photos.csv"
    (tmp_path / "photos.csv").write_bytes(f"photo,facemetrics_version\na.jpg,{__version__}\n".encode())
    old = f.read_bytes()  # an earlier version's table, not entered
    real_replace = ledger.os.replace

    def killed_at_the_file(src, dst):
        if Path(dst).name == "photos.csv":
            raise KeyboardInterrupt
        real_replace(src, dst)

    # killed after the entry is written, before the new file is in place: the bytes there are accepted
    monkeypatch.setattr(ledger.os, "replace", killed_at_the_file)
    for value in (1.25, 2.5):  # the earlier version's file, then facemetrics' own written in between
        with pytest.raises(KeyboardInterrupt):
            _table(f, value)
        assert f.read_bytes() == old and not_written_by_facemetrics(f) == ""
        assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["photos.csv", LEDGER_NAME])  # no temporary
        monkeypatch.setattr(ledger.os, "replace", real_replace)
        _table(f, 1.25)
        assert "1.25" in f.read_text() and not_written_by_facemetrics(f) == ""
        old = f.read_bytes()
        monkeypatch.setattr(ledger.os, "replace", killed_at_the_file)
    for value in (3.75, 5.0):  # killed twice in a row: the bytes there are still accepted
        with pytest.raises(KeyboardInterrupt):
            _table(f, value)
        assert f.read_bytes() == old and not_written_by_facemetrics(f) == ""
    monkeypatch.setattr(ledger.os, "replace", real_replace)
    f.write_text(f.read_text() + "my note\n")  # neither bytes: refused
    assert not_written_by_facemetrics(f).startswith(CHANGED)


def test_two_writers_into_one_folder_leave_a_ledger_that_matches_the_files(tmp_path):
    """Runs writing the same and different files into one folder at once leave every file entered with
    its bytes (without the folder's lock a writer's entry could be replaced by another's older view of the
    ledger; the next test shows the lock is taken)."""
    errors = []

    def writer(k):
        try:
            for i in range(25):
                _table(tmp_path / "shared.csv", k * 100 + i)
                _table(tmp_path / f"own_{k}.csv", i)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    names = ["shared.csv", *(f"own_{k}.csv" for k in range(4))]
    assert set(_entries(tmp_path)) == set(names)
    assert [not_written_by_facemetrics(tmp_path / n) for n in names] == [""] * 5
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*names, LEDGER_NAME])


def test_a_write_waits_for_the_folders_lock(tmp_path):
    """Another run's write (or check) holding the folder's lock: this write waits until it is released, so
    the ledger it reads is never older than the file it replaces.  (The writer could take longer than the
    wait below on a busy machine: then the test passes without showing the wait, it never fails for it.)"""
    pytest.importorskip("fcntl")  # Windows: no folder lock
    done = threading.Event()
    writer = threading.Thread(target=lambda: (_table(tmp_path / "photos.csv"), done.set()))
    with ledger.folder_lock(tmp_path):
        writer.start()
        writer.join(timeout=0.5)
        assert not done.is_set() and not (tmp_path / "photos.csv").exists()  # waiting for the lock
    writer.join()
    assert done.is_set() and not_written_by_facemetrics(tmp_path / "photos.csv") == ""


def test_removing_every_output_removes_the_ledger(tmp_path):
    _table(tmp_path / "timeline.csv")
    _table(tmp_path / "photos.csv")
    assert remove_earlier(tmp_path, ["timeline.csv"]) == (["timeline.csv"], [])
    assert set(_entries(tmp_path)) == {"photos.csv"}
    assert remove_earlier(tmp_path, ["photos.csv"]) == (["photos.csv"], [])
    assert list(tmp_path.iterdir()) == []


def test_compare_refuses_its_table_edited_in_a_spreadsheet(tmp_path, capsys):
    before, after = str(SAMPLES / "astronaut_before.jpg"), str(SAMPLES / "astronaut_after.jpg")
    out = tmp_path / "out"
    for _ in range(2):  # its own outputs, untouched: replaced
        assert main(["compare", before, after, "-o", str(out)]) in (0, 1)
    capsys.readouterr()
    table = out / "comparison.csv"
    edited = pd.read_csv(table).assign(my_notes="checked by hand")
    edited.to_csv(table, index=False)  # what a spreadsheet's save does: the header (and its mark) kept
    data = table.read_bytes()
    assert main(["compare", before, after, "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert f"facemetrics compare: will not overwrite {table} ({CHANGED}" in err and "add --force" in err, err
    assert table.read_bytes() == data
    assert main(["compare", before, after, "-o", str(out), "--force"]) in (0, 1)
    assert "my_notes" not in pd.read_csv(table).columns and not_written_by_facemetrics(table) == ""
    capsys.readouterr()


def test_validate_and_demo_find_a_study_folder_without_manifest_before_any_work(tmp_path, capsys, monkeypatch):
    """`validate` found a claim study's folder holding files but no manifest.csv (a run stopped while it
    simulated the photos) only at the claim test, minutes in; `demo` as it simulated."""
    import facemetrics.study as study_mod
    import facemetrics.validate as validate_mod

    def no_work(*a, **k):
        raise AssertionError("work began before the study folder was checked")

    monkeypatch.setattr(validate_mod, "_base", no_work)
    monkeypatch.setattr(study_mod, "_base_analysis", no_work)
    val = tmp_path / "val"
    photos = val / "studies" / "lift_does_not_fade" / "photos"
    (photos / "S01" / "microcurrent").mkdir(parents=True)
    (photos / "S01" / "microcurrent" / "S01_microcurrent_00_m0p5h.jpg").write_bytes(b"a photo")
    assert main(["validate", "-o", str(val), "--quick"]) == 2
    err = capsys.readouterr().err
    assert f"will not write a simulated study into {photos}: it holds files but no manifest.csv" in err, err
    assert f"give `facemetrics validate` another output folder (-o), move {photos} away, or add --force" in err, err
    demo = tmp_path / "demo"
    (demo / "study" / "S01").mkdir(parents=True)
    (demo / "study" / "S01" / "me.jpg").write_bytes(b"a real photo")
    assert main(["demo", "-o", str(demo)]) == 2
    assert f"will not write a simulated study into {demo / 'study'}" in capsys.readouterr().err
    assert sorted(p.relative_to(demo).as_posix() for p in demo.rglob("*")) == ["study", "study/S01", "study/S01/me.jpg"]
    shutil.rmtree(photos)
    photos.mkdir()
    (photos / LEDGER_NAME).write_text("{}")  # a ledger alone is no study's photo: not refused for it
    with pytest.raises(AssertionError, match="work began"):  # passes the checks, stops at the first work
        main(["validate", "-o", str(val), "--quick"])


def test_analyze_rewrites_its_table_after_every_photo_and_runs_again(tmp_path, capsys):
    """`analyze` writes its table after every photo (a failing photo is a row): each write is entered, so
    the run's own table is never taken for an edited one, by a later write or by a re-run; an edit made
    after the run stops the next one, the rows kept."""
    photos = tmp_path / "in"
    photos.mkdir()
    (photos / "a_broken.jpg").write_bytes(b"not a photo" * 10)
    (photos / "b.jpg").write_bytes((SAMPLES / "astronaut_before.jpg").read_bytes())
    table = tmp_path / "out" / "photos.csv"
    for _ in range(2):
        assert main(["analyze", str(photos), "-o", str(table)]) == 0
        df = pd.read_csv(table)
        assert list(df["photo"]) == ["a_broken.jpg", "b.jpg"] and list(df["status"] != "ok") == [True, False]
        assert not_written_by_facemetrics(table) == ""
    table.write_text(table.read_text().replace("\n", "\r\n"))  # opened and saved in a spreadsheet
    kept = table.read_bytes()
    capsys.readouterr()
    assert main(["analyze", str(photos), "-o", str(table)]) == 2
    assert f"will not overwrite {table} ({CHANGED}" in capsys.readouterr().err
    assert table.read_bytes() == kept
