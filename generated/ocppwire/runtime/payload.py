"""Encode and decode OCPP payloads (the JSON objects inside frames) with cached msgspec codecs.

A msgspec decoder compiles its type once; building one per message would throw that away. The
functions here keep one decoder per payload type and one shared encoder, all wired to the
default customData registry, and are what user code and every codec built without a registry of
its own use.
"""

from __future__ import annotations

from typing import Any, TypeVar

import msgspec

from .customdata import DEFAULT_REGISTRY, enc_hook

dec_hook = DEFAULT_REGISTRY.dec_hook
"""msgspec ``dec_hook`` of the default customData registry, for code that calls msgspec itself
(``enc_hook``, from :mod:`~ocppwire.runtime.customdata`, is the matching ``enc_hook``)."""

__all__ = ["convert", "dec_hook", "decode", "decoder_for", "enc_hook", "encode", "to_builtins"]

T = TypeVar("T")

_decoders: dict[Any, msgspec.json.Decoder[Any]] = {}
_encoder = msgspec.json.Encoder(enc_hook=enc_hook)


def decoder_for(tp: type[T]) -> msgspec.json.Decoder[T]:
    """The cached JSON decoder for ``tp`` (built on first use)."""
    decoder = _decoders.get(tp)
    if decoder is None:
        decoder = _decoders[tp] = msgspec.json.Decoder(tp, dec_hook=dec_hook)
    return decoder


def decode(tp: type[T], data: bytes | str) -> T:
    """Decode and validate one JSON payload as ``tp``; raises ``msgspec.ValidationError``/``DecodeError``."""
    return decoder_for(tp).decode(data)


def encode(obj: Any) -> bytes:
    """Encode a payload (a generated Struct) to JSON bytes."""
    return _encoder.encode(obj)


def convert(obj: Any, tp: type[T]) -> T:
    """Validate already-parsed JSON builtins (dicts, lists, strings) as ``tp``."""
    return msgspec.convert(obj, tp, dec_hook=dec_hook)


def to_builtins(obj: Any) -> Any:
    """A payload as JSON-ready builtins (dicts, lists, strings, numbers)."""
    return msgspec.to_builtins(obj, enc_hook=enc_hook)
