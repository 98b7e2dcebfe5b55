"""The per-photo cover check (facemetrics.occlusion): a cover over the jaw line or a fold of ONE photo."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from skimage import data

from facemetrics import analyze_photo
from facemetrics import occlusion as oc
from facemetrics.compare.occlusion import (
    JAW_ROWS, MSG_BOTH_COVERED, MSG_PHOTO_COVERED, PHOTO_REGION_ROWS, one_photo_covered,
)
from facemetrics.geometry import CHIN, GONION_RIGHT


def _coffee_on_right_jaw(a, area_mm2: float = 300.0) -> np.ndarray:
    """The analysed photo with a coffee-bean ellipse (scikit-image's picture, not the face's colour) of
    ``area_mm2`` over the subject's right jaw line, halfway from the gonion to the chin, 3 mm inside."""
    rgb = a.photo.rgb.copy()
    mmpx = a.calibration.mm_per_px
    cont = a.jaw.contour_px
    mid = 0.5 * (a.points[GONION_RIGHT, :2] + a.points[CHIN, :2])
    q = cont[np.argmin(np.hypot(*(cont - mid).T))]
    d = a.points[17, :2] - q
    centre = q + d / np.linalg.norm(d) * 3.0 / mmpx
    b = np.sqrt(area_mm2 / (np.pi * 1.6)) / mmpx
    mask = np.zeros(rgb.shape[:2], np.uint8)
    cv2.ellipse(mask, tuple(int(v) for v in centre), (int(1.6 * b), int(b)), 30, 0, 360, 1, -1)
    tex = cv2.resize(data.coffee(), (rgb.shape[1], rgb.shape[0]))
    rgb[mask.astype(bool)] = tex[mask.astype(bool)]
    return rgb


@pytest.fixture(scope="module")
def covered(sample_analysis):
    return analyze_photo(_coffee_on_right_jaw(sample_analysis), name="covered.png")


def test_a_clean_astronaut_is_not_flagged(sample_analysis):
    found = sample_analysis.occlusion
    assert found is not None and found.checked, found
    assert found.covered == (), found.areas_mm2
    row = sample_analysis.to_row()
    assert row["covered_columns"] == "" and oc.MSG_PHOTO_COVERED not in row["warnings"]


def test_a_coffee_patch_over_the_jaw_is_flagged_with_its_columns(covered):
    assert covered.ok, covered.error
    found = covered.occlusion
    assert "jaw_right" in found.covered, found.areas_mm2
    assert "jaw_left" not in found.covered and not any(r.startswith("fold") for r in found.covered), found.areas_mm2
    row = covered.to_row()
    cols = row["covered_columns"].split("; ")
    assert "jowl_sag_right_mm" in cols and "jowl_sag_right_ipd" in cols and "jawline_height_mm" in cols
    assert "jowl_sag_left_mm" not in cols and "nlf_depth_right" not in cols
    assert all(c in row for c in cols)  # every name is a column of photos.csv
    assert any(w.startswith("the subject's right jaw line " + oc.MSG_PHOTO_COVERED) for w in covered.warnings), \
        covered.warnings


def test_the_cover_warning_gives_its_area_with_the_95_percent_uncertainty(covered):
    """"about 120 mm² there differ ..." had no ± (stop 62, h12): the area now reads with the spread of the same
    covered photo re-saved, turned or rescaled (``OCCLUSION_PHOTO_AREA_REPEAT_LOG``, the upper half of
    ``exp(+-F)``)."""
    area = covered.occlusion.areas_mm2["jaw_right"]
    (w,) = [w for w in covered.warnings if w.startswith("the subject's right jaw line " + oc.MSG_PHOTO_COVERED)]
    u = oc.area_uncertainty_mm2(area)
    assert u == pytest.approx(area * (np.exp(oc.OCCLUSION_PHOTO_AREA_REPEAT_LOG) - 1)) and u > 1
    assert f"({area:.0f} ± {u:.0f} mm² there differ from the face's own cheek skin" in w, w
    assert "about" not in w.split(" there differ")[0]
    assert oc.occlusion_warnings(oc.PhotoOcclusion({"chin": 100.0}, ("chin",)))[0].startswith(
        "the chin looks covered (100 ± 43 mm² there differ")


def test_the_flag_swaps_sides_when_the_photo_is_mirrored(covered):
    flipped = analyze_photo(np.ascontiguousarray(covered.photo.rgb[:, ::-1]), name="flipped.png")
    assert flipped.ok, flipped.error
    assert "jaw_left" in flipped.occlusion.covered and "jaw_right" not in flipped.occlusion.covered, \
        flipped.occlusion.areas_mm2


def test_a_small_patch_under_the_limit_is_not_flagged(sample_analysis):
    small = analyze_photo(_coffee_on_right_jaw(sample_analysis, 0.5 * oc.OCCLUSION_PHOTO_MIN_AREA_MM2), name="s.png")
    assert small.ok and "jaw_right" not in small.occlusion.covered, small.occlusion.areas_mm2


