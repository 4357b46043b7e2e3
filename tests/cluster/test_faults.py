"""Faults a cluster survives, with real processes: a node SIGKILLed or stopped, the NATS server restarted."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AsyncExitStack
from pathlib import Path

import pytest

from ocppwire import CallTimeoutError, ConnectionClosedError
from ocppwire.cluster import ClusterUnavailableError, NatsServer, StationNotConnectedError, cluster_of, connect
from ocppwire.cluster.config import ClusterConfig
from ocppwire.runtime.backoff import RetryBackOff
from ocppwire.runtime.options import ClientOptions
from ocppwire.v201 import csms, messages as m, station

from .balancer import Balancer
from .conftest import RESET, StartNode, StartStation, Station

ROOT = Path(__file__).resolve().parents[2]
FAST_BACKOFF = RetryBackOff(wait_minimum=0.2, random_range=0.3, repeat_times=2)


class NodeProcess:
    def __init__(self, nats_url: str, cluster: str, ttl: float) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.cluster.node_process", nats_url, cluster, str(ttl)],
            cwd=ROOT, stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True,
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline().split()  # "READY <port> <node id>"
        if not line or line[0] != "READY":
            self.process.kill()
            raise RuntimeError(f"node process did not start: {line}")
        self.port, self.node_id = int(line[1]), line[2]

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)
            self.process.kill()
        self.process.wait()


@pytest.fixture
def node_processes(cluster_config: ClusterConfig) -> Iterator[Callable[[], NodeProcess]]:
    started: list[NodeProcess] = []

    def start() -> NodeProcess:
        node = NodeProcess(cluster_config.servers[0], cluster_config.name, cluster_config.node_ttl)
        started.append(node)
        return node

    yield start
    for node in started:
        node.stop()


async def poll(what: Callable[[], object], timeout: float, step: float = 0.05) -> float:
    """Await ``what()`` (a coroutine function) until it returns truthy; returns the seconds it took."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        result = what()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return time.monotonic() - started
        await asyncio.sleep(step)
    raise AssertionError(f"not reached within {timeout} s")


async def test_sigkilled_node_fails_fast_expires_and_its_stations_move(
    node_processes: Callable[[], NodeProcess], start_station: StartStation, cluster_config: ClusterConfig, figures: object
) -> None:
    a, b = node_processes(), node_processes()
    balancer = await Balancer([("127.0.0.1", a.port), ("127.0.0.1", b.port)]).start()
    try:
        options = {"backoff": FAST_BACKOFF, "first_connect_attempts": None}
        fleet = [f"CS-k{i}" for i in range(6)]
        for identity in fleet:
            await start_station(balancer.url, identity, **options)
        await start_station(a.url, "CS-dead", reconnect=False)  # no reconnect: shows presence expiry
        async with await connect(cluster_config, csms.BINDING) as backend:
            await poll(lambda: _all_present(backend, fleet + ["CS-dead"]), 5)
            on_a = [i for i in fleet if (await backend.where(i)).node == a.node_id]  # type: ignore[union-attr]
            assert on_a, "the balancer put no station on node A"

            os.kill(a.process.pid, signal.SIGKILL)
            killed = time.monotonic()
            # the very first call may reach NATS before it noticed the dead TCP connection: then the probe
            # of the holding node ends it; every later call fails at once with "not connected"
            with pytest.raises((StationNotConnectedError, ConnectionClosedError)):
                await backend.stations["CS-dead"].reset(RESET)
            assert time.monotonic() - killed < cluster_config.probe_interval + 1.0
            started = time.monotonic()
            with pytest.raises(StationNotConnectedError):
                await backend.stations["CS-dead"].reset(RESET)
            assert time.monotonic() - started < 0.2

            bound = cluster_config.node_ttl + cluster_config.heartbeat_interval + 2.0
            await poll(lambda: _absent(backend, "CS-dead"), bound + 1)
            expired = time.monotonic() - killed
            assert expired <= bound
            assert a.node_id not in await backend.nodes()

            async def all_answer() -> bool:
                for identity in fleet:
                    try:
                        await backend.stations[identity].reset(RESET, timeout=1)
                    except (StationNotConnectedError, ConnectionError, TimeoutError):
                        return False
                return True

            moved = await poll(all_answer, 10, 0.1)
            for identity in fleet:
                assert (await backend.where(identity)).node == b.node_id  # type: ignore[union-attr]
        figures.record("cluster SIGKILL", presence_expired_s=round(expired, 2), stations_back_s=round(moved, 2))  # type: ignore[attr-defined]
    finally:
        await balancer.close()


