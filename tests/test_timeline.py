"""End to end on a simulated study: images -> batch (analyze + compare) -> analyze_series.

Design of the issue: microcurrent 2 mm peak with a 3 h half-life (10 time
points from -0.5 h to 48 h), RF 1.5 mm lasting (8 time points from -0.5 h to
14 days); 3 subjects made from the sample photo (same face, independent
pose/light jitter), photos downscaled to 640 px for speed.
"""

from __future__ import annotations

import pandas as pd
import pytest

import numpy as np

from facemetrics.batch import run_batch, run_timeline
from facemetrics.decay import FADES, PERSISTS, decay_model
from facemetrics.study import design_photos, study, true_change


@pytest.fixture(scope="module")
def timeline(tmp_path_factory, sample_path):
    root = tmp_path_factory.mktemp("study")
    info = study(sample_path, root / "photos", subjects=3, max_side=640, seed=0)
    # one process: the tests read the batch's outputs, not its pool (tests/test_batch.py's pool tests and
    # test_study_cli's `batch` command on worker processes are about that); the tables are the same
    res = run_batch(info.folder, root / "out", manifest=info.manifest, workers=1, progress=False)
    result, table = run_timeline(root / "out", n_boot=200, seed=0)
    return info, res, result, table, root / "out"


def test_simulated_truth_is_the_fitted_model():
    """study's truth and the decay fit share one model: peak = lasting + transient, halving every half-life."""
    t = np.array([-2.0, -1e-9, 0.0, 1.5, 3.0, 24.0, 1e4])
    truth = true_change(t, 2.0, 3.0, 0.5)
    np.testing.assert_array_equal(truth, decay_model(t, 0.5, 1.5, 3.0))
    np.testing.assert_allclose(truth, [0.0, 0.0, 2.0, 0.5 + 1.5 / np.sqrt(2), 1.25, 0.5 + 1.5 / 256, 0.5])
    assert isinstance(true_change(3.0, 2.0, 3.0), float) and true_change(3.0, 2.0, 3.0) == 1.0
    design = {"b": dict(peak_mm=1.0, half_life_h=1.0, lasting_mm=1.0, times_h=[-1, 2]),
              "a": dict(peak_mm=4.0, half_life_h=2.0, times_h=[0, 2, 4])}
    assert design_photos(design) == [("a", 0.0, 4.0), ("a", 2.0, 2.0), ("a", 4.0, 1.0), ("b", -1.0, 0.0), ("b", 2.0, 1.0)]


def test_study_refuses_no_photos_no_subjects_and_a_file_as_its_folder(tmp_path, sample_path):
    """``study([], ...)`` gave a ZeroDivisionError, ``subjects=0`` an empty study without a word and
    ``subjects=[]`` int()'s TypeError; a file as ``out_dir`` a FileExistsError: now a SettingError
    naming the argument, before anything is written."""
    from facemetrics.errors import SettingError

    with pytest.raises(SettingError, match="base_photos is empty"):
        study([], tmp_path / "s")
    for bad in (0, -1, [], 2.5, True):
        with pytest.raises(SettingError, match=r"subjects must be a whole number, at least 1, not"):
            study(sample_path, tmp_path / "s", subjects=bad)
    assert not (tmp_path / "s").exists()
    f = tmp_path / "some_file.txt"
    f.write_text("x")
    with pytest.raises(SettingError, match=r"some_file.txt cannot be an output folder: it is a file, not a folder"):
        study(sample_path, f, subjects=1)


def test_a_batch_long_csv_without_its_verdict_column_is_refused(timeline, tmp_path):
    """An audit: long.csv with its verdict column deleted was fitted whole, the 'uncertain' rows with it,
    without a word (the RF result moved from 1.65 to 1.66 mm and the left-out note vanished)."""
    from facemetrics.decay import SeriesError

    long = pd.read_csv(timeline[4] / "long.csv")
    assert "facemetrics_version" in long.columns and (long["verdict"] == "uncertain").any()
    long.drop(columns="verdict").to_csv(tmp_path / "long.csv", index=False)
    with pytest.raises(SeriesError, match=r"long.csv was written by facemetrics but has lost its verdict column"):
        run_timeline(tmp_path, n_boot=0)
    long.drop(columns=["verdict", "facemetrics_version"]).to_csv(tmp_path / "long.csv", index=False)
    _, table = run_timeline(tmp_path, n_boot=0)  # a hand-made table (no provenance) is fitted, as documented
    assert len(table) > 0


def test_run_timeline_refuses_a_file_as_its_output_folder(tmp_path, monkeypatch):
    """A file given as ``out_dir`` gave a FileExistsError after the fits: now a SettingError first."""
    import facemetrics.decay
    from facemetrics.errors import SettingError

    def fit(*a, **k):
        raise AssertionError("fitted before the output folder was checked")

    monkeypatch.setattr(facemetrics.decay, "analyze_series", fit)
    rows = [dict(subject="a", treatment="mc", hours_since_treatment=h, metric="jawline_lift_mm", side="mean",
                 value=1.0, unit="mm") for h in (-1, 1, 24)]
    pd.DataFrame(rows).to_csv(tmp_path / "long.csv", index=False)
    f = tmp_path / "report.txt"
    f.write_text("x")
    with pytest.raises(SettingError, match=r"report.txt cannot be an output folder: it is a file, not a folder"):
        run_timeline(tmp_path, f, n_boot=0)
    with pytest.raises(SettingError, match=r"report.txt is a file, not a folder"):
        run_timeline(tmp_path, f / "out", n_boot=0)


