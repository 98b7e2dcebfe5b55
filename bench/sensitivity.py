"""Sensitivity of the comparison's thresholds and parameters (docs/sensitivity.md §1-§15).

For a named constant, sets it to a few values around the current one (the module
attribute and every ``facemetrics`` module that imported it by name; restored
afterwards) and runs a fixed, cheap measurement set with no re-tuning::

    python bench/sensitivity.py                      # every constant (~10 min, 2 cores)
    python bench/sensitivity.py --only NORMALISE_FLOOR
    python bench/sensitivity.py --list

Measurement sets (built once per run, cached in memory):

- **accuracy**: the bundled sample photo plus London 003 (neutral) and Canada 003f
  from ``../shared/faces`` when present.  Per face: :func:`facemetrics.simulate.lift`
  of 0.5 and 2 mm (lift error = measured mean − truth), and every nuisance of
  :data:`facemetrics.simulate.NUISANCES` (false lift; the default floors' rule
  :func:`facemetrics.compare.noise_floors_from_nuisances` on these pairs).
- **pose**: :func:`facemetrics.simulate.head_pose` re-renders at 3-15° yaw or pitch
  with the random depth (×0.85-1.2, lower face ×0.8-1.25) and pivot (±3 cm) errors
  of ``bench/bench_pose3d.py``; no true change, plus a 2 mm lift at +10°.
- **light**: brightness ×0.5-1.5 and gamma 0.6-1.7 of the same faces.
- **capture**: roll 3-8° and blur 0.5-3 px (:func:`simulate.roll`, :func:`simulate.blur`);
  the real 15/30/45/60 cm photos of ``../shared/faces/debruine_cc0``.
- **study**: a simulated study (:func:`facemetrics.study.study`, 3 subjects, the
  microcurrent arm of the issue design, 640 px) run through :func:`facemetrics.batch.run_batch`.

Prints one markdown table per constant.  Not a test: nothing is asserted.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import os
import pickle
import resource
import subprocess
import sys
import tempfile
import time
from functools import lru_cache
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "faces"
sys.path.insert(0, str(ROOT))

import facemetrics as fm  # noqa: E402
from facemetrics import simulate  # noqa: E402
from facemetrics.analyze import analyze_loaded  # noqa: E402
from facemetrics.compare import noise_floors_from_nuisances  # noqa: E402

LIFTS = ("jawline_lift_mm", "mouth_corner_lift_mm")
TMP = Path(tempfile.gettempdir()) / f"fm_sensitivity_{os.getpid()}"


# ---------------------------------------------------------------- patching
@contextlib.contextmanager
def patched(module_name: str, attr: str, value):
    """Set ``module.attr = value`` and the same name in every facemetrics module that imported
    the original object by name (``from .x import NAME``); restore all afterwards.

    (grep, 2026-12-02: ``MAX_LUMINANCE_CHANGE`` is imported by ``capture`` and re-exported by
    ``compare``; ``REFUSE_*`` re-exported by ``compare``; the others are read as module
    attributes only.  Re-exports do not change behaviour but are patched as well.)
    """
    import importlib

    mod = importlib.import_module(module_name)
    orig = getattr(mod, attr)
    holders = [m for n, m in list(sys.modules.items())
               if n.startswith("facemetrics") and m is not None and getattr(m, attr, None) is orig]
    try:
        for m in holders:
            setattr(m, attr, value)
        yield
    finally:
        for m in holders:
            setattr(m, attr, orig)


def _render(a, s):
    """Analysis of a simulated image of ``a``'s photo (same name/EXIF, new pixels)."""
    return analyze_loaded(dataclasses.replace(a.photo, rgb=s.image if hasattr(s, "image") else s))


def _changes(c) -> dict:
    """``{(metric, side): change}`` of a comparison (as ``facemetrics.validate._changes``)."""
    return {(r.metric, r.side): r.change for r in c.to_frame().itertuples()}


def _floor(c, metric="jawline_lift_mm", side="mean") -> float:
    for ch in c.changes:
        if ch.metric == metric and ch.side == side:
            return float(ch.noise_floor)
    return float("nan")


def _verdict(c, metric="jawline_lift_mm", side="mean") -> str:
    for ch in c.changes:
        if ch.metric == metric and ch.side == side:
            return ch.verdict
    return ""


def _md(header: list[str], rows: list[list]) -> str:
    def fmt(v):
        if isinstance(v, float):
            return "nan" if not np.isfinite(v) else f"{v:.3f}" if abs(v) < 100 else f"{v:.0f}"
        return str(v)
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(fmt(v) for v in r) + " |" for r in rows]
    return "\n".join(lines)


