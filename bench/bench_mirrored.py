"""Mirror images against real pairs: the comparability gate's mirror check
(:func:`facemetrics.compare.gate.looks_mirrored`; ``docs/compare.md``, 'Comparability gate', Mirror images).

    python bench/bench_mirrored.py                    # needs ../shared/faces
    python bench/bench_mirrored.py --csv /tmp/mir.csv # and every pair's row
    python bench/bench_mirrored.py --groups london,grid --csv /tmp/a.csv   # a part (groups: london, people,
    python bench/bench_mirrored.py --groups canada,debruine --csv /tmp/b.csv  # canada, debruine, grid)
    python bench/bench_mirrored.py --report /tmp/a.csv /tmp/b.csv         # the report of saved rows
    python bench/bench_mirrored.py --groups london,people,canada_tune,people_canada_tune,debruine,grid_tune \
        --csv /tmp/tune.csv --both-orders                # stop 43: the four fits of every row (tuning)
    python bench/bench_mirrored.py --grid /tmp/tune.csv  # the candidate limits of both orders on saved rows
    python bench/bench_mirrored.py --groups canada_held,people_canada_held,grid_held --csv /tmp/held.csv \
        --both-orders                                    # ... held out, once (docs/robustness.md 'The mirror
    python bench/bench_mirrored.py --grid /tmp/tune.csv /tmp/held.csv --held  # check on both orders')
    python bench/bench_mirrored.py --grid docs/data/mirror_orders_pairs.csv --held  # the rows of 2026-12-05
    python bench/bench_mirrored.py --swap-grid docs/data/mirror_orders_pairs.csv         # h10's rule: both orders
    python bench/bench_mirrored.py --swap-grid docs/data/mirror_orders_pairs.csv --held  # of every pair counted
    python bench/bench_mirrored.py --replay docs/data/mirror_orders_pairs.csv  # stop 44 (h5): the saved fits through
                                                     # gate.mirror_check both ways, each fit also failed in turn

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

Both orders (stop 43, ``--both-orders``): every row also holds the reverse fits ``reverse_mm`` = r(b, a) and
``mirrored_reverse_mm`` = r(b, m(a)), and ``mirror_pose`` (:func:`facemetrics.compare.gate.mirrored_pose_matches`:
whether the early check runs on a pair refused on the pose).  The groups then also split the Canada faces as
``bench/accuracy.py`` ``canada_split`` does (``canada_tune`` / ``canada_held`` and their pairs of different
people, ``people_canada_tune`` / ``people_canada_held``), the DeBruine photos are tuning rows and the GRID clips
come as ``grid_tune`` / ``grid_held``.  ``--grid`` reads the candidate limits of the rule written before the
run (docs/robustness.md 'The mirror check on both orders, its limits re-chosen'): D = the mean of both orders as
taken, F = the mean of both flipped fits, refused when D > 0.6 mm, F < F_max and D >= k x F.
"""

from __future__ import annotations

import argparse
import importlib
import itertools
import re
import sys
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from facemetrics import analyze_photo  # noqa: E402
from facemetrics import simulate as sim  # noqa: E402
from facemetrics.compare.measure import _measure, upper_face_residual  # noqa: E402

from bench_near_copies import grid_frames  # noqa: E402  (the GRID clips' frames, enlarged 2x, as that bench reads them)
from accuracy import canada_split  # noqa: E402  (the Canada tuning / held-out faces, fixed by sorted id)

gt = importlib.import_module("facemetrics.compare.gate")  # the package exports its function gate under that name
idt = importlib.import_module("facemetrics.compare.identity")  # the mirror check and its fits (out of gate.py)

