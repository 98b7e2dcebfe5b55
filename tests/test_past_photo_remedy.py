"""A comparison of a photo of a past day gets a remedy the user can follow (stop 62, h8; Round 23's user story): a
pre-session photo compared with the first session's for the regimen, or a next session's before photo read as the
earlier session's photo at that time, was told "retake the after photo facing the camera as in the before photo",
which no one can do for a past day.  Such a comparison now says what can be done next time.  No images: compare's
results as dicts, and the regimen batch's call of run_batch caught."""

from __future__ import annotations

import re

import pandas as pd

from facemetrics.batch.results import comparison_result
from facemetrics.batch.runner import Provenance, _with_provenance
from facemetrics.compare.gate import MSG_POSE

POSE = (f"{MSG_POSE} too much to compare: yaw (turn) changed by 14.0 deg (limit ±12 deg); retake the after photo "
        "facing the camera as in the before photo")
RETAKE = "retake the after photo"


def _r(**extra) -> dict:
    return dict(photo="me/s2/pre.jpg", role="post", hours_since_treatment=168.0, treated_at="2026-11-02T18:00",
                quality_flags="", subject="me", treatment="rf", **extra)


def _result(r: dict) -> dict:
    raw = {"status": "refused", "messages": [POSE], "rows": []}
    base = [dict(photo="me/s1/pre.jpg", quality_flags="", hours_since_treatment=-0.25)]
    return comparison_result(r, base, raw)


def test_an_after_photo_is_still_asked_to_be_retaken():
    assert any(RETAKE in m for m in _result(_r())["messages"])


def test_a_regimen_pre_session_photo_is_told_what_can_be_done_next_time():
    msgs = _result(_r(_pre_session=True))["messages"]
    assert not any(RETAKE in m for m in msgs), msgs
    said = [m for m in msgs if m.startswith(f"{MSG_POSE} too much to compare")]
    assert len(said) == 1 and "cannot be retaken" in said[0] and "take the next session's before photo facing the " \
        "camera as in the first session's before photo" in said[0], said
    assert said[0].startswith(POSE.split("; retake")[0])  # the finding and its figures as compare said them


def test_a_next_sessions_before_photo_is_told_what_can_be_done_next_time():
    msgs = _result(_r(_next_session="2026-11-09T18:00"))["messages"]
    assert not any(RETAKE in m for m in msgs), msgs
    said = [m for m in msgs if m.startswith(f"{MSG_POSE} too much to compare")]
    assert "cannot be retaken" in said[0] and "take the next session's before photo facing the camera" in said[0]


def test_the_provenance_marks_a_pre_session_photo():
    rows = {0: dict(photo="a.jpg", taken_at_source="manifest", warnings=""), 1: dict(photo="b.jpg", warnings="")}
    entries = [type("E", (), dict(photo="a.jpg"))(), type("E", (), dict(photo="b.jpg"))()]
    out = _with_provenance(entries, rows, {"a.jpg": Provenance(pre_session=True)})
    assert out[0].get("_pre_session") is True and not out[1].get("_pre_session")
    assert not rows[0].get("_pre_session")  # the cached rows are not changed


def test_the_regimen_batch_marks_every_photo_pre_session(tmp_path, monkeypatch):
    import facemetrics.regimen as regimen

    got = {}
    monkeypatch.setattr(regimen, "run_batch", lambda folder, out, **kw: got.update(kw))
    photos = pd.DataFrame([dict(photo=f"me/s{k}/pre.jpg", subject="me", treatment="rf", role="baseline",
                                taken_at=f"2026-11-0{k}T07:45", treated_at=f"2026-11-0{k}T08:00",
                                taken_at_source="exif") for k in (2, 9)])
    regimen.run_regimen_batch(tmp_path, tmp_path / "out", photos, provenance={"me/s2/pre.jpg": Provenance(note="x")})
    prov = got["provenance"]
    assert set(prov) == {"me/s2/pre.jpg", "me/s9/pre.jpg"} and all(p.pre_session for p in prov.values())
    assert prov["me/s2/pre.jpg"].note == "x" and prov["me/s9/pre.jpg"].taken_at_source == "exif"


