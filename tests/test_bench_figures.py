"""The arithmetic of bench scripts' README figures (docs/validation.md §11; docs/guide.md's since stop 52): the
invariance table's largest changes (bench/accuracy.py ``largest_changes``, whose ratio row without the fold lengths
gives the guide's 3.7 %) and the eye-cover report's largest missed scale change, which printed only the
magnitude behind a ``+`` (bench/bench_eyes.py ``largest_change``)."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

from accuracy import GROUPS, largest_changes  # noqa: E402
from bench_eyes import largest_change  # noqa: E402


def test_the_largest_change_keeps_its_sign():
    assert largest_change(pd.Series([0.02, -0.38, 0.10])) == -0.38
    assert largest_change(pd.Series([0.02, float("nan"), 0.31, -0.05])) == 0.31
    assert math.isnan(largest_change(pd.Series([float("nan")])))


def test_largest_changes_absolute_and_relative_apart():
    ref = {"a_ipd": 10.0, "b_ipd": 0.5, "z_ipd": 0.0}
    rows = {"shift": {"a_ipd": 10.4, "b_ipd": 0.52, "z_ipd": 0.3},
            "roll": {"a_ipd": 9.9, "b_ipd": 0.45, "z_ipd": 0.0}}
    (d, c, k), (rel, rc, rk) = largest_changes(ref, rows, list(ref))
    assert (c, k) == ("a_ipd", "shift") and math.isclose(d, 0.4)
    # the zero-valued column is left out of the relative change; b's -10 % beats a's +4 %
    assert (rc, rk) == ("b_ipd", "roll") and math.isclose(rel, 0.1)


def test_the_other_ratios_row_sets_the_fold_lengths_apart():
    other = GROUPS["ratios other than the fold lengths'"]
    assert other("cheek_height_right_ipd") and other("lower_face_area_ipd2")
    assert not other("nlf_length_left_ipd") and not other("jaw_width_mm")
    assert GROUPS["ratios (_ipd, _ipd2)"]("nlf_length_left_ipd")


def test_the_split_demo_moves_the_photos_from_the_gap_on_into_a_second_session():
    from bench_follow_on import split_second_session

    t0 = "2026-11-02T08:00:00"
    rows = [dict(photo=f"S01/rf/{h}h.jpg", subject="S01", treatment="rf", treated_at=t0,
                 taken_at=(pd.Timestamp(t0) + pd.Timedelta(hours=h)).isoformat(), true_lift_mm=1.5)
            for h in (-0.5, 24, 95, 96, 168)]
    rows.append(dict(photo="S01/mc/1h.jpg", subject="S01", treatment="microcurrent", treated_at=t0,
                     taken_at="2026-11-07T08:00:00", true_lift_mm=0.0))
    out = split_second_session(pd.DataFrame(rows), "rf", 96.0).set_index("photo")
    assert list(out.session) == [1, 1, 1, 2, 2, 1]
    assert set(out.loc[out.session == 2, "treated_at"]) == {"2026-11-06T08:00:00"}
    # the photo at the gap is the second session's before photo, half an hour before its treatment
    assert out.loc["S01/rf/96h.jpg", "taken_at"] == "2026-11-06T07:30:00"
    assert out.loc["S01/rf/168h.jpg", "taken_at"] == "2026-11-09T08:00:00"
    assert out.loc["S01/rf/95h.jpg", "treated_at"] == t0  # before the gap: the first session's
    assert out.loc["S01/mc/1h.jpg", "treated_at"] == t0  # another treatment: untouched
    assert "true_lift_mm" not in out.columns


def test_a_clean_session_is_judged_by_its_largest_headline_change_beyond_the_floor():
    from bench_leave_out import clean_design, session_ratios

    assert clean_design(2)["clean"]["times_h"] == [-1.0, -0.5, 1.0]
    assert clean_design(3)["clean"]["times_h"] == [-1.5, -1.0, -0.5, 1.0]
    key = dict(treatment="clean", treated_at="2026-11-02T08:00:00")
    changes = pd.DataFrame([
        dict(subject="S01", role="baseline", jawline_lift_mm=0.6, jawline_lift_mm_noise_floor=0.5,
             jawline_lift_mm_verdict="lift", nlf_depth_right=-0.3, nlf_depth_right_noise_floor=0.2,
             nlf_depth_right_verdict="shallower", jowl_lift_mm=9.0, jowl_lift_mm_noise_floor=0.1,
             jowl_lift_mm_verdict="lift", **key),
        dict(subject="S01", role="post", jawline_lift_mm=5.0, jawline_lift_mm_noise_floor=0.5,
             jawline_lift_mm_verdict="lift", **key),
        dict(subject="S02", role="baseline", jawline_lift_mm=0.4, jawline_lift_mm_noise_floor=0.5,
             jawline_lift_mm_verdict="within_noise", **key),
    ])
    rows = (("jawline_lift_mm", "mean"), ("nlf_depth", "right"))
    got = session_ratios(changes, rows, ("", "within_noise"))
    # S01: the fold depth's 1.5 floors beat the jawline's 1.2; the jowl is no headline row, the post row
    # no check; S02's within-noise change is not beyond its floor
    assert math.isclose(got[("S01", "clean", "2026-11-02T08:00:00")], 1.5)
    assert got[("S02", "clean", "2026-11-02T08:00:00")] == 0.0
    assert math.isclose(session_ratios(changes, rows, ())[("S02", "clean", "2026-11-02T08:00:00")], 0.8)


def test_the_upside_down_counts_split_turned_from_upright_variants():
    from collections import Counter

    import numpy as np
    from bench_upside_down import TURNED, readme_counts, variants

    rgb = np.zeros((40, 30, 3), np.uint8)
    rgb[:10] = 200  # a bright top edge
    got = variants(rgb)
    assert set(got) == set(TURNED) and sum(TURNED.values()) == 5
    assert got["turned_180"][-1, 0, 0] == 200 and got["flipped"][-1, 0, 0] == 200 and got["upright"][0, 0, 0] == 200
    assert got["turned_170"][0, 15, 0] < 100 and got["turned_170"].shape[0] > 40  # whole picture kept
    assert got["darkened"][0, 0, 0] == 90
    statuses = {v: Counter({"sideways": 8, "too_small": 1, "ok": 1} if TURNED[v] else {"ok": 9, "sideways": 1})
                for v in TURNED}
    statuses["flipped"] = Counter({"sideways": 9, "warning": 1})
    # turned: 5 x 10 photos, 1 ok in 4 variants + 1 'warning' measured; upright: 4 x 10, 1 each called sideways
    assert readme_counts(statuses) == (5, 50, 4, 40)


def test_the_unchecked_formats_table_counts_only_visibly_wrong_photos_measured_ok():
    from bench_fuzz import outcome_table

    rows = [("bmp", "dup", "wrong", "ok"), ("bmp", "dup", "wrong", "ok"), ("bmp", "zero", "wrong", "ok"),
            ("bmp", "zero", "wrong", "no_face"), ("bmp", "truncate", "refused", ""), ("bmp", "bitflip", "same", ""),
            ("gif", "bitflip", "same", "")]
    t = outcome_table(rows)
    assert {k: t["bmp"][k] for k in ("refused", "same", "wrong", "wrong_ok")} == dict(refused=1, same=1, wrong=4,
                                                                                        wrong_ok=3)
    assert t["bmp"]["ok_by_kind"].most_common() == [("dup", 2), ("zero", 1)]
    assert t["gif"]["wrong_ok"] == 0 and t["gif"]["same"] == 1


def test_the_validate_base_bench_reduces_the_sample_as_validate_does():
    import numpy as np
    from bench_validate_base import reduce_to, variant

    from facemetrics import validate

    # the longer side (the height) sets the factor: 1600 x 1280 -> 640 x 512, never enlarged
    assert reduce_to(np.zeros((1600, 1280, 3), np.uint8), 640).shape == (640, 512, 3)
    assert reduce_to(np.zeros((300, 200, 3), np.uint8), 640).shape == (300, 200, 3)
    base = variant("base")
    assert np.array_equal(base, validate._base(640).photo.rgb)  # the photo section 2 measures
    jittered = variant("jittered")
    assert jittered.shape[2] == 3 and not np.array_equal(jittered, base)
