"""A follow-on session read on a curve the tool does not trust after a day (stop 58, g3).

Rule 8 (:mod:`facemetrics.decay.late_photos`) withholds a fit's lasting level when its photos at or after 36 h do
not follow its curve; the curve is still drawn with the fitted value (``curve_lasting``).  At gaps over a day the
follow-on rule (:mod:`facemetrics.decay.carryover`) reads the judging fit's curve at the later session's time: that
tail.  A fit whose lasting level is withheld cannot tell the earlier session's effect after a day, so the later
session is not pooled as clean of it on that curve's word, and its words say why.

The table: three subjects, a weekly clinic (a session every 168 h, photos to 48 h, the next session's before photo
as the earlier session's photo at 167.75 h).  The truth is a lift fading in 3 h whose change comes back, 0.6 mm
from 48 to 120 h (``late_return`` of docs/validation.md section 22d): the next before photo carries 0.6 mm.
"""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import datetime, timedelta

import numpy as np
import pandas as pd
import pytest

from facemetrics.decay import analyze_series
from facemetrics.decay.carryover import GONE, UNTOLD, FollowOn, figure_text, state_at
from facemetrics.decay.claim import LASTING_WITHHELD
from facemetrics.decay.late_photos import LATE_AFTER_H

START = datetime(2026, 11, 2, 9, 0)
METRIC = "jawline_lift_mm"
GAP_H = 168.0
TIMES = (0.25, 1.0, 2.0, 6.0, 24.0, 48.0)


def _smooth(t, a, b):
    x = np.clip((np.asarray(t, float) - a) / (b - a), 0.0, 1.0)
    return x * x * (3.0 - 2.0 * x)


def late_return(t):
    """mm: a 1 mm lift fading in 3 h, then 0.6 mm coming back from 48 to 120 h."""
    t = np.asarray(t, float)
    return np.where(t >= 0, np.exp2(-t / 3.0) + 0.6 * _smooth(t, 48.0, 120.0), 0.0)


def weekly(seed: int = 0, truth=late_return, n_subjects: int = 3, noise: float = 0.05) -> pd.DataFrame:
    """Two sessions a subject, 168 h apart; the second's before photo is also the first's photo at 167.75 h.  Each
    before photo has its own error, shared by its session's changes; the second session's truth is its own course
    on top of what its before photo carries."""
    rng = np.random.default_rng(seed)
    rows = []
    for s in range(n_subjects):
        subject = f"S{s + 1}"
        t0 = START + timedelta(days=s)
        err = rng.normal(0.0, 0.05, size=2)
        carried = float(truth(GAP_H - 0.25))
        for k in range(2):
            treated = (t0 + timedelta(hours=k * GAP_H)).isoformat()
            for t in TIMES:
                value = (float(truth(t)) + (float(truth(GAP_H + t)) - carried if k else 0.0) - err[k]
                         + rng.normal(0.0, noise))
                rows.append(dict(subject=subject, treatment="rf", hours_since_treatment=t, metric=METRIC,
                                 side="mean", value=value, unit="mm", noise_floor=0.3, treated_at=treated,
                                 photo=f"{subject}/s{k}/{t:g}h.jpg"))
        rows.append(dict(subject=subject, treatment="rf", hours_since_treatment=GAP_H - 0.25, metric=METRIC,
                         side="mean", value=carried - err[0] + err[1], unit="mm", noise_floor=0.3,
                         treated_at=t0.isoformat(), photo=f"{subject}/s1/before.jpg"))
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def result():
    return analyze_series(weekly(), n_boot=200, seed=0)


def test_the_table_is_one_rule_8_withholds_the_lasting_level_of():
    """The premise: the first sessions' fit (and the fit of all sessions) read the 167.75 h photos (about 0.6 mm)
    off their curve (about 0.1-0.25 mm), and withhold the lasting level."""
    long = weekly()
    first_rows = long.groupby("subject")["treated_at"].transform("min") == long["treated_at"]
    first = analyze_series(long[first_rows], n_boot=200, seed=0, per_subject=False).fits[0]
    assert first.fit_ok and not math.isfinite(first.lasting) and math.isfinite(first.curve_lasting)
    assert LASTING_WITHHELD in first.reason
    late = [x for x in first.late_photos if x.times_h[0] > 100]
    assert late and late[0].data_change > 0.45 and late[0].curve_change < 0.3


