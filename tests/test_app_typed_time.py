"""*My study*'s "Taken at" (stop 46, 2026-12-05): a time the user typed lost, without a word, to a time the photo's
file name states (h12's finding) and to its EXIF time.  A typed time is the user's word: it wins over both and the
photo's ``taken_at_source`` is ``typed``; the time shown and left as it is (now, for camera photos) is used only for a
photo without a time of its own, as before."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from conftest import app_module

pytest.importorskip("streamlit")

from facemetrics.store import Store  # noqa: E402

SESSION = {"treatment": "rf", "treated_at": "2026-11-24T08:00:00"}
NAMED = "Screenshot_2026-11-24-07-00-00-123_com.miui.camera.png"  # a before photo by its name (07:00)


def _png(value: int) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(np.full((40, 40, 3), value, np.uint8)).save(buf, "PNG")
    return buf.getvalue()


def _jpeg_exif(when: str) -> bytes:
    exif = Image.Exif()
    exif.get_ifd(0x8769)[0x9003] = when
    buf = io.BytesIO()
    Image.fromarray(np.full((40, 40, 3), 120, np.uint8)).save(buf, "JPEG", exif=exif)
    return buf.getvalue()


@pytest.fixture
def save(tmp_path, monkeypatch):
    """``_study_save`` with the store's own add (not measured, no worker process): the app's time arguments are
    what is tested."""
    app = app_module()
    store = Store(tmp_path / "store")

    def add(store_, subject, name, data, **kwargs):
        (res,) = store_.add_photos(subject, [(name, data)], measure=False, **kwargs)
        return res

    monkeypatch.setattr(app, "store_add", add)
    yield lambda items, taken, typed: app._study_save(store, "me", SESSION, items, {n: "" for n, _ in items},
                                                      taken, typed=typed)
    store.close()


def _stored(tmp_path) -> dict:
    with Store(tmp_path / "store") as s:
        p = s.photos("me")
    return {n: (t, src, role) for n, t, src, role in zip(p["original_name"], p["taken_at"], p["taken_at_source"],
                                                          p["role"])}


def test_a_typed_time_wins_over_the_file_name_and_exif(save, tmp_path):
    msgs, failed = save([(NAMED, _png(10)), ("cam.jpg", _jpeg_exif("2026:11:24 07:30:00"))], "2026-11-24 9:00 AM",
                        typed=True)
    assert not failed, msgs
    got = _stored(tmp_path)
    assert got[NAMED] == ("2026-11-24T09:00:00", "typed", "post")  # not the name's 07:00 before photo
    assert got["cam.jpg"] == ("2026-11-24T09:00:00", "typed", "post")
    # the EXIF time it overrode is named, as the typed time's (not a manifest's)
    (said,) = [m for m in msgs if m.startswith("cam.jpg")]
    assert "the typed time 2026-11-24T09:00:00 is 1.5 h later than the photo's EXIF capture time" in said, said
    assert "manifest" not in said, said


def test_the_time_shown_and_left_is_used_only_without_a_time_of_its_own(save, tmp_path):
    msgs, failed = save([(NAMED, _png(10)), ("camera.png", _png(200))], "2026-11-24 09:00", typed=False)
    assert not failed, msgs
    got = _stored(tmp_path)
    assert got[NAMED] == ("2026-11-24T07:00:00.123000", "file_name", "baseline")
    assert got["camera.png"] == ("2026-11-24T09:00:00", "typed", "post")


def test_the_stores_note_is_shown_once_after_the_photos(save, tmp_path):
    """The store's note on an add (here: the subject typed as the stored name written otherwise) was never shown
    in *My study* (h3, stop 62): it is said once, after the photos' own messages, not once per photo."""
    app = app_module()
    msgs, failed = save([("a.png", _png(10))], "2026-11-24 07:00", typed=True)
    assert not failed, msgs
    assert not any("stored" in m for m in msgs), msgs  # the first add matches nothing: no note
    with Store(tmp_path / "store") as store:
        msgs, failed = app._study_save(store, "ME", SESSION, [("b.png", _png(20)), ("c.png", _png(30))],
                                       {"b.png": "", "c.png": ""}, "2026-11-24 09:00", typed=True)
    assert not failed, msgs
    assert [m.split(":")[0] for m in msgs[:2]] == ["b.png", "c.png"], msgs
    notes = [m for m in msgs if "is the stored 'me'" in m]
    assert len(notes) == 1 and msgs[-1] == notes[0], msgs
