"""Typed DataTransfer: vendors register the shape of ``data`` per (vendorId, messageId).

DataTransfer carries an untyped ``data`` value (any JSON). A vendor that agrees a format with its
peer registers msgspec types for the request and response ``data`` of a (vendorId, messageId) pair;
:class:`DataTransferRegistry` then validates and types it (the codec does so for every incoming
DataTransfer CALL), raising
``msgspec.ValidationError`` (mapped to the usual CALLERROR codes) when it does not fit. Pairs nobody
registered stay raw JSON.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

import msgspec

from .actions import ActionRegistry, ActionSpec
from .customdata import DEFAULT_REGISTRY as DEFAULT_CUSTOM_DATA
from .customdata import CustomDataRegistry, enc_hook

__all__ = [
    "DATA_TRANSFER",
    "DEFAULT_REGISTRY",
    "DataTransferAnswer",
    "DataTransferRegistry",
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
"""The action whose ``data`` the registry types (the same name in every OCPP version)."""

ReqDataT = TypeVar("ReqDataT")
ResDataT = TypeVar("ResDataT")


@dataclass(frozen=True, slots=True)
class DataTransferType(Generic[ReqDataT, ResDataT]):
    """The registered ``data`` types of one (vendorId, messageId) pair (``None``: no data expected)."""

    vendor_id: str
    message_id: str | None
    request: type[ReqDataT] | None
    response: type[ResDataT] | None


class DataTransferRegistry:
    """(vendorId, messageId) pairs and the types of their ``data``: a registry object handed to the codec.

    The codec calls :meth:`refine_request` on every incoming DataTransfer CALL it decodes (the
    registry names its action, :attr:`action`, so the codec itself knows no action by name).
    :data:`DEFAULT_REGISTRY` backs the module-level functions and every codec built without one.
    """

    action = DATA_TRANSFER

    def __init__(self, custom_data: CustomDataRegistry = DEFAULT_CUSTOM_DATA) -> None:
        self._entries: dict[tuple[str, str | None], DataTransferType[Any, Any]] = {}
        self._dec_hook = custom_data.dec_hook

    def register(
        self,
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
        self._entries[(vendor_id, message_id)] = entry
        return entry

    def unregister(self, vendor_id: str, message_id: str | None) -> None:
        """Forget a registration (mainly for tests)."""
        self._entries.pop((vendor_id, message_id), None)

    def registered(self) -> dict[tuple[str, str | None], DataTransferType[Any, Any]]:
        """A copy of the registrations."""
        return dict(self._entries)

    def lookup(self, vendor_id: str, message_id: str | None) -> DataTransferType[Any, Any] | None:
        """The registration for this pair, if any."""
        return self._entries.get((vendor_id, message_id))

    def convert(self, tp: type[ReqDataT] | None, data: Any) -> Any:
        """``data`` validated as ``tp`` (``None``: left as it is); ``msgspec.ValidationError`` naming
        the path from the DataTransfer payload root (``$.data.x``)."""
        if tp is None or data is msgspec.UNSET:
            return data
        try:
            return msgspec.convert(data, tp, dec_hook=self._dec_hook)
        except msgspec.ValidationError as exc:
            message = str(exc)
            base, sep, path = message.partition(" - at `$")
            at = f"{base} - at `$.data{path}" if sep else f"{message} - at `$.data`"
            raise msgspec.ValidationError(at) from None

    def decode_request_data(self, vendor_id: str, message_id: str | None, data: Any) -> Any:
        """The typed request ``data`` for a registered pair; raw ``data`` otherwise."""
        entry = self._entries.get((vendor_id, message_id))
        return data if entry is None else self.convert(entry.request, data)

    def decode_response_data(self, vendor_id: str, message_id: str | None, data: Any) -> Any:
        """The typed response ``data`` for a registered pair; raw ``data`` otherwise."""
        entry = self._entries.get((vendor_id, message_id))
        return data if entry is None else self.convert(entry.response, data)

    def refine_request(self, request: Any) -> Any:
        """Replace a decoded DataTransferRequest's ``data`` by its registered type (in place).

        Called by the codec for every incoming DataTransfer CALL, so handlers receive typed data; a
        registered shape that does not fit raises ``msgspec.ValidationError`` and the CALL is answered
        with the CALLERROR the policy assigns (path ``data.<field>``).
        """
        message_id = request.message_id
        entry = self._entries.get((request.vendor_id, None if message_id is msgspec.UNSET else message_id))
        if entry is not None and entry.request is not None:
            request.data = self.convert(entry.request, request.data)
        return request


DEFAULT_REGISTRY = DataTransferRegistry()
"""The registry of the module-level functions and of every codec built without one."""


def register(
    vendor_id: str,
    message_id: str | None,
    *,
    request: type[ReqDataT] | None = None,
    response: type[ResDataT] | None = None,
) -> DataTransferType[ReqDataT, ResDataT]:
    """:meth:`DataTransferRegistry.register` on :data:`DEFAULT_REGISTRY`."""
    return DEFAULT_REGISTRY.register(vendor_id, message_id, request=request, response=response)


def unregister(vendor_id: str, message_id: str | None) -> None:
    """Forget a registration of :data:`DEFAULT_REGISTRY` (mainly for tests)."""
    DEFAULT_REGISTRY.unregister(vendor_id, message_id)


def registered() -> dict[tuple[str, str | None], DataTransferType[Any, Any]]:
    """A copy of :data:`DEFAULT_REGISTRY`'s registrations."""
    return DEFAULT_REGISTRY.registered()


