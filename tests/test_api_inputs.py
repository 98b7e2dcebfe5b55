"""The public API's contract for the inputs a library user hands it (audit, stop 29).

A caller's *type* mistake is a ``TypeError`` at once; a bad *setting* is a ``SettingError`` /
``SeriesError`` naming it; a bad *photo* is a result with ``status`` and ``error``.  None of them
is a deep traceback, a photo's ``error`` row that asks for a bug report, or a setting silently
ignored.
"""

import io

import numpy as np
import pandas as pd
import pytest
from PIL import Image

import facemetrics as fm

AFTER = "astronaut_after.jpg"


# --- analyze_series -------------------------------------------------------------------------

def _changes(n_subjects: int = 3, seed: int = 0) -> pd.DataFrame:
    """A microcurrent-like series: 1.5 mm lift halving every 4 h, 0.1 mm noise, 7 times per subject."""
    rng = np.random.default_rng(seed)
    rows = [dict(subject=s, treatment="mc", hours_since_treatment=t, metric="jawline_lift_mm", side="mean",
                 value=(0.0 if t < 0 else 1.5 * 2 ** (-t / 4)) + rng.normal(0, 0.1), unit="mm")
            for s in "abc"[:n_subjects] for t in (-1, 0.5, 2, 6, 12, 24, 48)]
    return pd.DataFrame(rows)


def test_timedelta_times_are_hours_and_dates_are_refused():
    """Timedeltas (photo time - treatment time) give the fit of the same hours as numbers;
    dates (tz-aware or not, datetime64 or objects) are refused: read as numbers they were
    nanoseconds since 1970 and gave a confident verdict at '7200000000000 h'."""
    df = _changes()
    ref = fm.analyze_series(df, n_boot=50).fits[0]
    td = df.assign(hours_since_treatment=pd.to_timedelta(df["hours_since_treatment"], unit="h"))
    objs = df.assign(hours_since_treatment=[pd.Timedelta(hours=h) for h in df["hours_since_treatment"]])
    for table in (td, objs):
        fit = fm.analyze_series(table, n_boot=50).fits[0]
        assert fit.half_life_h == ref.half_life_h and fit.verdict == ref.verdict
    when = pd.Timestamp("2026-11-02 07:00") + pd.to_timedelta(df["hours_since_treatment"], unit="h")
    for dates in (when, when.dt.tz_localize("UTC"), when.astype(object)):
        with pytest.raises(fm.SeriesError, match="dates or times of day"):
            fm.analyze_series(df.assign(hours_since_treatment=dates), n_boot=50)


def test_blank_subject_is_one_subject_and_blank_labels_are_refused():
    """A one-person table saved to CSV has a blank subject: one subject (pandas reads NaN; it
    raised an IndexError deep in the bootstrap).  A blank treatment is one unnamed treatment; a
    blank metric or side dropped every row with status 'ok' and no fit: now a SeriesError naming
    the column."""
    one = _changes(1).assign(subject="")
    buf = io.StringIO()
    one.to_csv(buf, index=False)
    read = pd.read_csv(io.StringIO(buf.getvalue()))
    assert read["subject"].isna().all()
    res = fm.analyze_series(read, n_boot=50)
    assert res.status == "ok" and len(res.fits) == 1 and res.fits[0].fit_ok
    # beside named subjects it is a subject of its own, never the pooled row's empty label
    mixed = pd.concat([_changes(2), _changes(1, seed=1).assign(subject=np.nan)], ignore_index=True)
    subjects = [f.subject for f in fm.analyze_series(mixed, n_boot=50).fits]
    assert subjects[0] is None and "(no subject)" in subjects and "" not in subjects
    for col in ("metric", "side"):
        for blank in (np.nan, "", "  "):
            with pytest.raises(fm.SeriesError, match=f"no {col}"):
                fm.analyze_series(_changes().assign(**{col: blank}), n_boot=50)
    for blank in (np.nan, "", "  "):
        fits = fm.analyze_series(_changes().assign(treatment=blank), n_boot=50).fits
        assert fits and {f.treatment for f in fits} == {"(no treatment)"} and fits[0].fit_ok
    # a categorical subject column with a missing value (pandas refused the new label: a TypeError)
    cat = _changes().assign(subject=pd.Categorical(["a"] * 7 + [None] * 7 + ["c"] * 7))
    assert "(no subject)" in {f.subject for f in fm.analyze_series(cat, n_boot=50).fits}


