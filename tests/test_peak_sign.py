"""A fitted peak against the photos' sign is not quoted, and each row's "no half point" says why (stop 66, k1;
docs/validation.md section 26f)."""

from __future__ import annotations

import math
import warnings
from types import SimpleNamespace

import numpy as np
import pandas as pd

from facemetrics.decay import analyze_series, claim
from facemetrics.decay.claim import (BASIS_FIT, BASIS_NO_EFFECT, BASIS_PHOTOS, BASIS_REVERSED, BASIS_SIGNS_DIFFER,
                                     BASIS_SIGNS_DIFFER_SHOWN, decay_resolved, peak_against_photos, peak_resolved,
                                     peak_unshown)
from facemetrics.report import (NO_HALF_POINT, NO_HALF_POINT_UNTESTED, NO_HALF_POINT_WHY, NOT_RESOLVED,
                                PEAK_AGAINST_NOTE, PEAK_UNSHOWN_NOTE, half_point_lines, timeline_markdown,
                                unresolved_notes)
from facemetrics.schema import TIMELINE_COLUMNS

_T = np.repeat([0.25, 4.0, 12.0, 24.0, 48.0], 2)
_RISE = np.repeat([0.0, 0.5, 1.0, 0.6, 0.3], 2)  # mm: grew from nothing to 1.0 mm at 12 h
_CLEAR, _NOISY = _RISE + np.tile([0.05, -0.05], 5), _RISE + np.tile([0.3, -0.3], 5)


def _basis(y, fitted_peak: float, margin: float) -> str:
    """``claim._half_point_basis`` of photos ``y`` at 0.25-48 h (two a time) with a fit whose peak is
    ``fitted_peak`` (only its sign is read), given ``claim._effect_sign``'s sign, as the fit asks it."""
    est = SimpleNamespace(peak=fitted_peak, change_at=lambda x: np.zeros_like(np.asarray(x, dtype=float)))
    y = np.asarray(y, dtype=float)
    return claim._half_point_basis(_T, y, est, claim._effect_sign(_T, y, est, margin), margin)


def test_the_basis_names_each_branch_of_the_sign():
    """The photos' largest mean 1.0 mm at 12 h: read with the fit's sign when they agree, with the photos' against it
    when beyond the noise (unimodal SD 0.07 mm), none when within it (SD 0.42 mm: 3.3 SDs under Student's 4.03, see
    tests/test_half_point_rise.py), none when below the margin (1.5 mm), none when no margin checks the photos."""
    assert _basis(_CLEAR, 0.2, 0.3) == BASIS_FIT
    assert _basis(_NOISY, 0.2, 0.3) == BASIS_FIT  # agreeing signs: the noise is not asked
    assert _basis(_CLEAR, -0.2, 0.3) == BASIS_PHOTOS
    assert _basis(_NOISY, -0.2, 0.3) == BASIS_SIGNS_DIFFER
    assert _basis(_CLEAR, -0.2, 1.5) == BASIS_NO_EFFECT
    assert _basis(_CLEAR, 0.2, 1.5) == BASIS_NO_EFFECT
    assert _basis(_CLEAR, -0.2, math.nan) == BASIS_SIGNS_DIFFER
    assert _basis(_CLEAR, -0.2, 0.0) == BASIS_SIGNS_DIFFER
    assert _basis(np.zeros(10), 0.2, 0.3) == BASIS_NO_EFFECT  # photos with no sign at all


_REVERSAL = np.repeat([0.8, 0.7, -0.6, -1.2, -1.2], 2) + np.tile([0.05, -0.05], 5)  # mm: a lift turned into a sag


