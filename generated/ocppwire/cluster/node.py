"""A CSMS server as a node of the cluster: presence, routed calls, takeover and the heartbeat.

:class:`ClusterNode` is what ``ServerOptions(cluster=ClusterConfig(...))`` attaches to a server. Per
station connection it keeps a :class:`_Held` record and

- **presence**: writes the station's entry when it connects and deletes it (conditionally) when the
  connection ends; rewrites every entry after NATS comes back;
- **takeover**: watches the presence bucket; when an entry for a station it holds is written by another
  connection *after* its own entry (a higher revision), it drops its connection (close 1008) — the
  newest connection wins cluster-wide, as on one server;
- **routed calls**: answers the requests on ``ocppwire.<cluster>.call.<node id>.*`` by making the call on
  the local connection (:func:`.rpc.execute`), at most ``max_routed_calls`` at once;
- **heartbeat**: writes its beat every ``heartbeat_interval``, and removes the presence entries of
  nodes whose beat expired (SIGKILLed nodes).
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

import nats.errors
import nats.js.errors
from nats.aio.msg import Msg
from nats.aio.subscription import Subscription
from nats.js.kv import KeyValue

from ..runtime.exceptions import QueueFullError
from ..runtime.logsafe import escape
from ..runtime.roles import Peer
from ..runtime.server import OcppServer
from . import rpc
from .cluster import Cluster
from .config import ClusterConfig
from .events import ensure_events_stream, publishing_handler
from .nats_link import NatsLink
from .presence import NodeBeat, Presence, PresenceEntry, _entry_decoder
from .subjects import identity_of
from .workers import ForwardingHandler

__all__ = ["ClusterNode"]

log = logging.getLogger("ocppwire.cluster")

_TAKEOVER_REASON = "replaced by a new connection on another node"


@dataclass(eq=False)
class _Held:
    """One local station connection, as presence knows it."""

    peer: Peer
    connection: str
    since: float
    revision: int | None = None
    """Revision of our presence entry once written."""
    foreign: int = 0
    """Highest revision of another connection's entry seen before ours was written."""
    claim: asyncio.Task[None] | None = field(default=None, repr=False)


