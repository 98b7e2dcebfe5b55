"""A photo with several faces, compared with a photo of one face: measure the face that matches it.

A selfie with a friend, whose face is about as large as the user's, is measured on the largest face
(:func:`facemetrics.analyze.analyze_photo`), which may be the friend's: compared with the user's other
photo it then gives verdicts on two different people when the gate's identity check (the upper-face
residual, :data:`~facemetrics.compare.gate.DIFFERENT_PEOPLE_RESIDUAL_MM`) does not refuse the pair.  Here
each face of such a photo is measured alone and the one the identity check matches to the other photo is
kept (:func:`matching_face`; rule and measurements: ``bench/bench_two_people.py``, docs/robustness.md
'Several faces of similar size').

Pure functions of :class:`~facemetrics.analyze.PhotoAnalysis` (the photo's pixels are re-read by Face Mesh
for each face: an after photo's faces as far as their status, :func:`facemetrics.analyze.find_face`, the one
chosen then measured whole, :func:`facemetrics.analyze.finish_face`; a before photo's faces whole,
:func:`facemetrics.analyze.analyze_loaded`).
"""

from __future__ import annotations

import dataclasses

import cv2
import numpy as np

from ..analyze import FaceFound, PhotoAnalysis, analyze_loaded, face_place, find_face, finish_face
from ..landmarks import MAX_FACES
from .gate import DIFFERENT_PEOPLE_POSSIBLE_MM, DIFFERENT_PEOPLE_RESIDUAL_MM
from .measure import upper_face_residual


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


def _found_faces(x: PhotoAnalysis) -> tuple[list[PhotoAnalysis | None], list[FaceFound | None]]:
    """:func:`_faces` of ``x`` as far as each face's status (:func:`facemetrics.analyze.find_face`: what the
    after photo's faces need to be aligned with the before photo, :func:`upper_face_residual`), and each face's
    :class:`~facemetrics.analyze.FaceFound` (None for ``x`` itself, the largest, and a face not found again), which
    :func:`_chosen` measures whole for the face chosen."""
    faces: list[PhotoAnalysis | None] = []
    found: list[FaceFound | None] = []
    for k in range(min(x.n_faces, MAX_FACES)):
        if k == 0 and x.ok and x.points is not None and x.extra.get("face", 0) == 0:
            faces += _faces(x, stop=1)
            found.append(None)
            continue
        f = find_face(x.photo, subject=x.subject, name=x.name, face=k, **_user_scale(x))
        ok = f.analysis.points is not None
        faces.append(f.analysis if ok else None)
        found.append(f if ok else None)
    return faces, found


def _chosen(faces: list[PhotoAnalysis | None], found: list[FaceFound | None], k: int) -> PhotoAnalysis | None:
    """Face ``k`` of :func:`_found_faces` measured whole (the analysis :func:`facemetrics.analyze.analyze_loaded`
    gives it), or None when its measures failed (status ``error``: :func:`_faces` would have given that, and its
    residual would have read NaN, so the caller chooses again from the whole analyses)."""
    if found[k] is None:
        return faces[k]
    y = finish_face(found[k])
    return y if y.ok else None


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


def face_residuals(reference: PhotoAnalysis, x: PhotoAnalysis, *, x_first: bool = False) -> list[float]:
    """The upper-face residual (robust RMS, mm, as the gate's identity check reads it) of each face of ``x``
    (0 the largest) against ``reference``, in the pair's order (``x_first``: ``x`` is the before photo).
    NaN for a face not measured (turned, too small, ...)."""
    out = []
    for y in _faces(x):
        if y is None:
            out.append(float("nan"))
        else:
            out.append(_residual(y, reference) if x_first else _residual(reference, y))
    return out


def choose(residuals: list[float]) -> int | None:
    """Which face matches the other photo, by the residuals of :func:`face_residuals` (mm): the one face below
    :data:`~facemetrics.compare.gate.DIFFERENT_PEOPLE_RESIDUAL_MM` (the only one the comparison would not
    refuse as another person); with several below it, the one below
    :data:`~facemetrics.compare.gate.DIFFERENT_PEOPLE_POSSIBLE_MM` (no two different people read less) if
    exactly one is; else None (none can be told: the largest stays)."""
    r = np.asarray(residuals, dtype=np.float64)
    for limit in (DIFFERENT_PEOPLE_RESIDUAL_MM, DIFFERENT_PEOPLE_POSSIBLE_MM):
        below = np.flatnonzero(r < limit)  # NaN is never below
        if len(below) == 1:
            return int(below[0])
        if len(below) == 0:
            return None
    return None


def _place(xs: tuple[float, ...], k: int) -> str:
    """"the one on the left" / "on the right" / "the 2nd from the left" (:func:`facemetrics.analyze.face_place`)."""
    return face_place(xs, k)


