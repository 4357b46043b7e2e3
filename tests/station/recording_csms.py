"""A CSMS for the station tests that records every TransactionEvent it receives, in arrival order."""

from __future__ import annotations

import socket
from datetime import UTC, datetime

from ocppwire.runtime.errors import InternalError
from ocppwire.v201 import csms
from ocppwire.v201 import enums as e
from ocppwire.v201 import messages as m


class RecordingCsms(csms.CsmsHandler):
    """Accepts boots, records TransactionEvents; ``refuse`` CALLERRORs the next N TransactionEvents."""

    def __init__(self) -> None:
        self.events: list[tuple[str, m.TransactionEventRequest]] = []
        self.refuse = 0
        self.refused = 0
        self.other: list[object] = []

    async def boot_notification(
        self, station: csms.ChargingStationClient, req: m.BootNotificationRequest
    ) -> m.BootNotificationResponse:
        return m.BootNotificationResponse(
            current_time=datetime.now(UTC), interval=300, status=e.RegistrationStatusEnumType.ACCEPTED
        )

    async def transaction_event(
        self, station: csms.ChargingStationClient, req: m.TransactionEventRequest
    ) -> m.TransactionEventResponse:
        if self.refuse:
            self.refuse -= 1
            self.refused += 1
            raise InternalError("the test CSMS refuses this one")
        self.events.append((station.identity, req))
        return m.TransactionEventResponse()

    async def heartbeat(self, station: csms.ChargingStationClient, req: m.HeartbeatRequest) -> m.HeartbeatResponse:
        self.other.append(req)
        return m.HeartbeatResponse(current_time=datetime.now(UTC))

    async def status_notification(
        self, station: csms.ChargingStationClient, req: m.StatusNotificationRequest
    ) -> m.StatusNotificationResponse:
        self.other.append(req)
        return m.StatusNotificationResponse()

    def seq_nos(self, transaction_id: str) -> list[int]:
        return [r.seq_no for _, r in self.events if r.transaction_info.transaction_id == transaction_id]


def free_port() -> int:
    """A TCP port nothing listens on now (for a CSMS that must come up later on a known URL)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
