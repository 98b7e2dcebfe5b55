"""Which photo is compared with which: the one pairing rule of the batch and the app.

Pure data in, frozen dataclasses out (no files, images or tables): the batch
(:func:`facemetrics.batch.run_batch`, through ``batch.tables._comparison_jobs``)
and the app (``uploads.pairs_of``) both call :func:`pair_photos`, so the same
photos with the same roles and times are compared the same way on the
command line and in the browser, whatever order they were found or uploaded in.

The rule, within one session (a subject's treatment session; an opaque key):

1. The session's photos are put in order by hours since treatment, then by
   name (a photo without a time last), an original before its copies: a name
   is ordered as it reads without a copy's suffix (:func:`original_name`:
   ``IMG_4816(1).JPG``, ``IMG_4816 (1).JPG``, ``IMG_4816 copy.JPG``,
   ``IMG_4816 - Copy.JPG``, ``IMG_4816-1.JPG`` and the localized
   ``IMG_4816 - Kopie.JPG``, ``IMG_4816 copie 2.JPG``, ... (:data:`COPY_WORDS`),
   and older Windows' prefixes ``Copy of IMG_4816.JPG``, ``Copy (2) of IMG_4816.JPG``,
   ``Kopie von IMG_4816.JPG``, ``Copie de IMG_4816.JPG``, ``Copia de IMG_4816.JPG``, ... (:data:`COPY_PREFIX`)
   after ``IMG_4816.JPG``, which sorted after each of them by its ".": the
   copy was kept as the duplicate's original; an audit, stop 45) when that
   original is among the session's photos (case and Unicode composition
   ignored); a name that only looks like a copy keeps its own place.  This order, never the order of the
   files or of the uploads, decides everything below.
2. A photo with the same content (SHA-256 of the file; or, among photos of
   one role, of the decoded pixels: one picture under two files, e.g. a copy
   whose EXIF capture time was rewritten) and the same time as an earlier
   one in that order is a duplicate and is left out: compared with its own
   copy it would read a change of zero by construction, and as a repeat it
   would make the noise floor look smaller than it is.  When the photos of
   one content have different roles (one file given as a before *and* an
   after photo, e.g. a copy whose capture time was changed) or, as after
   photos, different known times (one file dated twice: a copied file, a
   wrong timestamp), which role or time is true cannot be told: every one of
   them is left out (:attr:`Pairing.conflicts`), none is a duplicate
   "compared once" (kept at the earlier time, it was a measurement at a time
   nobody knew it was taken).  Baseline photos of one content at different
   times are duplicates all the same (the first in that order is kept): a
   before photo's exact time does not matter, only that its copy is no
   repeat (a repeat of zero noise), and leaving them all out removed the
   session's baseline.
3. The before photo of every comparison is the baseline photo best fit to
   be one: the lowest :attr:`PairingPhoto.baseline_rank` (the batch: the
   fewest per-photo flags that make a comparison unreadable, a smile or a
   turned head, of the kinds most of the session's post photos lack,
   ``batch.tables.baseline_rank``), the **earliest** (taken
   longest before the treatment) among equals.  With every rank 0 (the
   default) it is the earliest.  The other baseline photos, in the rule's
   order, are its repeats (``before_repeats`` of
   :func:`facemetrics.compare.compare_photos`: they set the noise floor;
   the change is measured against the before photo alone); the earlier ones
   passed over for it are named (:attr:`PhotoPair.passed_over`).
4. Every post photo is compared with that before photo and its repeats.
5. With two or more baseline photos, each baseline photo is also compared
   with the others (the one of the others chosen as in 3. as the before
   photo, the rest as repeats): the no-change check, a measured zero-change
   observation at its negative hours since treatment.
6. A session without a baseline photo makes no comparison; its post photos
   are reported (:attr:`Pairing.no_baseline`).
7. A baseline photo taken more than :data:`MAX_DAYS_BEFORE_TREATMENT` before its
   session's treatment is no before photo of it: it is left out first, with the reason
   (:attr:`Pairing.too_early`, :func:`too_early`), and never chosen as the before photo.  A
   camera whose clock was reset dates its photos 2000-01-01 00:00: taken "235280 h before the
   treatment", the earliest, it became the before photo, the real one a repeat, and the
   timeline's axis reached -1e5 h (an audit, 2026-12-04).
8. Its counterpart: a post photo taken more than :data:`MAX_DAYS_AFTER_TREATMENT` after its
   session's treatment is left out first, with the reason (:attr:`Pairing.too_late`,
   :func:`too_late`).  A camera clock set years ahead (2031) had a photo compared at +43825 h
   without a word (an audit, 2026-12-04).  The bound is the photo's own treatment time, never the
   machine's clock (a simulated study is dated after the day it is written).

Why the earliest baseline photo (among the best fit) and not the one closest to the treatment:
it is the rule the batch has always used (``changes.csv`` lists it first in
``baseline_photos``), it is the app's default 'before' photo among equally fit
ones (the earliest by capture time), and it stays the reference when one more photo is taken just
before the session (that photo only adds a repeat).  Which one is nearer the
treatment matters less than it seems: the no-change checks measure how much
the baseline photos differ, and the repeats widen the noise floor by it.
Why not always the earliest: a before photo that is smiling or has the head
turned makes every comparison against it unreadable (``uncertain``), the
session's good before photos included (as repeats they are left out of the
noise floor against it), so one badly posed photo taken first made the whole
session unusable (an audit, 2026-12-03).  What the comparison reads is the
difference between the two photos, so a flag most post photos share (an
off-axis camera: all turned alike) is not counted: a frontal before photo
would then differ from every one of them (a review, 2026-12-03).
"""

