"""One rule for a signed figure in text (docs/guide.md "Signed figures"; stop 58's note): an ASCII minus "-" in every
text facemetrics writes, the console, the CSVs' text columns (``messages``, ``reason``), report.md and the app.  Until
stop 59 the reasons (``decay.wording.num``) and two margins wrote U+2212 while the gate's messages and report.md's
tables wrote "-": one console line read "-23 %" and the next "−0.02 index", and report.md held both.  The figures'
(PNG) axis ticks are matplotlib's own and not text a user copies."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
from test_report_regimen_no_fit import _regimen  # noqa: E402

from facemetrics.cli import main  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
MINUS = "\u2212"
#: the strings with U+2212 left: a figure's colour-bar label ("+ up = lift, − down = sag"), a sign
#: drawn in a PNG, not a figure in text
DRAWN = {("facemetrics/plots.py", "vertical displacement, mm  (+ up = lift, − down = sag)"),
         ("facemetrics/plots.py", "vertical displacement, mm (+ up = lift, − down = sag)"),
         # the app's reader of a quantity's space, which takes either sign (a pattern, not a figure written)
         ("app.py", r"(?<=±) (?=[-+−]?\d)|(?<=%) (?=CI\b)|(?<=\w) (?=/ \w)|(?<=\w /) (?=\w)")}


def _docstrings(tree) -> set[int]:
    """The ids of the docstring nodes of ``tree`` (module, classes, functions)."""
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                out.add(id(first.value))
    return out


def test_no_string_of_the_package_or_the_app_writes_a_typographic_minus():
    found = []
    for path in [*sorted((ROOT / "facemetrics").rglob("*.py")), ROOT / "app.py"]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docs = _docstrings(tree)
        rel = path.relative_to(ROOT).as_posix()
        found += [(rel, node.value) for node in ast.walk(tree)
                  if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs
                  and MINUS in node.value and (rel, node.value) not in DRAWN]
    assert not found, found


def test_a_timeline_run_writes_every_negative_figure_with_an_ascii_minus(tmp_path, capsys):
    _regimen(tmp_path, days=[7, 14, 21, 28, 35, 42])  # a decay series whose reason gives negative CI ends
    assert main(["timeline", str(tmp_path), "--n-boot", "100"]) == 0
    console = capsys.readouterr().out
    md = (tmp_path / "report.md").read_text(encoding="utf-8")
    reasons = " ".join(pd.read_csv(tmp_path / "timeline.csv")["reason"])
    for text in (console, md, reasons):
        assert MINUS not in text
        assert "CI -0." in text, text  # a negative CI end, written with "-"
    figures = md.split("## Figures", 1)[1].split("\n\n", 2)[1]
    assert "[-0." in figures, figures  # and the table's, as before


#: a CI whose positive upper end is written without its "+" after a negative lower end (the reasons' "90% CI -0.27
#: to 0.01 mm" beside the app's "-0.27 to +0.01 mm": Round 22's (ii)); an upper end of "0.00" has no sign
UNSIGNED_UPPER = r"CI -\d[\d.]* to (?!0\.0+\b)\d|\[-\d[\d.]*, (?!0\.0+\])\d"


def test_a_ci_that_spans_zero_shows_both_signs_in_the_reasons_report_md_and_the_app(tmp_path, capsys):
    """One rule for a CI's signs (docs/guide.md "Signed figures", stop 61): a CI that spans zero shows both, "-0.27 to
    +0.01 mm", in the verdicts' reasons, report.md's tables and the app's cells; the reasons wrote "-0.27 to 0.01 mm"
    and report.md's tables "[-0.27, 0.01]" while the app wrote "+0.01"."""
    import re
    from types import SimpleNamespace

    from conftest import app_module
    from facemetrics.decay.wording import ci_range
    from facemetrics.report import _ci_cell

    assert ci_range(-0.27, 0.012, "mm") == "-0.27 to +0.01 mm" and ci_range(0.8, 2.1, "mm") == "0.80 to 2.10 mm"
    assert _ci_cell(-0.27, 0.012) == "[-0.27, +0.01]" and _ci_cell(-0.3, 0.001) == "[-0.30, 0.00]"
    row = SimpleNamespace(half_life_h=3.0, half_life_h_ci_low=-0.5, half_life_h_ci_high=4.0)  # no "+" on the figure
    assert app_module()._ci_text(row, "half_life_h", 1, "h") == "3.0 h (95% CI -0.5 to +4.0 h)"
    _regimen(tmp_path, days=[7, 14, 21, 28, 35, 42])
    assert main(["timeline", str(tmp_path), "--n-boot", "100"]) == 0
    console = capsys.readouterr().out
    md = (tmp_path / "report.md").read_text(encoding="utf-8")
    reasons = " ".join(pd.read_csv(tmp_path / "timeline.csv")["reason"])
    for text in (console, md, reasons):
        assert not re.search(UNSIGNED_UPPER, text), re.findall(r".{60}(?:" + UNSIGNED_UPPER + ").{10}", text)
    assert re.search(r"CI -\d[\d.]* to \+\d", reasons + md), reasons  # the run has a CI that spans zero
