"""Device-model variable specs and the rules for their attribute values, independent of OCPP version.

OCPP 2.x carries every device-model value as a string (``attributeValue``, ``VariableAttribute.value``)
whose meaning depends on the variable's ``dataType``, ``valuesList`` and limits. That logic is the
same for every version, so it lives here, and a generated ``catalog`` module only holds data:
one frozen :class:`VariableSpec` per standardized component variable.

- :meth:`VariableSpec.parse` turns wire text into a Python value (``int``, ``float``, ``bool``,
  aware ``datetime``, ``str``, or ``tuple[str, ...]`` for Member/SequenceList), enforcing the type,
  the values list and the limits;
- :meth:`VariableSpec.format` does the reverse, with the same checks;
- :meth:`VariableSpec.check_write` adds the mutability rule (no writes to ``ReadOnly``).

Every rejection is a :class:`VariableValueError` subclass whose ``reason_code`` is the OCPP reason
code a station puts in ``attributeStatusInfo`` when it answers with ``Rejected``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator
from datetime import datetime
from enum import StrEnum
from typing import Self, TypeAlias

import msgspec

__all__ = [
    "AttributeValue",
    "Catalog",
    "ComponentKind",
    "ComponentSpec",
    "DataType",
    "FlaggedStrEnum",
    "GenericVariableSpec",
    "InvalidValueError",
    "LimitViolationError",
    "Mutability",
    "NotInValuesListError",
    "ReadOnlyError",
    "VariableSpec",
    "VariableValueError",
    "WriteOnlyError",
]

AttributeValue: TypeAlias = int | float | bool | datetime | str | tuple[str, ...]
"""What :meth:`VariableSpec.parse` returns: the Python value of one attribute."""


class DataType(StrEnum):
    """The eight values of OCPP's ``DataEnumType``; members equal their wire spelling."""

    STRING = "string"
    DECIMAL = "decimal"
    INTEGER = "integer"
    DATE_TIME = "dateTime"
    BOOLEAN = "boolean"
    OPTION_LIST = "OptionList"
    SEQUENCE_LIST = "SequenceList"
    MEMBER_LIST = "MemberList"

    @property
    def is_list(self) -> bool:
        """True for the three types whose values come from a ``valuesList``."""
        return self in _LIST_TYPES

    @property
    def is_numeric(self) -> bool:
        return self in (DataType.INTEGER, DataType.DECIMAL)


_LIST_TYPES = frozenset({DataType.OPTION_LIST, DataType.SEQUENCE_LIST, DataType.MEMBER_LIST})


class Mutability(StrEnum):
    """OCPP's ``MutabilityEnumType``."""

    READ_ONLY = "ReadOnly"
    WRITE_ONLY = "WriteOnly"
    READ_WRITE = "ReadWrite"


class ComponentKind(StrEnum):
    """Where a component comes from: the appendix's controller or physical lists, or a vendor."""

    CONTROLLER = "controller"
    PHYSICAL = "physical"
    VENDOR = "vendor"


class FlaggedStrEnum(StrEnum):
    """A ``StrEnum`` whose members are declared as ``NAME = "Value", flag`` and expose ``.critical``.

    Used for security events, where the appendix marks each event critical or not; the member still
    equals (and encodes as) its wire string.
    """

    _critical: bool

    def __new__(cls, value: str, critical: bool = False) -> Self:
        member = str.__new__(cls, value)
        member._value_ = value
        member._critical = critical
        return member

    @property
    def critical(self) -> bool:
        """Whether the appendix marks this member critical (sent to the CSMS at once)."""
        return self._critical


# ---- errors ---------------------------------------------------------------------------------------


class VariableValueError(ValueError):
    """A value a variable does not accept; ``reason_code`` is the OCPP reason code for the rejection."""

    reason_code: str = "InvalidValue"

    def __init__(self, spec: VariableSpec, value: object, problem: str) -> None:
        self.spec = spec
        self.value = value
        self.problem = problem
        super().__init__(f"{spec.path}: {problem}")


class InvalidValueError(VariableValueError):
    """The text is not a valid value of the variable's data type."""


