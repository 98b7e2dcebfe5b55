"""A before photo that every after photo of its session differs from in expression (docs/validation.md §20).

A gently smiling *before* photo is compared with every post photo of its session, so all of the session's rows
shift together (on 3 London faces a smiling -0.5 h photo made every after photo read a 1.6-3.7 mm drop, and a
fading treatment read ``persists_beyond_a_day``) and no leave-one-out rule (§16, :mod:`facemetrics.batch.flow_read`)
can see it.  The rule here (``before_odd``, §20, chosen on the tuning faces before the held-out rows were read):

1. per session (subject x treatment x before photo), the post comparisons that were made (not ``refused`` or
   ``error``; the no-change checks between before photos are no post comparison);
2. a comparison *points at the before photo* when its messages say the expression differs or may differ
   (:data:`~facemetrics.compare.gate.MSG_EXPRESSION`, :data:`~facemetrics.compare.gate.MSG_EXPRESSION_MAYBE`) and the
   gate's mouth-width cue reads "narrower" (the after photo's mouth narrower than the before photo's);
3. when **every** post comparison of the session points at it (:data:`BEFORE_ODD_SHARE`) and at least one of their
   fitted cells holds a verdict (a row entered the fits), the before photo is the odd one out: every decay series of
   that treatment (the pooled row, and the subject's own row) that does not already read ``inconclusive`` reads
   ``inconclusive`` naming the before photo (:func:`before_reason`);
4. §21: the pooled rows of that treatment are refitted without the session (:func:`pooled_without`); a row whose fit
   still holds the session (the subject's own rows, a pooled row with nothing else left to fit) shows no figure of
   it: its estimates and CIs are left empty, its reason gives the verdict and 24 h change with it
   (:func:`figures_left_out`, §21b, 2026-12-06).

Measured (§20, 2026-12-05): 8 of 8 moves of a smiling before photo caught on 3 London faces, 0 of 24 clean London
studies flagged; 0 of 50 tuning and 0 of 32 held-out clean studies lifted by §15's oblique bump changed (none of
their comparisons read the mouth narrower).  Pure: ``changes.csv`` records and the timeline table in,
frozen dataclasses and a copy of the table out.
"""

from __future__ import annotations

import pandas as pd

from ..decay.claim import FIGURES_LEFT_OUT, FIT_FIGURES, FITTED_WITHOUT
from ..decay.margin import INCONCLUSIVE
from ..decay.wording import ci_range, percent, quantity
from ..listing import NAMED_FEW, join_few, join_words
from ..report import is_pooled
from .fit_notes import (BEFORE_ODD_SHARE, BEFORE_TO_RETAKE, BeforeCheck, is_post_row, before_checks, before_line,
                        points_at_before)  # noqa: F401 (re-exported: batch's console reads them without pandas)

__all__ = ["BEFORE_ODD_SHARE", "BEFORE_TO_RETAKE", "BeforeCheck", "before_checks", "before_notes", "before_read",
           "before_reason", "figures_left_out", "left_out_reason",
           "odd_named", "odd_photos", "points_at_before", "pooled_without", "without_photos"]

def before_reason(check: BeforeCheck, verdict: str) -> str:
    """The ``reason`` of a series :func:`before_read` made ``inconclusive`` (``verdict``: what it read)."""
    return (f"every after photo of {check.subject}'s {check.treatment} session ({check.n_pointing} of {check.n_post}) "
            f"reads a different expression from its before photo `{check.before}`, its mouth narrower: the before "
            f"photo is the likely odd one out (a smile shifts every change of the session together), so the series "
            f"is not judged (with it: {verdict}); retake the before photo with the same relaxed, closed-mouth "
            f"expression as the after photos, or leave it out for another before photo of the session")


