"""What a first outside user met in the app (a fresh install driven in Chromium, 2026-12-04), as
:class:`streamlit.testing.v1.AppTest` tests and tests of ``app.py``'s pure helpers.

- a series whose 'after' photos carry no capture time (sent through a messaging app, which drops
  the EXIF) was left off the Timeline tab with nothing said;
- a photo set to 'ignore' for a capture time years away was told to "correct its capture time
  with taken_at in a manifest" (the app has no manifest), inside the collapsed roles editor only;
- one file picked twice read "a.jpg is the same photo (identical file) as a.jpg".
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from conftest import app_module

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "app.py"
SAMPLES = ROOT / "sample_images"

pytest.importorskip("streamlit")
from streamlit.testing.v1 import AppTest  # noqa: E402


def _png_without_exif(path: Path) -> bytes:
    """The photo's pixels as a PNG with no EXIF (no capture time), as a messaging app re-sends it."""
    buf = io.BytesIO()
    Image.fromarray(np.asarray(Image.open(path).convert("RGB"))).save(buf, "PNG", compress_level=1)
    return buf.getvalue()


def _jpeg_taken_at(path: Path, when: str) -> bytes:
    """The photo re-saved as a JPEG whose EXIF DateTimeOriginal is ``when`` ("YYYY:MM:DD HH:MM:SS")."""
    im = Image.open(path).convert("RGB")
    exif = Image.Exif()
    exif.get_ifd(0x8769)[0x9003] = when
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=93, exif=exif.tobytes())
    return buf.getvalue()


def _flagged(name: str):
    from types import SimpleNamespace

    return SimpleNamespace(name=name, ok=True, photo=SimpleNamespace(sha256=name * 4, taken_at=None),
                           quality=SimpleNamespace(flags=()), calibration=None)


def test_untimed_after_photos_are_those_compared_without_hours():
    app = app_module()
    roles = pd.DataFrame([dict(photo="pre.jpg", taken="", role="before", treatment="rf", hours_since_treatment=None),
                          dict(photo="b.jpg", taken="", role="after", treatment="rf", hours_since_treatment=None),
                          dict(photo="a.jpg", taken="", role="after", treatment="rf", hours_since_treatment=None),
                          dict(photo="t.jpg", taken="", role="after", treatment="rf", hours_since_treatment=3.0)])
    pairs = app.pairs_of(roles, {n: _flagged(n) for n in roles["photo"]})
    assert len(pairs) == 3
    assert app.untimed_after_photos(pairs) == ["a.jpg", "b.jpg"]  # t.jpg has its hours: on the timeline
    note = app.untimed_note(["a.jpg", "b.jpg"])
    assert "2 'after' photos have no hours since treatment" in note and "a.jpg, b.jpg" in note
    # the after photos may have their times and the 'before' photo none: the note names both causes
    assert "the first 'before' photo the hours count from has no capture time" in note
    assert "hours since treatment" in note and "Which photos are 'before' and which 'after'?" in note
    assert app.untimed_note(["a.jpg"]).startswith("1 'after' photo has no hours since treatment (it or ")
    # every 'after' photo timed: nothing to say
    roles.loc[:, "hours_since_treatment"] = [-1.0, 2.0, 1.0, 3.0]
    assert app.untimed_after_photos(app.pairs_of(roles, {n: _flagged(n) for n in roles["photo"]})) == []


def test_the_timeline_tab_names_after_photos_without_a_capture_time():
    """Two photos without EXIF (before.png, after.png): the pair is compared, and the Timeline tab says
    after.png is not on it and where to give its hours (it said only how a series is made)."""
    at = AppTest.from_file(str(APP), default_timeout=180)
    at.run()
    at.file_uploader[0].set_value([("before.png", _png_without_exif(SAMPLES / "astronaut_before.jpg"), "image/png"),
                                   ("after.png", _png_without_exif(SAMPLES / "astronaut_after.jpg"), "image/png")])
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    warned = [str(w.value) for w in at.warning if "no capture time" in str(w.value)]
    assert len(warned) == 1, [str(w.value) for w in at.warning]
    assert r"after\.png" in warned[0] and r"before\.png" not in warned[0]
    assert "hours since treatment" in warned[0]


def test_a_photo_dated_years_away_is_told_what_to_do_in_the_app_not_in_a_manifest():
    from facemetrics.pairing import MANIFEST_REMEDY, too_early, too_late

    app = app_module()
    for why in (too_late(5 * 365 * 24.0), too_early(-400 * 24.0)):
        assert MANIFEST_REMEDY in why  # the batch's reason keeps its remedy
        note = app.too_far_note("x.jpg", why)
        assert "manifest" not in note and "taken_at" not in note, note
        assert note.startswith("x.jpg: taken ") and "set its role and its hours since treatment" in note


def test_the_roles_editor_warns_of_a_photo_dated_years_later_without_a_manifest():
    """Three timed photos, one dated 2031: it is set to 'ignore', and the warning, outside the collapsed roles
    editor (where it was the page's only word of it), says to fix it in the table."""
    at = AppTest.from_file(str(APP), default_timeout=180)
    at.run()
    at.file_uploader[0].set_value([
        ("before.jpg", (SAMPLES / "astronaut_before.jpg").read_bytes(), "image/jpeg"),
        ("after.jpg", (SAMPLES / "astronaut_after.jpg").read_bytes(), "image/jpeg"),
        ("later.jpg", _jpeg_taken_at(SAMPLES / "astronaut_after.jpg", "2031:01:01 00:00:00"), "image/jpeg")])
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    warned = [str(w.value) for w in at.warning if "years after the treatment" in str(w.value)]
    assert len(warned) == 1 and warned[0].startswith(r"later\.jpg: taken"), [str(w.value) for w in at.warning]
    assert "manifest" not in warned[0] and "set its role and its hours since treatment" in warned[0]
    # shown above the roles editor's expander (collapsed by default), not only inside it
    (editor,) = [e for e in at.expander if "Which photos are 'before'" in str(e.label)]
    assert not [w for w in editor.warning if "years after the treatment" in str(w.value)]


def test_one_file_picked_twice_is_named_once():
    app = app_module()
    kept, notes = app.unique_uploads([("a.jpg", b"x"), ("a.jpg", b"x"), ("b.jpg", b"x")])
    assert [label for label, _, _ in kept] == ["a.jpg"]
    assert notes == ["a.jpg was uploaded twice (identical files): it is used once.",
                     "b.jpg is the same photo (identical file) as a.jpg: it is used once."]
