"""The mirror check on both orders (2026-12-05, h2, stop 43; docs/robustness.md 'The mirror check on both
orders, its limits re-chosen'): a pair is fitted flipped when the mean of both orders' upper-face residuals
(``gate.upper_face_match``, the statistic the identity refusal and the rough-match warning read) is above
its rough-match limit, and ``gate.looks_mirrored`` reads that mean and the mean of both flipped fits, so the
decision and its figures are the same whichever photo is 'before'.  Built from the bundled sample photo and
its mirror image; the London pair is skipped when ``../shared/faces`` is absent."""

from __future__ import annotations

import dataclasses
import itertools
import importlib
import re
from types import SimpleNamespace

import numpy as np
import pytest

from conftest import LONDON
from facemetrics import analyze_photo, compare_photos
from facemetrics.analyze import analyze_loaded
from facemetrics.compare.measure import upper_face_residual

gt = importlib.import_module("facemetrics.compare.gate")
idt = importlib.import_module("facemetrics.compare.identity")  # the mirror check and its fits (out of gate.py, 2026-12-06)


def _flipped(a):
    return analyze_loaded(dataclasses.replace(a.photo, rgb=np.ascontiguousarray(a.photo.rgb[:, ::-1])))


@pytest.fixture(scope="module")
def sample_and_mirror(sample_analysis):
    return sample_analysis, _flipped(sample_analysis)


def test_the_check_is_made_on_the_mean_of_both_orders(sample_and_mirror, monkeypatch):
    """One order under the rough-match limit and the other over it: the mean decides.  0.5 mm with the sample as
    the reference and 0.9 mm with its mirror image (mean 0.7 mm) is checked and called a mirror image (the one
    order, 0.5 mm, was never fitted flipped); 0.9 and 0.2 mm (mean 0.55 mm) is not fitted flipped at all (the one
    order, 0.9 mm, was)."""
    a, m = sample_and_mirror
    lim = gt.MAX_ALIGNMENT_SYMMETRIC_MM
    assert gt.MAX_ALIGNMENT_RESIDUAL_MM == lim == 0.6  # the one order's precondition and the mean's: one value
    check = gt.mirror_check(a, m, lim - 0.1, lim + 0.3)
    assert check.taken.symmetric and check.taken.residual_mm == pytest.approx(lim + 0.1)
    assert check.mirrored and check.symmetric and check.flipped_mm < 0.05, check
    assert not gt.looks_mirrored(lim - 0.1, check.flipped_before_mm, gt.MAX_ALIGNMENT_RESIDUAL_MM)  # one order: no

    def never(*args):
        raise AssertionError("fitted flipped within the rough-match limit")

    monkeypatch.setattr(idt, "mirrored_residual_mm", never)
    check = gt.mirror_check(a, m, lim + 0.3, lim - 0.4)
    assert not check.mirrored and np.isnan(check.flipped_mm) and check.taken.residual_mm < lim
    with pytest.raises(AssertionError, match="fitted flipped"):  # the one order's value alone is above it
        gt.mirror_check(a, m, lim + 0.3)


def test_a_failed_reverse_fit_leaves_the_check_on_one_order(sample_and_mirror):
    a, m = sample_and_mirror
    check = gt.mirror_check(a, m, upper_face_residual(a, m), float("nan"))
    assert not check.taken.symmetric and check.taken.rough_mm == gt.MAX_ALIGNMENT_RESIDUAL_MM
    assert check.mirrored and "on one order" in check.said()


