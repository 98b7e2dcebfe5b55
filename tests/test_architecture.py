"""The package's import graph, read with ``ast`` (docs/architecture.md).

Every ``import`` in every module of ``facemetrics/`` counts, including the
ones inside functions (a function-level import is still a dependency, only a
hidden one).  Two rules:

1. No import circle among facemetrics modules.
2. Measurement and model modules import nothing from the reporting, I/O,
   orchestration or app layers (directly or through another module).
"""

from __future__ import annotations

import ast
import functools
import re
import sys
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parents[1] / "facemetrics"

#: measurement and model modules (package ``decay`` and its modules included)
MEASUREMENT = ("geometry", "filters", "landmarks", "loader", "exif", "jpeg_quality", "quality", "jaw", "folds", "align", "pose3d", "compare",
               "compare.regions", "compare.measure", "compare.floors", "compare.gate", "compare.table", "compare.copies",
               "compare.occlusion", "compare.faces", "compare.disagreement", "compare.fold_length",
               "compare.identity", "compare.pose", "compare.framing", "compare.expression", "compare.glasses",
               "compare.skin", "compare.iris_scale", "compare.fold_lines", "compare.light",
               "integrity", "integrity.pixels", "integrity.colour", "integrity.drift",
               "integrity.coefficients", "integrity.jpeg", "integrity.webp", "integrity.heif", "integrity.hevc",
               "integrity.result", "integrity.container",
               "analyze", "decay", "decay.model", "decay.claim", "decay.wording", "decay.inputs", "decay.bootstrap",
               "decay.margin", "decay.regimen_slope", "decay.left_out", "decay.carryover")
#: what they must not reach: reporting, figures, files, orchestration, the CLI and the app
FORBIDDEN = ("report", "plots", "overlay", "export", "outputs", "ledger", "batch", "store", "cli", "app", "validate")

#: edges that break rule 2 today, each to be removed by its module's owner (issue 13); an
#: entry that no longer occurs fails the test, so the list can only shrink
KNOWN_VIOLATIONS: set[tuple[str, str]] = set()


@functools.lru_cache(maxsize=None)
def parsed(source: str) -> ast.Module:
    """``ast.parse(source)``, kept for the session by the text itself: about 40 tests read the same ~150 files
    (each parametrized layer test built the whole import graph again; 87 s of the suite under load on
    2026-12-05, docs/speed.md).  A changed or another file is a new text, parsed afresh; the trees are only
    walked, never changed."""
    return ast.parse(source)


