"""The table of changes as the decay and regimen fits read it: checked, typed and cleaned.

Its columns are listed in :mod:`facemetrics.decay.claim`'s docstring ("Input table").  Here:

- the checks and types (:func:`validate_changes`, :func:`_usable`): required columns, numbers,
  hours (or timedeltas; dates refused, :func:`_hours`), labels (a blank subject or treatment is
  one unnamed one, :data:`BLANK_SUBJECT`, :data:`BLANK_TREATMENT`; :func:`_labels`), noise floors,
  the mm scale each row was read in (:data:`CALIBRATION_SOURCES`);
- the rows left out: those whose comparison read ``uncertain`` (:data:`UNREAD_VERDICTS`,
  :func:`_unread_rows`), a photo listed twice (:func:`_repeated`), one photo listed at two times of
  a session (:func:`_at_two_times`);
- sessions as the batch keys them (:func:`_session_keys`, :mod:`facemetrics.timekeys`) and
  pictures by their ``sha256`` / ``pixel_sha256`` (:func:`_picture_ids`, :mod:`facemetrics.pairing`).

Bad input raises :class:`~facemetrics.decay.model.SeriesError` with a specific message.  Pure
functions on DataFrames; no file I/O.
"""

from __future__ import annotations

import datetime as _dt

import numpy as np
import pandas as pd

from ..pairing import linked_groups
from ..schema import CHANGES_INPUT_COLUMNS as REQUIRED_COLUMNS
from ..timekeys import match_sessions, session_key
from .model import SeriesError

__all__ = [
    "BLANK_SUBJECT",
    "BLANK_TREATMENT",
    "CALIBRATION_SOURCES",
    "UNREAD_VERDICTS",
    "labels_or",
    "validate_changes",
]


#: verdicts of rows that make no claim about the skin and are left out of every fit: a lift or
#: fold row of a pair whose upper faces matched only roughly (:data:`facemetrics.compare.UNCERTAIN`)
UNREAD_VERDICTS = ("uncertain",)


#: the ``subject`` given to rows whose subject is blank (NaN, None or ""): one unnamed subject
BLANK_SUBJECT = "(no subject)"
#: the ``treatment`` given to rows whose treatment is blank: one unnamed treatment (a batch folder
#: ``<subject>/treated_at.txt`` without a treatment folder, a manifest with the cell left empty)
BLANK_TREATMENT = "(no treatment)"


#: the ``calibration_source`` values a change table may carry (``long.csv``: the scale its before photo
#: was read in, ``photos.csv``'s column), and the mm scale's error each brings into the bootstrap
#: (:func:`facemetrics.decay.bootstrap._scale_factors`): ``iris`` the parts of
#: :data:`~facemetrics.decay.bootstrap.SCALE_SD`; ``user_ipd`` (``--ipd-mm``) the
#: IPD the user gave, ``geometry.USER_IPD_SD`` (1.5 %) per subject, as in the photo's
#: ``mm_per_px_uncertainty_pct``, and no iris part; ``user_mm_per_px`` (``--mm-per-px``) none: the user's
#: scale is taken as exact, as the photo's uncertainty leaves it empty.  A blank cell, or a table without
#: the column (written before it), is ``iris``.
CALIBRATION_SOURCES = ("iris", "user_ipd", "user_mm_per_px")


def _labels(df: pd.DataFrame) -> pd.DataFrame:
    """``subject``, ``treatment``, ``metric`` and ``side`` as strings (in place; returned), the
    names in Unicode's composed form (NFC, as the batch writes them,
    :func:`facemetrics.batch.discover.name_text`).

    A blank subject or treatment is one unnamed subject / treatment (:data:`BLANK_SUBJECT`,
    :data:`BLANK_TREATMENT`: not "", which marks the pooled fit's subject, report.is_pooled);
    a blank metric or side is a :class:`SeriesError` (pandas' groupby would drop the rows
    without a word)."""
    for c in ("metric", "side"):
        blank = _blank(df[c])
        if blank.any():
            raise SeriesError(f"{int(blank.sum())} of {len(df)} rows have no {c}; give every row its {c}")
    for c, label in (("subject", BLANK_SUBJECT), ("treatment", BLANK_TREATMENT)):
        df[c] = labels_or(df[c], label)
    for c in ("subject", "treatment", "metric", "side"):
        df[c] = df[c].astype(str)
    for c in ("subject", "treatment"):  # "Zoë" composed and decomposed look the same: one subject (NFC)
        df[c] = df[c].str.normalize("NFC")
    return df


