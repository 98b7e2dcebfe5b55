"""batch.flow_read: docs/validation.md §16's rule wired into the timeline (run_timeline's timeline.csv, report.md,
the console's lines; the app's Timeline tab calls the same function).  The series are tests/test_flow_outliers.py's:
a linear fade to 0 at 10 h (not the decay model's curve), a 'smile' added to one photo."""

import sys
from pathlib import Path

import pandas as pd
import pytest

from facemetrics.batch import run_timeline
from facemetrics.batch.flow_read import flow_read
from facemetrics.batch.fit_notes import flow_photos
from facemetrics.compare.gate import MSG_EXPRESSION_MAYBE
from facemetrics.decay import analyze_series

sys.path.insert(0, str(Path(__file__).parent))
from test_flow_outliers import _series  # noqa: E402

TIMES = [0.25, 0.5, 1, 2, 4, 8, 24, 48]
SMILE = "p24h.jpg"
MAYBE = (f"{MSG_EXPRESSION_MAYBE}: a mouth corner moved 1.8 mm relative to the jowl below it (limit 0.6 mm), "
         "while the lips kept their shape. A change of expression ...")


def _batch(folder, bump, flow=(SMILE,), times=TIMES):
    """A batch folder (long.csv, changes.csv, photos.csv) of one series; ``flow`` the photos with the warning."""
    long = _series(times=times, bump_at=24 if bump else None, bump=bump)
    long["verdict"] = "lifted"
    long.to_csv(folder / "long.csv", index=False)
    pd.DataFrame(dict(subject="s1", treatment="tx", photo=long["photo"], hours_since_treatment=long[
        "hours_since_treatment"], status=["warning" if p in flow else "ok" for p in long["photo"]],
        messages=[MAYBE if p in flow else "" for p in long["photo"]], mouth_corner_lift_mm_verdict="lifted")
    ).to_csv(folder / "changes.csv", index=False)
    pd.DataFrame(dict(photo=long["photo"], excluded="")).to_csv(folder / "photos.csv", index=False)
    return folder


def _pooled(table):
    return table[table["subject"].isna() | (table["subject"].astype(str) == "")].iloc[0]


def test_a_smiling_24h_photo_off_the_curve_makes_the_series_inconclusive_and_names_it(tmp_path, capsys):
    # with the +0.8 mm photo at 24 h the fit reads persists_beyond_a_day; without it the other photos do not say so
    _, table = run_timeline(_batch(tmp_path, 0.8), n_boot=50, per_subject=False)
    row = _pooled(table)
    assert row["verdict"] == "inconclusive"
    assert row["reason"].startswith(f"`{SMILE}` (24 h) stands out from the curve of the other photos by ")
    assert "× its noise floor, with the warning that the expression may differ; without it the series reads " \
           "inconclusive (with it: persists_beyond_a_day)" in row["reason"]
    written = pd.read_csv(tmp_path / "timeline.csv", dtype=str)
    assert _pooled(written)["verdict"] == "inconclusive"
    report = (tmp_path / "report.md").read_text()
    assert f"`inconclusive`. `{SMILE}` (24 h) stands out" in report
    kept = report.split("## Comparisons kept in the fits with a warning", 1)[1]
    assert "stands out from the curve of the other photos: its series reads inconclusive" in kept
    assert any("stands out" in n for n in table.attrs["expression_kept_notes"])


def test_the_same_smile_without_the_warning_and_a_clean_flow_photo_are_unchanged(tmp_path):
    # the rule judges only flow-only photos: the same table without the warning keeps its verdict
    (tmp_path / "a").mkdir(), (tmp_path / "b").mkdir()
    _, table = run_timeline(_batch(tmp_path / "a", 0.8, flow=()), n_boot=50, per_subject=False)
    assert _pooled(table)["verdict"] == "persists_beyond_a_day"
    # a flow-only photo on the curve (a lift's own): the fading series keeps its verdict and its reason
    _, table = run_timeline(_batch(tmp_path / "b", 0.0), n_boot=50, per_subject=False)
    data = pd.read_csv(tmp_path / "b" / "long.csv")
    plain = analyze_series(data, n_boot=50, per_subject=False).to_frame().iloc[0]
    assert _pooled(table)["verdict"] == plain["verdict"] == "fades_within_a_day"
    assert _pooled(table)["reason"] == plain["reason"]
    assert "stands out" not in (tmp_path / "b" / "report.md").read_text()


