"""The CSMS side of OCPP-J: a WebSocket server (the ``websockets`` library) for Charging Stations.

What happens to a station's connection attempt, in order:

1. **Identity** — the last path segment of the request URL, percent-decoded (OCPP-J: endpoint URL
   + ``/`` + identity). Empty, longer than 48 characters, containing ``:`` or not valid UTF-8:
   HTTP 400. With ``path_prefix`` set, any other path: HTTP 404.
2. **Authentication** — an HTTP Basic username other than the identity: HTTP 401. Otherwise the
   ``auth`` hook (if any) receives an :class:`AuthRequest` with the identity, the Basic password
   and the verified TLS client certificate, and returns ``True`` to accept or ``False`` for HTTP 401;
   it may raise :class:`HandshakeRejected` for another status (e.g. 404 for an unknown station).
3. **Subprotocol** — ``ocpp2.0.1`` is agreed when offered. A client offering no subprotocol this
   server speaks gets the handshake completed without the header and the connection closed at
   once (close code 1002), as OCPP-J prescribes.
4. **Duplicate identity** — *the new connection replaces the old one*: the old one is closed
   (close code 1008, "replaced by a new connection"), its pending calls fail and its
   ``on_disconnect`` runs before the new connection's ``on_connect``. A station that lost its
   network reconnects while the CSMS may still believe the old TCP connection is alive; refusing
   the newcomer would lock the station out until that dead connection timed out.
5. The connection is served (see :class:`~ocppwire.runtime.connection.OcppConnection`) and listed
   in :attr:`OcppServer.stations` until it closes.

Compression (permessage-deflate, required for a CSMS by OCPP-J) is on; frames larger than
``max_message_size`` close the connection (1009); pings go out every ``ping_interval`` seconds.
:meth:`OcppServer.close` shuts down gracefully: new connections get HTTP 503, no new calls are
started, calls in flight and running handlers get ``shutdown_grace`` seconds to finish, then every
connection is closed with 1001 (going away).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import http
import inspect
import logging
import weakref
from collections.abc import Awaitable, Callable, Generator, Mapping
from dataclasses import dataclass, field
from ssl import SSLContext, SSLObject
from types import MappingProxyType, TracebackType
from typing import Any, Generic, Self
from urllib.parse import unquote, urlsplit

from websockets.asyncio.server import Server, ServerConnection
from websockets.asyncio.server import serve as ws_serve
from websockets.datastructures import Headers
from websockets.extensions.permessage_deflate import ServerPerMessageDeflateFactory
from websockets.http11 import Request, Response
from websockets.typing import Subprotocol

from .connection import ConnectionInfo, ConnectionOptions, OcppConnection, SessionConfig, option_keys
from .roles import HandlerT, PeerT, RoleBinding
from .session import DEFAULT_CALL_TIMEOUT, uuid4_message_id

__all__ = [
    "AuthRequest",
    "Authenticator",
    "HandshakeRejected",
    "MAX_IDENTITY_LENGTH",
    "OcppServer",
    "ServerOptions",
    "identity_from_path",
    "serve",
]

MAX_IDENTITY_LENGTH = 48
"""A Charging Station identity has at most 48 characters (OCPP-J, connection URL)."""

REPLACED_CLOSE_CODE = 1008
NO_SUBPROTOCOL_CLOSE_CODE = 1002

log = logging.getLogger("ocppwire.server")


class HandshakeRejected(Exception):
    """Raised by an ``auth`` hook to refuse a connection with a specific HTTP status."""

    def __init__(self, status: int, text: str = "") -> None:
        super().__init__(f"HTTP {status}: {text}" if text else f"HTTP {status}")
        self.status = http.HTTPStatus(status)
        self.text = text or self.status.phrase


@dataclass(frozen=True)
class AuthRequest:
    """Everything the ``auth`` hook may base its decision on."""

    identity: str
    """The Charging Station identity from the URL."""
    password: str | None
    """The HTTP Basic password (profiles 1 and 2); ``None`` when no Basic credentials were sent."""
    certificate: dict[str, Any] | None
    """The TLS client certificate, verified against the server's CA (profile 3), as decoded by :mod:`ssl`."""
    certificate_der: bytes | None
    """The same certificate DER-encoded."""
    remote_address: Any
    """The peer's socket address."""
    path: str
    """The request path."""
    headers: Headers = field(repr=False)
    """All handshake request headers."""


