"""compare_photos without repeated work (docs/speed.md 'Stop 40: work a comparison shares'): the work shared
inside one comparison (compare.measure.one_comparison: the face matching's registrations and pose fits reused by
the chosen face's measurement, the before part of a copied analysis) gives every output of the comparison made
without it, to the last bit; and it is dropped when the call ends.  The whole check against a git revision, on 30
pairs with ../shared/faces (stop 41: with 4 mirror-check pairs): ``bench/bench_compare_work.py --check HEAD``."""

from __future__ import annotations

import contextlib
import copy
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

import compare_pairs  # noqa: E402
from bench_compare_work import differences, outputs  # noqa: E402

from facemetrics import align as al  # noqa: E402
from facemetrics import analyze_photo, compare_photos, quality, sharing  # noqa: E402
from facemetrics.compare import measure  # noqa: E402


@contextlib.contextmanager
def nothing_shared(monkeypatch):
    """The comparison as before stop 40: every step makes its own registration, pose fit and before part."""
    with monkeypatch.context() as m:
        m.setattr(sharing, "once", lambda kind, objs, make, values=(): make())
        yield


@contextlib.contextmanager
def counting(monkeypatch):
    calls = {"register": 0, "grey": 0}

    def counted(key, fn):
        def run(*a, **kw):
            calls[key] += 1
            return fn(*a, **kw)
        return run

    with monkeypatch.context() as m:
        m.setattr(al, "register", counted("register", al.register))
        m.setattr(quality, "_made_grey_on_grid", counted("grey", quality._made_grey_on_grid))
        yield calls


def _compare(pair: tuple, monkeypatch, shared: bool):
    a, b = pair
    measure._local.__dict__.clear()  # nothing of an earlier call's before photo kept
    with counting(monkeypatch) as calls, (contextlib.nullcontext() if shared else nothing_shared(monkeypatch)):
        c = compare_photos(a, b)
    return outputs(c), calls


#: the names of ``compare_pairs.all_pairs(analyze_photo, small=True)``, in its order (``test_the_pairs_are_the_benchs``)
NAMES = ["sample", "glasses: after only (aviator)", "glasses: both (aviator, re-seated)", "faces: 1 against 2",
         "faces: 2 against 2"]


@pytest.fixture(scope="module")
def pairs() -> dict:
    """``{name: (name, before RGB, after RGB)}`` of ``compare_pairs.all_pairs(analyze_photo, small=True)``, made when
    a test of this file first asks: made at import (collection), it cost every pytest process that collected the
    file 2.8 s of CPU (2 analyses, 3 pairs of glasses drawn, 4 canvases), the xdist worker that does not run the
    file too (docs/speed.md, "Test suite time, stop 59")."""
    return {p[0]: p for p in compare_pairs.all_pairs(analyze_photo, small=True)}


def test_the_pairs_are_the_benchs(pairs):
    """The names the tests are parametrized with are the bench's small set, in its order."""
    assert list(pairs) == NAMES


@pytest.fixture(scope="module")
def analysed(pairs):
    """``analysed(name)``: the pair's photos as ``analyze_photo(before, name="before.png")`` and ``(after,
    name="after.png")`` give them, analysed once per module; each call returns deep copies (new objects, new arrays:
    as fresh analyses to the last bit, so that no work kept by identity for another comparison is read; a deep copy
    keeps the links inside an analysis, e.g. its glasses' image is its photo's)."""
    made = {}

    def get(name: str) -> tuple:
        if name not in made:
            _, before, after = pairs[name]
            made[name] = (analyze_photo(before, name="before.png"), analyze_photo(after, name="after.png"))
        return copy.deepcopy(made[name])
    return get


@pytest.mark.parametrize("name", NAMES)
def test_the_shared_work_gives_every_output_of_the_comparison_without_it(name, analysed, monkeypatch):
    shared, n_shared = _compare(analysed(name), monkeypatch, shared=True)
    alone, n_alone = _compare(analysed(name), monkeypatch, shared=False)
    assert differences(shared, alone) == []
    assert shared["csv"] == alone["csv"]
    if name.startswith("faces"):  # the chosen face is not aligned again in either order (the face matching fits
        assert n_shared["register"] == n_alone["register"] - 2  # both since 2026-12-05): two registrations fewer
    else:  # the pair and its reverse (the identity check reads both orders: gate.identity_residual_mm)
        assert n_shared["register"] == n_alone["register"] == 2
    if name == "sample":  # each photo's face reduced to grey once, for its skin texture and local contrast
        assert (n_shared["grey"], n_alone["grey"]) == (2, 4)
    assert not sharing.active()  # nothing kept beyond the call


def test_the_check_can_tell_a_difference(pairs):
    """bench_compare_work's comparison of outputs sees a change of one bit in one row."""
    import dataclasses

    _, before, after = pairs["sample"]
    c = compare_photos(analyze_photo(before), analyze_photo(after))
    k = next(i for i, r in enumerate(c.changes) if r.change != 0 and r.change == r.change)
    row = c.changes[k]
    one_bit = dataclasses.replace(row, change=float(row.change) * (1 + 2 ** -52))
    changed = dataclasses.replace(c, changes=c.changes[:k] + (one_bit,) + c.changes[k + 1:])
    assert differences(outputs(c), outputs(changed)) != []


