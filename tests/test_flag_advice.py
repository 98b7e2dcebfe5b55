"""What to do about a usable photo's quality flags (``facemetrics.quality.flag_advice``): the app's photo card listed
the flags ("Usable, but: smiling (...); clipped highlights/shadows (...)") and said nothing of what to do (a
newcomer's walk, stop 65).  Since stop 66 the remedy is chosen by the flag's code (``facemetrics.flags``), not by
matching a sentence's wording.  Synthetic quality readings, nothing measured."""

from __future__ import annotations

from facemetrics.flags import FLAG_ADVICE, FLAG_STARTS, OWN_PHOTOS, flag_advice, flag_code, flag_remedies
from facemetrics.quality import quality_flags

OK = dict(yaw_deg=0.0, pitch_deg=0.0, roll_deg=0.0, sharpness=500.0, face_luminance=120.0, clipped_fraction=0.0,
          smile_score=0.0, mouth_opening_ratio=0.0)


def test_each_flag_a_usable_photo_can_carry_gets_its_remedy():
    """Every reading that breaks a limit gives a flag that :data:`FLAG_ADVICE` knows (a flag's words changed would
    leave it without advice, silently)."""
    bad = dict(yaw_deg=30.0, pitch_deg=30.0, roll_deg=30.0, sharpness=0.1, face_luminance=5.0, clipped_fraction=0.5,
               smile_score=9.0, mouth_opening_ratio=0.9, cut_landmarks=3)
    flags = quality_flags(dict(OK, **bad), 5.0)
    assert all(flag_code(f) in FLAG_ADVICE for f in flags), flags
    said = flag_advice(flags)
    assert said.startswith("For the next photos: ") and said.endswith(".") and ";" not in said
    assert all(advice in said for advice in FLAG_ADVICE.values() if advice != "step out of direct light")
    assert "step out of direct light" in flag_advice(quality_flags(dict(OK, face_luminance=250.0), 0.2))


def test_the_examples_flags_get_one_sentence_and_none_gets_nothing():
    flags = quality_flags(dict(OK, smile_score=5.0, mouth_opening_ratio=0.16, clipped_fraction=0.09), 0.2)
    assert flag_advice(flags) == ("For the next photos: use soft, even light on the face (no direct sun, flash or "
                                  "deep shadow), keep a relaxed, neutral expression and close your mouth gently.")
    assert flag_advice(quality_flags(dict(OK, smile_score=5.0), 0.2)) == ("For the next photos: keep a relaxed, "
                                                                          "neutral expression.")
    assert flag_advice(()) == "" and flag_advice(quality_flags(OK, 0.2)) == ""
    # the low JPEG quality's flag says its remedy itself ("use the original photo"): no second one
    assert flag_advice(quality_flags(dict(OK, jpeg_quality=50.0), 0.2)) == ""


def test_a_low_resolution_is_not_told_to_get_a_sharper_camera():
    """A low resolution is too few pixels to the mm (``MAX_MM_PER_PX``): its advice said "use a sharper camera",
    which is the blurry flag's matter (review r4, stop 65); it asks for more pixels on the face."""
    said = flag_advice(quality_flags(OK, 0.8))
    assert "low resolution" in quality_flags(OK, 0.8)[0] and "sharp" not in said
    assert "come closer" in said and "full-size photo" in said


#: a reading that raises every quality flag there is but "too bright" (its "too dark" instead)
EVERY = dict(yaw_deg=30.0, pitch_deg=30.0, roll_deg=30.0, sharpness=0.1, face_luminance=5.0, clipped_fraction=0.5,
             smile_score=9.0, mouth_opening_ratio=0.9, cut_landmarks=3, irises_hidden=True, ipd_mm=30.0,
             calibration_source="iris", jpeg_quality=20.0)


def test_every_flag_is_read_back_by_its_code():
    """Each flag :func:`quality_flags` writes is read back to the code it was written from (``flag_code``), every code
    of ``FLAG_STARTS`` is written by some reading, and a text that is no flag has no code."""
    codes = [flag_code(f) for f in quality_flags(EVERY, 5.0)]
    codes += [flag_code(f) for f in quality_flags(dict(OK, face_luminance=250.0), 0.2)]
    assert sorted(codes) == sorted(FLAG_STARTS), codes
    assert set(FLAG_ADVICE) <= set(FLAG_STARTS)
    assert flag_code("the before photo is the likely cause") == "" and flag_remedies(["something else"]) == []


