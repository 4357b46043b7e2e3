"""Loopback fixtures for every test folder: CSMS servers and stations on real sockets, and a raw client.

Registered for the whole suite by ``tests/conftest.py``.

Servers listen on 127.0.0.1 with an ephemeral port; every server and station a test starts is
closed when the test ends, so nothing leaks between tests.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import Any

import pytest
from websockets.asyncio.client import ClientConnection
from websockets.asyncio.client import connect as ws_connect

from ocppwire.runtime.options import ClientOptions, ServerOptions
from ocppwire.v201 import csms, station

FLEET_LIMITS: dict[str, Any] = {
    "max_pending_handshakes": 100_000,
    "max_connections_per_address": 100_000,
    "handshake_rate": 1_000_000.0,
    "handshake_burst": 100_000,
}
"""ServerOptions for tests that connect (and reconnect) fleets of hundreds of stations from 127.0.0.1:
the per-address limits, right for an exposed CSMS, would refuse them."""

StartCsms = Callable[..., Awaitable[csms.CsmsServer]]
StartStation = Callable[..., Awaitable[station.StationConnection]]


@pytest.fixture
async def start_csms() -> AsyncIterator[StartCsms]:
    servers: list[csms.CsmsServer] = []

    async def start(handler: csms.CsmsHandler | None = None, **options: Any) -> csms.CsmsServer:
        """Start a CSMS; keyword arguments are :class:`ServerOptions` fields."""
        server = await csms.serve(handler or csms.CsmsHandler(), "127.0.0.1", 0, options=ServerOptions(**options))
        servers.append(server)
        return server

    yield start
    for server in servers:
        await server.close(grace=1)


@pytest.fixture
async def start_station() -> AsyncIterator[StartStation]:
    clients: list[station.StationConnection] = []

    async def start(
        server: csms.CsmsServer,
        identity: str = "CS1",
        handler: station.ChargingStationHandler | None = None,
        **options: Any,
    ) -> station.StationConnection:
        """Connect a station (no reconnecting unless asked); keyword arguments are :class:`ClientOptions` fields."""
        options.setdefault("reconnect", False)
        client = station.connect(
            server.url,
            identity=identity,
            handler=handler or station.ChargingStationHandler(),
            options=ClientOptions(**options),
        )
        clients.append(client)
        return await client

    yield start
    for client in clients:
        await client.close(grace=1)


class RawStation:
    """A bare WebSocket client that sends hand-written frames and reads raw answers."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws

    async def send(self, frame: str | bytes) -> None:
        await self.ws.send(frame, text=True)

    async def recv(self, timeout: float = 3.0) -> Any:
        return json.loads(await asyncio.wait_for(self.ws.recv(), timeout))

    async def exchange(self, frame: str | bytes, timeout: float = 3.0) -> Any:
        await self.send(frame)
        return await self.recv(timeout)

    async def expect_silence(self, seconds: float = 0.2) -> None:
        try:
            message = await asyncio.wait_for(self.ws.recv(), seconds)
        except TimeoutError:
            return
        raise AssertionError(f"expected no answer, got {message!r}")


RawConnect = Callable[..., Awaitable[RawStation]]


@pytest.fixture
async def raw_connect() -> AsyncIterator[RawConnect]:
    sockets: list[ClientConnection] = []

    async def connect(
        server: csms.CsmsServer, identity: str = "RAW1", subprotocols: Sequence[str] = ("ocpp2.0.1",), **kwargs: Any
    ) -> RawStation:
        offered = list(subprotocols) or None  # an empty list would send an empty header
        ws = await ws_connect(f"{server.url}/{identity}", subprotocols=offered, proxy=None, **kwargs)  # type: ignore[arg-type]
        sockets.append(ws)
        return RawStation(ws)

    yield connect
    for ws in sockets:
        await ws.close()


async def eventually(predicate: Callable[[], bool], timeout: float = 3.0) -> None:
    """Wait until ``predicate()`` is true (polling), failing the test after ``timeout`` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.01)
