"""Guided capture (facemetrics.capture): what to change, in words, from two measurement rows."""

from __future__ import annotations

from facemetrics.capture import capture_check

BASE = dict(status="ok", pitch_deg=2.0, yaw_deg=-1.0, roll_deg=0.5, ipd_px=120.0, image_width_px=800,
            smile_index=0.02, mouth_opening_ratio=0.01, face_luminance=140.0, sharpness=40.0)


def _move(text: str) -> tuple[float, float]:
    """The move and its ``±`` (% of the present distance) in a distance advice: "... by about 25 ± 3 % of ..."."""
    head = text.split(" % of the distance it is at now")[0].split("by about ")[-1]
    pct, u = head.split(" ± ")
    return float(pct), float(u)


def test_same_photo_passes():
    c = capture_check(BASE, dict(BASE))
    assert c.ok and c.advice == ()
    assert abs(c.differences["distance_pct"]) < 1e-9


def test_each_difference_gets_its_sentence():
    new = dict(BASE, pitch_deg=8.5, yaw_deg=4.5, roll_deg=-4.0, ipd_px=144.0, smile_index=0.2,
               mouth_opening_ratio=0.2, face_luminance=100.0, sharpness=10.0)
    c = capture_check(BASE, new)
    assert not c.ok
    text = " ".join(c.advice)
    assert "Tilt your chin down" in text  # pitch + = chin up
    assert "to your right" in text  # yaw + = turned to the subject's left
    assert "Hold your head straight" in text
    # face 20 % larger: the camera at 1/1.2 of the baseline's distance, so 20 % of the present distance further away
    assert "further away by about 20 ± 3 % of the distance it is at now: the camera is closer than in the baseline " \
           "(a move of about 5 cm" in text, text
    assert "smiling" in text and "Close your mouth" in text
    assert "more light" in text and "blurrier" in text
    assert round(c.differences["distance_pct"]) == -17


def test_opposite_directions_and_small_differences():
    c = capture_check(BASE, dict(BASE, pitch_deg=-3.5, ipd_px=100.0, face_luminance=190.0))
    text = " ".join(c.advice)
    assert "Tilt your chin up a little" in text and "closer" in text and "softer light" in text
    assert capture_check(BASE, dict(BASE, pitch_deg=4.0, yaw_deg=1.5, ipd_px=125.0)).ok


def test_distance_advice_is_a_share_of_the_present_distance():
    """A camera 2.2 x as far as the baseline's read "Hold the phone about 123 % closer" (the move in % of the
    baseline's distance; a fake camera in the app, 2026-12-04): it is 55 % of the distance held at now."""
    far = capture_check(BASE, dict(BASE, ipd_px=120.0 / 2.23))
    text = " ".join(far.advice)
    assert "closer by about 55 ± 2 % of the distance it is at now: the camera is further away than in the baseline " \
           "(a move of about 50 cm" in text, text
    assert round(far.differences["distance_pct"]) == 123  # the difference itself is unchanged
    for k in (1.3, 2.0, 5.0, 20.0):  # however far: less than 100 % closer
        pct = _move(" ".join(capture_check(BASE, dict(BASE, ipd_px=120.0 / k)).advice))[0]
        assert 0 < pct < 100 and abs(pct - 100 * (1 - 1 / k)) < 0.51
    near = " ".join(capture_check(BASE, dict(BASE, ipd_px=120.0 * 2.0)).advice)
    assert "further away by about 100 ± 4 % of the distance it is at now: the camera is closer than in the baseline " \
           "(a move of about 20 cm" in near, near  # at half the distance: double it


def test_unmeasurable_new_photo():
    c = capture_check(BASE, {"status": "no_face", "error": "no face found"})
    assert not c.ok and "no face found" in c.advice[0]


