"""The Timeline tab's metric picker (stop 63, h7): its options in the series' one order
(:func:`facemetrics.schema.metric_rank`: lifts, folds, width), as ``facemetrics timeline``, report.md and *My study*
list them, where it sorted them by name; its default the headline lift plus the mouth corners and the jaw width from
the flow when each can be fitted (:func:`app.timeline_default_metrics`), where it left an RF user's width out.

The series are tests/test_flow_outliers.py's linear fade at tests/test_app_kept_lists.py's times: the mouth corners',
the jawline's (the same fade), the two folds' and a width that narrows by 1.5 mm and stays."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest

from facemetrics.schema import LONG_COLUMNS, METRIC_ORDER, metric_rank

sys.path.insert(0, str(Path(__file__).parent))
from test_app_kept_lists import TIMES, _long  # noqa: E402

pytest.importorskip("streamlit")

DEFAULT = ["jawline_lift_mm", "mouth_corner_lift_mm", "jaw_width_flow_mm"]


def _rows(width_times=TIMES, treatment="rf") -> pd.DataFrame:
    """:func:`test_app_kept_lists._long`'s mouth corners and folds, the jawline's lift (the corners' fade), a
    width the flow reads 1.5 mm narrower at ``width_times`` and two rows the picker lists but does not choose."""
    base = _long(treatment=treatment)
    corners = base[base["metric"] == "mouth_corner_lift_mm"]
    jaw = corners.assign(metric="jawline_lift_mm")
    width = pd.DataFrame(dict(subject="example", treatment=treatment, hours_since_treatment=list(width_times),
                              metric="jaw_width_flow_mm", side="mean", value=-1.5, unit="mm", noise_floor=0.3,
                              verdict="narrower", photo=[f"p{t:g}h.jpg" for t in width_times]))
    other = corners.assign(metric="cheek_lift_mm").head(2)
    return pd.concat([other, width, base, jaw], ignore_index=True).reindex(columns=LONG_COLUMNS)


def test_the_default_is_the_headline_lift_and_each_fittable_lift_or_width():
    from conftest import app_module

    app = app_module()
    assert app.timeline_default_metrics(_rows()) == DEFAULT
    assert app.TIMELINE_DEFAULTS == tuple(DEFAULT) and "nlf_depth" not in app.TIMELINE_DEFAULTS
    # 3 distinct times after the treatment (one before it, and retakes within 5 min, count for nothing): no fit
    few = _rows(width_times=[-0.5, 0.25, 0.27, 0.3, 1, 2])
    assert app.timeline_default_metrics(few) == DEFAULT[:2]
    assert app.timeline_default_metrics(_rows(width_times=[-0.5, 0.25, 0.35, 1, 2, 12, 24])) == DEFAULT  # 6 min: 5
    # the fit's other needs (stop 64, h2): 4 distinct times were enough for the picker, while the fit also needs 6
    # photos and one at 12 h or later, so these were chosen and their fits said only "Too few data"
    for times in ([-0.5, 0.25, 0.35, 1, 2], [0.25, 1, 4, 24], [0.25, 0.5, 1, 2, 4, 8]):
        assert app.timeline_default_metrics(_rows(width_times=times)) == DEFAULT[:2], times
    # a width not read (no flow: NaN) is not chosen; nor one whose times are of two treatments, 2 + 2
    nan = _rows()
    nan.loc[nan["metric"] == "jaw_width_flow_mm", "value"] = float("nan")
    assert app.timeline_default_metrics(nan) == DEFAULT[:2]
    split = _rows(width_times=[0.25, 1, 4, 24])
    split.loc[(split["metric"] == "jaw_width_flow_mm") & (split["hours_since_treatment"] > 2), "treatment"] = "other"
    assert app.timeline_default_metrics(split) == DEFAULT[:2]
    # the headline lift whenever it has rows (its fit says why when it cannot be made); none without it
    assert app.timeline_default_metrics(_rows()[lambda d: d["metric"] != "jawline_lift_mm"]) == DEFAULT[1:]
    assert app.timeline_default_metrics(_rows().iloc[0:0]) == []


def test_the_picker_lists_the_series_order_and_chooses_the_width(monkeypatch):
    """On the Timeline tab (the bundled example replaced by :func:`_rows`): the options in
    :data:`facemetrics.schema.METRIC_ORDER`'s order, the others after by name (they were all by name:
    jaw_width_flow_mm before jawline_lift_mm, nlf_depth after mouth_corner_lift_mm by chance only); the three
    defaults fitted, a verdict line each."""
    from test_app_timeline_rules import example_loaded

    def fake(base_photo, *, records_out=None, **_):
        return _rows(treatment="microcurrent")

    with example_loaded(monkeypatch, fake) as at:
        picker = at.multiselect(key="tl-metrics")
        assert list(picker.options)[:4] == list(METRIC_ORDER), picker.options
        assert list(picker.options) == sorted(picker.options, key=metric_rank)
        assert list(picker.options)[4:] == ["cheek_lift_mm"]
        assert list(picker.value) == DEFAULT
        lines = [str(m.value) for m in at.markdown if " · " in str(m.value) and "half-life" in str(m.value)]
        named = [next(m for m in DEFAULT if m in line) for line in lines]
        assert named == DEFAULT, lines  # the verdicts in the series' order too


def test_a_width_read_uncertain_at_every_time_is_not_chosen():
    """The timeline's fits leave out the rows read ``uncertain`` (``facemetrics.decay.inputs.UNREAD_VERDICTS``), so a
    width whose eight times all read ``uncertain`` (two lenses, a covered jaw) has no change to fit: not chosen by
    default (it was: its values are finite); with one read time left, still not; all read, chosen."""
    from conftest import app_module

    app = app_module()
    width = _rows()
    at = width["metric"] == "jaw_width_flow_mm"
    width.loc[at, "verdict"] = "uncertain"
    assert app.timeline_default_metrics(width) == DEFAULT[:2]
    width.loc[at & (width["hours_since_treatment"] == width.loc[at, "hours_since_treatment"].min()),
              "verdict"] = "narrower"
    assert app.timeline_default_metrics(width) == DEFAULT[:2]
    width.loc[at, "verdict"] = "within_noise"
    assert app.timeline_default_metrics(width) == DEFAULT


def test_the_picker_says_what_a_metric_lacks_for_a_curve(monkeypatch):
    """The picker's help states the fit's own minimums (``decay.claim.MIN_PHOTOS``, ``MIN_TIMES``,
    ``MIN_LAST_HOURS``) and, for each default metric with no curve, what it has (stop 64, h2): the width's 5 photos
    up to 2 h were chosen by default and the fit said only "Too few data"."""
    from conftest import app_module
    from test_app_timeline_rules import example_loaded

    from facemetrics.decay.claim import MIN_LAST_HOURS, MIN_PHOTOS, MIN_TIMES

    app = app_module()
    need = (f"needs {MIN_PHOTOS} photos (those before the treatment count) and {MIN_TIMES} distinct times after the "
            f"treatment, one at {MIN_LAST_HOURS:g} h or later")
    short = _rows(width_times=[-0.5, 0.25, 0.35, 1, 2])
    assert app.timeline_fit_needs(short) == {"jawline_lift_mm": "", "mouth_corner_lift_mm": "",
                                             "jaw_width_flow_mm": f"{need}; 5 photos read at 4 times, the last at 2.0 h"}
    unread = _rows()
    unread.loc[unread["metric"] == "jaw_width_flow_mm", "verdict"] = "uncertain"
    assert app.timeline_fit_needs(unread)["jaw_width_flow_mm"] == f"{need}; none read"
    assert app.timeline_fit_needs(_rows().iloc[0:0]) == {}

    def fake(base_photo, *, records_out=None, **_):
        return short.assign(treatment="microcurrent")

    with example_loaded(monkeypatch, fake) as at:
        picker = at.multiselect(key="tl-metrics")
        assert list(picker.value) == DEFAULT[:2]
        assert f"at least {MIN_PHOTOS} photos (those before the treatment count) and {MIN_TIMES} distinct times" \
            in picker.help, picker.help
        assert picker.help.endswith(f"`jaw_width_flow_mm` has no curve: it {need}; 5 photos read at 4 times, "
                                    "the last at 2.0 h."), picker.help
        picker.set_value(DEFAULT).run(timeout=300)  # chosen by hand: its line says why there is no curve
        line = next(str(m.value) for m in at.markdown if "jaw_width_flow_mm" in str(m.value) and "half-life" in
                    str(m.value))
        assert f"need at least {MIN_PHOTOS}" in line and f"at or after {MIN_LAST_HOURS:.0f} h" in line, line


def test_the_picker_counts_photos_before_the_treatment_as_the_fit_does():
    """The fit's :data:`~facemetrics.decay.claim.MIN_PHOTOS` counts the photos before the treatment too (its rows,
    baseline included), so 2 before and 4 after make a curve: the picker's words said "6 photos at 4 distinct times
    after the treatment"; a series with no photo after the treatment read "3 photos read at 0 times, the last at
    -0.5 h" (review of stop 64)."""
    from conftest import app_module

    from facemetrics.decay.claim import MIN_PHOTOS, MIN_TIMES

    app = app_module()
    both = _rows(width_times=[-1, -0.5, 0.25, 1, 4, 24])
    assert app.timeline_fit_needs(both)["jaw_width_flow_mm"] == ""
    assert app.timeline_default_metrics(both) == DEFAULT
    before = app.timeline_fit_needs(_rows(width_times=[-2, -1, -0.5]))["jaw_width_flow_mm"]
    assert f"needs {MIN_PHOTOS} photos (those before the treatment count) and {MIN_TIMES} distinct times after" \
        in before, before
    assert before.endswith("; 3 photos read, none after the treatment"), before
    assert "-0.5 h" not in before and "0 times" not in before
    assert f"at least {MIN_PHOTOS} photos (those before the treatment count) and {MIN_TIMES} distinct times after " \
        "the treatment" in app.timeline_picker_help({})
