"""Can the upper-face residual tell two people apart, and does the face's size in iris units add to it?
Every pair of the 52 annotated neutral faces in ``../shared/faces`` (40 Canada, 12 London: 1326 pairs of
different people) and the pairs of one person (the debruine set's poses and camera distances, 56 ordered
pairs; the 12 London neutral -> smiling pairs), each through :func:`facemetrics.compare_photos`; writes one
row per pair (``docs/data/identity_pairs.csv`` with ``--write``) and prints the distributions against the
gate's limits (``gate.DIFFERENT_PEOPLE_RESIDUAL_MM``, refusal; ``gate.DIFFERENT_PEOPLE_POSSIBLE_MM``, the
'may also be two different people' clause).  Every frame of the 11 GRID clips (one person each, enlarged
x2 as in bench_near_copies.py) is analysed too, one row per frame (``docs/data/identity_grid_frames.csv``):
their pairs are the face-size cue's same-person pairs of one clip.  docs/compare.md, 'Comparability gate'
(Identity).

The face-size cue, as written on 2026-12-04 BEFORE any face size was measured (the rule; the figures
below it only fill its limit in):

- Quantity: each photo's inter-pupillary distance in iris units, ``Calibration.ipd_mm``: the distance of
  the pupil centres (Face Mesh 468, 473; px) / the two-eye mean horizontal iris chord (px) x 11.71 x 1.046
  mm (``geometry.calibrate``).  Both are horizontal distances in the iris plane: foreshortened by the same
  cos(yaw) (compare's yaw correction of the iris, applied to both, cancels exactly), not by pitch, not
  turned by roll (Euclidean distances), and magnified alike at any camera distance (the same depth).
  The pair's cue: D = |s_after - s_before| / ((s_after + s_before) / 2), %.  Known risk: gaze: eyes that
  converge on a close lens turn the pupils in (about 2 mm each at 15 cm, 0.5 mm at 60 cm), a few % of IPD.
- Scope: both photos calibrated from the iris (``source == "iris"``) with an iris visible in each (not
  ``gate.irises_hidden``); a scale or IPD the user gave measures no face.
- Secondary, reported and NOT used for the decision: the outer eye-corner span (Face Mesh 33, 263) in the
  same iris units (rigid, no gaze; but 1-1.5 cm behind the iris plane, so perspective changes it), and the
  size from the alignment's similarity scale (``mm_per_px_after / (mm_per_px_before x scale)``: the whole
  rigid upper face, at several depths, isotropic against a horizontal chord).
- Tuning set: same person: the 56 ordered debruine pairs, the 12 London neutral -> smiling pairs, every
  pair of frames of the first GRID clip by name (grid_bbaf2n); different people: the 66 London neutral pairs.
- Held-out set: the 780 Canada pairs (different people) and every pair of frames of each of the other ten
  GRID clips (same person).  The 480 Canada x London pairs are reported apart.
- Limit: L = 1.25 x the largest same-person D in the tuning set, rounded up to 0.5 %, so no tuning pair
  of one person is beyond it.
- Use: a pair not refused otherwise, with D > L and an upper-face residual at or above
  ``DIFFERENT_PEOPLE_POSSIBLE_MM`` (1.19 mm, below which no pair of different people was seen), is
  refused; D > L with a smaller residual gets a message only (one photo's iris scale is then likelier off
  than the person another).
- Ship criterion: no held-out same-person pair (GRID clips) beyond L; the catch is reported as the
  share of the 112 pairs of different people the residual does not refuse (89 Canada, held out).
  Otherwise only this bench and the figures ship.

Outcome (2026-12-04, HEAD cf0bb8c, one run): the rule failed.  The tuning clip's frames (0.53-0.73 mm/px)
set the limit at 16.0 % (12.58 % x 1.25), one held-out GRID pair of one person read 16.14 %, and none of
the 93 Canada pairs the residual does not refuse is beyond 16 % (3 of 34 Canada x London pairs).  No check
was added to compare; the figures are in docs/compare.md, 'Comparability gate' (Identity, 'Face size in
iris units').  At HEAD the residual leaves 129 pairs of different people unrefused (93 Canada), not the
112 (89 Canada) of the table of 2026-12-03 the rule quotes: the residuals moved with f368598.  This run's
rows are the stored tables (``docs/data/identity_pairs.csv``, ``identity_grid_frames.csv``; 2026-12-04),
and ``DIFFERENT_PEOPLE_POSSIBLE_MM`` follows them: 1.07 mm, the smallest residual between people (1.078 mm,
Canada 095m x 152m) rounded down.  The rule's residual condition read it at 1.19 mm, its value then; a
re-run prints its columns at 1.07 mm.

    python bench/bench_identity.py [--write]      # about 14 min on one core
    python bench/bench_identity.py --from-csv     # the stored rows, summarised
"""