def test_a_coarse_photo_is_not_checked(sample_analysis):
    a = sample_analysis
    found = oc.photo_occlusion(a.photo.rgb, a.points, 1.5, a.jaw.contour_px)
    assert not found.checked and found.covered == () and found.columns == ()


def test_regions_name_only_photo_columns():
    from facemetrics.schema import PHOTO_COLUMNS

    for r, cols in oc.REGION_COLUMNS.items():
        assert set(cols) <= set(PHOTO_COLUMNS), r
        assert r in oc.REGION_WORDS and r in PHOTO_REGION_ROWS
    found = oc.PhotoOcclusion({r: 0.0 for r in oc.REGION_COLUMNS}, ("chin", "fold_left"))
    assert set(found.columns) <= set(PHOTO_COLUMNS)
    assert "lower_face_area_ipd2" in found.columns and "nlf_length_left_ipd" in found.columns


class _Fake:
    def __init__(self, *covered):
        self.occlusion = oc.PhotoOcclusion({r: 0.0 for r in oc.REGION_COLUMNS}, covered)


def test_compare_reads_a_region_covered_in_one_photo_alone():
    # a fold region: a message, its rows keep their verdicts (a deeper fold moves the check's cue too)
    rows, msgs = one_photo_covered(_Fake(), _Fake("fold_left"))
    assert rows == ()
    assert len(msgs) == 1 and msgs[0].startswith(MSG_PHOTO_COVERED) and "after photo" in msgs[0]
    assert "left nasolabial fold" in msgs[0] and "keep their verdicts" in msgs[0]
    rows, msgs = one_photo_covered(_Fake("jaw_left", "fold_right"), _Fake())
    assert ("jawline_lift_mm", "left") in rows and not any(m.startswith("nlf_") for m, _ in rows)
    assert len(msgs) == 2 and all("before photo" in m for m in msgs)
    # the same jaw region in both photos (hair, a plaster moved a little; or a beard): the jaw rows and the side's
    # cheek and mouth-corner lift rows, one message
    rows, msgs = one_photo_covered(_Fake("jaw_right"), _Fake("jaw_right"))
    assert set(JAW_ROWS) <= set(rows) and len(msgs) == 1 and msgs[0].startswith(MSG_BOTH_COVERED), msgs
    assert ("cheek_lift_mm", "right") in rows and ("mouth_corner_lift_landmarks_mm", "mean") in rows
    assert ("cheek_lift_mm", "left") not in rows and not any(m.startswith("nlf_") for m, _ in rows)
    assert "right jaw line" in msgs[0] and "both photos" in msgs[0]
    rows, _ = one_photo_covered(_Fake("chin"), _Fake("chin"))
    assert ("cheek_lift_mm", "left") in rows and ("cheek_lift_mm", "right") in rows
    # ... but not when the two photos flag different regions of the jaw (each is flagged in one photo alone)
    rows, msgs = one_photo_covered(_Fake("jaw_left"), _Fake("jaw_right"))
    assert not any(m.startswith(MSG_BOTH_COVERED) for m in msgs) and len(msgs) == 2
    assert ("cheek_lift_mm", "left") not in rows
    # a fold band in both photos (a plaster on the cheek): that side's cheek and mouth-corner lifts, not the folds
    rows, msgs = one_photo_covered(_Fake("fold_left"), _Fake("fold_left"))
    assert ("cheek_lift_mm", "left") in rows and ("mouth_corner_lift_mm", "mean") in rows
    assert not any(m.startswith(("nlf_", "jaw")) for m, _ in rows) and ("cheek_lift_mm", "right") not in rows
    assert len(msgs) == 1 and msgs[0].startswith(MSG_BOTH_COVERED) and "left nasolabial fold" in msgs[0]
    rows, msgs = one_photo_covered(_Fake("jaw_right"), _Fake())
    assert ("jowl_sag_mm", "left") in rows and "before photo" in msgs[0]


def test_clean_london_portraits_are_not_flagged_and_a_red_band_over_a_chin_is(london_dir):
    """The 12 London neutral portraits (tuning faces, bearded and not) read no covered region; a red band
    (a scarf) across one's chin is flagged there."""
    photos = sorted(london_dir.glob("*_neutral.jpg"))
    assert len(photos) == 12
    for p in photos:
        a = analyze_photo(p)
        assert a.ok and a.occlusion.checked and a.occlusion.covered == (), (p.name, a.occlusion.areas_mm2)
    rgb = a.photo.rgb.copy()
    c = a.points[CHIN, :2] - (0, 6.0 / a.calibration.mm_per_px)
    half = (int(20 / a.calibration.mm_per_px), int(5 / a.calibration.mm_per_px))
    cv2.rectangle(rgb, (int(c[0]) - half[0], int(c[1]) - half[1]), (int(c[0]) + half[0], int(c[1]) + half[1]),
                  (190, 25, 35), -1)
    scarf = analyze_photo(rgb, name="scarf.png")
    assert scarf.ok and "chin" in scarf.occlusion.covered, scarf.occlusion.areas_mm2


