"""A later session's before photo is also the earlier session's photo at that time (stop 56, c4).

A daily home user's next before photo is the face about 24 h after the earlier treatment, taken before the next
one: what a ``--follow-up`` photo then would be.  ``batch.tables._comparison_jobs`` compares it with the earlier
session's before photo as a post row of that session (docs/validation.md section 12, Round 14).  Rows of photos
(no images) and, for the fits, changes simulated at those rows' hours.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pandas as pd

from facemetrics.batch.tables import MSG_NEXT_BEFORE, _comparison_jobs, next_before_message
from facemetrics.timekeys import clock_text
from facemetrics.decay import analyze_series

START = datetime(2026, 11, 2, 7, 30)


def row(name, treatment, treated_at, taken_at, sha, subject="me"):
    h = (datetime.fromisoformat(taken_at) - datetime.fromisoformat(treated_at)).total_seconds() / 3600.0
    return dict(photo=name, subject=subject, treatment=treatment, treated_at=treated_at, taken_at=taken_at,
                hours_since_treatment=h, role="baseline" if h < 0 else "post", excluded="", sha256=sha,
                pixel_sha256="px" + sha)


def daily(days=3, treatment="mc", after=(0.17,), subject="me", gap_h=24.0):
    """A session every ``gap_h`` hours: a before photo 10 min before, after photos at ``after`` hours."""
    rows = []
    for d in range(days):
        t = START + timedelta(hours=gap_h * d)
        at = t.isoformat()
        rows.append(row(f"{subject}_d{d + 1}_pre.jpg", treatment, at, (t - timedelta(minutes=10)).isoformat(),
                        f"{subject}{treatment}{d}pre", subject))
        rows += [row(f"{subject}_d{d + 1}_{h:g}h.jpg", treatment, at, (t + timedelta(hours=h)).isoformat(),
                     f"{subject}{treatment}{d}{h}", subject) for h in after]
    return rows


def test_the_next_before_photo_is_a_row_of_the_earlier_session_at_its_hours():
    rows = daily(3)
    before = [dict(r) for r in rows]
    jobs = _comparison_jobs(rows)
    pairs = sorted((r["photo"], r["treated_at"], round(r["hours_since_treatment"], 3), r["role"],
                    tuple(b["photo"] for b in base)) for r, base in jobs)
    d1, d2 = START.isoformat(), (START + timedelta(days=1)).isoformat()
    assert pairs == [("me_d1_0.17h.jpg", d1, 0.17, "post", ("me_d1_pre.jpg",)),
                     ("me_d2_0.17h.jpg", d2, 0.17, "post", ("me_d2_pre.jpg",)),
                     ("me_d2_pre.jpg", d1, 23.833, "post", ("me_d1_pre.jpg",)),   # day 2's before photo, of day 1
                     ("me_d3_0.17h.jpg", (START + timedelta(days=2)).isoformat(), 0.17, "post", ("me_d3_pre.jpg",)),
                     ("me_d3_pre.jpg", d2, 23.833, "post", ("me_d2_pre.jpg",))]
    own = [{k: v for k, v in r.items() if not k.startswith("_")} for r in rows]
    assert own == before  # the photos' own rows are not changed: the job's row is a copy
    nb = next(r for r, _ in jobs if r["photo"] == "me_d2_pre.jpg")
    msg = next_before_message(nb)
    assert msg.startswith(MSG_NEXT_BEFORE) and f"treated at {clock_text(d2)}" in msg and "23.8 h after" in msg, msg
    assert next_before_message(rows[1]) == ""


def test_a_weekly_clinic_gets_its_168_h_row_and_a_session_of_another_treatment_between_none():
    weekly = daily(2, gap_h=168.0)
    assert sorted(round(r["hours_since_treatment"]) for r, _ in _comparison_jobs(weekly)) == [0, 0, 168]
    rows = daily(2)
    rf_at = (START + timedelta(hours=5)).isoformat()
    rows += [row("rf_pre.jpg", "rf", rf_at, (START + timedelta(hours=4.9)).isoformat(), "rfpre"),
             row("rf_1h.jpg", "rf", rf_at, (START + timedelta(hours=6)).isoformat(), "rf1")]
    assert sorted(r["photo"] for r, _ in _comparison_jobs(rows)) == ["me_d1_0.17h.jpg", "me_d2_0.17h.jpg",
                                                                     "rf_1h.jpg"]
    # another subject's session of another treatment in between does not count
    rows = daily(2) + [dict(r, subject="you") for r in rows[-2:]]
    assert "me_d2_pre.jpg" in [r["photo"] for r, _ in _comparison_jobs(rows)]


def test_no_row_without_both_sessions_compared_or_for_the_same_picture():
    rows = daily(2)
    no_after = [r for r in rows if r["photo"] != "me_d2_0.17h.jpg"]  # day 2: a before photo alone
    assert [r["photo"] for r, _ in _comparison_jobs(no_after)] == ["me_d1_0.17h.jpg"]
    same = [dict(r, sha256="me_d1_file") if r["photo"] in ("me_d1_0.17h.jpg", "me_d2_pre.jpg") else r for r in rows]
    assert "me_d2_pre.jpg" not in [r["photo"] for r, _ in _comparison_jobs(same)]  # one file, two sessions
    pixels = [dict(r, pixel_sha256="one") if r["photo"] in ("me_d1_pre.jpg", "me_d2_pre.jpg") else r for r in rows]
    assert "me_d2_pre.jpg" not in [r["photo"] for r, _ in _comparison_jobs(pixels)]


def _simulated(jobs, truth, seed=0, noise=0.05):
    """long.csv rows at the jobs' hours: ``truth(h)`` of each comparison's session, read against a before photo
    with an error of its own (shared by every change from it)."""
    rng = np.random.default_rng(seed)
    err: dict[str, float] = {}
    rows = []
    for r, base in jobs:
        e = err.setdefault(base[0]["photo"], rng.normal(0.0, noise))
        e_after = err.setdefault(r["photo"], rng.normal(0.0, noise)) if r.get("_next_session") else 0.0
        rows.append(dict(subject=r["subject"], treatment=r["treatment"], hours_since_treatment=r["hours_since_treatment"],
                         metric="jawline_lift_mm", side="mean", unit="mm", noise_floor=0.09, verdict="lift",
                         value=truth(r["hours_since_treatment"]) + e_after - e + rng.normal(0.0, noise),
                         treated_at=r["treated_at"], photo=r["photo"]))
    return pd.DataFrame(rows)


def _fading(h):  # the home audit's truth: 1.0 mm held 2 h, linear to 0 at 10 h
    return 1.0 if h <= 2 else max(0.0, 1.0 - (h - 2) / 8.0)


def test_a_daily_users_sessions_are_judged_at_their_next_before_photo():
    """Round 13: a daily fading user's photos at 0.17-12 h only left every later session out as a follow-on
    (the curve extrapolated to 24 h read -0.8 mm).  With each next before photo a row at ~24 h the sessions
    are pooled and the lift read as fading."""
    rows = daily(14, after=(0.17, 1.0, 5.0, 12.0))
    res = analyze_series(_simulated(_comparison_jobs(rows), _fading), n_boot=100, seed=0)
    assert res.follow_on == ()
    fit = res.fits[0]
    assert fit.n_photos == 14 * 4 + 13
    assert fit.verdict == "fades_within_a_day", (fit.verdict, fit.reason)


def test_a_placebo_daily_study_claims_no_lift():
    rows = daily(14, after=(0.17, 1.0, 5.0, 12.0))
    res = analyze_series(_simulated(_comparison_jobs(rows), lambda h: 0.0, seed=1), n_boot=100, seed=0)
    fit = res.fits[0]
    assert fit.verdict not in ("fades_within_a_day", "persists_beyond_a_day"), (fit.verdict, fit.reason)
    assert "nothing to fade" in fit.reason or fit.verdict != "inconclusive", fit.reason
    assert fit.n_photos > 14 * 4  # next before photos among them (2 sessions of 14 left out as follow-ons)


def test_the_advice_no_longer_asks_for_a_photo_on_a_day_without_a_session():
    """Round 13's advice asked a daily user for a selfie on a day without a session; the next session's before
    photo now is that photo.  What is still needed is said: a before photo the next session can lend, or one
    added with --follow-up when there is none."""
    from facemetrics.report import FOLLOW_ON_ADVICE

    assert "day without a session" not in FOLLOW_ON_ADVICE
    assert "next session's before photo is read as that photo" in FOLLOW_ON_ADVICE
    assert "about 24 h later" in FOLLOW_ON_ADVICE and "--follow-up" in FOLLOW_ON_ADVICE
