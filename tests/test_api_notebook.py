"""The library as a data scientist meets it in a notebook (audit, stop 55, u7).

What a notebook shows of a result (its repr), how a caller's mistake in a notebook call reads (the
argument named, what it takes), and settings that must not be read by their truth value alone.
docs/validation.md §12, "Round 8".
"""

import re

import numpy as np
import pandas as pd
import pytest

import facemetrics as fm

AFTER = "astronaut_after.jpg"


@pytest.fixture(scope="module")
def comparison(sample_analysis, sample_path):
    return fm.compare_photos(sample_analysis, sample_path.with_name(AFTER))


def _series() -> fm.SeriesResult:
    hours = np.array([0.5, 1, 2, 4, 8, 12, 24, 48])
    lift = 2.0 * 0.5 ** (hours / 3) + np.random.default_rng(0).normal(0, 0.1, hours.size)
    return fm.analyze_series(pd.DataFrame({
        "subject": "me", "treatment": "microcurrent", "hours_since_treatment": hours, "metric": "jawline_lift_mm",
        "side": "mean", "value": lift, "unit": "mm", "noise_floor": 0.1}), n_boot=50)


def test_a_result_shown_in_a_notebook_is_a_line_not_pages_of_pixels(sample_analysis, comparison):
    """A notebook cell ending in a result printed the dataclass repr: every pixel array it holds (about 33 000
    characters for an analysis, 106 000 for a comparison).  Now one line that names the result, its status and
    its first figures with their units, and each array by dtype and shape."""
    series = _series()
    shown = {"photo": repr(sample_analysis.photo), "analysis": repr(sample_analysis),
             "comparison": repr(comparison), "series": repr(series), "fit": repr(series.fits[0])}
    for what, text in shown.items():
        assert len(text) < 700 and "\n" not in text and "array([" not in text, (what, len(text), text[:200])
    assert shown["photo"].startswith("Photo(name='astronaut_before.jpg'")
    assert "<uint8 array (1600, 1280, 3)>" in shown["photo"]
    assert all(f in shown["analysis"] for f in ("status='ok'", "jawline_height_mm=", "mm_per_px=")), shown["analysis"]
    assert "<float64 array (478, 3)>" in shown["analysis"]
    assert f"after='{AFTER}'" in shown["comparison"] and "lifts_mean_mm={'jawline': " in shown["comparison"]
    assert "verdicts={'fades_within_a_day': 1}" in shown["series"], shown["series"]
    assert "half_life_h=" in shown["fit"] and "change_24h_mm=" in shown["fit"], shown["fit"]
    refused = fm.compare_photos(sample_analysis, sample_analysis.photo.rgb[:, ::-1].copy())  # a mirrored face
    assert refused.status == "refused" and refused.lifts  # its lifts, kept for inspection, are not shown as changes
    assert "lifts_mean_mm=None" in repr(refused) and "messages=<1 item>" in repr(refused), repr(refused)
    failed = fm.analyze_photo(np.zeros((2, 2, 3), np.uint8))
    assert "status='too_small'" in repr(failed) and "photo=None" in repr(failed)


def test_the_short_repr_leaves_the_results_whole(sample_analysis, comparison):
    """The repr is a view: the frozen results, their equality (by identity) and their tables are as before."""
    assert sample_analysis.photo.rgb.shape == (1600, 1280, 3) and sample_analysis.points.shape == (478, 3)
    assert comparison.to_csv_frame().shape[0] == len(comparison.changes) > 0
    with pytest.raises(AttributeError):
        comparison.status = "x"


@pytest.mark.parametrize("args, kw, match", [
    (("A", None), {}, r"^compare_photos\(\) after must be a path, .*, a Photo or a PhotoAnalysis, not NoneType$"),
    ((None, "A"), {}, r"^compare_photos\(\) before must be .*, not NoneType$"),
    ((["A", "A"], "A"), {}, r"^compare_photos\(\) before must be one photo, not a list; more photos of the before "
                            r"state go in before_repeats$"),
    (("A", "A"), {"after_repeats": ["A", 3]}, r"^compare_photos\(\) after_repeats\[1\] must be .*, not int$"),
    (("A", np.zeros((64, 64, 3))), {}, r"^compare_photos\(\) after must be an 8-bit array .*not float64; .*for floats "
                                       r"in 0-1$"),
    (("A", np.zeros((64, 64, 3), np.uint16)), {}, r"^compare_photos\(\) after must be an 8-bit array .*not uint16; "
                                                  r"convert it first, for instance \(a // 257\)\.astype\(np\.uint8\) for "
                                                  r"16-bit values in 0-65535$"),
])
def test_a_wrong_photo_in_compare_photos_names_the_argument(sample_analysis, args, kw, match):
    """compare_photos(before, None) said "load_photo() source must be a path, ...": the user had called no
    load_photo and could not tell which of the two photos (or which repeat) was wrong.  A uint16 array was told
    to multiply by 255 as if it were floats in 0-1.  Refused before any photo is analysed."""
    def given(x):
        if isinstance(x, list):
            return [given(y) for y in x]
        return sample_analysis if isinstance(x, str) and x == "A" else x

    args, kw = tuple(given(a) for a in args), {k: given(v) for k, v in kw.items()}
    with pytest.raises(TypeError, match=match):
        fm.compare_photos(*args, **kw)


