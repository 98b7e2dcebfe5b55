"""The console report of a batch or a study import: the lines ``facemetrics batch``, ``study report`` and
``study import`` print after their run, built from the run's results and tables.

One job: results and tables in, ``list[str]`` out (a line of its own for each thing a user has to act on:
names merged, times left out, sessions whose before photos disagree, photos of different shapes, files filed
twice, a manifest that does not fit the folder, photos without a capture time, the regimen's lines, the
summary).  Nothing here prints, parses arguments or writes files (:mod:`facemetrics.cli` does, and the
app shows its own panels); :func:`skipped_lines` lists the study folder's files through
:func:`facemetrics.batch.discover.skipped_note`.  The lines on a manifest and on photos without a capture time
are built from the photos' :class:`~facemetrics.batch.discover.Reason` s (a code and its fields: the
manifest, its row and column, the value, the time meant), never from the text of photos.csv's ``excluded``; the
reasons a batch with no change names are counted by them too (:func:`why_no_changes`), never by splitting that text.
"""

from __future__ import annotations

import math
import shlex
from collections import Counter
from pathlib import Path

from ..listing import join_few
from ..messages import shorten_message, split_messages
from ..rounding import fixed
from ..timekeys import ACCEPTED_TIME_FORMS, name_key
from .discover import (COMPARISON_FAILED, COMPARISON_REFUSED, NO_TIME, NOT_FOUND, NOT_LISTED, NOT_MEASURED,
                       TIME_DOTTED, TIME_UNREAD, TREATED_AT_FILE, manifest_like_columns, other_files,
                       skipped_note)
from .runner import REGIMEN_DIR
from .tables import fill_in_taken_at  # the hint's words (in tables.py since stop 64 g4: photos.csv's reason uses them)
from .tables import MSG_NEXT_BEFORE, MSG_SAME_PICTURE_LEFT_OUT, change_column, next_before_count, repeats_left_out_note, session_notes
from .fit_notes import (HEADLINE_METRICS, MSG_EXPRESSION_MAYBE, MSG_LIGHTING, KeptNote, _when, before_checks,
                        before_line, expression_kept, light_kept)

#: the start of a console line naming a comparison fitted with the warning "expression may differ" or "lighting
#: differs" (``timeline`` prints it: :func:`facemetrics.cli._print_verdicts`; ``study report`` prints it once;
#: ``batch`` names the comparisons in one line per warning instead, :func:`kept_ahead_lines`)
KEPT_WITH_WARNING = "kept in the fit with a warning: "

#: how ``batch``'s line per warning ends (:func:`kept_ahead_lines`): the timeline's lines say each in full
KEPT_AHEAD_END = "(`timeline` prints a line for each, with its figures)"


def batch_lines(res, summary: str = "", kept_lines: bool = False) -> list[str]:
    """The console lines of a batch run, as ``batch`` and ``study report`` print them (one function,
    so the two commands say the same): the names and times (:func:`batch_time_notes`), the sessions
    whose before photo was passed over or is at fault, whose before photos disagree (and the floors built
    from them), and the
    comparisons of one picture at two times; ``summary`` (when given); then the comparisons whose
    repeat photos were left out of the noise floor.  Its regimen batch's lines:
    :func:`regimen_lines`.

    Parameters
    ----------
    res : facemetrics.batch.BatchResult
        The batch run.
    summary : str
        The line after the session notes (``batch``: :func:`batch_summary`); "" for none.
    kept_lines : bool
        Give the timeline's line for each comparison its fits keep with a warning (:func:`expression_kept_lines`,
        :func:`light_kept_lines`: ``study report`` holds them for the fits' words); else (``batch``, whose user
        runs ``timeline`` next and saw each line twice, stop 58) one line per warning naming them
        (:func:`kept_ahead_lines`).

    Returns
    -------
    list of str
    """
    rows = res.change_rows
    lines = [*batch_time_notes(res),  # names merged; capture times read in an offset, left out, or off EXIF
             # a before photo passed over as the baseline, or at fault; sessions whose before photos disagree (each
             # says if left out), and the floors built from those photos, once per session (as `timeline` prints
             # them: its table's attrs["disagreement_notes"]); one picture at two times (its zeros left out of the fits)
             *session_notes(rows),
             *shape_lines(res.photo_rows, rows)]  # a screenshot or a crop against a photo as the camera saved it
    lines += [summary] if summary else []
    lines += refused_lines(rows)  # each refused or failed comparison, with why (the summary only counted them)
    lines += [note] if (note := repeats_left_out_note(rows)) else []  # as compare and the app say it for one pair
    # fitted by `timeline` although the expression may differ, or (fold rows) the lighting differs (Round 19's (v))
    lines += (expression_kept_lines(rows) + light_kept_lines(rows)) if kept_lines else kept_ahead_lines(rows)
    lines += before_lines(rows)  # §20: a before photo every after photo of its session differs from
    return lines


#: the start of a console line naming a refused comparison (:func:`refused_lines`); a failed one's starts
#: "comparison failed: "
REFUSED_LINE = "comparison refused: "

#: how many characters of each reason :func:`refused_lines` quotes before its remedy (docs/thresholds.md)
REFUSED_CHARS = 300


def refused_lines(change_rows) -> list[str]:
    """One console line per refused or failed comparison of ``changes.csv``'s rows, naming its after photo,
    subject, treatment and hours and saying why: the messages that refused it
    (:func:`facemetrics.compare.gate.refusal_reasons`), or a failed one's messages.  The batch's summary only
    counted them ("1 of them refused or failed (their status in changes.csv)") and ``study report`` said of a
    session whose one comparison was refused as two different people that it needed "a measurable photo taken
    before its treatment and one after it" (u4's audit of a real study, stop 54); [] when none.

    ``"comparison refused: `C/rf/b.jpg` (C, rf, 0.75 h since treatment): these may be different people: ..."``
    """
    from ..compare.gate import refusal_reasons

    out = []
    for r in change_rows:
        if r.get("status") not in ("refused", "error"):
            continue
        why = (refusal_reasons(_not_next_before(r.get("messages")))[0] if r.get("status") == "refused"
               else split_messages(r.get("messages")))
        head = REFUSED_LINE if r.get("status") == "refused" else "comparison failed: "
        # each reason cut to REFUSED_CHARS with its remedy kept whole (changes.csv's messages hold it in full)
        out.append(f"{head}`{r.get('photo')}` ({r.get('subject')}, {r.get('treatment')}, {_when(r)}): "
                   + ("; ".join(shorten_message(m, REFUSED_CHARS) for m in why)
                      or "no reason given (changes.csv's messages)"))
    return out


