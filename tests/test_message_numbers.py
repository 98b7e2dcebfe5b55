"""Every number in the gate's messages is rounded by one rule and carries its unit.

The comparability gate (:mod:`facemetrics.compare.gate`, with compare's fold-length check) words its own
numbers.  Its messages are generated here over a grid of small synthetic inputs, values that round to zero
included (-0.004 deg, +0.003 %, ...), and each message is read back: no signed zero (``-0.0``, ``+0``, the
rule of :func:`facemetrics.rounding.fixed`) and every number followed by a unit or inside one of the
unitless forms listed in :data:`UNITLESS` (a count, a ratio of the photos, an index's name before it).
Pure functions only: no photo is read.
"""

from __future__ import annotations

import importlib
import itertools
import re

import numpy as np
import pytest

from facemetrics.compare.fold_length import fold_length_disagreements
from facemetrics.rounding import fixed

gt = importlib.import_module("facemetrics.compare.gate")  # the module (the package exports its function `gate`)

#: the words that may follow a number as its unit (longest first where one begins another)
UNITS = ("mm/px", "mm RMS", "mm²", "mm", "deg", "%", "px", "cm", "min", "h", "s", "index", "pp", "grey levels",
         "of 255", "points", "x", "×", "SD")

#: the unitless forms a number may stand in, each a regular expression matched around the number's place:
#: the index and ratio terms of the expression check (their name before the figures), a count of photos, faces
#: or landmarks, the '3-D' of the head-pose fit, the 255 of a grey level's scale ('212 of 255'), and the first
#: figure of a range ('15-60 cm'), of a before and after pair ('7.00 -> 7.90 mm', 'from 166 to 212 of 255') or of a value with its
#: uncertainty ('0.61 ± 0.03 mm/px', stop 55), whose unit follows the second figure (which is checked itself)
UNITLESS = (
    r"(smile index|mouth-corner elevation|mouth opening) changed by [-+]?\d+\.\d+( ± \d+\.\d+)? \([^():]*, no unit: "
    r"from [-+]?\d+\.\d+ to [-+]?\d+\.\d+, limit ±\d+\.\d+",
    r"\b\d+ (photos?|faces?|landmarks?|jaw-line|of the)\b",
    r"\b3-D\b",
    r"\bof 255\b",
    r"[-+]?\b\d+(\.\d+)?-\d",
    r"[-+]?\b\d+(\.\d+)? (->|→|to) [-+]?\d",
    r"[-+]?\b\d+(\.\d+)? ± (?=\d)",
)

NUMBER = re.compile(r"(?<![\w.])[-+−]?\d+(?:\.\d+)?(?![\w.])")
SIGNED_ZERO = re.compile(r"(?<![\w.±])[-+−]0(?:\.0+)?(?![\d.])")
UNIT_AFTER = re.compile(r"\s?(?:" + "|".join(re.escape(u) for u in UNITS) + r")(?![A-Za-z])")


def unitless_spans(text: str) -> list[tuple[int, int]]:
    return [m.span() for pat in UNITLESS for m in re.finditer(pat, text)]


def bare_numbers(text: str) -> list[tuple[str, str]]:
    """The numbers of ``text`` with no unit after them and in no :data:`UNITLESS` form: ``(number, context)``."""
    spans = unitless_spans(text)
    out = []
    for m in NUMBER.finditer(text):
        if any(a <= m.start() < b for a, b in spans):
            continue
        if UNIT_AFTER.match(text, m.end()):
            continue
        out.append((m.group(0), text[max(0, m.start() - 40): m.end() + 25]))
    return out


SMALL = (-0.004, 0.0, 0.003)
ANGLES = (-25.0, -11.0, -8.0, -4.0, -2.6, *SMALL, 2.6, 4.0, 8.0, 11.0, 25.0)
CAMERA_PCT = (-60.0, -30.0, -0.3, *SMALL, 0.2, 30.0, 60.0)


