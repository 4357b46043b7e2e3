"""Vendor extensions over a real loopback connection: typed customData and typed DataTransfer."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

import pytest
from websockets.asyncio.client import connect as ws_connect

from ocppwire.runtime.datatransfer import call_data_transfer
from ocppwire.v201 import csms, enums
from ocppwire.v201 import messages as m

from ..loopback import RawStation, StartCsms, StartStation
from .test_vendor_package import acme

NOW = datetime(2026, 11, 28, tzinfo=timezone.utc)


class EchoCsms(csms.CsmsHandler):
    """Keeps what it received and echoes the request's customData in its answer."""

    def __init__(self) -> None:
        self.heartbeats: list[m.HeartbeatRequest] = []
        self.transfers: list[m.DataTransferRequest] = []

    async def heartbeat(self, station: csms.ChargingStationClient, req: m.HeartbeatRequest) -> m.HeartbeatResponse:
        self.heartbeats.append(req)
        return m.HeartbeatResponse(current_time=NOW, custom_data=req.custom_data)

    async def data_transfer(self, station: csms.ChargingStationClient, req: m.DataTransferRequest) -> m.DataTransferResponse:
        self.transfers.append(req)
        if isinstance(req.data, acme.GetPriceRequestData):
            price = acme.GetPriceResponseData(currency="EUR", price_per_kwh=0.42 + req.data.evse_id)
            return m.DataTransferResponse(status=enums.DataTransferStatusEnumType.ACCEPTED, data=price)
        return m.DataTransferResponse(status=enums.DataTransferStatusEnumType.UNKNOWN_VENDOR_ID)


async def test_customized_heartbeat_reaches_the_csms_typed(start_csms: StartCsms, start_station: StartStation) -> None:
    handler = EchoCsms()
    server = await start_csms(handler)
    conn = await start_station(server, "ACME-1")
    custom = acme.CustomHeartbeatData(
        vendor_id="com.mycompany.customheartbeat", main_meter_value=12345, sessions_to_date=342
    )
    res = await conn.peer.heartbeat(m.HeartbeatRequest(custom_data=custom))
    received = handler.heartbeats[0].custom_data
    assert isinstance(received, acme.CustomHeartbeatData)
    assert (received.main_meter_value, received.sessions_to_date) == (12345, 342)
    assert res.custom_data == custom  # echoed back, typed again on the station side


async def test_unregistered_custom_data_passes_through_unchanged(start_csms: StartCsms) -> None:
    server = await start_csms(EchoCsms())
    custom = {"vendorId": "com.unknown.vendor", "x": [1, {"deep": None}], "y": "z", "n": 1.5}
    async with ws_connect(f"{server.url}/RAW-1", subprotocols=["ocpp2.0.1"]) as ws:  # type: ignore[list-item]
        raw = RawStation(ws)
        answer = await raw.exchange(json.dumps([2, "hb-1", "Heartbeat", {"customData": custom}]))
    assert answer[0] == 3 and answer[1] == "hb-1"
    assert answer[2]["customData"] == custom


@pytest.mark.parametrize(
    ("custom", "code"),
    [
        ({"mainMeterValue": "12345"}, "TypeConstraintViolation"),
        ({}, "OccurrenceConstraintViolation"),
        ({"mainMeterValue": 1, "surprise": True}, "ProtocolError"),
    ],
)
async def test_registered_extension_with_a_bad_field_gets_the_usual_code(
    start_csms: StartCsms, custom: dict[str, Any], code: str
) -> None:
    handler = EchoCsms()
    server = await start_csms(handler)
    payload = {"customData": {"vendorId": "com.mycompany.customheartbeat", **custom}}
    async with ws_connect(f"{server.url}/RAW-2", subprotocols=["ocpp2.0.1"]) as ws:  # type: ignore[list-item]
        answer = await RawStation(ws).exchange(json.dumps([2, "hb-2", "Heartbeat", payload]))
    assert answer[:3] == [4, "hb-2", code]
    assert "customData" in answer[3]
    assert handler.heartbeats == []


async def test_typed_data_transfer_both_ways(start_csms: StartCsms, start_station: StartStation) -> None:
    handler = EchoCsms()
    server = await start_csms(handler)
    conn = await start_station(server, "ACME-2")
    response, price = await call_data_transfer(conn.peer, acme.GET_PRICE, acme.GetPriceRequestData(evse_id=1))
    assert response.status is enums.DataTransferStatusEnumType.ACCEPTED
    assert price == acme.GetPriceResponseData(currency="EUR", price_per_kwh=1.42)
    assert isinstance(handler.transfers[0].data, acme.GetPriceRequestData)
    # an unregistered pair stays raw JSON
    raw = await conn.peer.data_transfer(m.DataTransferRequest(vendor_id="com.other", data={"a": [1]}))
    assert raw.status is enums.DataTransferStatusEnumType.UNKNOWN_VENDOR_ID
    assert handler.transfers[1].data == {"a": [1]}


async def test_registered_data_transfer_with_bad_data_is_rejected(start_csms: StartCsms) -> None:
    server = await start_csms(EchoCsms())
    frame = [2, "dt-1", "DataTransfer", {"vendorId": "com.acme", "messageId": "GetPrice", "data": {"evseId": "one"}}]
    async with ws_connect(f"{server.url}/RAW-3", subprotocols=["ocpp2.0.1"]) as ws:  # type: ignore[list-item]
        answer = await RawStation(ws).exchange(json.dumps(frame))
    assert answer[:3] == [4, "dt-1", "TypeConstraintViolation"]
    assert "data.evseId" in answer[3]