@pytest.mark.parametrize("kw, match", [
    ({"n_boot": "abc"}, "n_boot must be a whole number"), ({"n_boot": 2.5}, "n_boot must be a whole number"),
    ({"n_boot": -1}, "n_boot must be 0 .* or at least 50"), ({"n_boot": 1}, "n_boot must be 0 .* or at least 50"),
    ({"confidence": "x"}, "confidence must be in"),
    ({"confidence": 1.0}, "confidence must be in"), ({"seed": None}, "seed must be a whole number"),
])
def test_series_settings_are_series_errors(kw, match):
    with pytest.raises(fm.SeriesError, match=match):
        fm.analyze_series(_changes(), **kw)


@pytest.mark.parametrize("kw, match", [({"n_boot": "abc"}, "n_boot must be a whole number"),
                                       ({"seed": None}, "seed must be a whole number")])
def test_regimen_settings_are_series_errors(kw, match):
    from facemetrics.decay import analyze_regimen

    levels = _changes().assign(days_since_start=lambda d: d["hours_since_treatment"] / 24.0)
    with pytest.raises(fm.SeriesError, match=match):
        analyze_regimen(levels, **kw)


def test_series_settings_written_as_text_are_read_as_the_numbers_they_are():
    """``confidence``, ``n_boot`` and ``seed`` as a CSV cell or a form gives them ("0.9", "50", "400.0", " 3 ") are
    read as min_effect's "0.3" is (stop 56, c1: "400.0" and "3.0" were refused as not whole)."""
    from facemetrics.decay import analyze_regimen

    numbers = fm.analyze_series(_changes(), confidence=0.9, n_boot=50, seed=3, min_effect=0.3).to_frame()
    for kw in (dict(confidence="0.9", n_boot="50", seed="3", min_effect="0.3"),
               dict(confidence=" 0.9 ", n_boot="50.0", seed="3.0", min_effect="0.3"),
               dict(confidence=b"0.9", n_boot=b"50", seed=b" 3 ", min_effect=0.3)):
        pd.testing.assert_frame_equal(fm.analyze_series(_changes(), **kw).to_frame(), numbers)
    levels = _changes().assign(days_since_start=lambda d: d["hours_since_treatment"] / 24.0)
    pd.testing.assert_frame_equal(analyze_regimen(levels, confidence="0.9", n_boot="50.0", seed="3"),
                                  analyze_regimen(levels, confidence=0.9, n_boot=50, seed=3))


