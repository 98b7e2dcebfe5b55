"""The metamorphic properties bench/audit_metamorphic.py checks on real faces, on the bundled sample.

A thin-plate warp through a few landmarks (not the package's own lift model, ``simulate.lift``) lifts
the subject's right lower face 2 mm and the left 1 mm; the comparison must read each dense lift row's
truth (the warp's own displacement over the comparison's region) within the row's noise floor, with the
verdict ``lift``; swapping the photos must negate every dense lift row; mirroring both photos must swap
the right and left rows (the mirrored subject's right is the real left).  The audit found these hold on 62 real photos (docs/robustness.md,
"Metamorphic audit"); the scale of the changes does not hold as tightly (same section), which these
tests leave to the bench.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

from audit_metamorphic import TPS, check_swap, png, synthetic_truth, tps_lift  # noqa: E402
from conftest import SAMPLES  # noqa: E402
from facemetrics import analyze_photo, compare_photos  # noqa: E402

LIFT_ROWS = [(f"{r}_lift_mm", s) for r in ("jawline", "jowl", "mouth_corner", "cheek") for s in ("right", "left", "mean")]


@pytest.fixture(scope="module")
def pair():
    """The sample reduced to 640 px wide, its analysis, the warped copy and the comparison."""
    with Image.open(SAMPLES / "astronaut_before.jpg") as im:
        im = im.convert("RGB")
        rgb = np.asarray(im.resize((640, round(640 * im.height / im.width)), Image.LANCZOS)).copy()
    a = analyze_photo(png(rgb))
    assert a.ok
    warped, forward = tps_lift(rgb, a)
    b = analyze_photo(png(warped))
    assert b.ok
    return rgb, warped, a, b, forward, compare_photos(a, b)


def _rows(c) -> dict:
    return {(r.metric, r.side): r for r in c.changes}


def test_tps_passes_through_its_points():
    rng = np.random.default_rng(0)
    src = rng.uniform(0, 100, (12, 2))
    dst = src + rng.normal(0, 2, src.shape)
    np.testing.assert_allclose(TPS(src, dst)(src), dst, atol=1e-6)
    # an affine map is reproduced exactly away from the points too
    A = np.array([[1.02, 0.03], [-0.01, 0.98]])
    t = TPS(src, src @ A.T + (3.0, -2.0))
    q = rng.uniform(0, 100, (5, 2))
    np.testing.assert_allclose(t(q), q @ A.T + (3.0, -2.0), atol=1e-6)


def test_synthetic_warp_read_within_the_floor(pair):
    *_, forward, c = pair
    assert c.status == "ok", c.messages
    truth = synthetic_truth(c, forward)
    rows = _rows(c)
    assert set(truth) == set(LIFT_ROWS)
    # the warp is what it says: the right side ~2 mm, the left ~1 mm
    assert 1.6 < truth[("jawline_lift_mm", "right")] < 2.2 and 0.8 < truth[("jawline_lift_mm", "left")] < 1.2
    for key, t in truth.items():
        r = rows[key]
        assert r.verdict == "lift", (key, r)
        assert abs(r.change - t) <= r.noise_floor, (key, r.change, t, r.noise_floor)
    for m in ("head_pitch_change_deg", "head_yaw_change_deg", "head_roll_change_deg"):
        assert rows[(m, "mean")].verdict == "within_noise"


def test_identity_and_swap(pair):
    rgb, warped, a, b, forward, c = pair
    same = compare_photos(a, a)  # one picture shows no noise: every row 'uncertain' (compare's rule, 2026-12-05)
    read = [r for r in same.changes if r.verdict]
    assert len(read) > 40 and all(r.verdict == "uncertain" and abs(r.change) <= r.noise_floor for r in read
                                  if r.noise_floor == r.noise_floor)
    back = compare_photos(b, a)
    n, bad = check_swap(c, back, "sample")
    assert n > 40
    fwd, rev = _rows(c), _rows(back)
    for key in LIFT_ROWS:
        assert rev[key].verdict == "sag", (key, rev[key])
        # the two calibrations differ by Face Mesh's iris jitter (a few %): the sum is small against the lift
        assert abs(fwd[key].change + rev[key].change) < 0.08 * abs(fwd[key].change) + fwd[key].noise_floor


def test_mirror_swaps_the_subjects_sides(pair):
    rgb, warped, a, b, forward, c = pair
    ma = analyze_photo(png(np.ascontiguousarray(rgb[:, ::-1])))
    mb = analyze_photo(png(np.ascontiguousarray(warped[:, ::-1])))
    m = _rows(compare_photos(ma, mb))
    o = _rows(c)
    flip = {"right": "left", "left": "right", "mean": "mean"}
    for region in ("jawline", "jowl", "mouth_corner"):
        key = f"{region}_lift_mm"
        # the subject's right was lifted twice as much; mirrored, it is the picture's right, read as the left
        assert m[(key, "left")].change > m[(key, "right")].change + 0.5
        for s in ("right", "left", "mean"):
            assert abs(m[(key, flip[s])].change - o[(key, s)].change) < \
                0.08 * abs(o[(key, s)].change) + o[(key, s)].noise_floor, (key, s)


def test_fold_scoring_is_mirror_equivariant_with_mirrored_landmarks(pair):
    """The audit's analysis violations under mirroring come from Face Mesh finding other landmarks on the
    mirrored picture, not from the fold code: given the mirrored landmarks and frame, the mirrored picture's
    right fold reads the picture's left fold (and vice versa)."""
    from facemetrics.folds import fold_metrics
    from facemetrics.geometry import MIRROR_INDEX, Frame

    rgb, _, a, *_ = pair
    w = rgb.shape[1]
    pts = a.points.copy()
    pts[:, 0] = w - 1 - pts[:, 0]
    pts = pts[list(MIRROR_INDEX)]
    f = a.frame
    frame = Frame(np.array([w - 1 - f.origin[0], f.origin[1]]), np.array([f.u_axis[0], -f.u_axis[1]]),
                  np.array([-f.v_axis[0], f.v_axis[1]]), f.mm_per_px)
    mirrored = np.ascontiguousarray(rgb[:, ::-1])
    for side, other in (("right", "left"), ("left", "right")):
        x = getattr(a, "nlf_" + side)
        y = fold_metrics(mirrored, pts, frame, other)
        assert abs(x.depth_index - y.depth_index) < 0.02
        assert abs(x.contrast_pct - y.contrast_pct) < 0.2
        assert abs(x.length_mm - y.length_mm) < 0.5