from __future__ import annotations

import math
import numbers
import re
from dataclasses import dataclass
from typing import Iterable

from .timekeys import name_key, since_text

__all__ = ["BASELINE", "POST", "MAX_DAYS_BEFORE_TREATMENT", "PairingPhoto", "PhotoPair", "Pairing", "pair_photos",
           "too_early", "MAX_DAYS_AFTER_TREATMENT", "too_late"]

#: role of a photo taken before its session's treatment
BASELINE = "baseline"
#: role of a photo taken at or after its session's treatment
POST = "post"

#: a photo taken more than this many days before its session's treatment is no before photo of it
#: (:func:`too_early`), d.  A before photo shows the face as the treatment found it: the study
#: conventions take it minutes before the treatment (microcurrent), at most about a week before (an
#: RF course's baseline visit), so 30 days leaves four times the longest planned gap, while a camera
#: whose clock was reset (EXIF 2000-01-01 00:00:00, about 9800 days before a 2026 session) or a
#: photo from another session months earlier is beyond it.  Weight, tan and hair change over
#: months; a baseline that old would measure them too.
MAX_DAYS_BEFORE_TREATMENT = 30.0
#: a photo taken more than this many days after its session's treatment is not compared (:func:`too_late`),
#: d.  The longest the project's designs place a post photo: 14 d (``study.DEFAULT_DESIGN`` rf, 336 h) in a
#: session; the regimen study (``regimen.run_regimen_batch``, through the same rule) compares each later
#: session's pre-session photos with the first session's at the days since it: 6 weeks of daily sessions in
#: its tests, "weeks" in its docs.  A year is 26 times the first and 8 times the second, while a camera clock
#: set years ahead (2031 on a 2026 session: 1826 days) or a photo of another year is beyond it.  Not the
#: machine's clock: ``facemetrics.study`` dates its simulated photos after the day it runs.
MAX_DAYS_AFTER_TREATMENT = 365.0


#: how :func:`too_late` and :func:`too_early` end: the batch's remedy (a manifest's ``taken_at``); the app,
#: which has no manifest, drops it and says to set the photo's role and hours in its table instead
MANIFEST_REMEDY = "(correct its capture time with taken_at in a manifest)"


def too_late(hours_since_treatment) -> str:
    """Why a photo taken ``hours_since_treatment`` [h] after its treatment is not compared (more than
    :data:`MAX_DAYS_AFTER_TREATMENT` days after), or ``""`` when it may be (also for an unknown time or a
    photo before the treatment).  The batch's ``excluded`` reason, :attr:`Pairing.too_late` and the
    app's note say it with this one wording."""
    h = _hours(hours_since_treatment)
    if h is None or h <= MAX_DAYS_AFTER_TREATMENT * 24.0:
        return ""
    return (f"taken {since_text(h)} after the treatment (more than {MAX_DAYS_AFTER_TREATMENT:g} days: a "
            f"camera clock set ahead, e.g. to a later year, or a photo from another session?): not compared "
            f"{MANIFEST_REMEDY}")


