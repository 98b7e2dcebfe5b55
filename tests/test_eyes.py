"""Iris visibility (facemetrics.eyes) and the scale flags it feeds: sunglasses and closed-eye covers
on the bundled sample photo are flagged and unfit, the unedited photo (mirrored, brighter, darker)
is not, a user's scale is never flagged, and an implausible IPD makes the photo unfit."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from conftest import SHARED_FACES, png_bytes
from facemetrics import analyze_photo
from facemetrics import eyes as E
from facemetrics.geometry import (
    IRIS_CHORD_BIAS, IRIS_DIAMETER_MM, LEFT_IRIS, RIGHT_IRIS, RIGHT_LOWER_LID, RIGHT_UPPER_LID, calibrate,
    calibration_uncertainty_pct,
)
from facemetrics.quality import quality_flags

HIDDEN = "irises not visible"
IPD_FLAG = "implausible inter-pupillary distance"


def _ipd(points) -> float:
    return float(np.linalg.norm(points[RIGHT_IRIS, :2] - points[LEFT_IRIS, :2]))


def sunglasses(rgb, points, k=0.3, tint="dark", eyes=(RIGHT_IRIS, LEFT_IRIS)):
    """Ellipses ``k`` x IPD wide (0.65 of that high) over the irises: dark, or reflective grey
    (a vertical gradient with a bright streak)."""
    out = rgb.copy()
    rx = k * _ipd(points)
    ry = 0.65 * rx
    h, w = rgb.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w]
    for i in eyes:
        x, y = points[i, :2]
        m = ((xx - x) / rx) ** 2 + ((yy - y) / ry) ** 2 <= 1
        if tint == "dark":
            out[m] = (15, 15, 18)
        else:
            g = 175 - 80 * (yy[m] - (y - ry)) / (2 * ry)
            g = np.where(np.abs((xx[m] - x) + 0.6 * (yy[m] - y)) < 0.12 * rx, 235, g)
            out[m] = np.stack([g, g + 3, g + 8], -1).clip(0, 255).astype(np.uint8)
    return out


def skin_cover(rgb, points):
    """Both eyes covered with the cheek's colour and a lash line (a stand-in for closed eyes)."""
    ipd = _ipd(points)
    cx, cy = np.round(points[50, :2]).astype(int)
    cheek = rgb[cy - 4:cy + 5, cx - 4:cx + 5].reshape(-1, 3).mean(0)
    mask = np.zeros(rgb.shape[:2], np.float32)
    for i in (RIGHT_IRIS, LEFT_IRIS):
        x, y = points[i, :2]
        cv2.ellipse(mask, (int(x), int(y)), (int(0.3 * ipd), int(0.13 * ipd)), 0, 0, 360, 1.0, -1)
    mask = cv2.GaussianBlur(mask, (0, 0), 0.015 * ipd)[..., None]
    out = (rgb * (1 - mask) + cheek * mask).clip(0, 255).astype(np.uint8)
    for a, b in ((33, 133), (362, 263)):
        cv2.line(out, tuple(np.round(points[a, :2]).astype(int)), tuple(np.round(points[b, :2]).astype(int)),
                 (60, 40, 35), max(int(0.03 * ipd), 1))
    return out


def _scale_flags(result) -> list[str]:
    return [f for f in result.quality.flags if HIDDEN in f or IPD_FLAG in f]


@pytest.fixture(scope="module")
def sample_points(sample_analysis):
    return sample_analysis.points * sample_analysis.photo.scale  # px of the original photo


