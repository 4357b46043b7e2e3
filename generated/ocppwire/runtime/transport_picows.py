"""The ``picows`` transport (``ocppwire[fast]``): a :class:`~ocppwire.runtime.channel.Channel` on picows' frame API.

picows parses and writes WebSocket frames in Cython and calls us once per frame, with no task or future
per message; it answers pings and bounds single frames (``max_message_size``). Our pings come from the
server's one :class:`~ocppwire.runtime.keepalive.KeepAlive` timer (a station's client uses picows' own
keep-alive: one connection, one task). What OCPP-J needs beyond that is here:

- **messages, not frames**: fragmented messages are reassembled, bounded by ``max_message_size``
  (1009 beyond it); text must be valid UTF-8 (1007), also when split across fragments;
- **permessage-deflate** (required of a CSMS by OCPP-J): RFC 7692 from :mod:`~ocppwire.runtime.deflate`
  on the RSV1 bit, with the same settings as the websockets transport and the same size limit after
  inflating; a compressed frame without the extension, or a corrupt stream, fails the connection (1002);
- **read-ahead**: at most ``read_ahead`` messages wait for the connection's receive loop; beyond that the
  socket stops being read (TCP holds the peer back), as websockets' ``max_queue`` does;
- **writes**: picows writes at once; while the socket's buffer is over its high-water mark (picows calls
  ``pause_writing``) a write waits for ``resume_writing`` at most ``send_timeout`` seconds, then the TCP
  connection is aborted;
- **the closing handshake**: a close frame from the peer is answered with the same code and the TCP
  connection closed; ours waits ``close_timeout`` seconds for the answer, then aborts.
"""

from __future__ import annotations

import asyncio
import logging
import zlib
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any

from picows import (
    WSAutoPingStrategy,
    WSCloseCode,
    WSFrame,
    WSListener,
    WSMsgType,
    WSTransport,
    WSUpgradeRequest,
    WSUpgradeResponse,
    WSUpgradeResponseWithListener,
)
from picows.picows import WSProtocol  # type: ignore[attr-defined]  # picows' own server uses it too

from .channel import INVALID_TEXT, MESSAGE_TOO_BIG, ChannelClosedError
from .deflate import MessageTooBigError, PerMessageDeflate
from .exceptions import ConnectionClosedError
from .keepalive import KeepAlive

if TYPE_CHECKING:
    from .options import ConnectionOptions
from .logsafe import TransportLogger

__all__ = [
    "PicowsChannel",
    "PicowsLogger",
    "RequestReader",
    "UpgradeDecision",
    "accept_upgrade",
    "close_code",
    "offered_values",
    "ping_settings",
    "refuse_upgrade",
    "server_protocol_factory",
]

log = logging.getLogger("ocppwire.connection")

PROTOCOL_ERROR = 1002
_TEXT = WSMsgType.TEXT
_BINARY = WSMsgType.BINARY
_CONTINUATION = WSMsgType.CONTINUATION
_CLOSE = WSMsgType.CLOSE


def close_code(code: int) -> WSCloseCode:
    """picows takes close codes as its enum; codes it does not list (e.g. 4000-4999) fall back to 1008."""
    try:
        return WSCloseCode(code)
    except ValueError:
        return WSCloseCode.POLICY_VIOLATION


def _forget_handshake(transport: WSTransport) -> None:
    """picows keeps the upgrade request and response (headers included) for the connection's whole life; once
    the connection is open nothing reads them again, and an idle station should not pay for them."""
    for message in (transport.request, transport.response):
        headers = getattr(message, "headers", None)
        if headers is not None:
            headers.clear()


def _reason(text: str) -> bytes | None:
    """A close reason as UTF-8, cut to the 123 bytes a close frame has room for (never mid-character)."""
    data = text.encode()[:123].decode("utf-8", "ignore").encode()
    return data or None


