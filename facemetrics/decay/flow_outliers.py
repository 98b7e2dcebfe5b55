"""Flow-only photos that stand out from their neighbours in time (docs/validation.md §16).

A comparison whose only expression cue is the gate's flow warning ("expression may differ ..., while the lips
kept their shape", :data:`facemetrics.compare.gate.MSG_EXPRESSION_MAYBE`) keeps its verdicts and enters the decay
fits.  A gently smiling photo does so too, and at 24 h it flipped the microcurrent verdict (§14); leaving out every
flow-only photo costs a real lift its verdict (§15: 30 % of clean lifted studies).  The rule here flags a flow-only
photo only when it stands out from the curve the series' *other* photos draw:

1. candidates: the series' rows of a flow-only photo that enter the fit (verdict not ``uncertain``);
2. for each candidate photo ``i``: the point fit of the series without photo ``i`` alone
   (:func:`facemetrics.decay.analyze_series`, ``n_boot`` 0), its residual
   ``r_i = value_i - decay_model(t_i, lasting, transient, half_life_h)`` (metric unit) over the row's own
   ``noise_floor``; photo ``i`` *stands out* when ``|r_i| > k * noise_floor_i`` (:data:`FLOW_OUTLIER_K`).  A series
   with no fit without photo ``i`` (fewer than :data:`facemetrics.decay.MIN_PHOTOS` photos left: a series of exactly
   6 fitted photos, ...) or a row without a floor: photo ``i`` does not stand out, and it *could not be checked*
   (``FlowPhoto.checked`` False, with why): the callers say so in the series' reason (§17: no rule for the 6-photo
   case met the ship bound, so it is said, not passed silently);
3. F = the photos that stand out.  When F is not empty the series is fitted without F; when that verdict differs
   from the series' verdict with every photo, the series reads ``inconclusive`` and names F and the verdict without
   them (:data:`INSUFFICIENT` when too few photos are left for a fit); otherwise its verdict stands.

Measured (§16, 2026-12-05): with k 1.5, 11 of 11 smiling-photo flips caught (3 London faces), 0 of 50 clean lifted
studies changed on the tuning faces and 0 of 32 on the held-out faces.  Pure functions: tables in, frozen
dataclasses out; the callers (which know each comparison's messages) say which photos are flow-only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterable

import numpy as np
import pandas as pd

from .claim import MIN_PHOTOS, analyze_series
from .margin import INCONCLUSIVE
from .model import decay_model
from ..rounding import fixed

__all__ = ["FLOW_OUTLIER_K", "CHECK_FIT", "UNCHECKED", "INSUFFICIENT", "FlowPhoto", "FlowCheck",
           "flow_photo_residuals", "flow_checks", "stands_out_clause", "stands_out_reason"]

#: a flow-only photo stands out when its leave-one-out residual exceeds this many times its row's noise floor;
#: source: docs/validation.md §16 (the largest of 1, 1.5, 2, 3 catching all 11 flips on the tuning faces)
FLOW_OUTLIER_K = 1.5

#: how a candidate photo was checked: the fit of the series without it (§16)
CHECK_FIT = "fit_without"
#: not checked (no prediction, or no floor): said in the series' reason, never passed silently (§17's fallback)
UNCHECKED = "unchecked"
#: ``FlowCheck.verdict_without`` when the fit without the flagged photos has too few photos (status of that name)
INSUFFICIENT = "insufficient_data"

_KEY = ("treatment", "metric", "side")


@dataclass(frozen=True)
class FlowPhoto:
    """One flow-only photo of one series and its leave-one-out residual.

    Attributes
    ----------
    treatment, metric, side, photo : str
        The series (treatment x metric x side) and the photo's name (the ``photo`` column).
    hours : float
        Hours since treatment.
    value : float
        The photo's change, metric unit.
    predicted : float
        The fit without this photo at ``hours``, metric unit (NaN: no fit without it).
    noise_floor : float
        The row's own noise floor, metric unit (NaN when the table has none).
    ratio : float
        ``|value - predicted| / noise_floor`` (NaN when either is missing).
    stands_out : bool
        ``ratio > k``.
    check : str
        How ``predicted`` was made: :data:`CHECK_FIT`, or :data:`UNCHECKED` (no prediction or no floor).
    why : str
        Why the photo could not be checked ("" when it was), e.g. "too few photos for a fit without it".
    """

    treatment: str
    metric: str
    side: str
    photo: str
    hours: float
    value: float
    predicted: float
    noise_floor: float
    ratio: float
    stands_out: bool
    check: str = CHECK_FIT
    why: str = ""

    @property
    def checked(self) -> bool:
        """Whether the photo was checked against the other photos (a prediction and a floor)."""
        return self.check != UNCHECKED


@dataclass(frozen=True)
class FlowCheck:
    """The rule's outcome for one series.

    Attributes
    ----------
    treatment, metric, side : str
        The series.
    verdict : str
        The series' verdict with every photo (``analyze_series``).
    flagged : tuple of str
        The flow-only photos that stand out (F), sorted.
    verdict_without : str
        The verdict of the fit without ``flagged`` (``verdict`` when nothing is flagged; ``not_fitted`` when the
        series has no fit without them).
    verdict_read : str
        The rule's output: ``verdict``, or ``inconclusive`` when ``verdict_without`` differs from it.
    photos : tuple of FlowPhoto
        Every candidate photo of the series and its residual.
    """

    treatment: str
    metric: str
    side: str
    verdict: str
    flagged: tuple[str, ...]
    verdict_without: str
    verdict_read: str
    photos: tuple[FlowPhoto, ...]

    @property
    def changed(self) -> bool:
        """Whether the rule changed the series' verdict."""
        return self.verdict_read != self.verdict


