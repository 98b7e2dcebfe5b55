"""Every figure a user is shown carries its unit and its uncertainty (stop 55's audit, ``bench/audit_units.py``;
docs/validation.md §12, "Round 9").

The checker's core rules on texts the messages make (no photo is measured here: the full audit of every command's
output and the app's page runs in bench/, ~4 min), and the figures the audit found without their uncertainty: a
named head-pose change, a coarse photo's mm scale, a jaw angle's before and after values in the app's tables.
"""

from __future__ import annotations

import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd

from conftest import app_module

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

import audit_units as audit  # noqa: E402


def _rules(text: str) -> list[tuple[str, str]]:
    return [(f.rule, f.figure) for f in audit.audit_text(text, "t")]


def test_the_checker_passes_figures_with_unit_and_uncertainty():
    """The console's lines as compare and timeline write them hold: a change with its floor, a value with its ±, an
    interval, a range, counts, dates, versions and the limits a message names."""
    ok = ["  jawline lift: +1.59 mm (lift; noise floor 0.10 mm; scale ± 0.07 mm); right +1.58 mm (lift; floor 0.12 mm)",
          "  pose change (corrected for): pitch -0.01 ± 0.04 deg (chin up > 0), yaw 0.00 ± 0.03 deg",
          "At 24 h the change is −0.11 mm (90% CI −0.27 to 0.01 mm), inside the ±0.50 mm margin, after a peak of "
          "1.93 mm (95% CI 1.69 to 2.15 mm): the lift fades within a day.",
          "the fitted change is −0.15 index, whose 95% CI −0.34 to −0.08 index does not lie entirely beyond",
          "54 photos measured; 48 changes; 0 photos left out (15.2 s).",
          "capture times: before 2026-11-02T08:00:00 (EXIF), after 2026-11-02T11:30:00 (EXIF); facemetrics 0.2.32",
          "smiling against neutral 0.15-1.36 mm",
          "| change | floor |\n|---|---|\n| -91 ± 8 mm2 | 380 mm2 |",
          "| treatment | photos | half-life h [95% CI] |\n|---|---|---|\n| rf | 27 | 3.4 [2.5, 5.0] |"]
    for text in ok:
        assert _rules(text) == [], text


def test_the_checker_flags_a_bare_number_and_a_figure_without_its_uncertainty():
    assert _rules("a mouth corner moved 1.7 mm relative to the jowl below it (limit 0.6 mm)") == [
        ("no_uncertainty", "1.7 mm")]
    assert _rules("head pose differs: chin raised by about 6.7 deg in the after photo (limit ±2 deg)") == [
        ("no_uncertainty", "6.7 deg")], "a limit's ± is not the figure's"
    assert _rules("| metric | half-life [95% CI] |\n|---|---|\n| jaw | 3.4 [2.5, 5.0] |") == [("no_unit", "3.4")]


def test_a_named_head_pose_change_carries_the_uncertainty_its_row_shows():
    """"chin raised by about 6.7 deg" beside the pose row's "pitch +6.72 ± 2.32 deg": the message now gives the
    row's ± (pose_uncertainty of the 3-D fit's SD); without an SD in the cues it keeps "about"."""
    from facemetrics.compare.floors import DEFAULT_NOISE_FLOORS, pose_uncertainty
    from facemetrics.compare.gate import pose_messages

    cues = {"pose_pitch_deg": 3.0, "pose_yaw_deg": -6.5, "pose_sd": {"head_pitch_change_deg": 0.4,
                                                                      "head_yaw_change_deg": 0.5}}
    pitch, yaw = pose_messages(cues)[1]
    u = pose_uncertainty("head_pitch_change_deg", 3.0, 0.4, DEFAULT_NOISE_FLOORS[("head_pitch_change_deg", "mean")])
    assert f"chin raised by 3.0 ± {u:.1f} deg in the after photo (limit ±2 deg)" in pitch, pitch
    assert "subject's right by 6.5 ± " in yaw and "deg in the after photo (named above ±3 deg" in yaw, yaw
    assert _rules(pitch.split(";")[0]) == [], pitch
    assert "chin raised by about 3.0 deg" in pose_messages({"pose_pitch_deg": 3.0})[1][0]


