"""One rule for every writer of an output folder (``facemetrics.outputs``): a command replaces or removes a
file of one of its output names only when facemetrics wrote it (the CSV header's ``facemetrics_version``
column, the JSON key, the PNG ``Software`` chunk, report.md's heading); another file stops it before any work,
named, with the ways out (another -o, --force).  Every PNG facemetrics writes or offers carries the mark."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from facemetrics import __version__
from facemetrics.cli import main
from facemetrics.errors import SettingError
from facemetrics.export import PNG_MARK, figure_png, mark_png, write_csv, write_json, write_png
from facemetrics.outputs import OverwriteRefused, not_written_by_facemetrics, refuse_foreign_outputs

#: a PNG as Matplotlib saves it by itself (facemetrics 0.2.14's timeline.png, or the user's own figure)
MATPLOTLIB_PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\x1ctEXtSoftware\x00Matplotlib version3.10.0, https://matplotlib.org/"


def _pillow_png(path: Path) -> None:
    Image.fromarray(np.full((8, 8, 3), 40, np.uint8)).save(path)


def test_each_kind_of_file_is_recognised_by_its_mark(tmp_path):
    write_csv(pd.DataFrame({"photo": ["a.jpg"], "facemetrics_version": [__version__]}), tmp_path / "photos.csv")
    write_json({"facemetrics_version": __version__, "x": 1}, tmp_path / "validation.json")
    write_png(np.zeros((4, 4, 3), np.uint8), tmp_path / "overlay.png")
    (tmp_path / "report.md").write_text("# Treatment time course\n\ntext\n")
    for name in ("photos.csv", "validation.json", "overlay.png", "report.md"):
        assert not_written_by_facemetrics(tmp_path / name) == "", name
    # the words alone are no mark: a CSV naming facemetrics_version below its header, a PNG of Matplotlib's
    (tmp_path / "mine.csv").write_text("note,value\nmy copy of facemetrics_version,1\n")
    (tmp_path / "old.png").write_bytes(MATPLOTLIB_PNG)
    _pillow_png(tmp_path / "pillow.png")
    (tmp_path / "notes.md").write_text("my notes\n# Treatment time course\n")
    (tmp_path / "mine.json").write_text('{"a": "facemetrics_version"}')
    for name in ("mine.csv", "old.png", "pillow.png", "notes.md", "mine.json"):
        assert not_written_by_facemetrics(tmp_path / name) == "not written by facemetrics", name
    # a CSV re-saved by a spreadsheet with a byte-order mark and CRLF keeps its header
    (tmp_path / "excel.csv").write_bytes("\ufeffphoto,facemetrics_version\r\na,0.2\r\n".encode("utf-8"))
    assert not_written_by_facemetrics(tmp_path / "excel.csv") == ""
    assert not_written_by_facemetrics(tmp_path / "missing.csv") is None
    (tmp_path / "folder.csv").mkdir()
    assert not_written_by_facemetrics(tmp_path / "folder.csv") == "a folder, not written by facemetrics"
    (tmp_path / "link.csv").symlink_to(tmp_path / "photos.csv")
    assert not_written_by_facemetrics(tmp_path / "link.csv") == "a symbolic link, not written by facemetrics"


def test_refusal_names_the_file_and_the_ways_out_and_force_replaces_files_only(tmp_path):
    write_csv(pd.DataFrame({"facemetrics_version": [__version__]}), tmp_path / "comparison.csv")
    refuse_foreign_outputs(tmp_path, ["comparison.csv", "overlay.png"], command="compare")  # its own, missing
    _pillow_png(tmp_path / "overlay.png")
    with pytest.raises(OverwriteRefused) as e:
        refuse_foreign_outputs(tmp_path, ["comparison.csv", "overlay.png"], command="compare")
    msg = str(e.value)
    assert msg == (f"will not overwrite {tmp_path / 'overlay.png'} (not written by facemetrics): facemetrics compare "
                   f"writes comparison.csv, overlay.png into {tmp_path}; move or rename it, give another output "
                   "folder (-o), or add --force to replace it")
    assert isinstance(e.value, SettingError)  # the CLI's one-line refusal, exit status 2
    refuse_foreign_outputs(tmp_path, ["comparison.csv", "overlay.png"], force=True)
    (tmp_path / "overlay.png").unlink()
    (tmp_path / "overlay.png").mkdir()  # a folder is never replaced, --force or not
    with pytest.raises(OverwriteRefused, match=r"overlay.png \(a folder, not written by facemetrics\).*give another "
                                               r"output folder$"):
        refuse_foreign_outputs(tmp_path, ["overlay.png"], force=True)


def test_every_png_facemetrics_writes_carries_the_mark(tmp_path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    ax.plot([0, 1], [1, 0])
    data = figure_png(fig)
    plt.close(fig)
    assert PNG_MARK in data[:100] and data.count(b"tEXtSoftware") == 1  # in place of Matplotlib's own
    with Image.open(io.BytesIO(data)) as im:
        assert im.text["Software"] == f"facemetrics {__version__}"
    with pytest.raises(ValueError, match="not a PNG"):
        mark_png(b"GIF89a")


def test_the_apps_download_pngs_carry_the_mark():
    """The app's overlay.png download (``png_bytes``) and its timeline figure (``png_bytes_of_figure``) carry
    the mark compare's and timeline's files carry: saved into an output folder, a later run replaces them."""
    from conftest import app_module

    app = app_module()
    rgb = np.random.default_rng(1).integers(0, 256, (20, 30, 3), dtype=np.uint8)
    data = app.png_bytes(rgb)
    with Image.open(io.BytesIO(data)) as im:
        assert im.text["Software"] == f"facemetrics {__version__}"
        np.testing.assert_array_equal(np.asarray(im.convert("RGB")), rgb)  # the pixels unchanged
    import matplotlib.pyplot as plt

    fig = plt.figure()
    assert PNG_MARK in app.png_bytes_of_figure(fig)[:100]
    plt.close(fig)


def _study_batch(folder: Path) -> Path:
    """A study folder of one photo (never read: the refusals come first)."""
    (folder / "S01" / "rf").mkdir(parents=True)
    (folder / "S01" / "rf" / "treated_at.txt").write_text("2026-11-02T08:00:00\n")
    (folder / "S01" / "rf" / "a.jpg").write_bytes(b"\xff\xd8 not read")
    return folder


def test_batch_demo_validate_and_analyze_refuse_a_users_file_before_any_work(tmp_path, capsys, monkeypatch):
    import facemetrics.batch.runner as runner
    import facemetrics.study as study_mod
    import facemetrics.validate as validate_mod

    def no_work(*a, **k):
        raise AssertionError("work began before the output folder was checked")

    monkeypatch.setattr(runner, "discover", no_work)
    monkeypatch.setattr(study_mod, "_base_analysis", no_work)
    monkeypatch.setattr(validate_mod, "_base", no_work)
    out = tmp_path / "out"
    out.mkdir()
    (out / "photos.csv").write_text("my,own\n1,2\n")
    study = _study_batch(tmp_path / "study")
    assert main(["batch", str(study), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert f"facemetrics batch: will not overwrite {out / 'photos.csv'} (not written by facemetrics)" in err, err
    (out / "photos.csv").unlink()
    (out / "regimen").mkdir()
    (out / "regimen" / "long.csv").write_text("mine\n")  # the regimen batch's outputs are checked too
    assert main(["batch", str(study), "-o", str(out)]) == 2
    assert f"{out / 'regimen' / 'long.csv'} (not written by facemetrics)" in capsys.readouterr().err

    demo = tmp_path / "demo"
    demo.mkdir()
    (demo / "report.md").write_text("my report\n")
    assert main(["demo", "-o", str(demo)]) == 2
    assert f"facemetrics demo: will not overwrite {demo / 'report.md'}" in capsys.readouterr().err
    assert sorted(p.name for p in demo.iterdir()) == ["report.md"]  # nothing simulated

    val = tmp_path / "val"
    val.mkdir()
    (val / "validation.png").write_bytes(MATPLOTLIB_PNG)  # 0.2.14's figure, or the user's: not replaced
    assert main(["validate", "-o", str(val), "--quick"]) == 2
    err = capsys.readouterr().err
    assert f"facemetrics validate: will not overwrite {val / 'validation.png'} (not written by facemetrics)" in err
    assert "add --force" in err and (val / "validation.png").read_bytes() == MATPLOTLIB_PNG

    table = tmp_path / "results.csv"
    table.write_text("my spreadsheet\n")
    assert main(["analyze", str(tmp_path / "study"), "-o", str(table)]) == 2
    assert f"facemetrics analyze: will not overwrite {table} (not written by facemetrics)" in capsys.readouterr().err
    assert table.read_text() == "my spreadsheet\n"


def test_analyze_refusing_a_users_file_names_the_option_that_moves_it(tmp_path, capsys):
    """`analyze -o` names a table, not a folder, and its overlays go where --overlays says: the refusal said "give
    another output folder (-o)" for each (first-user audit, stop 54); it now names the option and what it takes."""
    photo = Path(__file__).resolve().parents[1] / "sample_images" / "astronaut_before.jpg"
    table = tmp_path / "photos.csv"
    table.write_text("my spreadsheet\n")
    assert main(["analyze", str(photo), "-o", str(table)]) == 2
    err = capsys.readouterr().err
    assert "give another file name for the table (-o), or add --force" in err, err
    assert "output folder" not in err, err
    overlays = tmp_path / "overlays"
    overlays.mkdir()
    (overlays / "astronaut_before.jpg_overlay.png").write_bytes(b"\x89PNG\r\n\x1a\nmine")
    assert main(["analyze", str(photo), "-o", str(tmp_path / "t.csv"), "--overlays", str(overlays)]) == 2
    err = capsys.readouterr().err
    assert "give another folder (--overlays), or add --force" in err, err
    assert table.read_text() == "my spreadsheet\n"