# ---------------------------------------------------------------- measurement sets
@lru_cache(None)
def faces() -> tuple:
    paths = [ROOT / "sample_images" / "astronaut_before.jpg",
             SHARED / "london_ccby" / "london_003_f38_white_neutral.jpg",
             SHARED / "canada_ccby" / "canada_003f.jpg"]
    out = []
    for p in paths:
        if p.exists():
            a = fm.analyze_photo(p)
            if a.ok:
                out.append((p.stem, a))
    return tuple(out)


@lru_cache(None)
def accuracy_set() -> tuple:
    """Per face: (name, base, [(truth dict, lifted analysis)], {nuisance: analysis})."""
    out = []
    for name, a in faces():
        lifts = []
        for mm in (0.5, 2.0):
            s = simulate.lift(a, mm)
            lifts.append((s.truth, _render(a, s)))
        nuis = {k: _render(a, fn(a)) for k, fn in simulate.NUISANCES.items()}
        out.append((name, a, lifts, nuis))
    return tuple(out)


def measure_accuracy() -> dict:
    """Lift error, false lift under the nuisances, the floors' rule on them, residual, gate."""
    err = {m: [] for m in LIFTS}
    false = {m: [] for m in LIFTS}
    pairs, resid, not_ok, depth = [], [], 0, []
    t0 = time.perf_counter()
    for name, a, lifts, nuis in accuracy_set():
        for truth, b in lifts:
            c = fm.compare_photos(a, b)
            ch = _changes(c)
            for m in LIFTS:
                err[m].append(ch.get((m, "mean"), np.nan) - truth[m])
        for k, b in nuis.items():
            c = fm.compare_photos(a, b)
            ch = _changes(c)
            pairs.append(ch)
            for m in LIFTS:
                false[m].append(ch.get((m, "mean"), np.nan))
            depth += [ch.get(("nlf_depth", s), np.nan) for s in ("right", "left")]
            resid.append(c.alignment.residual_mm if c.alignment is not None else np.nan)
            not_ok += c.status != "ok"
    floors = noise_floors_from_nuisances(pairs)
    smile = [fm.compare_photos(a, b) for _, a, b in smile_pairs()]
    smile_resid = [c.alignment.residual_mm for c in smile if c.alignment is not None]
    return dict(
        smile_resid=", ".join(f"{x:.2f}" for x in smile_resid) or "n/a",
        jaw_err_max=float(np.nanmax(np.abs(err["jawline_lift_mm"]))),
        jaw_err_med=float(np.nanmedian(np.abs(err["jawline_lift_mm"]))),
        mc_err_max=float(np.nanmax(np.abs(err["mouth_corner_lift_mm"]))),
        jaw_false_max=float(np.nanmax(np.abs(false["jawline_lift_mm"]))),
        mc_false_max=float(np.nanmax(np.abs(false["mouth_corner_lift_mm"]))),
        jaw_floor_rule=floors.get(("jawline_lift_mm", "mean"), np.nan),
        mc_floor_rule=floors.get(("mouth_corner_lift_mm", "mean"), np.nan),
        depth_false_max=float(np.nanmax(np.abs(depth))),
        resid_max=float(np.nanmax(resid)), resid_med=float(np.nanmedian(resid)),
        not_ok=int(not_ok), n_pairs=len(pairs), seconds=time.perf_counter() - t0)


ACC_HEADER = ["value", "2 mm & 0.5 mm lifts: jawline \\|err\\| median / max, mm", "mouth-corner \\|err\\| max, mm",
              "nuisances: largest false jawline / mouth-corner lift, mm", "floors' rule on them (jaw / mc), mm",
              "largest nuisance \\|Δ nlf_depth\\|", "upper-face residual median / max, mm", "pairs not ok",
              "residual, real neutral → smiling pairs, mm"]


def _acc_row(v, r, current) -> list:
    return [f"**{v:g}**" if v == current else f"{v:g}",
            f"{r['jaw_err_med']:.3f} / {r['jaw_err_max']:.3f}", r["mc_err_max"],
            f"{r['jaw_false_max']:.3f} / {r['mc_false_max']:.3f}",
            f"{r['jaw_floor_rule']:.3f} / {r['mc_floor_rule']:.3f}", r["depth_false_max"],
            f"{r['resid_med']:.3f} / {r['resid_max']:.3f}", f"{r['not_ok']} of {r['n_pairs']}", r["smile_resid"]]


