"""Read a schema set with everything that goes with it: the one place that puts the inputs together.

A generation run reads a folder of OCPP schemas (:mod:`ocppgen.reader`), optionally a vendor
extension folder whose patches edit those schemas before they are read and whose customData and
DataTransfer shapes join the result (:mod:`ocppgen.extensions`), and the folder's device-model
catalogue when it has one (:mod:`ocppgen.catalog`). No other module knows about all three.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from .catalog import has_catalog, input_files, read_catalog
from .errors import GeneratorError
from .extensions import MANIFEST, apply_patches, read_extensions
from .jsonfile import hash_files, load_json
from .model import SchemaSet
from .reader import read_set, schema_files

__all__ = ["content_hash", "read_schema_set"]


def content_hash(folder: Path) -> str:
    """sha256 over the names and bytes of every input file of a schema folder, in sorted order.

    Inputs are the schemas and ``actions.json`` and, when present, the ``catalog/*.json`` files
    (hashed under their ``catalog/`` relative name).
    """
    return hash_files(folder, sorted(folder.glob("*.json")) + input_files(folder))


def read_schema_set(folder: Path, name: str | None = None, extensions: Path | None = None) -> SchemaSet:
    """Read every ``*Request.json`` / ``*Response.json`` of ``folder``, its ``actions.json`` and its catalogue.

    With ``extensions`` (a vendor extension folder, see :mod:`ocppgen.extensions`), its patches are
    applied to the schema files before they are read and its customData / DataTransfer shapes are
    attached to the result.
    """
    if not folder.exists():
        raise GeneratorError(f"schema folder not found: {folder}")
    if not folder.is_dir():
        raise GeneratorError(f"not a folder: {folder}")
    files = schema_files(folder)
    if not files:
        raise GeneratorError(f"no *.json schema files in {folder}")
    ext = read_extensions(extensions) if extensions is not None else None
    digest = content_hash(folder)
    if ext is not None:
        digest = hashlib.sha256(f"{digest}+{ext.content_hash}".encode()).hexdigest()
    documents = {path.name: load_json(path) for path in files}
    if ext is not None:
        apply_patches(documents, ext.patches, ext.folder / MANIFEST)
    result = read_set(folder, documents, name or folder.name, digest)
    result.extensions = ext
    if has_catalog(folder):
        result.catalog = read_catalog(folder)
    return result
