"""Hand-written, OCPP-version-independent runtime that generated bindings import.

The transport modules (:mod:`.server`, :mod:`.client`, :mod:`.tls`) are imported on demand so
that using the types alone does not load the WebSocket stack.
"""

from .actions import ActionRegistry, ActionSpec, Direction, Role
from .backoff import RetryBackOff
from .codec import Codec, FrameError
from .customdata import CustomData, GenericCustomData
from .errors import ErrorCode, OcppError
from .exceptions import (
    CallTimeoutError,
    ConnectionClosedError,
    ConnectionRejectedError,
    InvalidResponseError,
    RequestValidationError,
)
from .frames import Call, CallError, CallResult, MessageType
from .payload import convert, decode, encode, to_builtins
from .session import Session, SessionStats
from .struct import OcppStruct, schema_default, value_or_default

__all__ = [
    "ActionRegistry",
    "ActionSpec",
    "Call",
    "CallError",
    "CallResult",
    "CallTimeoutError",
    "Codec",
    "ConnectionClosedError",
    "ConnectionRejectedError",
    "CustomData",
    "Direction",
    "ErrorCode",
    "FrameError",
    "GenericCustomData",
    "InvalidResponseError",
    "MessageType",
    "OcppError",
    "OcppStruct",
    "RequestValidationError",
    "RetryBackOff",
    "Role",
    "Session",
    "SessionStats",
    "convert",
    "decode",
    "encode",
    "schema_default",
    "to_builtins",
    "value_or_default",
]