def sweep_accuracy(module: str, attr: str, values) -> str:
    import importlib

    current = getattr(importlib.import_module(module), attr)
    rows = []
    for v in values:
        with patched(module, attr, v):
            r = measure_accuracy()
        rows.append(_acc_row(v, r, current))
        print(f"  {attr}={v:g}: {r['seconds']:.0f} s", file=sys.stderr, flush=True)
    n = len(faces())
    return (f"{n} faces ({', '.join(x for x, _ in faces())}); {n * 2} lifts, {n * len(simulate.NUISANCES)} "
            f"nuisance pairs per value; current value in bold; last column: the upper-face residual of the real "
            f"London neutral → smiling pairs ({', '.join(x for x, _, _ in smile_pairs())}: eyes narrow in a "
            f"smile)\n\n" + _md(ACC_HEADER, rows))


# ---------------------------------------------------------------- pose re-renders
POSE_ANGLES = (3.0, 5.0, 8.0, 10.0, 12.0, 15.0)


@lru_cache(None)
def pose_set() -> tuple:
    """Re-renders: (face, axis, true angle, truth_mm, analysis, base) with bench_pose3d's random
    depth and pivot errors."""
    out = []
    for name, a in faces():
        rng = np.random.default_rng(sum(name.encode()))
        cases = [(ax, sgn * ang, 0.0) for ax in ("yaw", "pitch") for ang in POSE_ANGLES for sgn in (1, -1)]
        cases += [("yaw", 10.0, 2.0), ("pitch", 10.0, 2.0)]
        for ax, ang, mm in cases:
            pert = dict(depth_scale=float(rng.uniform(0.85, 1.2)), lower_depth_scale=float(rng.uniform(0.8, 1.25)))
            pivot = tuple(np.array(simulate.RENDER_PIVOT_MM) + np.r_[0.0, rng.uniform(-30, 30, 2)])
            image, truth = None, 0.0
            if mm:
                image = simulate.lift(a, mm)
                truth = image.truth["jawline_lift_mm"]
            s = simulate.head_pose(a, image=image, pivot_mm=pivot, **{f"{ax}_deg": ang}, **pert)
            b = _render(a, s)
            if b.ok:
                out.append((name, ax, ang, truth, b, a))
    return tuple(out)


@lru_cache(None)
def pose_results() -> tuple:
    """compare_photos on every re-render with the refuse limits out of the way (90°)."""
    from facemetrics.capture import capture_check

    rows = []
    with patched("facemetrics.compare.gate", "REFUSE_YAW_DEG", 90.0), \
            patched("facemetrics.compare.gate", "REFUSE_PITCH_DEG", 90.0):
        for name, ax, ang, truth, b, a in pose_set():
            c = fm.compare_photos(a, b)
            if not c.lifts:
                rows.append(dict(face=name, axis=ax, angle=ang, truth=truth, status=c.status, err=np.nan))
                continue
            cu = c.cues
            corr = cu["pose_correction_mm"]["jawline"]
            cc = 0.5 * (corr["right"] + corr["left"])
            chg = c.get("jawline_lift_mm", "mean").change
            cap = capture_check(a.to_row(), b.to_row())
            rows.append(dict(face=name, axis=ax, angle=ang, truth=truth, status=c.status,
                             err=chg - truth, uncorr=chg + cc - truth, floor=_floor(c), verdict=_verdict(c),
                             est=cu[f"pose_{ax}_deg"], pitch_est=cu["pose_pitch_deg"], yaw_est=cu["pose_yaw_deg"],
                             cap_diff=cap.differences.get(f"{ax}_deg", np.nan)))
    return tuple(rows)


def _pose_by_angle(axis: str) -> str:
    import pandas as pd

    d = pd.DataFrame(pose_results())
    d = d[d.axis == axis]
    rows = []
    for ang in POSE_ANGLES:
        g = d[(d.angle.abs() == ang) & (d.truth == 0)]
        gl = d[(d.angle.abs() == ang) & (d.truth != 0)]
        e = g.err.abs()
        rows.append([f"{ang:g}", len(g), float(g.uncorr.abs().median()), float(e.median()), float(e.max()),
                     float(g.floor.median()), f"{int((e <= g.floor).sum())} of {len(g)}",
                     float((g.est - g.angle).abs().max()),
                     (f"{float(gl.err.iloc[0] + gl.truth.iloc[0]):.3f} / {float(gl.truth.iloc[0]):.3f}"
                      if len(gl) else "")])
    return _md([f"\\|true {axis}\\|, deg", "renders (no change)", "uncorrected \\|false lift\\| median, mm",
                "corrected \\|error\\| median, mm", "max, mm", "jawline floor median, mm",
                "\\|error\\| ≤ floor", f"\\|{axis} estimate − truth\\| max, deg",
                "2 mm lift at +10°: read / truth, mm"], rows)


