"""The fold contrast (``nlf_contrast_pct``) on a synthetic valley whose truth is unambiguous, and the comparison's
check of its 4 mm skin references (docs/robustness.md 'The fold contrast row read 'shallower' on deepened folds').

The valley (Gaussian, sigma 1 mm) lies along a fixed line and leaves the skin 4 mm either side untouched
(exp(-8) of its darkening), so the contrast read along that line must rise with its darkness.  Read along a line
3 mm beside it (the after photo's line carried by a flow that took part of the darkening for motion, the mechanism of
the 'shallower' rows), one reference lies in the valley: the contrast falls, and the reference check must catch it.
"""

from __future__ import annotations

import numpy as np
import pytest

from facemetrics.compare import FOLD_CONTRAST_SIDE_CHANGE_PCT, MSG_FOLD_CONTRAST_SIDES, fold_contrast_side_rows
from facemetrics.folds import contrast_side_levels, fold_metrics, score_fold_line
from facemetrics.geometry import NLF_PATH_LEFT, NLF_PATH_RIGHT

from test_folds import W, _distance_mm, _frame, _offset, _points, _skin, _valley

FRACTIONS = (0.0, 0.05, 0.10, 0.20, 0.30)


@pytest.fixture(scope="module")
def scene():
    img, pts, f = _skin(), _points(), _frame()
    lines = {s: fold_metrics(img, pts, f, s).line_px for s in ("right", "left")}
    return img, pts, f, lines


def _contrast(img, pts, f, side, line):
    return score_fold_line(img, pts, f, side, line)[1]


def _change_pct(before, after):
    return tuple(100.0 * (y / x - 1.0) for x, y in zip(before, after))


@pytest.mark.parametrize("side", ["right", "left"])
def test_contrast_rises_with_the_darkness_of_a_valley_on_the_line(scene, side):
    img, pts, f, lines = scene
    d = _distance_mm(lines[side])
    c = [_contrast(img * _valley(d, fr, 1.0), pts, f, side, lines[side]) for fr in FRACTIONS]
    assert np.all(np.diff(c) > 0), c
    # 30 % at the centre, sides untouched: about 30 points of contrast, not a fraction of it
    assert c[-1] - c[0] > 20.0, c
    # the references are the untouched skin: they move by far less than the check's threshold
    sides = _change_pct(contrast_side_levels(img, pts, f, side, lines[side]),
                        contrast_side_levels(img * _valley(d, 0.3, 1.0), pts, f, side, lines[side]))
    assert max(abs(x) for x in sides) < 0.5, sides
    assert fold_contrast_side_rows({side: sides}) == ((), [])


def test_contrast_and_references_under_brightness_scaling(scene):
    img, pts, f, lines = scene
    fold = img * _valley(_distance_mm(lines["left"]), 0.2, 1.0)
    ref = _contrast(fold, pts, f, "left", lines["left"])
    levels = contrast_side_levels(fold, pts, f, "left", lines["left"])
    for gain in (0.6, 1.3):
        assert _contrast(fold * gain, pts, f, "left", lines["left"]) == pytest.approx(ref, rel=1e-4, abs=1e-4)
        np.testing.assert_allclose(contrast_side_levels(fold * gain, pts, f, "left", lines["left"]),
                                   np.multiply(levels, gain), rtol=1e-4)


def test_mirroring_swaps_sides_and_the_references_medial_and_lateral(scene):
    img, pts, f, lines = scene
    # a valley along the right fold line and a fainter, wider one 4 mm lateral of it: the references differ
    fold = (img * _valley(_distance_mm(lines["right"]), 0.2, 1.0)
            * _valley(_distance_mm(_offset(lines["right"], -4.0)), 0.1, 1.5))
    mirrored = np.ascontiguousarray(fold[:, ::-1])
    mpts = pts.copy()
    mpts[:, 0] = W - 1 - pts[:, 0]
    mpts[list(NLF_PATH_RIGHT)], mpts[list(NLF_PATH_LEFT)] = mpts[list(NLF_PATH_LEFT)], mpts[list(NLF_PATH_RIGHT)]
    mline = lines["right"].copy()
    mline[:, 0] = W - 1 - mline[:, 0]
    a, b = _contrast(fold, pts, f, "right", lines["right"]), _contrast(mirrored, mpts, f, "left", mline)
    assert b == pytest.approx(a, rel=0.02, abs=0.1)
    la, lb = contrast_side_levels(fold, pts, f, "right", lines["right"]), contrast_side_levels(mirrored, mpts, f,
                                                                                                "left", mline)
    np.testing.assert_allclose(lb, la, rtol=0.01)
    assert la[1] < la[0] - 5  # the lateral reference is the darker one, on both
    # the image's other side is flat skin: no contrast there
    assert abs(_contrast(fold, pts, f, "left", lines["left"])) < 3.0


