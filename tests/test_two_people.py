"""Two different people in one photo, compared with a photo of one of them: the comparison measures the
face that matches (facemetrics.compare.faces; bench/bench_two_people.py, docs/robustness.md 'Several
faces of similar size').  Before, the largest face was measured: with the friend's face larger the
pair was compared on the friend."""

from __future__ import annotations

import io
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from facemetrics import analyze_photo, compare_photos
from facemetrics.compare.faces import choose, matching_face
from facemetrics.compare.gate import MSG_DIFFERENT_PEOPLE

LONDON = Path(__file__).resolve().parents[2] / "shared" / "faces" / "london_ccby"


@pytest.mark.parametrize("residuals, chosen", [
    ([1.30, 2.90], 0),           # one face the identity check would not refuse
    ([2.90, 1.30], 1),
    ([2.00, 2.50], None),        # both refused: neither is the person
    ([1.00, 1.40], 0),           # both below 1.6 mm, one below 1.07 (no two people read less)
    ([1.20, 1.40], None),        # both below 1.6 mm, neither below 1.07: cannot be told
    ([0.10, 0.30], None),        # both below 1.07 mm: the same person twice
    ([float("nan"), 1.20], 1),   # a face not measured is no candidate
    ([float("nan"), float("nan")], None),
    ([1.60, 3.0], None),         # the limit itself refuses
])
def test_choose_takes_the_one_face_the_identity_check_would_not_refuse(residuals, chosen):
    assert choose(residuals) == chosen


def test_a_photo_of_one_face_is_left_as_it_is(sample_analysis):
    assert matching_face(sample_analysis, sample_analysis) is sample_analysis


def _jpeg(rgb: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, "JPEG", quality=92)
    return buf.getvalue()


@pytest.mark.skipif(not LONDON.is_dir(), reason="shared faces absent")
def test_a_friend_with_the_larger_face_is_not_what_the_comparison_measures():
    """London 003 (neutral) beside the larger London 021, compared with 003's smiling photo: the largest face
    (021) was measured and the pair refused as two people; now 003's face is measured, the pair is not
    refused as two people, and the messages say which face and why."""
    a = np.array(Image.open(LONDON / "london_003_f38_white_neutral.jpg").convert("RGB"))
    b = np.array(Image.open(LONDON / "london_021_m48_white_neutral.jpg").convert("RGB"))
    a = cv2.resize(a, None, fx=0.8, fy=0.8, interpolation=cv2.INTER_AREA)  # the friend's face ~1.2 x larger
    canvas = np.full((b.shape[0], a.shape[1] + b.shape[1], 3), 128, np.uint8)
    canvas[b.shape[0] - a.shape[0]:, :a.shape[1]] = a
    canvas[:, a.shape[1]:] = b
    canvas = cv2.resize(canvas, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
    seam = a.shape[1] / 2
    two = analyze_photo(_jpeg(canvas), name="two.jpg")
    assert two.n_faces == 2 and two.points[:, 0].mean() > seam  # the largest: the friend's, on the right
    other = analyze_photo(LONDON / "london_003_f38_white_smiling.jpg")
    c = compare_photos(other, two, check_order=False)
    assert c.after.points[:, 0].mean() < seam  # 003's face, on the left
    assert not any(m.startswith(MSG_DIFFERENT_PEOPLE) for m in c.messages), c.messages
    said = [m for m in c.messages if "measured the one on the left, which matches the before photo" in m]
    assert len(said) == 1 and said[0].startswith("2 faces found in the after photo"), c.messages
    res = c.after.extra["face_residuals"]
    assert res[1] < 1.6 <= res[0], res  # face 1 (the smaller) matches, face 0 (the larger) is refused
    # either order: the several-face photo as the before photo
    c2 = compare_photos(two, other, check_order=False)
    assert c2.before.points[:, 0].mean() < seam, c2.messages
    assert any("2 faces found in the before photo; measured the one on the left, which matches the after photo" in m
               for m in c2.messages), c2.messages


@pytest.mark.skipif(not LONDON.is_dir(), reason="shared faces absent")
def test_the_batch_compares_the_matching_face_too(tmp_path):
    """The batch's and the series' comparisons go through compare_photos (batch.workers._task_compare): the
    message reaches changes.csv's `messages` column."""
    from facemetrics.batch.workers import _task_compare

    a = np.array(Image.open(LONDON / "london_024_m47_east_asian_neutral.jpg").convert("RGB"))
    b = np.array(Image.open(LONDON / "london_037_m37_west_asian_neutral.jpg").convert("RGB"))
    canvas = cv2.resize(np.concatenate([b, a], axis=1), None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
    two = analyze_photo(_jpeg(canvas), name="two.jpg")
    other = analyze_photo(LONDON / "london_024_m47_east_asian_smiling.jpg")
    out = _task_compare([other], two, {}, str(tmp_path / "c.json"))
    said = [m for m in out["messages"] if "which matches the before photo" in m]
    assert len(said) == 1 and "measured the one on the right" in said[0], out["messages"]
    assert not any(m.startswith(MSG_DIFFERENT_PEOPLE) for m in out["messages"]), out["messages"]


@pytest.mark.skipif(not LONDON.is_dir(), reason="shared faces absent")
def test_the_chosen_face_keeps_the_scale_the_user_gave():
    """Each face is measured again: with the user's mm_per_px of that photo, not the iris's."""
    names = sorted(LONDON.glob("*_neutral.jpg"))
    a = np.array(Image.open(names[2]).convert("RGB"))
    b = np.array(Image.open(names[3]).convert("RGB"))
    canvas = cv2.resize(np.concatenate([b, a], axis=1), None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
    two = analyze_photo(_jpeg(canvas), name="two.jpg", mm_per_px=0.5)
    other = analyze_photo(Path(str(names[2]).replace("_neutral.jpg", "_smiling.jpg")))
    chosen = matching_face(two, other)
    assert chosen.extra["face_matched"] and chosen.points[:, 0].mean() > canvas.shape[1] / 2, chosen.warnings
    assert chosen.calibration.source == "user_mm_per_px" and abs(chosen.mm_per_px - 0.5) < 1e-9