def too_early(hours_since_treatment) -> str:
    """Why a photo taken ``hours_since_treatment`` [h] before its treatment is no before photo of it
    (more than :data:`MAX_DAYS_BEFORE_TREATMENT` days before), or ``""`` when it may be one (also
    for an unknown time or a photo after the treatment).  The batch's ``excluded`` reason and
    :attr:`Pairing.too_early` say it with this one wording."""
    h = _hours(hours_since_treatment)
    if h is None or -h <= MAX_DAYS_BEFORE_TREATMENT * 24.0:
        return ""
    return (f"taken {since_text(h)} before the treatment (more than {MAX_DAYS_BEFORE_TREATMENT:g} days: a "
            f"camera clock reset, e.g. to 2000-01-01, or a photo from another session?): not used as a "
            f"before photo {MANIFEST_REMEDY}")


@dataclass(frozen=True)
class PairingPhoto:
    """One photo as the pairing rule sees it.

    Attributes
    ----------
    photo : str
        Its name, unique among the photos paired together (the batch's
        relative path, the app's upload label).
    session : tuple of str
        Its session's key: photos are compared only within a session (the
        batch: ``(subject, treatment, the treatment time as an instant)``, by
        :func:`facemetrics.timekeys.match_sessions`; the app's before/after view:
        ``(treatment,)``, with hours given per photo and no treatment time;
        its *My study* view runs the batch).
    role : str
        :data:`BASELINE`, :data:`POST`, or ``""`` (not compared: a failed or
        excluded photo, or one the user set aside).
    hours_since_treatment : float or None
        [h], negative before the treatment; None (or NaN) when unknown.
    content : str
        Its content's SHA-256 (hex); ``""`` when unknown (never a duplicate).
    pixels : str
        Its decoded pixels' SHA-256 (hex, :attr:`facemetrics.loader.Photo.pixel_sha256`); ``""``
        when unknown.  Two photos with the same ``content``, or of one role with the same
        ``pixels`` (linked through others too), are one picture for the rule: a copy of a file
        with only its EXIF rewritten has other bytes but the same pixels.  A before and an after
        photo with the same pixels but other bytes are still compared: the comparison says so
        (``facemetrics.compare.MSG_SAME_PICTURE``) and a series leaves it out of its fits.
    baseline_rank : int or float
        How unfit a baseline photo is to be its session's before photo (a count of faults, 0 =
        none): the before photo is the baseline photo of the lowest rank, the earliest among
        equals.  Default 0 for every photo: the earliest, the rule before ranks existed.  The batch
        and the app give the number of the flags that make a comparison unreadable, of the kinds
        at least half of the session's post photos lack (a flag they mostly share is no difference
        between the photos: ``facemetrics.batch.tables.baseline_rank``).  Ignored for a post photo.
    """

    photo: str
    session: tuple[str, ...]
    role: str
    hours_since_treatment: float | None = None
    content: str = ""
    pixels: str = ""
    baseline_rank: int = 0


@dataclass(frozen=True)
class PhotoPair:
    """One comparison: ``photo`` against ``before`` (with ``repeats``).

    Attributes
    ----------
    session : tuple of str
        The session's key (as given in :class:`PairingPhoto`).
    photo : str
        The photo compared (the 'after' photo; in a no-change check, the
        baseline photo checked).
    before : str
        The before photo it is compared with.
    repeats : tuple of str
        The other baseline photos (``before_repeats``), in the rule's order.
    hours_since_treatment : float or None
        Of ``photo`` [h] (None when unknown).
    no_change : bool
        A baseline photo compared with the session's other baseline photos.
    passed_over : tuple of str
        The baseline photos earlier in the rule's order than ``before`` that were passed over as
        the before photo for their higher :attr:`PairingPhoto.baseline_rank` (they are among the
        ``repeats``); ``()`` when ``before`` is the earliest.
    """

    session: tuple[str, ...]
    photo: str
    before: str
    repeats: tuple[str, ...] = ()
    hours_since_treatment: float | None = None
    no_change: bool = False
    passed_over: tuple[str, ...] = ()

    @property
    def baselines(self) -> tuple[str, ...]:
        """``(before, *repeats)``: the baseline photos of the comparison, in the rule's order."""
        return (self.before, *self.repeats)

    @property
    def on_timeline(self) -> bool:
        """Is the comparison an observation of the change at its hours since treatment?

        A post photo with a known time, or a no-change check of a photo taken
        before the treatment (negative hours: the decay fit reads it as a
        measured zero).  A photo marked baseline but dated at or after the
        treatment (possible in the app, where roles and hours are edited
        separately) would read as a lift that has already faded: it is not
        one.  In the batch every comparison is one (roles follow the times).
        """
        h = self.hours_since_treatment
        return h is not None and (not self.no_change or h < 0)


