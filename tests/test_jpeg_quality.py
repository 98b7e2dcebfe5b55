"""A JPEG's quality read from its quantization table (facemetrics.jpeg_quality, Photo.jpeg_quality) and the
comparison's warning about a low one (compare.gate.jpeg_quality_messages; stop 63, h11)."""

from __future__ import annotations

import io
import math
from types import SimpleNamespace

import cv2
import numpy as np
import pytest
from PIL import Image

from conftest import SAMPLES, jpeg_bytes, png_bytes
from facemetrics import load_photo
from facemetrics.compare import POSE_METRICS
from facemetrics.compare.gate import MIN_JPEG_QUALITY, MSG_JPEG_QUALITY, jpeg_quality_messages, low_jpeg_quality
from facemetrics.jpeg_quality import ijg_quality, ijg_table

RGB = (np.random.default_rng(63).random((40, 48, 3)) * 255).astype(np.uint8)


def _table(data: bytes) -> list[int]:
    return Image.open(io.BytesIO(data)).quantization[0]


def test_the_standard_table_is_quality_50():
    assert ijg_table(50)[:8].tolist() == [16, 11, 10, 16, 24, 40, 51, 61]
    assert ijg_table(100).tolist() == [1] * 64
    assert ijg_table(1).max() == 255  # held to baseline's 8 bits


@pytest.mark.parametrize("writer", ["pillow", "opencv"])
def test_quality_is_exact_for_libjpeg_files(writer):
    """Every quality 1..100 written by Pillow and by OpenCV (both libjpeg) reads back exactly."""
    for q in range(1, 101):
        if writer == "pillow":
            data = jpeg_bytes(RGB, q)
        else:
            ok, buf = cv2.imencode(".jpg", RGB, [cv2.IMWRITE_JPEG_QUALITY, q])
            assert ok
            data = buf.tobytes()
        assert ijg_quality(_table(data)) == q, (writer, q)


def test_another_encoders_table_reads_the_nearest_quality():
    """A table that is no libjpeg table (a camera's own: q90's, every entry one step coarser where it can be)
    reads a quality near it; a malformed table is NaN."""
    t = np.minimum(ijg_table(90) + 1, 255)
    assert 85 <= ijg_quality(t) <= 90
    assert math.isnan(ijg_quality([0] * 64))
    assert math.isnan(ijg_quality([16] * 10))


def test_the_loader_keeps_the_quality():
    assert load_photo(jpeg_bytes(RGB, 37), name="x.jpg").jpeg_quality == 37
    assert math.isnan(load_photo(png_bytes(RGB), name="x.png").jpeg_quality)
    assert math.isnan(load_photo(RGB).jpeg_quality)


def test_sample_photos_are_q92_and_not_warned():
    for name in ("astronaut_before.jpg", "astronaut_after.jpg"):
        photo = load_photo(SAMPLES / name)
        assert photo.jpeg_quality == 92
        assert jpeg_quality_messages(photo, photo) == []


def _photo(q: float) -> SimpleNamespace:
    return SimpleNamespace(jpeg_quality=q)


def test_the_warning_fires_below_the_limit_only():
    ok = _photo(95.0)
    assert jpeg_quality_messages(ok, _photo(MIN_JPEG_QUALITY)) == []
    for q in (85, 90, 92, 95, 100):  # phone photos are saved at q85-95
        assert jpeg_quality_messages(_photo(float(q)), _photo(float(q))) == []
    assert jpeg_quality_messages(ok, _photo(float("nan"))) == []  # PNG, HEIC, pixels handed in
    (msg,) = jpeg_quality_messages(ok, _photo(MIN_JPEG_QUALITY - 1.0))
    assert msg.startswith(f"{MSG_JPEG_QUALITY} in the after photo: saved at quality {MIN_JPEG_QUALITY - 1} of 100")
    assert "use the original photo, not a compressed copy" in msg
    assert not low_jpeg_quality(ok, _photo(MIN_JPEG_QUALITY)) and not low_jpeg_quality(ok, _photo(float("nan")))
    assert low_jpeg_quality(ok, _photo(MIN_JPEG_QUALITY - 1.0)) and low_jpeg_quality(_photo(40.0), ok)
    both = jpeg_quality_messages(_photo(20.0), _photo(30.0))
    assert [m.split(":")[0] for m in both] == [f"{MSG_JPEG_QUALITY} in the before photo",
                                              f"{MSG_JPEG_QUALITY} in the after photo"]


