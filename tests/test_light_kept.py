"""The comparisons whose fold rows the fits keep although the lighting differs (docs/validation.md section 12, Round
19's (v)).  A clinic RF patient's home selfies (0.75 x as bright) carried changes.csv's warning "lighting differs:
face luminance 143 → 111 of 255 (−23 %, limit ±20 %); fold depth and contrast depend on the light" on 3 of 9
comparisons, their fold rows fitted; the console and report.md listed the comparisons left out or kept with the
expression warning, not these.  Now both list them, in the same place and words as the expression's."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd

from facemetrics.batch import console
from facemetrics.compare.gate import MSG_LIGHTING, MSG_LIGHTING_FOLDS

LIGHT = f"{MSG_LIGHTING}: face luminance 143 → 111 of 255 (−23 %, limit ±20 %); {MSG_LIGHTING_FOLDS}"
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
    lines = [x for x in console.batch_lines(SimpleNamespace(**done, change_rows=ROWS))
             if x.startswith(console.KEPT_WITH_WARNING)]
    assert lines == [f"{console.KEPT_WITH_WARNING}{n}" for n in WANT], lines
    reg = SimpleNamespace(time_notes=[], change_rows=ROWS[:1])
    assert console.regimen_lines(reg, "out")[-1] == f"{console.KEPT_WITH_WARNING}regimen: {WANT[0]}"


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
