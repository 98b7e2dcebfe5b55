"""Each photo quality flag's code, the words its text begins with, and what to do about it.

:func:`facemetrics.quality.quality_flags` writes a flag's text from :data:`FLAG_STARTS`; what reads a flag back (the
app's photo card, the batch's message that a before photo is the likely cause) picks its remedy by the flag's code
(:func:`flag_code`), not by a sentence's wording: a remedy was chosen by matching a reworded sentence and asked a
before photo cut by the image edge for "a relaxed, closed mouth" (stop 66).

A base module (it imports nothing from facemetrics but :mod:`facemetrics.listing`), so that the batch reads the codes
without the measurement modules.  Pure string functions.
"""

from __future__ import annotations

from .listing import join_words

#: each quality flag's code and the words its text begins with: :func:`~facemetrics.quality.quality_flags` writes
#: them, :func:`flag_code` reads the code back from a flag's text (``photos.csv`` keeps the texts); what a flag asks
#: for (:data:`FLAG_ADVICE`, the batch's before-photo remedy) is chosen by its code, so a flag reworded here is
#: reworded where it is read too (stop 66: a remedy was chosen by matching a sentence's wording)
FLAG_STARTS = {
    "irises_hidden": "irises not visible",
    "ipd": "implausible inter-pupillary distance",
    "cut": "face cut by the image edge",
    "yaw": "head turned",
    "pitch": "head tilted up/down",
    "roll": "head tilted sideways",
    "resolution": "low resolution",
    "blur": "blurry",
    "dark": "too dark",
    "bright": "too bright",
    "clipped": "clipped highlights/shadows",
    "smiling": "smiling",
    "mouth_open": "mouth open",
    "jpeg": "low JPEG quality",
}


#: what to do about each quality flag a usable photo can carry (:func:`~facemetrics.quality.quality_flags`, by its code:
#: :data:`FLAG_STARTS`), for the app's photo card: it listed the flags ("Usable, but: smiling (...); clipped
#: highlights/shadows (...)") and said nothing of what to do (a newcomer's walk, stop 65); the batch's message that the
#: before photo is the likely cause asks for the same (:func:`facemetrics.batch.tables.at_fault_remedy`).  The irises',
#: the inter-pupillary distance's and the low JPEG quality's flags say their remedy themselves; a flag of no code here
#: gets none.  In the order the remedies are said.
FLAG_ADVICE = {
    "cut": "keep the whole face, chin included, in the picture",
    "yaw": "face the camera straight on",
    "pitch": "hold your chin level",
    "roll": "hold your head upright",
    # too few pixels to the mm: a sharper camera is no cure (sharpness is the blur flag's; review r4, stop 65); its
    # "and" in brackets: listed with another remedy it read "..., not a reduced copy and find more light" (stop 66)
    "resolution": "put more pixels on the face (come closer, and use the full-size photo, not a reduced copy)",
    "blur": "hold the phone still until it has focused",
    "dark": "find more light on your face (face a window)",
    "bright": "step out of direct light",
    "clipped": "use soft, even light on the face (no direct sun, flash or deep shadow)",
    "smiling": "keep a relaxed, neutral expression",
    "mouth_open": "close your mouth gently",
}

#: the implausible inter-pupillary distance flag's remedy (:func:`~facemetrics.quality.quality_flags`), in the command
#: line's words: give the scale the photo cannot be trusted for.  The app, which takes no known scale, puts its own
#: words in its place (``app.APP_REMEDIES``): "on the command line" told an app user nothing they could do (stop 66)
IPD_REMEDY = "(on the command line: --ipd-mm or --mm-per-px)"

#: what :func:`flag_advice`'s sentence begins with: about the user's next photos, or (the bundled example's cards: the
#: project's sample photos, which the user did not take; stop 66) about the user's own
NEXT_PHOTOS, OWN_PHOTOS = "For the next photos", "For your own photos"


def flag_code(flag) -> str:
    """The code (a key of :data:`FLAG_STARTS`) of one quality flag's text, as :func:`quality_flags` wrote it or
    ``photos.csv``'s ``quality_flags`` keep it ("smiling (smile score 1.57 SD, ...)" -> ``"smiling"``; a start alone,
    "smiling", too); ``""`` for a text that is no quality flag.  A start counts only as a whole phrase, followed by
    the flag's brackets or nothing: compare's "mouth opening changed by ..." is no "mouth open" flag, nor the batch's
    "head turned to the subject's left" (a kind, ``batch.tables._fault_kind``) a flag (review r2, stop 66)."""
    text = str(flag)
    return next((code for code, start in FLAG_STARTS.items()
                 if text.startswith(start) and text[len(start):len(start) + 2] in ("", " (")), "")


def flag_remedies(flags) -> list[str]:
    """The remedies (:data:`FLAG_ADVICE`) of the codes of ``flags`` (quality flags' texts, :func:`flag_code`), each
    once, in :data:`FLAG_ADVICE`'s order; [] when none has one."""
    codes = {flag_code(f) for f in flags}
    return [advice for code, advice in FLAG_ADVICE.items() if code in codes]


def flag_advice(flags, lead: str = NEXT_PHOTOS) -> str:
    """What to do about a usable photo's quality ``flags`` (:func:`~facemetrics.quality.quality_flags`' texts), as one
    sentence that begins with ``lead`` (:data:`NEXT_PHOTOS`: "For the next photos: keep a relaxed, neutral expression
    and close your mouth gently."; :data:`OWN_PHOTOS` for the bundled example's photos): :func:`flag_remedies`; ``""``
    when no flag has one."""
    todo = flag_remedies(flags)
    return f"{lead}: {join_words(todo)}." if todo else ""
