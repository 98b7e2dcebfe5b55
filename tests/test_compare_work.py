"""compare_photos without repeated work (docs/speed.md 'Stop 40: work a comparison shares'): the work shared
inside one comparison (compare.measure.one_comparison: the face matching's registrations and pose fits reused by
the chosen face's measurement, the before part of a copied analysis) gives every output of the comparison made
without it, to the last bit; and it is dropped when the call ends.  The whole check against a git revision, on 27
pairs: ``bench/bench_compare_work.py --check HEAD``."""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

import compare_pairs  # noqa: E402
from bench_compare_work import differences, outputs  # noqa: E402

from facemetrics import align as al  # noqa: E402
from facemetrics import analyze_photo, compare_photos  # noqa: E402
from facemetrics.compare import measure  # noqa: E402


@contextlib.contextmanager
def nothing_shared(monkeypatch):
    """The comparison as before stop 40: every step makes its own registration, pose fit and before part."""
    with monkeypatch.context() as m:
        m.setattr(measure, "_once", lambda kind, objs, make: make())
        yield


@contextlib.contextmanager
def counting(monkeypatch):
    calls = {"register": 0}
    register = al.register

    def counted(*a, **kw):
        calls["register"] += 1
        return register(*a, **kw)

    with monkeypatch.context() as m:
        m.setattr(al, "register", counted)
        yield calls


def _compare(before, after, monkeypatch, shared: bool):
    a, b = analyze_photo(before, name="before.png"), analyze_photo(after, name="after.png")
    measure._local.__dict__.clear()  # nothing of an earlier call's before photo kept
    with counting(monkeypatch) as calls, (contextlib.nullcontext() if shared else nothing_shared(monkeypatch)):
        c = compare_photos(a, b)
    return outputs(c), calls["register"]


PAIRS = {p[0]: p for p in compare_pairs.all_pairs(analyze_photo, small=True)}


@pytest.mark.parametrize("name", list(PAIRS))
def test_the_shared_work_gives_every_output_of_the_comparison_without_it(name, monkeypatch):
    _, before, after = PAIRS[name]
    shared, n_shared = _compare(before, after, monkeypatch, shared=True)
    alone, n_alone = _compare(before, after, monkeypatch, shared=False)
    assert differences(shared, alone) == []
    assert shared["csv"] == alone["csv"]
    if name.startswith("faces"):  # the chosen face is not aligned again: one registration fewer
        assert n_shared == n_alone - 1
    else:
        assert n_shared == n_alone == 1
    assert getattr(measure._call, "memo", None) is None  # nothing kept beyond the call


def test_the_check_can_tell_a_difference():
    """bench_compare_work's comparison of outputs sees a change of one bit in one row."""
    import dataclasses

    _, before, after = PAIRS["sample"]
    c = compare_photos(analyze_photo(before), analyze_photo(after))
    k = next(i for i, r in enumerate(c.changes) if r.change != 0 and r.change == r.change)
    row = c.changes[k]
    one_bit = dataclasses.replace(row, change=float(row.change) * (1 + 2 ** -52))
    changed = dataclasses.replace(c, changes=c.changes[:k] + (one_bit,) + c.changes[k + 1:])
    assert differences(outputs(c), outputs(changed)) != []


def test_work_is_shared_only_inside_one_comparison():
    made = []
    assert measure._once("x", (made,), lambda: made.append(1) or len(made)) == 1  # outside: made every time
    assert measure._once("x", (made,), lambda: made.append(1) or len(made)) == 2
    with measure.one_comparison():
        assert measure._once("x", (made,), lambda: made.append(1) or len(made)) == 3
        with measure.one_comparison():  # nested: the outer call's
            assert measure._once("x", (made,), lambda: made.append(1) or len(made)) == 3
        assert measure._made("x", (made,)) == 3
        assert measure._made("x", ([],)) is None  # another object: not the same work
    assert measure._made("x", (made,)) is None