@pytest.mark.parametrize("kw, said", [
    ({"confidence": "0,9"}, "confidence must be in (0.5, 1), got '0,9' ('0,9' has a decimal comma): write 0.9"),
    ({"confidence": "ninety"}, "confidence must be in (0.5, 1), got 'ninety' (text that is not a number): give the "
                               "level as a fraction, e.g. 0.95"),
    ({"confidence": "90%"}, "confidence must be in (0.5, 1), got '90%' (a percentage?): give it as a fraction, 0.9 "
                            "for 90 %"),
    ({"confidence": 95}, "confidence must be in (0.5, 1), got 95 (a percentage?): give it as a fraction, 0.95 for "
                         "95 %"),
    ({"n_boot": "1,000"}, "n_boot must be a whole number, got '1,000' ('1,000' has a thousands separator): write 1000"),
    ({"n_boot": "ninety"}, "n_boot must be a whole number, got 'ninety' (text that is not a number): give the number "
                           "alone, e.g. 400"),
    ({"n_boot": "2.5"}, "n_boot must be a whole number, got '2.5'"),
    ({"seed": "seven"}, "seed must be a whole number, got 'seven' (text that is not a number): give the number alone, "
                        "e.g. 0"),
    ({"seed": True}, "seed must be a whole number, got True"), ({"confidence": True}, "confidence must be in (0.5, "
                                                                                     "1), got True"),
])
def test_series_settings_refuse_other_text_saying_what_to_write(kw, said):
    """"0,9" read "confidence must be in (0.5, 1), got '0,9'" without a word of the comma, "ninety" for n_boot
    "must be a whole number": each now says what to write, as min_effect's "0,3" does (stop 56, c1)."""
    with pytest.raises(fm.SeriesError) as err:
        fm.analyze_series(_changes(), **kw)
    assert str(err.value) == said


def test_the_command_lines_seed_and_n_boot_read_what_the_library_reads(capsys):
    """`--seed 7.0` was argparse's "invalid int value", `--n-boot 1,000` "'1,000' is not a whole number" and
    `--min-effect 0,3` "'0,3' is not a number", each without what to write (stop 56, c1)."""
    from facemetrics.cli import build_parser

    ns = build_parser().parse_args(["timeline", "D", "--seed", "7.0", "--n-boot", "400.0", "--min-effect", "0.3"])
    assert (ns.seed, ns.n_boot, ns.min_effect) == (7, 400, 0.3)
    for option, value, said in (("--seed", "seven", "argument --seed: 'seven' is not a whole number (text that is "
                                                    "not a number): give the number alone, e.g. 0"),
                                ("--n-boot", "1,000", "argument --n-boot: '1,000' is not a whole number ('1,000' has "
                                                      "a thousands separator): write 1000"),
                                ("--min-effect", "0,3", "argument --min-effect: '0,3' is not a number ('0,3' has a "
                                                        "decimal comma): write 0.3")):
        with pytest.raises(SystemExit):
            build_parser().parse_args(["timeline", "D", option, value])
        assert said in capsys.readouterr().err


def test_negative_noise_floor_is_refused_and_numpy_integers_are_settings():
    with pytest.raises(fm.SeriesError, match="negative noise_floor"):
        fm.analyze_series(_changes().assign(noise_floor=-0.2), n_boot=50)
    assert fm.analyze_series(_changes(), n_boot=np.int64(50), seed=np.int64(3)).status == "ok"


# --- load_photo / analyze_photo -------------------------------------------------------------

def test_arrays_and_pil_images_are_photos(sample_path, sample_analysis):
    """An in-memory RGB array (and grey, RGBA over white, a PIL image, a non-contiguous view)
    is measured like the file it came from; the caller's array is copied, never shared."""
    rgb = fm.load_photo(sample_path).rgb
    a = fm.analyze_photo(rgb)
    assert a.ok and a.name == "<array>" and a.photo.format == "ARRAY" and a.photo.taken_at is None
    assert a.jaw.jawline_height_mm == sample_analysis.jaw.jawline_height_mm
    assert a.nlf_right.depth_index == sample_analysis.nlf_right.depth_index
    assert not np.shares_memory(a.photo.rgb, rgb)
    opaque = np.dstack([rgb, np.full(rgb.shape[:2], 255, np.uint8)])
    assert fm.analyze_photo(opaque).jaw.jawline_height_mm == a.jaw.jawline_height_mm
    pil = fm.analyze_photo(Image.fromarray(rgb))
    assert pil.name == "<PIL image>" and pil.jaw.jawline_height_mm == a.jaw.jawline_height_mm
    grey = fm.load_photo(rgb[..., 1])
    assert grey.rgb.shape == rgb.shape and np.array_equal(grey.rgb[..., 0], rgb[..., 1])
    half = np.zeros((4, 4, 4), np.uint8)
    half[..., 3] = 0  # fully transparent: white, as a decoded RGBA file is composited
    assert np.all(fm.load_photo(np.pad(half, ((20, 20), (20, 20), (0, 0)))).rgb == 255)
    # the same pixels hash the same, other pixels differently
    assert fm.load_photo(rgb).sha256 == fm.load_photo(rgb.copy()).sha256 != fm.load_photo(rgb[::-1]).sha256
    tiny = fm.analyze_photo(np.zeros((20, 20, 3), np.uint8))
    assert tiny.status == "too_small" and "20x20" in tiny.error