def _at_fault(r: dict) -> list[str]:
    """The messages of a comparison of ``r`` refused on the pose whose before photo is flagged turned and ``r`` is
    not: the batch's message that the before photo is the likely cause."""
    raw = {"status": "refused", "messages": [POSE], "rows": []}
    base = [dict(photo="me/s1/pre.jpg", quality_flags="head turned (yaw +23 deg, limit ±12 deg)",
                 hours_since_treatment=-0.25)]
    return comparison_result(r, base, raw)["messages"]


def test_a_past_days_before_photo_at_fault_is_not_asked_to_be_retaken():
    """The batch's "the before photo is the likely cause ... retake the session's before photos" asked a regimen
    comparison (a later session's before photo against the first session's) and a next session's before photo for
    a photo of a past day (stop 62, h12); an after photo's comparison keeps it."""
    from facemetrics.batch.tables import AT_FAULT_REMEDY, MSG_BEFORE_PHOTO_AT_FAULT, PAST_AT_FAULT_REMEDY

    old = "retake the session's before photos"
    (plain,) = [m for m in _at_fault(_r()) if m.startswith(MSG_BEFORE_PHOTO_AT_FAULT)]
    todo = "face the camera straight on"  # what the before photo's flag asks (stop 66: "a relaxed, closed mouth")
    assert plain.endswith(f"{AT_FAULT_REMEDY} and, in them, {todo}") and old in plain
    for kind, extra in (("regimen", dict(_pre_session=True)), ("next_before", dict(_next_session="2026-11-09T18:00"))):
        msgs = _at_fault(_r(**extra))
        (said,) = [m for m in msgs if m.startswith(MSG_BEFORE_PHOTO_AT_FAULT)]
        assert old not in said and not any(RETAKE in m for m in msgs), msgs
        assert said == plain.replace(AT_FAULT_REMEDY, PAST_AT_FAULT_REMEDY[kind])
        assert "cannot be retaken" in said and "closed mouth" not in said
        assert "head turned (yaw +23 deg" in said and ";" not in said  # the finding kept; one message


def _warned(r: dict) -> list[str]:
    """The messages of a comparison of ``r`` that compare kept with two warnings whose remedies retake a photo of
    the pair: a face cut by the image edge (the gate's "retake it", of the photo it names) and a light from another
    side (:func:`facemetrics.compare.light.light_messages`: "retake both photos")."""
    from facemetrics.compare.framing import MSG_FACE_CUT
    from facemetrics.compare.light import light_messages

    cut = (f"{MSG_FACE_CUT} in the after photo (3 jaw-line landmarks outside the picture, where Face Mesh guesses "
           "them and fits the rest of the face to the guess): the lifts, folds and the jaw, mouth and cheek metrics "
           "rest on that guess, so they are shown without a verdict ('uncertain'; the head-pose rows keep theirs); "
           "retake it with the whole face in the picture")
    raw = {"status": "warning", "messages": [cut, *light_messages((40.0, 0.0))], "rows": []}
    base = [dict(photo="me/s1/pre.jpg", quality_flags="", hours_since_treatment=-0.25)]
    return comparison_result(r, base, raw)["messages"]


def test_a_past_days_photo_is_not_asked_to_be_retaken_for_a_cut_face_or_the_light():
    """Review of stop 62 (r2): the past-photo remedy replaced compare's "retake the after photo ..." alone; a regimen
    comparison (both photos of past days) still read "retake it with the whole face in the picture" of a cut face
    and "retake both photos in the same place" of a light from another side.  An after photo's keeps them."""
    plain = _warned(_r())
    assert "retake it with the whole face" in plain[0] and "retake both photos" in plain[1], plain
    for extra in (dict(_pre_session=True), dict(_next_session="2026-11-09T18:00")):
        msgs = _warned(_r(**extra))
        assert not any(re.search(r"\bretake\b", m) for m in msgs), msgs
        assert all("cannot be retaken" in m for m in msgs[:2]), msgs  # compare's two; a next session's note follows
        assert msgs[0].startswith(plain[0].split("; retake")[0]) and msgs[1].startswith(plain[1].split("; retake")[0])


