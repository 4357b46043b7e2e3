"""A user's code against the generated bindings; mypy --strict must accept it (tests/typing)."""

from __future__ import annotations

from datetime import datetime, timezone

import msgspec

from ocppwire import decode, encode
from ocppwire.runtime import GenericCustomData, value_or_default
from ocppwire.v201 import ACTIONS, enums, messages, types


def handle_boot(payload: bytes) -> bytes:
    req = decode(messages.BootNotificationRequest, payload)
    model: str = req.charging_station.model
    serial = req.charging_station.serial_number
    if serial is not msgspec.UNSET:
        serial_text: str = serial
        del serial_text
    reason: enums.BootReasonEnumType = req.reason
    del model, reason
    res = messages.BootNotificationResponse(
        current_time=datetime.now(timezone.utc),
        interval=300,
        status=enums.RegistrationStatusEnumType.ACCEPTED,
    )
    return encode(res)


def meter(value: float) -> messages.MeterValuesRequest:
    sample = types.SampledValueType(value=value, measurand=enums.MeasurandEnumType.ENERGY_ACTIVE_IMPORT_REGISTER)
    context: enums.ReadingContextEnumType = value_or_default(sample, "context", enums.ReadingContextEnumType)
    del context
    return messages.MeterValuesRequest(
        evse_id=1,
        meter_value=[types.MeterValueType(timestamp=datetime.now(timezone.utc), sampled_value=[sample])],
        custom_data=GenericCustomData("com.example", {"k": 1}),
    )


def action_names() -> list[str]:
    return sorted(ACTIONS)