class NotInValuesListError(VariableValueError):
    """An OptionList / MemberList / SequenceList value outside the variable's values list."""


class LimitViolationError(VariableValueError):
    """A number outside ``[min_limit, max_limit]``, or a text longer/shorter than the limits allow.

    The reason code is ``ValueOutOfRange``, the one the appendix lists for SetVariables;
    ``too_high`` tells which side was crossed.
    """

    reason_code = "ValueOutOfRange"

    def __init__(self, spec: VariableSpec, value: object, problem: str, *, too_high: bool) -> None:
        super().__init__(spec, value, problem)
        self.too_high = too_high


class ReadOnlyError(VariableValueError):
    """A write to a ``ReadOnly`` variable."""

    reason_code = "ReadOnly"


class WriteOnlyError(VariableValueError):
    """A read of a ``WriteOnly`` variable (a password, for example)."""

    reason_code = "WriteOnly"


# ---- specs ----------------------------------------------------------------------------------------

_INTEGER = re.compile(r"[+-]?[0-9]+")
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_BOOLEANS = {"true": True, "false": False}


class VariableSpec(msgspec.Struct, frozen=True, kw_only=True):
    """What a catalogue says about one component variable (optionally one variable instance).

    ``None`` for ``mutability`` or ``required`` means the appendix does not state it. ``units`` lists
    the allowed units, the first being the one to report. ``values_list`` is the closed set of an
    Option/Member/SequenceList; ``known_values`` are the usual values of an open-ended string
    variable (informative, not enforced). For numbers the limits bound the value; for strings and
    lists they bound the length of the wire text (the OCPP meaning of ``maxLimit`` for those types).
    An ``instance`` written as ``<name>`` is a placeholder: call :meth:`with_instance`.
    """

    component: str
    variable: str
    data_type: DataType
    instance: str | None = None
    component_kind: ComponentKind = ComponentKind.VENDOR
    units: tuple[str, ...] = ()
    mutability: Mutability | None = None
    required: bool | None = None
    values_list: tuple[str, ...] = ()
    known_values: tuple[str, ...] = ()
    min_limit: int | float | None = None
    max_limit: int | float | None = None

    # ---- identity -------------------------------------------------------------------------------
    @property
    def unit(self) -> str | None:
        """The unit values are reported in (the first allowed unit), or ``None``."""
        return self.units[0] if self.units else None

    @property
    def path(self) -> str:
        """``Component.Variable`` or ``Component.Variable[Instance]``, for messages and tables."""
        suffix = f"[{self.instance}]" if self.instance is not None else ""
        return f"{self.component}.{self.variable}{suffix}"

    @property
    def instance_is_placeholder(self) -> bool:
        """True when ``instance`` names a kind of instance (``<vendorId>``) rather than one instance."""
        return self.instance is not None and self.instance.startswith("<") and self.instance.endswith(">")

    @property
    def effective_mutability(self) -> Mutability:
        """The mutability to use: the stated one, else OCPP's default for an omitted one (ReadWrite)."""
        return self.mutability if self.mutability is not None else Mutability.READ_WRITE

    def with_instance(self, instance: str | None) -> VariableSpec:
        """This spec for a concrete variable instance (e.g. ``CustomImplementationEnabled[org.acme]``)."""
        return msgspec.structs.replace(self, instance=instance)

    def replace(self, **changes: object) -> VariableSpec:
        """A copy with some fields changed, e.g. a station's own ``mutability`` or ``max_limit``."""
        return msgspec.structs.replace(self, **changes)

    # ---- values ---------------------------------------------------------------------------------
    def parse(self, text: str) -> AttributeValue:
        """The Python value of wire ``text``; raises :class:`VariableValueError` if it is not allowed."""
        if not isinstance(text, str):
            raise InvalidValueError(self, text, f"expected the value as a string, got {type(text).__name__}")
        dt = self.data_type
        if dt is DataType.INTEGER:
            if not _INTEGER.fullmatch(text):
                raise InvalidValueError(self, text, f"{text!r} is not an integer")
            number = int(text)
            self._check_number(number)
            return number
        if dt is DataType.DECIMAL:
            if not _DECIMAL.fullmatch(text):
                raise InvalidValueError(self, text, f"{text!r} is not a decimal number")
            decimal = float(text)
            if not math.isfinite(decimal):
                raise InvalidValueError(self, text, f"{text!r} is out of the range of a decimal")
            self._check_number(decimal)
            return decimal
        if dt is DataType.BOOLEAN:
            flag = _BOOLEANS.get(text.lower())
            if flag is None:
                raise InvalidValueError(self, text, f"{text!r} is not a boolean (true or false)")
            return flag
        if dt is DataType.DATE_TIME:
            try:
                moment = datetime.fromisoformat(text)
            except ValueError:
                raise InvalidValueError(self, text, f"{text!r} is not an RFC 3339 date-time") from None
            if moment.tzinfo is None:
                raise InvalidValueError(self, text, f"{text!r} has no time zone offset")
            return moment
        self._check_length(text)
        if dt is DataType.STRING:
            return text
        if dt is DataType.OPTION_LIST:
            self._check_members((text,))
            return text
        members = tuple(part.strip() for part in text.split(",")) if text.strip() else ()
        self._check_members(members)
        return members

    def format(self, value: AttributeValue | Iterable[str]) -> str:
        """The wire text of a Python value, with the same checks as :meth:`parse`."""
        dt = self.data_type
        if dt is DataType.BOOLEAN:
            if not isinstance(value, bool):
                raise InvalidValueError(self, value, f"expected a bool, got {type(value).__name__}")
            return "true" if value else "false"
        if dt is DataType.INTEGER:
            if isinstance(value, bool) or not isinstance(value, int):
                raise InvalidValueError(self, value, f"expected an int, got {type(value).__name__}")
            text = str(value)
        elif dt is DataType.DECIMAL:
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise InvalidValueError(self, value, f"expected a number, got {type(value).__name__}")
            if not math.isfinite(value):
                raise InvalidValueError(self, value, f"{value!r} is not a finite number")
            text = _format_decimal(value)
        elif dt is DataType.DATE_TIME:
            if not isinstance(value, datetime) or value.tzinfo is None:
                raise InvalidValueError(self, value, "expected a timezone-aware datetime")
            text = value.isoformat().replace("+00:00", "Z")
        elif dt in (DataType.STRING, DataType.OPTION_LIST):
            if not isinstance(value, str):
                raise InvalidValueError(self, value, f"expected a str, got {type(value).__name__}")
            text = value
        else:
            text = self._format_members(value)
        self.parse(text)
        return text

    def check_write(self, text: str) -> str:
        """Validate a write of ``text`` (mutability, type, values list, limits); returns ``text``."""
        if self.effective_mutability is Mutability.READ_ONLY:
            raise ReadOnlyError(self, text, "the variable is read-only")
        self.parse(text)
        return text

    def values_list_text(self) -> str | None:
        """``valuesList`` as OCPP reports it (comma-separated), or ``None`` when there is none."""
        return ",".join(self.values_list) if self.values_list else None

    # ---- checks ---------------------------------------------------------------------------------
    def _check_number(self, number: int | float) -> None:
        if self.min_limit is not None and number < self.min_limit:
            raise LimitViolationError(self, number, f"{number} is below the minimum {self.min_limit}", too_high=False)
        if self.max_limit is not None and number > self.max_limit:
            raise LimitViolationError(self, number, f"{number} is above the maximum {self.max_limit}", too_high=True)

    def _check_length(self, text: str) -> None:
        if self.max_limit is not None and len(text) > self.max_limit:
            raise LimitViolationError(
                self, text, f"{len(text)} characters, more than the maximum {self.max_limit:g}", too_high=True
            )
        if self.min_limit is not None and len(text) < self.min_limit:
            raise LimitViolationError(
                self, text, f"{len(text)} characters, fewer than the minimum {self.min_limit:g}", too_high=False
            )

    def _check_members(self, members: tuple[str, ...]) -> None:
        dt = self.data_type
        if dt is DataType.OPTION_LIST and "," in members[0]:
            raise InvalidValueError(self, members[0], "an OptionList value is a single entry, not a list")
        if len(set(members)) != len(members):
            raise InvalidValueError(self, ",".join(members), f"a {dt.value} value lists an entry twice")
        for member in members:
            if not member:
                raise InvalidValueError(self, ",".join(members), f"empty entry in a {dt.value} value")
            if self.values_list and member not in self.values_list:
                raise NotInValuesListError(
                    self, member, f"{member!r} is not in the values list ({','.join(self.values_list)})"
                )

    def _format_members(self, value: object) -> str:
        if isinstance(value, str):
            return value
        if isinstance(value, (set, frozenset)):
            if self.data_type is DataType.SEQUENCE_LIST:
                raise InvalidValueError(self, value, "a SequenceList is ordered: pass a list or tuple, not a set")
            order = {v: i for i, v in enumerate(self.values_list)}
            items = sorted((str(v) for v in value), key=lambda v: (order.get(v, len(order)), v))
        elif isinstance(value, (list, tuple)):
            items = [str(v) for v in value]
        else:
            raise InvalidValueError(self, value, f"expected a list of strings, got {type(value).__name__}")
        return ",".join(items)


