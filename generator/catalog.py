"""Read and validate the device-model catalogue files of a schema folder (``<schemas>/catalog/``).

The catalogues (standardized components and variables, generic variables, security events, reason
codes, units of measure) are project data, not OCPP schemas, so they have their own format,
described by ``catalog.schema.json`` shipped next to this module. Reading happens in two passes:

1. each file is checked against its JSON schema (shape, types, name patterns, OCPP length limits);
2. checks across entries and files: unique names, units that exist in ``units.json``, values lists
   only on list types, limits only where they mean something and in order.

Any failure is a :class:`~ocppgen.errors.GeneratorError` naming the file, the JSON pointer and the
entry (``OCPPCommCtrlr.HeartbeatInterval``), so a bad row is found without reading a traceback.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]

from .errors import GeneratorError
from .jsonfile import load_json
from .jsonfile import pointer as _pointer

CATALOG_DIR = "catalog"
FILES = ("components.json", "variables.json", "security_events.json", "reason_codes.json", "units.json")

LIST_TYPES = frozenset({"OptionList", "SequenceList", "MemberList"})
# Types whose limits bound the length of the text rather than a number (OCPP maxLimit semantics).
LENGTH_TYPES = LIST_TYPES | {"string"}
NO_LIMIT_TYPES = frozenset({"boolean", "dateTime"})
VALUES_LIST_MAX_LENGTH = 1000  # VariableCharacteristicsType.valuesList maxLength


@dataclass(frozen=True)
class CatalogVariable:
    """One component variable (or variable instance) as written in ``components.json``."""

    name: str
    data_type: str
    instance: str | None = None
    units: tuple[str, ...] = ()
    mutability: str | None = None
    required: bool | None = None
    min_limit: int | float | None = None
    max_limit: int | float | None = None
    values_list: tuple[str, ...] = ()
    known_values: tuple[str, ...] = ()

    @property
    def placeholder(self) -> bool:
        return self.instance is not None and self.instance.startswith("<")

    def label(self, component: str) -> str:
        suffix = f"[{self.instance}]" if self.instance is not None else ""
        return f"{component}.{self.name}{suffix}"


@dataclass(frozen=True)
class CatalogComponent:
    name: str
    kind: str
    variables: tuple[CatalogVariable, ...]


@dataclass(frozen=True)
class GenericVariable:
    name: str
    data_type: str
    units: tuple[str, ...] = ()


@dataclass(frozen=True)
class SecurityEventDef:
    name: str
    critical: bool


@dataclass(frozen=True)
class ReasonCodeDef:
    name: str
    used_with: tuple[str, ...] = ()
    generic: bool = False


@dataclass(frozen=True)
class UnitDef:
    symbol: str
    quantity: str


@dataclass(frozen=True)
class Catalog:
    """Everything read from one ``catalog/`` folder, in file order."""

    components: tuple[CatalogComponent, ...]
    generic_variables: tuple[GenericVariable, ...]
    security_events: tuple[SecurityEventDef, ...]
    reason_codes: tuple[ReasonCodeDef, ...]
    units: tuple[UnitDef, ...]

    @property
    def variable_count(self) -> int:
        return sum(len(c.variables) for c in self.components)


def catalog_folder(schemas: Path) -> Path:
    return schemas / CATALOG_DIR


def has_catalog(schemas: Path) -> bool:
    """Whether a schema folder carries catalogue data (generation then adds ``catalog.py``)."""
    return catalog_folder(schemas).is_dir()


def input_files(schemas: Path) -> list[Path]:
    """The catalogue files that feed generation, sorted (what the content hash covers)."""
    folder = catalog_folder(schemas)
    return sorted(folder.glob("*.json")) if folder.is_dir() else []


def _schema() -> dict[str, Any]:
    text = resources.files("ocppgen").joinpath("catalog.schema.json").read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


class _FileCheck:
    """Validation of one catalogue file; every error names this file, a pointer and the entry."""

    def __init__(self, path: Path, doc: Any, schema: dict[str, Any]):
        self.path = path
        self.doc = doc
        self.schema = schema

    def fail(self, message: str, *pointer: str | int) -> GeneratorError:
        label = self.label(pointer)
        return GeneratorError(f"{label}: {message}" if label else message, self.path, _pointer(*pointer))

    def label(self, pointer: tuple[str | int, ...]) -> str:
        """A readable name for the entry a pointer is in: ``Comp``, ``Comp.Var[inst]`` or an event name."""
        try:
            if len(pointer) >= 2 and isinstance(pointer[1], int):
                entry = self.doc[pointer[0]][pointer[1]]
                name = entry.get("name", entry.get("symbol", f"entry {pointer[1]}"))
                if len(pointer) >= 4 and pointer[2] == "variables" and isinstance(pointer[3], int):
                    var = entry["variables"][pointer[3]]
                    inst = f"[{var['instance']}]" if isinstance(var.get("instance"), str) else ""
                    return f"{name}.{var.get('name', f'variable {pointer[3]}')}{inst}"
                return str(name)
        except (KeyError, IndexError, TypeError, AttributeError):
            pass
        return ""

    def validate_shape(self) -> None:
        root = {"$ref": f"#/$defs/{self.path.name}", "$defs": self.schema["$defs"]}
        validator = jsonschema.Draft202012Validator(root)
        errors = sorted(validator.iter_errors(self.doc), key=lambda e: [str(p) for p in e.absolute_path])
        if errors:
            error = jsonschema.exceptions.best_match(errors)
            raise self.fail(error.message, *error.absolute_path)

    def unique(self, names: Iterable[tuple[str, tuple[str | int, ...]]], what: str, *, fold: bool = True) -> None:
        seen: dict[str, str] = {}
        for name, pointer in names:
            key = name.lower() if fold else name
            if key in seen:
                case = " (names are case-insensitive)" if fold and seen[key] != name else ""
                raise self.fail(f"duplicate {what} {name!r}{case}", *pointer)
            seen[key] = name


def read_catalog(schemas: Path) -> Catalog:
    """Read, validate and return the catalogue of schema folder ``schemas``."""
    folder = catalog_folder(schemas)
    if not folder.is_dir():
        raise GeneratorError(f"catalog folder not found: {folder}")
    schema = _schema()
    unexpected = sorted(p.name for p in folder.glob("*.json") if p.name not in FILES)
    if unexpected:
        raise GeneratorError(f"unexpected catalogue file (expected only {', '.join(FILES)})", folder / unexpected[0])
    checks: dict[str, _FileCheck] = {}
    for name in FILES:
        path = folder / name
        if not path.exists():
            raise GeneratorError(f"catalogue file {name} is missing", path)
        check = _FileCheck(path, load_json(path), schema)
        check.validate_shape()
        checks[name] = check

    units = _read_units(checks["units.json"])
    symbols = {u.symbol for u in units}
    return Catalog(
        components=_read_components(checks["components.json"], symbols),
        generic_variables=_read_generic(checks["variables.json"], symbols),
        security_events=_read_events(checks["security_events.json"]),
        reason_codes=_read_reasons(checks["reason_codes.json"]),
        units=units,
    )


def _read_units(check: _FileCheck) -> tuple[UnitDef, ...]:
    rows = check.doc["units"]
    # Unit symbols are case-sensitive (m vs M, K vs k), unlike component and variable names.
    check.unique(((r["symbol"], ("units", i, "symbol")) for i, r in enumerate(rows)), "unit", fold=False)
    return tuple(UnitDef(r["symbol"], r["quantity"]) for r in rows)


def _check_units(check: _FileCheck, units: list[str], symbols: set[str], *pointer: str | int) -> None:
    for j, unit in enumerate(units):
        if unit not in symbols:
            raise check.fail(f"unit {unit!r} is not in units.json", *pointer, "units", j)


def _read_components(check: _FileCheck, symbols: set[str]) -> tuple[CatalogComponent, ...]:
    rows = check.doc["components"]
    check.unique(((r["name"], ("components", i, "name")) for i, r in enumerate(rows)), "component")
    components = []
    for i, row in enumerate(rows):
        variables = []
        seen: dict[tuple[str, str], int] = {}
        placeholders: set[str] = set()
        for j, var in enumerate(row["variables"]):
            ptr = ("components", i, "variables", j)
            variable = _read_variable(check, var, symbols, ptr)
            key = (variable.name.lower(), (variable.instance or "").lower())
            if key in seen:
                raise check.fail(
                    f"variable listed twice in component {row['name']!r} (names are case-insensitive)", *ptr, "name"
                )
            seen[key] = j
            if variable.placeholder:
                if variable.name.lower() in placeholders:
                    raise check.fail("a variable may have only one placeholder instance", *ptr, "instance")
                placeholders.add(variable.name.lower())
            variables.append(variable)
        components.append(CatalogComponent(row["name"], row["kind"], tuple(variables)))
    return tuple(components)


def _read_variable(
    check: _FileCheck, var: dict[str, Any], symbols: set[str], ptr: tuple[str | int, ...]
) -> CatalogVariable:
    data_type: str = var["dataType"]
    instance = var.get("instance")
    if instance is not None and ("<" in instance or ">" in instance):
        if not (instance.startswith("<") and instance.endswith(">") and instance[1:-1].isidentifier()):
            raise check.fail(f"instance {instance!r}: a placeholder instance is written <name>", *ptr, "instance")
    units = var.get("units", [])
    _check_units(check, units, symbols, *ptr)
    values = var.get("valuesList", [])
    if values and data_type not in LIST_TYPES:
        raise check.fail(
            f"valuesList is only allowed on OptionList, SequenceList and MemberList variables, not {data_type}",
            *ptr,
            "valuesList",
        )
    if values and len(",".join(values)) > VALUES_LIST_MAX_LENGTH:
        raise check.fail(f"valuesList is longer than {VALUES_LIST_MAX_LENGTH} characters as CSV", *ptr, "valuesList")
    known = var.get("knownValues", [])
    if known and data_type != "string":
        raise check.fail(
            "knownValues (an open set of usual values) is only allowed on string variables", *ptr, "knownValues"
        )
    lo, hi = var.get("minLimit"), var.get("maxLimit")
    for key, limit in (("minLimit", lo), ("maxLimit", hi)):
        if limit is None:
            continue
        if data_type in NO_LIMIT_TYPES:
            raise check.fail(f"{key} has no meaning for a {data_type} variable", *ptr, key)
        if data_type in LENGTH_TYPES and (not isinstance(limit, int) or limit < 0):
            raise check.fail(f"{key} of a {data_type} variable is a length: a non-negative integer", *ptr, key)
        if data_type == "integer" and not isinstance(limit, int):
            raise check.fail(f"{key} of an integer variable must be an integer", *ptr, key)
    if lo is not None and hi is not None and lo > hi:
        raise check.fail(f"minLimit {lo} is greater than maxLimit {hi}", *ptr, "minLimit")
    return CatalogVariable(
        name=var["name"],
        data_type=data_type,
        instance=instance,
        units=tuple(units),
        mutability=var.get("mutability"),
        required=var.get("required"),
        min_limit=lo,
        max_limit=hi,
        values_list=tuple(values),
        known_values=tuple(known),
    )


def _read_generic(check: _FileCheck, symbols: set[str]) -> tuple[GenericVariable, ...]:
    rows = check.doc["variables"]
    check.unique(((r["name"], ("variables", i, "name")) for i, r in enumerate(rows)), "generic variable")
    result = []
    for i, row in enumerate(rows):
        _check_units(check, row.get("units", []), symbols, "variables", i)
        result.append(GenericVariable(row["name"], row["dataType"], tuple(row.get("units", []))))
    return tuple(result)


def _read_events(check: _FileCheck) -> tuple[SecurityEventDef, ...]:
    rows = check.doc["securityEvents"]
    check.unique(((r["name"], ("securityEvents", i, "name")) for i, r in enumerate(rows)), "security event")
    return tuple(SecurityEventDef(r["name"], r["critical"]) for r in rows)


def _read_reasons(check: _FileCheck) -> tuple[ReasonCodeDef, ...]:
    rows = check.doc["reasonCodes"]
    check.unique(((r["name"], ("reasonCodes", i, "name")) for i, r in enumerate(rows)), "reason code")
    return tuple(ReasonCodeDef(r["name"], tuple(r.get("usedWith", [])), bool(r.get("generic", False))) for r in rows)