def pose_cases():
    """The cues :func:`gate.pose_messages` reads, over pitch x yaw x camera change, with a jaw correction and
    floor that round to zero, the camera's own uncertainty small, and the two flags."""
    for pitch, yaw, cam in itertools.product(ANGLES, ANGLES[::3], CAMERA_PCT):
        for corr, expr, unread in ((-0.004, False, False), (1.0, True, False), (0.002, False, True)):
            yield ({"pose_pitch_deg": pitch, "pose_yaw_deg": yaw, "camera_distance_change_pct": cam,
                    "pose_sd": {"camera_distance_change_pct": 0.3},
                    "pose_correction_mm": {"jawline": {"right": corr, "left": -corr}},
                    "pose_floor_mm": {"jawline": {"mean": 0.004}}}, expr, unread)


def gate_messages() -> list[str]:
    msgs = []
    for cues, expr, unread in pose_cases():
        msgs += gt.pose_messages(cues, expression_changed=expr, lower_face_unread=unread)[1]
    for before, after in itertools.product((-0.004, 0.02), (0.003, 0.3, -0.3)):
        for covered in ((), ("before",)):
            smile = gt.smile_change((before, after), (before, after), (bool(covered), False))
            msgs.append(smile.message)
    for r, rev in itertools.product((0.004, 0.8, 1.64, 2.3), (np.nan, 0.003, 1.9)):
        m = gt.upper_face_match(r, rev)
        msgs += [m.said(), m.read]
    for mw, rise in itertools.product((-4.0, -0.004, 0.003, 4.0), (-0.004, 0.003, 2.0)):
        msgs += gt._flow_expression_cues({"mouth_widening_mm": mw, "mouth_corner_rise_mm": rise})
    floors = {("nlf_depth", "side"): 0.004, ("nlf_length_mm", "side"): 0.003}
    for change, ref in itertools.product((-1.2, -0.004, 0.003, 1.25), (-0.004, 0.003, 0.9)):
        msgs += gt.fold_line_disagreements({("nlf_depth", "right"): (1.0, 1.0, change)}, {"right": ref}, floors)[1]
        msgs += fold_length_disagreements({("nlf_length_mm", "left"): (7.0, 7.0, change)},
                                          {"left": (7.004, 7.004 + ref)}, floors)[1]
    for med, lat in itertools.product((-40.0, -0.004, 0.003, 40.0), (-0.004, np.nan)):
        msgs += gt.fold_contrast_side_rows({"right": (med, lat)})[1]
    return msgs


MESSAGES = gate_messages()


def test_the_grid_makes_the_gates_messages_with_zeros_in_them():
    """The grid reaches the messages it checks, and some of them hold a figure that rounds to zero."""
    assert len(MESSAGES) > 300
    assert any(gt.MSG_POSE in m for m in MESSAGES) and any(gt.MSG_CAMERA_UNMEASURED in m for m in MESSAGES)
    assert any(m.startswith(gt.MSG_FOLD_LINES) for m in MESSAGES)
    assert sum(bool(re.search(r"(?<![\d.])0\.00?(?!\d)", m)) for m in MESSAGES) > 20


def test_no_message_prints_a_signed_zero():
    assert [m for m in MESSAGES if SIGNED_ZERO.search(m)] == []


def test_every_number_in_the_gates_messages_has_a_unit_or_a_listed_unitless_form():
    bare = sorted({context for m in MESSAGES for _, context in bare_numbers(m)})
    assert bare == [], bare


@pytest.mark.parametrize(("text", "bare"), [
    ("(limit 0.5)", ["0.5"]),
    ("0.61 mm/px (limit 0.50 mm/px)", []),
    ("smile index changed by +0.28 ± 0.02 (an index, no unit: from 0.02 to 0.30, limit ±0.10)", []),
    ("smile index 0.02 → 0.30 (limit ±0.10)", ["0.10"]),  # stop 62: no longer listed, its message says "no unit"
    ("2 faces found", []),
    ("read 0.13-0.36 mm", []),
    ("7.00 -> 7.90 mm (+0.90)", ["+0.90"]),
    ("0.61 ± 0.03 mm/px (1 SD; limit 0.5 mm/px)", []),
    ("0.61 ± 0.03 (1 SD)", ["0.03"]),
    ("by +12.0 deg (limit ±10)", ["10"]),
])
def test_the_reader_finds_a_bare_number(text, bare):
    """The check itself: a number with no unit is found, the listed forms are not."""
    assert [number for number, _ in bare_numbers(text)] == bare