def test_a_fit_whose_lasting_level_is_withheld_does_not_tell_after_a_day():
    """state_at reads no curve past LATE_AFTER_H of a fit whose lasting level rule 8 withheld: untold, no figures;
    before it (the 24 h claim's curve, which rule 8 keeps) it reads as before."""
    long = weekly()
    fit = analyze_series(long, n_boot=200, seed=0, per_subject=False).fits[0]
    assert not math.isfinite(fit.lasting)
    state, change, lo, hi = state_at(fit, GAP_H)
    assert state == UNTOLD and all(math.isnan(v) for v in (change, lo, hi))  # old code: gone, 0.14 mm
    state, change, _, _ = state_at(fit, LATE_AFTER_H - 12.0)
    assert math.isfinite(change)


def test_the_later_session_is_not_pooled_on_a_curve_that_does_not_follow_its_photos(result):
    """The later sessions' before photos carry 0.6 mm; old code pooled them (the fit of all sessions, its lasting
    level withheld, showed the effect gone at 168 h on its drawn curve).  Now they are left out, and said why."""
    fit = result.get("rf", METRIC, "mean")
    assert [(f.subject, f.gap_h) for f in result.follow_on] == [("S1", GAP_H), ("S2", GAP_H), ("S3", GAP_H)]
    assert fit.n_photos == 3 * (len(TIMES) + 1)  # the first sessions' photos and the next-before rows
    f = result.follow_on[0]
    assert f.late_off and math.isnan(f.change) and f.judged_by == "all"
    assert fit.reason.count("does not follow its photos after a day (its lasting level is not shown), so neither fit "
                            "tells that one's change then") == 3
    assert "lasting level is not shown" in figure_text(f)


def test_the_words_name_the_fit_that_cannot_tell():
    """figure_text of a session judged on a withheld tail: which fit, and why it cannot tell (no figures)."""
    nan = float("nan")
    f = FollowOn(subject="S1", treatment="rf", metric=METRIC, side="mean", treated_at="b", earlier_treated_at="a",
                 gap_h=GAP_H, n_rows=6, change=nan, ci_low=nan, ci_high=nan, margin=0.3, level=0.9, unit="mm",
                 judged_by="first", late_off=True)
    assert figure_text(f) == ("the first-session fit does not follow its photos after a day (its lasting level is "
                              "not shown), so it cannot tell that one's change then")
    assert figure_text(replace(f, judged_by="all")) == (
        "the fit of every session (the first-session fit alone cannot tell) does not follow its photos after a day (its "
        "lasting level is not shown), so neither fit tells that one's change then")


def test_a_lift_that_stays_gone_is_still_pooled():
    """The same weekly clinic with a fading lift and no return: no lasting level withheld, the later sessions pooled
    as before."""
    long = weekly(truth=lambda t: np.where(np.asarray(t, float) >= 0, np.exp2(-np.asarray(t, float) / 3.0), 0.0))
    res = analyze_series(long, n_boot=200, seed=0)
    fit = res.get("rf", METRIC, "mean")
    assert math.isfinite(fit.lasting) and res.follow_on == ()
    assert state_at(fit, GAP_H)[0] == GONE


def test_with_the_tail_read_as_before_stop_58_the_later_sessions_are_pooled(monkeypatch):
    """The old behaviour, kept behind carryover.LATE_TAIL_NOT_READ: the fit of all sessions, its lasting level
    withheld, shows the effect gone at 168 h on its drawn curve and every later session is pooled."""
    monkeypatch.setattr("facemetrics.decay.carryover.LATE_TAIL_NOT_READ", False)
    res = analyze_series(weekly(), n_boot=200, seed=0)
    assert res.follow_on == () and res.get("rf", METRIC, "mean").n_photos == 3 * (2 * len(TIMES) + 1)
