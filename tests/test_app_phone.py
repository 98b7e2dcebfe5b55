"""The app at a phone's width (390 x 844, an iPhone 12-14 in portrait; 2026-12-05).

At 390 px the comparison table, a photo's figures and My study's photo table scrolled sideways inside
themselves (the comparison's verdict 466 px to the right of the screen's edge).  Each is now drawn twice, a wide
table and a compact one, and a CSS container query on the width it is given shows one (``app.fitted``,
``app.LAYOUT_CSS``: no script).  The compact tables are checked here without a browser (AppTest: the same verdicts
and texts as the wide table, each with its unit) and in Debian's Chromium (the verdict column inside the screen,
nothing past its right edge, the wide table hidden; at 1366 px the reverse).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from conftest import app_module
from test_app import _shown_texts
from browsing import need_browser, open_app, page_state, running_app, wait_settled, wait_shown

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_images"
PHONE = dict(viewport={"width": 390, "height": 844}, device_scale_factor=3, is_mobile=True, has_touch=True)
DESK = dict(viewport={"width": 1366, "height": 768})

pytest.importorskip("streamlit")
from streamlit.testing.v1 import AppTest  # noqa: E402


@pytest.fixture(scope="module")
def after_bytes() -> bytes:
    """The bundled "after" sample: the before photo with a simulated 1.5 mm lift."""
    return (SAMPLES / "astronaut_after.jpg").read_bytes()


def _pair_app(after_bytes) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.run()
    before = (SAMPLES / "astronaut_before.jpg").read_bytes()
    at.file_uploader[0].set_value([("before.jpg", before, "image/jpeg"), ("after.jpg", after_bytes, "image/jpeg")])
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_the_compact_comparison_table_says_what_the_wide_one_does(after_bytes, no_display_figures):
    """The phone's comparison table: the verdict first, then the change with its scale ± and unit, the floor with
    its unit, the metric with its side; row for row the wide table's verdicts and cell texts (app.table_styled),
    and each photo's values (a fold's with its ±) in the table under it."""
    at = _pair_app(after_bytes)
    wide = next(d for d in at.dataframe if "verdict" in d.value.columns and "change" in d.value.columns)
    data, shown = wide.value, _shown_texts(wide)  # the numbers, and the wide table's texts of them
    texts = {(r, c): shown.loc[r, c] for r in data.index for c in ("change", "noise_floor", "unit")}
    # shown literally (Markdown-escaped), the break marks (app.md_cells) taken out: app.plain_cell
    tables = [t.value.map(app_module().plain_cell) for t in at.table]
    compact = next(t for t in tables if list(t.columns) == ["verdict", "change ± scale", "floor", "metric"])
    assert len(compact) == len(data)
    assert list(compact["verdict"]) == list(data["verdict"])
    for k, r in enumerate(data.index):
        unit = texts[(r, "unit")]  # as the wide table writes it: "%" for pct (stop 56, c1)
        assert unit != "pct" and unit != "mm2"
        # a percentage's change and floor: the wide cells carry "pp" themselves (its unit column's "%" is the
        # before / after's), the compact ones the same text (stop 60, Round 21)
        pp = data.loc[r, "unit"] == "pct" and "change" not in data.loc[r, "metric"]
        assert texts[(r, "change")].endswith(" pp") == pp and texts[(r, "noise_floor")].endswith(" pp") == pp
        tail = "" if pp else f" {unit}"
        assert compact.iloc[k]["change ± scale"] == f"{texts[(r, 'change')]}{tail}", compact.iloc[k]
        assert compact.iloc[k]["floor"] == f"{texts[(r, 'noise_floor')]}{tail}", compact.iloc[k]
        assert compact.iloc[k]["metric"] == f"{data.loc[r, 'metric']}, {data.loc[r, 'side']}"
    jaw = compact[compact["metric"] == "jawline_lift_mm, mean"].iloc[0]
    assert re.fullmatch(r"\+1\.\d\d ± 0\.\d\d mm", jaw["change ± scale"]) and jaw["verdict"] == "lift", jaw
    values = next(t for t in tables if list(t.columns) == ["metric", "before", "after"])
    folds = values[values["metric"].str.startswith("nlf_depth")]
    assert len(folds) and folds["before"].str.contains("±").all() and folds["after"].str.endswith(" index").all()
    has = data[data["before"].notna() | data["after"].notna()]  # a dense-flow lift has no value of its own
    assert list(values["metric"]) == [f"{m}, {sd}" for m, sd in zip(has["metric"], has["side"])]
    assert "jawline_lift_mm, mean" not in set(values["metric"])


def test_compact_tables_carry_units_and_blank_what_the_wide_one_blanks():
    app = app_module()
    shown = pd.DataFrame(dict(metric=["jawline_lift_mm", "nlf_depth", "head_yaw_change_deg"],
                              side=["mean", "right", "mean"], change=[1.5912, -0.31, float("nan")],
                              unit=["mm", "index", "deg"], noise_floor=[0.1, 0.84, 0.03],
                              verdict=["lift", "within_noise", "uncertain"], before=[float("nan"), 16.3, 1.0],
                              after=[float("nan"), 16.0, 1.2], change_scale_sd=[0.0712, float("nan"), float("nan")]))
    c = app.compact_table(shown)
    assert list(c["change ± scale"]) == ["+1.59 ± 0.07 mm", "-0.31 index", ""]
    assert list(c["floor"]) == ["0.10 mm", "0.84 index", "0.03 deg"]
    v = app.compact_values(shown)
    assert list(v["metric"]) == ["nlf_depth, right", "head_yaw_change_deg, mean"]
    assert v.iloc[0]["before"].endswith(" index") and "±" in v.iloc[0]["before"]
    # every row's own value carries its ± (floor / √2 = 0.021 deg here; stop 55, b1: it was "1.00 deg")
    assert list(v.iloc[1][["before", "after"]]) == ["1.000 ± 0.021 deg", "1.200 ± 0.021 deg"]


def test_the_compact_figures_and_study_tables():
    app = app_module()
    row = dict(mm_per_px=0.1845, mm_per_px_uncertainty_pct=1.2, jawline_height_mm=96.2, jaw_width_mm=float("nan"),
               jaw_angle_right_deg=138.0, nlf_depth_right=16.84, calibration_source="iris")
    figures = app.photo_figures(row)
    c = app.figures_compact(figures)
    assert list(c.columns) == ["figure", "value", "floor"] and len(c) == len(figures)  # the ± in the value
    by = c.set_index("figure")
    assert by.loc["jawline height below the pupils", "value"] == "96.2 ± 3.5 mm"  # hypot(3.7 / √2, 1.96 x 1.15)
    assert by.loc["jaw width", "value"] == "n/a"
    assert by.loc["mm per pixel (scale)", "value"] == "0.1845 ± 0.0043 mm/px"
    photos = pd.DataFrame(dict(taken_at=["2026-11-02T07:30:00"], role=["baseline"], treatment=["rf"],
                               treated_at=["2026-11-02T08:00:00"], original_name=["a.jpg"], capture_note=[""],
                               status=["ok"], error=[""]))
    assert list(app.study_compact(photos).columns) == ["status", "role", "taken_at", "original_name"]
    photos.loc[0, ["status", "error"]] = ["no_face", "no face found"]
    assert list(app.study_compact(photos).columns)[-1] == "error"
    # st.table reads its cells as Markdown: a file name's shown as typed
    assert app.md_cells(pd.DataFrame({"name": ["*a*_[1].jpg"]})).iloc[0, 0] == "\\*a\\*\\_\u200b\\[1\\]\\.jpg"


def test_compact_cells_break_only_after_an_underscore():
    """A compact table's cell may break after each underscore (a zero-width space there): ``fades_within_a_day``
    read "fades_wit / hin_a_da / y" at 390 px (its column 75 px).  Without the break marks and backslashes
    (``app.plain_cell``) the cell is the code, as the CSVs write it."""
    app = app_module()
    codes = ["fades_within_a_day", "nlf_depth, left", "+1.59 ± 0.07 mm", "a_*b*_.jpg"]
    cells = app.md_cells(pd.DataFrame({"v": codes}))
    assert cells.iloc[0, 0] == "fades\\_\u200bwithin\\_\u200ba\\_\u200bday"
    assert cells.iloc[1, 0] == "nlf\\_\u200bdepth, left" and "\u200b" not in cells.iloc[2, 0]
    assert cells.iloc[3, 0] == "a\\_\u200b\\*b\\*\\_\u200b\\.jpg"  # a name's Markdown still escaped
    for shown, code in zip(cells["v"], codes):
        assert app.plain_cell(shown) == code


#: where a line may break in a cell's text: a space (not a no-break one), a zero-width space, a soft hyphen,
#: after a hyphen or an underscore's zero-width space (the browser's own rules aside: "(" and digits are not)
_BREAKS = re.compile("[ \u200b\u00ad]")


def _pieces(cell: str) -> list[str]:
    """The unbreakable pieces of ``cell`` (:data:`_BREAKS`), the marks taken out: what a line may end or begin with."""
    return [p.replace("\u00a0", " ").replace("\u2060", "") for p in _BREAKS.split(cell) if p]


def test_compact_cells_keep_a_number_with_its_unit_and_its_plus_minus():
    """A compact cell never breaks between a number and its unit ("1.93" on one line, "mm" on the next), after a
    "±" or inside "95 % CI" / "mm/px" (no-break spaces, a word joiner); a line may break before a "±" (the change
    above its scale part when the whole does not fit).  A long word (10 letters or more) breaks at a syllable,
    drawn with a hyphen (soft hyphens: "micro-cur-rent", not "microcurre / nt"), a file name before its
    extension; shorter words (under 12 letters in a code), the verdicts' and the metrics', get no break inside.  Before (h11 of stop 43) the
    only break marks were after underscores: "+1.59 ± 0.07 mm" could break at any of its three spaces."""
    app = app_module()
    assert _pieces(app.cell_breaks("+1.59 ± 0.07 mm")) == ["+1.59", "± 0.07 mm"]
    assert _pieces(app.cell_breaks("-0.01 mm (95 % CI -0.04 to +0.03)")) == [
        "-0.01 mm", "(95 % CI", "-0.04", "to", "+0.03)"]
    assert _pieces(app.cell_breaks("3.0 h (95 % CI 2.9 to 3.2)"))[:2] == ["3.0 h", "(95 % CI"]
    assert _pieces(app.cell_breaks("0.1845 mm/px")) == ["0.1845 mm/px"]
    assert _pieces(app.cell_breaks("±4.5 %")) == ["±4.5 %"]
    assert _pieces(app.cell_breaks("16.84 ± 0.59 index")) == ["16.84", "± 0.59 index"]
    assert _pieces(app.cell_breaks("-91 mm2")) == ["-91 mm2"] and _pieces(app.cell_breaks("2 mm²")) == ["2 mm²"]
    assert _pieces(app.cell_breaks("0.2 mm / week")) == ["0.2 mm / week"]
    # a number before a word that is not a unit keeps its space ("3 hours"? no: "2 photos")
    assert _pieces(app.cell_breaks("2 photos")) == ["2", "photos"]
    # long words at their syllables, a hyphen drawn at the break; a file name before its extension
    assert app.cell_breaks("microcurrent") == "mi\u00adcro\u00adcur\u00adrent"
    assert _pieces(app.cell_breaks("radiofrequency")) == ["ra", "dio", "fre", "quency"]
    assert _pieces(app.cell_breaks("counterclockwise")) == ["coun", "ter", "clock", "wise"]  # "counterclo / ckwise"
    name = app.cell_breaks("S01_microcurrent_00_m0p25h.jpg")
    assert _pieces(name) == ["S01_mi", "cro", "cur", "rent_00_m0p25h", ".jpg"]
    # codes break at their underscores only, a word inside one under 12 letters whole, a word of its own under 10:
    # each fits a compact column on a line of its own, where the browser puts it ("not / resolved", not "not re- /
    # solved"; it read "not / resolve / d" in the 55 px the half-life had before)
    for word in ("persists_beyond_a_day", "within_noise", "mouth_corner_lift_mm, mean", "nlf_contrast_pct, right",
                 "smallest_meaningful_change", "not resolved", "shallower", "jawline", "lift", "S01_rf_00"):
        assert app.cell_breaks(word) == word
    for text in ("+1.59 ± 0.07 mm", "-0.01 mm (95 % CI -0.04 to +0.03)", "0.1845 mm/px",
                 "S01_microcurrent_00_m0p25h.jpg", "photobiomodulation · jawline_lift_mm, mean"):
        assert app.plain_cell(app.md_cells(pd.DataFrame({"v": [text]})).iloc[0, 0]) == text


def test_the_timeline_download_is_the_clis_figure(tmp_path):
    """The Timeline tab's ``timeline.png`` download is the figure ``facemetrics timeline`` writes of the same
    changes, byte for byte (the wide layout, 110 dpi), not the phone's figure the page shows on a phone (the
    download was that one, one panel a row, on every device: the negative control)."""
    import numpy as np

    from facemetrics.cli import main
    from test_series import MC_TIMES, RF_TIMES, simulate

    app = app_module()
    rng = np.random.default_rng(20240611)
    changes = pd.DataFrame(simulate(rng, "microcurrent", MC_TIMES, transient=2.0, half_life=3.0)
                           + simulate(rng, "rf", RF_TIMES, lasting=1.5))
    changes.to_csv(tmp_path / "long.csv", index=False)
    assert main(["timeline", str(tmp_path)]) == 0
    cli = (tmp_path / "timeline.png").read_bytes()
    metrics = tuple(sorted(changes["metric"].unique()))
    assert app.timeline_download_png(changes, metrics) == cli
    _, phone, _ = app.timeline(changes, metrics)
    assert phone != cli  # what the download was
    bad = changes.assign(side=float("nan"))  # a table the fit refuses: no figure, no traceback
    assert app.timeline_download_png(bad, metrics) is None


def test_the_compact_timeline_table_says_what_the_wide_one_does():
    """The Timeline table on a phone (its 41 columns took 4560 px in 322 at 390 px): one row a fit, its verdict
    first, the fit in words, the change at 24 h and the half-life each with its 95 % CI and unit, as the wide
    table's row; every column of one fit, one a line, under it."""
    import numpy as np

    from facemetrics.decay import analyze_series
    from test_series import MC_TIMES, RF_TIMES, simulate

    app = app_module()
    rng = np.random.default_rng(20240611)
    rows = simulate(rng, "microcurrent", MC_TIMES, transient=2.0, half_life=3.0)
    rows += simulate(rng, "rf", RF_TIMES, lasting=1.5)
    table = analyze_series(pd.DataFrame(rows)).to_frame()
    c = app.timeline_compact(table)
    assert list(c.columns) == ["verdict", "fit", "change at 24 h", "half-life"] and len(c) == len(table)
    assert list(c["verdict"]) == [str(v) for v in table["verdict"]]
    pooled = table["subject"].map(app.fm_report.is_pooled).astype(bool)
    mc = c[(table["treatment"] == "microcurrent").to_numpy() & pooled.to_numpy()].iloc[0]
    r = table[(table["treatment"] == "microcurrent") & pooled].iloc[0]
    assert mc["fit"] == "microcurrent · jawline_lift_mm, mean" and mc["verdict"] == "fades_within_a_day"
    assert mc["half-life"] == (f"{r.half_life_h:.1f} h (95% CI {r.half_life_h_ci_low:.1f} to "
                               f"{r.half_life_h_ci_high:.1f} h)")  # the line's form beside it (stop 60)
    from facemetrics.decay.wording import ci_range  # the verdict's reason's signs (stop 64 h2)
    from facemetrics.rounding import fixed
    assert mc["change at 24 h"] == (f"{fixed(r.change_24h, 2)} mm (90% CI "
                                    f"{ci_range(r.change_24h_test_ci_low, r.change_24h_test_ci_high, 'mm')})")
    rf = c[(table["treatment"] == "rf").to_numpy() & pooled.to_numpy()].iloc[0]
    assert rf["half-life"] == "not resolved" and rf["change at 24 h"].endswith(")") and " mm " in rf["change at 24 h"]
    one = table[~pooled].iloc[0]
    assert app.timeline_fit_label(next(table[~pooled].itertuples())).endswith(f" · subject {one.subject}")
    every = app.timeline_row_columns(table.iloc[0])
    assert list(every.columns) == ["column", "value"] and list(every["column"]) == list(table.columns)
    assert every.set_index("column").loc["verdict", "value"] == table.iloc[0]["verdict"]
    assert "nan" not in set(every["value"])
    # each figure with its unit (stop 64 h2: "peak_change 1.98975" had none), the counts and settings without one
    value = every.set_index("column")["value"]
    assert value["peak_change"] == f"{table.iloc[0]['peak_change']:.6g} mm", value["peak_change"]
    assert value["half_life_h_ci_high"].endswith(" h") and value["last_time_h"].endswith(" h")
    assert value["n_photos"] == str(table.iloc[0]["n_photos"]) and value["confidence"] == "0.95"