class ClusterNode:
    """One CSMS server's membership of the cluster (a :class:`~ocppwire.runtime.server_hooks.StationObserver`)."""

    def __init__(self, config: ClusterConfig, server: OcppServer[Any, Any], link: NatsLink, presence: Presence) -> None:
        self.config = config
        self.server = server
        self.link = link
        self.presence = presence
        self.names = config.names
        self.node_id = f"{config.node_name}-{secrets.token_hex(4)}"
        """This node's id: its name plus a random suffix, new at every start."""
        self.cluster: Cluster[Any] = Cluster(
            config, server.binding, link, presence, call_timeout=server.options.call_timeout, local=self._local_peer
        )
        """Calls to any station of the cluster (``node.cluster.stations["CS001"]``)."""
        self._held: dict[str, _Held] = {}
        self._counter = itertools.count(1)
        self._tasks: set[asyncio.Task[Any]] = set()
        self._calls = 0
        self._sub: Subscription | None = None
        self._watcher: KeyValue.KeyWatcher | None = None
        self._watch_task: asyncio.Task[None] | None = None
        self._beat_task: asyncio.Task[None] | None = None
        self._started = time.time()
        self._closing = False
        self._forwarding: ForwardingHandler | None = None

    @classmethod
    async def start(cls, config: ClusterConfig, server: OcppServer[Any, Any]) -> ClusterNode:
        """Connect to NATS, open presence, write the first heartbeat and subscribe (before the server listens)."""
        link = await NatsLink.connect(config, f"ocppwire-node-{config.node_name}")
        try:
            presence = Presence(link.client.jetstream(), config.names, config.node_ttl)
            await presence.open()
            node = cls(config, server, link, presence)
            await node._begin()
        except BaseException:
            await link.close()
            raise
        return node

    async def _begin(self) -> None:
        if self.config.events:
            await ensure_events_stream(
                self.link.client.jetstream(), self.names, self.config.events_max_age, self.config.events_max_bytes
            )
        await self._beat()
        self._sub = await self.link.client.subscribe(self.names.calls_of(self.node_id), cb=self._on_call)
        self._ping = await self.link.client.subscribe(self.names.ping(self.node_id), cb=self._on_ping)
        await self._watch()
        self.link.on_reconnect.append(self._rebuild)
        self._beat_task = asyncio.create_task(self._beat_loop(), name=f"ocppwire-cluster-beat-{self.node_id}")
        log.info("cluster %s: node %s joined", self.names.cluster, self.node_id)

    # ---- StationObserver -------------------------------------------------------------------
    def wrap_handler(self, handler: Any) -> Any:
        binding = self.server.binding
        if isinstance(handler, ForwardingHandler):
            handler.bind(self.link, self.names, self.config.forward_timeout)
            self._forwarding = handler
        if self.config.events:
            return publishing_handler(binding, handler, self.link, self.names, self.node_id)
        return handler

    def station_connected(self, peer: Peer) -> None:
        identity = peer.identity
        held = _Held(peer, f"{self.node_id}/{next(self._counter)}", time.time())
        self._held[identity] = held
        self.cluster.router.forget(identity)
        held.claim = self._spawn(self._claim(identity, held))
        if self._forwarding is not None:
            self._forwarding.announce(peer, connected=True)

    def station_disconnected(self, peer: Peer) -> None:
        identity = peer.identity
        held = self._held.get(identity)
        if held is None or held.peer is not peer:
            return
        del self._held[identity]
        self._spawn(self._release(identity, held))
        if self._forwarding is not None:
            self._forwarding.announce(peer, connected=False)

    async def detach(self) -> None:
        self._closing = True
        for task in (self._beat_task, self._watch_task):
            if task is not None:
                task.cancel()
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=5)
        try:
            if self._watcher is not None:
                await self._watcher.stop()  # type: ignore[no-untyped-call]
            if self._sub is not None:
                await self._sub.unsubscribe()
                await self._ping.unsubscribe()
            if self.link.connected:
                await self.presence.leave(self.node_id)
        except (nats.errors.Error, nats.js.errors.Error, asyncio.TimeoutError):
            pass
        await self.link.close()
        log.info("cluster %s: node %s left", self.names.cluster, self.node_id)

    # ---- presence --------------------------------------------------------------------------
    def _spawn(self, coro: Any) -> asyncio.Task[Any]:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    def _entry(self, held: _Held) -> PresenceEntry:
        return PresenceEntry(self.node_id, held.connection, held.peer.info.subprotocol, held.since)

    async def _claim(self, identity: str, held: _Held) -> None:
        try:
            held.revision = await self.presence.claim(identity, self._entry(held))
        except (nats.errors.Error, nats.js.errors.Error, asyncio.TimeoutError) as exc:
            log.warning("%s: presence not written (%s); rewritten when NATS is back", escape(identity), exc)
            return
        if held.foreign > held.revision:
            self._take_over(identity, held)

    async def _release(self, identity: str, held: _Held) -> None:
        if held.claim is not None:
            await asyncio.wait([held.claim])
        if held.revision is None or not self.link.connected:
            return
        try:
            await self.presence.release(identity, held.revision)
        except (nats.errors.Error, nats.js.errors.Error, asyncio.TimeoutError):
            pass

    async def _rebuild(self) -> None:
        """After NATS came back: reopen the buckets, beat, rewrite every entry we hold, watch again."""
        if self._closing:
            return
        await self.presence.open()
        await self._beat()
        await self._reclaim_all()
        await self._watch()
        log.info("cluster %s: node %s rebuilt presence of %d stations", self.names.cluster, self.node_id, len(self._held))

    async def _reclaim_all(self) -> None:
        for identity, held in list(self._held.items()):
            held.foreign = 0
            try:
                held.revision = await self.presence.claim(identity, self._entry(held))
            except (nats.errors.Error, nats.js.errors.Error, asyncio.TimeoutError):
                log.warning("%s: presence not rewritten", escape(identity))

    # ---- takeover ----------------------------------------------------------------------------
    async def _watch(self) -> None:
        if self._watch_task is not None:
            self._watch_task.cancel()
        if self._watcher is not None:
            try:
                await self._watcher.stop()  # type: ignore[no-untyped-call]
            except (nats.errors.Error, nats.js.errors.Error, asyncio.TimeoutError):
                pass
        self._watcher = await self.presence.stations.watchall(ignore_deletes=True)
        self._watch_task = asyncio.create_task(self._watch_loop(self._watcher), name=f"ocppwire-cluster-watch-{self.node_id}")

    async def _watch_loop(self, watcher: KeyValue.KeyWatcher) -> None:
        async for item in watcher:
            if item is None or not item.value:
                continue
            held = self._held.get(identity_of(item.key))
            if held is None:
                continue
            try:
                entry = _entry_decoder.decode(item.value)
            except ValueError:
                continue
            if entry.connection == held.connection:
                continue
            if held.revision is None:
                held.foreign = max(held.foreign, item.revision)
            elif item.revision > held.revision:
                self._take_over(identity_of(item.key), held)

    def _take_over(self, identity: str, held: _Held) -> None:
        if self._held.get(identity) is held:
            del self._held[identity]  # the entry is no longer ours: never delete it
        log.info("%s: connected to another node; closing the connection here", escape(identity))
        self._spawn(self.server.drop(held.peer, _TAKEOVER_REASON))

    # ---- heartbeat -------------------------------------------------------------------------------
    async def _beat(self) -> None:
        await self.presence.beat(self.node_id, NodeBeat(self.config.node_name, self.server.url, self._started, len(self._held)))

    async def _beat_loop(self) -> None:
        known: set[str] | None = None
        while True:
            await asyncio.sleep(self.config.heartbeat_interval)
            if not self.link.connected:
                continue
            try:
                live = set(await self.presence.live_nodes())
                await self._beat()
                if known is not None and self.node_id not in live:
                    # Our beat expired (the event loop stalled longer than node_ttl, or NATS lost it): other
                    # nodes may have removed our entries; write them again.
                    log.warning("cluster %s: node %s was taken for gone; rewriting presence", self.names.cluster, self.node_id)
                    await self._reclaim_all()
                live.add(self.node_id)
                if known is None or known - live:
                    await self._remove_gone(live)
                known = live
            except Exception as exc:  # the loop must outlive any failure: a node that stops beating is dropped
                log.warning("cluster heartbeat failed: %s", exc)

    async def _remove_gone(self, live: set[str]) -> None:
        """Delete the entries of nodes not in ``live`` (a node alive by now is spared)."""
        stale: list[tuple[str, PresenceEntry, int]] = []
        async for identity, entry, revision in self.presence.scan():
            if entry.node not in live:
                stale.append((identity, entry, revision))
        if not stale:
            return
        live |= set(await self.presence.live_nodes())
        removed = 0
        for identity, entry, revision in stale:
            if entry.node not in live and await self.presence.release(identity, revision):
                removed += 1
        if removed:
            log.info("cluster %s: removed %d presence entries of gone nodes", self.names.cluster, removed)

    # ---- routed calls ----------------------------------------------------------------------------
    def _local_peer(self, identity: str) -> Peer | None:
        held = self._held.get(identity)
        return None if held is None else held.peer

    async def _on_call(self, msg: Msg) -> None:
        # The subscription delivers one message at a time: each call gets a task of its own.
        if self._calls >= self.config.max_routed_calls:
            headers, data = rpc.reply_for_error(QueueFullError("routed call", self.config.max_routed_calls))
            await self._respond(msg, headers, data)
            return
        self._calls += 1
        self._spawn(self._serve_call(msg))

    async def _on_ping(self, msg: Msg) -> None:
        await self._respond(msg, {}, b"")

    async def _serve_call(self, msg: Msg) -> None:
        try:
            identity = identity_of(msg.subject.rsplit(".", 1)[1])
            headers, data = await rpc.execute(self._local_peer(identity), dict(msg.headers or {}), msg.data)
            await self._respond(msg, headers, data)
        except (nats.errors.Error, asyncio.TimeoutError):
            pass  # the caller's NATS request fails or times out on its side
        finally:
            self._calls -= 1

    async def _respond(self, msg: Msg, headers: dict[str, str], data: bytes) -> None:
        if msg.reply:
            await self.link.client.publish(msg.reply, data, headers=headers)

