"""Our Charging Station (``station.connect``) against a CSMS built with the ``ocpp`` package.

The peer CSMS is the package's ChargePoint on a ``websockets`` server with one ``@on`` handler per
station-initiated action. It calls our station with every CSMS-initiated action (39 +
DataTransfer), and our station calls it with every station-initiated one (24 + DataTransfer).
Each exchange is checked field by field at the same four points as in ``test_peer_station``.
"""

from __future__ import annotations

from typing import Any

from ocppwire.v201 import ACTIONS, csms, station
from ocppwire.v201.actions import CSMS_SENDS, STATION_SENDS

from ..conftest import Figures
from .checks import fields_compared, peer_called_us, we_called_peer
from .ours import recording_handler, rich_request
from .payloads import rich_json
from .peer import answering_peer, peer_request, peer_response, run_peer_csms
import pytest

pytestmark = pytest.mark.usefixtures("each_transport")  # transport behaviour: run on websockets and picows


def _peer_csms_class() -> Any:
    return answering_peer(STATION_SENDS, lambda action: peer_response(action, rich_json(ACTIONS[action].response)))


async def test_peer_csms_calls_every_csms_action_on_our_station(figures: Figures) -> None:
    at_station: list[tuple[str, Any]] = []
    handler = recording_handler(station.ChargingStationHandler, dict(station.BINDING.methods), at_station)
    problems: dict[str, list[str]] = {}
    async with run_peer_csms(_peer_csms_class()) as peer_csms:
        async with station.connect(
            peer_csms.url, identity="OUR-CS1", handler=handler, options=station.ClientOptions(reconnect=False)
        ) as conn:
            cp = await peer_csms.station("OUR-CS1")
            for action in sorted(CSMS_SENDS):
                result = await cp.call(peer_request(action, rich_json(ACTIONS[action].request)), suppress=False)
                problems[action] = peer_called_us(action, cp._connection, at_station[-1], result)
            stats = conn.peer.stats
    assert {a: p for a, p in problems.items() if p} == {}
    assert len(problems) == len(at_station) == len(CSMS_SENDS) == 40
    assert stats.results_sent == 40 and stats.errors_sent == 0
    figures.record("interop: ocpp CSMS → our station", actions=40, leaf_values_checked=fields_compared(CSMS_SENDS))


async def test_our_station_calls_every_station_action_on_the_peer_csms(figures: Figures) -> None:
    problems: dict[str, list[str]] = {}
    async with run_peer_csms(_peer_csms_class()) as peer_csms:
        async with station.connect(
            peer_csms.url,
            identity="OUR-CS2",
            handler=station.ChargingStationHandler(),
            options=station.ClientOptions(reconnect=False),
        ) as conn:
            cp = await peer_csms.station("OUR-CS2")
            for action in sorted(STATION_SENDS):
                result = await getattr(conn.peer, csms.BINDING.methods[action])(rich_request(action))
                problems[action] = we_called_peer(action, cp._connection, cp.received[-1], result)
            stats = conn.peer.stats
    assert {a: p for a, p in problems.items() if p} == {}
    assert len(problems) == len(cp.received) == len(STATION_SENDS) == 25
    assert stats.results_received == 25 and stats.errors_received == 0
    figures.record("interop: our station → ocpp CSMS", actions=25, leaf_values_checked=fields_compared(STATION_SENDS))