def test_analyze_replaces_its_own_table_and_writes_into_a_device(tmp_path, capsys):
    photo = Path(__file__).resolve().parents[1] / "sample_images" / "astronaut_before.jpg"
    table = tmp_path / "photos.csv"
    for _ in range(2):  # the same command twice: its own table is replaced
        assert main(["analyze", str(photo), "-o", str(table)]) == 0
    assert len(pd.read_csv(table)) == 1
    assert main(["analyze", str(photo), "-o", "/dev/null"]) == 0  # no file to keep
    capsys.readouterr()


def test_a_device_or_pipe_is_written_into_but_a_link_to_a_file_is_refused(tmp_path):
    """Audit 2026-12-05: ``analyze X -o /dev/stdout | cat`` exited 2 "will not overwrite /dev/stdout (a symbolic
    link, ...)": the real path of /dev/stdout into a pipe (/proc/<pid>/fd/pipe:[...]) names no file, so the device
    check missed it.  A path resolving to a character device or FIFO, through links too, is no file to replace:
    it passes the rule and is never removed; a link to a regular file or folder still stops the command."""
    import os

    from facemetrics.outputs import is_stream, remove_earlier

    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    (tmp_path / "to_pipe.csv").symlink_to(fifo)
    (tmp_path / "to_null.csv").symlink_to(os.devnull)
    write_csv(pd.DataFrame({"facemetrics_version": [__version__]}), tmp_path / "photos.csv")
    (tmp_path / "to_file.csv").symlink_to(tmp_path / "photos.csv")  # facemetrics' own file, behind a link
    (tmp_path / "to_folder.csv").symlink_to(tmp_path)
    (tmp_path / "dangling.csv").symlink_to(tmp_path / "missing.csv")
    streams = ["pipe.csv", "to_pipe.csv", "to_null.csv"]
    links = ["to_file.csv", "to_folder.csv", "dangling.csv"]
    assert [is_stream(tmp_path / n) for n in streams + links + ["photos.csv"]] == [True] * 3 + [False] * 4
    assert [not_written_by_facemetrics(tmp_path / n) for n in streams] == [None] * 3
    assert [not_written_by_facemetrics(tmp_path / n) for n in links] == ["a symbolic link, not written by "
                                                                        "facemetrics"] * 3
    refuse_foreign_outputs(tmp_path, streams, command="analyze")  # passes
    for name in links:
        with pytest.raises(OverwriteRefused, match=f"{name} \\(a symbolic link"):
            refuse_foreign_outputs(tmp_path, ["pipe.csv", name], command="analyze")
    assert remove_earlier(tmp_path, streams, marked_only=False) == ([], [])  # written into, never removed
    assert all(os.path.lexists(tmp_path / n) for n in streams)