# ------------------------------------------------------------------ unit properties
def test_contrast_of_a_dark_disc_on_white_and_of_a_uniform_patch():
    pts = np.zeros((478, 2))
    pts[RIGHT_IRIS] = (100, 100)
    pts[E.RIGHT_EYE_CORNERS[0]], pts[E.RIGHT_EYE_CORNERS[1]] = (60, 100), (140, 100)
    pts[469], pts[471] = (90, 100), (110, 100)  # iris radius 10 px
    img = np.full((200, 200), 220, np.uint8)
    cv2.circle(img, (100, 100), 10, 60, -1)
    iris, sides = E.chord_luminance(img, pts, RIGHT_IRIS, E.RIGHT_IRIS_H, E.RIGHT_EYE_CORNERS)
    assert iris == pytest.approx(60, abs=1) and sides == pytest.approx((220, 220), abs=1)
    assert E.iris_contrast(iris, sides) == pytest.approx(1 - 60 / 220, abs=0.01)
    flat = np.full((200, 200), 30, np.uint8)  # a dark lens: no contrast
    assert E.iris_contrast(*E.chord_luminance(flat, pts, RIGHT_IRIS, E.RIGHT_IRIS_H, E.RIGHT_EYE_CORNERS)) == 0
    # a highlight on one side only does not make an iris: the darker side counts
    assert E.iris_contrast(30.0, (30.0, 230.0)) == 0
    assert np.isnan(E.iris_contrast(30.0, (float("nan"), float("nan"))))


def test_eye_opening_is_lid_gap_over_width():
    pts = np.zeros((478, 2))
    pts[33], pts[133] = (0, 0), (30, 0)
    for up, lo in zip(RIGHT_UPPER_LID, RIGHT_LOWER_LID):
        pts[up], pts[lo] = (15, -4.5), (15, 4.5)
    assert E.eye_opening(pts, E.RIGHT_EYE_CORNERS, RIGHT_UPPER_LID, RIGHT_LOWER_LID) == pytest.approx(0.3)


def test_one_eye_calibration_uses_that_eye_only():
    pts = np.zeros((478, 2))
    pts[469], pts[471] = (0, 0), (20, 0)
    pts[474], pts[476] = (100, 0), (130, 0)
    pts[RIGHT_IRIS], pts[LEFT_IRIS] = (10, 0), (115, 0)
    k = IRIS_DIAMETER_MM * IRIS_CHORD_BIAS
    assert calibrate(pts).mm_per_px == pytest.approx(k / 25)
    assert calibrate(pts, iris_eyes=(True, False)).mm_per_px == pytest.approx(k / 20)
    assert calibrate(pts, iris_eyes=(False, True)).mm_per_px == pytest.approx(k / 30)
    assert calibrate(pts, iris_eyes=(False, False)).mm_per_px == pytest.approx(k / 25)
    # one eye: that eye's jitter (sqrt 2 x the two-eye floor), whatever the eyes' disagreement
    one = calibrate(pts, iris_eyes=(True, False))
    assert one.uncertainty_pct == pytest.approx(calibration_uncertainty_pct("iris", 0.0, 0.0, n_eyes=1))
    assert one.uncertainty_pct > calibration_uncertainty_pct("iris", 0.0, 0.0)


def test_flags_for_hidden_irises_and_implausible_ipd():
    q = dict(yaw_deg=0, pitch_deg=0, roll_deg=0, sharpness=50, face_luminance=120, clipped_fraction=0,
             smile_index=0, mouth_opening_ratio=0)
    assert quality_flags(dict(q, ipd_mm=63.0, calibration_source="iris"), 0.2) == ()
    assert any(HIDDEN in f for f in quality_flags(dict(q, irises_hidden=True), 0.2))
    for ipd in (37.9, 85.0):
        assert any(IPD_FLAG in f for f in quality_flags(dict(q, ipd_mm=ipd, calibration_source="iris"), 0.2))
        assert any(IPD_FLAG in f for f in quality_flags(dict(q, ipd_mm=ipd, calibration_source="user_mm_per_px"), 0.2))
    # the user's own IPD (a child's, say) is what was given, not a doubtful scale
    assert quality_flags(dict(q, ipd_mm=45.0, calibration_source="user_ipd"), 0.2) == ()


# ------------------------------------------------------------------ the sample photo
def test_unedited_sample_both_irises_visible(sample_analysis):
    ev = sample_analysis.extra["eyes"]
    assert ev.visible == (True, True)
    assert min(ev.opening) > E.MIN_EYE_OPENING and min(ev.contrast) > E.MIN_IRIS_CONTRAST
    assert not _scale_flags(sample_analysis)
    assert not any("iris" in w for w in sample_analysis.warnings)


