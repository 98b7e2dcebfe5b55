"""Regenerate the bundled sample photos (run from the project root).

    python sample_images/make_samples.py

Everything here is made from what the dependencies ship: scikit-image's
``data.astronaut()`` (a public-domain NASA portrait of Eileen Collins) and
facemetrics' own synthetic transforms.  No other photo is used.

- ``astronaut_before.jpg``: the portrait (EXIF 2026-11-02 08:00:00).
- ``astronaut_after.jpg``: the before photo with a simulated 1.5 mm lift of the
  lower face (:func:`facemetrics.simulate.lift`) followed by nuisances that do
  not change the face: 1 deg roll, 0.97 scale, 5 % brighter (EXIF 3.5 hours
  later).  The truth is printed and written in ``PROVENANCE.md``.
"""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import cv2
import numpy as np
from PIL import Image
from skimage import data

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

#: the simulated change in the after photo
AFTER_LIFT_MM = 1.5
AFTER_ROLL_DEG = 1.0
AFTER_SCALE = 0.97
AFTER_BRIGHTNESS = 1.05


def astronaut_portrait() -> np.ndarray:
    """Face crop of ``data.astronaut()`` upscaled 8x (1280 x 1600 px, face ~740 px wide).

    Returns
    -------
    ndarray, shape (1600, 1280, 3), uint8 RGB
    """
    crop = data.astronaut()[40:240, 145:305]
    return cv2.resize(crop, None, fx=8, fy=8, interpolation=cv2.INTER_CUBIC)


def save_jpeg(rgb: np.ndarray, path: Path, taken_at: str) -> None:
    """JPEG (quality 92) with EXIF DateTimeOriginal ``"YYYY:MM:DD HH:MM:SS"``."""
    img = Image.fromarray(rgb)
    exif = Image.Exif()
    exif.get_ifd(0x8769)[36867] = taken_at  # Exif IFD: DateTimeOriginal
    img.save(path, "JPEG", quality=92, exif=exif)


def astronaut_after(before_path: Path) -> tuple[np.ndarray, dict]:
    """The after photo: a simulated lift of the saved before photo, then roll, scale and brightness.

    Returns
    -------
    image : ndarray, shape (1600, 1280, 3), uint8 RGB
    truth : dict
        The lift truth of :func:`facemetrics.simulate.lift` plus the nuisances.
    """
    from facemetrics import analyze_photo, simulate

    a = analyze_photo(before_path)
    assert a.ok, a.error
    lifted = simulate.lift(a, AFTER_LIFT_MM)
    # the nuisances turn about the same face centre as on the before photo
    moved = dataclasses.replace(a, photo=dataclasses.replace(a.photo, rgb=lifted.image))
    img = simulate.roll(moved, AFTER_ROLL_DEG).image
    moved = dataclasses.replace(a, photo=dataclasses.replace(a.photo, rgb=img))
    img = simulate.rescale(moved, AFTER_SCALE).image
    img = simulate.brightness(img, AFTER_BRIGHTNESS).image
    truth = dict(lifted.truth, roll_deg=AFTER_ROLL_DEG, scale=AFTER_SCALE, brightness=AFTER_BRIGHTNESS)
    return img, truth


def main() -> None:
    before = astronaut_portrait()
    save_jpeg(before, HERE / "astronaut_before.jpg", "2026:11:02 08:00:00")
    after, truth = astronaut_after(HERE / "astronaut_before.jpg")
    save_jpeg(after, HERE / "astronaut_after.jpg", "2026:11:02 11:30:00")
    for k, v in truth.items():
        print(f"{k}: {v:.3f}" if isinstance(v, float) else f"{k}: {v}")


if __name__ == "__main__":
    main()