def odd_photos(change_rows, checks) -> set[tuple[str, str, str]]:
    """The ``(subject, treatment, photo)`` of every post comparison made with an odd before photo
    (:attr:`BeforeCheck.odd`) of ``checks``: the photos §21's pooled fit leaves out."""
    odd = {(c.subject, c.treatment, c.before) for c in checks if c.odd}
    out = set()
    for r in change_rows or []:
        key = (str(r.get("subject") or ""), str(r.get("treatment") or ""))
        before = str(r.get("baseline_photos") or "").split(";")[0].strip()
        if is_post_row(r) and (*key, before) in odd and r.get("photo"):
            out.add((*key, str(r.get("photo"))))
    return out


def without_photos(data: pd.DataFrame, photos) -> pd.DataFrame:
    """``data`` (long.csv's rows) without the rows of ``photos`` (``(subject, treatment, photo)``); ``data`` itself
    when it has none of them or no ``photo`` column."""
    if not photos or "photo" not in data.columns or data.empty:
        return data
    keys = list(zip(data["subject"].fillna("").astype(str), data["treatment"].fillna("").astype(str),
                    data["photo"].astype(str))) if "subject" in data.columns else []
    drop = pd.Series([k in photos for k in keys], index=data.index, dtype=bool) if keys else None
    return data if drop is None or not drop.any() else data[~drop]


def pooled_without(table: pd.DataFrame, data: pd.DataFrame, checks, *, n_boot: int = 400, seed: int = 0,
                   min_effect: float | None = None, sessions: pd.DataFrame | None = None
                   ) -> tuple[pd.DataFrame, frozenset]:
    """§21's candidate (a): each pooled row of a treatment with an odd before photo, refitted without its sessions.

    Parameters
    ----------
    table : pandas.DataFrame
        The fits of ``data`` (:meth:`SeriesResult.to_frame <facemetrics.decay.SeriesResult>`).
    data : pandas.DataFrame
        The rows fitted **without** the odd sessions' photos (:func:`without_photos`; metric unit, hours).
    checks : tuple of BeforeCheck
        :func:`before_checks`.
    n_boot, seed, min_effect
        The fits' settings (as ``table``'s).
    sessions : pandas.DataFrame, optional
        Every treatment session known (:func:`facemetrics.decay.analyze_series`'s ``sessions``, as the fits of
        ``table`` were given them): the refit sees a session none of whose photos was compared as they did
        (docs/validation.md section 12, Round 17b).

    Returns
    -------
    (pandas.DataFrame, frozenset of (treatment, metric, side))
        A copy of ``table`` whose pooled rows of those treatments hold the refit (every column but ``subject``),
        and the series refitted; ``table`` itself and ∅ when no before photo is odd.  A series the refit cannot fit
        (no row left: one subject, or every subject's session odd) keeps its row (:func:`before_read` then makes it
        ``inconclusive``).
    """
    from ..decay import analyze_series  # the fits' module imports this package's tables: not at the top

    treatments = sorted({c.treatment for c in checks if c.odd})
    if not treatments or table.empty or "subject" not in table.columns:
        return table, frozenset()
    out, done = table.copy(), set()
    pooled = out["subject"].map(is_pooled).astype(bool)
    for t in treatments:
        rows = data[data["treatment"].astype(str) == t] if "treatment" in data.columns else data.iloc[:0]
        if rows.empty:
            continue
        refit = analyze_series(rows, min_effect=min_effect, n_boot=n_boot, seed=seed, per_subject=False,
                               sessions=sessions).to_frame()
        refit = refit[refit["fit_ok"].astype(bool)] if "fit_ok" in refit.columns else refit.iloc[:0]
        for _, new in refit.iterrows():
            key = (str(new["treatment"]), str(new["metric"]), str(new["side"]))
            mine = pooled & (out["treatment"].astype(str) == key[0]) & (out["metric"].astype(str) == key[1]) \
                & (out["side"].astype(str) == key[2])
            for i in out.index[mine]:
                for col in out.columns.intersection(refit.columns).drop("subject"):
                    out.at[i, col] = new[col]
                done.add(key)
    return out, frozenset(done)