def _not_next_before(messages) -> list[str]:
    """``changes.csv``'s ``messages`` split (:func:`split_messages`) without the one saying the photo is a next
    session's before photo read as this session's (:data:`~facemetrics.batch.tables.MSG_NEXT_BEFORE`): never a
    reason a comparison was refused (with no refusing message every message is one: ``refusal_reasons``)."""
    return [m for m in split_messages(messages) if not m.startswith(MSG_NEXT_BEFORE)]


def refusal_gist(row: dict) -> str:
    """What refused or failed a ``changes.csv`` row, in a few words: the first clause of each message that refused
    it (:func:`facemetrics.compare.gate.refusal_reasons`; a failed one's messages), up to its first ":" or " ("
    (``"these may be different people"``, ``"after photo not measured"``); "refused" without a message."""
    from ..compare.gate import refusal_reasons

    messages = _not_next_before(row.get("messages"))  # the role's message, no reason (its line names the role)
    why = refusal_reasons(messages)[0] if row.get("status") == "refused" else messages
    heads = [m.split(": ", 1)[0].split(" (", 1)[0].strip() for m in why]
    return ", ".join(dict.fromkeys(h for h in heads if h)) or str(row.get("status") or "refused")


#: the start of a console line naming a comparison left out of the fits as 'uncertain' when no series could be
#: fitted (:func:`uncertain_lines`)
UNCERTAIN_LINE = "left out of the fits as 'uncertain': "


def uncertain_lines(change_rows) -> list[str]:
    """One console line per comparison the timeline's default series leave out as ``uncertain``, with its reason, in
    report.md's words (:func:`facemetrics.batch.timeline.uncertain_notes`), for a run that stops because every row
    read ``uncertain``: ``study report`` and ``timeline`` then write no report.md, and said only the general list
    of causes ("e.g. the upper faces matched only roughly ..."), not which was this comparison's (u4's audit of a
    real study, stop 54: London 003 neutral before, smiling after); [] when none."""
    from .timeline import uncertain_notes

    clean = [{k: ("" if isinstance(v, float) and math.isnan(v) else v) for k, v in r.items()} for r in change_rows]
    return [f"{UNCERTAIN_LINE}{_same_picture_named(n)}" for n in uncertain_notes(clean, _headline_columns(clean))]


def _same_picture_named(note: str) -> str:
    """An :func:`uncertain_lines` note of a photo that is the same picture as its before photo, its reason cut to
    :data:`~facemetrics.batch.tables.MSG_SAME_PICTURE_LEFT_OUT` and where it is said in full: `batch` printed the
    whole of it (both photos, their times, what to check), and the console said it twice (stop 54's audit)."""
    head, sep, _ = note.partition(f": {MSG_SAME_PICTURE_LEFT_OUT}")
    return (f"{head}: the same picture as its before photo (a copy: `batch`'s line and changes.csv's messages name "
            "both photos and their times)") if sep else note


def _headline_columns(change_rows) -> list[str]:
    """The ``changes.csv`` columns of the timeline's default series (:data:`HEADLINE_METRICS`, the ``mean`` side, or
    right and left for a metric without one)."""
    keys = set().union(*(r.keys() for r in change_rows)) if change_rows else set()
    columns = []
    for m in HEADLINE_METRICS:
        mean = change_column(m, "mean")
        columns += [mean] if f"{mean}_verdict" in keys else [change_column(m, s) for s in ("right", "left")]
    return columns


def before_lines(change_rows) -> list[str]:
    """One console line per before photo that every after photo of its session differs from in expression, its
    mouth narrower (docs/validation.md §20, :func:`facemetrics.batch.fit_notes.before_checks` on the timeline's
    default series), in the words ``timeline`` prints (:func:`facemetrics.batch.fit_notes.before_line`), so that
    ``batch`` names it before the fits do; [] when none."""
    clean = [{k: ("" if isinstance(v, float) and math.isnan(v) else v) for k, v in r.items()} for r in change_rows]
    return [before_line(c, "`timeline` does not judge its series with it (docs/validation.md §20, §21)")
            for c in before_checks(clean, _headline_columns(clean)) if c.odd]


def expression_kept_lines(change_rows, regimen: bool = False) -> list[str]:
    """One console line per comparison that ``timeline``'s default fits will use although the gate warned that
    the expression may differ (:func:`facemetrics.batch.fit_notes.expression_kept_notes`: the mouth corners moved as
    in a smile while the lips kept their shape; such a comparison keeps its verdicts and enters the decay fits, and
    a gently smiling 24 h photo flipped the demo's microcurrent verdict in 3 of 3 London twins, docs/validation.md
    §14).  The same lines as ``timeline``'s console prints, so ``batch`` names the photos before the fits do.

    Parameters
    ----------
    change_rows : list of dict
        changes.csv's rows (``photo``, ``subject``, ``treatment``, ``hours_since_treatment``, ``status``,
        ``messages``, ``<column>_verdict``).
    regimen : bool
        The rows are the regimen batch's (each note then reads ``regimen: ...``, as the timeline says it).

    Returns
    -------
    list of str
        ``"kept in the fit with a warning: `S01/mc/p8.jpg` (S01, microcurrent, 24 h since treatment): expression
        may differ (...)"``, in the rows' order, for the timeline's default series (:data:`HEADLINE_METRICS`, the
        ``mean`` side, or right and left for a metric without one); [] when none.
    """
    return [f"{KEPT_WITH_WARNING}{n}" for n in _kept(expression_kept, change_rows, regimen)]


