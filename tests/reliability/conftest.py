"""Reliability fixtures: the runtime's loopback fixtures, a free port, and a figures table.

Tests record the numbers they measure (reconnect times, call counts, fuzz cases) with the
``figures`` fixture; they are printed at the end of the run, so ``make test`` and ``make soak``
both show the figures ``docs/reliability.md`` quotes.
"""

from __future__ import annotations

import socket
from typing import Any

import pytest

from tests.runtime.conftest import raw_connect, start_csms, start_station  # noqa: F401

_FIGURES: list[tuple[str, dict[str, Any]]] = []


class Figures:
    def record(self, name: str, **values: Any) -> None:
        _FIGURES.append((name, values))


@pytest.fixture
def figures() -> Figures:
    return Figures()


@pytest.fixture
def free_port() -> int:
    """A TCP port nothing listens on (for a CSMS that must come back on the same port)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not _FIGURES:
        return
    terminalreporter.section("reliability figures")
    for name, values in _FIGURES:
        terminalreporter.write_line(f"{name}: " + ", ".join(f"{k}={v}" for k, v in values.items()))
