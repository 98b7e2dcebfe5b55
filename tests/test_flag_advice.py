"""What to do about a usable photo's quality flags (``facemetrics.quality.flag_advice``): the app's photo card listed
the flags ("Usable, but: smiling (...); clipped highlights/shadows (...)") and said nothing of what to do (a
newcomer's walk, stop 65).  Synthetic quality readings, nothing measured."""

from __future__ import annotations

from facemetrics.quality import FLAG_ADVICE, flag_advice, quality_flags

OK = dict(yaw_deg=0.0, pitch_deg=0.0, roll_deg=0.0, sharpness=500.0, face_luminance=120.0, clipped_fraction=0.0,
          smile_score=0.0, mouth_opening_ratio=0.0)


def test_each_flag_a_usable_photo_can_carry_gets_its_remedy():
    """Every reading that breaks a limit gives a flag that :data:`FLAG_ADVICE` knows (a flag's words changed would
    leave it without advice, silently)."""
    bad = dict(yaw_deg=30.0, pitch_deg=30.0, roll_deg=30.0, sharpness=0.1, face_luminance=5.0, clipped_fraction=0.5,
               smile_score=9.0, mouth_opening_ratio=0.9, cut_landmarks=3)
    flags = quality_flags(dict(OK, **bad), 5.0)
    starts = [s for s, _ in FLAG_ADVICE]
    assert all(any(f.startswith(s) for s in starts) for f in flags), flags
    said = flag_advice(flags)
    assert said.startswith("For the next photos: ") and said.endswith(".") and ";" not in said
    assert all(advice in said for _, advice in FLAG_ADVICE if advice != "step out of direct light")
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