FACES = HERE.parent.parent / "shared" / "faces"
N_TUNE_CLIPS = 6
GRID_FRAMES = (0, 1, 5, 30, -1)
#: --both-orders: the reverse fits of every row too (set by main)
BOTH_ORDERS = [False]
#: the candidates of stop 43's rule: the ratio k and the flipped limit F_max (mm)
GRID_K = (1.10, 1.15, 1.20, 1.25, 1.30, 1.35, 1.40)
GRID_F = (1.00, 1.05, 1.10, 1.15, 1.19, 1.25, 1.30, 1.35)
#: the one order's limits of 2026-12-03 (the rule's reference)
ONE_ORDER_K, ONE_ORDER_F, PRECONDITION_MM = 1.25, 1.19, 0.6
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
    r = float(upper_face_residual(x, y) if BOTH_ORDERS[0] else _measure(x, y).alignment.residual_mm)  # equal
    rm = gt.mirrored_residual_mm(x, y)
    status, msgs = gt.gate(x, y)  # before any flow: the pose refusal, or a mirror image named there
    early = "ok" if status != "refused" else "mirrored" if msgs[0].startswith(gt.MSG_MIRRORED) else "pose"
    row = dict(split=split, group=group, kind=kind, var=var, before=x.name, after=y.name, residual_mm=r,
               mirrored_mm=rm, ratio=r / rm if rm > 0 else np.inf, mirrored=gt.looks_mirrored(r, rm), early=early)
    if BOTH_ORDERS[0]:
        row.update(reverse_mm=gt.reverse_residual_mm(x, y), mirrored_reverse_mm=gt.mirrored_residual_mm(y, x),
                   mirror_pose=gt.mirrored_pose_matches(x, y))
    return row


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


def people_rows(paths=None, group: str = "london", split: str = "tune") -> list[dict]:
    """Different people (must never be called mirrored either): every pair of the 12 London neutral faces
    (or of ``paths``)."""
    paths = sorted((FACES / "london_ccby").glob("*_neutral.jpg")) if paths is None else paths
    photos = [analyze_photo(p) for p in paths]
    return [_row(split, group, "people", "different people", x, y)
            for x, y in itertools.combinations([x for x in photos if x.ok], 2)]


def canada_halves() -> tuple[list[Path], list[Path]]:
    return canada_split(list((FACES / "canada_ccby").glob("*.jpg")))


def one_order(df: pd.DataFrame, k: float = ONE_ORDER_K, f_max: float = ONE_ORDER_F) -> np.ndarray:
    """The one order's verdict on saved rows (r(a, b), r(a, m(b))) at the limits ``k``, ``f_max``; a row
    refused on the pose is called mirrored only where the mirrored pose matches (the early check)."""
    r, m = df.residual_mm.to_numpy(float), df.mirrored_mm.to_numpy(float)
    with np.errstate(invalid="ignore"):
        v = (r > PRECONDITION_MM) & (m < f_max) & (r >= k * m)
    return np.where(df.early.to_numpy() != "ok", df.mirror_pose.to_numpy(bool) & v, v)


def both_orders(df: pd.DataFrame, k: float, f_max: float) -> np.ndarray:
    """Both orders' verdict on saved rows: D = mean(r(a, b), r(b, a)), F = mean(r(a, m(b)), r(b, m(a))) (a
    failed fit, NaN: the other one alone), refused when D > 0.6 mm, F < ``f_max`` and D >= ``k`` x F."""
    d = df[["residual_mm", "reverse_mm"]].to_numpy(float)
    f = df[["mirrored_mm", "mirrored_reverse_mm"]].to_numpy(float)
    with np.errstate(invalid="ignore"):
        dm, fm = np.nanmean(d, axis=1), np.nanmean(f, axis=1)
        v = (dm > PRECONDITION_MM) & (fm < f_max) & (dm >= k * fm)
    return np.where(df.early.to_numpy() != "ok", df.mirror_pose.to_numpy(bool) & v, v)


def _counts(df: pd.DataFrame, v: np.ndarray) -> tuple[int, int, int]:
    kinds = df.kind.to_numpy()
    return tuple(int(v[kinds == k].sum()) for k in ("mirror", "real", "people"))


