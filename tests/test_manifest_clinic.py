"""A clinic's folders and manifests as staff make them (Round 11 of docs/validation.md §12, stop 55, b3): a
manifest saved by Excel as "Unicode Text" (UTF-16) or with its ``sep=;`` first line is read; a workbook, a zip
or another binary file given as the manifest, or a zip given as the folder, is refused in one line saying
what the file is and what to do (a UTF-16 manifest and an .xlsx ended the batch with a traceback); a manifest
row naming a file that is in the folder under another case, another ending or in a subfolder says which file
it likely means."""

from __future__ import annotations

import zipfile

import pytest

from facemetrics.batch.discover import ManifestError, discover
from facemetrics.cli import main

HEADER = ["photo", "subject", "treatment", "taken_at", "treated_at"]
ROWS = [["a.jpg", "Zoë", "rf", "2026-11-24T07:50", "2026-11-24T08:00"],
        ["b.jpg", "Zoë", "rf", "2026-11-24T09:00", "2026-11-24T08:00"]]


def _folder(tmp_path, names=("a.jpg", "b.jpg")):
    f = tmp_path / "f"
    for name in names:
        (f / name).parent.mkdir(parents=True, exist_ok=True)
        (f / name).write_bytes(b"x")
    return f


def _table(sep: str, rows=ROWS) -> str:
    return "\r\n".join(sep.join(r) for r in [HEADER, *rows]) + "\r\n"


@pytest.mark.parametrize("data", [_table("\t").encode("utf-16"),  # Excel's "Unicode Text" (.txt), Notepad's "Unicode"
                                  _table("\t").encode("utf-16-be").join([b"\xfe\xff", b""]),
                                  ("sep=;\r\n" + _table(";")).encode("cp1252"),  # Excel's separator line
                                  ('"sep=,"\r\n' + _table(",")).encode("utf-8-sig"),
                                  _table(";").replace("\r\n", "\r").encode("cp1252")])  # Excel for Mac: CR alone
def test_a_manifest_in_utf16_or_with_excels_sep_line_is_read(tmp_path, data):
    f = _folder(tmp_path)
    m = tmp_path / "m.csv"
    m.write_bytes(data)
    got = {e.photo: (e.subject, e.treatment, e.taken_at, e.note) for e in discover(f, m)}
    assert got == {"a.jpg": ("Zoë", "rf", "2026-11-24T07:50", ""), "b.jpg": ("Zoë", "rf", "2026-11-24T09:00", "")}


@pytest.mark.parametrize("data, what", [(None, "is a zip file (an Excel workbook .xlsx or .ods, or a zipped folder)"),
                                        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64, "an Excel 97-2003 workbook"),
                                        (b"photo,subject\r\na.jpg\0\0\r\x00x", "is not a text file")])
def test_a_workbook_or_binary_file_given_as_the_manifest_is_one_line_saying_what_it_is(tmp_path, capsys, data, what):
    f = _folder(tmp_path)
    m = tmp_path / "m.csv"
    if data is None:
        with zipfile.ZipFile(m, "w") as z:  # an .xlsx is a zip; with a \r in its bytes csv.Error ended the batch
            z.writestr("xl/workbook.xml", "<workbook>\r\n</workbook>")
    else:
        m.write_bytes(data)
    with pytest.raises(ManifestError, match="Save As > CSV UTF-8") as err:
        discover(f, m)
    assert what in str(err.value) and str(m) in str(err.value)
    assert main(["batch", str(f), "--manifest", str(m), "-o", str(tmp_path / "out")]) == 2
    out = capsys.readouterr()
    assert "Traceback" not in out.err and what in out.err, out.err


@pytest.mark.parametrize("command", [["batch"], ["study", "import"]])
def test_a_zip_of_the_folder_given_as_the_folder_says_to_unzip_it(tmp_path, capsys, command):
    """A clinic sends its photos as a zip; `batch photos.zip` said only "is not a folder"."""
    f = _folder(tmp_path)
    z = tmp_path / "photos.zip"
    with zipfile.ZipFile(z, "w") as zf:
        for p in f.iterdir():
            zf.write(p, p.name)
    extra = ["-o", str(tmp_path / "out")] if command == ["batch"] else ["--store", str(tmp_path / "st")]
    assert main([*command, str(z), *extra]) == 2
    err = capsys.readouterr().err
    assert f"{z} is a zip file, not a folder: unzip it first" in err and "Traceback" not in err, err


