"""The comparison's expression check with the eyes covered in one photo (compare.gate.lip_shape_changes,
eyes_covered; docs/compare.md "Eyes not visible"): dark glasses move Face Mesh's guessed pupils, and with
them the smile index's mouth width / pupil distance term, not the lips."""

from __future__ import annotations

import numpy as np
import pytest

from facemetrics import analyze_photo, compare_photos
from facemetrics.compare.gate import MAX_SMILE_CHANGE, MSG_EXPRESSION, eyes_covered, lip_shape_changes
from facemetrics.geometry import LEFT_IRIS, RIGHT_IRIS
from facemetrics.quality import smile_terms

from conftest import SAMPLES


def dark_glasses(x, k: float = 0.26) -> np.ndarray:
    """``x``'s picture with dark ellipses ``k`` x IPD wide (0.65 of that high) over both irises (the
    covers of tests/test_eyes.py and bench/bench_eyes.py)."""
    rgb = x.photo.rgb.copy()
    ipd = float(np.linalg.norm(x.points[RIGHT_IRIS, :2] - x.points[LEFT_IRIS, :2]))
    yy, xx = np.mgrid[:rgb.shape[0], :rgb.shape[1]]
    for i in (RIGHT_IRIS, LEFT_IRIS):
        cx, cy = x.points[i, :2]
        rgb[((xx - cx) / (k * ipd)) ** 2 + ((yy - cy) / (0.65 * k * ipd)) ** 2 <= 1] = (15, 15, 18)
    return rgb


@pytest.fixture(scope="module")
def sample_pair():
    a = analyze_photo(SAMPLES / "astronaut_before.jpg")
    b = analyze_photo(dark_glasses(a), name="sunglasses.png")
    assert a.ok and b.ok, (a.error, b.error)
    return a, b


def test_dark_glasses_move_the_pupil_term_not_the_lips(sample_pair):
    a, b = sample_pair
    assert eyes_covered(b) and not eyes_covered(a)
    # the defect: the same face behind dark glasses reads a smile index change beyond the limit ...
    assert abs(b.quality.smile_index - a.quality.smile_index) > MAX_SMILE_CHANGE
    (ea, wa), (eb, wb) = (smile_terms(x.points, x.frame, x.calibration.ipd_px) for x in (a, b))
    assert ea + wa == pytest.approx(a.quality.smile_index) and eb + wb == pytest.approx(b.quality.smile_index)
    # ... from the mouth width / pupil distance term; the lips' own elevation stays
    assert abs(wb - wa) > MAX_SMILE_CHANGE and abs(eb - ea) < 0.3 * MAX_SMILE_CHANGE


def test_the_expression_check_reads_the_lips_alone_when_no_iris_is_visible(sample_pair):
    a, b = sample_pair
    assert lip_shape_changes(a, b) == [] and lip_shape_changes(b, a) == []
    c = compare_photos(a, b)
    assert not any(m.startswith(MSG_EXPRESSION) for m in c.messages), c.messages
    assert any(m.startswith("irises not visible in the after photo") for m in c.messages)  # the cover is named


def test_a_smile_behind_dark_glasses_still_reads_as_an_expression_change(london_dir):
    """London 062: neutral against its smiling photo with dark glasses (the lips' elevation rose 0.16)."""
    a = analyze_photo(london_dir / "london_062_f30_black_neutral.jpg")
    s = analyze_photo(london_dir / "london_062_f30_black_smiling.jpg")
    b = analyze_photo(dark_glasses(s, 0.30), name="smiling-sunglasses.png")
    assert eyes_covered(b)
    parts = lip_shape_changes(a, b)
    assert any(p.startswith("mouth-corner elevation") and "no iris is visible in the after photo" in p
               for p in parts), parts


