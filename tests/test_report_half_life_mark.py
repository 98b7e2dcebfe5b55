"""report.md's half-life when the curve does not describe the photos (Round 23's end-to-end run, stop 62, h8).

A linear fade of 1.2 mm to 0 at 8 h halves at 4 h; the exponential that fits it best halves at 3.44 h.  The shape
test saw it (the change at 24 h read from the photos, marked †), but the half-life beside it stood unmarked, read as
the time the effect halved.  It is now marked § with a note saying what it is.  Synthetic change tables only."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
from test_decay_misspecified import DEMO_TIMES, model_fade, table  # noqa: E402

from facemetrics.decay import analyze_series  # noqa: E402
from facemetrics.decay.claim import decay_resolved  # noqa: E402
from facemetrics.report import HALF_LIFE_MARK, HALF_LIFE_NOTE, timeline_markdown  # noqa: E402


def _rows(md: str) -> dict[str, str]:
    return {ln.split(" | ")[0][2:]: ln for ln in md.splitlines() if ln.startswith(("| sim ", "| other "))}


def test_a_half_life_beside_a_24_h_figure_read_from_the_photos_is_marked_as_the_curves():
    frame = analyze_series(table(model_fade, DEMO_TIMES, 1), per_subject=False, n_boot=100, seed=1).to_frame()
    assert decay_resolved(frame.iloc[0])  # a resolved half-life: a figure the user reads
    frame = pd.concat([frame, frame.assign(treatment="other")], ignore_index=True)
    frame["change_24h_source"] = ["photos_18_30h", "curve"]
    md = timeline_markdown(frame, None)
    rows = _rows(md)
    half_life = {k: r.split(" | ")[6] for k, r in rows.items()}
    assert half_life["sim"].startswith(f"{frame['half_life_h'].iloc[0]:.1f}{HALF_LIFE_MARK} ["), half_life
    assert HALF_LIFE_MARK.strip() not in rows["other"]
    assert md.count(HALF_LIFE_NOTE) == 1 and "not the time" in HALF_LIFE_NOTE
    assert md.index(HALF_LIFE_NOTE) > md.index(rows["other"])  # under the table
    plain = timeline_markdown(frame.iloc[1:], None)
    assert HALF_LIFE_NOTE not in plain and HALF_LIFE_MARK.strip() not in plain


def test_an_unresolved_half_life_is_not_marked():
    frame = analyze_series(table(model_fade, DEMO_TIMES, 1), per_subject=False, n_boot=100, seed=1).to_frame()
    frame["change_24h_source"] = "photos_18_30h"
    frame["half_life_h_ci_high"] = 5000.0  # the fit's bound: no decay resolved
    md = timeline_markdown(frame, None)
    assert HALF_LIFE_NOTE not in md and HALF_LIFE_MARK.strip() not in md


def test_the_regimen_tables_half_life_of_the_same_series_is_marked_too():
    """The Regimen table repeats each series' session half-life (Round 23's mc: 4.1 [2.4, 7.1] unmarked there)."""
    frame = analyze_series(table(model_fade, DEMO_TIMES, 1), per_subject=False, n_boot=100, seed=1).to_frame()
    frame["change_24h_source"] = "photos_18_30h"
    regimen = frame.iloc[:1].assign(kind="regimen", slope_per_week=float("nan"), change_day_n=float("nan"), day_n=14.0,
                                    n_photos=3, verdict="inconclusive", reason="too few days.")
    md = timeline_markdown(pd.concat([frame.assign(kind="decay"), regimen], ignore_index=True), None)
    section = md[md.index("## Regimen"):]
    row = next(ln for ln in section.splitlines() if ln.startswith("| sim | jawline_lift_mm |"))
    assert f"{frame['half_life_h'].iloc[0]:.1f}{HALF_LIFE_MARK} [" in row, row
    assert HALF_LIFE_MARK.strip() + " " in section.split(row, 1)[1]  # its note in the section
