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

from websockets.asyncio.client import connect as ws_connect
from websockets.exceptions import InvalidStatus, InvalidURI
from websockets.typing import Subprotocol

from .channel import Channel
from .connection import ConnectionInfo, OcppConnection
from .deflate import ExtensionRefusedError, accept_response, client_offer, deflate_settings
from .endpoint import Endpoint
from .exceptions import ConnectionClosedError, ConnectionRejectedError
from .handshake import basic_authorization, station_url
from .logsafe import TransportLogger
from .options import ClientOptions
from .roles import HandlerT, PeerT, RoleBinding
from .transport_websockets import WebsocketsChannel

__all__ = ["ClientOptions", "OcppClient", "connect", "open_channel", "station_url"]

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
    refused = _picows_refusal_status(exc)
    if refused is not None:
        if 400 <= refused < 500 and refused != 429:
            return ConnectionRejectedError(f"CSMS refused the connection: HTTP {refused}", status=refused)
        return None
    if isinstance(exc, ExtensionRefusedError):
        return ConnectionRejectedError(f"CSMS answered permessage-deflate wrongly: {exc}")
    if isinstance(exc, ssl.SSLCertVerificationError):
        return ConnectionRejectedError(f"TLS certificate verification failed: {exc.verify_message}")
    if isinstance(exc, ssl.SSLError):
        return ConnectionRejectedError(f"TLS handshake failed: {exc.reason or exc}")
    return None


def _picows_refusal_status(exc: BaseException) -> int | None:
    """The HTTP status of a handshake picows saw refused (``None``: not such an error)."""
    response = getattr(exc, "response", None)
    if response is None or not any(cls.__name__ == "WSHandshakeError" for cls in type(exc).__mro__):
        return None
    return int(response.status)


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
                    channel = await self._open()
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
                await self._serve(channel)
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

    async def _open(self) -> Channel:
        return await open_channel(self.url, self.identity, self.binding.actions.subprotocol, self.options)

    async def _serve(self, channel: Channel) -> None:
        info = ConnectionInfo(
            identity=self.identity,
            subprotocol=channel.subprotocol or "",
            remote_address=channel.remote_address,
            path=self.url,
        )
        connection = OcppConnection(channel, self.binding, self.handler, info, self._config)
        self._connection = connection
        self.connections += 1
        self._connected.set()
        if self._first is not None and not self._first.done():
            self._first.set_result(None)
        log.info("%s: connected to %s", self.identity, self.url, extra={"ocpp_identity": self.identity})
        try:
            await connection.run()
        finally:
            await channel.close()  # already closed unless this task was cancelled mid-connection
            self._connection = None
            self._connected.clear()
            log.info("%s: disconnected", self.identity, extra={"ocpp_identity": self.identity})



async def open_channel(
    url: str, identity: str, subprotocol: str, options: ClientOptions, *, local_address: str | None = None
) -> Channel:
    """Open one WebSocket to a CSMS as station ``identity`` (``url`` already ends with the identity), on the
    transport ``options`` name, offering ``subprotocol``: the handshake every station connection makes (Basic
    auth, TLS, permessage-deflate, pings, limits). :class:`ConnectionRejectedError` when the CSMS does not
    agree on the subprotocol. ``local_address`` binds the local end (a load generator spreading its
    connections over several 127.0.0.x addresses)."""
    headers: dict[str, str] = {}
    if options.password is not None:
        headers["Authorization"] = basic_authorization(identity, options.password)
    bind: dict[str, Any] = {} if local_address is None else {"local_addr": (local_address, 0)}
    if options.transport == "picows":
        return await _open_picows(url, identity, subprotocol, options, headers, bind)
    if options.ssl is not None:
        bind["ssl"] = options.ssl
    ws = await ws_connect(
        url,
        subprotocols=[Subprotocol(subprotocol)],
        additional_headers=headers,
        compression="deflate" if options.compression else None,
        proxy=None,
        logger=TransportLogger(logging.getLogger("ocppwire.client.websockets")),
        **options.websocket_settings(),
        **bind,
    )
    if ws.subprotocol != subprotocol:
        await ws.close(1002, f"subprotocol {subprotocol} required")
        raise ConnectionRejectedError(f"CSMS did not agree on subprotocol {subprotocol}")
    return WebsocketsChannel(ws, send_timeout=options.send_timeout, label=identity)


async def _open_picows(
    url: str, identity: str, subprotocol: str, options: ClientOptions, headers: dict[str, str], bind: dict[str, Any]
) -> Channel:
    from picows import ws_connect as picows_connect

    from . import transport_picows as picows

    headers["Sec-WebSocket-Protocol"] = subprotocol
    settings = deflate_settings(options.compression)
    if settings is not None:
        headers["Sec-WebSocket-Extensions"] = client_offer(settings)

    def make_channel(request: Any, response: Any) -> picows.PicowsChannel:
        agreed = accept_response(response.headers.get("Sec-WebSocket-Extensions"), settings) if settings else None
        return picows.PicowsChannel(
            subprotocol=response.headers.get("Sec-WebSocket-Protocol"),
            deflate=agreed,
            limits=options,
            label=identity,
        )

    async with asyncio.timeout(options.open_timeout):
        _, channel = await picows_connect(
            make_channel,
            url,
            ssl_context=options.ssl,
            websocket_handshake_timeout=options.open_timeout,
            logger_name=picows.PicowsLogger(logging.getLogger("ocppwire.client.picows")),
            max_frame_size=options.max_message_size,
            extra_headers=headers,
            max_redirects=0,
            read_buffer_init_size=2048,
            use_aiofastnet=False,
            **picows.ping_settings(options.ping_interval, options.ping_timeout),
            **bind,
        )
    if not isinstance(channel, picows.PicowsChannel):  # the CSMS ended the connection during the handshake
        raise ConnectionClosedError(f"{identity}: connection closed during the opening handshake")
    if channel.subprotocol != subprotocol:
        await channel.close(1002, f"subprotocol {subprotocol} required")
        raise ConnectionRejectedError(f"CSMS did not agree on subprotocol {subprotocol}")
    return channel

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
