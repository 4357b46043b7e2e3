"""Every option of a CSMS server and of a station client, with its default, in one place.

``ServerOptions`` (for :func:`ocppwire.runtime.server.serve` and the generated ``csms.serve``) and
``ClientOptions`` (for :func:`ocppwire.runtime.client.connect` and ``station.connect``) are frozen,
keyword-only dataclasses; both extend :class:`ConnectionOptions`, the options of one open connection.
A value out of range raises ``ValueError`` naming the field when the object is built, not when the
first station connects. Change one field of a copy with :func:`dataclasses.replace`.

Every limit a peer could make us exceed has a safe default; docs/runtime.md ("Limits") gives the
reason for each figure.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, fields
from ssl import SSLContext
from typing import TYPE_CHECKING, Any

from .backoff import RetryBackOff
from .connection import SessionConfig
from .deflate import DeflateSettings
from .handshake import AuthRequest, CertificateRule, certificate_names_identity
from .server_hooks import ServerAttachment
from .session import IdFactory, uuid4_message_id
from .signing import SigningConfig

if TYPE_CHECKING:
    from websockets.extensions.permessage_deflate import ServerPerMessageDeflateFactory

__all__ = ["Authenticator", "ClientOptions", "ConnectionOptions", "ServerOptions", "TRANSPORTS", "default_transport"]

TRANSPORTS = ("websockets", "picows")
"""The WebSocket implementations ocppwire runs on: ``websockets`` (pure Python, the default) and ``picows``
(Cython, ``pip install 'ocppwire[fast]'``). Same API, same handshake rules, same errors on both."""


def default_transport() -> str:
    """The transport when an options object names none: ``$OCPPWIRE_TRANSPORT`` if set (so a deployment, or a
    test run, can switch every server and client at once), else ``websockets``."""
    return os.environ.get("OCPPWIRE_TRANSPORT") or "websockets"

Authenticator = Callable[[AuthRequest], "bool | Awaitable[bool]"]
"""Decides whether a station may connect: return (or await to) ``True`` to accept, ``False`` for HTTP 401;
raise :class:`~ocppwire.runtime.handshake.HandshakeRejectedError` for another status."""


def _check(options: object, *, positive: tuple[str, ...] = (), non_negative: tuple[str, ...] = ()) -> None:
    for name in positive:
        value = getattr(options, name)
        if value is not None and not value > 0:
            raise ValueError(f"{type(options).__name__}.{name} must be positive, got {value!r}")
    for name in non_negative:
        value = getattr(options, name)
        if value is not None and not value >= 0:
            raise ValueError(f"{type(options).__name__}.{name} must not be negative, got {value!r}")


@dataclass(frozen=True, kw_only=True)
class ConnectionOptions:
    """Options of one open OCPP-J connection, the same on both sides."""

    call_timeout: float = 30.0
    """Seconds to wait for the peer's answer to one of our CALLs, queueing included."""
    validate: bool = True
    """Validate outgoing requests and handler responses against the schemas before sending."""
    id_factory: IdFactory = field(default=uuid4_message_id, repr=False)
    """Makes the messageIds of our CALLs (default: uuid4, 36 characters)."""
    ping_interval: float | None = 30.0
    """WebSocketPingInterval: seconds between WebSocket pings; 0 or ``None`` disables them."""
    ping_timeout: float | None = 30.0
    """Seconds to wait for a pong before treating the connection as lost."""
    max_message_size: int = 2**20
    """Largest frame accepted, in bytes after decompression; a larger one closes the connection (1009)."""
    read_ahead: int = 4
    """Frames the transport may read before the application takes them; beyond it, it stops reading.
    With ``max_incoming_calls`` this bounds what one connection holds: at most
    ``(read_ahead + max_incoming_calls) * max_message_size`` of frames (8 MiB with the defaults; about
    40 KiB for an ordinary station) plus the 32 KiB write buffer."""
    open_timeout: float = 10.0
    """Seconds for the whole opening handshake (TCP, TLS, HTTP upgrade)."""
    close_timeout: float = 10.0
    """Seconds to wait for the peer's closing handshake before dropping the TCP connection."""
    shutdown_grace: float = 10.0
    """Seconds ``close()`` lets calls in flight and running handlers finish."""
    max_incoming_calls: int = 4
    """Incoming CALLs whose handlers may run at once; beyond it the connection stops reading."""
    max_queued_calls: int = 100
    """Our CALLs that may wait for the call slot; one more fails at once."""
    send_timeout: float = 30.0
    """Seconds one write may wait for the peer to read; a peer that does not read is closed."""
    max_bad_frames: int = 20
    """Refused frames (CALLERRORs sent for broken CALLs, invalid answers) before the connection is closed."""
    transport: str = field(default_factory=default_transport)
    """The WebSocket implementation: ``"websockets"`` (default) or ``"picows"`` (faster, smaller connections;
    needs ``ocppwire[fast]``). See :data:`TRANSPORTS` and README "Choosing a transport"."""
    signing: SigningConfig | None = field(default=None, repr=False)
    """Signed messages (OCPP-J Part 4 §7): trusted certificates, our signing key, what to sign and require
    (see :mod:`ocppwire.runtime.signing`). ``None``: ``<Action>-Signed`` CALLs are answered NotImplemented."""

    def __post_init__(self) -> None:
        _check(
            self,
            positive=(
                "call_timeout",
                "max_message_size",
                "open_timeout",
                "close_timeout",
                "max_incoming_calls",
                "max_queued_calls",
                "send_timeout",
                "max_bad_frames",
                "read_ahead",
            ),
            non_negative=("ping_interval", "ping_timeout", "shutdown_grace"),
        )
        if self.transport not in TRANSPORTS:
            raise ValueError(
                f"{type(self).__name__}.transport must be one of {', '.join(TRANSPORTS)}, got {self.transport!r}"
            )
        if self.transport == "picows" and importlib.util.find_spec("picows") is None:
            raise ImportError(f"{type(self).__name__}.transport='picows' needs picows: pip install 'ocppwire[fast]'")

    def session_config(self) -> SessionConfig:
        """The per-connection settings the session (correlator) of each connection runs with."""
        return SessionConfig(
            call_timeout=self.call_timeout,
            validate=self.validate,
            id_factory=self.id_factory,
            max_incoming_calls=self.max_incoming_calls,
            max_queued_calls=self.max_queued_calls,
            send_timeout=self.send_timeout,
            max_bad_frames=self.max_bad_frames,
            signing=self.signing,
        )

    def websocket_settings(self) -> dict[str, Any]:
        """Keyword arguments of the websockets ``serve``/``connect`` these options decide."""
        return {
            "ping_interval": self.ping_interval or None,
            "ping_timeout": self.ping_timeout,
            "max_size": self.max_message_size,
            "max_queue": self.read_ahead,
            "open_timeout": self.open_timeout,
            "close_timeout": self.close_timeout,
        }


