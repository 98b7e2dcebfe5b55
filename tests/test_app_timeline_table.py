"""The Timeline table gives the change at 24 h with one interval for the claim: the verdict's 90 % CI, as the
text beside the figure, the figure (``plots.claim_marker``), report.md and ``facemetrics timeline`` give it; the
95 % CI of that change stays in timeline.csv and the wide table, after the claim's (h7's browser audit,
2026-12-05: the table's 95 % CI sat beside the verdict's 90 %, both labelled, and a reader compared them)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from facemetrics.rounding import fixed

from conftest import app_module

pytest.importorskip("streamlit")


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    from facemetrics.decay import analyze_series
    from test_series import MC_TIMES, RF_TIMES, simulate

    rng = np.random.default_rng(20240611)
    rows = simulate(rng, "microcurrent", MC_TIMES, transient=2.0, half_life=3.0)
    rows += simulate(rng, "rf", RF_TIMES, lasting=1.5)
    return analyze_series(pd.DataFrame(rows)).to_frame()


def _pooled(table: pd.DataFrame, treatment: str):
    from facemetrics.report import is_pooled

    pooled = table["subject"].map(is_pooled).astype(bool)
    return table[(table["treatment"] == treatment) & pooled].iloc[0]


def test_the_compact_table_gives_the_24h_change_with_the_verdicts_interval(table):
    """The phone's table: "x mm (90% CI lo to hi mm)" from ``change_24h_test_ci_*``, the words of the verdict's
    reason beside it ("90% CI", its signs: :func:`facemetrics.decay.wording.ci_range`, stop 64 h2); never the 95 % CI
    (``change_24h_ci_*``), which it gave before."""
    from facemetrics.decay.wording import ci_range

    app = app_module()
    c = app.timeline_compact(table)
    for k, r in enumerate(table.itertuples()):
        cell = c["change at 24 h"].iloc[k]
        assert cell == (f"{fixed(r.change_24h, 2)} mm (90% CI "
                        f"{ci_range(r.change_24h_test_ci_low, r.change_24h_test_ci_high, 'mm')})"), cell
        assert "95 %" not in cell
    mc = _pooled(table, "microcurrent")
    assert "(90% CI " in mc["reason"]  # the verdict's words, which the cell repeats
    # the half-life keeps its 95 % CI (a different figure, with no claim on it)
    assert "95% CI" in c["half-life"].iloc[list(table.index).index(mc.name)]


def test_report_md_gives_the_24h_change_with_the_verdicts_interval(table):
    """report.md's figures table: "change at 24 h [90% CI]" and the verdict's interval in each cell, as the app's
    table (it gave the 95 % CI under "change at 24 h [95 % CI]")."""
    from facemetrics.report import timeline_markdown

    text = timeline_markdown(table, None)
    head = next(line for line in text.splitlines() if line.startswith("| treatment |"))
    assert "change at 24 h [90% CI]" in head and "change at 24 h [95% CI]" not in head
    mc = _pooled(table, "microcurrent")
    from facemetrics.report import _ci_cell  # a CI that spans zero shows both signs (stop 61)

    assert _ci_cell(mc.change_24h_test_ci_low, mc.change_24h_test_ci_high) in text
    assert _ci_cell(mc.change_24h_ci_low, mc.change_24h_ci_high) not in text


def test_the_wide_table_reads_the_claims_interval_next_to_the_change(table):
    """The wide table: ``change_24h`` then the verdict's interval, then the 95 % CI (timeline.csv's order had the
    95 % first); the four columns' tooltips say which is the claim's; every column is still shown."""
    app = app_module()
    order = app.timeline_wide_order(table.columns)
    at = order.index("change_24h")
    assert order[at:at + 5] == ["change_24h", "change_24h_test_ci_low", "change_24h_test_ci_high",
                                "change_24h_ci_low", "change_24h_ci_high"]
    assert sorted(order) == sorted(table.columns)
    assert app.timeline_wide_order(["a", "b"]) == ["a", "b"]
    for name in ("change_24h_ci_low", "change_24h_ci_high"):
        assert "not the claim's" in app.TIMELINE_TABLE_COLUMNS[name]["help"]
    assert "verdict's 90% CI" in app.TIMELINE_TABLE_NOTE


def test_every_ci_the_timeline_tab_shows_is_written_as_the_verdicts_are(table):
    """One form for a CI's level, the verdicts' and report.md's ("95% CI", ``decay.wording.percent``): the half-life
    beside each verdict (``fmt_h``, which wrote "95 % CI" and, for a CI over 10x wide, "95% CI"), its "no CI" text,
    the phone's table, the plot's caption, the wide table's note and tooltips (stop 51)."""
    import re
    from types import SimpleNamespace

    app = app_module()
    nan = float("nan")
    texts = [app.fmt_h(r) for r in table.itertuples()]
    texts += [app.fmt_h(SimpleNamespace(half_life_h=3.44, half_life_h_ci_low=lo, half_life_h_ci_high=hi))
              for lo, hi in ((2.46, 5.4), (2.46, nan), (nan, nan), (3.2, 3.2))]
    texts += [*app.timeline_compact(table).to_numpy().ravel(), app.timeline_caption(table), app.TIMELINE_TABLE_NOTE,
              *app.CLAIM_CI_HELP.values()]
    assert sum("95% CI" in t for t in texts) >= 5 and any("90% CI" in t for t in texts), texts
    assert not [t for t in texts if re.search(r"\d\s+%", str(t))], texts


