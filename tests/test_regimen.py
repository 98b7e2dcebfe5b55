"""The regimen over weeks: cumulative change from pre-session photos, separate from each
session's transient lift (facemetrics.decay.analyze_regimen, batch.run_timeline).

Simulated at the level of measured changes (numbers, no images), with a truth that
differs from the models' assumptions: the cumulative change saturates (the model is a
straight line), day-to-day photo errors are autocorrelated and heavy-tailed (the
bootstrap is not told), each session's peak and half-life vary, days are skipped, and
all post photos of a day share that day's pre-photo error (they are compared with it).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from facemetrics.batch import LONG_COLUMNS, run_timeline
from facemetrics.regimen import regimen_manifest
from facemetrics.decay import CUMULATIVE, INCONCLUSIVE, NO_CUMULATIVE, analyze_regimen

DAYS = 42  # 6 weeks of daily microcurrent, day 0 .. 41
CUM_MM = 0.8  # true cumulative change from day 0 to the last day
PEAK_MM, HALF_LIFE_H = 1.5, 3.0  # true transient lift right after a session (mean) and its half-life
POST_H = (0.25, 1.0, 3.0, 8.0, 14.0)
#: scale of the t(4) innovations of the AR(1) pre-photo error (stationary sd ~0.115 mm)
NOISE = 0.07


def cumulative(d):
    """Saturating truth (the model fits a straight line): CUM_MM at the last day."""
    last = DAYS - 1
    return CUM_MM * (1 - np.exp(-np.asarray(d, float) / 30.0)) / (1 - math.exp(-last / 30.0))


def simulate(seed: int = 0, subject: str = "me", cum_mm: float = CUM_MM):
    rng = np.random.default_rng(seed)
    skipped = set(rng.choice(np.arange(5, DAYS - 1), size=5, replace=False).tolist())
    days = [d for d in range(DAYS) if d not in skipped]
    e = 0.0
    pre_err = {}
    for d in days:  # AR(1), heavy-tailed day-to-day photo error (pose, light), mm: sd ~0.115 mm
        e = 0.5 * e + NOISE * rng.standard_t(4)
        pre_err[d] = e
    e0b = NOISE * rng.standard_t(4)  # a second day-0 baseline photo
    ref = (pre_err[0] + e0b) / 2  # batch averages the session's baseline photos
    scale = cum_mm / CUM_MM
    long_rows, levels = [], []
    base = dict(subject=subject, treatment="microcurrent", metric="jawline_lift_mm", side="mean", unit="mm",
                noise_floor=0.05, verdict="", photo="", taken_at="", treated_at="")
    for d in days:
        t0 = d + rng.uniform(-0.02, 0.02)  # morning session, +-30 min
        treated = f"2026-11-{1 + d // 30:02d}"
        if d > 0:
            levels.append({**base, "hours_since_treatment": 24 * t0,
                           "value": scale * cumulative(t0) + pre_err[d] - ref})
        else:  # day 0: the two baseline photos, each compared with the other
            for v in (pre_err[0] - e0b, e0b - pre_err[0]):
                levels.append({**base, "hours_since_treatment": -0.2, "value": v})
                long_rows.append({**base, "hours_since_treatment": -0.2, "value": v, "treated_at": treated})
        peak = PEAK_MM + 0.2 * rng.standard_normal()
        hl = HALF_LIFE_H * math.exp(0.25 * rng.standard_normal())
        for h in POST_H:
            h = h * rng.uniform(0.9, 1.1)
            true = peak * 2 ** (-h / hl) + scale * (cumulative(t0 + h / 24) - cumulative(t0))
            long_rows.append({**base, "hours_since_treatment": h,
                              "value": true + 0.1 * rng.standard_t(4) - (ref if d == 0 else pre_err[d]),
                              "treated_at": treated})
    return pd.DataFrame(long_rows, columns=LONG_COLUMNS), pd.DataFrame(levels, columns=LONG_COLUMNS)


def _write(tmp_path, long, levels):
    out = tmp_path / "batch"
    (out / "regimen").mkdir(parents=True)
    long.to_csv(out / "long.csv", index=False)
    levels.to_csv(out / "regimen" / "long.csv", index=False)
    pd.DataFrame({"photo": ["a.jpg"], "excluded": [""]}).to_csv(out / "photos.csv", index=False)
    return out


@pytest.fixture(scope="module")
def six_weeks(tmp_path_factory):
    long, levels = simulate(seed=3)
    out = _write(tmp_path_factory.mktemp("regimen"), long, levels)
    _, table = run_timeline(out, n_boot=300, seed=0)
    return out, table


def _within(est, truth):
    return abs(est - truth) <= 0.1 + 0.1 * abs(truth)


def test_cumulative_change_recovered(six_weeks):
    _, table = six_weeks
    reg = table[table["kind"] == "regimen"]
    assert len(reg) == 1
    r = reg.iloc[0]
    assert r["day_n"] == DAYS - 1
    assert _within(r["change_day_n"], CUM_MM), r["change_day_n"]
    assert _within(r["slope_per_week"], CUM_MM / (DAYS - 1) * 7), r["slope_per_week"]
    assert r["change_day_n_ci_low"] < r["change_day_n"] < r["change_day_n_ci_high"]
    assert r["bootstrap"] == "moving_block"
    assert r["verdict"] == CUMULATIVE, r["reason"]


def test_transient_lift_recovered_separately(six_weeks):
    _, table = six_weeks
    dec = table[(table["kind"] == "decay") & (table["metric"] == "jawline_lift_mm")]
    r = dec.iloc[0]
    assert _within(r["peak_change"], PEAK_MM), r["peak_change"]
    assert abs(r["half_life_h"] / HALF_LIFE_H - 1) < 0.3, r["half_life_h"]
    assert r["verdict"] == "fades_within_a_day", r["reason"]


def test_report_and_figure(six_weeks):
    out, _ = six_weeks
    md = (out / "report.md").read_text()
    assert "## Regimen: cumulative change over days" in md
    assert "| microcurrent | jawline_lift_mm | mean |" in md
    assert "cumulative_change" in md and "regimen.png" in md
    assert (out / "regimen.png").read_bytes()[:4] == b"\x89PNG"
    tl = pd.read_csv(out / "timeline.csv")
    assert set(tl["kind"]) == {"decay", "regimen"}
    from facemetrics import __version__

    assert (tl["facemetrics_version"].astype(str) == __version__).all()  # decay and regimen rows alike


def test_no_change_and_too_few_days():
    _, levels = simulate(seed=5, cum_mm=0.0)
    r = analyze_regimen(levels, n_boot=300).iloc[0]
    assert abs(r["change_day_n"]) <= 0.1
    assert r["verdict"] == NO_CUMULATIVE, r["reason"]
    few = levels[levels["hours_since_treatment"] < 24 * 2.5]
    r = analyze_regimen(few, n_boot=50).iloc[0]
    assert r["verdict"] == INCONCLUSIVE and r["status"] == "insufficient_data"
    assert math.isnan(r["slope_per_week"])


def test_three_subjects_cluster_bootstrap():
    levels = pd.concat([simulate(seed=s, subject=f"S{s}")[1] for s in (1, 2, 4)], ignore_index=True)
    r = analyze_regimen(levels, n_boot=200).iloc[0]
    assert r["bootstrap"] == "cluster" and r["n_subjects"] == 3
    assert _within(r["change_day_n"], CUM_MM)


def test_regimen_manifest_from_photos_table():
    photos = pd.DataFrame({
        "photo": ["d0a.jpg", "d0b.jpg", "d0post.jpg", "d1.jpg", "d1post.jpg", "rf0.jpg"],
        "subject": ["me"] * 6,
        "treatment": ["mc", "mc", "mc", "mc", "mc", "rf"],
        "taken_at": ["2026-11-01T07:50", "2026-11-01T07:55", "2026-11-01T09:00", "2026-11-02T07:55",
                     "2026-11-02T09:00", "2026-11-01T07:00"],
        "treated_at": ["2026-11-01T08:00"] * 3 + ["2026-11-02T08:00"] * 2 + ["2026-11-01T08:00"],
        "role": ["baseline", "baseline", "post", "baseline", "post", "baseline"],
    })
    m = regimen_manifest(photos)
    assert m["photo"].tolist() == ["d0a.jpg", "d0b.jpg", "d1.jpg"]  # rf: one session only
    assert set(m["treated_at"]) == {"2026-11-01T08:00"}


def test_regimen_sessions_are_the_batch_sessions_not_their_texts():
    """One treatment time written two ways is one session (as in the batch): no regimen from
    '08:00' and '08:00:00' of one day; two days, one written with an offset and one without,
    are two sessions, the earlier day's text kept; a time without an offset that names the
    wall-clock time of a session with one joins it."""
    def table(treated):
        n = len(treated)
        return pd.DataFrame({"photo": [f"p{i}.jpg" for i in range(n)], "subject": ["me"] * n,
                             "treatment": ["mc"] * n, "taken_at": ["2026-11-01T07:50"] * n,
                             "treated_at": treated, "role": ["baseline"] * n})

    assert regimen_manifest(table(["2026-11-01T08:00", "2026-11-01T08:00:00", "2026-11-01 08:00"])).empty
    m = regimen_manifest(table(["2026-11-02T08:00:00+01:00", "2026-11-01T08:00", "2026-11-02T08:00"]))
    assert m["photo"].tolist() == ["p0.jpg", "p1.jpg", "p2.jpg"]
    assert set(m["treated_at"]) == {"2026-11-01T08:00"}
    assert regimen_manifest(table(["2026-11-02T07:00Z", "2026-11-02T08:00+01:00"])).empty


def test_timeline_png_draws_both_fold_sides():
    """Fixed while there: a metric measured per side only (nlf_depth) gets a panel per side."""
    from facemetrics.decay import analyze_series
    from facemetrics.plots import plot_timeline

    long, _ = simulate(seed=1)
    parts = [long]
    for side in ("right", "left"):
        parts.append(long.assign(metric="nlf_depth", side=side, unit=""))
    df = pd.concat(parts, ignore_index=True)
    res = analyze_series(df, n_boot=50)
    fig = plot_timeline(df, res)
    titles = [ax.get_title() for ax in fig.axes if ax.get_visible()]
    assert titles == ["jawline_lift_mm (mean)", "nlf_depth (right)", "nlf_depth (left)"]


def test_weekly_rf_regimen():
    """Weekly RF: each session adds 0.2 mm that lasts (a step function, not a line); two photos
    before each session share that day's error."""
    rng = np.random.default_rng(2)
    rows = []
    for k in range(6):  # days 0, 7, ..., 35
        e_day = 0.1 * rng.standard_normal()
        for j in range(2):
            rows.append(dict(subject="me", treatment="rf", metric="jawline_lift_mm", side="mean", unit="mm",
                             hours_since_treatment=24 * 7 * k - 0.5 + 0.1 * j,
                             value=0.2 * k + e_day + 0.05 * rng.standard_normal()))
    r = analyze_regimen(pd.DataFrame(rows), n_boot=300).iloc[0]
    assert r["day_n"] == 35 and r["n_days"] == 5
    assert _within(r["change_day_n"], 1.0), r["change_day_n"]
    assert r["change_day_n_ci_low"] <= 1.0 <= r["change_day_n_ci_high"]
    assert r["verdict"] == CUMULATIVE