from __future__ import annotations

import argparse
import itertools
import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
FACES = ROOT.parent / "shared" / "faces"
OUT = ROOT / "docs" / "data" / "identity_pairs.csv"
OUT_GRID = ROOT / "docs" / "data" / "identity_grid_frames.csv"
#: the rule's margin on the largest same-person difference of the tuning set, and the rounding step, %
MARGIN, STEP_PCT = 1.25, 0.5
#: GRID clips (sorted by name) in the tuning set
N_TUNE_CLIPS = 1
#: outer eye corners (Face Mesh), the secondary span
CANTHI = (33, 263)


def pairs() -> list[tuple[Path, Path, str]]:
    """``(before, after, kind)``: kind ``different_CC/CL/LL`` (Canada, London), ``same_smile`` or
    ``same_debruine``."""
    canada = sorted((FACES / "canada_ccby").glob("*.jpg"))
    london = sorted((FACES / "london_ccby").glob("*neutral.jpg"))
    out = []
    for a, b in itertools.combinations(canada + london, 2):
        kind = "".join(sorted("C" if p in canada else "L" for p in (a, b)))
        out.append((a, b, f"different_{kind}"))
    out += [(p, p.with_name(p.name.replace("neutral", "smiling")), "same_smile") for p in london]
    out += [(a, b, "same_debruine") for a, b in itertools.permutations(sorted((FACES / "debruine_cc0").glob("*.jpg")), 2)]
    return out


#: the split of each kind of pair for the face-size rule (docstring)
SPLIT = {"different_LL": "tune", "same_smile": "tune", "same_debruine": "tune", "different_CC": "held",
         "different_CL": "mixed"}


def sizes(x) -> dict:
    """The photo's face sizes in iris units, mm (the rule's IPD, the secondary eye-corner span) and
    whether the rule reads it (iris scale, an iris visible)."""
    from facemetrics.compare.gate import irises_hidden

    if x is None or not x.ok or x.calibration is None:
        return dict(ipd_mm=np.nan, canthi_mm=np.nan, in_scope=False)
    cal = x.calibration
    p = np.asarray(x.points, float)[:, :2]
    span_px = float(np.linalg.norm(p[CANTHI[0]] - p[CANTHI[1]]))
    return dict(ipd_mm=cal.ipd_mm, canthi_mm=span_px * cal.ipd_mm / cal.ipd_px,
                in_scope=bool(cal.source == "iris" and not irises_hidden(x)))


