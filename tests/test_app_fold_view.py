"""*Compare photos*' Folds view sends each photo's fold overlay at the size it is shown (stop 59): at most
:data:`SHOWN_PX` wide, encoded once per session, unless "Full size" is on (then as drawn, up to
:data:`facemetrics.overlay.OVERLAY_MAX_SIDE` on the long side).  It handed ``st.image`` the overlay as drawn, an
array Streamlit encoded again on every run (bench/bench_fold_view.py).  The bundled pair: 1280 x 1600 photos, whose
overlays are drawn 1280 px wide."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from conftest import app_module, display_figures_off

pytest.importorskip("streamlit")
from streamlit.testing.v1 import AppTest  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_images"
#: :data:`app.FOLDS_SHOWN_PX` (a "narrow" figure's width)
SHOWN_PX = 1200


def _sent(monkeypatch) -> dict[str, bytes]:
    """``{media file id: bytes}`` of every file the app hands Streamlit's media store (AppTest drops it after a run)."""
    from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

    got: dict[str, bytes] = {}
    keep = MemoryMediaFileStorage.load_and_get_id

    def spy(self, path_or_data, mimetype, kind, filename=None):
        fid = keep(self, path_or_data, mimetype, kind, filename)
        got[fid] = path_or_data
        return fid

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", spy)
    return got


def _overlays(at, sent) -> dict[str, Image.Image]:
    """The Folds view's two images as sent, by their caption's role ("before", "after")."""
    out = {}
    for e in at.get("image"):
        for i in e.proto.imgs:
            if i.caption.startswith(("before: ", "after: ")):
                (data,) = [b for fid, b in sent.items() if fid in i.url]
                out[i.caption.split(":")[0]] = Image.open(io.BytesIO(data))
    return out


def test_the_folds_view_sends_its_overlays_at_the_size_shown(monkeypatch):
    """Fails on the old app: the overlays were sent 1280 px wide, as drawn, and there was no "Full size"."""
    from facemetrics import analyze_photo
    from facemetrics.overlay import photo_overlay

    app = app_module()
    display_figures_off(monkeypatch)  # the comparison's own figures: not this test's
    sent = _sent(monkeypatch)
    before, after = (SAMPLES / "astronaut_before.jpg").read_bytes(), (SAMPLES / "astronaut_after.jpg").read_bytes()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.run()
    at.file_uploader[0].set_value([("before.jpg", before, "image/jpeg"), ("after.jpg", after, "image/jpeg")]).run()
    assert not at.exception, [e.value for e in at.exception]
    view = [s for s in at.segmented_control if s.key and s.key.startswith("view-")]
    view[0].set_value("Folds").run()
    assert not at.exception, [e.value for e in at.exception]

    drawn = photo_overlay(analyze_photo(before, name="before.jpg"))
    assert drawn.shape[1] == 1280 > SHOWN_PX
    shown = _overlays(at, sent)
    assert set(shown) == {"before", "after"}, shown
    for img in shown.values():  # the same drawing at the width shown, its height in proportion
        assert img.format == "JPEG" and img.width == SHOWN_PX, (img.format, img.size)
        assert abs(img.height - drawn.shape[0] * SHOWN_PX / drawn.shape[1]) <= 1, img.size
    import numpy as np

    small = np.asarray(Image.fromarray(drawn).resize(shown["before"].size, Image.Resampling.LANCZOS), np.float32)
    assert np.abs(np.asarray(shown["before"], np.float32) - small).mean() < 3  # JPEG's loss only (0-255)

    sent.clear()
    at.run()  # a rerun (any click): the same bytes, not drawn nor encoded again
    again = _overlays(at, sent)
    assert {k: v.size for k, v in again.items()} == {k: v.size for k, v in shown.items()}
    memo = at.session_state["_facemetrics_memo"]
    assert sum(k[0] == "fold_overlay" for k in memo) == 2, [k for k in memo if k[0] == "fold_overlay"]

    at.toggle(key=next(t.key for t in at.toggle if t.key.startswith("folds-full-"))).set_value(True).run()
    assert not at.exception, [e.value for e in at.exception]
    full = _overlays(at, sent)
    assert {k: v.size for k, v in full.items()}["before"] == (drawn.shape[1], drawn.shape[0]), full
    assert app.FOLDS_SHOWN_PX == SHOWN_PX