def test_pair_scale_summary_on_constructed_rows():
    """The figures of ``--pair-scale`` (docs/compare.md, 'A pair's mm scale from both photos' irises'): the swap
    reads |c_BA + c_AB| / |c_AB|, the re-framings |c' - c| / |c|, only dense rows of |c_AB| >= 0.3 mm read both
    ways enter the ratio, every lift row read both ways counts for the swap's floor check, and the synthetic
    error is |c_AB - truth| of the ``tps`` rows."""
    from audit_metamorphic import pair_scale_summary

    def row(case, metric, c, c0, f=0.05, v="lift", truth=float("nan")):
        return dict(photo="p", case=case, metric=metric, side="mean", change=c, floor=f, verdict=v, status="ok",
                    change_ab=c0, floor_ab=f, verdict_ab="lift", truth=truth)

    rows = [row("tps", "jawline_lift_mm", 2.0, 2.0, truth=1.9), row("tps", "cheek_lift_mm", 1.0, 1.0, truth=1.02),
            row("swap", "jawline_lift_mm", -2.04, 2.0, v="sag"),  # 2 %, within 0.05
            row("swap", "cheek_lift_mm", -1.1, 1.0, v="sag"),  # 10 %, beyond its floor
            row("swap", "jowl_lift_landmarks_mm", -1.0, 1.5, f=4.0, v="sag"),  # no ratio (landmarks), within floor
            row("swap", "jowl_lift_mm", -0.1, 0.2, v="sag"),  # too small for a ratio, beyond its floor
            row("mirror", "jawline_lift_mm", 2.06, 2.0),  # 3 %
            row("pad", "jawline_lift_mm", 1.98, 2.0),  # 1 %
            row("crop", "jawline_lift_mm", 9.0, 2.0, v="uncertain")]  # not read: left out
    s = pair_scale_summary([{k: str(v) for k, v in r.items()} for r in rows])
    assert s["swap"][0] == pytest.approx(0.06) and s["swap"][3] == 2
    assert s["mirror"][0] == pytest.approx(0.03) and s["pad"][0] == pytest.approx(0.01) and "crop" not in s
    assert s["pooled"][3] == 4 and s["pooled"][0] == pytest.approx(0.025)
    k, n, which = s["swap_beyond"]
    assert (k, n) == (2, 4) and any("cheek_lift_mm" in w for w in which) and any("jowl_lift_mm" in w for w in which)
    assert s["synthetic"][0] == pytest.approx(0.06) and s["synthetic"][3] == 1 and s["synthetic"][4] == 2


def test_comparisons_only_skips_the_analysis_properties(pair, monkeypatch):
    """``--comparisons-only`` (the 2026-12-05 re-run) runs P1-P7 and none of P8-P10's analyses; without it the
    same photo goes through the ten analysis properties."""
    import audit_metamorphic as am

    rgb, _, a, *_ = pair
    monkeypatch.setattr(am, "analysis_of", lambda data, name: a)  # every transformed photo: the stored analysis
    checked = []
    monkeypatch.setattr(am, "check_analysis", lambda A, B, prop, who, **kw: checked.append(prop) or (1, []))

    class Stop(Exception):
        pass

    def stop(*args, **kw):
        raise Stop

    monkeypatch.setattr(am, "tps_lift", stop)  # stop after P1 and P2
    counts: dict = {}
    with pytest.raises(Stop):
        am.audit_photo(am.Tally(), "sample", "sample", rgb, counts, comparisons_only=True)
    assert checked == [] and {k for k in counts if not k.endswith("_viol")} == {"identity", "resave"}, counts
    counts = {}
    am.audit_photo(am.Tally(), "sample", "sample", rgb, counts, analyses_only=True)
    assert checked == ["bright_0.7", "bright_1.3", "gamma_0.8", "gamma_1.25", "a_mirror", "a_scale_0.5",
                       "a_scale_1.5", "a_pad", "a_crop", "a_exif_rot"], checked