def test_a_six_photo_series_says_its_flow_photo_could_not_be_checked(tmp_path):
    # §17: with exactly 6 fitted photos there is no fit without the smiling one; the reason says so, the verdict and
    # the rest of the reason stay, and the report's "kept with a warning" line says it too
    _, table = run_timeline(_batch(tmp_path, 0.8, times=[0.5, 1, 2, 8, 24, 48]), n_boot=50, per_subject=False)
    data = pd.read_csv(tmp_path / "long.csv")
    plain = analyze_series(data, n_boot=50, per_subject=False).to_frame().iloc[0]
    row = _pooled(table)
    assert row["verdict"] == plain["verdict"]
    said = (f"`{SMILE}` (24 h), fitted with the warning that the expression may differ, could not be checked against "
            "the other photos (only 5 other photos, too few for a fit without it: a fit needs 6); a smile there would "
            "not be seen.")
    assert row["reason"] == f"{plain['reason']} {said}"
    kept = (tmp_path / "report.md").read_text().split("## Comparisons kept in the fits with a warning", 1)[1]
    assert "could not be checked against the other photos" in kept and "stands out" not in kept


def test_flow_read_changes_only_the_pooled_row_of_a_changed_series():
    data = _series(times=TIMES, bump_at=24, bump=0.8)
    table = analyze_series(data, n_boot=50, per_subject=True).to_frame()
    out, checks = flow_read(table, data, [SMILE], n_boot=50)
    assert len(checks) == 1 and checks[0].changed and checks[0].flagged == (SMILE,)
    changed = out["verdict"] != table["verdict"]
    assert changed.sum() == 1 and out.loc[changed, "subject"].isna().all()
    assert flow_read(table, data, [], n_boot=50) == (table, ())


def test_the_apps_timeline_tab_reads_the_same_rule():
    """The app's Timeline tab fitted ``analyze_series`` itself: the rule now reads its table too, given the
    comparisons as ``changes.csv`` has them, which ``timeline_rows`` collects (the batch's criterion picks the flow
    photos: the comparison's messages carry the warning and a verdict entered the fits)."""
    pytest.importorskip("streamlit")
    from conftest import app_module
    from test_app import _flagged, _roles, _stub_comparison

    app = app_module()
    data = _series(times=TIMES, bump_at=24, bump=0.8)
    plain, png, _ = app.timeline(data, ("mouth_corner_lift_mm",))
    assert png is not None
    # the app's fits are 400 replicates (the CLI's default), where this series reads inconclusive with or without
    # the smile: the tab's table is flow_read's of its fits, whatever it reads
    read, checks = flow_read(plain, data, [SMILE])
    assert checks[0].flagged == (SMILE,)
    smile = dict(subject="you", treatment="tx", photo=SMILE, baseline_photos="pre.jpg", role="post",
                 hours_since_treatment=24.0, status="warning", messages=MAYBE, mouth_corner_lift_mm_verdict="lift")
    table, _, _ = app.timeline(data, ("mouth_corner_lift_mm",), (smile,))
    pd.testing.assert_frame_equal(table, read)

    (pair,) = app.pairs_of(_roles({"pre.jpg": ("rf", -1.0), "smile.jpg": ("rf", 24.0)}),
                           {n: _flagged(n) for n in ("pre.jpg", "smile.jpg")}).values()
    rows = [dict(metric="mouth_corner_lift_mm", side="mean", change=0.9, verdict="lifted")]
    for messages, expected in (((MAYBE,), ["smile.jpg"]), ((), [])):
        records = []
        app.timeline_rows({"p": pair}, lambda p: _stub_comparison("warning" if messages else "ok", messages, rows),
                          records)
        assert flow_photos(records, ["mouth_corner_lift_mm"]) == expected
