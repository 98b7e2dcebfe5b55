"""Follow-on sessions judged per subject, and the clinic protocol's 5 after photos (stop 56, task c3).

Change tables are simulated directly (no images), as ``bench/bench_claim.py`` and
``bench/bench_decay_misspecified.py`` do, so a study costs a few ``analyze_series`` calls::

    PYTHONPATH=. python bench/bench_follow_on_subject.py --part follow_on   # ~8 min on 2 busy cores
    PYTHONPATH=. python bench/bench_follow_on_subject.py --part min_photos  # ~4 min
    PYTHONPATH=. python bench/bench_follow_on_subject.py --studies 4        # a smoke run
    ... --csv /tmp/x.csv   /   --from-csv /tmp/x.csv                        # keep / re-read the records
    ... --seed-base N --rules pooled,subject_all --show tuning              # fresh studies, fewer rules (c3b)

Everything below was written on 2026-12-06 (17:40 UTC) before any run.

Noise and subjects (measured: as ``bench_decay_misspecified.py``, from the demo's long.csv, docs/validation.md
section 7): every session's before photo has an error ``b`` ~ N(0, 0.156²) mm shared by all the session's changes,
every photo ``e`` ~ N(0, 0.117²) mm; between subjects the amplitude ``f = max(0.05, 1 + 0.2 z)`` and the time
scale ``s = exp(0.3 z')``.

Part 1, ``follow_on``: a subject's later sessions judged by its own first-session fit
-----------------------------------------------------------------------------------
Kinds of subject (change in mm ``t`` h after a treatment): ``fade`` ``1.5 * 2 ** (-t / 6 h)`` (the s55 audit's
lee), ``last`` ``1.5 + 0.5 * 2 ** (-t / 3 h)`` (a lasting lift with a transient on top), ``none`` 0.  Several
sessions: the face is at its ceiling (a treatment restores the peak, adds nothing on top): the subject's state
at absolute time ``T`` is ``f * max_k g((T - T_k) / s)`` over the treatments ``T_k <= T``; a session's changes
are its photos' state minus its before photo's (taken 0.25 h before its treatment), plus the noise.

Study truths: ``all_fade`` (fade x3), ``all_last`` (last x3), ``fade_none`` (fade + none: the s55 case),
``fade_last`` (fade + last).

Designs (3 sessions each; photo times jittered: late by U(0.1, 0.4) h at a clinic, ``t * exp(0.15 z)`` at home):
``clinic6`` weekly (168 h), photos at 0, 1, 2, 6, 24, 48 h, one before photo; ``clinic5+2b`` weekly, photos at 0,
2, 6, 24, 48 h and two before photos (0.5 and 0.25 h before: their two no-change rows at negative times, as the
batch's leave-one-out comparisons of a session's before photos, ``+-(b2 - b)``); ``home48`` every 48 h, photos
at 0.25, 1, 3, 8, 14, 24 h.  (The clinic protocol with one before photo, 5 rows a session, gives no subject's
first-session fit at ``MIN_PHOTOS`` = 6, so the two rules read it identically: not run.)

Rules: ``pooled`` (before stop 56: the pooled first sessions' fit, then the fit of all sessions) and ``subject``
(a subject's own first-session fit first, when it has >= ``MIN_SUBJECT_TIMES`` times and it tells; else the
pooled rule), on the same tables and seeds (``carryover.SUBJECT_JUDGES``).  Added at 17:40 UTC after a smoke run
(2 studies, ``clinic6``) and before any other: ``subject_all`` (the subject's first-session fit when it tells, else
the fit of all the subject's sessions when it shows the effect gone, else the pooled rule).  In the smoke run the
own first-session fit never showed a fading subject's lift gone a week later: one session's changes share its
before photo's error (0.156 mm SD: +-0.26 mm at 90 % alone), so its band at any gap is about as wide as the
+-0.3 mm margin; the fit of all the subject's sessions has a before photo per session.
``analyze_series(table, per_subject=True, n_boot=200, seed=study)``, the ``mean`` side.

Figures per design x truth x rule: the pooled row's right / wrong / inconclusive (answer: the population's true
24 h change, mean over the study's kinds and ``s``, against the 0.3 mm margin; ``fade_none``: fades) and its 95 %
CI of the 24 h change covering that truth; per kind of subject the same against the subject's own truth
(``f * g(24 / s)``; a ``none`` subject: ``inconclusive`` is right, either verdict wrong), coverage of its own
truth; later sessions dropped as follow-on when they should be pooled (the earlier effect's true state at the
before photo inside the margin) and pooled when they should be dropped.

Decision rule (fixed before the run): the ``tuning`` half (even study indices) decides, the ``held_out`` half
(odd) is read once.  A variant (``subject``, ``subject_all``) ships iff on the tuning half (a) no right-verdict rate of any cell (pooled row,
or a kind's per-subject rows) is lower than ``pooled``'s by more than 5 points, (b) no wrong-verdict rate is
above 5 % and higher than ``pooled``'s, and (c) it clearly helps the case that motivated it: in ``fade_none``,
on some design, the pooled row's or the fading subject's right rate is at least 10 points higher, and the
sessions dropped when they should be pooled are fewer, summed over designs.  Otherwise the rule is left as it is
(``SUBJECT_JUDGES = ""``) and the figures say why.  If both variants pass, the one with the higher mean right rate
over the ``fade_none`` cells (pooled and per-subject rows) ships.

Part 2, ``min_photos``: the clinic protocol 0/2/6/24/48 h
--------------------------------------------------------
One subject, one session, one before photo: 5 rows, below ``MIN_PHOTOS`` = 6 (rows: a session's before photo has
a row only when there are two or more, each compared with the others), so always ``insufficient_data``.  Truths
and noise: ``bench_decay_misspecified.py``'s 8 truths (its ``simulate_table``, one subject).  Schedules
(clinic jitter): ``clinic5`` 0, 2, 6, 24, 48 h fitted with ``MIN_PHOTOS`` = 5 (patched); ``clinic6`` 0, 1, 2, 6,
24, 48 h at 6; ``clinic5+2b`` the 5 photos and two before photos' no-change rows (7 rows, fitted at 6 as it is).
``analyze_series(..., n_boot=200)``.  Figures: right / wrong / inconclusive against the subject's own truth
at 24 h (``wrong own``), 95 % CI coverage of that truth.

Decision rule (fixed before the run): ``MIN_PHOTOS`` becomes 5 iff on the tuning half, for every truth,
``clinic5``'s wrong rate is at most max(5 %, ``clinic6``'s) and its coverage at least ``clinic6``'s minus 10
points.  Else it stays 6, and the README says how the protocol reaches a fit (a sixth photo, or two before
photos), with the ``clinic5+2b`` figures.

Seeds ``SeedSequence([20261206, part, design, truth, study])``; ``--seed-base N`` replaces 20261206 to draw fresh
studies (task c3b, docs/validation.md section 22b), ``--rules`` runs only some rules (``pooled`` always, as the
reference), ``--show`` prints one half's table (the decision always reads the tuning half).

Results (2026-12-06, c2a956c, docs/validation.md section 22).  Part 1 (20 studies a cell, 804 s): neither variant
ships.  Both broke (a): ``clinic5+2b`` ``fade_last``'s pooled row fell 40 -> 30 % right, one study in 10.  Both
met (b) and (c): ``subject_all`` took the fading subject of ``fade_none`` on ``clinic6`` from 20 to 40 % right,
and cut the sessions dropped that should be pooled from 120 to 92; held out, 120 -> 77.  The ``fade_none`` pooled
row read 0-3 % right under every rule.  ``SUBJECT_JUDGES`` stays ``""``.  Part 2 (40 studies a cell, 189 s):
``MIN_PHOTOS`` stays 6; on the tuning half, 5 photos failed 3 of 8 truths (coverage 45-70 % against 90 %;
``power_tail`` 10 % wrong).  ``clinic5+2b`` was at most 5 % wrong in every cell, coverage 80-100 %.

Task c3b (docs/validation.md section 22b; the rule and seed base written there before the run): part 1 again with
fresh seeds, ``pooled`` against ``subject_all`` only, 40 tuning + 40 held-out studies a cell::

    PYTHONPATH=. nice -n 5 python bench/bench_follow_on_subject.py --studies 80 --seed-base 2026120656 \
        --rules pooled,subject_all --show tuning --csv /tmp/c3b_fo.csv      # 1078 s, load 2-4, 9fe829e

``subject_all`` does not ship: (a) kept at the limit (``clinic5+2b`` ``fade_last`` pooled row 17.5 -> 12.5 %),
(b) kept, (c) not met (the fading subject of ``fade_none`` gained at most 7.5 points, ``home48``; sessions dropped
that should be pooled 480 -> 329).  The held-out half would have passed (c) (``home48`` 15 -> 30 %): reported, not
acted on.  ``SUBJECT_JUDGES`` stays ``""``.

Task d1 (docs/validation.md section 22c; rule and seed base written there before the run): the tables gain the
next-before rows (``--next-before``, default on: each later session's before photo also a row of the session
before it, as the batch makes since stop 56, c4), a fifth truth ``all_build`` (each session adds a lasting 0.06 mm;
right verdict ``inconclusive``) and the rule ``monotone`` (``carryover.MONOTONE``: an earlier session shown gone at
a smaller gap stays gone), decided by ``_decide_monotone``::

    PYTHONPATH=. nice -n 5 python bench/bench_follow_on_subject.py --studies 40 --first-study 0 \
        --seed-base 2026120657 --rules pooled,monotone --show tuning --designs DESIGN --csv /tmp/fo_DESIGN_0.csv
    # the same with --first-study 40; each DESIGN a process; 514-570 s a chunk at load ~16, d6e6ed3

``monotone`` ships (``MONOTONE = True``): on the tuning half no right rate fell, no wrong rate rose above 5 %,
sessions dropped that should be pooled 922 -> 813 of 3120 (held out 919 -> 805), none more pooled that should be
dropped.  ``pooled`` without the next-before rows (``--no-next-before``, 40 studies) against with: wrongly dropped
sessions 753 -> 462 of 1560 on 20 tuning studies a cell; ``home48`` ``all_fade``'s pooled row 45 -> 85 % right.

Task e2 (docs/validation.md section 22d; rule, truths and seed base written there before the run): three rebound
truths (``dip``: a lift then a dip 0.5 mm below baseline at 48 h, gone by a week; ``return``: a lift then a rise to
0.4 mm from 24 to 72 h; ``late_return``: a rise to 0.6 mm from 48 to 120 h; the sessions' courses add up), a later
session's carry beyond the margin of either sign counted as one to drop, ``_monotone_harms``::

    PYTHONPATH=. nice -n 5 python bench/bench_follow_on_subject.py --studies 40 --first-study 0 \
        --seed-base 2026120757 --truths all_dip all_return all_late_return --rules pooled,monotone \
        --show tuning --designs DESIGN --csv /tmp/e2/fo_DESIGN_0.csv      # then --first-study 40; 503-662 s a chunk
    PYTHONPATH=. nice -n 5 python bench/bench_follow_on_subject.py --part first_session --studies 40 \
        --seed-base 2026120757                                          # the first sessions alone (part 5)

``MONOTONE`` harmed by (c): ``home48`` ``all_late_return`` pooled 66 -> 69 of 240 later sessions that should be
dropped; so it now needs the earlier effect shown gone at least ``carryover.MONOTONE_MIN_GAP_H`` (120 h) after it.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from facemetrics.decay import FADES, INCONCLUSIVE, PERSISTS, analyze_series  # noqa: E402
from facemetrics.decay import carryover, claim  # noqa: E402

sys.path.insert(0, str(ROOT / "bench"))
import bench_decay_misspecified as mis  # noqa: E402

SEED = 20261206
METRIC = "jawline_lift_mm"
SD_BASE, SD_PHOTO = mis.SD_BETWEEN_MM, mis.SD_WITHIN_MM
MARGIN = mis.MARGIN_MM
N_BOOT = 200
START = datetime(2026, 11, 2, 9, 0)
#: ``build``: each session adds this lasting change (mm), on top of the earlier ones' (docs/validation.md section 12,
#: Round 14's rf user: 0.057 mm a session day)
BUILD_MM = 0.06

#: the rebound truths' sizes (mm, times the subject's ``f``; docs/validation.md section 22d): the lift, the dip's depth
#: at its trough (48 h), the delayed rises' plateaus
LIFT_MM, DIP_MM, RETURN_MM, LATE_MM = 1.0, 0.5, 0.4, 0.6


def _smoothstep(t, start, end):
    """0 before ``start``, 1 after ``end`` (hours), a smooth rise between."""
    x = np.clip((np.asarray(t, float) - start) / (end - start), 0.0, 1.0)
    return x * x * (3.0 - 2.0 * x)


def _trough(t, at=48.0, k=6.0):
    """A dip's shape: 0 at treatment, 1 at ``at`` hours, back near 0 by a week (0.31 at 24 h, 0.16 at 96 h)."""
    x = np.asarray(t, float) / at
    return np.where(x > 0, np.clip(x, 0, None) ** k * np.exp(k * (1.0 - x)), 0.0)


