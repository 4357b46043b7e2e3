"""Read one folder of OCPP JSON schema files (and its ``actions.json``) into a :class:`~ocppgen.model.SchemaSet`.

The reader accepts exactly the subset of JSON Schema that OCPP uses and refuses everything else with
an error naming the file and the JSON pointer, so a vendor schema that relies on a keyword we do
not enforce never produces bindings that silently validate less than the schema says.

Same-named definitions across files are merged; a same name with a different shape (descriptions
ignored) stops generation with an error naming both files. This module knows nothing of vendor
extensions or catalogues: :mod:`ocppgen.schema` puts those together.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from .errors import GeneratorError
from .inline import ANNOTATIONS, canonical_shape, inline_names, is_inline
from .jsonfile import load_json
from .jsonfile import pointer as json_pointer
from .model import (
    Action,
    AnyValue,
    ArrayOf,
    Direction,
    EnumDef,
    Field,
    FieldType,
    Ref,
    Scalar,
    SchemaSet,
    StructDef,
    shape,
)

ACTIONS_FILE = "actions.json"

# Keywords that carry no validation and are read (descriptions) or ignored.
_ANNOTATIONS = ANNOTATIONS
# The JSON Schema drafts OCPP uses (1.6 core: draft-04; 1.6 security, 2.0.1, 2.1: draft-06) and the
# keyword each spells the schema's identifier with.
DRAFTS: Mapping[str, str] = {
    "http://json-schema.org/draft-04/schema": "id",
    "http://json-schema.org/draft-06/schema": "$id",
}
_ROOT_KEYWORDS = frozenset({"$schema", "$id", "id", "definitions"})
_OBJECT_KEYWORDS = frozenset({"type", "properties", "required", "additionalProperties"})
_SCALAR_KEYWORDS = frozenset(
    {"type", "maxLength", "minLength", "pattern", "minimum", "maximum", "multipleOf", "format", "default"}
)
_ENUM_KEYWORDS = frozenset({"type", "enum", "additionalProperties", "default"})
_ARRAY_KEYWORDS = frozenset({"type", "items", "additionalItems", "minItems", "maxItems", "default"})
_SCALAR_TYPES = frozenset({"string", "integer", "number", "boolean"})
_SUPPORTED_FORMATS = frozenset({"date-time", "uri"})


class FileReader:
    """Reads one schema file; every error it raises names this file and a JSON pointer."""

    def __init__(self, path: Path, document: Any, name: str | None = None, inline: Mapping[str, str] | None = None):
        self.path = path
        self.doc = document
        self.name = name or path.stem
        self.inline = inline or {}
        self.holders: list[str] = []
        """The objects being read, outermost first (an inline schema is documented by its holder)."""
        self.inline_defs: dict[str, EnumDef | StructDef] = {}
        """The inline objects and enums met while reading, by the name :mod:`ocppgen.inline` gave them."""

    def fail(self, message: str, *pointer: str | int) -> GeneratorError:
        return GeneratorError(message, self.path, json_pointer(*pointer))

    def check_keywords(self, node: dict[str, Any], allowed: frozenset[str], *pointer: str | int) -> None:
        for key in node:
            if key not in allowed and key not in _ANNOTATIONS:
                raise self.fail(f"unsupported schema keyword {key!r}", *pointer, key)

    def check_draft(self) -> None:
        """``$schema`` names draft-04 or draft-06 (or is absent: draft-06); the identifier uses that draft's keyword."""
        declared = self.doc.get("$schema", "http://json-schema.org/draft-06/schema#")
        key = declared.rstrip("#").replace("https://", "http://") if isinstance(declared, str) else ""
        if key not in DRAFTS:
            raise self.fail(f"unsupported $schema {declared!r} (draft-04 and draft-06 are supported)", "$schema")
        id_key = DRAFTS[key]
        other = "$id" if id_key == "id" else "id"
        if other in self.doc:
            draft = key.rsplit("/", 2)[-2]
            raise self.fail(f"{other!r} is not the identifier keyword of {draft}: use {id_key!r}", other)
        if id_key in self.doc and not isinstance(self.doc[id_key], str):
            raise self.fail(f"{id_key!r} must be a string", id_key)

    def read(self) -> tuple[StructDef, dict[str, EnumDef | StructDef]]:
        if not isinstance(self.doc, dict):
            raise self.fail("a schema file must hold a JSON object")
        self.check_draft()
        definitions = self.doc.get("definitions", {})
        if not isinstance(definitions, dict):
            raise self.fail("'definitions' must be an object", "definitions")
        self.definition_names = set(definitions)
        defs: dict[str, EnumDef | StructDef] = {}
        for name, node in definitions.items():
            defs[name] = self.read_definition(name, node, "definitions", name)
        root = {k: v for k, v in self.doc.items() if k not in _ROOT_KEYWORDS}
        message = self.read_object(self.name, root)
        return message, defs

    def read_definition(self, name: str, node: Any, *pointer: str | int) -> EnumDef | StructDef:
        if not isinstance(node, dict):
            raise self.fail("a definition must be a JSON object", *pointer)
        if "$ref" in node:
            raise self.fail("a definition must be an object or an enum, not a '$ref'", *pointer, "$ref")
        if "enum" in node:
            self.check_keywords(node, _ENUM_KEYWORDS, *pointer)
            values = node["enum"]
            if node.get("type") != "string":
                raise self.fail("only string enums are supported", *pointer, "type")
            if not isinstance(values, list) or not values or not all(isinstance(v, str) for v in values):
                raise self.fail("'enum' must be a non-empty list of strings", *pointer, "enum")
            if len(set(values)) != len(values):
                raise self.fail("'enum' lists a value twice", *pointer, "enum")
            default = node.get("default")
            if default is not None and default not in values:
                raise self.fail(f"default {default!r} is not one of the enum values", *pointer, "default")
            return EnumDef(name, tuple(values), _description(node), default)
        return self.read_object(name, node, *pointer)

    def read_object(self, name: str, node: dict[str, Any], *pointer: str | int) -> StructDef:
        self.holders.append(name)
        try:
            return self._read_object(name, node, *pointer)
        finally:
            self.holders.pop()

    def _read_object(self, name: str, node: dict[str, Any], *pointer: str | int) -> StructDef:
        self.check_keywords(node, _OBJECT_KEYWORDS, *pointer)
        if node.get("type") != "object":
            raise self.fail("expected 'type': 'object' (or an 'enum' definition)", *pointer, "type")
        props = node.get("properties", {})
        if not isinstance(props, dict):
            raise self.fail("'properties' must be an object", *pointer, "properties")
        required = node.get("required", [])
        if not isinstance(required, list) or not all(isinstance(r, str) for r in required):
            raise self.fail("'required' must be a list of property names", *pointer, "required")
        for r in required:
            if r not in props:
                raise self.fail(f"required property {r!r} is not defined in 'properties'", *pointer, "required")
        additional = node.get("additionalProperties", True)
        if not isinstance(additional, bool):
            raise self.fail("'additionalProperties' must be true or false", *pointer, "additionalProperties")
        fields = []
        for prop_name, prop in props.items():
            ptr = (*pointer, "properties", prop_name)
            if not isinstance(prop, dict):
                raise self.fail("a property schema must be a JSON object", *ptr)
            ftype = self.read_type(prop, *ptr)
            has_default = "default" in prop
            fields.append(
                Field(
                    wire_name=prop_name,
                    type=ftype,
                    required=prop_name in required,
                    description=_description(prop),
                    default=prop.get("default"),
                    has_default=has_default,
                )
            )
        return StructDef(name, tuple(fields), _description(node), open=additional)

    def read_type(self, node: dict[str, Any], *pointer: str | int) -> FieldType:
        if "$ref" in node:
            self.check_keywords(node, frozenset({"$ref"}), *pointer)
            ref = node["$ref"]
            prefix = "#/definitions/"
            if not isinstance(ref, str) or not ref.startswith(prefix):
                raise self.fail(
                    f"only local '#/definitions/...' references are supported, got {ref!r}", *pointer, "$ref"
                )
            target = ref[len(prefix) :]
            if target not in self.definition_names:
                raise self.fail(f"reference to undefined definition {target!r}", *pointer, "$ref")
            return Ref(target)
        json_type = node.get("type")
        if not set(node) - _ANNOTATIONS:
            return AnyValue()
        if json_type == "array":
            self.check_keywords(node, _ARRAY_KEYWORDS, *pointer)
            items = node.get("items")
            if not isinstance(items, dict):
                raise self.fail("an array needs a single 'items' schema (tuples are not supported)", *pointer, "items")
            if node.get("additionalItems", False) not in (False, True):
                raise self.fail("'additionalItems' must be a boolean", *pointer, "additionalItems")
            return ArrayOf(
                self.read_type(items, *pointer, "items"),
                min_items=self.read_int(node, "minItems", *pointer),
                max_items=self.read_int(node, "maxItems", *pointer),
            )
        if is_inline(node):
            return self.read_inline(node, *pointer)
        if json_type in _SCALAR_TYPES:
            self.check_keywords(node, _SCALAR_KEYWORDS, *pointer)
            fmt = node.get("format")
            if fmt is not None and (json_type != "string" or fmt not in _SUPPORTED_FORMATS):
                raise self.fail(
                    f"unsupported format {fmt!r} (only 'date-time' and 'uri' on strings)", *pointer, "format"
                )
            if json_type != "string":
                for key in ("maxLength", "minLength", "pattern"):
                    if key in node:
                        raise self.fail(f"{key!r} applies to strings only", *pointer, key)
            if json_type not in ("integer", "number"):
                for key in ("minimum", "maximum", "multipleOf"):
                    if key in node:
                        raise self.fail(f"{key!r} applies to numbers only", *pointer, key)
            pattern = node.get("pattern")
            if pattern is not None and not isinstance(pattern, str):
                raise self.fail("'pattern' must be a string", *pointer, "pattern")
            if pattern is not None and fmt == "uri":
                raise self.fail("'pattern' together with 'format': 'uri' is not supported", *pointer, "pattern")
            multiple_of = self.read_number(node, "multipleOf", *pointer)
            if multiple_of is not None and multiple_of <= 0:
                raise self.fail("'multipleOf' must be greater than 0", *pointer, "multipleOf")
            if multiple_of is not None and json_type == "integer" and not isinstance(multiple_of, int):
                raise self.fail("'multipleOf' of an integer must be an integer", *pointer, "multipleOf")
            return Scalar(
                json_type=json_type,
                multiple_of=multiple_of,
                max_length=self.read_int(node, "maxLength", *pointer),
                min_length=self.read_int(node, "minLength", *pointer),
                pattern=pattern,
                minimum=self.read_number(node, "minimum", *pointer),
                maximum=self.read_number(node, "maximum", *pointer),
                date_time=fmt == "date-time",
                uri=fmt == "uri",
            )
        raise self.fail(f"unsupported or missing 'type': {json_type!r}", *pointer, "type")

    def read_inline(self, node: dict[str, Any], *pointer: str | int) -> Ref:
        """An object or enum schema written in place: read it as a definition under its derived name."""
        at = json_pointer(*pointer)
        name = self.inline.get(at)
        if name is None:  # only reachable through a path inline.py does not walk (e.g. nested arrays of arrays)
            raise self.fail("inline object or enum schema in an unsupported position", *pointer)
        definition = self.read_definition(name, node, *pointer)
        if not definition.description:
            # 1.6 describes nothing; say where the type comes from (the first place it is used).
            prop = next(str(pointer[i + 1]) for i in range(len(pointer) - 2, -1, -1) if pointer[i] == "properties")
            kind = "values" if isinstance(definition, EnumDef) else "object"
            text = f"The {kind} of ``{prop}{'[]' if pointer[-1] == 'items' else ''}`` in {self.holders[-1]}."
            definition = replace(definition, description=text)
        self.inline_defs.setdefault(name, definition)
        return Ref(name)

    def read_int(self, node: dict[str, Any], key: str, *pointer: str | int) -> int | None:
        value = node.get(key)
        if value is None:
            return None
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise self.fail(f"{key!r} must be a non-negative integer", *pointer, key)
        return value

    def read_number(self, node: dict[str, Any], key: str, *pointer: str | int) -> int | float | None:
        value = node.get(key)
        if value is None:
            return None
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            raise self.fail(f"{key!r} must be a number", *pointer, key)
        return value


