"""A session none of whose photos was compared still treated the face (stop 57, e1; docs/validation.md §12, Round 17).

A daily user who forgot day 2's before selfie: day 2's treatment happened and its after photos exist, but nothing of
day 2 is compared.  The follow-on rule built a subject's sessions from the change table's rows alone, so day 3 was
judged against day 1 at 48 h as if day 2's treatment had not happened; and a day whose every photo was refused made
a next-before row from day 1 to day 3 across it.  Rows of photos (no images) and changes simulated at their hours, as
tests/test_follow_on_next_before.py makes them.
"""

from __future__ import annotations

from datetime import timedelta

import pandas as pd

from facemetrics.batch import LONG_COLUMNS, run_timeline
from facemetrics.batch.tables import _comparison_jobs
from facemetrics.decay import analyze_series
from test_follow_on_next_before import START, _simulated, daily

AFTER = (0.17, 1.0, 5.0, 12.0)
D1, D2, D3 = ((START + timedelta(days=d)).isoformat() for d in range(3))
NO_BASELINE = "no baseline photo (taken before treated_at) in this session"
#: the same as the follow-on words say it: in brackets of their own, so none inside (Round 18's (e), stop 58)
NO_BASELINE_ASIDE = "no baseline photo, taken before treated_at, in this session"
#: the treatment times as a sentence says them (facemetrics.timekeys.clock_text)
SAID = {d: d.replace("T", " ")[:16] for d in (D1, D2, D3)}


def _lasting(h):
    return 1.0


def no_day2_before(days=3):
    """Daily sessions with day 2's before photo forgotten: its after photos have no baseline."""
    return [r for r in daily(days, after=AFTER) if r["photo"] != "me_d2_pre.jpg"]


def _sessions(rows):
    return pd.DataFrame(rows)[["subject", "treatment", "treated_at", "excluded"]].rename(columns={"excluded": "why"})


def batch_folder(rows, out):
    """A batch folder ``out`` (created) of ``rows``' photos: long.csv of their comparisons' simulated changes (a lift
    of 1 mm that lasts) and photos.csv, as ``run_timeline`` reads them."""
    out.mkdir()
    long = _simulated(_comparison_jobs(rows), _lasting).assign(sha256="", taken_at="", pixel_sha256="",
                                                                calibration_source="iris", facemetrics_version="")
    long.reindex(columns=LONG_COLUMNS).to_csv(out / "long.csv", index=False)
    pd.DataFrame(rows)[["photo", "subject", "treatment", "treated_at", "taken_at", "role", "excluded"]].to_csv(
        out / "photos.csv", index=False)
    return out


def test_day_3_is_judged_against_day_2_whose_before_photo_was_forgotten():
    rows = no_day2_before()
    jobs = _comparison_jobs(rows)
    assert {r["photo"] for r in rows if r["excluded"] == NO_BASELINE} == {f"me_d2_{h:g}h.jpg" for h in AFTER}
    # no next-before row across day 2: day 3's before photo is not a photo of day 1's effect alone
    assert sorted(r["photo"] for r, _ in jobs if r.get("_next_session")) == []
    changes = _simulated(jobs, _lasting)
    res = analyze_series(changes, n_boot=100, seed=0, sessions=_sessions(rows))
    (f,) = res.follow_on
    assert (f.treated_at, f.earlier_treated_at, round(f.gap_h, 1)) == (D3, D2, 24.0)
    assert f.earlier_note == f"none of whose photos was compared: {NO_BASELINE}"
    words = (f"me's session treated at {SAID[D3]} began 24.0 h after the one treated at {SAID[D2]} (none of whose "
             f"photos was compared: {NO_BASELINE_ASIDE})")
    assert words in res.fits[0].reason, res.fits[0].reason


def test_without_sessions_the_library_sees_the_change_table_alone_as_before():
    """``analyze_series(changes)`` is unchanged: it cannot see day 2 (documented), and sessions that all have rows
    change nothing."""
    rows = no_day2_before()
    changes = _simulated(_comparison_jobs(rows), _lasting)
    res = analyze_series(changes, n_boot=100, seed=0)
    (f,) = res.follow_on
    assert (f.earlier_treated_at, round(f.gap_h, 1), f.earlier_note) == (D1, 48.0, "")
    own = pd.DataFrame({"subject": "me", "treatment": "mc", "treated_at": [D1, D3]})
    again = analyze_series(changes, n_boot=100, seed=0, sessions=own)
    pd.testing.assert_frame_equal(again.to_frame(), res.to_frame())
    assert again.follow_on == res.follow_on


