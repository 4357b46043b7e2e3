"""What each contender does with a frame, written once so every benchmark times the same work.

- **ocppwire**: the runtime's frame codec — :meth:`Codec.decode_frame` (header, payload left raw;
  a CALL of 512 bytes or more of an action seen before is decoded whole, in one pass) then
  :meth:`Codec.decode_call` (typed, fully validated payload); outbound, the Session's send
  path: encode the typed frame, then check the encoded payload against the schema constraints.
- **peer** (``ocpp`` 2.1.0): what its ``ChargePoint`` does — ``ocpp.messages.unpack`` then the
  JSON-schema validation behind ``validate_payload``; outbound, ``serialize_as_dict`` →
  ``remove_nones`` → ``snake_to_camel_case`` → validation → ``to_json``. ``validate_payload``
  normally hops to a thread-pool executor first; the codec benchmark calls the synchronous
  validation it runs there, which leaves out the hop and so flatters the peer.
- **msgspec** / **orjson**: untyped ``decode`` / ``loads`` of the same bytes — parsing with no
  validation at all, the ceiling any validating decoder is measured against.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import msgspec
import orjson
from ocpp import charge_point as peer_cp  # type: ignore[import-untyped]
from ocpp import messages as peer_messages
from ocpp.v201 import call as peer_call  # type: ignore[import-untyped]
from ocpp.v201 import call_result as peer_call_result

from ocppwire.runtime.codec import Codec
from ocppwire.runtime.frames import Call, CallResult
from ocppwire.runtime.payload import decoder_for
from ocppwire.v201.actions import ACTIONS as REGISTRY

from .samples import Sample

__all__ = [
    "CODEC",
    "HEADER",
    "REGISTRY",
    "PEER_VERSION",
    "ours_inbound",
    "ours_outbound",
    "ours_outbound_unchecked",
    "ours_typed",
    "parse_msgspec",
    "parse_orjson",
    "peer_inbound",
    "peer_outbound",
    "peer_typed",
]

CODEC = Codec(REGISTRY)
PEER_VERSION = "2.0.1"

_parse = msgspec.json.Decoder()

HEADER: msgspec.json.Decoder[Call[msgspec.Raw] | CallResult[msgspec.Raw]] = msgspec.json.Decoder(
    Call[msgspec.Raw] | CallResult[msgspec.Raw]
)
"""The codec's header pass (payload left as raw bytes), for the outbound rows: ``Codec.decode_frame``
decodes a large CALL of a known action whole, and these rows need the payload bytes."""


# ---- inbound: bytes -> validated message -------------------------------------------------------
def ours_inbound(data: bytes) -> Any:
    """Header decode, then typed payload decode with every schema constraint checked: the one codec call the
    protocol core makes per frame (:meth:`Codec.decode_incoming`)."""
    return CODEC.decode_incoming(data)


def peer_inbound(data: bytes) -> Any:
    """``unpack`` + JSON-schema validation, as the peer's ChargePoint routes a CALL."""
    message = peer_messages.unpack(data)
    peer_messages._validate_payload(message, PEER_VERSION)
    return message


def parse_msgspec(data: bytes) -> Any:
    """Untyped msgspec decoding: dicts and lists, nothing validated."""
    return _parse.decode(data)


def parse_orjson(data: bytes) -> Any:
    """Untyped orjson decoding: dicts and lists, nothing validated."""
    return orjson.loads(data)


# ---- outbound: typed message -> bytes ----------------------------------------------------------
def ours_typed(sample: Sample, *, response: bool) -> Any:
    """The sample as an ocppwire Struct (request or response type of its action)."""
    spec = REGISTRY[sample.action]
    return decoder_for(spec.response if response else spec.request).decode(msgspec.json.encode(sample.payload))


def ours_outbound(sample: Sample, *, response: bool) -> Callable[[Any], bytes]:
    """The Session's send path for one typed payload: encode the frame, then validate what was encoded."""
    spec = REGISTRY[sample.action]
    tp = spec.response if response else spec.request
    decoder = decoder_for(tp)
    action = sample.action

    def send(payload: Any) -> bytes:
        frame = CallResult("19223201", payload) if response else Call("19223201", action, payload)
        data = CODEC.encode(frame)
        decoder.decode(HEADER.decode(data).payload)
        return data

    return send


def ours_outbound_unchecked(sample: Sample, *, response: bool) -> Callable[[Any], bytes]:
    """Encoding alone (``validate=False``): one msgspec call for the whole frame."""
    action = sample.action

    def send(payload: Any) -> bytes:
        frame = CallResult("19223201", payload) if response else Call("19223201", action, payload)
        return CODEC.encode(frame)

    return send


def peer_typed(sample: Sample, *, response: bool) -> Any:
    """The sample as the peer's dataclass (``ocpp.v201.call`` / ``call_result``), nested values as dicts."""
    module = peer_call_result if response else peer_call
    return getattr(module, sample.action)(**peer_cp.camel_to_snake_case(sample.payload))


def peer_outbound(sample: Sample, *, response: bool, validate: bool = True) -> Callable[[Any], bytes]:
    """The peer's send path, as in ``ChargePoint._handle_call`` (responses) and ``ChargePoint.call`` (requests)."""
    request = peer_messages.Call("19223201", sample.action, {})

    def send(payload: Any) -> bytes:
        if response:
            body = peer_cp.snake_to_camel_case(peer_cp.remove_nones(peer_cp.serialize_as_dict(payload)))
            message: Any = request.create_call_result(body)
        else:
            body = peer_cp.remove_nones(peer_cp.snake_to_camel_case(peer_cp.serialize_as_dict(payload)))
            message = peer_messages.Call("19223201", sample.action, body)
        if validate:
            peer_messages._validate_payload(message, PEER_VERSION)
        text: str = message.to_json()
        return text.encode()

    return send