def test_the_desktop_figures_keep_the_text_rule_where_the_app_switches():
    """The app shows the "column" figures (the comparison's, the timeline's) from app.NARROW_PX["f"] px of column
    up, the phone's "narrow" ones below: each one's text (cap height) at least 9 px over its whole range
    (the column one at its narrowest, the narrow one down to a 340 px column: a 360 px phone)."""
    import facemetrics.plots as plots

    app = app_module()
    assert app.NARROW_PX["f"] * plots.COLUMN_CAP_PER_WIDTH >= 9.0
    assert 340 * plots.NARROW_CAP_PER_WIDTH >= 9.0
    # negative control: the CLI's comparison figure (16.5 in, its smallest text 8 pt at 100 dpi) where it was shown
    smallest = 8 / 72 * 100 * plots._cap_per_em()
    assert smallest * 528 / 1650 < 9.0


# ---------------------------------------------------------------- in Chromium


def _wait_idle(page, timeout_ms: int = 120_000) -> None:
    """Until the app's run has ended (browsing.wait_settled: the app root's script state; the running icon this
    read is drawn only 500 ms into a run)."""
    wait_settled(page, timeout_ms)


#: the leaf elements of the page's main area with text whose box ends past the window's right edge, and the grids
#: that scroll sideways inside themselves (glide-data-grid's scroller: wider content than its box)
PAST_THE_EDGE = r"""(vw) => {
  const out = [];
  for (const s of document.querySelectorAll('[data-testid=stMain] .dvn-scroller'))
    if (s.offsetParent !== null && s.scrollWidth > s.clientWidth + 1) out.push('grid scrolls: ' + s.scrollWidth + ' in ' + s.clientWidth);
  for (const e of document.querySelectorAll('[data-testid=stMain] *')) {
    const r = e.getBoundingClientRect();
    if (r.width > 0 && r.right > vw + 1 && e.children.length === 0 && e.textContent.trim()
        && !e.closest('.dvn-scroller, [data-testid=stExpanderDetails]'))
      out.push(e.textContent.trim().slice(0, 60) + ' ends at ' + Math.round(r.right));
  }
  return out;
}"""


