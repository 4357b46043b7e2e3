"""The simulator at fleet size: source addresses, the staggered ``mix`` scenario, several processes.

Each run here is small and over loopback; what they check is what a 50,000-station run relies on:
connections really come from the configured local addresses (as the CSMS sees them), the ``mix``
traffic has the right rates and is repeatable, a run stops at once even though its stations sleep
for most of a minute, and a fleet split over processes reports one merged result.
"""

from __future__ import annotations

import asyncio
import gc
import itertools
import json
import sys
import time

import pytest

from ocppwire.sim import Scenario, ScenarioName, SimConfig, SimResult, simulate
from ocppwire.sim.addresses import parse_source_addresses, source_address_of
from ocppwire.sim.collector import quiet_collector
from ocppwire.sim.workers import split
from ocppwire.v201 import csms
from ocppwire.v201 import messages as m

from .conftest import CountingCsms, StartCsms


class AddressRecordingCsms(CountingCsms):
    """Also records, per identity, the address each station's connection came from (as the server saw it)."""

    def __init__(self) -> None:
        super().__init__()
        self.hosts: dict[str, str] = {}

    async def boot_notification(
        self, station: csms.ChargingStationClient, req: m.BootNotificationRequest
    ) -> m.BootNotificationResponse:
        self.hosts[station.identity] = station.info.remote_address[0]
        return await super().boot_notification(station, req)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3", ("127.0.0.1", "127.0.0.2", "127.0.0.3")),
        ("127.0.0.254-127.0.1.1", ("127.0.0.254", "127.0.0.255", "127.0.1.0", "127.0.1.1")),
        ("127.0.0.5, 127.0.0.2-127.0.0.3,127.0.0.5", ("127.0.0.5", "127.0.0.2", "127.0.0.3")),
        ("::1", ("::1",)),
    ],
)
def test_source_address_forms(text: str, expected: tuple[str, ...]) -> None:
    assert parse_source_addresses(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("0", "between 1 and 254"),
        ("127.0.0.9-127.0.0.2", "from a lower to a higher"),
        ("127.0.0.1-::2", "from a lower to a higher"),
        ("127.0.0.1,,127.0.0.2", "empty item"),
        ("localhost", "not an IP address: 'localhost'"),
        ("10.0.0.0-10.0.255.255", "more than 1024"),
    ],
)
def test_bad_source_addresses_say_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_source_addresses(text)


def test_stations_take_the_addresses_round_robin() -> None:
    addresses = ("127.0.0.1", "127.0.0.2", "127.0.0.3")
    assert [source_address_of(addresses, n) for n in range(5)] == [*addresses, "127.0.0.1", "127.0.0.2"]
    assert source_address_of((), 7) is None


def test_mix_is_staggered_periodic_and_repeatable() -> None:
    scenario = Scenario(ScenarioName.MIX, heartbeat_interval=60, meter_interval=10, seed=7)
    first_minute = list(itertools.takewhile(lambda step: step[0] < 60, scenario.timed_script(3)))
    actions = [spec.name for _, spec, _ in first_minute]
    assert actions.count("MeterValues") == 6 and actions.count("Heartbeat") == 1
    times = [due for due, _, _ in first_minute]
    assert times == sorted(times)
    meter_times = [due for due, spec, _ in first_minute if spec.name == "MeterValues"]
    assert 0 <= meter_times[0] < 10 and all(b - a == pytest.approx(10) for a, b in itertools.pairwise(meter_times))
    # the same seed and station give the same offsets; other stations and seeds differ (no lock-step)
    again = list(itertools.islice(Scenario(ScenarioName.MIX, seed=7).timed_script(3), 7))
    assert [due for due, _, _ in again] == times
    starts = {next(scenario.timed_script(station))[0] for station in range(50)}
    assert len(starts) == 50
    assert next(Scenario(ScenarioName.MIX, seed=8).timed_script(3))[0] != times[0]


def test_the_quiet_collector_restores_the_collector() -> None:
    before = gc.get_threshold()
    with quiet_collector():
        assert gc.get_freeze_count() > 0
        assert gc.get_threshold()[:2] == before[:2] and gc.get_threshold()[2] > 1_000_000
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0