def test_a_change_that_reversed_keeps_its_fitted_peak():
    """Review r1 (section 26h): an early lift of 0.8 mm that turned into a sag of -1.2 mm fits a positive peak; the
    half point reads the photos' larger, negative, change, but the photos show the lift at two photo times, beyond the
    margin and their noise, so the peak is theirs and is shown (k1's rule read `photos` and hid it); a photo time
    alone below the baseline does not make a change that grew a reversal (section 26h's candidate R did)."""
    assert _basis(_REVERSAL, 0.2, 0.3) == BASIS_REVERSED
    assert _basis(_REVERSAL, -0.2, 0.3) == BASIS_FIT
    assert _basis(_REVERSAL, 0.2, 0.9) == BASIS_PHOTOS  # the lift (0.8 mm) short of the margin: not shown by the photos
    one_time = np.repeat([-0.5, 0.1, 0.6, 1.2, 1.2], 2) + np.tile([0.05, -0.05], 5)  # a baseline error, then growth
    assert _basis(one_time, -0.2, 0.3) == BASIS_PHOTOS  # the fitted sign at one photo time only (R2, not R)
    noisy_lift = np.repeat([0.8, 0.7, -0.6, -1.2, -1.2], 2) + np.tile([0.6, -0.6], 5)
    assert _basis(noisy_lift, 0.2, 0.3) != BASIS_REVERSED  # the lift not beyond the noise
    row = dict(half_life_h=6.0, half_life_h_min=0.125, half_life_h_ci_low=3.0, half_life_h_ci_high=9.0,
               last_time_h=48.0, half_point_basis=BASIS_REVERSED)
    assert peak_resolved(row) and decay_resolved(row) and not peak_against_photos(row)


def test_the_peak_is_not_resolved_when_the_photos_sign_is_read_against_it():
    row = dict(half_life_h=6.0, half_life_h_min=0.125, half_life_h_ci_low=3.0, half_life_h_ci_high=9.0,
               last_time_h=48.0)
    assert peak_resolved(row) and decay_resolved(row)
    for basis in (BASIS_FIT, BASIS_NO_EFFECT, BASIS_SIGNS_DIFFER_SHOWN, ""):
        assert peak_resolved(dict(row, half_point_basis=basis)) and not peak_against_photos(dict(row, half_point_basis=basis))
    assert not peak_resolved(dict(row, half_point_basis=BASIS_SIGNS_DIFFER))  # since section 26i (k8)
    against = dict(row, half_point_basis=BASIS_PHOTOS)
    assert peak_against_photos(against) and not peak_resolved(against)
    assert not decay_resolved(against)  # the half-life and the lasting / transient split of that curve too
    assert peak_resolved(pd.Series(dict(row, half_point_basis=math.nan)))  # timeline.csv read back: "" is NaN


def _zero_start() -> pd.DataFrame:
    """Three subjects, the demo's 9 times: 0 mm at the session, growing in a straight line to 1.2 mm at 12 h, back
    to 0 at 36 h (bench/fade_shapes.py's ``zero_12h_linear``), with fixed photo errors of +-0.05 mm."""
    t = np.array([0.25, 0.5, 1, 2, 4, 8, 12, 24, 48])
    true = np.where(t <= 12, 0.1 * t, np.maximum(0.0, 1.2 * (36 - t) / 24))
    rows = [pd.DataFrame(dict(subject=f"S{s}", hours_since_treatment=t,
                              value=true * (0.9 + 0.1 * s) + 0.05 * np.cos(3.0 * t + s)))
            for s in range(3)]
    return pd.concat(rows, ignore_index=True).assign(treatment="sim", metric="jawline_lift_mm", side="mean", unit="mm")


def _fit(monkeypatch=None, old=False, n_boot=100):
    if old:  # the package before stop 66: the pinned half-life alone decides
        monkeypatch.setattr(claim, "peak_resolved",
                            lambda r: peak_resolved({k: v for k, v in dict(r).items() if k != "half_point_basis"}))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return analyze_series(_zero_start(), per_subject=False, n_boot=n_boot, seed=1).fits[0]


def test_a_change_that_grew_from_nothing_does_not_quote_its_fitted_peak(monkeypatch):
    """The exponential fits a negative peak to a change that grew to +1.2 mm; the half point reads the photos'
    sign, and the peak is not shown or quoted.  Only the words change: the verdict, the half point and every
    figure are the fit's as before (the verdict's category does not read the peak)."""
    new = _fit()
    assert new.half_point_basis == BASIS_PHOTOS and new.peak_change < 0 and new.half_point_peak_h == 12.0
    assert not peak_resolved(new.to_dict())
    assert "peak -" not in new.reason and "a peak of -" not in new.reason
    before = _fit(monkeypatch, old=True)
    assert "(peak -0.12 mm" in before.reason  # what the words said before stop 66
    assert before.verdict == new.verdict
    for k in ("peak_change", "half_life_h", "change_24h", "half_point_h", "half_point_h_ci_low", "half_point_h_ci_high"):
        assert np.isclose(getattr(before, k), getattr(new, k), equal_nan=True), k
    point = _fit(n_boot=0)
    assert point.half_point_basis == BASIS_PHOTOS  # the point fit (n_boot=0) says the same


