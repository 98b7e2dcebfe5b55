"""decay.regimen_flow: a flow-only pre-session photo is flagged only when it stands out from the regimen line of the
other pre-session photos (docs/validation.md §18); a flagged photo that leaves the verdict as it is is left out of the
series' figures (§19); wired into run_timeline's regimen rows.  The truths are not the regimen's straight line: a
level that saturates (1 - exp(-day / 10)) or none, with a fixed wobble."""

import math
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from facemetrics.batch import run_timeline
from facemetrics.decay import analyze_regimen
from facemetrics.decay.regimen_flow import (FIGURE_COLUMNS, FIGURES_WITHOUT, REGIMEN_FLOW_K, regimen_flow_checks,
                                            regimen_flow_read, regimen_photo_residuals)
from facemetrics.decay.regimen_slope import regimen_levels

sys.path.insert(0, str(Path(__file__).parent))
from test_flow_read import MAYBE, _batch  # noqa: E402

DAYS = [7, 14, 21, 28, 35, 42]
WOBBLE = [0.04, -0.03, 0.02, -0.04, 0.03, -0.02]  # mm: a day's light and pose, fixed
SMILE = "S01/rf/d42.jpg"


def _levels(build_mm=0.0, smile_day=None, smile_mm=2.0, days=DAYS):
    """One subject's regimen levels (mouth corner, mm): ``build_mm * (1 - exp(-day / 10))`` plus the wobble, and a
    'smile' of ``smile_mm`` added to the level of ``smile_day``."""
    v = [build_mm * (1 - math.exp(-d / 10.0)) + w + (smile_mm if d == smile_day else 0.0) for d, w in zip(days, WOBBLE)]
    return pd.DataFrame(dict(subject="S01", treatment="rf", metric="mouth_corner_lift_mm", side="mean",
                             hours_since_treatment=[24.0 * d - 0.5 for d in days], value=v, unit="mm",
                             noise_floor=0.4, verdict="lift", photo=[f"S01/rf/d{d}.jpg" for d in days]))


def test_k_is_the_measured_choice():
    assert REGIMEN_FLOW_K == 1.0


def test_a_smiling_last_photo_off_the_line_of_a_flat_regimen_is_flagged():
    lv = _levels(0.0, smile_day=42)
    # the fit with it: no verdict of "no change" any more; without it the line read at its own last day (35) is
    # no_cumulative_change, but carried to the row's day 42 it is inconclusive too (§19b: the check reads day 42)
    assert analyze_regimen(lv, n_boot=200)["verdict"].iloc[0] == "inconclusive"
    assert analyze_regimen(lv[lv.photo != SMILE], n_boot=200)["verdict"].iloc[0] == "no_cumulative_change"
    assert analyze_regimen(lv[lv.photo != SMILE], day_n=42, n_boot=200)["verdict"].iloc[0] == "inconclusive"
    (c,) = regimen_flow_checks(lv, [SMILE], n_boot=200)
    assert c.flagged == (SMILE,) and c.photos[0].ratio > 4  # 2 mm over a 0.4 mm floor, less the line's tilt
    assert (c.verdict, c.verdict_without, c.verdict_read) == ("inconclusive",) * 3
    # the verdict stays; the figures are the fit without it (§19), the reason names it
    table, _ = regimen_flow_read(analyze_regimen(lv, n_boot=200), lv, [SMILE], n_boot=200)
    assert table["verdict"].iloc[0] == "inconclusive" and table["n_photos"].iloc[0] == 5
    assert f"Left out of these figures: `{SMILE}` (day 42)" in table["reason"].iloc[0]


def test_a_smile_that_flips_a_building_regimen_is_named_in_the_reason():
    # a 3 mm build that saturates reads cumulative_change; a frown-like dip of 2.5 mm at day 42 (the smile's sign
    # reversed: the check is on |residual|) takes the verdict away, the rule names the photo and gives it back
    lv = _levels(3.0, smile_day=42, smile_mm=-2.5)
    clean = analyze_regimen(_levels(3.0), n_boot=200)["verdict"].iloc[0]
    with_it = analyze_regimen(lv, n_boot=200)
    assert clean == "cumulative_change" != with_it["verdict"].iloc[0]
    table, (c,) = regimen_flow_read(with_it, lv, [SMILE], n_boot=200)
    assert c.flagged == (SMILE,) and c.verdict_without == "cumulative_change"
    row = table.iloc[0]
    assert row["verdict"] == "inconclusive"
    assert row["reason"].startswith(f"`{SMILE}` (day 42) stands out from the line of the other pre-session photos by ")
    assert f"without it the regimen reads cumulative_change (with it: {c.verdict}). These figures" in row["reason"]
    assert with_it["reason"].iloc[0] != row["reason"]  # a copy: the table given is unchanged


