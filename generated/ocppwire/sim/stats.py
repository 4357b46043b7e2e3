"""What the simulator measures: round-trip latencies in a mergeable histogram, and outcome counters.

Latencies go into fixed logarithmic buckets (2 % wide, 1 µs to 100 s) rather than a list of samples:
recording is one ``log`` and one increment, memory stays constant however long a run lasts, and
histograms from several processes add up bucket by bucket. Percentiles are therefore exact to
within one bucket (±1 %), which is far below run-to-run noise.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = ["Counters", "LatencyHistogram"]

_BASE = 1.02
_LOG_BASE = math.log(_BASE)
_SMALLEST = 1e-6  # seconds: everything faster lands in bucket 0
_BUCKETS = int(math.log(100.0 / _SMALLEST) / _LOG_BASE) + 2


class LatencyHistogram:
    """Round-trip times in seconds, bucketed logarithmically."""

    __slots__ = ("counts", "count", "total", "smallest", "largest")

    def __init__(self) -> None:
        self.counts = [0] * _BUCKETS
        self.count = 0
        self.total = 0.0
        self.smallest = math.inf
        self.largest = 0.0

    def record(self, seconds: float) -> None:
        """Add one round trip."""
        index = int(math.log(seconds / _SMALLEST) / _LOG_BASE) + 1 if seconds > _SMALLEST else 0
        self.counts[min(index, _BUCKETS - 1)] += 1
        self.count += 1
        self.total += seconds
        if seconds < self.smallest:
            self.smallest = seconds
        if seconds > self.largest:
            self.largest = seconds

    def percentile(self, q: float) -> float:
        """The ``q``-th percentile (0–100) in seconds; ``nan`` when nothing was recorded."""
        if not self.count:
            return math.nan
        rank = max(1, math.ceil(self.count * q / 100.0))
        seen = 0
        for index, n in enumerate(self.counts):
            seen += n
            if seen >= rank:
                if index == 0:
                    return self.smallest
                if index == _BUCKETS - 1:  # the overflow bucket: beyond 100 s
                    return self.largest
                middle = _SMALLEST * math.pow(_BASE, index - 0.5)
                return min(max(middle, self.smallest), self.largest)
        return self.largest

    @property
    def mean(self) -> float:
        """Mean round trip in seconds; ``nan`` when nothing was recorded."""
        return self.total / self.count if self.count else math.nan

    def merge(self, other: LatencyHistogram) -> None:
        """Add every round trip of ``other`` (e.g. from another load-generator process)."""
        self.counts = [a + b for a, b in zip(self.counts, other.counts)]
        self.count += other.count
        self.total += other.total
        self.smallest = min(self.smallest, other.smallest)
        self.largest = max(self.largest, other.largest)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form, sparse (only non-empty buckets)."""
        return {
            "buckets": {str(i): n for i, n in enumerate(self.counts) if n},
            "count": self.count,
            "total": self.total,
            "min": None if self.count == 0 else self.smallest,
            "max": self.largest,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LatencyHistogram:
        """The inverse of :meth:`to_dict`."""
        hist = cls()
        for index, n in data["buckets"].items():
            hist.counts[int(index)] = n
        hist.count = data["count"]
        hist.total = data["total"]
        hist.smallest = math.inf if data["min"] is None else data["min"]
        hist.largest = data["max"]
        return hist


@dataclass
class Counters:
    """Outcome counts of one run. Every field except ``sent`` and ``answered`` is an error."""

    sent: int = 0
    """CALLs written."""
    answered: int = 0
    """Valid CALLRESULTs received for them."""
    call_errors: Counter[str] = field(default_factory=Counter)
    """CALLERRORs received, by errorCode."""
    invalid_responses: int = 0
    """Answers that broke the frame format or the response schema."""
    timeouts: int = 0
    """CALLs that got no answer within the call timeout."""
    connect_failures: int = 0
    """Stations that could not connect (refused, timed out, handshake rejected)."""
    disconnects: int = 0
    """Connections the CSMS closed or lost while the station was running."""
    boot_rejected: int = 0
    """BootNotifications answered with a status other than Accepted."""
    stray_frames: int = 0
    """Frames matching no CALL of the station (unknown messageId)."""

    @property
    def errors(self) -> int:
        """Everything that went wrong, summed."""
        return (
            sum(self.call_errors.values())
            + self.invalid_responses
            + self.timeouts
            + self.connect_failures
            + self.disconnects
            + self.boot_rejected
            + self.stray_frames
        )

    def merge(self, other: Counters) -> None:
        """Add ``other``'s counts to these."""
        for name in (
            "sent",
            "answered",
            "invalid_responses",
            "timeouts",
            "connect_failures",
            "disconnects",
            "boot_rejected",
            "stray_frames",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.call_errors.update(other.call_errors)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form (with the ``errors`` total)."""
        data = asdict(self)
        data["call_errors"] = dict(self.call_errors)
        data["errors"] = self.errors
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Counters:
        """The inverse of :meth:`to_dict`."""
        values = {k: v for k, v in data.items() if k != "errors"}
        values["call_errors"] = Counter(values.get("call_errors", {}))
        return cls(**values)
