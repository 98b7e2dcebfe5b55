"""A set of uploaded photos as a study: roles, pairs, rows.

The app's upload session (``app.py``) read as the batch reads a folder: which upload is which photo
(:func:`unique_uploads`: keyed by content, distinct labels), which photo is a 'before' or an 'after' photo
of which treatment and at how many hours since it (:func:`default_roles`, :func:`roles_at_treatment`, the
batch's rule when a treatment time is given), which photos are compared with which (:func:`pairs_of`,
:func:`facemetrics.pairing.pair_photos`, the batch's rule; :class:`Pair`), and the rows the downloads and
the Timeline tab's fits are made from, in the batch's words and columns (:func:`photos_rows`,
:func:`photos_table`, :func:`comparison_result`, :func:`session_disagreement`, :func:`timeline_rows`,
:func:`change_record`), and a comparison as the page and its ``comparison.csv`` give it, with the batch's
verdicts and the headline they imply (:func:`with_batch_verdicts`, :func:`comparison_frame`,
:func:`page_headline`).  The app has one person ("you").

Analyses, comparisons and roles tables in; tables, rows and frozen dataclasses out.  No Streamlit, no
files: the app only lays these out (its widgets, memo and worker process stay in ``app.py``), and each
rule here calls the batch's own function rather than keeping a copy of it (:mod:`facemetrics.batch`).
"""

from __future__ import annotations

import hashlib
import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from . import report as fm_report
from .batch import hours_between, long_rows
from .batch import results as batch_results
from .batch.tables import (HOURS_FROM_FIRST_BEFORE, MSG_BEFORE_TAKEN_AFTER, MSG_SAME_PICTURE_LEFT_OUT, baseline_rank,
                           before_taken_after, change_column, shared_faults)
from .compare.disagreement import MSG_BASELINES_DISAGREE, baseline_disagreement, result_dict
from .compare.expression import MSG_EXPRESSION
from .compare.floors import per_photo_scaled_uncertainty
from .compare.table import UNCERTAIN, float_or_nan
from .decay.claim import SAME_PHOTO_TIME_H
from .decay.wording import decimals_for
from .errors import StoreError
from .export import rows_frame
from .flags import FLAG_STARTS, flag_code  # a flag read by its code, not its wording (stop 66)
from .pairing import BASELINE, MAX_DAYS_BEFORE_TREATMENT, POST, PairingPhoto, pair_photos, too_early, too_late
from .rounding import fixed
from .schema import BATCH_COLUMNS, PHOTO_COLUMNS
from .sessions import iso_time, treatment_time
from .sidecar import is_json_name, photo_names_of, sidecar_names, sidecar_text_time, sidecar_text_unread
from .timekeys import taken_text, time_from_name  # taken_text: the roles table's ``taken`` cell

if TYPE_CHECKING:
    from .analyze import PhotoAnalysis

__all__ = ["capture_times", "taken_text", "name_hint", "upload_order", "default_roles", "roles_at_treatment",
           "treatment_time_text", "same_roles", "late_before_note", "unique_uploads", "Pair", "pair_key",
           "flags_row", "batch_rows", "hours_from", "PAIRING_ROLES", "pairs_of", "untimed_after_photos",
           "ON_THE_PAGE", "photos_rows", "CSV_ROLES", "photos_table", "compare_result", "comparison_result",
           "session_disagreement", "with_batch_verdicts", "comparison_frame", "page_headline",
           "pair_long_rows", "change_record", "timeline_rows", "with_sidecars", "MSG_SIDECAR_NO_PHOTO",
           "MSG_SIDECAR_UNREAD"]


#: an uploaded JSON file paired with no photo uploaded with it (:func:`with_sidecars`); ``{photo}``: the photo's
#: name it would be the sidecar of
MSG_SIDECAR_NO_PHOTO = ("not read: a JSON file is no photo, and no photo named {photo} was uploaded with it (a "
                        "Google Photos sidecar is read with its photo, IMG_1234.jpg.json with IMG_1234.jpg)")
#: an uploaded sidecar of a photo uploaded with it that gives no capture time (:func:`with_sidecars`), with the reason
#: :func:`facemetrics.sidecar.sidecar_text_unread` gives ("it keeps no capture time (photoTakenTime.timestamp)", "it
#: is not JSON text ..."; a sidecar that was not JSON read "keeps no capture time": stop 64's bad-input audit)
MSG_SIDECAR_UNREAD = "not read: {why}, so {photo} is timed without it"


def with_sidecars(items: list[tuple[str, bytes]]) -> tuple[list, dict, dict]:
    """Uploads split into photos and their Google Photos / Takeout sidecars, paired by name as the CLI pairs files
    on disk (:func:`facemetrics.sidecar.sidecar_names`: ``IMG_1234.jpg.json``,
    ``IMG_1234.jpg.supplemental-metadata.json`` or that word cut short, beside ``IMG_1234.jpg``).  A file named
    ``*.json`` is never a photo.

    Parameters
    ----------
    items : list of (str, bytes)
        The uploads: ``(file name, content)``.

    Returns
    -------
    photos : list of (str, bytes)
        The uploads that are not JSON, in order.
    times : dict
        ``{photo name: (its sidecar's time, the sidecar's name)}``: the first of its sidecars, in the order read,
        that keeps a capture time (:func:`facemetrics.sidecar.sidecar_text_time`: ISO 8601 in UTC with ``Z``).
    unread : dict
        ``{JSON name: why it is not read}`` (:data:`MSG_SIDECAR_NO_PHOTO`, :data:`MSG_SIDECAR_UNREAD`).
    """
    jsons = {name: data for name, data in items if is_json_name(name)}
    photos = [(name, data) for name, data in items if not is_json_name(name)]
    names = {name for name, _ in photos}
    times, unread = {}, {}
    for name in names:
        for side in sidecar_names(name, jsons):
            when = sidecar_text_time(jsons[side])
            if when and name not in times:
                times[name] = (when, side)
            elif not when:
                unread[side] = MSG_SIDECAR_UNREAD.format(why=sidecar_text_unread(jsons[side]) or
                                                         "it keeps no capture time", photo=name)
    for side in jsons:
        if not any(n in names for n in photo_names_of(side)):
            unread[side] = MSG_SIDECAR_NO_PHOTO.format(photo=(photo_names_of(side) or [side])[-1])
    return photos, times, {side: unread[side] for side in jsons if side in unread}