@pytest.mark.parametrize("edit", ["mirror", "bright_1.25", "dark_0.6"])
def test_mirrored_and_brightness_scaled_sample_not_flagged(sample_rgb, sample_analysis, edit):
    if edit == "mirror":
        img = np.ascontiguousarray(sample_rgb[:, ::-1])
    else:
        img = (sample_rgb * float(edit.split("_")[1])).clip(0, 255).astype(np.uint8)
    r = analyze_photo(png_bytes(img), name=edit)
    assert r.ok, r.error
    ev, ref = r.extra["eyes"], sample_analysis.extra["eyes"]
    assert ev.visible == (True, True)
    assert not _scale_flags(r)
    if edit == "mirror":  # the subject's sides swap in the image, not in the measures
        np.testing.assert_allclose(ev.contrast, ref.contrast, atol=0.1)
    else:  # a ratio: brightness scaling moves it little (clipping and rounding only)
        np.testing.assert_allclose(ev.contrast, ref.contrast, atol=0.08)
    assert r.calibration.mm_per_px / r.photo.scale == pytest.approx(sample_analysis.mm_per_px, rel=0.05)


@pytest.mark.parametrize("cover", ["sun_dark_0.3", "sun_dark_0.22", "sun_reflective_0.3", "skin"])
def test_covered_eyes_flagged_and_unfit(sample_rgb, sample_points, cover):
    if cover == "skin":
        img = skin_cover(sample_rgb, sample_points)
    else:
        _, tint, k = cover.split("_")
        img = sunglasses(sample_rgb, sample_points, float(k), tint)
    r = analyze_photo(png_bytes(img), name=cover)
    assert r.ok, r.error  # still measured
    assert r.extra["eyes"].visible == (False, False)
    assert any(HIDDEN in f for f in r.quality.flags)
    assert r.quality.fit_for_comparison is False
    assert not any("iris" in w for w in r.warnings)  # the flag says it once (the app shows both)
    row = r.to_row()
    assert row["fit_for_comparison"] is False and HIDDEN in row["quality_flags"]
    assert np.isfinite(row["jaw_width_ipd"])  # the ratio columns stay valid


def test_one_covered_eye_calibrates_from_the_other(sample_rgb, sample_points, sample_analysis):
    """One lens: where the covered eye's chord disagrees with the seen one's by more than
    ONE_EYE_MIN_SPREAD the scale is the seen eye's alone, with a warning; where they agree (an
    eye wrongly judged hidden: green irises, averted gaze), the two-eye scale stands."""
    from facemetrics.eyes import ONE_EYE_MIN_SPREAD

    img = sunglasses(sample_rgb, sample_points, 0.22, "dark", eyes=(LEFT_IRIS,))
    r = analyze_photo(png_bytes(img), name="one_lens")
    assert r.ok, r.error
    assert r.extra["eyes"].visible == (True, False)
    assert not any(HIDDEN in f for f in r.quality.flags)
    d_right, d_left = r.calibration.iris_diameter_px
    assert abs(d_right - d_left) / (0.5 * (d_right + d_left)) > ONE_EYE_MIN_SPREAD
    assert any("left iris is not visible" in w for w in r.warnings)
    assert r.calibration.mm_per_px == pytest.approx(IRIS_DIAMETER_MM * IRIS_CHORD_BIAS / d_right, rel=0.05)
    assert r.calibration.mm_per_px == pytest.approx(sample_analysis.mm_per_px, rel=0.03)

    agree = analyze_photo(png_bytes(sunglasses(sample_rgb, sample_points, 0.3, "grey", eyes=(LEFT_IRIS,))),
                          name="one_grey_lens")
    assert agree.extra["eyes"].visible == (True, False)
    assert agree.calibration.mm_per_px_spread <= ONE_EYE_MIN_SPREAD
    assert not any("iris" in w for w in agree.warnings)
    d_right, d_left = agree.calibration.iris_diameter_px
    assert agree.calibration.mm_per_px == pytest.approx(IRIS_DIAMETER_MM * IRIS_CHORD_BIAS / (0.5 * (d_right + d_left)),
                                                        rel=0.02)


