"""One comparison's result as ``changes.csv`` reports it: compare's result with the batch's own messages,
statuses and verdicts (:func:`comparison_result`).

``facemetrics batch`` (:mod:`facemetrics.batch.runner`) and the app's comparison downloads call the same
:func:`comparison_result`, so the same photos give the same status and messages in both.  A result is a
dict as the batch's cache holds it: ``status`` (str), ``messages`` (list of str) and ``rows`` (one dict
per metric and side, ``Comparison.to_frame().to_dict("records")``).  Every function here is pure: it
returns a new dict when it adds something, else the one given, and never changes its arguments.
"""

from __future__ import annotations

import re

from .tables import (baseline_messages, before_taken_after, later_treatment_message, next_before_message,
                     no_change_wording, past_photo_kind, same_picture_left_out, same_picture_rows)

#: statuses of a comparison that has no measurement to flag
_NOT_MEASURED = ("refused", "error")

#: compare's remedy that asks for a new after photo (the head pose's, gate and pose; the upper faces', identity)
_RETAKE_AFTER = re.compile(r"retake the after photo (?:facing the camera as in|like) the before photo")
#: what a comparison of a photo of a past day asks instead (:func:`with_past_photo_remedy`), by what the photo is:
#: a regimen batch's pre-session photo against the first session's before photo, or a next session's before photo
#: read as the earlier session's photo at that time (Round 23's user story, stop 62: "retake the after photo" of a
#: before photo taken days ago)
PAST_PHOTO_REMEDY = {
    "regimen": ("take the next session's before photo facing the camera as in the first session's before photo "
                "(this photo, a later session's before photo compared with the first session's for the regimen, "
                "cannot be retaken)"),
    "next_before": ("take the next session's before photo facing the camera as in this session's before photo (this "
                    "photo, the next session's before photo read also as this session's photo at that time, cannot "
                    "be retaken)"),
}

#: compare's other remedies that retake a photo of the pair, and what a comparison of a past day's photo says instead
#: (both its photos are a past day's: :data:`~facemetrics.batch.tables.PAST_AT_FAULT_REMEDY`): the gate's cut face
#: ("retake it", of the photo it names) and the light from another side (``compare.light.light_messages``: "retake
#: both photos"); they were left asking to retake them (stop 62's review, r2)
PAST_OTHER_REMEDIES = (
    ("retake it with the whole face in the picture",
     "take the next session's before photo with the whole face in the picture (this photo, of a past day, cannot be "
     "retaken)"),
    ("retake both photos in the same place",
     "take the next session's before photo in the place these were taken (photos of past days, which cannot be "
     "retaken)"),
    # the iris scale's and the cover check's (lead, after r2's review: they asked the same of a past day's photo)
    ("retake the before photo with open, uncovered eyes",
     "take the next session's before photo with open, uncovered eyes (this one, of a past day, cannot be retaken)"),
    ("or retake the photos without lenses",
     "or take the next session's before photo without lenses (photos of past days cannot be retaken)"),
    ("Retake the photo with the jaw uncovered",
     "Take the next session's before photo with the jaw uncovered (this photo, of a past day, cannot be retaken)"),
    ("retake the photo if something covers the fold",
     "take the next session's before photo uncovered if something covers the fold (this photo, of a past day, "
     "cannot be retaken)"),
    ("Retake the photos facing the same light, with the chin and jaw uncovered",
     "Take the next session's before photo facing the same light, with the chin and jaw uncovered (photos of past "
     "days cannot be retaken)"),
    ("Retake the photos with the chin and jaw uncovered",
     "Take the next session's before photo with the chin and jaw uncovered (photos of past days cannot be retaken)"),
    ("Retake the photos with the jaw and cheeks uncovered",
     "Take the next session's before photo with the jaw and cheeks uncovered (photos of past days cannot be "
     "retaken)"),
)

def with_before_taken_after(r: dict, base: list[dict], result: dict) -> dict:
    """``result`` of a comparison one of whose 'before' photos was taken at or after the treatment time (its
    before photo or a repeat, ``base``; or ``r`` itself in a no-change check, role ``baseline``), with the
    message of :func:`facemetrics.batch.tables.before_taken_after`, the status ``warning`` and the verdict
    ``uncertain`` on every row with a verdict but the pose rows: its baseline is no baseline (contradictory
    input: the labels say before, the hours say after).  ``result`` itself when no such photo is there, or the
    comparison was refused or failed.

    Parameters
    ----------
    r : dict
        The compared photo's row (``photo``, ``role``, ``hours_since_treatment`` [h], optional ``hours_from``).
    base : list of dict
        The rows of its before photo and its repeats (the same keys; a row without hours is skipped).
    result : dict
        The comparison's result (``status``, ``messages``, ``rows``).
    """
    msg = before_taken_after([*base, *([r] if r.get("role") == "baseline" else [])])
    if not msg or result["status"] in _NOT_MEASURED:
        return result
    from ..compare.table import POSE_METRICS, UNCERTAIN

    rows = [dict(m, verdict=UNCERTAIN) if m.get("verdict") and m.get("metric") not in POSE_METRICS else m
            for m in result["rows"]]
    return dict(result, status="warning", messages=[*result["messages"], msg], rows=rows)