@pytest.mark.parametrize("side,shift_mm", [("right", 3.0), ("right", -3.0), ("left", 3.0)])
def test_a_line_beside_the_new_valley_reads_shallower_and_the_check_catches_it(scene, side, shift_mm):
    """The mechanism of the 'shallower' rows: the valley deepened on the before line, the after photo read along a
    line ``shift_mm`` beside it (image x), so one 4 mm reference lies in the valley."""
    img, pts, f, lines = scene
    line = lines[side]
    after = img * _valley(_distance_mm(line), 0.25, 1.5)
    beside = _offset(line, shift_mm)
    change = _contrast(after, pts, f, side, beside) - _contrast(img, pts, f, side, line)
    assert change < -3.0, change  # the wrong direction the shipped row read, past the 3 % floor
    sides = _change_pct(contrast_side_levels(img, pts, f, side, line),
                        contrast_side_levels(after, pts, f, side, beside))
    rows, msgs = fold_contrast_side_rows({side: sides})
    assert rows == (("nlf_contrast_pct", side),), sides
    assert msgs and msgs[0].startswith(MSG_FOLD_CONTRAST_SIDES) and side in msgs[0]


def test_reference_check_threshold_skip_and_unread():
    x = FOLD_CONTRAST_SIDE_CHANGE_PCT
    assert fold_contrast_side_rows({"right": (x, -x), "left": (0.0, 0.0)}) == ((), [])
    rows, msgs = fold_contrast_side_rows({"right": (0.0, -x - 0.1), "left": (x + 0.1, 0.0)})
    assert rows == (("nlf_contrast_pct", "right"), ("nlf_contrast_pct", "left")) and len(msgs) == 1
    assert "right" in msgs[0] and "left" in msgs[0] and f"{x:.0f} %" in msgs[0]
    assert fold_contrast_side_rows({"right": (20.0, 0.0)}, skip=(("nlf_contrast_pct", "right"),)) == ((), [])
    # a reference not read (no span row, a black before photo): no verdict either
    assert fold_contrast_side_rows({"left": (float("nan"), 0.0)})[0] == (("nlf_contrast_pct", "left"),)
    assert fold_contrast_side_rows({}) == ((), [])


def test_bench_table_reads_uncertain_rows_back_and_picks_the_largest_x(tmp_path):
    """bench/bench_fold_contrast.py's arithmetic: a row the check made uncertain is read back from its change and
    floor; the largest candidate leaving <= 1 deepened 'shallower' and touching <= 10 % of the no-change rows wins."""
    import sys
    from pathlib import Path

    import pandas as pd

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
    from bench_fold_contrast import table

    def row(kind, change, v, med, lat):
        return dict(face="f.jpg", kind=kind, side="right", status="ok", contrast=change, contrast_floor=3.0,
                    contrast_v=v, depth=2.0, depth_v="deeper", med_pct=med, lat_pct=lat,
                    flow_shift_mm=3.0 if kind == "deepen" else np.nan, valley_offset_mm=-3.0 if kind == "deepen" else np.nan)

    rows = [row("nuisance", 0.1, "within_noise", 0.5, -0.4) for _ in range(20)]
    rows += [row("deepen", 9.0, "deeper", -1.0, 0.5) for _ in range(10)]
    rows += [row("deepen", -5.0, "uncertain", -13.0, 0.0),    # 'shallower' before the check
             row("deepen", -4.0, "shallower", -10.0, 0.0),    # caught from 8 % down
             row("deepen", -4.0, "shallower", -6.0, 0.0)]     # caught from 5 % down
    csv = tmp_path / "t.csv"
    pd.DataFrame(rows).to_csv(csv, index=False)
    assert table(csv) == 8.0
    rows += [row("nuisance", 0.1, "within_noise", 10.0, 0.0) for _ in range(3)]  # 3 of 23 no-change rows > 8 %
    pd.DataFrame(rows).to_csv(csv, index=False)
    assert table(csv) is None  # 12 leaves two 'shallower', 8 and below touch 13 % of the no-change rows
    rows = [r for r in rows if r["med_pct"] != -6.0]
    pd.DataFrame(rows).to_csv(csv, index=False)
    assert table(csv) == 12.0


def test_a_black_face_gives_no_contrast_and_no_warning(scene):
    """Skin references of 0 (a black or blanked region, as the real-photo fuzz's damaged photos have) leave the
    contrast undefined: NaN, without numpy's "invalid value encountered in divide" on stderr (stop 54, the fuzz
    printed it many times)."""
    import warnings

    img, pts, f, lines = scene
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        contrast = _contrast(np.zeros_like(img), pts, f, "right", lines["right"])
    assert np.isnan(contrast)


def test_reference_changes_carry_their_uncertainty():
    """Stop 62 (h7): "right -40.0 % medial, +3.0 % lateral" gave the references' changes without a ±: now each with
    the 95th percentile of a reference's change over light-free nuisance pairs (``FOLD_CONTRAST_SIDE_REPEAT_FLOOR_PCT``,
    bench/contrast_sides_uncertainty.py); a reference not read stays "n/a %"."""
    import sys
    from pathlib import Path

    from facemetrics.compare.fold_lines import FOLD_CONTRAST_SIDE_REPEAT_FLOOR_PCT

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
    import audit_units as audit

    assert FOLD_CONTRAST_SIDE_REPEAT_FLOOR_PCT == 0.45
    _, (msg,) = fold_contrast_side_rows({"right": (-40.0, 3.0), "left": (float("nan"), 0.0)})
    assert "(right -40.0 ± 0.5 % medial, +3.0 ± 0.5 % lateral; left n/a % medial, 0.0 ± 0.5 % lateral; more than" in msg
    _, (msg,) = fold_contrast_side_rows({"right": (-40.0, 3.0)})
    assert [f.rule for f in audit.audit_text(msg, "t")] == [], msg
