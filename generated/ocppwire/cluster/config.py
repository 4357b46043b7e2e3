"""How a CSMS node or a backend process joins a cluster: one frozen value, checked when it is built.

Pass it as ``ServerOptions(cluster=ClusterConfig(...))`` to make a CSMS server a node, or to
:func:`ocppwire.cluster.connect` for a process that only calls stations. docs/cluster.md explains each
figure; the defaults suit a LAN.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from .subjects import Names

if TYPE_CHECKING:
    from ..runtime.server import OcppServer
    from ..runtime.server_hooks import StationObserver

__all__ = ["ClusterConfig"]


def _default_node_name() -> str:
    return f"{socket.gethostname().split('.')[0]}-{os.getpid()}"


@dataclass(frozen=True, kw_only=True)
class ClusterConfig:
    """The cluster to join and how this process behaves in it."""

    servers: tuple[str, ...] = field(default=("nats://127.0.0.1:4222",), repr=False)
    """NATS server URLs (any member of the NATS cluster will do; the client learns the others). A URL may carry
    ``user:password@``; it is never logged nor shown in a repr or an error (see :attr:`server_hosts`)."""
    connect_options: Mapping[str, Any] = field(default_factory=dict, repr=False)
    """Further keyword arguments for ``nats.connect`` (``tls=``, ``user_credentials=``, ``token=`` ...)."""
    name: str = "ocpp"
    """Cluster name: prefixes every subject, bucket and stream, so clusters can share a NATS system."""
    node_name: str = field(default_factory=_default_node_name)
    """Readable part of this node's id (the id adds a random suffix per start, so a restarted node is new)."""
    node_ttl: float = 10.0
    """Seconds after its last heartbeat that a node counts as gone; its presence entries are then removed
    within ``node_ttl + heartbeat_interval`` (plus the time to scan the bucket). Must exceed the longest
    stall of a node's event loop (a connect storm on a saturated machine can stall it for seconds): a node
    taken for gone loses its entries until its next beat rewrites them."""
    call_grace: float = 2.0
    """Seconds a routed call waits beyond the call's own timeout for the holding node's answer (broker latency)."""
    probe_interval: float = 1.0
    """While a routed call waits, the caller checks this often that the holding node is still subscribed; a node
    that has gone (killed with the call in flight) fails the call with ``ConnectionClosedError`` then."""
    forward_timeout: float = 10.0
    """Seconds a node waits for a handler worker's answer to a forwarded station request."""
    max_routed_calls: int = 1000
    """Routed calls a node serves at once; one more is answered "busy" (the caller gets ``QueueFullError``)."""
    events: bool = False
    """Publish every station->CSMS request and its answer to the JetStream stream ``events_stream``."""
    events_max_age: float = 24 * 3600.0
    """Seconds the events stream keeps an event."""
    events_max_bytes: int = 1 << 30
    """Bytes the events stream may hold (oldest events are dropped first)."""
    connect_timeout: float = 5.0
    """Seconds for the first connection to NATS."""
    reconnect_wait: float = 0.5
    """Seconds between attempts to reconnect to NATS (forever) after the connection is lost."""

    def __post_init__(self) -> None:
        Names(self.name)  # validates the name
        if not self.servers:
            raise ValueError("ClusterConfig.servers must name at least one NATS server")
        for key in ("node_ttl", "call_grace", "probe_interval", "forward_timeout", "max_routed_calls", "events_max_age",
                    "events_max_bytes", "connect_timeout", "reconnect_wait"):
            if not getattr(self, key) > 0:
                raise ValueError(f"ClusterConfig.{key} must be positive, got {getattr(self, key)!r}")

    @property
    def server_hosts(self) -> str:
        """The NATS servers without credentials, for messages and logs."""
        return ", ".join(urlsplit(url)._replace(netloc=urlsplit(url).netloc.rpartition("@")[2]).geturl() for url in self.servers)

    @property
    def names(self) -> Names:
        """The subjects, buckets and stream of this cluster."""
        return Names(self.name)

    @property
    def heartbeat_interval(self) -> float:
        """Seconds between a node's heartbeats (a third of ``node_ttl``: two may be lost in a row)."""
        return self.node_ttl / 3

    async def attach(self, server: OcppServer[Any, Any]) -> StationObserver:
        """Join ``server`` to the cluster (called by the server as it starts; see ServerOptions.cluster)."""
        from .node import ClusterNode

        return await ClusterNode.start(self, server)
