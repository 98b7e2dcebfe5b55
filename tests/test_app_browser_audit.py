"""The app as a new user meets it in a browser (h7's audit, 2026-12-05; docs/robustness.md "The app in a browser,
2026-12-05"): the defects found there, each checked with :class:`streamlit.testing.v1.AppTest` or on the app's
pure helpers.  Photos made from ``sample_images/`` only."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest
from PIL import Image

from conftest import app_module

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "app.py"
SAMPLES = ROOT / "sample_images"

pytest.importorskip("streamlit")
from streamlit.testing.v1 import AppTest  # noqa: E402


def _dated(path: Path, when: str) -> bytes:
    """The JPEG at ``path`` re-saved with EXIF DateTime and DateTimeOriginal ``when`` ("YYYY:MM:DD HH:MM:SS")."""
    exif = Image.Exif()
    exif[0x0132] = when
    exif.get_ifd(0x8769)[0x9003] = when
    buf = io.BytesIO()
    Image.open(path).save(buf, "JPEG", quality=95, exif=exif)
    return buf.getvalue()


def _texts(at: AppTest) -> list[str]:
    out = []
    for kind in ("subheader", "markdown", "caption", "info", "warning", "error", "success"):
        out += [str(e.value).replace("\\", "") for e in getattr(at, kind)]
    return out


def test_an_after_photo_dated_before_the_before_photo_does_not_blame_the_before_photo(no_display_figures):
    """A pair uploaded the wrong way round (the 'before' photo's EXIF a day after the 'after' photo's), no
    treatment time given: the default hours count from the 'before' photo, so the 'after' photo reads -24 h.  That
    negative hour was read as hours typed from a treatment time, and the page said three times that the 'before'
    photo "(at the time of the treatment) is labelled 'before' but taken after the treatment", with the jawline
    'uncertain'.  Now only compare's own question is asked (are the two photos swapped?) and the headline reads the
    change in the order given, as ``facemetrics compare`` does."""
    from facemetrics.batch.tables import MSG_BEFORE_TAKEN_AFTER

    app = app_module()
    roles = pd.DataFrame([dict(photo="b.jpg", taken="", treatment="t", role="before", hours_since_treatment=0.0),
                          dict(photo="a.jpg", taken="", treatment="t", role="after", hours_since_treatment=-24.0)])
    assert app.late_before_note(roles) == ""
    # a 'before' photo with negative hours still says the hours were typed from a treatment time (stop 39's rule)
    typed = pd.concat([roles, pd.DataFrame([dict(photo="c.jpg", taken="", treatment="t", role="before",
                                                 hours_since_treatment=-1.0)])], ignore_index=True)
    assert app.late_before_note(typed).startswith(f"b.jpg (at the time of the treatment) is {MSG_BEFORE_TAKEN_AFTER}")

    at = AppTest.from_file(str(APP), default_timeout=180)
    at.run()
    at.file_uploader[0].set_value([
        ("before.jpg", _dated(SAMPLES / "astronaut_before.jpg", "2026:11:20 10:00:00"), "image/jpeg"),
        ("after.jpg", _dated(SAMPLES / "astronaut_after.jpg", "2026:11:19 10:00:00"), "image/jpeg")])
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    said = _texts(at)
    assert not any(MSG_BEFORE_TAKEN_AFTER in t for t in said), [t for t in said if MSG_BEFORE_TAKEN_AFTER in t]
    assert any("are the two photos swapped?" in t for t in said), said
    assert any(t.startswith("Jawline lifted ") for t in said), [e.value for e in at.subheader]
    # its remedy names the app's control, the roles table's 'role' column, not the command line's move (browser
    # audit, 2026-12-05)
    swapped = [t.replace("\\", "") for t in said if "are the two photos swapped?" in t]
    assert all("'role' to 'before'" in t and "roles table" in t for t in swapped), swapped
    assert not any("If so, compare again with the earlier photo as the before photo" in t for t in swapped), swapped


def test_the_apps_remedy_replaces_the_command_lines_only():
    """:func:`app.app_remedy` puts the app's way (the roles table's 'role' column) in place of the library's
    command-line remedy, in the swapped-photos warning compare writes (:func:`order_messages` on two photos
    whose capture times are a day the wrong way round), and leaves a message without it unchanged."""
    from types import SimpleNamespace
    from facemetrics.compare.gate import REMEDY_SWAP, order_messages

    app = app_module()
    a = SimpleNamespace(taken_at="2026-11-20 10:00:00", name="b.jpg")
    b = SimpleNamespace(taken_at="2026-11-19 10:00:00", name="a.jpg")
    (msg,) = order_messages(a, b)
    assert REMEDY_SWAP in msg
    here = app.app_remedy(msg)
    assert REMEDY_SWAP not in here and "set the earlier photo's 'role' to 'before'" in here
    assert here.endswith("the verdicts are for the photos in the order given") and "a lift then reads as a sag" in here
    assert app.app_remedy("the face is cut by the image edge") == "the face is cut by the image edge"


def _download_rows(node) -> list[int]:
    """The number of columns of each row of download buttons under ``node`` (AppTest's element tree)."""
    kids = list((getattr(node, "children", None) or {}).values())
    cols = [k for k in kids if type(k).__name__ == "Column"]
    here = [len(cols)] if cols and any(getattr(x, "type", "") == "download_button" for c in cols
                                       for x in c.children.values()) else []
    return here + [n for k in kids for n in _download_rows(k)]


def _seven_downloads():
    """An AppTest script: the app's :func:`downloads` of the seven files the Timeline page offers."""
    import sys

    app = sys.modules["facemetrics_app"]  # loaded by the test (conftest.app_module), in this process
    app.downloads({n: b"x" for n in ("photos.csv", "comparison.csv", "overlay.png", app.ALL_PAIRS_CSV,
                                     "timeline.csv", "timeline.png", "long.csv")})


def test_the_download_buttons_are_at_most_three_a_row():
    """With the timeline's downloads (six for the bundled example, seven for a series of photos) the buttons stood
    in one row: at 1366 px with the sidebar open each was about 105 px wide and the browser broke their names
    mid-word ("comparison.cs" over "v").  Now three a row, every file still offered."""
    app_module()
    at = AppTest.from_function(_seven_downloads, default_timeout=60)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert len(at.get("download_button")) == 7
    rows = _download_rows(at.main)
    assert rows and max(rows) <= 3 and sum(rows) >= 7, rows


def test_a_file_that_cannot_be_read_says_what_to_do():
    """A new user's bad uploads (a 1-pixel GIF, a JPEG cut in half, an empty file, a text file named .jpg): each
    card said what was wrong in the CLI's words ("cannot be read (unreadable: truncated JPEG data ...)") and nothing
    on what to do.  Now the card adds it (facemetrics.analyze.read_remedy), after the CLI's words, kept; a reason
    that says it already (a 12-bit JPEG's "save an 8-bit copy") gets nothing more."""
    from types import SimpleNamespace

    from facemetrics.analyze import READ_REMEDIES, read_remedy

    buf = io.BytesIO()
    Image.new("P", (1, 1)).save(buf, "GIF")
    before = (SAMPLES / "astronaut_before.jpg").read_bytes()
    bad = {"pixel.gif": (buf.getvalue(), "too_small"), "cut.jpg": (before[: len(before) // 2], "unreadable"),
           "empty.jpg": (b"", "empty"), "notes.jpg": (b"shopping list\n" * 40, "not_an_image")}
    at = AppTest.from_file(str(APP), default_timeout=180)
    at.run()
    at.file_uploader[0].set_value([(n, data, "image/jpeg") for n, (data, _) in bad.items()])
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    errors = [str(e.value).replace("\\", "") for e in at.error]
    for name, (_, status) in bad.items():
        said = [e for e in errors if e.startswith(f"Cannot be read ({status}: ")]
        assert len(said) == 1, (name, errors)
        assert said[0].endswith(": " + READ_REMEDIES[status]), said[0]
    twelve = SimpleNamespace(photo=None, status="not_an_image", error="unsupported JPEG: 12-bit samples (...; save an "
                                                                      "8-bit copy of it, as JPEG or PNG)")
    assert read_remedy(twelve) == ""
    assert read_remedy(SimpleNamespace(photo=object(), status="ok", error="")) == ""


def test_the_roles_editor_draws_the_role_and_the_hours_beside_the_photo(no_display_figures):
    """At 390 px the roles editor (a grid that scrolls sideways) showed photo, taken (EXIF) and role; the hours since
    treatment, the one figure a timeline user checks and edits, lay past the screen's edge.  Now its columns are
    drawn photo, role, hours, when, then taken and treatment; the table it returns keeps every column."""
    at = AppTest.from_file(str(APP), default_timeout=180)
    at.run()
    at.file_uploader[0].set_value([
        ("before.jpg", _dated(SAMPLES / "astronaut_before.jpg", "2026:11:02 08:00:00"), "image/jpeg"),
        ("after.jpg", _dated(SAMPLES / "astronaut_after.jpg", "2026:11:02 10:00:00"), "image/jpeg")])
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    editor = [d for d in at.dataframe if "roles-" in d.proto.id]
    assert len(editor) == 1, [d.proto.id for d in at.dataframe]
    assert list(editor[0].proto.column_order)[:3] == ["photo", "role", "hours_since_treatment"], list(
        editor[0].proto.column_order)
    assert {"taken", "treatment", "when"} <= set(editor[0].proto.column_order)
    assert {"photo", "taken", "role", "treatment", "hours_since_treatment"} <= set(editor[0].value.columns)