def test_analyze_photo_names_itself_in_a_type_error():
    """analyze_photo(None) said "load_photo() source must be ...", a function the caller had not called."""
    with pytest.raises(TypeError, match=r"^analyze_photo\(\) source must be .*, a PIL image or a Photo, not NoneType$"):
        fm.analyze_photo(None)
    with pytest.raises(TypeError, match=r"^load_photo\(\) source must be .* uint8 array or a PIL image, not NoneType$"):
        fm.load_photo(None)
    with pytest.raises(TypeError, match=r"a\.astype\(np\.uint8\) \* 255 for a mask$"):
        fm.load_photo(np.zeros((64, 64), bool))


def test_an_analysis_of_a_reloaded_package_is_named_so(sample_analysis):
    """After importlib.reload (a notebook's %autoreload) an analysis made before is of the old class: it was
    refused as an unknown source ("... not PhotoAnalysis"), which reads as nonsense."""
    stale = type("PhotoAnalysis", (), {})()
    with pytest.raises(TypeError, match=r"^compare_photos\(\) after is a PhotoAnalysis of another import of "
                                        r"facemetrics \(the package was reloaded"):
        fm.compare_photos(sample_analysis, stale)


def _two_subjects() -> pd.DataFrame:
    hours = np.array([0.5, 1, 2, 4, 8, 12, 24, 48])
    rng = np.random.default_rng(1)
    return pd.DataFrame([dict(subject=s, treatment="mc", hours_since_treatment=t, metric="jawline_lift_mm",
                              side="mean", value=2.0 * 0.5 ** (t / 3) + rng.normal(0, 0.1), unit="mm")
                         for s in ("a", "b") for t in hours])


@pytest.mark.parametrize("value", ["no", "False", None, 2])
def test_a_yes_no_setting_given_as_text_is_refused_not_read_as_true(value, sample_analysis):
    """analyze_series(per_subject="no") fitted each subject (a non-empty string is true): the opposite of what
    was asked, without a word.  The yes/no settings of the public verbs take True/False (a NumPy bool, 0 or 1)
    and refuse anything else naming the setting."""
    with pytest.raises(fm.SeriesError, match=f"^per_subject must be True or False, got {value!r}$"):
        fm.analyze_series(_two_subjects(), per_subject=value, n_boot=0)
    with pytest.raises(fm.SettingError, match=f"^fast must be True or False, got {value!r}$"):
        fm.analyze_photo(np.zeros((64, 64, 3), np.uint8), fast=value)
    with pytest.raises(fm.SettingError, match=f"^check_order must be True or False, got {value!r}$"):
        fm.compare_photos(sample_analysis, sample_analysis, check_order=value)


def test_yes_no_settings_take_numpy_bools_and_0_1():
    changes = _two_subjects()
    fits = {v: len(fm.analyze_series(changes, per_subject=v, n_boot=0).fits) for v in (True, np.True_, 1, False, 0)}
    assert fits[True] == fits[np.True_] == fits[1] == 3 and fits[False] == fits[0] == 1, fits


def test_a_time_column_of_text_names_the_column_the_row_and_what_to_give():
    """Times read from a spreadsheet as ISO text said "non-numeric time, value or noise floor: Unable to parse
    string ... at position 0": which of three columns, and no word of what to give instead."""
    changes = _two_subjects()
    dated = changes.assign(hours_since_treatment=[f"2026-11-02T{8 + i % 8:02d}:30" for i in range(len(changes))])
    with pytest.raises(fm.SeriesError, match=r"^hours_since_treatment: 16 of 16 cells are not numbers \(the first, "
                                             r"row 0: '2026-11-02T08:30'\); they look like dates or times of day: "
                                             r"give the hours since the treatment"):
        fm.analyze_series(dated)
    value = changes.assign(value=changes["value"].astype(object))
    value.loc[5, "value"] = "n/a"
    with pytest.raises(fm.SeriesError, match=r"^value: 1 of 16 cells are not numbers \(the first, row 5: 'n/a'\)$"):
        fm.analyze_series(value)
    as_text = changes.assign(hours_since_treatment=changes["hours_since_treatment"].astype(str))
    assert not pd.api.types.is_numeric_dtype(as_text.hours_since_treatment)  # numbers as text still read as numbers
    assert fm.analyze_series(as_text, n_boot=0).to_frame().equals(fm.analyze_series(changes, n_boot=0).to_frame())


