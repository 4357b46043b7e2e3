"""The other implementation: ``ocpp`` (PyPI, 2.1.0) charge points acting as station or CSMS.

The ``ocpp`` package's ``ChargePoint`` is role-agnostic: the same class is a station when it runs
on a client socket and a CSMS when it runs on a server socket. It takes payloads as dataclasses
with snake_case fields (``ocpp.v201.call.*`` / ``call_result.*``; nested objects may be plain
dicts), converts every dict key camelCase ↔ snake_case itself, and routes incoming CALLs to methods
decorated with ``@on(action)`` that receive the payload as snake_case keyword arguments.

:func:`answering_peer` builds such a class with one ``@on`` handler per action in a set: each
records the keyword arguments it was called with and answers with a prepared payload. A test then
compares, field by field, what each side sent with what the other received.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from typing import Any

import ocpp.v201
from ocpp.charge_point import camel_to_snake_case, remove_nones, serialize_as_dict, snake_to_camel_case
from ocpp.routing import on
from ocpp.v201 import call, call_result
from websockets.asyncio.client import connect as ws_connect
from websockets.asyncio.server import ServerConnection
from websockets.asyncio.server import serve as ws_serve
from websockets.exceptions import ConnectionClosed

SUBPROTOCOL = "ocpp2.0.1"

__all__ = [
    "PeerCsmsServer",
    "Received",
    "Tap",
    "answering_peer",
    "peer_request",
    "peer_response",
    "peer_station",
    "peer_view",
    "run_peer_csms",
    "wire_view",
]


def peer_request(action: str, wire_payload: Mapping[str, Any], module: Any = call) -> Any:
    """The ``ocpp.v201.call`` (or ``module``: ``ocpp.v16.call``...) dataclass a user of the peer writes
    for this wire payload."""
    return getattr(module, action)(**camel_to_snake_case(dict(wire_payload)))


def peer_response(action: str, wire_payload: Mapping[str, Any], module: Any = call_result) -> Any:
    """The ``ocpp.v201.call_result`` (or ``module``) dataclass for this wire payload."""
    return getattr(module, action)(**camel_to_snake_case(dict(wire_payload)))


def peer_view(wire_payload: Any) -> Any:
    """What the peer's application sees of a wire payload: every key converted to snake_case."""
    return camel_to_snake_case(wire_payload)


def wire_view(peer_payload: Any) -> Any:
    """The wire form of a peer dataclass or kwargs dict: what the peer itself would send."""
    data = serialize_as_dict(peer_payload) if dataclasses.is_dataclass(peer_payload) else dict(peer_payload)
    return snake_to_camel_case(remove_nones(data))


@dataclasses.dataclass
class Received:
    """What one ``@on`` handler of the peer was called with."""

    action: str
    kwargs: dict[str, Any]


Answer = Callable[[str], Any]
"""Returns the ``call_result`` dataclass to answer an action with (or raises to send a CALLERROR)."""


def answering_peer(actions: Iterable[str], answer: Answer, base: type[Any] = ocpp.v201.ChargePoint) -> type[Any]:
    """A ``ChargePoint`` subclass (of ``base``: the v201 one, or ``ocpp.v16``/``ocpp.v21``'s) with an
    ``@on`` handler for each action in ``actions``.

    Each handler appends a :class:`Received` to ``self.received`` and returns ``answer(action)``.
    """

    def make(action: str) -> Any:
        async def handler(self: Any, **kwargs: Any) -> Any:
            self.received.append(Received(action, kwargs))
            return answer(action)

        # ``@on`` registers the function *name* globally and the route map looks it up on the
        # instance, so the name must be the attribute name before decorating.
        handler.__name__ = handler.__qualname__ = f"on_interop_{action}"
        return on(action)(handler)

    namespace: dict[str, Any] = {f"on_interop_{a}": make(a) for a in sorted(actions)}

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        base.__init__(self, *args, **kwargs)
        self.received = []

    namespace["__init__"] = __init__
    return type("InteropPeer", (base,), namespace)


def _parsed(message: str | bytes) -> Any:
    """A frame as JSON, or the raw message when it is not JSON (fuzzed or corrupt input)."""
    try:
        return json.loads(message)
    except ValueError:
        return message


