"""The framing gate (docs/compare.md, 'Framing'): a pair whose face fills the frames differently beyond
``MAX_FRAMING_RATIO`` reads its landmark-based rows ``uncertain`` with a message; the dense-flow lifts keep
their verdicts; a nuisance-only pair does not trip it.  Synthetic inputs from the bundled sample only."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

import facemetrics.compare as cp
from facemetrics import simulate
from facemetrics.compare import (
    MAX_FRAMING_RATIO, METRICS, MSG_FRAMING, UNCERTAIN, compare_photos, framing_ratio, framing_rows,
)


def _padded(rgb: np.ndarray, k: float) -> np.ndarray:
    """``rgb`` pasted centred into a white canvas ``k`` times its size."""
    h, w = rgb.shape[:2]
    ph, pw = int(round(h * (k - 1) / 2)), int(round(w * (k - 1) / 2))
    return cv2.copyMakeBorder(rgb, ph, ph, pw, pw, cv2.BORDER_CONSTANT, value=(255, 255, 255))


@pytest.fixture(scope="module")
def padded_pair(sample_analysis):
    # the framing gate apart from the same-picture rule: a padded or shifted copy of one picture reads every
    # row 'uncertain' since 2026-12-05 (compare._same_picture_rows), which would hide the gate's own rows
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(cp, "_same_picture_rows", lambda: ())
        return compare_photos(sample_analysis, _padded(sample_analysis.photo.rgb, 2.0))


def test_padded_2x_trips_the_framing_gate(padded_pair):
    c = padded_pair
    assert framing_ratio(c.before, c.after) > 1.8  # the face fills about half the width it did
    assert c.status == "warning"
    framing = [m for m in c.messages if m.startswith(MSG_FRAMING)]
    assert len(framing) == 1 and "same framing" in framing[0]
    rows = set(framing_rows(METRICS))
    assert ("jawline_lift_landmarks_mm", "mean") in rows and ("jawline_height_mm", "mean") in rows
    by = {(ch.metric, ch.side): ch for ch in c.changes}
    assert all(by[r].verdict == UNCERTAIN for r in rows)
    # the dense-flow lifts and the pose rows keep verdicts read against their floors
    flow = [ch for ch in c.changes if ch.metric.endswith("_lift_mm")]
    assert flow and all(ch.verdict != UNCERTAIN for ch in flow)
    assert by[("head_roll_change_deg", "mean")].verdict != UNCERTAIN
    # the flow-read jaw width keeps its verdict and reads no change (stop 63: 0 of 154 held-out re-framed,
    # off-centre and eyes-covered pairs beyond its floor); the oval width does not
    assert by[("jaw_width_flow_mm", "mean")].verdict == "within_noise"
    assert by[("jaw_width_mm", "mean")].verdict == UNCERTAIN


@pytest.mark.parametrize("name", ["scale_0.85", "shift", "bright_+15"])
def test_nuisance_pair_does_not_trip_it(sample_analysis, name, monkeypatch):
    monkeypatch.setattr(cp, "_same_picture_rows", lambda: ())  # the gate alone (padded_pair)
    c = compare_photos(sample_analysis, simulate.NUISANCES[name](sample_analysis).image)
    assert framing_ratio(c.before, c.after) <= MAX_FRAMING_RATIO
    assert not any(m.startswith(MSG_FRAMING) for m in c.messages)
    assert all(ch.verdict != UNCERTAIN for ch in c.changes if ch.metric == "jawline_height_mm")


def _screenshot(rgb: np.ndarray, k: float = 2.0) -> np.ndarray:
    """``rgb`` as on a phone screenshot: its width kept, black bars above and below making the picture
    ``k`` times as tall (docs/robustness.md, 'Phone capture audit')."""
    h = rgb.shape[0]
    bar = int(round(h * (k - 1) / 2))
    return cv2.copyMakeBorder(rgb, bar, bar, 0, 0, cv2.BORDER_CONSTANT, value=(0, 0, 0))


def test_a_screenshot_with_bars_trips_it_on_the_longer_side(sample_analysis):
    """The face fills the same share of the width, but the picture is twice as tall: the cue read on the
    width alone (1.00) let the landmark rows keep verdicts; on the longer side it reads about 2."""
    from facemetrics.compare.gate import face_fraction, framing_side
    c = compare_photos(sample_analysis, _screenshot(sample_analysis.photo.rgb))
    assert face_fraction(c.after) == pytest.approx(face_fraction(c.before), rel=0.05)  # width: framed alike
    assert framing_side(c.before, c.after) == "longer"
    assert framing_ratio(c.before, c.after) > 1.6
    framing = [m for m in c.messages if m.startswith(MSG_FRAMING)]
    assert len(framing) == 1 and "of the frame's longer side" in framing[0], c.messages
    by = {(ch.metric, ch.side): ch for ch in c.changes}
    assert all(by[r].verdict == UNCERTAIN for r in framing_rows(METRICS))


def test_a_pair_of_one_shape_reads_alike_on_either_side(padded_pair):
    """Padded alike on every side, the photo keeps its shape: the width's and the longer side's ratios agree,
    so the cue is what it was before the longer side was read."""
    from facemetrics.compare.gate import _fraction_ratio
    rw, rl = (_fraction_ratio(padded_pair.before, padded_pair.after, s) for s in ("width", "longer"))
    assert rl == pytest.approx(rw, rel=0.01)
    assert framing_ratio(padded_pair.before, padded_pair.after) == pytest.approx(max(rw, rl))