def test_levels_of_roughly_registered_pairs_are_left_out():
    """A pre-session photo whose comparison read ``uncertain`` (its upper faces matched only
    roughly) adds nothing to the regimen fit: wild values on such rows change nothing."""
    _, levels = simulate(seed=3)
    wild = levels.copy()
    rows = wild.index[wild["hours_since_treatment"] > 24 * 10][::4]
    wild.loc[rows, "value"] = 30.0
    wild.loc[rows, "verdict"] = "uncertain"
    a = analyze_regimen(wild, n_boot=0).iloc[0]
    b = analyze_regimen(levels.drop(index=rows), n_boot=0).iloc[0]
    assert len(rows) >= 3 and a["slope_per_week"] == b["slope_per_week"] and a["change_day_n"] == b["change_day_n"]
    wild.loc[rows, "verdict"] = ""
    assert analyze_regimen(wild, n_boot=0).iloc[0]["slope_per_week"] != a["slope_per_week"]


#: the start of an earlier run's figure (its ``Software`` tag, ``export.figure_png``): ``timeline`` replaces or
#: removes only such a file (a regimen.png it did not write is refused, ``outputs.not_written_by_facemetrics``)
_EARLIER_PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\x1ctEXtSoftware\x00facemetrics 0.2.15"


def test_a_regimen_with_no_usable_comparison_is_said_and_an_old_figure_removed(tmp_path, capsys):
    """CLI audit, 2026-12-03: `batch` said "regimen: 1 pre-session photos compared ..." but when every
    level read 'uncertain', `timeline` wrote no Regimen section and no regimen.png and said nothing.  Now
    one line on the console and a ``## Regimen`` note in report.md; a regimen.png of an earlier run is
    removed (it showed a fit this run did not make).  Levels without a value (refused comparisons) alike."""
    from facemetrics.cli import main
    from facemetrics.report import regimen_no_fit_note

    long, levels = simulate(seed=3)
    levels = levels.assign(photo=[f"pre{i}.jpg" for i in range(len(levels))], verdict="uncertain")
    out = _write(tmp_path, long, levels)
    (out / "regimen.png").write_bytes(_EARLIER_PNG)
    assert main(["timeline", str(out), "--n-boot", "0"]) == 0
    note = regimen_no_fit_note(len(levels))
    assert note.startswith(f"Regimen: all {len(levels)} pre-session comparisons read 'uncertain'"), note
    assert note in capsys.readouterr().out.splitlines()
    assert f"\n## Regimen\n\n{note}\n" in (out / "report.md").read_text()
    assert not (out / "regimen.png").exists()
    assert "regimen" not in set(pd.read_csv(out / "timeline.csv").get("kind", pd.Series(dtype=str)))

    levels.loc[levels.index[:3], "value"] = float("nan")  # three refused: no value
    levels.to_csv(out / "regimen" / "long.csv", index=False)
    (out / "regimen.png").write_bytes(_EARLIER_PNG)
    _, table = run_timeline(out, n_boot=0)
    assert table.attrs["regimen_note"] == regimen_no_fit_note(len(levels) - 3, 3)
    assert "3 gave no value (refused or not measured)" in table.attrs["regimen_note"]
    assert not (out / "regimen.png").exists()
    levels["value"] = float("nan")
    levels.to_csv(out / "regimen" / "long.csv", index=False)
    (out / "regimen.png").write_bytes(_EARLIER_PNG)
    _, table = run_timeline(out, n_boot=0)
    assert table.attrs["regimen_note"].startswith(f"Regimen: all {len(levels)} pre-session comparisons gave no value")
    assert not (out / "regimen.png").exists()


