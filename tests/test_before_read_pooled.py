"""docs/validation.md §21: in a folder with several subjects, one subject's odd before photo (§20) leaves its session
out of the pooled fit instead of making the pooled row ``inconclusive``; the other subjects' rows do not change and
the flagged subject's own row still reads ``inconclusive``.  The series are tests/test_flow_outliers.py's linear fade
(not the decay model's curve); the smiling before photo is the fade shifted by -2 mm at every time (what §20 measured
on 3 London faces), with the gate's "mouth narrower" message on every after photo."""

import sys
from pathlib import Path

import pandas as pd
import pytest

from facemetrics.batch import run_timeline
from facemetrics.batch.before_read import BEFORE_TO_RETAKE
from facemetrics.decay import analyze_series

sys.path.insert(0, str(Path(__file__).parent))
from test_before_read import NARROWER, TIMES  # noqa: E402
from test_flow_outliers import _series  # noqa: E402

N_BOOT = 50


def _folder(folder, subjects):
    """A batch folder of ``subjects``: {name: (shift mm, messages)}, each the fade with its own noise."""
    longs, changes = [], []
    for i, (s, (shift, msg)) in enumerate(sorted(subjects.items())):
        long = _series(times=TIMES, seed=i).assign(subject=s)
        long["photo"] = [f"{s}/tx/{p}" for p in long["photo"]]
        long["value"] += shift
        longs.append(long)
        changes.append(pd.DataFrame(dict(subject=s, treatment="tx", photo=long["photo"],
                                         baseline_photos=f"{s}/tx/m0p5h.jpg", role="post",
                                         hours_since_treatment=long["hours_since_treatment"], status="warning",
                                         messages=msg, mouth_corner_lift_mm_verdict="lift")))
    long = pd.concat(longs, ignore_index=True)
    long.to_csv(folder / "long.csv", index=False)
    pd.concat(changes).to_csv(folder / "changes.csv", index=False)
    pd.DataFrame(dict(photo=long["photo"], excluded="")).to_csv(folder / "photos.csv", index=False)
    return long


def _row(table, subject=None):
    pooled = table["subject"].isna() | (table["subject"].astype(str) == "")
    return table[pooled].iloc[0] if subject is None else table[table["subject"].astype(str) == subject].iloc[0]


def test_the_pooled_row_is_the_fit_without_the_odd_session_and_names_it(tmp_path):
    long = _folder(tmp_path, {"s1": (-2.0, NARROWER), "s2": (0.0, ""), "s3": (0.0, "")})
    _, table = run_timeline(tmp_path, n_boot=N_BOOT)
    clean = analyze_series(long[long["subject"] != "s1"], n_boot=N_BOOT, per_subject=False).to_frame().iloc[0]
    raw = analyze_series(long, n_boot=N_BOOT).to_frame().set_index("subject", drop=False)
    row = _row(table)
    # the other subjects' verdict and figures, not inconclusive (§20 as it was) nor the smile's (with it)
    assert row["verdict"] == clean["verdict"] == "fades_within_a_day"
    assert row["change_24h"] == pytest.approx(clean["change_24h"], abs=1e-9) and row["n_subjects"] == 2
    assert raw.iloc[0]["verdict"] != clean["verdict"] or abs(raw.iloc[0]["change_24h"] - clean["change_24h"]) > 0.3
    assert "s1's tx session is left out of this pooled fit" in row["reason"]
    assert "before photo `s1/tx/m0p5h.jpg`" in row["reason"] and "retake the before photo" in row["reason"]
    assert f"with the session the pooled fit reads {raw.iloc[0]['verdict']}" in row["reason"]
    # per-subject rows: the flagged subject's reads inconclusive, the others' as fitted
    assert _row(table, "s1")["verdict"] == "inconclusive" and "`s1/tx/m0p5h.jpg`" in _row(table, "s1")["reason"]
    for s in ("s2", "s3"):
        assert _row(table, s)["verdict"] == raw.loc[s, "verdict"]
        assert _row(table, s)["change_24h"] == pytest.approx(raw.loc[s, "change_24h"], abs=1e-9)
    assert _row(pd.read_csv(tmp_path / "timeline.csv"), None)["verdict"] == "fades_within_a_day"


