"""The CSMS side of OCPP-J: a WebSocket server (the ``websockets`` library) for Charging Stations.

What happens to a station's connection attempt, in order (the rules themselves are the pure
functions of :mod:`ocppwire.runtime.handshake`; every option is in :class:`ServerOptions`):

0. **Admission** — the moment a TCP connection is up (with TLS: once its handshake is done, which
   ``tls_handshake_timeout`` bounds), :class:`~ocppwire.runtime.admission.AdmissionGate` counts it:
   over ``max_connections`` HTTP 503, over ``max_connections_per_address`` or the per-address
   ``handshake_rate`` HTTP 429 (both with ``Retry-After``); far over a limit the TCP connection is
   aborted without an answer. Refusals are logged at INFO, rate-limited.
1. **Identity** — the last path segment of the request URL, percent-decoded, must be an
   identifierString of 1 to 48 characters (a-z A-Z 0-9 ``*-_=+|@.``), taken exactly as sent:
   otherwise HTTP 400. With ``path_prefix`` set, any other path: HTTP 404.
2. **Authentication** — an HTTP Basic username other than the identity: HTTP 401. A verified TLS
   client certificate (profile 3) must belong to the identity (``client_certificate_rule``, by default
   its subject CN equals the identity): HTTP 403 otherwise. Then the ``auth`` hook (if any) receives an
   :class:`AuthRequest` and returns ``True`` to accept or ``False`` for HTTP 401; it may raise
   :class:`HandshakeRejectedError` for another status (e.g. 404 for an unknown station).
3. **Subprotocol** — the server's preferred subprotocol among those offered. A client offering none
   this server speaks gets the handshake completed without the header and the connection closed at
   once (close code 1002), as OCPP-J prescribes.
4. **Duplicate identity** — *the new connection replaces the old one*: the old one gets a close frame
   (1008, "replaced by a new connection") and :data:`REPLACE_GRACE` seconds, then is aborted; its
   pending calls fail and its ``on_disconnect`` runs before the new connection's ``on_connect``. A
   station that lost its network reconnects while the CSMS may still believe the old TCP connection
   is alive; refusing the newcomer would lock the station out until that dead connection timed out.
5. The connection is served (see :class:`~ocppwire.runtime.connection.OcppConnection`) and listed
   in :attr:`OcppServer.stations` until it closes.

With ``ServerOptions(cluster=...)`` the server is one node of a cluster (docs/cluster.md): it attaches
before listening, tells the cluster's :class:`~ocppwire.runtime.server_hooks.StationObserver` about every
connection that opens or ends, lets it :meth:`OcppServer.drop` a connection whose identity connected to
another node, and detaches after its last connection has closed.

Compression (permessage-deflate, required for a CSMS by OCPP-J) is on; frames larger than
``max_message_size`` close the connection (1009); pings go out every ``ping_interval`` seconds.
:meth:`OcppServer.close` shuts down gracefully: new connections get HTTP 503, no new calls are
started, calls in flight and running handlers get ``shutdown_grace`` seconds to finish, then every
connection is closed with 1001 (going away). Everything a peer sent is escaped before it is logged,
and the WebSocket library's log (logger ``ocppwire.server.websockets``) never shows credentials or
frame contents (:class:`~ocppwire.runtime.logsafe.TransportLogger`).
"""

from __future__ import annotations

import asyncio
import http
import inspect
import logging
import weakref
from collections.abc import Mapping
from dataclasses import dataclass
from ssl import SSLObject
from types import MappingProxyType
from typing import Any, Generic, Self

from websockets.asyncio.server import Server, ServerConnection
from websockets.asyncio.server import serve as ws_serve
from websockets.extensions.permessage_deflate import ServerPerMessageDeflateFactory
from websockets.http11 import Request, Response
from websockets.typing import Subprotocol

from .admission import AdmissionGate, Refusal
from .connection import ConnectionInfo, OcppConnection
from .endpoint import Endpoint
from .handshake import (
    MAX_IDENTITY_LENGTH,
    AuthRequest,
    HandshakeRejectedError,
    PeerCertificate,
    choose_subprotocol,
    identity_from_path,
    parse_basic_authorization,
)
from .logsafe import LogLimiter, TransportLogger, escape
from .options import Authenticator, ServerOptions
from .roles import HandlerT, PeerT, RoleBinding
from .server_hooks import StationObserver

