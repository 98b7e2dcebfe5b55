"""Two different people of similar size in one photo: which face is measured, and does a comparison with
the subject's other photo refuse the pair or give verdicts?  And can the face be chosen by identity (the
compare gate's upper-face residual against the subject's other photo)?  docs/robustness.md 'Several faces
of similar size'.

Composites: person A's photo and person B's photo side by side on one canvas (B's photo scaled so that
B's face is r times A's, r = 0.6, 0.8, 0.9, 0.95, 1.0, or A's scaled so that A's face is r times B's:
"the user larger" / "the user smaller"; bottoms aligned, the shorter photo padded by its edge rows, the
seam blended over 60 px; A on the left for even pairs, on the right for odd ones; canvas height 900 px).
Face size: the square root of the landmark-box area (as ``second_face_share``).

Sets (fixed before any run):

- tuning: London neutral faces (sorted; A = faces 0, 2, 4, 6, 8, 10, B = the next one), A's other photo
  her / his London smiling photo (a real second photo); Canada tuning split (``accuracy.canada_split``),
  pairs (0, 1), (2, 3), (4, 5), A's other photo A's own photo resized to 0.7 and saved as JPEG 85.
- held out: Canada held-out split, pairs (0, 1), (2, 3), ..., (14, 15), A's other photo as above.
- one person's real other photo (reported apart): A = debruine pose 1 / camera distance 45 cm, other
  photo pose 2 / 30 cm; B = Canada held-out faces 0, 1.

Rule for choosing the face (written 2026-12-04 before any composite was measured):

- Identity measure: the gate's upper-face residual (``compare.measure._measure(before, after)
  .alignment.residual_mm``, robust RMS, mm) between the subject's other photo (one face, ``ok``) and
  each face of the photo with several faces, each measured alone (``analyze_loaded(face=k)``), in the
  pair's order (the other photo before).
- Choice: the one face whose residual is below ``gate.DIFFERENT_PEOPLE_RESIDUAL_MM`` (1.6 mm, the
  gate's refusal of different people: the one face the comparison would not refuse); when several are
  below it, the one below ``gate.DIFFERENT_PEOPLE_POSSIBLE_MM`` (1.07 mm, below which no pair of
  different people was seen) if exactly one is; otherwise none is chosen and the current rule stays
  (the largest face, or ``several_faces``).  No new threshold: the tuning set only checks the rule.
- Ship criterion: no composite (tuning or held out) on which B's face is chosen; the catch is reported
  as the share of composites on which A's face is chosen.  If B is chosen on any held-out composite,
  choosing is not shipped and the several_faces share is lowered instead (for a clearly different
  second person).

Outcome (2026-12-04, HEAD 69a8a2b, one run per set): A's face chosen on 81 of 81 tuning, 72 of 72 held-out
and 18 of 18 debruine composites, B's never (residuals A 0.01-1.42 mm, B 1.50-4.20 mm); before, B's face was
compared on 86 of 171 (the larger), refused as two people on 77, ``several_faces`` on 8, and given verdicts
once (debruine 45 cm beside canada_019f, B 1.50 mm: 3 false rows).  docs/robustness.md 'Several faces of
similar size'.

``--orders`` (2026-12-05, h2; docs/robustness.md 'The identity check on both orders everywhere it is used', rule
written there before the run): the composites of the first mode, no comparison: each face of the several-face
photo fitted both ways against A's other photo, and the face each rule picks: one order with the other photo
before (compare's use when the after photo holds the faces), one order with the several-face photo before, and
the mean of both orders (at most 1.7 mm, then the only one below 1.08 mm).  Outcome (one run per set, 1-2 min
each): every rule picks A on 77 of 81 tuning, 68 of 72 held-out and 17 of 18 debruine composites, none on the
rest (equal faces: the photo is ``several_faces`` and face 0 not measured alone), B never; the mean of both
orders: A 0.02-1.28 mm tuning, 0.02-0.12 held out, 0.15-1.45 debruine; B 1.77-3.38, 1.74-3.33, 1.54-2.65 mm.

Usage: ``PYTHONPATH=. python bench/bench_two_people.py [--set tuning|heldout|debruine|all] [--both | --orders]``
(about 1.5 min per pair of people, 9 composites, on a shared core).

``--both``: several faces in BOTH photos (a two-person selfie before and after; docs/robustness.md 'Two
people in both photos').  Rule and sets written 2026-12-04 before any such composite was measured:

- Composites: the before photo A's and B's photos side by side, the after photo A's other photo and B's
  other photo side by side (as above).  Other photos: London: both people's smiling photos (real second
  photos); Canada tuning / held out: each person's own photo resized to 0.7 and saved as JPEG 85;
  debruine: A = pose 1 / 45 cm, A's other photo pose 2 / 30 cm, B Canada held-out 0 / 1 with the resized
  copy.  Four layouts per pair of people, (who is larger, the smaller's face over the larger's, A's side)
  before / after: (A, 0.9, left) / (B, 0.9, right); (B, 0.9, left) / (A, 0.9, left); (A, 0.8, right) /
  (B, 0.95, right); (B, 0.95, right) / (A, 0.8, left): the largest face is the other person in the after
  photo in all four, A's side changes in two.
- Rule (``compare.faces.matching_pair``): the person compared is the before photo's largest face (the face
  its row describes); its match in the after photo the one face ``choose`` picks by the residuals against
  it (below 1.6 mm, or the only one below 1.07 mm among several), provided the match is one to one (of
  the before photo's faces, ``choose`` picks the largest by their residuals against that after face);
  otherwise the after photo is ``several_faces`` and the pair refused, saying why.  No new threshold.
- Outcome counted per composite: the right person (the before photo's largest face compared with the same
  person's face in the after photo), the wrong person (two different people compared, any status but
  refused), refused.  Ship criterion: the wrong person on no composite, tuning or held out; if on any
  held-out composite, matching both photos is not shipped (the largest faces stay, as before).  "Before"
  = the largest face of each photo (the choice switched off).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import sys
import time
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

import facemetrics.compare as cmp_pkg
from facemetrics import compare_photos
from facemetrics.analyze import analyze_loaded
from facemetrics.compare.faces import face_residuals
from facemetrics.compare.gate import MSG_DIFFERENT_PEOPLE
from facemetrics.landmarks import detect_landmarks
from facemetrics.loader import load_photo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
FACES = ROOT.parent / "shared" / "faces"
RATIOS = (0.6, 0.8, 0.9, 0.95, 1.0)
HEIGHT = 900
SEAM = 60


def _rgb(path: Path) -> np.ndarray:
    return np.array(Image.open(path).convert("RGB"))


def _jpeg(rgb: np.ndarray, quality: int = 85) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, "JPEG", quality=quality)
    return buf.getvalue()


def _size(rgb: np.ndarray) -> float:
    f = detect_landmarks(rgb)
    return float(np.sqrt(np.ptp(f.points[:, 0]) * np.ptp(f.points[:, 1])))


def _resized(rgb: np.ndarray, s: float) -> np.ndarray:
    return cv2.resize(rgb, (max(1, round(rgb.shape[1] * s)), max(1, round(rgb.shape[0] * s))),
                      interpolation=cv2.INTER_AREA if s < 1 else cv2.INTER_CUBIC)


def composite(left: np.ndarray, right: np.ndarray) -> tuple[np.ndarray, int]:
    """``left`` and ``right`` side by side, bottoms aligned, the shorter padded upwards by its edge rows,
    the seam blended linearly over :data:`SEAM` px; returns the canvas and the seam's centre x, px."""
    h = max(left.shape[0], right.shape[0])
    pad = [cv2.copyMakeBorder(x, h - x.shape[0], 0, 0, 0, cv2.BORDER_REPLICATE) for x in (left, right)]
    wl, wr = pad[0].shape[1], pad[1].shape[1]
    canvas = np.zeros((h, wl + wr - SEAM, 3), np.float64)
    canvas[:, :wl - SEAM] = pad[0][:, :wl - SEAM]
    canvas[:, wl:] = pad[1][:, SEAM:]
    ramp = np.linspace(0, 1, SEAM)[None, :, None]
    canvas[:, wl - SEAM:wl] = (1 - ramp) * pad[0][:, wl - SEAM:] + ramp * pad[1][:, :SEAM]
    return np.clip(np.round(canvas), 0, 255).astype(np.uint8), wl - SEAM // 2