@pytest.mark.parametrize("on_disk, in_manifest, why", [
    ("img_1.jpg", "IMG_1.JPG", "its name in another case"),
    ("IMG_1.JPG", "img_1.jpg", "its name in another case"),
    ("img_1.jpg", "img_1.jpeg", "another ending"),
    ("img_1.JPG", "img_1", "another ending"),
    ("S1/day1/img_1.jpg", "img_1.jpg", "in a subfolder: give its path relative to the folder"),
    ("img_1.jpg", "C:\\Users\\clinic\\Photos\\img_1.jpg",
     "the row gives a path on another computer: give its path relative to the folder")])
def test_a_row_naming_a_file_of_another_case_ending_or_subfolder_says_which_file_it_likely_means(
        tmp_path, on_disk, in_manifest, why):
    """IMG_1.JPG in the manifest and img_1.jpg on disk were said apart, "listed in manifest row 2 but not found"
    and "not in manifest", without a word that they are one photo: the row now names the file (photos.csv's
    ``excluded`` and the console's line); the photo is not guessed, the user corrects the row."""
    from facemetrics.batch import console
    from facemetrics.batch.discover import NOT_FOUND

    f = _folder(tmp_path, (on_disk, "b.jpg"))
    m = tmp_path / "m.csv"
    m.write_text(_table(",", [[in_manifest, *ROWS[0][1:]], ROWS[1]]), encoding="utf-8")
    got = {e.photo: e for e in discover(f, m)}
    in_manifest = in_manifest.replace("\\", "/")  # a Windows path is read with / (photos.csv's photo column)
    hint = f"(the folder has {on_disk!r}, not listed: {why}?)"
    assert got[in_manifest].note == (f"listed in manifest m.csv row 2 but not found in {f} {hint}: correct its path "
                                     f"(relative to {f}) or remove the row"), got[in_manifest].note
    assert got[on_disk].note.startswith("not in manifest m.csv") and got["b.jpg"].note == ""
    lines = console.manifest_lines([got[in_manifest]], manifest=str(m))
    assert any(f"row 2 ({in_manifest}) {hint}" in ln for ln in lines), lines
    assert [r.code for r in got[in_manifest].reasons] == [NOT_FOUND]


def test_a_row_naming_no_file_like_it_gives_no_guess(tmp_path):
    f = _folder(tmp_path, ("S1/a.jpg", "S2/a.jpg", "b.jpg"))  # two files of that name: no guess
    m = tmp_path / "m.csv"
    m.write_text(_table(",", [["a.jpg", *ROWS[0][1:]], ["c.jpg", *ROWS[1][1:]]]), encoding="utf-8")
    got = {e.photo: e.note for e in discover(f, m)}
    assert "(the folder has" not in got["a.jpg"] + got["c.jpg"], got


def test_a_title_line_above_the_header_says_where_the_header_is(tmp_path):
    """A sheet with a title above the table was refused "no 'photo' column (found: clinic_study_nov_2026, , ...)"
    without a word of the header two lines below."""
    f = _folder(tmp_path)
    m = tmp_path / "m.csv"
    m.write_text("Clinic study Nov 2026;;;;\r\n;;;;\r\n" + _table(";"), encoding="utf-8-sig")
    with pytest.raises(ManifestError, match=r"row 1: no 'photo' column \(found: clinic_study_nov_2026, , , , ; "
                                            r"expected: .*\) \(row 3 looks like the header: delete the lines above it\)$"):
        discover(f, m)


def test_a_windows_excel_csv_keeps_its_curly_apostrophe_and_other_cp1252_letters(tmp_path):
    """Excel on Windows saves "CSV (Comma delimited)" in cp1252 and types O’Brien with a curly apostrophe (byte
    0x92): read as Latin-1 the subject was "O\\x92Brien", a control character, without a word (so were Š, Ž, œ,
    €, “ ”).  A manifest that is not UTF-8 is read as cp1252 (Latin-1 for its 5 undefined bytes)."""
    f = _folder(tmp_path)
    m = tmp_path / "m.csv"
    m.write_bytes(_table(";", [["a.jpg", "O’Brien", "Šárka’s “RF”", *ROWS[0][3:]],
                               ["b.jpg", "Zoë Œ", "rf", *ROWS[1][3:]]]).encode("cp1252"))
    got = {e.photo: (e.subject, e.treatment) for e in discover(f, m)}
    assert got == {"a.jpg": ("O’Brien", "Šárka’s “RF”"), "b.jpg": ("Zoë Œ", "rf")}, got


# --- stop 56, c1: Mac Roman, a folder named by a row, a UTF-16 manifest in the folder ---------------------------

