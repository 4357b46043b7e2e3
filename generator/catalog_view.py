"""Turn a :class:`~ocppgen.catalog.Catalog` into the view ``templates/catalog.py.j2`` renders.

All Python naming for the catalogue module happens here: one class per component (named like the
component), one attribute per variable (``Variable``, or ``Variable_Instance`` for a concrete
instance), UPPER_CASE enum members. Clashes between generated names are generation errors, never
silent renames, so a vendor catalogue cannot shadow a standard name by accident.
"""

from __future__ import annotations

import keyword
import re
from dataclasses import dataclass

from .catalog import Catalog, CatalogComponent, CatalogVariable
from .errors import GeneratorError
from .naming import enum_member

# Names the catalogue module defines or imports; a component class may not take one.
MODULE_NAMES = frozenset(
    {
        "CATALOG",
        "COMPONENTS",
        "GENERIC_VARIABLES",
        "REASON_CODE_USAGE",
        "UNIT_QUANTITIES",
        "ControllerComponent",
        "PhysicalComponent",
        "VendorComponent",
        "SecurityEvent",
        "ReasonCode",
        "UnitOfMeasure",
        "Catalog",
        "ComponentKind",
        "ComponentSpec",
        "DataType",
        "FlaggedStrEnum",
        "GenericVariableSpec",
        "Mutability",
        "VariableSpec",
        "StrEnum",
        "Final",
        "Mapping",
        "annotations",
    }
)
# Attributes every component class has; a variable attribute may not take one.
CLASS_NAMES = frozenset({"NAME", "KIND", "VARIABLES", "SPEC"})
KIND_ENUMS = {"controller": "ControllerComponent", "physical": "PhysicalComponent", "vendor": "VendorComponent"}
KIND_MEMBERS = {"controller": "CONTROLLER", "physical": "PHYSICAL", "vendor": "VENDOR"}
DATA_TYPE_MEMBERS = {
    "string": "STRING",
    "decimal": "DECIMAL",
    "integer": "INTEGER",
    "dateTime": "DATE_TIME",
    "boolean": "BOOLEAN",
    "OptionList": "OPTION_LIST",
    "SequenceList": "SEQUENCE_LIST",
    "MemberList": "MEMBER_LIST",
}
MUTABILITY_MEMBERS = {"ReadOnly": "READ_ONLY", "WriteOnly": "WRITE_ONLY", "ReadWrite": "READ_WRITE"}
_NOT_IDENT = re.compile(r"[^0-9A-Za-z_]+")


@dataclass(frozen=True)
class Member:
    name: str
    value: str
    flag: bool = False


@dataclass(frozen=True)
class EnumView:
    name: str
    doc: str
    members: tuple[Member, ...]


@dataclass(frozen=True)
class VariableView:
    attr: str
    args: str  # the keyword arguments of VariableSpec(...) as Python source
    doc: str


@dataclass(frozen=True)
class ComponentView:
    name: str
    kind_member: str
    doc: str
    variables: tuple[VariableView, ...]


@dataclass(frozen=True)
class GenericView:
    args: str


@dataclass(frozen=True)
class CatalogView:
    component_enums: tuple[EnumView, ...]
    security_events: EnumView
    reason_codes: EnumView
    units: EnumView
    components: tuple[ComponentView, ...]
    generic: tuple[GenericView, ...]
    reason_usage: tuple[tuple[str, str], ...]  # (ReasonCode member, tuple literal)
    generic_reasons: tuple[str, ...]  # ReasonCode members usable with any action
    unit_quantities: tuple[tuple[str, str], ...]  # (UnitOfMeasure member, quantity literal)
    names: tuple[str, ...]  # sorted __all__


def _enum(name: str, doc: str, values: list[tuple[str, bool]], *, verbatim: bool = False) -> EnumView:
    """Members are UPPER_CASE like the schema enums; ``verbatim`` keeps the value as the member name
    (units, where case carries meaning: ``kWh``, ``dBm``, ``m``)."""
    members: list[Member] = []
    seen: dict[str, str] = {}
    for value, flag in values:
        member = value if verbatim and value.isidentifier() and not keyword.iskeyword(value) else enum_member(value)
        if member in seen:
            raise GeneratorError(
                f"catalog: {name} values {seen[member]!r} and {value!r} map to the same member {member}"
            )
        seen[member] = value
        members.append(Member(member, value, flag))
    return EnumView(name, doc, tuple(members))


def _tuple(values: tuple[str, ...]) -> str:
    """A tuple literal without a trailing comma (black would otherwise put one item per line)."""
    return "(" + ", ".join(repr(v) for v in values) + ("," if len(values) == 1 else "") + ")"


def _number(value: int | float) -> str:
    return repr(value)


def variable_attr(variable: CatalogVariable) -> str:
    """Python attribute of a variable: its name, or ``Name_Instance`` for a concrete instance."""
    if variable.instance is None or variable.placeholder:
        return variable.name
    return f"{variable.name}_{_NOT_IDENT.sub('_', variable.instance)}"