def test_manifest_has_truth(timeline):
    info = timeline[0]
    t = info.table
    assert {"photo", "subject", "treatment", "taken_at", "treated_at", "true_lift_mm"} <= set(t.columns)
    assert len(t) == 3 * (10 + 8)
    assert (t.loc[t.hours_since_treatment < 0, "true_lift_mm"] == 0).all()
    assert t.loc[(t.treatment == "rf") & (t.hours_since_treatment > 0), "true_lift_mm"].eq(1.5).all()
    # every subject's photos carry the design's truth, photo by photo
    for _, sub in t.groupby("subject"):
        got = list(zip(sub["treatment"], sub["hours_since_treatment"], sub["true_lift_mm"]))
        assert got == design_photos()


def test_every_photo_measured_and_compared(timeline):
    _, res, _, _, out = timeline
    assert (res.photos["status"] == "ok").all()
    assert len(res.changes) == 3 * (9 + 7)
    assert set(res.changes["status"]) <= {"ok", "warning"}
    long = pd.read_csv(out / "long.csv")
    assert {"subject", "treatment", "hours_since_treatment", "metric", "side", "value", "unit"} <= set(long.columns)
    assert "jawline_lift_mm" in set(long["metric"])


def test_microcurrent_fades_within_a_day(timeline):
    result = timeline[2]
    fit = result.get("microcurrent", "jawline_lift_mm", "mean")
    assert fit.verdict == FADES, fit.reason
    assert fit.half_life_h_ci_low <= 3.0 <= fit.half_life_h_ci_high, (fit.half_life_h_ci_low, fit.half_life_h_ci_high)


def test_rf_persists_beyond_a_day(timeline):
    result = timeline[2]
    fit = result.get("rf", "jawline_lift_mm", "mean")
    assert fit.verdict == PERSISTS, fit.reason


def test_outputs_written(timeline):
    out = timeline[4]
    table = pd.read_csv(out / "timeline.csv")
    assert {"treatment", "metric", "verdict", "half_life_h", "change_24h"} <= set(table.columns)
    from facemetrics import __version__

    assert (table["facemetrics_version"].astype(str) == __version__).all()  # provenance in every row
    assert (out / "timeline.png").stat().st_size > 10_000
    report = (out / "report.md").read_text()
    assert "fades_within_a_day" in report and "persists_beyond_a_day" in report
    assert "Photos excluded" in report


def test_all_empty_values_and_disagreeing_baselines_are_said(timeline, tmp_path):
    """An audit: long.csv with every value empty gave 'nothing to plot: no metrics'; a session whose
    before photos disagree (the batch marks its rows 'uncertain') is listed in report.md."""
    import shutil

    from facemetrics.compare.disagreement import MSG_BASELINES_DISAGREE
    from facemetrics.decay import SeriesError

    out = timeline[4]
    empty = tmp_path / "empty"
    empty.mkdir()
    long = pd.read_csv(out / "long.csv")
    long.assign(value=np.nan).to_csv(empty / "long.csv", index=False)
    with pytest.raises(SeriesError, match=r"^None of the \d+ rows of changes has a number for both its time and "
                                          r"its value \(no change was measured\).* lift, fold-depth and jaw-width \(flow\) rows"):
        run_timeline(empty, n_boot=0)

    flagged = tmp_path / "flagged"
    shutil.copytree(out, flagged, ignore=shutil.ignore_patterns(".cache"))
    changes = pd.read_csv(flagged / "changes.csv", keep_default_na=False)
    mine = (changes["subject"] == "S01") & (changes["treatment"] == "microcurrent")
    msg = f"{MSG_BASELINES_DISAGREE}: S01/a.jpg against S01/b.jpg reads jawline_lift_mm +1.24 mm (noise floor 0.43 mm)"
    changes.loc[mine, "messages"] = changes.loc[mine, "messages"].astype(str) + "; " + msg
    changes.to_csv(flagged / "changes.csv", index=False)
    _, table = run_timeline(flagged, n_boot=50, seed=0)
    report = (flagged / "report.md").read_text()
    assert "## Sessions whose before photos disagree" in report
    treated = changes.loc[mine, "treated_at"].iloc[0]
    assert f"- S01, microcurrent, treated {treated}: {msg}\n" in report
    # once per session, not per photo (in its own section: a photo of that session whose own comparison reads
    # 'uncertain' quotes its messages, this one included, in 'Photos excluded' - S01's 0.5 h microcurrent photo
    # since the fold line check of 2026-12-05, its left fold -0.88 along the found line, -0.16 along the reference)
    section = report.split("## Sessions whose before photos disagree", 1)[1].split("\n## ", 1)[0]
    assert section.count(MSG_BASELINES_DISAGREE) == 1


def test_the_app_timeline_says_why_nothing_was_fitted():
    """The app's timeline with every lift row 'uncertain' (e.g. the session's before photos disagreed)
    raised 'nothing to plot: no metrics' from the plot (stop 27); it now shows the fits' own reason."""
    pytest.importorskip("streamlit")
    from streamlit.testing.v1 import AppTest

    from conftest import ROOT

    def script(app_path):
        import importlib.util
        import sys

        import pandas as pd

        spec = importlib.util.spec_from_file_location("facemetrics_app_tl", app_path)
        app = importlib.util.module_from_spec(spec)
        sys.modules["facemetrics_app_tl"] = app  # dataclasses look their module up
        spec.loader.exec_module(app)
        rows = [dict(subject="you", treatment="rf", hours_since_treatment=h, metric="jawline_lift_mm", side="mean",
                     value=0.5, unit="mm", noise_floor=0.1, verdict="uncertain", photo=f"p{i}.jpg")
                for i, h in enumerate((-1, 1, 2, 6, 12, 24))]
        app.timeline_view(pd.DataFrame(rows))

    at = AppTest.from_function(script, args=(str(ROOT / "app.py"),), default_timeout=120)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    texts = [str(i.value).replace("\\", "") for i in at.info]  # md() escapes the markdown signs
    assert any(t.startswith("All 6 rows of changes (6 comparisons) read 'uncertain'") for t in texts), texts