def naive(t: datetime | None) -> datetime | None:
    """``t`` as a wall-clock time (its UTC offset dropped, the clock reading kept); None for None."""
    return None if t is None else t.replace(tzinfo=None)


def capture_times(analyses: list[PhotoAnalysis]) -> tuple[list, list]:
    """Each upload's capture time and the same as a wall-clock time (:func:`naive`: order and display), for
    :func:`default_roles` and :func:`roles_at_treatment`: its EXIF time, else (a screenshot, a messenger copy) the
    time its file name states (:func:`facemetrics.timekeys.time_from_name`, the batch's rule); None without
    either or without a photo."""
    stamps = [(a.photo.taken_at or time_from_name(a.name)) if a.photo is not None else None for a in analyses]
    return stamps, [naive(t) for t in stamps]


#: words of a file name that say which photo was taken first, for photos of equal or no capture time
#: (a word: not next to a letter, any script's, ``[^\W\d_]``: ``postérieur`` says nothing, ``S01_pre2`` says before)
_BEFORE_WORDS = re.compile(r"(?<![^\W\d_])(?:before|pre|baseline)(?![^\W\d_])")
_AFTER_WORDS = re.compile(r"(?<![^\W\d_])(?:after|post)(?![^\W\d_])")


def name_hint(name: str) -> int:
    """What a file name says about its photo's role.

    Parameters
    ----------
    name : str
        The file name (its stem is read, case-insensitively, in Unicode's composed form, NFC; a word
        is delimited by what is not a letter: ``é`` is a letter whether the name writes it as one
        character or as ``e`` + a combining accent, as macOS writes file names, where ``pre\u0301op``
        read as the word 'pre'; an audit, 2026-12-04).

    Returns
    -------
    int
        0 for a name that says 'before' ('pre', 'baseline'), 2 for 'after' ('post'), else 1.
    """
    low = unicodedata.normalize("NFC", Path(name).stem).lower()
    return 0 if _BEFORE_WORDS.search(low) else 2 if _AFTER_WORDS.search(low) else 1


def upload_order(analyses: list[PhotoAnalysis], taken: list) -> list[int]:
    """The roles table's order of ``analyses``: by wall-clock capture time ``taken`` (None last), then by what the
    file name says (:func:`name_hint`), then by file name; never the upload order (uploading the same two photos in
    the other order flipped a lift into a sag: app audit 2026-12-03)."""
    return sorted(range(len(analyses)),
                  key=lambda i: (taken[i] is None, taken[i] or datetime.min, name_hint(analyses[i].name),
                                 analyses[i].name, i))


def default_roles(analyses: list[PhotoAnalysis], treatment: str, treated_at: str = "") -> pd.DataFrame:
    """The roles editor's default table: each photo's role and hours since treatment.

    With a treatment time ``treated_at`` (ISO 8601, as :func:`treatment_time_text` reads it): the batch's
    rule, :func:`roles_at_treatment`.  Without one, the rule below (the first 'before' photo's capture
    time stands for the treatment's):

    Photos are listed by EXIF capture time, then by what the file name says
    (:func:`name_hint`), then by file name (never the upload order).  A usable
    photo whose name says before, pre or baseline is "before", one whose name
    says after or post is "after", whatever the order.  The first usable photo
    listed that is not named 'after' is the first "before" photo; a photo whose
    name says neither is "before" if it is that photo or was taken less than
    :data:`facemetrics.decay.claim.SAME_PHOTO_TIME_H` (5 min) after it (a
    retake: one photo time, as the decay fit counts it; also one taken earlier,
    which only photos of different UTC offsets can be), else "after" (also
    without a capture time); unless that would leave no "after" photo (two
    photos minutes apart, a short session: before and after).  Without capture times and name hints: the first
    by file name is "before", the others "after".  An unusable photo is
    "ignore", and so is a photo dated more than
    :data:`facemetrics.pairing.MAX_DAYS_BEFORE_TREATMENT` (30 days) before every one of two or
    more other usable photos with a capture time (a camera whose clock was reset dates its photos
    2000-01-01: as the first photo it was the 'before' photo and every other photo an 'after'
    photo at +235280 h), and so is a photo dated more than
    :data:`facemetrics.pairing.MAX_DAYS_AFTER_TREATMENT` (365 days) after the first 'before' photo when
    two or more others have a capture time (a camera clock set ahead, 2031: compared at +43825 h); ``table.attrs["too_early"]`` gives
    ``{photo: why}`` of both for the editor.

    Parameters
    ----------
    analyses : list of PhotoAnalysis
        The uploads' analyses (read: ``name``, ``ok``, ``photo.taken_at``).
    treatment : str
        Every row's treatment name.
    treated_at : str, optional
        The treatment time (ISO 8601; "" for none).

    Returns
    -------
    pandas.DataFrame
        One row per analysis, in the order above: ``photo``, ``taken``
        (wall-clock capture time, "YYYY-MM-DD HH:MM"; "" without one), ``role``
        ("before", "after" or "ignore"), ``treatment`` and
        ``hours_since_treatment`` [h]: from the first "before" photo's capture
        time (the first usable photo's when none is "before") by
        :func:`facemetrics.batch.hours_between` (both with a UTC offset: as
        instants; otherwise as wall-clock times), None when either photo has no
        capture time.
    """
    if treated_at:
        return roles_at_treatment(analyses, treatment, treated_at)
    stamps, taken = capture_times(analyses)
    order = upload_order(analyses, taken)
    usable = [i for i in order if analyses[i].ok]
    hint = {i: name_hint(analyses[i].name) for i in usable}
    # a photo dated more than MAX_DAYS_BEFORE_TREATMENT before all the others (two or more: a before/after
    # pair months apart stays a pair) is no 'before' photo: a reset camera clock (2000-01-01) or another
    # session's photo; 'ignore' by default, named (an audit, 2026-12-04; the batch's rule, pairing.too_early)
    timed, stale = [i for i in usable if stamps[i]], []
    while len(timed) >= 3 and hours_between(stamps[timed[1]], stamps[timed[0]]) > MAX_DAYS_BEFORE_TREATMENT * 24.0:
        stale.append(timed.pop(0))
    usable = [i for i in usable if i not in stale]
    first = next((i for i in usable if hint[i] != 2), None)  # the first 'before' photo
    ref = first if first is not None else (usable[0] if usable else None)
    t0 = stamps[ref] if ref is not None else None
    rows, retakes = [], []
    for i in order:
        a = analyses[i]
        # without capture times no hours are guessed (not even 0 for the 'before' photo): the user's
        # entries, not the upload order, then decide which 'before' photo is the reference
        hours = hours_between(stamps[i], t0) if (stamps[i] and t0) else None
        # a second 'before' photo (a retake minutes after the first, or named so) is a before repeat, not an
        # 'after' at +0.03 h: it set no noise floor and was a near-zero Timeline point (app audit, 2026-12-04)
        retake = a.ok and i != first and hint[i] == 1 and hours is not None and hours < SAME_PHOTO_TIME_H
        retakes.append(retake)
        # the batch's rule, pairing.too_late; as above, only beside two or more other photos with a time
        late = too_late(hours) if a.ok and len(timed) >= 3 else ""
        role = "ignore" if not a.ok or i in stale or late else \
            "before" if hint[i] == 0 or i == first or retake else "after"
        rows.append(dict(photo=a.name, taken=taken_text(taken[i]),
                         role=role, treatment=treatment, hours_since_treatment=hours, _late=late))
    if not any(r["role"] == "after" for r in rows):  # the time rule never leaves no 'after' photo: two photos
        for r, retake in zip(rows, retakes):        # minutes apart (a short session) stay a before/after pair
            r["role"] = "after" if retake else r["role"]
    late_why = {r["photo"]: r.pop("_late") for r in rows}
    table = pd.DataFrame(rows)
    # {photo: why it is 'ignore' by default}, for the editor's warning
    table.attrs["too_early"] = {**{analyses[i].name: too_early(hours_between(stamps[i], t0)) for i in stale},
                                **{name: why for name, why in late_why.items() if why}}
    return table