def test_a_reworded_flag_keeps_its_remedy(monkeypatch):
    """A remedy was chosen by matching a sentence's wording (stop 66): a flag reworded where it is written is read by
    its code, so it keeps its remedy, on the card and in the batch's message on a before photo."""
    from facemetrics.batch.tables import at_fault_remedy

    monkeypatch.setitem(FLAG_STARTS, "cut", "chin outside the picture")
    (flag,) = quality_flags(dict(OK, cut_landmarks=4), 0.2)
    assert flag.startswith("chin outside the picture (4 of the ") and flag_code(flag) == "cut"
    assert flag_advice([flag]) == "For the next photos: keep the whole face, chin included, in the picture."
    assert at_fault_remedy([flag]).endswith("retake the session's before photos and, in them, keep the whole face, "
                                            "chin included, in the picture")


def test_the_bundled_examples_cards_speak_of_the_users_own_photos():
    """The bundled example's photos are the project's, not the user's: "For the next photos" told the user what to do
    about photos they did not take (stop 66)."""
    flags = quality_flags(dict(OK, smile_score=5.0, mouth_opening_ratio=0.16), 0.2)
    assert flag_advice(flags, OWN_PHOTOS) == ("For your own photos: keep a relaxed, neutral expression and close your "
                                              "mouth gently.")


def test_a_before_photo_cut_by_the_edge_is_asked_for_the_whole_face_not_a_closed_mouth():
    """A before photo flagged only "face cut by the image edge", the likely cause of an unreadable comparison, was asked
    for "a relaxed, closed mouth" (the remedy of a smile, said of every before photo; stop 66): the remedy is its flags'
    own, each once, in the card's order."""
    from facemetrics.batch.tables import AT_FAULT_REMEDY, MSG_BEFORE_PHOTO_AT_FAULT, baseline_messages

    post = dict(photo="S/p.jpg", role="post", quality_flags="")
    unread = {"status": "warning", "rows": [dict(metric="jawline_lift_mm", verdict="uncertain")]}
    said = {}
    for name, bad in (("cut", dict(cut_landmarks=3)), ("turned", dict(yaw_deg=-14.0)),
                      ("both", dict(cut_landmarks=3, smile_score=4.0, mouth_opening_ratio=0.3))):
        before = dict(photo="S/a.jpg", role="baseline", quality_flags="; ".join(quality_flags(dict(OK, **bad), 0.2)))
        (said[name],) = baseline_messages(post, [before], unread)
        assert said[name].startswith(MSG_BEFORE_PHOTO_AT_FAULT) and "closed mouth" not in said[name], said[name]
    assert said["cut"].endswith(f"{AT_FAULT_REMEDY} and, in them, keep the whole face, chin included, in the picture")
    assert said["turned"].endswith(f"{AT_FAULT_REMEDY} and, in them, face the camera straight on")
    assert said["both"].endswith(f"{AT_FAULT_REMEDY} and, in them, keep the whole face, chin included, in the "
                                 "picture, keep a relaxed, neutral expression and close your mouth gently")


def test_each_remedy_reads_as_one_item_of_a_list():
    """The remedies are listed "a, b and c": a remedy's own "and" outside brackets ran two into one ("come closer, ...,
    and use the full-size photo, not a reduced copy and find more light on your face", a low-resolution, dark photo:
    debruine pose 2; "hold the phone still and let it focus and ...", stop 66)."""
    import re

    for advice in FLAG_ADVICE.values():
        assert " and " not in re.sub(r"\([^)]*\)", "", advice), advice
    said = flag_advice(quality_flags(dict(OK, face_luminance=40.0), 0.69))
    assert said == ("For the next photos: put more pixels on the face (come closer, and use the full-size photo, not "
                    "a reduced copy) and find more light on your face (face a window)."), said