#: JavaScript: the sidebar closed (``aria-expanded`` "false") and slid out of the window (a CSS transition, slower
#: on a loaded machine)
SIDEBAR_CLOSED = """() => { const b = document.querySelector('[data-testid=stSidebar]');
  return !!b && b.getAttribute('aria-expanded') === 'false' && b.getBoundingClientRect().right <= 0; }"""


def _wait_sidebar_closed(page, timeout_ms: int = 120_000) -> None:
    """Until a phone's sidebar, opened for a choice in it, is closed and out of the window: the run the choice
    started closes it (app.CLOSE_SIDEBAR_JS, stop 54), as a user sees.  The tests clicked the page at the fixed point
    (385, 700) to close it: once the app closed the sidebar itself, that click landed on whatever the page drew
    there.  The failure says what the page showed."""
    try:
        page.wait_for_function(SIDEBAR_CLOSED, timeout=timeout_ms)
    except need_browser().TimeoutError:
        raise AssertionError(f"the sidebar did not close in {timeout_ms / 1000:.0f} s after the choice in it; "
                             f"{page_state(page)}") from None


def _upload(page, url, files):
    """Open the app and, once its first run has ended (browsing.open_app), choose ``files`` in its uploader."""
    open_app(page, url)
    page.set_input_files("input[type=file]", [str(f) for f in files])


