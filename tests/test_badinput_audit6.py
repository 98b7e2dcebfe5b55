"""Stop 66's bad input, sixth look (docs/robustness.md "Stop 66: bad input, sixth look"): what stop 65's review (r3)
left, and a fresh hunt.  Each test failed on main at 5e71903 unless its docstring says it shows what stays."""

from __future__ import annotations

import json

import pytest

from test_badinput_audit4 import _european, _long_text, _timeline


# ---------------------------------------------------------------- a one-row long.csv of an earlier minor release

@pytest.mark.parametrize("version", ["0.2.41", "0.2.4", "0.1.7"])
def test_a_one_row_long_csv_of_an_earlier_minor_release_is_read_and_the_doubt_said(tmp_path, capsys, monkeypatch,
                                                                                     version):
    """Before: refused as "cut short" after a minor release (0.2.41 read by 0.3.2: the last patch of 0.2 is not
    known, so 0.2.410 could have begun with it).  Now read, and stderr says it could not tell."""
    from facemetrics import _version

    monkeypatch.setattr(_version, "__version__", "0.3.2")
    rc, err = _timeline(tmp_path, _long_text(1).rstrip("\n").replace("0.2.41", version), capsys)
    assert rc == 0 and "ends in the middle" not in err, err
    assert (f"long.csv's only row ends without a line end and was written by facemetrics {version}, an earlier "
            "release whose last version is not known here") in err, err


def test_the_folders_ledger_tells_a_one_row_tables_version_whole_or_cut(tmp_path, capsys, monkeypatch):
    """The ledger facemetrics keeps of the files it wrote names the version that wrote long.csv: a row whose version
    is its start is cut (refused, also in an earlier minor release), one that is it is whole (read, nothing said)."""
    from facemetrics import _version
    from facemetrics.ledger import LEDGER_NAME

    monkeypatch.setattr(_version, "__version__", "0.3.2")
    (tmp_path / LEDGER_NAME).write_text(json.dumps({"files": {"long.csv": {"facemetrics_version": "0.2.41"}}}))
    rc, err = _timeline(tmp_path, _long_text(1).rstrip("\n").replace("0.2.41", "0.2.4"), capsys)
    assert rc == 2 and "ends in the middle of its last row" in err, err
    rc, err = _timeline(tmp_path, _long_text(1).rstrip("\n"), capsys)
    assert rc == 0 and "long.csv" not in err, err


# ---------------------------------------------------------------- row numbers as a spreadsheet shows them

def test_the_thousands_note_counts_rows_below_excels_sep_line(tmp_path):
    """Before: "row 2's hours_since_treatment" for the cell on the spreadsheet's row 3 (the ``sep=;`` line is row
    1, the header row 2)."""
    from facemetrics.batch.timeline import long_csv_reading

    content = "sep=;\n" + _european(";").replace(";0,5;", ";1.234,5;", 1)
    (tmp_path / "long.csv").write_text(content, encoding="utf-8")
    _, note = long_csv_reading(tmp_path / "long.csv")
    assert "(row 3's hours_since_treatment 1.234,5 as 1234.5)" in note, note
    (tmp_path / "long.csv").write_text(content.split("\n", 1)[1], encoding="utf-8")
    _, note = long_csv_reading(tmp_path / "long.csv")
    assert "(row 2's hours_since_treatment 1.234,5 as 1234.5)" in note, note


@pytest.mark.parametrize("prefix, blank, row", [("", "", 5), ("sep=,\n", "", 6), ("", "\n", 6)])
def test_a_cell_that_is_no_number_is_named_by_its_spreadsheet_row(tmp_path, capsys, prefix, blank, row):
    """Before: "value: 1 of 8 cells are not numbers (the first, row 3: 'n/a')" for the cell on the spreadsheet's
    row 5 (the header row 1): the fits counted rows from 0 below the header (and skipped blank lines)."""
    lines = _long_text().splitlines(keepends=True)
    cells = lines[4].split(",")
    cells[5] = "n/a"  # value
    lines[4] = ",".join(cells)
    rc, err = _timeline(tmp_path, prefix + lines[0] + blank + "".join(lines[1:]), capsys)
    assert rc == 2 and f"value: 1 of 8 cells are not numbers (the first, row {row}: 'n/a')" in err, err


def test_the_library_names_a_row_by_its_index_label():
    """analyze_series on a table filtered in a notebook: the row is its label (`.loc[...]`), not its position
    (before: the position counted from 0, here 0 for the label 7)."""
    import io

    import pandas as pd

    import facemetrics as fm

    table = pd.read_csv(io.StringIO(_long_text()), dtype={"value": str})
    table.loc[7, "value"] = "n/a"
    with pytest.raises(fm.SeriesError, match=r"\(the first, row 7: 'n/a'\)"):
        fm.analyze_series(table.iloc[7:], n_boot=0)