def _variable_args(component: CatalogComponent, v: CatalogVariable) -> str:
    args = [
        f"component={component.name!r}",
        f"variable={v.name!r}",
        f"data_type=DataType.{DATA_TYPE_MEMBERS[v.data_type]}",
    ]
    if v.instance is not None:
        args.append(f"instance={v.instance!r}")
    args.append(f"component_kind=ComponentKind.{KIND_MEMBERS[component.kind]}")
    if v.units:
        args.append(f"units={_tuple(v.units)}")
    if v.mutability is not None:
        args.append(f"mutability=Mutability.{MUTABILITY_MEMBERS[v.mutability]}")
    if v.required is not None:
        args.append(f"required={v.required!r}")
    if v.values_list:
        args.append(f"values_list={_tuple(v.values_list)}")
    if v.known_values:
        args.append(f"known_values={_tuple(v.known_values)}")
    if v.min_limit is not None:
        args.append(f"min_limit={_number(v.min_limit)}")
    if v.max_limit is not None:
        args.append(f"max_limit={_number(v.max_limit)}")
    return ", ".join(args)


def _variable_doc(v: CatalogVariable) -> str:
    """A one-line summary for IDE hovers: ``integer in s; ReadWrite; required.``"""
    parts = [v.data_type + (f" in {'/'.join(v.units)}" if v.units else "")]
    parts.append(v.mutability or "mutability not stated")
    parts.append({True: "required", False: "optional", None: "required-ness not stated"}[v.required])
    if v.min_limit is not None or v.max_limit is not None:
        lo = "" if v.min_limit is None else f"{v.min_limit}"
        hi = "" if v.max_limit is None else f"{v.max_limit}"
        parts.append(f"limits {lo}..{hi}")
    if v.placeholder:
        parts.append(f"instance is a placeholder {v.instance}: use .with_instance()")
    return "; ".join(parts) + "."


def _component(component: CatalogComponent) -> ComponentView:
    if component.name in MODULE_NAMES or keyword.iskeyword(component.name):
        raise GeneratorError(f"catalog: component name {component.name!r} clashes with a name of the generated module")
    attrs: dict[str, str] = {}
    views = []
    for v in component.variables:
        attr = variable_attr(v)
        label = v.label(component.name)
        if attr in CLASS_NAMES or keyword.iskeyword(attr):
            raise GeneratorError(f"catalog: {label}: attribute name {attr!r} is reserved in a component class")
        if attr in attrs:
            raise GeneratorError(f"catalog: {label} and {attrs[attr]} map to the same Python attribute {attr}")
        attrs[attr] = label
        views.append(VariableView(attr, _variable_args(component, v), _variable_doc(v)))
    doc = f"{component.kind.capitalize()} component ``{component.name}``: {len(views)} catalogued variables."
    return ComponentView(component.name, KIND_MEMBERS[component.kind], doc, tuple(views))


def catalog_view(catalog: Catalog, ocpp_version: str) -> CatalogView:
    """The template view of ``catalog``; raises :class:`GeneratorError` on a naming clash."""
    component_enums = []
    for kind, enum_name in KIND_ENUMS.items():
        members = [(c.name, False) for c in catalog.components if c.kind == kind]
        if members:
            doc = f"The {len(members)} {kind} components of the OCPP {ocpp_version} catalogue."
            component_enums.append(_enum(enum_name, doc, members))
    critical = sum(e.critical for e in catalog.security_events)
    events = _enum(
        "SecurityEvent",
        f"The {len(catalog.security_events)} security events ({critical} critical); ``.critical`` tells which.",
        [(e.name, e.critical) for e in catalog.security_events],
    )
    reasons = _enum(
        "ReasonCode",
        f"The {len(catalog.reason_codes)} standardized ``StatusInfo.reasonCode`` values.",
        [(r.name, False) for r in catalog.reason_codes],
    )
    units = _enum(
        "UnitOfMeasure",
        f"The {len(catalog.units)} standardized units of measure (case-sensitive symbols).",
        [(u.symbol, False) for u in catalog.units],
        verbatim=True,
    )
    components = tuple(_component(c) for c in catalog.components)
    generic = tuple(
        GenericView(
            ", ".join(
                [f"name={g.name!r}", f"data_type=DataType.{DATA_TYPE_MEMBERS[g.data_type]}"]
                + ([f"units={_tuple(g.units)}"] if g.units else [])
            )
        )
        for g in catalog.generic_variables
    )
    reason_usage = tuple(
        (member.name, _tuple(r.used_with)) for member, r in zip(reasons.members, catalog.reason_codes) if r.used_with
    )
    generic_reasons = tuple(member.name for member, r in zip(reasons.members, catalog.reason_codes) if r.generic)
    unit_quantities = tuple((member.name, repr(u.quantity)) for member, u in zip(units.members, catalog.units))
    names = sorted(
        {"CATALOG", "COMPONENTS", "GENERIC_REASON_CODES", "GENERIC_VARIABLES", "REASON_CODE_USAGE", "UNIT_QUANTITIES"}
        | {e.name for e in component_enums}
        | {events.name, reasons.name, units.name}
        | {c.name for c in components}
    )
    return CatalogView(
        tuple(component_enums),
        events,
        reasons,
        units,
        components,
        generic,
        reason_usage,
        generic_reasons,
        unit_quantities,
        tuple(names),
    )