@pytest.mark.parametrize("override", [dict(mm_per_px=0.185), dict(ipd_mm=63.0)])
def test_user_scale_is_not_flagged_behind_sunglasses(sample_rgb, sample_points, override):
    r = analyze_photo(png_bytes(sunglasses(sample_rgb, sample_points)), name="sun_override", **override)
    assert r.ok, r.error
    assert not _scale_flags(r)
    assert not any("iris" in w for w in r.warnings)


def test_implausible_ipd_makes_the_photo_unfit(sample_path, sample_analysis):
    # a user scale 0.6 x the iris scale: the IPD reads ~38 mm
    r = analyze_photo(sample_path, mm_per_px=0.6 * sample_analysis.mm_per_px)
    assert r.ok and r.calibration.ipd_mm < 50
    assert any(IPD_FLAG in f for f in r.quality.flags)
    assert r.quality.fit_for_comparison is False


def test_irises_outside_the_picture_are_not_visible(sample_rgb, sample_points):
    """Audit 24: a photo cut just below the irises was measured fit, its scale 18.7 % off (the
    chord sampled replicated border rows): an iris whose disc leaves the picture is not visible."""
    from facemetrics.eyes import iris_visibility

    top = int(np.ceil(max(sample_points[RIGHT_IRIS, 1], sample_points[LEFT_IRIS, 1])))
    cut = np.ascontiguousarray(sample_rgb[top:])
    pts = sample_points.copy()
    pts[:, 1] -= top
    assert iris_visibility(cut, pts).visible == (False, False)
    assert iris_visibility(sample_rgb, sample_points).visible == (True, True)


# ------------------------------------------------------------------ dark lenses the contrast sees through
#: the step threshold measured on the tuning faces (eyes.MIN_IRIS_STEP, shipped 2026-12-05)
MEASURED_STEP = 0.26


@pytest.fixture
def step_on(monkeypatch):
    monkeypatch.setattr(E, "MIN_IRIS_STEP", MEASURED_STEP)

def see_through_lens(rgb, points, t=0.05, glow=20.0):
    """Ellipses 0.32 x 0.22 IPD over the irises that let a fraction ``t`` of the eye through and glow ``glow``
    (a tint or reflection, 0-255) on top: ``t x + glow`` (the test's own lens, not bench/glasses.py's)."""
    ipd = _ipd(points)
    m = np.zeros(rgb.shape[:2], np.float32)
    for i in (RIGHT_IRIS, LEFT_IRIS):
        x, y = points[i, :2]
        cv2.ellipse(m, (int(x), int(y)), (int(0.32 * ipd), int(0.22 * ipd)), 0, 0, 360, 1.0, -1)
    m = m[..., None]
    return (rgb * (1 - m) + (t * rgb.astype(np.float32) + glow) * m).clip(0, 255).astype(np.uint8)


def test_iris_step_is_the_step_over_the_skin_and_a_lens_multiplies_it_by_its_transmission():
    assert E.iris_step(60.0, (200.0, 220.0), 160.0) == pytest.approx((220 - 60) / 160)  # the brighter side
    assert E.iris_step(60.0, (float("nan"), 200.0), 160.0) == pytest.approx(140 / 160)
    for bad in ((60.0, (float("nan"),) * 2, 160.0), (60.0, (200.0, 200.0), 0.0), (float("nan"), (200.0,) * 2, 1.0)):
        assert np.isnan(E.iris_step(*bad))
    # a 5 % lens glowing 20: the contrast ratio keeps above its limit, the step falls 20-fold
    iris, sides, skin = 60.0, (200.0, 210.0), 150.0
    lensed = 0.05 * iris + 20, tuple(0.05 * s + 20 for s in sides)
    assert E.iris_contrast(*lensed) > E.MIN_IRIS_CONTRAST
    assert E.iris_step(*lensed, skin) == pytest.approx(0.05 * E.iris_step(iris, sides, skin))
    assert E.iris_step(*lensed, skin) < MEASURED_STEP <= E.iris_step(iris, sides, skin)
    # brightness scaling: unchanged
    assert E.iris_step(0.5 * iris, tuple(0.5 * s for s in sides), 0.5 * skin) == pytest.approx(
        E.iris_step(iris, sides, skin))


