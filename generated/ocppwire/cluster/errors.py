"""The errors a cluster adds to ocppwire's tree (everything else a routed call raises is the local one)."""

from __future__ import annotations

from ..runtime.errors import OcppwireError

__all__ = ["ClusterUnavailableError", "RoutedCallRefusedError", "StationNotConnectedError"]


class StationNotConnectedError(OcppwireError, ConnectionError):
    """No node of the cluster holds a connection of this identity, so the call was not sent.

    Raised at once (no timeout is waited for): presence has no entry for the identity, or the node it
    names has gone (NATS answered "no responders").
    """

    def __init__(self, identity: str, action: str, why: str = "no node holds a connection") -> None:
        super().__init__(f"cannot send {action} to {identity}: {why}")
        self.identity = identity
        self.action = action


class ClusterUnavailableError(OcppwireError, ConnectionError):
    """The connection to NATS is down (or went down while the call was in flight).

    A call that fails this way may or may not have reached the station: the answer was lost with the
    broker connection. Nothing is retried for the caller.
    """


class RoutedCallRefusedError(OcppwireError):
    """The holding node refused a routed call before making it (e.g. the station speaks another OCPP
    version than the caller's types, or the request was not readable). Nothing was sent to the station."""
