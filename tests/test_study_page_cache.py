"""*My study* does not redo per view what depends only on the stored photos (stop 58): the photo table's role column
(the pairing of the stored photos into sessions, :func:`facemetrics.batch.tables.stored_second_reads`) ran on every
page view and every click; the desktop timeline was re-encoded by Streamlit on every view."""

from __future__ import annotations

import pytest

from test_second_read_marks import _store_rows


@pytest.fixture
def pairings(monkeypatch):
    """Counts the calls of the pairing (the real one runs)."""
    import facemetrics.batch.tables as tables

    real, calls = tables.stored_second_reads, []

    def counted(*a, **k):
        calls.append(1)
        return real(*a, **k)

    monkeypatch.setattr(tables, "stored_second_reads", counted)
    return calls


def _forget_roles(app) -> None:
    """The role column's cache emptied (another test's table may be in it): the imported module's, and every
    ``st.cache_data`` of the process, since an AppTest runs app.py as a script whose functions are not the imported
    module's (the CI of stop 58: a My study test earlier in the worker had cached the same table, 0 pairings)."""
    import streamlit as st

    if hasattr(app, "_study_roles"):
        app._study_roles.clear()
    st.cache_data.clear()


def test_the_role_column_is_paired_once_per_photo_table(pairings):
    """The same table again (a page view) is not paired again; a role changed, a photo removed or added, or a status
    changed is paired again and changes the column."""
    from conftest import app_module

    app = app_module()
    _forget_roles(app)
    photos, ok = _store_rows(), ["ok"] * 6
    first = app.study_roles(photos, ok)
    assert first[2].startswith("baseline; also the 23.8 h photo") and len(pairings) == 1
    assert app.study_roles(_store_rows(), list(ok)) == first and len(pairings) == 1  # the same content: cached

    moved = photos.copy()
    moved.loc[3, "role"] = ""  # the second session's after photo no longer one: its before photo's row waits for one
    assert app.study_roles(moved, ok)[2].endswith("(once this session has an after photo)") and len(pairings) == 2
    fewer = photos[photos["id"] != 4].reset_index(drop=True)  # that after photo removed
    assert app.study_roles(fewer, ok[:5])[2].endswith("(once this session has an after photo)")
    assert len(pairings) == 3
    more = _store_rows(days=4)  # a fourth day added
    assert len(app.study_roles(more, ["ok"] * 8)) == 8 and len(pairings) == 4
    failed = ["ok", "ok", "no_face", "ok", "ok", "ok"]  # the before photo read twice could not be measured
    assert app.study_roles(photos, failed)[2] == "baseline" and len(pairings) == 5


def test_my_study_pairs_the_photos_once_across_views(tmp_path, monkeypatch, pairings):
    """A second view of *My study* (Streamlit's run on a click) does not pair the stored photos again; a photo removed
    from the store does, and its table says the new role."""
    pytest.importorskip("streamlit")
    from facemetrics.store import Store
    from test_study_home import daily_store, my_study_page

    root, _, store_dir = daily_store(tmp_path, monkeypatch)
    from conftest import app_module

    _forget_roles(app_module())  # (the AppTest's app shares the process's cache_data)
    at = my_study_page(root, "me")
    roles = at.dataframe[0].value["role"].tolist()
    assert roles[2].startswith("baseline; also the 23.8 h photo") and not roles[2].endswith("after photo)"), roles
    n = len(pairings)
    assert n >= 1
    at.run()
    assert not at.exception and len(pairings) == n and at.dataframe[0].value["role"].tolist() == roles

    with Store(store_dir) as store:  # day 3's after photo removed: day 3's before photo's second row waits for one
        day3_post = store.photos("me").sort_values("taken_at")["id"].iloc[3]
        store.remove_photo(int(day3_post))
    at.run()
    assert not at.exception and len(pairings) == n + 1
    now = at.dataframe[0].value["role"].tolist()
    assert len(now) == 3 and now[2].endswith("(once this session has an after photo)"), now


def _width(png: bytes) -> int:
    import io

    from PIL import Image

    return Image.open(io.BytesIO(png)).width


def test_the_desktop_timelines_are_drawn_no_wider_than_streamlit_sends(tmp_path):
    """*My study*'s and the Timeline tab's desktop-column timelines are drawn at most :data:`app.ST_IMAGE_MAX_PX` wide:
    at 1600 px ``st.image`` decoded, resized and encoded the study's again on every view (about 3 s of CPU of a 4 s
    view under load: bench/bench_study_page.py --profile, stop 58)."""
    pytest.importorskip("streamlit")
    from conftest import app_module
    from test_app_timeline_rules import METRICS, _tab
    from test_before_read import NARROWER
    from test_plots_figures_left_out import _fits

    app = app_module()
    try:
        from streamlit.elements.lib.image_utils import MAXIMUM_CONTENT_WIDTH as most
    except ImportError:  # Streamlit's own name moved: the width is still checked against the app's
        most = 1460
    assert getattr(app, "ST_IMAGE_MAX_PX", most) == most
    fits = _fits(tmp_path / "study", {"s1": (-2.0, NARROWER), "s2": (0.0, ""), "s3": (0.0, "")})
    figures = app.study_figures(fits)
    assert most - 8 <= _width(figures[app.STUDY_TIMELINE_COLUMN]) <= most
    assert _width(figures["timeline.png"]) == 1200  # the phone's: as it was

    tab, long, records = _tab((NARROWER,))
    tab.st.session_state.pop(tab.MEMO_KEY, None)
    column = tab.timeline_column_png(long, METRICS, tuple(records))
    assert most - 8 <= _width(column) <= most


def test_a_session_logged_without_photos_does_not_fit_the_timeline_again(tmp_path):
    """*My study*'s report (its fits and five figures: 61 s of a browser test's run under load) was made again when a
    session was logged, before any photo of it was added; a photo added, a session's time changed, do change it."""
    pytest.importorskip("streamlit")
    from conftest import app_module
    from facemetrics.store import Store

    app = app_module()
    with Store(tmp_path / "store") as store:
        sid = store.log_session("me", "microcurrent", "2026-11-02T08:00")
        con = store.con
        for i, (taken, role) in enumerate((("2026-11-02T07:50", "baseline"), ("2026-11-02T08:10", "post"))):
            con.execute("INSERT INTO photos (subject_id, session_id, file, original_name, taken_at, role, sha256, "
                        "file_sha256, added_at) SELECT subject_id, ?, ?, ?, ?, ?, ?, ?, '' FROM sessions WHERE id = ?",
                        (sid, f"f{i}.jpg", f"f{i}.jpg", taken, role, f"s{i}", f"fs{i}", sid))
        con.commit()
        key = app.study_report_key("me", store.photos("me"), store.sessions("me"))
        store.log_session("me", "microcurrent", "2026-11-03T08:00")  # the next day's, no photo yet
        assert app.study_report_key("me", store.photos("me"), store.sessions("me")) == key
        store.log_session("me", "microcurrent", "2026-11-02T08:00+01:00")  # the first one's offset: its time changes
        assert app.study_report_key("me", store.photos("me"), store.sessions("me")) != key
