"""Do a comparison's before photos disagree?  The one rule of the batch's sessions and of compare's repeat
photos (:func:`baseline_disagreement`), the messages it adds (:func:`with_disagreement`,
:func:`disagreement_floors_note`) and compare's use of it (:func:`with_repeat_disagreement`).

A session of the batch has several before photos; each is checked against the others (a no-change
comparison) and, when one reads a headline change (:data:`AGREEMENT_ROWS`) beyond its noise floor, the session
is named, its comparisons get the status ``warning`` and, at :data:`LEAVE_OUT_FLOORS` floors or more, the
verdict ``uncertain`` (:mod:`facemetrics.batch.runner` makes the checks, :mod:`facemetrics.batch.results`
adds the messages).  :func:`facemetrics.compare_photos` given repeat photos of its before photo makes the
same checks (each repeat against the before photo) and judges them by the same rule, worded for one
comparison (:data:`MSG_REPEATS_DISAGREE`), so a Python caller and ``facemetrics compare --before-repeat`` are
told what the batch and the app tell of a session.  The rule lives here, in ``compare``, because compare calls
it and must not import the batch (docs/architecture.md); the batch imports it from here (it lived in
:mod:`facemetrics.batch.tables` and :mod:`facemetrics.batch.results` until 2026-12-05).

Everything here is pure: comparison results as dicts (``status``, ``messages``, ``rows``: one dict per row as
``Comparison.to_frame().to_dict("records")``, optional ``scale_uncertainty_pct``) in, a new dict or
:class:`~facemetrics.compare.table.Comparison` out; nothing given is changed.
"""

from __future__ import annotations

import dataclasses
import math
import re

from ..rounding import fixed, fixed_uncertainty

from .floors import t_975
from .table import POSE_METRICS, UNCERTAIN, Comparison, float_or_nan, row_scale_sd, with_scale_sds

__all__ = ["AGREEMENT_ROWS", "LEAVE_OUT_FLOORS", "MSG_BASELINES_DISAGREE", "MSG_FLOORS_FROM_DISAGREEMENT",
           "MSG_REPEATS_DISAGREE", "REPEAT_NOT_USED", "baseline_disagreement", "disagreement_floors_note",
           "result_dict", "with_disagreement", "with_repeat_disagreement"]


#: the no-change checks' rows that tell whether a session's before photos agree: the headline
#: changes the timeline fits (batch.timeline.HEADLINE_METRICS) with their sides
AGREEMENT_ROWS = (("jawline_lift_mm", "mean"), ("mouth_corner_lift_mm", "mean"), ("nlf_depth", "right"),
                  ("nlf_depth", "left"))
#: the start of :func:`baseline_disagreement`'s message for ``facemetrics compare --before-repeat`` (``repeats``):
#: the before photo and a repeat of it disagree beyond the floor of their no-change comparison
MSG_REPEATS_DISAGREE = "the before photo and its repeat photos disagree beyond the noise floor"
#: verdicts of a no-change check that do not say the before photos differ
_AGREEING = ("", "within_noise", "uncertain", "refused")
#: the start of the message a session whose before photos disagree gets (changes.csv, report.md)
MSG_BASELINES_DISAGREE = "the session's before photos disagree beyond the noise floor"
#: a session's before photos disagreeing by at least this many noise floors leave it out of the fits;
#: below it the session is named but kept.  Chosen after looking (no grid): 2 of 30 clean simulated
#: sessions (one face, pose and light jitter, no change between the before photos) read 1.07 x their
#: floor, while the audit's mixed-up baseline read 2.9 x; a floor is a near-largest bound, which a
#: no-change check can just cross, not double (bench/bench_leave_out.py re-runs such sessions:
#: docs/thresholds.md)
LEAVE_OUT_FLOORS = 2.0


def _unit(m: dict) -> str:
    return f" {m['unit']}" if m.get("unit") else ""