def grid_report(tune: pd.DataFrame, held: pd.DataFrame | None) -> None:
    """Stop 43's rule on saved rows: every candidate's tuning counts, the choice, and (``held``) the held-out
    counts of the choice and of the one order."""
    n = {k: int((tune.kind == k).sum()) for k in ("mirror", "real", "people")}
    base = _counts(tune, one_order(tune))
    print(f"tuning rows: {n}; one order at ({ONE_ORDER_K}, {ONE_ORDER_F}): mirror images caught {base[0]}, "
          f"real pairs called mirrored {base[1]}, different people {base[2]}")
    print("   k  F_max  caught  real  people  people(one step looser)  meets")
    meets = []
    for i, k in enumerate(GRID_K):
        for j, f in enumerate(GRID_F):
            c = _counts(tune, both_orders(tune, k, f))
            loose = _counts(tune, both_orders(tune, GRID_K[max(i - 1, 0)] - (0.05 if i == 0 else 0),
                                             GRID_F[min(j + 1, len(GRID_F) - 1)] + (0.05 if j == len(GRID_F) - 1 else 0)))
            ok = c[0] >= base[0] and c[1] == 0 and c[2] == 0 and loose[2] == 0
            print(f"{k:5.2f} {f:5.2f} {c[0]:7d} {c[1]:5d} {c[2]:7d} {loose[2]:24d}  {'yes' if ok else '-'}")
            if ok:
                meets.append((-c[0], abs(k - ONE_ORDER_K) / 0.05 + abs(f - ONE_ORDER_F) / 0.05, f, k))
    if not meets:
        print("no candidate meets the rule: the one order stays")
        return
    _, _, f, k = min(meets)
    v, v1 = both_orders(tune, k, f), one_order(tune)
    print(f"chosen: k = {k}, F_max = {f} mm; tuning rows whose verdict differs from the one order's: "
          f"{int((v != v1).sum())} of {len(tune)}")
    for _, r in tune[v != v1].iterrows():
        print(f"  {r.kind} {r.group} {r['var']}: {r.before} -> {r.after}  r {r.residual_mm:.3f} / {r.reverse_mm:.3f}, "
              f"flipped {r.mirrored_mm:.3f} / {r.mirrored_reverse_mm:.3f}, early {r.early}")
    d = np.abs(tune.residual_mm - tune.reverse_mm)
    print(f"  |r(a, b) - r(b, a)| median {np.nanmedian(d):.3f}, max {np.nanmax(d):.3f} mm; "
          f"|r(a, m(b)) - r(b, m(a))| median {np.nanmedian(np.abs(tune.mirrored_mm - tune.mirrored_reverse_mm)):.3f}, "
          f"max {np.nanmax(np.abs(tune.mirrored_mm - tune.mirrored_reverse_mm)):.3f} mm")
    for name, part in (("tuning", tune), ("held out", held)):
        if part is None:
            continue
        nn = {kk: int((part.kind == kk).sum()) for kk in ("mirror", "real", "people")}
        for lab, vv in (("both orders", both_orders(part, k, f)), ("one order", one_order(part))):
            c = _counts(part, vv)
            print(f"{name} {nn}: {lab}: mirror images caught {c[0]}, real pairs called mirrored {c[1]}, "
                  f"different people {c[2]}")
        for g, gp in part.groupby(["group", "kind"]):
            print(f"   {g}: n {len(gp)}, both {int(both_orders(gp, k, f).sum())}, one {int(one_order(gp).sum())}")
        # reported, not part of the rule: each row read with its photos swapped (the bench fits one order of each pair)
        sw = part.rename(columns={"residual_mm": "reverse_mm", "reverse_mm": "residual_mm",
                                  "mirrored_mm": "mirrored_reverse_mm", "mirrored_reverse_mm": "mirrored_mm"})
        d1, d2 = one_order(part) != one_order(sw), both_orders(part, k, f) != both_orders(sw, k, f)
        print(f"  {name}, photos swapped: the verdict changes on {int(d1.sum())} rows with the one order "
              f"({', '.join(f'{kk} {int(d1[part.kind.to_numpy() == kk].sum())}' for kk in ('mirror', 'real', 'people'))}), "
              f"{int(d2.sum())} with both; one order, swapped: "
              f"different people called mirrored {int(one_order(sw)[sw.kind.to_numpy() == 'people'].sum())}, "
              f"mirror images caught {int(one_order(sw)[sw.kind.to_numpy() == 'mirror'].sum())}")


#: stop 43's second rule (h10; docs/robustness.md 'The mirror check's decision the same whichever photo is
#: 'before''): the candidate limits of the mean of both orders, every pair counted in both orders
SWAP_GRID_K = (1.15, 1.20, 1.25, 1.30, 1.35)
SWAP_GRID_F = (1.10, 1.15, 1.19, 1.25)


def swapped(df: pd.DataFrame) -> pd.DataFrame:
    """The saved rows read with each pair's photos swapped: r(a, b) <-> r(b, a) and r(a, m(b)) <-> r(b, m(a))
    (the early pose refusal and :func:`facemetrics.compare.gate.mirrored_pose_matches` are symmetric already)."""
    return df.rename(columns={"residual_mm": "reverse_mm", "reverse_mm": "residual_mm",
                              "mirrored_mm": "mirrored_reverse_mm", "mirrored_reverse_mm": "mirrored_mm"})