def test_overlay_places_the_baseline_outline_on_a_moved_photo(sample_analysis):
    import numpy as np

    from facemetrics import analyze_photo, simulate
    from facemetrics.capture import capture_overlay

    from conftest import png_bytes

    moved = analyze_photo(png_bytes(simulate.rescale(simulate.roll(sample_analysis, 4.0).image, 0.9).image))
    assert moved.ok
    img = capture_overlay(sample_analysis, moved)
    assert img.dtype == np.uint8 and max(img.shape[:2]) <= 900
    # the baseline jaw, moved with the head, lands on this photo's own jaw contour (within a few px)
    import cv2

    src = sample_analysis.points[[33, 133, 362, 263, 168, 6, 468, 473], :2].astype(np.float32)
    dst = moved.points[[33, 133, 362, 263, 168, 6, 468, 473], :2].astype(np.float32)
    m, _ = cv2.estimateAffinePartial2D(src, dst, method=cv2.LMEDS)
    jaw = sample_analysis.jaw.contour_px @ m[:, :2].T + m[:, 2]
    own = moved.jaw.contour_px
    gap = np.min(np.linalg.norm(jaw[:, None, :] - own[None, :, :], axis=2), axis=1)
    assert np.median(gap) < 0.02 * moved.photo.rgb.shape[1], np.median(gap)


def test_smile_with_no_iris_visible_compares_the_lips_alone():
    """One rule with the comparison (compare.gate.smile_change): with no iris visible in either row the smile
    index's pupil term is a guess, so the mouth corners' elevation is compared instead."""
    base = dict(BASE, smile_elevation=0.01, irises_visible=2)
    # behind dark glasses the index rose 0.12 through the guessed pupils alone; the lips did not move
    glasses = dict(base, smile_index=0.14, smile_elevation=0.02, irises_visible=0)
    c = capture_check(base, glasses)
    assert c.ok and c.smile_cue == "mouth-corner elevation", c.advice
    assert abs(c.differences["smile_index"] - 0.01) < 1e-9
    # the same rows with the irises in view: the index is compared, and the smile advice given
    c = capture_check(base, dict(glasses, irises_visible=2))
    assert not c.ok and c.smile_cue == "smile index" and "smiling" in " ".join(c.advice)
    # a real smile behind dark glasses still reads (the corners rose)
    c = capture_check(base, dict(glasses, smile_elevation=0.15))
    assert c.smile_cue == "mouth-corner elevation" and "smiling" in " ".join(c.advice)
    # a row stored before these columns existed: the index, as before
    c = capture_check(BASE, dict(BASE, smile_index=0.14, irises_visible=0))
    assert c.smile_cue == "smile index" and "smiling" in " ".join(c.advice)


def test_dark_glasses_on_the_sample_ask_for_no_relaxed_face(sample_analysis):
    """The sample against its own copy behind dark glasses: the index moves beyond the limit (the guessed
    pupils), the lips do not; the capture check says nothing about a smile (it did before)."""
    from facemetrics import analyze_photo
    from facemetrics.compare.gate import MAX_SMILE_CHANGE

    from test_compare_eyes_covered import dark_glasses

    covered = analyze_photo(dark_glasses(sample_analysis), name="sunglasses.png")
    base, new = sample_analysis.to_row(), covered.to_row()
    assert new["irises_visible"] == 0 and base["irises_visible"] == 2
    assert abs(new["smile_index"] - base["smile_index"]) > MAX_SMILE_CHANGE  # what the check read before
    c = capture_check(base, new)
    assert c.smile_cue == "mouth-corner elevation"
    assert abs(c.differences["smile_index"]) < 0.3 * MAX_SMILE_CHANGE
    assert not any("smiling" in a for a in c.advice), c.advice


