"""Photos after a day that the fitted curve does not describe (docs/validation.md section 23,
:mod:`facemetrics.decay.late_photos`): the reason says so, the lasting level is withheld, the verdict stays."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from facemetrics.decay import analyze_series
from facemetrics.decay import late_photos as lp
from facemetrics.decay.late_photos import LateTime, late_photos, off_curve

TIMES = (0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 12.0, 24.0, 48.0, 96.0)


def _truth(kind: str, t: np.ndarray) -> np.ndarray:
    lift = np.exp2(-t / 3.0)
    if kind == "dip":  # bench_follow_on_subject's dip: 0.5 mm below the before photos at 48 h, near 0 by 96 h
        x = t / 48.0
        return lift - 0.5 * np.where(x > 0, x ** 6 * np.exp(6.0 * (1.0 - x)), 0.0)
    return lift  # the model's own fade


def _table(kind: str, times=TIMES, seed: int = 1, sd: float = 0.05) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    t = np.asarray(times, float)
    rows = [pd.DataFrame(dict(subject=f"S{s}", hours_since_treatment=t,
                              value=_truth(kind, t) + sd * rng.standard_normal(t.size))) for s in range(3)]
    return pd.concat(rows, ignore_index=True).assign(treatment="rf", metric="jawline_lift_mm", side="mean", unit="mm")


def _fit(kind: str, times=TIMES):
    return analyze_series(_table(kind, times), per_subject=False, n_boot=200, seed=0).fits[0]


@pytest.fixture(scope="module")
def dip():
    return _fit("dip")


def test_a_dip_with_a_48h_photo_withholds_the_lasting_level_and_says_why(dip):
    assert dip.status == "ok"
    assert [x.times_h for x in dip.late_photos] == [(48.0, 48.0), (96.0, 96.0)]
    assert dip.late_photos[0].data_change < -0.3
    assert math.isnan(dip.lasting) and math.isnan(dip.lasting_ci_low) and math.isnan(dip.lasting_ci_high)
    assert "The photos at 48.0 h read -0.5" in dip.reason
    assert "so the lasting level is not shown" in dip.reason
    row = dip.to_dict()
    assert math.isnan(row["lasting"])


def test_the_curve_is_still_drawn_when_the_lasting_level_is_withheld(dip):
    fit, low, high = dip.curve(np.array([1.0, 48.0, 200.0]))
    assert np.all(np.isfinite(fit)) and np.all(np.isfinite(low))
    assert fit[-1] == pytest.approx(dip.curve_lasting, abs=1e-3)


def test_the_verdict_and_24h_figures_are_those_without_the_check(dip, monkeypatch):
    monkeypatch.setattr("facemetrics.decay.claim.off_curve", lambda *a, **k: None)
    plain = _fit("dip")
    assert math.isfinite(plain.lasting) and "lasting level is not shown" not in plain.reason
    assert dip.verdict == plain.verdict
    assert (dip.change_24h, dip.change_24h_ci_low, dip.change_24h_ci_high) == \
        (plain.change_24h, plain.change_24h_ci_low, plain.change_24h_ci_high)
    assert dip.reason.startswith(plain.reason.rstrip())


def test_the_model_s_own_fade_with_late_photos_keeps_its_lasting_level():
    f = _fit("fade")
    assert len(f.late_photos) == 2
    assert math.isfinite(f.lasting) and "lasting level is not shown" not in f.reason


def test_no_photo_after_36h_no_check():
    f = _fit("dip", TIMES[:8])
    assert f.late_photos == ()
    assert math.isfinite(f.lasting) and "lasting level is not shown" not in f.reason


def test_a_photo_time_beyond_the_margin_the_curve_misses_is_off_curve():
    x = LateTime((96.0, 96.0), 3, 0.40, 0.05, 0.35, 0.001, (0.2, 0.6))
    assert x.off_curve(0.3, 1.0, alpha=0.05, opposite=False)
    assert not x.off_curve(0.5, 1.0, alpha=0.05, opposite=False)  # inside a larger margin
    assert not LateTime((96.0, 96.0), 3, 0.40, 0.35, 0.05, 0.6, (0.2, 0.6)).off_curve(0.3, 1.0, alpha=0.05,
                                                                                        opposite=False)


def test_a_photo_time_past_the_before_photos_after_a_lift_is_off_curve_when_opposite_is_on():
    x = LateTime((48.0, 48.0), 3, -0.40, -0.33, -0.07, 0.5, (-0.6, -0.2))  # the curve follows it: no gap
    assert x.off_curve(0.3, 1.0, alpha=0.05, opposite=True)
    assert not x.off_curve(0.3, 1.0, alpha=0.05, opposite=False)
    assert not x.off_curve(0.3, -1.0, alpha=0.05, opposite=True)  # a sag then lower still: the peak's side
    assert not LateTime((48.0, 48.0), 3, -0.40, -0.33, -0.07, 0.5, (-0.7, 0.05)).off_curve(0.3, 1.0, alpha=0.05,
                                                                                            opposite=True)


def test_late_photos_bins_and_off_curve_picks_the_first():
    t = np.array([1.0, 2, 4, 24, 47, 49, 96])
    g = ["A", "B", "C", "A", "B", "C", "A"]
    y = np.array([1, .8, .5, 0, -.5, -.45, 0.0])
    late = late_photos(t, y, (0.0, 1.2, 3.0), np.tile(y, (50, 1)), np.ones((50, 7)), np.tile([0.0, 1.2, 3.0], (50, 1)),
                       level=0.95, groups=g)
    assert [x.times_h for x in late] == [(47.0, 49.0), (96.0, 96.0)]
    assert off_curve(late, 0.3, 1.0, alpha=0.05, opposite=True) is late[0]
    assert off_curve(late, 0.6, 1.0) is None


def test_the_constants_are_the_chosen_ones():
    assert lp.LATE_AFTER_H == 36.0
    assert 0 < lp.LATE_ALPHA < 1 and isinstance(lp.LATE_OPPOSITE, bool)


def test_report_md_says_why_the_withheld_lasting_level_is_missing(dip):
    """Round 18 (stop 57, f1): report.md's table showed "n/a [n/a, n/a]" for the withheld lasting level, with no
    reason beside it; the cell now says why in one phrase, and a fit whose lasting level is shown keeps its figure."""
    from facemetrics.decay.claim import LASTING_WITHHELD_CELL, lasting_withheld
    from facemetrics.report import timeline_markdown

    table = pd.DataFrame([dip.to_dict(), _fit("fade").to_dict()])
    assert lasting_withheld(table.iloc[0]) and not lasting_withheld(table.iloc[1])
    rows = [x for x in timeline_markdown(table, None).splitlines() if x.startswith("| rf | jawline_lift_mm")]
    assert len(rows) == 2
    assert LASTING_WITHHELD_CELL in rows[0] and "n/a [n/a, n/a]" not in rows[0]
    assert LASTING_WITHHELD_CELL not in rows[1]


def test_timeline_png_says_in_its_legend_that_the_lasting_level_is_not_shown():
    """Round 18 (stop 57, f1): the curve is drawn to its fitted end (a flat tail at the withheld level, its band around
    it) and the legend said only "rf: inconclusive"; now the entry says the lasting level is not shown, as report.md's
    cell and the reason do.  A fit with its lasting level keeps the plain entry."""
    import matplotlib

    matplotlib.use("Agg")
    from facemetrics.plots import plot_timeline

    def labels(kind):
        table = _table(kind)
        res = analyze_series(table, per_subject=False, n_boot=200, seed=0)
        fig = plot_timeline(table, res)
        return " ".join(t.get_text().replace("\n", " ") for ax in fig.axes if ax.get_legend()
                        for t in ax.get_legend().get_texts())

    said = "lasting level not shown (photos after a day off the curve)"
    assert said in labels("dip")
    assert said not in labels("fade")


def test_one_subject_needs_the_curve_to_miss_the_photo_time():
    """Section 23b (stop 58): for a series of one subject the curve must miss the photo time at p < 0.01, and the
    opposite side counts only where p < 0.10 too; 3 subjects as before."""
    opposite = LateTime((48.0, 48.0), 1, -0.40, -0.33, -0.07, 0.5, (-0.6, -0.2))  # past the before photos, p 0.5
    assert opposite.off_curve(0.3, 1.0) and off_curve([opposite], 0.3, 1.0) is opposite
    assert not opposite.off_curve(0.3, 1.0, one_subject=True)
    assert off_curve([opposite], 0.3, 1.0, one_subject=True) is None
    assert LateTime((48.0, 48.0), 1, -0.40, 0.05, -0.45, 0.05, (-0.6, -0.2)).off_curve(0.3, 1.0, one_subject=True)
    missed = LateTime((96.0, 96.0), 1, 0.40, 0.05, 0.35, 0.03, (-0.1, 0.6))  # missed at 0.05, not at 0.01
    assert missed.off_curve(0.3, 1.0) and not missed.off_curve(0.3, 1.0, one_subject=True)
    assert LateTime((96.0, 96.0), 1, 0.40, 0.05, 0.35, 0.005, (-0.1, 0.6)).off_curve(0.3, 1.0, one_subject=True)


def test_one_subject_whose_face_fades_as_the_model_says_keeps_its_lasting_level():
    """bench_late_photos --rule s58's tuning study 34 of ``demo x1`` ``model_3h`` (one subject, the model's own fade):
    its 48 h photo -0.34 mm (95 % CI -0.46 to -0.15 mm) lies on the curve (-0.35 mm, p 0.70); the stop-57 check
    withheld the lasting level (the opposite side), the one-subject rule keeps it."""
    import sys
    from pathlib import Path
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
    import bench_decay_misspecified as mis
    si, ti, k = list(mis.SCHEDULES).index("demo x1"), list(mis.TRUTHS).index("model_3h"), 34
    rng = np.random.default_rng(np.random.SeedSequence([2026120858, 2, si, ti, k]))
    times, n_subj = mis.SCHEDULES["demo x1"]
    table = mis.simulate_table(rng, "model_3h", times, n_subj).drop(columns="own_24h")
    fit = analyze_series(table, per_subject=False, seed=k).fits[0]
    assert fit.n_subjects == 1 and fit.late_photos and fit.late_photos[-1].off_curve(fit.smallest_meaningful_change,
                                                                                      fit.peak_change)
    assert math.isfinite(fit.lasting) and "lasting level is not shown" not in fit.reason
