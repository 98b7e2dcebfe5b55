"""Mirror images against real pairs: the comparability gate's mirror check
(:func:`facemetrics.compare.gate.looks_mirrored`; ``docs/compare.md``, 'Comparability gate', Mirror images).

    python bench/bench_mirrored.py                    # needs ../shared/faces
    python bench/bench_mirrored.py --csv /tmp/mir.csv # and every pair's row
    python bench/bench_mirrored.py --groups london,grid --csv /tmp/a.csv   # a part (groups: london, people,
    python bench/bench_mirrored.py --groups canada,debruine --csv /tmp/b.csv  # canada, debruine, grid)
    python bench/bench_mirrored.py --report /tmp/a.csv /tmp/b.csv         # the report of saved rows

Every pair gets both upper-face residuals (robust RMS after alignment and the head-pose correction, mm):
as taken (the one ``DIFFERENT_PEOPLE_RESIDUAL_MM`` reads) and with the after photo flipped left to right
(:func:`facemetrics.compare.gate.mirrored_residual_mm`), and the gate's verdict (``mirrored``) with the
limits of the code; and what the gate says before any flow (``early``: ``ok``, ``pose`` when the
single-photo pose estimates refuse the pair, ``mirrored`` when it names such a pair a mirror image since
2026-12-04, :func:`facemetrics.compare.gate.pose_mirror_messages`).  A pair refused before the flow is
called mirrored only when the early gate says so (the flow's check is then never reached).

Mirror images (should be caught): a photo against its own mirror image ("plain"), and against the mirror
image of a re-render of it with the head turned 5 deg either way, the chin raised 3 deg, or the camera
moved from 45 to 35 cm (``facemetrics.simulate.head_pose`` / ``camera_distance``): faces are nearly
symmetric, so a mirror image alone could match like the same face turned the other way; GRID frames
against the mirror image of another frame of the clip (the speaker talks between them); the debruine
photos against the mirror image of themselves and of the others of their group.
Different people (never to be called mirrored either): every pair of the 12 London neutral faces.
Real pairs (must never be called mirrored): the same re-renders unflipped, the London neutral against
smiling photo of each person (both ways), frames of a GRID clip (0, 1, 5, 30 and the last, every
ordered pair: 40 ms to 3 s apart), the debruine pose selfies and camera distances of one adult (every
ordered pair within each group).

Tuning split (the limits were chosen on it): the 12 London faces and the first six GRID clips (sorted
by name).  Reported apart: the 40 Canada faces, the debruine photos and the other five GRID clips.
GRID frames (360 x 288) are enlarged x2 (bicubic) before they are analysed, as in bench_near_copies.py.
"""

from __future__ import annotations

import argparse
import importlib
import itertools
import sys
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from facemetrics import analyze_photo  # noqa: E402
from facemetrics import simulate as sim  # noqa: E402
from facemetrics.compare.measure import _measure  # noqa: E402

from bench_near_copies import grid_frames  # noqa: E402  (the GRID clips' frames, enlarged 2x, as that bench reads them)

gt = importlib.import_module("facemetrics.compare.gate")  # the package exports its function gate under that name

FACES = HERE.parent.parent / "shared" / "faces"
N_TUNE_CLIPS = 6
GRID_FRAMES = (0, 1, 5, 30, -1)
#: the re-renders: name -> function of an analysis
RENDERS = {"yaw+5": lambda a: sim.head_pose(a, yaw_deg=5.0), "yaw-5": lambda a: sim.head_pose(a, yaw_deg=-5.0),
           "pitch+3": lambda a: sim.head_pose(a, pitch_deg=3.0),
           "cam45->35": lambda a: sim.camera_distance(a, to_mm=350.0)}


def _analysed(rgb: np.ndarray, name: str):
    a = analyze_photo(np.ascontiguousarray(rgb), name=name)
    return a if a.ok else None


