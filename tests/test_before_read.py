"""batch.before_read: docs/validation.md §20's rule (a before photo every after photo of its session differs from in
expression, its mouth narrower) wired into the timeline.  The series are tests/test_flow_outliers.py's linear fade
(not the decay model's curve) shifted by -2 mm at every time: what a smiling before photo did on 3 London faces."""

import sys
from pathlib import Path

import pandas as pd

from facemetrics.batch import run_timeline
from facemetrics.batch.before_read import BEFORE_ODD_SHARE, before_checks, before_read, points_at_before
from facemetrics.compare.gate import MSG_EXPRESSION, MSG_EXPRESSION_MAYBE

sys.path.insert(0, str(Path(__file__).parent))
from test_flow_outliers import _series  # noqa: E402

TIMES = [0.25, 0.5, 1, 2, 4, 8, 24, 48]
BEFORE = "s1/tx/m0p5h.jpg"
NARROWER = (f"{MSG_EXPRESSION_MAYBE}: mouth corners moved 2.4 mm narrower (limit 1.0 mm), while the lips kept "
            "their shape. A change of expression ...")
WIDER = NARROWER.replace("narrower", "wider")


def _batch(folder, shift, messages):
    """A batch folder of one series shifted by ``shift`` mm; ``messages`` per post photo (a list, or one for all)."""
    long = _series(times=TIMES)
    long["value"] += shift
    long["verdict"] = "lifted"
    long.to_csv(folder / "long.csv", index=False)
    msgs = messages if isinstance(messages, list) else [messages] * len(long)
    pd.DataFrame(dict(subject="s1", treatment="tx", photo=long["photo"], baseline_photos=BEFORE, role="post",
                      hours_since_treatment=long["hours_since_treatment"], status="warning", messages=msgs,
                      mouth_corner_lift_mm_verdict="lifted")).to_csv(folder / "changes.csv", index=False)
    pd.DataFrame(dict(photo=long["photo"], excluded="")).to_csv(folder / "photos.csv", index=False)
    return folder


def _pooled(table):
    return table[table["subject"].isna() | (table["subject"].astype(str) == "")].iloc[0]


def test_the_share_is_the_measured_choice():
    assert BEFORE_ODD_SHARE == 1.0


def test_a_session_whose_every_after_photo_reads_a_narrower_mouth_names_its_before_photo(tmp_path):
    # every change 2 mm lower: the fit reads persists_beyond_a_day (the fade is not seen); the rule says why not
    _, table = run_timeline(_batch(tmp_path, -2.0, NARROWER), n_boot=50, per_subject=False)
    row = _pooled(table)
    assert row["verdict"] == "inconclusive"
    assert f"before photo `{BEFORE}`" in row["reason"] and "(with it: persists_beyond_a_day)" in row["reason"]
    assert "8 of 8" in row["reason"]
    assert _pooled(pd.read_csv(tmp_path / "timeline.csv", dtype=str))["verdict"] == "inconclusive"


def test_a_wider_mouth_or_one_after_photo_without_the_cue_leaves_the_verdict(tmp_path):
    # a lift pulls the mouth corners up and out ('wider'); and one after photo that agrees with the before photo
    # means the before photo is not the odd one out
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    _, wider = run_timeline(_batch(tmp_path / "a", -2.0, WIDER), n_boot=50, per_subject=False)
    _, one = run_timeline(_batch(tmp_path / "b", -2.0, [NARROWER] * 7 + [""]), n_boot=50, per_subject=False)
    assert _pooled(wider)["verdict"] == _pooled(one)["verdict"] == "persists_beyond_a_day"


def test_points_at_before_needs_an_expression_message_and_the_narrower_cue():
    lips = f"{MSG_EXPRESSION}: lips 12 % wider; mouth corners moved 3.0 mm narrower (limit 1.0 mm). Lifts ..."
    assert points_at_before(NARROWER) and points_at_before(lips)
    assert not points_at_before(WIDER) and not points_at_before("mouth corners moved 3.0 mm narrower")
    assert not points_at_before(None) and not points_at_before("")


def test_checks_leave_out_refused_and_before_photo_rows_and_need_a_fitted_row():
    rows = [dict(subject="s1", treatment="tx", baseline_photos=f"{BEFORE}; s1/tx/m0p2h.jpg", role="post",
                 hours_since_treatment=h, status="warning", messages=NARROWER, c_verdict=v)
            for h, v in ((1, "uncertain"), (2, "uncertain"))]
    rows += [dict(rows[0], status="refused", messages=""), dict(rows[0], hours_since_treatment=-0.3, messages="")]
    (c,) = before_checks(rows, ["c"])
    assert (c.before, c.n_post, c.n_pointing, c.entered, c.odd) == (BEFORE, 2, 2, False, False)
    (c,) = before_checks([dict(rows[0], c_verdict="lifted")] + rows[1:], ["c"])
    assert c.odd
    table = pd.DataFrame(dict(subject=[None, "s1", "s2"], treatment="tx", verdict="fades_within_a_day", reason=""))
    out, _ = before_read(table, [dict(rows[0], c_verdict="lifted")] + rows[1:], ["c"])
    assert list(out["verdict"]) == ["inconclusive", "inconclusive", "fades_within_a_day"]
    assert before_read(table, rows, ["c"])[0] is table
