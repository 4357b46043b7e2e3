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
import errno
import http
import inspect
import logging
import socket
import time
import weakref
from collections.abc import Callable, Mapping, Sequence
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
from .channel import Channel
from .connection import ConnectionInfo, OcppConnection
from .deflate import DeflateSettings, deflate_settings, negotiate
from .endpoint import Endpoint
from .keepalive import KeepAlive
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
from .roles import HandlerT, Peer, PeerT, RoleBinding, RoleHandler
from .server_hooks import StationObserver
from .transport_websockets import WebsocketsChannel

__all__ = [
    "AuthRequest",
    "Authenticator",
    "HandshakeRejectedError",
    "MAX_IDENTITY_LENGTH",
    "OcppServer",
    "REPLACE_GRACE",
    "Route",
    "ServerOptions",
    "identity_from_path",
    "preference_order",
    "serve",
    "serve_versions",
]

REPLACED_CLOSE_CODE = 1008
NO_SUBPROTOCOL_CLOSE_CODE = 1002
REPLACE_GRACE = 0.5
"""Seconds a replaced connection gets to answer its close frame before its TCP connection is aborted."""

log = logging.getLogger("ocppwire.server")


@dataclass(frozen=True)
class _Accepted:
    """A handshake that passed every check: what the connection's :class:`ConnectionInfo` will hold."""

    identity: str
    path: str
    username: str | None
    certificate: dict[str, Any] | None
    certificate_der: bytes | None
    password: str | None = None


@dataclass(frozen=True)
class _Refused:
    """A handshake refused with an HTTP status (the same answer on every transport)."""

    status: http.HTTPStatus
    text: str

    @property
    def headers(self) -> dict[str, str]:
        if self.status == http.HTTPStatus.UNAUTHORIZED:
            return {"WWW-Authenticate": 'Basic realm="OCPP", charset="UTF-8"'}
        if self.status in (http.HTTPStatus.TOO_MANY_REQUESTS, http.HTTPStatus.SERVICE_UNAVAILABLE):
            return {"Retry-After": "10"}
        return {}


_AUTH_FAILED = _Refused(http.HTTPStatus.INTERNAL_SERVER_ERROR, "authentication failed")


def _peer_certificate(transport: Any) -> tuple[dict[str, Any] | None, bytes | None]:
    ssl_object = transport.get_extra_info("ssl_object")
    if not isinstance(ssl_object, SSLObject):
        return None, None
    return ssl_object.getpeercert() or None, ssl_object.getpeercert(binary_form=True)


_OUT_OF_RESOURCES = frozenset({errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM})


class _AdmittedSocket(socket.socket):
    """An accepted connection that tells the server when it is closed (the transport closes it, always)."""

    on_close: Callable[[], None] | None = None

    def close(self) -> None:
        on_close, self.on_close = self.on_close, None
        super().close()
        if on_close is not None:
            on_close()


class _ListeningSocket(socket.socket):
    """The server's listening socket: admission at ``accept()`` and a sane answer to running out of descriptors.

    *Admission* — every accepted connection is shown to ``on_accept`` before asyncio builds anything
    for it (for TLS: before the handshake and its buffers); a connection it refuses is closed at once
    and the next one is accepted.

    *Out of descriptors* — asyncio's accept loop (3.11/3.12) answers EMFILE by logging it, pausing
    the listener for a second, and then trying ``accept()`` again for the rest of its ``backlog``-long
    loop, logging and scheduling another pause each time: tens of thousands of tracebacks with a large
    backlog. Here the first failure of an episode is raised (asyncio logs it once and pauses); further
    ones in the same half second look like an empty queue (``BlockingIOError``), which ends the loop.
    """

    on_accept: Callable[[_AdmittedSocket, Any], bool] | None = None
    _failed_at = -1.0

    def accept(self) -> tuple[socket.socket, Any]:
        while True:
            try:
                fd, address = self._accept()  # type: ignore[attr-defined]
            except OSError as exc:
                if exc.errno not in _OUT_OF_RESOURCES:
                    raise
                now = time.monotonic()
                if now - self._failed_at < 0.5:
                    raise BlockingIOError(errno.EAGAIN, "accept paused: out of resources") from None
                self._failed_at = now
                raise
            conn = _AdmittedSocket(self.family, self.type, self.proto, fileno=fd)
            if self.on_accept is None or self.on_accept(conn, address):
                return conn, address
            conn.close()


