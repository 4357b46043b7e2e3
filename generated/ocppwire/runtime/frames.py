"""The three OCPP-J RPC frames as typed values: CALL, CALLRESULT and CALLERROR.

On the wire a frame is a JSON array whose first element is the Message Type Number
(OCPP-J Part 4 §4.1)::

    [2, "<messageId>", "<Action>", {payload}]                          CALL
    [3, "<messageId>", {payload}]                                      CALLRESULT
    [4, "<messageId>", "<errorCode>", "<errorDescription>", {details}] CALLERROR
    [5, "<messageId>", "<errorCode>", "<errorDescription>", {details}] CALLRESULTERROR (OCPP 2.1)
    [6, "<messageId>", "<Action>", {payload}]                          SEND (OCPP 2.1)

Each frame is a msgspec Struct with ``array_like=True`` and the type number as its tag, so one
encoder call writes a whole frame (payload included) without building intermediate lists, and the
codec can decode the header of any frame in one pass. The payload type is a parameter: the codec
decodes headers as ``Call[msgspec.Raw]`` / ``CallResult[msgspec.Raw]`` (payload still undecoded)
and hands the typed payload on as ``Call[BootNotificationRequest]`` and so on.

Frames are not tracked by the cyclic garbage collector (``gc=False``): one is made per message and
lives for microseconds, and never takes part in a reference cycle; untracked, it does not count
towards the allocations that trigger collections (see docs/benchmarks.md).
"""

from __future__ import annotations

from enum import IntEnum
from typing import Annotated, Any, Generic, TypeAlias, TypeVar

import msgspec

__all__ = [
    "Call",
    "CallError",
    "CallResult",
    "CallResultError",
    "Frame",
    "MAX_MESSAGE_ID_LENGTH",
    "MessageId",
    "MessageType",
    "Send",
]

MAX_MESSAGE_ID_LENGTH = 36
"""A messageId is a string of at most 36 characters (OCPP-J Part 4 §4.1.4)."""

MessageId: TypeAlias = Annotated[str, msgspec.Meta(max_length=MAX_MESSAGE_ID_LENGTH)]

P = TypeVar("P")


class MessageType(IntEnum):
    """The Message Type Number, the first element of every frame."""

    CALL = 2
    CALL_RESULT = 3
    CALL_ERROR = 4
    CALL_RESULT_ERROR = 5
    """OCPP 2.1: the receiver of a CALLRESULT could not accept it."""
    SEND = 6
    """OCPP 2.1: a message that is never answered (periodic event streams)."""


class Call(
    msgspec.Struct,
    Generic[P],
    array_like=True,
    tag=int(MessageType.CALL),
    frozen=True,
    forbid_unknown_fields=True,
    gc=False,
):
    """A request: ``[2, messageId, action, payload]``."""

    message_id: MessageId
    action: str
    payload: P


class CallResult(
    msgspec.Struct,
    Generic[P],
    array_like=True,
    tag=int(MessageType.CALL_RESULT),
    frozen=True,
    forbid_unknown_fields=True,
    gc=False,
):
    """A successful response: ``[3, messageId, payload]``."""

    message_id: MessageId
    payload: P


class CallError(
    msgspec.Struct,
    array_like=True,
    tag=int(MessageType.CALL_ERROR),
    frozen=True,
    forbid_unknown_fields=True,
    gc=False,
):
    """An error response: ``[4, messageId, errorCode, errorDescription, errorDetails]``.

    ``error_code`` stays a plain string so a code outside the twelve OCPP-J codes can still be
    received (it surfaces as :class:`~ocppwire.runtime.errors.GenericError`).
    """

    message_id: MessageId
    error_code: str
    error_description: str
    error_details: dict[str, Any]


class CallResultError(
    msgspec.Struct,
    array_like=True,
    tag=int(MessageType.CALL_RESULT_ERROR),
    frozen=True,
    forbid_unknown_fields=True,
    gc=False,
):
    """OCPP 2.1: ``[5, messageId, errorCode, errorDescription, errorDetails]``, about a CALLRESULT we sent."""

    message_id: MessageId
    error_code: str
    error_description: str
    error_details: dict[str, Any]


class Send(
    msgspec.Struct,
    Generic[P],
    array_like=True,
    tag=int(MessageType.SEND),
    frozen=True,
    forbid_unknown_fields=True,
    gc=False,
):
    """OCPP 2.1: ``[6, messageId, action, payload]``, a message that gets no answer at all."""

    message_id: MessageId
    action: str
    payload: P


Frame: TypeAlias = "Call[Any] | CallResult[Any] | CallError | CallResultError | Send[Any]"
"""Any decoded frame."""