def _lift(t):
    return LIFT_MM * np.exp2(-np.asarray(t, float) / 3.0)


KINDS = {
    "fade": lambda t: 1.5 * np.exp2(-np.asarray(t, float) / 6.0),
    "last": lambda t: 1.5 + 0.5 * np.exp2(-np.asarray(t, float) / 3.0),
    "none": lambda t: np.zeros_like(np.asarray(t, float)),
    "build": lambda t: np.full_like(np.asarray(t, float), BUILD_MM),
    # rebound truths (section 22d): not the model's curve, which moves one way in time
    "dip": lambda t: _lift(t) - DIP_MM * _trough(t),
    "return": lambda t: _lift(t) + RETURN_MM * _smoothstep(t, 24.0, 72.0),
    "late_return": lambda t: _lift(t) + LATE_MM * _smoothstep(t, 48.0, 120.0),
}
#: kinds whose sessions' courses add up (each treatment's dip or delayed rise on top of the earlier ones'), not the
#: ceiling rule's maximum
ADDITIVE = ("build", "dip", "return", "late_return")
#: kinds whose right verdict is ``inconclusive`` (no lift beyond the margin: "nothing to fade")
NO_LIFT = ("none", "build")
STUDIES = {"all_fade": ("fade",) * 3, "all_last": ("last",) * 3, "fade_none": ("fade", "none"),
           "fade_last": ("fade", "last"), "all_build": ("build",) * 3,
           "all_dip": ("dip",) * 3, "all_return": ("return",) * 3, "all_late_return": ("late_return",) * 3}