def test_report_and_console_name_the_comparisons_of_a_picture_with_itself(timeline, tmp_path, capsys, monkeypatch):
    """A comparison left out of the fits because its photo is the same picture as its before photo
    (the batch marks its rows 'uncertain' with the message) is listed in report.md, for the batch and for its regimen
    batch; run_timeline finds them once (changes.csv was read three times), and report.md of the table alone says the
    same.  Stop 54's audit: report.md said it three times (compare's message and the batch's in the 'uncertain'
    list, then a section of its own) and the console twice (`batch`, then `timeline`): report.md now says it once,
    in the batch's words (both photos and times), and `timeline` leaves it to `batch`'s line."""
    import shutil

    from facemetrics.batch import timeline as stage
    from facemetrics.batch import timeline_report
    from facemetrics.batch.tables import MSG_SAME_PICTURE_LEFT_OUT, same_picture_left_out
    from facemetrics.cli import _print_verdicts
    from facemetrics.compare import MSG_SAME_PICTURE

    flagged = tmp_path / "flagged"
    shutil.copytree(timeline[4], flagged, ignore=shutil.ignore_patterns(".cache"))
    changes = pd.read_csv(flagged / "changes.csv", keep_default_na=False)
    photo = str(changes.loc[0, "photo"])
    msg = same_picture_left_out(photo, 12.0, "S01/microcurrent/pre.jpg", -1.0)
    changes.loc[0, "messages"] = f"{MSG_SAME_PICTURE}; {changes.loc[0, 'messages']}; {msg}"
    for col in [c for c in changes.columns if c.endswith("_verdict")]:  # as the batch marks a copy's rows
        changes[col] = changes[col].astype(object)
        changes.loc[0, col] = "uncertain"
    changes.to_csv(flagged / "changes.csv", index=False)
    (flagged / "regimen").mkdir()
    changes.iloc[[0]].to_csv(flagged / "regimen" / "changes.csv", index=False)
    read, records = [], stage._change_records
    monkeypatch.setattr(stage, "_change_records", lambda d: read.append(d) or records(d))
    _, table = run_timeline(flagged, n_boot=0)
    assert sorted(map(str, read)) == sorted(map(str, [flagged, flagged, flagged / "regimen"])), read
    report = (flagged / "report.md").read_text()
    assert timeline_report(table, flagged) == report  # the notes read by the report itself
    assert report.count(MSG_SAME_PICTURE_LEFT_OUT) == 2, report  # once for the batch, once for its regimen batch
    assert f"`{photo}` (" in report and f": {msg}\n" in report and f"- regimen: `{photo}` (" in report
    assert MSG_SAME_PICTURE not in report and "same picture as their before photo" not in report
    _print_verdicts(table)
    out = capsys.readouterr().out
    assert MSG_SAME_PICTURE_LEFT_OUT not in out and msg not in out, out  # `batch` said it
    assert MSG_SAME_PICTURE_LEFT_OUT not in (timeline[4] / "report.md").read_text()  # none in the clean study


def test_timeline_that_cannot_fit_names_a_copy_briefly_after_batch_said_it_whole():
    """Stop 54's audit: `timeline` stopped on a study whose every row read 'uncertain' with a line quoting compare's
    message on the copy and the batch's after it, which `batch` had printed whole just before.  The line names the
    comparison and where it is said in full."""
    from facemetrics.batch.console import UNCERTAIN_LINE, uncertain_lines
    from facemetrics.batch.tables import MSG_SAME_PICTURE_LEFT_OUT, same_picture_left_out
    from facemetrics.compare import MSG_NEAR_COPY

    msg = same_picture_left_out("D/rf/b.jpg", 0.75, "D/rf/a.jpg", -0.25, copy=True)
    row = {"subject": "D", "treatment": "rf", "treated_at": "2026-12-01T08:15", "photo": "D/rf/b.jpg",
           "hours_since_treatment": 0.75, "status": "warning", "jawline_lift_mm_verdict": "uncertain",
           "messages": f"{MSG_NEAR_COPY} (a lossy save of it); compare two different photos; {msg}"}
    (line,) = uncertain_lines([row])
    assert line.startswith(f"{UNCERTAIN_LINE}`D/rf/b.jpg` (D, rf, 0.75 h since treatment): the same picture as its "
                           "before photo"), line
    assert MSG_NEAR_COPY not in line and MSG_SAME_PICTURE_LEFT_OUT not in line and "`batch`" in line, line