def light_kept_lines(change_rows, regimen: bool = False) -> list[str]:
    """One console line per comparison whose fold rows ``timeline``'s default fits will use although the gate warned
    that the lighting differs (:func:`facemetrics.batch.fit_notes.light_kept_notes`), worded as
    :func:`expression_kept_lines`: ``"kept in the fit with a warning: `S01/rf/home1.jpg` (S01, rf, 34 h since
    treatment): lighting differs: face luminance from 143 to 111 of 255 (-23 % ± < 0.5 %, limit ±20 %); fold depth
    and contrast depend on the light"``; [] when none.  ``regimen``: the rows are the regimen batch's
    (``regimen: ...``)."""
    return [f"{KEPT_WITH_WARNING}{n}" for n in _kept(light_kept, change_rows, regimen)]


def _kept(notes, change_rows, regimen: bool = False) -> list[KeptNote]:
    """``notes`` (:func:`facemetrics.batch.fit_notes.expression_kept` or
    :func:`~facemetrics.batch.fit_notes.light_kept`) of ``change_rows`` for the timeline's default series
    (:func:`_headline_columns`), each a regimen comparison's when ``regimen``."""
    columns = _headline_columns(change_rows)
    clean = [{k: ("" if isinstance(v, float) and math.isnan(v) else v) for k, v in r.items()} for r in change_rows]
    return [n.in_regimen() if regimen else n for n in notes(clean, columns)]


def kept_ahead_lines(change_rows, regimen: bool = False) -> list[str]:
    """``batch``'s line per warning the timeline's fits will keep comparisons with (the expression may differ, the
    lighting differs): how many, which photos (:func:`facemetrics.listing.join_few`) and that ``timeline``
    prints a line for each (:func:`expression_kept_lines`, :func:`light_kept_lines`).  ``batch`` printed those
    lines themselves, and ``timeline`` printed them again: a user running the two saw each twice (stop 58's note).
    ``regimen``: the rows are the regimen batch's (``regimen: ...``); [] when none.  The photos are the notes'
    :attr:`~facemetrics.batch.fit_notes.KeptNote.photo` (until stop 60 read back out of the lines, up to "`` (``":
    a name holding it was cut short).

    ``"3 comparisons the fits will keep with a warning, lighting differs: `day1_home.jpg`, `day3_home.jpg` and
    `t2_day3_home.jpg` (`timeline` prints a line for each, with its figures)"``
    """
    out = []
    for warning, notes in ((MSG_EXPRESSION_MAYBE, _kept(expression_kept, change_rows)),
                           (MSG_LIGHTING, _kept(light_kept, change_rows))):
        photos = [f"`{n.photo}`" for n in notes]
        if photos:
            out.append(f"{'regimen: ' if regimen else ''}{len(photos)} comparison{'s' * (len(photos) > 1)} the fits "
                       f"will keep with a warning, {warning}: {join_few(photos)} {KEPT_AHEAD_END}")
    return out


def skipped_lines(folder, manifest=None, output=None, all_placed: bool = False) -> list[str]:
    """``["2 other files not read (not a photo by their ending: me/rf/IMG_0107.MOV, me/rf/notes.txt)"]``:
    the files of a study folder that ``batch`` and ``study import`` do not read, which both passed over
    silently (a Live Photo's .MOV, a note; `analyze` named them; a first-time user's session, 2026-12-05);
    ``treated_at.txt`` and the manifest, which they read, and the files of ``output`` (``batch -o`` inside
    the study folder) are not named.  [] when there are none.

    A CSV with a manifest's columns that was not given is named with ``--manifest``.  With ``all_placed``
    (no photo was left out: the folders, EXIF and file names placed and timed every one) the line says it was
    not needed, which the bare suggestion did not: on the demo's own study folder it read as if the batch had
    missed something (a newcomer's walkthrough, stop 52)."""
    read = {TREATED_AT_FILE} | ({Path(manifest).name} if manifest else set())
    skipped = skipped_note([folder], read=read, outputs=output).removeprefix("; ")
    lines = [skipped[0].upper() + skipped[1:]] if skipped else []
    if not manifest:  # a CSV with the manifest's columns: the folder's own manifest, not given (the demo's)
        out = Path(output).resolve() if output is not None else None
        for f in other_files(folder):
            cols = manifest_like_columns(f) if (out is None or out not in f.resolve().parents) else ()
            if cols and f.name not in read:
                what = (f"not needed here, every photo was placed and timed without it (--manifest {f} would "
                        "read it instead)" if all_placed else f"give it with --manifest {f}")
                lines.append(f"{f.relative_to(folder).as_posix()} looks like a manifest (its columns "
                             f"{', '.join(cols)}): {what}")
    return lines


def first_listed(cell, names) -> str:
    """The first photo of a ``"; "``-joined cell of photo names (changes.csv's ``baseline_photos``: the before
    photo first): the longest of ``names`` (photos.csv's ``photo``) the cell is or begins with before a ``"; "``,
    else the text before its first ``"; "``.  A list of file names, not of messages, so neither a plain split nor
    :func:`facemetrics.messages.split_messages` (brackets, remedies) is right: a file may be named
    ``before; 1.jpg`` (a plain split read ``before``, no photo, and the pair of different shapes went unnamed)."""
    text = str(cell) if isinstance(cell, str) else ""
    known = [n for n in names if isinstance(n, str) and n and (text == n or text.startswith(n + "; "))]
    return max(known, key=len) if known else text.split("; ")[0]


