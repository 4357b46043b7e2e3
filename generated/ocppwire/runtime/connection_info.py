"""What is known about a connection once its handshake is done: identity, subprotocol, peer, certificate.

A module of its own because every layer above the transport reads it (the typed peers, the
handlers, the server's station table) while none of them needs the transport itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["ConnectionInfo"]


@dataclass(frozen=True)
class ConnectionInfo:
    """Facts about a connection established at handshake time."""

    identity: str
    """The Charging Station identity (last URL path segment, percent-decoded)."""
    subprotocol: str
    """The agreed OCPP-J subprotocol, e.g. ``ocpp2.0.1``."""
    remote_address: Any = None
    """The peer's socket address as reported by the OS."""
    path: str = ""
    """The request path of the handshake (server side) or the URL (client side)."""
    username: str | None = None
    """The HTTP Basic auth username the station presented (server side; equals ``identity``)."""
    certificate: dict[str, Any] | None = field(default=None, repr=False)
    """The verified TLS client certificate as decoded by :mod:`ssl` (security profile 3)."""
    certificate_der: bytes | None = field(default=None, repr=False)
    """The same certificate DER-encoded, for parsing with e.g. ``cryptography``."""
