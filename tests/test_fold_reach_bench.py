"""bench/fold_reach_lower.py's own parts: stop 39's fold lower end that follows the valley (failed its rule,
not in the package; ``bench/bench_fold_reach.py`` reproduces the negative with it).  On the synthetic skin of
tests/test_folds.py: it reads a valley that bends off the line, little on plain skin, the same as the
package above the bottom landmark, leaves the found line alone, and leaves the package unchanged outside
:func:`fold_reach_lower.following_valley`."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

import fold_reach_lower as low  # noqa: E402
from facemetrics import folds  # noqa: E402
from facemetrics.folds import fold_metrics  # noqa: E402
from facemetrics.geometry import NLF_PATH_LEFT, NLF_PATH_RIGHT  # noqa: E402
from test_folds import MM, H, W, _fading, _frame, _points, _skin  # noqa: E402


@pytest.fixture(scope="module")
def base():
    """tests/test_folds.py's synthetic face: textured skin, the fold chains, and the lines found on it."""
    img, pts, f = _skin(), _points(), _frame()
    return img, pts, f, {s: fold_metrics(img, pts, f, s) for s in ("right", "left")}


def _stroke(line_px: np.ndarray, start: np.ndarray, angle_deg: float, length_mm: float, fraction: float,
            side: str) -> np.ndarray:
    """Gains (H, W): a straight raised-cosine valley (half-width 2 mm) from ``start`` (px) over
    ``length_mm``, turned ``angle_deg`` towards the midline from the line's direction at its end
    (placed by geometry alone: it reads no evidence)."""
    d = line_px[-1] - line_px[-8]
    d /= np.linalg.norm(d)
    a = np.radians(angle_deg) * (1.0 if side == "right" else -1.0)  # image left: the midline is +x
    d = np.array([d[0] * np.cos(a) - d[1] * np.sin(a), d[0] * np.sin(a) + d[1] * np.cos(a)])
    yy, xx = np.mgrid[0:H, 0:W].astype(float)
    rel = np.stack([xx - start[0], yy - start[1]], -1) * MM
    s, t = rel @ d, np.abs(rel @ np.array([-d[1], d[0]]))
    along = 0.5 - 0.5 * np.cos(np.pi * np.clip(np.minimum(s + 1.0, length_mm + 1.0 - s), 0.0, 1.0))
    across = np.where(t < 2.0, 0.5 + 0.5 * np.cos(np.pi * t / 2.0), 0.0)
    return 1.0 - fraction * along * across


def _length(img, pts, f, side, line, follows: bool) -> float:
    with low.following_valley(follows):
        return fold_metrics(img, pts, f, side, line_px=line).length_mm


@pytest.mark.parametrize("side", ["right", "left"])
def test_lower_end_follows_a_valley_that_bends_off_the_line(base, side):
    """A fold that grows from the line's point at the bottom landmark towards the midline, 35 degrees off
    the line's direction, 8 mm long and 8 % darker: the valley-following end reads at least 4 mm more, and
    at least 2 mm more than the line's fixed end reads of it (which sees only its first millimetres)."""
    img, pts, f, found = base
    line = found[side].line_px
    bottom = pts[(NLF_PATH_RIGHT if side == "right" else NLF_PATH_LEFT)[-1]]
    start = line[int(np.argmin(np.linalg.norm(line - bottom, axis=1)))]
    grown = np.round(img * _stroke(line, start, 35.0, 8.0, 0.08, side))
    flat = np.round(img)
    gain = {follows: _length(grown, pts, f, side, line, follows) - _length(flat, pts, f, side, line, follows)
            for follows in (False, True)}
    assert gain[True] >= 4.0, gain
    assert gain[True] >= gain[False] + 2.0, gain


def test_lower_end_reads_little_on_plain_skin_and_is_searched_only_below_the_bottom_landmark(base):
    """On the plain textured skin the continuation adds less than a quarter of its reach; and a valley
    above the bottom landmark, on the line, is read the same with either end (the rows to the bottom
    landmark are the line's own)."""
    img, pts, f, found = base
    line = found["right"].line_px
    plain = np.round(img)
    extra = _length(plain, pts, f, "right", line, True) - _length(plain, pts, f, "right", line, False)
    assert extra < 0.25 * low.LOWER_REACH_MM, extra
    top = float(line[:, 1].min())
    upper = np.round(img * _fading(line, top, top + 0.3 * float(np.ptp(line[:, 1]))))
    d = {k: _length(upper, pts, f, "right", line, k) - _length(plain, pts, f, "right", line, k) for k in (False, True)}
    assert d[True] == pytest.approx(d[False], abs=0.3), d
    assert d[True] > 2.0, d


def test_lower_end_leaves_the_found_line_unchanged(base):
    """The valley-following end changes the length only: the found line (issue 10's fold-line accuracy
    is measured on it) is the same either way."""
    img, pts, f, _ = base
    lines = {}
    for k in (False, True):
        with low.following_valley(k):
            lines[k] = fold_metrics(img, pts, f, "right").line_px
    np.testing.assert_array_equal(lines[False], lines[True])


def test_the_switch_is_scoped_and_the_package_is_unchanged_outside_it(base):
    """Outside the block the package scores as before (its own ``_score``, restored even after an error),
    and ``on=False`` is the package's own length exactly; inside, the depth index and contrast are the
    package's (only the length is recomputed)."""
    img, pts, f, found = base
    line = found["right"].line_px
    plain = np.round(img)
    own = fold_metrics(plain, pts, f, "right", line_px=line)
    with low.following_valley(False):
        off = fold_metrics(plain, pts, f, "right", line_px=line)
    with low.following_valley(True):
        on = fold_metrics(plain, pts, f, "right", line_px=line)
    assert off.length_mm == own.length_mm
    assert (on.depth_index, on.contrast_pct) == (own.depth_index, own.contrast_pct)
    assert on.length_mm != own.length_mm
    with pytest.raises(RuntimeError):
        with low.following_valley(True):
            raise RuntimeError("inside")
    assert folds._score is low.PACKAGE_SCORE
    assert fold_metrics(plain, pts, f, "right", line_px=line).length_mm == own.length_mm
