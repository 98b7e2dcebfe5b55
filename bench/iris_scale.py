"""Reproduce the "Scale calibration" figures of docs/accuracy.md.

    python bench/iris_scale.py          # needs ../shared/faces (london_ccby, canada_ccby)

1. Bias of Face Mesh's horizontal iris chord (469-471, 474-476): on each eye
   the visible iris edge (limbus) is found in the image itself, as the
   strongest dark-to-bright step along rays from the iris centre (468/473)
   within +/-25 deg of horizontal (away from the eyelids; grey image blurred
   with sigma 1 px, sub-pixel peak, median over the 11 rays of each side).
   ``chord / limbus diameter`` per eye, mean of the two eyes per face, median
   per set.  The shipped factor :data:`facemetrics.geometry.IRIS_CHORD_BIAS`
   was chosen on the Canada set (40 faces).
2. Check on held-out data: inter-pupillary distance from the hand-placed
   pupils (Face Research Lab template points 0 and 1) x ``mm_per_px``, per
   set, with the old calibration (no correction), the factor chosen on
   Canada and the factor chosen on London.  Adults average 63.4 mm
   (Dodgson 2004; women 62.3, men 64.7); both sets are half women.
3. The per-photo ``mm_per_px_uncertainty_pct`` on both sets.
"""

from __future__ import annotations

import sys
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SHARED_FACES = ROOT.parent / "shared" / "faces"

from facemetrics.annotations import read_tem  # noqa: E402
from facemetrics.geometry import (  # noqa: E402
    IRIS_CHORD_BIAS, LEFT_IRIS, LEFT_IRIS_H, RIGHT_IRIS, RIGHT_IRIS_H, calibrate, head_pose,
)
from facemetrics.landmarks import detect_landmarks  # noqa: E402
from facemetrics.loader import load_photo  # noqa: E402

SETS = ("canada_ccby", "london_ccby")


def limbus_diameter_px(gray: np.ndarray, centre: np.ndarray, r0: float, *, half_angle_deg: float = 25.0,
                       blur_px: float = 1.0) -> float:
    """Horizontal visible iris diameter (px) from the image: see module docstring.

    ``gray`` (H, W) float32; ``centre`` ``(x, y)`` px; ``r0`` a first guess of the radius, px.
    """
    g = cv2.GaussianBlur(gray, (0, 0), blur_px)
    rs = np.linspace(0.6 * r0, 1.5 * r0, 181)
    diameter = 0.0
    for sign in (-1.0, 1.0):
        radii = []
        for a in np.radians(np.arange(-half_angle_deg, half_angle_deg + 1e-9, 5.0)):
            pts = centre + rs[:, None] * np.array([sign * np.cos(a), np.sin(a)])
            prof = cv2.remap(g, pts[:, 0].astype(np.float32)[None], pts[:, 1].astype(np.float32)[None],
                             cv2.INTER_LINEAR).ravel()
            d = np.gradient(prof)
            i = int(np.clip(np.argmax(d), 1, len(d) - 2))
            den = d[i - 1] - 2 * d[i] + d[i + 1]
            off = 0.5 * (d[i - 1] - d[i + 1]) / den if den < 0 else 0.0
            radii.append(rs[i] + off * (rs[1] - rs[0]))
        diameter += float(np.median(radii))
    return diameter


def measure() -> dict:
    """{set: list of per-face dicts (chord_bias, hand_ipd_mm, sex, uncertainty_pct)}"""
    out = {}
    for name in SETS:
        rows = []
        for tem_path in sorted((SHARED_FACES / name).glob("*.tem")):
            photo = load_photo(tem_path.with_suffix(".jpg"), fast=False)
            pts = detect_landmarks(photo.rgb).points
            h, w = photo.rgb.shape[:2]
            yaw, _, _ = head_pose(pts, (w, h))
            cal = calibrate(pts, yaw_deg=yaw)
            gray = cv2.cvtColor(photo.rgb, cv2.COLOR_RGB2GRAY).astype(np.float32)
            ratios = []
            for c, (a, b) in ((RIGHT_IRIS, RIGHT_IRIS_H), (LEFT_IRIS, LEFT_IRIS_H)):
                chord = float(np.linalg.norm(pts[a, :2] - pts[b, :2]))
                ratios.append(chord / limbus_diameter_px(gray, pts[c, :2], chord / 2))
            tem = read_tem(tem_path)
            stem = tem_path.stem.split("_")
            sex = stem[2][0] if name.startswith("london") else stem[1][-1]
            rows.append(dict(chord_bias=float(np.mean(ratios)),
                             hand_ipd_mm=float(np.linalg.norm(tem[0] - tem[1]) * cal.mm_per_px),
                             sex=sex, uncertainty_pct=cal.uncertainty_pct))
        out[name] = rows
    return out


def main() -> None:
    data = measure()
    factors = {name: float(np.median([r["chord_bias"] for r in rows])) for name, rows in data.items()}
    print(f"shipped IRIS_CHORD_BIAS = {IRIS_CHORD_BIAS}")
    print("| set | n | chord / limbus median (IQR) | expected IPD mm | IPD no correction | "
          "factor from Canada | factor from London | uncertainty % median (range) |")
    print("|---|---|---|---|---|---|---|---|")
    for name, rows in data.items():
        bias = np.array([r["chord_bias"] for r in rows])
        ipd_now = np.array([r["hand_ipd_mm"] for r in rows])
        ipd_raw = ipd_now / IRIS_CHORD_BIAS
        expected = np.mean([62.3 if r["sex"] == "f" else 64.7 for r in rows])
        cells = []
        for f in (1.0, factors["canada_ccby"], factors["london_ccby"]):
            v = ipd_raw * f
            cells.append(f"{np.median(v):.1f} ({np.percentile(v, 25):.1f}-{np.percentile(v, 75):.1f})")
        unc = np.array([r["uncertainty_pct"] for r in rows])
        print(f"| {name} | {len(rows)} | {np.median(bias):.3f} ({np.percentile(bias, 25):.3f}-"
              f"{np.percentile(bias, 75):.3f}) | {expected:.1f} | " + " | ".join(cells)
              + f" | {np.median(unc):.1f} ({unc.min():.1f}-{unc.max():.1f}) |")
    print({k: round(v, 4) for k, v in factors.items()})


if __name__ == "__main__":
    main()
