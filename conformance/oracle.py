"""The reference judge: ``jsonschema``'s validator for the file's draft over the official schema file.

It sees exactly the bytes our decoder sees, parsed by the standard library's ``json`` module. The
validator is ``Draft4Validator`` for the draft-04 files (the OCPP 1.6 core) and ``Draft6Validator``
for the rest; it enforces ``format: date-time`` with :func:`~conformance.datetimes.is_rfc3339_datetime`
and ``format: uri`` (OCPP 1.6) with :func:`~conformance.uris.is_rfc3986_uri` (the validator ignores
formats unless given a checker). ``multipleOf`` is jsonschema's own: it divides binary floats, which
is where the OCPP 1.6 decimals differ (deviations D7 and D8).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import jsonschema  # type: ignore[import-untyped]
from jsonschema.exceptions import best_match  # type: ignore[import-untyped]

from .datetimes import is_rfc3339_datetime
from .uris import is_rfc3986_uri
from .schemas import MessageSchema

__all__ = ["OracleVerdict", "judge", "validator_for"]


@dataclass(frozen=True, slots=True)
class OracleVerdict:
    """Whether the schema accepts the payload; for a rejection, what failed where.

    ``errors`` holds ``(keyword, path)`` for every error found; ``keyword`` and ``path`` describe
    the most relevant one (``jsonschema``'s ``best_match``). One fault can break several
    keywords at one place: ``{"a": 1}`` in an enum field fails ``type``, ``enum`` and
    ``additionalProperties`` (OCPP enum definitions carry ``additionalProperties: false``).
    """

    accepted: bool
    keyword: str = ""
    path: str = ""
    errors: frozenset[tuple[str, str]] = frozenset()


def _format_checker() -> jsonschema.FormatChecker:
    checker = jsonschema.FormatChecker(formats=())
    checker.checks("date-time")(is_rfc3339_datetime)
    checker.checks("uri")(is_rfc3986_uri)
    return checker


@lru_cache(maxsize=None)
def validator_for(schema: MessageSchema) -> jsonschema.Draft6Validator | jsonschema.Draft4Validator:
    """The validator of the schema's draft (4 or 6) for ``schema`` with the strict date-time and URI
    checkers (the schema itself checked first)."""
    cls = jsonschema.Draft4Validator if schema.draft == 4 else jsonschema.Draft6Validator
    cls.check_schema(schema.document)
    return cls(schema.document, format_checker=_format_checker())


def judge(schema: MessageSchema, data: bytes) -> OracleVerdict:
    """The schema's verdict on the JSON text ``data``; text ``json`` cannot parse is a rejection."""
    # JSON has no limit on integer length; CPython's int/str conversion does (4300 digits), and
    # the schema - not the parser - is meant to judge here, so lift the limit while parsing.
    limit = sys.get_int_max_str_digits()
    sys.set_int_max_str_digits(0)
    try:
        instance = json.loads(data)
    except ValueError:
        return OracleVerdict(False, "json", "")
    finally:
        sys.set_int_max_str_digits(limit)
    # One full pass collecting every error costs the same as is_valid() on a valid payload and
    # half of is_valid() + iter_errors() on an invalid one.
    errors = list(validator_for(schema).iter_errors(instance))
    if not errors:
        return OracleVerdict(True)
    error = best_match(errors)
    found = frozenset((str(e.validator), _path(e.absolute_path)) for e in errors)
    return OracleVerdict(False, str(error.validator), _path(error.absolute_path), found)


def _path(parts: Iterable[str | int]) -> str:
    """The dotted wire path the rest of the harness uses (``meterValue[0].timestamp``)."""
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in parts).lstrip(".")
