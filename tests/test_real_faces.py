"""Checks against real photographs and human annotation (``../shared/faces``;
skipped when that folder is absent)."""

from __future__ import annotations

import numpy as np
import pytest

from conftest import SHARED_FACES, read_tem
from facemetrics import analyze_photo
from facemetrics.folds import fold_metrics
from facemetrics.geometry import NLF_PATH_RIGHT
from facemetrics.jaw import jaw_metrics
from facemetrics.quality import IPD_COVERAGE_K
from facemetrics.rounding import fixed_uncertainty


def _segment_distance(pt: np.ndarray, line: np.ndarray) -> float:
    a, b = line[:-1], line[1:]
    d = b - a
    t = np.clip(np.sum((pt - a) * d, axis=1) / np.maximum(np.sum(d * d, axis=1), 1e-12), 0, 1)
    return float(np.min(np.linalg.norm(a + t[:, None] * d - pt, axis=1)))


@pytest.fixture(scope="module")
def london(london_dir, london_analyses):
    """{person id: (neutral analysis, smiling analysis, template)}; the analyses are tests/conftest.py's (the same
    ``analyze_photo`` of each file, made once for the session: test_compare.py reads them too)"""
    return {pid: (neutral, smiling, read_tem(london_dir / f"{pid}_neutral.tem"))
            for pid, (neutral, smiling) in london_analyses.items()}


def annotation_distances(london) -> tuple[np.ndarray, np.ndarray]:
    """Distances (mm) of hand-placed smile-line points (158-163) to the measured
    fold lines, and of hand-placed jaw points (126-132) to the jaw contour."""
    fold, jaw = [], []
    for neutral, _, tem in london.values():
        assert neutral.ok, neutral.error
        mm = neutral.calibration.mm_per_px
        # template "left" is image-left = the subject's right
        for idx, fm in (((158, 159, 160), neutral.nlf_right), ((161, 162, 163), neutral.nlf_left)):
            fold += [_segment_distance(tem[i], fm.line_px) * mm for i in idx]
        jaw += [_segment_distance(tem[i], neutral.jaw.contour_px) * mm for i in range(126, 133)]
    return np.array(fold), np.array(jaw)


def test_fold_lines_match_hand_placed_smile_lines(london):
    fold, jaw = annotation_distances(london)
    assert len(fold) == 72
    assert np.median(fold) <= 3.0, np.median(fold)
    assert np.percentile(fold, 90) <= 6.0, np.percentile(fold, 90)
    # reported in docs/accuracy.md; asserted loosely so a regression shows
    assert np.median(jaw) <= 4.0


def test_smile_index_higher_when_smiling(london):
    for pid, (neutral, smiling, _) in london.items():
        assert smiling.ok and neutral.ok
        assert smiling.quality.smile_index > neutral.quality.smile_index, pid


def test_smiling_flag_on_the_london_pairs(london):
    """docs/accuracy.md 'Smiling flag': 11 of the 12 smiling photos flagged (london 119's gentle smile
    moves neither the mouth width nor the corners enough; 003 clears the limit by 0.22), none of the
    neutral ones (test_neutral_portraits_are_fit_and_plausible); the score rises for 12 of 12 (by 0.28 or more)."""
    flagged = [pid for pid, (_, smiling, _) in london.items()
               if any(f.startswith("smiling") for f in smiling.quality.flags)]
    assert len(flagged) >= 10, flagged
    for pid, (neutral, smiling, _) in london.items():
        assert smiling.quality.smile_score > neutral.quality.smile_score + 0.05, pid


def test_fold_depth_higher_when_smiling(london):
    deeper = [
        (s.nlf_right.depth_index + s.nlf_left.depth_index) > (n.nlf_right.depth_index + n.nlf_left.depth_index)
        for n, s, _ in london.values()
    ]
    # 12 of 12 (docs/accuracy.md, "Fold depth, sixth round"): the smallest rise, london 119's, is 1.25 of
    # the mean of sides (2.5 of this sum), far above the floats by which Face Mesh differs between machines
    assert sum(deeper) == 12, deeper
    rise = [(s.nlf_right.depth_index + s.nlf_left.depth_index) - (n.nlf_right.depth_index + n.nlf_left.depth_index)
            for n, s, _ in london.values()]
    assert min(rise) > 2.0, rise


def test_neutral_portraits_are_fit_and_plausible(london):
    for pid, (neutral, _, _) in london.items():
        q = neutral.quality
        assert abs(q.yaw_deg) < 8 and abs(q.roll_deg) < 5, pid
        assert 52 < neutral.calibration.ipd_mm < 72, pid
        assert "smiling" not in "; ".join(q.flags), pid


@pytest.fixture(scope="module")
def canada(canada_dir):
    """{face id: (analysis, template)} for the 40 Canada faces."""
    out = {tem.stem: (analyze_photo(tem.with_suffix(".jpg")), read_tem(tem))
           for tem in sorted(canada_dir.glob("*.tem"))}
    assert len(out) == 40
    return out