__all__ = [
    "AuthRequest",
    "Authenticator",
    "HandshakeRejectedError",
    "MAX_IDENTITY_LENGTH",
    "OcppServer",
    "REPLACE_GRACE",
    "ServerOptions",
    "identity_from_path",
    "serve",
]

REPLACED_CLOSE_CODE = 1008
NO_SUBPROTOCOL_CLOSE_CODE = 1002
REPLACE_GRACE = 0.5
"""Seconds a replaced connection gets to answer its close frame before its TCP connection is aborted."""

log = logging.getLogger("ocppwire.server")


@dataclass(frozen=True)
class _Accepted:
    identity: str
    path: str
    username: str | None
    certificate: dict[str, Any] | None
    certificate_der: bytes | None


def _peer_certificate(connection: ServerConnection) -> tuple[dict[str, Any] | None, bytes | None]:
    ssl_object = connection.transport.get_extra_info("ssl_object")
    if not isinstance(ssl_object, SSLObject):
        return None, None
    return ssl_object.getpeercert() or None, ssl_object.getpeercert(binary_form=True)


def _address_of(peername: Any) -> str:
    """The IP address the per-address limits count (the whole path for a Unix socket)."""
    if isinstance(peername, tuple) and peername:
        return str(peername[0])
    return str(peername)


def _gated_connection(gate: AdmissionGate) -> type[ServerConnection]:
    """A websockets connection class that asks ``gate`` the moment its TCP (or TLS) connection is up."""

    class GatedConnection(ServerConnection):
        ocpp_address: str | None = None
        ocpp_refusal: Refusal | None = None

        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            self.ocpp_address = _address_of(transport.get_extra_info("peername"))
            self.ocpp_refusal = gate.admit(self.ocpp_address)
            super().connection_made(transport)
            if self.ocpp_refusal is not None and self.ocpp_refusal.abort:
                self.transport.abort()  # far over a limit: not even an HTTP answer

        def connection_lost(self, exc: Exception | None) -> None:
            if self.ocpp_address is not None:
                gate.release(self.ocpp_address)
                self.ocpp_address = None
            super().connection_lost(exc)

    return GatedConnection