@dataclass(frozen=True, kw_only=True)
class ServerOptions(ConnectionOptions):
    """Options of a CSMS server: its connections' options plus authentication, TLS and admission limits."""

    auth: Authenticator | None = None
    """Authentication hook; ``None`` accepts every well-formed identity (and, with TLS, every verified certificate
    that names it)."""
    ssl: SSLContext | None = field(default=None, repr=False)
    """TLS context (security profiles 2 and 3; see :mod:`ocppwire.runtime.tls`)."""
    client_certificate_rule: CertificateRule = field(default=certificate_names_identity, repr=False)
    """Profile 3: may this verified client certificate connect as this identity? Default: its subject CN is
    the identity (OCPP 2.0.1 Part 2). A ``False`` answer refuses the handshake with HTTP 403."""
    path_prefix: str | None = None
    """Only accept URLs ``<path_prefix>/<identity>`` (e.g. ``"/ocpp"``); ``None``: any path."""
    compression: bool | DeflateSettings | ServerPerMessageDeflateFactory = True
    """Offer permessage-deflate (OCPP-J requires it of a CSMS). ``True`` uses 12-bit windows and memLevel 5 (the
    defaults of :class:`~ocppwire.runtime.deflate.DeflateSettings`); a ``DeflateSettings`` tunes window sizes,
    context takeover and memory on either transport (a websockets ``ServerPerMessageDeflateFactory`` is still
    accepted by the websockets transport)."""
    max_pending_handshakes: int = 128
    """Connections still in their TLS or HTTP handshake before new TCP connections are dropped at once."""
    max_connections: int = 10_000
    """Open connections (handshakes in progress included) before new ones get HTTP 503."""
    max_connections_per_address: int = 256
    """Open connections from one IP address before new ones from it get HTTP 429."""
    handshake_rate: float = 20.0
    """New connections per second one IP address may open (token bucket refill); beyond it HTTP 429."""
    handshake_burst: int = 256
    """New connections one IP address may open at once (token bucket size)."""
    listen_backlog: int = 2048
    """The listening socket's accept queue (the kernel caps it at ``net.core.somaxconn``)."""
    tls_handshake_timeout: float = 10.0
    """Seconds a TLS handshake may take before the TCP connection is dropped."""
    subprotocol_preference: tuple[str, ...] | None = None
    """With several OCPP versions (``serve_versions``): the subprotocols in the order the server prefers
    them, e.g. ``("ocpp2.0.1", "ocpp1.6")``; ``None`` prefers the newest version a station offers."""
    cluster: ServerAttachment | None = field(default=None, repr=False)
    """Join a cluster of CSMS nodes when the server starts (``ocppwire.cluster.ClusterConfig``, docs/cluster.md);
    ``None``: a standalone server, no broker."""

    def __post_init__(self) -> None:
        super().__post_init__()
        _check(
            self,
            positive=(
                "max_pending_handshakes",
                "max_connections",
                "max_connections_per_address",
                "handshake_rate",
                "handshake_burst",
                "listen_backlog",
                "tls_handshake_timeout",
            ),
        )
        if self.path_prefix is not None and any(c in self.path_prefix for c in "?#%"):
            raise ValueError(
                f"ServerOptions.path_prefix must be a plain path such as '/ocpp', got {self.path_prefix!r}"
            )

    @property
    def route_prefix(self) -> str | None:
        """``path_prefix`` with exactly one leading and no trailing slash (``""`` for the root), or ``None``."""
        if self.path_prefix is None:
            return None
        stripped = self.path_prefix.strip("/")
        return "/" + stripped if stripped else ""