def test_the_wide_tables_lasting_cells_say_when_they_are_empty():
    """Round 18 (stop 57, f1): a lasting level withheld (photos after a day off the curve) is an empty cell of the
    wide Timeline table with no word beside it (report.md's cell says "not shown: ..."); its tooltip now says when it is
    empty, in the words of the row's reason."""
    from facemetrics.decay.claim import LASTING_WITHHELD

    app = app_module()
    for c in ("lasting", "lasting_ci_low", "lasting_ci_high"):
        helptext = app.TIMELINE_TABLE_COLUMNS[c]["help"]
        assert "photos after a day do not follow the fitted curve" in helptext and LASTING_WITHHELD[3:] in helptext


def test_a_change_that_rounds_to_zero_reads_0_00_never_minus_0_00():
    """The bundled example's microcurrent jawline (stop 60's audit): change at 24 h -0.0017 mm read "-0.00 mm (90% CI
    -0.02 to +0.02)" in the phone's table while the verdict's reason beside it read "0.00 mm" (the rounding rule of
    every text, :func:`facemetrics.rounding.fixed`).  Fails on the old app."""
    from types import SimpleNamespace

    app = app_module()
    r = SimpleNamespace(unit="mm", change_24h=-0.0017, change_24h_test_ci_low=-0.0214, change_24h_test_ci_high=0.0193,
                        test_confidence=0.9)
    assert app.claim_ci_text(r) == "0.00 mm (90% CI -0.02 to +0.02 mm)"
    r = SimpleNamespace(unit="mm", change_24h=0.2, change_24h_test_ci_low=-0.004, change_24h_test_ci_high=0.41,
                        test_confidence=0.9)
    assert app.claim_ci_text(r) == "0.20 mm (90% CI 0.00 to 0.41 mm)"


def test_the_phone_tables_24h_change_gives_its_unit_after_the_cis_upper_end_as_the_full_form():
    """Stop 60's note: the compact (phone) Timeline table's change cell read "+0.20 mm (90% CI 0.00 to +0.41)", no
    unit after the CI's upper end, where the verdict's reason on the console ("95% CI 1.69 to 2.15 mm") and the
    half-life beside it ("3.0 h (95% CI 2.5 to 5.4 h)") end their CI with it.  A fold contrast's in pp (a change of a
    percentage).  Fails on the old app."""
    from types import SimpleNamespace

    app = app_module()
    r = SimpleNamespace(unit="mm", change_24h=0.2, change_24h_test_ci_low=0.01, change_24h_test_ci_high=0.41,
                        test_confidence=0.9)
    assert app.claim_ci_text(r).endswith("to 0.41 mm)"), app.claim_ci_text(r)
    r = SimpleNamespace(unit="pct", metric="nlf_contrast_pct", change_24h=-0.6, change_24h_test_ci_low=-1.2,
                        change_24h_test_ci_high=0.1, test_confidence=0.9)
    assert app.claim_ci_text(r) == "-0.60 pp (90% CI -1.20 to +0.10 pp)", app.claim_ci_text(r)
    r = SimpleNamespace(unit=float("nan"), change_24h=0.2, change_24h_test_ci_low=0.01, change_24h_test_ci_high=0.41,
                        test_confidence=0.9)  # no unit: none after either
    assert app.claim_ci_text(r) == "0.20 (90% CI 0.01 to 0.41)", app.claim_ci_text(r)


def test_the_half_life_reads_alike_beside_the_verdict_and_in_the_phone_table(table):
    """Round 21 (stop 60): the Timeline tab's line wrote a half-life's CI "3.0-3.1 h" and the phone's table beside it
    "3.0 to 3.1"; both now write "3.0 h (95% CI 3.0 to 3.1 h)", "to" as the verdicts' reasons on the console."""
    import re

    app = app_module()
    c = app.timeline_compact(table)
    resolved = 0
    for k, r in enumerate(table.itertuples()):
        cell = c["half-life"].iloc[k]
        if re.fullmatch(r"\d+\.\d h \(95% CI \d+\.\d to \d+\.\d h\)", cell):
            resolved += 1
            assert app.fmt_h(r) == cell, (app.fmt_h(r), cell)
    assert resolved, list(c["half-life"])  # the microcurrent fits resolve a half-life (3 h)


def test_the_phone_tables_24h_change_is_signed_as_the_verdicts_reason_and_report_md():
    """Stop 64 h2: the phone table's change at 24 h signed every figure ("+0.20 mm (90% CI +0.01 to +0.41 mm)")
    while the verdict's reason beside it, report.md's Figures table and timeline.png follow
    :func:`facemetrics.decay.wording.ci_range` ("0.20 mm (90% CI 0.01 to 0.41 mm)", report.md "0.20 mm [0.01,
    0.41]"): a ``-`` where negative, a ``+`` only on the upper end of a CI that spans zero.  Fails on the old app."""
    from types import SimpleNamespace

    from facemetrics.decay.wording import ci_range
    from facemetrics.report import _ci_cell

    app = app_module()
    for v, lo, hi in ((0.2, 0.01, 0.41), (0.05, -0.16, 0.23), (-0.6, -1.2, -0.1), (1.25, 0.8, 1.7)):
        r = SimpleNamespace(unit="mm", change_24h=v, change_24h_test_ci_low=lo, change_24h_test_ci_high=hi,
                            test_confidence=0.9)
        cell = app.claim_ci_text(r)
        assert cell == f"{v:.2f} mm (90% CI {ci_range(lo, hi, 'mm')})", cell
        assert _ci_cell(lo, hi) == "[" + ci_range(lo, hi).replace(" to ", ", ") + "]"  # report.md's cell: one rule
        assert "+" not in cell.split(" (")[0] and (("+" in cell) == (lo < 0 < hi)), cell
