"""The Timeline tab's lines of the comparisons fitted although the expression may differ say what *My study*,
``facemetrics timeline`` and report.md say of the same photo (stop 60, g3): a photo docs/validation.md §16's rule flagged
in a series it made ``inconclusive`` is followed by "; stands out from the curve of the other photos: its series reads
inconclusive", one it could not check (§17) by "; could not be checked against the other photos"
(:func:`facemetrics.batch.flow_read.stands_out_notes`).  The tab's lines had neither suffix.

The series: a lift of 2.0 mm with a 6 h half-life (noise floor 0.1 mm) photographed at 9 times, a +1.5 mm 'smile' on
the 24 h photo, which carries the gate's expression warning.  At the app's 400 bootstrap replicates the fit with it
reads persists_beyond_a_day, without it inconclusive (measured, stop 60): the rule flags it and the series reads
inconclusive.  The 6-photo series (no fit without the photo, §17) is the "could not be checked" case."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from facemetrics.schema import LONG_COLUMNS

sys.path.insert(0, str(Path(__file__).parent))
from test_flow_read import MAYBE  # noqa: E402

pytest.importorskip("streamlit")

NINE = [0.25, 0.5, 1, 2, 4, 8, 12, 24, 48]
SIX = [0.5, 1, 2, 8, 24, 48]
SMILE = "p24h.jpg"
FACE_HEAD = "Comparisons kept in the fits with a warning: expression may differ"
STANDS_OUT = "; stands out from the curve of the other photos: its series reads inconclusive"
UNCHECKED = "; could not be checked against the other photos"


def _long(times) -> pd.DataFrame:
    """long.csv's rows of the mouth corners' lift: 2.0 mm halving every 6 h, +1.5 mm on :data:`SMILE`."""
    rng = np.random.default_rng(0)
    value = 2.0 * np.exp(-np.log(2) * np.array(times) / 6) + rng.normal(0, 0.03, len(times))
    d = pd.DataFrame(dict(subject="example", treatment="microcurrent", hours_since_treatment=times,
                          metric="mouth_corner_lift_mm", side="mean", value=value, unit="mm", noise_floor=0.1,
                          verdict="lift", photo=[f"p{t:g}h.jpg" for t in times]))
    d.loc[d["photo"] == SMILE, "value"] += 1.5
    return d


def _fake(times):
    def fake(base_photo, *, records_out=None, **_):
        for p, t in zip(_long(times)["photo"], times):
            records_out.append(dict(subject="example", treatment="microcurrent", photo=p, baseline_photos="ex.png",
                                    role="post", hours_since_treatment=t, status="warning" if p == SMILE else "ok",
                                    messages=MAYBE if p == SMILE else "", mouth_corner_lift_mm_verdict="lift"))
        return _long(times).reindex(columns=LONG_COLUMNS)
    return fake


def _face_box(at) -> str:
    (box,) = [str(w.value).replace("\\", "") for w in at.warning if FACE_HEAD in str(w.value).replace("\\", "")]
    return box


def test_a_flagged_photos_line_says_it_stands_out_as_my_study_does(monkeypatch):
    """Fails on the old app: the line ended with the expression's cues."""
    from test_app_timeline_rules import example_loaded

    with example_loaded(monkeypatch, _fake(NINE)) as at:
        box = _face_box(at)
        line = next(x for x in box.splitlines() if x.startswith(f"- `{SMILE}`"))
        assert line.endswith(STANDS_OUT), line
        assert "verdict **inconclusive**" in " ".join(str(m.value) for m in at.markdown)


def test_an_unchecked_photos_line_says_it_could_not_be_checked(monkeypatch):
    from test_app_timeline_rules import example_loaded

    with example_loaded(monkeypatch, _fake(SIX)) as at:
        line = next(x for x in _face_box(at).splitlines() if x.startswith(f"- `{SMILE}`"))
        assert line.endswith(UNCHECKED), line


def test_the_tabs_lines_are_the_clis(tmp_path):
    """The same photos through ``facemetrics timeline`` (run_timeline: report.md and the console's lines) give the
    same line as the tab's function."""
    from conftest import app_module

    from facemetrics.batch import run_timeline

    app = app_module()
    fake = _fake(NINE)
    records: list[dict] = []
    long = fake(None, records_out=records).dropna(axis=1, how="all")
    long.to_csv(tmp_path / "long.csv", index=False)
    pd.DataFrame(records).to_csv(tmp_path / "changes.csv", index=False)
    pd.DataFrame(dict(photo=long["photo"], excluded="")).to_csv(tmp_path / "photos.csv", index=False)
    _, cli = run_timeline(tmp_path, per_subject=False)
    changes = _long(NINE)
    table, _, _ = app.timeline(changes, ("mouth_corner_lift_mm",), tuple(records))
    face, _ = app.timeline_kept_notes(table, tuple(records))
    tab = app.timeline_expression_notes(changes, ("mouth_corner_lift_mm",), tuple(records), face)
    assert [n for n in cli.attrs["expression_kept_notes"] if n.startswith(f"`{SMILE}`")] == [str(n) for n in tab]
