"""compare_photos' before repeats that disagree with its before photo (facemetrics.compare.disagreement): the batch's
rule and words from the Python API, as `facemetrics compare --before-repeat` and the batch say them.

Stop 40's repro (docs/compare.md, 'Before photos that disagree'): the sample's before photo, its copy turned 2 deg
and scaled 0.92 (JPEG 92) as the after photo, and the sample's 1.5 mm-lifted after photo given as a repeat of the
before photo: a 20.16 mm jawline floor, every verdict within it.
"""

from __future__ import annotations

import dataclasses
import io
import json
from pathlib import Path

import cv2
import pandas as pd
import pytest

from conftest import SAMPLES
import facemetrics.compare as compare_module
from facemetrics import SettingError, analyze_photo, compare_photos
from facemetrics.cli import main
from facemetrics.compare import MSG_FLOORS_FROM_DISAGREEMENT, MSG_REPEATS_DISAGREE, check_before_repeats
from facemetrics.compare.disagreement import result_dict, with_repeat_disagreement
from facemetrics.compare.table import POSE_METRICS, UNCERTAIN

BEFORE, LIFTED = SAMPLES / "astronaut_before.jpg", SAMPLES / "astronaut_after.jpg"


@pytest.fixture(scope="module")
def moved(tmp_path_factory) -> Path:
    """The before photo turned 2 deg and scaled 0.92 about its centre, JPEG 92 (stop 40's repro)."""
    bgr = cv2.imread(str(BEFORE))
    h, w = bgr.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), 2.0, 0.92)
    dst = tmp_path_factory.mktemp("moved") / "moved.jpg"
    cv2.imwrite(str(dst), cv2.warpAffine(bgr, m, (w, h), borderMode=cv2.BORDER_REPLICATE),
                [cv2.IMWRITE_JPEG_QUALITY, 92])
    return dst


@pytest.fixture(scope="module")
def disagreeing(moved):
    """The repro's comparison from Python, the repeat given as a path."""
    return compare_photos(str(BEFORE), str(moved), before_repeats=[str(LIFTED)])


@pytest.fixture(scope="module")
def analysed(moved) -> tuple:
    """The before photo, the lifted after photo and the turned copy analysed (``analyze_photo`` of each path), made
    once for the tests that give the photos as analyses and only read them."""
    return tuple(analyze_photo(str(p)) for p in (BEFORE, LIFTED, moved))


def _said(c) -> list[str]:
    return [m.split(":")[0] for m in c.messages if m.startswith((MSG_REPEATS_DISAGREE, MSG_FLOORS_FROM_DISAGREEMENT))]


def test_compare_photos_says_when_its_before_repeat_disagrees(disagreeing):
    """The Python call said nothing (the check lived in the CLI, then in batch/, called only by cli.py): a 20 mm
    floor and every verdict within it.  Now the call itself gives the batch's status, two messages and verdicts."""
    c = disagreeing
    assert c.status == "warning"
    assert _said(c) == [MSG_REPEATS_DISAGREE, MSG_FLOORS_FROM_DISAGREEMENT], c.messages
    head = next(m for m in c.messages if m.startswith(MSG_REPEATS_DISAGREE))
    assert f"{LIFTED} against {BEFORE} reads jawline_lift_mm +1.59 mm (noise floor 0." in head, head
    assert "unreliable (verdict 'uncertain'" in head
    floors = next(m for m in c.messages if m.startswith(MSG_FLOORS_FROM_DISAGREEMENT))
    assert "12.7 x its one repeat pair's difference" in floors and "jawline_lift_mm 20.16 mm" in floors, floors
    read = [ch for ch in c.changes if ch.verdict]
    assert read and all((ch.verdict == UNCERTAIN) == (ch.metric not in POSE_METRICS) for ch in read), \
        [(ch.metric, ch.side, ch.verdict) for ch in read]


