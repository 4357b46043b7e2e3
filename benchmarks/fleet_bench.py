"""A realistic fleet on one CSMS process: 50,000 stations at real rates, not a closed loop.

``python -m benchmarks.fleet_bench`` (``make bench-50k``) starts the CSMS of :mod:`benchmarks.servers`
(permessage-deflate on, window 9 bits / memLevel 1, admission limits raised for one machine's fleet;
``--transport`` and ``--loop`` choose its WebSocket transport and event loop), then runs ``ocppwire-sim``
with the ``mix`` scenario: every station boots, then sends a Heartbeat every 60 s and MeterValues every
10 s, both streams started at seeded random offsets so the fleet does not fire in lock-step. The
simulator spreads the stations round-robin over several local addresses (127.0.0.x: one address has
only ``ip_local_port_range`` ports towards one CSMS port) and over several worker processes (one
process can hold only as many sockets as its open-file limit allows), and merges their figures.

Reported: stations connected and booted, time to connect them all, CSMS RSS before / all connected /
end of window / peak and per connection, CSMS and simulator CPU % over the window, messages per
second, latency p50 / p99 / max and errors (the target: p99 under 100 ms, no error).

The CSMS needs one file descriptor per station. Each process raises its soft limit to the hard limit;
where the hard limit is below the fleet (and cannot be raised without ``CAP_SYS_RESOURCE``), the run
says so and measures the largest fleet that fits instead (``--no-fit`` tries the full fleet anyway
and lets the refused connections show as errors).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import tempfile
import time
from dataclasses import asdict, dataclass
from typing import Any

from .machine import describe, header_lines
from .procs import csms_process, peak_rss, run_sim
from .table import rate, render

__all__ = ["FleetConfig", "fleet_size", "main", "run"]

MiB = 2**20
SPARE_FILES = 64
"""Descriptors a CSMS process needs beyond its connections' (listening socket, event loop, logs, a
handshake in progress, files the runtime opens) on top of those already open before any station."""
SIM_SPARE_FILES = 256
"""The same for a simulator worker (its own raise_open_file_limit asks for stations + 256)."""


@dataclass(frozen=True)
class FleetConfig:
    """One fleet run."""

    stations: int = 50_000
    duration: float = 60.0
    warmup: float = 10.0
    heartbeat_interval: float = 60.0
    meter_interval: float = 10.0
    sampled_values: int = 10
    transport: str = "websockets"
    loop: str = "asyncio"
    """The CSMS's event loop."""
    sim_loop: str = "uvloop"
    """The simulator's event loop (it must stay cheaper than what it measures)."""
    sim_transport: str = "picows"
    """The simulator's WebSocket implementation (picows: the cheaper load generator)."""
    sim_processes: int = 0
    """Simulator worker processes (0: as many as the open-file limit requires, at least 2)."""
    source_addresses: int = 4
    """Local addresses 127.0.0.1 ... 127.0.0.N the stations connect from (raised if the port range needs it)."""
    connect_concurrency: int = 200
    fit: bool = True
    """Shrink the fleet to what the CSMS's open-file limit allows (and say so) instead of failing."""
    seed: int = 2001
    csms_ping_interval: float = 30.0
    """Seconds between the CSMS's keep-alive pings per connection (0: none)."""
    csms_gc_threshold: int = 0
    """The CSMS collector's generation-0 threshold (0: Python's default, 700)."""


def port_range() -> int:
    """Ephemeral ports one local address has towards one remote address and port."""
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range", encoding="ascii") as ports:
            low, high = (int(n) for n in ports.read().split())
        return high - low + 1
    except (OSError, ValueError):
        return 28_232  # Linux's default range, 32768-60999