@dataclass(frozen=True)
class Pairing:
    """Every comparison of a set of photos (:func:`pair_photos`).

    Attributes
    ----------
    pairs : tuple of PhotoPair
        Sessions in sorted order of their keys; within one, the post photos
        in the rule's order, then the no-change checks.
    no_baseline : tuple of str
        Post photos not compared: their session has no baseline photo.
    duplicates : tuple of (str, str)
        ``(photo, same_as)``: photos left out because ``same_as``, earlier in
        the rule's order in the same session, has the same content or pixels
        (and the same role and time, or no known time; or both are baseline
        photos, at any times).
    conflicts : tuple of tuple of str
        Groups of photos of one session with the same content or pixels but different
        roles (a before and an after photo that are one file) or, as post
        photos, different known hours since treatment (one file dated twice),
        in the rule's order: every photo of a group is left out.
    too_early : tuple of (str, str)
        ``(photo, reason)``: baseline photos left out, taken more than
        :data:`MAX_DAYS_BEFORE_TREATMENT` before the treatment (:func:`too_early`), in the
        rule's order of their sessions.
    too_late : tuple of (str, str)
        ``(photo, reason)``: post photos left out, taken more than :data:`MAX_DAYS_AFTER_TREATMENT`
        after the treatment (:func:`too_late`), in the rule's order of their sessions.
    """

    pairs: tuple[PhotoPair, ...] = ()
    no_baseline: tuple[str, ...] = ()
    duplicates: tuple[tuple[str, str], ...] = ()
    conflicts: tuple[tuple[str, ...], ...] = ()
    too_early: tuple[tuple[str, str], ...] = ()
    too_late: tuple[tuple[str, str], ...] = ()


def _hours(value) -> float | None:
    """A finite number of hours, or None."""
    if value is None:
        return None
    try:
        h = float(value)
    except (TypeError, ValueError):
        return None
    return h if math.isfinite(h) else None


def _choose(baselines: list[PairingPhoto]) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    """``(before, repeats, passed_over)`` of baseline photos in the rule's order: the before photo
    is the first of the lowest :attr:`~PairingPhoto.baseline_rank`; the repeats are the others in
    the rule's order; the photos passed over are those before it (each of a higher rank)."""
    k = min(range(len(baselines)), key=lambda i: (float(baselines[i].baseline_rank), i))
    names = [p.photo for p in baselines]
    return names[k], tuple(names[:k] + names[k + 1:]), tuple(names[:k])


#: the word a file manager writes for "copy" in a copy's name, by its display language (lower case, NFC):
#: Windows File Explorer's ``Name - <word>.jpg`` and ``Name - <word> (2).jpg`` and macOS Finder's ``Name <word>.jpg``
#: and ``Name <word> 2.jpg``.  English "copy"; German "Kopie"; French "Copie"; Spanish and Italian "copia";
#: Portuguese "Cópia"; Dutch and Czech "kopie"; Polish and Swedish "kopia"; Danish and Norwegian "kopi"; Finnish
#: "kopio"; Turkish "kopya"; Russian "копия"; Japanese "コピー" (macOS: ``Name のコピー.jpg``); Chinese "副本"; Korean
#: "복사본".  Where from: the words the localized Explorer and Finder are reported to write (the task's list,
#: stop 47, and public code that parses them: a Russian Windows' ``Name — копия.txt``, with an em dash; a
#: Japanese app's ``のコピー``); not checked on each localized system here.  Explorer's dash is accepted as a
#: hyphen, an en dash or an em dash.
COPY_WORDS = ("copy", "kopie", "copie", "copia", "cópia", "kopia", "kopi", "kopio", "kopya", "копия", "コピー", "副本",
              "복사본")

