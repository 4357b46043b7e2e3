"""The intermediate model ocppgen builds from a schema set and renders into Python.

The model is the single reading of the schemas that every template works from: enums, object
structs (shared types and the root message of each file), fields with their constraints, and the
actions with the direction the project data gives them. Nothing here knows about Python syntax;
:mod:`ocppgen.naming` and the templates turn it into code.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from enum import Enum
from pathlib import Path
from typing import Union

from .catalog import Catalog


class Direction(str, Enum):
    """Who sends an action's request."""

    STATION_TO_CSMS = "StationToCsms"
    CSMS_TO_STATION = "CsmsToStation"
    BOTH = "Both"


URI_PATTERN = r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\s]*\Z"
"""What ``format: uri`` is checked against: a scheme (RFC 3986 section 3.1), a colon, no white space."""


@dataclass(frozen=True)
class Scalar:
    """A JSON scalar: ``string``, ``integer``, ``number`` or ``boolean``, with its constraints."""

    json_type: str
    max_length: int | None = None
    min_length: int | None = None
    pattern: str | None = None
    minimum: int | float | None = None
    maximum: int | float | None = None
    date_time: bool = False
    uri: bool = False
    """``format: uri`` (OCPP 1.6): an absolute URI, checked as :data:`URI_PATTERN`."""
    multiple_of: int | float | None = None
    """JSON Schema ``multipleOf``: the value divided by it is an integer (decimal arithmetic, see render)."""


@dataclass(frozen=True)
class AnyValue:
    """A property with no type at all: any JSON value, ``null`` included (DataTransfer ``data``)."""


@dataclass(frozen=True)
class Ref:
    """A reference to a named definition (an :class:`EnumDef` or a :class:`StructDef`)."""

    name: str


@dataclass(frozen=True)
class ArrayOf:
    """A JSON array of ``items`` with optional length bounds."""

    items: "FieldType"
    min_items: int | None = None
    max_items: int | None = None


FieldType = Union[Scalar, Ref, ArrayOf, AnyValue]


@dataclass(frozen=True)
class Field:
    """One property of an object, under its exact wire name."""

    wire_name: str
    type: FieldType
    required: bool
    description: str = ""
    default: object = None
    has_default: bool = False


@dataclass(frozen=True)
class EnumDef:
    """A named string enumeration."""

    name: str
    values: tuple[str, ...]
    description: str = ""
    default: str | None = None


@dataclass(frozen=True)
class StructDef:
    """A named JSON object. ``open`` objects accept properties beyond ``fields`` (CustomData)."""

    name: str
    fields: tuple[Field, ...]
    description: str = ""
    open: bool = False


@dataclass(frozen=True)
class Action:
    """An OCPP action: its request and response roots and who sends the request.

    ``send`` actions (OCPP 2.1's NotifyPeriodicEventStream) travel as an OCPP-J SEND frame and
    have no response (``response`` is None).
    """

    name: str
    request: str
    response: str | None
    direction: Direction
    send: bool = False


@dataclass(frozen=True)
class Patch:
    """One JSON-pointer edit of a base schema file, applied before the file is read."""

    file: str
    pointer: str
    op: str
    value: object
    reason: str

    def describe(self) -> str:
        value = "" if self.op == "remove" else f" = {json.dumps(self.value)}"
        return f"{self.file}#{self.pointer} {self.op}{value} ({self.reason})"


@dataclass(frozen=True)
class CustomDataExtension:
    """A vendor's customData shape: the object that replaces customData carrying ``vendor_id``."""

    vendor_id: str
    struct: StructDef


@dataclass(frozen=True)
class DataTransferExtension:
    """A vendor's DataTransfer pair: the ``data`` of its request and / or response."""

    vendor_id: str
    message_id: str | None
    name: str
    request: StructDef | None
    response: StructDef | None


@dataclass
class ExtensionSet:
    """Everything read from one vendor extension folder (see :mod:`ocppgen.extensions`)."""

    folder: Path
    content_hash: str
    custom_data: list[CustomDataExtension] = field(default_factory=list)
    data_transfer: list[DataTransferExtension] = field(default_factory=list)
    patches: list[Patch] = field(default_factory=list)
    enums: dict[str, EnumDef] = field(default_factory=dict)
    types: dict[str, StructDef] = field(default_factory=dict)


@dataclass
class SchemaSet:
    """Everything read from one schema folder.

    ``enums`` and ``types`` hold the shared definitions, each once; ``messages`` holds the root
    object of every file, keyed by file stem (``BootNotificationRequest``).
    """

    name: str
    content_hash: str
    enums: dict[str, EnumDef] = field(default_factory=dict)
    types: dict[str, StructDef] = field(default_factory=dict)
    messages: dict[str, StructDef] = field(default_factory=dict)
    actions: dict[str, Action] = field(default_factory=dict)
    ocpp_version: str = ""
    subprotocol: str = ""
    files: tuple[str, ...] = ()
    extensions: ExtensionSet | None = None
    """The vendor extensions read with the set (``--extensions``), if any."""
    catalog: Catalog | None = None
    """The device-model catalogues of ``<folder>/catalog/``, when the folder has one."""

    def lookup(self, name: str) -> EnumDef | StructDef:
        """Return the definition a :class:`Ref` names."""
        if name in self.enums:
            return self.enums[name]
        return self.types[name]


def shape(definition: EnumDef | StructDef) -> EnumDef | StructDef:
    """The definition with every description removed: what must agree for two definitions to merge."""
    if isinstance(definition, EnumDef):
        return replace(definition, description="")
    return replace(definition, description="", fields=tuple(replace(f, description="") for f in definition.fields))