def _description(node: dict[str, Any]) -> str:
    value = node.get("description", "")
    return value if isinstance(value, str) else ""


def message_name(stem: str) -> str:
    """The class name of a file's root: ``<Action>Request`` / ``<Action>Response`` as they are; the
    1.6 spelling ``<Action>.json`` (and 2.1's SEND-only ``NotifyPeriodicEventStream.json``) is the
    request, ``<Action>Request``."""
    return stem if stem.endswith(("Request", "Response")) else stem + "Request"


def read_set(folder: Path, documents: dict[str, Any], name: str, content_hash: str) -> SchemaSet:
    """The schema set of ``folder`` from its parsed message files (``{file name: document}``).

    ``documents`` are the files :func:`schema_files` lists, already parsed (and patched, when the
    caller applies vendor patches); ``actions.json`` is read from ``folder``. Inline objects and
    enums are named by the rules of :mod:`ocppgen.inline`.
    """
    result = SchemaSet(name=name, content_hash=content_hash)
    files = [folder / file_name for file_name in sorted(documents)]
    names: dict[str, str] = {}
    for path in files:
        if not path.stem.isidentifier():
            raise GeneratorError(
                "schema file names must be <Action>Request.json, <Action>Response.json or <Action>.json", path
            )
        names[path.name] = message_name(path.stem)
    seen: dict[str, str] = {}
    for file_name, class_name in names.items():
        if class_name in seen:
            raise GeneratorError(
                f"{file_name} and {seen[class_name]} are both the message {class_name}", folder / file_name
            )
        seen[class_name] = file_name
    definition_shapes: dict[str, str] = {}
    for path in files:
        doc = documents[path.name]
        defs = doc.get("definitions") if isinstance(doc, dict) else None
        if isinstance(defs, dict):
            for def_name, node in defs.items():
                definition_shapes.setdefault(def_name, canonical_shape(node))
    inline = inline_names(documents, names, definition_shapes, folder)
    origin: dict[str, tuple[Path, str]] = {}

    def add(def_name: str, definition: EnumDef | StructDef, path: Path, where: str) -> None:
        if not def_name.isidentifier():
            raise GeneratorError(f"definition name {def_name!r} is not a valid identifier", path, where)
        if def_name in origin:
            if shape(result.lookup(def_name)) != shape(definition):
                raise GeneratorError(
                    f"definition {def_name!r} differs in shape from the one in {origin[def_name][0].name}", path, where
                )
            return
        origin[def_name] = (path, where)
        if isinstance(definition, EnumDef):
            result.enums[def_name] = definition
        else:
            result.types[def_name] = definition

    for path in files:
        file_inline = {ptr: n for (file_name, ptr), n in inline.items() if file_name == path.name}
        reader = FileReader(path, documents[path.name], names[path.name], file_inline)
        message, defs = reader.read()
        result.messages[names[path.name]] = message
        for def_name, definition in defs.items():
            add(def_name, definition, path, json_pointer("definitions", def_name))
        for def_name, definition in reader.inline_defs.items():
            where = next(ptr for ptr, n in sorted(file_inline.items()) if n == def_name)
            add(def_name, definition, path, where)
    clash = set(result.messages) & set(origin)
    if clash:
        first = sorted(clash)[0]
        raise GeneratorError(f"definition {first!r} has the name of a message file", origin[first][0])
    for struct in result.types.values():
        if struct.open:
            _check_open_object(struct, *origin[struct.name])
    result.files = tuple(p.name for p in files)
    _read_actions(folder, result)
    return result


