"""A photo with several faces, compared with a photo of one face: measure the face that matches it.

A selfie with a friend, whose face is about as large as the user's, is measured on the largest face
(:func:`facemetrics.analyze.analyze_photo`), which may be the friend's: compared with the user's other
photo it then gives verdicts on two different people when the gate's identity check (the mean of both
orders' upper-face residuals, :data:`~facemetrics.compare.gate.DIFFERENT_PEOPLE_SYMMETRIC_MM`) does not refuse
the pair.  Here each face of such a photo is measured alone and the one the identity check matches to the
other photo is kept (:func:`matching_face`; rule and measurements: ``bench/bench_two_people.py``,
docs/robustness.md 'Several faces of similar size' and 'The identity check on both orders everywhere it is
used').  The statistic is the comparison's (:func:`facemetrics.compare.gate.upper_face_match`), the same
whichever photo is 'before', so the face chosen does not depend on the pair's order.

Pure functions of :class:`~facemetrics.analyze.PhotoAnalysis` (the photo's pixels are re-read by Face Mesh
for each face, each face measured whole, :func:`facemetrics.analyze.analyze_loaded`: the reverse fit takes the
face as the reference, which reads its frame, jaw and folds).
"""

from __future__ import annotations

import dataclasses

import cv2
import numpy as np

from ..analyze import PhotoAnalysis, analyze_loaded, face_place
from ..landmarks import MAX_FACES
from ..rounding import fixed
from .identity import (DIFFERENT_PEOPLE_POSSIBLE_SYMMETRIC_MM, DIFFERENT_PEOPLE_SYMMETRIC_MM, UpperFaceMatch,
                       upper_face_match)
from .measure import upper_face_residual

#: how the face matching's messages name their statistic (:func:`face_match`)
STATISTIC = "the mean of both orders, each photo as the reference"


def _user_scale(x: PhotoAnalysis) -> dict:
    """The scale the user gave for ``x`` (``mm_per_px`` of the original photo or ``ipd_mm``), read from its
    calibration, so that each face is measured with it."""
    c = x.calibration
    if c is None or x.photo is None:
        return {}
    if c.source == "user_mm_per_px":
        return dict(mm_per_px=x.mm_per_px)
    if c.source == "user_ipd":
        return dict(ipd_mm=c.ipd_mm)
    return {}


def _faces(x: PhotoAnalysis, start: int = 0, stop: int | None = None) -> list[PhotoAnalysis | None]:
    """Each face of ``x`` from the ``start``-th measured alone (0 the largest; at most
    :data:`facemetrics.landmarks.MAX_FACES`), with the scale the user gave for ``x``; None for a face that was
    not found again.  The largest is ``x`` itself when ``x`` measured it (without its 'measured the largest'
    warning): measuring it again gave the same analysis and cost one analysis per comparison
    (``bench/bench_faces_cost.py``).  ``stop``: the faces before it only."""
    out: list[PhotoAnalysis | None] = []
    for k in range(start, min(x.n_faces, MAX_FACES) if stop is None else min(x.n_faces, MAX_FACES, stop)):
        if k == 0 and x.ok and x.points is not None and x.extra.get("face", 0) == 0:
            said = f"{x.n_faces} faces found; measured the largest"
            out.append(_replace(x, warnings=tuple(w for w in x.warnings if not w.startswith(said))))
            continue
        y = analyze_loaded(x.photo, subject=x.subject, name=x.name, face=k, **_user_scale(x))
        out.append(y if y.points is not None else None)
    return out


def _residual(before: PhotoAnalysis, after: PhotoAnalysis) -> float:
    """The gate's upper-face residual of the pair (robust RMS, mm; NaN when a photo was not measured or the
    pair cannot be aligned): :func:`~facemetrics.compare.measure.upper_face_residual`, the value compare's
    alignment reads without the rest of its measurement (``bench/bench_faces_cost.py``)."""
    if not (before.ok and after.ok):
        return float("nan")
    try:
        return upper_face_residual(before, after)
    except (cv2.error, ValueError, FloatingPointError):  # pragma: no cover - as compare's own guard
        return float("nan")