def cases(which: str) -> list[tuple[str, str, Path, Path, bytes]]:
    """(set, name, A's photo, B's photo, A's other photo as bytes)."""
    from accuracy import canada_split
    out = []
    if which in ("tuning", "all"):
        london = sorted((FACES / "london_ccby").glob("*_neutral.jpg"))
        for i in range(0, 12, 2):
            a, b = london[i], london[i + 1]
            other = Path(str(a).replace("_neutral.jpg", "_smiling.jpg")).read_bytes()
            out.append(("tuning", f"{a.stem[:10]}+{b.stem[:10]}", a, b, other))
        tune, _ = canada_split(sorted((FACES / "canada_ccby").glob("*.jpg")))
        for i in range(0, 6, 2):
            a, b = tune[i], tune[i + 1]
            out.append(("tuning", f"{a.stem}+{b.stem}", a, b, _jpeg(_resized(_rgb(a), 0.7))))
    if which in ("heldout", "all"):
        _, held = canada_split(sorted((FACES / "canada_ccby").glob("*.jpg")))
        for i in range(0, 16, 2):
            a, b = held[i], held[i + 1]
            out.append(("heldout", f"{a.stem}+{b.stem}", a, b, _jpeg(_resized(_rgb(a), 0.7))))
    if which in ("debruine", "all"):
        _, held = canada_split(sorted((FACES / "canada_ccby").glob("*.jpg")))
        d = FACES / "debruine_cc0"
        for (a, o), b in zip((("pose_variation_1", "pose_variation_2"), ("camera_distance_45cm", "camera_distance_30cm")),
                             held[:2]):
            out.append(("debruine", f"{a}+{b.stem}", d / f"debruine_{a}.jpg", b, (d / f"debruine_{o}.jpg").read_bytes()))
    return out


