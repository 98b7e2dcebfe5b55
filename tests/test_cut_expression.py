"""A face cut by the image edge is not read as "expression may differ" (stop 66, k9; docs/validation.md §29).

The flow's mouth cues read the skin around and below the mouth corners (the jowl, the corners' regions); on a
face cut at the chin those pixels are missing and the cues read what Face Mesh guessed: London 003 cut at 66 % of
its height against itself uncut said "a mouth corner moved 0.7 mm relative to the jowl below it".  With a
jaw-line landmark outside either picture neither cue is read, and the cut message says so.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from conftest import png_bytes
from facemetrics import analyze_photo, compare_photos
from facemetrics.compare.expression import MSG_EXPRESSION_MAYBE, _flow_expression_cues
from facemetrics.compare.framing import MSG_FACE_CUT

BIG = {"mouth_widening_mm": 2.0, "mouth_corner_rise_mm": 3.0}  # both beyond their limits (0.5 mm, 0.6 mm)
UNREAD = "the expression check does not read how the mouth corners moved"


def test_the_flow_cues_are_not_read_on_a_cut_face():
    assert len(_flow_expression_cues(BIG)) == 2
    assert _flow_expression_cues(BIG, face_cut=True) == []
    assert _flow_expression_cues({"mouth_widening_mm": 0.1, "mouth_corner_rise_mm": 0.1}) == []


def test_a_cut_photo_says_the_mouth_corners_were_not_read(sample_path, monkeypatch):
    """A comparison whose after photo is marked cut (the sample itself, 5 jaw-line landmarks said outside) with
    flow cues made to fire: no "expression may differ", and the cut message names the unread check; the same
    pair uncut says "expression may differ"."""
    import importlib

    meas = importlib.import_module("facemetrics.compare.measure")
    real = meas._flow_cues

    def loud(*args, **kwargs):
        out = real(*args, **kwargs)
        out["mouth_widening_mm"] = 2.0
        return out

    monkeypatch.setattr(meas, "_flow_cues", loud)
    a = analyze_photo(sample_path)  # its own copy: the comparisons' cache must not serve the patched cues
    plain = compare_photos(a, a)
    assert any(m.startswith(MSG_EXPRESSION_MAYBE) for m in plain.messages), plain.messages
    cut = dataclasses.replace(a, quality=dataclasses.replace(a.quality, cut_landmarks=5))
    c = compare_photos(a, cut)
    assert not any(m.startswith(MSG_EXPRESSION_MAYBE) for m in c.messages), c.messages
    said = [m for m in c.messages if m.startswith(MSG_FACE_CUT)]
    assert said and UNREAD in said[0] and said[0].endswith("retake it with the whole face in the picture"), said


def test_london_003_cut_at_the_chin_against_itself_says_no_expression(london_dir):
    """The report's pair (k2, stop 66): London 003 neutral cut to 66 % of its height against itself uncut, both
    orders; it said "a mouth corner moved 0.7 mm relative to the jowl below it"."""
    path = london_dir / "london_003_f38_white_neutral.jpg"
    whole = analyze_photo(path)
    rgb = whole.photo.rgb
    cut = analyze_photo(png_bytes(np.ascontiguousarray(rgb[: int(round(0.66 * rgb.shape[0]))])), name="cut.png")
    assert cut.ok and cut.quality.cut_landmarks > 0
    for b, a in ((cut, whole), (whole, cut)):
        c = compare_photos(b, a)
        assert c.cues["mouth_corner_rise_mm"] > 0.6  # the cue still reads the guess; it is not said
        assert not any(m.startswith("expression") for m in c.messages), c.messages
        assert any(m.startswith(MSG_FACE_CUT) and UNREAD in m for m in c.messages), c.messages
