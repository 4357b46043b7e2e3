"""Vendor extensions: typed customData and DataTransfer shapes, and patches to the base schemas.

An extension folder holds ``extensions.json`` and the vendor's JSON schema files::

    {
      "customData": [
        {"vendorId": "com.mycompany.customheartbeat", "name": "CustomHeartbeatData", "schema": "heartbeat.json"}
      ],
      "dataTransfer": [
        {"vendorId": "com.acme", "messageId": "GetPrice", "name": "GetPrice",
         "request": "get_price_request.json", "response": "get_price_response.json"}
      ],
      "patches": [
        {"file": "Get15118EVCertificateResponse.json", "pointer": "/properties/exiResponse/maxLength",
         "op": "replace", "value": 7500, "reason": "devices send longer EXI responses"}
      ]
    }

customData schemas describe the whole customData object; ``vendorId`` is added when the schema does
not declare it. DataTransfer schemas describe the ``data`` value of the request and of the response
(either may be omitted). Extension objects must say ``additionalProperties: false`` (customData's own
openness is what a registered shape replaces). Patches are JSON-pointer edits applied to the base
schema files before they are read; the generated header lists them.
"""

from __future__ import annotations

import copy
from dataclasses import replace
from pathlib import Path
from typing import Any

from .errors import GeneratorError
from .jsonfile import hash_files, load_json, pointer_parts
from .jsonfile import pointer as _pointer
from .model import (
    CustomDataExtension,
    DataTransferExtension,
    EnumDef,
    ExtensionSet,
    Field,
    Patch,
    Scalar,
    StructDef,
    shape,
)
from .reader import FileReader

MANIFEST = "extensions.json"
VENDOR_ID = Field("vendorId", Scalar("string", max_length=255), True)


def _require(entry: dict[str, Any], key: str, path: Path, ptr: str, optional: bool = False) -> Any:
    if key not in entry:
        if optional:
            return None
        raise GeneratorError(f"missing {key!r}", path, ptr)
    value = entry[key]
    if not isinstance(value, str) or not value:
        raise GeneratorError(f"{key!r} must be a non-empty string", path, f"{ptr}/{key}")
    return value


def read_extensions(folder: Path) -> ExtensionSet:
    """Read and check an extension folder (the schema files it names are read too)."""
    if not folder.is_dir():
        raise GeneratorError(f"extension folder not found: {folder}")
    manifest = folder / MANIFEST
    if not manifest.exists():
        raise GeneratorError(f"{MANIFEST} is missing", folder)
    doc = load_json(manifest)
    if not isinstance(doc, dict):
        raise GeneratorError("expected a JSON object", manifest)
    unknown = set(doc) - {"customData", "dataTransfer", "patches", "$comment"}
    if unknown:
        key = sorted(unknown)[0]
        raise GeneratorError(
            f"unknown key {key!r} (expected customData, dataTransfer, patches)", manifest, _pointer(key)
        )
    result = ExtensionSet(folder, hash_files(folder, sorted(folder.rglob("*.json"))))
    reader = _ExtensionReader(folder, result)
    for i, entry in enumerate(_list(doc, "customData", manifest)):
        ptr = _pointer("customData", i)
        vendor_id = _require(entry, "vendorId", manifest, ptr)
        if len(vendor_id) > 255:
            raise GeneratorError("vendorId is longer than 255 characters", manifest, ptr + "/vendorId")
        name = _identifier(_require(entry, "name", manifest, ptr), manifest, ptr + "/name")
        struct = reader.read_object(_require(entry, "schema", manifest, ptr), name)
        struct = _with_vendor_id(struct, folder / entry["schema"])
        if any(c.vendor_id == vendor_id for c in result.custom_data):
            raise GeneratorError(f"vendorId {vendor_id!r} is listed twice", manifest, ptr)
        result.custom_data.append(CustomDataExtension(vendor_id, struct))
    for i, entry in enumerate(_list(doc, "dataTransfer", manifest)):
        ptr = _pointer("dataTransfer", i)
        vendor_id = _require(entry, "vendorId", manifest, ptr)
        message_id = _require(entry, "messageId", manifest, ptr, optional=True)
        name = _identifier(_require(entry, "name", manifest, ptr), manifest, ptr + "/name")
        request_file = _require(entry, "request", manifest, ptr, optional=True)
        response_file = _require(entry, "response", manifest, ptr, optional=True)
        if request_file is None and response_file is None:
            raise GeneratorError("a dataTransfer entry needs a 'request' or a 'response' schema", manifest, ptr)
        request = reader.read_object(request_file, f"{name}RequestData") if request_file else None
        response = reader.read_object(response_file, f"{name}ResponseData") if response_file else None
        if any((d.vendor_id, d.message_id) == (vendor_id, message_id) for d in result.data_transfer):
            raise GeneratorError(f"({vendor_id!r}, {message_id!r}) is listed twice", manifest, ptr)
        result.data_transfer.append(DataTransferExtension(vendor_id, message_id, name, request, response))
    for i, entry in enumerate(_list(doc, "patches", manifest)):
        ptr = _pointer("patches", i)
        op = entry.get("op", "replace")
        if op not in ("replace", "add", "remove"):
            raise GeneratorError(f"patch op {op!r} is not one of replace, add, remove", manifest, ptr + "/op")
        if op != "remove" and "value" not in entry:
            raise GeneratorError("a replace or add patch needs a 'value'", manifest, ptr)
        pointer = _require(entry, "pointer", manifest, ptr)
        if not pointer.startswith("/"):
            raise GeneratorError("'pointer' must be a JSON pointer starting with '/'", manifest, ptr + "/pointer")
        result.patches.append(
            Patch(
                file=_require(entry, "file", manifest, ptr),
                pointer=pointer,
                op=op,
                value=entry.get("value"),
                reason=_require(entry, "reason", manifest, ptr),
            )
        )
    return result