def test_a_regimen_long_csv_without_its_verdict_column_is_refused(tmp_path):
    """Review of f368598: only the batch's long.csv was checked for a lost verdict column; an edited
    regimen/long.csv was fitted whole, its 'uncertain' levels with it, without a word.  Both are read by
    one helper now: refused with the regimen table named, before timeline.csv is written; a hand-made
    levels table (no facemetrics_version either) is fitted as it is."""
    from facemetrics.decay import SeriesError

    long, levels = simulate(seed=3)
    long, levels = long.assign(facemetrics_version="0.2.11"), levels.assign(facemetrics_version="0.2.11")
    levels.loc[levels.index[-4:], ["value", "verdict"]] = [3.0, "uncertain"]  # wild levels the fits leave out
    out = _write(tmp_path, long, levels.drop(columns="verdict"))
    with pytest.raises(SeriesError, match=r"regimen/long\.csv was written by facemetrics but has lost its verdict"):
        run_timeline(out, n_boot=0)
    assert not (out / "timeline.csv").exists()
    levels.drop(columns=["verdict", "facemetrics_version"]).to_csv(out / "regimen" / "long.csv", index=False)
    _, whole = run_timeline(out, n_boot=0)
    levels.to_csv(out / "regimen" / "long.csv", index=False)
    _, kept = run_timeline(out, n_boot=0)
    whole, kept = (t[t["kind"] == "regimen"].iloc[0] for t in (whole, kept))
    assert whole["n_photos"] == kept["n_photos"] + 4 and whole["change_day_n"] > kept["change_day_n"]