#: the lines an element's text is drawn on, in order (each character's box, grouped by its top; a zero-width
#: space at a break may have none)
DRAWN_LINES = r"""(e) => {
  const lines = []; let top = null;
  const walk = document.createTreeWalker(e, NodeFilter.SHOW_TEXT);
  for (let n = walk.nextNode(); n; n = walk.nextNode())
    for (let i = 0; i < n.length; i++) {
      const r = document.createRange(); r.setStart(n, i); r.setEnd(n, i + 1);
      const b = [...r.getClientRects()].filter(x => x.height > 0).pop();  // its own: see RAW_LINES
      if (!b) continue;
      if (top === null || b.top > top + 2) { lines.push(''); top = b.top; }
      lines[lines.length - 1] += n.data[i];
    }
  return lines;
}"""

#: a cell's text replaced by ``t`` (its deepest element holding text): the old code's cell, for the negative control
SET_CELL_TEXT = r"""(e, t) => { const leaf = [...e.querySelectorAll('*')].filter(x => !x.children.length
  && x.textContent.trim()).pop() || e; leaf.textContent = t; }"""

#: which of ``words`` fit the cell ``e``'s content box on one line, in the font its text is drawn in
WORDS_FIT = r"""(e, words) => {
  const leaf = [...e.querySelectorAll('*')].filter(x => !x.children.length && x.textContent.trim()).pop() || e;
  const f = getComputedStyle(leaf), c = getComputedStyle(e);
  const ctx = document.createElement('canvas').getContext('2d');
  ctx.font = `${f.fontStyle} ${f.fontWeight} ${f.fontSize} ${f.fontFamily}`;
  const room = e.clientWidth - parseFloat(c.paddingLeft) - parseFloat(c.paddingRight);
  return words.map(w => ctx.measureText(w).width <= room);
}"""

_WORD_SEP = re.compile(r"[_\s,]+")


def _broken_words(cell) -> tuple[list[str], list[str]]:
    """``(lines, broken)``: the lines a table cell (a Playwright locator) is drawn on, and the words of its text
    (what lies between underscores, spaces and commas) that fit the cell's width on one line but are not drawn
    whole on one (a word wider than the column, a long treatment's or photo's name, must break somewhere) or
    hyphenated at one of its syllables (app.cell_breaks' soft hyphens)."""
    def plain(t: str) -> str:  # the break marks (app.md_cells) taken out
        return t.translate({0x200b: None, 0xad: None, 0x2060: None})

    lines = [plain(t) for t in cell.evaluate(DRAWN_LINES)]
    words = sorted(set(_WORD_SEP.split(plain(cell.evaluate("(e) => e.textContent")))) - {""})
    # a line broken at a soft hyphen (app.cell_breaks: a long word at a syllable, the hyphen drawn) joined with the
    # next: a break a reader expects, taken when the word begins mid-line ("S01_micro- / current_00_")
    joined = "".join(t + ("" if t.endswith("\u00ad") else "\n") for t in cell.evaluate(RAW_LINES))
    whole = {w for t in lines for w in _WORD_SEP.split(t)} | set(_WORD_SEP.split(plain(joined)))
    fit = dict(zip(words, cell.evaluate(WORDS_FIT, words)))
    return lines, [w for w in words if fit[w] and w not in whole]


def _check_whole_words(page, cells, least_broken: int = 1) -> int:
    """Every cell of ``cells`` drawn with its lines ending at words' ends (:func:`_broken_words`); returns how
    many cells take more than one line (at least ``least_broken``: the check saw breaks to judge)."""
    several = 0
    for k in range(cells.count()):
        lines, broken = _broken_words(cells.nth(k))
        assert not broken, (lines, broken)
        several += len(lines) > 1
    assert several >= least_broken, several
    return several


#: the lines an element's text is drawn on, each character with its own marks: a character with no box (a
#: zero-width space, a soft hyphen where no break was taken, a space at a line's end) joins the line it follows;
#: a character's last box is its own (after a soft hyphen's break Chromium gives the next character a first box at
#: the hyphen's line: DRAWN_LINES reads "not re- / solved" as "not res / olved")
RAW_LINES = r"""(e) => {
  const lines = []; let top = null;
  const walk = document.createTreeWalker(e, NodeFilter.SHOW_TEXT);
  for (let n = walk.nextNode(); n; n = walk.nextNode())
    for (let i = 0; i < n.length; i++) {
      const r = document.createRange(); r.setStart(n, i); r.setEnd(n, i + 1);
      const b = [...r.getClientRects()].filter(x => x.height > 0 && x.width > 0).pop();
      if (b && (top === null || b.top > top + 2)) { lines.push(''); top = b.top; }
      if (lines.length) lines[lines.length - 1] += n.data[i];
    }
  return lines;
}"""

#: a unit a line must not begin with when the line above ends with a number (app.CELL_UNITS, "CI")
_LINE_UNIT = re.compile(r"^(?:mm/px|mm²|mm2|mm|deg|°|index|px|%|pct|h|days?|weeks?|µA|cm|ratio|CI)(?![\w²])")


