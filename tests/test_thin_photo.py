"""A photo too narrow to hold a measurable face is ``too_small`` by the file's own size in px, also when the
JPEG is decoded reduced: a 64 x 60000 JPEG was decoded at 1/2 (32 x 30000) and read ``no_face`` (audit h6)."""
from __future__ import annotations

import numpy as np
from PIL import Image

import facemetrics as fm
from facemetrics.quality import MIN_FACE_WIDTH_PX


def test_a_thin_jpeg_decoded_reduced_is_too_small_with_its_size_in_px(tmp_path):
    Image.fromarray(np.full((60000, 64, 3), 128, np.uint8)).save(tmp_path / "strip.jpg", quality=90)
    a = fm.analyze_photo(tmp_path / "strip.jpg")
    assert a.photo.scale == 2.0  # the case: a reduced decode (32 x 30000 px)
    assert a.status == "too_small", (a.status, a.error)
    assert a.error == (f"strip.jpg: image is 64x60000 px; a face at least {MIN_FACE_WIDTH_PX} px wide cannot fit "
                       "in 64 px (use a larger photo)")


def test_a_photo_wide_enough_for_a_face_still_reads_no_face():
    a = fm.analyze_photo(np.full((MIN_FACE_WIDTH_PX, 400, 3), 128, np.uint8), name="wall.png")
    assert a.status == "no_face", (a.status, a.error)
