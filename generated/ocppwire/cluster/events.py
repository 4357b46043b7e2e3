"""The optional events stream: every station->CSMS request and its answer, for backend consumers.

With ``ClusterConfig(events=True)`` a node publishes, after the handler has answered, one message per
request on ``ocppwire.<cluster>.events.<station token>.<Action>`` into the JetStream stream
``ocppwire_<cluster>_events`` (bounded by ``events_max_age`` and ``events_max_bytes``). The body is JSON:
``{"identity", "action", "ocpp", "node", "request", "response" | "error", "at"}``.

The publish is a core NATS publish that the stream captures, so the answer to the station never waits
for JetStream; order per station is kept because a node sends its publishes in order on one connection
and a station is held by one node at a time. A publish while NATS is down is lost (the answer is not).
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import msgspec
from nats.js import JetStreamContext
from nats.js.api import DiscardPolicy, RetentionPolicy, StorageType, StreamConfig
from nats.js.errors import NotFoundError

from ..runtime.actions import ActionSpec
from ..runtime.errors import OcppError
from ..runtime.payload import to_builtins
from ..runtime.roles import Peer, RoleBinding
from .nats_link import NatsLink
from .subjects import Names
from .wrapping import handler_class

__all__ = ["StationEvent", "ensure_events_stream", "publishing_handler"]

log = logging.getLogger("ocppwire.cluster")


class StationEvent(msgspec.Struct, omit_defaults=True):
    """One request a station sent and how it was answered (the body of an event message)."""

    identity: str
    action: str
    ocpp: str
    node: str
    request: Any
    at: float
    response: Any = None
    error: dict[str, Any] | None = None


_encoder = msgspec.json.Encoder()
event_decoder = msgspec.json.Decoder(StationEvent)


async def ensure_events_stream(js: JetStreamContext, names: Names, max_age: float, max_bytes: int) -> None:
    """Create the events stream unless it exists."""
    try:
        await js.stream_info(names.events_stream)
    except NotFoundError:
        await js.add_stream(
            StreamConfig(
                name=names.events_stream,
                subjects=[names.events_all],
                retention=RetentionPolicy.LIMITS,
                discard=DiscardPolicy.OLD,
                max_age=max_age,
                max_bytes=max_bytes,
                storage=StorageType.FILE,
            )
        )


def publishing_handler(binding: RoleBinding[Any, Any], handler: Any, link: NatsLink, names: Names, node: str) -> Any:
    """``handler`` wrapped so that each request it answers is also published as a :class:`StationEvent`."""
    inner = binding.implemented(type(handler))

    async def around(_self: Any, spec: ActionSpec[Any, Any], peer: Peer, request: Any) -> Any:
        event = StationEvent(peer.identity, spec.name, peer.info.subprotocol, node, to_builtins(request), time.time())
        try:
            response = await inner[spec.name](handler, peer, request)
        except OcppError as exc:
            event.error = {"code": exc.code.value, "description": exc.description, "details": exc.details}
            _publish(link, names.event(peer.identity, spec.name), event)
            raise
        event.response = to_builtins(response)
        _publish(link, names.event(peer.identity, spec.name), event)
        return response

    cls = handler_class(binding, binding.handler_type, inner, around, f"Publishing{type(handler).__name__}")
    wrapper = cls()
    # Connection hooks stay the application's own.
    wrapper.on_connect = handler.on_connect
    wrapper.on_disconnect = handler.on_disconnect
    return wrapper


def _publish(link: NatsLink, subject: str, event: StationEvent) -> None:
    if not link.connected:
        return
    try:
        # publish() only appends to the client's buffer: schedule it rather than await the flush.
        asyncio.get_running_loop().create_task(link.client.publish(subject, _encoder.encode(event)))
    except Exception:  # pragma: no cover - never let an event fail an answer
        log.exception("event not published")
