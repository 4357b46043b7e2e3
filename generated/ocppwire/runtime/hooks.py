"""msgspec ``dec_hook`` / ``enc_hook`` for the custom types in OCPP bindings (customData).

Every decoder and encoder the runtime builds uses these two hooks; code that calls msgspec
directly on generated types must pass them too (or use :mod:`ocppwire.runtime.codec`).
"""

from __future__ import annotations

from typing import Any

from .customdata import CustomData, decode_custom_data, encode_custom_data

__all__ = ["dec_hook", "enc_hook"]


def dec_hook(tp: type[Any], obj: Any) -> Any:
    """Build a custom type from its decoded JSON value."""
    if tp is CustomData:
        return decode_custom_data(obj)
    raise NotImplementedError(f"no decoder for type {tp!r}")


def enc_hook(obj: Any) -> Any:
    """Turn a custom type into JSON-ready builtins."""
    if isinstance(obj, CustomData):
        return encode_custom_data(obj)
    raise NotImplementedError(f"cannot encode objects of type {type(obj).__name__}")
