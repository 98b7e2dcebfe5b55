"""Transparent photos: what an alpha channel composited on white does to the measurements.

Each real face (``../shared/faces``; skipped when absent) is saved as an RGBA PNG in memory with
a uniform opacity over the whole picture (1.0 = an alpha channel that is opaque everywhere, 0.9,
0.75, 0.5, 0.25), and as a cut-out portrait (the background transparent outside the face
landmarks' hull grown by 25 %, a 15 px soft edge, the face opaque), then analysed.  Printed per
set and opacity: statuses, the fold depth index relative to the opaque photo (median and range over
both sides), the median and largest change of the jaw width (mm) and of the mm scale (%), how many
photos warn about transparency and how many ``MIN_FACE_OPACITY`` refuses (status ``transparent``).
The figures are measured with the refusal switched off (``analyze.MIN_FACE_OPACITY = 0``), so that
what a refused photo would have read is seen.

The thresholds of :mod:`facemetrics.quality` (``MIN_FACE_OPACITY``, ``TRANSPARENT_FACE_FRACTION``)
were chosen on the tuning faces (London 12 neutral + the Canada tuning split of bench/accuracy.py)
and are reported on the 16 held-out Canada faces::

    PYTHONPATH=. python bench/bench_alpha.py            # tuning, then held-out
"""

from __future__ import annotations

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
import facemetrics.analyze as analyze_module  # noqa: E402
from facemetrics import analyze_photo  # noqa: E402
from facemetrics.quality import MIN_FACE_OPACITY, face_opacity  # noqa: E402

OPACITIES = (1.0, 0.9, 0.75, 0.5, 0.25)
WARNING_WORD = "partly transparent"


def _png(rgb: np.ndarray, alpha: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(np.dstack([rgb, alpha]), "RGBA").save(buf, "PNG", compress_level=1)
    return buf.getvalue()


def cut_out_alpha(shape: tuple, points: np.ndarray, grow: float = 0.25, soft_px: int = 15) -> np.ndarray:
    """Opaque inside the 468 landmarks' hull grown by ``grow`` around its centre, transparent
    outside, with a blurred edge of about ``soft_px``: a background-removal tool's cut-out."""
    p = points[:468, :2]
    c = p.mean(0)
    hull = cv2.convexHull(np.round(c + (p - c) * (1 + grow)).astype(np.int32))
    mask = np.zeros(shape[:2], np.uint8)
    cv2.fillConvexPoly(mask, hull, 255)
    k = 2 * soft_px + 1
    return cv2.GaussianBlur(mask, (k, k), 0)


def run(name: str, paths: list[Path]) -> None:
    rows = {o: [] for o in OPACITIES + ("cut-out",)}
    for path in paths:
        rgb = np.asarray(Image.open(path).convert("RGB"))
        ref = analyze_photo(rgb, name=path.name)
        if not ref.ok:
            print(f"  {path.name}: {ref.status} without alpha, skipped")
            continue
        variants = {o: np.full(rgb.shape[:2], round(255 * o), np.uint8) for o in OPACITIES}
        variants["cut-out"] = cut_out_alpha(rgb.shape, ref.points)
        for key, alpha in variants.items():
            analyze_module.MIN_FACE_OPACITY = 0.0  # measure what a refused photo would read
            try:
                a = analyze_photo(_png(rgb, alpha), name=path.name)
            finally:
                analyze_module.MIN_FACE_OPACITY = MIN_FACE_OPACITY
            refused = a.points is not None and face_opacity(alpha, a.points)[1] < MIN_FACE_OPACITY
            rows[key].append((ref, a, refused))
    print(f"\n{name} ({len(rows[1.0])} faces)\n")
    print("| opacity | statuses | depth / opaque: median (range) | abs Δ jaw_width_mm: median / max "
          "| abs Δ mm_per_px %: median / max "
          "| transparency warnings | refused (transparent) | metrics identical to no alpha |")
    print("|---|---|---|---|---|---|---|---|")
    for key, pairs in rows.items():
        statuses: dict = {}
        for _, a, _ in pairs:
            statuses[a.status] = statuses.get(a.status, 0) + 1
        ratios, djaw, dscale, warned, same = [], [], [], 0, 0
        n_refused = sum(r for _, _, r in pairs)
        for ref, a, refused in pairs:
            warned += any(WARNING_WORD in w for w in a.warnings) and not refused
            if a.points is not None and a.calibration is not None:
                dscale.append(abs(a.mm_per_px / ref.mm_per_px - 1) * 100)
            if not a.ok:
                continue
            r0, r1 = ref.to_row(), a.to_row()
            same += all(r0[k] == r1[k] for k in r0 if k not in ("photo", "sha256", "warnings"))
            for side in ("right", "left"):
                d0, d1 = r0[f"nlf_depth_{side}"], r1[f"nlf_depth_{side}"]
                if d0 and d1 is not None and abs(d0) > 1e-9:
                    ratios.append(d1 / d0)
            djaw.append(abs(r1["jaw_width_mm"] - r0["jaw_width_mm"]))
        st = ", ".join(f"{k} {v}" for k, v in sorted(statuses.items()))
        rr = f"{np.median(ratios):.2f} ({min(ratios):.2f}-{max(ratios):.2f})" if ratios else "-"
        jaw = f"{np.median(djaw):.2f} / {max(djaw):.2f}" if djaw else "-"
        scale = f"{np.median(dscale):.1f} / {max(dscale):.1f}" if dscale else "-"
        print(f"| {key} | {st} | {rr} | {jaw} | {scale} | {warned} | {n_refused} "
              f"| {same} |")


def main() -> None:
    if not (CANADA.is_dir() and LONDON.is_dir()):
        print(f"({CANADA.parent} absent: nothing to measure)")
        return
    tune, held = canada_split(list(CANADA.glob("*.jpg")))
    london = sorted(LONDON.glob("*_neutral.jpg"))
    run("tuning: London 12 neutral + Canada tuning 24", london + tune)
    run("held-out: Canada 16", held)


if __name__ == "__main__":
    main()
