"""The lines naming the comparisons the timeline's decay fits keep while carrying a warning
(:func:`expression_kept_notes`), and the metrics those fits report first (:data:`HEADLINE_METRICS`).

Without pandas, so that the batch's console (:mod:`facemetrics.batch.console`), which prints the same lines, keeps
``facemetrics batch`` free of it (tests/test_cli.py ``test_batch_command_never_imports_pandas``); moved out of
:mod:`facemetrics.batch.timeline` at stop 46, which re-exports them.
"""

from __future__ import annotations

from ..compare.gate import MSG_EXPRESSION_MAYBE

#: headline changes analysed by :func:`run_timeline` (those present in long.csv): the
#: lifts of the jawline and mouth corners (mm, mean of both sides) and the fold depth
#: index (per side; the ``nlf_depth`` rows of long.csv)
HEADLINE_METRICS = ("jawline_lift_mm", "mouth_corner_lift_mm", "nlf_depth")


def _when(r: dict) -> str:
    """``"24 h since treatment"`` of a ``changes.csv`` row (hours rounded to 0.01), or "no time since treatment"."""
    try:
        return f"{round(float(r.get('hours_since_treatment')), 2):g} h since treatment"
    except (TypeError, ValueError):
        return "no time since treatment"


def expression_kept_notes(change_rows, columns) -> list[str]:
    """One line per comparison whose rows entered the timeline fits while carrying the gate's warning that
    the expression may differ (:data:`facemetrics.compare.gate.MSG_EXPRESSION_MAYBE`: the mouth corners moved
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
    list of str
        ``"`S01/mc/p8.jpg` (S01, microcurrent, 24 h since treatment): expression may differ (a mouth corner
        moved 1.8 mm relative to the jowl below it (limit 0.6 mm))"`` in the rows' order; [] when none.
    """
    verdicts = [f"{c}_verdict" for c in columns]
    out = []
    for r in change_rows:
        text = str(r.get("messages") or "")
        if (str(r.get("status") or "") in ("refused", "error") or MSG_EXPRESSION_MAYBE not in text
                or not any(str(r.get(v) or "") not in ("", "uncertain") for v in verdicts)):
            continue
        cues = text.split(f"{MSG_EXPRESSION_MAYBE}: ", 1)[-1].split(", while the lips", 1)[0]
        said = f"{MSG_EXPRESSION_MAYBE} ({cues})" if cues != text else MSG_EXPRESSION_MAYBE
        out.append(f"`{r.get('photo')}` ({r.get('subject')}, {r.get('treatment')}, {_when(r)}): {said}")
    return out
