"""What several faces in a photo cost: ``analyze_photo`` and ``compare_photos`` on photos of 1, 2 and 3 faces,
as ratios to the one-face photo measured in the same run (machines here are noisy: ratios, not ms).
docs/robustness.md 'Several faces: what they cost'.

Photos (synthetic, from the bundled sample photos; the same 1920 x 880 canvas for every count, three
640 px slots, grey where there is no face): slot 0 the astronaut (the subject; the sample's after photo,
0.5 x), slot 1 a larger 'stranger' (the same picture stretched 1.25 x wider, 0.55 x), slot 2 a narrower
one (0.8 x as wide, 0.52 x).  The subject's other photo: the sample's before photo in slot 0 of the same
canvas.  Timed (median of ``--repeats``, after one warm-up):

- analyze: ``analyze_photo`` of the photo's bytes (the largest face measured; Face Mesh finds them all);
- compare, one side: ``compare_photos(other, photo)`` of analyses made beforehand: the face matching the
  other photo is chosen (``compare.faces.matching_face``);
- compare, both sides: the before photo holds the same strangers beside the subject's other photo
  (``compare.faces.matching_pair``).

Also counted per comparison: the faces analysed again (``analyze_loaded`` calls) and the pairs aligned
(``compare.measure._measure`` and ``upper_face_residual`` calls), which is where the extra faces' time goes.
"Before the fix": the same comparison with the largest face analysed again and each face's residual read
off compare's whole measurement (as before 2026-12-04's fix, by monkeypatching: :func:`before_fix`), timed
in turn with the current one.

Usage: ``PYTHONPATH=. python bench/bench_faces_cost.py [--repeats 3]``
"""

from __future__ import annotations

import argparse
import contextlib
import io
import statistics
import time
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

import facemetrics.compare as cmp_pkg
import facemetrics.compare.faces as faces_mod
from facemetrics import analyze_photo, compare_photos
from facemetrics.compare.measure import _measure

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "sample_images"
SLOT = 640
HEIGHT = 880
#: (scale x, scale y) of the sample picture in each slot: the subject, a larger stranger, a narrower one
SLOTS = ((0.5, 0.5), (0.55 * 1.25, 0.55), (0.52 * 0.8, 0.52))


def _rgb(name: str) -> np.ndarray:
    return np.array(Image.open(SAMPLES / name).convert("RGB"))


def canvas(subject: np.ndarray, stranger: np.ndarray, n: int) -> bytes:
    """``n`` faces (1-3) in the fixed canvas: slot 0 ``subject``, slots 1-2 ``stranger`` resized; JPEG 92."""
    out = np.full((HEIGHT, 3 * SLOT, 3), 128, np.uint8)
    for k in range(n):
        fx, fy = SLOTS[k]
        x = cv2.resize(subject if k == 0 else stranger, None, fx=fx, fy=fy, interpolation=cv2.INTER_AREA)
        x = x[:HEIGHT, :SLOT]
        out[HEIGHT - x.shape[0]:, k * SLOT:k * SLOT + x.shape[1]] = x
    buf = io.BytesIO()
    Image.fromarray(out).save(buf, "JPEG", quality=92)
    return buf.getvalue()


def median_s(fn, repeats: int) -> float:
    fn()
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


@contextlib.contextmanager
def counted():
    """Count ``analyze_loaded`` calls in compare.faces and the pairs aligned (compare's ``_measure`` and the
    faces' ``upper_face_residual``)."""
    n = {"analyses": 0, "alignments": 0}
    saved = faces_mod.analyze_loaded, faces_mod.upper_face_residual, cmp_pkg._measure

    def count(key, fn):
        def wrapped(*a, **kw):
            n[key] += 1
            return fn(*a, **kw)
        return wrapped

    faces_mod.analyze_loaded = count("analyses", saved[0])
    faces_mod.upper_face_residual = count("alignments", saved[1])
    cmp_pkg._measure = count("alignments", saved[2])
    try:
        yield n
    finally:
        faces_mod.analyze_loaded, faces_mod.upper_face_residual, cmp_pkg._measure = saved