_WORD = "(?:" + "|".join(re.escape(w) for w in COPY_WORDS) + ")"

#: a copy's suffix at the end of a file name's stem (matched on its NFC form, letter case ignored), as the systems
#: that save a second copy of a file write it: Windows File Explorer ``IMG_4816 - Copy``, ``IMG_4816 - Copy (2)``
#: and its languages' words (:data:`COPY_WORDS`: ``IMG_4816 - Kopie``, ``IMG_4816 – kopie (2)``, ``IMG_4816 —
#: копия``); Chrome, Edge, Google Drive and Windows downloads ``IMG_4816 (1)``; Firefox and Google Takeout
#: ``IMG_4816(1)``; macOS Finder ``IMG_4816 copy``, ``IMG_4816 copy 2`` (``IMG_4816 Kopie``, ``IMG_4816 copie 2``,
#: ``IMG_4816 のコピー``, ...) and, keeping both on a paste, ``IMG_4816 2``; Safari downloads ``IMG_4816-1`` (a
#: number of at most 3 digits).  The word needs the space (or dash) before it: a file named ``Kopie.jpg`` or
#: ``copia.jpg`` is no copy.
COPY_SUFFIX = re.compile(r"(?: [-\u2013\u2014] " + _WORD + r"(?: \(\d{1,3}\))?"  # Windows: - Kopie (2)
                         r"| " + _WORD + r"(?: \d{1,3})?| ?のコピー(?: \d{1,3})?"  # macOS: Kopie 2, のコピー 2
                         r"| ?\(\d{1,3}\)|-\d{1,3}| \d{1,3})$",  # browsers, Drive, Takeout; Safari; macOS' ' 2'
                         re.IGNORECASE)

#: a copy's prefix at the start of a file name (matched on its NFC form, letter case ignored), as Windows XP/Vista-era
#: Explorer wrote a second copy of a file: ``Copy of IMG_4816``, ``Copy (2) of IMG_4816``; German ``Kopie von``,
#: French ``Copie de`` (the task's list, stop 47; not checked on each localized system here).  ``of`` needs its
#: spaces: ``Copy ofIMG.jpg`` and ``Copyof IMG.jpg`` are no copies.
#:
#: And, without a number (:data:`COPY_PREFIX_WORDS`), the prefixes that copies of files are found to carry in
#: public code that strips them from file names (searched 2026-12-05, session 48; a Google Drive "Make a copy" and
#: an older Explorer both write them; not checked on each localized system here): Spanish ``Copia de`` ("the prefix
#: 'Copia de ' is put by Drive when duplicating", a script that parses spreadsheet file names; a function mapping
#: ``Copia de Nombre.pdf`` to ``nombre``); Italian ``Copia di`` (a script cleaning image file names of "Copia di "
#: and "Copia di Copia di "; an importer's ``file.replace(/^Copia di /i, '')``); Portuguese ``Cópia de`` (a
#: datasheet importer's ``filename.replace(/^Cópia de /, '')`` on PDF names; a build script matching ``Cópia de
#: iGreen - Verde.png``); Dutch ``Kopie van`` (a helper mapping ``Kopie van Fit_Factory-Guide (1).pdf`` to ``fit
#: factory guide``; a source list naming ``Kopie van ISO Landenlijst.xlsx``).  Not added, for no file name found
#: with them: a numbered form of these four (``Copia (2) de``), and the Swedish, Danish, Norwegian, Polish and
#: Finnish prefixes ("Kopia av", "Kopi af", ...; the search found those words only in prose, never starting a file
#: name).
COPY_PREFIX_WORDS = ("copia de", "copia di", "cópia de", "kopie van")

COPY_PREFIX = re.compile(r"^(?:copy(?: \(\d{1,3}\))? of|kopie(?: \(\d{1,3}\))? von|copie(?: \(\d{1,3}\))? de"
                         r"|" + "|".join(re.escape(w) for w in COPY_PREFIX_WORDS) + r") ", re.IGNORECASE)