def test_the_decision_and_its_figures_are_the_same_either_way(sample_and_mirror):
    """The sample against its mirror image and the mirror image against the sample: the same two statistics to
    the last bit (each the mean of the same two fits), the same refusal, the same figures in its message."""
    a, m = sample_and_mirror
    c1 = gt.mirror_check(a, m, upper_face_residual(a, m), gt.reverse_residual_mm(a, m))
    c2 = gt.mirror_check(m, a, upper_face_residual(m, a), gt.reverse_residual_mm(m, a))
    assert c1.mirrored and c2.mirrored
    assert c1.taken.residual_mm == c2.taken.residual_mm and c1.flipped_mm == c2.flipped_mm
    assert (c1.flipped_before_mm, c1.flipped_after_mm) == (c2.flipped_after_mm, c2.flipped_before_mm)
    said = []
    for x, y in ((a, m), (m, a)):
        c = compare_photos(x, y)
        assert c.status == "refused" and c.messages[0].startswith(gt.MSG_MIRRORED), c.messages
        assert "each the mean of both orders, either photo as the reference" in c.messages[0]
        said.append(re.findall(r"(\d+\.\d+) mm", c.messages[0])[:2])
    assert said[0] == said[1] and said[0][0] == f"{c1.taken.residual_mm:.2f}", said


@pytest.mark.parametrize("first", [2 * gt.MIRROR_MAX_FLIPPED_MM, 2.0, 5.0])
def test_the_second_flipped_fit_is_left_only_where_it_cannot_change_the_decision(sample_and_mirror, monkeypatch,
                                                                                 first):
    """The mean of two fits is at least half the first: at or above twice the flipped limit, or above the
    statistic as taken / the ratio, no second fit can make the check pass, so it is not made."""
    a, m = sample_and_mirror
    calls = []

    def fits(x, y):
        calls.append((x, y))
        return first if len(calls) == 1 else 0.0

    monkeypatch.setattr(idt, "mirrored_residual_mm", fits)
    taken = 2.0
    check = gt.mirror_check(a, m, taken, taken)
    can_pass = 0.5 * first < min(gt.MIRROR_MAX_FLIPPED_MM, taken / gt.MIRROR_MIN_RATIO)
    assert len(calls) == (2 if can_pass else 1)
    if can_pass:  # the second fit (0.0 here) was read
        assert check.mirrored == gt.looks_mirrored(taken, 0.5 * first) and check.flipped_mm == 0.5 * first
    else:  # whatever the second fit would read, the check does not pass
        assert not check.mirrored and np.isnan(check.flipped_mm)
        assert not any(gt.looks_mirrored(taken, 0.5 * (first + second)) for second in (0.0, 0.5, first))


def test_different_people_are_not_called_mirrored_either_way():
    """Two London faces (different people, both orders above the rough-match limit): fitted flipped both ways and
    not a mirror image in either role."""
    if not LONDON.is_dir():
        pytest.skip(f"optional real-photo folder {LONDON} is absent")
    a, b = (analyze_photo(LONDON / f"{n}_neutral.jpg") for n in ("london_003_f38_white", "london_021_m48_white"))
    checks = [gt.mirror_check(x, y, upper_face_residual(x, y), gt.reverse_residual_mm(x, y)) for x, y in ((a, b), (b, a))]
    assert all(c.taken.residual_mm > gt.MAX_ALIGNMENT_SYMMETRIC_MM and not c.mirrored for c in checks), checks
    assert checks[0].taken.residual_mm == checks[1].taken.residual_mm


# the four fits of the two tuning rows whose one-order verdict changed with the swap in opposite directions
# (docs/data/mirror_orders_pairs.csv; h10's rule, docs/robustness.md 'The mirror check's decision the same whichever
# photo is 'before''): (r(a, b), r(b, a), r(a, m(b)), r(b, m(a))) in mm, and whether both orders' mean calls it mirrored
ORDERS_DISAGREE = {
    # different people: the one order calls canada_117m before canada_022f a mirror image, not the other way
    "canada_117m / canada_022f (different people)": ((1.906, 1.815, 1.186, 2.371), False),
    # a GRID frame against another frame's mirror image: caught one way only (flipped 1.194 / 1.182 mm)
    "grid_lbax4n 1 / 30 mirrored (a mirror image)": ((2.371, 1.917, 1.194, 1.182), True),
}


