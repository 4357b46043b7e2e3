"""The interface through which a server joins something larger than itself (a cluster of CSMS nodes).

A CSMS server alone needs none of this. With ``ServerOptions(cluster=...)`` the server calls the
attachment once when it starts (before it listens) and gets back a :class:`StationObserver`, which it
then tells about every station that connects or disconnects, and finally detaches when it closes.
The observer may replace the handler (to forward requests elsewhere or publish them) and may end a
local connection through :meth:`OcppServer.drop` (when the identity connected to another node).

The runtime knows nothing of any broker: :mod:`ocppwire.cluster` implements these protocols on NATS.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from .roles import Peer

__all__ = ["ServerAttachment", "StationObserver"]


class StationObserver(Protocol):
    """Told, synchronously and in order, about each station connection of one server.

    The calls must not block: an observer that has I/O to do starts a task of its own.
    """

    def wrap_handler(self, handler: Any) -> Any:
        """The handler the server answers stations with (``handler`` itself, or a wrapper of it)."""

    def station_connected(self, peer: Peer) -> None:
        """A connection for ``peer.identity`` is open (and, if it replaced one, the old one has ended)."""

    def station_disconnected(self, peer: Peer) -> None:
        """The connection of ``peer`` has ended (``on_disconnect`` has run)."""

    async def detach(self) -> None:
        """The server has closed every connection; release what :meth:`ServerAttachment.attach` took."""


class ServerAttachment(Protocol):
    """A value for ``ServerOptions.cluster``: joins one server to a cluster when it starts."""

    async def attach(self, server: Any) -> StationObserver:
        """Connect (e.g. to the broker) and return the observer of ``server``'s stations.

        ``server`` is the :class:`~ocppwire.runtime.server.OcppServer` that starts (typed loosely here:
        the server module imports this one, not the other way round)."""
