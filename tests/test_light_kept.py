"""The comparisons whose fold rows the fits keep although the lighting differs (docs/validation.md section 12, Round
19's (v)).  A clinic RF patient's home selfies (0.75 x as bright) carried changes.csv's warning "lighting differs:
face luminance 143 → 111 of 255 (-23 %, limit ±20 %); fold depth and contrast depend on the light" on 3 of 9
comparisons, their fold rows fitted; the console and report.md listed the comparisons left out or kept with the
expression warning, not these.  Now both list them, in the same place and words as the expression's."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd

from facemetrics.batch import console
from facemetrics.compare.gate import MSG_LIGHTING, MSG_LIGHTING_FOLDS

LIGHT = f"{MSG_LIGHTING}: face luminance 143 → 111 of 255 (-23 %, limit ±20 %); {MSG_LIGHTING_FOLDS}"
OTHER = "head pose differs: yaw 3.1° (limit 8°)"
HEAD = "## Comparisons kept in the fits with a warning: lighting differs"


def _row(photo, h, messages, fold, jaw="lifted", status="warning"):
    return dict(subject="S01", treatment="rf", photo=f"S01/rf/{photo}", hours_since_treatment=h, status=status,
                messages=messages, jawline_lift_mm_verdict=jaw, mouth_corner_lift_mm_verdict=jaw,
                nlf_depth_right_verdict=fold, nlf_depth_left_verdict=fold)


ROWS = [_row("home1.jpg", 34.0, f"{OTHER}; {LIGHT}", "within_noise"),  # listed (the message amid others)
        _row("clinic1.jpg", 0.17, "", "within_noise", status="ok"),  # no warning
        _row("home2.jpg", 82.0, LIGHT, "uncertain"),  # the fold rows not fitted: the warning touches no fitted figure
        _row("home3.jpg", 400.0, LIGHT, "deeper", status="refused"),  # refused: not fitted
        _row("home4.jpg", 82.0, LIGHT, "shallower", jaw="uncertain")]  # listed: its fold rows are fitted
WANT = [f"`S01/rf/home1.jpg` (S01, rf, 34 h since treatment): {LIGHT}",
        f"`S01/rf/home4.jpg` (S01, rf, 3.4 days since treatment): {LIGHT}"]


def test_the_batch_console_lists_the_comparisons_fitted_in_other_light():
    done = dict(merged=[], time_notes=[], taken_at_notes=[], photo_rows=[])
    lines = [x for x in console.batch_lines(SimpleNamespace(**done, change_rows=ROWS), kept_lines=True)
             if x.startswith(console.KEPT_WITH_WARNING)]  # study report's: held for the timeline's words
    assert lines == [f"{console.KEPT_WITH_WARNING}{n}" for n in WANT], lines
    reg = SimpleNamespace(time_notes=[], change_rows=ROWS[:1])
    assert console.regimen_lines(reg, "out", kept_lines=True)[-1] == f"{console.KEPT_WITH_WARNING}regimen: {WANT[0]}"


def test_report_md_and_the_timeline_console_list_them(tmp_path, capsys):
    from facemetrics.batch import timeline_report
    from facemetrics.cli import _print_verdicts
    from facemetrics.decay import analyze_series

    times = np.array([0.17, 1, 2, 4, 8, 24, 48])
    long = pd.concat([pd.DataFrame(dict(subject="S01", treatment="rf", hours_since_treatment=times,
                                        value=0.02 * np.cos(times), metric="nlf_depth", side=side, unit="index",
                                        verdict="within_noise")) for side in ("right", "left")])
    table = analyze_series(long, per_subject=False, n_boot=0).to_frame()
    changes = pd.DataFrame(ROWS)
    changes.to_csv(tmp_path / "changes.csv", index=False)
    pd.DataFrame(dict(photo=changes["photo"], excluded="")).to_csv(tmp_path / "photos.csv", index=False)
    report = timeline_report(table, tmp_path)
    assert HEAD in report, report
    section = report.split(HEAD, 1)[1].split("\n## ", 1)[0]
    assert [x for x in section.splitlines() if x.startswith("- ")] == [f"- {n}" for n in WANT], section
    assert "fold depth and contrast depend on the light" in section
    # study report: the batch's lines said one already; the timeline's console says the other once
    table.attrs["light_kept_notes"] = WANT
    _print_verdicts(table, said=[f"{console.KEPT_WITH_WARNING}{WANT[0]}"])
    out = capsys.readouterr().out.splitlines()
    assert [x for x in out if x.startswith(console.KEPT_WITH_WARNING)] == [f"{console.KEPT_WITH_WARNING}{WANT[1]}"]
    # none carrying the warning: no section
    changes["messages"] = ""
    changes.to_csv(tmp_path / "changes.csv", index=False)
    assert HEAD not in timeline_report(table, tmp_path)


def test_batch_then_timeline_print_each_kept_line_once(tmp_path, capsys, monkeypatch):
    """`batch` printed every line the timeline prints on a comparison kept in the fits with a warning (lighting
    differs, expression may differ), and `timeline` printed it again: a user running the two saw each twice (stop 58's
    note; the clinic RF audit's 3 home selfies, bench/audit_clinic_rf_s58.py --run).  `batch` now names them in one
    line per warning, pointing at `timeline`, which says each once; the regimen batch's the same."""
    import facemetrics.batch as fb
    import facemetrics.regimen as fr
    from facemetrics.batch.fit_notes import light_kept_notes
    from facemetrics.batch.runner import BatchResult
    from facemetrics.cli import main
    from facemetrics.decay import analyze_series

    res = BatchResult(photo_rows=[dict(photo=r["photo"], status="ok") for r in ROWS], change_rows=ROWS,
                      long_rows=[], out_dir=tmp_path)
    monkeypatch.setattr(fb, "run_batch", lambda *a, **k: res)
    monkeypatch.setattr(fb, "find_study_photos", lambda folder: [r["photo"] for r in ROWS])
    monkeypatch.setattr(fr, "run_regimen_batch", lambda *a, **k: BatchResult([], ROWS[:1], [], tmp_path))
    (tmp_path / "photos").mkdir()
    assert main(["batch", str(tmp_path / "photos"), "-o", str(tmp_path)]) == 0
    batch = capsys.readouterr().out.splitlines()

    times = np.array([0.17, 1, 2, 4, 8, 24, 48])
    long = pd.concat([pd.DataFrame(dict(subject="S01", treatment="rf", hours_since_treatment=times, value=0.0,
                                        metric="nlf_depth", side=side, unit="index", verdict="within_noise"))
                      for side in ("right", "left")])
    long.to_csv(tmp_path / "long.csv", index=False)
    table = analyze_series(long, per_subject=False, n_boot=0).to_frame()
    columns = ["nlf_depth_right", "nlf_depth_left"]
    table.attrs["light_kept_notes"] = [*light_kept_notes(ROWS, columns),  # as run_timeline sets them
                                       *(f"regimen: {n}" for n in light_kept_notes(ROWS[:1], columns))]
    monkeypatch.setattr(fb, "run_timeline", lambda *a, **k: (None, table))
    assert main(["timeline", str(tmp_path)]) == 0
    timeline = capsys.readouterr().out.splitlines()

    both = batch + timeline
    want = [f"{console.KEPT_WITH_WARNING}{n}" for n in (*WANT, f"regimen: {WANT[0]}")]
    assert [both.count(x) for x in want] == [1, 1, 1], both
    assert not [x for x in batch if x.startswith(console.KEPT_WITH_WARNING)], batch
    ahead = [x for x in batch if x.endswith(console.KEPT_AHEAD_END)]
    assert ahead == [f"2 comparisons the fits will keep with a warning, {MSG_LIGHTING}: `S01/rf/home1.jpg` and "
                     f"`S01/rf/home4.jpg` {console.KEPT_AHEAD_END}",
                     f"regimen: 1 comparison the fits will keep with a warning, {MSG_LIGHTING}: `S01/rf/home1.jpg` "
                     f"{console.KEPT_AHEAD_END}"], batch


def test_the_records_give_the_photo_and_the_fold_columns_that_entered():
    """:func:`facemetrics.batch.fit_notes.light_kept`'s records, whose lines are :data:`WANT` (stop 60, g2): the
    photo, the hours, and the fitted fold columns whose verdicts entered the fits in other light."""
    from facemetrics.batch.fit_notes import light_kept

    columns = ["jawline_lift_mm", "nlf_depth_right", "nlf_depth_left"]
    notes = light_kept(ROWS, columns)
    assert [str(n) for n in notes] == WANT
    assert [(n.photo, n.hours, n.columns) for n in notes] == [
        ("S01/rf/home1.jpg", 34.0, ("nlf_depth_right", "nlf_depth_left")),
        ("S01/rf/home4.jpg", 82.0, ("nlf_depth_right", "nlf_depth_left"))]
