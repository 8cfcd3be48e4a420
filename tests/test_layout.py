"""The architecture as tests: what the README's "Layout" section promises stays true.

Read from the source with ``ast`` (nothing is imported), so a violation names the file.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import networkx as nx
import pytest

from tests.conftest import ROOT

PACKAGES = ("bot", "cogs")
SUBPACKAGES = {"sources", "inference", "storage", "summaries", "replay", "guilds", "ui"}
MAX_LINES = 600
MAX_TOP_LEVEL_MODULES = 10


def modules() -> dict[str, Path]:
    """Dotted name → file, for every module of the runtime packages."""
    found: dict[str, Path] = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = path
    return found


def _type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import statement, at any depth, except those under ``if TYPE_CHECKING:``."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and _type_checking(node):
            yield from (n for child in node.orelse for n in _imports_of(child))
            continue
        yield from _imports_of(node)


def _imports_of(node: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    if isinstance(node, ast.Import | ast.ImportFrom):
        yield node
    else:
        yield from _imports(node)


def imported(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The project modules ``name`` imports (a package's ``__init__`` counts as the package)."""
    out: set[str] = set()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in _imports(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names if alias.name in known)
            continue
        base = node.module or ""
        if node.level:
            anchor = package.split(".")
            anchor = anchor[: len(anchor) - (node.level - 1)]
            base = ".".join([*anchor, base] if base else anchor)
        for alias in node.names:
            target = f"{base}.{alias.name}"
            if target in known:
                out.add(target)
            elif base in known:
                out.add(base)
    out.discard(name)
    return out


def import_graph() -> nx.DiGraph:
    known = modules()
    graph = nx.DiGraph()
    for name, path in known.items():
        graph.add_node(name)
        graph.add_edges_from((name, target) for target in imported(name, path, known))
    return graph


def test_no_import_cycles() -> None:
    graph = import_graph()
    # A package importing its own sub-modules (re-exports) is not a cycle of layers.
    for source, target in list(graph.edges):
        if target.startswith(source + "."):
            graph.remove_edge(source, target)
    cycles = [" → ".join([*c, c[0]]) for c in nx.simple_cycles(graph)]
    assert cycles == [], "import cycles:\n" + "\n".join(cycles)


def test_no_cog_imports_another_cog() -> None:
    graph = import_graph()
    crossing = [
        f"{a} imports {b}"
        for a, b in graph.edges
        if a.startswith("cogs.") and b.startswith("cogs.") and b != "cogs"
    ]
    assert crossing == []


def test_the_core_never_imports_the_cogs() -> None:
    """``bot`` may list the ``cogs`` package to load it (the Bot subclass does), never a cog."""
    graph = import_graph()
    assert [(a, b) for a, b in graph.edges if a.startswith("bot") and b.startswith("cogs.")] == []


@pytest.mark.parametrize("name", sorted(modules()))
def test_no_module_over_600_lines(name: str) -> None:
    lines = len(modules()[name].read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{name} has {lines} lines"


def test_bot_top_level_stays_small_and_has_the_subpackages() -> None:
    top = [
        p.name for p in (ROOT / "bot").glob("*.py") if p.name not in ("__init__.py", "__main__.py")
    ]
    assert len(top) <= MAX_TOP_LEVEL_MODULES, sorted(top)
    present = {p.parent.name for p in (ROOT / "bot").glob("*/__init__.py")}
    assert present >= SUBPACKAGES, SUBPACKAGES - present


def test_sql_stays_in_storage() -> None:
    """Nothing outside ``bot/storage`` speaks SQL (or opens a database driver)."""
    offenders = []
    for name, path in modules().items():
        if name.startswith("bot.storage"):
            continue
        text = path.read_text(encoding="utf-8")
        tree = ast.parse(text)
        drivers = {
            alias.name.split(".")[0]
            for node in _imports(tree)
            for alias in node.names
            if isinstance(node, ast.Import)
        } | {
            (node.module or "").split(".")[0]
            for node in _imports(tree)
            if isinstance(node, ast.ImportFrom)
        }
        if drivers & {"sqlite3", "aiosqlite", "asyncpg"}:
            offenders.append(name)
    assert offenders == []


def test_test_data_generators_are_not_in_the_runtime_package() -> None:
    assert not list((ROOT / "bot").rglob("synthetic*.py"))


def test_tests_mirror_the_tree() -> None:
    """Every sub-package of ``bot`` has its tests folder (``tests/bot/<sub-package>``)."""
    missing = [s for s in SUBPACKAGES if not (ROOT / "tests" / "bot" / s / "__init__.py").exists()]
    assert missing == []
