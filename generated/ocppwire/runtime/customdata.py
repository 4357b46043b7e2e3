"""customData: the open object OCPP lets vendors put at any depth of any message.

``CustomDataType`` is the one OCPP object without ``additionalProperties: false``: it has a required
``vendorId`` and may carry any further properties (OCPP-J Part 4 §9). msgspec Structs drop or refuse
unknown properties, so customData is a custom type that msgspec hands to a
:class:`CustomDataRegistry` through the ``dec_hook`` of the codec that owns the registry:

- a vendorId registered (:meth:`CustomDataRegistry.register`, or :func:`register` for the
  default registry) decodes into that vendor's msgspec Struct, validated
  like any other OCPP field;
- any other vendorId becomes a :class:`GenericCustomData` that keeps every property, so it encodes
  back to the same JSON value.

Messages without customData never reach this module, so they pay nothing for it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import msgspec

__all__ = [
    "CustomData",
    "CustomDataRegistry",
    "DEFAULT_REGISTRY",
    "GenericCustomData",
    "VENDOR_ID_MAX_LENGTH",
    "decode_custom_data",
    "enc_hook",
    "encode_custom_data",
    "register",
    "registered",
    "unregister",
]

VENDOR_ID_MAX_LENGTH = 255
"""``CustomDataType.vendorId`` maxLength in the 2.0.1 schemas."""


class CustomData:
    """Base of every customData value: the generic one and each vendor's registered Struct.

    A registered vendor type subclasses ``msgspec.Struct`` and this class and declares
    ``vendor_id: str = msgspec.field(name="vendorId")`` as its first field.
    """

    __slots__ = ()
    vendor_id: str


class GenericCustomData(CustomData):
    """customData of a vendorId nobody registered: the vendorId plus every other property as decoded."""

    __slots__ = ("vendor_id", "extra")
    __hash__ = None  # type: ignore[assignment]

    def __init__(self, vendor_id: str, extra: Mapping[str, Any] | None = None) -> None:
        self.vendor_id = vendor_id
        self.extra: dict[str, Any] = dict(extra or {})

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, GenericCustomData):
            return NotImplemented
        return self.vendor_id == other.vendor_id and self.extra == other.extra

    def __repr__(self) -> str:
        return f"GenericCustomData(vendor_id={self.vendor_id!r}, extra={self.extra!r})"

    def to_dict(self) -> dict[str, Any]:
        """The JSON object this customData encodes to."""
        return {"vendorId": self.vendor_id, **self.extra}


_C = TypeVar("_C", bound=type[CustomData])


class CustomDataRegistry:
    """Which vendorIds decode into which Struct: a registry object handed to the codec.

    A codec built with a registry types the customData of every message it decodes through that
    registry alone, so two codecs (two CSMS applications in one process, or a test) can hold
    different vendor types. :data:`DEFAULT_REGISTRY` is the one the module-level functions and
    every codec built without a registry use, so the simple API stays one decorator.
    """

    def __init__(self) -> None:
        self._types: dict[str, type[Any]] = {}
        self._decoders: dict[str, Callable[[Any], Any]] = {}

    def register(self, vendor_id: str) -> Callable[[_C], _C]:
        """Class decorator: decode customData whose vendorId is ``vendor_id`` into this Struct."""
        if not isinstance(vendor_id, str) or not 0 < len(vendor_id) <= VENDOR_ID_MAX_LENGTH:
            raise ValueError(f"vendorId must be a string of 1 to {VENDOR_ID_MAX_LENGTH} characters")

        def decorate(cls: _C) -> _C:
            if not (isinstance(cls, type) and issubclass(cls, msgspec.Struct) and issubclass(cls, CustomData)):
                raise TypeError("a registered customData type must subclass msgspec.Struct and CustomData")
            names = {f.encode_name for f in msgspec.structs.fields(cls)}
            if "vendorId" not in names:
                raise TypeError(f"{cls.__name__} must declare a field encoded as 'vendorId'")
            dec_hook = self.dec_hook
            self._types[vendor_id] = cls
            self._decoders[vendor_id] = lambda obj: msgspec.convert(obj, cls, dec_hook=dec_hook)
            return cls

        return decorate

    def unregister(self, vendor_id: str) -> None:
        """Forget a registration (mainly for tests)."""
        self._types.pop(vendor_id, None)
        self._decoders.pop(vendor_id, None)

    def registered(self) -> dict[str, type[Any]]:
        """The registered vendorIds and their types (a copy)."""
        return dict(self._types)

    def decode(self, obj: Any) -> CustomData:
        """Turn the JSON value found at a customData position into a :class:`CustomData`.

        Raises ``TypeError`` / ``ValueError`` with msgspec-style messages; msgspec wraps them in a
        ``ValidationError`` carrying the path of the customData object.
        """
        if not isinstance(obj, dict):
            raise TypeError(f"Expected `object`, got `{_json_type(obj)}`")
        vendor_id = obj.get("vendorId", msgspec.UNSET)
        if vendor_id is msgspec.UNSET:
            raise ValueError("Object missing required field `vendorId`")
        if not isinstance(vendor_id, str):
            raise TypeError(f"Expected `str`, got `{_json_type(vendor_id)}` (field `vendorId`)")
        if len(vendor_id) > VENDOR_ID_MAX_LENGTH:
            raise ValueError(f"Expected `str` of length <= {VENDOR_ID_MAX_LENGTH} (field `vendorId`)")
        decode = self._decoders.get(vendor_id)
        if decode is not None:
            try:
                result: CustomData = decode(obj)
            except msgspec.ValidationError as exc:
                # Re-raised as ValueError/TypeError so msgspec adds the customData's own path.
                raise _rewrap(exc) from None
            return result
        extra = {k: v for k, v in obj.items() if k != "vendorId"}
        return GenericCustomData(vendor_id, extra)

    def dec_hook(self, tp: type[Any], obj: Any) -> Any:
        """msgspec ``dec_hook``: build the customData values of a message through this registry."""
        if tp is CustomData:
            return self.decode(obj)
        raise NotImplementedError(f"no decoder for type {tp!r}")


DEFAULT_REGISTRY = CustomDataRegistry()
"""The registry of :func:`register` and of every codec built without one."""


def register(vendor_id: str) -> Callable[[_C], _C]:
    """Class decorator registering a vendor's customData type in :data:`DEFAULT_REGISTRY`."""
    return DEFAULT_REGISTRY.register(vendor_id)