def shape_lines(photo_rows, change_rows, most: int = 5) -> list[str]:
    """One console line naming the comparisons whose two photos differ in shape (width over height) by more than
    the rounding of a resize that kept it (one pixel on each side of each photo): a screenshot, a crop or a photo
    resized without keeping its shape, against a photo as the camera saved it.  Such a pair was named only by its
    rows' messages in changes.csv; nothing a user ran showed which photos they were (round 2 of a first-time
    user's session, 2026-12-05; the aspect-ratio figure of docs/compare.md's stop 25 has no command).  No
    threshold is chosen: the bound is the resize's own rounding.

    Parameters
    ----------
    photo_rows : list of dict
        photos.csv's rows (``photo``, ``image_width_px``, ``image_height_px``: upright pixels).
    change_rows : list of dict
        changes.csv's rows (``photo``, ``baseline_photos``: the before photo first).
    most : int
        How many pairs are named; the rest are counted.

    Returns
    -------
    list of str
        [] when every compared pair has one shape.
    """
    def size(photo):
        r = dims.get(photo) or {}
        try:
            w, h = float(r.get("image_width_px")), float(r.get("image_height_px"))
        except (TypeError, ValueError):
            return None
        return (w, h) if w > 0 and h > 0 else None

    dims = {r.get("photo"): r for r in photo_rows}
    pairs, turned = [], []
    for c in change_rows:
        before = first_listed(c.get("baseline_photos"), dims)
        a, b = size(c.get("photo")), size(before)
        bound = 1 / a[0] + 1 / a[1] + 1 / b[0] + 1 / b[1] if a and b else 0.0
        if a and b and abs(math.log((a[0] / a[1]) / (b[0] / b[1]))) > bound:
            # the camera's own frame held the other way (landscape against portrait) is no screenshot or crop:
            # Round 20 (docs/validation.md section 12) read such a photo called "a screenshot ... or edited copies"
            which = turned if abs(math.log((a[0] / a[1]) * (b[0] / b[1]))) <= bound else pairs
            which.append(f"{c['photo']} {fixed(a[0], 0)} × {fixed(a[1], 0)} px against {before} {fixed(b[0], 0)} × "
                         f"{fixed(b[1], 0)} px")
    lines = []
    for found, what, advice in ((pairs, "two photos of different shapes (width over height: a screenshot, a crop, or "
                                 "a photo resized without keeping its shape)", "Compare photos as the camera saved "
                                 "them (the original files, not screenshots or edited copies)."),
                                (turned, "a landscape photo and a portrait one (the phone held the other way)",
                                 "Hold the phone as for the before photo (upright or sideways, as it was then).")):
        if found:
            n = len(found)
            shown = "; ".join(found[:most]) + (f"; and {n - most} more" if n > most else "")
            lines.append(f"{n} comparison{'s' if n != 1 else ''} of {what}: {shown}. The face fills the two frames "
                         f"differently; changes.csv's messages say what that did to each comparison. {advice}")
    return lines


#: what a file filed in two or more sessions is in a batch (:func:`identical_files_lines`)
COPIES_USED = "each copy is used in its own session"
#: ... and in a study store (``study import``): it said :data:`COPIES_USED` beside "already in the store: not added
#: again" for the same files (a clinic's study, stop 55)
COPIES_STORED = "the store keeps one copy per subject, in the session and at the time it was first imported"


def identical_files_lines(photo_rows, most: int = 5, again: str = "run batch again",
                          within_session: bool = True, used: str = COPIES_USED) -> list[str]:
    """The console lines naming the files of a batch that are one file (the same ``sha256``) filed twice:
    in two or more sessions (the same photo under two subjects, ``anna/mc/after.jpg`` and ``ben/rf/post.jpg``,
    is measured and compared in each), and within one session when a copy has no capture time.  Both were
    counted as "identical to another photo here" with no name (round 2 of a first-time user's session,
    2026-12-05).  Copies within one session that all have a time are not named here: the pairing rule uses
    them once and says so in photos.csv.  ``batch`` and ``study import`` print them (one rule, one wording).

    Parameters
    ----------
    photo_rows : list of dict
        The batch's photos.csv rows (``photo``, ``sha256``, ``subject``, ``treatment``, ``treated_at``,
        ``taken_at``: "" or None when the photo has none); ``study import`` gives the same keys per file.
    most : int
        How many groups each line names; the rest are counted.
    again : str
        What to run once a copy filed under the wrong subject or session is removed.
    within_session : bool
        Also name the copies within one session without a capture time (``study import``: False; its store
        keeps one copy per subject, "already there").
    used : str
        What becomes of the copies, in the line's brackets: :data:`COPIES_USED` (``batch``), :data:`COPIES_STORED`
        (``study import``).

    Returns
    -------
    list of str
        [] when no file is filed twice so.
    """
    groups: dict[str, list[dict]] = {}
    for r in photo_rows:  # a photo of no session (no subject or treatment: not in the manifest) is filed nowhere
        if r.get("sha256") and str(r.get("subject") or "").strip() and str(r.get("treatment") or "").strip():
            groups.setdefault(r["sha256"], []).append(r)
    spread, untimed = [], []
    for rows in groups.values():
        if len(rows) < 2:
            continue
        sessions = {(name_key(r["subject"]), name_key(r["treatment"]), str(r.get("treated_at") or "")) for r in rows}
        subjects = sorted({name_key(r["subject"]): str(r["subject"]) for r in rows}.values())
        names = " = ".join(sorted(r["photo"] for r in rows))
        if len(sessions) > 1:
            where = (f"subjects {', '.join(map(repr, subjects))}" if len(subjects) > 1
                     else f"{len(sessions)} sessions of {subjects[0]!r}")
            spread.append(f"{names} ({where})")
        elif within_session and any(not str(r.get("taken_at") or "").strip() for r in rows):  # unpaired: unnamed
            untimed.append(f"{names} ({subjects[0]!r}, {str(rows[0]['treatment'])!r})")

    def shown(items):
        n = len(items)
        return "; ".join(items[:most]) + (f"; and {n - most} more" if n > most else "")

    lines = []
    if spread:
        n = len(spread)
        lines.append(f"{n} photo{'s are' if n != 1 else ' is'} filed in two or more sessions as the same file "
                     f"({used}): {shown(spread)}. If a copy is filed under the wrong subject or session, remove it "
                     f"and {again}.")
    if untimed:
        n = len(untimed)
        lines.append(f"{n} photo{'s are' if n != 1 else ' is'} filed twice or more in one session as the same file, "
                     f"without a capture time: {shown(untimed)}. Given one time, one copy is used and the others are "
                     f"left out as copies (at two times, every copy is left out: one photo is not taken twice); if a "
                     f"copy was meant to be another photo, put that photo in its place.")
    return lines


