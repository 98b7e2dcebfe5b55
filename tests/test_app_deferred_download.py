"""The Timeline tab's ``timeline.png`` download, made on its click outside the script's run, uses the session's memo
the run took (``timeline_download_png(memo=)``), never ``st.session_state``: Streamlit calls it in a thread with no
``ScriptRunContext``, where ``st.session_state`` is a process-wide stand-in (the end-to-end check:
tests/test_app_deferred_download_browser.py).  The series is tests/test_flow_read.py's."""

from __future__ import annotations

import sys
import threading
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from test_flow_outliers import _series  # noqa: E402
from test_flow_read import MAYBE  # noqa: E402

pytest.importorskip("streamlit")

TIMES = [0.25, 0.5, 1, 2, 4, 8, 24, 48]
METRICS = ("mouth_corner_lift_mm",)


def test_the_download_drawn_in_another_thread_reads_only_the_memo_it_is_given(monkeypatch):
    from conftest import app_module

    app = app_module()
    data = _series(times=TIMES, bump_at=24, bump=0.8)
    records = (dict(subject="you", treatment="tx", photo="p24h.jpg", baseline_photos="pre.jpg", role="post",
                    hours_since_treatment=24.0, status="warning", messages=MAYBE, mouth_corner_lift_mm_verdict="lift"),)
    app.st.session_state.pop(app.MEMO_KEY, None)
    app.timeline(data, METRICS, records)  # the script's run: the fit, the table as read, the page's figures
    memo = app.st.session_state[app.MEMO_KEY]
    fits = {k for k in memo if k[0] in ("timeline", "timeline_read")}
    assert len(fits) == 2

    def no_session(*a, **k):
        raise AssertionError("st.session_state used outside the script's run")

    monkeypatch.setattr(app, "session_memo", no_session)
    fitted = []
    real = app.fm_decay.analyze_series
    monkeypatch.setattr(app.fm_decay, "analyze_series", lambda *a, **k: fitted.append(1) or real(*a, **k))
    got = {}
    t = threading.Thread(target=lambda: got.update(png=app.timeline_download_png(data, METRICS, records, memo)))
    t.start()
    t.join()
    assert got["png"][:8] == b"\x89PNG\r\n\x1a\n"
    assert not fitted  # the run's fit, not a new one
    assert ("timeline_download", app._timeline_key(data, METRICS, records)) in memo