def one_photo_composites(which: str):
    """The composites of the first mode (module docstring), shared by :func:`run` and :func:`run_orders`: per
    case of :func:`cases`, A on the left for even cases; per layout, B's face r times A's (``"larger"``: A is
    the larger) or A's r times B's (``"smaller"``; r = 1.0 only once), the canvas :data:`HEIGHT` px high, saved
    as JPEG 92.  Yields ``(set, name, A's other photo analysed, A on the left, "larger" | "smaller", r, the
    loaded composite, the seam's x in px)``."""
    for k, (group, name, pa, pb, other_bytes) in enumerate(cases(which)):
        a, b = _rgb(pa), _rgb(pb)
        sa, sb = _size(a), _size(b)
        other = analyze_loaded(load_photo(other_bytes, name="A_other.jpg"))
        a_left = k % 2 == 0
        for bigger in ("larger", "smaller"):
            for r in RATIOS:
                if bigger == "smaller" and r == 1.0:
                    continue  # the same as "larger" at 1.0
                img, seam = _two(a, b, sa, sb, "A" if bigger == "larger" else "B", r, a_left)
                photo = load_photo(_jpeg(img, 92), name=f"{name}_{bigger}_{r}.jpg")
                yield group, name, other, a_left, bigger, r, photo, seam