def _bad_breaks(cell) -> tuple[list[str], list[str]]:
    """``(lines, problems)`` of a table cell (a Playwright locator) as drawn: a line that ends inside a word (a
    letter or digit, then a letter or digit on the next line, with no space, zero-width space or soft hyphen
    between: "microcurre / nt"), a unit that begins a line after a number ("1.93 / mm"), a "±" that ends one."""
    raw = cell.evaluate(RAW_LINES)
    marks = "\u200b\u00ad\u2060"
    lines = [t.translate({ord(c): None for c in marks}).replace("\u00a0", " ") for t in raw]
    problems = []
    for k in range(len(raw) - 1):
        a, b = raw[k], raw[k + 1]
        shown_a, shown_b = lines[k].rstrip(), lines[k + 1].lstrip()
        if a[-1:] not in " \u200b\u00ad" and b[:1] not in " \u200b" and re.search(r"\w$", shown_a) \
                and re.match(r"\w", shown_b) and not shown_a.endswith("_"):
            problems.append(f"inside a word: {shown_a!r} / {shown_b!r}")
        if re.search(r"\d$", shown_a) and _LINE_UNIT.match(shown_b):
            problems.append(f"unit apart from its number: {shown_a!r} / {shown_b!r}")
        if shown_a.endswith("±"):
            problems.append(f"'±' apart from its figure: {shown_a!r} / {shown_b!r}")
    return [t.strip() for t in lines], problems


def _check_reader_breaks(cells, least_broken: int = 1) -> int:
    """Every cell of ``cells`` broken only where a reader expects (:func:`_bad_breaks`); returns how many take more
    than one line (at least ``least_broken``: the check saw breaks to judge)."""
    several = 0
    for k in range(cells.count()):
        lines, problems = _bad_breaks(cells.nth(k))
        assert not problems, (lines, problems)
        several += len(lines) > 1
    assert several >= least_broken, several
    return several


def _compact_verdicts(page):
    return page.locator("[class*='st-key-fm-compact-'] [data-testid=stTable] table").first


def test_browser_phone_shows_the_verdict_on_screen_and_nothing_scrolls_sideways(browser, app_server, tmp_path):
    """At 390 x 844: the compact comparison table is shown and the wide one hidden; its verdict column (header and
    every cell) lies inside the window, "lift" read on the jawline's row, and no text of the page ends past the
    window's right edge; the photo cards' texts hold no Markdown (no backtick, no escaping backslash) for names
    with Markdown's characters; the comparison figure is its narrow layout, inside the window (its text's size is
    checked on the figure itself: tests/test_figures_narrow.py).  At 1366 x 768 the wide table and figure are
    shown and the compact ones hidden."""
    before, after = tmp_path / "my_before_(1).jpg", tmp_path / "`after`_*2*.jpg"
    shutil.copy(SAMPLES / "astronaut_before.jpg", before)
    shutil.copy(SAMPLES / "astronaut_after.jpg", after)
    url = app_server
    page = browser.new_context(**PHONE).new_page()
    _upload(page, url, [before, after])
    wait_shown(page.get_by_text(re.compile(r"^Jawline (lifted|dropped) \d+\.\d\d mm")), 90_000, "the pair's headline")
    # the table and the photo cards are drawn after the headline by the same run: read once it has ended (stop 50's
    # stress round 2: "Photos" not shown in 30 s after the table, the run still drawing on a loaded machine)
    _wait_idle(page)
    table = _compact_verdicts(page)
    wait_shown(table, 30_000, "the compact comparison table")
    wait_shown(page.get_by_text("Photos", exact=True).first, 30_000, "the photo cards' heading 'Photos'")
    heads = [h.strip() for h in table.locator("thead th").all_text_contents()]
    assert heads[:2] == ["verdict", "change ± scale"], heads
    cells = table.locator("tbody tr td:nth-child(1)")
    assert cells.count() > 20
    for box in [table.locator("thead th").first.bounding_box()] + [
            cells.nth(k).bounding_box() for k in range(cells.count())]:
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390, box
    rows = [r.replace("\u200b", "").split("\t") for r in table.locator("tbody tr").all_inner_texts()]
    jaw = next(r for r in rows if r[-1].replace("\n", "").strip() == "jawline_lift_mm, mean")
    assert jaw[0].strip() == "lift" and re.fullmatch(r"\+1\.\d\d ± 0\.\d\d mm", jaw[1].replace("\n", " ").replace(
        "\u00a0", " ").strip()), jaw
    # the verdicts and the metrics (jawline_lift_mm, mean) break after an underscore or a space only
    _check_whole_words(page, cells, least_broken=0)
    _check_whole_words(page, table.locator("tbody tr td:nth-child(4)"))
    # the change with its scale ± and unit, the floor with its unit: a number kept with its unit and "±"
    # ("+1.59 / ± 0.07 mm" where the whole does not fit), no word broken inside
    _check_reader_breaks(table.locator("tbody tr td:nth-child(2)"))
    _check_reader_breaks(table.locator("tbody tr td:nth-child(3)"), least_broken=0)
    _check_reader_breaks(table.locator("tbody tr td:nth-child(4)"))
    wide = page.locator("[class*='st-key-fm-wide-'] [data-testid=stDataFrame]").first
    assert wide.count() == 1 and not wide.is_visible()
    assert page.evaluate(PAST_THE_EDGE, 390) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    captions = page.locator("[data-testid=stMain] [data-testid=stImageCaption]").all_inner_texts()
    assert "my_before_(1).jpg" in captions, captions
    assert any(c.replace("\\", "") == "`after`_*2*.jpg" for c in captions), captions
    assert all("\\" not in c for c in captions), captions  # shown as named, not escaped
    # the comparison figure: its narrow layout (stacked, 1200 px drawn) inside the window, the wide one hidden
    fig = page.locator("[class*='st-key-fm-compactf-cmpfig-'] [data-testid=stImage] img").first
    fig.scroll_into_view_if_needed()
    box = fig.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390 and box["width"] > 300, box
    assert fig.evaluate("i => [i.naturalWidth, i.naturalHeight]")[0] == 1200
    assert not page.locator("[class*='st-key-fm-widef-cmpfig-'] [data-testid=stImage]").first.is_visible()

    desk = browser.new_context(**DESK).new_page()
    _upload(desk, url, [before, after])
    wait_shown(desk.get_by_text(re.compile(r"^Jawline (lifted|dropped) \d+\.\d\d mm")), 90_000, "the pair's headline")
    _wait_idle(desk)  # the grid and the figure are drawn after the headline by the same run
    grid = desk.locator("[class*='st-key-fm-wide-'] [data-testid=stDataFrame]").first
    grid.wait_for(timeout=30_000)
    assert grid.is_visible() and not _compact_verdicts(desk).is_visible()
    # the figure is drawn after the headline: waited for (is_visible() does not wait; it read False)
    desk.locator("[class*='st-key-fm-widef-cmpfig-'] [data-testid=stImage]").first.wait_for(timeout=90_000)
    assert not desk.locator("[class*='st-key-fm-compactf-cmpfig-'] [data-testid=stImage]").first.is_visible()
    # the desktop's figure is drawn for its column: the photos side by side, the map under them, its text
    # (cap height, 1/50 of the figure's width) at least 9 px as shown; the CLI's 16.5 in figure was 2.6-3.6 px
    _check_column_figure(desk, "cmpfig")


