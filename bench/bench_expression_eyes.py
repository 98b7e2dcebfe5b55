"""The comparison's expression check (``compare.gate.lip_shape_changes``) when the eyes are covered.

docs/compare.md "Eyes not visible".  Face Mesh guesses the pupils behind dark glasses or closed lids, and
the smile index's second term (mouth width / pupil distance, ``quality.smile_terms``) moves with the
guess: a photo against itself with dark lenses painted on read "expression differs" (London 003 neutral,
smile index 0.05 -> 0.17).  Since 2026-12-04, when no iris is visible in either photo
(``gate.eyes_covered``) the check compares the first term alone (the mouth corners' elevation over the
inner lips) against the same limit (``gate.MAX_SMILE_CHANGE``; no new threshold).

Measured here (each photo analysed as it is and with every cover, Face Mesh re-run on the edited photo):

1. false alarms: every photo against its own covered copy (the expression did not change): how many
   read "expression differs" (the lips' shape cues: smile index / elevation, mouth opening) by the
   previous rule (smile index) and by the shipped rule;
2. what the rule costs: the 12 London neutral -> smiling pairs with the smiling photo covered (dark
   0.30): how many the shipped rule still calls "expression differs", against the 12 uncovered pairs.

Covers (``bench_eyes.py``'s): sunglasses 0.22 / 0.30 / 0.38 x IPD, dark / grey / reflective, and a skin
cover with a lash line (closed eyes).  Faces: the 12 London neutral and 12 smiling photos, the 40
Canada faces and the 2 bundled samples (no choice is made here: no split).

Usage: ``python bench/bench_expression_eyes.py`` (needs ../shared/faces for all but the samples).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("GLOG_minloglevel", "2")

sys.path.insert(0, str(Path(__file__).parent))
from bench_eyes import SUN_SIZES, TINTS, skin_cover, sunglasses  # noqa: E402

from facemetrics import analyze_photo  # noqa: E402
from facemetrics.compare.gate import (  # noqa: E402
    MAX_MOUTH_OPENING_CHANGE, MAX_SMILE_CHANGE, eyes_covered, lip_shape_changes,
)

ROOT = Path(__file__).resolve().parents[1]
FACES = ROOT.parent / "shared" / "faces"


def old_rule(a, b) -> bool:
    """The check before 2026-12-04: the smile index or the mouth opening changed beyond its limit."""
    qa, qb = a.quality, b.quality
    return (abs(qb.smile_index - qa.smile_index) > MAX_SMILE_CHANGE
            or abs(qb.mouth_opening_ratio - qa.mouth_opening_ratio) > MAX_MOUTH_OPENING_CHANGE)


def covers():
    for k in SUN_SIZES:
        for t in TINTS:
            yield f"sunglasses {k:.2f} {t}", lambda rgb, pts, k=k, t=t: sunglasses(rgb, pts, k, t)
    yield "skin + lash line", lambda rgb, pts: skin_cover(rgb, pts, True)


def main() -> int:
    paths = sorted((ROOT / "sample_images").glob("astronaut_*.jpg"))
    if FACES.is_dir():
        paths += sorted((FACES / "london_ccby").glob("*.jpg")) + sorted((FACES / "canada_ccby").glob("*.jpg"))
    else:
        print(f"{FACES} absent: the samples only")
    stats = {name: [0, 0, 0, 0] for name, _ in covers()}  # pairs, covered judged, old alarms, new alarms
    cache = {}
    for p in paths:
        a = analyze_photo(p)
        if not a.ok:
            print(f"{p.name}: {a.status}")
            continue
        cache[p.name] = a
        for name, paint in covers():
            b = analyze_photo(paint(a.photo.rgb, a.points), name=f"{p.stem}-covered.png")
            if not b.ok:
                continue
            s = stats[name]
            s[0] += 1
            s[1] += eyes_covered(b)
            s[2] += old_rule(a, b)
            new = bool(lip_shape_changes(a, b))
            s[3] += new
            if new:
                print(f"  still an alarm: {p.name} {name}: {lip_shape_changes(a, b)}")
    print("\n| cover | photo vs its covered copy | no iris visible | 'expression differs' before | shipped |")
    print("|---|---|---|---|---|")
    tot = [0, 0, 0, 0]
    for name, s in stats.items():
        print(f"| {name} | {s[0]} | {s[1]} | {s[2]} | {s[3]} |")
        tot = [x + y for x, y in zip(tot, s)]
    print(f"| all | {tot[0]} | {tot[1]} | {tot[2]} | {tot[3]} |")
    neutral = sorted(n for n in cache if n.endswith("_neutral.jpg"))
    if neutral:
        plain = covered = 0
        for n in neutral:
            a, s = cache[n], cache[n.replace("_neutral", "_smiling")]
            plain += bool(lip_shape_changes(a, s))
            sc = analyze_photo(sunglasses(s.photo.rgb, s.points, 0.30, "dark"), name="smiling-covered.png")
            hit = sc.ok and bool(lip_shape_changes(a, sc))
            covered += hit
            print(f"  london {n[7:10]}: uncovered {lip_shape_changes(a, s)}; smiling covered (dark 0.30): "
                  f"{lip_shape_changes(a, sc) if sc.ok else sc.status}")
        print(f"London neutral -> smiling, 'expression differs' from the lips: {plain} of {len(neutral)} uncovered, "
              f"{covered} of {len(neutral)} with the smiling photo behind dark glasses (0.30)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