def _hand_ipd_mm(analysis, tem) -> float:
    """Hand-placed pupils (template points 0 and 1, px of the original photo) x mm_per_px."""
    assert analysis.ok, analysis.error
    return float(np.linalg.norm(tem[0] - tem[1]) * analysis.mm_per_px)


def test_iris_scale_gives_adult_ipd_on_both_sets(london, canada):
    """Issue 8: median IPD within 60-64.5 mm (adults 63.4 mm, Dodgson 2004) on both sets.
    The chord correction was chosen on the Canada images' iris edges, without IPD
    (docs/accuracy.md, "Scale calibration"); measured 62.5 (London), 60.6 (Canada)."""
    london_ipd = [_hand_ipd_mm(n, tem) for n, _, tem in london.values()]
    canada_ipd = [_hand_ipd_mm(a, tem) for a, tem in canada.values()]
    for name, ipd in (("london", london_ipd), ("canada", canada_ipd)):
        assert 60.0 <= np.median(ipd) <= 64.5, (name, np.median(ipd))
        assert 50.0 < min(ipd) and max(ipd) < 75.0, (name, min(ipd), max(ipd))


def test_calibration_uncertainty_is_reported(london, canada):
    rows = [n.to_row() for n, _, _ in london.values()] + [a.to_row() for a, _ in canada.values()]
    unc = np.array([r["mm_per_px_uncertainty_pct"] for r in rows])
    # at least the population iris SD (3.6 %) and bias residual (2.5 %); measured 4.5-5.9 %
    assert np.all((4.4 < unc) & (unc < 8.0)), unc
    assert np.median(unc) < 5.0


def test_iris_disagreement_warns_on_turned_heads_only(london, canada):
    """The schema promised that a calibration spread above 0.1 means a doubtful scale, but no
    warning said so (an audit: three White House photos with turned or tilted heads read
    0.115-0.131 and carried only a wider uncertainty).  Frontal portraits never warn; the turned
    official portrait does, and its warning gives the spread and the scale's uncertainty."""
    rows = [n.to_row() for n, _, _ in london.values()] + [a.to_row() for a, _ in canada.values()]
    assert not [r["photo"] for r in rows if "irises read" in str(r["warnings"])]
    path = SHARED_FACES / "whitehouse_pd" / "biden_official_portrait.jpg"
    if not path.is_file():
        pytest.skip(f"optional real photo {path} is absent")
    r = analyze_photo(path).to_row()
    assert r["calibration_spread"] > 0.1
    msg = (f"the two irises read {100 * r['calibration_spread']:.0f} % apart in size (above 10 %: a turned head "
           f"or an iris partly hidden), so the mm scale is less certain "
           f"(± {fixed_uncertainty(IPD_COVERAGE_K * r['mm_per_px_uncertainty_pct'], 1)} %)")  # 95 % (stop 62, h12)
    assert msg in r["warnings"], r["warnings"]


def test_upright_frontal_faces_never_flip(london, canada):
    """The plain iterative solvePnP read roll -179 deg for canada_010f; every upright
    frontal portrait must read |roll| < 5 deg and agree with the eye line's tilt."""
    analyses = [n for n, _, _ in london.values()] + [s for _, s, _ in london.values()]
    analyses += [a for a, _ in canada.values()]
    for a in analyses:
        q = a.quality
        assert abs(q.roll_deg) < 5.0, (a.name, q.roll_deg)
        assert abs(q.yaw_deg) < 10.0 and abs(q.pitch_deg) < 15.0, (a.name, q.yaw_deg, q.pitch_deg)
        assert abs(q.roll_deg - a.frame.roll_deg) < 3.0, (a.name, q.roll_deg, a.frame.roll_deg)


@pytest.fixture(scope="module")
def canada_held_out(canada):
    """The 16 Canada faces held out of the fold/jaw tuning (bench/accuracy.py's split,
    every 5th face by sorted id from the 2nd and the 4th): [(analysis, template)]."""
    held = [canada[k] for i, k in enumerate(sorted(canada)) if i % 5 in (1, 3)]
    assert len(held) == 16
    return held


def _held_out_distances(faces) -> dict[str, np.ndarray]:
    """Distances in px rescaled to a 63 mm hand-placed inter-pupil distance (independent of
    the iris calibration): fold lines to 158-163; jaw contour refined on the image, the oval
    + 2 mm and the oval to 126-132."""
    out = {"fold": [], "refined": [], "plus2": [], "oval": []}
    for a, tem in faces:
        assert a.ok, a.error
        k = 63.0 / np.linalg.norm(tem[0] - tem[1])
        for idx, fm in (((158, 159, 160), a.nlf_right), ((161, 162, 163), a.nlf_left)):
            out["fold"] += [_segment_distance(tem[i], fm.line_px) * k for i in idx]
        for key, line in (("refined", jaw_metrics(a.points, a.frame, image=a.photo.rgb).contour_px),
                          ("plus2", jaw_metrics(a.points, a.frame).contour_px), ("oval", a.jaw.oval_px)):
            out[key] += [_segment_distance(tem[i], line) * k for i in range(126, 133)]
    return {k: np.array(v) for k, v in out.items()}