#: the rebound truths (section 22d)
REBOUND = ("all_dip", "all_return", "all_late_return")
#: ``name: (gap between sessions h, photo times h, before photos, jitter)``
DESIGNS = {
    "clinic6": (168.0, (0.0, 1.0, 2.0, 6.0, 24.0, 48.0), 1, "clinic"),
    "clinic5+2b": (168.0, (0.0, 2.0, 6.0, 24.0, 48.0), 2, "clinic"),
    "home48": (48.0, (0.25, 1.0, 3.0, 8.0, 14.0, 24.0), 1, "home"),
}
N_SESSIONS = 3
#: the rules compared: name -> ``carryover.SUBJECT_JUDGES``
RULES = {"pooled": "", "subject": "first", "subject_all": "first+all", "monotone": ""}
#: the rules that also set ``carryover.MONOTONE`` (section 22c)
MONOTONE_RULES = ("monotone",)
_GH_X, _GH_W = np.polynomial.hermite_e.hermegauss(40)
_GH_W = _GH_W / _GH_W.sum()


def _jitter(rng, times, how):
    t = np.asarray(times, float)
    if how == "clinic":
        return t + rng.uniform(0.1, 0.4, t.size)
    return t * np.exp(0.15 * rng.standard_normal(t.size))


def _state(kind, f, s, at, treated):
    """The subject's true change at absolute hours ``at`` (array) under the ceiling rule (``build``: the sessions'
    changes add up)."""
    g = KINDS[kind]
    combine = np.add if kind in ADDITIVE else np.maximum
    at = np.atleast_1d(np.asarray(at, float))
    out = np.zeros_like(at)
    for tk in treated:
        out = np.where(at >= tk, combine(out, f * g(np.clip(at - tk, 0, None) / s)), out)
    return out