def _counts_both_ways(df: pd.DataFrame, decide) -> tuple[int, int, int]:
    """:func:`_counts` of ``decide`` (rows -> verdicts) summed over both orders of every row."""
    a, b = _counts(df, decide(df)), _counts(df, decide(swapped(df)))
    return tuple(x + y for x, y in zip(a, b))


def swap_grid_report(tune: pd.DataFrame, held: pd.DataFrame | None) -> None:
    """Stop 43's second rule (h10) on saved rows: both orders of every pair counted, the one order at
    (:data:`ONE_ORDER_K`, :data:`ONE_ORDER_F`) against each candidate of the mean of both orders; the choice;
    (``held``) the held-out counts of the choice and of the one order, read once."""
    n = {k: 2 * int((tune.kind == k).sum()) for k in ("mirror", "real", "people")}
    base = _counts_both_ways(tune, one_order)
    as_fitted, sw = _counts(tune, one_order(tune)), _counts(tune, one_order(swapped(tune)))
    print(f"tuning readings (both orders of every row): {n}")
    print(f"one order at ({ONE_ORDER_K}, {ONE_ORDER_F}): caught {base[0]} ({as_fitted[0]} as fitted + {sw[0]} swapped), "
          f"real called mirrored {base[1]}, different people {base[2]} ({as_fitted[2]} + {sw[2]})")
    print("   k  F_max  caught  real  people  meets")
    meets = []
    for k in SWAP_GRID_K:
        for f in SWAP_GRID_F:
            c = _counts_both_ways(tune, lambda d: both_orders(d, k, f))
            ok = c[0] >= base[0] and c[1] == 0 and c[2] == 0
            print(f"{k:5.2f} {f:5.2f} {c[0]:7d} {c[1]:5d} {c[2]:7d}  {'yes' if ok else '-'}")
            if ok:
                meets.append((round(abs(k - ONE_ORDER_K) / 0.05 + abs(f - ONE_ORDER_F) / 0.05, 6), -c[0], f, k))
    if not meets:
        print("no candidate meets the rule: nothing ships")
        return
    _, _, f, k = min(meets)
    print(f"chosen: k = {k}, F_max = {f} mm ({len(meets)} of {len(SWAP_GRID_K) * len(SWAP_GRID_F)} meet)")
    for name, part in (("tuning", tune), ("held out", held)):
        if part is None:
            continue
        nn = {kk: 2 * int((part.kind == kk).sum()) for kk in ("mirror", "real", "people")}
        for lab, dec in (("both orders' mean", lambda d: both_orders(d, k, f)), ("one order", one_order)):
            c = _counts_both_ways(part, dec)
            print(f"{name} {nn} readings: {lab}: caught {c[0]}, real called mirrored {c[1]}, different people {c[2]}")
        d1 = one_order(part) != one_order(swapped(part))
        d2 = both_orders(part, k, f) != both_orders(swapped(part), k, f)
        print(f"  {name}: rows whose verdict changes with the swap: one order {int(d1.sum())}, both orders' mean "
              f"{int(d2.sum())}")
        for _, r in part[d1].iterrows():
            print(f"    {r.kind} {r.group} {r['var']}: {r.before} -> {r.after}  r {r.residual_mm:.3f} / "
                  f"{r.reverse_mm:.3f}, flipped {r.mirrored_mm:.3f} / {r.mirrored_reverse_mm:.3f}, early {r.early}, "
                  f"mean {'mirrored' if both_orders(part.loc[[_]], k, f)[0] else 'not'}")


def debruine_rows() -> list[dict]:
    rows = []
    split = "tune" if BOTH_ORDERS[0] else "report"  # stop 43: tuning rows (one person; no held-out DeBruine)
    for group in ("camera_distance", "pose_variation"):
        photos = [analyze_photo(p) for p in sorted((FACES / "debruine_cc0").glob(f"debruine_{group}_*.jpg"))]
        photos = [x for x in photos if x.ok]
        flipped = {x.name: _analysed(_flip(x.photo.rgb), x.name + "_m") for x in photos}
        for x in photos:
            rows.append(_row(split, "debruine", "mirror", f"{group} plain", x, flipped[x.name]))
        for x, y in itertools.permutations(photos, 2):
            rows.append(_row(split, "debruine", "real", group, x, y))
            rows.append(_row(split, "debruine", "mirror", group, x, flipped[y.name]))
    return rows