def face_match(x: PhotoAnalysis, y: PhotoAnalysis) -> UpperFaceMatch | None:
    """The gate's upper-face statistic of two measured faces (:func:`facemetrics.compare.gate.upper_face_match`):
    the mean of the residual with ``x`` as the reference (``before_mm``) and with ``y`` (``after_mm``; robust
    RMS, mm), the same value whichever is given first (exactly: both fits are made either way, and a sum of two
    floats does not depend on their order); when one fit failed, the other order alone with its one-order limits
    (``before_mm`` or ``after_mm`` NaN says which); None when neither fit could be made or a face was not
    measured."""
    r_xy, r_yx = _residual(x, y), _residual(y, x)
    if np.isfinite(r_xy):
        return upper_face_match(r_xy, r_yx)
    if np.isfinite(r_yx):
        return dataclasses.replace(upper_face_match(r_yx), before_mm=float("nan"), after_mm=r_yx)
    return None


def _said(m: UpperFaceMatch, x: str, y: str) -> str:
    """:meth:`UpperFaceMatch.said` of :func:`face_match` ``(x, y)``, ``x`` and ``y`` naming the two faces."""
    if m.symmetric:
        return m.said(x, y)
    return f"{fixed(m.residual_mm, 2)} mm RMS on one order, {x if np.isfinite(m.before_mm) else y} as the reference"


def face_residuals(reference: PhotoAnalysis, x: PhotoAnalysis) -> list[float]:
    """The identity check's statistic (:func:`face_match`, mm RMS: the mean of both orders' upper-face residuals)
    of each face of ``x`` (0 the largest) against ``reference``; NaN for a face not measured (turned, too small,
    ...).  The same whichever photo of the pair ``x`` is."""
    return [_value(None if y is None else face_match(y, reference)) for y in _faces(x)]


def _value(m: UpperFaceMatch | None) -> float:
    return float("nan") if m is None else m.residual_mm


def choose(matches: list[UpperFaceMatch | None]) -> int | None:
    """Which face matches the other photo, by each face's statistic (:func:`face_match`; None: not measured): the
    one face the comparison would not refuse as another person (at most its ``refuse_mm``: on the mean of both
    orders :data:`~facemetrics.compare.gate.DIFFERENT_PEOPLE_SYMMETRIC_MM`); with several, the one below its
    ``possible_mm`` (:data:`~facemetrics.compare.gate.DIFFERENT_PEOPLE_POSSIBLE_SYMMETRIC_MM`: no two different
    people read less) if exactly one is; else None (none can be told: the largest stays)."""
    first = [i for i, m in enumerate(matches) if m is not None and m.residual_mm <= m.refuse_mm]
    if len(first) <= 1:
        return first[0] if first else None
    second = [i for i in first if matches[i].residual_mm < matches[i].possible_mm]
    return second[0] if len(second) == 1 else None


def _limits(matches: list[UpperFaceMatch | None]) -> str:
    """The choice's rule in words, with the limits of the statistic the faces read."""
    ms = [m for m in matches if m is not None]
    one_order = any(not m.symmetric for m in ms)
    rule = (f"one face at most {DIFFERENT_PEOPLE_SYMMETRIC_MM} mm, or only one below "
            f"{DIFFERENT_PEOPLE_POSSIBLE_SYMMETRIC_MM} mm, is needed")
    if one_order:
        m = next(m for m in ms if not m.symmetric)
        rule += f" (a face whose reverse fit failed: its one order, {m.refuse_mm} mm and {m.possible_mm} mm)"
    return rule