def module_names() -> dict[str, Path]:
    """``{"decay.claim": path, "decay": path/__init__.py, "compare": ...}`` for every module of the package."""
    out = {}
    for path in sorted(PKG.rglob("*.py")):
        parts = list(path.relative_to(PKG).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def _resolve(name: str, modules) -> str | None:
    """The longest prefix of dotted ``name`` that is a facemetrics module (None when outside the package)."""
    parts = name.split(".")
    while parts:
        cand = ".".join(parts)
        if cand in modules:
            return cand
        parts.pop()
    return None


def imports_of(module: str, path: Path, modules) -> set[str]:
    """Facemetrics modules that ``module`` imports anywhere in its file (module or function level)."""
    is_pkg = path.name == "__init__.py"
    package = module if is_pkg else module.rpartition(".")[0]
    out = set()
    for node in ast.walk(parsed(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == "facemetrics" or alias.name.startswith("facemetrics."):
                    out.add(_resolve(alias.name.removeprefix("facemetrics").lstrip("."), modules))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".") if package else []
                base = base[: len(base) - (node.level - 1)] if node.level > 1 else base
                base_name = ".".join(base + ([node.module] if node.module else []))
            elif node.module and (node.module == "facemetrics" or node.module.startswith("facemetrics.")):
                base_name = node.module.removeprefix("facemetrics").lstrip(".")
            else:
                continue
            for alias in node.names:
                sub = f"{base_name}.{alias.name}" if base_name else alias.name
                out.add(sub if sub in modules else _resolve(base_name, modules))
    out.discard(None)
    out.discard("")
    out.discard(module)
    return out


def import_graph() -> dict[str, set[str]]:
    """``{module: the facemetrics modules it imports}`` of the package as its files read now (a new dict of new sets
    at every call).  The graph is kept for the session by every file's path and text (:func:`_graph`), each read at
    every call: the ~60 tests that read it walked every tree again, 0.22 s of CPU a call (19 s for the file,
    2026-12-07 02:20 UTC, docs/speed.md "Test suite time, stop 59"); a changed, added or removed file makes it anew."""
    texts = tuple((m, str(p), p.read_text(encoding="utf-8")) for m, p in module_names().items())
    return {m: set(imported) for m, imported in _graph(texts).items()}


@functools.lru_cache(maxsize=4)
def _graph(texts: tuple[tuple[str, str, str], ...]) -> dict[str, frozenset[str]]:
    """:func:`import_graph` of ``texts`` (``(module, path, text)`` of every module; :func:`imports_of` reads the file,
    whose text is in the key, and parses it through :func:`parsed`, kept by that text)."""
    modules = {m: Path(p) for m, p, _ in texts}
    return {m: frozenset(imports_of(m, p, modules)) for m, p in modules.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def reachable(graph, start: str) -> dict[str, str]:
    """Every module ``start`` reaches, mapped to the module it was first reached from (BFS)."""
    seen, queue = {start: ""}, [start]
    while queue:
        v = queue.pop(0)
        for w in sorted(graph.get(v, ())):
            if w not in seen:
                seen[w] = v
                queue.append(w)
    return seen


def test_the_graph_reader_sees_relative_absolute_and_function_level_imports(tmp_path):
    modules = {"a": None, "b": None, "pkg": None, "pkg.c": None, "pkg.d": None}
    src = tmp_path / "c.py"
    src.write_text("from .d import x\nfrom .. import a\ndef f():\n    from ..b import y\n"
                   "    import facemetrics.pkg.d\nimport numpy\n", encoding="utf-8")
    assert imports_of("pkg.c", src, modules) == {"pkg.d", "a", "b"}
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_circle():
    graph = import_graph()
    assert {"decay", "decay.model", "decay.claim", "study", "simulate"} <= set(graph)
    assert cycles(graph) == []


def forbidden_paths(graph, module: str) -> list[str]:
    """``"a -> b -> report"`` for every forbidden module that ``module`` reaches."""
    seen = reachable(graph, module)
    out = []
    # a forbidden module or any module of a forbidden package (batch.runner, ...)
    hits = sorted(m for m in seen if any(m == t or m.startswith(t + ".") for t in FORBIDDEN))
    for target in hits:
        if target in seen:
            path = [target]
            while seen[path[-1]]:
                path.append(seen[path[-1]])
            out.append(" -> ".join(reversed(path)))
    return out


def _edges(path: str) -> list[tuple[str, str]]:
    nodes = path.split(" -> ")
    return list(zip(nodes, nodes[1:]))


@pytest.mark.parametrize("module", MEASUREMENT)
def test_measurement_modules_do_not_reach_reporting_io_or_the_app(module):
    graph = import_graph()
    assert module in graph, f"{module} is not a facemetrics module (update MEASUREMENT)"
    paths = forbidden_paths(graph, module)
    assert [p for p in paths if not set(_edges(p)) & KNOWN_VIOLATIONS] == []


#: the gate's checks, split out of compare/gate.py by job (2026-12-06), in the order they may import each other: a
#: check imports only compare's modules below the gate (:data:`BELOW_THE_GATE`) and the checks before it, never the
#: gate, the package or the modules that use the gate (faces, fold_length, copies, disagreement)
GATE_CHECKS = ("compare.pose", "compare.framing", "compare.expression", "compare.iris_scale", "compare.skin",
               "compare.light", "compare.glasses", "compare.identity", "compare.fold_lines")
BELOW_THE_GATE = ("compare.regions", "compare.measure", "compare.floors", "compare.table", "compare.occlusion")


#: base modules (docs/architecture.md's "base" row): they import nothing from facemetrics but one another, so that every
#: layer may use them (``listing``: the one rule of a list of names, stop 60)
BASE = ("schema", "pairing", "timekeys", "rounding", "listing", "flags", "errors", "threads", "sharing", "messages", "reprs",
        "_version")


@pytest.mark.parametrize("module", BASE)
def test_base_modules_import_only_base_modules(module):
    graph = import_graph()
    assert module in graph
    assert graph[module] <= set(BASE), f"{module} imports {sorted(graph[module] - set(BASE))}"


def test_one_join_helper_in_the_base_layer():
    """``"a, b and c"`` / ``"a, b, c and 2 others"`` is written once, in the base module ``listing``: the batch's
    console kept a copy of ``decay.wording.join_few`` (``_join_few``) so as not to import the decay package and pandas
    (stop 60, g2).  Fails on the old code (``decay.wording`` and ``batch.console`` defined them)."""
    defined = sorted(module for module, path in module_names().items()
                     for node in ast.walk(parsed(path.read_text(encoding="utf-8")))
                     if isinstance(node, ast.FunctionDef) and node.name.lstrip("_") in ("join_words", "join_few"))
    assert defined == ["listing", "listing"], defined
    assert "listing" in import_graph()["batch.console"]


@pytest.mark.parametrize("module", GATE_CHECKS)
def test_the_gates_checks_import_only_what_lies_below_them(module):
    graph = import_graph()
    assert module in graph, f"{module} is not a facemetrics module (update GATE_CHECKS)"
    allowed = set(BELOW_THE_GATE) | set(GATE_CHECKS[: GATE_CHECKS.index(module)])
    assert sorted(m for m in graph[module] if m.split(".")[0] == "compare" and m not in allowed) == []
    assert set(GATE_CHECKS) <= graph["compare.gate"]  # the gate sits on all of them


def test_the_layer_rule_catches_an_indirect_dependency():
    graph = {"compare": {"geometry", "overlay"}, "overlay": {"analyze"}, "decay.claim": {"decay.model"},
             "folds": {"geometry", "helpers"}, "helpers": {"plots"}}
    assert forbidden_paths(graph, "compare") == ["compare -> overlay"]
    assert forbidden_paths(graph, "folds") == ["folds -> helpers -> plots"]
    assert forbidden_paths(graph, "decay.claim") == []
    assert forbidden_paths({"jaw": {"batch.discover"}}, "jaw") == ["jaw -> batch.discover"]


def test_known_violations_still_occur():
    """A fixed violation must be struck off the list, so it cannot come back unnoticed."""
    graph = import_graph()
    gone = sorted((a, b) for a, b in KNOWN_VIOLATIONS if b not in graph.get(a, set()))
    assert gone == []


def test_no_function_level_import_of_a_higher_layer_in_the_time_series_modules():
    """decay/*, study and simulate import their dependencies at the top of the file."""
    for module in ("decay.model", "decay.claim", "decay.wording", "decay.inputs", "decay.bootstrap", "decay.margin",
                   "decay.regimen_slope", "decay.left_out", "decay.carryover", "study"):
        tree = parsed(module_names()[module].read_text(encoding="utf-8"))
        hidden = [n.lineno for f in ast.walk(tree) if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef))
                  for n in ast.walk(f) if isinstance(n, ast.ImportFrom) and n.level]
        assert hidden == [], f"{module}: function-level facemetrics imports at lines {hidden}"


# ---------------------------------------------------------------- thresholds (docs/thresholds.md)

THRESHOLDS_DOC = PKG.parent / "docs" / "thresholds.md"

#: numeric UPPER_CASE constants that are not thresholds, so need no row in docs/thresholds.md
#: (module -> (names, reason)); ``"geometry": "int"`` leaves out every integer constant there
NOT_THRESHOLDS: dict[str, tuple[tuple[str, ...] | str, str]] = {
    "geometry": ("int", "Face Mesh landmark indices (its floats, IRIS_* and friends, are thresholds)"),
    "capture": (("_BASE_COLOUR", "_NEW_COLOUR"), "drawing colours, RGB"),
    "overlay": (("_JAW", "_BAND", "_LINE", "_EYES", "_LEGEND_BACKGROUND"), "drawing colours, RGB"),
    "exif": (("_TAG_ORIENTATION", "_TAG_DATETIME_ORIGINAL", "_TAG_DATETIME_DIGITIZED", "_TAG_OFFSET_ORIGINAL",
                "_TAG_OFFSET_DIGITIZED", "_TAG_SUBSEC_ORIGINAL", "_TAG_SUBSEC_DIGITIZED", "_TAG_FOCAL_35MM",
                "_TAG_LENS_MAKE", "_TAG_LENS_MODEL"), "EXIF tag numbers"),
    "store": (("SCHEMA_VERSION",), "the database's version number"),
    "jpeg_quality": (("_IJG_LUMINANCE",), "the JPEG specification's standard luminance table (T.81 Annex K), a "
                                          "reference table"),
    "compare.light": (("LIGHT_PAIRS", "LIGHT_UPPER_PAIRS", "LIGHT_LOWER_PAIRS"),
                      "Face Mesh landmark indices, and how many of those pairs are the forehead and the lower cheeks"),
    "metadata": (("_KEEP_IFD0", "_KEEP_EXIF"), "EXIF tag numbers"),
    "decay.carryover": (("_NAMED",), "how many sessions a reason names one by one (wording, not a threshold)"),
    "integrity.hevc": (("_DE265_DISABLE_DEBLOCKING", "_DE265_DISABLE_SAO", "_NEVER_DECODED"),
                       "libde265's parameter numbers (de265.h) and a pseudo-code beside its warning codes"),
}


def _is_number(node) -> bool:
    """A literal int/float, signed, an arithmetic of such (``1 << 22``), or a non-empty tuple of them."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, (int, float)) and not isinstance(node.value, bool)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        return _is_number(node.operand)
    if isinstance(node, ast.BinOp):
        return _is_number(node.left) and _is_number(node.right)
    if isinstance(node, ast.Tuple):
        return bool(node.elts) and all(_is_number(e) for e in node.elts)
    return False


def _value(node):
    """The number (or tuple) a node checked by :func:`_is_number` stands for."""
    return eval(compile(ast.Expression(node), "<constant>", "eval"), {"__builtins__": {}})  # numbers only


def numeric_constants(source: str) -> dict[str, object]:
    """``{NAME: value}`` of the module-level UPPER_CASE numeric constants of ``source``
    (``X = 1``, ``X: float = 1.0``, ``A, B = 1, 2``)."""
    out = {}
    for node in parsed(source).body:
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets, value = [node.target], node.value
        else:
            continue
        for target in targets:
            pairs = [(target, value)]
            if isinstance(target, ast.Tuple) and isinstance(value, ast.Tuple) and len(target.elts) == len(value.elts):
                pairs = list(zip(target.elts, value.elts))
            for name, val in pairs:
                if (isinstance(name, ast.Name) and name.id.upper() == name.id and any(c.isalpha() for c in name.id)
                        and _is_number(val)):
                    out[name.id] = _value(val)
    return out


def _cells(line: str) -> list[str]:
    """The cells of a markdown table row (``\\|`` inside a cell is not a separator)."""
    return [c.strip() for c in re.split(r"(?<!\\)\|", line.strip().strip("|"))]


def threshold_rows(text: str) -> dict[tuple[str, str], str]:
    """``{(module, NAME): value text}`` of the table rows of docs/thresholds.md."""
    rows = {}
    for line in text.splitlines():
        cells = _cells(line)
        if len(cells) >= 6 and all(c.startswith("`") and c.endswith("`") for c in cells[:3]):
            rows[(cells[1].strip("`"), cells[0].strip("`"))] = cells[2].strip("`")
    return rows


def _excluded(module: str, name: str, value) -> bool:
    names, _ = NOT_THRESHOLDS.get(module, ((), ""))
    if names == "int":
        return all(isinstance(v, int) for v in (value if isinstance(value, tuple) else (value,)))
    return name in names


def test_the_constant_reader_sees_every_form_of_numeric_constant():
    src = ("A = 1\nB: float = -2.5\nC, D = 3, (4, 5.0)\nE = 1 << 22\n_PRIVATE_N = 7\nlower = 1\nS = 'x'\n"
           "F = True\nG = (1, 'a')\nH = dict(a=1)\nI = OTHER * 2\ndef f():\n    J = 1\n")
    assert numeric_constants(src) == {"A": 1, "B": -2.5, "C": 3, "D": (4, 5.0), "E": 1 << 22, "_PRIVATE_N": 7}
    table = ("| constant | module | value | unit | applied to | source |\n|---|---|---|---|---|---|\n"
             "| `A` | `x.y` | `1` | mm | \\|a\\| | measured: docs/a.md |\n"
             "| `f(n=)` | `x` | `3` | s | b | method: c |\n")
    assert threshold_rows(table) == {("x.y", "A"): "1", ("x", "f(n=)"): "3"}
    kw = "def f(a, b=2, *, c=(1, 2.5)):\n    pass\nclass K:\n    def __init__(self, *, t=30.0):\n        pass\n"
    got = [keyword_default(kw, f, a) for f, a in (("f", "b"), ("f", "c"), ("K", "t"))]
    assert got == [2, (1, 2.5), 30.0]
    assert keyword_default(kw, "f", "a") is None and keyword_default(kw, "g", "b") is None
    assert _cells(table.splitlines()[2]) == ["`A`", "`x.y`", "`1`", "mm", "\\|a\\|", "measured: docs/a.md"]


def test_every_numeric_constant_is_in_docs_thresholds():
    """Every threshold has a row (unit, what it is applied to, source) with the code's value."""
    rows = threshold_rows(THRESHOLDS_DOC.read_text(encoding="utf-8"))
    missing, wrong = [], []
    for module, path in module_names().items():
        for name, value in numeric_constants(path.read_text(encoding="utf-8")).items():
            if _excluded(module, name, value):
                continue
            if (module, name) not in rows:
                missing.append(f"{module}.{name} = {value!r}")
            elif _value(ast.parse(rows[(module, name)], mode="eval").body) != value:
                wrong.append(f"{module}.{name}: docs {rows[(module, name)]}, code {value!r}")
    assert missing == [], "add a row to docs/thresholds.md (unit, applied to, source) for: " + "; ".join(missing)
    assert wrong == [], "docs/thresholds.md differs from the code: " + "; ".join(wrong)


def keyword_default(source: str, func: str, arg: str):
    """The default of argument ``arg`` of function ``func`` (a class: its ``__init__``) in ``source``, or None."""
    for node in ast.walk(parsed(source)):
        if isinstance(node, ast.ClassDef) and node.name == func:
            node = next((n for n in node.body if isinstance(n, ast.FunctionDef) and n.name == "__init__"), None)
        elif not (isinstance(node, ast.FunctionDef) and node.name == func):
            continue
        if node is None:
            return None
        a = node.args
        positional = a.posonlyargs + a.args
        pairs = list(zip(positional[len(positional) - len(a.defaults):], a.defaults))
        pairs += list(zip(a.kwonlyargs, a.kw_defaults))
        for name, default in pairs:
            if name.arg == arg and default is not None:
                return ast.literal_eval(default)
    return None


def test_every_row_of_docs_thresholds_names_a_constant_with_a_unit_and_a_source():
    text = THRESHOLDS_DOC.read_text(encoding="utf-8")
    modules = module_names()
    stale, bad = [], []
    for line in text.splitlines():
        cells = _cells(line)
        if len(cells) < 6 or not cells[0].startswith("`"):
            continue
        name, module = cells[0].strip("`"), cells[1].strip("`")
        if module not in modules:
            stale.append(f"{module} (no such module)")
            continue
        src = modules[module].read_text(encoding="utf-8")
        if "(" in name:  # a keyword default: "func(arg=)", its value as in the code
            func, arg = name.rstrip("=)").split("(")
            if keyword_default(src, func, arg) != ast.literal_eval(cells[2].strip("`")):
                stale.append(f"{module}.{name} (gone or another default)")
        elif not re.search(rf"^{name}\b|^\w+(, \w+)*, {name}\b", src, re.M):
            stale.append(f"{module}.{name}")
        if not cells[3] or not re.match(r"(measured|reference|method|unsourced)\b", cells[5]):
            bad.append(f"{module}.{name}")
    assert stale == [], f"rows of docs/thresholds.md whose constant is gone: {stale}"
    assert bad == [], f"rows without a unit or a source (measured/reference/method/unsourced): {bad}"


def test_the_not_thresholds_list_only_names_existing_constants():
    """The allow-list can only shrink: an entry whose constant is gone fails."""
    modules = module_names()
    gone = [f"{m}.{n}" for m, (names, _) in NOT_THRESHOLDS.items() if names != "int"
            for n in names if n not in numeric_constants(modules[m].read_text(encoding="utf-8"))]
    assert gone == []


#: the longest function body (docstring excluded) allowed in the package and app.py (issue 13: "no
#: function over ~80 lines without a reason"); the longest today is app.comparison_view at 79 lines
MAX_BODY_LINES = 80


def body_lines(source: str) -> dict[str, int]:
    """``{qualified name: lines of the body without its docstring}`` for every function in ``source``."""
    out = {}

    def visit(node, prefix):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                body = child.body
                if isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
                        and isinstance(body[0].value.value, str):
                    body = body[1:]
                name = prefix + child.name
                out[name] = (body[-1].end_lineno - body[0].lineno + 1) if body else 0
                visit(child, name + ".")
            elif isinstance(child, ast.ClassDef):
                visit(child, prefix + child.name + ".")
    visit(parsed(source), "")
    return out


def test_body_lines_counts_code_not_the_docstring():
    src = 'def f():\n    """Doc\n    string."""\n    a = 1\n\n    return a\n\nclass C:\n    def g(self):\n        pass\n'
    assert body_lines(src) == {"f": 3, "C.g": 1}


def test_no_function_body_over_the_limit():
    files = sorted(PKG.rglob("*.py")) + [PKG.parent / "app.py"]
    long = [f"{p.relative_to(PKG.parent)}:{name} ({n} lines)" for p in files
            for name, n in body_lines(p.read_text(encoding="utf-8")).items() if n > MAX_BODY_LINES]
    assert long == [], "split these functions (or give the reason here): " + "; ".join(long)


def test_only_landmarks_imports_mediapipe():
    """MediaPipe stays inside one module (README): no other file of the package, nor the
    app imports it, at module or function level."""
    root = PKG.parent
    offenders = []
    for path in [*sorted(PKG.rglob("*.py")), root / "app.py"]:
        for node in ast.walk(parsed(path.read_text(encoding="utf-8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level else [])
            if any(n == "mediapipe" or n.startswith("mediapipe.") for n in names):
                offenders.append(str(path.relative_to(root)))
    assert offenders and set(offenders) == {"facemetrics/landmarks.py"}, offenders


# ---------------------------------------------------------------- private names stay in their package

#: private names imported across a package's border today, each to be made public (or its import
#: dropped) by its module's owner: ``(importing module, module imported from, name)``.  An entry that
#: no longer occurs fails the test, so the list can only shrink.
KNOWN_PRIVATE_IMPORTS: set[tuple[str, str, str]] = set()  # the last three struck off (h11, 2026-12-05)


def _package_of(module: str, modules) -> str:
    """The package a module belongs to (``"compare"`` for ``compare.measure`` and ``compare``); "" for a
    top-level module (``store``, ``sessions``), which shares its private names with no other."""
    head = module.split(".")[0]
    return head if modules.get(head, Path()).name == "__init__.py" else ""


def private_imports(module: str, path: Path, modules) -> set[tuple[str, str]]:
    """``(module imported from, name)`` of every private name (one leading underscore: ``_time_key``, not
    ``__version__``) that ``module`` imports from another facemetrics module, at module or function level
    (``from .batch.tables import _time_key``, ``from ..batch import _settings``)."""
    is_pkg = path.name == "__init__.py"
    package = module if is_pkg else module.rpartition(".")[0]
    out = set()
    for node in ast.walk(parsed(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.ImportFrom):
            continue
        if node.level:
            base = package.split(".") if package else []
            base = base[: len(base) - (node.level - 1)] if node.level > 1 else base
            source = ".".join(base + ([node.module] if node.module else []))
        elif node.module and (node.module == "facemetrics" or node.module.startswith("facemetrics.")):
            source = node.module.removeprefix("facemetrics").lstrip(".")
        else:
            continue
        for alias in node.names:
            if alias.name.startswith("_") and not alias.name.startswith("__"):
                out.add((_resolve(source, modules) or source, alias.name))
    return out


def private_leaks() -> set[tuple[str, str, str]]:
    """``(importer, module, name)``: a private name imported from a module of another package (a module's
    private names are its package's: ``batch/``'s modules share theirs, as ``compare/``'s, ``decay/``'s and
    ``integrity/``'s do; a top-level module's are its own).  ``app.py``, the shell, counts as a top-level
    module."""
    modules = module_names()
    files = dict(modules.items())
    files["app"] = PKG.parent / "app.py"
    leaks = set()
    for module, path in files.items():
        mine = _package_of(module, modules) if module != "app" else ""
        for source, name in private_imports(module, path, modules):
            if not (mine and _package_of(source, modules) == mine):
                leaks.add((module, source, name))
    return leaks


def test_the_private_import_reader_sees_relative_absolute_and_function_level_imports(tmp_path):
    modules = {"a": None, "pkg": None, "pkg.c": None, "pkg.d": None}
    src = tmp_path / "c.py"
    src.write_text("from .d import _x, y\nfrom .. import _a\ndef f():\n    from ..a import _z\n"
                   "    from facemetrics.pkg.d import _w\nfrom .._version import __version__\n"
                   "from numpy import _private\n", encoding="utf-8")
    assert private_imports("pkg.c", src, modules) == {("pkg.d", "_x"), ("", "_a"), ("a", "_z"), ("pkg.d", "_w")}


def test_no_module_imports_the_private_names_of_another_package():
    """``sessions.py`` matched the store's sessions by ``batch.tables._time_key``, ``regimen.py`` by
    ``batch.tables._sessions``, the store measured by ``batch._task_analyze`` under the keys of
    ``batch._settings``: a private name is its package's, and a rule two packages share is public, in the
    module both use (``timekeys``) or under a public name (``batch.run_settings``, ``batch.workers.measure_photo``)."""
    leaks = private_leaks()
    assert ("sessions", "batch.tables", "_time_key") not in leaks  # the leak that started it (h4, 2026-12-05)
    new = sorted(leaks - KNOWN_PRIVATE_IMPORTS)
    assert new == [], "import a public name (or move the rule to a module both use): " + "; ".join(
        f"{a} imports {m}.{n}" for a, m, n in new)


def test_known_private_imports_still_occur():
    """A fixed leak must be struck off the list, so it cannot come back unnoticed."""
    assert sorted(KNOWN_PRIVATE_IMPORTS - private_leaks()) == []


def test_the_private_import_rule_catches_a_leak_and_lets_a_package_share_its_own(tmp_path, monkeypatch):
    pkg = tmp_path / "facemetrics"
    (pkg / "batch").mkdir(parents=True)
    (pkg / "batch" / "__init__.py").write_text("")
    (pkg / "batch" / "tables.py").write_text("def _time_key(t):\n    return t\n")
    (pkg / "batch" / "runner.py").write_text("from .tables import _time_key\n")
    (pkg / "sessions.py").write_text("def f():\n    from .batch.tables import _time_key\n")
    (tmp_path / "app.py").write_text("from facemetrics.batch.runner import _hidden\n")
    monkeypatch.setattr(sys.modules[__name__], "PKG", pkg)
    assert private_leaks() == {("sessions", "batch.tables", "_time_key"), ("app", "batch.runner", "_hidden")}