def _format_decimal(value: int | float) -> str:
    if isinstance(value, int):
        return str(value)
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


class ComponentSpec(msgspec.Struct, frozen=True, kw_only=True):
    """A catalogued component and its variables."""

    name: str
    kind: ComponentKind
    variables: tuple[VariableSpec, ...] = ()


class GenericVariableSpec(msgspec.Struct, frozen=True, kw_only=True):
    """A standardized variable name usable on any component (the appendix's generic variable list)."""

    name: str
    data_type: DataType
    units: tuple[str, ...] = ()

    def on(self, component: str, *, instance: str | None = None, **changes: object) -> VariableSpec:
        """A :class:`VariableSpec` for this variable on ``component`` (e.g. a vendor component)."""
        spec = VariableSpec(
            component=component, variable=self.name, data_type=self.data_type, instance=instance, units=self.units
        )
        return msgspec.structs.replace(spec, **changes) if changes else spec


def _key(*parts: str | None) -> tuple[str, ...]:
    return tuple((p or "").lower() for p in parts)


class Catalog:
    """Case-insensitive lookup over catalogued components and variables (OCPP names are case-insensitive)."""

    def __init__(
        self, components: Iterable[ComponentSpec], generic_variables: Iterable[GenericVariableSpec] = ()
    ) -> None:
        self.components: tuple[ComponentSpec, ...] = tuple(components)
        self.generic_variables: tuple[GenericVariableSpec, ...] = tuple(generic_variables)
        self._components = {_key(c.name): c for c in self.components}
        self._variables: dict[tuple[str, ...], VariableSpec] = {}
        self._placeholders: dict[tuple[str, ...], VariableSpec] = {}
        for component in self.components:
            for spec in component.variables:
                if spec.instance_is_placeholder:
                    self._placeholders[_key(spec.component, spec.variable)] = spec
                else:
                    self._variables[_key(spec.component, spec.variable, spec.instance)] = spec
        self._generic = {_key(g.name): g for g in self.generic_variables}

    def __iter__(self) -> Iterator[VariableSpec]:
        """Every catalogued variable, component by component."""
        for component in self.components:
            yield from component.variables

    def __len__(self) -> int:
        return sum(len(c.variables) for c in self.components)

    def component(self, name: str) -> ComponentSpec | None:
        return self._components.get(_key(name))

    def lookup(self, component: str, variable: str, instance: str | None = None) -> VariableSpec | None:
        """The spec of ``component.variable[instance]``; a placeholder instance matches any instance."""
        spec = self._variables.get(_key(component, variable, instance))
        if spec is None and instance is not None:
            template = self._placeholders.get(_key(component, variable))
            if template is not None:
                spec = template.with_instance(instance)
        return spec

    def generic(self, name: str) -> GenericVariableSpec | None:
        """The generic standardized variable ``name`` (any component may use it)."""
        return self._generic.get(_key(name))
