"""What a caller of an OCPP action can get instead of a response, besides a CALLERROR.

A CALLERROR from the peer raises the :class:`~ocppwire.runtime.errors.OcppError` subclass of its
code. The exceptions here cover the other ways a call ends without a valid answer; each says which
call it was (action and messageId) so logs and tracebacks point at the exchange that failed.
"""

from __future__ import annotations

from .errors import OcppError, OcppwireError

__all__ = [
    "CallTimeoutError",
    "ConnectionClosedError",
    "ConnectionRejectedError",
    "InvalidResponseError",
    "QueueFullError",
    "RequestValidationError",
]


class CallTimeoutError(OcppwireError, TimeoutError):
    """A call got no answer within its timeout, which counts from the moment the call was made.

    ``sent`` tells whether the CALL reached the peer: a call that expired while it waited in the
    queue for the call slot was never sent. Either way the slot is free again.
    """

    def __init__(self, action: str, message_id: str, timeout: float, *, sent: bool = True) -> None:
        where = "got no answer" if sent else "was still queued, never sent,"
        super().__init__(f"{action} (messageId {message_id}) {where} within {timeout:g} s")
        self.action = action
        self.message_id = message_id
        self.timeout = timeout
        self.sent = sent


class ConnectionClosedError(OcppwireError, ConnectionError):
    """The connection closed (or is shutting down) before the call could be answered."""


class ConnectionRejectedError(OcppwireError, ConnectionError):
    """The CSMS refused the connection (HTTP 4xx, no agreed subprotocol, TLS verification failure).

    ``status`` is the HTTP status when the refusal was an HTTP response, else ``None``.
    """

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class InvalidResponseError(OcppwireError):
    """The peer answered a CALL with a CALLRESULT or CALLERROR that breaks the schema or the frame format.

    ``error`` describes the fault the way a CALLERROR would (code and field path); the frame itself
    was dropped and counted in the session's ``invalid_responses``.
    """

    def __init__(self, action: str, message_id: str, error: OcppError) -> None:
        super().__init__(f"invalid answer to {action} (messageId {message_id}): {error}")
        self.action = action
        self.message_id = message_id
        self.error = error


class QueueFullError(OcppwireError):
    """A call was refused at once: ``limit`` calls to this peer already wait for the call slot.

    OCPP-J allows one CALL in flight per connection, so calls queue; the queue is bounded so that an
    unresponsive peer cannot make the application pile up work without limit.
    """

    def __init__(self, action: str, limit: int) -> None:
        super().__init__(f"{action} not queued: {limit} calls already wait for this peer")
        self.action = action
        self.limit = limit


class RequestValidationError(OcppwireError, ValueError):
    """An outgoing request does not satisfy its schema, so it was not sent.

    ``error`` carries the policy code the peer would have answered with and the field path.
    """

    def __init__(self, action: str, error: OcppError) -> None:
        super().__init__(f"{action}Request is invalid: {error.description}")
        self.action = action
        self.error = error
