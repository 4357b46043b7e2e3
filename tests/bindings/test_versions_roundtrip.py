"""decode → encode gives back the same JSON value for every message of OCPP 1.6 and 2.1 (2.0.1: test_roundtrip.py).

Hand-written 1.6 examples cover the shapes 1.6 writes inline (MeterValues, charging profiles with
``multipleOf: 0.1`` decimals, ``format: uri``); hypothesis covers every message of both versions
from the generated types.
"""

from __future__ import annotations

import json
from typing import Any

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ocppwire import decode, encode
from ocppwire.v16 import ACTIONS as ACTIONS_16
from ocppwire.v16 import messages as m16
from ocppwire.v16 import types as t16
from ocppwire.v21 import ACTIONS as ACTIONS_21
from ocppwire.v21 import actions as a21
from ocppwire.v21 import messages as m21

from .strategies import payloads


def _messages(actions: Any, sends: tuple[type[Any], ...] = ()) -> list[type[msgspec.Struct]]:
    return [t for spec in actions.values() for t in (spec.request, spec.response)] + list(sends)


V16_MESSAGES = _messages(ACTIONS_16)
V21_MESSAGES = _messages(ACTIONS_21, tuple(tp for tp, _ in a21.SEND_FRAME_ACTIONS.values()))


def roundtrip(tp: type[msgspec.Struct], value: Any) -> Any:
    return json.loads(encode(decode(tp, json.dumps(value))))


def test_every_message_of_both_versions_is_covered() -> None:
    assert len(V16_MESSAGES) == len(set(V16_MESSAGES)) == 78
    assert len(V21_MESSAGES) == len(set(V21_MESSAGES)) == 181
    assert set(V16_MESSAGES) == {getattr(m16, n) for n in m16.__all__}
    assert set(V21_MESSAGES) == {getattr(m21, n) for n in m21.__all__}


V16_EXAMPLES: list[tuple[type[msgspec.Struct], dict[str, Any]]] = [
    (
        m16.BootNotificationRequest,
        {"chargePointVendor": "VendorX", "chargePointModel": "Single", "firmwareVersion": "1.0"},
    ),
    (m16.BootNotificationResponse, {"currentTime": "2026-11-28T06:00:00Z", "interval": 300, "status": "Accepted"}),
    (
        m16.MeterValuesRequest,
        {
            "connectorId": 1,
            "transactionId": 7,
            "meterValue": [
                {
                    "timestamp": "2026-11-28T06:00:00Z",
                    "sampledValue": [
                        {"value": "1234", "measurand": "Energy.Active.Import.Register", "unit": "Wh"},
                        {"value": "21.5", "measurand": "Temperature", "unit": "Celsius", "location": "Body"},
                    ],
                }
            ],
        },
    ),
    (
        m16.StartTransactionRequest,
        {"connectorId": 1, "idTag": "TAG1", "meterStart": 0, "timestamp": "2026-11-28T06:00:00Z"},
    ),
    (m16.StartTransactionResponse, {"idTagInfo": {"status": "Accepted"}, "transactionId": 7}),
    (
        m16.SetChargingProfileRequest,
        {
            "connectorId": 1,
            "csChargingProfiles": {
                "chargingProfileId": 1,
                "stackLevel": 0,
                "chargingProfilePurpose": "TxDefaultProfile",
                "chargingProfileKind": "Absolute",
                "chargingSchedule": {
                    "chargingRateUnit": "A",
                    "minChargingRate": 6.1,
                    "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 16.0}, {"startPeriod": 60, "limit": 0.3}],
                },
            },
        },
    ),
    (m16.UpdateFirmwareRequest, {"location": "ftp://fw.example.com/v2.bin", "retrieveDate": "2026-11-28T06:00:00Z"}),
    (m16.DataTransferRequest, {"vendorId": "com.acme", "messageId": "m", "data": "free text"}),
]


@pytest.mark.parametrize(
    ("tp", "payload"), V16_EXAMPLES, ids=[f"{t.__name__}-{i}" for i, (t, _) in enumerate(V16_EXAMPLES)]
)
def test_v16_examples_roundtrip(tp: type[msgspec.Struct], payload: dict[str, Any]) -> None:
    assert roundtrip(tp, payload) == payload


def test_v16_multiple_of_is_checked_on_the_decimal_value() -> None:
    period = {"startPeriod": 0, "limit": 16}
    schedule = {"chargingRateUnit": "W", "chargingSchedulePeriod": [period]}
    request = {"connectorId": 1, "idTag": "T", "chargingProfile": None}
    del request["chargingProfile"]
    profile = {
        "chargingProfileId": 1,
        "stackLevel": 0,
        "chargingProfilePurpose": "TxProfile",
        "chargingProfileKind": "Relative",
        "chargingSchedule": schedule,
    }
    for ok in (16, 16.0, 0.3, 32.5, 1e20):
        period["limit"] = ok
        decode(m16.RemoteStartTransactionRequest, json.dumps({**request, "chargingProfile": profile}))
    for bad in (0.30000000000000004, 0.05, 16.01):
        period["limit"] = bad
        with pytest.raises(msgspec.ValidationError, match=r"multiple of 0.1 \(field `limit`\)"):
            decode(m16.RemoteStartTransactionRequest, json.dumps({**request, "chargingProfile": profile}))
    with pytest.raises(ValueError, match="multiple of 0.1"):
        t16.ChargingSchedulePeriod(start_period=0, limit=0.1 + 0.2)


def test_v16_uri_format_is_checked() -> None:
    base = {"retrieveDate": "2026-11-28T06:00:00Z"}
    decode(m16.UpdateFirmwareRequest, json.dumps({**base, "location": "https://x.example/fw"}))
    for bad in ("fw.bin", "://x", "http://a b"):
        with pytest.raises(msgspec.ValidationError, match="location"):
            decode(m16.UpdateFirmwareRequest, json.dumps({**base, "location": bad}))


def test_v21_send_message_roundtrips() -> None:
    payload = {"id": 1, "pending": 0, "basetime": "2026-11-28T06:00:00Z", "data": [{"t": 0.5, "v": "230.1"}]}
    assert roundtrip(m21.NotifyPeriodicEventStreamRequest, payload) == payload


_SETTINGS = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)


@pytest.mark.parametrize("tp", V16_MESSAGES + V21_MESSAGES, ids=lambda t: f"{t.__module__.split('.')[1]}-{t.__name__}")
@_SETTINGS
@given(data=st.data())
def test_generated_payloads_roundtrip(tp: type[msgspec.Struct], data: st.DataObject) -> None:
    payload = data.draw(payloads(tp))
    assert roundtrip(tp, payload) == payload
