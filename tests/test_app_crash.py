"""A photo that crashes the face finder natively (SIGSEGV / SIGABRT in MediaPipe or OpenCV) ends the app's worker
process, never the server: the page names the photo and what to try, every earlier result stays, and the next
photo is measured (docs/robustness.md, 'A native crash in analyze, compare and the app').  The crash is made by
the test-only hook ``FACEMETRICS_TEST_NATIVE_CRASH`` (:func:`facemetrics.batch.workers._test_crash`)."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

from facemetrics.batch.workers import TEST_CRASH_ENV

pytest.importorskip("streamlit")
from streamlit.testing.v1 import AppTest  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_images"
#: every test here is about the worker processes: they keep the defaults a user gets (tests/conftest.py)
pytestmark = pytest.mark.real_worker
HEADLINE = re.compile(r"^Jawline (lifted|dropped) \d+\.\d\d mm")


def _headline(at: AppTest) -> str | None:
    return next((str(e.value) for e in at.subheader if HEADLINE.match(str(e.value))), None)


def _analyses(at: AppTest) -> dict:
    return {k[1][1]: v for k, v in at.session_state["_facemetrics_memo"].items() if k[0] == "analysis"}


def test_a_photo_that_crashes_the_face_finder_leaves_the_page_and_its_results(monkeypatch):
    """A pair compared; then a third photo that crashes (SIGSEGV, both tries): the page says which photo crashed
    and what to try, the pair's headline is still shown; then a fourth photo is measured (a new worker)."""
    before = (SAMPLES / "astronaut_before.jpg").read_bytes()
    after = (SAMPLES / "astronaut_after.jpg").read_bytes()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=240)
    at.run()
    pair = [("before.jpg", before, "image/jpeg"), ("after.jpg", after, "image/jpeg")]
    at.file_uploader[0].set_value(pair)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    headline = _headline(at)
    assert headline is not None

    monkeypatch.setenv(TEST_CRASH_ENV, "measure:segv:crash.jpg")
    at.file_uploader[0].set_value(pair + [("crash.jpg", before + b"\0", "image/jpeg")])
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    errors = [str(e.value).replace("\\", "") for e in at.error]  # as shown (Markdown escapes removed)
    said = [e for e in errors if "crash.jpg" in e and "crashed the face finder" in e]
    assert said and "SIGSEGV" in said[0] and "PNG or JPEG" in said[0], errors
    assert _headline(at) == headline  # the earlier result is still on the page
    got = _analyses(at)
    assert got["crash.jpg"].status == "error" and got["before.jpg"].ok and got["after.jpg"].ok

    monkeypatch.delenv(TEST_CRASH_ENV)
    at.file_uploader[0].set_value(pair + [("later.jpg", after + b"\0", "image/jpeg")])
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert _analyses(at)["later.jpg"].ok
    assert not [e for e in (str(x.value) for x in at.error) if "crashed" in e]


def test_a_comparison_that_crashes_the_face_finder_leaves_the_page_and_its_photos(monkeypatch):
    """A pair whose comparison crashes the worker (SIGSEGV, both tries; Face Mesh runs again in a comparison for a
    photo with several faces): the page says which comparison crashed and what to try, the photos' analyses stay,
    a re-run does not crash it again, and the next pair is compared (a new worker)."""
    before = (SAMPLES / "astronaut_before.jpg").read_bytes()
    after = (SAMPLES / "astronaut_after.jpg").read_bytes()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=240)
    at.run()
    monkeypatch.setenv(TEST_CRASH_ENV, "compare:segv:after.jpg")
    at.file_uploader[0].set_value([("before.jpg", before, "image/jpeg"), ("after.jpg", after, "image/jpeg")])
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    errors = [str(e.value).replace("\\", "") for e in at.error]
    said = [e for e in errors if "after.jpg" in e and "before.jpg" in e and "crashed the face finder" in e]
    assert said and "SIGSEGV" in said[0] and "PNG or JPEG" in said[0] and "kept" in said[0], errors
    assert not [e for e in errors if "unexpectedly" in e], errors
    assert _headline(at) is None
    got = _analyses(at)
    assert got["before.jpg"].ok and got["after.jpg"].ok  # the photos' results stay

    from facemetrics.isolated import NativeCrash
    kept = [v for k, v in at.session_state["_facemetrics_memo"].items() if k[0] == "compare"]
    assert kept and all(isinstance(v, NativeCrash) for v in kept)  # remembered: a re-run does not crash it again
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("crashed the face finder" in str(e.value) for e in at.error)

    monkeypatch.delenv(TEST_CRASH_ENV)
    at.file_uploader[0].set_value([("before.jpg", before + b"\0", "image/jpeg"),
                                   ("after.jpg", after + b"\0", "image/jpeg")])
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert _headline(at) is not None
    assert not [e for e in (str(x.value) for x in at.error) if "crashed" in e]