def odd_named(checks, limit: int = NAMED_FEW) -> str:
    """The odd before photos of ``checks`` (:class:`BeforeCheck`) with their subjects, the first ``limit`` named
    (:func:`~facemetrics.decay.wording.join_few`): "`a.jpg` (s1), `b.jpg` (s2), `c.jpg` (s3) and 2 others"."""
    return join_few([f"`{c.before}` ({c.subject})" for c in checks], limit)


def figures_left_out(check, row) -> str:
    """The sentence a row whose fit holds an odd session ends with when its figures are left empty
    (docs/validation.md §21b): the sessions, and the fit's verdict and change at 24 h with them.

    Parameters
    ----------
    check : BeforeCheck or sequence of BeforeCheck
        The odd sessions (one :class:`BeforeCheck` each) the row's fit holds: a pooled row of a treatment with
        several odd before photos holds them all, and names them all (the first
        :data:`~facemetrics.decay.wording.NAMED_FEW`, then "and N others").
    row : mapping
        That fit's row: ``verdict``, ``change_24h``, ``change_24h_test_ci_*`` [metric unit], ``test_confidence``
        (a fraction), ``unit``.
    """
    checks = [check] if isinstance(check, BeforeCheck) else list(check)
    c24, unit = row.get("change_24h"), str(row.get("unit") or "")
    lo, hi, level = row.get("change_24h_test_ci_low"), row.get("change_24h_test_ci_high"), row.get("test_confidence")
    figure = "" if pd.isna(c24) else f", change at 24 h {quantity(float(c24), unit)}"
    if figure and not (pd.isna(lo) or pd.isna(hi) or pd.isna(level)):
        figure += f" ({percent(float(level))} CI {ci_range(float(lo), float(hi), unit)})"
    if len(checks) == 1:
        c = checks[0]
        held = (f"the photos of {c.subject}'s {c.treatment} session, whose before photo `{c.before}` is the likely "
                "odd one out")
    else:
        treatments = join_words(list(dict.fromkeys(c.treatment for c in checks)))
        held = (f"the photos of {len(checks)} {treatments} sessions whose before photos are the likely odd ones out "
                f"({odd_named(checks)})")
    return (f"This row's figures are left empty: its fit holds {held}, and nothing else is left to "
            f"fit without them (with them the fit reads {row.get('verdict')}{figure})")


def _blank_figures(out: pd.DataFrame, fitted: pd.DataFrame, odd, open_pooled: pd.Series) -> dict:
    """Empty the figures (:data:`~facemetrics.decay.claim.FIT_FIGURES`, and ``half_point_basis``: its peak read "not
    resolved *" beside them, stop 66) of every row of ``out`` whose fit holds an odd session of ``odd``
    (:class:`BeforeCheck`; the subject's own rows of that treatment, and the pooled rows of it in ``open_pooled``:
    those not refitted) in place, and end each one's ``reason`` with one :func:`figures_left_out` naming every such
    session (§21b).  ``fitted``: the rows as fitted (before
    :func:`before_read`), for the verdict and figure with the sessions.  Returns ``{(treatment, metric, side,
    subject or ""): (before photo, ...)}`` of the rows emptied (:data:`~facemetrics.decay.claim.FIGURES_LEFT_OUT`)."""
    figures = [c for c in FIT_FIGURES if c in out.columns]
    left = {}
    for i in out.index:
        subject = out.loc[i, "subject"] if "subject" in out.columns else None
        own = "subject" in out.columns and not is_pooled(subject)
        held = [c for c in odd if str(out.loc[i, "treatment"]) == c.treatment
                and (str(subject) == c.subject if own else bool(open_pooled[i]))]
        if not held or not figures or out.loc[i, figures].isna().all():
            continue  # no odd session in its fit; or no fit made (or emptied already): nothing shown to leave out
        said = figures_left_out(held, fitted.loc[i])
        out.loc[i, figures] = float("nan")
        if "half_point_basis" in out.columns:  # the fit's too: its peak read "not resolved *" beside empty figures
            out.loc[i, "half_point_basis"] = ""
        reason = str(out.loc[i, "reason"] or "").strip()
        out.loc[i, "reason"] = f"{reason}{'' if not reason or reason.endswith('.') else '.'} {said}.".strip()
        key = tuple(str(out.loc[i, k]) if k in out.columns else "" for k in ("treatment", "metric", "side"))
        left[(*key, str(subject) if own else "")] = tuple(c.before for c in held)
    return left


