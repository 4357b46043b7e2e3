"""Reliability fixtures: the runtime's loopback fixtures and a free port (``figures`` is in tests/conftest.py)."""

from __future__ import annotations

import socket

import pytest

from tests.loopback import raw_connect, start_csms, start_station  # noqa: F401


@pytest.fixture
def free_port() -> int:
    """A TCP port nothing listens on (for a CSMS that must come back on the same port)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