def test_report_names_each_comparison_left_out_as_uncertain_and_why(timeline, tmp_path):
    """CLI audit: comparisons read 'uncertain' (a head pose beyond the checked range, ...) were left out
    of the fits, whose reason only listed every possible cause, while report.md's "Photos excluded"
    said "None: every photo was measured and compared".  report.md now lists each such comparison
    with its own reason (changes.csv's messages, cut to 200 characters), for the regimen too."""
    import shutil

    from facemetrics.batch import timeline_report
    from facemetrics.compare.gate import MSG_POSE_UNCHECKED

    flagged = tmp_path / "flagged"
    shutil.copytree(timeline[4], flagged, ignore=shutil.ignore_patterns(".cache"))
    changes = pd.read_csv(flagged / "changes.csv", keep_default_na=False)
    pick = changes.index[(changes["treatment"] == "microcurrent")
                         & (pd.to_numeric(changes["hours_since_treatment"]) > 0)][0]
    photo, hours = changes.loc[pick, "photo"], float(changes.loc[pick, "hours_since_treatment"])
    why = f"head pose differs (yaw +14.0 deg), {MSG_POSE_UNCHECKED} " + "x" * 300
    changes.loc[pick, "messages"] = f"a first, unrelated note; {why}"
    for col in [c for c in changes.columns if c.endswith("_verdict")]:
        changes.loc[pick, col] = "uncertain"
    changes.to_csv(flagged / "changes.csv", index=False)
    long = pd.read_csv(flagged / "long.csv", keep_default_na=False)
    long.loc[long["photo"] == photo, "verdict"] = "uncertain"
    long.to_csv(flagged / "long.csv", index=False)
    (flagged / "regimen").mkdir()
    changes.loc[[pick]].to_csv(flagged / "regimen" / "changes.csv", index=False)

    _, table = run_timeline(flagged, n_boot=0)
    report = (flagged / "report.md").read_text()
    assert "None: every photo was measured and compared" not in report
    head = f"- `{photo}` ({changes.loc[pick, 'subject']}, microcurrent, {round(hours, 2):g} h since treatment): "
    line = next(x for x in report.splitlines() if x.startswith(head))
    said = line[len(head):]
    assert said == why  # one sentence: never cut inside it (it was cut at 200 characters with an ellipsis: stop 61)
    assert "unrelated note" not in said  # the message that explains 'uncertain', not the first one
    assert f"- regimen: {head[2:]}{said}\n" in report
    fitted = [c for c in changes.columns if c.endswith("_verdict") and c.split("_verdict")[0] in
              {"jawline_lift_mm", "mouth_corner_lift_mm", "nlf_depth_right", "nlf_depth_left"}]
    unread = list(changes.loc[(changes[fitted] == "uncertain").any(axis=1), "photo"])  # the study's own too
    listed = [x for x in report.split("### Comparisons left out")[1].splitlines() if x.startswith("- `")]
    assert [x.split("`")[1] for x in listed] == unread and photo in unread, (listed, unread)
    assert table.attrs["uncertain_notes"][-1] == f"regimen: {head[2:]}{said}"
    assert timeline_report(table, flagged) == report  # the report of the table alone says the same
    clean = (timeline[4] / "report.md").read_text()  # the study's own 'uncertain' comparisons (pose), if any
    own = [p for p in unread if p != photo]
    assert ("None: every photo was measured and compared" in clean) == (not own), clean
    assert all(f"- `{p}` (" in clean for p in own), clean


def test_report_quotes_the_before_photo_as_the_likely_cause_of_an_uncertain_comparison():
    """A comparison read 'uncertain' because its before photo smiles (the after photo does not): changes.csv
    says "the before photo is the likely cause", but report.md's list quoted only compare's reason
    ("expression differs ...", which asks to retake the after photo).  Its line now leads with the before
    photo, named with its flag, then compare's reason; a row without the message is quoted as before."""
    from facemetrics.batch.tables import MSG_BEFORE_PHOTO_AT_FAULT, baseline_messages
    from facemetrics.batch.timeline import uncertain_notes
    from facemetrics.compare.gate import MSG_EXPRESSION

    smile = "smiling (smile score 4.43, limit 1.35)"
    before = dict(photo="S01/rf/a.jpg", role="baseline", quality_flags=smile)
    post = dict(photo="S01/rf/p.jpg", role="post", quality_flags="", _passed_over=())
    (fault,) = baseline_messages(post, [before], {"status": "warning", "rows": [
        dict(metric="jawline_lift_mm", verdict="uncertain")]})
    expression = (f"{MSG_EXPRESSION}: the lips' shape changed (smile index 0.31 → 0.12, limit 0.08). Lifts, folds "
                  "and the jaw, mouth and cheek metrics then reflect the expression, not the skin, so they are "
                  "shown without a verdict ('uncertain'); take both photos with the same relaxed, closed-mouth "
                  "expression")
    row = dict(photo="S01/rf/p.jpg", subject="S01", treatment="rf", hours_since_treatment=3.0, status="warning",
               jawline_lift_mm_verdict="uncertain", messages=f"{expression}; {fault}")
    (line,) = uncertain_notes([row], ["jawline_lift_mm"])
    said = line.split(": ", 1)[1]
    assert said.startswith(f"{MSG_BEFORE_PHOTO_AT_FAULT}: S01/rf/a.jpg is flagged {smile} and the after photo is "
                           f"not"), line
    assert f"; {MSG_EXPRESSION}: the lips' shape changed" in said, line
    # the reason shortened to its whole first sentence within 200 characters, its remedy kept (a cut of the whole
    # line dropped it: stop 45's audit; a cut inside a sentence, "...rather than a…", until stop 61)
    assert said.endswith("limit 0.08) (whole message in changes.csv's `messages` column); take both photos with the "
                         "same relaxed, closed-mouth expression"), line
    (plain,) = uncertain_notes([dict(row, messages=expression)], ["jawline_lift_mm"])
    assert plain.split(": ", 1)[1].startswith(f"{MSG_EXPRESSION}: the lips' shape changed")
    assert MSG_BEFORE_PHOTO_AT_FAULT not in plain


@pytest.mark.parametrize("cause", ["glasses", "fold_lines", "contrast_sides"])
def test_uncertain_notes_quote_the_fold_rows_own_cause(cause):
    """Stop 41 added two reasons a fold row reads ``uncertain`` (dark glasses over its band; the two fold lines
    disagree).  report.md's list of left-out rows quoted the comparison's first message instead, a note about
    something else; it now quotes the cause."""
    from facemetrics.batch.timeline import uncertain_notes
    from facemetrics.compare.gate import MSG_FOLD_CONTRAST_SIDES, MSG_FOLD_LINES, MSG_GLASSES_FOLD

    other = "the after photo is 12 % brighter than the before photo; tones were matched before comparing"
    said = {"glasses": f"{MSG_GLASSES_FOLD} nasolabial fold's search band (right 31 % of it covered; the limit is "
                       "10 %): the right fold rows are shown without a verdict ('uncertain')",
            "fold_lines": f"{MSG_FOLD_LINES} (right +1.25 along the found line, +0.05 along the reference line; "
                          "floor 0.84): the depth row is shown without a verdict ('uncertain')",
            "contrast_sides": f"{MSG_FOLD_CONTRAST_SIDES} (right +14.2 % medial, +0.8 % lateral; more than 12 % "
                              "...): the contrast row is shown without a verdict ('uncertain')"}[cause]
    metric = "nlf_contrast_pct" if cause == "contrast_sides" else "nlf_depth"
    row = dict(photo="S01/rf/p.jpg", subject="S01", treatment="rf", hours_since_treatment=3.0, status="warning",
               messages=f"{other}; {said}", **{f"{metric}_verdict": "uncertain"})
    (line,) = uncertain_notes([row], [metric])
    assert said[:40] in line and other[:30] not in line, line