@pytest.mark.parametrize("names", [("Zoë", "Müller"), ("François", "rf"), ("José", "Renée"), ("Zoë Müller", "Chloé")])
def test_excel_for_macs_mac_roman_csv_is_read_as_mac_roman(tmp_path, names):
    """Excel for Mac's "CSV (Macintosh)" is Mac Roman: "Zoë" (ë 0x91) was read "Zo‘" (cp1252) or "Zo\\x91"
    (Latin-1, a file with ç, cp1252's undefined 0x8D).  Read as Mac Roman, and the console says so."""
    from facemetrics.batch.discover import manifest_order_notes

    f = _folder(tmp_path)
    m = tmp_path / "m.csv"
    m.write_bytes(_table(";", [["a.jpg", names[0], names[1], *ROWS[0][3:]],
                               ["b.jpg", names[0], names[1], *ROWS[1][3:]]]).replace("\r\n", "\r").encode("mac_roman"))
    got = {e.photo: (e.subject, e.treatment) for e in discover(f, m)}
    assert got == {"a.jpg": names, "b.jpg": names}, got
    note = manifest_order_notes(m)[0]
    assert note.startswith("m.csv is not UTF-8: read as Mac Roman") and names[0] in note and "CSV UTF-8" in note


@pytest.mark.parametrize("names", [("O’Brien", "Šárka’s “RF”"), ("Zoë", "José"), ("Smith–Jones", "5€ Œuvre"),
                                   ("João", "Müller — rf"), ("naïve", "Ångström…")])
def test_an_ordinary_cp1252_csv_is_not_taken_for_mac_roman(tmp_path, names):
    """The Mac Roman rule reads no ordinary Windows Excel CSV wrong: cp1252's letters é, ü, ï, Å are Mac Roman's
    symbols or capitals, its ’ – — € between or after letters are what they read.  The console names the encoding."""
    from facemetrics.batch.discover import manifest_order_notes

    f = _folder(tmp_path)
    m = tmp_path / "m.csv"
    m.write_bytes(_table(";", [["a.jpg", *names, *ROWS[0][3:]], ["b.jpg", *names, *ROWS[1][3:]]]).encode("cp1252"))
    got = {e.photo: (e.subject, e.treatment) for e in discover(f, m)}
    assert got == {"a.jpg": names, "b.jpg": names}, got
    assert manifest_order_notes(m)[0].startswith('m.csv is not UTF-8: read as Windows-1252 (Windows Excel\'s "CSV')


def test_a_mac_roman_csv_that_reads_as_cp1252_too_is_named_so_the_user_can_see(tmp_path):
    """Where no byte tells Mac Roman from cp1252 ("Jörg": ö is Mac Roman 0x9A, cp1252's š), the file is read as
    cp1252 and the note shows the names as read, with how to save it as CSV UTF-8; a UTF-8 manifest has no note."""
    from facemetrics.batch.discover import manifest_order_notes

    m = tmp_path / "m.csv"
    m.write_bytes(_table(";", [["a.jpg", "Jörg", "rf", *ROWS[0][3:]]]).encode("mac_roman"))
    assert manifest_order_notes(m) == ["m.csv is not UTF-8: read as Windows-1252 (Windows Excel's \"CSV (Comma "
                                       "delimited)\"), so its names read Jšrg; if a letter is wrong, save it from the "
                                       "spreadsheet as \"CSV UTF-8 (Comma delimited)\" and give that file"]
    m.write_bytes(_table(";", [["a.jpg", "Jörg", "rf", *ROWS[0][3:]]]).encode("utf-8"))
    assert manifest_order_notes(m) == []
    m.write_bytes(_table(";").encode("utf-16"))
    assert manifest_order_notes(m) == []