def _rows(subject, k, treated_h, t, values):
    when = (START + timedelta(hours=treated_h)).isoformat()
    return [dict(subject=subject, treatment="rf", hours_since_treatment=float(h), metric=METRIC, side="mean",
                 value=float(v), unit="mm", treated_at=when, photo=f"{subject}/s{k}/{h:.3f}.jpg")
            for h, v in zip(t, values)]


def simulate_study(rng, design, kinds, next_before=True):
    """One study's long.csv rows, and per subject its kind, own 24 h truth and each later session's carry.

    ``next_before``: each later session's before photo is also a row of the session before it at that photo's
    hours since that session's treatment (the batch's next-before rows since stop 56, c4): its true state less the
    earlier before photo's, plus that photo's error less the earlier before photo's (the error the earlier
    session's rows share).  No extra draws: the studies are the same with and without."""
    gap, times, n_before, how = DESIGNS[design]
    rows, subjects = [], {}
    for i, kind in enumerate(kinds):
        name = f"S{i + 1}"
        f = max(0.05, 1.0 + 0.2 * rng.standard_normal())
        s = math.exp(0.3 * rng.standard_normal())
        treated = [i * 24.0 + k * gap for k in range(N_SESSIONS)]
        carries, prev = {}, None
        for k, tk in enumerate(treated):
            b = SD_BASE * rng.standard_normal()
            t = _jitter(rng, times, how)
            before = float(_state(kind, f, s, tk - 0.25, treated[:k])[0]) if k else 0.0
            y = _state(kind, f, s, tk + t, treated[:k + 1]) - before - b + SD_PHOTO * rng.standard_normal(t.size)
            rows += _rows(name, k, tk, t, y)
            if next_before and prev is not None:  # this before photo as the previous session's photo
                rows += _rows(name, k - 1, prev[0], np.array([tk - 0.25 - prev[0]]),
                              np.array([before - prev[1] + b - prev[2]]))
            prev = (tk, before, b)
            if n_before == 2:
                d = SD_BASE * rng.standard_normal() - b
                rows += _rows(name, k, tk, np.array([-0.5, -0.25]), np.array([-d, d]))
            if k:
                carries[(START + timedelta(hours=tk)).isoformat()] = before
        own24 = float(f * KINDS[kind](np.array([24.0 / s]))[0])
        subjects[name] = dict(kind=kind, own24=own24, carries=carries)
    return pd.DataFrame(rows), subjects


def population_24h(kinds):
    return float(np.mean([np.sum(_GH_W * KINDS[k](24.0 / np.exp(0.3 * _GH_X))) for k in kinds]))


def _own_answer(kind, own24):
    if kind in NO_LIFT:
        return INCONCLUSIVE
    return FADES if abs(own24) < MARGIN else PERSISTS


def _covers(f, truth):
    return bool(f.status == "ok" and f.change_24h_ci_low <= truth <= f.change_24h_ci_high)