@pytest.mark.parametrize("cause", ["photo_covered", "lower_face_covered", "lenses", "tone_mapped", "light_side",
                                   "jpeg"])
def test_uncertain_notes_quote_a_row_taking_cause_not_the_first_warning(cause):
    """A clinic's audit (2026-12-05): a comparison whose jaw rows read 'uncertain' because its after photo's jaw
    looked covered was listed in report.md as "resolution too low in the before photo: 0.53 mm/px (limit 0.5)"
    (its first message, a warning every pair of the session had), and one with a camera-distance note as that
    note cut at its "; " ("...(-24 % of the distance, limit ±10 %"): the clinician would retake for the wrong
    reason.  The messages of compare's checks that take rows' verdicts are quoted, not the first message."""
    from facemetrics.batch.timeline import uncertain_notes
    from facemetrics.compare.gate import MSG_JPEG_QUALITY, MSG_LENSES, MSG_LIGHT_SIDE, MSG_TONE_MAPPED
    from facemetrics.compare.occlusion import MSG_COVERED, MSG_PHOTO_COVERED

    low = ("resolution too low in the before photo: 0.53 mm/px (limit 0.5); sub-millimetre changes cannot be "
           "resolved; the camera was about 11 cm closer in the after photo (-24 % of the distance, limit ±10 %; "
           "assuming about 45 cm for the before photo): perspective changes the face's proportions. This was "
           "measured and corrected; hold the phone at the same distance for every photo")
    said = {"photo_covered": f"{MSG_PHOTO_COVERED}: in the after photo the subject's right jaw line differ from the "
                             "face's own cheek skin as a hand, hair, a scarf or a mask would, and not in the other "
                             "photo: the jaw rows are not read (shown without a verdict, 'uncertain'). Retake the "
                             "photo with the jaw uncovered",
            "lower_face_covered": f"{MSG_COVERED} near the chin: the jaw rows are not read (shown without a "
                                  "verdict, 'uncertain'). Retake the photos with the chin and jaw uncovered",
            "lenses": f"{MSG_LENSES} (iPhone 15 back camera vs iPhone 15 front camera, EXIF): lens distortion "
                      "differs between them, so every lift row is shown without a verdict ('uncertain')",
            "tone_mapped": f"the after photo {MSG_TONE_MAPPED}: its skin's fine shading is 1.60 x the other's, so "
                           "the fold rows are shown without a verdict ('uncertain')",
            "light_side": f"{MSG_LIGHT_SIDE} (the subject's left side is 46 % brighter against the other side than "
                          "in the before photo, limit 10 %, after the pair's tone matching): fold depth and contrast "
                          "read the light as much as the fold",
            # stop 64's review: below JPEG quality 70 every row but the pose rows reads 'uncertain'
            "jpeg": f"{MSG_JPEG_QUALITY} in the after photo: saved at quality 50 of 100 (read from the file, limit "
                    "70), so compression has smoothed and blocked its fine detail, which read a change in 28-31 % of "
                    "unchanged pairs saved at qualities 30-60 (most on the lifts and the jaw width), so the lift, "
                    "fold, jaw, mouth and cheek rows are shown without a verdict ('uncertain', the head-pose rows "
                    "keep theirs); use the original photo, not a compressed copy (messaging apps and web uploads "
                    "re-compress photos)"}[cause]
    metric = "nlf_depth_right" if cause in ("tone_mapped", "light_side") else "jawline_lift_mm"
    row = dict(photo="IMG_4803.JPG", subject="Renée Dubois", treatment="microcurrent", hours_since_treatment=1.0,
               status="warning", messages=f"{low}; {said}", **{f"{metric}_verdict": "uncertain"})
    (line,) = uncertain_notes([row], [metric])
    assert said[:40] in line, line
    assert "resolution too low" not in line and "the camera was" not in line, line


def test_numeric_looking_subject_names_stay_names(tmp_path):
    """An audit (2026-12-04): ``timeline`` read long.csv's subjects ``007``, ``7`` and ``003`` as the numbers
    7, 7 and 3: two people fitted as one, ``003`` shown as 3.  The batch tables' text columns
    (schema.TEXT_COLUMNS) are read as text; an earlier run's regimen.png in the output folder of a batch
    without a regimen batch is removed (it was left beside the new tables)."""
    times = [-0.5, 0.5, 1.0, 2.0, 4.0, 8.0, 24.0, 48.0]
    rows = [dict(subject=s, treatment="01", hours_since_treatment=t, metric="jawline_lift_mm", side="mean",
                 value=round(decay_model(t, 0.0, 2.0 + 0.1 * k, 3.0) if t > 0 else 0.0, 4) + 0.01 * (i % 3),
                 unit="mm", noise_floor=0.5, verdict="lift", photo=f"{s}/p{i}.jpg", treated_at="2026-11-02T08:00:00",
                 facemetrics_version="0.2.12")
            for k, s in enumerate(["007", "7", "003"]) for i, t in enumerate(times)]
    pd.DataFrame(rows).to_csv(tmp_path / "long.csv", index=False)
    photos = pd.DataFrame([dict(photo=r["photo"], subject=r["subject"], status="ok", excluded="",
                                facemetrics_version="0.2.12") for r in rows])
    photos.to_csv(tmp_path / "photos.csv", index=False)
    (tmp_path / "regimen.png").write_bytes(_EARLIER_PNG)  # an earlier run's figure
    _, table = run_timeline(tmp_path, n_boot=0)
    per = table[table["subject"].notna() & (table["subject"] != "")]
    assert sorted(per["subject"]) == ["003", "007", "7"] and set(per["n_photos"]) == {len(times)}
    assert set(per["treatment"]) == {"01"} and int(table.loc[table["subject"].isna(), "n_subjects"].iloc[0]) == 3
    written = pd.read_csv(tmp_path / "timeline.csv", dtype=str, keep_default_na=False)
    assert sorted(s for s in written["subject"] if s) == ["003", "007", "7"]
    report = (tmp_path / "report.md").read_text()
    assert "| 007 |" in report and "| 003 |" in report and "| 3 |" not in report
    assert not (tmp_path / "regimen.png").exists()


