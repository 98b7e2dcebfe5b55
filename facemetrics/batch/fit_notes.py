"""The comparisons the timeline's decay fits keep while carrying a warning, as records (:class:`KeptNote`,
:func:`expression_kept`, :func:`light_kept`) and as the lines every list of them prints (:func:`expression_kept_notes`,
:func:`light_kept_notes`: ``str`` of each record), and the metrics those fits report first (:data:`HEADLINE_METRICS`).

Also docs/validation.md §20's reading of each session's before photo (:func:`before_checks`, moved here from
:mod:`facemetrics.batch.before_read`, which re-exports it) and the one line naming an odd one (:func:`before_line`).

Without pandas, so that the batch's console (:mod:`facemetrics.batch.console`), which prints the same lines, keeps
``facemetrics batch`` free of it (tests/test_cli.py ``test_batch_command_never_imports_pandas``); moved out of
:mod:`facemetrics.batch.timeline` at stop 46, which re-exports them.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace

from ..compare.expression import MSG_EXPRESSION, MSG_EXPRESSION_MAYBE
from ..compare.gate import MSG_LIGHTING, MSG_LIGHTING_FOLDS
from ..schema import METRIC_ORDER  # not from decay: the batch command runs without pandas
from ..timekeys import since_text

#: headline changes analysed by :func:`run_timeline` (those present in long.csv): the
#: lifts of the jawline and mouth corners (mm, mean of both sides), the fold depth
#: index (per side; the ``nlf_depth`` rows of long.csv) and the lower face's width read
#: from the comparison's flow (``jaw_width_flow_mm``, mm, mean; a narrowing is negative:
#: does an RF slimming last? docs/accuracy.md "Stop 62: jaw width from the flow")
HEADLINE_METRICS = METRIC_ORDER  # in the order they are listed (schema.metric_rank)


def _when(r: dict) -> str:
    """``"24 h since treatment"`` of a ``changes.csv`` row (:func:`facemetrics.timekeys.since_text`, the hours to
    0.01 h: "0.75 h", "7.0 days"; "... before treatment" for a photo before it), or "no time since treatment"; a
    next session's before photo read as this session's photo (its messages say so: ``tables.MSG_NEXT_BEFORE``) is
    named so, with this session's treatment time (a user read "`lee_d10_pre.jpg` (lee, rf, 7.0 days since
    treatment)" of a photo taken before day 10's treatment; docs/validation.md section 12, Round 16)."""
    try:
        h = float(r.get("hours_since_treatment"))
    except (TypeError, ValueError):
        return "no time since treatment"
    if not math.isfinite(h):
        return "no time since treatment"
    from .tables import MSG_NEXT_BEFORE  # lazy: tables imports this module's neighbours

    if MSG_NEXT_BEFORE in str(r.get("messages") or ""):  # one photo in two sessions: say which role this row is
        return (f"{since_text(h, 2)} since the treatment of {r.get('treated_at')}: the next session's before photo, "
                "read as this session's photo at that time")
    return f"{since_text(h, 2)} {'before' if h < 0 else 'since'} treatment"


def _fitted_with_flow(r: dict, verdicts) -> bool:
    """Whether the ``changes.csv`` row ``r`` entered the fits with the gate's flow warning: its ``messages`` carry
    :data:`~facemetrics.compare.gate.MSG_EXPRESSION_MAYBE`, it is not ``refused`` or ``error``, and one of its
    ``verdicts`` cells (column names) is a verdict (not ``uncertain``, not blank; ``verdicts`` None: not asked)."""
    return (str(r.get("status") or "") not in ("refused", "error")
            and MSG_EXPRESSION_MAYBE in str(r.get("messages") or "")
            and (verdicts is None or any(str(r.get(v) or "") not in ("", "uncertain") for v in verdicts)))


def flow_photos(change_rows, columns) -> list[str]:
    """The ``photo`` names of the comparisons :func:`expression_kept_notes` lists (the same criterion): those
    fitted while carrying the gate's flow warning, the candidates of docs/validation.md §16's rule
    (:func:`facemetrics.batch.flow_read.flow_read`).

    Parameters
    ----------
    change_rows : iterable of dict
        ``changes.csv`` rows (``photo``, ``status``, ``messages``, the ``<column>_verdict`` cells).
    columns : iterable of str or None
        The ``changes.csv`` columns fitted; None (the app's Timeline tab, whose comparisons have no verdict
        cells): any comparison with the warning, not refused or failed (the rule itself passes over the
        ``uncertain`` rows).

    Returns
    -------
    list of str
        In the rows' order, each once; [] when none.
    """
    verdicts = None if columns is None else [f"{c}_verdict" for c in columns]
    return list(dict.fromkeys(str(r.get("photo")) for r in change_rows if _fitted_with_flow(r, verdicts)))


