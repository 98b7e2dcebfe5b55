"""Fold rows of a pair whose mouth corners moved as in a smile while the lips kept their shape (the expression
gate's flow cues alone, ``gate.MSG_EXPRESSION_MAYBE``): a gentle smile or a lift? (docs/compare.md 'Fold rows
when only the flow cues fire: a smile or a lift', 2026-12-05; the rule and candidates were committed before any
run.)

Records, for each pair and side, the three fold rows of ``compare_photos`` (change, floor, verdict), whether the
gate gave the flow cues alone, the photos' own readings (``analyze_photo``, each photo along its own found line),
and how far the before photo's found line carried onto the after photo lies from the after photo's own found
line (``fold_length_agreement._line_rows``); the candidates are then applied to the same rows offline
(``--table``).

Pairs per face (the before photo is the face's photo as it is; every simulated after photo then gets
``bench_coverage.nuisance``, seed = face index x 100 + case index):

- ``smile`` (London only): the real neutral -> smiling pair (no truth; the rows at stake);
- ``bump3``: ``bench_coverage``'s oblique lift of 3 mm both sides (a warp; no fold darkened or filled);
- ``bump3_fill``: the fold valley filled along the *hand-placed* smile line (:func:`fill_folds`), then the 3 mm
  bump (the fill moves with the skin); truth 'shallower' depth and contrast;
- ``bump2_dark``, ``bump3_dark``: the fold darkened along the hand-placed line (:func:`darken_folds`), then the
  2 / 3 mm bump; truth 'deeper' depth and contrast (a fold change of either sign under a lift: the candidates act on
  where the line is, not on the sign).

Usage::

    python bench/bench_smile_folds.py --measure tune /tmp/h1/sf_tune.csv
    python bench/bench_smile_folds.py --measure heldout /tmp/h1/sf_held.csv   # once, after choosing
    python bench/bench_smile_folds.py --table /tmp/h1/sf_tune.csv [/tmp/h1/sf_held.csv]

Sets: ``tune`` = the 12 London neutral faces (and their smiling photos) + the 24 Canada tuning faces
(``accuracy.canada_split``); ``heldout`` = the 16 Canada held-out faces.  Skips (exit 0) without
``../shared/faces``; no photo is copied into the project.
"""

from __future__ import annotations

import argparse
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

import bench_coverage as BC  # noqa: E402
import bench_length_floor as LF  # noqa: E402
import fold_length_agreement as FLA  # noqa: E402
from facemetrics import analyze_photo, compare_photos  # noqa: E402
from facemetrics.compare.gate import MSG_EXPRESSION, MSG_EXPRESSION_MAYBE  # noqa: E402

FACES = HERE.parent.parent / "shared" / "faces"
FOLD_METRICS = (("nlf_depth", "depth_index"), ("nlf_contrast_pct", "contrast_pct"), ("nlf_length_mm", "length_mm"))
#: the fill (fixed with the rule, before any run): strength, across-line sigma, skin-level blur sigma, mm
FILL_ALPHA, FILL_ACROSS_MM, FILL_LEVEL_MM = 1.0, 2.0, 6.0
#: the darkening (added after the smoke run, before the measurement): depth at the line's centre, across sigma, mm
DARK_FRACTION, DARK_ACROSS_MM = 0.25, 1.5
#: the raised-cosine ends of the fill along the line, mm
FILL_END_MM = 3.0
CASES = (("bump3", 3.0, ""), ("bump3_fill", 3.0, "fill"), ("bump2_dark", 2.0, "dark"), ("bump3_dark", 3.0, "dark"))


