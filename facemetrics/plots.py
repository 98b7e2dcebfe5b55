"""Every figure of the results: the timeline and regimen plots, the comparison of two photos and
the validation's report card.

Built on :class:`matplotlib.figure.Figure` without pyplot, so the functions
are safe to call from threads and never open a window.  matplotlib is
imported when a figure is drawn, not when this module is imported.  The
numbers drawn all come from :mod:`facemetrics.decay`; nothing is computed
here beyond what a plot needs (axis ranges, a fitted line's intercept).
"""

from __future__ import annotations

import importlib
import math
import re
import textwrap
from dataclasses import dataclass

import cv2
import numpy as np
import pandas as pd

from .compare import Comparison
from .compare.table import change_scale_sd
from .decay.claim import (CLAIM_HOURS, FIGURES_LEFT_OUT, FIT_FIGURES, FITTED_WITHOUT, FROM_CURVE_UNCHECKED, FROM_PHOTOS,
                          metric_rank,
                          SeriesError, SeriesResult, min_effect_for, decay_resolved, peak_resolved, regimen_levels,
                          validate_changes)
from .decay.wording import change_unit, ci_range, num, percent, quantity
from .import_lock import MATPLOTLIB
from .listing import join_few
from .rounding import fixed, fixed_uncertainty


#: the matplotlib modules the figures use (imported by :func:`import_matplotlib`)
_MPL_MODULES = ("matplotlib.figure", "matplotlib.backends.backend_agg", "matplotlib.lines", "matplotlib.patches",
                "matplotlib.textpath", "matplotlib.transforms")


def import_matplotlib() -> None:
    """Import the matplotlib modules the figures use (:data:`_MPL_MODULES`) under
    :data:`facemetrics.import_lock.MATPLOTLIB`: not while another thread imports them or MediaPipe's import has
    stand-ins for matplotlib in place (:mod:`facemetrics.import_lock`).  Every function here that draws calls this
    first; once imported, it costs a lock and six dictionary look-ups."""
    with MATPLOTLIB:
        for name in _MPL_MODULES:
            importlib.import_module(name)
from .export import figure_png, quiet_missing_glyphs, write_bytes
from .jaw import jaw_metrics
from .report import is_pooled

__all__ = ["SECOND_READ_LABEL", "ClaimMarker", "claim_marker", "left_out_fits", "left_out_label", "plot_regimen",
           "plot_timeline", "plot_validation", "row_verdicts"]

#: the layouts of the figures: "wide" (the CLI's PNGs, a desktop's page), "narrow" (a phone's width: one panel a
#: row, text :data:`NARROW_CAP_PER_WIDTH` of the width) and "column" (a desktop page's column, 480-1000 px: two
#: panels a row, text :data:`COLUMN_CAP_PER_WIDTH` of the width; :func:`comparison_overlay`, :func:`plot_timeline`)
LAYOUTS = ("wide", "narrow", "column")

#: width of a "narrow" figure; its text is sized relative to it (:data:`NARROW_CAP_PER_WIDTH`), so only the
#: number of characters a line holds (about 40) depends on it
NARROW_WIDTH_IN = 6.0

#: cap height of every text of a "narrow" figure, as a share of the figure's width: 10.5 px when the figure is
#: shown 356 px wide (a 390 px phone's content), 9.4 px at 320 px (a 360 px phone).  The desktop figures' 7-11 pt
#: was 3-4 px at 390 px (the app on a phone, 2026-12-05; the fold overlay's legend: 1 / 28, overlay.py)
NARROW_CAP_PER_WIDTH = 1 / 34

#: width of a "column" figure (two panels a row)
COLUMN_WIDTH_IN = 8.0

#: cap height of every text of a "column" figure, as a share of its width: 9.6 px shown 480 px wide (the narrowest
#: the app shows it: app.NARROW_PX["f"]), 10.7 px at 536 px (the comparison's column at 1366 x 768, sidebar open).
#: The wide comparison figure's 8-11 pt text was 2.6-3.6 px there (h5, 2026-12-05)
COLUMN_CAP_PER_WIDTH = 1 / 50

#: resolution of a "narrow" figure's PNG: 1200 px for its 6 in, over 3 times the 356 px a 390 px phone shows it
#: and over twice the 530 px of the app's column at 1366 px (sharp on a phone's 3 device px a CSS px; it was 110 dpi,
#: 660 px: soft there, the app on a phone, 2026-12-05)
NARROW_DPI = 200

#: units a wrapped line never begins with: the space between a number and its unit (and around the "/" of
#: "mm / week") is not a place to break (a legend line read "±0.10" and the next "mm", 2026-12-05)
_UNIT_WORDS = ("mm²", "mm", "deg", "index", "px", "%", "pp", "h", "day", "days", "week", "weeks", "µA", "cm", "ratio")


def _check_layout(layout: str, allowed=LAYOUTS) -> None:
    if layout not in allowed:
        raise ValueError(f"layout must be one of {', '.join(allowed)}, not {layout!r}")


def _cap_per_em() -> float:
    """Cap height of matplotlib's default font per point of its size (DejaVu Sans: 0.73)."""
    import_matplotlib()
    from matplotlib.textpath import TextPath

    return float(TextPath((0, 0), "H", size=1.0).get_extents().height)


def narrow_font_pt(width_in: float = NARROW_WIDTH_IN, cap_per_width: float = NARROW_CAP_PER_WIDTH) -> float:
    """Font size (pt) of a "narrow" figure ``width_in`` inches wide: its cap height is :data:`NARROW_CAP_PER_WIDTH`
    (or ``cap_per_width``: a "column" figure's :data:`COLUMN_CAP_PER_WIDTH`) of the width, however the figure is
    scaled when shown."""
    return width_in * 72.0 * cap_per_width / _cap_per_em()


def _quantity_spaces(units=(), of: bool = True) -> re.Pattern:
    """The spaces :func:`_wrap` keeps: after a number before a unit (:data:`_UNIT_WORDS` and ``units``), either
    side of a "/" between two words ("mm / week"), and (``of``) before a "±" figure ("rf ±0.94 mm": what it is of
    kept with it)."""
    words = sorted({u for u in (*_UNIT_WORDS, *units) if u}, key=len, reverse=True)
    alt = "|".join(re.escape(u) for u in words)
    return re.compile(rf"(?<=\d) (?=(?:{alt})(?!\w))|(?<=\w) (?=/ \w)|(?<=\w /) (?=\w)"
                      + (r"|(?<=\w) (?=\u00b1\d)" if of else ""))


def _wrap(text: str, chars: int, units=()) -> str:
    """``text`` wrapped to lines of at most ``chars`` characters (its own line breaks kept; "18-30 h" and
    "fades_within_a_day" whole; never between a number and its unit, :func:`_quantity_spaces`, ``units`` the
    panel's own besides :data:`_UNIT_WORDS`; "rf ±0.94 mm" whole when it fits a line)."""
    lines = []
    for part in text.split("\n"):
        glued = _quantity_spaces(units).sub("\u00a0", part)  # textwrap breaks at ASCII whitespace only
        if any(len(w) > chars and "\u00b1" in w for w in glued.split(" ")):  # too long whole: "±0.94 mm" whole
            glued = _quantity_spaces(units, of=False).sub("\u00a0", part)
        lines += [line.replace("\u00a0", " ") for line in (textwrap.wrap(glued, chars, break_on_hyphens=False)
                                                          or [""])]
    return "\n".join(lines)


def _narrow_chars(font_pt: float, width_in: float = NARROW_WIDTH_IN, share: float = 0.92) -> int:
    """Characters of a line ``share`` of a figure ``width_in`` wide holds at ``font_pt`` (0.62 em a character:
    DejaVu Sans' wide letters and capitals, so a wrapped line never runs past the edge)."""
    return max(12, int(share * width_in * 72.0 / (0.62 * font_pt)))


def trim_white_bands(rgb: np.ndarray, keep_px: int) -> np.ndarray:
    """``rgb`` (shape (h, w, 3), uint8) with every run of all-white rows longer than ``keep_px`` shortened to
    ``keep_px`` rows: the space a fixed-height figure left around its panels.  The width is unchanged, so the
    text keeps its size relative to it."""
    white = (rgb >= 250).all(axis=(1, 2))
    keep = np.ones(len(white), dtype=bool)
    run = 0
    for i, w in enumerate(white):
        run = run + 1 if w else 0
        if run > keep_px:
            keep[i] = False
    return rgb[keep].copy()

_COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf")
_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "<", ">", "h")