@pytest.mark.parametrize("bad, match", [
    (None, "not NoneType"), (3, "not int"), ([1, 2], "not list"),
    (np.zeros((64, 64, 3), np.float32), "uint8"), (np.zeros((64, 64, 2), np.uint8), "shape"),
])
def test_unsupported_sources_are_type_errors_not_error_rows(bad, match):
    """A caller's type mistake was an 'error' row asking for a bug report, named '<bytes>'."""
    with pytest.raises(TypeError, match=match):
        fm.analyze_photo(bad)
    with pytest.raises(TypeError, match=match):
        fm.load_photo(bad)


def test_an_analysis_is_not_analysed_again(sample_analysis):
    with pytest.raises(TypeError, match="already analysed"):
        fm.analyze_photo(sample_analysis)


@pytest.mark.parametrize("path", ["", "   "])
def test_an_empty_path_says_so(path):
    """'' was the current folder: 'is a directory, not a file'."""
    a = fm.analyze_photo(path)
    assert a.status == "unreadable" and a.error == "<empty path>: the path is empty"
    with pytest.raises(fm.PhotoError, match="the path is empty"):
        fm.load_photo(path)


# --- compare_photos -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def after_analysis(sample_path):
    a = fm.analyze_photo(sample_path.with_name(AFTER))
    assert a.ok
    return a


def test_pil_images_of_every_mode_read_as_their_files_do(tmp_path):
    """A PIL image is converted as the decoder converts a file (16-bit grey read as 0-255, not clipped
    white; a float image not black)."""
    ramp = (np.arange(64 * 64).reshape(64, 64) * 16).astype(np.uint16)
    img16 = Image.fromarray(ramp)  # mode I;16
    img16.save(tmp_path / "ramp.png")
    from_file = fm.load_photo(tmp_path / "ramp.png").rgb
    from_pil = fm.load_photo(img16).rgb
    assert abs(float(from_pil.mean()) - float(from_file.mean())) < 1.0 and 100 < from_pil.mean() < 155


def test_repeats_given_alone_or_as_the_same_file(sample_path, sample_analysis, after_analysis):
    """A single path as ``before_repeats`` is one repeat (it was read character by character:
    45 'file not found' messages); None is none; the before photo's own file as its repeat
    (identical pixels) measures no noise and is not used, with a message."""
    c = fm.compare_photos(sample_analysis, after_analysis, before_repeats=str(sample_path))
    assert c.noise_source == "default (1 repeat photo not used)" and c.status == "warning"
    assert c.messages == (f"repeat photo {sample_path.name} not used: it is the same picture as {sample_path.name} "
                          "(identical pixels), so it shows no noise",)
    base = fm.compare_photos(sample_analysis, after_analysis)
    none = fm.compare_photos(sample_analysis, after_analysis, before_repeats=None)
    assert none.status == base.status == "ok" and none.noise_floors == base.noise_floors
    with pytest.raises(TypeError, match="before_repeats must be a sequence"):
        fm.compare_photos(sample_analysis, after_analysis, before_repeats=3)
    # a file object or a PIL image given alone is one repeat too (a BytesIO was read line by line)
    jpeg = io.BytesIO(sample_path.read_bytes())
    for one in (jpeg, Image.open(sample_path)):
        c = fm.compare_photos(sample_analysis, after_analysis, before_repeats=one)
        assert len(c.messages) == 1 and "identical pixels" in c.messages[0], c.messages