def line_weight(shape: tuple, tem: np.ndarray, across_mm: float) -> tuple[np.ndarray, float]:
    """The weight (H, W) float32 of both hand-placed smile lines: a Gaussian of ``across_mm`` across the line
    times a raised cosine along it (full between the ends, :data:`FILL_END_MM` fades); and the template's mm per
    px.  The line: the template's top, centre and bottom points (:data:`bench_length_floor.SMILE`), a 2-segment
    polyline, sized by the hand-placed pupils (:data:`bench_length_floor.PUPIL_MM`).  Reads nothing of Face Mesh
    or the method's fold line."""
    mm = LF.PUPIL_MM / float(np.linalg.norm(tem[LF.PUPILS[0]] - tem[LF.PUPILS[1]]))  # mm per px
    h, w = shape[:2]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    weight = np.zeros((h, w), np.float32)
    for pts in LF.SMILE:
        line = tem[list(pts)]
        seg_len = np.linalg.norm(np.diff(line, axis=0), axis=1) * mm
        total = float(seg_len.sum())
        best_d = np.full((h, w), np.inf, np.float32)
        best_s = np.zeros((h, w), np.float32)
        start = 0.0
        for (p, q), L in zip(zip(line[:-1], line[1:]), seg_len):
            d = (q - p) / np.linalg.norm(q - p)
            rel = np.stack([xx - p[0], yy - p[1]], -1) * mm
            s = np.clip(rel @ d, 0.0, L)
            dist = np.hypot(xx - (p[0] + d[0] * s / mm), yy - (p[1] + d[1] * s / mm)) * mm
            closer = dist < best_d
            best_d = np.where(closer, dist, best_d)
            best_s = np.where(closer, start + s, best_s)
            start += L
        along = np.clip(np.minimum(best_s, total - best_s) / FILL_END_MM, 0.0, 1.0)
        along = 0.5 - 0.5 * np.cos(np.pi * along)
        weight = np.maximum(weight, along * np.exp(-0.5 * (best_d / across_mm) ** 2))
    return weight, mm


def fill_folds(rgb: np.ndarray, tem: np.ndarray) -> np.ndarray:
    """``rgb`` (H, W, 3) uint8 with both hand-placed smile lines' valleys filled towards the skin around them:
    each pixel moves towards the local skin level ``S`` (the image blurred by a Gaussian of
    :data:`FILL_LEVEL_MM`) by ``FILL_ALPHA * w`` (:func:`line_weight`, :data:`FILL_ACROSS_MM`), only where ``S``
    is brighter.  Truth: the fold shallower."""
    weight, mm = line_weight(rgb.shape, tem, FILL_ACROSS_MM)
    img = rgb.astype(np.float32)
    level = cv2.GaussianBlur(img, (0, 0), FILL_LEVEL_MM / mm)
    lift = np.clip(level - img, 0.0, None) * (FILL_ALPHA * weight)[..., None]
    return np.clip(img + lift, 0, 255).round().astype(np.uint8)


def darken_folds(rgb: np.ndarray, tem: np.ndarray) -> np.ndarray:
    """``rgb`` (H, W, 3) uint8 darkened along both hand-placed smile lines: x ``1 - DARK_FRACTION * w``
    (:func:`line_weight`, :data:`DARK_ACROSS_MM`).  Truth: the fold deeper."""
    weight, _ = line_weight(rgb.shape, tem, DARK_ACROSS_MM)
    img = rgb.astype(np.float32) * (1.0 - DARK_FRACTION * weight)[..., None]
    return np.clip(img, 0, 255).round().astype(np.uint8)


EDITS = {"": lambda rgb, tem: rgb, "fill": fill_folds, "dark": darken_folds}


def _record(a, b, **info) -> list[dict]:
    if not b.ok:
        return [dict(info, side=s, status=b.status) for s in ("right", "left")]
    c = compare_photos(a, b)
    rows = {(r.metric, r.side): r for r in c.changes}
    msgs = " | ".join(c.messages)
    lips = any(m.startswith(MSG_EXPRESSION + ":") for m in c.messages)
    flow_only = any(m.startswith(MSG_EXPRESSION_MAYBE) for m in c.messages)
    try:
        lines = FLA._line_rows(a, b, c)
    except Exception as exc:  # noqa: BLE001 - a bench row, not the package
        lines = {s: dict(line_error=str(exc)) for s in ("right", "left")}
    out = []
    for side in ("right", "left"):
        d = dict(info, side=side, status=c.status, lips=lips, flow_only=flow_only,
                 widening_mm=c.cues.get("mouth_widening_mm", np.nan),
                 corner_rise_mm=c.cues.get("mouth_corner_rise_mm", np.nan), messages=msgs, **lines[side])
        fa, fb = getattr(a, "nlf_" + side), getattr(b, "nlf_" + side)
        for metric, attr in FOLD_METRICS:
            r = rows[(metric, side)]
            d.update({f"{metric}_change": r.change, f"{metric}_floor": r.noise_floor, f"{metric}_verdict": r.verdict,
                      f"{metric}_own_before": getattr(fa, attr) if fa is not None else np.nan,
                      f"{metric}_own_after": getattr(fb, attr) if fb is not None else np.nan})
        out.append(d)
    return out


