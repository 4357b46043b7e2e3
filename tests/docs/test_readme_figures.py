"""The counts README.md quotes about the bindings and catalogues are the package's real counts.

These figures do not depend on the machine, so a test checks each one where the README states it (a
changed schema set or catalogue then fails here until the README follows). Machine-dependent figures
(times, rates, memory) are printed by `make test`, `make soak` and the benchmarks instead.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable

import pytest

from ocppwire.v201 import actions, catalog, enums, types

from ..conftest import ROOT, SCHEMAS

README = (ROOT / "README.md").read_text()


def _schemas() -> int:
    return len([p for p in SCHEMAS.glob("*.json") if p.name.endswith(("Request.json", "Response.json"))])


def _enums() -> int:
    return len(
        [
            v
            for v in vars(enums).values()
            if isinstance(v, type) and issubclass(v, enum.Enum) and v.__module__ == enums.__name__
        ]
    )


FIGURES: dict[str, Callable[[], int]] = {
    r"\| schemas \| 78 \(56 core, draft-04; 22 security extension, draft-06\) \| (\d+) \(draft-06\)": _schemas,
    r"`ocppwire\.v16` \((\d+) files": lambda: len(list((ROOT / "schemas" / "v16").glob("*.json"))) - 1,
    r"`ocppwire\.v21` \((\d+) files": lambda: len(list((ROOT / "schemas" / "v21").glob("*.json"))) - 1,
    r"(\d+) `StrEnum`s": _enums,
    r"the (\d+) shared\s+object types": lambda: len(types.__all__),
    r"for the (\d+) actions": lambda: len(actions.ACTIONS),
    r"(\d+) standardized components": lambda: len(catalog.ControllerComponent) + len(catalog.PhysicalComponent),
    r"\((\d+) controller, \d+ physical\)": lambda: len(catalog.ControllerComponent),
    r"\(\d+ controller, (\d+) physical\)": lambda: len(catalog.PhysicalComponent),
    r"(\d+) security events": lambda: len(catalog.SecurityEvent),
    r"\((\d+) critical\)": lambda: sum(1 for event in catalog.SecurityEvent if event.critical),
    r"(\d+) reason codes": lambda: len(catalog.ReasonCode),
    r"(\d+) units of measure": lambda: len(catalog.UnitOfMeasure),
}


@pytest.mark.parametrize("pattern", FIGURES)
def test_readme_count_is_the_real_count(pattern: str) -> None:
    match = re.search(pattern, README)
    assert match, f"README.md no longer says {pattern!r}: update this test with it"
    line = README[: match.start()].count("\n") + 1
    assert int(match[1]) == FIGURES[pattern](), f"README.md:{line}: {match[0]!r}, the package has {FIGURES[pattern]()}"
