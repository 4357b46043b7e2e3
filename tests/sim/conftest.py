"""Fixtures for simulator tests: a CSMS on the generated stubs, listening on 127.0.0.1 for one test."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from ocppwire.v201 import csms
from ocppwire.v201 import enums as e
from ocppwire.v201 import messages as m


class CountingCsms(csms.CsmsHandler):
    """Answers what the simulator sends and counts every request by action (and TransactionEvent type)."""

    def __init__(self, boot_status: e.RegistrationStatusEnumType = e.RegistrationStatusEnumType.ACCEPTED) -> None:
        self.received: Counter[str] = Counter()
        self.identities: set[str] = set()
        self.boot_status = boot_status

    async def boot_notification(
        self, station: csms.ChargingStationClient, req: m.BootNotificationRequest
    ) -> m.BootNotificationResponse:
        self.received["BootNotification"] += 1
        self.identities.add(station.identity)
        return m.BootNotificationResponse(current_time=datetime.now(UTC), interval=300, status=self.boot_status)

    async def heartbeat(self, station: csms.ChargingStationClient, req: m.HeartbeatRequest) -> m.HeartbeatResponse:
        self.received["Heartbeat"] += 1
        return m.HeartbeatResponse(current_time=datetime.now(UTC))

    async def meter_values(
        self, station: csms.ChargingStationClient, req: m.MeterValuesRequest
    ) -> m.MeterValuesResponse:
        self.received["MeterValues"] += 1
        return m.MeterValuesResponse()

    async def status_notification(
        self, station: csms.ChargingStationClient, req: m.StatusNotificationRequest
    ) -> m.StatusNotificationResponse:
        self.received[f"StatusNotification {req.connector_status}"] += 1
        return m.StatusNotificationResponse()

    async def transaction_event(
        self, station: csms.ChargingStationClient, req: m.TransactionEventRequest
    ) -> m.TransactionEventResponse:
        self.received[f"TransactionEvent {req.event_type}"] += 1
        return m.TransactionEventResponse()


StartCsms = Callable[..., Awaitable[csms.CsmsServer]]


@pytest.fixture
async def start_csms() -> AsyncIterator[StartCsms]:
    servers: list[csms.CsmsServer] = []

    async def start(handler: csms.CsmsHandler | None = None, **options: Any) -> csms.CsmsServer:
        server = await csms.serve(handler or CountingCsms(), "127.0.0.1", 0, options=csms.ServerOptions(**options))
        servers.append(server)
        return server

    yield start
    for server in servers:
        await server.close(grace=1)