def grid_rows(only: str | None = None) -> list[dict]:
    rows = []
    for i, clip in enumerate(sorted((FACES / "grid_video_ccby").glob("*.mpg"))):
        split = "tune" if i < N_TUNE_CLIPS else "held" if BOTH_ORDERS[0] else "report"
        if only is not None and split != only:
            continue
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
    for split in ("tune", "report", "held"):
        d = df[df.split == split]
        if d.empty:
            continue
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


#: --replay: the fits of a saved row, in the order the scenarios fail them (None: every fit as saved)
REPLAY_FITS = (None, "residual_mm", "reverse_mm", "mirrored_mm", "mirrored_reverse_mm")


class _Replayed:
    """A saved row's fits put in for the gate's own (``identity.upper_face_residual``,
    ``identity.mirrored_residual_mm``), keyed by the photos' names, a fit named in ``failed`` raising (as taken) or NaN
    (flipped) as a failed fit does."""

    def __init__(self, row, failed: str | None):
        a, b = row.before, row.after
        self.plain = {(a, b): row.residual_mm, (b, a): row.reverse_mm}
        self.flipped = {(a, b): row.mirrored_mm, (b, a): row.mirrored_reverse_mm}
        where = {"residual_mm": (self.plain, (a, b)), "reverse_mm": (self.plain, (b, a)),
                 "mirrored_mm": (self.flipped, (a, b)), "mirrored_reverse_mm": (self.flipped, (b, a))}
        if failed:
            d, k = where[failed]
            d[k] = float("nan")

    def upper_face_residual(self, x, y) -> float:
        v = float(self.plain[(x.name, y.name)])
        if not np.isfinite(v):
            raise ValueError("a failed fit (replayed)")
        return v

    def mirrored_residual_mm(self, x, y) -> float:
        return float(self.flipped[(x.name, y.name)])


def _stand_in(name: str):
    """A photo for the replay: its name, and a head pose its mirror image matches (the early check runs)."""
    from types import SimpleNamespace
    return SimpleNamespace(name=name, quality=SimpleNamespace(yaw_deg=0.0, pitch_deg=0.0, roll_deg=0.0))


def replay(df: pd.DataFrame, failed: str | None) -> pd.DataFrame:
    """Every saved row through the gate's own check, both orders: the pair's (``gate.mirror_check`` of the fits as
    taken, made only where both are: a failed one is the swapped comparison's own alignment) and the early one
    (``gate.pose_mirror_messages``, the pair taken as refused on the pose with its mirrored pose matching), with
    the fit ``failed`` failed.  One row a pair: each order's decisions and the figures its messages quote."""
    out = []
    saved = idt.upper_face_residual, idt.mirrored_residual_mm
    try:
        for _, row in df.iterrows():
            fits = _Replayed(row, failed)
            idt.upper_face_residual, idt.mirrored_residual_mm = fits.upper_face_residual, fits.mirrored_residual_mm
            a, b = _stand_in(row.before), _stand_in(row.after)
            rec = dict(split=row.split, kind=row.kind, before=row.before, after=row.after)
            for tag, (x, y) in (("ab", (a, b)), ("ba", (b, a))):
                r, rev = fits.plain[(x.name, y.name)], fits.plain[(y.name, x.name)]
                if np.isfinite(r):
                    c = gt.mirror_check(x, y, r, rev)
                    rec[f"pair_{tag}"], rec[f"unchecked_{tag}"] = c.mirrored, c.unchecked
                    rec[f"figures_{tag}"] = f"{c.taken.residual_mm:.2f} / {c.flipped_mm:.2f}" if c.mirrored else ""
                else:
                    rec[f"pair_{tag}"], rec[f"figures_{tag}"] = None, ""  # that order's comparison is not made
                    rec[f"unchecked_{tag}"] = False
                early = gt.pose_mirror_messages(x, y)  # a mirror image's refusal, or the check could not be made
                rec[f"early_{tag}"] = bool(early) and early[0].startswith(gt.MSG_MIRRORED)
                rec[f"early_unchecked_{tag}"] = bool(early) and early[0].startswith(gt.MSG_MIRROR_UNCHECKED)
                rec[f"early_figures_{tag}"] = " / ".join(re.findall(r"(\d+\.\d+) mm", early[0])[:2]) if early else ""
            out.append(rec)
    finally:
        idt.upper_face_residual, idt.mirrored_residual_mm = saved
    return pd.DataFrame(out)


