"""Regenerate the bundled sample photos (run from the project root).

    python sample_images/make_samples.py

Everything here is made from what the dependencies ship: scikit-image's
``data.astronaut()`` (a public-domain NASA portrait of Eileen Collins) and
facemetrics' own synthetic transforms.  No other photo is used.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
from PIL import Image
from skimage import data

HERE = Path(__file__).resolve().parent


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


def main() -> None:
    before = astronaut_portrait()
    save_jpeg(before, HERE / "astronaut_before.jpg", "2026:11:02 08:00:00")


if __name__ == "__main__":
    main()
