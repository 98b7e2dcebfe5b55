"""The identity check on both orders where compare's refusal was not the only reader (2026-12-05, h2;
docs/robustness.md 'The identity check on both orders everywhere it is used'): a repeat photo's check and the
face matching of a photo with several faces read the mean of both orders' upper-face residuals
(``gate.upper_face_match``), so their result is the same, exactly, whichever photo is 'before'.  The DeBruine
tests use ``../shared/faces`` and are skipped when it is absent."""

from __future__ import annotations

import dataclasses
import importlib
import sys
from pathlib import Path

import numpy as np
import pytest

from conftest import SHARED_FACES
from facemetrics import analyze_photo, compare_photos
from facemetrics import compare as cp
from facemetrics import simulate as sim
from facemetrics.analyze import analyze_loaded
from facemetrics.compare.faces import _residual, face_match, matching_face, matching_faces
from facemetrics.compare.measure import repeat_changes
from facemetrics.loader import load_photo

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
gt = importlib.import_module("facemetrics.compare.gate")
DEBRUINE = SHARED_FACES / "debruine_cc0"
CANADA = SHARED_FACES / "canada_ccby"


def _variant(a, rgb):
    return analyze_photo(np.ascontiguousarray(rgb), name="repeat.png")


@pytest.fixture(scope="module")
def sample_and_repeat(sample_analysis):
    a = sample_analysis  # conftest's: analyze_photo(SAMPLES / "astronaut_before.jpg"), made once per session
    return a, _variant(a, sim.jpeg(sim.roll(a, 1.0).image, 80).image)


def test_a_repeats_identity_check_is_the_same_either_way(sample_and_repeat):
    """_repeat_match of (photo, repeat) and of (repeat, photo): the same statistic to the last bit, both orders
    made, the comparison's limits."""
    a, r = sample_and_repeat
    m1, cues1 = cp._repeat_match(a, r, repeat_changes(a, r))
    m2, cues2 = cp._repeat_match(r, a, repeat_changes(r, a))
    assert m1.symmetric and m2.symmetric
    assert m1.residual_mm == m2.residual_mm and (m1.before_mm, m1.after_mm) == (m2.after_mm, m2.before_mm)
    assert m1.refuse_mm == m2.refuse_mm == gt.DIFFERENT_PEOPLE_SYMMETRIC_MM
    assert cues1["reverse_residual_mm"] == m1.after_mm  # what lower_face_unread_reasons reads


def test_a_failed_reverse_fit_leaves_a_repeat_on_one_order(sample_and_repeat, monkeypatch):
    a, r = (dataclasses.replace(x) for x in sample_and_repeat)  # new objects: not the reverse fit kept above
    monkeypatch.setattr(cp, "reverse_residual_mm", lambda x, y: float("nan"))
    rep = repeat_changes(a, r)
    m, cues = cp._repeat_match(a, r, rep)
    assert not m.symmetric and m.residual_mm == rep.residual_mm and m.refuse_mm == gt.DIFFERENT_PEOPLE_RESIDUAL_MM
    assert "on one order" in m.said()


@pytest.mark.skipif(not DEBRUINE.is_dir(), reason="shared faces absent")
def test_a_repeat_of_one_person_in_another_pose_is_not_called_another_person_in_either_role():
    """DeBruine pose 3 against pose 2 reads 1.72 mm on one order (pose 3 as the reference) and 1.51 on the other:
    the one order refused it as possibly another person (above 1.6 mm); the mean, 1.61 mm, does not, in either
    role (it is left out for its pose and rough match instead, which is no identity claim)."""
    p2 = analyze_photo(DEBRUINE / "debruine_pose_variation_2.jpg")
    p3 = analyze_photo(DEBRUINE / "debruine_pose_variation_3.jpg")
    assert repeat_changes(p3, p2).residual_mm > gt.DIFFERENT_PEOPLE_RESIDUAL_MM  # what the one order refused
    for first, repeat in ((p3, p2), (p2, p3)):
        c = compare_photos(first, first, before_repeats=[repeat])
        said = [m for m in c.messages if m.startswith(f"repeat photo {repeat.name} not used")]
        assert len(said) == 1 and "may show another person" not in said[0], said
        assert c.noise_source.startswith("default"), c.noise_source
    m1, _ = cp._repeat_match(p3, p2, repeat_changes(p3, p2))
    m2, _ = cp._repeat_match(p2, p3, repeat_changes(p2, p3))
    assert m1.residual_mm == m2.residual_mm <= gt.DIFFERENT_PEOPLE_SYMMETRIC_MM


