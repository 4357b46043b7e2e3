"""A simulated station that keeps losing its connection, and must still lose no transaction message.

The ``flaky`` scenario checks a CSMS (and ocppwire's outbox) against what real stations do on bad
networks: every station runs charging sessions whose TransactionEvents go through a durable
:class:`~ocppwire.outbox.Outbox`, and every ``offline_every`` seconds (± 50 %, so stations drift
apart) it drops its connection for ``offline_for`` seconds while the sessions go on. Events made
offline are queued with ``offline=true``; on reconnect they are delivered in order.

Unlike :class:`~ocppwire.sim.station.SimStation`, which owns a bare WebSocket to stay cheap, this
station runs the full ocppwire client, because reconnecting and queueing are what is under test.
At the end of a run the outbox gets ``drain_timeout`` seconds to empty; :class:`OutboxCounts`
reports messages queued, delivered, dropped and lost (queued but never answered: must be 0).
StatusNotifications are sent only while online (OCPP does not queue them by default) and count
as ``skipped_offline`` otherwise.
"""

from __future__ import annotations

import asyncio
import random
from dataclasses import asdict, dataclass
from typing import Any

from ocppwire.outbox import Outbox, OutboxSettings
from ocppwire.runtime.backoff import RetryBackOff
from ocppwire.runtime.errors import OcppError
from ocppwire.runtime.exceptions import ConnectionClosedError
from ocppwire.storage import StationStore
from ocppwire.v201 import enums as e
from ocppwire.v201 import messages as m
from ocppwire.v201 import station

from .scenario import Scenario, boot_request
from .station import Recorder, StationOptions

__all__ = ["FlakyStation", "OutboxCounts"]


@dataclass
class OutboxCounts:
    """What the outboxes of a run did with the messages they were given."""

    queued: int = 0
    delivered: int = 0
    dropped: int = 0
    """Given up on after CALLERRORs (logged); the CSMS refused them."""
    lost: int = 0
    """Queued but neither delivered nor dropped when the run ended. Must be 0."""
    offline_periods: int = 0
    skipped_offline: int = 0

    def merge(self, other: OutboxCounts) -> None:
        for name, value in asdict(other).items():
            setattr(self, name, getattr(self, name) + value)

    def to_dict(self) -> dict[str, int]:
        return asdict(self)


class _Handler(station.ChargingStationHandler):
    """The simulator implements no CSMS-initiated action (the runtime answers NotSupported)."""


class FlakyStation:
    """Same life cycle as :class:`~ocppwire.sim.station.SimStation`: connect, boot, run, close."""

    def __init__(self, index: int, identity: str, scenario: Scenario, options: StationOptions, recorder: Recorder):
        self.index = index
        self.identity = identity
        self.scenario = scenario
        self.options = options
        self.recorder = recorder
        self.store = StationStore.memory()
        self.outbox = Outbox(self.store, settings=OutboxSettings(message_attempts=3, message_attempt_interval=1.0))
        self.counts = OutboxCounts()
        self.conn: station.StationConnection | None = None
        self._rng = random.Random(index)

    def _connection(self) -> station.StationConnection:
        """The one place a flaky station connects (the same settings every time it comes back)."""
        options = self.options
        return station.connect(
            self.options.url,
            identity=self.identity,
            handler=_Handler(),
            options=station.ClientOptions(
                password=options.password,
                compression=options.compression,
                call_timeout=options.call_timeout,
                open_timeout=options.open_timeout,
                ping_interval=options.ping_interval or 0,
                backoff=RetryBackOff(wait_minimum=0.1, random_range=0.2, repeat_times=2),
                first_connect_attempts=None,  # a flaky station keeps trying
            ),
        )

    async def connect(self) -> bool:
        """Open the first connection; False (and a connect failure counted) if it cannot."""
        conn = self._connection()
        try:
            await asyncio.wait_for(conn.start(), self.options.open_timeout)
        except Exception:
            self.recorder.counters.connect_failures += 1
            await conn.close(grace=0)
            return False
        self.conn = conn
        self.outbox.start(conn)
        return True

    async def boot(self) -> bool:
        if not self.scenario.boot:
            return True
        assert self.conn is not None
        response = await self.conn.peer.boot_notification(boot_request())
        if response.status != e.RegistrationStatusEnumType.ACCEPTED:
            self.recorder.counters.boot_rejected += 1
            return False
        return True

    async def run(self) -> None:
        """Send the scenario's sessions until told to stop, going offline now and then."""
        flapping = asyncio.create_task(self._flap())
        pause = max(self.scenario.interval, 0.05)
        try:
            for _, request in self.scenario.script(self.index):
                if not self.recorder.running:
                    return
                self._send(request)
                await asyncio.sleep(pause)
        finally:
            flapping.cancel()
            await asyncio.gather(flapping, return_exceptions=True)

    def _send(self, request: Any) -> None:
        counters = self.recorder.counters
        if not isinstance(request, m.TransactionEventRequest) and not self.outbox.online:
            self.counts.skipped_offline += 1
            return
        counters.sent += 1
        submission = self.outbox.submit(request)
        submission.response.add_done_callback(self._answered)

    def _answered(self, future: asyncio.Future[Any]) -> None:
        if future.cancelled():
            return
        error = future.exception()
        if error is None:
            self.recorder.counters.answered += 1
        elif isinstance(error, ConnectionClosedError):
            self.counts.skipped_offline += 1  # a StatusNotification overtaken by a disconnect
            self.recorder.counters.sent -= 1
        elif isinstance(error, OcppError):
            self.recorder.counters.call_errors[error.code] += 1

    async def _flap(self) -> None:
        every, offline_for = self.scenario.offline_every, self.scenario.offline_for
        while True:
            await asyncio.sleep(every * self._rng.uniform(0.5, 1.5))
            conn, self.conn = self.conn, None
            if conn is not None:
                await conn.close(grace=1)
            self.counts.offline_periods += 1
            await asyncio.sleep(offline_for)
            conn = self._connection()
            self.conn = conn
            self.outbox.start(conn)
            try:
                await asyncio.wait_for(conn.start(), self.options.open_timeout)
            except Exception:
                self.recorder.counters.connect_failures += 1

    async def close(self, drain_timeout: float = 10.0) -> OutboxCounts:
        """Reconnect if needed, let the outbox empty, close; returns this station's counts."""
        if self.conn is None:
            conn = self.conn = self._connection()
            self.outbox.start(conn)
            try:
                await asyncio.wait_for(conn.start(), self.options.open_timeout)
            except Exception:
                self.recorder.counters.connect_failures += 1
        await self.outbox.drain(drain_timeout)
        await self.outbox.close()
        stats = self.outbox.stats
        self.counts.queued = stats.queued
        self.counts.delivered = stats.delivered
        self.counts.dropped = stats.dropped
        self.counts.lost = stats.queued - stats.delivered - stats.dropped
        if self.conn is not None:
            await self.conn.close(grace=1)
            self.conn = None
        self.store.close()
        return self.counts
