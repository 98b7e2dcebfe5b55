"""The app's timeline figures draw what its tables show, as ``timeline.png`` does (docs/validation.md §21, §21b): the
Timeline tab's phone and desktop-column figures and its ``timeline.png`` download, and *My study*'s figures, are
drawn from the rows as the series-reading rules read them (``plot_timeline(table=)``).  They were drawn from the fits
alone: a pooled row that reads ``inconclusive`` with no figure in the table had a curve, a band, a 24 h marker and
the fit's own verdict ("persists_beyond_a_day") in the figure's legend.  The series are tests/test_before_read.py's
and tests/test_before_read_pooled.py's (tests/test_flow_outliers.py's linear fade, not the decay model's curve; the
smiling before photo: the fade shifted by -2 mm at every time)."""

import sys
from pathlib import Path

import pytest

import facemetrics.plots as fm_plots

sys.path.insert(0, str(Path(__file__).parent))
from test_app_timeline_rules import METRICS, _cli, _tab  # noqa: E402
from test_before_read import NARROWER  # noqa: E402
from test_plots_figures_left_out import _drawn, _fits  # noqa: E402


@pytest.fixture
def drawn(monkeypatch):
    """Every timeline figure the app draws: [(layout, table given, (curves, bands, 24 h markers, legend texts))]."""
    got = []
    real = fm_plots.plot_timeline

    def spy(changes, result, path=None, *, layout="wide", **kw):
        fig = real(changes, result, path, layout=layout, **kw)
        got.append((layout, kw.get("table") is not None, _drawn(fig)))
        return fig

    monkeypatch.setattr(fm_plots, "plot_timeline", spy)
    return got


def test_the_timeline_tabs_figures_and_download_draw_the_rows_as_read(tmp_path, drawn):
    app, long, records = _tab((NARROWER,))
    app.st.session_state.pop(app.MEMO_KEY, None)  # drawn here, not taken from another test's memo
    records = tuple(records)
    table, png, _ = app.timeline(long, METRICS, records)
    column = app.timeline_column_png(long, METRICS, records)
    download = app.timeline_download_png(long, METRICS, records)
    assert png and column and download
    pooled = table[table["subject"].isna()].iloc[0]
    assert pooled["verdict"] == "inconclusive" and pooled[["change_24h", "half_life_h"]].isna().all()
    assert sorted(layout for layout, _, _ in drawn) == ["column", "narrow", "wide"]
    for layout, given, (curves, bands, markers, texts) in drawn:
        assert given and (curves, bands, markers) == (0, 0, 0), (layout, texts)
        assert ("tx: inconclusive, no figure: its fit holds the session of the odd before photo `m0p5h.jpg`"
                in texts), (layout, texts)
    # the download is the CLI's timeline.png of the same comparisons, byte for byte
    _cli(tmp_path, long, list(records))
    assert download == (tmp_path / "timeline.png").read_bytes()
    # without the comparisons no rule reads the fits: the fit's curve and verdict, as before
    drawn.clear()
    assert app.timeline(long, METRICS)[1] not in (None, png)
    ((_, given, (curves, _, _, texts)),) = [d for d in drawn if d[0] == "narrow"]
    # (its lasting level withheld: "..., lasting level not shown (photos after a day off the curve)", Round 18)
    assert not given and curves == 1 and any(t.startswith("tx: persists_beyond_a_day") for t in texts), texts


def test_my_studys_figures_draw_the_rows_as_read(tmp_path, drawn):
    from conftest import app_module

    app = app_module()
    folder = tmp_path / "study"
    fits = _fits(folder, {"s1": (-2.0, NARROWER), "s2": (0.0, ""), "s3": (0.0, "")})  # §21: refitted without s1's
    drawn.clear()
    figures = app.study_figures(fits)
    assert {"timeline.png", app.STUDY_TIMELINE_COLUMN} <= set(figures)
    assert sorted(layout for layout, _, _ in drawn) == ["column", "narrow"]
    for layout, given, (curves, bands, markers, texts) in drawn:
        assert given and (curves, bands, markers) == (0, 0, 0), (layout, texts)
        assert any(t.startswith("tx: ") and "no curve: the table's figures come from the fit without the session of "
                   "the odd before photo `s1/tx/m0p5h.jpg`" in t for t in texts), (layout, texts)


def test_the_stand_in_plot_timeline_takes_every_keyword_of_the_real_one(monkeypatch):
    """conftest's ``no_timeline_figures`` stand-in must accept what app.py passes to the real
    :func:`facemetrics.plots.plot_timeline` (``table=`` since stop 51), or an AppTest using it raises TypeError."""
    import inspect

    from conftest import display_figures_off

    real_fn = fm_plots.plot_timeline
    real = inspect.signature(real_fn).parameters
    display_figures_off(monkeypatch, timeline=True)
    assert fm_plots.plot_timeline is not real_fn  # the stand-in is what is checked
    stand_in = inspect.signature(fm_plots.plot_timeline).parameters
    assert set(real) <= set(stand_in), set(real) - set(stand_in)
