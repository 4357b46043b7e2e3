"""The hook a cluster plugs into (ServerOptions.cluster): attach, connected / disconnected, drop, detach."""

from __future__ import annotations

import asyncio
from typing import Any

from ocppwire.runtime.options import ClientOptions, ServerOptions
from ocppwire.runtime.roles import Peer
from ocppwire.runtime.server import OcppServer
from ocppwire.v201 import csms, station


class Recorder:
    def __init__(self) -> None:
        self.events: list[tuple[str, str]] = []
        self.server: OcppServer[Any, Any] | None = None

    async def attach(self, server: OcppServer[Any, Any]) -> Recorder:
        self.server = server
        self.events.append(("attach", ""))
        return self

    def wrap_handler(self, handler: Any) -> Any:
        return handler

    def station_connected(self, peer: Peer) -> None:
        self.events.append(("connected", peer.identity))

    def station_disconnected(self, peer: Peer) -> None:
        self.events.append(("disconnected", peer.identity))

    async def detach(self) -> None:
        self.events.append(("detach", ""))


async def test_observer_sees_every_connection_and_can_drop_one() -> None:
    recorder = Recorder()
    options = ServerOptions(cluster=recorder, shutdown_grace=0.2)
    client = ClientOptions(reconnect=False, shutdown_grace=0.1)
    async with csms.serve(csms.CsmsHandler(), "127.0.0.1", 0, options=options) as server:
        assert server.observer is recorder and recorder.events == [("attach", "")]
        first = await station.connect(server.url, identity="CS1", handler=station.ChargingStationHandler(), options=client)
        for _ in range(100):
            if "CS1" in server.stations:
                break
            await asyncio.sleep(0.01)
        old = server.stations["CS1"]
        second = await station.connect(server.url, identity="CS1", handler=station.ChargingStationHandler(), options=client)
        for _ in range(100):
            if not first.connected:
                break
            await asyncio.sleep(0.01)
        peer = server.stations["CS1"]
        await server.drop(old)  # no longer the current connection of CS1: nothing happens
        assert server.stations["CS1"] is peer
        await server.drop(peer, "moved elsewhere")
        for _ in range(100):
            if "CS1" not in server.stations:
                break
            await asyncio.sleep(0.01)
        assert not second.connected or "CS1" not in server.stations
        await first.close()
        await second.close()
    assert recorder.events == [
        ("attach", ""),
        ("connected", "CS1"),
        ("disconnected", "CS1"),
        ("connected", "CS1"),
        ("disconnected", "CS1"),
        ("detach", ""),
    ]
