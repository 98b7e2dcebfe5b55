"""The command line's words: messages left from stop 44's first-user audit (h3, 2026-12-05).  Each test
failed on the code before its fix."""

from __future__ import annotations


def test_the_headline_of_one_picture_compared_with_itself_names_the_picture(sample_analysis, sample_resaved):
    """`compare a.jpg a.jpg` (every row 'uncertain' since stop 44) was headlined "the comparison's checks (see
    the messages) say ...": the headline now names the cause, the same picture or a re-saved copy."""
    from facemetrics.compare import compare_photos
    from facemetrics.report import headline

    same = compare_photos(sample_analysis, sample_analysis)
    text = headline(same.to_frame(), same.messages)
    assert text.startswith("no lift or sag can be claimed: the before and after photos are the same picture "
                           "(identical pixels), so the jawline's 0.00 mm"), text
    assert "compare two different photos" in text and "checks" not in text, text
    copy = compare_photos(sample_analysis, sample_resaved)
    text = headline(copy.to_frame(), copy.messages)
    assert text.startswith("no lift or sag can be claimed: the after photo is a re-saved copy of the before photo, "
                           "so the jawline's "), text
    assert "re-compression's, not a change of the face" in text and "checks" not in text, text


def _row(analysis, photo: str) -> dict:
    """The photos.csv row of ``analysis`` in a batch, filed as ``photo`` (the batch's own row builder)."""
    from pathlib import Path

    from facemetrics.batch.discover import PhotoEntry
    from facemetrics.batch.tables import _table_row

    e = PhotoEntry(Path(photo), photo, subject="s", treatment="rf", treated_at="2026-12-01T08:00")
    return _table_row(e, analysis.to_row())


def test_a_photo_not_measured_is_said_once_by_analyzes_rule_in_the_batch(tmp_path):
    """photos.csv's ``excluded`` (and report.md's lists of it) read "not measured (unreadable: truncated.jpg:
    truncated JPEG data ...)" in the row of s/rf/truncated.jpg: the photo twice, and "not measured" where
    ``analyze`` and the app say "cannot be read".  The batch now says what ``analyze``'s line says (one
    function), the name once: a truncated file, an empty one and a 20 x 20 px picture cannot be read; a
    picture without a face is not measured."""
    from pathlib import Path

    import numpy as np

    import facemetrics
    from facemetrics.cli import _status_text

    data = (Path(__file__).resolve().parents[1] / "sample_images" / "astronaut_before.jpg").read_bytes()
    (tmp_path / "truncated.jpg").write_bytes(data[:20000])
    (tmp_path / "empty.jpg").write_bytes(b"")
    photos = {"truncated.jpg": facemetrics.analyze_photo(tmp_path / "truncated.jpg"),
              "empty.jpg": facemetrics.analyze_photo(tmp_path / "empty.jpg"),
              "tiny.png": facemetrics.analyze_photo(np.zeros((20, 20, 3), np.uint8), name="tiny.png"),
              "wall.png": facemetrics.analyze_photo(np.full((400, 300, 3), 128, np.uint8), name="wall.png")}
    for name, a in photos.items():
        row = _row(a, f"s/rf/{name}")
        said = row["excluded"].split("; ")[0]
        assert said == _status_text(a), (said, _status_text(a))  # analyze's words
        assert name not in said, said  # the row names the photo
        assert said.startswith("not measured (" if name == "wall.png" else "cannot be read ("), said


