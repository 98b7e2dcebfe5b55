"""The CSV writer without pandas (``export.csv_text``) writes what pandas writes."""

from __future__ import annotations

import numpy as np
import pytest

from facemetrics.export import FLOAT_FORMAT, csv_bytes, csv_text, rows_frame

#: every kind of column a facemetrics table holds, and the awkward values of each kind
KINDS = {
    "int": lambda r: int(r.integers(-5, 10**9)),
    "np_int": lambda r: np.int64(r.integers(0, 5000)),
    "float": lambda r: float(r.choice([r.normal() * 10.0 ** r.integers(-8, 9), 0.0, -0.0, np.inf, -np.inf, 1e21,
                                        123456789.0, 3.0])),
    "np_float": lambda r: np.float64(r.normal() * 100),
    "nan": lambda r: float("nan"),
    "bool": lambda r: bool(r.integers(0, 2)),
    "np_bool": lambda r: np.bool_(r.integers(0, 2)),
    "str": lambda r: str(r.choice(["ok", "no_face", "a, b", 'say "x"', "line\nbreak", "é ü 文", "", " lead",
                                   "1.5", "NaN", "=1+2", "-x", "@SUM(A1)", "+3", "\tq"])),
    "none": lambda r: None,
}


def _column(rng, kinds):
    return [KINDS[str(rng.choice(kinds))](rng) for _ in range(6)]


@pytest.mark.parametrize("seed", range(40))
def test_csv_text_equals_pandas_on_random_tables(seed):
    rng = np.random.default_rng(seed)
    mixes = [["int"], ["np_int", "int"], ["int", "none"], ["int", "nan"], ["float"], ["float", "nan"],
             ["np_float", "int"], ["bool"], ["np_bool", "none"], ["bool", "int"], ["str"], ["str", "none"],
             ["str", "float"], ["none"], ["nan"], ["none", "nan"], ["float", "none", "int"]]
    cols = {f"c{i}": _column(rng, mixes[int(rng.integers(len(mixes)))]) for i in range(8)}
    rows = [{k: v[i] for k, v in cols.items() if rng.random() > 0.15} for i in range(6)]
    rows[-1]["late_extra"] = "x"  # a key outside the columns, first seen in the last row
    columns = list(cols)[:5] + ["never_present"]
    expected = csv_bytes(rows_frame(rows, columns)).decode("utf-8-sig")
    assert csv_text(rows, columns) == expected


def test_text_a_spreadsheet_would_run_is_written_as_text():
    """CSV injection (an audit of 2026-12-02): a photo named ``=HYPERLINK(...).jpg`` or a subject
    ``+1`` is written with a leading ``'`` by both writers, so a spreadsheet shows it as text;
    numbers (negative ones too) and other text are unchanged."""
    import csv
    import io

    from facemetrics.export import csv_bytes

    rows = [{"photo": '=HYPERLINK("http://e.com","x").jpg', "subject": "+1", "error": "@cmd", "z": -0.5},
            {"photo": "-bad.jpg", "subject": "ok", "error": "", "z": 1.25}]
    text = csv_text(rows, ["photo", "subject", "error", "z"])
    assert text == csv_bytes(rows_frame(rows, ["photo", "subject", "error", "z"])).decode("utf-8-sig")
    got = list(csv.DictReader(io.StringIO(text)))
    assert got[0]["photo"] == '\'=HYPERLINK("http://e.com","x").jpg' and got[0]["subject"] == "'+1"
    assert got[0]["error"] == "'@cmd" and got[1]["photo"] == "'-bad.jpg"
    assert got[0]["z"] == "-0.5" and got[1]["subject"] == "ok"


def test_csv_text_edge_tables():
    for rows, columns in (([], ["a", "b"]), ([{}], ["a"]), ([{"a": ""}], ["a"]), ([{"b": 1}], ["a"])):
        expected = rows_frame(rows, columns).to_csv(index=False, float_format=FLOAT_FORMAT, lineterminator="\n")
        assert csv_text(rows, columns) == expected, (rows, columns)
    assert csv_text([{"a": 1, "b": "x"}, {"a": None, "b": "y"}], ["a", "b"]) == "a,b\n1,x\n,y\n"
    # ints with a missing value become pandas' float64: written with 6 significant digits
    assert csv_text([{"a": 12345678, "b": 1}, {"b": 2}], ["a", "b"]) == "a,b\n1.23457e+07,1\n,2\n"
    assert csv_text([{"a": 12345678, "b": True}], ["a", "b"]) == "a,b\n12345678,True\n"


def test_csv_bytes_is_what_write_csv_writes(tmp_path):
    """The app's downloads (``csv_bytes``) and the command's files (``write_csv``) are one format."""
    from facemetrics.export import csv_bytes, write_csv

    df = rows_frame([{"a": 1.23456789, "b": "x, y"}, {"a": None, "b": "z"}], ["a", "b"])
    assert csv_bytes(df) == b'\xef\xbb\xbfa,b\n1.23457,"x, y"\n,z\n'
    assert write_csv(df, tmp_path / "t.csv").read_bytes() == csv_bytes(df)