DEFAULT_FIRST_CONNECT_ATTEMPTS = 3


@dataclass(frozen=True, kw_only=True)
class ClientOptions(ConnectionOptions):
    """Options of a station's connection to its CSMS."""

    password: str | None = field(default=None, repr=False)
    """HTTP Basic auth password (security profiles 1 and 2); the username is the identity. Never in a repr."""
    ssl: SSLContext | None = field(default=None, repr=False)
    """TLS context for ``wss://`` (profiles 2 and 3); default: system trust store, no client certificate."""
    compression: bool | DeflateSettings = True
    """Offer permessage-deflate (the CSMS decides). A ``DeflateSettings`` shapes the picows transport's offer
    (the websockets transport makes its standard offer)."""
    reconnect: bool = True
    """Reconnect after a lost connection (and retry failed attempts) with :attr:`backoff` between attempts."""
    backoff: RetryBackOff = field(default_factory=RetryBackOff)
    """Waits between attempts (OCPP RetryBackOff* variables)."""
    retry_rejected: bool = False
    """Also retry refused handshakes (HTTP 4xx, subprotocol, certificate)."""
    first_connect_attempts: int | None = DEFAULT_FIRST_CONNECT_ATTEMPTS
    """Attempts for the *first* connection before ``await connect(...)`` raises the last error; ``None`` keeps
    trying forever (a station that must wait for its CSMS). Later reconnections always retry forever."""

    def __post_init__(self) -> None:
        super().__post_init__()
        _check(self, positive=("first_connect_attempts",))


def option_names(options_type: type[ConnectionOptions]) -> list[str]:
    """The field names of an options class, in definition order (documentation and tests use it)."""
    return [f.name for f in fields(options_type)]
