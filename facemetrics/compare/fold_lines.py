"""The fold rows' own stability checks: a fold depth row whose two lines disagree
(:func:`fold_line_disagreements`) and a fold contrast row whose skin references changed
(:func:`fold_contrast_side_rows`).  Moved unchanged from :mod:`facemetrics.compare.gate`, which re-exports the
names cited as ``gate.X``.
"""

from __future__ import annotations

import numpy as np

from ..rounding import fixed, fixed_uncertainty


#: how the message of a fold depth row whose two lines disagree begins (:func:`fold_line_disagreements`)
MSG_FOLD_LINES = "Fold depth: the two fold lines disagree"


#: the fold contrast's reference check (docs/robustness.md, 'The fold contrast row read 'shallower' on deepened
#: folds'): a side's ``nlf_contrast_pct`` row reads ``uncertain`` when either of its two skin references (the skin
#: ``folds.CONTRAST_OFFSET_MM`` medial and lateral of the line) changed by more than this between the photos, %
#: of the before photo's level; chosen on the tuning faces from {12, 8, 5, 3}
FOLD_CONTRAST_SIDE_CHANGE_PCT = 12.0
#: the 95 % uncertainty of a skin reference's change (% of the before photo's level), the ``±`` of each figure in
#: :data:`MSG_FOLD_CONTRAST_SIDES`'s message (a reference is one reading of each photo, with no spread of its own):
#: the 95th percentile of |change| of the four references over ``compare_photos`` of the photo against the 8
#: nuisances of ``simulate.NUISANCES`` that change no light, 0.446 % on the 12 tuning faces, 2 significant digits up
#: (``bench/contrast_sides_uncertainty.py``, its rule written before the run; held out 349 of 384 = 90.9 % within it;
#: docs/robustness.md "The fold contrast's skin-reference changes", stop 62)
FOLD_CONTRAST_SIDE_REPEAT_FLOOR_PCT = 0.45
#: how the message of a fold contrast row whose skin references changed begins (:func:`fold_contrast_side_rows`)
MSG_FOLD_CONTRAST_SIDES = "Fold contrast: the skin beside the fold line changed"


def _side_change(v: float) -> str:
    """``"-40.0 ± 0.5 %"``: a skin reference's change (%, a scalar) with its 95 % uncertainty
    (:data:`FOLD_CONTRAST_SIDE_REPEAT_FLOOR_PCT`); ``"n/a %"`` when not read."""
    if not np.isfinite(v):
        return f"{fixed(v, 1, True)} %"
    return f"{fixed(v, 1, True)} ± {fixed_uncertainty(FOLD_CONTRAST_SIDE_REPEAT_FLOOR_PCT, 1)} %"


def fold_contrast_side_rows(side_changes: dict, skip: tuple = ()) -> tuple[tuple[tuple[str, str], ...], list[str]]:
    """The ``nlf_contrast_pct`` rows whose skin references changed between the photos, and their message.

    The contrast divides the fold line's luminance by the skin :data:`facemetrics.folds.CONTRAST_OFFSET_MM`
    either side of it.  When that skin's own level changes (the after photo's line, carried by the residual
    flow, lands beside a darkened valley so that a reference lies in it; or a valley widens over it), the row
    no longer compares the line with unchanged skin and its direction cannot be trusted: on simulated deepened
    folds it read 'shallower' (docs/robustness.md).

    Parameters
    ----------
    side_changes : dict
        ``{side: (medial, lateral)}``: the change of each reference, % of the before photo's level
        (``cues["fold_contrast_sides_change_pct"]``, :func:`facemetrics.folds.contrast_side_levels`).
    skip : tuple
        Rows already ``uncertain`` (left alone).

    Returns
    -------
    rows : tuple of (metric, side)
        ``("nlf_contrast_pct", side)`` for each side with a reference changed by more than
        :data:`FOLD_CONTRAST_SIDE_CHANGE_PCT` in absolute value (or not read: NaN).
    messages : list of str
        One message naming the sides and both references' changes; empty when none.
    """
    rows, parts = [], []
    for side in ("right", "left"):
        key = ("nlf_contrast_pct", side)
        if key in skip or side not in side_changes:
            continue
        med, lat = (float(x) for x in side_changes[side])
        if np.isfinite(med) and np.isfinite(lat) and max(abs(med), abs(lat)) <= FOLD_CONTRAST_SIDE_CHANGE_PCT:
            continue
        rows.append(key)
        # each with its 95 % uncertainty (stop 62, h7: "-40.0 % medial" had none)
        parts.append(f"{side} {_side_change(med)} medial, {_side_change(lat)} lateral")
    if not rows:
        return (), []
    return tuple(rows), [
        MSG_FOLD_CONTRAST_SIDES + " (" + "; ".join(parts) + f"; more than {fixed(FOLD_CONTRAST_SIDE_CHANGE_PCT, 0)} % "
        "either way): the contrast compares the line with that skin, so it no longer compares like with like and "
        "the contrast row is shown without a verdict ('uncertain'). The depth row reads the valley itself"]