def _blob_on_right_fold(a, rgb_colour, area_mm2: float = 150.0) -> np.ndarray:
    """The analysed photo with a flat ellipse of ``rgb_colour`` (a glove, a sleeve) of ``area_mm2`` centred on
    the middle of the subject's right fold line."""
    rgb = a.photo.rgb.copy()
    mmpx = a.calibration.mm_per_px
    line = a.nlf_right.line_px
    c = line[len(line) // 2]
    b = np.sqrt(area_mm2 / (np.pi * 1.5)) / mmpx
    cv2.ellipse(rgb, tuple(int(v) for v in c), (int(1.5 * b), int(b)), 70, 0, 360, tuple(int(v) for v in rgb_colour), -1)
    return rgb


def test_a_glove_over_a_fold_is_flagged_and_a_fold_darkened_20_percent_is_not(sample_analysis):
    """The fold cue's margin on the sample: a dark-blue glove over the right fold is read as a cover; the same
    photo with both folds 20 % darker (simulate.deepen_fold) is not (20 mm² of not-skin against 24)."""
    from facemetrics import simulate as sim

    gloved = analyze_photo(_blob_on_right_fold(sample_analysis, (40, 60, 140)), name="glove.png")
    assert gloved.ok and "fold_right" in gloved.occlusion.covered, gloved.occlusion.areas_mm2
    assert "fold_left" not in gloved.occlusion.covered, gloved.occlusion.areas_mm2
    deeper = analyze_photo(sim.deepen_fold(sample_analysis, 0.2, "both").image, name="deeper.png")
    assert deeper.ok and not any(r.startswith("fold") for r in deeper.occlusion.covered), deeper.occlusion.areas_mm2


@pytest.mark.xfail(strict=True, reason="known: the texture cue (RMS of L* about its 1 mm blur > 8 x the cheeks') "
                   "reads a 1.5 mm-wide valley 30 % darker as rough on the sample (28 mm² against 24); no fold cue "
                   "that a deeper fold cannot move passed its held-out rule "
                   "(docs/robustness.md 'The cover check's leftovers')")
def test_a_fold_darkened_30_percent_is_not_read_as_covered(sample_analysis):
    from facemetrics import simulate as sim

    deeper = analyze_photo(sim.deepen_fold(sample_analysis, 0.3, "both").image, name="deeper30.png")
    assert deeper.ok and not any(r.startswith("fold") for r in deeper.occlusion.covered), deeper.occlusion.areas_mm2


def test_the_same_cover_moved_3_mm_between_the_photos_takes_the_jaw_rows(sample_analysis, covered, monkeypatch):
    """A coffee patch over the right jaw line in both photos, moved 3 mm down in the after photo (hair or a plaster
    placed again): the dense flow follows the patch and would read a jaw change; both photos flag the region, so the
    jaw rows read 'uncertain' with a message naming both photos, while the clean pair of the same photos keeps them."""
    from facemetrics import compare_photos
    from facemetrics.compare import UNCERTAIN

    # the cover check apart from the same-picture rule (a copy of one picture reads every row 'uncertain' since
    # 2026-12-05: compare._same_picture_rows), which this pair would otherwise meet
    import facemetrics.compare as cp

    monkeypatch.setattr(cp, "_same_picture_rows", lambda: ())
    a = sample_analysis
    dy = 3.0 / a.calibration.mm_per_px
    patch = np.any(covered.photo.rgb != a.photo.rgb, axis=2).astype(np.uint8)
    m = np.float32([[1, 0, 0], [0, 1, dy]])
    h, w = patch.shape
    moved_mask = cv2.warpAffine(patch, m, (w, h), flags=cv2.INTER_NEAREST).astype(bool)
    moved_rgb = cv2.warpAffine(covered.photo.rgb, m, (w, h), flags=cv2.INTER_NEAREST)
    rgb = a.photo.rgb.copy()
    rgb[moved_mask] = moved_rgb[moved_mask]
    after = analyze_photo(rgb, name="moved.png")
    assert after.ok and "jaw_right" in after.occlusion.covered, after.occlusion.areas_mm2
    c = compare_photos(covered, after)
    assert any(x.startswith(MSG_BOTH_COVERED) for x in c.messages), c.messages
    verdicts = {(r.metric, r.side): r.verdict for r in c.changes}
    assert all(verdicts[k] == UNCERTAIN for k in JAW_ROWS), {k: verdicts[k] for k in JAW_ROWS}
    moved = {(r.metric, r.side): abs(r.change) / r.noise_floor for r in c.changes if (r.metric, r.side) in JAW_ROWS}
    assert moved[("jowl_lift_mm", "right")] > 2.0, moved  # what the rows would read: the patch's 3 mm move
    clean = compare_photos(a, analyze_photo(a.photo.rgb.copy(), name="again.png"))
    assert not any(x.startswith(MSG_BOTH_COVERED) for x in clean.messages)
    assert not all(r.verdict == UNCERTAIN for r in clean.changes if (r.metric, r.side) in JAW_ROWS)