def test_the_column_sits_after_the_half_point_columns():
    i = TIMELINE_COLUMNS.index("half_point_basis")
    assert TIMELINE_COLUMNS[i - 1] == "half_point_peak_h"


def _row(**kw) -> dict:
    return dict(dict(treatment="mc", metric="jawline_lift_mm", side="mean", status="ok", half_point_h=math.nan,
                     half_point_h_ci_low=math.nan, half_point_h_ci_high=math.nan, last_time_h=48.0, confidence=0.95,
                     half_point_basis=BASIS_NO_EFFECT, smallest_meaningful_change=0.3), **kw)


def test_each_rows_no_half_point_line_says_why():
    """Review r2 (stop 65) left the line naming the rows without which reason holds for each; each treatment's rows
    are now grouped by their reason (exact words), and the general sentence is kept only for a table without the
    column."""
    lines = half_point_lines(pd.DataFrame([
        _row(metric="nlf_depth", side="left"), _row(metric="nlf_depth", side="right"),
        _row(metric="jaw_width_flow_mm", half_point_basis=BASIS_SIGNS_DIFFER),
        _row(treatment="rf", metric="nlf_depth", side="left")]))
    assert lines[-3:] == [
        "- mc: no half point for nlf_depth (left) and nlf_depth (right): no photo time's mean change is as large as "
        "its smallest meaningful change (`smallest_meaningful_change` in timeline.csv).",
        "- mc: no half point for jaw_width_flow_mm (mean): the fitted curve and the photos differ in sign, and the "
        "photos' change is not beyond their noise.",
        "- rf: no half point for nlf_depth (left): no photo time's mean change is as large as its smallest "
        "meaningful change (`smallest_meaningful_change` in timeline.csv)."]
    assert NO_HALF_POINT not in lines
    unsaid = half_point_lines(pd.DataFrame([_row(status="no_bootstrap", half_point_basis=BASIS_FIT)]))
    assert unsaid[-1] == f"- mc: no half point for jawline_lift_mm (mean): {NO_HALF_POINT_WHY[BASIS_FIT]}."
    untested = half_point_lines(pd.DataFrame([_row(half_point_basis=BASIS_SIGNS_DIFFER,
                                                   smallest_meaningful_change=0.0)]))
    assert untested[-1] == f"- mc: no half point for jawline_lift_mm (mean): {NO_HALF_POINT_UNTESTED}."  # review r1
    assert "not beyond their noise" not in untested[-1]  # with a margin of 0 the noise is not tested (_effect_sign)
    old = half_point_lines(pd.DataFrame([{k: v for k, v in _row().items() if k != "half_point_basis"}]))
    assert old[-3:] == ["- mc: no half point for jawline_lift_mm (mean).", "", NO_HALF_POINT]


def test_report_md_shows_the_peak_not_resolved_with_its_note():
    frame = analyze_series(_zero_start(), per_subject=False, n_boot=100, seed=1).to_frame()
    text = timeline_markdown(frame, None)
    row = next(line for line in text.splitlines() if line.startswith("| sim | jawline_lift_mm"))
    assert row.split(" | ")[5] == f"{NOT_RESOLVED} *"
    assert PEAK_AGAINST_NOTE in text
    assert "grew after the session to its largest at about 12.0 h" in text
    agree = frame.assign(half_point_basis=BASIS_FIT)
    assert PEAK_AGAINST_NOTE not in timeline_markdown(agree, None)


def test_timeline_png_does_not_draw_that_curve_as_a_measured_decay():
    """timeline.png follows report.md: the fitted curve of a row whose peak is against the photos' sign is drawn as
    not resolved (dashed, no band), as one with a pinned half-life."""
    from facemetrics.plots import fit_resolved

    from dataclasses import replace

    f = _fit()
    assert f.fit_ok and not fit_resolved(f)
    # that fit's half-life is not resolved anyway (review r1): one that is, with each basis
    resolved = replace(f, half_life_h=6.0, half_life_h_ci_low=3.0, half_life_h_ci_high=9.0, half_life_h_min=0.125,
                       last_time_h=48.0)
    assert fit_resolved(replace(resolved, half_point_basis=BASIS_FIT))
    assert fit_resolved(replace(resolved, half_point_basis=BASIS_REVERSED))
    assert not fit_resolved(replace(resolved, half_point_basis=BASIS_PHOTOS))


