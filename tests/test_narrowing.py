"""A narrowing of the lower face read against truth (docs/accuracy.md "Narrowing of the lower face: read
against truth", ``bench/narrowing.py``).

``jaw_width_mm`` reads the Face Mesh oval, whose shape prior follows a narrowing of the image only in part
(tuning faces: about 0.75-0.85 of a 2-6 mm narrowing); the comparison's dense flow across the same band reads it
in proportion (about 1.0).  A narrowing with the gonion moving in while the ear-level oval point and the chin
stay opens the jaw angle: truly (the hand-placed outline moved by the field, about 0.8 deg per mm, stop 62,
``bench/narrowing_angle.py``), and ``jaw_angle_deg`` reads it in the same direction, short.  These tests pin them on the bundled sample photo narrowed by 4 mm at the mouth's
height (a field of the bench's own, anchored on the photo's oval; noise-free, deterministic), so that a change to
the landmarks or to the row that alters the property also updates the docs' section.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

from narrowing import flow_read, oval_field, oval_narrowing  # noqa: E402
from narrowing_angle import mesh_moved  # noqa: E402

SIZE_MM = 4.0


@pytest.fixture(scope="module")
def narrowed(sample_analysis):
    from facemetrics import analyze_photo, compare_photos
    from facemetrics.simulate import encode_png

    img, truth = oval_narrowing(sample_analysis, SIZE_MM)
    after = analyze_photo(encode_png(img))
    assert after.ok, after.error
    return compare_photos(sample_analysis, after), truth


def test_the_field_narrows_the_oval_by_the_size_asked(narrowed):
    _, truth = narrowed
    assert truth == pytest.approx(-SIZE_MM, abs=1e-6)


def test_the_flow_across_the_jaw_band_reads_the_narrowing_in_proportion(sample_analysis, narrowed):
    c, truth = narrowed
    assert 0.85 <= flow_read(sample_analysis, c) / truth <= 1.15


def test_the_jaw_width_row_reads_the_narrowing_short(narrowed):
    """The row's sign is right and it reads beyond its 3.1 mm floor here, but short of the truth (0.81 on
    2026-12-07): with the row in proportion, this fails and the docs' section is out of date."""
    c, truth = narrowed
    row = c.get("jaw_width_mm")
    assert row.verdict == "decrease"
    assert 0.5 < row.change / truth < 0.9


def test_a_narrowing_truly_opens_the_jaw_angle_and_the_row_reads_it_opening(sample_analysis, narrowed):
    """Stop 62 (docs/accuracy.md "Stop 62: the jaw angle and the lower-face area under a narrowing"): the
    angle's truth (``jaw_metrics`` on the photo's own landmarks moved by the field; on the sample 2026-12-07
    +1.24 deg right, +1.14 deg left at 4 mm) opens on both sides, and the comparison's row opens too (+1.50,
    +1.44 deg), within the 2.7 deg floor at 4 mm.  A row that read the narrowing as a closing angle, or a truth
    that stopped opening, fails here."""
    c, _ = narrowed
    dx, _ = oval_field(sample_analysis, SIZE_MM)
    truth = mesh_moved(sample_analysis, dx)
    for side in ("right", "left"):
        assert truth[("jaw_angle_deg", side)] > 0.5
        row = c.get("jaw_angle_deg", side)
        assert row.change > 0.5
        assert row.verdict != "decrease"


def test_a_narrowing_shrinks_the_lower_face_area_and_the_row_reads_it_smaller(sample_analysis, narrowed):
    """The area's truth on the sample (the oval moved by the field): -262 mm² at 4 mm; the row -128 mm² (0.49,
    within its 380 mm² floor; 0.96 on the tuning faces' hand-placed outlines, stop 62)."""
    c, _ = narrowed
    dx, _ = oval_field(sample_analysis, SIZE_MM)
    truth = mesh_moved(sample_analysis, dx)[("lower_face_area_mm2", "mean")]
    assert truth < -150.0
    assert 0.2 < c.get("lower_face_area_mm2").change / truth < 1.2