def test_without_the_check_compare_photos_gives_its_own_result(disagreeing, moved):
    """``check_repeats=False`` (the batch's and the app's call: they check a session's before photos themselves)
    gives compare's own result: the same values and floors, none of the check's messages or verdicts."""
    raw = compare_photos(str(BEFORE), str(moved), before_repeats=[str(LIFTED)], check_repeats=False)
    assert _said(raw) == [] and raw.status == "ok", raw.messages
    assert [m for m in disagreeing.messages if m not in raw.messages] and \
        [m for m in disagreeing.messages if m in raw.messages] == list(raw.messages)
    jaw = {(ch.metric, ch.side): ch for ch in raw.changes}[("jawline_lift_mm", "mean")]
    assert jaw.verdict == "within_noise" and jaw.noise_floor == pytest.approx(20.16, abs=0.01)
    pd.testing.assert_frame_equal(raw.to_frame().drop(columns="verdict"), disagreeing.to_frame().drop(columns="verdict"))


def test_the_cli_and_the_python_call_give_the_same_result(disagreeing, moved, tmp_path, capsys):
    """One rule in one place: `facemetrics compare --before-repeat` writes the Python call's status, messages and
    verdicts (it calls compare_photos and adds nothing of its own)."""
    assert main(["compare", str(BEFORE), str(moved), "--before-repeat", str(LIFTED), "-o", str(tmp_path)]) == 0
    capsys.readouterr()
    f = pd.read_csv(tmp_path / "comparison.csv", dtype=str, keep_default_na=False)
    assert (f.status == disagreeing.status).all()
    assert (f.messages == "; ".join(disagreeing.messages)).all()
    assert f.verdict.tolist() == [ch.verdict or "" for ch in disagreeing.changes]


def test_uploads_and_analyses_are_named_by_their_names(moved):
    """A repeat given as an upload (a file object: the app's) or an analysis is named by its name, not by its
    object's repr; the before photo given as an analysis too."""
    before = analyze_photo(str(BEFORE), name="before.jpg")
    upload = io.BytesIO(LIFTED.read_bytes())
    upload.name = "lifted.jpg"
    c = compare_photos(before, str(moved), before_repeats=upload)  # one photo alone: one repeat
    head = next(m for m in c.messages if m.startswith(MSG_REPEATS_DISAGREE))
    assert ": lifted.jpg against before.jpg reads jawline_lift_mm +1.59 mm" in head, head


def test_a_repeat_that_agrees_changes_nothing(moved):
    """The turned copy given as the repeat of the sample pair agrees with the before photo: compare's own result
    (the lift read as a lift), nothing of the check said."""
    c = compare_photos(str(BEFORE), str(LIFTED), before_repeats=[str(moved)])
    assert _said(c) == [] and c.status == "ok", c.messages
    assert {(ch.metric, ch.side): ch.verdict for ch in c.changes}[("jawline_lift_mm", "mean")] == "lift"


def test_the_check_needs_one_comparison_per_repeat(disagreeing):
    """``with_repeat_disagreement`` judges the checks it is given, one per repeat; a count that does not match is
    a caller's error, not a silent zip; with no repeat, or a refused comparison, ``c`` itself."""
    c = disagreeing
    with pytest.raises(ValueError, match="1 checks for 2 repeats"):
        with_repeat_disagreement(c, "b.jpg", ["r1.jpg", "r2.jpg"], [c])
    assert with_repeat_disagreement(c, "b.jpg", [], []) is c
    refused = dataclasses.replace(c, status="refused")
    assert with_repeat_disagreement(refused, "b.jpg", ["r.jpg"], [c]) is refused
    assert result_dict(c)["status"] == "warning" and len(result_dict(c)["rows"]) == len(c.changes)


def _bytes(c) -> bytes:
    """A comparison as the batch keeps it (``result_dict``), written with every float's repr (bit-exact)."""
    return json.dumps(result_dict(c), sort_keys=True, default=str).encode()


@pytest.fixture()
def checks_made(monkeypatch):
    """How many times compare_photos made the checks of its before repeats itself (each: one comparison per
    repeat)."""
    made = []
    real = compare_module._repeat_checks
    monkeypatch.setattr(compare_module, "_repeat_checks", lambda *a: made.append(1) or real(*a))
    return made


