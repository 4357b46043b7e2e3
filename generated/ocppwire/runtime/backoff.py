"""The OCPP reconnect back-off (OCPPCommCtrlr.RetryBackOff* variables).

A Charging Station that lost its connection must not hammer the CSMS: thousands of stations
reconnecting at the same instant after a CSMS restart would overload it. OCPP therefore prescribes
(OCPP-J, reconnecting; variables of the OCPPCommCtrlr component): wait ``RetryBackOffWaitMinimum`` seconds plus a random part of up to
``RetryBackOffRandomRange`` seconds; double the wait after every failed attempt, at most
``RetryBackOffRepeatTimes`` times; after that keep the wait constant.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

__all__ = ["RetryBackOff"]


@dataclass(frozen=True)
class RetryBackOff:
    """Reconnect delays following the OCPP RetryBackOff rule.

    ``rng`` returns a float in ``[0, 1)`` (``random.random`` by default; tests pass a fixed one).
    The random part is drawn anew for every attempt and is not doubled.
    """

    wait_minimum: float = 10.0
    """RetryBackOffWaitMinimum: the first wait, in seconds."""
    random_range: float = 10.0
    """RetryBackOffRandomRange: upper bound of the random seconds added to each wait."""
    repeat_times: int = 5
    """RetryBackOffRepeatTimes: how many times the wait doubles before it stays constant."""
    rng: Callable[[], float] = field(default=random.random, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.wait_minimum < 0 or self.random_range < 0 or self.repeat_times < 0:
            raise ValueError("RetryBackOff values must not be negative")

    def delay(self, attempt: int) -> float:
        """The wait before reconnect attempt ``attempt`` (0 = the first attempt after a failure)."""
        base = self.wait_minimum * 2.0 ** min(attempt, self.repeat_times)
        return base + self.random_range * self.rng()

    def delays(self) -> Iterator[float]:
        """The endless sequence of waits for consecutive failed attempts."""
        attempt = 0
        while True:
            yield self.delay(attempt)
            attempt += 1