def _flip(rgb: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(rgb[:, ::-1])


def _row(split: str, group: str, kind: str, var: str, x, y) -> dict | None:
    if x is None or y is None:
        return None
    r = float(_measure(x, y).alignment.residual_mm)
    rm = gt.mirrored_residual_mm(x, y)
    status, msgs = gt.gate(x, y)  # before any flow: the pose refusal, or a mirror image named there
    early = "ok" if status != "refused" else "mirrored" if msgs[0].startswith(gt.MSG_MIRRORED) else "pose"
    return dict(split=split, group=group, kind=kind, var=var, before=x.name, after=y.name, residual_mm=r,
                mirrored_mm=rm, ratio=r / rm if rm > 0 else np.inf, mirrored=gt.looks_mirrored(r, rm), early=early)


def face_rows(group: str, split: str, paths) -> list[dict]:
    """A face against its mirror image and its re-renders, flipped (mirror) and not (real)."""
    rows = []
    for p in paths:
        a = analyze_photo(p)
        if not a.ok:
            continue
        rows.append(_row(split, group, "mirror", "plain", a, _analysed(_flip(a.photo.rgb), p.stem + "_m")))
        for name, render in RENDERS.items():
            img = render(a).image
            rows.append(_row(split, group, "mirror", name, a, _analysed(_flip(img), f"{p.stem}_{name}_m")))
            rows.append(_row(split, group, "real", name, a, _analysed(img, f"{p.stem}_{name}")))
    return rows


def london_rows() -> list[dict]:
    paths = sorted((FACES / "london_ccby").glob("*_neutral.jpg"))
    rows = face_rows("london", "tune", paths)
    for p in paths:
        n, s = analyze_photo(p), analyze_photo(p.with_name(p.name.replace("_neutral", "_smiling")))
        if n.ok and s.ok:
            rows += [_row("tune", "london", "real", "neutral->smiling", n, s),
                     _row("tune", "london", "real", "smiling->neutral", s, n)]
    return rows


def people_rows() -> list[dict]:
    """Different people (must never be called mirrored either): every pair of the 12 London neutral faces."""
    photos = [analyze_photo(p) for p in sorted((FACES / "london_ccby").glob("*_neutral.jpg"))]
    return [_row("tune", "london", "people", "different people", x, y)
            for x, y in itertools.combinations([x for x in photos if x.ok], 2)]


def debruine_rows() -> list[dict]:
    rows = []
    for group in ("camera_distance", "pose_variation"):
        photos = [analyze_photo(p) for p in sorted((FACES / "debruine_cc0").glob(f"debruine_{group}_*.jpg"))]
        photos = [x for x in photos if x.ok]
        flipped = {x.name: _analysed(_flip(x.photo.rgb), x.name + "_m") for x in photos}
        for x in photos:
            rows.append(_row("report", "debruine", "mirror", f"{group} plain", x, flipped[x.name]))
        for x, y in itertools.permutations(photos, 2):
            rows.append(_row("report", "debruine", "real", group, x, y))
            rows.append(_row("report", "debruine", "mirror", group, x, flipped[y.name]))
    return rows


def grid_rows() -> list[dict]:
    rows = []
    for i, clip in enumerate(sorted((FACES / "grid_video_ccby").glob("*.mpg"))):
        split = "tune" if i < N_TUNE_CLIPS else "report"
        frames = grid_frames(clip)
        ks = sorted({k % len(frames) for k in GRID_FRAMES})
        an = {k: _analysed(frames[k], f"{clip.stem}_{k}") for k in ks}
        for j, k in itertools.permutations(ks, 2):
            rows.append(_row(split, "grid", "real", f"frames {j}->{k}", an[j], an[k]))
        for k in (ks[0], ks[-2]):
            flipped = _analysed(_flip(frames[k]), f"{clip.stem}_{k}_m")
            for j in ks:
                rows.append(_row(split, "grid", "mirror", f"frame {j}->{k} flipped", an[j], flipped))
        print(f"{clip.stem}: {len(rows)} rows", flush=True)
    return rows


def report(df: pd.DataFrame) -> None:
    """Both splits, each kind and variant: how many were called mirrored, the residuals and their ratio;
    the verdict is re-read with the code's limits (saved rows may hold an older one)."""
    pd.set_option("display.width", 200)
    df = df.assign(mirrored=[gt.looks_mirrored(r, m) for r, m in zip(df.residual_mm, df.mirrored_mm)])
    if "early" in df:  # refused before the flow: the early gate's verdict (rows saved before 2026-12-04 lack it)
        df = df.assign(mirrored=np.where(df.early != "ok", df.early == "mirrored", df.mirrored))
    print(f"\nlimits: checked above {gt.MAX_ALIGNMENT_RESIDUAL_MM} mm, flipped fit below "
          f"{gt.MIRROR_MAX_FLIPPED_MM} mm and >= {gt.MIRROR_MIN_RATIO} x better")
    for split in ("tune", "report"):
        d = df[df.split == split]
        print(f"\n== {split} ==")
        print(d.groupby(["kind", "group", "var"]).agg(
            n=("mirrored", "size"), called_mirrored=("mirrored", "sum"),
            residual_min=("residual_mm", "min"), residual_max=("residual_mm", "max"),
            mirrored_min=("mirrored_mm", "min"), mirrored_max=("mirrored_mm", "max"),
            ratio_min=("ratio", "min"), ratio_max=("ratio", "max")).round(2).to_string())
        m, r, o = d[d.kind == "mirror"], d[d.kind == "real"], d[d.kind == "people"]
        print(f"mirror images caught: {int(m.mirrored.sum())} of {len(m)} ({int((m.residual_mm <= gt.MAX_ALIGNMENT_RESIDUAL_MM).sum())}"
              f" not checked, at most {gt.MAX_ALIGNMENT_RESIDUAL_MM} mm apart as taken; "
              f"{int((m.mirrored_mm >= gt.MIRROR_MAX_FLIPPED_MM).sum())} whose flipped fit is "
              f"{gt.MIRROR_MAX_FLIPPED_MM} mm or more); real pairs called mirrored: {int(r.mirrored.sum())} "
              f"of {len(r)}; different people called mirrored: {int(o.mirrored.sum())} of {len(o)}")
        print(f"  real pairs: smallest mirrored-fit residual {r.mirrored_mm.min():.3f} mm, largest ratio "
              f"{r.ratio.max():.2f}; mirror images: largest mirrored-fit residual {m.mirrored_mm.max():.3f} mm, "
              f"smallest ratio {m.ratio.min():.2f}")
        if "early" in d:
            print("  refused before any flow on the pose estimates (early = pose / mirrored): "
                  + ", ".join(f"{k} {int((g.early == 'pose').sum())} / {int((g.early == 'mirrored').sum())} of {len(g)}"
                              for k, g in d.groupby("kind")))
        missed = m[~m.mirrored]
        if len(missed):
            print("  missed:\n" + missed[["group", "var", "before", "after", "residual_mm", "mirrored_mm"]]
                  .round(3).to_string(index=False))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--csv", help="write every pair's row here")
    ap.add_argument("--groups", default="london,people,canada,debruine,grid", help="the groups of pairs to measure")
    ap.add_argument("--report", nargs="+", metavar="CSV", help="report the rows of these --csv files instead")
    args = ap.parse_args()
    if args.report:
        report(pd.concat([pd.read_csv(f) for f in args.report], ignore_index=True))
        return
    if not FACES.is_dir():
        sys.exit(f"{FACES} is absent")
    make = {"london": london_rows, "debruine": debruine_rows, "grid": grid_rows, "people": people_rows,
            "canada": lambda: face_rows("canada", "report", sorted((FACES / "canada_ccby").glob("*.jpg")))}
    rows = []
    for group in args.groups.split(","):
        rows += make[group]()
        print(f"{group}: {len(rows)} rows", flush=True)
    df = pd.DataFrame([r for r in rows if r])
    if args.csv:
        df.to_csv(args.csv, index=False)
    report(df)


if __name__ == "__main__":
    main()
