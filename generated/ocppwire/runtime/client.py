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
connections) is retried while ``reconnect`` is on.

Awaiting :func:`connect` (or entering it with ``async with``) returns once the first connection is
open; :attr:`OcppClient.peer` is the typed CSMS client of the current connection.
"""

from __future__ import annotations

import asyncio
import base64
import logging
import ssl
from collections.abc import Generator
from types import TracebackType
from typing import Any, Generic, Self
from urllib.parse import quote

from websockets.asyncio.client import ClientConnection
from websockets.asyncio.client import connect as ws_connect
from websockets.exceptions import InvalidStatus, InvalidURI
from websockets.typing import Subprotocol

from .backoff import RetryBackOff
from .connection import ConnectionInfo, ConnectionOptions, OcppConnection, SessionConfig, option_keys
from .exceptions import ConnectionClosedError, ConnectionRejectedError
from .roles import HandlerT, PeerT, RoleBinding
from .server import MAX_IDENTITY_LENGTH
from .session import DEFAULT_CALL_TIMEOUT, uuid4_message_id

__all__ = ["ClientOptions", "OcppClient", "connect", "station_url"]

log = logging.getLogger("ocppwire.client")


class ClientOptions(ConnectionOptions, total=False):
    """Keyword options of :func:`connect` (and of the generated ``station.connect``)."""

    password: str | None
    """HTTP Basic auth password (security profiles 1 and 2); the username is the identity."""
    ssl: ssl.SSLContext | None
    """TLS context for ``wss://`` (profiles 2 and 3); default: system trust store, no client certificate."""
    compression: bool
    """Offer permessage-deflate (default ``True``; the CSMS decides)."""
    reconnect: bool
    """Reconnect after failures and lost connections (default ``True``)."""
    backoff: RetryBackOff
    """Reconnect delays (default ``RetryBackOff()``)."""
    retry_rejected: bool
    """Also retry refused handshakes (HTTP 4xx, subprotocol, certificate); default ``False``."""


def station_url(url: str, identity: str) -> str:
    """``url`` + ``/`` + percent-encoded ``identity``, checking the identity rules of OCPP-J."""
    if not identity:
        raise ValueError("identity must not be empty")
    if ":" in identity:
        raise ValueError("identity must not contain ':' (it is the HTTP Basic username)")
    if len(identity) > MAX_IDENTITY_LENGTH:
        raise ValueError(f"identity is longer than {MAX_IDENTITY_LENGTH} characters")
    return url.rstrip("/") + "/" + quote(identity, safe="")


def _rejection(exc: BaseException) -> ConnectionRejectedError | None:
    """The rejection ``exc`` stands for, or ``None`` when it is worth retrying."""
    if isinstance(exc, ConnectionRejectedError):
        return exc
    if isinstance(exc, InvalidStatus):
        status = exc.response.status_code
        if 400 <= status < 500:
            return ConnectionRejectedError(f"CSMS refused the connection: HTTP {status}", status=status)
        return None
    if isinstance(exc, ssl.SSLCertVerificationError):
        return ConnectionRejectedError(f"TLS certificate verification failed: {exc.verify_message}")
    if isinstance(exc, ssl.SSLError):
        return ConnectionRejectedError(f"TLS handshake failed: {exc.reason or exc}")
    return None


class OcppClient(Generic[PeerT, HandlerT]):
    """A station's connection to its CSMS, kept open (and reopened) in a background task."""

    def __init__(
        self,
        binding: RoleBinding[PeerT, HandlerT],
        url: str,
        identity: str,
        handler: HandlerT,
        options: ClientOptions,
    ) -> None:
        binding.check_handler(handler)
        unknown = set(options) - option_keys(ClientOptions)
        if unknown:
            raise TypeError(f"unknown client options: {', '.join(sorted(unknown))}")
        self.binding = binding
        self.identity = identity
        self.handler = handler
        self.url = station_url(url, identity)
        self._options = options
        self._config = SessionConfig(
            call_timeout=options.get("call_timeout", DEFAULT_CALL_TIMEOUT),
            validate=options.get("validate", True),
            id_factory=options.get("id_factory", uuid4_message_id),
        )
        self._backoff = options.get("backoff", RetryBackOff())
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
            self._task = asyncio.get_running_loop().create_task(self._run(), name=f"ocpp-client-{self.identity}")
        assert self._first is not None
        await asyncio.shield(self._first)
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
        """Stop reconnecting; let calls in flight finish (``shutdown_grace``), then close with 1000."""
        self._closing = True
        connection = self._connection
        if connection is not None:
            grace = self._options.get("shutdown_grace", 10.0) if grace is None else grace
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
    async def _run(self) -> None:
        delays = None
        try:
            while not self._closing:
                try:
                    ws = await self._open()
                except asyncio.CancelledError:
                    raise
                except Exception as exc:
                    rejected = _rejection(exc)
                    if isinstance(exc, InvalidURI) or (
                        rejected is not None and not self._options.get("retry_rejected", False)
                    ):
                        raise (rejected or exc) from exc
                    if not self._options.get("reconnect", True):
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
                await self._serve(ws)
                if self._closing or not self._options.get("reconnect", True):
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
        options = self._options
        headers: dict[str, str] = {}
        password = options.get("password")
        if password is not None:
            token = base64.b64encode(f"{self.identity}:{password}".encode()).decode("ascii")
            headers["Authorization"] = f"Basic {token}"
        extra: dict[str, Any] = {}
        if options.get("ssl") is not None:
            extra["ssl"] = options.get("ssl")
        subprotocol = self.binding.actions.subprotocol
        ws = await ws_connect(
            self.url,
            subprotocols=[Subprotocol(subprotocol)],
            additional_headers=headers,
            compression="deflate" if options.get("compression", True) else None,
            proxy=None,
            open_timeout=options.get("open_timeout", 10.0),
            ping_interval=options.get("ping_interval", 30.0) or None,
            ping_timeout=options.get("ping_timeout", 30.0),
            close_timeout=options.get("close_timeout", 10.0),
            max_size=options.get("max_message_size", 2**20),
            logger=logging.getLogger("ocppwire.client.websockets"),
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
    **options: Any,
) -> OcppClient[PeerT, HandlerT]:
    """A station connection for ``binding``'s role; await it (or ``async with``) to connect."""
    return OcppClient(binding, url, identity, handler, ClientOptions(**options))  # type: ignore[typeddict-item]
