"""Reuse the runtime tests' loopback CSMS and station fixtures."""

from ..runtime.conftest import start_csms, start_station

__all__ = ["start_csms", "start_station"]
