"""Simulation runs against a CSMS started in the test: counting, scenarios, and every kind of error."""

from __future__ import annotations

import io
import socket

import pytest

from ocppwire.runtime.server import AuthRequest
from ocppwire.sim import Scenario, ScenarioName, SimConfig, Simulation, simulate
from ocppwire.sim.progress import show_progress
from ocppwire.v201 import csms
from ocppwire.v201 import enums as e
from ocppwire.v201 import messages as m

from .conftest import CountingCsms, StartCsms


async def test_heartbeats_from_several_stations(start_csms: StartCsms) -> None:
    handler = CountingCsms()
    server = await start_csms(handler)
    events: list[str] = []
    result = await simulate(
        SimConfig(server.url, stations=5, duration=0.3, warmup=0.1), lambda name, details: events.append(name)
    )
    assert events == ["connecting", "connected", "warmup", "measure-start", "measure-end", "stopping", "done"]
    assert result.errors == 0 and result.connected == 5
    assert result.window.answered > 0 and result.round_trips_per_second > 0
    assert result.latency.count == result.window.answered
    assert 0 < result.latency.percentile(50) <= result.latency.percentile(99) <= result.latency.largest
    assert handler.received["BootNotification"] == 5
    assert handler.identities == {f"SIM{i:05d}" for i in range(5)}
    assert handler.received["Heartbeat"] >= result.window.answered


async def test_interval_paces_each_station(start_csms: StartCsms) -> None:
    server = await start_csms()
    config = SimConfig(server.url, stations=2, duration=0.6, scenario=Scenario(interval=0.1))
    result = await simulate(config)
    assert result.errors == 0
    # two stations, one CALL per 100 ms each, over 0.6 s: about 12 round trips, never hundreds
    assert 4 <= result.window.answered <= 16


async def test_meter_values_and_transactions(start_csms: StartCsms) -> None:
    handler = CountingCsms()
    server = await start_csms(handler)
    await simulate(SimConfig(server.url, stations=2, duration=0.2, scenario=Scenario(ScenarioName.METER_VALUES)))
    assert handler.received["MeterValues"] > 0

    scenario = Scenario(ScenarioName.TRANSACTIONS, transaction_updates=1, boot=False)
    result = await simulate(SimConfig(server.url, stations=2, duration=0.3, scenario=scenario, identity_prefix="TX"))
    assert result.errors == 0
    assert handler.received["BootNotification"] == 2  # only the first run booted
    started, ended = handler.received["TransactionEvent Started"], handler.received["TransactionEvent Ended"]
    assert started > 0 and started - ended in (0, 1, 2)
    assert handler.received["StatusNotification Occupied"] >= started


async def test_callerrors_are_counted_by_code(start_csms: StartCsms) -> None:
    server = await start_csms(csms.CsmsHandler())  # implements nothing: every CALL gets NotSupported
    result = await simulate(SimConfig(server.url, stations=2, duration=0.2, scenario=Scenario(boot=False)))
    assert result.window.answered == 0
    assert result.window.call_errors["NotSupported"] > 0
    assert result.errors == sum(result.error_counters.call_errors.values()) > 0


async def test_rejected_boot_is_an_error(start_csms: StartCsms) -> None:
    server = await start_csms(CountingCsms(boot_status=e.RegistrationStatusEnumType.REJECTED))
    result = await simulate(SimConfig(server.url, stations=3, duration=0.1))
    assert result.connected == 0
    assert result.error_counters.boot_rejected == 3 and result.errors == 3


async def test_refused_connections_are_counted() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = await simulate(SimConfig(f"ws://127.0.0.1:{port}", stations=3, duration=0.1, open_timeout=2))
    assert result.connected == 0 and result.error_counters.connect_failures == 3


async def test_password_and_compression_settings_reach_the_csms(start_csms: StartCsms) -> None:
    seen: list[str | None] = []

    def auth(request: AuthRequest) -> bool:
        seen.append(request.password)
        return request.password == "secret"

    server = await start_csms(auth=auth)
    good = await simulate(SimConfig(server.url, stations=1, duration=0.1, password="secret", compression=False))
    bad = await simulate(SimConfig(server.url, stations=1, duration=0.1, password="wrong"))
    assert good.errors == 0 and bad.error_counters.connect_failures == 1
    assert seen == ["secret", "wrong"]


async def test_progress_line_shows_the_phase_and_rate(start_csms: StartCsms) -> None:
    import asyncio

    server = await start_csms()
    simulation = Simulation(SimConfig(server.url, stations=2, duration=0.4))
    stream = io.StringIO()
    progress = asyncio.create_task(show_progress(simulation, stream, every=0.1))
    await simulation.run()
    progress.cancel()
    await asyncio.gather(progress, return_exceptions=True)
    text = stream.getvalue()
    assert "round trips/s" in text and "stations 2/2" in text and "errors 0" in text
    assert text.endswith("\r\x1b[K")


def test_config_is_checked() -> None:
    for bad in ({"stations": 0}, {"duration": 0}, {"warmup": -1}, {"connect_concurrency": 0}):
        with pytest.raises(ValueError):
            SimConfig("ws://127.0.0.1:1", **bad)  # type: ignore[arg-type]


class SlowCsms(CountingCsms):
    """Answers Heartbeat only after ``delay`` seconds."""

    def __init__(self, delay: float) -> None:
        super().__init__()
        self.delay = delay

    async def heartbeat(self, station: csms.ChargingStationClient, req: m.HeartbeatRequest) -> m.HeartbeatResponse:
        import asyncio

        await asyncio.sleep(self.delay)
        return await super().heartbeat(station, req)


async def test_timeouts_are_counted_and_the_station_carries_on(start_csms: StartCsms) -> None:
    server = await start_csms(SlowCsms(delay=0.25))
    result = await simulate(SimConfig(server.url, stations=1, duration=0.8, call_timeout=0.1))
    counters = result.error_counters
    assert counters.timeouts >= 3  # the station kept calling after its first timeout
    assert counters.sent >= counters.timeouts
    assert counters.stray_frames >= 1  # the late answers, matching no waiting CALL
    assert result.window.answered == 0 and result.errors > 0
