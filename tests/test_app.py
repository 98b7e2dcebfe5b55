"""The Streamlit app (``app.py``) through :class:`streamlit.testing.v1.AppTest`.

AppTest runs the script in this process, without a browser: these tests
check that the example and uploads run without an exception and that the
numbers and messages reach the page.  ``tests/test_app_browser.py`` is the
end-to-end test in a real browser.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "app.py"
SAMPLES = ROOT / "sample_images"

pytest.importorskip("streamlit")
from streamlit.testing.v1 import AppTest  # noqa: E402

HEADLINE = re.compile(r"^Jawline (lifted|dropped) (\d+\.\d\d) mm \(noise floor \d+\.\d\d mm\)")


def _app() -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=180)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _texts(at: AppTest) -> list[str]:
    """Every text-like element's value (headers, markdown, alerts, captions)."""
    out = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning", "error", "success"):
        out += [str(e.value) for e in getattr(at, kind)]
    return out


def _headline(at: AppTest) -> re.Match | None:
    for s in (e.value for e in at.subheader):
        m = HEADLINE.match(str(s))
        if m:
            return m
    return None


def _comparison_table(at: AppTest):
    tables = [d.value for d in at.dataframe if "verdict" in d.value.columns and "change" in d.value.columns]
    assert tables, "no comparison table on the page"
    return tables[0]


def _jpeg(rgb: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, "JPEG", quality=92)
    return buf.getvalue()


@pytest.fixture(scope="module")
def after_bytes() -> bytes:
    """The bundled "after" sample: the before photo with a simulated 1.5 mm lift."""
    return (SAMPLES / "astronaut_after.jpg").read_bytes()


def test_app_starts_with_upload_and_example_button():
    at = _app()
    assert len(at.file_uploader) == 1
    up = at.file_uploader[0]
    assert up.accept_multiple_files
    assert {".jpg", ".jpeg", ".png", ".webp", ".heic"} <= set(up.allowed_type)
    assert any("Privacy" in t and "nothing is sent" in t for t in _texts(at))
    assert any(b.label == "Load the bundled example" for b in at.sidebar.button)


def test_example_loads_every_view():
    at = _app()
    next(b for b in at.sidebar.button if b.label == "Load the bundled example").click()
    at.run(timeout=300)
    assert not at.exception, [e.value for e in at.exception]
    m = _headline(at)
    assert m, _texts(at)
    assert float(m.group(2)) > 0.5
    table = _comparison_table(at)
    assert {"metric", "side", "unit", "before", "after", "change", "noise_floor", "verdict"} <= set(table.columns)
    assert not any("needs a series" in t for t in _texts(at)), "timeline not shown for the example"
    md = " ".join(_texts(at))
    assert "microcurrent" in md and "rf" in md and "half-life" in md
    names = {d.proto.label for d in at.get("download_button")}
    assert {"photos.csv", "comparison.csv", "timeline.csv", "changes.csv", "overlay.png"} <= names


def test_upload_sample_pair_gives_table_and_lift(after_bytes):
    at = _app()
    before = (SAMPLES / "astronaut_before.jpg").read_bytes()
    at.file_uploader[0].set_value([("before.jpg", before, "image/jpeg"), ("after.jpg", after_bytes, "image/jpeg")])
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    m = _headline(at)
    assert m, _texts(at)
    lift = float(m.group(2)) * (1 if m.group(1) == "lifted" else -1)
    assert 0.5 < lift < 2.5  # simulated 1.5 mm
    table = _comparison_table(at)
    row = table[(table["metric"] == "jawline_lift_mm") & (table["side"] == "mean")].iloc[0]
    assert row["unit"] == "mm"
    assert abs(row["change"] - lift) < 0.051


def test_non_image_upload_gives_its_message():
    at = _app()
    at.file_uploader[0].set_value(("notes.jpg", b"these are my notes, not a photo\n" * 20, "image/jpeg"))
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    errors = [e.value for e in at.error]
    assert any(e.startswith("Cannot be used:") for e in errors), errors
    assert _headline(at) is None


def test_no_face_photo_gives_its_message_and_the_pair_still_works(after_bytes):
    at = _app()
    yy, xx = np.mgrid[0:600, 0:800]
    wall = np.stack([xx % 256, yy % 256, (xx + yy) % 256], -1).astype(np.uint8)
    before = (SAMPLES / "astronaut_before.jpg").read_bytes()
    at.file_uploader[0].set_value([("wall.jpg", _jpeg(wall), "image/jpeg"), ("before.jpg", before, "image/jpeg"),
                                   ("after.jpg", after_bytes, "image/jpeg")])
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    errors = [e.value for e in at.error]
    assert any(e.startswith("Cannot be used:") and "face" in e.lower() for e in errors), errors
    assert _headline(at) is not None, "the two usable photos were not compared"
