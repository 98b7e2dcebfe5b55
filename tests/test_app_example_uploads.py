"""The sidebar's "Load the bundled example" while photos are uploaded (a newcomer's walk through README and the guide,
stop 63, h6).

The page shows the uploads, not the example, while any photo is uploaded (``app.compare_view``).  A user who had
uploaded photos and then clicked "Load the bundled example" saw nothing change but a "Clear the example" button: no
word that the example waits for the uploads to be removed.  Now the page says so under the uploader.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from conftest import app_module

APP = Path(__file__).resolve().parents[1] / "app.py"

pytest.importorskip("streamlit")
from streamlit.testing.v1 import AppTest  # noqa: E402


def _texts(at: AppTest) -> list[str]:
    return [str(e.value) for kind in ("info", "warning", "caption", "markdown") for e in getattr(at, kind)]


def _grey_jpeg() -> bytes:
    """A 64 x 48 grey JPEG: no face, so the upload is read at once (refused), as a photo of the user's would be
    shown instead of the example."""
    buf = io.BytesIO()
    Image.fromarray(np.full((48, 64, 3), 128, np.uint8)).save(buf, "JPEG")
    return buf.getvalue()


def _click_example(at: AppTest) -> None:
    next(b for b in at.sidebar.button if b.label == "Load the bundled example").click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]


def test_the_example_asked_for_with_uploads_says_why_it_is_not_shown():
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.run()
    at.file_uploader[0].set_value([("mine.jpg", _grey_jpeg(), "image/jpeg")])
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert app_module().EXAMPLE_HIDDEN_BY_UPLOADS not in _texts(at)  # not asked for: not said
    _click_example(at)
    texts = _texts(at)
    assert app_module().EXAMPLE_HIDDEN_BY_UPLOADS in texts, texts
    assert not any(t.startswith("Showing the bundled example") for t in texts)  # the uploads are what is shown


def test_the_example_without_uploads_is_shown_without_the_note():
    """Negative control: with nothing uploaded the example is shown, and the note is not said."""
    at = AppTest.from_file(str(APP), default_timeout=180)
    at.run()
    _click_example(at)
    texts = _texts(at)
    assert any(t.startswith("Showing the bundled example") for t in texts), texts
    assert app_module().EXAMPLE_HIDDEN_BY_UPLOADS not in texts


def test_load_the_bundled_example_from_my_study_shows_it():
    """"Load the bundled example" clicked in *My study* changed nothing on the page (the example is shown in *Compare
    photos* only; a newcomer's walk, stop 65): the click now chooses *Compare photos*, which shows it."""
    at = AppTest.from_file(str(APP), default_timeout=300)
    at.run()
    at.sidebar.radio(key="mode").set_value("My study").run()
    assert not at.exception, [e.value for e in at.exception]
    next(b for b in at.sidebar.button if b.label == "Load the bundled example").click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.sidebar.radio(key="mode").value == "Compare photos"
    assert any(str(i.value).startswith("Showing the bundled example") for i in at.info), [i.value for i in at.info]