def test_the_regimen_note_counts_in_words():
    from facemetrics.report import regimen_no_fit_note

    assert regimen_no_fit_note(1) == (
        "Regimen: the 1 pre-session comparison read 'uncertain' (no change can be read from it), so no cumulative "
        "change was fitted and no regimen.png was drawn (the messages column of regimen/changes.csv says why).")
    assert regimen_no_fit_note(0, 1).startswith("Regimen: the 1 pre-session comparison gave no value (refused")
    assert regimen_no_fit_note(1, 2).startswith("Regimen: of 3 pre-session comparisons, 1 read 'uncertain' (no "
                                                "change can be read from it) and 2 gave no value")


def test_a_fitted_regimen_has_no_note(six_weeks):
    out, table = six_weeks
    assert table.attrs["regimen_note"] == ""
    assert "## Regimen: cumulative change over days" in (out / "report.md").read_text()


def test_batch_prints_the_regimens_time_notes(tmp_path, monkeypatch, capsys):
    """Review of 85fba1e, B: a pooled baseline left out among several offsets in the regimen batch was
    never said (cmd_batch printed the main batch's time notes only)."""
    from types import SimpleNamespace

    import facemetrics.batch as batch
    import facemetrics.regimen as regimen
    from facemetrics.cli import main

    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.jpg").write_bytes(b"not read: run_batch is replaced")
    done = SimpleNamespace(merged=[], time_notes=[], taken_at_notes=[], change_rows=[], n_duplicates=0, photo_rows=[],
                           n_ok=0, n_cached=0, excluded=[], seconds=0.0, removed=[], not_removed=[])
    reg = SimpleNamespace(**(done.__dict__ | dict(time_notes=["me, mc, treated X: 1 photo left out (...)"])))
    monkeypatch.setattr(batch, "run_batch", lambda *a, **k: done)
    monkeypatch.setattr(regimen, "run_regimen_batch", lambda *a, **k: reg)
    assert main(["batch", str(tmp_path / "in"), "-o", str(tmp_path / "out")]) == 1  # nothing compared
    assert "regimen: me, mc, treated X: 1 photo left out (...)" in capsys.readouterr().out.splitlines()


