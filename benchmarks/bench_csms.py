"""The CSMS handler every ocppwire benchmark answers with (end-to-end server and layer benchmark).

One definition, so the in-process layer benchmark and the benchmark server run the same handler code.
Kept out of ``servers.py`` so the peer and ceiling server processes never import ocppwire.
"""

from __future__ import annotations

from datetime import UTC, datetime

from ocppwire.v201 import csms
from ocppwire.v201 import enums as e
from ocppwire.v201 import messages as m
from ocppwire.v201 import types as t

from .servers import INTERVAL

__all__ = ["BenchCsms"]


class BenchCsms(csms.CsmsHandler):
    """Answers the station-initiated actions the benchmarks send, as a real CSMS would."""

    async def boot_notification(
        self, station: csms.ChargingStationClient, req: m.BootNotificationRequest
    ) -> m.BootNotificationResponse:
        return m.BootNotificationResponse(
            current_time=datetime.now(UTC), interval=INTERVAL, status=e.RegistrationStatusEnumType.ACCEPTED
        )

    async def heartbeat(self, station: csms.ChargingStationClient, req: m.HeartbeatRequest) -> m.HeartbeatResponse:
        return m.HeartbeatResponse(current_time=datetime.now(UTC))

    async def status_notification(
        self, station: csms.ChargingStationClient, req: m.StatusNotificationRequest
    ) -> m.StatusNotificationResponse:
        return m.StatusNotificationResponse()

    async def meter_values(
        self, station: csms.ChargingStationClient, req: m.MeterValuesRequest
    ) -> m.MeterValuesResponse:
        return m.MeterValuesResponse()

    async def transaction_event(
        self, station: csms.ChargingStationClient, req: m.TransactionEventRequest
    ) -> m.TransactionEventResponse:
        if req.id_token:
            return m.TransactionEventResponse(
                id_token_info=t.IdTokenInfoType(status=e.AuthorizationStatusEnumType.ACCEPTED)
            )
        return m.TransactionEventResponse()