def labels_or(col: pd.Series, label: str) -> pd.Series:
    """A label column as strings, its blank cells (:func:`_blank`: NaN, None, ``""`` or only spaces)
    replaced by ``label`` (e.g. :data:`BLANK_SUBJECT`; ``""`` makes every blank cell ``""``)."""
    return col.astype(object).where(~_blank(col), label).astype(str)  # object: a categorical column takes it too


def _blank(col: pd.Series) -> np.ndarray:
    """True where a label column is missing or empty (NaN and None as pandas reads a blank CSV
    cell, ``""``, or only spaces), shape (n,)."""
    return (col.isna() | col.astype(str).str.strip().eq("")).to_numpy()


def _hours(col: pd.Series) -> pd.Series:
    """The ``hours_since_treatment`` column as it is given, or converted from timedeltas to hours.

    Raises
    ------
    SeriesError
        Dates or times of day (datetime64, ``Timestamp``, ``datetime``): they are not a time
        *since the treatment* (``pd.to_numeric`` would read them as nanoseconds since 1970).
    """
    if pd.api.types.is_timedelta64_dtype(col):
        return col / pd.Timedelta(hours=1)
    dated = pd.api.types.is_datetime64_any_dtype(col)
    if not dated and col.dtype == object:
        kinds = {type(v) for v in col.dropna()}
        if kinds and all(issubclass(k, (pd.Timedelta, _dt.timedelta)) and not issubclass(k, _dt.datetime)
                         for k in kinds):
            return pd.to_timedelta(col) / pd.Timedelta(hours=1)
        dated = any(issubclass(k, (_dt.datetime, _dt.date, np.datetime64)) for k in kinds)
    if dated:
        raise SeriesError("hours_since_treatment holds dates or times of day; give the hours since the "
                          "treatment (a number, or a timedelta: photo time - treatment time)")
    return col


def _numbers(col: pd.Series) -> pd.Series:
    """A numeric column (``hours_since_treatment``, ``value``, ``noise_floor``) as floats; blank cells NaN.

    Raises
    ------
    SeriesError
        Naming the column, how many of its cells are not numbers and the first of them (its row by its index
        label: `timeline` labels long.csv's rows by their spreadsheet rows, the header row 1; by position counted
        from 0 until stop 66, which after a filter was not the label); for times written as dates or times of day (ISO 8601 text), what to give instead.
    """
    try:
        return pd.to_numeric(col, errors="raise").astype(float)
    except (TypeError, ValueError):
        pass
    numbers = pd.to_numeric(col, errors="coerce")
    bad = np.flatnonzero(numbers.isna().to_numpy() & ~_blank(col))
    first = col.iloc[bad[0]] if bad.size else None
    row = col.index[bad[0]] if bad.size else col.index[0]  # by label: `timeline` labels rows as a spreadsheet counts
    msg = (f"{col.name}: {bad.size} of {len(col)} cells are not numbers (the first, row {row}: "
           f"{first!r})")
    if col.name == "hours_since_treatment" and isinstance(first, str) and _is_date(first):
        msg += ("; they look like dates or times of day: give the hours since the treatment "
                "(photo time - treatment time)")
    raise SeriesError(msg) from None


def _is_date(text: str) -> bool:
    """Whether ``text`` reads as an ISO 8601 date or date and time (``2026-11-02``, ``2026-11-02T08:30``)."""
    try:
        _dt.datetime.fromisoformat(text.strip())
    except ValueError:
        return False
    return True


