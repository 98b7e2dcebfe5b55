"""Follow-on sessions: a session begun while an earlier one of the same subject and treatment may still act.

The decay fit (:func:`facemetrics.decay.claim.analyze_series`) reads each session's changes as
changes from a fresh baseline: its before photo is the face without the treatment.  A second
session of the same subject and treatment whose treatment came while the first session's effect
may still last breaks that: its before photo already carries the earlier effect, so its changes
measure how a second treatment adds to a face that is already treated (0 when the effect is
already at its ceiling, the first one's course again when treatments add up, anything between),
not the single treatment's course.  Pooled as if from a fresh baseline, a lasting lift read as
one that fades (an audit, 2026-12-04: the demo's RF photos split into two sessions 96 h apart
read half-life 53 h and lasting 0.04 mm, 95 % CI -9.2 to 0.80 mm, for a lasting 1.5 mm).

The rule (:func:`follow_on_sessions`), per treatment × metric × side:

- a subject's sessions are its ``treated_at`` times, keyed as the batch keys them
  (:func:`facemetrics.decay.inputs._session_keys`), ordered by the instant they name; a
  session with an earlier session of the same subject and treatment is a *later* session,
  the others (each subject's first, and rows without a ``treated_at`` or with a time that does
  not parse, which cannot be ordered) are *first* sessions;
- the *first sessions' fit* (the decay fit of the first sessions' rows alone, every subject
  pooled) judges the earlier session's change ``gap_h`` hours after its treatment
  (:func:`state_at`): *gone* when the fit's ``test_confidence`` (90 %) band at ``gap_h`` lies
  inside ``±smallest_meaningful_change`` (the 24 h claim's equivalence test; with ``n_boot=0``,
  no band: the point estimate inside the margin), *still there* when it lies entirely beyond
  it, else (the band straddles the margin, or there is no fit: too few first-session photos,
  e.g. one subject's one day of a daily regimen) *not told*;
- when the first sessions' fit does not tell, the fit of *all* the series' sessions judges the
  same way (gone, or not); it is the old pooled fit, biased towards fading by the very sessions
  judged when the effect lasts, so it is asked only what the first sessions cannot answer, and
  a session it passes is pooled as before this rule (never worse than before);
- a later session is a *follow-on* session when the effect of any earlier session of its
  subject and treatment is not judged gone by its own treatment time (``gap_h`` = hours from
  that session's treatment to this one's); it is left out of the fit and named in the fit's
  ``reason`` with the fit that judged.  A later session after every earlier one's effect is
  gone (a fast-fading lift, sessions a day or more apart) is pooled as before;
- an earlier session whose effect was shown gone at its gap to a session between it and the later
  one counts as gone for the later one too (:data:`MONOTONE`, on since stop 56): no second look at
  the larger gap, where the band is wider (a session 19 days earlier read "0.05 mm, 90 % CI -0.10 to
  0.30", not shown gone, although the same fit showed it gone a day after it).  Sound for the fitted
  curve when the fit that showed it has its lasting level inside the margin (:func:`_settles`: the
  model moves monotonically towards ``lasting``; with ``lasting`` and ``transient`` of one sign this
  always holds where the change is inside); a left-out session's words name the sessions so counted.
  Measured (docs/validation.md section 22c, 40 tuning + 40 held-out studies a cell, tables with the
  next-before rows): sessions dropped that should be pooled 922 -> 813 (held out 919 -> 805) of 3120,
  most in a lasting build-up (0.06 mm a session), no right rate down more than 2.5 points, no wrong
  rate above 5 % where it was not, none pooled that should be dropped added.  Not sound for a face that
  rebounds (a dip below baseline at 1-2 days, a lift that comes back after 2-5 days; section 22d, stop 57):
  with sessions 48 h apart it pooled 3 of 240 later sessions more that should be dropped (a rise from 48 to
  120 h), so since stop 57 it counts only a session shown gone at least :data:`MONOTONE_MIN_GAP_H` (120 h)
  after it: weekly sessions keep it, sessions a day or two apart are judged at every gap as before it;
- a fit whose lasting level rule 8 withheld (:mod:`facemetrics.decay.late_photos`: its photos at or after
  :data:`~facemetrics.decay.late_photos.LATE_AFTER_H`, 36 h, do not follow its curve) does not tell a change at a gap
  of :data:`~facemetrics.decay.late_photos.LATE_AFTER_H` or more (:func:`tail_not_read`; since stop 58): its curve
  there is the tail rule 8 says the photos do not follow, so the next fit in the chain judges, and a session no fit
  tells of is left out, its words saying that fit cannot tell (:attr:`FollowOn.late_off`).  Before stop 58 that tail
  was read: a weekly clinic whose lift came back 0.6 mm by the next session (docs/validation.md section 22d's
  ``late_return``) had its later sessions pooled by the fit of all sessions, its curve at 168 h inside the margin
  while its photos at 167.75 h read 0.6 mm (``tests/test_follow_on_late.py``).

Judging a subject's later sessions by that subject's own fits first (its first session's fit, then the fit of
all its sessions; :data:`SUBJECT_JUDGES`, off) was measured and not shipped (docs/validation.md section 22,
``bench/bench_follow_on_subject.py``, stop 56).  A subject's first-session fit almost never shows a fading lift
gone: its changes share one before photo's error (about +-0.26 mm at 90 %), about as wide as the +-0.3 mm margin.
An unaffected subject's sessions are dropped under every rule.  The s55 case (a fading and an unaffected subject
under one treatment) read ``inconclusive`` pooled under every rule, and the variant cost another case's pooled
row 10 points (one study in 10).  A larger run with fresh seeds (section 22b, 40 tuning + 40 held-out studies a
cell, ``"first+all"`` against the pooled rule) kept it off: no wrong rate rose and no cell lost more than 5 points,
but the fading subject of the s55 case gained at most 7.5 points (the rule asked 10) on the tuning half, which
decides (held out: 15 points, reported, not acted on); the pooled row still read ``inconclusive``.

The session's *treatment* time is the boundary, not its before photo's capture time: the before
photo is taken before it, when the earlier effect is at least as large, and ``long.csv`` does not
carry the before photo's time.  Pure functions; no file I/O.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from ..timekeys import clock_text, parse_time, since_text
from .inputs import _session_keys, _session_texts
from .late_photos import LATE_AFTER_H
from ..listing import join_words
from .wording import ci_range, percent, quantity

#: how a subject's own fits judge its later sessions before the pooled rule (module docstring; docs/validation.md
#: section 22): ``""`` not at all (the pooled rule alone, as before stop 56), ``"first"`` its first-session fit,
#: ``"first+all"`` that, then the fit of all its sessions when it shows the effect gone
#: (``bench/bench_follow_on_subject.py`` sets each)
SUBJECT_JUDGES = ""

#: whether an earlier session whose effect was shown gone at its gap to a session between it and a later one is
#: judged gone for that later one too, without a second look at the larger gap (where the band is wider), when the
#: fit that showed it has its lasting level inside the margin (:func:`_settles`); docs/validation.md section 22c,
#: ``bench/bench_follow_on_subject.py --rules pooled,monotone``: on since stop 56 (d1)
MONOTONE = True

#: :data:`MONOTONE` counts an earlier session gone only when it was shown gone at a gap of at least this many hours to
#: the session between (stop 57, e2; docs/validation.md section 22d): a face that dips below baseline at 1-2 days, or
#: whose lift comes back after 2-5 days, can act again after it was shown gone at a day or two, and with sessions
#: 48 h apart the shortcut pooled a session whose before photo carried it (3 of 240 more than without it, a rise
#: from 48 to 120 h).  120 h (5 days): the latest rebound simulated there has ended by then.  Weekly sessions keep it.
MONOTONE_MIN_GAP_H = 120.0

#: whether a fit whose lasting level rule 8 withheld is not read at a gap of LATE_AFTER_H or more (:func:`tail_not_read`;
#: stop 58, g3, docs/validation.md section 23c).  Measured there: on the rebound truths it halves the later sessions
#: pooled that should be dropped, and turns some pooled rows' right `fades` into `inconclusive` (fewer photos)
LATE_TAIL_NOT_READ = True

__all__ = ["GONE", "THERE", "UNTOLD", "FollowOn", "earlier_text", "first_session_rows", "follow_on_sentence",
           "follow_on_sessions", "session_order", "shorten_follow_on", "shown_gone", "state_at", "figure_text"]

#: at most this many sessions are named one by one in a fit's ``reason`` (the rest counted)
_NAMED = 3


@dataclass(frozen=True)
class FollowOn:
    """One session left out of one series' decay fit as a follow-on session.

    Attributes
    ----------
    subject, treatment, metric, side : str
        The series (and the subject) it was left out of.
    treated_at : str
        The follow-on session's treatment time, as the table writes it.
    earlier_treated_at : str
        The earlier session whose effect is not shown gone by then (the latest such one).
    gap_h : float
        Hours from ``earlier_treated_at`` to ``treated_at``.
    n_rows : int
        Rows of the series left out (its photos' changes, its no-change checks).
    change, ci_low, ci_high : float
        The first sessions' fit at ``gap_h`` [metric unit] and its ``test_confidence`` interval;
        NaN when there is no such fit (the interval also NaN without a bootstrap).
    margin : float
        The fit's ``smallest_meaningful_change`` [metric unit]; NaN without a fit.
    level : float
        The interval's level (the fit's ``test_confidence``, e.g. 0.9).
    unit : str
        Unit of ``change`` and ``margin``.
    judged_by : str
        The fit whose figures these are: ``"subject"`` (the subject's own first-session fit), ``"first"``
        (the first sessions' fit, every subject pooled, when the subject's own did not tell or there is
        none) or ``"all"`` (the fit of all sessions, when the first sessions' fit did not tell either).
    counted_gone : tuple of (str, float)
        Later earlier sessions (``treated_at`` text, hours after it their effect was shown gone) counted gone
        because their effect was shown gone at a smaller gap (:data:`MONOTONE`); () without.
    earlier_note : str
        Why the earlier session has no row in the change table, in words (``"none of whose photos was compared:
        no baseline photo ..."``), when it is known only from the sessions given to
        :func:`facemetrics.decay.analyze_series` (``sessions``); "" for a session with rows.
    counted_notes : tuple of str
        :attr:`earlier_note` of each session of ``counted_gone``, in its order (() or "" for one with rows): a
        session counted gone is named with it too (docs/validation.md section 12, Round 17b).
    late_off : bool
        The fit of ``judged_by`` has its lasting level withheld by rule 8 and ``gap_h`` is at least
        :data:`~facemetrics.decay.late_photos.LATE_AFTER_H` (:func:`tail_not_read`): it does not tell that change
        (``change`` and its interval NaN; stop 58).
    """

    subject: str
    treatment: str
    metric: str
    side: str
    treated_at: str
    earlier_treated_at: str
    gap_h: float
    n_rows: int
    change: float
    ci_low: float
    ci_high: float
    margin: float
    level: float
    unit: str
    judged_by: str = "first"
    counted_gone: tuple = ()
    earlier_note: str = ""
    counted_notes: tuple = ()
    late_off: bool = False


def _aside(note: str) -> str:
    """``note`` for a bracket of its own: its own brackets made commas (``"no baseline photo (taken before
    treated_at) in this session"`` -> ``"no baseline photo, taken before treated_at, in this session"``), so that
    the words never nest brackets (docs/validation.md section 12, Round 18's (e))."""
    text = re.sub(r"\s*\(([^()]*)\)", r", \1,", str(note))
    text = re.sub(r",\s*([,.;:)])", r"\1", text)
    return text.rstrip(", ")


def earlier_text(f: FollowOn) -> str:
    """``f``'s earlier session as the words name it: its treatment time as a sentence says it
    (:func:`facemetrics.timekeys.clock_text`), with :attr:`FollowOn.earlier_note` in brackets when it has no row
    in the change table (``"2026-11-03 08:00 (none of whose photos was compared: no baseline photo, taken before
    treated_at, in this session)"``: no bracket inside, :func:`_aside`)."""
    when = clock_text(f.earlier_treated_at)
    return f"{when} ({_aside(f.earlier_note)})" if f.earlier_note else when


def _hours(later, earlier) -> float:
    """Hours from ``earlier`` to ``later`` (datetimes); both aware: as instants, else as wall-clock
    times (as :func:`facemetrics.batch.hours_between` compares a time with and one without an offset)."""
    if (later.tzinfo is None) != (earlier.tzinfo is None):
        later, earlier = later.replace(tzinfo=None), earlier.replace(tzinfo=None)
    return (later - earlier).total_seconds() / 3600.0


def session_order(changes: pd.DataFrame) -> dict[tuple[str, str], list[tuple]]:
    """Each subject × treatment's timed sessions in time order.

    Parameters
    ----------
    changes : pandas.DataFrame
        A change table with ``subject``, ``treatment`` (labels as the fits read them,
        :func:`facemetrics.decay.inputs._labels`) and optional ``treated_at``.  Every row counts,
        whatever its value or verdict: a session all of whose changes read ``uncertain`` still
        treated the face.

    Returns
    -------
    dict
        ``{(subject, treatment): [(instant, key, text), ...]}``, ordered by ``instant`` (a
        ``datetime``); ``key`` is the session key (:func:`facemetrics.decay.inputs._session_keys`),
        ``text`` its first ``treated_at`` as written.  Sessions without a ``treated_at`` or whose
        time does not parse are not listed (they cannot be ordered).
    """
    if "treated_at" not in changes.columns or changes.empty:
        return {}
    keys = _session_keys(changes)
    texts = _session_texts(changes)
    seen: dict[tuple[str, str], dict[str, tuple]] = {}
    for subj, tr, k, text in zip(changes["subject"].astype(str), changes["treatment"].astype(str), keys, texts):
        if not k:
            continue
        t = parse_time(text)  # as written (its offset kept): a time without one is compared as wall-clock time
        if t is None:
            continue
        seen.setdefault((subj, tr), {}).setdefault(k, (t, k, text))
    out = {}
    for st, sessions in seen.items():
        items = list(sessions.values())
        aware = all(t.tzinfo is not None for t, _, _ in items)
        out[st] = sorted(items, key=lambda s: (s[0] if aware else s[0].replace(tzinfo=None), s[1]))
    return out


def _earlier(order: dict, subject: str, treatment: str, key: str) -> list[tuple[str, float]]:
    """``[(earlier session's text, hours from it to session key), ...]`` of the sessions of
    ``subject`` and ``treatment`` before the session ``key`` (latest first); [] for a first session."""
    sessions = order.get((subject, treatment), [])
    at = next((i for i, s in enumerate(sessions) if s[1] == key), None)
    if not at:
        return []
    t = sessions[at][0]
    return [(s[2], _hours(t, s[0])) for s in reversed(sessions[:at])]


def first_session_rows(series: pd.DataFrame, order: dict) -> np.ndarray:
    """True for each row of ``series`` (shape (n,)) of a first session: no earlier session of its
    subject and treatment in ``order`` (:func:`session_order`); rows without a timed session too."""
    if "treated_at" not in series.columns or not order:
        return np.ones(len(series), dtype=bool)
    keys = _session_keys(series)
    return np.array([not _earlier(order, s, tr, k) for s, tr, k in
                     zip(series["subject"].astype(str), series["treatment"].astype(str), keys)], dtype=bool)


#: :func:`state_at`'s words: the change inside the margin, beyond it, or neither shown
GONE, THERE, UNTOLD = "gone", "there", "untold"


def tail_not_read(fit, gap_h: float) -> bool:
    """Whether ``fit``'s curve is not read ``gap_h`` hours after treatment: rule 8 withheld its lasting level (a
    fit, ``lasting`` NaN, the curve drawn with ``curve_lasting``: its photos at or after
    :data:`~facemetrics.decay.late_photos.LATE_AFTER_H` do not follow it) and ``gap_h`` is at least
    :data:`~facemetrics.decay.late_photos.LATE_AFTER_H`."""
    return bool(LATE_TAIL_NOT_READ and getattr(fit, "fit_ok", False) and gap_h >= LATE_AFTER_H
                and not math.isfinite(getattr(fit, "lasting", float("nan")))
                and math.isfinite(getattr(fit, "curve_lasting", float("nan"))))


def state_at(fit, gap_h: float) -> tuple[str, float, float, float]:
    """What ``fit`` tells of its change ``gap_h`` hours after treatment: ``(state, change, low, high)``.

    ``state`` is :data:`GONE` (:func:`shown_gone`), :data:`THERE` (the ``test_confidence`` band
    entirely beyond ``±smallest_meaningful_change``; without a band, never) or :data:`UNTOLD`; untold, with
    no figures (NaN), where the fit's curve is not read (:func:`tail_not_read`: rule 8 withheld its lasting level and
    ``gap_h`` is after a day).
    """
    if tail_not_read(fit, gap_h):
        nan = float("nan")
        return UNTOLD, nan, nan, nan
    gone, f, lo, hi = shown_gone(fit, gap_h)
    if gone:
        return GONE, f, lo, hi
    delta = fit.smallest_meaningful_change if fit.fit_ok else float("nan")
    if math.isfinite(delta) and math.isfinite(lo) and math.isfinite(hi) and (lo > delta or hi < -delta):
        return THERE, f, lo, hi
    return UNTOLD, f, lo, hi


def shown_gone(fit, gap_h: float) -> tuple[bool, float, float, float]:
    """Whether ``fit`` shows its effect gone ``gap_h`` hours after treatment: ``(gone, change, low, high)``.

    Parameters
    ----------
    fit : DecayFit
        A fit of :mod:`facemetrics.decay.claim` (``fit_ok``, ``curve``, ``test_confidence``,
        ``smallest_meaningful_change``, ``boot_params``).
    gap_h : float
        Hours since treatment.

    Returns
    -------
    (bool, float, float, float)
        Gone when the ``test_confidence`` band at ``gap_h`` lies inside
        ``±smallest_meaningful_change`` (without bootstrap replicates: the fitted change does);
        the fitted change and its band [metric unit] (NaN where there are none).  Not gone
        without a fit or a margin.
    """
    nan = float("nan")
    if not fit.fit_ok:
        return False, nan, nan, nan
    f, lo, hi = (float(v[0]) for v in fit.curve(np.array([gap_h]), fit.test_confidence))
    delta = fit.smallest_meaningful_change
    if not (math.isfinite(delta) and delta > 0):
        return False, f, lo, hi
    if math.isfinite(lo) and math.isfinite(hi):
        return bool(-delta < lo and hi < delta), f, lo, hi
    return bool(fit.boot_params is None or len(fit.boot_params) == 0) and abs(f) < delta, f, lo, hi


def follow_on_sessions(series: pd.DataFrame, order: dict, judge, fallback=None, own=None
                       ) -> tuple[np.ndarray, tuple[FollowOn, ...]]:
    """The follow-on sessions of one series (module docstring): which rows to leave out, and each session.

    Parameters
    ----------
    series : pandas.DataFrame
        One treatment × metric × side's cleaned rows (:func:`facemetrics.decay.inputs.validate_changes`).
    order : dict
        :func:`session_order` of the whole change table.
    judge : DecayFit or None
        The fit of the series' first-session rows (:func:`first_session_rows`); None when there are
        no later sessions to judge.
    fallback : callable, optional
        Returns the fit of all the series' rows (called at most once, only when ``judge`` does not
        tell, :data:`UNTOLD`); None: no such fit (a session ``judge`` does not tell of is left out).
    own : dict, optional
        ``{subject: (DecayFit, callable or None)}``: a subject's own first-session fit, and a callable
        returning the fit of all its sessions (None: not asked), asked first of that subject's later
        sessions (:func:`_own_state`); where they do not tell, or a subject has none, ``judge`` (then
        ``fallback``) is asked as before.  None or {}: the pooled rule alone.

    Returns
    -------
    (numpy.ndarray, tuple of FollowOn)
        bool, shape (n,): True for the rows of follow-on sessions; the sessions, in subject and time order.
    """
    leave = np.zeros(len(series), dtype=bool)
    if judge is None or "treated_at" not in series.columns or series.empty:
        return leave, ()
    keys = _session_keys(series)
    texts = _session_texts(series)
    subjects = series["subject"].astype(str).to_numpy()
    treatments = series["treatment"].astype(str).to_numpy()
    metric, side = str(series["metric"].iloc[0]), str(series["side"].iloc[0])
    # the series' own unit when the first sessions' fit has none (no first session compared: the one before it was
    # none of whose photos was compared; its figures read "-0.19 (90% CI -0.83 to 0.22)", Round 18)
    unit = str(judge.unit) or next((str(u) for u in series.get("unit", pd.Series(dtype=object)).dropna()), "")
    found: dict[tuple, FollowOn] = {}
    judged: set[tuple] = set()
    everything = []  # the fit of all sessions, made once when needed

    def all_fit():
        if not everything:
            everything.append(fallback() if fallback is not None else None)
        return everything[0]

    states: dict[tuple, tuple] = {}  # (subject, gap) -> _state_of's answer, asked once

    def state_of(subj, gap):
        if (subj, gap) not in states:
            state, fit, by, change, lo, hi = _own_state((own or {}).get(subj), gap)
            if state == UNTOLD:
                fit, by = judge, "first"
                state, change, lo, hi = state_at(judge, gap)
            if state == UNTOLD and all_fit() is not None:
                fit, by = all_fit(), "all"
                state, change, lo, hi = state_at(fit, gap)
            states[(subj, gap)] = (state, fit, by, change, lo, hi)
        return states[(subj, gap)]

    for i, (subj, tr, k) in enumerate(zip(subjects, treatments, keys)):
        if (subj, tr, k) in found:
            leave[i] = True
            continue
        if (subj, tr, k) in judged:
            continue
        judged.add((subj, tr, k))
        earlier, counted = _earlier(order, subj, tr, k), []
        for j, (earlier_at, gap) in enumerate(earlier):  # latest first: the smallest gap
            state, fit, by, change, lo, hi = state_of(subj, gap)
            sooner = _gone_sooner(earlier, j, lambda g: state_of(subj, g)) if state != GONE and MONOTONE else None
            if sooner is not None:
                counted.append((str(earlier_at), float(sooner)))
                continue
            if state != GONE:
                found[(subj, tr, k)] = FollowOn(
                    subject=subj, treatment=tr, metric=metric, side=side, treated_at=str(texts[i]),
                    earlier_treated_at=str(earlier_at), gap_h=float(gap), n_rows=0, change=change, ci_low=lo,
                    ci_high=hi, margin=float(fit.smallest_meaningful_change) if fit.fit_ok else float("nan"),
                    level=float(fit.test_confidence), unit=unit, judged_by=by, counted_gone=tuple(counted),
                    late_off=tail_not_read(fit, gap))
                leave[i] = True
                break
    counts: dict[tuple, int] = {}
    for trip in zip(subjects[leave], treatments[leave], keys[leave]):
        counts[trip] = counts.get(trip, 0) + 1
    place = {(s, tr, k): j for (s, tr), sess in order.items() for j, (_, k, _) in enumerate(sess)}
    items = [replace(found[trip], n_rows=counts.get(trip, 0))
             for trip in sorted(found, key=lambda trip: (trip[0], trip[1], place.get(trip, 0)))]
    return leave, tuple(items)


def _gone_sooner(earlier: list, j: int, state_of) -> float | None:
    """The smallest gap (hours) at which the earlier session ``earlier[j]`` (of :func:`_earlier`'s list, latest
    first) was shown gone at one of the sessions between it and the judged one, at least :data:`MONOTONE_MIN_GAP_H`
    after it, by a fit whose lasting level lies inside its margin (:data:`MONOTONE`); None when there is none.
    ``state_of(gap)`` is the judging chain's ``(state, fit, ...)`` at a gap."""
    for i in range(j - 1, -1, -1):  # the sessions between, nearest the earlier one first
        g = earlier[j][1] - earlier[i][1]
        if g < MONOTONE_MIN_GAP_H:
            continue
        state, fit = state_of(g)[:2]
        if state == GONE and _settles(fit):
            return g
    return None


def _settles(fit) -> bool:
    """Whether ``fit``'s curve stays inside its margin from a time its point estimate is inside it: its lasting
    level lies inside ``±smallest_meaningful_change``.  The model's change moves monotonically from ``lasting +
    transient`` towards ``lasting``, so from a time it is inside the margin it stays between that value and
    ``lasting`` (when ``lasting`` and ``transient`` share a sign, ``|lasting|`` is below the change at any time, so
    this always holds where the change is inside)."""
    delta = getattr(fit, "smallest_meaningful_change", float("nan"))
    lasting = getattr(fit, "lasting", float("nan"))
    return bool(getattr(fit, "fit_ok", False) and math.isfinite(delta) and math.isfinite(lasting)
                and abs(lasting) < delta)


def _own_state(own, gap: float) -> tuple:
    """``(state, fit, judged_by, change, low, high)`` of a subject's own fits (``(first-session fit, callable
    returning the fit of all its sessions or None)``, or None) ``gap`` hours after treatment: its first
    session's fit when it tells, else the fit of all its sessions when that shows the effect gone, else
    :data:`UNTOLD` (the pooled rule judges)."""
    nan = float("nan")
    if own is None:
        return UNTOLD, None, "", nan, nan, nan
    first, every = own
    state, change, lo, hi = state_at(first, gap)
    if state != UNTOLD:
        return state, first, "subject", change, lo, hi
    fit = every() if every is not None else None
    if fit is not None:
        state, change, lo, hi = state_at(fit, gap)
        if state == GONE:
            return state, fit, "subject_all", change, lo, hi
    return UNTOLD, None, "", nan, nan, nan


def _phrase(f: FollowOn, with_subject: bool) -> str:
    """One follow-on session in words (part of :func:`follow_on_sentence`)."""
    who = f"{f.subject}'s session" if with_subject else "the session"
    head = (f"{who} treated at {clock_text(f.treated_at)} began {since_text(f.gap_h)} after the one treated at "
            f"{earlier_text(f)}")
    return head + (", and " if not math.isfinite(f.change) else ", when ") + figure_text(f)


def figure_text(f: FollowOn) -> str:
    """Why ``f``'s session is a follow-on one in its series, in words: ``"the first-session fit puts that one's
    change at 0.40 mm (90% CI 0.21 to 0.60 mm), not shown inside ±0.30 mm"`` (or "no fit shows that one's effect
    gone by then"): the end of :func:`_phrase` and, per series, of :func:`facemetrics.report.follow_on_notes`.  Of a
    session judged by a fit whose curve is not read then (:attr:`FollowOn.late_off`): ``"the first-session fit does
    not follow its photos after a day (its lasting level is not shown), so it cannot tell that one's change then"``.
    Its brackets are never inside another (a surface prints it after a colon, not in brackets: Round 18's (e))."""
    # words true of any count: one subject's one first session read "the first sessions' alone" (Round 19's (ii))
    fit = {"first": "the first-session fit", "subject": f"{f.subject}'s own first-session fit",
           "subject_all": f"the fit of all {f.subject}'s sessions"}.get(
        f.judged_by, "the fit of every session (the first-session fit alone cannot tell)")
    if f.late_off:
        tells = "neither fit tells" if f.judged_by == "all" else "it cannot tell"
        return (f"{fit} does not follow its photos after a day (its lasting level is not shown), so {tells} that "
                f"one's change then" + _counted_text(f))
    if not math.isfinite(f.change):
        return "no fit shows that one's effect gone by then"
    if math.isfinite(f.ci_low):
        at = (f"{quantity(f.change, f.unit)} ({percent(f.level)} CI "
              f"{ci_range(f.ci_low, f.ci_high, f.unit)})")
    else:
        at = quantity(f.change, f.unit)
    if not (math.isfinite(f.margin) and f.margin > 0):
        return f"{fit} puts that one's change at {at}, with no margin to call it gone" + _counted_text(f)
    if math.isfinite(f.ci_low) and (f.ci_low > f.margin or f.ci_high < -f.margin):
        # the band entirely beyond the margin (state_at's THERE): the effect is still there, which an RF user reads
        # as the answer ("did it last"), not as "not shown inside ±0.30 mm" (docs/validation.md §12, Round 19)
        side = f"+{quantity(f.margin, f.unit)}" if f.ci_low > f.margin else quantity(-f.margin, f.unit)
        return (f"{fit} puts that one's change at {at}, entirely {'above' if f.ci_low > f.margin else 'below'} the "
                f"{side} margin: its effect was still there" + _counted_text(f))
    return f"{fit} puts that one's change at {at}, not shown inside \u00b1{quantity(f.margin, f.unit)}" + \
        _counted_text(f)


def _counted_text(f: FollowOn) -> str:
    """The end of :func:`figure_text` naming the earlier sessions counted gone (:data:`MONOTONE`): "" for none."""
    if not f.counted_gone:
        return ""
    notes = tuple(f.counted_notes) + ("",) * len(f.counted_gone)
    named = [f"the one treated at {clock_text(text)}{f' ({_aside(note)})' if note else ''} counts as gone, its "
             f"effect shown gone {since_text(g)} after it" for (text, g), note in zip(f.counted_gone, notes)]
    # no bracket around it: the sessions' own notes are in brackets (Round 18's (e): "(... (...) ...)")
    return ", while " + join_words(named) + " at a session between, by a fit whose lasting level is inside the margin"


#: the end of :func:`follow_on_sentence`: why a follow-on session is left out
_WHY_LEFT_OUT = ("A session begun while an earlier session of the same subject and treatment may still act has a "
                 "before photo that may carry that effect, so its changes are not changes from a fresh baseline "
                 "(they stay in long.csv; the Regimen section compares the before photos of later sessions with the "
                 "first session's).")
_SENTENCE = re.compile(r" (\d+ rows? of \d+ follow-on sessions?) (were|was) left out of this fit: .*? "
                       + re.escape(_WHY_LEFT_OUT))
#: what :func:`shorten_follow_on` leaves of :func:`follow_on_sentence` (``{what}``: "16 rows of 4 follow-on
#: sessions were") where the sessions have lines of their own (the console's, report.md's section)
FOLLOW_ON_REF = (" {what} left out of this fit (sessions begun while an earlier one may still act: see the follow-on "
                 "sessions below).")


def shorten_follow_on(reason: str) -> str:
    """``reason`` with :func:`follow_on_sentence` cut to its count and a pointer (:data:`FOLLOW_ON_REF`), for a
    surface that names each follow-on session in lines of its own (the ``timeline`` / ``study report`` console,
    report.md's "Sessions left out of the decay fits" section): it named them twice (an audit, stop 55).
    timeline.csv and the app, which have no such lines, keep the whole sentence."""
    if not isinstance(reason, str):
        return reason
    return _SENTENCE.sub(lambda m: FOLLOW_ON_REF.format(what=f"{m.group(1)} {m.group(2)}"), reason)


def follow_on_sentence(items, subject: str | None = None) -> str:
    """The sentence a fit's ``reason`` ends with when follow-on sessions were left out of it ("" for none).

    Parameters
    ----------
    items : iterable of FollowOn
        The series' follow-on sessions (:func:`follow_on_sessions`).
    subject : str, optional
        Only this subject's (a per-subject fit); None: all (the pooled fit).
    """
    items = [f for f in items if subject is None or f.subject == subject]
    if not items:
        return ""
    n_rows = sum(f.n_rows for f in items)
    k = len(items)
    named = [_phrase(f, subject is None) for f in items[:_NAMED]]
    if k > _NAMED:
        named.append(f"{k - _NAMED} more")
    return (f" {n_rows} row{'s' if n_rows != 1 else ''} of {k} follow-on session{'s' if k != 1 else ''} "
            f"{'were' if n_rows != 1 else 'was'} left out of this fit: {join_words(named)}. " + _WHY_LEFT_OUT)
