"""Sensitivity of the per-photo constants of ``folds`` and ``quality`` (docs/sensitivity.md §16-§31).

    python bench/sensitivity_photo.py                      # every constant (8.5 min CPU; 14 min wall on 2 shared cores)
    python bench/sensitivity_photo.py --only SLOPE_PENALTY # one constant

Each constant is set to a few values around the shipped one (the module attribute and every
``facemetrics`` module that imported it by name are patched, and restored afterwards), nothing
else is re-tuned, and the figures are printed as one markdown table per constant.  No value is
chosen here: the shipped values stay as they are; the tables say whether they sit well.

Fold constants (``facemetrics.folds``): the Face Mesh analysis of every face is computed once and
cached; only :func:`facemetrics.folds.fold_metrics` (the fold stage) is re-run per value.

* fold-line distance (mm) of the hand-placed smile-line points 158-163 to the found line
  (``bench/accuracy.py``: ``distances`` is checked against at the shipped values;
  ``segment_distance`` per point), median / p90 on the *tuning* faces (24 Canada + 6 London,
  ``canada_split`` / ``london_split``) and, reported only, on the held-out faces (16 + 6);
* the depth index on the undarkened faces (it is scored along the reference line, so the
  fold-line constants should leave it unchanged: the table shows the largest change), and the
  darkening test of ``bench/accuracy.py`` (``_darken``; 0/5/10/20/30 %): face-sides whose index
  rises strictly; for ``SKIN_PERCENTILE`` with every ``VARIANTS`` shape, otherwise along the
  found line (Gaussian 1.5 mm);
* for ``LENGTH_FULL_EVIDENCE`` / ``LENGTH_SMOOTH_MM``: ``nlf_length_mm`` against the length of the
  hand-placed smile line (158-159-160 / 161-162-163), and its change under the nuisances;
* for ``SKIN_PERCENTILE``: the index's change under ``simulate.NUISANCES`` (12 tuning faces;
  Face Mesh re-run once per nuisance image) against its spread between faces.

Quality constants (``facemetrics.quality``): flags only, so the sweep recomputes
``quality_flags`` (or the hard-limit statuses) on cached measurements and reports how large the
per-photo metric errors are among the photos each value lets through:

* yaw / pitch: ``simulate.head_pose`` re-renders (0-30 deg, 4 faces at 0.4 mm/px: the sample
  photo and 3 London tuning faces), change against the 0-deg re-render;
* roll: ``simulate.roll`` 0-30 deg, change against the unrotated photo;
* face width and mm/px: the same faces' full-resolution photos downscaled (``cv2.INTER_AREA``,
  as ``validate.invariance_transforms``' ``scale_0.5``) to 100-400 px face width / 0.3-0.7
  mm/px: error against the full-resolution photo, and jitter between two copies offset by half
  a target pixel (``MIN_FACE_WIDTH_PX`` patched to 1 so that small faces are measured);
* luminance and clipping: every channel scaled by 0.2-2.5 (``simulate.brightness``);
* mouth opening: GRID talking-head clips (every 3rd frame; faces ~110 px wide, so measured with
  ``MIN_FACE_WIDTH_PX`` patched to 1): change of jaw metrics against the clip's closed-mouth
  frames (opening < 0.05), and the London smiling photos against their neutral ones.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import cv2
import numpy as np

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(BENCH.parent))

from accuracy import (  # noqa: E402  (bench/accuracy.py: splits, distances, darkening helpers)
    CANADA, FRACTIONS, LONDON, SAMPLES, SHARED_FACES, SMILE, VARIANTS, _beside, _darken, canada_split, distances,
    london_split, segment_distance,
)

import facemetrics  # noqa: E402
from facemetrics import folds as F  # noqa: E402
from facemetrics import quality as Q  # noqa: E402
from facemetrics import simulate  # noqa: E402
from facemetrics.analyze import analyze_loaded  # noqa: E402
from facemetrics.annotations import read_tem  # noqa: E402
from facemetrics.folds import fold_metrics  # noqa: E402
from facemetrics.geometry import NLF_PATH_LEFT, NLF_PATH_RIGHT  # noqa: E402

GRID = SHARED_FACES / "grid_video_ccby"
SIDES = ("right", "left")


# --------------------------------------------------------------------------- patching
@contextmanager
def patched(module, name: str, value):
    """Set ``module.name`` and every ``facemetrics`` module's same-named binding of the same
    object (``from .quality import MAX_MM_PER_PX``) to ``value``; restore on exit."""
    orig = getattr(module, name)
    mods = [m for k, m in list(sys.modules.items())
            if m is not None and k.split(".")[0] == "facemetrics" and vars(m).get(name, None) is orig]
    try:
        for m in mods:
            setattr(m, name, value)
        yield [m.__name__ for m in mods]
    finally:
        for m in mods:
            setattr(m, name, orig)


def _photo(a, rgb: np.ndarray):
    """``a.photo`` with other pixels, treated as an original photo of that size (scale 1)."""
    h, w = rgb.shape[:2]
    return dataclasses.replace(a.photo, rgb=np.ascontiguousarray(rgb), scale=1.0, original_size=(w, h))


def _fmt(x, nd=2) -> str:
    return "–" if x is None or not np.isfinite(x) else f"{x:.{nd}f}"


# --------------------------------------------------------------------------- caches
class Cache:
    """Analyses computed once and shared by every sweep."""

    def __init__(self):
        self._faces = self._nuis = self._quality = None

    def faces(self) -> dict[str, list]:
        """``{set: [(path, analysis, tem)]}`` for Canada/London tuning and held-out faces."""
        if self._faces is None:
            tune, held = canada_split(list(CANADA.glob("*.jpg")))
            l_tune, l_held = london_split(list(LONDON.glob("*_neutral.jpg")))
            self._faces = {}
            for name, paths in (("tuning", tune + l_tune), ("held-out", held + l_held)):
                rows = []
                for p in paths:
                    a = facemetrics.analyze_photo(p)
                    assert a.ok, a.error
                    rows.append((p, a, read_tem(p.with_suffix(".tem"))))
                self._faces[name] = rows
            p, a, tem = self._faces["tuning"][0]  # our per-point distance is accuracy.distances' "fold"
            assert np.allclose(_fold_distances(a, tem, a.nlf_right, a.nlf_left), distances(a, tem)["fold"])
        return self._faces

    def nuisances(self) -> list:
        """``[(face, nuisance, analysis)]``: 6 Canada + 6 London tuning faces, each nuisance re-analysed."""
        if self._nuis is None:
            rows = self.faces()["tuning"]
            pick = rows[:6] + rows[-6:]
            self._nuis = []
            for p, a, _ in pick:
                for k, fn in simulate.NUISANCES.items():
                    b = a if k == "identity" else analyze_loaded(dataclasses.replace(a.photo, rgb=fn(a).image))
                    if b.ok:
                        self._nuis.append((p.stem, k, b))
        return self._nuis

    def quality_faces(self) -> list:
        """``[(name, full-resolution analysis, analysis at 0.4 mm/px)]``: the sample photo and 3 London tuning faces."""
        if self._quality is None:
            paths = [SAMPLES / "astronaut_before.jpg"] + london_split(list(LONDON.glob("*_neutral.jpg")))[0][:3]
            self._quality = []
            for p in paths:
                full = facemetrics.analyze_photo(p, fast=False)
                k = full.calibration.mm_per_px / 0.4
                small = cv2.resize(full.photo.rgb, None, fx=k, fy=k, interpolation=cv2.INTER_AREA)
                red = analyze_loaded(_photo(full, small))
                assert full.ok and red.ok
                self._quality.append((p.stem[:14], full, red))
        return self._quality


CACHE = Cache()


# --------------------------------------------------------------------------- fold helpers
def _fold_distances(a, tem, right, left) -> np.ndarray:
    """Distance (mm) of the hand points 158-163 to the found lines (``accuracy.distances``' "fold")."""
    lines = {"right": right.line_px, "left": left.line_px}
    return np.array([segment_distance(tem[i], lines[s]) for s in SIDES for i in SMILE[s]]) * a.calibration.mm_per_px


def _hand_length(a, tem, side) -> float:
    pts = tem[list(SMILE[side])]
    return float(np.sum(np.linalg.norm(np.diff(pts, axis=0), axis=1)) * a.calibration.mm_per_px)


def _fold_pass(rows) -> dict:
    """Re-run the fold stage on cached analyses: distances, depth and length per face-side."""
    d, depth, length, hand, ms = [], [], [], [], []
    for _, a, tem in rows:
        m = {s: fold_metrics(a.photo.rgb, a.points, a.frame, s) for s in SIDES}
        d.append(_fold_distances(a, tem, m["right"], m["left"]))
        for s in SIDES:
            depth.append(m[s].depth_index)
            length.append(m[s].length_mm)
            hand.append(_hand_length(a, tem, s))
        ms.append(m)
    return dict(dist=np.concatenate(d), depth=np.array(depth), length=np.array(length), hand=np.array(hand),
                metrics=ms)


def _rising(rows, metrics, variants: dict) -> dict[str, int]:
    """Face-sides whose depth index rises strictly over ``FRACTIONS`` per darkening variant."""
    out = dict.fromkeys(variants, 0)
    for (_, a, _), m in zip(rows, metrics):
        rgb, mm = a.photo.rgb, a.calibration.mm_per_px
        for side in SIDES:
            for name, (where, width, profile) in variants.items():
                if where == "line":
                    line = m[side].line_px
                elif where == "chain":
                    line = a.points[list(NLF_PATH_RIGHT if side == "right" else NLF_PATH_LEFT), :2]
                else:
                    line = _beside(a.frame, m[side].line_px, where)
                key = (id(a), side, name, np.asarray(line).tobytes(), F.SKIN_PERCENTILE)
                if key not in _RISING:  # the same darkened photo scores the same: reuse across values
                    depth = [m[side].depth_index] + [
                        fold_metrics(_darken(rgb, line, mm, fr, width, profile), a.points, a.frame, side).depth_index
                        for fr in FRACTIONS[1:]]
                    _RISING[key] = bool(np.all(np.diff(depth) > 0))
                out[name] += _RISING[key]
    return out


#: darkening results by (analysis, side, shape, darkened line, SKIN_PERCENTILE): the fold-line constants
#: leave the depth index's definition unchanged, so a line that did not move gives the same answer
_RISING: dict = {}


def _nuisance_change(metric: str) -> np.ndarray:
    """|change| of a fold metric (``depth_index`` / ``length_mm``) under each nuisance, per face-side."""
    base, out = {}, []
    rows = CACHE.nuisances()
    for face, k, b in rows:
        if k == "identity":
            for s in SIDES:
                base[face, s] = getattr(fold_metrics(b.photo.rgb, b.points, b.frame, s), metric)
    for face, k, b in rows:
        if k != "identity":
            out += [abs(getattr(fold_metrics(b.photo.rgb, b.points, b.frame, s), metric) - base[face, s]) for s in SIDES]
    return np.array(out)


def _line_diagnosis(metrics: list) -> None:
    """How the shipped search places the line: its sideways steps and its offset from the Face Mesh path."""
    steps, offsets = [], []
    orig = F._best_path

    def spy(score, slope_pen, curve_pen):
        col = orig(score, slope_pen, curve_pen)
        steps.append(int(np.count_nonzero(np.diff(col))))
        offsets.append(float(F._offsets(F.BAND_HALF_WIDTH_MM)[int(np.median(col))]))
        return col

    F._best_path = spy
    try:
        _fold_pass(CACHE.faces()["tuning"])
    finally:
        F._best_path = orig
    off, n = np.unique(np.round(offsets, 1), return_counts=True)
    print(f"Shipped search on the {len(steps)} tuning face-sides: sideways steps per line max {max(steps)}, "
          f"lines with any step {sum(x > 0 for x in steps)}; offset from the Face Mesh path (mm: face-sides) "
          + ", ".join(f"{o:+.1f}: {c}" for o, c in zip(off, n)) + "\n")


def fold_sweep(name: str, values, *, length: bool = False, skin: bool = False) -> None:
    """One fold constant: the table described in the module docstring."""
    faces = CACHE.faces()
    shipped = getattr(F, name)
    base = _fold_pass(faces["tuning"])
    line_only = {"line, Gaussian 1.5 mm": VARIANTS["line, Gaussian 1.5 mm"]}
    n_sides = 2 * len(faces["tuning"])
    if length:
        print(f"\n`{name}` (folds), shipped {shipped}: nlf_length_mm against the hand-placed smile line\n")
        print("| value | tuning: median / p90 \\|length − hand\\| mm | tuning: mean length / hand mm | Spearman "
              "(tuning) | held-out: median / p90 \\|length − hand\\| mm | Spearman (held-out) | nuisances: "
              "median / p95 \\|Δ length\\| mm (12 tuning faces × 13) |")
        print("|---|---|---|---|---|---|---|")
    elif skin:
        print(f"\n`{name}` (folds), shipped {shipped}: depth index (fold line unaffected)\n")
        print(f"| value | darkening: face-sides rising strictly, per shape (of {n_sides}; "
              + ", ".join(VARIANTS) + ") | mean index (tuning) | SD between face-sides | nuisances: median / p95 "
              "\\|Δ index\\| | p95 / SD between |")
        print("|---|---|---|---|---|---|")
    else:
        print(f"\n`{name}` (folds), shipped {shipped}: fold line to the hand-placed smile lines\n")
        _line_diagnosis(base["metrics"])
        print(f"| value | tuning (30 faces, 180 points): median / p90 mm | held-out (22 faces, 132 points): median / "
              f"p90 mm | tuning face-sides whose line moved > 0.01 mm | max \\|Δ depth index\\| undarkened | "
              f"darkening along the found line: rising of {n_sides} |")
        print("|---|---|---|---|---|---|")
    from scipy.stats import spearmanr

    for v in values:
        with patched(F, name, v):
            t = _fold_pass(faces["tuning"])
            h = _fold_pass(faces["held-out"])
            tag = f"{v:g}" + (" (shipped)" if v == shipped else "")
            if length:
                e, eh = np.abs(t["length"] - t["hand"]), np.abs(h["length"] - h["hand"])
                nz = _nuisance_change("length_mm")
                print(f"| {tag} | {np.median(e):.1f} / {np.percentile(e, 90):.1f} | {t['length'].mean():.1f} / "
                      f"{t['hand'].mean():.1f} | {spearmanr(t['length'], t['hand'])[0]:.2f} | {np.median(eh):.1f} / "
                      f"{np.percentile(eh, 90):.1f} | {spearmanr(h['length'], h['hand'])[0]:.2f} | "
                      f"{np.median(nz):.2f} / {np.percentile(nz, 95):.2f} |")
            elif skin:
                r = _rising(faces["tuning"], t["metrics"], VARIANTS)
                nz = _nuisance_change("depth_index")
                sd = float(np.std(t["depth"]))
                print(f"| {tag} | {', '.join(str(c) for c in r.values())} (min {min(r.values())}) | "
                      f"{t['depth'].mean():.2f} | {sd:.2f} | {np.median(nz):.3f} / {np.percentile(nz, 95):.3f} | "
                      f"{np.percentile(nz, 95) / sd:.3f} |")
            else:
                r = _rising(faces["tuning"], t["metrics"], line_only)
                dd = np.abs(t["depth"] - base["depth"]).max()
                moved = sum(np.abs(m[s].line_px - m0[s].line_px).max() > 0.01 / row[1].calibration.mm_per_px
                            for m, m0, row in zip(t["metrics"], base["metrics"], faces["tuning"]) for s in SIDES)
                print(f"| {tag} | {np.median(t['dist']):.2f} / {np.percentile(t['dist'], 90):.2f} | "
                      f"{np.median(h['dist']):.2f} / {np.percentile(h['dist'], 90):.2f} | {moved} | {dd:.3g} | "
                      f"{sum(r.values())} |")


# --------------------------------------------------------------------------- quality helpers
def _metrics(a) -> dict:
    """Per-photo metrics compared under a departure (NaN when not measured)."""
    if not a.ok:
        return dict.fromkeys(METRICS, np.nan)
    r = a.to_row()
    return {"jaw_width_mm": r["jaw_width_mm"], "jawline_height_mm": r["jawline_height_mm"],
            "jaw_angle_deg": 0.5 * (r["jaw_angle_right_deg"] + r["jaw_angle_left_deg"]),
            "jowl_sag_mm": 0.5 * (r["jowl_sag_right_mm"] + r["jowl_sag_left_mm"]),
            "nlf_depth": 0.5 * (r["nlf_depth_right"] + r["nlf_depth_left"]),
            "nlf_contrast_pct": 0.5 * (r["nlf_contrast_right_pct"] + r["nlf_contrast_left_pct"]),
            "mm_per_px": r["mm_per_px"]}


METRICS = ("jaw_width_mm", "jawline_height_mm", "jaw_angle_deg", "jowl_sag_mm", "nlf_depth", "nlf_contrast_pct",
           "mm_per_px")
#: shown in the tables; ``cal_pct``: change of the iris calibration (mm/px), % (every mm metric scales with it)
SHOWN = ("cal_pct", "jaw_width_mm", "jawline_height_mm", "jaw_angle_deg", "nlf_depth", "nlf_contrast_pct")


def _row(a, ref: dict, **info) -> dict:
    m = _metrics(a)
    out = dict(info, status=a.status, **{f"d_{k}": m[k] - ref[k] for k in METRICS})
    out["d_cal_pct"] = 100.0 * (m["mm_per_px"] / ref["mm_per_px"] - 1.0)
    if a.quality is not None:
        q = a.quality
        out.update(q=dict(yaw_deg=q.yaw_deg, pitch_deg=q.pitch_deg, roll_deg=q.roll_deg, sharpness=q.sharpness,
                          face_luminance=q.face_luminance, clipped_fraction=q.clipped_fraction,
                          mouth_opening_ratio=q.mouth_opening_ratio, smile_index=q.smile_index),
                   mm=a.mm_per_px, width=q.face_width_px)
    return out


def _by_level(rows: list, key: str, levels) -> None:
    """Table: per departure level, measured value and median / max |Δ| per metric, statuses."""
    print(f"| {key} | faces measured | " + " | ".join(f"{k}: median / max \\|Δ\\|" for k in SHOWN) + " |")
    print("|---" * (len(SHOWN) + 2) + "|")
    for lv in levels:
        sel = [r for r in rows if r[key] == lv]
        ok = [r for r in sel if r["status"] == "ok"]
        cells = []
        for k in SHOWN:
            d = np.abs([r[f"d_{k}"] for r in ok])
            cells.append(f"{np.median(d):.2f} / {np.max(d):.2f}" if len(d) else "–")
        st = ", ".join(sorted({r["status"] for r in sel if r["status"] != "ok"}))
        print(f"| {lv:g} | {len(ok)} of {len(sel)}{' (' + st + ')' if st else ''} | " + " | ".join(cells) + " |")


def _passed(rows: list, flag_word: str) -> list:
    return [r for r in rows if r["status"] == "ok" and not any(flag_word in f for f in Q.quality_flags(r["q"], r["mm"]))]


def _threshold_table(name: str, values, rows: list, flag_word: str, departure: str) -> None:
    """Patch ``quality.name`` to each value, re-run ``quality_flags``: photos let through and their worst errors."""
    shipped = getattr(Q, name)
    print(f"\n`{name}` set to each value (flags recomputed with `quality.quality_flags`): {departure}\n")
    print(f"| {name} | photos not flagged (of {sum(r['status'] == 'ok' for r in rows)} measured) | "
          + " | ".join(f"max \\|Δ {k}\\| among them" for k in SHOWN) + " |")
    print("|---" * (len(SHOWN) + 2) + "|")
    for v in values:
        with patched(Q, name, v):
            keep = _passed(rows, flag_word)
        cells = [_fmt(np.max(np.abs([r[f'd_{k}'] for r in keep])) if keep else np.nan) for k in SHOWN]
        tag = f"{v}" + (" (shipped)" if v == shipped else "")
        print(f"| {tag} | {len(keep)} | " + " | ".join(cells) + " |")


def _pose_rows() -> list:
    if not hasattr(_pose_rows, "rows"):
        rows = []
        with patched(Q, "HARD_MAX_YAW_DEG", 90.0), patched(Q, "HARD_MAX_PITCH_DEG", 90.0):
            _pose_renders(rows)
        _pose_rows.rows = rows
    return _pose_rows.rows


def _pose_renders(rows: list) -> None:
    """Re-render each quality face at each yaw / pitch (``simulate.head_pose``) and measure it."""
    for name, _, a in CACHE.quality_faces():
        ref = _metrics(analyze_loaded(_photo(a, simulate.head_pose(a).image)))
        for kind in ("yaw_deg", "pitch_deg"):  # angle 0: the photo itself against its 0-deg re-render
            rows.append(_row(a, ref, face=name, kind=kind, angle=0))
        for kind, angles in (("yaw_deg", (5, 10, 15, 20, 25, 30)), ("pitch_deg", (-25, -15, -10, -5, 5, 10, 15, 25))):
            for ang in angles:
                b = analyze_loaded(_photo(a, simulate.head_pose(a, **{kind: float(ang)}).image))
                rows.append(_row(b, ref, face=name, kind=kind, angle=ang))


def _measured_vs_true(rows):
    print("\n| re-rendered | measured yaw / pitch (median over faces) |")
    print("|---|---|")
    for kind in ("yaw_deg", "pitch_deg"):
        for ang in sorted({r["angle"] for r in rows if r["kind"] == kind}):
            sel = [r for r in rows if r["kind"] == kind and r["angle"] == ang and "q" in r]
            print(f"| {kind.split('_')[0]} {ang:+g} | {np.median([r['q']['yaw_deg'] for r in sel]):+.1f} / "
                  f"{np.median([r['q']['pitch_deg'] for r in sel]):+.1f} |")


def q_max_yaw() -> None:
    rows = [r for r in _pose_rows() if r["kind"] == "yaw_deg"]
    print("\n`MAX_YAW_DEG` (quality), shipped 8.0: metric change vs re-rendered yaw (4 faces, 0.4 mm/px)\n")
    _by_level(rows, "angle", sorted({r["angle"] for r in rows}))
    _measured_vs_true(_pose_rows())
    _threshold_table("MAX_YAW_DEG", (4.0, 6.0, 8.0, 10.0, 12.0, 15.0), rows, "head turned", "yaw re-renders 5-30°")


def _hard(name: str, kind: str) -> None:
    rows = [r for r in _pose_rows() if r["kind"] == kind]
    shipped = getattr(Q, name)
    print(f"\n`{name}` (quality), shipped {shipped}: statuses and errors vs re-rendered "
          f"{kind.split('_')[0]} (4 faces; hard limits lifted to 90 deg while measuring)\n")
    _by_level(rows, "angle", sorted({r["angle"] for r in rows}))
    print(f"\n| {name} | re-renders it would refuse (turned_head) | measured ones: max \\|Δ jaw_width_mm\\| / "
          "\\|Δ jaw_angle_deg\\| / \\|Δ nlf_depth\\| |")
    print("|---|---|---|")
    for v in (15.0, 20.0, 25.0, 30.0):
        keep = [r for r in rows if r["status"] == "ok" and abs(r["q"][kind]) <= v]
        n_ref = sum(r["status"] == "ok" and abs(r["q"][kind]) > v for r in rows)
        cells = [_fmt(np.max(np.abs([r[f"d_{k}"] for r in keep]))) if keep else "–"
                 for k in ("jaw_width_mm", "jaw_angle_deg", "nlf_depth")]
        print(f"| {v:g}{' (shipped)' if v == shipped else ''} | {n_ref} of {len(rows)} | {' / '.join(cells)} |")


def q_hard_yaw() -> None:
    _hard("HARD_MAX_YAW_DEG", "yaw_deg")


def q_hard_pitch() -> None:
    _hard("HARD_MAX_PITCH_DEG", "pitch_deg")


def q_max_roll() -> None:
    rows = []
    for name, _, a in CACHE.quality_faces():
        ref = _metrics(a)
        for deg in (5, 10, 15, 20, 25, 30):
            b = analyze_loaded(_photo(a, simulate.roll(a, float(deg)).image))
            rows.append(_row(b, ref, face=name, roll=deg))
    print("\n`MAX_ROLL_DEG` (quality), shipped 15.0: metric change vs in-plane rotation (4 faces)\n")
    _by_level(rows, "roll", (5, 10, 15, 20, 25, 30))
    _threshold_table("MAX_ROLL_DEG", (10.0, 15.0, 20.0, 25.0), rows, "tilted sideways", "rotations 5-30°")


def _scale_rows() -> list:
    """Downscaled copies of the full-resolution faces: error vs full resolution and half-pixel jitter."""
    if not hasattr(_scale_rows, "rows"):
        rows = []
        with patched(Q, "MIN_FACE_WIDTH_PX", 1):
            for name, a, _ in CACHE.quality_faces():
                ref = _metrics(a)
                w0, mm0 = a.quality.face_width_px, a.calibration.mm_per_px
                targets = [("width", w, w / w0) for w in (100, 125, 150, 200, 250, 300, 400)]
                targets += [("mm/px", m, mm0 / m) for m in (0.3, 0.4, 0.5, 0.6, 0.7)]
                for kind, target, k in targets:
                    if k >= 1:
                        continue
                    out = []
                    for shift in (0.0, 0.5 / k):
                        img = a.photo.rgb if not shift else cv2.warpAffine(
                            a.photo.rgb, np.float32([[1, 0, shift], [0, 1, shift]]), a.photo.rgb.shape[1::-1],
                            flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
                        b = analyze_loaded(_photo(a, cv2.resize(img, None, fx=k, fy=k, interpolation=cv2.INTER_AREA)))
                        out.append(_row(b, ref, face=name, kind=kind, target=target))
                    for o in out:  # the calibration is expected to scale by 1 / k
                        o["d_cal_pct"] = 100.0 * ((1.0 + o["d_cal_pct"] / 100.0) * k - 1.0)
                    r = out[0]
                    r["jitter"] = {m: abs(out[0][f"d_{m}"] - out[1][f"d_{m}"]) for m in SHOWN}
                    rows.append(r)
        _scale_rows.rows = rows
    return _scale_rows.rows


def _scale_table(kind: str) -> None:
    rows = [r for r in _scale_rows() if r["kind"] == kind]
    print(f"| target {kind} | measured face width px / mm/px (median) | faces measured | "
          + " | ".join(f"{k}: max \\|error\\| / max jitter" for k in SHOWN) + " |")
    print("|---" * (len(SHOWN) + 3) + "|")
    for t in sorted({r["target"] for r in rows}):
        sel = [r for r in rows if r["target"] == t]
        ok = [r for r in sel if r["status"] == "ok"]
        cells = [f"{np.max(np.abs([r[f'd_{k}'] for r in ok])):.2f} / {np.max([r['jitter'][k] for r in ok]):.2f}"
                 if ok else "–" for k in SHOWN]
        wm = f"{np.median([r['width'] for r in sel if 'width' in r]):.0f} / {np.median([r['mm'] for r in sel if 'mm' in r]):.2f}"
        print(f"| {t:g} | {wm} | {len(ok)} of {len(sel)} | " + " | ".join(cells) + " |")


def q_min_face_width() -> None:
    print("\n`MIN_FACE_WIDTH_PX` (quality), shipped 150: the same faces downscaled, against full resolution\n")
    _scale_table("width")
    rows = [r for r in _scale_rows() if r["status"] == "ok"]
    print("\n| MIN_FACE_WIDTH_PX | photos measured (of all downscales) | max \\|error\\| jaw_width_mm / jaw_angle_deg / "
          "nlf_depth among them | max jitter (same) |")
    print("|---|---|---|---|")
    for v in (100, 125, 150, 200, 250):
        keep = [r for r in rows if r["width"] >= v]
        e = " / ".join(_fmt(np.max(np.abs([r[f"d_{k}"] for r in keep]))) for k in ("jaw_width_mm", "jaw_angle_deg", "nlf_depth"))
        j = " / ".join(_fmt(np.max([r["jitter"][k] for r in keep])) for k in ("jaw_width_mm", "jaw_angle_deg", "nlf_depth"))
        print(f"| {v}{' (shipped)' if v == Q.MIN_FACE_WIDTH_PX else ''} | {len(keep)} of {len(rows)} | {e} | {j} |")


def q_max_mm_per_px() -> None:
    print("\n`MAX_MM_PER_PX` (quality), shipped 0.5: the same faces downscaled to a coarser calibration\n")
    _scale_table("mm/px")
    rows = [r for r in _scale_rows() if r["status"] == "ok"]
    _threshold_table("MAX_MM_PER_PX", (0.3, 0.4, 0.5, 0.6, 0.7, 1.0), rows, "low resolution",
                     "every downscaled copy (both tables' targets)")


def _exposure_rows() -> list:
    if not hasattr(_exposure_rows, "rows"):
        rows = []
        for name, _, a in CACHE.quality_faces():
            ref = _metrics(a)
            for f in (0.2, 0.3, 0.4, 0.5, 0.7, 1.1, 1.2, 1.25, 1.3, 1.4, 1.5, 1.6, 2.0, 2.5):
                b = analyze_loaded(_photo(a, simulate.brightness(a, f).image))
                rows.append(_row(b, ref, face=name, factor=f))
        _exposure_rows.rows = rows
    return _exposure_rows.rows


def _exposure_levels(rows) -> None:
    print("| exposure × | face luminance / clipped fraction (median) | faces measured | "
          + " | ".join(f"{k}: median / max \\|Δ\\|" for k in SHOWN) + " |")
    print("|---" * (len(SHOWN) + 3) + "|")
    for f in sorted({r["factor"] for r in rows}):
        sel = [r for r in rows if r["factor"] == f and r["status"] == "ok"]
        cells = [f"{np.median(np.abs([r[f'd_{k}'] for r in sel])):.2f} / {np.max(np.abs([r[f'd_{k}'] for r in sel])):.2f}"
                 if sel else "–" for k in SHOWN]
        lum = f"{np.median([r['q']['face_luminance'] for r in sel]):.0f} / {np.median([r['q']['clipped_fraction'] for r in sel]):.3f}" if sel else "–"
        print(f"| {f:g} | {lum} | {len(sel)} | " + " | ".join(cells) + " |")


def q_luminance() -> None:
    rows = _exposure_rows()
    print("\n`LUMINANCE_RANGE` (quality), shipped (60.0, 220.0): metric change vs exposure (4 faces)\n")
    _exposure_levels(rows)
    ok = [r for r in rows if r["status"] == "ok"]
    print("\n| LUMINANCE_RANGE | photos not flagged too dark/bright (of %d) | " % len(ok)
          + " | ".join(f"max \\|Δ {k}\\|" for k in SHOWN) + " |")
    print("|---" * (len(SHOWN) + 2) + "|")
    for v in ((40.0, 220.0), (50.0, 220.0), (60.0, 220.0), (80.0, 220.0), (60.0, 180.0), (60.0, 200.0), (60.0, 240.0)):
        with patched(Q, "LUMINANCE_RANGE", v):
            keep = [r for r in ok if not any(w in f for f in Q.quality_flags(r["q"], r["mm"]) for w in ("too dark", "too bright"))]
        cells = [_fmt(np.max(np.abs([r[f"d_{k}"] for r in keep]))) if keep else "–" for k in SHOWN]
        print(f"| {v}{' (shipped)' if v == Q.LUMINANCE_RANGE else ''} | {len(keep)} | " + " | ".join(cells) + " |")


def q_clipped() -> None:
    rows = [r for r in _exposure_rows() if r["status"] == "ok"]
    print("\n`MAX_CLIPPED_FRACTION` (quality), shipped 0.05: metric change vs clipped fraction (same exposures)\n")
    print("| clipped fraction | photos | " + " | ".join(f"max \\|Δ {k}\\|" for k in SHOWN) + " |")
    print("|---" * (len(SHOWN) + 2) + "|")
    for lo, hi in ((0, 0.01), (0.01, 0.05), (0.05, 0.10), (0.10, 0.20), (0.20, 1.01)):
        sel = [r for r in rows if lo <= r["q"]["clipped_fraction"] < hi]
        cells = [_fmt(np.max(np.abs([r[f"d_{k}"] for r in sel]))) if sel else "–" for k in SHOWN]
        print(f"| {lo:g}-{min(hi, 1):g} | {len(sel)} | " + " | ".join(cells) + " |")
    _threshold_table("MAX_CLIPPED_FRACTION", (0.01, 0.02, 0.05, 0.10, 0.20), rows, "clipped", "exposures × 0.2-2.5")


def _grid_rows() -> list:
    rows = []
    with patched(Q, "MIN_FACE_WIDTH_PX", 1):
        for clip in sorted(GRID.glob("*.mpg")):
            cap = cv2.VideoCapture(str(clip))
            frames = []
            while True:
                ok, f = cap.read()
                if not ok:
                    break
                frames.append(cv2.cvtColor(f, cv2.COLOR_BGR2RGB))
            cap.release()
            tmpl = facemetrics.analyze_photo(SAMPLES / "astronaut_before.jpg").photo
            ms = []
            for i in range(0, len(frames), 3):
                h, w = frames[i].shape[:2]
                b = analyze_loaded(dataclasses.replace(tmpl, rgb=frames[i], scale=1.0, original_size=(w, h),
                                                       name=f"{clip.stem}_{i}"))
                if b.ok:
                    ms.append((b.quality.mouth_opening_ratio, _metrics(b), b))
            closed = [m for o, m, _ in ms if o < 0.05]
            if len(closed) < 3:
                continue
            ref = {k: float(np.median([m[k] for m in closed])) for k in METRICS}
            rows += [_row(b, ref, clip=clip.stem, opening=o) for o, _, b in ms]
    return rows


def q_mouth() -> None:
    rows = _grid_rows()
    bins = ((0, 0.05), (0.05, 0.10), (0.10, 0.15), (0.15, 0.20), (0.20, 0.30), (0.30, 1.0))
    print(f"\n`MAX_MOUTH_OPENING` (quality), shipped 0.15: GRID clips ({len({r['clip'] for r in rows})} with "
          f">= 3 closed-mouth frames), change against the clip's closed-mouth median\n")
    print("| opening ratio | frames | " + " | ".join(f"{k}: median / p90 \\|Δ\\|" for k in SHOWN) + " |")
    print("|---" * (len(SHOWN) + 2) + "|")
    for lo, hi in bins:
        sel = [r for r in rows if lo <= r["opening"] < hi]
        cells = [f"{np.median(np.abs([r[f'd_{k}'] for r in sel])):.2f} / {np.percentile(np.abs([r[f'd_{k}'] for r in sel]), 90):.2f}"
                 if sel else "–" for k in SHOWN]
        print(f"| {lo:g}-{hi:g} | {len(sel)} | " + " | ".join(cells) + " |")
    print(f"\n| MAX_MOUTH_OPENING | frames not flagged (of {len(rows)}) | "
          + " | ".join(f"p90 \\|Δ {k}\\| among them" for k in SHOWN) + " |")
    print("|---" * (len(SHOWN) + 2) + "|")
    for v in (0.05, 0.10, 0.15, 0.20, 0.30):
        with patched(Q, "MAX_MOUTH_OPENING", v):
            keep = [r for r in rows if not any("mouth open" in f for f in Q.quality_flags(r["q"], r["mm"]))]
        cells = [_fmt(np.percentile(np.abs([r[f"d_{k}"] for r in keep]), 90)) if keep else "–" for k in SHOWN]
        print(f"| {v}{' (shipped)' if v == Q.MAX_MOUTH_OPENING else ''} | {len(keep)} | " + " | ".join(cells) + " |")
    print("\n| London pair | mouth opening neutral / smiling | Δ jaw_width_mm | Δ jawline_height_mm | Δ jaw_angle_deg |")
    print("|---|---|---|---|---|")
    for neutral in sorted(LONDON.glob("*_neutral.jpg")):
        a = facemetrics.analyze_photo(neutral)
        b = facemetrics.analyze_photo(neutral.with_name(neutral.name.replace("_neutral", "_smiling")))
        d = _row(b, _metrics(a))
        print(f"| {neutral.name[:10]} | {a.quality.mouth_opening_ratio:.3f} / {b.quality.mouth_opening_ratio:.3f} | "
              f"{d['d_jaw_width_mm']:+.2f} | {d['d_jawline_height_mm']:+.2f} | {d['d_jaw_angle_deg']:+.2f} |")


# --------------------------------------------------------------------------- registry
SWEEPS = {
    "SAMPLE_HALF_WIDTH_MM": lambda: fold_sweep("SAMPLE_HALF_WIDTH_MM", (6.0, 8.0, 10.0, 12.0, 14.0)),
    "SLOPE_PENALTY": lambda: fold_sweep("SLOPE_PENALTY", (0.0, 0.01, 0.05, 0.1, 0.2, 0.3)),
    "LINE_SMOOTH_MM": lambda: fold_sweep("LINE_SMOOTH_MM", (0.05, 0.4, 0.8, 1.2, 2.0)),
    "REF_PERCENTILE": lambda: fold_sweep("REF_PERCENTILE", (75.0, 85.0, 90.0, 95.0, 98.0)),
    "LENGTH_FULL_EVIDENCE": lambda: fold_sweep("LENGTH_FULL_EVIDENCE", (0.75, 1.0, 1.5, 2.0, 3.0), length=True),
    "LENGTH_SMOOTH_MM": lambda: fold_sweep("LENGTH_SMOOTH_MM", (0.5, 1.0, 2.0, 3.0, 4.0), length=True),
    "SKIN_PERCENTILE": lambda: fold_sweep("SKIN_PERCENTILE", (50.0, 60.0, 75.0, 90.0), skin=True),
    "MAX_YAW_DEG": q_max_yaw,
    "MAX_ROLL_DEG": q_max_roll,
    "HARD_MAX_YAW_DEG": q_hard_yaw,
    "HARD_MAX_PITCH_DEG": q_hard_pitch,
    "MIN_FACE_WIDTH_PX": q_min_face_width,
    "MAX_MM_PER_PX": q_max_mm_per_px,
    "LUMINANCE_RANGE": q_luminance,
    "MAX_CLIPPED_FRACTION": q_clipped,
    "MAX_MOUTH_OPENING": q_mouth,
}


#: docs/sensitivity.md section of the first sweep (§1-§15 are bench/sensitivity.py's)
FIRST_SECTION = 16


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--only", nargs="+", choices=sorted(SWEEPS), metavar="NAME",
                   help="run only these constants' sweeps (" + ", ".join(SWEEPS) + ")")
    args = p.parse_args()
    if not SHARED_FACES.is_dir():
        print(f"({SHARED_FACES} absent: nothing to measure)")
        return
    for name in args.only or SWEEPS:
        sec = FIRST_SECTION + list(SWEEPS).index(name)
        print(f"\n## §{sec} `{name}` ({'folds' if hasattr(F, name) else 'quality'})", flush=True)
        t0 = time.perf_counter()
        SWEEPS[name]()
        print(f"\n({name}: {time.perf_counter() - t0:.0f} s)", flush=True)


if __name__ == "__main__":
    main()