#: the start of a figure as facemetrics saves one (its ``Software`` tag, ``export.figure_png``), which the
#: recogniser reads (``facemetrics.outputs``; Matplotlib's own tag alone is no longer facemetrics')
_EARLIER_PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\x1ctEXtSoftware\x00facemetrics 0.2.15"


def _small_batch(folder):
    """A hand-made batch folder: one subject's jawline lift at 8 times (long.csv, photos.csv)."""
    times = [-0.5, 0.5, 1.0, 2.0, 4.0, 8.0, 24.0, 48.0]
    rows = [dict(subject="S01", treatment="mc", hours_since_treatment=t, metric="jawline_lift_mm", side="mean",
                 value=round(decay_model(t, 0.0, 2.0, 3.0) if t > 0 else 0.0, 4) + 0.01 * (i % 3), unit="mm",
                 noise_floor=0.5, verdict="lift", photo=f"S01/p{i}.jpg", treated_at="2026-11-02T08:00:00",
                 facemetrics_version="0.2.12") for i, t in enumerate(times)]
    folder.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(rows).to_csv(folder / "long.csv", index=False)
    pd.DataFrame([dict(photo=r["photo"], subject="S01", status="ok", excluded="", facemetrics_version="0.2.12")
                  for r in rows]).to_csv(folder / "photos.csv", index=False)
    return folder


def test_timeline_refuses_to_overwrite_a_file_facemetrics_did_not_write(tmp_path, monkeypatch, capsys):
    """An audit (2026-12-04): ``timeline`` replaced a user's own report.md (or timeline.csv) in its output
    folder without a word.  It now refuses, naming the file, before any fit, and leaves every file as it was;
    its own earlier outputs (recognised as the batch recognises them) are replaced."""
    import facemetrics.decay
    from facemetrics.cli import main
    from facemetrics.errors import SettingError

    batch = _small_batch(tmp_path / "b")
    _, table = run_timeline(batch, n_boot=0)  # facemetrics' own outputs: replaced by a second run
    run_timeline(batch, n_boot=0)
    assert (batch / "report.md").read_text().startswith("# Treatment time course")

    out = tmp_path / "out"
    out.mkdir()
    (out / "report.md").write_text("my notes on S01\n")
    (out / "timeline.csv").write_text("a,b\n1,2\n")

    def fit(*a, **k):
        raise AssertionError("fitted before the output folder was checked")

    with monkeypatch.context() as m:
        m.setattr(facemetrics.decay, "analyze_series", fit)
        with pytest.raises(SettingError, match=r"will not overwrite .*timeline.csv \(not written by facemetrics\); "
                                               r".*report.md \(not written by facemetrics\)"):
            run_timeline(batch, out, n_boot=0)
    assert sorted(p.name for p in out.iterdir()) == ["report.md", "timeline.csv"]
    assert (out / "report.md").read_text() == "my notes on S01\n"
    # the command line: one line naming the file, exit status 2, as its other refusals
    (out / "timeline.csv").unlink()
    assert main(["timeline", str(batch), "-o", str(out), "--n-boot", "0"]) == 2
    err = capsys.readouterr().err
    assert "facemetrics timeline: will not overwrite" in err and str(out / "report.md") in err, err
    assert (out / "report.md").read_text() == "my notes on S01\n" and not (out / "timeline.csv").exists()
    # a link of an output's name is not replaced either (its target would be)
    (out / "report.md").unlink()
    target = tmp_path / "elsewhere.md"
    target.write_text("kept\n")
    (out / "report.md").symlink_to(target)
    with pytest.raises(SettingError, match=r"report.md \(a symbolic link, not written by facemetrics\)"):
        run_timeline(batch, out, n_boot=0)
    assert target.read_text() == "kept\n"


def test_a_failed_timeline_leaves_no_earlier_outputs_that_read_as_its_own(tmp_path, monkeypatch):
    """An audit (2026-12-04): ``timeline -o OUT`` of another batch that failed part way (a fit, the figure)
    left the earlier run's timeline.csv, timeline.png, report.md and regimen.png in OUT, read as this run's.
    The outputs are now made in memory and written at the end; a failed run removes the earlier ones
    (those facemetrics wrote: a user's file is refused before, never removed)."""
    import facemetrics.plots
    from facemetrics.decay import SeriesError

    first, second = _small_batch(tmp_path / "first"), _small_batch(tmp_path / "second")
    out = tmp_path / "out"
    run_timeline(first, out, n_boot=0)
    (out / "regimen.png").write_bytes(_EARLIER_PNG)
    (out / "notes.txt").write_text("mine\n")
    assert {p.name for p in out.iterdir()} == {"timeline.csv", "timeline.png", "report.md", "regimen.png", "notes.txt",
                                               ".facemetrics-outputs"}  # and the ledger of the files it wrote

    def broken(*a, **k):
        raise RuntimeError("the figure failed")

    with monkeypatch.context() as m:  # fails after the fits, before anything is written
        m.setattr(facemetrics.plots, "plot_timeline", broken)
        with pytest.raises(RuntimeError, match="the figure failed"):
            run_timeline(second, out, n_boot=0)
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt"]

    run_timeline(first, out, n_boot=0)
    long = pd.read_csv(second / "long.csv")
    long["verdict"] = "uncertain"  # nothing to fit
    long.to_csv(second / "long.csv", index=False)
    with pytest.raises(SeriesError):
        run_timeline(second, out, n_boot=0)
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt"]

    # a write that fails part way: neither the new nor the earlier files are left
    run_timeline(first, out, n_boot=0)
    import facemetrics.batch.timeline as tl
    real = tl.write_bytes

    def fails_on_report(data, path):
        if path.name == "report.md":
            raise OSError(28, "No space left on device")
        return real(data, path)

    with monkeypatch.context() as m:
        m.setattr(tl, "write_bytes", fails_on_report)
        with pytest.raises(OSError, match="No space left"):
            run_timeline(first, out, n_boot=0)
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt"]