def _read_high_levels(unit: str, n_subjects: int = 1, read: float = 1.07) -> pd.DataFrame:
    """A daily regimen whose true level grows 0.03 units a day (0.84 at day 28), every value read ``read``
    times too large (a scale error shared by the whole series, as a wrong iris size gives), photo noise 0.01."""
    rng = np.random.default_rng(4)
    rows = [dict(subject=f"S{s}", treatment="microcurrent", metric="jawline_lift_mm", side="mean", unit=unit,
                 hours_since_treatment=24 * d - 0.5, value=read * 0.03 * d + 0.01 * rng.standard_normal())
            for s in range(n_subjects) for d in range(29)]
    return pd.DataFrame(rows)


def test_regimen_intervals_in_mm_carry_the_scale_error(monkeypatch):
    """A regimen read 7 % high in mm: the interval of its change covers the truth only because the
    bootstrap draws the mm scale's error (as the decay fits do); in degrees or the index nothing changes."""
    import facemetrics.decay.bootstrap as bootstrap  # where _scale_factors reads SCALE_SD

    truth = 0.03 * 28
    mm = analyze_regimen(_read_high_levels("mm"), n_boot=400).iloc[0]
    assert mm["bootstrap"] == "moving_block" and mm["day_n"] == 28
    assert mm["change_day_n_ci_low"] <= truth <= mm["change_day_n_ci_high"], mm["reason"]
    assert mm["change_day_n_ci_high"] < 1.07 * truth * 1.2  # the scale's 4.5 %, not an unbounded widening
    deg = analyze_regimen(_read_high_levels("deg"), n_boot=400).iloc[0]
    index = analyze_regimen(_read_high_levels("index"), n_boot=400).iloc[0]
    assert deg["change_day_n"] == mm["change_day_n"]  # the estimate itself is not touched
    assert (deg["change_day_n_ci_low"], deg["change_day_n_ci_high"]) == (
        index["change_day_n_ci_low"], index["change_day_n_ci_high"])
    assert deg["change_day_n_ci_low"] > truth  # photo noise alone: the 7 % is not seen
    # without the scale's error, the mm interval is the degrees' one and misses the truth
    monkeypatch.setattr(bootstrap, "SCALE_SD", {k: 0.0 for k in bootstrap.SCALE_SD})
    bare = analyze_regimen(_read_high_levels("mm"), n_boot=400).iloc[0]
    assert (bare["change_day_n_ci_low"], bare["change_day_n_ci_high"]) == (
        deg["change_day_n_ci_low"], deg["change_day_n_ci_high"])
    assert bare["change_day_n_ci_low"] > truth


