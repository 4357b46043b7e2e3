"""Bookkeeping that proves no call vanishes: every call started must end in a result or an error.

A call that neither returns nor raises is the failure mode fault tests hunt for (a future nobody
resolves after a reconnect, a response delivered to the wrong caller). :class:`Ledger` runs each
call in a tracked task and counts how it ended; after a run, ``vanished`` — calls still pending
once every task was given time to finish — must be 0, and so must ``misrouted`` (an answer that
belongs to another call) and ``unexpected`` (an exception outside the documented set).
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from ocppwire.runtime import CallTimeoutError, ConnectionClosedError, OcppError

__all__ = ["Ledger"]

EXPECTED_FAILURES = (ConnectionClosedError, CallTimeoutError, OcppError)
"""What a call may raise when the connection or the peer misbehaves (docs/runtime.md)."""


@dataclass
class Ledger:
    """Counts of one side's calls in a fault run."""

    started: int = 0
    completed: int = 0
    misrouted: int = 0
    failed: Counter[str] = field(default_factory=Counter)
    unexpected: list[BaseException] = field(default_factory=list)
    failure_times: list[float] = field(default_factory=list)
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)

    def track(self, call: Awaitable[Any], check: Callable[[Any], bool] = lambda _: True) -> asyncio.Task[None]:
        """Run ``call`` in a task; ``check(result)`` says whether the answer is the one this call asked for."""
        self.started += 1
        task = asyncio.ensure_future(self._run(call, check))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def _run(self, call: Awaitable[Any], check: Callable[[Any], bool]) -> None:
        try:
            result = await call
        except EXPECTED_FAILURES as exc:
            self.failed[type(exc).__name__] += 1
            self.failure_times.append(asyncio.get_running_loop().time())
        except Exception as exc:  # noqa: BLE001 - recorded and asserted on by the test
            self.unexpected.append(exc)
        else:
            self.completed += 1
            if not check(result):
                self.misrouted += 1

    @property
    def pending(self) -> int:
        """Calls started but not yet ended."""
        return len(self._tasks)

    @property
    def ended(self) -> int:
        return self.completed + sum(self.failed.values()) + len(self.unexpected)

    async def settle(self, timeout: float) -> int:
        """Wait up to ``timeout`` s for every call to end; return how many vanished (never ended)."""
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=timeout)
        vanished = self.started - self.ended
        for task in set(self._tasks):
            task.cancel()
        return vanished

    def summary(self) -> dict[str, Any]:
        return {
            "started": self.started,
            "completed": self.completed,
            "failed": dict(self.failed),
            "unexpected": len(self.unexpected),
            "misrouted": self.misrouted,
            "vanished": self.started - self.ended,
        }