def with_later_treatment(r: dict, result: dict) -> dict:
    """``result`` of a comparison whose after photo ``r`` was taken after another treatment of its subject began
    (``r["_later_treatments"]``, :func:`facemetrics.batch.tables._mark_later_treatments`), with the message of
    :func:`~facemetrics.batch.tables.later_treatment_message`, the status ``warning`` and the verdict
    ``uncertain`` on every row with a verdict but the pose rows, so the fits leave it out: its change is no
    change of its own treatment alone.  ``result`` itself otherwise, or when the comparison was refused or
    failed."""
    msg = later_treatment_message(r)
    if not msg or result["status"] in _NOT_MEASURED:
        return result
    from ..compare.table import POSE_METRICS, UNCERTAIN

    rows = [dict(m, verdict=UNCERTAIN) if m.get("verdict") and m.get("metric") not in POSE_METRICS else m
            for m in result["rows"]]
    return dict(result, status="warning", messages=[*result["messages"], msg], rows=rows)


def with_same_picture(r: dict, base: list[dict], result: dict) -> dict:
    """``result`` of a comparison whose photo is its before photo's picture (compare's ``MSG_SAME_PICTURE``:
    identical pixels, or ``MSG_NEAR_COPY``: a re-saved copy), with the message of
    :func:`facemetrics.batch.tables.same_picture_left_out`, the status ``warning`` and the verdict
    ``uncertain`` on every row (:func:`~facemetrics.batch.tables.same_picture_rows`), so the timeline's
    fits leave its zeros out.

    Parameters
    ----------
    r : dict
        The compared photo's row (``photo``, ``hours_since_treatment`` [h]; optional ``hours_from``: what
        the hours count from when no treatment time was given, the app's default).
    base : list of dict
        Its before photo's row (``photo``, ``hours_since_treatment`` [h]) and its repeats'.
    result : dict
        The comparison's result, with compare's messages as compare wrote them.

    Returns
    -------
    dict
        ``result`` itself when it says no such thing, or the comparison was refused or failed.
    """
    from ..compare import MSG_SAME_PICTURE, says_same_picture

    if result["status"] in _NOT_MEASURED or not says_same_picture(result["messages"]):
        return result
    msg = same_picture_left_out(r["photo"], r["hours_since_treatment"], base[0]["photo"],
                                base[0]["hours_since_treatment"], copy=MSG_SAME_PICTURE not in result["messages"],
                                hours_from=r.get("hours_from") or "")
    return dict(result, status="warning", messages=[*result["messages"], msg], rows=same_picture_rows(result["rows"]))


def with_baseline_messages(r: dict, base: list[dict], result: dict, raw: dict) -> dict:
    """``result`` with the messages of :func:`facemetrics.batch.tables.baseline_messages` (earlier before
    photos passed over as the before photo, and why; a before photo that is the likely cause of an
    unreadable comparison), its status ``ok`` becoming ``warning`` (verdicts kept).  They are worked out
    from compare's own result ``raw``: the rows the batch's flags made ``uncertain`` are the batch's
    doing, not the before photo's.

    Parameters
    ----------
    r, base : dict, list of dict
        The compared photo's row and its before photo's and repeats' (see ``baseline_messages``).
    result : dict
        The comparison's result with the batch's flags so far.
    raw : dict
        The comparison's result as compare returned it.

    Returns
    -------
    dict
        ``result`` itself when there is nothing to say (and for a comparison that failed).
    """
    msgs = baseline_messages(r, base, raw) if raw["status"] != "error" else []
    if not msgs:
        return result
    return dict(result, status="warning" if result["status"] == "ok" else result["status"],
                messages=[*result["messages"], *msgs])


def with_checked_photos_named(r: dict, result: dict, raw: dict) -> dict:
    """``result`` of a no-change check (``r``'s role ``baseline``: a before photo against the session's other
    before photos) with compare's own messages naming its photos by their real roles
    (:func:`facemetrics.batch.tables.no_change_wording`: compare's "after photo" is a before photo there).
    Only the messages compare wrote (the first ``len(raw["messages"])``) are reworded: the flags' own name
    their photos, and they read compare's words before this (a reworded re-saved-copy message was no
    longer seen).  ``result`` itself for any other comparison."""
    if r["role"] != "baseline":
        return result
    n = len(raw["messages"])
    return dict(result, messages=[*no_change_wording(result["messages"][:n]), *result["messages"][n:]])