def test_a_low_quality_file_is_warned_end_to_end():
    """The loader's quality reaches the message: a file saved below the limit, another at phone quality."""
    low = load_photo(jpeg_bytes(RGB, MIN_JPEG_QUALITY - 10), name="low.jpg")
    phone = load_photo(jpeg_bytes(RGB, 90), name="phone.jpg")
    assert len(jpeg_quality_messages(phone, low)) == 1
    assert jpeg_quality_messages(phone, phone) == []


def test_a_comparison_names_the_low_quality_photo(sample_analysis):
    """The bundled before sample (q92) against the after sample saved at q50: the comparison's status is a warning
    whose messages name the after photo's quality, and every row but the pose rows reads 'uncertain'."""
    from facemetrics import analyze_photo, compare_photos

    rgb = np.array(Image.open(SAMPLES / "astronaut_after.jpg").convert("RGB"))
    low = analyze_photo(jpeg_bytes(rgb, 50), name="forwarded.jpg")
    assert low.ok and low.jpeg_quality == 50
    c = compare_photos(sample_analysis, low)
    said = [m for m in c.messages if m.startswith(MSG_JPEG_QUALITY)]
    assert said == [f"{MSG_JPEG_QUALITY} in the after photo: saved at quality 50 of 100 (read from the file, limit "
                    f"{MIN_JPEG_QUALITY}), so compression has smoothed and blocked its fine detail, which read a change "
                    "in 28-31 % of unchanged pairs saved at qualities 30-60 (most on the lifts and the jaw width), so "
                    "the lift, fold, jaw, mouth and cheek rows are shown without a verdict ('uncertain', the head-pose "
                    "rows keep theirs); use the original photo, not a compressed copy (messaging apps and web uploads "
                    "re-compress photos)"]
    assert c.status == "warning"
    # every row but the pose rows without a verdict (stop 64: no floor held for such pairs on held-out faces)
    assert {r.verdict for r in c.changes if r.metric not in POSE_METRICS} == {"uncertain"}
    assert all(r.verdict != "uncertain" for r in c.changes if r.metric in POSE_METRICS)


def test_the_demo_study_photos_are_saved_above_the_limit():
    """The demo's study photos are saved at simulate.DEFAULT_JITTER's quality (92): never named."""
    from facemetrics.simulate import DEFAULT_JITTER

    q = DEFAULT_JITTER["jpeg_quality"]
    assert q >= MIN_JPEG_QUALITY
    photo = load_photo(jpeg_bytes(RGB, q), name="demo.jpg")
    assert photo.jpeg_quality == q and jpeg_quality_messages(photo, photo) == []


def _with_quality(analysis, q: float):
    """``analysis`` with its photo's JPEG quality read as ``q`` (the same pixels)."""
    import dataclasses

    return dataclasses.replace(analysis, photo=dataclasses.replace(analysis.photo, jpeg_quality=q))


def test_a_pair_at_or_above_the_limit_keeps_its_rows(sample_analysis):
    """The same pixels (the before sample against the after sample saved at q40) read as q70 or q95 give the very
    rows, floors and messages of the pixels read without a quality (NaN, as a PNG); read as q69, the rows but the
    pose rows lose their verdicts and keep their changes and floors."""
    from facemetrics import analyze_photo, compare_photos

    def rows(c):
        return [(r.metric, r.side, r.change, r.noise_floor, r.verdict) for r in c.changes]

    rgb = np.array(Image.open(SAMPLES / "astronaut_after.jpg").convert("RGB"))
    low = analyze_photo(jpeg_bytes(rgb, 40), name="forwarded.jpg")
    assert low.ok and low.jpeg_quality == 40
    plain = compare_photos(sample_analysis, _with_quality(low, float("nan")))
    for q in (float(MIN_JPEG_QUALITY), 95.0):
        c = compare_photos(sample_analysis, _with_quality(low, q))
        assert rows(c) == rows(plain) and c.noise_floors == plain.noise_floors and c.messages == plain.messages
    c69 = compare_photos(sample_analysis, _with_quality(low, MIN_JPEG_QUALITY - 1.0))
    assert c69.noise_floors == plain.noise_floors
    assert [(r.metric, r.side, r.change) for r in c69.changes] == [(r.metric, r.side, r.change) for r in plain.changes]
    for r, p in zip(c69.changes, plain.changes):
        assert r.verdict == (p.verdict if r.metric in POSE_METRICS or p.verdict in ("", "refused") else "uncertain")
    assert sum(p.verdict not in ("", "uncertain") for p in plain.changes if p.metric not in POSE_METRICS) >= 20


