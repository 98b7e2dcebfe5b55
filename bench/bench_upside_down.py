"""Which way up, on real photos (docs/robustness.md "Upside-down photos"; README's status list).

82 real portraits (Canada 40, London 24 neutral and smiling, DeBruine 8, White House 10) in 9 variants
each, every one through ``analyze_photo``: upright, mirrored, turned by +10 deg, darkened (x 0.45),
turned by 170, 180 and 190 deg, flipped upside down (an EXIF orientation 3 or 4 lost) and darkened
and turned by 180 deg.  Turns other than 180 deg rotate about the centre onto a canvas that holds the
whole picture (edges replicated).  Prints each variant's status counts and the two README counts: the
turned or flipped photos measured (not ``sideways``, ``no_face`` or ``too_small``) and the upright,
tilted, darkened or mirrored photos called ``sideways``.  No threshold is chosen here.

    PYTHONPATH=. python bench/bench_upside_down.py       # 738 analyses, ~5-8 min on 2 cores
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from accuracy import CANADA, LONDON, SHARED_FACES  # noqa: E402

#: variants that turn the face over (``True``) or keep it upright (``False``)
TURNED = {"upright": False, "mirrored": False, "turned_+10": False, "darkened": False,
          "turned_170": True, "turned_180": True, "turned_190": True, "flipped": True,
          "darkened_turned_180": True}
#: statuses that say the photo was not measured as a face the right way up
NOT_MEASURED = ("sideways", "no_face", "too_small")


def rotate(rgb: np.ndarray, deg: float) -> np.ndarray:
    """``rgb`` (H, W, 3) turned ``deg`` degrees counter-clockwise about its centre, on a canvas that
    holds the whole picture (edges replicated)."""
    h, w = rgb.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), deg, 1.0)
    c, s = abs(m[0, 0]), abs(m[0, 1])
    nw, nh = int(round(h * s + w * c)), int(round(h * c + w * s))
    m[0, 2] += nw / 2 - w / 2
    m[1, 2] += nh / 2 - h / 2
    return cv2.warpAffine(rgb, m, (nw, nh), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


def variants(rgb: np.ndarray) -> dict[str, np.ndarray]:
    """The 9 variants of :data:`TURNED` of an RGB picture (H, W, 3), uint8."""
    dark = (rgb.astype(np.float32) * 0.45).round().astype(np.uint8)
    return {"upright": rgb, "mirrored": rgb[:, ::-1], "turned_+10": rotate(rgb, 10.0), "darkened": dark,
            "turned_170": rotate(rgb, 170.0), "turned_180": rgb[::-1, ::-1], "turned_190": rotate(rgb, 190.0),
            "flipped": rgb[::-1], "darkened_turned_180": dark[::-1, ::-1]}


def readme_counts(statuses: dict[str, Counter]) -> tuple[int, int, int, int]:
    """``(turned measured, turned photos, kept-upright called sideways, kept-upright photos)``.

    Parameters
    ----------
    statuses : dict of str to Counter
        Variant name (:data:`TURNED`) -> counts of ``analyze_photo`` statuses.
    """
    turned = sum(sum(c.values()) for v, c in statuses.items() if TURNED[v])
    measured = sum(n for v, c in statuses.items() if TURNED[v] for s, n in c.items() if s not in NOT_MEASURED)
    upright = sum(sum(c.values()) for v, c in statuses.items() if not TURNED[v])
    called = sum(c["sideways"] for v, c in statuses.items() if not TURNED[v])
    return measured, turned, called, upright


def photos() -> list[Path]:
    return (sorted(CANADA.glob("*.jpg")) + sorted(LONDON.glob("*_neutral.jpg"))
            + sorted(LONDON.glob("*_smiling.jpg")) + sorted((SHARED_FACES / "debruine_cc0").glob("*.jpg"))
            + sorted((SHARED_FACES / "whitehouse_pd").glob("*.jpg")))


def main() -> None:
    from facemetrics import analyze_photo
    from facemetrics.loader import load_photo

    paths = photos()
    if not paths:
        print(f"({SHARED_FACES} absent: nothing to run)")
        return
    t0 = time.perf_counter()
    statuses = {v: Counter() for v in TURNED}
    for p in paths:
        rgb = np.ascontiguousarray(load_photo(p).rgb)
        for v, img in variants(rgb).items():
            statuses[v][analyze_photo(np.ascontiguousarray(img), name=f"{p.stem}_{v}").status] += 1
    print(f"{len(paths)} photos")
    print("| variant | " + " | ".join(sorted({s for c in statuses.values() for s in c})) + " |")
    keys = sorted({s for c in statuses.values() for s in c})
    print("|---|" + "---|" * len(keys))
    for v, c in statuses.items():
        print(f"| {v} | " + " | ".join(str(c[k]) for k in keys) + " |")
    m, t, c, u = readme_counts(statuses)
    print(f"turned or flipped and measured: {m} of {t}; upright, tilted, darkened or mirrored called "
          f"sideways: {c} of {u} ({time.perf_counter() - t0:.0f} s)")


if __name__ == "__main__":
    main()
