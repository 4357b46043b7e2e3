"""End to end: the same load generator against a CSMS on ocppwire, on the peer, and a bare transport.

For every station count and scenario, each CSMS runs in a fresh process and ``ocppwire-sim`` (a
separate process) drives it over loopback WebSockets in a closed loop: every station sends its next
CALL as soon as the previous one is answered, so the figures are the CSMS's capacity. Reported per
run: round trips per second and latency percentiles (from the simulator), the CSMS's CPU seconds per
1,000 round trips over the measured window, and its peak RSS. Runs are repeated round-robin over
the three CSMSs and the median of each figure is reported.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from typing import Any

from .procs import csms_process, peak_rss, run_sim
from .table import rate, ratio, render

__all__ = ["E2EConfig", "TRANSPORT_RUNS", "run", "run_transports"]

_KINDS = ("ocppwire", "peer", "ceiling")
_LABELS = {"ocppwire": "ocppwire", "peer": "peer (ocpp)", "ceiling": "transport ceiling"}
_SCENARIOS = {"heartbeat": "Heartbeat", "meter-values": "MeterValues 1x10"}


@dataclass(frozen=True)
class E2EConfig:
    """What to run, and for how long."""

    stations: tuple[int, ...] = (100, 1000)
    scenarios: tuple[str, ...] = ("heartbeat", "meter-values")
    duration: float = 2.0
    warmup: float = 1.0
    repeats: int = 3
    compression: bool = False
    sim_transport: str = "websockets"
    """The load generator's transport (and, for picows, uvloop): it must outrun the fastest CSMS it measures."""


def _one(kind: str, stations: int, scenario: str, config: E2EConfig, more: tuple[str, ...] = ()) -> dict[str, Any]:
    extra = (["--compression"] if config.compression else []) + list(more)
    with csms_process(kind, extra) as csms:
        args = [
            "-n",
            str(stations),
            "--scenario",
            scenario,
            "--duration",
            str(config.duration),
            "--warmup",
            str(config.warmup),
            "--connect-concurrency",
            "200",
        ]
        if not config.compression:
            args.append("--no-compression")
        if config.sim_transport != "websockets":
            args += ["--transport", config.sim_transport, "--loop", "uvloop"]
        events = run_sim(csms, args)
        peak = peak_rss(csms.process)
    result = events.result
    answered = result["window"]["answered"]
    return {
        "rate": result["round_trips_per_second"],
        "p50": result["latency_ms"]["p50"],
        "p99": result["latency_ms"]["p99"],
        "cpu_per_1000": events.cpu_window / answered * 1000 if answered else float("nan"),
        "csms_cpu_load": events.cpu_window / result["window_seconds"],
        "sim_cpu_load": events.sim_cpu_window / result["window_seconds"],
        "peak_rss": peak,
        "errors": result["errors"],
    }


def _median(runs: list[dict[str, Any]]) -> dict[str, Any]:
    merged = {
        key: statistics.median(run[key] for run in runs)
        for key in ("rate", "p50", "p99", "cpu_per_1000", "csms_cpu_load", "sim_cpu_load")
    }
    merged["peak_rss"] = max(run["peak_rss"] for run in runs)
    merged["errors"] = sum(run["errors"] for run in runs)
    merged["runs"] = len(runs)
    return merged