@pytest.mark.parametrize("case", sorted(ORDERS_DISAGREE))
def test_a_pair_whose_two_orders_disagree_gets_one_decision_either_way(sample_and_mirror, monkeypatch, case):
    """Where the one-order check (its verdict on r(a, b) and r(a, m(b)) alone) says 'mirrored' with one photo as
    'before' and not with the other, the mean of both orders gives one decision in both roles, with the same
    figures: the different-person pair is not called mirrored, the mirror image is caught both ways.  The fits are
    the measured ones of two tuning rows, put in by the photo order (the sample and its mirror image stand for
    the two photos)."""
    (r_ab, r_ba, f_ab, f_ba), expected = ORDERS_DISAGREE[case]
    a, m = sample_and_mirror
    flipped = {(id(a), id(m)): f_ab, (id(m), id(a)): f_ba}
    monkeypatch.setattr(idt, "mirrored_residual_mm", lambda x, y: flipped[(id(x), id(y))])
    one = [gt.looks_mirrored(r_ab, f_ab, gt.MAX_ALIGNMENT_RESIDUAL_MM),
           gt.looks_mirrored(r_ba, f_ba, gt.MAX_ALIGNMENT_RESIDUAL_MM)]
    assert one[0] != one[1], one  # the one order's decision depends on which photo is 'before'
    c1, c2 = gt.mirror_check(a, m, r_ab, r_ba), gt.mirror_check(m, a, r_ba, r_ab)
    assert c1.mirrored == c2.mirrored == expected, (c1, c2)
    assert c1.symmetric and c2.symmetric
    assert c1.taken.residual_mm == c2.taken.residual_mm and c1.flipped_mm == c2.flipped_mm
    assert c1.said().split(" (")[0] == c2.said().split(" (")[0]


def test_the_decision_is_swap_symmetric_on_a_grid_of_fits(sample_and_mirror, monkeypatch):
    """Every combination of four fits on a grid around the limits (as taken 0.5-3.0 mm, flipped 0.8-2.6 mm, each
    order on its own): the check with the photos swapped gives the same decision, and the shipped limits are the
    ones h10's rule chose (1.25, 1.19 mm)."""
    assert (gt.MIRROR_MIN_RATIO, gt.MIRROR_MAX_FLIPPED_MM) == (1.25, 1.19)
    a, m = sample_and_mirror
    fits = {}
    monkeypatch.setattr(idt, "mirrored_residual_mm", lambda x, y: fits[(id(x), id(y))])
    taken, flip = (0.5, 0.7, 1.3, 1.9, 3.0), (0.8, 1.1, 1.19, 1.2, 1.5, 2.6)
    seen = set()
    for r_ab in taken:
        for r_ba in taken:
            for f_ab in flip:
                for f_ba in flip:
                    fits.update({(id(a), id(m)): f_ab, (id(m), id(a)): f_ba})
                    d1, d2 = gt.mirror_check(a, m, r_ab, r_ba).mirrored, gt.mirror_check(m, a, r_ba, r_ab).mirrored
                    assert d1 == d2, (r_ab, r_ba, f_ab, f_ba)
                    seen.add(d1)
    assert seen == {True, False}  # the grid reaches both decisions


# stop 44 (h5; docs/robustness.md 'The mirror check when one fit fails'): a failed fit on either side, the photos
# swapped.  Fits 'as taken' (r(a, b), r(b, a)) and 'flipped' (r(a, m(b)), r(b, m(a))), mm, or NaN for a failed fit
FAILED = float("nan")
TAKEN_FITS = (0.5, 1.3, 1.9, 3.0, FAILED)
FLIPPED_FITS = (0.8, 1.19, 1.5, 2.6, FAILED)


def _same(x: float, y: float) -> bool:
    return x == y or (np.isnan(x) and np.isnan(y))


def _figures(message: str) -> list[str]:
    return re.findall(r"(\d+\.\d+) mm", message)[:2]