def test_scale_settings_are_checked_and_never_silently_ignored(sample_path, sample_analysis, after_analysis):
    for kw, match in (({"mm_per_px": -1}, "mm_per_px -1 is not in"), ({"ipd_mm": 6.3}, "in mm, not cm"),
                      ({"mm_per_px": 0.2}, "already analysed"), ({"ipd_mm": 63}, "already analysed")):
        with pytest.raises(fm.SettingError, match=match):
            fm.compare_photos(sample_analysis, after_analysis, **kw)
    # the same setting as the analysis was made with is accepted; a path takes it
    b63 = fm.analyze_photo(sample_path, ipd_mm=63.0)
    assert fm.compare_photos(b63, sample_path.with_name(AFTER), ipd_mm=63.0).status in ("ok", "warning")


@pytest.mark.parametrize("floors, match", [
    ({"jawline_lift_mm": 0.1}, "unknown key"), ({("jawline_lift_mm", "mean"): -1.0}, "finite number >= 0"),
    ({("jawline_lift_mm", "mean"): float("nan")}, "finite number >= 0"),
    ({("jawline_lift_mm", "mean"): "0.1"}, "finite number >= 0"), ("x", "must be a dict"),
])
def test_bad_noise_floors_are_setting_errors(sample_analysis, after_analysis, floors, match):
    with pytest.raises(fm.SettingError, match=match):
        fm.compare_photos(sample_analysis, after_analysis, noise_floors=floors)


def test_errors_are_importable_from_the_package_and_listed():
    """SettingError and SeriesError are raised by the verbs and named in the README; the lazy
    loader's own ``dir()`` hid every name imported at once."""
    from facemetrics import SeriesError, SettingError
    from facemetrics.decay import SeriesError as decay_series_error

    assert decay_series_error is SeriesError and issubclass(SettingError, fm.FacemetricsError)
    assert {"SettingError", "SeriesError", "FacemetricsError", "PhotoError", "__version__",
            "analyze_photo"} <= set(dir(fm))


def test_an_analysis_points_cannot_be_changed_in_place(sample_path):
    """The result is frozen, and so are its landmarks: editing them in place changed what to_row()
    and a later comparison read (audit)."""
    a = fm.analyze_photo(sample_path)
    before = a.to_row()["jawline_height_mm"]
    with pytest.raises(ValueError, match="read-only"):
        a.points[:, 1] += 10.0
    assert a.to_row()["jawline_height_mm"] == before
    import copy
    import pickle

    for c in (pickle.loads(pickle.dumps(a)), copy.deepcopy(a)):  # the app's cache pickles analyses
        assert not c.points.flags.writeable and c.to_row()["jawline_height_mm"] == before


def test_a_repeated_row_is_counted_once_and_said():
    """The same photo listed twice (two tables concatenated) narrowed the CI as if it were two photos."""
    df = _changes()
    once = fm.analyze_series(df, n_boot=50).fits[0]
    twice = fm.analyze_series(pd.concat([df, df], ignore_index=True), n_boot=50).fits[0]
    assert (twice.change_24h_ci_low, twice.change_24h_ci_high) == (once.change_24h_ci_low, once.change_24h_ci_high)
    assert twice.n_photos == once.n_photos and "21 rows repeated another" in twice.reason
    assert "repeated" not in once.reason
    # with sha256 the photo decides: the same picture under two names is one; other pictures with equal
    # values at one time are two
    a = df.assign(sha256=[f"{i:064x}" for i in range(len(df))])
    b = a.assign(photo="copy.jpg")
    assert "21 rows repeated" in fm.analyze_series(pd.concat([a, b]), n_boot=50).fits[0].reason
    c = a.assign(sha256=[f"{i + 999:064x}" for i in range(len(df))])
    assert "repeated" not in fm.analyze_series(pd.concat([a, c]), n_boot=50).fits[0].reason