def test_a_half_point_whose_interval_reaches_past_the_last_photo_is_not_said_to_have_happened():
    """Section 26g: "fell to half by about 4.0 h (95% CI from 2.0 h to beyond the last photo ...)" was said of
    changes that do not fade (5 of 150 `lasting` studies); where the interval does not close, the words say "may have".
    A closed interval, and one with no bootstrap, read as before."""
    from facemetrics.report import half_point_text

    base = dict(half_point_h=4.02, half_point_h_ci_low=2.0, half_point_h_ci_high=math.nan, last_time_h=48.0,
                confidence=0.95)
    assert half_point_text(base) == ("may have fallen to half by about 4.0 h (95% CI from 2.0 h to beyond the last "
                                     "photo at 48.0 h: the photos do not show that it did)")
    assert half_point_text(dict(base, half_point_peak_h=12.0, half_point_h=30.0, half_point_h_ci_low=24.0)) == (
        "grew after the session to its largest at about 12.0 h, then may have fallen to half of that by about 30.0 h "
        "(95% CI from 24.0 h to beyond the last photo at 48.0 h: the photos do not show that it did)")
    assert half_point_text(dict(base, half_point_h_ci_high=8.0)).startswith("fell to half by about 4.0 h (95% CI 2.0-8.0 h)")
    assert half_point_text(dict(base, half_point_h_ci_low=math.nan)).startswith("fell to half by about 4.0 h (no interval)")


_WOBBLE = np.repeat([-0.5, 0.6, 0.3, -0.6, -0.7], 2) + np.tile([0.08, -0.08], 5)  # mm: a lift at 4 and 12 h, a sag


def test_a_peak_on_a_signs_differ_row_is_shown_only_where_the_photos_show_its_sign():
    """Section 26i (k8): the curve's and the photos' signs differ and the photos' larger (negative) change is not
    beyond their noise: no half point.  The fitted positive peak is shown only where the photos show its sign at two
    photo times or more (0.6 and 0.3 mm reach the 0.3 mm margin) beyond their noise (``signs_differ_shown``); at one
    photo time, or with a margin above the lift, it reads "not resolved" with the half-life and the split, as every
    such peak shown on a change that grew from nothing was wrong-signed (24 of 24 tuning studies)."""
    assert _basis(_WOBBLE, 0.2, 0.3) == BASIS_SIGNS_DIFFER_SHOWN
    assert _basis(_WOBBLE, 0.2, 0.35) == BASIS_SIGNS_DIFFER  # 0.3 mm at 12 h short of the margin: one photo time
    assert _basis(_NOISY, -0.2, 0.3) == BASIS_SIGNS_DIFFER  # the negative peak of a change that grew: not shown
    row = dict(half_life_h=6.0, half_life_h_min=0.125, half_life_h_ci_low=3.0, half_life_h_ci_high=9.0,
               last_time_h=48.0)
    hidden, shown = dict(row, half_point_basis=BASIS_SIGNS_DIFFER), dict(row, half_point_basis=BASIS_SIGNS_DIFFER_SHOWN)
    assert peak_unshown(hidden) and not peak_resolved(hidden) and not decay_resolved(hidden)
    assert not peak_against_photos(hidden)  # not the `photos` note: the photos' change is not beyond their noise
    assert peak_resolved(shown) and decay_resolved(shown) and not peak_unshown(shown)
    assert not peak_unshown(pd.Series(dict(row, half_point_basis=math.nan))) and not peak_unshown(None)