def fleet_size(requested: int, open_files: int, open_now: int) -> int:
    """The largest fleet a CSMS with ``open_files`` descriptors, ``open_now`` of them in use, can hold
    (rounded down to a hundred), capped at ``requested``."""
    room = open_files - open_now - SPARE_FILES
    return max(0, min(requested, room // 100 * 100))


def run(config: FleetConfig) -> dict[str, Any]:
    """One CSMS process, one simulator run (several worker processes); the figures and what limited them."""
    extra = ["--compression", "--window-bits", "9", "--mem-level", "1"]
    extra += ["--transport", config.transport, "--loop", config.loop]
    extra += ["--ping-interval", str(config.csms_ping_interval)]
    if config.csms_gc_threshold:
        extra += ["--gc-threshold", str(config.csms_gc_threshold)]
    notes: list[str] = []
    with tempfile.TemporaryDirectory(prefix="fleet-") as scratch:
        gc_stats = os.path.join(scratch, "gc.json")
        data = _run(config, [*extra, "--gc-stats", gc_stats], notes)
        with open(gc_stats, encoding="utf-8") as stats:
            collector = json.load(stats)
    started, ended = data.pop("window_times")
    during = [seconds for when, seconds in collector["full"] if started <= when <= ended]
    data["csms_full_collections"] = len(during)
    data["csms_longest_full_collection"] = max(during, default=0.0)
    return data


def _run(config: FleetConfig, extra: list[str], notes: list[str]) -> dict[str, Any]:
    with csms_process("ocppwire", extra) as csms:
        time.sleep(0.5)
        rss_before = csms.rss()
        open_now = csms.process.num_fds()
        stations = config.stations
        largest = fleet_size(config.stations, csms.open_files, open_now)
        if largest < config.stations:
            _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
            notes.append(
                f"{config.stations:,} stations cannot be reached on this machine: the CSMS needs one file "
                f"descriptor per station, and its open-file limit is {csms.open_files:,} (hard limit "
                f"{hard:,}; raising it needs CAP_SYS_RESOURCE, which this environment does not grant). "
                + (
                    f"The largest fleet that fits, {largest:,} stations, was measured instead."
                    if config.fit
                    else "Running the full fleet anyway (--no-fit): expect refused connections."
                )
            )
            if config.fit:
                stations = largest
        sim_limit = resource.getrlimit(resource.RLIMIT_NOFILE)[1] - SIM_SPARE_FILES
        processes = config.sim_processes or max(2, math.ceil(stations / sim_limit))
        addresses = max(config.source_addresses, math.ceil(stations / (port_range() * 0.9)))
        window_started = time.time()  # refined below from the window's length, once known
        events = run_sim(
            csms,
            [
                "-n", str(stations), "--scenario", "mix",
                "--heartbeat-interval", str(config.heartbeat_interval),
                "--meter-interval", str(config.meter_interval),
                "--sampled-values", str(config.sampled_values),
                "--duration", str(config.duration), "--warmup", str(config.warmup),
                "--connect-concurrency", str(config.connect_concurrency), "--call-timeout", "60",
                "--source-addresses", str(addresses), "--processes", str(processes),
                "--loop", config.sim_loop, "--transport", config.sim_transport, "--seed", str(config.seed),
            ],
            timeout=900 + config.warmup + config.duration,
        )  # fmt: skip
        peak = peak_rss(csms.process)
    result = events.result
    window_ended = events.window_ended
    window_started = window_ended - result["window_seconds"] if window_ended else window_started
    connected = result["connected"]
    window = result["window_seconds"]
    return {
        "config": asdict(config),
        "machine": describe(),
        "notes": notes,
        "csms_open_files": csms.open_files,
        "stations": stations,
        "sim_processes": processes,
        "source_addresses": addresses,
        "connected": connected,
        "connect_seconds": result["connect_seconds"],
        "rss_before": rss_before,
        "rss_connected": events.rss_connected,
        "rss_window_end": events.rss_window_end,
        "peak_rss": peak,
        "rss_per_connection": (events.rss_connected - rss_before) / connected if connected else math.nan,
        "csms_cpu_percent": events.cpu_window / window * 100 if window else math.nan,
        "sim_cpu_percent": events.sim_cpu_window / window * 100 if window else math.nan,
        "rate": result["round_trips_per_second"],
        "expected_rate": connected * (1 / config.heartbeat_interval + 1 / config.meter_interval),
        "latency_ms": result["latency_ms"],
        "errors": result["errors"],
        "error_detail": result["all_phases"],
        "window_times": (window_started, window_ended or time.time()),
    }


def fleet_table(config: FleetConfig, data: dict[str, Any]) -> str:
    """The run's figures as a two-column Markdown table."""
    latency = data["latency_ms"]
    rows = [
        ["stations connected and booted", f"{data['connected']:,} of {data['stations']:,}"],
        ["time to connect all", f"{data['connect_seconds']:.1f} s"],
        ["CSMS RSS: no station / all connected", f"{data['rss_before'] / MiB:,.0f} / {data['rss_connected'] / MiB:,.0f} MiB"],
        ["CSMS RSS: end of window / peak", f"{data['rss_window_end'] / MiB:,.0f} / {data['peak_rss'] / MiB:,.0f} MiB"],
        ["RSS per connection (all connected − none) ÷ stations", f"{data['rss_per_connection'] / 1024:,.1f} KiB"],
        ["CSMS CPU over the window (100 % = one core)", f"{data['csms_cpu_percent']:.0f} %"],
        [f"simulator CPU ({data['sim_processes']} processes)", f"{data['sim_cpu_percent']:.0f} %"],
        ["messages/s (round trips; expected from the rates)", f"{rate(data['rate'])} ({rate(data['expected_rate'])})"],
        ["latency p50 / p99 / max", f"{latency['p50']:.1f} / {latency['p99']:.1f} / {latency['max']:.0f} ms"],
        [
            "CSMS full garbage collections in the window (longest)",
            f"{data['csms_full_collections']} ({data['csms_longest_full_collection'] * 1e3:,.0f} ms)",
        ],
        ["errors", f"{data['errors']:,}"],
        ["target: 50,000 stations, p99 < 100 ms, no error", _verdict(data)],
    ]  # fmt: skip
    title = (
        f"Fleet: {data['stations']:,} stations on one ocppwire CSMS process ({config.transport}, {config.loop}; "
        f"Heartbeat every {config.heartbeat_interval:g} s + MeterValues every {config.meter_interval:g} s per "
        f"station, staggered; permessage-deflate on; simulator: {data['sim_processes']} processes, "
        f"{config.sim_transport} + {config.sim_loop}, {data['source_addresses']} source addresses; "
        f"{f'CSMS gc threshold {config.csms_gc_threshold:,}; ' if config.csms_gc_threshold else ''}"
        f"CSMS pings {f'every {config.csms_ping_interval:g} s' if config.csms_ping_interval else 'off'}; "
        f"{config.warmup:g} s warm-up, {config.duration:g} s window)"
    )
    return render(title, ["", "value"], rows)


def _verdict(data: dict[str, Any]) -> str:
    misses = []
    if data["connected"] < 50_000:
        misses.append(f"{data['connected']:,} stations")
    if not data["latency_ms"]["p99"] < 100:
        misses.append(f"p99 {data['latency_ms']['p99']:,.0f} ms")
    if data["errors"]:
        misses.append(f"{data['errors']:,} errors")
    return "met" if not misses else "not met: " + ", ".join(misses)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stations", type=int, default=50_000)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of the measured window")
    parser.add_argument("--warmup", type=float, default=10.0, help="seconds of unrecorded traffic first")
    parser.add_argument("--heartbeat-interval", type=float, default=60.0)
    parser.add_argument("--meter-interval", type=float, default=10.0)
    parser.add_argument("--transport", choices=["websockets", "picows"], default="websockets", help="the CSMS's")
    parser.add_argument("--loop", choices=["asyncio", "uvloop"], default="asyncio", help="the CSMS's event loop")
    parser.add_argument("--sim-loop", choices=["asyncio", "uvloop"], default="uvloop")
    parser.add_argument("--sim-transport", choices=["websockets", "picows"], default="picows")
    parser.add_argument("--sim-processes", type=int, default=0, help="0: as the open-file limit requires, min 2")
    parser.add_argument("--source-addresses", type=int, default=4, help="127.0.0.1 ... 127.0.0.N")
    parser.add_argument("--connect-concurrency", type=int, default=200)
    parser.add_argument("--no-fit", action="store_true", help="do not shrink the fleet to the open-file limit")
    parser.add_argument("--csms-ping-interval", type=float, default=30.0, help="CSMS keep-alive pings (0: none)")
    parser.add_argument("--csms-gc-threshold", type=int, default=0, help="CSMS gc generation-0 threshold")
    parser.add_argument("--json", metavar="PATH", help="also write the figures to PATH")
    args = parser.parse_args()
    config = FleetConfig(
        stations=args.stations, duration=args.duration, warmup=args.warmup,
        heartbeat_interval=args.heartbeat_interval, meter_interval=args.meter_interval, transport=args.transport,
        loop=args.loop, sim_loop=args.sim_loop, sim_transport=args.sim_transport, sim_processes=args.sim_processes,
        source_addresses=args.source_addresses, connect_concurrency=args.connect_concurrency, fit=not args.no_fit,
        csms_gc_threshold=args.csms_gc_threshold,
        csms_ping_interval=args.csms_ping_interval,
    )  # fmt: skip
    print("\n".join(header_lines()), "\n", flush=True)
    data = run(config)
    for note in data["notes"]:
        print(f"note: {note}\n")
    print(fleet_table(config, data))
    if data["errors"]:
        print("errors by kind:", data["error_detail"])
    if args.json:
        with open(args.json, "w", encoding="utf-8") as out:
            json.dump(data, out, indent=2)


if __name__ == "__main__":
    main()