@pytest.fixture
def put_in(sample_and_mirror, monkeypatch):
    """The four fits put in by photo order: ``put_in(r_ab, r_ba, f_ab, f_ba)``; a failed fit as taken raises as
    ``measure.upper_face_residual`` does (``ValueError``), a failed flipped fit reads NaN as
    ``gate.mirrored_residual_mm`` does."""
    a, m = sample_and_mirror
    fits = {}

    def taken(x, y):
        v = fits[("taken", id(x), id(y))]
        if np.isnan(v):
            raise ValueError("the fit failed (test)")
        return v

    monkeypatch.setattr(idt, "upper_face_residual", taken)
    monkeypatch.setattr(idt, "mirrored_residual_mm", lambda x, y: fits[("flipped", id(x), id(y))])

    def put(r_ab, r_ba, f_ab, f_ba):
        fits.update({("taken", id(a), id(m)): r_ab, ("taken", id(m), id(a)): r_ba,
                     ("flipped", id(a), id(m)): f_ab, ("flipped", id(m), id(a)): f_ba})
    return put


def _rules_out(fit: float, taken_mm: float) -> bool:
    """Does a flipped fit made (mm) show by itself that the check cannot pass (half of it at or above the limit)?"""
    return bool(np.isfinite(fit) and 0.5 * fit >= min(gt.MIRROR_MAX_FLIPPED_MM, taken_mm / gt.MIRROR_MIN_RATIO))


def test_a_failed_flipped_fit_leaves_the_check_unmade_either_way(sample_and_mirror, put_in):
    """Stop 45 (h7; docs/robustness.md 'The mirror check when a flipped fit fails'): the pair's check (both fits as
    taken made), a flipped fit failed on one side, the other or both, over a grid of fits: never a mirror image on
    one flipped fit; 'could not check' (``unchecked``) unless the fit made rules the check out by itself; the same
    decision, statistics (NaN included) and figures whichever photo is 'before', the message naming the photo whose
    flipped fit failed in the user's roles.  Before stop 45 the one fit made was read alone (mirrored in 2 of the
    4 corners of ``seen``)."""
    a, m = sample_and_mirror
    seen = set()
    for r_ab, r_ba in itertools.product(TAKEN_FITS[:-1], repeat=2):
        for f_ab, f_ba in itertools.product(FLIPPED_FITS, repeat=2):
            if not (np.isnan(f_ab) or np.isnan(f_ba)):
                continue
            put_in(r_ab, r_ba, f_ab, f_ba)
            c1, c2 = gt.mirror_check(a, m, r_ab, r_ba), gt.mirror_check(m, a, r_ba, r_ab)
            case = (r_ab, r_ba, f_ab, f_ba)
            assert not c1.mirrored and not c2.mirrored, case
            assert c1.unchecked == c2.unchecked, case
            assert _same(c1.taken.residual_mm, c2.taken.residual_mm) and np.isnan(c1.flipped_mm), case
            checked = c1.taken.residual_mm > c1.taken.rough_mm
            ruled_out = _rules_out(f_ab, c1.taken.residual_mm) or _rules_out(f_ba, c1.taken.residual_mm)
            assert c1.unchecked == (checked and not ruled_out), case
            seen.add((c1.unchecked, bool(np.isnan(f_ab)), bool(np.isnan(f_ba))))
            if c1.unchecked:
                m1, m2 = gt.unchecked_mirror_message(c1), gt.unchecked_mirror_message(c2)
                assert m1.startswith(gt.MSG_MIRROR_UNCHECKED) and _figures(m1) == _figures(m2), case
                both = np.isnan(f_ab) and np.isnan(f_ba)
                failed_1 = "either photo" if both else f"the {'after' if np.isnan(f_ab) else 'before'} photo"
                failed_2 = "either photo" if both else f"the {'before' if np.isnan(f_ab) else 'after'} photo"
                assert f"fit with {failed_1} flipped" in m1 and f"fit with {failed_2} flipped" in m2, (case, m1, m2)
    assert {(True, True, False), (True, False, True), (True, True, True), (False, True, False),
            (False, False, True)} <= seen  # each side failed, unchecked and ruled out


