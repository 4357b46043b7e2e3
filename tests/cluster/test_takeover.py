"""One identity, one connection, cluster-wide: the newest connection wins, the old node closes its own."""

from __future__ import annotations

import asyncio
import os
import time

from ocppwire.cluster import cluster_of, connect
from ocppwire.cluster.config import ClusterConfig
from ocppwire.runtime.options import ClientOptions
from ocppwire.v201 import csms, station

from .conftest import RESET, StartNode, StartStation, Station
from .test_routing import wait_present


async def until(predicate: object, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return
        await asyncio.sleep(0.01)
    raise AssertionError("condition not reached")


async def test_new_connection_on_another_node_replaces_the_old_one(
    start_node: StartNode, start_station: StartStation, cluster_config: ClusterConfig
) -> None:
    a = await start_node()
    b = await start_node()
    first = await start_station(a.url, "CS-move", Station(), reconnect=False)
    await wait_present(cluster_config, "CS-move", a.observer.node_id)  # type: ignore[union-attr]
    second_handler = Station()
    await start_station(b.url, "CS-move", second_handler)
    await until(lambda: "CS-move" not in a.stations and "CS-move" in b.stations)
    await until(lambda: not first.connected)
    await wait_present(cluster_config, "CS-move", b.observer.node_id)  # type: ignore[union-attr]
    assert (await cluster_of(a).stations["CS-move"].reset(RESET)).status == "Accepted"
    assert second_handler.resets == 1


STORM_ROUNDS = int(os.environ.get("OCPPWIRE_CLUSTER_STORM_ROUNDS", "12"))


async def test_takeover_storm_never_leaves_two_live_connections(
    start_node: StartNode, cluster_config: ClusterConfig
) -> None:
    """The same identity reconnects to alternating nodes while calls keep going to it: at the end exactly
    one node holds it with exactly one live connection, presence names that node, and every call that
    returned an answer got a real one."""
    nodes = [await start_node(), await start_node(), await start_node()]
    answered = 0
    stop = asyncio.Event()
    conns: list[station.StationConnection] = []

    async def caller() -> None:
        nonlocal answered
        async with await connect(cluster_config, csms.BINDING) as backend:
            while not stop.is_set():
                try:
                    res = await backend.stations["CS-storm"].reset(RESET, timeout=2)
                    assert res.status == "Accepted"
                    answered += 1
                except (ConnectionError, TimeoutError):
                    await asyncio.sleep(0.005)

    task = asyncio.create_task(caller())
    try:
        for i in range(STORM_ROUNDS):
            node = nodes[i % len(nodes)]
            conn = station.connect(
                node.url, identity="CS-storm", handler=Station(), options=ClientOptions(reconnect=False, shutdown_grace=0.1)
            )
            conns.append(await conn)
            await asyncio.sleep(0.05 if i % 2 else 0.0)
        # Exactly one node ends up holding the identity and exactly one connection is live. Which one:
        # the connection whose presence entry was written last (the KV's revision order). Usually the
        # last to connect; when the last two handshakes race (no pause between them), either may win.
        await until(lambda: sum("CS-storm" in n.stations for n in nodes) == 1)
        await until(lambda: sum(c.connected for c in conns) == 1)
        holder = next(n for n in nodes if "CS-storm" in n.stations)
        await wait_present(cluster_config, "CS-storm", holder.observer.node_id)  # type: ignore[union-attr]
        await asyncio.sleep(0.3)  # calls keep flowing to the survivor
        assert sum("CS-storm" in n.stations for n in nodes) == 1
    finally:
        stop.set()
        await task
        for conn in conns:
            await conn.close()
    assert answered > 0