def _past_remedies(message: str) -> str:
    """``message`` with each of :data:`PAST_OTHER_REMEDIES` replaced (a comparison of a past day's photo)."""
    for retake, instead in PAST_OTHER_REMEDIES:
        message = message.replace(retake, instead)
    return message


def with_past_photo_remedy(r: dict, result: dict, raw: dict) -> dict:
    """``result`` of a comparison whose photo ``r`` is a photo of a past day that the user cannot retake: a regimen
    batch's pre-session photo (``r["_pre_session"]``, :class:`facemetrics.batch.runner.Provenance`) or a next
    session's before photo read as the earlier session's photo (``r["_next_session"]``,
    :func:`facemetrics.batch.tables.next_before_message`), with compare's "retake the after photo ..." remedies
    (:data:`_RETAKE_AFTER`) replaced by what can be done (:data:`PAST_PHOTO_REMEDY`).  Only compare's own messages
    (the first ``len(raw["messages"])``) are read: the batch's message that its before photo (a past day's too) is
    the likely cause says the past day's remedy itself (:func:`facemetrics.batch.tables.past_photo_kind`; it was
    reworded here by matching its sentence: stop 66).  ``result`` itself for any other comparison."""
    kind = past_photo_kind(r)
    n = len(raw.get("messages") or ())
    if not kind:
        return result
    said = [_past_remedies(_RETAKE_AFTER.sub(PAST_PHOTO_REMEDY[kind], str(m))) for m in result["messages"][:n]]
    said += list(result["messages"][n:])
    return result if said == list(result["messages"]) else dict(result, messages=said)


def comparison_result(r: dict, base: list[dict], raw: dict, disagreement: tuple[str, bool] = ("", False)) -> dict:
    """A comparison's result as ``changes.csv`` reports it: compare's result with the batch's flags, in this
    order (the order of their messages): the session's before photos disagree
    (:func:`with_disagreement`), the same picture as the before photo (:func:`with_same_picture`), a 'before'
    photo dated at or after the treatment (:func:`with_before_taken_after`), the
    before photo's messages (:func:`with_baseline_messages`), a past day's photo's remedies
    (:func:`with_past_photo_remedy`, which rewords messages in place), and a no-change check's messages naming its
    photos by their roles (:func:`with_checked_photos_named`).

    Parameters
    ----------
    r : dict
        The compared photo's ``photos.csv`` row: ``photo``, ``role`` (``baseline`` for a no-change check),
        ``hours_since_treatment`` [h], ``quality_flags``, and ``_passed_over`` / ``_shared_faults``
        (:func:`facemetrics.batch.tables._comparison_jobs`; default none).
    base : list of dict
        The rows of its before photo (first, with ``hours_since_treatment`` [h]) and its repeats
        (``photo``, ``quality_flags``).
    raw : dict
        The comparison's result as compare returned it (``status``, ``messages``, ``rows``).
    disagreement : (str, bool), optional
        The session's :func:`facemetrics.compare.disagreement.baseline_disagreement` (default: its before photos
        agree).

    Returns
    -------
    dict
        ``status``, ``messages`` and ``rows`` (and whatever else ``raw`` holds).
    """
    # a post photo's repeats are all its session's other before photos, so its floors hold their disagreement; a
    # no-change check's need not (three before photos, the odd one checked against the two that agree)
    # the rule on before photos that disagree and its messages are compare's (compare_photos applies them to its
    # repeats), imported here: a batch worker loads this module, not compare (tests/test_batch.py)
    from ..compare.disagreement import with_disagreement

    result = with_same_picture(r, base, with_disagreement(raw, disagreement, base if r.get("role") == "post" else ()))
    result = with_before_taken_after(r, base, result)  # labelled 'before', dated after the treatment (the app)
    result = with_later_treatment(r, result)  # taken after another treatment of the subject began (the batch)
    # the next session's before photo, also when refused (its console line named "the after photo" of a before
    # photo, nothing saying it is one: Round 16); a failed one's messages are printed whole, so not there
    if next_before_message(r) and result["status"] != "error":
        result = dict(result, messages=[*result["messages"], next_before_message(r)])
    result = with_baseline_messages(r, base, result, raw)  # judged on compare's own result, as the app
    # a past day's photo: no "retake the after photo" (stop 62, h8), nor its before photos (h12)
    result = with_past_photo_remedy(r, result, raw)
    return with_checked_photos_named(r, result, raw)  # a no-change check's "after photo" is a before photo