def run_follow_on(studies, designs=tuple(DESIGNS), truths=tuple(STUDIES), seed_base=SEED,
                  rules=tuple(RULES), next_before=True) -> pd.DataFrame:
    """Records of part 1; ``seed_base`` draws fresh studies (``SeedSequence([seed_base, 1, design, truth, study])``),
    ``rules`` the rules compared (names of ``RULES``, ``pooled`` first as the reference), ``next_before`` whether
    the tables have the next-before rows (:func:`simulate_study`)."""
    recs, saved, saved_mono = [], carryover.SUBJECT_JUDGES, carryover.MONOTONE
    for di, design in enumerate(DESIGNS):
        for ti, truth in enumerate(STUDIES):
            if design not in designs or truth not in truths:
                continue
            kinds = STUDIES[truth]
            pop = population_24h(kinds)
            pop_answer = INCONCLUSIVE if set(kinds) <= set(NO_LIFT) else FADES if abs(pop) < MARGIN else PERSISTS
            for k in studies:
                rng = np.random.default_rng(np.random.SeedSequence([seed_base, 1, di, ti, k]))
                table, subjects = simulate_study(rng, design, kinds, next_before=next_before)
                done = {}
                for rule in rules:
                    carryover.SUBJECT_JUDGES = RULES[rule]
                    carryover.MONOTONE = rule in MONOTONE_RULES
                    if rule in MONOTONE_RULES and "pooled" in done and not done["pooled"].follow_on:
                        res = done["pooled"]  # it only pools sessions pooled drops: none here, the same analysis
                    else:
                        res = done[rule] = analyze_series(table, per_subject=True, n_boot=N_BOOT, seed=k)
                    dropped = {(x.subject, x.treated_at) for x in res.follow_on}
                    base = dict(design=design, truth=truth, study=k, rule=rule,
                                half="tuning" if k % 2 == 0 else "held_out")
                    for fit in res.fits:
                        if fit.subject is None:
                            recs.append(dict(base, row="pooled", answer=pop_answer, verdict=fit.verdict,
                                             covered=_covers(fit, pop), ok=fit.status == "ok", drop_wrong=0,
                                             pool_wrong=0, later=0))
                            continue
                        info = subjects[fit.subject]
                        should = {w for w, c in info["carries"].items() if abs(c) >= MARGIN}
                        mine = {w for (s, w) in dropped if s == fit.subject}
                        recs.append(dict(base, row=info["kind"], answer=_own_answer(info["kind"], info["own24"]),
                                         verdict=fit.verdict, covered=_covers(fit, info["own24"]),
                                         ok=fit.status == "ok", drop_wrong=len(mine - should),
                                         pool_wrong=len(should - mine), later=len(info["carries"]),
                                         judged_by=";".join(sorted({x.judged_by for x in res.follow_on
                                                                    if x.subject == fit.subject}))))
    carryover.SUBJECT_JUDGES, carryover.MONOTONE = saved, saved_mono
    return pd.DataFrame(recs)


def _wrong(answer, verdict):
    if answer == INCONCLUSIVE:
        return verdict != INCONCLUSIVE
    return verdict == (PERSISTS if answer == FADES else FADES)


def summarise_follow_on(df: pd.DataFrame) -> pd.DataFrame:
    df = df.assign(right=df["verdict"] == df["answer"],
                   wrong=[_wrong(a, v) for a, v in zip(df["answer"], df["verdict"])],
                   inconclusive=df["verdict"] == INCONCLUSIVE)
    g = df.groupby(["half", "design", "truth", "row", "rule"], sort=False)
    out = g.agg(n=("right", "size"), right=("right", "mean"), wrong=("wrong", "mean"),
                inconclusive=("inconclusive", "mean"), drop_wrong=("drop_wrong", "sum"),
                pool_wrong=("pool_wrong", "sum"), later=("later", "sum")).reset_index()
    cov = df[df["ok"]].groupby(["half", "design", "truth", "row", "rule"], sort=False)["covered"].mean()
    return out.merge(cov.rename("coverage").reset_index(), how="left")


def decide_follow_on(s: pd.DataFrame) -> tuple[str, list[str]]:
    """The module docstring's rule on the tuning half's summary ``s``: the rule that ships, and why."""
    ships, notes, score = [], [], {}
    for rule in [r for r in ("subject", "subject_all") if r in set(s["rule"])]:
        ok, why = _decide_one(s, rule)
        notes += [f"{rule}: " + w for w in why]
        t = s[(s["half"] == "tuning") & (s["rule"] == rule) & (s["truth"] == "fade_none")]
        score[rule] = float(t["right"].mean())
        if ok:
            ships.append(rule)
    if "monotone" in set(s["rule"]):
        ok, why = _decide_monotone(s)
        notes += ["monotone: " + w for w in why]
        if ok and not ships:
            return "monotone", notes
    return (max(ships, key=score.get) if ships else "pooled"), notes


def _decide_monotone(s: pd.DataFrame) -> tuple[bool, list[str]]:
    """Section 22c's rule for ``monotone`` against ``pooled`` on the tuning half: (a) no right-verdict rate falls by
    more than 5 points, (b) no wrong-verdict rate above 5 % where ``pooled``'s was not, (c) the sessions dropped that
    should be pooled fall (summed over every design and truth), (d) the sessions pooled that should be dropped do
    not rise above 1 % of the later sessions (or above ``pooled``'s count, if that is higher)."""
    t = s[s["half"] == "tuning"].set_index(["design", "truth", "row", "rule"])
    old, new = t.xs("pooled", level="rule"), t.xs("monotone", level="rule")
    loss = old["right"] - new["right"]
    a = bool((loss <= 0.05 + 1e-9).all())
    bad = (new["wrong"] > 0.05 + 1e-9) & (old["wrong"] <= 0.05 + 1e-9)
    b = not bad.any()
    dw_old, dw_new = int(old["drop_wrong"].sum()), int(new["drop_wrong"].sum())
    c = dw_new < dw_old
    later = int(new["later"].sum())
    pw_old, pw_new = int(old["pool_wrong"].sum()), int(new["pool_wrong"].sum())
    d = pw_new <= max(pw_old, 0.01 * later)
    return a and b and c and d, [
        f"(a) largest loss of right verdicts {100 * loss.max():.1f} points ({loss.idxmax()}): "
        f"{'kept' if a else 'broken'}",
        f"(b) wrong rates above 5 % where pooled's was not: {list(bad[bad].index) or 'none'}",
        f"(c) sessions dropped that should be pooled {dw_old} -> {dw_new} of {later} later sessions: "
        f"{'fall' if c else 'do not fall'}",
        f"(d) sessions pooled that should be dropped {pw_old} -> {pw_new} (1 % of {later} = {0.01 * later:.1f}): "
        f"{'kept' if d else 'broken'}"]