def _listening_sockets(host: str | None, port: int, backlog: int) -> list[_ListeningSocket]:
    """Bind and listen like ``loop.create_server`` would: ``None`` or ``""`` is every interface (one dual-stack
    socket where the OS has them), a name is every address it resolves to (``localhost``: ::1 and 127.0.0.1),
    all on the same port (the first one's when ``port`` is 0)."""
    plain: list[socket.socket] = []
    try:
        if host is None or host == "":
            if socket.has_dualstack_ipv6():
                plain.append(
                    socket.create_server(("::", port), family=socket.AF_INET6, backlog=backlog, dualstack_ipv6=True)
                )
            else:
                plain.append(socket.create_server(("0.0.0.0", port), backlog=backlog))
        else:
            seen: set[tuple[int, str]] = set()
            for family, _, _, _, address in socket.getaddrinfo(
                host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
            ):
                ip = str(address[0])
                if (family, ip) in seen:
                    continue
                seen.add((family, ip))
                chosen = port or (plain[0].getsockname()[1] if plain else 0)
                plain.append(socket.create_server((ip, chosen), family=family, backlog=backlog))
    except BaseException:
        for sock in plain:
            sock.close()
        raise
    listening = [_ListeningSocket(fileno=sock.detach()) for sock in plain]
    for sock in listening:
        sock.setblocking(False)
    return listening


def _websockets_deflate(settings: DeflateSettings) -> ServerPerMessageDeflateFactory:
    """The websockets transport's permessage-deflate for the same :class:`DeflateSettings`."""
    return ServerPerMessageDeflateFactory(
        server_no_context_takeover=settings.server_no_context_takeover,
        client_no_context_takeover=settings.client_no_context_takeover,
        server_max_window_bits=settings.server_max_window_bits,
        client_max_window_bits=settings.client_max_window_bits,
        compress_settings={"memLevel": settings.mem_level},
    )


def _address_of(peername: Any) -> str:
    """The IP address the per-address limits count (the whole path for a Unix socket)."""
    if isinstance(peername, tuple) and peername:
        return str(peername[0])
    return str(peername)


@dataclass
class _Admitted:
    """The admission state of one accepted connection, keyed by its peer name."""

    address: str
    refusal: Refusal | None
    pending: bool = True


@dataclass(frozen=True)
class Route(Generic[PeerT, HandlerT]):
    """One OCPP version a server speaks: the role binding of that version and the handler answering it.

    ``Route(v16.csms.BINDING, MyCsms16())``; pass several to :func:`serve_versions`.
    """

    binding: RoleBinding[PeerT, HandlerT]
    handler: HandlerT


def _version_key(subprotocol: str, routes: Mapping[str, Route[Any, Any]]) -> tuple[int, ...]:
    version = routes[subprotocol].binding.actions.ocpp_version
    return tuple(int(part) if part.isdigit() else 0 for part in version.split("."))


