"""What changed between two device-model catalogues (``<schemas>/catalog/``, see :mod:`ocppgen.catalog`).

Each catalogue kind is compared as a table of named entries with attributes:

- components (attribute: kind, and the names of their variables),
- component variables, named ``Component.Variable[instance]`` (dataType, units, mutability,
  required, minLimit, maxLimit, valuesList, knownValues),
- generic variables (dataType, units), units (quantity), security events (critical), reason codes
  (usedWith, generic).

An entry only in OLD is removed, only in NEW added, in both with different attributes changed (each
attribute with its old and new value). **Rename rule** (strong evidence only): a removed and an added
entry of the same kind are reported as a rename when (1) their attributes are identical (for a
component variable, in the same component), (2) no other removed or added entry of that kind has those
attributes, so the match is one to one, and (3) their names are alike: equal ignoring case, or
``difflib`` similarity of the lower-cased names of at least 0.6. A catalogue's attributes are few (a
security event has only ``critical``), so identical attributes alone would pair unrelated entries;
the name condition keeps only the renames a reader would also guess.
"""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field

from .catalog import Catalog, CatalogVariable

AttrValue = str | int | float | bool | None | tuple[str, ...]
Attributes = tuple[tuple[str, AttrValue], ...]

NAME_SIMILARITY = 0.6
"""Rule (3): the least ``difflib.SequenceMatcher`` ratio of two lower-cased names for a rename."""

KINDS = ("components", "component variables", "generic variables", "units", "security events", "reason codes")


@dataclass(frozen=True)
class AttributeChange:
    entry: str
    attribute: str
    old: AttrValue
    new: AttrValue


@dataclass
class CatalogKindDiff:
    """Added, removed, renamed (old, new) and changed entries of one catalogue kind."""

    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    renamed: list[tuple[str, str]] = field(default_factory=list)
    changed: list[AttributeChange] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.renamed or self.changed)


def _variable(v: CatalogVariable) -> Attributes:
    return (
        ("dataType", v.data_type),
        ("units", v.units),
        ("mutability", v.mutability),
        ("required", v.required),
        ("minLimit", v.min_limit),
        ("maxLimit", v.max_limit),
        ("valuesList", v.values_list),
        ("knownValues", v.known_values),
    )


def entries(catalog: Catalog) -> dict[str, dict[str, Attributes]]:
    """Every catalogue kind of :data:`KINDS` as ``{entry name: attributes}``."""
    variables: dict[str, Attributes] = {}
    for c in catalog.components:
        for v in c.variables:
            variables[v.label(c.name)] = (("component", c.name), *_variable(v))
    return {
        "components": {
            c.name: (("kind", c.kind), ("variables", tuple(v.label("")[1:] for v in c.variables)))
            for c in catalog.components
        },
        "component variables": variables,
        "generic variables": {
            g.name: (("dataType", g.data_type), ("units", g.units)) for g in catalog.generic_variables
        },
        "units": {u.symbol: (("quantity", u.quantity),) for u in catalog.units},
        "security events": {e.name: (("critical", e.critical),) for e in catalog.security_events},
        "reason codes": {r.name: (("usedWith", r.used_with), ("generic", r.generic)) for r in catalog.reason_codes},
    }


def _alike(a: str, b: str) -> bool:
    a, b = a.lower(), b.lower()
    return a == b or difflib.SequenceMatcher(None, a, b).ratio() >= NAME_SIMILARITY


def _short(name: str) -> str:
    """The name a rename is judged on: a component variable without its ``Component.`` prefix."""
    return name.split(".", 1)[1] if "." in name else name


def diff_entries(old: Mapping[str, Attributes], new: Mapping[str, Attributes]) -> CatalogKindDiff:
    """Compare one catalogue kind by the rules of the module docstring."""
    result = CatalogKindDiff()
    removed = {n: a for n, a in old.items() if n not in new}
    added = {n: a for n, a in new.items() if n not in old}
    old_count, new_count = Counter(removed.values()), Counter(added.values())
    by_attrs = {a: n for n, a in added.items()}
    for name in sorted(removed):
        attrs = removed[name]
        if old_count[attrs] == 1 and new_count.get(attrs) == 1 and _alike(_short(name), _short(by_attrs[attrs])):
            result.renamed.append((name, by_attrs[attrs]))
    result.removed = sorted(set(removed) - {o for o, _ in result.renamed})
    result.added = sorted(set(added) - {n for _, n in result.renamed})
    for name in sorted(set(old) & set(new)):
        before, after = dict(old[name]), dict(new[name])
        for key in after:
            if before.get(key) != after[key]:
                result.changed.append(AttributeChange(name, key, before.get(key), after[key]))
    return result


def diff_catalogs(old: Catalog, new: Catalog) -> dict[str, CatalogKindDiff]:
    """Every kind of :data:`KINDS`, in that order."""
    before, after = entries(old), entries(new)
    return {kind: diff_entries(before[kind], after[kind]) for kind in KINDS}