def matching_face(x: PhotoAnalysis, reference: PhotoAnalysis, *, x_label: str = "after",
                  reference_label: str = "before") -> PhotoAnalysis:
    """``x`` measured on the face that matches ``reference`` (:func:`choose`), when ``x`` holds several faces
    and ``reference`` one, measured; else ``x`` as it is.

    Parameters
    ----------
    x : PhotoAnalysis
        The photo with several faces (``n_faces`` > 1; its ``photo`` loaded).
    reference : PhotoAnalysis
        The subject's other photo: one face, ``status == "ok"``.
    x_label, reference_label : str
        What the messages call the two photos ("after", "before", a file name); which photo of the pair is
        'before' changes nothing else (the statistic is the same either way).

    Returns
    -------
    PhotoAnalysis
        The chosen face's analysis, its warnings led by "N faces found; measured <which>, which matches
        the <reference> photo (...)", ``extra["face_choice"]`` that sentence, ``extra["face_said"]`` its
        statistic in its words (:func:`_said`: "0.02 mm RMS, the mean of ..."), ``extra["face_matched"]`` True;
        or ``x`` with ``extra["face_choice"]`` a clause saying that none matched and ``extra["face_matched"]``
        False (the largest stays, or ``several_faces``); ``extra["face_residuals"]`` each face's statistic
        (:func:`face_match`), mm RMS.
    """
    if x.photo is None or x.n_faces < 2 or x.points is None or not reference.ok or reference.n_faces != 1:
        return x
    faces = _faces(x)  # whole: each face is the reference of one of its two fits
    ms = [None if y is None else face_match(y, reference) for y in faces]
    res = [_value(m) for m in ms]
    k = choose(ms)
    read = _read(x, res)
    if k is None:
        close = int(sum(m is not None and m.residual_mm < m.possible_mm for m in ms))
        which = (f"{close} of them match the {reference_label} photo alike (the same person twice?)" if close > 1
                 else f"none of them can be told to match the {reference_label} photo")
        why = f"{which} (upper faces after alignment, robust RMS, {STATISTIC}: {read}; {_limits(ms)})"
        return _with_extra(x, face_choice=why, face_matched=False, face_residuals=tuple(res))
    y = faces[k]
    others = [r for i, r in enumerate(res) if i != k]
    said = _said(ms[k], "this face", f"the {reference_label} photo")
    what = (f"{x.n_faces} faces found in the {x_label} photo; measured {face_place(y.extra.get('faces_x', ()), k)}, "
            f"which matches the {reference_label} photo (upper faces {said} apart after alignment, "
            f"the other face{'s' if len(others) > 1 else ''} "
            + ", ".join("not measured" if not np.isfinite(r) else f"{fixed(r, 2)} mm" for r in others)
            + f" on the same statistic; the comparison refuses different people above {ms[k].refuse_mm} mm on it)")
    chosen = _with_extra(y, face_choice=what, face_matched=True, face_residuals=tuple(res), face_said=said)
    return _replace(chosen, warnings=(what,) + tuple(chosen.warnings))


def matching_faces(a: PhotoAnalysis, b: PhotoAnalysis) -> tuple[PhotoAnalysis, PhotoAnalysis]:
    """A before / after pair with several faces in one photo and one in the other: the several-face photo
    measured on the face matching the other (:func:`matching_face`); several faces in both: the before
    photo's largest face and its match in the after photo (:func:`matching_pair`); else both as they are."""
    if b.n_faces > 1 and a.n_faces == 1 and a.ok:
        return a, matching_face(b, a)
    if a.n_faces > 1 and b.n_faces == 1 and b.ok:
        return matching_face(a, b, x_label="before", reference_label="after"), b
    if a.n_faces > 1 and b.n_faces > 1:
        return matching_pair(a, b)
    return a, b