def test_one_subject_or_every_subject_odd_leaves_nothing_to_fit_so_the_pooled_row_reads_inconclusive(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    _folder(tmp_path / "a", {"s1": (-2.0, NARROWER)})
    _folder(tmp_path / "b", {"s1": (-2.0, NARROWER), "s2": (-2.0, NARROWER)})
    for folder in ("a", "b"):
        row = _row(run_timeline(tmp_path / folder, n_boot=N_BOOT, per_subject=False)[1])
        assert row["verdict"] == "inconclusive" and "(with it: persists_beyond_a_day)" in row["reason"]


def test_clean_subjects_read_as_fitted(tmp_path):
    long = _folder(tmp_path, {"s1": (0.0, ""), "s2": (0.0, "")})
    _, table = run_timeline(tmp_path, n_boot=N_BOOT)
    raw = analyze_series(long, n_boot=N_BOOT).to_frame()
    pd.testing.assert_frame_equal(table[raw.columns].reset_index(drop=True), raw, check_dtype=False)


def test_the_console_and_report_md_name_the_before_photo_to_retake(tmp_path, capsys):
    from facemetrics.cli import main

    _folder(tmp_path, {"s1": (-2.0, NARROWER), "s2": (0.0, "")})
    assert main(["timeline", str(tmp_path), "--n-boot", str(N_BOOT)]) == 0
    out = capsys.readouterr().out
    (line,) = [x for x in out.splitlines() if x.startswith(BEFORE_TO_RETAKE)]
    assert line.startswith(f"{BEFORE_TO_RETAKE}`s1/tx/m0p5h.jpg` (s1, tx): every after photo of its session (8 of 8)")
    assert "s1's tx series read inconclusive and the pooled tx fits leave the session out" in line
    assert "Retake the before photo with a neutral face" in line
    report = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert f"## Before photos to retake\n\n- {line}" in report


def test_batch_names_the_before_photo_in_the_same_words_before_the_fits(tmp_path):
    from facemetrics.batch.console import before_lines

    _folder(tmp_path, {"s1": (-2.0, NARROWER), "s2": (0.0, "")})
    rows = pd.read_csv(tmp_path / "changes.csv", keep_default_na=False).to_dict("records")
    (line,) = before_lines(rows)
    assert line.startswith(f"{BEFORE_TO_RETAKE}`s1/tx/m0p5h.jpg` (s1, tx): every after photo of its session (8 of 8)")
    assert "`timeline` does not judge its series with it" in line and line.endswith("as in the after photos).")
    assert before_lines([dict(r, messages="") for r in rows]) == []


def test_a_row_already_inconclusive_names_the_before_photo_too():
    # §21's bench: a pooled row left with too few photos for a fit without the session read inconclusive already,
    # and its reason did not name the before photo
    from facemetrics.batch.before_read import before_read

    rows = [dict(subject="s1", treatment="tx", photo=f"p{h}.jpg", baseline_photos="b.jpg", role="post",
                 hours_since_treatment=h, status="warning", messages=NARROWER, c_verdict="lift") for h in (1, 2)]
    table = pd.DataFrame(dict(subject=[None, "s1"], treatment="tx", verdict="inconclusive", reason="Too few photos."))
    out, _ = before_read(table, rows, ["c"])
    assert list(out["verdict"]) == ["inconclusive", "inconclusive"]
    assert all(r.startswith("Too few photos. every after photo of s1's tx session (2 of 2)") and "`b.jpg`" in r
               for r in out["reason"])
    assert before_read(out, rows, ["c"])[0]["reason"].tolist() == out["reason"].tolist()  # said once


def test_a_row_whose_fit_holds_the_odd_session_shows_no_figure_of_it(tmp_path, capsys):
    # §21b: a pooled row §21 cannot refit (one subject) and the flagged subject's own row keep the verdict
    # inconclusive and leave their figures empty, the fit's verdict and 24 h change with the session in the reason;
    # timeline.csv, report.md and the console read the same row (the app's Timeline tab calls the same read_series)
    from facemetrics.cli import main
    from facemetrics.decay.claim import FIT_FIGURES

    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    _folder(tmp_path / "a", {"s1": (-2.0, NARROWER)})
    assert main(["timeline", str(tmp_path / "a"), "--n-boot", str(N_BOOT)]) == 0
    out = capsys.readouterr().out
    said = "This row's figures are left empty: its fit holds the photos of s1's tx session"
    for row in (_row(pd.read_csv(tmp_path / "a" / "timeline.csv")),):
        assert row["verdict"] == "inconclusive" and row[list(FIT_FIGURES)].isna().all(), row
        assert said in row["reason"] and "with them the fit reads persists_beyond_a_day, change at 24 h -" in row["reason"]
    assert said in out
    report = (tmp_path / "a" / "report.md").read_text(encoding="utf-8")
    assert said in report and "| tx | mouth_corner_lift_mm | mean | all | 8 | n/a [n/a, n/a] |" in report
    # several subjects: the refitted pooled row keeps its figures, the flagged subject's own row shows none of its
    _folder(tmp_path / "b", {"s1": (-2.0, NARROWER), "s2": (0.0, ""), "s3": (0.0, "")})
    _, table = run_timeline(tmp_path / "b", n_boot=N_BOOT)
    assert _row(table)[list(FIT_FIGURES)].notna().any() and said not in _row(table)["reason"]
    assert _row(table, "s1")[list(FIT_FIGURES)].isna().all() and said in _row(table, "s1")["reason"]
    assert _row(table, "s2")[list(FIT_FIGURES)].notna().any()


def test_several_odd_subjects_are_all_named_where_the_figures_are_left_out(tmp_path):
    # §21b with every subject's before photo odd: nothing is left to refit the pooled row, whose fit holds both
    # sessions; its sentence named only the first (s1); each subject's own row names its own session only
    _folder(tmp_path, {"s1": (-2.0, NARROWER), "s2": (-2.0, NARROWER)})
    _, table = run_timeline(tmp_path, n_boot=N_BOOT)
    reason = _row(table)["reason"]
    assert ("This row's figures are left empty: its fit holds the photos of 2 tx sessions whose before photos are "
            "the likely odd ones out (`s1/tx/m0p5h.jpg` (s1) and `s2/tx/m0p5h.jpg` (s2)), and nothing else is left "
            "to fit without them (with them the fit reads ") in reason, reason
    assert reason.count("This row's figures are left empty") == 1
    # each session's sentence gives the fit's verdict with it (s2's read "with it: inconclusive", s1's doing)
    assert reason.count("(with it: persists_beyond_a_day)") == 2 and "(with it: inconclusive)" not in reason, reason
    for s, other in (("s1", "s2"), ("s2", "s1")):
        own = _row(table, s)["reason"]
        assert f"photos of {s}'s tx session, whose before photo `{s}/tx/m0p5h.jpg`" in own, own
        assert f"`{other}/tx/m0p5h.jpg`" not in own.split("This row's figures are left empty")[1]


def test_past_three_odd_before_photos_the_sentence_says_how_many_others():
    from facemetrics.batch.before_read import BeforeCheck, figures_left_out

    checks = [BeforeCheck(f"s{i}", "tx", f"s{i}/b.jpg", 4, 4, True) for i in range(1, 6)]
    row = dict(verdict="persists_beyond_a_day", change_24h=-1.5, change_24h_test_ci_low=-1.7,
               change_24h_test_ci_high=-1.3, test_confidence=0.9, unit="mm")
    said = figures_left_out(checks, row)
    assert ("holds the photos of 5 tx sessions whose before photos are the likely odd ones out (`s1/b.jpg` (s1), "
            "`s2/b.jpg` (s2), `s3/b.jpg` (s3) and 2 others)") in said, said
    assert said.endswith("(with them the fit reads persists_beyond_a_day, change at 24 h -1.50 mm (90% CI -1.70 to "
                         "-1.30 mm))")
    assert figures_left_out(checks[:1], row) == figures_left_out(checks[0], row)  # one session: as before
    assert "and 1 other)" in figures_left_out(checks[:4], row)
