"""The fold length row's agreement with the photos' own lengths (docs/robustness.md 'The fold length row on a
change of expression', 2026-12-05).

A comparison reads the fold length of both photos along one line: the before photo's found line, and that line
carried onto the after photo (:func:`facemetrics.compare.measure.fold_carry`).  When the fold itself moves
further than the carrier follows (a smile moves it by several mm), the carried line lies on other skin and
counts that skin's valley evidence: London 024 right read +17.60 mm 'longer' (floor 6.11) while each photo alone
(:func:`facemetrics.analyze_photo`, each along its own found line) read 7.27 -> 7.70 mm.  The check here leaves a
'longer' / 'shorter' length row standing only when the photos' own lengths change the same way.

Pure: the rows' values, the two photos' own lengths and the floors in; the rows and one message out.
"""

from __future__ import annotations

import numpy as np

from ..rounding import fixed

from .gate import readings_disagree

__all__ = ["FOLD_LENGTH_AGREEMENT", "MSG_FOLD_LENGTHS", "fold_length_disagreements"]

#: a 'longer' / 'shorter' ``nlf_length_mm`` verdict (read along the carried line) stands only when the photos' own
#: length change (after - before, each photo along its own found line) has the same sign and at least this x the
#: row's floor; chosen on the tuning faces from {0.5, 0} (docs/robustness.md 'The fold length row on a change of
#: expression'), unitless
FOLD_LENGTH_AGREEMENT = 0.5

#: the start of the check's message
MSG_FOLD_LENGTHS = "the fold length read along one line disagrees with each photo's own fold length"


def fold_length_disagreements(values: dict, own_lengths: dict, floors: dict,
                              skip: tuple = ()) -> tuple[tuple[tuple[str, str], ...], list[str]]:
    """The ``nlf_length_mm`` rows whose verdict the photos' own lengths do not bear out, and their message.

    Parameters
    ----------
    values : dict
        ``{(metric, side): (before, after, change)}`` of the pair; ``("nlf_length_mm", side)`` in mm, read along
        the before photo's found line and that line carried onto the after photo.
    own_lengths : dict
        ``{side: (before_mm, after_mm)}``: each photo's own fold length (``PhotoAnalysis.nlf_right.length_mm`` /
        ``nlf_left``, along the line found in that photo), mm.
    floors : dict
        The pair's floors, ``{(metric, "side"|"mean"): floor}``.
    skip : tuple
        Rows already ``uncertain`` (left alone).

    Returns
    -------
    rows : tuple of (metric, side)
        ``("nlf_length_mm", side)`` for each side whose change exceeds its floor while the photos' own change
        (after - before) is of the other sign or below :data:`FOLD_LENGTH_AGREEMENT` x the floor.
    messages : list of str
        One message naming the sides and both readings; empty when none.
    """
    rows, parts = [], []
    floor = float(floors.get(("nlf_length_mm", "side"), np.nan))
    for side in ("right", "left"):
        key = ("nlf_length_mm", side)
        if key in skip or key not in values or side not in own_lengths:
            continue
        change = float(values[key][2])
        own_before, own_after = (float(x) for x in own_lengths[side])
        own = own_after - own_before
        if readings_disagree(change, own, floor, FOLD_LENGTH_AGREEMENT):
            rows.append(key)
            parts.append(f"{side} {fixed(change, 2, True)} mm along one line, {fixed(own_before, 2)} -> "
                         f"{fixed(own_after, 2)} mm ({fixed(own, 2, True)} mm) each photo alone")
    if not rows:
        return (), []
    return tuple(rows), [
        MSG_FOLD_LENGTHS + " (" + "; ".join(parts) + f"; floor {fixed(floor, 2)} mm): the line carried from the before "
        "photo no longer lies on the after photo's fold (a fold that moved, e.g. with a change of expression), so "
        "the length row is shown without a verdict ('uncertain'); photos.csv has each photo's own length"]
