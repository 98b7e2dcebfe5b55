"""A comparison's before repeats judged by the batch's rule on before photos that disagree
(:func:`with_repeat_disagreement`), for ``facemetrics compare --before-repeat``.

The batch checks a session's before photos against each other (a no-change comparison) and, when they
disagree, says so and that the noise floors built from them measure that disagreement
(:mod:`facemetrics.batch.tables`, :mod:`facemetrics.batch.results`).  ``compare`` given repeat photos of the
before photo builds its floors from them the same way, so it is judged by the same rule and words.
"""

from __future__ import annotations

import dataclasses

from ..compare import Comparison, compare_photos
from .results import with_disagreement
from .tables import baseline_disagreement


def with_repeat_disagreement(c: Comparison, before, before_repeats, *, mm_per_px: float | None = None,
                             ipd_mm: float | None = None) -> Comparison:
    """``c`` with the batch's messages on before photos that disagree, when its before repeats do.

    Each repeat is compared with the before photo (the other repeats as its repeats), as the batch's
    no-change check of a session's before photos, judged by the batch's one rule
    (:func:`facemetrics.batch.tables.baseline_disagreement`, ``repeats=True``: a headline change beyond its
    floor; at :data:`~facemetrics.batch.tables.LEAVE_OUT_FLOORS` floors or more every row but the head-pose
    rows reads ``uncertain``) and added as the batch adds it (:func:`facemetrics.batch.results.with_disagreement`:
    status ``warning``, that message, then :func:`~facemetrics.batch.tables.disagreement_floors_note`'s on
    the noise floors built from those photos).  A 1.59 mm lifted photo given as the repeat built a 20.16 mm
    jawline floor with nothing said (the batch said it since 2026-12-04; compare since 2026-12-05).

    Parameters
    ----------
    c : facemetrics.compare.Comparison
        The comparison made with ``before_repeats`` (its ``before``: the before photo's analysis, reused).
    before : str or path-like
        The before photo's name (as the messages name it).
    before_repeats : sequence of str or path-like
        The repeat photos of the before photo given to the comparison.
    mm_per_px, ipd_mm : float, optional
        As given to :func:`facemetrics.compare.compare_photos`.

    Returns
    -------
    facemetrics.compare.Comparison
        ``c`` itself when no repeat was given, the comparison was refused, or the repeats agree with the
        before photo; else a copy with the status, messages and verdicts the batch gives.
    """
    repeats = [str(p) for p in before_repeats]
    if not repeats or c.status == "refused":
        return c
    base = dict(photo=str(before))
    checks = []
    for i, rep in enumerate(repeats):
        others = repeats[:i] + repeats[i + 1:]
        check = compare_photos(c.before, rep, before_repeats=others, mm_per_px=mm_per_px, ipd_mm=ipd_mm,
                               check_order=False)  # a before photo taken after the other is no order fault
        checks.append((dict(photo=rep, role="baseline"), [base, *(dict(photo=o) for o in others)],
                       result_dict(check)))
    found = baseline_disagreement(checks, repeats=True)
    if not found[0]:
        return c
    res = with_disagreement(result_dict(c), found, [base, *(dict(photo=p) for p in repeats)])
    changes = tuple(dataclasses.replace(ch, verdict=m["verdict"]) for ch, m in zip(c.changes, res["rows"]))
    return dataclasses.replace(c, status=res["status"], messages=tuple(res["messages"]), changes=changes)


def result_dict(c: Comparison) -> dict:
    """A comparison as the batch's cache holds its result (``status``, ``messages``, ``rows``: one dict per
    row, ``scale_uncertainty_pct``), for :mod:`facemetrics.batch.tables`' rules."""
    return {"status": str(c.status), "messages": [str(m) for m in c.messages],
            "rows": c.to_frame().to_dict("records"), "scale_uncertainty_pct": float(c.scale_uncertainty_pct)}
