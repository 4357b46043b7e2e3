"""One open OCPP-J connection: the receive loop that joins a transport channel to a Session.

Server and client differ only in how a connection is opened, and the two transports only in how a
message moves (:mod:`ocppwire.runtime.channel`); once it is open every connection runs the same
:class:`OcppConnection`: build the session and the typed peer, start ``on_connect`` in its own task
(so it can await calls whose answers this very loop receives), feed every message to the session,
and on close fail what is pending, stop the tasks and call ``on_disconnect``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from typing import Any, Generic

from .channel import BINARY_REFUSED, Channel, ChannelClosedError
from .codec import Codec
from .connection_info import ConnectionInfo
from .protocol import IdFactory, ProtocolConfig
from .roles import HandlerT, PeerT, RoleBinding
from .session import Session

__all__ = ["ConnectionInfo", "OcppConnection", "SessionConfig", "UNSUPPORTED_DATA"]

UNSUPPORTED_DATA = BINARY_REFUSED
"""Close code for a binary frame: OCPP-J sends JSON in text frames only (RFC 6455 §7.4.1)."""

log = logging.getLogger("ocppwire.connection")

_codecs: dict[int, Codec] = {}


def _codec_for(binding: RoleBinding[Any, Any]) -> Codec:
    codec = _codecs.get(id(binding.actions))
    if codec is None:
        codec = _codecs[id(binding.actions)] = Codec(binding.actions)
    return codec


SessionConfig = ProtocolConfig
"""The per-connection protocol settings (an alias of :class:`~ocppwire.runtime.protocol.ProtocolConfig`)."""


class OcppConnection(Generic[PeerT, HandlerT]):
    """An open WebSocket bound to a handler and a typed peer for its whole life."""

    __slots__ = (
        "_closer",
        "_dispatch_to",
        "_draining",
        "_ended",
        "_finished",
        "binding",
        "channel",
        "handler",
        "info",
        "peer",
        "session",
        "__weakref__",
    )

    def __init__(
        self,
        channel: Channel,
        binding: RoleBinding[PeerT, HandlerT],
        handler: HandlerT,
        info: ConnectionInfo,
        config: SessionConfig,
    ) -> None:
        self.channel = channel
        """The transport under this connection (see :mod:`ocppwire.runtime.channel`)."""
        self.binding = binding
        self.handler = handler
        self.info = info
        self.session = Session(
            _codec_for(binding),
            channel.send,
            self._dispatch,
            identity=info.identity,
            config=config,
            close=self._close_soon,
        )
        self.peer: PeerT = binding.peer_type(self.session, info, self)
        self._dispatch_to = binding.dispatcher(handler, self.peer)
        self.session.after = binding.after_dispatcher(handler, self.peer)
        self._closer: asyncio.Task[None] | None = None
        self._finished: asyncio.Event | None = None  # made on demand: an idle connection need not carry one
        self._ended = False
        self._draining = False  # the receive loop is handling a queued message: direct delivery must wait
        channel.deliver_to(self.session.receive_now, self._ready_for_direct)

    def _ready_for_direct(self) -> bool:
        return not self._draining and not self.session.paused

    @property
    def finished(self) -> asyncio.Event:
        """Set when :meth:`run` has fully finished (``on_disconnect`` included)."""
        if self._finished is None:
            self._finished = asyncio.Event()
            if self._ended:
                self._finished.set()
        return self._finished

    async def _resumed_before_closed(self) -> bool:
        """While paused, wait for a free handler slot, or for the connection to go (then False):
        a peer that is gone must not wait for slow handlers before its connection is cleaned up."""
        resumed = asyncio.ensure_future(self.session.wait_resumed())
        closed = asyncio.ensure_future(self.channel.wait_closed())
        try:
            await asyncio.wait((resumed, closed), return_when=asyncio.FIRST_COMPLETED)
        finally:
            resumed.cancel()
            closed.cancel()
        return not closed.done() or closed.cancelled()

    # _dispatch returns the awaitable instead of awaiting it: no wrapper coroutine per frame.
    def _dispatch(self, spec: Any, request: Any) -> Awaitable[Any]:
        return self._dispatch_to(spec, request)

    def _close_soon(self, code: int, reason: str) -> None:
        """Close on the protocol core's request (a misbehaving peer), without blocking the caller."""
        if self._closer is None or self._closer.done():
            self._closer = asyncio.get_running_loop().create_task(self.close(code, reason))

    async def run(self) -> None:
        """Serve the connection until it closes, then clean up. Never raises for peer behaviour."""
        identity = self.info.identity
        hook = asyncio.get_running_loop().create_task(self._on_connect(), name=f"ocpp-on-connect-{identity}")
        reason = "connection closed"
        session = self.session
        channel = self.channel
        try:
            while True:
                if session.paused:  # backpressure: let TCP hold the peer back until a handler is done
                    if not await self._resumed_before_closed():
                        reason = "connection lost while paused"
                        break
                data = channel.next_message()
                if data is None:
                    data = await channel.recv()
                    if session.paused:  # direct deliveries filled every handler slot while we waited
                        if not await self._resumed_before_closed():
                            reason = "connection lost while paused"
                            break
                if type(data) is bytes:
                    log.info("%s: binary frame refused; closing (1003)", identity, extra={"ocpp_identity": identity})
                    await self.close(UNSUPPORTED_DATA, "OCPP-J frames are text frames")
                    reason = "binary frame"
                    break
                self._draining = True
                try:
                    await session.receive(data)
                finally:
                    self._draining = False
        except ChannelClosedError as exc:
            reason = f"connection closed ({exc.code if exc.code is not None else 'no close frame'})"
        finally:
            self.session.close(reason)
            if not hook.done():
                hook.cancel()
            await asyncio.wait([hook])
            await self.session.wait_closed()
            try:
                await self.handler.on_disconnect(self.peer)
            except Exception:
                log.exception("%s: on_disconnect failed", identity, extra={"ocpp_identity": identity})
            finally:
                self._ended = True
                if self._finished is not None:
                    self._finished.set()

    async def _on_connect(self) -> None:
        try:
            await self.handler.on_connect(self.peer)
        except Exception:
            if not self.session.closed:
                log.exception("%s: on_connect failed", self.info.identity, extra={"ocpp_identity": self.info.identity})

    async def close(self, code: int = 1000, reason: str = "") -> None:
        """Close the WebSocket (closing handshake bounded by ``close_timeout``, then abort);
        :meth:`run` then finishes on its own."""
        await self.channel.close(code, reason)

    def abort(self) -> None:
        """Drop the TCP connection at once, without a closing handshake."""
        self.channel.abort()

    async def shutdown(self, grace: float, code: int = 1000, reason: str = "") -> None:
        """Graceful close: refuse new calls, let calls in flight and running handlers finish
        (at most ``grace`` seconds), then close the WebSocket."""
        self.session.begin_shutdown()
        try:
            await asyncio.wait_for(self.session.wait_idle(), grace)
        except TimeoutError:
            log.warning("%s: closing with calls still pending after %g s", self.info.identity, grace)
        await self.close(code, reason)
