"""Every refit and surface sees the sessions none of whose photos was compared (stop 57, e6; docs/validation.md §12,
Round 17b; e1's open ends).

Round 17 gave ``analyze_series`` a ``sessions=`` table (a session whose before photo was forgotten still treated the
face) and ``run_timeline`` passed photos.csv's.  But the series-reading rules' refits (§21's pooled fit without an odd
session, §16's fits with and without a flow-only photo) were made without it, so a refit could again judge day 3
against day 1 across an uncompared day 2; a session the MONOTONE rule counted gone was named without its note; and
``study add`` said a before photo was also read as the previous session's photo when the photo did not measure.
Rows of photos and changes simulated at their hours (tests/test_follow_on_uncompared.py's).
"""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pandas as pd

from facemetrics.batch.before_read import pooled_without
from facemetrics.batch.tables import _comparison_jobs
from facemetrics.decay import analyze_series, carryover
from facemetrics.decay.flow_outliers import flow_checks
from facemetrics.timekeys import clock_text
from test_follow_on_next_before import START, _simulated, daily
from test_follow_on_uncompared import (AFTER, D2, NO_BASELINE, NO_BASELINE_ASIDE, SAID, _sessions, batch_folder,
                                      no_day2_before)

NOTE = f"none of whose photos was compared: {NO_BASELINE}"
NOTE_SAID = f"none of whose photos was compared: {NO_BASELINE_ASIDE}"  # as the follow-on words say it


def _lasting(h):
    return 1.0


def _outlasting(h):
    """Round 17's measured truth: 1.0 mm held 2 h, then linear to 0 at 40 h (0.42 mm at 24 h, gone by 48 h)."""
    return 1.0 if h <= 2 else max(0.0, 1.0 - (h - 2) / 38.0)


def _fortnight():
    rows = no_day2_before(14)
    return _simulated(_comparison_jobs(rows), _outlasting), _sessions(rows)


def _pooled(frame):
    return frame[frame["subject"].isna()].iloc[0]


def test_the_pooled_refit_without_an_odd_session_sees_the_uncompared_day():
    """§21's refit (``pooled_without``) of a series whose main fit was given the sessions: it names day 2 as the
    main fit does (before: no ``sessions``, me's day 3 judged against day 1 at 48 h in the refit)."""
    rows = no_day2_before() + daily(3, after=AFTER, subject="you")  # two subjects: the first sessions fit
    changes, known = _simulated(_comparison_jobs(rows), _lasting), _sessions(rows)
    fitted = analyze_series(changes, n_boot=0, seed=0, sessions=known).to_frame()
    odd = SimpleNamespace(odd=True, treatment="mc")
    out, done = pooled_without(fitted, changes, (odd,), n_boot=0, seed=0, sessions=known)
    assert done == {("mc", str(fitted["metric"].iloc[0]), str(fitted["side"].iloc[0]))}
    reason = str(_pooled(out)["reason"])
    assert f"after the one treated at {SAID[D2]} ({NOTE_SAID})" in reason, reason
    assert reason == str(_pooled(fitted)["reason"])


def test_the_flow_rule_judges_the_verdict_the_main_fit_gave():
    """§16's fits (with every photo, and of the other photos to predict a flow-only one) are made as the main fit is
    when both are given the sessions: a fortnight with day 2's before photo forgotten and a lift that outlasts a day
    (Round 17's case) leaves day 3 out for day 2 in every fit, so the photo's prediction has too few photos and is
    said unchecked; without the sessions its prediction pooled day 3 against day 1 at 48 h."""
    changes, known = _fortnight()
    main = _pooled(analyze_series(changes, n_boot=100, seed=0, per_subject=False, sessions=known).to_frame())
    photo = str(changes.loc[changes["hours_since_treatment"].between(4.9, 5.1), "photo"].iloc[-1])
    (check,) = flow_checks(changes, [photo], n_boot=100, seed=0, sessions=known)
    assert check.verdict == str(main["verdict"]) == "inconclusive"
    # the fit of the other photos is the main fit's without the photo: too few once day 3 is left out for day 2
    assert [(p.check, p.why) for p in check.photos] == [("unchecked", "no fit of the other photos without it")]
    (old,) = flow_checks(changes, [photo], n_boot=100, seed=0)  # the library without sessions: as before
    assert [p.check for p in old.photos] == ["fit_without"]  # day 3 pooled against day 1 at 48 h


def test_read_series_and_run_timeline_hand_the_sessions_to_every_refit(tmp_path, monkeypatch):
    """``run_timeline`` gives ``read_series`` photos.csv's sessions, and ``read_series`` gives them to §21's and §16's
    refits."""
    from facemetrics.batch import run_timeline, series_read, timeline

    got = {}

    def spy(name, real):
        def call(*args, **kwargs):
            got[name] = kwargs.get("sessions")
            return real(*args, **kwargs)
        return call

    for name in ("pooled_without", "flow_read"):
        monkeypatch.setattr(series_read, name, spy(name, getattr(series_read, name)))
    monkeypatch.setattr(timeline, "read_series", spy("read_series", timeline.read_series))
    out = batch_folder(no_day2_before(), tmp_path / "batch")
    run_timeline(out, n_boot=0, seed=0)
    assert got["read_series"] is not None and D2 in set(got["read_series"]["treated_at"])
    assert got["pooled_without"] is got["read_series"]
    # flow_read is called only with a flow-only photo; read_series' own call is checked directly
    series_read.read_series(pd.DataFrame(columns=["treatment", "metric", "side", "subject", "verdict", "reason"]),
                            pd.read_csv(out / "long.csv"), [], n_boot=0, sessions=got["read_series"])
    assert got["flow_read"] is got["read_series"]