def test_uncertain_note_cut_at_a_whole_word():
    """A reason longer than ``max_chars`` ended at a whole word with an ellipsis, never inside a word
    (new-user audit 2026-12-04: "... it is be…"); since stop 61 it is never cut inside a sentence: a one-sentence
    reason is quoted whole, a longer one to its whole sentences, saying where the whole message is."""
    from facemetrics.batch.timeline import uncertain_notes

    row = {"photo": "S01/mc/p.jpg", "subject": "S01", "treatment": "mc", "hours_since_treatment": "2",
           "status": "warning", "jawline_lift_mm_verdict": "uncertain",
           "messages": "head pose differs (yaw +14.0 deg) and the correction for it is beyond the range "
                       "it was checked on, so no change is claimed"}
    (line,) = uncertain_notes([row], ["jawline_lift_mm"], max_chars=60)
    said = line.split("since treatment): ", 1)[1]
    assert said == row["messages"], said
    (two,) = uncertain_notes([dict(row, messages=row["messages"] + ". The pitch was 9 deg")], ["jawline_lift_mm"],
                             max_chars=60)
    assert two.split("since treatment): ", 1)[1] == row["messages"] + " (whole message in changes.csv's `messages` " \
        "column)", two
    (whole,) = uncertain_notes([row], ["jawline_lift_mm"], max_chars=500)
    assert whole.endswith("no change is claimed")


def test_timeline_figures_carry_the_mark_and_an_unmarked_one_is_replaced_only_with_force(tmp_path, capsys):
    """timeline.png carried only Matplotlib's own ``Software`` chunk, which any user's figure carries too
    (the recogniser took it for facemetrics'): it now carries facemetrics' mark (``export.figure_png``),
    and a PNG without it (a user's figure, or one of facemetrics 0.2.14) stops the command until --force."""
    from facemetrics.cli import main
    from facemetrics.export import PNG_MARK
    from facemetrics.outputs import not_written_by_facemetrics

    batch = _small_batch(tmp_path / "b")
    run_timeline(batch, n_boot=0)
    assert PNG_MARK in (batch / "timeline.png").read_bytes()[:100]
    assert not_written_by_facemetrics(batch / "timeline.png") == ""
    matplotlib_only = b"\x89PNG\r\n\x1a\n\x00\x00\x00\x1ctEXtSoftware\x00Matplotlib version3.10.0, https://matplotlib.org/"
    (batch / "timeline.png").write_bytes(matplotlib_only)
    assert main(["timeline", str(batch), "--n-boot", "0"]) == 2
    err = capsys.readouterr().err
    assert f"will not overwrite {batch / 'timeline.png'} (not written by facemetrics)" in err and "--force" in err
    assert (batch / "timeline.png").read_bytes() == matplotlib_only
    assert main(["timeline", str(batch), "--n-boot", "0", "--force"]) == 0
    capsys.readouterr()
    assert not_written_by_facemetrics(batch / "timeline.png") == ""
    assert main(["timeline", str(batch), "--n-boot", "0"]) == 0  # and again: its own files


def test_report_quotes_covered_eyes_as_the_cause_of_an_uncertain_comparison():
    """A comparison whose fold rows read 'uncertain' because no iris is visible in a photo (dark glasses:
    compare.gate.eyes_covered_rows) is quoted by that message, not by its first one (the mm-scale note)."""
    from facemetrics.batch.timeline import uncertain_notes
    from facemetrics.compare.gate import MSG_EYES_COVERED

    scale = ("irises not visible in the after photo (eyes closed, covered or outside the picture): its mm scale is "
             "unreliable")
    covered = (f"{MSG_EYES_COVERED} after photo (dark glasses, closed or covered eyes): Face Mesh guesses the eyes "
               "... are shown without a verdict ('uncertain')")
    row = dict(photo="S01/rf/p.jpg", subject="S01", treatment="rf", hours_since_treatment=3.0, status="warning",
               nlf_depth_right_verdict="uncertain", messages=f"{scale}; {covered}")
    (line,) = uncertain_notes([row], ["nlf_depth_right"])
    assert line.split(": ", 1)[1].startswith(MSG_EYES_COVERED), line