#: the line stability check of a fold depth row (docs/robustness.md, 'A fold depth verdict that depended on the
#: framing'): a 'deeper' / 'shallower' verdict read along the before photo's found fold line stands only when the
#: depth change along its reference line (the line ``analyze_photo``'s depth index is scored along) has the same
#: sign and at least this fraction of the row's floor; chosen on the tuning faces from {0.5, 1.0}
FOLD_LINE_AGREEMENT = 0.5


def readings_disagree(change: float, other: float, floor: float, agreement: float) -> bool:
    """Whether a row's ``change`` beyond its ``floor`` is contradicted by a second reading ``other`` of the same
    quantity (same unit): of the other sign, or smaller than ``agreement`` x ``floor``.  False when any of the
    three is not finite or the change is within its floor.  The rule of :func:`fold_line_disagreements` (the
    depth along the reference line) and :func:`facemetrics.compare.fold_length.fold_length_disagreements` (each
    photo's own fold length)."""
    if not (np.isfinite(change) and np.isfinite(other) and np.isfinite(floor)) or abs(change) <= floor:
        return False
    return bool(np.sign(other) != np.sign(change) or abs(other) < agreement * floor)


def disagreeing_sides(values: dict, metric: str, others: dict, floor: float, agreement: float,
                      skip: tuple = ()) -> list[tuple[str, float, float]]:
    """``[(side, change, other)]``, right then left, of the ``(metric, side)`` rows (in ``values``, not in
    ``skip``, their side in ``others``) whose change (``values[key][2]``) the second reading ``others[side]``
    contradicts (:func:`readings_disagree`): the side loop of :func:`fold_line_disagreements` and
    :func:`facemetrics.compare.fold_length.fold_length_disagreements`."""
    out = []
    for side in ("right", "left"):
        key = (metric, side)
        if key in skip or key not in values or side not in others:
            continue
        change, other = float(values[key][2]), float(others[side])
        if readings_disagree(change, other, floor, agreement):
            out.append((side, change, other))
    return out


def fold_line_disagreements(values: dict, along_reference: dict, floors: dict,
                            skip: tuple = ()) -> tuple[tuple[tuple[str, str], ...], list[str]]:
    """The ``nlf_depth`` rows whose verdict the two fold lines disagree on, and their message.

    Parameters
    ----------
    values : dict
        ``{(metric, side): (before, after, change)}`` of the pair (``change`` in depth-index units, scored
        along the before photo's found line carried by :func:`facemetrics.compare.measure.fold_carry`).
    along_reference : dict
        ``{side: change}``: the depth change along the before photo's reference line, carried by the same
        flow (``cues["fold_depth_along_reference"]``), depth-index units.
    floors : dict
        The pair's floors, ``{(metric, "side"|"mean"): floor}``.
    skip : tuple
        Rows already ``uncertain`` (left alone).

    Returns
    -------
    rows : tuple of (metric, side)
        ``("nlf_depth", side)`` for each side whose found-line change exceeds its floor while the reference
        line's change is of the other sign or below :data:`FOLD_LINE_AGREEMENT` x the floor: on a side with no
        valley the found line follows an edge (a moustache's, a shadow's), and its skin references then read
        what the framing and the change bring near that edge (canada_115m: +1.25 'deeper' as is, within noise
        mirrored, padded or cropped).
    messages : list of str
        One message naming the sides and both readings; empty when none.
    """
    floor = float(floors.get(("nlf_depth", "side"), np.nan))
    found = disagreeing_sides(values, "nlf_depth", along_reference, floor, FOLD_LINE_AGREEMENT, skip)
    if not found:
        return (), []
    parts = [f"{side} {fixed(change, 2, True)} index along the found line, {fixed(ref, 2, True)} index along the "
             "reference line" for side, change, ref in found]
    return tuple(("nlf_depth", side) for side, _, _ in found), [
        MSG_FOLD_LINES + " (" + "; ".join(parts) + f"; floor {fixed(floor, 2)} index): on this side the "
        "found line follows an edge rather than a valley, and its reading depends on how the photo is framed, so "
        "the depth row is shown without a verdict ('uncertain'). The photos' own fold depth (photos.csv) is read "
        "along the reference line"]
