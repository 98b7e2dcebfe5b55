"""The Timeline figure's 24 h square (a pooled fit not resolved: its curve dashed, the verdict's 24 h change drawn
as a square with the verdict's CI, ``plots.claim_marker``) has its level named in the legend, in the "24 h" entry's
one line, so that no figure is taller than with the plain "24 h" entry (h9, 2026-12-05: a separate entry made the
column figure too tall; the square then had no entry naming its level, the diamond's says "mean and 90% CI")."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from facemetrics import plots


@pytest.fixture(scope="module")
def series():
    from facemetrics.decay import analyze_series
    from test_series import MC_TIMES, RF_TIMES, simulate

    rng = np.random.default_rng(20240611)
    rows = simulate(rng, "microcurrent", MC_TIMES, transient=2.0, half_life=3.0)
    rows += simulate(rng, "rf", RF_TIMES, lasting=1.5)  # no fading part: rf's fit is not resolved, a square at 24 h
    df = pd.DataFrame(rows)
    return df, analyze_series(df)


def _legend_texts(fig) -> list[str]:
    return [t.get_text() for ax in fig.axes if ax.get_legend() for t in ax.get_legend().get_texts()]


@pytest.mark.parametrize("layout", ["column", "narrow", "wide"])
def test_the_squares_level_is_named_and_no_figure_grows(series, layout, monkeypatch):
    df, result = series
    squares = [plots.claim_marker(f) for f in result.pooled()]
    assert [m.shape for m in squares if m is not None] == ["s"]  # the case: rf's square, microcurrent's none
    fig = plots.plot_timeline(df, result, layout=layout)
    texts = _legend_texts(fig)
    assert "24 h: curve and 90% CI" in texts and "24 h" not in texts, texts
    # the same figure without the square (its plain "24 h" entry): the same size, to the 1/1000 in
    monkeypatch.setattr(plots, "claim_marker", lambda f: None)
    plain = plots.plot_timeline(df, result, layout=layout)
    assert "24 h" in _legend_texts(plain)
    assert np.allclose(fig.get_size_inches(), plain.get_size_inches(), atol=1e-3), (fig.get_size_inches(),
                                                                                   plain.get_size_inches())


def test_without_a_square_the_entry_is_the_24h_line(series):
    """Every fit resolved (microcurrent alone): no square, the entry stays "24 h"."""
    df, _ = series
    from facemetrics.decay import analyze_series

    mc = df[df["treatment"] == "microcurrent"]
    texts = _legend_texts(plots.plot_timeline(mc, analyze_series(mc), layout="column"))
    assert "24 h" in texts and not any(t.startswith("24 h:") for t in texts), texts
