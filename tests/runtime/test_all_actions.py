"""A round trip of every one of the 64 actions, in its direction, through the generated stubs.

Handlers overriding every received method are built from the action registry; each request is the
smallest valid instance of its type plus a vendor customData, so each exchange also checks that
the typed request reaches the handler intact and the typed response reaches the caller intact.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import msgspec
import pytest

from ocppwire.runtime.customdata import GenericCustomData
from ocppwire.v201 import ACTIONS, csms, station
from ocppwire.v201.actions import CSMS_SENDS, STATION_SENDS

from .builders import minimal
from ..loopback import StartCsms, StartStation, eventually

CUSTOM = GenericCustomData("org.example.roundtrip", {"n": 1, "tags": ["a"]})


def request_for(action: str) -> Any:
    return msgspec.structs.replace(minimal(ACTIONS[action].request), custom_data=CUSTOM)


def response_for(action: str) -> Any:
    return msgspec.structs.replace(minimal(ACTIONS[action].response), custom_data=CUSTOM)


def answering_handler(base: type[Any], methods: dict[str, str], received: list[tuple[str, Any]]) -> Any:
    """An instance of a subclass of ``base`` overriding every handler method."""

    def make(action: str) -> Callable[..., Any]:
        async def method(self: Any, peer: Any, req: Any) -> Any:
            received.append((action, req))
            return response_for(action)

        return method

    namespace = {method: make(action) for action, method in methods.items()}
    return type(f"All{base.__name__}", (base,), namespace)()


def test_every_action_has_exactly_one_direction_stub() -> None:
    assert len(ACTIONS) == 64
    assert set(csms.BINDING.methods) == STATION_SENDS and set(station.BINDING.methods) == CSMS_SENDS
    assert len(STATION_SENDS) == 25 and len(CSMS_SENDS) == 40  # DataTransfer in both
    for action in STATION_SENDS:
        assert hasattr(station.CsmsClient, csms.BINDING.methods[action])
    for action in CSMS_SENDS:
        assert hasattr(csms.ChargingStationClient, station.BINDING.methods[action])


async def test_round_trip_of_every_action(start_csms: StartCsms, start_station: StartStation) -> None:
    at_csms: list[tuple[str, Any]] = []
    at_station: list[tuple[str, Any]] = []
    server = await start_csms(answering_handler(csms.CsmsHandler, dict(csms.BINDING.methods), at_csms))
    conn = await start_station(
        server,
        "CS1",
        handler=answering_handler(station.ChargingStationHandler, dict(station.BINDING.methods), at_station),
    )
    await eventually(lambda: "CS1" in server.stations)
    to_station = server.stations["CS1"]

    done = []
    for action in sorted(STATION_SENDS):
        method = getattr(conn.peer, csms.BINDING.methods[action])
        response = await method(request_for(action))
        assert response == response_for(action), action
        assert at_csms[-1] == (action, request_for(action))
        done.append(("station→csms", action))
    for action in sorted(CSMS_SENDS):
        method = getattr(to_station, station.BINDING.methods[action])
        response = await method(request_for(action))
        assert response == response_for(action), action
        assert at_station[-1] == (action, request_for(action))
        done.append(("csms→station", action))

    assert len({a for _, a in done}) == 64
    assert to_station.stats.errors_sent == 0 and conn.peer.stats.errors_sent == 0
    assert to_station.stats.results_received == 40 and conn.peer.stats.results_received == 25


@pytest.mark.parametrize("action", sorted(CSMS_SENDS - STATION_SENDS)[:3])
async def test_actions_in_the_wrong_direction_are_not_supported(
    start_csms: StartCsms, start_station: StartStation, action: str
) -> None:
    """A station that sends a CSMS-only action gets NotSupported, even from a CSMS handling everything."""
    server = await start_csms(answering_handler(csms.CsmsHandler, dict(csms.BINDING.methods), []))
    conn = await start_station(server, "CS1")
    from ocppwire.runtime.errors import NotSupportedError

    with pytest.raises(NotSupportedError):
        await conn.peer.call(ACTIONS[action], request_for(action))
