"""Names for inline object and enum schemas (OCPP 1.6 writes nearly all of them inline).

OCPP 2.0.1 and 2.1 put every object and enum under ``definitions`` and refer to it by name; the
OCPP 1.6 schemas nest them inside the properties that use them. A generated class needs a name,
and the name must be the same on every run and read well in an editor, so it is derived from the
schema alone by these rules (schemas/v16/README.md states them for users; tests check each one):

1. **Candidate name**: the property that holds the schema, in PascalCase; for an array, the
   property that holds the array (``MeterValuesRequest.meterValue[].sampledValue[]`` →
   ``SampledValue``, ``sampledValue[].measurand`` → ``Measurand``). Objects and enums alike.
2. **Merge**: every inline schema with the same candidate name and the same shape (descriptions
   and other annotations ignored) is one type. A named definition with that name and shape is the
   same type too (``FirmwareType`` in a definition and an inline ``FirmwareType`` never differ).
3. **Clash**: when schemas with one candidate name differ in shape (or differ from a definition of
   that name), *all* of them take a qualified name: the name of the type that holds the property
   (for a message, the action name: ``BootNotificationResponse`` → ``BootNotification``) followed by
   the candidate: ``BootNotificationStatus``, ``IdTagInfoStatus``, ``ChangeAvailabilityType``.
   A named definition keeps its name.
4. If two different shapes still end up with the same qualified name (a request and a response of
   one action), both use the full name of the holding type: ``<Action>RequestStatus``,
   ``<Action>ResponseStatus``. A name that is still ambiguous, or that collides with a message or a
   definition, stops generation with one line naming both places.

Names are decided top-down (a holder is named before the schemas it holds), over every file of the
set in file-name order, so the result depends only on the schema files.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import GeneratorError
from .jsonfile import pointer

__all__ = ["ANNOTATIONS", "InlineSite", "canonical_shape", "inline_names", "is_inline", "pascal_case"]

ANNOTATIONS = frozenset({"description", "javaType", "comment", "$comment", "title"})
"""Keywords that carry no validation; they are read for docstrings or ignored, never compared."""


def pascal_case(name: str) -> str:
    """``sampledValue`` → ``SampledValue``: the first letter upper-cased, the rest kept."""
    return name[:1].upper() + name[1:]


def is_inline(node: object) -> bool:
    """An object schema or an enum schema written in place (not a ``$ref``)."""
    return isinstance(node, dict) and "$ref" not in node and (node.get("type") == "object" or "enum" in node)


def canonical_shape(node: Any) -> str:
    """A schema as canonical JSON without annotations (at schema positions only), for comparing shapes."""

    def strip(schema: Any) -> Any:
        if not isinstance(schema, dict):
            return schema
        out: dict[str, Any] = {}
        for key, value in schema.items():
            if key in ANNOTATIONS:
                continue
            if key in ("properties", "definitions") and isinstance(value, dict):
                out[key] = {k: strip(v) for k, v in value.items()}
            elif key == "items":
                out[key] = strip(value)
            else:
                out[key] = value
        return out

    return json.dumps(strip(node), sort_keys=True, separators=(",", ":"))


@dataclass(frozen=True)
class InlineSite:
    """One inline schema: where it is, what it would be called, and the schema that holds it."""

    file: str
    pointer: str
    candidate: str
    holder: str | None
    """The pointer of the holding inline schema in the same file, or None for a message root or definition."""
    holder_name: str
    """The name of the holding message or definition (for sites whose holder is not inline)."""
    shape: str
    depth: int


def _sites(file: str, node: Any, ptr: str, holder: str | None, holder_name: str, depth: int) -> Iterator[InlineSite]:
    """The inline schemas under the properties of object schema ``node`` (at ``ptr``), top-down."""
    props = node.get("properties") if isinstance(node, dict) else None
    if not isinstance(props, dict):
        return
    for prop, schema in props.items():
        at = f"{ptr}{pointer('properties', prop)}"
        while isinstance(schema, dict) and schema.get("type") == "array" and isinstance(schema.get("items"), dict):
            schema, at = schema["items"], at + "/items"
        if not is_inline(schema):
            continue
        yield InlineSite(file, at, pascal_case(prop), holder, holder_name, canonical_shape(schema), depth)
        if schema.get("type") == "object":
            yield from _sites(file, schema, at, at, holder_name, depth + 1)


def _strip_kind(name: str) -> str:
    for suffix in ("Request", "Response"):
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


def inline_names(
    documents: Mapping[str, Any],
    message_names: Mapping[str, str],
    definitions: Mapping[str, str],
    folder: Path,
) -> dict[tuple[str, str], str]:
    """The name of every inline object and enum schema of a set: ``{(file name, pointer): name}``.

    ``documents`` are the parsed files by name, ``message_names`` the class name of each file's
    root (``Authorize.json`` → ``AuthorizeRequest``) and ``definitions`` the canonical shape of
    every named definition of the set by name.
    """
    sites: list[InlineSite] = []
    for file in sorted(documents):
        doc = documents[file]
        if not isinstance(doc, dict):
            continue
        sites.extend(_sites(file, doc, "", None, message_names[file], 0))
        defs = doc.get("definitions")
        if isinstance(defs, dict):
            for def_name, node in defs.items():
                sites.extend(_sites(file, node, pointer("definitions", def_name), None, def_name, 0))
    shapes: dict[str, set[str]] = {}
    for site in sites:
        shapes.setdefault(site.candidate, set()).add(site.shape)
    clashing = {
        name
        for name, found in shapes.items()
        if len(found) > 1 or (name in definitions and found != {definitions[name]})
    }
    names: dict[tuple[str, str], str] = {}
    full: dict[tuple[str, str], str] = {}
    for site in sorted(sites, key=lambda s: (s.depth, s.file, s.pointer)):
        holder = site.holder_name if site.holder is None else names[(site.file, site.holder)]
        key = (site.file, site.pointer)
        if site.candidate not in clashing:
            names[key] = full[key] = site.candidate
        else:
            names[key] = _strip_kind(holder) + site.candidate
            full[key] = holder + site.candidate
    by_site = {(s.file, s.pointer): s for s in sites}
    # Rule 4: two shapes on one qualified name fall back to the holder's full name.
    claimed: dict[str, set[str]] = {}
    for key, name in names.items():
        claimed.setdefault(name, set()).add(by_site[key].shape)
    for key, name in list(names.items()):
        if len(claimed[name]) > 1 and name != by_site[key].candidate:
            names[key] = full[key]
    taken = set(message_names.values())
    owner: dict[str, tuple[str, str]] = {}
    for key, name in sorted(names.items()):
        site = by_site[key]
        if name in taken:
            raise GeneratorError(
                f"inline schema would be named {name!r}, the name of a message", folder / site.file, site.pointer
            )
        if name in definitions and definitions[name] != site.shape:
            raise GeneratorError(
                f"inline schema would be named {name!r}, which a definition of another shape has",
                folder / site.file,
                site.pointer,
            )
        first = owner.setdefault(name, key)
        if by_site[first].shape != site.shape:
            other = by_site[first]
            raise GeneratorError(
                f"inline schemas of different shapes both named {name!r} (the other is {other.file}#{other.pointer})",
                folder / site.file,
                site.pointer,
            )
    return names