@dataclass(frozen=True)
class KeptNote:
    """One comparison the timeline's fits keep although the gate warned (:func:`expression_kept`,
    :func:`light_kept`): the data every list of them (``batch``'s and ``timeline``'s consoles, report.md, the app's
    Timeline tab and *My study*) formats, so that none reads a photo's name back out of another's text (``batch``'s
    one line per warning took the name up to "`` (``", cutting short a name holding it: stop 60, g2).

    Attributes
    ----------
    photo, subject, treatment : str
        The comparison's after photo (``changes.csv``'s ``photo``) and its session.
    warning : str
        The gate's warning: :data:`~facemetrics.compare.gate.MSG_EXPRESSION_MAYBE` or
        :data:`~facemetrics.compare.gate.MSG_LIGHTING`.
    hours : float or None
        Hours since treatment (None when not a number).
    when : str
        Those hours in words (:func:`_when`): ``"24 h since treatment"``.
    said : str
        The warning with its figures as the line gives them: ``"expression may differ (the mouth corners ...)"``,
        ``"lighting differs: face luminance from 143 to 111 of 255 (...); fold depth and contrast depend on the
        light"``.
    columns : tuple of str
        The fitted ``changes.csv`` columns (metric and side: ``mouth_corner_lift_mm``, ``nlf_depth_right``) whose
        verdict cells entered the fits with the warning (a verdict, not ``uncertain``, not blank), in the order given.
    regimen : bool
        A comparison of the regimen batch (its line begins ``regimen: ``).
    remark : str
        What a series-reading rule added (``"; stands out from the curve of the other photos: ..."``), "" for none.
    """

    photo: str
    subject: str
    treatment: str
    warning: str
    hours: float | None
    when: str
    said: str
    columns: tuple[str, ...] = ()
    regimen: bool = False
    remark: str = ""

    def __str__(self) -> str:
        """The line: ``"`S01/mc/p8.jpg` (S01, microcurrent, 24 h since treatment): expression may differ (...)"``,
        ``regimen: `` before it for a regimen comparison, :attr:`remark` after it."""
        return (f"{'regimen: ' if self.regimen else ''}`{self.photo}` ({self.subject}, {self.treatment}, {self.when}): "
                f"{self.said}{self.remark}")

    def in_regimen(self) -> "KeptNote":
        """The same note as the regimen batch's (its line begins ``regimen: ``)."""
        return replace(self, regimen=True)

    def with_remark(self, remark: str) -> "KeptNote":
        """The same note with ``remark`` added after its line."""
        return replace(self, remark=self.remark + remark)


def _hours(r: dict) -> float | None:
    """A ``changes.csv`` row's ``hours_since_treatment`` as a finite float, or None."""
    try:
        h = float(r.get("hours_since_treatment"))
    except (TypeError, ValueError):
        return None
    return h if math.isfinite(h) else None


def _entered(r: dict, columns) -> tuple[str, ...]:
    """The ``columns`` whose ``<column>_verdict`` cell of row ``r`` holds a verdict (not ``uncertain``, not blank)."""
    return tuple(c for c in columns if str(r.get(f"{c}_verdict") or "") not in ("", "uncertain"))


def _note(r: dict, warning: str, said: str, columns) -> KeptNote:
    return KeptNote(str(r.get("photo")), str(r.get("subject")), str(r.get("treatment")), warning, _hours(r), _when(r),
                    said, _entered(r, columns))


