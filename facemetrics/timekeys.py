"""One rule for treatment times and sessions: a time as the instant it names, names as matched.

Shared by the batch (:mod:`facemetrics.batch`: ``discover.parse_time``, ``name_key``,
``tables._session_key`` and ``_sessions`` are these functions), the study store
(:func:`facemetrics.sessions.same_session`, by :func:`time_key` and :func:`name_key`), the regimen study
(:func:`facemetrics.regimen.regimen_rows`, by :func:`match_sessions`) and the decay fits' sessions
(:func:`facemetrics.decay.inputs._session_keys`), so that one session of ``long.csv`` is one
session everywhere, however its ``treated_at`` is written.  Pure functions, no I/O; a base
module (it imports nothing from facemetrics), so that the measurement and model layers may use it.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone, tzinfo

# a date alone followed by a UTC offset (``2026-05-01Z``, ``20260501+01:00``), which :func:`parse_time`
# refuses
_DATE_WITH_OFFSET = re.compile(r"\d{4}-?\d{2}-?\d{2}(?:Z|[+-]\d{2}(?::?\d{2})?)", re.IGNORECASE)
# a date alone, with or without such an offset (:func:`date_alone`): the date, the offset
_DATE_ALONE = re.compile(r"(\d{4}-?\d{2}-?\d{2})(Z|[+-]\d{2}(?::?\d{2})?)?", re.IGNORECASE)
# a time of day whose decimal fraction follows the hours or the minutes (``08.20``, ``14.45+01:00``,
# ``08:20.5``, ``0820,5``): the date, its separator, the hours, the minutes, the fraction, the offset
_EARLY_FRACTION = re.compile(r"(\d{4}-?\d{2}-?\d{2})([T ])(\d{2})(:?\d{2})?([.,]\d+)"
                             r"(Z|[+-]\d{2}(?::?\d{2})?)?", re.IGNORECASE)

# an ISO date-time whose hour has one digit (``2026-11-24 9:00``, ``2026-11-24T9:05:30``): the date and its
# separator, the rest from the hour's digit on (a colon after it: ``9.20`` is not one, :func:`ambiguous_time`)
_ONE_DIGIT_HOUR = re.compile(r"(\d{4}-\d{2}-\d{2}[T ])(\d:.*)")

#: the forms of a time that :func:`parse_time` accepts, as the messages name them
ACCEPTED_TIME_FORMS = ("2026-11-02T08:20 or 2026-11-02 08:20 (seconds optional: 08:20:30, a fraction of a "
                       "second after them: 08:20:30.5), with an optional UTC offset (Z, +01:00), or EXIF "
                       "2026:11:02 08:20:30")


def _missing(value) -> bool:
    """True for no time at all: None or a float NaN (an empty pandas cell)."""
    return value is None or (isinstance(value, float) and math.isnan(value))


def parse_time(value) -> datetime | None:
    """ISO 8601 text (or EXIF-style ``YYYY:MM:DD HH:MM:SS``) -> datetime; None when empty/invalid.

    An otherwise ISO date-time whose hour has one digit (``2026-11-24 9:00``, as Excel displays a cell) is
    read with the hour padded (09:00): it cannot be read two ways; every refusal below still applies to it.

    A date alone with a UTC offset (``2026-05-01Z``, ``2026-05-01+01:00``: not ISO 8601, whose
    offsets belong to a time of day) is invalid: ``datetime.fromisoformat`` read it as the time
    ``01:00`` (its ``+`` taken for the date/time separator), a session at a time nobody wrote.
    So is a time of day whose decimal fraction follows the hours or the minutes (``08.20``,
    ``14.45+01:00``, ``08:20.5``): ``datetime.fromisoformat`` read ``08.20`` as 08:00:00.2 (a
    fraction of a second), and ISO 8601 would read it as 8.2 hours, 08:12; the writer meant 08:20
    (an audit, 2026-12-04).  :func:`ambiguous_time` says why; a fraction after the seconds
    (``08:20:00.5``) is a fraction of a second and is kept."""
    if _missing(value):
        return None
    if isinstance(value, datetime):
        return value
    s = str(value).strip()
    if not s:
        return None
    if len(s) >= 19 and s[4] == ":" and s[7] == ":":
        s = s[:4] + "-" + s[5:7] + "-" + s[8:]
    one_digit = _ONE_DIGIT_HOUR.fullmatch(s)
    if one_digit:  # 2026-11-24 9:00, as Excel shows a cell: 09:00 (docs/guide.md, 'Sessions, names and typed times', 2026-12-05)
        s = f"{one_digit[1]}0{one_digit[2]}"
    if _EARLY_FRACTION.fullmatch(s):
        return None  # 08.20 read as 08:00:00.2 by fromisoformat, 08:12 by ISO 8601, meant as 08:20
    if _DATE_WITH_OFFSET.fullmatch(s):
        return None  # fromisoformat reads the "+"/"-" of 2026-05-01+01:00 as the date/time separator: 01:00
    if s.endswith("Z"):
        s = s[:-1] + "+00:00"
    try:
        return datetime.fromisoformat(s)
    except ValueError:
        return None


def hours_between(taken_at, treated_at) -> float:
    """Hours from ``treated_at`` to ``taken_at`` (NaN when either is missing).

    Both aware: compared as instants; otherwise as wall-clock times (the batch first reads
    offset-free capture times among times with an offset: ``batch.discover.offset_free_times``).
    The one time-difference rule: the batch (``batch.hours_between``, re-exported), the store and the
    comparison's photo-order check (:func:`facemetrics.compare.gate.order_messages`) use it.
    """
    a, b = parse_time(taken_at), parse_time(treated_at)
    if a is None or b is None:
        return float("nan")
    if (a.tzinfo is None) != (b.tzinfo is None):
        a, b = a.replace(tzinfo=None), b.replace(tzinfo=None)
    return (a - b).total_seconds() / 3600.0


def utc_instant(text) -> bool:
    """True for a time written in UTC with ``Z`` (``2026-10-24T09:34:12Z``): an instant whose local UTC offset is
    not known (a Google Photos sidecar's ``photoTakenTime``, a Pixel's file name), unlike ``+00:00``, the offset a
    camera wrote (EXIF OffsetTimeOriginal: the local time in London in winter).  Against a ``treated_at`` without an
    offset (local wall-clock time) such a time is never compared on the wall clock (it was off by the UTC offset:
    Round 21, docs/validation.md section 12): :func:`facemetrics.batch.discover.offset_free_treatment` reads
    ``treated_at`` in the offset of the session's photos that carry a local one, or leaves the photo out.

    Parameters
    ----------
    text : str, datetime, float or None

    Returns
    -------
    bool
    """
    if not isinstance(text, str):
        return False
    s = text.strip()
    return s[-1:].upper() == "Z" and parse_time(s) is not None


# ---- a time zone the user states (--time-zone; docs/guide.md, 'Where each time came from'; stop 61) ----------

# a fixed UTC offset as a time zone: +01:00, -0530, +01
_ZONE_OFFSET = re.compile(r"([+-])(\d{2})(?::?(\d{2}))?")


def read_time_zone(text) -> tzinfo | None:
    """The time zone a user states (``--time-zone``, the app's "Time zone"): an IANA name (``Europe/London``, read
    by the standard library's :mod:`zoneinfo`, which knows each place's clock changes), ``UTC``, or a fixed UTC offset
    (``+01:00``, ``-05:30``: no clock change); None for no zone (empty, None).

    An abbreviation (``CET``, ``EST``, ``BST``) is refused: some are no zone at all (``BST``) and the others name a
    fixed offset or a rule of no place (``EST`` is -05:00 all year, New York's summer time is not), so a photo of a
    summer morning would be read an hour off.

    Parameters
    ----------
    text : str, tzinfo or None

    Returns
    -------
    tzinfo or None

    Raises
    ------
    ValueError
        A zone not known, in one sentence saying what is read (:func:`time_zone_refusal`).
    """
    if text is None or isinstance(text, tzinfo):
        return text
    s = str(text).strip()
    if not s:
        return None
    m = _ZONE_OFFSET.fullmatch(s)
    if m:
        hours, minutes = int(m[2]), int(m[3] or 0)
        sign = -1 if m[1] == "-" else 1
        if minutes > 59 or not -12 * 60 <= sign * (hours * 60 + minutes) <= 14 * 60:  # the offsets clocks use
            raise ValueError(time_zone_refusal(s))
        return timezone(sign * timedelta(hours=hours, minutes=minutes))
    if s.upper() in ("UTC", "Z"):
        return timezone.utc
    if "/" not in s or ".." in s or s.startswith("/"):
        raise ValueError(time_zone_refusal(s))
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(s)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ValueError(time_zone_refusal(s)) from None


def time_zone_refusal(text) -> str:
    """Why ``text`` is no time zone :func:`read_time_zone` reads, in one sentence with the forms it reads (and the
    known name nearest it, ``Europe/Londn``: "did you mean Europe/London?")."""
    import difflib

    s = str(text).strip()
    try:
        from zoneinfo import available_timezones

        names = sorted(n for n in available_timezones() if "/" in n)
    except Exception:  # noqa: BLE001 - no zone database: no suggestion
        names = []
    near = difflib.get_close_matches(s, names, n=1, cutoff=0.8) if len(s) <= 60 else []
    why = ("it is empty" if not s else
           "an abbreviation names no place's clock changes" if re.fullmatch(r"[A-Za-z]{2,5}", s) else
           "UTC offsets run from -12:00 to +14:00" if _ZONE_OFFSET.fullmatch(s) else
           "it is not a zone this computer knows")
    return (f"time zone {s[:60]!r} is not read ({why}): give the place's zone name, such as Europe/London or "
            f"America/New_York{f' (did you mean {near[0]}?)' if near else ''}, or a fixed UTC offset such as +01:00")


def zone_text(zone) -> str:
    """A time zone as said: its IANA name (``Europe/London``), ``UTC``, or its fixed offset (``+01:00``)."""
    key = getattr(zone, "key", None)
    if key:
        return str(key)
    if zone == timezone.utc:
        return "UTC"
    offset = zone.utcoffset(None)
    minutes = round(offset.total_seconds() / 60)
    return f"{'-' if minutes < 0 else '+'}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def in_zone(text, zone) -> str:
    """A time read in the time zone the user stated: a time without a UTC offset (an EXIF time without
    OffsetTimeOriginal, a file name's, a manifest's or typed time, a treatment time) read as the zone's clock at its
    own date (``Europe/London``: ``2026-10-24T08:00`` -> ``2026-10-24T08:00:00+01:00``, ``2026-10-26T08:00`` ->
    ``2026-10-26T08:00:00+00:00``); a UTC time with ``Z`` (:func:`utc_instant`: a Pixel name's, a sidecar's)
    converted into it (``2026-10-24T07:34:12Z`` -> ``2026-10-24T08:34:12+01:00``); a time with another offset (the
    camera's), a date alone, a time not read, or no zone (None): ``text`` as it is.

    A wall-clock time the clock change skips (01:30 on the spring morning in London) or repeats (01:30 on the autumn
    one) is read with the offset before the change (:mod:`zoneinfo`'s ``fold=0``).

    Parameters
    ----------
    text : str, datetime or None
        The time as written (ISO 8601).
    zone : tzinfo or None
        :func:`read_time_zone`'s.

    Returns
    -------
    str
        ISO 8601 with the UTC offset of the zone at that time, or ``text``.
    """
    t = _time_for_zone(text, zone)
    if t is None:
        return text
    if t.tzinfo is None:
        return t.replace(tzinfo=zone).isoformat()
    if utc_instant(text):
        return t.astimezone(zone).isoformat()
    return text


def clock_change_hour(text, zone) -> str:
    """Whether :func:`in_zone` reads ``text`` in an hour the zone's clock change makes ambiguous: ``"repeated"`` (01:30
    on the autumn morning in London: two instants an hour apart), ``"skipped"`` (01:30 on the spring one: none), or
    ``""`` (one instant; a time with an offset, a date alone, a time not read, a fixed offset or no zone).

    Parameters
    ----------
    text : str
        The time as written (ISO 8601).
    zone : tzinfo or None
        :func:`read_time_zone`'s.

    Returns
    -------
    str
    """
    t = _time_for_zone(text, zone)
    if t is None or t.tzinfo is not None:
        return ""
    first, second = t.replace(tzinfo=zone, fold=0), t.replace(tzinfo=zone, fold=1)
    if first.utcoffset() == second.utcoffset():
        return ""
    back = first.astimezone(timezone.utc).astimezone(zone).replace(tzinfo=None)
    return "repeated" if back == t else "skipped"


def clock_change_text(text, zone) -> str:
    """What :func:`in_zone` did with a time in an hour the zone's clock change repeats or skips
    (:func:`clock_change_hour`), as said after the time's name (``"b.jpg's capture time "``), or ``""``: such a time
    is read with the offset before the change, as documented, which may be 1 h off (stop 61, g8)."""
    kind = clock_change_hour(text, zone)
    if not kind:
        return ""
    t = parse_time(text)
    first, second = (offset_text(t.replace(tzinfo=zone, fold=fold).utcoffset()) for fold in (0, 1))
    if kind == "repeated":
        return (f"{text} is in the hour the clock change repeats, read with the offset before the change ({first}): "
                f"if it was in the hour's second pass it is 1 h later, {t.isoformat(timespec='minutes')}{second}")
    return (f"{text} is in the hour the clock change skips, no time the clock showed: read with the offset before "
            f"the change ({first}), as a clock not yet moved on would show it")


def offset_not_zone(text, zone) -> str:
    """The UTC offset ``text`` carries (``"+01:00"``) when ``zone`` gives another at that instant, else ``""``: a time
    with its own offset (a camera's OffsetTimeOriginal, one typed or stored with another ``--time-zone``) that
    :func:`in_zone` keeps though the zone stated disagrees with it (``2026-10-24T08:00+01:00`` with America/New_York,
    -04:00 then): said, since the times without an offset read in the zone are then hours off it (stop 62).  ``""``
    for a time without an offset, a UTC one with ``Z`` (:func:`utc_instant`: its local offset is not known), a date
    alone, a time not read, or no zone.

    Parameters
    ----------
    text : str
        The time as written (ISO 8601).
    zone : tzinfo or None
        :func:`read_time_zone`'s.

    Returns
    -------
    str
    """
    t = None if utc_instant(text) else _time_for_zone(text, zone)
    if t is None or t.tzinfo is None or t.utcoffset() == t.astimezone(zone).utcoffset():
        return ""
    return offset_text(t.utcoffset())


def _time_for_zone(text, zone):
    """``text`` parsed (a datetime, naive or not) when a zone is given and ``text`` is a time, not a date alone;
    None otherwise (no zone, a missing value, a date alone, a time not read): the guard :func:`in_zone`,
    :func:`clock_change_hour` and :func:`offset_not_zone` share."""
    if zone is None or _missing(text) or (isinstance(text, str) and len(text.strip()) <= 10):
        return None
    return parse_time(text)


def offset_text(offset) -> str:
    """A UTC offset (timedelta) as written in ISO 8601: ``timedelta(hours=1) -> "+01:00"``,
    ``timedelta(hours=-5, minutes=-30) -> "-05:30"``, zero ``"+00:00"`` (:func:`zone_text` says "UTC")."""
    minutes = round(offset.total_seconds() / 60)
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


#: a time difference up to this is said in hours (a study's photos are 0-48 h after the treatment, the decay fits'
#: time axis; 72 h keeps a 48 h photo taken late in hours), beyond it in days (:func:`since_text`)
HOURS_SAID_UP_TO_H = 72.0
#: ... and from this many days on in years (of 365.25 days): a camera clock years off read "+122105.0 h"
DAYS_SAID_UP_TO = 365.0


def since_text(hours, digits: int = 1) -> str:
    """A time difference for a sentence, the one formatter of the console, report.md and the messages: ``"5 min"``
    below 1 h, ``"2.0 h"`` up to :data:`HOURS_SAID_UP_TO_H`, ``"7.0 days"`` beyond it, ``"13.9 years"`` from
    :data:`DAYS_SAID_UP_TO` days (the absolute value; the caller says before or after, later or earlier).

    A second photo 5 min after the first read "0.1 h after" (3 min: "0.0 h after"), which says the
    photos were taken at one moment or reads as a rounding error (an audit, 2026-12-04); an EXIF time 14 years
    from the manifest's read "+122105.0 h" and a follow-on session's photo "167.8 h after the treatment" (an
    audit, stop 55: said in days or years since); the tables keep their hours (``hours_since_treatment`` [h]),
    only the words change.

    Parameters
    ----------
    hours : float
        Hours from the time [h], finite (negative: before it).
    digits : int
        Decimals of the hours; ``2``: a decay fit's time point, said in hours below 1 h too, as changes.csv's
        ``hours_since_treatment`` (``"0.75 h"``, ``"2.25 h"``, trailing zeros dropped); days and years take one.

    Returns
    -------
    str
        Whole minutes (``"0 min"``, ``"59 min"``) when ``|hours|`` rounds to under 60 min, else hours
        (``"1.0 h"``, ``"36.5 h"``; with ``digits=2`` ``"0.75 h"``, ``"6 h"``), days (``"7.0 days"``) or years
        (``"13.9 years"``).
    """
    h = abs(float(hours))
    minutes = round(h * 60.0)
    if minutes < 60 and digits == 1:
        return f"{minutes:.0f} min"
    if round(h, digits) <= HOURS_SAID_UP_TO_H:
        text = f"{h:.{digits}f}"
        return (text.rstrip("0").rstrip(".") if digits > 1 else text) + " h"
    days = h / 24.0
    if round(days, 1) < DAYS_SAID_UP_TO:
        return f"{days:.1f} days"
    return f"{days / 365.25:.1f} years"


def taken_text(t: datetime | None) -> str:
    """A wall-clock time as the user reads it, ``"2026-11-02 08:20"`` (to the minute, no ``T``, no seconds; ""
    for None): the app's roles table's ``taken`` cell (:mod:`facemetrics.uploads`) and, through
    :func:`clock_text`, a time in a sentence."""
    return t.strftime("%Y-%m-%d %H:%M") if t else ""


def clock_text(text) -> str:
    """A time written as the tables write it (ISO 8601, ``"2026-11-04T07:30:00"``) as a sentence says it:
    :func:`taken_text`'s ``"2026-11-04 07:30"``, with its UTC offset when it has one (``"2026-11-04 07:30
    +01:00"``: two sessions written with different offsets are compared as instants); ``text`` as given when it is
    not a time.  The follow-on sessions' words read "the session treated at 2026-11-04T07:30:00" (docs/validation.md
    section 12, Round 18's (e)); the CSV columns keep ISO 8601."""
    t = parse_time(text)
    if t is None:
        return "" if text is None else str(text)
    offset = t.isoformat()[-6:] if t.tzinfo is not None else ""
    return taken_text(t) + (f" {offset}" if offset else "")


def ambiguous_time(text, what: str = "time") -> str:
    """Why ``text``, a time of day with a decimal fraction after the hours or the minutes
    (``2026-11-02 08.20``, ``14.45+01:00``, ``08:20.5``), is refused by :func:`parse_time`, in one
    sentence naming the accepted forms (:data:`ACCEPTED_TIME_FORMS`); ``""`` for any other text
    (a time that parses, or one invalid otherwise, whose message is the caller's).

    ``datetime.fromisoformat`` read ``08.20`` as 08:00:00.2, so a photo of 08:15 became an after
    photo of a treatment meant at 08:20 (an audit, 2026-12-04); ISO 8601 reads it as 8.2 hours
    (08:12).  Which one the writer meant cannot be told, so it is refused.

    Parameters
    ----------
    text : str, float or None
        The time as written (a manifest cell, ``treated_at.txt``, ``--treated-at``).
    what : str, optional
        How the sentence names it (``"treatment time"``, ``"capture time"``).

    Returns
    -------
    str
    """
    if _missing(text) or isinstance(text, datetime):
        return ""
    s = str(text).strip()
    m = _EARLY_FRACTION.fullmatch(s)
    if not m:
        return ""
    written = f"{m[3]}{m[4] or ''}{m[5]}"
    meant = (f" (if {m[3]}:{m[5][1:]} was meant: {m[1]}T{m[3]}:{m[5][1:]}{m[6] or ''})"
             if not m[4] and len(m[5]) == 3 else "")
    return (f"{what} {s!r} has a decimal fraction after the {'minutes' if m[4] else 'hours'} ({written}): "
            f"datetime.fromisoformat reads it as a fraction of a second ({m[3]}:{(m[4] or '00').lstrip(':')}:00{m[5].replace(',', '.')}), "
            f"and ISO 8601 reads it as a fraction of {'a minute' if m[4] else 'an hour'}, so which time was meant "
            f"cannot be told: write it with colons{meant}; accepted: {ACCEPTED_TIME_FORMS}")


# a time of day on the 12-hour clock written with a dot (``2026-12-01 8.20pm``, ``2026-12-01 8.20 p.m.``): the
# date, the hours, the minutes, am or pm
_TWELVE_HOUR_DOT = re.compile(r"(\d{4}-\d{2}-\d{2})[T ]\s*(\d{1,2})\.(\d{2})\s*([ap])\.?\s*m\.?", re.IGNORECASE)


def twelve_hour_dot_time(text, what: str = "time") -> str:
    """Why ``text``, a time of day on the 12-hour clock with a dot between the hours and the minutes
    (``2026-12-01 8.20pm``), is not read, in one sentence saying the 24-hour time it would be and the accepted
    forms (:data:`ACCEPTED_TIME_FORMS`); ``""`` for any other text.  As ``08.20`` (:func:`ambiguous_time`), the
    dot reads as a decimal fraction of an hour; such a time was "not a time facemetrics reads" with the forms
    alone (round 2 of a first-time user's session, 2026-12-05).  Since stop 46 such a time is read
    (:func:`twelve_hour_clock`: the am/pm says which half of the day, so the dot is no fraction), so
    :func:`time_meant` never gives this sentence; it is kept for its callers' codes (``TIME_DOTTED``).

    Parameters
    ----------
    text : str, float or None
        The time as written (a manifest cell).
    what : str, optional
        How the sentence names it (``"treatment time"``, ``"capture time"``).

    Returns
    -------
    str
    """
    if not isinstance(text, str):
        return ""
    s = text.strip()
    m = _TWELVE_HOUR_DOT.fullmatch(s)
    if not m or not 1 <= int(m[2]) <= 12 or int(m[3]) > 59:
        return ""
    hours = int(m[2]) % 12 + (12 if m[4].lower() == "p" else 0)
    return (f"{what} {s!r} is on the 12-hour clock with a dot between the hours and the minutes "
            f"({m[2]}.{m[3]}{m[4].lower()}m), which ISO 8601 reads as a fraction of an hour, so which time was meant "
            f"cannot be told: write it on the 24-hour clock with colons (if {hours:02d}:{m[3]} was meant: "
            f"{m[1]}T{hours:02d}:{m[3]}); accepted: {ACCEPTED_TIME_FORMS}")


def date_alone(text) -> bool:
    """A time written as a date alone, with or without a UTC offset after it (``2026-05-01``,
    ``20260501``, ``2026-05-01Z``, ``2026-05-01+01:00``): it names no time of day, so which photos
    were taken before a treatment cannot be told (read as midnight, a photo of 07:00 became a
    post-treatment photo of an 08:00 session: an audit, 2026-12-02).  False for anything else,
    a date that is not one (``2026-13-02``) included: that is not ISO 8601.

    Parameters
    ----------
    text : str, float or None
        The time as written (a manifest cell, ``treated_at.txt``, ``--treated-at``).

    Returns
    -------
    bool
    """
    if _missing(text) or isinstance(text, datetime):
        return False
    m = _DATE_ALONE.fullmatch(str(text).strip())
    # the date and the offset checked by the one rule, at midnight (2026-05-01+25:00 is no date alone)
    return m is not None and parse_time(f"{m[1]}T00:00{(m[2] or '').upper()}") is not None


def no_time_of_day(text, treatment: bool) -> str:
    """Why a time written as a date alone (:func:`date_alone`) is refused: the batch's reason a photo
    has no role and the study store's refusal, one wording.

    Parameters
    ----------
    text : str
        The time as written (quoted as given).
    treatment : bool
        True for a treatment time (``treated_at``), False for a capture time (``taken_at``).

    Returns
    -------
    str
    """
    if treatment:
        return (f"treatment time {text!r} has no time of day: which photos were taken before it cannot be "
                "told (write e.g. 2026-11-02T08:00)")
    return (f"capture time {text!r} has no time of day: before or after the treatment cannot be told "
            "(write e.g. 2026-11-02T09:30)")


# the file-name forms :func:`time_from_name` reads (the whole name without its ending, NFKC-normalised; case ignored):
# each gives y, mo, d, h, mi, s, and optionally ms (milliseconds) and ap (AM/PM); a copy counter may follow.
# Not a Pixel's PXL_20261201_091403123: its time is UTC, not the local wall-clock time these state (time_from_name)
_COPY_COUNTER = r"(?:\s?\(\d{1,3}\)|[_~-]\d{1,3})?"
_YMD = r"(?P<y>\d{4})(?P<mo>\d{2})(?P<d>\d{2})"
_NAME_FORMS = tuple(re.compile(form + _COPY_COUNTER, re.IGNORECASE) for form in (
    _YMD + r"_(?P<h>\d{2})(?P<mi>\d{2})(?P<s>\d{2})",  # Samsung camera
    r"IMG_" + _YMD + r"_(?P<h>\d{2})(?P<mi>\d{2})(?P<s>\d{2})",  # Android camera
    # Android and Samsung screenshots (an app name of letters may follow: _WhatsApp, _Camera)
    r"Screenshot_" + _YMD + r"-(?P<h>\d{2})(?P<mi>\d{2})(?P<s>\d{2})(?:_[a-z][a-z .]*)?",
    # MIUI (Xiaomi) screenshots: the milliseconds, then the app's package name (com.miui.camera)
    r"Screenshot_(?P<y>\d{4})-(?P<mo>\d{2})-(?P<d>\d{2})-(?P<h>\d{2})-(?P<mi>\d{2})-(?P<s>\d{2})(?:-(?P<ms>\d{3}))?"
    r"(?:_[a-z][a-z_]*(?:\.[a-z][a-z_]*)+)?",
    # macOS on a 24-hour clock, and on a 12-hour clock (the US-English default: 'at 2.34.56 PM', one-digit hour)
    r"(?:Screenshot|Screen Shot) (?P<y>\d{4})-(?P<mo>\d{2})-(?P<d>\d{2}) at (?P<h>\d{2})\.(?P<mi>\d{2})\.(?P<s>\d{2})",
    r"(?:Screenshot|Screen Shot) (?P<y>\d{4})-(?P<mo>\d{2})-(?P<d>\d{2}) at (?P<h>\d{1,2})\.(?P<mi>\d{2})\.(?P<s>\d{2})"
    r" (?P<ap>[AP])M",
    r"photo_(?P<y>\d{4})-(?P<mo>\d{2})-(?P<d>\d{2})_(?P<h>\d{2})-(?P<mi>\d{2})-(?P<s>\d{2})",  # Telegram
))
#: the years a file name's time is read in: a name stating another (1000, 2999, a camera clock reset to 1980) states
#: no capture time (:func:`name_time_refusal` says so); digital cameras and phones name files thus since the 2000s
NAME_YEARS = (1990, 2099)


def _name_stem(name) -> str:
    """The file name of ``name`` (a name or path) without its extension, NFKC-normalised (fullwidth digits read)."""
    import unicodedata

    base = re.split(r"[\\/]", unicodedata.normalize("NFKC", str(name)))[-1].strip()
    return (base.rsplit(".", 1)[0] if "." in base else base).strip()


def _name_match(name) -> re.Match | None:
    """The file-name form ``name`` (a name or path; NFKC-normalised, so fullwidth digits read) is, or None."""
    stem = _name_stem(name)
    return next((m for m in (form.fullmatch(stem) for form in _NAME_FORMS) if m is not None), None)


def _name_datetime(m: re.Match) -> datetime | None:
    """The wall-clock time of a file-name form's match, None when it names no time (2026-13-41, 24:60, 13 PM)."""
    g = m.groupdict()
    h = int(g["h"])
    if g.get("ap"):
        if not 1 <= h <= 12:
            return None
        h = h % 12 + (12 if g["ap"].upper() == "P" else 0)
    try:
        return datetime(int(g["y"]), int(g["mo"]), int(g["d"]), h, int(g["mi"]), int(g["s"]),
                        int(g.get("ms") or 0) * 1000)
    except ValueError:
        return None


def time_from_name(name) -> datetime | None:
    """The capture time a photo's file name states, or None: the one reading of a time from a file name,
    for a photo without an EXIF capture time (a screenshot, a photo saved from a messenger; the batch,
    the study store, ``analyze``, ``compare`` and the app's uploads call it; docs/guide.md, 'A capture time from the
    file name').

    Read only when the whole name, without its folder and file ending, NFKC-normalised (fullwidth digits
    ``２０２６`` read as ``2026``; the narrow no-break space macOS writes before ``PM`` as a space) and with case
    ignored, is one of these forms, each optionally followed by a copy counter (`` (2)``, ``_1``, ``-1``, ``~2``):
    ``IMG_20261201_091403`` (Android), ``20261201_091403`` (Samsung),
    ``Screenshot_20261201-091403`` (Android, Samsung; an app name of letters may follow, ``_WhatsApp``,
    ``_Camera``), ``Screenshot_2026-12-01-09-14-03-123_com.miui.camera`` (MIUI: milliseconds, then the app's
    package name, both optional), ``Screenshot 2026-12-01 at 09.14.03`` / ``Screen Shot ...`` (macOS on a
    24-hour clock) and ``Screenshot 2026-12-01 at 9.14.03 PM`` (macOS on a 12-hour clock, the US-English
    default), ``photo_2026-12-01_09-14-03`` (Telegram).  Only names that cannot be read two ways: the
    four-digit year first, a date and time that exist, a year in :data:`NAME_YEARS` (1990-2099:
    ``IMG_10001124_080000`` states no capture time, :func:`name_time_refusal`); ``IMG_1234``, ``2026``,
    ``IMG_20261341_091403`` (month 13), ``13.00.00 PM``, a name with anything else in it
    (``IMG_20261201_091403_cropped2``) give None.  A WhatsApp name (``IMG-20261201-WA0003``)
    has a date but no time of day, so it gives None too: before or after a treatment that day cannot
    be told.  A Pixel's name (``PXL_20261201_091403123``) gives None: its time is UTC (a photo taken at
    10:26 in Tokyo is ``PXL_20240101_012612027``), which read as a local time is off by the UTC offset.

    Parameters
    ----------
    name : str or path-like
        The file's name or path (its last part is read).

    Returns
    -------
    datetime or None
        The time without a UTC offset (the phone's local wall-clock time, as an offset-free EXIF time
        is), to the second (to the millisecond for MIUI).
    """
    m = _name_match(name)
    when = _name_datetime(m) if m is not None else None
    return when if when is not None and NAME_YEARS[0] <= when.year <= NAME_YEARS[1] else None


# a Pixel's file name (PXL_20261020_062012345, .PORTRAIT / .MP / .NIGHT after it): its time is UTC, to the millisecond
_PIXEL_NAME = re.compile(r"PXL_" + _YMD + r"_(?P<h>\d{2})(?P<mi>\d{2})(?P<s>\d{2})(?P<ms>\d{3})"
                         r"(?:\.[A-Z][A-Z_]*)*" + _COPY_COUNTER, re.IGNORECASE)


def utc_time_from_name(name) -> datetime | None:
    """The UTC capture time a Pixel's file name states (``PXL_20261020_062012345.jpg``: 06:20:12.345 UTC, 07:20 in
    London in summer time), aware (UTC), or None for any other name or a time that does not exist or whose year is
    outside :data:`NAME_YEARS`.  Not read by :func:`time_from_name` (a local wall-clock time, as an offset-free EXIF
    time is): the capture-time chain (:func:`capture_time_of`) writes it with ``Z`` (:func:`utc_instant`), so that it
    is never compared on the wall clock with a local treatment time (Round 21, docs/validation.md section 12).

    Parameters
    ----------
    name : str or path-like

    Returns
    -------
    datetime or None
    """
    m = _PIXEL_NAME.fullmatch(_name_stem(name))
    when = _name_datetime(m) if m is not None else None
    if when is None or not NAME_YEARS[0] <= when.year <= NAME_YEARS[1]:
        return None
    return when.replace(tzinfo=timezone.utc)


def _utc_text(when: datetime) -> str:
    """An aware time as ISO 8601 in UTC with ``Z`` (seconds; milliseconds when it has them)."""
    t = when.astimezone(timezone.utc).replace(tzinfo=None)
    return t.isoformat(timespec="milliseconds" if t.microsecond else "seconds") + "Z"


def _with_local_offset(utc_text: str, named: datetime | None) -> str:
    """A sidecar's UTC time (``...Z``) written as the local time its file name states, with the UTC offset the two
    tell together (``IMG_20261022_103712.jpg`` and ``2026-10-22T09:37:12Z``: ``2026-10-22T10:37:12+01:00``), when
    they name one instant: the same second, an offset of whole quarter hours up to 14 h; else ``utc_text``."""
    utc = parse_time(utc_text)
    if named is None or utc is None or utc.tzinfo is None:
        return utc_text
    apart = (named - utc.replace(tzinfo=None) - utc.utcoffset()).total_seconds()
    minutes = round(apart / 60.0)
    if abs(apart - minutes * 60.0) > 2.0 or minutes % 15 or abs(minutes) > 14 * 60:
        return utc_text
    return utc.astimezone(timezone(timedelta(minutes=minutes))).isoformat()


def capture_time_of(given, exif, name, given_as: str = "manifest", sidecar="") -> tuple[str, str]:
    """``(taken_at, taken_at_source)`` of a photo: the one chain from the times it has to the time it is read at.

    A time the user gave (a manifest's ``taken_at``: ``given_as``), else the photo's EXIF capture time
    (``"exif"``), else the time its Google Photos / Takeout sidecar keeps (``sidecar``,
    :func:`facemetrics.sidecar.sidecar_time`: ``"sidecar"``, UTC with ``Z``; with the local offset it and the file name's local time tell together when they
    name one instant, ``IMG_20261022_103712.jpg`` with ``09:37:12Z``: ``2026-10-22T10:37:12+01:00``), else the time
    its file name states (:func:`time_from_name`: ``"file_name"``,
    ISO 8601 without a UTC offset; a Pixel's ``PXL_...`` name, :func:`utc_time_from_name`: ``"file_name"``, UTC
    with ``Z``), else ``("", "")``.  The batch (:func:`facemetrics.batch.tables.capture_time`), the study store,
    ``analyze`` and ``compare`` read a photo's time by it.  A time with ``Z`` is an instant whose local offset is not
    known (:func:`utc_instant`).

    Parameters
    ----------
    given : str, datetime or None
        The time the user gave for the photo (as written; empty: none).
    exif : str, datetime or None
        Its EXIF capture time (ISO 8601 text or a datetime; empty: none).
    name : str or path-like
        Its file name or path.
    given_as : str, optional
        The source word of ``given`` (``"manifest"``, ``"typed"``).
    sidecar : str, optional
        The time its sidecar keeps (:func:`facemetrics.sidecar.sidecar_time`; empty: none).

    Returns
    -------
    (str, str)
    """
    if not _missing(given) and str(given).strip():
        return (given.isoformat() if isinstance(given, datetime) else str(given)), given_as
    if not _missing(exif) and str(exif).strip():
        return (exif.isoformat() if isinstance(exif, datetime) else str(exif)), "exif"
    if not _missing(sidecar) and str(sidecar).strip():
        return _with_local_offset(str(sidecar).strip(), time_from_name(name)), "sidecar"
    named = time_from_name(name)
    if named is not None:
        return named.isoformat(), "file_name"
    pixel = utc_time_from_name(name)
    return (_utc_text(pixel), "file_name") if pixel is not None else ("", "")


# a WhatsApp copy's name: IMG-20261201-WA0003 (VID-, PTT-, AUD- for other media), a copy counter allowed
_WHATSAPP_NAME = re.compile(r"(?:IMG|VID)-" + _YMD + r"-WA\d{4}" + _COPY_COUNTER, re.IGNORECASE)


def name_date_alone(name) -> str:
    """Why a WhatsApp copy's name (``IMG-20261027-WA0003.jpg``) gives no capture time, in words to follow "its file
    name": it states a date and no time of day (never read as midnight: :func:`time_from_name`); ``""`` for any
    other name.  The batch's ``no capture time`` reason and the study store's say it (Round 21: the reason said
    "none in its file name", which read as if the date had not been seen).

    Parameters
    ----------
    name : str or path-like

    Returns
    -------
    str
        e.g. ``"states the date 2026-10-27 but no time of day (a WhatsApp copy: before or after a treatment that
        day cannot be told)"``.
    """
    m = _WHATSAPP_NAME.fullmatch(_name_stem(name))
    if m is None:
        return ""
    try:
        day = datetime(int(m["y"]), int(m["mo"]), int(m["d"]))
    except ValueError:
        return ""
    return (f"states the date {day:%Y-%m-%d} but no time of day (a WhatsApp copy: before or after a treatment that "
            "day cannot be told)")


def name_time_refusal(name) -> str:
    """Why a file name that has the form of a capture time (:func:`time_from_name`) is not read as one: its
    year is outside :data:`NAME_YEARS` (``IMG_10001124_080000.jpg``, ``IMG_29991124_080000.jpg``: a clock
    reset or a renamed file), in words to follow "its file name"; ``""`` for any other name.

    Parameters
    ----------
    name : str or path-like

    Returns
    -------
    str
        e.g. ``"states the year 1000, outside 1990-2099, so it is no capture time"``.
    """
    m = _name_match(name)
    when = _name_datetime(m) if m is not None else None
    if when is None or NAME_YEARS[0] <= when.year <= NAME_YEARS[1]:
        return ""
    return f"states the year {when.year}, outside {NAME_YEARS[0]}-{NAME_YEARS[1]}, so it is no capture time"


def name_key(name) -> str:
    """A subject's or treatment's name as it is matched: surrounding whitespace dropped, case
    folded and Unicode-normalised (``" Anna "``, ``"anna"`` and ``"ANNA"`` are one subject; ``"RF"``
    and ``"rf"`` one treatment; ``"Zoë"`` typed as one character ``ë`` (NFC, as most keyboards
    write it) and as ``e`` + a combining diaeresis (NFD, as macOS writes folder names) is one
    subject: canonical caseless matching, Unicode's ``NFC(casefold(NFD(name)))``; they were two
    identical-looking subjects, an audit, 2026-12-04).  The batch and the study store
    (:mod:`facemetrics.store`) match names by this one key; the first spelling met is the one
    shown (in NFC, :func:`facemetrics.batch.discover.name_text`)."""
    import unicodedata

    text = unicodedata.normalize("NFD", one_line(str(name or ""))).strip()
    return unicodedata.normalize("NFC", text.casefold())


def _breaks_a_line(c: str) -> bool:
    import unicodedata

    return unicodedata.category(c) in ("Cc", "Zl", "Zp")


def one_line(name: str) -> str:
    """``name`` with each run of control characters (Unicode category Cc: a line break, a tab, ESC, DEL, ...) and
    line or paragraph separators (U+2028, U+2029) replaced by one space: a subject's or treatment's name as the store,
    the batch and the app keep it (:func:`name_key`, :func:`facemetrics.batch.discover.name_text`).  A name typed
    or pasted with a line break was stored so and broke every table and console line that showed it (stop 64)."""
    if not any(_breaks_a_line(c) for c in name):
        return name
    out, gap = [], False
    for c in name:
        if _breaks_a_line(c):
            gap = True
            continue
        if gap:
            out.append(" ")
            gap = False
        out.append(c)
    return "".join(out) + (" " if gap else "")


def control_note(name, what: str = "subject") -> str:
    """The sentence saying that ``name`` (a subject's or treatment's name as given) was stored without its control
    characters (:func:`one_line`), or "" when it holds none: ``"subject name 'Ann\\nB' holds a line break: read as
    'Ann B' (each line break, tab or other control character is a space)"``."""
    import unicodedata

    text = str(name or "")
    found = sorted({c for c in text.strip() if _breaks_a_line(c)})  # a pasted name's final line break: no word
    if not found:
        return ""
    kinds = {"\n": "a line break", "\r": "a line break", "\u2028": "a line break", "\u2029": "a line break",
             "\t": "a tab"}
    said = sorted({kinds.get(c, "a control character") for c in found})
    stored = unicodedata.normalize("NFC", one_line(text)).strip()
    return (f"{what} name {text!r} holds {' and '.join(said)}: read as {stored!r} (each line break, tab or other "
            "control character is a space)")


def time_key(treated_at) -> str:
    """A treatment time as the instant it names: UTC ISO 8601 when it has an offset
    (``08:00+01:00`` and ``07:00Z`` are one key), the local wall-clock time in ISO 8601 when
    not (``08:00``, ``08:00:00``, ``08 00`` with a space and ``08:00:00.000`` are one key); a
    time that does not parse as itself (its photos have no role, so it pairs nothing)."""
    t = parse_time(treated_at)
    if t is None:
        return str(treated_at or "").strip()
    return t.isoformat() if t.tzinfo is None else t.astimezone(timezone.utc).isoformat()


def session_key(subject: str, treatment: str, treated_at: str) -> tuple[str, str, str]:
    """One treatment session of one subject: its photos are compared with its baseline.

    ``(subject, treatment, the treatment time as an instant)`` (names by
    :func:`name_key`: ``Anna``/``anna`` and ``RF``/``rf`` match; times by
    :func:`time_key`): the same name or time written two ways is one session.  A time without
    an offset and one with an offset are matched by :func:`match_sessions` (the study's rows are
    needed for that); this key alone also groups the batch's work by session
    (:func:`facemetrics.batch.run_batch`; there as ``batch.tables._session_key``).
    """
    return (name_key(subject), name_key(treatment), time_key(treated_at))


def match_sessions(rows: list[dict]) -> tuple[dict[str, tuple], dict[str, str]]:
    """``({photo: session key}, {photo: why it has none})`` of photo rows with a role.

    The key is :func:`session_key`'s.  A treatment time without a UTC offset is compared with
    one with an offset as a wall-clock time, as :func:`facemetrics.batch.hours_between` does:
    ``08:00`` is the session ``08:00+01:00`` of the same subject and treatment when that is
    the only session (one instant) with the wall-clock time ``08:00``.  It cannot be told when
    two sessions with offsets have that wall-clock time (``08:00Z`` and ``08:00+01:00``), or
    when two times without an offset would both fall in one session with offsets (``08:00`` and
    ``09:00`` against ``08:00Z`` = ``09:00+01:00``): those photos get no session, with the
    reason (never split into a session of their own without a word).
    """
    keys = {r["photo"]: session_key(r["subject"], r["treatment"], r["treated_at"]) for r in rows}
    spelled = {keys[r["photo"]][1]: r["treatment"] for r in reversed(rows)}  # a treatment as written (first)
    walls: dict[tuple, dict[str, set]] = {}  # (subject, treatment) -> wall clock -> instant keys
    given: dict[tuple, set] = {}  # (subject, treatment, instant key) -> treated_at texts
    for r in rows:
        t = parse_time(r["treated_at"])
        if t is not None and t.tzinfo is not None:
            k = keys[r["photo"]]
            walls.setdefault(k[:2], {}).setdefault(t.replace(tzinfo=None).isoformat(), set()).add(k[2])
            given.setdefault(k, set()).add(str(r["treated_at"]).strip())
    moved: dict[tuple, tuple] = {}
    why: dict[tuple, str] = {}
    for k in set(keys.values()):
        t = parse_time(k[2])
        instants = walls.get(k[:2], {}).get(k[2], set()) if t is not None and t.tzinfo is None else set()
        if len(instants) == 1:
            moved[k] = (*k[:2], next(iter(instants)))
        elif len(instants) > 1:
            shown = sorted(x for i in instants for x in given[(*k[:2], i)])
            why[k] = (f"treatment time {k[2]!r} has no UTC offset and matches the sessions of {spelled[k[1]]!r} with "
                      f"offsets {', '.join(map(repr, shown))}: which one it belongs to cannot be told (give "
                      f"every treated_at of this subject and treatment with its offset, or none)")
    into: dict[tuple, list] = {}
    for k, target in moved.items():
        into.setdefault(target, []).append(k)
    for target, naive in into.items():
        if len(naive) > 1:
            for k in naive:
                moved.pop(k)
                why[k] = (f"treatment times {', '.join(sorted(repr(n[2]) for n in naive))} have no UTC offset "
                          f"and all match the session of {spelled[k[1]]!r} treated at "
                          f"{', '.join(map(repr, sorted(given[target])))}: which one it belongs to cannot be "
                          f"told (give every treated_at of this subject and treatment with its offset, or none)")
    sessions = {p: moved.get(k, k) for p, k in keys.items() if k not in why}
    return sessions, {p: why[k] for p, k in keys.items() if k in why}


# ---- the time a refused text probably meant (round 3 of a first-time user's session, 2026-12-05) ----------

# a date before the time: year first (2026-12-01, 2026/12/1, 2026.12.01), or the year last (1/12/2026, 01.12.2026),
# whose day and month may be either way round
_YEAR_FIRST = re.compile(r"(?P<y>\d{4})[-/.](?P<mo>\d{1,2})[-/.](?P<d>\d{1,2})")
_YEAR_LAST = re.compile(r"(?P<a>\d{1,2})[-/.](?P<b>\d{1,2})[-/.](?P<y>\d{4})")
# a day named relative to the day it was written, which is not known when it is read
_RELATIVE_DAY = re.compile(r"yesterday|today|tomorrow|tonight|now|last night|this (?:morning|afternoon|evening)",
                           re.IGNORECASE)
# the times of day users write: the 12-hour clock (9am, 9 a.m., 9:30pm, 8.20pm), in words (noon, midnight), hours
# with an h (21h, 9h30), the 24-hour clock with one-digit hours or a dot (9:00, 08.20), each with an optional UTC
# offset after it
_OFFSET = r"\s*(?P<off>Z|[+-]\d{2}(?::?\d{2})?)?"
_TWELVE_HOUR = re.compile(r"(?P<h>\d{1,2})(?:(?P<sep>[:.])(?P<m>\d{2}))?\s*(?P<ap>[ap])\.?\s*m\.?" + _OFFSET,
                          re.IGNORECASE)
_IN_WORDS = re.compile(r"(?P<word>noon|midday|midnight)" + _OFFSET, re.IGNORECASE)
_H_HOURS = re.compile(r"(?P<h>\d{1,2})\s*h\s*(?P<m>\d{2})?" + _OFFSET, re.IGNORECASE)
_CLOCK = re.compile(r"(?P<h>\d{1,2})(?P<sep>[:.])(?P<m>\d{2})(?::(?P<s>\d{2}))?" + _OFFSET, re.IGNORECASE)
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")


def _date_readings(text: str) -> tuple[list[tuple[str, str]], str] | None:
    """``([(the date in words, YYYY-MM-DD), ...], why its form is not read)`` of a date written with the year
    first or last (two readings when the day and the month can be swapped, ``1/12/2026``); None when ``text``
    is no such date (or names no day that exists)."""
    m = _YEAR_FIRST.fullmatch(text)
    if m:
        pairs = [(int(m["mo"]), int(m["d"]))]
        why = "" if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text) else f"writes the date as {text} (ISO 8601: year-month-day " \
                                                                   "with dashes and two-digit months and days)"
    else:
        m = _YEAR_LAST.fullmatch(text)
        if not m:
            return None
        a, b = int(m["a"]), int(m["b"])
        pairs = [(b, a), (a, b)] if a != b else [(a, a)]  # day/month first: 1/12 is 1 December or 12 January
        why = (f"writes the date with the year last ({text}), which reads as day/month/year or as month/day/year"
               if a != b else f"writes the date with the year last ({text})")
    out = []
    for month, day in pairs:
        try:
            when = datetime(int(m["y"]), month, day)
        except ValueError:
            continue
        out.append((f"{day} {_MONTHS[month - 1]} {when.year}", when.strftime("%Y-%m-%d")))
    if not out:
        return None
    if len(out) == 1 and len(pairs) == 2:  # 13/12/2026: one reading is no day
        why = f"writes the date with the year last ({text})"
    return out, why


def _time_reading(text: str) -> tuple[str, str, str] | None:
    """``(the time in words, HH:MM[:SS] with any UTC offset, why its form is not read)`` of a time of day users
    write (``9am``, ``9:30pm``, ``12am``, ``noon``, ``21h``, ``9h30``, ``9:00``, ``08.20``); None for any other
    text, an hour or a minute out of range included (``13pm``, ``25h``)."""
    m = _TWELVE_HOUR.fullmatch(text)
    if m:
        h, minutes = int(m["h"]), int(m["m"] or 0)
        if not 1 <= h <= 12 or minutes > 59:
            return None
        hours = h % 12 + (12 if m["ap"].lower() == "p" else 0)
        clock = f"{hours:02d}:{minutes:02d}{(m['off'] or '').upper()}"
        written = f"{h}{m['sep'] or ''}{m['m'] or ''}{m['ap'].lower()}m"
        why = f"is on the 12-hour clock ({written})"
        if m["sep"] == ".":
            why = (f"is on the 12-hour clock with a dot between the hours and the minutes ({written}), which ISO 8601 "
                   "reads as a fraction of an hour")
        if h == 12:  # 12am and 12pm are taken for each other: say midnight or noon
            word = "midnight" if hours == 0 else "noon"
            why = why[:-1] + (f": {word}" + (" at the start of the day" if hours == 0 else "") +
                              f", often taken for {'noon' if hours == 0 else 'midnight'})")
            return f"{clock} {word}" + (" at the start of the day" if hours == 0 else ""), clock, why
        return clock, clock, why
    m = _IN_WORDS.fullmatch(text)
    if m:
        word = m["word"].lower()
        clock = ("00:00" if word == "midnight" else "12:00") + (m["off"] or "").upper()
        why = f"names the time in words ({word})"
        if word == "midnight":
            why += ", read as the midnight at the start of the day (the one at its end is the next day's 00:00)"
            return f"{clock} midnight at the start of the day", clock, why
        return f"{clock} noon", clock, why
    m = _H_HOURS.fullmatch(text)
    if m:
        h, minutes = int(m["h"]), int(m["m"] or 0)
        if h > 23 or minutes > 59:
            return None
        clock = f"{h:02d}:{minutes:02d}{(m['off'] or '').upper()}"
        return clock, clock, f"writes the hours with an h ({m['h']}h{m['m'] or ''})"
    m = _CLOCK.fullmatch(text)
    if m:
        h, minutes, seconds = int(m["h"]), int(m["m"]), m["s"]
        if h > 23 or minutes > 59 or (seconds is not None and int(seconds) > 59):
            return None
        clock = f"{h:02d}:{minutes:02d}{':' + seconds if seconds else ''}{(m['off'] or '').upper()}"
        if m["sep"] == ".":
            why = (f"has a dot between the hours and the minutes ({m['h']}.{m['m']}), which ISO 8601 reads as a "
                   f"fraction of an hour and Python's datetime as a fraction of a second")
        elif len(m["h"]) == 1:
            why = f"writes the hour with one digit ({m['h']}:{m['m']}; ISO 8601: {h:02d}:{m['m']})"
        else:
            why = ""
        return clock, clock, why
    return None


def time_meant(text, what: str = "time") -> str:
    """Why a time as a user wrote it is refused, the time it probably meant and the exact text to write, in one
    sentence; ``""`` for a time :func:`parse_time` reads, an empty one, and a date alone (its own message,
    :func:`no_time_of_day`).  The one source of this message: a manifest's ``taken_at`` / ``treated_at``
    (:func:`facemetrics.batch.discover._manifest_time_reasons`), ``treated_at.txt``
    (:func:`facemetrics.batch.discover._read_treated_at`), ``study add --treated-at`` / ``--taken-at`` and the
    app's "Treated at" and "Taken at" fields (:func:`facemetrics.sessions.iso_time`), photos.csv's reason
    (:func:`facemetrics.batch.tables._table_row`).

    Nothing is guessed: the time stays refused, and the sentence says which time each reading of it would be,
    written as :func:`parse_time` reads it, e.g. ``'2026-12-02 9am'`` -> "(if 09:00 was meant:
    2026-12-02T09:00)".  The forms named: the 12-hour clock (``9am``, ``9 am``, ``9:30pm``; ``12am`` and
    ``12pm`` named midnight and noon, as they are often taken for each other; with a dot, ``8.20pm``:
    :func:`twelve_hour_dot_time` when dated), the time in words (``noon``, ``midnight``), hours with an h
    (``21h``, ``9h30``), a one-digit hour (``9:00``), a dot after the hours (``08.20``: :func:`ambiguous_time`
    when dated), a date with the year last whose day and month can be swapped (``1/12/2026 9:00``: both
    readings), a time without a date (the text to write then has the date to fill in), a day named relative to
    the day it was written (``yesterday``).  Any other text: the accepted forms
    (:data:`ACCEPTED_TIME_FORMS`) alone.  Each had "is not a time facemetrics reads" or "is not ISO 8601" with
    the forms alone (round 3 of a first-time user's session, 2026-12-05).

    Parameters
    ----------
    text : str, float or None
        The time as written.
    what : str, optional
        How the sentence names it (``"treatment time"``, ``"capture time"``).

    Returns
    -------
    str
        ``"{what} '...' ... (if 09:00 was meant: 2026-12-02T09:00) ..."``; a reading of the time is always in
        the form ``(if ... was meant: TEXT[; if ...: TEXT])`` (no parentheses inside, :func:`meant_in`).
    """
    if _missing(text) or isinstance(text, datetime):
        return ""
    s = str(text).strip()
    if not s or parse_time(s) is not None or parse_time(twelve_hour_clock(s)) is not None or date_alone(s):
        return ""
    # a dated 08.20, 13:00 PM: their own sentence
    said = ambiguous_time(s, what) or twelve_hour_dot_time(s, what) or twelve_hour_refusal(s, what)
    if said:
        return said
    shown = s[:60]
    forms_alone = (f"{what} {shown!r} is not a time facemetrics reads: write it as {ACCEPTED_TIME_FORMS} (24-hour "
                   "time, the date as year-month-day, a UTC offset rather than a zone name such as CET)")
    if len(s) > 80:  # no time users write is this long (and the patterns below need not scan a long cell)
        return forms_alone
    dates, relative, rest, why = None, "", s, []
    head = re.match(r"(\S+?)(?:\s*,\s*|\s+at\s+|\s+|T(?=\d)|$)", s, re.IGNORECASE)
    rel = _RELATIVE_DAY.match(s)
    if rel and (rel.end() == len(s) or not s[rel.end()].isalnum()):
        relative, rest = rel[0].lower(), s[rel.end():].lstrip(" ,").removeprefix("at ").strip()
        why.append(f"names the day relative to the day it was written ({relative}), which is not known where it is "
                   "read")
    elif head and (dates := _date_readings(head[1])) is not None:
        rest = s[head.end():].strip()
    if dates is not None and dates[1]:
        why.append(dates[1])
    clock = _time_reading(rest) if rest else None
    if rest and clock is None:
        clock_first = re.match(r"(.+?)\s+(?:on\s+)?(\S+)$", s, re.IGNORECASE)  # 9am 1/12/2026
        if dates is None and not relative and clock_first and _time_reading(clock_first[1]) and \
                _date_readings(clock_first[2]):
            dates, clock = _date_readings(clock_first[2]), _time_reading(clock_first[1])
            why = [w for w in (dates[1],) if w]
        else:
            return forms_alone
    if clock is not None and clock[2]:
        why.insert(0, clock[2])
    if dates is None and not relative:
        why.append("has no date")
    if clock is None:
        why.append("has no time of day")
    if not why:  # 2026-12-01, 09:00; 2026-12-01 at 09:00; 09:00 +01:00
        why.append("has spaces or words between its parts where ISO 8601 has none")
    day = f"{relative}'s date" if relative in ("yesterday", "today", "tomorrow") else "the day's date"
    if dates is None:  # the date to fill in
        meant = (f" (if {clock[0]} was meant: YYYY-MM-DDT{clock[1]} with {day}, e.g. 2026-11-02T{clock[1]})"
                 if clock else "")
    else:
        readings = dates[0]
        texts = [f"{iso}T{clock[1]}" if clock else f"{iso} with its time of day, e.g. {iso}T08:00"
                 for _, iso in readings]
        dated = len(readings) > 1 or dates[1]  # the date named in words when it was not written year-month-day
        whens = [f"{words}, {clock[0]}" if clock and dated else clock[0] if clock else words for words, _ in readings]
        meant = " (" + "; ".join(f"if {w} was meant: {t}" if i == 0 else f"if {w}: {t}"
                                 for i, (w, t) in enumerate(zip(whens, texts))) + ")"
    # no "; " outside brackets: photos.csv joins a photo's reasons with it (facemetrics.cli._reasons splits them)
    return (f"{what} {shown!r} is not a time facemetrics reads, as it {', and '.join(why)}: write it as "
            f"year-month-day and the 24-hour time with colons{meant}, one of {ACCEPTED_TIME_FORMS}")


def meant_in(sentence: str) -> str:
    """The reading a refused time's sentence gives (:func:`time_meant`, :func:`ambiguous_time`,
    :func:`twelve_hour_dot_time`): ``"(if 09:00 was meant: 2026-12-02T09:00)"``, or ``""`` when it gives none
    (``'foo'``, ``'yesterday'``).  The console's line on a manifest's times quotes it after each row.

    Parameters
    ----------
    sentence : str

    Returns
    -------
    str
    """
    m = re.search(r"\(if [^()]* was meant: [^()]*\)", sentence or "")
    return m[0] if m else ""


# ---- a date with the year last, as a spreadsheet shows it (docs/guide.md, 'Sessions, names and typed times', 2026-12-05) --------------

# D/M/YYYY or M/D/YYYY (slashes or dots), a space or T, a 24-hour H:MM[:SS]: the two fields, the year, the time
_YEAR_LAST_TIME = re.compile(r"(\d{1,2})([/.])(\d{1,2})\2(\d{4})[T ]\s*(\d{1,2}:\d{2}(?::\d{2})?)")
#: the orders of a year-last date, as the messages name them
DAY_FIRST, MONTH_FIRST = "day/month/year", "month/day/year"


def year_last_order(text) -> str | None:
    """The order a date-time with the year last (``24/11/2026 9:00``, ``11.24.2026 09:00:30``) tells by itself.

    Parameters
    ----------
    text : str, float or None
        The time as written.

    Returns
    -------
    str or None
        :data:`DAY_FIRST` when its first field is above 12, :data:`MONTH_FIRST` when its second is, ``""``
        when neither is (``1/12/2026 9:00``: either order) or both are (no date); None when ``text`` is no
        year-last date-time.
    """
    m = _YEAR_LAST_TIME.fullmatch(str(text).strip()) if isinstance(text, str) else None
    if m is None:
        return None
    first, second = int(m[1]) > 12, int(m[3]) > 12
    return DAY_FIRST if first and not second else MONTH_FIRST if second and not first else ""


def year_last_time(text, order: str) -> str | None:
    """A year-last date-time read in ``order``, as ISO 8601 text (``24/11/2026 9:00`` -> ``2026-11-24T09:00``);
    None when ``text`` is no such date-time or names no day or time that exists in that order.

    Parameters
    ----------
    text : str
        The time as written.
    order : str
        :data:`DAY_FIRST` or :data:`MONTH_FIRST`.

    Returns
    -------
    str or None
    """
    m = _YEAR_LAST_TIME.fullmatch(str(text).strip()) if isinstance(text, str) else None
    if m is None or order not in (DAY_FIRST, MONTH_FIRST):
        return None
    day, month = (int(m[1]), int(m[3])) if order == DAY_FIRST else (int(m[3]), int(m[1]))
    hours, rest = m[5].split(":", 1)
    iso = f"{m[4]}-{month:02d}-{day:02d}T{int(hours):02d}:{rest}"
    return iso if parse_time(iso) is not None else None


# ---- the 12-hour clock after a date (docs/guide.md, 'Sessions, names and typed times'; stop 46, 2026-12-05) --------

# a date (year first, or year last as a spreadsheet shows it), a T or spaces, then a time on the 12-hour
# clock (9:00 AM, 9:00 pm, 9.00am, 9am, 9:00:30 PM, 9:00 p.m.; any Unicode space, e.g. the narrow no-break space
# macOS writes before PM) with an optional UTC offset: the date, the hours, the minutes, the seconds, a or p, the offset
_DATED_TWELVE_HOUR = re.compile(
    r"(?P<date>\d{4}-\d{2}-\d{2}|\d{1,2}([/.])\d{1,2}\2\d{4})(?:T|\s+)(?P<h>\d{1,2})"
    r"(?:(?P<sep>[:.])(?P<m>\d{2})(?:(?P=sep)(?P<s>\d{2}))?)?\s*(?P<ap>[ap])\.?\s*m\.?"
    r"\s*(?P<off>Z|[+-]\d{2}(?::?\d{2})?)?", re.IGNORECASE)


def twelve_hour_clock(text) -> str | None:
    """A date and a time on the 12-hour clock with the time rewritten on the 24-hour clock (``2026-11-24 9:00 PM``
    -> ``2026-11-24 21:00``, ``24/11/2026 12:30 AM`` -> ``24/11/2026 00:30``, ``2026-11-24 9.00am`` ->
    ``2026-11-24 09:00``); None for any other text, and for an hour outside 1-12 or a minute above 59
    (``13:00 PM``, ``0:30 AM``: :func:`twelve_hour_refusal` says why).

    AM or PM names the half of the day, so the dot of ``9.00am`` is no decimal fraction and the time cannot be
    read two ways (unlike ``09.00``, :func:`ambiguous_time`).  ``12:30 AM`` is 00:30 (half past midnight) and
    ``12:05 PM`` is 12:05 (five past noon), as on every 12-hour clock.  The date is kept as written: a year-last
    one is then read by the year-last rules (:func:`read_lone_time`, :func:`read_time_column`).  A time without
    a date (``9am``) is not read here: its date is unknown (:func:`time_meant` says so).

    Parameters
    ----------
    text : str, float or None
        The time as written (a manifest cell, ``treated_at.txt``, a typed field).

    Returns
    -------
    str or None
        ``"{the date as written} HH:MM[:SS][offset]"``.
    """
    m = _DATED_TWELVE_HOUR.fullmatch(text.strip()) if isinstance(text, str) else None
    if m is None:
        return None
    h, minutes, seconds = int(m["h"]), int(m["m"] or 0), m["s"]
    if not 1 <= h <= 12 or minutes > 59 or (seconds is not None and int(seconds) > 59):
        return None
    hours = h % 12 + (12 if m["ap"].lower() == "p" else 0)
    return f"{m['date']} {hours:02d}:{minutes:02d}{':' + seconds if seconds else ''}{(m['off'] or '').upper()}"


def twelve_hour_refusal(text, what: str = "time") -> str:
    """Why a date and a time on the 12-hour clock that names no time (``2026-11-24 13:00 PM``,
    ``2026-11-24 0:30 AM``) is refused, in one sentence with the 24-hour time it would be; ``""`` for any other
    text (a 12-hour time that is read, :func:`twelve_hour_clock`, included).

    The 12-hour clock's hours run from 1 to 12: ``13:00 PM`` is a 24-hour time with PM added (13:00 or a mistyped
    1:00 PM?), ``0:30 AM`` a 24-hour time with AM added (12:30 AM is half past midnight); neither is guessed.

    Parameters
    ----------
    text : str, float or None
        The time as written.
    what : str, optional
        How the sentence names it (``"treatment time"``, ``"capture time"``).

    Returns
    -------
    str
    """
    m = _DATED_TWELVE_HOUR.fullmatch(text.strip()) if isinstance(text, str) else None
    if m is None or twelve_hour_clock(text) is not None:
        return ""
    h, mm, ap = int(m["h"]), m["m"] or "00", f"{m['ap'].upper()}M"
    if int(mm) > 59 or h > 23 or (m["s"] is not None and int(m["s"]) > 59):
        why = f"has a minute, second or hour no clock has ({m['h']}:{mm})"
        meant = ""
    else:
        why = (f"has the hour {h} with {ap}, and the 12-hour clock's hours run from 1 to 12 "
               f"({'half past midnight is 12:30 AM' if h == 0 else f'{h}:{mm} is already on the 24-hour clock'})")
        off = (m["off"] or "").upper()
        iso = f"{m['date']} {h:02d}:{mm}{off}"
        iso = iso if parse_time(iso) is not None else year_last_time(iso, year_last_order(iso) or "")
        iso = iso and parse_time(iso).isoformat(timespec="minutes").replace("+00:00", "Z" if off == "Z" else "+00:00")
        meant = f" (if {h:02d}:{mm}{off} was meant: {iso})" if iso else ""
    return (f"{what} {text.strip()!r} is not a time facemetrics reads, as it {why}: write it on the 24-hour clock "
            f"with colons{meant}, one of {ACCEPTED_TIME_FORMS}")


def read_lone_time(text) -> datetime | None:
    """A time typed alone (``study add --taken-at``, the app's fields): :func:`parse_time`, else a year-last
    date-time that tells its order by itself (``24/11/2026 9:00``: a field above 12); None otherwise
    (``1/12/2026 9:00`` stays refused: 1 December or 12 January).

    Parameters
    ----------
    text : str, datetime, float or None

    Returns
    -------
    datetime or None
    """
    t = parse_time(text)
    if t is not None or not isinstance(text, str):
        return t
    text = twelve_hour_clock(text) or text  # 2026-11-24 9:00 PM, 24/11/2026 9:00 PM: on the 24-hour clock
    t = parse_time(text)
    if t is not None:
        return t
    iso = year_last_time(text, year_last_order(text) or "")
    return parse_time(iso) if iso else None


@dataclass(frozen=True)
class TimeColumn:
    """A manifest column's times as read (:func:`read_time_column`).

    Attributes
    ----------
    times : tuple of str
        One per value: a year-last date-time read in the column's order as ISO 8601 text
        (``2026-11-24T09:00``), any other value as written.
    order : str
        :data:`DAY_FIRST` or :data:`MONTH_FIRST` when the column's values told it, else ``""``.
    reasons : tuple of str
        One per value: why its year-last date stays refused (one sentence, to add after
        :func:`time_meant`'s), ``""`` for the others.
    examples : tuple of str
        Up to three distinct values (as written) that told the order.
    """
    times: tuple
    order: str
    reasons: tuple
    examples: tuple = ()


def read_time_column(values) -> TimeColumn:
    """A manifest column's year-last date-times read in the one order its values tell (docs/guide.md, 'Sessions, names and typed times').

    The order is told by the values with a field above 12 (``24/11/2026`` day-first, ``11/24/2026``
    month-first) and holds for every year-last value of the column; with no such value, or with both orders
    told, every year-last value stays as written (refused by :func:`parse_time`) with a reason saying why.

    Parameters
    ----------
    values : sequence of str, float or None
        The column's cells, in row order.

    Returns
    -------
    TimeColumn
    """
    written = list(values)
    values = [twelve_hour_clock(v) or v for v in written]  # 9:00 PM -> 21:00 (the date kept as written)
    column = _read_time_column(values)
    # a value not read (a year-last date whose order the column does not tell) is kept as written
    times = tuple(w if t == v and parse_time(t) is None else t for w, v, t in zip(written, values, column.times))
    as_written = dict(zip(values, written))
    return TimeColumn(times, column.order, column.reasons, tuple(as_written.get(e, e) for e in column.examples))


def _read_time_column(values: list) -> TimeColumn:
    """:func:`read_time_column` of values with their 12-hour times on the 24-hour clock."""
    orders = [year_last_order(v) for v in values]
    told = {o for o in orders if o}
    examples = tuple(dict.fromkeys(str(v).strip() for v, o in zip(values, orders) if o))[:3]
    if len(told) == 1:
        (order,) = told
        times = tuple(year_last_time(v, order) or v if o is not None else v for v, o in zip(values, orders))
        return TimeColumn(times, order, ("",) * len(values), examples)
    if told:
        both = [next(str(v).strip() for v, o in zip(values, orders) if o == each) for each in (DAY_FIRST, MONTH_FIRST)]
        why = (f"the column has dates with the year last in both orders, such as {both[0]} and {both[1]}, so which "
               "order it uses cannot be told")
    else:
        why = ("no date in the column has a day above 12, so whether it is day/month/year or month/day/year "
               "cannot be told")
    return TimeColumn(tuple(values), "", tuple(why if o is not None else "" for o in orders), ())
