"""A simulation run: connect N stations, let them talk for a while, and measure.

Phases, in order (each announced to ``on_event`` for live progress or an orchestrating script):

1. ``connecting`` — stations open their WebSockets, at most ``connect_concurrency`` handshakes at a
   time (from ``source_addresses``, round-robin, when given), and each sends its BootNotification;
   ``connected`` reports how many made it and how long it took to get them all up. A run split over
   several processes (:mod:`ocppwire.sim.workers`) waits here until every process is connected.
2. ``warmup`` — the scenario runs but nothing is recorded (caches fill, the CSMS's allocator settles).
3. ``measure-start`` … ``measure-end`` — the measured window: round trips per second, latency
   percentiles and errors come from this window only.
4. ``stopping`` — every station finishes its current CALL and closes its connection normally
   (``flaky`` stations first reconnect and empty their outbox; ``outbox`` reports the counts).

Errors of every phase are counted and reported: a run with any error is not a clean run.
"""

from __future__ import annotations

import asyncio
import contextlib
import resource
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from .addresses import source_address_of
from .collector import quiet_collector
from .flaky import FlakyStation, OutboxCounts
from .scenario import Scenario, ScenarioName
from .station import Recorder, SimStation, StationOptions
from .stats import Counters, LatencyHistogram

__all__ = ["EventSink", "SimConfig", "SimResult", "Simulation", "raise_open_file_limit", "simulate"]

EventSink = Callable[[str, dict[str, Any]], None]
"""Receives ``(event name, details)`` at every phase change."""


@dataclass(frozen=True)
class SimConfig:
    """Everything a run needs."""

    url: str
    """CSMS endpoint URL; each station connects to ``<url>/<identity>``."""
    stations: int = 1
    scenario: Scenario = field(default_factory=Scenario)
    duration: float = 10.0
    """Seconds of the measured window."""
    warmup: float = 0.0
    """Seconds of traffic before the window opens (not recorded)."""
    identity_prefix: str = "SIM"
    """Station identities are ``<prefix><number>``, numbered from ``first_station``."""
    first_station: int = 0
    connect_concurrency: int = 100
    """Handshakes in progress at once while connecting."""
    password: str | None = None
    """HTTP Basic password (username = identity); ``None`` sends no credentials."""
    compression: bool = True
    """Offer permessage-deflate."""
    call_timeout: float = 30.0
    open_timeout: float = 60.0
    ping_interval: float | None = None
    """WebSocket ping interval of the stations (``None``: no pings from the stations)."""
    quiet_collector: bool = True
    """Freeze the connected fleet and start no full garbage collection until the run ends (process-wide
    settings, restored afterwards; :mod:`ocppwire.sim.collector`). False leaves the collector alone."""
    source_addresses: tuple[str, ...] = ()
    """Local addresses the stations connect from, round-robin by station number (empty: the OS picks);
    see :mod:`ocppwire.sim.addresses`."""
    transport: str = "websockets"
    """The stations' WebSocket implementation (``websockets`` or ``picows``)."""

    def __post_init__(self) -> None:
        if self.stations < 1:
            raise ValueError("stations must be at least 1")
        if self.duration <= 0 or self.warmup < 0:
            raise ValueError("duration must be positive and warmup not negative")
        if self.connect_concurrency < 1:
            raise ValueError("connect_concurrency must be at least 1")
        if self.source_addresses and self.scenario.name is ScenarioName.FLAKY:
            raise ValueError("source addresses are not supported by the flaky scenario (it runs the full client)")


@dataclass
class SimResult:
    """What a run measured. Rates and latencies are from the measured window."""

    stations: int
    connected: int
    connect_seconds: float
    window_seconds: float
    window: Counters
    latency: LatencyHistogram
    errors: int
    """Errors of the whole run: connecting, warm-up, window and shutdown."""
    error_counters: Counters = field(default_factory=Counters)
    """All phases' counters summed (``errors`` is their total, plus lost outbox messages)."""
    outbox: OutboxCounts | None = None
    """``flaky`` runs: messages queued, delivered, dropped and lost by the stations' outboxes."""

    @property
    def round_trips_per_second(self) -> float:
        """CALLs answered per second of the measured window."""
        return self.window.answered / self.window_seconds if self.window_seconds else 0.0

    def merge(self, other: SimResult) -> None:
        """Combine with the result of another load-generator process that ran alongside this one."""
        self.stations += other.stations
        self.connected += other.connected
        self.connect_seconds = max(self.connect_seconds, other.connect_seconds)
        answered = self.window.answered + other.window.answered
        rate = self.round_trips_per_second + other.round_trips_per_second
        self.window.merge(other.window)
        self.window_seconds = answered / rate if rate else max(self.window_seconds, other.window_seconds)
        self.latency.merge(other.latency)
        self.errors += other.errors
        self.error_counters.merge(other.error_counters)
        if other.outbox is not None:
            if self.outbox is None:
                self.outbox = OutboxCounts()
            self.outbox.merge(other.outbox)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form, with the derived figures (rate, percentiles in milliseconds) included."""
        data = self._to_dict()
        if self.outbox is not None:
            data["outbox"] = self.outbox.to_dict()
        return data

    def _to_dict(self) -> dict[str, Any]:
        return {
            "stations": self.stations,
            "connected": self.connected,
            "connect_seconds": self.connect_seconds,
            "window_seconds": self.window_seconds,
            "round_trips_per_second": self.round_trips_per_second,
            "latency_ms": {
                "p50": self.latency.percentile(50) * 1e3,
                "p90": self.latency.percentile(90) * 1e3,
                "p99": self.latency.percentile(99) * 1e3,
                "max": self.latency.largest * 1e3,
                "mean": self.latency.mean * 1e3,
            },
            "errors": self.errors,
            "window": self.window.to_dict(),
            "all_phases": self.error_counters.to_dict(),
            "latency_histogram": self.latency.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SimResult:
        """The inverse of :meth:`to_dict` (derived figures are recomputed)."""
        return cls(
            stations=data["stations"],
            connected=data["connected"],
            connect_seconds=data["connect_seconds"],
            window_seconds=data["window_seconds"],
            window=Counters.from_dict(data["window"]),
            latency=LatencyHistogram.from_dict(data["latency_histogram"]),
            errors=data["errors"],
            error_counters=Counters.from_dict(data["all_phases"]),
            outbox=OutboxCounts(**data["outbox"]) if "outbox" in data else None,
        )


def raise_open_file_limit(needed: int) -> int:
    """Raise this process's open-file soft limit towards ``needed`` (at most the hard limit); return it."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < needed:
        target = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        soft = target
    return int(soft)


