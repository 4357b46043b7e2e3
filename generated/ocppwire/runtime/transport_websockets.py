"""The ``websockets`` transport: a :class:`~ocppwire.runtime.channel.Channel` over a websockets connection.

websockets does the framing, UTF-8 checks (1007), size limits (1009), permessage-deflate, pings and the
closing handshake; ``max_queue`` (our ``read_ahead``) makes it stop reading when the application falls
behind. This adapter adds the bounded send (``send_timeout``) and the bounded close.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from websockets.asyncio.connection import Connection
from websockets.exceptions import ConnectionClosed

from .channel import ChannelClosedError
from .exceptions import ConnectionClosedError

__all__ = ["WebsocketsChannel"]

log = logging.getLogger("ocppwire.connection")


class WebsocketsChannel:
    """A websockets connection as a channel."""

    __slots__ = ("ws", "_transport", "_high_water", "_send_timeout", "_close_timeout", "_label")

    def __init__(self, ws: Connection, *, send_timeout: float, label: str) -> None:
        self.ws = ws
        self._transport = ws.transport
        limits = self._transport.get_write_buffer_limits()
        self._high_water = limits[1]
        self._send_timeout = send_timeout
        self._close_timeout = (ws.close_timeout or 10.0) + 1.0  # websockets' own wait, then ours
        self._label = label

    @property
    def subprotocol(self) -> str | None:
        return self.ws.subprotocol

    @property
    def remote_address(self) -> Any:
        return self.ws.remote_address

    @property
    def closed(self) -> bool:
        return self._transport.is_closing()

    def next_message(self) -> str | bytes | None:
        return None  # websockets hands messages over through recv() only

    async def recv(self) -> str | bytes:
        try:
            return await self.ws.recv()  # text arrives as str, checked UTF-8 (1007 otherwise)
        except ConnectionClosed as exc:
            code = exc.rcvd.code if exc.rcvd is not None else None
            raise ChannelClosedError(f"{self._label}: connection closed", code) from None

    # send returns the awaitable instead of awaiting it: no wrapper coroutine per frame.
    def send(self, data: bytes) -> Awaitable[None] | None:
        # OCPP-J frames are text messages; ``text=True`` sends the UTF-8 bytes without re-encoding.
        transport = self._transport
        if transport.is_closing():  # gone (aborted, or the peer left): do not write into a dead socket
            raise ConnectionClosedError(f"{self._label}: connection closed")
        ws = self.ws
        if ws.paused or transport.get_write_buffer_size() + len(data) > self._high_water:
            return self._send_within_timeout(data)  # the write may have to wait for the peer to read
        return ws.send(data, text=True)

    async def _send_within_timeout(self, data: bytes) -> None:
        """A write that may block on a full buffer: a peer that does not read within
        ``send_timeout`` is dropped (transport aborted), which fails everything pending at once."""
        try:
            async with asyncio.timeout(self._send_timeout):
                await self.ws.send(data, text=True)
        except TimeoutError:
            label = self._label
            log.warning(
                "%s: peer did not read for %g s; dropping the connection",
                label,
                self._send_timeout,
                extra={"ocpp_identity": label},
            )
            self._transport.abort()
            raise ConnectionClosedError(f"{label}: send timed out") from None

    async def close(self, code: int = 1000, reason: str = "") -> None:
        """Bounded: websockets waits for the close frame to be written, so a peer that stopped reading
        would otherwise hold this (and a server's shutdown) forever; past the timeout, abort."""
        try:
            async with asyncio.timeout(self._close_timeout):
                await self.ws.close(code, reason)
        except TimeoutError:
            self.abort()

    def abort(self) -> None:
        self._transport.abort()

    async def wait_closed(self) -> None:
        await self.ws.wait_closed()

    def deliver_to(self, receive: Callable[[str], None], ready: Callable[[], bool]) -> bool:
        return False  # websockets hands messages over through recv() only

    def pause_reading(self) -> None:
        self._transport.pause_reading()