def expression_kept(change_rows, columns) -> list[KeptNote]:
    """One :class:`KeptNote` per comparison whose rows entered the timeline fits while carrying the gate's warning
    that the expression may differ (:data:`facemetrics.compare.gate.MSG_EXPRESSION_MAYBE`: the mouth corners moved
    as in a smile while the lips kept their shape; a gentle smile and a lift that pulls the corners up and out
    both do this, so the verdicts are kept and the rows are fitted).

    Parameters
    ----------
    change_rows : iterable of dict
        ``changes.csv`` rows (:func:`_change_records`): ``photo``, ``subject``, ``treatment``,
        ``hours_since_treatment``, ``status``, ``messages`` and the ``<column>_verdict`` cells.
    columns : iterable of str
        The ``changes.csv`` columns fitted (:func:`facemetrics.batch.tables.change_column`): a comparison
        is listed when its ``messages`` carry the warning and one of these verdicts is a verdict (not
        ``uncertain``, not blank); a ``refused`` or ``error`` comparison, or one whose fitted verdicts
        all read ``uncertain`` (listed by :func:`uncertain_notes` instead), is not.

    Returns
    -------
    list of KeptNote
        In the rows' order; [] when none.
    """
    columns = list(columns)
    verdicts = [f"{c}_verdict" for c in columns]
    out = []
    for r in change_rows:
        text = str(r.get("messages") or "")
        if not _fitted_with_flow(r, verdicts):
            continue
        cues = text.split(f"{MSG_EXPRESSION_MAYBE}: ", 1)[-1].split(", while the lips", 1)[0]
        said = f"{MSG_EXPRESSION_MAYBE} ({cues})" if cues != text else MSG_EXPRESSION_MAYBE
        out.append(_note(r, MSG_EXPRESSION_MAYBE, said, columns))
    return out


def expression_kept_notes(change_rows, columns) -> list[str]:
    """The line of each :func:`expression_kept` note: ``"`S01/mc/p8.jpg` (S01, microcurrent, 24 h since
    treatment): expression may differ (a mouth corner moved 1.8 mm relative to the jowl below it (noise floor
    0.06 mm; limit 0.6 mm))"`` in the rows' order; [] when none."""
    return [str(n) for n in expression_kept(change_rows, columns)]


_LIGHTING = re.compile(re.escape(MSG_LIGHTING) + r": [^;]*")


def light_kept(change_rows, columns) -> list[KeptNote]:
    """One :class:`KeptNote` per comparison whose fold rows entered the timeline fits while carrying the gate's
    warning that the lighting differs (:data:`facemetrics.compare.gate.MSG_LIGHTING`: the face's luminance changed by
    more than :data:`~facemetrics.compare.gate.MAX_LUMINANCE_CHANGE`; the verdicts are kept).  The warning says that
    fold depth and contrast depend on the light, so a comparison is listed when one of its fitted fold columns
    (``nlf_...``) holds a verdict; it was said only in ``changes.csv`` (docs/validation.md section 12, Round 19's
    (v): 3 of 9 comparisons of a clinic RF patient's home selfies, their fold rows fitted).

    Parameters
    ----------
    change_rows : iterable of dict
        ``changes.csv`` rows: ``photo``, ``subject``, ``treatment``, ``hours_since_treatment``, ``status``,
        ``messages`` and the ``<column>_verdict`` cells.
    columns : iterable of str
        The ``changes.csv`` columns fitted (:func:`facemetrics.batch.tables.change_column`); those of the folds
        (``nlf_``) are read.

    Returns
    -------
    list of KeptNote
        In the rows' order; [] when none.
    """
    columns = [c for c in columns if str(c).startswith("nlf_")]
    folds = [f"{c}_verdict" for c in columns]
    out = []
    for r in change_rows:
        text = str(r.get("messages") or "")
        said = _LIGHTING.search(text)
        if (said is None or str(r.get("status") or "") in ("refused", "error")
                or not any(str(r.get(v) or "") not in ("", "uncertain") for v in folds)):
            continue
        out.append(_note(r, MSG_LIGHTING, f"{said.group(0).rstrip()}; {MSG_LIGHTING_FOLDS}", columns))
    return out


def light_kept_notes(change_rows, columns) -> list[str]:
    """The line of each :func:`light_kept` note: ``"`S01/rf/home1.jpg` (S01, rf, 34 h since treatment): lighting
    differs: face luminance from 143 to 111 of 255 (-23 % ± < 0.5 %, limit ±20 %); fold depth and contrast depend on
    the light"`` in the rows' order; [] when none."""
    return [str(n) for n in light_kept(change_rows, columns)]