def test_capture_overlay_labels_are_readable_where_the_app_shows_it(sample_analysis):
    """The capture guide's labels ("baseline jaw and folds", "this photo's jaw") have a cap height of
    ``LABEL_CAP_PER_WIDTH`` of the image's width: at least 10 px (docs/compare.md 'Every figure's text: the rule')
    in the third of the page the app shows the image in at 1366 x 768 (about 297 px) and on a 390 px phone (358 px).
    They were 0.6 x 22 px per 900 px of the long side: 5.4 px shown 297 px wide (the sample's 720 x 900 image).
    Measured on the image: the first label's rows (ascenders to descenders, about 1.45 cap heights) at least
    14.5 px tall shown 297 px wide (8.3 px before, h6 of stop 44), the label inside the image's width."""
    import numpy as np

    from facemetrics import analyze_photo, simulate
    from facemetrics.capture import _BASE_COLOUR, LABEL_CAP_PER_WIDTH, capture_overlay

    from conftest import png_bytes

    assert 297 * LABEL_CAP_PER_WIDTH >= 10.0
    moved = analyze_photo(png_bytes(simulate.rescale(simulate.roll(sample_analysis, 4.0).image, 0.9).image))
    img = capture_overlay(sample_analysis, moved)
    h, w = img.shape[:2]
    cyan = (np.abs(img[: h // 5].astype(int) - np.array(_BASE_COLOUR)).max(axis=2) <= 40)
    rows = np.flatnonzero(cyan.any(axis=1))
    first = np.split(rows, np.flatnonzero(np.diff(rows) > 1) + 1)[0]
    assert len(first) * 297 / w >= 14.5, (len(first), w)
    cols = np.flatnonzero(cyan[first].any(axis=0))
    assert cols.min() > 0 and cols.max() < w - 1, (cols.min(), cols.max(), w)


def test_capture_overlay_names_its_reference_on_the_image(sample_analysis, monkeypatch):
    """*My study* checks a new photo against a stored after photo when no before photo is stored; the label drawn on
    the image said "baseline jaw and folds" of it (stop 54's app audit with real faces): the label names what the
    caller says the reference is, "baseline" by default."""
    import cv2

    from facemetrics import capture

    drawn = []
    real = cv2.putText

    def put_text(img, text, *args, **kwargs):
        drawn.append(text)
        return real(img, text, *args, **kwargs)

    monkeypatch.setattr(cv2, "putText", put_text)
    capture.capture_overlay(sample_analysis, sample_analysis, max_side=300)
    assert "baseline jaw and folds" in drawn
    drawn.clear()
    capture.capture_overlay(sample_analysis, sample_analysis, max_side=300, reference="first stored photo's")
    assert "first stored photo's jaw and folds" in drawn and not any("baseline" in t for t in drawn), drawn


def test_distance_advice_gives_its_percent_and_its_cm_of_one_move_and_says_what_the_cm_assume():
    """Stop 54's audit: "about 40 % further away (about 10 cm at arm's length)" gave the % of the distance the phone
    is held at now beside cm of the baseline's distance, and did not say the cm rest on an assumed distance.  Both
    figures are now the one move from where the phone is now: the cm are that % of the present distance the assumed
    baseline distance (40 cm) gives, and the advice names the % as of the present distance and the cm's assumption."""
    from facemetrics.capture import SELFIE_DISTANCE_CM

    for k in (0.5, 0.7, 1.4, 2.23):  # the camera at k x the baseline's distance
        text = " ".join(capture_check(BASE, dict(BASE, ipd_px=120.0 / k)).advice)
        pct = _move(text)[0]
        cm = float(text.split(" cm, if that photo was taken with the phone about 40 cm from the face: only the % is "
                              "measured")[0].split()[-1])
        now_cm = k * SELFIE_DISTANCE_CM
        assert abs(pct - 100 * abs(1 - 1 / k)) < 0.51, text
        assert abs(cm - pct / 100 * now_cm) <= 2.5 + 0.01 * now_cm, text  # the same move, rounded to 5 cm
        assert "arm's length" not in text, text


def test_the_distance_hint_names_its_reference_once_and_its_cm_clause_reads_of_that_photo():
    """*My study* checks a photo against "your first stored photo" when no before photo is stored; the hint read
    "(about 50 cm, if your first stored photo was taken at about 40 cm: only the % is measured): the camera is
    further away than in your first stored photo" (stop 55's audit: "taken" read as when it was stored, and the
    reference twice).  It names the reference once, in why, and the cm clause speaks of "that photo"."""
    for ref in ("the baseline", "your first stored photo"):
        (text,) = capture_check(BASE, dict(BASE, ipd_px=120.0 / 2.23), reference=ref).advice
        assert text.count(ref) == 1, text
        assert text == ("Hold the phone closer by about 55 ± 2 % of the distance it is at now: the camera is further away "
                        f"than in {ref} (a move of about 50 cm, if that photo was taken with the phone about 40 cm "
                        "from the face: only the % is measured)."), text


def test_a_photo_held_in_landscape_is_told_so_not_to_come_closer():
    """Round 20 (docs/validation.md section 12): an iPhone user's 10-min photo held in landscape by mistake
    (1800 x 1350 px, the face as large in pixels as in her portrait baseline, 1350 x 1800 px) read "Hold the phone
    closer by about 25 % of the distance it is at now: the camera is further away than in the baseline" (the face's
    size read against the frame's width).  It is now read against each frame's longer side, and the advice says
    the photo is landscape; the same face held closer in landscape is still told to move."""
    base = dict(BASE, image_width_px=1350, image_height_px=1800)
    wide = dict(base, image_width_px=1800, image_height_px=1350)
    c = capture_check(base, wide)
    text = " ".join(c.advice)
    assert not c.ok and abs(c.differences["distance_pct"]) < 1e-9, (c.differences, text)
    assert "closer" not in text and "further away" not in text, text
    assert "Hold the phone upright, as for the baseline: this photo is landscape (1800 × 1350 px), the baseline " \
           "portrait (1350 × 1800 px)" in text, text
    near = " ".join(capture_check(base, dict(wide, ipd_px=150.0)).advice)
    assert "landscape" in near and "further away by about 25 ± 3 %" in near, near
    # the same shape: read against the width, as before; a square photo beside a portrait one is not "landscape"
    # (another shape: test_a_screenshot_of_the_photo_is_not_taken_like_the_baseline)
    assert capture_check(base, dict(base)).ok
    square = capture_check(dict(BASE, image_width_px=1350, image_height_px=1350), dict(base, ipd_px=120.0))
    assert "landscape" not in " ".join(square.advice) and "closer" not in " ".join(square.advice)


def test_a_screenshot_of_the_photo_is_not_taken_like_the_baseline():
    """Round 20: a screenshot of the 10-min photo (1170 x 2532 px, the photo letterboxed on the phone's screen)
    was "taken like your baseline" (the face's size against the width matched: 1350 px scaled to 1170), while the
    comparison then made its landmark rows `uncertain` (the face fills 26 % vs 16 % of the frame).  A photo of
    another shape is now told to be added as the camera saved it; a rescaled copy of the same shape is not."""
    base = dict(BASE, ipd_px=135.0, image_width_px=1350, image_height_px=1800)
    shot = capture_check(base, dict(base, ipd_px=117.0, image_width_px=1170, image_height_px=2532))
    text = " ".join(shot.advice)
    assert not shot.ok and "Add the photo as the camera saved it: this one is 1170 × 2532 px, the baseline " \
                           "1350 × 1800 px" in text, text
    assert capture_check(base, dict(base, ipd_px=90.0, image_width_px=900, image_height_px=1200)).ok  # resized
    assert capture_check(base, dict(base, image_width_px=1351, image_height_px=1800)).ok  # a pixel's rounding


def test_each_angle_carries_its_uncertainty():
    """The pitch, yaw and roll changes the advice gives carry the quality flags' 95 % uncertainty (stop 63): yaw
    and pitch ``quality.landmark_pose_uncertainty`` of the change, roll ``quality.ROLL_UNCERTAINTY_DEG``; they gave
    none ("head tilted 6° up")."""
    from facemetrics.capture import UNCERTAINTY_CHECKED_DEG, angle_uncertainty
    from facemetrics.quality import ROLL_UNCERTAINTY_DEG, landmark_pose_uncertainty

    c = capture_check(BASE, dict(BASE, pitch_deg=11.0, yaw_deg=-9.0, roll_deg=-4.5))
    pitch, yaw, roll = c.advice[:3]
    # pitch +9: hypot(1.3, 0.43 x 9) = 4.1; yaw -8: 3.7; roll 5: 0.7, shown in whole degrees
    assert "(head tilted 9 ± 4° up compared with the baseline)." in pitch, pitch
    assert "(turned 8 ± 4° compared with the baseline); look straight" in yaw, yaw
    assert "(tilted sideways 5 ± 1° compared with the baseline)." in roll, roll
    assert angle_uncertainty("pitch_deg", 9.0) == landmark_pose_uncertainty(9.0)
    assert angle_uncertainty("roll_deg", 30.0) == ROLL_UNCERTAINTY_DEG
    assert not any("extrapolated" in a for a in c.advice)
    # beyond the changes each ± was measured on, the advice says so (yaw and pitch 20 deg, roll 28 deg)
    assert UNCERTAINTY_CHECKED_DEG == {"pitch_deg": 20.0, "yaw_deg": 20.0, "roll_deg": 28.0}
    far = capture_check(BASE, dict(BASE, pitch_deg=-20.0, yaw_deg=22.0, roll_deg=30.0))
    text = " ".join(far.advice)
    assert "(head tilted 22 ± 10° down compared with the baseline; its ± was measured on changes up to 20° and is " \
           "extrapolated here)." in text, text
    assert "(turned 23 ± 10° compared with the baseline; its ± was measured on changes up to 20° and is " \
           "extrapolated here); look" in text, text
    assert "(tilted sideways 30 ± 1° compared with the baseline; its ± was measured on changes up to 28° and is " \
           "extrapolated here)." in text, text
    # a change at the largest measured one: no such clause
    edge = capture_check(BASE, dict(BASE, roll_deg=28.5))
    assert "tilted sideways 28 ± 1°" in " ".join(edge.advice) and "extrapolated" not in " ".join(edge.advice)
    # another reference is named in the same place
    named = capture_check(BASE, dict(BASE, roll_deg=-4.5), reference="your first stored photo")
    assert "(tilted sideways 5 ± 1° compared with your first stored photo)." in named.advice[0], named.advice


def test_the_distance_uncertainty_is_the_two_photos_iris_noise_added():
    """Stop 65 (k5): the move's 95 % ``±`` is 1.96 x 100 x R x the two photos' relative SDs in quadrature, each
    ``sqrt(DISTANCE_SD_SHARE ** 2 + (DISTANCE_SD_PX / ipd_px) ** 2)``, ``R`` the new photo's apparent size over the
    baseline's (docs/validation.md section 27)."""
    import math

    from facemetrics.capture import DISTANCE_SD_PX, DISTANCE_SD_SHARE, distance_uncertainty

    def s2(ipd):
        return DISTANCE_SD_SHARE ** 2 + (DISTANCE_SD_PX / ipd) ** 2

    assert math.isclose(distance_uncertainty(120.0, 144.0, -100.0 / 6),
                        1.96 * 100.0 * 1.2 * math.sqrt(s2(120.0) + s2(144.0)), rel_tol=1e-12)
    assert math.isclose(distance_uncertainty(200.0, 200.0, 0.0), 1.96 * 100.0 * math.sqrt(2 * s2(200.0)),
                        rel_tol=1e-12)
    # a larger face measures its size better; a move to a larger face carries a larger ±: R grows with it
    assert distance_uncertainty(400.0, 400.0, 0.0) < distance_uncertainty(100.0, 100.0, 0.0)
    assert math.isclose(distance_uncertainty(100.0, 100.0, -50.0), 2 * distance_uncertainty(100.0, 100.0, 0.0),
                        rel_tol=1e-12)
    for bad in ((0.0, 100.0, 0.0), (100.0, float("nan"), 0.0), (100.0, 100.0, -100.0), (100.0, 100.0, math.inf)):
        assert math.isnan(distance_uncertainty(*bad)), bad
    c = capture_check(BASE, dict(BASE, ipd_px=144.0))
    assert c.differences["distance_move_u95_pct"] == distance_uncertainty(120.0, 144.0, c.differences["distance_pct"])


def test_the_distance_advice_states_the_exact_move_and_its_uncertainty():
    """Noise-free rows (faces 15-100 % larger or smaller in the frame): the advice's move is the exact one to
    0.5 points, its ``±`` is :func:`distance_uncertainty`'s, in the 1-5 points section 27 gives 120 px between the
    pupils, written as the angles are ("20 ± 3 %").  Whether the ``±`` holds the truth of noisy photos is
    :func:`test_a_photo_at_the_right_distance_is_not_asked_to_move_and_a_moved_one_is`'s."""
    for k in (0.5, 0.8, 1.15, 1.5, 2.0):  # the camera at k x the baseline's distance
        c = capture_check(BASE, dict(BASE, ipd_px=120.0 / k))
        pct, u = _move(" ".join(c.advice))
        true = 100 * abs(1 / k - 1)
        assert abs(pct - true) <= 0.5 and u == round(c.differences["distance_move_u95_pct"]), (k, pct, u)
        assert 1 <= u <= 5, (k, u)  # 120 px between the pupils: the iris noise of section 27, 1-5 points


def test_no_move_is_asked_when_the_uncertainty_reaches_it():
    """A reading beyond the limit whose ``±`` reaches no move asks for none (a tiny face: 20 px between the
    pupils, a row only: such a face is too small to measure); the same reading on a face 6 x as large asks for it."""
    from facemetrics.capture import distance_uncertainty

    base = dict(BASE, ipd_px=20.0, image_width_px=150)
    new = dict(base, ipd_px=20.0 * 1.12)  # 12 % larger: beyond the 10 % limit of the distance change
    c = capture_check(base, new)
    assert abs(c.differences["distance_pct"]) > 10 and c.differences["distance_move_u95_pct"] > 12, c.differences
    assert c.ok and c.advice == (), c.advice
    big = capture_check(dict(base, ipd_px=120.0, image_width_px=800), dict(new, ipd_px=120.0 * 1.12,
                                                                          image_width_px=800))
    assert not big.ok and "further away by about 12 ± 2 %" in " ".join(big.advice), big.advice
    assert distance_uncertainty(120.0, 134.4, big.differences["distance_pct"]) < 12


def test_a_photo_at_the_right_distance_is_not_asked_to_move_and_a_moved_one_is(sample_analysis):
    """The model on the bundled sample (section 27's set A in small): a re-render by a camera model at the same
    distance, with blur, sensor noise and a JPEG re-save, is asked for no move (the negative control); the camera
    moved from 450 to 360 mm (the face 25 % larger) is asked to go further away by 25 %, its ``±`` within 1.5
    points of the truth at most 3 x its own size (section 27: |error| up to 2.1 points where the ± was 0.9-1.8)."""
    from facemetrics import analyze_photo, simulate

    def shot(to_mm, seed):
        img = simulate.camera_distance(sample_analysis, 450.0, to_mm, keep_size=False).image
        img = simulate.jpeg(simulate.noise(simulate.blur(img, 0.8).image, 3.0, seed=seed).image, 85).image
        new = analyze_photo(img)
        assert new.ok, new.error
        return capture_check(sample_analysis.to_row(), new.to_row())

    same = shot(450.0, 1)
    assert not any("Hold the phone" in a for a in same.advice), same.advice
    assert abs(same.differences["distance_pct"]) < same.differences["distance_move_u95_pct"], same.differences
    moved = shot(360.0, 2)
    (text,) = [a for a in moved.advice if "Hold the phone further away" in a]
    pct, u = _move(text)
    assert abs(pct - 25.0) <= max(1.5, 3 * u) and 0.5 <= u <= 5, text


def test_the_distance_uncertainty_is_not_extrapolated_below_the_largest_face_measured():
    """Review r1 (stop 65): each photo's ``±`` term is held at its value for the largest face section 27 measured
    (:data:`~facemetrics.capture.DISTANCE_SD_CHECKED_PX`, 364 px between the pupils): its per-photo noise, 0.3-0.4 %
    of the size from 94 to 364 px, did not shrink with the face, but the model's ``b / ipd_px`` term did, and a
    selfie at 600 px moved to twice the distance read "closer by about 50 ± < 0.5 %"."""
    import math

    from facemetrics.capture import DISTANCE_SD_CHECKED_PX, distance_uncertainty

    top = DISTANCE_SD_CHECKED_PX
    assert math.isclose(distance_uncertainty(600.0, 300.0, 100.0), distance_uncertainty(top, 300.0, 100.0))
    assert math.isclose(distance_uncertainty(2000.0, 1000.0, 100.0), distance_uncertainty(top, top, 100.0))
    assert distance_uncertainty(300.0, 300.0, 0.0) > distance_uncertainty(top, top, 0.0)  # smaller: as before
    base = dict(BASE, ipd_px=600.0, image_width_px=3000, image_height_px=4000)
    (text,) = capture_check(base, dict(base, ipd_px=300.0)).advice
    assert "closer by about 50 ± 1 % of the distance it is at now" in text, text
