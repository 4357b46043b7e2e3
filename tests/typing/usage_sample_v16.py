"""A user's OCPP 1.6 code (Central System and Charge Point); mypy --strict must accept it (tests/typing)."""

from __future__ import annotations

from datetime import datetime, timezone

import msgspec

from ocppwire import decode, encode
from ocppwire.v16 import ACTIONS, central_system, charge_point, csms, enums, messages, station, types


class MyCentralSystem(central_system.CentralSystemHandler):
    async def boot_notification(
        self, station: central_system.ChargePointClient, req: messages.BootNotificationRequest
    ) -> messages.BootNotificationResponse:
        vendor: str = req.charge_point_vendor
        del vendor
        return messages.BootNotificationResponse(
            current_time=datetime.now(timezone.utc), interval=300, status=enums.BootNotificationStatus.ACCEPTED
        )

    async def start_transaction(
        self, station: csms.ChargingStationClient, req: messages.StartTransactionRequest
    ) -> messages.StartTransactionResponse:
        info = types.IdTagInfo(status=enums.IdTagInfoStatus.ACCEPTED)
        return messages.StartTransactionResponse(id_tag_info=info, transaction_id=1)


class MyChargePoint(charge_point.ChargePointHandler):
    async def reset(self, csms: charge_point.CentralSystemClient, req: messages.ResetRequest) -> messages.ResetResponse:
        kind: enums.ResetType = req.type
        del kind
        return messages.ResetResponse(status=enums.ResetStatus.ACCEPTED)


async def boot(client: station.CsmsClient) -> float | None:
    res = await client.boot_notification(
        messages.BootNotificationRequest(charge_point_vendor="V", charge_point_model="M")
    )
    interval: int = res.interval
    del interval
    profile = await client.meter_values(
        messages.MeterValuesRequest(
            connector_id=1,
            meter_value=[
                types.MeterValue(
                    timestamp=datetime.now(timezone.utc),
                    sampled_value=[types.MeterValueSampledValue(value="12", measurand=enums.Measurand.SOC)],
                )
            ],
        )
    )
    del profile
    return None


def schedule_limit(payload: bytes) -> float:
    req = decode(messages.SetChargingProfileRequest, payload)
    periods = req.cs_charging_profiles.charging_schedule.charging_schedule_period
    limit: float = periods[0].limit
    rate = req.cs_charging_profiles.charging_schedule.min_charging_rate
    if rate is not msgspec.UNSET:
        limit = min(limit, rate)
    return limit


def encoded() -> bytes:
    return encode(messages.HeartbeatResponse(current_time=datetime.now(timezone.utc)))


def names() -> list[str]:
    same_server: object = central_system.serve is csms.serve
    del same_server
    return sorted(ACTIONS)