@pytest.mark.parametrize(("v", "digits", "sign", "said"), [
    (-0.004, 2, False, "0.00"), (-0.004, 2, True, "0.00"), (0.003, 1, True, "0.0"), (-0.4, 0, True, "0"),
    (0.006, 2, True, "+0.01"), (-0.006, 2, False, "-0.01"),
])
def test_fixed_rounds_zero_without_a_sign(v, digits, sign, said):
    assert fixed(v, digits, sign) == said


@pytest.mark.parametrize("v", [float("nan"), float("inf"), float("-inf"), -float("nan")])
@pytest.mark.parametrize("sign", [False, True])
@pytest.mark.parametrize("digits", [0, 2])
def test_a_number_that_is_not_there_reads_n_a_without_a_sign(v, sign, digits):
    """Stop 46: ``fixed(nan, sign=True)`` read "+nan" (and an infinity "+inf" / "-inf"): every value that is not
    finite reads as report.md's tables have always written a missing one, and so does ``decay.wording.num``."""
    from facemetrics.decay.wording import num
    from facemetrics.rounding import MISSING

    assert fixed(v, digits, sign) == MISSING == "n/a"
    assert num(v, digits) == "n/a"


def test_a_real_comparisons_gate_messages_have_units(sample_analysis):
    """The gate's messages of the sample photo against a brighter copy (lighting) and a downsized one (~0.59
    mm/px: the resolution warning said "(limit 0.5)" before 2026-12-05): no signed zero, no bare number."""
    import dataclasses

    import cv2

    from conftest import png_bytes
    from facemetrics import compare_photos
    from facemetrics import simulate as sim
    from facemetrics.analyze import analyze_loaded

    a = sample_analysis
    bright = analyze_loaded(dataclasses.replace(a.photo, rgb=sim.brightness(a, 1.35).image))
    small = png_bytes(cv2.resize(a.photo.rgb, None, fx=0.3, fy=0.3, interpolation=cv2.INTER_AREA))
    msgs = [m for other in (bright, small) for m in compare_photos(a, other).messages]
    assert any(m.startswith("lighting differs") for m in msgs) and any("resolution too low" in m for m in msgs), msgs
    assert [m for m in msgs if SIGNED_ZERO.search(m)] == []
    assert sorted({context for m in msgs for _, context in bare_numbers(m)}) == []


