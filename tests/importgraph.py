"""The import graph of a package, computed from its source with ``ast`` (nothing is imported).

``import_graph(folder, "ocppgen")`` maps every module of the package in ``folder`` to the modules of
the same package it imports — at module level, inside functions and under ``TYPE_CHECKING`` alike,
since each is a dependency a reader has to follow. ``find_cycle`` returns one cycle as a list of
module names (first name repeated at the end), or ``None``.
"""

from __future__ import annotations

import ast
from pathlib import Path

__all__ = ["find_cycle", "import_graph", "module_name"]


def module_name(folder: Path, path: Path, package: str) -> str:
    """``folder/a/b.py`` → ``package.a.b``; ``folder/a/__init__.py`` → ``package.a``."""
    parts = list(path.relative_to(folder).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join([package, *parts])


def _resolve(current: str, is_package: bool, level: int, target: str | None) -> str:
    base = current.split(".")
    if not is_package:
        base.pop()
    if level > 1:
        base = base[: len(base) - (level - 1)]
    return ".".join(base + ([target] if target else []))


def _imports(tree: ast.Module, lazy: bool) -> list[ast.Import | ast.ImportFrom]:
    """The import statements of a module; without ``lazy``, those inside functions are left out."""
    if lazy:
        return [n for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom))]
    found: list[ast.Import | ast.ImportFrom] = []
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            found.append(node)
        elif not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            stack.extend(ast.iter_child_nodes(node))
    return found


def import_graph(folder: Path, package: str, *, lazy: bool = True) -> dict[str, set[str]]:
    """Each module of the package in ``folder`` → the package modules it imports (itself excluded).

    ``lazy=False`` leaves out imports inside function bodies: they run when the function is called,
    not when the module is imported, so they cannot make importing a module fail half-way.
    """
    paths = sorted(folder.rglob("*.py"))
    modules = {module_name(folder, p, package): p for p in paths}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        is_package = path.name == "__init__.py"
        targets: set[str] = set()
        for node in _imports(ast.parse(path.read_text(encoding="utf-8"), str(path)), lazy):
            if isinstance(node, ast.Import):
                targets.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = _resolve(name, is_package, node.level, node.module) if node.level else (node.module or "")
                targets.add(base)
                # `from . import x` / `from .a import b` may name submodules as well as attributes.
                targets.update(f"{base}.{alias.name}" for alias in node.names)
        deps = set()
        for target in targets:
            # A package module counts as imported when the name is it or lies inside it.
            while target and target not in modules:
                target = target.rpartition(".")[0]
            if target and target != name and target.startswith(package):
                deps.add(target)
        graph[name] = deps
    return graph


def _is_parent(parent: str, child: str) -> bool:
    return child.startswith(parent + ".")


def find_cycle(graph: dict[str, set[str]], *, ignore_parent_packages: bool = True) -> list[str] | None:
    """One import cycle of ``graph`` or ``None``.

    Importing ``pkg.a`` runs ``pkg/__init__.py`` first, so an ``__init__`` that re-exports its
    submodules would make every submodule that imports a sibling look cyclic; with
    ``ignore_parent_packages`` (the default) an edge from a module to a package that contains it is
    not followed.
    """
    WHITE, GREY, BLACK = 0, 1, 2
    colour = dict.fromkeys(graph, WHITE)
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        colour[node] = GREY
        stack.append(node)
        for dep in sorted(graph.get(node, ())):
            if ignore_parent_packages and _is_parent(dep, node):
                continue
            if colour.get(dep) == GREY:
                return stack[stack.index(dep) :] + [dep]
            if colour.get(dep) == WHITE:
                found = visit(dep)
                if found:
                    return found
        stack.pop()
        colour[node] = BLACK
        return None

    for start in sorted(graph):
        if colour[start] == WHITE:
            cycle = visit(start)
            if cycle:
                return cycle
    return None
