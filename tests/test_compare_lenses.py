"""Photos taken with different lenses: both photos name their lens in EXIF (``LensModel`` 0xA434,
``FocalLengthIn35mmFilm`` 0xA405) and the lenses differ -> a warning (``gate.MSG_LENSES``) and the lift and
per-photo landmark rows ``uncertain`` (``gate.lens_rows``); the same lens, or a photo without lens tags: nothing
(rows byte-identical to the tag-free pair)."""

from __future__ import annotations

import io

import pytest
from PIL import ExifTags, Image

from conftest import SAMPLES
from facemetrics import analyze_photo, compare_photos
from facemetrics.compare import METRICS
from facemetrics.compare.gate import MSG_LENSES, different_lenses, lens_rows
from facemetrics.loader import load_photo

WIDE = ("Apple", "iPhone 13 back dual wide camera 5.1mm f/1.6", 26)
ULTRA = ("Apple", "iPhone 13 back dual wide camera 1.54mm f/2.4", 13)
FRONT = ("Apple", "iPhone 13 front camera 2.71mm f/2.2", 23)


def jpeg(name: str, lens: tuple | None) -> bytes:
    """The sample photo re-saved at quality 95 (the same pixels whatever the tags), its EXIF kept, with the
    lens tags ``(LensMake, LensModel, FocalLengthIn35mmFilm)`` added (None: none)."""
    with Image.open(SAMPLES / name) as img:
        exif = img.getexif()
        ifd = exif.get_ifd(ExifTags.IFD.Exif)
        if lens is not None:
            for tag, value in zip((0xA433, 0xA434, 0xA405), lens):
                if value:
                    ifd[tag] = value
        buf = io.BytesIO()
        img.save(buf, "JPEG", quality=95, exif=exif)
    return buf.getvalue()


_cache: dict = {}


def analysed(name: str, lens: tuple | None):
    key = (name, lens)
    if key not in _cache:
        _cache[key] = analyze_photo(jpeg(name, lens), name=name)
        assert _cache[key].ok
    return _cache[key]


def pair(before_lens, after_lens):
    return compare_photos(analysed("astronaut_before.jpg", before_lens),
                          analysed("astronaut_after.jpg", after_lens))


def lens_msgs(c) -> list[str]:
    return [m for m in c.messages if m.startswith(MSG_LENSES)]


@pytest.fixture(scope="module")
def plain():
    c = pair(None, None)
    assert c.status == "ok" and not lens_msgs(c)
    return c


def test_loader_reads_the_lens():
    p = load_photo(jpeg("astronaut_before.jpg", WIDE))
    assert p.lens == "Apple iPhone 13 back dual wide camera 5.1mm f/1.6"
    assert p.focal_length_35mm == 26.0
    q = load_photo(jpeg("astronaut_before.jpg", ("", "Pixel 7 back camera", None)))
    assert q.lens == "Pixel 7 back camera" and q.focal_length_35mm is None
    r = load_photo(jpeg("astronaut_before.jpg", None))
    assert r.lens is None and r.focal_length_35mm is None
    assert r.taken_at == p.taken_at is not None  # the other EXIF still read
    assert (r.rgb == p.rgb).all()  # the tags change no pixel


def test_same_lens_says_nothing_and_keeps_every_row(plain):
    c = pair(WIDE, WIDE)
    assert c.status == "ok" and not lens_msgs(c)
    assert c.to_frame().to_csv() == plain.to_frame().to_csv()


def test_one_photo_without_lens_tags_says_nothing(plain):
    for lenses in ((WIDE, None), (None, ULTRA)):
        c = pair(*lenses)
        assert c.status == "ok" and not lens_msgs(c)
        assert c.to_frame().to_csv() == plain.to_frame().to_csv()


def test_different_lenses_warn_and_leave_the_lifts_uncertain(plain):
    c = pair(WIDE, FRONT)
    assert c.status == "warning"
    (msg,) = lens_msgs(c)
    assert msg.startswith(f"{MSG_LENSES} (Apple iPhone 13 back dual wide camera 5.1mm f/1.6, 26 mm equivalent vs "
                          "Apple iPhone 13 front camera 2.71mm f/2.2, 23 mm equivalent, EXIF): lens distortion differs")
    f, g = c.to_frame().set_index(["metric", "side"]), plain.to_frame().set_index(["metric", "side"])
    rows = set(lens_rows(METRICS))
    assert ("jowl_lift_mm", "mean") in rows and ("jawline_lift_landmarks_mm", "right") in rows
    assert ("nlf_depth", "right") not in rows and ("head_pitch_change_deg", "mean") not in rows
    assert ("jaw_width_flow_mm", "mean") in rows  # an off-centre barrel moves it (stop 63)
    for key in f.index:
        if key in rows:
            assert f.loc[key, "verdict"] == "uncertain", key
        else:
            assert f.loc[key, "verdict"] == g.loc[key, "verdict"], key
    assert g.loc[("jawline_lift_mm", "mean"), "verdict"] != "uncertain"  # the plain pair reads it


def test_focal_length_alone_tells_lenses_apart():
    a, b = analysed("astronaut_before.jpg", WIDE), analysed("astronaut_after.jpg", WIDE)
    # the same name, a different 35 mm focal length (a digital zoom, or a lens the name does not tell): two
    same_name = analyze_photo(jpeg("astronaut_after.jpg", ("Apple", WIDE[1], 52)), name="after")
    assert different_lenses(a, same_name) is not None
    # a whole-mm rounding of the same lens: one lens
    close = analyze_photo(jpeg("astronaut_after.jpg", ("", None, 27)), name="after")
    assert different_lenses(a, b) is None and different_lenses(a, close) is None
    # focal lengths alone (no LensModel in either) that differ: two lenses
    f13 = analyze_photo(jpeg("astronaut_after.jpg", ("", None, 13)), name="after")
    assert different_lenses(close, f13) == ("27 mm equivalent", "13 mm equivalent")