def roles_at_treatment(analyses: list[PhotoAnalysis], treatment: str, treated_at: str) -> pd.DataFrame:
    """The roles editor's default table with a treatment time: the batch's rule, so that the same photos with the
    same capture times and treatment time are paired and timed as ``facemetrics batch`` pairs and times them.

    Each photo's hours since treatment are its capture time minus ``treated_at`` (:func:`facemetrics.batch.hours_between`,
    ``treated_at`` read among the photos' capture times as the batch reads it,
    :func:`facemetrics.sessions.treatment_time`); a usable photo taken before it is "before", one taken at or after it
    "after" (``photos.csv``'s ``role``: ``baseline`` / ``post``), whatever its file name says and however few minutes
    from the treatment: a photo 2 min after a treatment that the 5-min retake rule of :func:`default_roles` made a
    second 'before' photo was an 'after' photo in the batch (stop 44's audit).  A photo dated more than
    :data:`facemetrics.pairing.MAX_DAYS_BEFORE_TREATMENT` before it or
    :data:`~facemetrics.pairing.MAX_DAYS_AFTER_TREATMENT` after it is "ignore", with the batch's reason in
    ``table.attrs["too_early"]``.  A photo without a capture time has no hours and its role by its file name
    (:func:`name_hint`: "before" if it says so, else "after"); the batch leaves it out (no time).

    Parameters
    ----------
    analyses : list of PhotoAnalysis
        The uploads' analyses (read: ``name``, ``ok``, ``photo.taken_at``).
    treatment : str
        Every row's treatment name.
    treated_at : str
        The treatment time, ISO 8601 (with or without a UTC offset).

    Returns
    -------
    pandas.DataFrame
        As :func:`default_roles`: ``photo``, ``taken``, ``role``, ``treatment``, ``hours_since_treatment`` [h],
        in :func:`upload_order`.
    """
    stamps, taken = capture_times(analyses)
    treated = treatment_time(treated_at, [t.isoformat() for t in stamps if t is not None])
    rows, why = [], {}
    for i in upload_order(analyses, taken):
        a = analyses[i]
        hours = hours_between(stamps[i], treated) if stamps[i] is not None else None
        far = (too_early(hours) or too_late(hours)) if a.ok and hours is not None else ""
        if far:
            why[a.name] = far
        role = ("ignore" if not a.ok or far else
                ("before" if name_hint(a.name) == 0 else "after") if hours is None else
                "before" if hours < 0 else "after")
        rows.append(dict(photo=a.name, taken=taken_text(taken[i]),
                         role=role, treatment=treatment, hours_since_treatment=hours))
    table = pd.DataFrame(rows)
    table.attrs["too_early"], table.attrs["treated_at"] = why, treated_at  # read by the editor, hours_from
    return table


def treatment_time_text(text) -> tuple[str, str]:
    """``(treated_at, why)``: the roles editor's treatment time field read as the batch and *My study* read a
    treatment time (:func:`facemetrics.sessions.iso_time`: ISO 8601, a UTC offset optional, a date alone
    refused): ``(ISO 8601 text, "")``, ``("", "")`` for an empty field, or ``("", the reason it is refused)``
    (:func:`facemetrics.timekeys.time_meant`'s sentence, with the time each reading would be)."""
    try:
        return iso_time(str(text or "").strip()), ""
    except StoreError as e:
        return "", str(e)


def same_roles(a: pd.DataFrame, b: pd.DataFrame) -> bool:
    """The two roles tables pair the same photos with the same treatments and hours."""
    cols = ["photo", "role", "treatment", "hours_since_treatment"]
    if list(a["photo"]) != list(b["photo"]):
        return False
    x, y = a[cols].reset_index(drop=True), b[cols].reset_index(drop=True)
    hx = pd.to_numeric(x.pop("hours_since_treatment"), errors="coerce")
    hy = pd.to_numeric(y.pop("hours_since_treatment"), errors="coerce")
    return (x.astype(str).equals(y.astype(str))
            and bool(((hx == hy) | (hx.isna() & hy.isna())).all()))


def late_before_note(roles: pd.DataFrame) -> str:
    """The roles table's 'before' photos dated at or after their treatment time, by the batch's rule
    (:func:`facemetrics.batch.tables.before_taken_after`; a treatment's hours count from its treatment when one
    of its photos has negative hours, :func:`hours_from`, else from its first 'before' photo and no positive hour
    contradicts anything); "" when there is none.  Each comparison such a photo is in says it too."""
    rows = []
    for t in roles["treatment"].dropna().astype(str).unique():
        frm = hours_from(roles, t)
        sel = roles[(roles["treatment"].astype(str) == t) & (roles["role"] == "before")]
        rows += [dict(photo=r.photo, hours_since_treatment=r.hours_since_treatment, hours_from=frm)
                 for r in sel.itertuples()]
    return before_taken_after(rows)