def test_analyze_writes_its_table_into_stdout_through_a_pipe(tmp_path):
    """``facemetrics analyze X -o /dev/stdout | cat``: the table goes down the pipe, exit 0 (the real command)."""
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[1]
    if not Path("/dev/stdout").exists():  # pragma: no cover - not Linux/macOS
        pytest.skip("no /dev/stdout")
    proc = subprocess.run([sys.executable, "-m", "facemetrics", "analyze", "sample_images/astronaut_before.jpg",
                           "-o", "/dev/stdout"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          cwd=root, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "will not overwrite" not in proc.stderr
    table = pd.read_csv(io.StringIO(proc.stdout))
    assert list(table.photo) == ["sample_images/astronaut_before.jpg"] and table.status.eq("ok").all()


def test_a_simulated_study_is_written_again_but_never_into_a_real_one(tmp_path):
    from facemetrics.study import study

    sample = Path(__file__).resolve().parents[1] / "sample_images" / "astronaut_before.jpg"
    design = {"rf": dict(peak_mm=1.0, half_life_h=3.0, lasting_mm=0.0, times_h=[-0.5, 2.0])}
    out = tmp_path / "sim"
    first = study(sample, out, subjects=1, design=design, max_side=400, pose={})
    assert not_written_by_facemetrics(first.manifest) == ""  # its version column marks it
    assert "facemetrics_version" not in first.table.columns  # the table returned is as before
    study(sample, out, subjects=1, design=design, max_side=400, pose={})  # its own folder: written again
    real = tmp_path / "real"
    (real / "S01").mkdir(parents=True)
    (real / "S01" / "me.jpg").write_bytes(b"a real photo")
    with pytest.raises(OverwriteRefused, match="holds files but no manifest.csv"):
        study(sample, real, subjects=1, design=design, max_side=400, pose={})
    (real / "manifest.csv").write_text("photo,subject\nS01/me.jpg,S01\n")  # a real study's manifest
    with pytest.raises(OverwriteRefused, match=r"manifest.csv \(not written by facemetrics\)"):
        study(sample, real, subjects=1, design=design, max_side=400, pose={})
    assert (real / "S01" / "me.jpg").read_bytes() == b"a real photo"