class PicowsChannel(WSListener):
    """One picows connection as a channel; picows calls the ``on_ws_*`` methods, the OCPP connection the rest."""

    __slots__ = (
        "_close_timeout",
        "_closed_code",
        "_deflate",
        "_disconnected",
        "_fragments",
        "_fragments_compressed",
        "_fragments_size",
        "_fragments_type",
        "_gone",
        "_held",
        "_inbox",
        "_keepalive",
        "_max_size",
        "_next_ping_at",
        "_on_open",
        "_ping_sent_at",
        "_read_ahead",
        "_reading_paused",
        "_send_timeout",
        "_subprotocol",
        "_waiter",
        "_backlog",
        "_stall",
        "_direct",
        "_ready",
        "label",
        "remote_address",
        "transport",
    )

    def __init__(
        self,
        *,
        subprotocol: str | None,
        deflate: PerMessageDeflate | None,
        limits: ConnectionOptions,
        label: str,
        on_open: Callable[[PicowsChannel], None] | None = None,
        keepalive: KeepAlive | None = None,
    ) -> None:
        self._on_open = on_open
        self._keepalive = keepalive
        self._ping_sent_at = 0.0  # 0: no ping waiting for its pong
        self._next_ping_at = 0.0
        self._subprotocol = subprotocol
        self._deflate = deflate
        self._max_size = limits.max_message_size
        self._read_ahead = limits.read_ahead
        self._send_timeout = limits.send_timeout
        self._close_timeout = limits.close_timeout
        self.label = label
        self.transport: WSTransport | None = None
        self._inbox: list[str | bytes] = []  # at most read_ahead entries; an empty deque would cost 760 bytes
        self._waiter: asyncio.Future[None] | None = None
        self._reading_paused = False
        self._held = False  # pause_reading() was called: stay paused
        # while picows says the socket's write buffer is full: what waits to be written, in order
        self._backlog: list[tuple[bytes, asyncio.Future[None]]] | None = None
        self._stall: asyncio.TimerHandle | None = None  # drops the peer if the backlog waits send_timeout seconds
        self._direct: Callable[[str], None] | None = None
        self._ready: Callable[[], bool] | None = None
        self._fragments: list[bytes] | None = None
        self._fragments_size = 0
        self._fragments_type = _TEXT
        self._fragments_compressed = False
        self._closed_code: int | None = None
        self._gone = False
        self._disconnected: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.remote_address: Any = None

    # ---- what picows calls ------------------------------------------------------------------------
    def on_ws_connected(self, transport: WSTransport) -> None:
        self.transport = transport
        self.remote_address = transport.underlying_transport.get_extra_info("peername")
        _forget_handshake(transport)
        on_open, self._on_open = self._on_open, None
        if self._keepalive is not None:
            self._next_ping_at = self._keepalive.first_ping_at(asyncio.get_running_loop().time())
            self._keepalive.add(self)
        if on_open is not None:
            on_open(self)

    def on_ws_frame(self, transport: WSTransport, frame: WSFrame) -> None:
        kind = frame.msg_type
        if kind is _TEXT and frame.fin and not frame.rsv1 and self._fragments is None:  # the usual OCPP frame
            try:
                self._deliver(frame.get_payload_as_utf8_text())
            except UnicodeDecodeError:
                self._fail(INVALID_TEXT, "invalid UTF-8 in a text message")
            return
        if kind is _CLOSE:
            self._on_close_frame(transport, frame)
            return
        if kind is _TEXT or kind is _BINARY:
            if self._fragments is not None:
                self._fail(PROTOCOL_ERROR, "new message before the previous one ended")
                return
            if frame.rsv1 and self._deflate is None:
                self._fail(PROTOCOL_ERROR, "compressed frame without permessage-deflate")
                return
            self._fragments = []
            self._fragments_size = 0
            self._fragments_type = kind
            self._fragments_compressed = frame.rsv1
        elif kind is _CONTINUATION:
            if self._fragments is None:
                self._fail(PROTOCOL_ERROR, "continuation frame outside a message")
                return
            if frame.rsv1:
                self._fail(PROTOCOL_ERROR, "RSV1 on a continuation frame")
                return
        else:  # PING is answered by picows; a PONG answers our keep-alive ping
            if kind is WSMsgType.PONG:
                self._ping_sent_at = 0.0
            return
        self._fragments_size += frame.payload_size
        if self._fragments_size > self._max_size:
            self._fail(MESSAGE_TOO_BIG, f"message over {self._max_size} bytes")
            return
        self._fragments.append(frame.get_payload_as_bytes())
        if frame.fin:
            self._end_message()

    def on_ws_disconnected(self, transport: WSTransport) -> None:
        if self._keepalive is not None:
            self._keepalive.discard(self)
        self._gone = True
        self._fragments = None
        self._wake()
        self._drop_backlog()
        if not self._disconnected.done():
            self._disconnected.set_result(None)

    def pause_writing(self) -> None:
        if self._backlog is None:
            self._backlog = []
            self._stall = asyncio.get_running_loop().call_later(self._send_timeout, self._stalled)

    def resume_writing(self) -> None:
        backlog, self._backlog = self._backlog, None
        if self._stall is not None:
            self._stall.cancel()
            self._stall = None
        for index, (data, written) in enumerate(backlog or ()):
            if self._backlog is not None:  # full again: the rest keeps waiting, ahead of anything newer
                self._backlog[:0] = (backlog or [])[index:]
                return
            if self._gone:
                break
            self._write(data)
            if not written.done():
                written.set_result(None)
        if self._gone:
            self._drop_backlog(backlog)

    def _stalled(self) -> None:
        """The peer has not read for ``send_timeout`` seconds while we had something to write: drop it."""
        self._stall = None
        log.warning(
            "%s: peer did not read for %g s; dropping the connection",
            self.label,
            self._send_timeout,
            extra={"ocpp_identity": self.label},
        )
        self.abort()
        self._drop_backlog()

    def _drop_backlog(self, backlog: list[tuple[bytes, asyncio.Future[None]]] | None = None) -> None:
        """Fail every write still waiting (the connection is gone)."""
        if backlog is None:
            backlog, self._backlog = self._backlog, None
        if self._stall is not None:
            self._stall.cancel()
            self._stall = None
        for _, written in backlog or ():
            if not written.done():
                written.set_exception(ConnectionClosedError(f"{self.label}: connection closed"))
                written.exception()  # retrieved: nobody may be awaiting a fire-and-forget write

    def keepalive_check(self, now: float, interval: float, timeout: float) -> None:
        """Called by the server's :class:`~ocppwire.runtime.keepalive.KeepAlive` every tick."""
        transport = self.transport
        if transport is None or self._gone:
            return
        if self._ping_sent_at:
            if now - self._ping_sent_at >= timeout:
                self._ping_sent_at = 0.0
                self._fail(1011, "keepalive ping timeout")
            return
        if now >= self._next_ping_at:
            self._ping_sent_at = now
            self._next_ping_at = now + interval
            transport.send_ping()

    # ---- receiving ----------------------------------------------------------------------------------
    def _end_message(self) -> None:
        parts = self._fragments or []
        self._fragments = None
        payload = parts[0] if len(parts) == 1 else b"".join(parts)
        if self._fragments_compressed:
            assert self._deflate is not None
            try:
                payload = self._deflate.decompress(payload, self._max_size)
            except MessageTooBigError:
                self._fail(MESSAGE_TOO_BIG, f"message inflates beyond {self._max_size} bytes")
                return
            except zlib.error:
                self._fail(PROTOCOL_ERROR, "corrupt permessage-deflate data")
                return
        if self._fragments_type is _BINARY:
            self._deliver(payload)
            return
        try:
            self._deliver(payload.decode("utf-8"))
        except UnicodeDecodeError:
            self._fail(INVALID_TEXT, "invalid UTF-8 in a text message")

    def _deliver(self, message: str | bytes) -> None:
        if self._closed_code is not None or self._gone:
            return  # closing: what still arrives is not for the application
        inbox = self._inbox
        direct = self._direct
        if direct is not None and not inbox and type(message) is str and self._ready is not None and self._ready():
            try:
                direct(message)
            except Exception:  # the session never raises for peer input; a bug must not reach picows
                log.exception("%s: could not handle a message", self.label, extra={"ocpp_identity": self.label})
            return
        inbox.append(message)
        if len(inbox) >= self._read_ahead and not self._reading_paused and self.transport is not None:
            self._reading_paused = True
            self.transport.underlying_transport.pause_reading()
        self._wake()

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None:
            self._waiter = None
            if not waiter.done():
                waiter.set_result(None)

    def _on_close_frame(self, transport: WSTransport, frame: WSFrame) -> None:
        payload = frame.get_payload_as_bytes()
        code = int.from_bytes(payload[:2], "big") if len(payload) >= 2 else 1005
        if self._closed_code is None:
            self._closed_code = code
        if not transport.is_close_frame_sent:
            answer = code if code not in (1005, 1006) else 1000
            transport.send_close(close_code(answer), payload[2:] or None)
        transport.disconnect()
        self._wake()

    def _fail(self, code: int, reason: str) -> None:
        """Fail the connection: a close frame with ``code``, then the TCP connection closes."""
        self._fragments = None
        transport = self.transport
        log.info("%s: closing (%d): %s", self.label, code, reason, extra={"ocpp_identity": self.label})
        if transport is not None and not transport.is_close_frame_sent:
            transport.send_close(close_code(code), _reason(reason))
        if transport is not None:
            loop = asyncio.get_running_loop()
            loop.call_later(self._close_timeout, transport.disconnect, False)
        self._gone = True
        self._wake()

    # ---- the channel interface -------------------------------------------------------------------------
    @property
    def subprotocol(self) -> str | None:
        return self._subprotocol

    @property
    def closed(self) -> bool:
        transport = self.transport
        return self._gone or transport is None or transport.is_close_frame_sent or transport.is_disconnected

    def next_message(self) -> str | bytes | None:
        inbox = self._inbox
        if not inbox:
            return None
        message = inbox.pop(0)
        if self._reading_paused and len(inbox) < self._read_ahead and not self._held:
            self._resume_reading()
        return message

    def _resume_reading(self) -> None:
        self._reading_paused = False
        transport = self.transport
        if transport is not None and not transport.is_disconnected:
            transport.underlying_transport.resume_reading()

    async def recv(self) -> str | bytes:
        while True:
            message = self.next_message()
            if message is not None:
                return message
            if self._gone or self._closed_code is not None:
                raise ChannelClosedError(f"{self.label}: connection closed", self._closed_code)
            waiter = self._waiter = asyncio.get_running_loop().create_future()
            await waiter

    def send(self, data: bytes) -> Awaitable[None] | None:
        if self.closed:
            raise ConnectionClosedError(f"{self.label}: connection closed")
        backlog = self._backlog
        if backlog is not None:  # the peer is not reading fast enough: wait in line (bounded by send_timeout)
            written: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            backlog.append((data, written))
            return written
        self._write(data)
        return None

    def _write(self, data: bytes) -> None:
        transport = self.transport
        assert transport is not None
        deflate = self._deflate
        if deflate is not None:
            compressed = deflate.compress(data)
            if compressed is not None:
                transport.send(_TEXT, compressed, True, True)
                return
        transport.send(_TEXT, data)

    def deliver_to(self, receive: Callable[[str], None], ready: Callable[[], bool]) -> bool:
        """Hand text messages straight to ``receive`` from picows' data callback while ``ready()`` says the
        connection can take one and nothing is queued; the receive loop only sees what arrives otherwise."""
        self._direct = receive
        self._ready = ready
        return True

    async def close(self, code: int = 1000, reason: str = "") -> None:
        transport = self.transport
        if transport is None or transport.is_disconnected:
            return
        if not transport.is_close_frame_sent:
            transport.send_close(close_code(code), _reason(reason))
        if self._closed_code is not None:  # the peer's close frame came first: we answered, done
            transport.disconnect()
        try:
            await asyncio.wait_for(asyncio.shield(self._disconnected), self._close_timeout)
        except TimeoutError:
            self.abort()

    def abort(self) -> None:
        transport = self.transport
        if transport is not None:
            transport.disconnect(graceful=False)

    async def wait_closed(self) -> None:
        await asyncio.shield(self._disconnected)

    def pause_reading(self) -> None:
        if self.transport is not None:
            self._held = self._reading_paused = True  # stays paused: next_message must not resume it
            self.transport.underlying_transport.pause_reading()


