"""The comparison figure and the timeline plot at a phone's width (2026-12-05).

Drawn for a desktop (the comparison 16.5 in wide with 8-11 pt text, the timeline's legend 7 pt), their text was
3-4 px tall when a 390 px phone showed them 356 px wide.  Their "narrow" layout (``layout="narrow"``: stacked, text
a share of the figure's width, :data:`facemetrics.plots.NARROW_CAP_PER_WIDTH`) is checked here on the figures
themselves, without a browser: every text's cap height as displayed 356 px wide, every text inside the figure,
every label, legend entry and the colour bar with its unit present.  The "wide" layout (the CLI's PNGs) is
unchanged.
"""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.text import Text

import facemetrics.plots as plots
from facemetrics import simulate as sim
from facemetrics.compare import compare_photos
from facemetrics.decay import analyze_series
from test_compare import variant
from test_series import MC_TIMES, RF_TIMES, simulate

import pandas as pd

#: the width (CSS px) the app gives a figure on a 390 px phone (the page's padding taken)
PHONE_PX = 356


def _texts(fig) -> list[Text]:
    """Every visible, non-empty text of ``fig`` (titles, labels, tick labels, legends, the colour bar's)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    if not isinstance(fig.canvas, FigureCanvasAgg):
        FigureCanvasAgg(fig)
    fig.canvas.draw()
    hidden = {id(t) for a in fig.axes if not a.axison or not a.get_visible()
              for t in (*a.get_xticklabels(), *a.get_yticklabels(), a.xaxis.label, a.yaxis.label,
                        a.xaxis.offsetText, a.yaxis.offsetText)}  # an axes drawn without its axis: not shown
    for a in fig.axes:  # a tick past the axis' ends keeps its label, not drawn
        for axis in (a.xaxis, a.yaxis):
            lo, hi = sorted(axis.get_view_interval())
            eps = 1e-9 * max(1.0, abs(hi - lo))
            hidden |= {id(lab) for tick in axis.get_major_ticks() + axis.get_minor_ticks()
                       if not lo - eps <= tick.get_loc() <= hi + eps for lab in (tick.label1, tick.label2)}
    return [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip() and id(t) not in hidden]


def _check_readable(fig, shown_px: float = PHONE_PX) -> None:
    """Each text's cap height, as the figure is shown ``shown_px`` wide, at least 9 px, and each inside the
    figure (none cut at its edge)."""
    cap = plots._cap_per_em()
    width_px = fig.get_size_inches()[0] * fig.dpi
    texts = _texts(fig)
    renderer = fig.canvas.get_renderer()
    small, outside = [], []
    fig_box = fig.bbox
    for t in texts:
        px = t.get_fontsize() / 72 * fig.dpi * cap * shown_px / width_px
        if px < 9:
            small.append((t.get_text(), round(px, 1)))
        box = t.get_window_extent(renderer)
        if box.x0 < fig_box.x0 - 1 or box.x1 > fig_box.x1 + 1 or box.y0 < fig_box.y0 - 1 or box.y1 > fig_box.y1 + 1:
            outside.append(t.get_text())
    assert small == [], small
    assert outside == [], outside


@pytest.fixture(scope="module")
def lifted(sample_analysis):
    return compare_photos(sample_analysis, variant(sample_analysis, sim.lift(sample_analysis, 2.0).image))


def test_narrow_comparison_text_is_readable_at_a_phones_width(lifted):
    fig = plots.comparison_figure(lifted, "narrow")
    _check_readable(fig)
    texts = " ".join(t.get_text().replace("\n", " ") for t in _texts(fig))
    for must in ("before:", "after (aligned):", "jaw contour before", "jaw contour after", "jawline lift",
                 "noise floor", "OK:" if lifted.status == "ok" else lifted.status.upper()):
        assert must in texts, must
    row = lifted.get("jawline_lift_mm")
    assert f"{row.change:+.2f} mm" in texts
    # the colour bar: horizontal, under the map, its label with the unit and its ticks readable
    bars = [a for a in fig.axes if a.get_label() == "<colorbar>"]
    assert len(bars) == 1
    bar = bars[0]
    assert "mm" in bar.get_xlabel() and "lift" in bar.get_xlabel()
    images = [a for a in fig.axes if a.images]
    assert len(images) == 3 and bar.get_position().y1 < min(a.get_position().y0 for a in images)
    assert len([t for t in bar.get_xticklabels() if t.get_text()]) >= 3


def test_narrow_comparison_image_stacks_the_photos_at_a_phones_width(lifted):
    """The image: 6 in wide (600 px at 100 dpi), the three panels one under another, so it is taller than wide; the
    wide layout (the CLI's overlay.png) is the figure it was (1650 px wide, about 760 tall)."""
    narrow = plots.comparison_overlay(lifted, layout="narrow")
    wide = plots.comparison_overlay(lifted)
    assert narrow.shape[1] == round(plots.NARROW_WIDTH_IN * 100) and narrow.shape[0] > 2.5 * narrow.shape[1]
    assert wide.shape[1] == 1650 and wide.shape[0] < 900
    white = (narrow >= 250).all(axis=(1, 2))
    run = longest = 0
    for w in white:
        run = run + 1 if w else 0
        longest = max(longest, run)
    assert longest <= 12  # the white a fixed height left between the panels trimmed


def test_refused_comparison_narrow_keeps_its_messages_readable(lifted):
    import dataclasses

    import facemetrics.compare as cp

    refused = dataclasses.replace(lifted, status="refused", changes=cp._rows({}, lifted.noise_floors, refused=True),
                                  messages=("the photos disagree: " + "a long reason " * 12,))
    fig = plots.comparison_figure(refused, "narrow")
    _check_readable(fig)
    texts = " ".join(t.get_text().replace("\n", " ") for t in _texts(fig))
    assert "REFUSED" in texts and "jawline lift not measured" in texts and "the photos disagree" in texts


def test_layout_is_checked(lifted):
    with pytest.raises(ValueError, match="layout must be one of wide, narrow"):
        plots.comparison_overlay(lifted, layout="phone")


@pytest.fixture(scope="module")
def series():
    rng = np.random.default_rng(20240611)
    rows = simulate(rng, "microcurrent", MC_TIMES, transient=2.0, half_life=3.0)
    rows += simulate(rng, "rf", RF_TIMES, lasting=1.5)
    df = pd.DataFrame(rows)
    return df, analyze_series(df)


@pytest.fixture(scope="module")
def per_side(series):
    """``series``' table as a metric measured per side only (nlf_depth's case: a right and a left row a photo), and its
    fit (stop 49: one ``analyze_series`` of it for the module, not one a test)."""
    df, _ = series
    table = pd.concat([df.assign(side="right"), df.assign(side="left")], ignore_index=True)
    return table, analyze_series(table)


@pytest.fixture(scope="module")
def series_two(series):
    """``series``' table with a second metric (mouth_corner_lift_mm) beside the jawline's, and its fit (stop 49: one
    ``analyze_series`` of it for the module; the column and the narrow timeline's tests read the same table)."""
    df, _ = series
    two = pd.concat([df, df.assign(metric="mouth_corner_lift_mm")], ignore_index=True)
    return two, analyze_series(two)


def test_narrow_timeline_text_is_readable_at_a_phones_width(series):
    df, res = series
    fig = plots.plot_timeline(df, res, layout="narrow")
    assert fig.get_size_inches()[0] == plots.NARROW_WIDTH_IN
    _check_readable(fig)
    wide = plots.plot_timeline(df, res)
    panels = [a for a in wide.axes if a.get_visible() and a.lines]
    narrow_panels = [a for a in fig.axes if a.lines]
    assert len(narrow_panels) == len(panels) >= 1
    # one panel a row, each legend in its own axes under its panel, entry for entry the wide legend's
    legends = [a.get_legend() for a in fig.axes if not a.axison and a.get_legend() is not None]
    assert len(legends) == len(panels)
    for p, n, leg in zip(panels, narrow_panels, legends):
        wide_entries = [t.get_text() for t in p.get_legend().get_texts()]
        entries = [t.get_text().replace("\n", " ") for t in leg.get_texts()]
        assert entries == wide_entries
        assert n.get_title().replace("\n", " ") == p.get_title()
        assert n.get_ylabel() == p.get_ylabel() and "[" in n.get_ylabel()
    xs = [a.get_position().x0 for a in narrow_panels]
    assert max(xs) - min(xs) < 0.05  # stacked, not side by side
    # the wide layout (the CLI's timeline.png) unchanged: 7 pt legend, two panels a row
    assert wide.get_size_inches()[0] == pytest.approx(6.4 * min(len(panels), 2))
    assert {t.get_fontsize() for p in panels for t in p.get_legend().get_texts()} == {7.0}


def test_narrow_timeline_of_one_panel_per_side(per_side):
    """A metric measured per side only (nlf_depth): a panel and a legend per side, each readable."""
    table, res = per_side
    fig = plots.plot_timeline(table, res, layout="narrow")
    _check_readable(fig)
    assert sum(1 for a in fig.axes if a.lines) == 2


def test_the_wide_layout_is_what_was_unreadable_at_a_phones_width(lifted):
    """The check above fails for the desktop's figure (its 10 pt titles 3 px tall at 356 px): it measures."""
    with pytest.raises(AssertionError):
        _check_readable(plots.comparison_figure(lifted, "wide"))


# ------------------------------------------- My study's figures (regimen too), their PNGs, numbers with units

#: the units a wrapped line must not begin with (a number's, split from it: "±0.10" then "mm" on the next line)
_UNIT_STARTS = ("mm", "mm²", "deg", "index", "px", "%", "h", "/", "week", "weeks", "day", "days")


def _lines_starting_with_a_unit(fig) -> list[str]:
    """Every line of ``fig``'s legends and titles whose first word is a unit."""
    out = []
    for t in _texts(fig):
        lines = t.get_text().split("\n")
        out += [line for line in lines[1:] if line.split(" ", 1)[0].rstrip("),;") in _UNIT_STARTS]
    return out


@pytest.fixture(scope="module")
def regimen_fit():
    from facemetrics.decay import analyze_regimen

    days = np.arange(0.0, 28.0, 2.0)
    lv = pd.concat([pd.DataFrame(dict(subject="a", treatment=tr, days_since_start=days, metric="jawline_lift_mm",
                                      side="mean", value=k * days + np.random.default_rng(0).normal(0, 0.05, len(days)),
                                      unit="mm", photo=[f"p{i}.jpg" for i in range(len(days))]))
                    for tr, k in (("rf", 0.02), ("microcurrent", 0.0))], ignore_index=True)
    return lv, analyze_regimen(lv, n_boot=50)


def test_narrow_regimen_text_is_readable_at_a_phones_width(regimen_fit):
    """My study's regimen.png at a phone's width: every text >= 9 px as shown 356 px wide and inside the figure,
    one panel a row, entry for entry the wide legend's (the slope with its CI and unit, the margin)."""
    lv, reg = regimen_fit
    fig = plots.plot_regimen(lv, reg, layout="narrow")
    assert fig.get_size_inches()[0] == plots.NARROW_WIDTH_IN
    _check_readable(fig)
    wide = plots.plot_regimen(lv, reg)
    panels = [a for a in wide.axes if a.get_visible() and a.lines]
    narrow_panels = [a for a in fig.axes if a.lines]
    assert len(narrow_panels) == len(panels) == 2
    legends = [a.get_legend() for a in fig.axes if not a.axison and a.get_legend() is not None]
    for p, n, leg in zip(panels, narrow_panels, legends):
        assert [t.get_text().replace("\n", " ") for t in leg.get_texts()] == \
            [t.get_text().replace("\n", " ") for t in p.get_legend().get_texts()]
        assert n.get_title().replace("\n", " ") == p.get_title() and "[mm]" in n.get_ylabel()
    assert _lines_starting_with_a_unit(fig) == []
    xs = [a.get_position().x0 for a in narrow_panels]
    assert max(xs) - min(xs) < 0.05  # stacked
    with pytest.raises(ValueError, match="layout must be one of"):
        plots.plot_regimen(lv, reg, layout="phone")


def test_a_wrapped_line_never_splits_a_number_from_its_unit():
    """At every width a line holds a quantity whole (16 characters up; a narrow figure's are about 40) a wrapped
    label keeps its numbers with their units ("±0.10 mm", "0.14 mm / week", "18-30 h"): no line begins with a
    unit; the text is unchanged but for its line breaks."""
    texts = ["noise floor (largest drawn) microcurrent ±0.10 mm, rf ±0.12 mm",
             "0.14 mm / week (95% CI 0.10 to 0.18 mm / week)",
             "24 h: photos at 18-30 h, mean and 90% CI (the verdict's figure)",
             "margin ±2.50 index", "rf margin ±0.40 %"]
    for text in texts:
        for chars in range(16, 44):
            lines = plots._wrap(text, chars, ("index",)).split("\n")
            assert " ".join(lines) == text
            starts = [line for line in lines[1:] if line.split(" ", 1)[0].rstrip("),;") in (*_UNIT_STARTS, "index")]
            assert starts == [], (chars, lines)
    # the space before a unit is kept, not the one before a word ("mmHg" or "hours" are not units)
    assert plots._wrap("0.30 hours", 5) == "0.30\nhours"
    # a "±" figure stays with what it is of: "rf" did end a line, "±0.94 mm" begin the next (My study, 390 px)
    assert plots._wrap("noise floor (largest drawn) microcurrent ±0.44 mm, rf ±0.94 mm", 30).split("\n")[-1] \
        == "rf ±0.94 mm"


def test_narrow_timeline_lines_never_begin_with_a_unit(series, per_side):
    df, res = series
    for d, r in ((df, res), per_side):
        assert _lines_starting_with_a_unit(plots.plot_timeline(d, r, layout="narrow")) == []


def test_narrow_pngs_are_sharp_on_a_phone(series, regimen_fit, tmp_path):
    """A narrow figure's PNG is drawn at least twice as wide as the app shows it (356 px on a 390 px phone,
    453 px in My study's half of a 1366 px page): sharp at a phone's 3 device px a CSS px.  It was 660 px."""
    from PIL import Image

    df, res = series
    lv, reg = regimen_fit
    plots.plot_timeline(df, res, tmp_path / "t.png", layout="narrow")
    plots.plot_regimen(lv, reg, tmp_path / "r.png", layout="narrow")
    for name in ("t.png", "r.png"):
        width = Image.open(tmp_path / name).size[0]
        assert width >= 2 * 530 and width >= 3 * PHONE_PX, (name, width)


# ------------------------------ a desktop's column: the comparison and the timeline ("column"), the validation plot

#: the narrowest column the app shows a "column" figure in (app.NARROW_PX["f"]: the phone's figure below it) and
#: the comparison's 3/5 column at 1366 x 768 with the sidebar open (528 px in Chromium, 2026-12-05)
COLUMN_MIN_PX, LAPTOP_PX = 480, 528


def test_column_comparison_text_is_readable_in_a_desktops_column(lifted):
    """The comparison figure the app shows at desktop widths: every text >= 9 px (cap height) shown 480 px wide
    and inside the figure, every title, legend entry and the colour bar with its unit present, the photos side
    by side and the map under them (not the narrow one's three rows: about a third of its height)."""
    fig = plots.comparison_figure(lifted, "column")
    assert fig.get_size_inches()[0] == plots.COLUMN_WIDTH_IN
    for shown in (COLUMN_MIN_PX, LAPTOP_PX):
        _check_readable(fig, shown)
    texts = " ".join(t.get_text().replace("\n", " ") for t in _texts(fig))
    for must in ("before:", "after (aligned):", "jaw contour before", "jaw contour after", "jawline lift",
                 "noise floor", "OK:" if lifted.status == "ok" else lifted.status.upper()):
        assert must in texts, must
    row = lifted.get("jawline_lift_mm")
    assert f"{row.change:+.2f} mm" in texts
    (bar,) = [a for a in fig.axes if a.get_label() == "<colorbar>"]
    assert "mm" in bar.get_xlabel().replace("\n", " ") and "lift" in bar.get_xlabel()
    images = [a for a in fig.axes if a.images]
    assert len(images) == 3
    before, after, lift_map = (a.get_position() for a in images)
    assert abs(before.y0 - after.y0) < 0.01 and after.x0 > before.x1  # side by side
    assert lift_map.y1 < before.y0 and bar.get_position().y1 < lift_map.y0  # the map under them, its bar under it
    column = plots.comparison_overlay(lifted, layout="column")
    narrow = plots.comparison_overlay(lifted, layout="narrow")
    assert column.shape[1] == round(plots.COLUMN_WIDTH_IN * 100)
    assert column.shape[0] / column.shape[1] < 0.6 * narrow.shape[0] / narrow.shape[1]


def test_the_wide_comparison_is_what_was_unreadable_in_a_laptops_column(lifted):
    """Negative control: the CLI's figure (16.5 in, 8-11 pt), which the app showed in its 528 px column at
    1366 x 768, fails the same check (its text 2.6-3.6 px there)."""
    with pytest.raises(AssertionError):
        _check_readable(plots.comparison_figure(lifted, "wide"), LAPTOP_PX)


def test_refused_comparison_column_keeps_its_messages_readable(lifted):
    import dataclasses

    import facemetrics.compare as cp

    refused = dataclasses.replace(lifted, status="refused", changes=cp._rows({}, lifted.noise_floors, refused=True),
                                  messages=("the photos disagree: " + "a long reason " * 12,))
    fig = plots.comparison_figure(refused, "column")
    _check_readable(fig, COLUMN_MIN_PX)
    texts = " ".join(t.get_text().replace("\n", " ") for t in _texts(fig))
    assert "REFUSED" in texts and "jawline lift not measured" in texts and "the photos disagree" in texts


def test_column_timeline_puts_two_panels_a_row_readable_in_a_desktops_column(series, series_two):
    """The Timeline tab's plot at desktop widths: two panels a row, each legend under its panel entry for entry
    the wide legend's, every text >= 9 px shown 480 px wide; under half the narrow one's height (one panel a row:
    1568 px tall in the 528 px column at 1366 x 768 for the bundled example, 2026-12-05)."""
    df, df_res = series
    two, res = series_two
    fig = plots.plot_timeline(two, res, layout="column")
    assert fig.get_size_inches()[0] == plots.COLUMN_WIDTH_IN
    _check_readable(fig, COLUMN_MIN_PX)
    wide = plots.plot_timeline(two, res)
    panels = [a for a in wide.axes if a.get_visible() and a.lines]
    column_panels = [a for a in fig.axes if a.lines]
    assert len(column_panels) == len(panels) == 2
    a, b = (p.get_position() for p in column_panels)
    assert abs(a.y0 - b.y0) < 0.01 and b.x0 > a.x1  # side by side
    legends = [x.get_legend() for x in fig.axes if not x.axison and x.get_legend() is not None]
    for p, leg in zip(panels, legends):
        assert [t.get_text().replace("\n", " ") for t in leg.get_texts()] == \
            [t.get_text().replace("\n", " ") for t in p.get_legend().get_texts()]
    assert _lines_starting_with_a_unit(fig) == []
    narrow = plots.plot_timeline(two, res, layout="narrow")
    ratio = lambda f: f.get_size_inches()[1] / f.get_size_inches()[0]  # noqa: E731
    assert ratio(fig) < 0.5 * ratio(narrow)
    # one panel: the column's whole width, no empty neighbour drawn
    one = plots.plot_timeline(df, df_res, layout="column")  # df_res: analyze_series(df), the ``series`` fixture's
    _check_readable(one, COLUMN_MIN_PX)
    assert len([x for x in one.axes if x.lines]) == 1 and all(x.get_visible() for x in one.axes)


def test_the_wide_timelines_legends_stay_inside_the_figure(series):
    """A clinic's audit (2026-12-05): the CLI's timeline.png of three subjects with two treatments whose floors
    differ and whose 24 h verdict read the photos at 18-30 h (the diamond's entry) had its left panels' legends
    cut at the figure's left edge ("icrocurrent: inconclusive", "argin ±0.30 mm"): the two legend columns
    were wider than the panel.  Every legend text of the wide layout now lies inside the figure."""
    import dataclasses

    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from facemetrics.decay.claim import FROM_PHOTOS

    df, _ = series
    names = dict(zip(sorted(set(df["subject"])), ["Renée Dubois", "Maria Rossi", "Tom Baker", "Sam Lee", "Ann Li"]))
    df = df.assign(subject=df["subject"].map(names), noise_floor=np.where(df["treatment"] == "rf", 0.27, 0.41))
    two = pd.concat([df, df.assign(metric="mouth_corner_lift_mm")], ignore_index=True)
    res = analyze_series(two)
    res = dataclasses.replace(res, fits=tuple(dataclasses.replace(f, change_24h_source=FROM_PHOTOS)
                                              if f.subject is None else f for f in res.fits))
    fig = plots.plot_timeline(two, res)
    FigureCanvasAgg(fig)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    texts = [t for a in fig.axes if a.get_legend() is not None for t in a.get_legend().get_texts()]
    assert any("18-30 h" in t.get_text() for t in texts) and any("Renée" in t.get_text() for t in texts)
    cut = [t.get_text() for t in texts
           if not (fig.bbox.x0 <= t.get_window_extent(renderer).x0 and t.get_window_extent(renderer).x1 <= fig.bbox.x1)]
    assert cut == [], cut


def test_the_narrow_timeline_is_what_was_tall_in_a_laptops_column(series_two):
    """Negative control for the height: the narrow timeline of two panels is over twice as tall (for its
    width) as the column one, so a check of the column figure's height would fail on it."""
    two, res = series_two
    narrow = plots.plot_timeline(two, res, layout="narrow")
    assert narrow.get_size_inches()[1] / narrow.get_size_inches()[0] > 1.5


@pytest.fixture(scope="module")
def validation_tables():
    rng = np.random.default_rng(0)
    true = np.repeat([0.5, 1.0, 2.0, 3.0], 3)
    rec = pd.DataFrame(dict(metric=np.tile(["jawline_lift_mm", "jowl_lift_mm", "mouth_corner_lift_mm"], 4),
                            true_mm=true, measured_mm=true * 0.95 + rng.normal(0, 0.05, 12)))
    nuis = pd.DataFrame([dict(nuisance=n, metric=m, false_lift_mm=rng.normal(0, 0.1))
                         for n in ("jpeg q60", "brightness +20% and a long name", "resize 0.5x", "yaw 5 deg")
                         for m in ("jawline_lift_mm", "jowl_lift_mm", "mouth_corner_lift_mm")])
    d = np.linspace(0, 0.3, 6)
    folds = pd.DataFrame(dict(darkening=d, nlf_depth_change_right=d * 20, nlf_depth_change_left=d * 18))
    return rec, nuis, folds


def test_narrow_validation_text_is_readable_at_a_phones_width(validation_tables, tmp_path):
    """validation.png's narrow layout: the three panels stacked, each legend under its panel with the wide
    figure's entries, every text >= 9 px shown 356 px wide and inside the figure; the wide one (the CLI's
    validation.png) unchanged: 13 x 4 in, legends 7 pt, and failing the same check (its text 1.9-3.3 px)."""
    from PIL import Image

    rec, nuis, folds = validation_tables
    fig = plots.plot_validation(rec, nuis, folds, tmp_path / "v.png", layout="narrow")
    assert fig.get_size_inches()[0] == plots.NARROW_WIDTH_IN
    _check_readable(fig)
    wide = plots.plot_validation(rec, nuis, folds)
    assert tuple(wide.get_size_inches()) == (13, 4)
    assert {t.get_fontsize() for a in wide.axes if a.get_legend() for t in a.get_legend().get_texts()} >= {7.0}
    with pytest.raises(AssertionError):
        _check_readable(wide)
    panels = [a for a in fig.axes if a.axison]
    assert [p.get_title().replace("\n", " ") for p in panels] == [p.get_title() for p in wide.axes]
    xs = [p.get_position().x1 for p in panels]
    ys = [p.get_position().y0 for p in panels]
    assert max(xs) - min(xs) < 0.05 and ys == sorted(ys, reverse=True)  # stacked, in the wide one's order
    legends = [a.get_legend() for a in fig.axes if not a.axison]
    wide_legends = [a.get_legend() for a in wide.axes]
    assert len(legends) == len(wide_legends) == 3
    for leg, w in zip(legends, wide_legends):
        assert [t.get_text().replace("\n", " ") for t in leg.get_texts()] == [t.get_text() for t in w.get_texts()]
    texts = " ".join(t.get_text().replace("\n", " ") for t in _texts(fig))
    assert "brightness +20% and a long name" in texts and "[mm]" in texts and "[index]" in texts
    assert Image.open(tmp_path / "v.png").size[0] >= 3 * PHONE_PX
    with pytest.raises(ValueError, match="layout must be one of wide, narrow"):
        plots.plot_validation(rec, nuis, folds, layout="column")


def test_column_timeline_legends_of_two_floors_stay_inside_the_figure():
    """A column figure's legends begin at their column's left edge: from the panel's (inset by the y axis' labels)
    the longest entry, "noise floor (largest drawn) microcurrent ±0.44 mm, rf ±0.94 mm" (treatments with their own
    floors, as h14's store had), ran past the figure's right edge (My study at 1366 x 768, 2026-12-05)."""
    from test_series import MC_TIMES, RF_TIMES, simulate

    rng = np.random.default_rng(20240611)
    rows = simulate(rng, "microcurrent", MC_TIMES, transient=2.0, half_life=3.0, noise_floor=0.44)
    rows += simulate(rng, "rf", RF_TIMES, lasting=1.5, noise_floor=0.94)
    df = pd.DataFrame(rows)
    two = pd.concat([df, df.assign(metric="mouth_corner_lift_mm")], ignore_index=True)
    fig = plots.plot_timeline(two, analyze_series(two), layout="column")
    entries = [t.get_text().replace("\n", " ") for a in fig.axes if a.get_legend() for t in a.get_legend().get_texts()]
    assert "noise floor (largest drawn) microcurrent ±0.44 mm, rf ±0.94 mm" in entries
    _check_readable(fig, COLUMN_MIN_PX)
