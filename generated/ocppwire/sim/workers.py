"""One simulation split over several worker processes, for fleets one simulator process cannot drive.

A simulator process is one event loop on one core, and one process may hold only as many sockets as
its open-file limit allows. So ``ocppwire-sim --processes N`` splits the fleet into N contiguous
ranges of station numbers, runs each range in its own process (a :class:`~ocppwire.sim.runner.Simulation`
each) and merges what they measured into one :class:`~ocppwire.sim.runner.SimResult`: counts and errors
add up, latency histograms add up bucket by bucket (so p50/p99/max are those of the whole fleet, not an
average of percentiles), the connect time is the slowest process's.

The processes run in step: each connects its stations, reports ``connected`` and waits; once all have,
the coordinating process (the one that started them, which sends no traffic itself) announces the
fleet's ``connected`` and lets them all start their traffic at the same moment, so their measured
windows coincide. Station numbers, identities, source addresses and random offsets depend on the
station number only, so a fleet behaves the same however it is split.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import queue
import signal
from multiprocessing.queues import Queue
from dataclasses import replace
from multiprocessing.synchronize import Event as ProcessEvent
from typing import Any

from .runner import EventSink, SimConfig, SimResult, Simulation

__all__ = ["simulate_in_processes", "split"]

_POLL = 1.0
"""Seconds between two liveness checks while waiting (for a worker's events, for the start signal)."""


def split(config: SimConfig, processes: int) -> list[SimConfig]:
    """``config`` cut into ``processes`` runs of contiguous station numbers, sizes differing by at most one;
    the handshake concurrency is shared out too."""
    if not 1 <= processes <= config.stations:
        raise ValueError(f"processes must be between 1 and the number of stations ({config.stations}), got {processes}")
    base, extra = divmod(config.stations, processes)
    parts = []
    first = config.first_station
    for index in range(processes):
        count = base + (1 if index < extra else 0)
        parts.append(
            replace(
                config,
                stations=count,
                first_station=first,
                connect_concurrency=max(1, config.connect_concurrency // processes),
            )
        )
        first += count
    return parts


def simulate_in_processes(
    config: SimConfig, processes: int, on_event: EventSink | None = None, *, loop: str = "asyncio"
) -> SimResult:
    """Run ``config`` over ``processes`` worker processes (each on event loop ``loop``) and merge their results.

    ``on_event`` sees the fleet's phase events (``connecting``, ``connected``, ``warmup``, ``measure-start``,
    ``measure-end``, ``stopping``, ``outbox``, ``done``), each once. ``RuntimeError`` if a worker fails."""
    parts = split(config, processes)
    emit = on_event or (lambda name, details: None)
    context = multiprocessing.get_context("spawn")  # no fork of a process that may hold threads or a loop
    events: Queue[tuple[int, str, Any]] = context.Queue()
    go = context.Event()
    workers = [
        context.Process(target=_worker, args=(index, part, loop, events, go), name=f"ocppwire-sim-{index}", daemon=True)
        for index, part in enumerate(parts)
    ]
    emit("connecting", {"stations": config.stations, "processes": processes})
    for worker in workers:
        worker.start()
    results: dict[int, SimResult] = {}
    connected: dict[int, dict[str, Any]] = {}
    ended: dict[int, dict[str, Any]] = {}
    announced: set[str] = set()
    stopping = 0
    try:
        while len(results) < processes:
            try:
                index, name, details = events.get(timeout=_POLL)
            except queue.Empty:
                for index, worker in enumerate(workers):
                    if index not in results and not worker.is_alive():
                        raise RuntimeError(
                            f"simulator worker {index} ended without a result (exit status {worker.exitcode})"
                        ) from None
                continue
            if name == "result":
                results[index] = SimResult.from_dict(details)
            elif name == "failed":
                raise RuntimeError(f"simulator worker {index} failed: {details}")
            elif name == "connected":
                connected[index] = details
                if len(connected) == processes:
                    emit(
                        "connected",
                        {
                            "connected": sum(d["connected"] for d in connected.values()),
                            "stations": config.stations,
                            "seconds": max(d["seconds"] for d in connected.values()),
                        },
                    )
                    go.set()
            elif name == "measure-end":
                ended[index] = details
                if len(ended) == processes:
                    emit(
                        "measure-end",
                        {
                            "answered": sum(d["answered"] for d in ended.values()),
                            "seconds": max(d["seconds"] for d in ended.values()),
                        },
                    )
            elif name == "stopping":
                stopping += 1
                if stopping == processes:  # after the fleet's measure-end: every worker sends that first
                    emit(name, details)
            elif name in ("warmup", "measure-start") and name not in announced:
                announced.add(name)  # the first worker to get there speaks for all: they started together
                emit(name, details)
    finally:
        go.set()  # a worker still waiting to start must not wait for ever
        for worker in workers:
            worker.join(timeout=0 if len(results) < processes else 30)
            if worker.is_alive():
                worker.terminate()
                worker.join()
        events.close()
    merged = results[0]
    for index in range(1, processes):
        merged.merge(results[index])
    if merged.outbox is not None:
        emit("outbox", merged.outbox.to_dict())
    emit("done", {"errors": merged.errors})
    return merged


def _worker(index: int, config: SimConfig, loop: str, events: Queue[tuple[int, str, Any]], go: ProcessEvent) -> None:
    """One worker process: its share of the fleet, reporting every phase and its result to the coordinator."""
    from ocppwire.runtime.loops import run

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the coordinator's to handle: it ends the workers
    parent = os.getppid()

    def sink(name: str, details: dict[str, Any]) -> None:
        events.put((index, name, details))

    def wait_for_start() -> None:
        while not go.wait(_POLL):
            if os.getppid() != parent:  # the coordinator is gone: nobody will ever say go
                raise RuntimeError("the coordinating simulator process ended")

    async def start_gate() -> None:
        await asyncio.to_thread(wait_for_start)

    try:
        result = run(Simulation(config, sink).run(start_gate), loop=loop)
    except BaseException as exc:
        events.put((index, "failed", f"{type(exc).__name__}: {exc}"))
        raise
    events.put((index, "result", result.to_dict()))
