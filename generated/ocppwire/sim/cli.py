"""``ocppwire-sim``: simulate many OCPP 2.0.1 Charging Stations against a CSMS and measure it.

Example — 1,000 stations sending MeterValues as fast as the CSMS answers, for 30 seconds::

    ocppwire-sim ws://127.0.0.1:9000/ocpp -n 1000 --scenario meter-values --duration 30

The command exits with status 1 when anything went wrong (a station that could not connect, a
CALLERROR, a timeout ...), so scripts can treat "no errors" as a pass. ``--json`` replaces the
human-readable output with JSON lines: one per phase event, the last one the result.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Sequence
from typing import Any

from .progress import show_progress
from .report import summary
from .runner import SimConfig, SimResult, Simulation
from .scenario import Scenario, ScenarioName

__all__ = ["build_parser", "main"]


def build_parser() -> argparse.ArgumentParser:
    """The command-line interface."""
    parser = argparse.ArgumentParser(
        prog="ocppwire-sim",
        description="Simulate OCPP 2.0.1 Charging Stations against a CSMS and report throughput and latency.",
    )
    parser.add_argument("url", help="CSMS endpoint URL; stations connect to <url>/<identity>")
    parser.add_argument("-n", "--stations", type=int, default=1, help="number of stations (default 1)")
    parser.add_argument(
        "--scenario",
        choices=[s.value for s in ScenarioName],
        default=ScenarioName.HEARTBEAT.value,
        help="traffic after boot (default heartbeat)",
    )
    parser.add_argument(
        "--interval",
        type=float,
        default=0.0,
        help="seconds between one station's CALLs; 0 = next CALL right after the answer (default)",
    )
    parser.add_argument("--duration", type=float, default=10.0, help="seconds of the measured window (default 10)")
    parser.add_argument("--warmup", type=float, default=0.0, help="seconds of unrecorded traffic first (default 0)")
    parser.add_argument("--no-boot", action="store_true", help="skip the BootNotification after connecting")
    parser.add_argument("--sampled-values", type=int, default=10, help="sampled values per meter reading (default 10)")
    parser.add_argument(
        "--transaction-updates", type=int, default=10, help="TransactionEvent Updated messages per session (default 10)"
    )
    parser.add_argument(
        "--prefix", default="SIM", help="identity prefix; identities are <prefix>00000 ... (default SIM)"
    )
    parser.add_argument("--first", type=int, default=0, help="number of the first station (default 0)")
    parser.add_argument("--password", help="HTTP Basic password (username = identity)")
    parser.add_argument("--no-compression", action="store_true", help="do not offer permessage-deflate")
    parser.add_argument("--connect-concurrency", type=int, default=100, help="handshakes at once (default 100)")
    parser.add_argument("--call-timeout", type=float, default=30.0, help="seconds to wait for an answer (default 30)")
    parser.add_argument("--json", action="store_true", help="print JSON lines (phase events, then the result)")
    return parser


def config_from_args(args: argparse.Namespace) -> SimConfig:
    """The run configuration the parsed arguments describe."""
    scenario = Scenario(
        name=ScenarioName(args.scenario),
        interval=args.interval,
        boot=not args.no_boot,
        sampled_values=args.sampled_values,
        transaction_updates=args.transaction_updates,
    )
    return SimConfig(
        url=args.url,
        stations=args.stations,
        scenario=scenario,
        duration=args.duration,
        warmup=args.warmup,
        identity_prefix=args.prefix,
        first_station=args.first,
        connect_concurrency=args.connect_concurrency,
        password=args.password,
        compression=not args.no_compression,
        call_timeout=args.call_timeout,
    )


def _json_line(name: str, details: dict[str, Any]) -> None:
    print(json.dumps({"event": name, **details}), flush=True)


async def _run(config: SimConfig, as_json: bool) -> SimResult:
    simulation = Simulation(config, _json_line if as_json else None)
    progress = None
    if not as_json and sys.stdout.isatty():
        progress = asyncio.create_task(show_progress(simulation, sys.stdout))
    try:
        return await simulation.run()
    finally:
        if progress is not None:
            progress.cancel()
            await asyncio.gather(progress, return_exceptions=True)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``ocppwire-sim``; returns the exit status (0 only for a run without errors)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        config = config_from_args(args)
    except ValueError as exc:
        parser.error(str(exc))
    try:
        result = asyncio.run(_run(config, args.json))
    except KeyboardInterrupt:
        return 130
    if args.json:
        _json_line("result", result.to_dict())
    else:
        print(summary(config, result))
    return 1 if result.errors else 0


if __name__ == "__main__":
    sys.exit(main())
