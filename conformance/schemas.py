"""The official schema files, read straight from disk, paired with the generated payload types.

The harness reads the raw JSON itself instead of going through ``ocppgen``'s model: the schemas are
the oracle, and a reading shared with the generator would share its mistakes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from ocppwire.v201 import messages

__all__ = ["SCHEMA_DIR", "MessageSchema", "by_name", "load_all"]

SCHEMA_DIR = Path(__file__).resolve().parent.parent / "schemas" / "v201"
"""The 128 official OCPP 2.0.1 schema files (plus ``actions.json``, which is not a schema)."""

_NOT_SCHEMAS = frozenset({"actions.json"})


@dataclass(frozen=True, eq=False)
class MessageSchema:
    """One schema file: its name (file stem), the parsed document and our generated Struct for it.

    Compared and hashed by identity (:func:`load_all` makes one per file), so it can key caches.
    """

    name: str
    document: dict[str, Any] = field(repr=False)
    payload_type: type[Any] = field(repr=False)

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


@lru_cache(maxsize=None)
def load_all(directory: Path = SCHEMA_DIR) -> tuple[MessageSchema, ...]:
    """Every schema in ``directory``, sorted by name, each with its generated payload type."""
    result = []
    for path in sorted(directory.glob("*.json")):
        if path.name in _NOT_SCHEMAS:
            continue
        document = json.loads(path.read_text(encoding="utf-8"))
        payload_type = getattr(messages, path.stem, None)
        if payload_type is None:
            raise LookupError(f"no generated type ocppwire.v201.messages.{path.stem} for {path.name}")
        result.append(MessageSchema(path.stem, document, payload_type))
    return tuple(result)


def by_name(name: str) -> MessageSchema:
    """The schema whose file stem is ``name`` (``BootNotificationRequest``)."""
    for schema in load_all():
        if schema.name == name:
            return schema
    raise KeyError(name)