def test_a_fading_lift_pools_day_3_when_day_2s_effect_is_gone_a_day_on():
    """A daily fading lift (gone by 24 h) with day 2's before photo forgotten in a fortnight: day 3 is judged
    against day 2 at 24 h and pooled, the verdict as the month read."""
    rows = no_day2_before(14)
    jobs = _comparison_jobs(rows)

    def fading(h):
        return 1.0 if h <= 2 else max(0.0, 1.0 - (h - 2) / 8.0)

    res = analyze_series(_simulated(jobs, fading), n_boot=100, seed=0, sessions=_sessions(rows))
    assert res.follow_on == ()
    assert res.fits[0].verdict == "fades_within_a_day", res.fits[0].reason


def test_a_day_whose_photos_were_all_refused_gets_no_next_before_row_across_it():
    rows = daily(3)
    for r in rows:
        if "_d2_" in r["photo"]:
            r.update(role="", status="no_face", excluded="not measured (no face found)")
    jobs = _comparison_jobs(rows)
    assert sorted(r["photo"] for r, _ in jobs) == ["me_d1_0.17h.jpg", "me_d3_0.17h.jpg"]  # old: me_d3_pre.jpg at 47.8 h
    changes = _simulated(jobs, _lasting)
    res = analyze_series(changes, n_boot=0, seed=0, sessions=_sessions(rows))
    assert [(f.earlier_treated_at, f.earlier_note) for f in res.follow_on] == [
        (D2, "none of whose photos was compared: not measured (no face found)")]


def test_timeline_names_day_2_from_photos_csv(tmp_path):
    """``run_timeline`` passes photos.csv's sessions: report.md names day 2 and why its photos were not compared."""
    out = batch_folder(no_day2_before(), tmp_path / "batch")
    result, _ = run_timeline(out, n_boot=0, seed=0)
    assert [(f.earlier_treated_at, round(f.gap_h)) for f in result.follow_on] == [(D2, 24)]
    md = (out / "report.md").read_text()
    assert (f"began 24.0 h after the one treated at {SAID[D2]} (none of whose photos was compared: "
            f"{NO_BASELINE_ASIDE})") in md, md


def test_a_first_compared_session_after_an_uncompared_one_gives_its_figures_with_their_unit():
    """Round 18 (stop 57, f1), a home user who forgot the first session's before selfie and came back a week later:
    the only compared session follows one none of whose photos was compared, so the first sessions' fit has no data
    and no unit, and the follow-on words read "puts that one's change at −0.19 (90% CI −0.83 to 0.22), not shown
    inside ±0.30", no unit; now the series' own ("mm")."""
    import numpy as np

    first, second = START.isoformat(), (START + timedelta(days=7)).isoformat()
    hours = (0.17, 1.0, 5.0, 12.0, 24.0, 48.0, 96.0)
    rng = np.random.default_rng(3)
    changes = pd.DataFrame(dict(
        subject="me", treatment="microcurrent", metric="jawline_lift_mm", side="mean", unit="mm",
        hours_since_treatment=hours, treated_at=second, noise_floor=0.09, verdict="lift",
        value=[np.exp2(-h / 3.0) - 0.2 + 0.05 * rng.standard_normal() for h in hours]))
    sessions = pd.DataFrame(dict(subject=["me", "me"], treatment="microcurrent", treated_at=[first, second],
                                 why=[NO_BASELINE, ""]))
    res = analyze_series(changes, n_boot=100, seed=0, per_subject=False, sessions=sessions)
    (f,) = res.follow_on
    assert f.earlier_treated_at == first and f.unit == "mm"
    assert "puts that one's change at " in res.fits[0].reason
    at = res.fits[0].reason.split("puts that one's change at ")[1]
    assert at.split(" (")[0].endswith(" mm") and "not shown inside \u00b10.30 mm" in at, at