def test_rows_the_cover_moves_read_uncertain_and_the_dense_lifts_keep_theirs(sample_analysis):
    """The bundled pair (a simulated 1.5 mm lift, rolled 1 deg) with dark glasses (0.38 x IPD) drawn over both
    photos read the left fold 'deeper' (+3.98 against a floor of 0.84), a mouth-corner height beyond its floor
    and head pitch, yaw and camera-distance changes that were not made (2026-12-04): the pose and landmark rows
    now read ``uncertain`` with a message; the dense-flow lifts still read the lift, the roll the roll.  With
    glasses over both photos the folds keep their verdicts (stop 38, ``eyes_covered_rows(..., both=True)``); this
    pair's faint left fold was a known miss (+4.04 'deeper', docs/robustness.md 'Dark glasses: the lenses out of the
    registration'): since the fold lines are carried by their own flow (``compare.measure.fold_carry``, 2026-12-05)
    it reads +1.87 along the found line against +0.13 along the reference line, and the line stability check
    takes it (``uncertain``, :data:`MSG_FOLD_LINES`), not the glasses rule."""
    from facemetrics.compare import MSG_EYES_COVERED, UNCERTAIN, METRICS, eyes_covered_rows
    from facemetrics.compare.gate import MSG_FOLD_LINES

    from conftest import SAMPLES

    after = analyze_photo(SAMPLES / "astronaut_after.jpg")
    a = analyze_photo(dark_glasses(sample_analysis, 0.38), name="before-sunglasses.png")
    b = analyze_photo(dark_glasses(after, 0.38), name="after-sunglasses.png")
    assert eyes_covered(a) and eyes_covered(b)
    c = compare_photos(a, b)
    rows = {(r.metric, r.side): r for r in c.changes}
    taken = set(eyes_covered_rows(METRICS, both=True))
    assert all(rows[k].verdict == UNCERTAIN for k in taken)
    folds = {(m, s) for m in ("nlf_depth", "nlf_contrast_pct", "nlf_length_mm") for s in ("right", "left")}
    assert not folds & taken
    assert all(rows[k].verdict != UNCERTAIN for k in folds - {("nlf_depth", "left")})
    assert rows[("nlf_depth", "left")].verdict in (UNCERTAIN, "within_noise"), rows[("nlf_depth", "left")]
    if rows[("nlf_depth", "left")].verdict == UNCERTAIN:
        assert any(m.startswith(MSG_FOLD_LINES) and "left" in m for m in c.messages), c.messages
    (said,) = [m for m in c.messages if m.startswith(MSG_EYES_COVERED)]
    assert "before and after photos" in said and "the folds and the roll keep theirs" in said, said
    for region in ("jawline", "jowl", "mouth_corner"):
        assert rows[(f"{region}_lift_mm", "mean")].verdict == "lift"
    assert rows[("head_roll_change_deg", "mean")].verdict == "counterclockwise"
    # the clean pair: nothing said, no row taken
    clean = compare_photos(sample_analysis, after)
    assert not any(m.startswith(MSG_EYES_COVERED) for m in clean.messages)
    assert not any(r.verdict == UNCERTAIN for r in clean.changes)
    # glasses over the after photo only: the folds are taken too
    one = compare_photos(sample_analysis, b)
    rows1 = {(r.metric, r.side): r for r in one.changes}
    assert all(rows1[k].verdict == UNCERTAIN for k in eyes_covered_rows(METRICS))
    assert rows1[("nlf_depth", "left")].verdict == UNCERTAIN
    assert "the folds and the landmark-based rows" in next(m for m in one.messages if m.startswith(MSG_EYES_COVERED))