def left_out_reason(check: BeforeCheck, row) -> str:
    """The sentence a pooled row refitted without ``check``'s session (:func:`pooled_without`) ends with: the before
    photo, the subject, and the verdict and 24 h change of the fit with the session (``row``: that fit's row)."""
    c24 = row.get("change_24h")
    with_ = f"{row.get('verdict')}" + ("" if pd.isna(c24) else f", change at 24 h {c24:+.2f} {row.get('unit') or ''}")
    return (f"{check.subject}'s {check.treatment} session is left out of this pooled fit: every after photo of it "
            f"({check.n_pointing} of {check.n_post}) reads a different expression from its before photo "
            f"`{check.before}`, its mouth narrower (the before photo is the likely odd one out; with the session the "
            f"pooled fit reads {with_.strip()}); retake the before photo with the same relaxed, closed-mouth "
            f"expression as the after photos")


def before_read(table: pd.DataFrame, change_rows, columns, *, fitted: pd.DataFrame | None = None,
                refitted=frozenset(), checks=None) -> tuple[pd.DataFrame, tuple[BeforeCheck, ...]]:
    """The timeline table with §20's rule applied, the pooled rows as §21 reads them.

    Parameters
    ----------
    table : pandas.DataFrame
        :meth:`SeriesResult.to_frame <facemetrics.decay.SeriesResult>` of the decay fits (``treatment``, ``subject``,
        ``verdict``, ``reason``), its pooled rows in ``refitted`` already refitted without the odd sessions
        (:func:`pooled_without`).
    change_rows : iterable of dict or None
        ``changes.csv`` rows (:func:`before_checks`).
    columns : iterable of str
        The ``changes.csv`` columns fitted.
    fitted : pandas.DataFrame, optional
        The table before :func:`pooled_without` (the fits with the odd sessions), for the refitted rows' sentence.
    refitted : frozenset of (treatment, metric, side)
        The pooled series :func:`pooled_without` refitted.
    checks : tuple of BeforeCheck, optional
        :func:`before_checks` of ``change_rows`` (made here when not given).

    Returns
    -------
    (pandas.DataFrame, tuple of BeforeCheck)
        A copy of ``table`` in which, for each treatment with an odd before photo, the rows of that photo's subject
        that do not read ``inconclusive`` read ``inconclusive`` with :func:`before_reason` (those that already do end
        their ``reason`` with it); the pooled rows refitted
        (§21) end their ``reason`` with :func:`left_out_reason`; the pooled rows not refitted read ``inconclusive``
        as the subject's (§20).  Every row of the treatment whose fit holds the odd session (the subject's, a pooled
        row not refitted) has its figures (:data:`~facemetrics.decay.claim.FIT_FIGURES`) left empty (NaN) and its
        ``reason`` ending with one :func:`figures_left_out` naming every odd session its fit holds (§21b); those
        rows are listed in ``attrs[FIGURES_LEFT_OUT]`` (:data:`~facemetrics.decay.claim.FIGURES_LEFT_OUT`,
        read by :func:`facemetrics.plots.plot_timeline`), the pooled rows refitted in ``attrs[FITTED_WITHOUT]``
        (:data:`~facemetrics.decay.claim.FITTED_WITHOUT`) with the odd before photos their refit leaves out.
        ``table`` itself when no before photo is odd.
        Every check made.
    """
    checks = before_checks(change_rows or [], columns) if checks is None else checks
    odd = [c for c in checks if c.odd]
    if not odd or table.empty:
        return table, checks
    out = table.copy()
    has_subject = "subject" in out.columns
    pooled = out["subject"].map(is_pooled).astype(bool) if has_subject else pd.Series(True, out.index)
    series = list(zip(*(out[k].astype(str) if k in out.columns else pd.Series("", out.index)
                        for k in ("treatment", "metric", "side"))))
    done = pd.Series([k in refitted for k in series], index=out.index, dtype=bool) & pooled
    for c in odd:
        mine = (pooled & ~done) | (out["subject"].astype(str) == c.subject) if has_subject else pooled & ~done
        of_t = mine & (out["treatment"].astype(str) == c.treatment)
        rows = of_t & (out["verdict"].astype(str) != INCONCLUSIVE)
        for i in out.index[of_t & ~rows]:  # inconclusive already (too few photos, §16, ...): named too (§21)
            if f"`{c.before}`" not in str(out.loc[i, "reason"] or ""):
                said = str(out.loc[i, "reason"] or "").strip()
                # the verdict as given (an earlier odd session of this call made it inconclusive: "with it: ..."
                # is the fit's verdict, not that one's; stop 51)
                out.loc[i, "reason"] = f"{said} {before_reason(c, str(table.loc[i, 'verdict']))}.".strip()
        for i in out.index[rows]:
            out.loc[i, "reason"] = before_reason(c, str(out.loc[i, "verdict"]))
            out.loc[i, "verdict"] = INCONCLUSIVE
        for i in out.index[done & (out["treatment"].astype(str) == c.treatment)]:
            said = fitted.loc[i] if fitted is not None and i in fitted.index else out.loc[i]
            out.loc[i, "reason"] = " ".join(x for x in (str(out.loc[i, "reason"] or "").strip(),
                                                        left_out_reason(c, said) + ".") if x)
    # §21b: every row whose fit holds odd sessions (the fits as given: ``table``) shows none of its figures, and
    # names every such session (a pooled row of a treatment with two odd before photos named only the first)
    left = _blank_figures(out, table, odd, pooled & ~done)
    out.attrs[FIGURES_LEFT_OUT] = {**table.attrs.get(FIGURES_LEFT_OUT, {}), **left}
    # §21: the pooled rows refitted, with the odd before photos their refit leaves out (for the figure's legend)
    out.attrs[FITTED_WITHOUT] = {(*k, ""): tuple(c.before for c in odd if c.treatment == k[0])
                                 for k, d in zip(series, done) if d}
    return out, checks



