"""Slow handlers against timeouts, and crossing calls under load, over many real connections.

Each call is an echo DataTransfer whose ``data`` says how long the other side's handler should
take (and, for the crossing run, whether it should call back first). The outcome of every call is
therefore known in advance and checked one by one, not just in aggregate.
"""

from __future__ import annotations

import asyncio
import random
from typing import Any

from ocppwire.runtime import CallTimeoutError
from ocppwire.v201 import csms, station
from ocppwire.v201 import enums as e
from ocppwire.v201 import messages as m

from ..loopback import FLEET_LIMITS, StartCsms, eventually
from ..conftest import Figures
from .fleet import VENDOR, start_fleet
from .ledger import Ledger
from .scale import SCALE
import pytest

pytestmark = pytest.mark.usefixtures("each_transport")  # transport behaviour: run on websockets and picows

ACCEPTED = e.DataTransferStatusEnumType.ACCEPTED


def request(token: str, delay: float = 0.0, nest: bool = False) -> m.DataTransferRequest:
    return m.DataTransferRequest(
        vendor_id=VENDOR, message_id="load", data={"token": token, "delay": delay, "nest": nest}
    )


async def answer(peer: Any, req: m.DataTransferRequest) -> m.DataTransferResponse:
    """Sleep as asked, optionally make a call back to the caller first, then echo the token."""
    data = req.data
    assert isinstance(data, dict)
    if data["nest"]:
        back = await peer.data_transfer(request(f"{data['token']}/back"))
        assert back.data["token"] == f"{data['token']}/back"
    await asyncio.sleep(data["delay"])
    return m.DataTransferResponse(status=ACCEPTED, data={"token": data["token"]})


class LoadCsms(csms.CsmsHandler):
    async def data_transfer(
        self, station: csms.ChargingStationClient, req: m.DataTransferRequest
    ) -> m.DataTransferResponse:
        return await answer(station, req)


class LoadStation(station.ChargingStationHandler):
    async def data_transfer(self, csms: station.CsmsClient, req: m.DataTransferRequest) -> m.DataTransferResponse:
        return await answer(csms, req)


def _echoes(token: str) -> Any:
    return lambda response: response.data == {"token": token}


async def _start(start_csms: StartCsms, count: int, prefix: str, **options: Any) -> tuple[Any, list[Any]]:
    server = await start_csms(LoadCsms(), **FLEET_LIMITS, **options)
    clients = await start_fleet(
        server.url, count, prefix=prefix, reconnect=False, handler=lambda i: LoadStation(), **options
    )
    await eventually(lambda: len(server.stations) == count, timeout=10)
    return server, clients


async def test_slow_handlers_time_out_and_free_the_slot(start_csms: StartCsms, figures: Figures) -> None:
    """Half the handlers answer well inside the timeout, half well after it. Fast calls complete with
    their own answer, slow ones raise CallTimeoutError at the timeout, the slot is freed for the
    next call, and every late answer is dropped and counted (never handed to a later call)."""
    timeout, count, rounds = 0.5, SCALE.crossing_stations, 6
    server, clients = await _start(start_csms, count, "SLOW", call_timeout=timeout)
    rng = random.Random(6)
    outcomes: dict[str, list[tuple[bool, Any, float]]] = {"station": [], "csms": []}
    loop = asyncio.get_running_loop()

    async def one(side: str, peer: Any, token: str) -> None:
        slow = rng.random() < 0.5
        # fast answers leave 0.45 s of headroom before the timeout, so a stall of the shared cores
        # cannot turn one into a timeout; slow ones come 0.8 s or more after it
        delay = rng.uniform(1.3, 1.5) if slow else rng.uniform(0.0, 0.05)
        started = loop.time()
        try:
            result: Any = await peer.data_transfer(request(token, delay))
        except CallTimeoutError as exc:
            result = exc
        outcomes[side].append((slow, result if isinstance(result, Exception) else result.data, loop.time() - started))

    async def series(side: str, peer: Any, name: str) -> None:
        for i in range(rounds):
            await one(side, peer, f"{name}-{i}")

    await asyncio.gather(
        *(series("station", c.peer, c.identity) for c in clients),
        *(series("csms", server.stations[c.identity], f"to-{c.identity}") for c in clients),
    )
    await asyncio.sleep(2.0)  # every slow handler has answered by now: late answers have arrived
    late = sum(c.peer.stats.late_responses for c in clients) + sum(
        p.stats.late_responses for p in server.stations.values()
    )
    unknown = sum(c.peer.stats.unknown_responses for c in clients) + sum(
        p.stats.unknown_responses for p in server.stations.values()
    )
    timeouts = 0
    for side, results in outcomes.items():
        assert len(results) == count * rounds
        for slow, result, took in results:
            if slow:
                assert isinstance(result, CallTimeoutError), (side, result)
                assert timeout <= took < timeout + 0.6, took  # generous: two shared cores under load
                timeouts += 1
            else:
                assert isinstance(result, dict) and "token" in result, (side, result)
    assert late == timeouts and unknown == 0
    figures.record(
        f"slow handlers ({count} stations, timeout {timeout} s)",
        calls=2 * count * rounds,
        timed_out=timeouts,
        late_answers_dropped=late,
        max_timeout_overshoot_ms=round(1000 * max(t - timeout for r in outcomes.values() for s, _, t in r if s)),
    )