def test_regimen_counts_a_repeated_photo_once_and_blank_treatments_plot():
    """The regimen fit reads its levels as the series fit does: a photo listed twice counts once,
    a blank treatment is '(no treatment)', and the plot finds the fit's points under that label."""
    from facemetrics.decay import analyze_regimen
    from facemetrics.plots import plot_regimen

    days = np.arange(0.0, 28.0, 2.0)
    levels = pd.DataFrame(dict(subject="a", treatment="", days_since_start=days, metric="jawline_lift_mm",
                               side="mean", value=0.02 * days + np.random.default_rng(0).normal(0, 0.05, len(days)),
                               unit="mm", photo=[f"p{i}.jpg" for i in range(len(days))]))
    once = analyze_regimen(levels, n_boot=50)
    twice = analyze_regimen(pd.concat([levels, levels], ignore_index=True), n_boot=50)
    assert once["treatment"].tolist() == ["(no treatment)"] and once["n_photos"].iloc[0] == len(days)
    assert twice["n_photos"].iloc[0] == len(days)
    fig = plot_regimen(levels, once)
    assert len(fig.axes[0].lines[0].get_xdata()) == len(days)  # the fit's points, found under its label


def test_plots_name_a_missing_or_empty_table():
    """``plot_timeline(changes, None)``, ``plot_regimen(levels, None)`` and ``plot_validation(None, ...)``
    raised an AttributeError from inside pandas, an empty regimen table drew a blank figure and an
    empty validation table a TypeError from matplotlib ("no numeric data to plot"): now a TypeError
    naming the argument, or an error saying the table is empty or lacks a column."""
    from facemetrics.decay import analyze_regimen
    from facemetrics.plots import plot_regimen, plot_timeline, plot_validation

    changes = _changes(1)
    with pytest.raises(TypeError, match="result must be the SeriesResult"):
        plot_timeline(changes, None)
    days = np.arange(0.0, 28.0, 7.0)
    levels = pd.DataFrame(dict(subject="a", treatment="rf", days_since_start=days, metric="jawline_lift_mm",
                               side="mean", value=0.02 * days, unit="mm"))
    regimen = analyze_regimen(levels, n_boot=0)
    with pytest.raises(TypeError, match="regimen must be a pandas DataFrame, not NoneType"):
        plot_regimen(levels, None)
    with pytest.raises(fm.SeriesError, match="regimen has no rows"):
        plot_regimen(levels, regimen.iloc[:0])
    with pytest.raises(fm.SeriesError, match="regimen lacks column"):
        plot_regimen(levels, pd.DataFrame({"x": [1]}))
    recovery = pd.DataFrame(dict(metric="jawline_lift_mm", true_mm=[0.0, 1.0], measured_mm=[0.1, 0.9]))
    nuisance = pd.DataFrame(dict(nuisance=["roll", "jpeg"], metric="jawline_lift_mm", false_lift_mm=[0.1, 0.2]))
    folds = pd.DataFrame(dict(darkening=[0.0, 0.2], nlf_depth_right=[0.0, 0.3]))
    assert len(plot_validation(recovery, nuisance, folds).axes) == 3
    with pytest.raises(TypeError, match="recovery must be a pandas DataFrame, not NoneType"):
        plot_validation(None, nuisance, folds)
    with pytest.raises(ValueError, match="nuisance has no rows"):
        plot_validation(recovery, nuisance.iloc[:0], folds)
    with pytest.raises(ValueError, match="folds lacks column.* darkening"):
        plot_validation(recovery, nuisance, pd.DataFrame())


# --- the other library surfaces (second audit) ------------------------------------------------