def _scale_text(m: dict) -> str:
    """``", scale ± 0.07 mm"``: a row's ``change_scale_sd`` (:func:`row_scale_sd`) in the CLI's words
    (``facemetrics.report.floor_text``, with a comma: a message holds no ``;``, the messages column joins
    with it), or "" when it is unknown or does not apply (an ``index`` row)."""
    sd = row_scale_sd(m)
    return f", scale ± {fixed_uncertainty(sd, 2)}{_unit(m)}" if math.isfinite(sd) else ""


def baseline_disagreement(checks: list[tuple[dict, list[dict], dict]], repeats: bool = False) -> tuple[str, bool]:
    """The message of a session whose before photos disagree ("" when they agree), and whether the
    session is left out of the fits (a change of at least :data:`LEAVE_OUT_FLOORS` floors).  One rule
    for the batch, the app and ``facemetrics compare --before-repeat`` (``repeats=True``: the message
    starts with :data:`MSG_REPEATS_DISAGREE` and speaks of one comparison, whose rows then read
    ``uncertain``, not of a session and its fits).

    Parameters
    ----------
    checks : list of (row, baselines, result)
        The session's no-change checks: a baseline photo's row, the other baseline photos'
        rows and the comparison's result (``rows``: one dict per metric and side with
        ``change``, ``noise_floor``, ``verdict``, ``unit``; optional ``scale_uncertainty_pct``: the
        changes quoted carry their mm scale's share, :func:`with_scale_sds`, ", scale ± 0.07 mm").

    Returns
    -------
    message : str
        "" when no check reads a headline change (:data:`AGREEMENT_ROWS`) beyond its noise
        floor; else one sentence (no ``;``: the messages column joins with it) naming the
        photos and the changes and saying whether the session's changes are left out.
    leave_out : bool
        True when a change reaches :data:`LEAVE_OUT_FLOORS` times its floor.
    """
    found = []
    for r, base, res in checks:
        res = with_scale_sds(res, base[0].get("mm_per_px_uncertainty_pct", math.nan) if base else math.nan)
        beyond = [m for m in res.get("rows") or () if (m.get("metric"), m.get("side")) in AGREEMENT_ROWS
                  and str(m.get("verdict") or "") not in _AGREEING]
        if beyond:
            found.append((r, base, beyond))
    if not found:
        return "", False
    def worst(check) -> float:  # a check's largest change in floors
        return max(abs(float(m["change"])) / float(m["noise_floor"]) if float(m["noise_floor"]) > 0 else math.inf
                   for m in check[2])

    r, base, beyond = max(found, key=worst)  # the message quotes the check that decides
    ratio = worst((r, base, beyond))
    what = ", ".join(f"{m['metric']}{'' if m['side'] == 'mean' else ' (' + str(m['side']) + ')'} "
                     f"{fixed(float(m['change']), 2, True)}{_unit(m)} "
                     f"(noise floor {fixed(float(m['noise_floor']), 2)}{_unit(m)}{_scale_text(m)})" for m in beyond)
    start = MSG_REPEATS_DISAGREE if repeats else MSG_BASELINES_DISAGREE
    head = f"{start}: {r['photo']} against {', '.join(b['photo'] for b in base)} reads {what}"
    if repeats:  # one comparison (`compare --before-repeat`): no session, no timeline fits
        if ratio >= LEAVE_OUT_FLOORS:
            return (f"{head}, so this comparison's changes are unreliable (verdict 'uncertain' but for the head-pose "
                    "rows): check that every repeat photo was taken before the treatment, as the before photo "
                    "was"), True
        return (f"{head}, less than {LEAVE_OUT_FLOORS:g} times the floor, which a floor's own misses can reach: "
                "the changes are kept, but check that every repeat photo was taken before the treatment"), False
    if ratio >= LEAVE_OUT_FLOORS:
        return (f"{head}, so this session's changes are unreliable and are left out of the timeline fits "
                "(verdict 'uncertain'): check which photos were taken before the treatment"), True
    return (f"{head}, less than {LEAVE_OUT_FLOORS:g} times the floor, which a floor's own misses can reach: "
            "the session's changes are kept, but check which photos were taken before the treatment"), False