# the saved fits of the two pairs of different people the one-flipped-fit fallback called a mirror image (h5's
# replay, docs/robustness.md 'The mirror check when one fit fails'): (r(a, b), r(b, a), r(a, m(b)), r(b, m(a))), mm
FALLBACK_CALLED_MIRRORED = {
    "canada_117m / canada_022f (tuning), r(022f, m(117m)) failed": (1.906027, 1.815138, 1.185969, FAILED),
    "canada_019f / canada_116m (held out), r(116m, m(019f)) failed": (1.131585, 1.510295, 1.023092, FAILED),
}


@pytest.mark.parametrize("case", sorted(FALLBACK_CALLED_MIRRORED))
def test_two_people_with_a_failed_flipped_fit_are_not_called_a_mirror_image(sample_and_mirror, put_in, case):
    """Two different people with one flipped fit failed (canada_117m / 022f: 1.86 mm as taken, the fit made 1.186
    mm) were refused as a mirror image (the fallback read the one fit alone; fails before stop 45): now not mirrored
    in either role, and the gate's messages on the pair (``gate._residual_messages``) are the same whichever photo
    is 'before': the refusal as different people or the rough-match warning, then 'could not be checked'."""
    a, m = sample_and_mirror
    r_ab, r_ba, f_ab, f_ba = FALLBACK_CALLED_MIRRORED[case]
    put_in(r_ab, r_ba, f_ab, f_ba)
    c1, c2 = gt.mirror_check(a, m, r_ab, r_ba), gt.mirror_check(m, a, r_ba, r_ab)
    assert not c1.mirrored and not c2.mirrored and c1.unchecked and c2.unchecked, (c1, c2)
    assert gt.looks_mirrored(c1.taken.residual_mm, f_ab, c1.taken.rough_mm)  # what the fallback read alone
    said = []
    for x, y, r, rev in ((a, m, r_ab, r_ba), (m, a, r_ba, r_ab)):
        pair = SimpleNamespace(alignment=SimpleNamespace(residual_mm=r), cues={"reverse_residual_mm": rev})
        refusals, warnings = gt._residual_messages(x, y, pair, False)
        msgs = refusals + warnings
        assert not any(t.startswith(gt.MSG_MIRRORED) for t in msgs), msgs
        assert len(msgs) == 2 and msgs[1].startswith(gt.MSG_MIRROR_UNCHECKED), msgs
        said.append((bool(refusals), msgs[0].split(" (")[0], _figures(msgs[0])[:1], _figures(msgs[1])))
    assert said[0] == said[1], said


def test_the_early_check_with_a_failed_fit_as_taken_gives_one_decision_either_way(sample_and_mirror, put_in):
    """The early check (a pair refused on the pose whose mirrored pose matches), a fit as taken failed on either
    side, over a grid of fits: the same decision and figures whichever photo is 'before'.  Before stop 44 the
    photo whose own fit failed as 'before' left the pose refusal while the other order called the pair a mirror
    image (90 of 1 764 such combinations).  Since stop 45 (h7) a failed flipped fit never makes it a mirror image:
    the check could not be made, said the same either way (or nothing, where the fit made rules it out)."""
    a, m = sample_and_mirror
    assert gt.mirrored_pose_matches(a, m) and gt.mirrored_pose_matches(m, a)
    seen = set()
    for r_ab, r_ba in itertools.product(TAKEN_FITS, repeat=2):
        for f_ab, f_ba in itertools.product(FLIPPED_FITS, repeat=2):
            put_in(r_ab, r_ba, f_ab, f_ba)
            e1, e2 = gt.pose_mirror_messages(a, m), gt.pose_mirror_messages(m, a)
            case = (r_ab, r_ba, f_ab, f_ba)
            assert len(e1) == len(e2) <= 1, case
            mirrored = bool(e1) and e1[0].startswith(gt.MSG_MIRRORED)
            assert mirrored == (bool(e2) and e2[0].startswith(gt.MSG_MIRRORED)), case
            if e1:
                assert _figures(e1[0]) == _figures(e2[0]), case
            failed = int(np.isnan(r_ab)) + int(np.isnan(r_ba))
            flip_failed = bool(np.isnan(f_ab) or np.isnan(f_ba))
            assert not (mirrored and flip_failed), case  # never a mirror image on one flipped fit
            if e1 and not mirrored:
                assert flip_failed and e1[0].startswith(gt.MSG_MIRROR_UNCHECKED) and e2[0].startswith(
                    gt.MSG_MIRROR_UNCHECKED), (case, e1, e2)
            seen.add((mirrored, bool(e1) and not mirrored, failed))
            if failed == 2:
                assert not e1, case  # no fit as taken: no evidence, the pose refusal stays
            elif failed and e1:  # one order: the message names the photo that was the reference
                ref = "before" if np.isnan(r_ba) else "after"
                assert re.search(f"on one order, the {ref} photo as the reference", e1[0]), (case, e1[0])
    assert {(True, False, 0), (True, False, 1), (False, False, 1), (False, False, 2), (False, True, 0),
            (False, True, 1)} <= seen


