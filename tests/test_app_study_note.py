"""*My study*'s photo table shows the note the store kept with a photo (``photos.note``, schema 4: which frame of a
file of several was stored), in the full table and, when a photo has one, in the phone's compact form (h3, stop 47:
no AppTest asserted it; the compact form left it out).  Tiny synthetic photos (too small to measure: fast); the
app compiled once per session (tests/conftest.py's ``compiled_script``)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

pytest.importorskip("streamlit")
from streamlit.testing.v1 import AppTest  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent))
from test_store_note import frames_file, one_frame_png  # noqa: E402

APP = Path(__file__).resolve().parents[1] / "app.py"
NOTE = "GIF file holds 3 frames; only the first was measured"


def test_my_study_shows_the_stored_note(tmp_path, monkeypatch):
    from facemetrics.store import Store

    monkeypatch.setenv("FACEMETRICS_STORE", str(tmp_path / "store"))
    with Store(tmp_path / "store") as s:
        s.add_photos("me", [("anim.gif", frames_file("GIF")), ("still.png", one_frame_png())], treatment="rf",
                     treated_at="2026-11-02T08:00", taken_at="2026-11-02T09:00", measure=False)
    at = AppTest.from_file(str(APP), default_timeout=240)
    at.run()
    at.sidebar.radio(key="mode").set_value("My study").run()
    at.selectbox(key="study-subject").set_value("me")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    tables = [d.value for d in at.dataframe if "original_name" in d.value.columns]
    assert tables, [d.value.columns.tolist() for d in at.dataframe]
    for shown in tables:  # the wide table and the phone's "All columns"
        assert dict(zip(shown["original_name"], shown["note"])) == {"anim.gif": NOTE, "still.png": ""}, shown
    (compact,) = [t.value for t in at.table if "original_name" in t.value.columns]  # its cells markdown-escaped

    def plain(cells):
        return [str(c).replace("\u200b", "").replace("\\", "") for c in cells]
    assert dict(zip(plain(compact["original_name"]), plain(compact["note"]))) == {"anim.gif": NOTE, "still.png": ""}
