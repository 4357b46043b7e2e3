"""The generator's modules import each other without a cycle: each sits on top of the ones it uses."""

from __future__ import annotations

import ast
from pathlib import Path

from ..conftest import ROOT
from ..importgraph import find_cycle, import_graph

GENERATOR = ROOT / "generator"


def test_generator_import_graph_has_no_cycle() -> None:
    graph = import_graph(GENERATOR, "ocppgen")
    assert "ocppgen.schema" in graph and "ocppgen.reader" in graph
    assert find_cycle(graph) is None, " -> ".join(find_cycle(graph) or [])


def test_only_the_orchestrator_knows_catalogues_extensions_and_the_reader_together() -> None:
    graph = import_graph(GENERATOR, "ocppgen")
    together = {"ocppgen.catalog", "ocppgen.extensions", "ocppgen.reader"}
    assert [m for m, deps in graph.items() if together <= deps] == ["ocppgen.schema"]
    assert "ocppgen.schema" not in graph["ocppgen.reader"] | graph["ocppgen.extensions"] | graph["ocppgen.catalog"]


def test_no_private_name_is_imported_across_modules() -> None:
    for path in sorted(GENERATOR.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.level or (node.module or "").startswith("ocppgen")):
                private = [a.name for a in node.names if a.name.startswith("_") and a.name != "__version__"]
                assert not private, f"{path.name} imports {private} from {node.module}"


def test_cycle_detection_finds_a_cycle(tmp_path: Path) -> None:
    pkg = tmp_path / "pkg"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("from . import a\n")
    (pkg / "a.py").write_text("from .sub import b\n")
    (pkg / "sub" / "__init__.py").write_text("")
    (pkg / "sub" / "b.py").write_text("def f():\n    from ..c import x\n")
    (pkg / "c.py").write_text("import pkg.a\n")
    graph = import_graph(pkg, "pkg")
    assert graph["pkg.a"] == {"pkg.sub", "pkg.sub.b"}  # `from .sub import b` runs sub/__init__.py too
    assert graph["pkg.sub.b"] == {"pkg.c"}
    assert graph["pkg.c"] == {"pkg.a"}
    assert find_cycle(graph) == ["pkg.a", "pkg.sub.b", "pkg.c", "pkg.a"]
    (pkg / "c.py").write_text("x = 1\n")
    assert find_cycle(import_graph(pkg, "pkg")) is None