def test_the_smiling_and_clipped_flags_give_their_figures_with_their_repeat_range():
    """The smiling, mouth-open and clipped flags gave their score, opening or share with no ± (a newcomer's walk, stop
    66), where the pose and light flags give theirs: the smile score and the clipped share now have the 95 % range of
    a repeat reading measured by ``bench/flag_figures_s66.py`` (docs/validation.md "Stop 66 (k6)"; the clipped
    share's ± is relative to it); the opening's failed its held-out check and it keeps none."""
    from facemetrics.quality import CLIPPED_REPEAT_REL, SMILE_SCORE_REPEAT_SD

    q = dict(OK, smile_score=1.52, mouth_opening_ratio=0.174, clipped_fraction=0.12)
    flags = {flag_code(f): f for f in quality_flags(q, 0.2)}
    assert flags["smiling"].startswith("smiling (smile score 1.52 ± 0.18 SD, limit 1.35 SD: the mean of how far")
    assert flags["mouth_open"].startswith("mouth open (opening 0.174, limit 0.15: the gap between")
    assert flags["clipped"] == "clipped highlights/shadows (12.0 ± 0.7% of face, limit 5%)"  # 12 x 0.055 = 0.66
    # the clipped share's ± grows with it (0.055 x the share), and one below the last decimal reads as a bound
    big = {flag_code(f): f for f in quality_flags(dict(OK, clipped_fraction=0.5), 0.2)}["clipped"]
    assert big.startswith(f"clipped highlights/shadows (50.0 ± {100 * 0.5 * CLIPPED_REPEAT_REL:.1f}% of face")
    assert big.startswith("clipped highlights/shadows (50.0 ± 2.8% of face")
    # the ± are the measured constants, said at the figures' decimals
    assert (SMILE_SCORE_REPEAT_SD, CLIPPED_REPEAT_REL) == (0.18, 0.055)
    # the batch and the app still quote the figures up to the first colon, ± included
    from facemetrics.uploads import smile_flag
    from types import SimpleNamespace
    assert smile_flag(SimpleNamespace(ok=True, quality=SimpleNamespace(flags=(flags["smiling"],)))) == \
        "smile score 1.52 ± 0.18 SD, limit 1.35 SD"


def test_the_ipd_flag_tells_an_app_user_what_they_can_do():
    """The implausible inter-pupillary distance flag said "(on the command line: --ipd-mm or --mm-per-px)" on the
    app's photo card too, where no scale can be given (stop 66): the app says what an app user can do; the command
    line's words stay in the flag (photos.csv, the CLI)."""
    from conftest import app_module
    from facemetrics.flags import IPD_REMEDY

    (flag,) = quality_flags(dict(OK, ipd_mm=45.0, calibration_source="iris", scale_uncertainty_pct=2.0), 0.2)
    assert flag == ("implausible inter-pupillary distance (45.0 ± 1.8 mm, adult range 50-80 mm): the mm scale is "
                    "doubtful (on the command line: --ipd-mm or --mm-per-px)") and flag.endswith(IPD_REMEDY)
    app = app_module()
    here = app.app_remedy(flag)
    assert here.startswith("implausible inter-pupillary distance (45.0 ± 1.8 mm, adult range 50-80 mm): the mm scale "
                           "is doubtful (the app cannot be told the scale: take the photo again facing the camera")
    assert IPD_REMEDY not in here and here.endswith("--mm-per-px)")
    shown = app.md_message(flag)  # the card's text: Markdown-escaped
    assert "take the photo again facing the camera" in shown and "on the command line: " not in shown


def test_a_flags_start_counts_only_as_a_whole_phrase():
    """``flag_code`` read any text that began with a flag's words as that flag: compare's "mouth opening changed by
    ..." as "mouth open", the batch's "head turned to the subject's left" (a kind of fault, no flag) as "head turned"
    (review r2, stop 66).  A flag's start counts followed by its brackets, or alone ("smiling" without figures)."""
    assert flag_code("mouth opening changed by +0.05 ± 0.02 (limit ±0.03)") == ""
    assert flag_code("head turned to the subject's left") == "" and flag_code("smiling against neutral") == ""
    assert flag_code("smiling") == "smiling" and flag_code("mouth open (opening 0.159, limit 0.15: x)") == "mouth_open"
    assert flag_remedies(["mouth opening changed by +0.05"]) == []
    from facemetrics.batch.tables import baseline_faults  # the batch reads a before photo's faults by the same rule

    assert baseline_faults(dict(quality_flags="mouth opening changed by +0.05; smiling")) == ["smiling"]
    # no start is another's first words: a flag is read as one code whatever FLAG_STARTS' order
    assert not [(a, b) for a in FLAG_STARTS.values() for b in FLAG_STARTS.values() if a != b and b.startswith(a)]


