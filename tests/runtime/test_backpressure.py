"""One station cannot make the CSMS spend without bound: pipelined calls are held back by TCP.

Findings of the "Safe to expose" review, each over a real loopback connection:

- a station pipelining slow calls ran thousands of handlers at once; now at most
  ``max_incoming_calls`` run, and the connection simply stops being read beyond that;
- a station pipelining Heartbeats and never reading the answers grew the CSMS by hundreds of MiB;
  now the answers it does not read stall at most ``max_incoming_calls`` writes, reading stops, and
  after ``send_timeout`` the connection is dropped.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os

import psutil

from ocppwire.v201 import csms
from ocppwire.v201 import enums as e
from ocppwire.v201 import messages as m
from ocppwire.v201 import types as t

from ..loopback import RawConnect, StartCsms, eventually
import pytest

pytestmark = pytest.mark.usefixtures("each_transport")  # transport behaviour: run on websockets and picows

NOW = dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)
AUTHORIZE = '[2,"{}","Authorize",{{"idToken":{{"idToken":"T","type":"ISO14443"}}}}]'


async def _pipeline(raw: object, frames: int, template: str) -> None:
    ws = raw.ws  # type: ignore[attr-defined]
    for n in range(frames):
        await ws.send(template.format(n))


async def test_slow_handler_flood_runs_a_bounded_number_of_handlers(
    start_csms: StartCsms, raw_connect: RawConnect
) -> None:
    running = 0
    most = 0

    class SlowCsms(csms.CsmsHandler):
        async def authorize(self, station: csms.ChargingStationClient, req: m.AuthorizeRequest) -> m.AuthorizeResponse:
            nonlocal running, most
            running += 1
            most = max(most, running)
            try:
                await asyncio.sleep(0.5)
            finally:
                running -= 1
            return m.AuthorizeResponse(id_token_info=t.IdTokenInfoType(status=e.AuthorizationStatusEnumType.ACCEPTED))

    server = await start_csms(SlowCsms(), max_incoming_calls=4)
    raw = await raw_connect(server, "FLOOD")
    flood = asyncio.create_task(_pipeline(raw, 20_000, AUTHORIZE))
    await asyncio.sleep(2.0)
    flood.cancel()
    await asyncio.gather(flood, return_exceptions=True)
    assert 1 <= most <= 4
    assert server.stations["FLOOD"].session.handling <= 4
    answers = [await raw.recv() for _ in range(4)]  # it is still served, in order, as it reads
    assert [a[:2] for a in answers] == [[3, "0"], [3, "1"], [3, "2"], [3, "3"]]
    # A server shutting down is not held up by a station with thousands of calls still in the pipe.
    loop = asyncio.get_running_loop()
    started = loop.time()
    await server.close(grace=0.5)
    assert loop.time() - started < 15
    raw.ws.transport.abort()


async def test_station_that_never_reads_is_bounded_then_dropped(start_csms: StartCsms, raw_connect: RawConnect) -> None:
    class FastCsms(csms.CsmsHandler):
        async def data_transfer(
            self, station: csms.ChargingStationClient, req: m.DataTransferRequest
        ) -> m.DataTransferResponse:  # a 32 KiB answer to a 60-byte request: the kernel buffers fill fast
            return m.DataTransferResponse(status=e.DataTransferStatusEnumType.ACCEPTED, data="x" * 32768)

    process = psutil.Process(os.getpid())
    server = await start_csms(FastCsms(), send_timeout=1.0, compression=False)
    raw = await raw_connect(server, "DEAF", compression=None)
    raw.ws.transport.pause_reading()  # the station never reads our answers
    before = process.memory_info().rss
    flood = asyncio.create_task(_pipeline(raw, 2_000_000, '[2,"{}","DataTransfer",{{"vendorId":"v"}}]'))
    await eventually(lambda: "DEAF" not in server.stations, timeout=15)  # dropped after send_timeout
    growth = (process.memory_info().rss - before) / 2**20
    flood.cancel()
    await asyncio.gather(flood, return_exceptions=True)
    assert growth < 64, f"RSS grew by {growth:.0f} MiB"