def validate_changes(changes: pd.DataFrame, metrics=None) -> pd.DataFrame:
    """The checked, typed and filtered copy of a change table (:func:`_usable`), each photo's row
    counted once (a repeated row, :func:`_repeated`, left out), without the photos listed at two
    times of one session (:func:`_at_two_times`): the rows :func:`~facemetrics.decay.claim.analyze_series` fits.

    Raises
    ------
    SeriesError
        As :func:`_usable`.
    """
    df, source, twice = _usable(changes, metrics)
    return df[~(_repeated(df, source) | twice)]


def _usable(changes: pd.DataFrame, metrics=None) -> tuple[pd.DataFrame, pd.DataFrame, np.ndarray]:
    """The checked, typed and filtered copy of a change table (rows with finite time and value,
    and, when the table has a ``verdict`` column, not one of :data:`UNREAD_VERDICTS`), the rows
    of ``changes`` it was made from (by position, the same order), and for each of its rows
    whether its photo is listed at two or more times (:func:`_at_two_times`, bool, shape (n,)),
    found among every row with a finite time, whatever its verdict or value: a copy whose own
    row reads ``uncertain`` still leaves the other copy's time unknown.

    ``hours_since_treatment`` may be numbers (hours) or timedeltas (converted to hours); blank
    labels as :func:`_labels`.

    Raises
    ------
    SeriesError
        Not a DataFrame, missing columns, non-numeric values, dates as times, a blank
        metric or side, a negative noise floor, or unknown metrics.
    """
    if not isinstance(changes, pd.DataFrame):
        raise SeriesError(f"changes must be a pandas DataFrame, not {type(changes).__name__}")
    missing = [c for c in REQUIRED_COLUMNS if c not in changes.columns]
    if missing:
        # "changes lacks column(s) hours_since_treatment" named the argument, not the table the user gave
        # (`timeline DIR`: DIR/long.csv; a new user's audit, 2026-12-04)
        raise SeriesError(f"the change table lacks column(s) {', '.join(missing)} (it needs "
                          f"{', '.join(REQUIRED_COLUMNS)}, as the long.csv `facemetrics batch` writes has them)")
    cols = list(REQUIRED_COLUMNS) + [c for c in ("noise_floor", "treated_at", "calibration_source", "taken_at")
                                      if c in changes.columns]
    df = _labels(changes.loc[:, cols].copy())
    if "calibration_source" in df.columns:
        df["calibration_source"] = _calibration_sources(df["calibration_source"])
    df["hours_since_treatment"] = _hours(df["hours_since_treatment"])
    df["unit"] = df["unit"].fillna("").astype(str)
    for c in ("treated_at", "taken_at"):  # text; taken_at: the time unit's check (decay.time_unit)
        if c in df.columns:
            df[c] = df[c].fillna("").astype(str)
    for c in ("hours_since_treatment", "value", "noise_floor"):
        if c in df.columns:
            df[c] = _numbers(df[c])
    if "noise_floor" in df.columns and (df["noise_floor"] < 0).any():
        raise SeriesError(f"{int((df['noise_floor'] < 0).sum())} rows have a negative noise_floor; a noise floor "
                          "is a size (>= 0, the metric's unit)")
    # by position, not by index label: a table concatenated without ignore_index repeats labels
    # (``changes.loc[df.index]`` then returned more rows than df: a ValueError; review, stop 27)
    keep = np.isfinite(df["hours_since_treatment"].to_numpy()) & np.isfinite(df["value"].to_numpy())
    if "verdict" in changes.columns:
        keep &= ~changes["verdict"].isin(UNREAD_VERDICTS).to_numpy()
    if metrics is not None:
        wanted = [metrics] if isinstance(metrics, str) else list(metrics)
        unknown = sorted(set(wanted) - set(df["metric"]))
        if unknown:
            raise SeriesError(
                f"unknown metric(s) {', '.join(unknown)}; available: {', '.join(sorted(set(df['metric'])))}"
            )
        keep &= df["metric"].isin(wanted).to_numpy()
    timed = np.isfinite(df["hours_since_treatment"].to_numpy())
    twice = np.zeros(len(df), dtype=bool)  # before the verdict filter (review of 674ec27, 5)
    twice[timed] = _at_two_times(df[timed], changes.iloc[np.flatnonzero(timed)])
    return df[keep], changes.iloc[np.flatnonzero(keep)], twice[keep]


