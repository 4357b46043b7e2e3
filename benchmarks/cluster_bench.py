"""Cluster figures: what routing through NATS costs, what more CSMS processes give, a large fleet.

``python -m benchmarks.cluster_bench`` (``make bench-cluster``) starts a local nats-server and prints
three tables (docs/cluster.md quotes them):

1. **Cross-node call cost** — CSMS->station Reset calls in a closed loop on ``--call-stations``
   stations, made (a) on the node that holds them (``server.stations[id]``) and (b) from a backend
   ``Cluster`` handle through NATS to that node. One process holds the node, the stations and the
   caller (the NATS server is the only other process), so the routed row includes both ends' work.
2. **Scale out** — 1, 2 and 3 CSMS processes (``benchmarks.servers ocppwire``), standalone and as
   cluster nodes, each loaded by its own ``ocppwire-sim`` (heartbeats in a closed loop, the fleet split
   evenly). Reported: round trips/s in all, CSMS CPU seconds per 1,000 round trips, and round trips per
   CSMS CPU second in cluster mode as a share of standalone (the target is >= 90 %).
3. **Fleet** — ``--stations`` stations (30,000 for the full figure) over three cluster nodes: time to
   connect, errors, presence entries, RSS per node.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import threading
import time
from contextlib import ExitStack
from typing import Any

from ocppwire.cluster import ClusterConfig, NatsServer, connect
from ocppwire.runtime.options import ClientOptions, ServerOptions
from ocppwire.v201 import csms, enums as e, messages as m, station

from .machine import header_lines
from .procs import CsmsProcess, SimEvents, csms_process, run_sim
from .table import rate, render

__all__ = ["main"]

MiB = 2**20
RESET = m.ResetRequest(type=e.ResetEnumType.ON_IDLE)


class _Station(station.ChargingStationHandler):
    async def reset(self, csms: station.CsmsClient, req: m.ResetRequest) -> m.ResetResponse:
        return m.ResetResponse(status=e.ResetStatusEnumType.ACCEPTED)


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q / 100 * len(ordered)))] if ordered else 0.0


# ---- 1. cross-node call cost --------------------------------------------------------------------
async def call_cost(nats_url: str, stations: int, duration: float) -> list[list[str]]:
    config = ClusterConfig(servers=(nats_url,), name="cost")
    options = ServerOptions(
        cluster=config, shutdown_grace=1, max_connections_per_address=100_000, handshake_burst=100_000
    )
    rows = []
    async with csms.serve(csms.CsmsHandler(), "127.0.0.1", 0, options=options) as server:
        conns = [
            await station.connect(
                server.url, identity=f"CC{i:05d}", handler=_Station(), options=ClientOptions(shutdown_grace=0.1)
            )
            for i in range(stations)
        ]
        async with await connect(config, csms.BINDING) as backend:
            while len(await backend.connected()) < stations:
                await asyncio.sleep(0.05)
            for label, stations_of in (
                ("on the holding node (local)", server.stations),
                ("through NATS from a backend handle", backend.stations),
            ):
                latencies: list[float] = []
                errors = 0
                end = time.perf_counter() + duration

                async def loop(identity: str) -> None:
                    nonlocal errors
                    peer = stations_of[identity]
                    while (now := time.perf_counter()) < end:
                        try:
                            await peer.reset(RESET)
                        except Exception:
                            errors += 1
                        latencies.append(time.perf_counter() - now)

                started = time.perf_counter()
                await asyncio.gather(*(loop(c.peer.identity) for c in conns))
                elapsed = time.perf_counter() - started
                rows.append(
                    [
                        label,
                        str(stations),
                        rate(len(latencies) / elapsed),
                        f"{statistics.median(latencies) * 1e3:.2f}",
                        f"{_percentile(latencies, 99) * 1e3:.2f}",
                        str(errors),
                    ]
                )
        for conn in conns:
            await conn.close()
    return rows


# ---- 2. scale out --------------------------------------------------------------------------------
def _parallel_sims(nodes: list[CsmsProcess], per_node: int, duration: float, warmup: float) -> list[SimEvents]:
    results: list[SimEvents | None] = [None] * len(nodes)
    errors: list[BaseException] = []

    def one(i: int) -> None:
        args = [
            "-n",
            str(per_node),
            "--scenario",
            "heartbeat",
            "--interval",
            "0",
            "--duration",
            str(duration),
            "--warmup",
            str(warmup),
            "--prefix",
            f"N{i}S",
            "--connect-concurrency",
            "100",
        ]
        try:
            results[i] = run_sim(nodes[i], args)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(len(nodes))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return [r for r in results if r is not None]


def scale_out(
    nats_url: str, stations: int, duration: float, warmup: float, counts: list[int], repeat: int = 2
) -> list[list[str]]:
    """Each (count, mode) runs ``repeat`` times, modes interleaved; the run with the most round trips per
    CSMS CPU second is kept (on a shared machine the other runs measure the neighbours too)."""
    rows = []
    per_cpu: dict[tuple[int, str], float] = {}
    for count in counts:
        best: dict[str, tuple[float, int, float, float, int]] = {}
        for _ in range(repeat):
            for mode in ("standalone", "cluster"):
                with ExitStack() as stack:
                    extra = ["--cluster", nats_url, "--cluster-name", f"scale{count}"] if mode == "cluster" else []
                    nodes = [stack.enter_context(csms_process("ocppwire", extra)) for _ in range(count)]
                    sims = _parallel_sims(nodes, max(1, stations // count), duration, warmup)
                answered = sum(int(s.result["window"]["answered"]) for s in sims)
                window = max(float(s.result["window_seconds"]) for s in sims)
                cpu = sum(s.cpu_window for s in sims)
                errors = sum(int(s.result["errors"]) for s in sims)
                figure = answered / cpu if cpu else 0.0
                if mode not in best or figure > best[mode][0]:
                    best[mode] = (figure, answered, window, cpu, errors)
        for mode in ("standalone", "cluster"):
            figure, answered, window, cpu, errors = best[mode]
            per_cpu[(count, mode)] = figure
            share = ""
            if mode == "cluster" and per_cpu.get((count, "standalone")):
                share = f"{figure / per_cpu[(count, 'standalone')] * 100:.0f} %"
            rows.append(
                [
                    f"{count} × CSMS, {mode}",
                    str(stations),
                    rate(answered / window if window else 0),
                    f"{cpu / answered * 1000:.3f}" if answered else "-",
                    rate(figure),
                    share,
                    str(errors),
                ]
            )
    return rows


# ---- 3. fleet ---------------------------------------------------------------------------------------
def fleet(nats_url: str, stations: int, duration: float) -> list[list[str]]:
    rows = []
    with ExitStack() as stack:
        extra = ["--cluster", nats_url, "--cluster-name", "fleet"]
        nodes = [stack.enter_context(csms_process("ocppwire", extra)) for _ in range(3)]
        per_node = stations // 3
        results: list[SimEvents | None] = [None] * 3

        def one(i: int) -> None:
            args = [
                "-n",
                str(per_node),
                "--scenario",
                "heartbeat",
                "--interval",
                "10",
                "--duration",
                str(duration),
                "--prefix",
                f"F{i}S",
                "--connect-concurrency",
                "200",
            ]
            results[i] = run_sim(nodes[i], args, timeout=1800)

        threads = [threading.Thread(target=one, args=(i,)) for i in range(3)]
        for thread in threads:
            thread.start()
        most_present = [0]
        done = threading.Event()
        counter = threading.Thread(target=lambda: asyncio.run(_count_present(nats_url, "fleet", done, most_present)))
        counter.start()
        for thread in threads:
            thread.join()
        done.set()
        counter.join()
        present = most_present[0]
        for i, (node, sim) in enumerate(zip(nodes, results)):
            if sim is None:
                rows.append([f"node {i + 1}", str(per_node), "-", "failed", "-", "-"])
                continue
            rows.append(
                [
                    f"node {i + 1}",
                    str(sim.result["connected"]),
                    f"{sim.result['connect_seconds']:.1f}",
                    str(sim.result["errors"]),
                    f"{sim.rss_connected / MiB:.0f}",
                    f"{sim.rss_connected / max(1, sim.result['connected']) / 1024:.1f}",
                ]
            )
        rows.append(["presence entries (most seen while running)", str(present), "", "", "", ""])
    return rows


async def _count_present(nats_url: str, name: str, done: threading.Event, most: list[int]) -> None:
    """Scan presence every 2 s until ``done``; keep the largest count in ``most[0]``."""
    async with await connect(ClusterConfig(servers=(nats_url,), name=name), csms.BINDING) as c:
        while not done.is_set():
            most[0] = max(most[0], len(await c.connected()))
            await asyncio.sleep(2)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Cluster benchmarks (docs/cluster.md).")
    parser.add_argument("--quick", action="store_true", help="small and short: to try it out")
    parser.add_argument("--call-stations", type=int, default=50)
    parser.add_argument("--scale-stations", type=int, default=300)
    parser.add_argument("--stations", type=int, default=3000, help="fleet over three nodes (30000 for the full figure)")
    parser.add_argument("--duration", type=float, default=8.0)
    parser.add_argument("--repeat", type=int, default=2, help="runs per scale-out row (the best is kept)")
    parser.add_argument("--skip", action="append", default=[], choices=["cost", "scale", "fleet"])
    args = parser.parse_args(argv)
    if args.quick:
        args.call_stations, args.scale_stations, args.stations, args.duration, args.repeat = 10, 60, 300, 3.0, 1
    for line in header_lines():
        print(line)
    print()
    with NatsServer() as nats_server:
        if "cost" not in args.skip:
            rows = asyncio.run(call_cost(nats_server.url, args.call_stations, args.duration))
            print(
                render(
                    "CSMS->station calls: local vs routed through NATS (Reset, closed loop)",
                    ["path", "stations", "round trips/s", "p50 ms", "p99 ms", "errors"],
                    rows,
                )
            )
        if "scale" not in args.skip:
            rows = scale_out(nats_server.url, args.scale_stations, args.duration, 1.0, [1, 2, 3], args.repeat)
            print(
                render(
                    "Scale out: station->CSMS heartbeats, one ocppwire-sim per CSMS process",
                    [
                        "CSMS processes",
                        "stations",
                        "round trips/s",
                        "CSMS CPU s / 1k",
                        "rt per CPU s",
                        "cluster / standalone",
                        "errors",
                    ],
                    rows,
                )
            )
        if "fleet" not in args.skip:
            rows = fleet(nats_server.url, args.stations, args.duration)
            print(
                render(
                    f"{args.stations:,} stations over three cluster nodes (heartbeat every 10 s)",
                    ["", "connected", "connect s", "errors", "RSS MiB", "KiB per station"],
                    rows,
                )
            )


if __name__ == "__main__":
    main()