def test_the_iris_and_cover_remedies_of_a_past_days_photo_are_what_can_be_done():
    """After r2's review: the iris scale's and the cover check's remedies also asked to retake a past day's photo
    ("retake the before photo with open, uncovered eyes", "... or retake the photos without lenses", "Retake the
    photo with the jaw uncovered", "retake the photo if something covers the fold").  Each now names the next
    session's before photo; an after photo's comparison keeps them as they were."""
    from facemetrics.batch.results import PAST_OTHER_REMEDIES

    texts = [f"finding {i}; {retake} (more)" for i, (retake, _) in enumerate(PAST_OTHER_REMEDIES[2:])]
    n = len(texts)
    base = [dict(photo="me/s1/pre.jpg", quality_flags="", hours_since_treatment=-0.25)]
    raw = {"status": "warning", "messages": texts, "rows": []}
    assert comparison_result(_r(), base, raw)["messages"][:n] == texts
    for extra in (dict(_pre_session=True), dict(_next_session="2026-11-09T18:00")):
        msgs = comparison_result(_r(**extra), base, raw)["messages"][:n]
        assert not any(re.search(r"\bretake\b", m, re.I) for m in msgs), msgs
        assert all("cannot be retaken" in m and m.startswith(f"finding {i}; ") for i, m in enumerate(msgs)), msgs


def test_each_replaced_remedy_is_still_a_message_of_the_package():
    """The replacement is by text: a remedy reworded at its source would silently stop being replaced."""
    import inspect

    import facemetrics.compare.gate as gate
    import facemetrics.compare.iris_scale as iris_scale
    import facemetrics.compare.light as light
    import facemetrics.compare.occlusion as occlusion
    from facemetrics.batch.results import PAST_OTHER_REMEDIES

    src = " ".join(re.sub(r'"\s*\n\s*(f?)"', "", inspect.getsource(m)) for m in (gate, iris_scale, light, occlusion))
    missing = [retake for retake, _ in PAST_OTHER_REMEDIES if retake not in src]
    assert not missing, missing



def test_each_retake_after_form_is_still_a_message_of_the_package():
    """``batch.results._RETAKE_AFTER`` replaces compare's "retake the after photo ..." by text, as
    :data:`PAST_OTHER_REMEDIES` does: each of its two forms must still be said by the module that says it, or a
    remedy reworded there would silently stop being replaced (unguarded until stop 66: review of k2)."""
    import inspect

    import facemetrics.compare.gate as gate
    import facemetrics.compare.identity as identity
    import facemetrics.compare.pose as pose
    from facemetrics.batch.results import _RETAKE_AFTER

    def said(m):  # the module's text with adjacent string literals joined (f-strings included)
        return re.sub(r'"\s*\n\s*(f?)"', "", inspect.getsource(m))

    for m, form in ((gate, "retake the after photo facing the camera as in the before photo"),
                    (pose, "retake the after photo facing the camera as in the before photo"),
                    (identity, "retake the after photo like the before photo")):
        assert form in said(m) and _RETAKE_AFTER.fullmatch(form), (m.__name__, form)

def test_a_past_days_at_fault_remedy_is_a_remedy_and_a_whole_sentence():
    """A past day's before photo at fault ended "...: in the next sessions' before photos, face the camera straight
    on": no remedy to ``messages.remedy_start`` (which keeps a remedy whole where a message is shortened), and with
    no flag's remedy it ended "...: in the next sessions' before photos" (review r2, stop 66).  It asks to take the
    next sessions' before photos and, in them, what the flags ask, as the retake of a session's own does."""
    from facemetrics.batch.tables import MSG_BEFORE_PHOTO_AT_FAULT, at_fault_remedy
    from facemetrics.messages import remedy_start

    for extra in (dict(_pre_session=True), dict(_next_session="2026-11-09T18:00"), {}):
        (said,) = [m for m in _at_fault(_r(**extra)) if m.startswith(MSG_BEFORE_PHOTO_AT_FAULT)]
        assert said[remedy_start(said):].endswith("before photos and, in them, face the camera straight on"), said
        assert said[remedy_start(said):].startswith((": take the next sessions' ", ": retake the session's ")), said
    for kind in ("regimen", "next_before"):
        assert at_fault_remedy([], kind).endswith(": take the next sessions' before photos")