#: a photos.csv ``quality_flags`` cell as version 0.2.43 wrote it (before the codes: ``quality_flags`` of 67f7409, one
#: flag of each kind), read back by ``study report`` and ``facemetrics timeline`` from an earlier batch's folder
OLD_CELL = "; ".join((
    "irises not visible (eyes closed, covered or outside the picture): the mm scale is unreliable; use a photo with "
    "open, uncovered eyes",
    "implausible inter-pupillary distance (30.0 ± 1.2 mm, adult range 50-80 mm): the mm scale is doubtful (on the "
    "command line: --ipd-mm or --mm-per-px)",
    "face cut by the image edge (3 of the 23 jaw-line landmarks outside the picture: guessed)",
    "head turned (yaw +30 ± 13 deg, limit ±8 deg; its ± was measured on head turns up to 20 deg and is extrapolated "
    "here)",
    "head tilted up/down (pitch -30 ± 13 deg, limit ±12 deg; its ± was measured on tilts up to 20 deg and is "
    "extrapolated here)",
    "head tilted sideways (roll +30 ± 1 deg, limit ±15 deg; its ± was measured on rotations up to 28 deg and is "
    "extrapolated here)",
    "low resolution (5.00 mm/px, limit 0.5 mm/px)",
    "blurry (sharpness 0.1, limit 1.0: the variance of the Laplacian of the face's luminance over its mean, x 1000, "
    "read at 0.25 mm/px)",
    "too dark (face luminance 5 ± < 0.5 of 255, limit 60 of 255)",
    "too bright (face luminance 250 ± 1 of 255, limit 220 of 255)",
    "clipped highlights/shadows (50% of face, limit 5%)",
    "smiling (smile score 9.00 SD, limit 1.35 SD: the mean of how far the mouth's width and its corners' height, each "
    "over the distance between the pupils, lie above neutral faces', in their standard deviations)",
    "mouth open (opening 0.900, limit 0.15: the gap between the inner lips over the mouth's width)",
    "low JPEG quality (saved at quality 20 of 100, read from the file, limit 70: a comparison with it shows no lift, "
    "fold, jaw, mouth or cheek verdict, so use the original photo, not a compressed copy)"))


def test_a_cell_written_by_an_earlier_version_reads_back_to_its_codes():
    """The codes are read from a flag's words (``flag_code``): a photos.csv written before them (0.2.43) reads back to
    one code a flag, and its before photo's remedy to each of its baseline faults' (review r2, stop 66)."""
    from facemetrics.batch.tables import at_fault_remedy, baseline_faults
    from facemetrics.messages import split_messages

    assert [flag_code(f) for f in split_messages(OLD_CELL)] == list(FLAG_STARTS)
    faults = baseline_faults(dict(quality_flags=OLD_CELL))
    assert sorted(flag_code(f) for f in faults) == sorted(("cut", "yaw", "pitch", "smiling", "mouth_open", "jpeg"))
    assert at_fault_remedy(faults).endswith(" and, in them, keep the whole face, chin included, in the picture, face "
                                            "the camera straight on, hold your chin level, keep a relaxed, neutral "
                                            "expression and close your mouth gently")


def test_an_after_photo_flagged_smiling_is_quoted_with_its_figures_or_without_brackets():
    """The batch's "the after photo is flagged smiling (...)" quoted the flag's figures with its own copy of
    ``batch.tables._flag_figures``: the ± of stop 66 came through, but a flag without figures ("smiling", as
    ``uploads.smile_flag`` reads older rows) read "flagged smiling () and its before photo ..." (review r4, stop 66).
    Now the figures are ``_flag_figures``' and a flag with none is named without brackets."""
    from facemetrics.batch.tables import MSG_AFTER_PHOTO_SMILING, baseline_messages

    before = dict(photo="B/rf/a.jpg", role="baseline", quality_flags="")
    read = {"status": "ok", "messages": [], "rows": [dict(metric="jawline_lift_mm", verdict="lift")]}
    (flag,) = [f for f in quality_flags(dict(OK, smile_score=1.52), 0.2) if flag_code(f) == "smiling"]
    (msg,) = baseline_messages(dict(photo="B/rf/b.jpg", role="post", quality_flags=flag), [before], read)
    assert msg.startswith(f"{MSG_AFTER_PHOTO_SMILING} (smile score 1.52 ± 0.18 SD, limit 1.35 SD) and its before "
                          "photo B/rf/a.jpg is not"), msg
    (bare,) = baseline_messages(dict(photo="B/rf/b.jpg", role="post", quality_flags="smiling"), [before], read)
    assert bare.startswith(f"{MSG_AFTER_PHOTO_SMILING} and its before photo B/rf/a.jpg is not"), bare
