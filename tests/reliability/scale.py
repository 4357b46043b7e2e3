"""How big the reliability runs are: bounded for ``make test``, larger for ``make soak``.

``make soak`` sets ``OCPPWIRE_SOAK=1`` (and ``OCPPWIRE_SOAK_SECONDS``, default 120, for the timed
runs). The same tests run at either scale, so the soak exercises exactly the code that ``make
test`` keeps green, only with more stations, more frames and more time.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

__all__ = ["SCALE", "SOAK", "Scale"]

SOAK = os.environ.get("OCPPWIRE_SOAK") == "1"


@dataclass(frozen=True)
class Scale:
    restart_stations: int
    """Stations connected when the CSMS restarts."""
    crossing_stations: int
    """Stations calling (and being called) concurrently in the crossing-calls run."""
    crossing_seconds: float
    """How long the crossing-calls run lasts."""
    fuzz_frames: int
    """Fuzzed frames sent through one live connection."""
    fuzz_connections: int
    """Connections fuzzed in parallel while a well-behaved station keeps working."""
    oversized_frames: int
    """Frames over ``max_message_size`` (and decompression bombs) thrown at the CSMS process."""


def _seconds() -> float:
    return float(os.environ.get("OCPPWIRE_SOAK_SECONDS", "120"))


SCALE = (
    Scale(
        restart_stations=1000,
        crossing_stations=300,
        crossing_seconds=_seconds(),
        fuzz_frames=20_000,
        fuzz_connections=20,
        oversized_frames=200,
    )
    if SOAK
    else Scale(
        restart_stations=200,
        crossing_stations=50,
        crossing_seconds=3.0,
        fuzz_frames=1500,
        fuzz_connections=4,
        oversized_frames=20,
    )
)
