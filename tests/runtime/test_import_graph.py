"""The runtime's layers import downwards only: no import cycle, and no runtime module imports a version package."""

from __future__ import annotations

from pathlib import Path

import ocppwire

from ..importgraph import find_cycle, import_graph

PACKAGE = Path(ocppwire.__file__).parent


def test_runtime_import_graph_has_no_cycle() -> None:
    graph = import_graph(PACKAGE / "runtime", "ocppwire.runtime")
    assert len(graph) > 20
    assert find_cycle(graph) is None


def test_the_whole_package_has_no_cycle_and_the_runtime_imports_no_version_package() -> None:
    """Every module-level import (TYPE_CHECKING ones included) of the whole package: no cycle. Imports
    inside functions are left out here: the cluster's configuration loads its NATS machinery only when a
    server attaches, which is such a lazy import, and cannot make importing a module fail half-way. The
    runtime alone is held to the strict rule above."""
    graph = import_graph(PACKAGE, "ocppwire", lazy=False)
    assert find_cycle(graph) is None
    version_packages = {name for name in graph if name.count(".") == 1 and name.split(".")[1].startswith("v")}
    assert "ocppwire.v201" in version_packages
    for module, deps in graph.items():
        if module.startswith("ocppwire.runtime"):
            assert not {d for d in deps if d.split(".")[:2] and ".".join(d.split(".")[:2]) in version_packages}, module