def test_a_low_quality_photo_is_flagged_and_passed_over_as_the_before_photo():
    """Since stop 64 the photo's own quality flags name a low JPEG quality (photos.csv ``quality_flags``), and the
    batch counts it among a before photo's faults (``batch.tables.BASELINE_FAULTS``): a compressed copy as the
    session's first before photo took every verdict of its session (review of stop 64).  Where it is the only
    fault, the likely-cause message asks for the original, not a retake."""
    from facemetrics.batch.tables import (JPEG_AT_FAULT_REMEDY, MSG_BEFORE_PHOTO_AT_FAULT, baseline_messages,
                                          baseline_rank)
    from facemetrics.quality import quality_flags

    ok = dict(yaw_deg=0.0, pitch_deg=0.0, roll_deg=0.0, sharpness=500.0, face_luminance=120.0, clipped_fraction=0.0,
              smile_score=0.0, mouth_opening_ratio=0.0)
    for q in (MIN_JPEG_QUALITY, 95.0, float("nan")):
        assert quality_flags(dict(ok, jpeg_quality=q), 0.2) == ()
    assert quality_flags(ok, 0.2) == ()  # no quality given (an older row)
    (flag,) = quality_flags(dict(ok, jpeg_quality=MIN_JPEG_QUALITY - 1.0), 0.2)
    assert flag.startswith(f"low JPEG quality (saved at quality {MIN_JPEG_QUALITY - 1} of 100, read from the file, "
                           f"limit {MIN_JPEG_QUALITY}: ") and ";" not in flag
    low = dict(photo="S/a.jpg", role="baseline", quality_flags=flag)
    assert baseline_rank(low) == 1 and baseline_rank(dict(low, quality_flags="")) == 0
    post = dict(photo="S/p.jpg", role="post", quality_flags="", _passed_over=())
    unread = {"status": "warning", "rows": [dict(metric="jawline_lift_mm", verdict="uncertain")]}
    (fault,) = baseline_messages(post, [low], unread)
    assert fault.startswith(f"{MSG_BEFORE_PHOTO_AT_FAULT}: S/a.jpg is flagged {flag.split(': ')[0]}) and the after "
                            "photo is not") and ";" not in fault
    assert fault.endswith(JPEG_AT_FAULT_REMEDY) and "retake" not in fault


def test_analyze_photo_flags_a_low_quality_file(sample_analysis):
    from facemetrics import analyze_photo

    rgb = np.array(Image.open(SAMPLES / "astronaut_after.jpg").convert("RGB"))
    low = analyze_photo(jpeg_bytes(rgb, 50), name="forwarded.jpg")
    assert [f.split(" (")[0] for f in low.quality.flags].count("low JPEG quality") == 1
    assert not any(f.startswith("low JPEG quality") for f in sample_analysis.quality.flags)


def _low_flag() -> str:
    from facemetrics.quality import quality_flags

    ok = dict(yaw_deg=0.0, pitch_deg=0.0, roll_deg=0.0, sharpness=500.0, face_luminance=120.0, clipped_fraction=0.0,
              smile_score=0.0, mouth_opening_ratio=0.0)
    return quality_flags(dict(ok, jpeg_quality=50.0), 0.2)[0]


def test_after_photos_saved_low_too_do_not_excuse_a_low_quality_before_photo():
    """A low JPEG quality in either photo takes a comparison's verdicts (``gate.low_jpeg_quality``), so most after
    photos being compressed copies too is no reason to keep a compressed first before photo over a later original:
    it took the verdicts of the session's few original after photos as well (review g3, stop 64).  A turned head
    most after photos share is still not counted (the gate reads the change between the two photos)."""
    from facemetrics.batch.tables import baseline_messages, baseline_rank, shared_faults

    flag = _low_flag()
    posts = [dict(photo=f"S/p{i}.jpg", quality_flags=flag) for i in range(3)] + [dict(photo="S/p3.jpg",
                                                                                      quality_flags="")]
    shared = shared_faults(posts)
    assert "low JPEG quality" not in shared
    low = dict(photo="S/a.jpg", role="baseline", quality_flags=flag)
    assert baseline_rank(low, shared) == 1
    turned = "head turned (yaw +12 deg, limit 8: x)"
    assert baseline_rank(dict(low, quality_flags=turned), shared_faults([dict(quality_flags=turned)] * 3)) == 0
    unread = {"status": "warning", "rows": [dict(metric="jawline_lift_mm", verdict="uncertain")]}
    clean_post = dict(posts[3], role="post", _shared_faults=shared)
    assert len(baseline_messages(clean_post, [low], unread)) == 1  # the original after photo's: the before's fault
    low_post = dict(posts[0], role="post", _shared_faults=shared)
    assert baseline_messages(low_post, [low], unread) == []  # its own low quality: no one cause


