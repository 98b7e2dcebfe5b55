"""The tests' memo of the analyses (tests/conftest.py ``AnalysisMemo``, docs/speed.md 'Stop 60'): a repeat is the
first analysis (the caller's photo in it), another argument or other pixels are a new one, the memo keeps at most its
size, and it is neither read nor written while a test's monkeypatch holds a patch (a patched setting)."""

from __future__ import annotations

import numpy as np
import pytest

import conftest
from facemetrics import analyze
from facemetrics.loader import load_photo

pytestmark = pytest.mark.skipif(not conftest.ANALYSIS_MEMO.enabled, reason="FACEMETRICS_TEST_ANALYSIS_MEMO=0")


@pytest.fixture
def memo():
    """The process's memo, emptied, its counters at 0 and its size restored afterwards (assigned, not monkeypatched:
    a monkeypatch turns the memo off)."""
    m = conftest.ANALYSIS_MEMO
    size = m.size
    m.clear()
    m.hits = m.misses = m.bypassed = 0
    yield m
    m.size = size
    m.clear()


def _same(x, y) -> None:
    assert x.status == y.status and x.warnings == y.warnings
    assert x.points.tobytes() == y.points.tobytes()
    assert repr(x.to_row()) == repr(y.to_row())


def test_a_repeat_is_the_first_analysis_with_the_callers_photo(memo, sample_rgb):
    photo = load_photo(sample_rgb, name="a.png")
    first = analyze.analyze_loaded(photo)
    again = load_photo(sample_rgb.copy(), name="a.png")  # the same pixels, another array and Photo
    second = analyze.analyze_loaded(again)
    assert (memo.misses, memo.hits) == (1, 1)
    assert first.ok and second.photo is again and first.photo is photo
    assert second.points is first.points  # the kept analysis's arrays
    assert second.extra is not first.extra and second.extra == first.extra
    _same(first, second)


def test_other_arguments_or_pixels_are_another_analysis(memo, sample_rgb):
    analyze.analyze_loaded(load_photo(sample_rgb, name="a.png"))
    analyze.analyze_loaded(load_photo(sample_rgb, name="b.png"))  # another name: another photo column
    analyze.analyze_loaded(load_photo(sample_rgb, name="a.png"), mm_per_px=0.2)
    changed = sample_rgb.copy()
    changed[0, 0] ^= 1  # one pixel's lowest bit
    analyze.analyze_loaded(load_photo(changed, name="a.png"))
    assert (memo.misses, memo.hits) == (4, 0)
    assert len(memo.kept) == 4


def test_the_memo_keeps_at_most_its_size(memo, sample_rgb):
    memo.size = 2
    photos = [load_photo(np.ascontiguousarray(sample_rgb[:, k:]), name="a.png") for k in (0, 1, 2)]
    for p in photos:
        analyze.analyze_loaded(p)
    assert len(memo.kept) == 2 and memo.misses == 3
    analyze.analyze_loaded(photos[2])  # kept
    analyze.analyze_loaded(photos[0])  # the oldest, dropped: analysed again
    assert (memo.hits, memo.misses) == (1, 4)


def test_a_patched_setting_is_never_answered_from_the_memo(memo, sample_rgb, monkeypatch):
    photo = load_photo(sample_rgb, name="a.png")
    assert analyze.analyze_loaded(photo).ok and memo.misses == 1
    monkeypatch.setattr(analyze, "MIN_FACE_WIDTH_PX", 10 ** 9)  # every face too small now
    patched = analyze.analyze_loaded(photo)
    assert not patched.ok and memo.bypassed == 1 and memo.hits == 0
    assert len(memo.kept) == 1  # nothing kept while patched
    monkeypatch.undo()
    assert analyze.analyze_loaded(photo).ok and memo.hits == 1  # the setting back: the memo again


def test_a_repeat_holds_the_callers_pixels_where_the_first_held_its_own():
    """What an analysis keeps of its picture by identity (the dark glasses found: ``align.GlassesFound.image``, which
    the comparison reads the mask by) is the caller's pixel array in a repeat, as a fresh analysis holds it
    (tests/test_compare_work.py's glasses test reads it through a real photo)."""
    from facemetrics.align import GlassesFound

    first, caller = np.zeros((4, 4, 3), np.uint8), np.zeros((4, 4, 3), np.uint8)
    points = np.zeros((478, 2))
    found = GlassesFound(first, points, 0.2, None, None)
    moved = conftest.AnalysisMemo._rebound(found, first, caller)
    assert moved.image is caller and moved.points is points and found.image is first
    assert conftest.AnalysisMemo._rebound("text", first, caller) == "text"
