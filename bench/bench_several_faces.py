"""Two faces of about equal size: how much one face's size varies between two detections, and what the
second-face share reads on composites (docs/robustness.md "Several faces of similar size").

Rule (written before the run): d = the largest relative difference between two detections of ONE face
(the sample astronaut photos and skimage's astronaut, each re-saved as JPEG at quality 40-95 and rescaled
0.5-2x; face size = the square root of the landmarks' bounding-box area, divided by the rescale factor;
d = 1 - smallest / largest size over the versions of one photo), also the largest second-face share any
of those one-face versions reads (a double detection); the status threshold
``analyze.SEVERAL_FACES_SHARE`` = 1 - 2 d, rounded down to 0.01, and must stay above that one-face share.
Held-out check: composites of two held-out Canada faces (``accuracy.canada_split``) side by side.

Usage: ``PYTHONPATH=. python bench/bench_several_faces.py [--heldout]``
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

import cv2
import numpy as np
from PIL import Image
from skimage import data

from facemetrics.landmarks import detect_landmarks

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "sample_images"
CANADA = ROOT.parent / "shared" / "faces" / "canada_ccby"


def _jpeg(rgb: np.ndarray, quality: int) -> np.ndarray:
    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, "JPEG", quality=quality)
    return np.array(Image.open(io.BytesIO(buf.getvalue())).convert("RGB"))


def _size(points: np.ndarray) -> float:
    return float(np.sqrt(np.ptp(points[:, 0]) * np.ptp(points[:, 1])))


def side_by_side(a: np.ndarray, b: np.ndarray, scale: float, gap: int = 40) -> np.ndarray:
    """``a`` and ``b`` resized by ``scale`` side by side on grey (bottoms aligned), RGB uint8."""
    b = _scaled(b, scale)
    h = max(a.shape[0], b.shape[0])
    canvas = np.full((h, a.shape[1] + gap + b.shape[1], 3), 128, np.uint8)
    canvas[h - a.shape[0]:, :a.shape[1]] = a
    canvas[h - b.shape[0]:, a.shape[1] + gap:] = b
    return canvas


def _scaled(rgb: np.ndarray, scale: float) -> np.ndarray:
    return cv2.resize(rgb, (max(1, round(rgb.shape[1] * scale)), max(1, round(rgb.shape[0] * scale))),
                      interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC)


def one_face() -> None:
    sources = {"skimage astronaut": data.astronaut(),
               **{p.name: np.array(Image.open(p).convert("RGB")) for p in sorted(SAMPLES.glob("astronaut_*.jpg"))}}
    worst_d, worst_share = 0.0, 0.0
    for name, rgb in sources.items():
        sizes, shares = [], []
        for q in (40, 60, 75, 90, 95):
            f = detect_landmarks(_jpeg(rgb, q))
            sizes.append(_size(f.points)); shares.append(f.second_face_share)
        for s in (0.5, 0.75, 1.25, 1.5, 2.0):
            r = cv2.resize(rgb, None, fx=s, fy=s, interpolation=cv2.INTER_AREA if s < 1 else cv2.INTER_CUBIC)
            f = detect_landmarks(_jpeg(r, 90))
            sizes.append(_size(f.points) / s); shares.append(f.second_face_share)
        d = 1 - min(sizes) / max(sizes)
        worst_d, worst_share = max(worst_d, d), max(worst_share, max(shares))
        print(f"{name}: 10 versions, size {min(sizes):.1f}-{max(sizes):.1f} px, d = {100 * d:.2f} %, "
              f"largest second-face share {max(shares):.3f}")
    print(f"largest d {100 * worst_d:.2f} %; largest one-face second share {worst_share:.3f}; "
          f"rule 1 - 2 d = {1 - 2 * worst_d:.4f} (floor to 0.01: {np.floor(100 * (1 - 2 * worst_d)) / 100:.2f})")


def composites(pairs: dict) -> None:
    for name, (a, b) in pairs.items():
        for scale in (1.0, 0.98, 0.95, 0.9, 0.8, 0.5):
            for order in ("big left", "big right"):
                img = side_by_side(a, b, scale) if order == "big left" else side_by_side(_scaled(b, scale), a, 1.0)
                f = detect_landmarks(img)
                print(f"{name} second at {scale:.2f} ({order}): n_faces {f.n_faces if f else 0}, "
                      f"share {f.second_face_share if f else float('nan'):.3f}")


def main() -> None:
    if "--heldout" in sys.argv:
        sys.path.insert(0, str(ROOT / "bench"))
        from accuracy import canada_split
        _, held = canada_split(sorted(CANADA.glob("*.jpg")))
        pairs = {}
        for p, q in zip(held[0:8:2], held[1:8:2]):
            a, b = (np.array(Image.open(x).convert("RGB")) for x in (p, q))
            pairs[f"{p.stem}+{q.stem}"] = (a, b)
        composites(pairs)
        return
    one_face()
    face = _scaled(data.astronaut()[20:260, 105:345], 2.0)  # the whole 512 px picture: Face Mesh finds one face
    composites({"astronaut face x2": (face, face)})


if __name__ == "__main__":
    main()
