"""Sentences for people: what the CLI prints and the reports say.

Pure text from result tables (no measurement, no figures, no file I/O).
The number formatting is :mod:`facemetrics.decay.wording`'s, shared with the
``reason`` column of the timeline table.  :func:`timeline_markdown` builds
the text of ``report.md``; :mod:`facemetrics.batch` reads the tables and
writes the file.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd

from .compare import MSG_NEAR_COPY, MSG_SAME_PICTURE, POSE_METRICS, REGIONS, Comparison, per_photo_uncertainty
from .compare.table import change_scale_sd, float_or_nan
from .compare.gate import MSG_LIGHTING, MSG_SWAPPED
from .compare.pose import (MSG_CAMERA, MSG_CAMERA_UNCHECKED, MSG_CAMERA_UNMEASURED, MSG_POSE, MSG_POSE_UNCHECKED,
                           WARN_CAMERA_PCT)
from .compare.framing import MSG_FACE_CUT
from .compare.expression import MSG_EXPRESSION, MSG_EXPRESSION_MAYBE
from .compare.identity import MSG_MISMATCH
from .decay.claim import (BLANK_SUBJECT, BLANK_TREATMENT, LASTING_WITHHELD_CELL, decay_resolved, labels_or,
                          lasting_withheld, peak_against_photos, peak_resolved, peak_unshown, HALF_LIFE_SPAN,
                          unresolved_span, BASIS_FIT, BASIS_NO_EFFECT, BASIS_PHOTOS, BASIS_REVERSED,
                          BASIS_SIGNS_DIFFER, BASIS_SIGNS_DIFFER_SHOWN)
from .decay.carryover import earlier_text, figure_text, shorten_follow_on
from .decay.left_out import UNREAD_NOTE, shorten_unread
from .decay.model import HALF_LIFE_BOUNDS
from .decay.bootstrap import MIN_CLUSTERS
from .decay.regimen_slope import REGIMEN_FEW_DAYS
from .decay.wording import change_unit, decimals_for, effect_noun, hours_text, num, percent, quantity
from .listing import join_words
from .rounding import MISSING, fixed, fixed_uncertainty
from .timekeys import clock_text, since_text
from .folds import CONTRAST_OFFSET_MM

__all__ = [
    "FOLLOW_ON_ADVICE",
    "follow_on_advice",
    "effect_noun",
    "floor_text",
    "follow_on_console",
    "follow_on_notes",
    "hours_text",
    "is_pooled",
    "join_words",
    "num",
    "per_photo_value",
    "percent",
    "quantity",
    "regimen_no_fit_note",
    "timeline_markdown",
    "verdict_lines",
    "unread_note",
    "short_reason",
]


def is_pooled(subject) -> bool:
    """Whether a timeline row's ``subject`` marks the pooled fit.

    The one test of the package (batch, CLI, app): the pooled row's subject
    is None or NaN in memory, ``""`` or NaN when read back from a CSV, and
    ``"None"`` when it went through ``str``.  Any other value (a subject id,
    numeric ones included) is one subject's own fit.
    """
    if isinstance(subject, str):
        return subject in ("", "None")
    try:
        return bool(pd.isna(subject))  # None, NaN, NaT, pd.NA
    except (TypeError, ValueError):  # not a scalar
        return False


def verdict_lines(table: pd.DataFrame) -> list[str]:
    """One line per pooled fit of a timeline table: ``treatment / metric (side): verdict - reason``, a regimen
    row's ``regimen: treatment / metric (side): ...`` (as the console's other regimen lines and report.md's note on
    'uncertain' name it; a series' decay and regimen lines began alike, stop 59); a first sentence that several
    lines' reasons share said once, naming them, before the first of them (:func:`said_once`); the causes of
    'uncertain' said once, in a last line naming the lines it applies to (:func:`unread_note`)."""
    pooled = [r for _, r in table.iterrows() if is_pooled(r["subject"])]
    labels, reasons, verdicts, marked = [], [], [], []
    for r in pooled:
        labels.append(f"{'regimen: ' if r.get('kind') == 'regimen' else ''}{r['treatment']} / {r['metric']} "
                      f"({r['side']})")
        reasons.append(follow_on_reason(r["reason"], bool(table.attrs.get("follow_on_notes"))))
        verdicts.append(r["verdict"])
        marked += [labels[-1]] if shorten_unread(r["reason"])[1] else []
    lines = [text if i is None else f"{labels[i]}: {verdicts[i]} - {text}" for i, text in said_once(labels, reasons)]
    return lines + unread_note(marked)


#: where a sentence may end in a ``reason``: after ".", "!" or "?" and before a capital letter (a figure's decimal
#: point, "e.g. a", "1.5 h" do not end one); :func:`first_sentence` skips those after an abbreviation
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")

#: words ending in "." that end no sentence although a capital letter follows ("e.g. London", "vs. Canada"),
#: compared in lower case; a single capital letter with its "." (an initial, "J. Smith") ends none either.  "etc."
#: is not among them: it ends sentences as often as not.  The splitter cut "e.g. London" after "e.g." (stop 60)
ABBREVIATIONS = frozenset({"e.g.", "i.e.", "cf.", "vs.", "approx.", "ca.", "fig.", "no.", "st.", "dr.", "mr.",
                           "mrs.", "ms.", "prof."})


def _ends_sentence(text: str, at: int) -> bool:
    """Whether the "." (or "!", "?") just before ``text[at]`` ends a sentence: not after one of
    :data:`ABBREVIATIONS` nor after an initial (one capital letter), an opening bracket or quote before either
    ignored ("(e.g. London ...")."""
    word = text[:at].rsplit(None, 1)[-1].lstrip("([{\"'“‘")
    return not (word.lower() in ABBREVIATIONS or re.fullmatch(r"[A-Z]\.", word))


#: what a line gives for its reason when its whole reason is a sentence :func:`said_once` said above it
REASON_ABOVE = "(its reason is said once above)"


def first_sentence(reason) -> tuple[str, str]:
    """``(first sentence, the rest)`` of a ``reason`` (:data:`_SENTENCE_END`); ``("", reason)`` when it does not
    begin with a whole sentence (no ".", "!" or "?" before its first break) or is not text."""
    if not isinstance(reason, str):
        return "", reason
    text = reason.strip()
    end = next((m for m in _SENTENCE_END.finditer(text) if _ends_sentence(text, m.start())), None)
    first, rest = (text[:end.start()], text[end.end():]) if end else (text, "")
    if not first.endswith((".", "!", "?")):
        return "", reason
    return first, rest


def said_once(labels, reasons) -> list[tuple[int | None, str]]:
    """The lines of several series' reasons with a first sentence they share said once: ``(None, sentence line)``
    before the first series it applies to, then ``(i, the rest of reason i)`` for each series (:data:`REASON_ABOVE`
    when nothing is left), in the series' order; ``(i, reason i)`` for a series whose first sentence no other shares.
    The sentence line is the sentence with the series named: ``"Pre-session photos on only 1 day after day 0 (need
    them on at least 3): no cumulative change can be fitted, for 4 series: regimen: rf / jawline_lift_mm (mean);
    ..."``.  The console and report.md said it once per series, four times for a clinic RF patient's four regimen
    series (stop 60, g2).

    Parameters
    ----------
    labels : list of str
        How each series is named (``"regimen: rf / jawline_lift_mm (mean)"``).
    reasons : list of str
        Each series' reason as the line gives it.
    """
    firsts = [first_sentence(r) for r in reasons]
    shared: dict[str, list[int]] = {}
    for i, (first, _) in enumerate(firsts):
        if first:
            shared.setdefault(first, []).append(i)
    out: list[tuple[int | None, str]] = []
    for i, (first, rest) in enumerate(firsts):
        group = shared.get(first, []) if first else []
        if len(group) < 2:
            out.append((i, reasons[i]))
            continue
        if group[0] == i:
            named = "; ".join(labels[k] for k in group)
            out.append((None, f"{first[:-1]}, for {len(group)} series: {named}{first[-1]}"))
        out.append((i, rest or REASON_ABOVE))
    return out


def unread_note(labels) -> list[str]:
    """The note on 'uncertain' (:data:`facemetrics.decay.left_out.UNREAD_NOTE`) as one line naming the lines
    whose reason refers to it (``labels``); [] when none does."""
    labels = list(labels)
    return [f"{UNREAD_NOTE} (Lines that refer to it: {'; '.join(labels)}.)"] if labels else []


def claim_level_text(level) -> str:
    """The level of the interval a 24 h verdict was decided on (a row's ``test_confidence``, a fraction) as the
    verdict's reason and the figure's legend word it: ``0.9`` -> ``"90%"``; ``"verdict's"`` when it is not a
    number (no bootstrap, so no such interval either)."""
    v = float_or_nan(level)
    return percent(v) if math.isfinite(v) else "verdict's"


def table_claim_level(table: pd.DataFrame) -> str:
    """The one level of the verdicts' 24 h intervals in ``table`` (:func:`claim_level_text`), ``"verdict's"``
    when its rows have none or several."""
    levels = set(pd.to_numeric(table.get("test_confidence", pd.Series(dtype=float)), errors="coerce").dropna())
    return claim_level_text(levels.pop()) if len(levels) == 1 else "verdict's"


def short_reason(reason, note_above: bool = False) -> str:
    """A ``reason`` as the lines a person reads print it: its causes of 'uncertain' replaced by a reference to
    :func:`unread_note` (:func:`facemetrics.decay.left_out.shorten_unread`; ``note_above``: the line is printed
    below the note, as report.md's subject and regimen lines are); timeline.csv keeps the whole."""
    return shorten_unread(reason, note_above)[0] if isinstance(reason, str) else reason


#: statuses of a timeline row with no fitted curve (``no_bootstrap`` has point estimates)
_NO_FIT_STATUSES = ("insufficient_data", "fit_failed", "bootstrap_failed")
#: why a fitted row has no half point line (:func:`half_point_lines`; docs/validation.md sections 26d and 26e)
NO_HALF_POINT = ("A row has no half point when its photos show no mean change at any photo time as large as its "
                 "smallest meaningful change (`smallest_meaningful_change` in timeline.csv), or none to halve in the "
                 "fitted curve's direction.")
#: each reason of :data:`NO_HALF_POINT` by the row's ``half_point_basis``, ending its treatment's "no half point for
#: ..." line (docs/validation.md section 26f; a row fitted without a bootstrap whose change had not fallen to half
#: by the last photo has no interval to say so)
NO_HALF_POINT_WHY = {
    BASIS_NO_EFFECT: "no photo time's mean change is as large as its smallest meaningful change "
                     "(`smallest_meaningful_change` in timeline.csv)",
    BASIS_SIGNS_DIFFER: "the fitted curve and the photos differ in sign, and the photos' change is not beyond their "
                        "noise",
    BASIS_FIT: "it had not fallen to half by the last photo, and with no bootstrap there is no interval",
}
#: the reason of a `signs_differ` row whose margin is 0 (:func:`_no_half_point_why`: the noise was not tested)
NO_HALF_POINT_UNTESTED = ("the fitted curve and the photos differ in sign, and with no margin "
                          "(`smallest_meaningful_change` 0) the photos' change is not tested against their noise")
NO_HALF_POINT_WHY[BASIS_PHOTOS] = NO_HALF_POINT_WHY[BASIS_REVERSED] = NO_HALF_POINT_WHY[BASIS_FIT]
NO_HALF_POINT_WHY[BASIS_SIGNS_DIFFER_SHOWN] = NO_HALF_POINT_WHY[BASIS_SIGNS_DIFFER]
#: the note under the Figures table when a row's fitted peak is against the photos' sign
#: (:func:`facemetrics.decay.claim.peak_against_photos`; docs/validation.md section 26f)
PEAK_AGAINST_NOTE = ("A peak \"not resolved\" on a row whose half point reads the photos' sign (`half_point_basis` "
                     "`photos` in timeline.csv): the fitted curve's change at the session has the sign opposite to "
                     "the change the photos show beyond their noise (a change that grew from nothing fits so), so "
                     "its peak, half-life and lasting / transient split are not figures of the photos; the half point "
                     "line below gives the photos' own account.")
#: the note under the Figures table when a row's fitted peak has the sign opposite to the photos' larger change and
#: the photos do not show its sign (:func:`facemetrics.decay.claim.peak_unshown`; docs/validation.md section 26i)
PEAK_UNSHOWN_NOTE = ("A peak \"not resolved\" on a row whose fitted curve and photos differ in sign "
                     "(`half_point_basis` `signs_differ` in timeline.csv): the photos' larger change has the sign "
                     "opposite to the fitted curve's at the session, though not beyond their noise, and they do not "
                     "show the curve's sign at two photo times or more beyond it, so its peak, half-life and lasting / "
                     "transient split are not figures of the photos.")
#: that note for a `signs_differ` row with no margin (``smallest_meaningful_change`` 0: the photos' change was not tested
#: against their noise, :data:`NO_HALF_POINT_UNTESTED`); the note above said "though not beyond their noise" beside
#: that line in the same report.md (review r5 of k8, stop 66)
PEAK_UNSHOWN_UNTESTED_NOTE = ("A peak \"not resolved\" on a row whose fitted curve and photos differ in sign with no "
                              "margin (`half_point_basis` `signs_differ`, `smallest_meaningful_change` 0 in "
                              "timeline.csv): the photos' larger change has the sign opposite to the fitted curve's at "
                              "the session and was not tested against their noise, and they do not show the curve's "
                              "sign at two photo times or more beyond it, so its peak, half-life and lasting / "
                              "transient split are not figures of the photos.")
#: report.md's figure cells of such a row: each read "n/a [n/a, n/a]", five times, with no word of why (a clinic RF
#: patient's report, docs/validation.md §12, Round 19)
NO_FIT_CELL = "no fit"
#: the note under the figures when a row has :data:`NO_FIT_CELL`
NO_FIT_NOTE = ("\"no fit\": no curve was fitted to that row (too few photos, or the fit failed); its verdict's reason "
               "above, or its line under \"Subjects without a fit of their own\", says why; the photos' own changes "
               "are in `changes.csv`.")


def subject_gap_lines(table: pd.DataFrame, follow_on_below: bool = False) -> list[str]:
    """The ``## Subjects without a fit of their own`` section of ``report.md``: each per-subject
    decay row with no fit and its ``reason`` (e.g. "Subject S3: 3 times after treatment, 5 needed
    for a per-subject fit; included in the pooled fit only."); empty when every subject row has a fit."""
    if "kind" in table.columns:
        table = table[table["kind"] != "regimen"]
    gaps = table[~table["subject"].map(is_pooled).astype(bool) & table["status"].isin(_NO_FIT_STATUSES)]
    if gaps.empty:
        return []
    return ["", "## Subjects without a fit of their own", ""] + [
        f"- **{r['subject']}, {r['treatment']}, {r['metric']} ({r['side']})**: "
        f"{follow_on_reason(r['reason'], follow_on_below, note_above=True)}" for _, r in gaps.iterrows()]


def uncompared_lines(photos: pd.DataFrame | None) -> list[str]:
    """The ``## Subjects with no comparison`` section of ``report.md``: each subject and treatment of
    ``photos.csv`` none of whose photos was compared (every one excluded: no baseline photo, unreadable,
    ...), with the distinct reasons; such a subject had no line anywhere but "Photos excluded" (series
    audit, 2026-12-03).  A blank subject or treatment ("" or NaN) is listed as the fits name it,
    :data:`~facemetrics.decay.inputs.BLANK_SUBJECT` / :data:`~facemetrics.decay.inputs.BLANK_TREATMENT`
    (such photos were left out of the section); a blank ``excluded`` (NaN as pandas reads an empty
    cell) is a photo that was not excluded.  Empty when every subject and treatment has a comparison
    or the table lacks the columns."""
    need = {"subject", "treatment", "excluded", "photo"}
    if photos is None or not need <= set(photos.columns) or photos.empty:
        return []
    named = photos.assign(subject=labels_or(photos["subject"], BLANK_SUBJECT),
                          treatment=labels_or(photos["treatment"], BLANK_TREATMENT))
    lines = []
    for (subj, tr), g in named.groupby(["subject", "treatment"], sort=True):
        reasons = [x for x in labels_or(g["excluded"], "") if x]  # a blank cell: the photo was compared
        if len(reasons) == len(g):  # nothing of this subject and treatment was compared
            shown = list(dict.fromkeys(reasons))
            lines.append(f"- **{subj}, {tr}** ({len(g)} photo{'s' if len(g) != 1 else ''}): "
                         + "; ".join(shown[:3]) + (f"; and {len(shown) - 3} other reason(s)" if len(shown) > 3 else ""))
    return ["", "## Subjects with no comparison", ""] + lines if lines else []


def regimen_no_fit_note(n_unread: int, n_empty: int = 0) -> str:
    """The sentence said when the regimen batch compared pre-session photos but none of them can be
    fitted: ``n_unread`` comparisons read ``uncertain`` for every metric fitted, ``n_empty`` gave no
    value (refused, not measured).  Printed by ``timeline`` and the ``## Regimen`` note of
    ``report.md``; without it the run said nothing, no section, no ``regimen.png`` (CLI audit,
    2026-12-03).

    ``regimen_no_fit_note(1)`` -> ``"Regimen: the 1 pre-session comparison read 'uncertain' (...), so
    no cumulative change was fitted and no regimen.png was drawn (...)."``
    """
    n = n_unread + n_empty
    s = "s" if n != 1 else ""
    what = (f"the {n} pre-session comparison{s}" if n == 1 else f"all {n} pre-session comparisons")
    if n_empty == 0:
        said = f"{what} read 'uncertain' (no change can be read from {'it' if n == 1 else 'them'})"
    elif n_unread == 0:
        said = f"{what} gave no value (refused or not measured)"
    else:
        said = (f"of {n} pre-session comparisons, {n_unread} read 'uncertain' (no change can be read from "
                f"{'it' if n_unread == 1 else 'them'}) and {n_empty} gave no value (refused or not measured)")
    return (f"Regimen: {said}, so no cumulative change was fitted and no regimen.png was drawn (the messages "
            "column of regimen/changes.csv says why).")


#: the note under the Regimen table when a cell reads :data:`NO_FIT_CELL` (its no-fit rows read "n/a [n/a, n/a]" four
#: times after the decay table's read "no fit", stop 58's note)
REGIMEN_NO_FIT_NOTE = ("\"no fit\": in the slope and change columns, no line was fitted to that row's pre-session "
                       "photos (on too few days, or the fit failed; its verdict's reason below says why); in the "
                       "session peak and half-life columns, no decay curve was fitted to that series' photos after each session "
                       "(the Figures table above). The pre-session photos' own changes are in "
                       "`regimen/changes.csv`.")


def _regimen_cells(r, d, u: str) -> list[str]:
    """The slope, change, session peak and half-life cells of a Regimen table row ``r`` whose series' pooled decay
    rows are ``d``: :data:`NO_FIT_CELL` where no line (slope, change) or no decay curve (peak, half-life) was fitted."""
    fitted = any(math.isfinite(_float(r.get(c))) for c in ("slope_per_week", "change_day_n"))
    per_week = f"{u}/week" if u else "/week"
    line = ([f"{_fmt(r['slope_per_week'], per_week)} "
             f"{_ci_cell(r['slope_per_week_ci_low'], r['slope_per_week_ci_high'])}",
             f"{_fmt(r['change_day_n'], u)} {_ci_cell(r['change_day_n_ci_low'], r['change_day_n_ci_high'])}"]
            if fitted else [NO_FIT_CELL] * 2)
    if not len(d) or d.iloc[0].get("status") in _NO_FIT_STATUSES:
        return line + [NO_FIT_CELL] * 2
    # the session's peak and half-life with their CIs, as in the Figures table (an audit, 2026-12-04: they stood
    # here alone)
    peak = _with_ci(d.iloc[0], "peak_change", u) if peak_resolved(d.iloc[0]) else NOT_RESOLVED
    mark = HALF_LIFE_MARK if half_life_marked(d.iloc[0]) else ""  # the curve's, as the Figures table marks it
    hl = (_with_ci(d.iloc[0], "half_life_h", "", 1, mark) if decay_resolved(d.iloc[0])
          else not_resolved_text(d.iloc[0]))
    return line + [peak, hl]


def _float(v) -> float:
    """``v`` as a float, NaN when it is not a number."""
    try:
        return float(v)
    except (TypeError, ValueError):
        return math.nan


def _regimen_report(table: pd.DataFrame, note: str = "") -> list[str]:
    """The ``## Regimen`` section of ``report.md``: the regimen rows, or ``note`` alone when there are
    none (:func:`regimen_no_fit_note`; nothing without either)."""
    if "kind" not in table.columns or not (table["kind"] == "regimen").any():
        return ["", "## Regimen", "", note] if note else []
    reg = table[table["kind"] == "regimen"]
    dec = table[(table["kind"] != "regimen") & table["subject"].map(is_pooled).astype(bool)]
    lines = ["", "## Regimen: cumulative change over days", "",
             "Each pre-session photo compared with the first session's baseline (day 0), fitted with a straight "
             "line per treatment (one intercept per subject): the change the regimen builds up, separate from "
             "each session's transient change (the decay fits above, from the photos after each session). "
             "Block-bootstrap 95% CIs (subjects resampled when there are 3 or more, else days; a row of fewer than "
             f"{MIN_CLUSTERS} subjects (its days resampled) with pre-session photos on fewer than {REGIMEN_FEW_DAYS} "
             "days after day 0 has them widened to hold the fit ± 1.96 standard errors from its photos' noise "
             "floors). See `regimen.png`.", "",
             "| treatment | metric | side | photos | days | slope per week [95% CI] | change day 0 to day N "
             "[95% CI] | session peak (transient) [95% CI] | half-life h [95% CI] | verdict |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for _, r in reg.iterrows():
        d = dec[(dec["treatment"] == r["treatment"]) & (dec["metric"] == r["metric"]) & (dec["side"] == r["side"])]
        cells = " | ".join(_regimen_cells(r, d, change_unit(r.get("unit") or "", r["metric"])))
        lines.append(f"| {r['treatment']} | {r['metric']} | {r['side']} | {r['n_photos']} | "
                     f"{_fmt(r['day_n'], '', 0)} | {cells} | {r['verdict']} |")
    lines += ["", REGIMEN_NO_FIT_NOTE] if any(f"| {NO_FIT_CELL} |" in x for x in lines) else []
    lines += ["", HALF_LIFE_REGIMEN_NOTE] if any(f"{HALF_LIFE_MARK} [" in x for x in lines if x.startswith("| ")) else []
    lines += [""] + _verdict_items(reg, [short_reason(r, note_above=True) for r in reg["reason"]])
    lines += ["", "![regimen](regimen.png)"]
    return lines


def _verdict_items(rows: pd.DataFrame, reasons) -> list[str]:
    """report.md's item per row of ``rows``: ``- **treatment, metric (side)**: `verdict`. reason`` (``reasons``, as
    the item gives them), a first sentence several share said once in an item of its own before the first of them
    (:func:`said_once`)."""
    rows = [r for _, r in rows.iterrows()]
    labels = [f"{r['treatment']}, {r['metric']} ({r['side']})" for r in rows]
    return [f"- {text}" if i is None else f"- **{labels[i]}**: `{rows[i]['verdict']}`. {text}"
            for i, text in said_once(labels, list(reasons))]


def _with_ci(r, col: str, unit: str = "", digits: int = 2, mark: str = "") -> str:
    """A report.md cell: the row's ``col`` in ``unit``, ``mark`` after it, and its ``[col_ci_low, col_ci_high]``."""
    return (f"{_fmt(r.get(col), unit, digits)}{mark} "
            f"{_ci_cell(r.get(f'{col}_ci_low'), r.get(f'{col}_ci_high'), digits)}")


#: a report.md cell for a figure that a fit with no resolved decay does not identify
NOT_RESOLVED = "not resolved"


def not_resolved_text(r) -> str:
    """The words for a half-life (and the lasting / transient split) that ``r`` (a timeline row) does not
    resolve: ``"not resolved (beyond the photos' span)"`` (or ``"(95% CI over 10x wide)"``) when
    :func:`facemetrics.decay.claim.unresolved_span` says why, else :data:`NOT_RESOLVED`.  report.md, the
    app and timeline.png's legend use it."""
    why = unresolved_span(r)
    return f"{NOT_RESOLVED} ({why})" if why else NOT_RESOLVED


def _ci_cell(lo, hi, digits=2) -> str:
    """A report.md table's CI, ``"[lo, hi]"`` (:func:`_fmt` of each end, no unit), with a ``+`` on the upper end of
    one that spans zero, as every text writes a CI (:func:`facemetrics.decay.wording.ci_range`): ``"[-0.27, +0.01]"``
    (stop 61, Round 22's (ii))."""
    low, high = _fmt(lo, "", digits), _fmt(hi, "", digits)
    if low.startswith("-") and high != MISSING:
        high = fixed(float(hi), digits, sign=True)  # "0.00" stays unsigned (rounding.fixed)
    return f"[{low}, {high}]"


def _fmt(v, unit="", digits=2) -> str:
    """A number of a ``report.md`` table cell (``"n/a"`` when missing or not finite)."""
    try:
        v = float(v)
    except (TypeError, ValueError):
        return MISSING
    if not math.isfinite(v):
        return MISSING
    return fixed(v, digits) + (f" {unit}" if unit else "")


#: the mark after a ``change at 24 h`` figure of report.md that is not the checked curve's, by ``change_24h_source``
SOURCE_MARKS = {"photos_18_30h": " †", "curve_unchecked": " ‡"}
#: the note under the figures for each mark
SOURCE_NOTES = {
    "photos_18_30h": "† The mean change of the photos taken 18-30 h after treatment, not the fitted curve's: the "
                     "curve misses those photos, or its shape misses the photos' means at their times (see the verdict's "
                     "reason, which gives the curve's value), so the "
                     "verdict was read from them.",
    "curve_unchecked": "‡ The fitted curve's extrapolation to 24 h, not measured: no photo was taken 18-30 h after "
                       "treatment to check it. Take one about 24 h after a treatment.",
}


#: the mark after a resolved half-life of report.md's figures whose row's ``change at 24 h`` was read from the photos
#: at 18-30 h (``change_24h_source`` ``photos_18_30h``, marked †): the curve misses them or its shape misses the
#: photos, so the half-life is the best exponential's, not the time the change halved.  A linear fade of 1.2 mm to 0 at
#: 8 h halves at 4 h and read 4.1 h, its exponential's 3.44 h, with no mark (docs/validation.md section 12, Round 23)
HALF_LIFE_MARK = " \u00a7"
#: the note under the figures for :data:`HALF_LIFE_MARK`
HALF_LIFE_NOTE = ("\u00a7 The half-life of the fitted curve (an exponential fade), not the time in which the measured "
                  "change halved: on that row the curve does not describe the photos well (the change at 24 h is read "
                  "from the photos, †), so the change may have halved sooner or later than this. A change that fades "
                  "in a straight line, for one, halves later than the exponential that follows it best. See the "
                  "photos' own changes in `timeline.png` and `long.csv`.")

#: the note under the Regimen table for :data:`HALF_LIFE_MARK` (the table repeats each series' session half-life)
HALF_LIFE_REGIMEN_NOTE = ("\u00a7 As in the Figures table: the half-life of the fitted curve, not the time in which the "
                          "measured change halved (the curve does not describe that series' photos well).")


def half_life_marked(r) -> bool:
    """Whether the half-life of ``r`` (a timeline row with a resolved decay) takes :data:`HALF_LIFE_MARK`: its
    change at 24 h was read from the photos at 18-30 h because the curve does not describe them."""
    return r.get("change_24h_source") == "photos_18_30h"


def half_point_text(r) -> str:
    """How long the change of ``r`` (a timeline row) lasted, read from the photos without assuming a shape
    (``half_point_h`` and its interval, :mod:`facemetrics.decay.half_point`): ``"fell to half by about 4.0 h (95%
    CI 3.0-6.0 h), read from the photos without assuming a shape"``; ``"had not fallen to half by the last photo
    at 48.0 h"``; ``"may have fallen to half by about 4.0 h (95% CI from 2.0 h to beyond the last photo at 48.0 h: the
    photos do not show that it did)"`` when the interval reaches beyond the last photo (a lasting change read "fell to
    half" so in 5 of 90 studies, docs/validation.md section 26g); "" when the row has no half point and no interval
    (no fit).  A change that grew after the session
    (``half_point_peak_h``) begins ``"grew after the session to its largest at about 12.0 h, then fell to half of
    that by ..."`` (docs/validation.md section 26): its size grew, of either sign, as "fell to half" is of its size
    ("rose" said of a decrease contradicted its columns)."""
    hp, lo, hi, last = (_float(r.get(k)) for k in ("half_point_h", "half_point_h_ci_low", "half_point_h_ci_high",
                                                   "last_time_h"))
    level = _float(r.get("confidence"))
    ci = f"{percent(level if math.isfinite(level) else 0.95)} CI"
    beyond = f"beyond the last photo at {fixed(last, 1)} h" if math.isfinite(last) else "beyond the last photo"
    span = (f"{fixed(lo, 1)}-{fixed(hi, 1)} h" if math.isfinite(hi) else f"from {fixed(lo, 1)} h to {beyond}")
    peak = _float(r.get("half_point_peak_h"))
    rose = f"grew after the session to its largest at about {fixed(peak, 1)} h, then " if math.isfinite(peak) else ""
    of = " of that" if rose else ""
    if math.isfinite(hp) and math.isfinite(lo) and not math.isfinite(hi):  # the interval does not show it halving
        return (f"{rose}may have fallen to half{of} by about {fixed(hp, 1)} h ({ci} {span}: the photos do not show that "
                "it did)")
    if math.isfinite(hp):
        return (f"{rose}fell to half{of} by about {fixed(hp, 1)} h "
                f"({f'{ci} {span}' if math.isfinite(lo) else 'no interval'}), read from the photos without assuming a "
                "shape")
    if rose and math.isfinite(last) and peak >= last:
        return f"grew after the session and was still at its largest at the last photo, at {fixed(last, 1)} h"
    if math.isfinite(lo) and math.isfinite(last):
        return (f"{rose.replace(', then ', ' and ')}had not fallen to half{of} by the last photo at {fixed(last, 1)} h"
                + ("" if lo >= last else f" (the {ci} reaches from {fixed(lo, 1)} h to beyond that photo)"))
    return ""


def _no_half_point_why(r) -> str:
    """The reason ending a row's "no half point" line (:data:`NO_HALF_POINT_WHY` by ``half_point_basis``; "" for a
    table without the column).  A `signs_differ` row with no margin (``smallest_meaningful_change`` 0, as
    ``--min-effect 0`` gives a row without a noise floor) had its photos' change not tested against the noise at all
    (:func:`facemetrics.decay.claim._effect_sign`), so it says that, not that the change is within the noise."""
    basis = r.get("half_point_basis")
    if basis in (BASIS_SIGNS_DIFFER, BASIS_SIGNS_DIFFER_SHOWN) and _no_margin(r):
        return NO_HALF_POINT_UNTESTED
    return NO_HALF_POINT_WHY.get(basis, "")


def _no_margin(r) -> bool:
    """Whether a timeline row has no margin (``smallest_meaningful_change`` 0 or missing), so its photos' change was
    not tested against their noise (:data:`NO_HALF_POINT_UNTESTED`, :data:`PEAK_UNSHOWN_UNTESTED_NOTE`)."""
    return not _float(r.get("smallest_meaningful_change")) > 0


def half_point_lines(pooled: pd.DataFrame) -> list[str]:
    """report.md's lines on how long each pooled row's change lasted (:func:`half_point_text`), under the Figures
    table; none when no row has a half point.  The heading names the measured peak only when a row grew after the
    session (``half_point_peak_h``).  A fitted row with none is named in a last line saying why a row can have
    none (review r2, stop 65: since section 26e a row whose photos show no effect lost its line without a word)."""
    items, missing = [], []
    for _, r in pooled.iterrows():
        fitted = r.get("status") not in _NO_FIT_STATUSES
        text = half_point_text(r) if fitted else ""
        if text:
            items.append(f"- {r['treatment']}, {r['metric']} ({r['side']}): {text}.")
        elif fitted and "half_point_h" in r.index:
            why = _no_half_point_why(r)
            missing.append((str(r["treatment"]), why, f"{r['metric']} ({r['side']})"))
    if not items and not missing:
        return []
    grew = any("grew after" in i for i in items)
    rose = " (or at its measured peak, where it grew after the session)" if grew else ""
    groups = list(dict.fromkeys((tr, why) for tr, why, _ in missing))
    none = [f"- {tr}: no half point for {join_words(n for t, w, n in missing if (t, w) == (tr, why))}"
            f"{f': {why}' if why else ''}." for tr, why in groups]
    none += ["", NO_HALF_POINT] if any(not why for _, why in groups) else []  # a table without `half_point_basis`
    return ["", "How long the change lasted (the half point: when the measured change fell to half its value at the "
                f"first photo after treatment{rose}, with no fade shape assumed; the half-life above assumes an "
                "exponential):", ""] + items + none


def source_notes(table: pd.DataFrame) -> list[str]:
    """The notes under report.md's figures for the marked ``change at 24 h`` figures (:data:`SOURCE_MARKS`),
    one per source present in ``table``; empty when every figure is the checked curve's (or the table predates
    ``change_24h_source``)."""
    if "change_24h_source" not in table.columns:
        return []
    present = set(table["change_24h_source"].dropna().astype(str))
    return [line for key, note in SOURCE_NOTES.items() if key in present for line in ("", note)]


#: report.md's opening after the model: which question the verdicts answer, and where the report says whether a change
#: lasted longer than a day (it led with the 24 h claim whatever the treatment, when an RF user's question is whether
#: it lasted: docs/validation.md section 12, Round 19's (iii)); words only, no verdict rule
OPENING_QUESTION = ("The verdicts answer one question for every treatment, the 24 h claim: is the change still there a "
                    "day after treatment (`persists_beyond_a_day`), gone within a day (`fades_within_a_day`), or can "
                    "the photos not tell (`inconclusive`)? Whether a change lasted longer is not a verdict: it is read "
                    "in the figures' `lasting` column (the level the fitted curve settles to), in the lines on "
                    "follow-on sessions (an earlier session's effect still there when the next began) and in the "
                    "Regimen section (each later session's before photo against the first session's baseline), "
                    "where the report has them.")


def unresolved_notes(unresolved: int, against: int, unshown: int = 0, untested: int = 0) -> list[str]:
    """The notes under report.md's Figures table for its ``unresolved`` rows with no decay resolved (the "*" cells),
    its ``against`` rows whose fitted peak is against the photos' sign (:data:`PEAK_AGAINST_NOTE`) and its
    ``unshown`` rows whose fitted peak's sign the photos do not show (:data:`PEAK_UNSHOWN_NOTE`), ``untested`` of
    them with no margin (:data:`PEAK_UNSHOWN_UNTESTED_NOTE`)."""
    lines = []
    if unresolved:
        lines += ["", f"\\* No decay resolved: the half-life's 95% CI reaches the fit's {HALF_LIFE_BOUNDS[1]:g} h "
                      "bound or has no width, or the half-life sits at the shortest the photos allow (half the first "
                      "photo's time, `half_life_h_min`; the peak is then an extrapolation to t = 0 of the first "
                      "photo alone, so it is not shown either), or its CI reaches both that limit and the last "
                      "photo's time, or the half-life or its CI's upper end lies beyond the last photo's time "
                      f"(beyond the photos' span), or its CI's upper end is over {HALF_LIFE_SPAN:g}x its lower end. "
                      "The half-life is then only where the fit stopped and the change cannot be split "
                      "into a lasting and a transient part (e.g. a change that does not fade over the photos' span); "
                      "the change at 24 h is measured all the same. `timeline.csv` keeps the fit's raw values."]
    return (lines + (["", PEAK_AGAINST_NOTE] if against else []) + (["", PEAK_UNSHOWN_NOTE] if unshown > untested else [])
            + (["", PEAK_UNSHOWN_UNTESTED_NOTE] if untested else []))


def timeline_markdown(table: pd.DataFrame, photos: pd.DataFrame | None, regimen_note: str = "",
                      left_out=(), follow_on=(), kept=(), before=(), next_before: str = "", light=()) -> str:
    """The text of ``report.md``: verdicts in words, the figures, and the photos left out and why.

    Parameters
    ----------
    table : DataFrame
        The ``timeline.csv`` table (decay rows, then regimen rows with
        ``kind == "regimen"`` when the regimen batch was run).
    photos : DataFrame or None
        The batch's ``photos.csv`` read with ``keep_default_na=False``
        (None when it could not be read).
    regimen_note : str, optional
        The ``## Regimen`` section's text when the table has no regimen rows although the
        regimen batch ran (:func:`regimen_no_fit_note`); "" for none.
    left_out : sequence of str, optional
        One line per comparison whose rows the fits left out as ``uncertain``, with its reason
        (:func:`facemetrics.batch.timeline.uncertain_notes`): listed under ``## Photos excluded``
        (:func:`excluded_lines`).
    follow_on : sequence of str, optional
        One line per follow-on session left out of the decay fits (:func:`follow_on_notes`): listed
        under ``## Photos excluded`` too.
    kept : sequence of str, optional
        One line per comparison whose rows entered the fits while carrying the warning that the expression
        may differ (:func:`facemetrics.batch.fit_notes.expression_kept_notes`): listed under
        ``## Comparisons kept in the fits with a warning`` (:func:`kept_lines`).
    light : sequence of str, optional
        One line per comparison whose fold rows entered the fits while carrying the warning that the lighting
        differs (:func:`facemetrics.batch.fit_notes.light_kept_notes`): listed after them (:func:`light_kept_lines`).
    before : sequence of str, optional
        One line per before photo every after photo of its session differs from in expression
        (:func:`facemetrics.batch.before_read.before_notes`): listed under ``## Before photos to retake``.
    next_before : str, optional
        The sentence on the changes that are a next session's before photo read also as the earlier session's
        photo at that time (:func:`facemetrics.batch.tables.next_before_note`), under the figures; "" for none.
    """
    lines = ["# Treatment time course", "",
             "Changes of each photo versus its session's baseline, fitted with "
             "change(t) = lasting + transient x 2^(-t / half_life); intervals are bootstrap "
             "95% CIs (subjects resampled when there are 3 or more). " + OPENING_QUESTION + " The 24 h claim uses the 90% CI "
             "(two one-sided tests), the one the change at 24 h is given with below, as in the verdicts and "
             "`timeline.png`; its 95% CI is in `timeline.csv` (`change_24h_ci_*`). See `timeline.png` and "
             "`timeline.csv`.", ""]
    lines += ["## Verdicts (pooled over subjects)", ""]
    full = table
    if "kind" in table.columns:  # regimen rows get their own section
        table = table[table["kind"] != "regimen"]
    pooled = table[table["subject"].map(is_pooled).astype(bool)]
    lines += _verdict_items(pooled, [follow_on_reason(r, bool(follow_on)) for r in pooled["reason"]])
    # the causes of 'uncertain' once, naming every line of the report that refers to it
    marked = [("" if is_pooled(r["subject"]) else f"{r['subject']}, ")
              + ("regimen: " if r.get("kind") == "regimen" else "") + f"{r['treatment']}, {r['metric']} ({r['side']})"
              for _, r in full.iterrows() if isinstance(r["reason"], str) and shorten_unread(r["reason"])[1]
              and (is_pooled(r["subject"]) or r.get("status") in _NO_FIT_STATUSES)]
    lines += ([""] + unread_note(marked)) if marked else []
    lines += ["", "## Figures", "",
              "| treatment | metric | side | subject | photos | peak change [95% CI] | half-life h [95% CI] | "
              f"change at 24 h [{table_claim_level(table)} CI] | transient [95% CI] | lasting [95% CI] | verdict |",
              "|---|---|---|---|---|---|---|---|---|---|---|"]
    unresolved = no_fit = marked = against = unshown = untested = 0
    for _, r in table.iterrows():
        u = change_unit(r.get("unit") or "", r["metric"])  # every figure of the row is a change: pp for a %
        subj = "all" if is_pooled(r["subject"]) else r["subject"]
        if r.get("status") in _NO_FIT_STATUSES:  # no curve: one word, not five "n/a [n/a, n/a]" (Round 19)
            no_fit += 1
            lines.append(f"| {r['treatment']} | {r['metric']} | {r['side']} | {subj} | {r['n_photos']} | "
                         + " | ".join([NO_FIT_CELL] * 5) + f" | {r['verdict']} |")
            continue
        if decay_resolved(r):
            mark = HALF_LIFE_MARK if half_life_marked(r) else ""
            marked += bool(mark)
            hl = (f"{_fmt(r['half_life_h'], '', 1)}{mark} "
                  f"{_ci_cell(r['half_life_h_ci_low'], r['half_life_h_ci_high'], 1)}")
            lasting = (LASTING_WITHHELD_CELL if lasting_withheld(r) else
                       f"{_fmt(r['lasting'], u)} {_ci_cell(r['lasting_ci_low'], r['lasting_ci_high'])}")
            transient = (f"{_fmt(r.get('transient'), u)} "
                         f"{_ci_cell(r.get('transient_ci_low'), r.get('transient_ci_high'))}")
        else:
            hl = lasting = transient = not_resolved_text(r) + " *"
            unresolved += 1
        if peak_resolved(r):
            peak = f"{_fmt(r['peak_change'], u)} {_ci_cell(r['peak_change_ci_low'], r['peak_change_ci_high'])}"
        else:
            peak = NOT_RESOLVED + " *"
            against += peak_against_photos(r)
            unshown += peak_unshown(r)
            untested += peak_unshown(r) and _no_margin(r)
        lines.append(
            f"| {r['treatment']} | {r['metric']} | {r['side']} | {subj} | {r['n_photos']} | "
            f"{peak} | "
            f"{hl} | "
            f"{_fmt(r['change_24h'], u)}{SOURCE_MARKS.get(r.get('change_24h_source'), '')} "
            f"{_ci_cell(r.get('change_24h_test_ci_low'), r.get('change_24h_test_ci_high'))} | "
            f"{transient} | {lasting} | "
            f"{r['verdict']} |")
    lines += unresolved_notes(unresolved, against, unshown, untested)
    if no_fit:
        lines += ["", NO_FIT_NOTE]
    lines += source_notes(table)
    lines += (["", HALF_LIFE_NOTE] if marked else []) + half_point_lines(pooled)
    lines += subject_gap_lines(table, bool(follow_on))
    lines += uncompared_lines(photos)
    lines += ["", next_before] if next_before else []
    lines += ["", "![timeline](timeline.png)"]
    lines += _regimen_report(full, regimen_note)
    lines += excluded_lines(photos, left_out, follow_on, follow_on_advice(full))
    lines += kept_lines(kept)
    lines += light_kept_lines(light)
    lines += ["", "## Before photos to retake", ""] + [f"- {n}" for n in before] if before else []
    return "\n".join(lines) + "\n"


#: the start of the heading of report.md's sections on the comparisons kept in the fits with a warning (the app's
#: boxes of the same lists take it too)
KEPT_HEADING = "Comparisons kept in the fits with a warning"

#: each such section's paragraph by its warning (the gate's, :attr:`facemetrics.batch.fit_notes.KeptNote.warning`;
#: the heading ends with it), in report.md's order: report.md (:func:`kept_lines`,
#: :func:`light_kept_lines`) and the app's Timeline tab and *My study* (``app.kept_with_warning``) word them from here
KEPT_SECTIONS = {
    MSG_EXPRESSION_MAYBE: (
        "These comparisons entered the fits with their verdicts, but their mouth corners moved as in a smile "
        "while the lips kept their shape: a gentle smile and a lift that pulls the mouth corners up and out "
        "both do this, and a smile also deepens the folds and raises the mouth corners. Check these photos; "
        "if one smiles, retake it with a relaxed, closed mouth or leave it out of the timeline (each line "
        "gives the cues of `changes.csv`'s `messages`)."),
    MSG_LIGHTING: (
        "These comparisons entered the fits with their verdicts, but the face is brighter or darker in one of "
        "their two photos than the limit allows, and fold depth and contrast depend on the light: their fold "
        "figures (`nlf_depth`) rest on photos taken in different light. Check these photos; retake them in the "
        "same light as their before photo, or leave them out of the timeline (each line gives `changes.csv`'s "
        "message)."),
}


def kept_sections(expression=(), light=()) -> list[tuple[str, str, list]]:
    """The sections on the comparisons kept in the fits with a warning, as data: ``(heading, paragraph, notes)`` for
    ``expression`` (:func:`facemetrics.batch.fit_notes.expression_kept`, or their lines) and ``light``
    (:func:`~facemetrics.batch.fit_notes.light_kept`), each with a note; report.md (:func:`kept_lines`,
    :func:`light_kept_lines`) and the app's boxes format them (the app read them back out of report.md's lines
    until stop 60)."""
    out = []
    for warning, notes in ((MSG_EXPRESSION_MAYBE, list(expression)), (MSG_LIGHTING, list(light))):
        if notes:
            out.append((f"{KEPT_HEADING}: {warning}", KEPT_SECTIONS[warning], notes))
    return out


def light_kept_lines(light) -> list[str]:
    """The ``## Comparisons kept in the fits with a warning: lighting differs`` section of ``report.md``, after the
    expression's: one item per note of ``light`` (:func:`facemetrics.batch.fit_notes.light_kept`, or their lines),
    the comparisons whose fold rows the fits used although the face's brightness differs beyond the gate's limit; []
    for none.  Their verdicts are kept, and the warning was said only in ``changes.csv`` (docs/validation.md section
    12, Round 19's (v)).  The section says what the warning says (fold depth and contrast), nothing more."""
    return _kept_section(kept_sections(light=light))


def _kept_section(sections) -> list[str]:
    """The ``## Comparisons kept in the fits with a warning: <warning>`` sections of ``report.md`` of
    :func:`kept_sections`: each its paragraph, then one item per note; [] for none (:func:`kept_lines`,
    :func:`light_kept_lines`)."""
    out = []
    for heading, intro, notes in sections:
        out += ["", f"## {heading}", "", intro, ""] + [f"- {n}" for n in notes]
    return out


def kept_lines(kept) -> list[str]:
    """The ``## Comparisons kept in the fits with a warning`` section of ``report.md``: one item per note of
    ``kept`` (:func:`facemetrics.batch.fit_notes.expression_kept`, or their lines), the comparisons the fits used
    although the gate warned that the expression may differ; [] for none.  Such a comparison keeps its verdicts (a
    lift that pulls the mouth corners up and out sets off the same cues as a gentle smile), so unlike the
    ``uncertain`` ones under ``## Photos excluded`` it was fitted, and the user could not see which."""
    return _kept_section(kept_sections(expression=kept))


#: what lets a follow-on session count, said once under the follow-on sessions (report.md, the console, *My study*).
#: A daily user's every later session was left out while the fit judging the earlier one's effect had no photo near
#: the next session's time (docs/validation.md §12, Round 13): 47 photos over 4 weeks, no fit.  Since Round 14 (stop
#: 56, c4) each session's before photo is also the earlier session's photo at that time
#: (:func:`facemetrics.batch.tables._next_before_jobs`), so a daily user needs no photo on a day without a session;
#: what is still needed is a before photo the next session can lend, or a photo at that time added to the session;
#: a session after an effect shown still there cannot count at all (a clinic RF patient read only the advice to add
#: photos: docs/validation.md §12, Round 19)
#: the sentence of :data:`FOLLOW_ON_ADVICE` on more photos, true when the fits judging the earlier sessions had photos
#: enough: what they lack is the photo at the next session's time
FEW_HOURS_ADVICE = "More photos within a few hours of each session do not help."
#: what :func:`follow_on_advice` says instead when a fit of the series made no fit for too few photos (status
#: ``insufficient_data``): a weekly RF user with photos at 15 min and 24 h read "too few data ... need at least 4"
#: and then :data:`FEW_HOURS_ADVICE` (docs/validation.md section 12, Round 23)
FEW_PHOTOS_ADVICE = ("Where a verdict above says there were too few data to fit, more photos after the first session "
                     "do help: add them to it at times it has no photo of yet, before the next session begins (for "
                     "example 1, 3 and 6 h after it, and for a weekly session also 2 and 4 days after it), until it "
                     "has the photos and times that verdict says it needs.")
FOLLOW_ON_ADVICE = ("What would let such a session count: a photo of the earlier session at about the time the next "
                    "one begins (for a daily session, about 24 h later) that shows whether its effect is gone. The "
                    "next session's before photo is read as that photo when both sessions have a photo compared after "
                    "their treatment and no other treatment came between (`changes.csv`'s `messages` say so on its "
                    "row); a session above was left out because that photo did not show the effect gone (its rows "
                    "read 'uncertain' or were refused: see why in `changes.csv`; the effect still there; or too few "
                    "photos yet to tell). Take each before photo as your others (same place, light and distance), "
                    "just before the treatment; when a session had no photo after it or the next none before it, add "
                    "one at about the next session's time to the earlier session before the next is logged "
                    "(`facemetrics study add PHOTO --subject NAME --follow-up`, *My study* with that session chosen, "
                    "or a batch's session folder or manifest row). " + FEW_HOURS_ADVICE + " A session whose line says the earlier effect was still there cannot count, whatever "
                    "photo is added: its before photo carries that effect, and that it was still there is the answer "
                    "to whether it lasted (the Regimen section compares each later session's before photo with the "
                    "first session's).")


def follow_on_advice(table: pd.DataFrame | None = None) -> str:
    """:data:`FOLLOW_ON_ADVICE` for the fits of ``table`` (``timeline.csv``'s rows; None: the advice as it is): when a
    pooled decay row made no fit for too few data (``status`` ``insufficient_data``), its sentence that more photos
    within a few hours do not help (:data:`FEW_HOURS_ADVICE`) is replaced by :data:`FEW_PHOTOS_ADVICE`, so the advice
    does not contradict that verdict's "need at least 4"."""
    if table is None or not {"status", "subject"} <= set(table.columns):
        return FOLLOW_ON_ADVICE
    rows = table[table["kind"] != "regimen"] if "kind" in table.columns else table
    pooled = rows[rows["subject"].map(is_pooled).astype(bool)]
    if not (pooled["status"] == "insufficient_data").any():
        return FOLLOW_ON_ADVICE
    return FOLLOW_ON_ADVICE.replace(FEW_HOURS_ADVICE, FEW_PHOTOS_ADVICE)


#: the words of a :func:`follow_on_notes` line after the session and its gap (the series and figures follow)
_NOT_GONE = ", whose effect is not shown gone by then in "
#: at most this many follow-on sessions are printed one by one on the console (:func:`follow_on_console`); the
#: same number the fits' reasons name (:func:`facemetrics.decay.carryover.follow_on_sentence`)
FOLLOW_ON_CONSOLE = 3


def follow_on_console(notes) -> list[str]:
    """The console's lines for the follow-on sessions (``notes``: :func:`follow_on_notes`): each in full when
    there are at most :data:`FOLLOW_ON_CONSOLE`, else their count, where all are listed (report.md), and the
    first few by session and gap alone.  A daily user's week 4 printed 23 lines, ~26 000 characters (the
    home-month audit, docs/validation.md §12, Round 13)."""
    notes = list(notes)
    if len(notes) <= FOLLOW_ON_CONSOLE:
        return [f"follow-on session left out of the decay fits: {n}" for n in notes]
    first = [f"  {n.split(_NOT_GONE, 1)[0]}" for n in notes[:FOLLOW_ON_CONSOLE]]
    return ([f"{len(notes)} follow-on sessions left out of the decay fits (each began while an earlier session of the "
             "same subject and treatment may still act, whose effect the fit that judged does not show gone by "
             "then); report.md lists each, with every series' figures, under \"Sessions left out of the decay "
             f"fits\". The first {FOLLOW_ON_CONSOLE}:"] + first
            + [f"  and {len(notes) - FOLLOW_ON_CONSOLE} more (report.md)"])


def follow_on_notes(items) -> list[str]:
    """One line per follow-on session left out of the decay fits (``SeriesResult.follow_on``:
    :class:`facemetrics.decay.carryover.FollowOn`, one per session and series), naming each series it
    was left out of with that series' figures (:func:`facemetrics.decay.carryover.figure_text`):
    ``"S01, rf: the session treated at 2026-12-06 08:00 began 4.0 days after the one treated at
    2026-12-02 08:00, whose effect is not shown gone by then in jawline_lift_mm (mean): the first-session
    fit puts that one's change at ...; in ...: .... Its 3 changes per series are left out of these series' decay
    fits (its before photo may carry that effect; its rows stay in long.csv)."`` (times as a sentence says them,
    :func:`facemetrics.timekeys.clock_text`, and no bracket inside another: Round 18's (e), stop 58).  The one place the console and
    report.md name the session: the fits' verdicts say only how many rows of how many sessions they left out
    (:func:`follow_on_reason`; an audit, stop 55: each session was said in every verdict and again here).
    [] for none."""
    sessions: dict[tuple, list] = {}
    for f in items:
        sessions.setdefault((f.subject, f.treatment, f.treated_at), []).append(f)
    lines = []
    for (subj, tr, when), group in sessions.items():
        first = min(group, key=lambda f: f.gap_h)
        series = {f"{f.metric} ({f.side})": f for f in group}
        by_figure: dict[str, list[str]] = {}  # series with the same words (e.g. "no fit shows ...") said together
        for name, f in series.items():
            by_figure.setdefault(figure_text(f), []).append(name)
        # each series' figures after a colon, not in brackets: they hold brackets of their own (the CI, the series'
        # side; Round 18's (e): "(the fit of all sessions (the first sessions' alone cannot tell) ...)")
        figures = "; in ".join(f"{join_words(names)}: {fig}" for fig, names in by_figure.items())
        n = max(f.n_rows for f in group)
        lines.append(f"{subj}, {tr}: the session treated at {clock_text(when)} began {since_text(first.gap_h)} after "
                     f"the one treated at {earlier_text(first)}{_NOT_GONE}{figures}. "
                     f"Its {n} change{'s' if n != 1 else ''} per series {'are' if n != 1 else 'is'} left out of "
                     f"{'these series' if len(series) != 1 else 'this series'}' decay fit{'s' if len(series) != 1 else ''} "
                     "(its before photo may carry that effect; its rows stay in long.csv).")
    return lines


def follow_on_reason(reason, said_below: bool, note_above: bool = False):
    """A fit's ``reason`` for a surface that lists the follow-on sessions in lines of their own
    (``said_below``: :func:`follow_on_notes` is printed there): its follow-on sentence cut to the count and a
    pointer (:func:`facemetrics.decay.carryover.shorten_follow_on`), as :func:`short_reason` gives it
    (``note_above``: printed below the note on 'uncertain')."""
    reason = short_reason(reason, note_above)
    return shorten_follow_on(reason) if said_below else reason


def _none_excluded_but(n_uncertain: int, n_follow_on: int) -> str:
    """The "Photos excluded" sentence when no photo was excluded but some comparisons or sessions were
    left out of the fits: ``"No photo was excluded from the batch: every photo was measured, but 3
    comparisons read 'uncertain' were left out of the fits (listed below)."``  It said "every photo was
    measured and compared" right above the list of comparisons left out (first-user audit, 2026-12-05)."""
    parts = []
    if n_uncertain:
        parts.append(f"{n_uncertain} comparison{'s' if n_uncertain != 1 else ''} read 'uncertain' "
                     f"{'were' if n_uncertain != 1 else 'was'} left out of the fits")
    if n_follow_on:
        parts.append(f"{n_follow_on} follow-on session{'s' if n_follow_on != 1 else ''} "
                     f"{'were' if n_follow_on != 1 else 'was'} left out of the decay fits")
    return ("No photo was excluded from the batch: every photo was measured, but "
            + join_words(parts) + " (listed below).")


def excluded_lines(photos: pd.DataFrame | None, left_out=(), follow_on=(), advice: str = FOLLOW_ON_ADVICE) -> list[str]:
    """The ``## Photos excluded`` section of ``report.md``: the photos of ``photos.csv`` (read with
    ``keep_default_na=False``; None when it could not be read) with an ``excluded`` reason, then
    ``left_out``, one line per comparison whose rows the fits left out as ``uncertain`` (a photo
    measured and compared, but no change can be read from it).  "None: every photo was measured and
    compared." only when neither has a line: it was said beside the fits' "N more photos were left
    out because their comparison read 'uncertain'" (CLI audit, 2026-12-03)."""
    lines = ["", "## Photos excluded", ""]
    if photos is None or "excluded" not in photos.columns or "photo" not in photos.columns:
        lines.append("(photos.csv not found)")
    else:
        exc = photos[photos["excluded"].astype(str) != ""]
        if len(exc):
            lines += [f"- `{r['photo']}`: {r['excluded']}" for _, r in exc.iterrows()]
        elif not left_out and not follow_on:
            lines.append("None: every photo was measured and compared.")
        else:
            lines.append(_none_excluded_but(len(left_out), len(follow_on)))
    if left_out:
        lines += ["", "### Comparisons left out of the fits: read 'uncertain'", "",
                  "These photos were measured and compared, but no change can be read from their comparison, so "
                  "the fits leave their rows out; each line gives the comparison's own reason (`changes.csv`'s "
                  "`messages`).", ""]
        lines += [f"- {n}" for n in left_out]
    if follow_on:
        lines += ["", "### Sessions left out of the decay fits: follow-on sessions", "",
                  "Each of these sessions began while an earlier session of the same subject and treatment may "
                  "still act (the first-session fit, or the fit of every session when the first-session fit alone "
                  "cannot tell, does not show that session's change inside the margin by then, at "
                  "its 90% CI; each line names the fit that judged), so its before photo may carry that effect and its changes "
                  "are no changes from a fresh baseline; the decay fits leave them out (each line gives each series' "
                  "figures; `timeline.csv`'s `reason` says it per fit too). Their comparisons stay in `changes.csv` and `long.csv`, and the Regimen section "
                  "compares their before photos with the first session's.", ""]
        lines += [f"- {n}" for n in follow_on]
        lines += ["", advice]
    return lines


#: the metric a comparison's headline reports (its ``mean`` side)
HEADLINE_METRIC = "jawline_lift_mm"


def headline(frame: pd.DataFrame, messages=()) -> str:
    """The headline of a comparison, following the gate (the app's first result).

    ``frame`` is :meth:`Comparison.to_frame`; ``messages`` the comparison's messages.

    ``"jawline lifted 1.51 mm (noise floor 0.03 mm)"`` from the comparison
    table's mean jawline row (with ``"; scale ± 0.07 mm"`` when ``frame`` has ``change_scale_sd``, as the
    app's: :func:`floor_text`), only when the change is beyond its noise floor
    and the expression did not change; otherwise a sentence that says why no
    lift is claimed, in this order: the lips' shape changed (the expression); with the row read
    ``uncertain``, its cause (:func:`_uncertain_headline`: a face cut by the edge, a rough registration,
    a camera distance or head pose beyond the range its correction was checked on, else the checks in
    general); the mouth corners' motion alone (the expression may differ: verdicts kept).  A corrected
    head-pose or camera-distance change is named after the figure.
    """
    rows = frame[(frame["metric"] == HEADLINE_METRIC) & (frame["side"] == "mean")]
    if rows.empty:
        return "No jawline lift could be measured."
    r = rows.iloc[0]
    change, nf, unit = float(r["change"]), float(r["noise_floor"]), r["unit"] or "mm"
    if not math.isfinite(change):
        return "No jawline lift could be measured."
    nf_txt = floor_text(nf, unit, r.get("change_scale_sd", math.nan))
    what = "a lift" if change >= 0 else "a sag"  # the words follow the sign (a -0.80 mm was "may be ... a lift")
    if any(m.startswith(MSG_EXPRESSION) for m in messages):
        return (f"not a skin change: the expression differs between the photos, so the jawline's "
                f"{fixed(change, 2, True)} {unit}{nf_txt} is the expression, not {what}")
    # before 'the expression may differ' (which keeps the verdicts): with the rows 'uncertain' their cause is
    # the main problem (debruine 30 vs 60 cm, and pose_variation_1 -> 4 at 1.02 mm RMS, were headlined as a smile)
    if r.get("verdict") == "uncertain":
        return "no lift or sag can be claimed: " + _uncertain_headline(messages, f"{fixed(change, 2, True)} {unit}{nf_txt}", what)
    if any(m.startswith(MSG_EXPRESSION_MAYBE) for m in messages):
        return (f"no lift or sag can be claimed: the mouth corners moved as in a smile (a lift pulling them up and "
                f"out does the same), so the jawline's {fixed(change, 2, True)} {unit}{nf_txt} may be the expression or {what}")
    if r.get("verdict") == "within_noise":
        return f"no jawline change beyond the noise: {fixed(change, 2, True)} {unit}{nf_txt}"
    verb = "lifted" if change >= 0 else "dropped"
    out = f"jawline {verb} {fixed(abs(change), 2)} {unit}{nf_txt}"
    if any(m.startswith((MSG_POSE, MSG_CAMERA)) for m in messages):
        out += ", after correcting the change of head pose and camera distance named below"
    if any(m.startswith(MSG_SWAPPED) for m in messages):
        out += (" in the order given, but the before photo was taken after the after photo (named below): if the "
                f"photos are swapped, the jawline {'dropped' if change >= 0 else 'lifted'}")
    return out


def floor_text(floor: float, unit: str, scale_sd: float = math.nan) -> str:
    """``" (noise floor 0.10 mm; scale ± 0.07 mm)"``: a change's noise floor and, when known, the mm scale's
    share of its uncertainty (1 SD, ``comparison.csv``'s ``change_scale_sd``), in the CLI's words
    (:func:`summary_lines`); ``" (noise floor unknown)"`` without a floor."""
    sd = float_or_nan(scale_sd)
    scale = f"; scale ± {fixed_uncertainty(sd, 2)} {unit}" if math.isfinite(sd) else ""
    return f" (noise floor {fixed(floor, 2)} {unit}{scale})" if math.isfinite(floor) else f" (noise floor unknown{scale})"


def _uncertain_headline(messages, figure: str, what: str) -> str:
    """Why :func:`headline`'s jawline row (``figure``: its change, unit and floor) reads ``uncertain``, in
    this order: the two photos are one picture (identical pixels, :data:`MSG_SAME_PICTURE`, or a re-saved
    copy, :data:`MSG_NEAR_COPY`: every row reads ``uncertain`` whatever else the checks found), a face cut by
    the edge, a rough registration, a camera distance beyond the range its correction was checked on
    (:data:`MSG_CAMERA_UNCHECKED`, in a distance's message or in one that says the distance could not be
    measured), a head pose beyond it, else the comparison's checks."""
    # one picture twice: the cause of every row's 'uncertain', named as batch names it (the headline gave the
    # generic "the comparison's checks ..." for `compare a.jpg a.jpg`: stop 44's audit)
    if any(MSG_SAME_PICTURE in m for m in messages):
        return (f"the before and after photos are the same picture (identical pixels), so the jawline's {figure} "
                "is 0 by construction, not a measurement: compare two different photos")
    if any(m.startswith(MSG_NEAR_COPY) for m in messages):
        return (f"the after photo is a re-saved copy of the before photo, so the jawline's {figure} is the "
                "re-compression's, not a change of the face: compare two different photos")
    if any(m.startswith(MSG_FACE_CUT) for m in messages):
        return f"the face is cut by the image edge, so the jawline's {figure} rests on landmarks Face Mesh guessed"
    if any(m.startswith(MSG_MISMATCH) for m in messages):
        return (f"the upper faces match only roughly after alignment, so the jawline's {figure} may be "
                f"misregistration, not {what}")
    cam = [m for m in messages if MSG_CAMERA_UNCHECKED in m]
    if cam:
        # the camera moved further than the perspective correction was checked for (app audit, 2026-12-03:
        # the headline blamed the upper faces' match, which was fine); an estimate within its own uncertainty
        # ("could not be measured") beyond that range takes the verdicts as well
        moved = ("the camera distance could not be measured and its estimate lies beyond the range the perspective "
                 "correction was checked for" if cam[0].startswith(MSG_CAMERA_UNMEASURED) else
                 "the camera distance changed more than the perspective correction was checked for")
        return f"{moved}, so the jawline's {figure} may be perspective, not {what}"
    if any(m.startswith(MSG_POSE) and MSG_POSE_UNCHECKED in m for m in messages):
        # the head turned or tilted further than the pose correction was validated for (2026-12-03)
        return (f"the head pose changed more than the head-pose correction was checked for, so the jawline's "
                f"{figure} may be the pose change, not {what}")
    return f"the comparison's checks (see the messages) say the jawline's {figure} cannot be read as {what}"


#: the note under the fold lines of :func:`summary_lines`: their before/after values are the
#: comparison's, not each photo's own (``facemetrics analyze``), by design
NOTE_COMPARED_VALUES = ("(before → after are measured for the comparison: the after photo's fold along the before "
                        "photo's fold line, both in the before photo's frame, so they differ from `facemetrics "
                        "analyze` of each photo by design; the change compares the same skin)")


#: what the ± of a photo's own value says (:func:`per_photo_value`; the CLI's note under the fold lines, the app's)
PER_PHOTO_NOTE = ("± on a before or after value: each photo's share of the change's noise floor, floor / √2, at the "
                  "floor's coverage; the repeatability of photos of one unchanged face, not of the light")


def per_photo_value(value: float, floor: float, unit: str) -> str:
    """One photo's value of a row with its uncertainty and ``unit``: ``"16.31 ± 0.59 index"``; the ± is
    :func:`facemetrics.compare.per_photo_uncertainty` of the row's change ``floor``, and both show as many
    decimals as it supports (:func:`facemetrics.decay.wording.decimals_for`).  Without a floor: the value
    with one decimal and "(no floor)"; "n/a" for a missing value."""
    try:
        v, u = float(value), per_photo_uncertainty(float(floor))
    except (TypeError, ValueError):
        return MISSING
    if not math.isfinite(v):
        return MISSING
    if not math.isfinite(u):
        return f"{fixed(v, 1)} {unit} (no floor)"
    dp = decimals_for(u)
    return f"{fixed(v, dp)} ± {fixed(u, dp)} {unit}"


def _scale_part(change: float, pct: float) -> str:
    """``"; scale ± 0.09 mm"``: the mm scale's share of a lift's uncertainty
    (:func:`facemetrics.compare.table.change_scale_sd`, 1 SD), or ``""`` when it is unknown (a scale the user
    gave, a change not measured); one that rounds to zero reads "< 0.005 mm" (:func:`fixed_uncertainty`: it read
    "scale ± 0.00 mm", Round 21)."""
    sd = change_scale_sd(change, "mm", pct)
    return f"; scale ± {fixed_uncertainty(sd, 2)} mm" if math.isfinite(sd) else ""


def scale_note(pct: float) -> str:
    """What the ``scale ±`` of a lift says (:func:`summary_lines`' note): the before photo's mm scale's
    uncertainty ``pct`` (1 SD, %) times the change, outside the verdict."""
    return (f"(scale ±: every mm is read in the before photo's iris scale, uncertain by ± {fixed(pct, 1)} % (1 SD, mostly "
            "how iris size varies between people), so a change carries that share of itself; it does not enter "
            "the verdict: a scale error cannot make a zero change non-zero, nor turn its direction)")


#: the decimals :func:`summary_lines` (the CLI) gives a row's change and noise floor, the same for its mean
#: and its sides; the app's table shows these rows so (the app's mean change had 3, its sides 2: an audit,
#: 2026-12-04); the camera distance's 1 is the CLI's when it is measured
SUMMARY_DECIMALS = {**{f"{region}_lift_mm": 2 for region in REGIONS}, **dict.fromkeys(POSE_METRICS[:3], 2),
                    POSE_METRICS[3]: 1, "nlf_depth": 2, "nlf_contrast_pct": 1}


def summary_lines(c: Comparison) -> list[str]:
    """Short plain-language summary of a comparison: status, messages, the lifts, the pose change and
    the folds (for the CLI and the comparison figure, :func:`facemetrics.plots.comparison_overlay`)."""
    out = [f"status: {c.status}" + (f" - {len(c.messages)} message(s)" if c.messages else "")]
    out += [f"  ! {m}" for m in c.messages]
    if c.status == "refused" or not c.lifts:
        return out
    pct = c.scale_uncertainty_pct
    for region in REGIONS:
        row = c.get(f"{region}_lift_mm", "mean")
        r, l_ = c.get(f"{region}_lift_mm", "right"), c.get(f"{region}_lift_mm", "left")
        out.append(f"  {region.replace('_', ' ')} lift: {fixed(row.change, 2, True)} mm ({row.verdict}; noise floor "
                   f"{fixed(row.noise_floor, 2)} mm{_scale_part(row.change, pct)}); right {fixed(r.change, 2, True)} mm ({r.verdict}; floor {fixed(r.noise_floor, 2)} mm), "
                   f"left {fixed(l_.change, 2, True)} mm ({l_.verdict}; floor {fixed(l_.noise_floor, 2)} mm)")
    p, y, r, d = (c.get(m, "mean") for m in POSE_METRICS)
    if np.isfinite(p.change):
        # a camera change within its own uncertainty is not a measurement (gate's message says so), nor
        # one read while the lips' shape changed (gate.camera_measured: London 087 smiling read +101 %)
        if any(m.startswith(MSG_EXPRESSION) for m in c.messages):
            cam = f"camera distance not measurable, the expression changed ({fixed(d.change, 0, True)} ± {fixed(d.noise_floor, 0)} %)"
        elif abs(d.change) > d.noise_floor or abs(d.change) <= WARN_CAMERA_PCT:
            cam = f"camera distance {fixed(d.change, 1, True)} ± {fixed(d.noise_floor, 1)} %"
        else:
            cam = f"camera distance not measurable ({fixed(d.change, 0, True)} ± {fixed(d.noise_floor, 0)} %)"
        out.append(f"  pose change (corrected for): pitch {fixed(p.change, 2, True)} ± {fixed(p.noise_floor, 2)} deg (chin up > 0), "
                   f"yaw {fixed(y.change, 2, True)} ± {fixed(y.noise_floor, 2)} deg, roll {fixed(r.change, 2, True)} ± {fixed(r.noise_floor, 2)} deg, "
                   + cam)
    for side in ("right", "left"):
        d, k = c.get("nlf_depth", side), c.get("nlf_contrast_pct", side)
        # every figure with its unit (the depth's is "index", as in comparison.csv; an audit, 2026-12-04: the
        # depth figures were bare numbers) and each photo's value with its ± (per_photo_value)
        out.append(f"  nasolabial fold {side}: depth {per_photo_value(d.before, d.noise_floor, 'index')} → "
                   f"{per_photo_value(d.after, d.noise_floor, 'index')}, change {fixed(d.change, 2, True)} index "
                   f"({d.verdict}; noise floor {fixed(d.noise_floor, 2)} index), contrast "
                   f"{per_photo_value(k.before, k.noise_floor, '%')} → {per_photo_value(k.after, k.noise_floor, '%')}, "
                   f"change {fixed(k.change, 1, True)} pp ({k.verdict}; noise floor {fixed(k.noise_floor, 1)} pp)")
    out.append("    (index: the fold depth index, 10 × mm of full darkening across the fold; contrast: % darker than the "
               f"skin {CONTRAST_OFFSET_MM:g} mm either side; pp: percentage points of that contrast; {PER_PHOTO_NOTE})")
    out.append(f"    {NOTE_COMPARED_VALUES}")
    if math.isfinite(pct):
        out.append(f"    {scale_note(pct)}")
    note = noise_source_note(c.noise_source)
    out.append(f"  noise floors: {c.noise_source}" + (f"; {note}" if note else ""))
    return out


def noise_source_note(noise_source: str) -> str:
    """Advice on a comparison's noise floors (``Comparison.noise_source``), "" when none is needed: the
    defaults hold only for an unchanged pose and expression; one repeat pair gives a floor of
    t(0.975, 1) = 12.7 x its one difference (about 10 SD on average: docs/compare.md)."""
    if noise_source.startswith("default ("):
        return ("the repeat photos given were not used (the messages say why), so the default floors apply; "
                "they hold for an unchanged pose and expression: repeats must show the same face, pose and "
                "expression as their photo")
    if noise_source == "default":
        return ("each row's floor is its default (docs/compare.md, 'Default noise floors') raised for this pair's "
                "pixel size and for what the head-pose correction cannot remove, so it can be above the table; the "
                "defaults hold for an unchanged pose and expression: take two or more photos of each state "
                "(--before-repeat / --after-repeat) to measure your own")
    if noise_source == "repeats (1 pair)":
        return ("one repeat pair gives a floor of 12.7 x its one difference (Student's t with 1 degree of "
                "freedom: about 10 SD on average), so small changes read as noise: take 2-3 photos of each state")
    return ""