def manifest_lines(excluded, manifest=None, most: int = 5) -> list[str]:
    """The console lines on a manifest that does not fit the folder, each with what to do: the folder's
    photos it does not list, its rows whose photo is not in the folder, its times written with a dot
    (``08.20``: why that cannot be read (a dated ``8.20pm`` is read since stop 46), and the time each would be with colons; they were
    among "cannot be read" with their reason in photos.csv alone, round 2, 2026-12-05), its other times
    that are not read.  Each
    was said only in photos.csv's ``excluded`` ("not in manifest", "listed in manifest row 5 but not
    found", "capture time '2026-12-02 9am' is not ISO 8601"), and a manifest listing some photos of a
    folder left the others out without a word (round 2 of a first-time user's session, 2026-12-05).
    ``batch`` and ``study import`` print them.

    Parameters
    ----------
    excluded : list of facemetrics.batch.Excluded
        The photos left out (:attr:`facemetrics.batch.BatchResult.excluded`; for ``study import``, each
        photo's :attr:`facemetrics.batch.PhotoEntry.reasons`): the lines are built from their
        :attr:`~facemetrics.batch.Excluded.reasons` (codes :data:`~facemetrics.batch.discover.NOT_LISTED`,
        :data:`~facemetrics.batch.discover.NOT_FOUND`, :data:`~facemetrics.batch.discover.TIME_DOTTED`,
        :data:`~facemetrics.batch.discover.TIME_UNREAD`: the row, column, value and time meant), not their text.
    manifest : str or None
        The manifest given; [] when None.
    most : int
        How many photos or rows each line names; the rest are counted.

    Returns
    -------
    list of str
    """
    if not manifest:
        return []

    def shown(items):
        n = len(items)
        return ", ".join(items[:most]) + (f" and {n - most} more" if n > most else "")

    reasons = [(e.photo, r) for e in excluded for r in e.reasons]
    unlisted = [photo for photo, r in reasons if r.code == NOT_LISTED]
    # with the file it likely means (discover.likely_file: another case, ending or a subfolder; stop 55, b3)
    missing = [f"row {r.row} ({photo})" + (f" {r.reading}" if r.reading else "") for photo, r in reasons
               if r.code == NOT_FOUND]
    times, dotted = [], []  # a time not read; one written with a dot (08.20, 8.20pm), said with its own reason
    for photo, r in reasons:
        said = f"row {r.row} ({photo}), column {r.column!r}: {r.value!r}" + (f" {r.reading}" if r.reading else "")
        if r.code == TIME_DOTTED:
            dotted.append(said)
        elif r.code == TIME_UNREAD:
            times.append(said)
    lines = []
    if unlisted:
        n = len(unlisted)
        lines.append(f"{n} photo{'s' if n != 1 else ''} of the folder {'are' if n != 1 else 'is'} not in {manifest}, "
                     f"so {'they are' if n != 1 else 'it is'} not used: {shown(unlisted)}. A manifest lists every "
                     f"photo it uses (the folders' treated_at.txt are not read with one): add a row for "
                     f"{'each' if n != 1 else 'it'} (photo, subject, treatment, taken_at, treated_at), or leave "
                     f"--manifest out to use the folders.")
    if missing:
        n = len(missing)
        lines.append(f"{n} row{'s' if n != 1 else ''} of {manifest} name{'' if n != 1 else 's'} a photo that is not "
                     f"in the folder: {shown(missing)}. Correct {'each' if n != 1 else 'its'} photo path (relative "
                     f"to the study folder, as photos.csv writes it) or remove the row.")
    if dotted:  # its reason was said in photos.csv alone, the rows among "cannot be read" (round 2, 2026-12-05)
        n = len(dotted)
        whose = "their photos are" if n != 1 else "its photo is"
        more = f"; and {n - most} more" if n > most else ""
        lines.append(f"{n} time{'s' if n != 1 else ''} in {manifest} {'are' if n != 1 else 'is'} written with a dot "
                     f"after the hours or the minutes, so {whose} not used: {'; '.join(dotted[:most])}{more}. "
                     f"ISO 8601 reads 08.20 as 8.20 hours (08:12) and Python's datetime as 08:00:00.20, "
                     f"so which time was meant cannot be told: write {'each' if n != 1 else 'it'} "
                     f"on the 24-hour clock with colons, as {ACCEPTED_TIME_FORMS}.")
    if times:
        n = len(times)
        whose = "their photos are" if n != 1 else "its photo is"
        more = f"; and {n - most} more" if n > most else ""
        lines.append(f"{n} time{'s' if n != 1 else ''} in {manifest} cannot be read, so {whose} not used: "
                     f"{'; '.join(times[:most])}{more}. Write {'each' if n != 1 else 'it'} as {ACCEPTED_TIME_FORMS}.")
    return lines


def no_capture_time_lines(excluded, manifest=None, most: int = 5, output=None, folder=None) -> list[str]:
    """One console line naming the photos a batch left out for want of a capture time, and how to give
    theirs: a screenshot, a PNG or a photo sent through a messaging app has no EXIF time, and such photos
    were counted among "photos left out of the changes" with the reason only in photos.csv (a first-time
    user's session, 2026-12-05).  A manifest must list every photo (one not listed is left out), so the
    remedy starts from a copy of photos.csv, which reads as a manifest (its other columns are passed
    over); a photo a manifest does not list is not named here (its reason says "not in manifest").

    Parameters
    ----------
    excluded : list of facemetrics.batch.Excluded
        The photos left out (:attr:`facemetrics.batch.BatchResult.excluded`): those with a reason of code
        :data:`~facemetrics.batch.discover.NO_TIME` and none of code :data:`~facemetrics.batch.discover.NOT_LISTED`
        or :data:`~facemetrics.batch.discover.NOT_MEASURED`.
    manifest : str or None
        The manifest given, if any.
    most : int
        How many photos are named; the rest are counted.
    output, folder : str or None
        The batch's output and study folders: the remedy then names ``OUTPUT/photos.csv`` and the
        command to run again (it said "a copy of photos.csv" and "--manifest COPY" alone).

    Returns
    -------
    list of str
        [] when every photo had a capture time.
    """
    # a photo not in the manifest is named so already (manifest_lines): its row is to be added, not filled in;
    # one not measured (no face, ...) would still be left out with its time: "To use it, fill in its taken_at"
    # was said of a photo without a face (stop 45)
    names = [e.photo for e in excluded if any(r.code == NO_TIME for r in e.reasons)
             and not any(r.code in (NOT_LISTED, NOT_MEASURED) for r in e.reasons)]
    if not names:
        return []
    n = len(names)
    shown = ", ".join(names[:most]) + (f" and {n - most} more" if n > most else "")
    command = (f"facemetrics batch {shlex.quote(str(folder))} -o {shlex.quote(str(output))} --manifest COPY"
               if output and folder else "")
    how = fill_in_taken_at(n, manifest, table=f"{output}/photos.csv" if output else "photos.csv",
                           again="run batch again", command=command)
    return [f"{n} photo{'s have' if n != 1 else ' has'} {UNTIMED_WHY}, so {'they are' if n != 1 else 'it is'} "
            f"compared with nothing: {shown}. To use {'them' if n != 1 else 'it'}, {how}."]