class PicowsLogger(TransportLogger):
    """picows' log, made safe (see :class:`~ocppwire.runtime.logsafe.TransportLogger`) and put in proportion:
    picows reports every connection at INFO (ocppwire's own lines already do) and a peer's broken frame or
    handshake at ERROR, but what a peer does wrong is not our error. So its INFO lines become DEBUG, and its
    warnings and errors INFO, through the rate limiter."""

    def log(self, level: int, msg: object, *args: object, **kwargs: Any) -> None:
        if level < logging.WARNING:
            super().log(min(level, logging.DEBUG), msg, *args, **kwargs)
            return
        if not self.isEnabledFor(logging.INFO) or not self.limiter.allow(logging.INFO):
            return
        kwargs.pop("exc_info", None)
        super().log(logging.INFO, msg, *args, **kwargs)

    def exception(self, msg: object, *args: object, **kwargs: Any) -> None:
        kwargs.pop("exc_info", None)
        self.log(logging.ERROR, msg, *args, **kwargs)


# ---- the server's upgrade (handshake) -----------------------------------------------------------------
UpgradeDecision = WSUpgradeResponseWithListener
"""What the server's upgrade callback returns: an HTTP refusal, or a 101 with the connection's channel."""


def offered_values(headers: Any, name: str) -> list[str]:
    """The comma-separated values of every ``name`` header of a request, in order."""
    values: list[str] = []
    for header in headers.getall(name, ()):
        values.extend(part.strip() for part in header.split(",") if part.strip())
    return values