def _texts(at: AppTest) -> list[str]:
    return [str(e.value).replace("\\", "") for kind in ("warning", "error", "success") for e in getattr(at, kind)]


def test_a_photo_that_crashes_when_added_to_my_study_leaves_the_page_and_the_store(tmp_path, monkeypatch):
    """*My study*: adding a photo whose measuring crashes the worker (the store's measurement runs there; SIGSEGV):
    the page says which photo and what to try, the store and the page go on, and adding the next photo works."""
    from facemetrics.store import Store

    store_dir = tmp_path / "store"
    monkeypatch.setenv("FACEMETRICS_STORE", str(store_dir))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=240)
    at.run()
    at.sidebar.radio(key="mode").set_value("My study").run()
    at.text_input(key="study-new-name").input("me")
    at.button(key="study-create").click().run()
    at.text_input(key="study-treatment").input("microcurrent")
    at.text_input(key="study-treated-at").input("2026-11-02 08:00")
    at.button(key="study-log").click().run()
    assert not at.exception, [e.value for e in at.exception]

    before = (SAMPLES / "astronaut_before.jpg").read_bytes()
    monkeypatch.setenv(TEST_CRASH_ENV, "store:segv:crash.jpg")
    at.file_uploader(key="study-upload-0").set_value([("crash.jpg", before, "image/jpeg")])
    at.run()
    at.text_input(key="study-taken-at").input("2026-11-02 07:45")
    at.button(key="study-add").click().run()
    assert not at.exception, [e.value for e in at.exception]
    said = [t for t in _texts(at) if "crash.jpg" in t and "crashed the face finder" in t]
    assert said and "SIGSEGV" in said[0] and "PNG or JPEG" in said[0], _texts(at)
    with Store(store_dir) as s:
        assert s.photos("me").empty  # the crash came before it was stored

    # a crash while the store measures the photo (after its copy is written, before its row): not stored either
    copy = hashlib.sha256(before + b"\0").hexdigest()[:20] + ".jpg"  # the stored copy's name, which is measured
    monkeypatch.setenv(TEST_CRASH_ENV, f"measure:segv:{copy}")
    at.file_uploader(key="study-upload-1").set_value([("crash2.jpg", before + b"\0", "image/jpeg")])
    at.run()
    at.text_input(key="study-taken-at").input("2026-11-02 07:45")
    at.button(key="study-add").click().run()
    assert not at.exception, [e.value for e in at.exception]
    said = [t for t in _texts(at) if "crash2.jpg" in t and "crashed the face finder" in t]
    assert said and "not stored" in said[0], _texts(at)
    with Store(store_dir) as s:
        assert s.photos("me").empty  # measured before its row is written: no photo left without a measurement

    monkeypatch.delenv(TEST_CRASH_ENV)
    at.file_uploader(key="study-upload-2").set_value([("later.jpg", before, "image/jpeg")])
    at.run()
    at.text_input(key="study-taken-at").input("2026-11-02 07:45")
    at.button(key="study-add").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(t.startswith("later.jpg: added") for t in _texts(at)), _texts(at)
    table = next(d.value for d in at.dataframe if "role" in d.value.columns)
    assert table["status"].tolist() == ["ok"], table


def test_a_stored_photo_whose_measuring_crashes_can_be_measured_again_or_removed(tmp_path, monkeypatch):
    """*My study*: two stored photos not yet measured (stored before this version measured a photo before storing
    it, or measured again by a new version) whose measuring crashes the worker: each is named with what happened and
    two buttons.  "Measure again" once the crash is gone measures it; "Remove this photo" removes it; the other
    photos, their measurements and the session stay as they were."""
    from facemetrics.store import Store

    store_dir = tmp_path / "store"
    monkeypatch.setenv("FACEMETRICS_STORE", str(store_dir))
    good = (SAMPLES / "astronaut_before.jpg").read_bytes()
    a, b = good + b"\0", good + b"\0\0"  # other files of the same picture: other hashes, other copies
    with Store(store_dir) as s:
        s.add_photos("me", [("good.jpg", good)], treatment="microcurrent", treated_at="2026-11-02 08:00",
                     taken_at="2026-11-02 07:00")
        ids = [r.photo_id for r in s.add_photos("me", [("a.jpg", a), ("b.jpg", b)], treatment="microcurrent",
                                                treated_at="2026-11-02 08:00", taken_at="2026-11-02 07:30",
                                                measure=False)]
        kept = s.photos("me").set_index("original_name").loc[["good.jpg"]]
        sessions = s.sessions("me")
        good_row = s.analysis(int(kept["id"].iat[0]))
    copies = {n: hashlib.sha256(d).hexdigest()[:20] + ".jpg" for n, d in (("a", a), ("b", b))}
    monkeypatch.setenv(TEST_CRASH_ENV, f"measure:segv:{copies['a']}|measure:segv:{copies['b']}")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=240)
    at.run()
    at.sidebar.radio(key="mode").set_value("My study").run()
    assert not at.exception, [e.value for e in at.exception]
    for name in ("a.jpg", "b.jpg"):
        said = [str(e.value).replace("\\", "") for e in at.error if str(e.value).replace("\\", "").startswith(name)]
        assert said and "crashed the face finder" in said[0] and "remove it" in said[0], [e.value for e in at.error]
    table = next(d.value for d in at.dataframe if "role" in d.value.columns)
    assert table["status"].tolist() == ["ok", "error", "error"], table

    monkeypatch.setenv(TEST_CRASH_ENV, f"measure:segv:{copies['b']}")  # a.jpg's crash does not come back
    at.button(key=f"study-remeasure-{ids[0]}").click().run()
    assert not at.exception, [e.value for e in at.exception]
    table = next(d.value for d in at.dataframe if "role" in d.value.columns)
    assert table["status"].tolist() == ["ok", "ok", "error"], table
    assert not [b for b in at.button if b.key == f"study-remeasure-{ids[0]}"]

    at.button(key=f"study-remove-{ids[1]}").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(t.startswith("b.jpg: removed from the study") for t in _texts(at)), _texts(at)
    assert not [e for e in at.error if "crashed" in str(e.value)]
    with Store(store_dir) as s:
        photos = s.photos("me").set_index("original_name")
        assert sorted(photos.index) == ["a.jpg", "good.jpg"]
        assert photos.loc[["good.jpg"]].equals(kept)  # the other photo as it was
        assert s.analysis(int(kept["id"].iat[0])) == good_row
        assert s.sessions("me").drop(columns="n_photos").equals(sessions.drop(columns="n_photos"))
        assert s.check() == []