async def _all_present(backend: object, identities: list[str]) -> bool:
    try:
        for identity in identities:
            if await backend.where(identity) is None:  # type: ignore[attr-defined]
                return False
    except ClusterUnavailableError:
        return False
    return True


async def _absent(backend: object, identity: str) -> bool:
    return await backend.where(identity) is None  # type: ignore[attr-defined, no-any-return]


async def test_stopped_node_does_not_block_calls_to_other_nodes(
    node_processes: Callable[[], NodeProcess], start_node: StartNode, start_station: StartStation,
    cluster_config: ClusterConfig,
) -> None:
    stopped = node_processes()
    healthy = await start_node()
    await start_station(stopped.url, "CS-frozen")
    await start_station(healthy.url, "CS-fine")
    async with await connect(cluster_config, csms.BINDING) as backend:
        await poll(lambda: _all_present(backend, ["CS-frozen", "CS-fine"]), 5)
        os.kill(stopped.process.pid, signal.SIGSTOP)
        try:
            frozen = asyncio.create_task(backend.stations["CS-frozen"].reset(RESET, timeout=0.5))
            started = time.monotonic()
            for _ in range(20):
                assert (await backend.stations["CS-fine"].reset(RESET)).status == "Accepted"
            assert time.monotonic() - started < 2.0
            with pytest.raises(CallTimeoutError):
                await frozen
            assert time.monotonic() - started < 0.5 + cluster_config.call_grace + 1
        finally:
            os.kill(stopped.process.pid, signal.SIGCONT)


async def test_nats_restart_fails_calls_in_flight_and_rebuilds_presence(tmp_path: Path) -> None:
    nats_server = NatsServer(store_dir=tmp_path).start()
    config = ClusterConfig(servers=(nats_server.url,), name="restart", node_ttl=1.5, reconnect_wait=0.2)

    class SlowReset(Station):
        async def reset(self, csms: station.CsmsClient, req: m.ResetRequest) -> m.ResetResponse:
            await asyncio.sleep(3)
            return await super().reset(csms, req)

    from ocppwire.runtime.options import ServerOptions

    try:
        async with AsyncExitStack() as stack:
            options = ServerOptions(cluster=config, shutdown_grace=0.5)
            a = await stack.enter_async_context(csms.serve(_csms(), "127.0.0.1", 0, options=options))
            b = await stack.enter_async_context(csms.serve(_csms(), "127.0.0.1", 0, options=options))
            client = ClientOptions(shutdown_grace=0.1)
            await stack.enter_async_context(station.connect(a.url, identity="CS-r1", handler=SlowReset(), options=client))
            await stack.enter_async_context(station.connect(b.url, identity="CS-r2", handler=Station(), options=client))
            backend = await stack.enter_async_context(await connect(config, csms.BINDING))
            await poll(lambda: _all_present(backend, ["CS-r1", "CS-r2"]), 5)

            in_flight = asyncio.create_task(backend.stations["CS-r1"].reset(RESET, timeout=20))
            await asyncio.sleep(0.3)
            await asyncio.to_thread(nats_server.stop)
            stopped = time.monotonic()
            with pytest.raises(ClusterUnavailableError):
                await in_flight
            assert time.monotonic() - stopped < 2.0  # not the 20 s call timeout
            with pytest.raises(ClusterUnavailableError):
                await backend.stations["CS-r2"].reset(RESET)

            shutil.rmtree(tmp_path / "jetstream", ignore_errors=True)  # a server that lost its store
            await asyncio.to_thread(nats_server.start)
            await poll(lambda: _all_present(backend, ["CS-r1", "CS-r2"]), 10)
            assert (await backend.where("CS-r1")).node == a.observer.node_id  # type: ignore[union-attr]
            assert (await backend.stations["CS-r2"].reset(RESET)).status == "Accepted"
            assert (await cluster_of(b).stations["CS-r1"].reset(RESET, timeout=10)).status == "Accepted"
    finally:
        nats_server.close()


def _csms() -> csms.CsmsHandler:
    from .conftest import Csms

    return Csms()
