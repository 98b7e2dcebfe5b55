"""A decay fit that is not resolved must not look resolved (h12, 2026-12-05).

A demo audit found report.md printing "half-life 1986.1 h [14.6, 4433.1]", transient -2.63, lasting +2.10, with
the last photo at 336 h, and timeline.png drawing a curve with its band for a fit report.md called "not
resolved".  The rule (docs/validation.md, section 5): a half-life, or its 95 % CI's upper end, beyond the last
photo's time, or a CI over 10x wide, is not resolved; report.md, timeline.png and the app follow it.

Synthetic series whose truth is not the method's exponential: a straight fade of 2 mm lasting about 100 h
observed to 48 h (the slow fade), and a hyperbolic fade 2 / (1 + t / 3) (a fast fade the fit resolves).
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PolyCollection
from matplotlib.colors import to_rgb

from facemetrics.decay import analyze_series
from facemetrics.decay.claim import BEYOND_SPAN, TOO_WIDE, decay_resolved, unresolved_span
from facemetrics.plots import NOT_RESOLVED_GID, fit_resolved, plot_timeline
from facemetrics.report import timeline_markdown

TIMES = (-0.5, 1, 2, 4, 8, 12, 24, 36, 48)


def _series(truth, treatment: str, seed: int) -> list[dict]:
    rng = np.random.default_rng(seed)
    return [dict(subject=f"S{s + 1}", treatment=treatment, hours_since_treatment=float(t), metric="jawline_lift_mm",
                 side="mean", value=(0.0 if t < 0 else truth(t)) + rng.normal(0.0, 0.1), unit="mm")
            for s in range(4) for t in TIMES]


@pytest.fixture(scope="module")
def slow_and_fast():
    rows = _series(lambda t: 2.0 * (1.0 - t / 100.0), "slowfade", 0)  # 2 mm, gone at 100 h, photos to 48 h
    rows += _series(lambda t: 2.0 / (1.0 + t / 3.0), "fastfade", 1)
    changes = pd.DataFrame(rows)
    return changes, analyze_series(changes, per_subject=False, n_boot=200, seed=0)


def _fit(result, treatment):
    return next(f for f in result.fits if f.treatment == treatment and f.subject is None)


def test_a_slow_fade_seen_over_a_short_span_is_not_resolved(slow_and_fast):
    """The four earlier rules passed it (its CI reaches the last photo but not the shortest half-life)."""
    _, res = slow_and_fast
    slow = dataclasses.asdict(_fit(res, "slowfade"))
    assert slow["half_life_h_ci_high"] > slow["last_time_h"] == 48.0
    assert slow["half_life_h_ci_low"] > 1.01 * slow["half_life_h_min"]  # rule 4 alone would pass it
    assert not decay_resolved(slow) and unresolved_span(slow) == BEYOND_SPAN
    fast = dataclasses.asdict(_fit(res, "fastfade"))
    assert decay_resolved(fast) and unresolved_span(fast) == "", fast["half_life_h_ci_high"]


def test_the_span_rules_on_rows():
    base = dict(half_life_h=3.0, half_life_h_ci_low=2.0, half_life_h_ci_high=5.0, half_life_h_min=0.125,
                last_time_h=48.0)
    assert decay_resolved(base)
    assert unresolved_span({**base, "half_life_h": 60.0, "half_life_h_ci_high": 70.0}) == BEYOND_SPAN
    assert not decay_resolved({**base, "half_life_h_ci_high": 48.5})  # the estimate inside, the CI beyond
    assert unresolved_span({**base, "half_life_h_ci_low": 0.4, "half_life_h_ci_high": 4.5}) == TOO_WIDE  # 11x
    assert decay_resolved({**base, "half_life_h_ci_low": 0.5, "half_life_h_ci_high": 4.5})  # 9x
    # the demo audit's row (rf nlf_depth right S03)
    assert unresolved_span(dict(half_life_h=1986.1, half_life_h_ci_low=14.6, half_life_h_ci_high=4433.1,
                                half_life_h_min=0.5, last_time_h=336.0)) == BEYOND_SPAN
    # a row without last_time_h (tables before 0.2.3): only the width rule can say
    old = {k: v for k, v in base.items() if k != "last_time_h"}
    assert decay_resolved({**old, "half_life_h": 60.0, "half_life_h_ci_high": 70.0, "half_life_h_ci_low": 30.0})


def test_report_shows_no_half_life_figure_for_it(slow_and_fast):
    _, res = slow_and_fast
    table = res.to_frame()
    text = timeline_markdown(table, None)
    slow = _fit(res, "slowfade")
    row = next(ln for ln in text.splitlines() if ln.startswith("| slowfade |"))
    assert row.count("not resolved (beyond the photos' span) *") == 3, row  # half-life, transient, lasting
    assert f"{slow.half_life_h:.1f}" not in row and f"{slow.half_life_h_ci_high:.1f}" not in row, row
    assert "beyond the photos' span" in text.split("No decay resolved", 1)[1]  # the footnote says the rule
    fast = _fit(res, "fastfade")
    row = next(ln for ln in text.splitlines() if ln.startswith("| fastfade |"))
    assert f"{fast.half_life_h:.1f} [{fast.half_life_h_ci_low:.1f}, {fast.half_life_h_ci_high:.1f}]" in row, row


def test_timeline_png_draws_it_dashed_without_a_band(slow_and_fast):
    """The drawn artists, not pixels: the resolved fit has a band and a solid curve, the unresolved one a dashed
    curve (gid ``NOT_RESOLVED_GID``) and no band, and the legend says so."""
    changes, res = slow_and_fast
    assert not fit_resolved(_fit(res, "slowfade")) and fit_resolved(_fit(res, "fastfade"))
    fig = plot_timeline(changes, res)
    ax = fig.axes[0]
    bands = [c for c in ax.collections if isinstance(c, PolyCollection)]
    assert len(bands) == 1  # the fast fade's band alone
    dashed = [ln for ln in ax.get_lines() if ln.get_gid() == NOT_RESOLVED_GID]
    assert len(dashed) == 1 and dashed[0].get_linestyle() == "--"
    fast_colour = bands[0].get_facecolor()[0][:3]
    assert not np.allclose(to_rgb(dashed[0].get_color()), fast_colour)  # the slow fade's colour, not the fast one's
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any(lb.startswith("slowfade: ") and lb.endswith(", fit not resolved") for lb in labels), labels
    assert not any(lb.startswith("fastfade: ") and "not resolved" in lb for lb in labels), labels


def test_the_causes_of_uncertain_are_said_once_naming_the_lines(slow_and_fast):
    """h12 (3): the ~600 characters on why a comparison reads 'uncertain' stood in every verdict line that left
    a photo out (5 of 8 demo lines, report.md, the app); now once, naming the lines that refer to it.
    timeline.csv's reason keeps the whole sentence."""
    from facemetrics.decay.left_out import _UNREAD_CAUSES, UNREAD_REF
    from facemetrics.report import verdict_lines

    _, res = slow_and_fast
    table = res.to_frame()
    causes = _UNREAD_CAUSES.format(it="it")
    table.loc[table["treatment"] == "slowfade", "reason"] += (
        f" 2 more photos were left out because their comparison read 'uncertain' ({causes}).")
    lines = verdict_lines(table)
    assert len(lines) == 3 and sum(causes[30:90] in ln for ln in lines) == 1, lines  # 2 fits + the note
    assert UNREAD_REF in lines[[ln.startswith("slowfade") for ln in lines].index(True)]
    assert UNREAD_REF not in next(ln for ln in lines if ln.startswith("fastfade"))
    assert lines[-1].endswith("(Lines that refer to it: slowfade / jawline_lift_mm (mean).)"), lines[-1]
    text = timeline_markdown(table, None)
    assert text.count(causes[30:90]) == 1 and "slowfade, jawline_lift_mm (mean).)" in text
    assert causes in table.loc[table["treatment"] == "slowfade", "reason"].iloc[0]  # the table keeps it
    # without any: no note
    assert len(verdict_lines(res.to_frame())) == 2 and "Note on 'uncertain'" not in timeline_markdown(
        res.to_frame(), None)


def test_the_too_wide_words_name_the_half_lifes_own_interval_as_the_verdicts_write_a_level():
    # half_life_h_ci_* is the percentile bootstrap interval at the row's `confidence` (95 % by default), not the
    # verdict's 90% CI; the words are written as every verdict writes a level ("90% CI"), and follow the row's level
    assert TOO_WIDE == "95% CI over 10x wide"
    wide = dict(half_life_h=3.0, half_life_h_ci_low=0.4, half_life_h_ci_high=4.5, half_life_h_min=0.125,
                last_time_h=48.0)
    assert unresolved_span({**wide, "confidence": 0.95}) == TOO_WIDE
    assert unresolved_span({**wide, "confidence": 0.8}) == "80% CI over 10x wide"
