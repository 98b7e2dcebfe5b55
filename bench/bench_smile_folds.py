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


if __name__ == "__main__":  # the --table part is added below the measurement (candidates written first)
    ap = argparse.ArgumentParser()
    ap.add_argument("--measure", nargs=2, metavar=("SET", "CSV"))
    args = ap.parse_args()
    if not FACES.is_dir():
        print(f"no {FACES}: skipped")
        raise SystemExit(0)
    measure(args.measure[0], Path(args.measure[1]))