def test_a_coarse_photos_scale_carries_its_uncertainty():
    """"resolution too low in the after photo: 0.69 mm/px (limit 0.5 mm/px)": the scale now with its 1 SD (the
    iris calibration's uncertainty_pct), none added where the scale has none (--mm-per-px)."""
    from facemetrics.compare.gate import resolution_messages

    fine = SimpleNamespace(mm_per_px=0.2, calibration=SimpleNamespace(uncertainty_pct=4.5))
    coarse = SimpleNamespace(mm_per_px=0.69, calibration=SimpleNamespace(uncertainty_pct=4.7))
    given = SimpleNamespace(mm_per_px=0.6, calibration=SimpleNamespace(uncertainty_pct=0.0))
    (msg,) = resolution_messages(fine, coarse)
    assert msg == ("resolution too low in the after photo: 0.69 ± 0.03 mm/px (1 SD; limit 0.5 mm/px); "
                   "sub-millimetre changes cannot be resolved"), msg
    assert _rules(msg) == [], msg
    assert resolution_messages(given, fine) == ["resolution too low in the before photo: 0.60 mm/px (limit 0.5 "
                                                "mm/px); sub-millimetre changes cannot be resolved"]


def test_a_jaw_angles_before_and_after_carry_their_uncertainty_in_the_comparison_tables():
    """The app's comparison tables showed a jaw angle's own values bare ("138.0 deg"), while a fold's carry its ±
    and the photo's figures table gives the angle one (floor / √2): both tables now give it."""
    app = app_module()
    shown = pd.DataFrame(dict(metric=["jaw_angle_deg", "nlf_depth"], side=["right", "right"], change=[-0.93, -0.31],
                              unit=["deg", "index"], noise_floor=[2.7, 0.84], verdict=["within_noise"] * 2,
                              before=[138.04, 16.3], after=[137.11, 16.0], change_scale_sd=[np.nan, np.nan]))
    v = app.compact_values(shown).set_index("metric")
    assert v.loc["jaw_angle_deg, right", "before"] == "138.0 ± 1.9 deg", v
    table = "| metric | before | after |\n|---|---|---|\n" + "\n".join(
        f"| {m} | {b} | {a} |" for m, b, a in zip(v.index, v["before"], v["after"]))
    assert _rules(table) == [], table
    styled = app.table_styled(shown).to_html()
    assert "138.0 ± 1.9" in styled and "137.1 ± 1.9" in styled, styled


def _sample_rows() -> pd.DataFrame:
    """Rows of the sample pair's comparison table (comparison.csv, 2026-12-06): a mm length, an area, a fold, a
    jaw angle and a lift (no value of its own)."""
    return pd.DataFrame(dict(
        metric=["jawline_height_mm", "lower_face_area_mm2", "nlf_depth", "jaw_angle_deg", "jawline_lift_mm"],
        side=["mean", "mean", "right", "right", "mean"], change=[-1.07, -91.16, -0.32, -0.93, 1.59],
        unit=["mm", "mm2", "index", "deg", "mm"], noise_floor=[3.7, 380.0, 0.84, 2.7, 0.099],
        verdict=["within_noise"] * 4 + ["lift"], before=[96.2056, 6217.54, 16.2544, 138.013, np.nan],
        after=[95.1333, 6126.38, 15.9366, 137.084, np.nan], change_scale_sd=[0.048, 8.18, np.nan, np.nan, 0.071]))


