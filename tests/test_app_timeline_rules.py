"""The app's Timeline tab reads its fits by the same series-reading rules as ``facemetrics timeline``
(:func:`facemetrics.batch.series_read.read_series`): the same photos read ``inconclusive`` in both when every after
photo's comparison says the mouth is narrower than in the before photo (docs/validation.md §20), where the tab read
``persists_beyond_a_day``.  The series is tests/test_flow_outliers.py's linear fade (not the decay model's curve)
shifted by -2 mm at every time, as tests/test_before_read.py's; the comparisons are stand-ins
(tests/test_app.py's), turned into rows and ``changes.csv`` records by the tab's own :func:`app.timeline_rows`."""

import contextlib
import sys
from pathlib import Path

import pandas as pd
import pytest

from facemetrics.batch import run_timeline
from facemetrics.schema import LONG_COLUMNS

sys.path.insert(0, str(Path(__file__).parent))
from test_before_read import NARROWER  # noqa: E402
from test_flow_outliers import _series  # noqa: E402

TIMES = [0.25, 0.5, 1, 2, 4, 8, 24, 48]
BEFORE = "m0p5h.jpg"
METRICS = ("mouth_corner_lift_mm",)


def _tab(messages):
    """The Timeline tab's long.csv rows and changes.csv records of a before photo at -0.5 h and 8 after photos
    whose comparisons read the fade shifted by -2 mm, each with ``messages``."""
    from conftest import app_module
    from test_app import _flagged, _roles, _stub_comparison

    app = app_module()
    series = _series(times=TIMES)
    change = dict(zip(series["photo"], series["value"] - 2.0))
    times = {BEFORE: ("tx", -0.5), **{p: ("tx", t) for p, t in zip(series["photo"], TIMES)}}
    pairs = app.pairs_of(_roles(times), {n: _flagged(n) for n in times})

    def comparison_of(pair):
        rows = [dict(metric="mouth_corner_lift_mm", side="mean", unit="mm", change=change[pair.after.name],
                     noise_floor=0.3, verdict="lift")]
        return _stub_comparison("warning" if messages else "ok", messages, rows)

    records = []
    rows, _ = app.timeline_rows(pairs, comparison_of, records)
    return app, pd.DataFrame(rows, columns=LONG_COLUMNS), records


def _cli(folder, long, records, metrics=METRICS):
    """``run_timeline``'s table of the same rows and records written as a batch folder."""
    long.to_csv(folder / "long.csv", index=False)
    pd.DataFrame(records).to_csv(folder / "changes.csv", index=False)
    pd.DataFrame(dict(photo=long["photo"], excluded="")).to_csv(folder / "photos.csv", index=False)
    return run_timeline(folder, metrics=list(metrics))[1]


def _pooled(table):
    return table[table["subject"].isna() | (table["subject"].astype(str) == "")].iloc[0]


def test_a_smiling_before_photo_reads_inconclusive_in_the_tab_as_on_the_command_line(tmp_path):
    pytest.importorskip("streamlit")
    app, long, records = _tab((NARROWER,))
    assert {r["baseline_photos"] for r in records} == {BEFORE} and {r["role"] for r in records} == {"post"}
    assert {r["mouth_corner_lift_mm_verdict"] for r in records} == {"lift"}
    plain, png, _ = app.timeline(long, METRICS)
    assert png is not None and _pooled(plain)["verdict"] == "persists_beyond_a_day"  # what the tab read
    table, _, _ = app.timeline(long, METRICS, tuple(records))
    row = _pooled(table)
    assert row["verdict"] == "inconclusive"
    assert f"before photo `{BEFORE}`" in row["reason"] and "(with it: persists_beyond_a_day)" in row["reason"]
    cli = _pooled(_cli(tmp_path, long, records))
    assert (cli["verdict"], cli["reason"]) == (row["verdict"], row["reason"])


def test_a_clean_series_reads_the_same_with_the_rules(tmp_path):
    pytest.importorskip("streamlit")
    app, long, records = _tab(())
    plain, png, _ = app.timeline(long, METRICS)
    table, _, _ = app.timeline(long, METRICS, tuple(records))
    pd.testing.assert_frame_equal(table, plain)
    assert _pooled(_cli(tmp_path, long, records))["verdict"] == _pooled(table)["verdict"]


EXAMPLE_METRICS = ("jawline_lift_mm", "mouth_corner_lift_mm")


