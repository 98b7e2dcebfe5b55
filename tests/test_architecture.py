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
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parents[1] / "facemetrics"

#: measurement and model modules (package ``decay`` and its modules included)
MEASUREMENT = ("geometry", "landmarks", "loader", "quality", "jaw", "folds", "align", "pose3d", "compare",
               "compare.regions", "compare.measure", "compare.floors", "compare.gate", "compare.table",
               "analyze", "decay", "decay.model", "decay.claim", "decay.wording")
#: what they must not reach: reporting, figures, files, orchestration, the CLI and the app
FORBIDDEN = ("report", "plots", "overlay", "export", "batch", "store", "cli", "app", "validate")

#: edges that break rule 2 today, each to be removed by its module's owner (issue 13); an
#: entry that no longer occurs fails the test, so the list can only shrink
KNOWN_VIOLATIONS: set[tuple[str, str]] = set()


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
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
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
    modules = module_names()
    return {m: imports_of(m, p, modules) for m, p in modules.items()}


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
    for module in ("decay.model", "decay.claim", "decay.wording", "study"):
        tree = ast.parse(module_names()[module].read_text(encoding="utf-8"))
        hidden = [n.lineno for f in ast.walk(tree) if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef))
                  for n in ast.walk(f) if isinstance(n, ast.ImportFrom) and n.level]
        assert hidden == [], f"{module}: function-level facemetrics imports at lines {hidden}"
