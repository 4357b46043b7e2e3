"""decode → encode gives back the same JSON value, for all 128 messages.

Hand-written examples cover realistic payloads (including customData at several depths and the
spec's customized HeartbeatRequest); hypothesis covers every message from the generated types.
"""

from __future__ import annotations

import json
from typing import Any

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings

from ocppwire import decode, encode
from ocppwire.v201 import ACTIONS
from ocppwire.v201 import messages as m

from .strategies import payloads

ALL_MESSAGES = [t for spec in ACTIONS.values() for t in (spec.request, spec.response)]


def roundtrip(tp: type[msgspec.Struct], value: Any) -> Any:
    return json.loads(encode(decode(tp, json.dumps(value))))


EXAMPLES: list[tuple[type[msgspec.Struct], dict[str, Any]]] = [
    (
        m.BootNotificationRequest,
        {
            "chargingStation": {
                "model": "SingleSocketCharger",
                "vendorName": "VendorX",
                "serialNumber": "SN-1",
                "modem": {"iccid": "8931", "imsi": "2040"},
                "firmwareVersion": "1.0",
            },
            "reason": "PowerUp",
        },
    ),
    (m.BootNotificationResponse, {"currentTime": "2026-11-28T06:00:00Z", "interval": 300, "status": "Accepted"}),
    (
        m.HeartbeatRequest,
        {"customData": {"vendorId": "com.mycompany.customheartbeat", "mainMeterValue": 12345, "sessionsToDate": 342}},
    ),
    (m.HeartbeatResponse, {"currentTime": "2026-11-28T06:00:00.123456+01:00"}),
    (
        m.TransactionEventRequest,
        {
            "eventType": "Started",
            "timestamp": "2026-11-28T06:00:00Z",
            "triggerReason": "CablePluggedIn",
            "seqNo": 0,
            "customData": {"vendorId": "org.openchargealliance.octt", "top": True},
            "transactionInfo": {
                "transactionId": "tx-1",
                "chargingState": "EVConnected",
                "customData": {"vendorId": "org.openchargealliance.octt", "nested": {"a": [1, 2, None]}},
            },
            "evse": {"id": 1, "connectorId": 1},
            "meterValue": [
                {
                    "timestamp": "2026-11-28T06:00:00Z",
                    "sampledValue": [{"value": 0.0, "measurand": "Energy.Active.Import.Register"}],
                }
            ],
        },
    ),
    (
        m.SetChargingProfileRequest,
        {
            "evseId": 1,
            "chargingProfile": {
                "id": 1,
                "stackLevel": 0,
                "chargingProfilePurpose": "TxDefaultProfile",
                "chargingProfileKind": "Absolute",
                "customData": {"vendorId": "x"},
                "chargingSchedule": [
                    {
                        "id": 1,
                        "chargingRateUnit": "A",
                        "chargingSchedulePeriod": [
                            {"startPeriod": 0, "limit": 16.0, "customData": {"vendorId": "y", "p": 1}}
                        ],
                    }
                ],
            },
        },
    ),
    (m.DataTransferRequest, {"vendorId": "com.acme", "messageId": "m", "data": {"any": ["json", 1, None]}}),
    (m.DataTransferRequest, {"vendorId": "com.acme", "data": None}),
    (m.DataTransferResponse, {"status": "Accepted", "data": [1, "two"]}),
    (
        m.GetCertificateStatusRequest,
        {
            "ocspRequestData": {
                "hashAlgorithm": "SHA256",
                "issuerNameHash": "a",
                "issuerKeyHash": "b",
                "serialNumber": "c",
                "responderURL": "http://ocsp.example",
            }
        },
    ),
]


@pytest.mark.parametrize(("tp", "payload"), EXAMPLES, ids=[f"{t.__name__}-{i}" for i, (t, _) in enumerate(EXAMPLES)])
def test_examples_roundtrip(tp: type[msgspec.Struct], payload: dict[str, Any]) -> None:
    assert roundtrip(tp, payload) == payload


@pytest.mark.parametrize("tp", ALL_MESSAGES, ids=lambda t: t.__name__)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=__import__("hypothesis").strategies.data())
def test_generated_payloads_roundtrip(tp: type[msgspec.Struct], data: Any) -> None:
    payload = data.draw(payloads(tp))
    assert roundtrip(tp, payload) == payload


def test_all_128_messages_covered() -> None:
    assert len(ALL_MESSAGES) == 128
    assert len(set(ALL_MESSAGES)) == 128


def test_date_times_keep_their_instant_in_other_spellings() -> None:
    # Non-canonical RFC 3339 spellings are decoded to the same instant; encode writes msgspec's form.
    for text, canonical in [
        ("2026-11-28T06:00:00.000Z", "2026-11-28T06:00:00Z"),
        ("2026-11-28T06:00:00+00:00", "2026-11-28T06:00:00Z"),
        ("2026-11-28T07:00:00.5+01:00", "2026-11-28T07:00:00.500000+01:00"),
    ]:
        out = roundtrip(m.HeartbeatResponse, {"currentTime": text})
        assert out == {"currentTime": canonical}