def test_split_keeps_station_numbers_contiguous() -> None:
    parts = split(SimConfig("ws://h/ocpp", stations=7, first_station=100, connect_concurrency=10), 3)
    assert [(p.first_station, p.stations, p.connect_concurrency) for p in parts] == [
        (100, 3, 3),
        (103, 2, 3),
        (105, 2, 3),
    ]
    with pytest.raises(ValueError, match="between 1 and the number of stations"):
        split(SimConfig("ws://h/ocpp", stations=2), 3)


@pytest.mark.parametrize("transport", ["websockets", "picows"])
async def test_connections_come_from_each_source_address(start_csms: StartCsms, transport: str) -> None:
    handler = AddressRecordingCsms()
    server = await start_csms(handler)
    addresses = ("127.0.0.2", "127.0.0.3")
    config = SimConfig(server.url, stations=4, duration=0.2, source_addresses=addresses, transport=transport)
    result = await simulate(config)
    assert result.errors == 0 and result.connected == 4
    assert handler.hosts == {"SIM00000": "127.0.0.2", "SIM00001": "127.0.0.3", "SIM00002": "127.0.0.2",
                             "SIM00003": "127.0.0.3"}  # fmt: skip


async def test_mix_sends_both_streams_and_stops_without_waiting_an_interval(start_csms: StartCsms) -> None:
    handler = CountingCsms()
    server = await start_csms(handler)
    # MeterValues every 0.1 s; the 30 s Heartbeat stream makes a station sleep long past the window
    scenario = Scenario(ScenarioName.MIX, heartbeat_interval=30, meter_interval=0.1, boot=False)
    started = time.perf_counter()
    result = await simulate(SimConfig(server.url, stations=20, duration=0.5, scenario=scenario))
    assert time.perf_counter() - started < 5  # sleeping stations are interrupted, not waited for
    assert result.errors == 0
    # 20 stations × 0.5 s / 0.1 s ≈ 100 MeterValues in the window; a Heartbeat from the stations whose offset fell early
    assert 60 <= handler.received["MeterValues"] <= 160
    assert 0 <= handler.received["Heartbeat"] <= 5
    assert 60 <= result.window.answered <= 160


async def test_a_fleet_over_two_processes_reports_one_result(start_csms: StartCsms) -> None:
    handler = AddressRecordingCsms()
    server = await start_csms(handler)
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "ocppwire.sim", server.url, "-n", "6", "--processes", "2", "--scenario", "mix",
        "--meter-interval", "0.1", "--source-addresses", "127.0.0.1-127.0.0.2", "--duration", "0.5", "--json",
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 0, err.decode()
    lines = [json.loads(line) for line in out.decode().splitlines()]
    assert [line["event"] for line in lines] == [
        "connecting", "connected", "measure-start", "measure-end", "stopping", "done", "result"
    ]  # fmt: skip
    assert lines[0]["processes"] == 2 and lines[1]["connected"] == 6
    result = SimResult.from_dict({k: v for k, v in lines[-1].items() if k != "event"})
    assert result.stations == result.connected == 6 and result.errors == 0
    assert result.latency.count == result.window.answered > 0
    assert lines[3]["answered"] == result.window.answered
    assert sorted(handler.hosts) == [f"SIM{n:05d}" for n in range(6)]
    assert {handler.hosts[f"SIM{n:05d}"] for n in (0, 2, 4)} == {"127.0.0.1"}
    assert {handler.hosts[f"SIM{n:05d}"] for n in (1, 3, 5)} == {"127.0.0.2"}


def test_the_fleet_bench_fits_the_fleet_to_the_open_file_limit() -> None:
    from benchmarks.fleet_bench import SPARE_FILES, fleet_size, port_range

    assert fleet_size(50_000, 20_000, 30) == 19_900  # rounded down to a hundred, spare descriptors kept
    assert fleet_size(50_000, 20_000, 20_000 - SPARE_FILES - 150) == 100
    assert fleet_size(1_000, 20_000, 30) == 1_000
    assert fleet_size(50_000, 50, 30) == 0
    assert 1_000 <= port_range() <= 65_536


def test_a_failing_worker_process_ends_the_run_with_one_line() -> None:
    # a loop name the CLI accepts but the worker cannot start: every worker fails before connecting
    from ocppwire.sim.workers import simulate_in_processes

    with pytest.raises(RuntimeError, match="simulator worker [01] failed: ValueError: loop must be one of"):
        simulate_in_processes(SimConfig("ws://127.0.0.1:9/ocpp", stations=2), 2, loop="nope")