def test_a_signs_differ_rows_note_and_no_half_point_line():
    """The Figures table's note names the reason (not the `photos` one), and both `signs_differ` bases end their
    "no half point" line with the same reason (the row has none either way)."""
    assert unresolved_notes(0, 0, 1) == ["", PEAK_UNSHOWN_NOTE]
    assert unresolved_notes(0, 1, 1) == ["", PEAK_AGAINST_NOTE, "", PEAK_UNSHOWN_NOTE]
    assert unresolved_notes(0, 0) == []
    assert "`signs_differ`" in PEAK_UNSHOWN_NOTE and "two photo times" in PEAK_UNSHOWN_NOTE
    lines = half_point_lines(pd.DataFrame([_row(half_point_basis=BASIS_SIGNS_DIFFER),
                                           _row(metric="nlf_depth", half_point_basis=BASIS_SIGNS_DIFFER_SHOWN)]))
    assert lines[-1] == ("- mc: no half point for jawline_lift_mm (mean) and nlf_depth (mean): the fitted curve and "
                         "the photos differ in sign, and the photos' change is not beyond their noise.")
    untested = half_point_lines(pd.DataFrame([_row(half_point_basis=BASIS_SIGNS_DIFFER_SHOWN,
                                                   smallest_meaningful_change=0.0)]))
    assert untested[-1] == f"- mc: no half point for jawline_lift_mm (mean): {NO_HALF_POINT_UNTESTED}."


def _grew_noisily() -> pd.DataFrame:
    """One subject, the demo's 9 times: a change that grew from 0 to about 1 mm at 12 h, with photo errors of about
    0.3 mm (``zero_12h_linear`` plus normal errors, rounded): the exponential fits a negative peak."""
    t = [0.25, 0.5, 1, 2, 4, 8, 12, 24, 48]
    y = [-0.22, -0.35, 0.03, 0.33, 0.74, 0.83, 1.03, 0.36, 0.22]
    return pd.DataFrame(dict(subject="S0", hours_since_treatment=t, value=y, treatment="sim",
                             metric="jawline_lift_mm", side="mean", unit="mm"))


def test_report_md_hides_a_signs_differ_peak_the_photos_do_not_show(monkeypatch):
    """Section 26i: the peak of -0.54 mm of a change that grew is "not resolved" with its note; before stop 66 (k8)
    it was quoted.  The verdict and the half point do not change."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = analyze_series(_grew_noisily(), per_subject=False, n_boot=100, seed=1)
        f = res.fits[0]
        assert f.half_point_basis == BASIS_SIGNS_DIFFER and f.peak_change < -0.3
        text = timeline_markdown(res.to_frame(), None)
        monkeypatch.setattr(claim, "peak_unshown", lambda r: False)
        old = analyze_series(_grew_noisily(), per_subject=False, n_boot=100, seed=1)
        before = timeline_markdown(old.to_frame(), None)  # the rule before section 26i (claim.peak_resolved patched)
    row = next(line for line in text.splitlines() if line.startswith("| sim | jawline_lift_mm"))
    assert row.split(" | ")[5] == f"{NOT_RESOLVED} *"
    assert PEAK_UNSHOWN_NOTE in text and PEAK_AGAINST_NOTE not in text
    assert old.fits[0].verdict == f.verdict
    assert np.isclose(old.fits[0].half_point_h, f.half_point_h, equal_nan=True)
    assert PEAK_UNSHOWN_NOTE not in before
    assert next(line for line in before.splitlines() if line.startswith("| sim | jawline_lift_mm")).split(" | ")[5].startswith("-0.5")


def test_a_signs_differ_row_with_no_margin_is_not_said_to_be_within_the_noise():
    """Review r5 (stop 66) of k8: with ``--min-effect 0`` (`smallest_meaningful_change` 0) the photos' change is not
    tested against their noise (the row's "no half point" line says so, review r1), yet the peak's note said "though
    not beyond their noise" in the same report.md, of a change that grew clearly to 1.0 mm."""
    from facemetrics.report import PEAK_UNSHOWN_UNTESTED_NOTE

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = analyze_series(_grew_noisily(), per_subject=False, n_boot=100, seed=1, min_effect=0)
    assert res.fits[0].half_point_basis == BASIS_SIGNS_DIFFER and res.fits[0].smallest_meaningful_change == 0
    text = timeline_markdown(res.to_frame(), None)
    assert NO_HALF_POINT_UNTESTED in text
    assert "not beyond their noise" not in text
    assert PEAK_UNSHOWN_UNTESTED_NOTE in text and PEAK_UNSHOWN_NOTE not in text
    assert unresolved_notes(0, 0, 2, 1) == ["", PEAK_UNSHOWN_NOTE, "", PEAK_UNSHOWN_UNTESTED_NOTE]