def refuse_upgrade(status: int, text: str, headers: Mapping[str, str]) -> UpgradeDecision:
    """An HTTP refusal of the upgrade (the connection closes after it)."""
    return WSUpgradeResponseWithListener(
        WSUpgradeResponse.create_error_response(status, f"{text}\n".encode(), dict(headers)), None
    )


def accept_upgrade(channel: PicowsChannel, subprotocol: str | None, extensions: str | None) -> UpgradeDecision:
    """A 101 answer naming the agreed subprotocol and extension, served by ``channel``."""
    headers: dict[str, str] = {}
    if subprotocol is not None:
        headers["Sec-WebSocket-Protocol"] = subprotocol
    if extensions is not None:
        headers["Sec-WebSocket-Extensions"] = extensions
    return WSUpgradeResponseWithListener(WSUpgradeResponse.create_101_response(headers), channel)


def ping_settings(ping_interval: float | None, ping_timeout: float | None) -> dict[str, Any]:
    """picows' keep-alive arguments for our ``ping_interval`` / ``ping_timeout`` (a ping every interval; no
    pong within the timeout closes the connection). picows needs the timeout not to exceed the interval."""
    if not ping_interval:
        return {"enable_auto_ping": False}
    reply = min(ping_timeout or ping_interval, ping_interval)
    return {
        "enable_auto_ping": True,
        "auto_ping_idle_timeout": ping_interval,
        "auto_ping_reply_timeout": reply,
        "auto_ping_strategy": WSAutoPingStrategy.PING_PERIODICALLY,
    }