def _list(doc: dict[str, Any], key: str, path: Path) -> list[dict[str, Any]]:
    value = doc.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise GeneratorError(f"{key!r} must be a list of objects", path, _pointer(key))
    return value


def _identifier(name: str, path: Path, ptr: str) -> str:
    if not name.isidentifier() or not name[0].isupper():
        raise GeneratorError(f"{name!r} is not a valid class name (PascalCase identifier)", path, ptr)
    return name


def _with_vendor_id(struct: StructDef, path: Path) -> StructDef:
    declared = next((f for f in struct.fields if f.wire_name == "vendorId"), None)
    if declared is None:
        return replace(struct, fields=(VENDOR_ID, *struct.fields))
    if not declared.required or not isinstance(declared.type, Scalar) or declared.type.json_type != "string":
        raise GeneratorError("a customData schema's 'vendorId' must be a required string", path, "/properties/vendorId")
    return struct


class _ExtensionReader:
    """Reads extension schema files; their definitions join one extension namespace."""

    def __init__(self, folder: Path, result: ExtensionSet):
        self.folder = folder
        self.result = result
        self.origin: dict[str, Path] = {}

    def read_object(self, relative: str, name: str) -> StructDef:
        path = (self.folder / relative).resolve()
        if not path.is_file():
            raise GeneratorError(f"schema file not found: {relative}", self.folder / MANIFEST)
        reader = FileReader(path, load_json(path))
        root, defs = reader.read()
        for def_name, definition in defs.items():
            known = self.result.enums.get(def_name) or self.result.types.get(def_name)
            if known is not None:
                if shape(known) != shape(definition):
                    raise GeneratorError(
                        f"definition {def_name!r} differs in shape from the one in {self.origin[def_name].name}",
                        path,
                        _pointer("definitions", def_name),
                    )
                continue
            self.origin[def_name] = path
            if isinstance(definition, EnumDef):
                self.result.enums[def_name] = definition
            else:
                self.result.types[def_name] = definition
        for struct in [root, *(d for d in defs.values() if isinstance(d, StructDef))]:
            if struct.open and struct.name != "CustomDataType":
                ptr = "" if struct is root else _pointer("definitions", struct.name)
                raise GeneratorError("extension objects must set 'additionalProperties': false", path, ptr)
        return replace(root, name=name)


def apply_patches(documents: dict[str, Any], patches: list[Patch], manifest: Path) -> None:
    """Apply patches in order to the parsed base schema files (``{file name: document}``)."""
    for i, patch in enumerate(patches):
        where = _pointer("patches", i)
        if patch.file not in documents:
            raise GeneratorError(f"patch names {patch.file!r}, which is not a schema file of the set", manifest, where)
        doc = documents[patch.file]
        parts = pointer_parts(patch.pointer)
        parent = doc
        for part in parts[:-1]:
            if not isinstance(parent, dict) or part not in parent:
                raise GeneratorError(f"pointer {patch.pointer} does not exist in {patch.file}", manifest, where)
            parent = parent[part]
        last = parts[-1]
        if not isinstance(parent, dict):
            raise GeneratorError(
                f"pointer {patch.pointer} does not name an object member in {patch.file}", manifest, where
            )
        if patch.op in ("replace", "remove") and last not in parent:
            raise GeneratorError(f"pointer {patch.pointer} does not exist in {patch.file}", manifest, where)
        if patch.op == "add" and last in parent:
            raise GeneratorError(
                f"pointer {patch.pointer} already exists in {patch.file} (use replace)", manifest, where
            )
        if patch.op == "remove":
            del parent[last]
        else:
            parent[last] = copy.deepcopy(patch.value)