def measure(which: str, out: Path) -> None:
    cv2.setNumThreads(1)
    rows: list[dict] = []
    paths = FLA.faces(which)
    for fi, path in enumerate(paths):
        a = analyze_photo(path)
        if not a.ok:
            print(f"skip {path.name}: {a.status}", file=sys.stderr)
            continue
        smiling = Path(str(path).replace("_neutral", "_smiling"))
        if "_neutral" in path.name and smiling.is_file():
            rows += _record(a, analyze_photo(smiling), set=which, photo=path.name, kind="smile")
        tem = LF._template(path)
        for ci, (name, amp, edit) in enumerate(CASES):
            if edit and tem is None:
                continue
            img = EDITS[edit](a.photo.rgb, tem)
            if amp:
                dx, dy, _ = BC.bump_field(a, amp, amp)
                img = BC.apply_field(img, dx, dy)
            data, _ = BC.nuisance(img, a, np.random.default_rng(fi * 100 + ci))
            rows += _record(a, analyze_photo(data), set=which, photo=path.name, kind=name)
        print(f"{path.name}: done ({len(rows)} rows)", file=sys.stderr, flush=True)
        pd.DataFrame(rows).to_csv(out, index=False)
    print(f"{len(rows)} rows -> {out}")


# ---------------------------------------------------------------------------------------------------------------
# the candidates (docs/compare.md 'Fold rows when only the flow cues fire': written before the run)
# ---------------------------------------------------------------------------------------------------------------

METRICS = tuple(m for m, _ in FOLD_METRICS)
CHANGE_WORDS = ("deeper", "shallower", "longer", "shorter")
READ = CHANGE_WORDS + ("within_noise",)
TRUTH = {"bump3_fill": "shallower", "bump2_dark": "deeper", "bump3_dark": "deeper"}


def long_rows(df: pd.DataFrame) -> pd.DataFrame:
    """One row per pair, side and fold metric: kind, photo, side, metric, change, floor, verdict, own change,
    flow_only, lips, line gap (median, mm)."""
    parts = []
    for m in METRICS:
        g = df[["set", "photo", "kind", "side", "flow_only", "lips", "line_gap_med_mm"]].copy()
        g["metric"] = m
        g["change"], g["floor"], g["verdict"] = df[f"{m}_change"], df[f"{m}_floor"], df[f"{m}_verdict"]
        g["own"] = df[f"{m}_own_after"] - df[f"{m}_own_before"]
        parts.append(g)
    out = pd.concat(parts, ignore_index=True)
    out["flow_only"] = out.flow_only.astype(str).eq("True")
    return out[out.verdict.notna()].reset_index(drop=True)


def cand_A(df: pd.DataFrame) -> pd.Series:
    return df.verdict.where(~(df.flow_only & df.verdict.isin(READ)), "uncertain")


def cand_G(df: pd.DataFrame, gap_mm: float) -> pd.Series:
    moved = ~(df.line_gap_med_mm <= gap_mm)  # NaN (no line to compare): not shown to follow the skin
    return df.verdict.where(~(df.flow_only & df.verdict.isin(READ) & moved), "uncertain")


def cand_P(df: pd.DataFrame, k: float) -> pd.Series:
    bad = df.flow_only & df.verdict.isin(CHANGE_WORDS) & (
        (np.sign(df.own) != np.sign(df.change)) | (df.own.abs() < k * df.floor) | df.own.isna())
    return df.verdict.where(~bad, "uncertain")