#: the start of the message of a comparison whose noise floors were built from before photos that disagree
#: (:func:`disagreement_floors_note`)
MSG_FLOORS_FROM_DISAGREEMENT = "the noise floors of this comparison were built from those disagreeing before photos"


def disagreement_floors_note(base: list[dict], result: dict) -> str:
    """Why a comparison of a session whose before photos disagree (:func:`baseline_disagreement`) shows huge
    noise floors, naming them; "" when its floors did not come from repeat photos.

    A comparison's repeat photos (the before photos beside its before photo) give its floors:
    ``t(0.975, n) x RMS`` of their ``n`` differences (:func:`facemetrics.compare.floors.noise_floors_from_repeats`),
    12.7 x the one difference for one pair.  That bound holds when the difference is noise; before photos that
    disagree beyond their floor differ by more (a lifted photo among them, another pose or light), and their
    difference x 12.7 became the comparison's floor with nothing said of it: 20.16 mm on the jawline lift of the
    sample's before photo beside its 1.6 mm-lifted after photo given as a second before photo (h3's repro,
    2026-12-04).  Such a floor measures how much the before photos differ, not the photos' repeatability.

    Parameters
    ----------
    base : list of dict
        The rows of the comparison's before photo and its repeats (``photo``); more than one for floors from
        repeats.
    result : dict
        The comparison's result (``messages``: compare's "repeat photo NAME not used ..." names a repeat left
        out; ``rows``: dicts with ``metric``, ``side``, ``noise_floor``, ``unit``).

    Returns
    -------
    str
        One sentence without ``;`` (the messages column joins with it) starting with
        :data:`MSG_FLOORS_FROM_DISAGREEMENT`, naming the floors of the :data:`AGREEMENT_ROWS` (unit and all),
        the factor, and the remedy; "" when no repeat photo was used (default floors).
    """
    n_unused = sum(1 for m in result.get("messages") or () if REPEAT_NOT_USED.match(str(m)))
    n = len(base) - 1 - n_unused
    if n < 1:
        return ""
    rows = {(m.get("metric"), m.get("side")): m for m in result.get("rows") or ()}
    named = []
    for key in AGREEMENT_ROWS:
        m = rows.get(key)
        floor = float_or_nan(m["noise_floor"]) if m is not None else math.nan
        if math.isfinite(floor):
            named.append(f"{key[0]}{'' if key[1] == 'mean' else ' (' + str(key[1]) + ')'} {fixed(floor, 2)}{_unit(m)}")
    pairs = "its one repeat pair's difference" if n == 1 else f"the RMS of its {n} repeat pairs' differences"
    shown = f" ({', '.join(named)})" if named else ""
    return (f"{MSG_FLOORS_FROM_DISAGREEMENT}: each floor is {fixed(t_975(n), 1)} x {pairs} (the rule for repeat photos), "
            f"so they grew with that disagreement{shown} and measure how much the before photos differ, not "
            "how repeatable the photos are: a change within them is no evidence of no change. Retake the before "
            "photos alike (same pose, expression, light and distance) or set aside the one that was not taken "
            "before the treatment, then compare again")


#: a comparison's message on a repeat photo left out of its noise floor (the messages of
#: ``facemetrics.compare._repeat_pairs``: "repeat photo NAME not used ...")
REPEAT_NOT_USED = re.compile(r"repeat photo .+? not used\b")


#: statuses of a comparison that has no measurement to flag
_NOT_MEASURED = ("refused", "error")