def test_metrics_of_the_wrong_kind_and_a_missing_fit_say_what_there_is():
    """analyze_series(metrics=5) raised "TypeError: 'int' object is not iterable" from inside the function, and
    SeriesResult.get of a misspelt metric a bare KeyError of the key: the fits there are were not said."""
    changes = _two_subjects()
    with pytest.raises(fm.SeriesError, match=r"^metrics must be a metric name or a list of them, not int$"):
        fm.analyze_series(changes, metrics=5)
    result = fm.analyze_series(changes, n_boot=0)
    with pytest.raises(KeyError, match=r"no fit for \('mc', 'jawline_lift', 'mean', None\); the fits are \(treatment, "
                                       r"metric, side\) \('mc', 'jawline_lift_mm', 'mean'\)"):
        result.get("mc", "jawline_lift")
    assert result.get("mc", "jawline_lift_mm").metric == "jawline_lift_mm"


def test_a_web_address_is_said_to_be_one():
    """fm.load_photo("https://.../a.jpg") said "a.jpg: file not found"; nothing is downloaded (no network at run
    time), so it says that the path is a web address and what to do."""
    url = "https://example.com/photos/a.jpg"
    with pytest.raises(fm.PhotoError, match=r"^a\.jpg: https://example\.com/photos/a\.jpg is a web address, not a "
                                            r"file \(nothing is downloaded\); save the photo to a file first$"):
        fm.load_photo(url)
    result = fm.analyze_photo(url)
    assert result.status == "unreadable" and "is a web address" in result.error


def test_a_subject_from_a_table_cell_is_text_and_a_blank_cell_is_none(sample_path):
    """A notebook loops over a table of photos: ``analyze_photo(r.path, subject=r.subject)``.  A blank cell (NaN)
    was written as the subject nan (a float, "nan" in a CSV), an id read as a number stayed a number, a
    ``pathlib.Path`` given as ``name`` stayed a Path in the ``photo`` column."""
    small = np.zeros((40, 40, 3), np.uint8)  # no face: status too_small/no_face, the labels are what is checked
    rows = {repr(s): fm.analyze_photo(small, subject=s).to_row()["subject"]
            for s in (float("nan"), pd.NA, None, 123, np.int64(7), 12.0, "me")}
    assert rows == {"nan": "", "<NA>": "", "None": "", "123": "123", repr(np.int64(7)): "7", "12.0": "12", "'me'": "me"}
    assert fm.analyze_photo(small, name=sample_path).to_row()["photo"] == str(sample_path)
    with pytest.raises(TypeError, match=r"^analyze_photo\(\) subject must be a text or None, not list$"):
        fm.analyze_photo(small, subject=["a"])


@pytest.mark.parametrize("given, said", [("0,3", "('0,3' has a decimal comma): write 0.3"),
                                         ("0.3 mm", "(text that is not a number): give the number alone"),
                                         (np.True_, "got True")])
def test_min_effect_as_text_is_read_as_a_number_or_refused_saying_what_to_write(given, said):
    """Round 8 (stop 55) left ``analyze_series(min_effect="0.3")`` accepted without a word of it in the docs, and
    "0,3" (a European spreadsheet's decimal comma) refused as "must be a non-negative number" with no word of
    the comma; a NumPy bool was read as 1.0 mm.  A number as text is read (documented); other text says what to
    write; a bool of either kind is refused (b3, stop 55)."""
    with pytest.raises(fm.SeriesError, match=re.escape(said)):
        fm.analyze_series(_two_subjects(), min_effect=given, n_boot=0)
    assert fm.analyze_series(_two_subjects(), min_effect="0.3", n_boot=0).min_effect == 0.3
    assert "A number\n        written as text" in fm.analyze_series.__doc__


def test_load_photo_takes_a_path_as_name_as_its_text(sample_path):
    """Round 8 (stop 55) left ``load_photo(p, name=Path(...))`` keeping the Path in ``Photo.name`` (only
    ``analyze_photo`` converted it): a name a report joins or a CSV writes as text.  Now its text; a number its
    text; a list a TypeError naming load_photo's ``name`` (b3)."""
    from pathlib import Path

    photo = fm.load_photo(sample_path, name=Path("clinic") / "before.jpg")
    assert type(photo.name) is str and photo.name == str(Path("clinic") / "before.jpg")
    assert fm.load_photo(np.zeros((64, 64, 3), np.uint8), name=Path("a.png")).name == "a.png"
    assert fm.load_photo(sample_path, name=12.0).name == "12"
    with pytest.raises(TypeError, match=r"^load_photo\(\) name must be a text or None, not list$"):
        fm.load_photo(sample_path, name=["a"])