def cand_DP(df: pd.DataFrame, k: float = 0.5) -> pd.Series:
    """Post hoc (written after the tuning run, before the held-out run; not one of the committed candidates): in
    the flow-only case a 'deeper' / 'longer' fold row reads ``uncertain`` (a smile deepens and lengthens the fold,
    a lift pulling the corners up and out is not expected to), and a 'shallower' / 'shorter' one stands only when
    the photos' own readings agree (P(k))."""
    v = cand_P(df, k)
    return v.where(~(df.flow_only & v.isin(("deeper", "longer"))), "uncertain")


CANDIDATES = {"C0": lambda df: df.verdict, "A": cand_A,
              **{f"G{x:g}": (lambda df, x=x: cand_G(df, x)) for x in (1.0, 1.5, 2.0, 3.0)},
              **{f"P{k:g}": (lambda df, k=k: cand_P(df, k)) for k in (0.5, 1.0)},
              "DP0.5 (post hoc)": cand_DP}


def table(paths: list[Path]) -> None:
    for p in paths:
        raw = pd.read_csv(p)
        df = long_rows(raw)
        print(f"\n== {p} ({df.photo.nunique()} faces, {len(df)} fold rows)")
        pairs = raw.drop_duplicates(["photo", "kind"])
        for kind, g in pairs.groupby("kind"):
            fo = g.flow_only.astype(str).eq("True")
            print(f" {kind:10s} pairs {len(g):3d}: flow cues alone {int(fo.sum())}, lips {int(g.lips.astype(str).eq('True').sum())}")
        gap = df.drop_duplicates(["photo", "kind", "side"])
        for kind, g in gap.groupby("kind"):
            q = g.line_gap_med_mm.quantile([0.5, 0.9, 1.0]).round(2).tolist()
            print(f" line gap {kind:10s} median / p90 / max {q} mm (flow-only sides: "
                  f"{g[g.flow_only].line_gap_med_mm.round(2).tolist() if kind == 'smile' else int(g.flow_only.sum())})")
        sm = (df.kind == "smile") & df.flow_only
        dm = df.metric != "nlf_length_mm"
        truth = df.kind.map(TRUTH)
        correct = dm & truth.notna() & (df.verdict == truth)
        print("\n candidate | smiles (flow-only): deeper/longer kept, any change kept | lifts: correct lost / correct "
              "(C0) [fill; dark] | bump3 rows changed | truth cases: wrong-sign kept")
        for name, fn in CANDIDATES.items():
            v = fn(df)
            up = int((sm & v.isin(("deeper", "longer"))).sum())
            anych = int((sm & v.isin(CHANGE_WORDS)).sum())
            lost = int((correct & (v == "uncertain")).sum())
            b3 = int(((df.kind == "bump3") & (v != df.verdict)).sum())
            wrong = int((dm & truth.notna() & v.isin(("deeper", "shallower")) & (v != truth)).sum())
            by = [f"{int((correct & (v == 'uncertain') & df.kind.str.endswith(e)).sum())}/"
                  f"{int((correct & df.kind.str.endswith(e)).sum())}" for e in ("fill", "dark")]
            print(f" {name:5s} | {up}, {anych} | {lost} / {int(correct.sum())} [{'; '.join(by)}] | {b3} | {wrong}")
        print("\n flow-only smile rows: photo side metric | change (floor) verdict | own change | gap mm")
        for _, r in df[sm].iterrows():
            print(f"  {r.photo[7:10]} {r.side:5s} {r.metric:16s} | {r.change:+7.2f} ({r.floor:.2f}) {r.verdict:12s} | "
                  f"{r.own:+7.2f} | {r.line_gap_med_mm:.2f}")


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--measure", nargs=2, metavar=("SET", "CSV"))
    ap.add_argument("--table", nargs="+", type=Path)
    args = ap.parse_args()
    if args.table:
        table(args.table)
        raise SystemExit(0)
    if not FACES.is_dir():
        print(f"no {FACES}: skipped")
        raise SystemExit(0)
    measure(args.measure[0], Path(args.measure[1]))