def schema_files(folder: Path) -> list[Path]:
    """The message schema files of a folder, sorted by name."""
    return sorted(p for p in folder.glob("*.json") if p.name != ACTIONS_FILE)


def _check_open_object(struct: StructDef, path: Path, ptr: str) -> None:
    """Open objects are mapped to the runtime's CustomData, so their declared shape must match it."""
    expected = (Field("vendorId", Scalar("string", max_length=255), True),)
    got = tuple(replace(f, description="") for f in struct.fields)
    if got != expected:
        raise GeneratorError(
            "an object without 'additionalProperties': false is only supported in the CustomData shape "
            "(exactly one required property 'vendorId': string, maxLength 255)",
            path,
            ptr,
        )


def _read_actions(folder: Path, result: SchemaSet) -> None:
    path = folder / ACTIONS_FILE
    if not path.exists():
        raise GeneratorError(f"{ACTIONS_FILE} is missing: it says who sends each action", folder)
    doc = load_json(path)
    if not isinstance(doc, dict) or not isinstance(doc.get("actions"), dict):
        raise GeneratorError("expected an object with an 'actions' object", path)
    for key in ("ocppVersion", "subprotocol"):
        if not isinstance(doc.get(key), str) or not doc[key]:
            raise GeneratorError(f"{key!r} must be a non-empty string", path, json_pointer(key))
    result.ocpp_version = doc["ocppVersion"]
    result.subprotocol = doc["subprotocol"]
    directions = {d.value: d for d in Direction}
    for action, entry in doc["actions"].items():
        ptr = json_pointer("actions", action)
        direction, frame = (entry, "CALL") if isinstance(entry, str) else _action_entry(entry, path, ptr)
        if direction not in directions:
            raise GeneratorError(f"direction {direction!r} is not one of {', '.join(directions)}", path, ptr)
        request, response = action + "Request", action + "Response"
        if request not in result.messages:
            raise GeneratorError(
                f"action {action!r} has no request schema ({action}Request.json or {action}.json)", path, ptr
            )
        if frame == "CALL" and response not in result.messages:
            raise GeneratorError(f"action {action!r} has no {response}.json schema", path, ptr)
        if frame == "SEND" and response in result.messages:
            raise GeneratorError(
                f"action {action!r} is sent as SEND (no response), but {response}.json exists", path, ptr
            )
        result.actions[action] = Action(
            action, request, response if frame == "CALL" else None, directions[direction], send=frame == "SEND"
        )
    for stem in result.messages:
        action = stem.removesuffix("Request").removesuffix("Response")
        if action not in result.actions:
            raise GeneratorError(f"{stem} belongs to action {action!r}, which has no direction in {ACTIONS_FILE}", path)
    result.actions = dict(sorted(result.actions.items()))


def _action_entry(entry: object, path: Path, ptr: str) -> tuple[object, str]:
    """``{"direction": ..., "frame": "CALL" | "SEND"}``: the long form of an actions.json entry."""
    if not isinstance(entry, dict) or set(entry) - {"direction", "frame"} or "direction" not in entry:
        raise GeneratorError('an action is a direction string or {"direction": ..., "frame": ...}', path, ptr)
    frame = entry.get("frame", "CALL")
    if frame not in ("CALL", "SEND"):
        raise GeneratorError(f"frame {frame!r} is not CALL or SEND", path, ptr + "/frame")
    return entry["direction"], str(frame)
