"""The per-photo smiling flag (``quality.smile_score`` > ``quality.MAX_SMILE_SCORE``) on real faces.

Reproduces docs/accuracy.md "Smiling flag": the neutral statistics behind
``quality.SMILE_WIDTH_IPD`` / ``quality.SMILE_CORNER_DEPTH_IPD`` and the threshold (tuning faces
only), then missed smiles and false alarms on the tuning and the held-out faces, beside the
previous rule (``smile_index`` > 0.10).  Needs ``../shared/faces`` (skips without it).

Splits, fixed by sorted id before any result (bench/accuracy.py's rules):

- London pairs: even sorted positions tune (003 024 038 062 107 136), odd ones are held out.
- Canada (neutral): ``accuracy.canada_split`` (24 tune, 16 held out).
- GRID talking clips (sorted): even positions tune (6 clips), odd held out (5); every 3rd frame.
  The faces are ~110 px wide, below ``quality.MIN_FACE_WIDTH_PX``, so ``analyze_photo`` does
  not measure them: the score is computed on their landmarks directly.
- debruine_cc0 (neutral), whitehouse_pd (labelled by eye, :data:`WHITEHOUSE`) and the bundled
  sample_images (the astronaut smiles broadly: smiling) are held out only.

Usage: ``python bench/bench_smile.py`` (~10 s).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("GLOG_minloglevel", "2")

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
import accuracy as A  # noqa: E402  (the project's fixed London and Canada splits)

from facemetrics import analyze_photo  # noqa: E402
from facemetrics.geometry import (  # noqa: E402
    LEFT_IRIS, MOUTH_LEFT, MOUTH_RIGHT, RIGHT_IRIS, calibrate, head_pose, levelled_frame,
)
from facemetrics.landmarks import detect_landmarks, mirrored_landmarks  # noqa: E402
from facemetrics.quality import MAX_SMILE_SCORE, expression, smile_score  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
FACES = ROOT.parent / "shared" / "faces"
OLD_MAX_SMILE_INDEX = 0.10  # the previous per-photo rule, for comparison only

#: labels given by looking at the photos (before any score was computed)
WHITEHOUSE = {
    "biden_official_portrait": "smile", "obama_official_portrait_2012": "smile",
    "obama_portrait_letterboxed_1080p": "smile", "obama_portrait_letterboxed_720p": "smile",
    "obama_portrait_letterboxed_480p": "smile", "obama_portrait_letterboxed_240p": "smile",
    "obama_speaking": "talking", "biden_standing": "neutral", "two_people": "neutral",
    "obama_standing": "ambiguous",  # closed mouth, corners perhaps slightly up: not counted
}


def _features(points: np.ndarray, mm_per_px: float, mirrored: np.ndarray | None = None) -> tuple[float, float]:
    """Mouth width / IPD and the corners' depth below the pupil line / IPD (the score's inputs); with
    ``mirrored`` (the landmarks read on the flipped photo, ``landmarks.mirrored_landmarks``) the mean
    of both readings, as the score reads them."""
    if mirrored is not None:
        return tuple(float(x) for x in 0.5 * (np.array(_features(points, mm_per_px))
                                               + np.array(_features(mirrored, mm_per_px))))
    uv = levelled_frame(points, mm_per_px).to_mm(points[:, :2])
    ipd = np.linalg.norm(uv[LEFT_IRIS] - uv[RIGHT_IRIS])
    return (float(np.linalg.norm(uv[MOUTH_LEFT] - uv[MOUTH_RIGHT]) / ipd),
            float(0.5 * (uv[MOUTH_LEFT, 1] + uv[MOUTH_RIGHT, 1]) / ipd))


def _still(path: Path, set_: str, split: str, label: str) -> dict:
    r = analyze_photo(path)
    row = dict(set=set_, split=split, label=label, name=path.stem, status=r.status, score=np.nan, index=np.nan,
               flagged=False, old=False)
    if r.quality is not None and r.status == "ok":
        q = r.quality
        row.update(score=q.smile_score, index=q.smile_index, flagged=any(f.startswith("smiling") for f in q.flags),
                   old=q.smile_index > OLD_MAX_SMILE_INDEX, single=smile_score(r.points, r.frame),
                   feats=_features(r.points, r.calibration.mm_per_px, mirrored_landmarks(r.photo.rgb, r.points)))
    return row


def _grid(clip: Path, split: str) -> list[dict]:
    rows, cap, k = [], cv2.VideoCapture(str(clip)), 0
    while True:
        ok, bgr = cap.read()
        if not ok:
            break
        if k % 3 == 0:
            rgb = np.ascontiguousarray(bgr[..., ::-1])
            f = detect_landmarks(rgb)
            if f is not None:
                pts = f.points
                cal = calibrate(pts, yaw_deg=head_pose(pts, rgb.shape[1::-1])[0])
                frame = levelled_frame(pts, cal.mm_per_px)
                mir = mirrored_landmarks(rgb, pts)
                s = smile_score(pts, frame, mirrored=mir)
                idx = expression(pts, frame, cal.ipd_px)[2]
                rows.append(dict(set="grid", split=split, label="talking", name=f"{clip.stem}#{k}", status="ok",
                                 score=s, index=idx, flagged=s > MAX_SMILE_SCORE, old=idx > OLD_MAX_SMILE_INDEX,
                                 single=smile_score(pts, frame), feats=_features(pts, cal.mm_per_px, mir)))
        k += 1
    return rows


def collect() -> list[dict]:
    rows = []
    lt, lh = A.london_split(sorted((FACES / "london_ccby").glob("*_neutral.jpg")))
    for split, paths in (("tune", lt), ("held", lh)):
        for p in paths:
            rows.append(_still(p, "london", split, "neutral"))
            rows.append(_still(p.with_name(p.name.replace("_neutral", "_smiling")), "london", split, "smile"))
    ct, ch = A.canada_split(sorted((FACES / "canada_ccby").glob("*.jpg")))
    for split, paths in (("tune", ct), ("held", ch)):
        rows += [_still(p, "canada", split, "neutral") for p in paths]
    rows += [_still(p, "debruine", "held", "neutral") for p in sorted((FACES / "debruine_cc0").glob("*.jpg"))]
    rows += [_still(FACES / "whitehouse_pd" / f"{n}.jpg", "whitehouse", "held", lab) for n, lab in WHITEHOUSE.items()]
    rows += [_still(ROOT / "sample_images" / f"astronaut_{n}.jpg", "sample", "held", "smile")
             for n in ("before", "after")]
    for i, clip in enumerate(sorted((FACES / "grid_video_ccby").glob("*.mpg"))):
        rows += _grid(clip, "tune" if i % 2 == 0 else "held")
    return rows


def derive(rows: list[dict]) -> None:
    """The constants from the tuning faces (the rule: neutral stills' mean and SD; threshold the
    middle of the gap between the highest neutral or talking score and the lowest smile)."""
    neutral = np.array([r["feats"] for r in rows if r["split"] == "tune" and r["set"] in ("london", "canada")
                        and r["label"] == "neutral"])
    m, s = neutral.mean(0), neutral.std(0, ddof=1)
    print(f"tuning neutral stills ({len(neutral)}): width/IPD {m[0]:.4f} +/- {s[0]:.4f}, "
          f"corner depth/IPD {m[1]:.4f} +/- {s[1]:.4f}")
    t = [r for r in rows if r["split"] == "tune" and r["status"] == "ok"]
    hi = max(r["score"] for r in t if r["label"] != "smile")
    lo = min(r["score"] for r in t if r["label"] == "smile")
    print(f"tuning: highest neutral/talking score {hi:.3f}, lowest smile {lo:.3f}, middle {0.5 * (hi + lo):.3f} "
          f"(shipped MAX_SMILE_SCORE {MAX_SMILE_SCORE})")


def report(rows: list[dict]) -> None:
    def line(title, rs, want):
        ok = [r for r in rs if r["status"] == "ok"]
        sc = np.array([r["score"] for r in ok])
        new = sum(r["flagged"] for r in ok)
        old = sum(r["old"] for r in ok)
        rng = f"{sc.min():+.2f}..{sc.max():+.2f}" if len(sc) else "-"
        miss = "missed" if want else "false alarms"
        n_new, n_old = (len(ok) - new, len(ok) - old) if want else (new, old)
        extra = f" ({len(rs) - len(ok)} not measured)" if len(rs) > len(ok) else ""
        print(f"| {title} | {len(ok)}{extra} | {rng} | {miss}: {n_new} | {n_old} |")

    print("| set | photos | smile score | new flag | old flag (smile index > 0.10) |\n|---|---|---|---|---|")
    for split in ("tune", "held"):
        rs = [r for r in rows if r["split"] == split]
        line(f"{split}: London smiling", [r for r in rs if r["set"] == "london" and r["label"] == "smile"], True)
        line(f"{split}: London neutral", [r for r in rs if r["set"] == "london" and r["label"] == "neutral"], False)
        line(f"{split}: Canada neutral", [r for r in rs if r["set"] == "canada"], False)
        g = [r for r in rs if r["set"] == "grid"]
        line(f"{split}: GRID talking frames ({len({r['name'].split('#')[0] for r in g})} clips)", g, False)
        if split == "held":
            line("held: debruine neutral", [r for r in rs if r["set"] == "debruine"], False)
            wh = [r for r in rs if r["set"] == "whitehouse"]
            line("held: White House smiling", [r for r in wh if r["label"] == "smile"], True)
            line("held: White House neutral / talking", [r for r in wh if r["label"] in ("neutral", "talking")], False)
            line("held: sample_images (smiling)", [r for r in rs if r["set"] == "sample"], True)
    print("\nLondon pairs (score neutral / smiling; index neutral / smiling; the photo's own reading alone, "
          "before 2026-12-04, neutral / smiling):")
    lon = {r["name"]: r for r in rows if r["set"] == "london"}
    for n in sorted(k for k in lon if k.endswith("_neutral")):
        a, b = lon[n], lon[n.replace("_neutral", "_smiling")]
        print(f"  {n[7:10]} {a['split']}: {a['score']:+.2f} / {b['score']:+.2f}   "
              f"{a['index']:+.3f} / {b['index']:+.3f}   {a['single']:+.2f} / {b['single']:+.2f}")
    print("\nOthers held out:")
    for r in rows:
        if r["set"] in ("whitehouse", "sample", "debruine"):
            print(f"  {r['name']} ({r['label']}): {r['status']} {r['score']:+.2f}")
    for split in ("tune", "held"):
        g = np.array([r["score"] for r in rows if r["set"] == "grid" and r["split"] == split])
        print(f"GRID {split}: {len(g)} frames, score median {np.median(g):+.2f}, p95 {np.percentile(g, 95):+.2f}, "
              f"max {g.max():+.2f}")


def main() -> int:
    if not FACES.is_dir():
        print(f"skipped: {FACES} is absent")
        return 0
    rows = collect()
    derive(rows)
    report(rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
