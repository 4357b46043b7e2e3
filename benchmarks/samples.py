"""The OCPP 2.0.1 messages every benchmark contender handles: one fixed set of frames, built once.

The payloads are plain JSON values written out here (not produced by either library), so every
contender decodes byte-for-byte the same frames. :func:`check_samples` proves that ocppwire and the
peer both accept every one of them, so no contender gets to fail fast on an invalid message.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

__all__ = [
    "CUSTOM_DATA",
    "CUSTOM_VENDOR_ID",
    "INBOUND",
    "RESPONSES",
    "Sample",
    "frame_bytes",
    "with_custom_data",
]

TS = "2025-03-14T09:26:53Z"

CUSTOM_VENDOR_ID = "com.example.bench"
"""The vendorId of the customData variants (registered or not, depending on the row)."""

CUSTOM_DATA: dict[str, Any] = {"vendorId": CUSTOM_VENDOR_ID, "mainMeterValue": 12345, "sessionsToDate": 342}
"""The customData object of OCPP-J Part 4 §9's example, with the benchmark's own vendorId."""


@dataclass(frozen=True)
class Sample:
    """One message: its row label, OCPP action and JSON payload."""

    label: str
    action: str
    payload: dict[str, Any]

    def call_frame(self, message_id: str = "19223201") -> bytes:
        """The CALL frame ``[2, id, action, payload]`` as compact UTF-8 JSON."""
        return frame_bytes([2, message_id, self.action, self.payload])

    def result_frame(self, message_id: str = "19223201") -> bytes:
        """The CALLRESULT frame ``[3, id, payload]`` as compact UTF-8 JSON."""
        return frame_bytes([3, message_id, self.payload])


def frame_bytes(frame: list[Any]) -> bytes:
    """Compact JSON, the way both libraries write frames (no spaces after separators)."""
    return json.dumps(frame, separators=(",", ":"), ensure_ascii=False).encode()


def with_custom_data(sample: Sample) -> Sample:
    """The same message with :data:`CUSTOM_DATA` at the top level of its payload."""
    return Sample(sample.label, sample.action, {**sample.payload, "customData": dict(CUSTOM_DATA)})


def _sampled_values() -> list[dict[str, Any]]:
    """Ten sampled values of one meter reading: energy, power, current and voltage per phase."""
    wh = {"unit": "Wh", "multiplier": 0}
    values: list[dict[str, Any]] = [
        {
            "value": 12345.6,
            "context": "Sample.Periodic",
            "measurand": "Energy.Active.Import.Register",
            "location": "Outlet",
            "unitOfMeasure": wh,
        },
        {
            "value": 7360.0,
            "context": "Sample.Periodic",
            "measurand": "Power.Active.Import",
            "location": "Outlet",
            "unitOfMeasure": {"unit": "W"},
        },
    ]
    for phase, amps in (("L1", 31.9), ("L2", 32.1), ("L3", 31.7)):
        values.append(
            {
                "value": amps,
                "context": "Sample.Periodic",
                "measurand": "Current.Import",
                "phase": phase,
                "location": "Outlet",
                "unitOfMeasure": {"unit": "A"},
            }
        )
    for phase, volts in (("L1-N", 230.1), ("L2-N", 229.8), ("L3-N", 231.0)):
        values.append(
            {
                "value": volts,
                "context": "Sample.Periodic",
                "measurand": "Voltage",
                "phase": phase,
                "location": "Outlet",
                "unitOfMeasure": {"unit": "V"},
            }
        )
    values.append(
        {
            "value": 54.0,
            "context": "Sample.Periodic",
            "measurand": "SoC",
            "location": "EV",
            "unitOfMeasure": {"unit": "Percent"},
        }
    )
    values.append(
        {
            "value": 11000.0,
            "context": "Sample.Periodic",
            "measurand": "Power.Offered",
            "location": "Outlet",
            "unitOfMeasure": {"unit": "W"},
        }
    )
    return values


def _report_entry(index: int) -> dict[str, Any]:
    """One NotifyReport entry: a component variable with its actual value and characteristics."""
    entry: dict[str, Any] = {
        "component": {"name": "EVSE" if index % 2 else "Connector", "evse": {"id": 1 + index % 2, "connectorId": 1}},
        "variable": {"name": f"Variable{index:02d}", "instance": "Actual"},
        "variableAttribute": [
            {
                "type": "Actual",
                "value": str(1000 + index),
                "mutability": "ReadWrite",
                "persistent": True,
                "constant": False,
            }
        ],
        "variableCharacteristics": {
            "dataType": "integer",
            "supportsMonitoring": True,
            "unit": "W",
            "maxLimit": 22000.0,
        },
    }
    return entry


def _periods(count: int) -> list[dict[str, Any]]:
    """``count`` hourly charging schedule periods with a varying current limit."""
    return [{"startPeriod": hour * 3600, "limit": 16.0 + (hour % 4) * 4.0, "numberPhases": 3} for hour in range(count)]


INBOUND: tuple[Sample, ...] = (
    Sample(
        "BootNotification",
        "BootNotification",
        {
            "reason": "PowerUp",
            "chargingStation": {
                "model": "SingleSocketCharger",
                "vendorName": "VendorX",
                "serialNumber": "SN-000123456",
                "firmwareVersion": "1.4.2",
                "modem": {"iccid": "8931440400012345678", "imsi": "204043712345678"},
            },
        },
    ),
    Sample("Heartbeat", "Heartbeat", {}),
    Sample(
        "StatusNotification",
        "StatusNotification",
        {
            "timestamp": TS,
            "connectorStatus": "Occupied",
            "evseId": 1,
            "connectorId": 1,
        },
    ),
    Sample(
        "MeterValues 1x10",
        "MeterValues",
        {
            "evseId": 1,
            "meterValue": [{"timestamp": TS, "sampledValue": _sampled_values()}],
        },
    ),
    Sample(
        "TransactionEvent+meter",
        "TransactionEvent",
        {
            "eventType": "Updated",
            "timestamp": TS,
            "triggerReason": "MeterValuePeriodic",
            "seqNo": 17,
            "transactionInfo": {"transactionId": "f1c5a7e2-3b1d-4c55-9e0a-2d6f7b8c9d01", "chargingState": "Charging"},
            "evse": {"id": 1, "connectorId": 1},
            "idToken": {"idToken": "04A2B3C4D5E6F7", "type": "ISO14443"},
            "meterValue": [{"timestamp": TS, "sampledValue": _sampled_values()[:5]}],
        },
    ),
    Sample(
        "NotifyReport 50",
        "NotifyReport",
        {
            "requestId": 42,
            "generatedAt": TS,
            "tbc": False,
            "seqNo": 0,
            "reportData": [_report_entry(i) for i in range(50)],
        },
    ),
    Sample(
        "SetChargingProfile 24",
        "SetChargingProfile",
        {
            "evseId": 1,
            "chargingProfile": {
                "id": 7,
                "stackLevel": 0,
                "chargingProfilePurpose": "TxDefaultProfile",
                "chargingProfileKind": "Recurring",
                "recurrencyKind": "Daily",
                "validFrom": "2025-03-14T00:00:00Z",
                "validTo": "2026-03-14T00:00:00Z",
                "chargingSchedule": [
                    {
                        "id": 1,
                        "startSchedule": "2025-03-14T00:00:00Z",
                        "duration": 86400,
                        "chargingRateUnit": "A",
                        "minChargingRate": 6.0,
                        "chargingSchedulePeriod": _periods(24),
                    }
                ],
            },
        },
    ),
)
"""The seven CALLs of the codec benchmark, smallest to largest."""

RESPONSES: tuple[Sample, ...] = (
    Sample("BootNotificationResponse", "BootNotification", {"currentTime": TS, "interval": 300, "status": "Accepted"}),
    Sample("HeartbeatResponse", "Heartbeat", {"currentTime": TS}),
    Sample("StatusNotificationResponse", "StatusNotification", {}),
    Sample("MeterValuesResponse", "MeterValues", {}),
    Sample(
        "TransactionEventResponse",
        "TransactionEvent",
        {
            "totalCost": 12.5,
            "chargingPriority": 0,
            "idTokenInfo": {"status": "Accepted", "cacheExpiryDateTime": "2025-03-15T09:26:53Z", "language1": "en"},
        },
    ),
    Sample("NotifyReportResponse", "NotifyReport", {}),
    Sample("SetChargingProfileResponse", "SetChargingProfile", {"status": "Accepted"}),
)
"""The CSMS's (or, for SetChargingProfile, the station's) answer to each inbound CALL."""