def _monotone_harms(s: pd.DataFrame, half: str = "tuning") -> tuple[bool, list[str]]:
    """Section 22d's rule for ``monotone`` against ``pooled`` on the rebound truths (one half of the summary ``s``):
    it harms iff on some rebound cell (design x truth x row) (a) its right-verdict rate is lower by more than 5
    points, (b) its wrong-verdict rate is above 5 % where ``pooled``'s is not, or (c) the sessions it pools that
    should be dropped exceed ``pooled``'s by more than 1 % of the cell's later sessions."""
    t = s[(s["half"] == half) & s["truth"].isin(REBOUND)].set_index(["design", "truth", "row", "rule"])
    old, new = t.xs("pooled", level="rule"), t.xs("monotone", level="rule")
    loss = old["right"] - new["right"]
    a = loss > 0.05 + 1e-9
    b = (new["wrong"] > 0.05 + 1e-9) & (old["wrong"] <= 0.05 + 1e-9)
    extra = new["pool_wrong"] - old["pool_wrong"]
    c = extra > 0.01 * new["later"] + 1e-9
    return bool(a.any() or b.any() or c.any()), [
        f"(a) largest loss of right verdicts {100 * loss.max():.1f} points ({loss.idxmax()}); over 5: "
        f"{list(a[a].index) or 'none'}",
        f"(b) wrong rates above 5 % where pooled's was not: {list(b[b].index) or 'none'}",
        f"(c) sessions pooled that should be dropped {int(old['pool_wrong'].sum())} -> {int(new['pool_wrong'].sum())}"
        f" of {int(new['later'].sum())} later sessions; largest excess {int(extra.max())} ({extra.idxmax()}); "
        f"over 1 % of a cell's: {list(c[c].index) or 'none'}",
        f"    sessions dropped that should be pooled {int(old['drop_wrong'].sum())} -> {int(new['drop_wrong'].sum())}"]


def _decide_one(s: pd.DataFrame, rule: str) -> tuple[bool, list[str]]:
    t = s[s["half"] == "tuning"].set_index(["design", "truth", "row", "rule"])
    old = t.xs("pooled", level="rule")
    new = t.xs(rule, level="rule")
    notes = []
    loss = (old["right"] - new["right"])
    a = bool((loss <= 0.05 + 1e-9).all())
    notes.append(f"(a) largest loss of right verdicts {100 * loss.max():.0f} points ({loss.idxmax()}): "
                 f"{'kept' if a else 'broken'}")
    bad = (new["wrong"] > 0.05 + 1e-9) & (new["wrong"] > old["wrong"] + 1e-9)
    b = not bad.any()
    notes.append(f"(b) wrong rates above 5 % and higher: {list(bad[bad].index) or 'none'}")
    fn = [(d, r) for d, tr, r in new.index if tr == "fade_none" and r in ("pooled", "fade")]
    gain = max(float(new.loc[(d, "fade_none", r), "right"] - old.loc[(d, "fade_none", r), "right"]) for d, r in fn)
    dw_old = int(old.xs("fade_none", level="truth")["drop_wrong"].sum())
    dw_new = int(new.xs("fade_none", level="truth")["drop_wrong"].sum())
    c = gain >= 0.10 - 1e-9 and dw_new < dw_old
    notes.append(f"(c) fade_none: best gain of right verdicts {100 * gain:.0f} points; sessions dropped that "
                 f"should be pooled {dw_old} -> {dw_new}: {'helps' if c else 'does not clearly help'}")
    return a and b and c, notes


def population_at(kinds, hours) -> float:
    """The population's true change ``hours`` after one treatment (mean over the kinds and the time scale)."""
    return float(np.mean([np.sum(_GH_W * KINDS[k](hours / np.exp(0.3 * _GH_X))) for k in kinds]))