Upgrade = Callable[[Any, WSUpgradeRequest, Any], UpgradeDecision]
"""The server's upgrade callback: (the connection's asyncio transport, the request, what ``prepare`` decided
or ``None``) -> the decision."""
Prepare = Callable[[Any, str, Any], Awaitable[Any]]
"""The server's asynchronous checks (e.g. a coroutine ``auth`` hook): (transport, path, headers) -> a verdict
handed to the upgrade callback."""
_MAX_REQUEST = 16 * 1024


class RequestReader(asyncio.Protocol):
    """Reads a connection's HTTP upgrade request before picows does, so that asynchronous checks (an ``auth``
    coroutine) can run: picows answers the upgrade synchronously inside its data callback. Once the checks
    are done, the connection and the bytes read are handed to picows, which parses the request again and
    answers with what the checks decided. Bounded: 16 KiB of request, ``timeout`` seconds."""

    def __init__(self, protocol: Any, prepare: Prepare, verdict: list[Any], timeout: float) -> None:
        self._protocol = protocol
        self._prepare = prepare
        self._verdict = verdict
        self._timeout = timeout
        self._data = bytearray()
        self._transport: asyncio.Transport | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._task: asyncio.Task[None] | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport
        self._timer = asyncio.get_running_loop().call_later(self._timeout, transport.abort)

    def data_received(self, data: bytes) -> None:
        if self._task is not None:
            return
        self._data += data
        end = self._data.find(b"\r\n\r\n")
        if end < 0:
            if len(self._data) > _MAX_REQUEST:
                self._hand_over()  # picows answers an oversized request itself
            return
        assert self._transport is not None
        self._transport.pause_reading()
        path, headers = _parse_request(bytes(self._data[:end]))
        if path is None:
            self._hand_over()  # malformed: picows refuses it
            return
        self._task = asyncio.get_running_loop().create_task(self._check(path, headers))

    async def _check(self, path: str, headers: Any) -> None:
        self._verdict.append(await self._prepare(self._transport, path, headers))
        self._hand_over()

    def _hand_over(self) -> None:
        transport = self._transport
        if self._timer is not None:
            self._timer.cancel()
        if transport is None or transport.is_closing():
            return
        protocol = self._protocol
        transport.set_protocol(protocol)
        protocol.connection_made(transport)
        data = memoryview(bytes(self._data))
        while data:
            buffer = protocol.get_buffer(len(data))
            size = min(len(buffer), len(data))
            buffer[:size] = data[:size]
            protocol.buffer_updated(size)
            data = data[size:]
        transport.resume_reading()

    def connection_lost(self, exc: Exception | None) -> None:
        if self._timer is not None:
            self._timer.cancel()
        if self._task is not None:
            self._task.cancel()