async def test_crossing_calls_under_load(start_csms: StartCsms, figures: Figures) -> None:
    """Every station calls the CSMS while the CSMS calls every station, continuously; one station
    call in five makes the CSMS handler call the station back before answering (as a CSMS that asks
    GetVariables while handling a BootNotification). Nothing times out, every caller gets its own
    answer, and both ends of every connection agree on the counts.

    Only one side nests: if handlers on *both* sides called back while both sides had a call in
    flight, each callback would wait for a slot the other holds — the cycle docs/runtime.md names as
    unresolvable in OCPP-J (an earlier version of this test hit it: one timeout per connection)."""
    count, seconds = SCALE.crossing_stations, SCALE.crossing_seconds
    server, clients = await _start(start_csms, count, "X", call_timeout=20.0)
    at_stations, at_csms = Ledger(), Ledger()
    rng = random.Random(7)
    running = True
    crossing_samples: list[int] = []

    async def calls(ledger: Ledger, peer: Any, name: str, nesting: float) -> None:
        i = 0
        while running:
            token = f"{name}-{i}"
            i += 1
            nest = rng.random() < nesting
            await ledger.track(peer.data_transfer(request(token, rng.uniform(0, 0.005), nest)), _echoes(token))

    async def sample() -> None:
        while running:
            both = sum(
                1
                for c in clients
                if c.peer.session.in_flight is not None and server.stations[c.identity].session.in_flight is not None
            )
            crossing_samples.append(both)
            await asyncio.sleep(0.01)

    tasks = [asyncio.create_task(calls(at_stations, c.peer, c.identity, 0.2)) for c in clients]
    tasks += [asyncio.create_task(calls(at_csms, server.stations[c.identity], f"to-{c.identity}", 0)) for c in clients]
    sampler = asyncio.create_task(sample())
    await asyncio.sleep(seconds)
    running = False
    await asyncio.wait(tasks + [sampler], timeout=25)
    vanished = await at_stations.settle(5) + await at_csms.settle(5)

    for ledger in (at_stations, at_csms):
        assert ledger.unexpected == [] and dict(ledger.failed) == {} and ledger.misrouted == 0, ledger.summary()
    assert vanished == 0
    for client in clients:
        ours, theirs = client.peer.stats, server.stations[client.identity].stats
        assert ours.calls_sent == theirs.calls_received == ours.results_received
        assert theirs.calls_sent == ours.calls_received == theirs.results_received
        assert ours.errors_sent == theirs.errors_sent == ours.late_responses == ours.unknown_responses == 0
    total = at_stations.completed + at_csms.completed
    assert max(crossing_samples) > 0  # calls really crossed on some connections
    figures.record(
        f"crossing calls ({count} stations, {seconds:g} s)",
        calls_completed=total,
        calls_per_s=round(total / seconds),
        connections_with_crossing_calls_avg=round(sum(crossing_samples) / len(crossing_samples), 1),
        errors=0,
    )


async def test_callback_cycle_ends_in_timeouts_and_the_connection_recovers(start_csms: StartCsms) -> None:
    """The one cycle OCPP-J cannot resolve (docs/runtime.md): both sides have a call in flight and
    each handler calls the other side back first. Both callbacks wait for a slot the other holds;
    the call timeouts break the cycle — every call ends (none hangs forever) and the very next
    calls on the same connection work."""
    server, (client,) = await _start(start_csms, 1, "CYCLE", call_timeout=0.5)
    to_station = server.stations[client.identity]
    results = await asyncio.gather(
        client.peer.data_transfer(request("s", nest=True)),
        to_station.data_transfer(request("c", nest=True)),
        return_exceptions=True,
    )
    # The outer call that times out first frees its slot; the callback queued behind it was made
    # later, and its timeout (which counts from the moment it was made, queue wait included) may or
    # may not leave it time to be answered, so the other outer call may still complete. Either way
    # the cycle is broken by a timeout and nothing hangs.
    assert all(isinstance(r, (CallTimeoutError, m.DataTransferResponse)) for r in results), results
    assert any(isinstance(r, CallTimeoutError) for r in results), results
    await asyncio.sleep(0.6)  # let late answers drain
    assert (await client.peer.data_transfer(request("after"))).data == {"token": "after"}
    assert (await to_station.data_transfer(request("after2"))).data == {"token": "after2"}