def plot_timeline(changes: pd.DataFrame, result: SeriesResult, path=None, *, side: str | None = None,
                  layout: str = "wide", table: pd.DataFrame | None = None):
    """Plot change versus hours since treatment, one panel per metric (per side when a metric has no mean).

    Drawn per panel: the photos (colour = treatment, marker = subject; hollow: a follow-on session's,
    left out of the fits, ``result.follow_on``), the
    pooled fitted curve of each treatment with its pointwise 95 % bootstrap
    band (dashed, without a band, when its half-life or peak is not resolved: :func:`fit_resolved`, the rule
    report.md and the app follow; its 24 h change then drawn with the verdict's 90 % CI, :func:`claim_marker`;
    so is the photos' 18-30 h mean when the verdict read them), a grey band ±noise_floor, dashed lines at ±delta (the equivalence
    margin) and a dotted line at 24 h.  The time axis is ``symlog`` with a
    linear part for |t| < 1 h, so baseline photos (t <= 0) stay visible while
    hours to weeks are spread logarithmically.  Each panel's legend lies below it,
    clear of the data; a treatment without usable photos gets no margin.

    Built on :class:`matplotlib.figure.Figure` without pyplot, so it is safe
    to call from threads and never opens a window.

    Parameters
    ----------
    changes : pandas.DataFrame
        The table given to :func:`facemetrics.decay.analyze_series`.
        An optional bool column ``second_read`` marks the rows that are a session's before photo read a second time,
        as the previous session's photo at that time (:func:`facemetrics.batch.tables.next_before_rows`;
        :func:`facemetrics.batch.run_timeline` sets it): drawn with a square frame around the point and the legend
        entry :data:`SECOND_READ_LABEL` (a daily user's 24 h points looked like any other photo; docs/validation.md
        section 12, Round 17).
    result : SeriesResult
        Its result.
    path : str or os.PathLike, optional
        When given, the figure is saved there as PNG.
    side : str, optional
        Side to draw; default ``"mean"`` when a metric has it, else one
        panel per side (right, then left).
    layout : {"wide", "narrow", "column"}
        "wide" (default; the CLI's ``timeline.png``): two panels a row, 6.4 in each, text 7-10 pt.
        "narrow" (the app on a phone): one panel a row, :data:`NARROW_WIDTH_IN` wide, every text's cap height
        :data:`NARROW_CAP_PER_WIDTH` of the width (10.5 px shown 356 px wide), the legend in one column
        under its panel, its entries wrapped.  "column" (the app on a desktop): as "narrow" but two panels a
        row, :data:`COLUMN_WIDTH_IN` wide, every text's cap height :data:`COLUMN_CAP_PER_WIDTH` of the width
        (9.6 px shown 480 px wide).  "narrow" and "column" PNGs are :data:`NARROW_DPI`.
    table : pandas.DataFrame, optional
        The timeline table as the series-reading rules read it (``timeline.csv``'s decay rows:
        :attr:`facemetrics.batch.series_read.SeriesReading.table`).  A pooled fit whose row there shows no figure
        (every :data:`~facemetrics.decay.claim.FIT_FIGURES` column empty although the fit was made: §21b, a fit
        that holds an odd before photo's session) is drawn as the table gives it: no curve, band or 24 h marker,
        its legend entry the row's verdict and "no figure: its fit holds the session of the odd before photo
        `...`" (the photos from the table's ``attrs[FIGURES_LEFT_OUT]``, :func:`left_out_fits`).  A pooled row
        refitted without an odd before photo's session (§21: its figures are the refit's, not the fit's) has no
        curve, band or 24 h marker either, its legend entry the row's verdict and "no curve: the table's figures
        come from the fit without the session of the odd before photo `...`".  Every treatment's legend entry gives
        its row's verdict (:func:`row_verdicts`: a row §16 or §20 made ``inconclusive`` reads so).  None (default):
        every fit as fitted, with its own verdict.
    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ValueError
        ``layout`` is not one of :data:`LAYOUTS`.
    SeriesError
        ``changes`` is not a change table (as :func:`facemetrics.decay.analyze_series`), or there
        is nothing to plot.
    TypeError
        ``result`` is not a :class:`SeriesResult`.
    """
    import_matplotlib()
    from matplotlib.figure import Figure

    _check_layout(layout)
    df = validate_changes(changes, None)
    if not isinstance(result, SeriesResult):
        raise TypeError(f"result must be the SeriesResult of analyze_series(changes), not {type(result).__name__}")
    metrics = sorted(set(df["metric"]) | {f.metric for f in result.pooled()}, key=metric_rank)
    if not metrics:
        raise SeriesError("nothing to plot: no metrics")
    treatments = sorted(set(df["treatment"]) | {f.treatment for f in result.pooled()})
    style = dict(
        treatments=treatments,
        colour={tr: _COLOURS[i % len(_COLOURS)] for i, tr in enumerate(treatments)},
        marker={s: _MARKERS[i % len(_MARKERS)] for i, s in enumerate(sorted(set(df["subject"])))},
    )
    df = df.assign(_follow_on=_follow_on_rows(df, result))  # drawn hollow: left out of the fits
    df = df.assign(_second=_second_read_rows(df, changes))  # framed: a next session's before photo read twice
    style["left_out"] = left_out_fits(result, table)  # §21, §21b: the rows that do not show the fit's figures
    style["verdicts"] = row_verdicts(result, table)  # the legend's verdicts: the rows' (§16, §20-21)
    panels = _timeline_panels(df, result, metrics, side)
    if layout in ("narrow", "column"):
        fig = (_narrow_timeline(df, result, panels, style) if layout == "narrow" else
               _narrow_timeline(df, result, panels, style, ncols=min(len(panels), 2), width=COLUMN_WIDTH_IN,
                                cap=COLUMN_CAP_PER_WIDTH))
        if path is not None:
            write_bytes(figure_png(fig, dpi=NARROW_DPI), path)
        return fig

    ncols = min(len(panels), 2)
    nrows = math.ceil(len(panels) / ncols)
    fig = Figure(figsize=(6.4 * ncols, 5.6 * nrows), layout="constrained")  # 1.2 in of it: the legend below
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    for ax in axes[len(panels):]:
        ax.set_visible(False)
    for ax, (metric, use_side) in zip(axes, panels):
        mdf = df[df["metric"] == metric]
        mdf = mdf[mdf["side"] == use_side]
        fits = [f for f in result.pooled() if f.metric == metric and f.side == use_side]
        _draw_timeline_panel(ax, mdf, fits, result, metric=metric, side=use_side, **style)
    if path is not None:
        write_bytes(figure_png(fig, dpi=110), path)  # marked as facemetrics', atomically
    return fig


