"""The lower face's width read from the flow (``jaw_width_flow_mm``, mean) in the timeline's fits: a narrowing is
negative, and the verdicts say "narrowing" / "widening" of it, never "lift", "sag" or "effect" (stop 62, h10).

All series are synthetic (the decay model plus noise, fixed generators; no images), with the row's own noise floor
(``compare.DEFAULT_NOISE_FLOORS``, 0.16 mm) in their ``noise_floor`` column, as long.csv carries it.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from facemetrics.batch import HEADLINE_METRICS
from facemetrics.compare import DEFAULT_NOISE_FLOORS
from facemetrics.decay import FADES, INCONCLUSIVE, PERSISTS, analyze_series, decay_model
from facemetrics.decay.wording import effect_noun

WIDTH = "jaw_width_flow_mm"
FLOOR = DEFAULT_NOISE_FLOORS[(WIDTH, "mean")]
MC_TIMES = (-0.5, 0.25, 1, 2, 4, 8, 12, 24, 48)
RF_TIMES = (-0.5, 1, 6, 24, 48, 72, 168, 336)


def _series(seed, times, *, lasting=0.0, transient=0.0, half_life=3.0, n_subjects=4, sd=0.1, floor=FLOOR):
    """Tidy change rows of ``jaw_width_flow_mm`` (mean), mm: baseline photos (t < 0) are 0 + noise."""
    rng = np.random.default_rng(seed)
    rows = [dict(subject=f"S{s + 1}", treatment="rf", hours_since_treatment=float(t), metric=WIDTH, side="mean",
                 value=float(decay_model(t, lasting, transient, half_life) + rng.normal(0.0, sd)), unit="mm",
                 noise_floor=floor)
            for s in range(n_subjects) for t in times]
    return pd.DataFrame(rows)


def _fit(df):
    return analyze_series(df, per_subject=False, n_boot=200).get("rf", WIDTH, "mean")


def test_the_width_is_a_headline_series_of_the_timeline():
    assert WIDTH in HEADLINE_METRICS
    assert HEADLINE_METRICS[:3] == ("jawline_lift_mm", "mouth_corner_lift_mm", "nlf_depth")  # the others, unchanged


def test_a_width_change_is_a_narrowing_or_a_widening():
    assert effect_noun(WIDTH, -1.0) == "narrowing" and effect_noun(WIDTH, 1.0) == "widening"
    assert effect_noun("jaw_width_mm", -0.5) == "narrowing"
    # the lifts keep their words
    assert effect_noun("jawline_lift_mm", -1.0) == "sag" and effect_noun("jawline_lift_mm", 1.0) == "lift"


def test_a_lasting_narrowing_reads_lasting_and_negative():
    f = _fit(_series(1, RF_TIMES, lasting=-1.5))
    assert f.verdict == PERSISTS, f.reason
    assert f.change_24h < 0 and f.change_24h_test_ci_high < -f.smallest_meaningful_change
    assert f.lasting < -1.0
    assert f.reason.endswith("the narrowing persists beyond a day."), f.reason
    assert "below the -0.30 mm margin" in f.reason  # the margin in mm, its sign an ASCII minus
    assert "\u2212" not in f.reason and not re.search(r"\b(lift|sag|effect)\b", f.reason), f.reason


def test_a_transient_narrowing_fades():
    f = _fit(_series(2, MC_TIMES, transient=-2.0, half_life=3.0))
    assert f.verdict == FADES, f.reason
    assert f.peak_change < -1.0
    assert f.reason.endswith("the narrowing fades within a day."), f.reason
    assert re.search(r"after a peak of -\d+\.\d\d mm \(95% CI -\d+\.\d\d to -\d+\.\d\d mm\)", f.reason), f.reason


def test_no_change_reads_no_change():
    f = _fit(_series(3, RF_TIMES))
    assert f.verdict == INCONCLUSIVE, f.reason
    assert "there was no clear initial change to fade" in f.reason, f.reason
    assert not re.search(r"\b(narrowing|widening|lift|sag)\b", f.reason), f.reason


def test_a_widening_reads_widening():
    f = _fit(_series(4, RF_TIMES, lasting=1.5))
    assert f.verdict == PERSISTS and f.change_24h > 0
    assert f.reason.endswith("the widening persists beyond a day."), f.reason


def test_the_margin_is_read_from_the_rows_floor():
    """The margin is ``max(0.3 mm, the median of the series' floors)``: the width's floor grows with head turn,
    pitch and coarse photos (compare.floors), and a series of such photos is judged against its own floor."""
    low = _fit(_series(5, RF_TIMES, lasting=-1.5))
    high = _fit(_series(5, RF_TIMES, lasting=-1.5, floor=0.8))
    assert low.smallest_meaningful_change == 0.3 and low.noise_floor == FLOOR
    assert high.smallest_meaningful_change == 0.8
    assert "below the -0.80 mm margin" in high.reason, high.reason


def test_the_timeline_fits_the_width_and_report_md_says_narrowing(tmp_path):
    """``run_timeline`` on a hand-made long.csv with a lift series and a lasting narrowing: the width is fitted by
    default beside the lift (its row in timeline.csv, negative at 24 h), and report.md says the narrowing
    persists; the lift's row reads as it does alone."""
    from facemetrics.batch import run_timeline

    width = _series(7, RF_TIMES, lasting=-1.5)
    lift = _series(7, RF_TIMES, lasting=1.5).assign(metric="jawline_lift_mm", noise_floor=0.2)
    pd.concat([lift, width]).to_csv(tmp_path / "long.csv", index=False)
    _, table = run_timeline(tmp_path, n_boot=100, figures=False)
    pooled = table[table["subject"].isna() | (table["subject"].astype(str) == "")]
    row = pooled[pooled["metric"] == WIDTH].iloc[0]
    assert row["verdict"] == PERSISTS and row["change_24h"] < 0 and row["unit"] == "mm"
    assert row["reason"].endswith("the narrowing persists beyond a day."), row["reason"]
    report = (tmp_path / "report.md").read_text()
    assert "the narrowing persists beyond a day" in report and "\u2212" not in report
    lift.to_csv(tmp_path / "long.csv", index=False)
    _, alone = run_timeline(tmp_path, n_boot=100, figures=False)
    both = table[table["metric"] == "jawline_lift_mm"].reset_index(drop=True)
    assert both["reason"].tolist() == alone["reason"].tolist()


def test_a_regimen_that_builds_a_narrowing_reads_a_cumulative_negative_change():
    """Weekly RF, each session narrowing the lower face by 0.3 mm that lasts: the regimen's line reads a
    cumulative change, negative, in mm, against the width's floor (the regimen's words name no direction, so they
    are right for a width as for a lift)."""
    from facemetrics.decay import analyze_regimen
    from facemetrics.decay.regimen_slope import CUMULATIVE

    rng = np.random.default_rng(8)
    rows = [dict(subject=f"S{s}", treatment="rf", metric=WIDTH, side="mean", unit="mm", noise_floor=FLOOR,
                 hours_since_treatment=24 * 7 * k - 0.5, value=-0.3 * k + 0.1 * rng.standard_normal())
            for s in range(3) for k in range(6)]
    r = analyze_regimen(pd.DataFrame(rows), n_boot=200).iloc[0]
    assert r["verdict"] == CUMULATIVE and r["change_day_n_ci_high"] < -r["smallest_meaningful_change"]
    assert r["reason"].startswith(f"From the pre-session photos, the {WIDTH} (mean) changed by -1.")
    assert " mm per week" in r["reason"] and "\u2212" not in r["reason"]


def test_simulate_narrow_reads_as_a_narrowing_and_the_same_on_mirrored_photos(sample_analysis):
    """``simulate.narrow`` (a field of its own: a tanh across the face times a Gaussian down it) on the bundled
    sample: ``jaw_width_flow_mm`` reads it as a ``decrease`` near its truth, and the mirrored pair (both photos
    flipped, the subject's sides swapped with the image's) reads the same change within the row's floor, so a
    mirrored photo series feeds the timeline the same values."""
    from facemetrics import analyze_photo, compare_photos
    from facemetrics.simulate import encode_png, narrow

    sim = narrow(sample_analysis, 3.0)
    assert -3.0 <= sim.truth["jaw_width_change_mm"] < -2.7
    after = analyze_photo(encode_png(sim.image))
    row = compare_photos(sample_analysis, after).get(WIDTH)
    assert row.verdict == "decrease" and 0.85 <= row.change / sim.truth["jaw_width_change_mm"] <= 1.15, row
    flip = [analyze_photo(encode_png(np.ascontiguousarray(x[:, ::-1]))) for x in (sample_analysis.photo.rgb,
                                                                                 sim.image)]
    mirrored = compare_photos(*flip).get(WIDTH)
    assert mirrored.verdict == "decrease"
    assert abs(mirrored.change - row.change) < max(row.noise_floor, mirrored.noise_floor), (row, mirrored)


def test_the_width_is_listed_after_the_lifts_and_folds():
    """Sorted by name ``jaw_width_flow_mm`` came before ``jawline_lift_mm``: a microcurrent user's first verdict,
    row and panel were the width's (stop 62).  The series follow :data:`METRIC_ORDER`; unknown names after, by name."""
    from facemetrics.decay.claim import METRIC_ORDER, metric_rank

    names = ["jaw_width_flow_mm", "zeta_mm", "nlf_depth", "jawline_lift_mm", "alpha_mm", "mouth_corner_lift_mm"]
    assert sorted(names, key=metric_rank) == ["jawline_lift_mm", "mouth_corner_lift_mm", "nlf_depth",
                                              "jaw_width_flow_mm", "alpha_mm", "zeta_mm"]
    assert tuple(HEADLINE_METRICS) == METRIC_ORDER


def test_the_regimen_table_lists_the_width_after_the_lifts_too():
    """analyze_regimen grouped its rows by name, so regimen rows (regimen.csv, report.md's Regimen table,
    regimen.png) still put ``jaw_width_flow_mm`` first when the series had moved it last (review r1, stop 62)."""
    from facemetrics.decay import analyze_regimen

    days = (7, 14, 21, 28)
    levels = pd.DataFrame([dict(subject="S01", treatment="rf", metric=m, side="mean", hours_since_treatment=24.0 * d - 0.5,
                                value=0.01 * d, unit="mm", noise_floor=0.3, verdict="lift")
                           for m in ("jawline_lift_mm", WIDTH) for d in days])
    assert list(analyze_regimen(levels, n_boot=50)["metric"]) == ["jawline_lift_mm", WIDTH]