def with_disagreement(result: dict, disagreement: tuple[str, bool], base: list[dict] = ()) -> dict:
    """``result`` of a comparison of a session whose before photos disagree, with the session's message
    and the status ``warning``; when the session is left out of the fits, the verdict ``uncertain`` on
    every row with a verdict but the pose rows (:data:`facemetrics.compare.table.POSE_METRICS`).  When its
    noise floors came from those before photos (``base``: its before photo's row and its repeats'), a second
    message says so and names them (:func:`disagreement_floors_note`): they are
    that disagreement x 12.7 for one repeat pair, not the photos' repeatability.

    Parameters
    ----------
    result : dict
        The comparison's result (``status``, ``messages``, ``rows``).
    disagreement : (str, bool)
        The session's :func:`baseline_disagreement`: its message ("" when its
        before photos agree) and whether it is left out of the fits.
    base : list of dict, optional
        The rows of the comparison's before photo and its repeats (``photo``); default none.

    Returns
    -------
    dict
        ``result`` itself when the message is "" or the comparison was refused or failed.
    """
    msg, leave_out = disagreement
    if not msg or result["status"] in _NOT_MEASURED:
        return result
    rows = result["rows"]
    if leave_out:  # beyond LEAVE_OUT_FLOORS floors: no claim, and out of the fits
        rows = [dict(m, verdict=UNCERTAIN) if m.get("verdict") and m.get("metric") not in POSE_METRICS else m
                for m in rows]
    floors = disagreement_floors_note(list(base), result)
    return dict(result, status="warning", messages=[*result["messages"], msg, *([floors] if floors else [])],
                rows=rows)


def result_dict(c: Comparison) -> dict:
    """A comparison as the batch's cache holds its result (``status``, ``messages``, ``rows``: one dict per
    row, ``scale_uncertainty_pct``), for the rules above."""
    return {"status": str(c.status), "messages": [str(m) for m in c.messages],
            "rows": c.to_frame().to_dict("records"), "scale_uncertainty_pct": float(c.scale_uncertainty_pct)}


def with_repeat_disagreement(c: Comparison, before: str, repeats, checks) -> Comparison:
    """``c`` with the batch's messages on before photos that disagree, when its before repeats do.

    Each repeat compared with the before photo (the other repeats as its repeats: ``checks``, made by
    :func:`facemetrics.compare_photos`) is the batch's no-change check of a session's before photos, judged
    by the batch's one rule (:func:`baseline_disagreement`, ``repeats=True``: a headline change beyond its
    floor; at :data:`LEAVE_OUT_FLOORS` floors or more every row but the head-pose rows reads ``uncertain``)
    and added as the batch adds it (:func:`with_disagreement`: status ``warning``, that message, then
    :func:`disagreement_floors_note`'s on the noise floors built from those photos).  A 1.59 mm lifted photo
    given as the repeat built a 20.16 mm jawline floor with nothing said (the batch said it since 2026-12-04;
    ``facemetrics compare`` since 2026-12-05, ``compare_photos`` and the app since 2026-12-05, h3).

    Parameters
    ----------
    c : facemetrics.compare.Comparison
        The comparison made with the repeats.
    before : str
        The before photo's name (as the messages name it).
    repeats : sequence of str
        The repeat photos' names, in the order given.
    checks : sequence of facemetrics.compare.Comparison
        ``checks[i]``: the before photo (first) against ``repeats[i]`` (second), the other repeats as its
        repeats; as many as ``repeats``.

    Returns
    -------
    facemetrics.compare.Comparison
        ``c`` itself when no repeat was given, the comparison was refused, or the repeats agree with the
        before photo; else a copy with the status, messages and verdicts the batch gives.
    """
    repeats = [str(p) for p in repeats]
    if not repeats or c.status == "refused":
        return c
    if len(checks) != len(repeats):
        raise ValueError(f"with_repeat_disagreement: {len(checks)} checks for {len(repeats)} repeats")
    base = dict(photo=str(before))
    found = baseline_disagreement(
        [(dict(photo=rep, role="baseline"), [base, *(dict(photo=o) for o in repeats[:i] + repeats[i + 1:])],
          result_dict(check)) for i, (rep, check) in enumerate(zip(repeats, checks))], repeats=True)
    if not found[0]:
        return c
    res = with_disagreement(result_dict(c), found, [base, *(dict(photo=p) for p in repeats)])
    changes = tuple(dataclasses.replace(ch, verdict=m["verdict"]) for ch, m in zip(c.changes, res["rows"]))
    return dataclasses.replace(c, status=res["status"], messages=tuple(res["messages"]), changes=changes)