def _calibration_sources(col: pd.Series) -> pd.Series:
    """A ``calibration_source`` column checked: each cell one of :data:`CALIBRATION_SOURCES` (spaces
    and case ignored), a blank cell (NaN, None, ``""``: a row written before the column)
    ``iris``.

    Raises
    ------
    SeriesError
        A cell with another value (naming it and the values allowed).
    """
    text = labels_or(col, "iris").str.strip().str.lower()
    bad = sorted(set(text) - set(CALIBRATION_SOURCES))
    if bad:
        n = int((~text.isin(CALIBRATION_SOURCES)).sum())
        raise SeriesError(f"{n} of {len(text)} rows {'has' if n == 1 else 'have'} an unknown calibration_source ({', '.join(map(repr, bad[:3]))}"
                          f"{', ...' if len(bad) > 3 else ''}); give {', '.join(CALIBRATION_SOURCES)} (the scale the "
                          "change was read in, as photos.csv says it) or leave the cell empty (iris)")
    return text


def _sources(data: pd.DataFrame) -> np.ndarray | None:
    """Each row's calibration source (:func:`_calibration_sources`, object, shape (n,)); None when the
    table has no ``calibration_source`` column (every row ``iris``)."""
    if "calibration_source" not in data.columns:
        return None
    return data["calibration_source"].to_numpy(dtype=object)


def _repeated(df: pd.DataFrame, source: pd.DataFrame, time: str = "hours_since_treatment") -> np.ndarray:
    """True for each row of ``df`` (shape (n,)) that repeats an earlier one: the same photo listed twice
    (two tables concatenated, a photo copied under another name).  Same subject, treatment, metric,
    side and ``time``, and the same photo: its ``sha256`` where ``source`` (the rows ``df`` came from,
    in the same order) has one, else its ``photo`` name, else (a table that names no photo) the same
    value.  Counted once: each row is an observation in the fits and their bootstrap, so a repeated
    one narrowed the intervals (audit).  A before photo's copy at another before time
    (:func:`_before_copies`) repeats it too."""
    key = df[["subject", "treatment", "metric", "side", time]].reset_index(drop=True)
    key["id"] = _photo_ids(source, df["value"].to_numpy())
    return key.duplicated(keep="first").to_numpy() | _before_copies(df, source, time)


def _picture_rows(df: pd.DataFrame, source: pd.DataFrame, time: str) -> tuple[pd.DataFrame, list[str]]:
    """The rows of ``df`` with a picture id (:func:`_picture_ids`; none without a ``sha256`` or
    ``pixel_sha256`` column), as a frame of their labels, session (:func:`_session_keys`), id (``sha``) and ``t``
    (``time``), indexed by position in ``df``, and the columns that group one picture of one
    session, metric and side."""
    cols = ["subject", "treatment", "metric", "side"]
    group = cols + ["session", "sha"]
    if not {"sha256", "pixel_sha256"} & set(source.columns) or df.empty:
        return pd.DataFrame(columns=group + ["t"]), group
    key = df[cols].astype(str).reset_index(drop=True)
    key["session"] = _session_keys(df)
    key["t"] = df[time].to_numpy(dtype=float)
    key["sha"] = _picture_ids(source, key["t"].to_numpy() < 0)
    return key[key["sha"] != ""], group


