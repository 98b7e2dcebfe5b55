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
