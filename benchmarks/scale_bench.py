"""Scale: thousands of concurrent stations on one ocppwire CSMS process, with permessage-deflate on.

``python -m benchmarks.scale_bench`` (``make bench-scale``) starts the CSMS of
:mod:`benchmarks.servers` (compression tuned by ``--window-bits`` / ``--mem-level``), measures its
memory before any station connects, then runs ``ocppwire-sim`` in a separate process: N stations
connect (``--connect-concurrency`` handshakes at a time), boot, and heartbeat in a closed loop
(``--interval 0``) or at a fixed interval. Reported: time until all stations were connected and
booted, RSS with nobody connected / all connected / peak, RSS per connection, round trips per
second and latency over the measured window, CSMS CPU per 1,000 round trips, and errors (a
clean run has none).

``--compare`` instead runs a smaller fleet once per permessage-deflate setting, to show what the
window and memLevel settings cost per connection.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from dataclasses import dataclass
from typing import Any

from .machine import header_lines
from .procs import csms_process, peak_rss, run_sim
from .table import rate, render

__all__ = ["ScaleConfig", "main", "run"]

MiB = 2**20


@dataclass(frozen=True)
class ScaleConfig:
    """One scale run."""

    stations: int = 10_000
    duration: float = 10.0
    warmup: float = 2.0
    interval: float = 0.0
    window_bits: int = 9
    mem_level: int = 1
    no_context_takeover: bool = False
    connect_concurrency: int = 200
    compression: bool = True
    gc_threshold: int = 0
    """Generation-0 threshold of the CSMS's garbage collector (0: Python's default, 700)."""
    kind: str = "ocppwire"
    """Which CSMS of :mod:`benchmarks.servers` (``ceiling``: the bare transport, for reference)."""
    transport: str = "websockets"
    """The CSMS's transport (``ServerOptions.transport``)."""
    sim_transport: str = "websockets"
    """The simulator's transport (picows: a lighter load generator)."""

    @property
    def deflate(self) -> str:
        if not self.compression:
            return "permessage-deflate off"
        takeover = ", no context takeover" if self.no_context_takeover else ""
        return f"window {self.window_bits} bits, memLevel {self.mem_level}{takeover}"


def run(config: ScaleConfig) -> dict[str, Any]:
    """One CSMS process, one simulator process; returns the figures of the run."""
    extra = ["--window-bits", str(config.window_bits), "--mem-level", str(config.mem_level)]
    if config.compression:
        extra.append("--compression")
    if config.gc_threshold:
        extra += ["--gc-threshold", str(config.gc_threshold)]
    if config.no_context_takeover:
        extra.append("--no-context-takeover")
    if config.kind == "ocppwire" and config.transport != "websockets":
        extra += ["--transport", config.transport]
    stats_file = tempfile.NamedTemporaryFile(prefix="gc-", suffix=".json", delete=False)
    stats_file.close()
    extra += ["--gc-stats", stats_file.name]
    with csms_process(config.kind, extra) as csms:
        time.sleep(0.5)
        rss_before = csms.rss()
        events = run_sim(
            csms,
            [
                "-n", str(config.stations), "--scenario", "heartbeat", "--interval", str(config.interval),
                "--duration", str(config.duration), "--warmup", str(config.warmup),
                "--connect-concurrency", str(config.connect_concurrency), "--call-timeout", "60",
                *([] if config.compression else ["--no-compression"]),
                *([] if config.sim_transport == "websockets" else ["--transport", config.sim_transport]),
            ],
            timeout=600 + config.duration,
        )  # fmt: skip
        peak = peak_rss(csms.process)
    with open(stats_file.name, encoding="utf-8") as stats:
        collector = json.load(stats)
    os.unlink(stats_file.name)
    result = events.result
    answered = result["window"]["answered"]
    connected = result["connected"]
    return {
        "config": config.__dict__,
        "connected": connected,
        "connect_seconds": result["connect_seconds"],
        "rss_before": rss_before,
        "rss_connected": events.rss_connected,
        "rss_window_end": events.rss_window_end,
        "peak_rss": peak,
        "rss_per_connection": (peak - rss_before) / connected if connected else float("nan"),
        "rate": result["round_trips_per_second"],
        "p50": result["latency_ms"]["p50"],
        "p99": result["latency_ms"]["p99"],
        "cpu_per_1000": events.cpu_window / answered * 1000 if answered else float("nan"),
        "gc_collections": collector["collections"],
        "gc_seconds": collector["seconds"],
        "errors": result["errors"],
        "error_detail": result["all_phases"],
    }


def scale_table(config: ScaleConfig, data: dict[str, Any]) -> str:
    """The one-run report as a two-column table."""
    mode = "closed loop" if config.interval == 0 else f"every {config.interval:g} s per station"
    rows = [
        ["stations connected and booted", f"{data['connected']:,} of {config.stations:,}"],
        ["time to connect all", f"{data['connect_seconds']:.1f} s"],
        ["CSMS RSS, no station connected", f"{data['rss_before'] / MiB:,.0f} MiB"],
        ["CSMS RSS, all connected (before traffic)", f"{data['rss_connected'] / MiB:,.0f} MiB"],
        ["CSMS peak RSS", f"{data['peak_rss'] / MiB:,.0f} MiB"],
        ["RSS per connection (peak − before) ÷ stations", f"{data['rss_per_connection'] / 1024:,.1f} KiB"],
        [f"Heartbeat round trips/s ({mode})", rate(data["rate"])],
        ["latency p50 / p99", f"{data['p50']:.1f} ms / {data['p99']:.1f} ms"],
        ["CSMS CPU s / 1,000 round trips", f"{data['cpu_per_1000']:.3f}"],
        [
            "CSMS time in garbage collection, whole run (full collections)",
            f"{sum(data['gc_seconds']):.1f} s ({data['gc_collections'][2]} full, {data['gc_seconds'][2]:.1f} s)",
        ],
        ["errors", f"{data['errors']}"],
    ]
    title = (
        f"Scale: {config.stations:,} stations on one {config.kind} CSMS process (permessage-deflate on: "
        f"{config.deflate}; {config.warmup:g} s warm-up, {config.duration:g} s window"
        f"{f'; gc threshold {config.gc_threshold:,}' if config.gc_threshold else ''})"
    )
    return render(title, ["", "value"], rows)