def _narrow_timeline(df: pd.DataFrame, result: SeriesResult, panels, style, *, ncols: int = 1,
                     width: float = NARROW_WIDTH_IN, cap: float = NARROW_CAP_PER_WIDTH):
    """:func:`plot_timeline`'s "narrow" layout: each panel above its legend, one a row, every text
    :func:`narrow_font_pt`; its "column" layout with ``ncols`` 2, ``width`` :data:`COLUMN_WIDTH_IN` and ``cap``
    :data:`COLUMN_CAP_PER_WIDTH`: two panels a row, each legend under its panel."""
    import_matplotlib()
    from matplotlib.figure import Figure

    font = narrow_font_pt(width, cap)
    panel_w = width / ncols
    chars = _narrow_chars(font, panel_w)
    line_in = 1.25 * font / 72.0
    parts = []
    for metric, use_side in panels:
        mdf = df[df["metric"] == metric]
        mdf = mdf[mdf["side"] == use_side]
        fits = [f for f in result.pooled() if f.metric == metric and f.side == use_side]
        parts.append((metric, use_side, mdf, fits))
    panel_in = 0.72 * panel_w + 5 * line_in  # the plot, its title, tick labels and 2-line x label
    if ncols > 1:
        panel_in += line_in  # a title of two lines
    legend_in = []
    for metric, use_side, mdf, fits in parts:  # the legend's lines, counted as they will be wrapped
        unit = _panel_unit(mdf, fits)
        nf, delta = _panel_floor(mdf, fits), _panel_margins(mdf, fits, result, unit)
        handles = _timeline_legend(mdf, fits, result, unit=unit, nf=nf, delta=delta, **style)
        legend_in.append(0.3 + line_in * 1.15 * sum(_wrap(h.get_label(), chars - 3, (unit,)).count("\n") + 1
                                                    for h in handles))
    nrows = math.ceil(len(parts) / ncols)
    heights = []
    for r in range(nrows):  # a row of panels, then their legends (the row's longest)
        heights += [panel_in, max(legend_in[r * ncols:(r + 1) * ncols])]
    fig = Figure(figsize=(width, sum(heights)), layout="constrained")
    axes = fig.subplots(len(heights), ncols, squeeze=False, gridspec_kw=dict(height_ratios=heights))
    for i, (metric, use_side, mdf, fits) in enumerate(parts):
        r, k = divmod(i, ncols)
        ax, leg = axes[2 * r, k], axes[2 * r + 1, k]
        _draw_timeline_panel(ax, mdf, fits, result, metric=metric, side=use_side, font=font, chars=chars,
                             legend_ax=leg, **style)
        if ncols > 1:  # from its column's left edge, not its panel's (inset by the y axis' labels): its lines
            # were sized for the column, and ran past the figure's right edge from the panel's (h5, 2026-12-05)
            import_matplotlib()
            from matplotlib.transforms import blended_transform_factory

            legend = leg.get_legend()
            legend.set_bbox_to_anchor((k / ncols + 0.01, 1.0), blended_transform_factory(fig.transFigure,
                                                                                         leg.transAxes))
            ax.set_title(_wrap(f"{metric} ({use_side})", 3 * chars // 4), fontsize=font)  # centred on the panel
    for i in range(len(parts), nrows * ncols):  # an odd panel's empty neighbour
        r, k = divmod(i, ncols)
        axes[2 * r, k].set_visible(False)
        axes[2 * r + 1, k].set_visible(False)
    return fig


def _panel_unit(mdf: pd.DataFrame, fits: list) -> str:
    """The unit of a panel's metric ("" when none is given)."""
    units = [u for u in pd.unique(mdf["unit"]) if u] or [f.unit for f in fits if f.unit]
    return units[0] if units else ""


def _change_unit_word(unit: str, mdf: pd.DataFrame) -> str:
    """A panel's unit code as its change axis writes it (:func:`facemetrics.decay.wording.change_unit`: "pp" for a
    percentage's change, "mm²"; the axis read "change [pct]" until stop 60)."""
    metric = str(mdf["metric"].iloc[0]) if "metric" in mdf.columns and len(mdf) else ""
    return change_unit(unit, metric) if unit else unit


def _panel_floor(mdf: pd.DataFrame, fits: list):
    """The noise floor a panel draws (±, metric unit), or None."""
    nfs = [f.noise_floor for f in fits if math.isfinite(f.noise_floor)]
    if not nfs and "noise_floor" in mdf.columns:
        nfs = [float(v) for v in mdf["noise_floor"] if math.isfinite(v)]
    return max(abs(v) for v in nfs) if nfs else None


def _follow_on_rows(df: pd.DataFrame, result: SeriesResult) -> np.ndarray:
    """True for each row of ``df`` (shape (n,)) of a session its series' fits left out as a follow-on
    session (``result.follow_on``: subject, treatment, metric, side and ``treated_at`` as written)."""
    if not result.follow_on or "treated_at" not in df.columns:
        return np.zeros(len(df), dtype=bool)
    keys = {(f.subject, f.treatment, f.metric, f.side, f.treated_at) for f in result.follow_on}
    rows = zip(df["subject"].astype(str), df["treatment"].astype(str), df["metric"].astype(str),
               df["side"].astype(str), df["treated_at"].fillna("").astype(str).str.strip())
    return np.array([r in keys for r in rows], dtype=bool)


#: the legend entry of the points that are a next session's before photo read as the previous session's photo at that
#: time (a true ``second_read`` of :func:`plot_timeline`'s ``changes``)
SECOND_READ_LABEL = "next session's before photo: read also as this session's photo at that time"
#: the end of a treatment's legend entry whose lasting level is withheld (:mod:`facemetrics.decay.late_photos`):
#: the curve is drawn to its fitted end all the same (report.md's cell: ``decay.claim.LASTING_WITHHELD_CELL``)
LASTING_WITHHELD_LEGEND = "lasting level not shown (photos after a day off the curve)"


def _second_read_rows(df: pd.DataFrame, changes: pd.DataFrame) -> np.ndarray:
    """True for each row of ``df`` (the validated rows, shape (n,)) of a row of ``changes`` whose ``second_read`` is
    true (matched by subject, treatment, ``treated_at`` and hours: the validated rows keep no other column)."""
    need = ("second_read", "treated_at", "subject", "treatment", "hours_since_treatment")
    if any(c not in changes.columns for c in need) or "treated_at" not in df.columns:
        return np.zeros(len(df), dtype=bool)
    at = changes["treated_at"].fillna("").astype(str).str.strip()
    hours = pd.to_numeric(changes["hours_since_treatment"], errors="coerce")
    marked = {(str(s), str(tr), t, round(float(h), 6)) for s, tr, t, h, yes in
              zip(changes["subject"], changes["treatment"], at, hours, changes["second_read"]) if yes is True or yes == 1}
    rows = zip(df["subject"].astype(str), df["treatment"].astype(str), df["treated_at"].fillna("").astype(str).str.strip(),
               df["hours_since_treatment"].astype(float).round(6))
    return np.array([r in marked for r in rows], dtype=bool)


def _draw_second_reads(ax, sdf: pd.DataFrame, ms: float) -> None:
    """A square frame around each point of ``sdf`` that is a next session's before photo (``_second``)."""
    if "_second" in sdf.columns and sdf["_second"].any():
        twice = sdf[sdf["_second"]]
        ax.plot(twice["hours_since_treatment"], twice["value"], ls="none", marker="s", ms=ms * 1.9, mfc="none",
                mec="0.15", mew=1.0, zorder=4, label="_second_read")


def _timeline_panels(df: pd.DataFrame, result: SeriesResult, metrics, side) -> list[tuple[str, str]]:
    """(metric, side) of every panel: a metric's "mean" side, or one per side for metrics measured
    per side only (e.g. nlf_depth: the subject's right and left fold each get a panel)."""
    panels = []
    for metric in metrics:
        sides = sorted(set(df.loc[df["metric"] == metric, "side"])
                       | {f.side for f in result.pooled() if f.metric == metric})
        if side is not None:
            panels.append((metric, side))
        elif "mean" in sides or not sides:
            panels.append((metric, "mean"))
        else:
            order = {"right": 0, "left": 1}
            panels += [(metric, s) for s in sorted(sides, key=lambda s: (order.get(s, 2), s))]
    return panels


#: the ``gid`` of a fitted curve drawn dashed because its decay is not resolved (:func:`fit_resolved`)
NOT_RESOLVED_GID = "fit_not_resolved"


def fit_resolved(f) -> bool:
    """Whether a fit's curve may be drawn as a measured decay with its band: True when it was made and both
    its half-life and its peak are resolved (:func:`facemetrics.decay.claim.decay_resolved` and
    :func:`~facemetrics.decay.claim.peak_resolved`, the rules report.md and the app follow; since stop 66 also
    False for a fitted peak against the photos' sign, ``half_point_basis`` ``photos``).  ``f``: a
    :class:`~facemetrics.decay.claim.DecayFit`."""
    row = {k: getattr(f, k, "") for k in ("half_life_h", "half_life_h_ci_low", "half_life_h_ci_high",
                                          "half_life_h_min", "last_time_h", "half_point_basis")}
    return bool(f.fit_ok) and decay_resolved(row) and peak_resolved(row)


@dataclass(frozen=True)
class ClaimMarker:
    """The 24 h marker a timeline panel draws for a pooled fit: the figure its verdict was decided on and the
    interval of that decision (:func:`claim_marker`).

    Attributes
    ----------
    hours : float
        Where it is drawn [h since treatment]: :data:`~facemetrics.decay.claim.CLAIM_HOURS`.
    change : float
        The 24 h change [metric unit] (``change_24h``).
    ci_low, ci_high : float
        The verdict's interval [metric unit]: ``change_24h_test_ci_*``, NaN when not measured.
    level : float
        That interval's level, a fraction (the fit's ``test_confidence``, 0.90 by default), never the curve's
        band level (``confidence``, 0.95).
    shape : str
        Matplotlib marker: ``"D"`` when the verdict read the photos at 18-30 h, ``"s"`` when it read a curve
        drawn dashed (not resolved).
    """

    hours: float
    change: float
    ci_low: float
    ci_high: float
    level: float
    shape: str


def claim_marker(f) -> ClaimMarker | None:
    """The 24 h marker of fit ``f`` (a :class:`~facemetrics.decay.claim.DecayFit`), or None when none is drawn.

    Drawn for a pooled fit with a finite 24 h change when the verdict read the photos at 18-30 h (a diamond), or
    when its curve is not resolved (:func:`fit_resolved`: dashed, no band carries the 24 h change's uncertainty;
    a square).  Its bar is the interval the verdict was decided on (``change_24h_test_ci_*`` at
    ``test_confidence``, the interval the verdict's text quotes), so the figure and the text beside it give one
    interval; the curve's band stays the pointwise ``confidence`` (95 %) bootstrap band, labelled as such.
    """
    if f.subject is not None or not math.isfinite(f.change_24h):
        return None
    if f.change_24h_source != FROM_PHOTOS and fit_resolved(f):
        return None
    return ClaimMarker(hours=float(CLAIM_HOURS), change=float(f.change_24h), ci_low=float(f.change_24h_test_ci_low),
                       ci_high=float(f.change_24h_test_ci_high), level=float(f.test_confidence),
                       shape="D" if f.change_24h_source == FROM_PHOTOS else "s")


def _pooled_rows(table: pd.DataFrame | None):
    """The pooled decay rows of ``table`` (rows of ``kind`` "regimen" left out), or None without them."""
    if table is None or table.empty or not {"subject", "treatment", "metric", "side"} <= set(table.columns):
        return None
    rows = table[table["kind"].astype(str) != "regimen"] if "kind" in table.columns else table
    return rows[rows["subject"].map(is_pooled).astype(bool)]


def _row_of(rows: pd.DataFrame, f):
    """The row of ``rows`` of fit ``f``'s treatment, metric and side, or None."""
    mine = rows[(rows["treatment"].astype(str) == f.treatment) & (rows["metric"].astype(str) == f.metric)
                & (rows["side"].astype(str) == f.side)]
    return None if mine.empty else mine.iloc[0]


def row_verdicts(result: SeriesResult, table: pd.DataFrame | None) -> dict:
    """The verdict of each pooled fit of ``result`` as ``table`` reads it: ``{(treatment, metric, side): verdict}``
    (a row a series-reading rule made ``inconclusive``, §16, §20-21, reads so in the legend too); {} without a
    table, a fit without a row left out (the legend gives the fit's own)."""
    rows = _pooled_rows(table)
    if rows is None or "verdict" not in rows.columns:
        return {}
    return {(f.treatment, f.metric, f.side): str(row["verdict"]) for f in result.pooled()
            if (row := _row_of(rows, f)) is not None}


def left_out_fits(result: SeriesResult, table: pd.DataFrame | None) -> dict:
    """The pooled fits of ``result`` whose row in ``table`` does not show their figures (validation.md §21, §21b).

    Read from the row, not decided again: a pooled fit that was made (``fit_ok``) whose row of the same treatment,
    metric and side in ``table`` has every :data:`~facemetrics.decay.claim.FIT_FIGURES` column empty (§21b, the one
    rule timeline.csv, report.md ("n/a"), the consoles and the app's tables follow: ``batch.before_read`` empties them
    when the fit holds an odd before photo's session), or shows other figures than the fit's (§21: the row holds the
    refit without the odd sessions, ``batch.before_read.pooled_without``; the plot draws fits, it does not refit).

    Parameters
    ----------
    result : SeriesResult
        The fits drawn.
    table : pandas.DataFrame or None
        The timeline table as read (``subject``, ``treatment``, ``metric``, ``side``, ``verdict`` and the figure
        columns; rows of ``kind`` "regimen" ignored); its ``attrs[FIGURES_LEFT_OUT]``
        (:data:`~facemetrics.decay.claim.FIGURES_LEFT_OUT`) and ``attrs[FITTED_WITHOUT]``
        (:data:`~facemetrics.decay.claim.FITTED_WITHOUT`) name the odd before photos.

    Returns
    -------
    dict
        ``{(treatment, metric, side): (verdict, (before photo, ...), refitted)}``, the row's verdict, the photos (()
        when the table does not name them) and whether the row shows another fit's figures (False: no figure);
        {} without a table.
    """
    rows = _pooled_rows(table)
    figures = [c for c in FIT_FIGURES if rows is not None and c in rows.columns]
    if not figures:
        return {}
    named, without = table.attrs.get(FIGURES_LEFT_OUT) or {}, table.attrs.get(FITTED_WITHOUT) or {}
    out = {}
    for f in result.pooled():
        row = _row_of(rows, f)
        if not f.fit_ok or row is None:
            continue
        key = (f.treatment, f.metric, f.side)
        shown = pd.to_numeric(row[figures], errors="coerce").to_numpy(dtype=float)
        own = pd.to_numeric(pd.Series([getattr(f, c) for c in figures], dtype=object), errors="coerce").to_numpy(float)
        if np.isnan(shown).all():
            out[key] = (str(row.get("verdict", f.verdict)), tuple(named.get((*key, ""), ())), False)
        elif not np.allclose(shown, own, rtol=1e-9, atol=0.0, equal_nan=True):
            out[key] = (str(row.get("verdict", f.verdict)), tuple(without.get((*key, ""), ())), True)
    return out


def left_out_label(treatment: str, verdict: str, photos, refitted: bool = False) -> str:
    """The legend entry of a treatment whose pooled fit :func:`left_out_fits` found not shown by its row.

    No figure (§21b): "rf: inconclusive, no figure: its fit holds the session of the odd before photo
    `S01/rf/before.jpg`"; refitted (§21, ``refitted``): "rf: fades_within_a_day, no curve: the table's figures come
    from the fit without the session of the odd before photo `S01/rf/before.jpg`" (the first
    :data:`~facemetrics.decay.wording.NAMED_FEW` photos, then "and N others")."""
    photos = [f"`{p}`" for p in photos]
    sessions = ("" if not photos else f"the session of the odd before photo {photos[0]}" if len(photos) == 1
                else f"the sessions of the odd before photos {join_few(photos)}")
    if refitted:
        return (f"{treatment}: {verdict}, no curve: the table's figures come from "
                + (f"the fit without {sessions}" if sessions else "another fit (timeline.csv says why)"))
    return f"{treatment}: {verdict}, no figure" + (f": its fit holds {sessions}" if sessions else
                                                   " (timeline.csv says why)")


def _draw_fit(ax, f, grid: np.ndarray, colour) -> None:
    """One fit's curve on a timeline panel: solid with its band when resolved (:func:`fit_resolved`), else dashed
    without a band (gid :data:`NOT_RESOLVED_GID`) and, for a pooled fit, its 24 h change with its CI; the
    photos' 18-30 h mean and CI when the verdict read them.  ``grid``: hours, shape (n,); ``colour``: the
    treatment's colour."""
    fit, low, high = f.curve(grid)
    if fit_resolved(f):
        ax.fill_between(grid, low, high, color=colour, alpha=0.2, lw=0, zorder=2)
        ax.plot(grid, fit, color=colour, lw=2.0, zorder=4)
    else:  # the rule report.md and the app follow: no band, a thin dashed line, "not resolved" in the legend
        ax.plot(grid, fit, color=colour, lw=1.2, ls="--", alpha=0.8, zorder=4, gid=NOT_RESOLVED_GID)
    m = claim_marker(f)
    if m is not None:
        # the verdict read the photos at 18-30 h, not the curve (a diamond); or the curve is dashed, no band carries
        # the 24 h change's uncertainty, which stays measured (a square): the figure and the verdict's CI at 24 h
        err = ([[m.change - m.ci_low], [m.ci_high - m.change]] if math.isfinite(m.ci_low) and math.isfinite(m.ci_high)
               else None)
        ax.errorbar([m.hours], [m.change], yerr=err, fmt=m.shape, ms=6 if m.shape == "D" else 5, color=colour,
                    mec="k", capsize=3, lw=1.2, zorder=5)


def _draw_timeline_panel(ax, mdf: pd.DataFrame, fits: list, result: SeriesResult, *, metric: str, side: str,
                         treatments, colour, marker, left_out=None, verdicts=None, font: float | None = None,
                         chars: int = 0, legend_ax=None) -> None:
    """One panel: noise-floor band, margins, 24 h line, photos, fitted curves with bands, legend.

    ``font`` (pt): every text's size, ``chars``: the legend's and x label's lines wrapped to it, ``legend_ax``: an
    axes (its frame hidden) the legend fills, under the panel (the "narrow" layout); by default matplotlib's
    sizes and the legend 7 pt under the panel (the "wide" one).  ``left_out``: :func:`left_out_fits`, whose fits
    are not drawn (the table does not show their figures: §21, §21b); ``verdicts``: :func:`row_verdicts`, the
    legend's."""
    left_out = left_out or {}
    ms = 4.5 if font is None else 7.0
    unit = _panel_unit(mdf, fits)
    t_all = np.concatenate([mdf["hours_since_treatment"].to_numpy(), [CLAIM_HOURS, 1.0]])
    t_max = float(np.max(t_all)) * 1.3
    t_min = min(float(np.min(t_all)), 0.0)
    # -1e-9 then 0: the curve steps from the baseline to the peak at t = 0
    grid = np.concatenate([[t_min, -1e-9, 0.0], np.geomspace(1e-3, t_max, 300)])

    nf = _panel_floor(mdf, fits)
    if nf is not None:
        ax.axhspan(-nf, nf, color="0.85", alpha=0.7, lw=0, zorder=0)
    delta = _panel_margins(mdf, fits, result, unit)
    if isinstance(delta, dict):
        for tr, d in delta.items():
            for sign in (-1.0, 1.0):
                ax.axhline(sign * d, color=colour[tr], ls="--", lw=1.0, zorder=1)
    elif delta is not None:
        for d in (-delta, delta):
            ax.axhline(d, color="0.35", ls="--", lw=1.0, zorder=1)
    ax.axhline(0.0, color="0.6", lw=0.8, zorder=1)
    ax.axvline(CLAIM_HOURS, color="0.35", ls=":", lw=1.0, zorder=1)

    for tr in treatments:
        tdf = mdf[mdf["treatment"] == tr]
        for subj, sdf in tdf.groupby("subject", sort=True):
            fitted = sdf[~sdf["_follow_on"]] if "_follow_on" in sdf.columns else sdf
            ax.plot(
                fitted["hours_since_treatment"], fitted["value"], ls="none", marker=marker[subj],
                ms=ms, color=colour[tr], alpha=0.55, mec="none", zorder=3,
            )
            if len(fitted) < len(sdf):  # a follow-on session's photos: hollow, not in the fit
                later = sdf[sdf["_follow_on"]]
                ax.plot(later["hours_since_treatment"], later["value"], ls="none", marker=marker[subj], ms=ms,
                        mfc="none", mec=colour[tr], alpha=0.7, zorder=3)
            _draw_second_reads(ax, sdf, ms)
        for f in fits:
            if f.treatment == tr and f.fit_ok and (f.treatment, f.metric, f.side) not in left_out:
                _draw_fit(ax, f, grid, colour[tr])

    ax.set_xscale("symlog", linthresh=1.0, linscale=0.5)
    ax.set_xlim(t_min - 0.1 * abs(t_min) - 0.2, t_max)
    xlabel = "hours since treatment (symlog: linear below 1 h)"
    word = _change_unit_word(unit, mdf)  # "pp" for a percentage's change (the axis read "change [pct]")
    ylabel = f"change [{word}]" if unit else "change (unitless)"
    handles = _timeline_legend(mdf, fits, result, unit=unit, nf=nf, delta=delta,
                               treatments=treatments, colour=colour, marker=marker, left_out=left_out,
                               verdicts=verdicts)
    if font is not None:  # the narrow layout: every text one size, the legend in its own axes under the panel
        ax.set_xlabel(_wrap(xlabel, chars), fontsize=font)
        ax.set_ylabel(ylabel, fontsize=font)
        ax.set_title(_wrap(f"{metric} ({side})", chars), fontsize=font)
        ax.tick_params(labelsize=font)
        for h in handles:
            h.set_label(_wrap(h.get_label(), chars - 3, (unit,)))
        legend_ax.set_axis_off()
        legend_ax.legend(handles=handles, fontsize=font, loc="upper left", bbox_to_anchor=(0.0, 1.0), ncol=1,
                         frameon=False, borderaxespad=0.0, handlelength=1.6, markerscale=1.3)
        return
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(f"{metric} ({side})")
    # each entry wrapped to a line of half the panel's 6.4 in at 7 pt (less its marker's 3 characters; 50): two long
    # entries, the 24 h diamond's and the floors of two treatments, made the two columns wider than the panel, so
    # the constrained layout squeezed the panels and the left panels' legends ran past the figure's edge, cut (a
    # clinic's audit, 2026-12-05); the verdicts' entries ("rf: persists_beyond_a_day, fit not resolved") fit whole
    for h in handles:
        h.set_label(_wrap(h.get_label(), _narrow_chars(7.0, 6.4 / 2, share=1.0) - 3, (unit,)))
    # below the panel, never over the photos or curves (inside, "best" still covered the microcurrent
    # decay of the demo: ten entries fill half a panel; CLI audit b)
    ax.legend(handles=handles, fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2,
              frameon=False)


def _panel_margins(mdf: pd.DataFrame, fits: list, result: SeriesResult, unit: str):
    """The margins a panel draws: ``{treatment: delta}`` when its treatments' verdicts used different
    margins, else the one margin (metric unit), or None for none.

    Each treatment's verdict used its own margin (the panel drew the largest for all, so microcurrent's
    ±0.40 mm read as ±0.57; series and app audits, 2026-12-03).  A fit without photos (every one of its
    comparisons read 'uncertain') tested nothing and has no margin: it drew "±0.00 mm" (CLI audit b).
    Without fits, the default margin of :func:`facemetrics.decay.min_effect_for`, when the panel has
    photos and it is above 0."""
    margins = {f.treatment: f.smallest_meaningful_change for f in fits
               if f.subject is None and f.n_photos > 0 and math.isfinite(f.smallest_meaningful_change)}
    if len(set(round(v, 9) for v in margins.values())) > 1:
        return margins
    if margins:
        return max(margins.values())
    default = min_effect_for(unit, result.min_effect)
    return default if len(mdf) and default > 0 else None


def _claim_line_handle(pooled: list):
    """The legend's "24 h" entry: the dotted 24 h line; when a square is drawn on it (:func:`claim_marker`, a fit
    not resolved, its bar the verdict's interval), the line with the square (black-edged, as drawn; a subject's
    square has no edge), its label naming what it marks and its bar's level as the diamond's entry does, "24 h:
    curve and 90% CI".  The square had no entry (h9, 2026-12-05: a separate one made the column figure taller);
    this label fits the entry's one line (22 characters of the 24 the column layout wraps to, 33 the narrow one; the
    wide layout's legend is not wrapped), so no figure grows.  ``pooled``: the panel's pooled fits that were made."""
    import_matplotlib()
    from matplotlib.lines import Line2D

    squares = [m for m in map(claim_marker, pooled) if m is not None and m.shape == "s"
               and math.isfinite(m.ci_low) and math.isfinite(m.ci_high)]
    if not squares:
        return Line2D([], [], color="0.35", ls=":", label="24 h")
    return Line2D([], [], color="0.35", ls=":", marker="s", ms=5, mfc="0.3", mec="k",
                  label=f"24 h: curve and {percent(squares[0].level)} CI")


def _timeline_legend(mdf, fits, result, *, unit, nf, delta, treatments, colour, marker, left_out=None,
                     verdicts=None) -> list:
    """Legend handles: each treatment's verdict (its row's in ``verdicts``, :func:`row_verdicts`, else the fit's),
    the CI band, noise floor, margin, 24 h, subjects.  A treatment whose pooled fit is in ``left_out``
    (:func:`left_out_fits`: not drawn) has the row's verdict and why no curve is drawn (:func:`left_out_label`), its
    photos' marker and no line; it adds no band, square or diamond entry."""
    import_matplotlib()
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    left_out, verdicts = left_out or {}, verdicts or {}
    hidden = {f.treatment: left_out[k] for f in fits
              if f.subject is None and (k := (f.treatment, f.metric, f.side)) in left_out}
    fits = [f for f in fits if f.subject is not None or f.treatment not in hidden]  # drawn: the others

    # a treatment whose pooled fit is drawn dashed (not resolved: :func:`fit_resolved`) says so in its own entry (a
    # separate entry made the column figure too tall); its 24 h square carries the verdict's CI, whose level the
    # "24 h" entry names (:func:`_claim_line_handle`)
    loose = {f.treatment for f in fits if f.subject is None and f.fit_ok and not fit_resolved(f)}
    # a resolved curve whose lasting level is withheld (photos after a day off the curve, decay.claim rule 8) still
    # ends at the fitted level: the entry says it is not shown, as report.md's cell (Round 18); not when the legend
    # gives a row's other verdict (§16, §20-21: the row holds another reading than the curve drawn)
    withheld = {f.treatment for f in fits if f.subject is None and f.fit_ok and f.treatment not in loose
                and math.isnan(f.lasting) and math.isfinite(f.curve_lasting)
                and verdicts.get((f.treatment, f.metric, f.side), f.verdict) == f.verdict}
    handles = [
        Line2D([], [], color=colour[tr], lw=2.0, marker="o", ms=4, ls="--" if tr in loose else "-",
               label=f"{tr}: " + next(
                   (verdicts.get((f.treatment, f.metric, f.side), f.verdict) for f in fits if f.treatment == tr),
                   "no data")
               + (", fit not resolved" if tr in loose else "")
               + (f", {LASTING_WITHHELD_LEGEND}" if tr in withheld else ""))
        if tr not in hidden else  # no curve: the row shows no figure (§21b)
        Line2D([], [], color=colour[tr], ls="none", marker="o", ms=4, label=left_out_label(tr, *hidden[tr]))
        for tr in treatments
        if (mdf["treatment"] == tr).any() or any(f.treatment == tr for f in fits) or tr in hidden
    ]
    if any(fit_resolved(f) for f in fits):  # no band was drawn without a resolved fit ("too few data ..." h3)
        handles.append(Patch(color="0.5", alpha=0.3, label=f"fit {percent(result.confidence)} bootstrap CI"))
    if "_follow_on" in mdf.columns and mdf["_follow_on"].any():
        handles.append(Line2D([], [], ls="none", marker="o", ms=4, mfc="none", mec="0.3",
                              label="follow-on session: left out of the fit"))
    if "_second" in mdf.columns and mdf["_second"].any():
        handles.append(Line2D([], [], ls="none", marker="s", ms=7, mfc="none", mec="0.15", label=SECOND_READ_LABEL))
    if nf is not None:
        label = f"noise floor \u00b1{quantity(nf, unit)}"
        floors = {f.treatment: f.noise_floor for f in fits if f.subject is None and math.isfinite(f.noise_floor)}
        if len(set(round(v, 9) for v in floors.values())) > 1:
            label = "noise floor (largest drawn) " + ", ".join(f"{tr} \u00b1{quantity(v, unit)}" for tr, v in floors.items())
        handles.append(Patch(color="0.85", label=label))
    if isinstance(delta, dict):  # one margin per treatment
        handles += [Line2D([], [], color=colour[tr], ls="--", label=f"{tr} margin \u00b1{quantity(d, unit)}")
                    for tr, d in delta.items()]
    elif delta is not None:
        handles.append(Line2D([], [], color="0.35", ls="--", label=f"margin \u00b1{quantity(delta, unit)}"))
    pooled = [f for f in fits if f.subject is None and f.fit_ok]
    handles.append(_claim_line_handle(pooled))
    from_photos = [f for f in pooled if f.change_24h_source == FROM_PHOTOS]
    if from_photos:  # the diamond's bar is the verdict's interval (:func:`claim_marker`), not the band's level
        handles.append(Line2D([], [], color="0.3", ls="none", marker="D", ms=5, mec="k",
                              label=f"24 h: photos at 18-30 h, mean and {percent(from_photos[0].test_confidence)} CI "
                                    "(the verdict's figure)"))
    unchecked = [f.treatment for f in pooled if f.change_24h_source == FROM_CURVE_UNCHECKED]
    if unchecked:
        handles.append(Line2D([], [], ls="none", label=f"{', '.join(unchecked)}: no photo at 18-30 h, the 24 h "
                                                        "figure is the curve's extrapolation"))
    shown = sorted(set(mdf["subject"]))
    if 1 < len(shown) <= 8:
        handles += [
            Line2D([], [], color="0.3", ls="none", marker=marker[s], ms=5, label=f"subject {s}") for s in shown
        ]
    return handles


def plot_regimen(levels: pd.DataFrame, regimen: pd.DataFrame, path=None, *, layout: str = "wide"):
    """Pre-session level versus days since the first session, with the fitted slope (one panel per metric/side).

    The line's legend gives its slope per week with its CI (:func:`slope_label`); dashed lines at
    ±``smallest_meaningful_change``, the margin the verdict reads, as :func:`plot_timeline` draws it.

    Parameters
    ----------
    levels : pandas.DataFrame
        The levels table given to :func:`facemetrics.decay.analyze_regimen`.
    regimen : pandas.DataFrame
        Its result: one row (one panel) per treatment, metric and side.
    path : str or os.PathLike, optional
        When given, the figure is saved there as PNG (110 dpi "wide", :data:`NARROW_DPI` "narrow").
    layout : {"wide", "narrow"}
        "wide" (default; the CLI's ``regimen.png``): two panels a row, 6.4 in each, the legend 7 pt inside.
        "narrow" (the app's *My study*): one panel a row, :data:`NARROW_WIDTH_IN` wide, every text's cap height
        :data:`NARROW_CAP_PER_WIDTH` of the width, the legend under its panel, wrapped (never between a number
        and its unit).

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ValueError
        ``layout`` is not "wide" or "narrow" (no "column" layout: *My study* shows it in 2/5 of the page).
    SeriesError
        ``levels`` is not a levels table (as :func:`facemetrics.decay.analyze_regimen`), or
        ``regimen`` has no rows (nothing to plot) or lacks a column the plot needs.
    TypeError
        ``regimen`` is not a DataFrame.
    """
    import_matplotlib()
    from matplotlib.figure import Figure

    _check_layout(layout, ("wide", "narrow"))
    df = regimen_levels(levels)  # the points the fit used, labelled as its rows are ("(no treatment)", ...)
    _check_table(regimen, "regimen", _REGIMEN_PLOT_COLUMNS, SeriesError)
    keys = [(r.treatment, r.metric, r.side) for r in regimen.itertuples()]
    n = len(keys)  # at least 1: an empty table is refused above
    subs = [df[(df["treatment"] == tr) & (df["metric"] == metric) & (df["side"] == side)]
            for tr, metric, side in keys]
    if layout == "narrow":
        font = narrow_font_pt()
        chars = _narrow_chars(font)
        line_in = 1.25 * font / 72.0
        heights = []
        for k in range(n):  # the panel (plot, title, tick labels, x label), then its legend's wrapped lines
            labels = _regimen_labels(subs[k], regimen.iloc[k])
            heights += [0.6 * NARROW_WIDTH_IN + 5 * line_in,
                        0.2 + line_in * 1.15 * sum(_wrap(t, chars - 3).count("\n") + 1 for t in labels)]
        fig = Figure(figsize=(NARROW_WIDTH_IN, sum(heights)), layout="constrained")
        axes = fig.subplots(len(heights), 1, squeeze=False, gridspec_kw=dict(height_ratios=heights)).ravel()
        for k, (tr, metric, side) in enumerate(keys):
            _draw_regimen_panel(axes[2 * k], subs[k], regimen.iloc[k], k, title=f"regimen: {tr}, {metric} ({side})",
                                font=font, chars=chars, legend_ax=axes[2 * k + 1])
        if path is not None:
            write_bytes(figure_png(fig, dpi=NARROW_DPI), path)
        return fig
    ncols = min(n, 2)
    nrows = math.ceil(n / ncols)
    fig = Figure(figsize=(6.4 * ncols, 4.0 * nrows), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    for ax in axes[len(keys):]:
        ax.set_visible(False)
    for k, (ax, (tr, metric, side)) in enumerate(zip(axes, keys)):
        _draw_regimen_panel(ax, subs[k], regimen.iloc[k], k, title=f"regimen: {tr}, {metric} ({side})")
    if path is not None:
        write_bytes(figure_png(fig, dpi=110), path)  # marked as facemetrics', atomically
    return fig


def _regimen_labels(sub: pd.DataFrame, r) -> list[str]:
    """The legend entries of a regimen panel (as :func:`_draw_regimen_panel` draws them), to size its legend."""
    labels = ["pre-session photos vs day 0"]
    if math.isfinite(float(r["slope_per_week"])) and len(sub):
        labels.append(slope_label(r))
    delta = pd.to_numeric(r.get("smallest_meaningful_change"), errors="coerce")
    if pd.notna(delta) and delta > 0:
        labels.append(f"margin \u00b1{quantity(float(delta), r['unit'] or '')}")
    return labels


def _draw_regimen_panel(ax, sub: pd.DataFrame, r, k: int, *, title: str, font: float | None = None,
                        chars: int = 0, legend_ax=None) -> None:
    """One regimen panel: the pre-session levels (days, metric unit), the fitted slope, the margin.

    ``font`` (pt): every text's size, ``chars``: the title, x label and legend wrapped to it, ``legend_ax``: an axes
    (its frame hidden) the legend fills, under the panel (the "narrow" layout); by default matplotlib's sizes and
    the legend 7 pt inside the panel (the "wide" one)."""
    colour = _COLOURS[k % len(_COLOURS)]
    ms = 4 if font is None else 6
    ax.plot(sub["days_since_start"], sub["value"], "o", ms=ms, alpha=0.6,
            color=colour, mec="none", label="pre-session photos vs day 0")
    if math.isfinite(float(r["slope_per_week"])) and len(sub):
        dd = np.linspace(0, float(sub["days_since_start"].max()), 50)
        y0 = float(pd.to_numeric(sub["value"], errors="coerce").mean()
                   - r["slope_per_week"] / 7.0 * sub["days_since_start"].mean())
        ax.plot(dd, y0 + r["slope_per_week"] / 7.0 * dd, color=colour, lw=2,
                label=slope_label(r))
    ax.axhline(0.0, color="0.6", lw=0.8)
    delta = pd.to_numeric(r.get("smallest_meaningful_change"), errors="coerce")
    if pd.notna(delta) and delta > 0:  # the margin the verdict reads, as the timeline draws it
        for sign in (1, -1):
            ax.axhline(sign * delta, color="0.35", ls="--", lw=0.9,
                       label=f"margin \u00b1{quantity(float(delta), r['unit'] or '')}" if sign > 0 else None)
    unit = change_unit(r["unit"] or "", str(r.get("metric") or ""))  # a change from day 0: "pp" for a percentage
    xlabel = "days since the first session"
    ylabel = f"level vs day 0 [{unit}]" if unit else "level vs day 0"
    if font is not None:
        ax.set_xlabel(_wrap(xlabel, chars), fontsize=font)
        ax.set_ylabel(ylabel, fontsize=font)
        ax.set_title(_wrap(title, chars), fontsize=font)
        ax.tick_params(labelsize=font)
        handles, labels = ax.get_legend_handles_labels()
        legend_ax.set_axis_off()
        legend_ax.legend(handles, [_wrap(t, chars - 3, (unit,)) for t in labels], fontsize=font, loc="upper left",
                         bbox_to_anchor=(0.0, 1.0), ncol=1, frameon=False, borderaxespad=0.0, handlelength=1.6,
                         markerscale=1.3)
        return
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend(fontsize=7, loc="best")


def slope_label(r) -> str:
    """The legend of a regimen panel's fitted line: its slope with its unit and interval, as ``report.md``'s
    regimen table gives it: ``"0.14 mm / week (95% CI 0.10 to 0.18 mm / week)"``; ``"(no CI)"`` when the row has
    none (``n_boot`` 0, or an older table without the CI columns).  It showed the slope alone (an audit,
    2026-12-04: a figure without its uncertainty).

    Parameters
    ----------
    r : mapping
        A regimen row (:func:`facemetrics.decay.analyze_regimen`): ``slope_per_week``, ``unit`` and,
        when present, ``slope_per_week_ci_low`` / ``_ci_high`` and ``confidence`` (a fraction).
    """
    unit = change_unit(str(r.get("unit") or "").strip(), str(r.get("metric") or ""))  # pp for a percentage's slope
    per = f"{unit} / week" if unit else "/ week"
    lo, hi = (pd.to_numeric(r.get(f"slope_per_week_ci_{end}"), errors="coerce") for end in ("low", "high"))
    conf = pd.to_numeric(r.get("confidence"), errors="coerce")
    level = percent(float(conf)) if pd.notna(conf) else "95%"
    ci = f"({level} CI {ci_range(lo, hi)} {per})" if pd.notna(lo) and pd.notna(hi) else "(no CI)"
    return f"{num(r['slope_per_week'])} {per} {ci}"


#: the columns of an :func:`facemetrics.decay.analyze_regimen` table that :func:`plot_regimen` reads
_REGIMEN_PLOT_COLUMNS = ("treatment", "metric", "side", "slope_per_week", "unit")


def _check_table(table, name: str, columns, error=ValueError) -> None:
    """Refuse a plot's table argument with a message naming it: ``TypeError`` when it is not a
    DataFrame (None, a dict ...), ``error`` when it lacks one of ``columns`` or has no rows
    (pandas and matplotlib raised an AttributeError or KeyError deep inside, or drew an empty figure)."""
    if not isinstance(table, pd.DataFrame):
        raise TypeError(f"{name} must be a pandas DataFrame, not {type(table).__name__}")
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise error(f"{name} lacks column(s) {', '.join(missing)}")
    if table.empty:
        raise error(f"{name} has no rows: nothing to plot")


# --- the validation's report card ----------------------------------------------


def plot_validation(recovery: pd.DataFrame, nuisance: pd.DataFrame, folds: pd.DataFrame, path=None, *,
                    layout: str = "wide"):
    """The three panels of ``validation.png`` (:func:`facemetrics.validate.run_validation`).

    1. Recovered vs true lift: one series of points per metric (``measured_mm``
       against ``true_mm``) and the dashed identity line from 0 to 3 mm.
    2. False lift of the unlifted photo under each nuisance: horizontal bars,
       one group per nuisance, one bar per metric (``false_lift_mm``).
    3. Fold index: ``nlf_depth`` change against the simulated darkening, one
       line per column after ``darkening`` (right, then left).

    Parameters
    ----------
    recovery : pandas.DataFrame
        ``recovery.csv``: columns ``metric``, ``true_mm``, ``measured_mm`` (mm).
    nuisance : pandas.DataFrame
        ``nuisance.csv``: columns ``nuisance``, ``metric``, ``false_lift_mm`` (mm).
    folds : pandas.DataFrame
        ``folds.csv``: column ``darkening`` (fraction, 0-1), then one
        ``nlf_depth`` change column per side (index, unitless).
    path : str or os.PathLike, optional
        When given, the figure is saved there (format from the suffix; 100 dpi "wide", :data:`NARROW_DPI`
        "narrow").
    layout : {"wide", "narrow"}
        "wide" (default; ``facemetrics validate``'s ``validation.png``): the three panels side by side, 13 in
        wide, legends 7 pt.  "narrow" (a phone's width): one panel a row, :data:`NARROW_WIDTH_IN` wide, each
        legend under its panel, every text's cap height :data:`NARROW_CAP_PER_WIDTH` of the width (10.5 px shown
        356 px wide; the wide figure's 7-12 pt text was 1.9-3.3 px there), each wrapped to the width.

    Returns
    -------
    matplotlib.figure.Figure
        "wide": 13 x 4 inches, three axes: recovery, nuisances, fold index.  "narrow": 6 in wide, the three
        panels one under another, each followed by its legend's axes (its frame hidden).

    Raises
    ------
    TypeError
        A table is not a DataFrame.
    ValueError
        A table has no rows or lacks a column named above (``folds`` needs a column after ``darkening``), or
        ``layout`` is not "wide" or "narrow".
    """
    import_matplotlib()
    from matplotlib.figure import Figure

    _check_layout(layout, ("wide", "narrow"))
    _check_table(recovery, "recovery", ("metric", "true_mm", "measured_mm"))
    _check_table(nuisance, "nuisance", ("nuisance", "metric", "false_lift_mm"))
    _check_table(folds, "folds", ("darkening",))
    if len(folds.columns) < 2:
        raise ValueError("folds has no nlf_depth change column after darkening: nothing to plot")
    if layout == "narrow":
        fig = _narrow_validation(recovery, nuisance, folds)
        if path is not None:
            write_bytes(figure_png(fig, dpi=NARROW_DPI), path)
        return fig
    fig = Figure(figsize=(13, 4), layout="constrained")
    a, b, c = fig.subplots(1, 3)
    for m, g in recovery.groupby("metric"):
        a.plot(g["true_mm"], g["measured_mm"], "o", alpha=0.6, label=m)
    a.plot([0, 3], [0, 3], "k--", lw=1)
    a.set(xlabel="true lift [mm]", ylabel="measured lift [mm]", title="recovered vs true lift")
    a.legend(fontsize=7)
    p = nuisance.pivot(index="nuisance", columns="metric", values="false_lift_mm")
    p.plot.barh(ax=b)
    b.set(xlabel="false lift [mm]", title="unlifted photo under nuisances")
    for col in folds.columns[1:]:
        c.plot(folds["darkening"], folds[col], "o-", label=col)
    c.set(xlabel="simulated fold darkening (fraction)", ylabel="nlf_depth change [index]", title="fold index")
    c.legend(fontsize=7)
    if path is not None:
        write_bytes(figure_png(fig, dpi=100), path)  # marked as facemetrics', atomically
    return fig


def _narrow_validation(recovery: pd.DataFrame, nuisance: pd.DataFrame, folds: pd.DataFrame):
    """:func:`plot_validation`'s "narrow" layout: recovery, nuisances and fold index one under another, each
    legend in its own axes under its panel (entry for entry the wide figure's), every text :func:`narrow_font_pt`,
    wrapped to the width; the nuisances' bars drawn as the wide figure's (one group a nuisance, one bar a metric,
    in its colours), their names wrapped beside them."""
    import_matplotlib()
    from matplotlib.figure import Figure

    font = narrow_font_pt()
    chars = _narrow_chars(font)
    line_in = 1.25 * font / 72.0
    colours = [f"C{k}" for k in range(10)]
    p = nuisance.pivot(index="nuisance", columns="metric", values="false_lift_mm")
    rec_metrics = [m for m, _ in recovery.groupby("metric")]
    fold_cols = list(folds.columns[1:])
    names = [_wrap(str(n), 14) for n in p.index]

    def legend_in(labels) -> float:
        return 0.2 + line_in * 1.15 * sum(_wrap(str(t), chars - 3).count("\n") + 1 for t in labels)

    panel_in = 0.62 * NARROW_WIDTH_IN + 5 * line_in
    bars_in = max(panel_in, 3 * line_in + line_in * sum(n.count("\n") + 1.6 for n in names))
    heights = [panel_in, legend_in(rec_metrics), bars_in, legend_in(["metric", *p.columns]), panel_in,
               legend_in(fold_cols)]
    fig = Figure(figsize=(NARROW_WIDTH_IN, sum(heights)), layout="constrained")
    a, la, b, lb, c, lc = fig.subplots(6, 1, gridspec_kw=dict(height_ratios=heights))

    def labels(ax, xlabel: str, ylabel: str, title: str) -> None:  # centred on the axes: 2/3 of the width
        ax.set_xlabel(_wrap(xlabel, 2 * chars // 3), fontsize=font)
        ax.set_ylabel(_wrap(ylabel, 24), fontsize=font)
        ax.set_title(_wrap(title, 2 * chars // 3), fontsize=font)
        ax.tick_params(labelsize=font)

    def legend(ax, handles, title=None) -> None:
        for h in handles:
            h.set_label(_wrap(h.get_label(), chars - 3))
        ax.set_axis_off()
        leg = ax.legend(handles=handles, fontsize=font, loc="upper left", bbox_to_anchor=(0.0, 1.0), ncol=1,
                        frameon=False, borderaxespad=0.0, handlelength=1.6, title=title,
                        title_fontproperties=dict(size=font), alignment="left")
        return leg

    for m, g in recovery.groupby("metric"):
        a.plot(g["true_mm"], g["measured_mm"], "o", alpha=0.6, ms=7, label=m)
    a.plot([0, 3], [0, 3], "k--", lw=1)
    labels(a, "true lift [mm]", "measured lift [mm]", "recovered vs true lift")
    legend(la, a.get_legend_handles_labels()[0])
    y = np.arange(len(p.index), dtype=float)
    h = 0.8 / max(len(p.columns), 1)
    for k, m in enumerate(p.columns):  # as pandas' barh draws them: the first metric lowest in each group
        b.barh(y - 0.4 + h * (k + 0.5), p[m].to_numpy(dtype=float), height=h, color=colours[k % 10], label=m)
    b.set_yticks(y, names)
    b.axvline(0.0, color="0.5", lw=0.8)
    labels(b, "false lift [mm]", "nuisance", "unlifted photo under nuisances")
    legend(lb, b.get_legend_handles_labels()[0], title="metric")
    for col in fold_cols:
        c.plot(folds["darkening"], folds[col], "o-", label=col)
    labels(c, "simulated fold darkening (fraction)", "nlf_depth change [index]", "fold index")
    legend(lc, c.get_legend_handles_labels()[0])
    return fig


# --- the comparison of two photos ---------------------------------------------

_BEFORE_COLOUR = "#00d8ff"


_AFTER_COLOUR = "#ff2bd6"


def _jawline_lift_title(row, scale_sd: float = math.nan) -> str:
    """The lift panel's headline: the jawline lift row (a :class:`facemetrics.compare.Change`): its change
    (mm), verdict and noise floor (mm), and the mm scale's share of its uncertainty when known (``scale_sd``,
    1 SD, mm: ``comparison.csv``'s ``change_scale_sd``, ", scale ± 0.07 mm"), or "not measured" and why, never
    ``+nan mm`` (a refused comparison keeps its alignment, and its figure, but measures no change)."""
    if not math.isfinite(row.change):
        return "jawline lift not measured" + (f" ({row.verdict})" if row.verdict else "")
    scale = f", scale ± {fixed_uncertainty(scale_sd, 2)} mm" if math.isfinite(scale_sd) else ""
    return f"jawline lift {fixed(row.change, 2, True)} mm ({row.verdict}, noise floor {fixed(row.noise_floor, 2)} mm{scale})"


def comparison_overlay(c: Comparison, dpi: int = 100, layout: str = "wide") -> np.ndarray:
    """Before and aligned after with both jaw contours, and a heat map of the vertical displacement (mm) with a
    colour bar.

    Parameters
    ----------
    c : Comparison
        A comparison with an alignment (``c.grid`` is not None).
    dpi : int
        Resolution of the rendered figure.
    layout : {"wide", "narrow", "column"}
        "wide" (default; ``facemetrics compare``'s ``overlay.png``): the three side by side, 16.5 in wide, text
        8.5-11 pt.  "narrow" (the app at a phone's width): stacked, the colour bar horizontal under the map,
        :data:`NARROW_WIDTH_IN` wide, every text's cap height :data:`NARROW_CAP_PER_WIDTH` of the width
        (:func:`comparison_figure`), the white space a fixed height leaves between them trimmed.  "column" (the
        app's column on a desktop, 480 px and wider): before and after side by side, the map under them beside
        the jawline lift and the contours' legend, :data:`COLUMN_WIDTH_IN` wide, every text's cap height
        :data:`COLUMN_CAP_PER_WIDTH` of the width, trimmed as "narrow".

    Returns
    -------
    ndarray, shape (h, w, 3), uint8 RGB
        About 1650 x 760 px at ``dpi=100`` ("wide"); 600 px wide and about 3 times the aligned photos' height
        ("narrow"); 800 px wide and about twice the height of a photo 400 px wide ("column").

    Raises
    ------
    ValueError
        The comparison has no alignment, or ``layout`` is not one of :data:`LAYOUTS`.
    """
    fig = comparison_figure(c, layout, dpi=dpi)
    canvas = fig.canvas
    canvas.draw()
    rgb = np.asarray(canvas.buffer_rgba())[..., :3].copy()
    return rgb if layout == "wide" else trim_white_bands(rgb, keep_px=round(0.12 * dpi))


def comparison_figure(c: Comparison, layout: str = "wide", dpi: int = 100):
    """:func:`comparison_overlay`'s figure (a :class:`matplotlib.figure.Figure` on an Agg canvas, not drawn):
    "wide" the photos and the map side by side, "narrow" stacked with every text :func:`narrow_font_pt`."""
    import_matplotlib()
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    _check_layout(layout)
    if c.grid is None:
        raise ValueError("no alignment to draw: the comparison was refused before alignment")
    if layout == "narrow":
        return _narrow_comparison(c, dpi)
    if layout == "column":
        return _column_comparison(c, dpi)
    grid = c.grid
    frame = c.before.frame
    # both contours from the landmarks alone (the after photo has no refined contour in this frame)
    jb = grid.from_px(jaw_metrics(c.before.points, frame).contour_px)
    ja = grid.from_px(jaw_metrics(c.after_points, frame).contour_px)
    quiet_missing_glyphs()  # a photo named 日本.jpg: boxes in the title, no console warning per letter
    fig = Figure(figsize=(16.5, 7.6 + 0.2 * min(len(c.messages), 5)), dpi=dpi)
    FigureCanvasAgg(fig)
    axes = fig.subplots(1, 3, gridspec_kw=dict(width_ratios=(1, 1, 1.18)))
    for ax, img, title in ((axes[0], c.before_grid, f"before: {c.before.name}"),
                           (axes[1], c.after_grid, f"after (aligned): {c.after.name}")):
        ax.imshow(img)
        ax.plot(jb[:, 0], jb[:, 1], color=_BEFORE_COLOUR, lw=1.6, label="jaw contour before")
        ax.plot(ja[:, 0], ja[:, 1], color=_AFTER_COLOUR, lw=1.6, ls="--", label="jaw contour after")
        ax.set_title(title, fontsize=10)
        ax.set_axis_off()
    axes[0].legend(loc="lower left", fontsize=8, framealpha=0.8)
    ax = axes[2]
    im = _displacement_map(ax, c, jb)
    jaw = c.get("jawline_lift_mm", "mean")
    ax.set_title("vertical displacement after → before (regions outlined)\n"
                 + _jawline_lift_title(jaw, change_scale_sd(jaw.change, jaw.unit, c.scale_uncertainty_pct)),
                 fontsize=10)
    cb = fig.colorbar(im, ax=ax, fraction=0.046, pad=0.02)
    cb.set_label("vertical displacement, mm  (+ up = lift, − down = sag)")
    colour = "#b00000" if c.status != "ok" else "#006000"
    fig.suptitle(f"{c.status.upper()}: {c.before.name} → {c.after.name}  (noise floors: {c.noise_source})",
                 fontsize=11, color=colour)
    lines = []
    for m in c.messages[:5]:
        lines += textwrap.wrap(m, 210, initial_indent="• ", subsequent_indent="   ")
    bottom = min(0.02 + 0.022 * len(lines), 0.3)
    if lines:
        fig.text(0.01, bottom - 0.01, "\n".join(lines), fontsize=8.5, color=colour, va="top", ha="left")
    fig.tight_layout(rect=(0, bottom, 1, 0.95))
    return fig


def _displacement_map(ax, c: Comparison, jb: np.ndarray):
    """The map panel: the before photo in grey, the vertical displacement (mm) over it, the regions outlined,
    the before jaw contour; returns the map's image (for its colour bar)."""
    grey = cv2.cvtColor(c.before_grid, cv2.COLOR_RGB2GRAY)
    ax.imshow(grey, cmap="gray", vmin=0, vmax=255)
    lm = c.lift_map_mm
    finite = np.abs(lm[np.isfinite(lm)])
    vmax = float(max(0.5, np.percentile(finite, 99) if finite.size else 0.5))
    im = ax.imshow(lm, cmap="RdBu_r", vmin=-vmax, vmax=vmax, alpha=0.75)
    for (region, side), mask in c.region_masks.items():
        cs = cv2.findContours(mask.astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)[0]
        for cnt in cs:
            p = cnt[:, 0]
            ax.plot(np.r_[p[:, 0], p[0, 0]], np.r_[p[:, 1], p[0, 1]], color="k", lw=0.7)
    ax.plot(jb[:, 0], jb[:, 1], color=_BEFORE_COLOUR, lw=1.2)
    ax.set_axis_off()
    return im


def _narrow_comparison(c: Comparison, dpi: int):
    """The "narrow" comparison figure: the headline, before, after (aligned), the contours' legend, the map with
    its title and a horizontal colour bar, the messages; each text wrapped to the width."""
    import_matplotlib()
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    grid = c.grid
    frame = c.before.frame
    jb = grid.from_px(jaw_metrics(c.before.points, frame).contour_px)
    ja = grid.from_px(jaw_metrics(c.after_points, frame).contour_px)
    quiet_missing_glyphs()
    font = narrow_font_pt()
    chars = _narrow_chars(font)
    line_in = 1.3 * font / 72.0
    colour = "#b00000" if c.status != "ok" else "#006000"
    head = _wrap(f"{c.status.upper()}: {c.before.name} → {c.after.name}  (noise floors: {c.noise_source})", chars)
    jaw = c.get("jawline_lift_mm", "mean")
    map_title = _wrap("vertical displacement after → before (regions outlined): "
                      + _jawline_lift_title(jaw, change_scale_sd(jaw.change, jaw.unit, c.scale_uncertainty_pct)),
                      chars)
    notes = "\n".join(_wrap("• " + m, chars) for m in c.messages[:5])
    titles = (_wrap(f"before: {c.before.name}", chars), _wrap(f"after (aligned): {c.after.name}", chars))
    h, w = c.before_grid.shape[:2]
    photo_in = 0.96 * NARROW_WIDTH_IN * h / w
    lines = sum(t.count("\n") + 1 for t in (head, map_title, notes if notes else "", *titles)) + 2 + 4
    fig = Figure(figsize=(NARROW_WIDTH_IN, 3 * photo_in + line_in * lines + 0.6), dpi=dpi, layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(3, 1)
    for ax, img, title in ((axes[0], c.before_grid, titles[0]), (axes[1], c.after_grid, titles[1])):
        ax.imshow(img)
        ax.plot(jb[:, 0], jb[:, 1], color=_BEFORE_COLOUR, lw=2.0, label="jaw contour before")
        ax.plot(ja[:, 0], ja[:, 1], color=_AFTER_COLOUR, lw=2.0, ls="--", label="jaw contour after")
        ax.set_title(title, fontsize=font)
        ax.set_axis_off()
    axes[1].legend(loc="upper center", bbox_to_anchor=(0.5, -0.01), fontsize=font, ncol=1, frameon=False,
                   handlelength=2.2)
    im = _displacement_map(axes[2], c, jb)
    axes[2].set_title(map_title, fontsize=font)
    cb = fig.colorbar(im, ax=axes[2], orientation="horizontal", location="bottom", fraction=0.05, pad=0.02,
                      aspect=25)
    cb.set_label(_wrap("vertical displacement, mm (+ up = lift, − down = sag)", chars), fontsize=font)
    cb.ax.tick_params(labelsize=font)
    fig.suptitle(head, fontsize=font, color=colour)
    if notes:
        fig.supxlabel(notes, fontsize=font, color=colour, ha="left", x=0.02)
    return fig


def _column_comparison(c: Comparison, dpi: int):
    """The "column" comparison figure (a desktop page's column): before and aligned after side by side, under them
    the map with its title and a horizontal colour bar beside the contours' legend, titled with the jawline lift
    (its verdict, floor and scale ±), the messages under all; :data:`COLUMN_WIDTH_IN` wide, every text
    :data:`COLUMN_CAP_PER_WIDTH` of the width, each wrapped to its panel's width."""
    import_matplotlib()
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    grid = c.grid
    frame = c.before.frame
    jb = grid.from_px(jaw_metrics(c.before.points, frame).contour_px)
    ja = grid.from_px(jaw_metrics(c.after_points, frame).contour_px)
    quiet_missing_glyphs()
    width = COLUMN_WIDTH_IN
    font = narrow_font_pt(width, COLUMN_CAP_PER_WIDTH)
    chars, half = _narrow_chars(font, width), _narrow_chars(font, width / 2, share=0.88)
    line_in = 1.3 * font / 72.0
    colour = "#b00000" if c.status != "ok" else "#006000"
    head = _wrap(f"{c.status.upper()}: {c.before.name} → {c.after.name}  (noise floors: {c.noise_source})", chars)
    jaw = c.get("jawline_lift_mm", "mean")
    lift = _wrap(_jawline_lift_title(jaw, change_scale_sd(jaw.change, jaw.unit, c.scale_uncertainty_pct)), half)
    map_title = _wrap("vertical displacement after → before (regions outlined)", half)
    bar_label = _wrap("vertical displacement, mm (+ up = lift, − down = sag)", half)
    notes = "\n".join(_wrap("• " + m, chars) for m in c.messages[:5])
    titles = (_wrap(f"before: {c.before.name}", half), _wrap(f"after (aligned): {c.after.name}", half))
    h, w = c.before_grid.shape[:2]
    photo_in = 0.94 * width / 2 * h / w

    def n(t: str) -> int:
        return t.count("\n") + 1 if t else 0

    lines = n(head) + max(n(titles[0]), n(titles[1])) + n(map_title) + n(bar_label) + 2 + n(notes) + 3
    fig = Figure(figsize=(width, 2 * photo_in + line_in * lines + 0.5), dpi=dpi, layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(2, 2)
    for ax, img, title in ((axes[0, 0], c.before_grid, titles[0]), (axes[0, 1], c.after_grid, titles[1])):
        ax.imshow(img)
        ax.plot(jb[:, 0], jb[:, 1], color=_BEFORE_COLOUR, lw=1.8, label="jaw contour before")
        ax.plot(ja[:, 0], ja[:, 1], color=_AFTER_COLOUR, lw=1.8, ls="--", label="jaw contour after")
        ax.set_title(title, fontsize=font)
        ax.set_axis_off()
    im = _displacement_map(axes[1, 0], c, jb)
    axes[1, 0].set_title(map_title, fontsize=font)
    cb = fig.colorbar(im, ax=axes[1, 0], orientation="horizontal", location="bottom", fraction=0.05, pad=0.02,
                      aspect=20)
    cb.set_label(bar_label, fontsize=font)
    cb.ax.tick_params(labelsize=font)
    key = axes[1, 1]  # the jawline lift (the map's headline) and the contours' legend beside the map
    key.set_axis_off()
    handles, labels = axes[0, 0].get_legend_handles_labels()
    leg = key.legend(handles, labels, loc="upper left", bbox_to_anchor=(0.0, 1.0), fontsize=font, frameon=False,
                     handlelength=2.0, title=lift, title_fontproperties=dict(size=font), alignment="left")
    leg.get_title().set_color(colour)
    fig.suptitle(head, fontsize=font, color=colour)
    if notes:
        fig.supxlabel(notes, fontsize=font, color=colour, ha="left", x=0.02)
    return fig