def _before_copies(df: pd.DataFrame, source: pd.DataFrame, time: str = "hours_since_treatment") -> np.ndarray:
    """True for each row of ``df`` (shape (n,)) whose picture (:func:`_picture_rows`) is listed earlier
    in ``df`` in its session, metric and side, every row of that picture being before the treatment
    (``time`` < 0), at any before time: a copy of a before photo (a byte copy, or one whose EXIF time
    was rewritten).  A before photo's exact time does not matter, only that its copy is no second
    observation, so it is counted once (the first row kept), not left out at both times as an
    after photo's copy is (:func:`_at_two_times`; review of 85fba1e, A)."""
    out = np.zeros(len(df), dtype=bool)
    named, group = _picture_rows(df, source, time)
    if named.empty:
        return out
    before = named.groupby(group)["t"].transform("max").to_numpy() < 0
    out[named.index.to_numpy()] = before & named.duplicated(subset=group, keep="first").to_numpy()
    return out


def _at_two_times(df: pd.DataFrame, source: pd.DataFrame, time: str = "hours_since_treatment") -> np.ndarray:
    """True for each row of ``df`` (shape (n,)) whose photo, by its ``sha256`` or ``pixel_sha256``
    (:func:`_picture_ids`, where ``source``, the rows ``df`` came from in the same order, has them),
    is listed at two or more ``time`` values of one session, metric and side, one of them at or after
    the treatment (``time`` >= 0; a before photo's copies at two before times are counted once,
    :func:`_before_copies`): one file dated twice, a copied file or a wrong capture time.  A
    session is the subject, treatment and ``treated_at`` (as the batch keys it, :func:`_session_keys`:
    one time written two ways is one session); where ``treated_at`` is missing or blank
    (a hand-made table, the app's timeline) nothing tells two sessions of one subject and treatment
    apart, so the photo is looked for among every time of that subject and treatment: one file
    used as session 1's 24 h photo and session 2's before photo is then left out at both
    (:func:`facemetrics.decay.left_out._without_session` words the reason so).  Which time is right
    cannot be told, and a copy compared with its own picture reads 0 by construction, so every copy
    is left out (no row is counted at a time nobody knows it was taken).  A photo name alone is no identity here (phones
    call every photo ``image.jpg``)."""
    out = np.zeros(len(df), dtype=bool)
    named, group = _picture_rows(df, source, time)
    if named.empty:
        return out
    times = named.groupby(group)["t"]
    out[named.index.to_numpy()] = ((times.transform("nunique").to_numpy() > 1)
                                   & (times.transform("max").to_numpy() >= 0))
    return out


def _picture_ids(source: pd.DataFrame, before: np.ndarray) -> np.ndarray:
    """Per row of ``source`` (shape (n,), object): one id per picture, ``""`` for a row with neither
    ``sha256`` nor ``pixel_sha256`` (a missing column reads as blank).  Rows with the same ``sha256``
    (one file), or on the same side of the treatment (``before``: bool, shape (n,), time < 0) with
    the same ``pixel_sha256`` (one picture under other bytes: a copy whose EXIF time was rewritten),
    directly or through other rows, share their id, as :func:`facemetrics.pairing.pair_photos` links
    photos (a before and an after photo of one picture are left to the same-picture rule)."""
    def col(name):
        if name not in source.columns:
            return np.full(len(source), "", dtype=object)
        return source[name].fillna("").astype(str).str.strip().to_numpy(dtype=object)

    nodes = [[n for n in (("sha256", s), ("pixels", bool(b), p)) if n[-1]]
             for s, p, b in zip(col("sha256"), col("pixel_sha256"), before)]
    return np.array([repr(g) if g else "" for g in linked_groups(nodes)], dtype=object)


def _session_texts(df: pd.DataFrame) -> np.ndarray:
    """Each row's ``treated_at`` as stripped text (object, shape (n,)); "" where the table has no
    such column or the cell is blank (NaN, None, spaces): no session is named."""
    if "treated_at" not in df.columns:
        return np.full(len(df), "", dtype=object)
    return df["treated_at"].fillna("").astype(str).str.strip().to_numpy(dtype=object)