#: why a photo has no capture time, as `batch` and `study import` say it (one wording, stop 64 h2)
UNTIMED_WHY = ("no capture time (no EXIF date, no time in the file name: photos sent through a messaging app and PNGs "
               "lose the first)")


def regimen_lines(reg, output, kept_lines: bool = False) -> list[str]:
    """The console lines of a batch's regimen batch (each ``regimen: ...``), as ``batch`` and ``study
    report`` print them: its capture times without an offset, how many pre-session photos were
    compared, its passed-over before photos, the first session's before photos that disagree and the
    noise floors built from them (the regimen's baseline: once per subject and treatment, in the batch's
    words; its changes.csv said so, the console did not), its pictures at two times, its repeats left out, and
    its comparisons the timeline fits although the expression or the lighting may differ (one line per warning,
    :func:`kept_ahead_lines`: ``regimen: 1 comparison the fits will keep ...``; with ``kept_lines``, worded as the
    timeline prints them: ``kept in the fit with a warning: regimen: ...``).

    Parameters
    ----------
    reg : facemetrics.batch.BatchResult or None
        The regimen batch (:func:`facemetrics.regimen.run_regimen_batch`); None when there is none.
    output : str or path-like
        The batch's output folder, as the user gave it.
    kept_lines : bool
        The timeline's line for each comparison kept with a warning, as :func:`batch_lines`; else one per warning
        (:func:`kept_ahead_lines`).

    Returns
    -------
    list of str
        [] when ``reg`` is None.
    """
    if reg is None:
        return []
    rows = reg.change_rows
    lines = [*reg.time_notes,  # pooled baselines' capture times without an offset read or left out
             f"{len(rows)} pre-session photo{'s' * (len(rows) != 1)} compared with the first session's baseline "
             f"({output}/regimen)",  # "1 pre-session photos compared" (the clinic RF audit's, stop 58)
             # a before photo passed over or at fault; the first session's before photos disagree (each says if
             # left out), and the floors built from those photos, once per group; one picture at two times
             *session_notes(rows)]
    lines += [note] if (note := repeats_left_out_note(rows, f"{REGIMEN_DIR}/changes.csv")) else []
    # the comparisons the timeline fits with a warning: in the timeline's own words, or named once per warning
    kept = (expression_kept_lines(rows, regimen=True) + light_kept_lines(rows, regimen=True) if kept_lines
            else kept_ahead_lines(rows, regimen=True))
    return [f"regimen: {line}" for line in lines] + kept


def batch_time_notes(res) -> list[str]:
    """The console lines of a batch run on names and times, as ``batch`` and ``study report`` print
    them: subject or treatment names written several ways taken as one
    (:func:`~facemetrics.batch.discover.merge_spellings`), capture times without a UTC offset read in
    an offset or left out (:func:`~facemetrics.batch.discover.offset_free_times`: one line for all the
    sessions whose photos carry none; a treated_at without an offset among photos of two or more
    offsets, :func:`~facemetrics.batch.discover.offset_free_treatment`), and manifest capture times far from the photos' EXIF times
    (:func:`~facemetrics.batch.discover.manifest_time_notes`).

    Parameters
    ----------
    res : facemetrics.batch.BatchResult
        The run (its ``merged``, ``time_notes`` and ``taken_at_notes``).

    Returns
    -------
    list of str
    """
    return [*res.merged, *res.time_notes, *res.taken_at_notes]


def batch_summary(res, output) -> str:
    """The batch's summary line.  Its counts agree with ``changes.csv``: a comparison refused or
    failed is a row there (status ``refused``/``error``) and is counted among the changes as such;
    "left out of the changes" counts the excluded photos with no row in it (``photos.csv``'s ``excluded``
    says why); it counted every photo with an ``excluded`` reason, refused ones too, as "excluded
    from the changes" (an audit, 2026-12-03).  When no comparison gave a change (none made, or every one
    refused or failed), :func:`why_no_changes` follows: a refused or failed comparison counted by its
    reason's code, as a photo not measured is (its messages were split into reasons of their own, and
    the line was printed only when no comparison was made at all; h4, 2026-12-05)."""
    n, n_bad = len(res.photo_rows), len(res.photo_rows) - res.n_ok
    # how the photos' results were had: a part of the n photos, not more photos ("15 photos: 15 measured;
    # 14 read from the cache" read as 29; an audit, 2026-12-04)
    how = [f"{res.n_cached} read from the cache of an earlier run"] if res.n_cached else []
    how += [f"{res.n_duplicates} identical to another photo here"] if res.n_duplicates else []
    head = (f"{n} photo{'' if n == 1 else 's'} measured" if not n_bad
            else f"{n} photo{'' if n == 1 else 's'}: {res.n_ok} measured, {n_bad} not "
                 "(photos.csv's status and error say why)")
    if how:
        head += f" ({', '.join(how)})" if not n_bad else f"; of the {n}, {', '.join(how)}"
    n_changes = len(res.change_rows)
    compared = {r.get("photo") for r in res.change_rows}
    n_refused = sum(r.get("status") in ("refused", "error") for r in res.change_rows)
    n_out = sum(e.photo not in compared for e in res.excluded)
    refused = f", {n_refused} of them refused or failed (their status in changes.csv)" if n_refused else ""
    refused += next_before_count(res.change_rows, res.photo_rows)  # a before photo read also as an after photo
    earlier = ""
    if res.removed:  # an earlier run's timeline: made from the tables this run replaced
        earlier += (f" The earlier {', '.join(res.removed)} in {output} removed (made from an earlier run's tables; "
                    f"`facemetrics timeline {output}` makes them again).")
    if res.not_removed:
        earlier += (f" Not removed: {', '.join(res.not_removed)}; it is not made from these tables.")
    # none left out: no column to read why ("0 photos left out of the changes (... says why)", the clinic RF audit's)
    out = (f"{n_out} photo{'' if n_out == 1 else 's'} left out of the changes (the 'excluded' column of photos.csv "
           "says why)" if n_out else "no photo left out of the changes")
    return (head + f"; {n_changes} change{'' if n_changes == 1 else 's'}{refused}; {out}. "
            f"Tables in {output}: photos.csv, changes.csv, long.csv ({fixed(res.seconds, 1)} s).{earlier}"
            + (why_no_changes(res.excluded) if n_changes == n_refused else ""))