def _weekly_monotone(monkeypatch):
    """Sessions at 0, 30 (day 2: its before photo forgotten, in ``sessions`` only), 198 and 228 h; the judging fit
    shows an effect gone 30 and 168 h after it and not at 198 or 228 h.  The 198 h session is judged against the
    30 h one at 168 h (gone) and left out for the first (198 h, not gone); the 228 h one: the 198 h session gone at
    30 h, day 2 not shown gone at 198 h but counted gone (shown gone 168 h after it, at the 198 h session), the first
    not gone at 228 h: left out, naming day 2 as counted gone."""
    def state_at(fit, gap):
        return (carryover.GONE, 0.0, -0.1, 0.1) if round(gap) in (30, 168) else (carryover.THERE, 0.5, 0.4, 0.6)

    monkeypatch.setattr(carryover, "state_at", state_at)
    monkeypatch.setattr(carryover, "_settles", lambda fit: True)
    at = {h: (START + timedelta(hours=h)).isoformat() for h in (0, 30, 198, 228)}
    changes = pd.DataFrame([dict(subject="me", treatment="mc", metric="jawline_lift_mm", side="mean", unit="mm",
                                 hours_since_treatment=t, value=0.5 + 0.01 * t + 0.001 * h, treated_at=at[h],
                                 photo=f"me_{h}h_{t:g}.jpg")
                            for h in (0, 198, 228) for t in (0.17, 1.0, 3.0, 5.0, 8.0, 12.0)])
    known = pd.DataFrame({"subject": "me", "treatment": "mc", "treated_at": list(at.values()),
                          "why": ["", NO_BASELINE, "", ""]})
    return changes, known, at


def test_a_session_counted_gone_is_named_with_its_note(monkeypatch):
    changes, known, at = _weekly_monotone(monkeypatch)
    res = analyze_series(changes, n_boot=0, seed=0, sessions=known)
    last = [f for f in res.follow_on if f.treated_at == at[228]]
    assert [(f.earlier_treated_at, f.counted_gone) for f in last] == [(at[0], ((at[30], 168.0),))]
    assert last[0].counted_notes == (NOTE,)
    words = (f"the one treated at {clock_text(at[30])} ({NOTE_SAID}) counts as gone, its effect shown gone 7.0 days "
             "after it")
    assert words in carryover.figure_text(last[0])
    assert words in res.fits[0].reason, res.fits[0].reason
    # a session counted gone that has rows is named as before (no brackets)
    plain = carryover.figure_text(carryover.FollowOn(
        "me", "mc", "m", "mean", at[228], at[0], 228.0, 6, 0.5, 0.4, 0.6, 0.3, 0.9, "mm",
        counted_gone=((at[30], 168.0),)))
    assert f"the one treated at {clock_text(at[30])} counts as gone" in plain


def _study_add(tmp_path, monkeypatch, data: bytes, *extra):
    """``study add`` of day 3's before photo (``data``) to a store holding two daily sessions: what it prints."""
    from facemetrics.cli import main
    from test_study_home import daily_store

    *_, store_dir = daily_store(tmp_path, monkeypatch)
    pre = tmp_path / "pre4.jpg"
    pre.write_bytes(data)
    assert main(["study", "add", str(pre), "--subject", "me", "--treatment", "microcurrent", "--treated-at",
                 "2026-11-04T08:00", "--taken-at", "2026-11-04T07:50", "--store", str(store_dir), *extra]) == 0


def _no_face_jpeg() -> bytes:
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (640, 480), (128, 120, 110)).save(buf, format="JPEG")
    return buf.getvalue()


def test_study_add_claims_no_second_role_for_a_before_photo_that_did_not_measure(tmp_path, monkeypatch, capsys):
    """A before photo with no face is stored, but the report's batch gives it no role, so no second role either:
    ``study add`` said "pre4.jpg: also read as the 23.8 h photo of the session treated at ..." for it."""
    from facemetrics.cli import MSG_ALSO_READ

    _study_add(tmp_path, monkeypatch, _no_face_jpeg())
    said = capsys.readouterr().out
    assert "pre4.jpg: added (baseline" in said and "no_face" in said, said
    assert MSG_ALSO_READ not in said, said


def test_study_add_without_measuring_says_if_it_measures(tmp_path, monkeypatch, capsys):
    """``--no-measure``: whether the photo measures is not known when the line is printed, and the line says so."""
    from facemetrics.cli import MSG_ALSO_READ, MSG_IF_MEASURES
    from test_study_home import _turned

    from pathlib import Path

    samples = Path(__file__).resolve().parents[1] / "sample_images"
    _study_add(tmp_path, monkeypatch, _turned(samples / "astronaut_before.jpg", 0.9), "--no-measure")
    said = capsys.readouterr().out
    line = (f"pre4.jpg: {MSG_ALSO_READ} photo at 23.8 h of the session treated at 2026-11-03 08:00 {MSG_IF_MEASURES}, "
            "like 1 earlier before photo")
    assert line in said, said