#: the share of a session's post comparisons that must point at its before photo (§20's candidates 1, 0.75, 0.5,
#: with and without the cue's direction; the choice rule took the strictest that caught every move: 1, direction
#: required)
BEFORE_ODD_SHARE = 1.0

_NARROWER = re.compile(r"mouth corners moved [0-9.]+ mm narrower")


@dataclass(frozen=True)
class BeforeCheck:
    """One session's reading of its before photo (docs/validation.md §20).

    Attributes
    ----------
    subject, treatment : str
        The session.
    before : str
        Its before photo (``changes.csv``'s first ``baseline_photos`` name).
    n_post : int
        Post comparisons made with it.
    n_pointing : int
        Those whose expression cue says the after photo's mouth is narrower (:func:`points_at_before`).
    entered : bool
        Whether a fitted cell of one of them holds a verdict (not ``uncertain``, not blank).
    """

    subject: str
    treatment: str
    before: str
    n_post: int
    n_pointing: int
    entered: bool

    @property
    def odd(self) -> bool:
        """Whether the before photo is the odd one out: every post comparison points at it and a row entered."""
        return self.entered and self.n_post > 0 and self.n_pointing >= BEFORE_ODD_SHARE * self.n_post


def points_at_before(messages: str) -> bool:
    """Whether a comparison's ``messages`` say the expression differs or may differ with the mouth narrower in the
    after photo than in the before photo (the gate's mouth-width cue, "mouth corners moved X mm narrower")."""
    text = str(messages or "")
    return (MSG_EXPRESSION in text or MSG_EXPRESSION_MAYBE in text) and _NARROWER.search(text) is not None


def is_post_row(r: dict) -> bool:
    """Whether a ``changes.csv`` row is a post comparison that was made (not ``refused`` or ``error``; role
    ``post``, hours since treatment > 0)."""
    if str(r.get("status") or "") in ("refused", "error") or str(r.get("role") or "post") != "post":
        return False
    try:
        return float(r.get("hours_since_treatment")) > 0
    except (TypeError, ValueError):
        return False


def before_checks(change_rows, columns) -> tuple[BeforeCheck, ...]:
    """The :class:`BeforeCheck` of every session of ``change_rows``.

    Parameters
    ----------
    change_rows : iterable of dict
        ``changes.csv`` rows (``subject``, ``treatment``, ``baseline_photos``, ``role``, ``hours_since_treatment``,
        ``status``, ``messages`` and the ``<column>_verdict`` cells).
    columns : iterable of str
        The ``changes.csv`` columns the decay fits use (a row *entered* when one of their verdict cells is a verdict).

    Returns
    -------
    tuple of BeforeCheck
        One per (subject, treatment, before photo), sorted; () for no post comparison.
    """
    verdicts = [f"{c}_verdict" for c in columns]
    sessions: dict[tuple[str, str, str], list[int]] = {}
    for r in change_rows:
        if not is_post_row(r):
            continue
        before = str(r.get("baseline_photos") or "").split(";")[0].strip()
        key = (str(r.get("subject") or ""), str(r.get("treatment") or ""), before)
        n = sessions.setdefault(key, [0, 0, 0])
        n[0] += 1
        n[1] += points_at_before(r.get("messages"))
        n[2] += any(str(r.get(v) or "") not in ("", "uncertain") for v in verdicts)
    return tuple(BeforeCheck(s, t, b, n[0], n[1], n[2] > 0) for (s, t, b), n in sorted(sessions.items()))


#: how the consoles, report.md and the app's Timeline tab begin a line of :func:`before_line`
BEFORE_TO_RETAKE = "before photo to retake: "


def before_line(check: BeforeCheck, effect: str) -> str:
    """The one line naming an odd before photo (:attr:`BeforeCheck.odd`, §20): ``effect`` says what the fits do
    with its session (``timeline``: :func:`facemetrics.batch.before_read.before_notes`; ``batch``:
    :func:`facemetrics.batch.console.before_lines`)."""
    return (f"{BEFORE_TO_RETAKE}`{check.before}` ({check.subject}, {check.treatment}): every after photo of its "
            f"session ({check.n_pointing} of {check.n_post}) reads a different expression from it, its mouth "
            f"narrower, as when the before photo smiles; {effect}. Retake the before photo with a neutral face "
            f"(relaxed, closed mouth, as in the after photos).")