def rel_pct(a, b):
    """|b - a| / mean(a, b), % (NaN where either is)."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    return 100.0 * np.abs(b - a) / (0.5 * (a + b))


def measure() -> pd.DataFrame:
    import facemetrics as fm

    todo = pairs()
    analyses = {p: fm.analyze_photo(p) for p in sorted({q for a, b, _ in todo for q in (a, b)})}
    rows = []
    for a, b, kind in todo:
        x, y = analyses[a], analyses[b]
        c = fm.compare_photos(x, y)
        r = c.alignment.residual_mm if c.alignment is not None else float("nan")
        sa, sb = sizes(x), sizes(y)
        align = (y.calibration.mm_per_px / (x.calibration.mm_per_px * c.alignment.scale)
                 if c.alignment is not None else float("nan"))
        rows.append(dict(before=a.stem, after=b.stem, kind=kind, residual_mm=round(float(r), 4), status=c.status,
                         split=SPLIT[kind], in_scope=sa["in_scope"] and sb["in_scope"],
                         ipd_before_mm=round(sa["ipd_mm"], 3), ipd_after_mm=round(sb["ipd_mm"], 3),
                         canthi_before_mm=round(sa["canthi_mm"], 3), canthi_after_mm=round(sb["canthi_mm"], 3),
                         align_size_ratio=round(float(align), 5),
                         camera_change_pct=round(float(c.cues.get("camera_distance_change_pct", np.nan)), 1)
                         if c.cues else np.nan))
    return pd.DataFrame(rows)


def measure_grid() -> pd.DataFrame:
    """One row per frame of every GRID clip (enlarged x2): its face sizes (:func:`sizes`)."""
    import facemetrics as fm
    from bench_near_copies import grid_frames

    rows = []
    for i, clip in enumerate(sorted((FACES / "grid_video_ccby").glob("*.mpg"))):
        for k, rgb in enumerate(grid_frames(clip)):
            x = fm.analyze_photo(np.ascontiguousarray(rgb), name=f"{clip.stem}_{k}")
            s = sizes(x)
            rows.append(dict(clip=clip.stem, frame=k, split="tune" if i < N_TUNE_CLIPS else "held", status=x.status,
                             mm_per_px=round(x.mm_per_px, 4), ipd_mm=round(s["ipd_mm"], 3),
                             canthi_mm=round(s["canthi_mm"], 3), in_scope=s["in_scope"]))
        print(f"{clip.stem}: {k + 1} frames", flush=True)
    return pd.DataFrame(rows)


def grid_pairs(frames: pd.DataFrame) -> pd.DataFrame:
    """Every unordered pair of frames of one clip (both in scope): ``clip, split, d_ipd_pct, d_canthi_pct``."""
    out = []
    for (clip, split), g in frames[frames["in_scope"].astype(bool)].groupby(["clip", "split"]):
        i, j = np.triu_indices(len(g), 1)
        ipd, canthi = g["ipd_mm"].to_numpy(float), g["canthi_mm"].to_numpy(float)
        out.append(pd.DataFrame({"clip": clip, "split": split, "d_ipd_pct": rel_pct(ipd[i], ipd[j]),
                                 "d_canthi_pct": rel_pct(canthi[i], canthi[j])}))
    return pd.concat(out, ignore_index=True)


def summary(df: pd.DataFrame) -> None:
    from facemetrics.compare.gate import DIFFERENT_PEOPLE_POSSIBLE_MM, DIFFERENT_PEOPLE_RESIDUAL_MM

    print(f"| pairs | n | residual mm min / 5 % / median / max | refused | residual <= {DIFFERENT_PEOPLE_RESIDUAL_MM} "
          f"| >= {DIFFERENT_PEOPLE_POSSIBLE_MM} and not refused |")
    print("|---|---|---|---|---|---|")
    for kind, g in df.groupby("kind"):
        x = g["residual_mm"].to_numpy(float)
        q = np.nanpercentile(x, [0, 5, 50, 100])
        print(f"| {kind} | {len(g)} | {' / '.join(f'{v:.2f}' for v in q)} | {int((g['status'] == 'refused').sum())} | "
              f"{int(np.sum(x <= DIFFERENT_PEOPLE_RESIDUAL_MM))} | "
              f"{int(np.sum((x >= DIFFERENT_PEOPLE_POSSIBLE_MM) & (g['status'] != 'refused').to_numpy()))} |")
    diff = df[df["kind"].str.startswith("different")]
    print(f"smallest residual between different people: {np.nanmin(diff['residual_mm']):.4f} mm "
          f"(the clause starts at {DIFFERENT_PEOPLE_POSSIBLE_MM} mm)")


def _cues(df: pd.DataFrame) -> pd.DataFrame:
    """The pairs with their face-size differences, %: the rule's (``d_ipd_pct``) and the secondary ones."""
    df = df.copy()
    df["d_ipd_pct"] = rel_pct(df["ipd_before_mm"], df["ipd_after_mm"])
    df["d_canthi_pct"] = rel_pct(df["canthi_before_mm"], df["canthi_after_mm"])
    df["d_align_pct"] = 100.0 * np.abs(np.log(df["align_size_ratio"].to_numpy(float)))
    df.loc[~df["in_scope"].astype(bool), ["d_ipd_pct", "d_canthi_pct", "d_align_pct"]] = np.nan
    return df


def _limit(same_tune: np.ndarray) -> float:
    """The rule's limit: :data:`MARGIN` x the largest tuning difference, rounded up to :data:`STEP_PCT`."""
    return float(np.ceil(MARGIN * np.nanmax(same_tune) / STEP_PCT) * STEP_PCT)


def _dist(x: np.ndarray) -> str:
    x = x[np.isfinite(x)]
    if not len(x):
        return "- | - | - | -"
    return f"{np.median(x):.2f} | {np.percentile(x, 99):.2f} | {x.max():.2f} | {x.min():.2f}"


def _without_grid(df: pd.DataFrame, cue: str) -> None:
    """Not the rule (a look after it failed): the limit from the studio and selfie pairs of one person
    alone (debruine, London smiles), and what it would catch among the pairs of different people the
    residual does not refuse.  No held-out pair of one person at that resolution exists to check it on."""
    same = df["kind"].str.startswith("same")
    lim = _limit(df.loc[same, cue].to_numpy(float))
    left = df[~same & (df["status"] != "refused") & df["residual_mm"].notna()]
    caught = ", ".join(f"{k} {int((g[cue] > lim).sum())} of {int(g[cue].notna().sum())}"
                       for k, g in left.groupby("kind"))
    print(f"not the rule: without the GRID frames the limit would be {lim:.1f} % ({MARGIN} x "
          f"{np.nanmax(df.loc[same, cue]):.2f} %), catching of the pairs not refused: {caught}")


