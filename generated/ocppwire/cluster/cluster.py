"""A process's handle on the cluster: typed calls to any station, presence and membership queries.

A node has one (``node.cluster``, see :func:`cluster_of`); a backend process that holds no station
connections opens one with :func:`connect`::

    async with await cluster.connect(ClusterConfig(servers=("nats://10.0.0.5:4222",)), csms.BINDING) as c:
        res = await c.stations["CS001"].reset(m.ResetRequest(type=e.ResetEnumType.IMMEDIATE))
"""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Any, Generic, Self

from ..runtime.roles import Peer, PeerT, RoleBinding
from .config import ClusterConfig
from .nats_link import NatsLink
from .presence import NodeBeat, Presence, PresenceEntry
from .routing import ClusterStations, Router

__all__ = ["Cluster", "connect"]


class Cluster(Generic[PeerT]):
    """Typed access to every station of a cluster, for one OCPP version's binding."""

    def __init__(
        self,
        config: ClusterConfig,
        binding: RoleBinding[PeerT, Any],
        link: NatsLink,
        presence: Presence,
        *,
        call_timeout: float = 30.0,
        local: Callable[[str], Peer | None] | None = None,
        owns_link: bool = False,
    ) -> None:
        self.config = config
        self.link = link
        self.presence = presence
        self.router = Router(
            link,
            presence,
            config.names,
            binding.actions,
            call_timeout=call_timeout,
            call_grace=config.call_grace,
            probe_interval=config.probe_interval,
            local=local,
        )
        self.stations: ClusterStations[PeerT] = ClusterStations(binding, self.router)
        """``stations["CS001"]``: the typed client of station CS001 wherever it is connected."""
        self._owns_link = owns_link

    async def where(self, identity: str) -> PresenceEntry | None:
        """Which node holds ``identity`` (with its OCPP version), or ``None``."""
        return await self.presence.lookup(identity)

    async def connected(self) -> dict[str, PresenceEntry]:
        """Every connected station of the cluster (a scan of the presence bucket)."""
        return {identity: entry async for identity, entry, _ in self.presence.scan()}

    async def nodes(self) -> dict[str, NodeBeat]:
        """The live nodes by id, with their last heartbeat."""
        return await self.presence.live_nodes()

    async def close(self) -> None:
        """Close the NATS connection if this handle opened it (:func:`connect`)."""
        if self._owns_link:
            await self.link.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()


async def connect(config: ClusterConfig, binding: RoleBinding[PeerT, Any], *, call_timeout: float = 30.0) -> Cluster[PeerT]:
    """Join ``config``'s cluster as a caller only (no station connections), for ``binding``'s OCPP version."""
    link = await NatsLink.connect(config, f"ocppwire-client-{config.node_name}")
    try:
        presence = Presence(link.client.jetstream(), config.names, config.node_ttl)
        await presence.open()
    except BaseException:
        await link.close()
        raise
    return Cluster(config, binding, link, presence, call_timeout=call_timeout, owns_link=True)