def sweep_refuse(axis: str) -> str:
    import pandas as pd

    d = pd.DataFrame(pose_results())
    d = d[(d.axis == axis) & np.isfinite(d.err)]
    rows = []
    for lim in (6.0, 8.0, 10.0, 12.0, 15.0):
        acc = d[d.est.abs() <= lim]
        z = acc[acc.truth == 0]
        rows.append([f"**{lim:g}**" if lim == 10.0 else f"{lim:g}", f"{len(acc)} of {len(d)}",
                     float(acc.err.abs().max()), float((acc.err.abs() / acc.floor).max()),
                     f"{int((z.verdict != 'within_noise').sum())} of {len(z)}"])
    table = _md([f"refuse limit (\\|estimated {axis}\\| >), deg", "re-renders accepted", "largest \\|jawline error\\|, mm",
                 "largest \\|error\\| / floor", "no-change pairs with a lift/sag verdict"], rows)
    worst = d[d.err.abs() > d.floor]
    wt = _md(["face", f"true {axis}, deg", "estimate, deg", "true lift, mm", "error, mm", "floor, mm", "status"],
             [[r.face[:16], f"{r.angle:+g}", r.est, r.truth, r.err, r.floor, r.status] for r in worst.itertuples()])
    return ("Jawline lift (mean) per true angle (re-renders, random depth/pivot errors):\n\n" + _pose_by_angle(axis)
            + "\n\nWhat each refuse limit would let through (same re-renders):\n\n" + table
            + "\n\nRe-renders whose \\|error\\| exceeds the floor:\n\n" + wt)


# ---------------------------------------------------------------- nose tip
def sweep_nose_tip() -> str:
    import pandas as pd

    cases = [x for x in pose_set() if x[3] == 0 and abs(x[2]) in (3.0, 5.0) or (x[1] == "pitch" and abs(x[2]) == 8.0)]
    rows = []
    for v in (2.0, 3.0, 4.0, 6.0, 8.0):
        res = []
        with patched("facemetrics.pose3d", "NOSE_TIP_RADIUS_MM", v):
            for name, ax, ang, truth, b, a in cases:
                c = fm.compare_photos(a, b)
                if not c.lifts:
                    continue
                cu = c.cues
                res.append(dict(ax=ax, ang=ang, pitch_err=cu["pose_pitch_deg"] - (ang if ax == "pitch" else 0.0),
                                yaw_err=cu["pose_yaw_deg"] - (ang if ax == "yaw" else 0.0),
                                jaw=c.get("jawline_lift_mm", "mean").change - truth))
        r = pd.DataFrame(res)
        p = r[r.ax == "pitch"]
        rows.append([f"**{v:g}**" if v == 4.0 else f"{v:g}", len(r), float(p.pitch_err.abs().median()),
                     float(p.pitch_err.abs().max()), float(r.yaw_err.abs().max()),
                     float(r.jaw.abs().median()), float(r.jaw.abs().max())])
    return (f"{len(cases)} re-renders (pitch ±3, ±5, ±8°, yaw ±3, ±5°; no true change; the renderer's depth ×0.85-1.2 "
            "so a pitch error up to ~20 % of the angle is the depth scale's, not the fit's)\n\n"
            + _md(["radius, mm", "pairs", "\\|pitch error\\| median, deg", "max, deg", "\\|yaw error\\| max, deg",
                   "\\|jawline error\\| median, mm", "max, mm"], rows))


# ---------------------------------------------------------------- lip midline
@lru_cache(None)
def smile_pairs() -> tuple:
    out = []
    for sid in ("london_003_f38_white", "london_021_m48_white", "london_024_m47_east_asian"):
        pn, ps = SHARED / "london_ccby" / f"{sid}_neutral.jpg", SHARED / "london_ccby" / f"{sid}_smiling.jpg"
        if pn.exists() and ps.exists():
            a, b = fm.analyze_photo(pn), fm.analyze_photo(ps)
            if a.ok and b.ok:
                out.append((sid, a, b))
    return tuple(out)