def _check_column_figure(page, name: str) -> dict:
    """The "column" figure shown in the ``name`` pair's wide container: inside the window, its text (cap height
    ``plots.COLUMN_CAP_PER_WIDTH`` of the figure's width, the PNG's whole width) at least 9 px as shown, the PNG
    at least 1.5 times as wide as shown; returns its box."""
    import facemetrics.plots as plots

    img = page.locator(f"[class*='st-key-fm-widef-{name}'] [data-testid=stImage] img").first
    img.wait_for(timeout=120_000)
    img.scroll_into_view_if_needed()
    page.wait_for_function("(e) => e.complete && e.naturalWidth > 0", arg=img.element_handle(), timeout=30_000)
    box = img.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= page.viewport_size["width"], box
    assert box["width"] * plots.COLUMN_CAP_PER_WIDTH >= 9.0, box
    natural = img.evaluate("(e) => [e.naturalWidth, e.naturalHeight]")
    assert natural[0] >= 1.5 * box["width"], (natural, box)
    assert not page.locator(f"[class*='st-key-fm-compactf-{name}'] [data-testid=stImage]").first.is_visible()
    return box


def _phone_figure_ratio(page, name: str) -> float:
    """Height / width of the phone's figure of the ``name`` pair (hidden at a desktop's width, still loaded)."""
    img = page.locator(f"[class*='st-key-fm-compactf-{name}'] [data-testid=stImage] img").first
    img.wait_for(state="attached", timeout=60_000)
    page.wait_for_function("(e) => e.complete && e.naturalWidth > 0", arg=img.element_handle(), timeout=60_000)
    w, h = img.evaluate("(e) => [e.naturalWidth, e.naturalHeight]")
    return h / w


#: the leaf texts of the open expanders that end past the window's right edge (PAST_THE_EDGE leaves them out)
PAST_THE_EDGE_IN_EXPANDERS = r"""(vw) => [...document.querySelectorAll('[data-testid=stMain] [data-testid=stExpanderDetails] *')]
  .filter(e => { const r = e.getBoundingClientRect(); return r.width > 0 && r.right > vw + 1 && e.children.length === 0
                 && e.textContent.trim() && !e.closest('.dvn-scroller'); })
  .map(e => e.textContent.trim().slice(0, 60) + ' ends at ' + Math.round(e.getBoundingClientRect().right))"""


def _example_timeline(page, url, phone: bool) -> None:
    """The bundled example loaded (its button clicked once the first run has ended), its Timeline tab chosen and
    its Timeline table opened, each once the run before has ended (browsing.wait_settled)."""
    open_app(page, url)
    if phone:
        page.locator("[data-testid=stExpandSidebarButton]").first.click(timeout=30_000)
    page.get_by_role("button", name="Load the bundled example").click(timeout=30_000)
    if phone:  # the run the button started closes the sidebar (app.CLOSE_SIDEBAR_JS), as a user sees it go
        _wait_sidebar_closed(page)
    wait_shown(page.get_by_text(re.compile(r"^Jawline (lifted|dropped)")), 240_000, "the example's headline")
    _wait_idle(page, 300_000)
    page.get_by_role("tab", name="Timeline").click()
    wait_shown(page.get_by_text("Timeline table").first, 300_000, "the Timeline table's expander")
    _wait_idle(page, 300_000)
    page.get_by_text("Timeline table").first.click()


def test_browser_the_timeline_table_fits_a_phone_and_its_plot_a_desktop(browser, app_server):
    """The bundled example's Timeline tab.  At 390 x 844 the Timeline table is its compact form (the wide grid's
    41 columns scrolled 4560 px in 322): the verdict column, header and cells, inside the window, no text of the
    page (the expander's too) past its right edge, no grid scrolling sideways, the wide grid hidden; the plot is
    the phone's.  At 1366 x 768 the wide grid is shown and the plot is the desktop column's (two panels a row,
    text >= 9 px as shown): each row of two panels no taller than wide (the phone's one was 1568 px tall in its 528 px
    there)."""
    url = app_server
    page = browser.new_context(**PHONE).new_page()
    _example_timeline(page, url, phone=True)
    table = page.locator("[class*='st-key-fm-compactt-timeline-table'] [data-testid=stTable] table").first
    table.wait_for(timeout=30_000)
    _wait_idle(page)
    heads = [h.strip() for h in table.locator("thead th").all_text_contents()]
    assert heads == ["verdict", "fit", "change at 24 h", "half-life"], heads
    cells = table.locator("tbody tr td:nth-child(1)")
    assert cells.count() >= 4
    verdicts = [t.replace("\u200b", "") for t in cells.all_inner_texts()]
    assert {"fades_within_a_day", "persists_beyond_a_day"} <= set(verdicts), verdicts
    # each verdict drawn on lines that end at its words' ends ("fades_ / within_a_day"), not anywhere
    _check_whole_words(page, cells)
    # and the fit: its treatment whole ("microcurrent" read "microcurr / ent" in a quarter of the table)
    _check_whole_words(page, table.locator("tbody tr td:nth-child(2)"))
    # every cell broken where a reader expects: "-0.01 mm / (95 % CI / -0.04 to / +0.03)", never "-0.01 /
    # mm (95 / % CI" (h6 of stop 44)
    for col in (1, 2, 3, 4):
        _check_reader_breaks(table.locator(f"tbody tr td:nth-child({col})"), least_broken=int(col > 2))
    for box in [table.locator("thead th").first.bounding_box()] + [
            cells.nth(k).bounding_box() for k in range(cells.count())]:
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390, box
    assert not page.locator("[class*='st-key-fm-widet-timeline-table'] [data-testid=stDataFrame]").first.is_visible()
    assert page.evaluate(PAST_THE_EDGE, 390) == []
    assert page.evaluate(PAST_THE_EDGE_IN_EXPANDERS, 390) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.locator("[class*='st-key-fm-compactf-timeline-plot'] [data-testid=stImage]").first.is_visible()
    # negative control: the old code's cell (the code without its break points) breaks inside a word
    fades = cells.nth(verdicts.index("fades_within_a_day"))
    fades.evaluate(SET_CELL_TEXT, "fades_within_a_day")
    lines, broken = _broken_words(fades)
    assert len(lines) > 1 and broken, lines

    desk = browser.new_context(**DESK).new_page()
    _example_timeline(desk, url, phone=False)
    grid = desk.locator("[class*='st-key-fm-widet-timeline-table'] [data-testid=stDataFrame]").first
    grid.wait_for(timeout=30_000)
    assert not desk.locator("[class*='st-key-fm-compactt-timeline-table'] [data-testid=stTable]").first.is_visible()
    box = _check_column_figure(desk, "timeline-plot")
    # two panels a row: the example's three default metrics (app.TIMELINE_DEFAULTS, stop 63) in two rows, each no
    # taller than wide (with its legend)
    assert box["height"] <= 1.1 * box["width"] * 2, box
    assert box["height"] / box["width"] < 0.5 * _phone_figure_ratio(desk, "timeline-plot"), box


