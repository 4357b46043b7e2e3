"""Calls to any station from any node or from a backend process, with the local call's typed errors."""

from __future__ import annotations

import asyncio
import time

import pytest

from ocppwire import CallTimeoutError, SecurityError
from ocppwire.cluster import StationNotConnectedError, cluster_of, connect
from ocppwire.cluster.config import ClusterConfig
from ocppwire.v201 import csms, enums as e, messages as m, station, types as t

from .conftest import RESET, StartNode, StartStation, Station


async def wait_present(cluster_config: ClusterConfig, identity: str, node_id: str | None = None, timeout: float = 5) -> None:
    async with await connect(cluster_config, csms.BINDING) as c:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            entry = await c.where(identity)
            if entry is not None and (node_id is None or entry.node == node_id):
                return
            await asyncio.sleep(0.02)
    raise AssertionError(f"{identity} not present on {node_id}")


async def test_call_from_another_node_and_from_a_backend(
    start_node: StartNode, start_station: StartStation, cluster_config: ClusterConfig
) -> None:
    a = await start_node()
    b = await start_node()
    handler = Station()
    await start_station(a.url, "CS001", handler)
    await wait_present(cluster_config, "CS001")
    res = await cluster_of(b).stations["CS001"].reset(RESET)
    assert res.status == e.ResetStatusEnumType.ACCEPTED
    async with await connect(cluster_config, csms.BINDING) as backend:
        res = await backend.stations["CS001"].reset(RESET)
        assert isinstance(res, m.ResetResponse) and res.status == "Accepted"
        entry = await backend.where("CS001")
        assert entry is not None and entry.ocpp == "ocpp2.0.1"
        assert set(await backend.nodes()) == {a.observer.node_id, b.observer.node_id}  # type: ignore[union-attr]
    assert handler.resets == 2


async def test_callerror_timeout_and_not_connected_are_typed(
    start_node: StartNode, start_station: StartStation, cluster_config: ClusterConfig
) -> None:
    a = await start_node()
    await start_node()

    class Slow(Station):
        async def reset(self, csms: station.CsmsClient, req: m.ResetRequest) -> m.ResetResponse:
            await asyncio.sleep(5)
            return await super().reset(csms, req)

    await start_station(a.url, "CS-err", Slow())
    await wait_present(cluster_config, "CS-err")
    async with await connect(cluster_config, csms.BINDING) as backend:
        remote = backend.stations["CS-err"]
        req = m.GetVariablesRequest(
            get_variable_data=[t.GetVariableDataType(component=t.ComponentType(name="X"), variable=t.VariableType(name="Y"))]
        )
        with pytest.raises(SecurityError) as raised:
            await remote.get_variables(req)
        assert raised.value.description == "not for you" and raised.value.details == {"why": "test"}
        started = time.monotonic()
        with pytest.raises(CallTimeoutError):
            await remote.reset(RESET, timeout=0.3)
        assert time.monotonic() - started < 2
        started = time.monotonic()
        with pytest.raises(StationNotConnectedError):
            await backend.stations["nobody"].reset(RESET)
        assert time.monotonic() - started < 0.5


async def test_one_call_in_flight_per_station_across_nodes(
    start_node: StartNode, start_station: StartStation, cluster_config: ClusterConfig
) -> None:
    a = await start_node()
    b = await start_node()
    in_flight = 0
    most = 0

    class Counting(Station):
        async def reset(self, csms: station.CsmsClient, req: m.ResetRequest) -> m.ResetResponse:
            nonlocal in_flight, most
            in_flight += 1
            most = max(most, in_flight)
            await asyncio.sleep(0.01)
            in_flight -= 1
            return await super().reset(csms, req)

    await start_station(a.url, "CS-one", Counting())
    await wait_present(cluster_config, "CS-one")
    async with await connect(cluster_config, csms.BINDING) as backend:
        calls = [cluster_of(b).stations["CS-one"].reset(RESET) for _ in range(10)]
        calls += [backend.stations["CS-one"].reset(RESET) for _ in range(10)]
        calls += [a.stations["CS-one"].reset(RESET) for _ in range(5)]
        results = await asyncio.gather(*calls)
    assert len(results) == 25 and most == 1
