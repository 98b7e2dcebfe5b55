"""report.md's Regimen table for a series with no fitted line (stop 58's note; docs/validation.md section 12's clinic
RF patient: pre-session photos on one day after day 0, 3 needed): its rows read "n/a [n/a, n/a]" in four cells after
the decay table's no-fit rows had read "no fit" since stop 58 (tests/test_report_no_fit_cells.py).  Such a row now
reads "no fit" where no line, or no decay curve, was fitted, with a note under the table saying where the reason is;
timeline.csv is unchanged."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
from test_flow_read import _batch  # noqa: E402
from test_regimen_flow import _levels  # noqa: E402

from facemetrics.cli import main  # noqa: E402
from facemetrics.report import NO_FIT_CELL, REGIMEN_NO_FIT_NOTE  # noqa: E402


def _regimen(folder: Path, days) -> None:
    """A batch folder: test_flow_read's decay batch (one clean mouth-corner series) and a regimen batch of ``days``."""
    _batch(folder, 0.0, flow=())
    (folder / "regimen").mkdir()
    lv = _levels(3.0, days=days).assign(treatment="tx")  # the decay batch's treatment
    lv.to_csv(folder / "regimen" / "long.csv", index=False)
    pd.DataFrame(dict(subject="S01", treatment="tx", photo=lv["photo"], hours_since_treatment=lv[
        "hours_since_treatment"], status="ok", messages="", mouth_corner_lift_mm_verdict="lifted")
    ).to_csv(folder / "regimen" / "changes.csv", index=False)
    pd.DataFrame(dict(photo=lv["photo"], excluded="")).to_csv(folder / "regimen" / "photos.csv", index=False)


def _regimen_rows(md: str) -> list[str]:
    table = md.split("## Regimen: cumulative change over days", 1)[1].split("\n\n- **", 1)[0]
    return [x for x in table.splitlines() if x.startswith("| tx |")]


def test_a_regimen_row_without_a_line_says_no_fit_and_where_the_reason_is(tmp_path, capsys):
    _regimen(tmp_path, days=[14])  # one day after day 0: no line (3 days needed)
    assert main(["timeline", str(tmp_path), "--n-boot", "100"]) == 0
    md = (tmp_path / "report.md").read_text(encoding="utf-8")
    # the console names the regimen's line as such: the series' decay line began with the same words (stop 59)
    said = capsys.readouterr().out.splitlines()
    heads = [x.split(" / mouth_corner_lift_mm (mean): ", 1)[0] for x in said if " / mouth_corner_lift_mm (mean): " in x]
    assert heads == ["tx", "regimen: tx"], said
    assert any(x.startswith("regimen: tx / mouth_corner_lift_mm (mean): inconclusive - Pre-session photos on only")
               for x in said), said
    timeline = pd.read_csv(tmp_path / "timeline.csv")
    assert list(timeline.loc[timeline["kind"] == "regimen", "status"]) == ["insufficient_data"]
    (row,) = _regimen_rows(md)
    cells = row.strip("| ").split(" | ")
    assert cells[5:7] == [NO_FIT_CELL] * 2 and "n/a" not in row, row  # slope and change: no line
    assert cells[7] not in (NO_FIT_CELL, "n/a"), row  # the session peak: the decay fit's, which has a curve
    assert md.count(REGIMEN_NO_FIT_NOTE) == 1
    assert md.index("| tx | mouth_corner_lift_mm | mean | 1 |") < md.index(REGIMEN_NO_FIT_NOTE) < md.index(
        "- **tx, mouth_corner_lift_mm (mean)**: `inconclusive`. Pre-session photos on only 1 day")
    # a regimen whose line was fitted: its figures, no note
    fitted = tmp_path / "fitted"
    fitted.mkdir()
    _regimen(fitted, days=[7, 14, 21, 28, 35, 42])
    assert main(["timeline", str(fitted), "--n-boot", "100"]) == 0
    md = (fitted / "report.md").read_text(encoding="utf-8")
    (row,) = _regimen_rows(md)
    assert NO_FIT_CELL not in row and "n/a" not in row and REGIMEN_NO_FIT_NOTE not in md, row


def test_the_session_peak_of_a_series_without_a_decay_curve_says_no_fit():
    # the clinic RF patient's jawline: the decay series had 5 photos left (6 needed), so its regimen row's session
    # peak and half-life read "n/a [n/a, n/a]" beside the decay table's "no fit"
    from facemetrics.report import _regimen_cells

    nan = float("nan")
    r = pd.Series(dict(slope_per_week=0.1, slope_per_week_ci_low=0.0, slope_per_week_ci_high=0.2, change_day_n=0.3,
                       change_day_n_ci_low=0.1, change_day_n_ci_high=0.5))
    d = pd.DataFrame([dict(status="insufficient_data", peak_change=nan, half_life_h=nan)])
    assert _regimen_cells(r, d, "mm") == ["0.10 mm/week [0.00, 0.20]", "0.30 mm [0.10, 0.50]", NO_FIT_CELL, NO_FIT_CELL]