def original_name(photo: str) -> str:
    """``photo`` (a name or a path with ``/``) without a copy's suffix on its file name's stem
    (:data:`COPY_SUFFIX`): ``"S01/mc/IMG_4816(1).JPG"`` gives ``"S01/mc/IMG_4816.JPG"``,
    ``"S01/mc/IMG_4816 - Kopie (2).JPG"`` too; or without a copy's prefix on its file name (:data:`COPY_PREFIX`,
    older Windows: ``"Copy (2) of IMG_4816.JPG"``, ``"Kopie von IMG_4816.JPG"``) when it has one.  The name is read in its composed form (NFC: macOS writes
    ``Cópia`` decomposed), and a name that had a suffix is returned composed.  A name without one, or whose
    stem would be left empty (``"(1).jpg"``, ``"Kopie.jpg"``), is returned as it is.  Whether the original is
    among the photos is :func:`pair_photos`' question (a copy of a photo that is not there is no copy)."""
    import unicodedata

    composed = unicodedata.normalize("NFC", photo)
    folder, sep, name = composed.rpartition("/")
    stem, dot, ext = name.rpartition(".") if "." in name.lstrip(".") else (name, "", "")
    bare = COPY_PREFIX.sub("", stem)
    bare = COPY_SUFFIX.sub("", stem) if bare == stem else bare  # one copy's mark: a prefix, else a suffix
    return f"{folder}{sep}{bare}{dot}{ext}" if bare.strip() and bare != stem else photo


def name_form(photo: str) -> str:
    """A photo's name as names are compared for the copy rule: Unicode-composed and case-folded
    (:func:`facemetrics.timekeys.name_key`'s rule on the whole name: ``IMG_1.JPG`` is the original of
    ``img_1 - Kopie.jpg``)."""
    return name_key(photo)


def _order_in(photos: list[PairingPhoto]):
    """The rule's order of one session's ``photos`` as a sort key: by hours since treatment (unknown last),
    then by name, a copy's (:func:`original_name`) as its original's when that is among ``photos`` (names
    compared by :func:`name_form`), the original before its copies, then by name.  A name that only looks
    like a copy (``Anna Kopie.jpg`` with no ``Anna.jpg``) keeps its own place."""
    present: dict[str, str] = {}
    for p in sorted(photos, key=lambda p: p.photo):
        present.setdefault(name_form(p.photo), p.photo)

    def key(p: PairingPhoto) -> tuple:
        h = _hours(p.hours_since_treatment)
        original = original_name(p.photo)
        of = present.get(name_form(original)) if original != p.photo else None
        return (h is None, 0.0 if h is None else h, of or p.photo, of is not None, p.photo)
    return key


def linked_groups(node_lists: list[list[tuple]]) -> list[tuple]:
    """One group key per item of ``node_lists``: items that share a node, directly or through other
    items, get the same key (an opaque node tuple); an item with no node gets ``()`` (a group of its
    own).  Union-find with path halving; the photos' picture groups here and the fits' rows
    (:func:`facemetrics.decay.inputs._picture_ids`) use it."""
    parent: dict[tuple, tuple] = {}

    def root(node: tuple) -> tuple:
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for linked in node_lists:
        for n in linked:
            parent.setdefault(n, n)
        for n in linked[1:]:
            a, b = root(linked[0]), root(n)
            if a != b:
                parent[b] = a
    return [root(linked[0]) if linked else () for linked in node_lists]


def _pictures(photos: list[PairingPhoto]) -> dict[str, tuple]:
    """``{photo: picture}`` of one session's photos: photos with the same ``content``, or of one
    role with the same ``pixels``, directly or through others, get one picture key (an opaque
    tuple); a photo with neither gets ``()`` (never one picture with another)."""
    names = [p.photo for p in photos]
    nodes = [[n for n in (("content", p.content), ("pixels", p.role, p.pixels)) if n[-1]] for p in photos]
    return dict(zip(names, linked_groups(nodes)))


