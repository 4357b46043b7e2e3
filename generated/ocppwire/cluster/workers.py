"""Handlers where you want them: forward station requests to stateless handler workers.

A node started with ``forwarding_handler(csms.BINDING)`` as its handler answers nothing itself: each
request a station sends becomes a NATS request on ``ocppwire.<cluster>.handle.<Action>``, which the
:class:`HandlerWorker` processes of the cluster share through one queue group (each request goes to
exactly one worker). A worker runs the ordinary typed handler (``MyCsms()``), whose ``station`` argument
is the routed client of that station, so it can call the station back. Connection holding and
business logic then scale separately. Connect and disconnect reach the workers' ``on_connect`` /
``on_disconnect`` the same way (one worker each).

What the station gets back: the handler's response, the CALLERROR of an ``OcppError`` it raised,
``InternalError`` if it failed otherwise, and ``InternalError`` when no worker is running or none
answered within ``forward_timeout``. Workers keep no per-connection state (``peer.state`` is fresh on
every request): what must outlive a request belongs in the application's store.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Generic, Self

import msgspec
import nats.errors
from nats.aio.msg import Msg
from nats.aio.subscription import Subscription

from ..runtime.actions import ActionSpec
from ..runtime.errors import InternalError, OcppError, error_for_validation
from ..runtime.logsafe import escape
from ..runtime.payload import decode, encode
from ..runtime.roles import HandlerT, Peer, RoleBinding
from . import rpc
from .cluster import Cluster
from .config import ClusterConfig
from .errors import ClusterUnavailableError
from .nats_link import NatsLink
from .presence import Presence
from .subjects import Names
from .wrapping import handler_class

__all__ = ["ForwardingHandler", "HandlerWorker", "forwarding_handler"]

log = logging.getLogger("ocppwire.cluster")

IDENTITY = "Ocpp-Identity"
EVENT = "Ocpp-Event"


class ForwardingHandler:
    """Mixin of the handler classes :func:`forwarding_handler` builds; bound to NATS by the node."""

    _link: NatsLink | None = None
    _names: Names | None = None
    _timeout: float = 10.0

    def bind(self, link: NatsLink, names: Names, timeout: float) -> None:
        """Called by the node when it attaches: where to forward to."""
        self._link, self._names, self._timeout = link, names, timeout

    async def forward(self, spec: ActionSpec[Any, Any], peer: Peer, request: Any) -> Any:
        """Send one station request to a worker and return its typed answer (or raise its OcppError)."""
        link, names = self._link, self._names
        if link is None or names is None:
            raise InternalError("request forwarding is not bound to a cluster")
        headers = {IDENTITY: peer.identity, rpc.VERSION: peer.info.subprotocol}
        try:
            msg = await link.request(names.handle(spec.name), encode(request), headers, self._timeout)
        except nats.errors.NoRespondersError:
            raise InternalError("no handler worker is running") from None
        except nats.errors.TimeoutError:
            raise InternalError(f"no handler worker answered within {self._timeout:g} s") from None
        except ClusterUnavailableError:
            raise InternalError("the CSMS lost its message broker") from None
        return rpc.raise_or_return(spec, peer.identity, msg.headers, msg.data)

    def announce(self, peer: Peer, *, connected: bool) -> None:
        """Tell one worker that ``peer`` connected or disconnected (fire and forget)."""
        link, names = self._link, self._names
        if link is None or names is None or not link.connected:
            return
        headers = {IDENTITY: peer.identity, rpc.VERSION: peer.info.subprotocol, EVENT: "connected" if connected else "disconnected"}
        asyncio.get_running_loop().create_task(link.client.publish(names.lifecycle(peer.identity), b"", headers=headers))


def forwarding_handler(binding: RoleBinding[Any, HandlerT]) -> HandlerT:
    """A handler of ``binding``'s role that forwards every request to the cluster's handler workers."""

    async def around(self: ForwardingHandler, spec: ActionSpec[Any, Any], peer: Peer, request: Any) -> Any:
        return await self.forward(spec, peer, request)

    base = type(f"Forwarding{binding.handler_type.__name__}", (ForwardingHandler, binding.handler_type), {})
    cls = handler_class(binding, base, binding.methods, around, base.__name__)
    handler: HandlerT = cls()
    return handler


class HandlerWorker(Generic[HandlerT]):
    """Answers forwarded station requests with ``handler`` (one of the queue group's members).

    ``max_concurrent`` bounds the requests it handles at once; NATS holds the rest (up to the
    subscription's pending limit, past which the node's request times out into ``InternalError``).
    """

    def __init__(
        self, config: ClusterConfig, binding: RoleBinding[Any, HandlerT], handler: HandlerT, *, max_concurrent: int = 100
    ) -> None:
        binding.check_handler(handler)
        self.config = config
        self.binding = binding
        self.handler = handler
        self._slots = asyncio.Semaphore(max_concurrent)
        self._link: NatsLink | None = None
        self.cluster: Cluster[Any] | None = None
        self._subs: list[Subscription] = []
        self._tasks: set[asyncio.Task[None]] = set()
        self.handled = 0
        """Requests answered so far."""

    async def start(self) -> Self:
        """Connect and join the workers' queue group."""
        link = self._link = await NatsLink.connect(self.config, f"ocppwire-worker-{self.config.node_name}")
        presence = Presence(link.client.jetstream(), self.config.names, self.config.node_ttl)
        await presence.open()
        self.cluster = Cluster(self.config, self.binding, link, presence)
        names = self.config.names
        self._subs.append(await link.client.subscribe(names.handle_all, queue=names.workers_queue, cb=self._on_request))
        self._subs.append(await link.client.subscribe(names.lifecycle_all, queue=names.workers_queue, cb=self._on_lifecycle))
        return self

    async def close(self) -> None:
        """Stop taking requests, let the running ones finish, disconnect."""
        for sub in self._subs:
            try:
                await sub.unsubscribe()
            except nats.errors.Error:
                pass
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=10)
        if self._link is not None:
            await self._link.close()

    async def __aenter__(self) -> Self:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    def _peer(self, msg: Msg) -> Peer:
        assert self.cluster is not None
        identity = (msg.headers or {}).get(IDENTITY, "")
        peer: Peer = self.cluster.stations[identity]
        return peer

    async def _on_request(self, msg: Msg) -> None:
        await self._slots.acquire()
        task = asyncio.get_running_loop().create_task(self._handle(msg))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _handle(self, msg: Msg) -> None:
        try:
            action = msg.subject.rsplit(".", 1)[1]
            spec = self.binding.actions.get(action)
            if spec is None or action not in self.binding.methods:
                headers, data = rpc.reply_for_error(InternalError(f"this worker does not know {action}"))
            else:
                headers, data = await self._answer(spec, self._peer(msg), msg.data)
            if msg.reply and self._link is not None:
                await self._link.client.publish(msg.reply, data, headers=headers)
            self.handled += 1
        except (nats.errors.Error, asyncio.TimeoutError):
            pass
        finally:
            self._slots.release()

    async def _answer(self, spec: ActionSpec[Any, Any], peer: Peer, data: bytes) -> rpc.Reply:
        try:
            request = decode(spec.request, data)
            response = await self.binding.dispatcher(self.handler, peer)(spec, request)
        except OcppError as exc:
            return rpc.reply_for_error(exc)
        except msgspec.ValidationError as exc:
            return rpc.reply_for_error(error_for_validation(exc))
        except Exception:
            log.exception("%s: handler for %s failed", escape(peer.identity), spec.name)
            return rpc.reply_for_error(InternalError("the handler failed"))
        return {rpc.STATUS: rpc.OK}, encode(response)

    async def _on_lifecycle(self, msg: Msg) -> None:
        peer = self._peer(msg)
        event = (msg.headers or {}).get(EVENT)
        try:
            if event == "connected":
                await self.handler.on_connect(peer)
            elif event == "disconnected":
                await self.handler.on_disconnect(peer)
        except Exception:
            log.exception("%s: %s hook failed", escape(peer.identity), event)
