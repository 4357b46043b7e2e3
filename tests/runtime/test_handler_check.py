"""Misspelt handler methods and handler methods with the wrong parameters are refused at start-up."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from ocppwire.runtime.errors import OcppwireError
from ocppwire.runtime.handler_check import HandlerDefinitionError, check_handler_class
from ocppwire.v201 import csms, station
from ocppwire.v201 import enums as e
from ocppwire.v201 import messages as m


def refusal(handler_class: type[Any], binding: Any = csms.BINDING) -> str:
    with pytest.raises(HandlerDefinitionError) as info:
        binding.check_handler(handler_class())
    message = str(info.value)
    assert "\n" not in message
    return message


@pytest.mark.parametrize(
    "name",
    [
        "boot_notificaton",
        "boot_notifications",
        "on_boot_notification",
        "handle_boot_notification",
        "BootNotification",
        "bootNotification",
        "on_BootNotification",
    ],
)
def test_a_misspelt_handler_name_names_the_closest_action(name: str) -> None:
    async def method(self: Any, station: Any, req: Any) -> Any:
        return None

    handler_class = type("MyCsms", (csms.CsmsHandler,), {name: method})
    message = refusal(handler_class)
    assert message.startswith(f"MyCsms.{name} is not a handler method")
    assert "did you mean 'boot_notification' (action BootNotification)?" in message


def test_the_ocpp_package_signature_is_refused() -> None:
    class MyCsms(csms.CsmsHandler):
        async def heartbeat(self, req):  # type: ignore[no-untyped-def, override]
            return None

    assert refusal(MyCsms) == (
        "MyCsms.heartbeat(self, req) must take (self, peer, req): the peer's client, then the HeartbeatRequest"
    )


def test_required_extra_parameters_are_refused_on_the_station_side_too() -> None:
    class MyStation(station.ChargingStationHandler):
        async def reset(self, csms: Any, req: Any, *, when: float) -> Any:  # type: ignore[override]
            return None

    assert "MyStation.reset(self, csms, req, when) must take (self, peer, req)" in refusal(MyStation, station.BINDING)


def test_correct_handlers_helpers_and_mixins_pass() -> None:
    class Helpers:
        async def ask_station(self, peer: Any) -> None: ...  # public, but close to no action

        async def _boot_notificaton(self) -> None: ...  # private helpers are never checked

        def boot_notificaton(self) -> None: ...  # not a coroutine: never taken for a handler

    class MyCsms(Helpers, csms.CsmsHandler):
        async def boot_notification(
            self, station: csms.ChargingStationClient, req: m.BootNotificationRequest, extra: int = 0
        ) -> m.BootNotificationResponse:
            return m.BootNotificationResponse(
                current_time=dt.datetime.now(dt.timezone.utc), interval=1, status=e.RegistrationStatusEnumType.ACCEPTED
            )

        async def heartbeat(self, *args: Any) -> Any: ...

        async def on_connect(self, station: csms.ChargingStationClient) -> None: ...

    csms.BINDING.check_handler(MyCsms())


def test_a_misspelling_inherited_from_a_mixin_is_found() -> None:
    class Mixin:
        async def statusnotification(self, station: Any, req: Any) -> Any: ...

    class MyCsms(Mixin, csms.CsmsHandler):
        pass

    assert "did you mean 'status_notification'" in refusal(MyCsms)


def test_a_longer_name_built_on_an_action_is_a_helper() -> None:
    class MyCsms(csms.CsmsHandler):
        async def after_boot_notification(self, station: Any) -> None: ...

        async def send_reset_later(self, station: Any) -> None: ...

    check_handler_class(MyCsms, csms.CsmsHandler, csms.BINDING.methods)


async def test_serve_refuses_a_misspelt_handler_before_listening() -> None:
    class MyCsms(csms.CsmsHandler):
        async def on_boot_notification(self, station: Any, req: Any) -> Any: ...

    with pytest.raises(HandlerDefinitionError, match="did you mean 'boot_notification'"):
        async with csms.serve(MyCsms(), "127.0.0.1", 0):
            pass


def test_the_error_is_an_ocppwire_error_and_a_type_error() -> None:
    assert issubclass(HandlerDefinitionError, OcppwireError) and issubclass(HandlerDefinitionError, TypeError)
