"""compare_photos' before repeats that disagree with its before photo (facemetrics.compare.disagreement): the batch's
rule and words from the Python API, as `facemetrics compare --before-repeat` and the batch say them.

Stop 40's repro (docs/compare.md, 'Before photos that disagree'): the sample's before photo, its copy turned 2 deg
and scaled 0.92 (JPEG 92) as the after photo, and the sample's 1.5 mm-lifted after photo given as a repeat of the
before photo: a 20.16 mm jawline floor, every verdict within it.
"""

from __future__ import annotations

import dataclasses
import io
from pathlib import Path

import cv2
import pandas as pd
import pytest

from conftest import SAMPLES
from facemetrics import analyze_photo, compare_photos
from facemetrics.cli import main
from facemetrics.compare import MSG_FLOORS_FROM_DISAGREEMENT, MSG_REPEATS_DISAGREE
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