def test_the_likely_cause_message_asks_for_the_original_once():
    """The message naming a compressed before photo as the likely cause quotes its flag by its figures, without the
    flag's own "so use the original photo, not a compressed copy": its remedy says so (it was said twice in one
    message; review g3, stop 64)."""
    from facemetrics.batch.tables import JPEG_AT_FAULT_REMEDY, baseline_messages

    flag = _low_flag()
    low = dict(photo="S/a.jpg", role="baseline", quality_flags=flag)
    post = dict(photo="S/p.jpg", role="post", quality_flags="")
    unread = {"status": "warning", "rows": [dict(metric="jawline_lift_mm", verdict="uncertain")]}
    (fault,) = baseline_messages(post, [low], unread)
    assert fault.count("compressed copy") == 1 and fault.endswith(JPEG_AT_FAULT_REMEDY)
    assert "is flagged low JPEG quality (saved at quality 50 of 100, read from the file, limit 70) and the after" \
        in fault


def test_a_passed_over_before_photo_is_not_quoted_as_why_a_comparison_is_uncertain():
    """The message that an earlier before photo was passed over names the flags that pass a photo over, "a low JPEG
    quality (a compressed copy)" among them since stop 64, and report.md's list of 'uncertain' comparisons
    (``timeline.uncertain_notes``) took that for the low-JPEG cause: it quoted the passed-over message, even of a
    smiling photo, in place of the comparison's own first message (review g3)."""
    from facemetrics.batch.tables import baseline_messages
    from facemetrics.batch.timeline import uncertain_notes

    post = dict(photo="S/p.jpg", role="post", quality_flags="", _passed_over=["S/a.jpg"])
    for flag in (_low_flag(), "smiling (smile score 1.60 SD, limit 1.35 SD: x)"):
        base = [dict(photo="S/b.jpg", quality_flags=""), dict(photo="S/a.jpg", quality_flags=flag)]
        (passed,) = baseline_messages(post, base, {"status": "warning", "rows": []})
        row = dict(photo="S/p.jpg", subject="S", treatment="rf", hours_since_treatment=2.0, status="warning",
                   messages="resolution too low: 0.4 mm/px; " + passed, jawline_lift_mm_verdict="uncertain")
        (note,) = uncertain_notes([row], ["jawline_lift_mm"])
        assert note.endswith(": resolution too low: 0.4 mm/px"), note


def test_a_smiling_and_compressed_before_photo_gets_both_remedies():
    """A before photo both smiling and saved at a low JPEG quality got only the retake remedy in the likely-cause
    message (review of stop 64): a retake sent through a messaging app is compressed again.  The message names both
    flags, the compressed one by its figures, and asks for both: a retake, and the camera's own file."""
    from facemetrics.batch.tables import (AT_FAULT_REMEDY, JPEG_ALSO_REMEDY, MSG_BEFORE_PHOTO_AT_FAULT,
                                          baseline_messages)
    from facemetrics.quality import quality_flags

    ok = dict(yaw_deg=0.0, pitch_deg=0.0, roll_deg=0.0, sharpness=500.0, face_luminance=120.0, clipped_fraction=0.0,
              smile_score=3.0, mouth_opening_ratio=0.0, jpeg_quality=50.0)
    smile, low = quality_flags(ok, 0.2)
    assert smile.startswith("smiling") and low.startswith("low JPEG quality")
    before = dict(photo="S/a.jpg", role="baseline", quality_flags="; ".join((smile, low)))
    post = dict(photo="S/p.jpg", role="post", quality_flags="")
    unread = {"status": "warning", "rows": [dict(metric="jawline_lift_mm", verdict="uncertain")]}
    (fault,) = baseline_messages(post, [before], unread)
    assert fault.startswith(f"{MSG_BEFORE_PHOTO_AT_FAULT}: S/a.jpg is flagged {smile}, "
                            "low JPEG quality (saved at quality 50 of 100, read from the file, limit 70) and the "
                            "after photo is not")
    assert fault.endswith(AT_FAULT_REMEDY + " and, in them, keep a relaxed, neutral expression" + JPEG_ALSO_REMEDY)
    assert ";" not in fault
    assert fault.count("compressed cop") == 1 and "retake" in fault
    # a smile alone: the retake remedy alone, as before
    (plain,) = baseline_messages(post, [dict(before, quality_flags=smile)], unread)
    assert plain.endswith(AT_FAULT_REMEDY + " and, in them, keep a relaxed, neutral expression")
    assert "compressed" not in plain