def test_held_out_fold_lines_and_jaw_contour(canada_held_out):
    """Canada held-out (docs/accuracy.md, px@ipd63).  Measured: fold 1.54 / 3.84, jaw contour
    refined 1.10 / 3.35 (1.20 / 3.50 before the edge-uniqueness confidence), oval + 2 mm
    1.07 / 2.42, oval 1.87 / 4.37 (median / p90)."""
    d = _held_out_distances(canada_held_out)
    fold, ref, plus2, oval = d["fold"], d["refined"], d["plus2"], d["oval"]
    assert np.median(fold) <= 1.8 and np.percentile(fold, 90) <= 4.0, (np.median(fold), np.percentile(fold, 90))
    assert np.percentile(plus2, 90) <= 3.0, np.percentile(plus2, 90)
    assert np.percentile(ref, 90) <= 3.5, np.percentile(ref, 90)
    for x in (ref, plus2):
        assert np.median(x) < np.median(oval) and np.percentile(x, 90) < np.percentile(oval, 90)


def test_london_held_out_fold_lines_and_jaw_contour(london):
    """The 6 London faces held out of tuning (odd positions by sorted id; bench/accuracy.py
    london_split).  Measured (px@ipd63): fold 0.88 / 3.83, jaw contour refined 0.68 / 2.89,
    oval + 2 mm 1.95 / 3.81, oval 3.27 / 5.82 (median / p90)."""
    held = [(n, tem) for i, (n, _, tem) in enumerate(london.values()) if i % 2 == 1]
    assert len(held) == 6
    d = _held_out_distances(held)
    assert np.median(d["fold"]) <= 1.5 and np.percentile(d["fold"], 90) <= 4.0
    assert np.percentile(d["refined"], 90) <= 3.0, np.percentile(d["refined"], 90)
    assert np.median(d["refined"]) < np.median(d["plus2"]) < np.median(d["oval"])
    assert np.percentile(d["refined"], 90) < np.percentile(d["plus2"], 90)


def test_depth_rises_with_darkening_beside_the_fold_on_real_faces(canada_held_out):
    """A Gaussian valley (sigma 1 mm) 2.5 mm lateral of the found line, and one along the
    Face Mesh chain, darkened 0-30 %: the depth index rises strictly (4 faces, right side)."""
    import cv2

    for a, _ in canada_held_out[:4]:
        mm = a.calibration.mm_per_px
        line = a.nlf_right.line_px
        uv = a.frame.to_mm(line)
        t = np.gradient(uv, axis=0)
        t /= np.linalg.norm(t, axis=1, keepdims=True)
        beside = a.frame.to_px(uv - 2.5 * np.stack([-t[:, 1], t[:, 0]], axis=1))
        for target, width in ((beside, 1.0), (a.points[list(NLF_PATH_RIGHT), :2], 1.5)):
            mask = np.full(a.photo.rgb.shape[:2], 255, np.uint8)
            cv2.polylines(mask, [np.round(target).astype(np.int32)], False, 0, 1)
            g = np.exp(-0.5 * (cv2.distanceTransform(mask, cv2.DIST_L2, 5) * mm / width) ** 2)
            depth = []
            for fr in (0.0, 0.05, 0.10, 0.20, 0.30):
                img = np.clip(a.photo.rgb * (1 - fr * g)[..., None], 0, 255).round().astype(np.uint8)
                depth.append(fold_metrics(img, a.points, a.frame, "right").depth_index)
            assert np.all(np.diff(depth) > 0), (a.name, depth)


def test_depth_index_sees_a_fold_where_the_hand_placed_it(canada_held_out):
    """A 10 % Gaussian darkening (sigma 1.5 mm) along the hand-placed smile line (158-160 /
    161-163) raises the depth index on every face-side of the 16 held-out Canada faces
    (docs/accuracy.md, "Fold depth index": the strips' reach was checked this way on the
    tuning faces).  Measured: min 1.03, p10 2.15, median 2.64."""
    import cv2

    rise = []
    for a, tem in canada_held_out:
        mm = a.calibration.mm_per_px
        for side, idx in (("right", (158, 159, 160)), ("left", (161, 162, 163))):
            mask = np.full(a.photo.rgb.shape[:2], 255, np.uint8)
            cv2.polylines(mask, [np.round(tem[list(idx)] * 8).astype(np.int32)], False, 0, 1, cv2.LINE_8, shift=3)
            g = np.exp(-0.5 * (cv2.distanceTransform(mask, cv2.DIST_L2, cv2.DIST_MASK_PRECISE) * mm / 1.5) ** 2)
            img = np.clip(a.photo.rgb * (1 - 0.10 * g)[..., None], 0, 255).round().astype(np.uint8)
            before = getattr(a, f"nlf_{side}").depth_index
            rise.append(fold_metrics(img, a.points, a.frame, side).depth_index - before)
    rise = np.array(rise)
    assert len(rise) == 32
    assert rise.min() > 0.5, rise.min()
    assert np.median(rise) > 2.0, np.median(rise)
