"""An earlier session's effect once shown gone stays gone (facemetrics.decay.carryover.MONOTONE; docs/validation.md
section 22c): the follow-on rule judges a later session against every earlier session at its own gap, and the
judging fit's band widens with the gap, so an effect shown gone at 1 day could read "not shown gone" at 2 days and
the later session was left out.  The decay model moves monotonically towards its lasting level, so with that level
inside the margin an effect inside the margin stays inside it.

Fits are stand-ins with the attributes the rule reads (a band widening with the gap), so each case is exact.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pandas as pd
import pytest

from facemetrics.decay import carryover

START = datetime(2026, 11, 2, 8, 0)


class _Fit:
    """A fit whose change is ``lasting`` at every gap, its 90 % band ``±(0.05 + 0.01 × gap)`` mm around it: inside the
    ±0.3 mm margin up to 25 h after treatment, not beyond."""

    fit_ok = True
    smallest_meaningful_change = 0.3
    test_confidence = 0.9
    boot_params = np.zeros((10, 3))
    unit = "mm"

    def __init__(self, lasting=0.0, transient=0.0):
        self.lasting, self.transient = lasting, transient

    def curve(self, t, level):
        t = np.asarray(t, float)
        f = np.full_like(t, self.lasting)
        return f, f - 0.05 - 0.01 * t, f + 0.05 + 0.01 * t


def _daily(n_sessions=3, gap_h=24.0):
    """One subject, a session every ``gap_h`` hours, two rows each."""
    rows = []
    for k in range(n_sessions):
        treated = (START + timedelta(hours=k * gap_h)).isoformat()
        rows += [dict(subject="me", treatment="rf", metric="jawline_lift_mm", side="mean", hours_since_treatment=h,
                      value=0.0, unit="mm", treated_at=treated) for h in (1.0, 6.0)]
    return pd.DataFrame(rows)


class _WeeklyFit(_Fit):
    """The same, on a week's scale: the band ``±(0.05 + 0.01 × gap / 7)`` mm, inside the margin up to 175 h."""

    def curve(self, t, level):
        return _Fit.curve(self, np.asarray(t, float) / 7.0, level)


def _left_out(series, fit, monkeypatch, monotone, min_gap=0.0):
    """The rule's core (``min_gap`` 0: every gap may count; as shipped since stop 57, 120 h)."""
    monkeypatch.setattr(carryover, "MONOTONE", monotone)
    monkeypatch.setattr(carryover, "MONOTONE_MIN_GAP_H", min_gap)
    leave, items = carryover.follow_on_sessions(series, carryover.session_order(series), fit)
    return leave, items


def test_it_ships_on_for_weekly_sessions_and_pools_what_the_rule_before_it_left_out():
    """As shipped (section 22c's decision, restricted in section 22d): the third of three weekly sessions, whose
    earlier sessions' effects were each shown gone at 168 h, is pooled; before, the first's was judged again at
    336 h and the session left out."""
    series = _daily(3, 168.0)
    leave, items = carryover.follow_on_sessions(series, carryover.session_order(series), _WeeklyFit())
    assert items == () and not leave.any()  # before: the third session left out (336 h after the first)
    assert carryover.MONOTONE is True and carryover.MONOTONE_MIN_GAP_H == 120.0


def test_as_shipped_an_effect_shown_gone_a_day_or_two_after_it_is_judged_again_at_the_larger_gap():
    """Section 22d: a face that dips below baseline at 1-2 days, or whose lift comes back after 2-5 days, can act
    again after it was shown gone at a day or two.  Since stop 57 the shortcut needs the effect shown gone at least
    120 h after it: three daily (or 48 h) sessions are judged as before section 22c (the third left out for the
    first at 48 h / 96 h); before stop 57 the third was pooled."""
    for gap in (24.0, 48.0):
        series = _daily(3, gap)
        fit = _Fit()
        if gap == 48.0:  # the band ±(0.05 + 0.005 × gap): inside up to 50 h, ±0.53 mm at 96 h
            fit.curve = lambda t, level: (np.zeros(np.size(t)), -0.05 - 0.005 * np.asarray(t, float),
                                          0.05 + 0.005 * np.asarray(t, float))
        assert carryover.shown_gone(fit, gap)[0] and not carryover.shown_gone(fit, 2 * gap)[0]
        leave, items = carryover.follow_on_sessions(series, carryover.session_order(series), fit)
        assert [x.gap_h for x in items] == [2 * gap] and leave.sum() == 2
        assert items[0].counted_gone == ()


