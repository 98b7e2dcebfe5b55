"""Accuracy of the 3-D pose / camera-distance correction in ``compare_photos``.

Re-renders faces with :func:`facemetrics.simulate.head_pose` and
:func:`facemetrics.simulate.camera_distance` (no true change, or a known
lift), each with a random error of the depth the method assumes (the whole
face's depth scaled by 0.85-1.2, the lower face's by a further 0.8-1.25) and
a pivot moved by up to +-3 cm, compares each with the original photo and
writes one row per case::

    python bench/bench_pose3d.py --set tuning  -o docs/data/pose3d_tuning.csv
    python bench/bench_pose3d.py --set heldout -o docs/data/pose3d_heldout.csv
    python bench/bench_pose3d.py --summary docs/data/pose3d_tuning.csv docs/data/pose3d_heldout.csv --plot docs/pose3d.png
    python bench/bench_pose3d.py --set tuning --beyond -o docs/data/pose3d_beyond_tuning.csv
    python bench/bench_pose3d.py --beyond-summary docs/data/pose3d_beyond_tuning.csv

``tuning`` faces (the bundled sample and London 003, 021, 024, 037) were
used to choose :data:`facemetrics.compare.POSE_MODEL_FRACTION`,
``CAMERA_FLOOR_MM``, their per-region values (``REGION_POSE_MODEL_FRACTION``,
``REGION_CAMERA_FLOOR_MM``) and ``POSE_ROW_FLOORS`` (2026-12-02, from the
per-row table ``--summary`` prints); ``heldout`` (the other 8 London faces and
the first 8 Canada faces) were not.  The ``uncorrected`` columns are what the
comparison read before the correction (measured lift + the subtracted pose
displacement).  Beside the four lift regions each row records the fold rows and
the per-photo landmark rows of :data:`OTHER_ROWS` (change, floor, verdict;
their truth is 0 in every case).  ``--real`` lists, beside the jawline, every
other row of the real pairs that reads a change beyond its floor.

Each row's ``*_verdict`` column is the comparison's (after the gate: ``uncertain`` where the gate
reads no lower-face change, e.g. beyond ``gate.VALIDATED_PITCH_DEG`` / ``VALIDATED_YAW_DEG``).  A table
this script writes now also has ``*_raw_verdict`` beside it, :func:`facemetrics.compare.verdict` of the
change against its floor before the gate: what the measurement alone says.  Every committed table has it
(``pose3d_tuning.csv`` and ``pose3d_heldout.csv`` since their re-run of 2026-12-04; they were written
before the column until then).  ``--beyond-summary`` reads the raw ones (a table
written before the column existed, such as the first runs of ``docs/data/pose3d_beyond_*.csv``, code
0576fa2 plus ``--beyond``, before the rule, has only ``*_verdict``, which was raw then, and is read
instead; the committed tables were regenerated with the column, every value and raw verdict equal to
those first runs, and re-run 2026-12-04 after f368598: docs/compare.md, 'Beyond the validated head pose').
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "faces"
sys.path.insert(0, str(ROOT))

from _common import write_rows  # noqa: E402  (bench/ is the script's folder)

#: (name, kind, params): kind "pose" -> simulate.head_pose kwargs, "camera" -> to_mm, "lift+..." -> 2 mm lift first
CASES = [
    *[(f"pitch{p:+g}", "pose", dict(pitch_deg=p)) for p in (-6, -3, -1.5, 1.5, 3, 6)],
    *[(f"yaw{y:+g}", "pose", dict(yaw_deg=y)) for y in (-5, 5)],
    ("pitch+2_yaw-3", "pose", dict(pitch_deg=2, yaw_deg=-3)),
    *[(f"camera{c}", "camera", c) for c in (300, 350, 550, 600)],
    ("lift2_pitch+3", "lift_pose", dict(pitch_deg=3)),
    ("lift2_pitch-3", "lift_pose", dict(pitch_deg=-3)),
    ("lift2_camera350", "lift_camera", 350),
]

#: ``--beyond``: pose changes beyond the validated range (pitch +-6, yaw +-5 deg) up to the refusal
#: limit (10 deg), no change or a 2 mm lift (2026-12-03; the default ``CASES`` and their tables unchanged)
BEYOND_CASES = [
    *[(f"pitch{p:+g}", "pose", dict(pitch_deg=p)) for p in (-10, -8, 8, 10)],
    *[(f"yaw{y:+g}", "pose", dict(yaw_deg=y)) for y in (-10, -7.5, 7.5, 10)],
    ("pitch+7_yaw-7", "pose", dict(pitch_deg=7, yaw_deg=-7)),
    ("lift2_pitch+8", "lift_pose", dict(pitch_deg=8)),
    ("lift2_pitch-8", "lift_pose", dict(pitch_deg=-8)),
    ("lift2_yaw+7.5", "lift_pose", dict(yaw_deg=7.5)),
    ("lift2_yaw-10", "lift_pose", dict(yaw_deg=-10)),
]

#: rows recorded beside the lifts (right and left)
OTHER_ROWS = ("nlf_depth", "nlf_contrast_pct", "jowl_sag_mm", "jaw_angle_deg", "mouth_corner_height_mm",
              "cheek_height_mm", "jawline_height_mm")


def faces(which: str) -> list[Path]:
    sample = [ROOT / "sample_images" / "astronaut_before.jpg"]
    london = sorted((SHARED / "london_ccby").glob("*_neutral.jpg"))
    canada = sorted((SHARED / "canada_ccby").glob("*.jpg"))
    tune_ids = ("london_003", "london_021", "london_024", "london_037")
    if which == "tuning":
        return sample + [p for p in london if p.name.startswith(tune_ids)]
    return [p for p in london if not p.name.startswith(tune_ids)] + canada[:8]


def run(which: str, out: Path, beyond: bool = False) -> None:
    """Write one row per case and face of ``which`` set to ``out``; ``beyond``: the cases of
    :data:`BEYOND_CASES` (their own random draws, and the upper-face residual recorded) instead of
    :data:`CASES`."""
    import facemetrics as fm
    from facemetrics import simulate
    from facemetrics.analyze import analyze_loaded
    from facemetrics.compare import METRICS, verdict

    kinds = {spec.metric: spec.kind for spec in METRICS}
    rows = []
    for path in faces(which):
        a = fm.analyze_photo(path)
        if not a.ok:
            print(f"skip {path.name}: {a.status}", flush=True)
            continue
        rng = np.random.default_rng(sum(path.name.encode()) + (1 if beyond else 0))
        for name, kind, kw in (BEYOND_CASES if beyond else CASES):
            pert = dict(depth_scale=float(rng.uniform(0.85, 1.2)), lower_depth_scale=float(rng.uniform(0.8, 1.25)))
            pivot = np.array(simulate.RENDER_PIVOT_MM) + np.r_[0.0, rng.uniform(-30, 30, 2)]
            image, truth = None, 0.0
            if kind.startswith("lift"):
                image = simulate.lift(a, 2.0)
                truth = image.truth["jawline_lift_mm"]
            if kind.endswith("pose"):
                s = simulate.head_pose(a, image=image, pivot_mm=tuple(pivot), **kw, **pert)
            else:
                s = simulate.camera_distance(a, 450.0, float(kw), image=image, **pert)
            b = analyze_loaded(dataclasses.replace(a.photo, rgb=s.image))
            t0 = time.perf_counter()
            c = fm.compare_photos(a, b)
            dt = time.perf_counter() - t0
            row = dict(face=path.name, case=name, status=c.status, seconds=round(dt, 3), truth_mm=truth,
                       pitch_true=s.truth.get("pitch_deg", 0.0), yaw_true=s.truth.get("yaw_deg", 0.0),
                       camera_pct_true=s.truth.get("camera_distance_change_pct", 0.0), **pert,
                       pivot_down_mm=pivot[1], pivot_back_mm=pivot[2])
            if beyond:
                row.update(residual_mm=c.alignment.residual_mm if c.alignment is not None else float("nan"),
                           pitch_est=c.cues.get("pose_pitch_deg", float("nan")) if c.cues else float("nan"),
                           yaw_est=c.cues.get("pose_yaw_deg", float("nan")) if c.cues else float("nan"))
            if c.status == "refused" or not c.lifts:
                rows.append(row)
                continue
            cu = c.cues
            row.update(pitch_est=cu["pose_pitch_deg"], yaw_est=cu["pose_yaw_deg"],
                       camera_pct_est=cu["camera_distance_change_pct"])
            for region in ("jawline", "jowl", "mouth_corner", "cheek"):
                for side in ("right", "left", "mean"):
                    ch = c.get(f"{region}_lift_mm", side)
                    corr = cu["pose_correction_mm"][region]
                    cc = 0.5 * (corr["right"] + corr["left"]) if side == "mean" else corr[side]
                    row[f"{region}_{side}_mm"] = ch.change
                    row[f"{region}_{side}_floor_mm"] = ch.noise_floor
                    row[f"{region}_{side}_verdict"] = ch.verdict
                    row[f"{region}_{side}_raw_verdict"] = verdict("lift", ch.change, ch.noise_floor)  # before the gate
                    row[f"{region}_{side}_uncorrected_mm"] = ch.change + cc
                    row[f"{region}_{side}_correction_mm"] = cc
            # the fold rows and the per-photo jowl sag (their truth is 0 in every case: the lift is on the jaw)
            for metric in OTHER_ROWS:
                for side in ("right", "left"):
                    ch = c.get(metric, side)
                    row[f"{metric}_{side}"] = ch.change
                    row[f"{metric}_{side}_floor"] = ch.noise_floor
                    row[f"{metric}_{side}_verdict"] = ch.verdict
                    row[f"{metric}_{side}_raw_verdict"] = verdict(kinds[metric], ch.change, ch.noise_floor)
            rows.append(row)
            print(f"{path.name[:14]:14s} {name:16s} jaw {row['jawline_mean_mm'] - truth:+.3f} "
                  f"(uncorr {row['jawline_mean_uncorrected_mm'] - truth:+.3f}, floor {row['jawline_mean_floor_mm']:.3f}) "
                  f"pitch {row['pitch_est']:+.2f} yaw {row['yaw_est']:+.2f} cam {row['camera_pct_est']:+.1f}% "
                  f"{dt:.2f}s", flush=True)
    write_rows(rows, out)


def no_change_jawline(d) -> dict[str, float]:
    """The false jawline lift of the no-change cases (``truth_mm == 0``) of a table :func:`run` wrote: the
    figures docs/guide.md quotes (the 2 mm lifts' errors left out, which :func:`summary`'s other lines count).

    Parameters
    ----------
    d : pandas.DataFrame
        One row per case (refused cases already left out): ``truth_mm``, ``jawline_mean_mm`` and
        ``jawline_mean_uncorrected_mm``, mm.

    Returns
    -------
    dict
        ``n`` (cases), ``uncorrected_median``, ``uncorrected_max``, ``median``, ``p95``, ``max``: |lift| of the
        jawline mean without and with the pose correction, mm.
    """
    z = d[d["truth_mm"] == 0]
    unc, err = z["jawline_mean_uncorrected_mm"].abs(), z["jawline_mean_mm"].abs()
    return dict(n=len(z), uncorrected_median=float(unc.median()), uncorrected_max=float(unc.max()),
                median=float(err.median()), p95=float(err.quantile(.95)), max=float(err.max()))


def summary(paths: list[Path], plot: Path | None) -> None:
    import pandas as pd

    for p in paths:
        d = pd.read_csv(p)
        d = d[d["status"] != "refused"]
        print(f"\n## {p.name}: {d.face.nunique()} faces, {len(d)} cases")
        for region in ("jawline", "jowl"):
            for side in ("mean", "right", "left"):
                err = d[f"{region}_{side}_mm"] - d["truth_mm"]
                unc = d[f"{region}_{side}_uncorrected_mm"] - d["truth_mm"]
                cover = (err.abs() <= d[f"{region}_{side}_floor_mm"]).mean()
                ratio = (err.abs() / d[f"{region}_{side}_correction_mm"].abs().clip(lower=0.05))
                print(f"{region:8s} {side:5s}: |error| median {err.abs().median():.3f} p95 {err.abs().quantile(.95):.3f} "
                      f"max {err.abs().max():.3f} mm (uncorrected: median {unc.abs().median():.3f} max {unc.abs().max():.3f}); "
                      f"within floor {100 * cover:.0f} %; |error|/|correction| p95 {ratio.quantile(.95):.3f}")
        pose = d[d.case.str.contains("pitch|yaw") & ~d.case.str.contains("camera")]
        print(f"pitch error: median {np.median(np.abs(pose.pitch_est - pose.pitch_true)):.2f}, "
              f"max {np.max(np.abs(pose.pitch_est - pose.pitch_true)):.2f} deg "
              f"(relative to the depth scale: max {np.max(np.abs(pose.pitch_est - pose.pitch_true * pose.depth_scale)):.2f})")
        print(f"yaw error: median {np.median(np.abs(pose.yaw_est - pose.yaw_true)):.2f}, "
              f"max {np.max(np.abs(pose.yaw_est - pose.yaw_true)):.2f} deg")
        cam = d[d.case.str.contains("camera")]
        rel = (1 + cam.camera_pct_est / 100) / (1 + cam.camera_pct_true / 100) - 1
        print(f"camera distance: |relative error| median {100 * rel.abs().median():.1f} %, max {100 * rel.abs().max():.1f} %")
        wrong = d[(d.truth_mm == 0) & d["jawline_mean_verdict"].isin(["lift", "sag"])]
        print(f"no-change cases with a lift/sag verdict: {len(wrong)} of {(d.truth_mm == 0).sum()}")
        z = no_change_jawline(d)
        print(f"no-change cases ({z['n']}), false jawline mean lift: uncorrected median {z['uncorrected_median']:.3f} "
              f"max {z['uncorrected_max']:.3f} mm; corrected median {z['median']:.3f} p95 {z['p95']:.3f} "
              f"max {z['max']:.3f} mm")
        _per_row_summary(d)
        lifted = d[d.truth_mm != 0]
        print(f"2 mm lifts: read {(lifted.jawline_mean_mm).min():.3f}-{(lifted.jawline_mean_mm).max():.3f} "
              f"(truth {lifted.truth_mm.min():.3f}-{lifted.truth_mm.max():.3f})")
    if plot is not None:
        _plot([pd.read_csv(p) for p in paths], plot)


def _raw_verdicts(d):
    """The table with each ``*_verdict`` column replaced by its ``*_raw_verdict`` (before the gate),
    where it has one; a table written before that column (no gate rule on the pose then) keeps its own."""
    d = d.copy()
    for c in [c for c in d.columns if c.endswith("_raw_verdict")]:
        d[c[: -len("_raw_verdict")] + "_verdict"] = d[c]
    return d


def beyond_summary(paths: list[Path]) -> None:
    """Per case of a ``--beyond`` table: refused, read ``uncertain`` (after the gate), the estimates,
    the jawline's error against its floor, and the no-change cases (the lift cases) with a verdict on
    any row: the raw verdicts (:func:`_raw_verdicts`, the measurement against its floor before the
    gate), which the rule beyond the validated pose would otherwise hide."""
    import pandas as pd

    verdicts = ("lift", "sag", "deeper", "shallower", "increase", "decrease")
    lifts = [f"{r}_{s}_verdict" for r in ("jawline", "jowl", "mouth_corner", "cheek") for s in ("right", "left", "mean")]
    others = [f"{m}_{s}_verdict" for m in OTHER_ROWS for s in ("right", "left")]
    for p in paths:
        gated = pd.read_csv(p)
        d = _raw_verdicts(gated)
        raw = any(c.endswith("_raw_verdict") for c in gated)
        print(f"\n## {p.name}: {d.face.nunique()} faces, {len(d)} cases "
              f"({'raw verdicts, before the gate' if raw else 'verdicts as written'})")
        print("| case | refused | lower face `uncertain` | pitch est | yaw est | upper-face residual mm | jawline mean "
              "\\|error\\| max mm | within its floor | jawline/jowl verdicts | cases with a verdict on any row (rows) |")
        print("|---|---|---|---|---|---|---|---|---|---|")
        for case, g in d.groupby("case", sort=False):
            m = g[g.status != "refused"]
            unc = (gated.loc[m.index, "jawline_mean_verdict"] == "uncertain").sum() if len(m) else 0
            err = (m["jawline_mean_mm"] - m["truth_mm"]).abs()
            inside = int((err <= m["jawline_mean_floor_mm"]).sum())
            jj = [c for c in lifts if c.startswith(("jawline", "jowl"))]
            has = m[lifts + others].isin(verdicts)
            which = sorted({c.rsplit("_", 2)[0] for c in has.columns[has.any()]})
            if (g.truth_mm != 0).any():  # lift cases: the jawline's claim is the point, the others listed
                claim = f"jawline mean reads {m['jawline_mean_mm'].min():.2f}-{m['jawline_mean_mm'].max():.2f} mm " \
                        f"({(m['jawline_mean_verdict'] == 'lift').sum()} `lift`)" if len(m) else "-"
            else:
                claim = str(int(m[jj].isin(verdicts).any(axis=1).sum()))
            print(f"| {case} | {(g.status == 'refused').sum()} of {len(g)} | {unc} | "
                  f"{g.pitch_est.min():+.2f} to {g.pitch_est.max():+.2f} | {g.yaw_est.min():+.2f} to {g.yaw_est.max():+.2f} | "
                  f"{g.residual_mm.min():.2f}-{g.residual_mm.max():.2f} | "
                  f"{err.max() if len(m) else float('nan'):.3f} | {inside} of {len(m)} | {claim} | "
                  f"{int(has.any(axis=1).sum())} ({', '.join(which) or '-'}) |")


def _per_row_summary(d) -> None:
    """Every lift region and the other recorded rows on the no-change cases: the error against the
    camera change and the pose change, and how many cases read a verdict beyond their floor."""
    z = d[d.truth_mm == 0]
    cam = z[z.case.str.startswith("camera")]
    pose = z[z.case.str.contains("pitch|yaw")]
    rel = (cam.camera_pct_est / 100).abs()
    ang = np.hypot(pose.pitch_est, pose.yaw_est)
    print("| row | camera cases: mean error at 30 / 35 / 55 / 60 cm | camera: 95th pct of larger side's |error| / "
          "|change| | pose: 95th pct of larger side's |error| / |correction| (lifts) or / deg (others) | "
          "pose: |error| max | no-change cases with a verdict (camera / pose) |")
    print("|---|---|---|---|---|---|")
    verdicts = ("lift", "sag", "deeper", "shallower", "increase", "decrease")
    for region in ("jawline", "jowl", "mouth_corner", "cheek"):
        if f"{region}_right_mm" not in z:
            continue
        cols = [f"{region}_{s}_mm" for s in ("right", "left")]
        by = cam.groupby(cam.camera_pct_true.round(0))[f"{region}_mean_mm"].mean()
        cr = np.maximum(*(cam[c].abs() for c in cols)) / rel
        cmax = np.maximum(*(pose[f"{region}_{s}_correction_mm"].abs() for s in ("right", "left"))).clip(lower=0.05)
        pr = np.maximum(*(pose[c].abs() for c in cols)) / cmax
        v = [f"{region}_{s}_verdict" for s in ("right", "left", "mean")]
        print(f"| {region} lift mm | {' / '.join(f'{x:+.3f}' for x in by.values)} | {cr.quantile(.95):.3f} | "
              f"{pr.quantile(.95):.3f} | {pose[cols].abs().max().max():.3f} | "
              f"{int(cam[v].isin(verdicts).any(axis=1).sum())} / {int(pose[v].isin(verdicts).any(axis=1).sum())} |")
    for metric in OTHER_ROWS:
        cols = [f"{metric}_{s}" for s in ("right", "left")]
        if cols[0] not in z:
            continue
        by = cam.groupby(cam.camera_pct_true.round(0))[cols[0]].mean()
        cr = np.maximum(*(cam[c].abs() for c in cols)) / rel
        pr = np.maximum(*(pose[c].abs() for c in cols)) / ang
        v = [f"{c}_verdict" for c in cols]
        print(f"| {metric} (right) | {' / '.join(f'{x:+.3f}' for x in by.values)} | {cr.quantile(.95):.3f} | "
              f"{pr.quantile(.95):.3f} /deg | {pose[cols].abs().max().max():.3f} | "
              f"{int(cam[v].isin(verdicts).any(axis=1).sum())} / {int(pose[v].isin(verdicts).any(axis=1).sum())} |")


def _plot(frames, path: Path) -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    import pandas as pd

    d = pd.concat(frames)
    d = d[(d.status != "refused") & (d.truth_mm == 0)]
    fig = Figure(figsize=(11, 4.2), dpi=110)
    FigureCanvasAgg(fig)
    ax1, ax2 = fig.subplots(1, 2)
    pose = d[d.case.str.startswith("pitch") & ~d.case.str.contains("yaw")]
    for col, colour, label in (("jawline_mean_uncorrected_mm", "#c03030", "before the 3-D correction"),
                               ("jawline_mean_mm", "#2050c0", "after")):
        ax1.scatter(pose.pitch_true, pose[col], s=12, color=colour, label=label, alpha=0.7)
    ax1.axhspan(-0.3, 0.3, color="0.9", zorder=0, label="±0.3 mm")
    ax1.set_xlabel("head pitch change, deg (chin up > 0)")
    ax1.set_ylabel("false jawline lift, mm")
    ax1.legend(fontsize=8)
    cam = d[d.case.str.startswith("camera")]
    dist = 450 * (1 + cam.camera_pct_true / 100) / 10
    for col, colour, label in (("jawline_mean_uncorrected_mm", "#c03030", "before the 3-D correction"),
                               ("jawline_mean_mm", "#2050c0", "after")):
        ax2.scatter(dist, cam[col], s=12, color=colour, label=label, alpha=0.7)
    ax2.axhspan(-0.3, 0.3, color="0.9", zorder=0)
    ax2.set_xlabel("camera distance of the after photo, cm (before: 45 cm)")
    ax2.set_ylabel("false jawline lift, mm")
    fig.suptitle("No true change: false jawline lift under head pitch and camera distance "
                 f"({d.face.nunique()} faces, random depth and pivot errors)", fontsize=10)
    fig.tight_layout()
    fig.savefig(path)
    print(f"wrote {path}")


def real() -> None:
    """The real photos of one person at 30/45/60 cm and in four poses (../shared/faces/debruine_cc0)."""
    import facemetrics as fm

    d = SHARED / "debruine_cc0"
    names = [f"camera_distance_{k}cm" for k in (30, 45, 60)] + [f"pose_variation_{k}" for k in (1, 2, 3, 4)]
    a = {n: fm.analyze_photo(d / f"debruine_{n}.jpg") for n in names}
    pairs = [(names[0], names[1]), (names[1], names[2]), (names[0], names[2]), (names[1], names[0]),
             (names[2], names[1])]
    pairs += [(names[3 + i], names[3 + j]) for i in range(4) for j in range(i + 1, 4)]
    print("| before → after | jawline lift mm | noise floor mm | verdict | pitch change deg | yaw change deg | "
          "camera distance change % | upper-face residual mm | status | named | other rows beyond their floor |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for x, y in pairs:
        c = fm.compare_photos(a[x], a[y])
        j = c.get("jawline_lift_mm", "mean")
        if c.status == "refused" and c.lifts:  # refused after the alignment: what it would have read
            fl = c.noise_floors.get(("jawline_lift_mm", "mean"), float("nan"))
            j = dataclasses.replace(j, change=c.lifts["jawline"]["mean"], noise_floor=fl, verdict="(refused)")
        named = "; ".join(k for k, w in (("pitch", "chin "), ("yaw", "face turned"), ("camera", "camera was"),
                                          ("expression", "expression"), ("identity", "different people"),
                                          ("resolution", "resolution"))
                          if any(w in m for m in c.messages))
        print(f"| {x} → {y} | {j.change:+.2f} | {j.noise_floor:.2f} | {j.verdict} | "
              f"{c.cues['pose_pitch_deg']:+.1f} | {c.cues['pose_yaw_deg']:+.1f} | "
              f"{c.cues['camera_distance_change_pct']:+.0f} | {c.alignment.residual_mm:.2f} | {c.status} | {named} | "
              f"{_beyond(c) or '–'} |")


#: the verdicts that claim a change (not within_noise, uncertain or refused)
_CLAIMS = ("lift", "sag", "deeper", "shallower", "increase", "decrease", "longer", "shorter")


def _beyond(c) -> str:
    """Every lift, fold and per-photo row of a comparison that reads a change, but the jawline's mean
    (shown in its own column): ``metric side change/floor verdict``."""
    return "; ".join(f"{ch.metric} {ch.side} {ch.change:+.2f}/{ch.noise_floor:.2f} {ch.verdict}" for ch in c.changes
                     if ch.verdict in _CLAIMS and not (ch.metric == "jawline_lift_mm" and ch.side == "mean")
                     and not ch.metric.startswith(("head_", "camera_")))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--set", choices=("tuning", "heldout"))
    ap.add_argument("-o", "--out", type=Path)
    ap.add_argument("--summary", nargs="+", type=Path)
    ap.add_argument("--plot", type=Path)
    ap.add_argument("--real", action="store_true", help="the real debruine camera-distance and pose pairs")
    ap.add_argument("--beyond", action="store_true",
                    help="the pose cases beyond the validated range (BEYOND_CASES) instead of CASES")
    ap.add_argument("--beyond-summary", nargs="+", type=Path, help="per-case table of --beyond CSVs")
    a = ap.parse_args()
    if a.real:
        real()
    elif a.beyond_summary:
        beyond_summary(a.beyond_summary)
    elif a.summary:
        summary(a.summary, a.plot)
    else:
        name = f"pose3d_beyond_{a.set}.csv" if a.beyond else f"pose3d_{a.set}.csv"
        run(a.set, a.out or ROOT / "docs" / "data" / name, beyond=a.beyond)


if __name__ == "__main__":
    main()