@pytest.mark.parametrize("n_subjects", [1, 3])
def test_regimen_scale_term_follows_the_calibration_source(n_subjects):
    """Levels read in a scale given with --mm-per-px (long.csv's calibration_source user_mm_per_px) carry no
    error of the mm scale (the user's scale is taken as exact): with the same seed their interval is
    narrower than the iris scale's, exactly the one in degrees; --ipd-mm's lies between (its 1.5 % per
    subject, moving blocks) or equals it (cluster: the resampled subjects carry it); a blank source is iris."""
    df = _read_high_levels("mm", n_subjects=n_subjects)

    def width(frame):
        r = analyze_regimen(frame, n_boot=200).iloc[0]
        return r["change_day_n_ci_high"] - r["change_day_n_ci_low"]

    iris, user, ipd = (width(df.assign(calibration_source=s)) for s in ("iris", "user_mm_per_px", "user_ipd"))
    deg = width(_read_high_levels("deg", n_subjects=n_subjects).assign(calibration_source="iris"))
    assert user < 0.8 * iris and user == pytest.approx(deg, rel=1e-9), (user, iris, deg)
    assert (user * 1.05 < ipd < 0.9 * iris) if n_subjects == 1 else ipd == pytest.approx(user, rel=1e-9)
    assert width(df.assign(calibration_source="")) == pytest.approx(iris, rel=1e-12)
    assert width(df) == pytest.approx(iris, rel=1e-12)


def test_regimen_cluster_intervals_in_mm_carry_the_shared_scale_error():
    """Whole subjects resampled: the shared part of the scale's error still widens an interval in mm."""
    mm = analyze_regimen(_read_high_levels("mm", n_subjects=3), n_boot=200).iloc[0]
    deg = analyze_regimen(_read_high_levels("deg", n_subjects=3), n_boot=200).iloc[0]
    assert mm["bootstrap"] == deg["bootstrap"] == "cluster"
    widths = [r["change_day_n_ci_high"] - r["change_day_n_ci_low"] for r in (mm, deg)]
    assert widths[0] > 3 * widths[1]


def test_no_regimen_removes_only_the_regimen_tables_not_its_cache(tmp_path):
    """An audit (2026-12-04): a batch run again after the later sessions were taken out of the study deleted
    the whole ``regimen/`` folder, its measurements cache ``regimen/.cache`` with it (every regimen photo
    measured again when the sessions came back).  Now only the tables an earlier regimen batch wrote there
    (those whose start shows facemetrics wrote them) are removed; the cache and any other file are kept."""
    from facemetrics.regimen import run_regimen_batch

    out = tmp_path / "out"
    reg = out / "regimen"
    (reg / ".cache" / "photo").mkdir(parents=True)
    (reg / ".cache" / "photo" / "abc.json").write_text("{}")
    (reg / ".cache" / "regimen_manifest.csv").write_text("photo,subject\n")
    for name in ("photos.csv", "changes.csv", "long.csv"):
        (reg / name).write_text("photo,facemetrics_version\na.jpg,0.2.12\n")
    (reg / "notes.txt").write_text("mine\n")
    (reg / "long.csv").write_text("photo,value\na.jpg,1\n")  # not facemetrics': kept
    one_session = [dict(photo="a.jpg", subject="me", treatment="rf", role="baseline", taken_at="2026-11-02T07:50:00",
                        treated_at="2026-11-02T08:00:00")]
    assert run_regimen_batch(tmp_path / "photos", out, one_session) is None
    assert sorted(str(p.relative_to(reg)) for p in reg.rglob("*")) == [
        ".cache", ".cache/photo", ".cache/photo/abc.json", ".cache/regimen_manifest.csv", "long.csv", "notes.txt"]
    (reg / "long.csv").unlink()
    (reg / "notes.txt").unlink()
    assert run_regimen_batch(tmp_path / "photos", out, one_session) is None
    assert (reg / ".cache" / "photo" / "abc.json").read_text() == "{}"
    bare = tmp_path / "bare"  # a regimen folder that held only its tables is removed with them
    (bare / "regimen").mkdir(parents=True)
    (bare / "regimen" / "photos.csv").write_text("photo,facemetrics_version\n")
    assert run_regimen_batch(tmp_path / "photos", bare, one_session) is None
    assert not (bare / "regimen").exists() and bare.is_dir()