def test_simulations_refuse_what_they_cannot_simulate(sample_analysis):
    """A bad side darkened the other fold with a truth of 0; nan/inf lifts returned the photo unchanged
    with a truth of 0; a failed analysis gave an AttributeError from deep inside."""
    from facemetrics import simulate as sim

    for call, match in ((lambda: sim.deepen_fold(sample_analysis, 0.3, side="up"), "side must be"),
                        (lambda: sim.deepen_fold(sample_analysis, float("nan")), "fraction"),
                        (lambda: sim.deepen_fold(sample_analysis, 5.0), "fraction"),
                        (lambda: sim.lift(sample_analysis, float("inf")), "mm must be a finite"),
                        (lambda: sim.head_pose(sample_analysis, pitch_deg=90.0), "pitch_deg"),
                        (lambda: sim.camera_distance(sample_analysis, to_mm=-5.0), "camera distances")):
        with pytest.raises(ValueError, match=match):
            call()
    failed = fm.analyze_photo(np.zeros((64, 64, 3), np.uint8))
    for fn in (sim.lift, sim.deepen_fold):
        with pytest.raises(ValueError, match="needs a measured photo"):
            fn(failed, 0.5)
    with pytest.raises(TypeError, match="takes a PhotoAnalysis"):
        sim.lift(None, 1.0)
    assert sim.deepen_fold(sample_analysis, 0.2, side="both").truth == {"nlf_darkening_right": 0.2,
                                                                        "nlf_darkening_left": 0.2}


def test_store_add_refuses_a_subject_that_is_not_a_name_and_a_bare_photo(tmp_path, sample_path):
    """None was stored as a subject named 'None'; one path string was read character by character."""
    from facemetrics.store import Store, StoreError

    assert issubclass(StoreError, fm.FacemetricsError)
    s = Store(tmp_path / "store")
    with pytest.raises(TypeError, match="subject must be a name"):
        s.add_photos(None, [str(sample_path)], treatment="rf", treated_at="2026-11-02T07:00Z")
    with pytest.raises(TypeError, match="wrap a single photo"):
        s.add_photos("me", str(sample_path), treatment="rf", treated_at="2026-11-02T07:00Z")
    assert s.con.execute("SELECT COUNT(*) FROM subjects").fetchone()[0] == 0


def test_timeline_names_a_missing_batch_folder_and_unknown_metrics(tmp_path):
    from facemetrics.batch.timeline import run_timeline

    with pytest.raises(fm.SeriesError, match="not a batch output folder"):
        run_timeline(tmp_path / "nowhere")
    pd.DataFrame(dict(subject="a", treatment="rf", hours_since_treatment=[1.0], metric="jawline_lift_mm",
                      side="mean", value=[0.5], unit="mm")).to_csv(tmp_path / "long.csv", index=False)
    with pytest.raises(fm.SeriesError, match="unknown metric"):
        run_timeline(tmp_path, metrics=["nope"])
    from facemetrics.decay import analyze_regimen
    with pytest.raises(fm.SeriesError, match="lack column value"):
        analyze_regimen(pd.DataFrame(dict(subject="a", treatment="rf", days_since_start=[1.0],
                                          metric="jawline_lift_mm", side="mean")))


def test_capture_check_says_what_it_could_not_compare(sample_analysis):
    """A missing pose value said "taken like your baseline"; a zero width divided by zero; an analysis
    instead of its row gave an AttributeError."""
    from facemetrics.capture import capture_check

    row = sample_analysis.to_row()
    assert capture_check(row, dict(row)).ok
    for key in ("pitch_deg", "ipd_px"):
        c = capture_check(row, dict(row, **{key: float("nan")}))
        assert not c.ok and "Could not compare the " in c.advice[-1], c.advice
    c = capture_check(row, dict(row, image_width_px=0))
    assert not c.ok and "distance" in c.advice[-1]
    with pytest.raises(TypeError, match="measurement rows"):
        capture_check(sample_analysis, sample_analysis)