def preference_order(routes: Mapping[str, Route[Any, Any]], preference: Sequence[str] | None) -> tuple[str, ...]:
    """The subprotocols a server offers, most preferred first: ``preference`` when given (every entry
    must have a route, and every route must be listed), else newest OCPP version first."""
    if preference is None:
        return tuple(sorted(routes, key=lambda sub: _version_key(sub, routes), reverse=True))
    if set(preference) != set(routes) or len(preference) != len(routes):
        raise ValueError(f"subprotocol_preference must list exactly {sorted(routes)}, got {list(preference)}")
    return tuple(preference)


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
        *,
        more_versions: Sequence[Route[Any, Any]] = (),
    ) -> None:
        options = ServerOptions() if options is None else options
        if not isinstance(options, ServerOptions):
            raise TypeError(f"options must be a ServerOptions, not {type(options).__name__}")
        if options.transport == "picows" and isinstance(options.compression, ServerPerMessageDeflateFactory):
            raise TypeError("transport='picows' takes compression=True, False or a DeflateSettings")
        routes: dict[str, Route[Any, Any]] = {}
        for route in (Route(binding, handler), *more_versions):
            route.binding.check_handler(route.handler)
            subprotocol = route.binding.actions.subprotocol
            if subprotocol in routes:
                raise ValueError(f"two handlers for {subprotocol}")
            routes[subprotocol] = route
        self._routes = routes
        self.binding = binding
        self.handler = handler
        self.host = host
        self.options = options
        """The options this server runs with."""
        self._port = port
        self._config = options.session_config()
        self._prefix = options.route_prefix
        self._subprotocols = preference_order(routes, options.subprotocol_preference)
        self.gate = AdmissionGate(
            max_connections=options.max_connections,
            max_per_address=options.max_connections_per_address,
            max_pending=options.max_pending_handshakes,
            rate=options.handshake_rate,
            burst=options.handshake_burst,
        )
        """The connection limits' counters (open connections, refusals)."""
        self._refusals = LogLimiter(log, burst=20, rate=2.0, prefix="refused connections: ")
        self._admitted: dict[Any, _Admitted] = {}
        self._connections: dict[str, OcppConnection[PeerT, HandlerT]] = {}
        self._peers: dict[str, PeerT] = {}
        self._accepted_requests: weakref.WeakKeyDictionary[ServerConnection, _Accepted] = weakref.WeakKeyDictionary()
        self._ws: list[Server | asyncio.Server] | None = None
        self._picows_tasks: set[asyncio.Task[None]] = set()
        self._keepalive: KeepAlive | None = None
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
            self._routes[self.binding.actions.subprotocol] = Route(self.binding, self.handler)
        tls: dict[str, Any] = {}
        if options.ssl is not None:
            tls = {"ssl": options.ssl, "ssl_handshake_timeout": options.tls_handshake_timeout}
        self._ws = []
        for listening in _listening_sockets(self.host, self._port, options.listen_backlog):
            listening.on_accept = self._on_accept
            self._port = int(listening.getsockname()[1])
            if options.transport == "picows":
                self._ws.append(await self._listen_picows(listening, tls))
            else:
                self._ws.append(await self._listen_websockets(listening, tls))
        log.info("CSMS listening on %s (%s)", self.url, ", ".join(self._subprotocols))
        return self

    async def _listen_websockets(self, listening: socket.socket, tls: dict[str, Any]) -> Server:
        options = self.options
        compression = options.compression
        if isinstance(compression, DeflateSettings):
            compression = _websockets_deflate(compression)
        deflate = [compression] if isinstance(compression, ServerPerMessageDeflateFactory) else None
        return await ws_serve(
            self._serve_websockets,
            sock=listening,
            select_subprotocol=self._select_subprotocol,
            process_request=self._process_request,
            compression="deflate" if compression is True else None,
            extensions=deflate,
            logger=TransportLogger(logging.getLogger("ocppwire.server.websockets")),
            backlog=options.listen_backlog,
            **tls,
            **options.websocket_settings(),
        )

    async def _listen_picows(self, listening: socket.socket, tls: dict[str, Any]) -> asyncio.Server:
        from . import transport_picows as picows  # the optional extra: imported only when chosen

        options = self.options
        auth = options.auth
        asynchronous = auth is not None and (
            inspect.iscoroutinefunction(auth) or inspect.iscoroutinefunction(getattr(auth, "__call__", None))
        )
        if options.ping_interval and self._keepalive is None:
            self._keepalive = KeepAlive(options.ping_interval, options.ping_timeout)
        factory = picows.server_protocol_factory(
            self._picows_upgrade,
            prepare=self._picows_prepare if asynchronous else None,
            handshake_timeout=options.open_timeout,
            max_frame_size=options.max_message_size,
            logger=picows.PicowsLogger(logging.getLogger("ocppwire.server.picows")),
        )
        loop = asyncio.get_running_loop()
        return await loop.create_server(factory, sock=listening, backlog=options.listen_backlog, **tls)

    async def _picows_prepare(self, transport: Any, path: str, headers: Any) -> _Accepted | _Refused:
        """The checks of a coroutine ``auth`` hook, run before picows answers the upgrade."""
        screened = self._screen(transport, path, headers)
        if isinstance(screened, _Accepted):
            screened = await self._authenticate(screened, transport.get_extra_info("peername"), headers)
        return screened

    def _picows_upgrade(self, transport: Any, request: Any, prepared: _Accepted | _Refused | None) -> Any:
        """picows' upgrade callback: the same rules as the websockets path, answered synchronously (or what
        :meth:`_picows_prepare` decided)."""
        from . import transport_picows as picows

        options = self.options
        path = request.path.decode("latin-1")
        headers = request.headers
        if prepared is not None:
            screened = prepared
        else:
            screened = self._screen(transport, path, headers)
            if isinstance(screened, _Accepted):
                screened = self._authenticate_now(screened, transport.get_extra_info("peername"), headers)
        if isinstance(screened, _Refused):
            return picows.refuse_upgrade(screened.status, screened.text, screened.headers)
        accepted = screened
        offered = picows.offered_values(headers, "Sec-WebSocket-Protocol")
        subprotocol = choose_subprotocol(offered, self._subprotocols)
        agreed = None
        settings = deflate_settings(options.compression)
        if settings is not None:
            agreed = negotiate(", ".join(headers.getall("Sec-WebSocket-Extensions", ())), settings)

        def on_open(channel: Channel) -> None:
            task = asyncio.get_running_loop().create_task(
                self._serve_channel(channel, accepted, ", ".join(offered) or "none"),
                name=f"ocpp-connection-{accepted.identity}",
            )
            self._picows_tasks.add(task)
            task.add_done_callback(self._picows_tasks.discard)

        channel = picows.PicowsChannel(
            subprotocol=subprotocol,
            deflate=None if agreed is None else agreed[1],
            limits=options,
            label=accepted.identity,
            on_open=on_open,
            keepalive=self._keepalive,
        )
        return picows.accept_upgrade(channel, subprotocol, None if agreed is None else agreed[0])

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
        for ws_server in self._ws or ():
            ws_server.close()
        if self._picows_tasks:  # picows connections not (or no longer) in the station table
            await asyncio.wait(list(self._picows_tasks), timeout=self.options.close_timeout + 1)
        for ws_server in self._ws or ():
            await ws_server.wait_closed()
        if self._keepalive is not None:
            self._keepalive.stop()
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

    # ---- admission (see admission.py) -------------------------------------------------------------
    def _on_accept(self, conn: _AdmittedSocket, peername: Any) -> bool:
        address = _address_of(peername)
        refusal = self.gate.admit(address)
        if refusal is not None and refusal.abort:
            self.gate.release(address, pending=True)
            self._refusals.log(logging.INFO, "dropped a connection from %s: %s", address, refusal.text)
            return False
        admitted = self._admitted[peername] = _Admitted(address, refusal)
        conn.on_close = lambda: self._on_close(peername, admitted)
        return True

    def _on_close(self, peername: Any, admitted: _Admitted) -> None:
        if self._admitted.get(peername) is admitted:
            del self._admitted[peername]
        self.gate.release(admitted.address, pending=admitted.pending)

    def _handshake_over(self, peername: Any) -> Refusal | None:
        """Mark the connection's handshake as over; the refusal decided at accept time, if any."""
        admitted = self._admitted.get(peername)
        if admitted is None:
            return None
        if admitted.pending:
            admitted.pending = False
            self.gate.handshake_done()
        return admitted.refusal

    # ---- handshake (both transports) ------------------------------------------------------------------
    def _refused(self, status: http.HTTPStatus, text: str, remote: Any, why: str, *args: object) -> _Refused:
        self._refusals.log(logging.INFO, "%s from %s: " + why, int(status), remote, *args)
        return _Refused(status, text)

    def _screen(self, transport: Any, path: str, headers: Mapping[str, str]) -> _Accepted | _Refused:
        """Every handshake rule but the ``auth`` hook: admission, shutdown, identity, Basic username,
        client certificate. Synchronous, so any transport can call it from its upgrade callback."""
        peername = transport.get_extra_info("peername")
        remote = peername
        refusal = self._handshake_over(peername)
        if refusal is not None:
            return self._refused(refusal.status, refusal.text, remote, "%s", refusal.text)
        if self._closing:
            return self._refused(http.HTTPStatus.SERVICE_UNAVAILABLE, "CSMS is shutting down", remote, "shutting down")
        try:
            identity = identity_from_path(path, self._prefix)
        except LookupError as exc:
            return self._refused(http.HTTPStatus.NOT_FOUND, str(exc), remote, "path %s", escape(path))
        except ValueError as exc:
            return self._refused(http.HTTPStatus.BAD_REQUEST, str(exc), remote, "%s: %s", exc, escape(path))
        authorization = headers.get("Authorization")
        try:
            credentials = None if authorization is None else parse_basic_authorization(authorization)
        except ValueError as exc:
            return self._refused(http.HTTPStatus.UNAUTHORIZED, "unauthorized", remote, "%s: %s", identity, exc)
        if credentials is not None and credentials[0] != identity:
            return self._refused(
                http.HTTPStatus.UNAUTHORIZED, "unauthorized", remote, "%s: Basic username is not the identity", identity
            )
        certificate, certificate_der = _peer_certificate(transport)
        if certificate is not None and certificate_der is not None:
            try:
                fits = self.options.client_certificate_rule(identity, PeerCertificate(certificate, certificate_der))
            except Exception:
                log.exception("%s: client_certificate_rule failed", identity, extra={"ocpp_identity": identity})
                return _AUTH_FAILED
            if not fits:
                return self._refused(
                    http.HTTPStatus.FORBIDDEN,
                    "the client certificate does not belong to this charging station",
                    remote,
                    "%s: client certificate names someone else",
                    identity,
                )
        return _Accepted(
            identity,
            path,
            None if credentials is None else credentials[0],
            certificate,
            certificate_der,
            None if credentials is None else credentials[1],
        )

    def _auth_request(self, accepted: _Accepted, remote: Any, headers: Any) -> AuthRequest:
        return AuthRequest(
            identity=accepted.identity,
            password=accepted.password,
            certificate=accepted.certificate,
            certificate_der=accepted.certificate_der,
            remote_address=remote,
            path=accepted.path,
            headers=headers,
        )

    def _auth_verdict(self, accepted: _Accepted, remote: Any, verdict: object) -> _Accepted | _Refused:
        if verdict is True:
            return accepted
        return self._refused(
            http.HTTPStatus.UNAUTHORIZED, "unauthorized", remote, "%s: invalid credentials", accepted.identity
        )

    def _auth_raised(self, accepted: _Accepted, remote: Any, exc: Exception) -> _Refused:
        identity = accepted.identity
        if isinstance(exc, HandshakeRejectedError):
            return self._refused(exc.status, exc.text, remote, "%s: auth hook: %s", identity, escape(exc.text))
        log.error("%s: auth hook failed", identity, exc_info=exc, extra={"ocpp_identity": identity})
        return _AUTH_FAILED

    async def _authenticate(self, accepted: _Accepted, remote: Any, headers: Any) -> _Accepted | _Refused:
        """The ``auth`` hook, which may be a coroutine (websockets transport)."""
        auth = self.options.auth
        if auth is None:
            return accepted
        try:
            verdict = auth(self._auth_request(accepted, remote, headers))
            if inspect.isawaitable(verdict):
                verdict = await verdict
        except Exception as exc:
            return self._auth_raised(accepted, remote, exc)
        return self._auth_verdict(accepted, remote, verdict)

    def _authenticate_now(self, accepted: _Accepted, remote: Any, headers: Any) -> _Accepted | _Refused:
        """The ``auth`` hook, called from picows' synchronous upgrade callback (it must not be a coroutine)."""
        auth = self.options.auth
        if auth is None:
            return accepted
        try:
            verdict = auth(self._auth_request(accepted, remote, headers))
        except Exception as exc:
            return self._auth_raised(accepted, remote, exc)
        if inspect.isawaitable(verdict):
            if inspect.iscoroutine(verdict):
                verdict.close()
            log.error(
                "%s: the auth hook returned an awaitable; transport='picows' needs a synchronous auth hook",
                accepted.identity,
                extra={"ocpp_identity": accepted.identity},
            )
            return _AUTH_FAILED
        return self._auth_verdict(accepted, remote, verdict)

    # ---- handshake (websockets) ----------------------------------------------------------------------
    def _select_subprotocol(self, connection: ServerConnection, offered: Any) -> Subprotocol | None:
        chosen = choose_subprotocol(offered, self._subprotocols)
        return None if chosen is None else Subprotocol(chosen)

    async def _process_request(self, connection: ServerConnection, request: Request) -> Response | None:
        screened = self._screen(connection.transport, request.path, request.headers)
        if isinstance(screened, _Accepted):
            screened = await self._authenticate(screened, connection.remote_address, request.headers)
        if isinstance(screened, _Refused):
            response = connection.respond(screened.status, f"{screened.text}\n")
            for name, value in screened.headers.items():
                response.headers[name] = value
            return response
        self._accepted_requests[connection] = screened
        return None

    async def _serve_websockets(self, ws: ServerConnection) -> None:
        accepted = self._accepted_requests.pop(ws, None)
        if accepted is None:  # cannot happen: process_request ran for every handshake
            await ws.close(1011, "internal error")
            return
        channel = WebsocketsChannel(ws, send_timeout=self.options.send_timeout, label=accepted.identity)
        offered = ws.request.headers.get("Sec-WebSocket-Protocol", "none") if ws.request else "none"
        await self._serve_channel(channel, accepted, offered)

    # ---- connections (both transports) ------------------------------------------------------------------
    async def _serve_channel(self, channel: Channel, accepted: _Accepted, offered: str) -> None:
        identity = accepted.identity
        subprotocol = channel.subprotocol
        if subprotocol is None:
            log.info(
                "%s: no supported subprotocol offered (%s); closing",
                identity,
                escape(offered),
                extra={"ocpp_identity": identity},
            )
            await channel.close(NO_SUBPROTOCOL_CLOSE_CODE, f"subprotocol {' or '.join(self._subprotocols)} required")
            return
        info = ConnectionInfo(
            identity=identity,
            subprotocol=subprotocol,
            remote_address=channel.remote_address,
            path=accepted.path,
            username=accepted.username,
            certificate=accepted.certificate,
            certificate_der=accepted.certificate_der,
        )
        route = self._routes[subprotocol]
        connection = OcppConnection(channel, route.binding, route.handler, info, self._config)
        previous = self._connections.get(identity)
        self._connections[identity] = connection
        self._peers[identity] = connection.peer
        if previous is not None:
            await self._replace(previous)
        log.info("%s: connected from %s", identity, channel.remote_address, extra={"ocpp_identity": identity})
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
            previous.abort()
            try:
                await asyncio.wait_for(asyncio.shield(previous.finished.wait()), self.options.close_timeout)
            except TimeoutError:
                log.warning("%s: replaced connection did not finish", identity, extra={"ocpp_identity": identity})
        finally:
            await asyncio.wait([closing])


def serve_versions(
    *routes: Route[Any, Any],
    host: str | None = "127.0.0.1",
    port: int = 9000,
    options: ServerOptions | None = None,
) -> OcppServer[Peer, RoleHandler[Any]]:
    """One CSMS endpoint for several OCPP versions: a :class:`Route` (role binding + handler) per version.

    Each connection speaks the subprotocol chosen from the station's offer in the server's preference
    order (``ServerOptions.subprotocol_preference``, newest version first by default) and is served by
    that version's handler with a client typed for that version; :attr:`OcppServer.stations` holds
    them all (``peer.info.subprotocol`` or ``isinstance`` tells which). Identity rules, limits, security
    profiles and the one-connection-per-identity rule are shared across versions.
    """
    if not routes:
        raise ValueError("serve_versions needs at least one Route")
    first, *others = routes
    return OcppServer(first.binding, first.handler, host, port, options, more_versions=others)


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