def _fit_row(rows: pd.DataFrame, n_boot: int, seed: int, sessions: pd.DataFrame | None = None,
             min_effect: float | None = None) -> pd.Series | None:
    """The pooled fit of one series' ``rows`` (its first result row), or None when there is none; ``sessions`` and
    ``min_effect``: :func:`~facemetrics.decay.analyze_series`'s (every session known, also one none of whose photos
    was compared; the margin the verdicts are read with)."""
    f = analyze_series(rows, n_boot=n_boot, seed=seed, per_subject=False, sessions=sessions,
                       min_effect=min_effect).to_frame()
    f = f[f.subject.isna()] if "subject" in f else f
    return f.iloc[0] if len(f) else None


def _candidates(rows: pd.DataFrame, flow: set[str]) -> pd.DataFrame:
    """The rows of flow-only photos that enter the fit (verdict not ``uncertain``)."""
    keep = rows["photo"].isin(flow)
    if "verdict" in rows:
        keep &= rows["verdict"].fillna("").astype(str) != "uncertain"
    return rows[keep]


def _fitted(rows: pd.DataFrame) -> pd.DataFrame:
    """The rows that enter the fit: a finite time and value, verdict not ``uncertain``, one row per photo."""
    keep = np.isfinite(pd.to_numeric(rows["hours_since_treatment"], errors="coerce")) \
        & np.isfinite(pd.to_numeric(rows["value"], errors="coerce"))
    if "verdict" in rows:
        keep &= rows["verdict"].fillna("").astype(str) != "uncertain"
    return rows[keep].drop_duplicates("photo")


def _floor(rows: pd.DataFrame, r: pd.Series) -> float:
    """Row ``r``'s noise floor (metric unit), NaN when the table has none or it is not positive."""
    f = float(r["noise_floor"]) if "noise_floor" in rows and pd.notna(r["noise_floor"]) else math.nan
    return f if f > 0 else math.nan


