"""A small CSMS built on the generated ``ocppwire.v201.csms`` stubs.

It accepts every station that boots, authorizes the tokens it knows, follows transactions and
their energy readings, and keeps one :class:`StationRecord` per identity so the demo can print what
happened. Run it on its own with ``python examples/csms.py --port 9000``.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import logging
import sys
from dataclasses import dataclass, field

from ocppwire.runtime.struct import value_or_default
from ocppwire.v201 import csms
from ocppwire.v201 import enums as e
from ocppwire.v201 import messages as m
from ocppwire.v201 import types as t

HEARTBEAT_INTERVAL = 300
ENERGY = e.MeasurandEnumType.ENERGY_ACTIVE_IMPORT_REGISTER


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


@dataclass
class StationRecord:
    """What the CSMS learnt about one station."""

    identity: str
    model: str = ""
    vendor: str = ""
    boot_reason: str = ""
    connector_status: dict[tuple[int, int], str] = field(default_factory=dict)
    authorized: list[str] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    transactions: dict[str, str] = field(default_factory=dict)
    """transactionId → last event type (Started / Updated / Ended)."""
    meter_values: int = 0
    energy_wh: float = 0.0
    variables: dict[str, str] = field(default_factory=dict)
    reset: str = ""
    connected: bool = False


class DemoCsms(csms.CsmsHandler):
    """Answers the station-initiated actions of the demo; everything else is NotSupported."""

    def __init__(self, known_tokens: set[str]) -> None:
        self.known_tokens = known_tokens
        self.records: dict[str, StationRecord] = {}

    def record(self, station: csms.ChargingStationClient) -> StationRecord:
        return self.records.setdefault(station.identity, StationRecord(station.identity))

    async def on_connect(self, station: csms.ChargingStationClient) -> None:
        self.record(station).connected = True

    async def on_disconnect(self, station: csms.ChargingStationClient) -> None:
        self.record(station).connected = False

    async def boot_notification(
        self, station: csms.ChargingStationClient, req: m.BootNotificationRequest
    ) -> m.BootNotificationResponse:
        record = self.record(station)
        record.model, record.vendor = req.charging_station.model, req.charging_station.vendor_name
        record.boot_reason = req.reason.value
        return m.BootNotificationResponse(
            current_time=utc_now(), interval=HEARTBEAT_INTERVAL, status=e.RegistrationStatusEnumType.ACCEPTED
        )

    async def heartbeat(self, station: csms.ChargingStationClient, req: m.HeartbeatRequest) -> m.HeartbeatResponse:
        return m.HeartbeatResponse(current_time=utc_now())

    async def status_notification(
        self, station: csms.ChargingStationClient, req: m.StatusNotificationRequest
    ) -> m.StatusNotificationResponse:
        self.record(station).connector_status[(req.evse_id, req.connector_id)] = req.connector_status.value
        return m.StatusNotificationResponse()

    async def authorize(self, station: csms.ChargingStationClient, req: m.AuthorizeRequest) -> m.AuthorizeResponse:
        token = req.id_token.id_token
        record = self.record(station)
        if token in self.known_tokens:
            record.authorized.append(token)
            status = e.AuthorizationStatusEnumType.ACCEPTED
        else:
            record.rejected.append(token)
            status = e.AuthorizationStatusEnumType.INVALID
        return m.AuthorizeResponse(id_token_info=t.IdTokenInfoType(status=status))

    async def transaction_event(
        self, station: csms.ChargingStationClient, req: m.TransactionEventRequest
    ) -> m.TransactionEventResponse:
        record = self.record(station)
        record.transactions[req.transaction_info.transaction_id] = req.event_type.value
        if isinstance(req.meter_value, list):
            self._take_readings(record, req.meter_value)
        return m.TransactionEventResponse()

    async def meter_values(
        self, station: csms.ChargingStationClient, req: m.MeterValuesRequest
    ) -> m.MeterValuesResponse:
        self._take_readings(self.record(station), req.meter_value)
        return m.MeterValuesResponse()

    @staticmethod
    def _take_readings(record: StationRecord, values: list[t.MeterValueType]) -> None:
        for value in values:
            record.meter_values += 1
            for sample in value.sampled_value:
                # an absent measurand means the schema default, Energy.Active.Import.Register
                if value_or_default(sample, "measurand", e.MeasurandEnumType) is ENERGY:
                    record.energy_wh = max(record.energy_wh, sample.value)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9000)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    async with csms.serve(DemoCsms({"TOKEN-1", "TOKEN-2", "TOKEN-3"}), args.host, args.port) as server:
        print(f"CSMS listening on {server.url} (Ctrl-C stops it)", flush=True)
        await server.serve_forever()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:  # Ctrl-C: asyncio.run has cancelled main(), which closed the server
        print("stopped", file=sys.stderr)
        sys.exit(130)