def run(config: E2EConfig, progress: Any = None) -> tuple[str, dict[str, Any]]:
    """Every (scenario, station count, CSMS) combination; returns the table and its numbers."""
    data: dict[str, Any] = {}
    rows = []
    for scenario in config.scenarios:
        for stations in config.stations:
            runs: dict[str, list[dict[str, Any]]] = {kind: [] for kind in _KINDS}
            for _ in range(config.repeats):
                for kind in _KINDS:
                    if progress:
                        progress(f"e2e {scenario} {stations} stations {kind}")
                    runs[kind].append(_one(kind, stations, scenario, config))
            medians = {kind: _median(r) for kind, r in runs.items()}
            key = f"{_SCENARIOS[scenario]}, {stations:,} stations"
            data[key] = medians
            ours, peer, ceiling = medians["ocppwire"], medians["peer"], medians["ceiling"]
            for kind in _KINDS:
                m = medians[kind]
                rows.append(
                    [
                        f"{key}: {_LABELS[kind]}",
                        rate(m["rate"]),
                        f"{m['p50']:.2f}",
                        f"{m['p99']:.2f}",
                        f"{m['cpu_per_1000']:.3f}",
                        f"{m['peak_rss'] / 2**20:,.0f}",
                        f"{m['errors']}",
                        ratio(ours["rate"] / peer["rate"]) if kind == "ocppwire" else "",
                        f"{ours['rate'] / ceiling['rate']:.0%}" if kind == "ocppwire" else "",
                        f"{ours['cpu_per_1000'] / ceiling['cpu_per_1000']:.2f}×" if kind == "ocppwire" else "",
                    ]
                )
    title = (
        f"End to end over loopback WebSockets, closed loop (permessage-deflate "
        f"{'on' if config.compression else 'off'}; {config.warmup:g} s warm-up, {config.duration:g} s window, "
        f"median of {config.repeats})"
    )
    table = render(
        title,
        [
            "run",
            "round trips/s",
            "p50 ms",
            "p99 ms",
            "CSMS CPU s / 1,000",
            "CSMS peak RSS MiB",
            "errors",
            "÷ peer",
            "of ceiling",
            "CPU ÷ ceiling",
        ],
        rows,
    )
    return table, data


TRANSPORT_RUNS: dict[str, tuple[str, tuple[str, ...]]] = {
    "websockets": ("ocppwire", ()),
    "picows": ("ocppwire", ("--transport", "picows")),
    "picows + uvloop": ("ocppwire", ("--transport", "picows", "--loop", "uvloop")),
    "websockets + uvloop": ("ocppwire", ("--loop", "uvloop")),
    "bare websockets (ceiling)": ("ceiling", ()),
}
"""The ocppwire CSMS on each transport and event loop, and the bare-websockets server for reference."""


def run_transports(config: E2EConfig, progress: Any = None) -> tuple[str, dict[str, Any]]:
    """The same closed-loop runs as :func:`run`, once per transport / event loop of the ocppwire CSMS (round-robin,
    median of ``repeats``); ratios against the websockets CSMS of the same run."""
    data: dict[str, Any] = {}
    rows = []
    for scenario in config.scenarios:
        for stations in config.stations:
            runs: dict[str, list[dict[str, Any]]] = {name: [] for name in TRANSPORT_RUNS}
            for _ in range(config.repeats):
                for name, (kind, more) in TRANSPORT_RUNS.items():
                    if progress:
                        progress(f"e2e transports {scenario} {stations} stations {name}")
                    runs[name].append(_one(kind, stations, scenario, config, more))
            medians = {name: _median(r) for name, r in runs.items()}
            key = f"{_SCENARIOS[scenario]}, {stations:,} stations"
            data[key] = medians
            base = medians["websockets"]
            for name in TRANSPORT_RUNS:
                m = medians[name]
                rows.append(
                    [
                        f"{key}: {name}",
                        rate(m["rate"]),
                        f"{m['p50']:.2f}",
                        f"{m['p99']:.2f}",
                        f"{m['cpu_per_1000']:.3f}",
                        f"{m['sim_cpu_load']:.0%}",
                        f"{m['errors']}",
                        f"{m['rate'] / base['rate']:.2f}×",
                        f"{m['cpu_per_1000'] / base['cpu_per_1000']:.2f}×",
                    ]
                )
    title = (
        f"Transports: the ocppwire CSMS on websockets and picows, asyncio and uvloop (permessage-deflate "
        f"{'on' if config.compression else 'off'}; {config.warmup:g} s warm-up, {config.duration:g} s window, "
        f"median of {config.repeats}; the load generator is one ocppwire-sim process on picows + uvloop)"
    )
    table = render(
        title,
        [
            "run",
            "round trips/s",
            "p50 ms",
            "p99 ms",
            "CSMS CPU s / 1,000",
            "load generator CPU",
            "errors",
            "rt/s ÷ websockets",
            "CPU/rt ÷ websockets",
        ],
        rows,
    )
    return table, data
