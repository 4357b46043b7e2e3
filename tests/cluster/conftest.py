"""Fixtures of the cluster tests: a real nats-server (JetStream, temp store, free port) and CSMS nodes.

One nats-server serves the whole module; every test takes a cluster name of its own, so tests never
see each other's presence, subjects or streams. Tests that restart or kill the server start their own.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import AsyncExitStack
from dataclasses import replace
from datetime import datetime, timezone

import pytest

from ocppwire.cluster import ClusterConfig, NatsServer
from ocppwire.runtime.options import ClientOptions, ServerOptions
from ocppwire.v201 import csms, enums as e, messages as m, station

_names = itertools.count(1)


@pytest.fixture(scope="module")
def nats_server() -> Iterator[NatsServer]:
    with NatsServer() as server:
        yield server


@pytest.fixture
def cluster_config(nats_server: NatsServer) -> ClusterConfig:
    """A config for a fresh cluster on the module's nats-server (short heartbeat for fast tests)."""
    return ClusterConfig(servers=(nats_server.url,), name=f"t{next(_names)}", node_ttl=1.5, reconnect_wait=0.2)


class Csms(csms.CsmsHandler):
    async def boot_notification(
        self, station: csms.ChargingStationClient, req: m.BootNotificationRequest
    ) -> m.BootNotificationResponse:
        return m.BootNotificationResponse(
            current_time=datetime.now(timezone.utc), interval=300, status=e.RegistrationStatusEnumType.ACCEPTED
        )

    async def heartbeat(self, station: csms.ChargingStationClient, req: m.HeartbeatRequest) -> m.HeartbeatResponse:
        return m.HeartbeatResponse(current_time=datetime.now(timezone.utc))


class Station(station.ChargingStationHandler):
    """Accepts Reset; answers GetVariables with CALLERROR SecurityError (to test error mapping)."""

    def __init__(self) -> None:
        self.resets = 0

    async def reset(self, csms: station.CsmsClient, req: m.ResetRequest) -> m.ResetResponse:
        self.resets += 1
        return m.ResetResponse(status=e.ResetStatusEnumType.ACCEPTED)

    async def get_variables(self, csms: station.CsmsClient, req: m.GetVariablesRequest) -> m.GetVariablesResponse:
        from ocppwire import SecurityError

        raise SecurityError("not for you", {"why": "test"})


RESET = m.ResetRequest(type=e.ResetEnumType.IMMEDIATE)

StartNode = Callable[..., Awaitable[csms.CsmsServer]]
StartStation = Callable[..., Awaitable[station.StationConnection]]


@pytest.fixture
async def stack() -> AsyncIterator[AsyncExitStack]:
    async with AsyncExitStack() as stack:
        yield stack


@pytest.fixture
def start_node(stack: AsyncExitStack, cluster_config: ClusterConfig) -> StartNode:
    async def start(handler: csms.CsmsHandler | None = None, config: ClusterConfig | None = None, **options: object) -> csms.CsmsServer:
        cfg = config or cluster_config
        server = csms.serve(
            handler or Csms(), "127.0.0.1", 0,
            options=ServerOptions(cluster=cfg, shutdown_grace=0.5, **options),  # type: ignore[arg-type]
        )
        return await stack.enter_async_context(server)

    return start


@pytest.fixture
def start_station(stack: AsyncExitStack) -> StartStation:
    async def start(url: str, identity: str, handler: station.ChargingStationHandler | None = None, **options: object) -> station.StationConnection:
        conn = station.connect(
            url, identity=identity, handler=handler or Station(),
            options=ClientOptions(shutdown_grace=0.2, **options),  # type: ignore[arg-type]
        )
        return await stack.enter_async_context(conn)

    return start


def with_name(config: ClusterConfig, **changes: object) -> ClusterConfig:
    return replace(config, **changes)  # type: ignore[arg-type]
