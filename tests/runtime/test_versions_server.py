"""One CSMS endpoint for OCPP 1.6, 2.0.1 and 2.1 at once (``serve_versions``), over real sockets."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import pytest
from websockets.asyncio.client import connect as ws_connect

from ocppwire.runtime.errors import NotSupportedError
from ocppwire.runtime.options import ServerOptions
from ocppwire.runtime.server import Route, preference_order, serve_versions
from ocppwire.v16 import csms as csms16
from ocppwire.v16 import enums as e16
from ocppwire.v16 import messages as m16
from ocppwire.v16 import station as station16
from ocppwire.v21 import csms as csms21
from ocppwire.v21 import enums as e21
from ocppwire.v21 import messages as m21
from ocppwire.v21 import station as station21
from ocppwire.v21 import types as t21
from ocppwire.v201 import csms as csms201
from ocppwire.v201 import enums as e201
from ocppwire.v201 import messages as m201
from ocppwire.v201 import station as station201
from ocppwire.v201 import types as t201

pytestmark = pytest.mark.usefixtures("each_transport")  # transport behaviour: run on websockets and picows

NOW = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
booted: list[tuple[str, str]] = []


class Csms16(csms16.CsmsHandler):
    async def boot_notification(
        self, station: csms16.ChargingStationClient, req: m16.BootNotificationRequest
    ) -> m16.BootNotificationResponse:
        booted.append((station.identity, station.info.subprotocol))
        return m16.BootNotificationResponse(status=e16.BootNotificationStatus.ACCEPTED, current_time=NOW, interval=60)


class Csms201(csms201.CsmsHandler):
    async def boot_notification(
        self, station: csms201.ChargingStationClient, req: m201.BootNotificationRequest
    ) -> m201.BootNotificationResponse:
        booted.append((station.identity, station.info.subprotocol))
        return m201.BootNotificationResponse(
            current_time=NOW, interval=60, status=e201.RegistrationStatusEnumType.ACCEPTED
        )


class Csms21(csms21.CsmsHandler):
    async def boot_notification(
        self, station: csms21.ChargingStationClient, req: m21.BootNotificationRequest
    ) -> m21.BootNotificationResponse:
        booted.append((station.identity, station.info.subprotocol))
        return m21.BootNotificationResponse(
            current_time=NOW, interval=60, status=e21.RegistrationStatusEnumType.ACCEPTED
        )


def routes() -> list[Route[Any, Any]]:
    return [Route(csms16.BINDING, Csms16()), Route(csms201.BINDING, Csms201()), Route(csms21.BINDING, Csms21())]


async def test_one_csms_serves_three_versions_at_once() -> None:
    booted.clear()
    async with serve_versions(*routes(), port=0) as server:
        one = await station16.connect(server.url, identity="CP16", handler=station16.ChargingStationHandler())
        two = await station201.connect(server.url, identity="CS201", handler=station201.ChargingStationHandler())
        three = await station21.connect(server.url, identity="CS21", handler=station21.ChargingStationHandler())
        try:
            await asyncio.gather(
                one.peer.boot_notification(
                    m16.BootNotificationRequest(charge_point_vendor="v", charge_point_model="m")
                ),
                two.peer.boot_notification(
                    m201.BootNotificationRequest(
                        charging_station=t201.ChargingStationType(model="m", vendor_name="v"),
                        reason=e201.BootReasonEnumType.POWER_UP,
                    )
                ),
                three.peer.boot_notification(
                    m21.BootNotificationRequest(
                        charging_station=t21.ChargingStationType(model="m", vendor_name="v"),
                        reason=e21.BootReasonEnumType.POWER_UP,
                    )
                ),
            )
            assert sorted(booted) == [("CP16", "ocpp1.6"), ("CS201", "ocpp2.0.1"), ("CS21", "ocpp2.1")]
            # each connected station is a client typed for its own version
            assert isinstance(server.stations["CP16"], csms16.ChargingStationClient)
            assert isinstance(server.stations["CS201"], csms201.ChargingStationClient)
            assert isinstance(server.stations["CS21"], csms21.ChargingStationClient)
            cp16 = server.stations["CP16"]
            assert isinstance(cp16, csms16.ChargingStationClient)
            with pytest.raises(NotSupportedError):  # the 1.6 station's default handler, over 1.6 frames
                await cp16.reset(m16.ResetRequest(type=e16.ResetType.SOFT), timeout=2)
        finally:
            for conn in (one, two, three):
                await conn.close(grace=0)


async def _agreed(url: str, offered: list[str]) -> str | None:
    async with ws_connect(f"{url}/OFFER1", subprotocols=offered, proxy=None) as ws:  # type: ignore[arg-type]
        return ws.subprotocol


async def test_newest_version_offered_wins_by_default_and_preference_is_configurable() -> None:
    async with serve_versions(*routes(), port=0) as server:
        assert await _agreed(server.url, ["ocpp1.6", "ocpp2.0.1", "ocpp2.1"]) == "ocpp2.1"
        assert await _agreed(server.url, ["ocpp1.6", "ocpp2.0.1"]) == "ocpp2.0.1"
    options = ServerOptions(subprotocol_preference=("ocpp1.6", "ocpp2.0.1", "ocpp2.1"))
    async with serve_versions(*routes(), port=0, options=options) as server:
        assert await _agreed(server.url, ["ocpp2.1", "ocpp1.6"]) == "ocpp1.6"


def test_preference_must_name_every_version_served() -> None:
    table = {r.binding.actions.subprotocol: r for r in routes()}
    assert preference_order(table, None) == ("ocpp2.1", "ocpp2.0.1", "ocpp1.6")
    with pytest.raises(ValueError):
        preference_order(table, ("ocpp2.1", "ocpp1.6"))


def test_two_handlers_for_one_version_are_refused() -> None:
    with pytest.raises(ValueError, match="two handlers"):
        serve_versions(Route(csms201.BINDING, Csms201()), Route(csms201.BINDING, Csms201()))