def test_a_crash_remembered_for_a_photo_id_is_not_given_to_a_new_photo_of_that_id(tmp_path, monkeypatch):
    """The store reuses a removed photo's id (``id INTEGER PRIMARY KEY``: the highest id + 1), so the session's
    memory of a stored photo's crash (:func:`app.stored_analyses`) is keyed by the photo's stored copy too: a new
    photo given the id of a crashed one removed by *Delete subject* (or by "Remove this photo" in another session)
    is measured, not shown as 'measuring it crashed the face finder' with a "Remove this photo" button that would
    remove it."""
    import io
    from types import SimpleNamespace

    import numpy as np
    from PIL import Image

    from conftest import app_module
    from facemetrics.store import Store

    app = app_module()

    def jpeg(seed: int) -> bytes:
        buf = io.BytesIO()
        Image.fromarray(np.random.default_rng(seed).integers(0, 255, (48, 48, 3), dtype=np.uint8)).save(buf, "JPEG")
        return buf.getvalue()

    state = {}
    asked = []

    class Worker:
        def call(self, fn, store_dir, ids, retry=True):
            asked.extend(ids)
            return [{"status": "ok", "measured": i} for i in ids]

    monkeypatch.setattr(app, "st", SimpleNamespace(session_state=state))
    monkeypatch.setattr(app, "photo_worker", lambda: Worker())
    session = dict(treatment="rf", treated_at="2026-11-02T08:00", taken_at="2026-11-02T07:00", measure=False)
    with Store(tmp_path / "store") as store:
        (old,) = store.add_photos("old", [("crashes.jpg", jpeg(1))], **session)
        state[app.MEMO_KEY] = {app.stored_crash_key(store, old.photo_id): {"status": "error", "error": "crashed"}}
        assert app.stored_analyses(store, [old.photo_id])[0]["error"] == "crashed"  # remembered: not measured again
        store.delete_subject("old")
        (new,) = store.add_photos("new", [("fine.jpg", jpeg(2))], **session)
        assert new.photo_id == old.photo_id  # the id is reused
        assert app.stored_analyses(store, [new.photo_id]) == [{"status": "ok", "measured": new.photo_id}]
        assert asked == [new.photo_id]


def test_the_pages_crash_message_is_the_findings_with_its_own_remedy(monkeypatch):
    """The page swapped the command line's remedy of ``isolated.MSG_COMPARISON_CRASHED`` for its own by matching the
    remedy's words (a reworded remedy would have reached the page, "compare again", silently; stop 66): it says the
    finding (``COMPARISON_CRASHED_FINDING``) with its own remedy, whatever the command line's says."""
    import facemetrics.isolated as isolated
    from conftest import app_module

    monkeypatch.setattr(isolated, "MSG_COMPARISON_CRASHED", isolated.COMPARISON_CRASHED_FINDING + "; run it again")
    exc = isolated.NativeCrash("SIGSEGV")
    exc.pair = ("b.jpg", "a.jpg")
    said = app_module().comparison_crashed_message(exc)
    assert said == ("comparing a.jpg with b.jpg crashed the face finder (the process ended with SIGSEGV, twice; each "
                    "photo on its own was measured); no changes for this pair. Re-save these photos as PNG or JPEG and "
                    "upload those files instead: your other photos and results are kept"), said