def sweep_lip_midline() -> str:
    rows = []
    for v in (2.0, 3.0, 4.0, 5.0):
        nz, lf, sm = [], [], []
        with patched("facemetrics.compare.measure", "LIP_MIDLINE_RADIUS_MM", v):
            for name, a, lifts, nuis in accuracy_set():
                nz += [fm.compare_photos(a, b).cues["mouth_elevation_mm"] for b in nuis.values()]
                lf += [fm.compare_photos(a, b).cues["mouth_elevation_mm"] for _, b in lifts]
            sm = [fm.compare_photos(a, b).cues.get("mouth_elevation_mm", np.nan) for _, a, b in smile_pairs()]
        rows.append([f"**{v:g}**" if v == 3.0 else f"{v:g}", float(np.max(np.abs(nz))), float(np.max(np.abs(lf))),
                     ", ".join(f"{x:+.2f}" for x in sm) or "n/a",
                     float(np.min(sm) / np.max(np.abs(nz))) if sm else np.nan])
    return ("`mouth_elevation_mm` (mouth corners' rise relative to the lower-lip midline disc) under the "
            "nuisances, the 0.5/2 mm lifts, and the real London neutral → smiling pairs (003, 021, 024)\n\n"
            + _md(["radius, mm", "nuisances: largest \\|elevation\\|, mm", "lifts: largest \\|elevation\\|, mm",
                   "smiles: elevation, mm", "smallest smile / largest nuisance"], rows))


# ---------------------------------------------------------------- light
@lru_cache(None)
def light_set() -> tuple:
    out = []
    for name, a in faces():
        for kind, v in [("bright", f) for f in (0.5, 0.65, 0.8, 1.2, 1.35, 1.5)] + \
                       [("gamma", g) for g in (0.6, 0.7, 1.4, 1.7)]:
            s = simulate.brightness(a, v) if kind == "bright" else simulate.gamma(a, v)
            b = _render(a, s)
            if b.ok:
                out.append((name, f"{kind} {v:g}", a, b))
    return tuple(out)


def sweep_luminance() -> str:
    import pandas as pd

    res = []
    for name, case, a, b in light_set():
        c = fm.compare_photos(a, b)
        ratio = b.quality.face_luminance / a.quality.face_luminance - 1
        ch = _changes(c)
        dmax = max(abs(ch.get(("nlf_depth", s), np.nan)) for s in ("right", "left"))
        fl = c.noise_floors.get(("nlf_depth", "side"), np.nan)
        cmax = max(abs(ch.get(("nlf_contrast_pct", s), np.nan)) for s in ("right", "left"))
        cfl = c.noise_floors.get(("nlf_contrast_pct", "side"), np.nan)
        res.append(dict(face=name, case=case, ratio=ratio, depth=dmax / fl, contrast=cmax / cfl,
                        jaw=abs(ch.get(("jawline_lift_mm", "mean"), np.nan)), jaw_floor=_floor(c), lum=a.quality.face_luminance))
    d = pd.DataFrame(res).sort_values("ratio")
    per = _md(["face", "change", "luminance ratio − 1", "\\|Δ nlf_depth\\| / floor", "\\|Δ nlf_contrast\\| / floor",
               "\\|jawline\\|, mm (floor)"],
              [[r.face[:14], r.case, r.ratio, r.depth, r.contrast, f"{r.jaw:.3f} ({r.jaw_floor:.3f})"]
               for r in d.itertuples()])
    rows = []
    for lim in (0.10, 0.15, 0.20, 0.30, 0.40):
        acc = d[d.ratio.abs() <= lim]
        rows.append([f"**{lim:g}**" if lim == 0.2 else f"{lim:g}", f"{len(acc)} of {len(d)}",
                     float(acc.depth.max()) if len(acc) else np.nan,
                     float(acc.contrast.max()) if len(acc) else np.nan,
                     float(acc.jaw.max()) if len(acc) else np.nan])
    return ("Per light change (fold rows: larger of right/left, over the default floor):\n\n" + per
            + "\n\nWhat each warning limit would pass without a lighting warning:\n\n"
            + _md(["limit (\\|ratio − 1\\| ≤)", "pairs passed", "largest \\|Δ nlf_depth\\| / floor",
                   "largest \\|Δ nlf_contrast\\| / floor", "largest \\|jawline\\|, mm"], rows))