class Simulation:
    """One run; :attr:`recorder`, :attr:`connected` and :attr:`phase` can be watched while it runs."""

    def __init__(self, config: SimConfig, on_event: EventSink | None = None) -> None:
        self.config = config
        self.recorder = Recorder()
        self.connected = 0
        self.phase = "created"
        self.phase_started = time.perf_counter()
        self._on_event = on_event
        options = StationOptions(
            config.url,
            password=config.password,
            compression=config.compression,
            call_timeout=config.call_timeout,
            open_timeout=config.open_timeout,
            ping_interval=config.ping_interval,
            transport=config.transport,
        )
        numbers = range(config.first_station, config.first_station + config.stations)
        self.stations: list[SimStation | FlakyStation]
        if config.scenario.name is ScenarioName.FLAKY:
            self.stations = [
                FlakyStation(number, f"{config.identity_prefix}{number:05d}", config.scenario, options, self.recorder)
                for number in numbers
            ]
        else:
            addresses = config.source_addresses
            self.stations = [
                SimStation(
                    number,
                    f"{config.identity_prefix}{number:05d}",
                    config.scenario,
                    options,
                    self.recorder,
                    source_address=source_address_of(addresses, number),
                )
                for number in numbers
            ]

    def _event(self, name: str, **details: Any) -> None:
        self.phase = name
        self.phase_started = time.perf_counter()
        if self._on_event is not None:
            self._on_event(name, details)

    async def run(self, start_gate: Callable[[], Awaitable[None]] | None = None) -> SimResult:
        """Connect, warm up, measure, stop; returns the measured result.

        ``start_gate``, when given, is awaited after the ``connected`` event and before any traffic: a
        run split over processes starts the traffic of all of them at once."""
        config = self.config
        raise_open_file_limit(config.stations + 256)
        recorder = self.recorder
        go = asyncio.Event()
        ready = asyncio.Event()
        pending = len(self.stations)
        gate = asyncio.Semaphore(config.connect_concurrency)

        async def lifecycle(station: SimStation | FlakyStation) -> None:
            nonlocal pending
            try:
                async with gate:
                    ok = await station.connect() and await station.boot()
                if ok:
                    self.connected += 1
            finally:
                pending -= 1
                if pending == 0:
                    ready.set()
            if not ok:
                return
            await go.wait()
            await station.run()

        self._event("connecting", stations=config.stations)
        started = time.perf_counter()
        tasks = [asyncio.create_task(lifecycle(s)) for s in self.stations]
        await ready.wait()
        connect_seconds = time.perf_counter() - started
        self._event("connected", connected=self.connected, stations=config.stations, seconds=connect_seconds)
        with quiet_collector() if config.quiet_collector else contextlib.nullcontext():
            if start_gate is not None:
                await start_gate()

            go.set()
            if config.warmup:
                self._event("warmup", seconds=config.warmup)
                await asyncio.sleep(config.warmup)
            setup, _ = recorder.swap(recording=True)
            self._event("measure-start", seconds=config.duration)
            window_started = time.perf_counter()
            await asyncio.sleep(config.duration)
            window, latency = recorder.swap(recording=False)
            window_seconds = time.perf_counter() - window_started
            self._event("measure-end", answered=window.answered, seconds=window_seconds)

            self._event("stopping")
            recorder.running = False
            for station in self.stations:
                if isinstance(station, SimStation):
                    station.interrupt()  # a paced station may be sleeping for most of an interval
            _, unfinished = await asyncio.wait(tasks, timeout=config.call_timeout + 5)
            for task in unfinished:
                task.cancel()
            closed = await asyncio.gather(*(s.close() for s in self.stations), return_exceptions=True)
        shutdown, _ = recorder.swap(recording=False)
        outbox = None
        if config.scenario.name is ScenarioName.FLAKY:
            outbox = OutboxCounts()
            for counts in closed:
                if isinstance(counts, OutboxCounts):
                    outbox.merge(counts)
                else:
                    outbox.lost += 1  # a station whose shutdown failed: its queue is unaccounted for

        everything = Counters()
        for counters in (setup, window, shutdown):
            everything.merge(counters)
        result = SimResult(
            stations=config.stations,
            connected=self.connected,
            connect_seconds=connect_seconds,
            window_seconds=window_seconds,
            window=window,
            latency=latency,
            errors=everything.errors + (outbox.lost if outbox is not None else 0),
            error_counters=everything,
            outbox=outbox,
        )
        if outbox is not None:
            self._event("outbox", **outbox.to_dict())
        self._event("done", errors=result.errors)
        return result


async def simulate(config: SimConfig, on_event: EventSink | None = None) -> SimResult:
    """Run one simulation (see :class:`Simulation`)."""
    return await Simulation(config, on_event).run()
