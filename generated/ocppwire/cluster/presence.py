"""Presence: which node holds which station, in a JetStream key-value bucket, and which nodes are alive.

Two buckets per cluster (names in :class:`~.subjects.Names`):

- ``…_presence``: station token -> :class:`PresenceEntry` (node id, connection id, OCPP subprotocol).
  A node writes the entry when a station connects and deletes it when the connection ends, *on
  condition* that the entry is still its own (the revision it wrote), so a late delete never removes the
  entry of a newer connection on another node.
- ``…_nodes``: node id -> :class:`NodeBeat`, written every ``heartbeat_interval``; the bucket's max age is
  ``node_ttl``, so the heartbeat of a node that died without a word (SIGKILL, power loss) expires.
  Every node compares the live node set on each beat; when a node has gone, its presence entries are
  removed (conditional deletes, so racing nodes are harmless).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import msgspec
import nats.errors
import nats.js.errors
from nats.js import JetStreamContext
from nats.js.api import KeyValueConfig, StorageType
from nats.js.kv import KeyValue

from .errors import ClusterUnavailableError
from .subjects import Names, identity_of, token_of

__all__ = ["NodeBeat", "Presence", "PresenceEntry"]

_SCAN_IDLE = 2.0
"""Seconds a bucket scan waits for the next entry before it takes the scan as complete."""


class PresenceEntry(msgspec.Struct, frozen=True):
    """Where one station is connected."""

    node: str
    """Id of the node holding the connection."""
    connection: str
    """Id of the connection (unique cluster-wide), so a node can tell its entry from a newer one."""
    ocpp: str
    """The OCPP-J subprotocol the station speaks (``ocpp2.0.1``)."""
    since: float
    """Unix time the connection opened."""


class NodeBeat(msgspec.Struct, frozen=True):
    """A node's heartbeat."""

    name: str
    url: str
    started: float
    stations: int


_entry_decoder = msgspec.json.Decoder(PresenceEntry)
_beat_decoder = msgspec.json.Decoder(NodeBeat)
_encoder = msgspec.json.Encoder()


class Presence:
    """The two presence buckets of one cluster, for nodes and for callers."""

    def __init__(self, js: JetStreamContext, names: Names, node_ttl: float) -> None:
        self._js = js
        self._names = names
        self._node_ttl = node_ttl
        self._stations: KeyValue | None = None
        self._nodes: KeyValue | None = None

    async def open(self) -> None:
        """Bind the buckets, creating them if this is the first process of the cluster (idempotent)."""
        self._stations = await self._bucket(KeyValueConfig(bucket=self._names.presence_bucket, history=1,
                                                           storage=StorageType.FILE, direct=True))
        self._nodes = await self._bucket(KeyValueConfig(bucket=self._names.nodes_bucket, history=1,
                                                        ttl=self._node_ttl, storage=StorageType.MEMORY, direct=True))

    async def _bucket(self, config: KeyValueConfig) -> KeyValue:
        try:
            return await self._js.key_value(config.bucket)
        except nats.js.errors.BucketNotFoundError:
            try:
                return await self._js.create_key_value(config)
            except nats.js.errors.APIError:  # created by another process meanwhile
                return await self._js.key_value(config.bucket)

    @property
    def stations(self) -> KeyValue:
        if self._stations is None:
            raise RuntimeError("Presence.open() has not run")
        return self._stations

    @property
    def nodes(self) -> KeyValue:
        if self._nodes is None:
            raise RuntimeError("Presence.open() has not run")
        return self._nodes

    # ---- stations --------------------------------------------------------------------------
    async def lookup(self, identity: str) -> PresenceEntry | None:
        """Where ``identity`` is connected, or ``None``."""
        try:
            entry = await self.stations.get(token_of(identity))
        except nats.js.errors.KeyNotFoundError:
            return None
        except nats.errors.NoRespondersError:
            raise ClusterUnavailableError("the presence bucket is not available (NATS restarted without its store?)") from None
        if not entry.value:
            return None
        return _entry_decoder.decode(entry.value)

    async def claim(self, identity: str, entry: PresenceEntry) -> int:
        """Record that ``entry.node`` holds ``identity`` now; returns the revision written."""
        return await self.stations.put(token_of(identity), _encoder.encode(entry))

    async def release(self, identity: str, revision: int) -> bool:
        """Delete ``identity``'s entry if it is still revision ``revision`` (the caller's own)."""
        try:
            await self.stations.delete(token_of(identity), last=revision)
        except (nats.js.errors.KeyWrongLastSequenceError, nats.js.errors.APIError):
            return False
        return True

    async def scan(self) -> AsyncIterator[tuple[str, PresenceEntry, int]]:
        """Every current entry: (identity, entry, revision)."""
        watcher = await self.stations.watchall(ignore_deletes=True)
        try:
            while True:
                try:
                    item = await watcher.updates(timeout=_SCAN_IDLE)  # type: ignore[no-untyped-call]
                except nats.errors.TimeoutError:
                    return
                if item is None:
                    return
                if item.value:
                    yield identity_of(item.key), _entry_decoder.decode(item.value), item.revision
                if item.delta == 0:
                    return
        finally:
            await watcher.stop()  # type: ignore[no-untyped-call]

    async def remove_nodes(self, gone: set[str]) -> int:
        """Delete the entries held by the nodes in ``gone``; returns how many were deleted."""
        removed = 0
        async for identity, entry, revision in self.scan():
            if entry.node in gone and await self.release(identity, revision):
                removed += 1
        return removed

    # ---- nodes -------------------------------------------------------------------------------
    async def beat(self, node: str, beat: NodeBeat) -> None:
        """Write ``node``'s heartbeat (it expires ``node_ttl`` seconds later unless written again)."""
        await self.nodes.put(node, _encoder.encode(beat))

    async def leave(self, node: str) -> None:
        """Remove ``node``'s heartbeat at once (a graceful shutdown)."""
        try:
            await self.nodes.purge(node)
        except nats.js.errors.APIError:
            pass

    async def live_nodes(self) -> dict[str, NodeBeat]:
        """The nodes whose heartbeat has not expired.

        One stream-info request lists the bucket's subjects (no consumer is created, so a beat every
        few seconds leaves nothing behind on the server), then one direct get per node reads its beat.
        """
        bucket = self._names.nodes_bucket
        info = await self._js.stream_info(f"KV_{bucket}", subjects_filter=">")
        prefix = f"$KV.{bucket}."
        beats: dict[str, NodeBeat] = {}
        for subject in (info.state.subjects or {}) if info.state else {}:
            key = subject[len(prefix):]
            try:
                entry = await self.nodes.get(key)
            except nats.js.errors.KeyNotFoundError:  # purged by a node that left
                continue
            if entry.value:
                beats[key] = _beat_decoder.decode(entry.value)
        return beats


def now() -> float:
    """Wall-clock time for presence records (seconds since the epoch)."""
    return time.time()