def nothing_compared(res, reg=None) -> str:
    """Why a batch compared nothing, in one line for stderr (``facemetrics batch`` then exits with status 1;
    it exited 0 with every photo failed or no pair formed: stop 45's audit); "" when at least one
    comparison of the batch or of its regimen batch gave a change (status ``ok`` or ``warning``).

    Parameters
    ----------
    res : facemetrics.batch.BatchResult
        The batch (its ``photo_rows``, ``n_ok`` and ``change_rows``).
    reg : facemetrics.batch.BatchResult or None
        Its regimen batch (:func:`facemetrics.regimen.run_regimen_batch`); None when there is none.

    Returns
    -------
    str
        "no photo could be measured ...", "no comparison could be made ..." or "every one of the n
        comparisons was refused or failed ...", each naming the table that says why; "" otherwise.
    """
    rows = list(res.change_rows) + (list(reg.change_rows) if reg is not None else [])
    if any(r.get("status") not in ("refused", "error") for r in rows):
        return ""
    n = len(res.photo_rows)
    if rows:
        return (f"every one of the {len(rows)} comparison{'' if len(rows) == 1 else 's'} was refused or failed "
                "(changes.csv's status and messages say why); the tables are written")
    if not res.n_ok:
        return (f"no photo could be measured ({n} photo{'' if n == 1 else 's'}; photos.csv's status and error say "
                "why); the tables are written")
    return (f"no comparison could be made ({res.n_ok} of {n} photo{'' if n == 1 else 's'} measured, none paired "
            "with a baseline photo of its session; photos.csv's excluded column says why); the tables are written")


def reason_parts(why: str) -> list[str]:
    """The reasons of one ``excluded`` cell told from its text alone (joined with "; ", split at that
    outside brackets: :func:`facemetrics.messages.split_messages`), a photo not measured as one reason whatever its error (that names the photo; its
    ``status`` and ``error`` columns say it).  Only for an entry whose reasons are not all kept as
    :class:`~facemetrics.batch.discover.Reason` s (:func:`excluded_reasons`): a reason's own text may
    hold "; " (a time written with a dot: "...; accepted: ...")."""
    return [(UNREAD_LABEL if p.startswith("cannot be read (") else REASON_LABELS[NOT_MEASURED])
            if p.startswith(("not measured (", "cannot be read (")) else p for p in split_messages(why)]


#: how :func:`why_no_changes` counts a reason of each code (the lines after the summary name the photos,
#: rows and what to do: :func:`manifest_lines`, :func:`no_capture_time_lines`); a time of the manifest is
#: named by its column (:func:`reason_label`); a reason of code :data:`~facemetrics.batch.discover.OTHER`
#: by its text
REASON_LABELS = {NOT_MEASURED: "not measured (photos.csv's status and error say why)",
                 COMPARISON_REFUSED: "comparison refused (changes.csv's status and messages say why)",
                 COMPARISON_FAILED: "comparison failed (changes.csv's status and messages say why)",
                 NO_TIME: "no capture time",
                 NOT_LISTED: "not in the manifest",
                 NOT_FOUND: "listed in the manifest but not found in the folder",
                 TIME_DOTTED: "{} in the manifest with a dot (08.20)",
                 TIME_UNREAD: "{} in the manifest not read as a time"}


#: how :func:`why_no_changes` counts a reason of code :data:`~facemetrics.batch.discover.NOT_MEASURED` whose photo
#: could not be read at all (its text ``"cannot be read (...)"``, :func:`facemetrics.analyze.failure_text`): the
#: words ``analyze`` and the app use for it (an empty or truncated file was counted "not measured")
UNREAD_LABEL = "cannot be read (photos.csv's status and error say why)"


def reason_label(reason) -> str:
    """The words :func:`why_no_changes` counts one :class:`~facemetrics.batch.discover.Reason` by: its
    code's (:data:`REASON_LABELS`; a manifest's time named as a capture or a treatment time by its column),
    or its text for a code of no label (:data:`~facemetrics.batch.discover.OTHER`)."""
    noun = {"taken_at": "capture time", "treated_at": "treatment time"}.get(reason.column, "time")
    if reason.code == NOT_MEASURED and str(reason.text).startswith("cannot be read ("):
        return UNREAD_LABEL
    causes = refusal_causes(reason.text) if reason.code == COMPARISON_REFUSED else []
    if causes:  # "comparison refused (changes.csv's ... say why)" was all an all-refused batch said (stop 44)
        return f"comparison refused: {' and '.join(causes)} (changes.csv's messages say more)"
    failed = failure_cause(reason.text) if reason.code == COMPARISON_FAILED else ""
    if failed:  # it had the general words too, as a refusal had (stop 45)
        return f"comparison failed: {failed}"
    return REASON_LABELS[reason.code].format(noun) if reason.code in REASON_LABELS else reason.text