def test_work_is_shared_only_inside_one_comparison():
    made = []
    assert sharing.once("x", (made,), lambda: made.append(1) or len(made)) == 1  # outside: made every time
    assert sharing.once("x", (made,), lambda: made.append(1) or len(made)) == 2
    with sharing.one_call():
        assert sharing.once("x", (made,), lambda: made.append(1) or len(made)) == 3
        with sharing.one_call():  # nested: the outer call's
            assert sharing.once("x", (made,), lambda: made.append(1) or len(made)) == 3
        assert sharing.made("x", (made,)) == 3
        assert sharing.made("x", ([],)) is None  # another object: not the same work
        assert sharing.once("x", (made,), lambda: -1, (0.4,)) == -1  # other values (a scale): not the same work
        assert sharing.made("x", (made,), (0.4,)) == -1 and sharing.made("x", (made,), (0.5,)) is None
    assert sharing.made("x", (made,)) is None


def test_the_dark_glasses_an_analysis_found_are_read_again_not_searched_again(pairs, monkeypatch):
    """analyze_photo keeps the dark glasses it found in a photo with no iris visible (extra["glasses"]); the
    comparison's cheek check (gate.glasses_cheek_cover) reads that mask, the same as searching the photo again, and
    searches only a picture it was not found on (a mirrored copy: other arrays)."""
    from facemetrics.compare import glasses_cheek_cover
    from facemetrics.compare.gate import mirrored

    _, _, after = pairs["glasses: after only (aviator)"]
    x = analyze_photo(after, name="after.png")
    kept = x.extra["glasses"]
    assert kept.box is not None and kept.image is x.photo.rgb and kept.points is x.points
    searched = al.glasses_mask(x.photo.rgb, x.points, x.calibration.mm_per_px)
    assert searched.any() and np.array_equal(kept.mask(), searched)
    calls = []
    search = al.glasses_mask
    monkeypatch.setattr(al, "glasses_mask", lambda *a: calls.append(1) or search(*a))
    cover = glasses_cheek_cover(x)
    assert calls == []
    import dataclasses

    without = dataclasses.replace(x, extra={k: v for k, v in x.extra.items() if k != "glasses"})
    assert glasses_cheek_cover(without) == cover and len(calls) == 1  # searched: the same cover
    glasses_cheek_cover(mirrored(x))
    assert len(calls) == 2
    assert "glasses" not in analyze_photo(pairs["sample"][1]).extra  # irises visible: nothing kept


def test_the_reverse_fit_reads_only_the_after_photos_alignment_part(analysed, monkeypatch):
    """The identity check's reverse fit (gate.reverse_residual_mm: the after photo as 'before') makes only the after
    photo's alignment part (measure._aligned_part: grid, registration's before part, depth map), not its fold lines,
    masks and fold scores, which nothing reads (docs/speed.md 'Stop 45'); the before photo's whole before part is
    built on its alignment part, made once; the residual is the value of the whole measurement's."""
    a, b = analysed("sample")
    calls = {"_make_before": [], "_make_aligned": []}
    for name in calls:
        fn = getattr(measure, name)
        monkeypatch.setattr(measure, name, lambda x, fn=fn, name=name: calls[name].append(x) or fn(x))
    measure._local.__dict__.clear()
    with measure.one_comparison():
        reverse = measure.upper_face_residual(b, a)
    assert calls["_make_before"] == [] and calls["_make_aligned"] == [b]
    measure._local.__dict__.clear()
    assert reverse == measure._measure(b, a).alignment.residual_mm  # the same value to the last bit
    measure._local.__dict__.clear()
    calls["_make_before"].clear()
    calls["_make_aligned"].clear()
    compare_photos(a, b)
    assert calls["_make_before"] == [a]  # old code: [a, b] (the reverse fit built b's whole before part)
    assert len(calls["_make_aligned"]) == 2


def test_a_photo_compared_again_has_its_skin_read_once(pairs, monkeypatch):
    """A before photo compared with several after photos: its skin texture and local contrast (the fold checks'
    readings, gate.skin_textures / local_contrasts) are read once and kept (gate.READING_CACHE_SIZE), with the values
    of a fresh reading; another photo, or another read grid, is read afresh."""
    import functools
    import importlib

    skin = importlib.import_module("facemetrics.compare.skin")  # the gate's skin readings (moved out of gate.py, 2026-12-06)

    _, before, after = pairs["sample"]
    a = analyze_photo(before, name="before.png")
    b1, b2 = analyze_photo(after, name="after.png"), analyze_photo(after, name="after2.png")
    calls = []
    for name in ("skin_texture", "local_contrast"):
        fn = getattr(skin, name)
        monkeypatch.setattr(skin, name, functools.wraps(fn)(lambda *x, fn=fn: calls.append(fn.__name__) or fn(*x)))
    measure._local.__dict__.clear()
    first = skin.skin_textures(a, b1), skin.local_contrasts(a, b1)
    second = skin.skin_textures(a, b2), skin.local_contrasts(a, b2)
    assert len(calls) == 6  # a, b1, b2 once each for each reading (old code: 8)
    grid = quality.read_grid_mm(a.frame.mm_per_px, b1.frame.mm_per_px)
    fresh = [quality.skin_texture(x.photo.rgb, x.points, x.frame.mm_per_px, grid) for x in (a, b1, b2)]
    assert first[0] == (fresh[0], fresh[1]) and second[0] == (fresh[0], fresh[2])
    fresh = [quality.local_contrast(x.photo.rgb, x.points, x.frame.mm_per_px, grid) for x in (a, b1, b2)]
    assert first[1] == (fresh[0], fresh[1]) and second[1] == (fresh[0], fresh[2])
    coarse = grid * 2
    assert skin._photo_reading(skin.skin_texture, a, coarse) == quality.skin_texture(
        a.photo.rgb, a.points, a.frame.mm_per_px, coarse)  # another read grid: read afresh
    assert len(calls) == 7
