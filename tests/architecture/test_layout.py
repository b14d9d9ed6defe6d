"""The shape of the package, checked from its source (issue 17): no import cycles, no private
names borrowed across modules, engines behind their analyses, small modules and functions."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2] / "jkit"
MAX_MODULE_LINES = 510
MAX_FUNCTION_LINES = 85
#: analysis packages: they compute, they do not read files, write reports or display
ANALYSES = ("funnels", "kpis", "sentiment", "pain_points", "personas", "journey_map", "paths")
REGISTRY_STRING = re.compile(r"^(jkit(?:\.\w+)+):\w+$")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {_module_name(p): p for p in sorted(ROOT.rglob("*.py"))}


def _resolve(name: str) -> str | None:
    """The jkit module a dotted name refers to (a module, or the module holding a name)."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def _type_checking_lines(tree: ast.AST) -> set[int]:
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for sub in node.body:
                lines.update(range(sub.lineno, (sub.end_lineno or sub.lineno) + 1))
    return lines


def _imports(module: str) -> list[tuple[str, str | None, int]]:
    """(imported module, imported name or None, line) for every import in ``module``: module level,
    inside functions, and ``"module:function"`` registry strings."""
    path = MODULES[module]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _type_checking_lines(tree)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: list[tuple[str, str | None, int]] = []
    for node in ast.walk(tree):
        if getattr(node, "lineno", None) in skip:
            continue
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("jkit"):
                    found.append((alias.name, None, node.lineno))
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            if not base.startswith("jkit"):
                continue
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                if sub in MODULES:
                    found.append((sub, None, node.lineno))
                else:
                    found.append((base, alias.name, node.lineno))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            hit = REGISTRY_STRING.match(node.value)
            if hit:
                found.append((hit.group(1), None, node.lineno))
    return found


GRAPH = {m: sorted({r for name, _, _ in _imports(m) if (r := _resolve(name)) and r != m}) for m in MODULES}


def _cycles() -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in GRAPH[v]:
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

    for v in MODULES:
        if v not in index:
            visit(v)
    return out


def test_the_import_graph_has_no_cycle():
    assert _cycles() == []


def test_the_cycle_finder_finds_a_planted_cycle(monkeypatch):
    monkeypatch.setitem(GRAPH, "jkit.errors", [*GRAPH["jkit.errors"], "jkit.stats"])
    assert ["jkit.errors", "jkit.stats"] in _cycles()


def test_no_private_name_is_borrowed_from_another_module():
    borrowed = []
    for module in MODULES:
        for target, name, line in _imports(module):
            if name and name.startswith("_") and not name.startswith("__") and _resolve(target) != module:
                borrowed.append(f"{module}:{line} {target}.{name}")
        tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
        aliases = {a.asname or a.name for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom))
                   for a in n.names if a.asname and (getattr(n, "module", "") or a.name).startswith("jkit")}
        for node in ast.walk(tree):
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in aliases
                    and node.attr.startswith("_") and not node.attr.startswith("__")):
                borrowed.append(f"{module}:{node.lineno} {node.value.id}.{node.attr}")
    assert borrowed == []


def test_spark_is_plumbing_that_knows_no_analysis():
    spark = [m for m in MODULES if m == "jkit.spark" or m.startswith("jkit.spark.")]
    leaks = [(m, dep) for m in spark for dep in GRAPH[m] if dep.split(".")[1] in ANALYSES]
    assert leaks == []


def test_analyses_do_not_know_the_report_layer():
    """Analyses take tables and return tables: no reports, no notebook display, no file reading
    (``jkit.io`` only for the :class:`JourneyData` they are given and the one atomic writer of exports)."""
    allowed_io = ("jkit.io", "jkit.io.journey_data", "jkit.io.files")
    leaks = [(m, dep) for m in MODULES if m.split(".")[1:2] and m.split(".")[1] in ANALYSES
             for dep in GRAPH[m]
             if dep.startswith(("jkit.reports", "jkit.notebook", "jkit.report_support"))
             or (dep.startswith("jkit.io") and dep not in allowed_io)]
    assert leaks == []


def test_engines_use_only_the_interface_of_their_analysis():
    """An engine imports its analysis's spec/interface modules, never the analysis's public API module
    (which loads the engine): adding an engine touches one folder."""
    bad = []
    for module in MODULES:
        parts = module.split(".")
        if "engines" in parts[:-1] or (len(parts) > 2 and parts[-2] == "engines"):
            package = ".".join(parts[: parts.index("engines")])
            for dep in GRAPH[module]:
                if dep == package:
                    bad.append((module, dep))
    assert bad == []


def test_every_module_is_short():
    long = {m: n for m, p in MODULES.items() if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES}
    assert long == {}


def _body_lines(node: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    body = node.body
    if body and isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant):
        body = body[1:]  # the docstring does not count
    if not body:
        return 0
    return (node.end_lineno or body[-1].lineno) - body[0].lineno + 1


@pytest.mark.parametrize("module", sorted(MODULES))
def test_every_function_is_short(module):
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    long = {n.name: _body_lines(n) for n in ast.walk(tree)
            if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and _body_lines(n) > MAX_FUNCTION_LINES}
    assert long == {}


def test_no_underscore_module_stands_beside_the_package_root():
    """Only jkit's two shared internals (_rules, _engines) are underscore modules at the root."""
    assert sorted(p.name for p in ROOT.glob("_*.py") if p.name != "__init__.py") == ["_engines.py", "_rules.py"]


def test_the_architecture_page_names_every_package_and_root_module():
    """docs/architecture.md stays true: its table names each sub-package and root module."""
    page = (ROOT.parent / "docs" / "architecture.md").read_text(encoding="utf-8")
    table = {m.group(1) for m in re.finditer(r"`(jkit(?:\.\w+)?)`", page)}
    tops = {".".join(m.split(".")[:2]) for m in MODULES if m.count(".") >= 1}
    missing = sorted(t for t in tops if t not in table and t not in ("jkit.resources", "jkit.stage_models"))
    assert missing == []