#: the words of :data:`facemetrics.batch.workers.MSG_COMPARE_CRASHED` that say a comparison's process ended
#: (a native crash of the face finder, twice)
COMPARE_CRASHED_WORDS = " crashed the face finder ("


def failure_cause(text: str) -> str:
    """Why a comparison failed (a :data:`~facemetrics.batch.discover.COMPARISON_FAILED` reason's ``text``:
    ``"comparison error: "`` and its messages), as :func:`why_no_changes` counts it: the face finder crashed
    (:data:`COMPARE_CRASHED_WORDS`: what to do, as the message says), or facemetrics itself failed, named by the
    exception's type (the worker's message ``"ValueError: ..."``: photos that failed alike are counted
    together, their own details left to changes.csv); "" for a text of neither kind (the general words)."""
    body = str(text or "").split(": ", 1)[-1] if str(text or "").startswith("comparison ") else str(text or "")
    if COMPARE_CRASHED_WORDS in body:
        return ("the photos crashed the face finder (re-save them as PNG or JPEG and run batch again; "
                "changes.csv's messages name them)")
    kind = body.split(": ", 1)[0] if ": " in body else ""  # the worker's f"{type(exc).__name__}: {exc}"
    if kind.isidentifier() and kind[0].isupper():
        return (f"facemetrics itself failed ({kind}; changes.csv's messages say more): please report it "
                "with the photos if you can share them")
    return ""


def refusal_causes(text: str) -> list[str]:
    """Why a comparison was refused, in the gate's own words: each of
    :data:`facemetrics.compare.gate.REFUSAL_PREFIXES` that begins one of the messages in ``text`` (a
    :data:`~facemetrics.batch.discover.COMPARISON_REFUSED` reason's, ``"comparison refused: "`` and the
    messages joined with "; "), in that list's order, without a trailing ``" ("``: ``["these may be different
    people"]``, ``["after photo not measured"]``; [] when none does (the other messages are differences found on
    the way: the pose, the light).  Read from the prefixes, never by splitting the text at "; "."""
    from ..compare.gate import REFUSAL_PREFIXES

    body = str(text or "").removeprefix("comparison refused: ")
    return [p.removesuffix(" (") for p in REFUSAL_PREFIXES if body.startswith(p) or f"; {p}" in body]


def excluded_reasons(entry) -> list[str]:
    """The reasons one photo was left out, as :func:`why_no_changes` counts them, each once, in order.

    Parameters
    ----------
    entry : facemetrics.batch.Excluded
        The photo: its :attr:`~facemetrics.batch.Excluded.reasons`, each by :func:`reason_label` (a batch's
        photos have every reason of their text so: it is not split); the rest of its ``text`` (the texts of
        its reasons taken out), which has no reason kept so (a comparison refused or failed, an entry built
        by hand), split by :func:`reason_parts`.

    Returns
    -------
    list of str
    """
    text, reasons = entry.text or "", tuple(entry.reasons)
    rest = "" if "; ".join(r.text for r in reasons) == text else text
    for r in reasons if rest else ():
        rest = rest.replace(r.text, "", 1) if r.text else rest
    return list(dict.fromkeys([reason_label(r) for r in reasons] + reason_parts(rest)))


def why_no_changes(excluded, most: int = 3) -> str:
    """When a batch made no change at all (or only comparisons refused or failed), the commonest reasons
    its photos were left out, with how many photos each, so that the console says what to fix: a folder of photos without
    ``<subject>/<treatment>/`` folders read "0 changes" with the reasons only in photos.csv (a new
    user's audit, 2026-12-04).  ``excluded``: :class:`facemetrics.batch.Excluded` entries, their reasons
    by :func:`excluded_reasons` (by code, never a reason's text split: "3 photos: accepted: 2026-11-02T08:20
    or ..." was counted as a reason, the tail of a time written with a dot, 2026-12-05); "" when there are
    none."""
    counts = Counter(part for e in excluded for part in excluded_reasons(e))
    if not counts:
        return ""
    shown = [f" {n} photo{'' if n == 1 else 's'}: {why.rstrip('.')}." for why, n in counts.most_common(most)]
    rest = len(counts) - len(shown)
    more = f" {rest} other reason{'' if rest == 1 else 's'}: see photos.csv." if rest > 0 else ""
    return " No photo could be compared." + "".join(shown) + more


def import_untimed_lines(photos, folder, manifest=None, most: int = 5) -> list[str]:
    """One console line after `study import` on the photos it did not import for want of a capture time,
    and how to give theirs.  Each photo's line said "give it in a manifest's taken_at column (--manifest
    CSV)", which did not say that a manifest lists every photo it imports with its subject, treatment and
    treatment time (one listing these photos alone leaves the folder's others out), nor where to start one
    (round 2 of a first-time user's session, 2026-12-05); its remedy is `batch`'s (:func:`fill_in_taken_at`, stop
    64 h2: the two said it in two wordings).

    Parameters
    ----------
    photos : list of str
        The photos (paths relative to ``folder``) refused for want of a capture time.
    folder : str
        The study folder, as given.
    manifest : str or None
        The manifest given, if any (then its taken_at is to be filled in).
    most : int
        How many photos are named; the rest are counted.

    Returns
    -------
    list of str
        [] when there are none.
    """
    if not photos:
        return []
    n = len(photos)
    shown = ", ".join(photos[:most]) + (f" and {n - most} more" if n > most else "")
    folder = shlex.quote(str(folder))
    how = fill_in_taken_at(n, manifest, table=f"OUT/photos.csv (facemetrics batch {folder} -o OUT writes it)",
                           again="import again",
                           command=f"facemetrics study import {folder} --manifest COPY; the photos stored already "
                                   "are not added twice")
    if not manifest:
        how += ("; or add one photo with `facemetrics study add PHOTO --subject S --treatment T --treated-at TIME "
                "--taken-at TIME`")
    return [f"{n} photo{'s have' if n != 1 else ' has'} {UNTIMED_WHY}: {shown}. "
            f"To import {'them' if n != 1 else 'it'}, {how}."]