def unique_uploads(files: list[tuple[str, bytes]]) -> tuple[list[tuple[str, bytes, str]], list[str]]:
    """Key uploads by content: ``([(label, bytes, sha256)], duplicate notes)``.

    A file whose bytes equal an earlier upload's is dropped with a note
    (``"image.jpg is the same photo (identical file) as before.jpg: it is used once."``; one file picked
    twice, ``"before.jpg was uploaded twice (identical files): it is used once."``), so a photo
    is never compared with itself. Different photos with the same file name
    (phones call every upload ``image.jpg``) get distinct labels: ``image.jpg``,
    ``image (2).jpg``, ... numbered in the order of their contents' hashes, not of the uploads, so
    that a photo's label (the pairing rule's tie-break, :mod:`facemetrics.pairing`) does not
    depend on the order the files were picked in.

    Parameters
    ----------
    files : list of (str, bytes)
        The uploads' file names and contents, in the order they were picked.

    Returns
    -------
    kept : list of (str, bytes, str)
        ``(label, bytes, sha256 hex digest)`` of each distinct content, in upload order.
    notes : list of str
        One sentence per upload dropped as a copy of another.
    """
    first: dict[str, str] = {}  # sha -> the name it was first uploaded under
    kept: list[tuple[str, bytes, str]] = []
    notes = []
    for name, data in files:
        sha = hashlib.sha256(data).hexdigest()
        if sha in first:
            notes.append((name, sha))
            continue
        first[sha] = name
        kept.append((name, data, sha))
    used: set[str] = set()
    label_of: dict[str, str] = {}
    for name, _, sha in sorted(kept, key=lambda f: (f[0].lower(), f[2])):
        label, n = name, 1
        while label.lower() in used:
            n += 1
            stem, dot, ext = name.rpartition(".")
            label = f"{stem} ({n}).{ext}" if dot else f"{name} ({n})"
        used.add(label.lower())
        label_of[sha] = label
    return ([(label_of[sha], data, sha) for _, data, sha in kept],
            [f"{name} was uploaded twice (identical files): it is used once." if name == label_of[sha] else
             f"{name} is the same photo (identical file) as {label_of[sha]}: it is used once." for name, sha in notes])


@dataclass(frozen=True)
class Pair:
    """A comparison of :func:`pairs_of`: the analyses of a :class:`facemetrics.pairing.PhotoPair`'s photos."""

    before: PhotoAnalysis
    after: PhotoAnalysis
    repeats: tuple = ()
    treatment: str = ""
    hours_since_treatment: float | None = None
    no_change: bool = False  # two 'before' photos: what it shows is the photos' repeatability
    on_timeline: bool = False  # :attr:`facemetrics.pairing.PhotoPair.on_timeline`
    before_hours: float | None = None  # the before photo's hours since treatment (None when unknown)
    passed_over: tuple = ()  # :attr:`facemetrics.pairing.PhotoPair.passed_over`: earlier 'before' photos' names
    shared_faults: frozenset = frozenset()  # :func:`facemetrics.batch.tables.shared_faults`: of its 'after' photos
    hours_from: str = ""  # what its hours count from when no treatment time was given (:func:`hours_from`)
    repeat_hours: tuple = ()  # its repeats' hours since treatment (None when unknown), in ``repeats``' order
    treated_at: str = ""  # the treatment time typed (``roles.attrs["treated_at"]``, ISO 8601), "" without one


def pair_key(pair: Pair) -> tuple:
    """A pair's memo key (the app's ``compare`` and ``comparison_image``): the SHA-256 digests of its before
    and after photos and a tuple of those of its repeat photos."""
    return (pair.before.photo.sha256, pair.after.photo.sha256, tuple(r.photo.sha256 for r in pair.repeats))


def flags_row(a: PhotoAnalysis) -> dict:
    """The ``photos.csv`` cells of an analysis that the batch's choice of the before photo reads
    (:func:`facemetrics.batch.tables.baseline_rank`, :func:`~facemetrics.batch.tables.baseline_messages`):
    ``photo`` (its upload name) and ``quality_flags`` (as :meth:`facemetrics.PhotoAnalysis.to_row`
    writes them; "" without a quality check, or for an object without ``quality``)."""
    q = getattr(a, "quality", None)
    return {"photo": a.name, "quality_flags": "; ".join(q.flags) if q is not None else ""}


def batch_rows(pair: Pair) -> tuple[dict, list[dict]]:
    """``(r, base)``: the ``photos.csv`` rows of a pair's photos as the batch's flags on a comparison read them
    (:func:`facemetrics.batch.results.comparison_result`).  ``r``, the compared ('after') photo's
    :func:`flags_row` with its role (``baseline`` in a no-change check), its hours since treatment [h], the
    earlier 'before' photos passed over and its treatment's shared faults; ``base``, the before photo's (with
    its hours since treatment [h]) and its repeats'."""
    r = dict(flags_row(pair.after), role=BASELINE if pair.no_change else POST,
             hours_since_treatment=pair.hours_since_treatment, _passed_over=pair.passed_over,
             _shared_faults=pair.shared_faults, hours_from=pair.hours_from)
    hours = list(pair.repeat_hours) + [None] * (len(pair.repeats) - len(pair.repeat_hours))
    base = [dict(flags_row(pair.before), hours_since_treatment=pair.before_hours, hours_from=pair.hours_from),
            *(dict(flags_row(a), hours_since_treatment=h, hours_from=pair.hours_from)
              for a, h in zip(pair.repeats, hours))]
    return r, base