# ---------------------------------------------------------------- capture
def sweep_capture_limits() -> str:
    import pandas as pd
    from facemetrics.capture import LIMITS, capture_check

    d = pd.DataFrame(pose_results())
    d = d[(d.truth == 0) & np.isfinite(d.err)]
    rows = []
    for ax in ("pitch", "yaw"):
        for ang in (3.0, 5.0, 8.0, 10.0):
            g = d[(d.axis == ax) & (d.angle.abs() == ang)]
            rows.append([f"{ax} {ang:g}°", len(g), float(g.cap_diff.abs().median()),
                         f"{int((g.cap_diff.abs() > LIMITS[f'{ax}_deg']).sum())} of {len(g)}",
                         float(g.err.abs().max()), float(g.floor.median()), float((g.err.abs() / g.floor).max())])
    other = []
    for name, a in faces():
        for kind, v in [("roll", r) for r in (3.0, 5.0, 8.0)] + [("blur", s) for s in (0.5, 1.0, 2.0, 3.0)]:
            s = simulate.roll(a, v) if kind == "roll" else simulate.blur(a, v)
            b = _render(a, s)
            if not b.ok:
                continue
            c = fm.compare_photos(a, b)
            cap = capture_check(a.to_row(), b.to_row())
            ch = _changes(c)
            other.append(dict(kind=kind, v=v, face=name, diff=cap.differences.get(
                "roll_deg" if kind == "roll" else "sharpness_frac", np.nan),
                err=abs(ch.get(("jawline_lift_mm", "mean"), np.nan)), floor=_floor(c),
                depth=max(abs(ch.get(("nlf_depth", s_), np.nan)) for s_ in ("right", "left"))
                / c.noise_floors.get(("nlf_depth", "side"), np.nan), status=c.status))
    o = pd.DataFrame(other)
    for (kind, v), g in o.groupby(["kind", "v"]):
        lim = LIMITS["roll_deg" if kind == "roll" else "sharpness_frac"]
        asked = (g["diff"].abs() > lim) if kind == "roll" else (g["diff"] < -lim)
        rows.append([f"{kind} {v:g}{'°' if kind == 'roll' else ' px'}", len(g), float(g["diff"].abs().median()),
                     f"{int(asked.sum())} of {len(g)}", float(g.err.max()), float(g.floor.median()),
                     float((g.err / g.floor).max()) if len(g) else np.nan])
    tbl = _md(["difference from the baseline (true)", "pairs", "capture's reading, median (deg or sharpness fraction)",
               "retake asked", "largest \\|jawline error\\|, mm", "jawline floor median, mm",
               "largest \\|error\\| / floor"], rows)
    xo = _md(["case", "largest \\|Δ nlf_depth\\| / floor", "statuses"],
             [[f"{k} {v:g}", float(g.depth.max()), ", ".join(sorted(set(g.status)))]
              for (k, v), g in o.groupby(["kind", "v"])])
    return (f"Current limits: pitch {LIMITS['pitch_deg']:g}°, yaw {LIMITS['yaw_deg']:g}°, roll "
            f"{LIMITS['roll_deg']:g}°, sharpness −{100 * LIMITS['sharpness_frac']:g} %.  No true change in any pair; "
            "pose rows are the re-renders of §10/§11 (capture reads the single-photo landmark pose).\n\n"
            + tbl + "\n\nFold depth on the roll / blur pairs:\n\n" + xo)


def sweep_selfie_distance() -> str:
    from facemetrics.capture import capture_check

    d = SHARED / "debruine_cc0"
    if not d.is_dir():
        return f"skipped: {d} is absent"
    cms = [15, 30, 45, 60]
    an = {k: fm.analyze_photo(d / f"debruine_camera_distance_{k}cm.jpg") for k in cms}
    an = {k: a for k, a in an.items() if a.ok}
    pairs = [(x, y) for x in an for y in an if x != y and 30 <= x <= 60]
    meas = []
    for x, y in pairs:
        diff = capture_check(an[x].to_row(), an[y].to_row()).differences["distance_pct"]
        meas.append((x, y, diff))
    rows = [[f"{x} → {y}", f"{100 * (y / x - 1):+.0f}", f"{diff:+.0f}"] for x, y, diff in meas]
    hint = []
    for assumed in (30.0, 35.0, 40.0, 45.0, 50.0):
        errs = [abs(abs(diff) / 100 * assumed - abs(y - x)) for x, y, diff in meas]
        hint.append([f"**{assumed:g}**" if assumed == 40 else f"{assumed:g}", float(np.median(errs)), float(np.max(errs))])
    best = [abs(abs(diff) / 100 * x - abs(y - x)) for x, y, diff in meas]
    hint.append(["(the true baseline distance)", float(np.median(best)), float(np.max(best))])
    return ("Real photos of one person at 15/30/45/60 cm (`debruine_cc0`, baseline 30-60 cm; capture_check's "
            "distance from the iris distance in px):\n\n"
            + _md(["baseline → new, cm", "true change, %", "capture_check distance_pct"], rows)
            + "\n\nError of the 'x cm closer/further' hint (before rounding to 5 cm) for each assumed baseline "
              "distance, over these pairs:\n\n"
            + _md(["SELFIE_DISTANCE_CM", "\\|hint − true cm\\| median", "max"], hint))