def _parse_request(head: bytes) -> tuple[str | None, Any]:
    """Path and headers of an HTTP request head (``None`` path: not a request line we understand)."""
    from multidict import CIMultiDict

    lines = head.split(b"\r\n")
    parts = lines[0].split(b" ")
    headers: CIMultiDict[str] = CIMultiDict()
    if len(parts) != 3 or parts[0] != b"GET":
        return None, headers
    for line in lines[1:]:
        name, colon, value = line.partition(b":")
        if not colon:
            return None, headers
        headers.add(name.strip().decode("latin-1"), value.strip().decode("latin-1"))
    return parts[1].decode("latin-1"), headers


def server_protocol_factory(
    upgrade: Upgrade,
    *,
    prepare: Prepare | None = None,
    handshake_timeout: float,
    max_frame_size: int,
    logger: logging.Logger | logging.LoggerAdapter[Any],
    read_buffer_size: int = 2048,
) -> Callable[[], asyncio.BaseProtocol]:
    """A protocol factory for ``loop.create_server``: one picows protocol per accepted connection, whose
    upgrade callback also gets that connection's transport (peer address, TLS certificate), which picows'
    own server API does not pass on. picows' own keep-alive stays off: the server's
    :class:`~ocppwire.runtime.keepalive.KeepAlive` pings every connection on one timer.
    ``read_buffer_size`` is picows' initial read buffer: small, since an idle station costs it (picows
    grows it for larger frames)."""

    def factory() -> asyncio.BaseProtocol:
        protocol: WSProtocol
        verdict: list[Any] = []  # what prepare decided, when there is a prepare step

        def on_upgrade(request: WSUpgradeRequest) -> UpgradeDecision:
            return upgrade(protocol.transport.underlying_transport, request, verdict[0] if verdict else None)

        protocol = WSProtocol(
            None,
            None,
            False,
            on_upgrade,
            logger,
            True,
            handshake_timeout,
            False,  # picows' keep-alive: off (see above)
            20.0,
            20.0,
            WSAutoPingStrategy.PING_PERIODICALLY,
            True,
            max_frame_size,
            None,
            read_buffer_size,
        )
        if prepare is not None:
            return RequestReader(protocol, prepare, verdict, handshake_timeout)
        made: asyncio.BaseProtocol = protocol
        return made

    return factory
