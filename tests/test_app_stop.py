"""A run stopped part way (the running indicator's Stop) leaves the app's "Drawing the result..." note with what it
drew (``app.DRAWING_NOTE``, drawn first in every run and cleared at its very end), so a result in part is not read
as a whole one (f3b, stop 51: the comparison's headline alone on the page); a whole run leaves no note.

Streamlit ends a stopped run by raising ``StopException`` at its next ``st`` call; here it is raised where Streamlit
stores the first download's bytes (``photos.csv``, the page's last step), as a Stop landing there does, in AppTest
(no browser: tests/test_app_stop_browser.py presses the real Stop)."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import app_module, display_figures_off

pytest.importorskip("streamlit")
from streamlit.runtime.scriptrunner_utils.exceptions import StopException  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_images"


def _stop_at_download(monkeypatch, name: str) -> None:
    """Raise ``StopException`` where Streamlit stores the bytes of the download of kind ``name`` (its button's first
    step; its file name ends with ``_<name>``: :func:`facemetrics.naming.download_names`)."""
    from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

    keep = MemoryMediaFileStorage.load_and_get_id

    def stop(self, path_or_data, mimetype, kind, filename=None):
        if filename == name or str(filename).endswith("_" + name):
            raise StopException()
        return keep(self, path_or_data, mimetype, kind, filename)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", stop)


def _notes(at: AppTest) -> list[str]:
    note = app_module().DRAWING_NOTE
    return [str(c.value) for c in at.caption if str(c.value) == note]


def _notes_in(node) -> bool:
    """Whether the element tree ``node`` holds the note."""
    note = app_module().DRAWING_NOTE
    return getattr(node, "value", None) == note or any(_notes_in(c) for c in getattr(node, "children", {}).values())


def _headlines(at: AppTest) -> list[str]:
    return [str(s.value) for s in at.subheader if str(s.value).startswith("Jawline ")]


def test_app_stopped_before_its_downloads_leaves_the_note_and_a_whole_run_none():
    with pytest.MonkeyPatch.context() as mp:
        display_figures_off(mp, timeline=True)
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        assert not _notes(at), "the empty page's run ended with the note on the page"
        pair = [(f"{r}.jpg", (SAMPLES / f"astronaut_{r}.jpg").read_bytes(), "image/jpeg") for r in ("before", "after")]
        at.file_uploader[0].set_value(pair)
        with pytest.MonkeyPatch.context() as stop:
            _stop_at_download(stop, "photos.csv")
            at.run()
        assert not at.exception, [e.value for e in at.exception]
        # the run stopped at the downloads: the comparison drawn, no download, and the note says it is in part
        headline = _headlines(at)
        assert headline and not at.get("download_button"), (headline, at.get("download_button"))
        assert len(_notes(at)) == 1, [str(c.value) for c in at.caption]
        # drawn before any part of the page's result (every message after Stop is refused: a note drawn after a
        # part could not mark it): the main area's first element
        assert _notes_in(at.main.children[0]), at.main.children[0]
        at.run()  # the same page, not stopped: the whole result, no note
        assert not at.exception, [e.value for e in at.exception]
        assert _headlines(at) == headline
        assert {"photos.csv", "comparison.csv"} <= {d.proto.label for d in at.get("download_button")}
        assert not _notes(at), [str(c.value) for c in at.caption]