def test_a_deepened_fold_behind_glasses_over_both_photos_reads_deeper(sample_analysis):
    """Stop 38: with the lenses out of the registration, a 25 % deepening of both folds (simulate.deepen_fold) behind
    dark glasses over both photos reads 'deeper' on both sides; the same photo against its nuisance copy (1 deg
    roll, 0.97 scale, 5 % brighter) behind the same glasses reads no fold row beyond its floor."""
    from facemetrics import simulate as sim

    def nuisances(rgb):
        return sim.brightness(sim.rescale(sim.roll(rgb, 1.0).image, 0.97).image, 1.05).image

    a0 = sample_analysis
    same = analyze_photo(nuisances(a0.photo.rgb), name="same.png")
    deep = analyze_photo(nuisances(sim.deepen_fold(a0, 0.25, "both").image), name="deep.png")
    a = analyze_photo(dark_glasses(a0, 0.30), name="a-glasses.png")
    for b0, want in ((deep, {"deeper"}), (same, {"within_noise"})):
        b = analyze_photo(dark_glasses(b0, 0.30), name="b-glasses.png")
        assert eyes_covered(a) and eyes_covered(b)
        rows = {(r.metric, r.side): r for r in compare_photos(a, b).changes}
        assert {rows[("nlf_depth", s)].verdict for s in ("right", "left")} == want, rows[("nlf_depth", "left")]
        if want == {"within_noise"}:
            assert all(rows[(m, s)].verdict == "within_noise" for m in ("nlf_contrast_pct", "nlf_length_mm")
                       for s in ("right", "left"))


def test_the_rows_a_cover_takes():
    from facemetrics.compare import METRICS, eyes_covered_rows

    taken = {m for m, _ in eyes_covered_rows(METRICS)}
    assert {"head_pitch_change_deg", "head_yaw_change_deg", "camera_distance_change_pct", "nlf_depth",
            "nlf_contrast_pct", "nlf_length_mm", "cheek_lift_landmarks_mm", "cheek_height_mm", "jowl_sag_mm",
            "mouth_corner_height_mm", "jaw_width_mm"} <= taken
    assert not taken & {"jawline_lift_mm", "jowl_lift_mm", "mouth_corner_lift_mm", "cheek_lift_mm",
                        "head_roll_change_deg"}
    both = {m for m, _ in eyes_covered_rows(METRICS, both=True)}
    assert both == taken - {"nlf_depth", "nlf_contrast_pct", "nlf_length_mm"}


def test_the_lenses_are_left_out_of_the_rigid_mask(sample_analysis):
    """align.lens_mask / without_lenses: the painted lenses (0.38 x IPD, the largest the benches paint) lie
    inside the lens ellipses, which take the rigid mask's skin over the lenses and keep the forehead."""
    from facemetrics import align as al

    a = sample_analysis
    grid = al.make_grid(a.points, a.frame)
    pts = grid.from_px(a.points[:, :2])
    pre = al.prepare_before(a.photo.rgb, grid, pts)
    out = al.without_lenses(pre, grid, pts)
    lens = al.sample(dark_glasses(a, 0.38), grid.to_px_matrix, grid.shape).astype(int).sum(-1) == 15 + 15 + 18
    assert (pre.rigid & lens).sum() > 5000  # the full mask reads the lenses (12444 grid px, 2026-12-04) ...
    assert (out.rigid & lens).sum() < 0.01 * (pre.rigid & lens).sum()  # ... the lensless one (almost) none
    assert not (out.rigid & ~pre.rigid).any()
    assert out.rigid.sum() > 0.5 * pre.rigid.sum()  # the forehead and the nasal bridge stay (66 %)
    assert len(out.xs) == len(out.ys) and len(out.xs) < len(pre.xs)
    assert out.rigid[out.ys, out.xs].all()
    # too little upper face left for the fit: refused (the comparison then keeps the whole mask)
    wide = pts.copy()
    wide[LEFT_IRIS] = wide[RIGHT_IRIS] + np.array([1e4, 0])  # a right 'lens' 4500 grid px wide
    with pytest.raises(ValueError, match="outside the glasses"):
        al.without_lenses(pre, grid, wide)