def test_the_lighting_warning_and_the_landmark_pose_refusal_give_their_change_with_its_uncertainty(sample_analysis):
    """Stop 62 (h7): "lighting differs: face luminance 120 → 160 of 255 (+33 %, limit ±20 %)" and "yaw (turn) +15 →
    -14 deg (limit ±20 deg)" gave their figures without a ±.  The luminance change's is the 95th percentile of its
    log ratio over light-free nuisance pairs (``gate.LUMINANCE_FLOOR_LOG``), the single-photo pose change's
    ``hypot(1.3 deg, 0.43 x |change|)`` (``quality.landmark_pose_uncertainty``; bench/gate_figures_uncertainty.py)."""
    import dataclasses
    import sys
    from pathlib import Path

    from facemetrics import compare_photos
    from facemetrics import simulate as sim
    from facemetrics.analyze import analyze_loaded
    from facemetrics.quality import landmark_pose_uncertainty  # quality's since stop 62 (h12)

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
    import audit_units as audit

    a = sample_analysis
    bright = analyze_loaded(dataclasses.replace(a.photo, rgb=sim.brightness(a, 1.35).image))
    la, lb = a.quality.face_luminance, bright.quality.face_luminance
    (light,) = [m for m in compare_photos(a, bright).messages if m.startswith(gt.MSG_LIGHTING)]
    assert (f"face luminance from {fixed(la, 0)} to {fixed(lb, 0)} of 255 ({fixed(100 * (lb / la - 1), 0, True)} % "
            "± < 0.5 %, limit ±20 %)") in light, light
    assert 0.2 < gt.luminance_uncertainty_pct(la, lb) < 0.5  # 100 (lb / la) (exp(0.0028) - 1)
    assert gt.luminance_uncertainty_pct(100.0, 200.0) == pytest.approx(200 * np.expm1(gt.LUMINANCE_FLOOR_LOG))

    q = a.quality
    turned = dataclasses.replace(a, quality=dataclasses.replace(q, yaw_deg=q.yaw_deg - 29.0))
    status, msgs = gt.gate(a, turned)
    u = landmark_pose_uncertainty(-29.0)
    assert status == "refused" and u == pytest.approx(np.hypot(1.3, 0.43 * 29.0)), (status, u)
    assert msgs[0] == (f"{gt.MSG_POSE} too much to compare: yaw (turn) changed by -29 ± {u:.0f} deg (from "
                       f"{fixed(q.yaw_deg, 0, True)} to {fixed(q.yaw_deg - 29.0, 0, True)} deg, each photo's own "
                       "estimate, limit ±20 deg); retake the after photo facing the camera as in the before photo"), msgs
    for m in (light, msgs[0]):
        assert [(f.rule, f.figure) for f in audit.audit_text(m, "t")] == [], m
        assert SIGNED_ZERO.search(m) is None and bare_numbers(m) == [], m



def test_the_lip_shape_cues_say_they_have_no_unit_and_give_their_change_with_its_uncertainty(sample_analysis):
    """Stop 62 (h7): "smile index 0.02 → 0.30 (limit ±0.10)" and "mouth opening 0.05 → 0.30 (limit ±0.10)" gave
    neither a unit (each is dimensionless) nor an uncertainty: now the change with its 95 % repeat spread over
    nuisance-only pairs (``SMILE_INDEX_REPEAT_FLOOR``, ``MOUTH_OPENING_REPEAT_FLOOR``;
    bench/expression_cue_uncertainty.py) and "no unit" said.  The mouth-corner elevation (read when no iris is
    visible) gets its ± since stop 63 (``ELEVATION_REPEAT_FLOOR``, bench/elevation_uncertainty_s63.py)."""
    import dataclasses

    from facemetrics.compare.expression import (ELEVATION_REPEAT_FLOOR, MOUTH_OPENING_REPEAT_FLOOR,
                                                SMILE_INDEX_REPEAT_FLOOR)

    assert (SMILE_INDEX_REPEAT_FLOOR, MOUTH_OPENING_REPEAT_FLOOR, ELEVATION_REPEAT_FLOOR) == (0.023, 0.005, 0.011)
    smile = gt.smile_change((0.02, 0.30), (0.01, 0.2), (False, False)).message
    assert smile == "smile index changed by +0.28 ± 0.02 (an index, no unit: from 0.02 to 0.30, limit ±0.10)", smile
    lips = gt.smile_change((0.02, 0.30), (0.01, -0.2), (True, False)).message
    assert lips.startswith("mouth-corner elevation changed by -0.21 ± 0.01 (a ratio, no unit: from 0.01 to -0.20, limit "
                           "±0.10; the smile index's mouth width"), lips
    q = sample_analysis.quality
    opened = dataclasses.replace(sample_analysis, quality=dataclasses.replace(
        q, mouth_opening_ratio=q.mouth_opening_ratio + 0.25))
    (opening,) = [m for m in gt.lip_shape_changes(sample_analysis, opened) if m.startswith("mouth opening")]
    assert opening == (f"mouth opening changed by +0.25 ± 0.01 (the inner-lip gap over the mouth width, no unit: "
                       f"from {fixed(q.mouth_opening_ratio, 2)} to {fixed(q.mouth_opening_ratio + 0.25, 2)}, limit "
                       "±0.10)"), opening
    for m in (smile, lips, opening):
        assert bare_numbers(m) == [] and SIGNED_ZERO.search(m) is None, m