def size_summary(df: pd.DataFrame, grid: pd.DataFrame) -> None:
    """The face-size cue against the rule (module docstring): the limit from the tuning set, then every
    group's distribution and what the limit would refuse or catch; the same for the secondary cues."""
    from facemetrics.compare.gate import DIFFERENT_PEOPLE_POSSIBLE_MM

    df, gp = _cues(df), grid_pairs(grid)
    print(f"\nGRID frames: {len(grid)} ({int((grid['status'] == 'ok').sum())} measured, "
          f"{int(grid['in_scope'].sum())} in scope), mm/px {grid['mm_per_px'].min():.2f}-{grid['mm_per_px'].max():.2f}")
    for cue in ("d_ipd_pct", "d_canthi_pct", "d_align_pct"):
        same = df["kind"].str.startswith("same")
        tune = np.concatenate([df.loc[same & (df["split"] == "tune"), cue].to_numpy(float),
                               gp.loc[gp["split"] == "tune", cue].to_numpy(float) if cue in gp else []])
        lim = _limit(tune)
        print(f"\n{cue}{' (the rule)' if cue == 'd_ipd_pct' else ' (secondary, not used)'}: largest same-person "
              f"difference in tuning {np.nanmax(tune):.2f} % -> limit {MARGIN} x that = {lim:.1f} %")
        print("| pairs | split | n | median | p99 | max | min | beyond the limit | not refused by the residual "
              "| of those beyond the limit "
              f"| of those, residual >= {DIFFERENT_PEOPLE_POSSIBLE_MM} mm |")
        print("|---|---|---|---|---|---|---|---|---|---|---|")
        for (kind, split), g in df.groupby(["kind", "split"]):
            x = g[cue].to_numpy(float)
            left = g[(g["status"] != "refused") & g["residual_mm"].notna()]
            y = left[cue].to_numpy(float)
            caught = np.sum(y > lim)
            strong = np.sum((y > lim) & (left["residual_mm"].to_numpy(float) >= DIFFERENT_PEOPLE_POSSIBLE_MM))
            print(f"| {kind} | {split} | {np.isfinite(x).sum()} | {_dist(x)} | {int(np.sum(x > lim))} | "
                  f"{len(left)} | {int(caught)} | {int(strong)} |")
        if cue in gp:
            for split, g in gp.groupby("split"):
                x = g[cue].to_numpy(float)
                print(f"| same_grid ({g['clip'].nunique()} clips) | {split} | {len(x)} | {_dist(x)} | "
                      f"{int(np.sum(x > lim))} | - | - | - |")
            worst = gp.groupby("clip")[cue].max()
            print("largest per GRID clip: " + ", ".join(f"{c} {v:.2f}" for c, v in worst.items()))
        _without_grid(df, cue)
    cam = df[(df["kind"] == "same_debruine") & df["before"].str.contains("distance")
             & df["after"].str.contains("distance")]
    print("\ndebruine camera-distance photos (15-60 cm), face sizes in iris units, mm:")
    for name, g in cam.groupby("before"):
        r = g.iloc[0]
        print(f"  {name}: IPD {r['ipd_before_mm']:.2f}, outer eye corners {r['canthi_before_mm']:.2f}")
    print("  pairs (before -> after: IPD / eye-corner / alignment difference %, camera change %):")
    for _, r in cam.iterrows():
        print(f"  {r['before'][-4:]} -> {r['after'][-4:]}: {r['d_ipd_pct']:.2f} / {r['d_canthi_pct']:.2f} / "
              f"{r['d_align_pct']:.2f}, camera {r['camera_change_pct']:+.0f} %")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--write", action="store_true",
                   help=f"write {OUT.relative_to(ROOT)} and {OUT_GRID.relative_to(ROOT)}")
    p.add_argument("--from-csv", action="store_true", help="summarise the stored CSVs instead of measuring")
    args = p.parse_args()
    if args.from_csv:
        df = pd.read_csv(OUT)
        grid = pd.read_csv(OUT_GRID) if OUT_GRID.is_file() else None
    else:
        if not FACES.is_dir():
            raise SystemExit(f"needs {FACES}")
        df, grid = measure(), measure_grid()
    if args.write and not args.from_csv:
        OUT.parent.mkdir(parents=True, exist_ok=True)
        df.to_csv(OUT, index=False)
        grid.to_csv(OUT_GRID, index=False)
    summary(df)
    if grid is None or "ipd_before_mm" not in df:
        raise SystemExit(f"\n{OUT.relative_to(ROOT)} predates the face-size columns (or "
                         f"{OUT_GRID.relative_to(ROOT)} is missing): measure them with --write")
    size_summary(df, grid)


if __name__ == "__main__":
    main()