def test_lenses_out_of_the_registration_remove_the_pose_rows_they_caused(sample_analysis, monkeypatch):
    """The bundled pair (1.5 mm lift, rolled 1 deg) with dark glasses (0.38) over both photos, the verdicts before
    ``eyes_covered_rows`` takes its rows: with the whole rigid mask the head pitch (-0.10 deg, floor 0.05), yaw
    (+0.09, 0.03) and camera distance (-1.95 %, 1.07) were read beyond their floors (2026-12-04); with the lenses
    left out of the registration none is, and the dense-flow lifts still read the lift (truth 1.5 mm), the roll
    the roll."""
    import facemetrics.compare as fc
    from facemetrics.compare import measure

    from conftest import SAMPLES

    monkeypatch.setattr(fc, "eyes_covered_rows", lambda metrics, both=False: ())
    after = analyze_photo(SAMPLES / "astronaut_after.jpg")
    a = analyze_photo(dark_glasses(sample_analysis, 0.38), name="before-sunglasses.png")
    b = analyze_photo(dark_glasses(after, 0.38), name="after-sunglasses.png")
    pose = ("head_pitch_change_deg", "head_yaw_change_deg", "camera_distance_change_pct")

    def beyond(c):
        return {r.metric for r in c.changes if r.metric in pose and abs(r.change) > r.noise_floor}

    c = compare_photos(a, b)
    rows = {(r.metric, r.side): r for r in c.changes}
    assert not beyond(c), [(r.metric, r.change, r.noise_floor) for r in c.changes if r.metric in pose]
    for region in ("jawline", "jowl", "mouth_corner"):
        r = rows[(f"{region}_lift_mm", "mean")]
        assert r.verdict == "lift" and 1.0 < r.change < 2.0, (region, r.change)
    assert rows[("head_roll_change_deg", "mean")].verdict == "counterclockwise"
    # the clean pair's registration is the shipped one (the lenses are left out only with no iris visible)
    st = measure._before_state(sample_analysis)
    m = np.array([[1.0, 0, 0], [0, 1.0, 0]])
    assert measure._registration_before(st, sample_analysis, after, m) is st.prepared
    assert measure._registration_before(measure._before_state(a), a, b, m).rigid.sum() < st.prepared.rigid.sum()
    # the defect this fixes: the whole mask reads the pose rows beyond their floors
    monkeypatch.setattr(measure, "_registration_before", lambda st, a, b, m_land: st.prepared)
    assert len(beyond(compare_photos(a, b))) >= 2


@pytest.mark.parametrize("reached", [None, (), ("right",), ("right", "left")])
def test_the_covered_eyes_message_names_the_flow_width_among_the_rows_that_keep_theirs(monkeypatch, reached):
    """Since stop 63 ``jaw_width_flow_mm`` keeps its verdict when no iris is visible (it left ``FRAMING_METRICS``, so
    ``eyes_covered_rows`` does not take it), as the framing message says ("the dense-flow lifts and the flow-read jaw
    width keep theirs"); the covered-eyes message said the "jaw ... metrics" read ``uncertain`` and named only the
    dense-flow lifts, the folds and the roll as kept.  ``reached``: None, one photo covered; else both, with the
    glasses reaching those fold bands."""
    from types import SimpleNamespace

    from facemetrics.compare import METRICS, eyes_covered_rows, glasses

    assert ("jaw_width_flow_mm", "mean") not in eyes_covered_rows(METRICS, both=reached is not None)
    seen, hidden = (SimpleNamespace(extra={"eyes": SimpleNamespace(any_visible=v)}) for v in (True, False))
    monkeypatch.setattr(glasses, "glasses_fold_sides", lambda a, b: reached)
    (said,) = glasses.eyes_covered_messages(seen if reached is None else hidden, hidden)
    kept = said.split("'uncertain'; ", 1)[1].split(" keep theirs", 1)[0]
    assert kept.startswith("the dense-flow lifts, the flow-read jaw width") and kept.endswith("the roll"), said
