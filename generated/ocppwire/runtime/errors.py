"""OCPP-J error codes, the exceptions that carry them, and how validation failures map to them.

An :class:`OcppError` is what a handler raises to answer a CALL with a CALLERROR, and what a caller
gets when the peer answered with one. :func:`error_for_validation` applies the project's policy
table (docs/runtime.md, "CALLERROR policy") to a msgspec validation failure: which code, and a description
naming the offending field by its wire path (``chargingStation.model``).
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Any, ClassVar

import msgspec

__all__ = [
    "ErrorCode",
    "OcppwireError",
    "RECEIVED_ALIASES",
    "WIRE_CODES_16",
    "FormatViolationError",
    "GenericError",
    "InternalError",
    "MAX_DESCRIPTION_LENGTH",
    "MessageTypeNotSupportedError",
    "NotImplementedOcppError",
    "NotSupportedError",
    "OccurrenceConstraintViolationError",
    "OcppError",
    "PropertyConstraintViolationError",
    "ProtocolError",
    "RpcFrameworkError",
    "SecurityError",
    "TypeConstraintViolationError",
    "error_for_validation",
    "error_from_code",
    "validation_path",
    "wire_codes",
]

MAX_DESCRIPTION_LENGTH = 255
"""errorDescription is at most 255 characters (OCPP-J Part 4 §4.2.3)."""


class ErrorCode(StrEnum):
    """The twelve OCPP-J 2.0.1 CALLERROR codes."""

    FORMAT_VIOLATION = "FormatViolation"
    GENERIC_ERROR = "GenericError"
    INTERNAL_ERROR = "InternalError"
    MESSAGE_TYPE_NOT_SUPPORTED = "MessageTypeNotSupported"
    NOT_IMPLEMENTED = "NotImplemented"
    NOT_SUPPORTED = "NotSupported"
    OCCURRENCE_CONSTRAINT_VIOLATION = "OccurrenceConstraintViolation"
    PROPERTY_CONSTRAINT_VIOLATION = "PropertyConstraintViolation"
    PROTOCOL_ERROR = "ProtocolError"
    RPC_FRAMEWORK_ERROR = "RpcFrameworkError"
    SECURITY_ERROR = "SecurityError"
    TYPE_CONSTRAINT_VIOLATION = "TypeConstraintViolation"


class OcppwireError(Exception):
    """The root of every exception ocppwire raises on purpose.

    ``except OcppwireError`` catches them all: :class:`OcppError` and its subclasses (errors that
    travel as CALLERRORs) and the local errors beside them (timeouts, closed connections, refused
    handshakes, invalid responses, requests that fail validation).
    """


class OcppError(OcppwireError):
    """An OCPP-J error: raised by a handler to answer CALLERROR, or raised to a caller that got one.

    ``description`` is cut to 255 characters when sent; ``details`` is always a JSON object.
    """

    code: ClassVar[ErrorCode] = ErrorCode.GENERIC_ERROR

    def __init__(self, description: str = "", details: dict[str, Any] | None = None) -> None:
        self.description = description
        self.details: dict[str, Any] = dict(details or {})
        super().__init__(f"{self.code.value}: {description}" if description else self.code.value)

    @property
    def wire_description(self) -> str:
        """The description as sent: at most :data:`MAX_DESCRIPTION_LENGTH` characters."""
        if len(self.description) <= MAX_DESCRIPTION_LENGTH:
            return self.description
        return self.description[: MAX_DESCRIPTION_LENGTH - 1] + "…"


class FormatViolationError(OcppError):
    code = ErrorCode.FORMAT_VIOLATION


class GenericError(OcppError):
    code = ErrorCode.GENERIC_ERROR


class InternalError(OcppError):
    code = ErrorCode.INTERNAL_ERROR


class MessageTypeNotSupportedError(OcppError):
    code = ErrorCode.MESSAGE_TYPE_NOT_SUPPORTED


class NotImplementedOcppError(OcppError):
    """``NotImplemented``: the action is unknown (named so it does not shadow the builtin)."""

    code = ErrorCode.NOT_IMPLEMENTED


class NotSupportedError(OcppError):
    """``NotSupported``: the action is known but this side does not handle it."""

    code = ErrorCode.NOT_SUPPORTED


class OccurrenceConstraintViolationError(OcppError):
    code = ErrorCode.OCCURRENCE_CONSTRAINT_VIOLATION


class PropertyConstraintViolationError(OcppError):
    code = ErrorCode.PROPERTY_CONSTRAINT_VIOLATION


class ProtocolError(OcppError):
    code = ErrorCode.PROTOCOL_ERROR


class RpcFrameworkError(OcppError):
    code = ErrorCode.RPC_FRAMEWORK_ERROR


class SecurityError(OcppError):
    code = ErrorCode.SECURITY_ERROR


class TypeConstraintViolationError(OcppError):
    code = ErrorCode.TYPE_CONSTRAINT_VIOLATION


_BY_CODE: dict[ErrorCode, type[OcppError]] = {
    cls.code: cls
    for cls in (
        FormatViolationError,
        GenericError,
        InternalError,
        MessageTypeNotSupportedError,
        NotImplementedOcppError,
        NotSupportedError,
        OccurrenceConstraintViolationError,
        PropertyConstraintViolationError,
        ProtocolError,
        RpcFrameworkError,
        SecurityError,
        TypeConstraintViolationError,
    )
}


RECEIVED_ALIASES: dict[str, ErrorCode] = {
    "OccurenceConstraintViolation": ErrorCode.OCCURRENCE_CONSTRAINT_VIOLATION,
    "FormationViolation": ErrorCode.FORMAT_VIOLATION,
}
"""Codes spelled otherwise than in 2.0.1, accepted from any peer of any version: 1.6 spells them so,
and independent 2.0.1 implementations in wide use send the single-r ``OccurenceConstraintViolation``."""

WIRE_CODES_16: dict[ErrorCode, str] = {
    ErrorCode.OCCURRENCE_CONSTRAINT_VIOLATION: "OccurenceConstraintViolation",
    ErrorCode.FORMAT_VIOLATION: "FormationViolation",
    ErrorCode.RPC_FRAMEWORK_ERROR: "FormationViolation",
    ErrorCode.MESSAGE_TYPE_NOT_SUPPORTED: "NotImplemented",
}
"""How each code is written on an OCPP 1.6 connection (1.6 has ten codes and its own spellings):
OccurrenceConstraintViolation and FormatViolation take 1.6's spellings; 1.6 has no RpcFrameworkError,
so a frame that is not well formed is a FormationViolation ("not conform the PDU structure"); it has no
MessageTypeNotSupported either, so an unknown message type is NotImplemented (the nearest: "not known
by receiver"). The other eight codes are the same in every version."""


def wire_codes(ocpp_version: str) -> dict[ErrorCode, str]:
    """The spellings of the codes that differ on a connection of ``ocpp_version`` (empty: as in 2.0.1)."""
    return WIRE_CODES_16 if ocpp_version == "1.6" else {}


def error_from_code(code: str, description: str = "", details: dict[str, Any] | None = None) -> OcppError:
    """The exception for a received CALLERROR; an unknown code becomes :class:`GenericError`
    with the original code kept in ``details['errorCode']``. 1.6 spellings and the widespread
    ``OccurenceConstraintViolation`` are accepted from any peer (:data:`RECEIVED_ALIASES`)."""
    alias = RECEIVED_ALIASES.get(code)
    if alias is not None:
        return _BY_CODE[alias](description, details)
    try:
        cls = _BY_CODE[ErrorCode(code)]
    except ValueError:
        merged = {"errorCode": code, **(details or {})}
        return GenericError(description, merged)
    return cls(description, details)


# msgspec's validation messages, in the order they are tried, and the policy code for each.
_RULES: tuple[tuple[re.Pattern[str], ErrorCode], ...] = tuple(
    (re.compile(pattern), code)
    for pattern, code in (
        (r"^Object missing required field", ErrorCode.OCCURRENCE_CONSTRAINT_VIOLATION),
        (r"^Expected `array` of length [<>]=", ErrorCode.OCCURRENCE_CONSTRAINT_VIOLATION),
        (r"^Object contains unknown field", ErrorCode.PROTOCOL_ERROR),
        (r"^Expected `[^`]+`, got `[^`]+`", ErrorCode.TYPE_CONSTRAINT_VIOLATION),
        (r"^Expected `str` (of length|matching)", ErrorCode.PROPERTY_CONSTRAINT_VIOLATION),
        (r"^Expected `(int|float)` [<>]=?", ErrorCode.PROPERTY_CONSTRAINT_VIOLATION),
        (r"^Expected `(int|float)` that's a multiple of", ErrorCode.PROPERTY_CONSTRAINT_VIOLATION),
        (r"^Invalid enum value", ErrorCode.PROPERTY_CONSTRAINT_VIOLATION),
        (r"^Invalid RFC3339", ErrorCode.PROPERTY_CONSTRAINT_VIOLATION),
        (r"^Expected `datetime` with a timezone", ErrorCode.PROPERTY_CONSTRAINT_VIOLATION),
        (r"^Number out of range", ErrorCode.PROPERTY_CONSTRAINT_VIOLATION),
        # An integer literal over 4300 digits (CPython's int/str conversion limit).
        (r"^Integer value out of range", ErrorCode.PROPERTY_CONSTRAINT_VIOLATION),
    )
)
_AT = re.compile(r" - at `\$(?P<path>[^`]*)`$")
_FIELD_NOTE = re.compile(r" \(field `(?P<field>[^`]+)`\)$")


def validation_path(exc: msgspec.ValidationError) -> str:
    """The wire path of the failing value, dotted (``chargingStation.model``, ``meterValue[0]``).

    For a missing or unknown property the property itself is appended, so the path names the
    field to fix. The root payload is ``""``.
    """
    message = str(exc)
    match = _AT.search(message)
    path = match.group("path").lstrip(".") if match else ""
    head = message[: match.start()] if match else message
    note = _FIELD_NOTE.search(head)
    name = None
    if note:
        name = note.group("field")
    else:
        field = re.search(r"(?:missing required|contains unknown) field `([^`]+)`", head)
        if field:
            name = field.group(1)
    if name:
        path = f"{path}.{name}" if path else name
    return path


def error_for_validation(exc: msgspec.ValidationError) -> OcppError:
    """Map a payload validation failure to the OcppError the policy table prescribes."""
    message = str(exc)
    match = _AT.search(message)
    head = message[: match.start()] if match else message
    path = validation_path(exc)
    code = ErrorCode.FORMAT_VIOLATION
    if not match and head.startswith("Expected `object`, got"):
        code = ErrorCode.FORMAT_VIOLATION  # the payload itself is not a JSON object
    else:
        for pattern, rule_code in _RULES:
            if pattern.search(head):
                code = rule_code
                break
    head = _FIELD_NOTE.sub("", head)
    description = f"{head} at {path}" if path else head
    return _BY_CODE[code](description, {"path": path} if path else {})