class Tap:
    """Wraps the peer's socket and keeps every frame it sends and receives, parsed.

    The peer only ever calls ``send`` and ``recv`` on its connection, so this thin proxy shows
    exactly what went over the wire — separating the peer's own encoding from ours.
    """

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.sent: list[Any] = []
        self.received: list[Any] = []

    async def send(self, message: str) -> None:
        self.sent.append(_parsed(message))
        await self.ws.send(message)

    async def recv(self) -> str | bytes:
        message = await self.ws.recv()
        self.received.append(_parsed(message))
        return message  # type: ignore[no-any-return]

    def frame(self, direction: str, message_type: int, message_id: str) -> list[Any]:
        """The one frame of this type and id sent (``"out"``) or received (``"in"``) by the peer."""
        frames = self.sent if direction == "out" else self.received
        found = [f for f in frames if isinstance(f, list) and f[:2] == [message_type, message_id]]
        assert len(found) == 1, f"{len(found)} frames of type {message_type} with id {message_id}"
        return found[0]

    def call_ids(self, direction: str, action: str) -> list[str]:
        """The messageIds of the CALLs of ``action`` sent or received by the peer, in order."""
        frames = self.sent if direction == "out" else self.received
        return [f[1] for f in frames if isinstance(f, list) and f[:1] == [2] and f[2:3] == [action]]


async def _serve_quietly(cp: ocpp.v201.ChargePoint) -> None:
    with contextlib.suppress(ConnectionClosed):
        await cp.start()


@contextlib.asynccontextmanager
async def peer_station(
    url: str,
    identity: str,
    cls: type[Any] = ocpp.v201.ChargePoint,
    subprotocol: str = SUBPROTOCOL,
    **kwargs: Any,
) -> AsyncIterator[Any]:
    """Connect a peer ``ChargePoint`` as a station to ``url``/``identity`` (offering ``subprotocol``)
    and run its receive loop."""
    async with ws_connect(f"{url}/{identity}", subprotocols=[subprotocol], proxy=None) as ws:  # type: ignore[list-item]
        cp = cls(identity, Tap(ws), **kwargs)
        task = asyncio.create_task(_serve_quietly(cp))
        try:
            yield cp
        finally:
            await ws.close()
            await asyncio.wait([task], timeout=5)
            task.cancel()


class PeerCsmsServer:
    """A CSMS built with the peer: a websockets server running one ``ChargePoint`` per station."""

    def __init__(self, cls: type[Any], subprotocol: str = SUBPROTOCOL, **cp_kwargs: Any) -> None:
        self.cls = cls
        self.subprotocol = subprotocol
        self.cp_kwargs = cp_kwargs
        self.stations: dict[str, Any] = {}
        self.connected = asyncio.Event()
        self.url = ""

    async def _handle(self, ws: ServerConnection) -> None:
        if ws.subprotocol != self.subprotocol:
            await ws.close(1002, "subprotocol required")
            return
        assert ws.request is not None
        identity = ws.request.path.rstrip("/").rsplit("/", 1)[-1]
        cp = self.cls(identity, Tap(ws), **self.cp_kwargs)
        self.stations[identity] = cp
        self.connected.set()
        await _serve_quietly(cp)

    async def station(self, identity: str, timeout: float = 5.0) -> Any:
        """The peer ``ChargePoint`` serving ``identity`` once that station has connected."""
        async with asyncio.timeout(timeout):
            while identity not in self.stations:
                self.connected.clear()
                await self.connected.wait()
        return self.stations[identity]


@contextlib.asynccontextmanager
async def run_peer_csms(
    cls: type[Any], subprotocol: str = SUBPROTOCOL, **cp_kwargs: Any
) -> AsyncIterator[PeerCsmsServer]:
    """A peer CSMS on 127.0.0.1 (ephemeral port) that agrees on ``subprotocol`` (``ocpp2.0.1``)."""
    server = PeerCsmsServer(cls, subprotocol, **cp_kwargs)
    async with ws_serve(server._handle, "127.0.0.1", 0, subprotocols=[subprotocol]) as ws_server:  # type: ignore[list-item]
        port = next(iter(ws_server.sockets)).getsockname()[1]
        server.url = f"ws://127.0.0.1:{port}/ocpp"
        yield server