def unregister(vendor_id: str) -> None:
    """Forget a registration of :data:`DEFAULT_REGISTRY` (mainly for tests)."""
    DEFAULT_REGISTRY.unregister(vendor_id)


def registered() -> Mapping[str, type[Any]]:
    """The vendorIds registered in :data:`DEFAULT_REGISTRY` and their types."""
    return DEFAULT_REGISTRY.registered()


def decode_custom_data(obj: Any) -> CustomData:
    """:meth:`CustomDataRegistry.decode` of :data:`DEFAULT_REGISTRY`."""
    return DEFAULT_REGISTRY.decode(obj)


def encode_custom_data(value: CustomData) -> Any:
    """The JSON-ready form of a customData value (for the codec's ``enc_hook``)."""
    if isinstance(value, GenericCustomData):
        return value.to_dict()
    if isinstance(value, msgspec.Struct):
        return msgspec.to_builtins(value, enc_hook=enc_hook)
    raise TypeError(f"cannot encode customData of type {type(value).__name__}")


def enc_hook(value: Any) -> Any:
    """msgspec ``enc_hook``: customData values as JSON-ready builtins (the same for every registry)."""
    if isinstance(value, CustomData):
        return encode_custom_data(value)
    raise NotImplementedError(f"cannot encode objects of type {type(value).__name__}")


def _rewrap(exc: msgspec.ValidationError) -> Exception:
    message = str(exc)
    base, sep, path = message.partition(" - at `$")
    if sep:
        # "Expected `int`, got `str` - at `$.x`" → "... (field `x`)", keeping the error's kind.
        inner = path.rstrip("`").lstrip(".")
        message = f"{base} (field `{inner}`)"
    kind: type[Exception] = TypeError if message.startswith("Expected `") and ", got `" in message else ValueError
    return kind(message)


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "str"
    if isinstance(value, list):
        return "array"
    return "object"