def test_lower_face_luminance_reads_below_the_nose_tip():
    pts = np.zeros((478, 2))
    pts[:, 1] = np.linspace(0, 99, 478)
    pts[1] = (0, 50)  # nose tip
    gray = np.zeros((100, 10), np.uint8)
    gray[51:] = 140
    assert E.lower_face_luminance(gray, pts) == 140
    pts[:, 1] = -5.0  # nothing in the picture
    assert np.isnan(E.lower_face_luminance(gray, pts))


def test_the_grey_of_a_part_or_of_read_pixels_is_the_whole_pictures_there(sample_analysis):
    """iris_visibility converts only the eyes' box and the lower face's landmark pixels to grey: the same
    values as converting the whole picture (a random picture and the sample, with its landmarks)."""
    rng = np.random.default_rng(7)
    noise = rng.integers(0, 256, (240, 180, 3), dtype=np.uint8)
    whole = cv2.cvtColor(noise, cv2.COLOR_RGB2GRAY)
    part = E._grey(noise[17:201, 5:163])  # a view with a row stride
    assert part.dtype == np.uint8 and np.array_equal(part, whole[17:201, 5:163])
    yi, xi = rng.integers(0, 240, 300), rng.integers(0, 180, 300)
    assert np.array_equal(E._grey(noise[yi, xi][:, None])[:, 0], whole[yi, xi])
    rgb, pts = sample_analysis.photo.rgb, sample_analysis.points
    grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    assert E.lower_face_luminance(rgb, pts) == E.lower_face_luminance(grey, pts)
    assert repr(E.iris_visibility(rgb, pts)) == repr(E.iris_visibility(grey, pts))
    tinted = rgb.copy()
    tinted[..., 0] //= 2  # red halved: another grey, so the check above could fail
    assert E.lower_face_luminance(tinted, pts) != E.lower_face_luminance(grey, pts)


@pytest.mark.parametrize("t, glow", [(0.03, 25.0), (0.05, 20.0), (0.06, 30.0)])
def test_a_lens_the_contrast_sees_through_hides_the_irises_at_any_brightness(sample_analysis, step_on, t, glow):
    rgb, pts = sample_analysis.photo.rgb, sample_analysis.points
    lensed = see_through_lens(rgb, pts, t, glow)
    for k in (1.0, 0.6, 1.25):
        ev = E.iris_visibility((lensed * k).clip(0, 255).astype(np.uint8), pts)
        assert max(ev.contrast) >= E.MIN_IRIS_CONTRAST  # the contrast alone would read an iris
        assert ev.visible == (False, False) and max(ev.step) < MEASURED_STEP
        clean = E.iris_visibility((rgb * k).clip(0, 255).astype(np.uint8), pts)
        assert clean.visible == (True, True) and min(clean.step) > 2 * MEASURED_STEP


def test_the_step_check_is_on_by_default(sample_analysis):
    """MIN_IRIS_STEP 0.26 (shipped): a lens the contrast alone sees through hides the irises, the clean eyes stay
    visible."""
    assert E.MIN_IRIS_STEP == MEASURED_STEP
    lensed = see_through_lens(sample_analysis.photo.rgb, sample_analysis.points)
    ev = E.iris_visibility(lensed, sample_analysis.points)
    assert max(ev.contrast) >= E.MIN_IRIS_CONTRAST and max(ev.step) < MEASURED_STEP
    assert ev.visible == (False, False)
    assert E.iris_visibility(sample_analysis.photo.rgb, sample_analysis.points).visible == (True, True)


