"""``ocppwire-sim``: simulate many OCPP 2.0.1 Charging Stations against a CSMS and measure it.

Example — 1,000 stations sending MeterValues as fast as the CSMS answers, for 30 seconds::

    ocppwire-sim ws://127.0.0.1:9000/ocpp -n 1000 --scenario meter-values --duration 30

Example — a realistic fleet: 20,000 stations, each sending a Heartbeat every 60 s and MeterValues every
10 s (staggered), from four local addresses and two simulator processes, measured for two minutes::

    ocppwire-sim ws://127.0.0.1:9000/ocpp -n 20000 --scenario mix --source-addresses 127.0.0.1-127.0.0.4 \
        --processes 2 --warmup 10 --duration 120

The command exits with status 1 when anything went wrong (a station that could not connect, a
CALLERROR, a timeout ...), so scripts can treat "no errors" as a pass; Ctrl-C stops it with status 130
and one line, no traceback. ``--json`` replaces the human-readable output with JSON lines: one per phase
event, the last one the result.

The command line is built with typer, like ``ocppgen``'s. typer is not a dependency of the ocppwire
library itself: it comes with the ``sim`` extra (``pip install "ocppwire[sim]"``), and without it the
command says so in one line.
"""

# No ``from __future__ import annotations``: typer reads the command's annotations at run time, and they
# name ``typer``, which is imported lazily inside :func:`_app`.
import asyncio
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, Optional

from .addresses import parse_source_addresses
from .progress import show_progress
from .report import summary
from .runner import SimConfig, SimResult, Simulation
from .scenario import Scenario, ScenarioName
from .workers import simulate_in_processes

if TYPE_CHECKING:
    import typer

__all__ = ["SimArgs", "build_parser", "config_from_args", "main"]

PROG = "ocppwire-sim"


@dataclass(frozen=True)
class SimArgs:
    """The parsed command line (attribute names as the options, ``--no-boot`` → ``no_boot``)."""

    url: str
    stations: int = 1
    scenario: str = ScenarioName.HEARTBEAT.value
    interval: float = 0.0
    duration: float = 10.0
    warmup: float = 0.0
    no_boot: bool = False
    sampled_values: int = 10
    transaction_updates: int = 10
    prefix: str = "SIM"
    first: int = 0
    password: Optional[str] = None  # noqa: UP045
    no_compression: bool = False
    connect_concurrency: int = 100
    call_timeout: float = 30.0
    offline_every: float = 2.0
    offline_for: float = 1.0
    heartbeat_interval: float = 60.0
    meter_interval: float = 10.0
    seed: int = 2001
    source_addresses: Optional[str] = None  # noqa: UP045
    processes: int = 1
    loop: str = "asyncio"
    transport: str = "websockets"
    json: bool = False


def config_from_args(args: SimArgs) -> SimConfig:
    """The run configuration the parsed arguments describe (``ValueError`` for inconsistent values)."""
    scenario = Scenario(
        name=ScenarioName(args.scenario),
        interval=args.interval,
        boot=not args.no_boot,
        sampled_values=args.sampled_values,
        transaction_updates=args.transaction_updates,
        offline_every=args.offline_every,
        offline_for=args.offline_for,
        heartbeat_interval=args.heartbeat_interval,
        meter_interval=args.meter_interval,
        seed=args.seed,
    )
    if not 1 <= args.processes <= args.stations:
        raise ValueError(f"--processes must be between 1 and the number of stations, got {args.processes}")
    if args.loop not in ("asyncio", "uvloop"):
        raise ValueError(f"--loop must be asyncio or uvloop, got {args.loop!r}")
    if args.transport not in ("websockets", "picows"):
        raise ValueError(f"--transport must be websockets or picows, got {args.transport!r}")
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
        source_addresses=() if args.source_addresses is None else parse_source_addresses(args.source_addresses),
        transport=args.transport,
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


def simulate_and_report(args: SimArgs) -> int:
    """Run the simulation the arguments describe, print the report; the exit status."""
    from ocppwire.runtime.loops import run

    config = config_from_args(args)
    try:
        if args.processes > 1:
            sink = _json_line if args.json else None
            try:
                result = simulate_in_processes(config, args.processes, sink, loop=args.loop)
            except RuntimeError as exc:  # a worker process failed: one line, its reason
                print(f"{PROG}: {exc}", file=sys.stderr)
                return 1
        else:
            result = run(_run(config, args.json), loop=args.loop)
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    if args.json:
        _json_line("result", result.to_dict())
    else:
        print(summary(config, result))
    return 1 if result.errors else 0