def run_first_session(studies, designs=tuple(DESIGNS), truths=REBOUND, seed_base=SEED) -> pd.DataFrame:
    """Section 22d, for the record: the first sessions alone (every subject pooled; with and without the next
    session's before photo as their row) under each truth: the 24 h verdict and the fitted curve at 48 and 96 h
    against the truth there.  The studies are part 1's (the same seeds), their later sessions' rows dropped."""
    recs = []
    for di, design in enumerate(DESIGNS):
        for ti, truth in enumerate(STUDIES):
            if design not in designs or truth not in truths:
                continue
            kinds = STUDIES[truth]
            pop = {h: population_at(kinds, h) for h in (24.0, 48.0, 96.0)}
            for k in studies:
                rng = np.random.default_rng(np.random.SeedSequence([seed_base, 1, di, ti, k]))
                table, _ = simulate_study(rng, design, kinds)
                first = table[table["photo"].str.contains("/s0/")]
                nb = np.isclose(first["hours_since_treatment"], DESIGNS[design][0] - 0.25)  # the next-before rows
                for rows, data in (("first", first[~nb]), ("first+next", first)):
                    fit = analyze_series(data, per_subject=False, n_boot=N_BOOT, seed=k).fits[0]
                    at = fit.curve(np.array([48.0, 96.0]))[0] if fit.fit_ok else (math.nan, math.nan)
                    recs.append(dict(design=design, truth=truth, study=k, rows=rows,
                                     half="tuning" if k % 2 == 0 else "held_out", verdict=fit.verdict,
                                     change_24h=fit.change_24h, true_24h=pop[24.0], fit_48h=float(at[0]),
                                     true_48h=pop[48.0], fit_96h=float(at[1]), true_96h=pop[96.0],
                                     lasting=fit.lasting, source=fit.change_24h_source,
                                     reason=str(fit.reason)[:160]))
    return pd.DataFrame(recs)


def summarise_first_session(df: pd.DataFrame) -> pd.DataFrame:
    """Per half × design × truth × rows: the verdicts' shares (%), the mean fitted 24/48/96 h change against the
    truth there (mm)."""
    g = df.groupby(["half", "design", "truth", "rows"], sort=False)
    out = g.agg(n=("verdict", "size"), fades=("verdict", lambda v: 100 * (v == FADES).mean()),
                persists=("verdict", lambda v: 100 * (v == PERSISTS).mean()),
                inconclusive=("verdict", lambda v: 100 * (v == INCONCLUSIVE).mean()),
                fit_24h=("change_24h", "mean"), true_24h=("true_24h", "first"), fit_48h=("fit_48h", "mean"),
                true_48h=("true_48h", "first"), fit_96h=("fit_96h", "mean"), true_96h=("true_96h", "first"),
                lasting=("lasting", "mean"), photos_18_30h=("source", lambda v: 100 * (v == "photos_18_30h").mean()))
    return out.round(2).reset_index()


def run_min_photos(studies, seed_base=SEED) -> pd.DataFrame:
    recs = []
    scheds = {"clinic5": ((0.0, 2.0, 6.0, 24.0, 48.0), 5, 1), "clinic6": ((0.0, 1.0, 2.0, 6.0, 24.0, 48.0), 6, 1),
              "clinic5+2b": ((0.0, 2.0, 6.0, 24.0, 48.0), 6, 2)}
    saved = claim.MIN_PHOTOS
    try:
        for si, (sched, (times, min_photos, n_before)) in enumerate(scheds.items()):
            for ti, name in enumerate(mis.TRUTHS):
                for k in studies:
                    rng = np.random.default_rng(np.random.SeedSequence([seed_base, 2, si, ti, k]))
                    t = _jitter(rng, times, "clinic")
                    table = mis.simulate_table(rng, name, t, 1)
                    own24 = float(table.pop("own_24h").iloc[0])
                    if n_before == 2:  # the before photos' no-change rows: +-(b2 - b), b the before photo's
                        d = math.sqrt(2.0) * mis.SD_BETWEEN_MM * rng.standard_normal()
                        extra = table.iloc[:2].assign(hours_since_treatment=[-0.5, -0.25], value=[-d, d])
                        table = pd.concat([extra, table], ignore_index=True)
                    claim.MIN_PHOTOS = min_photos
                    f = analyze_series(table, per_subject=False, n_boot=N_BOOT, seed=k).fits[0]
                    answer = FADES if abs(own24) < MARGIN else PERSISTS
                    recs.append(dict(schedule=sched, truth=name, study=k,
                                     half="tuning" if k % 2 == 0 else "held_out", answer=answer,
                                     verdict=f.verdict, ok=f.status == "ok", covered=_covers(f, own24)))
    finally:
        claim.MIN_PHOTOS = saved
    return pd.DataFrame(recs)


def summarise_min_photos(df: pd.DataFrame) -> pd.DataFrame:
    df = df.assign(right=df["verdict"] == df["answer"],
                   wrong=[_wrong(a, v) for a, v in zip(df["answer"], df["verdict"])],
                   inconclusive=df["verdict"] == INCONCLUSIVE)
    g = df.groupby(["half", "schedule", "truth"], sort=False)
    out = g.agg(n=("right", "size"), right=("right", "mean"), wrong=("wrong", "mean"),
                inconclusive=("inconclusive", "mean")).reset_index()
    cov = df[df["ok"]].groupby(["half", "schedule", "truth"], sort=False)["covered"].mean()
    return out.merge(cov.rename("coverage").reset_index(), how="left")


def decide_min_photos(s: pd.DataFrame) -> tuple[bool, list[str]]:
    t = s[s["half"] == "tuning"].set_index(["truth", "schedule"])
    notes, ok = [], True
    for truth in mis.TRUTHS:
        five, six = t.loc[(truth, "clinic5")], t.loc[(truth, "clinic6")]
        good = five["wrong"] <= max(0.05, six["wrong"]) + 1e-9 and \
            (five["coverage"] >= six["coverage"] - 0.10 - 1e-9)
        ok &= bool(good)
        notes.append(f"{truth}: clinic5 wrong {100 * five['wrong']:.0f} % (clinic6 {100 * six['wrong']:.0f} %), "
                     f"coverage {100 * five['coverage']:.0f} % (clinic6 {100 * six['coverage']:.0f} %): "
                     f"{'passes' if good else 'fails'}")
    return ok, notes