def test_a_see_through_lens_flags_the_scale(sample_analysis, step_on):
    r = analyze_photo(png_bytes(see_through_lens(sample_analysis.photo.rgb, sample_analysis.points)),
                      name="lens_through")
    assert r.ok, r.error
    assert r.extra["eyes"].visible == (False, False)
    assert _scale_flags(r)


@pytest.mark.skipif(not (SHARED_FACES / "london_ccby").is_dir(), reason="shared faces absent")
def test_dark_skin_keeps_its_irises_and_loses_them_behind_a_lens(step_on):
    """London 061 (dark skin, a tuning face): the step is read against the face's own skin."""
    a = analyze_photo(SHARED_FACES / "london_ccby" / "london_061_m40_black_neutral.jpg")
    assert a.ok, a.error
    ev = a.extra["eyes"]
    assert ev.visible == (True, True) and min(ev.step) > MEASURED_STEP
    lensed = E.iris_visibility(see_through_lens(a.photo.rgb, a.points, 0.06, 20.0), a.points)
    assert lensed.visible == (False, False)


# ------------------------------------------------------------------ light (blue, grey, green) irises
#: eye-opening contours (subject's right, left eye): Face Mesh lid points around each eye
EYE_CONTOURS = ((33, 7, 163, 144, 145, 153, 154, 155, 133, 173, 157, 158, 159, 160, 161, 246),
                (263, 249, 390, 373, 374, 380, 381, 382, 362, 398, 384, 385, 386, 387, 388, 466))
LIGHT = {"blue": (0.85, 1.01, 1.22), "grey": (0.97, 1.00, 1.05), "green": (0.92, 1.05, 0.85)}
_EYES = ((RIGHT_IRIS, E.RIGHT_IRIS_H, E.RIGHT_EYE_CORNERS), (LEFT_IRIS, E.LEFT_IRIS_H, E.LEFT_EYE_CORNERS))


def light_irises(rgb, points, colour="grey", level=1.0):
    """Both iris discs (0.95 x the chord's radius, inside the lids) repainted ``colour`` at ``level`` x the
    brighter sclera side's luminance, their texture kept (each pixel's luminance over the disc's mean, 0.8-1.2),
    a dark pupil (0.3 radii) at the iris centre: a light iris nearly as bright as the sclera (the test's own
    recolour, not bench/bench_light_irises.py's)."""
    out = rgb.astype(np.float32)
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY).astype(np.float32)
    yy, xx = np.mgrid[0:rgb.shape[0], 0:rgb.shape[1]]
    for (c, ch, co), contour in zip(_EYES, EYE_CONTOURS):
        r = 0.5 * np.linalg.norm(points[ch[0], :2] - points[ch[1], :2])
        sclera = max(E.chord_luminance(gray, points, c, ch, co)[1])
        opening = np.zeros(rgb.shape[:2], np.uint8)
        cv2.fillPoly(opening, [np.round(points[list(contour), :2]).astype(np.int32)], 1)
        rho = np.hypot(xx - points[c, 0], yy - points[c, 1]) / r
        disc = (rho < 0.95) & (opening > 0)
        tex = np.clip(gray[disc] / gray[disc].mean(), 0.8, 1.2)
        out[disc] = (np.where(rho[disc] < 0.3, 25.0, level * sclera) * tex)[:, None] * np.asarray(LIGHT[colour])
    return out.clip(0, 255).astype(np.uint8)


def synthetic_eye(iris=200, pupil=30, sclera=220, line=None):
    """One eye (the subject's right) on a 200 x 200 luminance picture: sclera, an iris disc of radius 10 px with
    a pupil of 3 px; or, with ``line``, a uniform ``sclera`` patch with a dark horizontal line 3 px thick
    through the eye (a lash line over a closed eye).  Returns the picture and its landmarks."""
    pts = np.zeros((478, 2))
    pts[RIGHT_IRIS] = (100, 100)
    pts[E.RIGHT_EYE_CORNERS[0]], pts[E.RIGHT_EYE_CORNERS[1]] = (60, 100), (140, 100)
    pts[469], pts[471] = (90, 100), (110, 100)
    img = np.full((200, 200), sclera, np.uint8)
    if line is not None:
        img[99:102] = line
        return img, pts
    rng = np.random.default_rng(3)
    disc = np.zeros_like(img)
    cv2.circle(disc, (100, 100), 10, 1, -1)
    img[disc > 0] = np.clip(iris + rng.normal(0, 6, int(disc.sum())), 0, 255).astype(np.uint8)  # texture
    cv2.circle(img, (100, 100), 3, pupil, -1)
    return img, pts


