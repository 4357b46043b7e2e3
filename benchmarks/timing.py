"""Timing of operations: calibrated loops, repeated in interleaved rounds, reduced to the median.

Each operation first gets a loop count that takes about ``min_time`` seconds. Then all operations
of one comparison are timed round-robin, ``repeats`` rounds, and each keeps the median time per
call. Interleaving matters on a shared machine: a burst of load from another process lands on
every contender of a round alike instead of on whichever happened to be running, so the *ratios*
stay stable even when the absolute numbers move. The garbage collector stays on (real code pays
for its garbage) but every timed loop starts from a clean slate.
"""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["Budget", "Op", "measure", "measure_all"]

Op = tuple[Callable[[Any], object], Any]
"""One operation to time: a function and the argument it is called with."""


@dataclass(frozen=True)
class Budget:
    """How long to measure each operation."""

    repeats: int = 7
    """Timed rounds; the median is reported."""
    min_time: float = 0.04
    """Seconds one timed loop should last (the loop count is calibrated to reach it)."""

    @classmethod
    def quick(cls) -> Budget:
        """For debugging the benchmark itself: numbers are noisy."""
        return cls(repeats=3, min_time=0.01)


def _loop(fn: Callable[[Any], object], arg: Any, count: int) -> float:
    start = time.perf_counter()
    for _ in range(count):
        fn(arg)
    return time.perf_counter() - start


def _calibrate(fn: Callable[[Any], object], arg: Any, min_time: float) -> int:
    fn(arg)  # warm caches (decoders, validators) outside the timing
    count = 1
    while True:
        elapsed = _loop(fn, arg, count)
        if elapsed >= min_time / 4 or count >= 1 << 24:
            break
        count *= 4 if elapsed < min_time / 64 else 2
    return max(1, round(count * min_time / max(elapsed, 1e-9)))


def measure_all(ops: Sequence[Op], budget: Budget) -> list[float]:
    """Median seconds per call of every operation, timed in interleaved rounds."""
    counts = [_calibrate(fn, arg, budget.min_time) for fn, arg in ops]
    samples: list[list[float]] = [[] for _ in ops]
    for _ in range(budget.repeats):
        for index, ((fn, arg), count) in enumerate(zip(ops, counts)):
            gc.collect()
            samples[index].append(_loop(fn, arg, count) / count)
    return [statistics.median(s) for s in samples]


def measure(fn: Callable[[Any], object], arg: Any, budget: Budget) -> float:
    """Median seconds per ``fn(arg)`` call."""
    return measure_all([(fn, arg)], budget)[0]