def matching_face(x: PhotoAnalysis, reference: PhotoAnalysis, *, x_first: bool = False, x_label: str = "after",
                  reference_label: str = "before", whole_faces: bool = False) -> PhotoAnalysis:
    """``x`` measured on the face that matches ``reference`` (:func:`choose`), when ``x`` holds several faces
    and ``reference`` one, measured; else ``x`` as it is.

    Parameters
    ----------
    x : PhotoAnalysis
        The photo with several faces (``n_faces`` > 1; its ``photo`` loaded).
    reference : PhotoAnalysis
        The subject's other photo: one face, ``status == "ok"``.
    x_first : bool
        ``x`` is the before photo of the pair (the residual is read in the pair's order).
    x_label, reference_label : str
        What the messages call the two photos ("after", "before", a file name).
    whole_faces : bool
        Measure every face whole (:func:`facemetrics.analyze.analyze_loaded`) before choosing.  Default: the
        after photo's faces only as far as their status (:func:`facemetrics.analyze.find_face`), the face chosen
        then measured whole (the same result, unless a face's measures fail: a face not chosen is then read
        as measured, docs/speed.md 'Stop 41').

    Returns
    -------
    PhotoAnalysis
        The chosen face's analysis, its warnings led by "N faces found; measured <which>, which matches
        the <reference> photo (...)", ``extra["face_choice"]`` that sentence, ``extra["face_matched"]`` True;
        or ``x`` with ``extra["face_choice"]`` a clause saying that none matched and ``extra["face_matched"]``
        False (the largest stays, or ``several_faces``); ``extra["face_residuals"]`` each face's residual, mm.
    """
    if x.photo is None or x.n_faces < 2 or x.points is None or not reference.ok or reference.n_faces != 1:
        return x
    # the after photo's faces as far as their status, the one chosen then measured whole (docs/speed.md, 'Stop 41');
    # a before photo's faces whole (the before photo's part of the alignment reads its jaw and folds)
    light = not whole_faces and not x_first
    faces, found = _found_faces(x) if light else (_faces(x), None)
    res = [float("nan") if y is None else (_residual(y, reference) if x_first else _residual(reference, y))
           for y in faces]
    k = choose(res)
    if light and k is not None:
        faces[k] = _chosen(faces, found, k)
        if faces[k] is None:  # its measures failed: chosen again as every face measured whole would have been
            return matching_face(x, reference, x_first=x_first, x_label=x_label, reference_label=reference_label,
                                 whole_faces=True)
    read = ", ".join(f"{_place(x.extra.get('faces_x', ()), i).removeprefix('the one ')}: "
                     + ("not measured" if not np.isfinite(r) else f"{r:.2f} mm") for i, r in enumerate(res))
    if k is None:
        close = int(np.sum(np.asarray(res) < DIFFERENT_PEOPLE_POSSIBLE_MM))
        which = (f"{close} of them match the {reference_label} photo alike (the same person twice?)" if close > 1
                 else f"none of them can be told to match the {reference_label} photo")
        why = (f"{which} (upper faces after alignment, robust RMS: {read}; one face below "
               f"{DIFFERENT_PEOPLE_RESIDUAL_MM} mm, or only one below {DIFFERENT_PEOPLE_POSSIBLE_MM} mm, is needed)")
        return _with_extra(x, face_choice=why, face_matched=False, face_residuals=tuple(res))
    y = faces[k]
    others = [r for i, r in enumerate(res) if i != k]
    what = (f"{x.n_faces} faces found in the {x_label} photo; measured {_place(y.extra.get('faces_x', ()), k)}, "
            f"which matches the {reference_label} photo (upper faces {res[k]:.2f} mm apart after alignment, "
            f"the other face{'s' if len(others) > 1 else ''} "
            + ", ".join("not measured" if not np.isfinite(r) else f"{r:.2f} mm" for r in others)
            + f"; the comparison refuses different people from {DIFFERENT_PEOPLE_RESIDUAL_MM} mm)")
    chosen = _with_extra(y, face_choice=what, face_matched=True, face_residuals=tuple(res))
    return _replace(chosen, warnings=(what,) + tuple(chosen.warnings))


def matching_faces(a: PhotoAnalysis, b: PhotoAnalysis) -> tuple[PhotoAnalysis, PhotoAnalysis]:
    """A before / after pair with several faces in one photo and one in the other: the several-face photo
    measured on the face matching the other (:func:`matching_face`); several faces in both: the before
    photo's largest face and its match in the after photo (:func:`matching_pair`); else both as they are."""
    if b.n_faces > 1 and a.n_faces == 1 and a.ok:
        return a, matching_face(b, a)
    if a.n_faces > 1 and b.n_faces == 1 and b.ok:
        return matching_face(a, b, x_first=True, x_label="before", reference_label="after"), b
    if a.n_faces > 1 and b.n_faces > 1:
        return matching_pair(a, b)
    return a, b


