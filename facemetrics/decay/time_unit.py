"""Is ``hours_since_treatment`` in hours?  A plausibility note for the decay fit's time axis.

The fit reads ``hours_since_treatment`` as hours; a hand-made table (``analyze_series``, a
hand-written ``long.csv`` read by ``facemetrics timeline``) whose times are days (1, 2, 3, 7, 14)
is fitted as a change that fades within hours, and the verdict ``fades_within_a_day`` follows from
a unit, not from the photos.  Nothing is refused (a study with photos 1, 2, 3, 7 and 14 h after
the treatment is valid); the ``reason`` of the fit gets a sentence, on two kinds of evidence:

- **the capture times** (a ``taken_at`` column, as ``long.csv`` has): within a session (subject,
  treatment and ``treated_at`` where the table has it), consecutive photos' capture times are
  compared with their ``hours_since_treatment``; when the median ratio of the two gaps is that of
  another unit (:data:`UNIT_RATIOS`: 24 for days, 168 for weeks, 1/60 for minutes, within a
  factor :data:`UNIT_RATIO_TOLERANCE`), every fit of those rows says so, whatever its verdict;
- **capture times that run backwards** against ``hours_since_treatment`` (that median ratio below 0:
  a hand-edited table, hours typed in the wrong order), said whatever the verdict;
- **the times' pattern**, only when no capture times can be compared: every time after the
  treatment a whole number from 1 to :data:`DAY_COUNT_MAX` (31), as day counts are, and none of them
  :data:`HOURS_DAY_AFTER` (24).  That is no proof (1, 2, 3, 5, 7 and 14 h is a study in hours), so the
  sentence is a question, and only on a ``fades_within_a_day`` verdict: the one a day count read as
  hours makes (an effect that persists beyond 24 "hours" persists beyond 24 days too).  A photo at
  exactly 24 is the day after in hours, the time the claim is about (1, 2, 4, 8, 24 h asked the
  question on every fit: a false alarm on the usual whole-hour schedule, stop 37); day 24 is no
  study's day (a week's multiples are 7, 14, 21, 28; a month 30 or 31).

Pure functions of DataFrames; no file I/O.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ..timekeys import hours_between

__all__ = ["DAY_COUNT_MAX", "HOURS_DAY_AFTER", "UNIT_RATIOS", "UNIT_RATIO_TOLERANCE", "clock_ratio", "time_unit_note"]

#: the units a time column may have been filled in instead of hours, by how many hours one of them is
UNIT_RATIOS = {"days": 24.0, "weeks": 168.0, "minutes": 1 / 60}
#: capture-time gaps / ``hours_since_treatment`` gaps (median) within this factor of a unit's ratio
#: read as that unit (24 / 1.25 = 19.2 to 30 for days); a clock change (1 h) or a camera clock a few
#: minutes off moves the ratio of photos hours apart by far less
UNIT_RATIO_TOLERANCE = 1.25
#: every time after treatment a whole number from 1 to this many, with no capture time to check
#: against: a day count (a month of daily photos) as much as hours; the fades verdict asks which
DAY_COUNT_MAX = 31
#: a whole-number time that reads as hours, not days: the day after at the same hour, the 24 h of the
#: claim; a schedule without capture times holding it gets no question (1, 2, 4, 8, 24 h)
HOURS_DAY_AFTER = 24
#: gaps shorter than this (h) on either axis are not compared (a retake a minute later: its
#: capture time to the second says nothing of the unit); ``decay.claim.SAME_PHOTO_TIME_H``
MIN_GAP_H = 5 / 60


def clock_ratio(rows: pd.DataFrame) -> tuple[float, int]:
    """How much further apart the photos' capture times are than their ``hours_since_treatment``.

    Parameters
    ----------
    rows : pandas.DataFrame
        Change rows with ``subject``, ``treatment``, ``hours_since_treatment`` (float, h) and
        ``taken_at`` (ISO 8601 text, blank when unknown); ``treated_at`` when present keys the
        sessions.

    Returns
    -------
    (ratio, n) : tuple of (float, int)
        The median over consecutive photos of one session (by ``hours_since_treatment``) of
        capture-time gap / ``hours_since_treatment`` gap, both at least :data:`MIN_GAP_H` long (the
        capture-time gap negative when a photo later in hours was taken earlier), and how many such
        gaps there were; ``(nan, 0)`` without ``taken_at`` or without such a gap.
    """
    if "taken_at" not in rows.columns or rows.empty:
        return math.nan, 0
    keys = ["subject", "treatment"] + (["treated_at"] if "treated_at" in rows.columns else [])
    ratios = []
    for _, g in rows.groupby(keys, sort=False):
        photos = g[["hours_since_treatment", "taken_at"]].drop_duplicates().sort_values("hours_since_treatment",
                                                                                      kind="stable")
        hours = photos["hours_since_treatment"].to_numpy(dtype=float)
        taken = photos["taken_at"].tolist()
        for i in range(1, len(hours)):
            d_col = hours[i] - hours[i - 1]
            d_clock = hours_between(taken[i], taken[i - 1])
            if d_col >= MIN_GAP_H and math.isfinite(d_clock) and abs(d_clock) >= MIN_GAP_H:  # < 0: backwards
                ratios.append(d_clock / d_col)
    if not ratios:
        return math.nan, 0
    return float(np.median(ratios)), len(ratios)


def _unit_of(ratio: float) -> str | None:
    """The unit of :data:`UNIT_RATIOS` whose ratio ``ratio`` is within :data:`UNIT_RATIO_TOLERANCE` of, or None."""
    for unit, r in UNIT_RATIOS.items():
        if r / UNIT_RATIO_TOLERANCE <= ratio <= r * UNIT_RATIO_TOLERANCE:
            return unit
    return None


def _times_text(t: np.ndarray, most: int = 6) -> str:
    shown = ", ".join(f"{v:g}" for v in t[:most])
    return shown + (f" ... {t[-1]:g}" if len(t) > most else "")


def time_unit_note(rows: pd.DataFrame, verdict: str, fades: str = "fades_within_a_day") -> str:
    """The sentence (with a leading space) a fit's ``reason`` gets when its time axis looks like
    another unit than hours, else ``""``.

    Parameters
    ----------
    rows : pandas.DataFrame
        The rows fitted (as :func:`clock_ratio` takes them).
    verdict : str
        The fit's verdict: the pattern evidence (no capture times) speaks only to ``fades``.
    fades : str
        The verdict a day count read as hours makes (``decay.claim.FADES``).
    """
    ratio, n = clock_ratio(rows)
    if n and ratio < 0:  # a hand-edited table whose times run backwards (a new user's audit, 2026-12-04)
        return (f" Check the times: the photos' capture times (taken_at) run against their hours_since_treatment "
                f"(median ratio of the gaps {ratio:.3g}, over {n} gap{'s' if n != 1 else ''} between photos of a "
                "session): a photo taken later has fewer hours since the treatment, so the fit's time axis is "
                "not that of the photos. hours_since_treatment must be the hours from the treatment to each photo.")
    if n:
        unit = _unit_of(ratio)
        if unit is None:
            return ""
        return (f" Check the time unit: the photos' capture times (taken_at) are {ratio:.3g} times as far apart as "
                f"their hours_since_treatment (median of {n} gap{'s' if n != 1 else ''} between photos of a "
                f"session), as if the column held {unit}, not hours; every time of this fit (half-life, change at "
                "24 h, verdict) is then read on the wrong scale. hours_since_treatment must be hours.")
    if verdict != fades:
        return ""
    t = np.unique(rows["hours_since_treatment"].to_numpy(dtype=float))
    t = t[t > 0]
    if t.size == 0 or not (np.all(t == np.round(t)) and t[0] >= 1 and t[-1] <= DAY_COUNT_MAX):
        return ""
    if np.any(t == HOURS_DAY_AFTER):  # a photo the day after, at 24 h: a schedule in hours
        return ""
    return (f" Check the time unit: every time after treatment is a whole number from {t[0]:g} to {t[-1]:g} "
            f"({_times_text(t)}), as day counts are, and the table has no capture times (taken_at) to check them "
            "against. If they are days, this fit's 24 h is day 24: the change is gone by day 24, not within a "
            "day (hours_since_treatment must be hours).")