def hours_from(roles: pd.DataFrame, treatment: str) -> str:
    """What a treatment's hours in the roles table count from, for the batch's wording
    (:func:`facemetrics.batch.tables.same_picture_left_out`): "" (the treatment) when a treatment time was given
    (``roles.attrs["treated_at"]``, :func:`roles_at_treatment`) or one of its 'before' or 'after' photos has
    negative hours (hours typed from a treatment time: the photos before it are negative), else :data:`facemetrics.batch.tables.HOURS_FROM_FIRST_BEFORE`: the default hours count
    from the first 'before' photo, and a second 'before' photo 5 min later is no photo "0.1 h after the
    treatment" (a fresh user's audit, 2026-12-04).  Only a 'before' photo's negative hours say so: an 'after'
    photo dated before the 'before' photo has negative default hours too (a pair uploaded in the wrong order,
    which compare's own message asks about), and read as a treatment time it made the 'before' photo "at the time
    of the treatment", "taken after the treatment" and the pair 'uncertain' (h7's browser audit, 2026-12-05)."""
    if roles.attrs.get("treated_at"):  # a treatment time was given (roles_at_treatment): the hours count from it
        return ""
    rows = roles[(roles["treatment"].astype(str) == treatment) & (roles["role"] == "before")]
    h = pd.to_numeric(rows["hours_since_treatment"], errors="coerce")
    return "" if bool((h < 0).any()) else HOURS_FROM_FIRST_BEFORE


#: the roles editor's roles, as :mod:`facemetrics.pairing` names them ('ignore': not compared)
PAIRING_ROLES = {"before": BASELINE, "after": POST}


def pairs_of(roles: pd.DataFrame, by_name: dict) -> dict[str, Pair]:
    """``{label: Pair}``: the comparisons of :func:`facemetrics.pairing.pair_photos`, the batch's rule.

    Each treatment is a session; its 'before' photos are the baseline (the
    before photo is the earliest by hours since treatment of those with the
    fewest quality flags that make a comparison unreadable and that most of
    the treatment's 'after' photos lack, as the batch chooses it:
    :func:`facemetrics.batch.tables.baseline_rank`,
    :func:`~facemetrics.batch.tables.shared_faults`; the others
    are its repeats; with two or more, each is also checked against the
    others), its 'after' photos are compared with them.  Unusable photos, 'ignore' and a
    missing treatment are not compared.  Listed with the before/after
    comparisons first, then the no-change checks.

    Parameters
    ----------
    roles : pandas.DataFrame
        The roles table (:func:`default_roles`, as edited): ``photo``, ``role``, ``treatment``,
        ``hours_since_treatment`` [h]; its ``attrs["treated_at"]`` the treatment time typed, if any.
    by_name : dict of str to PhotoAnalysis
        Each photo's analysis by its upload label.

    Returns
    -------
    dict of str to Pair
        ``"treatment: before.jpg → after.jpg"`` (``" (no-change check)"`` after a check's) to its :class:`Pair`.
    """
    given, hours, posts = [], {}, {}
    for r in roles.itertuples():
        hours[r.photo] = r.hours_since_treatment
        a = by_name[r.photo]
        treatment = None if pd.isna(r.treatment) else str(r.treatment)
        role = PAIRING_ROLES.get(r.role, "") if a.ok and treatment is not None else ""
        content = a.photo.sha256 if a.photo is not None else ""
        given.append((r, a, treatment or "", role, content))
        if role == POST:  # the treatment's measured 'after' photos, one per file content (as the batch)
            posts.setdefault(treatment, {}).setdefault(content or r.photo, flags_row(a))
    shared = {t: shared_faults(p.values()) for t, p in posts.items()}
    photos = [PairingPhoto(r.photo, (t,), role, r.hours_since_treatment, content,
                           baseline_rank=baseline_rank(flags_row(a), shared.get(t, frozenset()))
                           if role == BASELINE else 0)
              for r, a, t, role, content in given]
    pairs = {}
    for p in sorted(pair_photos(photos).pairs, key=lambda p: p.no_change):
        label = f"{p.session[0]}: {p.before} → {p.photo}" + (" (no-change check)" if p.no_change else "")
        pairs[label] = Pair(by_name[p.before], by_name[p.photo], tuple(by_name[n] for n in p.repeats),
                            p.session[0], p.hours_since_treatment, p.no_change, p.on_timeline,
                            hours.get(p.before), p.passed_over, shared.get(p.session[0], frozenset()),
                            hours_from(roles, p.session[0]), tuple(hours.get(n) for n in p.repeats),
                            str(roles.attrs.get("treated_at") or ""))
    return pairs


def untimed_after_photos(pairs: dict) -> list[str]:
    """The 'after' photos of ``pairs`` (:func:`pairs_of`) compared but with no hours since treatment
    (no EXIF capture time, e.g. a photo sent through a messaging app, and none entered in the roles
    table), in file-name order: the Timeline tab plots a photo at its hours, so these are not on it.

    Parameters
    ----------
    pairs : dict of str to Pair
        The page's comparisons.

    Returns
    -------
    list of str
        Their names (each once), empty when every 'after' photo has its hours.
    """
    return sorted({p.after.name for p in pairs.values() if not p.no_change and p.hours_since_treatment is None})


#: where the app's comparisons are, as a ``photos.csv`` row's warning names them (:func:`photos_rows`)
ON_THE_PAGE = "on the app's page"


def photos_rows(analyses: list, pairs: dict, comparison_of) -> list[dict]:
    """The ``photos.csv`` download's rows, one per analysis: :meth:`facemetrics.PhotoAnalysis.to_row`, except
    that a photo of several faces whose comparisons measured another face than the largest (the face that
    matches the other photo, :mod:`facemetrics.compare.faces`) gets that face's row, its warnings saying which
    and why, as the batch writes it (:func:`facemetrics.batch.runner.agree_faces`; the download described the
    largest face while the page compared another: a fresh user's audit, 2026-12-04).  ``comparison_of(pair)``:
    a pair's comparison if it was made, else None (a pair not made is not counted: its photo's row stays the
    largest face's, which its warnings say).

    Parameters
    ----------
    analyses : list of PhotoAnalysis
        The uploads' analyses, in the order of the rows.
    pairs : dict of str to Pair
        The page's comparisons (:func:`pairs_of`).
    comparison_of : callable
        ``comparison_of(pair)``: the pair's :class:`~facemetrics.compare.Comparison`, or None.

    Returns
    -------
    list of dict
        One ``photos.csv`` row per analysis (:data:`facemetrics.schema.PHOTO_COLUMNS`).
    """
    from .batch.runner import agree_faces
    from .batch.workers import faces_used

    rows = {a.name: a.to_row() for a in analyses}
    jobs, results = [], {}
    for p in pairs.values():
        cmp = comparison_of(p)
        if cmp is None or p.after.name not in rows or p.before.name not in rows:
            continue
        results[len(jobs)] = {"status": str(cmp.status), "faces": faces_used(p.before, p.after, cmp)}
        jobs.append((rows[p.after.name], [rows[p.before.name]]))
    agree_faces(jobs, results, where=ON_THE_PAGE)
    return [rows[a.name] for a in analyses]


