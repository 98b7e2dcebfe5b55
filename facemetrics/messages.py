"""A comparison's messages as text: split where they were joined, shortened without losing the remedy.

Pure text in, text out.  A comparison's messages are joined with ``"; "`` in one cell
(``changes.csv``'s ``messages``, photos.csv's ``excluded``), but a message may hold ``"; "`` itself: inside
brackets (the camera message, "(+12 % ± 4 % of the distance, limit ±10 %; at an assumed 45 cm for the before
photo that would be about 5 cm further away: only the % is measured)") and before its remedy (compare's
gate: "...: perspective changes the face's proportions. This was measured and corrected; hold the phone at
the same distance for every photo").  :func:`split_messages` is the one splitter of such a cell (the batch console, report.md's lists, the batch's counts of repeats); it
splits only outside brackets and keeps a remedy with its message.  :func:`shorten_message` shortens a long
message's reason to whole sentences and clauses, never its remedy (report.md cut every quoted message at 200
characters, and so dropped the remedy of the long ones; an audit, stop 45; and cut inside a sentence until stop 61).
"""

from __future__ import annotations

#: how a message's remedy begins after its reason's ``"; "``, ``". "`` or ``": "`` (compare's gate: "...; retake the
#: after photo facing the camera ...", "...; take both photos ...", "... Hold the phone at the same distance ...",
#: "...; give treated_at with its offset ...", the mirror image's "...: flip one photo left to right ...", the same
#: picture's "...; compare two different photos", a second face's "...: crop the photo to the one face", the
#: loader's "...; save a smaller copy of it ...", "...; use the photo without transparency", a session's "...; if the
#: photo belongs to that session, give it ..."), compared without letter case.  Every word that begins a clause after
#: ``"; "`` or ``". "`` in the modules whose messages reach a joined cell is listed in ``tests/test_messages.py``
#: as a remedy (here) or not (``NOT_REMEDIES``): a new message whose remedy begins with another verb fails that test
#: until the verb is added here (stop 46: "compare two different photos" was split off as a message of its own)
REMEDY_STARTS = ("take ", "retake ", "hold ", "give ", "flip ", "compare ", "crop ", "save ", "re-save ", "use ",
                 "add ", "convert ", "pass ", "please ", "upgrade ", "if ")

#: where a remedy may begin in one message (:func:`remedy_start`): after a clause, a sentence or a colon
REMEDY_SEPARATORS = ("; ", ". ", ": ")

#: how a clause of a message begins after its ``"; "`` outside brackets when it is no message of its own
#: (compare's gate: a head-pose message's "...(limit ±3); this was measured and corrected ...", the camera
#: message's "...within its own uncertainty; the correction for it is beyond the ±42 % ..." of
#: ``compare.gate.MSG_CAMERA_UNCHECKED``; a second face's "2 faces found in the after photo; measured the largest,
#: ..."; a crash's "...(..., twice); not measured. Re-save ...", "...; not stored. ..." and "...; no changes,
#: nothing written. ..." of ``isolated.MSG_PHOTO_CRASHED``, ``MSG_STORE_CRASHED``, ``MSG_COMPARISON_CRASHED`` and
#: ``batch.workers``' twins; the expression message's cues after its first, "expression differs: smile index
#: -0.02 → -0.20 (limit ±0.10); mouth corners moved 2.0 mm narrower (limit 0.5 mm); a mouth corner moved 1.7 mm
#: ...", ``compare.gate.lip_shape_changes`` and its flow cues; the refusal of two different people's "...(limit 1.7 mm
#: RMS; ...); or hair, glasses, a strong expression ... hide the upper face. ...: retake the after photo ...",
#: ``compare.identity``: no message begins with "or"), compared without letter case; a remedy is one too.
#: ``tests/test_messages.py`` splits every ``MSG_*`` constant of the message modules back whole
CLAUSE_STARTS = ("this was ", "the correction for it ", "smile index ", "mouth-corner elevation ", "mouth opening ",
                 "mouth corners moved ", "a mouth corner moved ", "measured the largest", "not measured. ",
                 "not stored. ", "no changes. ", "no changes, ", "or ")


def top_level(text: str, sep: str) -> list[int]:
    """The positions of ``sep`` in ``text`` outside round and square brackets (a closing bracket without
    its opening one is ignored, never a negative depth), in order."""
    out, depth = [], 0
    for i, ch in enumerate(text):
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth = max(0, depth - 1)
        elif depth == 0 and text.startswith(sep, i):
            out.append(i)
    return out


def is_remedy(part: str) -> bool:
    """Does ``part`` (the text after a ``"; "``, ``". "`` or ``": "``) begin as a remedy (:data:`REMEDY_STARTS`)?"""
    return part.lstrip().lower().startswith(REMEDY_STARTS)


