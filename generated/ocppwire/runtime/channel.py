"""The transport interface under an OCPP connection: one open WebSocket, as the connection sees it.

:class:`~ocppwire.runtime.connection.OcppConnection` runs on any :class:`Channel`; the transports are
:mod:`~ocppwire.runtime.transport_websockets` (the ``websockets`` library, the default) and
:mod:`~ocppwire.runtime.transport_picows` (``picows``, the ``ocppwire[fast]`` extra). A channel only moves
whole text messages and closes; everything OCPP (frames, correlation, the CALLERROR policy, limits on
calls) is in the protocol core above it, so both transports behave the same by construction.

What each channel guarantees:

- ``recv`` yields whole messages in order: ``str`` for a text message (valid UTF-8, else the channel
  closes with 1007 itself), ``bytes`` for a binary one (the connection refuses it with 1003); a message
  over ``max_message_size`` (after decompression) closes the channel with 1009. When the channel has
  closed, ``recv`` raises :class:`ChannelClosedError` with the close code received (if any).
- at most ``read_ahead`` messages wait in the channel; beyond that it stops reading from the socket,
  so a peer that floods is held back by TCP instead of by our memory;
- ``send`` returns ``None`` when the message was handed to the socket at once, or an awaitable when it
  has to wait for the peer to read (at most ``send_timeout`` seconds, then the TCP connection is
  aborted and :class:`~ocppwire.runtime.exceptions.ConnectionClosedError` raised);
- ``close`` runs the closing handshake for at most ``close_timeout`` seconds, then aborts.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from .exceptions import ConnectionClosedError

__all__ = ["BINARY_REFUSED", "Channel", "ChannelClosedError", "INVALID_TEXT", "MESSAGE_TOO_BIG"]

INVALID_TEXT = 1007
"""Close code for a text message that is not valid UTF-8 (RFC 6455 §8.1)."""
MESSAGE_TOO_BIG = 1009
"""Close code for a message over the size limit."""
BINARY_REFUSED = 1003
"""Close code for a binary message: OCPP-J sends JSON in text frames only (RFC 6455 §7.4.1)."""


class ChannelClosedError(ConnectionClosedError):
    """The WebSocket has closed; ``code`` is the close code the peer sent (``None``: no close frame)."""

    def __init__(self, message: str, code: int | None = None) -> None:
        super().__init__(message)
        self.code = code


class Channel(Protocol):
    """One open WebSocket carrying OCPP-J messages (see the module docs for the guarantees)."""

    @property
    def subprotocol(self) -> str | None:
        """The subprotocol the handshake agreed on (``None``: none)."""

    @property
    def remote_address(self) -> Any:
        """The peer's address as the socket reports it."""

    @property
    def closed(self) -> bool:
        """True once the connection is closing or gone (nothing more can be sent)."""

    def next_message(self) -> str | bytes | None:
        """A message already received, without waiting (``None``: none waiting)."""

    async def recv(self) -> str | bytes:
        """The next message; :class:`ChannelClosedError` once the connection has closed."""

    def send(self, data: bytes) -> Awaitable[None] | None:
        """Send one text message (UTF-8 JSON); see the module docs for when this must be awaited."""

    async def close(self, code: int = 1000, reason: str = "") -> None:
        """Close with a closing handshake, bounded by ``close_timeout``."""

    def abort(self) -> None:
        """Drop the TCP connection at once."""

    async def wait_closed(self) -> None:
        """Return once the connection is gone."""

    def deliver_to(self, receive: Callable[[str], None], ready: Callable[[], bool]) -> bool:
        """Offer to call ``receive`` with each text message as it arrives, when ``ready()`` and nothing is queued
        (no task switch per message); ``False``: this channel delivers through :meth:`recv` only."""

    def pause_reading(self) -> None:
        """Stop reading from the socket (tests use it to play a peer that stops reading)."""