def _pupil(img, pts, skin=150.0):
    s = E.chord_samples(img, pts, RIGHT_IRIS, E.RIGHT_IRIS_H, E.RIGHT_EYE_CORNERS)
    return E.pupil_seen(s, E.chord_luminance(img, pts, RIGHT_IRIS, E.RIGHT_IRIS_H, E.RIGHT_EYE_CORNERS)[1], skin)


def test_a_light_iris_fails_the_median_but_its_pupil_is_seen():
    img, pts = synthetic_eye()
    iris, sides = E.chord_luminance(img, pts, RIGHT_IRIS, E.RIGHT_IRIS_H, E.RIGHT_EYE_CORNERS)
    assert E.iris_contrast(iris, sides) < E.MIN_IRIS_CONTRAST  # 200 against 220: the median route hides it
    assert _pupil(img, pts)
    # a dark iris is seen by both; an iris without a pupil (a uniform disc as bright) by neither
    assert _pupil(*synthetic_eye(iris=90))
    assert not _pupil(*synthetic_eye(pupil=200))


@pytest.mark.parametrize("cover", ["lash_line", "dark_lens", "see_through_lens", "skin"])
def test_covers_show_no_pupil(cover):
    if cover == "lash_line":  # dark along the whole chord: as dark on the sides' low percentile
        img, pts = synthetic_eye(sclera=150, line=60)
    elif cover == "skin":
        img, pts = synthetic_eye(sclera=150)
        img[:] = 150
    else:
        img, pts = synthetic_eye()
        t, glow = (0.0, 15.0) if cover == "dark_lens" else (0.05, 20.0)  # t x + glow
        img = (t * img.astype(np.float32) + glow).astype(np.uint8)
    assert not _pupil(img, pts)


def test_the_pupil_route_is_mirror_symmetric_and_brightness_free():
    img, pts = synthetic_eye(iris=205)
    s = E.chord_samples(img, pts, RIGHT_IRIS, E.RIGHT_IRIS_H, E.RIGHT_EYE_CORNERS)
    mirrored, mp = np.ascontiguousarray(img[:, ::-1]), pts.copy()
    mp[:, 0] = 199 - pts[:, 0]
    m = E.chord_samples(mirrored, mp, RIGHT_IRIS, E.RIGHT_IRIS_H, E.RIGHT_EYE_CORNERS)
    np.testing.assert_allclose(np.sort(m[0]), np.sort(s[0]), atol=1e-3)
    for a, b in zip(m[1], s[1]):
        np.testing.assert_allclose(np.sort(a), np.sort(b), atol=1e-3)
    for k in (0.6, 1.0, 1.15):
        assert _pupil((img * k).clip(0, 255).astype(np.uint8), pts, 150.0 * k)
    assert not _pupil(*synthetic_eye(sclera=150 * 0.6, line=60 * 0.6), 0.6 * 150)


@pytest.mark.parametrize("colour", sorted(LIGHT))
def test_light_irises_on_the_sample_stay_visible(sample_analysis, colour):
    """The sample's irises repainted light (as bright as the brighter sclera side, the pupil dark): the iris
    median alone hides an eye (the check before the pupil route), the pupil keeps both visible."""
    rgb, pts = sample_analysis.photo.rgb, sample_analysis.points
    ev = E.iris_visibility(light_irises(rgb, pts, colour), pts)
    assert min(ev.contrast) < E.MIN_IRIS_CONTRAST
    assert ev.visible == (True, True)


