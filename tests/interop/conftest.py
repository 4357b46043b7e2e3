"""Interop tests reuse the runtime fixtures (servers and stations on loopback, closed after each test)."""

from tests.runtime.conftest import raw_connect, start_csms, start_station  # noqa: F401
