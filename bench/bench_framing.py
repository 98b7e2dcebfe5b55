"""Framing alone: the same face photographed tightly and with a wide frame, through ``compare_photos``.

An audit (2026-12-04) found that a jittered copy of a face pasted into a canvas twice its size reads as a
5-6 mm jawline lift with status ``ok``: Face Mesh's landmarks depend on how much of the frame the face
fills.  This script measures, per pair (before = the photo as it is, after = a jittered copy
(:func:`facemetrics.simulate.photo_jitter`, :data:`~facemetrics.simulate.DEFAULT_JITTER`) re-framed), the
change of every landmark-based and per-photo row against its floor, and the framing cue
:func:`facemetrics.compare.gate.framing_ratio` (the larger over the smaller of the two photos' face
fractions: the Face Mesh face oval's bounding-box width / the image width).

Framings: pad factor 1.0 (jitter only), 1.25, 1.5, 1.75, 2.0, 2.5 on a white canvas and an edge-padded one
(``cv2.BORDER_REPLICATE``), and a centred crop to 0.8 of each side.  With ``--camera`` (2026-12-04, h2) also
the same pads reduced back to the photo's size (``camera``: the face shrinks in pixels and in the frame as
when the camera moves back, the canvas stays) and the 0.8 crop enlarged back (``zoom``).  With ``--nuisances`` it also runs
every :data:`facemetrics.simulate.NUISANCES` pair (nuisance-only, no re-framing).

    python bench/bench_framing.py --set tuning  [--out docs/data/framing_tuning.csv]
    python bench/bench_framing.py --set heldout [--nuisances] [--limit N]
    python bench/bench_framing.py --summary docs/data/framing_tuning.csv [more CSVs]
    python bench/bench_framing.py --set tuning --why --out docs/data/framing_why.csv
    python bench/bench_framing.py --why-summary docs/data/framing_why.csv
    python bench/bench_framing.py --set tuning --camera --pads 1.0 2.0 --fixed-framing --out /tmp/ff.csv

``tuning``: the 12 London neutral portraits and the sample's before photo (docs/accuracy.md's tuning
faces); ``heldout``: the Canada faces.  Needs ``/work/shared/faces``.  Prints one line per pair and
writes a CSV (one row per pair: cue, status, max |change| / floor over the landmark rows and over the
dense-flow lift rows, and every landmark row's change / floor).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from _common import write_rows  # noqa: E402
from facemetrics import simulate  # noqa: E402
from facemetrics.analyze import analyze_photo  # noqa: E402
from facemetrics.compare import compare_photos  # noqa: E402
import importlib  # noqa: E402
gate_mod = importlib.import_module("facemetrics.compare.gate")

FACES = Path("/work/shared/faces")
PADS = (1.0, 1.25, 1.5, 1.75, 2.0, 2.5)
#: the per-photo rows the brief names, besides every ``*_landmarks_mm`` row
PER_PHOTO = ("jawline_height_mm", "jaw_width_mm", "lower_face_area_mm2", "jowl_sag_mm", "jaw_angle_deg",
             "mouth_corner_height_mm", "cheek_height_mm")


def landmark_row(metric: str) -> bool:
    """Is ``metric`` a landmark-based or per-photo row (the rows the framing gate reaches)?"""
    return metric.endswith("_landmarks_mm") or metric in PER_PHOTO


def flow_lift_row(metric: str) -> bool:
    """Is ``metric`` a dense-flow lift row?"""
    return metric.endswith("_lift_mm")


def framed(rgb: np.ndarray, kind: str, k: float) -> np.ndarray:
    """``rgb`` re-framed: pasted centred into a canvas ``k`` times its size (``white`` or ``edge``
    padding), or (``crop``) cut to ``k`` of each side about its centre; ``camera``: padded ``k`` times
    (white) and reduced back to the photo's size (the face's pixels and its fraction of the frame both
    shrink by ``k``, the canvas stays: a camera moved back, without the perspective change); ``zoom``: cut
    to ``k`` and enlarged back (a digital zoom: the face's pixels and fraction both grow by ``1 / k``)."""
    h, w = rgb.shape[:2]
    if kind == "camera":  # the camera moved back k times (no perspective): face pixels and fraction both / k
        return cv2.resize(framed(rgb, "white", k), (w, h), interpolation=cv2.INTER_AREA)
    if kind == "zoom":  # a digital zoom: cut to k of each side, enlarged back to the photo's size
        return cv2.resize(framed(rgb, "crop", k), (w, h), interpolation=cv2.INTER_CUBIC)
    if kind == "crop":
        ch, cw = int(round(h * k)), int(round(w * k))
        y0, x0 = (h - ch) // 2, (w - cw) // 2
        return np.ascontiguousarray(rgb[y0:y0 + ch, x0:x0 + cw])
    if k == 1.0:
        return rgb
    ph, pw = int(round(h * (k - 1) / 2)), int(round(w * (k - 1) / 2))
    if kind == "white":
        return cv2.copyMakeBorder(rgb, ph, ph, pw, pw, cv2.BORDER_CONSTANT, value=(255, 255, 255))
    return cv2.copyMakeBorder(rgb, ph, ph, pw, pw, cv2.BORDER_REPLICATE)


#: the jaw contour of the face oval (ear to ear under the chin), for :func:`why`
JAW = (361, 288, 397, 365, 379, 378, 400, 377, 152, 148, 176, 149, 150, 136, 172, 58, 132)


def _landmarks(rgb: np.ndarray) -> np.ndarray:
    from facemetrics.landmarks import detect_landmarks

    return detect_landmarks(np.ascontiguousarray(rgb)).points[:, :2]


def _detector_box(rgb: np.ndarray) -> np.ndarray:
    """The short-range face detector's box (Face Mesh's own detector, which places its crop), ``(x0, y0, x1, y1)``
    px of ``rgb``."""
    from facemetrics import landmarks as lmk

    small = lmk.detection_input(rgb)
    with lmk._lock:
        res = lmk._get_mesh().detectors[0].process(small)
    b = max(res.detections, key=lambda d: d.score[0]).location_data.relative_bounding_box
    h, w = rgb.shape[:2]
    return np.array([b.xmin * w, b.ymin * h, (b.xmin + b.width) * w, (b.ymin + b.height) * h])


def _two_pass(rgb: np.ndarray, side: float = 2.5) -> np.ndarray:
    """Face Mesh again on a square ``side`` times the first pass's face-oval width about its centre (edges
    replicated beyond the picture): the detector then sees the face at one framing whatever the photo's."""
    from facemetrics.geometry import FACE_OVAL

    p = _landmarks(rgb)
    xs, ys = p[list(FACE_OVAL), 0], p[list(FACE_OVAL), 1]
    n = int(round(side * np.ptp(xs)))
    x0, y0 = int(round((xs.min() + xs.max()) / 2 - n / 2)), int(round((ys.min() + ys.max()) / 2 - n / 2))
    big = cv2.copyMakeBorder(rgb, n, n, n, n, cv2.BORDER_REPLICATE)
    q = _landmarks(big[y0 + n:y0 + 2 * n, x0 + n:x0 + 2 * n])
    return q + (x0, y0)


def _shift(p0: np.ndarray, p1: np.ndarray, width: float) -> tuple[float, float]:
    """How far landmarks ``p1`` (mapped into ``p0``'s pixels) lie from ``p0`` once a similarity is fitted
    (the non-rigid part: what moves the metrics): RMS over the 478 points and the largest jaw point, % of the
    face-oval width."""
    from facemetrics.align import fit_similarity

    m = fit_similarity(p1, p0)
    e = np.sqrt(np.sum((p1 @ m[:, :2].T + m[:, 2] - p0) ** 2, 1))
    return float(np.sqrt(np.mean(e ** 2)) / width * 100), float(e[list(JAW)].max() / width * 100)


def why(paths: list[Path]) -> list[dict]:
    """Why Face Mesh's landmarks move with framing: the same pixels framed, scaled and shifted differently,
    each photo's landmarks mapped back into the original's pixels, their non-rigid shift (:func:`_shift`)
    and how far the face detector's box moved (% of the face-oval width); ``two_pass_*``: the same with
    :func:`_two_pass` on both photos."""
    from facemetrics.geometry import FACE_OVAL
    from facemetrics.loader import load_photo

    rows = []
    for path in paths:
        rgb = load_photo(path).rgb
        h, w = rgb.shape[:2]
        p0, t0, b0 = _landmarks(rgb), _two_pass(rgb), _detector_box(rgb)
        width = float(np.ptp(p0[list(FACE_OVAL), 0]))
        y8, x8 = (h - round(h * 0.8)) // 2, (w - round(w * 0.8)) // 2
        jobs = [("JPEG 95", cv2.imdecode(cv2.imencode(".jpg", rgb, [cv2.IMWRITE_JPEG_QUALITY, 95])[1], cv2.IMREAD_UNCHANGED), 1.0, (0, 0)),
                ("shift 3 px", cv2.copyMakeBorder(rgb, 3, 0, 3, 0, cv2.BORDER_REPLICATE)[:h, :w], 1.0, (3, 3))]
        for k in (0.8, 0.5):
            jobs.append((f"reduced {k:g} (framing kept)", cv2.resize(rgb, (round(w * k), round(h * k)),
                                                                     interpolation=cv2.INTER_AREA), k, (0, 0)))
        for k in (1.25, 1.5, 2.0, 2.5):
            off = (round(w * (k - 1) / 2), round(h * (k - 1) / 2))
            jobs.append((f"white pad {k:g}", framed(rgb, "white", k), 1.0, off))
            jobs.append((f"camera {k:g} (pad, reduced back)", framed(rgb, "camera", k), 1 / k, tuple(np.array(off) / k)))
        jobs.append(("crop 0.8", framed(rgb, "crop", 0.8), 1.0, (-x8, -y8)))
        jobs.append(("zoom 0.8 (crop, enlarged back)", framed(rgb, "zoom", 0.8), 1.25, (-x8 * 1.25, -y8 * 1.25)))
        for name, img, s, off in jobs:
            img = np.ascontiguousarray(img)
            back = np.array(off, float)
            r = dict(face=Path(path).name, change=name, fraction_before=width / w,
                     fraction_after=float(np.ptp(_landmarks(img)[list(FACE_OVAL), 0]) / img.shape[1]))
            r["nonrigid_pct"], r["jaw_max_pct"] = _shift(p0, (_landmarks(img) - back) / s, width)
            r["detector_box_moved_pct"] = float(np.abs((_detector_box(img).reshape(2, 2) - back) / s
                                                       - b0.reshape(2, 2)).max() / width * 100)
            r["two_pass_nonrigid_pct"], r["two_pass_jaw_max_pct"] = _shift(t0, (_two_pass(img) - back) / s, width)
            rows.append(r)
            print(f"{r['face']} {name}: non-rigid {r['nonrigid_pct']:.2f} %, jaw {r['jaw_max_pct']:.2f} %, "
                  f"detector box {r['detector_box_moved_pct']:.2f} %; two passes {r['two_pass_nonrigid_pct']:.2f} %, "
                  f"jaw {r['two_pass_jaw_max_pct']:.2f} %", flush=True)
    return rows


def why_summary(path: Path) -> str:
    """The table of docs/compare.md 'Why the landmarks move' from :func:`why`'s CSV: per change, the median and
    largest of each column over the faces."""
    import pandas as pd

    d = pd.read_csv(path)
    out = ["| change (same pixels) | face fills, after | non-rigid shift, % of face width: median, max | jaw point, max % "
           "| detector box moved, max % | two passes: non-rigid median, max; jaw max % |", "|---|---|---|---|---|---|"]
    for name, g in d.groupby("change", sort=False):
        out.append(f"| {name} | {g.fraction_after.min():.2f}-{g.fraction_after.max():.2f} | "
                   f"{g.nonrigid_pct.median():.2f}, {g.nonrigid_pct.max():.2f} | {g.jaw_max_pct.max():.2f} | "
                   f"{g.detector_box_moved_pct.max():.1f} | {g.two_pass_nonrigid_pct.median():.2f}, "
                   f"{g.two_pass_nonrigid_pct.max():.2f}; {g.two_pass_jaw_max_pct.max():.2f} |")
    return "\n".join(out)


def faces(which: str) -> list[Path]:
    if which == "tuning":
        return sorted((FACES / "london_ccby").glob("*_neutral.jpg")) + [ROOT / "sample_images" / "astronaut_before.jpg"]
    return sorted((FACES / "canada_ccby").glob("*.jpg"))


def row_of(face: str, kind: str, k: float, c) -> dict:
    r = dict(face=face, framing=kind, factor=k, status=c.status,
             fraction_before=gate_mod.face_fraction(c.before), fraction_after=gate_mod.face_fraction(c.after),
             framing_ratio=gate_mod.framing_ratio(c.before, c.after),
             framing_message=any(m.startswith(gate_mod.MSG_FRAMING) for m in c.messages))
    lm = [ch for ch in c.changes if landmark_row(ch.metric)]
    fl = [ch for ch in c.changes if flow_lift_row(ch.metric)]

    def worst(rows):
        vals = [(abs(ch.change) / ch.noise_floor, f"{ch.metric}/{ch.side}") for ch in rows
                if ch.noise_floor > 0 and np.isfinite(ch.change)]
        return max(vals) if vals else (float("nan"), "")

    r["landmark_max_ratio"], r["landmark_worst_row"] = worst(lm)
    r["flow_max_ratio"], r["flow_worst_row"] = worst(fl)
    r["landmark_false_verdicts"] = sum(ch.verdict not in ("within_noise", "uncertain") for ch in lm)
    r["landmark_uncertain"] = sum(ch.verdict == "uncertain" for ch in lm)
    r["flow_false_verdicts"] = sum(ch.verdict not in ("within_noise", "uncertain") for ch in fl)
    for ch in lm:
        if ch.noise_floor > 0 and np.isfinite(ch.change):
            r[f"{ch.metric}/{ch.side}"] = round(ch.change / ch.noise_floor, 3)
    return r


def summary(paths: list[Path], limit: float) -> str:
    """The table of docs/compare.md 'Framing' from the CSVs this script wrote (every nuisance one row): per framing, the pairs, the
    framing ratio's range, the worst landmark row's |change| / floor (median, max), the pairs with a row
    beyond 0.8 x its floor, the landmark rows beyond their floor (false verdicts without the gate), the pairs
    beyond ``limit``, the false verdicts left (with the gate), and the dense-flow lifts' worst ratio and
    verdicts."""
    import pandas as pd

    d = pd.concat([pd.read_csv(p) for p in paths], ignore_index=True)
    d["framing"] = d.framing.where(~d.framing.str.startswith("nuisance:"), "nuisances")
    cols = [c for c in d.columns if "/" in c and c not in ("landmark_worst_row", "flow_worst_row")]
    d["beyond_floor"] = (d[cols].abs() > 1).sum(axis=1)
    out = ["| framing | pairs | ratio | worst row / floor: median, max | pairs > 0.8 floor | rows > floor "
           f"(no gate) | pairs > {limit:.2f} | false verdicts left | flow lifts: max / floor, verdicts |",
           "|---|---|---|---|---|---|---|---|---|"]
    for (kind, k), g in d.groupby(["framing", "factor"], sort=False):
        out.append(f"| {kind} {k:g} | {len(g)} | {g.framing_ratio.min():.2f}-{g.framing_ratio.max():.2f} | "
                   f"{g.landmark_max_ratio.median():.2f}, {g.landmark_max_ratio.max():.2f} | "
                   f"{int((g.landmark_max_ratio > 0.8).sum())} | {int(g.beyond_floor.sum())} | "
                   f"{int((g.framing_ratio > limit).sum())} | {int(g.landmark_false_verdicts.sum())} | "
                   f"{g.flow_max_ratio.max():.2f}, {int(g.flow_false_verdicts.sum())} |")
    return "\n".join(out)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--set", choices=("tuning", "heldout"), default="tuning")
    ap.add_argument("--nuisances", action="store_true", help="also every simulate.NUISANCES pair")
    ap.add_argument("--no-framing", action="store_true", help="only the nuisance pairs (and --camera)")
    ap.add_argument("--camera", action="store_true",
                    help="also the camera-like re-framings (padded and reduced back; cut and enlarged back)")
    ap.add_argument("--pads", type=float, nargs="*", default=PADS)
    ap.add_argument("--limit", type=int, default=0, help="first N faces only")
    ap.add_argument("--skip", type=int, default=0, help="leave out the first N faces (to split a run)")
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument("--why", action="store_true",
                    help="the landmark shift of the same pixels re-framed, scaled, shifted (no comparison)")
    ap.add_argument("--why-summary", type=Path, default=None, help="print the table of a --why CSV")
    ap.add_argument("--summary", type=Path, nargs="+", default=None,
                    help="print the table of the CSVs this script wrote")
    ap.add_argument("--fixed-framing", action="store_true",
                    help="Face Mesh with its fixed-framing second pass (landmarks.FIXED_FRAMING) for this run")
    args = ap.parse_args(argv)
    if args.fixed_framing:
        from facemetrics import landmarks

        landmarks.FIXED_FRAMING = True
    if args.summary:
        print(summary(args.summary, gate_mod.MAX_FRAMING_RATIO))
        return
    if args.why_summary:
        print(why_summary(args.why_summary))
        return
    fs = faces(args.set)[:args.limit or None][args.skip:]
    if args.why:
        rows = why(fs)
        if args.out:
            write_rows(rows, args.out)
        return
    rows = []
    for i, f in enumerate(fs):
        a = analyze_photo(str(f))
        if a.status != "ok":
            print(f"{f.name}: not measured ({a.error})")
            continue
        rgb = a.photo.rgb
        jit, _ = simulate.photo_jitter(rgb, np.random.default_rng(1000 + args.skip + i), simulate.DEFAULT_JITTER)
        jobs = []
        if not args.no_framing:
            jobs += [(kind, k, framed(jit, kind, k)) for kind in ("white", "edge") for k in args.pads
                     if not (kind == "edge" and k == 1.0)]
            jobs.append(("crop", 0.8, framed(jit, "crop", 0.8)))
        if args.camera:
            jobs += [("camera", k, framed(jit, "camera", k)) for k in args.pads if k != 1.0]
            jobs.append(("zoom", 0.8, framed(jit, "zoom", 0.8)))
        if args.nuisances:
            jobs += [(f"nuisance:{name}", 1.0, fn(a).image)
                     for name, fn in simulate.NUISANCES.items()]
        for kind, k, img in jobs:
            t = time.perf_counter()
            c = compare_photos(a, np.ascontiguousarray(img))
            r = row_of(f.name, kind, k, c)
            rows.append(r)
            print(f"{f.name} {kind} {k}: {c.status} frac {r['fraction_before']:.3f}/{r['fraction_after']:.3f} "
                  f"ratio {r['framing_ratio']:.3f} lm {r['landmark_max_ratio']:.2f} ({r['landmark_worst_row']}) "
                  f"false {r['landmark_false_verdicts']} unc {r['landmark_uncertain']} "
                  f"flow {r['flow_max_ratio']:.2f} {time.perf_counter() - t:.1f}s", flush=True)
    if args.out:
        write_rows(rows, args.out)


if __name__ == "__main__":
    main()