def _app() -> "typer.Typer":
    import typer

    app = typer.Typer(
        help="Simulate OCPP 2.0.1 Charging Stations against a CSMS and report throughput and latency.",
        add_completion=False,
        pretty_exceptions_enable=False,
        rich_markup_mode=None,  # plain help: flags are listed without a "<bool>" type column
    )

    @app.command(name=PROG)
    def command(
        url: Annotated[
            str, typer.Argument(metavar="URL", help="CSMS endpoint URL; stations connect to <url>/<identity>")
        ],
        stations: Annotated[int, typer.Option("-n", "--stations", min=1, help="Number of stations.")] = 1,
        scenario: Annotated[
            ScenarioName, typer.Option("--scenario", case_sensitive=False, help="Traffic after boot.")
        ] = ScenarioName.HEARTBEAT,
        interval: Annotated[
            float, typer.Option(help="Seconds between one station's CALLs; 0 = next CALL right after the answer.")
        ] = 0.0,
        duration: Annotated[float, typer.Option(help="Seconds of the measured window.")] = 10.0,
        warmup: Annotated[float, typer.Option(help="Seconds of unrecorded traffic first.")] = 0.0,
        no_boot: Annotated[bool, typer.Option("--no-boot", help="Skip the BootNotification after connecting.")] = False,
        sampled_values: Annotated[int, typer.Option(help="Sampled values per meter reading.")] = 10,
        transaction_updates: Annotated[int, typer.Option(help="TransactionEvent Updated messages per session.")] = 10,
        prefix: Annotated[str, typer.Option(help="Identity prefix; identities are <prefix>00000 ...")] = "SIM",
        first: Annotated[int, typer.Option(help="Number of the first station.")] = 0,
        password: Annotated[
            Optional[str], typer.Option(help="HTTP Basic password (username = identity).")
        ] = None,  # noqa: UP045
        no_compression: Annotated[
            bool, typer.Option("--no-compression", help="Do not offer permessage-deflate.")
        ] = False,
        connect_concurrency: Annotated[int, typer.Option(min=1, help="Handshakes at once.")] = 100,
        call_timeout: Annotated[float, typer.Option(help="Seconds to wait for an answer.")] = 30.0,
        offline_every: Annotated[
            float, typer.Option(help="Scenario flaky: seconds online between two outages of a station.")
        ] = 2.0,
        offline_for: Annotated[float, typer.Option(help="Scenario flaky: seconds each outage lasts.")] = 1.0,
        heartbeat_interval: Annotated[
            float, typer.Option(help="Scenario mix: seconds between one station's Heartbeats.")
        ] = 60.0,
        meter_interval: Annotated[
            float, typer.Option(help="Scenario mix: seconds between one station's MeterValues.")
        ] = 10.0,
        seed: Annotated[int, typer.Option(help="Seed of the stations' random start offsets.")] = 2001,
        source_addresses: Annotated[
            Optional[str],  # noqa: UP045
            typer.Option(
                help="Local addresses to connect from, round-robin: 127.0.0.1-127.0.0.4, a comma list, "
                "or a count N (127.0.0.1 ... 127.0.0.N). Each address has its own ephemeral port range."
            ),
        ] = None,
        processes: Annotated[
            int, typer.Option(min=1, help="Simulator processes sharing the fleet; their results are merged.")
        ] = 1,
        loop: Annotated[str, typer.Option(help="Event loop of the simulator: asyncio or uvloop.")] = "asyncio",
        transport: Annotated[
            str, typer.Option(help="WebSocket implementation of the stations: websockets or picows.")
        ] = "websockets",
        as_json: Annotated[
            bool, typer.Option("--json", help="Print JSON lines (phase events, then the result).")
        ] = False,
    ) -> None:
        args = SimArgs(
            url=url,
            stations=stations,
            scenario=ScenarioName(scenario).value,
            interval=interval,
            duration=duration,
            warmup=warmup,
            no_boot=no_boot,
            sampled_values=sampled_values,
            transaction_updates=transaction_updates,
            prefix=prefix,
            first=first,
            password=password,
            no_compression=no_compression,
            connect_concurrency=connect_concurrency,
            call_timeout=call_timeout,
            offline_every=offline_every,
            offline_for=offline_for,
            heartbeat_interval=heartbeat_interval,
            meter_interval=meter_interval,
            seed=seed,
            source_addresses=source_addresses,
            processes=processes,
            loop=loop,
            transport=transport,
            json=as_json,
        )
        try:
            config_from_args(args)
        except ValueError as exc:
            raise typer.BadParameter(str(exc)) from None
        raise typer.Exit(simulate_and_report(args))

    return app


class Parser:
    """Parses an ``ocppwire-sim`` command line into :class:`SimArgs` without running anything."""

    def parse_args(self, argv: Sequence[str]) -> SimArgs:
        import typer.main

        context = typer.main.get_command(_app()).make_context(PROG, list(argv))
        params = dict(context.params)
        params["json"] = params.pop("as_json")
        params["scenario"] = ScenarioName(params["scenario"]).value
        return SimArgs(**params)


def build_parser() -> Parser:
    """A parser of the command line (for tests and wrappers): ``build_parser().parse_args(argv)``."""
    return Parser()


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``ocppwire-sim``; returns the exit status (0 only for a run without errors)."""
    try:
        import typer.main
    except ImportError:
        print(f'{PROG}: the command line needs typer: pip install "ocppwire[sim]"', file=sys.stderr)
        return 1
    command = typer.main.get_command(_app())
    try:
        command.main(args=list(sys.argv[1:] if argv is None else argv), prog_name=PROG, standalone_mode=True)
    except SystemExit as exit_:
        code = exit_.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    except KeyboardInterrupt:  # Ctrl-C while typer parses, before the run catches it
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