def test_a_photos_mm_and_mm2_values_carry_their_uncertainty_in_the_comparison_tables():
    """The app's comparison tables showed a length's and an area's own values bare ("96.2 mm", "6218 mm2"; 100
    findings of the audit's app page, their scale said once in the caption): each now carries its ±, floor / √2
    and 1.96 x the iris scale's 1 SD in quadrature (uploads.per_photo_cell), in the phone's table and the wide one;
    a fold's and a jaw angle's (no mm scale) are as before."""
    app = app_module()
    shown = _sample_rows()
    # a scale the user gave (no uncertainty): the floor's share alone, still a ± (it was "96.2 mm")
    assert app.compact_values(shown).set_index("metric").loc["jawline_height_mm, mean", "before"] == "96.2 ± 2.6 mm"
    v = app.compact_values(shown, scale_pct=4.5).set_index("metric")
    assert v.loc["jawline_height_mm, mean", "before"] == "96.2 ± 8.9 mm", v  # hypot(3.7 / √2, 1.96 x 4.33)
    assert v.loc["lower_face_area_mm2, mean", "after"] == "6126 ± 1114 mm²", v  # twice the % for an area (mm², stop 56 c1)
    assert v.loc["nlf_depth, right", "before"] == "16.25 ± 0.59 index", v
    assert v.loc["jaw_angle_deg, right", "before"] == "138.0 ± 1.9 deg", v
    assert "jawline_lift_mm, mean" not in v.index, v
    table = "| metric | before | after |\n|---|---|---|\n" + "\n".join(
        f"| {m} | {b} | {a} |" for m, b, a in zip(v.index, v["before"], v["after"]))
    assert _rules(table) == [], table
    html = app.table_styled(shown, 4.5).to_html()
    for cell in ("96.2 ± 8.9", "95.1 ± 8.8", "6218 ± 1129", "16.25 ± 0.59", "137.1 ± 1.9"):
        assert cell in html, cell
    note = app.scale_table_note(4.5)
    assert "1.96 × that scale's share" in note and _rules(note) == [], note


def test_a_photos_uncertainty_adds_the_scale_at_the_floors_coverage():
    from facemetrics.compare import SCALE_COVERAGE_K, per_photo_scaled_uncertainty, per_photo_uncertainty

    assert per_photo_scaled_uncertainty(100.0, 2.0, "mm", 5.0) == np.hypot(2 / np.sqrt(2), SCALE_COVERAGE_K * 5.0)
    assert per_photo_scaled_uncertainty(100.0, 2.0, "mm2", 5.0) == np.hypot(2 / np.sqrt(2), SCALE_COVERAGE_K * 10.0)
    for unit in ("index", "deg", "pct"):
        assert per_photo_scaled_uncertainty(100.0, 2.0, unit, 5.0) == per_photo_uncertainty(2.0)
    assert per_photo_scaled_uncertainty(100.0, 2.0, "mm", np.nan) == per_photo_uncertainty(2.0)
    assert np.isnan(per_photo_scaled_uncertainty(np.nan, 2.0, "mm", 5.0))


def test_the_expression_flow_cues_name_their_noise_floor():
    """"a mouth corner moved 1.7 mm relative to the jowl below it (limit 0.6 mm)": a single reading of the pair
    with no spread said; each flow cue now names its own noise floor (the default floors' rule on the 325
    nuisance-only pairs: bench_compare.py --noise-floors)."""
    from facemetrics.compare.expression import (MOUTH_CORNER_RISE_FLOOR_MM, MOUTH_WIDENING_FLOOR_MM,
                                                _flow_expression_cues)

    narrower, rise = _flow_expression_cues({"mouth_widening_mm": -2.04, "mouth_corner_rise_mm": 1.71})
    assert narrower == f"mouth corners moved 2.0 mm narrower (noise floor {MOUTH_WIDENING_FLOOR_MM:.2f} mm; limit 0.5 mm)"
    assert rise == (f"a mouth corner moved 1.7 mm relative to the jowl below it (noise floor "
                    f"{MOUTH_CORNER_RISE_FLOOR_MM:.2f} mm; limit 0.6 mm)")
    assert _rules(narrower) == [] and _rules(rise) == [], (narrower, rise)
    assert 0 < MOUTH_WIDENING_FLOOR_MM < 0.5 and 0 < MOUTH_CORNER_RISE_FLOOR_MM < 0.6  # below their limits
    # the framing message's face shares: a check of the photos against a limit, masked with its reason
    framing = "the photos are framed differently (the face fills 56 % vs 31 % of the frame's width, 1.82x; limit 1.20x)"
    assert _rules(framing) == []