Authenticator = Callable[[AuthRequest], "bool | Awaitable[bool]"]
"""Decides whether a station may connect: return (or await to) ``True`` to accept, ``False`` for 401."""


class ServerOptions(ConnectionOptions, total=False):
    """Keyword options of :func:`serve` (and of the generated ``csms.serve``)."""

    auth: Authenticator | None
    """Authentication hook; ``None`` accepts every well-formed identity."""
    ssl: SSLContext | None
    """TLS context (security profiles 2 and 3; see :mod:`ocppwire.runtime.tls`)."""
    path_prefix: str
    """Only accept URLs ``<path_prefix>/<identity>`` (e.g. ``"/ocpp"``); default: any path."""
    compression: bool | ServerPerMessageDeflateFactory
    """Offer permessage-deflate (default ``True``; OCPP-J requires it for a CSMS). ``True`` uses
    websockets' defaults (12-bit windows, memLevel 5); pass a ``ServerPerMessageDeflateFactory`` to
    tune window sizes and memory, which dominate per-connection memory with many stations."""


@dataclass(frozen=True)
class _Accepted:
    identity: str
    path: str
    username: str | None
    certificate: dict[str, Any] | None
    certificate_der: bytes | None


def identity_from_path(path: str, prefix: str | None = None) -> str:
    """The station identity in a request path; ``ValueError`` (message usable as HTTP 400 text) if invalid.

    With ``prefix``, the path must be exactly ``prefix/<identity>`` (``LookupError`` otherwise).
    """
    route = urlsplit(path).path
    head, _, segment = route.rpartition("/")
    if prefix is not None and head != prefix.rstrip("/"):
        raise LookupError(f"no OCPP endpoint at {route}")
    try:
        identity = unquote(segment, errors="strict")
    except UnicodeDecodeError:
        raise ValueError("charging station identity is not valid UTF-8") from None
    if not identity:
        raise ValueError("the URL must end with the charging station identity")
    if ":" in identity:
        raise ValueError("charging station identity must not contain ':'")
    if len(identity) > MAX_IDENTITY_LENGTH:
        raise ValueError(f"charging station identity is longer than {MAX_IDENTITY_LENGTH} characters")
    return identity