def test_timeline_on_its_own_prints_the_disagreement_lines_the_batch_prints(timeline, tmp_path, capsys):
    """`facemetrics timeline` run on its own printed no line for a session whose before photos disagree, while
    `batch` and `study report` print one (and one on the floors built from those photos), once per session:
    it now prints the same lines in the same words (batch.tables.disagreement_lines of changes.csv, the
    regimen's prefixed 'regimen: '), once per session, and none for a batch without them."""
    import shutil

    from facemetrics.batch.tables import disagreement_lines
    from facemetrics.cli import main
    from facemetrics.compare.disagreement import MSG_BASELINES_DISAGREE, MSG_FLOORS_FROM_DISAGREEMENT

    out = timeline[4]
    flagged = tmp_path / "flagged"
    shutil.copytree(out, flagged, ignore=shutil.ignore_patterns(".cache"))
    changes = pd.read_csv(flagged / "changes.csv", keep_default_na=False, dtype=str)
    assert main(["timeline", str(flagged), "--n-boot", "0"]) == 0
    plain = capsys.readouterr().out
    assert MSG_BASELINES_DISAGREE not in plain and MSG_FLOORS_FROM_DISAGREEMENT not in plain, plain

    mine = (changes["subject"] == "S01") & (changes["treatment"] == "microcurrent")
    msg = f"{MSG_BASELINES_DISAGREE}: S01/a.jpg against S01/b.jpg reads jawline_lift_mm +1.24 mm (noise floor 0.43 mm)"
    floors = f"{MSG_FLOORS_FROM_DISAGREEMENT}: each floor is 4.3 x the pairs' spread"
    changes.loc[mine, "messages"] = changes.loc[mine, "messages"] + "; " + msg + "; " + floors
    changes.to_csv(flagged / "changes.csv", index=False)
    assert main(["timeline", str(flagged), "--n-boot", "0"]) == 0
    printed = capsys.readouterr().out.splitlines()
    want = disagreement_lines(changes.to_dict("records"))  # the batch's console lines of these rows
    treated = changes.loc[mine, "treated_at"].iloc[0]
    assert want == [f"S01, microcurrent, treated {treated}: {msg}", f"S01, microcurrent, treated {treated}: {floors}"]
    assert [x for x in printed if x in want] == want, printed  # each once, in the batch's order
    assert sum(MSG_BASELINES_DISAGREE in x for x in printed) == 1 and sum(MSG_FLOORS_FROM_DISAGREEMENT in x
                                                                          for x in printed) == 1, printed


def test_report_lists_the_comparisons_fitted_with_the_warning_that_the_expression_may_differ(tmp_path):
    """A comparison whose mouth corners moved as in a smile while the lips kept their shape (the gate's flow
    cues alone, ``MSG_EXPRESSION_MAYBE``) keeps its verdicts and enters the fits: report.md and the console
    did not say which (h10, 2026-12-05).  ``## Comparisons kept in the fits with a warning`` now lists exactly
    those: not one whose lips changed (all 'uncertain', under "Photos excluded"), not a refused one, not one
    without the warning, not one carrying it whose fitted verdicts all read 'uncertain'."""
    from facemetrics.batch import timeline_report
    from facemetrics.batch.fit_notes import expression_kept_notes
    from facemetrics.compare.gate import MSG_EXPRESSION, MSG_EXPRESSION_MAYBE
    from facemetrics.decay import analyze_series

    times = np.array([0.5, 1, 2, 4, 8, 24, 48])
    long = pd.DataFrame(dict(subject="S01", treatment="mc", hours_since_treatment=times,
                             value=2.0 * 2 ** (-times / 3) + 0.05 * np.cos(times), metric="jawline_lift_mm",
                             side="mean", unit="mm", verdict="lifted"))
    table = analyze_series(long, per_subject=False, n_boot=0).to_frame()
    maybe = (f"{MSG_EXPRESSION_MAYBE}: a mouth corner moved 1.8 mm relative to the jowl below it (limit 0.6 mm), "
             "while the lips kept their shape. A change of expression (a gentle smile) and a lift ...; take both "
             "photos with the same relaxed, closed-mouth expression")
    lips = f"{MSG_EXPRESSION}: the lips' shape changed (smile index 0.31 → 0.12, limit 0.08). Lifts ..."
    cells = [("p1.jpg", "1", "warning", maybe, "lifted"),  # listed
             ("p2.jpg", "2", "warning", lips, "uncertain"),  # the lips changed: left out, not listed here
             ("p3.jpg", "24", "warning", maybe, "within_noise"),  # listed
             ("p4.jpg", "4", "refused", maybe, ""),  # refused: photos.csv says why
             ("p5.jpg", "8", "ok", "", "lifted"),  # no warning
             ("p6.jpg", "48", "warning", f"{maybe}; head pose differs ...", "uncertain")]  # warned but left out
    changes = pd.DataFrame([dict(subject="S01", treatment="mc", photo=f"S01/mc/{p}", hours_since_treatment=h,
                                 status=st, messages=m, jawline_lift_mm_verdict=v) for p, h, st, m, v in cells])
    changes.to_csv(tmp_path / "changes.csv", index=False)
    pd.DataFrame(dict(photo=changes["photo"], excluded="")).to_csv(tmp_path / "photos.csv", index=False)

    notes = expression_kept_notes(changes.astype(str).to_dict("records"), ["jawline_lift_mm"])
    assert [n.split("`")[1] for n in notes] == ["S01/mc/p1.jpg", "S01/mc/p3.jpg"], notes
    assert notes[1] == (f"`S01/mc/p3.jpg` (S01, mc, 24 h since treatment): {MSG_EXPRESSION_MAYBE} (a mouth corner "
                        "moved 1.8 mm relative to the jowl below it (limit 0.6 mm))")
    report = timeline_report(table, tmp_path)
    section = report.split("## Comparisons kept in the fits with a warning: expression may differ", 1)[1]
    listed = [line for line in section.splitlines() if line.startswith("- ")]
    assert listed == [f"- {n}" for n in notes]
    assert "p2.jpg" in report.split("## Photos excluded", 1)[1].split("## Comparisons kept", 1)[0]
    # none listed: no section
    changes.loc[changes["photo"].isin(["S01/mc/p1.jpg", "S01/mc/p3.jpg"]), "messages"] = ""
    changes.to_csv(tmp_path / "changes.csv", index=False)
    assert "kept in the fits with a warning" not in timeline_report(table, tmp_path)
