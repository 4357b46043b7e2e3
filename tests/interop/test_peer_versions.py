"""Interop with the ``ocpp`` package (PyPI 2.1.0) in OCPP 1.6 and OCPP 2.1, as ``test_peer_station`` and
``test_peer_csms`` do for 2.0.1: every action of the version, in both directions, field by field.

For each version the package's own ``ChargePoint`` (``ocpp.v16.ChargePoint``, ``ocpp.v21.ChargePoint``)
plays the station against our CSMS (``ocppwire.v16.csms.serve`` / ``ocppwire.v21.csms.serve``) and the
CSMS against our station (``station.connect``). Payloads fill every optional field at every depth
(``payloads.rich``) and each exchange is checked at four points (``checks``): the caller's wire
frame, the callee's application view, the answer's wire frame and the caller's view of the answer.
Where the peer differs from the schemas, ``test_peer_quirks_versions`` pins it down.

2.1's one SEND action (NotifyPeriodicEventStream) has no response and is not among the CALL actions
here; the ``ocpp`` package has no SEND frame at all (``test_peer_quirks_versions``).
"""

from __future__ import annotations

import importlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import pytest
from ocpp.charge_point import camel_to_snake_case, snake_to_camel_case

from ocppwire.runtime.options import ServerOptions

from ..conftest import Figures
from ..loopback import eventually
from .checks import fields_compared, peer_called_us, we_called_peer
from .ours import recording_handler, rich_request
from .payloads import rich_json
from .peer import answering_peer, peer_request, peer_response, peer_station, run_peer_csms

pytestmark = pytest.mark.usefixtures("each_transport")  # transport behaviour: run on websockets and picows


@dataclass(frozen=True)
class Version:
    """Our generated package and the peer's module for one OCPP version."""

    name: str
    subprotocol: str
    csms_actions: int
    station_actions: int

    @property
    def ours(self) -> ModuleType:
        package = importlib.import_module(f"ocppwire.{self.name}")
        for module in ("actions", "csms", "station"):
            importlib.import_module(f"ocppwire.{self.name}.{module}")
        return package

    @property
    def peer(self) -> ModuleType:
        return importlib.import_module(f"ocpp.{self.name}")

    @property
    def actions(self) -> Any:
        return self.ours.ACTIONS

    def sent_by_csms(self) -> list[str]:
        return sorted(a for a in self.ours.actions.CSMS_SENDS if a in self.actions)

    def sent_by_station(self) -> list[str]:
        return sorted(a for a in self.ours.actions.STATION_SENDS if a in self.actions)

    def request(self, action: str) -> Any:
        """The peer's ``call`` dataclass for the rich request. ``ocpp.v21`` names ``iso15118...`` fields
        ``iso_15118_...`` in its dataclasses while its own converter makes ``iso15118_...`` of the wire
        name; a user of the package writes the dataclass names, so this does too (the wire is checked)."""
        wire = rich_json(self.actions[action].request)
        try:
            return peer_request(action, wire, self.peer.call)
        except TypeError:
            fields = camel_to_snake_case(dict(wire))
            renamed = {k.replace("iso15118_", "iso_15118_"): v for k, v in fields.items()}
            return getattr(self.peer.call, action)(**renamed)

    def response(self, action: str) -> Any:
        return peer_response(action, rich_json(self.actions[action].response), self.peer.call_result)


VERSIONS = [
    # 1.6: 25 Central System actions + DataTransfer, 13 Charge Point actions + DataTransfer
    Version("v16", "ocpp1.6", 26, 14),
    # 2.1: 54 CSMS actions + DataTransfer, 35 station CALL actions + DataTransfer (+ 1 SEND, not a CALL)
    Version("v21", "ocpp2.1", 55, 36),
]