def test_a_smile_that_keeps_a_building_verdict_is_left_out_of_the_figures():
    # §19: a saturating 3 mm build reads cumulative_change with and without a 2 mm 'smile' at day 42; the figure
    # with it is the smile's (beyond half the clean study's CI width); the row takes the fit without it at day 42
    lv = _levels(3.0, smile_day=42, smile_mm=2.0)
    clean = analyze_regimen(_levels(3.0), n_boot=200).iloc[0]
    with_it = analyze_regimen(lv, n_boot=200)
    half = (clean["change_day_n_ci_high"] - clean["change_day_n_ci_low"]) / 2
    assert with_it["change_day_n"].iloc[0] - clean["change_day_n"] > half  # inflated, and nothing said by §18
    out, (c,) = regimen_flow_read(with_it, lv, [SMILE], n_boot=200)
    assert c.flagged == (SMILE,) and c.verdict == c.verdict_without == "cumulative_change" and not c.changed
    without = analyze_regimen(lv[lv.photo != SMILE], day_n=42, n_boot=200).iloc[0]
    row = out.iloc[0]
    assert row["verdict"] == "cumulative_change" and row["day_n"] == 42 and row["n_photos"] == 5
    assert all(row[col] == without[col] for col in FIGURE_COLUMNS)
    assert abs(row["change_day_n"] - clean["change_day_n"]) <= half  # the figure is no longer the smile's
    assert row["reason"].startswith(without["reason"] + " Left out of these figures: "
                                    f"`{SMILE}` (day 42) stands out from the line of the other pre-session photos by ")
    assert row["reason"].endswith(f"; with it the change from day 0 to day 42 reads "
                                  f"{with_it['change_day_n'].iloc[0]:.2f} mm (95% CI "
                                  f"{with_it['change_day_n_ci_low'].iloc[0]:.2f} to "
                                  f"{with_it['change_day_n_ci_high'].iloc[0]:.2f} mm), the same verdict.")
    assert out.attrs[FIGURES_WITHOUT] == (SMILE,)
    assert with_it["n_photos"].iloc[0] == 6 and FIGURES_WITHOUT not in with_it.attrs  # the table given unchanged


def test_a_flagged_photo_that_decides_the_verdict_is_left_out_of_the_figures_too():
    # §19b: §18's case (the verdict without it at the row's day differs): inconclusive, named; the figures are the
    # fit without it at day 42 (the smile's figure is not shown as measured), the reason gives the one with it
    lv = _levels(3.0, smile_day=42, smile_mm=-2.5)
    table = analyze_regimen(lv, n_boot=200)
    clean = analyze_regimen(_levels(3.0), n_boot=200).iloc[0]
    half = (clean["change_day_n_ci_high"] - clean["change_day_n_ci_low"]) / 2
    assert clean["change_day_n"] - table["change_day_n"].iloc[0] > half  # the dip's figure, beyond half the CI
    out, (c,) = regimen_flow_read(table, lv, [SMILE], n_boot=200)
    without = analyze_regimen(lv[lv.photo != SMILE], day_n=42, n_boot=200).iloc[0]
    row = out.iloc[0]
    assert c.verdict_without == without["verdict"] == "cumulative_change" != c.verdict
    assert row["verdict"] == "inconclusive" and row["day_n"] == 42 and row["n_photos"] == 5
    assert all(row[col] == without[col] for col in FIGURE_COLUMNS)
    assert abs(row["change_day_n"] - clean["change_day_n"]) <= half
    w = {k: f"{v:.2f}" for k, v in table.iloc[0].items() if k.startswith("change_day_n")}
    from facemetrics.decay.wording import ci_range  # a CI that spans zero shows both signs (stop 61)

    ci_with = ci_range(float(w["change_day_n_ci_low"]), float(w["change_day_n_ci_high"]), "mm")
    assert row["reason"].endswith(f"(with it: {c.verdict}). These figures are without it; with it the change from "
                                  f"day 0 to day 42 reads {w['change_day_n']} mm (95% CI "
                                  f"{ci_with}).")
    assert out.attrs[FIGURES_WITHOUT] == (SMILE,)  # left out of the figures too (the kept line says so, stop 50)


@pytest.mark.parametrize("build_mm", [0.0, 1.5])
def test_a_clean_regimen_whose_photos_are_all_flow_only_is_unchanged(build_mm):
    lv = _levels(build_mm)
    table = analyze_regimen(lv, n_boot=200)
    out, checks = regimen_flow_read(table, lv, lv.photo, n_boot=200)
    assert out is table and len(checks) == 1 and not checks[0].flagged