def test_the_roll_flags_uncertainty_holds_a_rotation_about_the_pictures_centre(sample_analysis):
    """Stop 63: the roll flag's ± (``quality.ROLL_UNCERTAINTY_DEG``, deg) holds the bundled sample rotated about the
    picture's centre by +-20 deg (truth the method does not assume: the face moves off the centre too): the read
    change of ``roll_deg`` lies within the ± of the rotation (positive counter-clockwise in cv2, clockwise in
    ``roll_deg``), and the flag of the rotated photo gives it in whole degrees."""
    import dataclasses

    import cv2

    from facemetrics.analyze import analyze_loaded
    from facemetrics.quality import ROLL_UNCERTAINTY_DEG, quality_flags

    assert ROLL_UNCERTAINTY_DEG == 0.7
    rgb = sample_analysis.photo.rgb
    h, w = rgb.shape[:2]
    for deg in (20.0, -20.0):
        m = cv2.getRotationMatrix2D((w / 2.0, h / 2.0), deg, 1.0)
        turned = cv2.warpAffine(rgb, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
        b = analyze_loaded(dataclasses.replace(sample_analysis.photo, rgb=turned))
        change = b.quality.roll_deg - sample_analysis.quality.roll_deg
        assert abs(change + deg) <= ROLL_UNCERTAINTY_DEG, (deg, change)
        (flag,) = [f for f in quality_flags(dataclasses.asdict(b.quality), b.frame.mm_per_px)
                   if f.startswith("head tilted sideways")]
        assert flag == f"head tilted sideways (roll {b.quality.roll_deg:+.0f} ± 1 deg, limit ±15 deg)", flag


def test_the_roll_flag_says_its_uncertainty_is_extrapolated_past_the_rotations_it_was_measured_on():
    """The roll flag quoted "± 1 deg" for any roll up to ``HARD_MAX_FACE_ROTATION_DEG`` (45 deg) though
    ``ROLL_UNCERTAINTY_DEG`` was measured on rotations up to 28 deg (``ROLL_UNCERTAINTY_CHECKED_DEG``); beyond it
    the flag says its ± is extrapolated, as the guided capture's advice does (``capture.UNCERTAINTY_CHECKED_DEG``),
    and is kept whole by the flag splitter (its ";" inside the brackets)."""
    from facemetrics.batch.tables import split_messages  # the batch reads a row's quality_flags with it
    from facemetrics.capture import UNCERTAINTY_CHECKED_DEG
    from facemetrics.quality import ROLL_UNCERTAINTY_CHECKED_DEG, quality_flags

    assert UNCERTAINTY_CHECKED_DEG["roll_deg"] == ROLL_UNCERTAINTY_CHECKED_DEG == 28.0
    q = dict(yaw_deg=0.0, pitch_deg=0.0, sharpness=50.0, face_luminance=120.0, clipped_fraction=0.0,
             smile_score=0.0, mouth_opening_ratio=0.0)

    def roll_flag(roll):
        (flag,) = [f for f in quality_flags(dict(q, roll_deg=roll), 0.2) if f.startswith("head tilted sideways")]
        return flag

    assert roll_flag(28.0) == "head tilted sideways (roll +28 ± 1 deg, limit ±15 deg)"
    for roll in (35.0, -40.0):
        flag = roll_flag(roll)
        assert flag == (f"head tilted sideways (roll {roll:+.0f} ± 1 deg, limit ±15 deg; its ± was measured on "
                        "rotations up to 28 deg and is extrapolated here)"), flag
        assert split_messages("blurry (sharpness 1.0, limit 2); " + flag)[1:] == [flag]


def test_the_yaw_and_pitch_flags_say_their_uncertainty_is_extrapolated_past_the_turns_it_was_measured_on():
    """The yaw and pitch flags reach ``HARD_MAX_YAW_DEG`` (25 deg), but ``landmark_pose_uncertainty`` was measured on
    re-renders up to 20 deg (``POSE_UNCERTAINTY_CHECKED_DEG``, r2's note, stop 63): beyond it they say so, as the
    roll flag and the guided capture's advice do; at or below it they are unchanged, and the splitter keeps each
    flag whole."""
    from facemetrics.batch.tables import split_messages
    from facemetrics.capture import UNCERTAINTY_CHECKED_DEG
    from facemetrics.quality import POSE_UNCERTAINTY_CHECKED_DEG, quality_flags

    assert UNCERTAINTY_CHECKED_DEG["yaw_deg"] == UNCERTAINTY_CHECKED_DEG["pitch_deg"] == POSE_UNCERTAINTY_CHECKED_DEG == 20.0
    q = dict(yaw_deg=0.0, pitch_deg=0.0, roll_deg=0.0, sharpness=50.0, face_luminance=120.0, clipped_fraction=0.0,
             smile_score=0.0, mouth_opening_ratio=0.0)

    def flag(key, value, start):
        (f,) = [f for f in quality_flags(dict(q, **{key: value}), 0.2) if f.startswith(start)]
        return f

    tail = "; its ± was measured on {} up to 20 deg and is extrapolated here)"
    assert flag("yaw_deg", 20.0, "head turned").endswith("limit ±8 deg)")
    assert flag("pitch_deg", -20.0, "head tilted up/down").endswith("limit ±12 deg)")
    yaw = flag("yaw_deg", -23.0, "head turned")
    assert yaw.startswith("head turned (yaw -23 ± ") and yaw.endswith("limit ±8 deg" + tail.format("head turns")), yaw
    pitch = flag("pitch_deg", 24.0, "head tilted up/down")
    assert pitch.startswith("head tilted up/down (pitch +24 ± ") and pitch.endswith("limit ±12 deg" + tail.format("tilts"))
    for f in (yaw, pitch):
        assert split_messages("blurry (sharpness 1.0, limit 2); " + f)[1:] == [f]


def test_the_quality_flags_give_each_value_and_limit_with_its_unit():
    """The head-pose, resolution, light and clipping flags gave a bare limit ("yaw +23 deg, limit 8",
    "0.61 mm/px, limit 0.5", "luminance 30/255, limit 60"; clipping no limit at all); each now has its unit.  The yaw,
    the pitch and the luminance have the 95 % uncertainty of the gate's messages on the same estimates (stop 62, h12:
    ``quality.landmark_pose_uncertainty``, ``LUMINANCE_FLOOR_LOG``); the roll has ``ROLL_UNCERTAINTY_DEG`` since stop 63
    (rotated renders, bench/roll_uncertainty_s63.py)."""
    import re

    from facemetrics.quality import quality_flags

    q = dict(yaw_deg=23.0, pitch_deg=-16.0, roll_deg=20.0, sharpness=50.0, face_luminance=30.0,
             clipped_fraction=0.12, smile_score=0.0, mouth_opening_ratio=0.0, ipd_mm=45.0)
    flags = {f.split(" (")[0]: f for f in quality_flags(q, 0.61)}
    assert flags["head turned"] == ("head turned (yaw +23 ± 10 deg, limit ±8 deg; its ± was measured on head turns up "
                                    "to 20 deg and is extrapolated here)")
    assert flags["head tilted up/down"] == "head tilted up/down (pitch -16 ± 7 deg, limit ±12 deg)"
    assert flags["head tilted sideways"] == "head tilted sideways (roll +20 ± 1 deg, limit ±15 deg)"
    assert flags["low resolution"] == "low resolution (0.61 mm/px, limit 0.5 mm/px)"
    assert flags["too dark"] == "too dark (face luminance 30 ± < 0.5 of 255, limit 60 of 255)"
    assert flags["clipped highlights/shadows"] == "clipped highlights/shadows (12.0 ± 0.7% of face, limit 5%)"
    assert flags["implausible inter-pupillary distance"].startswith(
        "implausible inter-pupillary distance (45.0 mm, adult range 50-80 mm): ")
    bright = {f.split(" (")[0]: f for f in quality_flags(dict(q, face_luminance=240.0), 0.2)}["too bright"]
    assert bright == "too bright (face luminance 240 ± 1 of 255, limit 220 of 255)"
    from facemetrics.batch.tables import _fault_kind  # the batch still reads the direction through the ±

    assert _fault_kind(flags["head turned"]) == _fault_kind("head turned (yaw +12 deg, limit 10)") != "head turned"
    assert _fault_kind(flags["head tilted up/down"]) == _fault_kind("head tilted up/down (pitch -3 deg, limit 12)")
    for f in [*flags.values(), bright]:  # every limit given is followed by its unit
        assert f.count("limit ") == len(re.findall(r"limit ±?[\d.]+(?: deg| mm/px| of 255|%)", f)), f


def test_a_batch_whose_every_comparison_was_refused_says_why(tmp_path):
    """"No photo could be compared. 2 photos: comparison refused (changes.csv's status and messages say why)."
    named no cause.  The line now gives the gate's reason of each refusal (compare.gate.REFUSAL_PREFIXES),
    counted by it; a refusal of messages that begin like none keeps the general words."""
    from facemetrics.batch import Excluded, Reason
    from facemetrics.batch.console import why_no_changes
    from facemetrics.batch.discover import COMPARISON_REFUSED
    from facemetrics.batch.tables import comparison_left_out
    from facemetrics.compare.gate import MSG_DIFFERENT_PEOPLE, MSG_POSE

    said = {"a.jpg": [f"{MSG_DIFFERENT_PEOPLE}: after alignment ... 2.27 mm RMS (limit 1.7); ...",
                      "lighting differs: face luminance 153 → 123 of 255 (-20 %, limit ±20 %)"],
            "b.jpg": [f"{MSG_POSE}: chin raised by about 2.8 deg (limit ±2); corrected",
                      f"{MSG_DIFFERENT_PEOPLE}: after alignment ... 1.81 mm RMS (limit 1.7)"],
            "c.jpg": ["after photo not measured (no_face): c.jpg: no face found"],
            "d.jpg": ["the mouth is open in the after photo"]}
    left = []
    for name, messages in said.items():
        r = {"photo": name}
        comparison_left_out(r, "refused", "; ".join(messages))
        assert [x.code for x in r["_reasons"]] == [COMPARISON_REFUSED]
        left.append(Excluded(name, r["excluded"], r["_reasons"]))
    assert why_no_changes(left) == (
        " No photo could be compared. 2 photos: comparison refused: these may be different people (changes.csv's "
        "messages say more). 1 photo: comparison refused: after photo not measured (changes.csv's messages say "
        "more). 1 photo: comparison refused (changes.csv's status and messages say why).")
    assert isinstance(left[0].reasons[0], Reason)


def test_a_photo_not_measured_is_not_told_to_get_a_capture_time():
    """`batch` on a folder with a picture of no face and no EXIF time said "1 photo has no capture time ..., so it
    is compared with nothing: noface.jpg. To use it, fill in its taken_at ...": a time would not get it measured.
    Such a photo is named by the not-measured count alone; a measured photo without a time still is."""
    from facemetrics.batch import Excluded, Reason
    from facemetrics.batch.console import no_capture_time_lines
    from facemetrics.batch.discover import NO_TIME, NOT_MEASURED

    untimed = Reason(NO_TIME, "no capture time")
    faceless = Excluded("s/rf/noface.jpg", "not measured (no_face: no face found); no capture time",
                        (Reason(NOT_MEASURED, "not measured (no_face: no face found)"), untimed))
    assert no_capture_time_lines([faceless]) == []
    (line,) = no_capture_time_lines([faceless, Excluded("s/rf/shot.png", "no capture time", (untimed,))])
    assert line.startswith("1 photo has no capture time") and "s/rf/shot.png" in line and "noface" not in line


def test_timeline_of_a_batch_whose_every_comparison_was_refused_says_so(tmp_path, capsys):
    """`timeline` of such a batch said "no photo was compared with a session baseline (see the 'excluded' column
    of photos.csv for why)": the photos were compared, and refused.  It now says every comparison was refused
    or failed, and where the reasons are; a batch that compared nothing keeps its words."""
    from facemetrics.cli import main

    for name, changes in (("refused", "subject,photo,status\nS1,a.jpg,refused\nS2,b.jpg,error\n"),
                          ("none", "subject,photo,status\n")):
        folder = tmp_path / name
        folder.mkdir()
        (folder / "long.csv").write_text("subject,treatment,photo,metric\n", encoding="utf-8")
        (folder / "changes.csv").write_text("\ufeff" + changes, encoding="utf-8")
        assert main(["timeline", str(folder)]) == 2
        err = capsys.readouterr().err
        said = ("every comparison with a session baseline (2) was refused or failed (the status and messages columns "
                "of changes.csv say why)" if name == "refused" else "no photo was compared with a session baseline")
        assert f"long.csv holds no changes: {said}" in err, err


def test_the_batchs_count_of_photos_not_measured_tells_the_unread_apart():
    """"No photo could be compared. 4 photos: not measured (...)" counted an empty file, a text file and a truncated
    JPEG, which ``analyze`` and the app say "cannot be read", with a photo of no face.  The count now says each
    in analyze's words (the rows' reasons: :func:`facemetrics.analyze.failure_text`)."""
    import numpy as np

    import facemetrics
    from facemetrics.batch import Excluded
    from facemetrics.batch.console import why_no_changes

    photos = {"empty.jpg": facemetrics.analyze_photo(b"", name="empty.jpg"),
              "text.jpg": facemetrics.analyze_photo(b"hello, not a photo\n", name="text.jpg"),
              "tiny.png": facemetrics.analyze_photo(np.zeros((20, 20, 3), np.uint8), name="tiny.png"),
              "wall.png": facemetrics.analyze_photo(np.full((400, 300, 3), 128, np.uint8), name="wall.png")}
    rows = [_row(a, f"s/rf/{name}") for name, a in photos.items()]
    said = why_no_changes([Excluded(r["photo"], r["excluded"], r["_reasons"]) for r in rows])
    assert said.startswith(" No photo could be compared. 3 photos: cannot be read (photos.csv's status and error say "
                           "why). 1 photo: not measured (photos.csv's status and error say why)."), said


def test_a_change_that_rounds_to_zero_prints_without_a_sign():
    """A change of -0.001 mm was headlined "no jawline change beyond the noise: -0.00 mm" (``{:+.2f}``), and the
    CLI's lines, report.md's cells and the comparison figure's legend formatted it so too.  One rule
    (:func:`facemetrics.decay.wording.fixed`): a figure that rounds to zero prints ``0.00``, without a sign;
    other figures keep theirs."""
    import pandas as pd

    from facemetrics.decay.wording import num
    from facemetrics.rounding import fixed
    from facemetrics.report import _fmt, headline, per_photo_value

    assert [fixed(v, 2, True) for v in (-0.001, 0.001, -0.0, 0.0, -0.006, 0.006)] == \
        ["0.00", "0.00", "0.00", "0.00", "-0.01", "+0.01"]
    assert fixed(-0.4, 0, True) == "0" and fixed(-0.04, 1) == "0.0" and num(-0.001) == "0.00"
    for change in (-0.001, 0.001):
        frame = pd.DataFrame([dict(metric="jawline_lift_mm", side="mean", unit="mm", change=change,
                                   noise_floor=0.3, verdict="within_noise")])
        assert headline(frame) == "no jawline change beyond the noise: 0.00 mm (noise floor 0.30 mm)"
    assert _fmt(-0.001, "mm") == "0.00 mm" and per_photo_value(-0.01, float("nan"), "index") == "0.0 index (no floor)"
    assert headline(pd.DataFrame([dict(metric="jawline_lift_mm", side="mean", unit="mm", change=-0.5,
                                       noise_floor=0.3, verdict="within_noise")])).endswith(": -0.50 mm (noise floor 0.30 mm)")


def test_the_cli_lines_of_a_comparison_print_a_rounded_zero_without_a_sign(sample_analysis):
    """The CLI's comparison lines (:func:`facemetrics.report.summary_lines`) printed "+0.00 mm" for the same
    picture compared with itself, and "-0.00" for a change of -0.001: each prints "0.00" now."""
    from facemetrics.compare import compare_photos
    from facemetrics.report import summary_lines

    text = "\n".join(summary_lines(compare_photos(sample_analysis, sample_analysis)))
    assert "lift: 0.00 mm" in text and "+0.00" not in text and "-0.00" not in text, text


def test_photos_csv_does_not_tell_a_photo_not_measured_to_give_a_capture_time(sample_analysis):
    """photos.csv's ``excluded`` of a picture without a face and without a capture time read "not measured (no_face:
    ...); no capture time (...): fill in its taken_at ...": a time would not get it measured (the
    console stopped saying so, c129891).  The cell now says only why it was not measured; a measured photo without
    a time is still told to give one."""
    from pathlib import Path

    import numpy as np

    import facemetrics
    from facemetrics.batch.discover import NO_TIME, NOT_MEASURED, PhotoEntry
    from facemetrics.batch.tables import NO_CAPTURE_TIME, _table_row

    wall = facemetrics.analyze_photo(np.full((400, 300, 3), 128, np.uint8), name="wall.png")
    row = _row(wall, "s/rf/wall.png")
    assert not row["taken_at"] and row["excluded"].startswith("not measured (no_face"), row["excluded"]
    assert "taken_at" not in row["excluded"] and ";" not in row["excluded"], row["excluded"]
    assert [x.code for x in row["_reasons"]] == [NOT_MEASURED]
    measured = _table_row(PhotoEntry(Path("shot.png"), "s/rf/shot.png", subject="s", treatment="rf",
                                     treated_at="2026-12-01T08:00"), dict(sample_analysis.to_row(), taken_at=""))
    assert measured["excluded"] == NO_CAPTURE_TIME and [x.code for x in measured["_reasons"]] == [NO_TIME]


def test_study_add_says_a_photo_was_not_measured_in_analyzes_words():
    """`study add` of a picture without a face said "blank.png: no face found ..." where ``analyze`` and ``batch``
    say "not measured (no_face: no face found ...)" (:func:`facemetrics.analyze.failure_text`): the store's
    message is that function's now, by the user's file name (never the stored copy's)."""
    from facemetrics.analyze import failure_text
    from facemetrics.store import _measure_note

    error = "0123456789abcdef0123.png: no face found (is the face visible, frontal and well lit?)"
    said = _measure_note(dict(status="no_face", error=error, image_width_px=200), "blank.png")
    assert said == "blank.png: not measured (no_face: no face found (is the face visible, frontal and well lit?))"
    assert said == "blank.png: " + failure_text("no_face", "blank.png: " + error.split(": ", 1)[1], "blank.png")
    assert _measure_note(dict(status="ok", warnings=""), "a.png") == ""


def test_a_batch_whose_comparisons_failed_says_how_they_failed():
    """A comparison that failed (an exception inside compare, or the face finder's process ending) was counted
    "comparison failed (changes.csv's status and messages say why)" in the "No photo could be compared" line, the
    general words a refusal had before h3.  It now has its own cause: the face finder crashed (what to do), or
    facemetrics itself failed, named by the exception's type (photos that failed alike counted together)."""
    from facemetrics.batch import Excluded
    from facemetrics.batch.console import why_no_changes
    from facemetrics.batch.discover import COMPARISON_FAILED
    from facemetrics.batch.tables import comparison_left_out
    from facemetrics.batch.workers import MSG_COMPARE_CRASHED

    crashed = MSG_COMPARE_CRASHED.format(after="c.jpg", before="b.jpg", how="signal 11 (SIGSEGV)")
    said = {"a.jpg": ["ValueError: no alignment"], "b.jpg": ["ValueError: array of 0 points"],
            "c.jpg": [crashed], "d.jpg": ["something else went wrong"]}
    left = []
    for name, messages in said.items():
        r = {"photo": name}
        comparison_left_out(r, "error", "; ".join(messages))
        assert [x.code for x in r["_reasons"]] == [COMPARISON_FAILED]
        left.append(Excluded(name, r["excluded"], r["_reasons"]))
    assert why_no_changes(left, most=4) == (
        " No photo could be compared. 2 photos: comparison failed: facemetrics itself failed (ValueError; "
        "changes.csv's messages say more): please report it with the photos if you can share them. 1 photo: "
        "comparison failed: the photos crashed the face finder (re-save them as PNG or JPEG and run batch again; "
        "changes.csv's messages name them). 1 photo: comparison failed (changes.csv's status and messages say why).")


def test_the_cli_says_why_a_default_floor_is_above_the_defaults_table(sample_analysis):
    """`compare` printed "noise floors: default" beside a jawline floor of 0.10 mm where docs/compare.md's
    'Default noise floors' table gives 0.081 mm (u1, stop 52): the floors are the defaults raised for the pair's
    pixel size and pose (``resolution_floors``, ``pose_adjusted_floors``).  The note says so now, and a comparison
    whose floor is above its default shows it."""
    from pathlib import Path

    from facemetrics.compare import compare_photos
    from facemetrics.compare.floors import DEFAULT_NOISE_FLOORS
    from facemetrics.report import summary_lines

    c = compare_photos(sample_analysis, Path(__file__).resolve().parents[1] / "sample_images" / "astronaut_after.jpg")
    assert c.noise_source == "default"
    floor = c.get("jawline_lift_mm", "mean").noise_floor
    assert floor > DEFAULT_NOISE_FLOORS[("jawline_lift_mm", "mean")]  # what the note explains
    text = "\n".join(summary_lines(c))
    assert "noise floors: default; each row's floor is its default (docs/compare.md, 'Default noise floors') raised" \
        in text, text
