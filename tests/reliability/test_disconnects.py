"""The peer disconnects mid-call and comes back: a reset link, and a link that dies silently.

In both runs the station and the CSMS each have a call in flight whose handler on the other side
never answers, so only the disconnect can end those calls. They must fail promptly with
ConnectionClosedError (not hang until the call timeout), the station must reconnect on its own,
and a new call in each direction must then work.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from ocppwire.runtime import ConnectionClosedError, RetryBackOff
from ocppwire.v201 import csms, station
from ocppwire.v201 import enums as e
from ocppwire.v201 import messages as m

from ..loopback import StartCsms, eventually
from ..conftest import Figures
from .faults import FaultyProxy
from .fleet import VENDOR, echo_request

pytestmark = pytest.mark.usefixtures("each_transport")  # transport behaviour: run on websockets and picows

CALL_TIMEOUT = 30.0
BACKOFF = RetryBackOff(wait_minimum=0.05, random_range=0.05, repeat_times=2)
HANG = "hang"


class Hanging:
    """Handler mixin: a DataTransfer whose messageId is ``hang`` is never answered (until cancelled)."""

    def __init__(self) -> None:
        self.hanging = 0
        self.cancelled = 0
        self.disconnects = 0

    async def _answer(self, req: m.DataTransferRequest) -> m.DataTransferResponse:
        if req.message_id == HANG:
            self.hanging += 1
            try:
                await asyncio.sleep(3600)
            except asyncio.CancelledError:
                self.cancelled += 1
                raise
        return m.DataTransferResponse(status=e.DataTransferStatusEnumType.ACCEPTED, data=req.data)


class HangingCsms(Hanging, csms.CsmsHandler):
    async def data_transfer(
        self, station: csms.ChargingStationClient, req: m.DataTransferRequest
    ) -> m.DataTransferResponse:
        return await self._answer(req)

    async def on_disconnect(self, station: csms.ChargingStationClient) -> None:
        self.disconnects += 1


class HangingStation(Hanging, station.ChargingStationHandler):
    async def data_transfer(self, csms: station.CsmsClient, req: m.DataTransferRequest) -> m.DataTransferResponse:
        return await self._answer(req)


def hang_request() -> m.DataTransferRequest:
    return m.DataTransferRequest(vendor_id=VENDOR, message_id=HANG)


async def _calls_in_flight_both_ways(server: Any, conn: Any, identity: str) -> tuple[asyncio.Task[Any], ...]:
    to_csms = asyncio.create_task(conn.peer.data_transfer(hang_request()))
    to_station = asyncio.create_task(server.stations[identity].data_transfer(hang_request()))
    await eventually(lambda: conn.peer.session.in_flight is not None and server.stations[identity].session.in_flight)
    return to_csms, to_station


async def _failed_promptly(tasks: tuple[asyncio.Task[Any], ...], limit: float) -> float:
    """Wait for every task to raise ConnectionClosedError; return how long the slowest took."""
    loop = asyncio.get_running_loop()
    started = loop.time()
    for task in tasks:
        with pytest.raises(ConnectionClosedError):
            await asyncio.wait_for(task, limit)
    return loop.time() - started


async def _works_both_ways(server: Any, conn: Any, identity: str) -> None:
    peer = await conn.wait_connected()
    await eventually(lambda: identity in server.stations and server.stations[identity].connected)
    assert (await peer.data_transfer(echo_request("after-1"))).data == "after-1"
    assert (await server.stations[identity].data_transfer(echo_request("after-2"))).data == "after-2"


async def test_reset_link_mid_call_fails_both_pending_calls_and_the_station_comes_back(
    start_csms: StartCsms, figures: Figures
) -> None:
    csms_handler, station_handler = HangingCsms(), HangingStation()
    server = await start_csms(csms_handler, call_timeout=CALL_TIMEOUT)
    async with FaultyProxy("127.0.0.1", server.port) as proxy:
        conn = await station.connect(
            proxy.url,
            identity="CUT1",
            handler=station_handler,
            options=station.ClientOptions(call_timeout=CALL_TIMEOUT, backoff=BACKOFF),
        )
        try:
            pending = await _calls_in_flight_both_ways(server, conn, "CUT1")
            proxy.cut()
            took = await _failed_promptly(pending, limit=2.0)
            await eventually(lambda: station_handler.cancelled == 1 and csms_handler.cancelled == 1)
            await _works_both_ways(server, conn, "CUT1")
        finally:
            await conn.close(grace=1)
    figures.record("reset link mid-call", pending_calls_failed_within_s=round(took, 3), reconnects=conn.connections - 1)
    assert conn.connections == 2 and csms_handler.disconnects >= 1
    assert took < 0.5


async def test_silently_dead_link_is_found_by_pings_and_replaced_on_reconnect(
    start_csms: StartCsms, figures: Figures
) -> None:
    """The link dies without a FIN or RST. The station's pings (0.2 s, 0.3 s timeout) notice and it
    reconnects; the CSMS, pings off here, still believes in the old connection until the new one
    replaces it (duplicate-identity rule), which fails the CSMS's call pending on the dead one."""
    csms_handler, station_handler = HangingCsms(), HangingStation()
    server = await start_csms(csms_handler, call_timeout=CALL_TIMEOUT, ping_interval=0, close_timeout=0.3)
    async with FaultyProxy("127.0.0.1", server.port) as proxy:
        conn = await station.connect(
            proxy.url,
            identity="DEAD1",
            handler=station_handler,
            options=station.ClientOptions(
                call_timeout=CALL_TIMEOUT,
                backoff=BACKOFF,
                ping_interval=0.2,
                ping_timeout=0.3,
                close_timeout=0.3,
                open_timeout=0.5,
            ),
        )
        try:
            to_csms, to_station = await _calls_in_flight_both_ways(server, conn, "DEAD1")
            old_peer = server.stations["DEAD1"]
            proxy.network_down()
            station_noticed = await _failed_promptly((to_csms,), limit=3.0)
            await asyncio.sleep(0.5)  # reconnect attempts while the network is down hang and time out
            assert not to_station.done() and old_peer.connected  # the CSMS cannot know yet
            proxy.network_up()
            replaced_after = await _failed_promptly((to_station,), limit=5.0)
            await _works_both_ways(server, conn, "DEAD1")
            assert not old_peer.connected and server.stations["DEAD1"] is not old_peer
            assert csms_handler.disconnects == 1 and csms_handler.cancelled == 1  # the old one, cleaned up
        finally:
            await conn.close(grace=1)
    figures.record(
        "silently dead link",
        station_noticed_after_s=round(station_noticed, 2),
        csms_call_failed_after_network_up_s=round(replaced_after, 2),
        tcp_connections_tried=proxy.accepted,
    )
    assert station_noticed < 1.5  # ping interval + ping timeout + close timeout, not the 30 s call timeout
    assert replaced_after < 2.0  # the reconnect replaced the dead connection: back-off + handshake + close timeout
    assert proxy.accepted >= 3  # at least one attempt was swallowed while the network was down
    assert conn.connections == 2
