"""The app's downloads are named after what they hold (:func:`facemetrics.naming.download_names`), safe on every
system: two comparisons downloaded were ``comparison.csv`` and ``comparison (1).csv`` (stop 54's app audit)."""

from __future__ import annotations

import re
import unicodedata

import pytest

from facemetrics.naming import (DOWNLOAD_KINDS, DOWNLOAD_NAME_BYTES, download_name, download_names,
                                download_part)

#: what no file name may hold on Windows, macOS or Linux, and the names Windows keeps for its devices
BAD = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')
DEVICES = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(10)), *(f"LPT{i}" for i in range(10))}


def _safe(name: str) -> bool:
    return (not BAD.search(name) and name == name.strip(" .") and not name.startswith((".", "-"))
            and name.split(".")[0].upper() not in DEVICES and len(name.encode()) <= DOWNLOAD_NAME_BYTES
            and not any(unicodedata.category(c) in ("Cc", "Cf", "Cs", "Zl", "Zp") for c in name)
            and name == unicodedata.normalize("NFC", name))


def test_two_comparisons_download_under_their_photos_names():
    one = download_names(list(DOWNLOAD_KINDS), ["a.jpg", "b.jpg", "c.jpg"], ("a.jpg", "b.jpg"))
    two = download_names(list(DOWNLOAD_KINDS), ["a.jpg", "b.jpg", "c.jpg"], ("a.jpg", "c.jpg"))
    assert one["comparison.csv"] == "a_to_b_comparison.csv" and two["comparison.csv"] == "a_to_c_comparison.csv"
    assert one["overlay.png"] == "a_to_b_overlay.png"
    assert one["photos.csv"] == two["photos.csv"] == "a_and_2_more_photos.csv"  # every photo's table
    assert one["comparison_all_pairs.csv"] == "a_and_2_more_comparison_all_pairs.csv"
    assert download_names(["photos.csv"], ["before.jpg", "after.jpg"]) == {"photos.csv": "before_and_after_photos.csv"}
    assert download_names(["timeline.csv", "comparison.csv"], ["x.jpg", "y.jpg"], ("x.jpg", "y.jpg"), example=True) \
        == {"timeline.csv": "example_timeline.csv", "comparison.csv": "example_x_to_y_comparison.csv"}
    assert download_names(["other.txt"], ["x.jpg"]) == {"other.txt": "other.txt"}  # a kind not known: its own name
    for kind, name in one.items():  # each ends with its kind: what it holds is read from its end
        assert name.endswith("_" + kind), (kind, name)


@pytest.mark.parametrize("upload, part", [
    ("IMG 0001.JPG", "IMG_0001"),  # spaces
    ("café ünïcode 照片.heic", "café_ünïcode_照片"),  # Unicode kept
    ("cafe\u0301.jpg", "café"),  # NFC: one é
    ("a/b\\c.jpg", "a_b_c"),  # slashes
    ("CON.jpg", "CON"),  # a device name: never alone (the kind follows)
    ("con.x.jpg", "con_x"),  # a dot: Windows reads "con.x..." as the device CON
    ("..hidden.png", "hidden"),  # no hidden file
    ("evil\u202egpj.exe", "evil_gpj"),  # a right-to-left override, which turns a name round on screen
    ('what?*<>|".jpg', "what"),
    ("caf\\xe9.jpg", "caf_xe9"),  # a name that was not UTF-8, as errors.legible shows it
    ("", "photo"), ("...", "photo"), ("   .jpg", "photo"),
])
def test_a_photos_name_as_a_part_of_a_download_name(upload, part):
    assert download_part(upload) == part
    for kind in DOWNLOAD_KINDS:
        assert _safe(download_name(kind, download_part(upload))), download_name(kind, download_part(upload))


def test_very_long_names_are_cut_and_kept_apart():
    long_a, long_b = "x" * 300 + "_a.jpg", "x" * 300 + "_b.jpg"
    a, b = download_part(long_a), download_part(long_b)
    assert a != b and len(a.encode()) <= 48 and re.fullmatch(r"x+-[0-9a-f]{6}", a), (a, b)
    wide = "照" * 200 + ".jpg"  # 3 bytes a character: cut at a character's end
    assert len(download_part(wide).encode()) <= 48 and download_part(wide).startswith("照")
    accents = "e\u0301" * 100 + ".jpg"  # not cut between a letter and its accent (NFC makes them one here)
    assert unicodedata.normalize("NFC", download_part(accents)) == download_part(accents)
    names = download_names(list(DOWNLOAD_KINDS), [long_a, long_b], (long_a, long_b))
    assert len(set(names.values())) == len(DOWNLOAD_KINDS)
    for kind, name in names.items():
        assert _safe(name) and name.endswith("_" + kind), name
    # the parts cut from the end when the name would pass the limit, the kind kept
    assert download_name("comparison.csv", "y" * 200).endswith("y_comparison.csv")
    assert len(download_name("comparison.csv", "y" * 200).encode()) == DOWNLOAD_NAME_BYTES


def test_a_subjects_name_keeps_its_dots_as_words():
    assert download_part("J. Doe", "subject", file=False) == "J_Doe"
    assert download_part("a/b", "subject", file=False) == "a_b"
    assert download_part("", "subject", file=False) == "subject"


def test_my_studys_zip_is_named_after_its_subject_safely():
    pytest.importorskip("streamlit")
    from conftest import app_module

    app = app_module()
    assert app.study_zip_name("Anna") == "facemetrics_study_Anna.zip"
    assert app.study_zip_name("A/B: C.D") == "facemetrics_study_A_B_C_D.zip"  # was "facemetrics_study_A/B: C.D.zip"