def test_the_gate_keeps_the_pose_refusal_and_says_the_mirror_check_could_not_be_made(sample_and_mirror, monkeypatch):
    """The gate before any flow (``gate.gate`` without a pair) on a pair refused on the head pose whose mirrored pose
    matches, a flipped fit failed: refused on the pose either way, the 'could not be checked' message after it with
    the same figure; with both flipped fits made, refused as a mirror image either way.  Before stop 45 the one fit
    made renamed the pose refusal a mirror image."""
    a, m = sample_and_mirror
    yaw = gt.REFUSE_LANDMARK_POSE_DEG / 2 + 5  # yaw +15 / -15 deg: 30 deg apart, the same mirrored
    x = dataclasses.replace(a, quality=dataclasses.replace(a.quality, yaw_deg=yaw, pitch_deg=0.0, roll_deg=0.0))
    y = dataclasses.replace(m, quality=dataclasses.replace(m.quality, yaw_deg=-yaw, pitch_deg=0.0, roll_deg=0.0))
    sample_and_mirror_turned = (x, y)
    fits = {}
    monkeypatch.setattr(idt, "upper_face_residual", lambda p, q: fits[("taken", id(p), id(q))])
    monkeypatch.setattr(idt, "mirrored_residual_mm", lambda p, q: fits[("flipped", id(p), id(q))])
    for f_ba, expect in ((FAILED, gt.MSG_MIRROR_UNCHECKED), (0.05, gt.MSG_MIRRORED)):
        fits.update({("taken", id(x), id(y)): 1.9, ("taken", id(y), id(x)): 1.8,
                     ("flipped", id(x), id(y)): 0.05, ("flipped", id(y), id(x)): f_ba})
        said = []
        for p, q in (sample_and_mirror_turned, sample_and_mirror_turned[::-1]):
            status, msgs = gt.gate(p, q)
            assert status == "refused", msgs
            if expect == gt.MSG_MIRRORED:
                assert msgs[0].startswith(gt.MSG_MIRRORED), msgs
            else:
                assert msgs[0].startswith(gt.MSG_POSE) and msgs[1].startswith(gt.MSG_MIRROR_UNCHECKED), msgs
                assert not any(t.startswith(gt.MSG_MIRRORED) for t in msgs), msgs
            said.append(_figures(next(t for t in msgs if t.startswith(expect))))
        assert said[0] == said[1], said


def test_the_check_is_the_same_when_the_second_flipped_fit_alone_shows_it_cannot_pass(sample_and_mirror, put_in):
    """Both flipped fits made, the first within reach and the second at or above twice the flipped limit: not
    mirrored, and the statistic not read (NaN) in both orders, as where that fit is the first."""
    a, m = sample_and_mirror
    put_in(2.0, 2.0, 0.5, 2 * gt.MIRROR_MAX_FLIPPED_MM)
    c1, c2 = gt.mirror_check(a, m, 2.0, 2.0), gt.mirror_check(m, a, 2.0, 2.0)
    assert not c1.mirrored and not c2.mirrored
    assert np.isnan(c1.flipped_mm) and np.isnan(c2.flipped_mm), (c1, c2)
    assert c1.flipped_before_mm == 0.5 and np.isnan(c2.flipped_after_mm)  # the second order never made that fit
