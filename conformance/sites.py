"""Where a payload can be broken: every value in a valid instance, paired with its schema node.

A mutation picks one :class:`Site` and changes only that value, so the payload has exactly one
fault and the policy table names exactly one code for it.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from .schemas import MessageSchema

__all__ = ["Path", "Site", "collect", "format_path", "replaced", "without"]

Path = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class Site:
    """One place in a payload.

    ``present`` is False for an optional property the instance leaves out (``value`` is then
    ``None``): a mutation may still put something there. ``node`` is the resolved schema node;
    ``required`` says whether the parent object requires this property (the root counts as
    required; array items count as required).
    """

    path: Path
    node: dict[str, Any]
    value: Any
    present: bool
    required: bool

    @property
    def kind(self) -> str | None:
        """The schema ``type`` of the site (``None`` for the untyped DataTransfer ``data``)."""
        kind = self.node.get("type")
        return kind if isinstance(kind, str) else None

    @property
    def is_custom_data(self) -> bool:
        return bool(self.path) and self.path[-1] == "customData"


def collect(schema: MessageSchema, instance: Any) -> list[Site]:
    """Every site of ``instance``: the root, each present value and each absent optional property.

    The inside of a customData object is not walked: beyond ``vendorId`` it is free-form, and
    customData faults have mutations of their own.
    """
    return list(_walk(schema, schema.document, instance, (), True, True))


def _walk(
    schema: MessageSchema, node: dict[str, Any], value: Any, path: Path, present: bool, required: bool
) -> Iterator[Site]:
    node = schema.resolve(node)
    yield Site(path, node, value, present, required)
    if not present or (path and path[-1] == "customData"):
        return
    kind = node.get("type")
    if kind == "object" and isinstance(value, dict):
        wanted = set(node.get("required", ()))
        for name, sub in node.get("properties", {}).items():
            yield from _walk(schema, sub, value.get(name), (*path, name), name in value, name in wanted)
    elif kind == "array" and isinstance(value, list):
        for index, item in enumerate(value):
            yield from _walk(schema, node["items"], item, (*path, index), True, True)


def format_path(path: Path) -> str:
    """``chargingStation.modem.iccid`` / ``meterValue[0].sampledValue[2]``; the root is ``""``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def replaced(instance: Any, path: Path, value: Any) -> Any:
    """A copy of ``instance`` with the value at ``path`` set to ``value`` (created if absent)."""
    if not path:
        return value
    result = copy.deepcopy(instance)
    parent = result
    for part in path[:-1]:
        parent = parent[part]
    parent[path[-1]] = value
    return result


def without(instance: Any, path: Path) -> Any:
    """A copy of ``instance`` with the object property at ``path`` removed."""
    result = copy.deepcopy(instance)
    parent = result
    for part in path[:-1]:
        parent = parent[part]
    del parent[path[-1]]
    return result
