"""*My study* draws the batch's two figures (``timeline.png``, ``regimen.png``: the CLI's, two panels a row at 110
dpi) only when its ZIP is asked for (stop 59): the page shows its own figures (a phone's and a desktop column's), and
the report drew five figures per fit, two of them for the ZIP alone.  ``run_timeline(figures=False)`` writes neither
and :meth:`facemetrics.batch.timeline.TimelineFits.figure_files` draws them later, byte for byte as the run would
have; the ZIP's download data is a call (Streamlit's deferred download) that draws them."""

from __future__ import annotations

import io
import sys
import zipfile
from pathlib import Path

import pytest

from facemetrics.batch import run_timeline

sys.path.insert(0, str(Path(__file__).parent))
from test_regimen import _write, simulate  # noqa: E402


def test_a_timeline_without_figures_draws_the_same_ones_when_asked(tmp_path):
    """The decay and the regimen figure: none written with ``figures=False`` (and an earlier run's removed), the fits'
    ``figure_files()`` the bytes the run with figures wrote."""
    long, levels = simulate(seed=3)
    batch = _write(tmp_path, long, levels)
    drawn, lazy = tmp_path / "drawn", tmp_path / "lazy"
    run_timeline(batch, drawn, n_boot=0)
    written = {n: (drawn / n).read_bytes() for n in ("timeline.png", "regimen.png")}
    run_timeline(batch, lazy, n_boot=0)  # an earlier run's figures there
    fits = []
    _, table = run_timeline(batch, lazy, n_boot=0, figures=False, fits_done=fits.append)
    assert not (lazy / "timeline.png").exists() and not (lazy / "regimen.png").exists()
    assert (lazy / "report.md").read_bytes() == (drawn / "report.md").read_bytes()
    assert (lazy / "timeline.csv").read_bytes() == (drawn / "timeline.csv").read_bytes()
    assert fits[0].figure_files() == written


def _wide_draws(monkeypatch) -> list[str]:
    """The names of the wide figures drawn (``plots.plot_timeline`` / ``plot_regimen`` in their ``"wide"`` layout: the
    CLI's, the ZIP's), in order."""
    import facemetrics.plots as plots

    drawn: list[str] = []
    for name in ("plot_timeline", "plot_regimen"):
        real = getattr(plots, name)

        def counted(*a, _real=real, _name=name, **k):
            if k.get("layout", "wide") == "wide":
                drawn.append(_name)
            return _real(*a, **k)

        monkeypatch.setattr(plots, name, counted)
    return drawn


def _deferred(monkeypatch) -> dict[str, object]:
    """``{file id: callable}`` of every download whose data is made when clicked (``st.download_button`` given a
    callable: Streamlit's ``MediaFileManager.add_deferred``)."""
    from streamlit.runtime.media_file_manager import MediaFileManager

    got: dict[str, object] = {}
    keep = MediaFileManager.add_deferred

    def spy(self, data_callable, *a, **k):
        fid = keep(self, data_callable, *a, **k)
        got[fid] = data_callable
        return fid

    monkeypatch.setattr(MediaFileManager, "add_deferred", spy)
    return got


def test_my_study_draws_the_zips_figures_only_when_it_is_asked_for(tmp_path, monkeypatch):
    """The page's view draws no wide figure; the ZIP, made on the click, holds every file the report wrote with its
    figures, the same bytes.  Fails on the old app (every report drew the wide timeline; the regimen's too, with one)."""
    pytest.importorskip("streamlit")
    import streamlit as st
    from test_app_kept_lists import _batch_folder, stand_in_report
    from test_study_home import daily_store, my_study_page

    root, _, _ = daily_store(tmp_path, monkeypatch)
    stand_in_report(monkeypatch)
    wide = _wide_draws(monkeypatch)
    later = _deferred(monkeypatch)
    st.cache_data.clear()  # a report of another test's store under the same key must not be shown
    try:
        at = my_study_page(root, "me")
        assert any("after each session" in str(m.value) for m in at.markdown)
        assert wide == [], wide  # the page's own figures only
        (button,) = [b for b in at.get("download_button") if b.proto.label.startswith("Download the study")]
        assert button.proto.deferred_file_id in later, "the ZIP's data is not made on the click"
        data = later[button.proto.deferred_file_id]()
        assert wide == ["plot_timeline"], wide  # drawn for the ZIP (no regimen here)
    finally:
        st.cache_data.clear()
    cli = tmp_path / "cli"
    _batch_folder(cli)
    run_timeline(cli, n_boot=50, per_subject=False)
    want = {p.name: p.read_bytes() for p in cli.iterdir() if p.is_file()}
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        got = {n: z.read(n) for n in z.namelist()}
    assert set(got) == set(want), (sorted(got), sorted(want))
    assert got["timeline.png"] == want["timeline.png"] and got["report.md"] == want["report.md"]
