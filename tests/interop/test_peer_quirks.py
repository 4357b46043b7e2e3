"""Where the ``ocpp`` package (2.1.0) departs from OCPP-J or from the 2.0.1 schemas, pinned live.

Each test shows one peer quirk over a real connection and how ocppwire reacts to it; ocppwire is
never bent to match (docs/reliability.md, "Peer quirks"). Pinning the peer's behaviour means a
newer ``ocpp`` release that fixes a quirk fails here, and the documentation gets updated with it.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import decimal
import json
from typing import Any

import pytest
from ocpp.exceptions import PropertyConstraintViolationError, TypeConstraintViolationError
from ocpp.v201 import call, call_result
from websockets.asyncio.client import connect as ws_connect

from ocppwire.runtime.customdata import GenericCustomData
from ocppwire.runtime.errors import NotImplementedOcppError
from ocppwire.runtime.exceptions import InvalidResponseError
from ocppwire.v201 import ACTIONS, csms, station
from ocppwire.v201 import enums as e
from ocppwire.v201 import messages as m
from ocppwire.v201.actions import STATION_SENDS

from ..loopback import StartCsms, eventually
from .ours import recording_handler
from .payloads import rich_json
from .peer import answering_peer, peer_response, peer_station, run_peer_csms


class EchoCsms(csms.CsmsHandler):
    """Answers DataTransfer by echoing ``data`` and ``customData``; records typed requests."""

    def __init__(self) -> None:
        self.received: list[Any] = []

    async def data_transfer(
        self, station: csms.ChargingStationClient, req: m.DataTransferRequest
    ) -> m.DataTransferResponse:
        self.received.append(req)
        return m.DataTransferResponse(
            status=e.DataTransferStatusEnumType.ACCEPTED, data=req.data, custom_data=req.custom_data
        )

    async def status_notification(
        self, station: csms.ChargingStationClient, req: m.StatusNotificationRequest
    ) -> m.StatusNotificationResponse:
        self.received.append(req)
        return m.StatusNotificationResponse()

    async def meter_values(
        self, station: csms.ChargingStationClient, req: m.MeterValuesRequest
    ) -> m.MeterValuesResponse:
        self.received.append(req)
        return m.MeterValuesResponse()


async def test_peer_rewrites_keys_inside_free_form_objects(start_csms: StartCsms) -> None:
    """customData extras and DataTransfer ``data`` are free-form JSON, yet the peer case-converts
    their keys like schema fields, in both directions — and its ``soc`` → ``SoC`` rule also hits
    words such as ``socket``. Free-form keys survive only when they are single lowercase words."""
    handler = EchoCsms()
    server = await start_csms(handler)
    data = {"meterId": 1, "max_current": 2, "socketCount": 3, "plain": 4}
    async with peer_station(server.url, "QUIRK1") as cp:
        result = await cp.call(
            call.DataTransfer(vendor_id="org.x", data=data, custom_data={"vendorId": "org.x", "sessions_to_date": 5}),
            suppress=False,
        )
    # what our CSMS received: the peer renamed two of the four data keys and the customData extra
    (req,) = handler.received
    assert req.data == {"meterId": 1, "maxCurrent": 2, "SoCketCount": 3, "plain": 4}
    assert req.custom_data == GenericCustomData("org.x", {"sessionsToDate": 5})
    # what the peer's application got back from our faithful echo
    assert result.data == {"meter_id": 1, "max_current": 2, "so_cket_count": 3, "plain": 4}
    assert result.custom_data == {"vendor_id": "org.x", "sessions_to_date": 5}


async def test_peer_sends_zone_less_date_times_that_we_reject(start_csms: StartCsms) -> None:
    """The peer validates with a Draft-4 validator and no format checker, so a naive timestamp
    (e.g. ``datetime.utcnow().isoformat()``) leaves it unchecked; our CSMS answers
    PropertyConstraintViolation naming the field. A ``datetime`` object is refused by the peer itself."""
    handler = EchoCsms()
    server = await start_csms(handler)
    status = {"connector_status": "Available", "evse_id": 1, "connector_id": 1}
    async with peer_station(server.url, "QUIRK2") as cp:
        with pytest.raises(PropertyConstraintViolationError) as naive:
            await cp.call(call.StatusNotification(timestamp="2024-01-02T03:04:05", **status), suppress=False)
        with pytest.raises(TypeConstraintViolationError):
            await cp.call(call.StatusNotification(timestamp=dt.datetime.now(dt.timezone.utc), **status), suppress=False)
        await cp.call(call.StatusNotification(timestamp="2024-01-02T03:04:05+02:00", **status), suppress=False)
    assert naive.value.details == {"path": "timestamp"}
    (req,) = handler.received
    assert req.timestamp == dt.datetime(2024, 1, 2, 1, 4, 5, tzinfo=dt.timezone.utc)


async def test_peer_rounds_decimals_to_one_place(start_csms: StartCsms) -> None:
    """The peer's JSON encoder writes ``decimal.Decimal`` as ``float("%.1f" % value)``: a meter
    reading of 230.46 arrives as 230.5. Floats are sent exactly."""
    handler = EchoCsms()
    server = await start_csms(handler)
    async with peer_station(server.url, "QUIRK3") as cp:
        for value in (decimal.Decimal("230.46"), 230.46):
            meter = [{"timestamp": "2024-01-02T03:04:05Z", "sampled_value": [{"value": value}]}]
            await cp.call(call.MeterValues(evse_id=1, meter_value=meter), suppress=False)
    assert [r.meter_value[0].sampled_value[0].value for r in handler.received] == [230.5, 230.46]


async def test_peer_swaps_not_implemented_and_not_supported(start_csms: StartCsms) -> None:
    """OCPP-J: NotImplemented = action unknown, NotSupported = known but not supported. The peer
    answers a known action without an ``@on`` handler with NotImplemented (its description even
    quotes the NotSupported definition) and an unknown action with NotSupported."""
    server = await start_csms(csms.CsmsHandler())
    async with peer_station(server.url, "QUIRK4"):
        await eventually(lambda: "QUIRK4" in server.stations)
        with pytest.raises(NotImplementedOcppError) as known:
            await server.stations["QUIRK4"].clear_cache(m.ClearCacheRequest())
    assert known.value.details == {"cause": "No handler for ClearCache registered."}


async def test_peer_allows_a_longer_exi_response_than_the_official_schema() -> None:
    """The peer's copy of Get15118EVCertificateResponse allows ``exiResponse`` up to 7500
    characters; the official schema says 5600. Our station follows the official schema: a 6000
    character answer fails the call at once with InvalidResponseError (PropertyConstraintViolation)."""
    spec = ACTIONS["Get15118EVCertificate"]

    def answer(action: str) -> Any:
        if action == spec.name:
            return call_result.Get15118EVCertificate(status="Accepted", exi_response="A" * 6000)
        return peer_response(action, rich_json(ACTIONS[action].response))

    async with run_peer_csms(answering_peer(STATION_SENDS, answer)) as peer_csms:
        async with station.connect(
            peer_csms.url,
            identity="QUIRK5",
            handler=station.ChargingStationHandler(),
            options=station.ClientOptions(reconnect=False),
        ) as conn:
            request = m.Get15118EVCertificateRequest(
                iso15118_schema_version="urn:iso:15118:2:2013:MsgDef",
                action=e.CertificateActionEnumType.INSTALL,
                exi_request="AAAA",
            )
            with pytest.raises(InvalidResponseError) as failed:
                await conn.peer.get_15118_ev_certificate(request, timeout=5)
            heartbeat = await conn.peer.heartbeat(m.HeartbeatRequest())  # the connection is still fine
    assert failed.value.error.code.value == "PropertyConstraintViolation"
    assert failed.value.error.details == {"path": "exiResponse"}
    assert heartbeat.current_time is not None


# fault → raw frame; answers are "<messageId> <errorCode>", "<messageId> CALLRESULT" or "silence"
FAULTS: dict[str, str] = {
    "not JSON": '[2, "f1", "Heartbeat", {',
    "not an array": '{"a": 1}',
    "CALL with 3 elements": '[2, "f2", "Heartbeat"]',
    "messageId not a string": '[2, 17, "Heartbeat", {}]',
    "type number 5": '[5, "f3", "Heartbeat", {}]',
    "unknown action": '[2, "f4", "FooBar", {}]',
    "action the CSMS never receives": '[2, "f5", "Reset", {"type": "Immediate"}]',
    "payload not an object": '[2, "f6", "Heartbeat", []]',
    "required field missing": '[2, "f7", "StatusNotification", {"connectorStatus": "Available", "evseId": 1, "connectorId": 1}]',
    "wrong JSON type": '[2, "f8", "StatusNotification", {"timestamp": "2024-01-01T00:00:00Z", "connectorStatus": "Available", "evseId": "1", "connectorId": 1}]',
    "string too long": '[2, "f9", "Authorize", {"idToken": {"idToken": "' + "x" * 40 + '", "type": "Central"}}]',
    "value not in enum": '[2, "f10", "StatusNotification", {"timestamp": "2024-01-01T00:00:00Z", "connectorStatus": "Nope", "evseId": 1, "connectorId": 1}]',
    "malformed date-time": '[2, "f11", "StatusNotification", {"timestamp": "yesterday", "connectorStatus": "Available", "evseId": 1, "connectorId": 1}]',
    "undefined property": '[2, "f12", "Heartbeat", {"bogus": 1}]',
}

OURS = {
    "not JSON": "-1 RpcFrameworkError",
    "not an array": "-1 RpcFrameworkError",
    "CALL with 3 elements": "f2 RpcFrameworkError",
    "messageId not a string": "-1 RpcFrameworkError",
    "type number 5": "f3 MessageTypeNotSupported",
    "unknown action": "f4 NotImplemented",
    "action the CSMS never receives": "f5 NotSupported",
    "payload not an object": "f6 FormatViolation",
    "required field missing": "f7 OccurrenceConstraintViolation",
    "wrong JSON type": "f8 TypeConstraintViolation",
    "string too long": "f9 PropertyConstraintViolation",
    "value not in enum": "f10 PropertyConstraintViolation",
    "malformed date-time": "f11 PropertyConstraintViolation",
    "undefined property": "f12 ProtocolError",
}

PEER = {
    "not JSON": "silence",
    "not an array": "silence",
    "CALL with 3 elements": "silence",
    "messageId not a string": "17 CALLRESULT",
    "type number 5": "silence",
    "unknown action": "f4 NotSupported",
    "action the CSMS never receives": "f5 NotImplemented",
    "payload not an object": "f6 TypeConstraintViolation",
    "required field missing": "f7 ProtocolError",
    "wrong JSON type": "f8 TypeConstraintViolation",
    "string too long": "f9 TypeConstraintViolation",
    "value not in enum": "f10 FormatViolation",
    "malformed date-time": "f11 CALLRESULT",
    "undefined property": "f12 FormatViolation",
}


async def _answers(url: str) -> dict[str, str]:
    """Send every fault frame on one raw connection; describe the answer to each."""
    found: dict[str, str] = {}
    async with ws_connect(f"{url}/RAWQUIRK", subprotocols=["ocpp2.0.1"], proxy=None) as ws:  # type: ignore[list-item]
        for fault, frame in FAULTS.items():
            await ws.send(frame)
            try:
                answer = json.loads(await asyncio.wait_for(ws.recv(), 0.5))
            except TimeoutError:
                found[fault] = "silence"
                continue
            found[fault] = f"{answer[1]} {answer[2] if answer[0] == 4 else 'CALLRESULT'}"
    return found


async def test_fault_answers_side_by_side(start_csms: StartCsms) -> None:
    """The same faulty CALLs to our CSMS and to a peer CSMS: ours follows the policy table; the
    peer stays silent on broken frames, answers an integer messageId, accepts a malformed
    date-time and uses different codes for schema violations (table in docs/reliability.md)."""
    handler = recording_handler(csms.CsmsHandler, dict(csms.BINDING.methods), [])
    server = await start_csms(handler)
    ours = await _answers(server.url)
    peer_cls = answering_peer(STATION_SENDS, lambda action: peer_response(action, rich_json(ACTIONS[action].response)))
    async with run_peer_csms(peer_cls) as peer_csms:
        theirs = await _answers(peer_csms.url)
    assert ours == OURS
    assert theirs == PEER


async def test_crossing_calls_with_the_peer(start_csms: StartCsms) -> None:
    """Our CSMS handler calls the peer station back before answering the peer's own CALL: both
    CALLs are outstanding at once (allowed by OCPP-J) and both complete. The peer runs its
    ``@on`` handlers inside its receive loop, so the reverse — a peer handler that awaits a call to
    us — can only end in the peer's own timeout; that is documented, not tested."""
    order: list[str] = []

    class CallingBack(csms.CsmsHandler):
        async def heartbeat(self, station: csms.ChargingStationClient, req: m.HeartbeatRequest) -> m.HeartbeatResponse:
            order.append("heartbeat received")
            await station.clear_cache(m.ClearCacheRequest())
            order.append("clear cache answered")
            return m.HeartbeatResponse(current_time=dt.datetime(2024, 1, 2, tzinfo=dt.timezone.utc))

    server = await start_csms(CallingBack())
    peer_cls = answering_peer({"ClearCache"}, lambda action: call_result.ClearCache(status="Accepted"))
    async with peer_station(server.url, "QUIRK6", peer_cls, response_timeout=5) as cp:
        result = await asyncio.wait_for(cp.call(call.Heartbeat(), suppress=False), 5)
    assert order == ["heartbeat received", "clear cache answered"]
    assert result.current_time == "2024-01-02T00:00:00Z"
    assert [r.action for r in cp.received] == ["ClearCache"]
