"""The per-photo smiling flag (facemetrics.quality.smile_score, MAX_SMILE_SCORE) on synthetic landmarks, and
its mirror symmetry on real photos (Face Mesh read on the photo and on its mirror image)."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from facemetrics.geometry import (
    LEFT_IRIS, MIRROR_INDEX, MOUTH_LEFT, MOUTH_RIGHT, RIGHT_IRIS, levelled_frame, unmirror_points,
)
from facemetrics.quality import (
    MAX_SMILE_SCORE, SMILE_CORNER_DEPTH_IPD, SMILE_WIDTH_IPD, quality_flags, smile_score,
)

IPD_PX = 200.0


def face(width: float = SMILE_WIDTH_IPD[0], depth: float = SMILE_CORNER_DEPTH_IPD[0], lift_right: float = 0.0,
         lift_left: float = 0.0) -> np.ndarray:
    """(478, 3) landmarks, pupils level 200 px apart at (500, 400): mouth width and corner depth below
    the pupil line given as fractions of the IPD; ``lift_*`` raise one corner (fraction of the IPD).
    The other landmarks are scattered (the score must not read them)."""
    pts = np.random.default_rng(0).uniform(300, 700, (478, 3))
    pts[RIGHT_IRIS, :2] = 400, 400
    pts[LEFT_IRIS, :2] = 600, 400
    half = 0.5 * width * IPD_PX
    pts[MOUTH_RIGHT, :2] = 500 - half, 400 + (depth - lift_right) * IPD_PX
    pts[MOUTH_LEFT, :2] = 500 + half, 400 + (depth - lift_left) * IPD_PX
    return pts


def score(pts: np.ndarray, mm_per_px: float = 0.3, mirrored: np.ndarray | None = None) -> float:
    return smile_score(pts, levelled_frame(pts, mm_per_px), mirrored=mirrored)


def scattered_face(seed: int) -> np.ndarray:
    """A face with every landmark moved at random by up to 15 px (asymmetric corners, a tilted eye line)."""
    rng = np.random.default_rng(seed)
    pts = face(width=rng.uniform(0.7, 0.95), depth=rng.uniform(1.0, 1.2), lift_right=rng.uniform(-0.05, 0.08),
               lift_left=rng.uniform(-0.05, 0.08))
    pts[:, :2] += rng.uniform(-15, 15, (478, 2))
    return pts


def test_a_face_with_the_neutral_means_scores_zero():
    assert score(face()) == pytest.approx(0.0, abs=1e-9)


def test_the_score_is_the_mean_of_the_two_standard_scores():
    w_sd, d_sd = SMILE_WIDTH_IPD[1], SMILE_CORNER_DEPTH_IPD[1]
    assert score(face(width=SMILE_WIDTH_IPD[0] + 2 * w_sd)) == pytest.approx(1.0)
    assert score(face(depth=SMILE_CORNER_DEPTH_IPD[0] - 2 * d_sd)) == pytest.approx(1.0)


def test_raising_or_widening_the_mouth_corners_raises_the_score():
    lifts = [score(face(lift_right=k, lift_left=k)) for k in (0.0, 0.02, 0.05, 0.1)]
    assert np.all(np.diff(lifts) > 0)
    widths = [score(face(width=w)) for w in (0.7, 0.77, 0.85, 0.95)]
    assert np.all(np.diff(widths) > 0)
    # one corner alone counts about half as much as both (the tilt lengthens the mouth a little)
    one = score(face(lift_right=0.05)) - score(face())
    assert one == pytest.approx(0.5 * (score(face(lift_right=0.05, lift_left=0.05)) - score(face())), rel=0.1)
    # lowering the corners (talking drops the jaw and the corners with it) lowers it
    assert score(face(depth=1.25)) < score(face()) - 1


def test_unchanged_by_scale_shift_roll_and_mirror():
    pts = face(width=0.9, lift_right=0.06, lift_left=0.03)
    ref = score(pts)
    centre = np.array([523.0, 611.0])
    for angle in (-30.0, -7.0, 12.0, 40.0):
        for k in (0.25, 1.0, 3.0):
            t = np.radians(angle)
            rot = np.array([[np.cos(t), -np.sin(t)], [np.sin(t), np.cos(t)]])
            moved = pts.copy()
            moved[:, :2] = (pts[:, :2] - centre) @ rot.T * k + centre + (37.0, -12.0)
            assert score(moved, 0.3 / k) == pytest.approx(ref, abs=1e-9), (angle, k)
            assert score(moved, 0.05) == pytest.approx(ref, abs=1e-9)  # the mm scale cancels
    mirrored = pts.copy()
    mirrored[:, 0] = 1000 - pts[:, 0]  # the subject's sides swap places in the image
    assert score(mirrored) == pytest.approx(ref, abs=1e-9)


def test_a_smile_scores_above_the_limit_and_a_neutral_face_below():
    assert score(face()) < MAX_SMILE_SCORE
    assert score(face(width=0.87, depth=1.03)) > MAX_SMILE_SCORE  # ~ the London smiling median


QUALITY = dict(yaw_deg=0.0, pitch_deg=0.0, roll_deg=0.0, sharpness=40.0, face_luminance=140.0,
               clipped_fraction=0.0, mouth_opening_ratio=0.0, smile_index=0.0)


def test_the_flag_reads_the_smile_score():
    flags = quality_flags(dict(QUALITY, smile_score=MAX_SMILE_SCORE + 0.01), 0.2)
    assert len(flags) == 1 and flags[0].startswith("smiling (smile score")
    assert quality_flags(dict(QUALITY, smile_score=MAX_SMILE_SCORE - 0.01), 0.2) == ()
    # the smile index no longer flags one photo (talking raises it); a row without a score is not flagged
    assert quality_flags(dict(QUALITY, smile_index=0.5, smile_score=0.0), 0.2) == ()
    assert quality_flags(dict(QUALITY, smile_score=float("nan")), 0.2) == ()
    assert quality_flags(QUALITY, 0.2) == ()


def test_unmirror_points_swaps_the_sides_and_is_its_own_inverse():
    pts = scattered_face(1)
    m = unmirror_points(pts, 1000.0)
    assert m[RIGHT_IRIS, 0] == pytest.approx(1000.0 - pts[LEFT_IRIS, 0])
    assert m[MOUTH_LEFT, 0] == pytest.approx(1000.0 - pts[MOUTH_RIGHT, 0])
    assert m[MOUTH_LEFT, 1] == pts[MOUTH_RIGHT, 1] and m[MOUTH_LEFT, 2] == pts[MOUTH_RIGHT, 2]
    assert np.allclose(unmirror_points(m, 1000.0), pts, rtol=0, atol=1e-9)
    assert sorted(MIRROR_INDEX) == list(range(478))


@pytest.mark.parametrize("seed", range(20))
def test_a_mirrored_face_scores_the_same(seed):
    """Property: the landmarks of the photo flipped left to right (x -> W - x, the subject's sides swapped by
    MIRROR_INDEX) give the same score, alone and read both ways round."""
    pts, other = scattered_face(seed), scattered_face(seed + 100)
    width = 1000.0 + 37 * seed
    flipped = unmirror_points(pts, width)
    assert score(flipped, 0.21) == pytest.approx(score(pts), abs=1e-9)
    # the photo read as it is (pts) and flipped (other, mapped back); its mirror image reads them the other
    # way round: its own reading is the flipped one, its flipped reading the photo's
    both = score(pts, mirrored=other)
    assert both == pytest.approx(0.5 * (score(pts) + score(other)), abs=1e-12)
    assert score(unmirror_points(other, width), mirrored=unmirror_points(pts, width)) == pytest.approx(both, abs=1e-9)


def _mirror_pair(rgb: np.ndarray):
    from facemetrics import analyze_photo

    a, b = analyze_photo(rgb), analyze_photo(np.ascontiguousarray(rgb[:, ::-1]))
    assert a.ok and b.ok, (a.error, b.error)
    return a, b


def test_a_real_photo_and_its_mirror_image_score_the_same(sample_rgb):
    """Face Mesh alone is not mirror-symmetric (on this photo one reading each way differs by 0.13 SD); the
    score reads both, so a photo and its mirror image (flipped without loss) agree."""
    a, b = _mirror_pair(sample_rgb)
    one_way = smile_score(a.points, a.frame), smile_score(b.points, b.frame)
    assert a.quality.smile_score == pytest.approx(b.quality.smile_score, abs=0.01)
    assert a.quality.smile_score == pytest.approx(0.5 * sum(one_way), abs=0.01)


def test_london_003_mirrored_is_not_flagged_smiling(london_dir):
    """The audit's case (docs/accuracy.md 'Smiling flag'): London 003 neutral read 1.27 as taken and 1.43
    flipped (flagged) when each photo was read one way only; now both read the same, below the limit."""
    rgb = np.array(Image.open(london_dir / "london_003_f38_white_neutral.jpg").convert("RGB"))
    a, b = _mirror_pair(rgb)
    assert a.quality.smile_score == pytest.approx(b.quality.smile_score, abs=0.01)
    assert a.quality.smile_score < MAX_SMILE_SCORE
    assert not any(f.startswith("smiling") for f in a.quality.flags + b.quality.flags)
