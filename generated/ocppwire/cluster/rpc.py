"""The wire format of a CSMS->station call routed through NATS, both ends of it.

A routed call is one NATS request to the holding node (subject ``Names.call(node, identity)``):

- request headers ``Ocpp-Action`` (wire name), ``Ocpp-Version`` (subprotocol the caller's types are for),
  ``Ocpp-Timeout`` (seconds); body: the request payload as JSON (what the CALL frame will carry);
- reply header ``Ocpp-Status`` and a body that depends on it: ``ok`` (the response payload), ``callerror``
  (code, description, details), ``timeout``, ``closed``, ``busy``, ``not-connected`` (this node does not
  hold the station: presence was stale), ``invalid-request``, ``invalid-response``, ``refused``.

:func:`execute` is the holding node's side (it makes the call through the station's own session, so the
one-call-in-flight rule and every local limit apply unchanged); :func:`raise_or_return` turns a reply back
into the typed response or the same exception a local call raises.
"""

from __future__ import annotations

from typing import Any, TypeVar

import msgspec

from ..runtime import payload
from ..runtime.actions import ActionSpec
from ..runtime.errors import NotImplementedOcppError, OcppError, OcppwireError, error_for_validation, error_from_code
from ..runtime.exceptions import (
    CallTimeoutError,
    ConnectionClosedError,
    InvalidResponseError,
    QueueFullError,
    RequestValidationError,
)
from ..runtime.roles import Peer
from .errors import RoutedCallRefusedError, StationNotConnectedError

__all__ = ["Reply", "call_headers", "execute", "raise_or_return", "reply_for_error"]

ResT = TypeVar("ResT")

ACTION = "Ocpp-Action"
VERSION = "Ocpp-Version"
TIMEOUT = "Ocpp-Timeout"
STATUS = "Ocpp-Status"

OK = "ok"
CALLERROR = "callerror"
TIMED_OUT = "timeout"
CLOSED = "closed"
BUSY = "busy"
NOT_CONNECTED = "not-connected"
INVALID_REQUEST = "invalid-request"
INVALID_RESPONSE = "invalid-response"
REFUSED = "refused"

Reply = tuple[dict[str, str], bytes]
"""Headers and body of a reply."""


class _ErrorBody(msgspec.Struct):
    code: str = ""
    description: str = ""
    details: dict[str, Any] = {}
    message_id: str = ""
    timeout: float = 0.0
    sent: bool = True
    text: str = ""


_error_decoder = msgspec.json.Decoder(_ErrorBody)
_encoder = msgspec.json.Encoder()


def call_headers(spec: ActionSpec[Any, Any], subprotocol: str, timeout: float) -> dict[str, str]:
    """The request headers of a routed call."""
    return {ACTION: spec.name, VERSION: subprotocol, TIMEOUT: repr(float(timeout))}


def _status(status: str, body: _ErrorBody) -> Reply:
    return {STATUS: status}, _encoder.encode(body)


def reply_for_error(exc: BaseException) -> Reply:
    """The reply carrying ``exc`` (an exception a local call raised) to the caller."""
    if isinstance(exc, OcppError):
        return _status(CALLERROR, _ErrorBody(exc.code.value, exc.description, exc.details))
    if isinstance(exc, CallTimeoutError):
        return _status(TIMED_OUT, _ErrorBody(message_id=exc.message_id, timeout=exc.timeout, sent=exc.sent))
    if isinstance(exc, QueueFullError):
        return _status(BUSY, _ErrorBody(text=str(exc), details={"limit": exc.limit}))
    if isinstance(exc, RequestValidationError):
        err = exc.error
        return _status(INVALID_REQUEST, _ErrorBody(err.code.value, err.description, err.details))
    if isinstance(exc, InvalidResponseError):
        err = exc.error
        return _status(INVALID_RESPONSE, _ErrorBody(err.code.value, err.description, err.details, exc.message_id))
    if isinstance(exc, ConnectionClosedError):
        return _status(CLOSED, _ErrorBody(text=str(exc)))
    return _status(REFUSED, _ErrorBody(text=f"{type(exc).__name__}: {exc}"))


async def execute(peer: Peer | None, headers: dict[str, str], data: bytes) -> Reply:
    """Make the call a routed request describes on ``peer`` (the local connection) and build the reply."""
    if peer is None or not peer.connected:
        return _status(NOT_CONNECTED, _ErrorBody(text="not held by this node"))
    action = headers.get(ACTION, "")
    version = headers.get(VERSION, "")
    if version != peer.info.subprotocol:
        return _status(REFUSED, _ErrorBody(text=f"the station speaks {peer.info.subprotocol}, the caller {version}"))
    spec = peer.actions.get(action)
    if spec is None:
        return reply_for_error(NotImplementedOcppError(f"unknown action {action}"))
    try:
        timeout = float(headers.get(TIMEOUT, ""))
    except ValueError:
        timeout = 0.0
    if not timeout > 0:
        return _status(REFUSED, _ErrorBody(text="Ocpp-Timeout must be a positive number"))
    try:
        request = payload.decode(spec.request, data)
    except msgspec.ValidationError as exc:
        return reply_for_error(RequestValidationError(action, error_for_validation(exc)))
    except msgspec.DecodeError as exc:
        return _status(REFUSED, _ErrorBody(text=f"request body is not JSON: {exc}"))
    try:
        response = await peer.call(spec, request, timeout=timeout)
    except OcppwireError as exc:
        return reply_for_error(exc)
    return {STATUS: OK}, payload.encode(response)


def raise_or_return(spec: ActionSpec[Any, ResT], identity: str, headers: dict[str, str] | None, data: bytes) -> ResT:
    """The typed response a reply carries, or the exception a local call would have raised."""
    status = (headers or {}).get(STATUS, "")
    if status == OK:
        try:
            return payload.decode(spec.response, data)
        except (msgspec.ValidationError, msgspec.DecodeError) as exc:  # a node of another version, or a bug
            error: OcppError = error_for_validation(exc) if isinstance(exc, msgspec.ValidationError) else \
                NotImplementedOcppError(str(exc))
            raise InvalidResponseError(spec.name, "", error) from None
    body = _error_decoder.decode(data) if data else _ErrorBody()
    if status == CALLERROR:
        raise error_from_code(body.code, body.description, body.details)
    if status == TIMED_OUT:
        raise CallTimeoutError(spec.name, body.message_id, body.timeout, sent=body.sent)
    if status == NOT_CONNECTED:
        raise StationNotConnectedError(identity, spec.name)
    if status == CLOSED:
        raise ConnectionClosedError(f"{identity}: {body.text}")
    if status == BUSY:
        raise QueueFullError(spec.name, int(body.details.get("limit", 0)))
    if status == INVALID_REQUEST:
        raise RequestValidationError(spec.name, error_from_code(body.code, body.description, body.details))
    if status == INVALID_RESPONSE:
        raise InvalidResponseError(spec.name, body.message_id, error_from_code(body.code, body.description, body.details))
    raise RoutedCallRefusedError(f"{identity}: {spec.name} refused by the holding node: {body.text or status!r}")
