"""A comparison's messages as text: split where they were joined, shortened without losing the remedy.

Pure text in, text out.  A comparison's messages are joined with ``"; "`` in one cell
(``changes.csv``'s ``messages``, photos.csv's ``excluded``), but a message may hold ``"; "`` itself: inside
brackets (the camera message, "(+12 % ± 4 % of the distance, limit ±10 %; at an assumed 45 cm for the before
photo that would be about 5 cm further away: only the % is measured)") and before its remedy (compare's
gate: "...: perspective changes the face's proportions. This was measured and corrected; hold the phone at
the same distance for every photo").  :func:`split_messages` is the one splitter of such a cell (the batch console, report.md's lists, the batch's counts of repeats); it
splits only outside brackets and keeps a remedy with its message.  :func:`shorten_message` cuts a long
message's reason, never its remedy (report.md cut every quoted message at 200 characters, and so dropped the
remedy of the long ones; an audit, stop 45).
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


def shorten_message(message: str, max_chars: int, keep: str = "") -> str:
    """``message`` in at most about ``max_chars`` characters of its reason: a longer reason is cut at its
    last whole word within them and ends with an ellipsis; its remedy (:func:`remedy_start`, with the
    ``"; "``, ``". "`` or ``": "`` before it) is kept whole after it, whatever its length.  A message no longer than
    ``max_chars`` is returned as it is.

    ``keep``: a clause the shortened reason must hold (report.md's 'uncertain' list: the cause,
    :data:`facemetrics.compare.pose.MSG_CAMERA_UNCHECKED`): when the cut drops it, the sentence that holds it (from
    the ``". "`` before it, outside brackets) is kept whole after the cut, the sentences between them left out (a
    clause of the first sentence is cut as any, so that a long one-sentence message keeps its bound)
    (the camera message was cut at "perspective changes the face's proportions. This was…", the reason its rows
    read 'uncertain' left out: u4's audit of a real study, stop 54)."""
    if len(message) <= max_chars:
        return message
    at = remedy_start(message)
    reason, remedy = message[:at], message[at:]
    if len(reason) > max_chars:
        cut = reason[:max_chars - 1]
        if reason[max_chars - 1] != " " and " " in cut:  # end at a word, not inside one ("it is be…")
            cut = cut.rsplit(" ", 1)[0]
        where = reason.find(keep) if keep else -1
        stops = top_level(reason, ". ")
        start = max([i + 2 for i in stops if i + 2 <= where], default=0)
        if where >= 0 and where + len(keep) > len(cut) and start > 0:  # in the first sentence: cut as any
            end = min([i for i in stops if i >= where], default=len(reason))
            head = reason[:start].rstrip() if start <= len(cut) + 2 else cut.rstrip(" ;,.") + "\u2026"
            return head + " " + reason[start:end] + ("\u2026" if end < len(reason) else "") + remedy
        reason = cut.rstrip(" ;,.") + "\u2026"
    return reason + remedy