def test_a_session_whose_earlier_ones_were_each_shown_gone_at_a_smaller_gap_is_pooled(monkeypatch):
    """Three daily sessions: the first's effect is shown gone at 24 h (the second session), the second's at 24 h
    (the third); the first's at 48 h is not (the band ±0.53 mm), so before the rule the third was left out."""
    series = _daily()
    leave, items = _left_out(series, _Fit(), monkeypatch, False)
    assert [(x.treated_at, x.earlier_treated_at, x.gap_h) for x in items] == [
        ("2026-11-04T08:00:00", "2026-11-02T08:00:00", 48.0)]
    assert leave.sum() == 2
    leave, items = _left_out(series, _Fit(), monkeypatch, True)
    assert items == () and not leave.any()


def test_a_lasting_level_beyond_the_margin_gets_no_shortcut(monkeypatch):
    """Shown gone at 24 h by a fit whose lasting level is 0.35 mm (beyond the margin; the point estimate at 24 h is
    what this stand-in's band is around, so it is a fit whose curve does not settle inside): the earlier session is
    judged again at 48 h, and the later one is left out as before."""
    fit = _Fit(lasting=0.35)
    fit.curve = lambda t, level: (np.zeros(np.size(t)), -0.05 - 0.01 * np.asarray(t, float),
                                  0.05 + 0.01 * np.asarray(t, float))
    assert carryover.shown_gone(fit, 24.0)[0] and not carryover.shown_gone(fit, 48.0)[0]
    leave, items = _left_out(_daily(), fit, monkeypatch, True)
    assert [x.gap_h for x in items] == [48.0]


@pytest.mark.parametrize("lasting, transient, settles", [
    (0.0, 1.5, True),     # a fading lift
    (0.1, 1.0, True),     # the same sign: |lasting| below the change at any time
    (-0.1, 1.0, True),    # opposite signs, the curve ends inside the margin
    (-0.5, 1.0, False),   # opposite signs, the curve crosses 0 and ends beyond it
    (1.5, 0.5, False),    # a lasting lift
])
def test_the_shortcut_needs_a_lasting_level_inside_the_margin(lasting, transient, settles):
    assert carryover._settles(_Fit(lasting, transient)) is settles


def test_a_session_still_under_an_earlier_effect_is_left_out_either_way(monkeypatch):
    """The second session's effect is not shown gone at 24 h: the third session is left out under both rules
    (the shortcut looks only at gaps where an effect was shown gone)."""
    series = _daily(3, 30.0)  # 30 h apart: the band ±0.35 mm, never inside
    for monotone in (False, True):
        leave, items = _left_out(series, _Fit(), monkeypatch, monotone)
        assert [x.treated_at for x in items] == ["2026-11-03T14:00:00", "2026-11-04T20:00:00"]


def test_a_session_counted_gone_is_said_where_a_later_one_is_still_left_out(monkeypatch):
    """Sessions at 0, 30, 54 and 78 h: the first's effect is never shown gone at a session (30 h: band ±0.35 mm), so
    every later session is left out for it; the 30 h session's effect, shown gone at 24 h (the 54 h session), is
    counted gone for the 78 h one, and its words say so."""
    rows = []
    for h0 in (0.0, 30.0, 54.0, 78.0):
        treated = (START + timedelta(hours=h0)).isoformat()
        rows += [dict(subject="me", treatment="rf", metric="jawline_lift_mm", side="mean", hours_since_treatment=h,
                      value=0.0, unit="mm", treated_at=treated) for h in (1.0, 6.0)]
    series = pd.DataFrame(rows)
    _, old = _left_out(series, _Fit(), monkeypatch, False)
    _, new = _left_out(series, _Fit(), monkeypatch, True)
    assert [(x.earlier_treated_at, x.gap_h) for x in old] == [("2026-11-02T08:00:00", 30.0),
                                                                ("2026-11-02T08:00:00", 54.0),
                                                                ("2026-11-03T14:00:00", 48.0)]
    assert [(x.earlier_treated_at, x.gap_h, x.counted_gone) for x in new] == [
        ("2026-11-02T08:00:00", 30.0, ()), ("2026-11-02T08:00:00", 54.0, ()),
        ("2026-11-02T08:00:00", 78.0, (("2026-11-03T14:00:00", 24.0),))]
    text = carryover.figure_text(new[-1])
    assert text.endswith(", while the one treated at 2026-11-03 14:00 counts as gone, its effect shown gone 24.0 h "
                         "after it at a session between, by a fit whose lasting level is inside the margin"), text
    assert "counts as gone" not in carryover.figure_text(old[-1])
    assert "counts as gone" in carryover.follow_on_sentence(new)