#: photos.csv's ``role`` of each role of the roles table: the batch's words (``pairing.BASELINE`` / ``POST``), one rule
#: for every CSV file (the app's words are 'before' / 'after'; its caption says which is which)
CSV_ROLES = {"before": BASELINE, "after": POST}


def photos_table(rows: list[dict], roles: pd.DataFrame, treated_at: str = "") -> pd.DataFrame:
    """The ``photos.csv`` download: the :func:`photos_rows` ``rows`` with the columns the batch adds after them
    (:data:`facemetrics.schema.BATCH_COLUMNS`) from the roles table ``roles``: ``treatment``, ``treated_at`` (the
    treatment time given, ISO 8601; "" for none, when the hours count from the first 'before' photo),
    ``hours_since_treatment`` [h], ``role`` in the batch's words (:data:`CSV_ROLES`: ``baseline`` for 'before',
    ``post`` for 'after', "" for 'ignore'), and ``excluded`` (why a measured photo has no role).  The app's
    photos.csv had no role at all while the batch's said ``baseline`` / ``post`` (stop 44's audit): the same photos
    now carry the same role words in both."""
    by_photo = {r.photo: r for r in roles.itertuples()}
    far = roles.attrs.get("too_early", {})
    out = []
    for row in rows:
        r = by_photo.get(row.get("photo"))
        role = CSV_ROLES.get(getattr(r, "role", ""), "")
        hours = getattr(r, "hours_since_treatment", None)
        excluded = "" if role or row.get("status") != "ok" else \
            far.get(row["photo"]) or "set to 'ignore' in the app's table of roles"
        out.append(dict(row, treatment=getattr(r, "treatment", ""), treated_at=treated_at,
                        hours_since_treatment=hours, role=role, excluded=excluded))
    return rows_frame(out, PHOTO_COLUMNS + BATCH_COLUMNS)


def compare_result(cmp) -> dict:
    """A :class:`facemetrics.compare.Comparison` as the batch's cache holds its result: ``status``,
    ``messages`` (list of str), ``rows`` (:meth:`~facemetrics.compare.Comparison.to_frame`'s records) and
    ``scale_uncertainty_pct`` (the before photo's mm scale uncertainty, %, 1 SD: each row's
    ``change_scale_sd`` in the batch's tables, :func:`facemetrics.compare.table.with_scale_sds`): the
    library's own :func:`facemetrics.compare.disagreement.result_dict`."""
    return result_dict(cmp)


def comparison_result(pair: Pair, cmp, disagreement: tuple[str, bool] = ("", False)) -> dict:
    """A pair's comparison as the batch reports it in ``changes.csv``: ``status``, ``messages`` and ``rows``
    of :func:`facemetrics.batch.results.comparison_result` (the batch's own call) on :func:`batch_rows` and
    :func:`compare_result`.  ``disagreement``: its treatment's :func:`session_disagreement` (default: its
    'before' photos agree).

    Parameters
    ----------
    pair : Pair
        The pair compared.
    cmp : facemetrics.compare.Comparison
        Its comparison.
    disagreement : (str, bool), optional
        Its treatment's message on 'before' photos that disagree, and whether its changes are left out of the fits.

    Returns
    -------
    dict
        ``status`` (str), ``messages`` (list of str) and ``rows`` (list of dict, compare's rows, each with the batch's
        ``verdict``), as ``changes.csv`` reports the comparison.
    """
    r, base = batch_rows(pair)
    return batch_results.comparison_result(r, base, compare_result(cmp), disagreement)


def session_disagreement(pair: Pair, pairs: dict, comparison_of) -> tuple[str, bool]:
    """The batch's message on a pair's treatment whose 'before' photos disagree, and whether its changes are
    left out of the fits (:func:`facemetrics.compare.disagreement.baseline_disagreement` of the treatment's no-change
    checks among ``pairs``, as compare returned them; ``("", False)`` when they agree or there are none).
    ``comparison_of(pair)``: a pair's comparison, or None when it failed (left out, as the batch leaves a
    failed one)."""
    checks = []
    for p in pairs.values():
        if p.no_change and p.treatment == pair.treatment:
            cmp = comparison_of(p)
            if cmp is not None:
                checks.append((*batch_rows(p), compare_result(cmp)))
    return baseline_disagreement(checks)


def with_batch_verdicts(frame: pd.DataFrame, result: dict) -> pd.DataFrame:
    """``frame`` (a comparison's :meth:`~facemetrics.compare.Comparison.to_frame` or ``to_csv_frame``: one row
    per metric and side, in compare's order) with the verdicts the batch gives its rows in ``changes.csv``:
    those of ``result``'s rows (:func:`comparison_result`, made from the same rows in the same order:
    ``uncertain`` on a same-picture or re-saved copy of the before photo, and on a treatment whose 'before'
    photos disagree enough to be left out of the fits).  A copy; ``frame`` is not changed."""
    out = frame.copy()
    out["verdict"] = [m.get("verdict") for m in result["rows"]]
    return out


def comparison_frame(cmp, pair: Pair, result: dict | None = None) -> pd.DataFrame:
    """``comparison.csv`` (:meth:`facemetrics.compare.Comparison.to_csv_frame`: the table with the photos'
    upload names, the comparison's status and messages and the version, as ``facemetrics compare`` writes
    it) with the status, messages and verdicts the batch gives the pair in ``changes.csv``: those of
    ``result`` (:func:`comparison_result`; default: the pair's, its treatment's 'before' photos taken to
    agree; verdicts by :func:`with_batch_verdicts`, as the page's table shows them)."""
    result = comparison_result(pair, cmp) if result is None else result
    frame = with_batch_verdicts(cmp.to_csv_frame(before_photo=pair.before.name, after_photo=pair.after.name), result)
    frame["status"], frame["messages"] = result["status"], "; ".join(result["messages"])
    return frame