def replay_report(df: pd.DataFrame) -> None:
    """:func:`replay` of every scenario (:data:`REPLAY_FITS`): per split and kind, the pairs called mirrored in each
    order, and the pairs whose decision or quoted figures change with the swap (the pair's check where both orders
    are made; the early check); since stop 45 (h7) also, where any, the pairs whose check could not be made (a
    flipped fit failed: ``MirrorCheck.unchecked``) in each order."""
    for failed in REPLAY_FITS:
        rp = replay(df, failed)
        both = rp.pair_ab.notna() & rp.pair_ba.notna()
        print(f"fit failed: {failed or 'none (as saved)'}")
        for (split, kind), g in rp.groupby(["split", "kind"], sort=False):
            b = both[g.index]
            pair_diff = int(((g.pair_ab != g.pair_ba) | (g.figures_ab != g.figures_ba))[b].sum())
            early_diff = int(((g.early_ab != g.early_ba) | (g.early_figures_ab != g.early_figures_ba)).sum())
            print(f"  {split:5s} {kind:7s} n {len(g):4d}: pair's check mirrored {int(g.pair_ab.eq(True).sum()):4d} / "
                  f"{int(g.pair_ba.eq(True).sum()):4d} (photos swapped), changed by the swap {pair_diff} of {int(b.sum())}; "
                  f"early check mirrored {int(g.early_ab.sum()):4d} / {int(g.early_ba.sum()):4d}, changed {early_diff}")
            unchecked = [int(g[c].sum()) for c in ("unchecked_ab", "unchecked_ba", "early_unchecked_ab",
                                                    "early_unchecked_ba")]
            if any(unchecked):
                print(f"  {'':5s} {'':7s} {'':6s}  could not check: pair's check {unchecked[0]:4d} / {unchecked[1]:4d}, "
                      f"early check {unchecked[2]:4d} / {unchecked[3]:4d}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--csv", help="write every pair's row here")
    ap.add_argument("--groups", default="london,people,canada,debruine,grid", help="the groups of pairs to measure")
    ap.add_argument("--report", nargs="+", metavar="CSV", help="report the rows of these --csv files instead")
    ap.add_argument("--both-orders", action="store_true", help="every row's reverse fits too (stop 43)")
    ap.add_argument("--grid", nargs="+", metavar="CSV", help="stop 43's candidate limits on the tuning rows (split "
                    "'tune') of these saved --both-orders rows")
    ap.add_argument("--held", action="store_true", help="... and the choice on their held-out rows (split 'held')")
    ap.add_argument("--swap-grid", nargs="+", metavar="CSV", help="stop 43's second rule (h10): both orders of every "
                    "pair counted, the mean of both orders' candidate limits on the tuning rows of these saved rows")
    ap.add_argument("--replay", nargs="+", metavar="CSV", help="stop 44 (h5): the saved rows' fits through the gate's "
                    "own mirror check, both orders, each fit also failed in turn")
    args = ap.parse_args()
    BOTH_ORDERS[0] = args.both_orders
    if args.replay:
        replay_report(pd.concat([pd.read_csv(f) for f in args.replay], ignore_index=True))
        return
    if args.swap_grid:
        df = pd.concat([pd.read_csv(f) for f in args.swap_grid], ignore_index=True)
        swap_grid_report(df[df.split == "tune"], df[df.split == "held"] if args.held else None)
        return
    if args.grid:
        df = pd.concat([pd.read_csv(f) for f in args.grid], ignore_index=True)
        grid_report(df[df.split == "tune"], df[df.split == "held"] if args.held else None)
        return
    if args.report:
        report(pd.concat([pd.read_csv(f) for f in args.report], ignore_index=True))
        return
    if not FACES.is_dir():
        sys.exit(f"{FACES} is absent")
    make = {"london": london_rows, "debruine": debruine_rows, "grid": grid_rows, "people": people_rows,
            "canada": lambda: face_rows("canada", "report", sorted((FACES / "canada_ccby").glob("*.jpg"))),
            "canada_tune": lambda: face_rows("canada", "tune", canada_halves()[0]),
            "canada_held": lambda: face_rows("canada", "held", canada_halves()[1]),
            "people_canada_tune": lambda: people_rows(canada_halves()[0], "canada", "tune"),
            "people_canada_held": lambda: people_rows(canada_halves()[1], "canada", "held"),
            "grid_tune": lambda: grid_rows("tune"), "grid_held": lambda: grid_rows("held")}
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