def lookup(vendor_id: str, message_id: str | None) -> DataTransferType[Any, Any] | None:
    """The registration for this pair in :data:`DEFAULT_REGISTRY`, if any."""
    return DEFAULT_REGISTRY.lookup(vendor_id, message_id)


def decode_request_data(vendor_id: str, message_id: str | None, data: Any) -> Any:
    """:meth:`DataTransferRegistry.decode_request_data` on :data:`DEFAULT_REGISTRY`."""
    return DEFAULT_REGISTRY.decode_request_data(vendor_id, message_id, data)


def decode_response_data(vendor_id: str, message_id: str | None, data: Any) -> Any:
    """:meth:`DataTransferRegistry.decode_response_data` on :data:`DEFAULT_REGISTRY`."""
    return DEFAULT_REGISTRY.decode_response_data(vendor_id, message_id, data)


def refine_request(request: Any) -> Any:
    """:meth:`DataTransferRegistry.refine_request` on :data:`DEFAULT_REGISTRY`."""
    return DEFAULT_REGISTRY.refine_request(request)


def encode_data(data: Any) -> Any:
    """Typed ``data`` as JSON builtins, ready to put in a DataTransfer message."""
    if data is msgspec.UNSET:
        return data
    return msgspec.to_builtins(data, enc_hook=enc_hook)


class DataTransferAnswer(Protocol):
    """What every version's DataTransferResponse has: a status and optional ``data``."""

    @property
    def status(self) -> str: ...

    @property
    def data(self) -> Any: ...


class _Caller(Protocol):
    """What :func:`call_data_transfer` needs of a peer: its action registry and a way to call."""

    @property
    def actions(self) -> ActionRegistry: ...

    @property
    def data_transfer_registry(self) -> DataTransferRegistry: ...

    async def call(self, spec: ActionSpec[Any, Any], request: Any, *, timeout: float | None = None) -> Any: ...


async def call_data_transfer(
    peer: _Caller,
    entry: DataTransferType[ReqDataT, ResDataT],
    data: ReqDataT | msgspec.UnsetType = msgspec.UNSET,
    *,
    timeout: float | None = None,
) -> tuple[DataTransferAnswer, ResDataT | msgspec.UnsetType]:
    """Send a typed DataTransfer through ``peer`` and return ``(response, typed response data)``.

    ``peer`` is a generated client (``ChargingStationClient`` or ``CsmsClient``): its registry's
    DataTransfer action is used. The response ``data`` is validated against the registered
    response type (``msgspec.ValidationError`` when the peer sent something else).
    """
    spec = peer.actions[DATA_TRANSFER]
    message_id = entry.message_id if entry.message_id is not None else msgspec.UNSET
    request = spec.request(vendor_id=entry.vendor_id, message_id=message_id, data=encode_data(data))
    response: DataTransferAnswer = await peer.call(spec, request, timeout=timeout)
    typed: Any = response.data
    if entry.response is not None and typed is not msgspec.UNSET:
        typed = peer.data_transfer_registry.convert(entry.response, typed)
    return response, typed
