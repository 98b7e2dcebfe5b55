"""The app shows the comparisons kept in the fits with a warning, as the console and report.md list them (stop 59):
those whose fold rows were fitted although the lighting differs (:func:`facemetrics.batch.fit_notes.light_kept_notes`,
report.md's "Comparisons kept in the fits with a warning: lighting differs") and those fitted although the expression
may differ (:func:`~facemetrics.batch.fit_notes.expression_kept_notes`).  Before, the Timeline tab and *My study*
showed neither list.

The series is tests/test_flow_outliers.py's linear fade (mouth corners) with two fold-depth series beside it; the
comparisons' ``changes.csv`` records are stand-ins: one photo with the gate's lighting warning (tests/test_light_kept.py's
message), one with its expression warning (tests/test_flow_read.py's)."""

from __future__ import annotations

import sys
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from facemetrics.schema import LONG_COLUMNS

sys.path.insert(0, str(Path(__file__).parent))
from test_flow_outliers import _series  # noqa: E402
from test_flow_read import MAYBE  # noqa: E402
from test_light_kept import LIGHT  # noqa: E402

pytest.importorskip("streamlit")

TIMES = [0.25, 0.5, 1, 2, 4, 8, 24, 48]
DIM, SMILED = "p8h.jpg", "p2h.jpg"  # the photo in other light, the one whose expression may differ
LIGHT_HEAD = "Comparisons kept in the fits with a warning: lighting differs"
FACE_HEAD = "Comparisons kept in the fits with a warning: expression may differ"


def _long(subject="example", treatment="microcurrent") -> pd.DataFrame:
    """The mouth corners' fade and the two folds' (index; a fade of 0.4) at :data:`TIMES`, long.csv's rows."""
    lift = _series(times=TIMES)
    folds = [_series(times=TIMES, seed=k).assign(metric="nlf_depth", side=side, unit="index", verdict="within_noise",
                                                 value=lambda d: d["value"] / 5, noise_floor=0.06)
             for k, side in enumerate(("right", "left"), start=1)]
    return pd.concat([lift, *folds], ignore_index=True).assign(subject=subject, treatment=treatment)


def _records(subject="example", treatment="microcurrent") -> list[dict]:
    """Each photo's comparison as changes.csv has it: :data:`DIM` with the lighting warning, :data:`SMILED` with the
    expression's, every cell a verdict."""
    out = []
    for p, t in zip(_series(times=TIMES)["photo"], TIMES):
        said = {DIM: LIGHT, SMILED: MAYBE}.get(p, "")
        out.append(dict(subject=subject, treatment=treatment, photo=p, baseline_photos="ex.png", role="post",
                        hours_since_treatment=t, status="warning" if said else "ok", messages=said,
                        mouth_corner_lift_mm_verdict="lift", nlf_depth_right_verdict="within_noise",
                        nlf_depth_left_verdict="within_noise"))
    return out


def _fake_example(base_photo, *, records_out=None, **_):
    """A stand-in for the bundled example's simulation: :func:`_long`'s rows and :func:`_records`."""
    records_out.extend(_records())
    return _long().reindex(columns=LONG_COLUMNS)


def _boxes(at, head: str) -> list[str]:
    return [str(w.value).replace("\\", "") for w in at.warning if head in str(w.value).replace("\\", "")]


@pytest.mark.filterwarnings("error:Could not serialize pd.DataFrame.attrs")
def test_the_timeline_tab_lists_the_comparisons_kept_with_a_warning(monkeypatch):
    """The lighting list appears when the folds are fitted (the photo's fold cells hold verdicts), not when only the
    mouth corners are; the expression list with the mouth corners.  Fails on the old app (neither list)."""
    from test_app import _texts
    from test_app_timeline_rules import example_loaded

    with example_loaded(monkeypatch, _fake_example) as at:
        assert at.multiselect(key="tl-metrics").value == ["mouth_corner_lift_mm"]
        (face,) = _boxes(at, FACE_HEAD)
        assert f"`{SMILED}` (example, microcurrent, 2 h since treatment): expression may differ" in face, face
        assert not _boxes(at, LIGHT_HEAD), _texts(at)  # no fold fitted: the light's warning touches no fitted figure

        at.multiselect(key="tl-metrics").set_value(["mouth_corner_lift_mm", "nlf_depth"]).run(timeout=300)
        assert not at.exception, [e.value for e in at.exception]
        (light,) = _boxes(at, LIGHT_HEAD)
        assert f"`{DIM}` (example, microcurrent, 8 h since treatment): {LIGHT}" in light, light
        assert "fold depth and contrast depend on the light" in light and SMILED not in light
        assert len(_boxes(at, FACE_HEAD)) == 1
        # the boxes are report.md's paragraphs: words a user of the app can follow too (no command to run)
        assert all("run the timeline" not in box for box in (light, face)), (light, face)


def _batch_folder(out: Path) -> list[dict]:
    """A study report's batch folder (long.csv, changes.csv, photos.csv) of :func:`_long` and :func:`_records`."""
    out.mkdir(parents=True, exist_ok=True)
    long = _long("me", "microcurrent")
    long.to_csv(out / "long.csv", index=False)
    records = _records("me", "microcurrent")
    pd.DataFrame(records).to_csv(out / "changes.csv", index=False)
    pd.DataFrame(dict(photo=long["photo"].unique(), excluded="")).to_csv(out / "photos.csv", index=False)
    return records


def stand_in_report(monkeypatch):
    """``Store.report`` replaced (the stored photos are not measured): :func:`_batch_folder` written, ``batch_done``
    called with its rows, the real ``run_timeline`` run on it (``figures``, ``fits_done`` and all, as given)."""
    from facemetrics.batch import run_timeline
    from facemetrics.store import Store

    def report(self, out_dir, subject=None, *, batch_done=None, n_boot=400, seed=0, fits_done=None, figures=True,
               **k):
        rows = _batch_folder(Path(out_dir))
        res = SimpleNamespace(merged=[], time_notes=[], taken_at_notes=[], photo_rows=rows, change_rows=rows,
                              n_ok=len(rows))
        if batch_done is not None:
            batch_done(res, None)
        _, table = run_timeline(out_dir, n_boot=50, per_subject=False, fits_done=fits_done,
                                **({} if figures else {"figures": False}))  # (a run_timeline before stop 59: none)
        return res, table

    monkeypatch.setattr(Store, "report", report)


def test_my_study_lists_the_comparisons_kept_with_a_warning(tmp_path, monkeypatch):
    """*My study* shows both lists, from the timeline's own (``table.attrs``, :func:`run_timeline`'s).  Fails on the
    old app (neither list)."""
    import streamlit as st
    from test_study_home import daily_store, my_study_page

    root, _, _ = daily_store(tmp_path, monkeypatch)
    stand_in_report(monkeypatch)
    st.cache_data.clear()  # a report of another test's store under the same key must not be shown
    try:
        at = my_study_page(root, "me")
        (light,) = _boxes(at, LIGHT_HEAD)
        assert f"`{DIM}` (me, microcurrent, 8 h since treatment): {LIGHT}" in light, light
        (face,) = _boxes(at, FACE_HEAD)
        assert f"`{SMILED}` (me, microcurrent, 2 h since treatment): expression may differ" in face, face
    finally:
        st.cache_data.clear()