def test_a_strongly_saturating_clean_build_loses_its_end_photos_from_the_figures():
    # the cost §19's faces did not measure (their truths were straight builds): a clean 3 mm build that levels off
    # by day 20 departs from a straight line at its ends by more than the 0.4 mm floor when every photo is
    # flow-only; its end photos are flagged, the verdict stays and the figure moves, by less than half its CI
    lv = _levels(3.0)
    table = analyze_regimen(lv, n_boot=200)
    out, (c,) = regimen_flow_read(table, lv, lv.photo, n_boot=200)
    assert c.flagged == ("S01/rf/d42.jpg", "S01/rf/d7.jpg") and not c.changed
    assert out["verdict"].iloc[0] == table["verdict"].iloc[0] == "cumulative_change" and out["n_photos"].iloc[0] == 4
    half = (table["change_day_n_ci_high"].iloc[0] - table["change_day_n_ci_low"].iloc[0]) / 2
    assert 0 < abs(out["change_day_n"].iloc[0] - table["change_day_n"].iloc[0]) < half


def test_a_real_builds_own_flow_photos_near_the_line_are_not_flagged():
    # a saturating 1.5 mm build whose every photo sets off the flow cues (a lift that pulls the corners up and out):
    # its departure from the straight line is under k x the floor, so the verdict stands
    lv = _levels(1.5)
    photos = regimen_photo_residuals(regimen_levels(lv), lv.photo)
    assert len(photos) == 6 and max(p.ratio for p in photos) < REGIMEN_FLOW_K
    assert not any(p.stands_out for p in photos)
    table = analyze_regimen(lv, n_boot=200)
    out, checks = regimen_flow_read(table, lv, lv.photo, n_boot=200)
    assert out is table and len(checks) == 1 and not checks[0].changed


def test_a_photo_without_two_other_days_of_its_subject_is_not_judged():
    lv = _levels(0.0, smile_day=14, days=DAYS[:2])
    (p,) = regimen_photo_residuals(regimen_levels(lv), ["S01/rf/d14.jpg"])
    assert math.isnan(p.ratio) and not p.stands_out


def test_no_flow_photo_and_an_uncertain_one_leave_the_table_as_it_is():
    lv = _levels(0.0, smile_day=42)
    table = analyze_regimen(lv, n_boot=50)
    assert regimen_flow_read(table, lv, [], n_boot=50) == (table, ())
    unread = lv.assign(verdict=np.where(lv.photo == SMILE, "uncertain", "lift"))
    assert regimen_flow_checks(unread, [SMILE], n_boot=50) == ()


def _regimen_batch(tmp_path, smile_mm: float) -> pd.DataFrame:
    """A batch folder at ``tmp_path``: the decay batch (one clean series, no flow photo) and a regimen batch of
    :func:`_levels` (3 mm build, the day-42 photo ``smile_mm`` off it and fitted with the flow warning); its levels."""
    _batch(tmp_path, 0.0, flow=())
    reg = tmp_path / "regimen"
    reg.mkdir()
    lv = _levels(3.0, smile_day=42, smile_mm=smile_mm)
    lv.to_csv(reg / "long.csv", index=False)
    pd.DataFrame(dict(subject="S01", treatment="rf", photo=lv["photo"], hours_since_treatment=lv[
        "hours_since_treatment"], status=["warning" if p == SMILE else "ok" for p in lv["photo"]],
        messages=[MAYBE if p == SMILE else "" for p in lv["photo"]], mouth_corner_lift_mm_verdict="lifted")
    ).to_csv(reg / "changes.csv", index=False)
    pd.DataFrame(dict(photo=lv["photo"], excluded="")).to_csv(reg / "photos.csv", index=False)
    return lv


def test_run_timeline_reads_the_regimen_rule_into_timeline_csv_and_the_report(tmp_path):
    _regimen_batch(tmp_path, smile_mm=-2.5)
    _, table = run_timeline(tmp_path, n_boot=200, per_subject=False)
    row = table[table["kind"] == "regimen"].iloc[0]
    assert row["verdict"] == "inconclusive"
    assert row["reason"].startswith(f"`{SMILE}` (day 42) stands out from the line of the other pre-session photos")
    written = pd.read_csv(tmp_path / "timeline.csv", dtype=str)
    assert written.loc[written["kind"] == "regimen", "verdict"].iloc[0] == "inconclusive"
    assert any(n.startswith(f"regimen: `{SMILE}`") and "stands out" in n for n in table.attrs["expression_kept_notes"])


