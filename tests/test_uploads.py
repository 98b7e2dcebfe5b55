"""facemetrics.uploads: the app's upload session read as a study (roles, pairs, rows), out of app.py.

The functions themselves are tested where the app's behaviour is (tests/test_app*.py, through app.py's
names); these tests guard the move: the module needs no Streamlit, and app.py uses the package's functions
rather than a copy of its own.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from facemetrics import uploads

from conftest import app_module

ROOT = Path(__file__).resolve().parents[1]


def test_uploads_imports_without_streamlit():
    """The module is the library's, usable without the app: importing it imports no Streamlit."""
    code = "import sys, facemetrics.uploads; print('streamlit' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "False"


def test_app_defines_none_of_the_uploads_functions_again():
    """No copy of a moved function in app.py: a name of ``uploads.__all__`` is not defined there (a def, a class
    or an assignment at its top level), so the app and its tests read the one rule."""
    tree = ast.parse((ROOT / "app.py").read_text(encoding="utf-8"))
    defined = {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
    defined |= {t.id for n in tree.body if isinstance(n, ast.Assign) for t in n.targets if isinstance(t, ast.Name)}
    assert sorted(defined & set(uploads.__all__)) == []


def test_the_names_app_py_uses_are_the_packages():
    pytest.importorskip("streamlit")
    app = app_module()
    used = [n for n in uploads.__all__ if hasattr(app, n)]
    assert {"default_roles", "pairs_of", "Pair", "timeline_rows", "comparison_result", "page_headline"} <= set(used)
    assert [n for n in used if getattr(app, n) is not getattr(uploads, n)] == []


def _analysis(name: str, ok: bool = True, taken_at=None):
    """The parts of a PhotoAnalysis the roles read: ``name``, ``ok``, ``photo.taken_at``."""
    return SimpleNamespace(name=name, ok=ok, photo=SimpleNamespace(taken_at=taken_at, sha256=name * 4))


def test_default_roles_without_the_app():
    """The roles table from analyses alone (no Streamlit): listed by what the file name says (before, neither,
    after), roles by it, the unusable photo 'ignore'."""
    table = uploads.default_roles([_analysis("b_post.jpg"), _analysis("a_pre.jpg"), _analysis("c.jpg", ok=False)],
                                  "rf")
    assert list(zip(table["photo"], table["role"])) == [("a_pre.jpg", "before"), ("c.jpg", "ignore"),
                                                       ("b_post.jpg", "after")]
    assert set(table["treatment"]) == {"rf"} and table["hours_since_treatment"].isna().all()
