"""The package's import graph has no cycle, and its modules stay small.

Every ``import`` statement counts, wherever it is: at module level, inside a function (a lazy
import) and under ``if TYPE_CHECKING:``. A lazy or type-only import does not break at run time,
but it still ties two modules into one, which is what the rooms of ``vigil.media`` are meant to
prevent. Only explicit imports make edges: importing ``a.b.c`` runs ``a/b/__init__.py`` too, but
that implicit edge is not counted (package ``__init__`` modules import nothing in this package
beyond what they name).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src"
PACKAGE = SRC / "vigil"

MAX_LINES = 300
"""COMMON.md: small modules, never over about 300 lines."""
KNOWN_LONG: set[str] = set()
"""Modules over :data:`MAX_LINES` when this test was written, to be split; none may be added."""


def module_name(path: Path) -> str:
    parts = path.relative_to(SRC).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def all_modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def _resolve(node: ast.ImportFrom, importer: str, is_package: bool) -> str:
    if not node.level:
        return node.module or ""
    base = importer.split(".")
    base = base if is_package else base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, *([node.module] if node.module else [])])


def imported_modules(name: str, path: Path, known: set[str]) -> Iterator[str]:
    """The package's modules that ``name`` imports anywhere in its body."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            source = _resolve(node, name, path.name == "__init__.py")
            targets = [f"{source}.{alias.name}" if f"{source}.{alias.name}" in known else source
                       for alias in node.names]
        else:
            continue
        yield from (target for target in targets if target in known and target != name)


def import_graph() -> dict[str, set[str]]:
    modules = all_modules()
    known = set(modules)
    return {name: set(imported_modules(name, path, known)) for name, path in modules.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_cycle_finder_sees_a_cycle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_graph_sees_lazy_and_relative_imports(tmp_path: Path) -> None:
    graph = import_graph()
    assert "vigil.media.index.gpu" in graph["vigil.media.index.segments"]  # inside a function
    assert "vigil.media.index.mih" in graph["vigil.media.index.segments"]  # from pkg import mod


def test_no_import_cycles() -> None:
    found = cycles(import_graph())
    assert not found, "import cycles:\n" + "\n".join(" <-> ".join(c) for c in found)


def test_modules_stay_small() -> None:
    lengths = {name: len(path.read_text(encoding="utf-8").splitlines())
               for name, path in all_modules().items()}
    too_long = {name: n for name, n in lengths.items() if n > MAX_LINES and name not in KNOWN_LONG}
    assert not too_long, f"modules over {MAX_LINES} lines: {too_long}"
    split = sorted(name for name in KNOWN_LONG if lengths.get(name, 0) <= MAX_LINES)
    assert not split, f"now short enough, remove from KNOWN_LONG: {split}"