def test_run_timeline_gives_the_figures_without_a_smile_that_keeps_the_verdict(tmp_path):
    lv = _regimen_batch(tmp_path, smile_mm=2.0)
    _, table = run_timeline(tmp_path, n_boot=200, per_subject=False)
    row = table[table["kind"] == "regimen"].iloc[0]
    without = analyze_regimen(lv[lv.photo != SMILE], day_n=42, n_boot=200).iloc[0]
    assert row["verdict"] == "cumulative_change" and row["n_photos"] == 5
    assert float(row["change_day_n"]) == pytest.approx(without["change_day_n"], abs=1e-12)
    assert "Left out of these figures: `S01/rf/d42.jpg` (day 42)" in row["reason"]
    written = pd.read_csv(tmp_path / "timeline.csv", dtype=str)
    assert written.loc[written["kind"] == "regimen", "n_photos"].iloc[0] == "5"
    report = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert "Left out of these figures: `S01/rf/d42.jpg` (day 42)" in report
    assert any(n.startswith(f"regimen: `{SMILE}`") and n.endswith("left out of its regimen series' figures (the "
                                                                   "same verdict)")
               for n in table.attrs["expression_kept_notes"])


def test_both_checks_read_the_fit_without_the_flagged_photo_at_the_rows_day():
    # §19b: a 2.25 mm saturating build with a 1 mm dip at day 42 reads inconclusive; without the dip the line read
    # at its own last day (35) is inconclusive too, but read at the row's day 42 it is cumulative_change.  Before
    # §19b §18's check read day 35 (verdict left as it is) and §19's guard then kept the row as fitted (its fit at
    # day 42 reads another verdict); now both read day 42: the photo decided the verdict, §18 names it
    lv = _levels(2.25, smile_day=42, smile_mm=-1.0)
    table = analyze_regimen(lv, n_boot=200)
    rest = lv[lv.photo != SMILE]
    assert table["verdict"].iloc[0] == "inconclusive" == analyze_regimen(rest, n_boot=200)["verdict"].iloc[0]
    assert analyze_regimen(rest, day_n=42, n_boot=200)["verdict"].iloc[0] == "cumulative_change"
    out, (c,) = regimen_flow_read(table, lv, [SMILE], n_boot=200)
    assert c.flagged == (SMILE,) and (c.verdict, c.verdict_without) == ("inconclusive", "cumulative_change")
    assert out["verdict"].iloc[0] == "inconclusive"
    assert ("without it the regimen reads cumulative_change (with it: inconclusive). These figures are without it"
            in out["reason"].iloc[0])
    assert out.attrs[FIGURES_WITHOUT] == (SMILE,)  # every photo left out of a row's figures (since stop 50)


def test_a_table_fitted_with_other_settings_keeps_its_row_when_the_fit_without_the_photo_reads_another_verdict():
    # §19's guard: the check and the fit without the flagged photo use the settings given to regimen_flow_read; a
    # table fitted otherwise (here a 2 mm smallest meaningful change: inconclusive, where the settings given read
    # cumulative_change with and without the day-42 smile) keeps its row as fitted, not the figures and reason of a
    # fit whose verdict ("cumulative_change ... the same verdict") is not the row's
    lv = _levels(3.0, smile_day=42, smile_mm=2.0)
    table = analyze_regimen(lv, n_boot=200, min_effect=2.0)
    assert table["verdict"].iloc[0] == "inconclusive"
    out, (c,) = regimen_flow_read(table, lv, [SMILE], n_boot=200)
    assert c.flagged == (SMILE,) and c.verdict == c.verdict_without == "cumulative_change"
    pd.testing.assert_frame_equal(out, table)
    assert out.attrs[FIGURES_WITHOUT] == ()


def test_the_console_and_report_md_say_a_named_photo_is_left_out_of_its_regimen_figures(tmp_path, capsys):
    # §19b gives a row the flagged photo decided (inconclusive) the figures of the fit without it; the kept line of
    # that photo said only "its regimen series reads inconclusive" (attrs[FIGURES_WITHOUT] listed §19's photos only)
    from facemetrics.batch.console import KEPT_WITH_WARNING
    from facemetrics.cli import main

    lv = _regimen_batch(tmp_path, smile_mm=-2.5)
    assert main(["timeline", str(tmp_path), "--n-boot", "200"]) == 0
    out = capsys.readouterr().out
    row = pd.read_csv(tmp_path / "timeline.csv").query("kind == 'regimen'").iloc[0]
    without = analyze_regimen(lv[lv.photo != SMILE], day_n=42, n_boot=200).iloc[0]
    assert row["verdict"] == "inconclusive" and row["n_photos"] == 5  # the figures are the fit without it
    assert float(row["change_day_n"]) == pytest.approx(without["change_day_n"], abs=1e-4)  # timeline.csv's digits
    said = ("; stands out from the line of the other pre-session photos: its regimen series reads inconclusive, "
            "and its figures leave it out")
    (line,) = [x for x in out.splitlines() if x.startswith(f"{KEPT_WITH_WARNING}regimen: `{SMILE}`")]
    assert line.endswith(said), line
    assert said in (tmp_path / "report.md").read_text(encoding="utf-8")