def _predict(rows: pd.DataFrame, r: pd.Series, sessions: pd.DataFrame | None = None
             ) -> tuple[float, float, str, str]:
    """Photo ``r``'s prediction from the fit of the series' other photos (§16): ``(predicted, floor, check, why)``
    (metric unit); without a floor or a fit, :data:`UNCHECKED` and why (§17: said, never passed silently)."""
    floor = _floor(rows, r)
    if not np.isfinite(floor):
        return math.nan, math.nan, UNCHECKED, "no noise floor"
    others = rows[rows["photo"] != r["photo"]]
    f = _fit_row(others, 0, 0, sessions)
    if f is not None and all(np.isfinite(float(f[c])) for c in ("lasting", "transient", "half_life_h")):
        t = float(r["hours_since_treatment"])
        return float(decay_model(t, f["lasting"], f["transient"], f["half_life_h"])), floor, CHECK_FIT, ""
    n = len(_fitted(others))
    why = (f"only {n} other photo{'s' if n != 1 else ''}, too few for a fit without it: a fit needs {MIN_PHOTOS}"
           if n < MIN_PHOTOS else "no fit of the other photos without it")
    return math.nan, math.nan, UNCHECKED, why


def flow_photo_residuals(rows: pd.DataFrame, flow_photos: Iterable[str], *, k: float = FLOW_OUTLIER_K,
                         sessions: pd.DataFrame | None = None) -> tuple[FlowPhoto, ...]:
    """The residual of each flow-only photo of one series against its other photos (rule steps 1-2 above).

    Parameters
    ----------
    rows : pandas.DataFrame
        One series' rows (one treatment, metric and side) in :func:`facemetrics.decay.analyze_series`'s input
        format, with a ``photo`` column and optionally ``noise_floor`` (metric unit).
    flow_photos : iterable of str
        The names (``photo`` column) of the photos whose comparison carries only the flow warning.
    k : float, optional
        Multiple of the photo's floor beyond which it stands out (default :data:`FLOW_OUTLIER_K`).
    sessions : pandas.DataFrame, optional
        Every treatment session known (:func:`facemetrics.decay.analyze_series`'s ``sessions``): the fits without a
        photo see a session none of whose photos was compared, as the main fit did (docs/validation.md §12, 17b).

    Returns
    -------
    tuple of FlowPhoto
        One per candidate row, in the table's order; a photo that could not be checked has ``check``
        :data:`UNCHECKED`, NaN ``predicted`` and ``ratio``, and does not stand out.
    """
    out = []
    for _, r in _candidates(rows, set(flow_photos)).iterrows():
        pred, floor, check, why = _predict(rows, r, sessions)
        ratio = abs(float(r["value"]) - pred) / floor if check != UNCHECKED else math.nan
        out.append(FlowPhoto(*(str(r[c]) for c in _KEY), photo=str(r["photo"]),
                             hours=float(r["hours_since_treatment"]), value=float(r["value"]), predicted=pred,
                             noise_floor=floor, ratio=ratio, stands_out=bool(np.isfinite(ratio) and ratio > k),
                             check=check, why=why))
    return tuple(out)


