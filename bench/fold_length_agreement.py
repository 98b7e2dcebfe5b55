"""The comparison's fold length row against the photos' own lengths (docs/robustness.md 'The fold length row
on a change of expression', 2026-12-05).

Why: since stop 43 the comparison reads the after photo's fold along the before photo's line carried by the
fold carrier (``compare.measure.fold_carry``); on the real London smile pairs two length rows read 'longer' far
beyond what each photo says alone (London 024 right +17.60 mm against 6.11; ``analyze_photo`` 7.27 -> 7.70 mm).
This bench records, for each pair and side, the comparison's ``nlf_length_mm`` row, the two photos' own lengths
(``analyze_photo``, each along its own found line), how far the carried line lies from the after photo's own found
line (both on the grid) and the after photo's length along its own found line on the grid (tones matched), so
that the candidates of the rule (docs/robustness.md) are applied to the same rows offline (``--table``).

Pairs per face (the before photo is the face's photo as it is):

- ``nuisance`` (no change): ``simulate`` roll +3 deg, scale 1.15, JPEG 70, gamma 0.8, noise; and a bilateral
  filter 20 grey levels / 1.5 mm (``bilateral``, no change either);
- ``deepen``: ``simulate.deepen_fold(0.25, "both")`` (the glasses fold bench's deepened pair; a darkening along
  the method's own found line: the existing synthetic bench, kept to check no 'longer' is lost);
- ``stroke``: ``bench_length_floor.lengthen_towards_mouth`` 8 mm / 10 % (a darker stroke placed from the
  hand-placed smile line's bottom point, bent towards the hand-placed mouth corner);
- ``stretch_F`` (F = 1.2, 1.4): the skin around each hand-placed smile line stretched along it by a warp
  (:func:`stretch_folds`): the valley that is there, moved, not a darkening; it reads nothing of Face Mesh, the
  fold line or its evidence.  Truth: the fold is longer by (F - 1) x the hand-placed line's length;
- ``smile`` (London only): the real neutral -> smiling pair (used to diagnose; no truth).

Result (2026-12-05): on the tuning faces A0.5 meets the rule (London 024 right 'longer' +17.60 -> ``uncertain``, no
other row of 744 changed; B, C2, C3 meet it too, A0 and E do not); held out once: it meets it (a no-change bilateral
'shorter' -> ``uncertain``, nothing lost): shipped as ``compare.fold_length``.  The warp lengthening is read by
neither the comparison nor the photos alone (0 of 72 'longer' at 1.2 and 1.4).

Usage::

    python bench/fold_length_agreement.py --measure tune /tmp/h1/fla_tune.csv      # ~17 min under load
    python bench/fold_length_agreement.py --measure heldout /tmp/h1/fla_held.csv   # once, after choosing (~20 min)
    python bench/fold_length_agreement.py --table /tmp/h1/fla_tune.csv [/tmp/h1/fla_held.csv]

Sets: ``tune`` = the 12 London neutral faces (and their smiling photos) + the 24 Canada tuning faces
(``accuracy.canada_split``); ``heldout`` = the 16 Canada held-out faces.  The photos are read from
``../shared/faces`` and never copied into the project.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
from pathlib import Path

os.environ.setdefault("GLOG_minloglevel", "2")

import cv2
import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import bench_length_floor as LF  # noqa: E402
from _common import rows_per_face  # noqa: E402
from facemetrics import align as al  # noqa: E402
from facemetrics import analyze_photo, compare_photos  # noqa: E402
from facemetrics import simulate as sim  # noqa: E402
from facemetrics.analyze import analyze_loaded  # noqa: E402
from facemetrics.compare import measure as M  # noqa: E402
from facemetrics.folds import score_fold_line  # noqa: E402

FACES = HERE.parent.parent / "shared" / "faces"
NUISANCES = ("roll_+3", "scale_1.15", "jpeg_70", "gamma_0.8", "noise")
STRETCH = (1.2, 1.4)
#: the stretch's across-line weight (Gaussian sigma) and its fade below the line's bottom point, mm
STRETCH_ACROSS_MM = 8.0
STRETCH_FADE_MM = 12.0


def stretch_folds(rgb: np.ndarray, tem: np.ndarray, factor: float) -> tuple[np.ndarray, dict]:
    """``rgb`` (H, W, 3) uint8 with the skin around both hand-placed smile lines stretched along them.

    Each line's top point stays; a point ``a`` mm along the line (top -> bottom, straight) moves to
    ``top + factor * a`` for ``0 <= a <= L`` (``L`` the top-bottom distance), the bottom's displacement
    ``(factor - 1) L`` fading below it (Gaussian, :data:`STRETCH_FADE_MM`), weighted across the line by a
    Gaussian of sigma :data:`STRETCH_ACROSS_MM`.  The inverse map is solved by fixed-point iteration.  Sized by
    the hand-placed pupils (``bench_length_floor.PUPIL_MM``).  Returns the image and the truth ``{side: (factor -
    1) L mm}`` (side: the subject's; the template's image-left line is the subject's right).
    """
    mm = LF.PUPIL_MM / float(np.linalg.norm(tem[LF.PUPILS[0]] - tem[LF.PUPILS[1]]))  # mm per px
    h, w = rgb.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float64)
    q = np.stack([xx, yy], -1)
    truth = {}

    def disp(p, top, d, nrm, length_px):
        rel = p - top
        a = rel @ d
        t = rel @ nrm
        fade_px = STRETCH_FADE_MM / mm
        along = np.where(a <= length_px, (factor - 1.0) * np.clip(a, 0.0, None),
                         (factor - 1.0) * length_px * np.exp(-0.5 * ((a - length_px) / fade_px) ** 2))
        wgt = np.exp(-0.5 * (t * mm / STRETCH_ACROSS_MM) ** 2)
        return (along * wgt)[..., None] * d

    src = q.copy()
    for (top_i, _c, bottom_i), side in zip(LF.SMILE, ("right", "left")):
        top, bottom = tem[top_i], tem[bottom_i]
        length_px = float(np.linalg.norm(bottom - top))
        d = (bottom - top) / length_px
        nrm = np.array([-d[1], d[0]])
        truth[side] = (factor - 1.0) * length_px * mm
        p = src.copy()
        for _ in range(8):  # q = p + D(p)
            p = src - disp(p, top, d, nrm, length_px)
        src = p
    m = src.astype(np.float32)
    out = cv2.remap(rgb, m[..., 0], m[..., 1], cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
    return out, truth


def faces(which: str) -> list[Path]:
    return LF._faces("tune" if which == "tune" else "heldout")


def _line_rows(a, b, c) -> dict:
    """Per side: the carried line's median / max distance to the after photo's own found line (mm, grid) and the
    after grid image's length along that own line (tones matched, the comparison's landmarks)."""
    st = M._before_state(a)
    _, _, reg = M._registered(st, a, b)
    warped = M._warped_by_flow(reg)
    matched = M.match_tones(reg.after_grid, reg.before_grid, st.skin, aligned=warped)
    carry = M.fold_carry(reg, st)
    moved = st.pts_g + carry(st.pts_g, None)
    lips = list(M.OUTER_LIPS)
    g2a = al.invert(reg.grid_to_after)
    moved[lips] = al.apply(g2a, b.points[lips, :2])
    out = {}
    for side, (line, _band) in zip(("right", "left"), st.fold_lines):
        carried = line + carry(line, side)
        own = al.apply(g2a, getattr(b, "nlf_" + side).line_px)
        dd = np.linalg.norm(carried[:, None, :] - own[None, :, :], axis=2).min(1) * st.grid.res_mm
        own_len = score_fold_line(matched, moved, st.gframe, side, own)[2]
        out[side] = dict(line_gap_med_mm=float(np.median(dd)), line_gap_max_mm=float(dd.max()),
                         after_own_on_grid=float(own_len))
    return out


def _record(a, b, **info) -> list[dict]:
    if not b.ok:
        return [dict(info, side=s, status=b.status) for s in ("right", "left")]
    c = compare_photos(a, b)
    rows = {(r.metric, r.side): r for r in c.changes}
    try:
        lines = _line_rows(a, b, c)
    except Exception as exc:  # noqa: BLE001 - a bench row, not the package
        lines = {s: dict(line_error=str(exc)) for s in ("right", "left")}
    out = []
    for side in ("right", "left"):
        r = rows[("nlf_length_mm", side)]
        dep = rows[("nlf_depth", side)]
        out.append(dict(info, side=side, status=c.status, before=r.before, after=r.after, change=r.change,
                        floor=r.noise_floor, verdict=r.verdict, depth_verdict=dep.verdict,
                        photo_before=getattr(a, "nlf_" + side).length_mm,
                        photo_after=getattr(b, "nlf_" + side).length_mm, **lines[side]))
    return out


def measure(which: str, out: Path) -> None:
    cv2.setNumThreads(1)
    rows = rows_per_face(faces(which), lambda path, a: face_rows(which, path, a), out, skipped="skip {name}: {status}",
                         done="{name}: done ({rows} rows)", stream=sys.stderr)
    print(f"{len(rows)} rows -> {out}")


def face_rows(which: str, path: Path, a) -> list[dict]:
    """One face's rows of :func:`measure` (``which``: the set, a column): each variant's pair and the smile pair."""
    rows: list[dict] = []
    mpp = a.calibration.mm_per_px
    tem = LF._template(path)
    variants = {("nuisance", n): sim.NUISANCES[n](a).image for n in NUISANCES}
    variants[("bilateral", "bilateral_20_1.5mm")] = cv2.bilateralFilter(a.photo.rgb, 0, 20, 1.5 / mpp)
    variants[("deepen", "deepen_0.25")] = sim.deepen_fold(a, 0.25, "both").image
    truths = {}
    if tem is not None:
        variants[("stroke", "stroke_8mm_0.1")] = LF.lengthen_towards_mouth(a.photo.rgb, tem, 8.0, 0.10)
        for f in STRETCH:
            img, truths[f"stretch_{f:g}"] = stretch_folds(a.photo.rgb, tem, f)
            variants[("stretch", f"stretch_{f:g}")] = img
    for (kind, name), img in variants.items():
        b = analyze_loaded(dataclasses.replace(a.photo, rgb=np.ascontiguousarray(img)))
        for r in _record(a, b, set=which, photo=path.name, kind=kind, variant=name):
            r["truth_mm"] = truths.get(name, {}).get(r["side"], np.nan)
            rows.append(r)
    smiling = Path(str(path).replace("_neutral", "_smiling"))
    if "_neutral" in path.name and smiling.is_file():
        rows += _record(a, analyze_photo(smiling), set=which, photo=path.name, kind="smile", variant="smile")
    return rows


# ---------------------------------------------------------------------------------------------------------------
# the candidates (docs/robustness.md 'The fold length row on a change of expression': written before the run)
# ---------------------------------------------------------------------------------------------------------------

READ = ("longer", "shorter")


def photo_change(df: pd.DataFrame) -> pd.Series:
    return df.photo_after - df.photo_before


def cand_A(df: pd.DataFrame, k: float) -> pd.Series:
    """A(k): a 'longer' / 'shorter' row stands only when the photos' own change has its sign and at least
    k x the floor; otherwise ``uncertain``."""
    pc = photo_change(df)
    bad = df.verdict.isin(READ) & ((np.sign(pc) != np.sign(df.change)) | (pc.abs() < k * df.floor))
    return df.verdict.where(~bad, "uncertain")


def cand_B(df: pd.DataFrame) -> pd.Series:
    """B: any read row (longer / shorter / within_noise) whose change differs from the photos' own by more
    than the floor: ``uncertain``."""
    bad = df.verdict.isin(READ + ("within_noise",)) & ((df.change - photo_change(df)).abs() > df.floor)
    return df.verdict.where(~bad, "uncertain")


def cand_C(df: pd.DataFrame, gap_mm: float) -> pd.Series:
    """C(D): any read row whose carried line lies more than D mm (median) from the after photo's own line."""
    bad = df.verdict.isin(READ + ("within_noise",)) & (df.line_gap_med_mm > gap_mm)
    return df.verdict.where(~bad, "uncertain")