def run(which: str) -> None:
    print("| set | pair | A is | r | A on the | share | n | status | largest is | compare before: face, status, "
          "false rows | compare now: face, status, false rows | residual A / B mm | time |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    tally: dict = {}
    for group, name, other, a_left, bigger, r, photo, seam in one_photo_composites(which):
        t0 = time.perf_counter()
        now = analyze_loaded(photo)
        if now.points is None:
            print(f"| {group} | {name} | {bigger} | {r} | {a_left} | - | 0 | {now.status} | - |")
            continue
        def is_a(points) -> bool:
            return (float(np.mean(points[:, 0])) < seam) == a_left

        on_a = is_a(now.points)
        # before this change: the largest face compared (the face choice switched off)
        with _no_face_choice():
            old = compare_photos(other, now, check_order=False)
        new = compare_photos(other, now, check_order=False)
        res = face_residuals(other, now)
        ra = rb = float("nan")
        for i, v in enumerate(res):
            f = now if i == 0 else analyze_loaded(photo, face=i)
            if f.points is not None:
                ra, rb = (v, rb) if is_a(f.points) else (ra, v)
        row = []
        for label, cmp in (("old", old), ("new", new)):
            face = "-" if cmp.after.points is None else ("A" if is_a(cmp.after.points) else "B")
            people = any(m.startswith(MSG_DIFFERENT_PEOPLE) for m in cmp.messages)
            false_rows = _false_rows(cmp) if face == "B" else 0
            row.append(f"{face} {cmp.status}{' (2 people)' if people else ''}, {false_rows}")
            key = (group, label, face, cmp.status, people, "false rows" if false_rows else "")
            tally[key] = tally.get(key, 0) + 1
        print(f"| {group} | {name} | {bigger} | {r} | {'left' if a_left else 'right'} | {now_share(now)} | "
              f"{now.n_faces} | {now.status} | {'A' if on_a else 'B'} | {row[0]} | {row[1]} | "
              f"{ra:.2f} / {rb:.2f} | {time.perf_counter() - t0:.0f} s |", flush=True)
    print()
    for key in sorted(tally, key=str):
        print(key, tally[key])


@contextlib.contextmanager
def _no_face_choice():
    """compare_photos as before the face choice: the largest face of each photo."""
    saved = cmp_pkg.matching_faces
    cmp_pkg.matching_faces = lambda a, b: (a, b)
    try:
        yield
    finally:
        cmp_pkg.matching_faces = saved


def now_share(x) -> str:
    return f"{x.extra.get('second_face_share', float('nan')):.3f}"


def _false_rows(cmp) -> int:
    """Rows of a comparison made on the wrong person that claim a change (a verdict beyond the floor)."""
    n = 0
    for row in cmp.changes:
        n += row.verdict not in ("within_noise", "uncertain", "refused")
    return n


#: the ``--both`` layouts: (who is larger, smaller / larger face size, A on the left) before, then after
LAYOUTS = ((("A", 0.9, True), ("B", 0.9, False)), (("B", 0.9, True), ("A", 0.9, True)),
           (("A", 0.8, False), ("B", 0.95, False)), (("B", 0.95, False), ("A", 0.8, True)))


def _other_rgb(group: str, pa: Path, other_bytes: bytes) -> np.ndarray:
    return np.array(Image.open(io.BytesIO(other_bytes)).convert("RGB"))


def _b_other(group: str, pb: Path) -> np.ndarray:
    if group == "tuning" and "london" in str(pb):
        return _rgb(Path(str(pb).replace("_neutral.jpg", "_smiling.jpg")))
    return np.array(Image.open(io.BytesIO(_jpeg(_resized(_rgb(pb), 0.7)))).convert("RGB"))


def _two(a: np.ndarray, b: np.ndarray, sa: float, sb: float, larger: str, r: float, a_left: bool):
    """A's and B's pictures on one canvas (:data:`HEIGHT` px high), the smaller face r times the larger;
    returns the canvas and the seam's x, px."""
    ka, kb = (1.0, r * sa / sb) if larger == "A" else (r * sb / sa, 1.0)
    x, y = _resized(a, ka), _resized(b, kb)
    img, seam = composite(x, y) if a_left else composite(y, x)
    s = HEIGHT / img.shape[0]
    return _resized(img, s), seam * s


def run_both(which: str) -> None:
    print("| set | pair | layout | shares before / after | status alone before / after | largest before / after | "
          "before this change: faces, status, wrong-person rows | now: faces, status, residuals of the after "
          "faces (largest first) against the before photo's largest, mm | time |")
    print("|---|---|---|---|---|---|---|---|---|")
    tally: dict = {}
    for group, name, pa, pb, other_bytes in cases(which):
        a, b = _rgb(pa), _rgb(pb)
        oa, ob = _other_rgb(group, pa, other_bytes), _b_other(group, pb)
        sa, sb, soa, sob = (_size(x) for x in (a, b, oa, ob))
        for li, ((lb, rb, leftb), (la, ra, lefta)) in enumerate(LAYOUTS):
            img_b, seam_b = _two(a, b, sa, sb, lb, rb, leftb)
            img_a, seam_a = _two(oa, ob, soa, sob, la, ra, lefta)
            pb_ = load_photo(_jpeg(img_b, 92), name=f"{name}_before_{li}.jpg")
            pa_ = load_photo(_jpeg(img_a, 92), name=f"{name}_after_{li}.jpg")
            t0 = time.perf_counter()
            before, after = analyze_loaded(pb_), analyze_loaded(pa_)

            def who(points, seam, a_left) -> str:
                if points is None:
                    return "-"
                return "A" if (float(np.mean(points[:, 0])) < seam) == a_left else "B"

            row = []
            for label in ("old", "new"):
                if label == "old":
                    with _no_face_choice():
                        c = compare_photos(before, after, check_order=False)
                else:
                    c = compare_photos(before, after, check_order=False)
                fb = who(c.before.points, seam_b, leftb)
                fa = who(c.after.points, seam_a, lefta) if c.after.status != "several_faces" or label == "old" else "-"
                if c.status == "refused":
                    outcome = "refused"
                elif fb == fa and fb != "-":
                    outcome = "right person"
                else:
                    outcome = "WRONG person"
                wrong = _false_rows(c) if outcome == "WRONG person" else 0
                row.append(f"{fb}/{fa} {c.status} ({outcome}){f', {wrong} rows' if wrong else ''}")
                if label == "new":  # each after face against the before photo's largest, mm
                    res = c.after.extra.get("face_residuals", ())
                    row[-1] += " " + "/".join(f"{v:.2f}" for v in res)
                tally[(group, label, outcome)] = tally.get((group, label, outcome), 0) + 1
                if label == "new" and c.status == "refused":
                    print("   refused:", "; ".join(c.messages)[:400], file=sys.stderr)
            print(f"| {group} | {name} | {li} | {now_share(before)} / {now_share(after)} | {before.status} / "
                  f"{after.status} | {who(before.points, seam_b, leftb)} / {who(after.points, seam_a, lefta)} | "
                  f"{row[0]} | {row[1]} | {time.perf_counter() - t0:.0f} s |", flush=True)
    print()
    for key in sorted(tally, key=str):
        print(key, tally[key])


#: ``gate.DIFFERENT_PEOPLE_POSSIBLE_MM`` when the face matching read one order (1.07 mm; 1.00 since 2026-12-05, h2,
#: read only for a face whose reverse fit failed): the ``--orders`` mode's one-order rule as it was
ONE_ORDER_POSSIBLE_MM = 1.07


def _choose_one_order(residuals) -> int | None:
    """The face choice as it was before 2026-12-05 (h2): one order's residuals (mm) against
    ``gate.DIFFERENT_PEOPLE_RESIDUAL_MM`` (1.6), then, among several below it, the only one below
    :data:`ONE_ORDER_POSSIBLE_MM` (the one order's clause limit then)."""
    from facemetrics.compare.gate import DIFFERENT_PEOPLE_RESIDUAL_MM
    r = np.asarray(residuals, dtype=np.float64)
    for limit in (DIFFERENT_PEOPLE_RESIDUAL_MM, ONE_ORDER_POSSIBLE_MM):
        below = np.flatnonzero(r < limit)  # NaN is never below
        if len(below) == 1:
            return int(below[0])
        if len(below) == 0:
            return None
    return None


def _choose_both_orders(fwd, bwd) -> int | None:
    """The face choice on the mean of both orders (``gate.identity_residual_mm`` per face) against
    ``gate.DIFFERENT_PEOPLE_SYMMETRIC_MM`` (1.7, at most: the refusal is "above"), then, among several at or
    below it, the only one below ``gate.DIFFERENT_PEOPLE_POSSIBLE_SYMMETRIC_MM`` (1.08); a face whose reverse
    fit failed reads its one order against the one order's limits.  Written for this mode from the rule in
    docs/robustness.md ('The identity check on both orders everywhere it is used'), before the package's."""
    from facemetrics.compare.gate import upper_face_match
    ms = [None if not np.isfinite(f) else upper_face_match(f, b) for f, b in zip(fwd, bwd)]
    first = [i for i, m in enumerate(ms) if m is not None and m.residual_mm <= m.refuse_mm]
    if len(first) <= 1:
        return first[0] if first else None
    second = [i for i in first if ms[i].residual_mm < ms[i].possible_mm]
    return second[0] if len(second) == 1 else None


def run_orders(which: str) -> None:
    """``--orders``: the composites of :func:`run` (no comparison): every face of the several-face photo fitted
    both ways against A's other photo (``faces._residual``), and the face each rule chooses: the one order with
    the other photo before (compare's use when the after photo holds the faces), the one order with the
    several-face photo before, and the mean of both orders.  docs/robustness.md 'The identity check on both
    orders everywhere it is used'."""
    from facemetrics.compare.faces import _residual
    print("| set | pair | A is | r | faces | A fwd / bwd / S2 mm | B fwd / bwd / S2 mm | one order, other first "
          "| one order, faces first | both orders |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    tally: dict = {}
    for group, name, other, a_left, bigger, r, photo, seam in one_photo_composites(which):
        now = analyze_loaded(photo)
        if now.points is None or now.n_faces < 2:
            print(f"| {group} | {name} | {bigger} | {r} | {now.n_faces} | - | - | - | - | - |", flush=True)
            tally[(group, "skipped")] = tally.get((group, "skipped"), 0) + 1
            continue
        who, fwd, bwd = [], [], []
        for i in range(now.n_faces):
            f = now if i == 0 else analyze_loaded(photo, face=i)
            if f.points is None or not f.ok:
                who.append("-")
                fwd.append(float("nan"))
                bwd.append(float("nan"))
                continue
            who.append("A" if (float(np.mean(f.points[:, 0])) < seam) == a_left else "B")
            fwd.append(_residual(other, f))
            bwd.append(_residual(f, other))
        picks = [_choose_one_order(fwd), _choose_one_order(bwd), _choose_both_orders(fwd, bwd)]
        said = []
        for rule, pick in zip(("one order, other first", "one order, faces first", "both orders"), picks):
            face = "none" if pick is None else who[pick]
            tally[(group, rule, face)] = tally.get((group, rule, face), 0) + 1
            said.append(face)

        def rd(person: str) -> str:
            i = [j for j, w in enumerate(who) if w == person]
            if not i:
                return "-"
            f_, b_ = fwd[i[0]], bwd[i[0]]
            return f"{f_:.2f} / {b_:.2f} / {0.5 * (f_ + b_):.2f}"
        print(f"| {group} | {name} | {bigger} | {r} | {now.n_faces} | {rd('A')} | {rd('B')} | "
              + " | ".join(said) + " |", flush=True)
    print()
    for key in sorted(tally, key=str):
        print(key, tally[key])


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--set", default="tuning", choices=("tuning", "heldout", "debruine", "all"))
    p.add_argument("--both", action="store_true", help="several faces in both photos")
    p.add_argument("--orders", action="store_true", help="the face choice on one order and on both (no compare)")
    args = p.parse_args()
    (run_orders if args.orders else run_both if args.both else run)(args.set)


if __name__ == "__main__":
    main()