def _pooled_rows(table):
    rows = table[(table["subject"].isna() | (table["subject"].astype(str) == "")) & (table["side"] == "mean")]
    return rows.set_index(["treatment", "metric"])[["verdict", "reason"]].sort_index()


def test_the_bundled_example_passes_its_comparisons_so_it_reads_as_demo_reads_its_batch(tmp_path):
    # the example's series went to the tab with no changes.csv records: no series-reading rule (§16, §20) read it,
    # while `demo` (batch, then timeline) reads its changes.csv
    pytest.importorskip("streamlit")
    from conftest import app_module

    app = app_module()
    long, records = app.example_series()
    assert {r["role"] for r in records} == {"baseline", "post"}
    assert {r["baseline_photos"] for r in records} == {"example_before.png"}
    assert len(records) == long["photo"].nunique()
    table, png, _ = app.timeline(long, EXAMPLE_METRICS, records)
    assert png is not None
    mine = _pooled_rows(table)
    assert mine.loc[("microcurrent", "jawline_lift_mm"), "verdict"] == "fades_within_a_day"
    assert mine.loc[("rf", "jawline_lift_mm"), "verdict"] == "persists_beyond_a_day"
    pd.testing.assert_frame_equal(mine, _pooled_rows(_cli(tmp_path, long, records, EXAMPLE_METRICS)))
    # and a rule reaches it: every microcurrent after photo's comparison saying the mouth is narrower (§20)
    smiled = tuple(dict(r, messages=NARROWER) if r["treatment"] == "microcurrent" and r["role"] == "post" else r
                   for r in records)
    read, _, _ = app.timeline(long, EXAMPLE_METRICS, smiled)
    assert set(_pooled_rows(read).loc["microcurrent", "verdict"]) == {"inconclusive"}
    assert (_pooled_rows(read).loc["rf"] == mine.loc["rf"]).all().all()
    (note,) = read.attrs["before_notes"]
    assert note.startswith("before photo to retake: `example_before.png` (example, microcurrent)")


def _fake_example(base_photo, *, records_out=None, **_):
    """A stand-in for the bundled example's simulation: tests/test_flow_outliers.py's fade shifted by -2 mm, every
    comparison saying the mouth is narrower than in the before photo (what a smiling before photo did, §20)."""
    series = _series(times=TIMES).assign(subject="example", treatment="microcurrent")
    series["value"] -= 2.0
    for p, t in zip(series["photo"], TIMES):
        records_out.append(dict(subject="example", treatment="microcurrent", photo=p, baseline_photos="ex.png",
                                role="post", hours_since_treatment=t, status="warning", messages=NARROWER,
                                mouth_corner_lift_mm_verdict="lift"))
    return series.reindex(columns=LONG_COLUMNS)


# the table's attrs (notes for the CSV and the figure, some keyed by tuples) are not sent to Streamlit, which warned
# and dropped them (CI, stop 51): the warning is an error here, shown as the page's exception
@pytest.mark.filterwarnings("error:Could not serialize pd.DataFrame.attrs")
def test_the_timeline_tab_names_the_before_photo_to_retake(monkeypatch):
    pytest.importorskip("streamlit")
    from test_app import _texts

    with example_loaded(monkeypatch, _fake_example) as at:
        warned = [str(w.value).replace("\\", "") for w in at.warning if "before photo to retake" in str(w.value)]
        assert len(warned) == 1, _texts(at)
        assert "ex.png" in warned[0] and "Retake the before photo with a neutral face" in warned[0]
        assert any("verdict **inconclusive**" in t for t in _texts(at))


@contextlib.contextmanager
def example_loaded(monkeypatch, fake):
    """The app (AppTest) with "Load the bundled example" clicked and run, the example's simulation replaced by
    ``fake`` (its stand-in series); every ``st.cache_data`` cleared before and after (the example's series is cached
    for the process: a stand-in must not stay, nor another test's be shown)."""
    import streamlit as st
    from test_app import _app

    import facemetrics.study as fm_study

    monkeypatch.setattr(fm_study, "example_series", fake)
    st.cache_data.clear()
    try:
        at = _app()
        next(b for b in at.sidebar.button if b.label == "Load the bundled example").click()
        at.run(timeout=300)
        assert not at.exception, [e.value for e in at.exception]
        yield at
    finally:
        st.cache_data.clear()
