"""JSON helpers every reader of ocppgen shares: load a file, write a JSON pointer, hash inputs.

This module knows nothing about OCPP, schemas or catalogues; it sits at the bottom of the
generator's import graph (only :mod:`ocppgen.errors` below it).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .errors import GeneratorError

__all__ = ["hash_files", "load_json", "pointer", "resolve_pointer"]


def pointer(*parts: str | int) -> str:
    """The RFC 6901 JSON pointer of ``parts`` (``pointer("definitions", "a/b")`` → ``/definitions/a~1b``)."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def pointer_parts(text: str) -> list[str]:
    """The unescaped reference tokens of a JSON pointer that starts with ``/``."""
    return [p.replace("~1", "/").replace("~0", "~") for p in text.split("/")[1:]]


def resolve_pointer(document: Any, text: str) -> Any:
    """The value ``text`` (a JSON pointer) names in ``document``; ``KeyError`` when it names nothing."""
    node = document
    for part in pointer_parts(text):
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            raise KeyError(text)
    return node


def load_json(path: Path) -> Any:
    """Parse one JSON file, turning I/O and syntax errors into a :class:`GeneratorError`."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise GeneratorError(f"not UTF-8 text ({exc.reason} at byte {exc.start})", path) from None
    except OSError as exc:
        raise GeneratorError(f"cannot read file: {exc.strerror}", path) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise GeneratorError(f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}", path) from None


def hash_files(base: Path, paths: Iterable[Path]) -> str:
    """sha256 over the names (relative to ``base``, POSIX spelling) and bytes of ``paths``, in the given order."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.relative_to(base).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()