def test_a_row_naming_a_folder_says_it_is_one_and_what_a_row_names(tmp_path, capsys):
    """A row ``photos/day1`` (a folder of the study) said only "not found in F: correct its path"; it now says it
    is a folder, that a row names one photo, and that the folder itself can be given to batch (docs/validation.md
    §12 Round 11's open snag; stop 56, c1).  So does the console's line on the manifest."""
    from facemetrics.batch.discover import NOT_FOUND

    f = _folder(tmp_path, names=("a.jpg", "photos/day1/x.jpg"))
    m = tmp_path / "m.csv"
    m.write_text(_table(",", [ROWS[0], ["photos/day1", *ROWS[1][1:]]]), encoding="utf-8")
    got = {e.photo: e for e in discover(f, m)}
    row = got["photos/day1"]
    assert [r.code for r in row.reasons] == [NOT_FOUND]
    assert row.note == (f"listed in manifest m.csv row 3 but 'photos/day1' is a folder of {f}, not a photo: a manifest "
                        f"row names one photo, such as photos/day1/IMG_0001.jpg; give each photo of the folder its own "
                        f"row, or remove the row and give the folder itself to batch (facemetrics batch "
                        f"{f / 'photos' / 'day1'})"), row.note
    assert "not found" not in row.note
    assert main(["batch", str(f), "-o", str(tmp_path / "out"), "--manifest", str(m)]) == 1
    out = capsys.readouterr().out
    assert "row 3 (photos/day1) (a folder, not a photo: a row names one photo; or give the folder itself to batch)" \
        in out, out


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be-bom", "utf-8-sig-sep", "mac_roman"])
def test_a_manifest_in_the_folder_is_recognised_in_every_encoding_the_option_reads(tmp_path, encoding):
    """A UTF-16 manifest.csv (Excel's "Unicode Text") inside the photo folder was passed over as "not a photo by its
    ending" without a word of --manifest: the folder's discovery read its header as UTF-8 (stop 56, c1).  It reads
    it as --manifest does, Excel's sep=; line too; a workbook or a CSV of other columns is still no manifest."""
    from facemetrics.batch.console import skipped_lines
    from facemetrics.batch.discover import manifest_like_columns

    f = _folder(tmp_path)
    m = f / "manifest.csv"
    rows = [["a.jpg", "Zoë", "rf", *ROWS[0][3:]]]
    data = {"utf-16": _table("\t", rows).encode("utf-16"),
            "utf-16-be-bom": b"\xfe\xff" + _table("\t", rows).encode("utf-16-be"),
            "utf-8-sig-sep": ("sep=;\r\n" + _table(";", rows)).encode("utf-8-sig"),
            "mac_roman": _table(";", rows).replace("\r\n", "\r").encode("mac_roman")}[encoding]
    m.write_bytes(data)
    assert manifest_like_columns(m) == tuple(HEADER)
    assert [ln for ln in skipped_lines(f) if "looks like a manifest" in ln] == \
        [f"manifest.csv looks like a manifest (its columns {', '.join(HEADER)}): give it with --manifest {m}"]
    assert len(discover(f, m)) == 2  # as the option reads it


def test_a_workbook_or_other_table_in_the_folder_is_no_manifest(tmp_path):
    from facemetrics.batch.discover import manifest_like_columns

    f = _folder(tmp_path)
    (f / "notes.csv").write_bytes("when\tphoto\r\n1\ta.jpg\r\n".encode("utf-16"))
    (f / "book.csv").write_bytes(b"PK\x03\x04photo,subject\r\n")
    (f / "odd.csv").write_bytes(b"\xff\xfe" + "photo,subject\n".encode("utf-16-le")[:-1])  # cut in a code unit
    assert [manifest_like_columns(f / n) for n in ("notes.csv", "book.csv")] == [(), ()]
    assert manifest_like_columns(f / "odd.csv") == ("photo", "subject")


@pytest.mark.parametrize("text", ["Botox®", "¿Qué?", "O´Brien", "Smith–Jones", "word—word", "ƒ/2.8", "‘RF’", "«RF»",
                                  "½ dose", "O‘Brien", "Ann‘s", "T°C", "Art. § 5", "Mme Lefèvre", "naïve café"])
def test_cp1252_marks_a_sheet_may_hold_keep_it_cp1252(tmp_path, text):
    """The marks that tell Mac Roman from cp1252 stay cp1252 where a Windows sheet writes them (a typing slip
    O‘Brien, ‘ between letters, too: Mac Roman's ë there, "No‘l", is then read as cp1252 with the note)."""
    from facemetrics.batch.discover import _manifest_decoded

    line = f"photo;subject\r\na.jpg;{text}\r\n"
    assert _manifest_decoded(tmp_path / "m.csv", line.encode("cp1252")) == (line, "cp1252")


@pytest.mark.parametrize("name", ["Søren", "Straße", "Anaïs", "Château", "João", "Étienne", "Noël Zoë"])
def test_mac_roman_letters_cp1252_reads_as_symbols_beside_letters_are_mac_roman(tmp_path, name):
    from facemetrics.batch.discover import _manifest_decoded

    line = f"photo;subject\ra.jpg;{name}\r"
    assert _manifest_decoded(tmp_path / "m.csv", line.encode("mac_roman")) == (line, "mac_roman")
