"""Keep-alive pings for many connections on one timer, instead of one sleeping task per connection.

A CSMS holding tens of thousands of mostly idle stations would otherwise keep a task, a coroutine and a
timer handle per connection just to send a ping every ``ping_interval`` seconds (picows' own keep-alive
does exactly that). :class:`KeepAlive` runs one task per server that wakes every ``tick`` seconds (a
quarter of the shorter of interval and timeout) and asks each registered connection to check itself:
ping when its interval is up, give up when a ping went unanswered for ``timeout`` seconds. Pings and
timeouts are therefore accurate to one tick.

The sweep works in slices of :data:`SLICE` connections and lets the event loop serve I/O between two
slices: at 20,000 connections, one sweep sending every due ping in a single callback stalled the CSMS for
100-600 ms. A connection's first ping is also spread over the last quarter of its first interval, so a
fleet that connected in one burst does not ping in one burst forever after.
"""

from __future__ import annotations

import asyncio
import random
from typing import Protocol

__all__ = ["SLICE", "KeepAlive", "KeptAlive"]

SLICE = 256
"""Connections checked per event-loop callback during a sweep."""


class KeptAlive(Protocol):
    """A connection :class:`KeepAlive` looks after."""

    def keepalive_check(self, now: float, interval: float, timeout: float) -> None:
        """Send a ping if ``interval`` has passed since the last one; fail the connection if a ping has gone
        unanswered for ``timeout`` seconds."""


class KeepAlive:
    """One timer for the pings of every connection of a server."""

    def __init__(self, interval: float, timeout: float | None) -> None:
        self.interval = interval
        self.timeout = timeout if timeout else interval
        self.tick = max(min(self.interval, self.timeout) / 4, 0.005)
        self._members: dict[KeptAlive, None] = {}
        self._task: asyncio.Task[None] | None = None

    def add(self, member: KeptAlive) -> None:
        self._members[member] = None
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._run(), name="ocpp-keepalive")

    def discard(self, member: KeptAlive) -> None:
        self._members.pop(member, None)

    def first_ping_at(self, now: float) -> float:
        """When a connection opened at ``now`` sends its first ping: within the last quarter of its interval."""
        return now + self.interval * (0.75 + random.random() / 4)

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while self._members:
            await asyncio.sleep(self.tick)
            members = list(self._members)
            for start in range(0, len(members), SLICE):
                if start:
                    await asyncio.sleep(0)  # let the loop serve I/O between two slices
                now = loop.time()
                for member in members[start : start + SLICE]:
                    member.keepalive_check(now, self.interval, self.timeout)

    def stop(self) -> None:
        """Stop the timer (the server is closing)."""
        self._members.clear()
        if self._task is not None:
            self._task.cancel()
