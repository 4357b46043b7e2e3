"""The CSMS restarts under load: hundreds of stations reconnect, and no call vanishes.

Every station keeps calling the CSMS and the CSMS keeps calling every station (echo DataTransfers
with per-call tokens, handlers answering after a random delay so calls are always in flight).
Then the CSMS goes away — gracefully (close frames, grace period) or by crashing (TCP reset, no
close frame) — and comes back on the same port. The run checks:

- every call either completes with *its own* answer or raises a documented error; none vanishes;
- calls in flight when the connection died fail at once (ConnectionClosedError), not after the
  call timeout — no CallTimeoutError at all;
- every station reconnects with back-off and completes a new call after the restart.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from ocppwire.runtime import RetryBackOff
from ocppwire.v201 import csms

from ..conftest import Figures
from ..loopback import FLEET_LIMITS
from .faults import crash
from .fleet import EchoCsms, Workload, echo_request, start_fleet
from .ledger import Ledger
from .scale import SCALE

pytestmark = pytest.mark.usefixtures("each_transport")  # transport behaviour: run on websockets and picows

CALL_TIMEOUT = 20.0  # far above any prompt failure, so a timeout would stand out
BACKOFF = RetryBackOff(wait_minimum=0.1, random_range=0.5, repeat_times=3)


async def _all_reconnected(server: Any, count: int, timeout: float) -> float:
    loop = asyncio.get_running_loop()
    started = loop.time()
    while len(server.stations) < count:
        if loop.time() - started > timeout:
            raise AssertionError(f"only {len(server.stations)} of {count} stations reconnected in {timeout} s")
        await asyncio.sleep(0.02)
    return loop.time() - started


@pytest.mark.parametrize("how", ["crash", "graceful"])
async def test_csms_restart_under_load(how: str, free_port: int, figures: Figures) -> None:
    count = SCALE.restart_stations
    loop = asyncio.get_running_loop()
    handler = EchoCsms(max_delay=0.05)
    options: dict[str, Any] = {"call_timeout": CALL_TIMEOUT, "ping_interval": 0}
    server_options = csms.ServerOptions(**FLEET_LIMITS, **options)
    servers = [await csms.serve(handler, "127.0.0.1", free_port, options=server_options)]
    clients = await start_fleet(servers[0].url, count, backoff=BACKOFF, handler_delay=0.05, **options)
    at_stations, at_csms = Ledger(), Ledger()
    stations_work, csms_work = Workload(at_stations, "st"), Workload(at_csms, "cs")
    loops = [asyncio.create_task(stations_work.station_loop(c, pause=0.05)) for c in clients]
    loops.append(asyncio.create_task(csms_work.csms_loop(lambda: servers[-1], pause=0.05)))
    try:
        await asyncio.sleep(1.0)
        in_flight = (at_stations.pending, at_csms.pending)
        went_down = loop.time()
        if how == "crash":
            await crash(servers[0])
        else:
            await servers[0].close(grace=1.0)
        down_for = loop.time() - went_down
        await asyncio.sleep(0.5)  # stations find nobody listening and back off
        servers.append(await csms.serve(handler, "127.0.0.1", free_port, options=server_options))
        reconnect = await _all_reconnected(servers[-1], count, timeout=60)
        # every station completes a call of its own on the new connection
        fresh = Ledger()
        for client in clients:
            peer = await client.wait_connected()
            fresh.track(peer.data_transfer(echo_request(f"fresh-{client.identity}")))
        assert await fresh.settle(timeout=30) == 0
        assert fresh.completed == count, fresh.summary()
    finally:
        stations_work.running = csms_work.running = False
        await asyncio.wait(loops, timeout=CALL_TIMEOUT + 5)
        vanished = await at_stations.settle(timeout=CALL_TIMEOUT + 5) + await at_csms.settle(timeout=5)
        await asyncio.gather(*(c.close(grace=1) for c in clients))
        for server in servers:
            await server.close(grace=1)

    failures = at_stations.failure_times + at_csms.failure_times
    failed_within = max(failures) - went_down
    figures.record(
        f"restart ({how}, {count} stations)",
        in_flight_at_restart=f"{in_flight[0]} station→csms + {in_flight[1]} csms→station",
        failed_within_s=round(failed_within, 2),
        shutdown_s=round(down_for, 2),
        all_reconnected_s=round(reconnect, 2),
        station_calls=at_stations.summary(),
        csms_calls=at_csms.summary(),
    )
    for ledger in (at_stations, at_csms):
        assert ledger.unexpected == [] and ledger.misrouted == 0
        assert ledger.failed.get("CallTimeoutError", 0) == 0, ledger.summary()
        assert ledger.completed > count  # the load really ran on both sides
    assert vanished == 0
    assert min(in_flight) > 0  # the restart really hit calls in flight, in both directions
    # every failure happened while the CSMS went down, none at the call timeout or after the restart
    assert min(failures) >= went_down and failed_within < down_for + 0.5
    assert all(client.connections == 2 for client in clients)