def matching_pair(a: PhotoAnalysis, b: PhotoAnalysis, whole_faces: bool = False) -> tuple[PhotoAnalysis, PhotoAnalysis]:
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
        The before and after photos, each with ``n_faces`` > 1 and its ``photo`` loaded.
    whole_faces : bool
        As :func:`matching_face`'s: the after photo's faces measured whole before choosing (default: as far as
        their status, the one chosen then whole; the before photo's faces are always measured whole).

    Returns
    -------
    (PhotoAnalysis, PhotoAnalysis)
        ``a`` (its largest face) with ``extra["face_choice"]`` naming it, and ``b`` measured on the
        matching face, its warnings led by the sentence saying which face and the residuals; both with
        ``extra["face_matched"]`` True and ``extra["face_residuals"]`` (mm; ``a``'s: each before face
        against the chosen after face, ``b``'s: each after face against ``a``'s largest).  Or ``a`` and
        ``b`` with ``b`` turned ``several_faces`` (the reason in ``error`` and ``extra["face_choice"]``).
    """
    if (a.photo is None or b.photo is None or not a.ok or a.points is None or b.points is None
            or a.extra.get("face", 0) != 0):
        return a, b
    after, found = _found_faces(b) if not whole_faces else (_faces(b), None)
    row = [float("nan") if y is None else _residual(a, y) for y in after]
    k = choose(row)
    if found is not None and k is not None:
        after[k] = _chosen(after, found, k)
        if after[k] is None:  # its measures failed: as in matching_face
            return matching_pair(a, b, whole_faces=True)
    a_place = _place(a.extra.get("faces_x", ()), 0)
    named = f"the before photo's largest face ({a_place})"
    read_b = _read(b, row)
    if k is None:
        close = int(np.sum(np.asarray(row) < DIFFERENT_PEOPLE_POSSIBLE_MM))
        which = (f"{close} of its {b.n_faces} faces match {named} alike" if close > 1
                 else f"none of its {b.n_faces} faces can be told to match {named}")
        return a, _refused(b, f"{b.name}: {which}: upper faces after alignment, robust RMS: {read_b}; one face "
                              f"below {DIFFERENT_PEOPLE_RESIDUAL_MM} mm, or only one below "
                              f"{DIFFERENT_PEOPLE_POSSIBLE_MM} mm, is needed; crop both photos to the one face", row)
    y = after[k]
    col = [row[k]] + [float("nan") if x is None else _residual(x, y) for x in _faces(a, start=1)]
    back = choose(col)
    b_place = _place(y.extra.get("faces_x", ()), k)
    if back != 0:
        return a, _refused(b, f"{b.name}: its face {b_place.removeprefix('the one ')} matches {named} "
                              f"at {row[k]:.2f} mm but not only it: the before photo's faces against it: "
                              f"{_read(a, col)}; which person to compare cannot be told: crop both photos to "
                              "the one face", row)
    others = [r for i, r in enumerate(row) if i != k]
    what_b = (f"{b.n_faces} faces found in the after photo; measured {b_place}, which matches {named}: "
              f"upper faces {row[k]:.2f} mm apart after alignment, the other face{'s' if len(others) > 1 else ''} "
              + ", ".join("not measured" if not np.isfinite(r) else f"{r:.2f} mm" for r in others)
              + f"; the comparison refuses different people from {DIFFERENT_PEOPLE_RESIDUAL_MM} mm")
    what_a = (f"{a.n_faces} faces found in the before photo; measured the largest, {a_place}: the person "
              f"compared (the after photo's face that matches it: {b_place})")
    a2 = _with_extra(a, face_choice=what_a, face_matched=True, face_residuals=tuple(col))
    b2 = _with_extra(y, face_choice=what_b, face_matched=True, face_residuals=tuple(row))
    return a2, _replace(b2, warnings=(what_b,) + tuple(b2.warnings))


def _read(x: PhotoAnalysis, res: list[float]) -> str:
    """"on the left: 0.33 mm, on the right: 2.10 mm": each face of ``x`` (0 the largest) and its residual."""
    return ", ".join(f"{_place(x.extra.get('faces_x', ()), i).removeprefix('the one ')}: "
                     + ("not measured" if not np.isfinite(r) else f"{r:.2f} mm") for i, r in enumerate(res))


def _refused(x: PhotoAnalysis, why: str, res: list[float]) -> PhotoAnalysis:
    """``x`` not measured: status ``several_faces`` with ``why`` (the comparison is refused with it)."""
    return _replace(x, status="several_faces", error=why,
                    extra=dict(x.extra, face_choice=why, face_matched=False, face_residuals=tuple(res)))


def _with_extra(x: PhotoAnalysis, **kw) -> PhotoAnalysis:
    return _replace(x, extra=dict(x.extra, **kw))


def _replace(x: PhotoAnalysis, **kw) -> PhotoAnalysis:
    return dataclasses.replace(x, **kw)