# ---------------------------------------------------------------- study: n_boot, _WORKER_KEEP
@lru_cache(None)
def study_dirs() -> tuple[Path, Path]:
    from facemetrics.batch import run_batch
    from facemetrics.study import DEFAULT_DESIGN, study

    d = TMP / "study"
    info = study(ROOT / "sample_images" / "astronaut_before.jpg", d / "photos", subjects=3,
                 design={"microcurrent": DEFAULT_DESIGN["microcurrent"]}, max_side=640, seed=0)
    run_batch(info.folder, d / "out", manifest=info.manifest, workers=1, progress=False)
    return info.folder, d / "out"


def sweep_n_boot() -> str:
    import pandas as pd
    from facemetrics.decay import analyze_series

    _, out = study_dirs()
    long = pd.read_csv(out / "long.csv", keep_default_na=False, na_values=[""])
    data = long[(long.metric == "jawline_lift_mm") & (long.side == "mean")]
    data = data[np.isfinite(pd.to_numeric(data["value"], errors="coerce"))]
    keys = ("peak_change", "half_life_h", "change_24h_test")
    rows, seeds = [], range(8)
    for nb in (200, 400, 1000, 2000):
        t0 = time.process_time()
        fits = [analyze_series(data, n_boot=nb, seed=s, per_subject=False).fits[0] for s in seeds]
        dt = (time.process_time() - t0) / len(seeds)
        cells = []
        for k in keys:
            lo = np.array([getattr(f, f"{k}_ci_low") for f in fits], float)
            hi = np.array([getattr(f, f"{k}_ci_high") for f in fits], float)
            cells.append(f"{lo.std(ddof=1):.3f} / {hi.std(ddof=1):.3f} (width {np.mean(hi - lo):.2f})")
        verdicts = pd.Series([f.verdict for f in fits]).value_counts()
        rows.append([f"**{nb}**" if nb == 400 else f"{nb}", *cells,
                     ", ".join(f"{k}×{v}" for k, v in verdicts.items()), f"{dt:.2f}"])
    f0 = analyze_series(data, n_boot=400, seed=0, per_subject=False).fits[0]
    return (f"Simulated study: 3 subjects × the issue's microcurrent arm (2 mm peak, 3 h half-life; "
            f"{len(data)} jawline_lift_mm mean changes), pooled fit; bootstrap = "
            f"{f0.bootstrap}; equivalence margin ±{max(f0.smallest_meaningful_change, f0.noise_floor):.2f} mm, 24 h test "
            f"CI at {100 * f0.test_confidence:g} %.  Monte-Carlo SD of each 95 % CI limit over {len(seeds)} seeds "
            "(the data fixed, only the resampling changes), beside the CI's mean width:\n\n"
            + _md(["n_boot", "peak change CI low / high SD, mm", "half-life CI low / high SD, h",
                   "24 h test CI (the verdict's) low / high SD, mm", "verdicts over the seeds",
                   "CPU s per fit"], rows))


def _keep_child(keep: int, folder: str, out: str) -> None:
    """Child process: one batch run with ``_WORKER_KEEP = keep``; prints analyses and peak RSS."""
    import facemetrics.analyze as an_mod
    from facemetrics.batch import run_batch

    calls = [0]
    orig = an_mod.analyze_photo

    def counting(*a, **k):
        calls[0] += 1
        return orig(*a, **k)

    an_mod.analyze_photo = counting
    with patched("facemetrics.batch.workers", "_WORKER_KEEP", keep):
        manifest = Path(folder) / "manifest.csv"
        run_batch(folder, out, manifest=manifest if manifest.exists() else None, workers=1, progress=False)
    print(f"RESULT {calls[0]} {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f}")