def test_every_numeric_column_of_photos_csv_names_its_unit_and_its_uncertainty_or_why_none(sample_analysis):
    """The schema's audit of a photo's row (``photos.csv``): each numeric column has a unit (its name's suffix or
    the schema's unit word: the quality columns' were empty) and its uncertainty or the reason it has none
    (:data:`facemetrics.schema.NO_UNCERTAINTY`: the checks of the photo, the scale's pixel inputs, counts)."""
    from facemetrics import schema

    frame = pd.DataFrame([sample_analysis.to_row()])
    assert audit.audit_frame(frame, "photos.csv") == []
    numeric = [c for c in schema.PHOTO_COLUMNS_DEF if pd.api.types.is_numeric_dtype(frame[c.name])
               and frame[c.name].dtype != bool and frame[c.name].notna().any()]
    assert len(numeric) > 40, len(numeric)
    for c in numeric:
        assert c.unit or c.name.endswith(("_ipd", "_ipd2")), c.name
        assert schema.photo_uncertainty(c), c.name


def test_a_scale_share_that_rounds_to_zero_reads_as_a_bound_in_the_cli_and_the_app():
    """Round 21 (stop 60): the app's landmark lift rows read "+0.3 ± 0.0" at one decimal and the CLI's cheeks "scale
    ± 0.00 mm", a ± that reads as no uncertainty.  One rule for both (Round 22, stop 61): a ± that rounds to zero at
    its figure's decimals reads "< 0.05" (half the last digit: :func:`facemetrics.rounding.fixed_uncertainty`), not
    more decimals than the figure has.  Fails on the old code."""
    from facemetrics.report import _scale_part, floor_text
    from facemetrics.rounding import fixed_uncertainty

    assert [fixed_uncertainty(u, d) for u, d in ((0.071, 2), (0.014, 1), (0.0, 2), (0.2, 0), (-0.02, 1))] == [
        "0.07", "< 0.05", "< 0.005", "< 0.5", "< 0.05"]
    assert fixed_uncertainty(float("nan")) == "n/a"
    assert _scale_part(0.08, 4.5) == "; scale ± < 0.005 mm"  # 0.0036 mm: "scale ± 0.00 mm" before
    assert _scale_part(1.59, 4.5) == "; scale ± 0.07 mm"  # unchanged where it does not round to zero
    assert floor_text(0.10, "mm", 0.003) == " (noise floor 0.10 mm; scale ± < 0.005 mm)"
    app = app_module()
    shown = pd.DataFrame(dict(metric=["jawline_lift_landmarks_mm", "jawline_lift_landmarks_mm"], side=["mean", "right"],
                              change=[0.31, 1.62], unit=["mm", "mm"], noise_floor=[1.4, 1.4], verdict=["within_noise"] * 2,
                              before=[np.nan, np.nan], after=[np.nan, np.nan], change_scale_sd=[0.014, 0.073]))
    html = app.table_styled(shown).to_html()  # the Styler's texts, unescaped: st.dataframe shows them as text
    assert ">+0.3 ± < 0.05</td>" in html and "± 0.0<" not in html and ">+1.6 ± 0.1</td>" in html, html