class OcppServer(Endpoint, Generic[PeerT, HandlerT]):
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
        options: ServerOptions | None = None,
    ) -> None:
        binding.check_handler(handler)
        options = ServerOptions() if options is None else options
        if not isinstance(options, ServerOptions):
            raise TypeError(f"options must be a ServerOptions, not {type(options).__name__}")
        self.binding = binding
        self.handler = handler
        self.host = host
        self.options = options
        """The options this server runs with."""
        self._port = port
        self._config = options.session_config()
        self._prefix = options.route_prefix
        self._subprotocols = (binding.actions.subprotocol,)
        self.gate = AdmissionGate(
            max_connections=options.max_connections,
            max_per_address=options.max_connections_per_address,
            rate=options.handshake_rate,
            burst=options.handshake_burst,
        )
        """The connection limits' counters (open connections, refusals)."""
        self._refusals = LogLimiter(log, burst=20, rate=2.0, prefix="refused connections: ")
        self._connections: dict[str, OcppConnection[PeerT, HandlerT]] = {}
        self._peers: dict[str, PeerT] = {}
        self._accepted: weakref.WeakKeyDictionary[ServerConnection, _Accepted] = weakref.WeakKeyDictionary()
        self._ws: Server | None = None
        self.observer: StationObserver | None = None
        """The cluster's observer of this server's stations (``None`` unless ``options.cluster`` is set)."""
        self._closing = False
        self._closed = asyncio.Event()

    # ---- lifecycle -------------------------------------------------------------------------
    async def start(self) -> Self:
        """Start listening (idempotent)."""
        if self._ws is not None:
            return self
        options = self.options
        if options.cluster is not None and self.observer is None:
            self.observer = await options.cluster.attach(self)
            self.handler = self.observer.wrap_handler(self.handler)
            self.binding.check_handler(self.handler)
        compression = options.compression
        deflate = [compression] if isinstance(compression, ServerPerMessageDeflateFactory) else None
        tls: dict[str, Any] = {}
        if options.ssl is not None:
            tls = {"ssl": options.ssl, "ssl_handshake_timeout": options.tls_handshake_timeout}
        self._ws = await ws_serve(
            self._serve_connection,
            self.host,
            self._port,
            select_subprotocol=self._select_subprotocol,
            process_request=self._process_request,
            compression="deflate" if compression is True else None,
            extensions=deflate,
            logger=TransportLogger(logging.getLogger("ocppwire.server.websockets")),
            create_connection=_gated_connection(self.gate),
            backlog=options.listen_backlog,
            **tls,
            **options.websocket_settings(),
        )
        sockets = self._ws.sockets
        if sockets:
            self._port = int(sockets[0].getsockname()[1])
        log.info("CSMS listening on %s (%s)", self.url, ", ".join(self._subprotocols))
        return self

    async def close(self, grace: float | None = None) -> None:
        """Graceful shutdown (see the module docs); returns when every connection has ended."""
        if self._closing:
            await self._closed.wait()
            return
        self._closing = True
        grace = self.options.shutdown_grace if grace is None else grace
        connections = list(self._connections.values())
        if connections:
            await asyncio.wait(
                [asyncio.create_task(c.shutdown(grace, 1001, "CSMS shutting down")) for c in connections]
            )
        if self._ws is not None:
            self._ws.close()
            await self._ws.wait_closed()
        if self.observer is not None:
            await self.observer.detach()
        self._refusals.flush()
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
        scheme = "wss" if self.options.ssl is not None else "ws"
        host = self.host or "0.0.0.0"
        if ":" in host:
            host = f"[{host}]"
        return f"{scheme}://{host}:{self.port}{self._prefix or ''}"

    # ---- handshake -------------------------------------------------------------------------------
    def _select_subprotocol(self, connection: ServerConnection, offered: Any) -> Subprotocol | None:
        chosen = choose_subprotocol(offered, self._subprotocols)
        return None if chosen is None else Subprotocol(chosen)

    def _refuse(
        self, connection: ServerConnection, status: http.HTTPStatus, text: str, why: str, *args: object
    ) -> Response:
        self._refusals.log(logging.INFO, "%s from %s: " + why, int(status), connection.remote_address, *args)
        response = connection.respond(status, f"{text}\n")
        if status == http.HTTPStatus.UNAUTHORIZED:
            response.headers["WWW-Authenticate"] = 'Basic realm="OCPP", charset="UTF-8"'
        elif status in (http.HTTPStatus.TOO_MANY_REQUESTS, http.HTTPStatus.SERVICE_UNAVAILABLE):
            response.headers["Retry-After"] = "10"
        return response

    async def _process_request(self, connection: ServerConnection, request: Request) -> Response | None:
        refusal: Refusal | None = getattr(connection, "ocpp_refusal", None)
        if refusal is not None:
            return self._refuse(connection, refusal.status, refusal.text, "%s", refusal.text)
        if self._closing:
            return self._refuse(connection, http.HTTPStatus.SERVICE_UNAVAILABLE, "CSMS is shutting down", "shutting down")
        try:
            identity = identity_from_path(request.path, self._prefix)
        except LookupError as exc:
            return self._refuse(connection, http.HTTPStatus.NOT_FOUND, str(exc), "path %s", escape(request.path))
        except ValueError as exc:
            return self._refuse(connection, http.HTTPStatus.BAD_REQUEST, str(exc), "%s: %s", exc, escape(request.path))
        authorization = request.headers.get("Authorization")
        try:
            credentials = None if authorization is None else parse_basic_authorization(authorization)
        except ValueError as exc:
            return self._refuse(connection, http.HTTPStatus.UNAUTHORIZED, "unauthorized", "%s: %s", identity, exc)
        if credentials is not None and credentials[0] != identity:
            return self._refuse(
                connection, http.HTTPStatus.UNAUTHORIZED, "unauthorized", "%s: Basic username is not the identity", identity
            )
        certificate, certificate_der = _peer_certificate(connection)
        if certificate is not None and certificate_der is not None:
            try:
                fits = self.options.client_certificate_rule(identity, PeerCertificate(certificate, certificate_der))
            except Exception:
                log.exception("%s: client_certificate_rule failed", identity, extra={"ocpp_identity": identity})
                return connection.respond(http.HTTPStatus.INTERNAL_SERVER_ERROR, "authentication failed\n")
            if not fits:
                return self._refuse(
                    connection,
                    http.HTTPStatus.FORBIDDEN,
                    "the client certificate does not belong to this charging station",
                    "%s: client certificate names someone else",
                    identity,
                )
        auth = self.options.auth
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
            except HandshakeRejectedError as exc:
                return self._refuse(connection, exc.status, exc.text, "%s: auth hook: %s", identity, escape(exc.text))
            except Exception:
                log.exception("%s: auth hook failed", identity, extra={"ocpp_identity": identity})
                return connection.respond(http.HTTPStatus.INTERNAL_SERVER_ERROR, "authentication failed\n")
            if verdict is not True:
                return self._refuse(
                    connection, http.HTTPStatus.UNAUTHORIZED, "unauthorized", "%s: invalid credentials", identity
                )
        self._accepted[connection] = _Accepted(
            identity, request.path, None if credentials is None else credentials[0], certificate, certificate_der
        )
        return None

    # ---- connections ----------------------------------------------------------------------------
    async def _serve_connection(self, ws: ServerConnection) -> None:
        accepted = self._accepted.pop(ws, None)
        if accepted is None:  # cannot happen: process_request ran for every handshake
            await ws.close(1011, "internal error")
            return
        identity = accepted.identity
        if ws.subprotocol is None:
            offered = ws.request.headers.get("Sec-WebSocket-Protocol", "none") if ws.request else "none"
            log.info(
                "%s: no supported subprotocol offered (%s); closing",
                identity,
                escape(offered),
                extra={"ocpp_identity": identity},
            )
            await ws.close(NO_SUBPROTOCOL_CLOSE_CODE, f"subprotocol {' or '.join(self._subprotocols)} required")
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
        observer = self.observer
        if observer is not None:
            observer.station_connected(connection.peer)
        try:
            await connection.run()
        finally:
            if self._connections.get(identity) is connection:
                del self._connections[identity]
                del self._peers[identity]
            log.info("%s: disconnected", identity, extra={"ocpp_identity": identity})
            if observer is not None:
                observer.station_disconnected(connection.peer)

    async def drop(self, peer: PeerT, reason: str = "replaced by a new connection") -> None:
        """End ``peer``'s connection as a replaced one (close 1008, then abort after :data:`REPLACE_GRACE`).

        Does nothing when ``peer`` is no longer this server's current connection for its identity. The
        cluster calls it when the identity has connected to another node.
        """
        connection = self._connections.get(peer.identity)
        if connection is not None and connection.peer is peer:
            await self._replace(connection, reason)

    async def _replace(
        self, previous: OcppConnection[PeerT, HandlerT], reason: str = "replaced by a new connection"
    ) -> None:
        """End the older connection of a reconnecting identity promptly.

        It gets a close frame (1008) and :data:`REPLACE_GRACE` seconds to answer it; a holder that does
        not (the usual case: a dead TCP connection, or a peer that stopped reading) is aborted, so the
        new connection never waits ``close_timeout`` for it.
        """
        identity = previous.info.identity
        log.info("%s: new connection replaces the previous one", identity, extra={"ocpp_identity": identity})
        closing = asyncio.create_task(previous.close(REPLACED_CLOSE_CODE, reason))
        try:
            await asyncio.wait_for(asyncio.shield(previous.finished.wait()), REPLACE_GRACE)
        except TimeoutError:
            previous.ws.transport.abort()
            try:
                await asyncio.wait_for(asyncio.shield(previous.finished.wait()), self.options.close_timeout)
            except TimeoutError:
                log.warning("%s: replaced connection did not finish", identity, extra={"ocpp_identity": identity})
        finally:
            await asyncio.wait([closing])


def serve(
    binding: RoleBinding[PeerT, HandlerT],
    handler: HandlerT,
    host: str | None = "127.0.0.1",
    port: int = 9000,
    *,
    options: ServerOptions | None = None,
) -> OcppServer[PeerT, HandlerT]:
    """A CSMS server for ``binding``'s role answering with ``handler``; await it to start listening."""
    return OcppServer(binding, handler, host, port, options)
