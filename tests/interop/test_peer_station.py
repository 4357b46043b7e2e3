"""The ``ocpp`` package's ChargePoint as a Charging Station, against our CSMS (``csms.serve``).

For every action a station sends (24 + DataTransfer) the peer makes the call and our CSMS handler
receives it; for every action a CSMS sends (39 + DataTransfer) our CSMS calls the peer's ``@on``
handler. Payloads fill every optional field at every depth (``payloads.rich``) and each exchange is
checked field by field at four points (``checks``): the caller's wire frame, the callee's
application view, the answer's wire frame and the caller's view of the answer.
"""

from __future__ import annotations

from typing import Any

from ocppwire.v201 import ACTIONS, csms, station
from ocppwire.v201.actions import CSMS_SENDS, STATION_SENDS

from ..loopback import StartCsms, eventually
from ..conftest import Figures
from .checks import fields_compared, peer_called_us, we_called_peer
from .ours import recording_handler, rich_request
from .payloads import rich_json
from .peer import answering_peer, peer_request, peer_response, peer_station
import pytest

pytestmark = pytest.mark.usefixtures("each_transport")  # transport behaviour: run on websockets and picows


async def test_peer_station_sends_every_station_action(start_csms: StartCsms, figures: Figures) -> None:
    at_csms: list[tuple[str, Any]] = []
    server = await start_csms(recording_handler(csms.CsmsHandler, dict(csms.BINDING.methods), at_csms))
    problems: dict[str, list[str]] = {}
    async with peer_station(server.url, "PEER-CS1") as cp:
        for action in sorted(STATION_SENDS):
            result = await cp.call(peer_request(action, rich_json(ACTIONS[action].request)), suppress=False)
            problems[action] = peer_called_us(action, cp._connection, at_csms[-1], result)
    assert {a: p for a, p in problems.items() if p} == {}
    assert len(problems) == len(at_csms) == len(STATION_SENDS) == 25
    figures.record(
        "interop: ocpp ChargePoint station → our CSMS", actions=25, leaf_values_checked=fields_compared(STATION_SENDS)
    )


async def test_our_csms_calls_every_csms_action_on_the_peer_station(start_csms: StartCsms, figures: Figures) -> None:
    server = await start_csms(csms.CsmsHandler())
    peer_cls = answering_peer(CSMS_SENDS, lambda action: peer_response(action, rich_json(ACTIONS[action].response)))
    problems: dict[str, list[str]] = {}
    async with peer_station(server.url, "PEER-CS2", peer_cls) as cp:
        await eventually(lambda: "PEER-CS2" in server.stations)
        to_station = server.stations["PEER-CS2"]
        for action in sorted(CSMS_SENDS):
            result = await getattr(to_station, station.BINDING.methods[action])(rich_request(action))
            problems[action] = we_called_peer(action, cp._connection, cp.received[-1], result)
    assert {a: p for a, p in problems.items() if p} == {}
    assert len(problems) == len(cp.received) == len(CSMS_SENDS) == 40
    assert to_station.stats.results_received == 40 and to_station.stats.errors_received == 0
    figures.record(
        "interop: our CSMS → ocpp ChargePoint station", actions=40, leaf_values_checked=fields_compared(CSMS_SENDS)
    )
