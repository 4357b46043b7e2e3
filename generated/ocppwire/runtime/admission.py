"""Who may open a connection right now: the server's connection limits as a pure state machine.

The server asks :meth:`AdmissionGate.admit` the moment ``accept()`` returns a TCP connection — before
a TLS handshake or any buffer is spent on it — tells it when the connection's opening handshake is
over (:meth:`AdmissionGate.handshake_done`) and calls :meth:`AdmissionGate.release` when it ends.
The limits, in this order:

0. ``max_pending_handshakes`` connections still in their TLS or HTTP handshake — beyond it the new
   TCP connection is dropped at once (a pending TLS handshake holds about 300 KiB of buffers, and
   a handshake that never completes holds them until ``tls_handshake_timeout`` / ``open_timeout``);
1. ``max_connections`` open connections in all (handshakes included) — beyond it **HTTP 503**;
2. a token bucket per IP address: ``handshake_burst`` new connections at once, then ``handshake_rate``
   per second — **HTTP 429** (every attempt takes a token, refused ones too, so a flood drains it);
3. ``max_connections_per_address`` open connections from one IP address — **HTTP 429**.

A refused connection still counts while it is open (the short HTTP answer takes a moment), so a
flood cannot hide behind its own refusals; and once an address holds twice its share, or the server
twice its total, further connections are aborted at once without reading a byte — the cheapest answer
there is. The per-address buckets are forgotten once full again, so memory follows the addresses
currently active, not every address ever seen.
"""

from __future__ import annotations

import http
import time
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["AdmissionGate", "Refusal"]


@dataclass(frozen=True)
class Refusal:
    """Why a connection is refused: an HTTP status and text, or ``abort`` to drop it without an answer."""

    status: http.HTTPStatus
    text: str
    abort: bool = False


_PRUNE_AT = 4096  # tracked addresses before idle buckets are forgotten


class AdmissionGate:
    """Counts open connections per address and in all, and meters new ones per address."""

    def __init__(
        self,
        *,
        max_connections: int,
        max_per_address: int,
        max_pending: int,
        rate: float,
        burst: int,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_connections = max_connections
        self.max_pending = max_pending
        self.max_per_address = max_per_address
        self.rate = rate
        self.burst = burst
        self._clock = clock
        self.open = 0
        """Connections currently counted (admitted or being refused)."""
        self.pending = 0
        """Counted connections whose opening handshake is not over yet."""
        self._per_address: dict[str, int] = {}
        self._buckets: dict[str, tuple[float, float]] = {}  # address -> (tokens, stamp)
        self.refused = 0
        """Connections refused so far (all reasons)."""

    def connections_from(self, address: str) -> int:
        """Open connections from ``address``."""
        return self._per_address.get(address, 0)

    def admit(self, address: str) -> Refusal | None:
        """Count a new connection from ``address``; ``None`` to accept it, else why to refuse it.

        Every call must be paired with one :meth:`release` when the connection ends, refused or not.
        """
        self.open += 1
        self.pending += 1
        count = self._per_address[address] = self._per_address.get(address, 0) + 1
        refusal = self._judge(address, count)
        if refusal is not None:
            self.refused += 1
        return refusal

    def _judge(self, address: str, count: int) -> Refusal | None:
        if self.pending > self.max_pending:
            return Refusal(http.HTTPStatus.SERVICE_UNAVAILABLE, "too many handshakes in progress", abort=True)
        if self.open > self.max_connections:
            return Refusal(
                http.HTTPStatus.SERVICE_UNAVAILABLE, "too many connections", abort=self.open > 2 * self.max_connections
            )
        now = self._clock()
        tokens, stamp = self._buckets.get(address, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - stamp) * self.rate)
        metered = tokens >= 1.0
        self._buckets[address] = (tokens - 1.0 if metered else tokens, now)
        if len(self._buckets) > _PRUNE_AT:
            self._prune(now)
        if count > self.max_per_address:
            return Refusal(
                http.HTTPStatus.TOO_MANY_REQUESTS,
                "too many connections from this address",
                abort=count > 2 * self.max_per_address,
            )
        if not metered:
            return Refusal(http.HTTPStatus.TOO_MANY_REQUESTS, "connection rate from this address too high")
        return None

    def handshake_done(self) -> None:
        """A counted connection's opening handshake is over (accepted or answered with a refusal)."""
        self.pending -= 1

    def release(self, address: str, *, pending: bool = False) -> None:
        """A connection counted by :meth:`admit` has ended (``pending``: before its handshake was over)."""
        if pending:
            self.pending -= 1
        self.open -= 1
        count = self._per_address.get(address, 0) - 1
        if count > 0:
            self._per_address[address] = count
        else:
            self._per_address.pop(address, None)

    def _prune(self, now: float) -> None:
        """Forget buckets that have refilled completely: they hold no information."""
        full = [
            address
            for address, (tokens, stamp) in self._buckets.items()
            if tokens + (now - stamp) * self.rate >= self.burst
        ]
        for address in full:
            del self._buckets[address]