def cand_E(df: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """E: the after photo's length read along its own found line (on the grid); the verdict at the row's floor.
    Returns (verdict, change)."""
    ch = df.after_own_on_grid - df.before
    v = np.where(ch > df.floor, "longer", np.where(ch < -df.floor, "shorter", "within_noise"))
    v = pd.Series(v, index=df.index).where(df.verdict.isin(READ + ("within_noise",)), df.verdict)
    return v, ch


CANDIDATES = {
    "shipped": lambda df: df.verdict,
    "A0.5": lambda df: cand_A(df, 0.5),
    "A0": lambda df: cand_A(df, 0.0),
    "B": cand_B,
    "C2": lambda df: cand_C(df, 2.0),
    "C3": lambda df: cand_C(df, 3.0),
    "E": lambda df: cand_E(df)[0],
}


def table(paths: list[Path]) -> None:
    for p in paths:
        df = pd.read_csv(p)
        df = df[df.verdict.notna()].copy()
        print(f"\n== {p} ({df.photo.nunique()} faces, {len(df)} side rows)")
        pc = photo_change(df)
        print(" kind       sides | shipped read rows disagreeing with the photos (|change - photo change| > floor)")
        for kind, g in df.groupby("kind"):
            rd = g.verdict.isin(READ + ("within_noise",))
            dis = rd & ((g.change - pc[g.index]).abs() > g.floor)
            print(f" {kind:10s} {len(g):4d} | {int(dis.sum())}")
        print("\n candidate | smile: read rows disagreeing, 'longer'/'shorter' | no-change (nuisance+bilateral): "
              "longer/shorter, within->uncertain | lengthened 'longer' deepen / stroke / stretch1.2 / stretch1.4 | "
              "'shorter' on lengthened")
        for name, fn in CANDIDATES.items():
            v = fn(df)
            ch = cand_E(df)[1] if name == "E" else df.change
            rd = v.isin(READ + ("within_noise",))
            dis = rd & ((ch - pc).abs() > df.floor)
            sm = df.kind == "smile"
            nc = df.kind.isin(("nuisance", "bilateral"))
            lost_wn = nc & (df.verdict == "within_noise") & (v == "uncertain")
            lg = []
            for k in ("deepen_0.25", "stroke_8mm_0.1", "stretch_1.2", "stretch_1.4"):
                g = df.variant == k
                lg.append(f"{int((v[g] == 'longer').sum())}/{int(g.sum())}")
            lng = df.kind.isin(("deepen", "stroke", "stretch"))
            print(f" {name:8s} | {int((dis & sm).sum())}, {int((sm & v.isin(READ)).sum())} | "
                  f"{int((nc & v.isin(READ)).sum())}, {int(lost_wn.sum())} | {' / '.join(lg)} | "
                  f"{int((lng & (v == 'shorter')).sum())}; all kinds disagreeing {int(dis.sum())}")
        if "E" in CANDIDATES:
            nc = df.kind == "nuisance"
            e = cand_E(df)[1]
            print(f" floor proxy (nuisance pairs, largest |change| x 1.25): shipped {1.25 * df.change[nc].abs().max():.2f}"
                  f", E {1.25 * e[nc].abs().max():.2f} mm")
        sm = df[df.kind == "smile"]
        if len(sm):
            print("\n smile rows: photo side | comparison change (floor) verdict | photos' own change | "
                  "line gap median mm | A0.5")
            a05 = cand_A(df, 0.5)
            for i, r in sm.iterrows():
                print(f"  {r.photo[7:10]} {r.side:5s} | {r.change:+7.2f} ({r.floor:.2f}) {r.verdict:12s} | "
                      f"{r.photo_after - r.photo_before:+7.2f} ({r.photo_before:.2f} -> {r.photo_after:.2f}) | "
                      f"{r.line_gap_med_mm:.2f} | {a05[i]}")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--measure", nargs=2, metavar=("SET", "CSV"))
    ap.add_argument("--table", nargs="+", type=Path)
    args = ap.parse_args()
    if not FACES.is_dir():
        print(f"no {FACES}: skipped")
        return 0
    if args.measure:
        measure(args.measure[0], Path(args.measure[1]))
    if args.table:
        table(args.table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