def test_light_irises_mirrored_stay_visible_and_swap(sample_analysis):
    from facemetrics.landmarks import detect_landmarks

    rgb, pts = sample_analysis.photo.rgb, sample_analysis.points
    img = light_irises(rgb, pts, "blue")
    ev = E.iris_visibility(img, pts)
    mirrored = np.ascontiguousarray(img[:, ::-1])
    mev = E.iris_visibility(mirrored, detect_landmarks(mirrored).points)
    assert ev.visible == mev.visible == (True, True)
    # the subject's sides swap in the image, not in the measures: the hidden-by-the-median eye stays the same eye
    assert int(np.argmin(mev.contrast)) == int(np.argmin(ev.contrast))


@pytest.mark.parametrize("cover", ["sun_dark_0.22", "sun_reflective_0.3", "skin", "see_through"])
def test_covers_over_light_irises_still_hide_them(sample_analysis, cover):
    rgb, pts = sample_analysis.photo.rgb, sample_analysis.points
    img = light_irises(rgb, pts, "grey")
    if cover == "skin":
        img = skin_cover(img, pts)
    elif cover == "see_through":
        img = see_through_lens(img, pts, 0.05, 20.0)
    else:
        _, tint, k = cover.split("_")
        img = sunglasses(img, pts, float(k), tint)
    assert E.iris_visibility(img, pts).visible == (False, False)


def test_the_implausible_ipd_flag_gives_the_distance_with_its_uncertainty():
    """Stop 62 (h7): "implausible inter-pupillary distance (85.0 mm, adult range 50-80 mm)" gave the distance without
    the ± its mm scale carries: now 1.96 x the scale's 1-SD uncertainty (``mm_per_px_uncertainty_pct``) of it, 95 %;
    with the user's own mm scale (no uncertainty: taken as given) the distance alone."""
    from facemetrics.quality import IPD_COVERAGE_K

    q = dict(yaw_deg=0, pitch_deg=0, roll_deg=0, sharpness=50, face_luminance=120, clipped_fraction=0,
             smile_index=0, mouth_opening_ratio=0, ipd_mm=85.0)
    u = IPD_COVERAGE_K * 85.0 * 4.5 / 100  # 7.5 mm at a frontal photo's 4.5 %
    (f,) = quality_flags(dict(q, calibration_source="iris", scale_uncertainty_pct=4.5), 0.2)
    assert f.startswith(f"{IPD_FLAG} (85.0 ± {u:.1f} mm, adult range 50-80 mm): "), f
    (g,) = quality_flags(dict(q, calibration_source="user_mm_per_px", scale_uncertainty_pct=float("nan")), 0.2)
    assert g.startswith(f"{IPD_FLAG} (85.0 mm, adult range 50-80 mm): "), g



def test_a_photos_ipd_flag_carries_its_scales_uncertainty(sample_path, sample_analysis, monkeypatch):
    """Through ``analyze_photo``: with the adult range narrowed so that the sample's IPD falls outside it, the flag's
    ± is 1.96 x the photo's own ``mm_per_px_uncertainty_pct`` of the distance; with the user's mm scale, none."""
    import facemetrics.quality as quality

    monkeypatch.setattr(quality, "IPD_RANGE_MM", (70.0, 80.0))
    r = analyze_photo(sample_path)
    cal = r.calibration
    u = quality.IPD_COVERAGE_K * cal.ipd_mm * cal.uncertainty_pct / 100
    assert r.ok and cal.source == "iris" and 0.5 < u < 10, (cal, u)
    (f,) = [f for f in r.quality.flags if IPD_FLAG in f]
    assert f.startswith(f"{IPD_FLAG} ({cal.ipd_mm:.1f} ± {u:.1f} mm, adult range 70-80 mm): "), f
    r = analyze_photo(sample_path, mm_per_px=0.6 * sample_analysis.mm_per_px)
    (f,) = [f for f in r.quality.flags if IPD_FLAG in f]
    assert f.startswith(f"{IPD_FLAG} ({r.calibration.ipd_mm:.1f} mm, adult range 70-80 mm): "), f