def test_the_checkers_word_rules_flag_what_stop_60_saw_and_pass_the_fixed_forms():
    """Round 22 (stop 61): the checker's word rules, each on the text stop 60's note saw and on its fixed form."""
    assert _rules("No smallest meaningful change is known for pct and the changes carry no noise floor.") == [
        ("raw_code", "pct")]
    assert _rules("No smallest meaningful change is known for a change in pp (percentage points) and the changes "
                  "carry no noise floor.") == []
    assert ("zero_uncertainty", "± 0.00") in _rules("cheek lift: +0.01 mm (within_noise; noise floor 0.04 mm; scale "
                                                    "± 0.00 mm)")
    assert _rules("cheek lift: +0.01 mm (within_noise; noise floor 0.04 mm; scale ± < 0.005 mm)") == []
    assert _rules("| change ± scale | floor |\n|---|---|\n| +1.1 ± < 0.05 mm | 4.0 mm |") == []  # the app's phone cell
    assert _rules("+0.20 mm (90% CI 0.00 to +0.41)") == [("ci_end_no_unit", "0 mm (90% CI 0.00 to +0.41)")]
    assert _rules("+0.20 mm (90% CI 0.00 to +0.41 mm)") == []
    assert _rules("the change is nan mm") == [("missing_word", "nan")]
    assert _rules("None: every photo was measured and compared; `nlf_contrast_pct` and `None` are names") == []


def test_a_head_pose_refusal_gives_the_change_with_its_uncertainty():
    """"head pose differs too much to compare: yaw (turn left/right) changed by -25.0 deg (limit ±10 deg)" gave the
    3-D fit's change without the ± its row and the named-pose message give (stop 62's audit of the gate's message
    grid); now "-25.0 ± u deg", u the row's 95 % uncertainty (pose_uncertainty of the fit's SD); without an SD in the
    cues the figure alone, as before."""
    from facemetrics.compare.floors import DEFAULT_NOISE_FLOORS, pose_uncertainty
    from facemetrics.compare.gate import pose_messages

    cues = {"pose_yaw_deg": -25.0, "pose_sd": {"head_yaw_change_deg": 1.5}}
    refuse, (msg,) = pose_messages(cues)
    u = pose_uncertainty("head_yaw_change_deg", -25.0, 1.5, DEFAULT_NOISE_FLOORS[("head_yaw_change_deg", "mean")])
    assert refuse and f"changed by -25.0 ± {u:.1f} deg (limit ±10 deg); retake" in msg, msg
    assert _rules(msg) == [], msg
    assert "changed by -25.0 deg (limit ±10 deg)" in pose_messages({"pose_yaw_deg": -25.0})[1][0]


def test_the_lip_shape_cues_unitless_form_passes_and_the_old_one_did_not():
    """Stop 62 (h7): "smile index 0.02 → 0.30 (limit ±0.10)" read as figures without a unit; the message now says
    the cue has none and gives the change's ±, which the checker reads as such (a change without its ± is still found)."""
    assert _rules("expression differs: smile index 0.02 → 0.30 (limit ±0.10)") != []
    assert _rules("expression differs: smile index changed by +0.28 ± 0.02 (an index, no unit: from 0.02 to 0.30, "
                  "limit ±0.10)") == []
    assert _rules("mouth opening changed by +0.25 ± 0.01 (the inner-lip gap over the mouth width, no unit: from 0.05 "
                  "to 0.30, limit ±0.10)") == []
    # the mouth-corner elevation's change: with its ± (stop 63) it passes, without one it is still found
    assert _rules("mouth-corner elevation changed by -0.21 ± 0.01 (a ratio, no unit: from 0.01 to -0.20, limit ±0.10; "
                  "the smile index's mouth width / pupil distance term is left out)") == []
    assert _rules("mouth-corner elevation changed by -0.21 (a ratio, no unit: from 0.01 to -0.20, limit ±0.10; the "
                  "smile index's mouth width / pupil distance term is left out)") == [("no_unit", "-0.21")]