def test_repeats_checked_once_give_the_same_result_to_the_bit(analysed, checks_made):
    """A loop over after photos of one before photo with its repeats checks them once (check_before_repeats, then
    ``repeats_checked=``): each call makes no check of its own and gives the bytes of the call that makes it, for
    a repeat that agrees (the sample pair, the turned copy as the repeat) and one that disagrees (stop 40's
    repro), the photos given as analyses."""
    before, after, turned = analysed
    for repeat, other in ((turned, after), (after, turned)):
        checked = check_before_repeats(before, [repeat])
        assert len(checked.checks) == 1 and checked.checks[0].after is repeat
        del checks_made[:]
        reused = compare_photos(before, other, before_repeats=[repeat], repeats_checked=checked)
        assert checks_made == []
        fresh = compare_photos(before, other, before_repeats=[repeat])
        assert checks_made == [1]
        assert _bytes(reused) == _bytes(fresh)
        assert reused.status == ("ok" if repeat is turned else "warning"), reused.messages


def test_repeats_checked_once_match_photos_given_as_files(disagreeing, moved, checks_made):
    """Photos given as files are analysed again by each call: the check made once is matched by their content
    (the same names, files and landmarks) and reused; the result is the call's that checks them itself."""
    checked = check_before_repeats(str(BEFORE), [str(LIFTED)])
    del checks_made[:]
    c = compare_photos(str(BEFORE), str(moved), before_repeats=[str(LIFTED)], repeats_checked=checked)
    assert checks_made == [] and _bytes(c) == _bytes(disagreeing)
    assert c.status == "warning" and _said(c) == [MSG_REPEATS_DISAGREE, MSG_FLOORS_FROM_DISAGREEMENT]


def test_repeats_checked_for_other_photos_or_settings_are_refused(analysed, moved, checks_made):
    """A check made for another before photo, other repeats or other settings is a caller's error (a clear
    SettingError), not a silent reuse; one made with another analysis of the same photos (here its warnings
    edited: what the face matching does to a chosen face) is not reused but made again, with the same result."""
    before, after, turned = analysed
    checked = check_before_repeats(before, [turned])
    with pytest.raises(SettingError, match="made for the before photo astronaut_before.jpg and its repeats moved.jpg"):
        compare_photos(before, after, before_repeats=[after], repeats_checked=checked)
    with pytest.raises(SettingError, match="made with mm_per_px=None"):
        compare_photos(str(BEFORE), str(LIFTED), before_repeats=[str(moved)], repeats_checked=checked, ipd_mm=63)
    with pytest.raises(SettingError, match="must be a RepeatCheck"):
        compare_photos(before, after, before_repeats=[turned], repeats_checked=[checked])
    with pytest.raises(SettingError, match="at least one repeat"):
        check_before_repeats(before, [])
    edited = check_before_repeats(dataclasses.replace(before, warnings=("edited",)), [turned])
    del checks_made[:]
    c = compare_photos(before, after, before_repeats=[turned], repeats_checked=edited)
    assert checks_made == [1]
    assert _bytes(c) == _bytes(compare_photos(before, after, before_repeats=[turned]))
    # without the check, the check made beforehand is not read
    raw = compare_photos(before, after, before_repeats=[turned], repeats_checked=edited, check_repeats=False)
    assert _bytes(raw) == _bytes(compare_photos(before, after, before_repeats=[turned], check_repeats=False))


def test_a_scale_share_that_rounds_to_zero_reads_as_a_bound_in_the_message():
    """The disagreement message's "scale ±" follows the CLI's rule (``rounding.fixed_uncertainty``, Round 22): a
    share that rounds to zero at 2 decimals reads "< 0.005 mm", never "± 0.00 mm" (read as no uncertainty)."""
    from facemetrics.compare.disagreement import _scale_text

    assert _scale_text({"change": 0.3, "unit": "mm", "change_scale_sd": 0.001}) == ", scale ± < 0.005 mm"
    assert _scale_text({"change": 1.5, "unit": "mm", "change_scale_sd": 0.07}) == ", scale ± 0.07 mm"
