"""Station requests answered by handler workers through a queue group; the events stream in order."""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone

import nats
import pytest

from ocppwire import InternalError, SecurityError
from ocppwire.cluster import HandlerWorker, forwarding_handler
from ocppwire.cluster.config import ClusterConfig
from ocppwire.cluster.events import event_decoder
from ocppwire.v201 import csms, enums as e, messages as m

from .conftest import Csms, StartNode, StartStation, with_name
from .test_routing import wait_present



def boot_request() -> m.BootNotificationRequest:
    from ocppwire.v201 import types as t

    return m.BootNotificationRequest(
        charging_station=t.ChargingStationType(model="M", vendor_name="V"), reason=e.BootReasonEnumType.POWER_UP
    )


class WorkerCsms(Csms):
    def __init__(self, name: str) -> None:
        self.name = name
        self.seen: list[str] = []
        self.connected: list[str] = []

    async def boot_notification(
        self, station: csms.ChargingStationClient, req: m.BootNotificationRequest
    ) -> m.BootNotificationResponse:
        self.seen.append(station.identity)
        # a worker can call the station back through the cluster
        res = await station.reset(m.ResetRequest(type=e.ResetEnumType.ON_IDLE))
        assert res.status == "Accepted"
        return await super().boot_notification(station, req)

    async def heartbeat(self, station: csms.ChargingStationClient, req: m.HeartbeatRequest) -> m.HeartbeatResponse:
        raise SecurityError("heartbeats refused here")

    async def on_connect(self, station: csms.ChargingStationClient) -> None:
        self.connected.append(station.identity)


async def test_requests_are_forwarded_to_workers(
    start_node: StartNode, start_station: StartStation, cluster_config: ClusterConfig
) -> None:
    node = await start_node(forwarding_handler(csms.BINDING))
    one, two = WorkerCsms("one"), WorkerCsms("two")
    async with HandlerWorker(cluster_config, csms.BINDING, one), HandlerWorker(cluster_config, csms.BINDING, two):
        conns = [await start_station(node.url, f"CS-w{i}") for i in range(6)]
        for conn in conns:
            boot = await conn.peer.boot_notification(boot_request())
            assert boot.status == "Accepted"
        with pytest.raises(SecurityError):
            await conns[0].peer.heartbeat(m.HeartbeatRequest())
        assert sorted(one.seen + two.seen) == sorted(f"CS-w{i}" for i in range(6))
        # the queue group spreads the work; NATS picks a member at random, so six requests all reach one
        # worker about once in 32 runs: keep asking (bounded) until both have answered one
        for attempt in range(40):
            if one.seen and two.seen:
                break
            await conns[attempt % 6].peer.boot_notification(boot_request())
        assert one.seen and two.seen
        await asyncio.sleep(0.1)
        assert sorted(one.connected + two.connected) == sorted(f"CS-w{i}" for i in range(6))
    # no worker running: the station gets InternalError at once
    with pytest.raises(InternalError):
        await conns[0].peer.boot_notification(boot_request())


async def test_events_stream_keeps_each_stations_requests_in_order(
    start_node: StartNode, start_station: StartStation, cluster_config: ClusterConfig
) -> None:
    config = with_name(cluster_config, events=True)
    node = await start_node(Csms(), config)
    conns = [await start_station(node.url, f"CS-e{i}") for i in range(3)]
    for conn in conns:
        await conn.peer.boot_notification(boot_request())
    await asyncio.gather(*(conn.peer.heartbeat(m.HeartbeatRequest()) for conn in conns for _ in range(5)))
    nc = await nats.connect(cluster_config.servers[0])
    try:
        js = nc.jetstream()
        sub = await js.pull_subscribe(f"ocppwire.{config.name}.events.CS-e1.>", stream=config.names.events_stream)
        events = []
        while len(events) < 6:
            for msg in await sub.fetch(10, timeout=2):
                events.append(event_decoder.decode(msg.data))
                await msg.ack()
    finally:
        await nc.close()
    assert [ev.action for ev in events] == ["BootNotification"] + ["Heartbeat"] * 5
    assert events[0].identity == "CS-e1" and events[0].response["status"] == "Accepted"
    assert events[0].request["reason"] == "PowerUp" and events[0].node == node.observer.node_id  # type: ignore[union-attr]
    assert "currentTime" in events[1].response