def _pct(x):
    return "-" if not np.isfinite(x) else f"{100 * x:.0f}"


def markdown(s: pd.DataFrame, keys) -> str:
    lines = []
    for half, g in s.groupby("half", sort=False):
        lines += [f"\n{half} ({int(g['n'].iloc[0])} rows per cell)\n",
                  "| " + " | ".join(keys) + " | right % | wrong % | inconclusive % | 95 % CI covers % |"
                  + (" dropped, should pool | pooled, should drop | later sessions |" if "later" in g else ""),
                  "|" + "---|" * (len(keys) + 4 + (3 if "later" in g else 0))]
        for r in g.to_dict("records"):
            cells = [str(r[k]) for k in keys] + [_pct(r["right"]), _pct(r["wrong"]), _pct(r["inconclusive"]),
                                                 _pct(r["coverage"])]
            if "later" in r:
                cells += [str(int(r["drop_wrong"])), str(int(r["pool_wrong"])), str(int(r["later"]))]
            lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--part", choices=("follow_on", "min_photos", "first_session"), default="follow_on")
    ap.add_argument("--truths", nargs="*", default=None,
                    help="study truths of part follow_on (default all) or first_session (default the rebound ones)")
    ap.add_argument("--studies", type=int, default=16, help="studies per cell (even: tuning, odd: held out)")
    ap.add_argument("--first-study", type=int, default=0,
                    help="index of the first study (studies first .. first + studies - 1: a long run in chunks)")
    ap.add_argument("--designs", nargs="*", default=list(DESIGNS))
    ap.add_argument("--seed-base", type=int, default=SEED,
                    help=f"first entry of every study's SeedSequence (default {SEED}: the recorded run of section 22)")
    ap.add_argument("--rules", default=",".join(RULES),
                    help="rules compared, comma-separated (pooled is the reference and always run), e.g. "
                         "pooled,subject_all")
    ap.add_argument("--show", choices=("both", "tuning", "held_out"), default="both",
                    help="which half's table to print (the decision always reads the tuning half); "
                         "'tuning' keeps the held-out half unread until it is asked for")
    ap.add_argument("--next-before", action=argparse.BooleanOptionalAction, default=True,
                    help="each later session's before photo also a row of the session before it (the batch since "
                         "stop 56, c4; default on; --no-next-before: the tables of sections 22 and 22b)")
    ap.add_argument("--csv")
    ap.add_argument("--from-csv")
    args = ap.parse_args(argv)
    rules = tuple(dict.fromkeys(["pooled"] + [r.strip() for r in args.rules.split(",") if r.strip()]))
    unknown = [r for r in rules if r not in RULES]
    if unknown:
        ap.error(f"unknown rule(s) {', '.join(unknown)}; choose from {', '.join(RULES)}")
    t0 = time.time()
    studies = range(args.first_study, args.first_study + args.studies)
    if args.from_csv:
        df = pd.read_csv(args.from_csv, keep_default_na=False)
    elif args.part == "follow_on":
        df = run_follow_on(studies, tuple(args.designs), truths=tuple(args.truths or STUDIES),
                           seed_base=args.seed_base, rules=rules, next_before=args.next_before)
    elif args.part == "first_session":
        df = run_first_session(studies, tuple(args.designs), truths=tuple(args.truths or REBOUND),
                               seed_base=args.seed_base)
    else:
        df = run_min_photos(studies, seed_base=args.seed_base)
    if args.csv:
        df.to_csv(args.csv, index=False)
    print(f"{len(df)} records in {time.time() - t0:.0f} s; seed base {args.seed_base}; next-before rows "
          f"{'on' if args.next_before else 'off'}; margin {MARGIN} mm, "
          f"noise {SD_BASE} mm per session's "
          f"before photo + {SD_PHOTO} mm per photo, n_boot {N_BOOT}")
    if args.part == "first_session":
        print(summarise_first_session(df).to_string())
        return 0
    if args.part == "follow_on":
        s = summarise_follow_on(df)
        print(markdown(s if args.show == "both" else s[s["half"] == args.show], ["design", "truth", "row", "rule"]))
        ship, notes = decide_follow_on(s)
    else:
        s = summarise_min_photos(df)
        print(markdown(s, ["schedule", "truth"]))
        ship, notes = decide_min_photos(s)
        ship = "MIN_PHOTOS 5" if ship else "MIN_PHOTOS stays 6"
    print(f"\ndecision (tuning half): {ship}\n  " + "\n  ".join(notes))
    if args.part == "follow_on" and "monotone" in rules and set(REBOUND) & set(df["truth"]):
        harms, why = _monotone_harms(s)
        print(f"\nsection 22d (tuning half, rebound truths): monotone {'HARMS' if harms else 'does not harm'}\n  "
              + "\n  ".join(why))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