def matching_pair(a: PhotoAnalysis, b: PhotoAnalysis) -> tuple[PhotoAnalysis, PhotoAnalysis]:
    """Several faces in both photos (a two-person selfie before and after): the before photo's largest face
    (the face its row in ``photos.csv`` describes) and the after photo's face that matches it, both ways.

    Rule (``bench/bench_two_people.py --both``, written before its run; no new threshold): the after face
    :func:`choose` picks by its residual against the before photo's largest face, provided that, of the
    before photo's faces, :func:`choose` picks the largest by their residuals against that after face (the
    match is one to one).  Otherwise the after photo is not measured: status ``several_faces``, its error
    saying why (no after face matches, several match alike, or the match also matches another before
    face), so that the comparison is refused with that reason.  A before photo whose faces are of about
    the same size (status ``several_faces``: its largest is chance) or whose largest face was not measured
    is left as it is (refused as before).

    Parameters
    ----------
    a, b : PhotoAnalysis
        The before and after photos, each with ``n_faces`` > 1 and its ``photo`` loaded (every face measured
        whole; each pair of faces read on :func:`face_match`, the same whichever photo is 'before').

    Returns
    -------
    (PhotoAnalysis, PhotoAnalysis)
        ``a`` (its largest face) with ``extra["face_choice"]`` naming it, and ``b`` measured on the
        matching face, its warnings led by the sentence saying which face and the residuals (its statistic in
        the sentence's words in ``extra["face_said"]``); both with
        ``extra["face_matched"]`` True and ``extra["face_residuals"]`` (mm; ``a``'s: each before face
        against the chosen after face, ``b``'s: each after face against ``a``'s largest; :func:`face_match`).  Or ``a`` and
        ``b`` with ``b`` turned ``several_faces`` (the reason in ``error`` and ``extra["face_choice"]``).
    """
    if (a.photo is None or b.photo is None or not a.ok or a.points is None or b.points is None
            or a.extra.get("face", 0) != 0):
        return a, b
    after = _faces(b)
    ms = [None if y is None else face_match(a, y) for y in after]
    row = [_value(m) for m in ms]
    k = choose(ms)
    a_place = face_place(a.extra.get("faces_x", ()), 0)
    named = f"the before photo's largest face ({a_place})"
    read_b = _read(b, row)
    if k is None:
        close = int(sum(m is not None and m.residual_mm < m.possible_mm for m in ms))
        which = (f"{close} of its {b.n_faces} faces match {named} alike" if close > 1
                 else f"none of its {b.n_faces} faces can be told to match {named}")
        return a, _refused(b, f"{b.name}: {which}: upper faces after alignment, robust RMS, {STATISTIC}: "
                              f"{read_b}; {_limits(ms)}; crop both photos to the one face", row)
    y = after[k]
    ms_a = [ms[k]] + [None if x is None else face_match(x, y) for x in _faces(a, start=1)]
    col = [_value(m) for m in ms_a]
    back = choose(ms_a)
    b_place = face_place(y.extra.get("faces_x", ()), k)
    if back != 0:
        return a, _refused(b, f"{b.name}: its face {b_place.removeprefix('the one ')} matches {named} "
                              f"at {fixed(row[k], 2)} mm ({STATISTIC}) but not only it: the before photo's faces against "
                              f"it: {_read(a, col)}; which person to compare cannot be told: crop both photos to "
                              "the one face", row)
    others = [r for i, r in enumerate(row) if i != k]
    said = _said(ms[k], "the before photo's face", "this face")
    what_b = (f"{b.n_faces} faces found in the after photo; measured {b_place}, which matches {named}: "
              f"upper faces {said} apart after alignment, the other face{'s' if len(others) > 1 else ''} "
              + ", ".join("not measured" if not np.isfinite(r) else f"{fixed(r, 2)} mm" for r in others)
              + f" on the same statistic; the comparison refuses different people above {ms[k].refuse_mm} mm on it")
    what_a = (f"{a.n_faces} faces found in the before photo; measured the largest, {a_place}: the person "
              f"compared (the after photo's face that matches it: {b_place})")
    a2 = _with_extra(a, face_choice=what_a, face_matched=True, face_residuals=tuple(col))
    b2 = _with_extra(y, face_choice=what_b, face_matched=True, face_residuals=tuple(row), face_said=said)
    return a2, _replace(b2, warnings=(what_b,) + tuple(b2.warnings))


def _read(x: PhotoAnalysis, res: list[float]) -> str:
    """"on the left: 0.33 mm, on the right: 2.10 mm": each face of ``x`` (0 the largest) and its residual."""
    return ", ".join(f"{face_place(x.extra.get('faces_x', ()), i).removeprefix('the one ')}: "
                     + ("not measured" if not np.isfinite(r) else f"{fixed(r, 2)} mm") for i, r in enumerate(res))


def _refused(x: PhotoAnalysis, why: str, res: list[float]) -> PhotoAnalysis:
    """``x`` not measured: status ``several_faces`` with ``why`` (the comparison is refused with it)."""
    return _replace(x, status="several_faces", error=why,
                    extra=dict(x.extra, face_choice=why, face_matched=False, face_residuals=tuple(res)))


def _with_extra(x: PhotoAnalysis, **kw) -> PhotoAnalysis:
    return _replace(x, extra=dict(x.extra, **kw))


def _replace(x: PhotoAnalysis, **kw) -> PhotoAnalysis:
    return dataclasses.replace(x, **kw)
