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

from .fold_lines import disagreeing_sides

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
    floor = float(floors.get(("nlf_length_mm", "side"), np.nan))
    own = {side: float(after) - float(before) for side, (before, after) in own_lengths.items()}
    found = disagreeing_sides(values, "nlf_length_mm", own, floor, FOLD_LENGTH_AGREEMENT, skip)
    if not found:
        return (), []
    parts = [f"{side} {fixed(change, 2, True)} mm along one line, {fixed(float(own_lengths[side][0]), 2)} -> "
             f"{fixed(float(own_lengths[side][1]), 2)} mm ({fixed(own_change, 2, True)} mm) each photo alone"
             for side, change, own_change in found]
    return tuple(("nlf_length_mm", side) for side, _, _ in found), [
        MSG_FOLD_LENGTHS + " (" + "; ".join(parts) + f"; floor {fixed(floor, 2)} mm): the line carried from the before "
        "photo no longer lies on the after photo's fold (a fold that moved, e.g. with a change of expression), so "
        "the length row is shown without a verdict ('uncertain'). Each photo's own length is in photos.csv"]