def test_batch_prints_the_regimens_before_photos_disagreement_once_in_the_batchs_words(tmp_path, monkeypatch, capsys):
    """The regimen batch's baseline (the first session's before photos) can disagree like a session's: its
    changes.csv said so (the disagreement, and the noise floors built from those photos), and `batch` printed the
    line of each session but nothing of the regimen's.  It prints both now, once per subject and treatment (one
    floors line though each comparison names its own floors), in the words the batch prints for a session."""
    from types import SimpleNamespace

    import facemetrics.batch as batch
    import facemetrics.batch.console as console
    import facemetrics.regimen as regimen
    from facemetrics.cli import main
    from facemetrics.compare.disagreement import (MSG_BASELINES_DISAGREE, MSG_FLOORS_FROM_DISAGREEMENT,
                                                  baseline_disagreement, disagreement_floors_note)

    jaw = dict(metric="jawline_lift_mm", side="mean", unit="mm", verdict="lift", change=1.59, noise_floor=0.10)
    msg, left_out = baseline_disagreement([(dict(photo="me/rf/w1/pre2.jpg", role="baseline"),
                                            [dict(photo="me/rf/w1/pre1.jpg")], {"rows": [jaw]})])
    assert msg.startswith(MSG_BASELINES_DISAGREE) and left_out

    def floors(mm: float) -> str:
        return disagreement_floors_note([dict(photo="me/rf/w1/pre1.jpg"), dict(photo="me/rf/w1/pre2.jpg")],
                                        {"messages": [], "rows": [dict(jaw, noise_floor=mm)]})

    group = dict(subject="me", treatment="rf", treated_at="2026-11-02T08:00", n_baseline=2)
    rows = [dict(group, messages=f"{msg}; {floors(20.16)}"), dict(group, messages=f"{msg}; {floors(20.40)}"),
            dict(group, treatment="mc", messages="")]  # another group, its before photos agree
    done = SimpleNamespace(merged=[], time_notes=[], taken_at_notes=[], change_rows=[], n_duplicates=0, photo_rows=[],
                           n_ok=0, n_cached=0, excluded=[], seconds=0.0, removed=[], not_removed=[])
    reg = SimpleNamespace(**(done.__dict__ | dict(change_rows=rows)))
    monkeypatch.setattr(batch, "run_batch", lambda *a, **k: done)
    monkeypatch.setattr(regimen, "run_regimen_batch", lambda *a, **k: reg)
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.jpg").write_bytes(b"not read: run_batch is replaced")
    assert main(["batch", str(tmp_path / "in"), "-o", str(tmp_path / "out")]) == 0
    out = capsys.readouterr().out.splitlines()
    said = [x for x in out if MSG_BASELINES_DISAGREE in x or MSG_FLOORS_FROM_DISAGREEMENT in x]
    # the batch's words for a session of these rows, each after "regimen: "
    as_batch = [x for x in console.batch_lines(SimpleNamespace(**(done.__dict__ | dict(change_rows=rows))))
                if MSG_BASELINES_DISAGREE in x or MSG_FLOORS_FROM_DISAGREEMENT in x]
    assert said == [f"regimen: {x}" for x in as_batch], said
    assert said == [f"regimen: me, rf, treated 2026-11-02T08:00: {msg}",
                    f"regimen: me, rf, treated 2026-11-02T08:00: {floors(20.16)}"], said
