"""A cut-out portrait compared with the uncut photo of the same face: what the background alone moves.

Each real face (``../shared/faces``; skipped when absent) is compared (``compare_photos``) with a
cut-out of the same pixels: an RGBA PNG whose background is transparent (shown on white) outside a
person-like silhouette.  The silhouette is drawn from the hand-placed template points (``.tem``, not
Face Mesh's): an ellipse around all 189 points grown by 12 % about its centre, joined to a neck column
below the chin (0.8 x the width between the template's jaw points 126 and 132) down to the bottom of
the picture, with a 9 px soft edge.  It is therefore not the Face Mesh oval the jaw method starts from,
and it cuts close along the cheeks and jaw where the ellipse meets them, as a background-removal tool's
cut does.

Printed per set: each row's count of pairs whose ``|change|`` exceeds its noise floor and 0.8 x its
floor (read from the values, whatever the verdict says), the median and largest ``|change| / floor``,
and the comparisons' statuses and how many warn about a cut-out; the verdicts after the gate (how many
rows beyond their floor are left with a verdict that is not ``uncertain``).

Tuning: London 12 neutral + the Canada tuning split of bench/accuracy.py; held-out: Canada 16::

    PYTHONPATH=. python bench/bench_cutout_compare.py                 # tuning, then held-out
    PYTHONPATH=. python bench/bench_cutout_compare.py --opaque OUT.csv  # held-out opaque pairs' rows
    PYTHONPATH=. python bench/bench_cutout_compare.py --both            # two cut-outs: alike / differently

``--both``: pairs of two cut-outs of each face.  Cut alike: the silhouette (grown by 12 %, and by 35 %)
against the same cut-out shifted by 7 px and reduced to 0.9 (pixels and opacity together).  Cut
differently: the close cut (12 %) against the wide one (35 %, which keeps background beside the jaw).
Printed: the cue ``abs difference of cut_edge_opacity`` (range), how many pairs warn that the photos are
cut differently, and how many jaw rows beyond their floor are left with a verdict.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from accuracy import CANADA, LONDON, canada_split  # noqa: E402
from facemetrics import compare_photos  # noqa: E402
from facemetrics import analyze_photo  # noqa: E402
from facemetrics.compare import MSG_COVERED, MSG_CUT_DIFFERENTLY, cut_edge_opacity  # noqa: E402
from facemetrics.compare.table import UNCERTAIN  # noqa: E402


def read_tem(path: Path) -> np.ndarray:
    """The 189 hand-placed ``(x, y)`` px of a Face Research Lab template."""
    lines = path.read_text().split("\n")
    n = int(lines[0])
    return np.array([[float(v) for v in line.split()[:2]] for line in lines[1:n + 1]])


def silhouette_alpha(shape: tuple, tem: np.ndarray, grow: float = 0.12, soft_px: int = 9) -> np.ndarray:
    """Opacity (H, W) uint8 of a person-like cut-out drawn from the template points: an ellipse around
    them grown by ``grow``, a neck column below the chin, a blurred edge of about ``soft_px``."""
    mask = np.zeros(shape[:2], np.uint8)
    (cx, cy), (ax, ay), ang = cv2.fitEllipse(tem.astype(np.float32))
    cv2.ellipse(mask, ((cx, cy), (ax * (1 + grow), ay * (1 + grow)), ang), 255, -1)
    half = 0.4 * abs(tem[132, 0] - tem[126, 0])
    cx_chin, y_chin = tem[129]
    y_top = (tem[126, 1] + tem[132, 1]) / 2
    cv2.rectangle(mask, (int(cx_chin - half), int(y_top)), (int(cx_chin + half), shape[0]), 255, -1)
    k = 2 * soft_px + 1
    return cv2.GaussianBlur(mask, (k, k), 0)


def cut_out_png(rgb: np.ndarray, alpha: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(np.dstack([rgb, alpha]), "RGBA").save(buf, "PNG", compress_level=1)
    return buf.getvalue()


def pairs(paths: list[Path]):
    for path in paths:
        tem = path.with_suffix(".tem")
        if not tem.is_file():
            continue
        rgb = np.asarray(Image.open(path).convert("RGB"))
        yield path, rgb, cut_out_png(rgb, silhouette_alpha(rgb.shape, read_tem(tem)))


def run(name: str, paths: list[Path]) -> None:
    per_row: dict = {}
    statuses: dict = {}
    warned = left = covered = 0
    n = 0
    for path, rgb, png in pairs(paths):
        c = compare_photos(rgb, png)
        n += 1
        statuses[c.status] = statuses.get(c.status, 0) + 1
        warned += any("cut out" in m for m in c.messages)
        covered += any(m.startswith(MSG_COVERED) for m in c.messages)
        for ch in c.changes:
            if not (np.isfinite(ch.change) and ch.noise_floor > 0):
                continue
            r = abs(ch.change) / ch.noise_floor
            per_row.setdefault((ch.metric, ch.side), []).append(r)
            if r > 1 and ch.verdict not in (UNCERTAIN, "within_noise", "refused"):
                left += 1
                print(f"  {path.name}: {ch.metric} {ch.side} {ch.change:+.3f} {ch.unit} (floor "
                      f"{ch.noise_floor:.3f}) reads {ch.verdict}")
    print(f"\n{name} ({n} pairs: uncut -> cut-out)\n")
    print(f"statuses: {', '.join(f'{k} {v}' for k, v in sorted(statuses.items()))}; cut-out warnings {warned}; "
          f"'looks covered' warnings {covered}; rows beyond their floor left with a verdict: {left}\n")
    print("| row | side | beyond floor | beyond 0.8 x floor | abs change / floor: median / max |")
    print("|---|---|---|---|---|")
    for (metric, side), rs in per_row.items():
        rs = np.array(rs)
        if np.any(rs > 0.8):
            print(f"| {metric} | {side} | {int(np.sum(rs > 1))} | {int(np.sum(rs > 0.8))} "
                  f"| {np.median(rs):.2f} / {rs.max():.2f} |")


def _shifted(rgb: np.ndarray, alpha: np.ndarray, dx: int = 7) -> bytes:
    r = np.full_like(rgb, 255)
    r[dx:, dx:] = rgb[:-dx, :-dx]
    a = np.zeros_like(alpha)
    a[dx:, dx:] = alpha[:-dx, :-dx]
    small = (rgb.shape[1] * 9 // 10, rgb.shape[0] * 9 // 10)
    return cut_out_png(cv2.resize(r, small, interpolation=cv2.INTER_AREA),
                       cv2.resize(a, small, interpolation=cv2.INTER_AREA))


def run_both(name: str, paths: list[Path]) -> None:
    kinds = {"alike": [], "differently": []}
    for path in paths:
        tem = path.with_suffix(".tem")
        if not tem.is_file():
            continue
        rgb = np.asarray(Image.open(path).convert("RGB"))
        close, wide = (silhouette_alpha(rgb.shape, read_tem(tem), g) for g in (0.12, 0.35))
        a_close = analyze_photo(cut_out_png(rgb, close), name="close.png")
        pairs_ = [("alike", a_close, _shifted(rgb, close)),
                  ("alike", analyze_photo(cut_out_png(rgb, wide), name="wide.png"), _shifted(rgb, wide)),
                  ("differently", a_close, cut_out_png(rgb, wide))]
        for kind, a, b in pairs_:
            c = compare_photos(a, b)
            cue = abs(cut_edge_opacity(c.before) - cut_edge_opacity(c.after))
            beyond = [ch for ch in c.changes if np.isfinite(ch.change) and ch.noise_floor > 0
                      and abs(ch.change) > ch.noise_floor and ch.metric in ("jaw_width_mm", "jaw_angle_deg",
                                                                           "lower_face_area_mm2")]
            left = sum(ch.verdict not in (UNCERTAIN, "within_noise", "refused") for ch in beyond)
            kinds[kind].append((cue, any(m.startswith(MSG_CUT_DIFFERENTLY) for m in c.messages), len(beyond), left))
    print(f"\n{name}: two cut-outs of each face\n")
    print("| cut | pairs | abs difference of cut_edge_opacity: min - max | warned 'cut differently' "
          "| pairs with a jaw row beyond its floor: their smallest cue | jaw rows beyond floor left with a verdict |")
    print("|---|---|---|---|---|---|")
    for kind, rs in kinds.items():
        cues = [r[0] for r in rs]
        hit = [r[0] for r in rs if r[2]]
        print(f"| {kind} | {len(rs)} | {min(cues):.3f} - {max(cues):.3f} | {sum(r[1] for r in rs)} "
              f"| {len(hit)}: {min(hit):.3f} | {sum(r[3] for r in rs)} |" if hit else
              f"| {kind} | {len(rs)} | {min(cues):.3f} - {max(cues):.3f} | {sum(r[1] for r in rs)} | 0 | "
              f"{sum(r[3] for r in rs)} |")


def opaque_rows(paths: list[Path], out: Path) -> None:
    """Each held-out photo against itself re-saved as a JPEG (quality 90) and shifted by 7 px: opaque pairs;
    every comparison row written to ``out`` (to diff the rows of two trees)."""
    with out.open("w", newline="") as f:
        w = csv.writer(f)
        for path in paths:
            rgb = np.asarray(Image.open(path).convert("RGB"))
            shifted = np.full_like(rgb, 255)
            shifted[7:, 7:] = rgb[:-7, :-7]
            buf = io.BytesIO()
            Image.fromarray(shifted).save(buf, "JPEG", quality=90)
            c = compare_photos(rgb, buf.getvalue())
            w.writerow([path.name, c.status, " | ".join(c.messages)])
            for ch in c.changes:
                w.writerow([path.name, ch.metric, ch.side, repr(ch.change), repr(ch.noise_floor), ch.verdict])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--opaque", type=Path, help="write the held-out opaque pairs' rows to this CSV and stop")
    ap.add_argument("--both", action="store_true", help="pairs of two cut-outs (alike, differently)")
    ap.add_argument("--set", choices=("tuning", "heldout", "both"), default="both")
    args = ap.parse_args()
    if not (CANADA.is_dir() and LONDON.is_dir()):
        print(f"({CANADA.parent} absent: nothing to measure)")
        return
    tune, held = canada_split(list(CANADA.glob("*.jpg")))
    if args.opaque:
        opaque_rows(held, args.opaque)
        return
    if args.both:
        if args.set in ("tuning", "both"):
            run_both("tuning: London 12 neutral + Canada tuning 24", sorted(LONDON.glob("*_neutral.jpg")) + tune)
        if args.set in ("heldout", "both"):
            run_both("held-out: Canada 16", held)
        return
    if args.set in ("tuning", "both"):
        run("tuning: London 12 neutral + Canada tuning 24", sorted(LONDON.glob("*_neutral.jpg")) + tune)
    if args.set in ("heldout", "both"):
        run("held-out: Canada 16", held)


if __name__ == "__main__":
    main()