def pair_photos(photos: Iterable[PairingPhoto]) -> Pairing:
    """Which photo is compared with which (the rule: this module's docstring).

    Parameters
    ----------
    photos : iterable of PairingPhoto
        In any order (the result does not depend on it).  Photos with role
        ``""`` are ignored.

    Returns
    -------
    Pairing
        The comparisons, the post photos without a baseline, the
        duplicates left out and the photos left out as one file in two roles
        or at two times.

    Raises
    ------
    ValueError
        For a role other than :data:`BASELINE`, :data:`POST` or ``""``, a
        ``baseline_rank`` that is not a finite number, or two photos with the
        same name.
    """
    sessions: dict[tuple, list[PairingPhoto]] = {}
    names: set[str] = set()
    for p in photos:
        if p.role not in (BASELINE, POST, ""):
            raise ValueError(f"photo {p.photo!r}: role {p.role!r} is not {BASELINE!r}, {POST!r} or ''")
        if p.photo in names:
            raise ValueError(f"two photos are named {p.photo!r}: names must be unique")
        if isinstance(p.baseline_rank, bool) or not isinstance(p.baseline_rank, numbers.Real) \
                or not math.isfinite(p.baseline_rank):
            raise ValueError(f"photo {p.photo!r}: baseline_rank {p.baseline_rank!r} is not a finite number")
        names.add(p.photo)
        if p.role:
            sessions.setdefault(tuple(p.session), []).append(p)
    pairs: list[PhotoPair] = []
    no_baseline: list[str] = []
    duplicates: list[tuple[str, str]] = []
    conflicts: list[tuple[str, ...]] = []
    early: list[tuple[str, str]] = []
    late: list[tuple[str, str]] = []
    for key in sorted(sessions):
        ordered = sorted(sessions[key], key=_order_in(sessions[key]))
        # a reset camera clock (2000-01-01) or another session's photo: never the before photo (rule 7)
        early += [(p.photo, too_early(p.hours_since_treatment)) for p in ordered
                  if p.role == BASELINE and too_early(p.hours_since_treatment)]
        ordered = [p for p in ordered if not (p.role == BASELINE and too_early(p.hours_since_treatment))]
        # a camera clock set ahead (2031): never compared at +43825 h (rule 8)
        late += [(p.photo, too_late(p.hours_since_treatment)) for p in ordered
                 if p.role == POST and too_late(p.hours_since_treatment)]
        ordered = [p for p in ordered if not (p.role == POST and too_late(p.hours_since_treatment))]
        picture = _pictures(ordered)
        groups: dict[tuple, list[PairingPhoto]] = {}
        for p in ordered:
            if picture[p.photo]:
                groups.setdefault(picture[p.photo], []).append(p)
        # one picture in two roles, or an after photo at two known times: which one is true cannot be told;
        # baseline copies at two times are compared once (a before photo's exact time does not matter)
        torn = {c for c, g in groups.items() if len({p.role for p in g}) > 1
                or (g[0].role != BASELINE
                    and len({h for h in map(_hours, (p.hours_since_treatment for p in g)) if h is not None}) > 1)}
        place = {p.photo: i for i, p in enumerate(ordered)}
        conflicts += [tuple(p.photo for p in groups[c]) for c in sorted(torn, key=lambda c: place[groups[c][0].photo])]
        members, seen = [], {}
        for p in ordered:
            c = picture[p.photo]
            if c in torn:
                continue
            if c and c in seen:
                duplicates.append((p.photo, seen[c]))
                continue
            if c:
                seen[c] = p.photo
            members.append(p)
        base = [p for p in members if p.role == BASELINE]
        post = [p for p in members if p.role == POST]
        if not base:
            no_baseline += [p.photo for p in post]
            continue
        before, repeats, passed = _choose(base)
        pairs += [PhotoPair(key, p.photo, before, repeats, _hours(p.hours_since_treatment), passed_over=passed)
                  for p in post]
        if len(base) >= 2:
            for p in base:
                before, repeats, passed = _choose([b for b in base if b is not p])
                pairs.append(PhotoPair(key, p.photo, before, repeats, _hours(p.hours_since_treatment),
                                       no_change=True, passed_over=passed))
    return Pairing(tuple(pairs), tuple(no_baseline), tuple(duplicates), tuple(conflicts), tuple(early), tuple(late))
