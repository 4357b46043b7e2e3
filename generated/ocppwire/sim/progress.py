"""The live progress line the simulator keeps rewriting while it runs (only on a terminal)."""

from __future__ import annotations

import asyncio
import sys
import time
from typing import TextIO

from .runner import Simulation

__all__ = ["show_progress"]


def _line(sim: Simulation, rate: float) -> str:
    recorder = sim.recorder
    elapsed = time.perf_counter() - sim.phase_started
    latency = recorder.latency
    parts = [
        f"{sim.phase:<13} {elapsed:6.1f} s",
        f"stations {sim.connected:,}/{len(sim.stations):,}",
        f"{rate:,.0f} round trips/s",
    ]
    if recorder.recording and latency.count:
        parts.append(f"p50 {latency.percentile(50) * 1e3:.2f} ms  p99 {latency.percentile(99) * 1e3:.2f} ms")
    parts.append(f"errors {recorder.counters.errors:,}")
    return "  ".join(parts)


async def show_progress(sim: Simulation, stream: TextIO = sys.stderr, every: float = 0.5) -> None:
    """Rewrite one status line on ``stream`` every ``every`` seconds until cancelled."""
    last_count, last_time = 0, time.perf_counter()
    last_counters = sim.recorder.counters
    try:
        while True:
            await asyncio.sleep(every)
            now = time.perf_counter()
            counters = sim.recorder.counters
            answered = counters.answered
            if counters is not last_counters:  # a new phase started counting from zero
                last_count, last_counters = 0, counters
            rate = (answered - last_count) / (now - last_time)
            last_count, last_time = answered, now
            stream.write("\r" + _line(sim, rate) + "\x1b[K")
            stream.flush()
    finally:
        stream.write("\r\x1b[K")
        stream.flush()