def before_notes(checks, table: pd.DataFrame, refitted=frozenset()) -> list[str]:
    """One line per odd before photo (§20), as the console, ``report.md`` and the app's Timeline tab name it.

    Parameters
    ----------
    checks : tuple of BeforeCheck
        :func:`before_checks`.
    table : pandas.DataFrame
        The table :func:`before_read` returned (``subject``, ``treatment``, ``metric``, ``side``).
    refitted : frozenset of (treatment, metric, side)
        The pooled series §21 refitted without the odd sessions (:func:`pooled_without`).

    Returns
    -------
    list of str
        E.g. "before photo to retake: `S01/mc/before.jpg` (S01, microcurrent): every after photo of its session
        (9 of 9) reads a different expression from it, its mouth narrower, as when the before photo smiles; S01's
        microcurrent series read inconclusive and the pooled microcurrent fits leave the session out. Retake the before
        photo with a neutral face (relaxed, closed mouth, as in the after photos)." (:func:`~facemetrics.batch.
        fit_notes.before_line`); [] for none.
    """
    lines = []
    subjects = set(table["subject"].astype(str)) if "subject" in table.columns else set()
    for c in (c for c in checks if c.odd):
        pooled = any(k[0] == c.treatment for k in refitted)
        own = f"{c.subject}'s {c.treatment} series read inconclusive" if c.subject in subjects else ""
        said = (" and ".join(x for x in (own, f"the pooled {c.treatment} fits leave the session out") if x)
                if pooled else own or f"the {c.treatment} series read inconclusive")
        if not pooled and own:
            said += f", and so do the pooled {c.treatment} fits"
        lines.append(before_line(c, said))
    return lines