COMPARED: tuple[tuple[int, int, bool] | None, ...] = (None, (15, 8, False), (12, 5, False), (9, 1, False), (9, 1, True))
"""(window bits, memLevel, no context takeover): compression off (for reference), zlib's defaults,
websockets' defaults (what ``compression=True`` gives), the tuned setting, tuned without context takeover."""


def compare(stations: int, duration: float) -> str:
    """RSS per connection and CPU for each deflate setting in :data:`COMPARED`, on a smaller fleet."""
    rows = []
    for setting in COMPARED:
        bits, level, reset = setting or (9, 1, False)
        config = ScaleConfig(stations=stations, duration=duration, warmup=1.0, window_bits=bits, mem_level=level,
                             no_context_takeover=reset, compression=setting is not None)  # fmt: skip
        data = run(config)
        rows.append([
            config.deflate, f"{data['rss_per_connection'] / 1024:,.1f}", f"{data['peak_rss'] / MiB:,.0f}",
            rate(data["rate"]), f"{data['cpu_per_1000']:.3f}", f"{data['errors']}",
        ])  # fmt: skip
    title = f"permessage-deflate settings, {stations:,} stations heartbeating (closed loop, {duration:g} s window)"
    return render(title, ["server setting", "KiB per connection", "peak RSS MiB", "round trips/s",
                          "CPU s / 1,000", "errors"], rows)  # fmt: skip


IDLE_SETTINGS: tuple[tuple[int, int, bool] | None, ...] = (None, (12, 5, False), (9, 1, False), (9, 1, True))
"""(window bits, memLevel, no context takeover both ways) for the idle-memory table; ``None``: compression off."""


def idle_memory(stations: int = 2000) -> tuple[str, list[dict[str, Any]]]:
    """RSS per *idle* connection (booted, one Heartbeat each, then quiet) on each transport and deflate setting:
    (RSS with every station connected − RSS before any) ÷ stations. The stations are ocppwire-sim on picows."""
    rows = []
    data = []
    for transport in ("websockets", "picows"):
        for setting in IDLE_SETTINGS:
            bits, level, reset = setting or (9, 1, False)
            config = ScaleConfig(
                stations=stations, duration=2.0, warmup=0.5, interval=3600.0, window_bits=bits, mem_level=level,
                no_context_takeover=reset, compression=setting is not None, transport=transport,
                sim_transport="picows",
            )  # fmt: skip
            result = run(config)
            per = (result["rss_connected"] - result["rss_before"]) / result["connected"] if result["connected"] else 0
            data.append({"transport": transport, "deflate": config.deflate, "kib_per_idle_connection": per / 1024,
                         "connected": result["connected"], "errors": result["errors"]})  # fmt: skip
            rows.append([transport, config.deflate, f"{per / 1024:,.1f}", f"{result['connected']:,}",
                         f"{result['errors']}"])  # fmt: skip
    title = f"Memory per idle connection, {stations:,} stations (booted, then quiet), CSMS RSS"
    return render(title, ["transport", "permessage-deflate", "KiB per connection", "connected", "errors"], rows), data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stations", type=int, default=10_000)
    parser.add_argument("--duration", type=float, default=10.0, help="seconds of the measured window")
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--interval", type=float, default=0.0, help="seconds between heartbeats (0: closed loop)")
    parser.add_argument("--window-bits", type=int, default=9)
    parser.add_argument("--mem-level", type=int, default=1)
    parser.add_argument("--no-context-takeover", action="store_true")
    parser.add_argument("--connect-concurrency", type=int, default=200)
    parser.add_argument(
        "--kind",
        choices=["ocppwire", "ceiling"],
        default="ocppwire",
        help="the CSMS to load (ceiling: bare websockets, for reference)",
    )
    parser.add_argument("--gc-threshold", type=int, default=0, help="CSMS gc generation-0 threshold (0: default)")
    parser.add_argument("--compare", action="store_true", help="compare deflate settings instead (smaller fleet)")
    parser.add_argument("--idle-memory", action="store_true", help="RSS per idle connection, per transport and setting")
    parser.add_argument("--transport", choices=["websockets", "picows"], default="websockets", help="the CSMS's")
    parser.add_argument("--sim-transport", choices=["websockets", "picows"], default="websockets")
    args = parser.parse_args()
    print("\n".join(header_lines()), "\n", flush=True)
    if args.compare:
        print(compare(args.stations, args.duration))
        return
    if args.idle_memory:
        print(idle_memory(min(args.stations, 5000))[0])
        return
    config = ScaleConfig(
        stations=args.stations, duration=args.duration, warmup=args.warmup, interval=args.interval,
        window_bits=args.window_bits, mem_level=args.mem_level, no_context_takeover=args.no_context_takeover,
        connect_concurrency=args.connect_concurrency, kind=args.kind, gc_threshold=args.gc_threshold,
        transport=args.transport, sim_transport=args.sim_transport,
    )  # fmt: skip
    data = run(config)
    print(scale_table(config, data))
    if data["errors"]:
        print("errors by kind:", data["error_detail"])


if __name__ == "__main__":
    main()