def flow_checks(changes: pd.DataFrame, flow_photos: Iterable[str], *, k: float = FLOW_OUTLIER_K,
                n_boot: int = 400, seed: int = 0, sessions: pd.DataFrame | None = None,
                min_effect: float | None = None) -> tuple[FlowCheck, ...]:
    """§16's rule on every series of ``changes`` that has a flow-only photo entering its fit.

    Parameters
    ----------
    changes : pandas.DataFrame
        Tidy table of changes (``analyze_series``'s input, long.csv's columns) with a ``photo`` column.
    flow_photos : iterable of str
        The names of the photos whose comparison carries only the gate's flow warning.
    k : float, optional
        Multiple of each row's noise floor (default :data:`FLOW_OUTLIER_K`).
    n_boot, seed : int, optional
        The bootstrap of the fits with every photo and without the flagged ones (as ``analyze_series``).
    sessions : pandas.DataFrame, optional
        Every treatment session known (``analyze_series``'s ``sessions``, as the fits read were given them).
    min_effect : float, optional
        The margin of the verdicts (``analyze_series``'s ``min_effect``, as the fits read were given it): the
        verdicts with and without the flagged photos are read with it (before stop 57 with the default margin,
        so a user's ``min_effect`` could make the rule compare verdicts the table does not show).

    Returns
    -------
    tuple of FlowCheck
        One per series (treatment, metric, side) with at least one candidate photo, sorted by series.
    """
    flow = set(flow_photos)
    out = []
    for key, rows in changes.groupby(list(_KEY), sort=True):
        if _candidates(rows, flow).empty:
            continue
        photos = flow_photo_residuals(rows, flow, k=k, sessions=sessions)
        f_all = _fit_row(rows, n_boot, seed, sessions, min_effect)
        if f_all is None:
            continue
        flagged = tuple(sorted({p.photo for p in photos if p.stands_out}))
        v_wo = str(f_all["verdict"])
        if flagged:
            f_wo = _fit_row(rows[~rows["photo"].isin(flagged)], n_boot, seed, sessions, min_effect)
            v_wo = "not_fitted" if f_wo is None else INSUFFICIENT if f_wo.get("status") == INSUFFICIENT \
                else str(f_wo["verdict"])
        v_all = str(f_all["verdict"])
        out.append(FlowCheck(*(str(x) for x in key), verdict=v_all, flagged=flagged, verdict_without=v_wo,
                             verdict_read=v_all if v_wo == v_all else INCONCLUSIVE, photos=photos))
    return tuple(out)


def stands_out_reason(check: FlowCheck, *, others: str, series: str, when) -> str:
    """The ``reason`` of a series whose flagged flow-only photos changed its verdict: one sentence naming the
    photos (with ``when`` each was taken), each one's leave-one-out residual in multiples of its row's noise floor
    (:func:`facemetrics.rounding.fixed`, one decimal) and the verdict without them.  The decay fits' words
    (``batch.flow_read.flow_reason``) and the regimen's (:func:`facemetrics.decay.regimen_flow.regimen_flow_reason`)
    are this sentence with their own nouns.

    Parameters
    ----------
    check : FlowCheck
        A series whose ``verdict_read`` differs from its ``verdict``.
    others : str
        What the photo stands out from, e.g. ``"the curve of the other photos"``.
    series : str
        The noun of the fit, e.g. ``"the series"``, ``"the regimen"``.
    when : callable
        ``FlowPhoto -> str``, when the photo was taken, e.g. ``"24 h"``, ``"day 42"``.

    Returns
    -------
    str
    """
    without = {"not_fitted": "has no fit",
               INSUFFICIENT: f"has too few photos left for a fit (need at least {MIN_PHOTOS})"
               }.get(check.verdict_without, f"reads {check.verdict_without}")
    it = "it" if len(check.flagged) == 1 else "them"
    return (f"{stands_out_clause(check, others=others, when=when)}; without {it} {series} {without} "
            f"(with {it}: {check.verdict})")


def stands_out_clause(check: FlowCheck, *, others: str, when) -> str:
    """The clause of :func:`stands_out_reason` that names the flagged photos: e.g. "`d42.jpg` (day 42) stands out
    from the line of the other pre-session photos by 5.0 × its noise floor, with the warning that the expression
    may differ".

    Parameters
    ----------
    check : FlowCheck
        A series with flagged photos.
    others, when
        As :func:`stands_out_reason`.

    Returns
    -------
    str
    """
    flagged = [p for p in check.photos if p.photo in check.flagged]
    one = len(flagged) == 1
    names = " and ".join(f"`{p.photo}` ({when(p)})" for p in flagged)
    by = " and ".join(f"{fixed(p.ratio, 1)} ×" for p in flagged)
    return (f"{names} {'stands' if one else 'stand'} out from {others} by {by} "
            f"{'its noise floor' if one else 'their noise floors'}, with the warning that the expression may "
            "differ")
