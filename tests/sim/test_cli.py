"""``ocppwire-sim`` as a user runs it: a separate process against a CSMS started in the test."""

from __future__ import annotations

import asyncio
import json
import sys

from ocppwire.sim import SimResult
from ocppwire.sim.cli import build_parser, config_from_args
from ocppwire.sim.scenario import ScenarioName
from ocppwire.v201 import csms

from .conftest import CountingCsms, StartCsms


async def _sim(*args: str) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "ocppwire.sim",
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def test_summary_of_a_clean_run(start_csms: StartCsms) -> None:
    handler = CountingCsms()
    server = await start_csms(handler)
    status, out, err = await _sim(server.url, "-n", "3", "--duration", "0.5", "--scenario", "meter-values")
    assert status == 0, err
    assert "3 of 3 connected" in out
    assert "round trips" in out and "latency         p50" in out
    assert "errors          0" in out
    assert "\x1b[K" not in out  # no progress line when stdout is not a terminal
    assert handler.received["MeterValues"] > 0


async def test_json_lines_end_with_the_result(start_csms: StartCsms) -> None:
    server = await start_csms()
    status, out, _ = await _sim(
        server.url, "-n", "2", "--duration", "0.3", "--warmup", "0.1", "--json", "--no-compression", "--prefix", "CLI"
    )
    assert status == 0
    lines = [json.loads(line) for line in out.splitlines()]
    assert [line["event"] for line in lines] == [
        "connecting",
        "connected",
        "warmup",
        "measure-start",
        "measure-end",
        "stopping",
        "done",
        "result",
    ]
    result = SimResult.from_dict({k: v for k, v in lines[-1].items() if k != "event"})
    assert result.errors == 0 and result.connected == 2 and result.window.answered > 0
    assert lines[-1]["latency_ms"]["p99"] >= lines[-1]["latency_ms"]["p50"] > 0


async def test_errors_give_exit_status_1(start_csms: StartCsms) -> None:
    server = await start_csms(csms.CsmsHandler())
    status, out, _ = await _sim(server.url, "-n", "1", "--duration", "0.2", "--no-boot")
    assert status == 1
    assert "CALLERROR NotSupported" in out


def test_arguments_map_onto_the_config() -> None:
    args = build_parser().parse_args(
        [
            "ws://h:1/ocpp",
            "-n",
            "7",
            "--scenario",
            "transactions",
            "--interval",
            "2.5",
            "--duration",
            "3",
            "--warmup",
            "1",
            "--no-boot",
            "--sampled-values",
            "4",
            "--transaction-updates",
            "2",
            "--prefix",
            "X",
            "--first",
            "10",
            "--password",
            "pw",
            "--no-compression",
            "--connect-concurrency",
            "5",
            "--call-timeout",
            "9",
        ]
    )
    config = config_from_args(args)
    assert (config.url, config.stations, config.duration, config.warmup) == ("ws://h:1/ocpp", 7, 3, 1)
    assert config.scenario.name is ScenarioName.TRANSACTIONS and config.scenario.interval == 2.5
    assert not config.scenario.boot and config.scenario.sampled_values == 4 and config.scenario.transaction_updates == 2
    assert (config.identity_prefix, config.first_station, config.password) == ("X", 10, "pw")
    assert not config.compression and config.connect_concurrency == 5 and config.call_timeout == 9


def test_flaky_timing_flags_reach_the_scenario() -> None:
    from ocppwire.sim.cli import build_parser, config_from_args

    args = build_parser().parse_args(
        ["ws://127.0.0.1:1/ocpp", "--scenario", "flaky", "--offline-every", "3", "--offline-for", "0.5"]
    )
    scenario = config_from_args(args).scenario
    assert (scenario.name.value, scenario.offline_every, scenario.offline_for) == ("flaky", 3.0, 0.5)
