"""bench/bench_jaw_covers.py --h10 (stop 42): the stayed-overlap cue of a cover in both photos and the rule's
arithmetic (a candidate that failed its rule on tuning; nothing of it is in the package)."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

from facemetrics import analyze_photo  # noqa: E402
from facemetrics.geometry import JAW_CHAIN_RIGHT  # noqa: E402


def _patched(rgb, centre, half_px, shift_px=(0, 0)):
    """``rgb`` with a dark blue square (a cover no skin reads like) of half side ``half_px`` at ``centre``."""
    out = rgb.copy()
    cx, cy = int(round(centre[0] + shift_px[0])), int(round(centre[1] + shift_px[1]))
    out[cy - half_px:cy + half_px, cx - half_px:cx + half_px] = (30, 40, 120)
    return out


@pytest.fixture(scope="module")
def patched_pairs(sample_analysis):
    a = sample_analysis
    chain = list(JAW_CHAIN_RIGHT)
    centre = np.asarray(a.points, np.float64)[chain[len(chain) // 2], :2]
    half = int(round(6.0 / a.mm_per_px))  # 12 mm square over the subject's right jaw line
    move = 6.0 / a.mm_per_px  # moved 6 mm (half the patch) along the image's x
    x = analyze_photo(_patched(a.photo.rgb, centre, half), name="p0.png")
    same = analyze_photo(_patched(a.photo.rgb, centre, half), name="p1.png")
    moved = analyze_photo(_patched(a.photo.rgb, centre, half, (move, 0)), name="p2.png")
    assert x.ok and same.ok and moved.ok
    return x, same, moved


def test_the_overlap_is_one_where_the_cover_stayed_and_less_where_it_moved(patched_pairs):
    from bench_jaw_covers import stayed_cue

    x, same, moved = patched_pairs
    s_same, d_same = stayed_cue(x, same, ["jaw_right"])
    s_moved, d_moved = stayed_cue(x, moved, ["jaw_right"])
    assert s_same > 0.95, s_same  # the same pixels: the same cells
    assert s_moved < s_same - 0.2, (s_same, s_moved)
    assert d_moved > d_same, (d_same, d_moved)


def _df(rows):
    base = dict(status="ok", desc="")
    return pd.DataFrame([dict(base, **r) for r in rows])


def test_the_rule_counts_moved_pairs_false_rows_and_regained_lift_rows():
    from bench_jaw_covers import LIFT_ROWS, h10_check, h10_verdicts

    rows = []
    # a lift pair, the cover stayed (S 0.9): C3 took three lift rows that read 'lift' without it
    rows += [dict(face="f1", kind="lift", cond="both", cover="hair", metric=m, side="right", verdict="uncertain",
                  verdict_off="lift", both="jaw_right", stayed=0.9) for m in LIFT_ROWS]
    # a no-change pair, the cover moved 2 mm (S 0.65): C3 took a false jawline lift
    rows.append(dict(face="f1", kind="nochange", cond="shifted2", cover="hair", metric="jawline_lift_mm",
                     side="right", verdict="uncertain", verdict_off="lift", both="jaw_right", stayed=0.65))
    # a clean pair, nothing flagged
    rows.append(dict(face="f1", kind="nochange", cond="clean", cover="-", metric="jawline_lift_mm", side="right",
                     verdict="within_noise", verdict_off="within_noise", both=np.nan, stayed=np.nan))
    df = _df(rows)
    assert list(h10_verdicts(df, 0.8)) == ["lift"] * 3 + ["uncertain", "within_noise"]
    hi, lo = h10_check(df, 0.8), h10_check(df, 0.6)
    assert (hi["moved_passing"], hi["false_rise"], hi["regained"], hi["taken"], hi["passes"]) == (0, 0, 3, 3, True)
    assert (lo["moved_passing"], lo["false_rise"], lo["passes"]) == (1, 1, False)