def _basic_credentials(headers: Headers) -> tuple[str, str] | None:
    """``(username, password)`` from an ``Authorization: Basic`` header; ``ValueError`` if malformed."""
    value = headers.get("Authorization")
    if value is None:
        return None
    scheme, _, token = value.strip().partition(" ")
    if scheme.lower() != "basic":
        raise ValueError("unsupported authorization scheme")
    try:
        decoded = base64.b64decode(token.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise ValueError("malformed Basic credentials") from None
    username, sep, password = decoded.partition(":")
    if not sep:
        raise ValueError("malformed Basic credentials")
    return username, password


def _peer_certificate(connection: ServerConnection) -> tuple[dict[str, Any] | None, bytes | None]:
    ssl_object = connection.transport.get_extra_info("ssl_object")
    if not isinstance(ssl_object, SSLObject):
        return None, None
    return ssl_object.getpeercert() or None, ssl_object.getpeercert(binary_form=True)


class OcppServer(Generic[PeerT, HandlerT]):
    """A running CSMS endpoint. Await it (or ``async with`` it) to start listening.

    :attr:`stations` maps the identity of every connected station to its typed client, so
    application code can call any station at any time.
    """

    def __init__(
        self,
        binding: RoleBinding[PeerT, HandlerT],
        handler: HandlerT,
        host: str | None,
        port: int,
        options: ServerOptions,
    ) -> None:
        binding.check_handler(handler)
        unknown = set(options) - option_keys(ServerOptions)
        if unknown:
            raise TypeError(f"unknown server options: {', '.join(sorted(unknown))}")
        self.binding = binding
        self.handler = handler
        self.host = host
        self._port = port
        self._options = options
        self._config = SessionConfig(
            call_timeout=options.get("call_timeout", DEFAULT_CALL_TIMEOUT),
            validate=options.get("validate", True),
            id_factory=options.get("id_factory", uuid4_message_id),
        )
        prefix = options.get("path_prefix")
        self._prefix = None if prefix is None else "/" + prefix.strip("/") if prefix.strip("/") else ""
        self._connections: dict[str, OcppConnection[PeerT, HandlerT]] = {}
        self._peers: dict[str, PeerT] = {}
        self._accepted: weakref.WeakKeyDictionary[ServerConnection, _Accepted] = weakref.WeakKeyDictionary()
        self._ws: Server | None = None
        self._closing = False
        self._closed = asyncio.Event()

    # ---- lifecycle -------------------------------------------------------------------------
    async def start(self) -> Self:
        """Start listening (idempotent)."""
        if self._ws is not None:
            return self
        options = self._options
        ping_interval = options.get("ping_interval", 30.0) or None
        compression = options.get("compression", True)
        deflate = [compression] if isinstance(compression, ServerPerMessageDeflateFactory) else None
        self._ws = await ws_serve(
            self._serve_connection,
            self.host,
            self._port,
            ssl=options.get("ssl"),
            select_subprotocol=self._select_subprotocol,
            process_request=self._process_request,
            compression="deflate" if compression is True else None,
            extensions=deflate,
            ping_interval=ping_interval,
            ping_timeout=options.get("ping_timeout", 30.0),
            max_size=options.get("max_message_size", 2**20),
            open_timeout=options.get("open_timeout", 10.0),
            close_timeout=options.get("close_timeout", 10.0),
            logger=logging.getLogger("ocppwire.server.websockets"),
        )
        sockets = self._ws.sockets
        if sockets:
            self._port = int(sockets[0].getsockname()[1])
        log.info("CSMS listening on %s (%s)", self.url, self.binding.actions.subprotocol)
        return self

    def __await__(self) -> Generator[Any, None, Self]:
        return self.start().__await__()

    async def __aenter__(self) -> Self:
        return await self.start()

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    async def close(self, grace: float | None = None) -> None:
        """Graceful shutdown (see the module docs); returns when every connection has ended."""
        if self._closing:
            await self._closed.wait()
            return
        self._closing = True
        grace = self._options.get("shutdown_grace", 10.0) if grace is None else grace
        connections = list(self._connections.values())
        if connections:
            await asyncio.wait(
                [asyncio.create_task(c.shutdown(grace, 1001, "CSMS shutting down")) for c in connections]
            )
        if self._ws is not None:
            self._ws.close()
            await self._ws.wait_closed()
        self._closed.set()
        log.info("CSMS on %s closed", self.url)

    async def wait_closed(self) -> None:
        """Wait until :meth:`close` has finished."""
        await self._closed.wait()

    async def serve_forever(self) -> None:
        """Serve until cancelled, then shut down gracefully."""
        await self.start()
        try:
            await self._closed.wait()
        finally:
            await asyncio.shield(self.close())

    # ---- state -------------------------------------------------------------------------------
    @property
    def stations(self) -> Mapping[str, PeerT]:
        """Connected stations by identity (read-only, live view)."""
        return MappingProxyType(self._peers)

    @property
    def port(self) -> int:
        """The port actually listened on once started (useful with ``port=0``)."""
        return self._port

    @property
    def url(self) -> str:
        """The endpoint URL stations connect to, without the identity."""
        scheme = "wss" if self._options.get("ssl") is not None else "ws"
        host = self.host or "0.0.0.0"
        if ":" in host:
            host = f"[{host}]"
        return f"{scheme}://{host}:{self.port}{self._prefix or ''}"

    # ---- handshake -------------------------------------------------------------------------------
    def _select_subprotocol(self, connection: ServerConnection, offered: Any) -> Subprotocol | None:
        wanted = self.binding.actions.subprotocol
        return Subprotocol(wanted) if wanted in offered else None

    async def _process_request(self, connection: ServerConnection, request: Request) -> Response | None:
        if self._closing:
            return connection.respond(http.HTTPStatus.SERVICE_UNAVAILABLE, "CSMS is shutting down\n")
        try:
            identity = identity_from_path(request.path, self._prefix)
        except LookupError as exc:
            return connection.respond(http.HTTPStatus.NOT_FOUND, f"{exc}\n")
        except ValueError as exc:
            log.info("rejected connection from %s: %s", connection.remote_address, exc)
            return connection.respond(http.HTTPStatus.BAD_REQUEST, f"{exc}\n")
        try:
            credentials = _basic_credentials(request.headers)
        except ValueError as exc:
            return self._unauthorized(connection, identity, str(exc))
        if credentials is not None and credentials[0] != identity:
            return self._unauthorized(connection, identity, "Basic auth username must be the station identity")
        certificate, certificate_der = _peer_certificate(connection)
        auth = self._options.get("auth")
        if auth is not None:
            attempt = AuthRequest(
                identity=identity,
                password=None if credentials is None else credentials[1],
                certificate=certificate,
                certificate_der=certificate_der,
                remote_address=connection.remote_address,
                path=request.path,
                headers=request.headers,
            )
            try:
                verdict = auth(attempt)
                if inspect.isawaitable(verdict):
                    verdict = await verdict
            except HandshakeRejected as exc:
                log.info("%s: rejected by auth hook: %s", identity, exc, extra={"ocpp_identity": identity})
                response = connection.respond(exc.status, f"{exc.text}\n")
                if exc.status == http.HTTPStatus.UNAUTHORIZED:
                    response.headers["WWW-Authenticate"] = 'Basic realm="OCPP", charset="UTF-8"'
                return response
            except Exception:
                log.exception("%s: auth hook failed", identity, extra={"ocpp_identity": identity})
                return connection.respond(http.HTTPStatus.INTERNAL_SERVER_ERROR, "authentication failed\n")
            if verdict is not True:
                return self._unauthorized(connection, identity, "invalid credentials")
        self._accepted[connection] = _Accepted(
            identity, request.path, None if credentials is None else credentials[0], certificate, certificate_der
        )
        return None

    @staticmethod
    def _unauthorized(connection: ServerConnection, identity: str, why: str) -> Response:
        log.info("%s: unauthorized: %s", identity, why, extra={"ocpp_identity": identity})
        response = connection.respond(http.HTTPStatus.UNAUTHORIZED, "unauthorized\n")
        response.headers["WWW-Authenticate"] = 'Basic realm="OCPP", charset="UTF-8"'
        return response

    # ---- connections ----------------------------------------------------------------------------
    async def _serve_connection(self, ws: ServerConnection) -> None:
        accepted = self._accepted.pop(ws, None)
        if accepted is None:  # cannot happen: process_request ran for every handshake
            await ws.close(1011, "internal error")
            return
        identity = accepted.identity
        if ws.subprotocol is None:
            log.info(
                "%s: no supported subprotocol offered (%s); closing",
                identity,
                ws.request.headers.get("Sec-WebSocket-Protocol", "none") if ws.request else "none",
                extra={"ocpp_identity": identity},
            )
            await ws.close(NO_SUBPROTOCOL_CLOSE_CODE, f"subprotocol {self.binding.actions.subprotocol} required")
            return
        info = ConnectionInfo(
            identity=identity,
            subprotocol=ws.subprotocol,
            remote_address=ws.remote_address,
            path=accepted.path,
            username=accepted.username,
            certificate=accepted.certificate,
            certificate_der=accepted.certificate_der,
        )
        connection = OcppConnection(ws, self.binding, self.handler, info, self._config)
        previous = self._connections.get(identity)
        self._connections[identity] = connection
        self._peers[identity] = connection.peer
        if previous is not None:
            await self._replace(previous)
        log.info("%s: connected from %s", identity, ws.remote_address, extra={"ocpp_identity": identity})
        try:
            await connection.run()
        finally:
            if self._connections.get(identity) is connection:
                del self._connections[identity]
                del self._peers[identity]
            log.info("%s: disconnected", identity, extra={"ocpp_identity": identity})

    async def _replace(self, previous: OcppConnection[PeerT, HandlerT]) -> None:
        """Close the older connection of a reconnecting identity and wait (bounded) for its cleanup."""
        identity = previous.info.identity
        log.info("%s: new connection replaces the previous one", identity, extra={"ocpp_identity": identity})
        limit = self._options.get("close_timeout", 10.0)
        await previous.close(REPLACED_CLOSE_CODE, "replaced by a new connection")
        try:
            await asyncio.wait_for(previous.finished.wait(), limit)
        except TimeoutError:
            log.warning("%s: previous connection did not finish within %g s", identity, limit)


def serve(
    binding: RoleBinding[PeerT, HandlerT],
    handler: HandlerT,
    host: str | None = "127.0.0.1",
    port: int = 9000,
    **options: Any,
) -> OcppServer[PeerT, HandlerT]:
    """A CSMS server for ``binding``'s role answering with ``handler``; await it to start listening."""
    return OcppServer(binding, handler, host, port, ServerOptions(**options))  # type: ignore[typeddict-item]