def sweep_worker_keep() -> str:
    from facemetrics.study import DEFAULT_DESIGN, study

    d = TMP / "keep"
    info = study(ROOT / "sample_images" / "astronaut_before.jpg", d / "photos", subjects=1,
                 design={"microcurrent": DEFAULT_DESIGN["microcurrent"]}, max_side=1600, seed=0)
    n_photos = len(list(info.folder.rglob("*.png"))) + len(list(info.folder.rglob("*.jpg")))
    rows = []
    for keep in (2, 4, 8, 12, 24):
        r = subprocess.run([sys.executable, __file__, "--keep-child", str(keep), str(info.folder),
                            str(d / f"out{keep}")], capture_output=True, text=True, check=False)
        line = [x for x in r.stdout.splitlines() if x.startswith("RESULT")]
        calls, rss = (line[0].split()[1:] if line else ("?", "?"))
        rows.append([f"**{keep}**" if keep == 12 else f"{keep}", calls, rss])
    a = fm.analyze_photo(next(iter(sorted(info.folder.rglob("*.*g")))))
    size_1600 = len(pickle.dumps(a)) / 2 ** 20
    from _common import phone_photo
    p = phone_photo(d / "phone.jpg")
    size_12mp = len(pickle.dumps(fm.analyze_photo(p))) / 2 ** 20
    return (f"One simulated subject, one 10-photo session ({n_photos} photos, 1600 px long side, 9 comparisons "
            "with the baseline), `run_batch(workers=1)` in a fresh process per value:\n\n"
            + _md(["_WORKER_KEEP", "analyze_photo calls (photos + re-measurements)", "peak RSS, MB"], rows)
            + f"\n\nSize of one PhotoAnalysis (pickled): {size_1600:.1f} MB at 1600 px, {size_12mp:.1f} MB for a "
              f"12 MP phone JPEG (reduced decode): the memo holds at most _WORKER_KEEP of them per process.")


# ---------------------------------------------------------------- registry
SPECS = {
    "GRID_MARGIN_MM": ("align", 1, lambda: sweep_accuracy("facemetrics.align", "GRID_MARGIN_MM", (5.0, 10.0, 20.0))),
    "GRID_BELOW_CHIN_MM": ("align", 2, lambda: sweep_accuracy("facemetrics.align", "GRID_BELOW_CHIN_MM",
                                                              (10.0, 20.0, 40.0))),
    "NORMALISE_SIGMA_MM": ("align", 3, lambda: sweep_accuracy("facemetrics.align", "NORMALISE_SIGMA_MM",
                                                              (1.5, 2.0, 2.5, 3.0, 4.0))),
    "NORMALISE_FLOOR": ("align", 4, lambda: sweep_accuracy("facemetrics.align", "NORMALISE_FLOOR",
                                                           (0.5, 1.0, 2.0, 3.5, 5.0))),
    "BRIDGE_HALF_WIDTH_MM": ("align", 5, lambda: sweep_accuracy("facemetrics.align", "BRIDGE_HALF_WIDTH_MM",
                                                                (3.0, 4.5, 6.0, 7.5, 9.0))),
    "EYE_MARGIN_MM": ("align", 6, lambda: sweep_accuracy("facemetrics.align", "EYE_MARGIN_MM",
                                                         (1.0, 2.0, 3.0, 4.0, 5.0))),
    "_WORKER_KEEP": ("batch.workers", 7, sweep_worker_keep),
    "SELFIE_DISTANCE_CM": ("capture", 8, sweep_selfie_distance),
    "LIMITS": ("capture", 9, sweep_capture_limits),
    "REFUSE_YAW_DEG": ("compare.gate", 10, lambda: sweep_refuse("yaw")),
    "REFUSE_PITCH_DEG": ("compare.gate", 11, lambda: sweep_refuse("pitch")),
    "MAX_LUMINANCE_CHANGE": ("compare.gate", 12, sweep_luminance),
    "LIP_MIDLINE_RADIUS_MM": ("compare.measure", 13, sweep_lip_midline),
    "n_boot": ("decay.claim", 14, sweep_n_boot),
    "NOSE_TIP_RADIUS_MM": ("pose3d", 15, sweep_nose_tip),
}


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", action="append", help="constant name (repeatable); default: all")
    ap.add_argument("--list", action="store_true")
    ap.add_argument("--keep-child", nargs=3, metavar=("KEEP", "FOLDER", "OUT"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.keep_child:
        _keep_child(int(args.keep_child[0]), args.keep_child[1], args.keep_child[2])
        return
    if args.list:
        for k, (m, n, _) in SPECS.items():
            print(f"§{n} {k} ({m})")
        return
    names = args.only or list(SPECS)
    bad = [n for n in names if n not in SPECS]
    if bad:
        sys.exit(f"unknown constant(s) {bad}; --list shows them")
    t_all = time.perf_counter()
    try:
        for n in names:
            mod, sec, fn = SPECS[n]
            t0 = time.perf_counter()
            text = fn()
            print(f"\n## §{sec} `{n}` ({mod})\n\n{text}\n\n({time.perf_counter() - t0:.0f} s)", flush=True)
    finally:
        import shutil
        shutil.rmtree(TMP, ignore_errors=True)
    print(f"\ntotal {time.perf_counter() - t_all:.0f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