@pytest.fixture(scope="module")
def subject_beside_stranger():
    """DeBruine pose 2 (the subject) at 0.9 x the face of Canada 003f (a tuning face) beside it, the larger; the
    subject's other photo: DeBruine at 15 cm.  One order (the 15 cm photo as the reference) reads the subject's
    face 1.72 mm (above the one order's 1.6 mm: no face was matched, the stranger, the largest, stayed); the
    other order 1.50 mm; the stranger 2.71 / 2.58 mm (2026-12-05)."""
    from bench_two_people import HEIGHT, _jpeg, _resized, _rgb, _size, composite

    a, b = _rgb(DEBRUINE / "debruine_pose_variation_2.jpg"), _rgb(CANADA / "canada_003f.jpg")
    x = _resized(a, 0.9 * _size(b) / _size(a))
    img, seam = composite(x, b)
    s = HEIGHT / img.shape[0]
    two = analyze_loaded(load_photo(_jpeg(_resized(img, s), 92), name="two.jpg"))
    other = analyze_loaded(load_photo((DEBRUINE / "debruine_camera_distance_15cm.jpg").read_bytes(), name="o.jpg"))
    return two, other, seam * s


@pytest.mark.skipif(not (DEBRUINE.is_dir() and CANADA.is_dir()), reason="shared faces absent")
def test_the_face_matched_on_both_orders_is_the_subjects(subject_beside_stranger):
    two, other, seam = subject_beside_stranger
    assert two.n_faces == 2 and two.points[:, 0].mean() > seam  # the largest: the stranger, on the right
    subject = analyze_loaded(two.photo, name="two.jpg", face=1)
    assert subject.points[:, 0].mean() < seam
    assert _residual(other, subject) > gt.DIFFERENT_PEOPLE_RESIDUAL_MM  # one order: not matched
    chosen = matching_face(two, other)
    assert chosen.extra["face_matched"] and chosen.points[:, 0].mean() < seam, chosen.extra.get("face_choice")
    said = chosen.extra["face_choice"]
    assert "measured the one on the left, which matches the before photo" in said
    assert "mm RMS, the mean of" in said and "as the reference" in said and "above 1.7 mm" in said, said
    # the several-face photo as the before photo: the same face, the same statistics to the last bit
    first = matching_face(two, other, x_label="before", reference_label="after")
    assert first.extra["face"] == chosen.extra["face"] == 1
    assert first.extra["face_residuals"] == chosen.extra["face_residuals"]


def test_the_face_matching_is_the_same_whichever_photo_is_before(sample_analysis):
    """The sample's astronaut beside a larger 'stranger' (test_two_people's photo) against the sample's before
    photo: the same face and the same statistics, exactly, with the several-face photo after or before; each
    face's statistic is the same whichever face is given first."""
    from test_two_people import _astronaut_and_stranger, _jpeg

    two = analyze_photo(_jpeg(_astronaut_and_stranger()), name="two.jpg")
    one = sample_analysis  # analyze_photo(SAMPLES / "astronaut_before.jpg")
    _, after = matching_faces(one, two)
    before, _ = matching_faces(two, one)
    assert after.extra["face_matched"] and before.extra["face_matched"]
    assert after.extra["face"] == before.extra["face"] == 1
    assert after.extra["face_residuals"] == before.extra["face_residuals"]
    y = analyze_loaded(two.photo, name="two.jpg", face=1)
    m, n = face_match(one, y), face_match(y, one)
    assert m.symmetric and m.residual_mm == n.residual_mm and (m.before_mm, m.after_mm) == (n.after_mm, n.before_mm)