def continues(part: str) -> bool:
    """Does ``part`` (the text after a ``"; "``) continue the message before it: a remedy
    (:func:`is_remedy`) or another clause of it (:data:`CLAUSE_STARTS`)?"""
    return is_remedy(part) or part.lstrip().lower().startswith(CLAUSE_STARTS)


def split_messages(text) -> list[str]:
    """The messages of one cell joined with ``"; "``: split at each ``"; "`` outside brackets that
    does not continue the message before it (:func:`continues`: a remedy or a clause of its own),
    stripped, empty ones dropped.  ``text``: the cell (not a str, e.g. NaN or None: no message).

    Examples
    --------
    >>> split_messages("resolution too low (a; b); the camera was closer; hold the phone still")
    ['resolution too low (a; b)', 'the camera was closer; hold the phone still']
    """
    if not isinstance(text, str):
        return []
    parts, start = [], 0
    for i in top_level(text, "; "):
        if not continues(text[i + 2:]):
            parts.append(text[start:i])
            start = i + 2
    parts.append(text[start:])
    return [p.strip() for p in parts if p.strip()]


def remedy_start(message: str) -> int:
    """Where the remedy of one ``message`` begins: the last ``"; "``, ``". "`` or ``": "``
    (:data:`REMEDY_SEPARATORS`) outside brackets followed by a remedy (:func:`is_remedy`); ``len(message)`` when
    it has none."""
    cuts = [i for sep in REMEDY_SEPARATORS for i in top_level(message, sep) if is_remedy(message[i + 2:])]
    return max(cuts) if cuts else len(message)


#: said where :func:`shorten_message` left a sentence or clause of a message's reason out: where the whole message is
#: (every message it shortens is quoted from ``changes.csv``'s ``messages``: report.md's lists, the batch console's
#: refused comparisons, *My study*'s list of comparisons left out)
WHOLE_MESSAGE_NOTE = " (whole message in changes.csv's `messages` column)"


def reason_units(reason: str) -> list[tuple[int, int]]:
    """The sentences and clauses of a message's ``reason``: ``(start, end)`` of each text between the ``". "`` and
    ``"; "`` outside brackets (:func:`top_level`), in order; never a cut inside a sentence or a clause."""
    stops = sorted(set(top_level(reason, ". ") + top_level(reason, "; ")))
    starts = [0] + [i + 2 for i in stops]
    return list(zip(starts, stops + [len(reason)]))


def shorten_message(message: str, max_chars: int, keep: str = "", note: str = WHOLE_MESSAGE_NOTE) -> str:
    """``message`` with its reason shortened to the whole sentences and clauses (:func:`reason_units`) that fit in
    about ``max_chars`` characters, never cut inside one: its first is always kept whole, however long, then each
    next one while the reason stays within ``max_chars``; ``note`` (:data:`WHOLE_MESSAGE_NOTE`) follows a reason
    from which something was left out, and its remedy (:func:`remedy_start`, with the ``"; "``, ``". "`` or ``": "``
    before it) is kept whole after it, whatever its length.  A message no longer than ``max_chars`` is returned as
    it is.  It cut at a word with an ellipsis before stop 61 (report.md's "Comparisons left out" read "the found
    line follows an edge rather than a…": half a reason).

    ``keep``: a clause the shortened reason must hold (report.md's 'uncertain' list: the cause,
    :data:`facemetrics.compare.pose.MSG_CAMERA_UNCHECKED`): the sentence or clause that holds it is kept whole too,
    those between left out (the camera message was cut at "perspective changes the face's proportions. This
    was…", the reason its rows read 'uncertain' left out: u4's audit of a real study, stop 54).

    >>> shorten_message("A is wrong (a; b). It was measured; the fit is off; take it again", 40)
    "A is wrong (a; b). It was measured (whole message in changes.csv's `messages` column); take it again"
    """
    if len(message) <= max_chars:
        return message
    at = remedy_start(message)
    reason, remedy = message[:at], message[at:]
    units = reason_units(reason)
    where = reason.find(keep) if keep else -1
    kept, size = [0], units[0][1]
    for k, (a, b) in enumerate(units[1:], 1):
        if size + (a - units[k - 1][1]) + (b - a) > max_chars:
            break
        kept.append(k)
        size += (a - units[k - 1][1]) + (b - a)
    if where >= 0:  # the sentence or clause holding the cause, whatever its length
        kept += [k for k, (a, b) in enumerate(units) if a <= where + len(keep) and b >= where and k not in kept]
    if len(kept) == len(units):
        return message
    text = reason[:units[0][1]]
    for k in sorted(kept)[1:]:
        text += reason[units[k - 1][1]:units[k][0]] + reason[units[k][0]:units[k][1]]
    return text.rstrip(" ;,.") + note + remedy