def _faces_again(x, start: int = 0):
    """compare.faces._faces as before the fix: every face analysed again, the largest too."""
    out = []
    for k in range(start, min(x.n_faces, faces_mod.MAX_FACES)):
        y = faces_mod.analyze_loaded(x.photo, subject=x.subject, name=x.name, face=k, **faces_mod._user_scale(x))
        out.append(y if y.points is not None else None)
    return out


@contextlib.contextmanager
def before_fix():
    """The comparison as before the fix (2026-12-04): the largest face analysed again, each face's residual
    read off compare's whole measurement (``_measure``: the pose fit's floor-term refits, lifts, folds, jaw)."""
    saved = faces_mod._faces, faces_mod.upper_face_residual
    faces_mod._faces = _faces_again
    faces_mod.upper_face_residual = lambda a, b: float(_measure(a, b).alignment.residual_mm)
    try:
        yield
    finally:
        faces_mod._faces, faces_mod.upper_face_residual = saved


def interleaved(fns: dict, repeats: int) -> dict:
    """Median seconds of each of ``fns`` (name -> callable), run in turn ``repeats`` times after a warm-up
    of each: the load of a shared machine falls on all of them alike."""
    for fn in fns.values():
        fn()
    times: dict = {k: [] for k in fns}
    for _ in range(repeats):
        for k, fn in fns.items():
            t = time.perf_counter()
            fn()
            times[k].append(time.perf_counter() - t)
    return {k: statistics.median(v) for k, v in times.items()}


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--repeats", type=int, default=3)
    repeats = p.parse_args().repeats
    after, before = _rgb("astronaut_after.jpg"), _rgb("astronaut_before.jpg")
    other = analyze_photo(canvas(before, before, 1), name="other.jpg")
    rows = {}
    for n in (1, 2, 3):
        photo = canvas(after, after, n)
        x = analyze_photo(photo, name=f"{n}.jpg")
        both = analyze_photo(canvas(before, before, n), name=f"before_{n}.jpg")
        counts = {}
        for label, ctx in (("now", contextlib.nullcontext), ("before fix", before_fix)):
            with ctx(), counted() as c1:
                s1 = compare_photos(other, x, check_order=False).status
            with ctx(), counted() as c2:
                s2 = compare_photos(both, x, check_order=False).status
            counts[label] = (c1, c2, s1, s2)

        def old(fn):
            def run():
                with before_fix():
                    fn()
            return run

        one = lambda: compare_photos(other, x, check_order=False)  # noqa: E731
        two = lambda: compare_photos(both, x, check_order=False)  # noqa: E731
        t = interleaved({"analyze": lambda: analyze_photo(photo, name="t.jpg"), "one": one, "one_old": old(one),
                         "both": two, "both_old": old(two)}, repeats)
        rows[n] = dict(n_faces=(x.n_faces, both.n_faces), counts=counts, **t)
        print(n, rows[n], flush=True)
    print()
    print("| faces per photo | faces found | analyze | compare, one side: now / before the fix | compare, both sides: "
          "now / before the fix | faces analysed again / pairs aligned, one side and both sides: now; before the "
          "fix | statuses |")
    print("|---|---|---|---|---|---|---|")
    base = rows[1]

    def cell(r, k, n):
        ratio = r[k] / base[k]
        return f"{ratio:.2f} x" + (f" (+{(ratio - 1) / (n - 1):.2f} per extra face)" if n > 1 else
                                   f" ({1000 * base[k]:.0f} ms)")

    for n, r in rows.items():
        c = {lab: f"{v[0]['analyses']}/{v[0]['alignments']}, {v[1]['analyses']}/{v[1]['alignments']}"
             for lab, v in r["counts"].items()}
        print(f"| {n} | {r['n_faces'][0]} / {r['n_faces'][1]} | {cell(r, 'analyze', n)} | {cell(r, 'one', n)} / "
              f"{cell(r, 'one_old', n)} | {cell(r, 'both', n)} / {cell(r, 'both_old', n)} | {c['now']}; "
              f"{c['before fix']} | {r['counts']['now'][2]} / {r['counts']['now'][3]} |")


if __name__ == "__main__":
    main()