def test_a_library_message_keeps_its_code_spans_and_escapes_the_rest():
    """A photo card showed "(`covered_columns`)" with its backticks: the library's messages went through app.md,
    which escapes every Markdown character.  app.md_message keeps a column's or command's code span (Markdown draws
    it as code, without backticks) and escapes the rest: a file name's Markdown is still shown as typed."""
    from facemetrics.occlusion import REGION_COLUMNS, PhotoOcclusion, occlusion_warnings

    app = app_module()
    region = next(iter(REGION_COLUMNS))
    (msg,) = occlusion_warnings(PhotoOcclusion(areas_mm2={region: 120.0}, covered=(region,)))
    assert "(`covered_columns`)" in msg
    shown = app.md_message("photo_[1]*.jpg: " + msg)
    assert "\\(`covered_columns`\\)" in shown  # the span kept whole, its parentheses escaped
    assert shown.startswith("photo\\_\\[1\\]\\*\\.jpg: ")
    assert shown.count("`") == 2
    assert app.md_message("`a*b`.jpg") == app.md("`a*b`.jpg")  # not a column's name: escaped as typed
    assert app.md_message("run `study report` again") == "run `study report` again"


@pytest.fixture
def small_store(tmp_path, sample_path):
    """A store with one subject's simulated session (a photo before, two after), as `facemetrics study import`
    writes it."""
    from datetime import datetime

    from facemetrics.cli import main
    from facemetrics.study import study

    design = {"microcurrent": dict(peak_mm=2.0, half_life_h=3.0, lasting_mm=0.0, times_h=[-0.25, 1.0, 3.0])}
    info = study(sample_path, tmp_path / "sim", subjects=1, design=design, max_side=480, seed=0,
                 start=datetime(2026, 11, 2, 8, 0, 0))
    store = tmp_path / "store"
    assert main(["study", "import", str(info.folder), "--store", str(store), "--no-measure"]) == 0
    return store


def test_browser_phone_shows_my_study_photos_status_on_screen(browser, tmp_path, small_store):
    """My study at 390 x 844: the photo table's compact form, each photo's status first and inside the window,
    nothing of the page past its right edge; the wide table hidden; the timeline's figure the narrow one, inside
    the window; at 1366 x 768 the timeline's "column" figure, its text >= 9 px as shown, under 0.6 of the phone's
    one's height for its width (that one was about 2700 px tall in 437 px there, h14's store)."""
    with running_app(tmp_path, {"FACEMETRICS_STORE": str(small_store)}) as url:
        page = browser.new_context(**PHONE).new_page()
        open_app(page, url)  # the radio clicked once the first run has ended
        page.locator("[data-testid=stExpandSidebarButton]").first.click(timeout=30_000)
        page.locator("[data-testid=stRadio] label", has_text="My study").click(timeout=30_000)
        wait_shown(page.get_by_role("heading", name="My study"), 120_000, "the My study heading")
        _wait_sidebar_closed(page)  # the run the choice started closes it (app.CLOSE_SIDEBAR_JS)
        table = page.locator("[class*='st-key-fm-compact-'] [data-testid=stTable] table").first
        table.wait_for(timeout=120_000)
        _wait_idle(page, 240_000)
        heads = [h.strip() for h in table.locator("thead th").all_text_contents()]
        assert heads[0] == "status", heads
        cells = table.locator("tbody tr td:nth-child(1)")
        assert cells.count() == 3 and set(cells.all_inner_texts()) == {"ok"}, cells.all_inner_texts()
        for k in range(cells.count()):
            box = cells.nth(k).bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= 390, box
        assert heads[3] == "original_name", heads  # a photo's name breaks after an underscore, not in a word
        _check_whole_words(page, table.locator("tbody tr td:nth-child(4)"), least_broken=0)
        # the names' long words hyphenated at a syllable, the extension on its own line
        # ("S01_ / microcur- / rent_00_ / m0p25h / .jpg"; it read "S01_ / microcurre / nt_00_ / m0p25h.jp / g")
        names = table.locator("tbody tr td:nth-child(4)")
        _check_reader_breaks(names)
        # negative control on the page: the old cell (breaks after its underscores only) breaks inside a word
        old = names.first.evaluate("(e) => e.textContent").translate({0xad: None, 0x2060: None, 0x200b: None})
        names.first.evaluate(SET_CELL_TEXT, old.replace("_", "_\u200b"))
        assert _bad_breaks(names.first)[1], _bad_breaks(names.first)
        assert not page.locator("[class*='st-key-fm-wide-'] [data-testid=stDataFrame]").first.is_visible()
        assert page.evaluate(PAST_THE_EDGE, 390) == []
        # the timeline's figure: drawn at a phone's width (text >= 9 px there: test_figures_narrow), inside the
        # window and the page's width, its PNG at least twice as wide as shown (sharp at 3 device px a CSS px)
        img = page.locator("[class*='st-key-fm-compactf-study-timeline'] [data-testid=stImage] img").first
        img.wait_for(timeout=120_000)
        img.scroll_into_view_if_needed()
        page.wait_for_function("(e) => e.complete && e.naturalWidth > 0", arg=img.element_handle(), timeout=30_000)
        box = img.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390 and box["width"] > 300, box
        natural = img.evaluate("(e) => [e.naturalWidth, e.naturalHeight]")
        assert natural[0] >= 2 * box["width"], (natural, box)
        assert natural[1] / natural[0] > 1.0  # one panel a row, its legend under it: taller than wide

        # at 1366 x 768 the timeline is drawn for its column (3/5 of the page): text >= 9 px as shown, two
        # panels a row (the phone's one was about 2700 px tall in 437 px there)
        desk = browser.new_context(**DESK).new_page()
        open_app(desk, url)
        desk.locator("[data-testid=stRadio] label", has_text="My study").click(timeout=30_000)
        wait_shown(desk.get_by_role("heading", name="My study"), 120_000, "the My study heading")
        _wait_idle(desk, 240_000)
        box = _check_column_figure(desk, "study-timeline")
        assert box["height"] / box["width"] < 0.6 * _phone_figure_ratio(desk, "study-timeline"), box


