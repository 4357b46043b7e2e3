"""Typed DataTransfer: vendors register the shape of ``data`` per (vendorId, messageId).

DataTransfer carries an untyped ``data`` value (any JSON). A vendor that agrees a format with its
peer registers msgspec types for the request and response ``data`` of a (vendorId, messageId) pair;
:func:`decode_request_data` / :func:`decode_response_data` then validate and type it, raising
``msgspec.ValidationError`` (mapped to the usual CALLERROR codes) when it does not fit. Pairs nobody
registered stay raw JSON.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import msgspec

from .hooks import dec_hook, enc_hook

if TYPE_CHECKING:
    from .roles import Peer

__all__ = [
    "DATA_TRANSFER",
    "DataTransferType",
    "call_data_transfer",
    "decode_request_data",
    "decode_response_data",
    "encode_data",
    "lookup",
    "refine_request",
    "register",
    "registered",
    "unregister",
]

DATA_TRANSFER = "DataTransfer"
"""The action name; the codec types the ``data`` of incoming DataTransfer requests."""

ReqDataT = TypeVar("ReqDataT")
ResDataT = TypeVar("ResDataT")


@dataclass(frozen=True, slots=True)
class DataTransferType(Generic[ReqDataT, ResDataT]):
    """The registered ``data`` types of one (vendorId, messageId) pair (``None``: no data expected)."""

    vendor_id: str
    message_id: str | None
    request: type[ReqDataT] | None
    response: type[ResDataT] | None


_registry: dict[tuple[str, str | None], DataTransferType[Any, Any]] = {}


def register(
    vendor_id: str,
    message_id: str | None,
    *,
    request: type[ReqDataT] | None = None,
    response: type[ResDataT] | None = None,
) -> DataTransferType[ReqDataT, ResDataT]:
    """Register the ``data`` types for DataTransfer messages with this vendorId and messageId.

    ``message_id=None`` registers the messages that carry no messageId.
    """
    if not isinstance(vendor_id, str) or not 0 < len(vendor_id) <= 255:
        raise ValueError("vendorId must be a string of 1 to 255 characters")
    if message_id is not None and not (isinstance(message_id, str) and len(message_id) <= 50):
        raise ValueError("messageId must be a string of at most 50 characters or None")
    entry: DataTransferType[ReqDataT, ResDataT] = DataTransferType(vendor_id, message_id, request, response)
    _registry[(vendor_id, message_id)] = entry
    return entry


def unregister(vendor_id: str, message_id: str | None) -> None:
    """Forget a registration (mainly for tests)."""
    _registry.pop((vendor_id, message_id), None)


def registered() -> dict[tuple[str, str | None], DataTransferType[Any, Any]]:
    """A copy of the registry."""
    return dict(_registry)


def lookup(vendor_id: str, message_id: str | None) -> DataTransferType[Any, Any] | None:
    """The registration for this pair, if any."""
    return _registry.get((vendor_id, message_id))


def _convert(tp: type[Any] | None, data: Any) -> Any:
    if tp is None or data is msgspec.UNSET:
        return data
    try:
        return msgspec.convert(data, tp, dec_hook=dec_hook)
    except msgspec.ValidationError as exc:
        # Report the path from the DataTransfer payload root: "... - at `$.data.x`".
        message = str(exc)
        base, sep, path = message.partition(" - at `$")
        raise msgspec.ValidationError(f"{base} - at `$.data{path}" if sep else f"{message} - at `$.data`") from None


def decode_request_data(vendor_id: str, message_id: str | None, data: Any) -> Any:
    """The typed request ``data`` for a registered pair; raw ``data`` otherwise."""
    entry = _registry.get((vendor_id, message_id))
    return data if entry is None else _convert(entry.request, data)


def decode_response_data(vendor_id: str, message_id: str | None, data: Any) -> Any:
    """The typed response ``data`` for a registered pair; raw ``data`` otherwise."""
    entry = _registry.get((vendor_id, message_id))
    return data if entry is None else _convert(entry.response, data)


def encode_data(data: Any) -> Any:
    """Typed ``data`` as JSON builtins, ready to put in a DataTransfer message."""
    if data is msgspec.UNSET:
        return data
    return msgspec.to_builtins(data, enc_hook=enc_hook)


def refine_request(request: Any) -> Any:
    """Replace a decoded DataTransferRequest's ``data`` by its registered type (in place).

    Called by the codec for every incoming DataTransfer CALL, so handlers receive typed data; a
    registered shape that does not fit raises ``msgspec.ValidationError`` and the CALL is answered
    with the CALLERROR the policy assigns (path ``data.<field>``).
    """
    entry = _registry.get((request.vendor_id, _message_id(request)))
    if entry is not None and entry.request is not None:
        request.data = _convert(entry.request, request.data)
    return request


def _message_id(request: Any) -> str | None:
    message_id = request.message_id
    return None if message_id is msgspec.UNSET else message_id


async def call_data_transfer(
    peer: Peer,
    entry: DataTransferType[ReqDataT, ResDataT],
    data: ReqDataT | msgspec.UnsetType = msgspec.UNSET,
    *,
    timeout: float | None = None,
) -> tuple[Any, ResDataT | msgspec.UnsetType]:
    """Send a typed DataTransfer through ``peer`` and return ``(response, typed response data)``.

    ``peer`` is a generated client (``ChargingStationClient`` or ``CsmsClient``): its registry's
    DataTransfer action is used. The response ``data`` is validated against the registered
    response type (``msgspec.ValidationError`` when the peer sent something else).
    """
    spec = peer.session.codec.actions[DATA_TRANSFER]
    message_id = entry.message_id if entry.message_id is not None else msgspec.UNSET
    request = spec.request(vendor_id=entry.vendor_id, message_id=message_id, data=encode_data(data))
    response = await peer.call(spec, request, timeout=timeout)
    typed: Any = response.data
    if entry.response is not None and typed is not msgspec.UNSET:
        typed = _convert(entry.response, typed)
    return response, typed