def _session_keys(df: pd.DataFrame) -> np.ndarray:
    """Each row's treatment session within its subject and treatment, as the batch's tables key it
    (object, shape (n,)): the instant its ``treated_at`` names, by the batch's rule
    (:func:`facemetrics.timekeys.match_sessions`: ``08:00+01:00`` and ``07:00+00:00`` are one
    session; ``08:00`` without an offset is the session ``08:00+01:00`` of its subject and treatment
    when that is the only session with that wall-clock time), so that one session of ``long.csv`` is one here
    however its ``treated_at`` is written; ``""`` where no ``treated_at`` is given
    (:func:`_session_texts`).  A time the batch would give no session (an offset-free time matching
    two sessions with offsets: its photos are not in ``long.csv``) keeps its own key
    (:func:`facemetrics.timekeys.time_key`)."""
    texts = _session_texts(df)
    if not (texts != "").any():
        return texts
    triples = list(dict.fromkeys(zip(df["subject"].astype(str), df["treatment"].astype(str), texts)))
    rows = [dict(photo=str(i), subject=s, treatment=tr, treated_at=w) for i, (s, tr, w) in enumerate(triples)]
    keys, _ = match_sessions(rows)
    instant = {trip: keys.get(str(i), session_key(*trip))[2] for i, trip in enumerate(triples)}
    return np.array([instant[trip] for trip in zip(df["subject"].astype(str), df["treatment"].astype(str), texts)],
                    dtype=object)


def _photo_ids(source: pd.DataFrame, values: np.ndarray) -> np.ndarray:
    """Per row of ``source`` (shape (n,), object): ``"sha256:<hex>"`` where its ``sha256`` is filled,
    else ``"photo:<name>"`` where its ``photo`` is, else ``"value:<value>"``."""
    def col(name):
        if name not in source.columns:
            return np.full(len(source), "", dtype=object)
        return source[name].fillna("").astype(str).str.strip().to_numpy(dtype=object)

    sha, photo = col("sha256"), col("photo")
    by_value = np.array([f"value:{v!r}" for v in values], dtype=object)
    return np.where(sha != "", "sha256:" + sha, np.where(photo != "", "photo:" + photo, by_value))


def _has_time_and_value(rows: pd.DataFrame) -> np.ndarray:
    """Boolean mask, shape (len(rows),): a finite number in both ``hours_since_treatment`` and
    ``value`` (text that is not a number counts as missing)."""
    def finite(col: str) -> np.ndarray:
        return np.isfinite(pd.to_numeric(rows[col], errors="coerce").to_numpy(dtype=float))

    return finite("hours_since_treatment") & finite("value")


def _unread_rows(changes: pd.DataFrame, metrics=None) -> pd.DataFrame:
    """The rows :func:`validate_changes` left out only for their verdict (:data:`UNREAD_VERDICTS`;
    finite time and value, a metric that was asked for): ``subject``, ``treatment``, ``metric``,
    ``side`` as strings, one row per left-out photo row.  Empty without a ``verdict`` column."""
    cols = ["subject", "treatment", "metric", "side"]
    if "verdict" not in changes.columns:
        return pd.DataFrame(columns=cols)
    rows = changes[changes["verdict"].isin(UNREAD_VERDICTS)]
    finite = _has_time_and_value(rows)
    rows = rows.loc[finite]
    out = _labels(rows[cols].copy())  # the labels as the fits read them (blank subject, ...)
    key = out.assign(t=pd.to_numeric(_hours(rows["hours_since_treatment"]), errors="coerce").to_numpy(),
                     id=_photo_ids(rows, pd.to_numeric(rows["value"], errors="coerce").to_numpy()))
    out = out[~key.duplicated(keep="first").to_numpy()]  # a photo listed twice is one photo left out
    if metrics is None:
        return out
    return out[out["metric"].isin([metrics] if isinstance(metrics, str) else [str(m) for m in metrics])]