def smile_flag(a) -> str:
    """The figures of the ``smiling`` flag an analysis ``a``'s quality check gave it, as ``photos.csv``'s
    ``quality_flags`` carry it ("smile score 1.57 SD, limit 1.35 SD"; "smiling" without figures), or "" when it has
    none (no quality check, or not flagged).  The photo's own flag, not the comparison's mouth-corner cue (that cue
    fires on 11 of the 12 debruine pose pairs, none of them smiling)."""
    q = getattr(a, "quality", None)
    for f in (q.flags if q is not None else ()):
        if flag_code(f) == "smiling":
            return f.split(":", 1)[0].removeprefix(FLAG_STARTS["smiling"]).strip(" ()") or FLAG_STARTS["smiling"]
    return ""


#: what a headline that claims nothing starts with (:func:`facemetrics.report.headline`)
_NO_CLAIM = "no lift or sag can be claimed: "


def _smile_headline(headline: str, frame: pd.DataFrame, messages, smiles: tuple[str, str]) -> str:
    """``headline`` (compare's own, :func:`page_headline`) naming the smile when one of the two photos is flagged
    smiling and the other is not (``smiles``: the before and after photos' :func:`smile_flag`): the jawline's change
    may be the smile, whatever its verdict, and the headline named only a rough match of the upper faces (London 003
    neutral -> smiling, stop 54's app audit).  A cause of 'uncertain' rows it named follows ("; also, the upper faces
    match only roughly after alignment").  Unchanged when both or neither are flagged, or when compare's lip check
    already says the expression differs (its headline: "not a skin change")."""
    before, after = smiles
    if bool(before) == bool(after) or any(str(m).startswith(MSG_EXPRESSION + ":") for m in messages):
        return headline
    r = frame[(frame["metric"] == fm_report.HEADLINE_METRIC) & (frame["side"] == "mean")].iloc[0]
    change, unit = float(r["change"]), r["unit"] or "mm"
    figure = f"{fixed(change, 2, sign=True)} {unit}" + fm_report.floor_text(
        float(r["noise_floor"]), unit, r.get("change_scale_sd", math.nan))
    which, flag, other = ("after", after, "before") if after else ("before", before, "after")
    out = (f"{_NO_CLAIM}the {which} photo is flagged smiling ({flag}) and the {other} photo is not, so the jawline's "
           f"{figure} may be the smile, not {'a lift' if change >= 0 else 'a sag'}")
    cause = headline[len(_NO_CLAIM):].split(", so the jawline's", 1)[0] if headline.startswith(_NO_CLAIM) else ""
    return out + (f"; also, {cause}" if cause and "smile" not in cause else "")


def page_headline(frame: pd.DataFrame, messages, result: dict, smiles: tuple[str, str] = ("", "")) -> str:
    """The comparison's headline as the page shows it (plain text; its file names not escaped):
    :func:`facemetrics.report.headline` of compare's table ``frame`` and its ``messages``, naming the smile when one
    of the two photos is flagged smiling and the other not (``smiles``: the before and after photos'
    :func:`smile_flag`; :func:`_smile_headline`), unless the batch's
    rules made its jawline row ``uncertain`` where compare's was not (``result``: :func:`comparison_result`;
    the after photo is the before photo's picture, or the treatment's 'before' photos disagree enough to be
    left out of the fits).  Then it says that no lift or sag can be claimed from the jawline's change [mm],
    and why in the batch's own message (the same picture's first, else the 'before' photos'), as the table
    and ``changes.csv`` read it."""
    at = (frame["metric"] == fm_report.HEADLINE_METRIC) & (frame["side"] == "mean")
    if not at.any() or not math.isfinite(float_or_nan(frame.loc[at, "change"].iloc[0])):
        return fm_report.headline(frame, messages)
    own = _smile_headline(fm_report.headline(frame, messages), frame, messages, smiles)
    r = with_batch_verdicts(frame, result).loc[at].iloc[0]
    change, nf, unit = float(r["change"]), float(r["noise_floor"]), r["unit"] or "mm"
    if r["verdict"] != UNCERTAIN or not math.isfinite(change):
        return own
    added = result["messages"][len(messages):]  # the batch's, after compare's own
    why = [m for start in (MSG_SAME_PICTURE_LEFT_OUT, MSG_BASELINES_DISAGREE) for m in added if m.startswith(start)]
    why += [m for m in added if MSG_BEFORE_TAKEN_AFTER in m]  # starts with the photo's name
    if frame.loc[at, "verdict"].iloc[0] == UNCERTAIN:
        # compare's own reason says why, but for the same picture (compare's rule since 2026-12-05: every row
        # 'uncertain'), which the batch's message names with both photos, as the table and changes.csv read it
        why = [m for m in why if m.startswith(MSG_SAME_PICTURE_LEFT_OUT)]
        if not why:
            return own
    if not why:  # a rule of the batch's with no message of its own: the headline of its verdicts
        return _smile_headline(fm_report.headline(with_batch_verdicts(frame, result), result["messages"]), frame,
                               messages, smiles)
    nf_txt = fm_report.floor_text(nf, unit, r.get("change_scale_sd", math.nan))
    return f"no lift or sag can be claimed from the jawline's {fixed(change, 2, sign=True)} {unit}{nf_txt}: {why[0]}"


def pair_long_rows(pair: Pair, rows: list[dict], scale_pct: float = math.nan) -> list[dict]:
    """The timeline's rows (``long.csv``) of one pair's comparison ``rows``, with the after photo's
    provenance as the batch writes it: its file's sha256 and capture time (ISO 8601: its EXIF time, else the time
    its file name states, :func:`facemetrics.timekeys.time_from_name`; empty without one),
    and the scale the changes were read in, the before photo's ``calibration_source`` (as the batch
    passes it; empty without a calibration), and each change's ``change_scale_sd`` at ``scale_pct`` (the
    comparison's ``scale_uncertainty_pct``, %, 1 SD; as ``comparison.csv``).  The app has one person ("you");
    ``treated_at`` is the treatment time typed in the roles editor (:attr:`Pair.treated_at`, as photos.csv's and
    the batch's ``long.csv`` carry theirs), empty without one (the hours were typed or count from the first
    'before' photo)."""
    # no EXIF time: the time its file name states, which its hours were read from (default_roles), as the batch
    taken = pair.after.photo.taken_at or time_from_name(pair.after.name)
    cal = pair.before.calibration
    return long_rows(rows, subject="you", treatment=pair.treatment, hours_since_treatment=pair.hours_since_treatment,
                     photo=pair.after.name, sha256=pair.after.photo.sha256,
                     taken_at=taken.isoformat() if taken is not None else None, treated_at=pair.treated_at or None,
                     calibration_source=cal.source if cal is not None else "", scale_pct=scale_pct)


