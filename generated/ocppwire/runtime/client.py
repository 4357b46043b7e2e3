"""The Charging Station side of OCPP-J: a WebSocket client that stays connected to its CSMS.

:func:`connect` opens ``<url>/<percent-encoded identity>`` offering the role's subprotocol, with

- HTTP Basic auth (username = identity) when a ``password`` is given — security profiles 1 and 2;
- TLS through ``ssl`` for ``wss://`` URLs: verify the CSMS certificate (profile 2) and present a
  client certificate (profile 3) — see :mod:`ocppwire.runtime.tls`;
- WebSocket pings every ``ping_interval`` seconds (OCPPCommCtrlr.WebSocketPingInterval; 0 = off);
- automatic reconnection after a lost connection or a failed attempt, waiting as
  :class:`~ocppwire.runtime.backoff.RetryBackOff` prescribes. The back-off restarts from its
  minimum after every successful connection.

A refused handshake (HTTP 4xx such as 401 or 404, a CSMS that does not agree on the subprotocol, a
TLS certificate that does not verify) is a configuration problem retrying will not fix:
it ends the client with :class:`~ocppwire.runtime.exceptions.ConnectionRejectedError` unless
``retry_rejected=True``. Everything else (refused TCP connection, timeouts, HTTP 5xx, dropped
connections, HTTP 429 "too many requests") is retried while ``reconnect`` is on.

Awaiting :func:`connect` (or entering it with ``async with``) returns once the first connection is
open; :attr:`OcppClient.peer` is the typed CSMS client of the current connection.

**The first connection** is tried at most ``first_connect_attempts`` times (default 3, with the
back-off between attempts); then awaiting :func:`connect` raises the last error, so a wrong URL ends
``async with station.connect(...)`` instead of retrying forever. ``first_connect_attempts=None``
keeps trying until the CSMS answers (a station started before its CSMS). Once connected, lost
connections are always retried while ``reconnect`` is on.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
from typing import Any, Generic, Self

from websockets.asyncio.client import ClientConnection
from websockets.asyncio.client import connect as ws_connect
from websockets.exceptions import InvalidStatus, InvalidURI
from websockets.typing import Subprotocol

from .connection import ConnectionInfo, OcppConnection
from .endpoint import Endpoint
from .exceptions import ConnectionClosedError, ConnectionRejectedError
from .handshake import basic_authorization, station_url
from .logsafe import TransportLogger
from .options import ClientOptions
from .roles import HandlerT, PeerT, RoleBinding

__all__ = ["ClientOptions", "OcppClient", "connect", "station_url"]

log = logging.getLogger("ocppwire.client")


def _rejection(exc: BaseException) -> ConnectionRejectedError | None:
    """The rejection ``exc`` stands for, or ``None`` when it is worth retrying."""
    if isinstance(exc, ConnectionRejectedError):
        return exc
    if isinstance(exc, InvalidStatus):
        status = exc.response.status_code
        if 400 <= status < 500 and status != 429:  # 429: the CSMS's rate limit says "later", like a 5xx
            return ConnectionRejectedError(f"CSMS refused the connection: HTTP {status}", status=status)
        return None
    if isinstance(exc, ssl.SSLCertVerificationError):
        return ConnectionRejectedError(f"TLS certificate verification failed: {exc.verify_message}")
    if isinstance(exc, ssl.SSLError):
        return ConnectionRejectedError(f"TLS handshake failed: {exc.reason or exc}")
    return None


def _retrieve(future: asyncio.Future[None]) -> None:
    if not future.cancelled():
        future.exception()


class OcppClient(Endpoint, Generic[PeerT, HandlerT]):
    """A station's connection to its CSMS, kept open (and reopened) in a background task."""

    def __init__(
        self,
        binding: RoleBinding[PeerT, HandlerT],
        url: str,
        identity: str,
        handler: HandlerT,
        options: ClientOptions | None = None,
    ) -> None:
        binding.check_handler(handler)
        options = ClientOptions() if options is None else options
        if not isinstance(options, ClientOptions):
            raise TypeError(f"options must be a ClientOptions, not {type(options).__name__}")
        self.binding = binding
        self.identity = identity
        self.handler = handler
        self.url = station_url(url, identity)
        self.options = options
        """The options this client runs with."""
        self._config = options.session_config()
        self._backoff = options.backoff
        self._connection: OcppConnection[PeerT, HandlerT] | None = None
        self._connected = asyncio.Event()
        self._first: asyncio.Future[None] | None = None
        self._task: asyncio.Task[None] | None = None
        self._closing = False
        self.connections = 0
        """How many times a connection was established."""
        self.failure: BaseException | None = None
        """Why the client stopped, when it stopped on an error."""

    # ---- lifecycle -------------------------------------------------------------------------
    async def start(self) -> Self:
        """Start connecting and return once the first connection is open.

        Raises :class:`ConnectionRejectedError` for a refused handshake, or the connection error
        itself when ``reconnect`` is off.
        """
        if self._task is None:
            self._first = asyncio.get_running_loop().create_future()
            # The first outcome is read by start(); if nobody waits any more (start() was cancelled,
            # e.g. by Ctrl-C), reading it here keeps asyncio from reporting it as never retrieved.
            self._first.add_done_callback(_retrieve)
            self._task = asyncio.get_running_loop().create_task(self._run(), name=f"ocpp-client-{self.identity}")
        assert self._first is not None
        await asyncio.shield(self._first)
        return self

    async def close(self, grace: float | None = None) -> None:
        """Stop reconnecting; let calls in flight finish (``shutdown_grace``), then close with 1000."""
        self._closing = True
        connection = self._connection
        if connection is not None:
            grace = self.options.shutdown_grace if grace is None else grace
            await connection.shutdown(grace, 1000, "station shutting down")
        if self._task is not None:
            if connection is None:
                self._task.cancel()  # sleeping between attempts or handshaking
            await asyncio.wait([self._task])

    async def wait_closed(self) -> None:
        """Wait until the client has stopped for good; re-raises the error that stopped it."""
        if self._task is not None:
            await asyncio.wait([self._task])
        if self.failure is not None:
            raise self.failure

    # ---- state -----------------------------------------------------------------------------
    @property
    def connected(self) -> bool:
        """True while a connection is open."""
        return self._connection is not None and not self._connection.session.closed

    @property
    def peer(self) -> PeerT:
        """The typed CSMS client of the current connection; :class:`ConnectionClosedError` if none."""
        connection = self._connection
        if connection is None or connection.session.closed:
            raise ConnectionClosedError(f"{self.identity} is not connected")
        return connection.peer

    async def wait_connected(self) -> PeerT:
        """Wait until a connection is open and return its CSMS client."""
        while True:
            await self._connected.wait()
            connection = self._connection
            if connection is not None and not connection.session.closed:
                return connection.peer
            self._connected.clear()

    # ---- the connect / serve / back off loop -------------------------------------------------------
    def _give_up_first(self, failed_attempts: int) -> bool:
        """Whether the first connection has used up its attempts."""
        if self.connections or self.options.first_connect_attempts is None:
            return False
        return failed_attempts >= self.options.first_connect_attempts

    async def _run(self) -> None:
        delays = None
        failed = 0
        try:
            while not self._closing:
                try:
                    ws = await self._open()
                except asyncio.CancelledError:
                    raise
                except Exception as exc:
                    failed += 1
                    rejected = _rejection(exc)
                    if isinstance(exc, InvalidURI) or (rejected is not None and not self.options.retry_rejected):
                        raise (rejected or exc) from exc
                    if not self.options.reconnect or self._give_up_first(failed):
                        if self.options.reconnect:
                            log.error(
                                "%s: no connection to %s after %d attempts (first_connect_attempts)",
                                self.identity,
                                self.url,
                                failed,
                                extra={"ocpp_identity": self.identity},
                            )
                        raise
                    delays = delays or self._backoff.delays()
                    delay = next(delays)
                    log.warning(
                        "%s: connection failed (%s); retrying in %.1f s",
                        self.identity,
                        rejected or exc,
                        delay,
                        extra={"ocpp_identity": self.identity},
                    )
                    await asyncio.sleep(delay)
                    continue
                delays = None
                failed = 0
                await self._serve(ws)
                if self._closing or not self.options.reconnect:
                    break
                delays = self._backoff.delays()
                delay = next(delays)
                log.warning(
                    "%s: connection lost; reconnecting in %.1f s",
                    self.identity,
                    delay,
                    extra={"ocpp_identity": self.identity},
                )
                await asyncio.sleep(delay)
        except asyncio.CancelledError:
            if self._first is not None and not self._first.done():
                self._first.set_exception(ConnectionClosedError(f"{self.identity}: client closed before connecting"))
            if not self._closing:
                raise
        except Exception as exc:
            self.failure = exc
            log.error("%s: giving up: %s", self.identity, exc, extra={"ocpp_identity": self.identity})
            if self._first is not None and not self._first.done():
                self._first.set_exception(exc)
        finally:
            if self._first is not None and not self._first.done():
                self._first.set_exception(ConnectionClosedError(f"{self.identity}: client closed"))

    async def _open(self) -> ClientConnection:
        options = self.options
        headers: dict[str, str] = {}
        if options.password is not None:
            headers["Authorization"] = basic_authorization(self.identity, options.password)
        extra: dict[str, Any] = {}
        if options.ssl is not None:
            extra["ssl"] = options.ssl
        subprotocol = self.binding.actions.subprotocol
        ws = await ws_connect(
            self.url,
            subprotocols=[Subprotocol(subprotocol)],
            additional_headers=headers,
            compression="deflate" if options.compression else None,
            proxy=None,
            logger=TransportLogger(logging.getLogger("ocppwire.client.websockets")),
            **options.websocket_settings(),
            **extra,
        )
        if ws.subprotocol != subprotocol:
            await ws.close(1002, f"subprotocol {subprotocol} required")
            raise ConnectionRejectedError(f"CSMS did not agree on subprotocol {subprotocol}")
        return ws

    async def _serve(self, ws: ClientConnection) -> None:
        info = ConnectionInfo(
            identity=self.identity,
            subprotocol=ws.subprotocol or "",
            remote_address=ws.remote_address,
            path=self.url,
        )
        connection = OcppConnection(ws, self.binding, self.handler, info, self._config)
        self._connection = connection
        self.connections += 1
        self._connected.set()
        if self._first is not None and not self._first.done():
            self._first.set_result(None)
        log.info("%s: connected to %s", self.identity, self.url, extra={"ocpp_identity": self.identity})
        try:
            await connection.run()
        finally:
            await ws.close()  # already closed unless this task was cancelled mid-connection
            self._connection = None
            self._connected.clear()
            log.info("%s: disconnected", self.identity, extra={"ocpp_identity": self.identity})


def connect(
    binding: RoleBinding[PeerT, HandlerT],
    url: str,
    identity: str,
    handler: HandlerT,
    *,
    options: ClientOptions | None = None,
) -> OcppClient[PeerT, HandlerT]:
    """A station connection for ``binding``'s role; await it (or ``async with``) to connect."""
    return OcppClient(binding, url, identity, handler, options)
