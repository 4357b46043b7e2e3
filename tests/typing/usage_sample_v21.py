"""A user's OCPP 2.1 code; mypy --strict must accept it (tests/typing)."""

from __future__ import annotations

from datetime import datetime, timezone

from ocppwire import decode, encode
from ocppwire.v21 import ACTIONS, actions, csms, enums, messages, station, types


class MyCsms(csms.CsmsHandler):
    async def boot_notification(
        self, station: csms.ChargingStationClient, req: messages.BootNotificationRequest
    ) -> messages.BootNotificationResponse:
        return messages.BootNotificationResponse(
            current_time=datetime.now(timezone.utc), interval=300, status=enums.RegistrationStatusEnumType.ACCEPTED
        )

    async def vat_number_validation(
        self, station: csms.ChargingStationClient, req: messages.VatNumberValidationRequest
    ) -> messages.VatNumberValidationResponse:
        number: str = req.vat_number
        return messages.VatNumberValidationResponse(vat_number=number, status=enums.GenericStatusEnumType.ACCEPTED)


async def afrr(station_client: csms.ChargingStationClient) -> enums.GenericStatusEnumType:
    res = await station_client.afrr_signal(messages.AFRRSignalRequest(timestamp=datetime.now(timezone.utc), signal=1))
    return res.status


class MyStation(station.ChargingStationHandler):
    async def set_default_tariff(
        self, csms: station.CsmsClient, req: messages.SetDefaultTariffRequest
    ) -> messages.SetDefaultTariffResponse:
        tariff: types.TariffType = req.tariff
        del tariff
        return messages.SetDefaultTariffResponse(status=enums.TariffSetStatusEnumType.ACCEPTED)


def stream(payload: bytes) -> bytes:
    msg = decode(messages.NotifyPeriodicEventStreamRequest, payload)
    payload_type, direction = actions.SEND_FRAME_ACTIONS["NotifyPeriodicEventStream"]
    del payload_type, direction
    return encode(msg)


def names() -> list[str]:
    return sorted(ACTIONS)
