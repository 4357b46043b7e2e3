"""Every row of the CALLERROR policy table: raw frame in, exact CALLERROR out.

The test plays a Charging Station that sends hand-written frames to a CSMS built on the generated
stubs; each case asserts the complete answer frame: type 4, the messageId (``"-1"`` when the sent
one cannot be read), the error code, a description of at most 255 characters that names the
offending field, and an errorDetails object. The rows are rules of the protocol core, so they run
through the Session and role dispatch in memory (tests/runtime/memory.py); what only a socket can
show (text frames that are not UTF-8, binary frames, one row end to end) is at the end, over a
real connection.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from ocppwire.runtime.errors import GenericError, SecurityError
from ocppwire.v201 import csms
from ocppwire.v201 import enums as e
from ocppwire.v201 import messages as m
from ocppwire.v201 import types as t

from ..loopback import RawConnect, StartCsms
from .memory import MemoryConnection

pytestmark = pytest.mark.usefixtures("each_transport")  # transport behaviour: run on websockets and picows

NOW = dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)
BOOT = {"reason": "PowerUp", "chargingStation": {"model": "m", "vendorName": "v"}}
HASH = {
    "hashAlgorithm": "SHA256",
    "issuerNameHash": "a",
    "issuerKeyHash": "b",
    "serialNumber": "c",
    "responderURL": "d",
}
METER = {"timestamp": "2024-01-01T00:00:00Z", "sampledValue": [{"value": 1.5}]}


class PolicyCsms(csms.CsmsHandler):
    """Implements a few actions; Heartbeat is left out on purpose (NotSupported)."""

    async def boot_notification(
        self, station: csms.ChargingStationClient, req: m.BootNotificationRequest
    ) -> m.BootNotificationResponse:
        return m.BootNotificationResponse(current_time=NOW, interval=60, status=e.RegistrationStatusEnumType.ACCEPTED)

    async def authorize(self, station: csms.ChargingStationClient, req: m.AuthorizeRequest) -> m.AuthorizeResponse:
        return m.AuthorizeResponse(id_token_info=t.IdTokenInfoType(status=e.AuthorizationStatusEnumType.ACCEPTED))

    async def meter_values(
        self, station: csms.ChargingStationClient, req: m.MeterValuesRequest
    ) -> m.MeterValuesResponse:
        return m.MeterValuesResponse()

    async def notify_ev_charging_needs(
        self, station: csms.ChargingStationClient, req: m.NotifyEVChargingNeedsRequest
    ) -> m.NotifyEVChargingNeedsResponse:
        return m.NotifyEVChargingNeedsResponse(status=e.NotifyEVChargingNeedsStatusEnumType.ACCEPTED)

    async def data_transfer(
        self, station: csms.ChargingStationClient, req: m.DataTransferRequest
    ) -> m.DataTransferResponse:
        """The vendorId picks a failure mode."""
        if req.vendor_id == "raise.ocpp":
            raise SecurityError("station not allowed to do that", {"reason": "test"})
        if req.vendor_id == "raise.long":
            raise GenericError("y" * 1000)
        if req.vendor_id == "raise.other":
            raise RuntimeError("secret internal detail")
        if req.vendor_id == "invalid.response":
            return m.DataTransferResponse(
                status=e.DataTransferStatusEnumType.ACCEPTED, status_info=t.StatusInfoType(reason_code="r" * 30)
            )
        if req.vendor_id == "wrong.type":
            return m.HeartbeatResponse(current_time=NOW)  # type: ignore[return-value]
        return m.DataTransferResponse(status=e.DataTransferStatusEnumType.ACCEPTED)


def call(message_id: Any, action: Any, payload: Any) -> str:
    return json.dumps([2, message_id, action, payload])


def with_station(**changes: Any) -> dict[str, Any]:
    return {**BOOT, "chargingStation": {**BOOT["chargingStation"], **changes}}


LONG_ID = "i" * 37

# (case id, raw frame, expected messageId, expected code, text the description must contain)
CASES: list[tuple[str, str | bytes, str, str, str]] = [
    # not JSON, not an array, wrong element count, messageId missing / not a string / too long
    ("not-json", '[2, "a1", "Heartbeat", {', "-1", "RpcFrameworkError", "JSON"),
    ("not-utf8", b'[2, "a\xff", "Heartbeat", {}]', "-1", "RpcFrameworkError", "UTF-8"),
    ("not-array", '{"messageId": "a2"}', "-1", "RpcFrameworkError", "array"),
    ("scalar", '"hello"', "-1", "RpcFrameworkError", "array"),
    ("empty-array", "[]", "-1", "RpcFrameworkError", "empty"),
    ("too-few-elements", '[2, "a3", "Heartbeat"]', "a3", "RpcFrameworkError", "4 elements"),
    ("too-many-elements", '[2, "a4", "Heartbeat", {}, {}]', "a4", "RpcFrameworkError", "4 elements"),
    ("id-missing", "[2]", "-1", "RpcFrameworkError", "messageId is missing"),
    ("id-not-string", call(42, "Heartbeat", {}), "-1", "RpcFrameworkError", "messageId is not a string"),
    ("id-too-long", call(LONG_ID, "Heartbeat", {}), "-1", "RpcFrameworkError", "longer than 36"),
    ("action-not-string", call("a5", 7, {}), "a5", "RpcFrameworkError", "action"),
    # Message Type Number not 2, 3 or 4
    ("type-5", '[5, "b1", "Heartbeat", {}]', "b1", "MessageTypeNotSupported", "5"),
    ("type-0", '[0, "b2"]', "b2", "MessageTypeNotSupported", "0"),
    ("type-string", '["2", "b3", "Heartbeat", {}]', "b3", "MessageTypeNotSupported", "2"),
    ("type-float", '[2.0, "b4", "Heartbeat", {}]', "b4", "MessageTypeNotSupported", "2.0"),
    ("type-unknown-id-unreadable", "[9, 1]", "-1", "MessageTypeNotSupported", "9"),
    # unknown Action
    ("unknown-action", call("c1", "FooBar", {}), "c1", "NotImplemented", "FooBar"),
    ("action-wrong-case", call("c2", "heartbeat", {}), "c2", "NotImplemented", "heartbeat"),
    # known Action, no handler registered (not overridden / not received by a CSMS)
    ("no-handler", call("d1", "Heartbeat", {}), "d1", "NotSupported", "Heartbeat"),
    ("csms-never-receives", call("d2", "ClearCache", {}), "d2", "NotSupported", "ClearCache"),
    # payload is not a JSON object
    ("payload-array", call("e1", "BootNotification", []), "e1", "FormatViolation", "object"),
    ("payload-string", call("e2", "BootNotification", "x"), "e2", "FormatViolation", "object"),
    ("payload-null", call("e3", "BootNotification", None), "e3", "FormatViolation", "object"),
    # required field missing; array shorter than minItems or longer than maxItems
    (
        "required-missing",
        call("f1", "BootNotification", {"reason": "PowerUp", "chargingStation": {"vendorName": "v"}}),
        "f1",
        "OccurrenceConstraintViolation",
        "chargingStation.model",
    ),
    (
        "required-missing-top",
        call("f2", "BootNotification", {"chargingStation": BOOT["chargingStation"]}),
        "f2",
        "OccurrenceConstraintViolation",
        "reason",
    ),
    (
        "min-items",
        call("f3", "MeterValues", {"evseId": 1, "meterValue": []}),
        "f3",
        "OccurrenceConstraintViolation",
        "meterValue",
    ),
    (
        "max-items",
        call(
            "f4",
            "Authorize",
            {"idToken": {"idToken": "t", "type": "ISO14443"}, "iso15118CertificateHashData": [HASH] * 5},
        ),
        "f4",
        "OccurrenceConstraintViolation",
        "iso15118CertificateHashData",
    ),
    # value of the wrong JSON type
    (
        "wrong-type-str",
        call("g1", "BootNotification", with_station(vendorName=5)),
        "g1",
        "TypeConstraintViolation",
        "chargingStation.vendorName",
    ),
    (
        "wrong-type-int",
        call("g2", "MeterValues", {"evseId": "one", "meterValue": [METER]}),
        "g2",
        "TypeConstraintViolation",
        "evseId",
    ),
    (
        "wrong-type-object",
        call("g3", "BootNotification", {**BOOT, "chargingStation": "cs"}),
        "g3",
        "TypeConstraintViolation",
        "chargingStation",
    ),
    # string too long, value not in enum, number out of range, malformed date-time
    (
        "string-too-long",
        call("h1", "BootNotification", with_station(model="m" * 21)),
        "h1",
        "PropertyConstraintViolation",
        "chargingStation.model",
    ),
    (
        "not-in-enum",
        call("h2", "BootNotification", {**BOOT, "reason": "Tuesday"}),
        "h2",
        "PropertyConstraintViolation",
        "reason",
    ),
    (
        "out-of-range",
        call(
            "h3",
            "NotifyEVChargingNeeds",
            {
                "evseId": 1,
                "chargingNeeds": {
                    "requestedEnergyTransfer": "DC",
                    "dcChargingParameters": {"evMaxCurrent": 1, "evMaxVoltage": 1, "stateOfCharge": 101},
                },
            },
        ),
        "h3",
        "PropertyConstraintViolation",
        "chargingNeeds.dcChargingParameters.stateOfCharge",
    ),
    (
        "bad-date-time",
        call("h4", "MeterValues", {"evseId": 1, "meterValue": [{**METER, "timestamp": "yesterday"}]}),
        "h4",
        "PropertyConstraintViolation",
        "meterValue[0].timestamp",
    ),
    (
        "date-time-without-zone",
        call("h5", "MeterValues", {"evseId": 1, "meterValue": [{**METER, "timestamp": "2024-01-01T10:00:00"}]}),
        "h5",
        "PropertyConstraintViolation",
        "meterValue[0].timestamp",
    ),
    # property not defined by the schema (outside customData)
    ("unknown-property", call("i1", "BootNotification", {**BOOT, "colour": "red"}), "i1", "ProtocolError", "colour"),
    (
        "unknown-nested-property",
        call("i2", "BootNotification", with_station(colour="red")),
        "i2",
        "ProtocolError",
        "chargingStation.colour",
    ),
    # handler raised an OCPP error: that code; anything else: InternalError without a stack trace
    (
        "handler-ocpp-error",
        call("j1", "DataTransfer", {"vendorId": "raise.ocpp"}),
        "j1",
        "SecurityError",
        "not allowed",
    ),
    (
        "handler-exception",
        call("j2", "DataTransfer", {"vendorId": "raise.other"}),
        "j2",
        "InternalError",
        "DataTransfer",
    ),
    (
        "handler-invalid-response",
        call("j3", "DataTransfer", {"vendorId": "invalid.response"}),
        "j3",
        "InternalError",
        "DataTransfer",
    ),
    (
        "handler-wrong-response-type",
        call("j4", "DataTransfer", {"vendorId": "wrong.type"}),
        "j4",
        "InternalError",
        "DataTransfer",
    ),
]


@pytest.fixture
def raw() -> MemoryConnection:
    return MemoryConnection(PolicyCsms())


@pytest.mark.parametrize(("frame", "message_id", "code", "text"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
async def test_policy_row(raw: Any, frame: str | bytes, message_id: str, code: str, text: str) -> None:
    answer = await raw.exchange(frame)
    assert answer[:3] == [4, message_id, code]
    assert len(answer) == 5
    description, details = answer[3], answer[4]
    assert isinstance(description, str) and len(description) <= 255
    assert text in description
    assert isinstance(details, dict)


async def test_validation_error_details_carry_the_path(raw: Any) -> None:
    answer = await raw.exchange(call("p1", "BootNotification", with_station(model="m" * 21)))
    assert answer[4] == {"path": "chargingStation.model"}


async def test_handler_error_keeps_description_and_details(raw: Any) -> None:
    answer = await raw.exchange(call("k1", "DataTransfer", {"vendorId": "raise.ocpp"}))
    assert answer == [4, "k1", "SecurityError", "station not allowed to do that", {"reason": "test"}]


async def test_internal_error_leaks_no_stack_trace(raw: Any) -> None:
    answer = await raw.exchange(call("k2", "DataTransfer", {"vendorId": "raise.other"}))
    assert "secret" not in json.dumps(answer) and "Traceback" not in json.dumps(answer)


async def test_description_is_cut_to_255_characters(raw: Any) -> None:
    answer = await raw.exchange(call("k3", "DataTransfer", {"vendorId": "raise.long"}))
    assert answer[2] == "GenericError"
    assert len(answer[3]) == 255


async def test_custom_data_may_carry_any_property(raw: Any) -> None:
    payload = {**BOOT, "customData": {"vendorId": "com.example", "colour": "red", "n": [1, {"x": None}]}}
    answer = await raw.exchange(call("l1", "BootNotification", payload))
    assert answer[:2] == [3, "l1"]
    assert answer[2]["status"] == "Accepted"


async def test_valid_call_after_errors_still_answered(raw: Any) -> None:
    await raw.exchange("garbage")
    answer = await raw.exchange(call("l2", "BootNotification", BOOT))
    assert answer[:2] == [3, "l2"]


@pytest.mark.parametrize(
    "frame",
    [
        '[3, "nobody-asked", {}]',
        '[3, "x"]',
        "[3, 17, {}]",
        '[4, "nobody-asked", "GenericError", "", {}]',
        '[4, "x", "GenericError", 5, {}]',
        '[4, "x", "GenericError", "d", []]',
    ],
)
async def test_stray_or_invalid_responses_are_dropped_not_answered(raw: MemoryConnection, frame: str) -> None:
    await raw.send(frame)
    await raw.expect_silence()
    stats = raw.stats
    assert stats.unknown_responses + stats.invalid_responses == 1
    assert stats.errors_sent == 0
    # the connection is still usable
    answer = await raw.exchange(call("m1", "BootNotification", BOOT))
    assert answer[:2] == [3, "m1"]


async def test_rejected_frames_are_counted(raw: MemoryConnection) -> None:
    await raw.exchange("nope")
    await raw.exchange(call("n1", "FooBar", {}))
    assert raw.stats.errors_sent == 2
    assert raw.stats.frames_rejected == 2


# ---- over a real socket: what the transport adds ----------------------------------------------


async def test_a_row_end_to_end(start_csms: StartCsms, raw_connect: RawConnect) -> None:
    server = await start_csms(PolicyCsms())
    raw = await raw_connect(server)
    answer = await raw.exchange(call("f1", "BootNotification", {"chargingStation": BOOT["chargingStation"]}))
    assert answer[:3] == [4, "f1", "OccurrenceConstraintViolation"]
    assert answer[4] == {"path": "reason"}


async def test_text_frame_that_is_not_utf8_closes_with_1007(start_csms: StartCsms, raw_connect: RawConnect) -> None:
    """RFC 6455 §8.1: invalid UTF-8 in a text frame fails the connection (1007), it gets no CALLERROR."""
    server = await start_csms(PolicyCsms())
    raw = await raw_connect(server)
    await raw.send(b'[2, "a\xff", "Heartbeat", {}]')
    await raw.ws.wait_closed()
    assert raw.ws.close_code == 1007


async def test_binary_frame_closes_with_1003(start_csms: StartCsms, raw_connect: RawConnect) -> None:
    """OCPP-J frames are text frames; a binary one is refused with 1003 (unsupported data)."""
    server = await start_csms(PolicyCsms())
    raw = await raw_connect(server)
    await raw.ws.send(b'[2, "b1", "BootNotification", {}]')
    await raw.ws.wait_closed()
    assert raw.ws.close_code == 1003
