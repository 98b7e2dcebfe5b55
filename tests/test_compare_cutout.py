"""The cut-out gate (docs/compare.md, 'Cut-out photos'): a pair of which exactly one photo has a transparent
background warns (``MSG_CUT_OUT``) and reads the jaw rows (and the rows a cut-out moved on the tuning faces)
``uncertain``; the other rows keep their verdicts; two cut-outs and two opaque photos are not named.
Synthetic inputs from the bundled sample only (the real-face figures: bench/bench_cutout_compare.py)."""

from __future__ import annotations

import io
import re

import cv2
import numpy as np
import pytest
from PIL import Image

from facemetrics import analyze_photo
from facemetrics.compare import (
    MAX_CUT_EDGE_DIFFERENCE, METRICS, MSG_CUT_DIFFERENTLY, MSG_CUT_OUT, UNCERTAIN, compare_photos, cut_edge_opacity,
    cut_out_differs, cut_out_rows, transparency,
)


def _png(rgb: np.ndarray, alpha: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(np.dstack([rgb, alpha]), "RGBA").save(buf, "PNG", compress_level=1)
    return buf.getvalue()


def _ellipse_alpha(shape, points, grow: float) -> np.ndarray:
    """Opaque inside an ellipse around the face's landmarks' box grown by ``grow`` and a neck column below it,
    transparent outside, a soft edge: a hand-drawn-like cut, not Face Mesh's oval."""
    p = np.asarray(points)[:468, :2]
    (x0, y0), (x1, y1) = p.min(0), p.max(0)
    c, axes = ((x0 + x1) / 2, (y0 + y1) / 2), ((x1 - x0) * (1 + grow), (y1 - y0) * (1 + grow))
    mask = np.zeros(shape[:2], np.uint8)
    cv2.ellipse(mask, (c, axes, 0.0), 255, -1)
    w = (x1 - x0) * 0.35
    cv2.rectangle(mask, (int(c[0] - w), int(c[1])), (int(c[0] + w), shape[0]), 255, -1)
    return cv2.GaussianBlur(mask, (15, 15), 0)


@pytest.fixture(scope="module")
def cut_out(sample_analysis):
    rgb = sample_analysis.photo.rgb
    result = analyze_photo(_png(rgb, _ellipse_alpha(rgb.shape, sample_analysis.points, 0.15)), name="cut.png")
    assert result.ok, result.error
    return result


def test_a_cut_out_is_named_as_one(sample_analysis, cut_out):
    assert transparency(cut_out) == "cut out"
    assert transparency(sample_analysis) == ""
    assert cut_out_differs(sample_analysis, cut_out) and cut_out_differs(cut_out, sample_analysis)
    assert not cut_out_differs(cut_out, cut_out) and not cut_out_differs(sample_analysis, sample_analysis)


@pytest.mark.parametrize("order", ["cut_after", "cut_before"])
def test_one_cut_out_warns_and_reads_the_jaw_rows_uncertain(sample_analysis, cut_out, order):
    a, b = (sample_analysis, cut_out) if order == "cut_after" else (cut_out, sample_analysis)
    c = compare_photos(a, b)
    assert c.status == "warning"
    msgs = [m for m in c.messages if m.startswith(MSG_CUT_OUT)]
    assert len(msgs) == 1
    assert ("the after photo" if order == "cut_after" else "the before photo") in msgs[0]
    rows = set(cut_out_rows(METRICS))
    assert {("jaw_width_mm", "mean"), ("jaw_angle_deg", "left"), ("lower_face_area_mm2", "mean"),
            ("cheek_height_mm", "right")} <= rows
    by = {(ch.metric, ch.side): ch for ch in c.changes}
    assert all(by[r].verdict == UNCERTAIN for r in rows)
    # the folds, the cheek and mouth dense-flow lifts and the pose rows keep a verdict
    kept = [ch for ch in c.changes if (ch.metric, ch.side) not in rows
            and (ch.metric.startswith("nlf_") or ch.metric in ("cheek_lift_mm", "mouth_corner_lift_mm"))]
    assert kept and all(ch.verdict != UNCERTAIN for ch in kept)
    assert by[("head_roll_change_deg", "mean")].verdict != UNCERTAIN


def test_two_cut_outs_alike_are_not_named(sample_analysis, cut_out):
    rgb = sample_analysis.photo.rgb
    other = _png(rgb, _ellipse_alpha(rgb.shape, sample_analysis.points, 0.3))  # cut wider, but both clear the jaw
    c = compare_photos(cut_out, other)
    assert abs(cut_edge_opacity(c.before) - cut_edge_opacity(c.after)) <= MAX_CUT_EDGE_DIFFERENCE
    assert not cut_out_differs(c.before, c.after)
    assert not any(m.startswith((MSG_CUT_OUT, MSG_CUT_DIFFERENTLY)) for m in c.messages)
    assert c.changes and all(ch.verdict != UNCERTAIN for ch in c.changes if ch.metric == "jaw_width_mm")


def test_opaque_pair_is_not_named(sample_analysis, sample_resaved, monkeypatch):
    # the cut-out check apart from the same-picture rule (a copy of one picture reads every row 'uncertain' since
    # 2026-12-05: compare._same_picture_rows), which this pair would otherwise meet
    import facemetrics.compare as cp

    monkeypatch.setattr(cp, "_same_picture_rows", lambda: ())
    c = compare_photos(sample_analysis, sample_resaved)
    assert not any(m.startswith(MSG_CUT_OUT) for m in c.messages)
    assert all(ch.verdict != UNCERTAIN for ch in c.changes if ch.metric == "jaw_width_mm")


def test_a_faded_photo_is_named_too(sample_analysis):
    rgb = sample_analysis.photo.rgb
    faded = analyze_photo(_png(rgb, np.full(rgb.shape[:2], 230, np.uint8)), name="faded.png")
    assert faded.ok and transparency(faded) == "faded"
    c = compare_photos(sample_analysis, faded)
    msgs = [m for m in c.messages if m.startswith(MSG_CUT_OUT)]
    assert len(msgs) == 1 and "partly transparent too" in msgs[0]


def test_two_cut_outs_cut_differently_beside_the_jaw_are_named(sample_analysis, cut_out):
    rgb = sample_analysis.photo.rgb
    close = analyze_photo(_png(rgb, _ellipse_alpha(rgb.shape, sample_analysis.points, 0.05)), name="close.png")
    assert close.ok and transparency(close) == "cut out"
    assert cut_edge_opacity(close) < 0.6 < cut_edge_opacity(cut_out)  # the close cut runs along the jaw
    assert cut_edge_opacity(sample_analysis) == 1.0
    c = compare_photos(close, cut_out)
    msgs = [m for m in c.messages if m.startswith(MSG_CUT_DIFFERENTLY)]
    assert c.status == "warning" and len(msgs) == 1, msgs
    assert re.search(r"the before photo is \d+ % opaque and the after photo \d+ %", msgs[0]), msgs
    assert not any(m.startswith(MSG_CUT_OUT) for m in c.messages)
    by = {(ch.metric, ch.side): ch for ch in c.changes}
    assert all(by[r].verdict == UNCERTAIN for r in cut_out_rows(METRICS))