def change_record(pair: Pair, result: dict) -> dict:
    """A pair's comparison as a ``changes.csv`` row has it, the fields the series-reading rules read
    (:func:`facemetrics.batch.series_read.read_series`): ``subject`` ("you", as :func:`pair_long_rows`),
    ``treatment``, ``photo``, ``baseline_photos`` (the before photo, then its repeats, "; "-joined), ``role``,
    ``hours_since_treatment`` [h], ``status``, ``messages`` ("; "-joined) and each row's ``<column>_verdict``
    (:func:`facemetrics.batch.tables.change_column`), as the batch writes them.  ``result``: the pair's
    :func:`comparison_result`."""
    rec = dict(subject="you", treatment=pair.treatment, photo=pair.after.name,
               baseline_photos="; ".join(p.name for p in (pair.before, *pair.repeats)),
               role=BASELINE if pair.no_change else POST, hours_since_treatment=pair.hours_since_treatment,
               status=result["status"], messages="; ".join(result["messages"]))
    for m in result["rows"]:
        rec[f"{change_column(str(m.get('metric')), str(m.get('side') or ''))}_verdict"] = m.get("verdict")
    return rec


def timeline_rows(pairs: dict, comparison_of,
                  records_out: list | None = None) -> tuple[list[dict], list[tuple[str, str, str]]]:
    """The Timeline tab's ``long.csv`` rows of ``pairs`` and its warnings, by the batch's rules: each pair on
    the timeline, or a no-change check, as ``changes.csv`` reports it (:func:`comparison_result`, with its
    treatment's :func:`session_disagreement`: a re-saved copy of the before photo, or a treatment whose
    'before' photos disagree enough to be left out, reads ``uncertain``), its rows as the batch's
    ``long.csv`` has them (none for a refused comparison).

    Parameters
    ----------
    pairs : dict
        ``{label: Pair}`` (:func:`pairs_of`).
    comparison_of : callable
        ``comparison_of(pair)``: the pair's comparison; every pair on the timeline and every no-change
        check must have one.
    records_out : list, optional
        Given: each comparison (on the timeline, or a no-change check) is appended to it as ``changes.csv`` has it
        (:func:`change_record`), for the app's ``timeline``'s ``records`` (the series-reading rules read them as
        ``facemetrics timeline`` reads ``changes.csv``).

    Returns
    -------
    rows : list of dict
        The :func:`pair_long_rows` of the pairs on the timeline (:data:`facemetrics.schema.LONG_COLUMNS`).
    warnings : list of (str, str, str)
        ``(treatment, message, icon)``: the batch's message on each comparison left out as the same picture
        as its before photo, in the pairs' order, then its message on each treatment whose 'before' photos
        disagree.
    """
    rows, copies, disagreements = [], [], {}
    for pair in pairs.values():
        if not (pair.on_timeline or pair.no_change):  # no time, or a 'before' photo dated at or after the treatment
            continue
        if pair.treatment not in disagreements:
            disagreements[pair.treatment] = session_disagreement(pair, pairs, comparison_of)
        cmp = comparison_of(pair)
        result = comparison_result(pair, cmp, disagreements[pair.treatment])
        copies += [(pair.treatment, m, ":material/content_copy:") for m in result["messages"]
                   if m.startswith(MSG_SAME_PICTURE_LEFT_OUT)]
        if records_out is not None:  # changes.csv's rows, for the series-reading rules (§16, §20)
            records_out.append(change_record(pair, result))
        if pair.on_timeline:  # the batch writes no long.csv rows for a refused comparison
            rows += pair_long_rows(pair, result["rows"] if result["status"] != "refused" else [],
                                   cmp.scale_uncertainty_pct)
    return rows, copies + [(t, msg, ":material/warning:") for t, (msg, _) in disagreements.items() if msg]


#: under the app's comparison table, after the scale's note (:func:`facemetrics.report.scale_note`): what that
#: scale does to each photo's own value (:func:`per_photo_cell`)
PER_PHOTO_SCALE_NOTE = ("Each photo's own value (before, after) carries it too, at about 95 %: its ± adds, in "
                        "quadrature, its share of the change's floor (floor / √2) and, in a mm or mm² row, 1.96 × "
                        "that scale's share (twice the % for mm²).")


def per_photo_cell(value, floor, unit: str, scale_pct=math.nan) -> str:
    """One photo's value of a comparison row as the app's tables show it, with its ± and without its unit:
    ``"96.2 ± 8.9"`` (``jawline_height_mm``), ``"16.25 ± 0.59"`` (a fold's depth): the ± is
    :func:`facemetrics.compare.per_photo_scaled_uncertainty` of the row's change ``floor`` (each photo's share
    of it, floor / √2) and, for a ``mm`` or ``mm2`` row, of the mm scale's 1 SD ``scale_pct`` (the comparison's
    ``scale_uncertainty_pct``, the before photo's ``mm_per_px_uncertainty_pct``) x 1.96, in quadrature, at about
    95 %; the value and the ± with as many decimals as it supports
    (:func:`facemetrics.decay.wording.decimals_for`, as :func:`facemetrics.report.per_photo_value`, whose text
    this is for a row without a mm scale).  Without a floor: :func:`~facemetrics.report.per_photo_value`'s
    "16.3 (no floor)"; "" for a missing value (a lift row has none).

    >>> per_photo_cell(96.2056, 3.7, "mm", 4.5), per_photo_cell(16.2544, 0.84, "index", 4.5)
    ('96.2 ± 8.9', '16.25 ± 0.59')
    >>> per_photo_cell(6217.54, 380, "mm2", 4.5), per_photo_cell(96.2, 3.7, "mm"), per_photo_cell(float("nan"), 1, "mm")
    ('6218 ± 1129', '96.2 ± 2.6', '')
    """
    v = float_or_nan(value)
    if not math.isfinite(v):
        return ""
    u = per_photo_scaled_uncertainty(v, float_or_nan(floor), str(unit or ""), float_or_nan(scale_pct))
    if not math.isfinite(u):
        return fm_report.per_photo_value(v, floor, "").strip()
    dp = decimals_for(u)
    return f"{fixed(v, dp)} ± {fixed(u, dp)}"
