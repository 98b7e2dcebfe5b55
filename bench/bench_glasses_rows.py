"""Which comparison rows dark glasses still move, and what making them ``uncertain`` costs.

Stop 36 (``bench/bench_expression_eyes.py``) made the expression check read the lips alone when no iris
is visible.  The bundled sample with dark glasses drawn over both photos still read fold and pose rows
beyond their floors (``nlf_depth`` left -0.91 'shallower' at 0.30 x IPD, +3.98 'deeper' at 0.38; head
pitch / yaw and camera distance at 0.38).  Scratch checks (2026-12-04, oracle masks of the painted
glasses): leaving the glasses out of the rigid upper-face mask (registration and 3-D pose fit) removed
the pose rows and the 0.30 fold row; leaving them out of the tone matching changed nothing; the 0.38
fold row stayed (+4.08): Face Mesh moves its whole mesh when the eyes are covered (the covered sample's
own fold line and depth moved, 16.25 -> 14.63), and the fold line is found and scored with it.

Pairs per face (Face Mesh re-run on every edited photo):

- ``nuisance``: the photo against a copy rolled 1 deg, scaled 0.97 about the face centre and 5 % brighter
  (the bundled sample's nuisances; truth: no change but the roll);
- ``lift``: ... against the same nuisances after ``simulate.lift(2 mm)`` (truth: jawline / jowl / mouth
  corners lifted);
- ``deepen``: ... after ``simulate.deepen_fold(0.25, both)`` (truth: both folds deeper);

each under the conditions ``clean``, ``both`` (glasses over both photos) and ``after`` (over the after
photo only), glasses ``dark 0.30`` and ``reflective 0.38`` (``bench_eyes.sunglasses``).

**Rule, written before the tuning run.**  Candidates, each applied when no iris is visible in either
photo (``gate.eyes_covered``): R0 the shipped comparison; R1 the pose rows (head pitch, yaw, camera
distance) ``uncertain``; R2 R1 and the fold rows (``nlf_depth``, ``nlf_contrast_pct``, ``nlf_length_mm``);
R3 R2 and the landmark rows (``*_landmarks_mm``, jaw / mouth-corner / cheek metrics).  False verdicts:
rows of a ``nuisance`` pair beyond their floor (every row but ``head_roll_change_deg``, whose truth is
the 1 deg roll).  Chosen: the first of R0-R3 whose false verdicts on the covered tuning pairs (``both``
and ``after``) per pair are at most those of the clean tuning pairs; none -> R3.  Reported with what
each costs: lift pairs whose dense-flow lift rows (9) read 'lift', deepen pairs whose ``nlf_depth`` rows
(2) read 'deeper'.  Tuning: London 12 neutral + the Canada tuning split (``accuracy.canada_split``);
held out, run once: the Canada held-out split and the 8 DeBruine photos.

**Result** (2026-12-04, run on the code before the rule shipped, so R0 is the comparison without it): no
candidate met the criterion on the tuning faces (R3 left 1 false row in 'both dark 0.30' and 1 in 'after
reflective 0.38', both ``jowl_lift_mm``, a dense-flow row), so R3 was taken by the rule's fallback and
shipped (``gate.eyes_covered_rows``).  Since then a comparison with no iris visible reads R3's rows
``uncertain`` itself, and this bench's R0 column equals R3.  Figures: docs/robustness.md 'Dark glasses: the
rows they move'.

    python bench/bench_glasses_rows.py --measure tuning /tmp/glasses_tuning.csv
    python bench/bench_glasses_rows.py --measure heldout /tmp/glasses_heldout.csv
    python bench/bench_glasses_rows.py --table /tmp/glasses_tuning.csv [/tmp/glasses_heldout.csv]
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

os.environ.setdefault("GLOG_minloglevel", "2")

import pandas as pd  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from accuracy import CANADA, LONDON, SHARED_FACES, canada_split  # noqa: E402
from bench_eyes import sunglasses  # noqa: E402

from facemetrics import analyze_photo, compare_photos  # noqa: E402
from facemetrics import simulate as sim  # noqa: E402
from facemetrics.compare.gate import eyes_covered  # noqa: E402

COVERS = (("dark 0.30", 0.30, "dark"), ("reflective 0.38", 0.38, "reflective"))
POSE = ("head_pitch_change_deg", "head_yaw_change_deg", "camera_distance_change_pct")
FOLD = ("nlf_depth", "nlf_contrast_pct", "nlf_length_mm")
LANDMARK = ("jawline_height_mm", "jaw_width_mm", "lower_face_area_mm2", "jowl_sag_mm", "jaw_angle_deg",
            "mouth_corner_height_mm", "cheek_height_mm")
RULES = {"R0": (), "R1": POSE, "R2": POSE + FOLD}
LIFT_ROWS = ("jawline_lift_mm", "jowl_lift_mm", "mouth_corner_lift_mm")


def rule_rows(rule: str, metric: str) -> bool:
    """Does ``rule`` make ``metric`` ``uncertain`` when the eyes are covered?"""
    if rule == "R3":
        return metric in POSE + FOLD + LANDMARK or metric.endswith("_landmarks_mm")
    return metric in RULES[rule]


def faces(which: str) -> list[Path]:
    canada = sorted(CANADA.glob("*.jpg"))
    tune, held = canada_split(canada)
    if which == "tuning":
        return sorted(LONDON.glob("*_neutral.jpg")) + tune
    return held + sorted((SHARED_FACES / "debruine_cc0").glob("*.jpg"))


def nuisances(rgb):
    return sim.brightness(sim.rescale(sim.roll(rgb, 1.0).image, 0.97).image, 1.05).image


def measure(which: str, out: Path) -> None:
    rows = []
    for p in faces(which):
        a = analyze_photo(p)
        if not a.ok:
            print(f"{p.name}: {a.status}", flush=True)
            continue
        afters = {"nuisance": nuisances(a.photo.rgb), "lift": nuisances(sim.lift(a, 2.0).image),
                  "deepen": nuisances(sim.deepen_fold(a, 0.25, "both").image)}
        for kind, rgb in afters.items():
            b = analyze_photo(rgb, name=f"{p.stem}-{kind}.png")
            if not b.ok:
                continue
            pairs = [("clean", "-", a, b)]
            for cover, k, tint in COVERS:
                ac = analyze_photo(sunglasses(a.photo.rgb, a.points, k, tint), name=f"{p.stem}-glasses.png")
                bc = analyze_photo(sunglasses(b.photo.rgb, b.points, k, tint), name=f"{p.stem}-{kind}-glasses.png")
                if ac.ok and bc.ok:
                    pairs += [("both", cover, ac, bc), ("after", cover, a, bc)]
            for cond, cover, x, y in pairs:
                c = compare_photos(x, y)
                covered = eyes_covered(x) or eyes_covered(y)
                for r in c.changes:
                    rows.append(dict(face=p.name, kind=kind, cond=cond, cover=cover, covered=covered,
                                     status=c.status, metric=r.metric, side=r.side, change=r.change,
                                     floor=r.noise_floor, verdict=r.verdict))
        print(f"{p.name} done", flush=True)
        pd.DataFrame(rows).to_csv(out, index=False)


def verdicts(df: pd.DataFrame, rule: str) -> pd.Series:
    """Each row's verdict under ``rule`` (its rows ``uncertain`` where the eyes are covered)."""
    hit = df.covered & df.metric.map(lambda m: rule_rows(rule, m))
    return df.verdict.where(~hit, "uncertain")


