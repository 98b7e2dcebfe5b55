"""The analysis split in two (docs/speed.md 'Stop 41'): ``analyze.find_face`` (a face as far as its status) and
``analyze.finish_face`` (the rest) give what ``analyze_loaded`` gives, field for field and to the last bit, for
every face of a photo with several and for faces refused on the way; the face matching of a photo with several
faces (compare.faces) measured only the chosen face whole until it read both orders (2026-12-05, h2: each face is
the reference of one fit, so every face is measured whole); the
mirror-image checks read the upper-face residual alone (compare.measure.upper_face_residual), the value of the
whole measurement's ``alignment.residual_mm``."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

import compare_pairs  # noqa: E402
from bench_compare_work import differences, flat  # noqa: E402

from facemetrics import analyze as an  # noqa: E402
from facemetrics import analyze_photo  # noqa: E402
from facemetrics.analyze import analyze_loaded, find_face, finish_face  # noqa: E402
from facemetrics.compare import faces as faces_mod  # noqa: E402
from facemetrics.compare.measure import _measure, upper_face_residual  # noqa: E402
from facemetrics.loader import load_photo  # noqa: E402

gt = importlib.import_module("facemetrics.compare.gate")  # (facemetrics.compare.gate is also a function's name)


@pytest.fixture(scope="module")
def three():
    """The sample's one-face canvas and its three-face canvas (bench_faces_cost.py), analysed."""
    _, one, several = compare_pairs.faces_pairs()[1]
    return analyze_photo(one, name="one.png"), analyze_photo(several, name="three.png")


def _same(x, y) -> list[str]:
    return differences(flat(x), flat(y))


def test_the_two_parts_give_the_whole_analysis_of_every_face(three):
    _, x = three
    assert x.n_faces == 3
    for k in range(3):
        whole = analyze_loaded(x.photo, name="three.png", face=k)
        found = find_face(x.photo, name="three.png", face=k)
        light = found.analysis
        assert whole.ok and light.ok
        # what the status needs, as the whole analysis has it; no measures yet
        assert light.quality is None and light.jaw is None and light.frame is None and light.nlf_left is None
        for f in ("status", "error", "n_faces", "warnings", "name"):
            assert getattr(light, f) == getattr(whole, f), f
        assert np.array_equal(light.points, whole.points) and not light.points.flags.writeable
        done = finish_face(found)
        assert _same(done, whole) == []
        # measured from the very arrays the status part found (so what was aligned with them is reused)
        assert done.points is light.points and done.photo is light.photo
        assert done.extra["eyes"] is light.extra["eyes"] and done.calibration is light.calibration
        assert "occlusion" not in light.extra  # the light analysis' own extra, not changed by finishing


@pytest.mark.parametrize("how", ["sideways", "upside down", "too small", "no face"])
def test_a_refused_face_is_refused_alike_and_finished_as_the_whole_analysis(sample_rgb, how):
    rgb = {"sideways": lambda r: np.rot90(r), "upside down": lambda r: np.rot90(r, 2),
           "too small": lambda r: cv2.resize(r, None, fx=0.12, fy=0.12, interpolation=cv2.INTER_AREA),
           "no face": lambda r: np.full_like(r, 128)}[how](sample_rgb)
    photo = load_photo(np.ascontiguousarray(rgb), name=f"{how}.png")
    whole = analyze_loaded(photo)
    found = find_face(photo)
    assert not whole.ok and found.analysis.status == whole.status and found.analysis.error == whole.error
    assert _same(finish_face(found), whole) == []


def test_a_failing_measure_is_an_error_row_as_in_the_whole_analysis(three, monkeypatch):
    _, x = three

    def broken(*a, **kw):
        raise RuntimeError("a bug")

    monkeypatch.setattr(an, "jaw_metrics", broken)
    whole = analyze_loaded(x.photo, name="three.png", face=1)
    found = find_face(x.photo, name="three.png", face=1)
    assert whole.status == "error" and found.analysis.ok  # the status part reads no measure
    assert _same(finish_face(found), whole) == []


def _counting(monkeypatch, names):
    calls = dict.fromkeys(names, 0)
    for n in names:
        fn = getattr(faces_mod, n)

        def run(*a, _fn=fn, _n=n, **kw):
            calls[_n] += 1
            return _fn(*a, **kw)
        monkeypatch.setattr(faces_mod, n, run)
    return calls


def test_the_face_matching_measures_every_face_whole_for_its_two_fits(three, monkeypatch):
    """Since 2026-12-05 (h2) each face is matched on the mean of both orders, so each face is the reference of one
    of its fits, which reads its frame, jaw and folds: every face is measured whole (the largest is the photo's own
    analysis), in either role of the pair, and the choice is the same."""
    one, x = three
    calls = _counting(monkeypatch, ("analyze_loaded",))
    after = faces_mod.matching_face(x, one)
    assert calls == {"analyze_loaded": x.n_faces - 1}, calls
    before = faces_mod.matching_face(x, one, x_label="before", reference_label="after")
    assert calls == {"analyze_loaded": 2 * (x.n_faces - 1)}, calls
    assert after.extra["face"] == before.extra["face"] == 1  # the subject's face, not the largest
    assert after.extra["face_residuals"] == before.extra["face_residuals"]


@pytest.fixture(scope="module")
def mirror_pairs():
    return {name: (analyze_photo(a, name="a.png"), analyze_photo(b, name="b.png"))
            for name, a, b in compare_pairs.mirror_pairs(analyze_photo)}


def test_the_mirror_checks_read_the_residual_of_the_whole_measurement(mirror_pairs):
    seen = set()
    for name, (a, b) in mirror_pairs.items():
        # each residual computed once (pure functions of the two analyses; computing them again for the last line
        # was 2.1 of the test's 6.3 s of CPU, 2026-12-06): the same values are compared and read
        mirrored, upper = gt.mirrored_residual_mm(a, b), upper_face_residual(a, b)
        assert mirrored == _measure(a, gt.mirrored(b)).alignment.residual_mm, name
        assert upper == _measure(a, b).alignment.residual_mm, name
        seen.add(gt.looks_mirrored(upper, mirrored))
    assert seen == {True, False}  # mirror images and pairs that are none


def test_the_mirror_checks_make_no_whole_measurement(mirror_pairs, monkeypatch):
    from facemetrics.compare import measure

    a, b = mirror_pairs["mirror: turned 15 deg against its mirror image"]
    said = gt.pose_mirror_messages(a, b)
    assert said and said[0].startswith(gt.MSG_MIRRORED)

    def never(*args):
        raise AssertionError("a whole measurement")

    monkeypatch.setattr(measure, "_measure", never)
    monkeypatch.setattr(gt, "_measure", never, raising=False)
    assert gt.pose_mirror_messages(a, b) == said
    assert gt.mirrored_residual_mm(a, b) < gt.MIRROR_MAX_FLIPPED_MM
