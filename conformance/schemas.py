"""The official schema files of each OCPP version, read straight from disk, paired with the generated types.

The harness reads the raw JSON itself instead of going through ``ocppgen``'s model: the schemas are
the oracle, and a reading shared with the generator would share its mistakes.

Three schema sets (:data:`VERSIONS`):

- ``v16``: OCPP 1.6, 78 files - 56 core files in JSON Schema draft-04 and 22 files of the security
  extension in draft-06. A request file is named after its action (``Authorize.json``); the generated
  type is ``AuthorizeRequest``.
- ``v201``: OCPP 2.0.1, 128 files, draft-06.
- ``v21``: OCPP 2.1, 181 files, draft-06 (``NotifyPeriodicEventStream.json``, the SEND message, has
  no ``Request`` suffix either).

Each :class:`MessageSchema` is named by its generated type (``AuthorizeRequest``), whatever the file
is called, so reports read the same in every version.
"""

from __future__ import annotations

import importlib
import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from types import ModuleType
from typing import Any

__all__ = ["SCHEMA_ROOT", "VERSIONS", "MessageSchema", "SchemaSet", "by_name", "load_all", "schema_set"]

SCHEMA_ROOT = Path(__file__).resolve().parent.parent / "schemas"

_NOT_SCHEMAS = frozenset({"actions.json"})


@dataclass(frozen=True)
class SchemaSet:
    """One OCPP version's schema folder and generated package."""

    name: str  # "v16", the folder and package name
    ocpp_version: str  # "1.6", as ``ACTIONS.ocpp_version`` says it
    files: int  # how many schema files the official set has (checked on load)

    @property
    def directory(self) -> Path:
        return SCHEMA_ROOT / self.name

    def package(self) -> ModuleType:
        return importlib.import_module(f"ocppwire.{self.name}")

    def messages(self) -> ModuleType:
        return importlib.import_module(f"ocppwire.{self.name}.messages")


VERSIONS: tuple[SchemaSet, ...] = (
    SchemaSet("v16", "1.6", 78),
    SchemaSet("v201", "2.0.1", 128),
    SchemaSet("v21", "2.1", 181),
)
"""Every schema set the harness covers, oldest first."""


def schema_set(name: str) -> SchemaSet:
    """The set called ``name`` (``v16``, ``v201``, ``v21``)."""
    for version in VERSIONS:
        if version.name == name:
            return version
    raise KeyError(f"unknown schema set {name!r} (known: {', '.join(v.name for v in VERSIONS)})")


@dataclass(frozen=True, eq=False)
class MessageSchema:
    """One schema file: its generated type name, the parsed document and our generated Struct for it.

    ``draft`` is 4 or 6 (from ``$schema``): draft-04 counts ``5.0`` as a number but not an integer,
    draft-06 counts it as both. Compared and hashed by identity (:func:`load_all` makes one per
    file), so it can key caches.
    """

    name: str
    document: dict[str, Any] = field(repr=False)
    payload_type: type[Any] = field(repr=False)
    version: str = "v201"
    file: str = ""
    draft: int = 6

    def resolve(self, node: dict[str, Any]) -> dict[str, Any]:
        """``node`` with local ``$ref`` chains followed (OCPP only uses ``#/definitions/X``)."""
        seen = 0
        while "$ref" in node:
            ref = node["$ref"]
            prefix = "#/definitions/"
            if not ref.startswith(prefix):
                raise ValueError(f"{self.name}: unsupported $ref {ref!r}")
            node = self.document["definitions"][ref[len(prefix) :]]
            seen += 1
            if seen > 32:
                raise ValueError(f"{self.name}: $ref loop at {ref!r}")
        return node


def _type_name(stem: str) -> str:
    """The generated class for a schema file stem: ``Authorize`` -> ``AuthorizeRequest``."""
    return stem if stem.endswith(("Request", "Response")) else f"{stem}Request"


def _draft(document: dict[str, Any]) -> int:
    uri = str(document.get("$schema", ""))
    if "draft-04" in uri:
        return 4
    if "draft-06" in uri:
        return 6
    raise ValueError(f"unexpected $schema {uri!r}")


@lru_cache(maxsize=None)
def load_all(version: str = "v201") -> tuple[MessageSchema, ...]:
    """Every schema of the set ``version``, sorted by type name, each with its generated payload type."""
    chosen = schema_set(version)
    messages = chosen.messages()
    result = []
    for path in sorted(chosen.directory.glob("*.json")):
        if path.name in _NOT_SCHEMAS:
            continue
        document = json.loads(path.read_text(encoding="utf-8"))
        name = _type_name(path.stem)
        payload_type = getattr(messages, name, None)
        if payload_type is None:
            raise LookupError(f"no generated type ocppwire.{version}.messages.{name} for {path.name}")
        result.append(MessageSchema(name, document, payload_type, version, path.name, _draft(document)))
    if len(result) != chosen.files:
        raise LookupError(f"{chosen.directory}: {len(result)} schema files, expected {chosen.files}")
    return tuple(sorted(result, key=lambda s: s.name))


def by_name(name: str, version: str = "v201") -> MessageSchema:
    """The schema of set ``version`` whose generated type is ``name`` (``BootNotificationRequest``)."""
    for schema in load_all(version):
        if schema.name == name:
            return schema
    raise KeyError(f"{version}: {name}")