def table(csv: Path) -> None:
    df = pd.read_csv(csv)
    print(f"\n{csv}: {df.face.nunique()} faces")
    print("| rule | condition | nuisance pairs | false rows (pairs with one) | lift pairs: dense lift rows read | "
          "deepen pairs: nlf_depth rows read 'deeper' |")
    print("|---|---|---|---|---|---|")
    for rule in ("R0", "R1", "R2", "R3"):
        d = df.assign(v=verdicts(df, rule))
        for (cond, cover), g in d.groupby(["cond", "cover"], sort=False):
            nz = g[(g.kind == "nuisance") & (g.metric != "head_roll_change_deg")]
            bad = nz[~nz.v.isin(["within_noise", "uncertain"])]
            n = nz.face.nunique()
            li = g[(g.kind == "lift") & g.metric.isin(LIFT_ROWS)]
            de = g[(g.kind == "deepen") & (g.metric == "nlf_depth")]
            print(f"| {rule} | {cond} {cover} | {n} | {len(bad)} ({bad.face.nunique()}) | "
                  f"{(li.v == 'lift').sum()} / {len(li)} | {(de.v == 'deeper').sum()} / {len(de)} |")
        if rule == "R0":
            d2 = d[(d.kind == "nuisance") & (d.metric != "head_roll_change_deg") & ~d.v.isin(["within_noise", "uncertain"])]
            print("\nR0 false rows by metric and condition:")
            print(d2.groupby(["cond", "metric"]).size().to_string())
            print()


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--measure", nargs=2, metavar=("SET", "CSV"))
    ap.add_argument("--table", nargs="+", metavar="CSV")
    args = ap.parse_args()
    if args.measure:
        measure(args.measure[0], Path(args.measure[1]))
    for csv in args.table or ():
        table(Path(csv))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