def test_every_csv_output_opens_in_a_spreadsheet_as_utf8(tmp_path):
    """A first user's afternoon (h8, 2026-12-05): ``changes.csv`` (its ``messages``: "± 4.5 %") and ``timeline.csv``
    (its ``reason``: "−0.11 mm") were UTF-8 without a byte-order mark, so Excel opened on a double-click read them
    in the system's legacy code page ("Â±", "âˆ’"), and a photo named in accents or CJK garbled likewise.  Every
    CSV output (``write_csv``, ``write_rows_csv``, the app's ``csv_bytes``) now starts with the UTF-8 mark, which
    pandas and ``encoding="utf-8-sig"`` skip; a cache's file and a pipe (``-o /dev/stdout``) get none."""
    import os
    import threading

    import pandas as pd

    from facemetrics.export import CSV_BOM, write_csv, write_rows_csv

    rows = [{"photo": "café 文.jpg", "messages": "scale ± 4.5 %", "reason": "−0.11 mm", "value": -0.11}]
    cols = ["photo", "messages", "reason", "value"]
    legacy = CSV_BOM + "photo,messages\nx,± −\n".encode("utf-8")
    assert legacy.decode("cp1252", errors="replace") != legacy.decode("utf-8-sig")  # what Excel shows without it
    for name, data in (("write_rows_csv", write_rows_csv(rows, cols, tmp_path / "a.csv").read_bytes()),
                       ("write_csv", write_csv(rows_frame(rows, cols), tmp_path / "b.csv").read_bytes()),
                       ("csv_bytes", csv_bytes(rows_frame(rows, cols)))):
        assert data.startswith(CSV_BOM) and not data.startswith(CSV_BOM * 2), name
        back = pd.read_csv(tmp_path / "a.csv") if name == "write_rows_csv" else pd.read_csv(
            __import__("io").BytesIO(data))
        assert list(back.columns) == cols, (name, list(back.columns))
        assert back.loc[0, "photo"] == "café 文.jpg" and back.loc[0, "messages"] == "scale ± 4.5 %", name
        assert back.loc[0, "reason"] == "−0.11 mm" and back.loc[0, "value"] == -0.11, name
    # the two writers give one file for one table, the mark included
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()
    # a cache's file has no mark (no spreadsheet opens it), nor a pipe another program reads
    assert not write_rows_csv(rows, cols, tmp_path / "c.csv", record=False).read_bytes().startswith(CSV_BOM)
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got = []
    reader = threading.Thread(target=lambda: got.append(open(fifo, "rb").read()))
    reader.start()
    write_rows_csv(rows, cols, fifo)
    reader.join(10)
    assert got and got[0].startswith(b"photo,messages")


def test_a_pipe_or_device_is_written_into_never_replaced(tmp_path):
    """``-o /dev/null`` replaced /dev/null with a regular file (as root: every program on the
    machine then failed): a device, pipe or socket is written into directly.  Checked on a FIFO,
    which any user can make; a symbolic link to a file keeps its link, its file gets the text."""
    import os
    import stat
    import threading

    from facemetrics.export import write_bytes

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got = []
    reader = threading.Thread(target=lambda: got.append(open(fifo, "rb").read()))
    reader.start()
    write_bytes(b"a,b\n1,2\n", fifo)
    reader.join(10)
    assert got == [b"a,b\n1,2\n"] and stat.S_ISFIFO(os.stat(fifo).st_mode)
    target = tmp_path / "real.csv"
    target.write_text("old")
    link = tmp_path / "link.csv"
    link.symlink_to(target)
    write_bytes(b"new", link)
    assert link.is_symlink() and target.read_bytes() == b"new"


def test_a_name_in_a_script_the_font_lacks_draws_without_console_warnings(sample_analysis):
    """``compare before.jpg '日本.jpg'`` printed matplotlib's "UserWarning: Glyph 26085 (...) missing from
    font(s) DejaVu Sans" with a source path, once per letter (a new user's audit, 2026-12-04): the figures
    are drawn (boxes for those letters) and nothing is said on the console."""
    import dataclasses
    import warnings

    from matplotlib.figure import Figure

    from facemetrics import compare_photos
    from facemetrics.export import figure_png
    from facemetrics.plots import comparison_overlay

    after = dataclasses.replace(sample_analysis, name="mein Foto ü 日本 ☺.jpg")
    c = compare_photos(sample_analysis, after)
    assert c.grid is not None
    fig = Figure(figsize=(3, 2))
    fig.suptitle("S01 日本")
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")  # as on a first run: every warning shown
        img = comparison_overlay(c)
        data = figure_png(fig)
    assert img.ndim == 3 and data[:8] == b"\x89PNG\r\n\x1a\n"
    assert not [str(w.message) for w in seen if "Glyph" in str(w.message)], [str(w.message) for w in seen]
    # the filter is narrow: another UserWarning still shows
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        figure_png(fig)
        warnings.warn("something else", UserWarning)
    assert [str(w.message) for w in seen] == ["something else"]