# ---------------------------------------------------------------- a choice in the sidebar shows the page chosen

def _close_scripts(at: AppTest) -> list[str]:
    """The bodies of the page's scripts that close the sidebar (app.CLOSE_SIDEBAR_JS)."""
    return [e.proto.body for e in at.get("html")
            if e.proto.unsafe_allow_javascript and "stSidebarCollapseButton" in e.proto.body]


def test_a_choice_in_the_sidebar_closes_it_once(monkeypatch, tmp_path):
    """On a phone the sidebar lies over the page and stayed open after choosing *My study*: the user saw nothing
    change (stop 54's app audit).  The run a choice starts (the mode, the example) closes it with one script, as its
    own button does, only where it covers the page; a run with no choice has none (the sidebar opened again stays),
    and a second choice's script differs from the first (Streamlit runs a script again only when its text changes)."""
    monkeypatch.setenv("FACEMETRICS_STORE", str(tmp_path / "store"))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.run()
    assert not _close_scripts(at)  # the first page: nothing chosen
    at.sidebar.radio(key="mode").set_value("My study").run()
    assert not at.exception, [e.value for e in at.exception]
    first = _close_scripts(at)
    assert len(first) == 1 and "window.innerWidth > 768" in first[0], first
    at.run()  # a run no choice started
    assert not _close_scripts(at)
    at.sidebar.radio(key="mode").set_value("Compare photos").run()
    again = _close_scripts(at)
    assert len(again) == 1 and again != first
    at.sidebar.button[0].click().run()  # "Load the bundled example"
    assert len(_close_scripts(at)) == 1


def test_browser_phone_choosing_my_study_closes_the_sidebar(browser, tmp_path):
    """At 390 x 844 (touch): the sidebar opened and *My study* chosen, the sidebar closes and the My study page is in
    the window (it stayed open over the page, stop 54's audit); at 1366 x 768 the sidebar sits beside the page and
    stays open."""
    with running_app(tmp_path, {"FACEMETRICS_STORE": str(tmp_path / "store")}) as url:
        for size, stays in ((PHONE, False), (DESK, True)):
            page = browser.new_context(**size).new_page()
            open_app(page, url)
            bar = page.locator("[data-testid=stSidebar]")
            if bar.get_attribute("aria-expanded") != "true":
                page.locator("[data-testid=stExpandSidebarButton]").first.click(timeout=30_000)
                page.wait_for_function("() => document.querySelector('[data-testid=stSidebar]')"
                                       ".getAttribute('aria-expanded') === 'true'", timeout=30_000)
            page.locator("[data-testid=stRadio] label", has_text="My study").click(timeout=30_000)
            wait_shown(page.get_by_role("heading", name="My study"), 120_000, "the My study heading")
            wait_settled(page, 120_000)
            if not stays:
                page.wait_for_function("() => document.querySelector('[data-testid=stSidebar]')"
                                       ".getAttribute('aria-expanded') === 'false'", timeout=30_000)
            assert (bar.get_attribute("aria-expanded") == "true") == stays, size
            if not stays:  # closed: its slide out of the window is a CSS transition, slower on a loaded machine
                page.wait_for_function("() => document.querySelector('[data-testid=stSidebar]')"
                                       ".getBoundingClientRect().right <= 0", timeout=30_000)
            box = bar.bounding_box()
            assert (box["x"] + box["width"] > 0) == stays, box  # closed: out of the window


def test_the_phone_tables_write_the_fold_contrasts_unit_as_percent():
    """The phone's comparison table wrote the fold contrast's unit "pct" (the schema's code) where every other text
    writes "%" (and "mm2" for "mm²"); the wide table's unit column too shows them so, its data keeping the codes
    (comparison.csv keeps ``pct``, ``mm2`` and its ``_pct`` columns; stop 56, c1)."""
    app = app_module()
    shown = pd.DataFrame(dict(metric=["nlf_contrast_pct", "lower_face_area_mm2"], side=["right", "mean"],
                              change=[2.0, -91.0], unit=["pct", "mm2"], noise_floor=[3.0, 380.0],
                              verdict=["within_noise"] * 2, before=[40.0, 6217.5], after=[42.0, 6126.5],
                              change_scale_sd=[float("nan"), 10.0]))
    c = app.compact_table(shown)
    # the fold contrast's change and floor are a change of a percentage: percentage points (Round 21, stop 60)
    assert list(c["change ± scale"]) == ["+2.0 pp", "-91 ± 10 mm²"] and list(c["floor"]) == ["3.0 pp", "380 mm²"]
    v = app.compact_values(shown, 4.5).set_index("metric")
    assert v.loc["nlf_contrast_pct, right", "before"] == "40.0 ± 2.1 %"
    assert v.loc["lower_face_area_mm2, mean", "after"] == "6126 ± 1114 mm²"  # the mm² row keeps its scale's share
    assert not any("pct" in str(x) or "mm2" in str(x) for x in [*c["change ± scale"], *c["floor"], *v["before"]])
    html = app.table_styled(shown, 4.5).to_html()
    assert ">%</td>" in html and ">mm²</td>" in html and ">pct</td>" not in html
    assert ">+2.0 pp</td>" in html and ">3.0 pp</td>" in html  # the wide table's change and floor too
    assert list(shown["unit"]) == ["pct", "mm2"]  # the data keep the codes
