"""The mirror check on both orders (2026-12-05, h2, stop 43; docs/robustness.md 'The mirror check on both
orders, its limits re-chosen'): a pair is fitted flipped when the mean of both orders' upper-face residuals
(``gate.upper_face_match``, the statistic the identity refusal and the rough-match warning read) is above
its rough-match limit, and ``gate.looks_mirrored`` reads that mean and the mean of both flipped fits, so the
decision and its figures are the same whichever photo is 'before'.  Built from the bundled sample photo and
its mirror image; the London pair is skipped when ``../shared/faces`` is absent."""

from __future__ import annotations

import dataclasses
import importlib
import re

import numpy as np
import pytest

from conftest import LONDON
from facemetrics import analyze_photo, compare_photos
from facemetrics.analyze import analyze_loaded
from facemetrics.compare.measure import upper_face_residual

gt = importlib.import_module("facemetrics.compare.gate")


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

    monkeypatch.setattr(gt, "mirrored_residual_mm", never)
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

    monkeypatch.setattr(gt, "mirrored_residual_mm", fits)
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