def _failure(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {str(exc)[:160]}"


def mangled_names(payload: Any) -> set[str]:
    """Wire names in ``payload`` (any depth) the peer cannot send: its camelCase -> snake_case ->
    camelCase conversion gives another name back (``soc`` -> ``SoC``, ``limit_L2`` -> ``limitL2``,
    ``receiptUrl`` -> ``receiptURL``, ``prioritizedEMAIDs`` -> ``prioritizedEmaiDs``...)."""
    found: set[str] = set()
    if isinstance(payload, dict):
        for key, value in payload.items():
            if next(iter(snake_to_camel_case(camel_to_snake_case({key: None})))) != key:
                found.add(key)
            found |= mangled_names(value)
    elif isinstance(payload, list):
        for item in payload:
            found |= mangled_names(item)
    return found


def peer_cannot_encode(version: Version, actions: list[str], part: str) -> set[str]:
    """The actions whose rich ``part`` (``request``/``response``) the peer has to encode and cannot
    (see :func:`mangled_names`): expected to fail, in the peer, before or at its own validation."""
    return {a for a in actions if mangled_names(rich_json(getattr(version.actions[a], part)))}


def assert_only_peer_quirks(found: dict[str, list[str]], expected: set[str]) -> None:
    """Every problem is the peer failing on a name it mangles, and every such action fails: as a caller
    it refuses its own request ("are not allowed", or its dataclass refuses the name); as a callee its
    own response validation fails and it answers CALLERROR FormatViolation ("syntactically incorrect")."""
    assert set(found) == expected, (sorted(found), sorted(expected))
    markers = ("are not allowed", "unexpected keyword", "FormatViolation: Payload for Action is syntactically incorrect")
    for action, problems in found.items():
        assert any(m in problems[0] for m in markers), (action, problems)


@pytest.fixture(params=VERSIONS, ids=lambda v: v.name)
def version(request: pytest.FixtureRequest) -> Version:
    return request.param  # type: ignore[no-any-return]


@pytest.fixture
async def start_our_csms(version: Version) -> AsyncIterator[Any]:
    servers: list[Any] = []

    async def start(handler: Any) -> Any:
        server = await version.ours.csms.serve(handler, "127.0.0.1", 0, options=ServerOptions())
        servers.append(server)
        return server

    yield start
    for server in servers:
        await server.close(grace=1)


async def test_peer_station_sends_every_station_action(
    version: Version, start_our_csms: Any, figures: Figures
) -> None:
    at_csms: list[tuple[str, Any]] = []
    csms = version.ours.csms
    server = await start_our_csms(recording_handler(csms.CsmsHandler, dict(csms.BINDING.methods), at_csms, version.actions))
    problems: dict[str, list[str]] = {}
    actions = version.sent_by_station()
    async with peer_station(server.url, "PEER-V1", version.peer.ChargePoint, version.subprotocol) as cp:
        for action in actions:
            try:
                result = await cp.call(version.request(action), suppress=False)
                problems[action] = peer_called_us(action, cp._connection, at_csms[-1], result, version.actions)
            except Exception as exc:  # noqa: BLE001 - a peer quirk or our bug, compared below
                problems[action] = [_failure(exc)]
    found = {a: p for a, p in problems.items() if p}
    assert_only_peer_quirks(found, peer_cannot_encode(version, actions, "request"))
    assert len(problems) == version.station_actions and len(at_csms) == len(actions) - len(found)
    figures.record(
        f"interop {version.name}: ocpp ChargePoint station → our CSMS",
        actions=len(actions),
        peer_cannot_send=len(found),
        leaf_values_checked=fields_compared(set(actions) - set(found), version.actions),
    )


async def test_our_csms_calls_every_csms_action_on_the_peer_station(
    version: Version, start_our_csms: Any, figures: Figures
) -> None:
    server = await start_our_csms(version.ours.csms.CsmsHandler())
    actions = version.sent_by_csms()
    peer_cls = answering_peer(actions, version.response, version.peer.ChargePoint)
    problems: dict[str, list[str]] = {}
    async with peer_station(server.url, "PEER-V2", peer_cls, version.subprotocol) as cp:
        await eventually(lambda: "PEER-V2" in server.stations)
        to_station = server.stations["PEER-V2"]
        for action in actions:
            method = version.ours.station.BINDING.methods[action]
            try:
                result = await getattr(to_station, method)(rich_request(action, version.actions))
                problems[action] = we_called_peer(action, cp._connection, cp.received[-1], result, version.actions)
            except Exception as exc:  # noqa: BLE001 - a peer quirk or our bug, compared below
                problems[action] = [_failure(exc)]
    found = {a: p for a, p in problems.items() if p}
    assert_only_peer_quirks(found, peer_cannot_encode(version, actions, "response"))
    assert len(problems) == len(cp.received) == version.csms_actions
    assert to_station.stats.results_received == version.csms_actions - len(found)
    figures.record(
        f"interop {version.name}: our CSMS → ocpp ChargePoint station",
        actions=len(actions),
        peer_cannot_send=len(found),
        leaf_values_checked=fields_compared(set(actions) - set(found), version.actions),
    )


async def test_peer_csms_calls_every_csms_action_on_our_station(version: Version, figures: Figures) -> None:
    station = version.ours.station
    at_station: list[tuple[str, Any]] = []
    handler = recording_handler(station.ChargingStationHandler, dict(station.BINDING.methods), at_station, version.actions)
    problems: dict[str, list[str]] = {}
    actions = version.sent_by_csms()
    peer_cls = answering_peer(version.sent_by_station(), version.response, version.peer.ChargePoint)
    async with run_peer_csms(peer_cls, version.subprotocol) as peer_csms:
        async with station.connect(
            peer_csms.url, identity="OUR-V1", handler=handler, options=station.ClientOptions(reconnect=False)
        ) as conn:
            cp = await peer_csms.station("OUR-V1")
            for action in actions:
                try:
                    result = await cp.call(version.request(action), suppress=False)
                    problems[action] = peer_called_us(action, cp._connection, at_station[-1], result, version.actions)
                except Exception as exc:  # noqa: BLE001 - a peer quirk or our bug, compared below
                    problems[action] = [_failure(exc)]
            stats = conn.peer.stats
    found = {a: p for a, p in problems.items() if p}
    assert_only_peer_quirks(found, peer_cannot_encode(version, actions, "request"))
    assert len(problems) == version.csms_actions and len(at_station) == len(actions) - len(found)
    assert stats.results_sent == len(at_station) and stats.errors_sent == 0
    figures.record(
        f"interop {version.name}: ocpp CSMS → our station",
        actions=len(actions),
        peer_cannot_send=len(found),
        leaf_values_checked=fields_compared(set(actions) - set(found), version.actions),
    )


async def test_our_station_calls_every_station_action_on_the_peer_csms(version: Version, figures: Figures) -> None:
    station = version.ours.station
    problems: dict[str, list[str]] = {}
    actions = version.sent_by_station()
    peer_cls = answering_peer(actions, version.response, version.peer.ChargePoint)
    async with run_peer_csms(peer_cls, version.subprotocol) as peer_csms:
        async with station.connect(
            peer_csms.url,
            identity="OUR-V2",
            handler=station.ChargingStationHandler(),
            options=station.ClientOptions(reconnect=False),
        ) as conn:
            cp = await peer_csms.station("OUR-V2")
            for action in actions:
                method = version.ours.csms.BINDING.methods[action]
                try:
                    result = await getattr(conn.peer, method)(rich_request(action, version.actions))
                    problems[action] = we_called_peer(action, cp._connection, cp.received[-1], result, version.actions)
                except Exception as exc:  # noqa: BLE001 - a peer quirk or our bug, compared below
                    problems[action] = [_failure(exc)]
            stats = conn.peer.stats
    found = {a: p for a, p in problems.items() if p}
    assert_only_peer_quirks(found, peer_cannot_encode(version, actions, "response"))
    assert len(problems) == len(cp.received) == version.station_actions
    assert stats.results_received == version.station_actions - len(found)
    figures.record(
        f"interop {version.name}: our station → ocpp CSMS",
        actions=len(actions),
        peer_cannot_send=len(found),
        leaf_values_checked=fields_compared(set(actions) - set(found), version.actions),
    )
